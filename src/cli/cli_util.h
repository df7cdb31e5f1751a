// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared plumbing of the custody command: opening the station, reading
// secrets from a TTY, a file or a file descriptor (never argv), logging setup.
#ifndef CUSTODY_SRC_CLI_CLI_UTIL_H_
#define CUSTODY_SRC_CLI_CLI_UTIL_H_

#include <memory>
#include <string>

#include "cli/command.h"
#include "custody/secret.h"
#include "custody/station.h"

namespace custody::cli {

// Where a secret comes from: --passphrase-file PATH, --passphrase-fd N, or
// (when both are unset) the controlling terminal with echo off.
struct SecretSource {
  std::string file;
  int fd = -1;
  void AddOptions(CLI::App* app, const std::string& what);
};

// Reads one secret line. `prompt` is shown on the TTY; with `confirm`, the
// TTY asks twice and refuses a mismatch.
Result<SecretString> ReadSecret(const SecretSource& src, const std::string& prompt,
                                bool confirm = false);

// Opens the station named by --home / $CUSTODY_HOME, asking for the key
// passphrase through `src` if the key is protected.
Result<std::unique_ptr<Station>> OpenStation(const GlobalOptions& g,
                                             const SecretSource* src = nullptr);

// spdlog: warnings (or info/debug with -v) to stderr, and everything at info
// and above to <home>/logs/custody.log when the station directory exists.
// A C2SP verifier key given inline ("name+hex8+base64") or as a file holding it.
Result<std::string> ReadVerifierKeyArg(const std::string& arg);

void SetUpLogging(const GlobalOptions& g);

// Prints `text` to stdout, adding a final newline if missing.
void PrintLine(const std::string& text);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_CLI_UTIL_H_
