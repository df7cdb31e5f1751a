// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Disposal certificates (データ消去証明書 / 廃棄等証明書, 総行情第77号): the model,
// validation, canonical JSON, signature, QR payload and PDF. The format is
// docs/formats/certificate.md.
//
// A certificate is content (what was disposed of, how, by whom) plus issuance
// (number, date, issuer, ledger anchor). Content is validated before anything
// is signed: a required field left empty, or a failed/unverified erase, is
// refused with a message naming the field and the device.
//
// Thread safety: plain values and free functions; safe from several threads.
#ifndef CUSTODY_CERTIFICATE_H_
#define CUSTODY_CERTIFICATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/document.h"
#include "custody/ledger.h"
#include "custody/status.h"

namespace custody {

class Env;

inline constexpr std::string_view kCertificateFormat = "custody-disposal-certificate-v1";

enum class DisposalReason { kDisposal, kLeaseReturn, kRepair, kReuse, kContractEnd };
enum class WorkPlace { kGovernmentPremises, kContractorFacility, kOther };
// kEncryptedData: data kept encrypted (a custody vault) and crypto-erased by
// destroying its key, where no medium can be touched (cloud, backups).
enum class MediaType {
  kHdd,
  kSsd,
  kNvme,
  kUsbFlash,
  kSdCard,
  kEmmc,
  kOptical,
  kTape,
  kOther,
  kEncryptedData
};
enum class HiddenAreas { kNotChecked, kNone, kRemoved, kPresent, kNotApplicable };
enum class MethodFamily {
  kOverwrite,
  kCryptoErase,
  kFirmwarePurge,
  kPhysicalDestruction,
  kDegauss
};
enum class SanitizationLevel { kClear, kPurge, kDestroy };  // NIST SP 800-88.
enum class Outcome { kCompleted, kFailed, kInterrupted };
enum class VerificationResult { kPassed, kFailed, kNotVerified };

struct CertificateMethod {
  MethodFamily family = MethodFamily::kOverwrite;
  SanitizationLevel level = SanitizationLevel::kClear;
  std::string standard;  // "NIST SP 800-88 Rev.1"
  int64_t passes = 0;
  std::vector<std::string> patterns;
  std::vector<std::string> commands;
  std::string tool_name, tool_version;
  std::string details;
};

struct CertificateVerification {
  std::string method;    // "full read-back"
  std::string coverage;  // "100%"
  VerificationResult result = VerificationResult::kNotVerified;
  std::string verifier;
};

struct HashedFile {
  std::string name;
  std::string sha256_hex;
};

struct LedgerRef {
  uint64_t seq = 0;
  std::string type;  // "wipe.completed"
};

struct CertificateDevice {
  MediaType media = MediaType::kOther;
  std::string maker, model, serial, asset_tag;
  int64_t capacity_bytes = 0;  // 0: unknown.
  std::string interface;
  HiddenAreas hpa_dco = HiddenAreas::kNotChecked;
  CertificateMethod method;
  std::string started, finished;  // RFC 3339 UTC.
  Outcome outcome = Outcome::kCompleted;
  CertificateVerification verification;
  std::vector<HashedFile> photos;
  std::vector<LedgerRef> sources;
};

struct CertificateWarning {
  std::string code;  // Stable: "weaker-than-classification", "overwrite-on-flash", ...
  std::string ja, en;
};

struct CertificateContent {
  DisposalReason reason = DisposalReason::kDisposal;
  int64_t classification = 0;  // 1..3; 0 = not stated (refused).
  std::string client_municipality, client_department, client_contract;
  std::string contractor;
  std::string responsible;
  std::vector<std::string> operators;
  bool witness_present = false;
  std::string witness_name, witness_department;
  WorkPlace place = WorkPlace::kGovernmentPremises;
  std::string place_detail;
  std::vector<CertificateDevice> devices;
  std::string destination;
  std::string remarks;
  bool complete = true;
  std::vector<CertificateWarning> warnings;
};

struct DisposalCertificate {
  CertificateContent content;
  DocumentIssuance issuance;
};

// The CERT.json file: the body, its signature and the evidence bundle.
struct SignedCertificate {
  DisposalCertificate certificate;
  std::string signature;  // 64 bytes.
  std::string evidence_bundle;
};

// Checks every required field and the erase outcomes, and returns `content`
// with `warnings` recomputed (classification vs method, overwrite on flash,
// HPA/DCO, no witness and no photos, incomplete) and `complete` set.
// kInvalidArgument lists every missing or malformed field; kFailedPrecondition
// names each failed, interrupted or unverified device unless
// `allow_incomplete`.
Result<CertificateContent> ValidateContent(CertificateContent content, bool allow_incomplete);

// "<station>-000123".
std::string FormatCertificateNumber(std::string_view station, uint64_t seq);

// Canonical JSON (docs/formats/certificate.md).
Result<std::string> CanonicalContentJson(const CertificateContent& content);
Result<std::string> CanonicalBodyJson(const DisposalCertificate& cert);
// SHA-256 of the canonical content / body, lowercase hex.
Result<std::string> ContentDigestHex(const CertificateContent& content);
Result<std::string> BodyDigestHex(const DisposalCertificate& cert);

// The bytes the station signs: the format's context string, then the
// canonical body.
Result<std::string> CertificateSigningMessage(const DisposalCertificate& cert);

// CERT.json and back. Parsing is strict (unknown enum values, wrong types,
// non-canonical bytes: kCorruption naming the member).
Result<std::string> SerializeSignedCertificate(const SignedCertificate& signed_cert);
Result<SignedCertificate> ParseSignedCertificate(std::string_view json_text);

// QR payload "custody-cert:1:<number>:<body digest hex>".
std::string CertificateQrPayload(std::string_view number, std::string_view body_digest_hex);
struct QrPayload {
  std::string number;
  std::string body_digest_hex;
};
Result<QrPayload> ParseCertificateQrPayload(std::string_view payload);

// Checks the signature with `public_key` (32 bytes). kVerificationFailed if
// it does not verify.
Status VerifyCertificateSignature(const SignedCertificate& signed_cert,
                                  std::string_view public_key);

// Evidence shown on paper, from the verified bundle (the body carries only the
// entry number): checkpoint size and root, and the key ID.
struct CertificateEvidenceSummary {
  uint64_t checkpoint_size = 0;
  std::string checkpoint_root_hex;
  std::string key_fingerprint;  // e.g. key ID hex8 or SHA-256 prefix of the key.
};

// A photo file's bytes (PNG or JPEG), for a thumbnail on the PDF.
struct CertificatePhoto {
  std::string sha256_hex;
  std::string bytes;
};

// The PDF (A4, IPAex fonts embedded, creation date = issued_at, the QR
// payload also in the PDF Keywords metadata). `photos`: the files of the rows'
// photos; each one whose SHA-256 is a row's photo digest (and matches its
// bytes) is printed as a thumbnail under the details, captioned with the row,
// its name and digest. Others are ignored.
Result<std::string> RenderCertificatePdf(const SignedCertificate& signed_cert,
                                         DocumentLanguage language,
                                         const CertificateEvidenceSummary& evidence,
                                         const std::vector<CertificatePhoto>& photos = {});
Status WriteCertificatePdf(const SignedCertificate& signed_cert, DocumentLanguage language,
                           const CertificateEvidenceSummary& evidence, const std::string& path,
                           Env* env, const std::vector<CertificatePhoto>& photos = {});

// Reads the QR payload back from a PDF custody rendered (its Keywords
// metadata). kNotFound if the PDF carries none.
Result<std::string> QrPayloadFromCertificatePdf(std::string_view pdf_bytes);

// Enum values from their JSON / command-line spelling ("lease-return",
// "contractor-facility", "nvme", ...). kInvalidArgument lists the valid ones.
Result<DisposalReason> ParseDisposalReason(std::string_view name);
Result<WorkPlace> ParseWorkPlace(std::string_view name);
Result<MediaType> ParseMediaType(std::string_view name);
Result<MethodFamily> ParseMethodFamily(std::string_view name);
Result<SanitizationLevel> ParseSanitizationLevel(std::string_view name);
Result<HiddenAreas> ParseHiddenAreas(std::string_view name);
Result<VerificationResult> ParseVerificationResult(std::string_view name);

// Applies an input file (docs/formats/certificate.md, "Issuing": reason,
// classification, client, contractor, responsible, operators, witness, place,
// destination, remarks) over `content`. Strict: unknown members, wrong types
// and bad enum values are kInvalidArgument naming the member. Devices cannot
// be given this way: they come from ledger records only.
Status ApplyCertificateInput(std::string_view json_text, CertificateContent* content);

// ---- Rows from the ledger's erase records

// One certificate row from the ledger entries of one overwrite wipe
// (docs/formats/wipe-record.md): its wipe.started, wipe.verified and final
// entry, in seq order. Device identity from the recorded target; method,
// passes and tool from the plan; outcome and verification from the final
// entry (no final entry: interrupted; completed-with-errors: failed, as
// sectors may hold data). kNotFound without a wipe.started entry.
Result<CertificateDevice> DeviceFromWipeEntries(const std::vector<LedgerEntry>& entries);

// Finds each wipe's entries in the ledger (one pass) and adds a row per
// wipe. kNotFound names a wipe ID the ledger does not know.
Status AddWipesToContent(Ledger& ledger, const std::vector<std::string>& wipe_ids,
                         CertificateContent* content);

}  // namespace custody

#endif  // CUSTODY_CERTIFICATE_H_
