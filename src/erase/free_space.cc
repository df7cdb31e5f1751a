// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipeFreeSpace (custody/wipe.h): fill a mounted file system's free space
// with pattern files until ENOSPC, sync, read them back, remove them.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>

#include "common/time_util.h"
#include "custody/block_device.h"
#include "custody/device.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "device/system_view.h"
#include "env/posix_io.h"
#include "erase/pattern_source.h"
#include "erase/wipe_state.h"

namespace custody {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kFileBytes = 1ull << 30;  // Keeps every fill file under FAT's 4 GiB.
constexpr size_t kBufferBytes = 4u << 20;

uint64_t MsSince(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

struct Filler {
  const WipeOptions& opt;
  Env* env;
  FreeSpaceWipeEvent* ev;
  std::string dir;
  uint64_t total_hint = 0;
  Clock::time_point last_progress = Clock::now();
  Clock::time_point phase_start = Clock::now();

  bool Stopped() const { return opt.stop && opt.stop->load(); }

  void Progress(int pass, const char* phase, uint64_t done) {
    if (!opt.sink || MsSince(last_progress) < 500) return;
    last_progress = Clock::now();
    WipeProgress p;
    p.wipe_id = ev->wipe_id;
    p.pass = pass;
    p.passes = static_cast<int>(ev->passes.size());
    p.phase = phase;
    p.bytes_done = done;
    p.bytes_total = std::max(total_hint, done);
    const uint64_t ms = std::max<uint64_t>(1, MsSince(phase_start));
    p.bytes_per_second = done * 1000 / ms;
    opt.sink->OnProgress(p);
  }

  // Writes fill files until the file system is full. The pattern's offsets
  // run on across files, so each byte's expected value is known on read-back.
  Result<uint64_t> Fill(int pass, erase::PatternSource& src, std::vector<std::string>* files) {
    AlignedBuffer buf(kBufferBytes, 4096);
    uint64_t total = 0;
    phase_start = Clock::now();
    for (int index = 0;; ++index) {
      const std::string path = dir + "/fill-" + std::to_string(index);
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) {
        if (errno == ENOSPC || errno == EDQUOT) break;  // Not even an inode left.
        return posix::ErrnoStatus("create", path, errno);
      }
      files->push_back(path);
      uint64_t in_file = 0;
      bool full = false;
      while (in_file < kFileBytes) {
        if (Stopped()) {
          ::close(fd);
          return InterruptedError("stopped while filling");
        }
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kBufferBytes, kFileBytes - in_file));
        src.Fill(total, buf.data(), n);
        size_t done = 0;
        while (done < n) {
          ssize_t w = posix::RetryOnEintr([&] { return ::write(fd, buf.data() + done, n - done); });
          if (w < 0) {
            if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) {
              full = errno != EFBIG;
              break;
            }
            Status s = posix::ErrnoStatus("write", path, errno);
            ::close(fd);
            return s;
          }
          if (w == 0) {
            full = true;
            break;
          }
          done += static_cast<size_t>(w);
        }
        in_file += done;
        total += done;
        Progress(pass, "write", total);
        if (done < n) break;
      }
      // fdatasync can itself report ENOSPC on delayed allocation: the data
      // that did fit is what counts.
      if (::fdatasync(fd) != 0 && errno != ENOSPC && errno != EDQUOT) {
        Status s = posix::ErrnoStatus("fdatasync", path, errno);
        ::close(fd);
        return s;
      }
      ::close(fd);
      if (full) break;
    }
    return total;
  }

  // Reads every fill file back (after dropping it from the page cache, so the
  // bytes come from the medium) and checks it against the pass.
  Result<uint64_t> Verify(int pass, erase::PatternSource& src, const std::vector<std::string>& files,
                          uint64_t total) {
    AlignedBuffer buf(kBufferBytes, 4096);
    uint64_t offset = 0, mismatched = 0;
    std::vector<ByteRange> mismatches;
    phase_start = Clock::now();
    for (const std::string& path : files) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return posix::ErrnoStatus("open", path, errno);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      for (;;) {
        if (Stopped()) {
          ::close(fd);
          return InterruptedError("stopped while verifying");
        }
        ssize_t r = posix::RetryOnEintr([&] { return ::read(fd, buf.data(), kBufferBytes); });
        if (r < 0) {
          Status s = posix::ErrnoStatus("read", path, errno);
          ::close(fd);
          return s;
        }
        if (r == 0) break;
        mismatched += src.Check(offset, buf.data(), static_cast<size_t>(r), 512, {}, &mismatches);
        offset += static_cast<uint64_t>(r);
        Progress(pass, "verify", offset);
      }
      ::close(fd);
    }
    if (offset != total) {
      return CorruptionError("the fill files hold " + std::to_string(offset) + " bytes, " +
                             std::to_string(total) + " were written");
    }
    return mismatched;
  }

  Status RemoveFiles(std::vector<std::string>* files) {
    Status first;
    for (const std::string& f : *files) {
      if (::unlink(f.c_str()) != 0 && errno != ENOENT && first.ok()) {
        first = posix::ErrnoStatus("unlink", f, errno);
      }
    }
    files->clear();
    return first;
  }
};

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
}

// syncfs: the removals (and the freed blocks) reach the medium.
Status SyncFileSystem(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return posix::ErrnoStatus("open", path, errno);
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : posix::ErrnoStatus("syncfs", path, err);
}

}  // namespace

Result<FreeSpaceWipeEvent> WipeFreeSpace(const std::string& mount_point, const WipeOptions& options,
                                         Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<WipePass> passes, ExpandPlan(options.plan));
  struct stat st;
  if (::stat(mount_point.c_str(), &st) != 0) return posix::ErrnoStatus("stat", mount_point, errno);
  if (!S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(mount_point + " is not a directory: give the mount point of the "
                                              "file system whose free space to wipe");
  }
  const std::string real = RealPath(mount_point);
  device::SystemRoots roots;
  const device::MountEntry* mount = nullptr;
  auto mounts = device::ReadMounts(roots);
  for (const auto& m : mounts) {
    if (m.mount_point == real) mount = &m;  // The last one mounted there is visible.
  }
  if (!mount) {
    return InvalidArgumentError(mount_point + " is not a mount point (see findmnt); free space "
                                              "belongs to a whole file system");
  }
  if (mount->super_options.starts_with("ro") ||
      (mount->super_options.find(",ro,") != std::string::npos)) {
    return FailedPreconditionError(mount_point + " is mounted read-only");
  }
  struct statvfs vfs;
  if (::statvfs(real.c_str(), &vfs) != 0) return posix::ErrnoStatus("statvfs", real, errno);

  FreeSpaceWipeEvent ev;
  ev.wipe_id = options.wipe_id.empty() ? erase::NewWipeId(env) : options.wipe_id;
  ev.mount_point = real;
  ev.fs_type = mount->fs_type;
  ev.device = mount->source;
  ev.plan = options.plan;
  for (const WipePass& p : passes) ev.passes.push_back(p.Describe());
  ev.free_bytes_before = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  ev.reserved_bytes = static_cast<uint64_t>(vfs.f_bfree - vfs.f_bavail) * vfs.f_frsize;
  ev.warnings = FileMediaWarnings(real);
  ev.limitations = {
      "the slack after the end of other files' last blocks is not free space and is not reached",
      "file system metadata (directory entries, inode tables, extended attributes) and the "
      "journal are not overwritten",
      "data of files small enough to be stored inline in their inode is not reached",
      "snapshots, and copies a copy-on-write or log-structured file system keeps, are not reached",
  };
  if (ev.reserved_bytes > 0) {
    ev.limitations.push_back(
        ::geteuid() == 0
            ? "the " + std::to_string(ev.reserved_bytes) +
                  " bytes reserved for root were filled as well (running as root)"
            : std::to_string(ev.reserved_bytes) +
                  " bytes reserved for root were not reached (not running as root)");
  }
  ev.started_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  const Clock::time_point start = Clock::now();

  Filler f{options, env, &ev, real + "/.custody-free-space-" + ev.wipe_id};
  f.total_hint = ev.free_bytes_before + (::geteuid() == 0 ? ev.reserved_bytes : 0);
  if (::mkdir(f.dir.c_str(), 0700) != 0) return posix::ErrnoStatus("mkdir", f.dir, errno);

  std::vector<std::string> files;
  Status failure;
  const VerifyMode vm = options.plan.verify.mode;
  for (size_t i = 0; i < passes.size(); ++i) {
    std::string key(32, '\0');
    if (passes[i].kind == WipePass::Kind::kRandom) {
      failure = env->RandomBytes(reinterpret_cast<uint8_t*>(key.data()), key.size());
      if (!failure.ok()) break;
    }
    erase::PatternSource src(passes[i], key);
    const int pass = static_cast<int>(i) + 1;
    auto filled = f.Fill(pass, src, &files);
    if (!filled.ok()) {
      failure = filled.status();
      break;
    }
    ev.bytes_filled = *filled;
    const bool verify_this = vm == VerifyMode::kAll ||
                             ((vm == VerifyMode::kLast || vm == VerifyMode::kSample) &&
                              i + 1 == passes.size());
    if (verify_this) {
      ev.verify_mode = "full";
      auto bad = f.Verify(pass, src, files, *filled);
      if (!bad.ok()) {
        failure = bad.status();
        break;
      }
      ev.mismatched_bytes += *bad;
    }
    failure = f.RemoveFiles(&files);
    if (failure.ok()) failure = SyncFileSystem(real);
    if (!failure.ok()) break;
    ev.passes_completed = pass;
  }
  (void)f.RemoveFiles(&files);
  ::rmdir(f.dir.c_str());
  (void)SyncFileSystem(real);

  ev.verified = ev.verify_mode == "full" && ev.mismatched_bytes == 0 &&
                ev.passes_completed == static_cast<int>(passes.size());
  if (failure.code() == StatusCode::kInterrupted) {
    ev.result = WipeResult::kInterrupted;
    ev.message = "stopped by the operator; the fill files were removed. Run the free-space wipe "
                 "again.";
  } else if (!failure.ok()) {
    ev.result = WipeResult::kFailed;
    ev.message = failure.message();
  } else if (ev.mismatched_bytes > 0) {
    ev.result = WipeResult::kFailed;
    ev.message = "read-back found " + std::to_string(ev.mismatched_bytes) +
                 " bytes that differ from what was written";
  } else {
    ev.result = WipeResult::kCompleted;
    ev.message = "filled " + std::to_string(ev.bytes_filled) + " bytes of free space";
  }
  ev.finished_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  ev.duration_ms = MsSince(start);
  if (options.sink) CUSTODY_RETURN_IF_ERROR(options.sink->OnFreeSpaceFinished(ev));
  return ev;
}

}  // namespace custody
