// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A message given in pieces, for signing data too large to hold in memory at
// once (the manifest of a package of a million files).
//
// Thread safety: an object is used by one thread at a time.
#ifndef CUSTODY_MESSAGE_SOURCE_H_
#define CUSTODY_MESSAGE_SOURCE_H_

#include <string_view>

#include "custody/status.h"

namespace custody {

// Signing reads the message twice (Ed25519 hashes it once to derive the
// nonce and once more for the challenge), so a source can start over.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // Back to the first byte. An error ends the signing with that error.
  virtual Status Rewind() = 0;
  // The next piece: empty at the end, valid until the next call. Pieces may
  // be of any size; their concatenation is the message.
  virtual Result<std::string_view> Next() = 0;
};

}  // namespace custody

#endif  // CUSTODY_MESSAGE_SOURCE_H_
