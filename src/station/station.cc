// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/station.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/canonical_json.h"
#include "common/time_util.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "ledger/signer.h"
#include "custody/env.h"
#include "custody/version.h"
#include "ledger/note.h"
#include "station/signing_key.h"

namespace custody {
namespace {

constexpr const char* kStationFile = "station.json";
constexpr const char* kSigningKeyFile = "keys/signing.key";
constexpr const char* kLedgerFile = "ledger.db";
constexpr uint32_t kDirMode = 0700;
constexpr uint32_t kFileMode = 0600;

bool ValidStationName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// C2SP signed-note key names: non-empty, no Unicode spaces, no '+'.
bool ValidOrigin(std::string_view o) {
  if (o.empty() || o.size() > 200) return false;
  for (unsigned char c : o) {
    if (c <= 0x20 || c == '+' || c >= 0x7f) return false;
  }
  return true;
}

Status CreateDirs(Env* env, const std::string& path) {
  // Parents with 0700 too: they are created only when missing, typically
  // ~/.local/share on a fresh account.
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos);
    std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && !env->FileExists(prefix)) CUSTODY_RETURN_IF_ERROR(env->CreateDir(prefix, kDirMode));
    if (pos != std::string::npos) ++pos;
  }
  return Status::Ok();
}

Result<StationConfig> ParseConfig(const std::string& text, const std::string& path) {
  auto j = json::ParseStrict(text);
  if (!j.ok() || !j->is_object()) return CorruptionError(path + " is not valid JSON");
  StationConfig c;
  try {
    c.organization = j->at("organization").get<std::string>();
    c.station_name = j->at("station").get<std::string>();
    c.origin = j->at("origin").get<std::string>();
    c.default_operator = j->value("default_operator", "");
    c.verifier_key = j->at("verifier_key").get<std::string>();
    c.created = j->at("created").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return CorruptionError(path + ": missing or malformed field (" + e.what() + ")");
  }
  return c;
}

}  // namespace

std::string ResolveStationHome(const std::string& explicit_home) {
  if (!explicit_home.empty()) return explicit_home;
  if (const char* h = std::getenv("CUSTODY_HOME"); h && *h) return h;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/custody";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/custody";
}

Station::~Station() = default;

Result<std::unique_ptr<Station>> Station::Init(const StationInitOptions& o, Env* env) {
  std::string home = ResolveStationHome(o.home);
  if (env->FileExists(home + "/" + kStationFile)) {
    return AlreadyExistsError("a station already exists in " + home);
  }
  if (o.organization.empty()) return InvalidArgumentError("--organization is required (the company or office name)");
  if (!ValidStationName(o.station_name)) {
    return InvalidArgumentError("--name must be 1-64 characters of A-Z a-z 0-9 . _ - (e.g. niigata-office-1)");
  }
  CUSTODY_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair kp, crypto::Ed25519Generate());
  std::string origin = o.origin;
  if (origin.empty()) {
    // A default origin unique to this key: two stations with one name never
    // share a log identity.
    origin = "custody/" + o.station_name + "/" + crypto::Sha256Hex(kp.public_key).substr(0, 8);
  }
  if (!ValidOrigin(origin)) return InvalidArgumentError("--origin must be printable ASCII without spaces or '+'");
  std::string operator_name = !o.operator_name.empty() ? o.operator_name : o.default_operator;
  if (operator_name.empty()) return InvalidArgumentError("no operator given: use --operator NAME");

  CUSTODY_RETURN_IF_ERROR(CreateDirs(env, home));
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(home, kDirMode));  // Enforces 0700 on an existing empty dir too.
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(home + "/keys", kDirMode));
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(home + "/logs", kDirMode));

  station::SigningKey key{origin, kp.public_key, kp.seed.Clone()};
  CUSTODY_ASSIGN_OR_RETURN(SecretString key_file,
                           station::EncodeSigningKey(key, o.passphrase ? &*o.passphrase : nullptr));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(home + "/" + kSigningKeyFile, key_file.view(), kFileMode));

  StationConfig c;
  c.organization = o.organization;
  c.station_name = o.station_name;
  c.origin = origin;
  c.default_operator = o.default_operator;
  c.verifier_key = note::FormatVerifierKey(origin, kp.public_key);
  c.created = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  nlohmann::json j = {{"format", "custody-station-v1"},   {"organization", c.organization},
                      {"station", c.station_name},         {"origin", c.origin},
                      {"default_operator", c.default_operator}, {"verifier_key", c.verifier_key},
                      {"created", c.created}};
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(home + "/" + kStationFile, j.dump(2) + "\n", kFileMode));

  std::unique_ptr<Station> s(new Station);
  s->home_ = home;
  s->config_ = c;
  s->public_key_ = kp.public_key;
  s->env_ = env;
  s->signer_ = LedgerSigner{origin, std::move(kp.seed)};
  nlohmann::json data = {{"organization", c.organization}, {"station", c.station_name},
                         {"origin", origin},              {"verifier_key", c.verifier_key},
                         {"custody_version", Version()},  {"key_protected", o.passphrase.has_value()}};
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, s->Record("station.created", operator_name, data.dump()));
  spdlog::info("station {} created in {} (ledger entry {})", c.station_name, home, e.seq);
  return s;
}

Result<std::unique_ptr<Station>> Station::Open(const std::string& home_arg, PassphraseProvider passphrase,
                                               Env* env) {
  std::string home = ResolveStationHome(home_arg);
  auto text = env->ReadFile(home + "/" + kStationFile);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no station in " + home + ": run `custody init` first, or pass --home");
    }
    return text.status();
  }
  CUSTODY_ASSIGN_OR_RETURN(StationConfig c, ParseConfig(*text, home + "/" + kStationFile));
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier v, note::ParseVerifierKey(c.verifier_key));
  std::unique_ptr<Station> s(new Station);
  s->home_ = home;
  s->config_ = std::move(c);
  s->public_key_ = v.public_key;
  s->passphrase_ = std::move(passphrase);
  s->env_ = env;
  return s;
}

Result<std::string> Station::ResolveOperator(std::string_view requested) const {
  if (!requested.empty()) return std::string(requested);
  if (!config_.default_operator.empty()) return config_.default_operator;
  return InvalidArgumentError("no operator given: use --operator NAME (or set a default with custody init --default-operator)");
}

Status Station::LoadSigner() {
  if (signer_) return Status::Ok();
  CUSTODY_ASSIGN_OR_RETURN(std::string file, env_->ReadFile(path(kSigningKeyFile)));
  std::optional<SecretString> pass;
  if (station::IsProtectedKeyFile(file)) {
    if (!passphrase_) return WrongKeyError("the station key is protected: give its passphrase (--passphrase-file or --passphrase-fd)");
    CUSTODY_ASSIGN_OR_RETURN(SecretString p, passphrase_());
    pass = std::move(p);
  }
  auto key = station::DecodeSigningKey(file, pass ? &*pass : nullptr);
  WipeMemory(file.data(), file.size());
  if (!key.ok()) return key.status();
  if (key->public_key != public_key_ || key->origin != config_.origin) {
    return CorruptionError("the signing key in " + path(kSigningKeyFile) + " is not the key named in station.json");
  }
  signer_ = LedgerSigner{key->origin, std::move(key->seed)};
  return Status::Ok();
}

Result<Ledger*> Station::ledger() {
  if (!ledger_) {
    bool create = !env_->FileExists(path(kLedgerFile));
    if (create && !signer_) return NotFoundError("the station has no ledger at " + path(kLedgerFile));
    std::optional<LedgerSigner> signer;
    if (signer_) signer = LedgerSigner{signer_->origin, signer_->seed.Clone()};
    CUSTODY_ASSIGN_OR_RETURN(ledger_, Ledger::Open(path(kLedgerFile), create, std::move(signer),
                                                   config_.verifier_key, env_));
  }
  return ledger_.get();
}

Result<LedgerEntry> Station::Record(std::string_view type, std::string_view operator_name,
                                    std::string_view data_json) {
  if (!signer_) {
    CUSTODY_RETURN_IF_ERROR(LoadSigner());
    // A ledger opened before the key was needed gets the signer in place:
    // callers may hold its pointer (Station::ledger()), so never reopen it.
    if (ledger_) {
      CUSTODY_RETURN_IF_ERROR(ledger_internal::AttachSigner(
          ledger_.get(), LedgerSigner{signer_->origin, signer_->seed.Clone()}));
    }
  }
  CUSTODY_ASSIGN_OR_RETURN(Ledger * l, ledger());
  return l->Append(type, operator_name, data_json);
}

Result<std::string> Station::Sign(std::string_view message) {
  CUSTODY_RETURN_IF_ERROR(LoadSigner());
  return crypto::Ed25519Sign(signer_->seed, message);
}

Result<std::string> Station::SignWithContext(std::string_view context, std::string_view payload) {
  CUSTODY_RETURN_IF_ERROR(LoadSigner());
  return crypto::Ed25519SignWithContext(signer_->seed, context, payload);
}

Result<std::string> Station::SignSource(MessageSource& message) {
  CUSTODY_RETURN_IF_ERROR(LoadSigner());
  return crypto::Ed25519SignSource(signer_->seed, message);
}

}  // namespace custody
