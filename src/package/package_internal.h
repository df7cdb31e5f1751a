// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Internals shared by the package writer and reader (src/package/*.cc).
#ifndef CUSTODY_SRC_PACKAGE_PACKAGE_INTERNAL_H_
#define CUSTODY_SRC_PACKAGE_PACKAGE_INTERNAL_H_

#include <locale.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_stream.h"
#include "custody/env.h"
#include "custody/message_source.h"
#include "custody/package.h"
#include "custody/status.h"

namespace custody {
class Env;
class Station;
}  // namespace custody

namespace custody::package {

inline constexpr std::string_view kDataPrefix = "data/";
inline constexpr std::string_view kManifestName = "custody/manifest.json";
inline constexpr std::string_view kSignatureName = "custody/manifest.sig";
// A manifest holds ~200 bytes per file; 256 MiB is over a million files and
// bounds what a hostile package can make a reader allocate.
inline constexpr uint64_t kMaxManifestSize = 256u << 20;
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kIoBufferSize = 256 * 1024;

// Why: libarchive 3.6.2 converts names through the thread's locale and
// crashes on non-ASCII UTF-8 names under the "C" locale. Every archive_* call
// runs inside one of these (C.UTF-8 for this thread only; restored on exit).
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale();
  ~ScopedUtf8Locale();
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;
  bool ok() const { return locale_ != nullptr; }

 private:
  locale_t locale_ = nullptr;
  locale_t previous_ = nullptr;
};

// Checks a path relative to data/ (see package.md, "Names"): valid UTF-8,
// non-empty components, no "." or "..", no leading '/', no control
// characters, at most kMaxPathBytes; with `portable`, also the Windows rules.
// Returns the reason a person can read, or OK.
Status ValidateRelativePath(std::string_view path, bool portable);
// The key two names share when Windows (NTFS) takes them for one name, for
// --portable's case checks (package.md, "Names"): every character of the
// Basic Multilingual Plane replaced by its Unicode simple uppercase mapping
// (glibc's C.UTF-8 tables), which is how NTFS compares names (its upcase
// table, BMP only): "Ａ" and "ａ", "Σ", "σ" and "ς", "Ж" and "ж" share a key.
// No normalization: NTFS keeps a precomposed "é" and "e" + U+0301 apart.
// `path` must be valid UTF-8 (ValidateRelativePath).
Result<std::string> PortableFoldKey(std::string_view path);

// A ByteSource reading a file it does not own from its start.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(RandomAccessFile* file) : file_(file) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    CUSTODY_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(bytes_read_, buf, n));
    bytes_read_ += got;
    return got;
  }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  RandomAccessFile* file_;
  uint64_t bytes_read_ = 0;
};

std::string NewPackageId(Env& env);

// The short fingerprint of an "age1..." recipient shown to people and put in
// manifests and ledger entries: the keystore's RecipientFingerprint
// (custody/keystore.h), as `custody key export-public` prints it.
std::string ShortFingerprint(std::string_view age_recipient);

// A regular file to pack, or (PackageInput::tops) a source as given.
struct SourceFile {
  std::string disk_path;
  std::string member_path;  // Relative to data/.
};

// The manifest's canonical JSON in three parts, so that a writer can stream
// the file list between the head and the tail without holding it:
//   head  = everything up to and including "files":[
//   file  = one file's object, with the comma before it unless `first`
//   tail  = from the ] on (with m.total_size)
// WriteManifestJson(m) is head + every file + tail (manifest.cc).
Status AppendManifestHead(const PackageManifest& m, uint64_t file_count, std::string* out);
Status AppendManifestFile(const PackageFile& f, bool first, std::string* out);
Status AppendManifestTail(const PackageManifest& m, std::string* out);

// ParseManifest (custody/package.h) for a manifest read in pieces (rewound
// first), holding one file at a time: as strict in every way but one, duplicate
// paths, which it does not look for (the caller does). Each file goes to
// `on_file` once its path and SHA-256 spelling are checked; `on_files_start`
// (optional) is told the file_count before the first. A callback's error
// stops the parse and is returned; so is the source's.
struct StreamedManifest {
  PackageManifest header;  // Every field but files.
  uint64_t file_count = 0;
  std::string digest;      // SHA-256 hex of the text: the package digest.
};
Result<StreamedManifest> ParseManifestStream(MessageSource& text,
                                             const std::function<Status(const PackageFile&)>& on_file,
                                             const std::function<Status(uint64_t)>& on_files_start = nullptr);

// What goes into a package's tar, for both formats.
struct PackageInput {
  // Each source: its path as given and its name under data/ (checked to be
  // distinct). Directories are walked while packing (create.cc), so memory
  // holds only the directories being walked, not the list of every file.
  std::vector<SourceFile> tops;
  // Where the manifest's file list goes once it outgrows memory (sealed
  // under a key that is never written: crypto/sealed_spill.h). The output's
  // directory, which must have room for the package anyway.
  std::string spill_dir;
  size_t spill_memory_limit = 0;
  uint64_t max_manifest_size = kMaxManifestSize;
  Env* env = nullptr;
  const std::atomic<bool>* stop = nullptr;  // CreatePackageOptions::stop.
};

struct WrittenTar {
  std::string digest;  // SHA-256 hex of custody/manifest.json: the package digest.
  uint64_t file_count = 0;
};

// Moves every entry of `temp` (a verified extraction) into `dest_dir`,
// where none of them may exist (kAlreadyExists, nothing moved). On any
// failure it moves back what it moved, and only that (a name someone else
// created meanwhile stays theirs), and returns the failure. No list of the
// entries is held (a package may have any number of top-level names): they
// are checked and moved as the directory is read, and the names moved are
// kept in a sealed spill (crypto/sealed_spill.h) for the way back. The
// directory is read again until a pass finds nothing, since whether readdir
// returns every entry while entries leave the directory is unspecified.
// Once all are moved, `dest_dir` is synced so the moves are durable; if that
// fails, everything goes back as on any other failure. All through `env`;
// `rename` (tests) replaces env.RenameNoReplace.
using RenameNoReplaceFn = std::function<Status(const std::string& from, const std::string& to)>;
Status MoveIntoPlace(Env& env, const std::string& temp, const std::string& dest_dir,
                     const RenameNoReplaceFn& rename = nullptr);

class TarWriter;
// Writes the whole tar (data/..., manifest, signature) into `tar`, setting
// manifest.total_size; manifest.files stays empty (the list is streamed).
// Shared by the age and zip formats.
Result<WrittenTar> WritePackageTar(Station& station, const PackageInput& input, PackageManifest& manifest,
                                   TarWriter& tar);
// The zip format: an AES-256 zip holding the same tar as one entry.
Result<WrittenTar> WriteZipPackage(Station& station, const PackageInput& input, PackageManifest& manifest,
                                   const SecretString& passphrase, ByteSink* out);

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_PACKAGE_INTERNAL_H_
