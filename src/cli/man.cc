// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody man: prints the custody(1) manual page (roff) generated from the
// command table, so the manual lists exactly the options the binary accepts.
// The build runs it to produce man/custody.1 for `cmake --install` and the
// Debian package.
#include <sstream>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/version.h"

namespace custody::cli {
namespace {

// roff: escape backslashes and dashes, and keep a leading dot or quote from
// being read as a request.
std::string Roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string OptionSynopsis(const CLI::Option* opt) {
  std::string names;
  for (const std::string& s : opt->get_snames()) names += (names.empty() ? "-" : ", -") + s;
  for (const std::string& l : opt->get_lnames()) names += (names.empty() ? "--" : ", --") + l;
  if (opt->get_positional()) names = opt->get_name();
  std::string out = "\\fB" + Roff(names) + "\\fR";
  if (!opt->get_positional() && opt->get_items_expected_max() > 0)
    out += " \\fI" + Roff(opt->get_type_name()) + "\\fR";
  return out;
}

void Section(const CLI::App* app, const std::string& path, std::ostringstream& o) {
  if (!path.empty()) {
    o << ".SS \"custody " << Roff(path) << "\"\n" << Roff(app->get_description()) << "\n";
    std::vector<const CLI::Option*> options = app->get_options();
    for (const CLI::Option* opt : options) {
      if (opt->get_name() == "--help" || opt->get_lnames() == std::vector<std::string>{"help"})
        continue;
      o << ".TP\n" << OptionSynopsis(opt) << "\n" << Roff(opt->get_description());
      if (opt->get_required()) o << " (required)";
      if (!opt->get_envname().empty()) o << " [env: " << Roff(opt->get_envname()) << "]";
      o << "\n";
    }
    std::string footer = app->get_footer();
    while (!footer.empty() && footer.back() == '\n') footer.pop_back();
    if (!footer.empty()) o << ".PP\n" << Roff(footer) << "\n";
  }
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty()) continue;
    Section(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), o);
  }
}

std::string ManPage(const CLI::App& root) {
  std::ostringstream o;
  o << ".TH CUSTODY 1 \"\" \"custody " << Roff(Version()) << "\" \"User Commands\"\n"
    << ".SH NAME\ncustody \\- chain of custody for confidential data: encrypted handover, "
       "receipts, "
       "verified erasure, certificates, signed ledger\n"
    << ".SH SYNOPSIS\n\\fBcustody\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR]\n"
    << ".SH DESCRIPTION\n"
       "custody keeps the chain of custody of confidential data for municipalities and their "
       "contractors. Every step is appended to a signed, tamper\\-evident ledger (RFC 6962 Merkle "
       "tree, "
       "C2SP signed checkpoints) that an auditor can verify offline.\n"
    << ".SH GLOBAL OPTIONS\n";
  for (const CLI::Option* opt : root.get_options()) {
    if (opt->get_lnames() == std::vector<std::string>{"help"}) continue;
    o << ".TP\n" << OptionSynopsis(opt) << "\n" << Roff(opt->get_description());
    if (!opt->get_envname().empty()) o << " [env: " << Roff(opt->get_envname()) << "]";
    o << "\n";
  }
  o << ".SH COMMANDS\n";
  Section(&root, "", o);
  o << ".SH EXIT STATUS\n"
       "0 success; 2 invalid argument or usage; 3 not found; 4 already exists; 5 permission "
       "denied; "
       "6 corrupted data; 7 I/O error; 8 verification failed; 9 wrong key or passphrase; 10 "
       "truncated "
       "input; 11 unsupported; 12 busy; 13 interrupted; 14 failed precondition; 15 cancelled; 70 "
       "internal "
       "error. See /usr/share/doc/custody/exit-codes.md.\n"
    << ".SH ENVIRONMENT\n.TP\n\\fBCUSTODY_HOME\\fR\nThe station directory (default "
       "${XDG_DATA_HOME:\\-~/.local/share}/custody).\n"
    << ".SH FILES\n.TP\n\\fI$CUSTODY_HOME/station.json\\fR\nStation configuration.\n"
       ".TP\n\\fI$CUSTODY_HOME/keys/signing.key\\fR\nThe station's Ed25519 signing key (0600).\n"
       ".TP\n\\fI$CUSTODY_HOME/ledger.db\\fR\nThe ledger (SQLite).\n"
    << ".SH SEE ALSO\n\\fBage\\fR(1), \\fBcryptsetup\\fR(8), /usr/share/doc/custody/\n";
  return o.str();
}

CommandRegistration reg(91, [](CLI::App& app, GlobalOptions&, Invocation& inv) {
  CLI::App* cmd = app.add_subcommand("man", _("Print the custody(1) manual page (roff)"));
  cmd->footer("Example: custody man | man -l -");
  const CLI::App* root = &app;
  cmd->callback([root, &inv] {
    inv.run = [root] {
      PrintLine(ManPage(*root));
      return Status::Ok();
    };
  });
});

}  // namespace
}  // namespace custody::cli
