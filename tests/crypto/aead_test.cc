// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The two AEADs behind crypto::Aead: AES-256-GCM against the GCM
// specification's test cases, and both ciphers' contract (round trip, any
// change or a wrong nonce refused with the output wiped, misuse an error).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/primitives.h"
#include "custody/secret.h"

namespace custody::crypto {
namespace {

std::string Unhex(std::string_view hex) { return encoding::HexDecode(hex).value(); }

SecretString Key(std::string_view hex) {
  const std::string raw = Unhex(hex);
  SecretString key(raw.size());
  std::copy(raw.begin(), raw.end(), key.mutable_bytes());
  return key;
}

std::string SealToString(Aead& aead, std::string_view nonce, std::string_view plain) {
  std::string out(plain.size() + kChaChaPolyTagSize, '\0');
  EXPECT_TRUE(aead.Seal(reinterpret_cast<const uint8_t*>(nonce.data()), plain,
                        reinterpret_cast<uint8_t*>(out.data()))
                  .ok());
  return out;
}

// McGrew and Viega, "The Galois/Counter Mode of Operation", appendix B, test
// cases 14 and 15 (256-bit keys, 96-bit IVs, no additional data). Checked
// against OpenSSL (Python cryptography's AESGCM) when written.
TEST(AesGcmTest, MatchesTheGcmSpecificationTestCases) {
  struct Case {
    const char* key;
    const char* iv;
    const char* plain;
    const char* sealed;  // Ciphertext, then the tag.
  };
  const Case cases[] = {
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "000000000000000000000000", "00000000000000000000000000000000",
       "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"},
      {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
       "cafebabefacedbaddecaf888",
       "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
       "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
       "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
       "b094dac5d93471bdec1a502270e3cc6c"},
  };
  for (const Case& c : cases) {
    auto gcm = NewLocalAead(Key(c.key), LocalAeadChoice::kAes256Gcm);
    ASSERT_TRUE(gcm.ok()) << gcm.status().ToString();
    const std::string iv = Unhex(c.iv), plain = Unhex(c.plain), sealed = Unhex(c.sealed);
    EXPECT_EQ(encoding::HexEncode(SealToString(**gcm, iv, plain)), c.sealed);
    std::string opened(plain.size(), '\0');
    auto ok = (*gcm)->Open(reinterpret_cast<const uint8_t*>(iv.data()), sealed,
                           reinterpret_cast<uint8_t*>(opened.data()));
    ASSERT_TRUE(ok.ok());
    EXPECT_TRUE(*ok);
    EXPECT_EQ(opened, plain);
  }
}

class AeadContractTest : public ::testing::TestWithParam<LocalAeadChoice> {};

TEST_P(AeadContractTest, RoundTripsAndRefusesAnyChangeWithTheOutputWiped) {
  auto aead = NewLocalAead(Key(std::string(64, '7')), GetParam());
  ASSERT_TRUE(aead.ok()) << aead.status().ToString();
  EXPECT_EQ((*aead)->name(), GetParam() == LocalAeadChoice::kAes256Gcm ? "AES-256-GCM"
                                                                         : "ChaCha20-Poly1305");
  const std::string nonce = Unhex("000000000000000000000005");
  const std::string plain(65536 + 3, 'p');
  const std::string sealed = SealToString(**aead, nonce, plain);
  ASSERT_EQ(sealed.size(), plain.size() + kChaChaPolyTagSize);
  EXPECT_EQ(sealed.find(plain.substr(0, 64)), std::string::npos);  // Encrypted.
  auto open = [&](std::string_view n, std::string_view text, std::string* out) {
    out->assign(text.size() - kChaChaPolyTagSize, 'x');
    return (*aead)->Open(reinterpret_cast<const uint8_t*>(n.data()), text,
                         reinterpret_cast<uint8_t*>(out->data()));
  };
  std::string out;
  auto ok = open(nonce, sealed, &out);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  EXPECT_EQ(out, plain);
  // A flipped bit in the first byte, the middle, the last ciphertext byte and
  // the tag; and the right text under another nonce.
  for (size_t at : {size_t{0}, plain.size() / 2, plain.size() - 1, sealed.size() - 1}) {
    std::string changed = sealed;
    changed[at] ^= 0x01;
    ok = open(nonce, changed, &out);
    ASSERT_TRUE(ok.ok());
    EXPECT_FALSE(*ok) << at;
    EXPECT_EQ(out, std::string(out.size(), '\0')) << "unauthenticated plaintext left at " << at;
  }
  ok = open(Unhex("000000000000000000000006"), sealed, &out);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(*ok);
  // Misuse: a text shorter than the tag, a key of the wrong size.
  uint8_t scratch[16];
  EXPECT_EQ((*aead)
                ->Open(reinterpret_cast<const uint8_t*>(nonce.data()), "short", scratch)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NewLocalAead(Key("0011"), GetParam()).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Ciphers, AeadContractTest,
                         ::testing::Values(LocalAeadChoice::kAes256Gcm,
                                           LocalAeadChoice::kChaCha20Poly1305),
                         [](const ::testing::TestParamInfo<LocalAeadChoice>& info) {
                           return info.param == LocalAeadChoice::kAes256Gcm ? "Aes256Gcm"
                                                                            : "ChaCha20Poly1305";
                         });

TEST(LocalAeadTest, TheFastestChoiceIsGcmExactlyWhereTheCpuAcceleratesIt) {
  auto aead = NewLocalAead(Key(std::string(64, '1')));
  ASSERT_TRUE(aead.ok());
  const bool is_gcm = (*aead)->name() == "AES-256-GCM";
  const bool is_chacha = (*aead)->name() == "ChaCha20-Poly1305";
  EXPECT_EQ(is_gcm, HasAesGcmInstructions());
  EXPECT_EQ(is_chacha, !HasAesGcmInstructions());
  // Independently of the function: the CPU's flags as the kernel reports
  // them. Where both instructions are there (this machine: x86 with aes and
  // pclmulqdq), GCM must be chosen.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool aes = false, clmul = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    aes = line.find(" aes") != std::string::npos;
    clmul = line.find(" pclmulqdq") != std::string::npos;
    break;
  }
  if (aes && clmul) {
    EXPECT_TRUE(is_gcm);
  }
}

}  // namespace
}  // namespace custody::crypto
