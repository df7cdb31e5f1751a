// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ATA purge through ATA PASS-THROUGH(16): SANITIZE DEVICE with status
// polling, or SECURITY ERASE UNIT with a temporary user password that is
// removed again on every path, the failing ones included.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/catalog_mark.h"
#include "custody/passthrough.h"
#include "purge/ata_commands.h"
#include "purge/purge_internal.h"
#include "purge/scsi_commands.h"

namespace custody::purge {
namespace {

constexpr uint32_t kShortTimeoutMs = 30 * 1000;

struct AtaReply {
  bool ok = false;              // No ERR/DF in the ATA status.
  bool have_registers = false;
  ata::Registers registers;
  std::string text;  // For messages.
};

Result<AtaReply> SendAta(ScsiTransport& t, const ata::Taskfile& tf, std::span<uint8_t> data,
                         uint32_t timeout_ms) {
  const auto cdb = ata::BuildPassThrough16(tf);
  const DataDirection dir = tf.protocol == ata::Protocol::kPioDataIn    ? DataDirection::kFromDevice
                            : tf.protocol == ata::Protocol::kPioDataOut ? DataDirection::kToDevice
                                                                         : DataDirection::kNone;
  CUSTODY_ASSIGN_OR_RETURN(ScsiOutcome out, t.Execute(cdb, dir, data, timeout_ms));
  AtaReply reply;
  if (out.status == 0x00) {  // GOOD: the command completed without error.
    reply.ok = true;
    reply.text = "completed";
    return reply;
  }
  if (out.status != 0x02) {
    return IoError("ATA PASS-THROUGH: SCSI status " + std::to_string(out.status));
  }
  auto sense = scsi::ParseSense(out.sense);
  if (!sense.ok()) return IoError("ATA PASS-THROUGH: CHECK CONDITION without sense data");
  // The SATL rejecting the CDB itself (no passthrough, or a field it will
  // not translate) is not an answer from the drive.
  if (sense->key == scsi::kKeyIllegalRequest) {
    return UnsupportedError("the device does not accept this ATA PASS-THROUGH command (" +
                            scsi::DescribeSense(*sense) + "): a USB bridge without SAT?");
  }
  // Success with CK_COND is RECOVERED ERROR, ATA PASS THROUGH INFORMATION
  // AVAILABLE (SAT); anything else is the drive's (or the link's) failure,
  // whatever the registers say: some SATLs put them where they do not belong.
  reply.ok = sense->key == 0x01 && sense->asc == 0x00 && sense->ascq == 0x1D;
  auto regs = ata::ParseReturnedRegisters(out.sense);
  if (regs.ok()) {
    reply.have_registers = true;
    reply.registers = *regs;
    if ((regs->status & 0x21) != 0) reply.ok = false;  // ERR (bit 0), DF (bit 5).
  }
  char b[96];
  std::snprintf(b, sizeof(b), "ATA status %02Xh, error %02Xh; ", regs.ok() ? regs->status : 0,
                regs.ok() ? regs->error : 0);
  reply.text = std::string(regs.ok() ? b : "") + scsi::DescribeSense(*sense);
  return reply;
}

Result<ata::Identity> IdentifyDevice(ScsiTransport& t) {
  std::vector<uint8_t> data(ata::kSectorSize);
  CUSTODY_ASSIGN_OR_RETURN(AtaReply r, SendAta(t, ata::IdentifyDevice(), data, kShortTimeoutMs));
  if (!r.ok) return IoError("IDENTIFY DEVICE failed: " + r.text);
  return ata::ParseIdentifyDevice(data);
}

Result<ata::SanitizeState> SanitizeStatus(ScsiTransport& t) {
  CUSTODY_ASSIGN_OR_RETURN(AtaReply r, SendAta(t, ata::SanitizeStatus(false), {}, kShortTimeoutMs));
  if (!r.ok) return IoError("SANITIZE STATUS EXT failed: " + r.text);
  if (!r.have_registers) {
    return UnsupportedError("SANITIZE STATUS EXT returned no registers");
  }
  // Fixed format even when complete: the next answer (in progress, COUNT
  // bit 14) would lose its upper bits, so a sanitize could be started but
  // not followed.
  if (!r.registers.complete || r.registers.fixed_format) {
    return UnsupportedError(
        "the SCSI/ATA translation returned fixed-format sense data, which drops the upper COUNT "
        "bits that carry SANITIZE STATUS EXT's answer; custody cannot follow a sanitize through "
        "it. Connect the drive to a SATA port (libata) or use --action security-erase");
  }
  return ata::DecodeSanitizeState(r.registers);
}

std::string SecurityFacts(const ata::Identity& id) {
  std::string s;
  auto add = [&](bool b, const char* n) { if (b) s += (s.empty() ? "" : ",") + std::string(n); };
  add(id.security.supported, "supported");
  add(id.security.enabled, "enabled");
  add(id.security.locked, "locked");
  add(id.security.frozen, "frozen");
  add(id.security.count_expired, "count-expired");
  add(id.security.enhanced_erase_supported, "enhanced-erase");
  return s.empty() ? "not supported" : s;
}

const char kSanitizeFrozenAdvice[] =
    N_("SANITIZE is frozen (SANITIZE FREEZE LOCK, usually sent by the BIOS/UEFI at boot) until "
       "the drive's next power-on: unplug and replug the drive (hot-plug SATA or a USB dock), or "
       "power the machine off and on, then run custody purge again");

// Why the drive's security state refuses ERASE UNIT now (empty when it does
// not): the sentence for the probe's `blocked_text`.
MessageText SecurityBlockedText(const ata::Identity& id) {
  if (id.security.frozen) return MessageText::Of(FrozenSecurityAdvice().c_str());
  if (id.security.locked) {
    return MessageText::Of(
        N_("the drive is locked by a user password custody does not know (IDENTIFY word 128 bit "
           "2); unlock it with the owner's password or the master password, then run again"));
  }
  if (id.security.count_expired) {
    return MessageText::Of(
        N_("the drive counted too many wrong passwords (security count "
           "expired): power-cycle it, then run again"));
  }
  return {};
}

Status SecurityBlocked(const ata::Identity& id) {
  if (!id.security.supported) return UnsupportedError("the drive has no ATA Security feature set");
  MessageText why = SecurityBlockedText(id);
  if (!why.empty()) return FailedPreconditionError(why.English());
  return Status::Ok();
}

// ---- SANITIZE DEVICE.

Result<ata::SanitizeState> AwaitSanitize(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  const int64_t start = r.NowMicros();
  const uint64_t limit = r.TimeoutSeconds(0);
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(ata::SanitizeState s, SanitizeStatus(t));
    if (!s.in_progress) return s;
    r.Progress("sanitize", s.progress / 65536.0, -1);
    if (r.ElapsedSeconds(start) > limit) {
      return InterruptedError("the sanitize is still in progress after " + std::to_string(limit) +
                              " seconds; the drive carries on by itself, even across a power "
                              "cycle. Run custody purge again to follow it and verify");
    }
    r.Sleep();
  }
}

Status RunSanitize(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  CUSTODY_ASSIGN_OR_RETURN(ata::SanitizeState state, SanitizeStatus(t));
  if (state.frozen) return FailedPreconditionError(kSanitizeFrozenAdvice);
  if (state.in_progress) {
    CUSTODY_RETURN_IF_ERROR(r.Record("purge.waiting", {{"reason", "earlier sanitize in progress"}}));
    CUSTODY_ASSIGN_OR_RETURN(state, AwaitSanitize(r));
  }
  ata::Taskfile tf;
  switch (r.plan().action) {
    case PurgeAction::kSanitizeCryptoErase: tf = ata::SanitizeCryptoScramble(); break;
    case PurgeAction::kSanitizeOverwrite: {
      CUSTODY_ASSIGN_OR_RETURN(tf, ata::SanitizeOverwrite(0, 1, false));
      break;
    }
    default: tf = ata::SanitizeBlockErase(); break;
  }
  CUSTODY_RETURN_IF_ERROR(r.RecordCommand("ata-sanitize", HexOf(ata::BuildPassThrough16(tf))));
  CUSTODY_ASSIGN_OR_RETURN(AtaReply reply, SendAta(t, tf, {}, kShortTimeoutMs));
  if (!reply.ok) {
    const std::string reason(reply.have_registers ? ata::SanitizeErrorReason(reply.registers)
                                                  : "no reason given");
    if (reply.have_registers && (reply.registers.lba & 0xFF) == 2) {
      return UnsupportedError("the drive rejected SANITIZE: " + reason);
    }
    if (reply.have_registers && (reply.registers.lba & 0xFF) == 3) {
      return FailedPreconditionError(kSanitizeFrozenAdvice);
    }
    return IoError("the drive rejected SANITIZE (" + reply.text + "): " + reason);
  }
  CUSTODY_ASSIGN_OR_RETURN(state, AwaitSanitize(r));
  r.report().final_status = std::string("SANITIZE STATUS EXT: ") +
                            (state.completed_without_error ? "completed without error"
                                                           : "not completed without error");
  if (!state.completed_without_error) {
    return IoError("the drive reports that the sanitize FAILED. It stays in the Sanitize "
                   "Operation Failed state, refusing access to user data, until a sanitize "
                   "succeeds: run custody purge again, or destroy the drive");
  }
  r.Progress("sanitize", 1.0, 0);
  return Status::Ok();
}

// ---- SECURITY ERASE UNIT.

std::span<const uint8_t> TempPassword() {
  return {reinterpret_cast<const uint8_t*>(kTemporaryAtaPassword.data()),
          kTemporaryAtaPassword.size()};
}

Result<AtaReply> SendWithPassword(Runner& r, const ata::Taskfile& tf, const char* name,
                                  bool enhanced, uint32_t timeout_ms) {
  CUSTODY_ASSIGN_OR_RETURN(auto block, ata::SecurityDataBlock(ata::PasswordIdentifier::kUser,
                                                              TempPassword(), enhanced));
  // The password is custody's documented temporary one, not a secret; the
  // record still shows only the CDB.
  CUSTODY_RETURN_IF_ERROR(r.RecordCommand(name, HexOf(ata::BuildPassThrough16(tf))));
  return SendAta(*r.target().scsi, tf, block, timeout_ms);
}

// Removes custody's temporary user password after a failure: UNLOCK if the
// drive locked itself (a power cycle mid-erase), then DISABLE PASSWORD, then
// IDENTIFY to confirm. Returns what happened, for the error message.
std::string RemoveTemporaryPassword(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  auto id = IdentifyDevice(t);
  std::string outcome;
  if (!id.ok()) {
    outcome = "could not read the security state (" + id.status().message() + ")";
  } else if (!id->security.enabled) {
    outcome = "no password left on the drive";
  } else {
    if (id->security.locked) {
      auto u = SendWithPassword(r, ata::SecurityUnlock(), "ata-security-unlock", false,
                                kShortTimeoutMs);
      if (!u.ok() || !u->ok) outcome = "SECURITY UNLOCK failed; ";
    }
    auto d = SendWithPassword(r, ata::SecurityDisablePassword(), "ata-security-disable-password",
                              false, kShortTimeoutMs);
    auto after = IdentifyDevice(t);
    if (d.ok() && d->ok && after.ok() && !after->security.enabled) {
      outcome += "temporary password removed";
    } else {
      outcome += "the temporary user password \"" + std::string(kTemporaryAtaPassword) +
                 "\" may still be set: remove it with hdparm --user-master u "
                 "--security-disable " + std::string(kTemporaryAtaPassword) + " DEVICE";
    }
  }
  r.Record("purge.security-password-removed", {{"outcome", outcome}}).IgnoreError();
  return outcome;
}

Status RunSecurityErase(Runner& r) {
  ScsiTransport& t = *r.target().scsi;
  const bool enhanced = r.plan().action == PurgeAction::kSecurityEraseEnhanced;
  CUSTODY_ASSIGN_OR_RETURN(ata::Identity id, IdentifyDevice(t));
  CUSTODY_RETURN_IF_ERROR(SecurityBlocked(id));
  if (enhanced && !id.security.enhanced_erase_supported) {
    return UnsupportedError("the drive does not support the enhanced security erase");
  }
  if (id.security.enabled) {
    // A password is set but the drive is unlocked. If an earlier custody run
    // died after SET PASSWORD, it is ours: one DISABLE attempt with it costs
    // one of the drive's five tries and recovers that case.
    auto d = SendWithPassword(r, ata::SecurityDisablePassword(), "ata-security-disable-password",
                              false, kShortTimeoutMs);
    CUSTODY_ASSIGN_OR_RETURN(id, IdentifyDevice(t));
    if (!d.ok() || !d->ok || id.security.enabled) {
      return FailedPreconditionError(
          "a user password is already set on this drive (security enabled) and it is not "
          "custody's temporary one; custody will not guess it. Disable it with the owner's "
          "password (hdparm --security-disable), then run again");
    }
    CUSTODY_RETURN_IF_ERROR(r.Record("purge.security-password-removed",
                                     {{"outcome", "temporary password left by an earlier run"}}));
  }

  CUSTODY_RETURN_IF_ERROR(r.Record(
      "purge.security-password-set",
      {{"identifier", "user"}, {"password", "custody temporary (docs/formats/purge-record.md)"}}));
  auto set = SendWithPassword(r, ata::SecuritySetPassword(), "ata-security-set-password", false,
                              kShortTimeoutMs);
  if (!set.ok() || !set->ok) {
    const std::string why = set.ok() ? set->text : set.status().message();
    const std::string cleanup = RemoveTemporaryPassword(r);
    return IoError("SECURITY SET PASSWORD failed (" + why + "); " + cleanup);
  }
  auto confirm = IdentifyDevice(t);
  if (!confirm.ok() || !confirm->security.enabled) {
    const std::string cleanup = RemoveTemporaryPassword(r);
    return IoError("the drive did not enable security after SET PASSWORD; " + cleanup);
  }

  // ERASE UNIT must immediately follow ERASE PREPARE (ACS-3), so nothing
  // else, not even IDENTIFY, goes in between.
  const uint32_t minutes = enhanced ? id.enhanced_erase_minutes : id.normal_erase_minutes;
  const uint64_t timeout_s = minutes ? std::min<uint64_t>(2ull * minutes * 60 + 1800, 24 * 3600)
                                     : 12 * 3600;  // No estimate: allow half a day.
  const ata::Taskfile prepare = ata::SecurityErasePrepare();
  CUSTODY_RETURN_IF_ERROR(
      r.RecordCommand("ata-security-erase-prepare", HexOf(ata::BuildPassThrough16(prepare))));
  const char* step = "SECURITY ERASE PREPARE";
  Result<AtaReply> erase = SendAta(t, prepare, {}, kShortTimeoutMs);
  if (erase.ok() && erase->ok) {
    step = "SECURITY ERASE UNIT";
    r.Progress("security-erase", -1, minutes ? int64_t{minutes} * 60 : -1);
    erase = SendWithPassword(r, ata::SecurityEraseUnit(), "ata-security-erase-unit", enhanced,
                             static_cast<uint32_t>(timeout_s * 1000));
  }
  if (!erase.ok() || !erase->ok) {
    const std::string why = erase.ok() ? erase->text : erase.status().message();
    const std::string cleanup = RemoveTemporaryPassword(r);
    return IoError(std::string(step) + " failed (" + why + "); " + cleanup +
                   ". The drive is NOT known to be erased");
  }
  // A successful erase leaves security disabled (ACS-3); check, and remove
  // the password ourselves if this drive kept it.
  auto after = IdentifyDevice(t);
  if (!after.ok() || after->security.enabled) {
    const std::string cleanup = RemoveTemporaryPassword(r);
    if (cleanup != "temporary password removed" && cleanup != "no password left on the drive") {
      return IoError("the erase completed, but " + cleanup);
    }
  }
  r.report().final_status = std::string("SECURITY ERASE UNIT (") +
                            (enhanced ? "enhanced" : "normal") +
                            ") completed; security disabled again";
  r.Progress("security-erase", 1.0, 0);
  return Status::Ok();
}

}  // namespace

Status ProbeAta(PurgeTarget& target, PurgeProbe* probe) {
  ScsiTransport& t = *target.scsi;
  CUSTODY_ASSIGN_OR_RETURN(ata::Identity id, IdentifyDevice(t));
  probe->model = id.model;
  probe->serial = id.serial;
  probe->firmware = id.firmware;
  probe->facts.emplace_back("security", SecurityFacts(id));
  char w[64];
  std::snprintf(w, sizeof(w), "normal %u min, enhanced %u min", id.normal_erase_minutes,
                id.enhanced_erase_minutes);
  probe->facts.emplace_back("security-erase-time", w);
  std::string sanitize = id.sanitize.supported ? "supported" : "not supported";
  if (id.sanitize.block_erase) probe->supported.push_back(PurgeAction::kSanitizeBlockErase);
  if (id.sanitize.crypto_scramble) probe->supported.push_back(PurgeAction::kSanitizeCryptoErase);
  if (id.sanitize.overwrite) probe->supported.push_back(PurgeAction::kSanitizeOverwrite);
  if (id.sanitize.supported) {
    auto state = SanitizeStatus(t);
    if (!state.ok()) {
      sanitize += ", status unreadable: " + state.status().message();
      for (PurgeAction a : probe->supported) probe->blocked_actions.push_back(a);
      probe->blocked_text = MessageText::Value(state.status().message());
    } else if (state->frozen) {
      sanitize += ", frozen";
      for (PurgeAction a : probe->supported) probe->blocked_actions.push_back(a);
      probe->blocked_text = MessageText::Of(kSanitizeFrozenAdvice);
    } else if (state->in_progress) {
      sanitize += ", in progress";
    }
  }
  probe->facts.emplace_back("sanitize", sanitize);
  if (id.security.supported) {
    if (id.security.enhanced_erase_supported) {
      probe->supported.push_back(PurgeAction::kSecurityEraseEnhanced);
    }
    probe->supported.push_back(PurgeAction::kSecurityErase);
    MessageText blocked = SecurityBlockedText(id);
    if (!blocked.empty()) {
      for (PurgeAction a : {PurgeAction::kSecurityEraseEnhanced, PurgeAction::kSecurityErase}) {
        probe->blocked_actions.push_back(a);
      }
      probe->blocked_text =
          probe->blocked_text.empty()
              ? std::move(blocked)
              : MessageText::Of(N_("%s Also: %s"),
                                {std::move(probe->blocked_text), std::move(blocked)});
    }
  }
  probe->blocked = probe->blocked_text.English();
  return Status::Ok();
}

Status RunAta(Runner& r) {
  switch (r.plan().action) {
    case PurgeAction::kSanitizeBlockErase:
    case PurgeAction::kSanitizeCryptoErase:
    case PurgeAction::kSanitizeOverwrite:
      return RunSanitize(r);
    case PurgeAction::kSecurityEraseEnhanced:
    case PurgeAction::kSecurityErase:
      return RunSecurityErase(r);
    default:
      return UnsupportedError(std::string(PurgeActionName(r.plan().action)) +
                              " is not an ATA command");
  }
}

}  // namespace custody::purge
