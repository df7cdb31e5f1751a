// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Vaults and their crypto-erase (custody/vault.h, docs/formats/keystore.md).
#include "custody/vault.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/byte_stream.h"
#include "common/canonical_json.h"
#include "common/time_util.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "keys/keystore_internal.h"

namespace custody {
namespace {

constexpr uint32_t kFileMode = 0600;

// libarchive 3.6.2 crashes on non-ASCII names under the C locale: run every
// archive call under C.UTF-8.
class Utf8Locale {
 public:
  Utf8Locale() {
    loc_ = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (loc_ != static_cast<locale_t>(nullptr)) old_ = ::uselocale(loc_);
  }
  ~Utf8Locale() {
    if (loc_ != static_cast<locale_t>(nullptr)) {
      ::uselocale(old_);
      ::freelocale(loc_);
    }
  }

 private:
  locale_t loc_ = static_cast<locale_t>(nullptr);
  locale_t old_ = static_cast<locale_t>(nullptr);
};

std::string Basename(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool SafeMemberName(std::string_view n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos &&
         n.find('\0') == std::string_view::npos && n.size() <= 255;
}

Result<KeyInfo> GetVault(Keystore& keystore, const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, keystore.Get(name));
  if (info.kind != KeyKind::kVault) {
    return FailedPreconditionError("\"" + name + "\" is not a vault key (it is a " +
                                   std::string(KeyKindName(info.kind)) +
                                   "): create one with custody vault create");
  }
  return info;
}

// Hashes and counts what passes through to the file.
class DigestingSink final : public ByteSink {
 public:
  explicit DigestingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    CUSTODY_RETURN_IF_ERROR(next_->Write(data));
    hasher_.Update(data);
    size_ += data.size();
    return Status::Ok();
  }
  std::string HexDigest() { return encoding::HexEncode(crypto::DigestToString(hasher_.Finish())); }
  uint64_t size() const { return size_; }

 private:
  ByteSink* next_;
  crypto::Sha256Hasher hasher_;
  uint64_t size_ = 0;
};

struct TarWriteContext {
  age::AgeEncryptor* enc;
  Status error;
};

la_ssize_t TarWrite(struct archive*, void* ctx, const void* buf, size_t n) {
  auto* c = static_cast<TarWriteContext*>(ctx);
  Status s = c->enc->Write(std::string_view(static_cast<const char*>(buf), n));
  if (!s.ok()) {
    if (c->error.ok()) c->error = s;
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

struct FileToSeal {
  std::string name;
  SecretString content;  // Confidential data: wiped after use.
  std::string sha256;
};

// Writes the pax tar of `files` into `enc`.
Status WriteTar(const std::vector<FileToSeal>& files, int64_t mtime, age::AgeEncryptor* enc) {
  Utf8Locale utf8;
  TarWriteContext ctx{enc, Status::Ok()};
  struct archive* a = archive_write_new();
  if (a == nullptr) return InternalError("libarchive: out of memory");
  auto fail = [&](const std::string& what) {
    Status s = ctx.error.ok()
                   ? IoError("writing the vault tar: " + what + ": " +
                             (archive_error_string(a) ? archive_error_string(a) : "unknown error"))
                   : ctx.error;
    archive_write_free(a);
    return s;
  };
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a, 10240) != ARCHIVE_OK ||
      archive_write_open2(a, &ctx, nullptr, TarWrite, nullptr, nullptr) != ARCHIVE_OK) {
    return fail("open");
  }
  for (const auto& f : files) {
    struct archive_entry* e = archive_entry_new();
    std::string path = "data/" + f.name;
    archive_entry_set_pathname_utf8(e, path.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(f.content.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_mtime(e, mtime, 0);
    int r = archive_write_header(a, e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) return fail("header of " + f.name);
    size_t done = 0;
    while (done < f.content.size()) {
      size_t n = std::min<size_t>(f.content.size() - done, 1 << 20);
      la_ssize_t w = archive_write_data(a, f.content.bytes() + done, n);
      if (w < 0 || static_cast<size_t>(w) != n) return fail("data of " + f.name);
      done += n;
    }
    if (archive_write_finish_entry(a) != ARCHIVE_OK) return fail("end of " + f.name);
  }
  if (archive_write_close(a) != ARCHIVE_OK) return fail("close");
  archive_write_free(a);
  return ctx.error;
}

// Parses the decrypted tar strictly: only data/<name> regular files.
Result<std::vector<FileToSeal>> ReadTar(const SecretString& tar) {
  Utf8Locale utf8;
  struct archive* a = archive_read_new();
  if (a == nullptr) return InternalError("libarchive: out of memory");
  archive_read_support_format_tar(a);
  std::vector<FileToSeal> out;
  auto fail = [&](Status s) {
    archive_read_free(a);
    return s;
  };
  if (archive_read_open_memory(a, tar.bytes(), tar.size()) != ARCHIVE_OK) {
    return fail(CorruptionError("the vault file does not hold a tar archive"));
  }
  for (;;) {
    struct archive_entry* e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) return fail(CorruptionError("the vault's tar archive is malformed"));
    const char* p = archive_entry_pathname_utf8(e);
    std::string path = p ? p : "";
    if (path.rfind("data/", 0) != 0 || !SafeMemberName(std::string_view(path).substr(5)) ||
        archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != nullptr) {
      return fail(CorruptionError(
          "the vault holds an entry custody does not write (only data/<name> files)"));
    }
    FileToSeal f;
    f.name = path.substr(5);
    for (const auto& seen : out) {
      if (seen.name == f.name) return fail(CorruptionError("the vault holds " + f.name + " twice"));
    }
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || static_cast<uint64_t>(size) > tar.size())
      return fail(CorruptionError("bad member size"));
    f.content = SecretString(static_cast<size_t>(size));
    size_t done = 0;
    while (done < f.content.size()) {
      la_ssize_t n =
          archive_read_data(a, f.content.mutable_bytes() + done, f.content.size() - done);
      if (n <= 0) return fail(CorruptionError("the vault's tar archive ends inside " + f.name));
      done += static_cast<size_t>(n);
    }
    f.sha256 = crypto::Sha256Hex(f.content.view());
    out.push_back(std::move(f));
  }
  archive_read_free(a);
  return out;
}

nlohmann::json SealedJson(const SealedRecord& s) {
  return {
      {"digest", s.digest}, {"size", s.size}, {"sealed", s.sealed}, {"ledger_seq", s.ledger_seq}};
}

}  // namespace

Result<KeyInfo> CreateVault(Station& station, Keystore& keystore, const std::string& operator_name,
                            const std::string& name,
                            const PassphraseProvider& new_keystore_passphrase) {
  if (!keystore.initialized()) {
    if (!new_keystore_passphrase)
      return FailedPreconditionError("the keystore needs a passphrase first");
    CUSTODY_ASSIGN_OR_RETURN(SecretString passphrase, new_keystore_passphrase());
    CUSTODY_RETURN_IF_ERROR(keystore.Initialize(passphrase));
  }
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, keystore.GenerateKey(name, KeyKind::kVault));
  nlohmann::json data = {
      {"vault", info.name}, {"recipient", info.recipient}, {"fingerprint", info.fingerprint}};
  auto entry = station.Record("vault.created", operator_name, data.dump());
  if (!entry.ok()) {
    keystore.DestroyKey(name).status().IgnoreError();
    return entry.status().WithContext("vault not created (the ledger refused the record)");
  }
  return info;
}

Result<SealedRecord> SealToVault(Station& station, Keystore& keystore,
                                 const std::string& operator_name, const std::string& name,
                                 const VaultSealOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, GetVault(keystore, name));
  if (o.files.empty()) return InvalidArgumentError("name at least one file to seal");
  if (o.output.empty()) return InvalidArgumentError("-o OUT is required");
  Env* env = station.env();
  if (!o.overwrite && env->FileExists(o.output)) {
    return AlreadyExistsError(o.output + " exists (add --overwrite to replace it)");
  }
  std::vector<FileToSeal> files;
  for (const auto& path : o.files) {
    FileToSeal f;
    f.name = Basename(path);
    if (!SafeMemberName(f.name))
      return InvalidArgumentError("cannot seal " + path + ": not a file name");
    for (const auto& seen : files) {
      if (seen.name == f.name)
        return InvalidArgumentError("two files are named " + f.name + ": seal them separately");
    }
    auto content = env->ReadFile(path);
    if (!content.ok()) return content.status().WithContext("cannot read " + path);
    f.content = SecretString(*content);
    WipeMemory(content->data(), content->size());
    f.sha256 = crypto::Sha256Hex(f.content.view());
    files.push_back(std::move(f));
  }
  CUSTODY_ASSIGN_OR_RETURN(auto recipient, age::X25519Recipient::Parse(info.recipient));

  uint8_t rnd[8];
  CUSTODY_RETURN_IF_ERROR(env->RandomBytes(rnd, sizeof rnd));
  std::string tmp = o.output + ".tmp-" +
                    encoding::HexEncode(std::string_view(reinterpret_cast<char*>(rnd), sizeof rnd));
  CUSTODY_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp, kFileMode));
  WritableFileSink file_sink(file.get());
  DigestingSink sink(&file_sink);
  std::string digest;
  Status s = [&]() -> Status {
    age::EncryptOptions eo;
    eo.armor = o.armor ? age::Armor::kArmored : age::Armor::kBinary;
    eo.env = env;
    CUSTODY_ASSIGN_OR_RETURN(auto enc, age::AgeEncryptor::Create({&recipient}, &sink, eo));
    CUSTODY_RETURN_IF_ERROR(WriteTar(files, env->NowUnixMicros() / 1000000, enc.get()));
    CUSTODY_RETURN_IF_ERROR(enc->Finish());
    CUSTODY_RETURN_IF_ERROR(file->Sync());
    CUSTODY_RETURN_IF_ERROR(file->Close());
    digest = sink.HexDigest();
    CUSTODY_RETURN_IF_ERROR(env->RenameFile(tmp, o.output));
    std::string dir = ".";
    if (auto slash = o.output.rfind('/'); slash != std::string::npos)
      dir = slash == 0 ? "/" : o.output.substr(0, slash);
    return env->SyncDir(dir);
  }();
  if (!s.ok()) {
    file->Close().IgnoreError();
    env->RemoveFile(tmp).IgnoreError();
    return s.WithContext("nothing was sealed");
  }

  SealedRecord rec;
  rec.digest = digest;
  rec.size = sink.size();
  rec.sealed = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  rec.output = o.output;
  nlohmann::json per_file = nlohmann::json::array();
  for (const auto& f : files)
    per_file.push_back({{"sha256", f.sha256}, {"size", f.content.size()}});
  nlohmann::json data = {{"vault", info.name},
                         {"fingerprint", info.fingerprint},
                         {"digest", rec.digest},
                         {"size", rec.size},
                         {"files", per_file}};
  auto entry = station.Record("vault.sealed", operator_name, data.dump());
  if (!entry.ok()) {
    // Unrecorded data sealed to a vault would escape the crypto-erase
    // record: remove it.
    env->RemoveFile(o.output).IgnoreError();
    return entry.status().WithContext(
        "the sealed file was removed (the ledger refused the record)");
  }
  rec.ledger_seq = entry->seq;
  info.sealed.push_back(rec);
  CUSTODY_RETURN_IF_ERROR(keystore.UpdateInfo(info).WithContext(
      "sealed and recorded (ledger entry " + std::to_string(entry->seq) +
      "), but the vault's list was not updated"));
  return rec;
}

Result<std::vector<OpenedFile>> OpenVault(Keystore& keystore, const std::string& name,
                                          const std::string& sealed_path,
                                          const std::string& dest_dir, Env* env) {
  CUSTODY_RETURN_IF_ERROR(GetVault(keystore, name).status());
  CUSTODY_ASSIGN_OR_RETURN(StationIdentity id, keystore.LoadIdentity(name));
  CUSTODY_ASSIGN_OR_RETURN(auto identity, age::X25519Identity::Parse(id.secret_key.view()));
  CUSTODY_ASSIGN_OR_RETURN(std::string sealed, env->ReadFile(sealed_path));
  auto plain = age::Decrypt(sealed, {&identity});
  if (!plain.ok()) {
    if (plain.status().code() == StatusCode::kWrongKey) {
      return WrongKeyError(sealed_path + " was not sealed to vault \"" + name + "\" (" +
                           id.fingerprint + ")");
    }
    return plain.status().WithContext(sealed_path);
  }
  CUSTODY_ASSIGN_OR_RETURN(std::vector<FileToSeal> files, ReadTar(*plain));
  std::vector<OpenedFile> out;
  for (const auto& f : files) out.push_back({f.name, f.content.size(), f.sha256});
  if (dest_dir.empty()) return out;

  CUSTODY_RETURN_IF_ERROR(env->CreateDir(dest_dir, 0700));
  for (const auto& f : files) {
    if (env->FileExists(dest_dir + "/" + f.name)) {
      return AlreadyExistsError(dest_dir + "/" + f.name +
                                " exists: nothing was written; open into an empty directory");
    }
  }
  std::vector<std::string> written;
  for (const auto& f : files) {
    std::string path = dest_dir + "/" + f.name;
    Status s = env->WriteFileAtomically(path, f.content.view(), kFileMode);
    if (!s.ok()) {
      for (const auto& w : written) env->RemoveFile(w).IgnoreError();
      return s.WithContext("nothing was left in " + dest_dir);
    }
    written.push_back(path);
  }
  return out;
}

Result<KeyInfo> ExportVaultKey(Station& station, Keystore& keystore,
                               const std::string& operator_name, const std::string& name,
                               const std::string& output, const std::string& reason) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, GetVault(keystore, name));
  if (reason.empty())
    return InvalidArgumentError("--reason is required: why a copy of the vault key leaves custody");
  if (output.empty()) return InvalidArgumentError("-o FILE is required");
  Env* env = station.env();
  if (env->FileExists(output)) return AlreadyExistsError(output + " exists");
  CUSTODY_ASSIGN_OR_RETURN(StationIdentity id, keystore.LoadIdentity(name));
  // Record first: an export that is not recorded would make a later
  // crypto-erase claim false.
  info.exported += 1;
  nlohmann::json data = {{"vault", info.name},
                         {"fingerprint", info.fingerprint},
                         {"reason", reason},
                         {"copies_exported", info.exported}};
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry,
                           station.Record("vault.key-exported", operator_name, data.dump()));
  CUSTODY_RETURN_IF_ERROR(keystore.UpdateInfo(info));
  std::string text = "# custody vault key " + info.name + " (escrow copy, exported " +
                     timeutil::FormatRfc3339Utc(env->NowUnixMicros()) + ", ledger entry " +
                     std::to_string(entry.seq) + ")\n# public key: " + info.recipient + "\n";
  text.reserve(text.size() + id.secret_key.size() + 1);  // No reallocation leaves a copy behind.
  text.append(id.secret_key.view());
  text.push_back('\n');
  Status written = env->WriteFileAtomically(output, text, kFileMode);
  WipeMemory(text.data(), text.size());
  CUSTODY_RETURN_IF_ERROR(written);
  return info;
}

Result<KeyInfo> RecordEscrowDestroyed(Station& station, Keystore& keystore,
                                      const std::string& operator_name, const std::string& name,
                                      uint32_t copies, const std::string& how) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, GetVault(keystore, name));
  if (copies == 0) return InvalidArgumentError("--copies must be at least 1");
  if (how.empty())
    return InvalidArgumentError("--how is required: how the copies were destroyed, and by whom");
  if (info.destroyed_copies + copies > info.exported) {
    return InvalidArgumentError(
        "vault \"" + name + "\" has " + std::to_string(info.exported - info.destroyed_copies) +
        " exported copies not yet recorded destroyed, not " + std::to_string(copies));
  }
  info.destroyed_copies += copies;
  nlohmann::json data = {{"vault", info.name},
                         {"fingerprint", info.fingerprint},
                         {"copies", copies},
                         {"how", how},
                         {"copies_exported", info.exported},
                         {"copies_destroyed", info.destroyed_copies}};
  CUSTODY_RETURN_IF_ERROR(
      station.Record("vault.escrow-destroyed", operator_name, data.dump()).status());
  CUSTODY_RETURN_IF_ERROR(keystore.UpdateInfo(info));
  return info;
}

Result<VaultErasure> CryptoEraseVault(Station& station, Keystore& keystore,
                                      const std::string& operator_name, const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, GetVault(keystore, name));
  if (info.exported > info.destroyed_copies) {
    return FailedPreconditionError("vault \"" + name + "\" was exported " +
                                   std::to_string(info.exported) + " time(s) and only " +
                                   std::to_string(info.destroyed_copies) +
                                   " copy(ies) are recorded destroyed: an escrowed copy still "
                                   "opens everything sealed to it. Destroy the copies, "
                                   "record it with `custody vault record-copy-destroyed " +
                                   name + " --copies N --how ...`, then run again");
  }
  VaultErasure out;
  out.vault = info;
  // Everything sealed to this key, from the ledger (authoritative: survives
  // a lost keystore file) and from the vault's own list.
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (e.type != "vault.sealed") return true;
    auto j = json::ParseStrict(e.data_json);
    if (!j.ok() || j->value("fingerprint", "") != info.fingerprint) return true;
    SealedRecord r;
    r.digest = j->value("digest", "");
    r.size = j->value("size", uint64_t{0});
    r.sealed = e.time;
    r.ledger_seq = e.seq;
    out.sealed.push_back(r);
    return true;
  }));
  for (const auto& s : info.sealed) {
    bool known = std::any_of(out.sealed.begin(), out.sealed.end(), [&](const SealedRecord& r) {
      return r.digest == s.digest && r.ledger_seq == s.ledger_seq;
    });
    if (!known) out.sealed.push_back(s);
  }
  nlohmann::json sealed = nlohmann::json::array();
  for (const auto& s : out.sealed) sealed.push_back(SealedJson(s));
  nlohmann::json data = {{"vault", info.name},
                         {"method", "crypto-erase: custody vault key destroyed"},
                         {"recipient", info.recipient},
                         {"fingerprint", info.fingerprint},
                         {"key_created", info.created},
                         {"copies_exported", info.exported},
                         {"copies_destroyed", info.destroyed_copies},
                         {"sealed", sealed}};
  // Recorded before anything is destroyed: if the station stops half way,
  // the ledger still says which key was being erased and what it covered.
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry started, station.Record("crypto-erase.vault.started",
                                                               operator_name, data.dump()));
  out.started_seq = started.seq;
  auto destroyed = keystore.DestroyKey(name);
  if (!destroyed.ok()) {
    nlohmann::json fail = {{"vault", info.name},
                           {"fingerprint", info.fingerprint},
                           {"error", std::string(StatusCodeName(destroyed.status().code()))},
                           {"started_seq", started.seq}};
    station.Record("crypto-erase.vault.failed", operator_name, fail.dump()).status().IgnoreError();
    return destroyed.status().WithContext("crypto-erase of vault \"" + name +
                                          "\" FAILED (recorded); fix the cause and run again");
  }
  out.files = destroyed->files;
  // Check what the erase claims before recording it: the keystore no longer
  // knows the key, no other entry holds the same key, and no file it was
  // stored in is left.
  nlohmann::json destroyed_files = nlohmann::json::array();
  uint64_t files_remaining = 0;
  for (const auto& f : out.files) {
    destroyed_files.push_back(Basename(f));
    if (station.env()->FileExists(f)) ++files_remaining;
  }
  auto lookup = keystore.Get(name);
  const bool in_keystore = lookup.ok() || lookup.status().code() != StatusCode::kNotFound;
  bool fingerprint_held = false;
  if (auto all = keystore.List(); all.ok()) {
    for (const KeyInfo& k : *all) fingerprint_held |= k.fingerprint == info.fingerprint;
  } else {
    fingerprint_held = true;  // Cannot tell: do not claim it is gone.
  }
  const bool verified = !in_keystore && !fingerprint_held && files_remaining == 0;
  // Self-contained (docs/formats/events.md): one entry fills a disposal
  // certificate row for the data sealed to this key.
  nlohmann::json done = {{"vault", info.name},
                         {"method", "crypto-erase: custody vault key destroyed"},
                         {"recipient", info.recipient},
                         {"fingerprint", info.fingerprint},
                         {"key_created", info.created},
                         {"copies_exported", info.exported},
                         {"copies_destroyed", info.destroyed_copies},
                         {"started_seq", started.seq},
                         {"started", started.time},
                         {"finished", timeutil::FormatRfc3339Utc(station.env()->NowUnixMicros())},
                         {"key_files_destroyed", out.files.size()},
                         {"key_files", destroyed_files},
                         {"keystore_entry_removed", !in_keystore},
                         {"sealed", sealed},
                         {"sealed_count", out.sealed.size()},
                         {"verification",
                          {{"method", "keystore lookup and key files checked after destruction"},
                           {"key_in_keystore", in_keystore},
                           {"fingerprint_in_keystore", fingerprint_held},
                           {"key_files_remaining", files_remaining},
                           {"result", verified ? "passed" : "failed"}}}};
  if (!verified) {
    done["error"] = "verification-failed";
    station.Record("crypto-erase.vault.failed", operator_name, done.dump()).status().IgnoreError();
    return VerificationFailedError("crypto-erase of vault \"" + name +
                                   "\": the key is still held after destruction (recorded as "
                                   "failed); remove it and run again");
  }
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry completed, station.Record("crypto-erase.vault.completed",
                                                                 operator_name, done.dump()));
  out.completed_seq = completed.seq;
  spdlog::info("vault {} crypto-erased (ledger entries {} and {})", name, started.seq,
               completed.seq);
  return out;
}

}  // namespace custody
