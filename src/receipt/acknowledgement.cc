// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Acknowledgements of handover packages: issue (station or one-off key),
// strict parse, verify, import on the sender's station, and the list of
// packages sent. docs/formats/acknowledgement.md is the contract.
#include "custody/acknowledgement.h"

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/canonical_json.h"
#include "common/json_reader.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature_context.h"
#include "custody/ledger.h"
#include "custody/station.h"
#include "ledger/note.h"
#include "receipt/receipt_internal.h"

namespace custody {
namespace {

using Json = nlohmann::json;
using json::JsonReader;

// Why a fixed key name for one-off keys: the name is part of the key ID
// (signed-note), and a one-off key belongs to no log; a constant name makes
// the verifier key self-describing on paper.
constexpr std::string_view kOneOffKeyName = "custody-ack-one-off";

struct ResultTerm {
  AckResult value;
  std::string_view json;
};
constexpr std::array<ResultTerm, 2> kResults{
    {{AckResult::kVerified, "verified"}, {AckResult::kFailed, "failed"}}};
struct SignerTerm {
  AckSigner value;
  std::string_view json;
};
constexpr std::array<SignerTerm, 2> kSigners{
    {{AckSigner::kStation, "station"}, {AckSigner::kOneOff, "one-off"}}};

std::string ResultName(AckResult r) { return r == AckResult::kVerified ? "verified" : "failed"; }
std::string SignerName(AckSigner s) { return s == AckSigner::kStation ? "station" : "one-off"; }

Json BodyJson(const AckBody& b) {
  return {{"package",
           {{"id", b.package_id},
            {"digest", b.package_digest},
            {"sender_organization", b.sender_organization},
            {"sender_verifier_key", b.sender_verifier_key},
            {"file_count", b.file_count},
            {"total_size", b.total_size}}},
          {"received_at", b.received_at},
          {"recipient", {{"name", b.recipient_name}, {"organization", b.recipient_organization}}},
          {"verification", {{"result", ResultName(b.result)}, {"detail", b.detail}}},
          {"remarks", b.remarks}};
}

AckBody ReadBody(JsonReader& r) {
  AckBody b;
  {
    JsonReader p = r.Sub("package");
    b.package_id = p.Str("id");
    b.package_digest = p.Str("digest");
    b.sender_organization = p.Str("sender_organization");
    b.sender_verifier_key = p.Str("sender_verifier_key");
    b.file_count = p.Uint("file_count");
    b.total_size = p.Uint("total_size");
  }
  b.received_at = r.Str("received_at");
  {
    JsonReader p = r.Sub("recipient");
    b.recipient_name = p.Str("name");
    b.recipient_organization = p.Str("organization");
  }
  {
    JsonReader p = r.Sub("verification");
    b.result = p.Enum("result", kResults);
    b.detail = p.Str("detail");
  }
  b.remarks = r.Str("remarks");
  return b;
}

// What is signed: the body and who signs it (kind and key), so a station
// signature can never be passed off as a one-off one or the reverse.
Result<std::string> SigningMessage(const SignedAck& a) {
  Json signed_part = {
      {"body", BodyJson(a.body)},
      {"signer", {{"kind", SignerName(a.signer)}, {"verifier_key", a.signer_verifier_key}}}};
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(signed_part));
  return crypto::ContextMessage(crypto::kPackageAckContext, canonical);
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status ValidateBody(const AckBody& b) {
  std::vector<std::string> bad;
  if (b.package_id.empty()) bad.push_back("package id");
  if (!IsSha256Hex(b.package_digest)) bad.push_back("package digest (64 lowercase hex)");
  if (!receipt::IsUtcTime(b.received_at)) bad.push_back("received_at (RFC 3339 UTC)");
  if (b.recipient_name.empty()) bad.push_back("受領者 recipient name");
  if (b.result == AckResult::kFailed && b.detail.empty()) bad.push_back("detail of the failure");
  if (bad.empty()) return Status::Ok();
  std::string msg = "the acknowledgement cannot be made: missing or invalid";
  for (size_t i = 0; i < bad.size(); ++i) msg += (i ? ", " : " ") + bad[i];
  return InvalidArgumentError(msg);
}

Result<std::string> AckDigest(std::string_view text) { return crypto::Sha256Hex(text); }

}  // namespace

Result<SignedAck> IssueStationAck(Station& station, std::string_view op, AckBody body) {
  CUSTODY_RETURN_IF_ERROR(ValidateBody(body));
  SignedAck a;
  a.body = std::move(body);
  a.signer = AckSigner::kStation;
  a.signer_verifier_key = station.config().verifier_key;
  CUSTODY_ASSIGN_OR_RETURN(std::string message, SigningMessage(a));
  Json data = {{"package_id", a.body.package_id},
               {"digest", a.body.package_digest},
               {"result", ResultName(a.body.result)},
               {"sender_organization", a.body.sender_organization},
               {"signed_sha256", crypto::Sha256Hex(message)}};
  CUSTODY_ASSIGN_OR_RETURN(std::string data_json, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station.Record(kAckIssuedEvent, op, data_json));
  CUSTODY_ASSIGN_OR_RETURN(a.signature, station.Sign(message));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(a.evidence_bundle, ledger->EvidenceBundle(e.seq));
  return a;
}

Result<SignedAck> IssueOneOffAck(AckBody body) {
  CUSTODY_RETURN_IF_ERROR(ValidateBody(body));
  SignedAck a;
  a.body = std::move(body);
  a.signer = AckSigner::kOneOff;
  CUSTODY_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair kp, crypto::Ed25519Generate());
  a.signer_verifier_key = note::FormatVerifierKey(kOneOffKeyName, kp.public_key);
  CUSTODY_ASSIGN_OR_RETURN(std::string message, SigningMessage(a));
  CUSTODY_ASSIGN_OR_RETURN(a.signature, crypto::Ed25519Sign(kp.seed, message));
  return a;  // kp.seed (SecretString) is wiped as it goes out of scope.
}

Result<std::string> SerializeAck(const SignedAck& a) {
  if (a.signature.size() != crypto::kEd25519SignatureSize)
    return InvalidArgumentError("an acknowledgement signature is 64 bytes");
  Json file = {
      {"format", std::string(kAcknowledgementFormat)},
      {"body", BodyJson(a.body)},
      {"signer", {{"kind", SignerName(a.signer)}, {"verifier_key", a.signer_verifier_key}}},
      {"signature", encoding::Base64Encode(a.signature)},
      {"evidence", a.evidence_bundle}};
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(file));
  return canonical + "\n";
}

Result<SignedAck> ParseAck(std::string_view text) {
  if (text.empty()) return TruncatedError("the acknowledgement file is empty");
  if (text.back() != '\n')
    return TruncatedError(
        "the acknowledgement ends early (no final newline): the file is truncated");
  std::string_view body = text.substr(0, text.size() - 1);
  auto parsed = json::ParseStrict(body);
  if (!parsed.ok())
    return CorruptionError("not a custody acknowledgement: " + parsed.status().message());
  if (!json::IsCanonical(body))
    return CorruptionError("the acknowledgement is not in canonical JSON form (was it edited?)");
  const Json& j = *parsed;
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kAcknowledgementFormat)
    return CorruptionError("not a custody acknowledgement (format is not " +
                           std::string(kAcknowledgementFormat) + ")");
  std::string error, sig_b64;
  SignedAck a;
  {
    JsonReader top(j, "acknowledgement", &error);
    top.Str("format");
    JsonReader b = top.Sub("body");
    a.body = ReadBody(b);
    JsonReader s = top.Sub("signer");
    a.signer = s.Enum("kind", kSigners);
    a.signer_verifier_key = s.Str("verifier_key");
    sig_b64 = top.Str("signature");
    a.evidence_bundle = top.Str("evidence");
  }
  if (!error.empty()) return CorruptionError("malformed acknowledgement: " + error);
  auto sig = encoding::Base64Decode(sig_b64);
  if (!sig.ok() || sig->size() != crypto::kEd25519SignatureSize)
    return CorruptionError("malformed acknowledgement: the signature is not 64 bytes of base64");
  a.signature = std::move(*sig);
  CUSTODY_ASSIGN_OR_RETURN(std::string again, SerializeAck(a));
  if (again != text) return CorruptionError("malformed acknowledgement: it does not round-trip");
  return a;
}

Status VerifyAck(const SignedAck& a, std::string_view pinned) {
  if (!pinned.empty() && a.signer_verifier_key != pinned)
    return VerificationFailedError("the acknowledgement is signed by " + a.signer_verifier_key +
                                   ", not by the key given (" + std::string(pinned) +
                                   "): compare with the key on the paper copy");
  auto v = note::ParseVerifierKey(a.signer_verifier_key);
  if (!v.ok())
    return VerificationFailedError("the signer key is malformed: " + v.status().message());
  if (a.signer == AckSigner::kOneOff && v->name != kOneOffKeyName)
    return VerificationFailedError("a one-off acknowledgement key must be named " +
                                   std::string(kOneOffKeyName));
  CUSTODY_ASSIGN_OR_RETURN(std::string message, SigningMessage(a));
  if (!crypto::Ed25519Verify(v->public_key, message, a.signature))
    return VerificationFailedError(
        "the acknowledgement's signature does not verify: it was changed after signing");
  if (a.signer == AckSigner::kOneOff) {
    if (!a.evidence_bundle.empty())
      return VerificationFailedError("a one-off acknowledgement carries no ledger evidence");
    return Status::Ok();
  }
  auto entry = VerifyEvidenceBundle(a.evidence_bundle, a.signer_verifier_key);
  if (!entry.ok()) return entry.status().WithContext("the acknowledgement's ledger evidence");
  auto data = json::ParseStrict(entry->data_json);
  if (entry->type != kAckIssuedEvent || !data.ok() || !data->is_object() ||
      data->value("signed_sha256", "") != crypto::Sha256Hex(message))
    return VerificationFailedError(
        "the acknowledgement's evidence is for another ledger entry (not its package.ack-issued)");
  return Status::Ok();
}

Result<ImportedAck> ImportAck(Station& station, std::string_view op, std::string_view ack_file,
                              std::string_view pinned) {
  // The PDF printed by `custody receipt ack` carries the signed ACK file in
  // its metadata: that file is what is verified and recorded (same digest,
  // so importing the PDF after the JSON is a second import).
  std::string_view text = ack_file;
  std::string carried;
  if (receipt::IsPdf(ack_file)) {
    CUSTODY_ASSIGN_OR_RETURN(receipt::PdfRecord r, receipt::ReadPdfRecord(ack_file, "acknowledgement"));
    carried = std::move(r.record);
    text = carried;
  }
  CUSTODY_ASSIGN_OR_RETURN(SignedAck a, ParseAck(text));
  if (a.signer == AckSigner::kOneOff && pinned.empty())
    return InvalidArgumentError(
        "this acknowledgement is signed with a one-off key: give the key written on the paper copy "
        "with --signer-key, so that a forged acknowledgement cannot pass");
  CUSTODY_RETURN_IF_ERROR(VerifyAck(a, pinned));
  CUSTODY_ASSIGN_OR_RETURN(std::string ack_digest, AckDigest(text));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  std::optional<LedgerEntry> created;
  bool seen = false;
  Status inner;
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (e.type != kPackageCreatedEvent && e.type != kPackageAcknowledgedEvent) return true;
    auto d = json::ParseStrict(e.data_json);
    if (!d.ok() || !d->is_object()) return true;
    if (e.type == kPackageCreatedEvent && d->value("package_id", "") == a.body.package_id)
      created = e;
    if (e.type == kPackageAcknowledgedEvent && d->value("ack_sha256", "") == ack_digest)
      seen = true;
    return true;
  }));
  if (!created)
    return NotFoundError("this station sent no package " + a.body.package_id +
                         " (no package.created entry): the acknowledgement is for another sender");
  auto cd = json::ParseStrict(created->data_json);
  std::string sent_digest = cd.ok() ? cd->value("digest", "") : "";
  if (sent_digest != a.body.package_digest)
    return VerificationFailedError("the acknowledgement names package " + a.body.package_id +
                                   " with digest " + a.body.package_digest +
                                   ", but the package sent (ledger entry " +
                                   std::to_string(created->seq) + ") has digest " + sent_digest +
                                   ": it acknowledges a different package");
  if (a.body.sender_verifier_key != station.config().verifier_key)
    return VerificationFailedError("the acknowledgement names sender key " +
                                   a.body.sender_verifier_key + ", not this station's");
  if (seen) return AlreadyExistsError("this acknowledgement was imported before");
  Json data = {{"package_id", a.body.package_id},
               {"digest", a.body.package_digest},
               {"package_entry", created->seq},
               {"ack_sha256", ack_digest},
               {"signer_kind", SignerName(a.signer)},
               {"signer_verifier_key", a.signer_verifier_key},
               {"recipient_name", a.body.recipient_name},
               {"recipient_organization", a.body.recipient_organization},
               {"received_at", a.body.received_at},
               {"result", ResultName(a.body.result)},
               {"detail", a.body.detail}};
  CUSTODY_ASSIGN_OR_RETURN(std::string data_json, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station.Record(kPackageAcknowledgedEvent, op, data_json));
  if (a.body.result == AckResult::kFailed)
    return FailedPreconditionError("recorded (ledger entry " + std::to_string(e.seq) +
                                   "), but the recipient reports that "
                                   "the package did NOT verify: " +
                                   a.body.detail + ". Send it again.");
  return ImportedAck{std::move(a), created->seq, e.seq};
}

Result<std::vector<SentPackage>> ListSentPackages(Station& station) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  std::vector<SentPackage> out;
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (e.type != kPackageCreatedEvent && e.type != kPackageAcknowledgedEvent) return true;
    auto d = json::ParseStrict(e.data_json);
    if (!d.ok() || !d->is_object()) return true;
    if (e.type == kPackageCreatedEvent) {
      SentPackage p;
      p.entry = e.seq;
      p.time = e.time;
      p.package_id = d->value("package_id", "");
      p.digest = d->value("digest", "");
      p.recipient_organization = d->value("recipient_organization", "");
      p.purpose = d->value("purpose", "");
      p.file_count = d->value("file_count", uint64_t{0});
      out.push_back(std::move(p));
      return true;
    }
    for (SentPackage& p : out) {
      if (p.package_id != d->value("package_id", "") || p.digest != d->value("digest", ""))
        continue;
      p.acknowledged = true;
      p.failed = d->value("result", "") != "verified";
      p.ack_entry = e.seq;
      p.ack_received_at = d->value("received_at", "");
      p.ack_recipient = d->value("recipient_name", "");
    }
    return true;
  }));
  return out;
}

Result<std::string> AckKeyFingerprint(std::string_view verifier_key) {
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier v, note::ParseVerifierKey(verifier_key));
  std::string h = crypto::Sha256Hex(v.public_key).substr(0, 16);
  char id[16];
  std::snprintf(id, sizeof id, "%08x", v.key_id);
  return std::string(id) + "/" + h.substr(0, 4) + "-" + h.substr(4, 4) + "-" + h.substr(8, 4) +
         "-" + h.substr(12, 4);
}

}  // namespace custody
