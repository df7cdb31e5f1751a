// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ByteSink / ByteSource: the two narrow interfaces through which streaming
// code (age encryption, packaging) moves bytes without knowing where they come
// from or go to, so that a multi-GiB payload is processed in constant memory
// and tests can inject short reads and write failures.
//
// Thread safety: implementations are used by one thread at a time.
#ifndef CUSTODY_SRC_COMMON_BYTE_STREAM_H_
#define CUSTODY_SRC_COMMON_BYTE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody {

class WritableFile;

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Consumes all of `data` or fails. After a failure the sink's contents are
  // unspecified and the writer must not present them as complete.
  virtual Status Write(std::string_view data) = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` (> 0) bytes into `buf`. Returns the number read; 0 means
  // end of input. May return fewer than `n` bytes before the end (a short
  // read); callers loop (see ReadFull).
  virtual Result<size_t> Read(uint8_t* buf, size_t n) = 0;
};

// Reads until `n` bytes are read or the source ends. Returns the count read
// (< n only at end of input).
Result<size_t> ReadFull(ByteSource& source, uint8_t* buf, size_t n);

// Appends to a std::string it does not own.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(std::string_view data) override;

 private:
  std::string* out_;
};

// Calls a function for each write.
class FunctionSink final : public ByteSink {
 public:
  explicit FunctionSink(std::function<Status(std::string_view)> fn) : fn_(std::move(fn)) {}
  Status Write(std::string_view data) override { return fn_(data); }

 private:
  std::function<Status(std::string_view)> fn_;
};

// Appends to a WritableFile it does not own (the caller syncs and closes).
class WritableFileSink final : public ByteSink {
 public:
  explicit WritableFileSink(WritableFile* file) : file_(file) {}
  Status Write(std::string_view data) override;

 private:
  WritableFile* file_;
};

// Reads from a buffer it does not own. `max_read` caps each Read, so tests can
// exercise short reads.
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data, size_t max_read = SIZE_MAX)
      : data_(data), max_read_(max_read) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override;

 private:
  std::string_view data_;
  size_t max_read_;
};

}  // namespace custody

#endif  // CUSTODY_SRC_COMMON_BYTE_STREAM_H_
