// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Evidence bundles (docs/formats/evidence-bundle.md):
//   custody evidence bundle v1\n
//   entry <base64 of the entry's canonical bytes>\n
//   \n
//   <C2SP tlog-proof, ending with the signed checkpoint>
#ifndef CUSTODY_SRC_LEDGER_EVIDENCE_H_
#define CUSTODY_SRC_LEDGER_EVIDENCE_H_

#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody::ledger {

inline constexpr std::string_view kBundleHeader = "custody evidence bundle v1\n";

std::string FormatEvidenceBundle(std::string_view entry_bytes, std::string_view tlog_proof);

struct ParsedBundle {
  std::string entry_bytes;
  std::string tlog_proof;
};
Result<ParsedBundle> ParseEvidenceBundle(std::string_view bundle);

}  // namespace custody::ledger

#endif  // CUSTODY_SRC_LEDGER_EVIDENCE_H_
