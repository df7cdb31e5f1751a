// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the keystore, vault and password code (src/keys/).
#ifndef CUSTODY_SRC_KEYS_KEYSTORE_INTERNAL_H_
#define CUSTODY_SRC_KEYS_KEYSTORE_INTERNAL_H_

#include <string>
#include <string_view>

#include "custody/keystore.h"

namespace custody::keys {

bool ValidKeyName(std::string_view name);
Status CheckKeyName(std::string_view name);
// NAME.json <-> KeyInfo (strict: unknown fields, a fingerprint that does not
// match the recipient, or a name other than the file's are kCorruption).
std::string InfoToJson(const KeyInfo& info);
Result<KeyInfo> InfoFromJson(std::string_view text, const std::string& expected_name);
// Overwrites `path` in place with random bytes, fsyncs, unlinks. The caller
// syncs the directory.
Status OverwriteAndRemove(Env& env, const std::string& path);

}  // namespace custody::keys

#endif  // CUSTODY_SRC_KEYS_KEYSTORE_INTERNAL_H_
