// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custody::package {

// ---- TarWriter

long TarWriter::WriteCallback(struct archive* a, void* self, const void* buf, size_t n) {
  auto* w = static_cast<TarWriter*>(self);
  if (w->abandoned_) return static_cast<long>(n);  // See ~TarWriter: nothing reaches the sink any more.
  Status s = w->sink_->Write(std::string_view(static_cast<const char*>(buf), n));
  if (!s.ok()) {
    w->sink_error_ = s;
    archive_set_error(a, EIO, "%s", "output failed");
    return -1;
  }
  return static_cast<long>(n);
}

Result<std::unique_ptr<TarWriter>> TarWriter::Create(ByteSink* sink) {
  auto w = std::unique_ptr<TarWriter>(new TarWriter());
  if (!w->locale_.ok()) return InternalError("the C.UTF-8 locale is missing; cannot write UTF-8 names safely");
  w->sink_ = sink;
  w->a_ = archive_write_new();
  if (w->a_ == nullptr) return InternalError("libarchive: out of memory");
  if (archive_write_set_format_pax_restricted(w->a_) != ARCHIVE_OK) return w->Fail("selecting the pax format");
  // 10240-byte records, as tar(1) writes; the final record is padded.
  if (archive_write_set_bytes_per_block(w->a_, 10240) != ARCHIVE_OK) return w->Fail("setting the block size");
  if (archive_write_open2(w->a_, w.get(), nullptr, &TarWriter::WriteCallback, nullptr, nullptr) != ARCHIVE_OK) {
    return w->Fail("starting the archive");
  }
  return w;
}

TarWriter::~TarWriter() {
  if (a_ != nullptr) {
    // An abandoned archive must not end like a complete one: closing it
    // writes end-of-archive blocks. They are discarded (abandoned_) rather
    // than avoided with archive_write_fail, because libarchive 3.6.2 then
    // skips the close that frees its 10 KiB block buffer (LeakSanitizer
    // caught it on a package refused mid-file).
    if (!closed_) {
      abandoned_ = true;
      archive_write_close(a_);
    }
    archive_write_free(a_);
  }
}

Status TarWriter::Fail(const char* what) {
  if (!sink_error_.ok()) return sink_error_;
  const char* msg = a_ != nullptr ? archive_error_string(a_) : nullptr;
  return IoError(std::string("writing the tar failed while ") + what + ": " + (msg ? msg : "unknown libarchive error"));
}

Status TarWriter::BeginFile(const std::string& path, uint64_t size, uint32_t mode, int64_t mtime) {
  struct archive_entry* e = archive_entry_new();
  if (e == nullptr) return InternalError("libarchive: out of memory");
  archive_entry_set_pathname_utf8(e, path.c_str());
  // The manifest lists `path`: the tar must hold exactly that (MemberNamer).
  const char* stored = archive_entry_pathname(e);
  if (stored == nullptr || path != stored) {
    archive_entry_free(e);
    return InternalError("libarchive would store the name " + path +
                         " in another form than the manifest lists; rename the file");
  }
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, mode & 0777);
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e, mtime, 0);
  // Owner names and IDs of the sender's machine say nothing to the recipient.
  archive_entry_set_uid(e, 0);
  archive_entry_set_gid(e, 0);
  int r = archive_write_header(a_, e);
  archive_entry_free(e);
  if (r != ARCHIVE_OK) return Fail(("writing the header of " + path).c_str());
  return Status::Ok();
}

Status TarWriter::WriteData(std::string_view data) {
  while (!data.empty()) {
    la_ssize_t n = archive_write_data(a_, data.data(), data.size());
    if (n <= 0) return Fail("writing file data");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status TarWriter::EndFile() {
  if (archive_write_finish_entry(a_) != ARCHIVE_OK) return Fail("finishing a file");
  return Status::Ok();
}

Status TarWriter::Close() {
  if (archive_write_close(a_) != ARCHIVE_OK) return Fail("closing the archive");
  closed_ = true;
  return Status::Ok();
}

// ---- MemberNamer

MemberNamer::MemberNamer() = default;

MemberNamer::~MemberNamer() {
  if (entry_ != nullptr) archive_entry_free(entry_);
}

std::string MemberNamer::Name(const std::string& name) {
  if (std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return name;
  }
  if (!locale_) locale_.emplace();
  if (!locale_->ok()) return name;  // TarWriter::Create refuses to run without it.
  if (entry_ == nullptr) entry_ = archive_entry_new();
  if (entry_ == nullptr) return name;
  // The conversion TarWriter::BeginFile makes: UTF-8 in, the stored form out.
  archive_entry_set_pathname_utf8(entry_, name.c_str());
  const char* stored = archive_entry_pathname(entry_);
  return stored != nullptr ? std::string(stored) : name;
}

// ---- TarReader

namespace {

// The length of `data` without its trailing zero bytes. A word at a time:
// every block of a package's plaintext passes here, and a long run of zeros
// (an empty disk image in the package) is scanned through.
size_t LengthWithoutTrailingZeros(const uint8_t* data, size_t n) {
  while (n > 0 && n % 8 != 0 && data[n - 1] == 0) --n;
  if (n % 8 == 0) {
    while (n >= 8) {
      uint64_t word;
      std::memcpy(&word, data + n - 8, sizeof word);
      if (word != 0) break;
      n -= 8;
    }
  }
  while (n > 0 && data[n - 1] == 0) --n;
  return n;
}

}  // namespace

void TarReader::Handed(const void* data, size_t n) {
  const size_t kept = LengthWithoutTrailingZeros(static_cast<const uint8_t*>(data), n);
  if (kept > 0) nonzero_end_ = handed_ + kept;
  handed_ += n;
}

long TarReader::ReadCallback(struct archive* a, void* self, const void** out) {
  auto* r = static_cast<TarReader*>(self);
  if (r->borrowing_ != nullptr) {
    // libarchive keeps using a block until it asks for the next one, which
    // is exactly how long a borrowed view stays valid.
    auto view = r->borrowing_->ReadView();
    if (!view.ok()) {
      r->source_error_ = view.status();
      archive_set_error(a, EIO, "%s", "input failed");
      return -1;
    }
    *out = view->data();
    r->Handed(view->data(), view->size());
    return static_cast<long>(view->size());
  }
  auto n = r->source_->Read(r->buf_.get(), kIoBufferSize);
  if (!n.ok()) {
    r->source_error_ = n.status();
    archive_set_error(a, EIO, "%s", "input failed");
    return -1;
  }
  *out = r->buf_.get();
  r->Handed(r->buf_.get(), *n);
  return static_cast<long>(*n);
}

Result<std::unique_ptr<TarReader>> TarReader::Open(ByteSource* source) {
  auto r = std::unique_ptr<TarReader>(new TarReader());
  r->source_ = source;
  // Not zero-filled: every byte libarchive sees was read into it first.
  r->buf_ = std::make_unique_for_overwrite<uint8_t[]>(kIoBufferSize);
  CUSTODY_RETURN_IF_ERROR(r->Start());
  return r;
}

Result<std::unique_ptr<TarReader>> TarReader::Open(BorrowingSource* source) {
  auto r = std::unique_ptr<TarReader>(new TarReader());
  r->borrowing_ = source;
  CUSTODY_RETURN_IF_ERROR(r->Start());
  return r;
}

Status TarReader::Start() {
  if (!locale_.ok()) return InternalError("the C.UTF-8 locale is missing; cannot read UTF-8 names safely");
  a_ = archive_read_new();
  if (a_ == nullptr) return InternalError("libarchive: out of memory");
  // Only tar, and no decompression filter: a package's plaintext is a plain
  // tar; anything else is refused rather than interpreted.
  if (archive_read_support_format_tar(a_) != ARCHIVE_OK) return Fail("selecting the tar format");
  if (archive_read_open(a_, this, nullptr, &TarReader::ReadCallback, nullptr) != ARCHIVE_OK) {
    return Fail("reading the start of the archive");
  }
  return Status::Ok();
}

TarReader::~TarReader() {
  if (a_ != nullptr) archive_read_free(a_);
}

Status TarReader::Fail(const char* what) {
  if (!source_error_.ok()) return source_error_;
  const char* msg = a_ != nullptr ? archive_error_string(a_) : nullptr;
  std::string m = msg ? msg : "unknown error";
  if (m.find("runcated") != std::string::npos) {
    return TruncatedError(std::string("the package's tar ends early (") + what + ": " + m + ")");
  }
  return CorruptionError(std::string("the package's tar is malformed (") + what + ": " + m + ")");
}

Result<std::optional<TarMember>> TarReader::Next() {
  block_offset_ = 0;
  has_pending_ = false;
  at_end_ = false;
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a_, &e);
  if (r == ARCHIVE_EOF) {
    archive_ended_ = true;
    return std::optional<TarMember>();
  }
  // ARCHIVE_WARN covers e.g. a name that cannot be converted: refused too.
  if (r != ARCHIVE_OK) return Fail("reading a member header");
  TarMember m;
  const char* p = archive_entry_pathname_utf8(e);
  if (p == nullptr) return CorruptionError("a member's name cannot be read as UTF-8");
  m.path = p;
  const char* hard = archive_entry_hardlink(e);
  mode_t type = archive_entry_filetype(e);
  if (hard != nullptr) {
    m.kind = TarMember::Kind::kHardlink;
    m.link_target = hard;
  } else if (type == AE_IFREG) {
    m.kind = TarMember::Kind::kRegular;
  } else if (type == AE_IFDIR) {
    m.kind = TarMember::Kind::kDirectory;
  } else if (type == AE_IFLNK) {
    m.kind = TarMember::Kind::kSymlink;
    const char* t = archive_entry_symlink(e);
    m.link_target = t ? t : "";
  } else if (type == AE_IFBLK || type == AE_IFCHR) {
    m.kind = TarMember::Kind::kDevice;
  }
  m.size_set = archive_entry_size_is_set(e) != 0;
  m.sparse = archive_entry_sparse_count(e) > 0;
  la_int64_t size = archive_entry_size(e);
  m.size = size < 0 ? 0 : static_cast<uint64_t>(size);
  m.mode = archive_entry_perm(e);
  m.mtime = archive_entry_mtime(e);
  return std::optional<TarMember>(std::move(m));
}

Result<size_t> TarReader::Read(char* buf, size_t n) {
  la_ssize_t r = archive_read_data(a_, buf, n);
  if (r < 0) return Fail("reading member data");
  return static_cast<size_t>(r);
}

Status TarReader::CheckOnlyZerosAfterEnd() {
  if (!archive_ended_) return InternalError("the tar's end was checked before the tar was read to its end");
  // Where the archive ends: the bytes the tar reader has used, the last of
  // them its end-of-archive blocks (no decompression filter, so the one
  // filter's position is the offset in the input).
  const la_int64_t end = archive_filter_bytes(a_, 0);
  if (end < 0) return InternalError("libarchive does not say where the tar ends");
  auto refuse = [](uint64_t at) {
    return CorruptionError("the package has data after the end of its tar (a byte that is not zero at offset " +
                           std::to_string(at) + " of the tar, where only zero padding may follow)");
  };
  // What libarchive was handed but did not use: only zeros.
  if (nonzero_end_ > static_cast<uint64_t>(end)) return refuse(nonzero_end_ - 1);
  // The rest of the input, read to its end (for a package: the age stream's
  // authenticated end, which is what catches a package cut after the tar).
  while (true) {
    const uint8_t* data;
    size_t n;
    if (borrowing_ != nullptr) {
      CUSTODY_ASSIGN_OR_RETURN(std::string_view view, borrowing_->ReadView());
      data = reinterpret_cast<const uint8_t*>(view.data());
      n = view.size();
    } else {
      CUSTODY_ASSIGN_OR_RETURN(n, source_->Read(buf_.get(), kIoBufferSize));
      data = buf_.get();
    }
    if (n == 0) return Status::Ok();
    const size_t kept = LengthWithoutTrailingZeros(data, n);
    if (kept > 0) return refuse(handed_ + kept - 1);
    handed_ += n;
  }
}

Result<std::string_view> TarReader::ReadBlock() {
  static constexpr char kZeros[64 << 10] = {};
  while (true) {
    if (!has_pending_) {
      const void* data = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int r = archive_read_data_block(a_, &data, &size, &offset);
      if (r == ARCHIVE_EOF) {
        // The end's offset is the member's size: a hole at the end of a
        // sparse member is zeros too (as archive_read_data gives it).
        if (offset <= 0 || static_cast<uint64_t>(offset) <= block_offset_) return std::string_view();
        data = nullptr;
        size = 0;
        at_end_ = true;
      }
      if (r != ARCHIVE_OK && r != ARCHIVE_EOF) return Fail("reading member data");  // Warnings fail, as in archive_read_data.
      if (offset < 0 || static_cast<uint64_t>(offset) < block_offset_) {
        return CorruptionError("the package's tar is malformed (a member's data goes backwards)");
      }
      pending_block_ = data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
      pending_offset_ = static_cast<uint64_t>(offset);
      has_pending_ = true;
    }
    if (pending_offset_ > block_offset_) {  // A hole: zeros up to the block.
      size_t n = static_cast<size_t>(std::min<uint64_t>(pending_offset_ - block_offset_, sizeof kZeros));
      block_offset_ += n;
      return std::string_view(kZeros, n);
    }
    has_pending_ = false;
    if (pending_block_.empty()) {
      if (at_end_) return std::string_view();
      continue;
    }
    block_offset_ += pending_block_.size();
    return pending_block_;
  }
}

}  // namespace custody::package
