// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Station-level key operations: a keystore change plus its ledger record
// (docs/formats/events.md, "Keys"). Event data carries names, kinds, public
// keys and fingerprints only.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "crypto/keystore_crypto.h"
#include "custody/keystore.h"

namespace custody {

Result<KeyInfo> CreateKey(Station& station, Keystore& keystore, const std::string& operator_name,
                          const std::string& name,
                          const PassphraseProvider& new_keystore_passphrase) {
  if (!keystore.initialized()) {
    if (!new_keystore_passphrase)
      return FailedPreconditionError("the keystore needs a passphrase first");
    CUSTODY_ASSIGN_OR_RETURN(SecretString passphrase, new_keystore_passphrase());
    CUSTODY_RETURN_IF_ERROR(keystore.Initialize(passphrase));
  }
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, keystore.GenerateKey(name, KeyKind::kIdentity));
  nlohmann::json data = {{"name", info.name},
                         {"kind", KeyKindName(info.kind)},
                         {"recipient", info.recipient},
                         {"fingerprint", info.fingerprint}};
  auto entry = station.Record("key.created", operator_name, data.dump());
  if (!entry.ok()) {
    // An unrecorded key must not exist: the ledger is the register of keys.
    keystore.DestroyKey(name).status().IgnoreError();
    return entry.status().WithContext("key not created (the ledger refused the record)");
  }
  spdlog::info("key {} created (ledger entry {})", name, entry->seq);
  return info;
}

Result<KeyInfo> ImportRecipient(Station& station, Keystore& keystore,
                                const std::string& operator_name, const std::string& name,
                                std::string_view age_recipient,
                                std::string_view confirmed_fingerprint,
                                const std::string& confirmation) {
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, crypto::CanonicalRecipient(age_recipient));
  std::string fingerprint = crypto::FingerprintOfRecipient(canonical);
  if (!FingerprintMatches(confirmed_fingerprint, fingerprint)) {
    return VerificationFailedError(
        "the fingerprint confirmed (" + std::string(confirmed_fingerprint) +
        ") is not this key's (" + fingerprint +
        "): ask the key's owner to read it again; the key was NOT imported");
  }
  if (confirmation != "interactive" && confirmation != "confirm-fingerprint") {
    return InvalidArgumentError("confirmation must be interactive or confirm-fingerprint");
  }
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info,
                           keystore.AddRecipient(name, canonical, confirmation, operator_name));
  nlohmann::json data = {{"name", info.name},
                         {"recipient", info.recipient},
                         {"fingerprint", info.fingerprint},
                         {"confirmation", confirmation}};
  auto entry = station.Record("key.recipient-imported", operator_name, data.dump());
  if (!entry.ok()) {
    keystore.DestroyKey(name).status().IgnoreError();
    return entry.status().WithContext("recipient not imported (the ledger refused the record)");
  }
  return info;
}

Result<KeyInfo> ImportSender(Station& station, Keystore& keystore, const std::string& operator_name,
                             const std::string& name, std::string_view verifier_key,
                             std::string_view confirmed_fingerprint,
                             const std::string& confirmation) {
  std::string fingerprint = SenderFingerprint(verifier_key);
  if (fingerprint == "invalid") {
    return InvalidArgumentError(
        "not a station verifier key (expected name+hex8+base64, as custody status prints it on "
        "the sending station); nothing was imported");
  }
  if (!FingerprintMatches(confirmed_fingerprint, fingerprint)) {
    return VerificationFailedError(
        "the fingerprint confirmed (" + std::string(confirmed_fingerprint) +
        ") is not this key's (" + fingerprint +
        "): ask the sending station to read it again; the key was NOT imported");
  }
  if (confirmation != "interactive" && confirmation != "confirm-fingerprint") {
    return InvalidArgumentError("confirmation must be interactive or confirm-fingerprint");
  }
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info,
                           keystore.AddSender(name, verifier_key, confirmation, operator_name));
  nlohmann::json data = {{"name", info.name},
                         {"verifier_key", info.verifier_key},
                         {"fingerprint", info.fingerprint},
                         {"confirmation", confirmation}};
  auto entry = station.Record("key.sender-imported", operator_name, data.dump());
  if (!entry.ok()) {
    // An unrecorded sender must not be trusted: the ledger is the register.
    keystore.DestroyKey(name).status().IgnoreError();
    return entry.status().WithContext("sender not imported (the ledger refused the record)");
  }
  spdlog::info("sender {} imported (ledger entry {})", name, entry->seq);
  return info;
}

Result<DestroyedKey> DestroyKey(Station& station, Keystore& keystore,
                                const std::string& operator_name, const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, keystore.Get(name));
  if (info.kind == KeyKind::kVault) {
    return FailedPreconditionError("\"" + name +
                                   "\" is a vault key: destroying it is a crypto-erase; use "
                                   "`custody crypto-erase vault " +
                                   name + "`, which records what it erases");
  }
  // Sign first: a station whose key is protected asks for its passphrase
  // now, before anything is destroyed, so that the destruction is recorded.
  CUSTODY_RETURN_IF_ERROR(station.Sign("custody key destroy preflight").status());
  CUSTODY_ASSIGN_OR_RETURN(DestroyedKey destroyed, keystore.DestroyKey(name));
  nlohmann::json data = {
      {"name", info.name},           {"kind", KeyKindName(info.kind)},
      {"recipient", info.recipient}, {"fingerprint", info.fingerprint},
      {"created", info.created},     {"files_destroyed", destroyed.files.size()}};
  if (info.kind == KeyKind::kSender) {
    // A sender has a verifier key, not an age recipient.
    data.erase("recipient");
    data["verifier_key"] = info.verifier_key;
  }
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry,
                           station.Record("key.destroyed", operator_name, data.dump()));
  spdlog::info("key {} destroyed (ledger entry {})", name, entry.seq);
  return destroyed;
}

}  // namespace custody
