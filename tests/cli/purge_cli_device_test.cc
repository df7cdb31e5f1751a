// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody purge` on real loop devices: a loop device offers no
// purge (custody says so and sends nothing), a mounted one is refused like a
// wipe, the confirmation is required before anything is written, and a
// BLKSECDISCARD the kernel refuses ends in a clear error and a complete
// purge.failed record. Drives that do offer purge commands are covered by the
// fake drive (tests/purge/purge_test.cc) and QEMU (nvme_qemu_device_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::LoopDevice;

class PurgeCliDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    home_ = dir_.path() + "/station";
    auto r = RunCustody({"--home", home_, "init", "--organization", "株式会社サンプル情報",
                         "--name", "bench-1", "--operator", "山田太郎", "--default-operator",
                         "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    backing_ = dir_.path() + "/disk.img";
    ASSERT_TRUE(testing::CreateSparseFile(backing_, 8 << 20));
    // Content to keep: a refused purge must leave every byte alone.
    std::string content(8 << 20, '\0');
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + (i / 4096) % 26);
    WriteFileOrDie(backing_, content);
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    ASSERT_TRUE(loop_) << error;
    name_ = std::filesystem::path(loop_->path()).filename();
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  std::vector<nlohmann::json> Entries(const std::string& type) {
    auto r = Run({"--json", "log", "show", "--type", type});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> out;
    size_t at = 0;
    while (at < r.out.size()) {
      size_t nl = r.out.find('\n', at);
      if (nl == std::string::npos) nl = r.out.size();
      if (nl > at) out.push_back(nlohmann::json::parse(r.out.substr(at, nl - at)));
      at = nl + 1;
    }
    return out;
  }
  std::string Backing() { return ReadFileOrDie(backing_); }

  TempDir dir_;
  std::string home_, backing_, name_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(PurgeCliDeviceTest, LoopDeviceOffersNoPurgeAndNothingIsSent) {
  const std::string before = Backing();
  auto r = Run({"purge", loop_->path(), "--yes", "--confirm-serial", name_});
  EXPECT_EQ(r.exit_code, 11) << r.err;  // kUnsupported
  EXPECT_THAT(r.err, HasSubstr("custody: error:"));
  EXPECT_THAT(r.err, HasSubstr("overwrite"));
  EXPECT_TRUE(Entries("purge").empty());
  EXPECT_EQ(Backing(), before);
}

TEST_F(PurgeCliDeviceTest, MountedDeviceIsRefusedLikeAWipe) {
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", loop_->path()}).exit_code, 0);
  const std::string mnt = dir_.path() + "/mnt";
  std::filesystem::create_directory(mnt);
  std::string error;
  ASSERT_TRUE(loop_->Mount(mnt, "", &error)) << error;
  auto r = Run({"purge", loop_->path(), "--transport", "mmc", "--yes", "--confirm-serial", name_});
  EXPECT_EQ(r.exit_code, 12) << r.err;  // kBusy
  EXPECT_THAT(r.err, HasSubstr("mounted"));
  EXPECT_TRUE(Entries("purge").empty());
}

TEST_F(PurgeCliDeviceTest, ConfirmationIsRequiredBeforeAnythingIsWritten) {
  const std::string before = Backing();
  // Not a terminal, no --yes.
  auto r = Run({"purge", loop_->path(), "--transport", "mmc"});
  EXPECT_EQ(r.exit_code, 15) << r.err;  // kCancelled
  EXPECT_THAT(r.err, HasSubstr("--confirm-serial " + name_));
  // The plan was shown, with why.
  EXPECT_THAT(r.err, HasSubstr("secure-discard"));
  EXPECT_THAT(r.err, HasSubstr("BLKSECDISCARD"));
  // --yes with the wrong serial.
  r = Run({"purge", loop_->path(), "--transport", "mmc", "--yes", "--confirm-serial", "WRONG"});
  EXPECT_EQ(r.exit_code, 15) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nothing was sent"));
  // --dry-run shows the plan and sends nothing.
  r = Run({"--json", "purge", loop_->path(), "--transport", "mmc", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["action"], "secure-discard");
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_TRUE(Entries("purge").empty());
  EXPECT_EQ(Backing(), before);
}

TEST_F(PurgeCliDeviceTest, RefusedSecureDiscardIsAClearErrorAndACompleteRecord) {
  auto r = Run({"purge", loop_->path(), "--transport", "mmc", "--action", "secure-discard",
                "--yes", "--confirm-serial", name_});
  EXPECT_EQ(r.exit_code, 11) << r.err;  // The loop driver has no secure discard.
  EXPECT_THAT(r.err, HasSubstr("custody wipe"));
  EXPECT_THAT(r.err, HasSubstr("recorded in ledger entry"));
  auto started = Entries("purge.started");
  auto commands = Entries("purge.command");
  auto failed = Entries("purge.failed");
  ASSERT_EQ(started.size(), 1u);
  ASSERT_EQ(commands.size(), 1u);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(commands[0]["data"]["command"], "BLKSECDISCARD");
  const auto& f = failed[0]["data"];
  EXPECT_EQ(f["outcome"], "failed");
  EXPECT_EQ(f["action"], "secure-discard");
  EXPECT_EQ(f["target"]["path"], loop_->path());
  EXPECT_EQ(f["target"]["kind"], "loop");
  EXPECT_EQ(f["purge_id"], started[0]["data"]["purge_id"]);
  EXPECT_EQ(f["commands"].size(), 1u);
  EXPECT_THAT(f["error"].get<std::string>(), HasSubstr("unsupported"));
  EXPECT_EQ(failed[0]["operator"], "山田太郎");
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);
}

TEST_F(PurgeCliDeviceTest, UnknownActionAndMissingDeviceAreUsageErrors) {
  auto r = Run({"purge", loop_->path(), "--action", "shred"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("sanitize-crypto"));
  r = Run({"purge", "/dev/does-not-exist"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  r = Run({"purge", backing_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is a file"));
}

}  // namespace
}  // namespace custody
