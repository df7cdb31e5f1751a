// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The native age recipient types custody implements: X25519 and scrypt.
#include <algorithm>

#include "crypto/age_format.h"
#include "crypto/bech32.h"
#include "crypto/encoding.h"
#include "custody/env.h"

namespace custody::age {
namespace {

using encoding::Base64Padding;
using internal::kWrapKeySize;
using internal::kWrappedFileKeySize;

// Stanza bodies are sealed under a key used exactly once, so the spec fixes
// the nonce at zero.
constexpr uint8_t kZeroNonce[crypto::kChaChaPolyNonceSize] = {};

Status StanzaError(std::string_view type, std::string what) {
  return CorruptionError("malformed " + std::string(type) + " stanza: " + std::move(what));
}

bool IsAllZero(const SecretString& s) {
  uint8_t acc = 0;
  for (size_t i = 0; i < s.size(); ++i) acc |= s.bytes()[i];
  return acc == 0;
}

Result<SecretString> RandomSecret(Env& env, size_t n) {
  SecretString s(n);
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(s.mutable_bytes(), n));
  return s;
}

// Opens a wrapped file key; kWrongKey when it does not authenticate (the
// stanza is not for this identity).
Result<SecretString> OpenFileKey(const SecretString& wrap_key, std::string_view body,
                                 std::string_view type) {
  auto key = crypto::ChaChaPolyOpen(wrap_key, kZeroNonce, body);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kVerificationFailed) {
      return WrongKeyError("the " + std::string(type) + " stanza does not open with this identity");
    }
    return key.status();
  }
  return key;
}

// Decimal without leading zeros ("^[1-9][0-9]*$"). Values too large for an
// int saturate: they are refused as above the maximum, not as malformed.
bool ParseWorkFactor(std::string_view s, int* out) {
  if (s.empty() || s[0] < '1' || s[0] > '9') return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v > 100000 ? v : v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

// ---- X25519Recipient

Result<X25519Recipient> X25519Recipient::FromPublicKey(std::string_view public_key) {
  if (public_key.size() != crypto::kX25519PointSize) {
    return InvalidArgumentError("an X25519 public key is 32 bytes");
  }
  return X25519Recipient(std::string(public_key));
}

Result<X25519Recipient> X25519Recipient::Parse(std::string_view text) {
  auto decoded = bech32::Decode(text);
  if (!decoded.ok()) {
    return InvalidArgumentError("not an age recipient (\"age1...\"): " +
                                decoded.status().message());
  }
  if (decoded->hrp != internal::kX25519RecipientHrp) {
    return InvalidArgumentError("not an age X25519 recipient: it must start with \"age1\"");
  }
  if (decoded->data.size() != crypto::kX25519PointSize) {
    return InvalidArgumentError("not an age X25519 recipient: the key is not 32 bytes");
  }
  return X25519Recipient(std::string(decoded->data.view()));
}

std::string X25519Recipient::ToString() const {
  auto s = bech32::Encode(internal::kX25519RecipientHrp, public_key_);
  assert(s.ok());
  return std::string(s->view());
}

std::string_view X25519Recipient::stanza_type() const { return internal::kX25519StanzaType; }

Result<std::vector<Stanza>> X25519Recipient::Wrap(const SecretString& file_key, Env& env) const {
  CUSTODY_ASSIGN_OR_RETURN(SecretString ephemeral, RandomSecret(env, crypto::kX25519ScalarSize));
  CUSTODY_ASSIGN_OR_RETURN(std::string share, crypto::X25519PublicKey(ephemeral));
  CUSTODY_ASSIGN_OR_RETURN(SecretString shared, crypto::X25519SharedSecret(ephemeral, public_key_));
  if (IsAllZero(shared)) {
    return InvalidArgumentError("the X25519 recipient is a low-order point and cannot be used");
  }
  // salt = ephemeral share || recipient binds the wrap key to both halves.
  CUSTODY_ASSIGN_OR_RETURN(
      SecretString wrap_key,
      crypto::HkdfSha256(shared.view(), share + public_key_, internal::kX25519Label, kWrapKeySize));
  Stanza s;
  s.type = std::string(internal::kX25519StanzaType);
  s.args.push_back(encoding::Base64Encode(share, Base64Padding::kUnpadded));
  CUSTODY_ASSIGN_OR_RETURN(s.body, crypto::ChaChaPolySeal(wrap_key, kZeroNonce, file_key.view()));
  std::vector<Stanza> out;
  out.push_back(std::move(s));
  return out;
}

// ---- X25519Identity

Result<X25519Identity> X25519Identity::Generate(Env& env) {
  CUSTODY_ASSIGN_OR_RETURN(SecretString scalar, RandomSecret(env, crypto::kX25519ScalarSize));
  CUSTODY_ASSIGN_OR_RETURN(std::string pub, crypto::X25519PublicKey(scalar));
  return X25519Identity(std::move(scalar), X25519Recipient(std::move(pub)));
}

Result<X25519Identity> X25519Identity::Parse(std::string_view text) {
  // Messages never include `text`: it is a secret key.
  auto decoded = bech32::Decode(text);
  if (!decoded.ok()) {
    return InvalidArgumentError("not an age identity (\"AGE-SECRET-KEY-1...\"): " +
                                decoded.status().message());
  }
  if (decoded->hrp != internal::kX25519IdentityHrp) {
    return InvalidArgumentError(
        "not an age X25519 identity: it must start with \"AGE-SECRET-KEY-1\"");
  }
  if (decoded->data.size() != crypto::kX25519ScalarSize) {
    return InvalidArgumentError("not an age X25519 identity: the key is not 32 bytes");
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string pub, crypto::X25519PublicKey(decoded->data));
  return X25519Identity(std::move(decoded->data), X25519Recipient(std::move(pub)));
}

SecretString X25519Identity::ToString() const {
  auto s = bech32::Encode(internal::kX25519IdentityHrp, scalar_.view());
  assert(s.ok());
  return std::move(*s);
}

std::string_view X25519Identity::stanza_type() const { return internal::kX25519StanzaType; }

Result<SecretString> X25519Identity::Unwrap(const Stanza& stanza) const {
  constexpr std::string_view kType = internal::kX25519StanzaType;
  if (stanza.type != kType) return WrongKeyError("not an X25519 stanza");
  if (stanza.args.size() != 1) return StanzaError(kType, "it must have exactly one argument");
  auto share = encoding::Base64Decode(stanza.args[0], Base64Padding::kUnpadded);
  if (!share.ok() || share->size() != crypto::kX25519PointSize) {
    return StanzaError(kType, "the ephemeral share is not canonical base64 of 32 bytes");
  }
  if (stanza.body.size() != kWrappedFileKeySize) {
    return StanzaError(kType, "the wrapped file key is not 32 bytes");
  }
  CUSTODY_ASSIGN_OR_RETURN(SecretString shared, crypto::X25519SharedSecret(scalar_, *share));
  if (IsAllZero(shared)) {
    // A low-order share makes the "shared" secret public; the spec says abort.
    return StanzaError(kType, "the ephemeral share is a low-order point");
  }
  CUSTODY_ASSIGN_OR_RETURN(SecretString wrap_key,
                           crypto::HkdfSha256(shared.view(), *share + recipient_.public_key(),
                                              internal::kX25519Label, kWrapKeySize));
  return OpenFileKey(wrap_key, stanza.body, kType);
}

// ---- ScryptRecipient

Result<ScryptRecipient> ScryptRecipient::Create(SecretString passphrase, int log2_work_factor) {
  if (passphrase.empty()) return InvalidArgumentError("the passphrase is empty");
  if (log2_work_factor < 1 || log2_work_factor > 30) {
    return InvalidArgumentError("the scrypt work factor must be between 2^1 and 2^30");
  }
  return ScryptRecipient(std::move(passphrase), log2_work_factor);
}

std::string_view ScryptRecipient::stanza_type() const { return internal::kScryptStanzaType; }

Result<std::vector<Stanza>> ScryptRecipient::Wrap(const SecretString& file_key, Env& env) const {
  std::string salt(internal::kScryptSaltSize, '\0');
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(reinterpret_cast<uint8_t*>(salt.data()), salt.size()));
  // The label domain-separates age's use of the passphrase.
  CUSTODY_ASSIGN_OR_RETURN(
      SecretString wrap_key,
      crypto::Scrypt(passphrase_.view(), std::string(internal::kScryptSaltLabel) + salt,
                     log2_work_factor_, internal::kScryptBlockSize,
                     internal::kScryptParallelization, kWrapKeySize));
  Stanza s;
  s.type = std::string(internal::kScryptStanzaType);
  s.args.push_back(encoding::Base64Encode(salt, Base64Padding::kUnpadded));
  s.args.push_back(std::to_string(log2_work_factor_));
  CUSTODY_ASSIGN_OR_RETURN(s.body, crypto::ChaChaPolySeal(wrap_key, kZeroNonce, file_key.view()));
  std::vector<Stanza> out;
  out.push_back(std::move(s));
  return out;
}

// ---- ScryptIdentity

Result<ScryptIdentity> ScryptIdentity::Create(SecretString passphrase, int max_log2_work_factor) {
  if (passphrase.empty()) return InvalidArgumentError("the passphrase is empty");
  if (max_log2_work_factor < 1 || max_log2_work_factor > 30) {
    return InvalidArgumentError("the maximum scrypt work factor must be between 2^1 and 2^30");
  }
  return ScryptIdentity(std::move(passphrase), max_log2_work_factor);
}

std::string_view ScryptIdentity::stanza_type() const { return internal::kScryptStanzaType; }

Result<SecretString> ScryptIdentity::Unwrap(const Stanza& stanza) const {
  constexpr std::string_view kType = internal::kScryptStanzaType;
  if (stanza.type != kType) return WrongKeyError("not an scrypt stanza");
  if (stanza.args.size() != 2) return StanzaError(kType, "it must have exactly two arguments");
  auto salt = encoding::Base64Decode(stanza.args[0], Base64Padding::kUnpadded);
  if (!salt.ok() || salt->size() != internal::kScryptSaltSize) {
    return StanzaError(kType, "the salt is not canonical base64 of 16 bytes");
  }
  int log2_n = 0;
  if (!ParseWorkFactor(stanza.args[1], &log2_n)) {
    return StanzaError(kType, "the work factor is not a decimal number without leading zeros");
  }
  if (log2_n > max_log2_work_factor_) {
    return UnsupportedError(
        "the scrypt work factor 2^" + std::to_string(log2_n) + " is above the accepted maximum 2^" +
        std::to_string(max_log2_work_factor_) + " (it would take too long or too much memory)");
  }
  if (stanza.body.size() != kWrappedFileKeySize) {
    return StanzaError(kType, "the wrapped file key is not 32 bytes");
  }
  CUSTODY_ASSIGN_OR_RETURN(
      SecretString wrap_key,
      crypto::Scrypt(passphrase_.view(), std::string(internal::kScryptSaltLabel) + *salt, log2_n,
                     internal::kScryptBlockSize, internal::kScryptParallelization, kWrapKeySize));
  auto key = OpenFileKey(wrap_key, stanza.body, kType);
  if (!key.ok() && key.status().code() == StatusCode::kWrongKey) {
    return WrongKeyError("the passphrase is wrong");
  }
  return key;
}

}  // namespace custody::age
