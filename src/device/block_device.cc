// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/block_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/major.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <utility>

#include "env/posix_io.h"

namespace custody {

// ---- AlignedBuffer

AlignedBuffer::AlignedBuffer(size_t size, size_t alignment) : size_(size) {
  void* p = nullptr;
  if (size == 0) size = alignment;  // posix_memalign(0) may return null.
  // Transfer buffers of a few MiB sit on transparent huge pages where the
  // kernel allows it (madvise mode): every O_DIRECT transfer pins its
  // buffer's pages, and pinning 4 huge pages instead of 2048 small ones for
  // 8 MiB took most of the system time of a wipe's verification (measured on
  // a tmpfs-backed loop device: 0.13 s -> 0.02 s of CPU per 2 GiB read). The
  // advice is a hint: without THP the buffer is the same, on small pages.
  constexpr size_t kHugePage = size_t{2} << 20;
  const bool huge = size >= kHugePage && alignment <= kHugePage;
  if (huge) alignment = kHugePage;
  if (::posix_memalign(&p, alignment, size) != 0) throw std::bad_alloc();
  if (huge) ::madvise(p, size, MADV_HUGEPAGE);  // Before the first touch.
  std::memset(p, 0, size);
  data_ = static_cast<uint8_t*>(p);
}
AlignedBuffer::~AlignedBuffer() { std::free(data_); }
AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

// ---- BlockDevice: the retry loop shared by every implementation, so the
// fake exercises exactly the code the real device runs.

Status BlockDevice::CheckRange(const char* op, uint64_t offset, size_t n) const {
  if (offset > size() || n > size() - offset) {
    return InvalidArgumentError(std::string(op) + " " + path() + ": range " +
                                std::to_string(offset) + "+" + std::to_string(n) +
                                " is outside the device (" + std::to_string(size()) + " bytes)");
  }
  return Status::Ok();
}

Status BlockDevice::FailureAt(const char* op, uint64_t offset, int error) const {
  const uint64_t lba = offset / logical_sector_size();
  return posix::ErrnoStatus(std::string(op) + " at byte " + std::to_string(offset) + " (LBA " +
                                std::to_string(lba) + ") of",
                            path(), error);
}

// O_DIRECT takes whole sectors at sector offsets from aligned memory; any
// other transfer goes through the page cache (PosixBlockDevice's buffered
// descriptor), where a write "succeeds" into memory and its error only shows
// at the flush, with no LBA, and a read may be served from memory instead of
// the medium. So on a direct device a transfer is split: the whole sectors go
// the direct path, copied through an aligned bounce buffer when the caller's
// memory is not aligned (the halves and sectors of a failing chunk the
// engine retries inside its buffer, the rest of a buffer after a short
// transfer), and only a partial sector (a regular file's last one) is left
// for the page cache.
BlockDevice::Step BlockDevice::NextStep(uint64_t offset, const void* p, size_t n) const {
  if (!direct_io()) return {n, false};
  const uint32_t sector = logical_sector_size();
  if (offset % sector != 0 || n < sector) return {n, false};
  const size_t whole = n / sector * sector;
  if (reinterpret_cast<uintptr_t>(p) % buffer_alignment() == 0) return {whole, false};
  // At most 1 MiB per bounced transfer: the copy is the rare path.
  const size_t bounce_max = std::max<size_t>(sector, (size_t{1} << 20) / sector * sector);
  return {std::min(whole, bounce_max), true};
}

Status BlockDevice::WriteAt(uint64_t offset, const void* data, size_t n) {
  CUSTODY_RETURN_IF_ERROR(CheckRange("write", offset, n));
  const uint8_t* p = static_cast<const uint8_t*>(data);
  AlignedBuffer bounce;
  while (n > 0) {
    const Step step = NextStep(offset, p, n);
    const uint8_t* from = p;
    if (step.bounce) {
      if (bounce.size() < step.length) bounce = AlignedBuffer(step.length, buffer_alignment());
      std::memcpy(bounce.data(), p, step.length);
      from = bounce.data();
    }
    IoAttempt a = WriteOnce(offset, from, step.length);
    if (a.error == EINTR) continue;
    if (a.error != 0) return FailureAt("write", offset, a.error);
    if (a.bytes == 0) return FailureAt("write", offset, EIO);  // No progress: never spin.
    p += a.bytes;
    offset += a.bytes;
    n -= a.bytes;
  }
  return Status::Ok();
}

Status BlockDevice::ReadAt(uint64_t offset, void* data, size_t n) {
  CUSTODY_RETURN_IF_ERROR(CheckRange("read", offset, n));
  uint8_t* p = static_cast<uint8_t*>(data);
  AlignedBuffer bounce;
  while (n > 0) {
    const Step step = NextStep(offset, p, n);
    if (step.bounce && bounce.size() < step.length) {
      bounce = AlignedBuffer(step.length, buffer_alignment());
    }
    IoAttempt a = ReadOnce(offset, step.bounce ? bounce.data() : p, step.length);
    if (a.error == EINTR) continue;
    if (a.error != 0) return FailureAt("read", offset, a.error);
    if (a.bytes == 0) {
      return TruncatedError("read " + path() + ": device ended at byte " + std::to_string(offset));
    }
    if (step.bounce) std::memcpy(p, bounce.data(), a.bytes);
    p += a.bytes;
    offset += a.bytes;
    n -= a.bytes;
  }
  return Status::Ok();
}

namespace {

class PosixBlockDevice final : public BlockDevice {
 public:
  PosixBlockDevice(std::string path, int fd, bool direct, bool regular, bool writable,
                   uint64_t size, uint32_t lss, uint32_t pss, size_t mem_align)
      : path_(std::move(path)), fd_(fd), direct_(direct), regular_(regular),
        writable_(writable), size_(size), lss_(lss), pss_(pss), mem_align_(mem_align) {}
  ~PosixBlockDevice() override {
    ::close(fd_);
    if (buffered_fd_ >= 0) ::close(buffered_fd_);
    if (backing_fd_ >= 0) ::close(backing_fd_);
  }

  // `fd` (owned) is the loop device's backing file and `offset` the device's
  // start in it.
  void SetLoopBacking(int fd, uint64_t offset) {
    backing_fd_ = fd;
    backing_offset_ = offset;
  }

  const std::string& path() const override { return path_; }
  uint64_t size() const override { return size_; }
  uint32_t logical_sector_size() const override { return lss_; }
  uint32_t physical_sector_size() const override { return pss_; }
  size_t buffer_alignment() const override { return mem_align_; }
  bool direct_io() const override { return direct_; }
  bool is_regular_file() const override { return regular_; }

  Status Flush() override {
    if (posix::RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) {
      return posix::ErrnoStatus("flush", path_, errno);
    }
    return Status::Ok();
  }

  void StartWriteback(uint64_t offset, uint64_t n) override {
    // SYNC_FILE_RANGE_WRITE alone queues the writeback and returns: no
    // waiting, no durability promise (Flush keeps that role).
    if (backing_fd_ >= 0) {
      ::sync_file_range(backing_fd_, static_cast<off_t>(backing_offset_ + offset),
                        static_cast<off_t>(n), SYNC_FILE_RANGE_WRITE);
    }
  }

 protected:
  IoAttempt WriteOnce(uint64_t offset, const void* data, size_t n) override {
    int fd = FdFor(offset, data, n);
    if (fd < 0) return {0, -fd};
    ssize_t r = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    return r < 0 ? IoAttempt{0, errno} : IoAttempt{static_cast<size_t>(r), 0};
  }
  IoAttempt ReadOnce(uint64_t offset, void* data, size_t n) override {
    int fd = FdFor(offset, data, n);
    if (fd < 0) return {0, -fd};
    ssize_t r = ::pread(fd, data, n, static_cast<off_t>(offset));
    return r < 0 ? IoAttempt{0, errno} : IoAttempt{static_cast<size_t>(r), 0};
  }

 private:
  // O_DIRECT demands aligned memory, offset and length; the last partial
  // sector of a regular file goes through a second, buffered descriptor
  // instead, so the tail is written too (BlockDevice::WriteAt and ReadAt send
  // everything else here aligned, bouncing unaligned memory). The
  // kernel keeps the page cache coherent with direct I/O on the same inode,
  // and one fdatasync covers both descriptors.
  int FdFor(uint64_t offset, const void* data, size_t n) {
    if (!direct_) return fd_;
    if (offset % lss_ == 0 && n % lss_ == 0 &&
        reinterpret_cast<uintptr_t>(data) % mem_align_ == 0) {
      return fd_;
    }
    // Opened on first use, under a lock: concurrent reads may both need it.
    std::lock_guard<std::mutex> l(buffered_mu_);
    if (buffered_fd_ < 0) {
      // No O_EXCL here: this process already holds the exclusive claim.
      const int fd = ::open(path_.c_str(), (writable_ ? O_RDWR : O_RDONLY) | O_CLOEXEC);
      if (fd < 0) return -errno;
      buffered_fd_ = fd;
    }
    return buffered_fd_;
  }

  const std::string path_;
  const int fd_;
  std::mutex buffered_mu_;
  int buffered_fd_ = -1;  // Guarded by buffered_mu_; never closed before the destructor.
  int backing_fd_ = -1;  // A loop device's backing file, for StartWriteback.
  uint64_t backing_offset_ = 0;
  const bool direct_, regular_, writable_;
  const uint64_t size_;
  const uint32_t lss_, pss_;
  const size_t mem_align_;
};

// A loop device that is not in direct I/O mode writes into its backing
// file's page cache: returns that file (opened read-only, which is all
// sync_file_range needs) and the device's offset in it, or -1. The file
// named in sysfs must be the very inode the driver holds (LOOP_GET_STATUS64),
// so a path that was replaced or deleted is never used.
int OpenLoopBackingFile(int dev_fd, const struct stat& st, uint64_t* offset) {
  if (!S_ISBLK(st.st_mode) || ::major(st.st_rdev) != LOOP_MAJOR) return -1;
  struct loop_info64 info;
  std::memset(&info, 0, sizeof info);
  if (::ioctl(dev_fd, LOOP_GET_STATUS64, &info) != 0) return -1;
  if ((info.lo_flags & LO_FLAGS_DIRECT_IO) != 0) return -1;
  std::ifstream attr("/sys/dev/block/" + std::to_string(::major(st.st_rdev)) + ":" +
                     std::to_string(::minor(st.st_rdev)) + "/loop/backing_file");
  std::string backing;
  if (!std::getline(attr, backing) || backing.empty()) return -1;
  const int fd = ::open(backing.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat bst;
  if (::fstat(fd, &bst) != 0 || !S_ISREG(bst.st_mode) || bst.st_ino != info.lo_inode ||
      bst.st_dev != info.lo_device) {
    ::close(fd);
    return -1;
  }
  *offset = info.lo_offset;
  return fd;
}

}  // namespace

Result<std::unique_ptr<BlockDevice>> OpenBlockDevice(const std::string& path,
                                                     const BlockDeviceOptions& options) {
  struct stat st;
  const int stat_rc = options.no_follow ? ::lstat(path.c_str(), &st) : ::stat(path.c_str(), &st);
  if (stat_rc != 0) return posix::ErrnoStatus("open", path, errno);
  if (S_ISLNK(st.st_mode)) {
    // A symlink to a block device (/dev/disk/by-id/...) is how people name
    // disks; a symlink to a file is refused (never follow it and wipe what it
    // points to).
    if (::stat(path.c_str(), &st) != 0) return posix::ErrnoStatus("open", path, errno);
    if (!S_ISBLK(st.st_mode)) {
      return InvalidArgumentError(path + " is a symbolic link; custody never follows a link to "
                                         "a file. Name the file itself.");
    }
  }
  const bool regular = S_ISREG(st.st_mode);
  if (!regular && !S_ISBLK(st.st_mode)) {
    return InvalidArgumentError(path + " is neither a block device nor a regular file");
  }

  int flags = (options.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (!regular && options.exclusive) flags |= O_EXCL;
  if (regular && options.no_follow) flags |= O_NOFOLLOW;
  bool direct = options.direct;
  int fd = -1;
  if (direct) {
    fd = posix::RetryOnEintr([&] { return ::open(path.c_str(), flags | O_DIRECT); });
    // tmpfs and some FUSE file systems reject O_DIRECT with EINVAL: fall back.
    if (fd < 0 && errno == EINVAL) direct = false;
  }
  if (fd < 0) fd = posix::RetryOnEintr([&] { return ::open(path.c_str(), flags); });
  if (fd < 0) {
    if (errno == EBUSY) {
      return BusyError(path + " is in use: it is mounted, a member of RAID/LVM/device-mapper, or "
                              "held open exclusively by another program (O_EXCL refused)");
    }
    return posix::ErrnoStatus("open", path, errno);
  }
  // Re-check after open: the path may have been replaced in between.
  struct stat fst;
  if (::fstat(fd, &fst) != 0 || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev) {
    ::close(fd);
    return FailedPreconditionError(path + " changed while it was being opened; try again");
  }

  uint64_t size = 0;
  uint32_t lss = 512, pss = 512;
  size_t mem_align = 4096;
  if (regular) {
    size = options.file_size != 0 ? options.file_size : static_cast<uint64_t>(st.st_size);
    pss = static_cast<uint32_t>(st.st_blksize);
    struct statx sx;
    if (direct && ::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
        (sx.stx_mask & STATX_DIOALIGN) != 0) {
      if (sx.stx_dio_offset_align == 0) {
        direct = false;  // The file system reports no direct I/O support for this file.
      } else {
        lss = sx.stx_dio_offset_align;
        mem_align = std::max<size_t>(sx.stx_dio_mem_align, 4096);
      }
    }
    if (!direct && options.direct) {  // Drop O_DIRECT if it was set.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_DIRECT);
    }
  } else {
    int lss_i = 0;
    unsigned int pss_u = 0;
    if (::ioctl(fd, BLKGETSIZE64, &size) != 0 || ::ioctl(fd, BLKSSZGET, &lss_i) != 0 ||
        ::ioctl(fd, BLKPBSZGET, &pss_u) != 0) {
      Status s = posix::ErrnoStatus("query size of", path, errno);
      ::close(fd);
      return s;
    }
    lss = lss_i > 0 ? static_cast<uint32_t>(lss_i) : 512;
    pss = pss_u > 0 ? pss_u : lss;
    mem_align = std::max<size_t>(lss, 4096);
  }
  auto dev = std::make_unique<PosixBlockDevice>(path, fd, direct, regular, options.writable, size,
                                                lss, pss, mem_align);
  uint64_t backing_offset = 0;
  if (options.writable) {
    if (int bf = OpenLoopBackingFile(fd, fst, &backing_offset); bf >= 0) {
      dev->SetLoopBacking(bf, backing_offset);
    }
  }
  return std::unique_ptr<BlockDevice>(std::move(dev));
}

}  // namespace custody
