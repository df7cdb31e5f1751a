// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody doctor: checks the station and this machine and says what to fix.
#include "custody/doctor.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

const char* LevelName(DoctorLevel l) {
  switch (l) {
    case DoctorLevel::kOk:
      return "ok";
    case DoctorLevel::kWarning:
      return "warning";
    case DoctorLevel::kError:
      return "error";
  }
  return "?";
}

// The library's sentence in the interface language: its constant pattern
// (marked N_ in src/doctor/doctor.cc, so it is in the catalog) translated,
// then the same values substituted. English is the library's own text.
std::string Translated(const MessageText& t) {
  return t.empty() ? std::string() : Render(t);
}

Status RunDoctorCommand(const GlobalOptions& g) {
  const char* path = std::getenv("PATH");
  DoctorReport report =
      RunDoctor(ResolveStationHome(g.home), path ? path : "/usr/bin:/bin", Env::Default());
  size_t warnings = 0, errors = 0;
  nlohmann::json checks = nlohmann::json::array();
  for (const DoctorCheck& c : report.checks) {
    if (c.level == DoctorLevel::kWarning) ++warnings;
    if (c.level == DoctorLevel::kError) ++errors;
    if (g.json) {
      checks.push_back(
          {{"id", c.id}, {"level", LevelName(c.level)}, {"detail", c.detail}, {"fix", c.fix}});
      continue;
    }
    std::string mark = c.level == DoctorLevel::kOk        ? "ok  "
                       : c.level == DoctorLevel::kWarning ? "warn"
                                                          : "FAIL";
    PrintLine("[" + mark + "] " + c.id + ": " + Translated(c.detail_text));
    if (!c.fix.empty())
      PrintLine(std::string("       ") + _("fix:") + " " + Translated(c.fix_text));
  }
  if (g.json) {
    PrintLine(
        nlohmann::json{{"checks", checks}, {"errors", errors}, {"warnings", warnings}}.dump(2));
  } else {
    PrintLine(std::string(_("errors:")) + " " + std::to_string(errors) + ", " + _("warnings:") +
              " " + std::to_string(warnings));
  }
  if (errors > 0)
    return Explain(
        FailedPreconditionError("doctor found " + std::to_string(errors) + " problem(s) to fix"),
        StatusCode::kFailedPrecondition,
        _("The station has problems to fix: see the FAIL lines above and what each says to do."));
  return Status::Ok();
}

CommandRegistration reg(85, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  CLI::App* cmd = app.add_subcommand(
      "doctor", _("Check the station (keys, ledger), fonts and tools, and say what to fix"));
  cmd->footer("Example: custody doctor   (exit 0: usable; 14: something must be fixed)");
  AddJsonFlag(cmd, g);
  cmd->callback([&g, &inv] { inv.run = [&g] { return RunDoctorCommand(g); }; });
});

}  // namespace
}  // namespace custody::cli
