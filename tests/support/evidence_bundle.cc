// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "support/evidence_bundle.h"

#include <stdexcept>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "ledger/note.h"

namespace custody {

TestEvidenceLog::TestEvidenceLog(std::string origin, const std::string& seed_label)
    : origin_(std::move(origin)), seed_(crypto::Sha256Bytes(seed_label)) {}

void TestEvidenceLog::Append(const std::string& entry) {
  entries_.push_back(entry);
  std::vector<std::pair<merkle::NodeId, merkle::Hash>> completed;
  range_.Append(merkle::HashLeaf(entry), &completed);
  for (auto& [id, h] : completed) nodes_[id] = h;
}

std::string TestEvidenceLog::VerifierKey() const {
  return note::FormatVerifierKey(origin_, crypto::Ed25519PublicKey(seed_).value());
}

std::string TestEvidenceLog::SignedCheckpoint() const {
  note::Checkpoint c{origin_, range_.size(), range_.Root(), {}};
  auto signed_note = note::Sign(note::FormatCheckpoint(c), origin_, seed_);
  if (!signed_note.ok()) throw std::runtime_error(signed_note.status().ToString());
  return *signed_note;
}

std::vector<merkle::Hash> TestEvidenceLog::Path(uint64_t index) const {
  merkle::NodeReader read = [this](const std::vector<merkle::NodeId>& ids) {
    std::vector<merkle::Hash> out;
    for (const auto& id : ids) out.push_back(nodes_.at(id));
    return Result<std::vector<merkle::Hash>>(std::move(out));
  };
  auto path = merkle::InclusionProof(index, range_.size(), read);
  if (!path.ok()) throw std::runtime_error(path.status().ToString());
  return *path;
}

std::string TestEvidenceLog::FormatBundle(const std::string& entry, const std::string& tlog_proof) {
  return "custody evidence bundle v1\nentry " + encoding::Base64Encode(entry) + "\n\n" + tlog_proof;
}

std::string TestEvidenceLog::Bundle(uint64_t index, const std::string& extra) const {
  note::TlogProof p{extra, index, Path(index), SignedCheckpoint()};
  return FormatBundle(entries_.at(index), note::FormatTlogProof(p));
}

}  // namespace custody
