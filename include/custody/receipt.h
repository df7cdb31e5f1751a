// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Receipts for confidential information received from a client (預かり証,
// seed 000 §25): the model, validation, issuance into the ledger, the signed
// RECEIPT.json, the printable PDF, and verification of either. The format is
// docs/formats/receipt.md.
//
// A receipt is content (what was received, from whom, how, for what, where it
// is kept, when it goes back) plus issuance (number, date, issuer, ledger
// anchor). The ledger entry `receipt.issued` carries the whole content, so the
// received-data register (受領記録簿) is a view of the ledger and a lost
// RECEIPT.json can be rebuilt, byte for byte, from its entry.
//
// Thread safety: plain values and free functions; a Station is used by one
// thread at a time.
#ifndef CUSTODY_RECEIPT_H_
#define CUSTODY_RECEIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custody/document.h"
#include "custody/status.h"

namespace custody {

class Env;
class Station;
struct VerifiedPackage;

inline constexpr std::string_view kReceiptFormat = "custody-receipt-v1";
inline constexpr std::string_view kReceiptIssuedEvent = "receipt.issued";
inline constexpr std::string_view kReceiptAmendedEvent = "receipt.amended";

// 媒体 / medium the information arrived on.
enum class ReceiptMedium {
  kUsbFlash,
  kHdd,
  kSsd,
  kOptical,
  kSdCard,
  kTape,
  kPaper,
  kCustodyPackage,  // A custody handover package: `package_id` and `package_sha256` required.
  kOnline,          // No medium (encrypted transfer).
  kOther,
};
// 授受方法 / how it was handed over.
enum class TransferMethod { kHand, kSecureMail, kCourier, kEncryptedTransfer, kOther };
// 返還・廃棄予定: what happens to it at the end.
enum class Disposition { kReturn, kDispose };

// What custody itself checked when the receipt was issued from the package
// file (`receipt issue --package`): the package decrypted, every file's size
// and SHA-256 matched the manifest, and the manifest signature verified with
// `sender_verifier_key`. Absent when the package ID and digest were typed in.
struct ReceiptPackageCheck {
  int64_t files = 0;          // Files hashed and matched (= the manifest's file count).
  int64_t bytes = 0;          // Their total size.
  int64_t package_bytes = 0;  // Size of the encrypted package file.
  std::string sender_organization, sender_station, sender_verifier_key;  // From the signed manifest.
  std::string created;        // The manifest's creation time.
};

struct ReceiptContent {
  std::string received_at;                             // 受領日時, RFC 3339 UTC.
  std::string recipient_name, recipient_organization;  // 受領者 (the contractor's person).
  std::string deliverer_name, deliverer_organization, deliverer_department;  // 引渡者.
  std::string info_kind, info_name;  // 情報の種類・名称.
  int64_t classification = 0;        // 機密性区分 1..3; 0 = not stated (refused).
  int64_t items = 0;                 // 件数; 0 = not stated.
  int64_t bytes = 0;                 // 容量; 0 = not stated.
  std::string quantity_note;         // e.g. "CSV 3 ファイル"
  ReceiptMedium medium = ReceiptMedium::kOther;
  std::string medium_id;                   // Serial or management number (媒体管理番号).
  std::string package_id, package_sha256;  // kCustodyPackage only.
  std::optional<ReceiptPackageCheck> package_check;  // kCustodyPackage only.
  TransferMethod transfer = TransferMethod::kHand;
  std::string tracking;           // Tracking number (kSecureMail: required).
  std::string transfer_detail;    // Free text.
  std::string purpose, contract;  // 利用目的 / 契約名 (at least one).
  std::string storage;            // 保管場所.
  Disposition disposition = Disposition::kReturn;
  std::string disposition_due;  // 返還・廃棄予定日, YYYY-MM-DD.
  std::string remarks;
};

// A correction (訂正) of a receipt: a later `receipt.amended` ledger entry
// holding the whole corrected content. History is never rewritten: the
// original entry and every earlier amendment stay as they were.
struct ReceiptAmendment {
  uint64_t entry = 0;                // The receipt.amended entry.
  std::string time;                  // Its time.
  std::vector<std::string> changed;  // Content paths changed ("storage", "disposition.due").
  std::string reason;                // 訂正理由.
  ReceiptContent content;            // The content as corrected.
  std::string evidence_bundle;       // Of the receipt.amended entry.
};

struct Receipt {
  ReceiptContent content;  // As issued (what receipt.issued committed to).
  DocumentIssuance issuance;
  // Corrections in ledger order; empty for a receipt never amended (whose
  // file then has no `amendments` member).
  std::vector<ReceiptAmendment> amendments;
};

// The content in force: the last amendment's, else the issued one.
const ReceiptContent& EffectiveContent(const Receipt& receipt);
// For each content path changed by any amendment, the last amending entry.
std::vector<std::pair<std::string, uint64_t>> AmendedPaths(const Receipt& receipt);

// RECEIPT.json: body, signature, evidence bundle of the receipt.issued entry.
struct SignedReceipt {
  Receipt receipt;
  std::string signature;  // 64 bytes.
  std::string evidence_bundle;
};

// Checks required fields and formats. kInvalidArgument naming every missing
// or malformed field (Japanese and English names).
Status ValidateReceiptContent(const ReceiptContent& content);

// Fills `content` from a package verified by VerifyPackage (custody/package.h),
// completing only what the caller left unset, so flags still override:
// medium = custody-package with the package ID and digest (always, and they
// must not contradict values already set), package_check (always),
// 情報の種類 = the manifest's purpose, 情報の名称 = a summary of the file list,
// 件数 = file count, 容量 = total size, 引渡者の所属 = the sender organization,
// 機密性区分 = the manifest's classification when it names 1, 2 or 3
// ("機密性2", "2", "class 2"). kFailedPrecondition when the package's files
// were not all hashed (`files_verified` false: a ReadManifest result);
// kInvalidArgument when the content names another package or medium.
Status FillReceiptFromPackage(const VerifiedPackage& package, ReceiptContent* content);

// Canonical JSON of the content / body; SHA-256 hex of each.
Result<std::string> CanonicalReceiptContentJson(const ReceiptContent& content);
Result<std::string> ReceiptContentDigestHex(const ReceiptContent& content);
Result<std::string> ReceiptBodyDigestHex(const Receipt& receipt);

// Validates `content`, appends `receipt.issued` (data: content and its
// digest) and returns the signed receipt. Needs the signing key (may ask the
// passphrase provider).
Result<SignedReceipt> IssueReceipt(Station& station, std::string_view operator_name,
                                   const ReceiptContent& content);
// The content in force for receipt entry `receipt_seq` (issued content with
// every amendment applied). kNotFound if there is no such receipt.
Result<ReceiptContent> CurrentReceiptContent(Station& station, uint64_t receipt_seq);

// The amendments of receipt entry `receipt_seq` recorded so far, with their
// evidence bundles. kNotFound if there is no such receipt.
Result<std::vector<ReceiptAmendment>> ReceiptAmendments(Station& station, uint64_t receipt_seq);
// The value at content path `path` ("storage", "disposition.due") as text
// (strings as they are, numbers in decimal); "" for an unknown path.
std::string ReceiptContentValue(const ReceiptContent& content, std::string_view path);

// Appends `receipt.amended` for receipt entry `receipt_seq`: data = the
// receipt number and entry, the previous amendment (or the receipt) it
// follows, the changed paths, `reason`, the whole corrected content and its
// digest. kNotFound if `receipt_seq` is not a receipt.issued entry;
// kInvalidArgument if `corrected` is invalid, changes nothing, changes the
// medium kind or the package, or `reason` is empty. Returns the entry's seq.
Result<uint64_t> AmendReceipt(Station& station, std::string_view operator_name,
                              uint64_t receipt_seq, const ReceiptContent& corrected,
                              std::string_view reason);

// Rebuilds the signed receipt of ledger entry `seq` (a receipt.issued
// entry) with every amendment recorded so far. Ed25519 signatures are
// deterministic, so for a receipt never amended this returns the very bytes
// IssueReceipt returned. kNotFound if `seq` is not a receipt.
Result<SignedReceipt> RebuildReceipt(Station& station, uint64_t seq);
// The seq of receipt `number` ("office-1-000042" or just "42").
Result<uint64_t> ReceiptSeqFromNumber(const Station& station, std::string_view number);

Result<std::string> SerializeSignedReceipt(const SignedReceipt& signed_receipt);
// Strict: canonical bytes, every member, nothing unknown. kCorruption
// (kTruncated when the text ends early) naming the member.
Result<SignedReceipt> ParseSignedReceipt(std::string_view text);


// The PDF: A4 portrait, title 預かり証, every content field, seal boxes for
// 受領者 and 引渡者, the QR code "custody-receipt:1:<number>:<body digest>".
// The PDF's Keywords metadata carries the QR payload, the language and the
// whole RECEIPT.json (base64) so the PDF alone can be verified.
Result<std::string> RenderReceiptPdf(const SignedReceipt& signed_receipt, DocumentLanguage lang);

std::string ReceiptQrPayload(std::string_view number, std::string_view body_digest_hex);

enum class ReceiptSource { kJson, kPdf };
struct VerifiedReceipt {
  SignedReceipt receipt;
  std::string body_digest_hex;
  ReceiptSource source = ReceiptSource::kJson;
};

// Verifies RECEIPT.json or a receipt PDF (detected by content) against the
// pinned verifier key (C2SP form "name+hex8+base64"): strict parse, the
// issuer's key is the pinned key, signature, evidence bundle (entry type,
// seq, time, content digest, number, origin). For a PDF additionally: the
// embedded record verifies, the QR payload names it, and the pages are
// exactly the rendering of that record. kCorruption / kTruncated for a
// malformed file, kVerificationFailed for any mismatch.
Result<VerifiedReceipt> VerifyReceipt(std::string_view file_bytes, std::string_view verifier_key);

// Checks a QR payload scanned from paper against a verified receipt.
Status CheckReceiptQr(const VerifiedReceipt& receipt, std::string_view qr_payload);

// Enum spellings for flags and JSON ("usb-flash", "secure-mail", "return").
Result<ReceiptMedium> ParseReceiptMedium(std::string_view name);
Result<TransferMethod> ParseTransferMethod(std::string_view name);
Result<Disposition> ParseDisposition(std::string_view name);

}  // namespace custody

#endif  // CUSTODY_RECEIPT_H_
