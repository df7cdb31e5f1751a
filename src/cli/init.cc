// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody init: create a station.
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/env.h"
#include "custody/station.h"

namespace custody::cli {
namespace {

struct InitOptions {
  std::string organization, name, origin, default_operator;
  bool protect = false;
  SecretSource secret;
};

Status RunInit(const GlobalOptions& g, const InitOptions& o) {
  StationInitOptions opts;
  opts.home = g.home;
  opts.organization = o.organization;
  opts.station_name = o.name;
  opts.origin = o.origin;
  opts.default_operator = o.default_operator;
  opts.operator_name = g.operator_;
  if (o.protect || !o.secret.file.empty() || o.secret.fd >= 0) {
    CUSTODY_ASSIGN_OR_RETURN(SecretString p,
                             ReadSecret(o.secret, "new station key passphrase", true));
    if (p.size() < 12)
      return OwnError(StatusCode::kInvalidArgument,
                      N_("the station key passphrase must be at least 12 characters"), {});
    opts.passphrase = std::move(p);
  }
  auto created = Station::Init(opts, Env::Default());
  if (!created.ok()) {
    return Explain(created.status(), StatusCode::kAlreadyExists,
                   _("A station already exists there: it was left unchanged. Use it, or give "
                     "another --home."));
  }
  std::unique_ptr<Station> station = std::move(*created);
  const StationConfig& c = station->config();
  if (g.json) {
    // Same document as before, now escaped (a home may hold quotes).
    PrintLine(nlohmann::json({{"home", station->home()},
                              {"origin", c.origin},
                              {"verifier_key", c.verifier_key}})
                  .dump());
  } else {
    PrintLine(std::string(_("station created in")) + " " + station->home());
    PrintLine(std::string(_("organization:")) + " " + c.organization);
    PrintLine(std::string(_("verifier key:")) + " " + c.verifier_key);
    PrintLine(
        _("Give the verifier key to the municipality by a separate channel: it checks every "
          "record."));
  }
  return Status::Ok();
}

CommandRegistration reg(10, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* cmd =
      app.add_subcommand("init", _("Create a station (directory, signing key, ledger)"));
  cmd->footer(
      "Example: custody init --organization '株式会社サンプル' --name office-1 --operator "
      "山田太郎");
  cmd->add_option("--organization", o->organization, _("Company or office that runs this station"))
      ->required();
  cmd->add_option("--name", o->name, _("Station name (A-Z a-z 0-9 . _ -)"))->required();
  cmd->add_option("--origin", o->origin,
                  _("Checkpoint origin (default custody/<name>/<key hash>)"));
  cmd->add_option("--default-operator", o->default_operator,
                  _("Operator recorded when --operator is not given"));
  cmd->add_flag("--protect-key", o->protect,
                _("Encrypt the signing key with a passphrase (asked on the terminal)"));
  o->secret.AddOptions(cmd, _("new signing-key passphrase"));
  AddJsonFlag(cmd, g);
  cmd->callback([&g, o, &inv] { inv.run = [&g, o] { return RunInit(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
