// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/written_digests.h"

#include <gtest/gtest.h>

#include <vector>

namespace custody::erase {
namespace {

std::vector<uint8_t> Bytes(size_t n, uint8_t salt) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 131 + salt);
  return b;
}

TEST(WrittenDigestsTest, MatchesOnlyTheBytesRecordedAtThatPlace) {
  WrittenDigests d(42);
  const auto a = Bytes(65536, 1), b = Bytes(65536, 2);
  d.Record(0, a.data(), a.size());
  d.Record(65536, b.data(), b.size());
  EXPECT_TRUE(d.Matches(0, a.data(), a.size()));
  EXPECT_TRUE(d.Matches(65536, b.data(), b.size()));
  EXPECT_FALSE(d.Matches(65536, a.data(), a.size()));  // Another chunk's data.
  EXPECT_FALSE(d.Matches(0, a.data(), a.size() - 512));  // Another length.
  EXPECT_FALSE(d.Matches(512, a.data() + 512, a.size() - 512));  // Not a recorded start.
  EXPECT_FALSE(d.Matches(131072, a.data(), a.size()));           // Never recorded.
  for (size_t bit : {size_t{0}, size_t{8 * 30000 + 3}, size_t{8 * 65536 - 1}}) {
    auto flipped = a;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(d.Matches(0, flipped.data(), flipped.size())) << "bit " << bit;
  }
}

TEST(WrittenDigestsTest, ClearForgetsAndOutOfOrderChunksAreNotRemembered) {
  WrittenDigests d(7);
  const auto a = Bytes(4096, 3), b = Bytes(4096, 4);
  d.Record(8192, a.data(), a.size());
  d.Record(4096, b.data(), b.size());  // Before the last one: ignored.
  d.Record(10240, b.data(), b.size());  // Overlaps the last one: ignored.
  EXPECT_EQ(d.size(), 1u);
  EXPECT_FALSE(d.Matches(4096, b.data(), b.size()));
  d.Clear();
  EXPECT_EQ(d.size(), 0u);
  EXPECT_FALSE(d.Matches(8192, a.data(), a.size()));
}

TEST(WrittenDigestsTest, StopsRememberingAtTheCap) {
  WrittenDigests d(9);
  const uint8_t byte = 0xA5;
  for (size_t i = 0; i < kMaxWrittenDigests + 10; ++i) d.Record(i, &byte, 1);
  EXPECT_EQ(d.size(), kMaxWrittenDigests);
  EXPECT_TRUE(d.Matches(kMaxWrittenDigests - 1, &byte, 1));
  EXPECT_FALSE(d.Matches(kMaxWrittenDigests, &byte, 1));
}

}  // namespace
}  // namespace custody::erase
