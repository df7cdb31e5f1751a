// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// NvmeTransport over NVME_IOCTL_ADMIN_CMD and ScsiTransport over SG_IO.
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "custody/passthrough.h"
#include "env/posix_io.h"

namespace custody {
namespace {

Result<int> OpenDevice(const std::string& path) {
  // O_RDWR: the kernel lets commands that modify the medium through only on a
  // descriptor opened for writing (and with CAP_SYS_ADMIN). No O_EXCL here:
  // exclusivity is the block device layer's job, and SG_IO must be able to
  // reach a drive that custody itself holds open exclusively.
  const int fd = posix::RetryOnEintr([&] { return ::open(path.c_str(), O_RDWR | O_CLOEXEC); });
  if (fd < 0) return posix::ErrnoStatus("open", path, errno);
  return fd;
}

class LinuxNvmeTransport final : public NvmeTransport {
 public:
  LinuxNvmeTransport(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LinuxNvmeTransport() override { ::close(fd_); }

  Result<NvmeCompletion> Admin(const NvmeAdminCommand& c, DataDirection direction,
                               std::span<uint8_t> data) override {
    // The driver derives the transfer direction from opcode bits 1:0
    // (NVMe Base 2.0 §5: 01b host to controller, 10b controller to host).
    const int bits = c.opcode & 0x3;
    const bool consistent = data.empty() ? direction == DataDirection::kNone
                            : direction == DataDirection::kToDevice ? bits == 0x1
                            : direction == DataDirection::kFromDevice ? bits == 0x2
                                                                      : false;
    if (!consistent) return InternalError("NVMe opcode and data direction disagree");
    nvme_admin_cmd cmd;
    std::memset(&cmd, 0, sizeof(cmd));
    cmd.opcode = c.opcode;
    cmd.nsid = c.nsid;
    cmd.addr = reinterpret_cast<uintptr_t>(data.data());
    cmd.data_len = static_cast<uint32_t>(data.size());
    cmd.cdw10 = c.cdw[0];
    cmd.cdw11 = c.cdw[1];
    cmd.cdw12 = c.cdw[2];
    cmd.cdw13 = c.cdw[3];
    cmd.cdw14 = c.cdw[4];
    cmd.cdw15 = c.cdw[5];
    cmd.timeout_ms = c.timeout_ms;
    // Not retried on EINTR: the command may already have reached the drive.
    const int rc = ::ioctl(fd_, NVME_IOCTL_ADMIN_CMD, &cmd);
    if (rc < 0) return posix::ErrnoStatus("NVMe admin command", path_, errno);
    return NvmeCompletion{static_cast<uint16_t>(rc), cmd.result};  // rc > 0: NVMe status.
  }

 private:
  int fd_;
  std::string path_;
};

class LinuxScsiTransport final : public ScsiTransport {
 public:
  LinuxScsiTransport(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LinuxScsiTransport() override { ::close(fd_); }

  Result<ScsiOutcome> Execute(std::span<const uint8_t> cdb, DataDirection direction,
                              std::span<uint8_t> data, uint32_t timeout_ms) override {
    if (cdb.empty() || cdb.size() > 16) return InternalError("CDB must be 1 to 16 bytes");
    uint8_t sense[64] = {};
    sg_io_hdr_t io;
    std::memset(&io, 0, sizeof(io));
    io.interface_id = 'S';
    io.cmd_len = static_cast<unsigned char>(cdb.size());
    io.cmdp = const_cast<unsigned char*>(cdb.data());
    io.dxfer_direction = direction == DataDirection::kNone       ? SG_DXFER_NONE
                         : direction == DataDirection::kToDevice ? SG_DXFER_TO_DEV
                                                                 : SG_DXFER_FROM_DEV;
    io.dxferp = data.data();
    io.dxfer_len = static_cast<unsigned int>(data.size());
    io.sbp = sense;
    io.mx_sb_len = sizeof(sense);
    io.timeout = timeout_ms;
    if (::ioctl(fd_, SG_IO, &io) < 0) return posix::ErrnoStatus("SG_IO", path_, errno);
    // host_status (e.g. DID_TIME_OUT 03h, DID_NO_CONNECT 01h) and driver
    // errors other than DRIVER_SENSE (08h) mean the command's fate is
    // unknown: a transport failure, not an answer from the drive.
    if (io.host_status != 0 || (io.driver_status & ~0x08) != 0) {
      return IoError("SG_IO on " + path_ + ": transport failure (host status " +
                     std::to_string(io.host_status) + ", driver status " +
                     std::to_string(io.driver_status) +
                     "); the command may or may not have reached the drive");
    }
    ScsiOutcome out;
    out.status = io.status;
    out.sense.assign(sense, sense + io.sb_len_wr);
    out.residual = io.resid;
    return out;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<NvmeTransport>> OpenLinuxNvmeTransport(const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(int fd, OpenDevice(path));
  return std::unique_ptr<NvmeTransport>(new LinuxNvmeTransport(fd, path));
}

Result<std::unique_ptr<ScsiTransport>> OpenLinuxScsiTransport(const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(int fd, OpenDevice(path));
  return std::unique_ptr<ScsiTransport>(new LinuxScsiTransport(fd, path));
}

Result<uint32_t> LinuxNvmeNamespaceId(const std::string& path) {
  const int fd = posix::RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
  if (fd < 0) return posix::ErrnoStatus("open", path, errno);
  const int id = ::ioctl(fd, NVME_IOCTL_ID);
  const int err = errno;
  ::close(fd);
  if (id < 0) {
    if (err == ENOTTY) return InvalidArgumentError(path + " is not an NVMe namespace");
    return posix::ErrnoStatus("NVME_IOCTL_ID", path, err);
  }
  return static_cast<uint32_t>(id);
}

}  // namespace custody
