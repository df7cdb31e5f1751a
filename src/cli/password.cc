// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody password generate|check|record-delivery (custody/password.h).
#include "custody/password.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct PasswordCliOptions {
  int bits = kDefaultPasswordBits;
  int group = 4;
  std::string output;
  std::string package, channel, to, password_id;
  SecretSource secret;
};

Status RunGenerate(const GlobalOptions& g, const PasswordCliOptions& o) {
  PasswordOptions opts;
  opts.min_bits = o.bits;
  opts.group_size = o.group;
  CUSTODY_ASSIGN_OR_RETURN(GeneratedPassword pw, GeneratePassword(*Env::Default(), opts));
  // The ID goes to the ledger when there is a station; the password never.
  std::string recorded = _("not recorded (no station)");
  auto station = OpenStation(g);
  if (station.ok()) {
    CUSTODY_ASSIGN_OR_RETURN(std::string op, (*station)->ResolveOperator(g.operator_));
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, RecordPasswordGenerated(**station, pw, op));
    recorded = Format(_("ledger entry %s"), std::to_string(e.seq));
  } else if (station.status().code() != StatusCode::kNotFound) {
    return station.status();
  }
  if (!o.output.empty()) {
    std::string line = std::string(pw.password.view()) + "\n";
    Status s = Env::Default()->WriteFileAtomically(o.output, line, 0600);
    WipeMemory(line.data(), line.size());
    CUSTODY_RETURN_IF_ERROR(s);
  }
  if (g.json) {
    nlohmann::json j = {
        {"password_id", pw.id}, {"entropy_bits", pw.entropy_bits}, {"symbols", pw.symbols}};
    if (o.output.empty()) j["password"] = std::string(pw.password.view());
    std::string text = j.dump();
    PrintLine(text);
    WipeMemory(text.data(), text.size());
    return Status::Ok();
  }
  if (o.output.empty()) {
    PrintLine(std::string(pw.password.view()));
  } else {
    PrintLine(Format(_("password written to %s (mode 0600)"), o.output));
  }
  PrintLine(Format(_("password ID: %s (%s)"), {pw.id, recorded}));
  PrintLine(Format(_("entropy: %s bits (%s symbols from %s; hyphens are part of the password)"),
                   {std::to_string(pw.entropy_bits), std::to_string(pw.symbols),
                    std::to_string(kPasswordAlphabet.size())}));
  return Status::Ok();
}

Status RunCheck(const GlobalOptions& g, const PasswordCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(SecretString p, ReadSecret(o.secret, "passphrase to check"));
  PassphraseStrength s = EstimatePassphraseStrength(p.view());
  Status verdict = CheckPassphraseStrength(p);
  if (g.json) {
    PrintLine(nlohmann::json(
                  {{"bits", s.bits}, {"weaknesses", s.weaknesses}, {"acceptable", verdict.ok()}})
                  .dump());
  } else if (verdict.ok()) {
    PrintLine(Format(_("acceptable: about %s bits by custody's estimate"), std::to_string(s.bits)));
  }
  return verdict;
}

Status RunRecordDelivery(const GlobalOptions& g, const PasswordCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(DeliveryChannel channel, ParseDeliveryChannel(o.channel));
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  PasswordDelivery d;
  d.package = o.package;
  d.password_id = o.password_id;
  d.channel = channel;
  d.recipient_person = o.to;
  CUSTODY_ASSIGN_OR_RETURN(d.operator_name, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, RecordPasswordDelivery(*station, d));
  if (g.json) {
    PrintLine(e.canonical);
  } else {
    PrintLine(Format(_("password delivery recorded as ledger entry %s: %s"),
                     {std::to_string(e.seq), e.data_json}));
  }
  return Status::Ok();
}

CommandRegistration reg(42, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<PasswordCliOptions>();
  CLI::App* pw = app.add_subcommand(
      "password", "Passwords for passphrase packages: generate, check, record delivery");
  pw->require_subcommand(1);

  CLI::App* gen = pw->add_subcommand("generate", "Generate a password to read aloud (>= 100 bits)");
  gen->footer(
      "Example: custody password generate -o pass.txt   (then package create --passphrase-file "
      "pass.txt)");
  gen->add_option("--bits", o->bits, "Minimum entropy in bits (64-512, default 100)");
  gen->add_option("--group", o->group, "Symbols per hyphen-separated group (0 = none, default 4)");
  gen->add_option("-o,--output", o->output, "Write the password to FILE (0600) instead of stdout");
  AddJsonFlag(gen, g);
  gen->callback([&g, o, &inv] { inv.run = [&g, o] { return RunGenerate(g, *o); }; });

  CLI::App* check =
      pw->add_subcommand("check", "Estimate a passphrase's strength (refuses below 80 bits)");
  check->footer("Example: custody password check --passphrase-file candidate.txt");
  o->secret.AddOptions(check, "passphrase to check");
  AddJsonFlag(check, g);
  check->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCheck(g, *o); }; });

  CLI::App* rd = pw->add_subcommand(
      "record-delivery", "Record that a package's password went out by a separate channel");
  rd->footer(
      "Example: custody password record-delivery 3f2a...(package ID) --channel phone --to '新潟市 "
      "情報政策課 佐藤'");
  rd->add_option("package", o->package, "The package: its ID, digest or output path")->required();
  rd->add_option("--channel", o->channel, "phone, sms, letter or in-person")->required();
  rd->add_option("--to", o->to, "Who received the password")->required();
  rd->add_option("--password-id", o->password_id,
                 "The password ID (if the package record lacks it)");
  AddJsonFlag(rd, g);
  rd->callback([&g, o, &inv] { inv.run = [&g, o] { return RunRecordDelivery(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
