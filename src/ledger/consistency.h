// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Consistency proofs between two checkpoints of one ledger (RFC 9162
// §2.1.4), as a small text file (docs/formats/evidence-bundle.md,
// "Consistency proofs"):
//   custody consistency proof v1\n
//   old <size>\n
//   new <size>\n
//   <base64 of one 32-byte hash>\n   (zero or more, in proof order)
// The file carries no roots and no signature: the roots come from the two
// signed checkpoints it links (e.g. a certificate's ledger anchor and a
// checkpoint the municipality kept), so a wrong or forged proof can only fail.
#ifndef CUSTODY_SRC_LEDGER_CONSISTENCY_H_
#define CUSTODY_SRC_LEDGER_CONSISTENCY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custody/ledger.h"
#include "custody/status.h"

namespace custody::ledger {

inline constexpr std::string_view kConsistencyHeader = "custody consistency proof v1\n";

struct ConsistencyProofFile {
  uint64_t old_size = 0, new_size = 0;
  std::vector<std::string> hashes;  // 32 bytes each.
};

std::string FormatConsistencyProof(const ConsistencyProofFile& proof);
// Strict: header, "old N", "new M" (no leading zeros, N <= M), canonical
// base64 hashes of 32 bytes, final newline, no CR. kCorruption otherwise.
Result<ConsistencyProofFile> ParseConsistencyProof(std::string_view text);

// The proof that the first `new_size` entries of `ledger` extend its first
// `old_size` entries, computed from the entries themselves (not from the
// node table, which Verify does not trust). kNotFound if the ledger has
// fewer than `new_size` entries; kInvalidArgument if old_size > new_size.
Result<ConsistencyProofFile> ProveConsistency(Ledger& ledger, uint64_t old_size, uint64_t new_size);

// RFC 9162 verification of `proof` between the roots of two checkpoints of
// the sizes it names. kVerificationFailed (the roots are not of one history:
// a fork, a rewritten ledger or another ledger) or kInvalidArgument.
Status VerifyConsistencyProof(const ConsistencyProofFile& proof, std::string_view old_root,
                              std::string_view new_root);

}  // namespace custody::ledger

#endif  // CUSTODY_SRC_LEDGER_CONSISTENCY_H_
