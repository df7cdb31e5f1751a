// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: receipt issue/verify/reissue, media
// checkout/return/list, register export; the PDF read back with pdftotext and
// the CSV with Python's csv module; tampering refused with the documented
// exit codes (docs/exit-codes.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitInvalid = 2;
constexpr int kExitCorruption = 6;
constexpr int kExitVerification = 8;
constexpr int kExitTruncated = 10;
constexpr int kExitPrecondition = 14;

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

class ReceiptCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1",
                  "--operator", "山田太郎", "--default-operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  std::vector<std::string> IssueArgs(const std::string& prefix) {
    return {"receipt",
            "issue",
            "--from",
            "佐藤花子",
            "--from-org",
            "新潟市",
            "--from-dept",
            "市民生活部",
            "--kind",
            "住民基本台帳データ",
            "--name",
            "令和8年度 転入者一覧",
            "--classification",
            "3",
            "--items",
            "1200",
            "--bytes",
            "5242880",
            "--medium",
            "usb-flash",
            "--medium-id",
            "USB-0042",
            "--transfer",
            "secure-mail",
            "--tracking",
            "1234-5678-9012",
            "--purpose",
            "システム移行作業",
            "--contract",
            "住民記録システム保守業務",
            "--storage",
            "本社A棟 金庫2",
            "--disposition",
            "return",
            "--due",
            "2027-03-31",
            "--received-at",
            "2026-11-20T01:30:00Z",
            "--remarks",
            "=HYPERLINK(\"x\")",
            "-o",
            prefix};
  }
  std::string Text(const std::string& pdf) {
    CommandResult r = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Squash(r.out);
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(ReceiptCliTest, IssueWritesJsonAndPdfWithEveryFieldAndVerifiesBoth) {
  std::string prefix = dir_.path() + "/r1";
  auto issue = Run(IssueArgs(prefix));
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_THAT(issue.out, HasSubstr("receipt office-1-000001 issued (ledger entry 1)"));

  std::string text = Text(prefix + ".pdf");
  for (const char* want : {"預かり証",
                           "office-1-000001",
                           "佐藤花子",
                           "新潟市",
                           "市民生活部",
                           "住民基本台帳データ",
                           "令和8年度転入者一覧",
                           "機密性3",
                           "1200件",
                           "USB-0042",
                           "追跡可能な郵送",
                           "1234-5678-9012",
                           "システム移行作業",
                           "住民記録システム保守業務",
                           "本社A棟金庫2",
                           "返還",
                           "2027-03-31",
                           "山田太郎",
                           "株式会社サンプル情報",
                           "2026-11-2010:30:00JST",
                           "受領者",
                           "引渡者",
                           "御中"})
    EXPECT_THAT(text, HasSubstr(Squash(want))) << want;

  auto json = nlohmann::json::parse(ReadFileOrDie(prefix + ".json"));
  EXPECT_EQ(json["format"], "custody-receipt-v1");
  EXPECT_EQ(json["body"]["content"]["medium"]["id"], "USB-0042");
  EXPECT_EQ(json["body"]["content"]["information"]["items"], 1200);

  auto v1 = Run({"receipt", "verify", prefix + ".json"});
  EXPECT_EQ(v1.exit_code, 0) << v1.err;
  EXPECT_THAT(v1.out, HasSubstr("receipt OK (JSON): office-1-000001"));
  auto v2 = Run({"receipt", "verify", prefix + ".pdf"});
  EXPECT_EQ(v2.exit_code, 0) << v2.err;
  EXPECT_THAT(v2.out, HasSubstr("receipt OK (PDF)"));

  // The ledger entry exists and the ledger still verifies.
  auto show = Run({"--json", "log", "show", "--type", "receipt"});
  ASSERT_EQ(show.exit_code, 0);
  auto entry = nlohmann::json::parse(show.out);
  EXPECT_EQ(entry["type"], "receipt.issued");
  EXPECT_EQ(entry["seq"], 1);
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);

  // Offline, with the key given by another channel and no station.
  auto status = nlohmann::json::parse(Run({"--json", "status"}).out);
  std::string key = status["verifier_key"];
  auto off = RunCustody(
      {"--home", dir_.path() + "/none", "receipt", "verify", prefix + ".pdf", "--key", key});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  auto nokey = RunCustody({"--home", dir_.path() + "/none", "receipt", "verify", prefix + ".json"});
  EXPECT_EQ(nokey.exit_code, kExitInvalid);
  EXPECT_THAT(nokey.err, HasSubstr("--key"));
}

TEST_F(ReceiptCliTest, EnglishPdfAndReissueIsByteIdentical) {
  std::string prefix = dir_.path() + "/r1";
  ASSERT_EQ(Run(IssueArgs(prefix)).exit_code, 0);
  auto again =
      Run({"receipt", "reissue", "office-1-000001", "-o", dir_.path() + "/copy", "--lang", "en"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(ReadFileOrDie(prefix + ".json"), ReadFileOrDie(dir_.path() + "/copy.json"));
  std::string text = Text(dir_.path() + "/copy.pdf");
  for (const char* want : {"ReceiptforConfidentialInformation", "Receivedby", "Handedoverby",
                           "Class3", "1200items", "Trackedmail", "Return"})
    EXPECT_THAT(text, HasSubstr(want)) << want;
  EXPECT_EQ(Run({"receipt", "verify", dir_.path() + "/copy.pdf"}).exit_code, 0);
  EXPECT_EQ(Run({"receipt", "reissue", "0"}).exit_code, 3);  // station.created, not a receipt
}

TEST_F(ReceiptCliTest, MissingFieldsAreRefusedBeforeAnythingIsRecorded) {
  auto r = Run({"receipt", "issue", "--from", "佐藤", "--from-org", "新潟市", "--kind",
                "住民データ", "--classification", "4", "--medium", "usb-flash", "--storage", "金庫",
                "--due", "2027-02-30", "-o", dir_.path() + "/bad"});
  EXPECT_EQ(r.exit_code, kExitInvalid);
  EXPECT_THAT(r.err, HasSubstr("機密性区分 classification must be 1, 2 or 3"));
  EXPECT_THAT(r.err, HasSubstr("媒体のシリアル・管理番号"));
  EXPECT_THAT(r.err, HasSubstr("件数・容量"));
  EXPECT_THAT(r.err, HasSubstr("利用目的または契約名"));
  EXPECT_THAT(r.err, HasSubstr("2027-02-30"));
  auto status = Run({"status"});
  EXPECT_THAT(status.out, HasSubstr("ledger entries: 1"));
}

TEST_F(ReceiptCliTest, TamperingIsDetectedWithTheDocumentedExitCodes) {
  std::string prefix = dir_.path() + "/r1";
  ASSERT_EQ(Run(IssueArgs(prefix)).exit_code, 0);
  std::string json = ReadFileOrDie(prefix + ".json");
  std::string pdf = ReadFileOrDie(prefix + ".pdf");
  auto verify = [&](const std::string& name, const std::string& bytes) {
    std::string path = dir_.path() + "/" + name;
    WriteFileOrDie(path, bytes);
    return Run({"receipt", "verify", path});
  };
  // Truncated.
  EXPECT_EQ(verify("t.json", json.substr(0, json.size() - 10)).exit_code, kExitTruncated);
  // A changed value, re-serialized canonically: the signature fails.
  std::string changed = json;
  size_t at = changed.find("USB-0042");
  ASSERT_NE(at, std::string::npos);
  changed[at + 7] = '3';
  auto c = verify("c.json", changed);
  EXPECT_EQ(c.exit_code, kExitVerification) << c.err;
  EXPECT_THAT(c.err, HasSubstr("signature does not verify"));
  // A flipped bit that breaks the JSON: corruption.
  std::string flipped = json;
  flipped[1] ^= 0x40;
  EXPECT_EQ(verify("f.json", flipped).exit_code, kExitCorruption);
  // An unknown member: corruption (unsigned meaning).
  std::string extra = json;
  extra.insert(1, "\"a\":1,");
  EXPECT_EQ(verify("x.json", extra).exit_code, kExitCorruption);
  // The PDF's pages altered (a byte inside a page stream), metadata intact.
  size_t stream = pdf.find("stream\n", pdf.size() / 3);
  ASSERT_NE(stream, std::string::npos);
  std::string bad_pdf = pdf;
  bad_pdf[stream + 20] ^= 0x01;
  auto p = verify("p.pdf", bad_pdf);
  EXPECT_EQ(p.exit_code, kExitVerification) << p.err;
  EXPECT_THAT(p.err, HasSubstr("not the rendering"));
  // The PDF's embedded record altered.
  std::string bad_meta = pdf;
  size_t rec = bad_meta.rfind("record=");
  ASSERT_NE(rec, std::string::npos);
  bad_meta[rec + 200] = bad_meta[rec + 200] == 'A' ? 'B' : 'A';
  EXPECT_NE(verify("m.pdf", bad_meta).exit_code, 0);
  // A QR scanned from another receipt.
  auto qr = Run({"receipt", "verify", prefix + ".json", "--qr",
                 "custody-receipt:1:office-1-000001:" + std::string(64, 'a')});
  EXPECT_EQ(qr.exit_code, kExitVerification);
}

TEST_F(ReceiptCliTest, AReceiptFromAnotherStationFailsAgainstThePinnedKey) {
  std::string prefix = dir_.path() + "/r1";
  ASSERT_EQ(Run(IssueArgs(prefix)).exit_code, 0);
  std::string other = dir_.path() + "/other";
  ASSERT_EQ(RunCustody({"--home", other, "init", "--organization", "偽物", "--name", "office-1",
                        "--operator", "x"})
                .exit_code,
            0);
  auto args = IssueArgs(dir_.path() + "/forged");
  args.insert(args.begin(), {"--home", other, "--operator", "x"});
  ASSERT_EQ(RunCustody(args).exit_code, 0);
  auto r = Run({"receipt", "verify", dir_.path() + "/forged.json"});
  EXPECT_EQ(r.exit_code, kExitVerification);
  EXPECT_THAT(r.err, HasSubstr("not the pinned key"));
}

TEST_F(ReceiptCliTest, MediaCheckoutReturnListAndOverdue) {
  auto out = [&](const std::string& id, const std::string& due) {
    return Run({"media", "checkout", "--id", id, "--contents", "住民記録 抽出データ", "--approver",
                "鈴木課長", "--purpose", "データ移行", "--destination", "新潟市役所 本庁舎",
                "--due", due, "--encrypted", "yes", "--at", "2026-11-20T00:00:00Z"});
  };
  ASSERT_EQ(out("USB-1", "2026-11-21").exit_code, 0);
  ASSERT_EQ(out("USB-2", "2099-12-31").exit_code, 0);
  // Twice without a return: refused.
  auto twice = out("USB-1", "2026-11-30");
  EXPECT_EQ(twice.exit_code, kExitPrecondition);
  EXPECT_THAT(twice.err, HasSubstr("already out"));
  // Returned without a checkout: refused.
  auto nothing = Run({"media", "return", "--id", "USB-9", "--checked-by", "田中"});
  EXPECT_EQ(nothing.exit_code, kExitPrecondition);
  EXPECT_THAT(nothing.err, HasSubstr("not checked out"));
  // Overdue: USB-1 is past 2026-11-21 JST.
  auto overdue = Run({"media", "list", "--overdue"});
  EXPECT_EQ(overdue.exit_code, kExitPrecondition);
  EXPECT_THAT(overdue.out, HasSubstr("USB-1  OVERDUE"));
  EXPECT_THAT(overdue.out, Not(HasSubstr("USB-2")));
  // Not overdue as of the due day itself (JST).
  EXPECT_EQ(Run({"media", "list", "--overdue", "--now", "2026-11-21T14:59:00Z"}).exit_code, 0);
  auto ret = Run({"media", "return", "--id", "USB-1", "--checked-by", "田中一郎", "--at",
                  "2026-11-25T03:00:00Z"});
  ASSERT_EQ(ret.exit_code, 0) << ret.err;
  auto open = Run({"--json", "media", "list", "--open"});
  ASSERT_EQ(open.exit_code, 0);
  EXPECT_THAT(open.out, HasSubstr("\"media_id\":\"USB-2\""));
  EXPECT_THAT(open.out, Not(HasSubstr("USB-1")));
  auto all = Run({"media", "list"});
  EXPECT_THAT(all.out, HasSubstr("USB-1  returned late"));
  // Check out again after the return: allowed.
  EXPECT_EQ(out("USB-1", "2099-01-01").exit_code, 0);
}

TEST_F(ReceiptCliTest, AmendAppendsACorrectionAndEveryViewShowsIt) {
  std::string prefix = dir_.path() + "/r1";
  ASSERT_EQ(Run(IssueArgs(prefix)).exit_code, 0);
  std::string original = ReadFileOrDie(prefix + ".json");
  auto entry1 = Run({"--json", "log", "show", "--type", "receipt.issued"});
  ASSERT_EQ(entry1.exit_code, 0) << entry1.err;

  // A non-existent receipt, a non-receipt entry, no reason, no change: refused, nothing recorded.
  EXPECT_EQ(Run({"receipt", "amend", "office-1-000099", "--storage", "B", "--reason", "x"})
                .exit_code,
            3);
  EXPECT_EQ(Run({"receipt", "amend", "0", "--storage", "B", "--reason", "x"}).exit_code, 3);
  EXPECT_EQ(Run({"receipt", "amend", "1", "--storage", "B"}).exit_code, kExitInvalid);
  EXPECT_EQ(Run({"receipt", "amend", "1", "--storage", "本社A棟 金庫2", "--reason", "x"})
                .exit_code,
            kExitInvalid);
  EXPECT_EQ(Run({"receipt", "amend", "1", "--due", "2027-02-30", "--reason", "x"}).exit_code,
            kExitInvalid);
  EXPECT_THAT(Run({"status"}).out, HasSubstr("ledger entries: 2"));

  auto a = Run({"receipt", "amend", "office-1-000001", "--storage", "本社B棟 金庫1", "--due",
                "2027-06-30", "--reason", "保管場所の変更"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("corrected by ledger entry 2"));

  // The original entry is unchanged, the ledger verifies, the original file still verifies and
  // says it was corrected since.
  EXPECT_EQ(Run({"--json", "log", "show", "--type", "receipt.issued"}).out, entry1.out);
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);
  auto v = Run({"receipt", "verify", prefix + ".json"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("CORRECTED SINCE THIS FILE WAS MADE, by entry #2"));
  EXPECT_THAT(v.out, HasSubstr("storage = '本社B棟 金庫1'"));

  // Reissue: the corrected receipt, marked, verifiable on its own (JSON and PDF).
  std::string fixed = dir_.path() + "/fixed";
  ASSERT_EQ(Run({"receipt", "reissue", "1", "-o", fixed}).exit_code, 0);
  EXPECT_NE(ReadFileOrDie(fixed + ".json"), original);
  auto j = nlohmann::json::parse(ReadFileOrDie(fixed + ".json"));
  EXPECT_EQ(j["body"]["content"]["storage"], "本社A棟 金庫2");  // As issued.
  ASSERT_EQ(j["body"]["amendments"].size(), 1u);
  EXPECT_EQ(j["body"]["amendments"][0]["entry"], 2);
  EXPECT_EQ(j["body"]["amendments"][0]["content"]["storage"], "本社B棟 金庫1");
  EXPECT_EQ(j["body"]["amendments"][0]["changed"],
            nlohmann::json::array({"disposition.due", "storage"}));
  std::string key = nlohmann::json::parse(Run({"--json", "status"}).out)["verifier_key"];
  for (const char* ext : {".json", ".pdf"}) {
    auto off = RunCustody({"--home", dir_.path() + "/none", "receipt", "verify", fixed + ext,
                           "--key", key});
    EXPECT_EQ(off.exit_code, 0) << ext << off.err;
    EXPECT_THAT(off.out, HasSubstr("※ corrected by entry #2")) << ext;
    EXPECT_THAT(off.out, HasSubstr("disposition.due = '2027-06-30'")) << ext;
  }
  std::string text = Text(fixed + ".pdf");
  EXPECT_THAT(text, HasSubstr(Squash("本社B棟 金庫1 ※訂正 #2")));
  EXPECT_THAT(text, HasSubstr(Squash("訂正履歴")));
  EXPECT_THAT(text, HasSubstr(Squash("保管場所の変更")));
  EXPECT_THAT(text, Not(HasSubstr(Squash("本社A棟 金庫2"))));
  // Tampering with the correction inside the reissued file is caught.
  std::string bad = ReadFileOrDie(fixed + ".json");
  bad.replace(bad.find("本社B棟"), std::string("本社B棟").size(), "本社C棟");
  WriteFileOrDie(dir_.path() + "/bad.json", bad);
  EXPECT_EQ(Run({"receipt", "verify", dir_.path() + "/bad.json"}).exit_code, kExitCorruption);

  // Registers: the corrected values, marked with the amending entry.
  auto reg = Run({"register", "export", "--kind", "received", "--format", "json"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  auto rows = nlohmann::json::parse(reg.out)["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["cells"]["保管場所"], "本社B棟 金庫1 ※#2");
  EXPECT_EQ(rows[0]["cells"]["予定日"], "2027-06-30 ※#2");
  EXPECT_EQ(rows[0]["cells"]["契約名"], "住民記録システム保守業務");
  EXPECT_THAT(rows[0]["cells"]["訂正"].get<std::string>(), HasSubstr("#2"));
  EXPECT_THAT(rows[0]["cells"]["訂正"].get<std::string>(), HasSubstr("保管場所の変更"));

  // A second correction builds on the first.
  ASSERT_EQ(Run({"receipt", "amend", "1", "--classification", "2", "--reason", "区分の誤記"})
                .exit_code,
            0);
  auto reg2 = Run({"register", "export", "--kind", "received", "--format", "json"});
  auto cells = nlohmann::json::parse(reg2.out)["rows"][0]["cells"];
  EXPECT_EQ(cells["機密性区分"], "2 ※#3");
  EXPECT_EQ(cells["保管場所"], "本社B棟 金庫1 ※#2");
  // Package identity cannot be corrected (it is not a flag); the medium kind neither.
  EXPECT_EQ(Run({"receipt", "amend", "1", "--medium-id", "USB-0043", "--reason", "番号の誤記"})
                .exit_code,
            0);
}

TEST_F(ReceiptCliTest, MediaAmendCorrectsTakeOutAndReturnWithMarks) {
  ASSERT_EQ(Run({"media", "checkout", "--id", "HDD-7", "--contents", "バックアップ", "--approver",
                 "鈴木課長", "--purpose", "保守", "--destination", "データセンター", "--due",
                 "2026-11-22", "--encrypted", "no", "--at", "2026-11-20T00:00:00Z"})
                .exit_code,
            0);
  auto before = Run({"--json", "log", "show", "--type", "media.checked-out"});
  // Unknown medium, no reason, mixing take-out and return fields, return not yet recorded.
  EXPECT_EQ(Run({"media", "amend", "HDD-9", "--approver", "x", "--reason", "y"}).exit_code, 3);
  EXPECT_EQ(Run({"media", "amend", "HDD-7", "--approver", "x"}).exit_code, kExitInvalid);
  EXPECT_EQ(Run({"media", "amend", "HDD-7", "--approver", "x", "--checked-by", "y", "--reason",
                 "z"})
                .exit_code,
            kExitInvalid);
  EXPECT_EQ(Run({"media", "amend", "HDD-7", "--checked-by", "y", "--reason", "z"}).exit_code,
            kExitPrecondition);
  auto a = Run({"media", "amend", "HDD-7", "--approver", "鈴木部長", "--due", "2026-11-30",
                "--reason", "承認者の記載誤り"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(Run({"--json", "log", "show", "--type", "media.checked-out"}).out, before.out);
  // Corrected due day: returned on the 25th is no longer late.
  ASSERT_EQ(Run({"media", "return", "--id", "HDD-7", "--checked-by", "田中", "--at",
                 "2026-11-25T00:00:00Z"})
                .exit_code,
            0);
  ASSERT_EQ(Run({"media", "amend", "HDD-7", "--checked-by", "田中一郎", "--reason", "氏名の略記"})
                .exit_code,
            0);
  auto list = Run({"media", "list"});
  EXPECT_THAT(list.out, HasSubstr("HDD-7  returned  taken"));
  EXPECT_THAT(list.out, HasSubstr("checked by 田中一郎"));
  EXPECT_THAT(list.out, HasSubstr("※ corrected by entry #2 (entry #1: approver, due)"));
  auto reg = Run({"register", "export", "--kind", "media", "--format", "json"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  auto cells = nlohmann::json::parse(reg.out)["rows"][0]["cells"];
  EXPECT_EQ(cells["承認者"], "鈴木部長 ※#2");
  EXPECT_EQ(cells["返却予定日"], "2026-11-30 ※#2");
  EXPECT_EQ(cells["返却確認者"], "田中一郎 ※#4");
  EXPECT_EQ(cells["用途"], "保守");
  EXPECT_THAT(cells["訂正"].get<std::string>(), HasSubstr("承認者の記載誤り"));
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);
}

TEST_F(ReceiptCliTest, RegistersMatchTheLedgerInCsvPdfAndJson) {
  ASSERT_EQ(Run(IssueArgs(dir_.path() + "/r1")).exit_code, 0);
  ASSERT_EQ(Run({"media", "checkout", "--id", "HDD-7", "--contents", "バックアップ", "--approver",
                 "鈴木課長", "--purpose", "保守", "--destination", "データセンター", "--due",
                 "2026-11-22", "--encrypted", "no", "--at", "2026-11-20T00:00:00Z"})
                .exit_code,
            0);
  ASSERT_EQ(Run({"media", "return", "--id", "HDD-7", "--checked-by", "田中一郎", "--at",
                 "2026-11-21T00:00:00Z"})
                .exit_code,
            0);

  std::string csv = dir_.path() + "/received.csv";
  auto e = Run({"register", "export", "--kind", "received", "--format", "csv", "-o", csv});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::string bytes = ReadFileOrDie(csv);
  EXPECT_EQ(bytes.substr(0, 3), "\xEF\xBB\xBF");
  // Python's csv module reads it back: header + one row with every field.
  std::string script =
      "import csv,json,sys\n"
      "rows=list(csv.reader(open(sys.argv[1],encoding='utf-8-sig',newline='')))\n"
      "print(json.dumps(rows,ensure_ascii=False))\n";
  auto py = RunCommand({"python3", "-c", script, csv});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto rows = nlohmann::json::parse(py.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "受領番号");
  std::string row = rows[1].dump();
  for (const char* want :
       {"office-1-000001", "2026-11-20 10:30", "山田太郎", "佐藤花子", "新潟市 市民生活部",
        "住民基本台帳データ", "令和8年度 転入者一覧", "\"3\"", "1200", "5242880", "USB-0042",
        "1234-5678-9012", "システム移行作業", "住民記録システム保守業務", "本社A棟 金庫2",
        "2027-03-31", "#1"})
    EXPECT_THAT(row, HasSubstr(want)) << want;

  std::string media_pdf = dir_.path() + "/media.pdf";
  ASSERT_EQ(
      Run({"register", "export", "--kind", "media", "--format", "pdf", "-o", media_pdf}).exit_code,
      0);
  std::string text = Text(media_pdf);
  for (const char* want : {"持出管理簿", "HDD-7", "バックアップ", "鈴木課長", "データセンター",
                           "田中一郎", "無", "返却済", "size4", "1/1"})
    EXPECT_THAT(text, HasSubstr(want)) << want;

  auto js = Run({"register", "export", "--kind", "media", "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0]["entry"], 2);
  EXPECT_EQ(j["checkpoint"]["size"], 4);

  // Period filter: nothing received in October.
  auto oct = Run({"register", "export", "--kind", "received", "--format", "json", "--from",
                  "2026-10-01", "--to", "2026-10-31"});
  EXPECT_EQ(nlohmann::json::parse(oct.out)["rows"].size(), 0u);

  // A disposal register from a recorded-by-hand ledger (no disposal events): header only.
  auto disp = Run({"register", "export", "--kind", "disposal"});
  ASSERT_EQ(disp.exit_code, 0) << disp.err;
  EXPECT_THAT(disp.out, HasSubstr("廃棄等日時"));
}

TEST_F(ReceiptCliTest, ARegisterIsRefusedWhenTheLedgerDoesNotVerify) {
  ASSERT_EQ(Run(IssueArgs(dir_.path() + "/r1")).exit_code, 0);
  // Edit the stored entry behind the ledger's back.
  auto r = RunCommand(
      {"sqlite3", home_ + "/ledger.db",
       "DROP TRIGGER entries_append_only_u; UPDATE entries SET entry = CAST(replace(CAST(entry AS "
       "TEXT), 'USB-0042', 'USB-0043') AS BLOB) WHERE seq = 1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto e = Run({"register", "export", "--kind", "received"});
  EXPECT_NE(e.exit_code, 0);
  EXPECT_THAT(e.err, HasSubstr("does not verify"));
}

}  // namespace
}  // namespace custody
