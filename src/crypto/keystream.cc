// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/keystream.h"

#include <cryptopp/aes.h>
#include <cryptopp/modes.h>

#include <cassert>

namespace custody::crypto {

std::string_view KeystreamGeneratorName(KeystreamGenerator g) {
  switch (g) {
    case KeystreamGenerator::kAes128Ctr:
      return "aes-128-ctr";
    case KeystreamGenerator::kAes256Ctr:
      return "aes-256-ctr";
  }
  return "aes-256-ctr";
}

std::optional<KeystreamGenerator> ParseKeystreamGenerator(std::string_view name) {
  for (KeystreamGenerator g : {KeystreamGenerator::kAes128Ctr, KeystreamGenerator::kAes256Ctr}) {
    if (name == KeystreamGeneratorName(g)) return g;
  }
  return std::nullopt;
}

size_t KeystreamKeySize(KeystreamGenerator g) {
  return g == KeystreamGenerator::kAes128Ctr ? 16 : 32;
}

struct SeekableKeystream::Impl {
  // Crypto++'s AES picks AES-128 or AES-256 from the key length.
  CryptoPP::CTR_Mode<CryptoPP::AES>::Encryption ctr;
};

SeekableKeystream::SeekableKeystream(KeystreamGenerator generator, std::string_view key)
    : impl_(new Impl) {
  assert(key.size() == KeystreamKeySize(generator));
  (void)generator;
  const CryptoPP::byte iv[CryptoPP::AES::BLOCKSIZE] = {};
  impl_->ctr.SetKeyWithIV(reinterpret_cast<const CryptoPP::byte*>(key.data()), key.size(), iv,
                          sizeof iv);
}
SeekableKeystream::~SeekableKeystream() = default;

void SeekableKeystream::Generate(uint64_t offset, uint8_t* out, size_t n) {
  impl_->ctr.Seek(offset);
  // GenerateBlock emits the keystream itself, without XORing a zero buffer.
  impl_->ctr.GenerateBlock(out, n);
}

}  // namespace custody::crypto
