// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by the receipt subcommands (receipt.cc, receipt_ack.cc).
#ifndef CUSTODY_SRC_CLI_RECEIPT_CLI_H_
#define CUSTODY_SRC_CLI_RECEIPT_CLI_H_

#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "custody/package.h"

namespace custody::cli {

// age identity files, as `custody package open -i` reads them (one
// "AGE-SECRET-KEY-1..." per line; '#' comments and blank lines skipped); the
// package passphrase, if the package needs one, from `secret`.
Result<PackageKeys> LoadAgeIdentities(const std::vector<std::string>& files,
                                      const SecretSource& secret);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_RECEIPT_CLI_H_
