// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// FakeEnv: an in-memory Env for tests. It keeps, for every file, the bytes
// written and the bytes made durable by Sync, so SimulatePowerLoss() can drop
// what was never synced (including renames and creates whose directory was
// not synced). Faults are injected per operation.
#ifndef CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_
#define CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "custody/block_device.h"
#include "custody/env.h"

namespace custody::testing {

// Not final: a test may override one operation to stage what another process
// does at that moment (a race).
class FakeEnv : public Env {
 public:
  enum class Op { kAppend, kSync, kRename, kCreate, kRead, kMkdir, kAttributes };

  // The next `count` calls of `op` fail with an I/O error, after `after`
  // more calls of `op` have succeeded. kAppend covers every write (Append,
  // AppendUntilFull, and each write attempt through OpenBlockDevice); kSync
  // every file and directory sync, SyncFileSystem and a BlockDevice's
  // Flush; kRead reads; kCreate file creations and opens; kMkdir
  // CreateDir and CreateUniqueDir; kAttributes a file's SetMode and
  // SetModificationTime.
  void FailNext(Op op, int count = 1, int after = 0);
  // Cancels every pending injected failure (those FailNext set up that the
  // code under test did not reach).
  void ClearFailures();
  // Appends write at most `max_bytes` before failing with EIO (a short write
  // that the Env reports as an error, as a full disk does).
  void SetShortWriteLimit(size_t max_bytes) { short_write_limit_ = max_bytes; }
  // Drops every unsynced write, and every create/rename whose directory was
  // not synced afterwards: a directory made by CreateNewDir or
  // CreateUniqueDir, or renamed, goes with everything in it (CreateDir's
  // are durable at once, as the real one syncs its parent; that sync is not
  // a fault point here).
  void SimulatePowerLoss();
  // Power is lost between the writes and the next file sync (after `after`
  // more syncs have worked) and the drive comes back: every unsynced write
  // is dropped (files keep their durable bytes), and that sync then reports
  // success, as a drive whose volatile cache was lost does. Only a read-back
  // can notice.
  void LoseUnsyncedDataAtSync(int after = 0) { lose_at_sync_ = after; }
  // The next `count` write attempts on a file opened with OpenBlockDevice
  // fail with EINTR (BlockDevice::WriteAt must retry them).
  void InjectEintr(int count) { eintr_ = count; }
  // Writes through OpenBlockDevice move at most `bytes` per attempt and
  // report the short count without an error (BlockDevice::WriteAt must
  // write the rest).
  void SetMaxTransfer(size_t bytes) { max_transfer_ = bytes; }
  // The "disk" holds at most `bytes` of file data in all: appends past it
  // stop short with ENOSPC ("No space left on device").
  void SetCapacity(uint64_t bytes) { capacity_ = bytes; }
  // Once the capacity is used up, creating a file fails as a real file
  // system with no block left for it does: errno ENOSPC in the Status
  // (os_error), with `text` as the error's wording (e.g. glibc's Japanese
  // strerror under a Japanese LC_MESSAGES).
  void FailCreateWhenFull(std::string text) { full_create_text_ = std::move(text); }
  // A write that does not fit whole fails whole (ENOSPC, nothing written),
  // as ext4 answers a large write when less space is free, instead of
  // writing what fits.
  void SetAllOrNothingWrites(bool on) { all_or_nothing_writes_ = on; }
  // `bytes` of the capacity are held back from every write (as ext4 holds
  // back its reserved clusters even from root), yet StatFileSystem counts
  // them free. With `control` set, the amount held back is instead the
  // number in the file `control` times `unit` (ext4's
  // /sys/fs/ext4/DEV/reserved_clusters), so writing 0 there frees it.
  // Files under /sys take no capacity.
  void SetHeldBack(uint64_t bytes, std::string control = "", uint64_t unit = 0) {
    held_back_ = bytes;
    held_back_control_ = std::move(control);
    held_back_unit_ = unit;
  }
  void SetNowUnixMicros(int64_t t) { now_ = t; }
  // The umask NewExclusiveFile applies (022 unless set).
  void SetCreationMask(uint32_t mask) { umask_ = mask; }
  // The process id of the locks TryLockFile takes (1000 unless set): a test
  // plays a second process by changing it.
  void SetProcessId(int64_t pid) { pid_ = pid; }
  // Whether a lock from TryLockFile holds `path` now.
  bool IsLocked(const std::string& path);
  // Deterministic "random" bytes for reproducible tests.
  void SetDeterministicRandom(uint8_t seed) { random_seed_ = seed; deterministic_ = true; }

  // Env:
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& path, uint32_t mode) override;
  Status SyncDir(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  // With their types (regular file or directory), as d_type gives them.
  Result<std::vector<DirectoryEntry>> ListDirEntries(const std::string& path) override;
  // Regular files and directories; reads what the process sees in the
  // file at each Read (a test can change it in between).
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  // Reads what the process sees in the file at each ReadAt.
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  // In memory (like files here, in any directory).
  Result<std::unique_ptr<ScratchFile>> NewScratchFile(const std::string& dir) override;
  // The parent directory must exist (kNotFound otherwise), as on a real
  // file system.
  Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path, uint32_t mode) override;
  Result<uint32_t> CreationMask() override;
  Status CreateNewDir(const std::string& path, uint32_t mode) override;
  Result<std::string> CreateUniqueDir(const std::string& parent, const std::string& prefix) override;
  Status RenameNoReplace(const std::string& from, const std::string& to) override;
  Status RemoveTree(const std::string& path) override;
  // Makes every file's data and every directory entry durable (the fake
  // has one file system).
  Status SyncFileSystem(const std::string& path) override;
  Result<FileStatus> StatNoFollow(const std::string& path) override;
  // The fake has no symbolic links: the same as StatNoFollow.
  Result<FileStatus> Stat(const std::string& path) override;
  Result<std::vector<FileExtent>> DataExtents(const std::string& path) override;
  // A regular file as a BlockDevice (512-byte sectors, size st_size or
  // options.file_size); writes and reads go to what the process sees, Flush
  // makes them durable.
  Result<std::unique_ptr<BlockDevice>> OpenBlockDevice(const std::string& path,
                                                       const BlockDeviceOptions& options) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status RemoveDir(const std::string& path) override;
  // Free: the capacity less the data of every file (0 when no capacity is
  // set: 1 TiB); nothing is reserved for root; 512-byte blocks.
  Result<FileSystemSpace> StatFileSystem(const std::string& path) override;
  // In memory; `path` must exist (a file or a directory). The holder's
  // process id is the one SetProcessId set when it took the lock.
  Result<std::unique_ptr<FileLock>> TryLockFile(const std::string& path,
                                                int64_t* holder_pid) override;
  int64_t NowUnixMicros() override;
  Status RandomBytes(uint8_t* out, size_t n) override;

  uint32_t ModeOf(const std::string& path);
  // What the process sees in a file now, and what survives a power loss.
  std::string Contents(const std::string& path);
  std::string DurableContents(const std::string& path);
  // Every file and directory at or under `dir` (full paths, sorted).
  std::vector<std::string> ListTree(const std::string& dir);
  int64_t MtimeOf(const std::string& path);  // Nanoseconds.
  // Sets a file's modification time (nanoseconds since the epoch).
  void SetMtime(const std::string& path, int64_t mtime_ns);
  // The bytes a file held when it was last removed ("" if never removed):
  // lets a test check that a key was overwritten before it was unlinked.
  std::string ContentWhenRemoved(const std::string& path);
  // Scratch files that exist now, and bytes written to them all in all.
  int live_scratch_files();
  uint64_t scratch_bytes_written();

 private:
  friend class FakeWritableFile;
  friend class FakeFileBlockDevice;
  friend class FakeRandomAccessFile;
  friend class FakeSequentialFile;
  friend class FakeScratchFile;
  friend class FakeFileLock;
  Status SetFileMode(const std::string& path, uint32_t mode);
  Status SetFileMtime(const std::string& path, int64_t unix_seconds);
  Status RenameLocked(const std::string& from, const std::string& to);  // Requires mu_.
  struct File {
    std::string data;     // As the process sees it.
    std::string durable;  // As it would be after a power loss.
    bool durable_exists = false;
    uint32_t mode = 0;
    int64_t mtime_ns = 0;
  };
  FileStatus StatusOf(const File& f) const;
  bool ShouldFail(Op op);  // Requires mu_.
  std::string full_create_text_;
  bool all_or_nothing_writes_ = false;
  Status AppendTo(const std::string& path, std::string_view data);
  Status SyncFile(const std::string& path);
  Status OverwriteAt(const std::string& path, size_t offset, std::string_view data);
  Result<size_t> AppendUpTo(const std::string& path, std::string_view data);
  IoAttempt BlockWrite(const std::string& path, uint64_t offset, const void* data, size_t n);
  IoAttempt BlockRead(const std::string& path, uint64_t offset, void* data, size_t n);
  uint64_t UsedBytes() const;  // Requires mu_.
  uint64_t HeldBack() const;   // Requires mu_.
  uint64_t held_back_ = 0;
  std::string held_back_control_;
  uint64_t held_back_unit_ = 0;

  std::mutex mu_;
  std::map<std::string, File> files_;
  // Directory entries as durable on "disk": path -> durable content snapshot.
  std::map<std::string, bool> pending_dir_ops_;  // path -> exists after sync
  std::set<std::string> dirs_;
  // The root always exists; other directories when made. Caller holds mu_.
  bool IsDirLocked(const std::string& path) const {
    return path == "/" || dirs_.count(path) > 0;
  }
  std::map<std::string, std::string> removed_content_;
  std::map<std::string, int64_t> locks_;  // Path -> the holder's process id.
  int64_t pid_ = 1000;
  std::map<Op, int> failures_;
  std::map<Op, int> failures_after_;
  size_t short_write_limit_ = SIZE_MAX;
  int lose_at_sync_ = -1;
  int eintr_ = 0;
  size_t max_transfer_ = SIZE_MAX;
  uint64_t capacity_ = UINT64_MAX;
  uint32_t umask_ = 022;
  uint64_t unique_dirs_ = 0;
  int64_t now_ = 1'700'000'000'000'000;
  bool deterministic_ = false;
  uint8_t random_seed_ = 0;
  int live_scratch_files_ = 0;
  uint64_t scratch_bytes_written_ = 0;
};

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_
