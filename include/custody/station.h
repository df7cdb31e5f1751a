// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A station: one custody installation (an office, a wipe bench) with its
// configuration, Ed25519 signing key and ledger, kept in one directory
// ($CUSTODY_HOME, mode 0700).
//
// Layout (docs/formats/station.md):
//   station.json       organization, station name, log origin, defaults
//   keys/signing.key   Ed25519 seed, 0600, optionally scrypt-protected
//   ledger.db          the ledger (SQLite)
//   logs/              operational logs (spdlog), not the ledger
//
// Thread safety: a Station object is used by one thread at a time.
#ifndef CUSTODY_STATION_H_
#define CUSTODY_STATION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "custody/ledger.h"
#include "custody/message_source.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody {

class Env;

// Where the station lives: `explicit_home` if non-empty, else $CUSTODY_HOME,
// else ${XDG_DATA_HOME:-$HOME/.local/share}/custody.
std::string ResolveStationHome(const std::string& explicit_home);

struct StationConfig {
  std::string organization;      // e.g. "株式会社サンプル情報サービス"
  std::string station_name;      // e.g. "niigata-office-1"
  std::string origin;            // Checkpoint origin, e.g. "custody.example/niigata-office-1"
  std::string default_operator;  // Used when a command gets no --operator.
  std::string verifier_key;      // C2SP verifier key of the signing key.
  std::string created;           // RFC 3339 UTC.
};

struct StationInitOptions {
  std::string home;
  std::string organization;
  std::string station_name;
  std::string origin;            // Default: "custody/<station_name>".
  std::string default_operator;
  std::string operator_name;     // Who creates the station (recorded).
  // If set, the signing key is encrypted with scrypt under this passphrase.
  std::optional<SecretString> passphrase;
};

// Supplies the signing-key passphrase when (and only when) the key is
// protected. The CLI reads it from a TTY, --passphrase-file or --passphrase-fd.
using PassphraseProvider = std::function<Result<SecretString>()>;

class Station {
 public:
  // Creates a station: directory 0700, station.json, signing key 0600, and a
  // ledger whose first entry is `station.created`. kAlreadyExists if a
  // station is already there.
  static Result<std::unique_ptr<Station>> Init(const StationInitOptions& options, Env* env);
  // Opens an existing station. The signing key is loaded lazily, on the first
  // Record/Sign; `passphrase` is asked only then. kNotFound if none.
  static Result<std::unique_ptr<Station>> Open(const std::string& home,
                                               PassphraseProvider passphrase, Env* env);
  ~Station();

  const std::string& home() const { return home_; }
  const StationConfig& config() const { return config_; }
  std::string path(std::string_view relative) const { return home_ + "/" + std::string(relative); }

  // The operator to record: `requested` if non-empty, else the default; kInvalidArgument if neither.
  Result<std::string> ResolveOperator(std::string_view requested) const;

  // Appends an event to the ledger, signed by the station.
  Result<LedgerEntry> Record(std::string_view type, std::string_view operator_name,
                             std::string_view data_json);
  // Signs bytes with the station key (Ed25519, 64 bytes).
  Result<std::string> Sign(std::string_view message);
  // The same signature as Sign(context + payload), without holding a copy
  // of the concatenation (for large payloads such as package manifests).
  Result<std::string> SignWithContext(std::string_view context, std::string_view payload);
  // The same signature as Sign(message), read from `message` in pieces (for
  // payloads too large to hold, such as the manifest of a million files).
  // An error of the source is returned, never a signature.
  Result<std::string> SignSource(MessageSource& message);
  // The station's public key (32 bytes).
  const std::string& public_key() const { return public_key_; }

  Result<Ledger*> ledger();  // Opened on first use; owned by the Station.
  Env* env() const { return env_; }

 private:
  Station() = default;
  Status LoadSigner();

  std::string home_;
  StationConfig config_;
  std::string public_key_;
  PassphraseProvider passphrase_;
  std::optional<LedgerSigner> signer_;
  std::unique_ptr<Ledger> ledger_;
  Env* env_ = nullptr;
};

}  // namespace custody

#endif  // CUSTODY_STATION_H_
