// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The keystore's files (docs/formats/keystore.md). Secrets are only ever
// handled as SecretString; nothing here logs or records a secret.
#include "custody/keystore.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "common/time_util.h"
#include "crypto/keystore_crypto.h"
#include "custody/env.h"
#include "custody/password.h"
#include "keys/keystore_internal.h"
#include "ledger/note.h"

namespace custody {
namespace {

constexpr std::string_view kKeystoreDir = "keystore";
constexpr std::string_view kKeystoreIdentityFile = "keystore.age";
constexpr std::string_view kKeystoreInfoFile = "keystore.json";
constexpr std::string_view kKeystoreFormat = "custody-keystore-v1";
constexpr std::string_view kKeyFormat = "custody-key-v1";
constexpr uint32_t kDirMode = 0700;
constexpr uint32_t kFileMode = 0600;

Result<KeyKind> ParseKind(std::string_view s) {
  if (s == "identity") return KeyKind::kIdentity;
  if (s == "recipient") return KeyKind::kRecipient;
  if (s == "vault") return KeyKind::kVault;
  if (s == "sender") return KeyKind::kSender;
  return CorruptionError("unknown key kind");
}

bool IsTempName(std::string_view file, std::string_view base) {
  // Env::WriteFileAtomically's temporary: <base>.tmp-<16 hex>.
  if (file.size() != base.size() + 5 + 16 || file.substr(0, base.size()) != base) return false;
  if (file.substr(base.size(), 5) != ".tmp-") return false;
  return std::all_of(file.begin() + static_cast<ptrdiff_t>(base.size() + 5), file.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string_view KeyKindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kIdentity:
      return "identity";
    case KeyKind::kRecipient:
      return "recipient";
    case KeyKind::kVault:
      return "vault";
    case KeyKind::kSender:
      return "sender";
  }
  return "unknown";
}

std::string RecipientFingerprint(std::string_view age_recipient) {
  auto canonical = crypto::CanonicalRecipient(age_recipient);
  if (!canonical.ok()) return "invalid";
  return crypto::FingerprintOfRecipient(*canonical);
}

std::string SenderFingerprint(std::string_view verifier_key) {
  if (!note::ParseVerifierKey(verifier_key).ok()) return "invalid";
  return crypto::FingerprintOfVerifierKey(verifier_key);
}

bool FingerprintMatches(std::string_view typed, std::string_view expected) {
  auto normalize = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '-' || c == ' ' || c == '\t') continue;
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return out;
  };
  std::string a = normalize(typed), b = normalize(expected);
  return !b.empty() && a == b;
}

namespace keys {

bool ValidKeyName(std::string_view n) {
  if (n.empty() || n.size() > 64 || n[0] == '.' || n[0] == '-') return false;
  if (n == "keystore") return false;  // keystore.json / keystore.age
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

Status CheckKeyName(std::string_view n) {
  if (ValidKeyName(n)) return Status::Ok();
  return InvalidArgumentError(
      "key names are 1-64 characters of A-Z a-z 0-9 . _ -, not starting with . or - "
      "(and not \"keystore\"), e.g. city-hall-2026");
}

std::string InfoToJson(const KeyInfo& k) {
  nlohmann::json j = {{"format", kKeyFormat},         {"name", k.name},
                      {"kind", KeyKindName(k.kind)},  {"recipient", k.recipient},
                      {"fingerprint", k.fingerprint}, {"created", k.created}};
  if (k.kind == KeyKind::kSender) {
    // A signing key, not an age recipient: its own field.
    j.erase("recipient");
    j["verifier_key"] = k.verifier_key;
  }
  if (k.kind == KeyKind::kRecipient || k.kind == KeyKind::kSender) {
    j["confirmation"] = k.confirmation;
    j["confirmed_by"] = k.confirmed_by;
  }
  if (k.kind == KeyKind::kVault) {
    j["exported"] = k.exported;
    j["destroyed_copies"] = k.destroyed_copies;
    nlohmann::json sealed = nlohmann::json::array();
    for (const auto& s : k.sealed) {
      sealed.push_back({{"digest", s.digest},
                        {"size", s.size},
                        {"sealed", s.sealed},
                        {"output", s.output},
                        {"ledger_seq", s.ledger_seq}});
    }
    j["sealed"] = sealed;
  }
  auto c = json::Canonicalize(j);
  return (c.ok() ? *c : j.dump()) + "\n";
}

Result<KeyInfo> InfoFromJson(std::string_view text, const std::string& expected_name) {
  std::string what = "key file " + expected_name + ".json";
  auto parsed = json::ParseStrict(text);
  if (!parsed.ok() || !parsed->is_object()) return CorruptionError(what + " is not valid JSON");
  const nlohmann::json& j = *parsed;
  KeyInfo k;
  try {
    if (j.at("format").get<std::string>() != kKeyFormat) {
      return UnsupportedError(what + " has an unknown format (expected " + std::string(kKeyFormat) +
                              ")");
    }
    k.name = j.at("name").get<std::string>();
    CUSTODY_ASSIGN_OR_RETURN(k.kind, ParseKind(j.at("kind").get<std::string>()));
    const char* public_key_field = k.kind == KeyKind::kSender ? "verifier_key" : "recipient";
    (k.kind == KeyKind::kSender ? k.verifier_key : k.recipient) =
        j.at(public_key_field).get<std::string>();
    k.fingerprint = j.at("fingerprint").get<std::string>();
    k.created = j.at("created").get<std::string>();
    std::vector<std::string> allowed = {"format", "name", "kind", public_key_field, "fingerprint",
                                        "created"};
    if (k.kind == KeyKind::kRecipient || k.kind == KeyKind::kSender) {
      k.confirmation = j.at("confirmation").get<std::string>();
      k.confirmed_by = j.at("confirmed_by").get<std::string>();
      allowed.insert(allowed.end(), {"confirmation", "confirmed_by"});
    }
    if (k.kind == KeyKind::kVault) {
      k.exported = j.at("exported").get<uint32_t>();
      k.destroyed_copies = j.at("destroyed_copies").get<uint32_t>();
      for (const auto& s : j.at("sealed")) {
        SealedRecord r;
        r.digest = s.at("digest").get<std::string>();
        r.size = s.at("size").get<uint64_t>();
        r.sealed = s.at("sealed").get<std::string>();
        r.output = s.at("output").get<std::string>();
        r.ledger_seq = s.at("ledger_seq").get<uint64_t>();
        k.sealed.push_back(std::move(r));
      }
      allowed.insert(allowed.end(), {"exported", "destroyed_copies", "sealed"});
    }
    for (const auto& [key, value] : j.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return CorruptionError(what + " has an unknown field \"" + key + "\"");
      }
    }
  } catch (const nlohmann::json::exception&) {
    return CorruptionError(what + " has a missing or malformed field");
  }
  if (k.name != expected_name) return CorruptionError(what + " names another key (" + k.name + ")");
  if (k.kind == KeyKind::kSender) {
    if (!note::ParseVerifierKey(k.verifier_key).ok())
      return CorruptionError(what + " holds a malformed verifier key");
    if (k.fingerprint != crypto::FingerprintOfVerifierKey(k.verifier_key))
      return CorruptionError(what + ": the fingerprint does not match the verifier key");
    return k;
  }
  auto canonical = crypto::CanonicalRecipient(k.recipient);
  if (!canonical.ok() || *canonical != k.recipient)
    return CorruptionError(what + " holds a malformed recipient");
  if (k.fingerprint != crypto::FingerprintOfRecipient(k.recipient)) {
    return CorruptionError(what + ": the fingerprint does not match the recipient");
  }
  return k;
}

// Overwrites a file in place with random bytes, syncs it and unlinks it.
Status OverwriteAndRemove(Env& env, const std::string& path) {
  auto content = env.ReadFile(path);
  if (!content.ok()) return content.status();
  size_t size = content->size();
  WipeMemory(content->data(), content->size());
  {
    CUSTODY_ASSIGN_OR_RETURN(auto file, env.OpenForOverwrite(path));
    // Random rather than zeros: nothing in the overwritten blocks says what
    // they held, and a file system cannot deduplicate or sparsify them away.
    std::string block(std::min<size_t>(size, 65536), '\0');
    for (size_t done = 0; done < size;) {
      size_t n = std::min(block.size(), size - done);
      CUSTODY_RETURN_IF_ERROR(env.RandomBytes(reinterpret_cast<uint8_t*>(block.data()), n));
      CUSTODY_RETURN_IF_ERROR(file->Append(std::string_view(block.data(), n)));
      done += n;
    }
    CUSTODY_RETURN_IF_ERROR(file->Sync());
    CUSTODY_RETURN_IF_ERROR(file->Close());
  }
  return env.RemoveFile(path);
}

}  // namespace keys

using keys::CheckKeyName;
using keys::InfoFromJson;
using keys::InfoToJson;
using keys::OverwriteAndRemove;

Keystore::~Keystore() = default;

Result<std::unique_ptr<Keystore>> Keystore::Open(const std::string& station_home, Env* env,
                                                 KeystoreOptions options) {
  if (env == nullptr) return InvalidArgumentError("Keystore::Open: no Env");
  std::unique_ptr<Keystore> ks(new Keystore);
  ks->dir_ = station_home + "/" + std::string(kKeystoreDir);
  ks->env_ = env;
  ks->options_ = options;
  std::string info_path = ks->dir_ + "/" + std::string(kKeystoreInfoFile);
  if (env->FileExists(info_path)) {
    CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(info_path));
    auto j = json::ParseStrict(text);
    try {
      if (!j.ok() || j->at("format").get<std::string>() != kKeystoreFormat) {
        return CorruptionError(info_path + " is not a custody keystore description");
      }
      ks->keystore_recipient_ = j->at("recipient").get<std::string>();
    } catch (const nlohmann::json::exception&) {
      return CorruptionError(info_path + " has a missing or malformed field");
    }
    auto canonical = crypto::CanonicalRecipient(ks->keystore_recipient_);
    if (!canonical.ok() || *canonical != ks->keystore_recipient_) {
      return CorruptionError(info_path + " holds a malformed recipient");
    }
  }
  return ks;
}

bool Keystore::initialized() const {
  return !keystore_recipient_.empty() &&
         env_->FileExists(dir_ + "/" + std::string(kKeystoreIdentityFile));
}

bool Keystore::unlocked() const { return keystore_identity_.has_value(); }

std::string Keystore::MetaPath(const std::string& name) const {
  return dir_ + "/" + name + ".json";
}
std::string Keystore::SecretPath(const std::string& name) const {
  return dir_ + "/" + name + ".age";
}

Status Keystore::EnsureDir() { return env_->CreateDir(dir_, kDirMode); }

Status Keystore::Initialize(const SecretString& new_passphrase) {
  if (initialized())
    return AlreadyExistsError("the keystore in " + dir_ + " already has a passphrase");
  CUSTODY_RETURN_IF_ERROR(CheckPassphraseStrength(new_passphrase));
  CUSTODY_RETURN_IF_ERROR(EnsureDir());
  std::string created = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
  CUSTODY_ASSIGN_OR_RETURN(crypto::GeneratedKey key, crypto::GenerateKeyFile(*env_, created));
  CUSTODY_ASSIGN_OR_RETURN(std::string sealed,
                           crypto::SealUnderPassphrase(key.key_file, new_passphrase,
                                                       options_.scrypt_log2_work_factor, *env_));
  const std::string identity_path = dir_ + "/" + std::string(kKeystoreIdentityFile);
  CUSTODY_RETURN_IF_ERROR(env_->WriteFileAtomically(identity_path, sealed, kFileMode));
  nlohmann::json j = {
      {"format", kKeystoreFormat}, {"recipient", key.recipient}, {"created", created}};
  Status s = env_->WriteFileAtomically(dir_ + "/" + std::string(kKeystoreInfoFile),
                                       *json::Canonicalize(j) + "\n", kFileMode);
  if (!s.ok()) {
    OverwriteAndRemove(*env_, identity_path).IgnoreError();
    return s;
  }
  keystore_recipient_ = key.recipient;
  keystore_identity_.reset();
  std::string recipient;
  CUSTODY_ASSIGN_OR_RETURN(SecretString identity,
                           crypto::ParseKeyFile(key.key_file.view(), &recipient));
  keystore_identity_ = std::move(identity);
  spdlog::info("keystore created in {}", dir_);
  return Status::Ok();
}

Status Keystore::Unlock(const SecretString& passphrase) {
  if (unlocked()) return Status::Ok();
  if (!initialized())
    return NotFoundError(
        "the station has no keystore yet: create a key first (custody key create)");
  CUSTODY_ASSIGN_OR_RETURN(std::string file,
                           env_->ReadFile(dir_ + "/" + std::string(kKeystoreIdentityFile)));
  auto key_file = crypto::OpenUnderPassphrase(file, passphrase);
  if (!key_file.ok()) {
    if (key_file.status().code() == StatusCode::kWrongKey) return key_file.status();
    return key_file.status().WithContext("the keystore identity file " +
                                         std::string(kKeystoreIdentityFile) + " is damaged");
  }
  std::string recipient;
  CUSTODY_ASSIGN_OR_RETURN(SecretString identity,
                           crypto::ParseKeyFile(key_file->view(), &recipient));
  if (recipient != keystore_recipient_) {
    return CorruptionError(
        "the keystore identity does not match keystore.json (files from two keystores?)");
  }
  keystore_identity_ = std::move(identity);
  return Status::Ok();
}

Result<KeyInfo> Keystore::Get(const std::string& name) {
  CUSTODY_RETURN_IF_ERROR(CheckKeyName(name));
  auto text = env_->ReadFile(MetaPath(name));
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no key named \"" + name + "\" (custody key list shows the keys)");
    }
    return text.status();
  }
  return InfoFromJson(*text, name);
}

Result<std::vector<KeyInfo>> Keystore::List() {
  std::vector<KeyInfo> out;
  if (!env_->FileExists(dir_)) return out;
  CUSTODY_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  std::sort(names.begin(), names.end());
  for (const auto& file : names) {
    if (file.size() <= 5 || file.substr(file.size() - 5) != ".json") continue;
    std::string name = file.substr(0, file.size() - 5);
    if (!keys::ValidKeyName(name)) continue;  // keystore.json, temporaries
    CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, Get(name));
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return out;
}

Result<std::string> Keystore::LookupRecipient(const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, Get(name));
  if (info.kind == KeyKind::kVault) {
    return FailedPreconditionError("\"" + name +
                                   "\" is a vault key: seal data to it with `custody vault seal`, "
                                   "never send it a package");
  }
  if (info.kind == KeyKind::kSender) {
    return FailedPreconditionError(
        "\"" + name +
        "\" is a sender's signing key (custody key import-sender): packages cannot be sent to it; "
        "import the station's age1 key with custody key import-recipient");
  }
  return info.recipient;
}

Result<StationIdentity> Keystore::LoadIdentity(const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, Get(name));
  if (info.kind == KeyKind::kRecipient || info.kind == KeyKind::kSender) {
    return FailedPreconditionError("\"" + name + "\" is a " +
                                   std::string(KeyKindName(info.kind)) +
                                   " (someone else's public key): it has no secret here");
  }
  if (!unlocked())
    return FailedPreconditionError("the keystore is locked: give the keystore passphrase");
  auto file = env_->ReadFile(SecretPath(name));
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) {
      return CorruptionError("the secret of key \"" + name + "\" is missing (" + SecretPath(name) +
                             ")");
    }
    return file.status();
  }
  auto key_file = crypto::UnwrapWithIdentity(*file, *keystore_identity_);
  if (!key_file.ok()) {
    return CorruptionError("the secret of key \"" + name + "\" does not open with this keystore (" +
                           key_file.status().message() + ")");
  }
  StationIdentity id;
  std::string recipient;
  CUSTODY_ASSIGN_OR_RETURN(id.secret_key, crypto::ParseKeyFile(key_file->view(), &recipient));
  if (recipient != info.recipient) {
    return CorruptionError("the secret of key \"" + name + "\" does not match its public key in " +
                           name + ".json");
  }
  id.name = info.name;
  id.recipient = info.recipient;
  id.fingerprint = info.fingerprint;
  return id;
}

Result<std::vector<StationIdentity>> Keystore::Identities() {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<KeyInfo> all, List());
  std::vector<StationIdentity> out;
  for (const auto& k : all) {
    if (k.kind != KeyKind::kIdentity) continue;
    CUSTODY_ASSIGN_OR_RETURN(StationIdentity id, LoadIdentity(k.name));
    out.push_back(std::move(id));
  }
  return out;
}

Result<std::vector<KeyInfo>> Keystore::Senders() {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<KeyInfo> all, List());
  std::vector<KeyInfo> out;
  for (auto& k : all) {
    if (k.kind == KeyKind::kSender) out.push_back(std::move(k));
  }
  return out;
}

Result<KeyInfo> Keystore::GenerateKey(const std::string& name, KeyKind kind) {
  CUSTODY_RETURN_IF_ERROR(CheckKeyName(name));
  if (kind != KeyKind::kIdentity && kind != KeyKind::kVault)
    return InvalidArgumentError("GenerateKey makes identities and vaults only");
  if (!initialized()) return FailedPreconditionError("the keystore has no passphrase yet");
  if (env_->FileExists(MetaPath(name)))
    return AlreadyExistsError("a key named \"" + name + "\" already exists");
  if (env_->FileExists(SecretPath(name))) {
    // Left by a creation that failed before NAME.json was written.
    CUSTODY_RETURN_IF_ERROR(OverwriteAndRemove(*env_, SecretPath(name)));
  }
  KeyInfo info;
  info.name = name;
  info.kind = kind;
  info.created = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
  CUSTODY_ASSIGN_OR_RETURN(crypto::GeneratedKey key, crypto::GenerateKeyFile(*env_, info.created));
  info.recipient = key.recipient;
  info.fingerprint = crypto::FingerprintOfRecipient(key.recipient);
  CUSTODY_ASSIGN_OR_RETURN(std::string wrapped,
                           crypto::WrapToRecipient(key.key_file, keystore_recipient_, *env_));
  CUSTODY_RETURN_IF_ERROR(env_->WriteFileAtomically(SecretPath(name), wrapped, kFileMode));
  Status s = env_->WriteFileAtomically(MetaPath(name), InfoToJson(info), kFileMode);
  if (!s.ok()) {
    OverwriteAndRemove(*env_, SecretPath(name)).IgnoreError();
    env_->SyncDir(dir_).IgnoreError();
    return s;
  }
  return info;
}

Result<KeyInfo> Keystore::AddRecipient(const std::string& name, std::string_view age_recipient,
                                       std::string confirmation, std::string confirmed_by) {
  CUSTODY_RETURN_IF_ERROR(CheckKeyName(name));
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, crypto::CanonicalRecipient(age_recipient));
  if (env_->FileExists(MetaPath(name)))
    return AlreadyExistsError("a key named \"" + name + "\" already exists");
  CUSTODY_RETURN_IF_ERROR(EnsureDir());
  KeyInfo info;
  info.name = name;
  info.kind = KeyKind::kRecipient;
  info.recipient = canonical;
  info.fingerprint = crypto::FingerprintOfRecipient(canonical);
  info.created = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
  info.confirmation = std::move(confirmation);
  info.confirmed_by = std::move(confirmed_by);
  CUSTODY_RETURN_IF_ERROR(env_->WriteFileAtomically(MetaPath(name), InfoToJson(info), kFileMode));
  return info;
}

Result<KeyInfo> Keystore::AddSender(const std::string& name, std::string_view verifier_key,
                                    std::string confirmation, std::string confirmed_by) {
  CUSTODY_RETURN_IF_ERROR(CheckKeyName(name));
  auto parsed = note::ParseVerifierKey(verifier_key);
  if (!parsed.ok()) {
    return InvalidArgumentError("not a station verifier key (name+hex8+base64, as custody status "
                                "prints it): " +
                                parsed.status().message());
  }
  if (env_->FileExists(MetaPath(name)))
    return AlreadyExistsError("a key named \"" + name + "\" already exists");
  // One name per station key: a package is shown as from that name, and two
  // names for one signer would make the name a matter of lookup order.
  CUSTODY_ASSIGN_OR_RETURN(std::vector<KeyInfo> senders, Senders());
  for (const KeyInfo& k : senders) {
    if (k.verifier_key == verifier_key) {
      return AlreadyExistsError("this verifier key is already stored as sender \"" + k.name +
                                "\" (custody key list); a station key has one name");
    }
  }
  CUSTODY_RETURN_IF_ERROR(EnsureDir());
  KeyInfo info;
  info.name = name;
  info.kind = KeyKind::kSender;
  info.verifier_key = std::string(verifier_key);
  info.fingerprint = crypto::FingerprintOfVerifierKey(verifier_key);
  info.created = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
  info.confirmation = std::move(confirmation);
  info.confirmed_by = std::move(confirmed_by);
  CUSTODY_RETURN_IF_ERROR(env_->WriteFileAtomically(MetaPath(name), InfoToJson(info), kFileMode));
  return info;
}

Status Keystore::UpdateInfo(const KeyInfo& info) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo old, Get(info.name));
  if (old.kind != info.kind || old.recipient != info.recipient ||
      old.verifier_key != info.verifier_key || old.fingerprint != info.fingerprint) {
    return InternalError("UpdateInfo may not change a key's kind or public key");
  }
  return env_->WriteFileAtomically(MetaPath(info.name), InfoToJson(info), kFileMode);
}

Result<DestroyedKey> Keystore::DestroyKey(const std::string& name) {
  CUSTODY_ASSIGN_OR_RETURN(KeyInfo info, Get(name));
  DestroyedKey out;
  out.info = info;
  // Every copy this station holds: the secret, temporaries a crashed write
  // left behind, then the metadata (last, so an interrupted destroy can be
  // run again and still finds the key).
  std::vector<std::string> victims;
  if (env_->FileExists(SecretPath(name))) victims.push_back(SecretPath(name));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<std::string> entries, env_->ListDir(dir_));
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    if (IsTempName(e, name + ".age") || IsTempName(e, name + ".json"))
      victims.push_back(dir_ + "/" + e);
  }
  victims.push_back(MetaPath(name));
  for (const auto& path : victims) {
    CUSTODY_RETURN_IF_ERROR(
        OverwriteAndRemove(*env_, path).WithContext("destroying key \"" + name + "\""));
    out.files.push_back(path);
  }
  CUSTODY_RETURN_IF_ERROR(env_->SyncDir(dir_));
  return out;
}

}  // namespace custody
