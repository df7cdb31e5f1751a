// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// BLKSECDISCARD on real block devices. A loop device has no secure discard,
// so the kernel's EOPNOTSUPP must come back as a clear kUnsupported; a
// mounted device is refused as busy; a regular file is not a block device.
#include <gtest/gtest.h>

#include <filesystem>

#include "custody/env.h"
#include "custody/purge.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::LoopDevice;

TEST(SecureDiscardDeviceTest, LoopDeviceHasNoSecureDiscard) {
  if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const std::string backing = dir.path() + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 8 << 20));
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_TRUE(loop) << error;
  Status s = SecureDiscardBlockDevice(loop->path());
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.ToString();
  EXPECT_NE(s.message().find("custody wipe"), std::string::npos);
}

TEST(SecureDiscardDeviceTest, MountedDeviceIsBusy) {
  if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const std::string backing = dir.path() + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 8 << 20));
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", backing}).exit_code, 0);
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_TRUE(loop) << error;
  std::filesystem::create_directory(dir.path() + "/mnt");
  ASSERT_TRUE(loop->Mount(dir.path() + "/mnt", "", &error)) << error;
  EXPECT_EQ(SecureDiscardBlockDevice(loop->path()).code(), StatusCode::kBusy);
}

TEST(SecureDiscardDeviceTest, PurgeOfALoopDeviceAsMmcReportsNoSecureDiscard) {
  if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const std::string backing = dir.path() + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 8 << 20));
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_TRUE(loop) << error;
  auto opened = OpenPurgeTarget(loop->path(), "mmc");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto probe = ProbePurge((*opened)->target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->action, PurgeAction::kSecureDiscard);
  PurgeOptions o;
  o.env = Env::Default();
  // The O_EXCL claim is held by the target's BlockDevice; the discard must
  // still reach the kernel (EOPNOTSUPP), not fail with EBUSY.
  auto report = RunPurge((*opened)->target, *plan, o);
  EXPECT_EQ(report.status().code(), StatusCode::kUnsupported) << report.status().ToString();
  // While the target holds it, nobody else gets the device exclusively.
  EXPECT_EQ(SecureDiscardBlockDevice(loop->path()).code(), StatusCode::kBusy);
}

TEST(SecureDiscardDeviceTest, LoopDeviceIsNoPurgeTarget) {
  if (auto why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const std::string backing = dir.path() + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 8 << 20));
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_TRUE(loop) << error;
  auto opened = OpenPurgeTarget(loop->path(), "loop");
  ASSERT_TRUE(opened.ok());
  auto probe = ProbePurge((*opened)->target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  EXPECT_EQ(plan.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(plan.status().message().find("custody wipe"), std::string::npos);
  EXPECT_EQ(OpenPurgeTarget(backing, "sata").status().code(), StatusCode::kInvalidArgument);
}

TEST(SecureDiscardDeviceTest, RegularFileIsNotABlockDevice) {
  TempDir dir;
  WriteFileOrDie(dir.path() + "/f", "x");
  EXPECT_EQ(SecureDiscardBlockDevice(dir.path() + "/f").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SecureDiscardBlockDevice(dir.path() + "/missing").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custody
