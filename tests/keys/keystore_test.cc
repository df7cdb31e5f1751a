// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The keystore on the fake Env: round trips, file modes, refusals, fault
// injection (no half-written key file survives a failed write), destruction
// that overwrites before unlinking, and tampered files.
#include "custody/keystore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "crypto/age.h"
#include "crypto/keystore_crypto.h"
#include "custody/password.h"
#include "support/fake_env.h"

namespace custody {
namespace {

using testing::FakeEnv;

constexpr int kTestWorkFactor = 10;  // scrypt 2^10: fast; the format is the same.
const char kHome[] = "/station";
const char kDir[] = "/station/keystore";
const char kPassphrase[] = "7KQ2-XC9R-T4HB-WNPZ-3LAE";

std::unique_ptr<Keystore> OpenStore(FakeEnv& env) {
  auto ks = Keystore::Open(kHome, &env, KeystoreOptions{kTestWorkFactor});
  EXPECT_TRUE(ks.ok()) << ks.status().ToString();
  return ks.ok() ? std::move(*ks) : nullptr;
}

std::vector<std::string> Files(FakeEnv& env) {
  auto l = env.ListDir(kDir);
  EXPECT_TRUE(l.ok());
  std::sort(l->begin(), l->end());
  return *l;
}

class KeystoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ks_ = OpenStore(env_);
    ASSERT_FALSE(ks_->initialized());
    ASSERT_TRUE(ks_->Initialize(SecretString(kPassphrase)).ok());
  }
  FakeEnv env_;
  std::unique_ptr<Keystore> ks_;
};

TEST_F(KeystoreTest, CreateLookUpAndUnlockAfterReopening) {
  auto k = ks_->GenerateKey("inbox", KeyKind::kIdentity);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->recipient.substr(0, 4), "age1");
  EXPECT_EQ(k->fingerprint, RecipientFingerprint(k->recipient));
  EXPECT_EQ(env_.ModeOf(std::string(kDir) + "/inbox.age"), 0600u);
  EXPECT_EQ(env_.ModeOf(std::string(kDir) + "/inbox.json"), 0600u);
  EXPECT_EQ(env_.ModeOf(std::string(kDir) + "/keystore.age"), 0600u);
  // The wrapped secret is an age file to the keystore recipient, no plain
  // key inside.
  std::string wrapped = *env_.ReadFile(std::string(kDir) + "/inbox.age");
  EXPECT_EQ(wrapped.rfind("age-encryption.org/v1\n-> X25519 ", 0), 0u);
  EXPECT_EQ(wrapped.find("AGE-SECRET-KEY"), std::string::npos);
  EXPECT_EQ(ks_->GenerateKey("inbox", KeyKind::kIdentity).status().code(),
            StatusCode::kAlreadyExists);

  // A new process: no passphrase needed to look up or list, needed to load.
  auto again = OpenStore(env_);
  ASSERT_TRUE(again->initialized());
  EXPECT_EQ(*again->LookupRecipient("inbox"), k->recipient);
  EXPECT_EQ(again->LoadIdentity("inbox").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again->Unlock(SecretString("8KQ2-XC9R-T4HB-WNPZ-3LAE")).code(), StatusCode::kWrongKey);
  ASSERT_TRUE(again->Unlock(SecretString(kPassphrase)).ok());
  auto id = again->LoadIdentity("inbox");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto parsed = age::X25519Identity::Parse(id->secret_key.view());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Recipient().ToString(), k->recipient);
  auto all = again->Identities();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "inbox");
}

TEST_F(KeystoreTest, RecipientsAndVaultsKeepTheirKinds) {
  const std::string city = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  auto r = ks_->AddRecipient("city-hall", city, "confirm-fingerprint", "山田");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Uppercase input is stored canonical; the fingerprint ignores case.
  auto upper = ks_->AddRecipient("city-hall-2",
                                 "AGE1ZVKYG2LQZRAA2LNJVQEJ32NKUU0UES2S82HZRYE869XEEXVN73EQUNUJWJ",
                                 "interactive", "山田");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->recipient, city);
  EXPECT_EQ(upper->fingerprint, r->fingerprint);
  EXPECT_EQ(ks_->AddRecipient("bad", "age1notakey", "interactive", "x").status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(ks_->GenerateKey("archive", KeyKind::kVault).ok());
  EXPECT_EQ(*ks_->LookupRecipient("city-hall"), city);
  EXPECT_EQ(ks_->LookupRecipient("archive").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ks_->LookupRecipient("nobody").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(ks_->Unlock(SecretString(kPassphrase)).ok());
  EXPECT_EQ(ks_->LoadIdentity("city-hall").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ks_->LoadIdentity("archive").ok());
  EXPECT_TRUE(ks_->Identities()->empty());  // Vaults are not package identities.
  auto list = ks_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "archive");
  EXPECT_EQ((*list)[0].kind, KeyKind::kVault);
  EXPECT_EQ((*list)[1].confirmation, "confirm-fingerprint");
}

TEST_F(KeystoreTest, RefusesBadNamesAndWeakPassphrases) {
  for (const char* name : {"", ".hidden", "-x", "a/b", "keystore", "名前", "a b"}) {
    EXPECT_EQ(ks_->GenerateKey(name, KeyKind::kIdentity).status().code(),
              StatusCode::kInvalidArgument)
        << name;
  }
  FakeEnv other;
  auto fresh = OpenStore(other);
  EXPECT_EQ(fresh->Initialize(SecretString("password123")).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fresh->initialized());
  EXPECT_EQ(ks_->Initialize(SecretString(kPassphrase)).code(), StatusCode::kAlreadyExists);
}

// A failure at any write of a key creation leaves neither NAME.age nor
// NAME.json nor a temporary behind, and the name stays free.
TEST_F(KeystoreTest, FailedWritesLeaveNoHalfKeyFile) {
  const std::vector<std::string> before = Files(env_);
  struct Fault {
    FakeEnv::Op op;
    int after;
  };
  // Two atomic writes per key (NAME.age, then NAME.json): fail each step of
  // the first and of the second.
  for (Fault f : {Fault{FakeEnv::Op::kCreate, 0}, Fault{FakeEnv::Op::kAppend, 0},
                  Fault{FakeEnv::Op::kSync, 0}, Fault{FakeEnv::Op::kRename, 0},
                  Fault{FakeEnv::Op::kCreate, 1}, Fault{FakeEnv::Op::kAppend, 1},
                  Fault{FakeEnv::Op::kSync, 2}, Fault{FakeEnv::Op::kRename, 1}}) {
    env_.FailNext(f.op, 1, f.after);
    auto k = ks_->GenerateKey("inbox", KeyKind::kIdentity);
    EXPECT_FALSE(k.ok()) << static_cast<int>(f.op) << "/" << f.after;
    EXPECT_EQ(Files(env_), before) << static_cast<int>(f.op) << "/" << f.after;
    EXPECT_EQ(ks_->Get("inbox").status().code(), StatusCode::kNotFound);
    env_.FailNext(f.op, 0, 0);  // Clear what was not consumed.
  }
  EXPECT_TRUE(ks_->GenerateKey("inbox", KeyKind::kIdentity).ok());
}

TEST_F(KeystoreTest, ShortWriteOnTheSecretLeavesNothing) {
  const std::vector<std::string> before = Files(env_);
  env_.SetShortWriteLimit(40);
  EXPECT_EQ(ks_->GenerateKey("inbox", KeyKind::kIdentity).status().code(), StatusCode::kIoError);
  env_.SetShortWriteLimit(SIZE_MAX);
  EXPECT_EQ(Files(env_), before);
}

TEST_F(KeystoreTest, CreatedKeysSurviveAPowerCut) {
  auto k = ks_->GenerateKey("inbox", KeyKind::kIdentity);
  ASSERT_TRUE(k.ok());
  env_.SimulatePowerLoss();
  auto again = OpenStore(env_);
  ASSERT_TRUE(again->Unlock(SecretString(kPassphrase)).ok());
  auto id = again->LoadIdentity("inbox");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->recipient, k->recipient);
}

TEST_F(KeystoreTest, DestroyOverwritesEveryCopyBeforeUnlinking) {
  ASSERT_TRUE(ks_->GenerateKey("inbox", KeyKind::kIdentity).ok());
  ASSERT_TRUE(ks_->GenerateKey("other", KeyKind::kIdentity).ok());
  const std::string secret_path = std::string(kDir) + "/inbox.age";
  const std::string original = *env_.ReadFile(secret_path);
  // A temporary left by a crash during an earlier write is a copy too.
  const std::string stray = std::string(kDir) + "/inbox.age.tmp-0123456789abcdef";
  ASSERT_TRUE(env_.WriteFileAtomically(stray, original, 0600).ok());

  auto d = ks_->DestroyKey("inbox");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->files.size(), 3u);
  EXPECT_FALSE(env_.FileExists(secret_path));
  EXPECT_FALSE(env_.FileExists(stray));
  EXPECT_FALSE(env_.FileExists(std::string(kDir) + "/inbox.json"));
  for (const std::string& p : {secret_path, stray}) {
    std::string at_unlink = env_.ContentWhenRemoved(p);
    EXPECT_EQ(at_unlink.size(), original.size()) << p;
    EXPECT_NE(at_unlink, original) << p;
    EXPECT_EQ(at_unlink.find("age-encryption.org"), std::string::npos) << p;
  }
  EXPECT_EQ(ks_->Get("inbox").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ks_->Get("other").ok());
  EXPECT_EQ(ks_->DestroyKey("inbox").status().code(), StatusCode::kNotFound);
}

TEST_F(KeystoreTest, AFailedOverwriteStopsBeforeUnlinking) {
  ASSERT_TRUE(ks_->GenerateKey("inbox", KeyKind::kIdentity).ok());
  env_.FailNext(FakeEnv::Op::kSync);
  EXPECT_EQ(ks_->DestroyKey("inbox").status().code(), StatusCode::kIoError);
  // Still listed, so the operator can run the destroy again.
  EXPECT_TRUE(ks_->Get("inbox").ok());
  EXPECT_TRUE(ks_->DestroyKey("inbox").ok());
}

TEST_F(KeystoreTest, TamperedFilesAreRefused) {
  auto a = ks_->GenerateKey("a", KeyKind::kIdentity);
  auto b = ks_->GenerateKey("b", KeyKind::kIdentity);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(ks_->Unlock(SecretString(kPassphrase)).ok());
  // b's secret under a's name: the public key no longer matches.
  std::string b_secret = *env_.ReadFile(std::string(kDir) + "/b.age");
  ASSERT_TRUE(env_.WriteFileAtomically(std::string(kDir) + "/a.age", b_secret, 0600).ok());
  EXPECT_EQ(ks_->LoadIdentity("a").status().code(), StatusCode::kCorruption);
  // A flipped bit in the wrapped secret.
  std::string flipped = b_secret;
  flipped[flipped.size() - 5] ^= 0x01;
  ASSERT_TRUE(env_.WriteFileAtomically(std::string(kDir) + "/b.age", flipped, 0600).ok());
  EXPECT_EQ(ks_->LoadIdentity("b").status().code(), StatusCode::kCorruption);
  // Metadata whose fingerprint was edited, or with an unknown field.
  std::string meta = *env_.ReadFile(std::string(kDir) + "/b.json");
  std::string edited = meta;
  size_t fp = edited.find(b->fingerprint);
  edited[fp] = edited[fp] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(env_.WriteFileAtomically(std::string(kDir) + "/b.json", edited, 0600).ok());
  EXPECT_EQ(ks_->Get("b").status().code(), StatusCode::kCorruption);
  std::string extra = meta;
  extra.insert(1, "\"escrow\":true,");
  ASSERT_TRUE(env_.WriteFileAtomically(std::string(kDir) + "/b.json", extra, 0600).ok());
  EXPECT_EQ(ks_->Get("b").status().code(), StatusCode::kCorruption);
}

TEST(FingerprintTest, StableReadableAndTolerantOfHowItIsTyped) {
  const std::string r = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  std::string fp = RecipientFingerprint(r);
  ASSERT_EQ(fp.size(), 23u);
  for (size_t i = 0; i < fp.size(); ++i) {
    if (i % 6 == 5) {
      EXPECT_EQ(fp[i], '-');
    } else {
      EXPECT_NE(kPasswordAlphabet.find(fp[i]), std::string::npos);
    }
  }
  // Pinned: a change of the fingerprint would break every confirmation
  // people have read out; it is SHA-256("custody recipient fingerprint v1\n"
  // || recipient), first 100 bits in the password alphabet (computed
  // independently with Python's hashlib).
  EXPECT_EQ(fp, "ZPFV5-NKBNE-5ELLV-59W6L");
  EXPECT_EQ(fp, crypto::FingerprintOfRecipient(r));
  EXPECT_TRUE(FingerprintMatches(fp, fp));
  std::string typed;
  for (char c : fp) {
    if (c != '-') typed.push_back(static_cast<char>(std::tolower(c)));
  }
  EXPECT_TRUE(FingerprintMatches(typed, fp));
  std::string spaced = fp;
  for (char& c : spaced) {
    if (c == '-') c = ' ';
  }
  EXPECT_TRUE(FingerprintMatches(spaced, fp));
  EXPECT_FALSE(FingerprintMatches(fp.substr(0, 22), fp));
  EXPECT_FALSE(FingerprintMatches("", fp));
  EXPECT_EQ(RecipientFingerprint("age1bogus"), "invalid");
  // Another key, another fingerprint.
  EXPECT_NE(RecipientFingerprint("age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"),
            fp);
}

}  // namespace
}  // namespace custody
