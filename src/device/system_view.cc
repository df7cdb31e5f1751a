// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "device/system_view.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace custody::device {
namespace {

std::string ReadAttr(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Device strings go into JSON records and onto certificates: printable
  // ASCII only, trimmed.
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\0') break;
    out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  }
  const size_t b = out.find_first_not_of(' '), e = out.find_last_not_of(' ');
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

uint64_t ReadNumber(const std::string& path) {
  std::string s = ReadAttr(path);
  return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10);
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : "";
}

std::string Basename(const std::string& p) {
  const size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) &&
        IsOctal(s[i + 3])) {
      out.push_back(static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string ClassDir(const SystemRoots& r, const std::string& name) {
  return r.sys + "/class/block/" + name;
}

std::string Transport(const std::string& devpath, const std::string& name) {
  auto has = [&](const char* s) { return devpath.find(s) != std::string::npos; };
  if (name.starts_with("loop")) return "loop";
  if (has("/usb")) return "usb";  // Before the others: a USB bridge can sit above anything.
  if (has("/nvme")) return "nvme";
  if (has("/ata")) return "sata";
  if (has("/end_device-") || has("/sas_")) return "sas";
  if (has("/mmc")) return "mmc";
  if (has("/virtio") || has("/xen") || has("/devices/virtual/")) return "virtual";
  if (has("/host") && has("/target")) return "scsi";
  return "unknown";
}

// The disk a partition belongs to (its sysfs parent directory).
std::string ParentDisk(const SystemRoots& r, const std::string& name) {
  if (!Exists(ClassDir(r, name) + "/partition")) return "";
  std::string real = RealPath(ClassDir(r, name));
  if (real.empty()) return "";
  real.resize(real.rfind('/'));
  return Basename(real);
}

std::vector<std::string> Partitions(const SystemRoots& r, const std::string& disk) {
  std::vector<std::string> out;
  for (const std::string& n : BlockDeviceNames(r)) {
    if (n != disk && ParentDisk(r, n) == disk) out.push_back(n);
  }
  return out;
}

std::string DescribeHolder(const SystemRoots& r, const std::string& holder) {
  if (holder.starts_with("md")) return holder + " (software RAID)";
  if (holder.starts_with("dm-")) {
    const std::string uuid = ReadAttr(ClassDir(r, holder) + "/dm/uuid");
    const std::string dm_name = ReadAttr(ClassDir(r, holder) + "/dm/name");
    std::string what = uuid.starts_with("LVM-")     ? "LVM"
                       : uuid.starts_with("CRYPT-") ? "dm-crypt/LUKS"
                       : uuid.starts_with("mpath-") ? "multipath"
                                                    : "device-mapper";
    return holder + " (" + what + (dm_name.empty() ? "" : " " + dm_name) + ")";
  }
  return holder;
}

// maj:min of the device holding a path's file system ("" if not a block dev).
std::string DevOfFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<DeviceOpener> OpenersOfDev(const std::string& dev, const std::string& name,
                                       const std::vector<OpenDevice>& open) {
  std::vector<DeviceOpener> out;
  if (dev.empty()) return out;
  for (const OpenDevice& o : open) {
    if (o.dev == dev) out.push_back({o.pid, o.command, "/dev/" + name});
  }
  return out;
}

// Reasons for one device name, not looking at partitions or parents.
std::vector<std::string> OwnReasons(const SystemRoots& r, const std::string& name,
                                    const std::vector<MountEntry>& mounts,
                                    const std::vector<OpenDevice>& open) {
  std::vector<std::string> out;
  const std::string dev = ReadAttr(ClassDir(r, name) + "/dev");
  for (const MountEntry& m : mounts) {
    // Match the mount's device number, or its source path (btrfs reports an
    // anonymous device number; the source still names the disk).
    const bool match = (!dev.empty() && m.dev == dev) ||
                       (m.source.starts_with("/dev/") && Basename(m.source) == name);
    if (!match) continue;
    if (m.mount_point == "/") {
      out.push_back("holds the root file system (/)");
    } else {
      out.push_back("mounted at " + m.mount_point + " (" + m.fs_type + ")");
    }
  }
  const std::string root_reason = "holds the root file system (/)";
  if (!r.root.empty() && !dev.empty() && DevOfFile(r.root) == dev &&
      std::find(out.begin(), out.end(), root_reason) == out.end()) {
    out.push_back(root_reason);
  }
  std::ifstream swaps(r.proc + "/swaps");
  std::string line;
  std::getline(swaps, line);  // Header.
  while (std::getline(swaps, line)) {
    std::istringstream fields(line);
    std::string file, type;
    fields >> file >> type;
    file = Unescape(file);
    if (type == "partition") {
      struct stat st;
      std::string sd;
      if (::stat(file.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
        sd = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
      }
      if ((!sd.empty() && sd == dev) || Basename(file) == name) out.push_back("active swap");
    } else if (!dev.empty() && DevOfFile(file) == dev) {
      out.push_back("holds the active swap file " + file);
    }
  }
  for (const std::string& h : ListNames(ClassDir(r, name) + "/holders")) {
    out.push_back("held by " + DescribeHolder(r, h));
  }
  for (const DeviceOpener& o : OpenersOfDev(dev, name, open)) out.push_back(OpenByReason(o));
  return out;
}

}  // namespace

std::string OpenByReason(const DeviceOpener& o) {
  return "open by process " + std::to_string(o.pid) + " (" +
         (o.command.empty() ? std::string("?") : o.command) + ")";
}

namespace {
std::vector<OpenDevice> ScanOpenDevices(const SystemRoots& r);
}  // namespace

std::vector<OpenDevice> OpenDevices(const SystemRoots& r) {
  if (r.open_devices) return *r.open_devices;
  // Programs open block devices for a moment (udev's blkid on any change,
  // losetup looking for a free loop device): only holders seen in three
  // scans 150 ms apart count. Costs nothing when no one has a device open.
  std::vector<OpenDevice> held = ScanOpenDevices(r);
  for (int scan = 1; scan < 3 && !held.empty(); ++scan) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    const std::vector<OpenDevice> again = ScanOpenDevices(r);
    std::erase_if(held, [&](const OpenDevice& h) {
      return std::none_of(again.begin(), again.end(), [&](const OpenDevice& a) {
        return a.pid == h.pid && a.dev == h.dev;
      });
    });
  }
  return held;
}

namespace {
std::vector<OpenDevice> ScanOpenDevices(const SystemRoots& r) {
  std::vector<OpenDevice> out;
  const std::string self = std::to_string(::getpid());
  for (const std::string& pid : ListNames(r.proc)) {
    if (!AllDigits(pid) || pid == self) continue;
    const std::string fd_dir = r.proc + "/" + pid + "/fd";
    std::vector<std::string> devs;
    DIR* d = ::opendir(fd_dir.c_str());
    if (!d) continue;  // Gone meanwhile, or not ours to read.
    while (struct dirent* e = ::readdir(d)) {
      if (!AllDigits(e->d_name)) continue;
      // Only what names a device node is looked at: a stat through the
      // link of a file on a hung NFS or FUSE mount would block. Then stat
      // through the fd's link: the open file itself, even when its node was
      // renamed or removed since. (A node made outside /dev is not seen
      // here; an exclusive holder of it still fails the O_EXCL probe.)
      const std::string link = fd_dir + "/" + e->d_name;
      char target[PATH_MAX];
      const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      const std::string_view names(target, static_cast<size_t>(n));
      if (!names.starts_with("/dev/")) continue;
      struct stat st;
      if (::stat(link.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) continue;
      std::string dev = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
      if (std::find(devs.begin(), devs.end(), dev) == devs.end()) devs.push_back(std::move(dev));
    }
    ::closedir(d);
    if (devs.empty()) continue;
    const std::string command = ReadAttr(r.proc + "/" + pid + "/comm");
    for (std::string& dev : devs) {
      out.push_back({static_cast<int>(std::strtol(pid.c_str(), nullptr, 10)), command,
                     std::move(dev)});
    }
  }
  return out;
}
}  // namespace

std::vector<DeviceOpener> OpenersOf(const SystemRoots& r, const std::string& name,
                                    const std::vector<OpenDevice>& open) {
  std::vector<DeviceOpener> out;
  auto add = [&](const std::string& n) {
    for (DeviceOpener& o : OpenersOfDev(ReadAttr(ClassDir(r, n) + "/dev"), n, open)) {
      out.push_back(std::move(o));
    }
  };
  add(name);
  for (const std::string& part : Partitions(r, name)) add(part);
  if (const std::string parent = ParentDisk(r, name); !parent.empty()) add(parent);
  return out;
}

std::vector<MountEntry> ReadMounts(const SystemRoots& r) {
  std::vector<MountEntry> out;
  std::ifstream in(r.proc + "/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, opts, tok;
    if (!(f >> id >> parent >> dev >> root >> point >> opts)) continue;
    while (f >> tok && tok != "-") {
    }
    MountEntry m;
    m.dev = dev;
    m.mount_point = Unescape(point);
    f >> m.fs_type >> m.source >> m.super_options;
    m.source = Unescape(m.source);
    out.push_back(m);
  }
  return out;
}

std::vector<std::string> BlockDeviceNames(const SystemRoots& r) {
  return ListNames(r.sys + "/class/block");
}

std::string NameForDevNumber(const SystemRoots& r, const std::string& maj_min) {
  for (const std::string& n : BlockDeviceNames(r)) {
    if (ReadAttr(ClassDir(r, n) + "/dev") == maj_min) return n;
  }
  return "";
}

DeviceInfo DescribeFromSysfs(const SystemRoots& r, const std::string& name) {
  DeviceInfo d;
  d.name = name;
  d.path = "/dev/" + name;
  const std::string dir = ClassDir(r, name);
  d.parent = ParentDisk(r, name);
  const std::string disk = d.parent.empty() ? name : d.parent;
  const std::string ddir = ClassDir(r, disk);
  if (!d.parent.empty()) d.parent = "/dev/" + d.parent;
  d.kind = name.starts_with("loop") ? "loop" : d.parent.empty() ? "disk" : "partition";
  d.size_bytes = ReadNumber(dir + "/size") * 512;  // sysfs counts 512-byte units.
  d.logical_sector_size = static_cast<uint32_t>(ReadNumber(ddir + "/queue/logical_block_size"));
  d.physical_sector_size = static_cast<uint32_t>(ReadNumber(ddir + "/queue/physical_block_size"));
  d.rotational = ReadNumber(ddir + "/queue/rotational") == 1;
  d.removable = ReadNumber(ddir + "/removable") == 1;
  d.read_only = ReadNumber(dir + "/ro") == 1;
  d.vendor = ReadAttr(ddir + "/device/vendor");
  d.model = ReadAttr(ddir + "/device/model");
  d.firmware = ReadAttr(ddir + "/device/rev");
  if (d.firmware.empty()) d.firmware = ReadAttr(ddir + "/device/firmware_rev");
  d.serial = ReadAttr(ddir + "/device/serial");
  if (d.serial.empty()) d.serial = ReadAttr(ddir + "/serial");  // virtio-blk
  d.wwn = ReadAttr(ddir + "/wwid");
  if (d.wwn.empty()) d.wwn = ReadAttr(ddir + "/device/wwid");
  d.backing_file = ReadAttr(ddir + "/loop/backing_file");
  std::string devpath = RealPath(ddir);
  if (devpath.starts_with(r.sys)) devpath = devpath.substr(r.sys.size());
  d.transport = Transport(devpath, disk);
  return d;
}

std::vector<std::string> InUseReasons(const SystemRoots& r, const std::string& name) {
  return InUseReasons(r, name, OpenDevices(r));
}

std::vector<std::string> InUseReasons(const SystemRoots& r, const std::string& name,
                                      const std::vector<OpenDevice>& open) {
  const std::vector<MountEntry> mounts = ReadMounts(r);
  std::vector<std::string> out = OwnReasons(r, name, mounts, open);
  for (const std::string& part : Partitions(r, name)) {
    for (const std::string& why : OwnReasons(r, part, mounts, open)) {
      out.push_back("partition /dev/" + part + " " + why);
    }
  }
  const std::string parent = ParentDisk(r, name);
  if (!parent.empty()) {
    // A disk held whole (RAID member, multipath) makes its partitions unsafe too.
    for (const std::string& h : ListNames(ClassDir(r, parent) + "/holders")) {
      out.push_back("its disk /dev/" + parent + " is held by " + DescribeHolder(r, h));
    }
    // A program with the whole disk open (a partition editor, a disk
    // imager) reaches this partition's sectors too.
    for (const DeviceOpener& o :
         OpenersOfDev(ReadAttr(ClassDir(r, parent) + "/dev"), parent, open)) {
      out.push_back("its disk /dev/" + parent + " is " + OpenByReason(o));
    }
    // The root file system's disk: refuse its other partitions as well
    // (boot, EFI and swap partitions of the running system live there).
    for (const std::string& sibling : Partitions(r, parent)) {
      if (sibling == name) continue;
      for (const std::string& why : OwnReasons(r, sibling, mounts, {})) {
        if (why.find("root file system") != std::string::npos) {
          out.push_back("is on the disk of the root file system (/dev/" + sibling + ")");
        }
      }
    }
  }
  return out;
}

}  // namespace custody::device
