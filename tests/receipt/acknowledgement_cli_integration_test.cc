// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real binary end to end: the contractor sends a package, the city
// acknowledges it (with its station, or with a one-off key), the contractor
// imports the acknowledgement; `package status` and the handover register
// follow. A package whose file was altered is acknowledged as failed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class AckCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sender_ = dir_.path() + "/sender";
    city_ = dir_.path() + "/city";
    ASSERT_EQ(
        RunCustody({"--home", sender_, "init", "--organization", "株式会社サンプル情報", "--name",
                    "office-1", "--operator", "山田太郎", "--default-operator", "山田太郎"})
            .exit_code,
        0);
    ASSERT_EQ(RunCustody({"--home", city_, "init", "--organization", "新潟市", "--name", "city-1",
                          "--operator", "佐藤花子", "--default-operator", "佐藤花子"})
                  .exit_code,
              0);
    key_ = dir_.path() + "/city.key";
    auto kg = RunCommand({"age-keygen", "-o", key_});
    ASSERT_EQ(kg.exit_code, 0) << kg.err;
    std::string pub = kg.err.substr(kg.err.find("age1"));
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == '\r')) pub.pop_back();
    WriteFileOrDie(dir_.path() + "/a.csv", "id,name\n1,x\n");
    pkg_ = dir_.path() + "/handover.age";
    auto c = RunCustody({"--home", sender_, "package", "create", dir_.path() + "/a.csv", "-o", pkg_,
                         "--to", pub, "--recipient-org", "新潟市", "--purpose", "移行",
                         "--classification", "機密性2"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  TempDir dir_;
  std::string sender_, city_, key_, pkg_;
};

TEST_F(AckCliTest, StationAckImportedAndStatusUpdated) {
  auto pending = RunCustody({"--home", sender_, "package", "status", "--pending"});
  EXPECT_EQ(pending.exit_code, 14);
  EXPECT_THAT(pending.out, HasSubstr("NOT acknowledged"));

  std::string ack = dir_.path() + "/ACK.json";
  auto a = RunCustody({"--home", city_, "receipt", "ack", pkg_, "-i", key_, "-o", ack});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("every file verified"));
  auto j = nlohmann::json::parse(ReadFileOrDie(ack));
  EXPECT_EQ(j["signer"]["kind"], "station");
  EXPECT_EQ(j["body"]["recipient"]["name"], "佐藤花子");

  auto imp = RunCustody({"--home", sender_, "receipt", "import", ack});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_THAT(imp.out, HasSubstr("acknowledged by 佐藤花子 (新潟市)"));
  EXPECT_EQ(RunCustody({"--home", sender_, "receipt", "import", ack}).exit_code, 4);
  auto st = RunCustody({"--home", sender_, "package", "status"});
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_THAT(st.out, HasSubstr("acknowledged"));
  EXPECT_EQ(RunCustody({"--home", sender_, "package", "status", "--pending"}).exit_code, 0);
  auto reg = RunCustody({"--home", sender_, "register", "export", "--kind", "handover"});
  EXPECT_THAT(reg.out, HasSubstr("確認済"));
  // Another station never sent this package.
  EXPECT_EQ(RunCustody({"--home", city_, "receipt", "import", ack}).exit_code, 3);
}

TEST_F(AckCliTest, OneOffKeyAndAlteredPackage) {
  std::string ack = dir_.path() + "/ACK1.json";
  auto a = RunCustody({"--home", dir_.path() + "/nostation", "receipt", "ack", pkg_, "-i", key_,
                       "--one-off-key", "--recipient", "佐藤花子", "-o", ack});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::string vkey = nlohmann::json::parse(ReadFileOrDie(ack))["signer"]["verifier_key"];
  EXPECT_THAT(a.out, HasSubstr(vkey));
  EXPECT_EQ(RunCustody({"--home", sender_, "receipt", "import", ack}).exit_code,
            2);  // key from paper required
  auto imp = RunCustody({"--home", sender_, "receipt", "import", ack, "--signer-key", vkey});
  EXPECT_EQ(imp.exit_code, 0) << imp.err;

  // Truncated package: acknowledged as failed (exit 8), imported as failed (exit 14).
  std::string bytes = ReadFileOrDie(pkg_);
  std::string cut = dir_.path() + "/cut.age";
  WriteFileOrDie(cut, bytes.substr(0, bytes.size() - 20));
  auto bad = RunCustody(
      {"--home", city_, "receipt", "ack", cut, "-i", key_, "-o", dir_.path() + "/ACK2.json"});
  EXPECT_NE(bad.exit_code, 0);
}

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

TEST_F(AckCliTest, PaperCopyPdfNamesThePackageTheSignerKeyAndTheAck) {
  std::string ack = dir_.path() + "/ACK.json", pdf = dir_.path() + "/ACK.pdf";
  auto a = RunCustody({"--home", dir_.path() + "/nostation", "--json", "receipt", "ack", pkg_,
                       "-i", key_, "--one-off-key", "--recipient", "佐藤花子", "-o", ack, "--pdf",
                       pdf, "--received-at", "2026-11-20T01:30:00Z"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto out = nlohmann::json::parse(a.out);
  std::string package_id = out["package_id"], digest = out["digest"];
  std::string vkey = out["signer_verifier_key"], fp = out["fingerprint"];
  std::string bytes = ReadFileOrDie(pdf);
  ASSERT_EQ(bytes.substr(0, 5), "%PDF-");
  auto info = RunCommand({"pdfinfo", pdf});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  size_t pages_at = info.out.find("Pages:");
  ASSERT_NE(pages_at, std::string::npos);
  EXPECT_EQ(std::stoi(info.out.substr(pages_at + 6)), 1);
  auto text = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::string t = Squash(text.out);
  for (const std::string& want :
       {std::string("受領書"), package_id, digest, std::string("株式会社サンプル情報御中"),
        std::string("佐藤花子"), std::string("全ファイル検証済み"), fp,
        std::string("一回限りの鍵"), std::string("2026-11-2010:30:00JST"),
        std::string("--signer-key")})
    EXPECT_THAT(t, HasSubstr(Squash(want))) << want;
  // The verifier key is printed in full (it may wrap: compare without spaces).
  EXPECT_THAT(t, HasSubstr(Squash(vkey)));
  // The metadata carries the QR payload naming exactly this ACK file.
  std::string ack_bytes = ReadFileOrDie(ack);
  auto sha = RunCommand({"sha256sum", ack});
  ASSERT_EQ(sha.exit_code, 0);
  std::string qr = "custody-ack:1:" + package_id + ":" + sha.out.substr(0, 64);
  auto meta = RunCommand({"pdfinfo", "-meta", pdf});
  EXPECT_THAT(info.out + meta.out, HasSubstr(qr));
  // Deterministic: the same acknowledgement renders the same bytes (a station ack, twice).
  std::string p1 = dir_.path() + "/s1.pdf";
  auto s1 = RunCustody({"--home", city_, "receipt", "ack", pkg_, "-i", key_, "-o",
                        dir_.path() + "/S1.json", "--pdf", p1, "--lang", "en"});
  ASSERT_EQ(s1.exit_code, 0) << s1.err;
  auto en = RunCommand({"pdftotext", "-enc", "UTF-8", p1, "-"});
  EXPECT_THAT(Squash(en.out), HasSubstr("AcknowledgementofReceipt"));
  EXPECT_THAT(Squash(en.out), HasSubstr(package_id));
  EXPECT_THAT(Squash(en.out), HasSubstr("recipient'scustodystationkey"));
  // An existing --pdf or a bad --lang is refused before anything is signed or recorded.
  auto before = RunCustody({"--home", city_, "--json", "status"});
  EXPECT_EQ(RunCustody({"--home", city_, "receipt", "ack", pkg_, "-i", key_, "-o",
                        dir_.path() + "/S2.json", "--pdf", p1})
                .exit_code,
            4);
  EXPECT_EQ(RunCustody({"--home", city_, "receipt", "ack", pkg_, "-i", key_, "-o",
                        dir_.path() + "/S3.json", "--pdf", dir_.path() + "/s3.pdf", "--lang",
                        "fr"})
                .exit_code,
            2);
  EXPECT_EQ(RunCustody({"--home", city_, "--json", "status"}).out, before.out);
}

}  // namespace
}  // namespace custody
