// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// FakeBlockDevice: an in-memory BlockDevice for tests of the erase engine.
// It injects what real disks do: EIO at chosen LBAs (a bad sector that fails
// a number of times, or forever), short transfers, EINTR, and a hook that
// runs after every Flush so a test can corrupt the medium between a pass and
// its verification. Like an O_DIRECT descriptor (direct_io(), the default),
// it refuses with EINVAL any transfer attempt whose memory is not aligned to
// buffer_alignment() or whose offset or length is not a whole number of
// sectors, and moves whole sectors in a short transfer: a real device would
// send such a transfer through the page cache, where write errors surface
// only at the flush and reads may not reach the medium, so code that does so
// must fail tests.
#ifndef CUSTODY_TESTS_SUPPORT_FAKE_BLOCK_DEVICE_H_
#define CUSTODY_TESTS_SUPPORT_FAKE_BLOCK_DEVICE_H_

#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "custody/block_device.h"

namespace custody::testing {

class FakeBlockDevice final : public BlockDevice {
 public:
  explicit FakeBlockDevice(uint64_t size, uint32_t logical = 512, uint32_t physical = 4096,
                           std::string path = "/dev/fake0");

  // A transfer that touches `lba` fails with EIO, `times` times (then works).
  void FailWritesAt(uint64_t lba, int times = INT_MAX);
  void FailReadsAt(uint64_t lba, int times = INT_MAX);
  // Each attempt moves at most this many bytes (short writes/reads); with
  // direct I/O, rounded down to whole sectors (at least one).
  void SetMaxTransfer(size_t bytes) { max_transfer_ = bytes; }
  // Off: a buffered device, which takes any memory, offset and length.
  void SetDirectIo(bool on) { direct_ = on; }
  // The next `count` attempts fail with EINTR.
  void InjectEintr(int count) { eintr_ = count; }
  // The next Flush fails with EIO (`count` times).
  void FailFlushes(int count) { flush_failures_ = count; }
  // Runs after every successful Flush (between a pass and its verification).
  void SetAfterFlush(std::function<void(FakeBlockDevice&)> hook) { after_flush_ = std::move(hook); }
  // Runs after every successful write attempt, with its range (e.g. to set
  // a stop flag mid-pass).
  void SetAfterWrite(std::function<void(uint64_t offset, size_t n)> hook) {
    after_write_ = std::move(hook);
  }
  // Overwrites bytes directly on the "medium".
  void Corrupt(uint64_t offset, const std::string& bytes);

  std::vector<uint8_t>& medium() { return medium_; }
  int flushes() const { return flushes_; }
  uint64_t bytes_written() const { return bytes_written_; }
  int write_attempts() const { return write_attempts_; }
  int read_attempts() const { return read_attempts_; }
  // StartWriteback calls, in order, each with the bytes written before it.
  struct WritebackHint {
    uint64_t offset = 0, length = 0, written_before = 0;
  };
  const std::vector<WritebackHint>& writeback_hints() const { return hints_; }

  // BlockDevice:
  const std::string& path() const override { return path_; }
  uint64_t size() const override { return medium_.size(); }
  uint32_t logical_sector_size() const override { return logical_; }
  uint32_t physical_sector_size() const override { return physical_; }
  size_t buffer_alignment() const override { return 4096; }
  bool direct_io() const override { return direct_; }
  bool is_regular_file() const override { return false; }
  Status Flush() override;
  void StartWriteback(uint64_t offset, uint64_t n) override {
    std::lock_guard<std::mutex> l(mu_);
    hints_.push_back({offset, n, bytes_written_});
  }

 protected:
  IoAttempt WriteOnce(uint64_t offset, const void* data, size_t n) override;
  IoAttempt ReadOnce(uint64_t offset, void* data, size_t n) override;

 private:
  bool Fails(std::map<uint64_t, int>& faults, uint64_t offset, size_t n);
  // The bytes one attempt moves, or 0 if O_DIRECT would refuse it (EINVAL).
  size_t Transferable(uint64_t offset, const void* data, size_t n) const;

  std::mutex mu_;
  std::string path_;
  uint32_t logical_, physical_;
  std::vector<uint8_t> medium_;
  std::map<uint64_t, int> write_faults_, read_faults_;
  size_t max_transfer_ = SIZE_MAX;
  int eintr_ = 0;
  bool direct_ = true;
  int flush_failures_ = 0;
  int flushes_ = 0;
  int write_attempts_ = 0;
  int read_attempts_ = 0;
  uint64_t bytes_written_ = 0;
  std::vector<WritebackHint> hints_;
  std::function<void(FakeBlockDevice&)> after_flush_;
  std::function<void(uint64_t, size_t)> after_write_;
};

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_FAKE_BLOCK_DEVICE_H_
