// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// `custody completion bash` and `custody man`: generated from the command
// table, exercised with a real bash and checked against the real options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Runs the completion function as bash would for `words` (the last word is
// the one being completed) and returns COMPREPLY, one per line.
std::string Complete(const std::string& script_path, const std::string& words, int cword) {
  std::string cmd = "source '" + script_path + "'; COMP_WORDS=(" + words +
                    "); COMP_CWORD=" + std::to_string(cword) +
                    "; _custody; printf '%s\\n' \"${COMPREPLY[@]}\"";
  auto r = RunCommand({"bash", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(CompletionTest, CompletesSubcommandsAndTheirOptions) {
  TempDir dir;
  auto gen = RunCustody({"completion", "bash"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string script = dir.path() + "/custody.bash";
  WriteFileOrDie(script, gen.out);

  std::string top = Complete(script, "custody ''", 1);
  EXPECT_THAT(top, HasSubstr("init\n"));
  EXPECT_THAT(top, HasSubstr("log\n"));
  std::string log = Complete(script, "custody log ''", 2);
  EXPECT_THAT(log, HasSubstr("verify\n"));
  EXPECT_THAT(log, HasSubstr("prove\n"));
  EXPECT_THAT(log, Not(HasSubstr("init\n")));
  std::string opts = Complete(script, "custody --home /tmp/x log verify --a", 5);
  EXPECT_EQ(opts, "--against\n");
  std::string global = Complete(script, "custody log show --ho", 3);
  EXPECT_EQ(global, "--home\n");
}

TEST(ManPageTest, ListsEveryCommandAndOption) {
  auto man = RunCustody({"man"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  EXPECT_EQ(man.out.rfind(".TH CUSTODY 1 ", 0), 0u);
  for (const char* cmd : {"init", "status", "log show", "log verify", "log prove",
                          "log verify-bundle", "log append", "log export", "completion"}) {
    std::string roff_name;  // roff writes a dash as "\-"
    for (const char* c = cmd; *c; ++c)
      roff_name += (*c == '-') ? std::string("\\-") : std::string(1, *c);
    EXPECT_THAT(man.out, HasSubstr(".SS \"custody " + roff_name + "\"")) << cmd;
  }
  // Every option of `log verify` as the binary's own help lists it.
  auto help = RunCustody({"log", "verify", "--help"});
  for (const char* opt : {"--against", "--ledger", "--key"}) {
    ASSERT_THAT(help.out, HasSubstr(opt));
    EXPECT_THAT(man.out, HasSubstr(std::string("\\fB\\-\\-") + (opt + 2) + "\\fR"));
  }
  EXPECT_THAT(man.out, HasSubstr(".SH EXIT STATUS"));
  // groff (when present; -k runs preconv for the Japanese examples) parses it
  // without warnings.
  if (RunCommand({"sh", "-c", "command -v groff"}).exit_code == 0) {
    auto groff = RunCommand({"groff", "-k", "-man", "-Tutf8", "-ww", "-z"}, man.out);
    EXPECT_EQ(groff.exit_code, 0);
    EXPECT_EQ(groff.err, "");
  }
}

}  // namespace
}  // namespace custody
