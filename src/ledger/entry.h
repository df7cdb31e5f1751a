// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Ledger entry encoding (docs/formats/ledger.md): one canonical JSON object
// {"data":{...},"operator":"...","seq":N,"time":"...","type":"..."}.
#ifndef CUSTODY_SRC_LEDGER_ENTRY_H_
#define CUSTODY_SRC_LEDGER_ENTRY_H_

#include <string_view>

#include "custody/ledger.h"

namespace custody::ledger {

// Builds and canonicalizes an entry; refuses a malformed type or data.
Result<LedgerEntry> MakeEntry(uint64_t seq, std::string_view time, std::string_view type,
                              std::string_view operator_name, std::string_view data_json);
// Parses stored entry bytes; kCorruption unless they are canonical and well-formed.
Result<LedgerEntry> ParseEntry(std::string_view canonical);

}  // namespace custody::ledger

#endif  // CUSTODY_SRC_LEDGER_ENTRY_H_
