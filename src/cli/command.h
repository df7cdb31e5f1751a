// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The `custody` command's subcommand table. Each src/cli/<name>.cc registers
// its subcommand with a static CommandRegistration; main.cc builds the CLI11
// app from the table, so adding a subcommand touches one file.
#ifndef CUSTODY_SRC_CLI_COMMAND_H_
#define CUSTODY_SRC_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "custody/status.h"

namespace custody::cli {

// Options every subcommand understands.
struct GlobalOptions {
  std::string home;       // --home DIR (else $CUSTODY_HOME, else XDG default)
  std::string operator_;  // --operator NAME (else the station's default)
  bool json = false;      // --json: machine-readable output on stdout
  int verbosity = 0;      // -v: more operational logging on stderr
  // Where the passphrase of a protected station signing key comes from when a
  // command needs to sign: --key-passphrase-file / --key-passphrase-fd, else
  // the terminal. Never argv.
  std::string key_passphrase_file;
  int key_passphrase_fd = -1;
};

// A subcommand sets `run` in its Setup; main calls it after parsing and turns
// its Status into the documented exit code.
struct Invocation {
  std::function<Status()> run;
};

using SetupFn = std::function<void(CLI::App& parent, GlobalOptions& global, Invocation& inv)>;

struct CommandRegistration {
  CommandRegistration(int order, SetupFn setup);
};

std::vector<std::pair<int, SetupFn>>& CommandTable();

// Exit codes (docs/exit-codes.md): 0 success, 2 usage, then one per StatusCode.
int ExitCodeFor(const Status& status);

// Prints "custody: error: <message>" on stderr.
void PrintError(const Status& status);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_COMMAND_H_
