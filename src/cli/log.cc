// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody log show|verify|checkpoint|prove|verify-bundle|export
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "common/time_util.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct LogOptions {
  std::string data;
  std::string type, since, against, output, bundle, key, dir, ledger_path;
  uint64_t seq = 0;
};

Status RunShow(const GlobalOptions& g, const LogOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  std::optional<int64_t> since;
  if (!o.since.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(since, timeutil::ParseTime(o.since));
  }
  Status inner;
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (!o.type.empty() && e.type != o.type && e.type.rfind(o.type + ".", 0) != 0) return true;
    if (since) {
      auto t = timeutil::ParseTime(e.time);
      if (t.ok() && *t < *since) return true;
    }
    if (g.json) {
      PrintLine(e.canonical);
    } else {
      auto t = timeutil::ParseTime(e.time);
      std::string when = t.ok() ? timeutil::FormatJst(*t) : e.time;
      PrintLine(std::to_string(e.seq) + "  " + when + "  " + e.type + "  " + e.operator_name +
                "  " + e.data_json);
    }
    return true;
  }));
  return inner;
}

Status RunVerify(const GlobalOptions& g, const LogOptions& o) {
  std::unique_ptr<Ledger> own;
  std::unique_ptr<Station> station;
  Ledger* ledger;
  if (!o.ledger_path.empty()) {
    // An auditor's copy of ledger.db, checked with the key they were given.
    if (o.key.empty()) return OwnError(StatusCode::kInvalidArgument, N_("--ledger needs --key VERIFIER_KEY"), {});
    CUSTODY_ASSIGN_OR_RETURN(std::string key, ReadVerifierKeyArg(o.key));
    CUSTODY_ASSIGN_OR_RETURN(own,
                             Ledger::Open(o.ledger_path, false, std::nullopt, key, Env::Default()));
    ledger = own.get();
  } else {
    CUSTODY_ASSIGN_OR_RETURN(station, OpenStation(g));
    CUSTODY_ASSIGN_OR_RETURN(ledger, station->ledger());
  }
  std::optional<std::string> kept;
  if (!o.against.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(kept, Env::Default()->ReadFile(o.against));
  }
  auto report = ledger->Verify(kept ? std::optional<std::string_view>(*kept) : std::nullopt);
  if (!report.ok()) {
    Status failed = report.status().WithContext("ledger verification FAILED");
    failed = Explain(failed, StatusCode::kVerificationFailed,
                     _("Ledger verification FAILED: an entry, a hash or a signature does not "
                       "match, so the ledger was altered or damaged. Keep this copy unchanged "
                       "and tell the person responsible for the station and the municipality."));
    return Explain(failed, StatusCode::kCorruption,
                   _("Ledger verification FAILED: the ledger file is damaged. Keep this copy "
                     "unchanged and tell the person responsible for the station."));
  }
  if (g.json) {
    nlohmann::json j = {
        {"ok", true}, {"entries", report->entries}, {"root", report->root_hash_hex}};
    PrintLine(j.dump());
  } else {
    PrintLine(Format(_("ledger OK: %s entries, root %s"),
                     {std::to_string(report->entries), report->root_hash_hex}));
    if (kept) PrintLine(Format(_("consistent with the checkpoint in %s"), o.against));
  }
  return Status::Ok();
}

Status RunCheckpoint(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_ASSIGN_OR_RETURN(std::string cp, ledger->LatestCheckpoint());
  if (g.json) {
    CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger->Size());
    PrintLine(nlohmann::json({{"ok", true}, {"entries", size}, {"checkpoint", cp}}).dump());
    return Status::Ok();
  }
  PrintRaw(cp);
  return Status::Ok();
}

Status RunProve(const GlobalOptions& g, const LogOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_ASSIGN_OR_RETURN(std::string bundle, ledger->EvidenceBundle(o.seq));
  if (o.output.empty() || o.output == "-") {
    if (g.json) {  // the bundle is text (docs/formats/evidence-bundle.md): a string here
      PrintLine(nlohmann::json({{"ok", true}, {"seq", o.seq}, {"bundle", bundle}}).dump());
    } else {
      PrintRaw(bundle);
    }
    return Status::Ok();
  }
  CUSTODY_RETURN_IF_ERROR(Env::Default()->WriteFileAtomically(o.output, bundle, 0644));
  if (g.json) {
    PrintLine(nlohmann::json({{"ok", true}, {"seq", o.seq}, {"output", o.output}}).dump());
  } else {
    PrintLine(Format(_("evidence bundle for entry %s written to %s"),
                     {std::to_string(o.seq), o.output}));
  }
  return Status::Ok();
}

Status RunVerifyBundle(const GlobalOptions& g, const LogOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(std::string bundle, Env::Default()->ReadFile(o.bundle));
  std::string key;
  if (!o.key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(key, ReadVerifierKeyArg(o.key));
  } else {
    CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
    key = station->config().verifier_key;
  }
  auto entry = VerifyEvidenceBundle(bundle, key);
  if (!entry.ok()) {
    return Explain(entry.status().WithContext("evidence bundle REJECTED"),
                   StatusCode::kVerificationFailed,
                   _("The evidence bundle is REJECTED: it does not prove this entry under this "
                     "verifier key (altered, or from another station)."));
  }
  if (g.json) {
    PrintLine(
        nlohmann::json({{"ok", true}, {"entry", nlohmann::json::parse(entry->canonical)}}).dump());
  } else {
    PrintLine(Format(_("evidence bundle OK: entry %s is in the signed ledger"),
                     std::to_string(entry->seq)));
    PrintLine(entry->canonical);
  }
  return Status::Ok();
}

// Operators and integration scripts may record their own events, under
// the note. and custom. prefixes only: custody's own event types are
// written by the commands that perform those steps, never by hand.
Status RunAppend(const GlobalOptions& g, const LogOptions& o) {
  if (o.type.rfind("note.", 0) != 0 && o.type.rfind("custom.", 0) != 0) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("--type must start with note. or custom. (custody's own events are recorded by the "
                       "commands that perform them)"),
                    {});
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e,
                           station->Record(o.type, op, o.data.empty() ? "{}" : o.data));
  if (g.json) {
    PrintLine(e.canonical);
  } else {
    PrintLine(Format(_("recorded as ledger entry %s"), std::to_string(e.seq)));
  }
  return Status::Ok();
}

Status RunExport(const GlobalOptions& g, const LogOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_RETURN_IF_ERROR(
      ExportLedger(*ledger, station->config().verifier_key, o.dir, Env::Default()));
  if (g.json) {
    PrintLine(nlohmann::json({{"ok", true}, {"dir", o.dir}}).dump());
  } else {
    PrintLine(Format(_("ledger exported to %s (%s)"),
                     {o.dir, "entries.jsonl, checkpoint, verifier-key, README.md, verify-evidence.py"}));
  }
  return Status::Ok();
}

CommandRegistration reg(20, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<LogOptions>();
  CLI::App* log = app.add_subcommand("log", _("The signed ledger: show, verify, prove, export"));
  log->require_subcommand(1);

  CLI::App* show = log->add_subcommand("show", _("List ledger entries"));
  show->footer("Example: custody log show --type wipe --since 2026-11-01");
  show->add_option("--type", o->type, _("Only entries of this type or type prefix (e.g. wipe)"));
  show->add_option("--since", o->since,
                   _("Only entries at or after DATE (YYYY-MM-DD or RFC 3339)"));
  AddJsonFlag(show, g);
  show->callback([&g, o, &inv] { inv.run = [&g, o] { return RunShow(g, *o); }; });

  CLI::App* verify = log->add_subcommand("verify", _("Recompute and check the whole ledger"));
  verify->footer("Example: custody log verify --against checkpoint-2026-11-01.txt");
  verify->add_option("--against", o->against,
                     _("A signed checkpoint kept earlier: prove the ledger extends it"));
  verify->add_option("--ledger", o->ledger_path,
                     _("Verify this ledger.db copy instead of the station's"));
  verify->add_option("--key", o->key, _("Verifier key (string or file) for --ledger"));
  AddJsonFlag(verify, g);
  verify->callback([&g, o, &inv] { inv.run = [&g, o] { return RunVerify(g, *o); }; });

  CLI::App* cp = log->add_subcommand("checkpoint", _("Print the latest signed checkpoint"));
  cp->footer("Example: custody log checkpoint > checkpoint-$(date +%F).txt");
  AddJsonFlag(cp, g);
  cp->callback([&g, &inv] { inv.run = [&g] { return RunCheckpoint(g); }; });

  CLI::App* prove = log->add_subcommand("prove", _("Write the evidence bundle of one entry"));
  prove->footer("Example: custody log prove 42 -o entry-42.bundle");
  prove->add_option("seq", o->seq, _("Entry number"))->required();
  prove->add_option("-o,--output", o->output, _("Output file (default stdout)"));
  AddJsonFlag(prove, g);
  prove->callback([&g, o, &inv] { inv.run = [&g, o] { return RunProve(g, *o); }; });

  CLI::App* vb = log->add_subcommand("verify-bundle", _("Verify an evidence bundle offline"));
  vb->footer("Example: custody log verify-bundle entry-42.bundle --key verifier-key.txt");
  vb->add_option("bundle", o->bundle, _("Evidence bundle file"))->required();
  vb->add_option("--key", o->key, _("Verifier key (string or file); default: this station's"));
  AddJsonFlag(vb, g);
  vb->callback([&g, o, &inv] { inv.run = [&g, o] { return RunVerifyBundle(g, *o); }; });

  CLI::App* ap =
      log->add_subcommand("append", _("Record an operator's own event (note.* or custom.*)"));
  ap->footer("Example: custody log append --type note.handover --data '{\"box\":\"A-12\"}'");
  ap->add_option("--type", o->type, _("Event type, note.<word> or custom.<word>"))->required();
  ap->add_option("--data", o->data, _("Event data, a JSON object (no secrets, no personal data)"));
  AddJsonFlag(ap, g);
  ap->callback([&g, o, &inv] { inv.run = [&g, o] { return RunAppend(g, *o); }; });

  CLI::App* ex = log->add_subcommand("export", _("Export the ledger for an auditor"));
  ex->footer("Example: custody log export ./audit-2026-11");
  ex->add_option("dir", o->dir, _("Output directory"))->required();
  AddJsonFlag(ex, g);
  ex->callback([&g, o, &inv] { inv.run = [&g, o] { return RunExport(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
