// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Strict text encodings. Crypto++'s Base64Decoder silently skips characters
// outside the alphabet, which would let two different strings decode to the
// same bytes; formats that are signed or hashed (signed notes, age headers)
// need exactly one accepted spelling per value, so these decoders reject
// anything non-canonical.
#ifndef CUSTODY_SRC_CRYPTO_ENCODING_H_
#define CUSTODY_SRC_CRYPTO_ENCODING_H_

#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody::encoding {

enum class Base64Padding { kPadded, kUnpadded };

// RFC 4648 §4 standard alphabet.
std::string Base64Encode(std::string_view bytes, Base64Padding padding = Base64Padding::kPadded);
// Rejects: characters outside the alphabet (including whitespace and
// newlines), wrong or missing padding for the chosen mode, and non-zero
// trailing bits (non-canonical encodings).
Result<std::string> Base64Decode(std::string_view text,
                                 Base64Padding padding = Base64Padding::kPadded);

std::string HexEncode(std::string_view bytes);  // lowercase
// Accepts lowercase or uppercase; rejects odd length and non-hex characters.
Result<std::string> HexDecode(std::string_view text);

}  // namespace custody::encoding

#endif  // CUSTODY_SRC_CRYPTO_ENCODING_H_
