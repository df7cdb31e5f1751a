// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// CLI plumbing shared by the key, vault, password and crypto-erase vault
// subcommands (defined in key.cc).
#ifndef CUSTODY_SRC_CLI_KEY_UTIL_H_
#define CUSTODY_SRC_CLI_KEY_UTIL_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "custody/keystore.h"
#include "custody/package.h"
#include "custody/password.h"

namespace custody::cli {

// Asks on /dev/tty (echo on) and returns the answer line; kCancelled when
// there is no terminal.
Result<std::string> AskOnTty(const std::string& prompt);

Result<std::unique_ptr<Keystore>> OpenKeystore(const Station& station);
// Opens the keystore and unlocks it with the keystore passphrase from
// `secret` (terminal, --passphrase-file or --passphrase-fd).
Result<std::unique_ptr<Keystore>> OpenUnlockedKeystore(const Station& station,
                                                       const SecretSource& secret);
// Asks for a new keystore passphrase (twice on a terminal) and refuses a
// weak one.
PassphraseProvider NewKeystorePassphrase(const SecretSource& secret);

nlohmann::json KeyInfoJson(const KeyInfo& k);

// The keys that read a package (package_keys.cc): the age identity files
// given with -i ("AGE-SECRET-KEY-1..." lines; '#' comments and blank lines
// skipped, as age does), else the station's own keystore identities,
// unlocked with `secret` only if the package is for X25519 keys; the package
// passphrase, if it needs one, also from `secret`. `g` must outlive the keys.
Result<PackageKeys> LoadPackageKeys(const GlobalOptions& g, const std::vector<std::string>& identity_files,
                                    const SecretSource& secret);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_KEY_UTIL_H_
