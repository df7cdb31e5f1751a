// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// BlockDevice: the seam through which the erase engine reads and writes a
// whole device (or a regular file treated as one). OpenBlockDevice() is the
// real implementation: O_EXCL on block devices (the kernel refuses it while
// the device is mounted or held by RAID/LVM/dm or another exclusive opener),
// O_DIRECT where the kernel allows it, size by BLKGETSIZE64 and sector sizes
// by BLKSSZGET/BLKPBSZGET. Tests use FakeBlockDevice
// (tests/support/fake_block_device.h) to inject EIO at chosen LBAs, short
// transfers, EINTR and corruption between write and verify.
//
// Thread safety: ReadAt may be called from several threads at once (the
// engine keeps two verification reads in flight). Everything else (WriteAt,
// Flush, StartWriteback) is used by one thread at a time, never while a read
// is in flight (the engine hands the device between its threads with a
// happens-before edge). Implementations must keep concurrent reads safe.
#ifndef CUSTODY_BLOCK_DEVICE_H_
#define CUSTODY_BLOCK_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "custody/status.h"

namespace custody {

// The outcome of one raw transfer attempt, as pwrite(2)/pread(2) report it:
// `bytes` moved (possibly fewer than asked), or `error` (an errno value,
// EINTR included) with bytes == 0.
struct IoAttempt {
  size_t bytes = 0;
  int error = 0;
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  virtual const std::string& path() const = 0;
  // Bytes addressable, a multiple of logical_sector_size() for block devices;
  // any value for regular files.
  virtual uint64_t size() const = 0;
  virtual uint32_t logical_sector_size() const = 0;
  virtual uint32_t physical_sector_size() const = 0;
  // Buffers aligned to this are written and read in place; WriteAt and
  // ReadAt copy other memory through an aligned bounce buffer, so that on a
  // direct device every whole sector still bypasses the page cache.
  virtual size_t buffer_alignment() const = 0;
  // True when writes bypass the page cache (O_DIRECT took effect).
  virtual bool direct_io() const = 0;
  virtual bool is_regular_file() const = 0;

  // Makes every completed write durable (fdatasync, which issues a cache
  // flush to the drive). kIoError if the device reports a failed write.
  virtual Status Flush() = 0;

  // A hint, never an error: starts writing [offset, offset + n) toward
  // stable storage without waiting for it, where completed writes sit in a
  // page cache first (a loop device over a file: the loop driver writes
  // through the file's page cache unless it is in direct I/O mode), so the
  // disk works while later writes are issued and the Flush that ends a pass
  // has less left to do. Does nothing elsewhere. Flush is still what makes
  // writes durable.
  virtual void StartWriteback(uint64_t offset, uint64_t n) {
    (void)offset;
    (void)n;
  }

  // Writes/reads exactly n bytes at `offset` (offset + n <= size()), retrying
  // EINTR and short transfers. kInvalidArgument outside the device; kIoError
  // naming the byte offset and LBA where the device failed; kTruncated if the
  // device ended early. When direct_io(), every whole sector at a sector
  // offset goes to the device directly, whatever the memory's alignment and
  // wherever a short transfer stopped: only a partial sector (a regular
  // file's tail) can go through the page cache, whose errors surface at the
  // flush instead of here.
  Status WriteAt(uint64_t offset, const void* data, size_t n);
  Status ReadAt(uint64_t offset, void* data, size_t n);

 protected:
  // One transfer attempt; implementations do not retry. When direct_io(),
  // WriteAt and ReadAt pass whole sectors at sector offsets from memory
  // aligned to buffer_alignment(), except for a partial sector.
  virtual IoAttempt WriteOnce(uint64_t offset, const void* data, size_t n) = 0;
  virtual IoAttempt ReadOnce(uint64_t offset, void* data, size_t n) = 0;

 private:
  // The next attempt's length, and whether it goes through a bounce buffer.
  struct Step {
    size_t length;
    bool bounce;
  };
  Step NextStep(uint64_t offset, const void* p, size_t n) const;
  Status CheckRange(const char* op, uint64_t offset, size_t n) const;
  Status FailureAt(const char* op, uint64_t offset, int error) const;
};

struct BlockDeviceOptions {
  bool writable = true;
  // O_EXCL: for a block device the open fails with kBusy while it is mounted
  // or claimed by another exclusive holder. Ignored for regular files.
  bool exclusive = true;
  // O_DIRECT where the file system or driver accepts it (falls back silently:
  // direct_io() tells which one happened).
  bool direct = true;
  // Regular files only: refuse a symlink as the final component.
  bool no_follow = true;
  // Regular files only: the size to expose (e.g. the allocated size, beyond
  // st_size); 0 means st_size.
  uint64_t file_size = 0;
};

// Opens a block device or a regular file. kNotFound, kPermissionDenied,
// kBusy (O_EXCL refused: in use), kInvalidArgument (not a block device or a
// regular file), kIoError.
Result<std::unique_ptr<BlockDevice>> OpenBlockDevice(const std::string& path,
                                                     const BlockDeviceOptions& options = {});

// A heap buffer aligned for O_DIRECT. Move-only. Buffers of 2 MiB or more are
// aligned to 2 MiB and advised onto transparent huge pages (cheaper to pin
// for each O_DIRECT transfer); that changes nothing a caller can observe.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(size_t size, size_t alignment);  // Zero-filled; aborts on OOM like new.
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace custody

#endif  // CUSTODY_BLOCK_DEVICE_H_
