// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// AgeEncryptor / AgeDecryptor: the header, the identities and the STREAM
// payload composed into files.
#include "crypto/age.h"

#include <algorithm>

#include "crypto/age_format.h"
#include "crypto/encoding.h"
#include "custody/env.h"

namespace custody::age {
namespace {

using internal::kPayloadNonceSize;

// Lists distinct values in order, at most `limit` of them.
std::string JoinDistinct(const std::vector<std::string>& values, size_t limit) {
  std::vector<std::string> distinct;
  for (const auto& v : values) {
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  }
  std::string out;
  for (size_t i = 0; i < distinct.size() && i < limit; ++i) {
    if (i > 0) out += i + 1 == distinct.size() || i + 1 == limit ? " and " : ", ";
    out += distinct[i];
  }
  if (distinct.size() > limit)
    out += " (and " + std::to_string(distinct.size() - limit) + " more types)";
  return out;
}

Status NoMatchError(const std::vector<std::string>& stanza_types,
                    const std::vector<const IdentityUnwrapper*>& identities) {
  std::vector<std::string> identity_types;
  for (const auto* id : identities) identity_types.emplace_back(id->stanza_type());
  bool passphrase_file = stanza_types.size() == 1 && stanza_types[0] == internal::kScryptStanzaType;
  bool have_passphrase =
      std::find(identity_types.begin(), identity_types.end(),
                std::string(internal::kScryptStanzaType)) != identity_types.end();
  if (passphrase_file) {
    return WrongKeyError(have_passphrase
                             ? "wrong passphrase: it does not decrypt this passphrase-protected "
                               "(scrypt) file"
                             : "this file is protected by a passphrase (scrypt); give the "
                               "passphrase, not a key");
  }
  return WrongKeyError("this file is encrypted to " + JoinDistinct(stanza_types, 5) +
                       " recipients; none of your identities (" + JoinDistinct(identity_types, 5) +
                       ") match. Use the identity whose recipient the file was encrypted to.");
}

}  // namespace

// ---- AgeEncryptor

struct AgeEncryptor::Impl {
  std::unique_ptr<internal::ArmorSink> armor;
  std::unique_ptr<internal::StreamWriter> stream;
  Status error;
  bool finished = false;
};

AgeEncryptor::AgeEncryptor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AgeEncryptor::~AgeEncryptor() = default;

Result<std::unique_ptr<AgeEncryptor>> AgeEncryptor::Create(
    const std::vector<const RecipientStanzaWrapper*>& recipients, ByteSink* sink,
    const EncryptOptions& options) {
  if (sink == nullptr) return InvalidArgumentError("age: no output sink");
  if (recipients.empty()) return InvalidArgumentError("age: no recipients given");
  for (const auto* r : recipients) {
    if (r == nullptr) return InvalidArgumentError("age: null recipient");
    if (r->requires_sole_stanza() && recipients.size() != 1) {
      return InvalidArgumentError("a " + std::string(r->stanza_type()) +
                                  " (passphrase) recipient must be the only recipient of a file");
    }
  }
  if (options.armor == Armor::kAuto) {
    return InvalidArgumentError("age: choose binary or armored output to encrypt");
  }
  Env& env = options.env != nullptr ? *options.env : *Env::Default();

  SecretString file_key(kFileKeySize);
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(file_key.mutable_bytes(), file_key.size()));
  std::vector<Stanza> stanzas;
  for (const auto* r : recipients) {
    CUSTODY_ASSIGN_OR_RETURN(std::vector<Stanza> wrapped, r->Wrap(file_key, env));
    for (auto& s : wrapped) stanzas.push_back(std::move(s));
  }
  std::string header = internal::SerializeHeaderWithoutMac(stanzas);
  CUSTODY_ASSIGN_OR_RETURN(std::string mac, internal::ComputeHeaderMac(file_key, header));
  header = internal::SerializeHeader(stanzas, mac);

  std::string nonce(kPayloadNonceSize, '\0');
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size()));
  CUSTODY_ASSIGN_OR_RETURN(SecretString payload_key, internal::DerivePayloadKey(file_key, nonce));

  auto impl = std::make_unique<Impl>();
  ByteSink* out = sink;
  if (options.armor == Armor::kArmored) {
    impl->armor = std::make_unique<internal::ArmorSink>(sink);
    out = impl->armor.get();
  }
  CUSTODY_RETURN_IF_ERROR(out->Write(header + nonce));
  CUSTODY_ASSIGN_OR_RETURN(impl->stream, internal::StreamWriter::Create(payload_key, out));
  return std::unique_ptr<AgeEncryptor>(new AgeEncryptor(std::move(impl)));
}

Status AgeEncryptor::Write(std::string_view plaintext) {
  if (!impl_->error.ok()) return impl_->error;
  if (impl_->finished) return FailedPreconditionError("age: Write after Finish");
  Status s = impl_->stream->Write(plaintext);
  if (!s.ok()) impl_->error = s;
  return s;
}

Status AgeEncryptor::Finish() {
  if (!impl_->error.ok()) return impl_->error;
  if (impl_->finished) return FailedPreconditionError("age: Finish called twice");
  impl_->finished = true;
  Status s = impl_->stream->Finish();
  if (s.ok() && impl_->armor) s = impl_->armor->Finish();
  if (!s.ok()) impl_->error = s;
  return s;
}

uint64_t AgeEncryptor::plaintext_size() const { return impl_->stream->plaintext_size(); }

// ---- AgeDecryptor

struct AgeDecryptor::Impl {
  std::unique_ptr<internal::BufferedReader> raw;
  std::unique_ptr<internal::ArmorSource> armor;
  std::unique_ptr<internal::BufferedReader> armored;
  std::unique_ptr<internal::StreamReader> stream;
  std::vector<std::string> stanza_types;
};

AgeDecryptor::AgeDecryptor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AgeDecryptor::~AgeDecryptor() = default;

Result<std::unique_ptr<AgeDecryptor>> AgeDecryptor::Open(
    ByteSource* source, const std::vector<const IdentityUnwrapper*>& identities,
    const DecryptOptions& options) {
  if (source == nullptr) return InvalidArgumentError("age: no input source");
  for (const auto* id : identities) {
    if (id == nullptr) return InvalidArgumentError("age: null identity");
  }
  auto impl = std::make_unique<Impl>();
  impl->raw = std::make_unique<internal::BufferedReader>(source);
  bool armored = options.armor == Armor::kArmored;
  if (options.armor == Armor::kAuto) {
    CUSTODY_ASSIGN_OR_RETURN(armored, internal::LooksArmored(*impl->raw));
  }
  internal::BufferedReader* in = impl->raw.get();
  if (armored) {
    impl->armor = std::make_unique<internal::ArmorSource>(impl->raw.get());
    impl->armored = std::make_unique<internal::BufferedReader>(impl->armor.get());
    in = impl->armored.get();
  }

  CUSTODY_ASSIGN_OR_RETURN(internal::Header header, internal::ParseHeader(*in));
  for (const auto& s : header.stanzas) impl->stanza_types.push_back(s.type);

  // Passphrase files carry one stanza only (see ScryptRecipient); a second
  // stanza would let someone other than the passphrase holder have made it.
  for (const auto& s : header.stanzas) {
    if (s.type == internal::kScryptStanzaType && header.stanzas.size() != 1) {
      return CorruptionError(
          "malformed age header: an scrypt (passphrase) stanza must be the only stanza");
    }
  }

  // Checked after parsing, so that a damaged file says so first.
  if (identities.empty()) return InvalidArgumentError("age: no identities given");
  SecretString file_key;
  bool found = false;
  for (const auto* id : identities) {
    for (const auto& s : header.stanzas) {
      auto key = id->Unwrap(s);
      if (key.ok()) {
        if (key->size() != kFileKeySize) {
          return InternalError("age: an identity returned a file key that is not 16 bytes");
        }
        file_key = std::move(*key);
        found = true;
        break;
      }
      if (key.status().code() != StatusCode::kWrongKey) return key.status();
    }
    if (found) break;
  }
  if (!found) return NoMatchError(impl->stanza_types, identities);

  CUSTODY_ASSIGN_OR_RETURN(std::string mac, internal::ComputeHeaderMac(file_key, header.mac_input));
  if (!crypto::ConstantTimeEquals(mac, header.mac)) {
    return VerificationFailedError(
        "the age header MAC does not match: the header was modified after encryption");
  }

  std::string nonce(kPayloadNonceSize, '\0');
  CUSTODY_ASSIGN_OR_RETURN(size_t got,
                           ReadFull(*in, reinterpret_cast<uint8_t*>(nonce.data()), nonce.size()));
  if (got != kPayloadNonceSize) {
    return TruncatedError("the file ends before the payload nonce: it is truncated");
  }
  CUSTODY_ASSIGN_OR_RETURN(SecretString payload_key, internal::DerivePayloadKey(file_key, nonce));
  CUSTODY_ASSIGN_OR_RETURN(impl->stream, internal::StreamReader::Create(payload_key, in, options.short_end_is_truncation));
  return std::unique_ptr<AgeDecryptor>(new AgeDecryptor(std::move(impl)));
}

Result<size_t> AgeDecryptor::Read(uint8_t* buf, size_t n) { return impl_->stream->Read(buf, n); }

Result<std::string_view> AgeDecryptor::ReadView() { return impl_->stream->ReadView(); }

Status AgeDecryptor::ReadAll(ByteSink* sink) {
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view plain, ReadView());
    if (plain.empty()) return Status::Ok();
    CUSTODY_RETURN_IF_ERROR(sink->Write(plain));
  }
}

const std::vector<std::string>& AgeDecryptor::stanza_types() const { return impl_->stanza_types; }

// ---- Conveniences

Result<std::string> Encrypt(std::string_view plaintext,
                            const std::vector<const RecipientStanzaWrapper*>& recipients,
                            const EncryptOptions& options) {
  std::string out;
  StringSink sink(&out);
  CUSTODY_ASSIGN_OR_RETURN(auto enc, AgeEncryptor::Create(recipients, &sink, options));
  CUSTODY_RETURN_IF_ERROR(enc->Write(plaintext));
  CUSTODY_RETURN_IF_ERROR(enc->Finish());
  return out;
}

Result<SecretString> Decrypt(std::string_view ciphertext,
                             const std::vector<const IdentityUnwrapper*>& identities,
                             const DecryptOptions& options) {
  StringSource source(ciphertext);
  CUSTODY_ASSIGN_OR_RETURN(auto dec, AgeDecryptor::Open(&source, identities, options));
  // The plaintext is assembled in a buffer sized once, so no reallocation
  // leaves an unwiped copy; it grows only if the payload is larger than the
  // ciphertext says, which it cannot be.
  SecretString out(ciphertext.size());
  size_t len = 0;
  while (true) {
    if (len == out.size()) return InternalError("age: plaintext larger than ciphertext");
    CUSTODY_ASSIGN_OR_RETURN(size_t n, dec->Read(out.mutable_bytes() + len, out.size() - len));
    if (n == 0) break;
    len += n;
  }
  return SecretString(out.view().substr(0, len));
}

}  // namespace custody::age
