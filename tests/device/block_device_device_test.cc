// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real BlockDevice on loop devices: size and sector sizes by ioctl, the
// last sector of an odd-sized device, and O_EXCL refusal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

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

// Dirty page-cache pages of [off, off + len) of the file open as `fd`, by the
// cachestat syscall (Linux 6.5); -1 where the kernel lacks it.
int64_t DirtyPages(int fd, uint64_t off, uint64_t len) {
#ifdef __NR_cachestat
  const long nr = __NR_cachestat;
#elif defined(__x86_64__) || defined(__aarch64__)
  const long nr = 451;
#else
  return -1;
#endif
  struct {
    uint64_t off, len;
  } range = {off, len};
  struct {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
  } cs = {};
  if (::syscall(nr, fd, &range, &cs, 0) != 0) return -1;
  return static_cast<int64_t>(cs.nr_dirty);
}

TEST_F(BlockDeviceDeviceTest, StartWritebackPushesALoopDevicesWritesOutOfItsBackingFilesCache) {
  // The loop driver writes through its backing file's page cache: after an
  // O_DIRECT write to the device the file's pages are dirty, and stay dirty
  // for about 30 s (vm.dirty_expire_centisecs) unless writeback is started.
  const int backing = ::open(backing_.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(backing, 0);
  auto dev = OpenBlockDevice(loop_->path());
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  const size_t n = 4 << 20;
  AlignedBuffer buf(n, (*dev)->buffer_alignment());
  std::memset(buf.data(), 0x5a, n);
  ASSERT_TRUE((*dev)->WriteAt(1 << 20, buf.data(), n).ok());
  const int64_t dirty = DirtyPages(backing, 1 << 20, n);
  if (dirty < 0) {
    ::close(backing);
    GTEST_SKIP() << "this kernel has no cachestat syscall";
  }
  if (dirty == 0) {
    ::close(backing);
    GTEST_SKIP() << "the backing file's pages were written back at once (dirty limits?)";
  }
  (*dev)->StartWriteback(1 << 20, n);
  int64_t left = dirty;
  for (int i = 0; i < 100 && left != 0; ++i) {
    left = DirtyPages(backing, 1 << 20, n);
    if (left != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::close(backing);
  EXPECT_EQ(left, 0) << dirty << " dirty pages before the hint";
  ASSERT_TRUE((*dev)->Flush().ok());
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
