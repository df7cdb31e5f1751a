// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Ed25519 (RFC 8032) over Crypto++, with the checks Crypto++ leaves out.
//
// Why the extra check: Crypto++'s ed25519Verifier accepts a signature whose
// scalar S is not reduced (S >= L), so (R, S + L) verifies wherever (R, S)
// does: a signature is then malleable, and two different signed notes could
// carry the same checkpoint. Verify() rejects S >= L before calling Crypto++.
// The accepted set of the C2SP ed25519vectors is pinned in
// tests/crypto/ed25519_test.cc.
#ifndef CUSTODY_SRC_CRYPTO_ED25519_H_
#define CUSTODY_SRC_CRYPTO_ED25519_H_

#include <string>
#include <string_view>

#include "custody/message_source.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody::crypto {

constexpr size_t kEd25519PublicKeySize = 32;
constexpr size_t kEd25519SeedSize = 32;  // The RFC 8032 private key (seed).
constexpr size_t kEd25519SignatureSize = 64;

struct Ed25519KeyPair {
  SecretString seed;       // 32 bytes.
  std::string public_key;  // 32 bytes.
};

// A new key pair from the OS CSPRNG.
Result<Ed25519KeyPair> Ed25519Generate();
// The public key of a 32-byte seed.
Result<std::string> Ed25519PublicKey(const SecretString& seed);
// A 64-byte signature of `message`.
Result<std::string> Ed25519Sign(const SecretString& seed, std::string_view message);
// Ed25519Sign(seed, context + payload), without building the concatenation:
// Crypto++'s SignMessage buffers the whole message, and with our own copy a
// 100,000-file manifest (15 MB) was held three times while being signed.
// Both parts are streamed twice through Crypto++'s SignStream instead.
Result<std::string> Ed25519SignWithContext(const SecretString& seed, std::string_view context,
                                           std::string_view payload);
// A signature of the message `message` gives, read in pieces (rewound first,
// and once more between Ed25519's two passes): nothing larger than a piece
// is held. An error of the source is returned, never a signature.
Result<std::string> Ed25519SignSource(const SecretString& seed, MessageSource& message);
// True only for a valid signature with canonical S (< L) by `public_key`.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);
// Ed25519Verify(public_key, context + payload, signature), without building
// the concatenation. Why: Crypto++'s VerifyMessage copies the whole message
// into a growing vector before hashing it; for a 3 MB package manifest that
// was three copies and ~2,000 fresh pages. This streams both parts through
// Crypto++'s own VerifyStream instead (same checks, same S < L rule).
bool Ed25519VerifyWithContext(std::string_view public_key, std::string_view context,
                              std::string_view payload, std::string_view signature);
// Ed25519Verify of the message `message` gives, read in pieces (rewound
// first). An error of the source is returned as an error, never as a
// verdict.
Result<bool> Ed25519VerifySource(std::string_view public_key, MessageSource& message, std::string_view signature);

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_ED25519_H_
