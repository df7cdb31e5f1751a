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

}  // namespace custody::receipt

#endif  // CUSTODY_SRC_RECEIPT_RECEIPT_INTERNAL_H_
