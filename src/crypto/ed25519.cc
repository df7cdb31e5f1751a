// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/ed25519.h"

#include <cryptopp/xed25519.h>

#include <array>
#include <cstdint>
#include <exception>
#include <istream>
#include <streambuf>

#include "common/concat_source.h"
#include "common/source_stream.h"
#include "custody/env.h"

namespace custody::crypto {
namespace {

using CryptoPP::byte;

// L = 2^252 + 27742317777372353535851937790883648493, the order of the
// Ed25519 base point, as 32 little-endian bytes.
constexpr std::array<uint8_t, 32> kGroupOrderLE = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// True iff the little-endian 32-byte scalar `s` is < L (RFC 8032 §5.1.7
// step 1: "If any of the decodings fail (including S being out of range),
// the signature is invalid"). Compared from the most significant byte down.
// Not constant time: S is public.
bool ScalarIsCanonical(const uint8_t* s) {
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kGroupOrderLE[i]) return s[i] < kGroupOrderLE[i];
  }
  return false;  // S == L.
}

const byte* Bytes(std::string_view s) { return reinterpret_cast<const byte*>(s.data()); }

}  // namespace

Result<Ed25519KeyPair> Ed25519Generate() {
  SecretString seed(kEd25519SeedSize);
  CUSTODY_RETURN_IF_ERROR(Env::Default()->RandomBytes(seed.mutable_bytes(), seed.size()));
  CUSTODY_ASSIGN_OR_RETURN(std::string pub, Ed25519PublicKey(seed));
  return Ed25519KeyPair{std::move(seed), std::move(pub)};
}

Result<std::string> Ed25519PublicKey(const SecretString& seed) {
  if (seed.size() != kEd25519SeedSize) {
    return InvalidArgumentError("Ed25519 private key must be 32 bytes, got " +
                                std::to_string(seed.size()));
  }
  try {
    // The signer keeps its copy of the seed in a SecBlock, wiped on destruction.
    CryptoPP::ed25519Signer signer(seed.bytes());
    const auto& key = static_cast<const CryptoPP::ed25519PrivateKey&>(signer.GetPrivateKey());
    return std::string(reinterpret_cast<const char*>(key.GetPublicKeyBytePtr()),
                       kEd25519PublicKeySize);
  } catch (const std::exception& e) {
    return InternalError(std::string("Ed25519 key derivation failed: ") + e.what());
  }
}

Result<std::string> Ed25519Sign(const SecretString& seed, std::string_view message) {
  return Ed25519SignWithContext(seed, {}, message);
}

Result<std::string> Ed25519SignWithContext(const SecretString& seed, std::string_view context,
                                           std::string_view payload) {
  ConcatSource message;
  message.Add(context).Add(payload);
  return Ed25519SignSource(seed, message);
}

Result<std::string> Ed25519SignSource(const SecretString& seed, MessageSource& message) {
  if (seed.size() != kEd25519SeedSize) {
    return InvalidArgumentError("Ed25519 private key must be 32 bytes, got " +
                                std::to_string(seed.size()));
  }
  CUSTODY_RETURN_IF_ERROR(message.Rewind());
  try {
    CryptoPP::ed25519Signer signer(seed.bytes());
    std::string sig(kEd25519SignatureSize, '\0');
    SourceStreamBuf buf(message);
    std::istream in(&buf);
    // Ed25519 is deterministic: the RNG argument is unused by Crypto++.
    size_t n = signer.SignStream(CryptoPP::NullRNG(), in, reinterpret_cast<byte*>(sig.data()));
    // A source that failed looked like a shorter message to Crypto++: the
    // signature is over the wrong bytes and must not leave here.
    CUSTODY_RETURN_IF_ERROR(buf.error());
    if (n != kEd25519SignatureSize) return InternalError("Ed25519 signature has wrong length");
    return sig;
  } catch (const std::exception& e) {
    return InternalError(std::string("Ed25519 signing failed: ") + e.what());
  }
}

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  // Reject S >= L first: Crypto++ would accept (R, S + L) as well as (R, S),
  // making signatures malleable (see the header).
  if (!ScalarIsCanonical(Bytes(signature) + 32)) return false;
  try {
    CryptoPP::ed25519Verifier verifier(Bytes(public_key));
    return verifier.VerifyMessage(Bytes(message), message.size(), Bytes(signature),
                                  signature.size());
  } catch (const std::exception&) {
    return false;  // A malformed key: not a valid signature.
  }
}

bool Ed25519VerifyWithContext(std::string_view public_key, std::string_view context,
                              std::string_view payload, std::string_view signature) {
  ConcatSource message;
  message.Add(context).Add(payload);
  Result<bool> valid = Ed25519VerifySource(public_key, message, signature);
  return valid.ok() && *valid;
}

Result<bool> Ed25519VerifySource(std::string_view public_key, MessageSource& message, std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  if (!ScalarIsCanonical(Bytes(signature) + 32)) return false;  // As in Ed25519Verify.
  CUSTODY_RETURN_IF_ERROR(message.Rewind());
  bool valid = false;
  SourceStreamBuf buf(message);
  try {
    CryptoPP::ed25519Verifier verifier(Bytes(public_key));
    std::istream in(&buf);
    valid = verifier.VerifyStream(in, Bytes(signature), signature.size());
  } catch (const std::exception&) {
    valid = false;  // A malformed key: not a valid signature.
  }
  // A source that failed looked like a shorter message: its error, not a verdict.
  CUSTODY_RETURN_IF_ERROR(buf.error());
  return valid;
}

}  // namespace custody::crypto
