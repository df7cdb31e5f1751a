// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Vaults: data the station keeps encrypted to a key only it holds, so that
// destroying the key (crypto-erase) makes every copy of the data unreadable
// at once: in cloud storage, on backup tapes, anywhere (総務省 guideline:
// 暗号鍵を削除する等の対応により…復元困難とする措置; NIST SP 800-88 Rev.2
// cryptographic erase). Spec: docs/formats/keystore.md, "Vaults".
//
// A vault key is an X25519 identity in the keystore (KeyKind::kVault). It is
// never exported unless asked (ExportVaultKey), which marks the vault
// escrowed: a crypto-erase is then refused until the operator records the
// destruction of every exported copy (RecordEscrowDestroyed), because a copy
// that survives defeats the erase.
//
// A sealed file is an age v1 file (X25519 stanza to the vault recipient)
// whose plaintext is a POSIX pax tar of data/<basename> entries, one per
// file sealed. The standard `age` tool with the vault identity opens it.
//
// Limits: SealToVault and OpenVault hold one input file (seal) or the whole
// sealed file (open) in memory; vaults are for records and exports, not for
// multi-GiB images (those go into packages, which stream).
//
// Failure codes as custody/keystore.h, plus kFailedPrecondition (crypto-erase
// of an escrowed vault; sealing to a non-vault key), kWrongKey (the sealed
// file is not for this vault: after a crypto-erase, for instance).
//
// Thread safety: as Keystore.
#ifndef CUSTODY_VAULT_H_
#define CUSTODY_VAULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/keystore.h"
#include "custody/station.h"
#include "custody/status.h"

namespace custody {

// `custody vault create NAME`: a new vault key. Asks for a keystore
// passphrase only if the keystore has none yet. Records `vault.created`.
Result<KeyInfo> CreateVault(Station& station, Keystore& keystore, const std::string& operator_name,
                            const std::string& name,
                            const PassphraseProvider& new_keystore_passphrase);

struct VaultSealOptions {
  std::vector<std::string> files;  // Regular files; stored as data/<basename>.
  std::string output;              // Written to a temporary file, fsynced, renamed.
  bool armor = false;              // PEM armor for text channels.
  bool overwrite = false;          // Replace an existing output.
};

// `custody vault seal NAME FILES... -o OUT`. Needs no passphrase (only the
// vault's public recipient). Records `vault.sealed` (digest and size of the
// output, SHA-256 and size of each file; no file names) and adds the output's
// digest to the vault's list. On failure no output is left.
Result<SealedRecord> SealToVault(Station& station, Keystore& keystore,
                                 const std::string& operator_name, const std::string& name,
                                 const VaultSealOptions& options);

struct OpenedFile {
  std::string name;  // Basename as sealed.
  uint64_t size = 0;
  std::string sha256;  // Hex.
};

// `custody vault open NAME SEALED -d DIR`. Requires keystore.unlocked().
// Decrypts and authenticates the whole file before writing anything, then
// writes each file into `dest_dir` (created 0700 if missing; kAlreadyExists,
// with nothing written, if a file exists). With an empty `dest_dir`, only
// verifies and lists. Nothing is recorded (reading is not a custody step).
Result<std::vector<OpenedFile>> OpenVault(Keystore& keystore, const std::string& name,
                                          const std::string& sealed_path,
                                          const std::string& dest_dir, Env* env);

// `custody vault export-key NAME -o FILE --reason TEXT`: writes the vault
// identity (age-keygen format) to FILE, 0600, for escrow. Requires
// keystore.unlocked(). Marks the vault escrowed; records
// `vault.key-exported` (fingerprint, reason; never the key).
Result<KeyInfo> ExportVaultKey(Station& station, Keystore& keystore,
                               const std::string& operator_name, const std::string& name,
                               const std::string& output, const std::string& reason);

// `custody vault record-copy-destroyed NAME --copies N --how TEXT`: the
// operator states that N exported copies were destroyed, and how. Records
// `vault.escrow-destroyed`. kInvalidArgument if more copies than exported.
Result<KeyInfo> RecordEscrowDestroyed(Station& station, Keystore& keystore,
                                      const std::string& operator_name, const std::string& name,
                                      uint32_t copies, const std::string& how);

struct VaultErasure {
  KeyInfo vault;                     // As it was before the erase.
  std::vector<SealedRecord> sealed;  // Every package sealed to it (ledger + keystore).
  std::vector<std::string> files;    // Key files overwritten and unlinked.
  uint64_t started_seq = 0;          // crypto-erase.vault.started
  uint64_t completed_seq = 0;        // crypto-erase.vault.completed
};

// `custody crypto-erase vault NAME`: records `crypto-erase.vault.started`
// (fingerprint, creation time, digests of everything sealed), destroys every
// copy of the key the station holds (overwrite, unlink, remove from the
// keystore, sync) and records `crypto-erase.vault.completed`.
// kFailedPrecondition, with nothing done, if exported copies are not all
// recorded destroyed.
Result<VaultErasure> CryptoEraseVault(Station& station, Keystore& keystore,
                                      const std::string& operator_name, const std::string& name);

}  // namespace custody

#endif  // CUSTODY_VAULT_H_
