// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// IdentifyDevice and CheckWipeSafety on real loop devices: geometry and
// backing file, a mounted device and its holder named, a device held open
// with O_EXCL, the root file system's device refused.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody/device.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::LoopDevice;

constexpr uint64_t kSize = 16 * 1024 * 1024 + 3 * 512;

class IdentifyDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    backing_ = dir_.path() + "/backing.img";
    ASSERT_TRUE(testing::CreateSparseFile(backing_, kSize));
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    ASSERT_NE(loop_, nullptr) << error;
  }
  TempDir dir_;
  std::string backing_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(IdentifyDeviceTest, LoopDeviceReportsGeometryAndBackingFile) {
  auto info = IdentifyDevice(loop_->path());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->path, loop_->path());
  EXPECT_EQ("/dev/" + info->name, loop_->path());
  EXPECT_EQ(info->kind, "loop");
  EXPECT_EQ(info->transport, "loop");
  EXPECT_EQ(info->size_bytes, kSize);
  EXPECT_EQ(info->logical_sector_size, 512u);
  EXPECT_GE(info->physical_sector_size, 512u);
  EXPECT_EQ(info->backing_file, backing_);
  EXPECT_TRUE(info->in_use.empty());
  EXPECT_FALSE(info->hidden.checked);
  EXPECT_TRUE(CheckWipeSafety(*info).ok());
  auto warnings = MediaWarnings(*info);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0], HasSubstr(backing_));

  auto json = info->ToJson();
  EXPECT_THAT(json, HasSubstr("\"backing_file\":\"" + backing_ + "\""));

  auto all = ListBlockDevices();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  bool listed = false;
  for (const DeviceInfo& d : *all) listed |= d.path == loop_->path() && d.size_bytes == kSize;
  EXPECT_TRUE(listed);
}

TEST_F(IdentifyDeviceTest, MountedDeviceIsRefusedNamingTheMountPoint) {
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", loop_->path()}).exit_code, 0);
  const std::string mnt = dir_.path() + "/mnt";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  std::string error;
  ASSERT_TRUE(loop_->Mount(mnt, "", &error)) << error;
  auto info = IdentifyDevice(loop_->path());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->in_use.size(), 1u);
  EXPECT_EQ(info->in_use[0], "mounted at " + mnt + " (ext4)");
  Status s = CheckWipeSafety(*info);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  // A sentence: "refusing to wipe /dev/loopN: it is mounted at /x (ext4)."
  EXPECT_THAT(s.message(), HasSubstr(": it is mounted at " + mnt + " (ext4). Unmount"));
  EXPECT_THAT(s.message(), HasSubstr("Unmount"));
}

TEST_F(IdentifyDeviceTest, DeviceHeldOpenExclusivelyIsRefused) {
  int fd = ::open(loop_->path().c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto info = IdentifyDevice(loop_->path());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  Status s = CheckWipeSafety(*info);
  ::close(fd);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_THAT(s.message(), HasSubstr("held open exclusively by another program"));
  EXPECT_TRUE(CheckWipeSafety(*IdentifyDevice(loop_->path())).ok());
}

// A child process named `name` that holds `path` open (with O_EXCL when
// `exclusive`) until it is killed: another program using the device.
class Holder {
 public:
  Holder(const std::string& path, bool exclusive, const char* name) {
    int ready[2];
    if (::pipe(ready) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::prctl(PR_SET_NAME, name);
      const int fd = ::open(path.c_str(), O_RDWR | (exclusive ? O_EXCL : 0));
      const char ok = fd >= 0 ? '1' : '0';
      (void)!::write(ready[1], &ok, 1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char ok = '0';
    if (pid_ > 0 && ::read(ready[0], &ok, 1) == 1) open_ = ok == '1';
    ::close(ready[0]);
  }
  ~Holder() { Stop(); }
  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  bool open() const { return open_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool open_ = false;
};

// Another program that has the device open without O_EXCL (as `exec
// 3<>/dev/loop0` in a shell does) passes the O_EXCL check, but is found in
// /proc/PID/fd: named (PID and command) in device info, and the wipe is
// refused naming it.
TEST_F(IdentifyDeviceTest, DeviceOpenByAnotherProcessIsRefusedNamingIt) {
  Holder holder(loop_->path(), /*exclusive=*/false, "disk-holder");
  ASSERT_TRUE(holder.open());
  auto info = IdentifyDevice(loop_->path());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const std::string who = "open by process " + std::to_string(holder.pid()) + " (disk-holder)";
  EXPECT_THAT(info->in_use, ::testing::Contains(who));
  // Others may have it open too for a moment (udev's blkid on a new loop
  // device): the holder is among them.
  int found = 0;
  for (const auto& o : info->open_by) {
    if (o.pid != holder.pid()) continue;
    ++found;
    EXPECT_EQ(o.command, "disk-holder");
    EXPECT_EQ(o.device, loop_->path());
  }
  EXPECT_EQ(found, 1);
  EXPECT_THAT(info->ToJson(), HasSubstr("{\"command\":\"disk-holder\""));
  Status s = CheckWipeSafety(*info);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_THAT(s.message(), HasSubstr(": it is " + who));

  // Opened after the device was identified: the last look before the wipe
  // still finds it.
  holder.Stop();
  auto free_now = IdentifyDevice(loop_->path());
  ASSERT_TRUE(free_now.ok());
  EXPECT_TRUE(free_now->in_use.empty()) << free_now->in_use.front();
  EXPECT_TRUE(CheckWipeSafety(*free_now).ok());
  Holder late(loop_->path(), /*exclusive=*/false, "late-opener");
  ASSERT_TRUE(late.open());
  Status again = CheckWipeSafety(*free_now);
  EXPECT_EQ(again.code(), StatusCode::kBusy);
  EXPECT_THAT(again.message(),
              HasSubstr("open by process " + std::to_string(late.pid()) + " (late-opener)"));
}

// With O_EXCL the open is refused; the refusal names the process too.
TEST_F(IdentifyDeviceTest, ExclusiveHolderIsNamed) {
  Holder holder(loop_->path(), /*exclusive=*/true, "excl-holder");
  ASSERT_TRUE(holder.open());
  const std::string who =
      "open by process " + std::to_string(holder.pid()) + " (excl-holder)";
  auto info = IdentifyDevice(loop_->path());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  Status s = CheckWipeSafety(*info);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_THAT(s.message(), HasSubstr(who));
  // Identified before it was opened: the O_EXCL refusal names it.
  holder.Stop();
  auto before = IdentifyDevice(loop_->path());
  ASSERT_TRUE(before.ok());
  Holder late(loop_->path(), /*exclusive=*/true, "excl-late");
  ASSERT_TRUE(late.open());
  Status late_s = CheckWipeSafety(*before);
  EXPECT_EQ(late_s.code(), StatusCode::kBusy);
  EXPECT_THAT(late_s.message(), HasSubstr("held open exclusively (O_EXCL refused), open by process " +
                                          std::to_string(late.pid()) + " (excl-late)"));
}

TEST(IdentifyRootTest, TheRootFileSystemsDeviceIsRefused) {
  struct stat st;
  ASSERT_EQ(::stat("/", &st), 0);
  DeviceInfo root;
  bool found = false;
  auto all = ListBlockDevices();
  ASSERT_TRUE(all.ok());
  for (const DeviceInfo& d : *all) {
    struct stat ds;
    if (::stat(d.path.c_str(), &ds) == 0 && S_ISBLK(ds.st_mode) && ds.st_rdev == st.st_dev) {
      root = d;
      found = true;
    }
  }
  if (!found) GTEST_SKIP() << "/ is not on a block device here (overlay, tmpfs or container)";
  Status s = CheckWipeSafety(root);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_THAT(s.message(), HasSubstr("holds the root file system (/)"));
}

TEST(IdentifyFileTest, RegularFilesAreIdentifiedAndSentToTheFileWipe) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  WriteFileOrDie(path, std::string(1000, 'x'));
  auto info = IdentifyDevice(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->kind, "file");
  EXPECT_EQ(info->size_bytes, 1000u);
  EXPECT_EQ(CheckWipeSafety(*info).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(IdentifyDevice(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(IdentifyDevice("/dev/null").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace custody
