// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Every doctor finding carries its sentence twice: as English text (detail,
// fix: what --json prints) and as a constant pattern with its values apart
// (detail_text, fix_text: what an interface translates). They must agree,
// and the values must not leak into the pattern (it would then never match
// the catalog).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "custody/doctor.h"
#include "custody/env.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The values of a doctor sentence: every argument is a value (never a
// nested sentence to translate).
std::vector<std::string> Values(const MessageText& t) {
  std::vector<std::string> out;
  for (const MessageText& a : t.args) {
    EXPECT_TRUE(a.is_value) << t.pattern;
    out.push_back(a.pattern);
  }
  return out;
}

size_t Placeholders(const std::string& pattern) {
  size_t n = 0;
  for (size_t at = 0; (at = pattern.find("%s", at)) != std::string::npos; at += 2) ++n;
  return n;
}

TEST(DoctorTextTest, PatternsAndValuesSayWhatTheEnglishSays) {
  TempDir dir;
  const std::string home = dir.path() + "/no-station-here";
  // An empty PATH: every tool is missing, so the warnings and their fixes
  // (with the package as a value) are all produced.
  DoctorReport report = RunDoctor(home, dir.path(), Env::Default());
  ASSERT_FALSE(report.checks.empty());
  bool saw_station = false, saw_tool = false;
  for (const DoctorCheck& c : report.checks) {
    SCOPED_TRACE(c.id);
    EXPECT_FALSE(c.detail_text.is_value);
    EXPECT_EQ(c.detail_text.English(), c.detail);
    EXPECT_EQ(c.fix_text.English(), c.fix);
    EXPECT_EQ(Placeholders(c.detail_text.pattern), c.detail_text.args.size());
    EXPECT_EQ(Placeholders(c.fix_text.pattern), c.fix_text.args.size());
    EXPECT_EQ(c.fix.empty(), c.fix_text.pattern.empty());
    if (c.id == "station") {
      saw_station = true;
      EXPECT_EQ(c.detail_text.pattern, "no station at %s");
      EXPECT_EQ(Values(c.detail_text), std::vector<std::string>{home});
      EXPECT_THAT(c.fix_text.pattern, Not(HasSubstr(home)));
    }
    if (c.id == "tool.7z") {
      saw_tool = true;
      EXPECT_EQ(c.fix_text.pattern, "apt-get install %s");
      EXPECT_EQ(Values(c.fix_text), std::vector<std::string>{"p7zip-full"});
    }
  }
  EXPECT_TRUE(saw_station);
  EXPECT_TRUE(saw_tool);
}

}  // namespace
}  // namespace custody
