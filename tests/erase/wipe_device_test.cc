// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The engine on real loop devices. After each method an independent scan of
// the backing file (not the device custody wrote through) proves the result,
// including the last sector of an odd-sized device.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

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

constexpr uint64_t kOddSize = 8 * 1024 * 1024 + 3 * 512;
const std::string kMarker = "JUMIN-KIHON-DAICHO-MARKER-3141592653";

class WipeDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    backing_ = dir_.path() + "/disk.img";
    std::string image(kOddSize, '\0');
    for (uint64_t off = 0; off + kMarker.size() <= kOddSize; off += 512) {
      image.replace(off, kMarker.size(), kMarker);
    }
    image.replace(kOddSize - kMarker.size(), kMarker.size(), kMarker);
    WriteFileOrDie(backing_, image);
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    ASSERT_NE(loop_, nullptr) << error;
  }

  std::string Image() { return ReadFileOrDie(backing_); }

  TempDir dir_;
  std::string backing_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(WipeDeviceTest, EveryMethodLeavesThePatternOrNoMarker) {
  for (const WipeMethod& method : WipeMethods()) {
    SCOPED_TRACE(method.name);
    {  // Re-plant the marker in the last sector so each method must erase it.
      int fd = ::open(backing_.c_str(), O_WRONLY);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::pwrite(fd, kMarker.data(), kMarker.size(), kOddSize - kMarker.size()),
                static_cast<ssize_t>(kMarker.size()));
      ::fsync(fd);
      ::close(fd);
    }
    auto dev = OpenBlockDevice(loop_->path());
    ASSERT_TRUE(dev.ok()) << dev.status().ToString();
    ASSERT_EQ((*dev)->size(), kOddSize);
    WipeOptions o;
    o.plan.method = method.name;
    auto r = RunWipe(**dev, o, Env::Default());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->result, WipeResult::kCompleted) << r->message;
    EXPECT_TRUE(r->verified);
    dev->reset();
    const std::string image = Image();
    ASSERT_EQ(image.size(), kOddSize);
    EXPECT_EQ(image.find(kMarker), std::string::npos);
    const WipePass& last = method.passes.back();
    if (last.kind == WipePass::Kind::kPattern) {
      for (uint64_t i = 0; i < kOddSize; ++i) {
        ASSERT_EQ(image[i], last.pattern[i % last.pattern.size()]) << "byte " << i;
      }
    } else {
      const std::string tail = image.substr(kOddSize - 512);
      EXPECT_NE(tail, std::string(512, '\0'));
      EXPECT_LT(std::count(image.begin(), image.end(), '\0'), static_cast<long>(kOddSize / 128));
    }
  }
}

// Corruption injected through the backing file after the pass was flushed
// and before it is read back: the loop device serves the changed bytes, and
// the wipe must fail.
TEST_F(WipeDeviceTest, VerificationCatchesCorruptionOnTheMedium) {
  auto dev = OpenBlockDevice(loop_->path());
  ASSERT_TRUE(dev.ok());
  RecordingWipeSink sink;
  sink.on_pass = [&](const WipePassEvent&) {
    int fd = ::open(backing_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::string junk = "this sector was remapped and kept the old data";
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), 4 * 1024 * 1024 + 7),
              static_cast<ssize_t>(junk.size()));
    ::close(fd);
  };
  WipeOptions o;
  o.plan.method = "random";
  o.sink = &sink;
  auto r = RunWipe(**dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed);
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kVerificationFailed);
  ASSERT_EQ(sink.verified.size(), 1u);
  ASSERT_EQ(sink.verified[0].mismatches.size(), 1u);
  EXPECT_EQ(sink.verified[0].mismatches[0].offset, 4u * 1024 * 1024);
}

TEST_F(WipeDeviceTest, InterruptAndResumeOnALoopDevice) {
  const std::string state_dir = dir_.path() + "/wipes";
  std::atomic<bool> stop{false};
  RecordingWipeSink sink;
  sink.on_pass = [&](const WipePassEvent& e) {
    if (e.pass == 1) stop = true;  // As a SIGINT handler would, between passes.
  };
  WipeOptions o;
  o.plan.method = "dod-3";
  o.sink = &sink;
  o.stop = &stop;
  o.state_dir = state_dir;
  std::string id;
  {
    auto dev = OpenBlockDevice(loop_->path());
    ASSERT_TRUE(dev.ok());
    auto r = RunWipe(**dev, o, Env::Default());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->result, WipeResult::kInterrupted);
    id = r->wipe_id;
  }
  // After pass 1 (0x00), the image is zeros: the marker is already gone.
  EXPECT_EQ(Image(), std::string(kOddSize, '\0'));
  stop = false;
  auto dev = OpenBlockDevice(loop_->path());
  ASSERT_TRUE(dev.ok());
  RecordingWipeSink sink2;
  WipeOptions o2;
  o2.wipe_id = id;
  o2.state_dir = state_dir;
  o2.sink = &sink2;
  auto r2 = ResumeWipe(**dev, o2, Env::Default());
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_EQ(r2->passes_completed, 3);
  EXPECT_EQ(sink2.Count("wipe.resumed"), 1);
  EXPECT_EQ(sink2.Count("wipe.pass.completed"), 2);
}

}  // namespace
}  // namespace custody
