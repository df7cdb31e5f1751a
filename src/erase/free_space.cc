// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipeFreeSpace (custody/wipe.h): fill a mounted file system's free space
// with pattern files until ENOSPC, sync, read them back, remove them.
#include "erase/free_space.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "common/catalog_mark.h"
#include "common/time_util.h"
#include "crypto/keystream.h"
#include "custody/block_device.h"
#include "custody/device.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "device/system_view.h"
#include "env/posix_io.h"
#include "erase/pattern_source.h"
#include "erase/wipe_state.h"

namespace custody {
namespace erase {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kFileBytes = 1ull << 30;  // Keeps every fill file under FAT's 4 GiB.
constexpr size_t kBufferBytes = 4u << 20;
constexpr size_t kMinChunkBytes = 512;  // The smallest write: a sector.

uint64_t MsSince(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// True when `s` reports a full file system (ENOSPC or EDQUOT), by the errno
// the Env carries (Status::os_error), never by the message's words: those
// are for people (and were once strerror's, which a Japanese LC_MESSAGES
// translates). There is no status code for "full" because only the fill
// treats it as the expected end rather than a failure.
bool IsNoSpace(const Status& s) { return s.os_error() == ENOSPC || s.os_error() == EDQUOT; }

struct Filler {
  const WipeOptions& opt;
  Env* env;
  FreeSpaceWipeEvent* ev;
  std::string dir;
  uint64_t file_bytes = kFileBytes;
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
  Result<uint64_t> Fill(int pass, PatternSource& src, std::vector<std::string>* files) {
    AlignedBuffer buf(kBufferBytes, 4096);
    uint64_t total = 0;
    size_t chunk = kBufferBytes;  // Halved when the file system refuses a write.
    phase_start = Clock::now();
    for (int index = 0;; ++index) {
      const std::string path = dir + "/fill-" + std::to_string(index);
      auto created = env->NewWritableFile(path, 0600);
      if (!created.ok()) {
        // Not even an inode or a directory block left: the previous file
        // filled the space exactly.
        if (index > 0 && IsNoSpace(created.status())) break;
        return created.status();
      }
      std::unique_ptr<WritableFile> file = std::move(*created);
      files->push_back(path);
      uint64_t in_file = 0;
      bool full = false;
      while (in_file < file_bytes && !full) {
        if (Stopped()) return InterruptedError("stopped while filling");
        const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk, file_bytes - in_file));
        src.Fill(total, buf.data(), n);
        CUSTODY_ASSIGN_OR_RETURN(
            size_t done,
            file->AppendUntilFull(std::string_view(reinterpret_cast<const char*>(buf.data()), n)));
        if (done < n) {
          // A file system may refuse a whole write that does not fit (ext4
          // answers a 4 MiB write with ENOSPC, not a short count, when less
          // is free: a small or nearly full file system was left unfilled).
          // Go on in smaller writes, down to kMinChunkBytes, so that the last
          // free blocks are overwritten too.
          if (chunk > kMinChunkBytes) {
            chunk /= 2;
          } else {
            full = true;
          }
        }
        in_file += done;
        total += done;
        Progress(pass, "write", total);
      }
      // Every byte counted must be on the medium before the read-back: a
      // failed sync (EIO, or ENOSPC from delayed allocation) means some of
      // them are not, and the free space they stand for is not overwritten.
      Status synced = file->Sync();
      if (!synced.ok()) {
        return IoError("the file system did not confirm that the fill reached the disk (" +
                       synced.message() + "): free space may remain unwritten. Check the "
                       "disk (dmesg) and run the free-space wipe again.");
      }
      CUSTODY_RETURN_IF_ERROR(file->Close());
      if (full) break;
    }
    return total;
  }

  // Reads every fill file back, bypassing the page cache where the file
  // system allows it (O_DIRECT), so the bytes come from the medium, and
  // checks them against the pass.
  Result<uint64_t> Verify(int pass, PatternSource& src, const std::vector<std::string>& files,
                          uint64_t total) {
    AlignedBuffer buf(kBufferBytes, 4096);
    uint64_t offset = 0, mismatched = 0;
    std::vector<ByteRange> mismatches;
    phase_start = Clock::now();
    BlockDeviceOptions ro;
    ro.writable = false;
    ro.exclusive = false;
    for (const std::string& path : files) {
      CUSTODY_ASSIGN_OR_RETURN(auto file, env->OpenBlockDevice(path, ro));
      const uint64_t size = file->size();
      if (offset + size > total) break;  // Reported below.
      for (uint64_t at = 0; at < size;) {
        if (Stopped()) return InterruptedError("stopped while verifying");
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kBufferBytes, size - at));
        CUSTODY_RETURN_IF_ERROR(file->ReadAt(at, buf.data(), n));
        mismatched += src.Check(offset, buf.data(), n, 512, {}, &mismatches);
        at += n;
        offset += n;
        Progress(pass, "verify", offset);
      }
    }
    if (offset != total) {
      return VerificationFailedError(
          "read-back: the fill files hold " + std::to_string(offset) + " bytes, but " +
          std::to_string(total) + " were written: data did not reach the disk, so free space "
          "may remain unwritten. Check the disk (dmesg) and run the free-space wipe again.");
    }
    return mismatched;
  }

  Status RemoveFiles(std::vector<std::string>* files) {
    Status first;
    for (const std::string& f : *files) {
      Status s = env->RemoveFile(f);
      if (!s.ok() && s.code() != StatusCode::kNotFound && first.ok()) first = s;
    }
    files->clear();
    return first;
  }
};

}  // namespace

Result<FreeSpaceWipeEvent> FillFreeSpace(const std::string& real,
                                         const std::vector<WipePass>& passes, uint64_t total_hint,
                                         const WipeOptions& options, Env* env,
                                         FreeSpaceWipeEvent ev, uint64_t fill_file_bytes) {
  ev.started_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  const Clock::time_point start = Clock::now();

  Filler f{options, env, &ev, real + "/.custody-free-space-" + ev.wipe_id};
  f.total_hint = total_hint;
  if (fill_file_bytes > 0) f.file_bytes = fill_file_bytes;
  std::vector<std::string> files;
  Status failure = env->CreateDir(f.dir, 0700);
  const VerifyMode vm = options.plan.verify.mode;
  for (size_t i = 0; failure.ok() && i < passes.size(); ++i) {
    std::string key(crypto::KeystreamKeySize(crypto::kOverwriteGenerator), '\0');
    if (passes[i].kind == WipePass::Kind::kRandom) {
      failure = env->RandomBytes(reinterpret_cast<uint8_t*>(key.data()), key.size());
      if (!failure.ok()) break;
    }
    PatternSource src(passes[i], crypto::kOverwriteGenerator, key);
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
    if (failure.ok()) failure = env->SyncDir(f.dir);
    if (!failure.ok()) break;
    ev.passes_completed = pass;
  }
  (void)f.RemoveFiles(&files);
  (void)env->RemoveDir(f.dir);
  // The removals (and with them the freed blocks) reach the medium.
  Status synced = env->SyncDir(real);
  if (failure.ok() && !synced.ok()) failure = synced;

  ev.verified = failure.ok() && ev.verify_mode == "full" && ev.mismatched_bytes == 0 &&
                ev.passes_completed == static_cast<int>(passes.size());
  using T = MessageText;
  if (failure.code() == StatusCode::kInterrupted) {
    ev.result = WipeResult::kInterrupted;
    ev.message_text =
        T::Of(N_("stopped by the operator; the fill files were removed. Run the "
                 "free-space wipe again."));
  } else if (!failure.ok()) {
    ev.result = WipeResult::kFailed;
    ev.message_text = T::Value(failure.message());
  } else if (ev.mismatched_bytes > 0) {
    ev.result = WipeResult::kFailed;
    ev.message_text = T::Of(N_("read-back found %s bytes that differ from what was written"),
                            {T::Value(std::to_string(ev.mismatched_bytes))});
  } else {
    ev.result = WipeResult::kCompleted;
    ev.message_text =
        T::Of(N_("filled %s bytes of free space"), {T::Value(std::to_string(ev.bytes_filled))});
  }
  ev.message = ev.message_text.English();
  ev.finished_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  ev.duration_ms = MsSince(start);
  if (options.sink) CUSTODY_RETURN_IF_ERROR(options.sink->OnFreeSpaceFinished(ev));
  return ev;
}

}  // namespace erase

namespace {

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
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
  for (const WipePass& p : passes) {
    ev.passes.push_back(p.Describe());
    if (p.kind == WipePass::Kind::kRandom) {
      ev.generator = crypto::KeystreamGeneratorName(crypto::kOverwriteGenerator);
    }
  }
  ev.free_bytes_before = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  ev.reserved_bytes = static_cast<uint64_t>(vfs.f_bfree - vfs.f_bavail) * vfs.f_frsize;
  using T = MessageText;
  ev.warning_texts = FileMediaWarningTexts(real);
  ev.limitation_texts = {
      T::Of(N_("the slack after the end of other files' last blocks is not free space and is not "
               "reached")),
      T::Of(N_("file system metadata (directory entries, inode tables, extended attributes) and "
               "the journal are not overwritten")),
      T::Of(N_("data of files small enough to be stored inline in their inode is not reached")),
      T::Of(N_("snapshots, and copies a copy-on-write or log-structured file system keeps, are "
               "not reached")),
  };
  if (ev.reserved_bytes > 0) {
    const T reserved = T::Value(std::to_string(ev.reserved_bytes));
    ev.limitation_texts.push_back(
        ::geteuid() == 0
            ? T::Of(N_("the %s bytes reserved for root were filled as well (running as root)"),
                    {reserved})
            : T::Of(N_("%s bytes reserved for root were not reached (not running as root)"),
                    {reserved}));
  }
  ev.warnings = English(ev.warning_texts);
  ev.limitations = English(ev.limitation_texts);
  const uint64_t total_hint = ev.free_bytes_before + (::geteuid() == 0 ? ev.reserved_bytes : 0);
  return erase::FillFreeSpace(real, passes, total_hint, options, env, std::move(ev));
}

}  // namespace custody
