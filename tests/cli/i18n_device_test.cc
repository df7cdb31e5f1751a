// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The erase commands' plans and reports follow --lang: `custody purge` and
// `custody wipe` on a real loop device, `custody crypto-erase luks` on a real
// LUKS2 image. Labels and sentences are Japanese under --lang ja, the values
// (device paths, method and command names) stay as they are, and the English
// lines are the ones the other tests of these commands rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
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
    const std::string backing = dir_.path() + "/disk.img";
    EXPECT_TRUE(testing::CreateSparseFile(backing, 2 << 20));
    std::string error;
    loop_ = LoopDevice::Attach(backing, &error);
    EXPECT_TRUE(loop_) << error;
    if (!loop_) return false;
    name_ = std::filesystem::path(loop_->path()).filename();
    return true;
  }

  TempDir dir_;
  std::string home_, name_, skip_reason_;
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
  for (const char* english : {"device:", "plan:", "why:", "command:", "serial:", "dry run"}) {
    EXPECT_THAT(ja.err, Not(HasSubstr(english)));
  }

  auto en = Run(args, "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.err, HasSubstr("device:   " + loop_->path() + " (loop, mmc, 2.0 MiB)\n"));
  EXPECT_THAT(en.err, HasSubstr("  serial:   (none reported)\n"));
  EXPECT_THAT(en.err, HasSubstr("\nplan:     secure-discard\n"));
  EXPECT_THAT(en.err, HasSubstr("  command:  BLKSECDISCARD"));
  EXPECT_THAT(en.err, HasSubstr("  why:      "));
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
  EXPECT_THAT(ja.out, HasSubstr("  検証:         last\n"));
  EXPECT_THAT(ja.err, HasSubstr("パス 1/1（random）書き込み完了: 2.0 MiB、"));
  EXPECT_THAT(ja.err, HasSubstr("パス 1 の検証（full）: 正常\n"));
  for (const char* english : {"plan:", "device:", "method:", "verify:", "pass "}) {
    EXPECT_THAT(ja.out + ja.err, Not(HasSubstr(english)));
  }

  auto en = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", name_}, "en");
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.out, HasSubstr("plan: overwrite " + loop_->path() + "\n"));
  EXPECT_THAT(en.out, HasSubstr("  device:    loop loop (2.0 MiB, 2097152 bytes)\n"));
  EXPECT_THAT(en.out, HasSubstr("  serial:    (none)\n"));
  EXPECT_THAT(en.out, HasSubstr("  method:    random, 1 pass: random\n"));
  EXPECT_THAT(en.out, HasSubstr("  verify:    last\n"));
  EXPECT_THAT(en.err, HasSubstr("pass 1/1 (random) written: 2.0 MiB in "));
  EXPECT_THAT(en.err, HasSubstr("pass 1 verified (full): OK\n"));

  // Two passes: the plural of the English line.
  auto two = Run({"wipe", loop_->path(), "--passes", "2", "--dry-run"}, "en");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_THAT(two.out, HasSubstr("  method:    random, 2 passes: random, random\n"));
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
  EXPECT_THAT(ja.out, HasSubstr(" パス 1/1 write  [####################] 100% 2.0 MiB "));
  EXPECT_THAT(ja.out, HasSubstr(" MB/s 残り 0:"));
  auto en = on_tty("en");
  ASSERT_EQ(en.exit_code, 0) << en.out;
  EXPECT_THAT(en.out, HasSubstr(" pass 1/1 write  [####################] 100% 2.0 MiB "));
  EXPECT_THAT(en.out, HasSubstr(" MB/s ETA 0:"));
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
