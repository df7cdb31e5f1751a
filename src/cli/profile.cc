// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody profile set|show: the station's and client municipalities'
// defaults for certificates (docs/formats/profile.md).
#include "custody/profile.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct ProfileOptions {
  std::string client;
  std::vector<std::string> assignments;
};

Status RunSet(const GlobalOptions& g, const ProfileOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(Profile profile, LoadProfile(station->home(), Env::Default()));
  CUSTODY_ASSIGN_OR_RETURN(ProfileChange change,
                           ApplyProfileAssignments(profile, o.client, o.assignments));
  // On the record first: a change the ledger does not show never takes effect.
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station->Record("profile.updated", op, change.ToJson()));
  CUSTODY_RETURN_IF_ERROR(SaveProfile(station->home(), profile, Env::Default()));
  if (!g.json)
    PrintLine(Format(_("profile %s updated (ledger entry %s)"),
                     {change.section, std::to_string(e.seq)}));
  else
    PrintLine(e.canonical);
  return Status::Ok();
}

Status RunShow(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Profile profile, LoadProfile(station->home(), Env::Default()));
  if (g.json) {
    PrintLine(nlohmann::json({{"station", profile.station}, {"clients", profile.clients}}).dump());
    return Status::Ok();
  }
  PrintLine("[station]");
  for (const auto& [k, v] : profile.station) PrintLine("  " + k + " = " + v);
  for (const auto& [name, section] : profile.clients) {
    PrintLine("[client " + name + "]");
    for (const auto& [k, v] : section) PrintLine("  " + k + " = " + v);
  }
  return Status::Ok();
}

CommandRegistration reg(59, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* profile = app.add_subcommand(
      "profile", "Defaults for certificates: company, responsible person, clients");
  profile->require_subcommand(1);
  CLI::App* set = profile->add_subcommand("set", "Set (key=value) or remove (key=) profile values");
  set->footer(
      "Examples:\n  custody profile set company=株式会社サンプル responsible='山田 太郎'\n"
      "  custody profile set --client niigata municipality=新潟市 department=情報政策課 "
      "classification=2");
  set->add_option("--client", o->client, "A client municipality's section (a-z 0-9 - _ .)");
  set->add_option("assignments", o->assignments, "key=value …")->required();
  AddJsonFlag(set, g);
  set->callback([&g, o, &inv] { inv.run = [&g, o] { return RunSet(g, *o); }; });
  CLI::App* show = profile->add_subcommand("show", "Print the profile");
  show->footer("Example: custody profile show");
  AddJsonFlag(show, g);
  show->callback([&g, &inv] { inv.run = [&g] { return RunShow(g); }; });
});

}  // namespace
}  // namespace custody::cli
