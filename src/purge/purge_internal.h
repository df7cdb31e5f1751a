// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared between the per-interface purge drivers (nvme_purge.cc,
// ata_purge.cc, scsi_purge.cc) and the front half in purge.cc.
#ifndef CUSTODY_SRC_PURGE_PURGE_INTERNAL_H_
#define CUSTODY_SRC_PURGE_PURGE_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "custody/purge.h"

namespace custody::purge {

// What a driver needs while it runs: the record, the clock, progress.
class Runner {
 public:
  Runner(PurgeTarget& target, const PurgePlan& plan, const PurgeOptions& options,
         PurgeReport* report);

  PurgeTarget& target() { return target_; }
  const PurgePlan& plan() const { return plan_; }
  const PurgeOptions& options() const { return options_; }
  PurgeReport& report() { return *report_; }

  // Records an event; the data gets no secrets, ever.
  Status Record(std::string_view type, nlohmann::json data);
  // Records the exact bytes of a command about to be sent (and keeps them
  // in the report). Call before sending: the record must show the attempt.
  Status RecordCommand(std::string_view name, std::string_view hex);
  void Progress(std::string_view phase, double fraction, int64_t eta_seconds);
  void Sleep();
  int64_t NowMicros() const;
  double ElapsedSeconds(int64_t since_micros) const;
  // How long to follow a drive whose own estimate is `estimate_seconds`
  // (0 or 0xFFFFFFFF: none).
  uint64_t TimeoutSeconds(uint64_t estimate_seconds) const;
  // Every command recorded so far, as [{command, bytes}].
  const nlohmann::json& commands() const { return commands_; }

 private:
  PurgeTarget& target_;
  const PurgePlan& plan_;
  const PurgeOptions& options_;
  PurgeReport* report_;
  nlohmann::json commands_ = nlohmann::json::array();
};

std::string HexBytes(const uint8_t* data, size_t n);
template <typename C>
std::string HexOf(const C& c) {
  return HexBytes(reinterpret_cast<const uint8_t*>(c.data()), c.size());
}

// The temporary ATA user password custody sets to enable SECURITY ERASE
// UNIT. Deliberately fixed and documented (docs/formats/purge-record.md):
// it protects nothing (the drive is being erased), and a random one would
// leave a drive locked for good if custody died between SET PASSWORD and
// the erase; with this one the operator can always unlock it.
inline constexpr std::string_view kTemporaryAtaPassword = "custody-purge";

Status ProbeNvme(PurgeTarget& target, PurgeProbe* probe);
Status ProbeAta(PurgeTarget& target, PurgeProbe* probe);
Status ProbeScsi(PurgeTarget& target, PurgeProbe* probe);
Status RunNvme(Runner& runner);
Status RunAta(Runner& runner);
Status RunScsi(Runner& runner);

std::string FrozenSecurityAdvice();

}  // namespace custody::purge

#endif  // CUSTODY_SRC_PURGE_PURGE_INTERNAL_H_
