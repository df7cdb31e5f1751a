// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The cryptography of the keystore (docs/formats/keystore.md), composed from
// the age layer and SHA-256. Two layers, both plain age v1 so that a key can
// be recovered with the standard `age` tool:
//   keystore.age  the keystore identity ("AGE-SECRET-KEY-1..." in the
//                 age-keygen text format), encrypted to ONE scrypt stanza
//                 under the keystore passphrase;
//   NAME.age      key NAME's identity in the same text format, encrypted to
//                 the keystore identity's X25519 recipient.
// Why a keystore identity instead of scrypt per key: a key can be created
// without the passphrase (only the public recipient is needed), and a
// package reader unlocks every identity with ONE scrypt run instead of one
// per key. Why not a key derived from the station signing key: that key is
// stored unprotected by default, and deriving from it would tie key secrecy
// to a key whose job is authenticity (and to its rotation).
#ifndef CUSTODY_SRC_CRYPTO_KEYSTORE_CRYPTO_H_
#define CUSTODY_SRC_CRYPTO_KEYSTORE_CRYPTO_H_

#include <string>
#include <string_view>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody {
class Env;
}

namespace custody::crypto {

// Domain label of the recipient fingerprint: SHA-256(label || age1...).
inline constexpr std::string_view kRecipientFingerprintLabel = "custody recipient fingerprint v1\n";

// See custody/keystore.h RecipientFingerprint. `canonical_recipient` must be
// lowercase "age1...".
std::string FingerprintOfRecipient(std::string_view canonical_recipient);

// Domain label of the sender fingerprint: SHA-256(label || verifier key).
// Its own label, so a recipient's and a sender's fingerprint are never
// confused for one another.
inline constexpr std::string_view kSenderFingerprintLabel = "custody sender fingerprint v1\n";
// See custody/keystore.h SenderFingerprint. `verifier_key` must be a valid
// C2SP verifier key ("name+hex8+base64": its only spelling).
std::string FingerprintOfVerifierKey(std::string_view verifier_key);

// The canonical (lowercase) form of an "age1..." string; kInvalidArgument
// when it is not a valid X25519 recipient.
Result<std::string> CanonicalRecipient(std::string_view text);

struct GeneratedKey {
  SecretString key_file;  // age-keygen text: comments + "AGE-SECRET-KEY-1...\n"
  std::string recipient;  // "age1..."
};

// A new X25519 identity (randomness from env) as age-keygen key-file text,
// with "# created: <created>" and "# public key: age1..." comments.
Result<GeneratedKey> GenerateKeyFile(Env& env, std::string_view created);

// Parses age-keygen key-file text holding exactly one identity ('#' comment
// lines and blank lines skipped). Returns the "AGE-SECRET-KEY-1..." line and
// sets *recipient. kCorruption otherwise; never echoes the input.
Result<SecretString> ParseKeyFile(std::string_view text, std::string* recipient);

// keystore.age: the key file encrypted to a single scrypt stanza.
Result<std::string> SealUnderPassphrase(const SecretString& key_file,
                                        const SecretString& passphrase, int log2_work_factor,
                                        Env& env);
// kWrongKey for a wrong passphrase; kCorruption/kTruncated/kVerificationFailed
// for a damaged file.
Result<SecretString> OpenUnderPassphrase(std::string_view file, const SecretString& passphrase);

// NAME.age: the key file encrypted to the keystore recipient.
Result<std::string> WrapToRecipient(const SecretString& key_file, std::string_view recipient,
                                    Env& env);
// `identity`: the keystore identity ("AGE-SECRET-KEY-1...").
Result<SecretString> UnwrapWithIdentity(std::string_view file, const SecretString& identity);

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_KEYSTORE_CRYPTO_H_
