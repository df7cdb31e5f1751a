// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/profile.h"

#include <set>

#include "cert/json_reader.h"
#include "cert/vocabulary.h"
#include "common/canonical_json.h"
#include "custody/env.h"

namespace custody {
namespace {

using cert::Json;

constexpr std::string_view kFormat = "custody-profile-v1";
constexpr uint32_t kFileMode = 0600;  // Names of people: not for other accounts.

const std::set<std::string>& StationKeys() {
  static const std::set<std::string> k = {"company", "contractor",   "responsible",
                                          "place",   "place_detail", "destination"};
  return k;
}
const std::set<std::string>& ClientKeys() {
  static const std::set<std::string> k = {"municipality",   "department",   "contract",
                                          "classification", "place",        "place_detail",
                                          "destination",    "witness_name", "witness_department"};
  return k;
}

bool ValidClientName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

std::string Known(const std::set<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

Status CheckValue(const std::string& key, const std::string& value) {
  if (key == "classification" && value != "1" && value != "2" && value != "3")
    return InvalidArgumentError("classification must be 1, 2 or 3 (機密性区分), not '" + value +
                                "'");
  if (key == "place" && !cert::FromJson(cert::kPlaces, value))
    return InvalidArgumentError(
        "place must be government-premises (庁舎内), contractor-facility (事業者施設) or other, "
        "not '" +
        value + "'");
  return Status::Ok();
}

std::string Path(const std::string& home) { return home + "/profile.json"; }

Json SectionJson(const std::map<std::string, std::string>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

}  // namespace

std::string ProfileChange::ToJson() const {
  Json j = {{"section", section}, {"set", SectionJson(set)}, {"unset", unset}};
  auto c = json::Canonicalize(j);
  return c.ok() ? *c : "{}";
}

Result<Profile> LoadProfile(const std::string& home, Env* env) {
  const std::string path = Path(home);
  if (!env->FileExists(path)) return Profile{};
  CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  auto parsed = json::ParseStrict(text);
  if (!parsed.ok()) return CorruptionError(path + ": " + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object() || j.value("format", "") != kFormat)
    return CorruptionError(path + " is not a custody profile (" + std::string(kFormat) + ")");
  Profile p;
  auto read_section = [&](const Json& s, const std::set<std::string>& keys,
                          const std::string& where,
                          std::map<std::string, std::string>* out) -> Status {
    if (!s.is_object()) return CorruptionError(path + ": " + where + " is not an object");
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!keys.count(it.key()) || !it->is_string())
        return CorruptionError(path + ": " + where + "." + it.key() + " is not a known text field");
      (*out)[it.key()] = it->get<std::string>();
    }
    return Status::Ok();
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "format") continue;
    if (it.key() == "station") {
      CUSTODY_RETURN_IF_ERROR(read_section(*it, StationKeys(), "station", &p.station));
    } else if (it.key() == "clients" && it->is_object()) {
      for (auto c = it->begin(); c != it->end(); ++c) {
        if (!ValidClientName(c.key()))
          return CorruptionError(path + ": bad client name " + c.key());
        CUSTODY_RETURN_IF_ERROR(
            read_section(*c, ClientKeys(), "clients." + c.key(), &p.clients[c.key()]));
      }
    } else {
      return CorruptionError(path + ": unknown member " + it.key());
    }
  }
  return p;
}

Status SaveProfile(const std::string& home, const Profile& profile, Env* env) {
  Json clients = Json::object();
  for (const auto& [name, section] : profile.clients) clients[name] = SectionJson(section);
  Json j = {{"format", std::string(kFormat)},
            {"station", SectionJson(profile.station)},
            {"clients", clients}};
  CUSTODY_ASSIGN_OR_RETURN(std::string text, json::Canonicalize(j));
  return env->WriteFileAtomically(Path(home), text + "\n", kFileMode);
}

Result<ProfileChange> ApplyProfileAssignments(Profile& profile, std::string_view client,
                                              const std::vector<std::string>& assignments) {
  if (!client.empty() && !ValidClientName(client))
    return InvalidArgumentError("client name '" + std::string(client) +
                                "' must be 1-64 characters of a-z 0-9 - _ .");
  const std::set<std::string>& keys = client.empty() ? StationKeys() : ClientKeys();
  if (assignments.empty()) return InvalidArgumentError("nothing to set: give key=value");
  ProfileChange change;
  change.section = client.empty() ? "station" : "client:" + std::string(client);
  for (const std::string& a : assignments) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgumentError("'" + a + "' is not key=value");
    std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    if (!keys.count(key))
      return InvalidArgumentError("unknown " + std::string(client.empty() ? "station" : "client") +
                                  " profile key '" + key + "'; known keys: " + Known(keys));
    if (value.empty()) {
      change.unset.push_back(key);
      continue;
    }
    CUSTODY_RETURN_IF_ERROR(CheckValue(key, value));
    change.set[key] = value;
  }
  auto& section = client.empty() ? profile.station : profile.clients[std::string(client)];
  for (const auto& [k, v] : change.set) section[k] = v;
  for (const std::string& k : change.unset) section.erase(k);
  return change;
}

Status FillFromProfile(const Profile& profile, std::string_view client, CertificateContent* c,
                       std::string* issuer_company) {
  static const std::map<std::string, std::string> kEmpty;
  const std::map<std::string, std::string>* cl = &kEmpty;
  if (!client.empty()) {
    auto it = profile.clients.find(std::string(client));
    if (it == profile.clients.end())
      return NotFoundError("no client profile '" + std::string(client) +
                           "'; create it with: custody profile set --client " +
                           std::string(client) + " municipality=…");
    cl = &it->second;
  }
  // Client first, then station: the municipality's own arrangement (where,
  // who witnesses) beats the contractor's default.
  auto get = [&](const std::string& key) -> std::string {
    if (auto it = cl->find(key); it != cl->end()) return it->second;
    if (auto it = profile.station.find(key); it != profile.station.end()) return it->second;
    return "";
  };
  auto set = [&](std::string* field, const std::string& key) {
    if (std::string v = get(key); !v.empty()) *field = v;
  };
  set(&c->client_municipality, "municipality");
  set(&c->client_department, "department");
  set(&c->client_contract, "contract");
  set(&c->responsible, "responsible");
  set(&c->destination, "destination");
  set(&c->contractor, "company");
  set(&c->contractor, "contractor");  // Overrides company when both are set.
  if (issuer_company) set(issuer_company, "company");
  // Validated to be 1-3 when it was set.
  if (std::string v = get("classification"); !v.empty()) c->classification = std::stoi(v);
  if (std::string v = get("witness_name"); !v.empty()) {
    c->witness_present = true;
    c->witness_name = v;
    c->witness_department = get("witness_department");
  }
  if (std::string v = get("place"); !v.empty()) {
    c->place = *cert::FromJson(cert::kPlaces, v);
    c->place_detail = get("place_detail");
  }
  return Status::Ok();
}

}  // namespace custody
