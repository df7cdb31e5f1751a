// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Bech32: the BIP 173 test vectors, and the age-specific differences (no
// 90-character limit, "AGE-SECRET-KEY-" human-readable parts).
#include "crypto/bech32.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace custody::bech32 {
namespace {

TEST(Bech32Test, Bip173ValidStrings) {
  for (const char* s : {
           "A12UEL5L",
           "a12uel5l",
           "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5"
           "tgs",
           "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
           "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc82"
           "47j",
           "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
           "?1ezyfcl",
       }) {
    auto d = Decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status().ToString();
    // Re-encoding gives the same string (case follows the HRP).
    auto e = Encode(d->hrp, d->data.view());
    ASSERT_TRUE(e.ok()) << s;
    EXPECT_EQ(e->view(), s);
  }
}

TEST(Bech32Test, Bip173InvalidStrings) {
  const std::string invalid[] = {
      std::string("\x20") + "1nwldj5",   // HRP character out of range
      std::string("\x7f") + "1axkwrx",   // HRP character out of range
      std::string("\x80") + "1eym55h",   // HRP character out of range
      "pzry9x0s0muk",                    // no separator
      "1pzry9x0s0muk",                   // empty HRP
      "x1b4n0q5v",                       // invalid data character
      "li1dgmt3",                        // too short checksum
      std::string("de1lg7wt") + "\xff",  // invalid character in checksum
      "A1G7SGD8",                        // checksum computed with uppercase HRP
      "10a06t8",                         // empty HRP
      "1qzzfhee",                        // empty HRP
  };
  for (const auto& s : invalid) {
    auto d = Decode(s);
    EXPECT_FALSE(d.ok()) << encoding::HexEncode(s);
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(Bech32Test, AgeHasNoLengthLimit) {
  // BIP 173 refuses this 91-character string for its length only; age's
  // Bech32 has no length limit (post-quantum recipients are ~2 KB).
  EXPECT_TRUE(Decode("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharac"
                     "tersbio1569pvx")
                  .ok());
  std::string data(1216, '\x5a');
  auto e = Encode("age1pq", data);
  ASSERT_TRUE(e.ok());
  EXPECT_GT(e->size(), 1900u);
  auto d = Decode(e->view());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->data.view(), data);
}

TEST(Bech32Test, RefusesMixedCase) {
  auto e = Encode("age", std::string(32, '\x01'));
  ASSERT_TRUE(e.ok());
  std::string s(e->view());
  ASSERT_TRUE(Decode(s).ok());
  std::string upper = s;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(Decode(upper).ok());
  // One letter of the data part flipped to uppercase.
  std::string mixed = s;
  for (size_t i = 4; i < mixed.size(); ++i) {
    if (mixed[i] >= 'a' && mixed[i] <= 'z') {
      mixed[i] = static_cast<char>(mixed[i] - 'a' + 'A');
      break;
    }
  }
  EXPECT_FALSE(Decode(mixed).ok());
  EXPECT_FALSE(Encode("Age", "x").ok());
}

TEST(Bech32Test, RefusesEverySingleCharacterChange) {
  auto e = Encode("AGE-SECRET-KEY-", std::string(32, '\x42'));
  ASSERT_TRUE(e.ok());
  std::string s(e->view());
  EXPECT_EQ(s.rfind("AGE-SECRET-KEY-1", 0), 0u);
  const std::string charset = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
  for (size_t i = 16; i < s.size(); ++i) {
    for (char c : charset) {
      if (c == s[i]) continue;
      std::string t = s;
      t[i] = c;
      EXPECT_FALSE(Decode(t).ok()) << "position " << i << " -> " << c;
    }
  }
}

// A reference BIP 173 checksum, written from the BIP's Python, so that the
// test can build strings whose checksum is valid but whose padding is not.
std::string WithChecksum(const std::string& hrp, const std::vector<int>& groups) {
  const std::string charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::vector<int> values;
  for (char c : hrp) values.push_back(static_cast<unsigned char>(c) >> 5);
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<unsigned char>(c) & 31);
  values.insert(values.end(), groups.begin(), groups.end());
  for (int i = 0; i < 6; ++i) values.push_back(0);
  uint32_t chk = 1;
  for (int v : values) {
    uint32_t b = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ static_cast<uint32_t>(v);
    for (int i = 0; i < 5; ++i) chk ^= ((b >> i) & 1) ? gen[i] : 0;
  }
  uint32_t mod = chk ^ 1;
  std::string out = hrp + "1";
  for (int g : groups) out += charset[g];
  for (int i = 0; i < 6; ++i) out += charset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

TEST(Bech32Test, PaddingMustBeZeroAndShort) {
  // Two groups = 10 bits: one byte and two padding bits.
  auto ok = Decode(WithChecksum("x", {0, 4}));  // 00000 001|00
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->data.view(), std::string(1, '\x01'));
  EXPECT_EQ(Encode("x", "\x01")->view(), WithChecksum("x", {0, 4}));
  // Same byte, padding bits set: the checksum is valid, the encoding is not
  // canonical.
  auto nonzero = Decode(WithChecksum("x", {0, 5}));
  ASSERT_FALSE(nonzero.ok());
  EXPECT_NE(nonzero.status().message().find("padding"), std::string::npos);
  // Three groups = 15 bits: a byte and 7 leftover bits, a whole group too
  // many.
  auto overlong = Decode(WithChecksum("x", {0, 4, 0}));
  ASSERT_FALSE(overlong.ok());
  EXPECT_NE(overlong.status().message().find("padding"), std::string::npos);
}

}  // namespace
}  // namespace custody::bech32
