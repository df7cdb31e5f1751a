// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Crypto-erase of a LUKS1/LUKS2 volume (a block device or an image file)
// through libcryptsetup: every keyslot that holds a copy of the volume key
// (active or unbound) is destroyed, LUKS2 tokens (which may hold sealed
// TPM2/FIDO2 material) are removed, optionally the whole header area is
// wiped, and the result is re-read from disk and checked through the
// library. Without the volume key the ciphertext is unrecoverable
// (NIST SP 800-88 Rev.2 cryptographic erase), provided no other copy of the
// header survives: header backups, images, snapshots and copy-on-write
// copies made earlier still open the volume, and the operator must record
// their destruction too.
//
// Thread safety: one call per volume at a time.
#ifndef CUSTODY_LUKS_H_
#define CUSTODY_LUKS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody {

class Env;
struct DeviceInfo;

struct LuksInfo {
  std::string path;
  std::string type;  // "LUKS1" or "LUKS2".
  std::string uuid;
  std::string cipher, cipher_mode;  // e.g. "aes", "xts-plain64".
  int volume_key_bits = 0;          // Recorded first: LUKS2 reports 0 once no keyslot is left.
  std::vector<std::pair<int, std::string>> keyslots;  // (slot, "active"|"unbound").
  std::vector<std::pair<int, std::string>> tokens;    // (token, type), LUKS2 only.
  uint64_t header_bytes = 0;         // Header and keyslot area (the data offset).
  std::string header_sha256_hex;     // Of that area: identifies the header destroyed.
};

// Reads the header. kNotFound; kInvalidArgument when it is not LUKS.
Result<LuksInfo> InspectLuks(const std::string& path);

struct LuksEraseOptions {
  // Also overwrite the whole header area with zeros (the device then no
  // longer looks like LUKS at all).
  bool wipe_header = false;
  // If given, tried after the erase: it must no longer open any keyslot.
  std::optional<SecretString> old_passphrase;
  // Appends an event to the record (ledger); a failure stops the erase
  // before anything is destroyed.
  std::function<Status(std::string_view type, std::string_view data_json)> record;
  // The device or image as the caller identified it (custody/device.h),
  // embedded as "target" in the started and final events so that one entry
  // fills a certificate row. May be null; not owned.
  const DeviceInfo* identity = nullptr;
  // 管理番号 (asset tag) the operator gives: recorded as "asset_tag" in every
  // event, so that an image or a device without a serial can be certified.
  std::string asset_tag;
  Env* env = nullptr;  // Clock and file access; null: Env::Default().
};

struct LuksEraseReport {
  LuksInfo before;
  int64_t started_unix_micros = 0, finished_unix_micros = 0;
  bool old_passphrase_checked = false;  // The old passphrase was tried and refused.
  std::vector<int> destroyed_keyslots;
  std::vector<int> removed_tokens;
  bool header_wiped = false;
  std::string warning;  // What the operator must still do (backups, snapshots).
};

// kFailedPrecondition while the volume is open (a dm-crypt mapping keeps the
// volume key in kernel memory); kIoError when libcryptsetup fails;
// kVerificationFailed when, re-read from disk, a keyslot or token is still
// usable or the old passphrase still opens the volume.
Result<LuksEraseReport> CryptoEraseLuks(const std::string& path, const LuksEraseOptions& options);

}  // namespace custody

#endif  // CUSTODY_LUKS_H_
