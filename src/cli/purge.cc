// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody purge DEVICE: erase a drive with its own sanitize command
// (custody/purge.h), after the same identification, safety refusals and
// confirmation as a wipe, recorded step by step in the ledger.
#include "custody/purge.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/device.h"

namespace custody::cli {
namespace {

struct PurgeArgs {
  std::string path;
  std::string action = "auto";
  std::string transport;  // Override of the detected transport.
  bool dry_run = false;
  bool yes = false;
  std::vector<std::string> confirm;
  bool no_seed = false;
  uint32_t sample_basis_points = 1;
  uint64_t timeout_seconds = 0;
};

std::string ActionList(const std::vector<PurgeAction>& actions) {
  std::string s;
  for (PurgeAction a : actions) s += (s.empty() ? "" : ", ") + std::string(PurgeActionName(a));
  return s.empty() ? std::string(_("none")) : s;
}

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

// One "label: value" line on stderr, the label padded to `width` display
// columns (translated labels may be kanji; the English lines are unchanged).
void Field(const std::string& indent, const char* label, const std::string& value) {
  static const size_t width = LabelColumn(
      {_("device:"), _("model:"), _("serial:"), _("firmware:"), _("offers:"), _("blocked:"),
       _("note:"), _("refused:"), _("plan:"), _("command:"), _("why:"), _("warning:")},
      10);
  std::fprintf(stderr, "%s%s%s\n", indent.c_str(), PadLabel(label, width).c_str(), value.c_str());
}

// The probe and the choice, on stderr (stdout is kept for the result).
void PrintProbe(const DeviceInfo& d, const PurgeProbe& probe) {
  Field("", _("device:"),
        Format("%s (%s, %s, %s)",
               {d.path, d.transport, std::string(PurgeInterfaceName(probe.interface)),
                HumanBytes(d.size_bytes)}));
  const std::string& model = probe.model.empty() ? d.model : probe.model;
  const std::string& serial = probe.serial.empty() ? d.serial : probe.serial;
  if (!model.empty()) Field("  ", _("model:"), model);
  Field("  ", _("serial:"), serial.empty() ? std::string(_("(none reported)")) : serial);
  if (!probe.firmware.empty()) Field("  ", _("firmware:"), probe.firmware);
  Field("  ", _("offers:"),
        ActionList(probe.supported) +
            (probe.support_unknown ? _(" (the drive cannot report support)") : ""));
  // The drive's own facts (NVMe/ATA field names): values, not translated.
  for (const auto& [name, value] : probe.facts) {
    std::fprintf(stderr, "  %-9s %s\n", (name + ":").c_str(), value.c_str());
  }
  if (!probe.blocked.empty()) {
    Field("  ", _("blocked:"),
          Format(_("%s now: %s"),
                 {ActionList(probe.blocked_actions),
                  probe.blocked_text.empty() ? probe.blocked : Render(probe.blocked_text)}));
  }
}

void PrintPlan(const PurgePlan& plan) {
  Field("", _("plan:"), std::string(PurgeActionName(plan.action)));
  Field("  ", _("command:"), plan.command);
  Field("  ", _("why:"), Render(plan.reason_text));
  for (const MessageText& w : plan.warning_texts) Field("  ", _("warning:"), Render(w));
  std::fflush(stderr);
}

// The same confirmation as a wipe: the operator types the drive's serial
// (or its device name when it reports none); scripts pass --yes with
// --confirm-serial.
Status Confirm(const DeviceInfo& d, const std::string& serial, const PurgeArgs& a) {
  static constexpr DestructionTexts kTexts = {
      N_("--yes needs --confirm-serial %s for %s; nothing was sent to the drive"),
      N_("--yes needs --confirm-serial %s for %s (it reports no serial: give its device name); "
         "nothing was sent to the drive"),
      N_("not a terminal: to purge %s without a prompt pass --yes --confirm-serial %s; nothing was "
         "sent to the drive"),
      N_("This erases EVERY block of %s (and, for NVMe Sanitize, every namespace of the drive) for "
         "good. Type its serial number %s to continue: "),
      N_("This erases EVERY block of %s (and, for NVMe Sanitize, every namespace of the drive) for "
         "good. Type its device name %s to continue: "),
      N_("confirmation did not match; nothing was sent to the drive")};
  return ConfirmDestruction(d.path, serial.empty() ? d.name : serial, !serial.empty(), a.yes, a.confirm,
                            kTexts);
}

// The progress phases RunPurge reports (PurgeProgress::phase), marked for
// the catalog: Word() shows them in the interface language.
[[maybe_unused]] constexpr const char* kPhaseWords[] = {N_("seeding"), N_("sanitize"), N_("format"),
                                                        N_("security-erase"), N_("verify")};

// Progress on stderr: one rewritten line on a terminal, else a line per
// phase and per tenth.
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(::isatty(2) == 1) {}
  ~ProgressPrinter() {
    if (tty_ && dirty_) std::fputc('\n', stderr);
  }
  void operator()(const PurgeProgress& p) {
    const int tenth = p.fraction < 0 ? -1 : static_cast<int>(std::floor(p.fraction * 10));
    std::string line = Format(_("purge: %s"), Word(p.phase));
    if (p.fraction >= 0) line += " " + std::to_string(static_cast<int>(p.fraction * 100)) + "%";
    if (p.eta_seconds >= 0) line += Format(_(", about %s s left"), std::to_string(p.eta_seconds));
    if (tty_) {
      std::fprintf(stderr, "\r%-72s", line.c_str());
      dirty_ = true;
    } else if (p.phase != phase_ || tenth != tenth_) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
    phase_ = p.phase;
    tenth_ = tenth;
  }

 private:
  bool tty_;
  bool dirty_ = false;
  std::string phase_;
  int tenth_ = -2;
};

Status RunPurgeCommand(const GlobalOptions& g, const PurgeArgs& a) {
  CUSTODY_ASSIGN_OR_RETURN(PurgeAction requested, ParsePurgeAction(a.action));
  CUSTODY_ASSIGN_OR_RETURN(DeviceInfo device, IdentifyDevice(a.path));
  if (device.kind == "file") {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("%s is a file: purge sends commands to a drive. Use custody wipe for "
                       "files, or custody crypto-erase luks for a LUKS image"),
                    {a.path});
  }
  if (device.kind == "partition") {
    return device.parent.empty()
               ? OwnError(StatusCode::kInvalidArgument,
                          N_("%s is a partition: a purge erases the whole drive. Give the disk "
                             "after making sure nothing on it is in use"),
                          {a.path})
               : OwnError(StatusCode::kInvalidArgument,
                          N_("%s is a partition: a purge erases the whole drive. Give %s after "
                             "making sure nothing on it is in use"),
                          {a.path, device.parent});
  }
  // The wipe's refusals: mounted, swap, root file system, RAID/LVM/dm
  // holders, read-only, held open by another program.
  Status safety = CheckWipeSafety(device);
  if (!safety.ok() && !a.dry_run) return safety;
  const std::string transport = a.transport.empty() ? device.transport : a.transport;
  if (!safety.ok()) {
    Field("", _("device:"), device.path);
    Field("  ", _("refused:"), safety.message());
    return Status::Ok();
  }
  CUSTODY_ASSIGN_OR_RETURN(auto opened, OpenPurgeTarget(device.path, transport));
  PurgeTarget& target = opened->target;
  CUSTODY_ASSIGN_OR_RETURN(PurgeProbe probe, ProbePurge(target));
  PrintProbe(device, probe);
  for (const MessageText& w : MediaWarningTexts(device)) {
    Field("  ", _("note:"), Render(w));
  }
  CUSTODY_ASSIGN_OR_RETURN(PurgePlan plan, PlanPurge(probe, requested));
  PrintPlan(plan);
  if (a.dry_run) {
    std::fprintf(stderr, "%s\n", _("dry run: nothing was sent to the drive"));
    if (g.json) {
      PrintLine(nlohmann::json{{"path", device.path},
                               {"action", std::string(PurgeActionName(plan.action))},
                               {"command", plan.command},
                               {"reason", plan.reason},
                               {"warnings", plan.warnings},
                               {"dry_run", true}}
                    .dump());
    }
    return Status::Ok();
  }
  // The station before the confirmation: a purge that cannot be recorded
  // does not start.
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string operator_name, station->ResolveOperator(g.operator_));
  const std::string serial = device.serial.empty() ? probe.serial : device.serial;
  CUSTODY_RETURN_IF_ERROR(Confirm(device, serial, a));

  PurgeOptions options;
  options.env = station->env();
  options.identity = &device;
  options.seed_markers = !a.no_seed;
  options.sample_basis_points = a.sample_basis_points;
  options.timeout_seconds = a.timeout_seconds;
  uint64_t last_seq = 0;
  options.record = [&](std::string_view type, std::string_view data) -> Status {
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station->Record(type, operator_name, data));
    last_seq = e.seq;
    return Status::Ok();
  };
  auto printer = std::make_shared<ProgressPrinter>();
  options.on_progress = [printer](const PurgeProgress& p) { (*printer)(p); };
  Result<PurgeReport> report = RunPurge(target, plan, options);
  printer.reset();
  options.on_progress = nullptr;
  if (!report.ok()) {
    return report.status().WithContext("purge of " + device.path + " (recorded in ledger entry " +
                                       std::to_string(last_seq) + ")");
  }
  const PurgeVerification& v = report->verification;
  if (g.json) {
    PrintLine(nlohmann::json{{"path", device.path},
                             {"serial", serial},
                             {"purge_id", report->purge_id},
                             {"action", std::string(PurgeActionName(plan.action))},
                             {"command", plan.command},
                             {"final_status", report->final_status},
                             {"verification",
                              {{"samples", v.samples},
                               {"erased", v.erased},
                               {"unreadable", v.unreadable},
                               {"unchanged", v.unchanged},
                               {"passed", v.passed()}}},
                             {"ledger_seq", last_seq}}
                  .dump());
    return Status::Ok();
  }
  PrintLine(serial.empty() ? Format(_("purged %s"), device.path)
                           : Format(_("purged %s (serial %s)"), {device.path, serial}));
  const size_t width =
      LabelColumn({_("command:"), _("drive status:"), _("verification:"), _("recorded:")}, 14);
  auto line = [width](const char* label, const std::string& value) {
    PrintLine("  " + PadLabel(label, width) + value);
  };
  line(_("command:"), plan.command);
  line(_("drive status:"), report->final_status);
  line(_("verification:"),
       Format(v.seeded ? _("%s of %s sampled blocks no longer hold their markers; passed")
                       : _("%s of %s sampled blocks no longer hold their old content; passed"),
              {std::to_string(v.erased + v.unreadable), std::to_string(v.samples)}));
  line(_("recorded:"), Format(_("ledger entry %s (purge.completed)"), std::to_string(last_seq)));
  return Status::Ok();
}

CommandRegistration reg(55, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto a = std::make_shared<PurgeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "purge", "Erase a drive with its own sanitize command (NVMe, ATA, SCSI, eMMC; NIST Purge)");
  cmd->add_option("device", a->path, "Whole-disk block device (/dev/nvme0n1, /dev/sdb)")
      ->required();
  cmd->add_option("--action", a->action,
                  "auto (strongest the drive offers, IEEE 2883 order), sanitize-block, "
                  "sanitize-crypto, sanitize-overwrite, security-erase-enhanced, security-erase, "
                  "format-crypto, format-user-data, secure-discard")
      ->capture_default_str();
  cmd->add_flag("--dry-run", a->dry_run,
                "Identify the drive, show what it offers and the plan; send nothing");
  cmd->add_flag("-y,--yes", a->yes, "Do not prompt (needs --confirm-serial)");
  cmd->add_option("--confirm-serial", a->confirm,
                  "The drive's serial number (or device name when it reports none), as a check "
                  "with --yes");
  cmd->add_option("--transport", a->transport,
                  "Override the detected transport (nvme, sata, sas, usb, mmc): for a card reader "
                  "or controller the kernel does not name");
  cmd->add_flag("--no-seed", a->no_seed,
                "Do not write markers to the sampled blocks before the purge (verification then "
                "compares digests of the old content)");
  cmd->add_option("--sample-basis-points", a->sample_basis_points,
                  "Share of each of the 1,000 verification subsections read back, in 0.01% "
                  "(default 1)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--timeout", a->timeout_seconds,
                  "Stop following the drive after SECONDS (it carries on); default from its "
                  "own estimate");
  cmd->footer(
      "Examples:\n"
      "  custody purge /dev/nvme0n1 --dry-run\n"
      "  custody purge /dev/sdb --action auto --yes --confirm-serial S3Z9NB0K123456\n"
      "A frozen ATA drive is explained (suspend and resume, or replug it). USB flash sticks and\n"
      "most SD cards offer no purge: overwrite them (custody wipe) and destroy them.");
  AddJsonFlag(cmd, g);
  cmd->callback([&g, a, &inv] { inv.run = [&g, a] { return RunPurgeCommand(g, *a); }; });
});

}  // namespace
}  // namespace custody::cli
