// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The ledger: an append-only, signed, tamper-evident record of every step
// custody performs. Entries are canonical JSON (RFC 8785 profile), leaves of
// an RFC 9162 Merkle tree; after every append the station signs a C2SP
// tlog-checkpoint as a C2SP signed note. See docs/formats/ledger.md.
//
// Storage is SQLite (WAL, synchronous=FULL). Each Append is one transaction
// holding the entry, the tree nodes it completes and the new signed
// checkpoint, so a crash leaves either all of it or none of it.
//
// Thread and process safety: several processes (and threads, each with its
// own Ledger object) may append to one ledger file at once; appends are
// serialized by SQLite's write lock, sequence numbers have no gaps and no
// entry is lost. A single Ledger object is not safe for concurrent use.
#ifndef CUSTODY_LEDGER_H_
#define CUSTODY_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody {

class Env;

struct LedgerEntry {
  uint64_t seq = 0;          // 0-based, equals the Merkle leaf index.
  std::string time;          // RFC 3339 UTC, e.g. "2026-11-23T04:05:06Z".
  std::string type;          // e.g. "wipe.completed".
  std::string operator_name; // Who did it.
  std::string data_json;     // Canonical JSON object of the event's data.
  std::string canonical;     // The exact bytes hashed into the tree.
};

// The station's signing identity as the ledger needs it.
struct LedgerSigner {
  std::string origin;  // Checkpoint origin = signed-note key name.
  SecretString seed;   // Ed25519 seed.
};

struct LedgerVerifyReport {
  uint64_t entries = 0;
  std::string root_hash_hex;
  std::string checkpoint;  // The latest signed checkpoint that verified.
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Opens (creating if `create`) the ledger database at `path`. The signer is
  // needed to append; a read-only auditor may pass std::nullopt.
  // `verifier_key` is the C2SP verifier key string used to check stored
  // checkpoints.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& path, bool create,
                                              std::optional<LedgerSigner> signer,
                                              std::string verifier_key, Env* env);

  // Appends one entry. `data_json` must be a JSON object without floats; it is
  // canonicalized. `type` is dotted lower-case ("package.created"). Returns
  // the stored entry once it and its signed checkpoint are durable.
  virtual Result<LedgerEntry> Append(std::string_view type, std::string_view operator_name,
                                     std::string_view data_json) = 0;

  virtual Result<uint64_t> Size() = 0;
  virtual Result<LedgerEntry> Get(uint64_t seq) = 0;
  // Calls `fn` for entries in seq order starting at `from`, without holding
  // them all in memory. Stops early (and returns OK) if fn returns false.
  virtual Status Scan(uint64_t from, const std::function<bool(const LedgerEntry&)>& fn) = 0;

  // The latest signed checkpoint (a C2SP signed note).
  virtual Result<std::string> LatestCheckpoint() = 0;
  // A C2SP tlog-proof for entry `seq` against the latest checkpoint. The
  // proof is checked against the checkpoint before it is returned.
  virtual Result<std::string> ProveInclusion(uint64_t seq) = 0;
  // The evidence bundle for entry `seq` (docs/formats/evidence-bundle.md):
  // the entry's exact bytes plus ProveInclusion(seq).
  virtual Result<std::string> EvidenceBundle(uint64_t seq) = 0;

  // Full recomputation: every entry's canonical form, seq continuity, the
  // tree, and every stored checkpoint's signature and root. If
  // `kept_checkpoint` is given (a signed note an auditor kept earlier), also
  // proves that the current tree extends it (no truncation, no fork).
  // Failures name the first offending entry.
  virtual Result<LedgerVerifyReport> Verify(
      std::optional<std::string_view> kept_checkpoint = std::nullopt) = 0;
};

// Writes an auditor's copy of the ledger into `dir` (created 0700):
// entries.jsonl (one canonical entry per line), checkpoint (the latest signed
// checkpoint), verifier-key, and README.md saying how to check them.
Status ExportLedger(Ledger& ledger, const std::string& verifier_key, const std::string& dir, Env* env);

// Verifies an evidence bundle (entry bytes + C2SP tlog-proof) offline with
// nothing but the verifier key. Returns the entry on success.
Result<LedgerEntry> VerifyEvidenceBundle(std::string_view bundle, std::string_view verifier_key);

}  // namespace custody

#endif  // CUSTODY_LEDGER_H_
