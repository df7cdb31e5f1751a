// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipeFreeSpace (custody/wipe.h): fill a mounted file system's free space
// with pattern files until ENOSPC, sync, read them back, remove them.
#include "erase/free_space.h"

#include <fcntl.h>
#include <sys/ioctl.h>
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

constexpr char kFillDirPrefix[] = ".custody-free-space-";
// In the fill directory while the reserve is lowered: its old value, so that
// the run after a crash can put it back.
constexpr char kReserveNote[] = "reserved_clusters";

Result<uint64_t> ParseClusters(const std::string& text, const std::string& where) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 19) {
    return CorruptionError(where + " does not hold a number of clusters: \"" +
                           text.substr(0, 40) + "\"");
  }
  return std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
}

Result<uint64_t> ReadClusters(Env* env, const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return ParseClusters(text, path);
}

// One write(2) of the whole number: a sysfs attribute takes one write.
Status WriteClusters(Env* env, const std::string& path, uint64_t clusters, uint32_t mode,
                     bool sync = false) {
  CUSTODY_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, mode));
  CUSTODY_RETURN_IF_ERROR(file->Append(std::to_string(clusters) + "\n"));
  if (sync) CUSTODY_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

// ext4's reserve, lowered to 0 while a fill runs and put back after it.
struct Reserve {
  Env* env;
  FreeSpaceWipeEvent* ev;
  std::string note;  // The fill directory's copy of the old value.
  bool usable = false;
  bool lowered_now = false;
  // OS errors, for the limitation and warning texts.
  std::string read_error, lower_error, restore_error;

  void Note(const std::string& what) {
    if (ev->reserve_error.empty()) ev->reserve_error = what;
  }
  // Before a fill. A failure is recorded (and shows as free space the fill
  // did not reach), not fatal: the fill reaches what it can.
  void Lower() {
    if (!usable) return;
    // Counted as lowered before the write: a write that reached sysfs but
    // failed at close still left 0 there, and restoring is harmless when
    // it did not (the same value is written back).
    lowered_now = true;
    Status s = WriteClusters(env, ev->reserve_control, 0, 0644);
    if (!s.ok()) {
      lower_error = s.message();
      Note("could not be lowered: " + lower_error);
      ev->reserve_lowered = false;
      usable = false;
      // Still the old value: nothing to restore (and no false warning that
      // a restore failed where nothing was lowered, as without root).
      auto now = env->ReadFile(ev->reserve_control);
      if (now.ok() && *now == std::to_string(ev->reserve_clusters) + "\n") lowered_now = false;
      return;
    }
  }
  // After a fill, whatever its result.
  void Restore() {
    if (!lowered_now) return;
    Status s = WriteClusters(env, ev->reserve_control, ev->reserve_clusters, 0644);
    if (!s.ok()) {
      restore_error = s.message();
      Note("could not be restored to " + std::to_string(ev->reserve_clusters) + " (" +
           restore_error + "): write that number to " + ev->reserve_control);
      ev->reserve_restored = false;
      return;
    }
    lowered_now = false;
    ev->reserve_restored = true;
    // A restore that failed before (after an earlier pass) and worked now
    // leaves nothing to warn about.
    if (!restore_error.empty()) {
      restore_error.clear();
      if (ev->reserve_error.starts_with("could not be restored")) ev->reserve_error.clear();
    }
  }
};

}  // namespace

Result<std::vector<std::string>> RemoveLeftoverFills(const std::string& mount_point,
                                                     const std::string& reserve_control,
                                                     Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(mount_point));
  std::vector<std::string> removed;
  for (const std::string& name : names) {
    if (!name.starts_with(kFillDirPrefix)) continue;
    const std::string dir = mount_point + "/" + name;
    auto st = env->StatNoFollow(dir);
    if (!st.ok() || st->type != FileStatus::Type::kDirectory) continue;
    // The run that left it had lowered ext4's reserve: put the old value
    // back unless someone already has (it is 0 only while a fill runs).
    if (!reserve_control.empty()) {
      auto old_value = ReadClusters(env, dir + "/" + kReserveNote);
      auto now = ReadClusters(env, reserve_control);
      if (old_value.ok() && now.ok() && *now == 0 && *old_value > 0) {
        CUSTODY_RETURN_IF_ERROR(WriteClusters(env, reserve_control, *old_value, 0644));
      }
    }
    Status gone = env->RemoveTree(dir);
    if (!gone.ok()) {
      return gone.WithContext("removing " + dir + ", the fill files of a free-space wipe that did "
                              "not finish");
    }
    removed.push_back(name);
  }
  if (!removed.empty()) CUSTODY_RETURN_IF_ERROR(env->SyncDir(mount_point));
  return removed;
}

Result<FreeSpaceWipeEvent> FillFreeSpace(const std::string& real,
                                         const std::vector<WipePass>& passes,
                                         const FreeSpaceFill& fill, const WipeOptions& options,
                                         Env* env, FreeSpaceWipeEvent ev) {
  using T = MessageText;
  ev.started_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  const Clock::time_point start = Clock::now();

  Filler f{options, env, &ev, real + "/" + kFillDirPrefix + ev.wipe_id};
  f.total_hint = fill.total_hint;
  if (fill.fill_file_bytes > 0) f.file_bytes = fill.fill_file_bytes;
  ev.fill_dir = f.dir;
  ev.reserve_control = fill.reserve_control;
  // Two free-space wipes of one file system at once would each remove the
  // other's fill directory as a crashed run's leftover: the mount point is
  // locked for the whole run (flock on the directory itself: nothing to
  // create on a file system a crashed fill may have left full), and a second
  // run is refused. A crashed run's lock went with its process, so its fill
  // is still removed below.
  // Where the file system cannot lock at all (NFS without a lock manager),
  // the wipe runs unlocked, as before there was a lock.
  int64_t holder = 0;
  auto lock = env->TryLockFile(real, &holder);
  if (!lock.ok() && lock.status().code() != StatusCode::kUnsupported) {
    if (lock.status().code() != StatusCode::kBusy) {
      return lock.status().WithContext("locking " + real + " for its free-space wipe");
    }
    return BusyError("another free-space wipe of " + real + " is running" +
                     (holder > 0 ? " (pid " + std::to_string(holder) + ")" : "") +
                     ": wait until it ends (two at once would remove each other's fill files)");
  }
  // A crashed run's fill would still occupy the free space (and keep this
  // run from reaching it): remove it first.
  CUSTODY_ASSIGN_OR_RETURN(ev.leftovers_removed,
                           RemoveLeftoverFills(real, fill.reserve_control, env));
  Reserve reserve{env, &ev, f.dir + "/" + kReserveNote, false, false, {}, {}, {}};
  if (!fill.reserve_control.empty()) {
    auto clusters = ReadClusters(env, fill.reserve_control);
    if (clusters.ok()) {
      ev.reserve_clusters = *clusters;
      reserve.usable = *clusters > 0;  // Already 0: nothing to lower.
      ev.reserve_lowered = true;
      ev.reserve_restored = true;  // Nothing changed yet.
    } else {
      reserve.read_error = clusters.status().message();
      reserve.Note("could not be read: " + reserve.read_error);
    }
  }
  if (options.sink) CUSTODY_RETURN_IF_ERROR(options.sink->OnFreeSpaceStarted(ev));

  std::vector<std::string> files;
  Status failure = env->CreateDir(f.dir, 0700);
  if (failure.ok() && reserve.usable) {
    // Durable before the reserve is lowered: after a crash, the next run
    // finds the old value here.
    failure = WriteClusters(env, reserve.note, ev.reserve_clusters, 0600, /*sync=*/true);
    if (failure.ok()) failure = env->SyncDir(f.dir);
  }
  const VerifyMode vm = options.plan.verify.mode;
  Status measure_failure, checkpoint_failure;
  for (size_t i = 0; failure.ok() && i < passes.size(); ++i) {
    std::string key(crypto::KeystreamKeySize(crypto::kOverwriteGenerator), '\0');
    if (passes[i].kind == WipePass::Kind::kRandom) {
      failure = env->RandomBytes(reinterpret_cast<uint8_t*>(key.data()), key.size());
      if (!failure.ok()) break;
    }
    PatternSource src(passes[i], crypto::kOverwriteGenerator, key);
    const int pass = static_cast<int>(i) + 1;
    reserve.Lower();
    auto filled = f.Fill(pass, src, &files);
    // What the fill did not reach: the file system is as full as the fill
    // could make it (every fill file synced), so whatever it still counts
    // free was not overwritten by this pass. Measured before the reserve
    // goes back (which changes no block).
    if (filled.ok()) {
      auto space = env->StatFileSystem(real);
      if (space.ok()) {
        ev.unreached_bytes = std::max(ev.unreached_bytes, space->free_bytes);
        ev.unreached_measured = measure_failure.ok();
      } else if (measure_failure.ok()) {
        measure_failure = space.status();
        ev.unreached_measured = false;
      }
    }
    if (filled.ok() && fill.checkpoint && checkpoint_failure.ok()) {
      checkpoint_failure = fill.checkpoint();
    }
    reserve.Restore();
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
  reserve.Restore();  // A no-op unless something above skipped it.
  (void)f.RemoveFiles(&files);
  if (!reserve.lowered_now) (void)env->RemoveFile(reserve.note);
  (void)env->RemoveDir(f.dir);
  // The removals (and with them the freed blocks) reach the medium.
  Status synced = env->SyncDir(real);
  if (failure.ok() && !synced.ok()) failure = synced;

  const bool all_passes = ev.passes_completed == static_cast<int>(passes.size());
  ev.verified = failure.ok() && ev.verify_mode == "full" && ev.mismatched_bytes == 0 && all_passes;
  if (!reserve.read_error.empty()) {
    ev.limitation_texts.push_back(
        T::Of(N_("ext4's reserved clusters (%s), which not even root may fill, could not be read "
                 "(%s) and were not lowered for the fill"),
              {T::Value(ev.reserve_control), T::Value(reserve.read_error)}));
  }
  if (!reserve.lower_error.empty()) {
    ev.limitation_texts.push_back(
        T::Of(N_("ext4 holds back %s clusters (%s) that not even root may fill; they could not "
                 "be lowered for the fill (%s)"),
              {T::Value(std::to_string(ev.reserve_clusters)), T::Value(ev.reserve_control),
               T::Value(reserve.lower_error)}));
  }
  if (!reserve.restore_error.empty()) {
    ev.warning_texts.push_back(
        T::Of(N_("ext4's reserved clusters were lowered to 0 for the fill and could not be "
                 "restored (%s): write %s to %s, or remount the file system"),
              {T::Value(reserve.restore_error), T::Value(std::to_string(ev.reserve_clusters)),
               T::Value(ev.reserve_control)}));
    ev.warnings = English(ev.warning_texts);
  }
  if (!checkpoint_failure.ok() || (!fill.checkpoint && !fill.checkpoint_missing.empty())) {
    ev.limitation_texts.push_back(
        T::Of(N_("the few blocks the fill files' own metadata took from the free space (extent "
                 "and directory blocks) may keep old data: the journal could not be written to "
                 "their home locations before they were freed (%s)"),
              {T::Value(checkpoint_failure.ok() ? fill.checkpoint_missing
                                                : checkpoint_failure.message())}));
  }
  if (failure.ok() && all_passes) {
    if (!ev.unreached_measured) {
      ev.limitation_texts.push_back(
          T::Of(N_("the free space left after the fill could not be measured (%s): how much "
                   "of it was not overwritten is unknown"),
                {T::Value(measure_failure.message())}));
    } else if (ev.unreached_bytes > 0) {
      ev.limitation_texts.push_back(
          T::Of(N_("%s bytes of free space were not overwritten: the file system still counted "
                   "them free when the fill could write no more, and deleted data may remain "
                   "there"),
                {T::Value(std::to_string(ev.unreached_bytes))}));
    }
  }
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
  } else if (!ev.unreached_measured) {
    // Never a plain success without knowing that the free space was reached.
    ev.result = WipeResult::kCompletedWithErrors;
    ev.message_text = T::Of(N_("filled %s bytes of free space, but could not measure how much "
                               "free space the fill did not reach"),
                            {T::Value(std::to_string(ev.bytes_filled))});
  } else if (ev.unreached_bytes > 0) {
    ev.result = WipeResult::kCompletedWithErrors;
    ev.message_text = T::Of(N_("filled %s bytes of free space; %s bytes of free space were not "
                               "reached (see the limitations)"),
                            {T::Value(std::to_string(ev.bytes_filled)),
                             T::Value(std::to_string(ev.unreached_bytes))});
  } else {
    ev.result = WipeResult::kCompleted;
    ev.message_text =
        T::Of(N_("filled %s bytes of free space"), {T::Value(std::to_string(ev.bytes_filled))});
  }
  ev.limitations = English(ev.limitation_texts);
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

// linux/ext4.h (not in every distribution's kernel headers): flush the
// journal and write every logged block home (Linux 5.10+, CAP_SYS_ADMIN).
constexpr unsigned long kExt4IocCheckpoint = _IOW('f', 43, uint32_t);

Status CheckpointExt4Journal(const std::string& mount_point) {
  const int fd = ::open(mount_point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return posix::ErrnoStatus("open", mount_point, errno);
  uint32_t flags = 0;
  const int rc = ::ioctl(fd, kExt4IocCheckpoint, &flags);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return posix::ErrnoStatus("EXT4_IOC_CHECKPOINT", mount_point, err);
  return Status::Ok();
}

}  // namespace

namespace {

// What a free-space wipe of `mount_point` would do, after its checks: the
// event's fields up to its warnings and limitations, and what the fill needs.
struct FreeSpacePlanned {
  FreeSpaceWipeEvent ev;
  std::vector<WipePass> passes;
  std::string real;  // The mount point, resolved.
  std::string dev;  // "maj:min" of the mounted device.
  bool root = false;
};

Result<FreeSpacePlanned> PlanFreeSpace(const std::string& mount_point, const WipeOptions& options,
                                       Env* env) {
  FreeSpacePlanned p;
  CUSTODY_ASSIGN_OR_RETURN(p.passes, ExpandPlan(options.plan));
  const std::vector<WipePass>& passes = p.passes;
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
  CUSTODY_ASSIGN_OR_RETURN(FileSystemSpace space, env->StatFileSystem(real));

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
  ev.free_bytes_before = space.available_bytes;
  ev.free_bytes_total = space.free_bytes;
  ev.reserved_bytes = space.free_bytes - std::min(space.free_bytes, space.available_bytes);
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
  const bool root = ::geteuid() == 0;
  if (ev.reserved_bytes > 0 && !root) {
    ev.limitation_texts.push_back(
        T::Of(N_("%s bytes reserved for root were not reached (not running as root)"),
              {T::Value(std::to_string(ev.reserved_bytes))}));
  }
  ev.warnings = English(ev.warning_texts);
  ev.limitations = English(ev.limitation_texts);
  p.ev = std::move(ev);
  p.real = real;
  p.dev = mount->dev;
  p.root = root;
  return p;
}

}  // namespace

Result<FreeSpaceWipeEvent> PlanFreeSpaceWipe(const std::string& mount_point,
                                             const WipeOptions& options, Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(FreeSpacePlanned p, PlanFreeSpace(mount_point, options, env));
  return std::move(p.ev);
}

Result<FreeSpaceWipeEvent> WipeFreeSpace(const std::string& mount_point, const WipeOptions& options,
                                         Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(FreeSpacePlanned p, PlanFreeSpace(mount_point, options, env));
  FreeSpaceWipeEvent& ev = p.ev;
  const std::string& real = p.real;
  const bool root = p.root;
  device::SystemRoots roots;
  erase::FreeSpaceFill fill;
  fill.total_hint = root ? ev.free_bytes_total : ev.free_bytes_before;
  // ext4 (and ext2/ext3 through the ext4 driver) holds back reserved
  // clusters even from root; root may lower them for the fill.
  const std::string name = device::NameForDevNumber(roots, p.dev);
  const bool ext4_driver = !name.empty() && env->FileExists(roots.sys + "/fs/ext4/" + name);
  if (root && ext4_driver) {
    const std::string control = roots.sys + "/fs/ext4/" + name + "/reserved_clusters";
    if (env->FileExists(control)) fill.reserve_control = control;
  }
  if (ext4_driver) {
    if (root) {
      fill.checkpoint = [real] { return CheckpointExt4Journal(real); };
    } else {
      fill.checkpoint_missing = "not running as root";
    }
  }
  return erase::FillFreeSpace(real, p.passes, fill, options, env, std::move(ev));
}

}  // namespace custody
