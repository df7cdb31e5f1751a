// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/version.h"

namespace custody {
const char* Version() { return CUSTODY_VERSION; }
}  // namespace custody
