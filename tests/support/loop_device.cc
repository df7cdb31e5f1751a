// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "support/loop_device.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>

#include "support/temp_dir.h"

namespace custody::testing {

std::string LoopDeviceUnavailableReason() {
  if (::geteuid() != 0) return "needs root to attach loop devices";
  if (::access("/dev/loop-control", F_OK) != 0) return "no /dev/loop-control (no loop support)";
  if (RunCommand({"losetup", "--version"}).exit_code != 0) return "losetup is not installed";
  return "";
}

std::unique_ptr<LoopDevice> LoopDevice::Attach(const std::string& backing_file, std::string* error,
                                               bool direct_io) {
  std::vector<std::string> argv = {"losetup", "--find", "--show"};
  if (direct_io) argv.push_back("--direct-io=on");
  argv.push_back(backing_file);
  CommandResult r = RunCommand(argv);
  std::string dev = r.out;
  while (!dev.empty() && (dev.back() == '\n' || dev.back() == ' ')) dev.pop_back();
  if (r.exit_code != 0 || dev.empty()) {
    *error = "losetup failed: " + r.err;
    return nullptr;
  }
  return std::unique_ptr<LoopDevice>(new LoopDevice(dev, backing_file));
}

bool LoopDevice::Mount(const std::string& dir, const std::string& options, std::string* error) {
  std::vector<std::string> argv = {"mount"};
  if (!options.empty()) argv.insert(argv.end(), {"-o", options});
  argv.insert(argv.end(), {path_, dir});
  CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) {
    *error = "mount failed: " + r.err;
    return false;
  }
  mount_dir_ = dir;
  return true;
}

bool LoopDevice::Unmount(std::string* error) {
  if (mount_dir_.empty()) return true;
  CommandResult r = RunCommand({"umount", mount_dir_});
  if (r.exit_code != 0) {
    if (error) *error = "umount failed: " + r.err;
    return false;
  }
  mount_dir_.clear();
  return true;
}

LoopDevice::~LoopDevice() {
  Unmount(nullptr);
  // A just-closed device can be briefly busy (udev-less here, but the kernel
  // may still hold a reference): retry the detach a few times.
  for (int i = 0; i < 20; ++i) {
    if (RunCommand({"losetup", "-d", path_}).exit_code == 0) return;
    ::usleep(50'000);
  }
}

bool CreateSparseFile(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0;
  ::close(fd);
  return ok;
}

bool TmpfsMount::Mount(const std::string& dir, uint64_t bytes, std::string* error) {
  CommandResult r = RunCommand(
      {"mount", "-t", "tmpfs", "-o", "size=" + std::to_string(bytes) + ",mode=0700", "tmpfs", dir});
  if (r.exit_code != 0) {
    *error = "mount -t tmpfs failed: " + r.err;
    return false;
  }
  dir_ = dir;
  return true;
}

TmpfsMount::~TmpfsMount() {
  if (!dir_.empty()) RunCommand({"umount", dir_});
}

}  // namespace custody::testing
