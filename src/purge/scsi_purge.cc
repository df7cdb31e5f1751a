// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SCSI/SAS purge: SANITIZE with IMMED, progress from REQUEST SENSE.
#include <algorithm>
#include <vector>

#include "custody/passthrough.h"
#include "purge/purge_internal.h"
#include "purge/scsi_commands.h"

namespace custody::purge {
namespace {

using scsi::SanitizeServiceAction;
constexpr uint32_t kTimeoutMs = 60 * 1000;

scsi::SanitizeServiceAction ServiceAction(PurgeAction a) {
  switch (a) {
    case PurgeAction::kSanitizeCryptoErase: return SanitizeServiceAction::kCryptoErase;
    case PurgeAction::kSanitizeOverwrite: return SanitizeServiceAction::kOverwrite;
    default: return SanitizeServiceAction::kBlockErase;
  }
}

// REQUEST SENSE returns the device's current condition as sense data:
// during a sanitize NOT READY, 04h/1Bh with a progress indication.
Result<scsi::Sense> RequestSense(ScsiTransport& t) {
  std::vector<uint8_t> data(252);
  const auto cdb = scsi::BuildRequestSense(static_cast<uint8_t>(data.size()), false);
  CUSTODY_ASSIGN_OR_RETURN(ScsiOutcome out, t.Execute(cdb, DataDirection::kFromDevice, data, kTimeoutMs));
  if (out.status != 0) {
    return IoError("REQUEST SENSE failed (SCSI status " + std::to_string(out.status) + ")");
  }
  data.resize(data.size() - std::min<size_t>(data.size(), out.residual > 0 ? out.residual : 0));
  if (data.empty()) return scsi::Sense{};  // Nothing to report: no sense.
  return scsi::ParseSense(data);
}

Result<scsi::Sense> AwaitSanitize(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  const int64_t start = r.NowMicros();
  const uint64_t limit = r.TimeoutSeconds(0);
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(scsi::Sense s, RequestSense(t));
    if (!scsi::SanitizeInProgress(s)) return s;
    r.Progress("sanitize", s.progress ? *s.progress / 65536.0 : -1, -1);
    if (r.ElapsedSeconds(start) > limit) {
      return InterruptedError("the sanitize is still in progress after " + std::to_string(limit) +
                              " seconds; the drive carries on by itself. Run custody purge "
                              "again to follow it and verify");
    }
    r.Sleep();
  }
}

}  // namespace

Status ProbeScsi(PurgeTarget& target, PurgeProbe* probe) {
  ScsiTransport& t = *target.scsi;
  std::string report;
  for (auto [sa, action] : {std::pair{SanitizeServiceAction::kBlockErase, PurgeAction::kSanitizeBlockErase},
                            std::pair{SanitizeServiceAction::kCryptoErase, PurgeAction::kSanitizeCryptoErase},
                            std::pair{SanitizeServiceAction::kOverwrite, PurgeAction::kSanitizeOverwrite}}) {
    std::vector<uint8_t> data(64);
    const auto cdb = scsi::BuildReportSupportedOpcode(scsi::kOpSanitize, static_cast<uint16_t>(sa),
                                                      static_cast<uint32_t>(data.size()));
    CUSTODY_ASSIGN_OR_RETURN(ScsiOutcome out, t.Execute(cdb, DataDirection::kFromDevice, data, kTimeoutMs));
    if (out.status != 0) {
      // No REPORT SUPPORTED OPERATION CODES: support cannot be asked, only tried.
      probe->support_unknown = true;
      report = "unknown (REPORT SUPPORTED OPERATION CODES not supported)";
      break;
    }
    CUSTODY_ASSIGN_OR_RETURN(uint8_t support, scsi::ParseOneCommandSupport(data));
    if (scsi::SupportMeansSupported(support)) {
      probe->supported.push_back(action);
      if (!report.empty()) report += ",";
      report += PurgeActionName(action);
    }
  }
  probe->facts.emplace_back("sanitize", report.empty() ? "not supported" : report);
  return Status::Ok();
}

Status RunScsi(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  CUSTODY_ASSIGN_OR_RETURN(scsi::Sense now, RequestSense(t));
  if (scsi::SanitizeInProgress(now)) {
    CUSTODY_RETURN_IF_ERROR(r.Record("purge.waiting", {{"reason", "earlier sanitize in progress"}}));
    CUSTODY_ASSIGN_OR_RETURN(now, AwaitSanitize(r));
  }
  // IMMED: the drive answers at once and works in the background, so no
  // SG_IO timeout has to guess how long a multi-terabyte erase takes. AUSE=0
  // for the same reason as NVMe: a failed sanitize keeps user data sealed.
  CUSTODY_ASSIGN_OR_RETURN(scsi::SanitizeCommand c,
                           scsi::BuildSanitize(ServiceAction(r.plan().action), true, false));
  CUSTODY_RETURN_IF_ERROR(r.RecordCommand("scsi-sanitize", HexOf(c.cdb)));
  CUSTODY_ASSIGN_OR_RETURN(
      ScsiOutcome out,
      t.Execute(c.cdb, c.parameters.empty() ? DataDirection::kNone : DataDirection::kToDevice,
                c.parameters, kTimeoutMs));
  if (out.status != 0) {
    auto s = scsi::ParseSense(out.sense);
    const std::string why = s.ok() ? scsi::DescribeSense(*s) : "no sense data";
    if (s.ok() && s->key == scsi::kKeyIllegalRequest) {
      return UnsupportedError("the drive rejected SANITIZE: " + why);
    }
    return IoError("the drive rejected SANITIZE: " + why);
  }
  CUSTODY_ASSIGN_OR_RETURN(scsi::Sense end, AwaitSanitize(r));
  r.report().final_status = "REQUEST SENSE after sanitize: " + scsi::DescribeSense(end);
  if (scsi::SanitizeFailed(end) || end.key == scsi::kKeyMediumError ||
      end.key == 0x4 /* HARDWARE ERROR */) {
    return IoError("the drive reports that the sanitize FAILED (" + scsi::DescribeSense(end) +
                   "). It refuses access to user data until a sanitize succeeds: run custody "
                   "purge again, or destroy the drive");
  }
  r.Progress("sanitize", 1.0, 0);
  return Status::Ok();
}

}  // namespace custody::purge
