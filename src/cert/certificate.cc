// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Certificate model <-> canonical JSON, validation and warnings, signature
// check, QR payload. docs/formats/certificate.md is the contract.
#include "custody/certificate.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "cert/cert_json.h"
#include "cert/json_reader.h"
#include "cert/vocabulary.h"
#include "common/canonical_json.h"
#include "common/issuance_json.h"
#include "common/time_util.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/signature_context.h"

namespace custody {
namespace {

using cert::Json;
using cert::JsonReader;
using namespace cert;  // NOLINT: the vocabulary tables.

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

bool IsUtcTime(const std::string& t) {
  auto parsed = timeutil::ParseTime(t);
  return parsed.ok() && timeutil::FormatRfc3339Utc(*parsed) == t;
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string DeviceName(const CertificateDevice& d, size_t index) {
  std::string id = !d.serial.empty() ? d.serial : d.asset_tag;
  return "No." + std::to_string(index + 1) + (id.empty() ? "" : " (" + id + ")");
}

bool IsFlash(MediaType m) {
  return m == MediaType::kSsd || m == MediaType::kNvme || m == MediaType::kUsbFlash ||
         m == MediaType::kSdCard || m == MediaType::kEmmc;
}
bool IsMagnetic(MediaType m) { return m == MediaType::kHdd || m == MediaType::kTape; }

// 機密性3 media are to be destroyed (総務省 guidance); degaussing destroys only
// magnetic media.
bool DestroysFor(const CertificateDevice& d) {
  return d.method.family == MethodFamily::kPhysicalDestruction ||
         (d.method.family == MethodFamily::kDegauss && IsMagnetic(d.media));
}

const std::set<std::string>& ComputedCodes() {
  static const std::set<std::string> codes = {"weaker-than-classification", "overwrite-on-flash",
                                              "degauss-on-flash",           "hpa-dco-present",
                                              "no-witness-no-photos",       "incomplete"};
  return codes;
}

std::vector<CertificateWarning> ComputeWarnings(const CertificateContent& c) {
  std::vector<CertificateWarning> w;
  auto names = [&](auto pred) {
    std::vector<std::string> out;
    for (size_t i = 0; i < c.devices.size(); ++i)
      if (pred(c.devices[i])) out.push_back(DeviceName(c.devices[i], i));
    return Join(out, ", ");
  };
  if (!c.complete) {
    w.push_back({"incomplete",
                 "未完了: 消去が完了していない、または検証されていない媒体があります (" +
                     names([](const CertificateDevice& d) {
                       return d.outcome != Outcome::kCompleted ||
                              d.verification.result != VerificationResult::kPassed;
                     }) +
                     ")。本証明書は消去の完了を証明するものではありません。",
                 "INCOMPLETE: erasure of some media did not complete or was not verified (" +
                     names([](const CertificateDevice& d) {
                       return d.outcome != Outcome::kCompleted ||
                              d.verification.result != VerificationResult::kPassed;
                     }) +
                     "). This certificate does not certify completed erasure."});
  }
  if (c.classification == 3) {
    // Encrypted data in a vault has no medium custody can destroy (cloud,
    // backups): the 総務省 guideline accepts 暗号化消去 (deleting the key) there.
    std::string weak = names([](const CertificateDevice& d) {
      return !DestroysFor(d) && d.media != MediaType::kEncryptedData;
    });
    if (!weak.empty())
      w.push_back({"weaker-than-classification",
                   "機密性3の媒体は物理的破壊が求められますが、" + weak + " は破壊されていません。",
                   "Classification 3 media must be physically destroyed; " + weak +
                       " were not destroyed."});
    bool destroyed_any = false, photos_all = true;
    for (const CertificateDevice& d : c.devices) {
      if (DestroysFor(d)) {
        destroyed_any = true;
        photos_all &= !d.photos.empty();
      }
    }
    if (destroyed_any && !c.witness_present && !photos_all)
      w.push_back({"no-witness-no-photos",
                   "職員の立会いがなく、破壊作業の写真が添付されていない媒体があります"
                   "（写真付きの破壊作業完了証明書が求められます）。",
                   "Destruction was neither witnessed by staff nor documented with photos for "
                   "every medium (a certificate with photos is required)."});
  } else if (c.classification == 2 && c.place != WorkPlace::kGovernmentPremises) {
    std::string weak = names(
        [](const CertificateDevice& d) { return d.method.level == SanitizationLevel::kClear; });
    if (!weak.empty())
      w.push_back({"weaker-than-classification",
                   "機密性2の媒体を庁舎外で消去する場合は Purge 以上が求められますが、" + weak +
                       " は Clear です。",
                   "Classification 2 media erased outside the client's premises need Purge or "
                   "Destroy; " +
                       weak + " were only Cleared."});
  }
  std::string flash = names([](const CertificateDevice& d) {
    return d.method.family == MethodFamily::kOverwrite && IsFlash(d.media);
  });
  if (!flash.empty())
    w.push_back(
        {"overwrite-on-flash",
         flash +
             " はフラッシュ媒体のため、上書き消去では予備領域等のデータが残る可能性があります。",
         flash + " are flash media: overwriting may leave data in spare or remapped blocks."});
  std::string degauss = names([](const CertificateDevice& d) {
    return d.method.family == MethodFamily::kDegauss && !IsMagnetic(d.media);
  });
  if (!degauss.empty())
    w.push_back({"degauss-on-flash",
                 degauss + " は磁気媒体ではなく、磁気的破壊は効果がありません。",
                 degauss + " are not magnetic media: degaussing has no effect on them."});
  std::string hidden =
      names([](const CertificateDevice& d) { return d.hpa_dco == HiddenAreas::kPresent; });
  if (!hidden.empty())
    w.push_back(
        {"hpa-dco-present",
         hidden + " に解除されていない隠し領域 (HPA/DCO) があり、その領域は消去されていません。",
         hidden + " have a hidden area (HPA/DCO) that was not removed and not erased."});
  return w;
}

}  // namespace

namespace cert {

Json DeviceToJson(const CertificateDevice& d) {
  Json photos = Json::array(), sources = Json::array();
  for (const HashedFile& p : d.photos)
    photos.push_back({{"name", p.name}, {"sha256", p.sha256_hex}});
  for (const LedgerRef& r : d.sources) sources.push_back({{"seq", r.seq}, {"type", r.type}});
  const CertificateMethod& m = d.method;
  return {
      {"media", std::string(TermOf(kMedia, d.media).json)},
      {"maker", d.maker},
      {"model", d.model},
      {"serial", d.serial},
      {"asset_tag", d.asset_tag},
      {"capacity_bytes", d.capacity_bytes},
      {"interface", d.interface},
      {"hpa_dco", std::string(TermOf(kHiddenAreas, d.hpa_dco).json)},
      {"method",
       {{"family", std::string(TermOf(kFamilies, m.family).json)},
        {"level", std::string(TermOf(kLevels, m.level).json)},
        {"standard", m.standard},
        {"passes", m.passes},
        {"patterns", m.patterns},
        {"commands", m.commands},
        {"tool", {{"name", m.tool_name}, {"version", m.tool_version}}},
        {"details", m.details}}},
      {"started", d.started},
      {"finished", d.finished},
      {"outcome", std::string(TermOf(kOutcomes, d.outcome).json)},
      {"verification",
       {{"method", d.verification.method},
        {"coverage", d.verification.coverage},
        {"result", std::string(TermOf(kVerificationResults, d.verification.result).json)},
        {"verifier", d.verification.verifier}}},
      {"photos", photos},
      {"sources", sources},
  };
}

CertificateDevice ReadDevice(JsonReader& dr) {
  CertificateDevice d;
  d.media = dr.Enum("media", kMedia);
  d.maker = dr.Str("maker");
  d.model = dr.Str("model");
  d.serial = dr.Str("serial");
  d.asset_tag = dr.Str("asset_tag");
  d.capacity_bytes = dr.Int("capacity_bytes");
  d.interface = dr.Str("interface");
  d.hpa_dco = dr.Enum("hpa_dco", kHiddenAreas);
  {
    JsonReader m = dr.Sub("method");
    d.method.family = m.Enum("family", kFamilies);
    d.method.level = m.Enum("level", kLevels);
    d.method.standard = m.Str("standard");
    d.method.passes = m.Int("passes");
    d.method.patterns = m.Strings("patterns");
    d.method.commands = m.Strings("commands");
    JsonReader tool = m.Sub("tool");
    d.method.tool_name = tool.Str("name");
    d.method.tool_version = tool.Str("version");
    d.method.details = m.Str("details");
  }
  d.started = dr.Str("started");
  d.finished = dr.Str("finished");
  d.outcome = dr.Enum("outcome", kOutcomes);
  {
    JsonReader v = dr.Sub("verification");
    d.verification.method = v.Str("method");
    d.verification.coverage = v.Str("coverage");
    d.verification.result = v.Enum("result", kVerificationResults);
    d.verification.verifier = v.Str("verifier");
  }
  dr.Objects("photos", [&](JsonReader& pr) {
    d.photos.push_back({pr.Str("name"), pr.Str("sha256")});
  });
  dr.Objects("sources", [&](JsonReader& sr) {
    d.sources.push_back({sr.Uint("seq"), sr.Str("type")});
  });
  return d;
}

}  // namespace cert

namespace {

// ---- JSON out
Json ToJson(const CertificateContent& c) {
  Json devices = Json::array();
  for (const CertificateDevice& d : c.devices) devices.push_back(DeviceToJson(d));
  Json warnings = Json::array();
  for (const CertificateWarning& w : c.warnings)
    warnings.push_back({{"code", w.code}, {"ja", w.ja}, {"en", w.en}});
  return {
      {"reason", std::string(TermOf(kReasons, c.reason).json)},
      {"classification", c.classification},
      {"client",
       {{"municipality", c.client_municipality},
        {"department", c.client_department},
        {"contract", c.client_contract}}},
      {"contractor", c.contractor},
      {"responsible", c.responsible},
      {"operators", c.operators},
      {"witness",
       {{"present", c.witness_present},
        {"name", c.witness_name},
        {"department", c.witness_department}}},
      {"place", {{"kind", std::string(TermOf(kPlaces, c.place).json)}, {"detail", c.place_detail}}},
      {"devices", devices},
      {"destination", c.destination},
      {"remarks", c.remarks},
      {"complete", c.complete},
      {"warnings", warnings},
  };
}

Json BodyJson(const DisposalCertificate& c) {
  return {{"content", ToJson(c.content)}, {"issuance", json::IssuanceToJson(c.issuance)}};
}

CertificateContent ReadContent(JsonReader& r) {
  CertificateContent c;
  c.reason = r.Enum("reason", kReasons);
  c.classification = r.Int("classification");
  {
    JsonReader client = r.Sub("client");
    c.client_municipality = client.Str("municipality");
    c.client_department = client.Str("department");
    c.client_contract = client.Str("contract");
  }
  c.contractor = r.Str("contractor");
  c.responsible = r.Str("responsible");
  c.operators = r.Strings("operators");
  {
    JsonReader w = r.Sub("witness");
    c.witness_present = w.Bool("present");
    c.witness_name = w.Str("name");
    c.witness_department = w.Str("department");
  }
  {
    JsonReader p = r.Sub("place");
    c.place = p.Enum("kind", kPlaces);
    c.place_detail = p.Str("detail");
  }
  r.Objects("devices", [&](JsonReader& dr) { c.devices.push_back(ReadDevice(dr)); });
  c.destination = r.Str("destination");
  c.remarks = r.Str("remarks");
  c.complete = r.Bool("complete");
  r.Objects("warnings", [&](JsonReader& wr) {
    c.warnings.push_back({wr.Str("code"), wr.Str("ja"), wr.Str("en")});
  });
  return c;
}

}  // namespace

Result<CertificateContent> ValidateContent(CertificateContent c, bool allow_incomplete) {
  std::vector<std::string> missing, malformed;
  auto need = [&](const std::string& v, const char* what) {
    if (v.empty()) missing.push_back(what);
  };
  need(c.client_municipality, "委託元 client.municipality");
  need(c.contractor, "作業事業者名 contractor");
  need(c.responsible, "作業責任者名 responsible");
  if (c.operators.empty()) missing.push_back("作業者 operators");
  for (const std::string& o : c.operators)
    if (o.empty()) malformed.push_back("作業者 operators: an empty name");
  if (c.classification == 0)
    missing.push_back("機密性区分 classification");
  else if (c.classification < 1 || c.classification > 3)
    malformed.push_back("機密性区分 classification must be 1, 2 or 3");
  if (c.witness_present) need(c.witness_name, "立会者 witness.name (or no witness: 立会いなし)");
  if (c.place == WorkPlace::kOther) need(c.place_detail, "作業場所 place.detail (place is other)");
  if (c.devices.empty()) missing.push_back("対象機器 devices (at least one)");
  std::vector<std::string> unfinished;
  for (size_t i = 0; i < c.devices.size(); ++i) {
    const CertificateDevice& d = c.devices[i];
    const std::string name = DeviceName(d, i);
    if (d.serial.empty() && d.asset_tag.empty())
      missing.push_back(name + ": シリアル番号 serial or 管理番号 asset_tag");
    if (d.started.empty()) missing.push_back(name + ": 作業開始 started");
    if (d.finished.empty()) missing.push_back(name + ": 作業終了 finished");
    if (!d.started.empty() && !IsUtcTime(d.started))
      malformed.push_back(name + ": started '" + d.started + "' is not RFC 3339 UTC");
    if (!d.finished.empty() && !IsUtcTime(d.finished))
      malformed.push_back(name + ": finished '" + d.finished + "' is not RFC 3339 UTC");
    if (IsUtcTime(d.started) && IsUtcTime(d.finished) && d.finished < d.started)
      malformed.push_back(name + ": finished before started");
    if (d.capacity_bytes < 0) malformed.push_back(name + ": negative capacity");
    if (d.method.passes < 0) malformed.push_back(name + ": negative passes");
    if (d.verification.method.empty() && d.verification.result != VerificationResult::kNotVerified)
      missing.push_back(name + ": 検証方法 verification.method");
    for (const HashedFile& p : d.photos)
      if (!IsSha256Hex(p.sha256_hex))
        malformed.push_back(name + ": photo '" + p.name + "' has no SHA-256 (64 lowercase hex)");
    if (d.outcome != Outcome::kCompleted || d.verification.result != VerificationResult::kPassed)
      unfinished.push_back(name + " " + std::string(TermOf(kOutcomes, d.outcome).en) + ", " +
                           std::string(TermOf(kVerificationResults, d.verification.result).en));
  }
  if (!missing.empty() || !malformed.empty()) {
    std::string msg = "the certificate cannot be issued:";
    if (!missing.empty()) msg += " missing " + Join(missing, "; ") + ".";
    if (!malformed.empty()) msg += " invalid: " + Join(malformed, "; ") + ".";
    return InvalidArgumentError(msg);
  }
  if (!unfinished.empty() && !allow_incomplete)
    return FailedPreconditionError(
        "refusing to certify media whose erasure did not complete or was not verified: " +
        Join(unfinished, "; ") +
        ". Finish and verify the erasure, or issue with --allow-incomplete (the certificate then "
        "says 未完了 / INCOMPLETE).");
  c.complete = unfinished.empty();
  std::vector<CertificateWarning> kept;
  for (CertificateWarning& w : c.warnings)
    if (!ComputedCodes().count(w.code)) kept.push_back(std::move(w));
  for (CertificateWarning& w : ComputeWarnings(c)) kept.push_back(std::move(w));
  c.warnings = std::move(kept);
  return c;
}

namespace {
template <typename E, size_t N>
Result<E> ParseTerm(const std::array<Term<E>, N>& table, std::string_view name, const char* what) {
  if (auto e = FromJson(table, name)) return *e;
  std::string allowed;
  for (const auto& t : table) allowed += (allowed.empty() ? "" : ", ") + std::string(t.json);
  return InvalidArgumentError(std::string(what) + " '" + std::string(name) + "' is not one of " +
                              allowed);
}
}  // namespace

Result<DisposalReason> ParseDisposalReason(std::string_view n) {
  return ParseTerm(kReasons, n, "reason (区分)");
}
Result<WorkPlace> ParseWorkPlace(std::string_view n) {
  return ParseTerm(kPlaces, n, "place (作業場所)");
}
Result<MediaType> ParseMediaType(std::string_view n) { return ParseTerm(kMedia, n, "media type"); }
Result<MethodFamily> ParseMethodFamily(std::string_view n) {
  return ParseTerm(kFamilies, n, "method (処分方法)");
}
Result<SanitizationLevel> ParseSanitizationLevel(std::string_view n) {
  return ParseTerm(kLevels, n, "level");
}
Result<HiddenAreas> ParseHiddenAreas(std::string_view n) {
  return ParseTerm(kHiddenAreas, n, "HPA/DCO status");
}
Result<VerificationResult> ParseVerificationResult(std::string_view n) {
  return ParseTerm(kVerificationResults, n, "verification result");
}
Status ApplyCertificateInput(std::string_view text, CertificateContent* c) {
  auto parsed = json::ParseStrict(text);
  if (!parsed.ok()) return InvalidArgumentError("input file: " + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object()) return InvalidArgumentError("input file: not a JSON object");
  std::string error;
  auto str = [&](const Json& v, const std::string& where) -> std::string {
    if (!v.is_string()) {
      if (error.empty()) error = where + " is not a string";
      return "";
    }
    return v.get<std::string>();
  };
  for (auto it = j.begin(); it != j.end() && error.empty(); ++it) {
    const std::string& k = it.key();
    const Json& v = *it;
    if (k == "reason") {
      auto r = ParseDisposalReason(str(v, k));
      if (r.ok())
        c->reason = *r;
      else if (error.empty())
        error = r.status().message();
    } else if (k == "classification") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 3)
        error = "classification must be the integer 1, 2 or 3";
      else
        c->classification = v.get<int64_t>();
    } else if (k == "client" && v.is_object()) {
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (m.key() == "municipality")
          c->client_municipality = str(*m, "client.municipality");
        else if (m.key() == "department")
          c->client_department = str(*m, "client.department");
        else if (m.key() == "contract")
          c->client_contract = str(*m, "client.contract");
        else if (error.empty())
          error = "client." + m.key() + " is not a member of the input";
      }
    } else if (k == "contractor") {
      c->contractor = str(v, k);
    } else if (k == "responsible") {
      c->responsible = str(v, k);
    } else if (k == "operators" && v.is_array()) {
      c->operators.clear();
      for (const Json& o : v) c->operators.push_back(str(o, "operators[]"));
    } else if (k == "witness" && v.is_string() && v.get<std::string>() == "none") {
      c->witness_present = false;
      c->witness_name.clear();
      c->witness_department.clear();
    } else if (k == "witness" && v.is_object()) {
      c->witness_present = true;
      c->witness_name.clear();
      c->witness_department.clear();
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (m.key() == "name")
          c->witness_name = str(*m, "witness.name");
        else if (m.key() == "department")
          c->witness_department = str(*m, "witness.department");
        else if (error.empty())
          error = "witness." + m.key() + " is not a member of the input";
      }
    } else if (k == "place" && v.is_object()) {
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (m.key() == "kind") {
          auto p = ParseWorkPlace(str(*m, "place.kind"));
          if (p.ok())
            c->place = *p;
          else if (error.empty())
            error = p.status().message();
        } else if (m.key() == "detail") {
          c->place_detail = str(*m, "place.detail");
        } else if (error.empty()) {
          error = "place." + m.key() + " is not a member of the input";
        }
      }
    } else if (k == "destination") {
      c->destination = str(v, k);
    } else if (k == "remarks") {
      c->remarks = str(v, k);
    } else if (k == "devices") {
      error =
          "devices cannot be given in the input file: name the ledger records (--wipe, "
          "--purge, --disposal) so that every device on a certificate has a record";
    } else {
      error = "'" + k + "' is not a member of the input file (or has the wrong type)";
    }
  }
  if (!error.empty()) return InvalidArgumentError("input file: " + error);
  return Status::Ok();
}

std::string FormatCertificateNumber(std::string_view station, uint64_t seq) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(seq));
  return std::string(station) + "-" + digits;
}

Result<std::string> CanonicalContentJson(const CertificateContent& content) {
  return json::Canonicalize(ToJson(content));
}

Result<std::string> CanonicalBodyJson(const DisposalCertificate& cert) {
  return json::Canonicalize(BodyJson(cert));
}

Result<std::string> ContentDigestHex(const CertificateContent& content) {
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, CanonicalContentJson(content));
  return crypto::Sha256Hex(canonical);
}

Result<std::string> BodyDigestHex(const DisposalCertificate& cert) {
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, CanonicalBodyJson(cert));
  return crypto::Sha256Hex(canonical);
}

Result<std::string> CertificateSigningMessage(const DisposalCertificate& cert) {
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, CanonicalBodyJson(cert));
  return crypto::ContextMessage(crypto::kDisposalCertificateContext, canonical);
}

Result<std::string> SerializeSignedCertificate(const SignedCertificate& s) {
  if (s.signature.size() != crypto::kEd25519SignatureSize)
    return InvalidArgumentError("a certificate signature is 64 bytes");
  Json file = {{"format", std::string(kCertificateFormat)},
               {"body", BodyJson(s.certificate)},
               {"signature", encoding::Base64Encode(s.signature)},
               {"evidence", s.evidence_bundle}};
  CUSTODY_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(file));
  return canonical + "\n";
}

Result<SignedCertificate> ParseSignedCertificate(std::string_view text) {
  if (text.empty() || text.back() != '\n')
    return CorruptionError("not a custody certificate: the file must end with a newline");
  std::string_view body = text.substr(0, text.size() - 1);
  auto parsed = json::ParseStrict(body);
  if (!parsed.ok())
    return CorruptionError("not a custody certificate: " + parsed.status().message());
  if (!json::IsCanonical(body))
    return CorruptionError("the certificate is not in canonical JSON form (was it edited?)");
  const Json& j = *parsed;
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kCertificateFormat)
    return CorruptionError("not a custody disposal certificate (format is not " +
                           std::string(kCertificateFormat) + ")");
  std::string error;
  SignedCertificate s;
  std::string sig_b64;
  {
    JsonReader top(j, "certificate", &error);
    top.Str("format");
    sig_b64 = top.Str("signature");
    s.evidence_bundle = top.Str("evidence");
    JsonReader b = top.Sub("body");
    JsonReader content = b.Sub("content");
    s.certificate.content = ReadContent(content);
    JsonReader issuance = b.Sub("issuance");
    s.certificate.issuance = json::ReadIssuance(issuance);
  }
  if (!error.empty()) return CorruptionError("malformed certificate: " + error);
  auto sig = encoding::Base64Decode(sig_b64);
  if (!sig.ok() || sig->size() != crypto::kEd25519SignatureSize)
    return CorruptionError("malformed certificate: the signature is not 64 bytes of base64");
  s.signature = std::move(*sig);
  // Round trip: a member this parser drops or normalizes would be unsigned
  // meaning; the re-serialization must give back the very same bytes.
  CUSTODY_ASSIGN_OR_RETURN(std::string again, SerializeSignedCertificate(s));
  if (again != text) return CorruptionError("malformed certificate: it does not round-trip");
  return s;
}

std::string CertificateQrPayload(std::string_view number, std::string_view body_digest_hex) {
  return "custody-cert:1:" + std::string(number) + ":" + std::string(body_digest_hex);
}

Result<QrPayload> ParseCertificateQrPayload(std::string_view payload) {
  constexpr std::string_view kPrefix = "custody-cert:1:";
  if (payload.substr(0, kPrefix.size()) != kPrefix)
    return InvalidArgumentError("not a custody certificate QR code (expected custody-cert:1:…)");
  std::string_view rest = payload.substr(kPrefix.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || !IsSha256Hex(rest.substr(colon + 1)))
    return InvalidArgumentError("malformed certificate QR payload: no number and SHA-256 digest");
  return QrPayload{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

Status VerifyCertificateSignature(const SignedCertificate& s, std::string_view public_key) {
  CUSTODY_ASSIGN_OR_RETURN(std::string message, CertificateSigningMessage(s.certificate));
  if (!crypto::Ed25519Verify(public_key, message, s.signature))
    return VerificationFailedError(
        "the certificate's signature does not verify: its content was changed after signing, or it "
        "was signed by another key");
  return Status::Ok();
}

}  // namespace custody
