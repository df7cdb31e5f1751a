// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: package create / verify / show / open, exit
// statuses and messages a person can act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "package/package_test_util.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PackageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1", "--default-operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto k = RunCommand({"age-keygen", "-o", path("city.key")});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    auto y = RunCommand({"age-keygen", "-y", path("city.key")});
    recipient_ = y.out.substr(0, y.out.find('\n'));
    testing_package::MakeFile(path("src/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
    testing_package::MakeFile(path("src/住民データ/写真/顔.jpg"), testing_package::Pattern(70000, 3));
  }
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args, input);
  }
  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }
  std::vector<std::string> CreateArgs(const std::string& out) {
    return {"package",       "create", path("src/住民データ"), "-o",     out,      "--to", recipient_,
            "--recipient-org", "新潟県A市", "--purpose",         "住民税システム移行", "--classification", "機密性2"};
  }

  TempDir dir_;
  std::string home_, recipient_;
};

TEST_F(PackageCliTest, CreateVerifyShowOpen) {
  auto c = Run(CreateArgs(path("h.age")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("package written to"));
  EXPECT_THAT(c.out, HasSubstr("package.created"));

  auto v = Run({"--json", "package", "verify", path("h.age"), "-i", path("city.key")});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  auto j = nlohmann::json::parse(v.out);
  EXPECT_TRUE(j["files_verified"].get<bool>());
  EXPECT_EQ(j["manifest"]["classification"], "機密性2");
  EXPECT_EQ(j["manifest"]["file_count"], 2);

  auto s = Run({"package", "show", path("h.age"), "-i", path("city.key")});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("住民税システム移行"));
  EXPECT_THAT(s.out, HasSubstr("住民データ/台帳.csv"));

  auto o = Run({"package", "open", path("h.age"), "-d", path("recv"), "-i", path("city.key")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(ReadFileOrDie(path("recv/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");
  // The verified summary and file list, then where the files went.
  EXPECT_THAT(o.out, HasSubstr("住民データ/台帳.csv"));
  EXPECT_THAT(o.out, HasSubstr("extracted into " + path("recv") + " (recorded as package.opened)\n"));
  auto log = Run({"log", "show", "--type", "package"});
  EXPECT_THAT(log.out, HasSubstr("package.created"));
  EXPECT_THAT(log.out, HasSubstr("package.opened"));

  // Existing output: exit 4; existing files at the destination: exit 4, nothing moved.
  EXPECT_EQ(Run(CreateArgs(path("h.age"))).exit_code, 4);
  auto again = Run({"package", "open", path("h.age"), "-d", path("recv"), "-i", path("city.key")});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
}

TEST_F(PackageCliTest, ErrorsAPersonCanActOn) {
  ASSERT_EQ(Run(CreateArgs(path("h.age"))).exit_code, 0);
  ASSERT_EQ(RunCommand({"age-keygen", "-o", path("other.key")}).exit_code, 0);
  auto wrong = Run({"package", "verify", path("h.age"), "-i", path("other.key")});
  EXPECT_EQ(wrong.exit_code, 9);
  EXPECT_THAT(wrong.err, HasSubstr("not addressed to any key you hold (it is for: 1 X25519 key"));

  std::string pkg = ReadFileOrDie(path("h.age"));
  WriteFileOrDie(path("cut.age"), pkg.substr(0, pkg.size() - 10));
  auto cut = Run({"package", "open", path("cut.age"), "-d", path("recv"), "-i", path("city.key")});
  // Cut inside its last chunk: incomplete (exit 10), not "modified".
  EXPECT_EQ(cut.exit_code, 10) << cut.err;
  EXPECT_THAT(cut.err, HasSubstr("get the whole file again"));
  EXPECT_THAT(cut.err, Not(HasSubstr("modified")));
  EXPECT_FALSE(std::filesystem::exists(path("recv")));
  // A byte changed in the first (full) chunk: modified (exit 8).
  std::string flipped = pkg;
  flipped[pkg.find("\n--- ") + 5 + 43 + 1 + 16 + 1000] ^= 0x01;
  WriteFileOrDie(path("flip.age"), flipped);
  auto flip = Run({"package", "verify", path("flip.age"), "-i", path("city.key")});
  EXPECT_EQ(flip.exit_code, 8) << flip.err;
  EXPECT_THAT(flip.err, HasSubstr("modified"));
  WriteFileOrDie(path("cut2.age"), pkg.substr(0, 100));  // Inside the age header.
  auto cut2 = Run({"package", "verify", path("cut2.age"), "-i", path("city.key")});
  EXPECT_EQ(cut2.exit_code, 10) << cut2.err;
  EXPECT_THAT(cut2.err, HasSubstr("truncated"));

  // The passphrase never comes from argv: there is no option taking it.
  auto argv = Run({"package", "create", path("src"), "-o", path("p.age"), "--passphrase", "secret",
                   "--recipient-org", "x", "--purpose", "y", "--classification", "z"});
  EXPECT_NE(argv.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(path("p.age")));
}

TEST_F(PackageCliTest, PassphraseFromFileAndWrongPassphrase) {
  WriteFileOrDie(path("pass"), "Kx7-mQ4p-Zr9w-Tb2n-Hc6v\n");
  auto args = CreateArgs(path("p.age"));
  args.erase(args.begin() + 5, args.begin() + 7);  // Drop --to.
  args.insert(args.end(), {"--passphrase", "--passphrase-file", path("pass")});
  auto c = Run(args);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("different channel"));
  auto ok = Run({"package", "verify", path("p.age"), "--passphrase-file", path("pass")});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  WriteFileOrDie(path("bad"), "Kx7-mQ4p-Zr9w-Tb2n-Hc6V\n");
  auto bad = Run({"package", "open", path("p.age"), "-d", path("recv"), "--passphrase-file", path("bad")});
  EXPECT_EQ(bad.exit_code, 9);
  EXPECT_THAT(bad.err, HasSubstr("wrong passphrase"));
  EXPECT_FALSE(std::filesystem::exists(path("recv")));
}

TEST_F(PackageCliTest, PassphraseStrengthAndPasswordIdForDelivery) {
  auto args = CreateArgs(path("p.age"));
  args.erase(args.begin() + 5, args.begin() + 7);  // Drop --to.
  // A weak passphrase is refused, saying why, and nothing is written or recorded.
  WriteFileOrDie(path("weak"), "password2026\n");
  auto weak_args = args;
  weak_args.insert(weak_args.end(), {"--passphrase", "--passphrase-file", path("weak")});
  auto weak = Run(weak_args);
  EXPECT_EQ(weak.exit_code, 2) << weak.err;
  EXPECT_THAT(weak.err, HasSubstr("too weak"));
  EXPECT_THAT(weak.err, HasSubstr("custody password generate"));
  EXPECT_THAT(weak.err, ::testing::Not(HasSubstr("password2026")));
  EXPECT_FALSE(std::filesystem::exists(path("p.age")));
  EXPECT_THAT(Run({"log", "show"}).out, ::testing::Not(HasSubstr("package.created")));

  // A strong one: a new password ID, printed and recorded with package.created.
  WriteFileOrDie(path("pass"), "Kx7-mQ4p-Zr9w-Tb2n-Hc6v\n");
  auto strong_args = args;
  strong_args.insert(strong_args.begin(), "--json");
  strong_args.insert(strong_args.end(), {"--passphrase", "--passphrase-file", path("pass")});
  auto c = Run(strong_args);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string password_id = nlohmann::json::parse(c.out)["password_id"];
  EXPECT_EQ(password_id.rfind("pw-", 0), 0u);
  EXPECT_EQ(password_id.size(), 19u);
  // record-delivery finds it from the package file alone.
  auto delivered = Run({"--json", "password", "record-delivery", path("p.age"), "--channel", "phone", "--to", "A市 佐藤"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_EQ(nlohmann::json::parse(delivered.out)["data"]["password_id"], password_id);
  auto ledger = Run({"--json", "log", "show"});
  EXPECT_THAT(ledger.out, HasSubstr("\"password_id\":\"" + password_id + "\""));
  EXPECT_THAT(ledger.out, ::testing::Not(HasSubstr("Kx7-mQ4p")));

  // A password from `custody password generate`: its ID links both records.
  auto gen = Run({"--json", "password", "generate", "-o", path("gen-pass")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::string gen_id = nlohmann::json::parse(gen.out)["password_id"];
  auto linked_args = args;
  linked_args[4] = path("q.age");
  linked_args.insert(linked_args.end(), {"--passphrase", "--passphrase-file", path("gen-pass"), "--password-id", gen_id});
  auto linked = Run(linked_args);
  ASSERT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_THAT(linked.out, HasSubstr("password ID " + gen_id));
  auto d2 = Run({"--json", "password", "record-delivery", path("q.age"), "--channel", "letter", "--to", "A市 佐藤"});
  ASSERT_EQ(d2.exit_code, 0) << d2.err;
  EXPECT_EQ(nlohmann::json::parse(d2.out)["data"]["password_id"], gen_id);
  // --password-id needs --passphrase.
  auto stray = Run([&] {
    auto a = CreateArgs(path("r.age"));
    a.insert(a.end(), {"--password-id", gen_id});
    return a;
  }());
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(path("r.age")));
}

// The golden files of tests/data/package (see package_golden_test.cc): exit
// statuses of `package verify` with the committed test identity.
TEST_F(PackageCliTest, GoldenFilesExitStatuses) {
  const std::string id = TestDataPath("package/identity.txt");
  const std::string sender = TestDataPath("package/station-verifier-key.txt");
  auto valid = Run({"--json", "package", "verify", TestDataPath("package/valid.age"), "-i", id, "--sender-key", sender});
  ASSERT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_EQ(nlohmann::json::parse(valid.out)["digest"], ReadFileOrDie(TestDataPath("package/valid.digest.txt")).substr(0, 64));
  const std::pair<const char*, int> cases[] = {
      {"truncated.age", 10}, {"bitflip-header.age", 8}, {"bitflip-payload.age", 8}, {"wrong-key.age", 9}};
  for (const auto& [file, code] : cases) {
    auto r = Run({"package", "verify", TestDataPath(std::string("package/") + file), "-i", id, "--sender-key", sender});
    EXPECT_EQ(r.exit_code, code) << file << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("package REJECTED")) << file;
  }
}


// SIGTERM (or Ctrl-C) while `package open` is extracting: the command stops
// with exit 13 and removes what it had decrypted; DIR, which it made, goes
// too. Without the handler the process died with the partly extracted,
// unverified plaintext left in DIR/.custody-open-*.
TEST_F(PackageCliTest, ASignalDuringOpenLeavesNoPlaintext) {
  for (int i = 0; i < 12; ++i) {
    testing_package::MakeFile(path("big/part" + std::to_string(i) + ".bin"), testing_package::Pattern(8 << 20, i));
  }
  std::vector<std::string> create = CreateArgs(path("big.age"));
  create[2] = path("big");
  auto c = Run(create);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string dest = path("recv");
  std::vector<std::string> args = {CUSTODY_BINARY, "--home", home_, "package", "open", path("big.age"),
                                   "-d", dest, "-i", path("city.key")};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, CUSTODY_BINARY, nullptr, nullptr, argv.data(), environ), 0);
  // Signalled once the extraction has begun (its temporary directory holds
  // something).
  bool extracting = false;
  for (int i = 0; i < 10000 && !extracting; ++i) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dest, ec)) {
      if (e.path().filename().string().starts_with(".custody-open-") &&
          !std::filesystem::is_empty(e.path(), ec)) {
        extracting = true;
      }
    }
    if (!extracting) ::usleep(500);
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(extracting) << "the extraction was never seen";
  ASSERT_TRUE(WIFEXITED(status)) << "custody died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 13);
  EXPECT_FALSE(std::filesystem::exists(dest));
  EXPECT_THAT(Run({"log", "show", "--type", "package"}).out, ::testing::Not(HasSubstr("package.opened")));
}

// The zip's advice does not put the password on a command line (where the
// shell's history and ps keep it): `7z x FILE`, and 7-Zip asks for it. The
// code before this test printed `7z x -p<password> FILE`.
TEST_F(PackageCliTest, ZipAdviceKeepsThePasswordOffTheCommandLine) {
  auto c = Run({"package", "create", path("src/住民データ"), "-o", path("h.zip"), "--format", "zip",
                "--recipient-org", "新潟県A市", "--purpose", "住民税システム移行",
                "--classification", "機密性2"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("7z x " + path("h.zip")));
  EXPECT_THAT(c.out, ::testing::Not(HasSubstr(" -p")));
}

}  // namespace
}  // namespace custody
