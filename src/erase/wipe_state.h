// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The resume state of one wipe (docs/formats/wipe-record.md, "State file"):
// everything needed to continue after an interruption or a crash, written
// atomically (temp file, fsync, rename) at every checkpoint.
#ifndef CUSTODY_SRC_ERASE_WIPE_STATE_H_
#define CUSTODY_SRC_ERASE_WIPE_STATE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/keystream.h"
#include "custody/wipe.h"

namespace custody::erase {

// /2 names the random passes' generator; /1 (before it) always meant
// AES-256-CTR with 32-byte keys and is still read.
constexpr char kStateFormat[] = "custody-wipe-state/2";
constexpr char kStateFormatV1[] = "custody-wipe-state/1";

struct VerifyProgress {
  std::string sample_seed;  // 32 bytes (sample mode)
  uint64_t bytes_checked = 0;
  uint64_t mismatched_bytes = 0;
  std::vector<ByteRange> mismatches;
  std::vector<ByteRange> unreadable;
  uint64_t duration_ms = 0;
};

// How a run of the wipe ended while keeping its state (docs/formats/
// wipe-record.md, "ended"); empty `result` while it runs, and when it
// stopped without ending (a crash, a power cut) or an older custody wrote
// the file.
struct WipeEnd {
  std::string result;  // "interrupted" or "failed"
  std::string message;
  std::string at;      // RFC 3339 UTC
};

struct WipeState {
  std::string wipe_id;
  DeviceInfo target;
  WipePlan plan;
  std::vector<WipePass> passes;
  // The keystream of every random pass of this wipe: AES-128-CTR for new
  // wipes, AES-256-CTR for those started before (a resumed wipe must
  // regenerate exactly the stream it wrote).
  crypto::KeystreamGenerator generator = crypto::kOverwriteGenerator;
  // One key of KeystreamKeySize(generator) bytes per random pass (empty for
  // patterns). Why stored at all: a resumed pass must continue the same
  // stream and verification must regenerate it. The key protects nothing (it
  // only decides the overwrite pattern), but it stays out of the ledger and
  // the file is 0600.
  std::vector<std::string> keys;
  std::vector<std::string> warnings;
  std::vector<ByteRange> regions;  // What each pass covers.
  uint64_t bytes = 0;              // Their total.
  std::string started_at;
  int resume_count = 0;
  // Position: the next pass (0-based), its phase, and the byte offset up to
  // which that phase is durable.
  int pass = 0;
  std::string phase = "write";
  uint64_t offset = 0;
  uint64_t pass_duration_ms = 0;  // Of the current phase so far.
  VerifyProgress verify;
  std::vector<ByteRange> pass_write_errors;  // Of the current pass.
  int passes_completed = 0;
  uint64_t bytes_written = 0;
  bool all_verified = true;
  int verifications = 0;
  std::vector<ByteRange> write_errors;
  std::vector<ByteRange> unreadable;
  std::vector<SectorEvidence> evidence;  // "before" filled at the start.
  uint64_t duration_ms = 0;             // Accumulated over earlier runs.
  WipeEnd ended;
};

// A new wipe id: sortable by time, unique by 32 random bits
// (20261123T143000Z-1a2b3c4d).
std::string NewWipeId(Env* env);

nlohmann::json RangesToJson(const std::vector<ByteRange>& ranges);
std::vector<ByteRange> RangesFromJson(const nlohmann::json& j);
nlohmann::json EvidenceToJson(const std::vector<SectorEvidence>& evidence);
nlohmann::json PassesToJson(const std::vector<WipePass>& passes);
nlohmann::json PlanToJson(const WipePlan& plan);
// Serialization that never throws on odd bytes in device strings.
std::string DumpJson(const nlohmann::json& j, int indent = -1);

std::string SerializeState(const WipeState& state);
// kCorruption with the reason when the file is not a valid state.
Result<WipeState> ParseState(std::string_view text);
std::string StatePath(const std::string& state_dir, const std::string& wipe_id);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_WIPE_STATE_H_
