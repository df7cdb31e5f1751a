// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A real device with sectors that cannot be written: a loop device over a
// sparse 8 MiB file on a 4 MiB tmpfs. Writes past the space tmpfs has fail
// in the kernel (the loop driver reports EIO for them) while the sectors
// before take their writes, as a disk with a bad region does. The device is
// one 8 MiB chunk whose failure is bisected at 4 MiB, where the space ends:
// a write request that only partly fits is reported as fully written by the
// loop driver (Linux 6.18: its short write completes the request without an
// error, and the rest is lost), so a bisection half across the end of the
// space would look written. No half crosses it here. The wipe must
// retry, record the failing LBA ranges, write everything else, and end
// completed-with-errors. The pieces of a failing chunk, retried out of the
// middle of its buffer as it is bisected, must still go to the device
// directly: through the page cache their writes "succeed" and the error
// surfaces only at the flush, as a failed wipe with no ranges (what an audit
// found before BlockDevice bounced them).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <string>

#include "custody/block_device.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "support/loop_device.h"
#include "support/recording_wipe_sink.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::LoopDevice;
using testing::RecordingWipeSink;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kDeviceBytes = 8 * kMiB;
constexpr uint64_t kTmpfsBytes = 4 * kMiB;

TEST(WipeIoErrorDeviceTest, SectorsPastTheSpaceAreRecordedAndTheRestIsWritten) {
  if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;  // Declared first: removed after the mount and the loop device are gone.
  const std::string mnt = dir.path() + "/small-tmpfs";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  testing::TmpfsMount tmpfs;
  std::string error;
  ASSERT_TRUE(tmpfs.Mount(mnt, kTmpfsBytes, &error)) << error;
  const std::string backing = mnt + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, kDeviceBytes));
  std::unique_ptr<LoopDevice> loop = LoopDevice::Attach(backing, &error);
  ASSERT_NE(loop, nullptr) << error;

  RecordingWipeSink sink;
  WipeOptions o;
  o.plan.method = "one";  // 0xFF: what was written stands out from the file's zeros.
  o.sink = &sink;
  {
    auto dev = OpenBlockDevice(loop->path());
    ASSERT_TRUE(dev.ok()) << dev.status().ToString();
    ASSERT_EQ((*dev)->size(), kDeviceBytes);
    ASSERT_TRUE((*dev)->direct_io()) << "the loop device refused O_DIRECT: nothing to test";
    auto r = RunWipe(**dev, o, Env::Default());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
    EXPECT_EQ(r->passes_completed, 1);
    // One range of failing sectors: from about where tmpfs ran out of space
    // (4 MiB, less what tmpfs keeps for itself) to the end of the device.
    ASSERT_EQ(r->write_errors.size(), 1u) << r->message;
    const ByteRange bad = r->write_errors[0];
    EXPECT_EQ(bad.offset + bad.length, kDeviceBytes);
    EXPECT_LE(bad.offset, kTmpfsBytes);
    EXPECT_GE(bad.offset, kTmpfsBytes - kMiB / 2);
    EXPECT_EQ(bad.offset % 512, 0u);
    // The failing sectors were left out of verification, not read as
    // mismatches, and everything else was read back as written.
    EXPECT_TRUE(r->unreadable.empty());
    ASSERT_EQ(sink.verified.size(), 1u);
    EXPECT_TRUE(sink.verified[0].ok);
    EXPECT_EQ(sink.verified[0].mismatched_bytes, 0u);
    ASSERT_EQ(sink.passes.size(), 1u);
    ASSERT_EQ(sink.passes[0].write_errors.size(), 1u);
    EXPECT_EQ(sink.passes[0].write_errors[0].offset, bad.offset);

    // Every sector before the failing range holds the pattern, read from the
    // backing file (not through the device custody wrote to).
    const std::string image = ReadFileOrDie(backing);
    ASSERT_EQ(image.size(), kDeviceBytes);
    const auto ff = std::find_if(image.begin(), image.begin() + static_cast<long>(bad.offset),
                                 [](char c) { return c != '\xff'; });
    EXPECT_EQ(ff - image.begin(), static_cast<long>(bad.offset)) << "first byte not 0xFF";
  }
  loop.reset();  // Detach before the tmpfs is unmounted.
}

}  // namespace
}  // namespace custody
