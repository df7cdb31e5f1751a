// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The free-space fill on FakeEnv: ENOSPC is the expected end of the fill (a
// short last write counts exactly what fitted); EIO in the middle, a failed
// fsync, and writes lost at a power cut before the sync end the wipe
// `failed` (wipe.free-space.failed, never completed) with a clear message,
// and the fill files are removed either way. The real-file-system test is
// FreeSpaceFillReachesDeletedData in file_wipe_device_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "custody/wipe.h"
#include "erase/free_space.h"
#include "support/fake_env.h"
#include "support/recording_wipe_sink.h"

namespace custody {
namespace {

using testing::FakeEnv;
using testing::RecordingWipeSink;

// Odd on purpose: the last write of the fill is short.
constexpr uint64_t kCapacity = (3u << 20) + 1234;

class FreeSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDir("/mnt", 0755).ok());
    env_.SetCapacity(kCapacity);
    options_.plan.method = "random";
    options_.sink = &sink_;
  }

  FreeSpaceWipeEvent Run(uint64_t fill_file_bytes = 0) {
    auto passes = ExpandPlan(options_.plan);
    EXPECT_TRUE(passes.ok());
    FreeSpaceWipeEvent ev;
    ev.wipe_id = "fs-test";
    ev.mount_point = "/mnt";
    ev.plan = options_.plan;
    for (const WipePass& p : *passes) ev.passes.push_back(p.Describe());
    auto r = erase::FillFreeSpace("/mnt", *passes, kCapacity, options_, &env_, ev, fill_file_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : FreeSpaceWipeEvent{};
  }

  // Failed, recorded as failed, nothing left behind.
  void ExpectFailed(const FreeSpaceWipeEvent& ev, const std::string& why) {
    EXPECT_EQ(ev.result, WipeResult::kFailed) << ev.message;
    EXPECT_EQ(ev.EventType(), "wipe.free-space.failed");
    EXPECT_FALSE(ev.verified);
    EXPECT_NE(ev.message.find(why), std::string::npos) << ev.message;
    EXPECT_EQ(sink_.Count("wipe.free-space.failed"), 1);
    EXPECT_EQ(sink_.Count("wipe.free-space.completed"), 0);
    ExpectNothingLeft();
  }

  void ExpectNothingLeft() {
    auto left = env_.ListDir("/mnt");
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty()) << left->front();
  }

  FakeEnv env_;
  RecordingWipeSink sink_;
  WipeOptions options_;
};

TEST_F(FreeSpaceTest, FillsUntilEnospcVerifiesAndRemoves) {
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.EventType(), "wipe.free-space.completed");
  EXPECT_EQ(ev.bytes_filled, kCapacity);  // Every byte that fitted, no more.
  EXPECT_TRUE(ev.verified);
  EXPECT_EQ(ev.verify_mode, "full");
  EXPECT_EQ(ev.passes_completed, 1);
  ExpectNothingLeft();
}

// The file system is full exactly at a fill-file boundary, so the fill ends
// when the next fill file cannot even be created (ENOSPC). That is the
// expected end of the fill, recognised by the errno the Status carries, not
// by the error's words: here they are Japanese, as glibc's strerror is under
// a Japanese LC_MESSAGES (matching strerror(ENOSPC)'s text failed this).
TEST_F(FreeSpaceTest, FullAtAFileBoundaryEndsTheFillWhateverLanguageTheErrorIsIn) {
  constexpr uint64_t kFile = 1u << 20;
  env_.SetCapacity(2 * kFile);
  env_.FailCreateWhenFull("デバイスに空き領域がありません");
  FreeSpaceWipeEvent ev = Run(kFile);
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.EventType(), "wipe.free-space.completed");
  EXPECT_EQ(ev.bytes_filled, 2 * kFile);
  EXPECT_TRUE(ev.verified);
  ExpectNothingLeft();
}

// A file system that refuses a whole write when less space is free (ext4
// with a 4 MiB write on a small or nearly full file system): the fill goes
// on in smaller writes and reaches the last free sectors, instead of
// stopping at the first refused write (which left 3 MiB unwritten here and
// still reported the wipe completed).
TEST_F(FreeSpaceTest, AFileSystemThatRefusesWholeWritesIsStillFilled) {
  env_.SetAllOrNothingWrites(true);
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  // Everything but the last partial sector (1234 % 512 bytes).
  EXPECT_EQ(ev.bytes_filled, kCapacity - kCapacity % 512);
  EXPECT_TRUE(ev.verified);
  ExpectNothingLeft();
}

// The same create failure without the errno (an I/O error) is a failure,
// even when its words read like a full disk.
TEST_F(FreeSpaceTest, ACreateFailureWithoutEnospcFailsTheFill) {
  constexpr uint64_t kFile = 1u << 20;
  env_.SetCapacity(2 * kFile);
  env_.FailNext(FakeEnv::Op::kCreate, 1, /*after=*/2);
  FreeSpaceWipeEvent ev = Run(kFile);
  ExpectFailed(ev, "injected EIO");
}

TEST_F(FreeSpaceTest, EveryPassOfAMultiPassMethodFillsAgain) {
  options_.plan.method = "dod-3";
  options_.plan.verify.mode = VerifyMode::kAll;
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.passes_completed, 3);
  EXPECT_TRUE(ev.verified);
  ExpectNothingLeft();
}

TEST_F(FreeSpaceTest, EioInTheMiddleOfTheFillFails) {
  env_.FailNext(FakeEnv::Op::kAppend, 1);
  FreeSpaceWipeEvent ev = Run();
  ExpectFailed(ev, "injected EIO");
  EXPECT_EQ(ev.passes_completed, 0);
}

TEST_F(FreeSpaceTest, FailedFsyncFails) {
  env_.FailNext(FakeEnv::Op::kSync, 1);
  FreeSpaceWipeEvent ev = Run();
  ExpectFailed(ev, "did not confirm that the fill reached the disk");
}

TEST_F(FreeSpaceTest, WritesLostBeforeTheSyncAreCaughtByTheReadBack) {
  env_.LoseUnsyncedDataAtSync();
  FreeSpaceWipeEvent ev = Run();
  ExpectFailed(ev, "did not reach the disk");
}

TEST_F(FreeSpaceTest, WritesLostAreCaughtInAnyPassThatIsVerified) {
  options_.plan.method = "dod-3";
  options_.plan.verify.mode = VerifyMode::kAll;
  env_.LoseUnsyncedDataAtSync(/*after=*/2);  // The third pass's sync.
  FreeSpaceWipeEvent ev = Run();
  ExpectFailed(ev, "did not reach the disk");
  EXPECT_EQ(ev.passes_completed, 2);
}

}  // namespace
}  // namespace custody
