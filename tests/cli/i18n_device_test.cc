// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The erase commands' plans and reports follow --lang: `custody purge` and
// `custody wipe` on a real loop device, `custody crypto-erase luks` on a real
// LUKS2 image. Labels and sentences are Japanese under --lang ja, the values
// (device paths, method and command names) stay as they are, and the English
// lines are the ones the other tests of these commands rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <array>
#include <string>
#include <thread>
#include <vector>

#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::LoopDevice;
using ::testing::Not;

const std::vector<std::string> kEnglishEnv = {"LANG=C.UTF-8",
                                              "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="};

class DeviceOutputI18nTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    ASSERT_EQ(Run({"init", "--organization", "株式会社サンプル情報", "--name", "bench-1",
                   "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
  }
  CommandResult Run(std::vector<std::string> args, const std::string& lang = "en") {
    args.insert(args.begin(), {"--lang", lang, "--home", home_});
    return RunCustody(args, "", kEnglishEnv);
  }
  // A 2 MiB loop device (skips the test where loop devices cannot be used).
  bool AttachLoop() {
    if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) {
      skip_reason_ = why;
      return false;
    }
    backing_ = dir_.path() + "/disk.img";
    EXPECT_TRUE(testing::CreateSparseFile(backing_, 2 << 20));
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    EXPECT_TRUE(loop_) << error;
    if (!loop_) return false;
    name_ = std::filesystem::path(loop_->path()).filename();
    return true;
  }

  TempDir dir_;
  std::string home_, name_, skip_reason_, backing_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(DeviceOutputI18nTest, PurgePlanFollowsTheLanguage) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  // A loop device "is" an eMMC/SD card with --transport mmc: the plan is
  // secure-discard; the dry run sends nothing.
  const std::vector<std::string> args = {"purge", loop_->path(), "--transport", "mmc", "--dry-run"};
  auto ja = Run(args, "ja");
  ASSERT_EQ(ja.exit_code, 0) << ja.err;
  EXPECT_THAT(ja.err, HasSubstr("デバイス:"));
  EXPECT_THAT(ja.err, HasSubstr(loop_->path() + " (loop, mmc, 2.0 MiB)"));  // Values as they are.
  EXPECT_THAT(ja.err, HasSubstr("シリアル番号:   （報告なし）"));
  EXPECT_THAT(ja.err, HasSubstr("計画:           secure-discard"));
  EXPECT_THAT(ja.err, HasSubstr("コマンド:"));
  EXPECT_THAT(ja.err, HasSubstr("BLKSECDISCARD"));
  EXPECT_THAT(ja.err, HasSubstr("理由:"));
  EXPECT_THAT(ja.err, HasSubstr("試行（--dry-run）: ドライブには何も送っていません"));
  // The library's sentences inside the block: why this command, and the
  // media note on a loop device (its backing file stays a value).
  EXPECT_THAT(ja.err, HasSubstr("このドライブが現在提供する最も強力なパージです。BLKSECDISCARD "
                                "は、eMMC/SD デバイスにブロックと"));
  EXPECT_THAT(ja.err, HasSubstr("注記:           ファイル " + backing_ +
                                " 上のループデバイス: 上書きは、そのファイルがあるファイルシステム"
                                "を経由してしか記憶装置に届きません。\n"));
  for (const char* english : {"device:", "plan:", "why:", "command:", "serial:", "dry run",
                              "note:", "Strongest purge", "asks the eMMC/SD", "loop device over"}) {
    EXPECT_THAT(ja.err, Not(HasSubstr(english)));
  }

  auto en = Run(args, "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.err, HasSubstr("device:   " + loop_->path() + " (loop, mmc, 2.0 MiB)\n"));
  EXPECT_THAT(en.err, HasSubstr("  serial:   (none reported)\n"));
  EXPECT_THAT(en.err, HasSubstr("\nplan:     secure-discard\n"));
  EXPECT_THAT(en.err, HasSubstr("  command:  BLKSECDISCARD"));
  EXPECT_THAT(en.err,
              HasSubstr("  why:      Strongest purge this drive offers now: BLKSECDISCARD asks the "
                        "eMMC/SD device to erase the blocks and every copy it keeps (secure "
                        "erase/trim); the only purge such devices offer, and not all implement "
                        "it.\n"));
  EXPECT_THAT(en.err, HasSubstr("  note:     loop device over the file " + backing_ +
                                ": the overwrite reaches the storage only through that file's "
                                "file system.\n"));
  EXPECT_THAT(en.err, HasSubstr("dry run: nothing was sent to the drive\n"));
  EXPECT_THAT(en.err, Not(HasSubstr("計画")));
}

TEST_F(DeviceOutputI18nTest, WipePlanAndPassLinesFollowTheLanguage) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  auto ja = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", name_}, "ja");
  ASSERT_EQ(ja.exit_code, 0) << ja.err;
  EXPECT_THAT(ja.out, HasSubstr("計画: " + loop_->path() + " を上書きします\n"));
  EXPECT_THAT(ja.out, HasSubstr("  デバイス:     loop loop（2.0 MiB、2097152 バイト）\n"));
  EXPECT_THAT(ja.out, HasSubstr("  シリアル番号: （なし）\n"));
  EXPECT_THAT(ja.out, HasSubstr("  方式:         random、1 パス: random\n"));
  EXPECT_THAT(ja.out, HasSubstr("  検証:         最終パスを全数読み返し（--verify last）\n"));
  EXPECT_THAT(ja.err, HasSubstr("パス 1/1（random）書き込み完了: 2.0 MiB、"));
  EXPECT_THAT(ja.out, HasSubstr("  警告:         ファイル " + backing_ + " 上のループデバイス: "));
  EXPECT_THAT(ja.out, HasSubstr(" 完了: " + loop_->path() +
                                "、1/1 パス、2.0 MiB 書き込み、検証済み（全体）\n"));
  EXPECT_THAT(ja.err, HasSubstr("パス 1 の検証（全体）: 正常\n"));
  for (const char* english : {"plan:", "device:", "method:", "verify:", "pass ",
                              "warning:", "loop device over", "completed", "written", "verified"}) {
    EXPECT_THAT(ja.out + ja.err, Not(HasSubstr(english)));
  }

  auto en = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", name_}, "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.out, HasSubstr("plan: overwrite " + loop_->path() + "\n"));
  EXPECT_THAT(en.out, HasSubstr("  device:    loop loop (2.0 MiB, 2097152 bytes)\n"));
  EXPECT_THAT(en.out, HasSubstr("  serial:    (none)\n"));
  EXPECT_THAT(en.out, HasSubstr("  method:    random, 1 pass: random\n"));
  EXPECT_THAT(en.out, HasSubstr("  verify:    full read-back of the last pass (--verify last)\n"));
  EXPECT_THAT(en.err, HasSubstr("pass 1/1 (random) written: 2.0 MiB in "));
  EXPECT_THAT(en.err, HasSubstr("pass 1 verified (full): OK\n"));
  EXPECT_THAT(en.out, HasSubstr("  warning:   loop device over the file " + backing_ +
                                ": the overwrite reaches the storage only through that file's "
                                "file system.\n"));
  EXPECT_THAT(en.out, HasSubstr(" completed: " + loop_->path() +
                                ", 1/1 passes, 2.0 MiB written, verified (full)\n"));

  // Two passes: the plural of the English line.
  auto two = Run({"wipe", loop_->path(), "--passes", "2", "--dry-run"}, "en");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_THAT(two.out, HasSubstr("  method:    random, 2 passes: random, random\n"));
  // Every verification policy is described in the run's language.
  const std::vector<std::array<std::string, 3>> policies = {
      {"all", "full read-back of every pass (--verify all)", "全パスを全数読み返し（--verify all）"},
      {"none", "no read-back (--verify none)", "読み返しなし（--verify none）"},
      {"sample:2.5", "2.5% of the last pass read back at random locations (--verify sample:2.5)",
       "最終パスの 2.5% をランダムな位置で読み返し（--verify sample:2.5）"}};
  for (const auto& [value, english, japanese] : policies) {
    auto en_plan = Run({"wipe", loop_->path(), "--verify", value, "--dry-run"}, "en");
    ASSERT_EQ(en_plan.exit_code, 0) << en_plan.err;
    EXPECT_THAT(en_plan.out, HasSubstr("  verify:    " + english + "\n"));
    auto ja_plan = Run({"wipe", loop_->path(), "--verify", value, "--dry-run"}, "ja");
    ASSERT_EQ(ja_plan.exit_code, 0) << ja_plan.err;
    EXPECT_THAT(ja_plan.out, HasSubstr("  検証:         " + japanese + "\n"));
  }
}

// The progress line is drawn only on a terminal: `script` gives the command
// one.
TEST_F(DeviceOutputI18nTest, WipeProgressLineFollowsTheLanguage) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  if (RunCommand({"sh", "-c", "command -v script"}).exit_code != 0) {
    GTEST_SKIP() << "no `script` (util-linux) to run the wipe on a terminal";
  }
  auto on_tty = [&](const std::string& lang) {
    const std::string command = std::string(CUSTODY_BINARY) + " --lang " + lang + " --home " +
                                home_ + " wipe " + loop_->path() + " --yes --confirm-serial " +
                                name_;
    return RunCommand({"script", "-qec", command, "/dev/null"}, "", kEnglishEnv);
  };
  auto ja = on_tty("ja");
  ASSERT_EQ(ja.exit_code, 0) << ja.out;
  EXPECT_THAT(ja.out, HasSubstr(" パス 1/1 書き込み  [####################] 100% 2.0 MiB "));
  EXPECT_THAT(ja.out, HasSubstr(" MB/s 残り 0:"));
  auto en = on_tty("en");
  ASSERT_EQ(en.exit_code, 0) << en.out;
  EXPECT_THAT(en.out, HasSubstr(" pass 1/1 write  [####################] 100% 2.0 MiB "));
  EXPECT_THAT(en.out, HasSubstr(" MB/s ETA 0:"));
}

// The library's sentences stay English where they are recorded: the purge
// plan in --json, the media warnings of `device info --json`, and the
// warnings of a wipe in the ledger are the same bytes under both languages.
TEST_F(DeviceOutputI18nTest, JsonAndLedgerStayEnglishUnderJapanese) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  const std::vector<std::string> purge = {"purge", loop_->path(), "--transport",
                                          "mmc",   "--dry-run",   "--json"};
  auto purge_ja = Run(purge, "ja"), purge_en = Run(purge, "en");
  ASSERT_EQ(purge_ja.exit_code, 0) << purge_ja.err;
  ASSERT_EQ(purge_en.exit_code, 0) << purge_en.err;
  EXPECT_EQ(purge_ja.out, purge_en.out);
  auto plan = nlohmann::json::parse(purge_en.out);
  EXPECT_EQ(plan["reason"],
            "Strongest purge this drive offers now: BLKSECDISCARD asks the eMMC/SD device to "
            "erase the blocks and every copy it keeps (secure erase/trim); the only purge such "
            "devices offer, and not all implement it.");

  auto info_ja = Run({"device", "info", loop_->path(), "--json"}, "ja");
  auto info_en = Run({"device", "info", loop_->path(), "--json"}, "en");
  ASSERT_EQ(info_ja.exit_code, 0) << info_ja.err;
  EXPECT_EQ(info_ja.out, info_en.out);
  EXPECT_THAT(info_en.out, HasSubstr("loop device over the file " + backing_));

  // device info as text: the warning and the yes/no values translated.
  auto text_ja = Run({"device", "info", loop_->path()}, "ja");
  ASSERT_EQ(text_ja.exit_code, 0) << text_ja.err;
  EXPECT_THAT(text_ja.out, HasSubstr("ファイル " + backing_ + " 上のループデバイス: "));
  EXPECT_THAT(text_ja.out, HasSubstr("論理 512、物理 512\n"));
  EXPECT_THAT(text_ja.out, HasSubstr("ATA デバイスではないため、HPA/DCO はありません\n"));
  EXPECT_THAT(text_ja.out, Not(HasSubstr("loop device over")));
  EXPECT_THAT(text_ja.out, Not(HasSubstr("not an ATA device")));
  EXPECT_THAT(text_ja.out, Not(HasSubstr(" bytes (")));
  auto text_en = Run({"device", "info", loop_->path()}, "en");
  EXPECT_THAT(text_en.out, HasSubstr("warning:        loop device over the file " + backing_));
  EXPECT_THAT(text_en.out, HasSubstr("size:           2097152 bytes (2.0 MiB)\n"));

  // A wipe under Japanese records the English warning in the ledger.
  auto wipe = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", name_}, "ja");
  ASSERT_EQ(wipe.exit_code, 0) << wipe.err;
  auto log = Run({"log", "show", "--json"}, "ja");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("loop device over the file " + backing_ +
                                 ": the overwrite reaches the storage only through"));
  EXPECT_THAT(log.out, Not(HasSubstr("ループデバイス")));
}

// The confirmations: --yes without the matching --confirm-serial is refused
// in the interface language (the --json error document stays English), and
// the interactive prompts (on a terminal, through `script`) ask in it.
TEST_F(DeviceOutputI18nTest, ConfirmationsFollowTheLanguage) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  const std::string path = loop_->path();
  auto wipe_ja = Run({"wipe", path, "--yes"}, "ja");
  EXPECT_EQ(wipe_ja.exit_code, 15);
  EXPECT_THAT(wipe_ja.err, HasSubstr("custody: エラー: --yes には --confirm-serial " + name_ +
                                     " が必要です（対象 " + path +
                                     "。シリアル番号を報告しないため、デバイス名を指定してくださ"
                                     "い）。何も書き込んでいません\n"));
  EXPECT_THAT(wipe_ja.err, Not(HasSubstr("needs")));
  auto wipe_en = Run({"wipe", path, "--yes"}, "en");
  EXPECT_EQ(wipe_en.exit_code, 15);
  EXPECT_EQ(wipe_en.err, "custody: error: --yes needs --confirm-serial " + name_ + " for " + path +
                             " (it reports no serial: give its device name); nothing was "
                             "written\n");
  auto json_ja = Run({"--json", "wipe", path, "--yes"}, "ja");
  auto json_en = Run({"--json", "wipe", path, "--yes"}, "en");
  EXPECT_EQ(json_ja.out, json_en.out);
  EXPECT_THAT(json_en.out, HasSubstr("--yes needs --confirm-serial"));

  const std::vector<std::string> purge = {
      "purge", path, "--transport", "mmc", "--yes", "--confirm-serial", "wrong"};
  auto purge_ja = Run(purge, "ja");
  EXPECT_EQ(purge_ja.exit_code, 15);
  EXPECT_THAT(purge_ja.err, HasSubstr("custody: エラー: --yes には --confirm-serial " + name_ +
                                      " が必要です（対象 " + path + "。"));
  EXPECT_THAT(purge_ja.err, HasSubstr("ドライブには何も送っていません\n"));
  auto purge_en = Run(purge, "en");
  EXPECT_EQ(purge_en.exit_code, 15);
  EXPECT_THAT(purge_en.err,
              HasSubstr("custody: error: --yes needs --confirm-serial " + name_ + " for " + path +
                        " (it reports no serial: give its device name); nothing was sent to the "
                        "drive\n"));

  if (RunCommand({"sh", "-c", "command -v script"}).exit_code != 0) {
    GTEST_SKIP() << "no `script` (util-linux) to answer the prompts on a terminal";
  }
  // A wrong answer on the terminal: the prompt, then the refusal.
  auto on_tty = [&](const std::string& lang, const std::string& args) {
    const std::string command =
        std::string(CUSTODY_BINARY) + " --lang " + lang + " --home " + home_ + " " + args;
    return RunCommand({"script", "-qec", command, "/dev/null"}, "not-the-serial\n", kEnglishEnv);
  };
  auto tty_wipe_ja = on_tty("ja", "wipe " + path);
  EXPECT_THAT(tty_wipe_ja.out,
              HasSubstr(path + " のすべてのデータを消去します。続けるにはデバイス名 " + name_ +
                        " を入力してください: "));
  EXPECT_THAT(tty_wipe_ja.out,
              HasSubstr("custody: エラー: 確認の入力が一致しません。何も書き込んでいません"));
  auto tty_purge_ja = on_tty("ja", "purge " + path + " --transport mmc");
  EXPECT_THAT(tty_purge_ja.out, HasSubstr(path +
                                          " のすべてのブロック（NVMe Sanitize ではドライ"
                                          "ブのすべてのネームスペース）を消去します。元には戻"
                                          "せません。続けるにはデバイス名 " +
                                          name_ + " を入力してください: "));
  EXPECT_THAT(tty_purge_ja.out, HasSubstr("custody: エラー: 確認の入力が一致しません。ドライブに"
                                          "は何も送っていません"));
  EXPECT_THAT(tty_purge_ja.out, Not(HasSubstr("Type its")));
  auto tty_purge_en = on_tty("en", "purge " + path + " --transport mmc");
  EXPECT_THAT(tty_purge_en.out,
              HasSubstr("This erases EVERY block of " + path +
                        " (and, for NVMe Sanitize, every namespace of the drive) for good. Type "
                        "its device name " +
                        name_ + " to continue: "));
  EXPECT_THAT(tty_purge_en.out,
              HasSubstr("custody: error: confirmation did not match; nothing was sent to the "
                        "drive"));
}

// The free-space wipe of a mounted file system: the result line, what a
// free-space wipe cannot reach, and the media warnings in the interface
// language; the --json report (and so the ledger's event) keeps them English.
TEST_F(DeviceOutputI18nTest, FreeSpaceWipeFollowsTheLanguage) {
  if (!AttachLoop()) GTEST_SKIP() << skip_reason_;
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", loop_->path()}).exit_code, 0);
  const std::string mnt = dir_.path() + "/mnt";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  std::string error;
  ASSERT_TRUE(loop_->Mount(mnt, "", &error)) << error;

  auto ja = Run({"wipe", "--free-space", mnt}, "ja");
  ASSERT_EQ(ja.exit_code, 0) << ja.err;
  EXPECT_THAT(ja.out, HasSubstr(" 完了: " + mnt + "（ext4）、"));
  EXPECT_THAT(ja.out, HasSubstr("、検証済み。空き領域 "));
  EXPECT_THAT(ja.out, HasSubstr(" バイトを埋めました\n空き領域の上書き消去では届かないもの:\n"
                                "  - ほかのファイルの最終ブロックの末尾より後ろ（スラック領域）は"
                                "空き領域ではないため、届きません\n"));
  // Run as root, ext4's reserve was lowered for the fill: nothing left to
  // list about reserved space.
  EXPECT_THAT(ja.out, Not(HasSubstr("予約")));
  for (const char* english : {"free-space wipe", "completed", "filled", "not reached", "slack",
                              "reserved for root", "warning:"}) {
    EXPECT_THAT(ja.out, Not(HasSubstr(english)));
  }

  auto en = Run({"wipe", "--free-space", mnt}, "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.out, HasSubstr(" completed: " + mnt + " (ext4), "));
  EXPECT_THAT(en.out, HasSubstr(" filled, verified. filled "));
  EXPECT_THAT(en.out, HasSubstr(" bytes of free space\nnot reached by a free-space wipe:\n"
                                "  - the slack after the end of other files' last blocks is not "
                                "free space and is not reached\n"));
  EXPECT_THAT(en.out, Not(HasSubstr("reserved")));
  // Where the media warnings name the loop device's backing file, the same
  // warning is there in both languages.
  if (en.out.find("  warning: the file system is on a loop device over " + backing_) !=
      std::string::npos) {
    EXPECT_THAT(ja.out, HasSubstr("  警告: ファイルシステムは " + backing_ +
                                  " 上のループデバイスにあります: "));
  }

  auto json_ja = Run({"--json", "wipe", "--free-space", mnt}, "ja");
  ASSERT_EQ(json_ja.exit_code, 0) << json_ja.err;
  // Progress lines (JSON Lines), then the report on the last line.
  std::string last_line, line;
  for (std::istringstream lines(json_ja.out); std::getline(lines, line);) {
    if (!line.empty()) last_line = line;
  }
  const nlohmann::json report = nlohmann::json::parse(last_line, nullptr, false);
  ASSERT_TRUE(report.contains("limitations")) << json_ja.out;
  EXPECT_EQ(report["limitations"][0],
            "the slack after the end of other files' last blocks is not free space and is not "
            "reached");
  EXPECT_THAT(report["message"].get<std::string>(), ::testing::StartsWith("filled "));
  EXPECT_THAT(json_ja.out, Not(HasSubstr("空き領域")));
}

// Starts `custody --lang LANG --home HOME wipe PATH ...` and stops it with
// SIGINT (as Ctrl-C does) as soon as its resumable state file exists in the
// station's wipes directory: an interrupted wipe, deterministically.
// Its stdout and stderr go to `out_prefix`.out/.err when given.
std::string InterruptedWipe(const std::string& home, const std::string& path,
                            const std::string& name, const std::string& lang = "en",
                            const std::string& out_prefix = "") {
  const std::string wipes = home + "/wipes";
  std::set<std::string> before;
  if (std::filesystem::exists(wipes)) {
    for (const auto& e : std::filesystem::directory_iterator(wipes)) before.insert(e.path());
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string out = out_prefix.empty() ? "/dev/null" : out_prefix + ".out";
    const std::string err = out_prefix.empty() ? "/dev/null" : out_prefix + ".err";
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) {
      ::_exit(126);
    }
    ::execl(CUSTODY_BINARY, CUSTODY_BINARY, "--lang", lang.c_str(), "--home", home.c_str(), "wipe",
            path.c_str(), "--yes", "--confirm-serial", name.c_str(), "--passes", "8", "--verify",
            "all", "--buffer-mib", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string id;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (id.empty() && std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(wipes)) {
      for (const auto& e : std::filesystem::directory_iterator(wipes)) {
        if (!before.count(e.path()) && e.path().extension() == ".json") id = e.path().stem();
      }
    }
    if (id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return id;
}

// An interrupted wipe: `wipe list` rows and the "resuming" line of
// `wipe --resume` follow the language.
TEST_F(DeviceOutputI18nTest, ResumedWipeFollowsTheLanguage) {
  if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  backing_ = dir_.path() + "/big.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing_, 32 << 20));
  std::string error;
  loop_ = LoopDevice::Attach(backing_, &error);
  ASSERT_TRUE(loop_) << error;
  name_ = std::filesystem::path(loop_->path()).filename();
  const std::string path = loop_->path();

  const std::string ja_id = InterruptedWipe(home_, path, name_, "ja", dir_.path() + "/stopped-ja");
  ASSERT_FALSE(ja_id.empty()) << "the wipe never wrote its state file";
  // The interruption itself: the result line and the error say, in the
  // interface language, where it stopped and how to go on.
  const std::string stopped_ja = ReadFileOrDie(dir_.path() + "/stopped-ja.out") +
                                 ReadFileOrDie(dir_.path() + "/stopped-ja.err");
  EXPECT_THAT(stopped_ja, HasSubstr("バイト目で中断しました。続きは custody wipe --resume " + ja_id +
                                    " で再開できます"));
  EXPECT_THAT(stopped_ja, Not(HasSubstr("stopped during pass")));
  EXPECT_THAT(stopped_ja, Not(HasSubstr("continue with")));
  auto list_ja = Run({"wipe", "list"}, "ja");
  ASSERT_EQ(list_ja.exit_code, 0) << list_ja.err;
  EXPECT_THAT(list_ja.out, HasSubstr(ja_id + "  " + path + "  パス "));
  EXPECT_THAT(list_ja.out, HasSubstr(" バイト目  (custody wipe --resume " + ja_id + ")\n"));
  EXPECT_THAT(list_ja.out, ::testing::ContainsRegex("\n  終了: [0-9T:Z-]+ に中断\n"));
  auto list_en = Run({"wipe", "list"}, "en");
  EXPECT_THAT(list_en.out, HasSubstr(ja_id + "  " + path + "  pass "));
  EXPECT_THAT(list_en.out, HasSubstr("  (custody wipe --resume " + ja_id + ")\n"));
  auto resumed_ja = Run({"wipe", "--resume", ja_id, "--yes", "--confirm-serial", name_}, "ja");
  ASSERT_EQ(resumed_ja.exit_code, 0) << resumed_ja.err;
  EXPECT_THAT(resumed_ja.out,
              HasSubstr("上書き消去 " + ja_id + " を " + path + " で再開します（パス "));
  EXPECT_THAT(resumed_ja.out, HasSubstr(" 完了: " + path + "、8/8 パス、"));
  EXPECT_THAT(resumed_ja.out, Not(HasSubstr("resuming")));

  const std::string en_id = InterruptedWipe(home_, path, name_, "en", dir_.path() + "/stopped-en");
  ASSERT_FALSE(en_id.empty());
  EXPECT_THAT(ReadFileOrDie(dir_.path() + "/stopped-en.out"),
              HasSubstr("; continue with: custody wipe --resume " + en_id));
  auto resumed_en = Run({"wipe", "--resume", en_id, "--yes", "--confirm-serial", name_}, "en");
  ASSERT_EQ(resumed_en.exit_code, 0) << resumed_en.err;
  EXPECT_THAT(resumed_en.out, HasSubstr("resuming wipe " + en_id + " on " + path + " at pass "));
  EXPECT_THAT(resumed_en.out, HasSubstr(" completed: " + path + ", 8/8 passes, "));
}

TEST_F(DeviceOutputI18nTest, CryptoEraseLuksFollowsTheLanguage) {
  if (RunCommand({"sh", "-c", "command -v cryptsetup"}).exit_code != 0) {
    GTEST_SKIP() << "no cryptsetup to make a LUKS image";
  }
  const std::string pass = dir_.path() + "/pass";
  WriteFileOrDie(pass, "correct horse battery staple");
  auto make_image = [&](const std::string& image) {
    EXPECT_EQ(RunCommand({"truncate", "-s", "24M", image}).exit_code, 0);
    auto r = RunCommand({"cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--pbkdf",
                         "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", pass, image});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string uuid = RunCommand({"cryptsetup", "luksUUID", image}).out;
    while (!uuid.empty() && uuid.back() == '\n') uuid.pop_back();
    return uuid;
  };
  const std::string ja_image = dir_.path() + "/ja.img", en_image = dir_.path() + "/en.img";
  const std::string ja_uuid = make_image(ja_image), en_uuid = make_image(en_image);
  ASSERT_EQ(ja_uuid.size(), 36u);
  ASSERT_EQ(en_uuid.size(), 36u);

  auto dry_ja = Run({"crypto-erase", "luks", ja_image, "--dry-run"}, "ja");
  ASSERT_EQ(dry_ja.exit_code, 0) << dry_ja.err;
  EXPECT_THAT(dry_ja.err, HasSubstr("ボリューム:   " + ja_image + ", LUKS2\n"));
  EXPECT_THAT(dry_ja.err, HasSubstr("  uuid:         " + ja_uuid + "\n"));
  EXPECT_THAT(dry_ja.err, HasSubstr("  暗号方式:     aes-xts-plain64、ボリューム鍵 512 ビット\n"));
  EXPECT_THAT(dry_ja.err, HasSubstr("  トークン:     なし\n"));
  EXPECT_THAT(dry_ja.err,
              HasSubstr("警告: 暗号消去が破棄するのは、このヘッダーの鍵情報だけです。"));
  EXPECT_THAT(dry_ja.err, HasSubstr("試行（--dry-run）: 何も変更していません\n"));
  auto dry_en = Run({"crypto-erase", "luks", en_image, "--dry-run"}, "en");
  ASSERT_EQ(dry_en.exit_code, 0) << dry_en.err;
  EXPECT_THAT(dry_en.err, HasSubstr("volume:   " + en_image + ", LUKS2\n"));
  EXPECT_THAT(dry_en.err, HasSubstr("  cipher:   aes-xts-plain64, 512-bit volume key\n"));
  EXPECT_THAT(dry_en.err, HasSubstr("  tokens:   none\n"));
  EXPECT_THAT(dry_en.err, HasSubstr("warning: a crypto-erase destroys only the key material"));
  EXPECT_THAT(dry_en.err, HasSubstr("dry run: nothing was changed\n"));

  // --yes without the UUID: refused in the interface language, nothing changed.
  auto refused_ja = Run({"crypto-erase", "luks", ja_image, "--yes"}, "ja");
  EXPECT_EQ(refused_ja.exit_code, 15);
  EXPECT_THAT(refused_ja.err,
              HasSubstr("custody: エラー: --yes には --confirm-uuid " + ja_uuid +
                        " が必要です（対象 " + ja_image + "）。何も変更していません\n"));
  auto refused_en = Run({"crypto-erase", "luks", en_image, "--yes"}, "en");
  EXPECT_EQ(refused_en.exit_code, 15);
  EXPECT_THAT(refused_en.err, HasSubstr("custody: error: --yes needs --confirm-uuid " + en_uuid +
                                        " for " + en_image + "; nothing was changed\n"));

  auto ja = Run({"crypto-erase", "luks", ja_image, "--yes", "--confirm-uuid", ja_uuid,
                 "--old-passphrase-file", pass},
                "ja");
  ASSERT_EQ(ja.exit_code, 0) << ja.err;
  EXPECT_THAT(ja.out, HasSubstr("暗号消去しました: " + ja_image + "（LUKS2 " + ja_uuid + "）\n"));
  EXPECT_THAT(ja.out, HasSubstr("  破棄したキースロット: 0\n"));
  EXPECT_THAT(ja.out,
              HasSubstr("  ヘッダー領域:         残しました（キースロットは残っていません）\n"));
  EXPECT_THAT(ja.out, HasSubstr("古いパスフレーズでは開けなくなりました"));
  EXPECT_THAT(ja.out, HasSubstr("（crypto-erase.luks.completed）"));
  EXPECT_THAT(ja.out, Not(HasSubstr("keyslots destroyed")));
  auto en = Run({"crypto-erase", "luks", en_image, "--yes", "--confirm-uuid", en_uuid,
                 "--old-passphrase-file", pass},
                "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.out, HasSubstr("crypto-erased " + en_image + " (LUKS2 " + en_uuid + ")\n"));
  EXPECT_THAT(en.out, HasSubstr("  keyslots destroyed: 0\n"));
  EXPECT_THAT(en.out, HasSubstr("  header area:        kept (no keyslot left)\n"));
  EXPECT_THAT(en.out, HasSubstr("  check:              no keyslot, token or volume key left; the "
                                "old passphrase no longer opens it\n"));
  EXPECT_THAT(en.out, HasSubstr(" (crypto-erase.luks.completed)\n"));
}

}  // namespace
}  // namespace custody
