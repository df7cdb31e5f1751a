// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "support/fake_block_device.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custody::testing {

FakeBlockDevice::FakeBlockDevice(uint64_t size, uint32_t logical, uint32_t physical,
                                 std::string path)
    : path_(std::move(path)), logical_(logical), physical_(physical), medium_(size, 0) {}

void FakeBlockDevice::FailWritesAt(uint64_t lba, int times) {
  std::lock_guard<std::mutex> l(mu_);
  write_faults_[lba] = times;
}
void FakeBlockDevice::FailReadsAt(uint64_t lba, int times) {
  std::lock_guard<std::mutex> l(mu_);
  read_faults_[lba] = times;
}

void FakeBlockDevice::Corrupt(uint64_t offset, const std::string& bytes) {
  std::lock_guard<std::mutex> l(mu_);
  std::memcpy(medium_.data() + offset, bytes.data(), bytes.size());
}

bool FakeBlockDevice::Fails(std::map<uint64_t, int>& faults, uint64_t offset, size_t n) {
  const uint64_t first = offset / logical_, last = (offset + n - 1) / logical_;
  for (auto it = faults.lower_bound(first); it != faults.end() && it->first <= last; ++it) {
    if (it->second > 0) {
      if (it->second != INT_MAX) --it->second;
      return true;
    }
  }
  return false;
}

size_t FakeBlockDevice::Transferable(uint64_t offset, const void* data, size_t n) const {
  if (!direct_) return std::min(n, max_transfer_);
  if (offset % logical_ != 0 || n % logical_ != 0 ||
      reinterpret_cast<uintptr_t>(data) % buffer_alignment() != 0) {
    return 0;
  }
  return std::min(n, std::max<size_t>(logical_, max_transfer_ / logical_ * logical_));
}

IoAttempt FakeBlockDevice::WriteOnce(uint64_t offset, const void* data, size_t n) {
  std::function<void(uint64_t, size_t)> hook;
  {
    std::lock_guard<std::mutex> l(mu_);
    ++write_attempts_;
    if (eintr_ > 0) {
      --eintr_;
      return {0, EINTR};
    }
    n = Transferable(offset, data, n);
    if (n == 0) return {0, EINVAL};
    if (Fails(write_faults_, offset, n)) return {0, EIO};
    std::memcpy(medium_.data() + offset, data, n);
    bytes_written_ += n;
    hook = after_write_;
  }
  if (hook) hook(offset, n);
  return {n, 0};
}

IoAttempt FakeBlockDevice::ReadOnce(uint64_t offset, void* data, size_t n) {
  std::lock_guard<std::mutex> l(mu_);
  ++read_attempts_;
  if (eintr_ > 0) {
    --eintr_;
    return {0, EINTR};
  }
  n = Transferable(offset, data, n);
  if (n == 0) return {0, EINVAL};
  if (Fails(read_faults_, offset, n)) return {0, EIO};
  std::memcpy(data, medium_.data() + offset, n);
  return {n, 0};
}

Status FakeBlockDevice::Flush() {
  std::function<void(FakeBlockDevice&)> hook;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (flush_failures_ > 0) {
      --flush_failures_;
      return IoError("flush " + path_ + ": Input/output error");
    }
    ++flushes_;
    hook = after_flush_;
  }
  if (hook) hook(*this);
  return Status::Ok();
}

}  // namespace custody::testing
