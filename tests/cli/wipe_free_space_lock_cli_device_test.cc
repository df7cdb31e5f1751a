// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody wipe --free-space` on a mounted ext4 loop device while
// another process holds the free-space lock (flock) on the mount point, as
// a running free-space wipe does: the second wipe is refused (exit 12,
// naming the holder's pid) without removing the first one's fill directory
// or recording anything. Once the holder is gone (as after a crash), the
// next wipe removes that directory as a crashed run's leftover.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "custody/env.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

extern char** environ;

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::LoopDevice;

// A process running `flock --no-fork DIR sleep 60`: it holds the lock itself
// (the same process after exec). Killed and reaped on every way out.
class LockHolder {
 public:
  bool Start(const std::string& dir) {
    std::vector<std::string> args = {"flock", "--exclusive", "--no-fork", dir, "sleep", "60"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "flock", nullptr, nullptr, argv.data(), environ) != 0) return false;
    // Until the lock is taken: our own try is refused.
    for (int i = 0; i < 100; ++i) {
      auto probe = Env::Default()->TryLockFile(dir, nullptr);
      if (!probe.ok() && probe.status().code() == StatusCode::kBusy) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  ~LockHolder() { Stop(); }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(WipeFreeSpaceLockCliDeviceTest, ASecondFreeSpaceWipeIsRefusedWhileTheLockIsHeld) {
  if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  if (RunCommand({"sh", "-c", "flock --help | grep -q -- --no-fork"}).exit_code != 0) {
    GTEST_SKIP() << "no flock(1) with --no-fork (util-linux 2.36+)";
  }
  TempDir dir;
  const std::string home = dir.path() + "/station";
  auto init = RunCustody({"--home", home, "init", "--organization", "株式会社サンプル", "--name",
                          "bench-1", "--operator", "佐藤花子", "--default-operator", "佐藤花子"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string backing = dir.path() + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 16 << 20));
  std::string error;
  std::unique_ptr<LoopDevice> loop = LoopDevice::Attach(backing, &error);
  ASSERT_NE(loop, nullptr) << error;
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", loop->path()}).exit_code, 0);
  const std::string mnt = dir.path() + "/mnt";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  ASSERT_TRUE(loop->Mount(mnt, "", &error)) << error;  // Unmounted by ~LoopDevice.
  const std::string real = std::filesystem::canonical(mnt).string();
  // The fill directory of the wipe that "runs" (holds the lock).
  const std::string running = mnt + "/.custody-free-space-running";
  ASSERT_EQ(::mkdir(running.c_str(), 0700), 0);
  WriteFileOrDie(running + "/fill-0", std::string(1 << 20, 'x'));

  LockHolder holder;
  ASSERT_TRUE(holder.Start(mnt)) << "flock did not take the lock";
  auto refused = RunCustody({"--home", home, "--lang", "en", "wipe", "--free-space", mnt});
  EXPECT_EQ(refused.exit_code, 12) << refused.out << refused.err;  // busy
  EXPECT_THAT(refused.err, HasSubstr("another free-space wipe of " + real + " is running (pid " +
                                     std::to_string(holder.pid()) + ")"));
  EXPECT_TRUE(std::filesystem::exists(running + "/fill-0"));
  auto log = RunCustody({"--home", home, "--json", "log", "show", "--type", "wipe"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(log.out, "");

  holder.Stop();  // As a crash: the lock goes with the process, the fill dir stays.
  auto next = RunCustody({"--home", home, "--json", "wipe", "--free-space", mnt});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_FALSE(std::filesystem::exists(running));
  std::string last;
  std::istringstream lines(next.out);
  for (std::string line; std::getline(lines, line);) last = line;
  auto done = nlohmann::json::parse(last);
  EXPECT_EQ(done["leftovers_removed"], nlohmann::json::array({".custody-free-space-running"}))
      << last;
  // Nothing of the lock is left at the mount point.
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(mnt)) {
    left.push_back(e.path().filename());
  }
  EXPECT_EQ(left, std::vector<std::string>{"lost+found"});
  loop.reset();
}

}  // namespace
}  // namespace custody
