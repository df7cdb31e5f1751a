// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The station's keystore: X25519 identities for receiving packages, vault
// keys, the public keys (recipients) of the municipalities it sends to, and
// the verifier keys of the stations it receives packages from (senders).
// Format and threat model: docs/formats/keystore.md.
//
// Layout (<home>/keystore/, 0700; every file 0600):
//   keystore.age   the keystore identity, age-encrypted under the keystore
//                  passphrase (one scrypt stanza)
//   keystore.json  the keystore identity's public recipient
//   NAME.json      public metadata of key NAME (kind, recipient, fingerprint)
//   NAME.age       key NAME's secret, age-encrypted to the keystore identity
//                  (identities and vaults only; recipients and senders
//                  have no secret)
//
// Creating a key needs no passphrase (it is encrypted to the keystore's
// public recipient); reading a secret back (opening a package, a vault)
// needs the keystore passphrase once per process (Unlock). Both layers are
// standard age, so `age -d` recovers a key without custody.
//
// Typical use by a package reader:
//   CUSTODY_ASSIGN_OR_RETURN(auto ks, Keystore::Open(station.home(), env));
//   CUSTODY_RETURN_IF_ERROR(ks->Unlock(passphrase));  // kWrongKey if wrong
//   CUSTODY_ASSIGN_OR_RETURN(auto ids, ks->Identities());
//   // ids[i].secret_key is "AGE-SECRET-KEY-1...", ids[i].name for messages.
// And by a package writer (--to-key NAME):
//   CUSTODY_ASSIGN_OR_RETURN(std::string age1, ks->LookupRecipient("city-hall"));
//
// Failure codes: kNotFound (no such key; no keystore yet), kAlreadyExists
// (name taken; a sender key already stored under another name),
// kInvalidArgument (bad name, bad age1 string, bad verifier key, weak
// keystore passphrase), kWrongKey (wrong keystore passphrase), kFailedPrecondition
// (not unlocked; a vault used as a package recipient; a recipient asked for
// its secret), kCorruption (a file is malformed, or a secret does not match
// its metadata), kVerificationFailed (a fingerprint confirmation does not
// match), kIoError (from the OS).
//
// Thread safety: a Keystore is used by one thread at a time. Two processes
// changing the same key at once are not coordinated (each file is replaced
// atomically, so the loser's change is lost, never half-written).
#ifndef CUSTODY_KEYSTORE_H_
#define CUSTODY_KEYSTORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/secret.h"
#include "custody/station.h"
#include "custody/status.h"

namespace custody {

class Env;

enum class KeyKind {
  kIdentity,   // An X25519 identity of this station: packages are sent to it.
  kRecipient,  // A municipality's public key (age1...): packages go to it.
  kVault,      // A vault key: data sealed for the station itself; its
               // destruction is a crypto-erase (custody/vault.h).
  kSender,     // Another station's Ed25519 verifier key (C2SP
               // "name+hex8+base64"): packages signed by it are shown as
               // from this sender (custody/package.h KnownSenders).
};
// "identity", "recipient", "vault", "sender"
std::string_view KeyKindName(KeyKind kind);

// The short fingerprint of an "age1..." recipient, to read out by phone:
// 20 characters of custody's look-alike-free alphabet (the password
// alphabet, 5 bits each: 100 bits of SHA-256 under a named label) in four
// groups of five, e.g. "7KQ2M-XC9RT-4HBWN-PZ3LA". The same key always gives
// the same fingerprint, whatever the case of the input age1 string.
// Precondition: `age_recipient` is a valid recipient (else "invalid").
std::string RecipientFingerprint(std::string_view age_recipient);
// True when `typed` names the fingerprint `expected`, ignoring case, spaces
// and hyphens (a person types what they heard).
bool FingerprintMatches(std::string_view typed, std::string_view expected);
// The short fingerprint of a station's verifier key ("name+hex8+base64", as
// `custody status` prints it), in the same 20-symbol form, under its own
// label (docs/formats/keystore.md): what a sender reads out by phone and
// `custody key import-sender` checks. "invalid" if it is not a valid Ed25519
// verifier key.
std::string SenderFingerprint(std::string_view verifier_key);

// A package sealed to a vault (custody/vault.h).
struct SealedRecord {
  std::string digest;  // SHA-256 hex of the sealed output file.
  uint64_t size = 0;   // Bytes of the output file.
  std::string sealed;  // RFC 3339 UTC.
  std::string output;  // The path given at sealing (for the operator only).
  uint64_t ledger_seq = 0;
};

// Public metadata of one key (NAME.json). Never holds a secret.
struct KeyInfo {
  std::string name;
  KeyKind kind = KeyKind::kIdentity;
  std::string recipient;     // "age1..." (lowercase); empty for kSender.
  std::string verifier_key;  // kSender only: "name+hex8+base64".
  // RecipientFingerprint(recipient); kSender: SenderFingerprint(verifier_key).
  std::string fingerprint;
  std::string created;  // RFC 3339 UTC.
  // kRecipient and kSender: how the fingerprint was confirmed
  // ("interactive" or "confirm-fingerprint"), and who confirmed it.
  std::string confirmation;
  std::string confirmed_by;
  // kVault: copies of the secret exported (escrowed) and copies whose
  // destruction the operator has recorded. A crypto-erase is refused while
  // exported > destroyed_copies.
  uint32_t exported = 0;
  uint32_t destroyed_copies = 0;
  std::vector<SealedRecord> sealed;
};

// A station identity, decrypted. Wiped when destroyed.
struct StationIdentity {
  std::string name;
  std::string recipient;  // "age1..."
  std::string fingerprint;
  SecretString secret_key;  // "AGE-SECRET-KEY-1..." (the age-keygen format)
};

// What DestroyKey removed.
struct DestroyedKey {
  KeyInfo info;                    // The metadata as it was.
  std::vector<std::string> files;  // Files overwritten and unlinked.
};

struct KeystoreOptions {
  // scrypt work factor (log2 N) for a NEW keystore passphrase. Keep the
  // default (age's 18: about 1 s and 256 MiB); tests lower it.
  int scrypt_log2_work_factor = 18;
};

class Keystore {
 public:
  // Opens (does not create) the keystore of the station in `station_home`.
  // Succeeds when the directory does not exist yet: initialized() is false.
  static Result<std::unique_ptr<Keystore>> Open(const std::string& station_home, Env* env,
                                                KeystoreOptions options = {});
  ~Keystore();

  const std::string& dir() const { return dir_; }
  // True once a keystore passphrase has been set (keystore.age exists).
  bool initialized() const;
  // Creates the keystore identity under `new_passphrase`. kAlreadyExists if
  // initialized; kInvalidArgument if the passphrase is weak
  // (custody/password.h CheckPassphraseStrength).
  Status Initialize(const SecretString& new_passphrase);

  // Decrypts the keystore identity. kWrongKey for a wrong passphrase,
  // kNotFound if not initialized. Idempotent once unlocked.
  Status Unlock(const SecretString& passphrase);
  bool unlocked() const;

  Result<KeyInfo> Get(const std::string& name);
  // Every key, sorted by name.
  Result<std::vector<KeyInfo>> List();
  // The "age1..." to encrypt a package to key NAME: a recipient, or one of
  // the station's own identities. kFailedPrecondition for a vault key (seal
  // to it with `custody vault seal`, never by package) and for a sender (a
  // signing key: it cannot receive).
  Result<std::string> LookupRecipient(const std::string& name);

  // Requires unlocked(). The secret of identity or vault NAME, checked
  // against its metadata. kFailedPrecondition for a recipient or sender.
  Result<StationIdentity> LoadIdentity(const std::string& name);
  // Requires unlocked(). Every kIdentity key (not vaults), sorted by name.
  Result<std::vector<StationIdentity>> Identities();
  // Every kSender key, sorted by name. Needs no passphrase (public keys).
  Result<std::vector<KeyInfo>> Senders();

  // ---- Changes (no ledger records; custody/key_ops below and vault.h
  // record them). Names: 1-64 of [A-Za-z0-9._-], not starting with '.' or '-'.

  // A new X25519 identity (kIdentity or kVault): NAME.age first, then
  // NAME.json, each written atomically; on failure neither is left.
  // Requires initialized() (not unlocked()).
  Result<KeyInfo> GenerateKey(const std::string& name, KeyKind kind);
  // Stores a recipient. kInvalidArgument for a bad age1 string.
  Result<KeyInfo> AddRecipient(const std::string& name, std::string_view age_recipient,
                               std::string confirmation, std::string confirmed_by);
  // Stores a sender's verifier key. kInvalidArgument for a malformed key;
  // kAlreadyExists for a name taken, or a key already stored as another
  // sender (one name per station key: the name is what a package is shown
  // as coming from).
  Result<KeyInfo> AddSender(const std::string& name, std::string_view verifier_key,
                            std::string confirmation, std::string confirmed_by);
  // Rewrites NAME.json (atomically). The name, kind and recipient must be
  // unchanged.
  Status UpdateInfo(const KeyInfo& info);
  // Overwrites NAME.age in place with random bytes, fsyncs, unlinks it, then
  // NAME.json; fsyncs the directory. Overwriting is best effort on
  // journaling, copy-on-write and flash storage (see keystore.md): what is
  // left there is still encrypted to the keystore identity.
  Result<DestroyedKey> DestroyKey(const std::string& name);

 private:
  Keystore() = default;
  std::string MetaPath(const std::string& name) const;
  std::string SecretPath(const std::string& name) const;
  Status EnsureDir();

  std::string dir_;
  Env* env_ = nullptr;
  KeystoreOptions options_;
  std::string keystore_recipient_;                 // From keystore.json.
  std::optional<SecretString> keystore_identity_;  // Once unlocked.
};

// ---- Station-level key operations: change the keystore and record the step
// in the ledger (docs/formats/events.md, "Keys"). `operator_name` is who
// performs it.

// `custody key create NAME`. If the keystore has no passphrase yet, asks
// `new_keystore_passphrase` for one (and refuses a weak one). Records
// `key.created`.
Result<KeyInfo> CreateKey(Station& station, Keystore& keystore, const std::string& operator_name,
                          const std::string& name,
                          const PassphraseProvider& new_keystore_passphrase);

// `custody key import-recipient NAME age1...`. `confirmed_fingerprint` is
// what the operator confirmed (typed, or accepted on the terminal); it must
// match RecipientFingerprint(age_recipient), else kVerificationFailed and
// nothing is stored. `confirmation` says how ("interactive" or
// "confirm-fingerprint"). Records `key.recipient-imported`.
Result<KeyInfo> ImportRecipient(Station& station, Keystore& keystore,
                                const std::string& operator_name, const std::string& name,
                                std::string_view age_recipient,
                                std::string_view confirmed_fingerprint,
                                const std::string& confirmation);

// `custody key import-sender NAME KEY`: a sending station's verifier key,
// so that its packages are shown as from NAME. As ImportRecipient:
// `confirmed_fingerprint` must match SenderFingerprint(verifier_key), else
// kVerificationFailed and nothing is stored. kInvalidArgument for a
// malformed key. Records `key.sender-imported` (name, verifier key,
// fingerprint, confirmation); if the ledger refuses, nothing is stored.
Result<KeyInfo> ImportSender(Station& station, Keystore& keystore, const std::string& operator_name,
                             const std::string& name, std::string_view verifier_key,
                             std::string_view confirmed_fingerprint,
                             const std::string& confirmation);

// `custody key destroy NAME`: identities, recipients and senders. Vault keys are
// refused (kFailedPrecondition): destroying one is a crypto-erase
// (custody/vault.h), which records what it makes unreadable. Records
// `key.destroyed`.
Result<DestroyedKey> DestroyKey(Station& station, Keystore& keystore,
                                const std::string& operator_name, const std::string& name);

}  // namespace custody

#endif  // CUSTODY_KEYSTORE_H_
