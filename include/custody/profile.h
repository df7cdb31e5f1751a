// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The station profile (docs/formats/profile.md): defaults for the fields every
// certificate and receipt repeats (contractor, responsible person, client
// municipalities), kept in <home>/profile.json.
//
// Thread safety: values and free functions. Two processes saving at once:
// the last rename wins (each file is whole); the ledger's profile.updated
// entries keep both changes on the record.
#ifndef CUSTODY_PROFILE_H_
#define CUSTODY_PROFILE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "custody/certificate.h"
#include "custody/status.h"

namespace custody {

class Env;

struct Profile {
  std::map<std::string, std::string> station;
  std::map<std::string, std::map<std::string, std::string>> clients;
};

// What one `profile set` changed, for the ledger's profile.updated entry.
struct ProfileChange {
  std::string section;  // "station" or "client:<name>"
  std::map<std::string, std::string> set;
  std::vector<std::string> unset;
  std::string ToJson() const;  // The entry's data object.
};

// An empty profile if the file does not exist; kCorruption if it is not a
// valid profile.
Result<Profile> LoadProfile(const std::string& home, Env* env);
// Writes <home>/profile.json atomically, mode 0600.
Status SaveProfile(const std::string& home, const Profile& profile, Env* env);

// Applies "key=value" assignments ("key=" removes the key) to the station
// section (`client` empty) or to a client. kInvalidArgument for an unknown
// key (listing the known ones), a bad client name, a malformed assignment or
// a bad value (classification not 1-3, unknown place). Nothing is applied
// unless every assignment is valid.
Result<ProfileChange> ApplyProfileAssignments(Profile& profile, std::string_view client,
                                              const std::vector<std::string>& assignments);

// Sets the fields of `content` that the profile defines: from the client
// section `client` (may be empty: station only), else the station section.
// Call it on a fresh content before applying the input file and flags, which
// then override (a profile value is a default, never an override). Sets
// `issuer_company` (may be null) from `company`. kNotFound for an unknown
// client.
Status FillFromProfile(const Profile& profile, std::string_view client, CertificateContent* content,
                       std::string* issuer_company);

}  // namespace custody

#endif  // CUSTODY_PROFILE_H_
