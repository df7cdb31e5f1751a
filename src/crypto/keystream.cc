// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/keystream.h"

#include <cryptopp/aes.h>
#include <cryptopp/modes.h>

#include <cassert>

namespace custody::crypto {

struct SeekableKeystream::Impl {
  CryptoPP::CTR_Mode<CryptoPP::AES>::Encryption ctr;
};

SeekableKeystream::SeekableKeystream(std::string_view key) : impl_(new Impl) {
  assert(key.size() == kKeystreamKeySize);
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

void SeekableKeystream::XorInPlace(uint64_t offset, uint8_t* buf, size_t n) {
  impl_->ctr.Seek(offset);
  impl_->ctr.ProcessData(buf, buf, n);
}

}  // namespace custody::crypto
