// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "support/fake_env.h"

#include "common/path.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include <sys/stat.h>

namespace custody::testing {

class FakeWritableFile final : public WritableFile {
 public:
  FakeWritableFile(FakeEnv* env, std::string path, bool overwrite = false)
      : env_(env), path_(std::move(path)), overwrite_(overwrite) {}
  Status Append(std::string_view data) override {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    if (overwrite_) {
      Status s = env_->OverwriteAt(path_, offset_, data);
      if (s.ok()) offset_ += data.size();
      return s;
    }
    return env_->AppendTo(path_, data);
  }
  Result<size_t> AppendUntilFull(std::string_view data) override {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    if (overwrite_) return WritableFile::AppendUntilFull(data);
    return env_->AppendUpTo(path_, data);
  }
  Status Sync() override {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    return env_->SyncFile(path_);
  }
  Status SetMode(uint32_t mode) override {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    return env_->SetFileMode(path_, mode);
  }
  Status SetModificationTime(int64_t unix_seconds) override {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    return env_->SetFileMtime(path_, unix_seconds);
  }
  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }

 private:
  FakeEnv* env_;
  std::string path_;
  bool overwrite_ = false;
  size_t offset_ = 0;
  bool closed_ = false;
};

class FakeSequentialFile final : public SequentialFile {
 public:
  FakeSequentialFile(FakeEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  Result<size_t> Read(uint8_t* out, size_t n) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (env_->ShouldFail(FakeEnv::Op::kRead)) return IoError("read " + path_ + ": injected EIO");
    auto it = env_->files_.find(path_);
    if (it == env_->files_.end()) return IoError("read " + path_ + ": the file is gone");
    const std::string& d = it->second.data;
    if (position_ >= d.size()) return size_t{0};
    const size_t take = std::min<size_t>(n, d.size() - position_);
    std::memcpy(out, d.data() + position_, take);
    position_ += take;
    return take;
  }
  Result<FileStatus> Stat() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (env_->IsDirLocked(path_)) {
      FileStatus st;
      st.type = FileStatus::Type::kDirectory;
      st.mode = S_IFDIR | 0700;
      return st;
    }
    auto it = env_->files_.find(path_);
    if (it == env_->files_.end()) return IoError("stat " + path_ + ": the file is gone");
    return env_->StatusOf(it->second);
  }

 private:
  FakeEnv* env_;
  std::string path_;
  size_t position_ = 0;
};

class FakeRandomAccessFile final : public RandomAccessFile {
 public:
  FakeRandomAccessFile(FakeEnv* env, std::string path, uint64_t size)
      : env_(env), path_(std::move(path)), size_(size) {}
  Result<size_t> ReadAt(uint64_t offset, uint8_t* out, size_t n) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (env_->ShouldFail(FakeEnv::Op::kRead)) return IoError("read " + path_ + ": injected EIO");
    auto it = env_->files_.find(path_);
    if (it == env_->files_.end()) return IoError("read " + path_ + ": the file is gone");
    const std::string& d = it->second.data;
    if (offset >= d.size()) return size_t{0};
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n, d.size() - offset));
    std::memcpy(out, d.data() + offset, take);
    return take;
  }
  uint64_t size() const override { return size_; }

 private:
  FakeEnv* env_;
  std::string path_;
  uint64_t size_;
};

class FakeScratchFile final : public ScratchFile {
 public:
  FakeScratchFile(FakeEnv* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  ~FakeScratchFile() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    --env_->live_scratch_files_;
  }
  Status WriteAt(uint64_t offset, std::string_view data) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (env_->ShouldFail(FakeEnv::Op::kAppend)) return IoError("write a temporary file in " + dir_ + ": injected EIO");
    if (data_.size() < offset + data.size()) data_.resize(offset + data.size());
    data_.replace(offset, data.size(), data);
    env_->scratch_bytes_written_ += data.size();
    return Status::Ok();
  }
  Status ReadAt(uint64_t offset, uint8_t* out, size_t n) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (env_->ShouldFail(FakeEnv::Op::kRead)) return IoError("read a temporary file in " + dir_ + ": injected EIO");
    if (offset > data_.size() || data_.size() - offset < n) {
      return CorruptionError("a temporary file in " + dir_ + " is shorter than what was written to it");
    }
    std::memcpy(out, data_.data() + offset, n);
    return Status::Ok();
  }

 private:
  FakeEnv* env_;
  std::string dir_;
  std::string data_;
};

class FakeFileBlockDevice final : public BlockDevice {
 public:
  FakeFileBlockDevice(FakeEnv* env, std::string path, uint64_t size)
      : env_(env), path_(std::move(path)), size_(size) {}
  const std::string& path() const override { return path_; }
  uint64_t size() const override { return size_; }
  uint32_t logical_sector_size() const override { return 512; }
  uint32_t physical_sector_size() const override { return 4096; }
  size_t buffer_alignment() const override { return 4096; }
  bool direct_io() const override { return false; }
  bool is_regular_file() const override { return true; }
  Status Flush() override { return env_->SyncFile(path_); }

 protected:
  IoAttempt WriteOnce(uint64_t offset, const void* data, size_t n) override {
    return env_->BlockWrite(path_, offset, data, n);
  }
  IoAttempt ReadOnce(uint64_t offset, void* data, size_t n) override {
    return env_->BlockRead(path_, offset, data, n);
  }

 private:
  FakeEnv* env_;
  std::string path_;
  uint64_t size_;
};

void FakeEnv::FailNext(Op op, int count, int after) {
  std::lock_guard<std::mutex> l(mu_);
  failures_[op] += count;
  failures_after_[op] = after;
}

void FakeEnv::ClearFailures() {
  std::lock_guard<std::mutex> l(mu_);
  failures_.clear();
  failures_after_.clear();
}

bool FakeEnv::ShouldFail(Op op) {
  if (auto skip = failures_after_.find(op); skip != failures_after_.end() && skip->second > 0) {
    --skip->second;
    return false;
  }
  auto it = failures_.find(op);
  if (it == failures_.end() || it->second == 0) return false;
  --it->second;
  return true;
}

void FakeEnv::SimulatePowerLoss() {
  std::lock_guard<std::mutex> l(mu_);
  // A directory whose entry was never made durable (created or renamed
  // there, its parent not synced since) disappears with everything in it.
  for (const auto& [path, exists] : pending_dir_ops_) {
    if (!dirs_.count(path)) continue;
    const std::string prefix = path + "/";
    std::erase_if(files_, [&](const auto& f) { return f.first.starts_with(prefix); });
    std::erase_if(dirs_, [&](const std::string& d) { return d == path || d.starts_with(prefix); });
  }
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = it->second;
    // A file whose directory entry was never made durable disappears; one
    // that was keeps only its synced bytes.
    bool entry_durable = f.durable_exists && !pending_dir_ops_.count(it->first);
    auto pending = pending_dir_ops_.find(it->first);
    if (pending != pending_dir_ops_.end()) entry_durable = false;
    if (!entry_durable) {
      it = files_.erase(it);
      continue;
    }
    f.data = f.durable;
    ++it;
  }
  pending_dir_ops_.clear();
}

Result<std::string> FakeEnv::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kRead)) return IoError("read " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("open " + path + ": No such file or directory");
  return it->second.data;
}

Result<std::unique_ptr<WritableFile>> FakeEnv::NewWritableFile(const std::string& path,
                                                               uint32_t mode) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("create " + path + ": injected EIO");
  if (!full_create_text_.empty() && !path.starts_with("/sys/") &&
      UsedBytes() + HeldBack() >= capacity_) {
    return IoError("open " + path + ": " + full_create_text_).WithOsError(ENOSPC);
  }
  File& f = files_[path];
  f.data.clear();
  f.mode = mode;
  f.mtime_ns = now_ * 1000;
  pending_dir_ops_[path] = true;
  return std::unique_ptr<WritableFile>(new FakeWritableFile(this, path));
}

Status FakeEnv::AppendTo(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kAppend)) return IoError("write " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError(path);
  if (data.size() > short_write_limit_) {
    it->second.data.append(data.substr(0, short_write_limit_));
    return IoError("write " + path + ": No space left on device (injected short write)");
  }
  it->second.data.append(data);
  it->second.mtime_ns = now_ * 1000;
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FakeEnv::OpenForOverwrite(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("open " + path + ": injected EIO");
  if (!files_.count(path)) return NotFoundError("open " + path + ": No such file or directory");
  return std::unique_ptr<WritableFile>(new FakeWritableFile(this, path, /*overwrite=*/true));
}

Status FakeEnv::OverwriteAt(const std::string& path, size_t offset, std::string_view data) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kAppend)) return IoError("write " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError(path);
  std::string& d = it->second.data;
  if (d.size() < offset + data.size()) d.resize(offset + data.size());
  d.replace(offset, data.size(), data);
  return Status::Ok();
}

std::string FakeEnv::ContentWhenRemoved(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = removed_content_.find(path);
  return it == removed_content_.end() ? "" : it->second;
}

Status FakeEnv::SyncFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kSync)) return IoError("sync " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError(path);
  if (lose_at_sync_ >= 0 && lose_at_sync_-- == 0) {
    // The power cut: what was not yet durable is gone, in every file.
    for (auto& [name, f] : files_) f.data = f.durable;
  }
  it->second.durable = it->second.data;
  it->second.durable_exists = true;
  return Status::Ok();
}

Status FakeEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kRename)) return IoError("rename " + from + ": injected EIO");
  return RenameLocked(from, to);
}

Status FakeEnv::RenameNoReplace(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kRename)) return IoError("rename " + from + ": injected EIO");
  if (files_.count(to) || IsDirLocked(to)) {
    return AlreadyExistsError("rename " + from + " to " + to + ": File exists").WithOsError(EEXIST);
  }
  if (!files_.count(from) && !dirs_.count(from)) {
    return NotFoundError("rename " + from + ": No such file or directory").WithOsError(ENOENT);
  }
  return RenameLocked(from, to);
}

Status FakeEnv::RenameLocked(const std::string& from, const std::string& to) {
  if (dirs_.count(from)) {  // A directory moves with everything below it.
    const std::string prefix = from + "/";
    std::map<std::string, File> moved;
    for (auto f = files_.begin(); f != files_.end();) {
      if (f->first.starts_with(prefix)) {
        moved[to + "/" + f->first.substr(prefix.size())] = std::move(f->second);
        f = files_.erase(f);
      } else {
        ++f;
      }
    }
    files_.merge(moved);
    std::set<std::string> dirs;
    for (const std::string& d : dirs_) {
      dirs.insert(d == from ? to : d.starts_with(prefix) ? to + "/" + d.substr(prefix.size()) : d);
    }
    dirs_ = std::move(dirs);
    pending_dir_ops_[to] = true;
    pending_dir_ops_.erase(from);
    return Status::Ok();
  }
  auto it = files_.find(from);
  if (it == files_.end()) return NotFoundError("rename " + from);
  File f = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(f);
  pending_dir_ops_[to] = true;
  pending_dir_ops_.erase(from);
  return Status::Ok();
}

Status FakeEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("remove " + path);
  removed_content_[path] = it->second.data;
  files_.erase(it);
  pending_dir_ops_.erase(path);
  return Status::Ok();
}

Status FakeEnv::CreateDir(const std::string& path, uint32_t) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kMkdir)) return IoError("mkdir " + path + ": injected EIO");
  if (files_.count(path)) return AlreadyExistsError("mkdir " + path + ": File exists").WithOsError(EEXIST);
  dirs_.insert(path);  // Durable at once: the real CreateDir syncs its parent.
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FakeEnv::NewExclusiveFile(const std::string& path, uint32_t mode) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("create " + path + ": injected EIO");
  if (files_.count(path) || IsDirLocked(path)) {
    return AlreadyExistsError("create " + path + ": File exists").WithOsError(EEXIST);
  }
  if (!IsDirLocked(ParentDir(path))) return NotFoundError("create " + path + ": No such file or directory");
  File& f = files_[path];
  f.mode = mode & ~umask_;
  f.mtime_ns = now_ * 1000;
  pending_dir_ops_[path] = true;
  return std::unique_ptr<WritableFile>(new FakeWritableFile(this, path));
}

Result<uint32_t> FakeEnv::CreationMask() { return umask_; }

Status FakeEnv::CreateNewDir(const std::string& path, uint32_t) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kMkdir)) return IoError("mkdir " + path + ": injected EIO");
  if (files_.count(path) || IsDirLocked(path)) return AlreadyExistsError("mkdir " + path + ": File exists").WithOsError(EEXIST);
  if (!IsDirLocked(ParentDir(path))) return NotFoundError("mkdir " + path + ": No such file or directory");
  dirs_.insert(path);
  pending_dir_ops_[path] = true;
  return Status::Ok();
}

Result<std::string> FakeEnv::CreateUniqueDir(const std::string& parent, const std::string& prefix) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kMkdir)) return IoError("create a temporary directory in " + parent + ": injected EIO");
  if (!IsDirLocked(parent)) return NotFoundError("create a temporary directory in " + parent + ": No such file or directory");
  std::string path;
  do {
    path = parent + "/" + prefix + std::to_string(100000 + unique_dirs_++);
  } while (files_.count(path) || dirs_.count(path));
  dirs_.insert(path);
  pending_dir_ops_[path] = true;
  return path;
}

Status FakeEnv::RemoveTree(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string prefix = path + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == path || it->first.starts_with(prefix)) {
      pending_dir_ops_.erase(it->first);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(dirs_, [&](const std::string& d) { return d == path || d.starts_with(prefix); });
  return Status::Ok();
}

Status FakeEnv::SyncFileSystem(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kSync)) return IoError("sync the file system of " + path + ": injected EIO");
  for (auto& [name, f] : files_) {
    f.durable = f.data;
    f.durable_exists = true;
  }
  pending_dir_ops_.clear();
  return Status::Ok();
}

Status FakeEnv::SetFileMode(const std::string& path, uint32_t mode) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kAttributes)) return IoError("set the mode of " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("chmod " + path);
  it->second.mode = mode;
  return Status::Ok();
}

Status FakeEnv::SetFileMtime(const std::string& path, int64_t unix_seconds) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kAttributes)) return IoError("set the time of " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("futimens " + path);
  it->second.mtime_ns = unix_seconds * 1'000'000'000;
  return Status::Ok();
}

std::vector<std::string> FakeEnv::ListTree(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string prefix = dir + "/";
  std::vector<std::string> out;
  for (const auto& [name, f] : files_) {
    if (name.starts_with(prefix)) out.push_back(name);
  }
  for (const std::string& d : dirs_) {
    if (d.starts_with(prefix)) out.push_back(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t FakeEnv::MtimeOf(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? -1 : it->second.mtime_ns;
}

Status FakeEnv::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kSync)) return IoError("sync " + path + ": injected EIO");
  for (auto it = pending_dir_ops_.begin(); it != pending_dir_ops_.end();) {
    if (ParentDir(it->first) == path) {
      it = pending_dir_ops_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

bool FakeEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  return files_.count(path) > 0 || IsDirLocked(path);
}

Result<std::unique_ptr<SequentialFile>> FakeEnv::NewSequentialFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("open " + path + ": injected EIO");
  if (!files_.count(path) && !IsDirLocked(path)) return NotFoundError("open " + path + ": No such file or directory");
  return std::unique_ptr<SequentialFile>(new FakeSequentialFile(this, path));
}

FileStatus FakeEnv::StatusOf(const File& f) const {
  FileStatus st;
  st.device = 1;
  st.type = FileStatus::Type::kRegular;
  st.size = f.data.size();
  st.mode = S_IFREG | f.mode;
  // Floor division: a time before the epoch has a negative second and a
  // positive nanosecond part, as struct timespec does.
  st.mtime_sec = f.mtime_ns / 1'000'000'000;
  st.mtime_nsec = static_cast<int32_t>(f.mtime_ns % 1'000'000'000);
  if (st.mtime_nsec < 0) {
    st.mtime_sec -= 1;
    st.mtime_nsec += 1'000'000'000;
  }
  return st;
}

void FakeEnv::SetMtime(const std::string& path, int64_t mtime_ns) {
  std::lock_guard<std::mutex> l(mu_);
  files_[path].mtime_ns = mtime_ns;
}

Result<std::unique_ptr<RandomAccessFile>> FakeEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (IsDirLocked(path)) return InvalidArgumentError(path + " is not a regular file");
    return NotFoundError("open " + path + ": No such file or directory");
  }
  return std::unique_ptr<RandomAccessFile>(new FakeRandomAccessFile(this, path, it->second.data.size()));
}

Result<std::unique_ptr<ScratchFile>> FakeEnv::NewScratchFile(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("create a temporary file in " + dir + ": injected EIO");
  ++live_scratch_files_;
  return std::unique_ptr<ScratchFile>(new FakeScratchFile(this, dir));
}

int FakeEnv::live_scratch_files() {
  std::lock_guard<std::mutex> l(mu_);
  return live_scratch_files_;
}

uint64_t FakeEnv::scratch_bytes_written() {
  std::lock_guard<std::mutex> l(mu_);
  return scratch_bytes_written_;
}

Result<std::vector<std::string>> FakeEnv::ListDir(const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<DirectoryEntry> entries, ListDirEntries(path));
  std::vector<std::string> out;
  for (DirectoryEntry& e : entries) out.push_back(std::move(e.name));
  return out;
}

Result<std::vector<DirectoryEntry>> FakeEnv::ListDirEntries(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  // As opendir(3) does: a file or a missing directory is an error, not an
  // empty listing. (Files may be written into directories never made: such
  // a directory exists while something is in it.)
  if (files_.count(path)) return InvalidArgumentError("opendir " + path + ": Not a directory");
  const size_t name_at = path == "/" ? 1 : path.size() + 1;
  std::vector<DirectoryEntry> out;
  for (const auto& [name, f] : files_) {
    if (ParentDir(name) == path) out.push_back({name.substr(name_at), FileStatus::Type::kRegular});
  }
  for (const std::string& d : dirs_) {
    if (d != path && ParentDir(d) == path) out.push_back({d.substr(name_at), FileStatus::Type::kDirectory});
  }
  if (out.empty() && !IsDirLocked(path)) return NotFoundError("opendir " + path + ": No such file or directory");
  return out;
}

uint64_t FakeEnv::UsedBytes() const {
  uint64_t used = 0;
  for (const auto& [name, f] : files_) {
    if (!name.starts_with("/sys/")) used += f.data.size();
  }
  return used;
}

uint64_t FakeEnv::HeldBack() const {
  if (held_back_control_.empty()) return held_back_;
  auto it = files_.find(held_back_control_);
  if (it == files_.end()) return 0;
  return std::strtoull(it->second.data.c_str(), nullptr, 10) * held_back_unit_;
}

class FakeFileLock final : public FileLock {
 public:
  FakeFileLock(FakeEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  ~FakeFileLock() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    env_->locks_.erase(path_);
  }

 private:
  FakeEnv* env_;
  std::string path_;
};

Result<std::unique_ptr<FileLock>> FakeEnv::TryLockFile(const std::string& path,
                                                       int64_t* holder_pid) {
  std::lock_guard<std::mutex> l(mu_);
  if (holder_pid != nullptr) *holder_pid = 0;
  if (!IsDirLocked(path) && files_.count(path) == 0) {
    return NotFoundError("open " + path + ": No such file or directory");
  }
  auto held = locks_.find(path);
  if (held != locks_.end()) {
    if (holder_pid != nullptr) *holder_pid = held->second;
    return BusyError(path + " is locked by another process");
  }
  locks_[path] = pid_;
  return std::unique_ptr<FileLock>(new FakeFileLock(this, path));
}

bool FakeEnv::IsLocked(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  return locks_.count(path) > 0;
}

Result<FileSystemSpace> FakeEnv::StatFileSystem(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (!IsDirLocked(path) && files_.count(path) == 0) {
    return NotFoundError("statvfs " + path + ": No such file or directory");
  }
  const uint64_t capacity = capacity_ == UINT64_MAX ? (1ull << 40) : capacity_;
  const uint64_t used = UsedBytes();
  FileSystemSpace space;
  space.free_bytes = capacity > used ? capacity - used : 0;
  space.available_bytes = space.free_bytes;
  space.block_size = 512;
  return space;
}

Result<size_t> FakeEnv::AppendUpTo(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kAppend)) return IoError("write " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError(path);
  const uint64_t used = UsedBytes() + HeldBack();
  const uint64_t room = capacity_ > used ? capacity_ - used : 0;
  size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), room));
  if (all_or_nothing_writes_ && n < data.size()) n = 0;  // ENOSPC for the whole write.
  it->second.data.append(data.substr(0, n));
  return n;
}

IoAttempt FakeEnv::BlockWrite(const std::string& path, uint64_t offset, const void* data,
                              size_t n) {
  std::lock_guard<std::mutex> l(mu_);
  if (eintr_ > 0) {
    --eintr_;
    return {0, EINTR};
  }
  if (ShouldFail(Op::kAppend)) return {0, EIO};
  auto it = files_.find(path);
  if (it == files_.end()) return {0, ENOENT};
  n = std::min(n, max_transfer_);
  std::string& d = it->second.data;
  if (d.size() < offset + n) {
    if (offset + n - d.size() > capacity_ - std::min(capacity_, UsedBytes())) return {0, ENOSPC};
    d.resize(offset + n);
  }
  d.replace(offset, n, static_cast<const char*>(data), n);
  return {n, 0};
}

IoAttempt FakeEnv::BlockRead(const std::string& path, uint64_t offset, void* data, size_t n) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kRead)) return {0, EIO};
  auto it = files_.find(path);
  if (it == files_.end()) return {0, ENOENT};
  const std::string& d = it->second.data;
  if (offset >= d.size()) return {0, 0};  // End of file.
  n = std::min<size_t>(n, d.size() - offset);
  std::memcpy(data, d.data() + offset, n);
  return {n, 0};
}

Result<FileStatus> FakeEnv::StatNoFollow(const std::string& given) {
  // "." and ".." components resolved as the kernel does (the fake has no
  // symbolic links, so lexically), for code that walks up a tree.
  std::string path = given;
  if (path.find("/.") != std::string::npos) {
    path = std::filesystem::path(path).lexically_normal().string();
    if (path.size() > 1 && path.back() == '/') path.pop_back();
  }
  std::lock_guard<std::mutex> l(mu_);
  FileStatus st;
  st.device = 1;
  // A fake inode: the same for the same path, as long as nothing is renamed.
  st.inode = std::hash<std::string>{}(path) | 1;
  if (IsDirLocked(path)) {
    st.type = FileStatus::Type::kDirectory;
    st.mode = S_IFDIR | 0700;
    return st;
  }
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("lstat " + given + ": No such file or directory");
  FileStatus file = StatusOf(it->second);
  file.inode = st.inode;
  return file;
}

Result<FileStatus> FakeEnv::Stat(const std::string& path) { return StatNoFollow(path); }

Result<std::vector<FileExtent>> FakeEnv::DataExtents(const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(FileStatus st, StatNoFollow(path));
  if (st.size == 0) return std::vector<FileExtent>{};
  return std::vector<FileExtent>{{0, st.size}};  // Fake files have no holes.
}

Result<std::unique_ptr<BlockDevice>> FakeEnv::OpenBlockDevice(const std::string& path,
                                                              const BlockDeviceOptions& options) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kCreate)) return IoError("open " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("open " + path + ": No such file or directory");
  const uint64_t size = options.file_size ? options.file_size : it->second.data.size();
  return std::unique_ptr<BlockDevice>(new FakeFileBlockDevice(this, path, size));
}

Status FakeEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> l(mu_);
  if (ShouldFail(Op::kSync)) return IoError("truncate " + path + ": injected EIO");
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("truncate " + path + ": No such file or directory");
  it->second.data.resize(size);
  it->second.durable = it->second.data;
  return Status::Ok();
}

Status FakeEnv::RemoveDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (!dirs_.count(path)) return NotFoundError("rmdir " + path + ": No such file or directory");
  const std::string prefix = path + "/";
  for (const auto& [name, f] : files_) {
    if (name.starts_with(prefix)) return IoError("rmdir " + path + ": Directory not empty");
  }
  for (const std::string& d : dirs_) {
    if (d.starts_with(prefix)) return IoError("rmdir " + path + ": Directory not empty");
  }
  dirs_.erase(path);
  return Status::Ok();
}

std::string FakeEnv::Contents(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? "" : it->second.data;
}

std::string FakeEnv::DurableContents(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? "" : it->second.durable;
}

int64_t FakeEnv::NowUnixMicros() {
  std::lock_guard<std::mutex> l(mu_);
  return now_;
}

Status FakeEnv::RandomBytes(uint8_t* out, size_t n) {
  if (!deterministic_) return Env::Default()->RandomBytes(out, n);
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(random_seed_++ * 131 + 7);
  return Status::Ok();
}

uint32_t FakeEnv::ModeOf(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.mode;
}

}  // namespace custody::testing
