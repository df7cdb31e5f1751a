// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Receipt internals shared by the model (receipt.cc), the PDF
// (receipt_pdf.cc) and the registers (src/receipt/register.cc).
#ifndef CUSTODY_SRC_RECEIPT_RECEIPT_INTERNAL_H_
#define CUSTODY_SRC_RECEIPT_RECEIPT_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <string>

#include "common/json_reader.h"
#include "custody/ledger.h"
#include "custody/receipt.h"

namespace custody::receipt {

nlohmann::json ContentToJson(const ReceiptContent& content);
ReceiptContent ReadContent(json::JsonReader& reader);
bool IsUtcTime(const std::string& t);
// "5.2 MB (5242880 B)": decimal units, as media makers label capacity.
std::string HumanBytes(int64_t bytes);
bool IsDate(const std::string& d);  // YYYY-MM-DD, a real date.

// The content recorded in a receipt.issued entry (checked against its digest).
Result<ReceiptContent> ContentFromEntry(const LedgerEntry& entry);

// A receipt.amended entry: the amendment (without evidence) and, in
// `*amends`, the receipt entry it corrects.
Result<ReceiptAmendment> AmendmentFromEntry(const LedgerEntry& entry, uint64_t* amends);
// Every amendment of receipt entry `receipt_seq` among entries < `limit`.
Result<std::vector<ReceiptAmendment>> AmendmentsOf(Ledger& ledger, uint64_t receipt_seq,
                                                   uint64_t limit);

// Signature, pinned key, evidence bundle and its entry (not the PDF).
Status VerifySignedReceipt(const SignedReceipt& signed_receipt, std::string_view verifier_key);

// The record a receipt or acknowledgement PDF carries in its Keywords
// metadata, so that the PDF alone can be verified: "<QR payload>
// lang=<ja|en|ja+en> record=<base64 of the signed JSON file>". ASCII only, so
// cairo stores it as a plain PDF string and base64 needs no PDF escaping.
struct PdfRecord {
  std::string qr;
  DocumentLanguage language = DocumentLanguage::kJa;
  std::string record;  // The signed JSON file, decoded.
};
std::string PdfRecordKeywords(std::string_view qr, DocumentLanguage language, std::string_view record);
bool IsPdf(std::string_view bytes);
// kCorruption saying what is wrong, naming `what` ("receipt",
// "acknowledgement"), when the PDF carries no record or a damaged one.
Result<PdfRecord> ReadPdfRecord(std::string_view pdf, std::string_view what);

}  // namespace custody::receipt

#endif  // CUSTODY_SRC_RECEIPT_RECEIPT_INTERNAL_H_
