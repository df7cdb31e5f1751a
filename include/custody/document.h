// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// What the two signed documents custody issues, the disposal certificate
// (custody/certificate.h) and the receipt (custody/receipt.h), share: the
// language a document is printed in, and its issuance block (who issued it
// and the ledger entry that anchors it; docs/formats/certificate.md and
// receipt.md describe the same JSON member).
//
// Thread safety: value types and a pure function.
#ifndef CUSTODY_DOCUMENT_H_
#define CUSTODY_DOCUMENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody {

// The language of a printed document: Japanese, English, or both side by side.
enum class DocumentLanguage { kJa, kEn, kJaEn };

// "ja", "en", "ja+en" (or "en+ja"). kInvalidArgument for anything else.
Result<DocumentLanguage> ParseDocumentLanguage(std::string_view name);
// "ja", "en", "ja+en": the name ParseDocumentLanguage reads back.
std::string_view DocumentLanguageName(DocumentLanguage language);

struct DocumentIssuance {
  std::string number;     // "<station>-<seq, 6+ digits>": the anchoring ledger entry's seq.
  std::string issued_at;  // RFC 3339 UTC: the entry's time.
  std::string issuer_company, issuer_station, issuer_verifier_key;
  std::string ledger_origin;
  uint64_t ledger_entry = 0;
  std::string content_sha256_hex;  // SHA-256 of the canonical content.
};

}  // namespace custody

#endif  // CUSTODY_DOCUMENT_H_
