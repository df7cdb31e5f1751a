// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// IdentifyDevice, ListBlockDevices, CheckWipeSafety and media warnings
// (custody/device.h).
#include <fcntl.h>
#include <linux/hdreg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "common/catalog_mark.h"
#include "custody/device.h"
#include "device/ata_identity.h"
#include "device/scsi_vpd.h"
#include "device/system_view.h"
#include "env/posix_io.h"
#include "purge/nvme_commands.h"

namespace custody {
namespace {

using device::SystemRoots;

std::string AsciiField(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && p[i] != 0; ++i) s.push_back(p[i] >= 0x20 && p[i] < 0x7F ? p[i] : '?');
  const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string ReadBinary(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// SATA: HDIO_GET_IDENTITY (libata hands back the IDENTIFY words, with the
// model, serial and firmware already in reading order), then the HPA/DCO
// probe through ATA PASS-THROUGH.
void EnrichAta(DeviceInfo& d, const std::string& disk_path) {
  int fd = ::open(disk_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    uint8_t id[512] = {};
    if (::ioctl(fd, HDIO_GET_IDENTITY, id) == 0) {
      if (auto s = AsciiField(id + 20, 20); !s.empty()) d.serial = s;
      if (auto s = AsciiField(id + 46, 8); !s.empty()) d.firmware = s;
      if (auto s = AsciiField(id + 54, 40); !s.empty()) d.model = s;
      if (auto x = device::ParseAtaExtras(id); x.ok()) {
        if (!x->wwn.empty()) d.wwn = x->wwn;
        if (x->rotation_rate == 1) d.rotational = false;
      }
    }
    ::close(fd);
  }
  if (d.vendor == "ATA") d.vendor.clear();  // libata's placeholder, not a maker.
  auto t = OpenLinuxScsiTransport(disk_path);
  if (!t.ok()) {
    d.hidden.note = "HPA/DCO not checked: " + t.status().message();
    return;
  }
  device::AtaExtras x;
  d.hidden = device::ProbeAtaHiddenArea(**t, &x);
}

// SCSI, SAS, USB: INQUIRY VPD 80h/83h over SG_IO, else the kernel's cached
// copies in sysfs.
void EnrichScsi(DeviceInfo& d, const std::string& disk_path, const std::string& sysdir) {
  std::string pg80, pg83;
  if (auto t = OpenLinuxScsiTransport(disk_path); t.ok()) {
    if (auto p = device::ReadVpdPage(**t, 0x80); p.ok()) pg80.assign(p->begin(), p->end());
    if (auto p = device::ReadVpdPage(**t, 0x83); p.ok()) pg83.assign(p->begin(), p->end());
    if (d.transport == "usb") {
      // A SATA drive in a SAT-capable dock answers ATA: check its hidden areas.
      device::AtaExtras x;
      HiddenAreaReport h = device::ProbeAtaHiddenArea(**t, &x);
      if (h.checked) d.hidden = h;
    }
  }
  if (pg80.empty()) pg80 = ReadBinary(sysdir + "/device/vpd_pg80");
  if (pg83.empty()) pg83 = ReadBinary(sysdir + "/device/vpd_pg83");
  if (auto s = device::ParseUnitSerialPage(Bytes(pg80)); s.ok() && !s->empty()) d.serial = *s;
  if (auto w = device::ParseDeviceIdentificationPage(Bytes(pg83)); w.ok() && !w->empty()) d.wwn = *w;
}

void EnrichNvme(DeviceInfo& d, const std::string& disk_path) {
  auto t = OpenLinuxNvmeTransport(disk_path);
  if (!t.ok()) return;
  std::vector<uint8_t> data(purge::nvme::kIdentifySize);
  auto c = (*t)->Admin(purge::nvme::BuildIdentify(purge::nvme::kCnsController, 0),
                       DataDirection::kFromDevice, data);
  if (!c.ok() || !c->ok()) return;
  if (auto id = purge::nvme::ParseIdentifyController(data); id.ok()) {
    if (!id->serial.empty()) d.serial = id->serial;
    if (!id->model.empty()) d.model = id->model;
    if (!id->firmware.empty()) d.firmware = id->firmware;
  }
}

std::string DevNumber(dev_t dev) {
  return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

Result<DeviceInfo> IdentifyFile(const std::string& path, const struct stat& st) {
  SystemRoots roots;
  DeviceInfo d;
  d.path = path;
  d.kind = "file";
  d.transport = "file";
  d.size_bytes = static_cast<uint64_t>(st.st_size);
  d.logical_sector_size = 512;
  d.physical_sector_size = static_cast<uint32_t>(st.st_blksize);
  if (std::string host = device::NameForDevNumber(roots, DevNumber(st.st_dev)); !host.empty()) {
    DeviceInfo h = device::DescribeFromSysfs(roots, host);
    d.parent = "/dev/" + host;
    d.rotational = h.rotational;
  }
  return d;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// One in-use reason of device::InUseReasons ("mounted at /x (ext4)", "active
// swap", "held by md0 (software RAID)", "holds the root file system (/)",
// "partition /dev/sdb1 mounted at /x (ext4)", "its disk /dev/sdb is held by
// ...", "is on the disk of ...") as a clause of its own: "it is mounted at
// /x (ext4)", "its partition /dev/sdb1 is mounted at /x (ext4)".
std::string VerbPhrase(const std::string& reason) {
  if (reason.starts_with("mounted at ") || reason.starts_with("held by ") ||
      reason.starts_with("open by ")) {
    return "is " + reason;
  }
  if (reason == "active swap") return "is an active swap area";
  return reason;  // "holds ...", "is ..."
}

std::string InUseClause(const std::string& reason) {
  if (reason.starts_with("its ")) return reason;
  if (reason.starts_with("partition ")) {
    const size_t name_end = reason.find(' ', 10);
    if (name_end != std::string::npos) {
      return "its " + reason.substr(0, name_end) + " " + VerbPhrase(reason.substr(name_end + 1));
    }
    return reason;
  }
  return "it " + VerbPhrase(reason);
}

}  // namespace

Result<DeviceInfo> IdentifyDevice(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return posix::ErrnoStatus("identify", path, errno);
  if (S_ISREG(st.st_mode)) return IdentifyFile(path, st);
  if (!S_ISBLK(st.st_mode)) {
    return InvalidArgumentError(path + " is neither a block device nor a regular file");
  }
  SystemRoots roots;
  const std::string name = device::NameForDevNumber(roots, DevNumber(st.st_rdev));
  if (name.empty()) return NotFoundError("the kernel has no block device behind " + path);
  DeviceInfo d = device::DescribeFromSysfs(roots, name);
  d.path = path;
  const std::string disk = d.parent.empty() ? "/dev/" + name : d.parent;
  const std::string sysdir = roots.sys + "/class/block/" + disk.substr(5);
  if (d.transport == "sata") EnrichAta(d, disk);
  else if (d.transport == "sas" || d.transport == "scsi" || d.transport == "usb") {
    EnrichScsi(d, disk, sysdir);
  } else if (d.transport == "nvme") {
    EnrichNvme(d, disk);
  }
  if (d.transport != "sata" && !d.hidden.checked && d.hidden.note.empty()) {
    d.hidden.note = N_("not an ATA device: no HPA/DCO");  // device info translates it
  }
  const std::vector<device::OpenDevice> open = device::OpenDevices(roots);
  d.in_use = device::InUseReasons(roots, name, open);
  d.open_by = device::OpenersOf(roots, name, open);
  return d;
}

Result<std::vector<DeviceInfo>> ListBlockDevices() {
  SystemRoots roots;
  std::vector<DeviceInfo> out;
  for (const std::string& name : device::BlockDeviceNames(roots)) {
    DeviceInfo d = device::DescribeFromSysfs(roots, name);
    // Unattached loop devices and empty RAM/zram disks are not devices anyone wipes.
    if (d.size_bytes == 0) continue;
    auto full = IdentifyDevice("/dev/" + name);
    if (full.ok()) {
      out.push_back(std::move(*full));
    } else {
      // No /dev node: still list it.
      const std::vector<device::OpenDevice> open = device::OpenDevices(roots);
      d.in_use = device::InUseReasons(roots, name, open);
      d.open_by = device::OpenersOf(roots, name, open);
      out.push_back(std::move(d));
    }
  }
  return out;
}

Status CheckSameDevice(const DeviceInfo& then, const DeviceInfo& now) {
  if (then.size_bytes != 0 && now.size_bytes != 0 && then.size_bytes != now.size_bytes) {
    return FailedPreconditionError(now.path + " has " + std::to_string(now.size_bytes) +
                                   " bytes but the device identified before had " +
                                   std::to_string(then.size_bytes));
  }
  const std::pair<const char*, std::string DeviceInfo::*> kIdentity[] = {
      {"serial", &DeviceInfo::serial},
      {"WWN", &DeviceInfo::wwn},
      {"model", &DeviceInfo::model},
      {"backing file", &DeviceInfo::backing_file}};
  for (const auto& [what, field] : kIdentity) {
    const std::string& was = then.*field;
    const std::string& is = now.*field;
    if (was.empty() || was == is) continue;
    return FailedPreconditionError(now.path + " has " + (is.empty() ? std::string("no ") + what : what + (" " + is)) +
                                   " but the device identified before had " + what + " " + was);
  }
  return Status::Ok();
}

Status CheckWipeSafety(const DeviceInfo& d) {
  if (d.kind == "file") {
    return InvalidArgumentError(d.path + " is a file: use the file wipe, which also renames and "
                                         "removes it");
  }
  if (!d.in_use.empty()) {
    std::vector<std::string> clauses;
    for (const std::string& reason : d.in_use) clauses.push_back(InUseClause(reason));
    return BusyError("refusing to wipe " + d.path + ": " + Join(clauses, "; ") +
                     ". Unmount it, stop the swap, remove it from RAID/LVM/device-mapper, or "
                     "end the program that has it open first.");
  }
  if (d.read_only) {
    return FailedPreconditionError(d.path + " is read-only (hardware switch or ro flag); it "
                                            "cannot be overwritten");
  }
  // The same claim mount and RAID take: if anyone holds it, we learn it here,
  // before the plan is shown.
  int fd = ::open(d.path.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EBUSY) {
      // Name the holder when it is a process this one can see (it may have
      // opened the device after `d` was identified).
      std::vector<std::string> who;
      if (!d.name.empty()) {
        SystemRoots roots;
        for (const DeviceOpener& o :
             device::OpenersOf(roots, d.name, device::OpenDevices(roots))) {
          who.push_back(device::OpenByReason(o) +
                        (o.device == d.path ? "" : " (" + o.device + ")"));
        }
      }
      if (!who.empty()) {
        return BusyError("refusing to wipe " + d.path + ": it is held open exclusively (O_EXCL "
                         "refused), " + Join(who, ", ") + "; end that program first");
      }
      return BusyError("refusing to wipe " + d.path + ": it is held open exclusively by another "
                       "program (O_EXCL refused) that no process here shows: the kernel (a "
                       "mount or device-mapper table in another namespace) or a process in "
                       "another container. Find it with lsblk, dmsetup ls and findmnt -N, and "
                       "release it first");
    }
    return posix::ErrnoStatus("open", d.path, err);
  }
  // Opened: no one holds it exclusively. Check again for programs that
  // opened it without O_EXCL since `d` was identified (a later open is not
  // stopped by the wipe's own O_EXCL either, so this is the last look).
  ::close(fd);
  if (!d.name.empty()) {
    SystemRoots roots;
    std::vector<std::string> clauses;
    for (const DeviceOpener& o : device::OpenersOf(roots, d.name, device::OpenDevices(roots))) {
      clauses.push_back(o.device == d.path ? "it is " + device::OpenByReason(o)
                                           : o.device + " is " + device::OpenByReason(o));
    }
    if (!clauses.empty()) {
      return BusyError("refusing to wipe " + d.path + ": " + Join(clauses, "; ") +
                       ". End the program that has it open first.");
    }
  }
  return Status::Ok();
}

std::vector<MessageText> FileMediaWarningTexts(const std::string& path) {
  using T = MessageText;
  std::vector<MessageText> w;
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) == 0) {
    switch (static_cast<uint64_t>(fs.f_type)) {
      case 0x9123683E:
        w.push_back(
            T::Of(N_("btrfs copies on write: the file's old blocks (and any snapshot of "
                     "them) stay on the disk after an overwrite. Wipe the whole device, "
                     "or keep such data encrypted and destroy the key.")));
        break;
      case 0x2FC12FC1:
        w.push_back(
            T::Of(N_("ZFS copies on write: old blocks and snapshots keep the data after "
                     "an overwrite. Wipe the whole device or destroy the encryption key.")));
        break;
      case 0x58465342:
        w.push_back(
            T::Of(N_("XFS: a file sharing extents through reflink (cp --reflink) is "
                     "copied on write, leaving the shared blocks in place.")));
        break;
      case 0xCA451A4E:
      case 0xF2F52010:
      case 0x3434:
        w.push_back(
            T::Of(N_("log-structured or copy-on-write file system (bcachefs/F2FS/NILFS): "
                     "overwrites go to new blocks; the old ones remain until reclaimed.")));
        break;
      case 0x01021994:
        w.push_back(
            T::Of(N_("tmpfs: the file lives in memory, and pages may have been written to swap.")));
        break;
      case 0x6969:
      case 0xFE534D42:
      case 0xFF534D42:
      case 0x65735546:
        w.push_back(
            T::Of(N_("network or FUSE file system: the server decides where writes go; "
                     "snapshots and caches there are out of reach. Wipe on the server.")));
        break;
      case 0x794C7630:
        w.push_back(
            T::Of(N_("overlayfs: a file from a lower layer is copied up; the lower copy "
                     "is not overwritten.")));
        break;
      default:
        break;
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    SystemRoots roots;
    const std::string dev = DevNumber(st.st_dev);
    for (const device::MountEntry& m : device::ReadMounts(roots)) {
      if (m.dev != dev) continue;
      if (m.fs_type.starts_with("ext") && m.super_options.find("data=journal") != std::string::npos) {
        w.push_back(
            T::Of(N_("ext4 data=journal: file content is also written to the journal, "
                     "where the overwrite does not reach.")));
      }
      // Renaming and unlinking are journalled metadata changes: the journal
      // keeps the directory blocks that held the names (seen in an ext4
      // image after a wipe: the name twice, in journal blocks).
      if (m.fs_type == "ext3" || m.fs_type == "ext4" || m.fs_type == "xfs") {
        w.push_back(T::Of(N_("%s journals metadata: the names of the wiped files and earlier "
                             "copies of their directory blocks can stay in the journal until "
                             "it is reused. Wipe the device if the names themselves are "
                             "confidential."),
                          {T::Value(m.fs_type)}));
      }
      break;
    }
    const std::string host = device::NameForDevNumber(roots, dev);
    if (!host.empty()) {
      DeviceInfo h = device::DescribeFromSysfs(roots, host);
      if (h.kind == "loop" && !h.backing_file.empty() && h.backing_file != path) {
        for (MessageText& inner : FileMediaWarningTexts(h.backing_file)) {
          w.push_back(T::Of(N_("the file system is on a loop device over %s: %s"),
                            {T::Value(h.backing_file), std::move(inner)}));
        }
      } else if (h.transport == "virtual") {
        w.push_back(T::Of(N_("the file is on a virtual disk (%s): the host's storage (snapshots, "
                             "thin provisioning, caches) may keep old copies of its blocks. Wipe "
                             "or destroy the storage on the host as well."),
                          {T::Value(h.path)}));
      } else if (!h.rotational) {
        w.push_back(T::Of(N_("the file is on non-rotational (flash) storage (%s): the drive "
                             "writes new data to new cells, so old copies may survive in spare "
                             "blocks. Purge or crypto-erase the device when it leaves your hands."),
                          {T::Value(h.path)}));
      }
    }
  }
  return w;
}

std::vector<MessageText> MediaWarningTexts(const DeviceInfo& d) {
  using T = MessageText;
  std::vector<MessageText> w;
  if (d.kind == "file") return FileMediaWarningTexts(d.path);
  const bool flash_capable = d.transport == "sata" || d.transport == "sas" ||
                             d.transport == "scsi" || d.transport == "nvme" ||
                             d.transport == "mmc" || d.transport == "unknown";
  if (d.transport == "usb") {
    w.push_back(
        T::Of(N_("USB device: flash memory sticks and cards keep spare blocks that no "
                 "overwrite reaches, and the bridge may hide the drive's sanitize "
                 "commands. For confidential data destroy the medium, or use custody "
                 "purge if the drive is a SATA/NVMe drive in a pass-through enclosure.")));
  } else if (!d.rotational && flash_capable) {
    w.push_back(
        T::Of(N_("non-rotational (flash) media: wear levelling and over-provisioning keep "
                 "old data in blocks the host cannot address, so overwriting is at most "
                 "NIST SP 800-88 Clear. Use custody purge (sanitize / secure erase) or "
                 "crypto-erase for Purge, or destroy the device.")));
  }
  if (d.transport == "virtual") {
    w.push_back(
        T::Of(N_("virtual disk: the host's storage (thin provisioning, snapshots, image "
                 "copies) may keep the old data where no write from this machine "
                 "reaches. Erase on the host as well.")));
  }
  if (d.kind == "loop") {
    w.push_back(T::Of(N_("loop device over the file %s: the overwrite reaches the storage only "
                         "through that file's file system."),
                      {T::Value(d.backing_file)}));
    if (!d.backing_file.empty()) {
      for (MessageText& f : FileMediaWarningTexts(d.backing_file)) w.push_back(std::move(f));
    }
  }
  // The drive's own account of its hidden areas (d.hidden.note) is a value:
  // it is also the device's identity record (device info, the ledger).
  if (d.hidden.hpa_present || d.hidden.dco_present) {
    w.push_back(T::Of(N_("hidden area: %s Remove the HPA/DCO (or use the drive's sanitize "
                         "command) before wiping."),
                      {T::Value(d.hidden.note)}));
  } else if (d.transport == "sata" && !d.hidden.checked) {
    w.push_back(T::Of(N_("HPA/DCO could not be checked (%s): sectors hidden from the host would "
                         "not be overwritten."),
                      {T::Value(d.hidden.note)}));
  }
  return w;
}

std::vector<std::string> FileMediaWarnings(const std::string& path) {
  return English(FileMediaWarningTexts(path));
}

std::vector<std::string> MediaWarnings(const DeviceInfo& d) {
  return English(MediaWarningTexts(d));
}

}  // namespace custody
