// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// C2SP signed-note v1.0.0 with Ed25519 signatures, and C2SP tlog-checkpoint
// v1.0.0 bodies, and the C2SP tlog-proof (evidence bundle) text format.
// Parsing is strict: a note that a conforming verifier would reject (CRLF, no
// final newline, bad base64, leading zeros in the size, "--" instead of the
// em dash "—", ...) is refused here too.
#ifndef CUSTODY_SRC_LEDGER_NOTE_H_
#define CUSTODY_SRC_LEDGER_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody::note {

// A verifier key: name, 4-byte key ID and Ed25519 public key.
struct Verifier {
  std::string name;
  uint32_t key_id = 0;
  std::string public_key;  // 32 bytes.
};

// key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || pub).
uint32_t KeyId(std::string_view name, std::string_view public_key);
// "name+hex8+base64(0x01 || pub)".
std::string FormatVerifierKey(std::string_view name, std::string_view public_key);
// kInvalidArgument unless: valid key name, 8 lowercase hex digits equal to
// KeyId, canonical base64 of 0x01 || 32 bytes; kUnsupported for other types.
Result<Verifier> ParseVerifierKey(std::string_view vkey);

// Signs `text` (must end in "\n", no CRLF) and returns the full note:
// text, a blank line, and "— name base64(keyid || sig)\n".
Result<std::string> Sign(std::string_view text, std::string_view name, const SecretString& seed);

// Checks that `note` carries a valid signature by `verifier` and returns the
// text part. Other signatures (unknown keys) are ignored as the spec says;
// kVerificationFailed if none by `verifier` verifies, or if one by `verifier`
// fails (the note was altered). kInvalidArgument if the note is malformed
// (CRLF, no final newline, "--" for "—", bad base64, bad key name, more than
// 100 signatures, two signatures by `verifier`).
Result<std::string> Open(std::string_view note, const Verifier& verifier);

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root_hash;                // 32 bytes.
  std::vector<std::string> extensions;  // Extension lines, without "\n".
};
std::string FormatCheckpoint(const Checkpoint& c);  // The note text (body).
// Strict: at least 3 lines, no empty line, size without leading zeros or
// sign, canonical base64 root of 32 bytes, final newline, no CR.
Result<Checkpoint> ParseCheckpoint(std::string_view text);
// Open() + ParseCheckpoint() + our profile's rule that the origin equals the
// verifier's key name (kVerificationFailed otherwise).
Result<Checkpoint> OpenCheckpoint(std::string_view signed_checkpoint, const Verifier& verifier);

// C2SP tlog-proof: "c2sp.org/tlog-proof@v1", optional "extra <b64>",
// "index N", the inclusion path (base64 hashes), a blank line, and the
// signed checkpoint.
struct TlogProof {
  std::string extra;  // Opaque bytes carried in the "extra" line; may be empty.
  uint64_t index = 0;
  std::vector<std::string> path;  // 32-byte hashes.
  std::string signed_checkpoint;  // A full signed note.
};
std::string FormatTlogProof(const TlogProof& p);  // "extra" line only if extra is non-empty.
// Parses the format only; the checkpoint is not verified (VerifyTlogProof).
Result<TlogProof> ParseTlogProof(std::string_view text);
// Full offline check of a proof for the leaf with hash `leaf_hash`
// (merkle::HashLeaf of the entry bytes): OpenCheckpoint with `verifier`, then
// RFC 9162 inclusion of leaf `index` in the checkpoint's tree. Returns the
// checkpoint; kVerificationFailed if anything does not match.
Result<Checkpoint> VerifyTlogProof(const TlogProof& proof, std::string_view leaf_hash,
                                   const Verifier& verifier);

}  // namespace custody::note

#endif  // CUSTODY_SRC_LEDGER_NOTE_H_
