// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Reading packages: VerifyPackage, ReadManifest, OpenPackage. One pass:
// age decryption -> tar members (checked as they come) -> hashed (and, when
// opening, written into a private temporary directory) -> at the end the
// manifest and its signature -> every member compared with the manifest.
// Only then does OpenPackage move anything where the person will see it.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "common/concat_source.h"
#include "common/u64_set.h"
#include "crypto/age.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/sealed_spill.h"
#include "crypto/signature_context.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "custody/station.h"
#include "ledger/note.h"
#include "package/extract_writer.h"
#include "package/package_internal.h"
#include "package/tar_writer.h"
#include "package/zip_io.h"

namespace custody {

namespace package {
namespace {

// Sees every stanza and opens none: tells us, after a failed Open, what the
// package is encrypted to (age hides which keys; it shows only types).
class StanzaProbe final : public age::IdentityUnwrapper {
 public:
  std::string_view stanza_type() const override { return "(probe)"; }
  Result<SecretString> Unwrap(const age::Stanza& stanza) const override {
    types_.push_back(stanza.type);
    return WrongKeyError("probe");
  }
  // Stanza types and how often each appears (each stanza is offered to the
  // probe once per Open).
  std::map<std::string, int> Counts() const {
    std::map<std::string, int> c;
    for (const auto& t : types_) ++c[t];
    return c;
  }

 private:
  mutable std::vector<std::string> types_;
};

// The decryptor's plaintext, lent to the tar reader without a copy.
class DecryptorSource final : public ByteSource, public BorrowingSource {
 public:
  explicit DecryptorSource(age::AgeDecryptor* d) : d_(d) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override { return d_->Read(buf, n); }
  Result<std::string_view> ReadView() override { return d_->ReadView(); }

 private:
  age::AgeDecryptor* d_;
};

std::string DescribeFor(const std::map<std::string, int>& counts) {
  std::string s;
  for (const auto& [type, n] : counts) {
    if (!s.empty()) s += ", ";
    if (type == "X25519") {
      s += std::to_string(n) + (n == 1 ? " X25519 key" : " X25519 keys");
    } else if (type == "scrypt") {
      s += "a passphrase";
    } else {
      s += std::to_string(n) + " " + type + (n == 1 ? " key" : " keys");
    }
  }
  return s.empty() ? "no recipient at all" : s;
}

struct Opened {
  std::unique_ptr<FileSource> source;
  std::unique_ptr<age::AgeDecryptor> decryptor;
};

Result<std::vector<age::X25519Identity>> ParseIdentities(const std::vector<SecretString>& identities,
                                                        const std::vector<std::string>& names) {
  std::vector<age::X25519Identity> parsed;
  for (size_t i = 0; i < identities.size(); ++i) {
    auto id = age::X25519Identity::Parse(identities[i].view());
    if (!id.ok()) {
      std::string which = i < names.size() && !names[i].empty() ? names[i] : "key " + std::to_string(i + 1);
      return InvalidArgumentError(which + " is not an age secret key (AGE-SECRET-KEY-1...)");
    }
    parsed.push_back(std::move(*id));
  }
  return parsed;
}

// "city.key ZPFV5-..., inbox ZPFV5-..." for messages.
std::string DescribeTried(const std::vector<age::X25519Identity>& parsed, const std::vector<std::string>& names,
                          size_t first = 0) {
  std::string tried;
  for (size_t i = first; i < parsed.size(); ++i) {
    if (!tried.empty()) tried += ", ";
    if (i < names.size() && !names[i].empty()) tried += names[i] + " ";
    tried += package::ShortFingerprint(parsed[i].Recipient().ToString());
  }
  return tried;
}

// Packages travel: a file that ends inside a chunk that does not
// authenticate is called incomplete (crypto/age.h DecryptOptions).
const age::DecryptOptions kPackageDecrypt{age::Armor::kAuto, /*short_end_is_truncation=*/true};

// Opens the age layer with the keys; turns kWrongKey into a sentence a
// person can act on.
Result<Opened> OpenAge(RandomAccessFile& file, const std::string& path, const PackageKeys& keys) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<age::X25519Identity> parsed,
                           ParseIdentities(keys.identities, keys.identity_names));
  StanzaProbe probe;
  std::vector<const age::IdentityUnwrapper*> ids;
  for (const auto& id : parsed) ids.push_back(&id);
  ids.push_back(&probe);
  Opened o;
  o.source = std::make_unique<FileSource>(&file);
  auto dec = age::AgeDecryptor::Open(o.source.get(), ids, kPackageDecrypt);
  if (dec.ok()) {
    o.decryptor = std::move(*dec);
    return o;
  }
  if (dec.status().code() != StatusCode::kWrongKey) {
    Status s = dec.status();
    if (s.code() == StatusCode::kTruncated) return TruncatedError("the package is truncated (" + s.message() + ")");
    if (s.code() == StatusCode::kCorruption && o.source->bytes_read() < 64) {
      return CorruptionError(path + " is not an age-encrypted package (" + s.message() + ")");
    }
    return s.WithContext("cannot decrypt the package");
  }
  auto counts = probe.Counts();
  if (counts.count("scrypt")) {
    if (!keys.passphrase) {
      return WrongKeyError("this package is protected by a passphrase; give it (--passphrase-file, --passphrase-fd or the terminal)");
    }
    CUSTODY_ASSIGN_OR_RETURN(SecretString pass, keys.passphrase());
    CUSTODY_ASSIGN_OR_RETURN(age::ScryptIdentity sid, age::ScryptIdentity::Create(std::move(pass)));
    o.source = std::make_unique<FileSource>(&file);  // From the start again.
    auto again = age::AgeDecryptor::Open(o.source.get(), {&sid}, kPackageDecrypt);
    if (again.ok()) {
      o.decryptor = std::move(*again);
      return o;
    }
    if (again.status().code() == StatusCode::kWrongKey) {
      return WrongKeyError("wrong passphrase: the package does not open with it (check it with the sender; "
                           "passwords are case-sensitive)");
    }
    return again.status().WithContext("cannot decrypt the package");
  }
  if (keys.station_identities) {
    // The station's keystore, unlocked only now that we know the package is
    // for X25519 keys and none given opens it.
    std::vector<SecretString> station_ids;
    std::vector<std::string> station_names;
    Status got = keys.station_identities(&station_ids, &station_names);
    if (got.code() == StatusCode::kWrongKey) {
      return WrongKeyError("wrong passphrase or not a recipient of this package (the keystore passphrase does "
                           "not unlock this station's keystore; the package is for: " + DescribeFor(counts) + ")");
    }
    CUSTODY_RETURN_IF_ERROR(got.WithContext("cannot read this station's keys"));
    station_names.resize(station_ids.size());
    CUSTODY_ASSIGN_OR_RETURN(std::vector<age::X25519Identity> station_parsed,
                             ParseIdentities(station_ids, station_names));
    if (!station_parsed.empty()) {
      std::vector<const age::IdentityUnwrapper*> station_unwrappers;
      for (const auto& id : station_parsed) station_unwrappers.push_back(&id);
      o.source = std::make_unique<FileSource>(&file);  // From the start again.
      auto again = age::AgeDecryptor::Open(o.source.get(), station_unwrappers, kPackageDecrypt);
      if (again.ok()) {
        o.decryptor = std::move(*again);
        return o;
      }
      if (again.status().code() != StatusCode::kWrongKey) return again.status().WithContext("cannot decrypt the package");
    }
    std::string tried = DescribeTried(parsed, keys.identity_names);
    std::string station_tried = DescribeTried(station_parsed, station_names);
    if (!tried.empty() && !station_tried.empty()) tried += ", ";
    tried += station_tried;
    return WrongKeyError("wrong passphrase or not a recipient of this package (it is for: " + DescribeFor(counts) +
                         "; this station's keys: " +
                         (tried.empty() ? std::string("none (custody key create NAME makes one)") : tried) +
                         "). Ask the sender which public key they used.");
  }
  if (parsed.empty()) {
    return WrongKeyError("no key was given to open this package (it is for: " + DescribeFor(counts) + ")");
  }
  return WrongKeyError("this package is not addressed to any key you hold (it is for: " + DescribeFor(counts) +
                       "; you tried: " + DescribeTried(parsed, keys.identity_names) +
                       "). Ask the sender which public key they used.");
}

enum class ReadMode { kManifestOnly, kVerify, kExtract };

// True if `hex` is the lowercase hex spelling of `d` (the manifest's form,
// checked by ParseManifestStream).
bool DigestMatchesHex(const crypto::Sha256Digest& d, std::string_view hex) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (hex.size() != 2 * d.size()) return false;
  for (size_t i = 0; i < d.size(); ++i) {
    if (hex[2 * i] != kDigits[d[i] >> 4] || hex[2 * i + 1] != kDigits[d[i] & 0xf]) return false;
  }
  return true;
}

// The digest a manifest's hex names; false if it is not one.
bool HexToDigest(std::string_view hex, crypto::Sha256Digest* d) {
  auto bytes = encoding::HexDecode(hex);
  if (!bytes.ok() || bytes->size() != d->size()) return false;
  std::memcpy(d->data(), bytes->data(), d->size());
  return true;
}

}  // namespace

// What the tar said of one data member, and its SHA-256 as read.
struct Member {
  std::string path;  // Relative to data/.
  uint64_t size = 0;
  uint32_t mode = 0;
  int64_t mtime = 0;
  crypto::Sha256Digest sha256{};  // Zero when contents are not hashed (ReadManifest).
};

// The data members in tar order, kept until the manifest (which comes after
// them) can be compared with them, in a SealedSpill: memory does not grow
// with their number. A record: path length (4 bytes), path, size (8), mode
// (4), mtime (8), SHA-256 (32), integers little-endian (this process writes
// and reads them).
class MemberLog {
 public:
  MemberLog(const std::string& dir, Env& env, size_t memory_limit) : spill_(dir, env, memory_limit) {}
  Status Add(const Member& m) {
    rec_.clear();
    Put(static_cast<uint32_t>(m.path.size()));
    rec_.append(m.path);
    Put(m.size);
    Put(m.mode);
    Put(static_cast<uint64_t>(m.mtime));
    rec_.append(reinterpret_cast<const char*>(m.sha256.data()), m.sha256.size());
    ++count_;
    return spill_.Append(rec_);
  }
  uint64_t count() const { return count_; }
  Status Finish() { return spill_.Finish(); }
  Status Rewind() {
    piece_ = {};
    return spill_.Rewind();
  }
  // The next member in tar order; false after the last.
  Result<bool> Next(Member* m) {
    uint32_t len = 0;
    CUSTODY_ASSIGN_OR_RETURN(bool more, Take(&len, sizeof len, true));
    if (!more) return false;
    m->path.resize(len);
    CUSTODY_RETURN_IF_ERROR(Take(m->path.data(), len, false).status());
    CUSTODY_RETURN_IF_ERROR(Take(&m->size, sizeof m->size, false).status());
    CUSTODY_RETURN_IF_ERROR(Take(&m->mode, sizeof m->mode, false).status());
    CUSTODY_RETURN_IF_ERROR(Take(&m->mtime, sizeof m->mtime, false).status());
    CUSTODY_RETURN_IF_ERROR(Take(m->sha256.data(), m->sha256.size(), false).status());
    return true;
  }

 private:
  template <typename T>
  void Put(T v) {
    rec_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  // Copies n bytes out of the spill's pieces; false at a clean end when
  // `may_end`.
  Result<bool> Take(void* out, size_t n, bool may_end) {
    char* dst = static_cast<char*>(out);
    bool first = true;
    while (n > 0) {
      if (piece_.empty()) {
        CUSTODY_ASSIGN_OR_RETURN(piece_, spill_.Next());
        if (piece_.empty()) {
          if (first && may_end) return false;
          return InternalError("the list of package members ended inside a record");
        }
      }
      const size_t k = std::min(n, piece_.size());
      std::memcpy(dst, piece_.data(), k);
      dst += k;
      n -= k;
      piece_.remove_prefix(k);
      first = false;
    }
    return true;
  }

  crypto::SealedSpill spill_;
  std::string rec_;
  std::string_view piece_;
  uint64_t count_ = 0;
};

std::string KindName(TarMember::Kind k) {
  switch (k) {
    case TarMember::Kind::kDirectory: return "a directory entry";
    case TarMember::Kind::kSymlink: return "a symbolic link";
    case TarMember::Kind::kHardlink: return "a hard link";
    case TarMember::Kind::kDevice: return "a device file";
    case TarMember::Kind::kRegular: return "a file";
    default: return "a special file";
  }
}

}  // namespace package

struct VerifiedPackage::Contents {
  std::unique_ptr<crypto::SealedSpill> manifest;  // custody/manifest.json as received.
  // The manifest's files in its order, so that listing them costs no
  // second parse of the manifest: the members, verified equal to them
  // (VerifyPackage, OpenPackage), or the files as the manifest was parsed
  // (ReadManifest). Null for a rearranged package that was verified.
  std::unique_ptr<package::MemberLog> files;
};

namespace package {
namespace {

// The value of the manifest's sender "verifier_key", found by searching the
// text rather than parsing it, so the signature can be checked while the
// manifest is parsed. Only a guess: it is used only if the parsed manifest
// names the same key. In canonical JSON a quote inside a string is escaped,
// so the last `"verifier_key":"` is the sender object's (it follows "files").
std::string GuessVerifierKey(std::string_view manifest) {
  static constexpr std::string_view kField = "\"verifier_key\":\"";
  size_t at = manifest.rfind(kField);
  if (at == std::string_view::npos) return "";
  size_t begin = at + kField.size(), end = manifest.find('"', begin);
  if (end == std::string_view::npos) return "";
  return std::string(manifest.substr(begin, end - begin));
}

// The precise difference between manifest file `f` and the member of the
// same path, found by reading the members again (only when a comparison
// below has failed): the message names what differs.
Status DescribeDifference(MemberLog& members, const PackageFile& f, ReadMode mode) {
  CUSTODY_RETURN_IF_ERROR(members.Rewind());
  Member r;
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, members.Next(&r));
    if (!more) break;
    if (r.path != f.path) continue;
    if (r.size != f.size || (mode != ReadMode::kManifestOnly && !DigestMatchesHex(r.sha256, f.sha256))) {
      return VerificationFailedError("file " + f.path + " was modified after packaging (its " +
                                     (r.size != f.size ? "size" : "SHA-256") + " differs from the signed manifest)");
    }
    if (r.mode != f.mode || r.mtime != f.mtime) {
      return VerificationFailedError("file " + f.path + " has a mode or time that differs from the signed manifest");
    }
    break;
  }
  return InternalError("the comparison of " + f.path + " with the signed manifest gave two answers; run it again");
}

// Every manifest file against the member of the same path, in the
// manifest's order, then every member not listed: the comparison for
// packages whose members are not in the manifest's order. OK when both
// list the same files alike, in whatever order.
//
// Memory: 24 bytes per member, not the members themselves. Each member is
// held as a 64-bit keyed name of its path (to find it) and a 128-bit keyed
// fingerprint of its whole record (path, size, mode, mtime and, unless only
// the manifest is read, SHA-256), under keys drawn for this comparison
// (crypto/hash.h KeyedHash64: whoever made the package chose the paths, but
// cannot know the keys). A manifest file matches when its fingerprint equals
// its member's: a changed record passes only with probability 2^-128. Two
// members whose names collide (probability about n^2 / 2^65) make the
// comparison fail with "run it again", never pass.
Status CompareUnordered(MemberLog& members, crypto::SealedSpill& manifest_text, ReadMode mode, Env& env) {
  uint8_t keys[3][crypto::KeyedHash64::kKeySize];
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(&keys[0][0], sizeof keys));
  const crypto::KeyedHash64 name(keys[0]), record_a(keys[1]), record_b(keys[2]);
  WipeMemory(keys, sizeof keys);
  struct Held {
    uint64_t name, record[2];
  };
  std::string rec;
  auto fingerprint = [&](const std::string& path, uint64_t size, uint32_t file_mode, int64_t mtime,
                         const crypto::Sha256Digest& sha256, Held* h) {
    rec.clear();
    const uint32_t length = static_cast<uint32_t>(path.size());
    rec.append(reinterpret_cast<const char*>(&length), sizeof length);
    rec.append(path);
    rec.append(reinterpret_cast<const char*>(&size), sizeof size);
    rec.append(reinterpret_cast<const char*>(&file_mode), sizeof file_mode);
    rec.append(reinterpret_cast<const char*>(&mtime), sizeof mtime);
    if (mode != ReadMode::kManifestOnly) rec.append(reinterpret_cast<const char*>(sha256.data()), sha256.size());
    h->name = name(path);
    h->record[0] = record_a(rec);
    h->record[1] = record_b(rec);
  };
  std::vector<Held> held;
  held.reserve(members.count());
  CUSTODY_RETURN_IF_ERROR(members.Rewind());
  Member m;
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, members.Next(&m));
    if (!more) break;
    held.emplace_back();
    fingerprint(m.path, m.size, m.mode, m.mtime, m.sha256, &held.back());
  }
  std::sort(held.begin(), held.end(), [](const Held& a, const Held& b) { return a.name < b.name; });
  for (size_t i = 1; i < held.size(); ++i) {
    // Duplicate paths were refused while reading: equal names are a collision.
    if (held[i].name == held[i - 1].name) {
      return InternalError("two member names collided in the comparison with the signed manifest (a chance of "
                           "about one in ten million); run it again");
    }
  }
  auto find = [&held](uint64_t n) -> Held* {
    auto it = std::lower_bound(held.begin(), held.end(), n, [](const Held& h, uint64_t v) { return h.name < v; });
    return it != held.end() && it->name == n ? &*it : nullptr;
  };
  std::vector<bool> listed(held.size());
  Held f_held;
  crypto::Sha256Digest f_sha{};
  auto compare = [&](const PackageFile& f) -> Status {
    if (mode != ReadMode::kManifestOnly && !HexToDigest(f.sha256, &f_sha)) {
      return CorruptionError("the manifest's SHA-256 of " + f.path + " is malformed");
    }
    fingerprint(f.path, f.size, f.mode, f.mtime, f_sha, &f_held);
    Held* h = find(f_held.name);
    if (h == nullptr) {
      return VerificationFailedError("file " + f.path + " is listed in the signed manifest but missing from the package");
    }
    const size_t at = static_cast<size_t>(h - held.data());
    if (listed[at]) return CorruptionError("the manifest lists " + f.path + " twice");
    listed[at] = true;
    if (h->record[0] != f_held.record[0] || h->record[1] != f_held.record[1]) {
      return DescribeDifference(members, f, mode);
    }
    return Status::Ok();
  };
  CUSTODY_RETURN_IF_ERROR(ParseManifestStream(manifest_text, compare).status());
  if (std::find(listed.begin(), listed.end(), false) == listed.end()) return Status::Ok();
  // A member the manifest does not list: named by reading the members again.
  CUSTODY_RETURN_IF_ERROR(members.Rewind());
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, members.Next(&m));
    if (!more) break;
    const Held* h = find(name(m.path));
    if (h != nullptr && !listed[static_cast<size_t>(h - held.data())]) {
      return VerificationFailedError("file " + m.path + " is in the package but not in the signed manifest; refused");
    }
  }
  return InternalError("a member was not compared with the signed manifest; run it again");
}

Result<VerifiedPackage> ReadPackageWith(const std::string& path, const PackageKeys& keys,
                                        const VerifyPackageOptions& options, ReadMode mode,
                                        const std::string& extract_root, ExtractWriter* writer,
                                        const std::string& spill_dir) {
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  CUSTODY_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env.NewRandomAccessFile(path));
  uint8_t magic[4] = {};
  CUSTODY_ASSIGN_OR_RETURN(size_t got_magic, file->ReadAt(0, magic, sizeof magic));
  Opened opened;
  std::unique_ptr<DecryptorSource> age_plain;
  std::unique_ptr<ZipSource> zip_plain;
  ByteSource* plain_source = nullptr;
  if (got_magic == 4 && LooksLikeZip(std::string_view(reinterpret_cast<const char*>(magic), 4))) {
    if (!keys.passphrase) return WrongKeyError("this is a zip package: give its password");
    CUSTODY_ASSIGN_OR_RETURN(SecretString pass, keys.passphrase());
    CUSTODY_ASSIGN_OR_RETURN(zip_plain, ZipSource::Open(file.get(), pass));
    plain_source = zip_plain.get();
  } else {
    CUSTODY_ASSIGN_OR_RETURN(opened, OpenAge(*file, path, keys));
    // The decryptor reads ahead and opens batches on its worker threads
    // (crypto/age_format.h); tar and hashing run on this one, on its
    // buffers.
    age_plain = std::make_unique<DecryptorSource>(opened.decryptor.get());
    plain_source = age_plain.get();
  }
  ByteSource& plain = *plain_source;

  VerifiedPackage out;
  out.package_size = file->size();
  // What grows with the number of files goes to sealed spills
  // (crypto/sealed_spill.h): the members as read, and the manifest text.
  auto members_owned = std::make_unique<MemberLog>(spill_dir, env, options.memory_limit);
  MemberLog& members = *members_owned;
  // ReadManifest only: the manifest's files as parsed (with their SHA-256,
  // which the members lack), so that listing them later needs no second
  // parse of the manifest (at 300,000 files that parse took 0.7 s).
  std::unique_ptr<MemberLog> listed_owned;
  if (mode == ReadMode::kManifestOnly) {
    listed_owned = std::make_unique<MemberLog>(spill_dir, env, options.memory_limit);
  }
  auto manifest_text = std::make_unique<crypto::SealedSpill>(spill_dir, env, options.memory_limit);
  // 64-bit keyed names of the paths seen (files) and of their parent
  // directories, to refuse duplicates and a path that is both a file and a
  // directory without holding the paths (crypto/hash.h KeyedHash64); with
  // --portable, `folded` holds both kinds as Windows compares names.
  uint8_t name_key[crypto::KeyedHash64::kKeySize];
  CUSTODY_RETURN_IF_ERROR(env.RandomBytes(name_key, sizeof name_key));
  const crypto::KeyedHash64 name(name_key);
  WipeMemory(name_key, sizeof name_key);
  U64Set file_names, dir_names, folded;
  std::vector<std::string> new_dirs;  // Parents first seen in the current member.
  // Files are created 0600 less the umask; when the umask keeps those bits,
  // a 0600 file needs no fchmod (one system call fewer per file: 20,000 in
  // a large tree). Read once per extraction.
  bool created_0600_exactly = false;
  if (mode == ReadMode::kExtract) {
    auto mask = env.CreationMask();
    created_0600_exactly = mask.ok() && (*mask & 0600) == 0;
  }
  bool have_manifest = false, have_sig = false;
  crypto::Sha256Hasher manifest_hash;
  {
    // From the decryptor's buffers without a copy when there is one.
    std::unique_ptr<TarReader> tar;
    if (age_plain) {
      CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<BorrowingSource*>(age_plain.get())));
    } else {
      CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(&plain));
    }
    Member member;
    while (true) {
      CUSTODY_ASSIGN_OR_RETURN(std::optional<TarMember> m, tar->Next());
      if (!m) break;
      const std::string& name_in_tar = m->path;
      if (have_sig) return CorruptionError("the package has members after custody/manifest.sig (" + name_in_tar + ")");
      bool is_data = name_in_tar.rfind(kDataPrefix, 0) == 0;
      bool is_manifest = name_in_tar == kManifestName, is_sig = name_in_tar == kSignatureName;
      if (!is_data && !is_manifest && !is_sig) {
        if (members.count() == 0 && !have_manifest) {
          return CorruptionError("this is not a custody package: its first member is \"" + name_in_tar +
                                 "\", not data/... (a plain tar encrypted with age? check where it came from "
                                 "before opening it with `age -d | tar -x`)");
        }
        return CorruptionError("the package holds \"" + name_in_tar + "\" outside data/ and custody/; refused");
      }
      if (m->kind != TarMember::Kind::kRegular) {
        std::string what = KindName(m->kind) + " \"" + name_in_tar + "\"";
        if (!m->link_target.empty()) what += " -> \"" + m->link_target + "\"";
        return CorruptionError("the package holds " + what + "; custody packages hold only regular files, refused");
      }
      if (!m->size_set) return CorruptionError("member " + name_in_tar + " has no size");
      // Why refuse before reading: a sparse member's holes cost nothing in
      // the package but come out as zeros, so a few kilobytes could make
      // `open` write terabytes before the manifest (at the end) shows the
      // size is wrong. custody never writes sparse members.
      if (m->sparse) {
        return CorruptionError("the package holds \"" + name_in_tar +
                               "\" as a sparse file; custody packages never do, refused");
      }
      if (is_manifest || is_sig) {
        if (is_manifest && have_manifest) {
          return CorruptionError("the package has two manifests");
        }
        if (is_sig && !have_manifest) return CorruptionError("custody/manifest.sig comes before custody/manifest.json");
        uint64_t limit = is_manifest ? kMaxManifestSize : crypto::kEd25519SignatureSize;
        if (m->size > limit) {
          return CorruptionError(name_in_tar + " is too large (" + std::to_string(m->size) + " bytes)");
        }
        uint64_t got = 0;
        if (is_manifest) manifest_text->Reserve(m->size);
        while (true) {
          CUSTODY_ASSIGN_OR_RETURN(std::string_view block, tar->ReadBlock());
          if (block.empty()) break;
          got += block.size();
          if (got > limit) return CorruptionError(name_in_tar + " is too large");
          if (is_manifest) {
            manifest_hash.Update(block);
            CUSTODY_RETURN_IF_ERROR(manifest_text->Append(block));
          } else {
            out.signature.append(block);
          }
        }
        if (got != m->size) return TruncatedError("the package is truncated inside " + name_in_tar);
        (is_manifest ? have_manifest : have_sig) = true;
        continue;
      }
      if (have_manifest) return CorruptionError("the package has data after its manifest (" + name_in_tar + ")");
      member.path.assign(name_in_tar, kDataPrefix.size());
      const std::string& rel = member.path;
      if (Status v = ValidateRelativePath(rel, options.portable); !v.ok()) {
        return CorruptionError("the package holds " + v.message() + "; refused");
      }
      const uint64_t rel_name = name(rel);
      if (!file_names.Insert(rel_name)) return CorruptionError("the package holds " + rel + " twice; refused");
      if (dir_names.Contains(rel_name)) {
        return CorruptionError("the package holds " + rel + " both as a file and a directory");
      }
      new_dirs.clear();
      for (size_t p = rel.find('/'); p != std::string::npos; p = rel.find('/', p + 1)) {
        const std::string_view parent = std::string_view(rel).substr(0, p);
        const uint64_t parent_name = name(parent);
        if (file_names.Contains(parent_name)) {
          return CorruptionError("the package holds " + std::string(parent) + " both as a file and a directory");
        }
        if (dir_names.Insert(parent_name)) new_dirs.emplace_back(parent);
      }
      if (options.portable) {
        // The names new in this member (its file, and the directories first
        // seen in it), as Windows compares names, in one set: a new name whose
        // key is taken was spelled otherwise before (the same spelling was
        // refused above, or is not new), as a file or as a directory, and
        // Windows would make the two one.
        auto fold_is_new = [&](std::string_view n) -> Result<bool> {
          CUSTODY_ASSIGN_OR_RETURN(std::string key, PortableFoldKey(n));
          return folded.Insert(name(key));
        };
        for (const std::string& d : new_dirs) {
          CUSTODY_ASSIGN_OR_RETURN(bool fresh, fold_is_new(d));
          if (!fresh) {
            return CorruptionError("the package holds names that differ only in case (directory " + d +
                                   " and an earlier file or directory); Windows cannot hold both (--portable)");
          }
        }
        CUSTODY_ASSIGN_OR_RETURN(bool fresh, fold_is_new(rel));
        if (!fresh) {
          return CorruptionError("the package holds names that differ only in case (" + rel +
                                 " and an earlier file or directory); Windows cannot hold both (--portable)");
        }
      }
      if (writer) {
        // Only directories not made before (shallowest first): one mkdir per
        // directory, not one per file and level.
        for (const std::string& d : new_dirs) CUSTODY_RETURN_IF_ERROR(writer->MakeDirectory(extract_root + "/" + d));
        CUSTODY_RETURN_IF_ERROR(writer->BeginFile(extract_root + "/" + rel));
      }
      crypto::Sha256Hasher hasher;
      uint64_t got = 0;
      while (true) {
        if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
          return InterruptedError("stopped by a signal; nothing was extracted or kept");
        }
        CUSTODY_ASSIGN_OR_RETURN(std::string_view block, tar->ReadBlock());
        if (block.empty()) break;
        got += block.size();
        if (mode != ReadMode::kManifestOnly) hasher.Update(block);
        if (writer) CUSTODY_RETURN_IF_ERROR(writer->Write(block));
      }
      if (got != m->size) return TruncatedError("the package is truncated inside " + name_in_tar);
      if (writer) {
        // Mode and time from the tar header, on the open file (no second
        // path lookup per file). The signed manifest is checked against the
        // same header values once it has been read; if they differ, the
        // whole extraction is refused and removed. Modes keep only the
        // owner's bits: the data is confidential, and the recipient widens
        // access deliberately.
        const mode_t owner_mode = static_cast<mode_t>((m->mode & 0700) | 0600);
        CUSTODY_RETURN_IF_ERROR(writer->EndFile(owner_mode != 0600 || !created_0600_exactly, owner_mode, m->mtime));
      }
      member.size = m->size;
      member.mode = m->mode & 0777;
      member.mtime = m->mtime;
      member.sha256 = mode != ReadMode::kManifestOnly ? hasher.Finish() : crypto::Sha256Digest{};
      CUSTODY_RETURN_IF_ERROR(members.Add(member));
    }
    // The tar ended; the age stream must now end too, authenticated, with
    // only the tar's zero padding before it: nothing the signed manifest does
    // not cover may ride along, not even in what libarchive read ahead. This
    // read is also what catches a package cut after the tar's end-of-archive
    // blocks.
    CUSTODY_RETURN_IF_ERROR(tar->CheckOnlyZerosAfterEnd());
  }
  // Every file is written before the checks below pass, or the first error.
  if (writer) CUSTODY_RETURN_IF_ERROR(writer->Finish());
  if (!have_manifest) {
    return CorruptionError("this is not a custody package: it has no custody/manifest.json (a plain tar encrypted "
                           "with age? check where it came from before opening it with `age -d | tar -x`)");
  }
  if (!have_sig) return CorruptionError("the package has a manifest but no custody/manifest.sig");
  CUSTODY_RETURN_IF_ERROR(members.Finish());
  CUSTODY_RETURN_IF_ERROR(manifest_text->Finish());

  // One pass over the manifest: parsed, and each file compared with the
  // member at the same place (custody writes the members in the manifest's
  // order; a package rearranged since is compared by path below). The first
  // difference is kept, not returned: a bad signature must be reported
  // before any file (a forged manifest would otherwise be described file by
  // file).
  CUSTODY_RETURN_IF_ERROR(members.Rewind());
  Member at;
  bool differs = false;
  Status difference;  // Set when the difference is in a file's content or metadata.
  Member listed;
  auto compare = [&](const PackageFile& f) -> Status {
    if (listed_owned) {
      listed.path = f.path;
      listed.size = f.size;
      listed.mode = f.mode;
      listed.mtime = f.mtime;
      if (!HexToDigest(f.sha256, &listed.sha256)) return CorruptionError("the manifest's SHA-256 of " + f.path + " is malformed");
      CUSTODY_RETURN_IF_ERROR(listed_owned->Add(listed));
    }
    if (differs) return Status::Ok();
    CUSTODY_ASSIGN_OR_RETURN(bool have, members.Next(&at));
    if (!have || at.path != f.path) {
      differs = true;
      return Status::Ok();
    }
    if (at.size != f.size || (mode != ReadMode::kManifestOnly && !DigestMatchesHex(at.sha256, f.sha256))) {
      differs = true;
      difference = VerificationFailedError("file " + f.path + " was modified after packaging (its " +
                                           (at.size != f.size ? "size" : "SHA-256") +
                                           " differs from the signed manifest)");
    } else if (at.mode != f.mode || at.mtime != f.mtime) {
      differs = true;
      difference = VerificationFailedError("file " + f.path + " has a mode or time that differs from the signed manifest");
    }
    return Status::Ok();
  };
  // A manifest that stayed in memory (up to about 25,000 files) has its
  // signature checked on a second thread while this one parses, under the
  // key its text names (a guess, used only if the parse finds the same key);
  // the future's destructor waits for it on every path out.
  const std::optional<std::string_view> in_memory = manifest_text->InMemory();
  const std::string guessed_key = in_memory ? GuessVerifierKey(*in_memory) : "";
  std::future<bool> guessed_signature_valid;
  if (!guessed_key.empty()) {
    guessed_signature_valid = std::async(std::launch::async, [&] {
      auto verifier = note::ParseVerifierKey(guessed_key);
      return verifier.ok() && crypto::Ed25519VerifyWithContext(verifier->public_key, crypto::kPackageManifestContext,
                                                               *in_memory, out.signature);
    });
  }
  CUSTODY_ASSIGN_OR_RETURN(StreamedManifest parsed, ParseManifestStream(*manifest_text, compare));
  // Joined here, before `out` can be moved out of this function.
  const bool guessed_valid = guessed_signature_valid.valid() && guessed_signature_valid.get();
  const std::string text_digest = encoding::HexEncode(crypto::DigestToString(manifest_hash.Finish()));
  if (parsed.digest != text_digest) return InternalError("the manifest read back differs from the one received");
  out.manifest = std::move(parsed.header);
  out.file_count = parsed.file_count;
  out.digest = parsed.digest;
  auto verifier = note::ParseVerifierKey(out.manifest.sender_verifier_key);
  if (!verifier.ok()) return CorruptionError("the manifest's sender key is malformed: " + verifier.status().message());
  bool signature_valid = false;
  if (!guessed_key.empty() && guessed_key == out.manifest.sender_verifier_key) {
    signature_valid = guessed_valid;
  } else {
    ConcatSource signed_message;
    signed_message.Add(crypto::kPackageManifestContext).Add(*manifest_text);
    CUSTODY_ASSIGN_OR_RETURN(signature_valid,
                             crypto::Ed25519VerifySource(verifier->public_key, signed_message, out.signature));
  }
  if (!signature_valid) {
    return VerificationFailedError("the manifest signature does not verify: the package was altered after it was "
                                   "signed, or was not made by the station it names; do not use it");
  }
  if (!options.expected_sender_key.empty() && options.expected_sender_key != out.manifest.sender_verifier_key) {
    return VerificationFailedError("the package is signed by " + out.manifest.sender_verifier_key +
                                   ", not by the expected sender " + options.expected_sender_key);
  }
  out.sender_fingerprint = SenderFingerprint(out.manifest.sender_verifier_key);
  for (const KnownSender& known : options.known_senders) {
    if (known.verifier_key == out.manifest.sender_verifier_key) {
      out.sender_known = true;
      out.sender_name = known.name;
      break;
    }
  }
  if (options.require_known_sender && !out.sender_known) {
    return FailedPreconditionError(
        "the package is signed by a station this station does not know as a sender (key " +
        out.manifest.sender_verifier_key + ", fingerprint " + out.sender_fingerprint +
        "); if it is expected, call the sender at a number you already have, ask them to read "
        "their key's fingerprint (custody status), then: custody key import-sender NAME " +
        out.manifest.sender_verifier_key + " --confirm-fingerprint FINGERPRINT");
  }
  // Every member must be in the manifest, at its place, with the same size,
  // metadata and hash, and every manifest file must be present.
  if (differs && !difference.ok()) return difference;
  if (differs) {
    // The paths differ at this place. Files missing or unlisted, or a
    // package rearranged after packaging (unpacked and packed again with
    // tar, which package.md allows): compared again without regard to
    // order, holding the members by path. Only such packages cost memory in
    // proportion to their files.
    CUSTODY_RETURN_IF_ERROR(CompareUnordered(members, *manifest_text, mode, env));
  } else {
    CUSTODY_ASSIGN_OR_RETURN(bool extra, members.Next(&at));
    if (extra) {
      return VerificationFailedError("file " + at.path + " is in the package but not in the signed manifest; refused");
    }
  }
  out.files_verified = mode != ReadMode::kManifestOnly;
  out.contents = std::make_shared<VerifiedPackage::Contents>();
  out.contents->manifest = std::move(manifest_text);
  if (listed_owned) {
    CUSTODY_RETURN_IF_ERROR(listed_owned->Finish());
    out.contents->files = std::move(listed_owned);
  } else if (!differs) {
    out.contents->files = std::move(members_owned);
  }
  return out;
}

// Where a reading's sealed spills go: the private directory it extracts
// into when opening (the destination must have room anyway), else the
// temporary directory ($TMPDIR, or /tmp). Not next to the package: packages
// arrive on read-only media.
std::string SpillDirectory(const std::string& extract_root) {
  if (!extract_root.empty()) return extract_root;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

Status MoveIntoPlace(Env& env, const std::string& temp, const std::string& dest_dir,
                     const RenameNoReplaceFn& rename) {
  auto move = [&](const std::string& from_dir, const std::string& to_dir, const std::string& name) {
    const std::string from = from_dir + "/" + name, to = to_dir + "/" + name;
    return rename ? rename(from, to) : env.RenameNoReplace(from, to);
  };
  CUSTODY_RETURN_IF_ERROR(env.ForEachDirEntry(temp, [&](const std::string& name) {
    auto there = env.StatNoFollow(dest_dir + "/" + name);
    if (there.ok()) {
      return AlreadyExistsError(dest_dir + "/" + name +
                                " already exists; open the package into an empty directory or move it away "
                                "(nothing was extracted)");
    }
    if (there.status().code() != StatusCode::kNotFound) return there.status();
    return Status::Ok();
  }));
  crypto::SealedSpill moved(dest_dir, env);
  Status failed;
  for (bool any = true; any && failed.ok();) {
    any = false;
    failed = env.ForEachDirEntry(temp, [&](const std::string& name) {
      if (Status m = move(temp, dest_dir, name); !m.ok()) {
        if (m.code() == StatusCode::kNotFound) return Status::Ok();  // Moved already: listed twice.
        return m.WithContext("move into place " + dest_dir + "/" + name);
      }
      any = true;
      if (Status s = moved.Append(std::string_view(name.c_str(), name.size() + 1)); !s.ok()) {
        move(dest_dir, temp, name).IgnoreError();  // Not recorded: back at once.
        return s;
      }
      return Status::Ok();
    });
  }
  // The moves are durable once the destination directory is synced; a
  // package reported opened must still be there after a power cut.
  if (failed.ok()) failed = env.SyncDir(dest_dir);
  if (failed.ok()) return Status::Ok();
  // Back, name by name (each ends with a NUL, which no name contains).
  if (moved.Finish().ok() && moved.Rewind().ok()) {
    std::string name;
    while (true) {
      auto piece = moved.Next();
      if (!piece.ok() || piece->empty()) break;
      for (char c : *piece) {
        if (c != '\0') {
          name.push_back(c);
          continue;
        }
        move(dest_dir, temp, name).IgnoreError();
        name.clear();
      }
    }
  }
  return failed;
}

namespace {

Result<VerifiedPackage> ReadPackage(const std::string& path, const PackageKeys& keys,
                                    const VerifyPackageOptions& options, ReadMode mode,
                                    const std::string& extract_root) {
  const std::string spill_dir = SpillDirectory(extract_root);
  if (mode != ReadMode::kExtract) {
    return ReadPackageWith(path, keys, options, mode, extract_root, nullptr, spill_dir);
  }
  // Files are written on the writer's thread (package/extract_writer.h).
  ExtractWriter writer(options.env != nullptr ? *options.env : *Env::Default());
  auto result = ReadPackageWith(path, keys, options, mode, extract_root, &writer, spill_dir);
  if (!result.ok()) {
    // The writer's failure concerns an earlier member than any the reading
    // found since: report the first, as a serial extraction did.
    Status written = writer.Finish();
    if (!written.ok()) return written;
  }
  return result;
}

}  // namespace
}  // namespace package

Status VerifiedPackage::ForEachFile(const std::function<Status(const PackageFile&)>& fn) const {
  if (!contents) return FailedPreconditionError("no package was read into this object");
  if (!contents->files) return package::ParseManifestStream(*contents->manifest, fn).status();
  // The members, verified equal to the manifest's files in its order.
  package::MemberLog& log = *contents->files;
  CUSTODY_RETURN_IF_ERROR(log.Rewind());
  package::Member m;
  PackageFile f;
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, log.Next(&m));
    if (!more) return Status::Ok();
    f.path.swap(m.path);
    f.size = m.size;
    f.mode = m.mode;
    f.mtime = m.mtime;
    f.sha256 = encoding::HexEncode(crypto::DigestToString(m.sha256));
    CUSTODY_RETURN_IF_ERROR(fn(f));
    m.path.swap(f.path);
  }
}

Status VerifiedPackage::ForEachManifestPiece(const std::function<Status(std::string_view)>& fn) const {
  if (!contents) return FailedPreconditionError("no package was read into this object");
  CUSTODY_RETURN_IF_ERROR(contents->manifest->Rewind());
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, contents->manifest->Next());
    if (piece.empty()) return Status::Ok();
    CUSTODY_RETURN_IF_ERROR(fn(piece));
  }
}

Result<std::vector<PackageFile>> VerifiedPackage::Files() const {
  std::vector<PackageFile> files;
  CUSTODY_RETURN_IF_ERROR(ForEachFile([&files](const PackageFile& f) {
    files.push_back(f);
    return Status::Ok();
  }));
  return files;
}

Result<std::string> VerifiedPackage::ManifestJson() const {
  std::string text;
  CUSTODY_RETURN_IF_ERROR(ForEachManifestPiece([&text](std::string_view piece) {
    text.append(piece);
    return Status::Ok();
  }));
  return text;
}

Result<VerifiedPackage> VerifyPackage(const std::string& package_path, const PackageKeys& keys,
                                      const VerifyPackageOptions& options) {
  return package::ReadPackage(package_path, keys, options, package::ReadMode::kVerify, "");
}

Result<VerifiedPackage> ReadManifest(const std::string& package_path, const PackageKeys& keys,
                                     const VerifyPackageOptions& options) {
  return package::ReadPackage(package_path, keys, options, package::ReadMode::kManifestOnly, "");
}

Result<VerifiedPackage> OpenPackage(const std::string& package_path, const std::string& dest_dir,
                                    const PackageKeys& keys, const OpenPackageOptions& options, Station* station) {
  using package::ReadMode;
  if (dest_dir.empty()) return InvalidArgumentError("no destination: give -d DIR");
  std::string op;
  if (station != nullptr) {
    CUSTODY_ASSIGN_OR_RETURN(op, station->ResolveOperator(options.operator_name));
  }
  Env& env = options.verify.env != nullptr ? *options.verify.env : *Env::Default();
  // The destination may exist (as a directory, or a symbolic link to one);
  // if this call makes it, a failure removes it again. Made exclusively, so
  // "this call made it" is never a guess: a directory another process makes
  // at the same moment is theirs, and stays.
  bool created_dest = false;
  for (int attempt = 0;; ++attempt) {
    Status made = env.CreateNewDir(dest_dir, 0700);
    if (made.ok()) {
      created_dest = true;
      break;
    }
    if (made.code() != StatusCode::kAlreadyExists) return made;
    auto dest = env.StatNoFollow(dest_dir);
    // Gone again between the two calls: try once more to make it.
    if (!dest.ok() && dest.status().code() == StatusCode::kNotFound && attempt == 0) continue;
    if (!dest.ok()) return dest.status();
    if (dest->type == FileStatus::Type::kSymlink) {
      // Followed: fine when it leads to a directory. Only looked at, never
      // made: a link swapped for nothing meanwhile must not leave a
      // directory behind that this call did not make exclusively.
      auto target = env.Stat(dest_dir);
      if (!target.ok() && target.status().code() != StatusCode::kNotFound) return target.status();
      if (!target.ok() || target->type != FileStatus::Type::kDirectory) {
        return InvalidArgumentError(dest_dir + " is not a directory");
      }
    } else if (dest->type != FileStatus::Type::kDirectory) {
      return InvalidArgumentError(dest_dir + " is not a directory");
    }
    break;
  }
  auto made_temp = env.CreateUniqueDir(dest_dir, ".custody-open-");
  if (!made_temp.ok()) {
    if (created_dest) env.RemoveDir(dest_dir).IgnoreError();
    return made_temp.status();
  }
  const std::string temp = *made_temp;
  auto cleanup = [&] {
    env.RemoveTree(temp).IgnoreError();
    if (created_dest) env.RemoveDir(dest_dir).IgnoreError();
  };
  auto result = package::ReadPackage(package_path, keys, options.verify, ReadMode::kExtract, temp);
  if (!result.ok()) {
    cleanup();
    return result.status();
  }
  VerifiedPackage& v = *result;
  // A stop that came while the last files were being written (after the
  // reading had ended) still stops the open before anything is moved.
  if (options.verify.stop != nullptr && options.verify.stop->load(std::memory_order_relaxed)) {
    cleanup();
    return InterruptedError("stopped by a signal; nothing was extracted or kept");
  }
  // Modes and times were set while extracting, from tar headers that
  // ReadPackage has checked against the signed manifest. One syncfs makes
  // every extracted file and directory durable before any is moved (and
  // DIR's own creation, on the same file system).
  if (Status s = env.SyncFileSystem(temp); !s.ok()) {
    cleanup();
    return s;
  }
  // Moved entry by entry, with no list of them held (a package may have
  // any number of top-level names); on a failure what was moved goes back.
  if (Status moved = package::MoveIntoPlace(env, temp, dest_dir); !moved.ok()) {
    cleanup();
    return moved;
  }
  // The moves are durable already (MoveIntoPlace synced DIR); this sync
  // only keeps the empty temporary directory from coming back after a
  // power cut, so its failure changes nothing for the person.
  if (env.RemoveDir(temp).ok()) env.SyncDir(dest_dir).IgnoreError();
  if (station != nullptr) {
    nlohmann::json event = {
        {"package_id", v.manifest.package_id},
        {"digest", v.digest},
        {"sender_organization", v.manifest.sender_organization},
        {"sender_verifier_key", v.manifest.sender_verifier_key},
        {"sender_known", v.sender_known},
        {"file_count", v.file_count},
        {"total_size", v.manifest.total_size},
        {"size", v.package_size},
        {"destination", dest_dir},
    };
    if (v.sender_known) event["sender_name"] = v.sender_name;
    CUSTODY_ASSIGN_OR_RETURN(std::string event_json, json::Canonicalize(event));
    auto entry = station->Record("package.opened", op, event_json);
    if (!entry.ok()) {
      return entry.status().WithContext("the package was opened into " + dest_dir +
                                        " but could not be recorded in the ledger");
    }
  }
  return result;
}

}  // namespace custody
