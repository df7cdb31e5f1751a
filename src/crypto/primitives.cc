// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/primitives.h"

#include <cryptopp/aes.h>
#include <cryptopp/chachapoly.h>
#include <cryptopp/cpu.h>
#include <cryptopp/cryptlib.h>
#include <cryptopp/gcm.h>
#include <cryptopp/hkdf.h>
#include <cryptopp/hmac.h>
#include <cryptopp/misc.h>
#include <cryptopp/osrng.h>
#include <cryptopp/scrypt.h>
#include <cryptopp/sha.h>
#include <cryptopp/xed25519.h>

#include <new>

namespace custody::crypto {
namespace {

const CryptoPP::byte* B(std::string_view s) {
  return reinterpret_cast<const CryptoPP::byte*>(s.data());
}

Status CryptoError(std::string_view what, const CryptoPP::Exception& e) {
  return InternalError(std::string(what) + ": Crypto++ error: " + e.what());
}

}  // namespace

Result<SecretString> HkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                size_t length) {
  SecretString out(length);
  try {
    CryptoPP::HKDF<CryptoPP::SHA256> hkdf;
    hkdf.DeriveKey(out.mutable_bytes(), out.size(), B(ikm), ikm.size(), B(salt), salt.size(),
                   B(info), info.size());
  } catch (const CryptoPP::Exception& e) {
    return CryptoError("HKDF-SHA-256", e);
  }
  return out;
}

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  std::string mac(kHmacSha256Size, '\0');
  try {
    CryptoPP::HMAC<CryptoPP::SHA256> hmac(B(key), key.size());
    hmac.CalculateDigest(reinterpret_cast<CryptoPP::byte*>(mac.data()), B(data), data.size());
  } catch (const CryptoPP::Exception& e) {
    return CryptoError("HMAC-SHA-256", e);
  }
  return mac;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CryptoPP::VerifyBufsEqual(B(a), B(b), a.size());
}

Result<SecretString> Scrypt(std::string_view passphrase, std::string_view salt, int log2_n, int r,
                            int p, size_t length) {
  if (log2_n < 1 || log2_n > 40 || r < 1 || p < 1) {
    return InvalidArgumentError("scrypt: parameters out of range");
  }
  SecretString out(length);
  try {
    CryptoPP::Scrypt scrypt;
    scrypt.DeriveKey(out.mutable_bytes(), out.size(), B(passphrase), passphrase.size(), B(salt),
                     salt.size(), CryptoPP::word64{1} << log2_n, static_cast<CryptoPP::word64>(r),
                     static_cast<CryptoPP::word64>(p));
  } catch (const CryptoPP::InvalidArgument& e) {
    return InvalidArgumentError(std::string("scrypt: ") + e.what());
  } catch (const CryptoPP::Exception& e) {
    return CryptoError("scrypt", e);
  } catch (const std::bad_alloc&) {
    return InternalError("scrypt: out of memory for work factor 2^" + std::to_string(log2_n));
  }
  return out;
}

Result<std::string> X25519PublicKey(const SecretString& scalar) {
  if (scalar.size() != kX25519ScalarSize) {
    return InvalidArgumentError("X25519: the secret scalar must be 32 bytes");
  }
  std::string point(kX25519PointSize, '\0');
  try {
    CryptoPP::x25519 x;
    // GeneratePublicKey ignores the RNG; NullRNG throws if that ever changes.
    x.GeneratePublicKey(CryptoPP::NullRNG(), scalar.bytes(),
                        reinterpret_cast<CryptoPP::byte*>(point.data()));
  } catch (const CryptoPP::Exception& e) {
    return CryptoError("X25519", e);
  }
  return point;
}

Result<SecretString> X25519SharedSecret(const SecretString& scalar, std::string_view point) {
  if (scalar.size() != kX25519ScalarSize || point.size() != kX25519PointSize) {
    return InvalidArgumentError("X25519: keys must be 32 bytes");
  }
  SecretString shared(kX25519PointSize);
  try {
    CryptoPP::x25519 x;
    // validateOtherPublicKey=false: Crypto++'s small-order blacklist is not the
    // rule age states ("abort if the shared secret is all zero"); the caller
    // applies that rule on the output, exactly as written in the spec.
    if (!x.Agree(shared.mutable_bytes(), scalar.bytes(), B(point), false)) {
      return InternalError("X25519: key agreement failed");
    }
  } catch (const CryptoPP::Exception& e) {
    return CryptoError("X25519", e);
  }
  return shared;
}

namespace {

constexpr char kChaChaPolyName[] = "ChaCha20-Poly1305";
constexpr char kAesGcmName[] = "AES-256-GCM";

// One implementation for both AEADs: Crypto++'s ChaCha20Poly1305 and
// GCM<AES> have the same interface (AuthenticatedSymmetricCipher).
template <class Encryption, class Decryption>
class CryptoppAead final : public Aead {
 public:
  explicit CryptoppAead(const char* name) : name_(name) {}

  Status Init(const SecretString& key) {
    if (key.size() != kChaChaPolyKeySize) {
      return InvalidArgumentError(std::string(name_) + ": the key must be 32 bytes");
    }
    const CryptoPP::byte zero_nonce[kChaChaPolyNonceSize] = {};
    try {
      enc_.SetKeyWithIV(key.bytes(), key.size(), zero_nonce, sizeof(zero_nonce));
      dec_.SetKeyWithIV(key.bytes(), key.size(), zero_nonce, sizeof(zero_nonce));
    } catch (const CryptoPP::Exception& e) {
      return CryptoError(name_, e);
    }
    return Status::Ok();
  }

  Status Seal(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view plaintext,
              uint8_t* out) override {
    try {
      enc_.EncryptAndAuthenticate(out, out + plaintext.size(), kChaChaPolyTagSize, nonce,
                                  kChaChaPolyNonceSize, nullptr, 0, B(plaintext),
                                  plaintext.size());
    } catch (const CryptoPP::Exception& e) {
      return CryptoError(std::string(name_) + " seal", e);
    }
    return Status::Ok();
  }

  Result<bool> Open(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view ciphertext,
                    uint8_t* out) override {
    if (ciphertext.size() < kChaChaPolyTagSize) {
      return InvalidArgumentError(std::string(name_) + ": ciphertext shorter than the tag");
    }
    size_t n = ciphertext.size() - kChaChaPolyTagSize;
    bool ok = false;
    try {
      ok = dec_.DecryptAndVerify(out, B(ciphertext) + n, kChaChaPolyTagSize, nonce,
                                 kChaChaPolyNonceSize, nullptr, 0, B(ciphertext), n);
    } catch (const CryptoPP::Exception& e) {
      return CryptoError(std::string(name_) + " open", e);
    }
    // Unauthenticated plaintext must never be observable.
    if (!ok) WipeMemory(out, n);
    return ok;
  }

  std::string_view name() const override { return name_; }

 private:
  Encryption enc_;
  Decryption dec_;
  const char* const name_;
};

using ChaChaPolyAead = CryptoppAead<CryptoPP::ChaCha20Poly1305::Encryption,
                                    CryptoPP::ChaCha20Poly1305::Decryption>;
using AesGcmAead =
    CryptoppAead<CryptoPP::GCM<CryptoPP::AES>::Encryption, CryptoPP::GCM<CryptoPP::AES>::Decryption>;

}  // namespace

// ChaChaPoly is a named class for age's stream code; the work is the shared
// implementation's.
struct ChaChaPoly::Impl {
  ChaChaPolyAead aead{kChaChaPolyName};
};

ChaChaPoly::ChaChaPoly(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChaChaPoly::~ChaChaPoly() = default;

Result<std::unique_ptr<ChaChaPoly>> ChaChaPoly::Create(const SecretString& key) {
  auto impl = std::make_unique<Impl>();
  CUSTODY_RETURN_IF_ERROR(impl->aead.Init(key));
  return std::unique_ptr<ChaChaPoly>(new ChaChaPoly(std::move(impl)));
}

Status ChaChaPoly::Seal(const uint8_t nonce[kChaChaPolyNonceSize], std::string_view plaintext,
                        uint8_t* out) {
  return impl_->aead.Seal(nonce, plaintext, out);
}

Result<bool> ChaChaPoly::Open(const uint8_t nonce[kChaChaPolyNonceSize],
                              std::string_view ciphertext, uint8_t* out) {
  return impl_->aead.Open(nonce, ciphertext, out);
}

std::string_view ChaChaPoly::name() const { return impl_->aead.name(); }

bool HasAesGcmInstructions() {
  // The CPU's flags, and what the library itself will run: Has*() are
  // inline, compiled with this program's view of Crypto++'s configuration,
  // so a libcrypto++ built without its AES-NI code would otherwise be
  // picked for GCM on table AES.
#if CRYPTOPP_BOOL_X86 || CRYPTOPP_BOOL_X32 || CRYPTOPP_BOOL_X64
  const bool cpu = CryptoPP::HasAESNI() && CryptoPP::HasCLMUL();
#elif CRYPTOPP_BOOL_ARMV8
  const bool cpu = CryptoPP::HasAES() && CryptoPP::HasPMULL();
#else
  const bool cpu = false;
#endif
  if (!cpu) return false;
  static const bool library = [] {
    const std::string provider = CryptoPP::AES::Encryption().AlgorithmProvider();
    return provider == "AESNI" || provider == "ARMv8";
  }();
  return library;
}

Result<std::unique_ptr<Aead>> NewLocalAead(const SecretString& key, LocalAeadChoice choice) {
  if (choice == LocalAeadChoice::kAes256Gcm ||
      (choice == LocalAeadChoice::kFastest && HasAesGcmInstructions())) {
    auto gcm = std::make_unique<AesGcmAead>(kAesGcmName);
    CUSTODY_RETURN_IF_ERROR(gcm->Init(key));
    return std::unique_ptr<Aead>(std::move(gcm));
  }
  CUSTODY_ASSIGN_OR_RETURN(auto chacha, ChaChaPoly::Create(key));
  return std::unique_ptr<Aead>(std::move(chacha));
}

Result<std::string> ChaChaPolySeal(const SecretString& key,
                                   const uint8_t nonce[kChaChaPolyNonceSize],
                                   std::string_view plaintext) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, ChaChaPoly::Create(key));
  std::string out(plaintext.size() + kChaChaPolyTagSize, '\0');
  CUSTODY_RETURN_IF_ERROR(aead->Seal(nonce, plaintext, reinterpret_cast<uint8_t*>(out.data())));
  return out;
}

Result<SecretString> ChaChaPolyOpen(const SecretString& key,
                                    const uint8_t nonce[kChaChaPolyNonceSize],
                                    std::string_view ciphertext) {
  if (ciphertext.size() < kChaChaPolyTagSize) {
    return VerificationFailedError("ChaCha20-Poly1305: ciphertext shorter than the tag");
  }
  CUSTODY_ASSIGN_OR_RETURN(auto aead, ChaChaPoly::Create(key));
  SecretString out(ciphertext.size() - kChaChaPolyTagSize);
  CUSTODY_ASSIGN_OR_RETURN(bool ok, aead->Open(nonce, ciphertext, out.mutable_bytes()));
  if (!ok) return VerificationFailedError("ChaCha20-Poly1305: authentication failed");
  return out;
}

}  // namespace custody::crypto
