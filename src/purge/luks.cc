// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// LUKS crypto-erase over libcryptsetup (2.6): the adapter that keeps its
// types and errno conventions out of the public API.
#include "custody/luks.h"

#include <libcryptsetup.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/shared_library.h"
#include "common/time_util.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/block_device.h"
#include "custody/device.h"
#include "custody/env.h"
#include "device/device_json.h"
#include "env/posix_io.h"

namespace custody {
namespace {

// libcryptsetup is opened on first use (common/shared_library.h): with it
// and its ten dependencies linked, every command paid ~10 ms to load them.
// The functions this file calls; the types come from the header, so a call
// through the table is checked as a direct call would be.
#define CUSTODY_CRYPTSETUP_FUNCTIONS(X)                                                                        \
  X(crypt_set_log_callback) X(crypt_init) X(crypt_load) X(crypt_free) X(crypt_get_type) X(crypt_token_max)   \
  X(crypt_token_status) X(crypt_get_uuid) X(crypt_get_cipher) X(crypt_get_cipher_mode)                     \
  X(crypt_get_volume_key_size) X(crypt_keyslot_max) X(crypt_keyslot_status) X(crypt_get_data_offset)       \
  X(crypt_get_metadata_size) X(crypt_activate_by_passphrase) X(crypt_activate_by_token)                    \
  X(crypt_volume_key_get) X(crypt_token_json_set) X(crypt_keyslot_destroy) X(crypt_wipe)

struct CryptsetupApi {
#define CUSTODY_DECLARE(name) decltype(&::name) name = nullptr;
  CUSTODY_CRYPTSETUP_FUNCTIONS(CUSTODY_DECLARE)
#undef CUSTODY_DECLARE
};

// Loads the library once per process; the same error every time after a
// failure. libcryptsetup 2.x has soname 12 (Debian 12: libcryptsetup12).
const Result<CryptsetupApi>& LoadCryptsetup() {
  static const Result<CryptsetupApi> api = []() -> Result<CryptsetupApi> {
    CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib,
                             SharedLibrary::Open("libcryptsetup.so.12", "libcryptsetup12", "LUKS crypto-erase"));
    CryptsetupApi a;
#define CUSTODY_BIND(name) CUSTODY_RETURN_IF_ERROR(lib.Bind(#name, &a.name));
    CUSTODY_CRYPTSETUP_FUNCTIONS(CUSTODY_BIND)
#undef CUSTODY_BIND
    return a;
  }();
  return api;
}

// The loaded table. Only after Load() succeeded: every path here starts
// with it, and nothing reaches libcryptsetup before.
const CryptsetupApi& Cryptsetup() { return *LoadCryptsetup(); }

// libcryptsetup logs to stderr unless told otherwise; the library must not
// print, so its messages go to the operational log.
void LogFromCryptsetup(int level, const char* msg, void*) {
  std::string m(msg ? msg : "");
  while (!m.empty() && m.back() == '\n') m.pop_back();
  if (level == CRYPT_LOG_ERROR) {
    spdlog::warn("libcryptsetup: {}", m);
  } else {
    spdlog::debug("libcryptsetup: {}", m);
  }
}

struct CryptFree {
  void operator()(crypt_device* cd) const { Cryptsetup().crypt_free(cd); }
};
using Device = std::unique_ptr<crypt_device, CryptFree>;

Status CryptError(const std::string& what, const std::string& path, int rc) {
  const int e = rc < 0 ? -rc : rc;
  std::string msg = what + " on " + path + " failed: " + posix::ErrnoText(e);
  if (e == ENOENT) return NotFoundError(msg);
  if (e == EACCES || e == EPERM) return PermissionDeniedError(msg);
  return IoError(msg);
}

// Loads the header. kInvalidArgument if there is no LUKS header.
Result<Device> Load(const std::string& path) {
  CUSTODY_RETURN_IF_ERROR(LoadCryptsetup().status());
  static std::once_flag once;
  std::call_once(once, [] { Cryptsetup().crypt_set_log_callback(nullptr, LogFromCryptsetup, nullptr); });
  if (!Env::Default()->FileExists(path)) return NotFoundError(path + " does not exist");
  crypt_device* raw = nullptr;
  int rc = Cryptsetup().crypt_init(&raw, path.c_str());
  if (rc < 0) return CryptError("opening the LUKS volume", path, rc);
  Device cd(raw);
  rc = Cryptsetup().crypt_load(cd.get(), CRYPT_LUKS, nullptr);  // LUKS1 or LUKS2.
  if (rc == -EINVAL || rc == -ENXIO) {
    return InvalidArgumentError(path + " has no LUKS header (or an unreadable one)");
  }
  if (rc < 0) return CryptError("reading the LUKS header", path, rc);
  return cd;
}

bool HoldsKey(crypt_keyslot_info s) {
  return s == CRYPT_SLOT_ACTIVE || s == CRYPT_SLOT_ACTIVE_LAST || s == CRYPT_SLOT_UNBOUND;
}

bool IsLuks2(crypt_device* cd) {
  const char* t = Cryptsetup().crypt_get_type(cd);
  return t && std::strcmp(t, CRYPT_LUKS2) == 0;
}

std::vector<std::pair<int, std::string>> ActiveTokens(crypt_device* cd) {
  std::vector<std::pair<int, std::string>> tokens;
  if (!IsLuks2(cd)) return tokens;
  const int max = Cryptsetup().crypt_token_max(CRYPT_LUKS2);
  for (int t = 0; t < max; ++t) {
    const char* type = nullptr;
    const crypt_token_info info = Cryptsetup().crypt_token_status(cd, t, &type);
    if (info != CRYPT_TOKEN_INVALID && info != CRYPT_TOKEN_INACTIVE) {
      tokens.emplace_back(t, type ? type : "unknown");
    }
  }
  return tokens;
}

Result<LuksInfo> Describe(crypt_device* cd, const std::string& path) {
  LuksInfo info;
  info.path = path;
  info.type = IsLuks2(cd) ? "LUKS2" : "LUKS1";
  const char* uuid = Cryptsetup().crypt_get_uuid(cd);
  const char* cipher = Cryptsetup().crypt_get_cipher(cd);
  const char* mode = Cryptsetup().crypt_get_cipher_mode(cd);
  info.uuid = uuid ? uuid : "";
  info.cipher = cipher ? cipher : "";
  info.cipher_mode = mode ? mode : "";
  info.volume_key_bits = Cryptsetup().crypt_get_volume_key_size(cd) * 8;
  const int max = Cryptsetup().crypt_keyslot_max(Cryptsetup().crypt_get_type(cd));
  for (int s = 0; s < max; ++s) {
    const crypt_keyslot_info st = Cryptsetup().crypt_keyslot_status(cd, s);
    if (HoldsKey(st)) info.keyslots.emplace_back(s, st == CRYPT_SLOT_UNBOUND ? "unbound" : "active");
  }
  info.tokens = ActiveTokens(cd);
  info.header_bytes = Cryptsetup().crypt_get_data_offset(cd) * 512;  // Sectors of 512 bytes.
  if (info.header_bytes == 0) {
    // A detached header has its own file; the data device has no header area.
    uint64_t metadata = 0, keyslots = 0;
    if (Cryptsetup().crypt_get_metadata_size(cd, &metadata, &keyslots) == 0) {
      info.header_bytes = 2 * metadata + keyslots;
    }
  }
  return info;
}

Result<std::string> HeaderDigest(const std::string& path, uint64_t bytes) {
  BlockDeviceOptions o;
  o.writable = false;
  o.exclusive = false;  // Reading only; the erase itself goes through libcryptsetup.
  o.direct = false;
  CUSTODY_ASSIGN_OR_RETURN(auto dev, OpenBlockDevice(path, o));
  bytes = std::min<uint64_t>(bytes, dev->size());
  crypto::Sha256Hasher h;
  std::vector<uint8_t> buf(1 << 20);
  for (uint64_t at = 0; at < bytes; at += buf.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), bytes - at));
    CUSTODY_RETURN_IF_ERROR(dev->ReadAt(at, buf.data(), n));
    h.Update(buf.data(), n);
  }
  const crypto::Sha256Digest d = h.Finish();
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// An open dm-crypt mapping of this volume keeps the volume key in the
// kernel: erasing the keyslots would then not erase the key. dm-crypt
// mappings made by cryptsetup carry the DM UUID "CRYPT-LUKS<n>-<uuid
// without dashes>-<name>".
Status RefuseIfOpen(const LuksInfo& info, Env* env) {
  std::string bare;
  for (char c : info.uuid) {
    if (c != '-') bare.push_back(c);
  }
  const std::string prefix = "CRYPT-" + info.type + "-" + bare + "-";
  auto blocks = env->ListDir("/sys/block");
  if (!blocks.ok()) return Status::Ok();  // No sysfs (a container): nothing to see.
  for (const std::string& b : *blocks) {
    if (b.rfind("dm-", 0) != 0) continue;
    auto uuid = env->ReadFile("/sys/block/" + b + "/dm/uuid");
    if (uuid.ok() && uuid->rfind(prefix, 0) == 0) {
      return FailedPreconditionError(
          "the LUKS volume " + info.uuid + " is open (/dev/" + b + "): the kernel holds its "
          "volume key while it is mapped. Unmount and close it (cryptsetup close) first");
    }
  }
  return Status::Ok();
}

nlohmann::json SlotsJson(const std::vector<std::pair<int, std::string>>& v, const char* key) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [n, s] : v) a.push_back({{key, n}, {key == std::string("slot") ? "state" : "type", s}});
  return a;
}

const char kBackupWarning[] =
    "Header backups (cryptsetup luksHeaderBackup), disk images, snapshots (LVM, ZFS, VM), "
    "copy-on-write and replica copies made before this erase still hold the keyslots and open "
    "the volume with the old passphrases or keys: destroy them and record their destruction.";

// Re-reads the volume from disk and checks, through the library, that no
// copy of the volume key is reachable.
Status Confirm(const std::string& path, const LuksEraseOptions& options, bool header_wiped) {
  auto reloaded = Load(path);
  if (header_wiped) {
    if (reloaded.ok()) return VerificationFailedError("a LUKS header is still found after the wipe");
    return Status::Ok();
  }
  if (!reloaded.ok()) return reloaded.status();
  crypt_device* cd = reloaded->get();
  const int max = Cryptsetup().crypt_keyslot_max(Cryptsetup().crypt_get_type(cd));
  for (int s = 0; s < max; ++s) {
    if (HoldsKey(Cryptsetup().crypt_keyslot_status(cd, s))) {
      return VerificationFailedError("keyslot " + std::to_string(s) + " still holds a key");
    }
  }
  if (!ActiveTokens(cd).empty()) return VerificationFailedError("a LUKS2 token is still present");
  // Any negative result means "not opened"; which errno depends on the
  // version (-ENOENT, -EPERM, -EINVAL), so none is singled out.
  if (options.old_passphrase) {
    const auto& p = *options.old_passphrase;
    if (Cryptsetup().crypt_activate_by_passphrase(cd, nullptr, CRYPT_ANY_SLOT,
                                     reinterpret_cast<const char*>(p.bytes()), p.size(), 0) >= 0) {
      return VerificationFailedError("the old passphrase still opens the volume");
    }
  }
  if (IsLuks2(cd) && Cryptsetup().crypt_activate_by_token(cd, nullptr, CRYPT_ANY_TOKEN, nullptr, 0) >= 0) {
    return VerificationFailedError("a token still opens the volume");
  }
  char key[512];
  size_t key_size = sizeof(key);
  const int rc = Cryptsetup().crypt_volume_key_get(cd, CRYPT_ANY_SLOT, key, &key_size, "", 0);
  WipeMemory(key, sizeof(key));
  if (rc >= 0) return VerificationFailedError("the library still returns a volume key");
  return Status::Ok();
}

}  // namespace

Result<LuksInfo> InspectLuks(const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(Device cd, Load(path));
  CUSTODY_ASSIGN_OR_RETURN(LuksInfo info, Describe(cd.get(), path));
  CUSTODY_ASSIGN_OR_RETURN(info.header_sha256_hex, HeaderDigest(path, info.header_bytes));
  return info;
}

Result<LuksEraseReport> CryptoEraseLuks(const std::string& path, const LuksEraseOptions& options) {
  Env* env = options.env ? options.env : Env::Default();
  LuksEraseReport report;
  report.warning = kBackupWarning;
  report.started_unix_micros = env->NowUnixMicros();
  CUSTODY_ASSIGN_OR_RETURN(Device cd, Load(path));
  CUSTODY_ASSIGN_OR_RETURN(report.before, Describe(cd.get(), path));
  CUSTODY_ASSIGN_OR_RETURN(report.before.header_sha256_hex,
                           HeaderDigest(path, report.before.header_bytes));
  const LuksInfo& b = report.before;
  CUSTODY_RETURN_IF_ERROR(RefuseIfOpen(b, env));
  // Repeated in the final event, so that one entry fills a certificate row
  // (what was erased, how it was keyed, when).
  nlohmann::json volume = {{"path", path},
                           {"uuid", b.uuid},
                           {"type", b.type},
                           {"cipher", b.cipher},
                           {"cipher_mode", b.cipher_mode},
                           {"volume_key_bits", b.volume_key_bits},
                           {"keyslots", SlotsJson(b.keyslots, "slot")},
                           {"tokens", SlotsJson(b.tokens, "token")},
                           {"header_bytes", b.header_bytes},
                           {"header_sha256", b.header_sha256_hex},
                           {"wipe_header_requested", options.wipe_header},
                           {"started", timeutil::FormatRfc3339Utc(report.started_unix_micros)}};
  if (options.identity) volume["target"] = DeviceInfoToJson(*options.identity);
  if (!options.asset_tag.empty()) volume["asset_tag"] = options.asset_tag;
  auto record = [&](std::string_view type, nlohmann::json data) {
    if (!options.record) return Status::Ok();
    for (auto& [k, v] : volume.items()) {
      if (!data.contains(k)) data[k] = v;
    }
    return options.record(type, data.dump()).WithContext("recording " + std::string(type));
  };
  auto finish = [&](std::string_view outcome) {
    report.finished_unix_micros = env->NowUnixMicros();
    return nlohmann::json{
        {"outcome", outcome},
        {"destroyed_keyslots", report.destroyed_keyslots},
        {"removed_tokens", report.removed_tokens},
        {"header_wiped", report.header_wiped},
        {"finished", timeutil::FormatRfc3339Utc(report.finished_unix_micros)},
        {"seconds", (report.finished_unix_micros - report.started_unix_micros) / 1000000}};
  };
  CUSTODY_RETURN_IF_ERROR(record("crypto-erase.luks.started", nlohmann::json::object()));

  Status failure;
  // Tokens first: they may name the keyslots about to go, and may hold
  // sealed secrets of their own (systemd-cryptenroll TPM2/FIDO2).
  for (const auto& [t, type] : b.tokens) {
    const int rc = Cryptsetup().crypt_token_json_set(cd.get(), t, nullptr);
    if (rc < 0) {
      failure = CryptError("removing token " + std::to_string(t), path, rc);
      break;
    }
    report.removed_tokens.push_back(t);
  }
  // Every slot holding the key, unbound ones included (`cryptsetup erase`
  // skips those, yet an unbound key may equal the volume key).
  for (const auto& [s, state] : b.keyslots) {
    if (!failure.ok()) break;
    const int rc = Cryptsetup().crypt_keyslot_destroy(cd.get(), s);
    if (rc < 0) {
      failure = CryptError("destroying keyslot " + std::to_string(s), path, rc);
      break;
    }
    report.destroyed_keyslots.push_back(s);
  }
  if (failure.ok() && options.wipe_header && b.header_bytes > 0) {
    const int rc = Cryptsetup().crypt_wipe(cd.get(), nullptr, CRYPT_WIPE_ZERO, 0, b.header_bytes, 1 << 20,
                              CRYPT_WIPE_NO_DIRECT_IO, nullptr, nullptr);
    if (rc < 0) {
      failure = CryptError("wiping the header area", path, rc);
    } else {
      report.header_wiped = true;
    }
  }
  cd.reset();  // Release the library's view before re-reading from disk.
  if (failure.ok()) failure = Confirm(path, options, report.header_wiped);
  if (!failure.ok()) {
    nlohmann::json failed = finish("failed");
    failed["error"] = failure.ToString();
    record("crypto-erase.luks.failed", failed).IgnoreError();
    return failure;
  }
  report.old_passphrase_checked = options.old_passphrase.has_value();
  nlohmann::json done = finish("completed");
  done["remaining_usable_keyslots"] = 0;
  done["verification"] = {
      {"method", "header re-read through libcryptsetup: no keyslot holds a key, no token, no volume key"},
      {"old_passphrase_refused", report.old_passphrase_checked},
      {"result", "passed"}};
  done["warning"] = report.warning;
  CUSTODY_RETURN_IF_ERROR(record("crypto-erase.luks.completed", done));
  return report;
}

}  // namespace custody
