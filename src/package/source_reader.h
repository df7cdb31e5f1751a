// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The source side of `package create`: SourceWalker lists the regular files
// under the sources in package order; SourceReader reads them on a thread
// of its own, in bounded batches, ahead of the tar (create.cc).
#ifndef CUSTODY_SRC_PACKAGE_SOURCE_READER_H_
#define CUSTODY_SRC_PACKAGE_SOURCE_READER_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "custody/env.h"
#include "custody/package.h"
#include "custody/status.h"
#include "package/package_internal.h"

namespace custody::package {

// "a symbolic link", "a device file", ...: what a non-regular file is, for
// refusals.
std::string KindOf(mode_t m);

// The regular files under the sources, one at a time, in package order:
// sources as given, each directory's entries in byte order of their names
// as packaged (so packages of the same tree list files in the same order). Only the
// directories being walked are held (their sorted entries), never the list
// of every file: a tree of a million files costs the memory of its largest
// directory. The walk runs on SourceReader's thread, while packing: an error
// found in it (a link, a device, a bad name) ends the packing, and
// CreatePackage removes the partial output.
class SourceWalker {
 public:
  // `tops` and `env` must outlive the walker. The file system is read
  // through `env`.
  SourceWalker(const std::vector<SourceFile>& tops, Env& env) : tops_(tops), env_(env) {}

  // The next file; nothing after the last.
  Result<std::optional<SourceFile>> Next();
  Env& env() const { return env_; }

 private:
  struct Dir {
    std::string disk, member;
    struct Entry {
      std::string disk_name;    // As the directory lists it.
      std::string member_name;  // As the package holds it (MemberNamer).
      std::optional<FileStatus::Type> type;  // As the directory gives it (d_type).
    };
    std::vector<Entry> entries;  // Sorted by member_name.
    size_t next = 0;
  };
  Result<std::optional<SourceFile>> Visit(std::string disk, std::string member,
                                          std::optional<FileStatus::Type> type);

  const std::vector<SourceFile>& tops_;
  Env& env_;
  size_t next_top_ = 0;
  std::vector<Dir> stack_;
};

// Reads the source files on a thread of its own, ahead of the tar. Why: on
// a tree of small files the calling thread spent most of its time in
// open/read/close and SHA-256, with the tar and the encryption waiting on
// it; now reading has this thread, hashing and tar the caller's, and
// sealing and writing the age encryptor's workers (crypto/age_format.h),
// which the caller joins when it would wait. Files travel in batches of up
// to kBatchBytes and kPiecesPerBatch pieces (many small files per batch, a
// large file in 1 MiB pieces), at most kDepth batches queued, so memory
// stays bounded whatever the input: the number of files, their sizes.
// Thread safety: one consumer thread calls Next and Recycle.
class SourceReader {
 public:
  static constexpr size_t kBatchBytes = 1 << 20;
  static constexpr size_t kDepth = 3;
  // No batch holds more pieces (a file is a begin, its data and an end):
  // batches of files under about 750 bytes end here rather than at
  // kBatchBytes. 4096, not fewer: at 1024 a tree of 300,000 files of 64
  // bytes took 1.95 s instead of 1.70 s (more hand-overs); 4096 pieces are
  // about 0.6 MiB with their paths.
  static constexpr size_t kPiecesPerBatch = 4096;

  struct Piece {
    bool begin = false, end = false;
    PackageFile file;               // begin: path, size, mode, mtime (hashed by the consumer).
    size_t offset = 0, length = 0;  // Data of this file in Batch::bytes.
  };
  struct Batch {
    // kBatchBytes, never zero-filled (a std::string's resize wrote every
    // byte before read(2) did); `used` bytes hold data.
    std::unique_ptr<char[]> bytes;
    size_t used = 0;
    std::vector<Piece> pieces;
    Status error = Status::Ok();  // Reading stopped here (pieces before it are good).
  };

  // Starts reading, through `env`. `tops` and `env` must outlive the reader.
  SourceReader(const std::vector<SourceFile>& tops, Env& env);
  // Stops the reading thread (it may be mid-file) and joins it.
  ~SourceReader();
  SourceReader(const SourceReader&) = delete;
  SourceReader& operator=(const SourceReader&) = delete;

  // The next batch in order, or nothing after the last. A batch with an
  // error is the last.
  std::optional<Batch> Next();
  // Hands a consumed batch's buffers back for reuse.
  void Recycle(Batch b);

 private:
  Batch Fresh();
  bool Push(Batch& b);  // False when the consumer has gone.
  void Run();
  bool stopped();
  Status ReadOne(const SourceFile& src, Batch& b);
  static Status ChangedWhileRead(const SourceFile& src);

  SourceWalker walker_;  // Used by the reading thread only.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::vector<Batch> free_;
  bool stop_ = false, finished_ = false;
  std::thread thread_;
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_SOURCE_READER_H_
