// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The package manifest (docs/formats/package.md, "Manifest"), names, and small
// helpers shared by the writer and the reader.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <set>

#include "common/canonical_json.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "env/posix_io.h"
#include "package/package_internal.h"

namespace custody {
namespace package {

ScopedUtf8Locale::ScopedUtf8Locale() {
  locale_ = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (locale_ != nullptr) previous_ = ::uselocale(locale_);
}

ScopedUtf8Locale::~ScopedUtf8Locale() {
  if (locale_ != nullptr) {
    ::uselocale(previous_);
    ::freelocale(locale_);
  }
}

namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool IsWindowsReservedName(std::string_view component) {
  // The part before the first dot, case-insensitively: "con.txt" is reserved.
  std::string base(component.substr(0, component.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static const std::set<std::string> kReserved = {
      "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
      "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};
  return kReserved.count(base) > 0;
}

}  // namespace

Status ValidateRelativePath(std::string_view path, bool portable) {
  std::string shown = IsValidUtf8(path) ? std::string(path) : "(a name that is not UTF-8)";
  if (path.empty()) return CorruptionError("an empty file name");
  if (path.size() > kMaxPathBytes) return CorruptionError("a file name longer than 4096 bytes");
  if (!IsValidUtf8(path)) return CorruptionError("a file name that is not valid UTF-8");
  if (path.front() == '/') return CorruptionError("an absolute path: " + shown);
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view comp = path.substr(start, end == std::string_view::npos ? path.npos : end - start);
    if (comp.empty()) return CorruptionError("an empty path component in " + shown);
    if (comp == "." || comp == "..") return CorruptionError("a path with \"" + std::string(comp) + "\": " + shown);
    if (comp.size() > 255) return CorruptionError("a name component longer than 255 bytes in " + shown);
    for (unsigned char c : comp) {
      if (c < 0x20 || c == 0x7F) return CorruptionError("a control character in the name " + shown);
      if (portable && std::string_view("<>:\"\\|?*").find(static_cast<char>(c)) != std::string_view::npos) {
        return CorruptionError("a name Windows cannot hold (character '" + std::string(1, static_cast<char>(c)) +
                               "'): " + shown);
      }
    }
    if (portable) {
      if (comp.back() == '.' || comp.back() == ' ') {
        return CorruptionError("a name Windows cannot hold (ends with a dot or space): " + shown);
      }
      if (IsWindowsReservedName(comp)) {
        return CorruptionError("a name Windows reserves (" + std::string(comp) + "): " + shown);
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

std::string PortableFoldKey(std::string_view path) {
  std::string k(path);
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k;
}

Result<size_t> FdSource::Read(uint8_t* buf, size_t n) {
  ssize_t r = posix::RetryOnEintr([&] { return ::read(fd_, buf, n); });
  if (r < 0) return posix::ErrnoStatus("read", path_, errno);
  bytes_read_ += static_cast<uint64_t>(r);
  return static_cast<size_t>(r);
}

std::string NewPackageId(Env& env) {
  std::array<uint8_t, 16> b{};
  if (!env.RandomBytes(b.data(), b.size()).ok()) return "";
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex = encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace package

std::string package::ShortFingerprint(std::string_view age_recipient) {
  // The keystore's fingerprint, so `custody key` and packages show the same one.
  return RecipientFingerprint(age_recipient);
}

namespace {

// Appends `s` as a canonical JSON string. Plain ASCII (the paths, hex digests
// and keys of almost every manifest) is copied as is; anything else goes
// through the same serializer json::Canonicalize uses, so the escaping and the
// UTF-8 check are exactly those of the rest of custody's canonical JSON.
Status AppendJsonString(std::string* out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
    return Status::Ok();
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string quoted, json::Canonicalize(nlohmann::json(std::string(s))));
  out->append(quoted);
  return Status::Ok();
}

// Canonical JSON integers stay within ±(2^53-1) (canonical_json.h).
constexpr int64_t kMaxManifestInteger = (int64_t{1} << 53) - 1;

Status AppendJsonInteger(std::string* out, int64_t v) {
  if (v > kMaxManifestInteger || v < -kMaxManifestInteger) {
    return InvalidArgumentError("a number in the manifest is out of range for canonical JSON");
  }
  out->append(std::to_string(v));
  return Status::Ok();
}

Status AppendJsonUnsigned(std::string* out, uint64_t v) {
  if (v > static_cast<uint64_t>(kMaxManifestInteger)) {
    return InvalidArgumentError("a number in the manifest is out of range for canonical JSON");
  }
  out->append(std::to_string(v));
  return Status::Ok();
}

}  // namespace

// Written field by field, keys in canonical (sorted) order, rather than built
// as a nlohmann DOM and canonicalized: with 20,000 files the DOM was a fifth of
// `package create`'s time and most of its memory. manifest_test pins the
// output byte for byte to json::Canonicalize of the same manifest.
Result<std::string> ManifestToJson(const PackageManifest& m) {
  std::string o;
  o.reserve(512 + m.files.size() * (160 + 64));
  o.append("{\"classification\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.classification));
  o.append(",\"created\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.created));
  o.append(",\"file_count\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonUnsigned(&o, m.files.size()));
  o.append(",\"files\":[");
  for (size_t i = 0; i < m.files.size(); ++i) {
    const PackageFile& f = m.files[i];
    o.append(i == 0 ? "{\"mode\":" : ",{\"mode\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonUnsigned(&o, f.mode));
    o.append(",\"mtime\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonInteger(&o, f.mtime));
    o.append(",\"path\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, f.path));
    o.append(",\"sha256\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, f.sha256));
    o.append(",\"size\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonUnsigned(&o, f.size));
    o.push_back('}');
  }
  o.append("],\"format\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.format));
  o.append(",\"package_id\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.package_id));
  o.append(",\"purpose\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.purpose));
  o.append(",\"recipient\":{\"keys\":[");
  for (size_t i = 0; i < m.recipients.size(); ++i) {
    const PackageRecipient& r = m.recipients[i];
    if (i > 0) o.push_back(',');
    if (r.type == "passphrase") {
      o.append("{\"type\":\"passphrase\"}");
      continue;
    }
    o.append("{\"fingerprint\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, r.fingerprint));
    o.append(",\"recipient\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, r.recipient));
    o.append(",\"type\":");
    CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, r.type));
    o.push_back('}');
  }
  o.append("],\"organization\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.recipient_organization));
  o.append("},\"sender\":{\"organization\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.sender_organization));
  o.append(",\"station\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.sender_station));
  o.append(",\"verifier_key\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.sender_verifier_key));
  o.append("},\"total_size\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonUnsigned(&o, m.total_size));
  o.push_back('}');
  return o;
}

namespace {

using nlohmann::json;

Status ExpectKeys(const json& obj, std::initializer_list<const char*> keys, std::string_view where) {
  if (!obj.is_object()) return CorruptionError(std::string(where) + " is not an object");
  if (obj.size() != keys.size()) {
    return CorruptionError(std::string(where) + " has unknown or missing fields");
  }
  for (const char* k : keys) {
    if (!obj.contains(k)) return CorruptionError(std::string(where) + " lacks \"" + k + "\"");
  }
  return Status::Ok();
}

Result<std::string> GetString(const json& obj, const char* key) {
  const json& v = obj.at(key);
  if (!v.is_string()) return CorruptionError(std::string("manifest field \"") + key + "\" is not a string");
  return v.get<std::string>();
}

Result<uint64_t> GetUnsigned(const json& obj, const char* key) {
  const json& v = obj.at(key);
  if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)) {
    return CorruptionError(std::string("manifest field \"") + key + "\" is not a non-negative integer");
  }
  return v.get<uint64_t>();
}

bool IsLowerHex(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<PackageManifest> ParseManifest(std::string_view text) {
  auto parsed = json::ParseStrict(text);
  if (!parsed.ok()) return CorruptionError("the manifest is not valid JSON: " + parsed.status().message());
  const nlohmann::json& j = *parsed;
  CUSTODY_RETURN_IF_ERROR(ExpectKeys(j,
                                     {"format", "package_id", "created", "sender", "recipient", "purpose",
                                      "classification", "files", "file_count", "total_size"},
                                     "the manifest"));
  PackageManifest m;
  CUSTODY_ASSIGN_OR_RETURN(m.format, GetString(j, "format"));
  if (m.format != kPackageFormatV1) {
    return UnsupportedError("package format \"" + m.format + "\" is not supported (this custody reads " +
                            std::string(kPackageFormatV1) + ")");
  }
  CUSTODY_ASSIGN_OR_RETURN(m.package_id, GetString(j, "package_id"));
  CUSTODY_ASSIGN_OR_RETURN(m.created, GetString(j, "created"));
  CUSTODY_ASSIGN_OR_RETURN(m.purpose, GetString(j, "purpose"));
  CUSTODY_ASSIGN_OR_RETURN(m.classification, GetString(j, "classification"));
  const nlohmann::json& sender = j.at("sender");
  CUSTODY_RETURN_IF_ERROR(ExpectKeys(sender, {"organization", "station", "verifier_key"}, "manifest \"sender\""));
  CUSTODY_ASSIGN_OR_RETURN(m.sender_organization, GetString(sender, "organization"));
  CUSTODY_ASSIGN_OR_RETURN(m.sender_station, GetString(sender, "station"));
  CUSTODY_ASSIGN_OR_RETURN(m.sender_verifier_key, GetString(sender, "verifier_key"));
  const nlohmann::json& recipient = j.at("recipient");
  CUSTODY_RETURN_IF_ERROR(ExpectKeys(recipient, {"organization", "keys"}, "manifest \"recipient\""));
  CUSTODY_ASSIGN_OR_RETURN(m.recipient_organization, GetString(recipient, "organization"));
  const nlohmann::json& keys = recipient.at("keys");
  if (!keys.is_array() || keys.empty()) return CorruptionError("manifest recipient keys must be a non-empty array");
  for (const nlohmann::json& k : keys) {
    PackageRecipient r;
    if (!k.is_object() || !k.contains("type")) return CorruptionError("a manifest recipient key has no type");
    CUSTODY_ASSIGN_OR_RETURN(r.type, GetString(k, "type"));
    if (r.type == "passphrase") {
      CUSTODY_RETURN_IF_ERROR(ExpectKeys(k, {"type"}, "a passphrase recipient"));
    } else if (r.type == "X25519") {
      CUSTODY_RETURN_IF_ERROR(ExpectKeys(k, {"type", "recipient", "fingerprint"}, "an X25519 recipient"));
      CUSTODY_ASSIGN_OR_RETURN(r.recipient, GetString(k, "recipient"));
      CUSTODY_ASSIGN_OR_RETURN(r.fingerprint, GetString(k, "fingerprint"));
    } else {
      return CorruptionError("unknown recipient type \"" + r.type + "\" in the manifest");
    }
    m.recipients.push_back(std::move(r));
  }
  const nlohmann::json& files = j.at("files");
  if (!files.is_array()) return CorruptionError("manifest \"files\" is not an array");
  std::set<std::string> seen;
  uint64_t total = 0;
  for (const nlohmann::json& f : files) {
    CUSTODY_RETURN_IF_ERROR(ExpectKeys(f, {"path", "size", "mode", "mtime", "sha256"}, "a manifest file"));
    PackageFile pf;
    CUSTODY_ASSIGN_OR_RETURN(pf.path, GetString(f, "path"));
    Status path_ok = package::ValidateRelativePath(pf.path, false);
    if (!path_ok.ok()) return CorruptionError("the manifest lists " + path_ok.message());
    if (!seen.insert(pf.path).second) return CorruptionError("the manifest lists " + pf.path + " twice");
    CUSTODY_ASSIGN_OR_RETURN(pf.size, GetUnsigned(f, "size"));
    CUSTODY_ASSIGN_OR_RETURN(uint64_t mode, GetUnsigned(f, "mode"));
    if (mode > 0777) return CorruptionError("manifest mode of " + pf.path + " is out of range");
    pf.mode = static_cast<uint32_t>(mode);
    if (!f.at("mtime").is_number_integer()) return CorruptionError("manifest mtime of " + pf.path + " is not an integer");
    pf.mtime = f.at("mtime").get<int64_t>();
    CUSTODY_ASSIGN_OR_RETURN(pf.sha256, GetString(f, "sha256"));
    if (!IsLowerHex(pf.sha256, 64)) return CorruptionError("manifest SHA-256 of " + pf.path + " is malformed");
    total += pf.size;
    m.files.push_back(std::move(pf));
  }
  CUSTODY_ASSIGN_OR_RETURN(uint64_t count, GetUnsigned(j, "file_count"));
  CUSTODY_ASSIGN_OR_RETURN(m.total_size, GetUnsigned(j, "total_size"));
  if (count != m.files.size() || total != m.total_size) {
    return CorruptionError("the manifest's file count or total size disagrees with its file list");
  }
  // Canonical iff writing back what was read gives the same bytes: every
  // field is checked above to be one the writer knows, so nothing read is
  // lost, and the writer's output is canonical (ManifestToJson). Cheaper than
  // json::IsCanonical, which parses and serializes the whole text again.
  auto again = ManifestToJson(m);
  if (!again.ok() || *again != text) return CorruptionError("the manifest is not canonical JSON");
  return m;
}

}  // namespace custody
