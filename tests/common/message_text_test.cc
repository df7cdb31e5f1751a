// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// MessageText: the English of a pattern with values and nested sentences is
// the plain substitution; values are never read as patterns.
#include "custody/message_text.h"

#include <gtest/gtest.h>

namespace custody {
namespace {

TEST(MessageTextTest, EnglishSubstitutesValuesAndNestedSentencesInOrder) {
  const MessageText inner =
      MessageText::Of("tmpfs: %s lives in memory.", {MessageText::Value("f")});
  const MessageText outer = MessageText::Of("the file system is on a loop device over %s: %s",
                                            {MessageText::Value("/tmp/disk.img"), inner});
  EXPECT_EQ(outer.English(),
            "the file system is on a loop device over /tmp/disk.img: tmpfs: f lives in memory.");
}

TEST(MessageTextTest, AValueIsShownAsItIsEvenWithPlaceholders) {
  const MessageText t = MessageText::Of("refused: %s (%s)",
                                        {MessageText::Value("50%s off"), MessageText::Value("x")});
  EXPECT_EQ(t.English(), "refused: 50%s off (x)");
  EXPECT_EQ(MessageText::Value("%s").English(), "%s");
}

TEST(MessageTextTest, MissingArgumentsLeaveNothingAndEmptyIsEmpty) {
  EXPECT_EQ(MessageText::Of("a %s b").English(), "a  b");
  EXPECT_TRUE(MessageText{}.empty());
  EXPECT_FALSE(MessageText::Of("x").empty());
  EXPECT_EQ(English({MessageText::Of("a"), MessageText::Value("b")}),
            (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace custody
