// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The "issuance" block that certificates and receipts share (who issued the
// document and the ledger entry that anchors it; docs/formats/certificate.md
// and receipt.md): custody::DocumentIssuance as JSON.
#ifndef CUSTODY_SRC_COMMON_ISSUANCE_JSON_H_
#define CUSTODY_SRC_COMMON_ISSUANCE_JSON_H_

#include <nlohmann/json.hpp>

#include "common/json_reader.h"
#include "custody/document.h"

namespace custody::json {

inline nlohmann::json IssuanceToJson(const DocumentIssuance& i) {
  return {{"number", i.number},
          {"issued_at", i.issued_at},
          {"issuer",
           {{"company", i.issuer_company},
            {"station", i.issuer_station},
            {"verifier_key", i.issuer_verifier_key}}},
          {"ledger",
           {{"origin", i.ledger_origin},
            {"entry", i.ledger_entry},
            {"content_sha256", i.content_sha256_hex}}}};
}

// Reads what IssuanceToJson wrote; a missing or mistyped member is reported
// through the reader like any other.
inline DocumentIssuance ReadIssuance(JsonReader& r) {
  DocumentIssuance i;
  i.number = r.Str("number");
  i.issued_at = r.Str("issued_at");
  {
    JsonReader is = r.Sub("issuer");
    i.issuer_company = is.Str("company");
    i.issuer_station = is.Str("station");
    i.issuer_verifier_key = is.Str("verifier_key");
  }
  {
    JsonReader l = r.Sub("ledger");
    i.ledger_origin = l.Str("origin");
    i.ledger_entry = l.Uint("entry");
    i.content_sha256_hex = l.Str("content_sha256");
  }
  return i;
}

}  // namespace custody::json

#endif  // CUSTODY_SRC_COMMON_ISSUANCE_JSON_H_
