// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Two-thread pipelines for packages. Why: packing is read + SHA-256 + tar on
// one side and ChaCha20-Poly1305 + write on the other; in series on one
// thread custody ran at 0.31x of `tar | age` (a two-process pipeline).
// Splitting the work at the tar/age boundary overlaps hashing with
// encryption, and keeps libarchive (and its thread-local locale guard) on
// the calling thread: only the age layer runs on the background thread.
//
// Both keep order: bytes and the first error arrive exactly as without the
// thread. Memory: about depth + 2 buffers of `chunk` bytes (1.25 MiB by default:
// RSS with 20,000 files is already near the 64 MiB budget).
#ifndef CUSTODY_SRC_PACKAGE_PIPELINE_H_
#define CUSTODY_SRC_PACKAGE_PIPELINE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/byte_stream.h"
#include "custody/status.h"
#include "package/tar_writer.h"

namespace custody::package {

inline constexpr size_t kPipelineChunk = 256 << 10;
inline constexpr size_t kPipelineDepth = 3;

// A ByteSink that writes to `next` on a background thread. `next` must
// outlive this object and is used only by that thread until Finish returns.
class BackgroundSink final : public ByteSink {
 public:
  explicit BackgroundSink(ByteSink* next, size_t chunk = kPipelineChunk, size_t depth = kPipelineDepth);
  // Without Finish: stops the thread; data not yet written is dropped.
  ~BackgroundSink() override;
  BackgroundSink(const BackgroundSink&) = delete;
  BackgroundSink& operator=(const BackgroundSink&) = delete;

  // Fails with the background's first error (possibly from an earlier write).
  Status Write(std::string_view data) override;
  // Hands over what is buffered, waits until `next` has taken everything,
  // stops the thread. Returns the first error. Call once; no Write after.
  Status Finish();

 private:
  Status Submit();
  void Run();
  void Stop();

  ByteSink* next_;
  size_t chunk_, depth_;
  std::string current_;
  std::mutex mu_;
  std::condition_variable work_cv_, space_cv_;
  std::deque<std::string> queue_;
  std::vector<std::string> free_;
  bool closing_ = false, stop_ = false, done_ = false;
  Status error_ = Status::Ok();
  std::thread thread_;
};

// A ByteSource that reads `source` ahead on a background thread. `source`
// must outlive this object and is used only by that thread. It also lends
// its buffers (BorrowingSource), so a TarReader reads them without a copy.
// Memory: depth + 2 buffers of `chunk` bytes, allocated up front.
class PrefetchSource final : public ByteSource, public BorrowingSource {
 public:
  explicit PrefetchSource(ByteSource* source, size_t chunk = kPipelineChunk, size_t depth = kPipelineDepth);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> Read(uint8_t* buf, size_t n) override;
  // The rest of the current buffer, or the next one; valid until the next
  // Read or ReadView. Empty at the end; the source's first error after the
  // bytes before it.
  Result<std::string_view> ReadView() override;

 private:
  struct Buffer {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
  };
  void Run();
  // Makes `current_` a buffer with unread bytes; false at the end.
  Result<bool> Refill();

  ByteSource* source_;
  size_t chunk_;
  Buffer current_;
  size_t pos_ = 0;
  std::mutex mu_;
  std::condition_variable data_cv_, space_cv_;
  std::deque<Buffer> queue_;
  std::vector<Buffer> free_;
  bool finished_ = false, stop_ = false;
  Status error_ = Status::Ok();
  std::thread thread_;
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_PIPELINE_H_
