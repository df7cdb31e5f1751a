// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/time_util.h"

#include <cstdio>
#include <ctime>

namespace custody::timeutil {
namespace {

constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kJstOffsetSeconds = 9 * 3600;

struct tm ToUtcTm(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return tm;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string FormatRfc3339Utc(int64_t unix_micros) {
  struct tm tm = ToUtcTm(FloorDiv(unix_micros, kMicros));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatJst(int64_t unix_micros) {
  struct tm tm = ToUtcTm(FloorDiv(unix_micros, kMicros) + kJstOffsetSeconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d JST", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatWareki(int64_t unix_micros) {
  struct tm tm = ToUtcTm(FloorDiv(unix_micros, kMicros) + kJstOffsetSeconds);
  int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
  const char* era;
  int era_year;
  if (y > 2019 || (y == 2019 && m >= 5)) {
    era = "令和";
    era_year = y - 2018;
  } else {
    era = "平成";
    era_year = y - 1988;
  }
  std::string year = era_year == 1 ? "元" : std::to_string(era_year);
  return std::string(era) + year + "年" + std::to_string(m) + "月" + std::to_string(d) + "日";
}

Result<int64_t> ParseTime(std::string_view text) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  int oh = 0, om = 0;
  char sign = 'Z';
  std::string str(text);
  int n = 0;
  if (str.size() == 10) {
    if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) {
      return InvalidArgumentError("invalid date \"" + str + "\" (expected YYYY-MM-DD)");
    }
  } else if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6) {
    std::string rest = str.substr(static_cast<size_t>(n));
    if (rest == "Z") {
      sign = 'Z';
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
               std::sscanf(rest.c_str() + 1, "%2d:%2d", &oh, &om) == 2) {
      sign = rest[0];
    } else {
      return InvalidArgumentError("invalid time \"" + str + "\" (expected RFC 3339, e.g. 2026-11-23T10:00:00Z)");
    }
  } else {
    return InvalidArgumentError("invalid time \"" + str + "\" (expected YYYY-MM-DD or RFC 3339)");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59) {
    return InvalidArgumentError("invalid time \"" + str + "\"");
  }
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm));
  int64_t offset = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
  return (secs - offset) * kMicros;
}

}  // namespace custody::timeutil
