// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody receipt ack PKG: the recipient's signed acknowledgement (受領書) of a
// handover package (docs/formats/acknowledgement.md). Registers under the
// `receipt` command of src/cli/receipt.cc.
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "common/time_util.h"
#include "custody/acknowledgement.h"
#include "custody/env.h"
#include "custody/package.h"
#include "custody/receipt.h"

namespace custody::cli {
namespace {

struct AckOptions {
  std::string package, output, received_at, recipient, recipient_org, sender_key, remarks, pdf;
  std::string lang = "ja";
  std::vector<std::string> identity_files;
  bool one_off = false;
  SecretSource secret;
};

Status RunAck(const GlobalOptions& g, const AckOptions& o) {
  Env* env = Env::Default();
  // Checked before anything is signed or recorded.
  CUSTODY_RETURN_IF_ERROR(ParseDocumentLanguage(o.lang).status());
  if (!o.pdf.empty() && env->FileExists(o.pdf))
    return OwnError(StatusCode::kAlreadyExists, N_("%s exists; choose another --pdf"), {o.pdf});
  CUSTODY_ASSIGN_OR_RETURN(PackageKeys keys, LoadPackageKeys(g, o.identity_files, o.secret));
  VerifyPackageOptions vopts;
  if (!o.sender_key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(vopts.expected_sender_key, ReadVerifierKeyArg(o.sender_key));
  }
  AckBody body;
  auto verified = VerifyPackage(o.package, keys, vopts);
  VerifiedPackage v;
  if (verified.ok()) {
    v = std::move(*verified);
    body.result = AckResult::kVerified;
  } else if (verified.status().code() == StatusCode::kVerificationFailed ||
             verified.status().code() == StatusCode::kTruncated) {
    // The files do not match the signed manifest: acknowledge what arrived,
    // as failed, so the sender learns of it. The manifest itself must still
    // carry a valid signature, or there is nothing to name.
    auto manifest = ReadManifest(o.package, keys, vopts);
    if (!manifest.ok()) return verified.status().WithContext("the package cannot be acknowledged");
    v = std::move(*manifest);
    body.result = AckResult::kFailed;
    body.detail = verified.status().message();
  } else {
    return verified.status().WithContext("the package cannot be acknowledged");
  }
  body.package_id = v.manifest.package_id;
  body.package_digest = v.digest;
  body.sender_organization = v.manifest.sender_organization;
  body.sender_verifier_key = v.manifest.sender_verifier_key;
  body.file_count = v.file_count;
  body.total_size = v.manifest.total_size;
  if (o.received_at.empty()) {
    body.received_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  } else {
    CUSTODY_ASSIGN_OR_RETURN(int64_t t, timeutil::ParseTime(o.received_at));
    body.received_at = timeutil::FormatRfc3339Utc(t);
  }
  body.recipient_name = o.recipient;
  body.recipient_organization = o.recipient_org;
  body.remarks = o.remarks;
  SignedAck ack;
  if (o.one_off) {
    if (body.recipient_name.empty())
      return OwnError(StatusCode::kInvalidArgument, N_("--recipient NAME is required with --one-off-key"), {});
    CUSTODY_ASSIGN_OR_RETURN(ack, IssueOneOffAck(body));
  } else {
    auto station = OpenStation(g);
    if (!station.ok())
      return FailedPreconditionError(
          "no station here (" + station.status().message() +
          "): sign with --one-off-key and write its key on the paper copy");
    CUSTODY_ASSIGN_OR_RETURN(std::string op, (*station)->ResolveOperator(g.operator_));
    if (body.recipient_name.empty()) body.recipient_name = op;
    if (body.recipient_organization.empty())
      body.recipient_organization = (*station)->config().organization;
    CUSTODY_ASSIGN_OR_RETURN(ack, IssueStationAck(**station, op, body));
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string text, SerializeAck(ack));
  std::string out = o.output.empty() ? "ACK-" + body.package_id + ".json" : o.output;
  if (env->FileExists(out)) return AlreadyExistsError(out + " exists; choose another -o");
  std::string pdf;
  if (!o.pdf.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(pdf, RenderAckPdf(ack, o.lang));
  }
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(out, text, 0644));
  if (!o.pdf.empty()) {
    CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(o.pdf, pdf, 0644));
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string fp, AckKeyFingerprint(ack.signer_verifier_key));
  if (g.json) {
    PrintLine(
        nlohmann::json({{"file", out},
                        {"package_id", body.package_id},
                        {"digest", body.package_digest},
                        {"result", body.result == AckResult::kVerified ? "verified" : "failed"},
                        {"signer_verifier_key", ack.signer_verifier_key},
                        {"fingerprint", fp},
                        {"pdf", o.pdf}})
            .dump());
  } else {
    PrintLine(Format(_("acknowledgement of package %s written to %s (%s)"),
                     {body.package_id, out,
                      body.result == AckResult::kVerified
                          ? std::string(_("every file verified"))
                          : std::string(_("VERIFICATION FAILED")) + ": " + body.detail}));
    if (!o.pdf.empty()) PrintLine(Format(_("paper copy (受領書) to sign and send: %s"), o.pdf));
    PrintLine(std::string(_("signer key:")) + " " + ack.signer_verifier_key);
    PrintLine(std::string(_("fingerprint")) + ": " + fp);
    if (o.one_off)
      PrintLine(
          _("Write the signer key (at least the fingerprint) on the signed paper copy: the sender "
            "checks it with custody receipt import --signer-key. The one-off private key is "
            "already destroyed."));
  }
  if (body.result == AckResult::kFailed)
    return VerificationFailedError("the package did not verify: " + body.detail +
                                   " (the acknowledgement says so; send it to the sender)");
  return Status::Ok();
}

// After src/cli/receipt.cc (order 40), so that `receipt` exists.
CommandRegistration reg(41, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  CLI::App* receipt = app.get_subcommand("receipt");
  auto o = std::make_shared<AckOptions>();
  CLI::App* ack =
      receipt->add_subcommand("ack", "Sign an acknowledgement (受領書) of a package received");
  ack->footer(
      "Example: custody receipt ack handover.age -i city.key -o ACK.json   (no station: "
      "--one-off-key --recipient 佐藤花子)");
  ack->add_option("package", o->package, "The package file received")->required();
  ack->add_option("-i,--identity", o->identity_files, "age identity file; repeatable");
  ack->add_option("--sender-key", o->sender_key,
                  "The sender's verifier key (string or file): the manifest must be signed by it");
  ack->add_option("--received-at", o->received_at, "受領日時 (RFC 3339; default now)");
  ack->add_option("--recipient", o->recipient, "受領者 (default: the operator)");
  ack->add_option("--recipient-org", o->recipient_org,
                  "受領者の所属 (default: the station's organization)");
  ack->add_option("--remarks", o->remarks, "備考");
  ack->add_flag("--one-off-key", o->one_off,
                "Sign with a fresh key (no station); write its key on the paper copy");
  ack->add_option("-o,--output", o->output, "Output file (default ACK-<package id>.json)");
  ack->add_option("--pdf", o->pdf,
                  "Also write the paper copy (受領書) to this PDF: seal box, signer key and "
                  "fingerprint, QR code");
  ack->add_option("--lang", o->lang, "PDF language: ja (default), en, ja+en");
  o->secret.AddOptions(ack, "package passphrase");
  AddJsonFlag(ack, g);
  ack->callback([&g, o, &inv] { inv.run = [&g, o] { return RunAck(g, *o); }; });
});

}  // namespace

}  // namespace custody::cli
