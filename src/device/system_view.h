// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// What sysfs and procfs say about block devices, read under replaceable
// roots so unit tests can present canned trees (disks with partitions, RAID
// and LVM holders, swap, a root file system) that this machine lacks.
#ifndef CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_
#define CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_

#include <string>
#include <vector>

#include "custody/device.h"

namespace custody::device {

struct SystemRoots {
  std::string sys = "/sys";
  std::string proc = "/proc";
  // The process's root directory. Its file system's device holds the root
  // file system even where mountinfo does not list it: in a chroot or a
  // container, mountinfo shows only mounts inside the root. "" = no check.
  std::string root = "/";
};

struct MountEntry {
  std::string dev;  // "maj:min" as mountinfo reports it
  std::string mount_point;
  std::string fs_type;
  std::string source;
  std::string super_options;
};
std::vector<MountEntry> ReadMounts(const SystemRoots& roots);

// Every name under class/block, sorted.
std::vector<std::string> BlockDeviceNames(const SystemRoots& roots);
// The kernel name for "maj:min", or empty.
std::string NameForDevNumber(const SystemRoots& roots, const std::string& maj_min);
// Identity from sysfs alone (no device I/O): geometry, transport, strings.
DeviceInfo DescribeFromSysfs(const SystemRoots& roots, const std::string& name);
// Why `name` must not be wiped: mounts, swap, root file system, holders,
// for the device itself, its partitions and (for a partition) its disk.
std::vector<std::string> InUseReasons(const SystemRoots& roots, const std::string& name);

}  // namespace custody::device

#endif  // CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_
