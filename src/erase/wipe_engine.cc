// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The pass engine: RunWipe / ResumeWipe (custody/wipe.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "common/catalog_mark.h"
#include "common/time_util.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "erase/pattern_source.h"
#include "erase/pipeline.h"
#include "erase/sampling.h"
#include "erase/wipe_state.h"
#include "erase/written_digests.h"

namespace custody {
namespace erase {

std::string NewWipeId(Env* env) {
  // Sortable by time, unique by 32 random bits: 20261123T143000Z-1a2b3c4d.
  std::string t = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '-' || c == ':'; }),
          t.end());
  uint8_t r[4];
  if (!env->RandomBytes(r, sizeof r).ok()) std::memset(r, 0, sizeof r);
  return t + "-" + encoding::HexEncode(std::string(reinterpret_cast<char*>(r), sizeof r));
}

}  // namespace erase

namespace {

using erase::NewWipeId;

using erase::AppendRange;
using erase::Chunk;
using erase::MergeRanges;
using erase::PatternSource;
using erase::WipeState;
using Clock = std::chrono::steady_clock;

constexpr int kBuffersInFlight = 3;
constexpr uint64_t kProgressEveryMs = 500;
// Writes are handed to the device's writeback (BlockDevice::StartWriteback)
// every this many bytes. On a loop device over a file on disk, a 2 GiB pass
// with its final flush took 1.30-1.46 s without the hint, 0.95-1.12 s with
// it every 64 MiB, 1.14-1.39 s every 128 MiB and 1.26-2.79 s every 32 MiB
// (smaller windows make the writer wait for the disk's queue).
constexpr uint64_t kWritebackWindowBytes = uint64_t{64} << 20;

uint64_t MsSince(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

uint64_t Total(const std::vector<ByteRange>& ranges) {
  uint64_t n = 0;
  for (const ByteRange& r : ranges) n += r.length;
  return n;
}

// Bytes of `ranges` below `offset`.
uint64_t BytesBelow(const std::vector<ByteRange>& ranges, uint64_t offset) {
  uint64_t n = 0;
  for (const ByteRange& r : ranges) {
    if (r.offset >= offset) break;
    n += std::min(r.length, offset - r.offset);
  }
  return n;
}

// Walks `ranges` from `start` in pieces of at most `max` bytes. Pieces start
// on multiples of `max` within the device where possible, so a resumed pass
// keeps the same alignment.
class ChunkCursor {
 public:
  ChunkCursor(const std::vector<ByteRange>& ranges, uint64_t start, size_t max)
      : ranges_(ranges), pos_(start), max_(max) {}
  bool Next(uint64_t* offset, size_t* length) {
    while (index_ < ranges_.size()) {
      const ByteRange& r = ranges_[index_];
      const uint64_t end = r.offset + r.length;
      if (pos_ < r.offset) pos_ = r.offset;
      if (pos_ >= end) {
        ++index_;
        continue;
      }
      const uint64_t boundary = (pos_ / max_ + 1) * max_;
      *offset = pos_;
      *length = static_cast<size_t>(std::min(end, boundary) - pos_);
      pos_ += *length;
      return true;
    }
    return false;
  }

 private:
  const std::vector<ByteRange>& ranges_;
  size_t index_ = 0;
  uint64_t pos_;
  const size_t max_;
};


class Engine {
 public:
  Engine(BlockDevice& dev, const WipeOptions& opt, Env* env, WipeState state)
      : dev_(dev), opt_(opt), env_(env), s_(std::move(state)) {
    const uint32_t sector = dev_.logical_sector_size();
    buffer_bytes_ = std::max<size_t>(sector, opt_.buffer_bytes / sector * sector);
    for (int i = 0; i < kBuffersInFlight; ++i) {
      buffers_.emplace_back(buffer_bytes_, dev_.buffer_alignment());
    }
    if (!opt_.state_dir.empty()) state_path_ = erase::StatePath(opt_.state_dir, s_.wipe_id);
  }

  Status SaveState() {
    if (state_path_.empty()) return Status::Ok();
    s_.duration_ms = base_duration_ms_ + MsSince(run_start_);
    return env_->WriteFileAtomically(state_path_, erase::SerializeState(s_), 0600)
        .WithContext("saving the wipe's resume state");
  }

  // The end of the last region: a position past every byte a pass writes or
  // reads back (sampled locations lie inside the whole device's region).
  uint64_t RegionsEnd() const { return s_.regions.back().offset + s_.regions.back().length; }

  // Where the target's content ends: a file is exposed up to its allocated
  // size (dev_.size()), but it holds data only up to its length, and reading
  // past that finds the end of the file, not a sector.
  uint64_t EvidenceEnd() const {
    const uint64_t target = s_.target.size_bytes;
    return target == 0 ? dev_.size() : std::min(target, dev_.size());
  }

  // Reads one sector (or a file's partial last one) and hashes it. The
  // buffer is aligned and a whole sector at a sector offset goes to the
  // device directly; only a file's partial last sector goes through the page
  // cache (there is no other way to read it).
  void HashSector(uint64_t lba, std::string* digest, std::string* error) {
    const uint32_t sector = dev_.logical_sector_size();
    const uint64_t off = lba * sector;
    const uint64_t end = EvidenceEnd();
    if (off >= end) {
      digest->clear();
      *error = "sector " + std::to_string(lba) + " is past the end of " + dev_.path();
      return;
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(sector, end - off));
    Status s = dev_.ReadAt(off, buffers_[0].data(), n);
    if (!s.ok()) {
      digest->clear();
      *error = s.message();
      return;
    }
    *digest = crypto::Sha256Hex(std::string_view(reinterpret_cast<char*>(buffers_[0].data()), n));
    error->clear();
  }

  void SampleEvidenceBefore() {
    const uint32_t sector = dev_.logical_sector_size();
    const uint64_t sectors = (EvidenceEnd() + sector - 1) / sector;
    if (sectors == 0) return;
    std::vector<uint64_t> lbas = {0, sectors - 1};
    std::vector<uint8_t> rnd(8 * static_cast<size_t>(std::max(0, opt_.evidence_sectors)));
    if (env_->RandomBytes(rnd.data(), rnd.size()).ok()) {
      for (size_t i = 0; i < rnd.size(); i += 8) {
        uint64_t v;
        std::memcpy(&v, rnd.data() + i, 8);
        lbas.push_back(v % sectors);
      }
    }
    std::sort(lbas.begin(), lbas.end());
    lbas.erase(std::unique(lbas.begin(), lbas.end()), lbas.end());
    for (uint64_t lba : lbas) {
      SectorEvidence e;
      e.lba = lba;
      HashSector(lba, &e.before_sha256, &e.before_error);
      s_.evidence.push_back(e);
    }
  }

  void Progress(const char* phase, uint64_t done, uint64_t total, Clock::time_point phase_start,
                bool force = false) {
    if (opt_.sink == nullptr || (!force && MsSince(last_progress_) < kProgressEveryMs)) return;
    last_progress_ = Clock::now();
    WipeProgress p;
    p.wipe_id = s_.wipe_id;
    p.pass = s_.pass + 1;
    p.passes = static_cast<int>(s_.passes.size());
    p.phase = phase;
    p.bytes_done = done;
    p.bytes_total = total;
    const uint64_t ms = MsSince(phase_start);
    p.bytes_per_second = ms == 0 ? 0 : (done - phase_base_) * 1000 / ms;
    opt_.sink->OnProgress(p);
  }

  // Recorded in the events; empty when no pass is random.
  std::string GeneratorName() const {
    for (const WipePass& p : s_.passes) {
      if (p.kind == WipePass::Kind::kRandom) {
        return std::string(crypto::KeystreamGeneratorName(s_.generator));
      }
    }
    return "";
  }

  bool StopRequested() const { return opt_.stop != nullptr && opt_.stop->load(); }

  // A transfer tried 1 + retries times; the last attempt's status.
  template <typename Transfer>
  Status WithRetries(Transfer transfer) const {
    Status s;
    for (int attempt = 0; attempt <= opt_.retries; ++attempt) {
      s = transfer();
      if (s.ok()) break;
    }
    return s;
  }

  // Transfers [offset, offset + length) with retries and, if that fails,
  // narrows the failure down to the sectors that really fail, by bisection:
  // each half is tried (with retries), and only the halves that fail are split
  // again, down to single sectors (or the partial sector at a region's start
  // or end: halves are cut on sector boundaries). One bad sector in a chunk
  // of 16,384 costs 14 levels of a good half and a failing one (with its
  // retries), about 60 transfers, where retrying sector by sector cost 16,384
  // transfers. The failing sectors reach `on_failed(offset, length, status)`
  // from left to right, each after its own transfer failed 1 + retries times:
  // for a lasting fault exactly the sectors, in the order, that a
  // sector-by-sector retry finds (a passing fault gets more tries, never
  // fewer). A non-OK return from on_failed stops the search.
  template <typename Transfer, typename OnFailed>
  Status TransferOrBisect(uint64_t offset, uint64_t length, Transfer& transfer,
                          OnFailed& on_failed) const {
    Status s = WithRetries([&] { return transfer(offset, length); });
    // A span of one sector gets a second round as that sector, as the
    // sector-by-sector retry gave it after the chunk's own.
    if (!s.ok() && Sectors(offset, length) == 1) {
      s = WithRetries([&] { return transfer(offset, length); });
    }
    if (s.ok()) return s;
    return Bisect(offset, length, s, transfer, on_failed);
  }

  // The sectors [offset, offset + length) touches.
  uint64_t Sectors(uint64_t offset, uint64_t length) const {
    const uint32_t sector = dev_.logical_sector_size();
    return (offset + length + sector - 1) / sector - offset / sector;
  }

  // `failure`: why [offset, offset + length) failed, after its retries.
  template <typename Transfer, typename OnFailed>
  Status Bisect(uint64_t offset, uint64_t length, const Status& failure, Transfer& transfer,
                OnFailed& on_failed) const {
    const uint64_t sectors = Sectors(offset, length);
    if (sectors <= 1) return on_failed(offset, length, failure);
    const uint32_t sector = dev_.logical_sector_size();
    const uint64_t middle = (offset / sector + sectors / 2) * sector;
    const uint64_t halves[2][2] = {{offset, middle - offset},
                                   {middle, offset + length - middle}};
    for (const auto& h : halves) {
      Status s = WithRetries([&] { return transfer(h[0], h[1]); });
      if (!s.ok()) CUSTODY_RETURN_IF_ERROR(Bisect(h[0], h[1], s, transfer, on_failed));
    }
    return Status::Ok();
  }

  // Writes one chunk; a failing transfer is retried, then bisected so that
  // only the sectors that really fail are lost (and recorded). The pieces sit
  // inside the buffer, not on the device's memory alignment: BlockDevice::
  // WriteAt copies them to an aligned buffer so that they still bypass the
  // page cache, where a failing write would seem to succeed and fail only at
  // the flush, with no LBA to record.
  Status WriteChunk(uint64_t offset, const uint8_t* data, size_t n) {
    auto transfer = [&](uint64_t o, uint64_t len) {
      return dev_.WriteAt(o, data + (o - offset), static_cast<size_t>(len));
    };
    auto on_failed = [&](uint64_t o, uint64_t len, const Status& why) -> Status {
      last_io_error_ = why.message();
      AppendRange(&s_.pass_write_errors, o, len);
      error_bytes_ += len;
      if (error_bytes_ > opt_.max_error_bytes) return TooManyErrors();
      return Status::Ok();
    };
    return TransferOrBisect(offset, n, transfer, on_failed);
  }

  Status TooManyErrors() {
    dying_ = true;
    const std::string last = last_io_error_.empty() ? "" : " (last error: " + last_io_error_ + ")";
    if (dev_.is_regular_file()) {
      return IoError(std::to_string(error_bytes_) + " bytes of " + dev_.path() +
                     " could not be overwritten or read back" + last +
                     ": its old data may remain there. Check the disk (dmesg, smartctl) and "
                     "wipe the file again, or wipe the whole device.");
    }
    return IoError("more than " + std::to_string(opt_.max_error_bytes) +
                   " bytes could not be written or read back; the device is failing" + last +
                   ". Destroy it physically.");
  }

  // Producer side of verification: unreadable sectors go to chunk.bad, found
  // by the same bisection as writes. Its reads of pieces from the middle of
  // the buffer reach the medium as the chunk's read does (BlockDevice::ReadAt
  // bounces them through aligned memory), never a copy in the page cache.
  Status ReadChunk(Chunk& c) {
    auto transfer = [&](uint64_t o, uint64_t len) {
      return dev_.ReadAt(o, c.data + (o - c.offset), static_cast<size_t>(len));
    };
    auto on_failed = [&](uint64_t o, uint64_t len, const Status&) -> Status {
      AppendRange(&c.bad, o, len);
      return Status::Ok();
    };
    return TransferOrBisect(c.offset, c.length, transfer, on_failed);
  }

  Status Checkpoint(uint64_t position) {
    if (s_.phase == "write") {
      Status f = dev_.Flush();
      if (!f.ok()) return f;
    }
    s_.offset = position;
    s_.pass_duration_ms = pass_base_ms_ + MsSince(phase_start_);
    last_checkpoint_ = Clock::now();
    return SaveState();
  }

  // Stops the current phase at `position` (flushing first) on interrupt.
  Status Stop(Status why, uint64_t position) {
    if (why.code() == StatusCode::kInterrupted) {
      Status c = Checkpoint(position);
      if (!c.ok()) return c;
    } else {
      SaveState().IgnoreError();  // Keeps the last durable position.
    }
    return why;
  }

  // `record_digests`: remember what each chunk was (WrittenDigests) for the
  // full read-back that follows this pass.
  Status WritePass(bool record_digests) {
    const WipePass& pass = s_.passes[s_.pass];
    PatternSource source(pass, s_.generator, s_.keys[s_.pass]);
    if (record_digests && !digests_) {
      uint64_t seed = 0;
      CUSTODY_RETURN_IF_ERROR(env_->RandomBytes(reinterpret_cast<uint8_t*>(&seed), sizeof seed));
      digests_.emplace(seed);
    }
    if (digests_) digests_->Clear();
    ChunkCursor cursor(s_.regions, s_.offset, buffer_bytes_);
    uint64_t position = s_.offset;
    phase_base_ = BytesBelow(s_.regions, s_.offset);
    uint64_t done = phase_base_;
    uint64_t unhinted_from = s_.offset;  // Written since the last writeback hint.
    Status s = erase::RunPipeline(
        buffers_, [&](uint64_t* o, size_t* n) { return cursor.Next(o, n); },
        [&](Chunk& c) {
          source.Fill(c.offset, c.data, c.length);
          if (record_digests) digests_->Record(c.offset, c.data, c.length);
          return Status::Ok();
        },
        [&](Chunk& c) -> Status {
          if (StopRequested()) return InterruptedError("stopped");
          CUSTODY_RETURN_IF_ERROR(WriteChunk(c.offset, c.data, c.length));
          position = c.offset + c.length;
          unhinted_from = std::min(unhinted_from, c.offset);
          if (position - unhinted_from >= kWritebackWindowBytes) {
            dev_.StartWriteback(unhinted_from, position - unhinted_from);
            unhinted_from = position;
          }
          done += c.length;
          s_.bytes_written += c.length;
          Progress("write", done, s_.bytes, phase_start_);
          if (MsSince(last_checkpoint_) >= opt_.checkpoint_ms) {
            return Checkpoint(position);
          }
          return Status::Ok();
        });
    if (!s.ok()) return Stop(s, position);
    Progress("write", done, s_.bytes, phase_start_, true);
    return Status::Ok();
  }

  bool WholeDevice() const {
    return s_.regions.size() == 1 && s_.regions[0].offset == 0 &&
           s_.regions[0].length == dev_.size();
  }

  Status VerifyPass(WipeVerifiedEvent* ev) {
    const WipePass& pass = s_.passes[s_.pass];
    const bool sample = s_.plan.verify.mode == VerifyMode::kSample && WholeDevice();
    std::vector<ByteRange> ranges = s_.regions;
    if (sample) {
      if (s_.verify.sample_seed.empty()) {
        s_.verify.sample_seed.resize(erase::kSampleSeedBytes);
        CUSTODY_RETURN_IF_ERROR(env_->RandomBytes(
            reinterpret_cast<uint8_t*>(s_.verify.sample_seed.data()), s_.verify.sample_seed.size()));
      }
      ranges = erase::SampleLocations(dev_.size(), dev_.logical_sector_size(),
                                      s_.plan.verify.sample_basis_points, s_.verify.sample_seed);
    }
    const uint64_t total = Total(ranges);
    ChunkCursor cursor(ranges, s_.offset, buffer_bytes_);
    uint64_t position = s_.offset;
    phase_base_ = BytesBelow(ranges, s_.offset);
    erase::VerifyProgress& v = s_.verify;
    uint64_t checked_now = 0;
    // Two workers each read a chunk and check it against the regenerated
    // pass (their own PatternSource: it is not thread-safe), so the AES-CTR
    // regeneration runs on both cores and one reads while the other checks; the
    // consumer below only records results, in order. With one checker the
    // keystream (about 2-5 GB/s per core here, less under load) was slower
    // than a tmpfs-backed loop device reads.
    const int workers = static_cast<int>(
        std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, kBuffersInFlight - 1));
    std::vector<std::unique_ptr<PatternSource>> sources;
    for (int i = 0; i < workers; ++i) {
      sources.push_back(std::make_unique<PatternSource>(pass, s_.generator, s_.keys[s_.pass]));
    }
    const std::vector<ByteRange>& write_errors = s_.write_errors;  // Not changed while verifying.
    Status s = erase::RunParallelPipeline(
        buffers_, workers, [&](uint64_t* o, size_t* n) { return cursor.Next(o, n); },
        [&](Chunk& c, int worker) -> Status {
          // The workers' reads overlap (BlockDevice::ReadAt is safe for
          // that): a loop device over a file serves two reads at once, and
          // taking turns (one read in flight, as dd has) read back a 2 GiB
          // file-backed loop device at 0.85x dd's speed, against 0.99x with
          // two in flight (bench/wipe_bench, session 12).
          CUSTODY_RETURN_IF_ERROR(ReadChunk(c));
          // Most chunks are judged by their digest; the rest (unreadable
          // sectors, a digest that differs, none recorded) byte by byte.
          if (c.bad.empty() && digests_ && digests_->Matches(c.offset, c.data, c.length)) {
            return Status::Ok();
          }
          std::vector<ByteRange> skip = write_errors;
          if (!c.bad.empty()) MergeRanges(&skip, c.bad);
          c.mismatched = sources[worker]->Check(c.offset, c.data, c.length,
                                                dev_.logical_sector_size(), skip, &c.found);
          return Status::Ok();
        },
        [&](Chunk& c) -> Status {
          if (StopRequested()) return InterruptedError("stopped");
          if (!c.bad.empty()) {
            MergeRanges(&v.unreadable, c.bad);
            error_bytes_ += Total(c.bad);
            if (error_bytes_ > opt_.max_error_bytes) return TooManyErrors();
          }
          v.mismatched_bytes += c.mismatched;
          for (const ByteRange& r : c.found) {
            const bool adjacent = !v.mismatches.empty() &&
                                  v.mismatches.back().offset + v.mismatches.back().length == r.offset;
            if (v.mismatches.size() < 64 || adjacent) AppendRange(&v.mismatches, r.offset, r.length);
          }
          v.bytes_checked += c.length;
          checked_now += c.length;
          position = c.offset + c.length;
          Progress("verify", phase_base_ + checked_now, total, phase_start_);
          if (MsSince(last_checkpoint_) >= opt_.checkpoint_ms) return Checkpoint(position);
          return Status::Ok();
        });
    if (!s.ok()) return Stop(s, position);
    ev->wipe_id = s_.wipe_id;
    ev->pass = s_.pass + 1;
    ev->mode = sample ? "sample" : "full";
    ev->bytes_checked = v.bytes_checked;
    ev->coverage_basis_points = erase::CoverageBasisPoints(ranges, s_.bytes);
    ev->ok = v.mismatched_bytes == 0;
    ev->mismatched_bytes = v.mismatched_bytes;
    ev->mismatches = v.mismatches;
    ev->unreadable = v.unreadable;
    if (sample) ev->locations = ranges;
    ev->duration_ms = pass_base_ms_ + MsSince(phase_start_);
    return Status::Ok();
  }

  WipeFinishedEvent Finish(WipeResult result, std::string message, bool keep_state) {
    WipeFinishedEvent f;
    f.wipe_id = s_.wipe_id;
    f.target = s_.target;
    f.plan = s_.plan;
    f.passes_planned = s_.passes;
    f.generator = GeneratorName();
    f.warnings = s_.warnings;
    f.started_at = s_.started_at;
    f.verify_mode = last_verify_mode_;
    f.verify_coverage_basis_points = last_verify_coverage_;
    f.result = result;
    f.message = std::move(message);
    f.passes_completed = s_.passes_completed;
    f.passes = static_cast<int>(s_.passes.size());
    f.bytes_written = s_.bytes_written;
    f.verified = s_.verifications > 0 && s_.all_verified;
    f.verification_failed = !s_.all_verified;
    f.write_errors = s_.write_errors;
    // A pass that ended early (its flush failed, too many errors, a stop)
    // still holds its failing sectors here: they belong in the record too.
    MergeRanges(&f.write_errors, s_.pass_write_errors);
    f.unreadable = s_.unreadable;
    f.evidence = s_.evidence;
    f.duration_ms = base_duration_ms_ + MsSince(run_start_);
    f.finished_at = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
    // A wipe whose read-back found other data than it wrote is never kept to
    // resume: continuing it could end in a success (also when the mismatch
    // came with a step that could not be recorded).
    if (!s_.all_verified) keep_state = false;
    // Nor is one stopped because the device failed past max_error_bytes: the
    // error count is not kept, so a resume would start it again from zero
    // and carry a dying device to completed-with-errors.
    if (dying_) keep_state = false;
    if (keep_state && !state_path_.empty()) {
      f.state_file = state_path_;
      // `custody wipe list` shows how it ended; the state's position is the
      // last durable one, saved before.
      s_.ended = {std::string(WipeResultName(result)), f.message, f.finished_at};
      SaveState().IgnoreError();
    } else if (!state_path_.empty()) {
      env_->RemoveFile(state_path_).IgnoreError();
    }
    return f;
  }

  Result<WipeFinishedEvent> Run(bool resumed) {
    run_start_ = Clock::now();
    base_duration_ms_ = s_.duration_ms;
    last_checkpoint_ = Clock::now();
    if (!opt_.state_dir.empty()) {
      CUSTODY_RETURN_IF_ERROR(env_->CreateDir(opt_.state_dir, 0700));
    }
    if (!resumed) {
      SampleEvidenceBefore();
      CUSTODY_RETURN_IF_ERROR(SaveState());
      WipeStartedEvent ev;
      ev.wipe_id = s_.wipe_id;
      ev.target = s_.target;
      ev.plan = s_.plan;
      ev.passes = s_.passes;
      ev.generator = GeneratorName();
      ev.warnings = s_.warnings;
      ev.bytes = s_.bytes;
      ev.direct_io = dev_.direct_io();
      ev.buffer_bytes = buffer_bytes_;
      ev.started_at = s_.started_at;
      ev.tree_id = opt_.tree_id;
      if (opt_.sink != nullptr) {
        Status st = opt_.sink->OnStarted(ev);
        if (!st.ok()) {
          if (!state_path_.empty()) env_->RemoveFile(state_path_).IgnoreError();
          return st.WithContext("the wipe was not started because wipe.started could not be recorded");
        }
      }
    } else {
      ++s_.resume_count;
      s_.ended = {};  // Running again: a crash from here on leaves no end.
      CUSTODY_RETURN_IF_ERROR(SaveState());
      WipeResumedEvent ev;
      ev.wipe_id = s_.wipe_id;
      ev.resume_count = s_.resume_count;
      ev.pass = s_.pass + 1;
      ev.phase = s_.phase;
      ev.offset = s_.offset;
      ev.resumed_at = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
      ev.target = opt_.target;
      if (opt_.sink != nullptr) {
        CUSTODY_RETURN_IF_ERROR(opt_.sink->OnResumed(ev).WithContext(
            "the wipe was not resumed because wipe.resumed could not be recorded"));
      }
    }
    WipeFinishedEvent f = Passes();
    if (opt_.sink != nullptr) {
      Status st = opt_.sink->OnFinished(f);
      if (!st.ok()) {
        return st.WithContext("wipe " + s_.wipe_id + " ended " +
                              std::string(WipeResultName(f.result)) + " but " + f.EventType() +
                              " could not be recorded");
      }
    }
    return f;
  }

  WipeFinishedEvent Passes() {
    const int n = static_cast<int>(s_.passes.size());
    auto stopped = [&](const Status& s) {
      if (s.code() == StatusCode::kInterrupted) {
        // Without a state directory (file wipes) nothing can be resumed:
        // say so instead of pointing at a --resume that would not find it.
        const MessageText next =
            opt_.state_dir.empty()
                ? MessageText::Of(N_("nothing is kept to resume from: run the wipe again"))
                : MessageText::Of(N_("continue with: custody wipe --resume %s"),
                                  {MessageText::Value(s_.wipe_id)});
        // The phase ("write", "verify") is one of the words interfaces translate.
        const MessageText text = MessageText::Of(
            N_("stopped during pass %s/%s (%s) at byte %s; %s"),
            {MessageText::Value(std::to_string(s_.pass + 1)), MessageText::Value(std::to_string(n)),
             MessageText::Of(s_.phase.c_str()), MessageText::Value(std::to_string(s_.offset)), next});
        WipeFinishedEvent f = Finish(WipeResult::kInterrupted, text.English(), true);
        f.message_text = text;
        return f;
      }
      return Finish(WipeResult::kFailed, s.message(), true);
    };
    while (s_.pass < n) {
      const bool verify_this =
          s_.plan.verify.mode == VerifyMode::kAll ||
          ((s_.plan.verify.mode == VerifyMode::kLast || s_.plan.verify.mode == VerifyMode::kSample) &&
           s_.pass == n - 1);
      phase_start_ = Clock::now();
      pass_base_ms_ = s_.pass_duration_ms;
      if (s_.phase == "write") {
        // Digests serve full read-backs of random passes; a sample reads too
        // little for them to pay (and patterns are checked by a memcmp).
        const bool full_verify =
            verify_this && s_.passes[s_.pass].kind == WipePass::Kind::kRandom &&
            !(s_.plan.verify.mode == VerifyMode::kSample && WholeDevice());
        Status s = WritePass(full_verify);
        if (!s.ok()) return stopped(s);
        // One flush per pass: the pass is not complete until the device says
        // its cache reached the medium. A failed flush names no sector, so
        // none of the pass's writes can be counted as durable (not even after
        // the failing sectors were recorded): the wipe fails, never ends
        // completed or completed-with-errors.
        s = dev_.Flush();
        if (!s.ok()) {
          return Finish(WipeResult::kFailed,
                        "the device did not confirm pass " + std::to_string(s_.pass + 1) +
                            " reached the medium (" + s.message() +
                            "): the data may not be erased. Check the device (dmesg, smartctl) "
                            "and wipe again, or destroy it.",
                        true);
        }
        WipePassEvent ev;
        ev.wipe_id = s_.wipe_id;
        ev.pass = s_.pass + 1;
        ev.passes = n;
        ev.pattern = s_.passes[s_.pass].Describe();
        ev.bytes_written = s_.bytes;
        ev.duration_ms = pass_base_ms_ + MsSince(phase_start_);
        ev.write_errors = s_.pass_write_errors;
        if (opt_.sink != nullptr) {
          s = opt_.sink->OnPassCompleted(ev);
          if (!s.ok()) {
            // The pass is written and flushed but not recorded: a resume
            // starts at its end, writes nothing, flushes and records it
            // (counted once).
            s_.offset = RegionsEnd();
            s_.pass_duration_ms = ev.duration_ms;
            SaveState().IgnoreError();
            return Finish(WipeResult::kFailed, "recording wipe.pass.completed: " + s.message(),
                          true);
          }
        }
        MergeRanges(&s_.write_errors, s_.pass_write_errors);
        s_.pass_write_errors.clear();
        ++s_.passes_completed;
        s_.phase = verify_this ? "verify" : "write";
        if (!verify_this) ++s_.pass;
        s_.offset = 0;
        s_.pass_duration_ms = 0;
        s_.verify = {};
        Status save = SaveState();
        if (!save.ok()) return Finish(WipeResult::kFailed, save.message(), false);
        continue;
      }
      // phase == "verify"
      WipeVerifiedEvent ev;
      Status s = VerifyPass(&ev);
      if (!s.ok()) return stopped(s);
      if (opt_.sink != nullptr) {
        s = opt_.sink->OnVerified(ev);
        if (!s.ok()) {
          // Read back but not recorded: a resume starts at the end of the
          // read-back (its counts are in the state) and records it. A
          // mismatch is kept in the result (and the state dropped).
          s_.all_verified = s_.all_verified && ev.ok;
          s_.offset = RegionsEnd();
          s_.pass_duration_ms = ev.duration_ms;
          SaveState().IgnoreError();
          return Finish(WipeResult::kFailed, "recording wipe.verified: " + s.message(), true);
        }
      }
      ++s_.verifications;
      last_verify_mode_ = ev.mode;
      last_verify_coverage_ = ev.coverage_basis_points;
      s_.all_verified = s_.all_verified && ev.ok;
      MergeRanges(&s_.unreadable, s_.verify.unreadable);
      if (!ev.ok) {
        return Finish(WipeResult::kFailed,
                      "verification of pass " + std::to_string(s_.pass + 1) + " found " +
                          std::to_string(ev.mismatched_bytes) +
                          " bytes that are not what was written: the data may not be erased. "
                          "Wipe again or destroy the device.",
                      false);
      }
      s_.phase = "write";
      ++s_.pass;
      s_.offset = 0;
      s_.pass_duration_ms = 0;
      s_.verify = {};
      Status save = SaveState();
      if (!save.ok()) return Finish(WipeResult::kFailed, save.message(), false);
    }
    for (SectorEvidence& e : s_.evidence) HashSector(e.lba, &e.after_sha256, &e.after_error);
    if (!s_.write_errors.empty() || !s_.unreadable.empty()) {
      return Finish(WipeResult::kCompletedWithErrors,
                    std::to_string(Total(s_.write_errors)) + " bytes could not be written and " +
                        std::to_string(Total(s_.unreadable)) +
                        " bytes could not be read back (ranges listed); data there may remain. "
                        "Destroy the device or use its sanitize command." +
                        (last_io_error_.empty() ? "" : " Last error: " + last_io_error_),
                    false);
    }
    return Finish(WipeResult::kCompleted, "", false);
  }

 private:
  BlockDevice& dev_;
  const WipeOptions& opt_;
  Env* env_;
  WipeState s_;
  std::string state_path_;
  size_t buffer_bytes_ = 0;
  std::vector<AlignedBuffer> buffers_;
  // What the pass being verified wrote in this process (none after a resume
  // that starts in the verify phase).
  std::optional<erase::WrittenDigests> digests_;
  std::atomic<bool> dying_{false};  // TooManyErrors was reached (any thread).
  uint64_t error_bytes_ = 0;
  std::string last_io_error_;
  std::string last_verify_mode_ = "none";
  uint32_t last_verify_coverage_ = 0;
  uint64_t base_duration_ms_ = 0;
  uint64_t pass_base_ms_ = 0;
  uint64_t phase_base_ = 0;
  Clock::time_point run_start_, phase_start_, last_checkpoint_, last_progress_;
};

// Regions are whole sectors (a regular file's last one may be partial): a
// partial sector can only be written through the page cache, where a failing
// write is not reported until the flush and then without its LBA.
Status ValidateRegions(const std::vector<ByteRange>& regions, uint64_t size, uint32_t sector) {
  uint64_t end = 0;
  for (const ByteRange& r : regions) {
    if (r.length == 0 || r.offset < end || r.offset > size || r.length > size - r.offset) {
      return InvalidArgumentError("wipe regions must be sorted, disjoint and inside the device");
    }
    end = r.offset + r.length;
    if (r.offset % sector != 0 || (end % sector != 0 && end != size)) {
      return InvalidArgumentError("wipe regions must start and end on a sector boundary (" +
                                  std::to_string(sector) + " bytes) or at the end of the device");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<WipeFinishedEvent> RunWipe(BlockDevice& device, const WipeOptions& options, Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<WipePass> passes, ExpandPlan(options.plan));
  CUSTODY_RETURN_IF_ERROR(
      ValidateRegions(options.regions, device.size(), device.logical_sector_size()));
  if (device.size() == 0) return InvalidArgumentError(device.path() + " is empty: nothing to wipe");
  WipeState s;
  s.wipe_id = options.wipe_id.empty() ? NewWipeId(env) : options.wipe_id;
  s.target = options.target;
  if (s.target.path.empty()) s.target.path = device.path();
  if (s.target.size_bytes == 0) s.target.size_bytes = device.size();
  if (s.target.logical_sector_size == 0) s.target.logical_sector_size = device.logical_sector_size();
  if (s.target.physical_sector_size == 0) {
    s.target.physical_sector_size = device.physical_sector_size();
  }
  s.plan = options.plan;
  s.passes = passes;
  s.generator = crypto::kOverwriteGenerator;
  for (const WipePass& p : passes) {
    std::string key;
    if (p.kind == WipePass::Kind::kRandom) {
      key.resize(crypto::KeystreamKeySize(s.generator));
      CUSTODY_RETURN_IF_ERROR(env->RandomBytes(reinterpret_cast<uint8_t*>(key.data()), key.size()));
    }
    s.keys.push_back(key);
  }
  s.warnings = options.warnings;
  s.regions = options.regions.empty() ? std::vector<ByteRange>{{0, device.size()}} : options.regions;
  s.bytes = Total(s.regions);
  s.started_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  return Engine(device, options, env, std::move(s)).Run(false);
}

Result<WipeStateSummary> ReadWipeState(const std::string& state_dir, const std::string& wipe_id,
                                       Env* env) {
  if (wipe_id.empty() || wipe_id.find('/') != std::string::npos || wipe_id[0] == '.') {
    return InvalidArgumentError("'" + wipe_id + "' is not a wipe id");
  }
  const std::string path = erase::StatePath(state_dir, wipe_id);
  auto text = env->ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no unfinished wipe " + wipe_id + " (no " + path + ")");
    }
    return text.status();
  }
  CUSTODY_ASSIGN_OR_RETURN(WipeState s, erase::ParseState(*text));
  WipeStateSummary out;
  out.wipe_id = s.wipe_id;
  out.state_file = path;
  out.target = s.target;
  out.plan = s.plan;
  out.pass = s.pass + 1;
  out.phase = s.phase;
  out.offset = s.offset;
  out.bytes = s.bytes;
  out.resume_count = s.resume_count;
  out.ended = s.ended.result;
  out.end_message = s.ended.message;
  out.ended_at = s.ended.at;
  if (!s.all_verified) {
    out.resumable = false;
    out.not_resumable =
        "a read-back found data that is not what was written: the data may not be erased, and "
        "continuing cannot make this wipe a success. Wipe the device again from the start or "
        "destroy it";
  } else if (s.pass >= static_cast<int>(s.passes.size())) {
    out.resumable = false;
    out.not_resumable = "it has no pass left to resume";
  }
  return out;
}

Result<std::vector<WipeStateSummary>> ListWipeStates(const std::string& state_dir, Env* env) {
  std::vector<WipeStateSummary> out;
  if (!env->FileExists(state_dir)) return out;
  CUSTODY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(state_dir));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (name.size() <= 5 || !name.ends_with(".json") || name[0] == '.') continue;
    auto s = ReadWipeState(state_dir, name.substr(0, name.size() - 5), env);
    if (s.ok()) out.push_back(std::move(*s));
  }
  return out;
}

Result<WipeFinishedEvent> ResumeWipe(BlockDevice& device, const WipeOptions& options, Env* env) {
  if (options.state_dir.empty()) return InvalidArgumentError("resuming needs the state directory");
  CUSTODY_ASSIGN_OR_RETURN(WipeStateSummary summary,
                           ReadWipeState(options.state_dir, options.wipe_id, env));
  CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(summary.state_file));
  CUSTODY_ASSIGN_OR_RETURN(WipeState s, erase::ParseState(text));
  if (!summary.resumable) {
    return FailedPreconditionError("wipe " + s.wipe_id + " cannot be resumed: " +
                                   summary.not_resumable);
  }
  const uint64_t end = s.regions.back().offset + s.regions.back().length;
  if (end > device.size() || (s.target.size_bytes != 0 && s.target.size_bytes != device.size())) {
    return FailedPreconditionError("wipe " + s.wipe_id + " was started on a device of " +
                                   std::to_string(s.target.size_bytes) + " bytes but " +
                                   device.path() + " has " + std::to_string(device.size()) +
                                   "; is it the same device?");
  }
  // Every identity the start recorded must be there again. A device that
  // reports none now (an unidentified target, a disk behind another bridge)
  // is not taken for the same one: resuming writes to it without asking
  // again what it is.
  if (Status same = CheckSameDevice(s.target, options.target); !same.ok()) {
    return FailedPreconditionError("wipe " + s.wipe_id + " was started on another device (" +
                                   same.message() + "); refusing to resume on another device");
  }
  return Engine(device, options, env, std::move(s)).Run(true);
}

}  // namespace custody
