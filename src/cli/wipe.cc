// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody wipe DEVICE|FILE|DIR... | --free-space MOUNTPOINT | --resume ID
// custody wipe show ID | custody wipe list
//
// Parses options, shows the plan, asks for the serial, runs the library's
// wipe with a sink that signs every step into the ledger, and prints.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/cli_util.h"
#include "cli/help_i18n.h"
#include "cli/i18n.h"
#include "custody/device.h"
#include "custody/env.h"
#include "custody/wipe.h"

namespace custody::cli {
namespace {

std::atomic<bool>& g_stop = StopRequested();

struct WipeArgs {
  std::vector<std::string> targets;
  std::string method = "random";
  int passes = 1;
  std::string verify = "last";
  bool blank = false;
  bool dry_run = false;
  bool yes = false;
  std::vector<std::string> confirm;
  bool allow_hard_links = false;
  std::string free_space;
  std::string resume;
  int buffer_mib = 8;
  std::string show_id;
};

std::string HumanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

// The library's stable words a wipe shows (WipeProgress::phase,
// WipeResultName, the verification mode), marked for the catalog: Word()
// shows them in the interface language.
[[maybe_unused]] constexpr const char* kWipeWords[] = {
    N_("write"),  N_("verify"),      N_("completed"), N_("completed-with-errors"),
    N_("failed"), N_("interrupted"), N_("full"),      N_("sample")};

// Progress on stderr (a bar on a TTY, nothing otherwise) or JSON lines on
// stdout with --json. Shared by parallel wipes.
// Several devices wiped at once each have a printer whose lines start with
// the device (`prefix`); they share one stderr, so one lock and one
// "a progress line is open" flag.
class ProgressPrinter final : public WipeEventSink {
 public:
  explicit ProgressPrinter(bool json, std::string prefix = "")
      : json_(json), tty_(::isatty(2) == 1), prefix_(std::move(prefix)) {}
  void OnProgress(const WipeProgress& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (json_) {
      std::fprintf(stdout, "%s\n", p.ToJson().c_str());
      std::fflush(stdout);
      return;
    }
    if (!tty_) return;
    const int pct = p.bytes_total ? static_cast<int>(p.bytes_done * 100 / p.bytes_total) : 0;
    const uint64_t left = p.bytes_total > p.bytes_done ? p.bytes_total - p.bytes_done : 0;
    const uint64_t eta = p.bytes_per_second ? left / p.bytes_per_second : 0;
    std::string bar(static_cast<size_t>(pct / 5), '#');
    bar.resize(20, '.');
    char phase[16], percent[8], rate[32], clock[32];
    if (CurrentLanguage() == UiLanguage::kEnglish) {
      std::snprintf(phase, sizeof phase, "%-6s", p.phase.c_str());
    } else {
      std::snprintf(phase, sizeof phase, "%s", PadLabel(Word(p.phase), 6).c_str());
    }
    std::snprintf(percent, sizeof percent, "%3d%%", pct);
    std::snprintf(rate, sizeof rate, "%.1f", static_cast<double>(p.bytes_per_second) / 1e6);
    std::snprintf(clock, sizeof clock, "%llu:%02llu", static_cast<unsigned long long>(eta / 60),
                  static_cast<unsigned long long>(eta % 60));
    std::fprintf(stderr, "\r%s%s   ", prefix_.c_str(),
                 Format(_("%s pass %s/%s %s [%s] %s %s %s MB/s ETA %s"),
                        {p.wipe_id, std::to_string(p.pass), std::to_string(p.passes), phase, bar,
                         percent, HumanBytes(p.bytes_done), rate, clock})
                     .c_str());
    std::fflush(stderr);
    dirty_ = true;
  }
  Status OnPassCompleted(const WipePassEvent& e) override {
    Line(Format(_("pass %s/%s (%s) written: %s in %s ms"),
                {std::to_string(e.pass), std::to_string(e.passes), e.pattern,
                 HumanBytes(e.bytes_written), std::to_string(e.duration_ms)}) +
         (e.write_errors.empty()
              ? ""
              : Format(_(", %s failing ranges"), std::to_string(e.write_errors.size()))));
    return Status::Ok();
  }
  Status OnVerified(const WipeVerifiedEvent& e) override {
    Line(Format(_("pass %s verified (%s): %s"),
                {std::to_string(e.pass), Word(e.mode),
                 e.ok ? std::string(_("OK"))
                      : Format(_("MISMATCH in %s bytes"), std::to_string(e.mismatched_bytes))}));
    return Status::Ok();
  }
  Status OnRemoved(const WipeRemovedEvent& e) override {
    if (e.kind != "directory") Line(Format(_("removed %s"), e.path));
    return Status::Ok();
  }

 private:
  void Line(const std::string& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (json_) return;
    if (dirty_) std::fprintf(stderr, "\n");
    dirty_ = false;
    std::fprintf(stderr, "%s%s\n", prefix_.c_str(), s.c_str());
  }
  static inline std::mutex mu_;
  static inline bool dirty_ = false;
  bool json_, tty_;
  std::string prefix_;
};

std::string ConfirmToken(const DeviceInfo& d) {
  return d.serial.empty() ? d.name : d.serial;
}

// The verification policy in the run's language, with the --verify value
// it came from (which is what the operator typed and what --json gives).
std::string VerifyPolicyText(const VerifyPolicy& v) {
  std::string what;
  switch (v.mode) {
    case VerifyMode::kNone:
      what = _("no read-back");
      break;
    case VerifyMode::kLast:
      what = _("full read-back of the last pass");
      break;
    case VerifyMode::kAll:
      what = _("full read-back of every pass");
      break;
    case VerifyMode::kSample:
      // "sample:2.5" -> "2.5".
      what = Format(_("%s of the last pass read back at random locations"), v.ToString().substr(7) + "%");
      break;
  }
  return Format(_("%s (--verify %s)"), {what, v.ToString()});
}

void PrintPlan(const DeviceInfo& d, const WipePlan& plan, const std::vector<WipePass>& passes,
               const std::vector<MessageText>& warnings, bool json) {
  if (json) return;
  std::string p;
  for (const WipePass& w : passes) p += (p.empty() ? "" : ", ") + w.Describe();
  std::FILE* out = stdout;
  // Labels padded by display width (translated labels may be kanji): the
  // English lines are those of "  %-10s %s".
  const size_t width = LabelColumn({_("device:"), _("model:"), _("serial:"), _("backing:"),
                                    _("method:"), _("verify:"), _("warning:")},
                                   11);
  auto line = [out, width](const char* label, const std::string& value) {
    std::fprintf(out, "  %s%s\n", PadLabel(label, width).c_str(), value.c_str());
  };
  std::fprintf(out, "%s\n", Format(_("plan: overwrite %s"), d.path).c_str());
  line(_("device:"),
       Format(_("%s %s (%s, %s bytes)"),
              {d.kind, d.transport, HumanBytes(d.size_bytes), std::to_string(d.size_bytes)}));
  if (!d.model.empty()) line(_("model:"), d.model);
  line(_("serial:"), d.serial.empty() ? std::string(_("(none)")) : d.serial);
  if (!d.backing_file.empty()) line(_("backing:"), d.backing_file);
  line(_("method:"), Format(passes.size() == 1 ? _("%s, %s pass: %s") : _("%s, %s passes: %s"),
                            {plan.method, std::to_string(passes.size()), p}));
  line(_("verify:"), VerifyPolicyText(plan.verify));
  for (const MessageText& w : warnings) line(_("warning:"), Render(w));
  std::fflush(out);
}

// Interactive: the operator types the serial (or the device name). Scripts:
// --yes with --confirm-serial.
Status Confirm(const DeviceInfo& d, const WipeArgs& a) {
  static constexpr DestructionTexts kTexts = {
      N_("--yes needs --confirm-serial %s for %s; nothing was written"),
      N_("--yes needs --confirm-serial %s for %s (it reports no serial: give its device name); "
         "nothing was written"),
      N_("not a terminal: to wipe %s without a prompt pass --yes --confirm-serial %s; nothing was "
         "written"),
      N_("This destroys every byte on %s. Type its serial number %s to continue: "),
      N_("This destroys every byte on %s. Type its device name %s to continue: "),
      N_("confirmation did not match; nothing was written")};
  return ConfirmDestruction(d.path, ConfirmToken(d), !d.serial.empty(), a.yes, a.confirm, kTexts);
}

Result<WipePlan> PlanFromArgs(const WipeArgs& a) {
  WipePlan plan;
  plan.method = a.method;
  plan.repeat = a.passes;
  plan.blank = a.blank;
  CUSTODY_ASSIGN_OR_RETURN(plan.verify, ParseVerifyPolicy(a.verify));
  CUSTODY_RETURN_IF_ERROR(ExpandPlan(plan).status());
  return plan;
}

// The plan as a dry run's --json gives it (English, stable keys): the
// method, its passes in order, and the verification.
nlohmann::json PlanJson(const WipePlan& plan) {
  nlohmann::json passes = nlohmann::json::array();
  auto expanded = ExpandPlan(plan);
  if (expanded.ok()) {
    for (const WipePass& p : *expanded) {
      passes.push_back({{"kind", p.kind == WipePass::Kind::kRandom ? "random" : "pattern"},
                        {"pattern", p.Describe()}});
    }
  }
  auto method = FindWipeMethod(plan.method);
  return {{"method", plan.method},
          {"title", method.ok() ? method->title : std::string()},
          {"repeat", plan.repeat},
          {"blank", plan.blank},
          {"verify", plan.verify.ToString()},
          {"passes", passes}};
}

// One device target of a dry run: its identity as `custody device info
// --json` gives it, and the media warnings the wipe would record.
nlohmann::json DeviceTargetJson(const DeviceInfo& d, const WipePlan& plan,
                                const std::vector<MessageText>& warnings) {
  return {{"path", d.path},
          {"kind", "device"},
          {"device", nlohmann::json::parse(d.ToJson(), nullptr, false)},
          {"plan", PlanJson(plan)},
          {"warnings", English(warnings)}};
}

// A dry run prints its plan as text; with --json, one document with the
// whole plan of every target (docs/exit-codes.md, "--json").
void PrintDryRun(bool json, const nlohmann::json& targets) {
  if (json) {
    PrintLine(nlohmann::json({{"ok", true}, {"dry_run", true}, {"targets", targets}})
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    PrintLine(_("dry run: nothing was written"));
  }
}

// The wipe's failure for main to report: an interruption that the wipe
// worded itself (where it stopped, how to go on) is shown in the interface
// language, like the result line above it.
Status FinishedStatus(const WipeFinishedEvent& f) {
  Status s = f.ToStatus();
  if (s.ok() || f.message_text.empty()) return s;
  return WithOwnMessage(std::move(s), Format(_("wipe %s: %s"), {f.wipe_id, Render(f.message_text)}));
}

// Under the result line: where the old data may remain, the ranges a wipe
// could not write or read back (the first few; `custody wipe show` and the
// ledger have them all), in bytes and in the device's LBAs.
void PrintFailingRanges(const WipeFinishedEvent& f) {
  constexpr size_t kShown = 8;
  const uint64_t sector = f.target.logical_sector_size == 0 ? 512 : f.target.logical_sector_size;
  auto print = [&](const std::vector<ByteRange>& ranges, const char* pattern) {
    for (size_t i = 0; i < ranges.size() && i < kShown; ++i) {
      const uint64_t last = ranges[i].offset + ranges[i].length - 1;
      PrintLine(Format(_(pattern), {std::to_string(ranges[i].offset), std::to_string(last),
                                    std::to_string(ranges[i].offset / sector),
                                    std::to_string(last / sector)}));
    }
    if (ranges.size() > kShown) {
      PrintLine(Format(_("  ... and %s more (custody wipe show %s)"),
                       {std::to_string(ranges.size() - kShown), f.wipe_id}));
    }
  };
  print(f.write_errors, N_("  not written:   bytes %s-%s (LBA %s-%s)"));
  print(f.unreadable, N_("  not read back: bytes %s-%s (LBA %s-%s)"));
}

void PrintFinished(const WipeFinishedEvent& f, bool json) {
  if (json) {
    PrintLine(f.ToJson());
    return;
  }
  PrintLine(Format(_("wipe %s %s: %s, %s/%s passes, %s written, %s"),
                   {f.wipe_id, Word(std::string(WipeResultName(f.result))), f.target.path,
                    std::to_string(f.passes_completed), std::to_string(f.passes),
                    HumanBytes(f.bytes_written),
                    f.verified ? Format(_("verified (%s)"), Word(f.verify_mode))
                               : std::string(_("not verified"))}) +
            (f.message.empty() ? "" : _(". ") + (f.message_text.empty() ? f.message : Render(f.message_text))));
  PrintFailingRanges(f);
}

// After several devices: one row each, to read at a glance which one needs
// attention (columns padded by display width: Japanese words are wide).
void PrintSummaryTable(const std::vector<DeviceInfo>& devices,
                       const std::vector<Result<WipeFinishedEvent>>& results) {
  std::vector<std::vector<std::string>> rows = {{_("device"), _("serial"), _("result"), _("passes"),
                                                 _("verified"), _("failing ranges"), _("time")}};
  for (size_t i = 0; i < devices.size(); ++i) {
    const DeviceInfo& d = devices[i];
    std::vector<std::string> row = {d.path, d.serial.empty() ? "-" : d.serial};
    if (!results[i].ok()) {
      row.insert(row.end(), {_("not wiped"), "-", "-", "-", "-"});
    } else {
      const WipeFinishedEvent& f = *results[i];
      row.insert(row.end(),
                 {Word(std::string(WipeResultName(f.result))),
                  std::to_string(f.passes_completed) + "/" + std::to_string(f.passes),
                  f.verified ? std::string(_("yes")) : std::string(_("no")),
                  std::to_string(f.write_errors.size() + f.unreadable.size()),
                  std::to_string(f.duration_ms / 1000) + " s"});
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], DisplayWidth(row[c]) + 2);
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += c + 1 < row.size() ? PadLabel(row[c], width[c]) : row[c];
    PrintLine(line);
  }
}

Status WipeDevices(Station& station, const std::string& op, const WipeArgs& a, const WipePlan& plan,
                   const std::vector<DeviceInfo>& devices, bool json) {
  CUSTODY_ASSIGN_OR_RETURN(auto passes, ExpandPlan(plan));
  std::vector<std::vector<MessageText>> warnings;
  for (const DeviceInfo& d : devices) {
    warnings.push_back(MediaWarningTexts(d));
    PrintPlan(d, plan, passes, warnings.back(), json);
  }
  for (const DeviceInfo& d : devices) CUSTODY_RETURN_IF_ERROR(Confirm(d, a));
  InstallStopHandlers();
  std::vector<std::unique_ptr<ProgressPrinter>> printers;
  for (const DeviceInfo& d : devices) {
    printers.push_back(std::make_unique<ProgressPrinter>(json, devices.size() > 1 ? d.path + ": " : ""));
  }
  std::vector<Result<WipeFinishedEvent>> results(devices.size(), InternalError("not run"));
  auto run_one = [&](size_t i) {
    auto sink = NewLedgerWipeSink(&station, op, printers[i].get());
    // The plan was confirmed a while ago (a person typed the serial): the
    // path must still lead to that drive, and nothing may have mounted or
    // opened it meanwhile.
    auto now = IdentifyDevice(devices[i].path);
    Status safe = now.ok() ? CheckSameDevice(devices[i], *now) : now.status();
    if (safe.ok()) safe = CheckWipeSafety(*now);
    if (!safe.ok()) {
      results[i] = safe;
      return;
    }
    auto dev = OpenBlockDevice(devices[i].path);
    if (!dev.ok()) {
      results[i] = dev.status();
      return;
    }
    WipeOptions o;
    o.plan = plan;
    o.target = *now;
    o.warnings = English(warnings[i]);  // The record keeps the English.
    o.state_dir = station.path("wipes");
    o.stop = &g_stop;
    o.sink = sink.get();
    o.buffer_bytes = static_cast<size_t>(a.buffer_mib) << 20;
    results[i] = RunWipe(**dev, o, Env::Default());
  };
  if (devices.size() == 1) {
    run_one(0);
  } else {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < devices.size(); ++i) threads.emplace_back(run_one, i);
    for (auto& t : threads) t.join();
  }
  Status worst;
  for (size_t i = 0; i < devices.size(); ++i) {
    if (!results[i].ok()) {
      if (!json)
        PrintLine(devices[i].path + ": " + _("not wiped") + ": " + results[i].status().message());
      if (worst.ok()) worst = results[i].status();
      continue;
    }
    PrintFinished(*results[i], json);
    Status s = FinishedStatus(*results[i]);
    if (!s.ok() && (worst.ok() || s.code() == StatusCode::kVerificationFailed)) worst = s;
  }
  if (devices.size() > 1 && !json) PrintSummaryTable(devices, results);
  return worst;
}

Status RunResume(Station& station, const std::string& op, const WipeArgs& a, bool json) {
  const std::string state_dir = station.path("wipes");
  CUSTODY_ASSIGN_OR_RETURN(WipeStateSummary st, ReadWipeState(state_dir, a.resume, Env::Default()));
  // Refused before the plan and the confirmation, dry run included, as
  // ResumeWipe would refuse it after them.
  if (!st.resumable) {
    return FailedPreconditionError("wipe " + st.wipe_id + " cannot be resumed: " + st.not_resumable);
  }
  const std::string path = a.targets.empty() ? st.target.path : a.targets.front();
  CUSTODY_ASSIGN_OR_RETURN(DeviceInfo d, IdentifyDevice(path));
  CUSTODY_RETURN_IF_ERROR(CheckWipeSafety(d));
  // Resuming writes to a device as a new wipe does: the same plan shown, the
  // same confirmation. (The device at this path may not be the one the wipe
  // started on; ResumeWipe also compares the recorded identity.)
  CUSTODY_ASSIGN_OR_RETURN(auto passes, ExpandPlan(st.plan));
  const std::vector<MessageText> warnings = MediaWarningTexts(d);
  PrintPlan(d, st.plan, passes, warnings, json);
  if (!json) {
    PrintLine(Format(
        _("resuming wipe %s on %s at pass %s (%s), byte %s"),
        {st.wipe_id, path, std::to_string(st.pass), Word(st.phase), std::to_string(st.offset)}));
  }
  if (a.dry_run) {
    nlohmann::json target = DeviceTargetJson(d, st.plan, warnings);
    target["resume"] = {{"wipe_id", st.wipe_id}, {"pass", st.pass}, {"phase", st.phase},
                        {"offset", st.offset}, {"bytes", st.bytes}};
    PrintDryRun(json, nlohmann::json::array({target}));
    return Status::Ok();
  }
  CUSTODY_RETURN_IF_ERROR(Confirm(d, a));
  // Confirmed a while ago: still the same drive, still free.
  CUSTODY_ASSIGN_OR_RETURN(DeviceInfo now, IdentifyDevice(path));
  CUSTODY_RETURN_IF_ERROR(CheckSameDevice(d, now));
  CUSTODY_RETURN_IF_ERROR(CheckWipeSafety(now));
  InstallStopHandlers();
  ProgressPrinter printer(json);
  auto sink = NewLedgerWipeSink(&station, op, &printer);
  CUSTODY_ASSIGN_OR_RETURN(auto dev, OpenBlockDevice(path));
  WipeOptions o;
  o.wipe_id = st.wipe_id;
  o.target = now;
  o.state_dir = state_dir;
  o.stop = &g_stop;
  o.sink = sink.get();
  o.buffer_bytes = static_cast<size_t>(a.buffer_mib) << 20;
  CUSTODY_ASSIGN_OR_RETURN(WipeFinishedEvent f, ResumeWipe(*dev, o, Env::Default()));
  PrintFinished(f, json);
  return FinishedStatus(f);
}

Status RunFiles(Station& station, const std::string& op, const WipeArgs& a, const WipePlan& plan,
                const std::vector<std::string>& paths, bool json) {
  if (a.dry_run) {
    // The same checks as the wipe (PlanFileWipe): a dry run refuses what the
    // wipe would refuse (hard links, special files, links given as the
    // target, mount points) and warns as it would, touching nothing.
    FileWipeOptions fo;
    fo.wipe.plan = plan;
    fo.allow_hard_links = a.allow_hard_links;
    nlohmann::json targets = nlohmann::json::array();
    for (const std::string& p : paths) {
      CUSTODY_ASSIGN_OR_RETURN(FileWipePlan fp, PlanFileWipe(p, fo, Env::Default()));
      if (json) {
        targets.push_back({{"path", p},
                           {"kind", fp.directory ? "directory" : "file"},
                           {"files", fp.files},
                           {"directories", fp.directories},
                           {"symlinks", fp.symlinks},
                           {"bytes", fp.bytes},
                           {"plan", PlanJson(plan)},
                           {"warnings", fp.warnings}});
        continue;
      }
      PrintLine(Format(_("plan: overwrite in place, rename and remove %s (method %s, verify %s)"),
                       {p, plan.method, VerifyPolicyText(plan.verify)}));
      for (const MessageText& w : fp.warning_texts) {
        PrintLine("  " + PadLabel(_("warning:"), 11) + Render(w));
      }
    }
    PrintDryRun(json, targets);
    return Status::Ok();
  }
  if (!a.yes && ::isatty(0) == 1) {
    std::fprintf(stderr, "%s",
                 Format(_("Overwrite and remove %s path(s) (%s...)? Type yes: "),
                        {std::to_string(paths.size()), paths.front()})
                     .c_str());
    std::string line;
    if (!std::getline(std::cin, line) || line != "yes") {
      return OwnError(StatusCode::kCancelled, N_("not confirmed"), {});
    }
  } else if (!a.yes) {
    return OwnError(StatusCode::kCancelled,
                    N_("not a terminal: pass --yes to wipe files without a prompt"), {});
  }
  InstallStopHandlers();
  ProgressPrinter printer(json);
  auto sink = NewLedgerWipeSink(&station, op, &printer);
  for (const std::string& p : paths) {
    FileWipeOptions fo;
    fo.wipe.plan = plan;
    fo.wipe.stop = &g_stop;
    fo.wipe.sink = sink.get();
    fo.wipe.buffer_bytes = static_cast<size_t>(a.buffer_mib) << 20;
    fo.allow_hard_links = a.allow_hard_links;
    CUSTODY_ASSIGN_OR_RETURN(FileWipeSummary s, WipeFileTree(p, fo, Env::Default()));
    if (json) {
      nlohmann::json j = {{"path", p},
                          {"result", std::string(WipeResultName(s.result))},
                          {"files", s.files},
                          {"directories", s.directories},
                          {"symlinks", s.symlinks},
                          {"bytes", s.bytes},
                          {"warnings", s.warnings},
                          {"message", s.message},
                          {"tree_id", s.tree_id}};
      nlohmann::json ids = nlohmann::json::array();
      for (const auto& r : s.results) ids.push_back(r.wipe_id);
      j["wipe_ids"] = ids;
      PrintLine(j.dump());
    } else {
      PrintLine(
          Format(_("%s: %s, %s file(s) overwritten and removed (%s per pass), %s "
                   "directories, %s symlinks removed"),
                 {p, Word(std::string(WipeResultName(s.result))), std::to_string(s.files),
                  HumanBytes(s.bytes), std::to_string(s.directories), std::to_string(s.symlinks)}) +
          (s.message.empty() ? "" : _(". ") + (s.message_text.empty() ? s.message : Render(s.message_text))));
      for (const MessageText& w : s.warning_texts) {
        PrintLine("  " + std::string(_("warning:")) + " " + Render(w));
      }
      PrintLine("  " + Format(_("recorded as tree wipe %s (custody wipe show %s)"),
                              {s.tree_id, s.tree_id}));
    }
    if (s.result != WipeResult::kCompleted) {
      for (const auto& r : s.results) {
        if (r.result != WipeResult::kCompleted) return FinishedStatus(r);
      }
      Status failed = s.result == WipeResult::kInterrupted ? InterruptedError(s.message) : IoError(s.message);
      if (s.message_text.empty()) return failed;
      return WithOwnMessage(std::move(failed), Render(s.message_text));
    }
  }
  return Status::Ok();
}

Status RunFreeSpace(Station& station, const std::string& op, const WipeArgs& a,
                    const WipePlan& plan, bool json) {
  if (a.dry_run) {
    // The real run's checks and warnings (PlanFreeSpaceWipe), nothing written.
    WipeOptions o;
    o.plan = plan;
    CUSTODY_ASSIGN_OR_RETURN(FreeSpaceWipeEvent ev, PlanFreeSpaceWipe(a.free_space, o, Env::Default()));
    if (!json) {
      PrintLine(Format(_("plan: fill the free space of %s (method %s, verify %s), then remove "
                         "the fill files"),
                       {ev.mount_point, plan.method, VerifyPolicyText(plan.verify)}));
      PrintLine(_("not reached by a free-space wipe:"));
      for (const MessageText& l : ev.limitation_texts) PrintLine("  - " + Render(l));
      for (const MessageText& w : ev.warning_texts) {
        PrintLine("  " + std::string(_("warning:")) + " " + Render(w));
      }
    }
    nlohmann::json target = {{"path", ev.mount_point},     {"kind", "free-space"},
                             {"file_system", ev.fs_type},  {"device", ev.device},
                             {"free_bytes", ev.free_bytes_before},
                             {"plan", PlanJson(plan)},     {"warnings", ev.warnings},
                             {"limitations", ev.limitations}};
    PrintDryRun(json, nlohmann::json::array({target}));
    return Status::Ok();
  }
  InstallStopHandlers();
  ProgressPrinter printer(json);
  auto sink = NewLedgerWipeSink(&station, op, &printer);
  WipeOptions o;
  o.plan = plan;
  o.stop = &g_stop;
  o.sink = sink.get();
  CUSTODY_ASSIGN_OR_RETURN(FreeSpaceWipeEvent ev, WipeFreeSpace(a.free_space, o, Env::Default()));
  if (json) {
    PrintLine(ev.ToJson());
  } else {
    PrintLine(Format(_("free-space wipe %s %s: %s (%s), %s filled, %s. %s"),
                     {ev.wipe_id, Word(std::string(WipeResultName(ev.result))), ev.mount_point,
                      ev.fs_type, HumanBytes(ev.bytes_filled),
                      ev.verified ? _("verified") : _("not verified"), Render(ev.message_text)}));
    PrintLine(_("not reached by a free-space wipe:"));
    for (const MessageText& l : ev.limitation_texts) PrintLine("  - " + Render(l));
    for (const MessageText& w : ev.warning_texts) {
      PrintLine("  " + std::string(_("warning:")) + " " + Render(w));
    }
  }
  return ev.ToStatus();
}

Status RunWipeCommand(const GlobalOptions& g, const WipeArgs& a) {
  const int modes = (a.free_space.empty() ? 0 : 1) + (a.resume.empty() ? 0 : 1);
  if (modes > 1) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("--free-space and --resume cannot be combined"), {});
  }
  if (a.targets.empty() && modes == 0) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("name what to wipe: a device, files or directories, --free-space "
                       "MOUNTPOINT, or --resume ID"),
                    {});
  }
  if (!a.free_space.empty() && !a.targets.empty()) {
    return OwnError(StatusCode::kInvalidArgument, N_("--free-space takes no other targets"), {});
  }
  if (a.buffer_mib < 1 || a.buffer_mib > 256) {
    return OwnError(StatusCode::kInvalidArgument, N_("--buffer-mib must be between 1 and 256"), {});
  }
  CUSTODY_ASSIGN_OR_RETURN(WipePlan plan, PlanFromArgs(a));
  // Identify and check every target before the station is even opened: a
  // refusal costs nothing and touches nothing.
  std::vector<DeviceInfo> devices;
  std::vector<std::string> files;
  if (a.resume.empty()) {
    std::set<dev_t> seen_devices;
    for (const std::string& t : a.targets) {
      struct stat st;
      if (::lstat(t.c_str(), &st) != 0) return NotFoundError(t + " does not exist");
      // A link to a block device (/dev/disk/by-id/..., which names the
      // drive by its serial) is that device; a link to anything else is left
      // to the file wipe, which refuses links.
      struct stat followed;
      const bool block_link = S_ISLNK(st.st_mode) && ::stat(t.c_str(), &followed) == 0 &&
                              S_ISBLK(followed.st_mode);
      if (S_ISBLK(st.st_mode) || block_link) {
        const dev_t rdev = block_link ? followed.st_rdev : st.st_rdev;
        if (!seen_devices.insert(rdev).second) {
          return OwnError(StatusCode::kInvalidArgument, N_("%s is named twice"), {t});
        }
        std::error_code ec;
        const std::string path = block_link ? std::filesystem::canonical(t, ec).string() : t;
        if (ec) return NotFoundError(t + " does not exist");
        CUSTODY_ASSIGN_OR_RETURN(DeviceInfo d, IdentifyDevice(path));
        CUSTODY_RETURN_IF_ERROR(CheckWipeSafety(d));
        devices.push_back(std::move(d));
      } else {
        files.push_back(t);
      }
    }
    if (!devices.empty() && !files.empty()) {
      return OwnError(StatusCode::kInvalidArgument,
                      N_("wipe devices and files in separate commands"), {});
    }
  }
  if (a.dry_run && a.resume.empty()) {
    if (!devices.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(auto passes, ExpandPlan(plan));
      nlohmann::json targets = nlohmann::json::array();
      for (const DeviceInfo& d : devices) {
        const std::vector<MessageText> warnings = MediaWarningTexts(d);
        PrintPlan(d, plan, passes, warnings, g.json);
        targets.push_back(DeviceTargetJson(d, plan, warnings));
      }
      PrintDryRun(g.json, targets);
      return Status::Ok();
    }
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  if (!a.resume.empty()) return RunResume(*station, op, a, g.json);
  if (!a.free_space.empty()) return RunFreeSpace(*station, op, a, plan, g.json);
  if (!files.empty()) return RunFiles(*station, op, a, plan, files, g.json);
  return WipeDevices(*station, op, a, plan, devices, g.json);
}

// The events of wipe ID; for a tree wipe's id (`tree_id`), every file's
// wipe in it and every removal.
Status RunShow(const GlobalOptions& g, const std::string& id) {
  // An empty id would match the removals older versions recorded without
  // one (of a directory or a symbolic link).
  if (id.empty()) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("give the id of a wipe (custody log show --type wipe lists them)"), {});
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  int found = 0;
  std::set<std::string> tree_files;  // Wipes whose wipe.started names tree `id`.
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (!e.type.starts_with("wipe.")) return true;
    auto j = nlohmann::json::parse(e.data_json, nullptr, false);
    if (!j.is_object() || !j.value("wipe_id", nlohmann::json()).is_string()) return true;
    const std::string wipe_id = j["wipe_id"];
    const nlohmann::json tree = j.value("tree_id", nlohmann::json());
    const bool in_tree = tree.is_string() && tree.get<std::string>() == id;
    if (in_tree && e.type == "wipe.started") tree_files.insert(wipe_id);
    if (wipe_id != id && !in_tree && !tree_files.contains(wipe_id)) return true;
    ++found;
    if (g.json) {
      PrintLine(e.canonical);
    } else {
      PrintLine(std::to_string(e.seq) + "  " + e.time + "  " + e.type + "  " + e.operator_name);
      PrintLine(j.dump(2));
    }
    return true;
  }));
  if (found == 0) {
    return OwnError(StatusCode::kNotFound,
                    N_("no wipe %s in the ledger (see custody log show --type wipe)"), {id});
  }
  return Status::Ok();
}

// Every wipe that kept its resume state: how its last run ended
// (interrupted, or failed and why), and whether --resume can continue it.
Status RunList(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(auto states, ListWipeStates(station->path("wipes"), Env::Default()));
  for (const WipeStateSummary& s : states) {
    if (g.json) {
      nlohmann::json ended = nullptr;
      if (!s.ended.empty()) {
        ended = {{"result", s.ended}, {"message", s.end_message}, {"at", s.ended_at}};
      }
      nlohmann::json j = {{"wipe_id", s.wipe_id},   {"device", s.target.path},
                          {"serial", s.target.serial}, {"pass", s.pass},
                          {"phase", s.phase},       {"offset", s.offset},
                          {"bytes", s.bytes},       {"resume_count", s.resume_count},
                          {"ended", ended},         {"resumable", s.resumable}};
      if (!s.resumable) j["not_resumable"] = s.not_resumable;
      PrintLine(j.dump());
      continue;
    }
    if (s.resumable) {
      PrintLine(Format(_("%s  %s  pass %s %s at %s/%s  (custody wipe --resume %s)"),
                       {s.wipe_id, s.target.path, std::to_string(s.pass), Word(s.phase),
                        std::to_string(s.offset), std::to_string(s.bytes), s.wipe_id}));
    } else {
      PrintLine(Format(_("%s  %s  pass %s %s at %s/%s"),
                       {s.wipe_id, s.target.path, std::to_string(s.pass), Word(s.phase),
                        std::to_string(s.offset), std::to_string(s.bytes)}));
    }
    // The failure's reason is the library's English (it is also what the
    // ledger's wipe.failed says).
    if (s.ended == "interrupted") {
      PrintLine("  " + Format(_("ended: interrupted at %s"), s.ended_at));
    } else if (s.ended == "failed") {
      PrintLine("  " + Format(_("ended: failed at %s: %s"), {s.ended_at, s.end_message}));
    } else {
      PrintLine("  " + std::string(_("ended: not recorded (the run crashed, lost power or is "
                                     "still running)")));
    }
    if (!s.resumable) PrintLine("  " + Format(_("not resumable: %s"), s.not_resumable));
  }
  if (states.empty() && !g.json) PrintLine(_("no unfinished wipes"));
  return Status::Ok();
}

CommandRegistration reg(50, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  static WipeArgs a;
  CLI::App* cmd = app.add_subcommand(
      "wipe", "Overwrite devices, files or free space, verify, and record every step");
  cmd->add_option("TARGET", a.targets, "Block devices, or files and directories");
  std::string methods;
  for (const WipeMethod& m : WipeMethods()) methods += (methods.empty() ? "" : ", ") + m.name;
  cmd->add_option("--method", a.method, "Overwrite method: " + methods)->capture_default_str();
  cmd->add_option("--passes", a.passes, "Repeat the method's passes N times")->capture_default_str();
  cmd->add_option("--verify", a.verify, "Read-back: last, all, sample:P, none")->capture_default_str();
  cmd->add_flag("--blank", a.blank, "A final pass of zeros");
  cmd->add_flag("--dry-run", a.dry_run, "Show the plan; touch nothing");
  cmd->add_flag("-y,--yes", a.yes, "Do not prompt (needs --confirm-serial for devices)");
  cmd->add_option("--confirm-serial", a.confirm,
                  "The device's serial (or device name when it has none), for --yes");
  cmd->add_flag("--allow-hard-links", a.allow_hard_links,
                "Wipe files with other hard links (their other names stay)");
  cmd->add_option("--free-space", a.free_space, "Wipe the free space of this mounted file system");
  cmd->add_option("--resume", a.resume,
                  "Continue an interrupted or failed device wipe (see wipe list)");
  cmd->add_option("--buffer-mib", a.buffer_mib, "I/O buffer size")->capture_default_str();
  cmd->footer(
      "Examples:\n  custody wipe /dev/sdb --method nist-clear --yes --confirm-serial WD-WCC4N1234567\n"
      "  custody wipe ./exports --method dod-3 --yes\n  custody wipe --free-space /mnt/usb\n"
      "  custody wipe --resume 20261123T143000Z-1a2b3c4d\n  custody wipe show 20261123T143000Z-1a2b3c4d");
  CLI::App* show = cmd->add_subcommand("show", "Print one wipe's ledger entries");
  show->add_option("ID", a.show_id, "Wipe id")->required();
  AddJsonFlag(show, g);
  show->callback([&g, &inv] { inv.run = [&g] { return RunShow(g, a.show_id); }; });
  CLI::App* list = cmd->add_subcommand(
      "list",
      "Unfinished device wipes: how each ended (interrupted, or failed and why) and whether it "
      "can be resumed");
  AddJsonFlag(list, g);
  list->callback([&g, &inv] { inv.run = [&g] { return RunList(g); }; });
  AddJsonFlag(cmd, g);
  cmd->callback([&g, &inv, show, list] {
    if (show->parsed() || list->parsed()) return;
    inv.run = [&g] { return RunWipeCommand(g, a); };
  });
});

}  // namespace
}  // namespace custody::cli
