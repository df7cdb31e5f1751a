// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Test-only producer of custody evidence bundles (docs/formats/evidence-bundle.md):
//   custody evidence bundle v1
//   entry <base64 of the entry bytes>
//   <blank line>
//   <C2SP tlog-proof, ending with the signed checkpoint>
// built directly from the Merkle and note primitives, in memory. The ledger's
// real producer lives in src/ledger; this one lets the auditor script and
// the primitives be tested on their own.
#ifndef CUSTODY_TESTS_SUPPORT_EVIDENCE_BUNDLE_H_
#define CUSTODY_TESTS_SUPPORT_EVIDENCE_BUNDLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "custody/secret.h"
#include "ledger/merkle.h"

namespace custody {

class TestEvidenceLog {
 public:
  // `seed_label` derives a deterministic test key: SHA-256(label).
  TestEvidenceLog(std::string origin, const std::string& seed_label);
  void Append(const std::string& entry);
  uint64_t size() const { return entries_.size(); }
  const std::string& origin() const { return origin_; }
  std::string VerifierKey() const;
  // The signed checkpoint of the current tree (signed by this log's key).
  std::string SignedCheckpoint() const;
  // The bundle for entry `index` against the current checkpoint.
  std::string Bundle(uint64_t index, const std::string& extra = "") const;

  // The pieces, for tests that tamper with them.
  static std::string FormatBundle(const std::string& entry, const std::string& tlog_proof);
  std::vector<merkle::Hash> Path(uint64_t index) const;
  const SecretString& seed() const { return seed_; }

 private:
  std::string origin_;
  SecretString seed_;
  std::vector<std::string> entries_;
  merkle::CompactRange range_;
  std::map<merkle::NodeId, merkle::Hash> nodes_;
};

}  // namespace custody

#endif  // CUSTODY_TESTS_SUPPORT_EVIDENCE_BUNDLE_H_
