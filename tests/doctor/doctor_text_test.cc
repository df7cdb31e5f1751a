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

#include "custody/doctor.h"
#include "custody/env.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Substitute(const DoctorText& t) {
  std::string out;
  size_t from = 0, next = 0;
  for (size_t at; (at = t.pattern.find("%s", from)) != std::string::npos; from = at + 2) {
    out += t.pattern.substr(from, at - from);
    if (next < t.args.size()) out += t.args[next++];
  }
  return out + t.pattern.substr(from);
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
    EXPECT_EQ(Substitute(c.detail_text), c.detail);
    EXPECT_EQ(Substitute(c.fix_text), c.fix);
    EXPECT_EQ(Placeholders(c.detail_text.pattern), c.detail_text.args.size());
    EXPECT_EQ(Placeholders(c.fix_text.pattern), c.fix_text.args.size());
    EXPECT_EQ(c.fix.empty(), c.fix_text.pattern.empty());
    if (c.id == "station") {
      saw_station = true;
      EXPECT_EQ(c.detail_text.pattern, "no station at %s");
      EXPECT_EQ(c.detail_text.args, std::vector<std::string>{home});
      EXPECT_THAT(c.fix_text.pattern, Not(HasSubstr(home)));
    }
    if (c.id == "tool.7z") {
      saw_tool = true;
      EXPECT_EQ(c.fix_text.pattern, "apt-get install %s");
      EXPECT_EQ(c.fix_text.args, std::vector<std::string>{"p7zip-full"});
    }
  }
  EXPECT_TRUE(saw_station);
  EXPECT_TRUE(saw_tool);
}

}  // namespace
}  // namespace custody
