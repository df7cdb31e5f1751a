// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// BLKSECDISCARD: the block layer's secure discard, which the MMC driver
// turns into eMMC Secure Erase/Trim (JEDEC JESD84) where the card has it.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "custody/purge.h"
#include "env/posix_io.h"

namespace custody {

Status SecureDiscardBlockDevice(const std::string& path, bool exclusive) {
  const int fd = posix::RetryOnEintr(
      [&] { return ::open(path.c_str(), O_RDWR | (exclusive ? O_EXCL : 0) | O_CLOEXEC); });
  if (fd < 0) {
    if (errno == EBUSY) {
      return BusyError(path + " is in use (mounted, or held by RAID/LVM/dm): release it first");
    }
    return posix::ErrnoStatus("open", path, errno);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return posix::ErrnoStatus("stat", path, errno);
  if (!S_ISBLK(st.st_mode)) return InvalidArgumentError(path + " is not a block device");
  uint64_t size = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) return posix::ErrnoStatus("BLKGETSIZE64", path, errno);
  uint64_t range[2] = {0, size};
  // Not retried on EINTR: the kernel may have discarded part of the range;
  // the caller reports the failure and the sample verification decides.
  if (::ioctl(fd, BLKSECDISCARD, range) != 0) {
    const int e = errno;
    if (e == EOPNOTSUPP || e == ENOTTY) {
      return UnsupportedError(path + " offers no secure discard (BLKSECDISCARD: " +
                              std::string(e == ENOTTY ? "ENOTTY" : "EOPNOTSUPP") +
                              "): the device or its driver cannot purge. Overwrite it with "
                              "custody wipe and destroy it if Purge is required");
    }
    return posix::ErrnoStatus("BLKSECDISCARD", path, e);
  }
  return Status::Ok();
}

}  // namespace custody
