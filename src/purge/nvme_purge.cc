// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// NVMe purge: Sanitize followed through the Sanitize Status log page, or
// Format NVM with a Secure Erase Setting where Sanitize is missing.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/catalog_mark.h"
#include "custody/passthrough.h"
#include "purge/nvme_commands.h"
#include "purge/purge_internal.h"

namespace custody::purge {
namespace {

using nvme::SanitizeAction;
using nvme::SanitizeStatus;

std::string Hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%08x", v);
  return b;
}

Result<std::vector<uint8_t>> Identify(NvmeTransport& t, uint8_t cns, uint32_t nsid) {
  std::vector<uint8_t> data(nvme::kIdentifySize);
  CUSTODY_ASSIGN_OR_RETURN(NvmeCompletion c, t.Admin(nvme::BuildIdentify(cns, nsid),
                                                     DataDirection::kFromDevice, data));
  if (!c.ok()) {
    return IoError(std::string(cns == nvme::kCnsController ? "Identify Controller"
                                                           : "Identify Namespace") +
                   " failed: " + nvme::DescribeCompletion(c));
  }
  return data;
}

// kUnsupported if the controller has no Sanitize Status log.
Result<nvme::SanitizeStatusLog> ReadSanitizeLog(NvmeTransport& t) {
  std::vector<uint8_t> data(nvme::kSanitizeLogSize);
  // The log is global to the NVM subsystem: NSID FFFFFFFFh. RAE=1 so that
  // reading it does not clear a sanitize-completed event another host waits on.
  CUSTODY_ASSIGN_OR_RETURN(
      NvmeAdminCommand cmd,
      nvme::BuildGetLogPage(nvme::kLidSanitizeStatus, nvme::kNsidAll, data.size(), 0, true));
  CUSTODY_ASSIGN_OR_RETURN(NvmeCompletion c, t.Admin(cmd, DataDirection::kFromDevice, data));
  if (!c.ok()) {
    return UnsupportedError("the controller has no Sanitize Status log page (" +
                            nvme::DescribeCompletion(c) + ")");
  }
  return nvme::ParseSanitizeStatusLog(data);
}

SanitizeAction ToSanact(PurgeAction a) {
  switch (a) {
    case PurgeAction::kSanitizeCryptoErase: return SanitizeAction::kCryptoErase;
    case PurgeAction::kSanitizeOverwrite: return SanitizeAction::kOverwrite;
    default: return SanitizeAction::kBlockErase;
  }
}

std::string DescribeLog(const nvme::SanitizeStatusLog& log) {
  std::string s = "Sanitize Status log: " + std::string(SanitizeStatusName(log.status())) +
                  ", SSTAT " + Hex32(log.sstat) + ", SCDW10 " + Hex32(log.scdw10);
  if (log.global_data_erased()) s += ", Global Data Erased";
  return s;
}

// Follows the log until the sanitize in progress ends. `estimate` in
// seconds (0xFFFFFFFF: none).
Result<nvme::SanitizeStatusLog> AwaitSanitize(Runner& r, uint32_t estimate) {
  NvmeTransport& t = *r.target().nvme;
  const int64_t start = r.NowMicros();
  const uint64_t limit = r.TimeoutSeconds(estimate);
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(nvme::SanitizeStatusLog log, ReadSanitizeLog(t));
    if (log.status() != SanitizeStatus::kInProgress) return log;
    const double elapsed = r.ElapsedSeconds(start);
    const int64_t eta = estimate == 0xFFFFFFFF ? -1 : std::max<int64_t>(0, estimate - elapsed);
    r.Progress("sanitize", log.sprog / 65536.0, eta);
    if (elapsed > limit) {
      return InterruptedError(
          "the sanitize is still in progress after " + std::to_string(limit) +
          " seconds; the drive carries on by itself, even across a power cycle. Run custody "
          "purge again to follow it to the end and verify");
    }
    r.Sleep();
  }
}

Status RunSanitize(Runner& r) {
  NvmeTransport& t = *r.target().nvme;
  CUSTODY_ASSIGN_OR_RETURN(nvme::SanitizeStatusLog before, ReadSanitizeLog(t));
  if (before.status() == SanitizeStatus::kInProgress) {
    // A sanitize started earlier (an interrupted run, another tool) must end
    // first: the controller rejects a new one with Sanitize In Progress.
    CUSTODY_RETURN_IF_ERROR(r.Record("purge.waiting", {{"reason", "earlier sanitize in progress"},
                                                       {"scdw10", Hex32(before.scdw10)}}));
    CUSTODY_ASSIGN_OR_RETURN(before, AwaitSanitize(r, 0xFFFFFFFF));
  }
  nvme::SanitizeParams params;
  params.action = ToSanact(r.plan().action);
  // AUSE=0 (restricted): if this sanitize fails, the controller stays in
  // sanitize failure mode and only a successful sanitize lets the host read
  // user data again; a half-done erase never becomes readable.
  params.allow_unrestricted_exit = false;
  params.no_deallocate = r.plan().no_deallocate;
  CUSTODY_ASSIGN_OR_RETURN(NvmeAdminCommand cmd, nvme::BuildSanitize(params));
  CUSTODY_RETURN_IF_ERROR(r.RecordCommand("nvme-sanitize", HexOf(nvme::SubmissionEntry(cmd))));
  CUSTODY_ASSIGN_OR_RETURN(NvmeCompletion c, t.Admin(cmd, DataDirection::kNone, {}));
  if (!c.ok()) {
    const std::string why = nvme::DescribeCompletion(c);
    if (c.sct() == 0 && (c.sc() == nvme::kScInvalidOpcode || c.sc() == nvme::kScInvalidField)) {
      return UnsupportedError("the controller rejected Sanitize: " + why);
    }
    return IoError("the controller rejected Sanitize: " + why);
  }
  // Estimate from the log as it stands now that the sanitize has started.
  uint32_t estimate = 0xFFFFFFFF;
  if (auto now = ReadSanitizeLog(t); now.ok()) {
    estimate = now->EstimateFor(params.action, params.no_deallocate);
  }
  CUSTODY_ASSIGN_OR_RETURN(nvme::SanitizeStatusLog log, AwaitSanitize(r, estimate));
  r.report().final_status = DescribeLog(log);
  if (log.status() == SanitizeStatus::kFailed) {
    return IoError("the drive reports that the sanitize FAILED (" + r.report().final_status +
                   "). It stays in sanitize failure mode, refusing reads of user data, until a "
                   "sanitize succeeds: run custody purge again, or destroy the drive");
  }
  if (log.status() != SanitizeStatus::kCompleted &&
      log.status() != SanitizeStatus::kCompletedNoDeallocate) {
    return IoError("the sanitize ended without a success status (" + r.report().final_status + ")");
  }
  if ((log.scdw10 & 0x7FF) != (cmd.cdw[0] & 0x7FF)) {
    return VerificationFailedError("the Sanitize Status log describes another sanitize (SCDW10 " +
                                   Hex32(log.scdw10) + ", sent " + Hex32(cmd.cdw[0]) + ")");
  }
  r.Progress("sanitize", 1.0, 0);
  return Status::Ok();
}

Status RunFormat(Runner& r) {
  NvmeTransport& t = *r.target().nvme;
  const uint32_t nsid = r.target().nvme_nsid;
  CUSTODY_ASSIGN_OR_RETURN(std::vector<uint8_t> data, Identify(t, nvme::kCnsNamespace, nsid));
  CUSTODY_ASSIGN_OR_RETURN(nvme::NamespaceIdentity ns, nvme::ParseIdentifyNamespace(data));
  const auto ses = r.plan().action == PurgeAction::kFormatCryptoErase
                       ? nvme::SecureErase::kCrypto
                       : nvme::SecureErase::kUserData;
  nvme::FormatParams params = nvme::FormatKeepingLayout(ns, nsid, ses);
  // Format is synchronous and the drive gives no estimate: allow hours.
  params.timeout_ms = static_cast<uint32_t>(
      std::min<uint64_t>(r.TimeoutSeconds(0), 4 * 3600) * 1000);
  CUSTODY_ASSIGN_OR_RETURN(NvmeAdminCommand cmd, nvme::BuildFormatNvm(params));
  CUSTODY_RETURN_IF_ERROR(r.RecordCommand("nvme-format-nvm", HexOf(nvme::SubmissionEntry(cmd))));
  r.Progress("format", -1, -1);
  CUSTODY_ASSIGN_OR_RETURN(NvmeCompletion c, t.Admin(cmd, DataDirection::kNone, {}));
  if (!c.ok()) {
    const std::string why = nvme::DescribeCompletion(c);
    if ((c.sct() == 0 && (c.sc() == nvme::kScInvalidOpcode || c.sc() == nvme::kScInvalidField)) ||
        (c.sct() == 1 && c.sc() == 0x0A)) {
      return UnsupportedError("the controller rejected Format NVM: " + why);
    }
    return IoError("Format NVM failed: " + why);
  }
  r.report().final_status = "Format NVM completed: " + nvme::DescribeCompletion(c);
  r.Progress("format", 1.0, 0);
  return Status::Ok();
}

}  // namespace

Status ProbeNvme(PurgeTarget& target, PurgeProbe* probe) {
  NvmeTransport& t = *target.nvme;
  CUSTODY_ASSIGN_OR_RETURN(std::vector<uint8_t> data, Identify(t, nvme::kCnsController, 0));
  CUSTODY_ASSIGN_OR_RETURN(nvme::ControllerIdentity id, nvme::ParseIdentifyController(data));
  probe->model = id.model;
  probe->serial = id.serial;
  probe->firmware = id.firmware;
  probe->facts = {{"vid", Hex32(id.vid)},   {"oacs", Hex32(id.oacs)},
                  {"sanicap", Hex32(id.sanicap)}, {"fna", Hex32(id.fna)},
                  {"nn", std::to_string(id.nn)}};
  if (id.sanitize_block_erase()) probe->supported.push_back(PurgeAction::kSanitizeBlockErase);
  if (id.sanitize_crypto_erase()) probe->supported.push_back(PurgeAction::kSanitizeCryptoErase);
  if (id.sanitize_overwrite()) probe->supported.push_back(PurgeAction::kSanitizeOverwrite);
  if (id.format_supported()) {
    if (id.format_crypto_erase()) probe->supported.push_back(PurgeAction::kFormatCryptoErase);
    probe->supported.push_back(PurgeAction::kFormatUserDataErase);
  }
  probe->no_deallocate_allowed = !id.no_deallocate_inhibited();
  // N_: a constant English pattern for the interface's message catalog
  // (custody/message_text.h); the library never translates.
  const MessageText all_ns = MessageText::Of(
      N_("Sanitize erases every namespace of the NVM subsystem (%s supported by this "
         "controller), not only the one named on the command line"),
      {MessageText::Value(std::to_string(id.nn))});
  for (PurgeAction a : {PurgeAction::kSanitizeBlockErase, PurgeAction::kSanitizeCryptoErase,
                        PurgeAction::kSanitizeOverwrite}) {
    probe->warnings.emplace_back(a, all_ns);
  }
  if (id.secure_erase_applies_to_all() || id.format_applies_to_all()) {
    for (PurgeAction a : {PurgeAction::kFormatCryptoErase, PurgeAction::kFormatUserDataErase}) {
      probe->warnings.emplace_back(
          a, MessageText::Of(N_("this controller formats (FNA %s) every namespace at once, not "
                                "only the one named"),
                             {MessageText::Value(Hex32(id.fna))}));
    }
  }
  if (id.sanicap & 0x7) {
    auto log = ReadSanitizeLog(t);
    if (log.ok()) {
      probe->facts.emplace_back("sanitize-status", std::string(SanitizeStatusName(log->status())));
    }
  }
  return Status::Ok();
}

Status RunNvme(Runner& r) {
  switch (r.plan().action) {
    case PurgeAction::kSanitizeBlockErase:
    case PurgeAction::kSanitizeCryptoErase:
    case PurgeAction::kSanitizeOverwrite:
      return RunSanitize(r);
    case PurgeAction::kFormatCryptoErase:
    case PurgeAction::kFormatUserDataErase:
      return RunFormat(r);
    default:
      return UnsupportedError(std::string(PurgeActionName(r.plan().action)) +
                              " is not an NVMe command");
  }
}

}  // namespace custody::purge
