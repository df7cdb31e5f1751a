// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The libFuzzer entry point every *_fuzzer.cc defines: runs one target of
// fuzz/fuzz_targets.h and aborts (a finding) when an entry point failed
// without a message, which the project's rule forbids as much as a crash.
#ifndef CUSTODY_FUZZ_FUZZ_MAIN_H_
#define CUSTODY_FUZZ_FUZZ_MAIN_H_

#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_targets.h"

#define CUSTODY_FUZZ_TARGET(fn)                                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {                      \
    const custody::fuzz::Outcomes outcomes = fn(data, size);                                     \
    if (const custody::fuzz::Outcome* bad = custody::fuzz::FirstBadOutcome(outcomes)) {          \
      std::fprintf(stderr, "%s failed (code %d) without a message\n", bad->entry_point.c_str(), \
                   static_cast<int>(bad->status.code()));                                        \
      std::abort();                                                                              \
    }                                                                                            \
    return 0;                                                                                    \
  }

#endif  // CUSTODY_FUZZ_FUZZ_MAIN_H_
