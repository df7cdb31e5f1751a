// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/canonical_json.h"

#include <gtest/gtest.h>

#include <string>

namespace custody::json {
namespace {

TEST(CanonicalJsonTest, SortsKeysAndDropsWhitespace) {
  auto c = CanonicalizeText(R"({ "b": 1, "a": {"z": [1, 2, "x"], "y": null}, "c": true })");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, R"({"a":{"y":null,"z":[1,2,"x"]},"b":1,"c":true})");
}

TEST(CanonicalJsonTest, JcsStringEscaping) {
  // JCS: \b \t \n \f \r short forms, other controls as lowercase \u00xx,
  // '/' and non-ASCII (here 日本語, U+007F) unescaped.
  auto c = CanonicalizeText("{\"k\":\"\\u0008\\t\\n\\f\\r\\u001F\\u007f/\\u65e5\xe6\x9c\xac\\\"\\\\\"}");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, "{\"k\":\"\\b\\t\\n\\f\\r\\u001f\x7f/\xe6\x97\xa5\xe6\x9c\xac\\\"\\\\\"}");
}

TEST(CanonicalJsonTest, RefusesWhatCanonicalJsonCannotHold) {
  EXPECT_FALSE(CanonicalizeText(R"({"a":1,"a":2})").ok());           // duplicate key
  EXPECT_FALSE(CanonicalizeText(R"({"a":1.5})").ok());               // float
  EXPECT_FALSE(CanonicalizeText(R"({"a":1e3})").ok());               // float syntax
  EXPECT_FALSE(CanonicalizeText(R"({"a":9007199254740992})").ok());  // 2^53
  EXPECT_TRUE(CanonicalizeText(R"({"a":9007199254740991})").ok());
  EXPECT_FALSE(CanonicalizeText("{\"a\":\"\xff\"}").ok());           // invalid UTF-8
  EXPECT_FALSE(CanonicalizeText(R"({"a":1} x)").ok());                // trailing garbage
  EXPECT_FALSE(CanonicalizeText("{\"\xee\x80\x80\":1}").ok());       // key >= U+E000
}

TEST(CanonicalJsonTest, DuplicateKeysAreFoundInSmallLargeAndSiblingObjects) {
  // Siblings at the same depth reuse the parser's key set: no false alarm.
  EXPECT_TRUE(CanonicalizeText(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]})").ok());
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(CanonicalizeText(many + "\"end\":0}").ok());
  EXPECT_FALSE(CanonicalizeText(many + "\"k3\":0}").ok());   // Duplicate of an early key, past 16 keys.
  EXPECT_FALSE(CanonicalizeText(many + "\"k39\":0}").ok());  // Duplicate of a late one.
  EXPECT_FALSE(CanonicalizeText(R"({"o":{"a":1,"b":2,"a":3}})").ok());
  EXPECT_FALSE(CanonicalizeText(R"([{"a":1},{"b":1,"b":2}])").ok());
}

// Deeper nesting overflowed the stack in Canonicalize (found with the ledger
// fuzz harness; the input is tests/data/fuzz/ledger/crash-entry-nested-80000-deep).
TEST(CanonicalJsonTest, NestingIsLimitedTo128Levels) {
  auto nested = [](int levels, char open, char close) {
    return std::string(levels, open) + std::string(levels, close);
  };
  EXPECT_TRUE(CanonicalizeText(nested(128, '[', ']')).ok());
  std::string siblings(1, '[');  // Two arrays 127 deep side by side: depth 128.
  siblings.append(nested(127, '[', ']')).append(1, ',').append(nested(127, '[', ']')).append(1, ']');
  EXPECT_TRUE(CanonicalizeText(siblings).ok());
  auto deep = ParseStrict(nested(129, '[', ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "invalid JSON: objects and arrays nested deeper than 128 levels");
  std::string objects;
  for (int i = 0; i < 129; ++i) objects += R"({"a":)";
  objects.append(1, '1').append(129, '}');
  EXPECT_FALSE(ParseStrict(objects).ok());
  EXPECT_FALSE(ParseStrict(nested(100000, '[', ']')).ok());
}

TEST(CanonicalJsonTest, IsCanonical) {
  EXPECT_TRUE(IsCanonical(R"({"a":1,"b":[]})"));
  EXPECT_FALSE(IsCanonical(R"({"b":[],"a":1})"));
  EXPECT_FALSE(IsCanonical(R"({"a": 1})"));
  EXPECT_FALSE(IsCanonical(R"({"a":"\u0041"})"));  // Same meaning as "A", other bytes.
}

}  // namespace
}  // namespace custody::json
