// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Canonical JSON: the RFC 8785 (JCS) profile custody signs and hashes.
// Objects have sorted, unique keys; no insignificant whitespace; strings are
// UTF-8 with JCS escaping; numbers are integers within ±(2^53-1) (no floats:
// their JCS rendering depends on ECMAScript number formatting and no custody
// record needs them). One meaning has exactly one byte string, so a signature
// or a Merkle leaf over it is unambiguous.
//
// Why the key restriction: JCS orders keys by UTF-16 code units while this
// implementation (nlohmann's std::map) orders by UTF-8 bytes; the two agree
// except for keys holding characters at or above U+E000, which are refused.
#ifndef CUSTODY_SRC_COMMON_CANONICAL_JSON_H_
#define CUSTODY_SRC_COMMON_CANONICAL_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody::json {

// Parses JSON text strictly (no duplicate keys, no floats, valid UTF-8,
// integers within ±(2^53-1), objects and arrays nested at most 128 levels
// deep). kInvalidArgument with the reason otherwise.
Result<nlohmann::json> ParseStrict(std::string_view text);

// The canonical serialization of `value`; kInvalidArgument if it holds a
// float, an out-of-range integer, invalid UTF-8 or a refused key.
Result<std::string> Canonicalize(const nlohmann::json& value);
Result<std::string> CanonicalizeText(std::string_view text);

// True when `text` is exactly the canonical serialization of what it parses to.
bool IsCanonical(std::string_view text);

}  // namespace custody::json

#endif  // CUSTODY_SRC_COMMON_CANONICAL_JSON_H_
