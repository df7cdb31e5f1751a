// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The free-space fill on FakeEnv: ENOSPC is the expected end of the fill (a
// short last write counts exactly what fitted); EIO in the middle, a failed
// fsync, and writes lost at a power cut before the sync end the wipe
// `failed` (wipe.free-space.failed, never completed) with a clear message,
// and the fill files are removed either way. The real-file-system test is
// FreeSpaceFillReachesDeletedData in file_wipe_device_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

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

  Result<FreeSpaceWipeEvent> TryRun(uint64_t fill_file_bytes = 0) {
    auto passes = ExpandPlan(options_.plan);
    EXPECT_TRUE(passes.ok());
    FreeSpaceWipeEvent ev;
    ev.wipe_id = "fs-test";
    ev.mount_point = "/mnt";
    ev.plan = options_.plan;
    for (const WipePass& p : *passes) ev.passes.push_back(p.Describe());
    erase::FreeSpaceFill fill;
    fill.total_hint = kCapacity;
    fill.fill_file_bytes = fill_file_bytes;
    fill.reserve_control = reserve_control_;
    return erase::FillFreeSpace("/mnt", *passes, fill, options_, &env_, ev);
  }
  FreeSpaceWipeEvent Run(uint64_t fill_file_bytes = 0) {
    auto r = TryRun(fill_file_bytes);
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
  std::string reserve_control_;
};

TEST_F(FreeSpaceTest, FillsUntilEnospcVerifiesAndRemoves) {
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.EventType(), "wipe.free-space.completed");
  EXPECT_EQ(ev.bytes_filled, kCapacity);  // Every byte that fitted, no more.
  EXPECT_TRUE(ev.unreached_measured);
  EXPECT_EQ(ev.unreached_bytes, 0u);
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
  // Everything but the last partial sector (1234 % 512 bytes), and the
  // event says that those were not reached.
  EXPECT_EQ(ev.bytes_filled, kCapacity - kCapacity % 512);
  EXPECT_EQ(ev.unreached_bytes, kCapacity % 512);
  EXPECT_EQ(ev.result, WipeResult::kCompletedWithErrors) << ev.message;
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

// Free space the file system keeps from every writer (ext4's reserved
// clusters, when they cannot be lowered): the fill ends short of it. The
// wipe measures what is still free after the fill and says so (a
// limitation with the byte count, completed-with-errors), instead of
// "completed" with deleted data left in the held-back blocks.
TEST_F(FreeSpaceTest, FreeSpaceTheFillCannotReachIsMeasuredAndNoPlainSuccess) {
  constexpr uint64_t kHeldBack = 64 * 1024;
  env_.SetHeldBack(kHeldBack);
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.bytes_filled, kCapacity - kHeldBack);
  EXPECT_TRUE(ev.unreached_measured);
  EXPECT_EQ(ev.unreached_bytes, kHeldBack);
  EXPECT_EQ(ev.result, WipeResult::kCompletedWithErrors) << ev.message;
  EXPECT_NE(ev.message.find("65536 bytes of free space were not reached"), std::string::npos)
      << ev.message;
  bool limitation = false;
  for (const std::string& l : ev.limitations) {
    limitation |= l.starts_with("65536 bytes of free space were not overwritten");
  }
  EXPECT_TRUE(limitation) << ::testing::PrintToString(ev.limitations);
  EXPECT_FALSE(ev.ToStatus().ok());
  ExpectNothingLeft();
}

class FreeSpaceReserveTest : public FreeSpaceTest {
 protected:
  static constexpr uint64_t kClusters = 16, kClusterBytes = 4096;
  // The fill directory's note of the value to restore ("16\n") takes space.
  static constexpr uint64_t kNoteBytes = 3;
  void SetUp() override {
    FreeSpaceTest::SetUp();
    reserve_control_ = "/sys/fs/ext4/loop9/reserved_clusters";
    SetReserve(std::to_string(kClusters) + "\n");
    env_.SetHeldBack(0, reserve_control_, kClusterBytes);
  }
  void SetReserve(const std::string& text) {
    auto f = env_.NewWritableFile(reserve_control_, 0644);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(text).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  std::string Reserve() { return env_.Contents(reserve_control_); }
  // A writer to the reserve that notes the value each fill ran with.
  void ExpectRestored(const FreeSpaceWipeEvent& ev) {
    EXPECT_EQ(Reserve(), "16\n");
    EXPECT_TRUE(ev.reserve_restored) << ev.reserve_error;
    EXPECT_EQ(ev.reserve_error, "");
    EXPECT_EQ(ev.reserve_clusters, kClusters);
    ExpectNothingLeft();
  }
};

// Running as root, ext4's reserved clusters are lowered to 0 for the fill,
// so the fill reaches them, and restored afterwards.
TEST_F(FreeSpaceReserveTest, TheReserveIsLoweredForTheFillAndRestored) {
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.bytes_filled, kCapacity - kNoteBytes);
  EXPECT_EQ(ev.unreached_bytes, 0u);
  EXPECT_TRUE(ev.reserve_lowered);
  ExpectRestored(ev);
  const std::string& started = sink_.events.front().second;
  EXPECT_EQ(sink_.events.front().first, "wipe.free-space.started");
  EXPECT_NE(started.find("\"ext4_reserved_clusters\":{\"before\":16,"), std::string::npos)
      << started;
}

TEST_F(FreeSpaceReserveTest, TheReserveIsRestoredWhenTheFillFails) {
  env_.FailNext(FakeEnv::Op::kAppend, 1, /*after=*/3);
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kFailed) << ev.message;
  ExpectRestored(ev);
}

TEST_F(FreeSpaceReserveTest, TheReserveIsRestoredWhenTheOperatorStopsTheFill) {
  std::atomic<bool> stop{true};
  options_.stop = &stop;
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kInterrupted) << ev.message;
  ExpectRestored(ev);
}

// A reserve that cannot be lowered (not permitted, the kernel refuses the
// value): the fill goes on, and what it could not reach is in the record.
TEST_F(FreeSpaceReserveTest, AReserveThatCannotBeLoweredIsRecorded) {
  env_.FailNext(FakeEnv::Op::kCreate, 1, /*after=*/1);  // The dir's note, then the control.
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompletedWithErrors) << ev.message;
  EXPECT_EQ(ev.unreached_bytes, kClusters * kClusterBytes);
  EXPECT_FALSE(ev.reserve_lowered);
  EXPECT_NE(ev.reserve_error.find("could not be lowered"), std::string::npos) << ev.reserve_error;
  bool named = false;
  for (const std::string& l : ev.limitations) {
    named |= l.starts_with("ext4 holds back 16 clusters (" + reserve_control_ + ")");
  }
  EXPECT_TRUE(named) << ::testing::PrintToString(ev.limitations);
  EXPECT_EQ(Reserve(), "16\n");
}

// wipe.free-space.started is recorded before the first fill file: a crash
// during the fill leaves a trace in the ledger. A sink that cannot record
// it stops the wipe before anything is written.
TEST_F(FreeSpaceTest, StartedIsRecordedBeforeTheFillAndARefusalWritesNothing) {
  FreeSpaceWipeEvent ev = Run();
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].first, "wipe.free-space.started");
  EXPECT_NE(sink_.events[0].second.find("\"fill_dir\":\"/mnt/.custody-free-space-fs-test\""),
            std::string::npos)
      << sink_.events[0].second;
  EXPECT_EQ(sink_.events[1].first, "wipe.free-space.completed");

  sink_.events.clear();
  sink_.fail_started = IoError("ledger unavailable");
  auto refused = TryRun();
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(sink_.events.empty());
  ExpectNothingLeft();
}

// A run that crashed during its fill left its directory full of fill files
// (and ext4's reserve at 0): the next run removes them, puts the reserve
// back, records what it removed, and then reaches that space too.
TEST_F(FreeSpaceReserveTest, AFillLeftByACrashedRunIsRemovedByTheNextRun) {
  const std::string old_dir = "/mnt/.custody-free-space-crashed";
  ASSERT_TRUE(env_.CreateDir(old_dir, 0700).ok());
  {
    auto note = env_.NewWritableFile(old_dir + "/reserved_clusters", 0600);
    ASSERT_TRUE(note.ok());
    ASSERT_TRUE((*note)->Append("16\n").ok());
    ASSERT_TRUE((*note)->Close().ok());
    auto fill = env_.NewWritableFile(old_dir + "/fill-0", 0600);
    ASSERT_TRUE(fill.ok());
    ASSERT_TRUE((*fill)->Append(std::string(1 << 20, 'x')).ok());
    ASSERT_TRUE((*fill)->Close().ok());
  }
  SetReserve("0\n");  // Lowered by the crashed run.
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.leftovers_removed, std::vector<std::string>{".custody-free-space-crashed"});
  EXPECT_EQ(ev.bytes_filled, kCapacity - kNoteBytes);
  ExpectRestored(ev);
  EXPECT_NE(sink_.events.front().second.find("\"leftovers_removed\":[\".custody-free-space-crashed\"]"),
            std::string::npos)
      << sink_.events.front().second;
}

// A free-space wipe holds a lock on the mount point for its whole run:
// another one of the same file system (here a lock held as "pid 4242") is
// refused before it writes or removes anything, so the running wipe's fill
// directory survives; once that run ends its lock is gone, and what it left
// (as a crashed run does) is removed as before.
TEST_F(FreeSpaceTest, ASecondWipeOfTheSameFileSystemIsRefusedWhileTheFirstRuns) {
  const std::string running = "/mnt/.custody-free-space-running";
  ASSERT_TRUE(env_.CreateDir(running, 0700).ok());
  ASSERT_TRUE(env_.WriteFileAtomically(running + "/fill-0", std::string(4096, 'x'), 0600).ok());
  env_.SetProcessId(4242);
  auto first = env_.TryLockFile("/mnt", nullptr);
  ASSERT_TRUE(first.ok());
  env_.SetProcessId(1000);
  auto refused = TryRun();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kBusy);
  EXPECT_EQ(refused.status().message(),
            "another free-space wipe of /mnt is running (pid 4242): wait until it ends (two at "
            "once would remove each other's fill files)");
  EXPECT_TRUE(env_.FileExists(running + "/fill-0"));
  EXPECT_TRUE(sink_.events.empty());
  first->reset();  // The first run ends (or dies) without removing its fill.
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(ev.leftovers_removed, std::vector<std::string>{".custody-free-space-running"});
  ExpectNothingLeft();
}

// The lock is held from before the leftovers are looked at until the final
// event, and released after.
TEST_F(FreeSpaceTest, TheMountPointIsLockedForTheWholeRun) {
  struct LockWatcher : RecordingWipeSink {
    FakeEnv* env;
    std::vector<bool> locked;
    Status OnFreeSpaceStarted(const FreeSpaceWipeEvent& e) override {
      locked.push_back(env->IsLocked("/mnt"));
      return RecordingWipeSink::OnFreeSpaceStarted(e);
    }
    Status OnFreeSpaceFinished(const FreeSpaceWipeEvent& e) override {
      locked.push_back(env->IsLocked("/mnt"));
      return RecordingWipeSink::OnFreeSpaceFinished(e);
    }
  } watcher;
  watcher.env = &env_;
  options_.sink = &watcher;
  FreeSpaceWipeEvent ev = Run();
  EXPECT_EQ(ev.result, WipeResult::kCompleted) << ev.message;
  EXPECT_EQ(watcher.locked, (std::vector<bool>{true, true}));
  EXPECT_FALSE(env_.IsLocked("/mnt"));
}

}  // namespace
}  // namespace custody
