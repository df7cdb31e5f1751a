// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Bech32 (BIP 173) as age uses it for keys: `age1...` recipients and
// `AGE-SECRET-KEY-1...` identities.
//
// Differences from BIP 173, following c2sp.org/age: no 90-character limit
// (age encodings of post-quantum keys are longer), and the human-readable part
// may be any printable ASCII (33..126) such as "AGE-SECRET-KEY-". Strictness
// kept from BIP 173: a string must be all lowercase or all uppercase (mixed case
// is refused), the checksum is computed over the lowercase form, and the
// 8-to-5-bit padding must be zero and shorter than a byte.
//
// Secret identities pass through here, so every intermediate buffer is wiped
// and decoded data is returned as a SecretString.
#ifndef CUSTODY_SRC_CRYPTO_BECH32_H_
#define CUSTODY_SRC_CRYPTO_BECH32_H_

#include <string>
#include <string_view>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody::bech32 {

struct Decoded {
  // In the case of the input: "AGE-SECRET-KEY-" for an uppercase identity,
  // "age" for a recipient.
  std::string hrp;
  SecretString data;
};

// Decodes `text`. kInvalidArgument on: mixed case, missing or misplaced
// separator, a character outside the charset, a bad checksum, non-zero or
// overlong padding, or an empty or non-printable human-readable part.
Result<Decoded> Decode(std::string_view text);

// Encodes `data` under `hrp`. The output is uppercase when `hrp` is
// uppercase (age identities), lowercase otherwise. kInvalidArgument for an
// empty, mixed-case or non-printable `hrp`. The result goes into a
// SecretString because encoded identities are secrets.
Result<SecretString> Encode(std::string_view hrp, std::string_view data);

}  // namespace custody::bech32

#endif  // CUSTODY_SRC_CRYPTO_BECH32_H_
