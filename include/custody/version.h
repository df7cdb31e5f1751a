// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#ifndef CUSTODY_VERSION_H_
#define CUSTODY_VERSION_H_

namespace custody {
// The library's version ("0.1.0"), as recorded in ledger entries and
// certificates ("tool name and version").
const char* Version();
}  // namespace custody

#endif  // CUSTODY_VERSION_H_
