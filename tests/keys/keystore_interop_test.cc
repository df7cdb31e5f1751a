// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The keystore against Debian's age 1.1.1: a key custody creates exports an
// age1 recipient that `age` encrypts to and custody decrypts; `age-keygen -y`
// derives the same recipient from the secret; and the keystore itself opens
// with the standard tools alone (age -d with the passphrase on a pty, then
// age -d -i), as docs/formats/keystore.md promises. A vault file opens with
// `age` and the escrowed vault key, and holds a plain tar.
#include <gtest/gtest.h>
#include <unistd.h>

#include "crypto/age.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "custody/vault.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

bool HaveTool(const std::string& name) {
  return RunCommand({"sh", "-c", "command -v " + name}).exit_code == 0;
}
#define REQUIRE_TOOL(name) \
  if (!HaveTool(name))     \
  GTEST_SKIP() << "the `" name "` binary is not installed (apt-get install age)"

const char kPassphrase[] = "GQ7M-2XKD-9HNT-RW4B-ZP6C";

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST(KeystoreInteropTest, AgeEncryptsToOurKeyAndAgeKeygenAgrees) {
  REQUIRE_TOOL("age");
  REQUIRE_TOOL("age-keygen");
  TempDir dir;
  // Work factor 12: age accepts any factor up to 22 and the format is the same.
  auto ks = Keystore::Open(dir.path(), Env::Default(), KeystoreOptions{12});
  ASSERT_TRUE(ks.ok());
  ASSERT_TRUE((*ks)->Initialize(SecretString(kPassphrase)).ok());
  auto key = (*ks)->GenerateKey("inbox", KeyKind::kIdentity);
  ASSERT_TRUE(key.ok());
  std::string recipient = *(*ks)->LookupRecipient("inbox");

  // age encrypts to the exported recipient; custody decrypts with the key.
  const std::string plaintext = "住民データ 2026\n" + std::string(70000, 'z');
  WriteFileOrDie(dir.path() + "/plain", plaintext);
  auto enc =
      RunCommand({"age", "-r", recipient, "-o", dir.path() + "/msg.age", dir.path() + "/plain"});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  ASSERT_TRUE((*ks)->Unlock(SecretString(kPassphrase)).ok());
  auto id = (*ks)->LoadIdentity("inbox");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto parsed = age::X25519Identity::Parse(id->secret_key.view());
  ASSERT_TRUE(parsed.ok());
  auto got = age::Decrypt(ReadFileOrDie(dir.path() + "/msg.age"), {&*parsed});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->view() == plaintext);

  // age-keygen -y derives the same recipient from our secret.
  auto y = RunCommand({"age-keygen", "-y"}, std::string(id->secret_key.view()) + "\n");
  ASSERT_EQ(y.exit_code, 0) << y.err;
  EXPECT_EQ(FirstLine(y.out), recipient);
}

// The keystore opens without custody: age -d (passphrase on a pty from
// `script`; age reads passphrases only from a terminal), then age -d -i.
TEST(KeystoreInteropTest, StandardAgeRecoversAKeyFromTheKeystore) {
  REQUIRE_TOOL("age");
  REQUIRE_TOOL("age-keygen");
  REQUIRE_TOOL("script");
  TempDir dir;
  auto ks = Keystore::Open(dir.path(), Env::Default(), KeystoreOptions{12});
  ASSERT_TRUE(ks.ok());
  ASSERT_TRUE((*ks)->Initialize(SecretString(kPassphrase)).ok());
  auto key = (*ks)->GenerateKey("inbox", KeyKind::kIdentity);
  ASSERT_TRUE(key.ok());
  std::string store = (*ks)->dir();
  auto dec =
      RunCommand({"script", "-qec",
                  "age -d -o " + dir.path() + "/ks.txt " + store + "/keystore.age", "/dev/null"},
                 std::string(kPassphrase) + "\n");
  ASSERT_EQ(dec.exit_code, 0) << dec.out << dec.err;
  auto inner = RunCommand({"age", "-d", "-i", dir.path() + "/ks.txt", store + "/inbox.age"});
  ASSERT_EQ(inner.exit_code, 0) << inner.err;
  EXPECT_NE(inner.out.find("# public key: " + key->recipient), std::string::npos);
  auto y = RunCommand({"age-keygen", "-y"}, inner.out);
  ASSERT_EQ(y.exit_code, 0) << y.err;
  EXPECT_EQ(FirstLine(y.out), key->recipient);
  ::unlink((dir.path() + "/ks.txt").c_str());
}

TEST(KeystoreInteropTest, AgeOpensAVaultFileWithTheEscrowedKey) {
  REQUIRE_TOOL("age");
  TempDir dir;
  StationInitOptions o;
  o.home = dir.path() + "/station";
  o.organization = "株式会社サンプル";
  o.station_name = "office-1";
  o.operator_name = "op";
  auto station = Station::Init(o, Env::Default());
  ASSERT_TRUE(station.ok());
  auto ks = Keystore::Open((*station)->home(), Env::Default(), KeystoreOptions{12});
  ASSERT_TRUE(ks.ok());
  auto pass = [] { return Result<SecretString>(SecretString(kPassphrase)); };
  ASSERT_TRUE(CreateVault(**station, **ks, "op", "v", pass).ok());
  WriteFileOrDie(dir.path() + "/台帳.csv", "a,b\n1,2\n");
  VaultSealOptions so;
  so.files = {dir.path() + "/台帳.csv"};
  so.output = dir.path() + "/sealed.age";
  so.armor = true;
  ASSERT_TRUE(SealToVault(**station, **ks, "op", "v", so).ok());
  ASSERT_TRUE((*ks)->Unlock(SecretString(kPassphrase)).ok());
  ASSERT_TRUE(
      ExportVaultKey(**station, **ks, "op", "v", dir.path() + "/escrow.key", "interop test").ok());
  auto plain = RunCommand({"sh", "-c",
                           "age -d -i '" + dir.path() + "/escrow.key' '" + dir.path() +
                               "/sealed.age' | tar -xOf - 'data/台帳.csv'"},
                          "", {"LC_ALL=C.UTF-8"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "a,b\n1,2\n");
}

}  // namespace
}  // namespace custody
