// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody package create|verify|open|show
#include "custody/package.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/heap_tuning.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "common/time_util.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "custody/station.h"

namespace custody::cli {
namespace {

struct PackageCliOptions {
  std::vector<std::string> sources;
  std::string output, format = "age";
  std::vector<std::string> to, to_key;
  bool passphrase = false, armor = false, force = false, portable = false;
  bool require_known_sender = false;
  std::string recipient_org, purpose, classification, password_id;
  std::string package, dest, sender_key;
  std::vector<std::string> identity_files;
  SecretSource secret;
};

Result<PackageKeys> LoadKeys(const GlobalOptions& g, const PackageCliOptions& o) {
  return LoadPackageKeys(g, o.identity_files, o.secret);
}

// The label column: 12 as it always was in English; the Japanese labels
// (up to 6 kanji/kana, 12 columns) need two more.
size_t LabelWidth() { return CurrentLanguage() == UiLanguage::kJapanese ? 14 : 12; }

// The header lines; the files are printed one at a time after it
// (PrintVerified), never gathered.
std::string Summary(const VerifiedPackage& v) {
  const PackageManifest& m = v.manifest;
  std::string s;
  auto line = [&s](const char* k, const std::string& val) { s += PadLabel(k, LabelWidth()) + val + "\n"; };
  line(_("package"), m.package_id + " (" + m.format + ")");
  line(_("digest"), "sha256:" + v.digest);
  auto t = timeutil::ParseTime(m.created);
  line(_("created"), t.ok() ? timeutil::FormatJst(*t) : m.created);
  // The organization and station are what the package says; only a known
  // sender's key says who really signed it.
  std::string from = Format(_("%s / station %s"), {m.sender_organization, m.sender_station});
  if (v.sender_known) {
    line(_("from"), Format(_("%s (known sender; signature OK)"), v.sender_name) + " — " + from);
    line(_("signed by"), m.sender_verifier_key + " (" + _("fingerprint") + " " + v.sender_fingerprint + ")");
  } else {
    line(_("from"), from + " " + _("(as the package says; NOT a known sender)"));
    line(_("signed by"),
         Format(_("%s (signature OK; compare this key with the one the sender gave you)"),
                m.sender_verifier_key + ", " + _("fingerprint") + " " + v.sender_fingerprint));
  }
  std::string keys;
  for (const PackageRecipient& r : m.recipients) {
    if (!keys.empty()) keys += ", ";
    keys += r.type == "passphrase" ? std::string(_("passphrase")) : r.type + " " + r.fingerprint;
  }
  line(_("to"), m.recipient_organization + " (" + keys + ")");
  line(_("purpose"), m.purpose);
  line(_("class"), m.classification);
  line(_("files"),
       Format(v.files_verified ? _("%s files, %s bytes, every SHA-256 verified")
                               : _("%s files, %s bytes (contents not hashed: use `package verify`)"),
              {std::to_string(v.file_count), std::to_string(m.total_size)}));
  s.pop_back();  // PrintLine ends the line.
  return s;
}

Status PrintVerified(const GlobalOptions& g, const VerifiedPackage& v, const std::string& extra_key = "",
                     const std::string& extra_value = "") {
  if (g.json) {
    nlohmann::json j = {{"ok", true},
                        {"digest", v.digest},
                        {"files_verified", v.files_verified},
                        {"sender_known", v.sender_known},
                        {"sender", v.sender_known ? nlohmann::json(v.sender_name) : nlohmann::json()},
                        {"sender_fingerprint", v.sender_fingerprint}};
    if (!extra_key.empty()) j[extra_key] = extra_value;
    // The signed manifest goes out as it was received, piece by piece (it
    // is canonical JSON): a package of a million files is not held to print.
    std::string head = j.dump();
    head.pop_back();
    PrintRaw(head + ",\"manifest\":");
    CUSTODY_RETURN_IF_ERROR(v.ForEachManifestPiece([](std::string_view piece) {
      PrintRaw(std::string(piece));
      return Status::Ok();
    }));
    PrintLine("}");
    return Status::Ok();
  }
  PrintLine(Summary(v));
  Status listed = v.ForEachFile([](const PackageFile& f) {
    PrintLine("  " + f.sha256.substr(0, 16) + "  " + std::to_string(f.size) + "  " + f.path);
    return Status::Ok();
  });
  PrintLine("");
  return listed;
}

Status RunCreate(const GlobalOptions& g, const PackageCliOptions& o) {
  PrepareHeapForLargeWork();
  CreatePackageOptions opts;
  opts.sources = o.sources;
  opts.output_path = o.output;
  opts.recipients = o.to;
  opts.armor = o.armor;
  opts.recipient_organization = o.recipient_org;
  opts.purpose = o.purpose;
  opts.classification = o.classification;
  opts.operator_name = g.operator_;
  opts.overwrite = o.force;
  opts.password_id = o.password_id;
  if (o.format == "zip") {
    opts.format = PackageFormat::kZip;
  } else if (o.format != "age") {
    return OwnError(StatusCode::kInvalidArgument, N_("--format must be age or zip"), {});
  }
  bool want_passphrase = o.passphrase || !o.secret.file.empty() || o.secret.fd >= 0;
  if (!o.password_id.empty() && (!want_passphrase || opts.format == PackageFormat::kZip)) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("--password-id goes with --passphrase (a zip package gets its own generated password)"), {});
  }
  if (opts.format == PackageFormat::kZip) {
    if (want_passphrase || !o.to.empty() || !o.to_key.empty()) {
      return OwnError(StatusCode::kInvalidArgument,
                      N_("--format zip takes neither --to nor --passphrase: custody generates the password"), {});
    }
    std::fprintf(stderr, "custody: %s: %s", _("warning"),
        _("a zip package is weaker than an age package: the names, sizes and dates of the zip\n"
          "  are in clear (custody hides yours inside one inner tar); the key comes from PBKDF2-SHA1 with 1000\n"
          "  rounds, so only the generated password below is safe; anyone with the password can alter the zip\n"
          "  (the signed manifest inside still detects it: custody package verify). Prefer --to when possible.\n"));
  } else if (want_passphrase) {
    if (!o.to.empty() || !o.to_key.empty()) return OwnError(StatusCode::kInvalidArgument, N_("give --to/--to-key or --passphrase, not both"), {});
    CUSTODY_ASSIGN_OR_RETURN(SecretString p, ReadSecret(o.secret, "package passphrase", true));
    opts.passphrase = std::move(p);
  } else if (o.to.empty() && o.to_key.empty()) {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("say who can open the package: --to age1... (their public key), --to-key NAME (a key in "
                       "this station's keystore) or --passphrase"),
                    {});
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  if (!o.to_key.empty()) {
    // Public keys only: no keystore passphrase is needed to send.
    CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(*station));
    for (const std::string& name : o.to_key) {
      auto recipient = ks->LookupRecipient(name);
      if (!recipient.ok()) return recipient.status().WithContext("--to-key " + name);
      opts.recipients.push_back(*recipient);
    }
  }
  // A signal stops the packing; the temporary output is removed.
  InstallStopHandlers();
  opts.stop = &StopRequested();
  auto created = CreatePackage(*station, opts, Env::Default());
  if (!created.ok()) {
    return Explain(created.status(), StatusCode::kInterrupted,
                   _("Interrupted: no package was written and nothing was recorded; run the command "
                     "again."));
  }
  CreatedPackage& c = *created;
  if (g.json) {
    nlohmann::json j = {{"ok", true},
                        {"output", c.output_path},
                        {"package_id", c.manifest.package_id},
                        {"digest", c.digest},
                        {"size", c.package_size},
                        {"file_count", c.file_count},
                        {"ledger_seq", c.ledger_seq}};
    if (opts.format == PackageFormat::kZip) j["password"] = std::string(c.zip_password.view());
    if (!c.password_id.empty()) j["password_id"] = c.password_id;
    PrintLine(j.dump());
  } else {
    PrintLine(Format(_("package written to %s (%s bytes)"),
                     {c.output_path, std::to_string(c.package_size)}));
    PrintLine(PadLabel(_("package ID"), LabelWidth()) + c.manifest.package_id);
    PrintLine(PadLabel(_("digest"), LabelWidth()) + "sha256:" + c.digest);
    PrintLine(PadLabel(_("files"), LabelWidth()) +
              Format(_("%s (%s bytes)"), {std::to_string(c.file_count),
                                          std::to_string(c.manifest.total_size)}));
    PrintLine(PadLabel(_("recorded"), LabelWidth()) +
              Format(_("ledger entry %s (%s)"), {std::to_string(c.ledger_seq), "package.created"}));
    if (opts.format == PackageFormat::kZip) {
      PrintLine(PadLabel(_("password"), LabelWidth()) + std::string(c.zip_password.view()) + "   (ID " +
                c.zip_password_id + ")");
      PrintLine(_("Give the password by a different channel than the package (phone, letter), never with it;"));
      PrintLine(Format(_("type it exactly as shown, hyphens included. Open with 7-Zip or: %s"),
                       // Not -p<password>: 7-Zip asks for it, and a password on
                       // a command line is in the shell's history and in ps.
                       "7z x " + c.output_path));
    } else if (opts.passphrase) {
      PrintLine(Format(_("password ID %s (recorded; the passphrase is not)"), c.password_id));
      PrintLine(_("Send the passphrase by a different channel than the package (phone, letter), never with it,"));
      PrintLine(Format(_("then: %s"), "custody password record-delivery " + c.output_path +
                                          " --channel phone --to NAME"));
    }
  }
  return Status::Ok();
}

// The station of this machine, if it has one (nullptr when there is none):
// its keystore names the known senders, and `open` records there.
Result<std::unique_ptr<Station>> OptionalStation(const GlobalOptions& g) {
  auto opened = OpenStation(g);
  if (opened.ok()) return std::move(*opened);
  if (opened.status().code() != StatusCode::kNotFound) return opened.status();
  return std::unique_ptr<Station>();
}

// `station`: the reader's, or nullptr (then no sender is known).
Result<VerifyPackageOptions> VerifyOpts(const PackageCliOptions& o, const Station* station) {
  VerifyPackageOptions v;
  // The key inline ("name+hex8+base64") or a file holding it.
  if (!o.sender_key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(v.expected_sender_key, ReadVerifierKeyArg(o.sender_key));
  }
  if (station != nullptr) {
    // Public keys only: no keystore passphrase is needed to know them. A
    // keystore that cannot be read (one damaged key file) refuses only what
    // needs it (--require-known-sender): otherwise every signer is shown as
    // unknown, with the reason, and packages still verify and open.
    auto ks = OpenKeystore(*station);
    auto known = ks.ok() ? KnownSenders(**ks) : Result<std::vector<KnownSender>>(ks.status());
    if (known.ok()) {
      v.known_senders = std::move(*known);
    } else if (o.require_known_sender) {
      return known.status().WithContext("reading this station's known senders");
    } else {
      std::fprintf(stderr, "custody: %s: %s\n", _("warning"),
                   Format(_("this station's known senders could not be read (%s); every signer "
                            "is shown as unknown"),
                          known.status().message())
                       .c_str());
    }
  } else if (o.require_known_sender) {
    return OwnError(StatusCode::kFailedPrecondition,
                    N_("--require-known-sender needs a custody station on this machine (its known "
                       "senders: custody key import-sender); without one, give --sender-key KEY"),
                    {});
  }
  v.require_known_sender = o.require_known_sender;
  v.portable = o.portable;
  // A signal stops the reading; `open` then removes what it had extracted
  // (decrypted data must not stay behind, unverified, after Ctrl-C).
  InstallStopHandlers();
  v.stop = &StopRequested();
  return v;
}

// What a refused package means for the person who received it.
Status ExplainRejected(Status s) {
  s = Explain(s, StatusCode::kWrongKey,
              _("This package is not addressed to any key you hold (or the passphrase is wrong): "
                "check -i / the station's keys, or ask the sender which key they used."));
  s = Explain(s, StatusCode::kVerificationFailed,
              _("The package does not match what was packaged: a file was modified or damaged "
                "after packaging, or the signature is not the sender's. Do not use it; ask the "
                "sender to send it again."));
  s = Explain(s, StatusCode::kInterrupted,
              _("Interrupted: nothing was extracted and nothing is left behind; run the command "
                "again."));
  // A file cut short and one whose last chunk was damaged look alike to age
  // (crypto/age_stream.cc): both are named here, and the remedy is one.
  // Only --require-known-sender refuses a package with this code and this
  // wording (open can also fail so later, recording package.opened).
  if (s.message().find("does not know as a sender") != std::string::npos) {
    s = Explain(s, StatusCode::kFailedPrecondition,
              _("The package is intact, but its signer is not a known sender of this station: "
                "nothing was extracted. If you expect it, call the sender at a number you already "
                "have, ask them to read their key's fingerprint (custody status) and compare it "
                "with the one below, then import their key (custody key import-sender)."));
  }
  return Explain(s, StatusCode::kTruncated,
                 _("The package is incomplete: it ends early (the transfer or copy did not "
                   "finish), or its last part is damaged. Get the whole file again."));
}

// On stderr (stdout stays the result, one JSON document with --json): a
// valid signature by a key nobody confirmed says nothing about who sent it.
// Not when --sender-key was given: the person supplied the key it matched.
void WarnIfUnknownSender(const VerifiedPackage& v, const PackageCliOptions& o, bool have_station) {
  if (v.sender_known || !o.sender_key.empty()) return;
  const PackageManifest& m = v.manifest;
  std::string text =
      have_station
          ? Format(_("the package's signer is not a known sender of this station (key fingerprint "
                     "%s). Anyone can make a package that names any organization. Call the "
                     "sender at a number you already have (not one from the package or its "
                     "e-mail), ask them to read their key's fingerprint (custody status), and if "
                     "it matches run:\n  custody key import-sender NAME %s --confirm-fingerprint "
                     "%s\nThen packages from them are shown by NAME, and --require-known-sender "
                     "refuses any other signer."),
                   {v.sender_fingerprint, m.sender_verifier_key, v.sender_fingerprint})
          : Format(_("no custody station here, so no sender is known: the signature is valid, "
                     "but only comparing the key's fingerprint (%s) with the one the sender reads "
                     "to you by phone (custody status) shows who signed it; or give --sender-key "
                     "with the key they gave you."),
                   v.sender_fingerprint);
  std::fprintf(stderr, "custody: %s: %s\n", _("warning"), text.c_str());
}

Status RunVerify(const GlobalOptions& g, const PackageCliOptions& o) {
  PrepareHeapForLargeWork();
  CUSTODY_ASSIGN_OR_RETURN(PackageKeys keys, LoadKeys(g, o));
  CUSTODY_ASSIGN_OR_RETURN(std::unique_ptr<Station> station, OptionalStation(g));
  CUSTODY_ASSIGN_OR_RETURN(VerifyPackageOptions verify_options, VerifyOpts(o, station.get()));
  auto v = VerifyPackage(o.package, keys, verify_options);
  if (!v.ok()) return ExplainRejected(v.status().WithContext("package REJECTED"));
  CUSTODY_RETURN_IF_ERROR(PrintVerified(g, *v));
  WarnIfUnknownSender(*v, o, station != nullptr);
  return Status::Ok();
}

Status RunShow(const GlobalOptions& g, const PackageCliOptions& o) {
  PrepareHeapForLargeWork();
  CUSTODY_ASSIGN_OR_RETURN(PackageKeys keys, LoadKeys(g, o));
  CUSTODY_ASSIGN_OR_RETURN(std::unique_ptr<Station> station, OptionalStation(g));
  CUSTODY_ASSIGN_OR_RETURN(VerifyPackageOptions verify_options, VerifyOpts(o, station.get()));
  auto v = ReadManifest(o.package, keys, verify_options);
  if (!v.ok()) return ExplainRejected(v.status().WithContext("package REJECTED"));
  CUSTODY_RETURN_IF_ERROR(PrintVerified(g, *v));
  WarnIfUnknownSender(*v, o, station != nullptr);
  return Status::Ok();
}

Status RunOpen(const GlobalOptions& g, const PackageCliOptions& o) {
  PrepareHeapForLargeWork();
  CUSTODY_ASSIGN_OR_RETURN(PackageKeys keys, LoadKeys(g, o));
  // The recipient's station, if this machine has one, records the opening.
  CUSTODY_ASSIGN_OR_RETURN(std::unique_ptr<Station> station, OptionalStation(g));
  OpenPackageOptions opts;
  CUSTODY_ASSIGN_OR_RETURN(opts.verify, VerifyOpts(o, station.get()));
  opts.operator_name = g.operator_;
  auto v = OpenPackage(o.package, o.dest, keys, opts, station.get());
  if (!v.ok()) return ExplainRejected(v.status().WithContext("package REJECTED, nothing extracted"));
  CUSTODY_RETURN_IF_ERROR(PrintVerified(g, *v, "destination", o.dest));
  if (!g.json) {
    PrintLine(Format(station ? _("extracted into %s (recorded as package.opened)") : _("extracted into %s"),
                     o.dest));
  }
  WarnIfUnknownSender(*v, o, station != nullptr);
  return Status::Ok();
}

void AddReadOptions(CLI::App* cmd, PackageCliOptions* o) {
  cmd->add_option("package", o->package, "The package file")->required();
  cmd->add_option("-i,--identity", o->identity_files,
                  "age identity file (AGE-SECRET-KEY-1... lines); repeatable. Without -i: this station's keys");
  cmd->add_option("--sender-key", o->sender_key,
                  "Require the manifest to be signed by this verifier key (the key, or a file holding it)");
  cmd->add_flag("--require-known-sender", o->require_known_sender,
                "Refuse a package whose signer is not a known sender (custody key import-sender); "
                "exit status 14");
  cmd->add_flag("--portable", o->portable, "Refuse names Windows cannot hold");
  o->secret.AddOptions(cmd, "passphrase (the package's, or without -i the keystore's for a key-encrypted package)");
}

CommandRegistration reg(40, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<PackageCliOptions>();
  CLI::App* pkg = app.add_subcommand("package", "Encrypted handover packages: create, verify, open, show");
  pkg->require_subcommand(1);

  CLI::App* create = pkg->add_subcommand("create", "Pack and encrypt files for a recipient, signed by this station");
  create->footer(
      "Example: custody package create 住民データ/ -o handover.age --to age1... --recipient-org 'A市' "
      "--purpose '住民税システム移行' --classification 機密性2");
  create->add_option("sources", o->sources, "Files and directories to pack")->required();
  create->add_option("-o,--output", o->output, "Output file")->required();
  create->add_option("--to", o->to, "Recipient public key age1... (repeatable)");
  create->add_option("--to-key", o->to_key,
                     "Recipient by name in this station's keystore (custody key import-recipient; repeatable)");
  create->add_flag("--passphrase", o->passphrase, "Encrypt with a passphrase instead (asked on the terminal)");
  create->add_option("--password-id", o->password_id,
                     "With --passphrase: the ID custody password generate printed for it (else a new ID)");
  create->add_flag("--armor", o->armor, "ASCII armor (for text channels)");
  create->add_option("--format", o->format, "age (default) or zip (AES-256, for 7-Zip users)");
  create->add_option("--recipient-org", o->recipient_org, "Receiving organization")->required();
  create->add_option("--purpose", o->purpose, "Why the data is handed over")->required();
  create->add_option("--classification", o->classification, "e.g. 機密性2")->required();
  create->add_flag("--force", o->force, "Replace an existing output file");
  o->secret.AddOptions(create, "package passphrase");
  AddJsonFlag(create, g);
  create->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCreate(g, *o); }; });

  CLI::App* verify = pkg->add_subcommand("verify", "Decrypt and check every file and the signature; extract nothing");
  verify->footer("Example: custody package verify handover.age -i city-hall.key");
  AddReadOptions(verify, o.get());
  AddJsonFlag(verify, g);
  verify->callback([&g, o, &inv] { inv.run = [&g, o] { return RunVerify(g, *o); }; });

  CLI::App* open = pkg->add_subcommand("open", "Verify and extract a package (all or nothing)");
  open->footer(
      "Example: custody package open handover.age -d received/   (with this station's keys; or -i city-hall.key)");
  AddReadOptions(open, o.get());
  open->add_option("-d,--dir", o->dest, "Destination directory")->required();
  AddJsonFlag(open, g);
  open->callback([&g, o, &inv] { inv.run = [&g, o] { return RunOpen(g, *o); }; });

  CLI::App* show = pkg->add_subcommand("show", "Print the signed manifest");
  show->footer("Example: custody package show handover.age -i city-hall.key");
  AddReadOptions(show, o.get());
  AddJsonFlag(show, g);
  show->callback([&g, o, &inv] { inv.run = [&g, o] { return RunShow(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
