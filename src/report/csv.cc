// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/csv.h"

namespace custody::report {

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    bool quote = f.find_first_of(",\"\r\n") != std::string::npos || (!f.empty() && f[0] == ' ');
    // A leading = + - @ makes Excel evaluate the cell as a formula (CSV
    // injection): a device serial or remark must stay text. Prefix a quote
    // character inside the quoted field, as OWASP recommends.
    bool formula = !f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@');
    if (!quote && !formula) {
      out += f;
      continue;
    }
    out += '"';
    if (formula) out += '\'';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::string Csv(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::string out = kUtf8Bom + CsvRecord(header);
  for (const auto& row : rows) out += CsvRecord(row);
  return out;
}

}  // namespace custody::report
