// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary end to end: a loop device wiped by `custody wipe`
// and a vault crypto-erased by `custody crypto-erase vault` on ONE disposal
// certificate (総行情第77号), then `cert verify`; a LUKS image crypto-erased
// with `--asset-tag` certified by its asset tag and UUID. Tampering with the
// vault row or its evidence must still fail verification.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/encoding.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using testing::LoopDevice;

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

class CertCryptoEraseCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    ASSERT_EQ(Run({"init", "--organization", "株式会社サンプル情報サービス", "--name", "office-1",
                   "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
    auto p =
        Run({"profile", "set", "company=株式会社サンプル情報サービス", "responsible=山田 太郎"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Run({"profile", "set", "--client", "niigata", "municipality=新潟市",
             "department=総務部 情報政策課", "contract=令和8年度 クラウド移行", "classification=3",
             "place=contractor-facility", "witness_name=鈴木 一郎",
             "witness_department=情報政策課"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args, input);
  }
  std::string VerifierKey() {
    return Json::parse(Run({"--json", "status"}).out)["verifier_key"].get<std::string>();
  }
  std::vector<Json> Entries(const std::string& type) {
    auto r = Run({"--json", "log", "show", "--type", type});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<Json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(Json::parse(line));
    return out;
  }
  // A vault with one file sealed to it, crypto-erased. Returns the
  // crypto-erase.vault.completed entry's seq; fills the sealed digest and
  // the key's fingerprint.
  uint64_t EraseVault(std::string* sealed_digest, std::string* fingerprint) {
    const std::string pass = dir_.path() + "/pass.txt";
    EXPECT_EQ(Run({"password", "generate", "-o", pass}).exit_code, 0);
    auto create = Run({"--json", "vault", "create", "niigata-2026", "--passphrase-file", pass});
    EXPECT_EQ(create.exit_code, 0) << create.err;
    WriteFileOrDie(dir_.path() + "/住民記録.csv", "id,name\n1,山田\n");
    const std::string sealed = dir_.path() + "/backup.age";
    auto seal = Run(
        {"--json", "vault", "seal", "niigata-2026", dir_.path() + "/住民記録.csv", "-o", sealed});
    EXPECT_EQ(seal.exit_code, 0) << seal.err;
    *sealed_digest = Json::parse(seal.out)["digest"];
    auto erase = Run({"--json", "crypto-erase", "vault", "niigata-2026", "--yes"});
    EXPECT_EQ(erase.exit_code, 0) << erase.err;
    Json e = Json::parse(erase.out);
    *fingerprint = e["fingerprint"];
    // The key is gone: the sealed file no longer opens.
    EXPECT_NE(Run({"vault", "open", "niigata-2026", sealed, "--list", "--passphrase-file", pass})
                  .exit_code,
              0);
    return e["completed_seq"].get<uint64_t>();
  }
  std::string Pdftotext(const std::string& pdf) {
    CommandResult r = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Squash(r.out);
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(CertCryptoEraseCliTest, VaultCompletedEventIsSelfContained) {
  std::string digest, fingerprint;
  uint64_t seq = EraseVault(&digest, &fingerprint);
  auto completed = Entries("crypto-erase");
  ASSERT_FALSE(completed.empty());
  const Json& e = completed.back();
  ASSERT_EQ(e["seq"], seq);
  ASSERT_EQ(e["type"], "crypto-erase.vault.completed");
  const Json& d = e["data"];
  EXPECT_EQ(d["vault"], "niigata-2026");
  EXPECT_EQ(d["fingerprint"], fingerprint);
  EXPECT_EQ(d["sealed"].size(), 1u);
  EXPECT_EQ(d["sealed"][0]["digest"], digest);
  EXPECT_EQ(d["key_files"], Json::array({"niigata-2026.age", "niigata-2026.json"}));
  EXPECT_EQ(d["key_files_destroyed"], 2);
  EXPECT_TRUE(d["keystore_entry_removed"].get<bool>());
  EXPECT_EQ(d["verification"]["result"], "passed");
  EXPECT_EQ(d["verification"]["key_files_remaining"], 0);
  EXPECT_FALSE(d["verification"]["key_in_keystore"].get<bool>());
  EXPECT_FALSE(d["started"].get<std::string>().empty());
  EXPECT_FALSE(d["finished"].get<std::string>().empty());
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);
}

TEST_F(CertCryptoEraseCliTest, WipedLoopDeviceAndErasedVaultOnOneCertificate) {
  if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string backing = dir_.path() + "/disk.img";
  WriteFileOrDie(backing, std::string(4 << 20, 'M'));
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_NE(loop, nullptr) << error;
  const std::string name = loop->path().substr(5);
  auto wipe = Run({"wipe", loop->path(), "--method", "zero", "--verify", "all", "--yes",
                   "--confirm-serial", name});
  ASSERT_EQ(wipe.exit_code, 0) << wipe.out << wipe.err;
  const std::string wipe_id = Entries("wipe").back()["data"]["wipe_id"];

  std::string digest, fingerprint;
  uint64_t vault_seq = EraseVault(&digest, &fingerprint);

  const std::string pdf = dir_.path() + "/cert.pdf";
  auto issue = Run({"cert", "issue", "--wipe", wipe_id, "--crypto-erase", std::to_string(vault_seq),
                    "--client", "niigata", "-o", pdf});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  const std::string json_path = dir_.path() + "/cert.json";
  Json cert = Json::parse(ReadFileOrDie(json_path));
  const Json& rows = cert["body"]["content"]["devices"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["method"]["family"], "overwrite");
  EXPECT_EQ(rows[0]["asset_tag"], loop->path());
  const Json& v = rows[1];
  EXPECT_EQ(v["media"], "encrypted-data");
  EXPECT_EQ(v["asset_tag"], "niigata-2026");
  EXPECT_EQ(v["serial"], "key " + fingerprint);
  EXPECT_EQ(v["method"]["family"], "crypto-erase");
  EXPECT_EQ(v["method"]["level"], "purge");
  EXPECT_THAT(v["method"]["details"].get<std::string>(), HasSubstr("sha256 " + digest));
  EXPECT_THAT(v["method"]["commands"][0].get<std::string>(), HasSubstr("overwritten"));
  EXPECT_EQ(v["verification"]["result"], "passed");
  EXPECT_EQ(v["sources"][0]["seq"], vault_seq);
  // 機密性3: the wiped loop device is flagged (not destroyed); the vault is not
  // (crypto-erase is what the guideline asks where no medium can be touched).
  std::string warnings = cert["body"]["content"]["warnings"].dump();
  EXPECT_THAT(warnings, HasSubstr("No.1"));
  EXPECT_THAT(warnings, ::testing::Not(HasSubstr("No.2")));

  auto verify = RunCustody({"cert", "verify", pdf, "--key", VerifierKey()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("2 of 2 rows match"));
  std::string text = Pdftotext(pdf);
  EXPECT_THAT(text, HasSubstr("暗号化データ"));
  EXPECT_THAT(text, HasSubstr("暗号化消去"));
  EXPECT_THAT(text, HasSubstr("niigata-2026"));
  EXPECT_THAT(text, HasSubstr("上書き消去"));

  // One character of the vault row's identity changed: the signature fails.
  const std::string original = ReadFileOrDie(json_path);
  std::string tampered = original;
  size_t at = tampered.find("\"asset_tag\":\"niigata-2026\"");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 13] = 'N';
  WriteFileOrDie(json_path, tampered);
  auto bad = RunCustody({"cert", "verify", json_path, "--key", VerifierKey()});
  EXPECT_EQ(bad.exit_code, 8);
  EXPECT_THAT(bad.err, HasSubstr("'signature' FAILED"));
  WriteFileOrDie(json_path, original);

  // The vault entry's evidence altered: the device evidence check fails.
  const std::string bundle =
      dir_.path() + "/cert.evidence/entry-" + std::to_string(vault_seq) + ".bundle";
  std::string b = ReadFileOrDie(bundle);
  size_t line = b.find("entry ");
  ASSERT_NE(line, std::string::npos);
  size_t end = b.find('\n', line);
  auto entry = encoding::Base64Decode(b.substr(line + 6, end - line - 6));
  ASSERT_TRUE(entry.ok());
  size_t name_at = entry->find("niigata-2026");
  ASSERT_NE(name_at, std::string::npos);
  (*entry)[name_at] = 'N';  // The entry now names another vault.
  b.replace(line + 6, end - line - 6, encoding::Base64Encode(*entry));
  WriteFileOrDie(bundle, b);
  auto evidence = RunCustody({"cert", "verify", json_path, "--key", VerifierKey()});
  EXPECT_EQ(evidence.exit_code, 8) << evidence.out;
  EXPECT_THAT(evidence.err, HasSubstr("'device evidence' FAILED"));
}

TEST_F(CertCryptoEraseCliTest, LuksImageIsCertifiedByAssetTagAndUuid) {
  const std::string image = dir_.path() + "/volume.img", key = dir_.path() + "/luks-pass";
  WriteFileOrDie(key, "correct horse battery staple");
  ASSERT_EQ(RunCommand({"truncate", "-s", "24M", image}).exit_code, 0);
  auto fmt = RunCommand({"cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--pbkdf",
                         "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", key, image});
  ASSERT_EQ(fmt.exit_code, 0) << fmt.err;
  std::string uuid = RunCommand({"cryptsetup", "luksUUID", image}).out;
  uuid.resize(36);

  auto erase = Run({"--json", "crypto-erase", "luks", image, "--yes", "--confirm-uuid", uuid,
                    "--asset-tag", "NIIGATA-PC-0042", "--old-passphrase-file", key});
  ASSERT_EQ(erase.exit_code, 0) << erase.err;
  const uint64_t seq = Json::parse(erase.out)["ledger_seq"];
  const Json completed = Entries("crypto-erase").back();
  ASSERT_EQ(completed["type"], "crypto-erase.luks.completed");
  EXPECT_EQ(completed["data"]["asset_tag"], "NIIGATA-PC-0042");

  const std::string pdf = dir_.path() + "/luks.pdf";
  auto issue = Run({"cert", "issue", "--crypto-erase", std::to_string(seq), "--client", "niigata",
                    "--lang", "en", "-o", pdf});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  Json cert = Json::parse(ReadFileOrDie(dir_.path() + "/luks.json"));
  const Json& row = cert["body"]["content"]["devices"][0];
  EXPECT_EQ(row["asset_tag"], "NIIGATA-PC-0042");
  EXPECT_THAT(row["model"].get<std::string>(), HasSubstr(uuid));
  EXPECT_EQ(row["method"]["family"], "crypto-erase");
  auto verify = RunCustody({"cert", "verify", pdf, "--key", VerifierKey()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(Pdftotext(pdf), HasSubstr("NIIGATA-PC-0042"));
}

}  // namespace
}  // namespace custody
