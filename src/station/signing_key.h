// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The station signing-key file (docs/formats/station.md). Plain form:
//   custody signing key v1\n
//   origin <origin>\n
//   public <base64 32-byte Ed25519 public key>\n
//   seed <base64 32-byte Ed25519 seed>\n
// Protected form: that text encrypted to an age scrypt passphrase stanza
// (the file then starts with "age-encryption.org/v1").
#ifndef CUSTODY_SRC_STATION_SIGNING_KEY_H_
#define CUSTODY_SRC_STATION_SIGNING_KEY_H_

#include <optional>
#include <string>
#include <string_view>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody::station {

struct SigningKey {
  std::string origin;
  std::string public_key;
  SecretString seed;
};

bool IsProtectedKeyFile(std::string_view file);
// Serializes, encrypting with `passphrase` if given (age scrypt stanza at
// 2^log2_work_factor; lower factors are for tests only).
Result<SecretString> EncodeSigningKey(const SigningKey& key, const SecretString* passphrase,
                                      int log2_work_factor = 18);
// Parses (decrypting with `passphrase` when protected); checks that the seed
// yields the stored public key.
Result<SigningKey> DecodeSigningKey(std::string_view file, const SecretString* passphrase);

}  // namespace custody::station

#endif  // CUSTODY_SRC_STATION_SIGNING_KEY_H_
