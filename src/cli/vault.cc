// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody vault create|seal|open|export-key|record-copy-destroyed
// (custody/vault.h). The crypto-erase itself is `custody crypto-erase vault`
// (crypto_erase_vault.cc). --passphrase-file/--passphrase-fd give the
// KEYSTORE passphrase.
#include "custody/vault.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct VaultCliOptions {
  std::string name, output, input, dest, reason, how;
  std::vector<std::string> files;
  bool armor = false, overwrite = false, list_only = false;
  uint32_t copies = 0;
  SecretSource secret;
};

Status RunCreate(const GlobalOptions& g, const VaultCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k,
                           CreateVault(*station, *ks, op, o.name, NewKeystorePassphrase(o.secret)));
  if (g.json) {
    PrintLine(KeyInfoJson(k).dump());
  } else {
    PrintLine(Format(_("vault %s created, key fingerprint %s"), {k.name, k.fingerprint}));
    PrintLine(Format(_("Its key stays in this station; `%s` later makes everything sealed to it "
                       "unreadable."),
                     "custody crypto-erase vault " + k.name));
  }
  return Status::Ok();
}

Status RunSeal(const GlobalOptions& g, const VaultCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  VaultSealOptions so;
  so.files = o.files;
  so.output = o.output;
  so.armor = o.armor;
  so.overwrite = o.overwrite;
  CUSTODY_ASSIGN_OR_RETURN(SealedRecord r, SealToVault(*station, *ks, op, o.name, so));
  if (g.json) {
    PrintLine(nlohmann::json({{"output", r.output},
                              {"digest", r.digest},
                              {"size", r.size},
                              {"ledger_seq", r.ledger_seq}})
                  .dump());
  } else {
    PrintLine(Format(_("sealed %s file(s) to vault %s: %s"),
                     {std::to_string(o.files.size()), o.name, r.output}));
    PrintLine("sha256 " + r.digest + "  " +
              Format(_("%s bytes (ledger entry %s)"),
                     {std::to_string(r.size), std::to_string(r.ledger_seq)}));
  }
  return Status::Ok();
}

Status RunOpen(const GlobalOptions& g, const VaultCliOptions& o) {
  if (o.dest.empty() && !o.list_only)
    return OwnError(StatusCode::kInvalidArgument, N_("give -d DIR to extract, or --list to only verify"), {});
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_RETURN_IF_ERROR(ks->Get(o.name).status());  // Before asking for a passphrase.
  CUSTODY_ASSIGN_OR_RETURN(SecretString p, ReadSecret(o.secret, "keystore passphrase"));
  CUSTODY_RETURN_IF_ERROR(ks->Unlock(p));
  CUSTODY_ASSIGN_OR_RETURN(
      std::vector<OpenedFile> files,
      OpenVault(*ks, o.name, o.input, o.list_only ? "" : o.dest, Env::Default()));
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& f : files)
      arr.push_back({{"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
    PrintLine(nlohmann::json({{"files", arr}}).dump());
  } else {
    for (const auto& f : files) PrintLine(f.sha256 + "  " + std::to_string(f.size) + "  " + f.name);
    PrintLine(o.list_only ? std::string(_("verified: every byte authenticated"))
                          : Format(_("written to %s"), o.dest));
  }
  return Status::Ok();
}

Status RunExportKey(const GlobalOptions& g, const VaultCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenUnlockedKeystore(*station, o.secret));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k,
                           ExportVaultKey(*station, *ks, op, o.name, o.output, o.reason));
  if (!g.json) {
    PrintLine(Format(_("vault key %s exported to %s (mode 0600); copies exported: %s"),
                     {k.name, o.output, std::to_string(k.exported)}));
    PrintLine(Format(_("WARNING: while this copy exists, crypto-erase of %s is refused. Record its "
                       "destruction with custody vault record-copy-destroyed."),
                     k.name));
  } else {
    PrintLine(KeyInfoJson(k).dump());
  }
  return Status::Ok();
}

Status RunCopyDestroyed(const GlobalOptions& g, const VaultCliOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k,
                           RecordEscrowDestroyed(*station, *ks, op, o.name, o.copies, o.how));
  if (g.json) {
    PrintLine(KeyInfoJson(k).dump());
  } else {
    PrintLine(Format(_("recorded: %s of %s exported copies of vault key %s destroyed"),
                     {std::to_string(k.destroyed_copies), std::to_string(k.exported), k.name}));
  }
  return Status::Ok();
}

CommandRegistration reg(60, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<VaultCliOptions>();
  CLI::App* vault = app.add_subcommand(
      "vault", "Vaults: data sealed to a key only this station holds (crypto-erasable)");
  vault->require_subcommand(1);

  CLI::App* create =
      vault->add_subcommand("create", "Create a vault key (never exported unless asked)");
  create->footer("Example: custody vault create contract-2026");
  create->add_option("name", o->name, "Vault name (A-Z a-z 0-9 . _ -)")->required();
  o->secret.AddOptions(create, "new keystore passphrase (first key only)");
  AddJsonFlag(create, g);
  create->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCreate(g, *o); }; });

  CLI::App* seal = vault->add_subcommand("seal", "Encrypt files to a vault (age format)");
  seal->footer(
      "Example: custody vault seal contract-2026 residents.csv scans.zip -o backup-2026-11.age");
  seal->add_option("name", o->name, "Vault name")->required();
  seal->add_option("files", o->files, "Files to seal")->required();
  seal->add_option("-o,--output", o->output, "Sealed output file")->required();
  seal->add_flag("--armor", o->armor, "PEM-armored output");
  seal->add_flag("--overwrite", o->overwrite, "Replace an existing output file");
  AddJsonFlag(seal, g);
  seal->callback([&g, o, &inv] { inv.run = [&g, o] { return RunSeal(g, *o); }; });

  CLI::App* open =
      vault->add_subcommand("open", "Decrypt a sealed file (needs the keystore passphrase)");
  open->footer("Example: custody vault open contract-2026 backup-2026-11.age -d restored/");
  open->add_option("name", o->name, "Vault name")->required();
  open->add_option("sealed", o->input, "Sealed file")->required();
  open->add_option("-d,--dir", o->dest,
                   "Directory to write the files into (must not hold them yet)");
  open->add_flag("--list", o->list_only, "Only decrypt, verify and list");
  o->secret.AddOptions(open, "keystore passphrase");
  AddJsonFlag(open, g);
  open->callback([&g, o, &inv] { inv.run = [&g, o] { return RunOpen(g, *o); }; });

  CLI::App* exp =
      vault->add_subcommand("export-key",
                            "Export the vault key for escrow (blocks crypto-erase until "
                            "its destruction is recorded)");
  exp->footer(
      "Example: custody vault export-key contract-2026 -o /media/escrow/contract-2026.key --reason "
      "'bank safe'");
  exp->add_option("name", o->name, "Vault name")->required();
  exp->add_option("-o,--output", o->output, "Where to write the key (0600)")->required();
  exp->add_option("--reason", o->reason, "Why the key leaves the station (recorded)")->required();
  o->secret.AddOptions(exp, "keystore passphrase");
  AddJsonFlag(exp, g);
  exp->callback([&g, o, &inv] { inv.run = [&g, o] { return RunExportKey(g, *o); }; });

  CLI::App* cd = vault->add_subcommand("record-copy-destroyed",
                                       "Record that exported copies of a vault key were "
                                       "destroyed");
  cd->footer(
      "Example: custody vault record-copy-destroyed contract-2026 --copies 1 --how 'USB shredded, "
      "witness 佐藤'");
  cd->add_option("name", o->name, "Vault name")->required();
  cd->add_option("--copies", o->copies, "How many copies")->required();
  cd->add_option("--how", o->how, "How, and who witnessed it (recorded)")->required();
  AddJsonFlag(cd, g);
  cd->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCopyDestroyed(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
