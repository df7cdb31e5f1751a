// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// CreatePackage: sources -> pax tar (libarchive) -> age -> temporary file ->
// fsync -> rename. One pass over each source file: it is hashed while it is
// written, and the manifest (with the hashes) goes last (package.md).
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "common/canonical_json.h"
#include "common/concat_source.h"
#include "common/time_util.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/sealed_spill.h"
#include "crypto/signature_context.h"
#include "custody/env.h"
#include "custody/password.h"
#include "custody/station.h"
#include "env/posix_io.h"
#include "package/package_internal.h"
#include "package/tar_writer.h"
#include "package/zip_io.h"

namespace custody {
namespace package {
namespace {

// The name a source gets under data/: its last component, as tar does.
Result<std::string> TopLevelName(const std::string& source) {
  std::error_code ec;
  std::filesystem::path p(source);
  std::string name = p.lexically_normal().filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::filesystem::path abs = std::filesystem::weakly_canonical(p, ec);
    if (ec) return InvalidArgumentError("cannot resolve the source " + source);
    name = abs.filename().string();
    if (name.empty()) {
      std::string s = abs.string();
      while (s.size() > 1 && s.back() == '/') s.pop_back();
      name = std::filesystem::path(s).filename().string();
    }
  }
  if (name.empty() || name == "/") return InvalidArgumentError("cannot pack the root directory " + source);
  return name;
}

std::string KindOf(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISBLK(m) || S_ISCHR(m)) return "a device file";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// The regular files under the sources, one at a time, in package order:
// sources as given, each directory's entries in byte order of their names
// (so packages of the same tree list files in the same order). Only the
// directories being walked are held (their sorted entries), never the list
// of every file: a tree of a million files costs the memory of its largest
// directory. The walk runs on SourceReader's thread, while packing: an error
// found in it (a link, a device, a bad name) ends the packing, and
// CreatePackage removes the partial output.
class SourceWalker {
 public:
  explicit SourceWalker(const std::vector<SourceFile>& tops) : tops_(tops) {}

  // The next file; nothing after the last.
  Result<std::optional<SourceFile>> Next() {
    while (true) {
      if (stack_.empty()) {
        if (next_top_ == tops_.size()) return std::optional<SourceFile>();
        const SourceFile& top = tops_[next_top_++];
        CUSTODY_ASSIGN_OR_RETURN(std::optional<SourceFile> f, Visit(top.disk_path, top.member_path, DT_UNKNOWN));
        if (f) return f;
        continue;
      }
      Dir& d = stack_.back();
      if (d.next == d.entries.size()) {
        stack_.pop_back();
        continue;
      }
      const auto& [name, type] = d.entries[d.next++];
      // Visit may push onto stack_, which moves `d`: the paths are built first.
      std::string disk = d.disk + "/" + name, member = d.member + "/" + name;
      CUSTODY_ASSIGN_OR_RETURN(std::optional<SourceFile> f, Visit(std::move(disk), std::move(member), type));
      if (f) return f;
    }
  }

 private:
  struct Dir {
    std::string disk, member;
    std::vector<std::pair<std::string, unsigned char>> entries;  // Sorted; with d_type.
    size_t next = 0;
  };

  // A file to pack, or nothing (a directory, now on the stack). `type` is
  // the entry's d_type from its directory, or DT_UNKNOWN: a regular file
  // named by its directory is not stat'ed here, because ReadOne opens it
  // with O_NOFOLLOW and fstat's what it opened (which is what counts: the
  // name could be replaced in between); that saved one system call per file
  // on trees of small files.
  Result<std::optional<SourceFile>> Visit(std::string disk, std::string member, unsigned char type) {
    if (Status v = ValidateRelativePath(member, false); !v.ok()) {
      return InvalidArgumentError("cannot pack " + disk + ": " + v.message());
    }
    if (type == DT_REG) return std::optional<SourceFile>(SourceFile{std::move(disk), std::move(member)});
    struct stat st {};
    if (::lstat(disk.c_str(), &st) != 0) return posix::ErrnoStatus("stat", disk, errno);
    if (S_ISREG(st.st_mode)) return std::optional<SourceFile>(SourceFile{std::move(disk), std::move(member)});
    if (!S_ISDIR(st.st_mode)) {
      return InvalidArgumentError(disk + " is " + KindOf(st.st_mode) +
                                  "; packages carry only regular files (copy the target in its place)");
    }
    DIR* dir = ::opendir(disk.c_str());
    if (dir == nullptr) return posix::ErrnoStatus("open directory", disk, errno);
    Dir d;
    errno = 0;
    while (struct dirent* e = ::readdir(dir)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") d.entries.emplace_back(std::move(n), e->d_type);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return posix::ErrnoStatus("read directory", disk, err);
    std::sort(d.entries.begin(), d.entries.end());
    d.disk = std::move(disk);
    d.member = std::move(member);
    stack_.push_back(std::move(d));
    return std::optional<SourceFile>();
  }

  const std::vector<SourceFile>& tops_;
  size_t next_top_ = 0;
  std::vector<Dir> stack_;
};

// The sources as given, with their names under data/; checked before
// anything is written: each exists, is a regular file or a directory, and
// the names are distinct. What is inside the directories is checked while
// packing (SourceWalker).
Result<std::vector<SourceFile>> CheckSources(const std::vector<std::string>& sources) {
  if (sources.empty()) return InvalidArgumentError("nothing to pack: give at least one file or directory");
  std::vector<SourceFile> tops;
  std::set<std::string> names;
  for (const std::string& s : sources) {
    CUSTODY_ASSIGN_OR_RETURN(std::string top, TopLevelName(s));
    if (!names.insert(top).second) {
      return InvalidArgumentError("two sources are both named \"" + top + "\" inside the package; rename one");
    }
    std::string disk = s;
    while (disk.size() > 1 && disk.back() == '/') disk.pop_back();
    if (Status v = ValidateRelativePath(top, false); !v.ok()) {
      return InvalidArgumentError("cannot pack " + disk + ": " + v.message());
    }
    struct stat st {};
    if (::lstat(disk.c_str(), &st) != 0) return posix::ErrnoStatus("stat", disk, errno);
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
      return InvalidArgumentError(disk + " is " + KindOf(st.st_mode) +
                                  "; packages carry only regular files (copy the target in its place)");
    }
    tops.push_back({std::move(disk), std::move(top)});
  }
  return tops;
}

// Counts the bytes that reach the file.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    CUSTODY_RETURN_IF_ERROR(next_->Write(data));
    count_ += data.size();
    return Status::Ok();
  }
  uint64_t count() const { return count_; }

 private:
  ByteSink* next_;
  uint64_t count_ = 0;
};

// Reads the source files on a thread of its own, ahead of the tar. Why: on
// a tree of small files the calling thread spent most of its time in
// open/read/close and SHA-256, with the tar and the encryption waiting on
// it; now reading has this thread, hashing and tar the caller's, and
// sealing and writing the age encryptor's workers (crypto/age_format.h),
// which the caller joins when it would wait. Files travel in batches of up to 1 MiB
// (many small files per batch, a large file in 1 MiB pieces), at most
// kDepth batches queued, so memory stays bounded whatever the input.
class SourceReader {
 public:
  struct Piece {
    bool begin = false, end = false;
    PackageFile file;              // begin: path, size, mode, mtime (hashed by the consumer).
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

  explicit SourceReader(const std::vector<SourceFile>& tops) : walker_(tops) {
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
  ~SourceReader() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  SourceReader(const SourceReader&) = delete;
  SourceReader& operator=(const SourceReader&) = delete;

  // The next batch in order, or nothing after the last.
  std::optional<Batch> Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (queue_.empty()) return std::nullopt;
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return b;
  }
  // Hands a consumed batch's buffers back for reuse.
  void Recycle(Batch b) {
    b.used = 0;
    b.pieces.clear();
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
  }

 private:
  static constexpr size_t kBatchBytes = 1 << 20;
  static constexpr size_t kDepth = 3;
  // A batch of 4 KiB files holds 256 files of 3 pieces (begin, data, end).
  static constexpr size_t kPiecesPerBatch = 1024;

  Batch Fresh() {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      Batch b = std::move(free_.back());
      free_.pop_back();
      return b;
    }
    Batch b;
    b.bytes.reset(new char[kBatchBytes]);
    return b;
  }
  // False when the consumer has gone.
  bool Push(Batch& b) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return queue_.size() < kDepth || stop_; });
    if (stop_) return false;
    queue_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  void Run() {
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
  bool stopped() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  // One source file into the batches, hashed. The size comes from fstat of
  // the opened file; a file that changes while it is read is refused (the
  // manifest would otherwise not describe what was sent).
  Status ReadOne(const SourceFile& src, Batch& b) {
    // O_NONBLOCK: a name swapped for a FIFO since the walk must not hang the open.
    int fd = posix::RetryOnEintr(
        [&] { return ::open(src.disk_path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC); });
    if (fd < 0) return posix::ErrnoStatus("open", src.disk_path, errno);
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat before {};
    if (::fstat(fd, &before) != 0) return posix::ErrnoStatus("stat", src.disk_path, errno);
    if (!S_ISREG(before.st_mode)) return InvalidArgumentError(src.disk_path + " is not a regular file");
    Piece begin;
    begin.begin = true;
    begin.file.path = src.member_path;
    begin.file.size = static_cast<uint64_t>(before.st_size);
    begin.file.mode = before.st_mode & 0777;
    begin.file.mtime = before.st_mtim.tv_sec;
    if (begin.file.size > 64 * 1024) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    b.pieces.push_back(std::move(begin));
    uint64_t left = static_cast<uint64_t>(before.st_size);
    bool end_seen = false;  // A read came back short after the last byte.
    while (left > 0) {
      if (b.used >= kBatchBytes) {
        if (!Push(b)) return CancelledError("packing stopped");
        b = Fresh();
      }
      const size_t at = b.used, room = kBatchBytes - at;
      // One byte more than is left, when it fits: the short read then shows
      // the end of the file without a read(2) of its own per file.
      const size_t want = left < room ? static_cast<size_t>(left) + 1 : room;
      ssize_t n = posix::RetryOnEintr([&] { return ::read(fd, b.bytes.get() + at, want); });
      if (n < 0) return posix::ErrnoStatus("read", src.disk_path, errno);
      if (n == 0) {
        return FailedPreconditionError(src.disk_path +
                                       " shrank while it was being packed; stop what is writing it and try again");
      }
      if (static_cast<uint64_t>(n) > left) return ChangedWhileRead(src);  // It grew.
      b.used = at + static_cast<size_t>(n);
      Piece data;
      data.offset = at;
      data.length = static_cast<size_t>(n);
      b.pieces.push_back(std::move(data));
      left -= static_cast<uint64_t>(n);
      end_seen = left == 0 && static_cast<size_t>(n) < want;
    }
    ssize_t n = 0;
    if (!end_seen) {
      char extra;
      n = posix::RetryOnEintr([&] { return ::read(fd, &extra, 1); });
    }
    struct stat after {};
    if (n != 0 || ::fstat(fd, &after) != 0 || after.st_size != before.st_size ||
        after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
      return ChangedWhileRead(src);
    }
    Piece end;
    end.end = true;
    b.pieces.push_back(std::move(end));
    return Status::Ok();
  }
  static Status ChangedWhileRead(const SourceFile& src) {
    return FailedPreconditionError(src.disk_path +
                                   " changed while it was being packed; stop what is writing it and try again");
  }

  SourceWalker walker_;  // Used by the reading thread only.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::vector<Batch> free_;
  bool stop_ = false, finished_ = false;
  std::thread thread_;
};

}  // namespace

Result<WrittenTar> WritePackageTar(Station& station, const PackageInput& input, PackageManifest& manifest,
                                   TarWriter& tar) {
  SourceReader reader(input.tops);
  PackageFile current;
  WrittenTar written;
  // The manifest's file list, written as each file ends: it is the one part
  // of a package that grows with the number of files (~150 bytes each).
  crypto::SealedSpill files(input.spill_dir, *input.env, input.spill_memory_limit);
  std::string entry;
  // Hashed here, not on the reading thread: that thread is the busiest one
  // on small files (5 system calls per file), this one the least busy.
  crypto::Sha256Hasher hasher;
  while (std::optional<SourceReader::Batch> batch = reader.Next()) {
    for (SourceReader::Piece& piece : batch->pieces) {
      if (piece.begin) {
        current = std::move(piece.file);
        CUSTODY_RETURN_IF_ERROR(
            tar.BeginFile(std::string(kDataPrefix) + current.path, current.size, current.mode, current.mtime));
      }
      if (piece.length > 0) {
        const std::string_view data = std::string_view(batch->bytes.get() + piece.offset, piece.length);
        hasher.Update(data);
        CUSTODY_RETURN_IF_ERROR(tar.WriteData(data));
      }
      if (piece.end) {
        CUSTODY_RETURN_IF_ERROR(tar.EndFile());
        current.sha256 = encoding::HexEncode(crypto::DigestToString(hasher.Finish()));
        manifest.total_size += current.size;
        entry.clear();
        CUSTODY_RETURN_IF_ERROR(AppendManifestFile(current, written.file_count == 0, &entry));
        CUSTODY_RETURN_IF_ERROR(files.Append(entry));
        ++written.file_count;
      }
    }
    CUSTODY_RETURN_IF_ERROR(batch->error);
    reader.Recycle(std::move(*batch));
  }
  CUSTODY_RETURN_IF_ERROR(files.Finish());
  manifest.files.clear();
  std::string head, tail;
  CUSTODY_RETURN_IF_ERROR(AppendManifestHead(manifest, written.file_count, &head));
  CUSTODY_RETURN_IF_ERROR(AppendManifestTail(manifest, &tail));
  // custody/manifest.json is head + the file list + tail, read from the
  // spill three times: twice to sign it (with the context first), once into
  // the tar.
  ConcatSource manifest_json;
  manifest_json.Add(head).Add(files).Add(tail);
  const uint64_t manifest_size = head.size() + files.size() + tail.size();
  // Readers refuse larger manifests (a bound on what a hostile package can
  // make them allocate), so a larger one must not be written.
  if (manifest_size > kMaxManifestSize) {
    return InvalidArgumentError("too many files for one package (" + std::to_string(written.file_count) +
                                ": the manifest would exceed " + std::to_string(kMaxManifestSize >> 20) +
                                " MiB); split them into several packages");
  }
  ConcatSource signed_message;
  signed_message.Add(crypto::kPackageManifestContext).Add(manifest_json);
  CUSTODY_ASSIGN_OR_RETURN(std::string sig, station.SignSource(signed_message));
  int64_t mtime = 0;
  if (auto t = timeutil::ParseTime(manifest.created); t.ok()) mtime = *t / 1000000;
  CUSTODY_RETURN_IF_ERROR(tar.BeginFile(std::string(kManifestName), manifest_size, 0644, mtime));
  CUSTODY_RETURN_IF_ERROR(manifest_json.Rewind());
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, manifest_json.Next());
    if (piece.empty()) break;
    hasher.Update(piece);
    CUSTODY_RETURN_IF_ERROR(tar.WriteData(piece));
  }
  CUSTODY_RETURN_IF_ERROR(tar.EndFile());
  written.digest = encoding::HexEncode(crypto::DigestToString(hasher.Finish()));
  CUSTODY_RETURN_IF_ERROR(tar.BeginFile(std::string(kSignatureName), sig.size(), 0644, mtime));
  CUSTODY_RETURN_IF_ERROR(tar.WriteData(sig));
  CUSTODY_RETURN_IF_ERROR(tar.EndFile());
  CUSTODY_RETURN_IF_ERROR(tar.Close());
  return written;
}

// Output handling shared by both formats: temporary file next to the output,
// fsync, rename, fsync of the directory.
class AtomicOutput {
 public:
  static Result<std::unique_ptr<AtomicOutput>> Create(const std::string& path, bool overwrite, Env& env) {
    if (!overwrite && env.FileExists(path)) {
      return AlreadyExistsError(path + " already exists; choose another name or remove it first");
    }
    uint8_t r[8];
    CUSTODY_RETURN_IF_ERROR(env.RandomBytes(r, sizeof r));
    auto out = std::unique_ptr<AtomicOutput>(new AtomicOutput(env));
    out->path_ = path;
    out->temp_ = path + ".tmp-" + encoding::HexEncode(std::string_view(reinterpret_cast<char*>(r), sizeof r));
    CUSTODY_ASSIGN_OR_RETURN(out->file_, env.NewWritableFile(out->temp_, 0600));
    out->sink_ = std::make_unique<WritableFileSink>(out->file_.get());
    out->counting_ = std::make_unique<CountingSink>(out->sink_.get());
    return out;
  }
  ~AtomicOutput() {
    if (!committed_) {
      if (file_) file_->Close().IgnoreError();
      env_.RemoveFile(temp_).IgnoreError();
    }
  }
  ByteSink* sink() { return counting_.get(); }
  uint64_t size() const { return counting_->count(); }
  const std::string& temp_path() const { return temp_; }
  // Makes the temporary file durable and closes it.
  Status Finish() {
    CUSTODY_RETURN_IF_ERROR(file_->Sync());
    Status closed = file_->Close();
    file_.reset();
    return closed;
  }
  Status Commit() {
    if (file_) CUSTODY_RETURN_IF_ERROR(Finish());
    CUSTODY_RETURN_IF_ERROR(env_.RenameFile(temp_, path_));
    committed_ = true;
    std::string dir = std::filesystem::path(path_).parent_path().string();
    return env_.SyncDir(dir.empty() ? "." : dir);
  }

 private:
  explicit AtomicOutput(Env& env) : env_(env) {}
  Env& env_;
  std::string path_, temp_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<WritableFileSink> sink_;
  std::unique_ptr<CountingSink> counting_;
  bool committed_ = false;
};

// An age encryptor as a ByteSink.
class AgeSink final : public ByteSink {
 public:
  explicit AgeSink(age::AgeEncryptor* enc) : enc_(enc) {}
  Status Write(std::string_view data) override { return enc_->Write(data); }

 private:
  age::AgeEncryptor* enc_;
};

}  // namespace package

Result<CreatedPackage> CreatePackage(Station& station, const CreatePackageOptions& options, Env* env) {
  using namespace package;
  if (env == nullptr) env = Env::Default();
  if (options.output_path.empty()) return InvalidArgumentError("no output file: give -o FILE");
  if (options.format == PackageFormat::kZip) {
    if (!options.recipients.empty() || options.passphrase) {
      return InvalidArgumentError("a zip package takes no recipients and no passphrase: custody generates its "
                                  "password (zip's key derivation is too weak for a chosen one)");
    }
  } else if (options.recipients.empty() == !options.passphrase.has_value()) {
    return InvalidArgumentError("give either recipients (--to age1...) or a passphrase, not both and not neither");
  }
  if (options.recipient_organization.empty()) return InvalidArgumentError("--recipient-org is required");
  if (options.purpose.empty()) return InvalidArgumentError("--purpose is required");
  if (options.classification.empty()) return InvalidArgumentError("--classification is required");
  if (options.format == PackageFormat::kZip && options.armor) {
    return InvalidArgumentError("--armor applies to age packages only");
  }

  CUSTODY_ASSIGN_OR_RETURN(std::string operator_name, station.ResolveOperator(options.operator_name));
  PackageManifest manifest;
  manifest.format = std::string(kPackageFormatV1);
  manifest.package_id = NewPackageId(*env);
  if (manifest.package_id.empty()) return IoError("cannot read random bytes for the package ID");
  manifest.created = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  manifest.sender_organization = station.config().organization;
  manifest.sender_station = station.config().station_name;
  manifest.sender_verifier_key = station.config().verifier_key;
  manifest.recipient_organization = options.recipient_organization;
  manifest.purpose = options.purpose;
  manifest.classification = options.classification;

  std::vector<age::X25519Recipient> x25519;
  std::vector<const age::RecipientStanzaWrapper*> wrappers;
  std::optional<age::ScryptRecipient> scrypt;
  std::set<std::string> seen_recipients;
  for (const std::string& r : options.recipients) {
    auto parsed = age::X25519Recipient::Parse(r);
    if (!parsed.ok()) {
      return InvalidArgumentError("\"" + r + "\" is not an age recipient (expected age1... from `custody key export-public` or age-keygen)");
    }
    std::string canonical = parsed->ToString();
    if (!seen_recipients.insert(canonical).second) continue;
    x25519.push_back(std::move(*parsed));
    manifest.recipients.push_back({"X25519", canonical, package::ShortFingerprint(canonical)});
  }
  for (const auto& r : x25519) wrappers.push_back(&r);
  GeneratedZipPassword zip_password;
  std::string password_id;
  if (options.format == PackageFormat::kZip) {
    CUSTODY_ASSIGN_OR_RETURN(zip_password, GenerateZipPassword(*env));
    manifest.recipients.push_back({"passphrase", "", ""});
  } else if (options.passphrase) {
    // The same floor as `custody password check` and the keystore: a package
    // travels, so a weak passphrase can be attacked offline at leisure.
    CUSTODY_RETURN_IF_ERROR(CheckPassphraseStrength(*options.passphrase));
    if (options.password_id.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(password_id, NewPasswordId(*env));
    } else if (!ValidPasswordId(options.password_id)) {
      return InvalidArgumentError("\"" + options.password_id +
                                  "\" is not a password ID (pw- and 16 symbols, as custody password generate prints)");
    } else {
      password_id = options.password_id;
    }
    CUSTODY_ASSIGN_OR_RETURN(scrypt, age::ScryptRecipient::Create(options.passphrase->Clone(),
                                                                  options.scrypt_log2_work_factor));
    wrappers.push_back(&*scrypt);
    manifest.recipients.push_back({"passphrase", "", ""});
  }

  PackageInput input;
  CUSTODY_ASSIGN_OR_RETURN(input.tops, CheckSources(options.sources));
  input.env = env;
  input.spill_dir = std::filesystem::path(options.output_path).parent_path().string();
  if (input.spill_dir.empty()) input.spill_dir = ".";
  input.spill_memory_limit = options.manifest_memory_limit;
  CUSTODY_ASSIGN_OR_RETURN(auto out, AtomicOutput::Create(options.output_path, options.overwrite, *env));

  WrittenTar written;
  if (options.format == PackageFormat::kAge) {
    age::EncryptOptions eo;
    eo.armor = options.armor ? age::Armor::kArmored : age::Armor::kBinary;
    eo.env = env;
    CUSTODY_ASSIGN_OR_RETURN(auto enc, age::AgeEncryptor::Create(wrappers, out->sink(), eo));
    AgeSink age_sink(enc.get());
    // The encryptor seals and writes on its worker threads
    // (crypto/age_format.h); reading has its own (SourceReader), tar and
    // hashing run on this one.
    CUSTODY_ASSIGN_OR_RETURN(auto tar, TarWriter::Create(&age_sink));
    CUSTODY_ASSIGN_OR_RETURN(written, WritePackageTar(station, input, manifest, *tar));
    CUSTODY_RETURN_IF_ERROR(enc->Finish());
  } else {
    CUSTODY_ASSIGN_OR_RETURN(written, WriteZipPackage(station, input, manifest, zip_password.password, out->sink()));
    // libarchive's zip writer has reported success for archives it failed
    // to finish: read the whole file back, decrypt and verify it before it
    // takes the output's name.
    CUSTODY_RETURN_IF_ERROR(out->Finish());
    PackageKeys keys;
    const SecretString* pass = &zip_password.password;
    keys.passphrase = [pass]() { return Result<SecretString>(pass->Clone()); };
    VerifyPackageOptions vo;
    vo.expected_sender_key = station.config().verifier_key;
    auto check = VerifyPackage(out->temp_path(), keys, vo);
    if (!check.ok()) return check.status().WithContext("the zip package failed its read-back check");
    if (check->digest != written.digest) return InternalError("the zip package read back a different manifest");
  }
  uint64_t size = out->size();
  CUSTODY_RETURN_IF_ERROR(out->Commit());

  CreatedPackage created;
  created.digest = written.digest;
  created.file_count = written.file_count;
  created.output_path = options.output_path;
  created.package_size = size;
  nlohmann::json keys = nlohmann::json::array();
  for (const PackageRecipient& r : manifest.recipients) {
    if (r.type == "passphrase") {
      keys.push_back({{"type", "passphrase"}});
    } else {
      keys.push_back({{"type", r.type}, {"fingerprint", r.fingerprint}, {"recipient", r.recipient}});
    }
  }
  nlohmann::json event = {
      {"package_id", manifest.package_id},
      {"digest", created.digest},
      {"format", options.format == PackageFormat::kAge ? (options.armor ? "age-armor" : "age") : "zip-aes256"},
      {"size", size},
      {"file_count", written.file_count},
      {"total_size", manifest.total_size},
      {"recipient_organization", manifest.recipient_organization},
      {"recipients", keys},
      {"purpose", manifest.purpose},
      {"classification", manifest.classification},
      {"file_name", std::filesystem::path(options.output_path).filename().string()},
  };
  if (!zip_password.id.empty()) password_id = zip_password.id;
  if (!password_id.empty()) event["password_id"] = password_id;
  CUSTODY_ASSIGN_OR_RETURN(std::string event_json, json::Canonicalize(event));
  auto entry = station.Record("package.created", operator_name, event_json);
  if (!entry.ok()) {
    return entry.status().WithContext("the package " + options.output_path +
                                      " was written but could not be recorded in the ledger; record it before sending");
  }
  created.ledger_seq = entry->seq;
  created.zip_password = std::move(zip_password.password);
  created.zip_password_id = zip_password.id;
  created.password_id = password_id;
  created.manifest = std::move(manifest);
  return created;
}

}  // namespace custody
