// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/time_util.h"

#include <gtest/gtest.h>

namespace custody::timeutil {
namespace {

TEST(TimeUtilTest, Rfc3339RoundTrip) {
  auto t = ParseTime("2026-11-23T04:05:06Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1795406706000000);
  EXPECT_EQ(FormatRfc3339Utc(*t), "2026-11-23T04:05:06Z");
  EXPECT_EQ(*ParseTime("2026-11-23T13:05:06+09:00"), *t);
  EXPECT_EQ(FormatJst(*t), "2026-11-23 13:05:06 JST");
  EXPECT_EQ(*ParseTime("2026-11-23"), 1795392000000000);
  EXPECT_FALSE(ParseTime("2026-13-01").ok());
  EXPECT_FALSE(ParseTime("yesterday").ok());
  EXPECT_FALSE(ParseTime("2026-11-23T04:05:06").ok());
}

TEST(TimeUtilTest, Wareki) {
  EXPECT_EQ(FormatWareki(*ParseTime("2026-11-23T00:00:00+09:00")), "令和8年11月23日");
  EXPECT_EQ(FormatWareki(*ParseTime("2019-05-01T00:00:00+09:00")), "令和元年5月1日");
  EXPECT_EQ(FormatWareki(*ParseTime("2019-04-30T00:00:00+09:00")), "平成31年4月30日");
}

}  // namespace
}  // namespace custody::timeutil
