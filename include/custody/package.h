// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Handover packages: files encrypted with age v1 for a municipality, with a
// manifest signed by the sending station (docs/formats/package.md).
//
// A package is an age file whose plaintext is a pax tar:
//   data/<path>...            the files, in the order they were packed
//   custody/manifest.json     canonical JSON: who, for whom, why, and every
//                             file's path, size, mode, mtime and SHA-256
//   custody/manifest.sig      Ed25519 signature (64 bytes) by the station key
//                             over "custody-package-manifest-v1\n" || manifest
// The manifest comes LAST so the writer streams each file once (hashing while
// it writes); a reader verifies in one pass (see package.md, "Why last").
// The package digest is the SHA-256 of custody/manifest.json.
//
// Failure codes (stable; the CLI maps them to exit statuses):
//   kWrongKey            wrong passphrase, or the package is not addressed to
//                        any identity given (the message says what it is for).
//   kTruncated           the package ends early.
//   kVerificationFailed  tampering: a chunk, the manifest signature, or a file
//                        whose size or SHA-256 differs from the manifest
//                        ("file X was modified after packaging"); or a
//                        signer other than expected_sender_key.
//   kFailedPrecondition  require_known_sender, and the (validly signed)
//                        package's signer is not a known sender.
//   kCorruption          not a package: malformed age, tar or manifest; a
//                        member not allowed (links, devices, "..", absolute,
//                        duplicates, files not in the manifest).
//   kInvalidArgument     caller errors (no recipients, bad source path, a
//                        source that is a link or device, --portable names).
//   kAlreadyExists       the output, or a file to extract, already exists.
//   kIoError etc.        from the OS.
// On any failure, CreatePackage leaves no output file and records nothing,
// with one exception: with `overwrite`, once the new package has replaced
// the earlier one, a failure to record it in the ledger (or to sync its
// directory) leaves the new package in place, unrecorded (removing it would
// leave neither), and the error says so and not to send it. OpenPackage
// leaves nothing in the destination directory.
//
// Memory: constant in the size of the files, and bounded in their number:
// what grows with it (the manifest's file list when creating; the manifest
// and a record per member when reading) goes to a sealed temporary file past
// 4 MiB (crypto/sealed_spill.h): next to the output when creating, in the
// destination when opening, else in $TMPDIR (packages arrive on read-only
// media). Readers also keep a 64-bit name per path, to find duplicates: 12
// to 23 bytes per file (2.3 MiB at 100,000 files; the largest manifest
// custody reads, 256 MiB, can list 2.5 million). A package whose members are
// not in its manifest's order (packed again by hand) is compared holding
// every member: the one case that grows with the number of files.
//
// Thread safety: the functions are reentrant; a Station is used by one thread
// at a time.
#ifndef CUSTODY_PACKAGE_H_
#define CUSTODY_PACKAGE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/secret.h"
#include "custody/status.h"

namespace custody {

class Env;
class Keystore;
class Station;

inline constexpr std::string_view kPackageFormatV1 = "custody-package-v1";

// One file of a package.
struct PackageFile {
  std::string path;    // Relative to data/: UTF-8, '/'-separated, no "." or "..".
  uint64_t size = 0;
  uint32_t mode = 0;   // Permission bits (0..0777).
  int64_t mtime = 0;   // Seconds since the Unix epoch.
  std::string sha256;  // Lowercase hex.
};

struct PackageRecipient {
  std::string type;       // "X25519" or "passphrase".
  std::string recipient;  // "age1..." for X25519; empty for a passphrase.
  std::string fingerprint;  // The key's short fingerprint (as `custody key` shows it); informational.
};

struct PackageManifest {
  std::string format;  // kPackageFormatV1
  std::string package_id;  // UUID (random, version 4)
  std::string created;     // RFC 3339 UTC
  std::string sender_organization;
  std::string sender_station;
  std::string sender_verifier_key;  // C2SP verifier key of the station
  std::string recipient_organization;
  std::vector<PackageRecipient> recipients;
  std::string purpose;
  std::string classification;  // e.g. "機密性2"
  std::vector<PackageFile> files;
  uint64_t total_size = 0;  // Sum of the file sizes.
};

// Manifest <-> canonical JSON. ParseManifest is strict: unknown or missing
// fields, non-canonical text, bad paths -> kCorruption.
Result<std::string> ManifestToJson(const PackageManifest& manifest);
Result<PackageManifest> ParseManifest(std::string_view json);

// ---- Creating

enum class PackageFormat {
  kAge,  // The package format above (the default).
  kZip,  // AES-256 (WinZip AE-2) zip holding one inner tar (the same signed
         // tar as an age package), for recipients who only have 7-Zip.
         // Weaker (see package.md): custody GENERATES the password (>= 100
         // bits, ASCII) and returns it in CreatedPackage::zip_password;
         // `passphrase` and `recipients` must be empty.
};

struct CreatePackageOptions {
  std::vector<std::string> sources;  // Files or directories, packed under data/<basename>.
  // Written to a temporary file beside it, then renamed. Refused
  // (kInvalidArgument) inside a directory being packed.
  std::string output_path;
  std::vector<std::string> recipients;  // "age1..." strings.
  // Instead of recipients (age scrypt). Refused (kInvalidArgument, saying
  // why) if weak by custody/password.h CheckPassphraseStrength.
  std::optional<SecretString> passphrase;
  int scrypt_log2_work_factor = 18;        // Lower only in tests.
  bool armor = false;
  PackageFormat format = PackageFormat::kAge;
  std::string recipient_organization;
  std::string purpose;
  std::string classification;
  std::string operator_name;  // Recorded with package.created.
  // For passphrase packages: the password ID (custody/password.h) recorded
  // with package.created so the delivery of the password can refer to it
  // (`custody password record-delivery`). Never the password. Empty: a new
  // random ID (NewPasswordId), returned in CreatedPackage::password_id. Give
  // the ID `custody password generate` printed to link the two records.
  // kInvalidArgument if it is not a password ID.
  std::string password_id;
  // Replace an existing output file. Without it, an existing file is never
  // replaced, even one created while the package is written (kAlreadyExists).
  bool overwrite = false;
  // How much of the manifest's file list stays in memory before the rest
  // goes to a sealed temporary file (see "Memory" above). Lower only in tests.
  size_t manifest_memory_limit = 4u << 20;
  // The largest manifest written: 256 MiB, what readers accept (about 1.7
  // million files). A package that would need more is refused with
  // kInvalidArgument ("too many files"), as soon as its file list alone
  // passes the limit, with nothing left behind. Lower only in tests.
  uint64_t max_manifest_size = 256u << 20;
  // When set (not owned; a signal handler may set it), packing stops at the
  // next block with kInterrupted: the temporary output is removed and
  // nothing is recorded.
  const std::atomic<bool>* stop = nullptr;
};

struct CreatedPackage {
  // Every field but `files`, which stays empty: the file list is streamed
  // into the package, never held (memory does not grow with the number of
  // files). VerifyPackage or ReadManifest on the output give it back.
  PackageManifest manifest;
  uint64_t file_count = 0;
  std::string digest;         // SHA-256 hex of custody/manifest.json: the package digest.
  std::string output_path;
  uint64_t package_size = 0;  // Bytes written.
  uint64_t ledger_seq = 0;    // Of the package.created entry.
  // kZip only: the generated password, to be given to the recipient by
  // another channel (phone, letter). Never recorded.
  SecretString zip_password;
  std::string zip_password_id;  // Recorded as password_id.
  // Passphrase and zip packages: the password ID recorded with
  // package.created (options.password_id, or a new one). Empty otherwise.
  std::string password_id;
};

// Packs, signs with the station key and records `package.created` (ID,
// digest, size, file count, recipients' fingerprints; never a secret).
// Sources must be regular files or directories of regular files (links,
// devices, sockets are refused, not followed). The sources are read, and the
// output and its temporary files written, through `env` (nullptr:
// Env::Default()); the station's ledger uses the station's own. On any
// failure the output does not exist (a temporary file is removed; a name
// whose directory could not be synced is taken back) and nothing is recorded.
Result<CreatedPackage> CreatePackage(Station& station, const CreatePackageOptions& options,
                                     Env* env);

// ---- Reading

// A station this one knows as a sender of packages: its verifier key,
// imported with its fingerprint confirmed (custody/keystore.h ImportSender).
struct KnownSender {
  std::string name;          // The name it was imported under.
  std::string verifier_key;  // "name+hex8+base64".
};
// The senders stored in `keystore` (its kSender keys, sorted by name). Needs
// no keystore passphrase: they are public keys. An empty list when the
// station has no keystore yet.
Result<std::vector<KnownSender>> KnownSenders(Keystore& keystore);

// What can open a package. `identities`: "AGE-SECRET-KEY-1..." strings.
// `passphrase` is called only if the package is passphrase-encrypted.
struct PackageKeys {
  std::vector<SecretString> identities;
  std::function<Result<SecretString>()> passphrase;
  // Names of the identities for messages ("city-hall (ABCDE-...)"), parallel
  // to `identities`; optional.
  std::vector<std::string> identity_names;
  // Optional: the station's own identities (custody/keystore.h), asked for
  // at most once and only when the package is encrypted to X25519 keys and
  // none of `identities` opens it (unlocking a keystore costs a passphrase
  // and one scrypt, wasted on a passphrase package). Appends identities and
  // their names ("inbox ZPFV5-...") to the vectors. If it returns kWrongKey
  // (a wrong keystore passphrase), or none of what it gives opens the
  // package, reading fails with kWrongKey "wrong passphrase or not a
  // recipient of this package (...)"; any other error is returned as is.
  std::function<Status(std::vector<SecretString>* identities, std::vector<std::string>* names)>
      station_identities;
};

struct VerifyPackageOptions {
  // If non-empty, the manifest must be signed by this C2SP verifier key
  // (kVerificationFailed otherwise). Empty: any valid signature by the key
  // the manifest names; the caller should show that key to the person.
  std::string expected_sender_key;
  // Refuse names Windows cannot hold (reserved names, <>:"\|?*, trailing dot
  // or space, case-insensitive duplicates).
  bool portable = false;
  // How much of the manifest, and of the list of members read before it,
  // stays in memory before the rest goes to a sealed temporary file (see
  // "Memory" above). Lower only in tests.
  size_t memory_limit = 4u << 20;
  // Where the package is read from and the temporary files go (not owned;
  // must outlive the returned VerifiedPackage, which reads them back).
  // nullptr: Env::Default(). OpenPackage also makes its temporary directory,
  // writes the extracted files and moves them into place through it.
  Env* env = nullptr;
  // When set (not owned; a signal handler may set it), reading stops at the
  // next block with kInterrupted; OpenPackage then removes what it had
  // extracted, as after any other failure.
  const std::atomic<bool>* stop = nullptr;
  // (Last, after the fields above: aggregate initializers name them by
  // position.)
  // The stations the reader knows as senders (KnownSenders of its keystore):
  // the signer's key is looked up among them, and VerifiedPackage says
  // whether it was found and by what name. Empty: no sender is known (a
  // reader without a station).
  std::vector<KnownSender> known_senders = {};
  // Refuse a package whose signer is not among known_senders, with
  // kFailedPrecondition once its signature has verified (so the refusal
  // names a key that really signed it); OpenPackage then extracts nothing.
  bool require_known_sender = false;
};

struct VerifiedPackage {
  // Every field but `files`, which stays empty: memory does not grow with
  // the number of files. The files come from ForEachFile.
  PackageManifest manifest;
  uint64_t file_count = 0;
  std::string signature;      // 64 bytes.
  std::string digest;         // SHA-256 hex of custody/manifest.json.
  uint64_t package_size = 0;  // Bytes of the encrypted file.
  // True when every file's bytes were hashed and matched (VerifyPackage,
  // OpenPackage); false for ReadManifest, which checks the signature only.
  bool files_verified = false;
  // Whether the signer (manifest.sender_verifier_key) is among
  // VerifyPackageOptions::known_senders, and its name there (else empty).
  bool sender_known = false;
  std::string sender_name;
  // SenderFingerprint (custody/keystore.h) of the signer's key: what to
  // compare with the fingerprint the sender reads out.
  std::string sender_fingerprint;

  // The files, in the manifest's order, as the reading checked them against
  // the signed manifest, kept (in memory up to 4 MiB, beyond that in an unnamed
  // temporary file sealed under a key held only in memory:
  // crypto/sealed_spill.h). One file at a time; `fn`'s error stops
  // it and is returned. kVerificationFailed if the temporary file was
  // changed meanwhile. Not thread-safe: one call at a time per object.
  Status ForEachFile(const std::function<Status(const PackageFile&)>& fn) const;
  // custody/manifest.json, the exact signed bytes, in pieces.
  Status ForEachManifestPiece(const std::function<Status(std::string_view)>& fn) const;
  // Conveniences that hold everything (small packages, tests).
  Result<std::vector<PackageFile>> Files() const;
  Result<std::string> ManifestJson() const;

  struct Contents;  // Internal (src/package/read.cc).
  std::shared_ptr<Contents> contents;
};

// Decrypts the whole package, checks the age authentication, the manifest
// signature, and every file's size and SHA-256, without writing anything.
Result<VerifiedPackage> VerifyPackage(const std::string& package_path, const PackageKeys& keys,
                                      const VerifyPackageOptions& options = {});

// Decrypts and checks the signature of the manifest; the file contents are
// authenticated by age but not hashed (faster than VerifyPackage only by the
// hashing: the manifest is at the end, so the whole package is decrypted).
Result<VerifiedPackage> ReadManifest(const std::string& package_path, const PackageKeys& keys,
                                     const VerifyPackageOptions& options = {});

struct OpenPackageOptions {
  VerifyPackageOptions verify;
  std::string operator_name;  // Recorded with package.opened.
};

// Extracts into `dest_dir` (created 0700 if missing): first into a temporary
// directory inside it, verifying everything, then renames each top-level
// entry into place (kAlreadyExists, with nothing moved, if one exists). On
// any failure nothing is left behind. If `station` is not null, records
// `package.opened` there, with whether the signer was among
// options.verify.known_senders (the caller fills those from the station's
// keystore: KnownSenders) and its name.
Result<VerifiedPackage> OpenPackage(const std::string& package_path, const std::string& dest_dir,
                                    const PackageKeys& keys, const OpenPackageOptions& options,
                                    Station* station);

}  // namespace custody

#endif  // CUSTODY_PACKAGE_H_
