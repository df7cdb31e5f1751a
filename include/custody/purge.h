// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Purge: erasing a drive with its own sanitize commands (NIST SP 800-88
// "Purge", IEEE 2883), which reach spare and remapped blocks an overwrite
// cannot. Three steps, so that a front end can show the choice and ask for
// confirmation before anything irreversible happens:
//
//   ProbePurge  asks the drive what it supports (Identify Controller /
//               IDENTIFY DEVICE / REPORT SUPPORTED OPERATION CODES) and what
//               blocks it (frozen or locked security, sanitize frozen).
//   PlanPurge   picks the command: the requested one, or for kAuto the
//               strongest the drive offers in IEEE 2883 order, with the reason.
//   RunPurge    seeds markers at sampled blocks, sends the command, follows its
//               progress (Sanitize Status log, SANITIZE STATUS EXT, REQUEST
//               SENSE), and reads the samples back: every marker must be gone.
//
// Every step is reported through PurgeOptions::record (the station ledger in
// the CLI) before the command it describes is sent, so the record shows what
// was attempted even if the machine dies mid-erase.
//
// Safety (mounted, in use, system disk) and device identification belong to
// the caller (custody/device.h); this layer assumes the operator confirmed.
//
// Thread safety: one purge per target at a time; distinct targets are
// independent.
#ifndef CUSTODY_PURGE_H_
#define CUSTODY_PURGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custody/message_text.h"
#include "custody/status.h"

namespace custody {

class BlockDevice;
class Env;
struct DeviceInfo;
class NvmeTransport;
class ScsiTransport;

enum class PurgeInterface { kNvme, kAta, kScsi, kMmc, kUsbFlash, kUnknown };
std::string_view PurgeInterfaceName(PurgeInterface interface);

enum class PurgeAction {
  kAuto,
  kSanitizeBlockErase,
  kSanitizeCryptoErase,
  kSanitizeOverwrite,
  kSecurityEraseEnhanced,  // ATA SECURITY ERASE UNIT, enhanced mode.
  kSecurityErase,          // ATA SECURITY ERASE UNIT, normal mode.
  kFormatCryptoErase,      // NVMe Format NVM, SES=2.
  kFormatUserDataErase,    // NVMe Format NVM, SES=1.
  kSecureDiscard,          // BLKSECDISCARD (eMMC/SD secure erase/trim).
};
// "auto", "sanitize-block", "sanitize-crypto", "sanitize-overwrite",
// "security-erase-enhanced", "security-erase", "format-crypto",
// "format-user-data", "secure-discard".
std::string_view PurgeActionName(PurgeAction action);
Result<PurgeAction> ParsePurgeAction(std::string_view name);

struct PurgeTarget {
  PurgeInterface interface = PurgeInterface::kUnknown;
  NvmeTransport* nvme = nullptr;  // kNvme.
  uint32_t nvme_nsid = 1;         // The namespace behind `device`.
  ScsiTransport* scsi = nullptr;  // kScsi, and kAta (ATA PASS-THROUGH over SCSI).
  // The block device, for the sample verification (and its size). Required
  // by RunPurge; must bypass the page cache (O_DIRECT).
  BlockDevice* device = nullptr;
  // kMmc: issues BLKSECDISCARD over the whole device.
  std::function<Status()> secure_discard;
};

struct PurgeProbe {
  PurgeInterface interface = PurgeInterface::kUnknown;
  std::string model, serial, firmware;
  // What the drive offers, strongest first (IEEE 2883 order).
  std::vector<PurgeAction> supported;
  // Facts read from the drive, as (name, value) for the record:
  // ("sanicap", "0x00000003"), ("security", "supported,frozen"), ...
  std::vector<std::pair<std::string, std::string>> facts;
  // Non-empty when a state of the drive prevents some commands now: what
  // the state is and what the operator can do about it. `blocked_text` is
  // the same as a pattern and values (custody/message_text.h); blocked ==
  // blocked_text.English().
  std::string blocked;
  MessageText blocked_text;
  std::vector<PurgeAction> blocked_actions;
  // Cautions that go with an action (e.g. NVMe Sanitize erases every
  // namespace of the subsystem).
  std::vector<std::pair<PurgeAction, MessageText>> warnings;
  // The drive cannot report support (SCSI without REPORT SUPPORTED
  // OPERATION CODES): an explicitly requested action is attempted anyway.
  bool support_unknown = false;
  // NVMe: the controller honours No-Deallocate After Sanitize (SANICAP NDI=0).
  bool no_deallocate_allowed = false;
};
// kUnsupported for kUsbFlash/kUnknown is not an error here: `supported`
// stays empty and PlanPurge explains. kIoError/kPermissionDenied when the
// drive cannot be asked; kCorruption for garbled identify data.
Result<PurgeProbe> ProbePurge(PurgeTarget& target);

struct PurgePlan {
  PurgeAction action = PurgeAction::kAuto;  // Never kAuto once planned.
  PurgeInterface interface = PurgeInterface::kUnknown;
  std::string command;  // e.g. "NVMe Sanitize (84h), Block Erase, No-Deallocate After Sanitize"
  std::string reason;   // Why this command (for --action auto: why the strongest).
  std::vector<std::string> warnings;
  // `reason` and `warnings` as patterns and values, for an interface that
  // shows them in the user's language (English() of each is the string
  // above, which the record keeps).
  MessageText reason_text;
  std::vector<MessageText> warning_texts;
  bool no_deallocate = false;  // NVMe: NDAS requested, so reads return the media.
  // The drive's identity as it answered the probe, and the probe's facts:
  // repeated in the record so that one entry identifies the drive.
  std::string model, serial, firmware;
  std::vector<std::pair<std::string, std::string>> facts;
};
// kUnsupported (with what to do instead, e.g. "overwrite plus destroy" for
// USB flash) when nothing fits; kFailedPrecondition when the drive's state
// (frozen, locked) blocks the only fitting command.
Result<PurgePlan> PlanPurge(const PurgeProbe& probe, PurgeAction requested);

struct PurgeProgress {
  // A stable name: "seeding", "sanitize", "format", "security-erase",
  // "verify" (an interface may translate it as a word).
  std::string phase;
  double fraction = -1;  // 0..1, or -1 when the drive does not say.
  int64_t eta_seconds = -1;
};

struct PurgeOptions {
  Env* env = nullptr;  // Clock, and randomness for the sample LBAs and markers. Required.
  // Appends one event to the record (ledger). A failure stops the purge
  // before the next command is sent. May be empty.
  std::function<Status(std::string_view type, std::string_view data_json)> record;
  std::function<void(const PurgeProgress&)> on_progress;
  std::function<void(uint32_t milliseconds)> sleep;  // Default: real sleep.
  uint32_t poll_interval_ms = 2000;
  // Give up following the drive after this long (the drive itself carries
  // on). 0: three times the drive's own estimate plus an hour, else 48 h.
  uint64_t timeout_seconds = 0;
  // Sampled verification (NIST SP 800-88 §4.7.2, the erase engine's
  // sampler): each of 1,000 subsections gets two locations covering at
  // least this share of it, plus the first and last MiB. 1 = 0.01%; a
  // device under 4,000 blocks is checked in full.
  uint32_t sample_basis_points = 1;
  // Write a random marker to every sample before the purge, so that the
  // read-back proves the old content is gone even where it was zeros. The
  // markers overwrite the sampled blocks before the command is sent (the
  // operator has confirmed the erase of the whole device by then).
  bool seed_markers = true;
  // The device as the caller identified it (custody/device.h; serial from
  // the drive). Embedded as "target" in purge.started and in the final event
  // (purge.completed, purge.verification-failed, purge.failed), so that one
  // entry fills a certificate row. May be null; not owned.
  const DeviceInfo* identity = nullptr;
};

struct PurgeVerification {
  uint64_t samples = 0;       // Logical blocks checked.
  uint64_t erased = 0;        // Marker (or old content) gone.
  uint64_t unreadable = 0;    // Read fails after the purge: old content not returned.
  uint64_t unchanged = 0;     // Old content still there: the purge failed.
  uint64_t inconclusive = 0;  // Not seeded and uniform before (e.g. zeros).
  uint32_t ranges = 0;
  bool seeded = false;
  std::string sampling_seed_hex;  // Recomputes the locations (erase::SampleLocations).
  bool passed() const { return unchanged == 0 && samples > 0 && erased + unreadable > 0; }
};

struct PurgeReport {
  std::string purge_id;  // 16 random bytes, hex: links the events of one purge.
  PurgePlan plan;
  std::string final_status;             // The drive's own account (log page, status).
  std::vector<std::string> commands;    // Hex of each command sent (SQE or CDB).
  PurgeVerification verification;
  int64_t started_unix_micros = 0, finished_unix_micros = 0;
};
// Runs the plan. kVerificationFailed when a sample still holds its marker;
// kFailedPrecondition for a frozen/locked drive; kUnsupported when the drive
// rejects the command as unsupported; kIoError when it reports failure;
// kInterrupted when the timeout expires while the drive is still working.
Result<PurgeReport> RunPurge(PurgeTarget& target, const PurgePlan& plan,
                             const PurgeOptions& options);

// A PurgeTarget with the real Linux transports and block device it points
// to, owned together.
struct OpenedPurgeTarget {
  PurgeTarget target;
  std::unique_ptr<NvmeTransport> nvme;
  std::unique_ptr<ScsiTransport> scsi;
  std::unique_ptr<BlockDevice> device;
  ~OpenedPurgeTarget();
};
// Opens the whole-disk block device at `path` (O_EXCL: kBusy while mounted
// or held) and the command transport its `transport` calls for, as
// custody/device.h names it: "nvme" (admin passthrough on the namespace
// node, NSID from NVME_IOCTL_ID), "sata" (ATA PASS-THROUGH over SG_IO),
// "sas"/"scsi", "mmc" (BLKSECDISCARD), "usb" (ATA PASS-THROUGH if the bridge
// answers IDENTIFY DEVICE, else USB flash: no purge); anything else kUnknown.
Result<std::unique_ptr<OpenedPurgeTarget>> OpenPurgeTarget(const std::string& path,
                                                           std::string_view transport);

// BLKSECDISCARD over the whole block device at `path` (opened O_EXCL unless
// `exclusive` is false because the caller already holds the exclusive claim;
// kBusy while mounted or held). kUnsupported when the device or its driver
// has no secure erase/trim (loop devices, most USB flash, many SD readers);
// kInvalidArgument for a path that is not a block device. This is what
// PurgeTarget::secure_discard calls for eMMC/SD in the CLI.
Status SecureDiscardBlockDevice(const std::string& path, bool exclusive = true);

}  // namespace custody

#endif  // CUSTODY_PURGE_H_
