// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody status: the station, its verifier key, the ledger's size and latest checkpoint.
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/keystore.h"

namespace custody::cli {
namespace {

Status RunStatus(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger->Size());
  CUSTODY_ASSIGN_OR_RETURN(std::string checkpoint, ledger->LatestCheckpoint());
  const StationConfig& c = station->config();
  if (g.json) {
    nlohmann::json j = {{"home", station->home()},        {"organization", c.organization},
                        {"station", c.station_name},      {"origin", c.origin},
                        {"verifier_key", c.verifier_key}, {"default_operator", c.default_operator},
                        {"ledger_entries", size},         {"checkpoint", checkpoint},
                        {"verifier_key_fingerprint", SenderFingerprint(c.verifier_key)}};
    PrintLine(j.dump(2));
    return Status::Ok();
  }
  PrintLine(std::string(_("station:")) + " " + c.station_name + " (" + station->home() + ")");
  PrintLine(std::string(_("organization:")) + " " + c.organization);
  PrintLine(std::string(_("origin:")) + " " + c.origin);
  PrintLine(std::string(_("verifier key:")) + " " + c.verifier_key);
  // What a receiving station confirms by phone (custody key import-sender).
  PrintLine(std::string(_("verifier key fingerprint:")) + " " + SenderFingerprint(c.verifier_key));
  if (!c.default_operator.empty())
    PrintLine(std::string(_("operator:")) + " " + c.default_operator);
  PrintLine(std::string(_("ledger entries:")) + " " + std::to_string(size));
  PrintLine(_("latest checkpoint:"));
  PrintLine(checkpoint);
  return Status::Ok();
}

CommandRegistration reg(11, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  CLI::App* cmd =
      app.add_subcommand("status", _("Show the station, its verifier key and the ledger"));
  cmd->footer("Example: custody status --json");
  AddJsonFlag(cmd, g);
  cmd->callback([&g, &inv] { inv.run = [&g] { return RunStatus(g); }; });
});

}  // namespace
}  // namespace custody::cli
