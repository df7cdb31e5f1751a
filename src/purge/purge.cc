// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The interface-independent half of the purge: action names, the IEEE 2883
// choice, sample seeding and verification, and the run's record.
#include "custody/purge.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/catalog_mark.h"
#include "common/time_util.h"
#include "custody/block_device.h"
#include "custody/device.h"
#include "custody/env.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/wipe.h"
#include "device/device_json.h"
#include "erase/sampling.h"
#include "purge/purge_internal.h"

namespace custody {
namespace {

constexpr std::pair<PurgeAction, std::string_view> kActionNames[] = {
    {PurgeAction::kAuto, "auto"},
    {PurgeAction::kSanitizeBlockErase, "sanitize-block"},
    {PurgeAction::kSanitizeCryptoErase, "sanitize-crypto"},
    {PurgeAction::kSanitizeOverwrite, "sanitize-overwrite"},
    {PurgeAction::kSecurityEraseEnhanced, "security-erase-enhanced"},
    {PurgeAction::kSecurityErase, "security-erase"},
    {PurgeAction::kFormatCryptoErase, "format-crypto"},
    {PurgeAction::kFormatUserDataErase, "format-user-data"},
    {PurgeAction::kSecureDiscard, "secure-discard"},
};

// IEEE 2883 order, strongest first: sanitize (block erase, crypto erase,
// overwrite), then ATA security erase (enhanced, normal), then NVMe Format
// with a Secure Erase Setting, then eMMC secure discard.
constexpr PurgeAction kStrength[] = {
    PurgeAction::kSanitizeBlockErase,    PurgeAction::kSanitizeCryptoErase,
    PurgeAction::kSanitizeOverwrite,     PurgeAction::kSecurityEraseEnhanced,
    PurgeAction::kSecurityErase,         PurgeAction::kFormatCryptoErase,
    PurgeAction::kFormatUserDataErase,   PurgeAction::kSecureDiscard,
};

const char kOverwriteAndDestroy[] =
    "NIST SP 800-88 and the 総務省 guideline leave two steps: overwrite it with `custody wipe` "
    "(Clear), then destroy the device physically (Destroy) if Purge is required.";

MessageText Reason(PurgeAction a) {
  switch (a) {
    case PurgeAction::kSanitizeBlockErase:
      return MessageText::Of(
          N_("Sanitize Block Erase makes the drive erase every physical block, including spare, "
             "remapped and over-provisioned areas that an overwrite cannot reach (IEEE 2883 and "
             "NIST SP 800-88 Purge). Preferred to Crypto Erase because its effect does not rest "
             "on the drive's encryption, which custody cannot inspect."));
    case PurgeAction::kSanitizeCryptoErase:
      return MessageText::Of(
          N_("Sanitize Crypto Erase makes the drive replace its media encryption key, so "
             "everything it ever wrote, spare areas included, becomes unreadable (IEEE 2883 and "
             "NIST SP 800-88 Purge)."));
    case PurgeAction::kSanitizeOverwrite:
      return MessageText::Of(
          N_("Sanitize Overwrite makes the drive overwrite all of its media, "
             "spare areas included (IEEE 2883 Purge)."));
    case PurgeAction::kSecurityEraseEnhanced:
      return MessageText::Of(
          N_("ATA SECURITY ERASE UNIT in enhanced mode erases every user data area, reallocated "
             "sectors included, by the manufacturer's method. How far it reaches into an SSD's "
             "spare blocks is up to the manufacturer; IEEE 2883 prefers SANITIZE where offered."));
    case PurgeAction::kSecurityErase:
      return MessageText::Of(
          N_("ATA SECURITY ERASE UNIT in normal mode overwrites the user data area (LBA 0 to "
             "the maximum); reallocated sectors may keep old data. Purge for hard disks, not for "
             "SSDs (NIST SP 800-88)."));
    case PurgeAction::kFormatCryptoErase:
      return MessageText::Of(
          N_("NVMe Format NVM with Secure Erase Setting 2 makes the controller discard the "
             "encryption key of the user data. Weaker than Sanitize: Format is not required to "
             "reach every spare block or cache."));
    case PurgeAction::kFormatUserDataErase:
      return MessageText::Of(
          N_("NVMe Format NVM with Secure Erase Setting 1 makes the controller erase all user "
             "data. Weaker than Sanitize: Format is not required to reach every spare block or "
             "cache."));
    case PurgeAction::kSecureDiscard:
      return MessageText::Of(
          N_("BLKSECDISCARD asks the eMMC/SD device to erase the blocks and every copy it keeps "
             "(secure erase/trim); the only purge such devices offer, and not all implement it."));
    case PurgeAction::kAuto:
      break;
  }
  return {};
}

std::string CommandFor(PurgeInterface i, PurgeAction a, bool no_deallocate) {
  const std::string nd = no_deallocate ? ", No-Deallocate After Sanitize" : "";
  switch (i) {
    case PurgeInterface::kNvme:
      switch (a) {
        case PurgeAction::kSanitizeBlockErase: return "NVMe Sanitize (84h), SANACT Block Erase" + nd;
        case PurgeAction::kSanitizeCryptoErase: return "NVMe Sanitize (84h), SANACT Crypto Erase" + nd;
        case PurgeAction::kSanitizeOverwrite: return "NVMe Sanitize (84h), SANACT Overwrite, 1 pass" + nd;
        case PurgeAction::kFormatCryptoErase:
          return "NVMe Format NVM (80h), SES 2 (Cryptographic Erase), LBA format kept";
        case PurgeAction::kFormatUserDataErase:
          return "NVMe Format NVM (80h), SES 1 (User Data Erase), LBA format kept";
        default: break;
      }
      break;
    case PurgeInterface::kAta:
      switch (a) {
        case PurgeAction::kSanitizeBlockErase: return "ATA SANITIZE DEVICE (B4h), BLOCK ERASE EXT (0012h)";
        case PurgeAction::kSanitizeCryptoErase: return "ATA SANITIZE DEVICE (B4h), CRYPTO SCRAMBLE EXT (0011h)";
        case PurgeAction::kSanitizeOverwrite: return "ATA SANITIZE DEVICE (B4h), OVERWRITE EXT (0014h), 1 pass";
        case PurgeAction::kSecurityEraseEnhanced:
          return "ATA SECURITY SET PASSWORD (F1h), ERASE PREPARE (F3h), ERASE UNIT (F4h) enhanced";
        case PurgeAction::kSecurityErase:
          return "ATA SECURITY SET PASSWORD (F1h), ERASE PREPARE (F3h), ERASE UNIT (F4h) normal";
        default: break;
      }
      break;
    case PurgeInterface::kScsi:
      switch (a) {
        case PurgeAction::kSanitizeBlockErase: return "SCSI SANITIZE (48h), BLOCK ERASE (02h), IMMED";
        case PurgeAction::kSanitizeCryptoErase: return "SCSI SANITIZE (48h), CRYPTOGRAPHIC ERASE (03h), IMMED";
        case PurgeAction::kSanitizeOverwrite: return "SCSI SANITIZE (48h), OVERWRITE (01h), 1 pass, IMMED";
        default: break;
      }
      break;
    case PurgeInterface::kMmc:
      if (a == PurgeAction::kSecureDiscard) return "BLKSECDISCARD over the whole device";
      break;
    default:
      break;
  }
  return "";
}

bool Contains(const std::vector<PurgeAction>& v, PurgeAction a) {
  return std::find(v.begin(), v.end(), a) != v.end();
}

std::string ActionList(const std::vector<PurgeAction>& v) {
  std::string s;
  for (PurgeAction a : v) s += (s.empty() ? "" : ", ") + std::string(PurgeActionName(a));
  return s.empty() ? "nothing" : s;
}

// ---- Sample verification.
//
// Where to look comes from the erase engine's sampler (NIST SP 800-88
// §4.7.2: 1,000 subsections with two pseudo-random locations each, plus the
// first and last MiB), seeded with 32 random bytes that go into the record
// so an auditor can recompute the locations. Every logical block in those
// ranges is checked.

std::string MarkerFor(const std::string& run_tag, uint64_t lba, size_t block_size) {
  // run tag || LBA, repeated: unique per block, so a drive that returns one
  // block's content at another LBA does not pass.
  std::string unit = run_tag;
  for (int i = 0; i < 8; ++i) unit.push_back(static_cast<char>((lba >> (8 * i)) & 0xFF));
  std::string marker;
  while (marker.size() < block_size) marker += unit;
  marker.resize(block_size);
  return marker;
}

bool Uniform(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [&](uint8_t c) { return c == p[0]; });
}

class Verifier {
 public:
  Verifier(BlockDevice* device, Env* env) : device_(device), env_(env) {}

  Status Choose(uint32_t basis_points) {
    block_ = device_->logical_sector_size();
    if (block_ == 0 || device_->size() < block_) return InvalidArgumentError("device is empty");
    const uint64_t end = device_->size() / block_ * block_;
    uint8_t seed[32];
    CUSTODY_RETURN_IF_ERROR(env_->RandomBytes(seed, sizeof(seed)));
    seed_.assign(reinterpret_cast<const char*>(seed), sizeof(seed));
    for (const ByteRange& r : erase::SampleLocations(device_->size(), block_, basis_points, seed_)) {
      // Whole logical blocks only (a device's size is a multiple of them).
      const uint64_t from = r.offset / block_ * block_;
      const uint64_t to = std::min(end, (r.offset + r.length + block_ - 1) / block_ * block_);
      if (to > from) ranges_.push_back({from, to - from});
    }
    for (const ByteRange& r : ranges_) blocks_ += r.length / block_;
    return Status::Ok();
  }

  // Writes a marker to every sampled block, flushes, and reads them back:
  // if the device does not return what was just written, the read-back
  // after the purge would prove nothing.
  Status Seed() {
    uint8_t tag[24];
    CUSTODY_RETURN_IF_ERROR(env_->RandomBytes(tag, sizeof(tag)));
    run_tag_.assign(reinterpret_cast<const char*>(tag), sizeof(tag));
    for (const ByteRange& r : ranges_) {
      AlignedBuffer buf = Markers(r);
      CUSTODY_RETURN_IF_ERROR(device_->WriteAt(r.offset, buf.data(), r.length)
                                  .WithContext("writing verification markers"));
    }
    CUSTODY_RETURN_IF_ERROR(device_->Flush().WithContext("flushing verification markers"));
    for (const ByteRange& r : ranges_) {
      AlignedBuffer want = Markers(r);
      AlignedBuffer got(r.length, device_->buffer_alignment());
      CUSTODY_RETURN_IF_ERROR(device_->ReadAt(r.offset, got.data(), r.length));
      if (std::memcmp(want.data(), got.data(), r.length) != 0) {
        return VerificationFailedError(
            "the device does not return the verification markers just written at byte " +
            std::to_string(r.offset) + ": its reads cannot be trusted to verify a purge");
      }
    }
    seeded_ = true;
    return Status::Ok();
  }

  Status Snapshot() {
    for (const ByteRange& r : ranges_) {
      AlignedBuffer buf(r.length, device_->buffer_alignment());
      CUSTODY_RETURN_IF_ERROR(device_->ReadAt(r.offset, buf.data(), r.length));
      for (uint64_t at = 0; at < r.length; at += block_) {
        const std::string_view b(reinterpret_cast<const char*>(buf.data() + at), block_);
        before_.push_back({crypto::Sha256Bytes(b), Uniform(buf.data() + at, block_)});
      }
    }
    return Status::Ok();
  }

  PurgeVerification Check() {
    PurgeVerification v;
    v.seeded = seeded_;
    v.ranges = static_cast<uint32_t>(ranges_.size());
    v.sampling_seed_hex = encoding::HexEncode(seed_);
    size_t index = 0;
    for (const ByteRange& r : ranges_) {
      AlignedBuffer buf(r.length, device_->buffer_alignment());
      const bool whole = device_->ReadAt(r.offset, buf.data(), r.length).ok();
      for (uint64_t at = 0; at < r.length; at += block_, ++index) {
        ++v.samples;
        // Erased-but-not-deallocated flash may fail ECC: the old data is
        // not returned. Retry block by block to count exactly which.
        if (!whole && !device_->ReadAt(r.offset + at, buf.data() + at, block_).ok()) {
          ++v.unreadable;
          continue;
        }
        const uint64_t lba = (r.offset + at) / block_;
        const uint8_t* p = buf.data() + at;
        if (seeded_) {
          ++(std::memcmp(p, MarkerFor(run_tag_, lba, block_).data(), block_) == 0 ? v.unchanged
                                                                                   : v.erased);
        } else if (crypto::Sha256Bytes(std::string_view(reinterpret_cast<const char*>(p), block_)) !=
                   before_[index].first) {
          ++v.erased;
        } else {
          ++(before_[index].second ? v.inconclusive : v.unchanged);
        }
      }
    }
    return v;
  }

  uint64_t blocks() const { return blocks_; }
  size_t range_count() const { return ranges_.size(); }
  const std::string& seed() const { return seed_; }

 private:
  AlignedBuffer Markers(const ByteRange& r) const {
    AlignedBuffer buf(r.length, device_->buffer_alignment());
    for (uint64_t at = 0; at < r.length; at += block_) {
      const std::string m = MarkerFor(run_tag_, (r.offset + at) / block_, block_);
      std::memcpy(buf.data() + at, m.data(), block_);
    }
    return buf;
  }

  BlockDevice* device_;
  Env* env_;
  uint32_t block_ = 0;
  std::string seed_;
  std::vector<ByteRange> ranges_;
  uint64_t blocks_ = 0;
  std::vector<std::pair<std::string, bool>> before_;  // Unseeded: digest, uniform.
  std::string run_tag_;
  bool seeded_ = false;
};

nlohmann::json VerificationJson(const PurgeVerification& v) {
  return {{"samples", v.samples},       {"ranges", v.ranges},
          {"erased", v.erased},         {"unreadable", v.unreadable},
          {"unchanged", v.unchanged},   {"inconclusive", v.inconclusive},
          {"seeded", v.seeded},         {"passed", v.passed()}};
}

}  // namespace

std::string_view PurgeInterfaceName(PurgeInterface i) {
  switch (i) {
    case PurgeInterface::kNvme: return "nvme";
    case PurgeInterface::kAta: return "ata";
    case PurgeInterface::kScsi: return "scsi";
    case PurgeInterface::kMmc: return "mmc";
    case PurgeInterface::kUsbFlash: return "usb-flash";
    case PurgeInterface::kUnknown: break;
  }
  return "unknown";
}

std::string_view PurgeActionName(PurgeAction action) {
  for (const auto& [a, name] : kActionNames) {
    if (a == action) return name;
  }
  return "unknown";
}

Result<PurgeAction> ParsePurgeAction(std::string_view name) {
  for (const auto& [a, n] : kActionNames) {
    if (n == name) return a;
  }
  std::string all;
  for (const auto& [a, n] : kActionNames) all += (all.empty() ? "" : ", ") + std::string(n);
  return InvalidArgumentError("unknown purge action \"" + std::string(name) + "\"; one of: " + all);
}

Result<PurgeProbe> ProbePurge(PurgeTarget& target) {
  PurgeProbe probe;
  probe.interface = target.interface;
  switch (target.interface) {
    case PurgeInterface::kNvme:
      if (!target.nvme) return InvalidArgumentError("NVMe target without a transport");
      CUSTODY_RETURN_IF_ERROR(purge::ProbeNvme(target, &probe));
      break;
    case PurgeInterface::kAta:
      if (!target.scsi) return InvalidArgumentError("ATA target without a transport");
      CUSTODY_RETURN_IF_ERROR(purge::ProbeAta(target, &probe));
      break;
    case PurgeInterface::kScsi:
      if (!target.scsi) return InvalidArgumentError("SCSI target without a transport");
      CUSTODY_RETURN_IF_ERROR(purge::ProbeScsi(target, &probe));
      break;
    case PurgeInterface::kMmc:
      // The kernel offers no way to ask whether a card implements secure
      // erase/trim other than trying; BLKSECDISCARD then fails EOPNOTSUPP.
      if (target.secure_discard) probe.supported.push_back(PurgeAction::kSecureDiscard);
      probe.facts.emplace_back("secure-discard", "reported only by trying (BLKSECDISCARD)");
      break;
    case PurgeInterface::kUsbFlash:
    case PurgeInterface::kUnknown:
      break;
  }
  return probe;
}

Result<PurgePlan> PlanPurge(const PurgeProbe& probe, PurgeAction requested) {
  if (probe.interface == PurgeInterface::kUsbFlash) {
    return UnsupportedError(
        "no purge for USB flash: its controller offers no sanitize command and keeps spare "
        "blocks out of reach. " + std::string(kOverwriteAndDestroy));
  }
  if (probe.interface == PurgeInterface::kUnknown) {
    return UnsupportedError("custody knows no purge command for this kind of device. " +
                            std::string(kOverwriteAndDestroy));
  }
  PurgePlan plan;
  plan.interface = probe.interface;
  plan.model = probe.model;
  plan.serial = probe.serial;
  plan.firmware = probe.firmware;
  plan.facts = probe.facts;
  if (requested == PurgeAction::kAuto) {
    std::vector<PurgeAction> skipped;
    for (PurgeAction a : kStrength) {
      if (!Contains(probe.supported, a)) continue;
      if (Contains(probe.blocked_actions, a)) {
        skipped.push_back(a);
        continue;
      }
      plan.action = a;
      break;
    }
    if (plan.action == PurgeAction::kAuto) {
      if (!skipped.empty()) return FailedPreconditionError(probe.blocked);
      return UnsupportedError("the drive offers no purge command (no sanitize, security erase or "
                              "secure format). " + std::string(kOverwriteAndDestroy));
    }
    plan.reason_text =
        MessageText::Of(N_("Strongest purge this drive offers now: %s"), {Reason(plan.action)});
    if (!skipped.empty()) {
      plan.warning_texts.push_back(MessageText::Of(
          N_("%s would be stronger but cannot run now: %s"),
          {MessageText::Value(ActionList(skipped)),
           probe.blocked_text.empty() ? MessageText::Value(probe.blocked) : probe.blocked_text}));
    }
  } else {
    if (!Contains(probe.supported, requested) && !probe.support_unknown) {
      return UnsupportedError("the drive does not offer " + std::string(PurgeActionName(requested)) +
                              "; it offers: " + ActionList(probe.supported));
    }
    if (Contains(probe.blocked_actions, requested)) return FailedPreconditionError(probe.blocked);
    plan.action = requested;
    plan.reason_text = MessageText::Of(N_("Requested by the operator. %s"), {Reason(requested)});
  }
  plan.command = CommandFor(probe.interface, plan.action, false);
  if (plan.command.empty()) {
    return UnsupportedError(std::string(PurgeActionName(plan.action)) + " does not exist for " +
                            std::string(PurgeInterfaceName(probe.interface)) + " devices");
  }
  const bool sanitize = plan.action == PurgeAction::kSanitizeBlockErase ||
                        plan.action == PurgeAction::kSanitizeCryptoErase ||
                        plan.action == PurgeAction::kSanitizeOverwrite;
  if (probe.interface == PurgeInterface::kNvme && sanitize && probe.no_deallocate_allowed) {
    // Without deallocation the sample read-back reaches the media instead of
    // the controller's "deallocated" answer (IEEE 2883 verification).
    plan.no_deallocate = true;
    plan.command = CommandFor(probe.interface, plan.action, true);
  }
  for (const auto& [a, w] : probe.warnings) {
    if (a == plan.action) plan.warning_texts.push_back(w);
  }
  // The English the record keeps.
  plan.reason = plan.reason_text.English();
  plan.warnings = English(plan.warning_texts);
  return plan;
}

namespace purge {

Runner::Runner(PurgeTarget& target, const PurgePlan& plan, const PurgeOptions& options,
               PurgeReport* report)
    : target_(target), plan_(plan), options_(options), report_(report) {}

Status Runner::Record(std::string_view type, nlohmann::json data) {
  if (!options_.record) return Status::Ok();
  data["action"] = std::string(PurgeActionName(plan_.action));
  data["purge_id"] = report_->purge_id;
  return options_.record(type, data.dump()).WithContext("recording " + std::string(type));
}

Status Runner::RecordCommand(std::string_view name, std::string_view hex) {
  report_->commands.push_back(std::string(name) + " " + std::string(hex));
  commands_.push_back({{"command", name}, {"bytes", hex}});
  return Record("purge.command", {{"command", name}, {"bytes", hex}});
}

void Runner::Progress(std::string_view phase, double fraction, int64_t eta_seconds) {
  if (options_.on_progress) options_.on_progress({std::string(phase), fraction, eta_seconds});
}

void Runner::Sleep() {
  if (options_.sleep) {
    options_.sleep(options_.poll_interval_ms);
  } else {
    ::usleep(options_.poll_interval_ms * 1000u);
  }
}

int64_t Runner::NowMicros() const { return options_.env->NowUnixMicros(); }

double Runner::ElapsedSeconds(int64_t since) const { return (NowMicros() - since) / 1e6; }

uint64_t Runner::TimeoutSeconds(uint64_t estimate) const {
  if (options_.timeout_seconds) return options_.timeout_seconds;
  if (estimate == 0 || estimate == 0xFFFFFFFF) return 48 * 3600;
  return 3 * estimate + 3600;
}

std::string HexBytes(const uint8_t* data, size_t n) {
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(data), n));
}

std::string FrozenSecurityAdvice() {
  return N_(
      "The BIOS/UEFI froze the drive's security at boot (SECURITY FREEZE LOCK), so it "
      "refuses SECURITY SET PASSWORD and ERASE UNIT until its next power-on. Unfreeze it "
      "without a reboot: suspend and resume the computer (systemctl suspend), or unplug "
      "and replug the drive (hot-plug SATA or a USB dock), then run custody purge again.");
}

}  // namespace purge

Result<PurgeReport> RunPurge(PurgeTarget& target, const PurgePlan& plan,
                             const PurgeOptions& options) {
  if (!options.env) return InvalidArgumentError("RunPurge needs an Env");
  if (!target.device) return InvalidArgumentError("RunPurge needs the block device to verify");
  if (plan.action == PurgeAction::kAuto) return InvalidArgumentError("plan the purge first");
  PurgeReport report;
  report.plan = plan;
  std::string id_bytes(16, '\0');
  CUSTODY_RETURN_IF_ERROR(
      options.env->RandomBytes(reinterpret_cast<uint8_t*>(id_bytes.data()), id_bytes.size()));
  report.purge_id = encoding::HexEncode(id_bytes);
  purge::Runner runner(target, plan, options, &report);
  report.started_unix_micros = runner.NowMicros();

  Verifier verifier(target.device, options.env);
  CUSTODY_RETURN_IF_ERROR(verifier.Choose(options.sample_basis_points));
  // What every event of this purge that a certificate may read repeats:
  // the device, the drive's own identity, the command and why.
  nlohmann::json identity = {
      {"interface", std::string(PurgeInterfaceName(plan.interface))},
      {"command", plan.command},
      {"reason", plan.reason},
      {"warnings", plan.warnings},
      {"drive", {{"model", plan.model}, {"serial", plan.serial}, {"firmware", plan.firmware}}},
      {"sampling", {{"method", "NIST SP 800-88 subsections (erase::SampleLocations)"},
                    {"basis_points", options.sample_basis_points},
                    {"seed", encoding::HexEncode(verifier.seed())},
                    {"ranges", verifier.range_count()},
                    {"blocks", verifier.blocks()}}},
      {"seeded", options.seed_markers},
      {"started", timeutil::FormatRfc3339Utc(report.started_unix_micros)}};
  if (options.identity) identity["target"] = DeviceInfoToJson(*options.identity);
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& [name, value] : plan.facts) facts[name] = value;
  nlohmann::json started = identity;
  started["facts"] = facts;
  CUSTODY_RETURN_IF_ERROR(runner.Record("purge.started", started));
  // The final event: self-contained for a certificate row.
  auto final_event = [&](std::string_view outcome) {
    report.finished_unix_micros = runner.NowMicros();
    nlohmann::json done = identity;
    done["outcome"] = outcome;
    done["final_status"] = report.final_status;
    done["commands"] = runner.commands();
    done["finished"] = timeutil::FormatRfc3339Utc(report.finished_unix_micros);
    done["seconds"] = (report.finished_unix_micros - report.started_unix_micros) / 1000000;
    return done;
  };
  runner.Progress("seeding", -1, -1);
  Status status = options.seed_markers ? verifier.Seed() : verifier.Snapshot();
  if (status.ok()) {
    switch (plan.interface) {
      case PurgeInterface::kNvme: status = purge::RunNvme(runner); break;
      case PurgeInterface::kAta: status = purge::RunAta(runner); break;
      case PurgeInterface::kScsi: status = purge::RunScsi(runner); break;
      case PurgeInterface::kMmc:
        if (!target.secure_discard) {
          status = UnsupportedError("no BLKSECDISCARD for this target");
          break;
        }
        status = runner.RecordCommand("BLKSECDISCARD", "whole-device");
        if (status.ok()) status = target.secure_discard();
        if (status.ok()) report.final_status = "BLKSECDISCARD completed";
        break;
      default:
        status = UnsupportedError("no purge for this device");
    }
  }
  if (!status.ok()) {
    nlohmann::json failed = final_event("failed");
    failed["error"] = status.ToString();
    runner.Record("purge.failed", failed).IgnoreError();
    return status;
  }
  runner.Progress("verify", -1, -1);
  report.verification = verifier.Check();
  const PurgeVerification& v = report.verification;
  nlohmann::json done = final_event(v.passed() ? "completed" : "verification-failed");
  done["verification"] = VerificationJson(v);
  if (!v.passed()) {
    runner.Record("purge.verification-failed", done).IgnoreError();
    if (v.unchanged == 0) {
      return VerificationFailedError(
          "the drive reported success, but no sampled block shows a change (all were uniform "
          "before and after and no markers were seeded): the purge cannot be verified; run it "
          "again with marker seeding");
    }
    return VerificationFailedError(
        "the drive reported success, but " + std::to_string(v.unchanged) + " of " +
        std::to_string(v.samples) +
        " sampled blocks still hold their old content: treat the drive as NOT erased; "
        "overwrite it and destroy it");
  }
  CUSTODY_RETURN_IF_ERROR(runner.Record("purge.completed", done));
  return report;
}

}  // namespace custody
