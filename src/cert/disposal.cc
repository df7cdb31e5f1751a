// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/disposal.h"

#include <algorithm>
#include <cctype>

#include "cert/cert_json.h"
#include "cert/json_reader.h"
#include "cert/vocabulary.h"
#include "common/canonical_json.h"
#include "common/time_util.h"
#include "crypto/hash.h"
#include "custody/env.h"

namespace custody {
namespace {

using cert::Json;
using cert::JsonReader;

bool IsUtcTime(const std::string& t) {
  auto parsed = timeutil::ParseTime(t);
  return parsed.ok() && timeutil::FormatRfc3339Utc(*parsed) == t;
}

}  // namespace

Result<std::string> DisposalRecordJson(const DisposalRecord& r) {
  std::vector<std::string> problems;
  const CertificateDevice& d = r.device;
  if (d.serial.empty() && d.asset_tag.empty())
    problems.push_back("シリアル番号 serial or 管理番号 asset tag");
  if (!IsUtcTime(d.started)) problems.push_back("作業開始 started (RFC 3339 UTC)");
  if (!IsUtcTime(d.finished)) problems.push_back("作業終了 finished (RFC 3339 UTC)");
  if (IsUtcTime(d.started) && IsUtcTime(d.finished) && d.finished < d.started)
    problems.push_back("finished before started");
  if (r.operators.empty()) problems.push_back("作業者 operator");
  if (r.witness_present && r.witness_name.empty()) problems.push_back("立会者 witness name");
  if (r.place == WorkPlace::kOther && r.place_detail.empty())
    problems.push_back("作業場所 place detail (place is other)");
  if (!d.sources.empty()) problems.push_back("sources must be empty (the entry is the source)");
  for (const HashedFile& p : d.photos)
    if (p.sha256_hex.size() != 64) problems.push_back("photo " + p.name + " has no SHA-256");
  if (!problems.empty()) {
    std::string msg;
    for (const std::string& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    return InvalidArgumentError("the disposal cannot be recorded: missing or invalid " + msg);
  }
  Json j = {{"device", cert::DeviceToJson(d)},
            {"operators", r.operators},
            {"place",
             {{"kind", std::string(cert::TermOf(cert::kPlaces, r.place).json)},
              {"detail", r.place_detail}}},
            {"witness",
             {{"present", r.witness_present},
              {"name", r.witness_name},
              {"department", r.witness_department}}},
            {"vendor",
             {{"company", r.vendor_company}, {"certificate_number", r.vendor_certificate_number}}},
            {"remarks", r.remarks}};
  return json::Canonicalize(j);
}

Result<DisposalRecord> ParseDisposalRecord(std::string_view data_json) {
  auto parsed = json::ParseStrict(data_json);
  if (!parsed.ok()) return CorruptionError("disposal record: " + parsed.status().message());
  std::string error;
  DisposalRecord r;
  {
    JsonReader top(*parsed, "disposal", &error);
    {
      JsonReader d = top.Sub("device");
      r.device = cert::ReadDevice(d);
    }
    r.operators = top.Strings("operators");
    {
      JsonReader p = top.Sub("place");
      r.place = p.Enum("kind", cert::kPlaces);
      r.place_detail = p.Str("detail");
    }
    {
      JsonReader w = top.Sub("witness");
      r.witness_present = w.Bool("present");
      r.witness_name = w.Str("name");
      r.witness_department = w.Str("department");
    }
    {
      JsonReader v = top.Sub("vendor");
      r.vendor_company = v.Str("company");
      r.vendor_certificate_number = v.Str("certificate_number");
    }
    r.remarks = top.Str("remarks");
  }
  if (!error.empty()) return CorruptionError("malformed disposal record: " + error);
  return r;
}

Status AddDisposalToContent(const LedgerEntry& entry, CertificateContent* c) {
  if (entry.type != kDisposalRecordedType)
    return InvalidArgumentError("ledger entry " + std::to_string(entry.seq) + " is a " +
                                entry.type + ", not a " + std::string(kDisposalRecordedType));
  CUSTODY_ASSIGN_OR_RETURN(DisposalRecord r, ParseDisposalRecord(entry.data_json));
  CertificateDevice d = r.device;
  d.sources = {{entry.seq, entry.type}};
  if (!r.vendor_company.empty()) {
    std::string vendor = "委託先 / vendor: " + r.vendor_company;
    if (!r.vendor_certificate_number.empty())
      vendor += " (証明書番号 / certificate " + r.vendor_certificate_number + ")";
    d.method.details += (d.method.details.empty() ? "" : "\n") + vendor;
  }
  c->devices.push_back(std::move(d));
  for (const std::string& o : r.operators)
    if (std::find(c->operators.begin(), c->operators.end(), o) == c->operators.end())
      c->operators.push_back(o);
  if (!c->witness_present && c->witness_name.empty() && r.witness_present) {
    c->witness_present = true;
    c->witness_name = r.witness_name;
    c->witness_department = r.witness_department;
  }
  if (c->place_detail.empty() && !r.place_detail.empty()) {
    c->place = r.place;
    c->place_detail = r.place_detail;
  }
  if (!r.remarks.empty()) c->remarks += (c->remarks.empty() ? "" : "\n") + r.remarks;
  return Status::Ok();
}

Result<HashedFile> StorePhoto(const std::string& home, const std::string& path, Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(path));
  if (bytes.empty()) return InvalidArgumentError(path + " is empty: not a photo");
  HashedFile f;
  size_t slash = path.rfind('/');
  f.name = slash == std::string::npos ? path : path.substr(slash + 1);
  f.sha256_hex = crypto::Sha256Hex(bytes);
  std::string ext;
  if (size_t dot = f.name.rfind('.'); dot != std::string::npos && f.name.size() - dot <= 6)
    ext = f.name.substr(dot);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // The stored name is built from the digest; keep only a plain extension.
  if (!std::all_of(ext.begin() + (ext.empty() ? 0 : 1), ext.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); }))
    ext.clear();
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(home + "/photos", 0700));
  CUSTODY_RETURN_IF_ERROR(
      env->WriteFileAtomically(home + "/photos/" + f.sha256_hex + ext, bytes, 0600));
  return f;
}

}  // namespace custody
