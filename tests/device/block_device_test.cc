// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/block_device.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_block_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::FakeBlockDevice;

std::string Pattern(size_t n, uint8_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

TEST(BlockDeviceTest, ShortTransfersAreContinued) {
  FakeBlockDevice dev(64 * 1024);
  dev.SetDirectIo(false);  // A buffered device may stop anywhere.
  dev.SetMaxTransfer(100);
  const std::string data = Pattern(4096, 1);
  ASSERT_TRUE(dev.WriteAt(8192, data.data(), data.size()).ok());
  EXPECT_EQ(0, std::memcmp(dev.medium().data() + 8192, data.data(), data.size()));
  EXPECT_GE(dev.write_attempts(), 41);
  std::string back(4096, '\0');
  ASSERT_TRUE(dev.ReadAt(8192, back.data(), back.size()).ok());
  EXPECT_EQ(data, back);
}

// O_DIRECT takes only memory on the device's alignment; anything else would
// go through the page cache, where a write error is reported only at the
// flush, without its LBA, and a read may not reach the medium.
// FakeBlockDevice refuses such transfers (EINVAL) as the kernel does. A short
// direct transfer stops on a sector, usually not on the memory alignment, and
// the engine retries single sectors from inside its buffers: WriteAt and
// ReadAt must still hand the device aligned memory.
TEST(BlockDeviceTest, DirectTransfersStayAlignedAfterShortTransfersAndFromUnalignedMemory) {
  FakeBlockDevice dev(64 * 1024);
  ASSERT_TRUE(dev.direct_io());
  ASSERT_EQ(dev.buffer_alignment(), 4096u);
  dev.SetMaxTransfer(3 * 512);
  const std::string data = Pattern(8192, 4);
  AlignedBuffer buf(8192 + 4096, dev.buffer_alignment());
  std::memcpy(buf.data(), data.data(), data.size());
  ASSERT_TRUE(dev.WriteAt(4096, buf.data(), data.size()).ok());
  EXPECT_EQ(0, std::memcmp(dev.medium().data() + 4096, data.data(), data.size()));
  // From one sector into an aligned buffer, as the engine's retries are.
  std::memcpy(buf.data() + 512, data.data(), 4096);
  ASSERT_TRUE(dev.WriteAt(16384, buf.data() + 512, 4096).ok());
  EXPECT_EQ(0, std::memcmp(dev.medium().data() + 16384, data.data(), 4096));
  ASSERT_TRUE(dev.WriteAt(32768 + 512, buf.data() + 512, 512).ok());
  EXPECT_EQ(0, std::memcmp(dev.medium().data() + 32768 + 512, data.data(), 512));
  // Reads: into an aligned buffer (short transfers), and into a sector of it.
  AlignedBuffer back(8192 + 4096, dev.buffer_alignment());
  ASSERT_TRUE(dev.ReadAt(4096, back.data(), data.size()).ok());
  EXPECT_EQ(0, std::memcmp(back.data(), data.data(), data.size()));
  std::memset(back.data(), 0, back.size());
  ASSERT_TRUE(dev.ReadAt(4096, back.data() + 1536, 2048).ok());
  EXPECT_EQ(0, std::memcmp(back.data() + 1536, data.data(), 2048));
  ASSERT_TRUE(dev.ReadAt(32768 + 512, back.data() + 512, 512).ok());
  EXPECT_EQ(0, std::memcmp(back.data() + 512, data.data(), 512));
}

TEST(BlockDeviceTest, EintrIsRetried) {
  FakeBlockDevice dev(64 * 1024);
  dev.InjectEintr(5);
  const std::string data = Pattern(1024, 2);
  ASSERT_TRUE(dev.WriteAt(0, data.data(), data.size()).ok());
  EXPECT_EQ(0, std::memcmp(dev.medium().data(), data.data(), data.size()));
}

TEST(BlockDeviceTest, EioNamesTheLba) {
  FakeBlockDevice dev(64 * 1024);
  dev.FailWritesAt(9, 1);
  const std::string data = Pattern(512, 3);
  Status s = dev.WriteAt(9 * 512, data.data(), data.size());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("LBA 9"), std::string::npos) << s.message();
  // The fault was transient: the retry succeeds.
  EXPECT_TRUE(dev.WriteAt(9 * 512, data.data(), data.size()).ok());
}

TEST(BlockDeviceTest, RangeOutsideDeviceIsRejected) {
  FakeBlockDevice dev(4096);
  std::string data(512, 'x');
  EXPECT_EQ(dev.WriteAt(4096 - 511, data.data(), data.size()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(dev.ReadAt(UINT64_MAX - 10, data.data(), data.size()).code(),
            StatusCode::kInvalidArgument);
}

TEST(BlockDeviceTest, RegularFileWritesTheUnalignedTail) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  const size_t size = 1024 * 1024 + 1000;  // Not a multiple of any sector size.
  WriteFileOrDie(path, std::string(size, 'A'));
  auto dev = OpenBlockDevice(path);
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ((*dev)->size(), size);
  EXPECT_TRUE((*dev)->is_regular_file());
  AlignedBuffer buf(size, (*dev)->buffer_alignment());
  std::memset(buf.data(), 'z', size);
  // One aligned transfer for the body, then the tail: both paths of the device.
  const size_t body = size / 4096 * 4096;
  ASSERT_TRUE((*dev)->WriteAt(0, buf.data(), body).ok());
  ASSERT_TRUE((*dev)->WriteAt(body, buf.data() + body, size - body).ok());
  ASSERT_TRUE((*dev)->Flush().ok());
  EXPECT_EQ(ReadFileOrDie(path), std::string(size, 'z'));
}

// The verification reads from two threads at once: reads of the aligned body
// (O_DIRECT where the file system takes it) and of the unaligned tail (the
// buffered descriptor, opened on first use) may race; every one returns its
// own bytes. Run under CUSTODY_SANITIZE=thread this also checks the lazy
// open for a data race.
TEST(BlockDeviceTest, ConcurrentReadsReturnTheirOwnBytes) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  const size_t size = 256 * 1024 + 700;
  std::string content(size, '\0');
  for (size_t i = 0; i < size; ++i) content[i] = static_cast<char>((i * 131) ^ (i >> 9));
  WriteFileOrDie(path, content);
  auto dev = OpenBlockDevice(path, {.writable = false});
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  BlockDevice& d = **dev;
  if (!d.direct_io()) GTEST_SKIP() << "no O_DIRECT on this file system: the buffered descriptor is never used";
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0}, failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AlignedBuffer buf(64 * 1024, d.buffer_alignment());
      for (int round = 0; round < 50; ++round) {
        // Alternate aligned 64 KiB reads with the unaligned tail.
        const bool tail = (round + t) % 2 == 0;
        const uint64_t off = tail ? size - 700 : ((round * kThreads + t) % 4) * 64 * 1024;
        const size_t n = tail ? 700 : 64 * 1024;
        if (!d.ReadAt(off, buf.data(), n).ok()) {
          ++failed;
        } else if (std::memcmp(buf.data(), content.data() + off, n) != 0) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(BlockDeviceTest, RefusesSymlinksSpecialFilesAndDirectories) {
  TempDir dir;
  const std::string target = dir.path() + "/target", link = dir.path() + "/link";
  WriteFileOrDie(target, "secret");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(OpenBlockDevice(link).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBlockDevice("/dev/null").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBlockDevice(dir.path()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBlockDevice(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadFileOrDie(target), "secret");
}

}  // namespace
}  // namespace custody
