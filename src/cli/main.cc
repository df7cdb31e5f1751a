// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

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

namespace {

// What a failure means for the person at the terminal, by stable code.
//
// Why this shape: the library's Status messages are English sentences with
// values embedded (paths, fingerprints, byte counts); they are what logs,
// scripts and bug reports quote, and the library must not depend on the
// interface language. So the library is never translated: the command prints
// a sentence in the interface language chosen from the stable code (or, where
// the command knows more, the sentence it gave with Explain(): "this package
// is not addressed to any key you hold" rather than "wrong key"), saying what
// happened and what to do, followed by the library's message as the detail.
// English keeps the one line it always had.
const char* SentenceFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "";
    case StatusCode::kInvalidArgument:
      return _("The command line or an input is not valid: correct it as the detail says.");
    case StatusCode::kNotFound:
      return _("Not found: check the name or path (file, key, entry, station).");
    case StatusCode::kAlreadyExists:
      return _("It already exists: nothing was overwritten.");
    case StatusCode::kPermissionDenied:
      return _("Permission denied: check the owner and mode of the file or device.");
    case StatusCode::kCorruption:
      return _("Stored data is corrupt.");
    case StatusCode::kIoError:
      return _("A read or write failed: check the device or disk.");
    case StatusCode::kVerificationFailed:
      return _("Verification FAILED: a signature, hash or proof does not match; the data was "
               "changed or damaged.");
    case StatusCode::kWrongKey:
      return _("The key does not fit: the passphrase is wrong, or the data is not addressed to "
               "any key you hold.");
    case StatusCode::kTruncated:
      return _("The file ends early (the transfer or copy did not finish): get the original "
               "again.");
    case StatusCode::kUnsupported:
      return _("Not supported (format version or device command).");
    case StatusCode::kBusy:
      return _("In use (mounted, part of RAID/LVM, or held open by another program): unmount "
               "or release it, then try again.");
    case StatusCode::kInterrupted:
      return _("Interrupted: it may be resumed.");
    case StatusCode::kFailedPrecondition:
      return _("Not possible in the current state.");
    case StatusCode::kCancelled:
      return _("Cancelled by the operator.");
    case StatusCode::kInternal:
      return _("Internal error (a bug in custody: please report it).");
  }
  return "";
}

// The error as one JSON document for --json (keys and message in English,
// like every JSON output).
std::string ErrorJson(const Status& status) {
  nlohmann::json j = {{"ok", false},
                      {"error",
                       {{"code", std::string(StatusCodeName(status.code()))},
                        {"exit_status", ExitCodeFor(status)},
                        {"message", status.message()}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool HasJsonArgument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

}  // namespace

void PrintError(const Status& status) {
  if (CurrentLanguage() == UiLanguage::kEnglish) {
    std::fprintf(stderr, "custody: error: %s\n", status.message().c_str());
    return;
  }
  if (const std::string* own = OwnMessageFor(status)) {  // the command's own sentence
    std::fprintf(stderr, "custody: %s: %s\n", _("error"), own->c_str());
    return;
  }
  const char* sentence = ExplanationFor(status);
  if (sentence == nullptr) sentence = SentenceFor(status.code());
  if (*sentence == '\0') {  // the message is the command's own, already translated
    std::fprintf(stderr, "custody: %s: %s\n", _("error"), status.message().c_str());
    return;
  }
  std::fprintf(stderr, "custody: %s: %s\n  %s: %s\n", _("error"), sentence, _("detail"),
               status.message().c_str());
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
    // A script that asked for JSON gets a JSON document for a usage error too.
    if (rc != 0 && HasJsonArgument(argc, argv))
      PrintLine(ErrorJson(custody::InvalidArgumentError(e.what())));
    return rc == 0 ? 0 : 2;
  }
  SetUpLogging(global);
  if (!inv.run) {
    std::cerr << app.help();
    return 2;
  }
  // --json only where the command declared it (AddJsonFlag): the global
  // flag would otherwise be accepted, and ignored, by man or completion.
  const CLI::App* leaf = &app;
  std::string leaf_path;
  while (!leaf->get_subcommands().empty()) {
    leaf = leaf->get_subcommands().front();
    leaf_path += (leaf_path.empty() ? "" : " ") + leaf->get_name();
  }
  if (global.json && !AcceptsJson(leaf)) {
    custody::Status s = custody::InvalidArgumentError(
        Format(_("--json is not available for `custody %s` (its output is not a result)"),
               leaf_path));
    PrintLine(ErrorJson(s));
    s = Explain(s, s.code(), "");
    PrintError(s);
    return ExitCodeFor(s);
  }
  custody::Status s = inv.run();
  if (!s.ok()) {
    // With --json, stdout holds exactly one JSON document: the command's own
    // (doctor, wipe print their report and fail) or this error document.
    if (global.json && !StdoutWritten()) PrintLine(ErrorJson(s));
    PrintError(s);
  }
  return ExitCodeFor(s);
}
