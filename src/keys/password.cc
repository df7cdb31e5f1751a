// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Password generation and the delivery record (docs/formats/keystore.md,
// "Passwords"); the strength estimate is in passphrase_strength.cc.
#include "custody/password.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "custody/env.h"
#include "custody/station.h"

namespace custody {

Result<uint32_t> UniformIndex(Env& env, uint32_t n) {
  if (n == 0 || n > 256) return InvalidArgumentError("UniformIndex: n must be 1..256");
  // Rejection sampling: accept a byte only below the largest multiple of n
  // that fits in 256, so every index has exactly the same number of bytes
  // mapping to it. (A plain byte % n favours the small indices.)
  const uint32_t limit = 256 - (256 % n);
  for (int attempt = 0; attempt < 1024; ++attempt) {
    uint8_t b;
    CUSTODY_RETURN_IF_ERROR(env.RandomBytes(&b, 1));
    if (b < limit) return static_cast<uint32_t>(b) % n;
  }
  // With limit >= 129, 1024 rejections in a row means a broken generator.
  return InternalError("the random source keeps returning the same rejected values");
}

Result<GeneratedPassword> GeneratePassword(Env& env, const PasswordOptions& options) {
  if (options.min_bits < 64 || options.min_bits > 512) {
    return InvalidArgumentError("--bits must be between 64 and 512");
  }
  if (options.group_size < 0 || options.group_size > 16)
    return InvalidArgumentError("--group must be 0..16");
  const double bits_per_symbol = std::log2(static_cast<double>(kPasswordAlphabet.size()));
  GeneratedPassword out;
  out.symbols = static_cast<int>(std::ceil(options.min_bits / bits_per_symbol - 1e-9));
  out.entropy_bits = static_cast<int>(std::floor(out.symbols * bits_per_symbol + 1e-9));
  std::string text;
  text.reserve(static_cast<size_t>(out.symbols) * 2);
  for (int i = 0; i < out.symbols; ++i) {
    if (options.group_size > 0 && i > 0 && i % options.group_size == 0) text.push_back('-');
    auto idx = UniformIndex(env, static_cast<uint32_t>(kPasswordAlphabet.size()));
    if (!idx.ok()) {
      WipeMemory(text.data(), text.size());
      return idx.status();
    }
    text.push_back(kPasswordAlphabet[*idx]);
  }
  out.password = SecretString(text);
  WipeMemory(text.data(), text.size());
  CUSTODY_ASSIGN_OR_RETURN(out.id, NewPasswordId(env));
  return out;
}

Result<std::string> NewPasswordId(Env& env) {
  // Independent random symbols (80 bits): the ID says nothing about the
  // password it labels, so it may be printed, recorded and read out freely.
  std::string id = "pw-";
  for (int i = 0; i < 16; ++i) {
    CUSTODY_ASSIGN_OR_RETURN(uint32_t idx,
                             UniformIndex(env, static_cast<uint32_t>(kPasswordAlphabet.size())));
    id.push_back(kPasswordAlphabet[idx]);
  }
  return id;
}

Result<DeliveryChannel> ParseDeliveryChannel(std::string_view text) {
  if (text == "phone") return DeliveryChannel::kPhone;
  if (text == "sms") return DeliveryChannel::kSms;
  if (text == "letter") return DeliveryChannel::kLetter;
  if (text == "in-person") return DeliveryChannel::kInPerson;
  return InvalidArgumentError("--channel must be phone, sms, letter or in-person");
}

std::string_view DeliveryChannelName(DeliveryChannel channel) {
  switch (channel) {
    case DeliveryChannel::kPhone:
      return "phone";
    case DeliveryChannel::kSms:
      return "sms";
    case DeliveryChannel::kLetter:
      return "letter";
    case DeliveryChannel::kInPerson:
      return "in-person";
  }
  return "unknown";
}

bool ValidPasswordId(std::string_view id) {
  if (id.size() != 19 || id.substr(0, 3) != "pw-") return false;
  return std::all_of(id.begin() + 3, id.end(),
                     [](char c) { return kPasswordAlphabet.find(c) != std::string_view::npos; });
}

Result<LedgerEntry> RecordPasswordGenerated(Station& station, const GeneratedPassword& password,
                                            const std::string& operator_name) {
  nlohmann::json data = {{"password_id", password.id},
                         {"symbols", password.symbols},
                         {"entropy_bits", password.entropy_bits},
                         {"alphabet", std::string(kPasswordAlphabet)}};
  return station.Record("password.generated", operator_name, data.dump());
}

Result<LedgerEntry> RecordPasswordDelivery(Station& station, const PasswordDelivery& d) {
  if (d.package.empty())
    return InvalidArgumentError("name the package (its ID, digest or output path)");
  if (d.recipient_person.empty())
    return InvalidArgumentError("--to NAME is required: who received the password");
  if (!d.password_id.empty() && !ValidPasswordId(d.password_id)) {
    return InvalidArgumentError(
        "a password ID looks like pw-ABCD... (16 symbols), as printed by custody password "
        "generate");
  }
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  // The package's own record: the delivery refers to a package this station
  // made. Fields as package.created writes them (docs/formats/events.md).
  std::optional<LedgerEntry> found;
  nlohmann::json found_data;
  const std::string package_file_name = d.package.substr(d.package.rfind('/') + 1);
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (e.type != "package.created") return true;
    auto j = json::ParseStrict(e.data_json);
    if (!j.ok() || !j->is_object()) return true;
    for (const char* field : {"package_id", "digest", "file_name"}) {
      auto it = j->find(field);
      if (it == j->end() || !it->is_string()) continue;
      // file_name is recorded without its directory: a path given here
      // matches by its last component.
      const std::string& want = std::string(field) == "file_name" ? package_file_name : d.package;
      if (it->get<std::string>() == want) {
        found = e;
        found_data = *j;
      }
    }
    return true;  // The latest match wins (a package re-created under one path).
  }));
  if (!found) {
    return NotFoundError("no package.created entry in this station's ledger names \"" + d.package +
                         "\": give the package ID or digest printed by custody package create");
  }
  std::string recorded_id = found_data.value("password_id", "");
  std::string password_id = d.password_id.empty() ? recorded_id : d.password_id;
  if (password_id.empty()) {
    return InvalidArgumentError(
        "the package's record carries no password ID: give --password-id (printed by "
        "custody password generate)");
  }
  if (!recorded_id.empty() && password_id != recorded_id) {
    return InvalidArgumentError("--password-id " + d.password_id +
                                " is not the password ID recorded with the package (" +
                                recorded_id + ")");
  }
  nlohmann::json data = {{"package_seq", found->seq},
                         {"password_id", password_id},
                         {"channel", DeliveryChannelName(d.channel)},
                         {"to", d.recipient_person}};
  for (const char* field : {"package_id", "digest"}) {
    auto it = found_data.find(field);
    if (it != found_data.end() && it->is_string()) data[field] = *it;
  }
  return station.Record("password.delivered", d.operator_name, data.dump());
}

}  // namespace custody
