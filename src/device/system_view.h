// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// What sysfs and procfs say about block devices, read under replaceable
// roots so unit tests can present canned trees (disks with partitions, RAID
// and LVM holders, swap, a root file system) that this machine lacks.
#ifndef CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_
#define CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_

#include <optional>
#include <string>
#include <vector>

#include "custody/device.h"

namespace custody::device {

// One block device a process other than this one has open.
struct OpenDevice {
  int pid = 0;
  std::string command;  // proc/PID/comm
  std::string dev;      // "maj:min" of the device
};

struct SystemRoots {
  std::string sys = "/sys";
  std::string proc = "/proc";
  // The process's root directory. Its file system's device holds the root
  // file system even where mountinfo does not list it: in a chroot or a
  // container, mountinfo shows only mounts inside the root. "" = no check.
  std::string root = "/";
  // The processes that hold block devices open, as DeviceOpeners scans them
  // (unit tests set them: a canned tree cannot hold a device open). nullopt:
  // scan proc/PID/fd.
  std::optional<std::vector<OpenDevice>> open_devices;
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
// Every block device that a process other than this one has open: each
// proc/PID/fd/N that stat(2) (through the link, so a node renamed or
// removed since still counts) finds to be a block device. Processes of other
// PID namespaces are not visible; a process whose fds this one may not read
// (not root) is missed. Only holders found in three scans 150 ms apart are
// returned (udev's blkid and losetup open devices for a moment). Only fds
// that name a /dev node are followed. roots.open_devices when set.
std::vector<OpenDevice> OpenDevices(const SystemRoots& roots);
// The other processes that have `name`, one of its partitions or (for a
// partition) its disk open; DeviceOpener::device names the node.
std::vector<DeviceOpener> OpenersOf(const SystemRoots& roots, const std::string& name,
                                    const std::vector<OpenDevice>& open);
// Why `name` must not be wiped: mounts, swap, root file system, holders,
// other processes that have it open, for the device itself, its partitions
// and (for a partition) its disk.
std::vector<std::string> InUseReasons(const SystemRoots& roots, const std::string& name);
// The same with the open devices scanned once already.
std::vector<std::string> InUseReasons(const SystemRoots& roots, const std::string& name,
                                      const std::vector<OpenDevice>& open);
// "open by process 4242 (qemu-system-x86)": the reason InUseReasons gives.
std::string OpenByReason(const DeviceOpener& opener);

}  // namespace custody::device

#endif  // CUSTODY_SRC_DEVICE_SYSTEM_VIEW_H_
