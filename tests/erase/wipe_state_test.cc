// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The resume state file (docs/formats/wipe-record.md, "Resume state file")
// as read back: a damaged or edited file is refused with kCorruption.
#include "erase/wipe_state.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace custody::erase {
namespace {

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(CUSTODY_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(WipeStateTest, TheDocumentedExampleParses) {
  auto s = ParseState(ReadTestData("fuzz/documents/wipe_state.json"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->plan.repeat, 1);
  EXPECT_EQ(s->passes.size(), 2u);
}

// A float where an integer belongs was converted with a plain cast, which is
// undefined behaviour out of range (UBSan: "1e+300 is outside the range of
// representable values of type 'int'"), found with the documents fuzz harness.
TEST(WipeStateTest, NumbersThatAreNotIntegersAreRefused) {
  const std::string state = ReadTestData("fuzz/documents/wipe_state.json");
  ASSERT_NE(state.find("\"repeat\": 1,"), std::string::npos);
  auto with = [&](const std::string& repeat) {
    std::string s = state;
    s.replace(s.find("\"repeat\": 1,"), 12, "\"repeat\": " + repeat + ",");
    return ParseState(s);
  };
  for (const char* repeat : {"1e300", "-1e300", "1.0", "1.5"}) {
    SCOPED_TRACE(repeat);
    auto s = with(repeat);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(s.status().message(), "wipe state is not valid: it holds a number that is not an integer");
  }
  EXPECT_EQ(ParseState(ReadTestData("fuzz/documents/crash-wipe-state-float-repeat")).status().code(),
            StatusCode::kCorruption);
  EXPECT_TRUE(with("2").ok());
}

// `ended` (how a run ended while keeping the state) is optional: a state
// written before it, or by a run that never ended, has none.
TEST(WipeStateTest, TheEndIsOptionalAndRoundTrips) {
  auto old = ParseState(ReadTestData("fuzz/documents/wipe_state.json"));
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ASSERT_EQ(ReadTestData("fuzz/documents/wipe_state.json").find("\"ended\""), std::string::npos);
  EXPECT_EQ(old->ended.result, "");
  EXPECT_EQ(SerializeState(*old).find("\"ended\""), std::string::npos);

  WipeState s = *old;
  s.ended = {"failed", "the device did not confirm pass 1 reached the medium",
             "2026-11-23T14:31:00Z"};
  auto back = ParseState(SerializeState(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ended.result, "failed");
  EXPECT_EQ(back->ended.message, s.ended.message);
  EXPECT_EQ(back->ended.at, "2026-11-23T14:31:00Z");

  s.ended.result = "completed";  // A completed wipe keeps no state.
  EXPECT_EQ(ParseState(SerializeState(s)).status().code(), StatusCode::kCorruption);
  std::string missing = SerializeState(*old);
  missing.insert(missing.rfind('}'), ",\"ended\": {\"result\": \"failed\"}");
  EXPECT_EQ(ParseState(missing).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace custody::erase
