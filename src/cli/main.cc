// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/help_i18n.h"
#include "cli/i18n.h"
#include "custody/version.h"

namespace custody::cli {

std::vector<std::pair<int, SetupFn>>& CommandTable() {
  static auto* table = new std::vector<std::pair<int, SetupFn>>;
  return *table;
}

CommandRegistration::CommandRegistration(int order, SetupFn setup) {
  CommandTable().emplace_back(order, std::move(setup));
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kNotFound:
      return 3;
    case StatusCode::kAlreadyExists:
      return 4;
    case StatusCode::kPermissionDenied:
      return 5;
    case StatusCode::kCorruption:
      return 6;
    case StatusCode::kIoError:
      return 7;
    case StatusCode::kVerificationFailed:
      return 8;
    case StatusCode::kWrongKey:
      return 9;
    case StatusCode::kTruncated:
      return 10;
    case StatusCode::kUnsupported:
      return 11;
    case StatusCode::kBusy:
      return 12;
    case StatusCode::kInterrupted:
      return 13;
    case StatusCode::kFailedPrecondition:
      return 14;
    case StatusCode::kCancelled:
      return 15;
    case StatusCode::kInternal:
      return 70;
  }
  return 1;
}

void PrintError(const Status& status) {
  std::fprintf(stderr, "custody: %s: %s\n", _("error"), status.message().c_str());
}

}  // namespace custody::cli

int main(int argc, char** argv) {
  using namespace custody::cli;
  SetUpLanguage(argc, argv);
  CLI::App app{_("custody: chain of custody for confidential data (receipt, encryption, erasure, "
                 "certificates)"),
               "custody"};
  app.formatter(std::make_shared<HelpFormatter>());  // aligns Japanese help
  auto formatter = app.get_formatter();
  formatter->label("Usage", _("Usage"));
  formatter->label("OPTIONS", _("OPTIONS"));
  formatter->label("SUBCOMMAND", _("SUBCOMMAND"));
  formatter->label("Options", _("Options"));
  formatter->label("Subcommands", _("Subcommands"));
  formatter->label("Positionals", _("Positionals"));
  formatter->label("REQUIRED", _("REQUIRED"));
  formatter->label("Env", _("Env"));
  app.set_help_flag("-h,--help", _("Print this help message and exit"));
  app.require_subcommand(1);
  // Global options may follow the subcommand (`custody init --home D`); the
  // setting is inherited by every subcommand created after it.
  app.fallthrough(true);
  app.set_version_flag("--version", std::string("custody ") + custody::Version(),
                       _("Display program version information and exit"));
  GlobalOptions global;
  std::string lang;
  app.add_option("--lang", lang, _("Interface language: ja or en (default: from the locale)"))
      ->check(CLI::IsMember({"ja", "en"}));
  app.add_option(
         "--home", global.home,
         _("Station directory (default $CUSTODY_HOME or ${XDG_DATA_HOME:-~/.local/share}/custody)"))
      ->envname("CUSTODY_HOME");
  app.add_option("--operator", global.operator_,
                 _("Who performs this step (recorded in the ledger)"))
      ->envname("CUSTODY_OPERATOR");
  app.add_option("--key-passphrase-file", global.key_passphrase_file,
                 _("Read the station key's passphrase (if protected) from the first line of FILE"))
      ->envname("CUSTODY_KEY_PASSPHRASE_FILE");
  app.add_option("--key-passphrase-fd", global.key_passphrase_fd,
                 _("Read the station key's passphrase (if protected) from file descriptor N"));
  app.add_flag("--json", global.json, _("Machine-readable JSON output"));
  app.add_flag("-v,--verbose", global.verbosity, _("More operational logging on stderr"));

  auto& table = CommandTable();
  std::stable_sort(table.begin(), table.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Invocation inv;
  for (auto& [order, setup] : table) setup(app, global, inv);
  // Help in the interface language: every description, footer and group
  // name the commands wrote in English, translated through the catalog.
  if (const char* dump = std::getenv(kDumpHelpPotEnv); dump != nullptr && *dump != '\0') {
    DumpHelpPot(app, std::cout);
    return 0;
  }
  TranslateHelp(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  SetUpLogging(global);
  if (!inv.run) {
    std::cerr << app.help();
    return 2;
  }
  custody::Status s = inv.run();
  if (!s.ok()) PrintError(s);
  return ExitCodeFor(s);
}
