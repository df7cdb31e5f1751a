// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/hash.h"

#include <cryptopp/sha.h>
#include <cryptopp/siphash.h>

#include <cstring>

#include "crypto/encoding.h"

namespace custody::crypto {

struct Sha256Hasher::Impl {
  CryptoPP::SHA256 sha;
};

Sha256Hasher::Sha256Hasher() : impl_(new Impl) {}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(std::string_view data) {
  impl_->sha.Update(reinterpret_cast<const CryptoPP::byte*>(data.data()), data.size());
}
void Sha256Hasher::Update(const uint8_t* data, size_t n) { impl_->sha.Update(data, n); }

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest d;
  impl_->sha.Final(d.data());
  return d;
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest d;
  CryptoPP::SHA256().CalculateDigest(d.data(), reinterpret_cast<const CryptoPP::byte*>(data.data()),
                                     data.size());
  return d;
}

std::string DigestToString(const Sha256Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}
std::string Sha256Bytes(std::string_view data) { return DigestToString(Sha256(data)); }
std::string Sha256Hex(std::string_view data) { return encoding::HexEncode(Sha256Bytes(data)); }

KeyedHash64::KeyedHash64(const uint8_t key[kKeySize]) { std::memcpy(key_, key, kKeySize); }

uint64_t KeyedHash64::operator()(std::string_view s) const {
  CryptoPP::SipHash<2, 4, false> h(key_, kKeySize);
  h.Update(reinterpret_cast<const CryptoPP::byte*>(s.data()), s.size());
  uint8_t out[8];
  h.TruncatedFinal(out, sizeof out);
  uint64_t v;
  std::memcpy(&v, out, sizeof v);
  return v;
}

}  // namespace custody::crypto
