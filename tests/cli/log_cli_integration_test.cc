// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: init, status, log show/verify/checkpoint/prove/
// verify-bundle/export, and the independent Python verifier on its bundles.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class LogCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1", "--operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  std::string VerifierKey() {
    auto r = Run({"--json", "status"});
    return nlohmann::json::parse(r.out)["verifier_key"].get<std::string>();
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(LogCliTest, InitCreatesAPrivateStation) {
  struct stat st;
  ASSERT_EQ(stat(home_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((home_ + "/keys/signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = Run({"init", "--organization", "x", "--name", "y", "--operator", "z"});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_THAT(again.err, HasSubstr("custody: error: a station already exists"));
  auto status = Run({"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("ledger entries: 1"));
  EXPECT_THAT(status.out, HasSubstr("株式会社サンプル情報"));
}

TEST_F(LogCliTest, ShowVerifyProveAndExport) {
  auto show = Run({"--json", "log", "show"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto entry = nlohmann::json::parse(show.out);
  EXPECT_EQ(entry["type"], "station.created");
  EXPECT_EQ(entry["operator"], "山田太郎");
  EXPECT_EQ(entry["seq"], 0);

  auto verify = Run({"log", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("ledger OK: 1 entries"));

  std::string kept = dir_.path() + "/kept-checkpoint";
  auto cp = Run({"log", "checkpoint"});
  ASSERT_EQ(cp.exit_code, 0);
  WriteFileOrDie(kept, cp.out);
  EXPECT_EQ(Run({"log", "verify", "--against", kept}).exit_code, 0);

  std::string bundle = dir_.path() + "/entry-0.bundle";
  ASSERT_EQ(Run({"log", "prove", "0", "-o", bundle}).exit_code, 0);
  std::string vkey = VerifierKey();
  auto vb = RunCustody({"log", "verify-bundle", bundle, "--key", vkey});
  EXPECT_EQ(vb.exit_code, 0) << vb.err;
  EXPECT_THAT(vb.out, HasSubstr("evidence bundle OK: entry 0"));

  // The independent verifier agrees, and both refuse an altered bundle.
  auto py = RunCommand({"python3", std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py", bundle, "--key", vkey});
  EXPECT_EQ(py.exit_code, 0) << py.out << py.err;
  std::string text = ReadFileOrDie(bundle);
  text.replace(text.find("\nindex 0\n"), 9, "\nindex 1\n");
  std::string bad = dir_.path() + "/bad.bundle";
  WriteFileOrDie(bad, text);
  auto vbad = RunCustody({"log", "verify-bundle", bad, "--key", vkey});
  EXPECT_EQ(vbad.exit_code, 8) << vbad.err;
  EXPECT_THAT(vbad.err, HasSubstr("REJECTED"));
  EXPECT_NE(RunCommand({"python3", std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py", bad, "--key", vkey}).exit_code, 0);

  std::string out = dir_.path() + "/audit";
  ASSERT_EQ(Run({"log", "export", out}).exit_code, 0);
  EXPECT_EQ(ReadFileOrDie(out + "/checkpoint"), cp.out);
  EXPECT_EQ(ReadFileOrDie(out + "/verifier-key"), vkey + "\n");
  EXPECT_THAT(ReadFileOrDie(out + "/entries.jsonl"), HasSubstr("\"type\":\"station.created\""));
  EXPECT_THAT(ReadFileOrDie(out + "/README.md"), HasSubstr("verify-evidence.py"));

  // An auditor's copy of ledger.db verifies with the key alone.
  auto copy = RunCustody({"log", "verify", "--ledger", home_ + "/ledger.db", "--key", vkey});
  EXPECT_EQ(copy.exit_code, 0) << copy.err;
}

TEST_F(LogCliTest, ClearErrorsAndExitCodes) {
  auto none = RunCustody({"--home", dir_.path() + "/nowhere", "status"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_THAT(none.err, HasSubstr("run `custody init` first"));
  EXPECT_EQ(RunCustody({"log", "bogus"}).exit_code, 2);
  auto missing = Run({"log", "prove", "99"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("entry 99 is not in the ledger"));
  auto date = Run({"log", "show", "--since", "yesterday"});
  EXPECT_EQ(date.exit_code, 2);
  EXPECT_THAT(date.err, HasSubstr("invalid"));
}


TEST(StationCliTest, ProtectedKeySignsOnlyWithItsPassphrase) {
  TempDir dir;
  std::string home = dir.path() + "/station";
  std::string pass_file = dir.path() + "/pass";
  std::string wrong_file = dir.path() + "/wrong";
  { FILE* f = fopen(pass_file.c_str(), "w"); fputs("a long station passphrase 2026\n", f); fclose(f); }
  { FILE* f = fopen(wrong_file.c_str(), "w"); fputs("not the passphrase at all 2026\n", f); fclose(f); }
  auto init = RunCustody({"--home", home, "init", "--organization", "株式会社サンプル情報", "--name", "office-2",
                          "--operator", "山田太郎", "--protect-key", "--passphrase-file", pass_file});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  std::string key_file;
  {
    FILE* f = fopen((home + "/keys/signing.key").c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[64] = {};
    ASSERT_GT(fread(buf, 1, sizeof buf - 1, f), 0u);
    fclose(f);
    key_file = buf;
  }
  EXPECT_EQ(key_file.rfind("age-encryption.org/v1\n", 0), 0u);

  // Reading needs no key; signing does. Without a TTY and without a source
  // the command fails clearly and records nothing.
  auto no_pass = RunCustody({"--home", home, "--operator", "山田太郎", "log", "append", "--type", "note.test", "--data", "{}"});
  EXPECT_NE(no_pass.exit_code, 0);
  EXPECT_THAT(no_pass.err, HasSubstr("passphrase"));
  auto wrong = RunCustody({"--home", home, "--key-passphrase-file", wrong_file, "--operator", "山田太郎", "log", "append",
                           "--type", "note.test", "--data", "{}"});
  EXPECT_EQ(wrong.exit_code, 9) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("wrong passphrase"));
  auto right = RunCustody({"--home", home, "--operator", "山田太郎", "log", "append", "--type", "note.test", "--data", "{}",
                           "--key-passphrase-file", pass_file});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  auto verify = RunCustody({"--home", home, "log", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("2 entries"));
}

}  // namespace
}  // namespace custody
