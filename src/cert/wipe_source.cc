// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Certificate rows from overwrite-wipe records (docs/formats/wipe-record.md).
// The wipe engine owns that format; this reads only what a certificate
// prints, and refuses (kCorruption) a record it cannot read rather than
// printing a guess.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cert/device_identity.h"
#include "custody/certificate.h"
#include "custody/wipe.h"

namespace custody {
namespace {

using Json = nlohmann::json;

}  // namespace

namespace cert {

std::string Coverage(uint64_t basis_points) {
  char buf[32];
  if (basis_points % 100 == 0)
    std::snprintf(buf, sizeof buf, "%llu%%", static_cast<unsigned long long>(basis_points / 100));
  else
    std::snprintf(buf, sizeof buf, "%llu.%02llu%%",
                  static_cast<unsigned long long>(basis_points / 100),
                  static_cast<unsigned long long>(basis_points % 100));
  return buf;
}

}  // namespace cert

namespace {

using cert::Coverage;

Result<CertificateDevice> Build(const std::vector<LedgerEntry>& entries) {
  const LedgerEntry* started = nullptr;
  const LedgerEntry* final_entry = nullptr;
  Json verified;  // The last read-back.
  const LedgerEntry* verified_entry = nullptr;
  Json s, f;
  for (const LedgerEntry& e : entries) {
    if (e.type == "wipe.started") {
      started = &e;
    } else if (e.type == "wipe.completed" || e.type == "wipe.failed" ||
               e.type == "wipe.interrupted") {
      final_entry = &e;  // After a resume, the later final event counts.
    } else if (e.type == "wipe.verified") {
      verified = Json::parse(e.data_json);
      verified_entry = &e;
    }
  }
  if (!started) return NotFoundError("no wipe.started entry for this wipe");
  s = Json::parse(started->data_json);
  if (final_entry) f = Json::parse(final_entry->data_json);

  CertificateDevice d;
  cert::FillIdentity(s.at("target"), &d);

  CertificateMethod& m = d.method;
  m.family = MethodFamily::kOverwrite;
  m.level = SanitizationLevel::kClear;  // NIST SP 800-88: overwriting is Clear.
  const Json& plan = s.at("plan");
  const std::string method = plan.value("method", "");
  auto known = FindWipeMethod(method);
  m.standard = known.ok() ? known->title : method;
  for (const Json& p : s.at("passes")) m.patterns.push_back(p.get<std::string>());
  m.passes = static_cast<int64_t>(m.patterns.size());
  const std::string tool = s.value("tool", "");
  m.tool_name = tool.substr(0, tool.find(' '));
  if (tool.find(' ') != std::string::npos) m.tool_version = tool.substr(tool.find(' ') + 1);
  std::vector<std::string> notes;
  notes.push_back("wipe ID " + s.value("wipe_id", std::string()));
  for (const Json& w : s.value("warnings", Json::array())) notes.push_back(w.get<std::string>());
  d.started = s.value("started_at", "");

  d.outcome = Outcome::kInterrupted;
  d.verification.result = VerificationResult::kNotVerified;
  if (!verified.is_null()) {
    const bool full = verified.value("mode", "") == "full";
    d.verification.method =
        full ? "全数読み戻し (full read-back)" : "抽出読み戻し NIST SP 800-88 (sampled read-back)";
    d.verification.coverage = Coverage(verified.value("coverage_basis_points", uint64_t{0}));
  } else {
    d.verification.method = plan.value("verify", "") == "none" ? "なし (none)" : "";
  }
  if (final_entry) {
    d.finished = f.value("finished_at", "");
    const std::string result = f.value("result", "");
    d.outcome = result == "completed"     ? Outcome::kCompleted
                : result == "interrupted" ? Outcome::kInterrupted
                                          : Outcome::kFailed;
    if (result == "completed-with-errors")
      notes.push_back(
          "書き込み・読み出しできなかったセクタあり (sectors could not be written or read)");
    if (f.value("verified", false))
      d.verification.result = VerificationResult::kPassed;
    else if (f.value("verification_failed", false))
      d.verification.result = VerificationResult::kFailed;
    size_t evidence = f.value("evidence", Json::array()).size();
    if (evidence)
      notes.push_back("消去前後のハッシュ比較 " + std::to_string(evidence) + " セクタ (" +
                      std::to_string(evidence) + " sectors hashed before and after)");
  } else {
    d.finished = d.started;  // Never finished: the row shows when it began.
    notes.push_back("未終了 (no final record)");
  }
  for (const std::string& n : notes) m.details += (m.details.empty() ? "" : "\n") + n;
  // Every entry the row was read from, so a verifier can rebuild it.
  d.sources.push_back({started->seq, started->type});
  if (verified_entry) d.sources.push_back({verified_entry->seq, verified_entry->type});
  if (final_entry) d.sources.push_back({final_entry->seq, final_entry->type});
  return d;
}

}  // namespace

Result<CertificateDevice> DeviceFromWipeEntries(const std::vector<LedgerEntry>& entries) {
  try {
    return Build(entries);
  } catch (const Json::exception& e) {
    return CorruptionError(std::string("unreadable wipe record: ") + e.what());
  }
}

Status AddWipesToContent(Ledger& ledger, const std::vector<std::string>& wipe_ids,
                         CertificateContent* content) {
  std::map<std::string, std::vector<LedgerEntry>> found;
  const std::set<std::string> wanted(wipe_ids.begin(), wipe_ids.end());
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (e.type.rfind("wipe.", 0) != 0) return true;
    auto j = Json::parse(e.data_json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("wipe_id") || !j["wipe_id"].is_string()) return true;
    std::string id = j["wipe_id"].get<std::string>();
    if (wanted.count(id)) found[id].push_back(e);
    return true;
  }));
  for (const std::string& id : wipe_ids) {
    auto it = found.find(id);
    if (it == found.end())
      return NotFoundError("no wipe " + id +
                           " in this station's ledger (custody log show --type wipe)");
    auto d = DeviceFromWipeEntries(it->second);
    if (!d.ok()) return d.status().WithContext("wipe " + id);
    content->devices.push_back(std::move(*d));
  }
  return Status::Ok();
}

}  // namespace custody
