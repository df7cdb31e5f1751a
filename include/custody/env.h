// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Env: the narrow seam through which libcustody touches the operating system
// for files, the clock and randomness. Env::Default() is the real POSIX
// implementation; tests use FakeEnv (tests/support/fake_env.h) to inject EIO,
// short writes, EINTR and the loss of unsynced data at a simulated power cut.
// Block devices have their own seam (custody/block_device.h).
//
// Thread safety: Env implementations are safe for concurrent use. A
// WritableFile is used by one thread at a time.
#ifndef CUSTODY_ENV_H_
#define CUSTODY_ENV_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/status.h"

namespace custody {

class BlockDevice;
struct BlockDeviceOptions;

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` (retrying short writes and EINTR) or fails.
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fsync).
  virtual Status Sync() = 0;
  // Closes the file; further calls fail. Unsynced data may still be lost.
  virtual Status Close() = 0;
  // Appends as much of `data` as the file system accepts and returns how many
  // bytes that was: fewer than data.size() only when the file system is full
  // (ENOSPC, EDQUOT) or the file reached its maximum size (EFBIG). Short
  // writes and EINTR are retried; any other failure is an error. This is how
  // a free-space wipe fills a disk. The default implementation is Append.
  virtual Result<size_t> AppendUntilFull(std::string_view data);
  // Sets the permission bits (fchmod), whatever the umask. The default
  // implementation returns kUnsupported.
  virtual Status SetMode(uint32_t mode);
  // Sets the access and modification times to `unix_seconds` (futimens).
  // The default implementation returns kUnsupported.
  virtual Status SetModificationTime(int64_t unix_seconds);
};

// A file read at any offset: a package being verified or opened. Used by one
// thread at a time.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `out` and returns how many: fewer
  // than `n` only at the end of the file (0 at or past it). EINTR and short
  // reads are retried; any other failure is an error naming the file.
  virtual Result<size_t> ReadAt(uint64_t offset, uint8_t* out, size_t n) = 0;
  // The size when the file was opened.
  virtual uint64_t size() const = 0;
};

// An unnamed temporary file for data that outgrows memory (a sealed spill:
// src/crypto/sealed_spill.h). It has no name while it exists, so nothing is
// left to remove after a crash, and it is gone when the object is destroyed.
// Used by one thread at a time.
class ScratchFile {
 public:
  virtual ~ScratchFile() = default;
  // Writes all of `data` at `offset`, or fails (ENOSPC, EIO, ...).
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // Reads exactly `n` bytes at `offset`; fewer is an error (kCorruption:
  // the file is shorter than what was written).
  virtual Status ReadAt(uint64_t offset, uint8_t* out, size_t n) = 0;
};

// An exclusive lock on a file or directory, held from Env::TryLockFile until
// the object is destroyed. The operating system releases it too when the
// process ends, however it ends (flock(2)).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// What lstat(2) says about a path (symbolic links are not followed).
struct FileStatus {
  enum class Type { kRegular, kDirectory, kSymlink, kOther };
  Type type = Type::kOther;
  uint64_t size = 0;
  uint64_t block_size = 4096;  // st_blksize: the allocation granularity.
  uint64_t links = 1;          // st_nlink
  uint64_t device = 0;         // st_dev: equal for paths on one file system.
  uint64_t inode = 0;          // st_ino: with `device`, which file or directory it is.
  uint32_t mode = 0;           // st_mode: the file type and permission bits.
  // st_mtim as it is: seconds since the Unix epoch (any the file system
  // allows, past 2262 too) and nanoseconds within that second (0-999999999).
  int64_t mtime_sec = 0;
  int32_t mtime_nsec = 0;
};

// A file read once from its start to its end: a source being packed. Used
// by one thread at a time.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into `out` and returns how many; 0 at the end of
  // the file. EINTR is retried; any other failure is an error naming the
  // file.
  virtual Result<size_t> Read(uint8_t* out, size_t n) = 0;
  // fstat(2) of what was opened (not of the name, which may have been
  // replaced since).
  virtual Result<FileStatus> Stat() = 0;
};

// One name in a directory, with its type when the directory says it
// (d_type); nullopt where the file system does not.
struct DirectoryEntry {
  std::string name;
  std::optional<FileStatus::Type> type;
};

// A byte range of a file that holds data (not a hole).
struct FileExtent {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// What statvfs(2) says about the space of a file system.
struct FileSystemSpace {
  uint64_t free_bytes = 0;       // f_bfree * f_frsize: every free block, root's reserve included.
  uint64_t available_bytes = 0;  // f_bavail * f_frsize: what a process without privilege may use.
  uint64_t block_size = 0;       // f_frsize
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide real environment. Never null; not owned by the caller.
  static Env* Default();

  // Reads a whole file. kNotFound if it does not exist.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Creates or truncates `path` with permission bits `mode` (umask applies
  // only to widen nothing: the mode is set explicitly after open).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, uint32_t mode) = 0;
  // Opens an EXISTING regular file for writing from offset 0 without
  // truncating it, so that Append replaces its bytes in place: how a key file
  // is overwritten before it is unlinked (custody key destroy, crypto-erase).
  // Best effort by nature: journaling, copy-on-write file systems and flash
  // translation layers may keep the old blocks elsewhere. kNotFound if the
  // file does not exist; symbolic links are refused. The default
  // implementation returns kUnsupported.
  virtual Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path);
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates one directory with `mode` and makes its entry durable (syncs
  // its parent); OK if it exists as a directory (or as a symbolic link to
  // one: the link is followed).
  virtual Status CreateDir(const std::string& path, uint32_t mode) = 0;
  // fsync on a directory, so that a rename or create inside it is durable.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Permission bits (st_mode & 07777) of a file or directory, for checks of
  // the secret-handling contract (keys 0600, stations 0700). kNotFound if
  // missing; kUnsupported where the environment has no such notion.
  virtual Result<uint32_t> GetFileMode(const std::string& path);
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Opens an existing regular file for reading (symbolic links are
  // followed, as a file named on a command line is). kNotFound if it does
  // not exist; kInvalidArgument if it is not a regular file. The default
  // implementation returns kUnsupported.
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path);
  // Opens `path` for reading without following a symbolic link in its last
  // component (an error naming it) and without blocking, whatever the file
  // is (a FIFO swapped in since it was listed must not hang the caller):
  // check Stat() before reading. kNotFound if it does not exist. The
  // default implementation returns kUnsupported.
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path);
  // The entries of a directory but "." and "..", in no particular order.
  // The default implementation lists ListDir's names without types.
  virtual Result<std::vector<DirectoryEntry>> ListDirEntries(const std::string& path);
  // Creates an unnamed temporary file (mode 0600) in the directory `dir`.
  // The default implementation returns kUnsupported.
  virtual Result<std::unique_ptr<ScratchFile>> NewScratchFile(const std::string& dir);

  // ---- For extracting packages (custody/package.h OpenPackage). Each
  // default implementation returns kUnsupported, except ForEachDirEntry's.
  // Creates `path`, which must not exist (kAlreadyExists if anything is
  // there, a symbolic link included: O_EXCL; kNotFound if its directory does
  // not exist), with the permission bits `mode` less the umask, as open(2)
  // does (WritableFile::SetMode sets them exactly).
  virtual Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path, uint32_t mode);
  // The file-creation mask (umask) that NewExclusiveFile applies, read
  // without changing it.
  virtual Result<uint32_t> CreationMask();
  // Creates the directory `path` with exactly `mode`, which must not exist
  // (kAlreadyExists if anything is there, a symbolic link included). Its
  // entry is not synced (see SyncDir, SyncFileSystem).
  virtual Status CreateNewDir(const std::string& path, uint32_t mode);
  // Creates a new directory `parent/prefix` + six random characters, mode
  // 0700 (mkdtemp), and returns its path.
  virtual Result<std::string> CreateUniqueDir(const std::string& parent, const std::string& prefix);
  // Renames a file or directory unless `to` exists (kAlreadyExists:
  // renameat2 RENAME_NOREPLACE); kNotFound if `from` does not exist.
  virtual Status RenameNoReplace(const std::string& from, const std::string& to);
  // Calls `fn` with the name of each entry of `dir` but "." and "..", while
  // reading the directory (no list of the names is held: a directory may
  // have any number of them). Stops at the first error `fn` returns. As
  // with readdir(3), an entry renamed or created meanwhile may be seen
  // twice or not at all. The default implementation lists ListDir's names
  // (and so holds them).
  virtual Status ForEachDirEntry(const std::string& dir, const std::function<Status(const std::string&)>& fn);
  // Removes `path` and, if it is a directory, everything under it; symbolic
  // links are removed, never followed. OK if `path` does not exist.
  virtual Status RemoveTree(const std::string& path);
  // Makes everything written to the file system that holds `path` durable
  // (syncfs(2): one call instead of a sync per extracted file).
  virtual Status SyncFileSystem(const std::string& path);

  // ---- For wiping files and free space (custody/wipe.h). Each default
  // implementation returns kUnsupported.
  // lstat(2). kNotFound if the path does not exist.
  virtual Result<FileStatus> StatNoFollow(const std::string& path);
  // stat(2): a symbolic link is followed (as a directory named on a command
  // line is). kNotFound if the path, or the end of its link, does not exist.
  virtual Result<FileStatus> Stat(const std::string& path);
  // The data extents of a regular file (SEEK_DATA/SEEK_HOLE), sorted; one
  // extent covering the whole file where the file system cannot tell holes.
  virtual Result<std::vector<FileExtent>> DataExtents(const std::string& path);
  // Opens a block device or a regular file for whole-range I/O through the
  // erase engine (custody/block_device.h OpenBlockDevice in the real Env).
  virtual Result<std::unique_ptr<BlockDevice>> OpenBlockDevice(const std::string& path,
                                                               const BlockDeviceOptions& options);
  // Truncates an existing regular file (never through a symlink) to `size`
  // and makes that durable (fsync).
  virtual Status TruncateFile(const std::string& path, uint64_t size);
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& path);
  // statvfs(2) of the file system that holds `path`.
  virtual Result<FileSystemSpace> StatFileSystem(const std::string& path);
  // Takes an exclusive advisory lock (flock(2)) on the existing file or
  // directory `path` without waiting; nothing is created or written (it
  // works on a full file system). kBusy while another holder has it (another
  // process, or another lock object of this one); then `*holder_pid` (when
  // not null) is the holder's process id (from /proc/locks), 0 if unknown.
  // kUnsupported where the file system (or this Env) cannot lock it.
  virtual Result<std::unique_ptr<FileLock>> TryLockFile(const std::string& path,
                                                        int64_t* holder_pid);

  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowUnixMicros() = 0;
  // Fills `out` with `n` bytes from the OS CSPRNG (getrandom). Never a
  // non-cryptographic generator: these bytes become keys and nonces.
  virtual Status RandomBytes(uint8_t* out, size_t n) = 0;

  // Writes `data` to `path` so that a crash leaves either the old file or the
  // complete new one, never a partial file: write a temporary file in the same
  // directory, fsync it, rename over `path`, fsync the directory.
  Status WriteFileAtomically(const std::string& path, std::string_view data,
                             uint32_t mode);
};

}  // namespace custody

#endif  // CUSTODY_ENV_H_
