// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Device identification and wipe safety. Identity is read natively (sysfs,
// HDIO_GET_IDENTITY, SG_IO INQUIRY VPD 0x80/0x83, NVMe Identify), never by
// parsing another tool's text: the serial number goes on the erasure
// certificate, so it must come from the drive.
//
// Thread safety: free functions; safe to call concurrently.
#ifndef CUSTODY_DEVICE_H_
#define CUSTODY_DEVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/message_text.h"
#include "custody/status.h"

namespace custody {

// ATA Host Protected Area / Device Configuration Overlay: sectors the drive
// hides from the host, which an overwrite through the normal interface
// cannot reach.
struct HiddenAreaReport {
  bool checked = false;          // ATA IDENTIFY data was available.
  uint64_t current_max_sectors = 0;  // What the host can address now.
  uint64_t native_max_sectors = 0;   // READ NATIVE MAX ADDRESS (0: unknown).
  uint64_t factory_max_sectors = 0;  // DCO IDENTIFY (0: unknown).
  bool hpa_present = false;      // native > current
  bool dco_present = false;      // factory > native
  std::string note;              // Why it was not checked, or what was found.
};

// Another process that has a block device open (found in /proc/PID/fd).
// Processes in other PID namespaces (containers) are not visible.
struct DeviceOpener {
  int pid = 0;
  std::string command;  // /proc/PID/comm
  std::string device;   // The node it has open: the device or one of its partitions.
};

struct DeviceInfo {
  std::string path;       // /dev/sdb, /dev/loop3, or a file's path
  std::string name;       // Kernel name (sdb, nvme0n1, loop3); empty for files
  std::string kind;       // "disk", "partition", "loop", "file"
  std::string parent;     // A partition's disk (/dev/sdb); empty otherwise
  std::string vendor, model, serial, firmware, wwn;
  std::string transport;  // "sata", "sas", "nvme", "usb", "mmc", "virtual", "loop", "file", "unknown"
  uint64_t size_bytes = 0;
  uint32_t logical_sector_size = 0;
  uint32_t physical_sector_size = 0;
  bool rotational = false;
  bool removable = false;
  bool read_only = false;
  std::string backing_file;  // Loop devices: the file behind them.
  HiddenAreaReport hidden;
  // Why a wipe would be refused now (mounted at /x, swap, root file system,
  // held by md0/dm-1, open by process 4242 (qemu-system-x86), ...); empty
  // when free.
  std::vector<std::string> in_use;
  // The processes other than this one that have the device, one of its
  // partitions or (for a partition) its disk open; each is in `in_use` too.
  std::vector<DeviceOpener> open_by;

  // One JSON object (documented in docs/formats/wipe-record.md).
  std::string ToJson() const;
};

// Identifies a block device (disk, partition, loop) or a regular file: sysfs
// for geometry and transport; then the drive itself where it answers
// (HDIO_GET_IDENTITY and ATA PASS-THROUGH for SATA, including the HPA/DCO
// check; INQUIRY VPD 80h/83h for SCSI, SAS and USB; NVMe Identify
// Controller). Partitions report their disk's identity. Fills `in_use`.
// kNotFound, kInvalidArgument (neither a block device nor a regular file).
Result<DeviceInfo> IdentifyDevice(const std::string& path);

// Every block device the kernel knows (disks, partitions, loop devices with a
// backing file), identified as above.
Result<std::vector<DeviceInfo>> ListBlockDevices();

// OK when `device` may be wiped now; otherwise kBusy naming every holder
// (mounted at /x, active swap, root file system, held by md0/dm-1, open by
// another process, with its PID and command, exclusively or not) or
// kFailedPrecondition (read-only).
// Regular files: kInvalidArgument (use the file wipe).
Status CheckWipeSafety(const DeviceInfo& device);

// OK when `now` is the drive `then` described: the same size (when both
// know it), and the same serial, WWN, model and loop backing file wherever
// `then` has one (a device that reports none of them now does not match).
// kFailedPrecondition naming the first difference otherwise. For a device
// identified again after a pause (a confirmation, an interruption): the
// same path may lead to another drive by then.
Status CheckSameDevice(const DeviceInfo& then, const DeviceInfo& now);

// Warnings for the ledger and the certificate: where overwriting cannot
// guarantee the old data is gone (flash, USB, virtual disks, hidden areas,
// loop devices over files) and what to use instead.
std::vector<std::string> MediaWarnings(const DeviceInfo& device);
// The same for a file: copy-on-write or log-structured file systems (btrfs,
// ZFS, XFS reflinks, F2FS), ext4 data=journal, tmpfs (swap), network and
// FUSE file systems, files on flash.
std::vector<std::string> FileMediaWarnings(const std::string& path);
// The same warnings as patterns and values (custody/message_text.h), for an
// interface that shows them in the user's language; English() of each is
// the corresponding string above.
std::vector<MessageText> MediaWarningTexts(const DeviceInfo& device);
std::vector<MessageText> FileMediaWarningTexts(const std::string& path);

}  // namespace custody

#endif  // CUSTODY_DEVICE_H_
