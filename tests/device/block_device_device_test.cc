// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real BlockDevice on loop devices: size and sector sizes by ioctl, the
// last sector of an odd-sized device, and O_EXCL refusal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "custody/block_device.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::LoopDevice;

constexpr uint64_t kOddSize = 8 * 1024 * 1024 + 3 * 512;

class BlockDeviceDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    backing_ = dir_.path() + "/backing.img";
    ASSERT_TRUE(testing::CreateSparseFile(backing_, kOddSize));
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    ASSERT_NE(loop_, nullptr) << error;
  }
  TempDir dir_;
  std::string backing_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(BlockDeviceDeviceTest, ReportsGeometryAndWritesTheLastSector) {
  auto dev = OpenBlockDevice(loop_->path());
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ((*dev)->size(), kOddSize);
  EXPECT_EQ((*dev)->logical_sector_size(), 512u);
  EXPECT_TRUE((*dev)->direct_io());
  EXPECT_FALSE((*dev)->is_regular_file());
  AlignedBuffer buf(512, (*dev)->buffer_alignment());
  std::memset(buf.data(), 0x5a, 512);
  ASSERT_TRUE((*dev)->WriteAt(kOddSize - 512, buf.data(), 512).ok());
  ASSERT_TRUE((*dev)->Flush().ok());
  dev->reset();
  std::string image = ReadFileOrDie(backing_);
  ASSERT_EQ(image.size(), kOddSize);
  EXPECT_EQ(image.substr(kOddSize - 512), std::string(512, '\x5a'));
  EXPECT_EQ(image.substr(kOddSize - 1024, 512), std::string(512, '\0'));
}

TEST_F(BlockDeviceDeviceTest, SecondExclusiveOpenIsRefused) {
  int holder = ::open(loop_->path().c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  ASSERT_GE(holder, 0);
  auto dev = OpenBlockDevice(loop_->path());
  ::close(holder);
  EXPECT_EQ(dev.status().code(), StatusCode::kBusy);
  EXPECT_NE(dev.status().message().find(loop_->path()), std::string::npos);
}

}  // namespace
}  // namespace custody
