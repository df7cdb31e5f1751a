// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody purge DEVICE: erase a drive with its own sanitize command
// (custody/purge.h), after the same identification, safety refusals and
// confirmation as a wipe, recorded step by step in the ledger.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "custody/device.h"
#include "custody/purge.h"

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
  return s.empty() ? "none" : s;
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

// The probe and the choice, on stderr (stdout is kept for the result).
void PrintProbe(const DeviceInfo& d, const PurgeProbe& probe) {
  std::FILE* out = stderr;
  std::fprintf(out, "device:   %s (%s, %s, %s)\n", d.path.c_str(), d.transport.c_str(),
               std::string(PurgeInterfaceName(probe.interface)).c_str(),
               HumanBytes(d.size_bytes).c_str());
  const std::string& model = probe.model.empty() ? d.model : probe.model;
  const std::string& serial = probe.serial.empty() ? d.serial : probe.serial;
  if (!model.empty()) std::fprintf(out, "  model:    %s\n", model.c_str());
  std::fprintf(out, "  serial:   %s\n", serial.empty() ? "(none reported)" : serial.c_str());
  if (!probe.firmware.empty()) std::fprintf(out, "  firmware: %s\n", probe.firmware.c_str());
  std::fprintf(out, "  offers:   %s%s\n", ActionList(probe.supported).c_str(),
               probe.support_unknown ? " (the drive cannot report support)" : "");
  for (const auto& [name, value] : probe.facts) {
    std::fprintf(out, "  %-9s %s\n", (name + ":").c_str(), value.c_str());
  }
  if (!probe.blocked.empty()) {
    std::fprintf(out, "  blocked:  %s now: %s\n", ActionList(probe.blocked_actions).c_str(),
                 probe.blocked.c_str());
  }
}

void PrintPlan(const PurgePlan& plan) {
  std::FILE* out = stderr;
  std::fprintf(out, "plan:     %s\n", std::string(PurgeActionName(plan.action)).c_str());
  std::fprintf(out, "  command:  %s\n", plan.command.c_str());
  std::fprintf(out, "  why:      %s\n", plan.reason.c_str());
  for (const std::string& w : plan.warnings) std::fprintf(out, "  warning:  %s\n", w.c_str());
  std::fflush(out);
}

// The same confirmation as a wipe: the operator types the drive's serial
// (or its device name when it reports none); scripts pass --yes with
// --confirm-serial.
Status Confirm(const DeviceInfo& d, const std::string& serial, const PurgeArgs& a) {
  const std::string token = serial.empty() ? d.name : serial;
  if (a.yes) {
    for (const std::string& c : a.confirm) {
      if (c == token || c == d.path) return Status::Ok();
    }
    return CancelledError("--yes needs --confirm-serial " + token + " for " + d.path +
                          (serial.empty() ? " (it reports no serial: give its device name)" : "") +
                          "; nothing was sent to the drive");
  }
  if (::isatty(0) != 1) {
    return CancelledError("not a terminal: to purge " + d.path + " without a prompt pass --yes "
                          "--confirm-serial " + token + "; nothing was sent to the drive");
  }
  std::fprintf(stderr,
               "This erases EVERY block of %s (and, for NVMe Sanitize, every namespace of the "
               "drive) for good. Type %s %s to continue: ",
               d.path.c_str(), serial.empty() ? "its device name" : "its serial number",
               token.c_str());
  std::fflush(stderr);
  std::string line;
  if (!std::getline(std::cin, line) || (line != token && line != d.path)) {
    return CancelledError("confirmation did not match; nothing was sent to the drive");
  }
  return Status::Ok();
}

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
    std::string line = "purge: " + p.phase;
    if (p.fraction >= 0) line += " " + std::to_string(static_cast<int>(p.fraction * 100)) + "%";
    if (p.eta_seconds >= 0) line += ", about " + std::to_string(p.eta_seconds) + " s left";
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
    return InvalidArgumentError(a.path + " is a file: purge sends commands to a drive. Use custody "
                                "wipe for files, or custody crypto-erase luks for a LUKS image");
  }
  if (device.kind == "partition") {
    return InvalidArgumentError(a.path + " is a partition: a purge erases the whole drive. Give " +
                                (device.parent.empty() ? std::string("the disk") : device.parent) +
                                " after making sure nothing on it is in use");
  }
  // The wipe's refusals: mounted, swap, root file system, RAID/LVM/dm
  // holders, read-only, held open by another program.
  Status safety = CheckWipeSafety(device);
  if (!safety.ok() && !a.dry_run) return safety;
  const std::string transport = a.transport.empty() ? device.transport : a.transport;
  if (!safety.ok()) {
    std::fprintf(stderr, "device:   %s\n  refused:  %s\n", device.path.c_str(),
                 safety.message().c_str());
    return Status::Ok();
  }
  CUSTODY_ASSIGN_OR_RETURN(auto opened, OpenPurgeTarget(device.path, transport));
  PurgeTarget& target = opened->target;
  CUSTODY_ASSIGN_OR_RETURN(PurgeProbe probe, ProbePurge(target));
  PrintProbe(device, probe);
  for (const std::string& w : MediaWarnings(device)) {
    std::fprintf(stderr, "  note:     %s\n", w.c_str());
  }
  CUSTODY_ASSIGN_OR_RETURN(PurgePlan plan, PlanPurge(probe, requested));
  PrintPlan(plan);
  if (a.dry_run) {
    std::fprintf(stderr, "dry run: nothing was sent to the drive\n");
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
  PrintLine("purged " + device.path + (serial.empty() ? "" : " (serial " + serial + ")"));
  PrintLine("  command:      " + plan.command);
  PrintLine("  drive status: " + report->final_status);
  PrintLine("  verification: " + std::to_string(v.erased + v.unreadable) + " of " +
            std::to_string(v.samples) + " sampled blocks no longer hold their " +
            (v.seeded ? "markers" : "old content") + "; passed");
  PrintLine("  recorded:     ledger entry " + std::to_string(last_seq) + " (purge.completed)");
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
