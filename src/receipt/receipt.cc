// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Receipt model <-> canonical JSON, validation, issuance, rebuild, strict
// parsing and verification. docs/formats/receipt.md is the contract.
#include "custody/receipt.h"

#include <cstdio>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "common/issuance_json.h"
#include "common/json_reader.h"
#include "common/time_util.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature_context.h"
#include "custody/certificate.h"
#include "custody/ledger.h"
#include "custody/package.h"
#include "custody/station.h"
#include "ledger/note.h"
#include "receipt/receipt_internal.h"
#include "receipt/vocabulary.h"

namespace custody {
namespace {

using Json = nlohmann::json;
using json::JsonReader;
using namespace receipt;  // NOLINT: the vocabulary tables.

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool NeedsMediumId(ReceiptMedium m) {
  return m != ReceiptMedium::kCustodyPackage && m != ReceiptMedium::kOnline &&
         m != ReceiptMedium::kPaper && m != ReceiptMedium::kOther;
}

Json AmendmentJson(const ReceiptAmendment& a, const std::string& digest) {
  return {{"entry", a.entry},     {"time", a.time},
          {"changed", a.changed}, {"reason", a.reason},
          {"content", receipt::ContentToJson(a.content)},
          {"content_sha256", digest}, {"evidence", a.evidence_bundle}};
}

// `amendments` only when there are some, so a receipt never amended keeps
// the form (and the bytes) it was issued with.
Result<Json> BodyJsonOrError(const Receipt& r) {
  Json body = {{"content", receipt::ContentToJson(r.content)},
               {"issuance", json::IssuanceToJson(r.issuance)}};
  if (!r.amendments.empty()) {
    Json list = Json::array();
    for (const ReceiptAmendment& a : r.amendments) {
      CUSTODY_ASSIGN_OR_RETURN(std::string d, ReceiptContentDigestHex(a.content));
      list.push_back(AmendmentJson(a, d));
    }
    body["amendments"] = std::move(list);
  }
  return body;
}


Result<std::string> SigningMessage(const Receipt& r) {
  CUSTODY_ASSIGN_OR_RETURN(Json body, BodyJsonOrError(r));
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(body));
  return crypto::ContextMessage(crypto::kReceiptContext, canonical);
}

}  // namespace

namespace receipt {

// `verified` only when custody checked the package file itself, so receipts
// issued from typed-in IDs keep their original form.
Json PackageJson(const ReceiptContent& c) {
  Json p = {{"id", c.package_id}, {"sha256", c.package_sha256}};
  if (c.package_check) {
    const ReceiptPackageCheck& k = *c.package_check;
    p["verified"] = {{"files", k.files},
                     {"bytes", k.bytes},
                     {"package_bytes", k.package_bytes},
                     {"created", k.created},
                     {"sender",
                      {{"organization", k.sender_organization},
                       {"station", k.sender_station},
                       {"verifier_key", k.sender_verifier_key}}}};
  }
  return p;
}

Json ContentToJson(const ReceiptContent& c) {
  return {
      {"received_at", c.received_at},
      {"recipient", {{"name", c.recipient_name}, {"organization", c.recipient_organization}}},
      {"deliverer",
       {{"name", c.deliverer_name},
        {"organization", c.deliverer_organization},
        {"department", c.deliverer_department}}},
      {"information",
       {{"kind", c.info_kind},
        {"name", c.info_name},
        {"classification", c.classification},
        {"items", c.items},
        {"bytes", c.bytes},
        {"quantity_note", c.quantity_note}}},
      {"medium",
       {{"kind", std::string(TermOf(kMedia, c.medium).json)},
        {"id", c.medium_id},
        {"package", PackageJson(c)}}},
      {"transfer",
       {{"method", std::string(TermOf(kTransfers, c.transfer).json)},
        {"tracking", c.tracking},
        {"detail", c.transfer_detail}}},
      {"purpose", {{"purpose", c.purpose}, {"contract", c.contract}}},
      {"storage", c.storage},
      {"disposition",
       {{"kind", std::string(TermOf(kDispositions, c.disposition).json)},
        {"due", c.disposition_due}}},
      {"remarks", c.remarks},
  };
}

ReceiptContent ReadContent(JsonReader& r) {
  ReceiptContent c;
  c.received_at = r.Str("received_at");
  {
    JsonReader p = r.Sub("recipient");
    c.recipient_name = p.Str("name");
    c.recipient_organization = p.Str("organization");
  }
  {
    JsonReader p = r.Sub("deliverer");
    c.deliverer_name = p.Str("name");
    c.deliverer_organization = p.Str("organization");
    c.deliverer_department = p.Str("department");
  }
  {
    JsonReader p = r.Sub("information");
    c.info_kind = p.Str("kind");
    c.info_name = p.Str("name");
    c.classification = p.Int("classification");
    c.items = p.Int("items");
    c.bytes = p.Int("bytes");
    c.quantity_note = p.Str("quantity_note");
  }
  {
    JsonReader p = r.Sub("medium");
    c.medium = p.Enum("kind", kMedia);
    c.medium_id = p.Str("id");
    JsonReader pkg = p.Sub("package");
    c.package_id = pkg.Str("id");
    c.package_sha256 = pkg.Str("sha256");
    if (pkg.Has("verified")) {
      JsonReader v = pkg.Sub("verified");
      ReceiptPackageCheck k;
      k.files = v.Int("files");
      k.bytes = v.Int("bytes");
      k.package_bytes = v.Int("package_bytes");
      k.created = v.Str("created");
      JsonReader sender = v.Sub("sender");
      k.sender_organization = sender.Str("organization");
      k.sender_station = sender.Str("station");
      k.sender_verifier_key = sender.Str("verifier_key");
      c.package_check = std::move(k);
    }
  }
  {
    JsonReader p = r.Sub("transfer");
    c.transfer = p.Enum("method", kTransfers);
    c.tracking = p.Str("tracking");
    c.transfer_detail = p.Str("detail");
  }
  {
    JsonReader p = r.Sub("purpose");
    c.purpose = p.Str("purpose");
    c.contract = p.Str("contract");
  }
  c.storage = r.Str("storage");
  {
    JsonReader p = r.Sub("disposition");
    c.disposition = p.Enum("kind", kDispositions);
    c.disposition_due = p.Str("due");
  }
  c.remarks = r.Str("remarks");
  return c;
}

bool IsUtcTime(const std::string& t) {
  auto parsed = timeutil::ParseTime(t);
  return parsed.ok() && timeutil::FormatRfc3339Utc(*parsed) == t;
}

bool IsDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  auto parsed = timeutil::ParseTime(d + "T00:00:00Z");
  return parsed.ok() && timeutil::FormatRfc3339Utc(*parsed).substr(0, 10) == d;
}

Result<ReceiptContent> ContentFromEntry(const LedgerEntry& e) {
  if (e.type != kReceiptIssuedEvent)
    return NotFoundError("ledger entry " + std::to_string(e.seq) + " is a " + e.type +
                         ", not a receipt");
  auto data = json::ParseStrict(e.data_json);
  if (!data.ok())
    return CorruptionError("receipt entry " + std::to_string(e.seq) + ": " +
                           data.status().message());
  std::string error;
  ReceiptContent c;
  std::string digest;
  {
    JsonReader top(*data, "receipt.issued", &error);
    JsonReader content = top.Sub("content");
    c = ReadContent(content);
    digest = top.Str("content_sha256");
  }
  if (!error.empty())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + error);
  CUSTODY_ASSIGN_OR_RETURN(std::string again, ReceiptContentDigestHex(c));
  if (again != digest)
    return CorruptionError("ledger entry " + std::to_string(e.seq) +
                           ": content_sha256 does not match the content");
  return c;
}

// Leaf paths ("storage", "disposition.due") whose values differ.
void ChangedPaths(const Json& a, const Json& b, const std::string& prefix,
                  std::vector<std::string>* out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const std::string& k : keys) {
      static const Json kNull;
      ChangedPaths(a.contains(k) ? a[k] : kNull, b.contains(k) ? b[k] : kNull,
                   prefix.empty() ? k : prefix + "." + k, out);
    }
    return;
  }
  if (a != b) out->push_back(prefix);
}

Result<ReceiptAmendment> AmendmentFromEntry(const LedgerEntry& e, uint64_t* amends) {
  if (e.type != kReceiptAmendedEvent)
    return NotFoundError("ledger entry " + std::to_string(e.seq) + " is not a receipt amendment");
  auto data = json::ParseStrict(e.data_json);
  if (!data.ok())
    return CorruptionError("receipt amendment " + std::to_string(e.seq) + ": " +
                           data.status().message());
  std::string error, digest;
  ReceiptAmendment a;
  a.entry = e.seq;
  a.time = e.time;
  {
    JsonReader top(*data, "receipt.amended", &error);
    *amends = top.Uint("amends");
    top.Str("number");
    top.Uint("follows");
    a.changed = top.Strings("changed");
    a.reason = top.Str("reason");
    JsonReader content = top.Sub("content");
    a.content = ReadContent(content);
    digest = top.Str("content_sha256");
  }
  if (!error.empty())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + error);
  CUSTODY_ASSIGN_OR_RETURN(std::string again, ReceiptContentDigestHex(a.content));
  if (again != digest)
    return CorruptionError("ledger entry " + std::to_string(e.seq) +
                           ": content_sha256 does not match the content");
  return a;
}

Result<std::vector<ReceiptAmendment>> AmendmentsOf(Ledger& ledger, uint64_t receipt_seq,
                                                   uint64_t limit) {
  std::vector<ReceiptAmendment> out;
  Status inner;
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(receipt_seq + 1, [&](const LedgerEntry& e) {
    if (e.seq >= limit) return false;
    if (e.type != kReceiptAmendedEvent) return true;
    uint64_t amends = 0;
    auto a = AmendmentFromEntry(e, &amends);
    if (!a.ok()) return inner = a.status(), false;
    if (amends == receipt_seq) out.push_back(std::move(*a));
    return true;
  }));
  CUSTODY_RETURN_IF_ERROR(inner);
  return out;
}

}  // namespace receipt

const ReceiptContent& EffectiveContent(const Receipt& r) {
  return r.amendments.empty() ? r.content : r.amendments.back().content;
}

std::vector<std::pair<std::string, uint64_t>> AmendedPaths(const Receipt& r) {
  std::map<std::string, uint64_t> last;
  for (const ReceiptAmendment& a : r.amendments)
    for (const std::string& p : a.changed) last[p] = a.entry;
  return {last.begin(), last.end()};
}

namespace {

Result<ReceiptContent> IssuedContent(Station& station, Ledger& ledger, uint64_t receipt_seq) {
  auto e = ledger.Get(receipt_seq);
  if (!e.ok() && e.status().code() == StatusCode::kNotFound)
    return NotFoundError("there is no receipt " +
                         FormatCertificateNumber(station.config().station_name, receipt_seq) +
                         " (the ledger has no entry " + std::to_string(receipt_seq) + ")");
  CUSTODY_RETURN_IF_ERROR(e.status());
  return receipt::ContentFromEntry(*e);
}

}  // namespace

Result<ReceiptContent> CurrentReceiptContent(Station& station, uint64_t receipt_seq) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(ReceiptContent issued, IssuedContent(station, *ledger, receipt_seq));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<ReceiptAmendment> earlier,
                           receipt::AmendmentsOf(*ledger, receipt_seq, UINT64_MAX));
  return earlier.empty() ? issued : earlier.back().content;
}

Result<std::vector<ReceiptAmendment>> ReceiptAmendments(Station& station, uint64_t receipt_seq) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_RETURN_IF_ERROR(IssuedContent(station, *ledger, receipt_seq).status());
  CUSTODY_ASSIGN_OR_RETURN(std::vector<ReceiptAmendment> list,
                           receipt::AmendmentsOf(*ledger, receipt_seq, UINT64_MAX));
  for (ReceiptAmendment& a : list) {
    CUSTODY_ASSIGN_OR_RETURN(a.evidence_bundle, ledger->EvidenceBundle(a.entry));
  }
  return list;
}

std::string ReceiptContentValue(const ReceiptContent& content, std::string_view path) {
  Json j = receipt::ContentToJson(content);
  const Json* at = &j;
  std::string_view rest = path;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string key(rest.substr(0, dot));
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    if (!at->is_object() || !at->contains(key)) return "";
    at = &(*at)[key];
  }
  if (at->is_string()) return at->get<std::string>();
  return at->dump();
}

Result<uint64_t> AmendReceipt(Station& station, std::string_view operator_name,
                              uint64_t receipt_seq, const ReceiptContent& corrected,
                              std::string_view reason) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(ReceiptContent issued, IssuedContent(station, *ledger, receipt_seq));
  CUSTODY_ASSIGN_OR_RETURN(std::vector<ReceiptAmendment> earlier,
                           receipt::AmendmentsOf(*ledger, receipt_seq, UINT64_MAX));
  const ReceiptContent& current = earlier.empty() ? issued : earlier.back().content;
  if (reason.empty())
    return InvalidArgumentError("a correction needs its reason (訂正理由): --reason TEXT");
  CUSTODY_RETURN_IF_ERROR(ValidateReceiptContent(corrected));
  std::vector<std::string> changed;
  receipt::ChangedPaths(receipt::ContentToJson(current), receipt::ContentToJson(corrected), "",
                        &changed);
  if (changed.empty())
    return InvalidArgumentError("the correction changes nothing: every value is already so");
  for (const std::string& p : changed)
    if (p.rfind("medium.kind", 0) == 0 || p.rfind("medium.package", 0) == 0)
      return InvalidArgumentError(
          "the medium kind and the package a receipt names cannot be corrected (" + p +
          "): issue a new receipt instead");
  CUSTODY_ASSIGN_OR_RETURN(std::string digest, ReceiptContentDigestHex(corrected));
  Json data = {{"amends", receipt_seq},
               {"number", FormatCertificateNumber(station.config().station_name, receipt_seq)},
               {"follows", earlier.empty() ? receipt_seq : earlier.back().entry},
               {"changed", changed},
               {"reason", std::string(reason)},
               {"content", receipt::ContentToJson(corrected)},
               {"content_sha256", digest}};
  CUSTODY_ASSIGN_OR_RETURN(std::string data_json, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry recorded,
                           station.Record(kReceiptAmendedEvent, operator_name, data_json));
  return recorded.seq;
}

Status ValidateReceiptContent(const ReceiptContent& c) {
  std::vector<std::string> missing, malformed;
  auto need = [&](const std::string& v, const char* what) {
    if (v.empty()) missing.push_back(what);
  };
  need(c.received_at, "受領日時 received_at");
  if (!c.received_at.empty() && !receipt::IsUtcTime(c.received_at))
    malformed.push_back("受領日時 received_at '" + c.received_at + "' is not RFC 3339 UTC");
  need(c.recipient_name, "受領者 recipient");
  need(c.deliverer_name, "引渡者 deliverer");
  need(c.deliverer_organization, "引渡者の所属団体 deliverer organization");
  need(c.info_kind, "情報の種類 information kind");
  if (c.classification == 0)
    missing.push_back("機密性区分 classification");
  else if (c.classification < 1 || c.classification > 3)
    malformed.push_back("機密性区分 classification must be 1, 2 or 3");
  if (c.items < 0) malformed.push_back("件数 items is negative");
  if (c.bytes < 0) malformed.push_back("容量 bytes is negative");
  if (c.items == 0 && c.bytes == 0 && c.quantity_note.empty())
    missing.push_back("件数・容量 items, bytes or quantity note");
  if (NeedsMediumId(c.medium)) need(c.medium_id, "媒体のシリアル・管理番号 medium id");
  if (c.medium == ReceiptMedium::kCustodyPackage) {
    need(c.package_id, "パッケージID package id");
    if (!IsSha256Hex(c.package_sha256))
      malformed.push_back("package sha256 must be 64 lowercase hex digits");
    if (c.package_check && (c.package_check->files < 1 || c.package_check->bytes < 0 ||
                            c.package_check->package_bytes < 1 ||
                            c.package_check->sender_verifier_key.empty()))
      malformed.push_back("package verification record is incomplete");
  } else if (!c.package_id.empty() || !c.package_sha256.empty() || c.package_check) {
    malformed.push_back("package id/sha256 are only for medium custody-package");
  }
  if (c.transfer == TransferMethod::kSecureMail)
    need(c.tracking, "追跡番号 tracking number (secure-mail)");
  if (c.purpose.empty() && c.contract.empty())
    missing.push_back("利用目的または契約名 purpose or contract");
  need(c.storage, "保管場所 storage");
  need(c.disposition_due, "返還・廃棄予定日 disposition due date");
  if (!c.disposition_due.empty() && !receipt::IsDate(c.disposition_due))
    malformed.push_back("返還・廃棄予定日 '" + c.disposition_due + "' is not YYYY-MM-DD");
  if (missing.empty() && malformed.empty()) return Status::Ok();
  std::string msg = "the receipt cannot be issued:";
  if (!missing.empty()) msg += " missing " + Join(missing, "; ") + ".";
  if (!malformed.empty()) msg += " invalid: " + Join(malformed, "; ") + ".";
  return InvalidArgumentError(msg);
}

namespace receipt {

// "機密性2", "2", "class 2", "Class 3" -> 2, 2, 2, 3; anything else 0.
int64_t ClassificationFromManifest(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) return 0;
  char last = t.back();
  if (last < '1' || last > '3') return 0;
  std::string_view head = t.substr(0, t.size() - 1);
  while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
  if (head.empty() || head == "機密性" || head == "class" || head == "Class") return last - '0';
  return 0;
}

// "a.csv, b.csv, c.csv" or "a.csv, b.csv, c.csv ほか 4 ファイル (7 files)":
// the first files of the manifest, read one at a time (a package can list
// millions) and no further than needed.
Result<std::string> FileListSummary(const VerifiedPackage& v) {
  constexpr size_t kShown = 3;
  std::string out;
  size_t shown = 0;
  bool stopped_here = false;
  Status listed = v.ForEachFile([&](const PackageFile& f) {
    if (shown == kShown) {
      stopped_here = true;  // Stops the reading; not an error.
      return CancelledError("enough names");
    }
    out += (shown++ ? ", " : "") + f.path;
    return Status::Ok();
  });
  // Only this function's own stop is swallowed: a kCancelled from below
  // (or any other error) is the reading's failure.
  if (!listed.ok() && !(stopped_here && listed.code() == StatusCode::kCancelled)) return listed;
  if (v.file_count > kShown)
    out += " ほか " + std::to_string(v.file_count - kShown) + " ファイル (" + std::to_string(v.file_count) +
           " files)";
  return out;
}

}  // namespace receipt

Status FillReceiptFromPackage(const VerifiedPackage& v, ReceiptContent* c) {
  if (!v.files_verified)
    return FailedPreconditionError(
        "package " + v.manifest.package_id +
        ": its files were not all checked against the manifest; a receipt from a package needs a "
        "full verification");
  if (c->medium != ReceiptMedium::kCustodyPackage && c->medium != ReceiptMedium::kOther)
    return InvalidArgumentError("--package: the medium is a custody package, not " +
                                std::string(receipt::TermOf(receipt::kMedia, c->medium).json));
  if (!c->package_id.empty() && c->package_id != v.manifest.package_id)
    return InvalidArgumentError("the package file is " + v.manifest.package_id + ", not " +
                                c->package_id);
  if (!c->package_sha256.empty() && c->package_sha256 != v.digest)
    return InvalidArgumentError("the package's digest is " + v.digest + ", not " +
                                c->package_sha256);
  c->medium = ReceiptMedium::kCustodyPackage;
  c->package_id = v.manifest.package_id;
  c->package_sha256 = v.digest;
  ReceiptPackageCheck k;
  k.files = static_cast<int64_t>(v.file_count);
  k.bytes = static_cast<int64_t>(v.manifest.total_size);
  k.package_bytes = static_cast<int64_t>(v.package_size);
  k.created = v.manifest.created;
  k.sender_organization = v.manifest.sender_organization;
  k.sender_station = v.manifest.sender_station;
  k.sender_verifier_key = v.manifest.sender_verifier_key;
  c->package_check = std::move(k);
  if (c->info_kind.empty()) c->info_kind = v.manifest.purpose;
  // A VerifiedPackage made by hand (not read from a package) has no files
  // to name.
  if (c->info_name.empty() && v.contents) {
    CUSTODY_ASSIGN_OR_RETURN(c->info_name, receipt::FileListSummary(v));
  }
  if (c->items == 0) c->items = static_cast<int64_t>(v.file_count);
  if (c->bytes == 0) c->bytes = static_cast<int64_t>(v.manifest.total_size);
  if (c->deliverer_organization.empty())
    c->deliverer_organization = v.manifest.sender_organization;
  if (c->classification == 0)
    c->classification = receipt::ClassificationFromManifest(v.manifest.classification);
  return Status::Ok();
}

Result<std::string> CanonicalReceiptContentJson(const ReceiptContent& content) {
  return json::Canonicalize(receipt::ContentToJson(content));
}

Result<std::string> ReceiptContentDigestHex(const ReceiptContent& content) {
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, CanonicalReceiptContentJson(content));
  return crypto::Sha256Hex(canonical);
}

Result<std::string> ReceiptBodyDigestHex(const Receipt& r) {
  CUSTODY_ASSIGN_OR_RETURN(Json body, BodyJsonOrError(r));
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(body));
  return crypto::Sha256Hex(canonical);
}

Result<SignedReceipt> IssueReceipt(Station& station, std::string_view operator_name,
                                   const ReceiptContent& content) {
  CUSTODY_RETURN_IF_ERROR(ValidateReceiptContent(content));
  CUSTODY_ASSIGN_OR_RETURN(std::string digest, ReceiptContentDigestHex(content));
  Json data = {{"content", receipt::ContentToJson(content)}, {"content_sha256", digest}};
  CUSTODY_ASSIGN_OR_RETURN(std::string data_json, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e,
                           station.Record(kReceiptIssuedEvent, operator_name, data_json));
  return RebuildReceipt(station, e.seq);
}

Result<SignedReceipt> RebuildReceipt(Station& station, uint64_t seq) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, ledger->Get(seq));
  SignedReceipt s;
  CUSTODY_ASSIGN_OR_RETURN(s.receipt.content, receipt::ContentFromEntry(e));
  DocumentIssuance& i = s.receipt.issuance;
  i.number = FormatCertificateNumber(station.config().station_name, e.seq);
  i.issued_at = e.time;
  i.issuer_company = station.config().organization;
  i.issuer_station = station.config().station_name;
  i.issuer_verifier_key = station.config().verifier_key;
  i.ledger_origin = station.config().origin;
  i.ledger_entry = e.seq;
  CUSTODY_ASSIGN_OR_RETURN(i.content_sha256_hex, ReceiptContentDigestHex(s.receipt.content));
  CUSTODY_ASSIGN_OR_RETURN(s.receipt.amendments,
                           receipt::AmendmentsOf(*ledger, e.seq, UINT64_MAX));
  for (ReceiptAmendment& a : s.receipt.amendments) {
    CUSTODY_ASSIGN_OR_RETURN(a.evidence_bundle, ledger->EvidenceBundle(a.entry));
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string message, SigningMessage(s.receipt));
  CUSTODY_ASSIGN_OR_RETURN(s.signature, station.Sign(message));
  CUSTODY_ASSIGN_OR_RETURN(s.evidence_bundle, ledger->EvidenceBundle(e.seq));
  return s;
}

Result<uint64_t> ReceiptSeqFromNumber(const Station& station, std::string_view number) {
  std::string_view digits = number;
  std::string prefix = station.config().station_name + "-";
  if (digits.substr(0, prefix.size()) == prefix) digits.remove_prefix(prefix.size());
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return InvalidArgumentError("'" + std::string(number) +
                                "' is not a receipt number of station " +
                                station.config().station_name + " (e.g. " + prefix + "000042)");
  return std::stoull(std::string(digits));
}

Result<std::string> SerializeSignedReceipt(const SignedReceipt& s) {
  if (s.signature.size() != crypto::kEd25519SignatureSize)
    return InvalidArgumentError("a receipt signature is 64 bytes");
  CUSTODY_ASSIGN_OR_RETURN(Json body, BodyJsonOrError(s.receipt));
  Json file = {{"format", std::string(kReceiptFormat)},
               {"body", std::move(body)},
               {"signature", encoding::Base64Encode(s.signature)},
               {"evidence", s.evidence_bundle}};
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(file));
  return canonical + "\n";
}

Result<SignedReceipt> ParseSignedReceipt(std::string_view text) {
  if (text.empty()) return TruncatedError("the receipt file is empty");
  if (text.back() != '\n')
    return TruncatedError("the receipt ends early (no final newline): the file is truncated");
  std::string_view body = text.substr(0, text.size() - 1);
  auto parsed = json::ParseStrict(body);
  if (!parsed.ok()) return CorruptionError("not a custody receipt: " + parsed.status().message());
  if (!json::IsCanonical(body))
    return CorruptionError("the receipt is not in canonical JSON form (was it edited?)");
  const Json& j = *parsed;
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kReceiptFormat)
    return CorruptionError("not a custody receipt (format is not " + std::string(kReceiptFormat) +
                           ")");
  std::string error, sig_b64;
  SignedReceipt s;
  {
    JsonReader top(j, "receipt", &error);
    top.Str("format");
    sig_b64 = top.Str("signature");
    s.evidence_bundle = top.Str("evidence");
    JsonReader b = top.Sub("body");
    JsonReader content = b.Sub("content");
    s.receipt.content = receipt::ReadContent(content);
    JsonReader issuance = b.Sub("issuance");
    s.receipt.issuance = json::ReadIssuance(issuance);
    if (b.Has("amendments")) {
      b.Objects("amendments", [&](JsonReader& a) {
        ReceiptAmendment m;
        m.entry = a.Uint("entry");
        m.time = a.Str("time");
        m.changed = a.Strings("changed");
        m.reason = a.Str("reason");
        JsonReader c = a.Sub("content");
        m.content = receipt::ReadContent(c);
        a.Str("content_sha256");  // Checked by the round trip below.
        m.evidence_bundle = a.Str("evidence");
        s.receipt.amendments.push_back(std::move(m));
      });
      if (s.receipt.amendments.empty() && error.empty())
        error = "receipt.body.amendments is empty (omit it instead)";
    }
  }
  if (!error.empty()) return CorruptionError("malformed receipt: " + error);
  auto sig = encoding::Base64Decode(sig_b64);
  if (!sig.ok() || sig->size() != crypto::kEd25519SignatureSize)
    return CorruptionError("malformed receipt: the signature is not 64 bytes of base64");
  s.signature = std::move(*sig);
  // Round trip: anything the parser dropped or normalized would be unsigned
  // meaning.
  CUSTODY_ASSIGN_OR_RETURN(std::string again, SerializeSignedReceipt(s));
  if (again != text) return CorruptionError("malformed receipt: it does not round-trip");
  return s;
}

std::string ReceiptQrPayload(std::string_view number, std::string_view body_digest_hex) {
  return "custody-receipt:1:" + std::string(number) + ":" + std::string(body_digest_hex);
}

namespace receipt {

Status VerifySignedReceipt(const SignedReceipt& s, std::string_view verifier_key) {
  const DocumentIssuance& i = s.receipt.issuance;
  if (i.issuer_verifier_key != verifier_key)
    return VerificationFailedError("the receipt names issuer key " + i.issuer_verifier_key +
                                   ", not the pinned key " + std::string(verifier_key) +
                                   ": it was not issued by this station");
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier v, note::ParseVerifierKey(verifier_key));
  CUSTODY_ASSIGN_OR_RETURN(std::string message, SigningMessage(s.receipt));
  if (!crypto::Ed25519Verify(v.public_key, message, s.signature))
    return VerificationFailedError(
        "the receipt's signature does not verify: its content was changed after signing, or it "
        "was signed by another key");
  auto entry = VerifyEvidenceBundle(s.evidence_bundle, verifier_key);
  if (!entry.ok()) return entry.status().WithContext("the receipt's ledger evidence is invalid");
  CUSTODY_ASSIGN_OR_RETURN(std::string digest, ReceiptContentDigestHex(s.receipt.content));
  std::vector<std::string> wrong;
  if (entry->type != kReceiptIssuedEvent) wrong.push_back("the entry is a " + entry->type);
  if (entry->seq != i.ledger_entry) wrong.push_back("the entry is #" + std::to_string(entry->seq));
  if (entry->time != i.issued_at) wrong.push_back("the entry's time is " + entry->time);
  if (i.content_sha256_hex != digest) wrong.push_back("ledger.content_sha256 is not the content's");
  auto data = json::ParseStrict(entry->data_json);
  if (!data.ok() || !data->is_object() || !data->contains("content_sha256") ||
      (*data)["content_sha256"] != digest)
    wrong.push_back("the entry commits to other content");
  if (i.number != FormatCertificateNumber(i.issuer_station, entry->seq))
    wrong.push_back("the number is not <station>-<entry>");
  if (v.name != i.ledger_origin) wrong.push_back("the key's origin is not ledger.origin");
  uint64_t previous = i.ledger_entry;
  for (const ReceiptAmendment& a : s.receipt.amendments) {
    std::string at = "amendment #" + std::to_string(a.entry) + ": ";
    auto ae = VerifyEvidenceBundle(a.evidence_bundle, verifier_key);
    if (!ae.ok()) {
      wrong.push_back(at + "its ledger evidence is invalid (" + ae.status().message() + ")");
      continue;
    }
    uint64_t amends = 0;
    auto from_entry = AmendmentFromEntry(*ae, &amends);
    if (!from_entry.ok()) {
      wrong.push_back(at + from_entry.status().message());
      continue;
    }
    CUSTODY_ASSIGN_OR_RETURN(std::string ad, ReceiptContentDigestHex(a.content));
    CUSTODY_ASSIGN_OR_RETURN(std::string ed, ReceiptContentDigestHex(from_entry->content));
    if (amends != i.ledger_entry) wrong.push_back(at + "it amends another entry");
    if (ae->seq != a.entry || ae->time != a.time) wrong.push_back(at + "entry or time differ");
    if (a.entry <= previous) wrong.push_back(at + "out of ledger order");
    if (ad != ed || a.changed != from_entry->changed || a.reason != from_entry->reason)
      wrong.push_back(at + "it is not what the ledger entry recorded");
    previous = a.entry;
  }
  if (!wrong.empty())
    return VerificationFailedError("the receipt does not match its ledger entry: " +
                                   Join(wrong, "; "));
  return Status::Ok();
}

}  // namespace receipt

Status CheckReceiptQr(const VerifiedReceipt& r, std::string_view qr) {
  std::string expected = ReceiptQrPayload(r.receipt.receipt.issuance.number, r.body_digest_hex);
  if (qr != expected)
    return VerificationFailedError("the QR payload '" + std::string(qr) +
                                   "' does not name this receipt (expected " + expected + ")");
  return Status::Ok();
}

Result<ReceiptMedium> ParseReceiptMedium(std::string_view n) {
  return ParseTerm(kMedia, n, "medium (媒体)");
}
Result<TransferMethod> ParseTransferMethod(std::string_view n) {
  return ParseTerm(kTransfers, n, "transfer method (授受方法)");
}
Result<Disposition> ParseDisposition(std::string_view n) {
  return ParseTerm(kDispositions, n, "disposition (返還・廃棄)");
}

}  // namespace custody
