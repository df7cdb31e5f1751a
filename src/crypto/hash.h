// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SHA-256 over Crypto++, the one hash custody uses for digests (files,
// manifests, ledger entries, Merkle nodes).
#ifndef CUSTODY_SRC_CRYPTO_HASH_H_
#define CUSTODY_SRC_CRYPTO_HASH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace custody::crypto {

constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

Sha256Digest Sha256(std::string_view data);
// Convenience: the digest as a 32-byte std::string / lowercase hex.
std::string Sha256Bytes(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string DigestToString(const Sha256Digest& d);

// Incremental SHA-256 for streams.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  void Update(std::string_view data);
  void Update(const uint8_t* data, size_t n);
  Sha256Digest Finish();  // Resets the hasher for reuse.

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SipHash-2-4 (Crypto++) under a random key: 64-bit names for strings in
// sets that must not grow with the strings (a package's paths). Why keyed:
// whoever made the package chose the strings, and with a fixed hash could
// choose colliding ones; under a key drawn per reading they cannot, so two
// different paths share a name with probability about n^2 / 2^65 (below
// one in a million for the largest manifest custody reads).
class KeyedHash64 {
 public:
  static constexpr size_t kKeySize = 16;
  // `key`: kKeySize random bytes.
  explicit KeyedHash64(const uint8_t key[kKeySize]);
  uint64_t operator()(std::string_view s) const;

 private:
  uint8_t key_[kKeySize];
};

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_HASH_H_
