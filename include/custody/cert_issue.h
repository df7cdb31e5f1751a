// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Issuing, verifying and listing disposal certificates against a station's
// ledger (docs/formats/certificate.md, "Issuing" and "Verifying").
//
// Issue: device rows come only from ledger records (wipes, purges,
// crypto-erases, recorded disposals); the rest from the station profile, an
// input file and caller overrides, in that order. The certificate number is
// the seq of its `certificate.issued` entry; the signed JSON carries that
// entry's evidence bundle; every source entry's bundle is returned too, so an
// auditor can check each row against the signed ledger.
//
// Thread safety: the functions use the Station given, which is used by one
// thread at a time.
#ifndef CUSTODY_CERT_ISSUE_H_
#define CUSTODY_CERT_ISSUE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "custody/certificate.h"
#include "custody/station.h"
#include "custody/status.h"

namespace custody {

inline constexpr std::string_view kCertificateIssuedType = "certificate.issued";

struct CertificateRequest {
  std::vector<std::string> wipe_ids;          // wipe_id of wipe.* entries.
  std::vector<std::string> purge_ids;         // purge_id, or seq of a purge.* final entry.
  std::vector<std::string> crypto_erase_ids;  // seq of a crypto-erase.*.completed entry.
  std::vector<uint64_t> disposal_seqs;        // disposal.recorded entries.
  std::string client;                         // Client profile name; empty: station profile only.
  std::string input_json;                     // The --input file's text; empty: none.
  // Applied last (command-line flags). May be empty.
  std::function<Status(CertificateContent*)> overrides;
  bool allow_incomplete = false;
  std::string operator_name;  // Recorded on the certificate.issued entry.
  // Signed checkpoints the client kept earlier (`custody log checkpoint`):
  // a consistency proof from each to the certificate's ledger anchor is
  // added to the evidence. kVerificationFailed, with nothing recorded, for a
  // checkpoint this station did not sign.
  std::vector<std::string> kept_checkpoints;
};

struct IssuedCertificate {
  SignedCertificate cert;
  std::string json;                         // CERT.json bytes (canonical + "\n").
  CertificateEvidenceSummary evidence;      // From the verified bundle.
  std::map<uint64_t, std::string> bundles;  // seq -> evidence bundle, every source entry.
  // File name ("consistency-<old>-<new>.proof") -> consistency proof, one
  // per kept checkpoint (docs/formats/evidence-bundle.md).
  std::map<std::string, std::string> consistency_proofs;
  // The rows' photo files kept by `custody disposal record` (<home>/photos/),
  // for thumbnails on the PDF. A photo whose file is missing or no longer
  // matches its digest is left out (its digest is still printed).
  std::vector<CertificatePhoto> photos;
};

// Builds, validates, records and signs a certificate. kInvalidArgument names
// every missing field (and says where to set it); kNotFound names an unknown
// wipe/purge/entry; kFailedPrecondition names a failed, interrupted or
// unverified device unless allow_incomplete. Nothing is recorded on failure.
Result<IssuedCertificate> IssueCertificate(Station& station, const CertificateRequest& request);

// Writes `pdf_path`, its CERT.json (same name, .json) and the source entries'
// evidence bundles as <base>.evidence/entry-<seq>.bundle, each atomically.
// Returns the JSON path.
Result<std::string> WriteIssuedCertificate(const IssuedCertificate& issued,
                                           DocumentLanguage language, const std::string& pdf_path,
                                           Env* env);

struct CertificateCheck {
  std::string name;  // "signature", "ledger anchor", "pinned key", "pdf qr", "device evidence"
  std::string detail;
};

struct CertificateVerifyOptions {
  std::string pinned_verifier_key;  // --key: the key the auditor was given. Empty: not pinned.
  std::optional<std::string> pdf;   // The PDF's bytes, to check its QR payload.
  std::optional<std::string> qr;    // A payload scanned from paper.
  std::vector<std::string> device_bundles;  // Evidence bundles of the rows' source entries.
  // A signed checkpoint the client kept, earlier or later than the
  // certificate: the ledger anchor's checkpoint and this one must be of one
  // history (RFC 9162 consistency), or the ledger was forked or rewritten.
  std::optional<std::string> kept_checkpoint;
  // Consistency proof files (e.g. CERT.evidence/consistency-*.proof); the one
  // linking the two checkpoints' sizes is used.
  std::vector<std::string> consistency_proofs;
  // When no proof given links them: computes one from a ledger (the station's,
  // when verify runs on the issuing station). Its output is checked like any
  // other proof, so the ledger need not be trusted. May be empty.
  std::function<Result<std::string>(uint64_t old_size, uint64_t new_size)> prove_consistency;
};

struct CertificateVerifyReport {
  SignedCertificate cert;
  std::string body_digest_hex;
  std::vector<CertificateCheck> passed;  // In order.
  size_t rows_checked = 0;               // Rows re-derived from their bundles.
};

// Checks a CERT.json (docs/formats/certificate.md, "Verifying"). kCorruption
// for a malformed file; kVerificationFailed naming the first check that
// failed (signature, pinned key, ledger anchor, kept checkpoint, PDF QR, a
// device bundle that belongs to another entry or does not yield the printed
// row).
Result<CertificateVerifyReport> VerifyCertificate(std::string_view json_text,
                                                  const CertificateVerifyOptions& options);

// A consistency proof file (docs/formats/evidence-bundle.md, "Consistency
// proofs") between the first `old_size` and `new_size` entries of `ledger`,
// computed from the entries; for CertificateVerifyOptions::prove_consistency.
// kNotFound if the ledger is shorter than new_size.
Result<std::string> ProveLedgerConsistency(Ledger& ledger, uint64_t old_size, uint64_t new_size);

// One line of the disposal register (廃棄記録簿), read from the ledger alone.
struct CertificateListing {
  std::string number, issued_at, operator_name, client;
  int64_t classification = 0;
  bool complete = true;
  std::vector<std::string> methods;
  std::vector<std::string> devices;  // serial, or asset tag.
  std::string content_sha256_hex;
};
Result<std::vector<CertificateListing>> ListCertificates(Station& station);
// The register as CSV (BOM, CRLF; report/csv).
std::string CertificateListCsv(const std::vector<CertificateListing>& rows);

// Rows from purge and crypto-erase records (final entries that repeat the
// device's `target`): kNotFound for an unknown ID, kFailedPrecondition for a
// record without device identity.
Status AddPurgesToContent(Ledger& ledger, const std::vector<std::string>& ids,
                          CertificateContent* content);
Status AddCryptoErasesToContent(Ledger& ledger, const std::vector<std::string>& ids,
                                CertificateContent* content);

}  // namespace custody

#endif  // CUSTODY_CERT_ISSUE_H_
