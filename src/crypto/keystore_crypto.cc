// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/keystore_crypto.h"

#include <algorithm>
#include <optional>

#include "crypto/age.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "custody/password.h"

namespace custody::crypto {

namespace {

// 20 symbols of the password alphabet from SHA-256(label || text).
std::string ShortFingerprint(std::string_view label, std::string_view text) {
  std::string input(label);
  input.append(text);
  Sha256Digest d = Sha256(input);
  // 100 bits: second preimages cost 2^100, so a substituted key cannot be
  // given a matching fingerprint, yet 20 characters can be read by phone.
  // Symbols are taken 5 bits at a time, most significant first.
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t byte = 0;
  for (int sym = 0; sym < 20; ++sym) {
    while (bits < 5) {
      acc = (acc << 8) | d[byte++];
      bits += 8;
    }
    uint32_t v = (acc >> (bits - 5)) & 31;
    bits -= 5;
    if (sym > 0 && sym % 5 == 0) out.push_back('-');
    out.push_back(kPasswordAlphabet[v]);
  }
  return out;
}

}  // namespace

std::string FingerprintOfRecipient(std::string_view canonical_recipient) {
  return ShortFingerprint(kRecipientFingerprintLabel, canonical_recipient);
}

std::string FingerprintOfVerifierKey(std::string_view verifier_key) {
  return ShortFingerprint(kSenderFingerprintLabel, verifier_key);
}

Result<std::string> CanonicalRecipient(std::string_view text) {
  // Bech32 allows an all-uppercase spelling (easier to read out); the age
  // parser compares the HRP case-sensitively, so fold it here. Mixed case
  // stays invalid (Bech32 forbids it and the parser rejects it).
  std::string folded(text);
  if (std::none_of(folded.begin(), folded.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  auto r = age::X25519Recipient::Parse(folded);
  if (!r.ok()) {
    return InvalidArgumentError(
        "not an age X25519 recipient (expected age1 followed by 58 characters)");
  }
  return r->ToString();
}

Result<GeneratedKey> GenerateKeyFile(Env& env, std::string_view created) {
  CUSTODY_ASSIGN_OR_RETURN(age::X25519Identity id, age::X25519Identity::Generate(env));
  GeneratedKey out;
  out.recipient = id.Recipient().ToString();
  SecretString secret = id.ToString();
  // Built in place and wiped: no unwiped temporary copy of the secret.
  std::string text =
      "# created: " + std::string(created) + "\n# public key: " + out.recipient + "\n";
  text.reserve(text.size() + secret.size() + 1);
  text.append(secret.view());
  text.push_back('\n');
  out.key_file = SecretString(text);
  WipeMemory(text.data(), text.size());
  return out;
}

Result<SecretString> ParseKeyFile(std::string_view text, std::string* recipient) {
  std::optional<age::X25519Identity> found;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line[0] == '#') continue;
    if (found) return CorruptionError("key file holds more than one identity");
    auto id = age::X25519Identity::Parse(line);
    if (!id.ok()) return CorruptionError("key file holds a malformed identity");
    found.emplace(std::move(*id));
  }
  if (!found) return CorruptionError("key file holds no identity");
  if (recipient != nullptr) *recipient = found->Recipient().ToString();
  return found->ToString();
}

Result<std::string> SealUnderPassphrase(const SecretString& key_file,
                                        const SecretString& passphrase, int log2_work_factor,
                                        Env& env) {
  CUSTODY_ASSIGN_OR_RETURN(auto r,
                           age::ScryptRecipient::Create(passphrase.Clone(), log2_work_factor));
  age::EncryptOptions o;
  o.env = &env;
  return age::Encrypt(key_file.view(), {&r}, o);
}

Result<SecretString> OpenUnderPassphrase(std::string_view file, const SecretString& passphrase) {
  CUSTODY_ASSIGN_OR_RETURN(auto id, age::ScryptIdentity::Create(passphrase.Clone()));
  auto out = age::Decrypt(file, {&id});
  if (!out.ok() && out.status().code() == StatusCode::kWrongKey) {
    return WrongKeyError("wrong keystore passphrase");
  }
  return out;
}

Result<std::string> WrapToRecipient(const SecretString& key_file, std::string_view recipient,
                                    Env& env) {
  CUSTODY_ASSIGN_OR_RETURN(auto r, age::X25519Recipient::Parse(recipient));
  age::EncryptOptions o;
  o.env = &env;
  return age::Encrypt(key_file.view(), {&r}, o);
}

Result<SecretString> UnwrapWithIdentity(std::string_view file, const SecretString& identity) {
  auto id = age::X25519Identity::Parse(identity.view());
  if (!id.ok()) return CorruptionError("the keystore identity is malformed");
  return age::Decrypt(file, {&*id});
}

}  // namespace custody::crypto
