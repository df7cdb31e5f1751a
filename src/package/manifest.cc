// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The package manifest (docs/formats/package.md, "Manifest"), names, and small
// helpers shared by the writer and the reader.
#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <set>
#include <wctype.h>

#include "common/canonical_json.h"
#include "common/concat_source.h"
#include "common/source_stream.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "custody/keystore.h"
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

// Windows' device names (see package.md, "Names"), matched on the part of a
// component before its first dot, trailing spaces dropped, ASCII letters in
// either case: "con.txt", "Com1 .log" and "LPT¹" are all devices there.
// COM0/LPT0 and the superscript digits are in Microsoft's list of reserved
// names; CONIN$ and CONOUT$ open the console.
bool IsWindowsReservedName(std::string_view component) {
  std::string base(component.substr(0, component.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (char& c : base) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  static const std::set<std::string, std::less<>> kDevices = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
  if (kDevices.count(base) > 0) return true;
  // COM or LPT and one digit: 0-9, or superscript 1, 2, 3 (U+00B9, U+00B2, U+00B3).
  if (base.size() < 4) return false;
  const std::string_view head = std::string_view(base).substr(0, 3), digit = std::string_view(base).substr(3);
  if (head != "COM" && head != "LPT") return false;
  if (digit.size() == 1) return digit[0] >= '0' && digit[0] <= '9';
  return digit == "\xC2\xB9" || digit == "\xC2\xB2" || digit == "\xC2\xB3";  // UTF-8 of ¹ ² ³.
}

}  // namespace

Status ValidateRelativePath(std::string_view path, bool portable) {
  if (path.empty()) return CorruptionError("an empty file name");
  if (path.size() > kMaxPathBytes) return CorruptionError("a file name longer than 4096 bytes");
  if (!IsValidUtf8(path)) return CorruptionError("a file name that is not valid UTF-8");
  // The name as errors show it, copied only for an error (a copy per name
  // was a fifth of checking a 20,000-file manifest).
  auto shown = [path] { return std::string(path); };
  if (path.front() == '/') return CorruptionError("an absolute path: " + shown());
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view comp = path.substr(start, end == std::string_view::npos ? path.npos : end - start);
    if (comp.empty()) return CorruptionError("an empty path component in " + shown());
    if (comp == "." || comp == "..") return CorruptionError("a path with \"" + std::string(comp) + "\": " + shown());
    if (comp.size() > 255) return CorruptionError("a name component longer than 255 bytes in " + shown());
    for (unsigned char c : comp) {
      if (c < 0x20 || c == 0x7F) return CorruptionError("a control character in the name " + shown());
      if (portable && std::string_view("<>:\"\\|?*").find(static_cast<char>(c)) != std::string_view::npos) {
        return CorruptionError("a name Windows cannot hold (character '" + std::string(1, static_cast<char>(c)) +
                               "'): " + shown());
      }
    }
    if (portable) {
      if (comp.back() == '.' || comp.back() == ' ') {
        return CorruptionError("a name Windows cannot hold (ends with a dot or space): " + shown());
      }
      if (IsWindowsReservedName(comp)) {
        return CorruptionError("a name Windows reserves (" + std::string(comp) + "): " + shown());
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::string> PortableFoldKey(std::string_view path) {
  // Made once and never freed: a locale, not per-call state.
  static const locale_t kUtf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  std::string key;
  key.reserve(path.size());
  size_t i = 0;
  while (i < path.size()) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x80) {
      key.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (len == 4 || i + len > path.size()) {
      // Beyond the BMP (NTFS's upcase table leaves it alone), or not UTF-8
      // (refused before this is asked): as it is.
      key.append(path.substr(i, len));
      i += len;
      continue;
    }
    if (kUtf8 == static_cast<locale_t>(0)) {
      return InternalError("the C.UTF-8 locale is missing; cannot compare names as Windows does (--portable)");
    }
    uint32_t cp = len == 2 ? c & 0x1F : c & 0x0F;
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(path[i + k]) & 0x3F);
    uint32_t upper = static_cast<uint32_t>(::towupper_l(static_cast<wint_t>(cp), kUtf8));
    if (upper > 0xFFFF) upper = cp;  // NTFS maps a BMP character only within the BMP.
    if (upper < 0x80) {
      key.push_back(static_cast<char>(upper));
    } else if (upper < 0x800) {
      key.push_back(static_cast<char>(0xC0 | (upper >> 6)));
      key.push_back(static_cast<char>(0x80 | (upper & 0x3F)));
    } else {
      key.push_back(static_cast<char>(0xE0 | (upper >> 12)));
      key.push_back(static_cast<char>(0x80 | ((upper >> 6) & 0x3F)));
      key.push_back(static_cast<char>(0x80 | (upper & 0x3F)));
    }
    i += len;
  }
  return key;
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
// output byte for byte to json::Canonicalize of the same manifest. The text
// goes to `emit` in pieces of about 64 KiB, in order, so a reader can check a
// manifest against its canonical form without a second copy of it (15 MB at
// 100,000 files).
Status package::AppendManifestHead(const PackageManifest& m, uint64_t file_count, std::string* out) {
  std::string& o = *out;
  o.append("{\"classification\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.classification));
  o.append(",\"created\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonString(&o, m.created));
  o.append(",\"file_count\":");
  CUSTODY_RETURN_IF_ERROR(AppendJsonUnsigned(&o, file_count));
  o.append(",\"files\":[");
  return Status::Ok();
}

Status package::AppendManifestFile(const PackageFile& f, bool first, std::string* out) {
  std::string& o = *out;
  o.append(first ? "{\"mode\":" : ",{\"mode\":");
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
  return Status::Ok();
}

Status package::AppendManifestTail(const PackageManifest& m, std::string* out) {
  std::string& o = *out;
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
  return Status::Ok();
}

Status WriteManifestJson(const PackageManifest& m, const std::function<Status(std::string_view)>& emit) {
  constexpr size_t kPieceBytes = 64 << 10;
  std::string o;
  o.reserve(kPieceBytes + 8192);
  CUSTODY_RETURN_IF_ERROR(package::AppendManifestHead(m, m.files.size(), &o));
  for (size_t i = 0; i < m.files.size(); ++i) {
    CUSTODY_RETURN_IF_ERROR(package::AppendManifestFile(m.files[i], i == 0, &o));
    if (o.size() >= kPieceBytes) {
      CUSTODY_RETURN_IF_ERROR(emit(o));
      o.clear();
    }
  }
  CUSTODY_RETURN_IF_ERROR(package::AppendManifestTail(m, &o));
  return emit(o);
}

Result<std::string> ManifestToJson(const PackageManifest& m) {
  std::string out;
  out.reserve(512 + m.files.size() * (160 + 64));
  CUSTODY_RETURN_IF_ERROR(WriteManifestJson(m, [&out](std::string_view piece) {
    out.append(piece);
    return Status::Ok();
  }));
  return out;
}

namespace {

// Without a branch per character: the digits of a hash alternate at random
// between 0-9 and a-f, so a short-circuiting test mispredicted about every
// other character (5 ms of parsing a 20,000-file manifest).
bool IsLowerHex(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  bool ok = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    ok &= (static_cast<unsigned>(c - '0') <= 9) | (static_cast<unsigned>(c - 'a') <= 5);
  }
  return ok;
}

// Reads a manifest straight into a PackageManifest with nlohmann's SAX
// interface. Why not a DOM: with 20,000 files the DOM cost a third of
// `package verify` and 20 MiB. This reader only places known fields by type;
// everything else about the form (key order, duplicates, whitespace, escapes,
// number spelling, unknown fields) is settled afterwards by writing the
// result back and comparing bytes (ParseManifest).
class ManifestReader {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  // Fills `m` but for its files, each given to `on_file` in turn, checked
  // for the fields' presence and types only; `on_files_start` is told the
  // file_count read before the list (canonical order puts it there).
  ManifestReader(PackageManifest* m, std::function<Status(uint64_t)> on_files_start,
                 std::function<Status(const PackageFile&)> on_file)
      : m_(m), on_files_start_(std::move(on_files_start)), on_file_(std::move(on_file)) {}

  bool null() { return Fail("a null where a value was expected"); }
  bool boolean(bool) { return Fail("a boolean where a value was expected"); }
  bool binary(binary_t&) { return Fail("binary data"); }
  bool number_float(number_float_t, const string_t& s) { return Fail("the number " + s + " (only integers)"); }
  bool number_integer(number_integer_t v) {
    if (v >= 0) return number_unsigned(static_cast<number_unsigned_t>(v));
    if (Here() == kFile && key_ == "mtime") {
      current_.mtime = v;
      return Counted();
    }
    return Fail("a negative number for \"" + key_ + "\"");
  }
  bool number_unsigned(number_unsigned_t v) {
    // Beyond 2^53 - 1 the write-back refuses the manifest (canonical JSON).
    const int64_t i = v > static_cast<number_unsigned_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
    switch (Here()) {
      case kRoot:
        if (key_ == "file_count") return Store(&file_count_, v);
        if (key_ == "total_size") return Store(&m_->total_size, v);
        break;
      case kFile:
        if (key_ == "size") return Store(&current_.size, v);
        if (key_ == "mtime") return Store(&current_.mtime, i);
        if (key_ == "mode") {
          if (v > 0777) return Fail("a file mode out of range");
          return Store(&current_.mode, static_cast<uint32_t>(v));
        }
        break;
      default: break;
    }
    return Fail("a number for \"" + key_ + "\"");
  }
  bool string(string_t& v) {
    std::string* slot = nullptr;
    switch (Here()) {
      case kRoot:
        slot = key_ == "format"           ? &m_->format
               : key_ == "package_id"     ? &m_->package_id
               : key_ == "created"        ? &m_->created
               : key_ == "purpose"        ? &m_->purpose
               : key_ == "classification" ? &m_->classification
                                          : nullptr;
        break;
      case kSender:
        slot = key_ == "organization"   ? &m_->sender_organization
               : key_ == "station"      ? &m_->sender_station
               : key_ == "verifier_key" ? &m_->sender_verifier_key
                                        : nullptr;
        break;
      case kRecipient: slot = key_ == "organization" ? &m_->recipient_organization : nullptr; break;
      case kKey: {
        PackageRecipient& r = m_->recipients.back();
        slot = key_ == "type" ? &r.type : key_ == "recipient" ? &r.recipient : key_ == "fingerprint" ? &r.fingerprint
                                                                                                     : nullptr;
        break;
      }
      case kFile: slot = key_ == "path" ? &current_.path : key_ == "sha256" ? &current_.sha256 : nullptr; break;
      default: break;
    }
    if (slot == nullptr) return Fail("a string for \"" + key_ + "\"");
    // Copied, not moved: `v` is the lexer's buffer, grown a character at a
    // time to 120 bytes of capacity for a 64-digit hash. Moved, each file
    // kept that capacity (100,000 files: 5 MB more at the peak) and the lexer
    // grew a new buffer for every string; copied, the copy is exact and the
    // buffer is reused.
    slot->assign(v);
    return Counted();
  }
  bool start_object(std::size_t) {
    Ctx next;
    if (stack_.empty()) {
      next = kRoot;
    } else if (Here() == kRoot && key_ == "sender") {
      next = kSender;
    } else if (Here() == kRoot && key_ == "recipient") {
      next = kRecipient;
    } else if (Here() == kKeys) {
      m_->recipients.emplace_back();
      next = kKey;
    } else if (Here() == kFiles) {
      // One file at a time, its buffers reused: the list is the caller's.
      current_.path.clear();
      current_.sha256.clear();
      current_.size = 0;
      current_.mode = 0;
      current_.mtime = 0;
      next = kFile;
    } else {
      return Fail("an object for \"" + key_ + "\"");
    }
    if (!stack_.empty() && !IsArray(Here())) Counted();
    stack_.push_back({next, 0});
    return true;
  }
  bool end_object() {
    static constexpr int kFields[] = {10, 3, 2, 0, 0, 0, 5};  // Per Ctx; a key has 1 (passphrase) or 3.
    const Frame f = stack_.back();
    if (f.ctx == kKey ? (f.fields != 1 && f.fields != 3) : f.fields != kFields[f.ctx]) {
      return Fail(std::string(kNames[f.ctx]) + " has unknown or missing fields");
    }
    stack_.pop_back();
    if (f.ctx == kFile) return Call(on_file_(current_));
    return true;
  }
  bool start_array(std::size_t) {
    Ctx next;
    if (Here() == kRoot && key_ == "files") {
      next = kFiles;
      if (!Call(on_files_start_(file_count_))) return false;
    } else if (Here() == kRecipient && key_ == "keys") {
      next = kKeys;
    } else {
      return Fail("an array for \"" + key_ + "\"");
    }
    Counted();
    stack_.push_back({next, 0});
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool key(string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    if (error_.empty()) error_ = "at byte " + std::to_string(pos) + ": " + e.what();
    return false;
  }

  const std::string& error() const { return error_; }
  // The first error a callback returned (parsing stopped there).
  const Status& callback_error() const { return callback_error_; }
  uint64_t file_count() const { return file_count_; }

 private:
  enum Ctx { kRoot, kSender, kRecipient, kKeys, kFiles, kKey, kFile, kOutside };
  static constexpr const char* kNames[] = {"the manifest", "manifest \"sender\"", "manifest \"recipient\"", "", "",
                                           "a manifest recipient key", "a manifest file"};
  struct Frame {
    Ctx ctx;
    int fields;
  };
  static bool IsArray(Ctx c) { return c == kKeys || c == kFiles; }
  // kOutside before the top-level object: a bare value or array there is refused.
  Ctx Here() const { return stack_.empty() ? kOutside : stack_.back().ctx; }
  bool Counted() {
    ++stack_.back().fields;
    return true;
  }
  template <typename T, typename V>
  bool Store(T* slot, V v) {
    *slot = static_cast<T>(v);
    return Counted();
  }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool Call(Status s) {
    if (s.ok()) return true;
    if (callback_error_.ok()) callback_error_ = std::move(s);
    return false;
  }

  PackageManifest* m_;
  std::function<Status(uint64_t)> on_files_start_;
  std::function<Status(const PackageFile&)> on_file_;
  PackageFile current_;
  Status callback_error_;
  std::vector<Frame> stack_;
  std::string key_;
  uint64_t file_count_ = 0;
  std::string error_;
};

// A manifest value for a message: the text any signer (or, before the
// signature is judged, anyone) put there, so shortened, and with control
// characters shown as '?' rather than sent to a terminal.
std::string Shown(std::string_view value) {
  constexpr size_t kMax = 80;
  std::string s(value.substr(0, kMax));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  if (value.size() > kMax) s += "...";
  return s;
}

// The recipient keys as `package create` writes them (package.md,
// "Manifest"): what a package shows as "encrypted for" must be a real key
// with its own fingerprint, not any text the signer put there.
Status CheckManifestRecipients(const std::vector<PackageRecipient>& recipients) {
  if (recipients.empty()) return CorruptionError("manifest recipient keys must be a non-empty array");
  std::set<std::string_view> seen;
  size_t passphrases = 0;
  for (const PackageRecipient& r : recipients) {
    if (r.type == "passphrase") {
      if (!r.recipient.empty() || !r.fingerprint.empty()) {
        return CorruptionError("the manifest's passphrase entry names a key or fingerprint; it has only a type");
      }
      ++passphrases;
      continue;
    }
    if (r.type != "X25519") return CorruptionError("unknown recipient type \"" + Shown(r.type) + "\" in the manifest");
    auto parsed = age::X25519Recipient::Parse(r.recipient);
    if (!parsed.ok() || parsed->ToString() != r.recipient) {
      return CorruptionError("the manifest names a recipient key \"" + Shown(r.recipient) +
                             "\" that is not an age X25519 public key in its usual form (age1... in lower case)");
    }
    const std::string fingerprint = package::ShortFingerprint(r.recipient);
    if (r.fingerprint != fingerprint) {
      return CorruptionError("the manifest gives the recipient key " + r.recipient + " the fingerprint \"" +
                             Shown(r.fingerprint) + "\", which is not that key's (" + fingerprint + ")");
    }
    if (!seen.insert(r.recipient).second) {
      return CorruptionError("the manifest lists the recipient key " + r.recipient + " twice");
    }
  }
  // age allows a passphrase (scrypt) stanza only alone.
  if (passphrases > 0 && recipients.size() > 1) {
    return CorruptionError("the manifest lists a passphrase together with other recipients, which age does not allow");
  }
  return Status::Ok();
}

}  // namespace

Result<package::StreamedManifest> package::ParseManifestStream(
    MessageSource& text, const std::function<Status(const PackageFile&)>& on_file,
    const std::function<Status(uint64_t)>& on_files_start) {
  StreamedManifest out;
  PackageManifest& m = out.header;
  // Canonical iff writing back what was read gives the same bytes: every
  // field the reader accepts is one the writer writes, so nothing read is
  // lost, and the writer's output is canonical (ManifestToJson). This also
  // refuses duplicate keys, fields out of order and a passphrase key with
  // extra fields. The two are compared by their SHA-256, each computed as
  // it streams by (the text as it is read, the rewriting as each part is
  // known: the head when the list starts, each file, the tail at the end),
  // so that neither is held.
  crypto::Sha256Hasher read_hash, rewritten_hash;
  std::string rewritten;
  uint64_t total = 0;
  auto files_start = [&](uint64_t file_count) -> Status {
    rewritten.clear();
    CUSTODY_RETURN_IF_ERROR(AppendManifestHead(m, file_count, &rewritten));
    rewritten_hash.Update(rewritten);
    return on_files_start ? on_files_start(file_count) : Status::Ok();
  };
  auto each_file = [&](const PackageFile& f) -> Status {
    Status path_ok = ValidateRelativePath(f.path, false);
    if (!path_ok.ok()) return CorruptionError("the manifest lists " + path_ok.message());
    if (!IsLowerHex(f.sha256, 64)) return CorruptionError("manifest SHA-256 of " + f.path + " is malformed");
    rewritten.clear();
    CUSTODY_RETURN_IF_ERROR(AppendManifestFile(f, out.file_count == 0, &rewritten));
    rewritten_hash.Update(rewritten);
    ++out.file_count;
    total += f.size;
    return on_file(f);
  };
  // The text's hash is taken from the pieces as the parser pulls them.
  class HashingSource final : public MessageSource {
   public:
    HashingSource(MessageSource& s, crypto::Sha256Hasher& h) : s_(s), h_(h) {}
    Status Rewind() override { return s_.Rewind(); }
    Result<std::string_view> Next() override {
      CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, s_.Next());
      h_.Update(piece);
      return piece;
    }

   private:
    MessageSource& s_;
    crypto::Sha256Hasher& h_;
  } hashing(text, read_hash);
  CUSTODY_RETURN_IF_ERROR(hashing.Rewind());
  ManifestReader reader(&m, files_start, each_file);
  bool parsed = false;
  {
    SourceStreamBuf buf(hashing);
    std::istream in(&buf);
    try {
      parsed = nlohmann::json::sax_parse(in, &reader, nlohmann::detail::input_format_t::json, /*strict=*/true);
    } catch (const std::exception& e) {
      return CorruptionError(std::string("the manifest is not valid: ") + e.what());
    }
    CUSTODY_RETURN_IF_ERROR(buf.error());  // Reading failed: not the text's fault.
  }
  CUSTODY_RETURN_IF_ERROR(reader.callback_error());
  if (!parsed || !reader.error().empty()) {
    return CorruptionError("the manifest is not valid: " + (reader.error().empty() ? "parse error" : reader.error()));
  }
  if (m.format != kPackageFormatV1) {
    return UnsupportedError("package format \"" + m.format + "\" is not supported (this custody reads " +
                            std::string(kPackageFormatV1) + ")");
  }
  CUSTODY_RETURN_IF_ERROR(CheckManifestRecipients(m.recipients));
  if (reader.file_count() != out.file_count || total != m.total_size) {
    return CorruptionError("the manifest's file count or total size disagrees with its file list");
  }
  rewritten.clear();
  CUSTODY_RETURN_IF_ERROR(AppendManifestTail(m, &rewritten));
  rewritten_hash.Update(rewritten);
  const crypto::Sha256Digest text_digest = read_hash.Finish();
  if (rewritten_hash.Finish() != text_digest) return CorruptionError("the manifest is not canonical JSON");
  out.digest = encoding::HexEncode(crypto::DigestToString(text_digest));
  return out;
}

Result<PackageManifest> ParseManifest(std::string_view text) {
  ConcatSource source;
  source.Add(text);
  std::vector<PackageFile> files;
  auto start = [&](uint64_t file_count) {
    // Allocated once rather than doubled. A hostile count cannot make it
    // large: each file takes at least kMinFileJson bytes of the text.
    constexpr size_t kMinFileJson = sizeof R"({"mode":0,"mtime":0,"path":"x","sha256":"","size":0})" - 1 + 64;
    files.reserve(static_cast<size_t>(std::min<uint64_t>(file_count, text.size() / kMinFileJson)));
    return Status::Ok();
  };
  auto add = [&](const PackageFile& f) {
    files.push_back(f);
    return Status::Ok();
  };
  CUSTODY_ASSIGN_OR_RETURN(package::StreamedManifest streamed, package::ParseManifestStream(source, add, start));
  PackageManifest m = std::move(streamed.header);
  m.files = std::move(files);
  // Duplicates, found by sorting indices (no copy of 20,000 paths into a set).
  std::vector<uint32_t> by_path(m.files.size());
  for (uint32_t i = 0; i < by_path.size(); ++i) by_path[i] = i;
  std::sort(by_path.begin(), by_path.end(), [&](uint32_t a, uint32_t b) { return m.files[a].path < m.files[b].path; });
  for (size_t i = 1; i < by_path.size(); ++i) {
    if (m.files[by_path[i]].path == m.files[by_path[i - 1]].path) {
      return CorruptionError("the manifest lists " + m.files[by_path[i]].path + " twice");
    }
  }
  return m;
}

}  // namespace custody
