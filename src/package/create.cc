// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// CreatePackage: sources -> pax tar (libarchive) -> age -> temporary file ->
// fsync -> rename. One pass over each source file: it is hashed while it is
// written, and the manifest (with the hashes) goes last (package.md).
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "common/path.h"
#include "common/canonical_json.h"
#include "common/concat_source.h"
#include "common/time_util.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/sealed_spill.h"
#include "crypto/signature_context.h"
#include "custody/env.h"
#include "custody/password.h"
#include "custody/station.h"
#include "env/posix_io.h"
#include "package/package_internal.h"
#include "package/source_reader.h"
#include "package/tar_writer.h"
#include "package/zip_io.h"

namespace custody {
namespace package {
namespace {

// The name a source gets under data/: its last component, as tar does.
Result<std::string> TopLevelName(const std::string& source) {
  std::error_code ec;
  std::filesystem::path p(source);
  std::string name = p.lexically_normal().filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::filesystem::path abs = std::filesystem::weakly_canonical(p, ec);
    if (ec) return InvalidArgumentError("cannot resolve the source " + source);
    name = abs.filename().string();
    if (name.empty()) {
      std::string s = abs.string();
      while (s.size() > 1 && s.back() == '/') s.pop_back();
      name = std::filesystem::path(s).filename().string();
    }
  }
  if (name.empty() || name == "/") return InvalidArgumentError("cannot pack the root directory " + source);
  return name;
}

// The sources as given, with their names under data/; checked before
// anything is written: each exists, is a regular file or a directory, and
// the names are distinct. What is inside the directories is checked while
// packing (SourceWalker).
Result<std::vector<SourceFile>> CheckSources(const std::vector<std::string>& sources, Env& env) {
  if (sources.empty()) return InvalidArgumentError("nothing to pack: give at least one file or directory");
  std::vector<SourceFile> tops;
  std::set<std::string> names;
  MemberNamer namer;
  for (const std::string& s : sources) {
    CUSTODY_ASSIGN_OR_RETURN(std::string top, TopLevelName(s));
    top = namer.Name(top);
    if (!names.insert(top).second) {
      return InvalidArgumentError("two sources are both named \"" + top + "\" inside the package; rename one");
    }
    std::string disk = s;
    while (disk.size() > 1 && disk.back() == '/') disk.pop_back();
    if (Status v = ValidateRelativePath(top, false); !v.ok()) {
      return InvalidArgumentError("cannot pack " + disk + ": " + v.message());
    }
    CUSTODY_ASSIGN_OR_RETURN(FileStatus st, env.StatNoFollow(disk));
    if (st.type != FileStatus::Type::kRegular && st.type != FileStatus::Type::kDirectory) {
      return InvalidArgumentError(disk + " is " + KindOf(static_cast<mode_t>(st.mode)) +
                                  "; packages carry only regular files (copy the target in its place)");
    }
    tops.push_back({std::move(disk), std::move(top)});
  }
  return tops;
}

// Refuses an output inside a directory being packed: the temporary file
// (and the sealed spill beside it) would be packed into the package, or
// seen growing ("changed while packed"). Compared by device and inode,
// walking up from the output's directory through "..", so symbolic links,
// bind mounts and spellings like "a/./b" cannot hide it.
Status CheckOutputOutsideSources(const std::string& output, const std::vector<SourceFile>& tops,
                                 Env& env) {
  std::vector<std::pair<FileStatus, const std::string*>> dirs;
  for (const SourceFile& top : tops) {
    CUSTODY_ASSIGN_OR_RETURN(FileStatus st, env.Stat(top.disk_path));
    if (st.type == FileStatus::Type::kDirectory) dirs.emplace_back(st, &top.disk_path);
  }
  if (dirs.empty()) return Status::Ok();
  std::string dir = ParentDir(output);
  auto unknown = [&output](const Status& s) {
    return s.WithContext("cannot tell whether the output " + output +
                         " is inside a folder being packed");
  };
  auto here = env.Stat(dir);
  // A missing directory is reported when the output is created.
  if (!here.ok() && here.status().code() == StatusCode::kNotFound) return Status::Ok();
  if (!here.ok()) return unknown(here.status());
  // PATH_MAX (4096) allows no deeper walk.
  for (int depth = 0; depth < 2048; ++depth) {
    for (const auto& [st, source] : dirs) {
      if (st.device == here->device && st.inode == here->inode) {
        return InvalidArgumentError(
            "the output " + output + " is inside " + *source +
            ", which is being packed (the package would pack itself); write it elsewhere");
      }
    }
    dir += "/..";
    auto up = env.Stat(dir);
    if (!up.ok()) return unknown(up.status());
    if (up->device == here->device && up->inode == here->inode) return Status::Ok();  // The root.
    here = std::move(up);
  }
  return InvalidArgumentError("the output " + output + " is too deep in the directory tree");
}

// Counts the bytes that reach the file.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    CUSTODY_RETURN_IF_ERROR(next_->Write(data));
    count_ += data.size();
    return Status::Ok();
  }
  uint64_t count() const { return count_; }

 private:
  ByteSink* next_;
  uint64_t count_ = 0;
};

Status TooManyFiles(uint64_t files, uint64_t limit) {
  const std::string bound = limit >= (1u << 20) ? std::to_string(limit >> 20) + " MiB" : std::to_string(limit) + " bytes";
  return InvalidArgumentError("too many files for one package (" + std::to_string(files) +
                              " so far: the manifest would exceed " + bound + "); split them into several packages");
}

}  // namespace

Result<WrittenTar> WritePackageTar(Station& station, const PackageInput& input, PackageManifest& manifest,
                                   TarWriter& tar) {
  SourceReader reader(input.tops, *input.env);
  PackageFile current;
  WrittenTar written;
  // The manifest's file list, written as each file ends: it is the one part
  // of a package that grows with the number of files (~150 bytes each).
  crypto::SealedSpill files(input.spill_dir, *input.env, input.spill_memory_limit);
  std::string entry;
  // Hashed here, not on the reading thread: that thread is the busiest one
  // on small files (5 system calls per file), this one the least busy.
  crypto::Sha256Hasher hasher;
  while (std::optional<SourceReader::Batch> batch = reader.Next()) {
    for (SourceReader::Piece& piece : batch->pieces) {
      if (piece.begin) {
        current = std::move(piece.file);
        CUSTODY_RETURN_IF_ERROR(
            tar.BeginFile(std::string(kDataPrefix) + current.path, current.size, current.mode, current.mtime));
      }
      if (input.stop != nullptr && input.stop->load(std::memory_order_relaxed)) {
        return InterruptedError("packing was stopped by a signal; no package was written");
      }
      if (piece.length > 0) {
        const std::string_view data = std::string_view(batch->bytes.get() + piece.offset, piece.length);
        hasher.Update(data);
        CUSTODY_RETURN_IF_ERROR(tar.WriteData(data));
      }
      if (piece.end) {
        CUSTODY_RETURN_IF_ERROR(tar.EndFile());
        current.sha256 = encoding::HexEncode(crypto::DigestToString(hasher.Finish()));
        manifest.total_size += current.size;
        entry.clear();
        CUSTODY_RETURN_IF_ERROR(AppendManifestFile(current, written.file_count == 0, &entry));
        CUSTODY_RETURN_IF_ERROR(files.Append(entry));
        ++written.file_count;
        // Refused as soon as the list alone is too large, not after
        // packing every remaining file.
        if (files.size() > input.max_manifest_size) return TooManyFiles(written.file_count, input.max_manifest_size);
      }
    }
    CUSTODY_RETURN_IF_ERROR(batch->error);
    reader.Recycle(std::move(*batch));
  }
  CUSTODY_RETURN_IF_ERROR(files.Finish());
  manifest.files.clear();
  std::string head, tail;
  CUSTODY_RETURN_IF_ERROR(AppendManifestHead(manifest, written.file_count, &head));
  CUSTODY_RETURN_IF_ERROR(AppendManifestTail(manifest, &tail));
  // custody/manifest.json is head + the file list + tail, read from the
  // spill three times: twice to sign it (with the context first), once into
  // the tar.
  ConcatSource manifest_json;
  manifest_json.Add(head).Add(files).Add(tail);
  const uint64_t manifest_size = head.size() + files.size() + tail.size();
  // Readers refuse larger manifests (a bound on what a hostile package can
  // make them allocate), so a larger one must not be written.
  if (manifest_size > input.max_manifest_size) return TooManyFiles(written.file_count, input.max_manifest_size);
  ConcatSource signed_message;
  signed_message.Add(crypto::kPackageManifestContext).Add(manifest_json);
  CUSTODY_ASSIGN_OR_RETURN(std::string sig, station.SignSource(signed_message));
  int64_t mtime = 0;
  if (auto t = timeutil::ParseTime(manifest.created); t.ok()) mtime = *t / 1000000;
  CUSTODY_RETURN_IF_ERROR(tar.BeginFile(std::string(kManifestName), manifest_size, 0644, mtime));
  CUSTODY_RETURN_IF_ERROR(manifest_json.Rewind());
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, manifest_json.Next());
    if (piece.empty()) break;
    hasher.Update(piece);
    CUSTODY_RETURN_IF_ERROR(tar.WriteData(piece));
  }
  CUSTODY_RETURN_IF_ERROR(tar.EndFile());
  written.digest = encoding::HexEncode(crypto::DigestToString(hasher.Finish()));
  CUSTODY_RETURN_IF_ERROR(tar.BeginFile(std::string(kSignatureName), sig.size(), 0644, mtime));
  CUSTODY_RETURN_IF_ERROR(tar.WriteData(sig));
  CUSTODY_RETURN_IF_ERROR(tar.EndFile());
  CUSTODY_RETURN_IF_ERROR(tar.Close());
  return written;
}

// Output handling shared by both formats: temporary file next to the output,
// fsync, rename, fsync of the directory.
class AtomicOutput {
 public:
  static Result<std::unique_ptr<AtomicOutput>> Create(const std::string& path, bool overwrite, Env& env) {
    if (!overwrite && env.FileExists(path)) {
      return AlreadyExistsError(path + " already exists; choose another name or remove it first");
    }
    uint8_t r[8];
    CUSTODY_RETURN_IF_ERROR(env.RandomBytes(r, sizeof r));
    auto out = std::unique_ptr<AtomicOutput>(new AtomicOutput(env));
    out->path_ = path;
    out->overwrite_ = overwrite;
    out->temp_ = path + ".tmp-" + encoding::HexEncode(std::string_view(reinterpret_cast<char*>(r), sizeof r));
    CUSTODY_ASSIGN_OR_RETURN(out->file_, env.NewWritableFile(out->temp_, 0600));
    out->sink_ = std::make_unique<WritableFileSink>(out->file_.get());
    out->counting_ = std::make_unique<CountingSink>(out->sink_.get());
    return out;
  }
  ~AtomicOutput() {
    if (!committed_) {
      if (file_) file_->Close().IgnoreError();
      env_.RemoveFile(temp_).IgnoreError();
    }
  }
  ByteSink* sink() { return counting_.get(); }
  uint64_t size() const { return counting_->count(); }
  const std::string& temp_path() const { return temp_; }
  // Makes the temporary file durable and closes it.
  Status Finish() {
    CUSTODY_RETURN_IF_ERROR(file_->Sync());
    Status closed = file_->Close();
    file_.reset();
    return closed;
  }
  Status Commit() {
    if (file_) CUSTODY_RETURN_IF_ERROR(Finish());
    replaced_ = overwrite_ && env_.FileExists(path_);  // --force over an earlier package.
    if (overwrite_) {
      CUSTODY_RETURN_IF_ERROR(env_.RenameFile(temp_, path_));
    } else {
      // Not rename(2): a file that appeared at the output's name while the
      // package was written (checked in Create) would be replaced.
      Status renamed = env_.RenameNoReplace(temp_, path_);
      if (renamed.code() == StatusCode::kAlreadyExists) {
        return AlreadyExistsError(path_ +
                                  " appeared while the package was written and was left as it "
                                  "is; the new package was not kept: choose another name, or "
                                  "remove it first");
      }
      CUSTODY_RETURN_IF_ERROR(renamed);
    }
    committed_ = true;
    Status synced = env_.SyncDir(ParentDir(path_));
    if (synced.ok()) return synced;
    if (replaced_) {
      // The earlier package is gone already (the rename replaced it):
      // removing the new one would leave neither. It stays, unrecorded.
      return synced.WithContext("the new package is in " + path_ +
                                " but may not survive a power cut and is not recorded; create it again");
    }
    // The new name may not survive a crash, and the package would not be
    // recorded: take it back, so that a failed create leaves nothing that
    // looks like a finished package.
    env_.RemoveFile(path_).IgnoreError();
    return synced;
  }
  // After a commit: whether an earlier file was replaced (--force).
  bool replaced() const { return replaced_; }
  // Takes back a committed package that cannot be recorded; an earlier
  // package it replaced is gone, so that case keeps it (the caller says so).
  Status Withdraw() {
    CUSTODY_RETURN_IF_ERROR(env_.RemoveFile(path_));
    return env_.SyncDir(ParentDir(path_));
  }

 private:
  explicit AtomicOutput(Env& env) : env_(env) {}
  Env& env_;
  std::string path_, temp_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<WritableFileSink> sink_;
  std::unique_ptr<CountingSink> counting_;
  bool overwrite_ = false;
  bool replaced_ = false;
  bool committed_ = false;
};

// An age encryptor as a ByteSink.
class AgeSink final : public ByteSink {
 public:
  explicit AgeSink(age::AgeEncryptor* enc) : enc_(enc) {}
  Status Write(std::string_view data) override { return enc_->Write(data); }

 private:
  age::AgeEncryptor* enc_;
};

}  // namespace package

Result<CreatedPackage> CreatePackage(Station& station, const CreatePackageOptions& options, Env* env) {
  using namespace package;
  if (env == nullptr) env = Env::Default();
  if (options.output_path.empty()) return InvalidArgumentError("no output file: give -o FILE");
  if (options.format == PackageFormat::kZip) {
    if (!options.recipients.empty() || options.passphrase) {
      return InvalidArgumentError("a zip package takes no recipients and no passphrase: custody generates its "
                                  "password (zip's key derivation is too weak for a chosen one)");
    }
  } else if (options.recipients.empty() == !options.passphrase.has_value()) {
    return InvalidArgumentError("give either recipients (--to age1...) or a passphrase, not both and not neither");
  }
  if (options.recipient_organization.empty()) return InvalidArgumentError("--recipient-org is required");
  if (options.purpose.empty()) return InvalidArgumentError("--purpose is required");
  if (options.classification.empty()) return InvalidArgumentError("--classification is required");
  if (options.format == PackageFormat::kZip && options.armor) {
    return InvalidArgumentError("--armor applies to age packages only");
  }

  CUSTODY_ASSIGN_OR_RETURN(std::string operator_name, station.ResolveOperator(options.operator_name));
  PackageManifest manifest;
  manifest.format = std::string(kPackageFormatV1);
  manifest.package_id = NewPackageId(*env);
  if (manifest.package_id.empty()) return IoError("cannot read random bytes for the package ID");
  manifest.created = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  manifest.sender_organization = station.config().organization;
  manifest.sender_station = station.config().station_name;
  manifest.sender_verifier_key = station.config().verifier_key;
  manifest.recipient_organization = options.recipient_organization;
  manifest.purpose = options.purpose;
  manifest.classification = options.classification;

  std::vector<age::X25519Recipient> x25519;
  std::vector<const age::RecipientStanzaWrapper*> wrappers;
  std::optional<age::ScryptRecipient> scrypt;
  std::set<std::string> seen_recipients;
  for (const std::string& r : options.recipients) {
    auto parsed = age::X25519Recipient::Parse(r);
    if (!parsed.ok()) {
      return InvalidArgumentError("\"" + r + "\" is not an age recipient (expected age1... from `custody key export-public` or age-keygen)");
    }
    std::string canonical = parsed->ToString();
    if (!seen_recipients.insert(canonical).second) continue;
    x25519.push_back(std::move(*parsed));
    manifest.recipients.push_back({"X25519", canonical, package::ShortFingerprint(canonical)});
  }
  for (const auto& r : x25519) wrappers.push_back(&r);
  GeneratedZipPassword zip_password;
  std::string password_id;
  if (options.format == PackageFormat::kZip) {
    CUSTODY_ASSIGN_OR_RETURN(zip_password, GenerateZipPassword(*env));
    manifest.recipients.push_back({"passphrase", "", ""});
  } else if (options.passphrase) {
    // The same floor as `custody password check` and the keystore: a package
    // travels, so a weak passphrase can be attacked offline at leisure.
    CUSTODY_RETURN_IF_ERROR(CheckPassphraseStrength(*options.passphrase));
    if (options.password_id.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(password_id, NewPasswordId(*env));
    } else if (!ValidPasswordId(options.password_id)) {
      return InvalidArgumentError("\"" + options.password_id +
                                  "\" is not a password ID (pw- and 16 symbols, as custody password generate prints)");
    } else {
      password_id = options.password_id;
    }
    CUSTODY_ASSIGN_OR_RETURN(scrypt, age::ScryptRecipient::Create(options.passphrase->Clone(),
                                                                  options.scrypt_log2_work_factor));
    wrappers.push_back(&*scrypt);
    manifest.recipients.push_back({"passphrase", "", ""});
  }

  PackageInput input;
  CUSTODY_ASSIGN_OR_RETURN(input.tops, CheckSources(options.sources, *env));
  input.env = env;
  input.spill_dir = std::filesystem::path(options.output_path).parent_path().string();
  if (input.spill_dir.empty()) input.spill_dir = ".";
  input.spill_memory_limit = options.manifest_memory_limit;
  if (options.max_manifest_size > kMaxManifestSize) {
    return InvalidArgumentError("max_manifest_size above what readers accept (" +
                                std::to_string(kMaxManifestSize >> 20) + " MiB)");
  }
  input.max_manifest_size = options.max_manifest_size;
  input.stop = options.stop;
  CUSTODY_RETURN_IF_ERROR(CheckOutputOutsideSources(options.output_path, input.tops, *env));
  CUSTODY_ASSIGN_OR_RETURN(auto out, AtomicOutput::Create(options.output_path, options.overwrite, *env));

  WrittenTar written;
  if (options.format == PackageFormat::kAge) {
    age::EncryptOptions eo;
    eo.armor = options.armor ? age::Armor::kArmored : age::Armor::kBinary;
    eo.env = env;
    CUSTODY_ASSIGN_OR_RETURN(auto enc, age::AgeEncryptor::Create(wrappers, out->sink(), eo));
    AgeSink age_sink(enc.get());
    // The encryptor seals and writes on its worker threads
    // (crypto/age_format.h); reading has its own (SourceReader), tar and
    // hashing run on this one.
    CUSTODY_ASSIGN_OR_RETURN(auto tar, TarWriter::Create(&age_sink));
    CUSTODY_ASSIGN_OR_RETURN(written, WritePackageTar(station, input, manifest, *tar));
    CUSTODY_RETURN_IF_ERROR(enc->Finish());
  } else {
    CUSTODY_ASSIGN_OR_RETURN(written, WriteZipPackage(station, input, manifest, zip_password.password, out->sink()));
    // libarchive's zip writer has reported success for archives it failed
    // to finish: read the whole file back, decrypt and verify it before it
    // takes the output's name.
    CUSTODY_RETURN_IF_ERROR(out->Finish());
    PackageKeys keys;
    const SecretString* pass = &zip_password.password;
    keys.passphrase = [pass]() { return Result<SecretString>(pass->Clone()); };
    VerifyPackageOptions vo;
    vo.expected_sender_key = station.config().verifier_key;
    vo.env = env;
    auto check = VerifyPackage(out->temp_path(), keys, vo);
    if (!check.ok()) return check.status().WithContext("the zip package failed its read-back check");
    if (check->digest != written.digest) return InternalError("the zip package read back a different manifest");
    // The check above accepts AE-1 zips (custody wrote them before); this
    // one must be AE-2, without the plaintext's CRC.
    CUSTODY_ASSIGN_OR_RETURN(auto written_file, env->NewRandomAccessFile(out->temp_path()));
    CUSTODY_ASSIGN_OR_RETURN(ZipLayout layout, ReadZipLayout(*written_file));
    if (layout.aes_vendor_version != 2 || layout.crc32 != 0) {
      return InternalError(
          "the zip package was not written as AE-2 (it would show the CRC-32 of its content)");
    }
  }
  uint64_t size = out->size();
  CUSTODY_RETURN_IF_ERROR(out->Commit());

  CreatedPackage created;
  created.digest = written.digest;
  created.file_count = written.file_count;
  created.output_path = options.output_path;
  created.package_size = size;
  nlohmann::json keys = nlohmann::json::array();
  for (const PackageRecipient& r : manifest.recipients) {
    if (r.type == "passphrase") {
      keys.push_back({{"type", "passphrase"}});
    } else {
      keys.push_back({{"type", r.type}, {"fingerprint", r.fingerprint}, {"recipient", r.recipient}});
    }
  }
  nlohmann::json event = {
      {"package_id", manifest.package_id},
      {"digest", created.digest},
      {"format", options.format == PackageFormat::kAge ? (options.armor ? "age-armor" : "age") : "zip-aes256"},
      {"size", size},
      {"file_count", written.file_count},
      {"total_size", manifest.total_size},
      {"recipient_organization", manifest.recipient_organization},
      {"recipients", keys},
      {"purpose", manifest.purpose},
      {"classification", manifest.classification},
      {"file_name", std::filesystem::path(options.output_path).filename().string()},
  };
  if (!zip_password.id.empty()) password_id = zip_password.id;
  if (!password_id.empty()) event["password_id"] = password_id;
  CUSTODY_ASSIGN_OR_RETURN(std::string event_json, json::Canonicalize(event));
  auto entry = station.Record("package.created", operator_name, event_json);
  if (!entry.ok()) {
    // An unrecorded package must not look like a finished one (and a zip's
    // password would never be shown): it is taken back, unless it replaced
    // an earlier package (--force), which is gone already.
    if (out->replaced()) {
      return entry.status().WithContext(
          "the package " + options.output_path +
          " replaced the earlier one but could not be recorded in the ledger; do "
          "not send it: fix the ledger and create it again");
    }
    Status withdrawn = out->Withdraw();
    if (!withdrawn.ok()) {
      return entry.status().WithContext(
          "the package could not be recorded in the ledger, and removing " + options.output_path +
          " failed too (" + withdrawn.message() + "): delete it, do not send it");
    }
    return entry.status().WithContext(
        "the package could not be recorded in the ledger, so it was not kept");
  }
  created.ledger_seq = entry->seq;
  created.zip_password = std::move(zip_password.password);
  created.zip_password_id = zip_password.id;
  created.password_id = password_id;
  created.manifest = std::move(manifest);
  return created;
}

}  // namespace custody
