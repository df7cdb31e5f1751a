// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Reading packages: VerifyPackage, ReadManifest, OpenPackage. One pass:
// age decryption -> tar members (checked as they come) -> hashed (and, when
// opening, written into a private temporary directory) -> at the end the
// manifest and its signature -> every member compared with the manifest.
// Only then does OpenPackage move anything where the person will see it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/canonical_json.h"
#include "crypto/age.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature_context.h"
#include "custody/env.h"
#include "custody/station.h"
#include "env/posix_io.h"
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

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
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
  std::unique_ptr<FdSource> source;
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

// Opens the age layer with the keys; turns kWrongKey into a sentence a
// person can act on.
Result<Opened> OpenAge(int fd, const std::string& path, const PackageKeys& keys) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<age::X25519Identity> parsed,
                           ParseIdentities(keys.identities, keys.identity_names));
  StanzaProbe probe;
  std::vector<const age::IdentityUnwrapper*> ids;
  for (const auto& id : parsed) ids.push_back(&id);
  ids.push_back(&probe);
  Opened o;
  o.source = std::make_unique<FdSource>(fd, path);
  auto dec = age::AgeDecryptor::Open(o.source.get(), ids);
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
    if (::lseek(fd, 0, SEEK_SET) != 0) return posix::ErrnoStatus("seek", path, errno);
    o.source = std::make_unique<FdSource>(fd, path);
    auto again = age::AgeDecryptor::Open(o.source.get(), {&sid});
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
      if (::lseek(fd, 0, SEEK_SET) != 0) return posix::ErrnoStatus("seek", path, errno);
      o.source = std::make_unique<FdSource>(fd, path);
      auto again = age::AgeDecryptor::Open(o.source.get(), station_unwrappers);
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

struct MemberRecord {
  uint64_t size;
  uint32_t mode;
  int64_t mtime;
  crypto::Sha256Digest sha256;  // Raw bytes: no hex string per member.
};

// True if `hex` is the lowercase hex spelling of `d` (the manifest's form,
// checked by ParseManifest).
bool DigestMatchesHex(const crypto::Sha256Digest& d, std::string_view hex) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (hex.size() != 2 * d.size()) return false;
  for (size_t i = 0; i < d.size(); ++i) {
    if (hex[2 * i] != kDigits[d[i] >> 4] || hex[2 * i + 1] != kDigits[d[i] & 0xf]) return false;
  }
  return true;
}

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

bool ManifestSignatureValid(const std::string& verifier_key, std::string_view manifest, std::string_view signature) {
  auto verifier = note::ParseVerifierKey(verifier_key);
  return verifier.ok() &&
         crypto::Ed25519VerifyWithContext(verifier->public_key, crypto::kPackageManifestContext, manifest, signature);
}

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

Result<VerifiedPackage> ReadPackageWith(const std::string& path, const PackageKeys& keys,
                                        const VerifyPackageOptions& options, ReadMode mode,
                                        const std::string& extract_root, ExtractWriter* writer) {
  Fd fd(posix::RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (fd.fd < 0) return posix::ErrnoStatus("open", path, errno);
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return posix::ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(path + " is not a regular file");
  ::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  char magic[4] = {};
  ssize_t got_magic = ::pread(fd.fd, magic, sizeof magic, 0);
  Opened opened;
  std::unique_ptr<DecryptorSource> age_plain;
  std::unique_ptr<ZipSource> zip_plain;
  ByteSource* plain_source = nullptr;
  if (got_magic == 4 && LooksLikeZip(std::string_view(magic, 4))) {
    if (!keys.passphrase) return WrongKeyError("this is a zip package: give its password");
    CUSTODY_ASSIGN_OR_RETURN(SecretString pass, keys.passphrase());
    opened.source = std::make_unique<FdSource>(fd.fd, path);
    CUSTODY_ASSIGN_OR_RETURN(zip_plain, ZipSource::Open(opened.source.get(), pass));
    plain_source = zip_plain.get();
  } else {
    CUSTODY_ASSIGN_OR_RETURN(opened, OpenAge(fd.fd, path, keys));
    // The decryptor reads ahead and opens batches on its worker threads
    // (crypto/age_format.h); tar and hashing run on this one, on its
    // buffers.
    age_plain = std::make_unique<DecryptorSource>(opened.decryptor.get());
    plain_source = age_plain.get();
  }
  ByteSource& plain = *plain_source;

  VerifiedPackage out;
  out.package_size = static_cast<uint64_t>(st.st_size);
  // Hashed, not ordered: looked up once per member and once per manifest
  // file, and `order` keeps the tar order (nodes do not move on rehash).
  std::unordered_map<std::string, MemberRecord> members;
  std::vector<const std::string*> order;  // Keys of `members`, in tar order.
  std::unordered_set<std::string> parent_dirs, folded;
  std::vector<std::string> new_dirs;  // Parents first seen in the current member.
  // Files are created 0600; when the umask keeps those bits, a 0600 file
  // needs no fchmod (one system call fewer per file: 20,000 in a large tree).
  const std::optional<unsigned> umask =
      mode == ReadMode::kExtract ? posix::ReadUmask() : std::nullopt;
  const bool created_0600_exactly = umask.has_value() && (*umask & 0600) == 0;
  bool have_manifest = false, have_sig = false;
  {
    // From the decryptor's buffers without a copy when there is one.
    std::unique_ptr<TarReader> tar;
    if (age_plain) {
      CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<BorrowingSource*>(age_plain.get())));
    } else {
      CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(&plain));
    }
    while (true) {
      CUSTODY_ASSIGN_OR_RETURN(std::optional<TarMember> m, tar->Next());
      if (!m) break;
      const std::string& name = m->path;
      if (have_sig) return CorruptionError("the package has members after custody/manifest.sig (" + name + ")");
      bool is_data = name.rfind(kDataPrefix, 0) == 0;
      bool is_manifest = name == kManifestName, is_sig = name == kSignatureName;
      if (!is_data && !is_manifest && !is_sig) {
        if (members.empty() && !have_manifest) {
          return CorruptionError("this is not a custody package: its first member is \"" + name +
                                 "\", not data/... (a plain tar encrypted with age? check where it came from "
                                 "before opening it with `age -d | tar -x`)");
        }
        return CorruptionError("the package holds \"" + name + "\" outside data/ and custody/; refused");
      }
      if (m->kind != TarMember::Kind::kRegular) {
        std::string what = KindName(m->kind) + " \"" + name + "\"";
        if (!m->link_target.empty()) what += " -> \"" + m->link_target + "\"";
        return CorruptionError("the package holds " + what + "; custody packages hold only regular files, refused");
      }
      if (!m->size_set) return CorruptionError("member " + name + " has no size");
      // Why refuse before reading: a sparse member's holes cost nothing in
      // the package but come out as zeros, so a few kilobytes could make
      // `open` write terabytes before the manifest (at the end) shows the
      // size is wrong. custody never writes sparse members.
      if (m->sparse) {
        return CorruptionError("the package holds \"" + name +
                               "\" as a sparse file; custody packages never do, refused");
      }
      if (is_manifest || is_sig) {
        if (is_manifest && have_manifest) {
          return CorruptionError("the package has two manifests");
        }
        if (is_sig && !have_manifest) return CorruptionError("custody/manifest.sig comes before custody/manifest.json");
        uint64_t limit = is_manifest ? kMaxManifestSize : crypto::kEd25519SignatureSize;
        if (m->size > limit) return CorruptionError(name + " is too large (" + std::to_string(m->size) + " bytes)");
        std::string content;
        content.reserve(static_cast<size_t>(m->size));
        while (true) {
          CUSTODY_ASSIGN_OR_RETURN(std::string_view block, tar->ReadBlock());
          if (block.empty()) break;
          content.append(block);
          if (content.size() > limit) return CorruptionError(name + " is too large");
        }
        if (content.size() != m->size) return TruncatedError("the package is truncated inside " + name);
        if (is_manifest) {
          have_manifest = true;
          out.manifest_json = std::move(content);
        } else {
          have_sig = true;
          out.signature = std::move(content);
        }
        continue;
      }
      if (have_manifest) return CorruptionError("the package has data after its manifest (" + name + ")");
      std::string rel = name.substr(kDataPrefix.size());
      if (Status v = ValidateRelativePath(rel, options.portable); !v.ok()) {
        return CorruptionError("the package holds " + v.message() + "; refused");
      }
      if (members.count(rel)) return CorruptionError("the package holds " + rel + " twice; refused");
      if (options.portable && !folded.insert(PortableFoldKey(rel)).second) {
        return CorruptionError("the package holds names that differ only in case (" + rel +
                               "); Windows cannot hold both (--portable)");
      }
      if (parent_dirs.count(rel)) return CorruptionError("the package holds " + rel + " both as a file and a directory");
      new_dirs.clear();
      for (size_t p = rel.find('/'); p != std::string::npos; p = rel.find('/', p + 1)) {
        std::string parent = rel.substr(0, p);
        if (members.count(parent)) return CorruptionError("the package holds " + parent + " both as a file and a directory");
        if (parent_dirs.insert(parent).second) new_dirs.push_back(std::move(parent));
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
        CUSTODY_ASSIGN_OR_RETURN(std::string_view block, tar->ReadBlock());
        if (block.empty()) break;
        got += block.size();
        if (mode != ReadMode::kManifestOnly) hasher.Update(block);
        if (writer) CUSTODY_RETURN_IF_ERROR(writer->Write(block));
      }
      if (got != m->size) return TruncatedError("the package is truncated inside " + name);
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
      MemberRecord rec{m->size, m->mode & 0777, m->mtime, {}};
      if (mode != ReadMode::kManifestOnly) rec.sha256 = hasher.Finish();
      auto inserted = members.emplace(std::move(rel), rec);
      order.push_back(&inserted.first->first);
    }
  }
  // Every file is written before the checks below pass, or the first error.
  if (writer) CUSTODY_RETURN_IF_ERROR(writer->Finish());
  // The tar ended; the age stream must now end too, authenticated, with only
  // the tar's zero padding before it. This read is what catches a package cut
  // after the tar's end-of-archive blocks.
  std::vector<char> buf(64 << 10);
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(size_t n, plain.Read(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] != 0) return CorruptionError("the package has data after the end of its tar");
    }
  }
  if (zip_plain) CUSTODY_RETURN_IF_ERROR(CheckZipDirectory(path));
  if (!have_manifest) {
    return CorruptionError("this is not a custody package: it has no custody/manifest.json (a plain tar encrypted "
                           "with age? check where it came from before opening it with `age -d | tar -x`)");
  }
  if (!have_sig) return CorruptionError("the package has a manifest but no custody/manifest.sig");

  // The signature (SHA-512 over the whole manifest) and the digest are
  // computed on a second thread while this one parses the manifest; the
  // future's destructor waits for it on every path out.
  const std::string guessed_key = GuessVerifierKey(out.manifest_json);
  struct TailResult {
    bool guessed_signature_valid = false;
    std::string digest;
  };
  std::future<TailResult> tail = std::async(std::launch::async, [&out, &guessed_key] {
    TailResult r;
    r.digest = crypto::Sha256Hex(out.manifest_json);
    if (!guessed_key.empty()) r.guessed_signature_valid = ManifestSignatureValid(guessed_key, out.manifest_json, out.signature);
    return r;
  });
  auto parsed = ParseManifest(out.manifest_json);
  TailResult tail_result = tail.get();
  if (!parsed.ok()) return parsed.status();
  out.manifest = std::move(*parsed);
  out.digest = std::move(tail_result.digest);
  auto verifier = note::ParseVerifierKey(out.manifest.sender_verifier_key);
  if (!verifier.ok()) return CorruptionError("the manifest's sender key is malformed: " + verifier.status().message());
  const bool signature_valid = out.manifest.sender_verifier_key == guessed_key
                                   ? tail_result.guessed_signature_valid
                                   : ManifestSignatureValid(out.manifest.sender_verifier_key, out.manifest_json,
                                                            out.signature);
  if (!signature_valid) {
    return VerificationFailedError("the manifest signature does not verify: the package was altered after it was "
                                   "signed, or was not made by the station it names; do not use it");
  }
  if (!options.expected_sender_key.empty() && options.expected_sender_key != out.manifest.sender_verifier_key) {
    return VerificationFailedError("the package is signed by " + out.manifest.sender_verifier_key +
                                   ", not by the expected sender " + options.expected_sender_key);
  }
  // Every member must be in the manifest with the same size, metadata and
  // hash, and every manifest file must be present.
  for (const PackageFile& f : out.manifest.files) {
    auto it = members.find(f.path);
    if (it == members.end()) {
      return VerificationFailedError("file " + f.path + " is listed in the signed manifest but missing from the package");
    }
    const MemberRecord& r = it->second;
    if (r.size != f.size || (mode != ReadMode::kManifestOnly && !DigestMatchesHex(r.sha256, f.sha256))) {
      return VerificationFailedError("file " + f.path + " was modified after packaging (its " +
                                     (r.size != f.size ? "size" : "SHA-256") + " differs from the signed manifest)");
    }
    if (r.mode != f.mode || r.mtime != f.mtime) {
      return VerificationFailedError("file " + f.path + " has a mode or time that differs from the signed manifest");
    }
  }
  // Each manifest path is distinct (ParseManifest) and was found above, so
  // equal counts mean every member is listed; otherwise name the first one
  // (in package order) that is not.
  if (members.size() != out.manifest.files.size()) {
    std::set<std::string_view> listed;
    for (const PackageFile& f : out.manifest.files) listed.insert(f.path);
    for (const std::string* rel : order) {
      if (!listed.count(*rel)) {
        return VerificationFailedError("file " + *rel + " is in the package but not in the signed manifest; refused");
      }
    }
  }
  out.files_verified = mode != ReadMode::kManifestOnly;
  return out;
}

Result<VerifiedPackage> ReadPackage(const std::string& path, const PackageKeys& keys,
                                    const VerifyPackageOptions& options, ReadMode mode,
                                    const std::string& extract_root) {
  if (mode != ReadMode::kExtract) return ReadPackageWith(path, keys, options, mode, extract_root, nullptr);
  // Files are written on the writer's thread (package/extract_writer.h).
  ExtractWriter writer;
  auto result = ReadPackageWith(path, keys, options, mode, extract_root, &writer);
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
  bool created_dest = false;
  if (::mkdir(dest_dir.c_str(), 0700) == 0) {
    created_dest = true;
  } else if (errno != EEXIST) {
    return posix::ErrnoStatus("create directory", dest_dir, errno);
  }
  struct stat st {};
  if (::stat(dest_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(dest_dir + " is not a directory");
  }
  std::string tmpl = dest_dir + "/.custody-open-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return posix::ErrnoStatus("create a temporary directory in", dest_dir, errno);
  const std::string temp = tmpl;
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove_all(temp, ec);
    if (created_dest) ::rmdir(dest_dir.c_str());
  };
  auto result = package::ReadPackage(package_path, keys, options.verify, ReadMode::kExtract, temp);
  if (!result.ok()) {
    cleanup();
    return result.status();
  }
  VerifiedPackage& v = *result;
  // Modes and times were set while extracting, from tar headers that
  // ReadPackage has checked against the signed manifest.
  int tfd = ::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (tfd < 0 || ::syncfs(tfd) != 0) {
    Status s = posix::ErrnoStatus("sync", temp, errno);
    if (tfd >= 0) ::close(tfd);
    cleanup();
    return s;
  }
  ::close(tfd);
  std::vector<std::string> tops;
  {
    std::set<std::string> seen;
    for (const PackageFile& f : v.manifest.files) {
      std::string top = f.path.substr(0, f.path.find('/'));
      if (seen.insert(top).second) tops.push_back(top);
    }
  }
  for (const std::string& top : tops) {
    struct stat ts {};
    if (::lstat((dest_dir + "/" + top).c_str(), &ts) == 0) {
      cleanup();
      return AlreadyExistsError(dest_dir + "/" + top +
                                " already exists; open the package into an empty directory or move it away "
                                "(nothing was extracted)");
    }
  }
  std::vector<std::string> moved;
  for (const std::string& top : tops) {
    std::string from = temp + "/" + top, to = dest_dir + "/" + top;
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
      Status s = posix::ErrnoStatus("move into place", to, errno);
      for (const std::string& back : moved) {
        ::renameat2(AT_FDCWD, (dest_dir + "/" + back).c_str(), AT_FDCWD, (temp + "/" + back).c_str(),
                    RENAME_NOREPLACE);
      }
      cleanup();
      return s;
    }
    moved.push_back(top);
  }
  ::rmdir(temp.c_str());
  int dfd = ::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  if (station != nullptr) {
    nlohmann::json event = {
        {"package_id", v.manifest.package_id},
        {"digest", v.digest},
        {"sender_organization", v.manifest.sender_organization},
        {"sender_verifier_key", v.manifest.sender_verifier_key},
        {"file_count", v.manifest.files.size()},
        {"total_size", v.manifest.total_size},
        {"size", v.package_size},
        {"destination", dest_dir},
    };
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
