// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/entry.h"

#include "common/canonical_json.h"

namespace custody::ledger {
namespace {

bool ValidType(std::string_view t) {
  if (t.empty() || t.size() > 64 || t.front() == '.' || t.back() == '.') return false;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<LedgerEntry> MakeEntry(uint64_t seq, std::string_view time, std::string_view type,
                              std::string_view operator_name, std::string_view data_json) {
  if (!ValidType(type)) {
    return InvalidArgumentError("invalid ledger entry type \"" + std::string(type) +
                                "\" (lower-case dotted words, e.g. wipe.completed)");
  }
  if (operator_name.empty()) return InvalidArgumentError("no operator given: use --operator NAME");
  CUSTODY_ASSIGN_OR_RETURN(nlohmann::json data, json::ParseStrict(data_json.empty() ? "{}" : data_json));
  if (!data.is_object()) return InvalidArgumentError("ledger entry data must be a JSON object");
  nlohmann::json e = {{"seq", seq},
                      {"time", std::string(time)},
                      {"type", std::string(type)},
                      {"operator", std::string(operator_name)},
                      {"data", std::move(data)}};
  LedgerEntry entry;
  CUSTODY_ASSIGN_OR_RETURN(entry.canonical, json::Canonicalize(e));
  CUSTODY_ASSIGN_OR_RETURN(entry.data_json, json::Canonicalize(e["data"]));
  entry.seq = seq;
  entry.time = std::string(time);
  entry.type = std::string(type);
  entry.operator_name = std::string(operator_name);
  return entry;
}

Result<LedgerEntry> ParseEntry(std::string_view canonical) {
  auto parsed = json::ParseStrict(canonical);
  if (!parsed.ok()) return CorruptionError("not valid JSON (" + parsed.status().message() + ")");
  const nlohmann::json& e = *parsed;
  if (!e.is_object() || e.size() != 5 || !e.contains("seq") || !e["seq"].is_number_unsigned() ||
      !e.contains("time") || !e["time"].is_string() || !e.contains("type") ||
      !e["type"].is_string() || !e.contains("operator") || !e["operator"].is_string() ||
      !e.contains("data") || !e["data"].is_object()) {
    return CorruptionError("not a ledger entry (needs exactly seq, time, type, operator, data)");
  }
  auto c = json::Canonicalize(e);
  if (!c.ok() || *c != canonical) {
    return CorruptionError("not in canonical form (the bytes were rewritten)");
  }
  LedgerEntry entry;
  entry.seq = e["seq"].get<uint64_t>();
  entry.time = e["time"].get<std::string>();
  entry.type = e["type"].get<std::string>();
  entry.operator_name = e["operator"].get<std::string>();
  entry.data_json = *json::Canonicalize(e["data"]);
  entry.canonical = std::string(canonical);
  return entry;
}

}  // namespace custody::ledger
