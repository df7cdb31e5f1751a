// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The JSON of each wipe event: the `data` of its ledger entry. Integers only
// (no floats), so the ledger can canonicalize it (RFC 8785 profile).
#include "custody/version.h"
#include "custody/wipe.h"
#include "device/device_json.h"
#include "erase/wipe_state.h"

namespace custody {

using nlohmann::json;
using erase::DumpJson;
using erase::RangesToJson;

std::string_view WipeResultName(WipeResult r) {
  switch (r) {
    case WipeResult::kCompleted: return "completed";
    case WipeResult::kCompletedWithErrors: return "completed-with-errors";
    case WipeResult::kFailed: return "failed";
    case WipeResult::kInterrupted: return "interrupted";
  }
  return "failed";
}

std::string WipeStartedEvent::ToJson() const {
  json j = {{"wipe_id", wipe_id},
            {"tool", std::string("custody ") + Version()},
            {"target", DeviceInfoToJson(target)},
            {"plan", erase::PlanToJson(plan)},
            {"passes", erase::PassesToJson(passes)},
            {"warnings", warnings},
            {"bytes", bytes},
            {"direct_io", direct_io},
            {"buffer_bytes", buffer_bytes},
            {"started_at", started_at}};
  if (!generator.empty()) j["generator"] = generator;
  if (!tree_id.empty()) j["tree_id"] = tree_id;
  return DumpJson(j);
}

std::string WipeResumedEvent::ToJson() const {
  return DumpJson({{"wipe_id", wipe_id},
                   {"resume_count", resume_count},
                   {"pass", pass},
                   {"phase", phase},
                   {"offset", offset},
                   {"resumed_at", resumed_at},
                   {"target", DeviceInfoToJson(target)}});
}

std::string WipePassEvent::ToJson() const {
  return DumpJson({{"wipe_id", wipe_id},
                   {"pass", pass},
                   {"passes", passes},
                   {"pattern", pattern},
                   {"bytes_written", bytes_written},
                   {"duration_ms", duration_ms},
                   {"write_errors", RangesToJson(write_errors)}});
}

std::string WipeVerifiedEvent::ToJson() const {
  json j = {{"wipe_id", wipe_id},
            {"pass", pass},
            {"mode", mode},
            {"bytes_checked", bytes_checked},
            {"coverage_basis_points", coverage_basis_points},
            {"ok", ok},
            {"mismatched_bytes", mismatched_bytes},
            {"mismatches", RangesToJson(mismatches)},
            {"unreadable", RangesToJson(unreadable)},
            {"duration_ms", duration_ms}};
  if (mode == "sample") j["locations"] = RangesToJson(locations);
  return DumpJson(j);
}

std::string WipeFinishedEvent::EventType() const {
  switch (result) {
    case WipeResult::kCompleted:
    case WipeResult::kCompletedWithErrors: return "wipe.completed";
    case WipeResult::kInterrupted: return "wipe.interrupted";
    case WipeResult::kFailed: return "wipe.failed";
  }
  return "wipe.failed";
}

std::string WipeFinishedEvent::ToJson() const {
  json j = {{"wipe_id", wipe_id},
            {"tool", std::string("custody ") + Version()},
            {"target", DeviceInfoToJson(target)},
            {"plan", erase::PlanToJson(plan)},
            {"passes_planned", erase::PassesToJson(passes_planned)},
            {"warnings", warnings},
            {"started_at", started_at},
            {"verification", {{"mode", verify_mode},
                              {"coverage_basis_points", verify_coverage_basis_points}}},
            {"result", std::string(WipeResultName(result))},
            {"message", message},
            {"passes_completed", passes_completed},
            {"passes", passes},
            {"bytes_written", bytes_written},
            {"verified", verified},
            {"verification_failed", verification_failed},
            {"write_errors", RangesToJson(write_errors)},
            {"unreadable", RangesToJson(unreadable)},
            {"evidence", erase::EvidenceToJson(evidence)},
            {"duration_ms", duration_ms},
            {"finished_at", finished_at}};
  if (!state_file.empty()) j["state_file"] = state_file;
  if (!generator.empty()) j["generator"] = generator;
  return DumpJson(j);
}

Status WipeFinishedEvent::ToStatus() const {
  switch (result) {
    case WipeResult::kCompleted: return Status::Ok();
    case WipeResult::kCompletedWithErrors:
      return IoError("wipe " + wipe_id + " completed with errors: " + message);
    case WipeResult::kInterrupted: return InterruptedError("wipe " + wipe_id + " " + message);
    case WipeResult::kFailed:
      return verification_failed
                 ? VerificationFailedError("wipe " + wipe_id + " failed: " + message)
                 : IoError("wipe " + wipe_id + " failed: " + message);
  }
  return InternalError("unknown wipe result");
}

std::string WipeRemovedEvent::ToJson() const {
  return DumpJson({{"wipe_id", wipe_id},
                   {"tree_id", tree_id},
                   {"path", path},
                   {"kind", kind},
                   {"renames", renames},
                   {"removed_at", removed_at}});
}

std::string FreeSpaceWipeEvent::EventType() const {
  switch (result) {
    case WipeResult::kCompleted:
    case WipeResult::kCompletedWithErrors: return "wipe.free-space.completed";
    case WipeResult::kInterrupted: return "wipe.free-space.interrupted";
    case WipeResult::kFailed: return "wipe.free-space.failed";
  }
  return "wipe.free-space.failed";
}

std::string FreeSpaceWipeEvent::ToJson() const {
  json j = {{"wipe_id", wipe_id},
            {"tool", std::string("custody ") + Version()},
            {"mount_point", mount_point},
            {"fs_type", fs_type},
            {"device", device},
            {"plan", erase::PlanToJson(plan)},
            {"passes", passes},
            {"passes_completed", passes_completed},
            {"bytes_filled", bytes_filled},
            {"free_bytes_before", free_bytes_before},
            {"reserved_bytes", reserved_bytes},
            {"free_bytes_total", free_bytes_total},
            {"unreached_bytes", unreached_measured ? json(unreached_bytes) : json(nullptr)},
            {"fill_dir", fill_dir},
            {"verification", {{"mode", verify_mode}}},
            {"verified", verified},
            {"mismatched_bytes", mismatched_bytes},
            {"limitations", limitations},
            {"warnings", warnings},
            {"result", std::string(WipeResultName(result))},
            {"message", message},
            {"started_at", started_at},
            {"finished_at", finished_at},
            {"duration_ms", duration_ms}};
  if (!generator.empty()) j["generator"] = generator;
  if (!reserve_control.empty()) {
    j["ext4_reserved_clusters"] = {{"control", reserve_control},
                                   {"before", reserve_clusters},
                                   {"lowered", reserve_lowered},
                                   {"restored", reserve_restored},
                                   {"error", reserve_error}};
  }
  if (!leftovers_removed.empty()) j["leftovers_removed"] = leftovers_removed;
  return DumpJson(j);
}

std::string FreeSpaceWipeEvent::StartedJson() const {
  json j = {{"wipe_id", wipe_id},
            {"tool", std::string("custody ") + Version()},
            {"mount_point", mount_point},
            {"fs_type", fs_type},
            {"device", device},
            {"plan", erase::PlanToJson(plan)},
            {"passes", passes},
            {"free_bytes_before", free_bytes_before},
            {"reserved_bytes", reserved_bytes},
            {"free_bytes_total", free_bytes_total},
            {"fill_dir", fill_dir},
            {"limitations", limitations},
            {"warnings", warnings},
            {"leftovers_removed", leftovers_removed},
            {"started_at", started_at}};
  if (!generator.empty()) j["generator"] = generator;
  if (!reserve_control.empty()) {
    j["ext4_reserved_clusters"] = {{"control", reserve_control}, {"before", reserve_clusters}};
  }
  return DumpJson(j);
}

Status FreeSpaceWipeEvent::ToStatus() const {
  switch (result) {
    case WipeResult::kCompleted: return Status::Ok();
    case WipeResult::kCompletedWithErrors: return IoError("free-space wipe " + wipe_id + ": " + message);
    case WipeResult::kInterrupted: return InterruptedError("free-space wipe " + wipe_id + " " + message);
    case WipeResult::kFailed:
      return mismatched_bytes > 0
                 ? VerificationFailedError("free-space wipe " + wipe_id + " failed: " + message)
                 : IoError("free-space wipe " + wipe_id + " failed: " + message);
  }
  return InternalError("unknown wipe result");
}

std::string WipeProgress::ToJson() const {
  return DumpJson({{"event", "progress"},
                   {"wipe_id", wipe_id},
                   {"pass", pass},
                   {"passes", passes},
                   {"phase", phase},
                   {"bytes_done", bytes_done},
                   {"bytes_total", bytes_total},
                   {"bytes_per_second", bytes_per_second}});
}

}  // namespace custody
