// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/status.h"

#include <gtest/gtest.h>

#include "custody/secret.h"

namespace custody {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  CUSTODY_ASSIGN_OR_RETURN(*out, Half(x));
  return Status::Ok();
}

TEST(StatusTest, CodesAndMessages) {
  Status s = CorruptionError("entry 7 was changed");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.ToString(), "corruption: entry 7 was changed");
  EXPECT_EQ(s.WithContext("ledger").message(), "ledger: entry 7 was changed");
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(StatusCodeName(StatusCode::kWrongKey), "wrong-key");
}

TEST(StatusTest, ResultPropagates) {
  int v = 0;
  EXPECT_TRUE(UseHalf(8, &v).ok());
  EXPECT_EQ(v, 4);
  Status s = UseHalf(3, &v);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "odd");
}

TEST(SecretStringTest, TrimAndMove) {
  SecretString s("hunter2\r\n");
  s.TrimTrailingNewline();
  EXPECT_EQ(s.view(), "hunter2");
  SecretString t = std::move(s);
  EXPECT_EQ(t.view(), "hunter2");
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped.
}

}  // namespace
}  // namespace custody
