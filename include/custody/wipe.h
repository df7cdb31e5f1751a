// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Verified overwrite erasure of a block device or a regular file.
//
// RunWipe() writes every byte of the device once per pass (patterns or an
// AES-128-CTR random stream), flushes once per pass, verifies by reading back
// (regenerating random passes instead of storing them), hashes sampled
// sectors before and after as evidence, retries I/O errors and records the
// LBA ranges that still fail, stops cleanly when the caller's stop flag is
// set, and keeps a resume state file so ResumeWipe() continues from the last
// durable position. Every step is reported to a WipeEventSink, which the CLI
// turns into signed ledger events (docs/formats/wipe-record.md).
//
// The library installs no signal handlers: the caller sets `stop` from its
// own handler.
//
// Thread safety: RunWipe/ResumeWipe may run concurrently on different devices
// with different sinks; each calls its sink only from the calling thread.
#ifndef CUSTODY_WIPE_H_
#define CUSTODY_WIPE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custody/block_device.h"
#include "custody/device.h"
#include "custody/message_text.h"
#include "custody/status.h"

namespace custody {

class Env;

// ---- Methods

struct WipePass {
  enum class Kind { kPattern, kRandom };
  Kind kind = Kind::kRandom;
  std::string pattern;  // kPattern: 1-3 bytes, repeated from device offset 0.
  // "0x00", "0x92 0x49 0x24", "random".
  std::string Describe() const;
};

struct WipeMethod {
  std::string name;       // "dod-3"
  std::string title;      // "DoD 5220.22-M (3 passes)"
  std::vector<WipePass> passes;
  bool verification_required = false;  // The standard demands a read-back.
};

// Every method, in the order `custody wipe --help` lists them.
const std::vector<WipeMethod>& WipeMethods();
// kInvalidArgument naming the known methods if `name` is not one.
Result<WipeMethod> FindWipeMethod(std::string_view name);

enum class VerifyMode { kNone, kLast, kAll, kSample };

struct VerifyPolicy {
  VerifyMode mode = VerifyMode::kLast;
  // kSample: coverage in hundredths of a percent (500 = 5%), 1..10000.
  uint32_t sample_basis_points = 0;
  std::string ToString() const;  // "last", "all", "none", "sample:5", "sample:2.5"
};
// "last", "all", "none", "sample:P" (0 < P <= 100, up to two decimals).
Result<VerifyPolicy> ParseVerifyPolicy(std::string_view text);

struct WipePlan {
  std::string method = "random";
  int repeat = 1;      // --passes N: the method's passes, N times over.
  bool blank = false;  // --blank: a final 0x00 pass (hides that a wipe happened).
  VerifyPolicy verify;
};

// The passes in order. kInvalidArgument for an unknown method, repeat outside
// 1..100, or --verify none on a method whose standard requires verification.
Result<std::vector<WipePass>> ExpandPlan(const WipePlan& plan);

// ---- Events (each serializes to the `data` of one ledger entry)

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// A sampled sector hashed before and after (SHA-256, hex); empty digest and
// an error when the sector could not be read.
struct SectorEvidence {
  uint64_t lba = 0;
  std::string before_sha256;
  std::string after_sha256;
  std::string before_error;
  std::string after_error;
};

enum class WipeResult { kCompleted, kCompletedWithErrors, kFailed, kInterrupted };
std::string_view WipeResultName(WipeResult r);  // "completed-with-errors", ...

struct WipeStartedEvent {  // wipe.started
  std::string wipe_id;
  DeviceInfo target;
  WipePlan plan;
  std::vector<WipePass> passes;
  // The random passes' keystream ("aes-128-ctr"; "aes-256-ctr" for wipes
  // started by older versions); empty when no pass is random.
  std::string generator;
  std::vector<std::string> warnings;
  uint64_t bytes = 0;  // Bytes each pass writes.
  bool direct_io = false;
  uint64_t buffer_bytes = 0;
  std::string started_at;  // RFC 3339 UTC
  // A file's wipe inside WipeFileTree: the tree wipe's id (FileWipeSummary::
  // tree_id), which ties the files' wipes and the removals of one run
  // together; empty for a device.
  std::string tree_id;
  std::string ToJson() const;
};

struct WipeResumedEvent {  // wipe.resumed
  std::string wipe_id;
  int resume_count = 0;  // 1 for the first resume.
  int pass = 0;          // 1-based pass to continue.
  std::string phase;     // "write" or "verify"
  uint64_t offset = 0;   // Byte offset within the pass.
  std::string resumed_at;
  // The device the wipe continues on, as identified now (its path may
  // differ from wipe.started's: a re-attached loop device, a replugged disk).
  DeviceInfo target;
  std::string ToJson() const;
};

struct WipePassEvent {  // wipe.pass.completed
  std::string wipe_id;
  int pass = 0;
  int passes = 0;
  std::string pattern;
  uint64_t bytes_written = 0;
  uint64_t duration_ms = 0;
  std::vector<ByteRange> write_errors;  // Ranges this pass could not write.
  std::string ToJson() const;
};

struct WipeVerifiedEvent {  // wipe.verified
  std::string wipe_id;
  int pass = 0;
  std::string mode;  // "full" or "sample"
  uint64_t bytes_checked = 0;
  uint32_t coverage_basis_points = 0;  // 10000 = every byte
  bool ok = false;   // No mismatch (unreadable ranges are listed separately).
  uint64_t mismatched_bytes = 0;
  std::vector<ByteRange> mismatches;  // First 64 mismatching sector ranges.
  std::vector<ByteRange> unreadable;
  std::vector<ByteRange> locations;   // Sample mode: exactly what was read.
  uint64_t duration_ms = 0;
  std::string ToJson() const;
};

struct WipeFinishedEvent {  // wipe.completed, wipe.failed or wipe.interrupted
  std::string wipe_id;
  // Repeated from wipe.started so that one record is enough for a
  // certificate row (device, method, times, warnings).
  DeviceInfo target;
  WipePlan plan;
  std::vector<WipePass> passes_planned;
  std::string generator;  // As in WipeStartedEvent.
  std::vector<std::string> warnings;
  std::string started_at;
  // The last verification: "full", "sample" or "none", and its coverage.
  std::string verify_mode = "none";
  uint32_t verify_coverage_basis_points = 0;
  WipeResult result = WipeResult::kFailed;
  std::string message;  // Why it failed or stopped; what to do.
  // `message` as a pattern and values (custody/message_text.h) where the
  // wipe itself worded it (an interruption), for an interface in the user's
  // language; empty when the message is a lower layer's. Not recorded.
  MessageText message_text;
  int passes_completed = 0;
  int passes = 0;
  uint64_t bytes_written = 0;
  bool verified = false;  // Every verification ran and matched.
  bool verification_failed = false;  // A read-back found other data.
  std::vector<ByteRange> write_errors;
  std::vector<ByteRange> unreadable;
  std::vector<SectorEvidence> evidence;
  uint64_t duration_ms = 0;
  std::string finished_at;
  std::string state_file;  // Interrupted: what --resume reads.
  std::string EventType() const;  // "wipe.completed" / "wipe.failed" / "wipe.interrupted"
  std::string ToJson() const;
  // OK for completed; kIoError, kVerificationFailed or kInterrupted otherwise.
  Status ToStatus() const;
};

struct WipeProgress {  // Not recorded: for progress bars and --json lines.
  std::string wipe_id;
  int pass = 0;
  int passes = 0;
  std::string phase;  // "write" or "verify"
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  uint64_t bytes_per_second = 0;
  std::string ToJson() const;
};

// Receives the engine's events on the thread that runs the wipe. A non-OK
// status from any On* stops the wipe (state saved, so it can be resumed):
// an erase that cannot be recorded must not silently continue.
struct WipeRemovedEvent;
struct FreeSpaceWipeEvent;

class WipeEventSink {
 public:
  virtual ~WipeEventSink() = default;
  virtual Status OnStarted(const WipeStartedEvent&) { return Status::Ok(); }
  virtual Status OnResumed(const WipeResumedEvent&) { return Status::Ok(); }
  // After the pass is written and flushed, before it is verified.
  virtual Status OnPassCompleted(const WipePassEvent&) { return Status::Ok(); }
  virtual Status OnVerified(const WipeVerifiedEvent&) { return Status::Ok(); }
  virtual Status OnFinished(const WipeFinishedEvent&) { return Status::Ok(); }
  // Called by WipeFileTree after a name is gone (not by RunWipe); a non-OK
  // status stops the tree wipe.
  virtual Status OnRemoved(const WipeRemovedEvent&) { return Status::Ok(); }
  // Called by WipeFreeSpace before the first fill file is written, with the
  // identity fields of the event (wipe.free-space.started); a non-OK status
  // stops it before anything is written.
  virtual Status OnFreeSpaceStarted(const FreeSpaceWipeEvent&) { return Status::Ok(); }
  // Called by WipeFreeSpace with its final event.
  virtual Status OnFreeSpaceFinished(const FreeSpaceWipeEvent&) { return Status::Ok(); }
  // About twice a second; must be cheap.
  virtual void OnProgress(const WipeProgress&) {}
};

// ---- Running

struct WipeOptions {
  WipePlan plan;
  DeviceInfo target;                  // Recorded in wipe.started.
  std::vector<std::string> warnings;  // Media warnings, recorded too.
  // Byte ranges to overwrite, sorted and disjoint (a sparse file's data
  // extents); empty means the whole device.
  std::vector<ByteRange> regions;
  std::string wipe_id;                // Empty: a new id (time + random).
  std::string tree_id;                // Recorded in wipe.started (set by WipeFileTree).
  // Directory for <wipe_id>.json (created 0700). Empty: no resume state.
  std::string state_dir;
  // Set (by a signal handler) to stop at the next buffer: state is saved and
  // the wipe ends `interrupted`.
  const std::atomic<bool>* stop = nullptr;
  WipeEventSink* sink = nullptr;  // May be null.
  size_t buffer_bytes = 8u << 20;  // Per I/O; rounded to the sector size.
  int evidence_sectors = 32;       // Plus the first and last sector.
  int retries = 2;                 // Per failing transfer, before bisecting.
  // A device that fails more than this many bytes is dying: stop, `failed`.
  uint64_t max_error_bytes = 64ull << 20;
  // Flush and save the resume position at least this often.
  uint64_t checkpoint_ms = 30'000;
};

// Wipes `device` from its first pass. Returns the final event (also sent to
// the sink) for every run that reached the device, whatever the result; a
// non-OK Result only when nothing was written (invalid plan, state directory
// or sink refused wipe.started).
Result<WipeFinishedEvent> RunWipe(BlockDevice& device, const WipeOptions& options, Env* env);

// What a state file says about an unfinished wipe. A wipe keeps its state
// when it ends `interrupted`, or `failed` for a reason that rewriting can
// get past (I/O errors, a failed flush, a step that could not be recorded);
// never after a read-back found other data than was written.
struct WipeStateSummary {
  std::string wipe_id;
  std::string state_file;
  DeviceInfo target;
  WipePlan plan;
  int pass = 0;  // 1-based pass to continue
  std::string phase;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  int resume_count = 0;
  // How the last run ended: "interrupted" or "failed" (WipeResultName),
  // with its message and time; empty when the state does not say: that run
  // is still going, or crashed or lost power, or an older custody wrote it.
  std::string ended;
  std::string end_message;
  std::string ended_at;
  // ResumeWipe would continue it; otherwise `not_resumable` says why.
  bool resumable = true;
  std::string not_resumable;
};
// kNotFound if there is no state for `wipe_id` in `state_dir`.
Result<WipeStateSummary> ReadWipeState(const std::string& state_dir, const std::string& wipe_id,
                                       Env* env);
// Every unfinished wipe in `state_dir`, resumable or not (empty if the
// directory is absent).
Result<std::vector<WipeStateSummary>> ListWipeStates(const std::string& state_dir, Env* env);

// Continues the wipe recorded in `state_dir`/<options.wipe_id>.json on
// `device`: same plan, same random keys, from the recorded position.
// options.target must be `device` as identified now (IdentifyDevice): the
// resume is refused (kFailedPrecondition) unless it is the recorded device:
// the same size, and the same serial, WWN, model and loop backing file
// wherever the recorded identity has one (a device that now reports none
// does not match). options.plan is ignored (the state's is used).
// kFailedPrecondition too for a state that is not resumable (its
// `not_resumable`): a wipe whose read-back found other data cannot be
// continued into a success.
Result<WipeFinishedEvent> ResumeWipe(BlockDevice& device, const WipeOptions& options, Env* env);


// ---- Recording in the ledger

class Station;

// A sink that appends every event to the station's ledger (wipe.started,
// wipe.resumed, wipe.pass.completed, wipe.verified, wipe.completed /
// wipe.failed / wipe.interrupted, wipe.removed, wipe.free-space.started,
// wipe.free-space.completed / .failed / .interrupted),
// signed as `operator_name`, and forwards progress to `progress` (may be
// null). Several sinks may share one Station from different threads: each
// Record is serialized on an internal process-wide mutex. The Station must
// outlive the sink.
std::unique_ptr<WipeEventSink> NewLedgerWipeSink(Station* station, std::string operator_name,
                                                 WipeEventSink* progress);

// ---- Files and directory trees

struct WipeRemovedEvent {  // wipe.removed: a wiped file's name is gone.
  // The file's content wipe; the tree wipe's id (tree_id) for what had no
  // content to wipe: a directory, a symlink, an empty file.
  std::string wipe_id;
  std::string tree_id;     // The tree wipe (FileWipeSummary::tree_id).
  std::string path;        // The original path.
  std::string kind;        // "file", "directory", "symlink"
  int renames = 0;         // Random names it went through before unlink.
  std::string removed_at;
  std::string ToJson() const;
};

struct FileWipeOptions {
  // plan, sink, stop, buffer_bytes, evidence_sectors, retries are used; a
  // fresh wipe_id per file; target/warnings/regions are filled per file.
  WipeOptions wipe;
  // Hard links: other names still reach the data after this name is gone.
  // false (default): refuse the whole run before touching anything.
  bool allow_hard_links = false;
  int renames = 3;  // Random names per file before unlink.
};

struct FileWipeSummary {
  // This run's id, in the wipe id's form: every file's wipe.started and every
  // wipe.removed carry it as `tree_id` (`custody wipe show TREE_ID`).
  std::string tree_id;
  int files = 0;          // Regular files overwritten and removed.
  int directories = 0;    // Directories removed.
  int symlinks = 0;       // Symlinks removed (never followed).
  uint64_t bytes = 0;     // Bytes overwritten per pass, summed over files.
  std::vector<std::string> warnings;  // Media and hard-link warnings.
  std::vector<MessageText> warning_texts;  // The same as patterns and values.
  std::vector<WipeFinishedEvent> results;  // One per file with content.
  // kCompleted only when every file completed; the worst result otherwise.
  WipeResult result = WipeResult::kCompleted;
  std::string message;
  MessageText message_text;  // `message` as pattern and values, when set.
};

// Wipes a regular file, or a directory tree depth-first: each regular file is
// overwritten in place up to its allocated size (only its data extents when
// sparse: holes hold no data, and writing them would allocate new blocks),
// synced, renamed to random names `renames` times, truncated and unlinked;
// symlinks are removed without being followed; directories are renamed and
// removed after their content. Before anything is written, the whole tree is
// checked: kInvalidArgument for a symlink given as `path`, for special files
// (devices, FIFOs, sockets) anywhere, for hard-linked files unless allowed,
// and for mount points inside the tree. A file whose wipe does not complete
// is left in place and the run stops.
Result<FileWipeSummary> WipeFileTree(const std::string& path, const FileWipeOptions& options,
                                     Env* env);

// What WipeFileTree(path, options) would do, after exactly its checks (the
// same kInvalidArgument refusals: a symlink given as `path`, special files,
// hard links unless allowed, mount points) and with the same warnings,
// without writing, renaming or removing anything: for a dry run.
struct FileWipePlan {
  bool directory = false;  // `path` is a directory (a tree), not a file.
  int files = 0;           // Regular files to overwrite and remove.
  int directories = 0;     // Directories to remove (`path` itself included).
  int symlinks = 0;        // Symlinks to remove (never followed).
  uint64_t bytes = 0;      // The files' lengths, summed.
  std::vector<std::string> warnings;       // As FileWipeSummary::warnings.
  std::vector<MessageText> warning_texts;  // The same as patterns and values.
};
Result<FileWipePlan> PlanFileWipe(const std::string& path, const FileWipeOptions& options,
                                  Env* env);

// ---- Free space of a mounted file system

struct FreeSpaceWipeEvent {  // wipe.free-space.completed / .failed / .interrupted
  std::string wipe_id;
  std::string mount_point;
  std::string fs_type;
  std::string device;               // The mounted device, when known.
  WipePlan plan;
  std::vector<std::string> passes;  // Pattern of each pass.
  std::string generator;            // As in WipeStartedEvent.
  int passes_completed = 0;
  uint64_t bytes_filled = 0;        // Bytes written by the last completed pass.
  uint64_t free_bytes_before = 0;   // f_bavail * f_frsize at the start.
  uint64_t reserved_bytes = 0;      // Reserved for root (f_bfree - f_bavail) at the start.
  // f_bfree * f_frsize at the start: every free block, reserves included.
  uint64_t free_bytes_total = 0;
  // The most free space any pass left unwritten: what the file system still
  // counted free (f_bfree * f_frsize) when that pass's fill had ended and
  // was synced. Deleted data may remain there. Meaningful when
  // `unreached_measured`.
  uint64_t unreached_bytes = 0;
  bool unreached_measured = false;
  // ext4 holds back reserved_clusters (about 2 %, at most 4096 clusters)
  // that not even root may fill. Running as root, the wipe sets
  // /sys/fs/ext4/DEV/reserved_clusters to 0 for each fill and restores it
  // right after. Empty control: the file system has no such reserve.
  std::string reserve_control;
  uint64_t reserve_clusters = 0;  // Its value before the wipe.
  bool reserve_lowered = false;   // Every fill ran with it at 0.
  bool reserve_restored = false;  // It holds its old value again.
  std::string reserve_error;      // Why it could not be lowered or restored.
  std::string fill_dir;           // The hidden directory of the fill files.
  // Fill directories that an earlier run left behind (a crash, a power
  // cut), removed before this one started.
  std::vector<std::string> leftovers_removed;
  bool verified = false;
  std::string verify_mode = "none";  // "full" or "none"
  uint64_t mismatched_bytes = 0;
  std::vector<std::string> limitations;  // What the fill cannot reach.
  std::vector<std::string> warnings;     // Media warnings.
  WipeResult result = WipeResult::kFailed;
  std::string message;
  // limitations, warnings and message as patterns and values
  // (custody/message_text.h), for an interface in the user's language; not
  // recorded (ToJson has the English).
  std::vector<MessageText> limitation_texts, warning_texts;
  MessageText message_text;
  std::string started_at, finished_at;
  uint64_t duration_ms = 0;
  std::string EventType() const;
  std::string ToJson() const;
  // The wipe.free-space.started record: identity, plan, limitations known
  // before the fill, warnings, the reserve's old value, leftovers removed.
  std::string StartedJson() const;
  Status ToStatus() const;
};

// Fills the free space of the file system mounted at `mount_point` with
// pattern files in a hidden directory until ENOSPC, syncs, verifies them
// (plan.verify other than none: a full read-back of each pass checked),
// and removes them, once per pass. wipe.free-space.started goes to
// options.sink->OnFreeSpaceStarted before the first write, progress to
// OnProgress, the final event to OnFreeSpaceFinished, and is returned.
// Fill directories an earlier run left behind on this file system are
// removed first. The mount point is locked (flock) for the run: kBusy, and
// nothing done, while another free-space wipe of it runs. Metadata, journals
// and the slack of other files are not reached, and the event says so; free
// space the fill could not reach (root's reserve when not running as root, a
// reserve the file system keeps even from root) is measured (statvfs after
// the fill) and makes the result completed-with-errors, never a plain success.
Result<FreeSpaceWipeEvent> WipeFreeSpace(const std::string& mount_point, const WipeOptions& options,
                                         Env* env);

// What WipeFreeSpace would do, writing nothing: the same checks and refusals
// (not a directory, not a mount point, mounted read-only) and its event up to
// the fill (mount point, file system, device, passes, free bytes, warnings
// and limitations); no wipe id, nothing recorded. For dry runs.
Result<FreeSpaceWipeEvent> PlanFreeSpaceWipe(const std::string& mount_point,
                                             const WipeOptions& options, Env* env);

}  // namespace custody

#endif  // CUSTODY_WIPE_H_
