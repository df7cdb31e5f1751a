// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "station/signing_key.h"

#include "crypto/age.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"

namespace custody::station {
namespace {
constexpr std::string_view kMagic = "custody signing key v1\n";
constexpr std::string_view kAgeMagic = "age-encryption.org/v1\n";
}  // namespace

bool IsProtectedKeyFile(std::string_view file) {
  return file.substr(0, kAgeMagic.size()) == kAgeMagic;
}

Result<SecretString> EncodeSigningKey(const SigningKey& key, const SecretString* passphrase,
                                      int log2_work_factor) {
  std::string seed_b64 = encoding::Base64Encode(key.seed.view());
  SecretString text(std::string(kMagic) + "origin " + key.origin + "\npublic " +
                    encoding::Base64Encode(key.public_key) + "\nseed " + seed_b64 + "\n");
  WipeMemory(seed_b64.data(), seed_b64.size());
  if (passphrase == nullptr) return text;
  // Why age's scrypt stanza rather than a custom wrap: the protected key file
  // is then a standard age file, so an operator can recover the seed with the
  // stock `age -d` tool if custody is gone, and no new key-wrapping format
  // needs review. Work factor 2^18 is age's default (~1 s, 256 MiB).
  CUSTODY_ASSIGN_OR_RETURN(age::ScryptRecipient recipient,
                           age::ScryptRecipient::Create(passphrase->Clone(), log2_work_factor));
  CUSTODY_ASSIGN_OR_RETURN(std::string sealed, age::Encrypt(text.view(), {&recipient}));
  return SecretString(std::move(sealed));
}

Result<SigningKey> DecodeSigningKey(std::string_view file, const SecretString* passphrase) {
  if (IsProtectedKeyFile(file)) {
    if (passphrase == nullptr) return WrongKeyError("the station key is protected by a passphrase");
    CUSTODY_ASSIGN_OR_RETURN(age::ScryptIdentity identity,
                             age::ScryptIdentity::Create(passphrase->Clone()));
    auto plain = age::Decrypt(file, {&identity});
    if (!plain.ok()) {
      if (plain.status().code() == StatusCode::kWrongKey)
        return WrongKeyError("wrong passphrase for the station signing key");
      return CorruptionError("the protected station signing key is damaged: " +
                             plain.status().message());
    }
    if (IsProtectedKeyFile(plain->view()))
      return CorruptionError("signing key file: nested protection");
    return DecodeSigningKey(plain->view(), nullptr);
  }
  if (file.substr(0, kMagic.size()) != kMagic)
    return CorruptionError("not a custody signing key file");
  file.remove_prefix(kMagic.size());
  SigningKey key;
  std::string public_b64;
  SecretString seed_b64;
  while (!file.empty()) {
    size_t nl = file.find('\n');
    if (nl == std::string_view::npos)
      return CorruptionError("signing key file: missing final newline");
    std::string_view line = file.substr(0, nl);
    file.remove_prefix(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return CorruptionError("signing key file: malformed line");
    std::string_view k = line.substr(0, sp), v = line.substr(sp + 1);
    if (k == "origin")
      key.origin = std::string(v);
    else if (k == "public")
      public_b64 = std::string(v);
    else if (k == "seed")
      seed_b64 = SecretString(v);
    else
      return CorruptionError("signing key file: unknown field");
  }
  auto pub = encoding::Base64Decode(public_b64);
  auto seed = encoding::Base64Decode(seed_b64.view());
  if (!pub.ok() || !seed.ok() || pub->size() != 32 || seed->size() != 32 || key.origin.empty()) {
    if (seed.ok()) WipeMemory(seed->data(), seed->size());
    return CorruptionError("signing key file: bad origin, public key or seed");
  }
  key.public_key = *pub;
  key.seed = SecretString(*seed);
  WipeMemory(seed->data(), seed->size());
  CUSTODY_ASSIGN_OR_RETURN(std::string derived, crypto::Ed25519PublicKey(key.seed));
  if (derived != key.public_key)
    return CorruptionError("signing key file: the seed does not match the public key");
  return key;
}

}  // namespace custody::station
