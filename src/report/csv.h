// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// CSV for registers (廃棄記録簿, 受領記録簿, 持出管理簿): RFC 4180 quoting, CRLF
// line ends, and a UTF-8 byte order mark, because Excel (what municipal
// staff open registers with) reads a BOM-less UTF-8 CSV as Shift_JIS and
// garbles every Japanese cell.
#ifndef CUSTODY_SRC_REPORT_CSV_H_
#define CUSTODY_SRC_REPORT_CSV_H_

#include <string>
#include <vector>

namespace custody::report {

inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// One record: fields quoted when they hold a comma, a quote, CR or LF (or
// start with a space), quotes doubled; ends with CRLF.
std::string CsvRecord(const std::vector<std::string>& fields);

// BOM + header record + one record per row.
std::string Csv(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace custody::report

#endif  // CUSTODY_SRC_REPORT_CSV_H_
