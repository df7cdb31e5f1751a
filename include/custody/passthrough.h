// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Command passthrough: the seam through which custody sends a drive its own
// sanitize commands. NvmeTransport carries NVMe admin commands
// (NVME_IOCTL_ADMIN_CMD); ScsiTransport carries SCSI CDBs (SG_IO), which also
// reach SATA drives through the SCSI/ATA Translation layer as ATA
// PASS-THROUGH(16). The real implementations are the Linux ioctls; tests use
// the drive emulators in tests/support/fake_drive.h.
//
// Error contract: a failure to deliver the command (open, ioctl, transport or
// host error) is a non-OK Status; a command the drive received and rejected
// is an OK Result whose completion/status says so. Callers decide what a
// rejection means.
//
// Thread safety: a transport is used by one thread at a time.
#ifndef CUSTODY_PASSTHROUGH_H_
#define CUSTODY_PASSTHROUGH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "custody/status.h"

namespace custody {

enum class DataDirection { kNone, kFromDevice, kToDevice };

// One NVMe admin command (submission queue entry fields a host may set).
struct NvmeAdminCommand {
  uint8_t opcode = 0;
  uint32_t nsid = 0;
  std::array<uint32_t, 6> cdw{};  // CDW10..CDW15.
  uint32_t timeout_ms = 0;        // 0: the driver's default admin timeout.
};

// The completion: the Status Field (NVMe Base 2.0 §4.2.3) shifted right by
// one to drop the phase tag, which is how Linux returns it: SC bits 7:0,
// SCT bits 10:8, CRD 12:11, M bit 13, DNR bit 14. Dword 0 in `result`.
struct NvmeCompletion {
  uint16_t status = 0;
  uint32_t result = 0;
  uint8_t sc() const { return status & 0xff; }
  uint8_t sct() const { return (status >> 8) & 0x7; }
  bool ok() const { return (status & 0x7ff) == 0; }
};

class NvmeTransport {
 public:
  virtual ~NvmeTransport() = default;
  // `data` is the whole transfer buffer (empty for kNone).
  virtual Result<NvmeCompletion> Admin(const NvmeAdminCommand& command, DataDirection direction,
                                       std::span<uint8_t> data) = 0;
};

// What came back from one SCSI command.
struct ScsiOutcome {
  uint8_t status = 0;          // SCSI status: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY.
  std::vector<uint8_t> sense;  // Sense data as returned (fixed 70h/71h or descriptor 72h/73h).
  int32_t residual = 0;        // Bytes of `data` not transferred.
};

class ScsiTransport {
 public:
  virtual ~ScsiTransport() = default;
  virtual Result<ScsiOutcome> Execute(std::span<const uint8_t> cdb, DataDirection direction,
                                      std::span<uint8_t> data, uint32_t timeout_ms) = 0;
};

// Linux implementations. `path` is an NVMe controller (/dev/nvme0) or
// namespace (/dev/nvme0n1) for NVMe; a disk (/dev/sda) or sg node for SCSI.
// Both need CAP_SYS_ADMIN (root). kNotFound, kPermissionDenied, kIoError.
Result<std::unique_ptr<NvmeTransport>> OpenLinuxNvmeTransport(const std::string& path);
Result<std::unique_ptr<ScsiTransport>> OpenLinuxScsiTransport(const std::string& path);
// The namespace ID behind an NVMe namespace block device (NVME_IOCTL_ID);
// the "n1" in a device name is an instance number, not necessarily the NSID.
Result<uint32_t> LinuxNvmeNamespaceId(const std::string& namespace_path);

}  // namespace custody

#endif  // CUSTODY_PASSTHROUGH_H_
