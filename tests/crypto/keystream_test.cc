// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The seekable keystream against answers that do not come from Crypto++:
//   - counter block 0 is AES_K(0^128): NIST AESAVS known answers (KeySbox and
//     VarKey, AES-128 and AES-256, plaintext all zero);
//   - other offsets: OpenSSL 3.0's AES-CTR, computed once with
//       head -c $((off % 16 + n)) /dev/zero |
//         openssl enc -aes-128-ctr -K KEY -iv $(printf '%032x' $((off / 16))) |
//         tail -c n | xxd -p
//     (the IV is the 128-bit big-endian counter of block off / 16), with the
//     SP 800-38A example keys. Offsets cover an unaligned start, a span of
//     several blocks, the carry out of the low 32 counter bits (64 GiB), and
//     offsets far beyond any disk.
#include "crypto/keystream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace custody::crypto {
namespace {

std::string Unhex(const std::string& hex) {
  auto r = encoding::HexDecode(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : std::string();
}

std::string Generate(KeystreamGenerator g, const std::string& key_hex, uint64_t offset, size_t n) {
  SeekableKeystream ks(g, Unhex(key_hex));
  std::string out(n, '\0');
  ks.Generate(offset, reinterpret_cast<uint8_t*>(out.data()), n);
  return encoding::HexEncode(out);
}

TEST(KeystreamTest, NamesAndKeySizes) {
  EXPECT_EQ(KeystreamGeneratorName(KeystreamGenerator::kAes128Ctr), "aes-128-ctr");
  EXPECT_EQ(KeystreamGeneratorName(KeystreamGenerator::kAes256Ctr), "aes-256-ctr");
  EXPECT_EQ(KeystreamKeySize(KeystreamGenerator::kAes128Ctr), 16u);
  EXPECT_EQ(KeystreamKeySize(KeystreamGenerator::kAes256Ctr), 32u);
  EXPECT_EQ(ParseKeystreamGenerator("aes-128-ctr"), KeystreamGenerator::kAes128Ctr);
  EXPECT_EQ(ParseKeystreamGenerator("aes-256-ctr"), KeystreamGenerator::kAes256Ctr);
  EXPECT_FALSE(ParseKeystreamGenerator("AES-128-CTR").has_value());
  EXPECT_FALSE(ParseKeystreamGenerator("chacha20").has_value());
  EXPECT_EQ(kOverwriteGenerator, KeystreamGenerator::kAes128Ctr);
}

TEST(KeystreamTest, CounterZeroIsAesOfTheZeroBlock) {
  // AESAVS (NIST, 2002) Appendix C: KeySbox and VarKey, plaintext 0^128.
  EXPECT_EQ(Generate(KeystreamGenerator::kAes128Ctr, "10a58869d74be5a374cf867cfb473859", 0, 16),
            "6d251e6944b051e04eaa6fb4dbf78465");
  EXPECT_EQ(Generate(KeystreamGenerator::kAes128Ctr, "80000000000000000000000000000000", 0, 16),
            "0edd33d3c621e546455bd8ba1418bec8");
  EXPECT_EQ(Generate(KeystreamGenerator::kAes256Ctr,
                     "c47b0294dbbbee0fec4757f22ffeee3587ca4730c3d33b691df38bab076bc558", 0, 16),
            "46f2fb342d6f0ab477476fc501242c5f");
}

struct Answer {
  KeystreamGenerator generator;
  uint64_t offset;
  const char* hex;
};

constexpr char kKey128[] = "2b7e151628aed2a6abf7158809cf4f3c";  // SP 800-38A F.5.1
constexpr char kKey256[] =                                      // SP 800-38A F.5.5
    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";

const std::vector<Answer>& Answers() {
  static const std::vector<Answer> answers = {
      {KeystreamGenerator::kAes128Ctr, 0,
       "7df76b0c1ab899b33e42f047b91b546f57127d4034b1bebfaef466b9c7726fc6"},
      {KeystreamGenerator::kAes128Ctr, 5,
       "b899b33e42f047b91b546f57127d4034b1bebfaef466b9c7726fc6973f2ef34879e2027f1734303f"},
      {KeystreamGenerator::kAes128Ctr, 4096007, "01b5416b5f8d4055bdbe165a7e527c38af9402feab"},
      // Blocks 2^32 - 1 and 2^32: the counter carries out of its low 32 bits.
      {KeystreamGenerator::kAes128Ctr, 16 * ((uint64_t{1} << 32) - 1) + 8,
       "5ee2d8d98a1e65326791ab9e2faeedef"},
      {KeystreamGenerator::kAes128Ctr, (uint64_t{1} << 44) + 11,
       "86d46545b9fa174b45c7157ecf3cdeddbf6c2d2610e9d520"},
      {KeystreamGenerator::kAes128Ctr, (uint64_t{1} << 62) + 3, "4399968f4b5c9c5efd07409f48d0350b"},
      {KeystreamGenerator::kAes256Ctr, 0,
       "e568f68194cf76d6174d4cc04310a85491151e5d0b7a1f1bc0d7acd0ae3e51e4"},
      {KeystreamGenerator::kAes256Ctr, 16 * ((uint64_t{1} << 32) - 1) + 8,
       "6bbdd2ccf42434979ff73b5d5d7c5969"},
  };
  return answers;
}

TEST(KeystreamTest, GenerateMatchesOpenSslAtEveryOffset) {
  for (const Answer& a : Answers()) {
    const std::string key = a.generator == KeystreamGenerator::kAes128Ctr ? kKey128 : kKey256;
    const size_t n = std::string(a.hex).size() / 2;
    EXPECT_EQ(Generate(a.generator, key, a.offset, n), a.hex) << "offset " << a.offset;
  }
}

TEST(KeystreamTest, SeeksBackAndForthOnOneObject) {
  // One object reused for out-of-order chunks, as the verification workers do.
  SeekableKeystream ks(KeystreamGenerator::kAes128Ctr, Unhex(kKey128));
  for (int round = 0; round < 2; ++round) {
    for (auto it = Answers().rbegin(); it != Answers().rend(); ++it) {
      if (it->generator != KeystreamGenerator::kAes128Ctr) continue;
      std::string out(std::string(it->hex).size() / 2, '\0');
      ks.Generate(it->offset, reinterpret_cast<uint8_t*>(out.data()), out.size());
      EXPECT_EQ(encoding::HexEncode(out), it->hex) << "offset " << it->offset;
    }
  }
}

TEST(KeystreamTest, ConsecutivePiecesEqualOneCall) {
  // Consecutive calls continue without a Seek: odd piece sizes (partial
  // counter blocks) must still give one stream.
  SeekableKeystream whole(KeystreamGenerator::kAes128Ctr, Unhex(kKey128));
  std::string expected(100000, '\0');
  whole.Generate(12345, reinterpret_cast<uint8_t*>(expected.data()), expected.size());
  SeekableKeystream pieces(KeystreamGenerator::kAes128Ctr, Unhex(kKey128));
  std::string got(expected.size(), '\0');
  auto* p = reinterpret_cast<uint8_t*>(got.data());
  size_t pos = 0;
  for (size_t len : {1u, 15u, 16u, 17u, 4096u, 3u, 16384u, 29u, 777u}) {
    pieces.Generate(12345 + pos, p + pos, len);
    pos += len;
  }
  pieces.Generate(12345 + pos, p + pos, got.size() - pos);
  EXPECT_EQ(got, expected);
}

TEST(KeystreamTest, TheTwoGeneratorsDiffer) {
  // Same 16 leading key bytes: a state read with the wrong generator would
  // regenerate another stream (and fail verification), never the same one.
  const std::string k256 = kKey256;
  EXPECT_NE(Generate(KeystreamGenerator::kAes128Ctr, k256.substr(0, 32), 0, 16),
            Generate(KeystreamGenerator::kAes256Ctr, k256, 0, 16));
}

}  // namespace
}  // namespace custody::crypto
