// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Vaults on a real station (files, SQLite ledger): seal, read back,
// crypto-erase, read fails; escrow blocks the erase until its copies are
// recorded destroyed; the ledger verifies and shows every step. Also the
// station-level key operations and the password delivery record.
#include "custody/vault.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/age.h"
#include "custody/env.h"
#include "custody/password.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

const char kPassphrase[] = "7KQ2-XC9R-T4HB-WNPZ-3LAE";

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = Env::Default();
    StationInitOptions o;
    o.home = dir_.path() + "/station";
    o.organization = "株式会社サンプル";
    o.station_name = "office-1";
    o.operator_name = "山田太郎";
    auto s = Station::Init(o, env_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    station_ = std::move(*s);
    auto ks = Keystore::Open(station_->home(), env_, KeystoreOptions{10});
    ASSERT_TRUE(ks.ok());
    ks_ = std::move(*ks);
    WriteFileOrDie(dir_.path() + "/住民票.csv", "id,name\n1,山田\n");
    WriteFileOrDie(dir_.path() + "/big.bin", std::string(200000, 'x') + "end");
  }
  PassphraseProvider NewPass() {
    return [] { return Result<SecretString>(SecretString(kPassphrase)); };
  }
  std::vector<LedgerEntry> Entries(std::string_view prefix) {
    std::vector<LedgerEntry> out;
    Ledger* l = *station_->ledger();
    EXPECT_TRUE(l->Scan(0, [&](const LedgerEntry& e) {
                   if (e.type.rfind(prefix, 0) == 0) out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  TempDir dir_;
  Env* env_;
  std::unique_ptr<Station> station_;
  std::unique_ptr<Keystore> ks_;
};

TEST_F(VaultTest, SealReadBackCryptoEraseReadFails) {
  auto v = CreateVault(*station_, *ks_, "山田太郎", "contract-2026", NewPass());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::string out = dir_.path() + "/backup.age";
  VaultSealOptions so;
  so.files = {dir_.path() + "/住民票.csv", dir_.path() + "/big.bin"};
  so.output = out;
  auto sealed = SealToVault(*station_, *ks_, "山田太郎", "contract-2026", so);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  std::string ct = ReadFileOrDie(out);
  EXPECT_EQ(ct.rfind("age-encryption.org/v1\n-> X25519 ", 0), 0u);
  EXPECT_EQ(ct.find("山田"), std::string::npos);
  EXPECT_EQ(sealed->size, ct.size());
  // The output exists once, no temporary beside it.
  EXPECT_FALSE(env_->FileExists(out + ".tmp"));
  EXPECT_EQ(SealToVault(*station_, *ks_, "山田太郎", "contract-2026", so).status().code(),
            StatusCode::kAlreadyExists);

  // Read back: another process needs the keystore passphrase (this one set
  // it, so its keystore is unlocked already).
  auto locked = Keystore::Open(station_->home(), env_);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(OpenVault(**locked, "contract-2026", out, "", env_).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ks_->Unlock(SecretString(kPassphrase)).ok());
  auto opened = OpenVault(*ks_, "contract-2026", out, dir_.path() + "/restored", env_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->size(), 2u);
  EXPECT_EQ((*opened)[0].name, "住民票.csv");
  EXPECT_EQ(ReadFileOrDie(dir_.path() + "/restored/住民票.csv"), "id,name\n1,山田\n");
  EXPECT_EQ(ReadFileOrDie(dir_.path() + "/restored/big.bin"), std::string(200000, 'x') + "end");
  // Not into a directory that already holds the files.
  EXPECT_EQ(OpenVault(*ks_, "contract-2026", out, dir_.path() + "/restored", env_).status().code(),
            StatusCode::kAlreadyExists);

  // A tampered sealed file is refused and nothing is written.
  std::string bad = ct;
  bad[bad.size() - 10] ^= 0x20;
  WriteFileOrDie(dir_.path() + "/bad.age", bad);
  EXPECT_EQ(OpenVault(*ks_, "contract-2026", dir_.path() + "/bad.age", dir_.path() + "/r2", env_)
                .status()
                .code(),
            StatusCode::kVerificationFailed);
  EXPECT_FALSE(env_->FileExists(dir_.path() + "/r2/big.bin"));
  WriteFileOrDie(dir_.path() + "/short.age", ct.substr(0, ct.size() / 2));
  EXPECT_FALSE(OpenVault(*ks_, "contract-2026", dir_.path() + "/short.age", "", env_).ok());

  // The vault's key, kept aside before the erase, as an attacker with a
  // copy of the sealed file and a later memory of the key would have it.
  auto key_before = ks_->LoadIdentity("contract-2026");
  ASSERT_TRUE(key_before.ok());
  auto erased = CryptoEraseVault(*station_, *ks_, "山田太郎", "contract-2026");
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  ASSERT_EQ(erased->sealed.size(), 1u);
  EXPECT_EQ(erased->sealed[0].digest, sealed->digest);
  EXPECT_EQ(erased->files.size(), 2u);

  // Read fails: the key is gone from the keystore, and no identity the
  // station still holds opens the file.
  EXPECT_EQ(OpenVault(*ks_, "contract-2026", out, "", env_).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(env_->FileExists(ks_->dir() + "/contract-2026.age"));
  ASSERT_TRUE(CreateVault(*station_, *ks_, "山田太郎", "contract-2027", NewPass()).ok());
  EXPECT_EQ(OpenVault(*ks_, "contract-2027", out, "", env_).status().code(), StatusCode::kWrongKey);
  // (Only the destroyed key opened it.)
  auto id = age::X25519Identity::Parse(key_before->secret_key.view());
  EXPECT_TRUE(age::Decrypt(ct, {&*id}).ok());

  // The ledger verifies and shows the erase with the fingerprint, the key's
  // creation time and the digest of what was sealed.
  auto report = (*station_->ledger())->Verify(std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto started = Entries("crypto-erase.vault.started");
  ASSERT_EQ(started.size(), 1u);
  auto data = nlohmann::json::parse(started[0].data_json);
  EXPECT_EQ(data["fingerprint"], v->fingerprint);
  EXPECT_EQ(data["key_created"], v->created);
  ASSERT_EQ(data["sealed"].size(), 1u);
  EXPECT_EQ(data["sealed"][0]["digest"], sealed->digest);
  auto completed = Entries("crypto-erase.vault.completed");
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(completed[0].data_json)["key_files_destroyed"], 2);
  auto seal_events = Entries("vault.sealed");
  ASSERT_EQ(seal_events.size(), 1u);
  auto seal_data = nlohmann::json::parse(seal_events[0].data_json);
  EXPECT_EQ(seal_data["files"].size(), 2u);
  EXPECT_EQ(seal_events[0].data_json.find("住民票"), std::string::npos);  // No file names.
}

TEST_F(VaultTest, AnExportedKeyBlocksTheEraseUntilItsCopiesAreRecordedDestroyed) {
  ASSERT_TRUE(CreateVault(*station_, *ks_, "op", "v", NewPass()).ok());
  const std::string escrow = dir_.path() + "/escrow.key";
  auto locked = Keystore::Open(station_->home(), env_);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(ExportVaultKey(*station_, **locked, "op", "v", escrow, "bank safe").status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ks_->Unlock(SecretString(kPassphrase)).ok());
  EXPECT_EQ(ExportVaultKey(*station_, *ks_, "op", "v", escrow, "").status().code(),
            StatusCode::kInvalidArgument);
  auto exported = ExportVaultKey(*station_, *ks_, "op", "v", escrow, "bank safe");
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_EQ(exported->exported, 1u);
  // The escrow copy is a standard age identity file for that vault.
  std::string text = ReadFileOrDie(escrow);
  auto line = text.substr(text.find("AGE-SECRET-KEY-1"));
  line.pop_back();
  auto id = age::X25519Identity::Parse(line);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->Recipient().ToString(), exported->recipient);

  auto refused = CryptoEraseVault(*station_, *ks_, "op", "v");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("record-copy-destroyed"), std::string::npos);
  EXPECT_TRUE(ks_->Get("v").ok());  // Nothing destroyed.
  EXPECT_TRUE(Entries("crypto-erase").empty());

  EXPECT_EQ(RecordEscrowDestroyed(*station_, *ks_, "op", "v", 2, "shredded").status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      RecordEscrowDestroyed(*station_, *ks_, "op", "v", 1, "USB shredded, witness 佐藤").ok());
  ASSERT_TRUE(CryptoEraseVault(*station_, *ks_, "op", "v").ok());
  auto started = Entries("crypto-erase.vault.started");
  ASSERT_EQ(started.size(), 1u);
  auto data = nlohmann::json::parse(started[0].data_json);
  EXPECT_EQ(data["copies_exported"], 1);
  EXPECT_EQ(data["copies_destroyed"], 1);
  ASSERT_EQ(Entries("vault.key-exported").size(), 1u);
  ASSERT_EQ(Entries("vault.escrow-destroyed").size(), 1u);
  // No key material in any record.
  for (const auto& e : Entries(""))
    EXPECT_EQ(e.data_json.find("AGE-SECRET-KEY"), std::string::npos);
}

TEST_F(VaultTest, KeyDestroyRefusesVaultsAndRecordsIdentities) {
  ASSERT_TRUE(CreateVault(*station_, *ks_, "op", "v", NewPass()).ok());
  EXPECT_EQ(DestroyKey(*station_, *ks_, "op", "v").status().code(),
            StatusCode::kFailedPrecondition);
  auto k =
      CreateKey(*station_, *ks_, "op", "inbox", nullptr);  // Keystore already has its passphrase.
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*ks_->LookupRecipient("inbox"), k->recipient);
  auto d = DestroyKey(*station_, *ks_, "op", "inbox");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto destroyed = Entries("key.destroyed");
  ASSERT_EQ(destroyed.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(destroyed[0].data_json)["fingerprint"], k->fingerprint);
  // An import whose fingerprint does not match stores nothing.
  const std::string city = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  EXPECT_EQ(
      ImportRecipient(*station_, *ks_, "op", "city", city, "ZPFV5-NKBNE-5ELLV-59W6M", "interactive")
          .status()
          .code(),
      StatusCode::kVerificationFailed);
  EXPECT_EQ(ks_->Get("city").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(
      ImportRecipient(*station_, *ks_, "op", "city", city, "ZPFV5-NKBNE-5ELLV-59W6L", "interactive")
          .ok());
  EXPECT_EQ(*ks_->LookupRecipient("city"), city);
}

TEST_F(VaultTest, PasswordDeliveryNamesThePackageAndNeverThePassword) {
  auto pw = GeneratePassword(*env_);
  ASSERT_TRUE(pw.ok());
  ASSERT_TRUE(RecordPasswordGenerated(*station_, *pw, "op").ok());
  // package.created as custody package create writes it (ID, digest,
  // password ID; never the password).
  nlohmann::json pkg = {{"package_id", "0b6f7a4e-3c1d-4e5f-8a9b-112233445566"},
                        {"digest", std::string(64, 'a')},
                        {"password_id", pw->id}};
  ASSERT_TRUE(station_->Record("package.created", "op", pkg.dump()).ok());

  PasswordDelivery d;
  d.package = "0b6f7a4e-3c1d-4e5f-8a9b-112233445566";
  d.channel = DeliveryChannel::kPhone;
  d.recipient_person = "新潟市 情報政策課 佐藤";
  d.operator_name = "op";
  auto e = RecordPasswordDelivery(*station_, d);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto data = nlohmann::json::parse(e->data_json);
  EXPECT_EQ(data["password_id"], pw->id);
  EXPECT_EQ(data["channel"], "phone");
  EXPECT_EQ(data["to"], "新潟市 情報政策課 佐藤");
  EXPECT_EQ(data["digest"], std::string(64, 'a'));
  EXPECT_EQ(e->data_json.find(std::string(pw->password.view())), std::string::npos);

  // By digest too; a mismatching password ID, a missing package, no person.
  d.package = std::string(64, 'a');
  EXPECT_TRUE(RecordPasswordDelivery(*station_, d).ok());
  auto other = NewPasswordId(*env_);
  d.password_id = *other;
  EXPECT_EQ(RecordPasswordDelivery(*station_, d).status().code(), StatusCode::kInvalidArgument);
  d.password_id = "";
  d.package = "nope";
  EXPECT_EQ(RecordPasswordDelivery(*station_, d).status().code(), StatusCode::kNotFound);
  d.package = std::string(64, 'a');
  d.recipient_person = "";
  EXPECT_EQ(RecordPasswordDelivery(*station_, d).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Entries("password.delivered").size(), 2u);
}

}  // namespace
}  // namespace custody
