// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Thin adapters over Crypto++ for the symmetric and key-agreement primitives
// custody composes: HKDF-SHA-256, HMAC-SHA-256, scrypt, X25519 and
// ChaCha20-Poly1305. Nothing here is a hand-rolled primitive; the adapters
// exist so that (1) Crypto++ types stay out of every other header, (2)
// Crypto++ exceptions become a Status at this one boundary, and (3) derived
// keys come back as SecretString and are wiped.
//
// Thread safety: free functions are thread-safe. An Aead object is used by
// one thread at a time.
#ifndef CUSTODY_SRC_CRYPTO_PRIMITIVES_H_
#define CUSTODY_SRC_CRYPTO_PRIMITIVES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody::crypto {

constexpr size_t kChaChaPolyKeySize = 32;
constexpr size_t kChaChaPolyNonceSize = 12;
constexpr size_t kChaChaPolyTagSize = 16;
constexpr size_t kX25519ScalarSize = 32;
constexpr size_t kX25519PointSize = 32;
constexpr size_t kHmacSha256Size = 32;

// HKDF-SHA-256 (RFC 5869): Extract with `salt` (empty = HashLen zero bytes,
// which is the same HMAC key), then Expand with `info` to `length` bytes.
Result<SecretString> HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                size_t length);

// HMAC-SHA-256 of `data` under `key`.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);

// Compares in time independent of where the inputs differ (lengths are not
// secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// scrypt (RFC 7914) with N = 2^log2_n. Memory use is 128 * r * N bytes
// (256 MiB for log2_n = 18, r = 8). kInvalidArgument for parameters Crypto++
// refuses; kInternal if the memory cannot be allocated.
Result<SecretString> Scrypt(std::string_view passphrase, std::string_view salt, int log2_n, int r,
                            int p, size_t length);

// X25519 (RFC 7748) of `scalar` and the base point. The scalar is clamped by
// the function, as RFC 7748 specifies, so any 32 random bytes are a key.
Result<std::string> X25519PublicKey(const SecretString& scalar);

// X25519(scalar, point): the raw shared secret, which is all zero when `point`
// has small order. Callers that must refuse that case (age) check for it:
// this function does not, so that the check is explicit where the protocol
// requires it.
Result<SecretString> X25519SharedSecret(const SecretString& scalar, std::string_view point);

// An AEAD with a fixed 32-byte key, a caller-chosen 12-byte nonce per
// message, a 16-byte tag and no associated data. ChaCha20-Poly1305 and
// AES-256-GCM share these sizes (kChaChaPoly*).
class Aead {
 public:
  virtual ~Aead() = default;
  // Writes plaintext.size() + kChaChaPolyTagSize bytes to `out`.
  virtual Status Seal(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view plaintext,
                      uint8_t* out) = 0;
  // Decrypts `ciphertext` (which ends with the tag) into `out`
  // (ciphertext.size() - kChaChaPolyTagSize bytes). Returns false, with `out`
  // wiped, when authentication fails; a Status error only for misuse.
  virtual Result<bool> Open(const uint8_t nonce[kChaChaPolyNonceSize],
                            std::string_view ciphertext, uint8_t* out) = 0;
  // "ChaCha20-Poly1305" or "AES-256-GCM".
  virtual std::string_view name() const = 0;
};

// ChaCha20-Poly1305 (RFC 8439): what age packages use.
class ChaChaPoly final : public Aead {
 public:
  static Result<std::unique_ptr<ChaChaPoly>> Create(const SecretString& key);
  ~ChaChaPoly() override;
  ChaChaPoly(const ChaChaPoly&) = delete;
  ChaChaPoly& operator=(const ChaChaPoly&) = delete;

  Status Seal(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view plaintext,
              uint8_t* out) override;
  Result<bool> Open(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view ciphertext,
                    uint8_t* out) override;
  std::string_view name() const override;

 private:
  struct Impl;
  explicit ChaChaPoly(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The AEAD for data this process seals and reads back itself, under a key
// it never writes down (SealedSpill): nobody else ever opens it, so the
// cipher is this process's choice, not a format's.
//
// Why AES-256-GCM where the CPU has AES and carry-less multiply instructions
// (x86 AES-NI + PCLMULQDQ, ARMv8 AES + PMULL), and ChaCha20-Poly1305
// elsewhere: with them, Crypto++ 8.7 seals 64 KiB messages at 3.8 GB/s with
// AES-256-GCM against 0.72 GB/s with ChaCha20-Poly1305 (one core here), and
// verifying a package of 100,000 files reads its 15 MB manifest spill back
// three times. Without them Crypto++'s AES uses lookup tables, which are
// slower and whose timing depends on the key; ChaCha20-Poly1305 has neither
// problem.
// AES-256-GCM is NIST SP 800-38D with 96-bit nonces and 128-bit tags.
enum class LocalAeadChoice {
  kFastest,           // As above.
  kAes256Gcm,         // Tests: each cipher on any machine.
  kChaCha20Poly1305,  //
};
bool HasAesGcmInstructions();
Result<std::unique_ptr<Aead>> NewLocalAead(const SecretString& key,
                                           LocalAeadChoice choice = LocalAeadChoice::kFastest);

// One-shot helpers on top of ChaChaPoly.
Result<std::string> ChaChaPolySeal(const SecretString& key,
                                   const uint8_t nonce[kChaChaPolyNonceSize],
                                   std::string_view plaintext);
// kVerificationFailed when authentication fails.
Result<SecretString> ChaChaPolyOpen(const SecretString& key,
                                    const uint8_t nonce[kChaChaPolyNonceSize],
                                    std::string_view ciphertext);

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_PRIMITIVES_H_
