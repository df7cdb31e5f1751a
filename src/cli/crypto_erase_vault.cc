// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody crypto-erase vault NAME (custody/vault.h CryptoEraseVault).
#include <nlohmann/json.hpp>

#include "cli/crypto_erase.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "custody/vault.h"

namespace custody::cli {
namespace {

struct EraseVaultOptions {
  std::string name;
  bool yes = false;
};

Status RunEraseVault(const GlobalOptions& g, const EraseVaultOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k, ks->Get(o.name));
  if (!o.yes) {
    auto typed = AskOnTty(Format(_("Crypto-erase vault %s (%s, %s sealed file(s))? Everything "
                                   "sealed to it becomes unreadable for good. Type the vault name "
                                   "to confirm: "),
                                 {k.name, k.fingerprint, std::to_string(k.sealed.size())}));
    if (!typed.ok()) {
      return OwnError(StatusCode::kCancelled,
                      N_("no terminal to confirm on: add --yes to crypto-erase vault %s"),
                      {k.name});
    }
    if (*typed != k.name) {
      return OwnError(StatusCode::kCancelled, N_("not confirmed: nothing was erased"), {});
    }
  }
  CUSTODY_ASSIGN_OR_RETURN(VaultErasure e, CryptoEraseVault(*station, *ks, op, o.name));
  if (g.json) {
    nlohmann::json sealed = nlohmann::json::array();
    for (const auto& s : e.sealed) sealed.push_back({{"digest", s.digest}, {"size", s.size}});
    PrintLine(nlohmann::json({{"vault", e.vault.name},
                              {"fingerprint", e.vault.fingerprint},
                              {"sealed", sealed},
                              {"started_seq", e.started_seq},
                              {"completed_seq", e.completed_seq}})
                  .dump());
  } else {
    PrintLine(Format(_("vault %s crypto-erased: key %s destroyed (%s key files overwritten and "
                       "removed)"),
                     {e.vault.name, e.vault.fingerprint, std::to_string(e.files.size())}));
    PrintLine(Format(_("%s sealed file(s) can no longer be decrypted by anyone:"),
                     std::to_string(e.sealed.size())));
    for (const auto& s : e.sealed)
      PrintLine("  sha256 " + s.digest + "  " + Format(_("%s bytes"), std::to_string(s.size)));
    PrintLine(Format(_("recorded as ledger entries %s and %s (%s)"),
                     {std::to_string(e.started_seq), std::to_string(e.completed_seq),
                      "crypto-erase.vault.started/completed"}));
  }
  return Status::Ok();
}

CommandRegistration reg(61, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<EraseVaultOptions>();
  CLI::App* cmd = CryptoEraseParent(app)->add_subcommand(
      "vault",
      "Destroy a vault key: everything sealed to it becomes unreadable, wherever it is stored");
  cmd->footer(
      "Example: custody crypto-erase vault contract-2026 --yes\n"
      "Refused while exported copies of the key are not recorded destroyed.");
  cmd->add_option("name", o->name, "Vault name")->required();
  cmd->add_flag("--yes", o->yes, "Do not ask for confirmation");
  AddJsonFlag(cmd, g);
  cmd->callback([&g, o, &inv] { inv.run = [&g, o] { return RunEraseVault(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
