// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Time formats: records store RFC 3339 UTC ("2026-11-23T04:05:06Z"); people
// see JST (+09:00) and, on municipal forms, the Japanese era (令和8年).
#ifndef CUSTODY_SRC_COMMON_TIME_UTIL_H_
#define CUSTODY_SRC_COMMON_TIME_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody::timeutil {

// "YYYY-MM-DDThh:mm:ssZ" (seconds precision, UTC).
std::string FormatRfc3339Utc(int64_t unix_micros);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ" and "...±hh:mm" offsets;
// returns Unix microseconds.
Result<int64_t> ParseTime(std::string_view text);
// "2026-11-23 13:05:06 JST".
std::string FormatJst(int64_t unix_micros);
// "令和8年11月23日" (dates from 2019-05-01 on are Reiwa; earlier Heisei).
std::string FormatWareki(int64_t unix_micros);

}  // namespace custody::timeutil

#endif  // CUSTODY_SRC_COMMON_TIME_UTIL_H_
