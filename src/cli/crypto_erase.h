// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// `custody crypto-erase`: the parent of every crypto-erase target. Each
// target lives in its own file and registers itself under the parent:
//
//   src/cli/crypto_erase_vault.cc   custody crypto-erase vault NAME
//   src/cli/crypto_erase_<x>.cc     custody crypto-erase <x> ... (e.g. luks)
//
// To add a target, in your CommandRegistration's setup:
//   CLI::App* parent = CryptoEraseParent(app);
//   CLI::App* luks = parent->add_subcommand("luks", "...");
// Whichever registration runs first creates the parent; the others find it,
// so no file owns it and no order between them matters.
#ifndef CUSTODY_SRC_CLI_CRYPTO_ERASE_H_
#define CUSTODY_SRC_CLI_CRYPTO_ERASE_H_

#include <CLI/CLI.hpp>

namespace custody::cli {

// The `crypto-erase` subcommand of `app`, created on first use.
inline CLI::App* CryptoEraseParent(CLI::App& app) {
  auto existing =
      app.get_subcommands([](const CLI::App* a) { return a->get_name() == "crypto-erase"; });
  if (!existing.empty()) return const_cast<CLI::App*>(existing.front());
  CLI::App* parent = app.add_subcommand(
      "crypto-erase",
      "Cryptographic erase: destroy the keys that make data readable (vaults, LUKS volumes)");
  parent->require_subcommand(1);
  return parent;
}

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_CRYPTO_ERASE_H_
