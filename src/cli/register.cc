// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody register export: 受領記録簿, 持出管理簿, 廃棄記録簿 as CSV, PDF or JSON,
// computed from the verified ledger (docs/formats/register.md).
#include "custody/register.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "common/time_util.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct RegisterOptions {
  std::string kind, format = "csv", output, from, to, lang = "ja";
};

Status RunExport(const GlobalOptions& g, const RegisterOptions& o) {
  RegisterRequest req;
  CUSTODY_ASSIGN_OR_RETURN(req.kind, ParseRegisterKind(o.kind));
  if (o.lang != "ja" && o.lang != "en") return OwnError(StatusCode::kInvalidArgument, N_("--lang must be ja or en"), {});
  if (o.format != "csv" && o.format != "pdf" && o.format != "json")
    return OwnError(StatusCode::kInvalidArgument, N_("--format must be csv, pdf or json"), {});
  req.language = o.lang == "en" ? RegisterLanguage::kEn : RegisterLanguage::kJa;
  req.from = o.from;
  req.to = o.to;
  Env* env = Env::Default();
  req.now_unix_micros = env->NowUnixMicros();
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  req.station_name = station->config().station_name;
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_ASSIGN_OR_RETURN(RegisterTable t,
                           BuildRegister(*ledger, station->config().verifier_key, req));
  std::string bytes;
  if (o.format == "csv") {
    bytes = RegisterCsv(t);
  } else if (o.format == "pdf") {
    CUSTODY_ASSIGN_OR_RETURN(bytes, RegisterPdf(t, req.language));
  } else {
    CUSTODY_ASSIGN_OR_RETURN(bytes, RegisterJson(t));
  }
  if (o.output.empty() || o.output == "-") {
    if (o.format == "pdf") return OwnError(StatusCode::kInvalidArgument, N_("a PDF register needs -o FILE"), {});
    // On stdout the register itself is the output: with --json it must be JSON.
    if (g.json && o.format != "json")
      return OwnError(StatusCode::kInvalidArgument, N_("--json with the register on stdout needs --format json"), {});
    PrintRaw(bytes);
    return Status::Ok();
  }
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(o.output, bytes, 0644));
  if (g.json) {
    PrintLine(
        nlohmann::json(
            {{"file", o.output}, {"rows", t.rows.size()}, {"checkpoint_size", t.checkpoint_size}})
            .dump());
  } else {
    PrintLine(t.title + ": " +
              Format(_("%s rows written to %s (ledger checkpoint size %s)"),
                     {std::to_string(t.rows.size()), o.output, std::to_string(t.checkpoint_size)}));
    for (const std::string& n : t.notes) PrintLine(std::string(_("note:")) + " " + n);
  }
  return Status::Ok();
}

CommandRegistration reg(44, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<RegisterOptions>();
  CLI::App* reg =
      app.add_subcommand("register", "Registers (記録簿) computed from the signed ledger");
  reg->require_subcommand(1);
  CLI::App* ex = reg->add_subcommand("export", "Write a register as CSV (Excel), PDF or JSON");
  ex->footer(
      "Example: custody register export --kind media --format pdf --from 2026-11-01 --to "
      "2026-11-30 -o 持出管理簿.pdf");
  ex->add_option(
        "--kind", o->kind,
        "received (受領記録簿), media (持出管理簿), disposal (廃棄記録簿), handover (引渡記録)")
      ->required();
  ex->add_option("--format", o->format, "csv (default; UTF-8 with BOM), pdf, json");
  ex->add_option("-o,--output", o->output, "Output file (default stdout; required for pdf)");
  ex->add_option("--from", o->from, "First day (JST) YYYY-MM-DD");
  ex->add_option("--to", o->to, "Last day (JST) YYYY-MM-DD");
  ex->add_option("--lang", o->lang, "ja (default) or en");
  AddJsonFlag(ex, g);
  ex->callback([&g, o, &inv] { inv.run = [&g, o] { return RunExport(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
