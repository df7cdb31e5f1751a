// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: profile set, disposal record, cert issue /
// verify / list, against ledger records of real wipes (the engine run in
// this process, its events appended through Station::Record as the wipe
// command does), documented purge records and recorded disposals. PDFs are
// read back with pdftotext; evidence bundles with scripts/verify-evidence.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "custody/env.h"
#include "custody/station.h"
#include "custody/wipe.h"
#include "support/recording_wipe_sink.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

class CertCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    ASSERT_EQ(Run({"init", "--organization", "株式会社サンプル情報サービス", "--name", "office-1",
                   "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
    auto p = Run({"--operator", "山田太郎", "profile", "set",
                  "company=株式会社サンプル情報サービス", "responsible=山田 太郎"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Run({"--operator", "山田太郎", "profile", "set", "--client", "niigata",
             "municipality=新潟市", "department=総務部 情報政策課", "contract=令和8年度 端末更新",
             "classification=2", "place=government-premises", "place_detail=本館3階 サーバ室",
             "witness_name=鈴木 一郎", "witness_department=情報政策課"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  std::string VerifierKey() {
    return Json::parse(Run({"--json", "status"}).out)["verifier_key"].get<std::string>();
  }
  // Wipes a 1 MiB file posing as a SATA disk and records its events in the
  // station's ledger, as `custody wipe` does. Returns the wipe ID.
  std::string RecordWipe(const std::string& serial, const std::string& verify,
                         bool drop_final = false) {
    std::string path = dir_.path() + "/" + serial + ".img";
    WriteFileOrDie(path, std::string(1 << 20, 'x'));
    BlockDeviceOptions bo;
    bo.direct = false;
    auto dev = OpenBlockDevice(path, bo);
    EXPECT_TRUE(dev.ok()) << dev.status().ToString();
    WipeOptions o;
    o.plan.method = "zero";
    o.plan.verify = *ParseVerifyPolicy(verify);
    o.target.path = path;
    o.target.kind = "disk";
    o.target.vendor = "Seagate";
    o.target.model = "ST1000DM010";
    o.target.serial = serial;
    o.target.transport = "sata";
    o.target.rotational = true;
    o.target.size_bytes = 1 << 20;
    o.target.hidden.checked = true;
    testing::RecordingWipeSink sink;
    o.sink = &sink;
    auto r = RunWipe(**dev, o, Env::Default());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (drop_final) sink.events.pop_back();
    auto station = Station::Open(home_, {}, Env::Default());
    EXPECT_TRUE(station.ok());
    for (const auto& [type, json] : sink.events) {
      auto e = (*station)->Record(type, "佐藤 花子", json);
      EXPECT_TRUE(e.ok()) << e.status().ToString();
    }
    return Json::parse(sink.events.at(0).second)["wipe_id"].get<std::string>();
  }
  uint64_t RecordDisposal(const std::string& serial) {
    std::string photo = dir_.path() + "/after-" + serial + ".jpg";
    WriteFileOrDie(photo, "\xFF\xD8\xFF\xE0 not really a jpeg " + serial);
    auto r = Run({"--operator",
                  "田中 次郎",
                  "--json",
                  "disposal",
                  "record",
                  "--media",
                  "hdd",
                  "--serial",
                  serial,
                  "--maker",
                  "WD",
                  "--model",
                  "WD10EZEX",
                  "--method",
                  "physical-destruction",
                  "--details",
                  "破砕 (shredder, 10 mm)",
                  "--started",
                  "2026-11-23T01:00:00Z",
                  "--finished",
                  "2026-11-23T01:20:00Z",
                  "--verification",
                  "目視確認 (visual)",
                  "--witness",
                  "鈴木 一郎",
                  "--photo",
                  photo});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["seq"].get<uint64_t>();
  }
  std::string Pdftotext(const std::string& pdf) {
    CommandResult r = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Squash(r.out);
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(CertCliTest, IssueFromWipesAndDisposalThenVerify) {
  std::string w1 = RecordWipe("Z9A1B2C3", "last");
  std::string w2 = RecordWipe("Z9A1B2C4", "last");
  uint64_t disposal = RecordDisposal("WX41A0000001");
  std::string out = dir_.path() + "/cert.pdf";
  auto issue =
      Run({"--operator", "山田太郎", "cert", "issue", "--wipe", w1, "--wipe", w2, "--disposal",
           std::to_string(disposal), "--client", "niigata", "--reason", "lease-return", "-o", out});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_THAT(issue.out, HasSubstr("certificate office-1-"));
  EXPECT_THAT(issue.out, HasSubstr("3 device(s)"));

  // The ledger numbers it and records it.
  auto show = Run({"--json", "log", "show", "--type", "certificate"});
  Json entry = Json::parse(show.out);
  EXPECT_EQ(entry["type"], "certificate.issued");
  Json cert = Json::parse(ReadFileOrDie(dir_.path() + "/cert.json"));
  uint64_t seq = entry["seq"].get<uint64_t>();
  char number[64];
  std::snprintf(number, sizeof number, "office-1-%06llu", static_cast<unsigned long long>(seq));
  EXPECT_EQ(cert["body"]["issuance"]["number"], number);
  const Json& content = cert["body"]["content"];
  ASSERT_EQ(content["devices"].size(), 3u);
  EXPECT_EQ(content["devices"][0]["serial"], "Z9A1B2C3");
  EXPECT_EQ(content["devices"][0]["method"]["family"], "overwrite");
  EXPECT_EQ(content["devices"][2]["method"]["family"], "physical-destruction");
  EXPECT_EQ(content["responsible"], "山田 太郎");
  EXPECT_EQ(content["client"]["municipality"], "新潟市");
  // 作業者 from the ledger: who performed each recorded step.
  EXPECT_THAT(content["operators"].dump(), HasSubstr("佐藤 花子"));
  EXPECT_THAT(content["operators"].dump(), HasSubstr("田中 次郎"));

  // Verify: JSON, PDF (QR payload), pinned key, device evidence.
  std::string vkey = VerifierKey();
  auto v = RunCustody({"cert", "verify", out, "--key", vkey});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("OK  pdf qr"));
  EXPECT_THAT(v.out, HasSubstr("3 of 3 rows match"));
  EXPECT_THAT(v.out, HasSubstr("VERIFIED"));

  // The auditor's script checks the bundles without custody: the
  // certificate's own entry and a row's source (each run costs seconds).
  for (uint64_t s : {seq, disposal}) {
    std::string f = dir_.path() + "/cert.evidence/entry-" + std::to_string(s) + ".bundle";
    auto py =
        RunCommand({"python3", std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py", f,
                    "--key", vkey});
    EXPECT_EQ(py.exit_code, 0) << f << py.out << py.err;
    EXPECT_THAT(py.out, HasSubstr(s == seq ? "certificate.issued" : "disposal.recorded"));
  }

  // The PDF states seed 003's fields: serial, 作業責任者名, method, dates.
  std::string text = Pdftotext(out);
  for (std::string want : {std::string(number), std::string("Z9A1B2C3"), std::string("Z9A1B2C4"),
                           std::string("WX41A0000001"), std::string("山田太郎"),
                           std::string("株式会社サンプル情報サービス"), std::string("上書き消去"),
                           std::string("物理的破壊"), std::string("2026-11-23"),
                           std::string("新潟市"), std::string("鈴木一郎")})
    EXPECT_THAT(text, HasSubstr(want));
  std::string en = dir_.path() + "/cert-en.pdf";
  ASSERT_EQ(Run({"cert", "issue", "--disposal", std::to_string(disposal), "--client", "niigata",
                 "--lang", "en", "-o", en})
                .exit_code,
            0);
  std::string en_text = Pdftotext(en);
  for (std::string want : {"WX41A0000001", "Physicaldestruction", "2026-11-23"})
    EXPECT_THAT(en_text, HasSubstr(want));

  // The register, from the ledger alone.
  auto list = Run({"cert", "list", "--csv"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_THAT(list.out, HasSubstr(number));
  EXPECT_THAT(list.out, HasSubstr("Z9A1B2C3 Z9A1B2C4 WX41A0000001"));
}

TEST_F(CertCliTest, TamperedWrongKeyAndForeignBundlesFail) {
  std::string w = RecordWipe("Z9A1B2C3", "last");
  uint64_t disposal = RecordDisposal("WX41A0000001");
  std::string out = dir_.path() + "/cert.pdf";
  ASSERT_EQ(Run({"cert", "issue", "--wipe", w, "--client", "niigata", "-o", out}).exit_code, 0);
  std::string vkey = VerifierKey();
  const std::string json_path = dir_.path() + "/cert.json";
  const std::string original = ReadFileOrDie(json_path);
  auto verify = [&](const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"cert", "verify", file, "--key", vkey};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCustody(args);
  };
  ASSERT_EQ(verify(json_path).exit_code, 0);

  // One character of the serial, the date or the method: exit 8, named check.
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"Z9A1B2C3", "Z9A1B2C8"}, {"\"overwrite\"", "\"degauss\""}}) {
    std::string t = original;
    t.replace(t.find(from), from.size(), to);
    WriteFileOrDie(json_path, t);
    auto r = verify(json_path);
    EXPECT_EQ(r.exit_code, 8) << from << r.err;
    EXPECT_THAT(r.err, HasSubstr("'signature' FAILED"));
  }
  // Truncated: malformed, exit 6.
  WriteFileOrDie(json_path, original.substr(0, original.size() / 2));
  EXPECT_EQ(verify(json_path).exit_code, 6);
  WriteFileOrDie(json_path, original);

  // Another station's key: the signature is valid, but not by the key pinned.
  std::string other = dir_.path() + "/other";
  ASSERT_EQ(RunCustody({"--home", other, "init", "--organization", "x", "--name", "office-1",
                        "--operator", "z"})
                .exit_code,
            0);
  std::string other_key =
      Json::parse(RunCustody({"--home", other, "--json", "status"}).out)["verifier_key"];
  auto wrong = RunCustody({"cert", "verify", json_path, "--key", other_key});
  EXPECT_EQ(wrong.exit_code, 8);
  EXPECT_THAT(wrong.err, HasSubstr("'pinned key' FAILED"));

  // An altered device bundle, and a bundle of an entry that is not a source.
  std::string evidence = dir_.path() + "/cert.evidence";
  std::string bundle_path;
  for (const auto& f : std::filesystem::directory_iterator(evidence))
    if (bundle_path.empty() || f.path().string() < bundle_path) bundle_path = f.path().string();
  std::string bundle = ReadFileOrDie(bundle_path);
  std::string altered = bundle;
  size_t at = altered.find("entry ") + 10;
  altered[at] = altered[at] == 'A' ? 'B' : 'A';
  WriteFileOrDie(dir_.path() + "/altered.bundle", altered);
  auto a = verify(json_path, {"--bundle", dir_.path() + "/altered.bundle"});
  EXPECT_EQ(a.exit_code, 8);
  EXPECT_THAT(a.err, HasSubstr("'device evidence' FAILED"));
  ASSERT_EQ(Run({"log", "prove", std::to_string(disposal), "-o", dir_.path() + "/foreign.bundle"})
                .exit_code,
            0);
  auto f = verify(json_path, {"--bundle", dir_.path() + "/foreign.bundle"});
  EXPECT_EQ(f.exit_code, 8);
  EXPECT_THAT(f.err, HasSubstr("not a source of this certificate"));

  // The certificate's own bundle swapped for another entry's: anchor fails.
  Json j = Json::parse(original);
  j["evidence"] = ReadFileOrDie(dir_.path() + "/foreign.bundle");
  WriteFileOrDie(json_path, j.dump() + "\n");
  auto anchor = verify(json_path);
  EXPECT_EQ(anchor.exit_code, 8) << anchor.err;
  EXPECT_THAT(anchor.err, HasSubstr("'ledger anchor' FAILED"));
  WriteFileOrDie(json_path, original);

  // A PDF of another certificate beside this JSON: the QR does not match.
  std::string out2 = dir_.path() + "/cert2.pdf";
  ASSERT_EQ(Run({"cert", "issue", "--disposal", std::to_string(disposal), "--client", "niigata",
                 "-o", out2})
                .exit_code,
            0);
  std::filesystem::copy_file(out2, out, std::filesystem::copy_options::overwrite_existing);
  auto qr = verify(out);
  EXPECT_EQ(qr.exit_code, 8);
  EXPECT_THAT(qr.err, HasSubstr("'pdf qr' FAILED"));
}

TEST_F(CertCliTest, RefusesMissingFieldsAndUnfinishedWipes) {
  std::string unverified = RecordWipe("Z9A1B2C3", "none");
  std::string unfinished = RecordWipe("Z9A1B2C5", "last", /*drop_final=*/true);
  uint64_t disposal = RecordDisposal("WX41A0000001");
  uint64_t before = Json::parse(Run({"--json", "status"}).out)["ledger_entries"].get<uint64_t>();

  auto none = Run(
      {"cert", "issue", "--wipe", unverified, "--client", "niigata", "-o", dir_.path() + "/a.pdf"});
  EXPECT_EQ(none.exit_code, 14) << none.err;
  EXPECT_THAT(none.err, HasSubstr("Z9A1B2C3"));
  auto died = Run(
      {"cert", "issue", "--wipe", unfinished, "--client", "niigata", "-o", dir_.path() + "/b.pdf"});
  EXPECT_EQ(died.exit_code, 14) << died.err;
  auto unknown = Run({"cert", "issue", "--wipe", "deadbeef", "-o", dir_.path() + "/c.pdf"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_THAT(unknown.err, HasSubstr("no wipe deadbeef"));
  // No client profile: the municipality and classification are missing.
  ASSERT_EQ(Run({"profile", "set", "responsible="}).exit_code, 0);
  auto missing =
      Run({"cert", "issue", "--disposal", std::to_string(disposal), "-o", dir_.path() + "/d.pdf"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("作業責任者"));
  EXPECT_THAT(missing.err, HasSubstr("custody profile set"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/a.pdf"));
  // Nothing refused was recorded (the profile change is).
  uint64_t after = Json::parse(Run({"--json", "status"}).out)["ledger_entries"].get<uint64_t>();
  EXPECT_EQ(after, before + 1);

  // --allow-incomplete issues it, marked 未完了 in the PDF.
  ASSERT_EQ(Run({"profile", "set", "responsible=山田 太郎"}).exit_code, 0);
  std::string out = dir_.path() + "/incomplete.pdf";
  auto inc = Run({"cert", "issue", "--wipe", unverified, "--client", "niigata",
                  "--allow-incomplete", "-o", out});
  ASSERT_EQ(inc.exit_code, 0) << inc.err;
  EXPECT_THAT(inc.out, HasSubstr("INCOMPLETE"));
  EXPECT_THAT(Pdftotext(out), HasSubstr("未完了"));
  EXPECT_EQ(RunCustody({"cert", "verify", out}).exit_code, 0);
  // Never overwritten.
  auto again = Run({"cert", "issue", "--wipe", unverified, "--allow-incomplete", "--client",
                    "niigata", "-o", out});
  EXPECT_EQ(again.exit_code, 4);
}

TEST_F(CertCliTest, PurgeAndCryptoEraseRecords) {
  auto station = Station::Open(home_, {}, Env::Default());
  ASSERT_TRUE(station.ok());
  // The final events as docs/formats/purge-record.md has them: they repeat
  // the target device, the command and the times.
  Json target = {{"path", "/dev/nvme0n1"},     {"kind", "disk"},
                 {"vendor", "Samsung"},        {"model", "MZ-V8V500"},
                 {"serial", "S4EWNX0R123456"}, {"transport", "nvme"},
                 {"size_bytes", 500107862016}, {"rotational", false}};
  Json purge = {
      {"action", "sanitize-crypto"},
      {"purge_id", "00112233445566778899aabbccddeeff"},
      {"interface", "nvme"},
      {"command", "NVMe Sanitize (84h), Crypto Erase"},
      {"reason", "the strongest the drive offers"},
      {"warnings", Json::array()},
      {"target", target},
      {"drive", {{"model", "MZ-V8V500"}, {"serial", "S4EWNX0R123456"}, {"firmware", "2B2QEXM7"}}},
      {"sampling", {{"basis_points", 100}}},
      {"commands", {{{"command", "nvme-sanitize"}, {"bytes", "84"}}}},
      {"final_status", "Sanitize Status: SSTAT 001b"},
      {"outcome", "completed"},
      {"started", "2026-11-23T02:00:00Z"},
      {"finished", "2026-11-23T02:01:00Z"},
      {"verification",
       {{"samples", 4002},
        {"erased", 4002},
        {"unreadable", 0},
        {"unchanged", 0},
        {"passed", true}}}};
  ASSERT_TRUE(
      (*station)
          ->Record("purge.started", "佐藤 花子", Json{{"purge_id", purge["purge_id"]}}.dump())
          .ok());
  ASSERT_TRUE((*station)->Record("purge.completed", "佐藤 花子", purge.dump()).ok());
  Json luks = {{"path", "/dev/sdb"},
               {"type", "LUKS2"},
               {"uuid", "2f0c…"},
               {"cipher", "aes"},
               {"cipher_mode", "xts-plain64"},
               {"volume_key_bits", 512},
               {"destroyed_keyslots", {0, 1}},
               {"header_wiped", true},
               {"target", {{"kind", "disk"}, {"serial", "USB-0001"}, {"transport", "usb"}}},
               {"started", "2026-11-23T03:00:00Z"},
               {"finished", "2026-11-23T03:00:02Z"},
               {"outcome", "completed"},
               {"verification", {{"method", "header re-read"}, {"result", "passed"}}}};
  auto le = (*station)->Record("crypto-erase.luks.completed", "佐藤 花子", luks.dump());
  ASSERT_TRUE(le.ok());
  Json bare = purge;
  bare.erase("target");
  bare.erase("drive");
  bare["purge_id"] = "ffeeddccbbaa99887766554433221100";
  ASSERT_TRUE((*station)->Record("purge.completed", "佐藤 花子", bare.dump()).ok());
  auto vault = (*station)->Record("crypto-erase.vault.completed", "佐藤 花子",
                                  Json{{"vault", "niigata-2026"}, {"fingerprint", "ab12"}}.dump());
  ASSERT_TRUE(vault.ok());
  station->reset();

  std::string out = dir_.path() + "/purge.pdf";
  auto r = Run({"cert", "issue", "--purge", "00112233445566778899aabbccddeeff", "--crypto-erase",
                std::to_string(le->seq), "--client", "niigata", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json cert = Json::parse(ReadFileOrDie(dir_.path() + "/purge.json"));
  const Json& d = cert["body"]["content"]["devices"];
  EXPECT_EQ(d[0]["serial"], "S4EWNX0R123456");
  EXPECT_EQ(d[0]["media"], "nvme");
  EXPECT_EQ(d[0]["method"]["family"], "crypto-erase");
  EXPECT_EQ(d[0]["method"]["level"], "purge");
  EXPECT_EQ(d[1]["serial"], "USB-0001");
  EXPECT_EQ(RunCustody({"cert", "verify", out, "--key", VerifierKey()}).exit_code, 0);
  EXPECT_THAT(Pdftotext(out), HasSubstr("S4EWNX0R123456"));

  auto anonymous = Run({"cert", "issue", "--purge", "ffeeddccbbaa99887766554433221100", "--client",
                        "niigata", "-o", dir_.path() + "/x.pdf"});
  EXPECT_EQ(anonymous.exit_code, 14);
  EXPECT_THAT(anonymous.err, HasSubstr("does not identify the device"));
  auto keys_only = Run({"cert", "issue", "--crypto-erase", std::to_string(vault->seq), "--client",
                        "niigata", "-o", dir_.path() + "/y.pdf"});
  EXPECT_EQ(keys_only.exit_code, 14);
  EXPECT_THAT(keys_only.err, HasSubstr("did not record the sealed files"));
}

}  // namespace
}  // namespace custody
