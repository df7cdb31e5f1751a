// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Issuing, verifying and listing certificates against the ledger
// (docs/formats/certificate.md, "Issuing" and "Verifying").
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "cert/device_identity.h"
#include "common/canonical_json.h"
#include "common/time_util.h"
#include "crypto/hash.h"
#include "custody/cert_issue.h"
#include "custody/disposal.h"
#include "custody/env.h"
#include "custody/profile.h"
#include "ledger/consistency.h"
#include "ledger/evidence.h"
#include "ledger/note.h"
#include "report/csv.h"

namespace custody {
namespace {

using Json = nlohmann::json;

std::string MethodName(MethodFamily f) {
  switch (f) {
    case MethodFamily::kOverwrite:
      return "overwrite";
    case MethodFamily::kCryptoErase:
      return "crypto-erase";
    case MethodFamily::kFirmwarePurge:
      return "firmware-purge";
    case MethodFamily::kPhysicalDestruction:
      return "physical-destruction";
    case MethodFamily::kDegauss:
      return "degauss";
  }
  return "overwrite";
}

std::string KeyIdHex(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

// The checkpoint a verified bundle ends with, for the evidence printed on paper.
Result<CertificateEvidenceSummary> SummarizeBundle(std::string_view bundle,
                                                   const note::Verifier& verifier) {
  CUSTODY_ASSIGN_OR_RETURN(ledger::ParsedBundle parsed, ledger::ParseEvidenceBundle(bundle));
  CUSTODY_ASSIGN_OR_RETURN(note::TlogProof proof, note::ParseTlogProof(parsed.tlog_proof));
  CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint cp,
                           note::OpenCheckpoint(proof.signed_checkpoint, verifier));
  CertificateEvidenceSummary s;
  s.checkpoint_size = cp.size;
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : cp.root_hash) {
    s.checkpoint_root_hex += kHex[c >> 4];
    s.checkpoint_root_hex += kHex[c & 15];
  }
  s.key_fingerprint = KeyIdHex(verifier.key_id);
  return s;
}

// The checkpoint an evidence bundle ends with (verified).
Result<note::Checkpoint> BundleCheckpoint(std::string_view bundle, const note::Verifier& verifier) {
  CUSTODY_ASSIGN_OR_RETURN(ledger::ParsedBundle parsed, ledger::ParseEvidenceBundle(bundle));
  CUSTODY_ASSIGN_OR_RETURN(note::TlogProof proof, note::ParseTlogProof(parsed.tlog_proof));
  return note::OpenCheckpoint(proof.signed_checkpoint, verifier);
}

Result<note::Checkpoint> OpenKeptCheckpoint(std::string_view kept, const note::Verifier& verifier) {
  auto cp = note::OpenCheckpoint(kept, verifier);
  if (!cp.ok())
    return VerificationFailedError(
        "the checkpoint you kept is not signed by the station that issued the certificate (" +
        verifier.name + "): it is from another station's ledger, or it was altered (" +
        cp.status().message() + ")");
  return cp;
}

std::string ProofName(uint64_t old_size, uint64_t new_size) {
  return "consistency-" + std::to_string(old_size) + "-" + std::to_string(new_size) + ".proof";
}

// The kept checkpoint and the certificate's anchor checkpoint must be of one
// history. Returns what was shown, or kVerificationFailed saying why not.
Result<std::string> CheckKeptCheckpoint(const note::Checkpoint& anchor, std::string_view kept_text,
                                        const note::Verifier& verifier,
                                        const CertificateVerifyOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint kept, OpenKeptCheckpoint(kept_text, verifier));
  const note::Checkpoint& older = kept.size <= anchor.size ? kept : anchor;
  const note::Checkpoint& newer = kept.size <= anchor.size ? anchor : kept;
  const std::string sizes = "the checkpoint you kept (" + std::to_string(kept.size) +
                            " entries) and the certificate's ledger anchor (" +
                            std::to_string(anchor.size) + " entries)";
  const std::string forked =
      sizes +
      " are not of one history: the station's ledger was forked or rewritten after one "
      "of them was signed (a backup restored and continued, entries removed), or the "
      "checkpoint is from another copy of the ledger";
  std::optional<ledger::ConsistencyProofFile> proof;
  std::string from;
  if (older.size == newer.size || older.size == 0) {
    proof = ledger::ConsistencyProofFile{older.size, newer.size, {}};
    from = "no proof needed";
  }
  for (const std::string& text : o.consistency_proofs) {
    if (proof) break;
    auto p = ledger::ParseConsistencyProof(text);
    if (p.ok() && p->old_size == older.size && p->new_size == newer.size) {
      proof = std::move(*p);
      from = "proof " + ProofName(older.size, newer.size);
    }
  }
  std::string provider_error;
  if (!proof && o.prove_consistency) {
    auto text = o.prove_consistency(older.size, newer.size);
    auto p = text.ok() ? ledger::ParseConsistencyProof(*text)
                       : Result<ledger::ConsistencyProofFile>(text.status());
    if (p.ok()) {
      proof = std::move(*p);
      from = "proof computed from the station's ledger";
    } else {
      provider_error = " (the station's ledger: " + p.status().message() + ")";
    }
  }
  if (!proof)
    return VerificationFailedError(
        "no consistency proof links " + sizes + provider_error +
        ": run `custody cert verify --checkpoint` on the issuing station, or give the proof "
        "the station wrote at issue time (`custody cert issue --checkpoint KEPT` writes "
        "CERT.evidence/" +
        ProofName(older.size, newer.size) + ")");
  Status st = ledger::VerifyConsistencyProof(*proof, older.root_hash, newer.root_hash);
  if (!st.ok()) return VerificationFailedError(forked + " (" + st.message() + ")");
  return "consistent with the checkpoint you kept (" + std::to_string(kept.size) +
         " entries; the certificate's anchor has " + std::to_string(anchor.size) + "; " + from +
         ")";
}

// Where a missing field can be set, appended to the validation message.
constexpr char kWhereToSet[] =
    " — set the station's defaults with `custody profile set company=… responsible=…`, a "
    "client's with `custody profile set --client NAME municipality=… classification=…`, or "
    "give them with --input FILE or the flags of `custody cert issue`";

}  // namespace

Result<IssuedCertificate> IssueCertificate(Station& station, const CertificateRequest& req) {
  Env* env = station.env();
  const StationConfig& config = station.config();
  if (req.wipe_ids.empty() && req.purge_ids.empty() && req.crypto_erase_ids.empty() &&
      req.disposal_seqs.empty())
    return InvalidArgumentError(
        "a certificate needs at least one device: give --wipe ID, --purge ID, --crypto-erase "
        "ID or --disposal SEQ (devices come only from the ledger)");

  CertificateContent content;
  std::string issuer_company;
  CUSTODY_ASSIGN_OR_RETURN(Profile profile, LoadProfile(station.home(), env));
  CUSTODY_RETURN_IF_ERROR(FillFromProfile(profile, req.client, &content, &issuer_company));
  if (!req.input_json.empty())
    CUSTODY_RETURN_IF_ERROR(ApplyCertificateInput(req.input_json, &content).WithContext("--input"));
  if (req.overrides) CUSTODY_RETURN_IF_ERROR(req.overrides(&content));
  if (issuer_company.empty()) issuer_company = config.organization;
  // The station belongs to the company doing the work unless told otherwise.
  if (content.contractor.empty()) content.contractor = config.organization;

  const bool operators_given = !content.operators.empty();
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  // Kept checkpoints are checked against the ledger as it is now, before
  // anything is recorded: a fork or a foreign checkpoint is refused here.
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier station_verifier,
                           note::ParseVerifierKey(config.verifier_key));
  if (!req.kept_checkpoints.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(std::string latest_text, ledger->LatestCheckpoint());
    CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint latest,
                             note::OpenCheckpoint(latest_text, station_verifier));
    CertificateVerifyOptions now;
    now.prove_consistency = [&](uint64_t lo, uint64_t hi) {
      return ProveLedgerConsistency(*ledger, lo, hi);
    };
    for (const std::string& kept : req.kept_checkpoints) {
      auto ok = CheckKeptCheckpoint(latest, kept, station_verifier, now);
      if (!ok.ok()) return ok.status().WithContext("--checkpoint (nothing was recorded)");
    }
  }
  CUSTODY_RETURN_IF_ERROR(AddWipesToContent(*ledger, req.wipe_ids, &content));
  CUSTODY_RETURN_IF_ERROR(AddPurgesToContent(*ledger, req.purge_ids, &content));
  CUSTODY_RETURN_IF_ERROR(AddCryptoErasesToContent(*ledger, req.crypto_erase_ids, &content));
  for (uint64_t seq : req.disposal_seqs) {
    auto e = ledger->Get(seq);
    if (!e.ok()) return e.status().WithContext("--disposal " + std::to_string(seq));
    CUSTODY_RETURN_IF_ERROR(AddDisposalToContent(*e, &content));
  }
  // 作業者: whoever the ledger says performed each row, unless named already.
  // (A disposal record names its own operators; AddDisposalToContent added them.)
  std::set<uint64_t> source_seqs;
  for (const CertificateDevice& d : content.devices)
    for (const LedgerRef& r : d.sources) source_seqs.insert(r.seq);
  if (source_seqs.size() != [&] {
        size_t n = 0;
        for (const CertificateDevice& d : content.devices) n += d.sources.size();
        return n;
      }())
    return InvalidArgumentError("the same ledger record is given twice: one device, one row");
  if (!operators_given) {
    for (uint64_t seq : source_seqs) {
      CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, ledger->Get(seq));
      if (e.type != kDisposalRecordedType && !e.operator_name.empty() &&
          std::find(content.operators.begin(), content.operators.end(), e.operator_name) ==
              content.operators.end())
        content.operators.push_back(e.operator_name);
    }
  }

  auto valid = ValidateContent(std::move(content), req.allow_incomplete);
  if (!valid.ok()) {
    if (valid.status().code() == StatusCode::kInvalidArgument)
      return InvalidArgumentError(valid.status().message() + kWhereToSet);
    return valid.status();
  }
  IssuedCertificate out;
  DisposalCertificate& cert = out.cert.certificate;
  cert.content = std::move(*valid);
  CUSTODY_ASSIGN_OR_RETURN(std::string content_digest, ContentDigestHex(cert.content));

  // The entry that numbers the certificate: enough for the register
  // (custody cert list) to be read from the ledger alone.
  Json methods = Json::array(), devices = Json::array(), sources = Json::array();
  std::set<std::string> seen_methods;
  for (const CertificateDevice& d : cert.content.devices) {
    if (seen_methods.insert(MethodName(d.method.family)).second)
      methods.push_back(MethodName(d.method.family));
    devices.push_back({{"serial", d.serial}, {"asset_tag", d.asset_tag}});
  }
  for (uint64_t seq : source_seqs) sources.push_back(seq);
  Json data = {{"content_sha256", content_digest},
               {"complete", cert.content.complete},
               {"classification", cert.content.classification},
               {"client", cert.content.client_municipality},
               {"methods", methods},
               {"devices", devices},
               {"sources", sources}};
  CUSTODY_ASSIGN_OR_RETURN(std::string data_json, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry,
                           station.Record(kCertificateIssuedType, req.operator_name, data_json));

  // Station::Record reopens the ledger when it first loads the signing key:
  // the pointer taken before it is stale.
  CUSTODY_ASSIGN_OR_RETURN(ledger, station.ledger());
  DocumentIssuance& is = cert.issuance;
  is.number = FormatCertificateNumber(config.station_name, entry.seq);
  is.issued_at = entry.time;
  is.issuer_company = issuer_company;
  is.issuer_station = config.station_name;
  is.issuer_verifier_key = config.verifier_key;
  is.ledger_origin = config.origin;
  is.ledger_entry = entry.seq;
  is.content_sha256_hex = content_digest;
  CUSTODY_ASSIGN_OR_RETURN(std::string message, CertificateSigningMessage(cert));
  CUSTODY_ASSIGN_OR_RETURN(out.cert.signature, station.Sign(message));
  CUSTODY_ASSIGN_OR_RETURN(out.cert.evidence_bundle, ledger->EvidenceBundle(entry.seq));
  for (uint64_t seq : source_seqs) {
    CUSTODY_ASSIGN_OR_RETURN(out.bundles[seq], ledger->EvidenceBundle(seq));
  }
  CUSTODY_ASSIGN_OR_RETURN(out.json, SerializeSignedCertificate(out.cert));
  // A proof from each kept checkpoint to the anchor, so that the client can
  // check consistency offline, without the station's ledger.
  CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint anchor,
                           BundleCheckpoint(out.cert.evidence_bundle, station_verifier));
  for (const std::string& kept_text : req.kept_checkpoints) {
    CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint kept,
                             OpenKeptCheckpoint(kept_text, station_verifier));
    const uint64_t lo = std::min(kept.size, anchor.size), hi = std::max(kept.size, anchor.size);
    CUSTODY_ASSIGN_OR_RETURN(ledger::ConsistencyProofFile p,
                             ledger::ProveConsistency(*ledger, lo, hi));
    out.consistency_proofs[ProofName(lo, hi)] = ledger::FormatConsistencyProof(p);
  }
  // Check what we hand out exactly as an auditor will.
  CertificateVerifyOptions self_check;
  self_check.pinned_verifier_key = config.verifier_key;
  for (const auto& [seq, b] : out.bundles) self_check.device_bundles.push_back(b);
  for (const auto& [name, p] : out.consistency_proofs) self_check.consistency_proofs.push_back(p);
  auto checked = VerifyCertificate(out.json, self_check);
  if (!checked.ok())
    return InternalError("the issued certificate does not verify: " + checked.status().message());
  for (const std::string& kept : req.kept_checkpoints) {
    self_check.kept_checkpoint = kept;
    auto consistent = VerifyCertificate(out.json, self_check);
    if (!consistent.ok())  // The ledger forked since the client kept it: say so now.
      return consistent.status().WithContext(
          "certificate " + cert.issuance.number +
          " was recorded, but it cannot be shown consistent with the checkpoint given");
  }
  CUSTODY_ASSIGN_OR_RETURN(out.evidence,
                           SummarizeBundle(out.cert.evidence_bundle, station_verifier));
  // The photo files `custody disposal record` kept, named by their digest.
  std::set<std::string> wanted;
  for (const CertificateDevice& d : out.cert.certificate.content.devices)
    for (const HashedFile& p : d.photos) wanted.insert(p.sha256_hex);
  if (!wanted.empty()) {
    const std::string dir = station.home() + "/photos";
    auto names = env->ListDir(dir);
    for (const std::string& n : names.ok() ? *names : std::vector<std::string>{}) {
      std::string digest = n.substr(0, n.find('.'));
      if (!wanted.count(digest)) continue;
      auto bytes = env->ReadFile(dir + "/" + n);
      if (bytes.ok() && crypto::Sha256Hex(*bytes) == digest) {
        out.photos.push_back({digest, std::move(*bytes)});
        wanted.erase(digest);
      }
    }
  }
  return out;
}

Result<std::string> WriteIssuedCertificate(const IssuedCertificate& issued,
                                           DocumentLanguage language, const std::string& pdf_path,
                                           Env* env) {
  std::string base = pdf_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".pdf") == 0)
    base.resize(base.size() - 4);
  else
    return InvalidArgumentError(
        "the output must be a .pdf path (CERT.json is written beside it): " + pdf_path);
  const std::string json_path = base + ".json", dir = base + ".evidence";
  // Evidence first and the PDF last: a PDF on disk means everything is there.
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(dir, 0755));
  for (const auto& [seq, bundle] : issued.bundles)
    CUSTODY_RETURN_IF_ERROR(
        env->WriteFileAtomically(dir + "/entry-" + std::to_string(seq) + ".bundle", bundle, 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(
      dir + "/entry-" + std::to_string(issued.cert.certificate.issuance.ledger_entry) + ".bundle",
      issued.cert.evidence_bundle, 0644));
  for (const auto& [name, proof] : issued.consistency_proofs)
    CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(dir + "/" + name, proof, 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(json_path, issued.json, 0644));
  CUSTODY_RETURN_IF_ERROR(
      WriteCertificatePdf(issued.cert, language, issued.evidence, pdf_path, env, issued.photos));
  return json_path;
}

Result<CertificateVerifyReport> VerifyCertificate(std::string_view json_text,
                                                  const CertificateVerifyOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(SignedCertificate s, ParseSignedCertificate(json_text));
  CertificateVerifyReport report;
  const DisposalCertificate& c = s.certificate;
  const DocumentIssuance& is = c.issuance;

  auto verifier = note::ParseVerifierKey(is.issuer_verifier_key);
  if (!verifier.ok())
    return CorruptionError("the certificate's issuer verifier key is malformed: " +
                           verifier.status().message());
  auto fail = [](const std::string& check, const std::string& why) {
    return VerificationFailedError("certificate check '" + check + "' FAILED: " + why);
  };
  Status sig = VerifyCertificateSignature(s, verifier->public_key);
  if (!sig.ok()) return fail("signature", sig.message());
  report.passed.push_back({"signature", "Ed25519 by " + is.issuer_verifier_key});

  if (!o.pinned_verifier_key.empty()) {
    if (o.pinned_verifier_key != is.issuer_verifier_key)
      return fail("pinned key", "the certificate is signed by " + is.issuer_verifier_key +
                                    ", not by the key you gave (" + o.pinned_verifier_key +
                                    "): it was not issued by that station");
    report.passed.push_back({"pinned key", "the station key you gave"});
  }

  // The ledger anchor: the attached bundle proves the certificate.issued
  // entry, which commits to this content, is in the station's signed ledger.
  auto entry = VerifyEvidenceBundle(s.evidence_bundle, is.issuer_verifier_key);
  if (!entry.ok())
    return fail("ledger anchor",
                "the evidence bundle does not verify: " + entry.status().message());
  CUSTODY_ASSIGN_OR_RETURN(std::string content_digest, ContentDigestHex(c.content));
  auto data = Json::parse(entry->data_json, nullptr, false);
  std::string anchored = data.is_object() ? data.value("content_sha256", "") : "";
  if (entry->type != kCertificateIssuedType)
    return fail("ledger anchor", "the bundle proves entry " + std::to_string(entry->seq) + ", a " +
                                     entry->type + ", not a certificate.issued entry");
  if (entry->seq != is.ledger_entry)
    return fail("ledger anchor", "the bundle proves entry " + std::to_string(entry->seq) +
                                     ", the certificate names entry " +
                                     std::to_string(is.ledger_entry));
  if (entry->time != is.issued_at)
    return fail("ledger anchor",
                "issue date " + is.issued_at + " differs from the entry's " + entry->time);
  if (anchored != content_digest || is.content_sha256_hex != content_digest)
    return fail("ledger anchor", "the ledger entry commits to content " + anchored +
                                     ", the certificate's content hashes to " + content_digest);
  if (is.number != FormatCertificateNumber(is.issuer_station, entry->seq))
    return fail("ledger anchor", "number " + is.number + " is not " + is.issuer_station + "-" +
                                     std::to_string(entry->seq));
  if (is.ledger_origin != verifier->name)
    return fail("ledger anchor", "ledger origin " + is.ledger_origin +
                                     " is not the checkpoint origin " + verifier->name);
  report.passed.push_back({"ledger anchor", "entry " + std::to_string(entry->seq) +
                                                " (certificate.issued) is in the signed ledger"});
  if (o.kept_checkpoint) {
    CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint anchor,
                             BundleCheckpoint(s.evidence_bundle, *verifier));
    auto consistent = CheckKeptCheckpoint(anchor, *o.kept_checkpoint, *verifier, o);
    if (!consistent.ok()) return fail("kept checkpoint", consistent.status().message());
    report.passed.push_back({"kept checkpoint", *consistent});
  }

  CUSTODY_ASSIGN_OR_RETURN(report.body_digest_hex, BodyDigestHex(c));
  auto check_qr = [&](const std::string& payload, const std::string& name) -> Status {
    auto qr = ParseCertificateQrPayload(payload);
    if (!qr.ok()) return fail(name, qr.status().message());
    if (qr->number != is.number || qr->body_digest_hex != report.body_digest_hex)
      return fail(name, "the QR names " + qr->number + " / " + qr->body_digest_hex +
                            ", the certificate is " + is.number + " / " + report.body_digest_hex +
                            ": the PDF and the JSON are not the same certificate");
    report.passed.push_back({name, "number and body digest match"});
    return Status::Ok();
  };
  if (o.pdf) {
    auto payload = QrPayloadFromCertificatePdf(*o.pdf);
    if (!payload.ok()) return fail("pdf qr", payload.status().message());
    CUSTODY_RETURN_IF_ERROR(check_qr(*payload, "pdf qr"));
  }
  if (o.qr) CUSTODY_RETURN_IF_ERROR(check_qr(*o.qr, "scanned qr"));

  // Device evidence: each bundle must prove one of the rows' source entries,
  // and a row whose sources are all given must be exactly what they yield.
  std::map<uint64_t, LedgerEntry> proven;
  std::map<uint64_t, std::string> source_type;
  for (const CertificateDevice& d : c.content.devices)
    for (const LedgerRef& r : d.sources) source_type[r.seq] = r.type;
  for (const std::string& b : o.device_bundles) {
    auto e = VerifyEvidenceBundle(b, is.issuer_verifier_key);
    if (!e.ok())
      return fail("device evidence", "a bundle does not verify: " + e.status().message());
    if (e->seq == is.ledger_entry) continue;  // The certificate's own entry, checked above.
    auto it = source_type.find(e->seq);
    if (it == source_type.end() || it->second != e->type)
      return fail("device evidence", "the bundle for entry " + std::to_string(e->seq) + " (" +
                                         e->type + ") is not a source of this certificate");
    proven[e->seq] = *e;
  }
  for (size_t i = 0; i < c.content.devices.size(); ++i) {
    const CertificateDevice& printed = c.content.devices[i];
    std::vector<LedgerEntry> entries;
    for (const LedgerRef& r : printed.sources)
      if (auto it = proven.find(r.seq); it != proven.end()) entries.push_back(it->second);
    if (entries.empty() || entries.size() != printed.sources.size()) continue;
    Result<CertificateDevice> rebuilt = NotFoundError("");
    CertificateContent scratch;
    if (entries[0].type == kDisposalRecordedType) {
      Status st = AddDisposalToContent(entries[0], &scratch);
      rebuilt = st.ok() ? Result<CertificateDevice>(scratch.devices.at(0))
                        : Result<CertificateDevice>(st);
    } else if (entries[0].type.rfind("wipe.", 0) == 0) {
      rebuilt = DeviceFromWipeEntries(entries);
    } else {
      rebuilt = cert::RowFromEraseEntry(entries[0]);
    }
    if (!rebuilt.ok())
      return fail("device evidence",
                  "row " + std::to_string(i + 1) + ": " + rebuilt.status().message());
    CertificateContent a, b;
    a.devices = {printed};
    b.devices = {*rebuilt};
    CUSTODY_ASSIGN_OR_RETURN(std::string ja, CanonicalContentJson(a));
    CUSTODY_ASSIGN_OR_RETURN(std::string jb, CanonicalContentJson(b));
    if (ja != jb)
      return fail("device evidence", "row " + std::to_string(i + 1) + " (" + printed.serial +
                                         printed.asset_tag +
                                         ") is not what its ledger records say");
    ++report.rows_checked;
  }
  if (!o.device_bundles.empty())
    report.passed.push_back({"device evidence", std::to_string(report.rows_checked) + " of " +
                                                    std::to_string(c.content.devices.size()) +
                                                    " rows match their signed ledger records"});
  report.cert = std::move(s);
  return report;
}

Result<std::string> ProveLedgerConsistency(Ledger& ledger, uint64_t old_size, uint64_t new_size) {
  CUSTODY_ASSIGN_OR_RETURN(ledger::ConsistencyProofFile p,
                           ledger::ProveConsistency(ledger, old_size, new_size));
  return ledger::FormatConsistencyProof(p);
}

Result<std::vector<CertificateListing>> ListCertificates(Station& station) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  std::vector<CertificateListing> rows;
  Status bad;
  CUSTODY_RETURN_IF_ERROR(ledger->Scan(0, [&](const LedgerEntry& e) {
    if (e.type != kCertificateIssuedType) return true;
    auto j = Json::parse(e.data_json, nullptr, false);
    if (!j.is_object()) {
      bad =
          CorruptionError("ledger entry " + std::to_string(e.seq) + " is not a certificate record");
      return false;
    }
    CertificateListing l;
    l.number = FormatCertificateNumber(station.config().station_name, e.seq);
    l.issued_at = e.time;
    l.operator_name = e.operator_name;
    l.client = j.value("client", "");
    l.classification = j.value("classification", int64_t{0});
    l.complete = j.value("complete", true);
    l.content_sha256_hex = j.value("content_sha256", "");
    for (const Json& m : j.value("methods", Json::array()))
      if (m.is_string()) l.methods.push_back(m.get<std::string>());
    for (const Json& d : j.value("devices", Json::array()))
      if (d.is_object()) {
        std::string id = d.value("serial", "");
        l.devices.push_back(id.empty() ? d.value("asset_tag", "") : id);
      }
    rows.push_back(std::move(l));
    return true;
  }));
  CUSTODY_RETURN_IF_ERROR(bad);
  return rows;
}

std::string CertificateListCsv(const std::vector<CertificateListing>& rows) {
  std::vector<std::vector<std::string>> out;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
  };
  for (const CertificateListing& l : rows) {
    auto t = timeutil::ParseTime(l.issued_at);
    out.push_back({l.number, t.ok() ? timeutil::FormatJst(*t) : l.issued_at, l.client,
                   l.classification ? std::to_string(l.classification) : "", join(l.methods),
                   join(l.devices), l.complete ? "完了" : "未完了", l.operator_name,
                   l.content_sha256_hex});
  }
  return report::Csv({"証明書番号", "発行日時(JST)", "委託元", "機密性区分", "処分方法",
                      "機器(シリアル/管理番号)", "状態", "発行者", "内容SHA-256"},
                     out);
}

}  // namespace custody
