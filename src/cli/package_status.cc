// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody package status: packages sent and whether each was acknowledged
// (docs/formats/acknowledgement.md). Registers under the `package` command of
// src/cli/package.cc when that exists in this build.
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/acknowledgement.h"

namespace custody::cli {
namespace {

struct StatusOptions {
  bool pending = false;
};

Status RunPackageStatus(const GlobalOptions& g, const StatusOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<SentPackage> sent, ListSentPackages(*station));
  size_t pending = 0;
  for (const SentPackage& p : sent) {
    if (!p.acknowledged) ++pending;
    if (o.pending && p.acknowledged) continue;
    std::string state = !p.acknowledged ? _("NOT acknowledged") : p.failed ? _("FAILED") : _("acknowledged");
    if (g.json) {
      nlohmann::json j = {
          {"package_id", p.package_id},
          {"digest", p.digest},
          {"entry", p.entry},
          {"sent_at", p.time},
          {"recipient_organization", p.recipient_organization},
          {"state", p.acknowledged ? (p.failed ? "failed" : "acknowledged") : "pending"}};
      if (p.acknowledged) {
        j["ack_entry"] = p.ack_entry;
        j["received_at"] = p.ack_received_at;
        j["recipient"] = p.ack_recipient;
      }
      PrintLine(j.dump());  // JSON Lines, like every listing (docs/exit-codes.md)
    } else {
      std::string line = p.package_id + "  " + state + "  " +
                         Format(_("sent %s to %s (entry %s)"),
                                {p.time, p.recipient_organization, std::to_string(p.entry)});
      if (p.acknowledged)
        line += Format(_(", received %s by %s"), {p.ack_received_at, p.ack_recipient});
      PrintLine(line);
    }
  }
  if (o.pending && pending > 0) {
    return Explain(FailedPreconditionError(std::to_string(pending) +
                                           " package(s) sent and not acknowledged"),
                   StatusCode::kFailedPrecondition,
                   _("Some packages sent have not been acknowledged yet (listed above)."));
  }
  return Status::Ok();
}

// After src/cli/package.cc (order 40), so that `package` exists.
CommandRegistration reg(46, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  CLI::App* package = nullptr;
  try {
    package = app.get_subcommand("package");
  } catch (const CLI::Error&) {
    return;  // This build has no package command.
  }
  auto o = std::make_shared<StatusOptions>();
  CLI::App* st =
      package->add_subcommand("status", "Packages sent, and whether each was acknowledged");
  st->footer("Example: custody package status --pending   (exit 14 when any is not acknowledged)");
  st->add_flag("--pending", o->pending, "Only packages not yet acknowledged; exit 14 if any");
  AddJsonFlag(st, g);
  st->callback([&g, o, &inv] { inv.run = [&g, o] { return RunPackageStatus(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
