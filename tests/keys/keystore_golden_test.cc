// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Golden keystore files (tests/data/keys, see its README): a keystore made by
// custody with a known passphrase must keep opening exactly as it did, and
// its damaged copies (truncated, bit-flipped, wrong passphrase) must be
// refused with stable codes.
//
// To regenerate (only when the format version changes):
//   CUSTODY_WRITE_GOLDEN_KEYS=$PWD/tests/data/keys build/tests/keys_keystore_golden_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "crypto/age.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

namespace fs = std::filesystem;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class KeystoreGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/home";
    fs::create_directories(home_);
    fs::copy(TestDataPath("keys/valid/keystore"), home_ + "/keystore", fs::copy_options::recursive);
    passphrase_ = Trimmed(ReadFileOrDie(TestDataPath("keys/passphrase.txt")));
  }
  std::unique_ptr<Keystore> Open() {
    auto ks = Keystore::Open(home_, Env::Default());
    EXPECT_TRUE(ks.ok()) << ks.status().ToString();
    return ks.ok() ? std::move(*ks) : nullptr;
  }
  void Replace(const std::string& file, const std::string& damaged) {
    WriteFileOrDie(home_ + "/keystore/" + file,
                   ReadFileOrDie(TestDataPath("keys/damaged/" + damaged)));
  }
  TempDir dir_;
  std::string home_;
  std::string passphrase_;
};

TEST_F(KeystoreGoldenTest, ValidKeystoreOpens) {
  auto ks = Open();
  ASSERT_TRUE(ks->initialized());
  auto list = ks->List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "archive");
  EXPECT_EQ((*list)[0].kind, KeyKind::kVault);
  EXPECT_EQ((*list)[1].name, "city-hall");
  EXPECT_EQ((*list)[1].fingerprint, "ZPFV5-NKBNE-5ELLV-59W6L");
  EXPECT_EQ((*list)[2].name, "inbox");
  ASSERT_TRUE(ks->Unlock(SecretString(passphrase_)).ok());
  auto id = ks->LoadIdentity("inbox");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->secret_key.view(), Trimmed(ReadFileOrDie(TestDataPath("keys/inbox.identity.txt"))));
  EXPECT_EQ(id->recipient, (*list)[2].recipient);
  EXPECT_TRUE(ks->LoadIdentity("archive").ok());
}

TEST_F(KeystoreGoldenTest, WrongPassphrase) {
  auto ks = Open();
  std::string wrong = passphrase_;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ks->Unlock(SecretString(wrong)).code(), StatusCode::kWrongKey);
  EXPECT_FALSE(ks->unlocked());
}

TEST_F(KeystoreGoldenTest, DamagedKeystoreIdentity) {
  Replace("keystore.age", "keystore.age.truncated");
  EXPECT_EQ(Open()->Unlock(SecretString(passphrase_)).code(), StatusCode::kTruncated);
  Replace("keystore.age", "keystore.age.bitflip");
  EXPECT_EQ(Open()->Unlock(SecretString(passphrase_)).code(), StatusCode::kVerificationFailed);
}

TEST_F(KeystoreGoldenTest, DamagedKeyFiles) {
  Replace("inbox.age", "inbox.age.truncated");
  auto ks = Open();
  ASSERT_TRUE(ks->Unlock(SecretString(passphrase_)).ok());
  EXPECT_EQ(ks->LoadIdentity("inbox").status().code(), StatusCode::kCorruption);
  Replace("inbox.age", "inbox.age.bitflip");
  EXPECT_EQ(ks->LoadIdentity("inbox").status().code(), StatusCode::kCorruption);
  Replace("inbox.json", "inbox.json.bitflip");
  EXPECT_EQ(ks->Get("inbox").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ks->List().status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(ks->Get("city-hall").ok());
}

// Writes the golden files when asked to (see the top of this file).
TEST(KeystoreGoldenWriter, WriteWhenAsked) {
  const char* out = std::getenv("CUSTODY_WRITE_GOLDEN_KEYS");
  if (out == nullptr)
    GTEST_SKIP() << "set CUSTODY_WRITE_GOLDEN_KEYS=DIR to regenerate the golden files";
  std::string root = out;
  std::string home = root + "/valid";
  fs::remove_all(home);
  fs::create_directories(home);
  fs::create_directories(root + "/damaged");
  // A generated-style passphrase; scrypt 2^10 keeps the test fast (the work
  // factor is in the file; age accepts it).
  const std::string passphrase = "GQ7M-2XKD-9HNT-RW4B-ZP6C";
  WriteFileOrDie(root + "/passphrase.txt", passphrase + "\n");
  auto ks = Keystore::Open(home, Env::Default(), KeystoreOptions{10});
  ASSERT_TRUE(ks.ok());
  ASSERT_TRUE((*ks)->Initialize(SecretString(passphrase)).ok());
  ASSERT_TRUE((*ks)->GenerateKey("inbox", KeyKind::kIdentity).ok());
  ASSERT_TRUE((*ks)->GenerateKey("archive", KeyKind::kVault).ok());
  ASSERT_TRUE((*ks)
                  ->AddRecipient("city-hall",
                                 "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
                                 "confirm-fingerprint", "golden")
                  .ok());
  ASSERT_TRUE((*ks)->Unlock(SecretString(passphrase)).ok());
  auto id = (*ks)->LoadIdentity("inbox");
  ASSERT_TRUE(id.ok());
  WriteFileOrDie(root + "/inbox.identity.txt", std::string(id->secret_key.view()) + "\n");
  std::string dir = home + "/keystore";
  std::string ks_age = ReadFileOrDie(dir + "/keystore.age");
  std::string inbox_age = ReadFileOrDie(dir + "/inbox.age");
  std::string inbox_json = ReadFileOrDie(dir + "/inbox.json");
  // Cut inside the header (before the MAC line): kTruncated. A cut inside
  // the payload's last chunk cannot be told from tampering (age.h).
  WriteFileOrDie(root + "/damaged/keystore.age.truncated", ks_age.substr(0, ks_age.find("\n---")));
  std::string flip = ks_age;
  flip[flip.size() - 20] ^= 0x04;
  WriteFileOrDie(root + "/damaged/keystore.age.bitflip", flip);
  WriteFileOrDie(root + "/damaged/inbox.age.truncated", inbox_age.substr(0, inbox_age.size() - 40));
  flip = inbox_age;
  flip[flip.size() - 20] ^= 0x04;
  WriteFileOrDie(root + "/damaged/inbox.age.bitflip", flip);
  flip = inbox_json;
  size_t fp = flip.find("\"fingerprint\":\"") + 16;
  flip[fp] ^= 0x01;
  WriteFileOrDie(root + "/damaged/inbox.json.bitflip", flip);
}

}  // namespace
}  // namespace custody
