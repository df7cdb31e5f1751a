// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real binary: `custody receipt issue --package PKG` verifies the package
// (decryption, every file's hash, the manifest signature) and fills the
// receipt from the verified manifest; flags override; a package that fails
// verification yields no receipt and no ledger entry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

bool FileExists(const std::string& p) { return std::filesystem::exists(p); }

class ReceiptPackageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sender_ = dir_.path() + "/sender";
    home_ = dir_.path() + "/contractor";
    ASSERT_EQ(RunCustody({"--home", sender_, "init", "--organization", "新潟市", "--name", "city-1",
                          "--operator", "佐藤花子", "--default-operator", "佐藤花子"})
                  .exit_code,
              0);
    ASSERT_EQ(Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1",
                   "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
    key_ = dir_.path() + "/office.key";
    auto kg = RunCommand({"age-keygen", "-o", key_});
    ASSERT_EQ(kg.exit_code, 0) << kg.err;
    std::string pub = kg.err.substr(kg.err.find("age1"));
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == '\r')) pub.pop_back();
    pub_ = pub;
    WriteFileOrDie(dir_.path() + "/転入者.csv", "id,name\n1,x\n");     // 12 bytes
    WriteFileOrDie(dir_.path() + "/tax.csv", "id,amount\n1,100\n2,5\n");  // 20 bytes
    pkg_ = dir_.path() + "/handover.age";
    auto c = RunCustody({"--home", sender_, "package", "create", dir_.path() + "/転入者.csv",
                         dir_.path() + "/tax.csv", "-o", pkg_, "--to", pub_, "--recipient-org",
                         "株式会社サンプル情報", "--purpose", "住民記録システム移行",
                         "--classification", "機密性2"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto v = Run({"--json", "package", "verify", pkg_, "-i", key_});
    ASSERT_EQ(v.exit_code, 0) << v.err;
    Json j = Json::parse(v.out);
    package_id_ = j["manifest"]["package_id"];
    digest_ = j["digest"];
    sender_key_ = j["manifest"]["sender"]["verifier_key"];
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  std::vector<std::string> Issue(const std::string& pkg, const std::string& prefix) {
    return {"receipt", "issue", "--package", pkg,           "-i",      key_,  "--from",
            "佐藤花子", "--transfer", "encrypted-transfer", "--contract", "住民記録システム保守",
            "--storage", "本社 暗号化NAS", "--due", "2027-03-31", "-o", prefix};
  }
  size_t ReceivedRows() {
    auto r = Run({"register", "export", "--kind", "received", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out)["rows"].size() : 0;
  }
  TempDir dir_;
  std::string sender_, home_, key_, pub_, pkg_, package_id_, digest_, sender_key_;
};

TEST_F(ReceiptPackageCliTest, FillsTheReceiptFromTheVerifiedManifest) {
  std::string prefix = dir_.path() + "/r1";
  auto r = Run(Issue(pkg_, prefix));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(ReadFileOrDie(prefix + ".json"));
  const Json& c = j["body"]["content"];
  EXPECT_EQ(c["medium"]["kind"], "custody-package");
  EXPECT_EQ(c["medium"]["package"]["id"], package_id_);
  EXPECT_EQ(c["medium"]["package"]["sha256"], digest_);
  const Json& v = c["medium"]["package"]["verified"];
  EXPECT_EQ(v["files"], 2);
  EXPECT_EQ(v["bytes"], 32);
  EXPECT_EQ(v["sender"]["organization"], "新潟市");
  EXPECT_EQ(v["sender"]["station"], "city-1");
  EXPECT_EQ(v["sender"]["verifier_key"], sender_key_);
  EXPECT_GT(v["package_bytes"].get<int64_t>(), 32);
  EXPECT_EQ(c["information"]["kind"], "住民記録システム移行");
  EXPECT_THAT(c["information"]["name"].get<std::string>(), HasSubstr("転入者.csv"));
  EXPECT_THAT(c["information"]["name"].get<std::string>(), HasSubstr("tax.csv"));
  EXPECT_EQ(c["information"]["items"], 2);
  EXPECT_EQ(c["information"]["bytes"], 32);
  EXPECT_EQ(c["information"]["classification"], 2);
  EXPECT_EQ(c["deliverer"]["organization"], "新潟市");

  // The JSON and the PDF verify; the PDF shows the package and its check.
  EXPECT_EQ(Run({"receipt", "verify", prefix + ".json"}).exit_code, 0);
  EXPECT_EQ(Run({"receipt", "verify", prefix + ".pdf"}).exit_code, 0);
  auto text = RunCommand({"pdftotext", "-enc", "UTF-8", prefix + ".pdf", "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(package_id_));
  EXPECT_THAT(text.out, HasSubstr("受領時に検証済み"));

  // The ledger entry (the register is computed from it) holds the digest.
  auto reg = Run({"register", "export", "--kind", "received", "--format", "json"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  Json rows = Json::parse(reg.out)["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["cells"]["媒体管理番号"],
            package_id_ + " sha256:" + digest_ + " (検証済)");
  // Rebuilt from the entry alone: byte-identical, so the entry holds it all.
  std::string copy = dir_.path() + "/copy";
  ASSERT_EQ(Run({"receipt", "reissue", j["body"]["issuance"]["number"], "-o", copy}).exit_code, 0);
  EXPECT_EQ(ReadFileOrDie(copy + ".json"), ReadFileOrDie(prefix + ".json"));
}

TEST_F(ReceiptPackageCliTest, FlagsOverrideTheManifest) {
  std::string prefix = dir_.path() + "/r2";
  auto args = Issue(pkg_, prefix);
  for (const char* a : {"--kind", "住民基本台帳データ", "--classification", "3", "--from-org",
                        "新潟市 市民生活部", "--name", "転入者一覧"})
    args.push_back(a);
  auto r = Run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json c = Json::parse(ReadFileOrDie(prefix + ".json"))["body"]["content"];
  EXPECT_EQ(c["information"]["kind"], "住民基本台帳データ");
  EXPECT_EQ(c["information"]["name"], "転入者一覧");
  EXPECT_EQ(c["information"]["classification"], 3);
  EXPECT_EQ(c["deliverer"]["organization"], "新潟市 市民生活部");
  EXPECT_EQ(c["medium"]["package"]["verified"]["files"], 2);  // What was checked stays.
  // But the package identity cannot be overridden.
  auto other = Issue(pkg_, dir_.path() + "/r3");
  other.push_back("--package-id");
  other.push_back("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(Run(other).exit_code, 2);
  EXPECT_EQ(ReceivedRows(), 1u);
}

TEST_F(ReceiptPackageCliTest, APackageThatFailsVerificationGetsNoReceipt) {
  // Truncated.
  std::string bytes = ReadFileOrDie(pkg_);
  std::string cut = dir_.path() + "/cut.age";
  WriteFileOrDie(cut, bytes.substr(0, bytes.size() - 20));
  auto r = Run(Issue(cut, dir_.path() + "/bad1"));
  // A cut inside the last chunk: the package is incomplete (package.md).
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no receipt was issued"));
  // One byte of ciphertext flipped (age authenticates every chunk). This
  // small package has one, short, chunk: a change to a short final chunk
  // cannot be told from a cut inside it, so it is named incomplete too.
  std::string flipped = bytes;
  flipped[flipped.size() - 40] ^= 0x01;
  std::string flip = dir_.path() + "/flip.age";
  WriteFileOrDie(flip, flipped);
  r = Run(Issue(flip, dir_.path() + "/bad2"));
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no receipt was issued"));
  // Not addressed to this key.
  std::string other_key = dir_.path() + "/other.key";
  ASSERT_EQ(RunCommand({"age-keygen", "-o", other_key}).exit_code, 0);
  auto args = Issue(pkg_, dir_.path() + "/bad3");
  args[5] = other_key;
  r = Run(args);
  EXPECT_EQ(r.exit_code, 9) << r.err;  // kWrongKey
  // Signed by another sender than the one pinned.
  auto pinned = Issue(pkg_, dir_.path() + "/bad4");
  std::string my_key = Json::parse(Run({"--json", "status"}).out)["verifier_key"];
  pinned.push_back("--sender-key");
  pinned.push_back(my_key);
  r = Run(pinned);
  EXPECT_EQ(r.exit_code, 8) << r.err;

  for (const char* p : {"/bad1", "/bad2", "/bad3", "/bad4"}) {
    EXPECT_FALSE(FileExists(dir_.path() + p + ".json")) << p;
    EXPECT_FALSE(FileExists(dir_.path() + p + ".pdf")) << p;
  }
  EXPECT_EQ(ReceivedRows(), 0u);
  // With the right sender key pinned it is accepted.
  auto ok = Issue(pkg_, dir_.path() + "/good");
  ok.push_back("--sender-key");
  ok.push_back(sender_key_);
  EXPECT_EQ(Run(ok).exit_code, 0);
  EXPECT_EQ(ReceivedRows(), 1u);
}

}  // namespace
}  // namespace custody
