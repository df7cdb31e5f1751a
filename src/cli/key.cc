// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody key create|list|export-public|import-recipient|import-sender|destroy
// (custody/keystore.h). --passphrase-file/--passphrase-fd give the KEYSTORE
// passphrase; a protected station signing key is asked on the terminal.
#include <fcntl.h>
#include <unistd.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "custody/env.h"
#include "custody/keystore.h"

namespace custody::cli {

Result<std::string> AskOnTty(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return CancelledError("no terminal to confirm on");
  std::string p = prompt;
  if (::write(fd, p.data(), p.size()) < 0) {
  }
  std::string answer;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    if (answer.size() < 200) answer.push_back(c);
  }
  ::close(fd);
  if (!answer.empty() && answer.back() == '\r') answer.pop_back();
  return answer;
}

Result<std::unique_ptr<Keystore>> OpenKeystore(const Station& station) {
  return Keystore::Open(station.home(), Env::Default());
}

Result<std::unique_ptr<Keystore>> OpenUnlockedKeystore(const Station& station,
                                                       const SecretSource& secret) {
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(station));
  if (!ks->initialized()) {
    return NotFoundError(
        "this station has no keystore yet: create a key first (custody key create NAME)");
  }
  CUSTODY_ASSIGN_OR_RETURN(SecretString p, ReadSecret(secret, "keystore passphrase"));
  CUSTODY_RETURN_IF_ERROR(ks->Unlock(p));
  return ks;
}

PassphraseProvider NewKeystorePassphrase(const SecretSource& secret) {
  return [secret]() -> Result<SecretString> {
    CUSTODY_ASSIGN_OR_RETURN(SecretString p, ReadSecret(secret, "new keystore passphrase", true));
    CUSTODY_RETURN_IF_ERROR(CheckPassphraseStrength(p));
    return p;
  };
}

nlohmann::json KeyInfoJson(const KeyInfo& k) {
  nlohmann::json j = {{"name", k.name},
                      {"kind", KeyKindName(k.kind)},
                      {"recipient", k.recipient},
                      {"fingerprint", k.fingerprint},
                      {"created", k.created}};
  if (k.kind == KeyKind::kVault) {
    j["exported"] = k.exported;
    j["destroyed_copies"] = k.destroyed_copies;
    j["sealed"] = k.sealed.size();
  }
  if (k.kind == KeyKind::kSender) {
    // A signing key, not an age recipient.
    j.erase("recipient");
    j["verifier_key"] = k.verifier_key;
  }
  return j;
}

namespace {

struct KeyOptions {
  std::string name, recipient, verifier_key, confirm_fingerprint;
  bool yes = false;
  SecretSource secret;
};

Status RunCreate(const GlobalOptions& g, const KeyOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k,
                           CreateKey(*station, *ks, op, o.name, NewKeystorePassphrase(o.secret)));
  if (g.json) {
    PrintLine(KeyInfoJson(k).dump());
  } else {
    PrintLine(Format(_("key %s created"), k.name));
    PrintLine(PadLabel(std::string(_("recipient")) + ":", 13) + k.recipient);
    PrintLine(PadLabel(std::string(_("fingerprint")) + ":", 13) + k.fingerprint);
    PrintLine(
        _("Give the recipient to the sender; read the fingerprint to them by phone so they can "
          "confirm it."));
  }
  return Status::Ok();
}

Status RunList(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<KeyInfo> keys, ks->List());
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& k : keys) arr.push_back(KeyInfoJson(k));
    PrintLine(arr.dump());
    return Status::Ok();
  }
  if (keys.empty()) {
    PrintLine(Format(_("no keys (%s)"), "custody key create NAME, custody key import-recipient "
                                         "NAME age1..., custody key import-sender NAME KEY, "
                                         "custody vault create NAME"));
    return Status::Ok();
  }
  for (const auto& k : keys) {
    std::string line =
        k.name + "  " + std::string(KeyKindName(k.kind)) + "  " + k.fingerprint + "  " + k.created;
    if (k.kind == KeyKind::kVault && k.exported > k.destroyed_copies)
      line += std::string("  ") + _("(exported copies exist)");
    PrintLine(line);
  }
  return Status::Ok();
}

Status RunExportPublic(const GlobalOptions& g, const KeyOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k, ks->Get(o.name));
  if (g.json) {
    nlohmann::json j = {{"name", k.name}, {"fingerprint", k.fingerprint}};
    j[k.kind == KeyKind::kSender ? "verifier_key" : "recipient"] =
        k.kind == KeyKind::kSender ? k.verifier_key : k.recipient;
    PrintLine(j.dump());
  } else {
    PrintLine(k.kind == KeyKind::kSender ? k.verifier_key : k.recipient);
    PrintLine(std::string(_("fingerprint")) + ": " + k.fingerprint);
  }
  return Status::Ok();
}

// The fingerprint the operator confirmed and how ("confirm-fingerprint" or
// "interactive"): --confirm-fingerprint, else typed on the terminal after
// `prompt`. The operator compares with what the key's owner reads out by
// phone and types it: typing catches a glance that only matched the start.
struct ConfirmedFingerprint {
  std::string fingerprint, how;
};
Result<ConfirmedFingerprint> ConfirmFingerprint(const std::string& given, const std::string& prompt,
                                                const std::function<Status()>& no_terminal) {
  if (!given.empty()) return ConfirmedFingerprint{given, "confirm-fingerprint"};
  auto typed = AskOnTty(prompt);
  if (!typed.ok()) return no_terminal();
  return ConfirmedFingerprint{*typed, "interactive"};
}

Status RunImport(const GlobalOptions& g, const KeyOptions& o) {
  std::string fingerprint = RecipientFingerprint(o.recipient);
  if (fingerprint == "invalid") {
    return OwnError(StatusCode::kInvalidArgument, N_("not an age X25519 recipient (expected age1 followed by 58 characters)"), {});
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(
      ConfirmedFingerprint confirmed,
      ConfirmFingerprint(o.confirm_fingerprint,
                         Format(_("fingerprint of this key: %s\nAsk the key's owner to read their "
                                  "fingerprint to you, and type what you hear: "),
                                fingerprint),
                         [] {
                           return CancelledError(
                               "no terminal to confirm the fingerprint on: give "
                               "--confirm-fingerprint FP, as read to you by the key's owner");
                         }));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k, ImportRecipient(*station, *ks, op, o.name, o.recipient,
                                                      confirmed.fingerprint, confirmed.how));
  if (g.json) {
    PrintLine(KeyInfoJson(k).dump());
  } else {
    PrintLine(Format(_("recipient %s imported, fingerprint %s confirmed"), {k.name, k.fingerprint}));
  }
  return Status::Ok();
}

Status RunImportSender(const GlobalOptions& g, const KeyOptions& o) {
  // The key inline ("name+hex8+base64") or a file holding it.
  CUSTODY_ASSIGN_OR_RETURN(std::string verifier_key, ReadVerifierKeyArg(o.verifier_key));
  std::string fingerprint = SenderFingerprint(verifier_key);
  if (fingerprint == "invalid") {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("not a station verifier key (expected name+hex8+base64, as custody status "
                       "prints it on the sending station)"),
                    {});
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  // As for a recipient, the sender reads the fingerprint by phone (at a
  // number the operator already has).
  CUSTODY_ASSIGN_OR_RETURN(
      ConfirmedFingerprint confirmed,
      ConfirmFingerprint(
          o.confirm_fingerprint,
          Format(_("fingerprint of this sender key: %s\nAsk the sending station to read its key's "
                   "fingerprint (custody status) to you, and type what you hear: "),
                 fingerprint),
          [] {
            return OwnError(StatusCode::kCancelled,
                            N_("no terminal to confirm the fingerprint on: give "
                               "--confirm-fingerprint FP, as the sending station read it to you"),
                            {});
          }));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k, ImportSender(*station, *ks, op, o.name, verifier_key,
                                                   confirmed.fingerprint, confirmed.how));
  if (g.json) {
    PrintLine(KeyInfoJson(k).dump());
  } else {
    PrintLine(Format(_("sender %s imported, fingerprint %s confirmed (recorded as %s)"),
                     {k.name, k.fingerprint, "key.sender-imported"}));
    PrintLine(_("Packages signed by this key are now shown as from this sender."));
  }
  return Status::Ok();
}

Status RunDestroy(const GlobalOptions& g, const KeyOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo k, ks->Get(o.name));
  if (!o.yes) {
    auto typed = AskOnTty(
        k.kind == KeyKind::kSender
            ? Format(_("Remove sender %s (%s)? Its packages will no longer be shown as from a "
                       "known sender. Type the key name to confirm: "),
                     {k.name, k.fingerprint})
            : Format(_("Destroy key %s (%s, %s)? Packages sent to it can no longer be opened "
                       "here. Type the key name to confirm: "),
                     {k.name, std::string(KeyKindName(k.kind)), k.fingerprint}));
    if (!typed.ok()) {
      return OwnError(StatusCode::kCancelled,
                      N_("no terminal to confirm on: add --yes to destroy key %s"), {k.name});
    }
    if (*typed != k.name) {
      return OwnError(StatusCode::kCancelled, N_("not confirmed: nothing was destroyed"), {});
    }
  }
  CUSTODY_ASSIGN_OR_RETURN(DestroyedKey d, DestroyKey(*station, *ks, op, o.name));
  if (g.json) {
    PrintLine(nlohmann::json(
                  {{"name", d.info.name}, {"fingerprint", d.info.fingerprint}, {"files", d.files}})
                  .dump());
  } else {
    PrintLine(Format(_("key %s destroyed (%s files overwritten and removed; recorded as %s)"),
                     {d.info.name, std::to_string(d.files.size()), "key.destroyed"}));
    PrintLine(_("Copies outside this station (backups, exports) are not touched: destroy them too."));
  }
  return Status::Ok();
}

CommandRegistration reg(40, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<KeyOptions>();
  CLI::App* key =
      app.add_subcommand("key", "Keys: the station's identities, the recipients it sends to, the senders it knows");
  key->require_subcommand(1);

  CLI::App* create =
      key->add_subcommand("create", "Create an X25519 identity for receiving packages");
  create->footer(
      "Example: custody key create office-inbox --passphrase-file keystore-pass.txt\n"
      "The first key sets the keystore passphrase (asked twice on the terminal).");
  create->add_option("name", o->name, "Key name (A-Z a-z 0-9 . _ -)")->required();
  o->secret.AddOptions(create, "new keystore passphrase (first key only)");
  AddJsonFlag(create, g);
  create->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCreate(g, *o); }; });

  CLI::App* list = key->add_subcommand("list", "List identities, recipients, senders and vault keys");
  list->footer("Example: custody key list --json");
  AddJsonFlag(list, g);
  list->callback([&g, &inv] { inv.run = [&g] { return RunList(g); }; });

  CLI::App* exp =
      key->add_subcommand("export-public", "Print a key's age1 recipient and its fingerprint");
  exp->footer("Example: custody key export-public office-inbox > office-inbox.pub");
  exp->add_option("name", o->name, "Key name")->required();
  AddJsonFlag(exp, g);
  exp->callback([&g, o, &inv] { inv.run = [&g, o] { return RunExportPublic(g, *o); }; });

  CLI::App* imp = key->add_subcommand("import-recipient",
                                      "Store someone's age1 public key, fingerprint confirmed");
  imp->footer(
      "Example: custody key import-recipient city-hall age1... --confirm-fingerprint "
      "7KQ2M-XC9RT-4HBWN-PZ3LA");
  imp->add_option("name", o->name, "Name to send to it by (--to-key NAME)")->required();
  imp->add_option("recipient", o->recipient, "The age1... public key")->required();
  imp->add_option("--confirm-fingerprint", o->confirm_fingerprint,
                  "The fingerprint the key's owner read to you (else typed on the terminal)");
  AddJsonFlag(imp, g);
  imp->callback([&g, o, &inv] { inv.run = [&g, o] { return RunImport(g, *o); }; });

  CLI::App* imp_sender = key->add_subcommand(
      "import-sender", "Store a sending station's verifier key, fingerprint confirmed");
  imp_sender->footer(
      "Example: custody key import-sender city-hall station-a+1a2b3c4d+AW... --confirm-fingerprint "
      "7KQ2M-XC9RT-4HBWN-PZ3LA\n"
      "Packages signed by the key are then shown as from NAME (package verify/open).");
  imp_sender->add_option("name", o->name, "Name its packages are shown as from")->required();
  imp_sender
      ->add_option("key", o->verifier_key,
                   "The station's verifier key (name+hex8+base64, as custody status prints it), "
                   "or a file holding it")
      ->required();
  imp_sender->add_option(
      "--confirm-fingerprint", o->confirm_fingerprint,
      "The fingerprint the sending station read to you (else typed on the terminal)");
  AddJsonFlag(imp_sender, g);
  imp_sender->callback([&g, o, &inv] { inv.run = [&g, o] { return RunImportSender(g, *o); }; });

  CLI::App* destroy =
      key->add_subcommand("destroy", "Overwrite and remove every copy of a key this station holds");
  destroy->footer("Example: custody key destroy old-inbox --yes");
  destroy->add_option("name", o->name, "Key name")->required();
  destroy->add_flag("--yes", o->yes, "Do not ask for confirmation");
  AddJsonFlag(destroy, g);
  destroy->callback([&g, o, &inv] { inv.run = [&g, o] { return RunDestroy(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
