// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Acknowledgements of handover packages (受領書, docs/formats/acknowledgement.md):
// the recipient states, signed, which package (ID and manifest digest) it
// received, who received it and when, and whether every file verified; the
// sender imports it, checks it against the package it sent and records
// `package.acknowledged`. Registers and `custody package status` read those
// entries.
//
// Signed either by the recipient's station key (and then anchored in the
// recipient's ledger with an evidence bundle), or by a one-off Ed25519 key
// generated for this acknowledgement when the recipient has no station; the
// one-off key's seed is wiped right after signing, and its verifier key is
// what the recipient writes on the paper copy for the sender to compare.
//
// Thread safety: plain values and free functions; a Station is used by one
// thread at a time.
#ifndef CUSTODY_ACKNOWLEDGEMENT_H_
#define CUSTODY_ACKNOWLEDGEMENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custody/status.h"

namespace custody {

class Station;

inline constexpr std::string_view kAcknowledgementFormat = "custody-package-ack-v1";
inline constexpr std::string_view kAckIssuedEvent = "package.ack-issued";
inline constexpr std::string_view kPackageAcknowledgedEvent = "package.acknowledged";
inline constexpr std::string_view kPackageCreatedEvent = "package.created";

enum class AckResult { kVerified, kFailed };
enum class AckSigner { kStation, kOneOff };

struct AckBody {
  std::string package_id;      // The manifest's package ID.
  std::string package_digest;  // SHA-256 hex of custody/manifest.json.
  std::string sender_organization, sender_verifier_key;
  uint64_t file_count = 0, total_size = 0;
  std::string received_at;  // RFC 3339 UTC.
  std::string recipient_name, recipient_organization;
  AckResult result = AckResult::kVerified;
  std::string detail;  // Why verification failed ("file X was modified"), or "".
  std::string remarks;
};

struct SignedAck {
  AckBody body;
  AckSigner signer = AckSigner::kStation;
  std::string signer_verifier_key;  // C2SP verifier key.
  std::string signature;            // 64 bytes.
  std::string evidence_bundle;      // Station-signed only: the package.ack-issued entry.
};

// Station-signed: records `package.ack-issued` on the recipient's station,
// signs, attaches the entry's evidence bundle.
Result<SignedAck> IssueStationAck(Station& station, std::string_view operator_name, AckBody body);
// One-off key: generates a key, signs, wipes the seed. Records nothing.
Result<SignedAck> IssueOneOffAck(AckBody body);

Result<std::string> SerializeAck(const SignedAck& ack);
// Strict (canonical, every member, nothing unknown, round-trips).
Result<SignedAck> ParseAck(std::string_view text);

// Verifies the signature (and, for a station ack, the evidence bundle and
// its entry). If `pinned_signer_key` is non-empty the signer key must equal
// it (a one-off ack: the key on the paper copy). kVerificationFailed.
Status VerifyAck(const SignedAck& ack, std::string_view pinned_signer_key);

struct ImportedAck {
  SignedAck ack;
  uint64_t package_entry = 0;   // The sender's package.created entry.
  uint64_t recorded_entry = 0;  // The package.acknowledged entry.
};

// Sender side: parses and verifies `ack_text` (the ACK file, or the PDF
// RenderAckPdf made: the ACK file it carries is what counts), finds the package.created entry
// for its package ID in the sender's ledger and requires the same digest,
// refuses an acknowledgement imported before, then records
// `package.acknowledged` (result included). kNotFound: no such package sent;
// kVerificationFailed: different package or bad signature; kAlreadyExists:
// imported before. An ack whose result is `failed` is recorded, then
// reported as kFailedPrecondition so that scripts notice.
Result<ImportedAck> ImportAck(Station& station, std::string_view operator_name,
                              std::string_view ack_text, std::string_view pinned_signer_key);

// A package sent (package.created) and its acknowledgements, from the ledger.
struct SentPackage {
  uint64_t entry = 0;
  std::string time, package_id, digest, recipient_organization, purpose;
  uint64_t file_count = 0;
  bool acknowledged = false;
  bool failed = false;  // Acknowledged with result failed.
  uint64_t ack_entry = 0;
  std::string ack_received_at, ack_recipient;
};
Result<std::vector<SentPackage>> ListSentPackages(Station& station);

// The paper copy (受領書): A4, the package ID and manifest digest, sender,
// files and size, who received it and when, the verification result (a
// failed one in a warning box), the signer's verifier key and fingerprint
// (for a one-off key: to be stated on paper), a seal box for the recipient
// and the QR code "custody-ack:1:<package id>:<SHA-256 of the ACK.json
// bytes>". The PDF's Keywords carry that QR payload, the language and the
// whole ACK.json (base64), as receipts do. `language`: "ja", "en" or "ja+en".
// Deterministic (dated by received_at). kInvalidArgument for another
// language; kUnsupported without the fonts.
Result<std::string> RenderAckPdf(const SignedAck& ack, std::string_view language);
std::string AckQrPayload(std::string_view package_id, std::string_view ack_file_sha256_hex);

// A short form of a verifier key for paper: its key ID and the first 16 hex
// of SHA-256(public key), "1a2b3c4d/0011-2233-4455-6677".
Result<std::string> AckKeyFingerprint(std::string_view verifier_key);

}  // namespace custody

#endif  // CUSTODY_ACKNOWLEDGEMENT_H_
