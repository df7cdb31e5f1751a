// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/encoding.h"

namespace custody::crypto {
namespace {

// SipHash-2-4 with the reference key 00 01 .. 0f on the messages 00 01 ..
// (n-1) of the reference implementation's vectors.h: n = 0, 1 and 15 (the
// last is the paper's Appendix A example, a129ca6149be45e5).
TEST(KeyedHash64Test, SipHash24ReferenceVectors) {
  uint8_t key[KeyedHash64::kKeySize];
  for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(i);
  const KeyedHash64 h(key);
  EXPECT_EQ(h(""), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(h(std::string(1, '\0')), 0x74f839c593dc67fdull);
  std::string m;
  for (int i = 0; i < 15; ++i) m.push_back(static_cast<char>(i));
  EXPECT_EQ(h(m), 0xa129ca6149be45e5ull);
}

// A different key gives different names, and near paths do not collide.
TEST(KeyedHash64Test, KeyMattersAndNearPathsDiffer) {
  uint8_t k1[16] = {1}, k2[16] = {2};
  const KeyedHash64 a(k1), b(k2);
  EXPECT_NE(a("data/a.csv"), b("data/a.csv"));
  std::set<uint64_t> seen;
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(seen.insert(a("d/f" + std::to_string(i))).second) << i;
}

}  // namespace
}  // namespace custody::crypto
