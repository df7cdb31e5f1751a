// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The bodies of the libFuzzer targets in fuzz/ (fuzz/README.md), shared with
// the regression test tests/fuzz/fuzz_corpus_test.cc, which feeds the
// committed corpus tests/data/fuzz/<target>/ through the same functions in
// the normal build.
//
// Each function drives custody's parsers of untrusted input with one input
// and returns the outcome of every entry point it called. The project rule
// they check: bad input gets a Status with a message for a person, never a
// crash, a hang or undefined behaviour (the sanitizers catch the latter).
//
// The functions hold no state between calls but fixed test keys; the package
// target writes its one file into a private temporary directory made on
// first use and removed at exit.
#ifndef CUSTODY_FUZZ_FUZZ_TARGETS_H_
#define CUSTODY_FUZZ_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "custody/status.h"

namespace custody::fuzz {

// One entry point's result: which function, and what it returned.
struct Outcome {
  std::string entry_point;
  Status status;
};
using Outcomes = std::vector<Outcome>;

// A whole age file (binary or armored) decrypted with a fixed X25519
// identity and a fixed passphrase (scrypt work factor at most 2^10).
Outcomes FuzzAgeDecrypt(const uint8_t* data, size_t size);
// The text encodings under age: X25519 identity and recipient parsing,
// Bech32, strict base64 (padded and unpadded), hex, and the ASCII armor
// decoder alone.
Outcomes FuzzAgeEncodings(const uint8_t* data, size_t size);
// The package manifest: ParseManifest, and ParseManifestStream over the same
// text given in three pieces.
Outcomes FuzzManifest(const uint8_t* data, size_t size);
// A decrypted package payload (a tar): read with TarReader alone, then as a
// whole package (encrypted with age to a fixed key, then VerifyPackage).
Outcomes FuzzPackageTar(const uint8_t* data, size_t size);
// Ledger text formats: entries, verifier keys, signed notes and checkpoints,
// tlog proofs, evidence bundles, consistency proofs, and the Merkle proof
// checks over what they parse.
Outcomes FuzzLedger(const uint8_t* data, size_t size);
// Signed documents and key files: receipts, acknowledgements, certificates
// and their QR payload, disposal records, keystore key info, age key files,
// wipe state files.
Outcomes FuzzDocuments(const uint8_t* data, size_t size);

struct Target {
  const char* name;  // Also the corpus directory tests/data/fuzz/<name>/.
  Outcomes (*run)(const uint8_t* data, size_t size);
};
// Every target, in the order above.
const std::vector<Target>& Targets();

// The first outcome that breaks the rule (a failure without a message), or
// nullptr.
const Outcome* FirstBadOutcome(const Outcomes& outcomes);

}  // namespace custody::fuzz

#endif  // CUSTODY_FUZZ_FUZZ_TARGETS_H_
