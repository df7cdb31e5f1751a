// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The keys that read a custody package, shared by package verify/open/show,
// receipt issue --package and receipt ack: age identity files given with -i,
// else the station's own keystore identities.
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "custody/env.h"
#include "custody/secret.h"
#include "custody/station.h"

namespace custody::cli {
namespace {

// The station's own identities, for reading without -i: the keystore is
// unlocked with the same passphrase options as `custody key` (file, fd or
// terminal), and only when the package turns out to be for X25519 keys.
Status LoadStationIdentities(const GlobalOptions& g, const SecretSource& secret, std::vector<SecretString>* ids,
                             std::vector<std::string>* names) {
  auto station = OpenStation(g);
  if (!station.ok()) {
    if (station.status().code() == StatusCode::kNotFound) {
      return OwnError(StatusCode::kNotFound,
                      N_("no key to open this package: give -i FILE (an age identity file), or open it on the "
                         "station whose key it was sent to (no custody station here: %s)"),
                      {station.status().message()});
    }
    return station.status();
  }
  CUSTODY_ASSIGN_OR_RETURN(auto ks, OpenKeystore(**station));
  if (!ks->initialized()) {
    return OwnError(StatusCode::kNotFound,
                    N_("no key to open this package: this station has no keys (custody key create NAME makes "
                       "one, and custody key export-public NAME prints what to give the sender); or give -i FILE"),
                    {});
  }
  CUSTODY_ASSIGN_OR_RETURN(SecretString pass, ReadSecret(secret, "keystore passphrase"));
  CUSTODY_RETURN_IF_ERROR(ks->Unlock(pass));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<StationIdentity> station_ids, ks->Identities());
  for (StationIdentity& id : station_ids) {
    ids->push_back(std::move(id.secret_key));
    names->push_back(id.name);
  }
  return Status::Ok();
}

}  // namespace

Result<PackageKeys> LoadPackageKeys(const GlobalOptions& g, const std::vector<std::string>& identity_files,
                                    const SecretSource& secret) {
  PackageKeys keys;
  for (const std::string& file : identity_files) {
    CUSTODY_ASSIGN_OR_RETURN(std::string text_raw, Env::Default()->ReadFile(file));
    SecretString text(text_raw);
    WipeMemory(text_raw.data(), text_raw.size());
    std::string_view rest = text.view();
    int found = 0;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      keys.identities.emplace_back(line);
      keys.identity_names.push_back(file);
      ++found;
    }
    if (found == 0) return OwnError(StatusCode::kInvalidArgument, N_("%s holds no age identity (AGE-SECRET-KEY-1...)"), {file});
  }
  SecretSource src = secret;
  keys.passphrase = [src]() { return ReadSecret(src, "package passphrase"); };
  if (identity_files.empty()) {
    // One passphrase option serves both: a package is either passphrase- or
    // key-encrypted (age never mixes scrypt with other stanzas), so only one
    // of the two secrets is ever asked for.
    keys.station_identities = [&g, src](std::vector<SecretString>* ids, std::vector<std::string>* names) {
      return LoadStationIdentities(g, src, ids, names);
    };
  }
  return keys;
}

}  // namespace custody::cli
