// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/evidence.h"

#include "crypto/encoding.h"
#include "custody/ledger.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace custody {
namespace ledger {

std::string FormatEvidenceBundle(std::string_view entry_bytes, std::string_view tlog_proof) {
  std::string out(kBundleHeader);
  out += "entry " + encoding::Base64Encode(entry_bytes) + "\n\n";
  out += tlog_proof;
  return out;
}

Result<ParsedBundle> ParseEvidenceBundle(std::string_view bundle) {
  if (bundle.substr(0, kBundleHeader.size()) != kBundleHeader) {
    return InvalidArgumentError("not a custody evidence bundle (first line must be \"custody evidence bundle v1\")");
  }
  bundle.remove_prefix(kBundleHeader.size());
  if (bundle.substr(0, 6) != "entry ") return CorruptionError("evidence bundle: missing entry line");
  size_t nl = bundle.find('\n');
  if (nl == std::string_view::npos || bundle.substr(nl, 2) != "\n\n") {
    return CorruptionError("evidence bundle: the entry line must be followed by a blank line");
  }
  auto entry = encoding::Base64Decode(bundle.substr(6, nl - 6));
  if (!entry.ok()) return CorruptionError("evidence bundle: entry is not valid base64");
  return ParsedBundle{std::move(*entry), std::string(bundle.substr(nl + 2))};
}

}  // namespace ledger

Result<LedgerEntry> VerifyEvidenceBundle(std::string_view bundle, std::string_view verifier_key) {
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier verifier, note::ParseVerifierKey(verifier_key));
  CUSTODY_ASSIGN_OR_RETURN(ledger::ParsedBundle parsed, ledger::ParseEvidenceBundle(bundle));
  auto proof = note::ParseTlogProof(parsed.tlog_proof);
  if (!proof.ok()) return CorruptionError("evidence bundle: " + proof.status().message());
  auto text = note::Open(proof->signed_checkpoint, verifier);
  if (!text.ok()) {
    return VerificationFailedError("the checkpoint in this bundle is not signed by " + verifier.name +
                                   " (" + text.status().message() + ")");
  }
  CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint cp, note::ParseCheckpoint(*text));
  if (cp.origin != verifier.name) {
    return VerificationFailedError("checkpoint origin \"" + cp.origin + "\" does not match the key name");
  }
  auto entry = ledger::ParseEntry(parsed.entry_bytes);
  if (!entry.ok()) return VerificationFailedError("bundle entry: " + entry.status().message());
  if (entry->seq != proof->index) {
    return VerificationFailedError("the entry says seq " + std::to_string(entry->seq) +
                                   " but the proof is for index " + std::to_string(proof->index));
  }
  Status s = merkle::VerifyInclusion(proof->index, cp.size, merkle::HashLeaf(parsed.entry_bytes),
                                     proof->path, cp.root_hash);
  if (!s.ok()) {
    return VerificationFailedError("entry " + std::to_string(proof->index) +
                                   " is not in the signed ledger: " + s.message());
  }
  return entry;
}

}  // namespace custody
