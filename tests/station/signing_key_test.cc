// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The station signing-key file: plain and passphrase-protected (age scrypt)
// forms, and the refusals a damaged or wrongly unlocked file must produce.
#include "station/signing_key.h"

#include <gtest/gtest.h>

#include "crypto/ed25519.h"

namespace custody::station {
namespace {

SigningKey TestKey() {
  SigningKey key;
  key.origin = "custody/test-station/0011aabb";
  key.seed = SecretString(std::string(32, '\x07'));
  key.public_key = *crypto::Ed25519PublicKey(key.seed);
  return key;
}

TEST(SigningKeyTest, PlainRoundTripAndSeedMustMatchPublicKey) {
  auto file = EncodeSigningKey(TestKey(), nullptr);
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(IsProtectedKeyFile(file->view()));
  auto back = DecodeSigningKey(file->view(), nullptr);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->origin, TestKey().origin);
  EXPECT_EQ(back->seed.view(), TestKey().seed.view());

  SigningKey other = TestKey();
  other.public_key = *crypto::Ed25519PublicKey(SecretString(std::string(32, '\x08')));
  auto mismatched = EncodeSigningKey(other, nullptr);
  ASSERT_TRUE(mismatched.ok());
  EXPECT_EQ(DecodeSigningKey(mismatched->view(), nullptr).status().code(), StatusCode::kCorruption);
}

TEST(SigningKeyTest, ProtectedKeyIsAnAgeScryptFileThatOnlyThePassphraseOpens) {
  SecretString pass("correct horse battery staple 42");
  // A low work factor keeps the test fast; decoding accepts any factor up to 2^22.
  auto file = EncodeSigningKey(TestKey(), &pass, 10);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_TRUE(IsProtectedKeyFile(file->view()));
  // The seed must not appear in the file in any form we write it in.
  EXPECT_EQ(file->view().find("seed "), std::string_view::npos);
  EXPECT_NE(file->view().find("\n-> scrypt "), std::string_view::npos);

  auto back = DecodeSigningKey(file->view(), &pass);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->seed.view(), TestKey().seed.view());
  EXPECT_EQ(back->public_key, TestKey().public_key);

  SecretString wrong("correct horse battery staple 43");
  auto refused = DecodeSigningKey(file->view(), &wrong);
  EXPECT_EQ(refused.status().code(), StatusCode::kWrongKey);
  EXPECT_NE(refused.status().message().find("wrong passphrase"), std::string::npos);
  EXPECT_EQ(DecodeSigningKey(file->view(), nullptr).status().code(), StatusCode::kWrongKey);

  // A flipped payload byte and a truncated file are damage, never a key.
  std::string flipped(file->view());
  flipped[flipped.size() - 5] ^= 0x01;
  auto bad = DecodeSigningKey(flipped, &pass);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().message();
  std::string truncated(file->view().substr(0, file->view().size() - 20));
  EXPECT_EQ(DecodeSigningKey(truncated, &pass).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace custody::station
