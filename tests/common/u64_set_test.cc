// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/u64_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/concat_source.h"

namespace custody {
namespace {

// Against std::set on random values, across many growths, with repeats,
// values that share low bits (the slot index) and the 0 sentinel case.
TEST(U64SetTest, BehavesLikeASetAcrossGrowth) {
  std::mt19937_64 rng(7);
  U64Set set;
  std::set<uint64_t> ref;
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = rng();
    if (i % 5 == 0) v <<= 20;  // Same low bits: long probe runs.
    if (i % 7 == 0 && !ref.empty()) v = *ref.begin();  // A repeat.
    ASSERT_EQ(set.Insert(v), ref.insert(v == 0 ? 1 : v).second) << i;
  }
  EXPECT_EQ(set.size(), ref.size());
  for (uint64_t v : ref) EXPECT_TRUE(set.Contains(v));
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng() | 1;
    EXPECT_EQ(set.Contains(v), ref.count(v) == 1);
  }
  U64Set empty;
  EXPECT_FALSE(empty.Contains(42));
  // 0 is kept as 1 (documented): the two are one value to the set.
  EXPECT_TRUE(empty.Insert(0));
  EXPECT_FALSE(empty.Insert(1));
  EXPECT_TRUE(empty.Contains(0));
}

// ConcatSource: parts in order, empty parts skipped, sources rewound with it.
TEST(ConcatSourceTest, PartsInOrderAndRewound) {
  ConcatSource inner;
  inner.Add("b").Add("").Add("cd");
  ConcatSource outer;
  outer.Add("a").Add(inner).Add("").Add("e");
  for (int pass = 0; pass < 2; ++pass) {
    ASSERT_TRUE(outer.Rewind().ok());
    std::string got;
    int pieces = 0;
    while (true) {
      auto p = outer.Next();
      ASSERT_TRUE(p.ok());
      if (p->empty()) break;
      got.append(*p);
      ++pieces;
    }
    EXPECT_EQ(got, "abcde");
    EXPECT_EQ(pieces, 4);
  }
}

}  // namespace
}  // namespace custody
