// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point for FuzzDocuments (fuzz/fuzz_targets.h).
#include "fuzz/fuzz_main.h"

CUSTODY_FUZZ_TARGET(custody::fuzz::FuzzDocuments)
