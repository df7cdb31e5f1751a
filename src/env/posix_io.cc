// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "env/posix_io.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace custody::posix {
namespace {
std::atomic<WriteFn> g_write_fn{nullptr};
}  // namespace

void SetWriteFnForTesting(WriteFn fn) { g_write_fn.store(fn); }

// strerrordesc_np, not strerror: the library's messages are English whatever
// the process's LC_MESSAGES (the interface translates around them, and logs
// and --json stay the same), and the errno itself travels in the Status
// (os_error) for callers that must tell conditions apart.
std::string ErrnoText(int err) {
  const char* text = ::strerrordesc_np(err);
  return text ? std::string(text) : "error " + std::to_string(err);
}

namespace {
StatusCode CodeForErrno(int err) {
  switch (err) {
    case ENOENT: return StatusCode::kNotFound;
    case EEXIST: return StatusCode::kAlreadyExists;
    case EACCES:
    case EPERM: return StatusCode::kPermissionDenied;
    case EBUSY: return StatusCode::kBusy;
    case EINVAL: return StatusCode::kInvalidArgument;
    default: return StatusCode::kIoError;
  }
}
}  // namespace

Status ErrnoStatus(const std::string& op, const std::string& path, int err) {
  return Status(CodeForErrno(err), op + " " + path + ": " + ErrnoText(err)).WithOsError(err);
}

Status WriteAll(int fd, const void* data, size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    WriteFn fn = g_write_fn.load();
    ssize_t w = fn ? fn(fd, p, n) : ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    if (w == 0) return IoError("write " + path + ": wrote nothing (device full?)");
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status PwriteAll(int fd, const void* data, size_t n, uint64_t offset,
                 const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    if (w == 0) return IoError("write " + path + ": wrote nothing (device full?)");
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::Ok();
}

Result<size_t> PreadUpTo(int fd, void* data, size_t n, uint64_t offset, const std::string& path) {
  char* p = static_cast<char*>(data);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (r == 0) break;  // End of file.
    done += static_cast<size_t>(r);
  }
  return done;
}

Status PreadAll(int fd, void* data, size_t n, uint64_t offset, const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(size_t got, PreadUpTo(fd, data, n, offset, path));
  if (got < n) return TruncatedError("read " + path + ": unexpected end of file");
  return Status::Ok();
}

Status FsyncFd(int fd, const std::string& path) {
  if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) return ErrnoStatus("sync", path, errno);
  return Status::Ok();
}

std::optional<unsigned> ReadUmask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) != 0) continue;
    try {
      const unsigned long v = std::stoul(line.substr(6), nullptr, 8);
      if (v <= 0777) return static_cast<unsigned>(v);
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Status ForEachDirectoryEntry(const std::string& dir,
                             const std::function<Status(const std::string& name)>& fn) {
  return ForEachTypedDirectoryEntry(dir, [&fn](const std::string& name, unsigned char) { return fn(name); });
}

Status ForEachTypedDirectoryEntry(
    const std::string& dir, const std::function<Status(const std::string& name, unsigned char d_type)>& fn) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("open directory", dir, errno);
  Status s;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") s = fn(name, e->d_type);
    if (!s.ok()) break;
    errno = 0;
  }
  if (s.ok() && errno != 0) s = ErrnoStatus("read directory", dir, errno);
  ::closedir(d);
  return s;
}

Status RenameNoReplaceWithoutRenameat2(const std::string& from, const std::string& to) {
  const std::string what = from + " to " + to;
  if (::link(from.c_str(), to.c_str()) == 0) {
    if (::unlink(from.c_str()) != 0) return ErrnoStatus("remove", from, errno);
    return Status::Ok();
  }
  if (errno == EEXIST) return ErrnoStatus("rename", what, EEXIST);
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return ErrnoStatus("rename", what, EEXIST);
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", what, errno);
  return Status::Ok();
}

}  // namespace custody::posix
