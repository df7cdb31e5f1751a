// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/source_reader.h"
#include "package/tar_writer.h"

#include <sys/stat.h>

#include <algorithm>

#include "custody/env.h"

namespace custody::package {

std::string KindOf(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISBLK(m) || S_ISCHR(m)) return "a device file";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

Result<std::optional<SourceFile>> SourceWalker::Next() {
  while (true) {
    if (stack_.empty()) {
      if (next_top_ == tops_.size()) return std::optional<SourceFile>();
      const SourceFile& top = tops_[next_top_++];
      CUSTODY_ASSIGN_OR_RETURN(std::optional<SourceFile> f,
                               Visit(top.disk_path, top.member_path, std::nullopt));
      if (f) return f;
      continue;
    }
    Dir& d = stack_.back();
    if (d.next == d.entries.size()) {
      stack_.pop_back();
      continue;
    }
    const Dir::Entry& e = d.entries[d.next++];
    // Visit may push onto stack_, which moves `d`: the paths are built first.
    std::string disk = d.disk + "/" + e.disk_name, member = d.member + "/" + e.member_name;
    const std::optional<FileStatus::Type> type = e.type;
    CUSTODY_ASSIGN_OR_RETURN(std::optional<SourceFile> f,
                             Visit(std::move(disk), std::move(member), type));
    if (f) return f;
  }
}

// A file to pack, or nothing (a directory, now on the stack). `type` is
// the entry's type as its directory gives it (d_type), or nothing: a regular
// file named by its directory is not stat'ed here, because ReadOne opens it
// with O_NOFOLLOW and fstat's what it opened (which is what counts: the
// name could be replaced in between); that saved one system call per file
// on trees of small files.
Result<std::optional<SourceFile>> SourceWalker::Visit(std::string disk, std::string member,
                                                      std::optional<FileStatus::Type> type) {
  if (Status v = ValidateRelativePath(member, false); !v.ok()) {
    return InvalidArgumentError("cannot pack " + disk + ": " + v.message());
  }
  if (type == FileStatus::Type::kRegular)
    return std::optional<SourceFile>(SourceFile{std::move(disk), std::move(member)});
  CUSTODY_ASSIGN_OR_RETURN(FileStatus st, env_.StatNoFollow(disk));
  if (st.type == FileStatus::Type::kRegular)
    return std::optional<SourceFile>(SourceFile{std::move(disk), std::move(member)});
  if (st.type != FileStatus::Type::kDirectory) {
    return InvalidArgumentError(
        disk + " is " + KindOf(static_cast<mode_t>(st.mode)) +
        "; packages carry only regular files (copy the target in its place)");
  }
  CUSTODY_ASSIGN_OR_RETURN(std::vector<DirectoryEntry> entries, env_.ListDirEntries(disk));
  Dir d;
  d.entries.reserve(entries.size());
  {
    MemberNamer namer;
    for (DirectoryEntry& e : entries) {
      std::string member_name = namer.Name(e.name);
      d.entries.push_back({std::move(e.name), std::move(member_name), e.type});
    }
  }
  std::sort(d.entries.begin(), d.entries.end(),
            [](const Dir::Entry& a, const Dir::Entry& b) { return a.member_name < b.member_name; });
  for (size_t i = 1; i < d.entries.size(); ++i) {
    if (d.entries[i].member_name == d.entries[i - 1].member_name) {
      return InvalidArgumentError(
          "cannot pack " + disk + ": \"" + d.entries[i - 1].disk_name + "\" and \"" +
          d.entries[i].disk_name +
          "\" are the same name written in two Unicode forms (composed and decomposed, as "
          "macOS writes names); a package holds it once. Rename one of them");
    }
  }
  d.disk = std::move(disk);
  d.member = std::move(member);
  stack_.push_back(std::move(d));
  return std::optional<SourceFile>();
}

SourceReader::SourceReader(const std::vector<SourceFile>& tops, Env& env) : walker_(tops, env) {
  // Every batch the pipeline can hold at once, allocated here on the
  // caller's thread: its heap is the one prepared for large work (huge
  // pages, src/cli/heap_tuning.h). Allocated (and zero-filled) by the
  // reading thread, they came from its own arena in 4 KiB pages: ~1,200
  // page faults, half of all in a 20,000-file create, each costly on a
  // VM. Not touched here: a small package uses only the first pages.
  for (size_t i = 0; i < kDepth + 2; ++i) {
    Batch b;
    b.bytes.reset(new char[kBatchBytes]);
    b.pieces.reserve(kPiecesPerBatch);
    free_.push_back(std::move(b));
  }
  thread_ = std::thread([this] { Run(); });
}

SourceReader::~SourceReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::optional<SourceReader::Batch> SourceReader::Next() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !queue_.empty() || finished_; });
  if (queue_.empty()) return std::nullopt;
  Batch b = std::move(queue_.front());
  queue_.pop_front();
  cv_.notify_all();
  return b;
}

void SourceReader::Recycle(Batch b) {
  b.used = 0;
  b.pieces.clear();
  std::lock_guard lock(mu_);
  free_.push_back(std::move(b));
}

SourceReader::Batch SourceReader::Fresh() {
  std::lock_guard lock(mu_);
  if (!free_.empty()) {
    Batch b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  Batch b;
  b.bytes.reset(new char[kBatchBytes]);
  b.pieces.reserve(kPiecesPerBatch);
  return b;
}

bool SourceReader::Push(Batch& b) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return queue_.size() < kDepth || stop_; });
  if (stop_) return false;
  queue_.push_back(std::move(b));
  cv_.notify_all();
  return true;
}

void SourceReader::Run() {
  Batch b = Fresh();
  while (true) {
    Result<std::optional<SourceFile>> src = walker_.Next();
    Status s = src.ok() ? Status::Ok() : src.status();
    if (s.ok() && !src->has_value()) break;
    if (s.ok()) s = ReadOne(**src, b);
    if (!s.ok()) {
      b.error = s;
      break;
    }
    if (stopped()) return;
  }
  if (!Push(b)) return;
  std::lock_guard lock(mu_);
  finished_ = true;
  cv_.notify_all();
}

bool SourceReader::stopped() {
  std::lock_guard lock(mu_);
  return stop_;
}

// One source file into the batches (the consumer hashes it). The size comes from fstat of
// the opened file; a file that changes while it is read is refused (the
// manifest would otherwise not describe what was sent).
Status SourceReader::ReadOne(const SourceFile& src, Batch& b) {
  // A batch ends at kPiecesPerBatch pieces too, not only at kBatchBytes:
  // 1 MiB of 64-byte files is 16,000 files, and of empty files no bytes
  // at all, so batches bounded by bytes alone held every file of such a
  // tree (300,000 files of 64 bytes: 77 MiB peak).
  if (b.pieces.size() + 3 > kPiecesPerBatch) {
    if (!Push(b)) return CancelledError("packing stopped");
    b = Fresh();
  }
  // Opened without following a link or blocking on a FIFO (Env), then
  // fstat'ed: what was opened is what counts.
  CUSTODY_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, walker_.env().NewSequentialFile(src.disk_path));
  CUSTODY_ASSIGN_OR_RETURN(FileStatus before, file->Stat());
  if (before.type != FileStatus::Type::kRegular)
    return InvalidArgumentError(src.disk_path + " is not a regular file");
  Piece begin;
  begin.begin = true;
  begin.file.path = src.member_path;
  begin.file.size = before.size;
  begin.file.mode = before.mode & 0777;
  begin.file.mtime = before.mtime_sec;
  b.pieces.push_back(std::move(begin));
  uint64_t left = before.size;
  bool end_seen = false;  // A read came back short after the last byte.
  while (left > 0) {
    if (b.used >= kBatchBytes || b.pieces.size() + 2 > kPiecesPerBatch) {
      if (!Push(b)) return CancelledError("packing stopped");
      b = Fresh();
    }
    const size_t at = b.used, room = kBatchBytes - at;
    // One byte more than is left, when it fits: the short read then shows
    // the end of the file without a read(2) of its own per file.
    const size_t want = left < room ? static_cast<size_t>(left) + 1 : room;
    CUSTODY_ASSIGN_OR_RETURN(size_t n, file->Read(reinterpret_cast<uint8_t*>(b.bytes.get() + at), want));
    if (n == 0) {
      return FailedPreconditionError(
          src.disk_path +
          " shrank while it was being packed; stop what is writing it and try again");
    }
    if (n > left) return ChangedWhileRead(src);  // It grew.
    b.used = at + n;
    Piece data;
    data.offset = at;
    data.length = n;
    b.pieces.push_back(std::move(data));
    left -= n;
    end_seen = left == 0 && n < want;
  }
  size_t extra_bytes = 0;
  if (!end_seen) {
    uint8_t extra;
    CUSTODY_ASSIGN_OR_RETURN(extra_bytes, file->Read(&extra, 1));
  }
  if (extra_bytes != 0) return ChangedWhileRead(src);
  Result<FileStatus> after = file->Stat();
  if (!after.ok() || after->size != before.size || after->mtime_sec != before.mtime_sec ||
      after->mtime_nsec != before.mtime_nsec) {
    return ChangedWhileRead(src);
  }
  Piece end;
  end.end = true;
  b.pieces.push_back(std::move(end));
  return Status::Ok();
}

Status SourceReader::ChangedWhileRead(const SourceFile& src) {
  return FailedPreconditionError(
      src.disk_path + " changed while it was being packed; stop what is writing it and try again");
}

}  // namespace custody::package
