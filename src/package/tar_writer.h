// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// TarWriter / TarReader: the libarchive adapters of the package layer. They
// expose no libarchive types, check every return value, and run every
// archive_* call under a C.UTF-8 thread locale (see ScopedUtf8Locale).
//
// Both hold the thread's locale for their lifetime: create, use and destroy
// one on a single thread, in stack order.
#ifndef CUSTODY_SRC_PACKAGE_TAR_WRITER_H_
#define CUSTODY_SRC_PACKAGE_TAR_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/byte_stream.h"
#include "custody/status.h"
#include "package/package_internal.h"

struct archive;
struct archive_entry;

namespace custody::package {

// Writes a pax tar (POSIX.1-2001; pax headers only where ustar cannot hold
// the name or size) of regular files to a ByteSink.
class TarWriter {
 public:
  static Result<std::unique_ptr<TarWriter>> Create(ByteSink* sink);
  // Without a successful Close(), nothing more reaches the sink (the archive
  // is abandoned, not finished, so a failed package never ends cleanly).
  ~TarWriter();

  Status BeginFile(const std::string& path, uint64_t size, uint32_t mode, int64_t mtime);
  Status WriteData(std::string_view data);
  Status EndFile();
  // Writes the end-of-archive blocks.
  Status Close();

 private:
  TarWriter() = default;
  Status Fail(const char* what);
  ScopedUtf8Locale locale_;
  struct archive* a_ = nullptr;
  ByteSink* sink_ = nullptr;
  Status sink_error_;
  bool closed_ = false;
  bool abandoned_ = false;  // Set when destroyed unclosed: output is dropped.
  static long WriteCallback(struct archive*, void* self, const void* buf, size_t n);
};

// The names a package's tar holds. Why: libarchive converts every UTF-8
// name it writes or reads and, on Linux, normalises it to NFC on the way (on
// macOS to NFD): a file named in decomposed form (as macOS names files, and
// as they arrive on Linux when copied from a Mac) was stored composed while
// the manifest listed the name as found on disk, so the package was created
// and recorded but could never be opened. A package lists each file under the
// name libarchive stores and gives back, and two names in one directory
// that libarchive would fold into one are refused at creation.
//
// Not thread-safe; create, use and destroy one on a single thread (it may
// hold the thread's locale, like TarWriter).
class MemberNamer {
 public:
  MemberNamer();
  ~MemberNamer();
  MemberNamer(const MemberNamer&) = delete;
  MemberNamer& operator=(const MemberNamer&) = delete;

  // `name` as libarchive stores it. ASCII names are returned as they are
  // without calling libarchive; a name libarchive cannot convert (not UTF-8,
  // which the caller's ValidateRelativePath refuses) is returned unchanged.
  std::string Name(const std::string& name);

 private:
  std::optional<ScopedUtf8Locale> locale_;  // Taken at the first non-ASCII name.
  struct archive_entry* entry_ = nullptr;
};

// One member as read from a tar.
struct TarMember {
  std::string path;  // UTF-8 as stored; not validated.
  enum class Kind { kRegular, kDirectory, kSymlink, kHardlink, kDevice, kOther } kind = Kind::kOther;
  std::string link_target;
  uint64_t size = 0;
  bool size_set = false;
  // A sparse member (GNU or pax sparse map): its holes read as zeros, so its
  // size may be any multiple of the bytes the archive holds.
  bool sparse = false;
  uint32_t mode = 0;
  int64_t mtime = 0;
};

// A source that lends its buffers instead of copying out of them. Each view
// stays valid until the next call; an empty view is the end of the input.
class BorrowingSource {
 public:
  virtual ~BorrowingSource() = default;
  virtual Result<std::string_view> ReadView() = 0;
};

// Reads a tar (any variant libarchive's tar reader knows, no compression)
// from a ByteSource, or from a BorrowingSource without copying its bytes
// (libarchive then reads straight from the lent buffers).
class TarReader {
 public:
  static Result<std::unique_ptr<TarReader>> Open(ByteSource* source);
  static Result<std::unique_ptr<TarReader>> Open(BorrowingSource* source);
  ~TarReader();
  // Next member's header, or nullopt at the end of the archive.
  Result<std::optional<TarMember>> Next();
  // Reads the current member's data; 0 at its end.
  Result<size_t> Read(char* buf, size_t n);
  // The next piece of the current member's data, without a copy (valid until
  // the next call on this reader); empty at its end. Holes of a sparse
  // member come back as zeros, as Read gives them.
  Result<std::string_view> ReadBlock();
  // After Next() has returned the end of the archive: reads the input to its
  // end and returns kCorruption if any byte after the end-of-archive blocks
  // is not zero, counting the bytes libarchive has already taken into its
  // buffers but not used (they are checked as they were handed to it).
  Status CheckOnlyZerosAfterEnd();

 private:
  TarReader() = default;
  Status Start();
  Status Fail(const char* what);
  ScopedUtf8Locale locale_;
  struct archive* a_ = nullptr;
  ByteSource* source_ = nullptr;
  BorrowingSource* borrowing_ = nullptr;
  Status source_error_;
  std::unique_ptr<uint8_t[]> buf_;
  // ReadBlock: the member offset reached, and a block read past a hole.
  uint64_t block_offset_ = 0;
  std::string_view pending_block_;
  uint64_t pending_offset_ = 0;
  bool has_pending_ = false;
  bool at_end_ = false;  // The pending block is the member's end.
  bool archive_ended_ = false;  // Next() has returned the end of the archive.
  // Input handed to libarchive: bytes in all, and the offset just after the
  // last byte that is not zero (0 if none). Only these two: libarchive may
  // keep any part of what it was handed, so what follows the archive's end
  // cannot be looked at again, only judged by where its last nonzero byte is.
  uint64_t handed_ = 0;
  uint64_t nonzero_end_ = 0;
  void Handed(const void* data, size_t n);
  static long ReadCallback(struct archive*, void* self, const void** buf);
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_TAR_WRITER_H_
