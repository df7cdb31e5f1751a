// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: lets the station give a ledger it opened read-only the signing key
// it loaded later, so callers holding the Ledger* keep a valid pointer (the
// station used to reopen the ledger, which left earlier pointers dangling).
#ifndef CUSTODY_SRC_LEDGER_SIGNER_H_
#define CUSTODY_SRC_LEDGER_SIGNER_H_

#include "custody/ledger.h"

namespace custody::ledger_internal {

// kInvalidArgument if `ledger` was not made by Ledger::Open; kAlreadyExists if
// it already has a signer.
Status AttachSigner(Ledger* ledger, LedgerSigner signer);

}  // namespace custody::ledger_internal

#endif  // CUSTODY_SRC_LEDGER_SIGNER_H_
