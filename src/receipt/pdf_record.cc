// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "custody/certificate.h"
#include "receipt/receipt_internal.h"

namespace custody::receipt {
namespace {

constexpr std::string_view kLangTag = "lang=";
constexpr std::string_view kRecordTag = "record=";

}  // namespace

std::string PdfRecordKeywords(std::string_view qr, DocumentLanguage language, std::string_view record) {
  return std::string(qr) + " " + std::string(kLangTag) + std::string(DocumentLanguageName(language)) + " " +
         std::string(kRecordTag) + encoding::Base64Encode(record);
}

bool IsPdf(std::string_view bytes) { return bytes.substr(0, 5) == "%PDF-"; }

Result<PdfRecord> ReadPdfRecord(std::string_view pdf, std::string_view what) {
  const std::string w(what);
  auto keywords = QrPayloadFromCertificatePdf(pdf);  // The Keywords string, however cairo stored it.
  if (!keywords.ok()) {
    if (keywords.status().code() == StatusCode::kNotFound) {
      return CorruptionError("the PDF carries no custody " + w + " (not made by custody?)");
    }
    return CorruptionError("the PDF's " + w + " metadata is damaged: " + keywords.status().message());
  }
  std::vector<std::string> parts;
  for (size_t start = 0; start <= keywords->size();) {
    size_t sp = keywords->find(' ', start);
    if (sp == std::string::npos) sp = keywords->size();
    parts.push_back(keywords->substr(start, sp - start));
    start = sp + 1;
  }
  if (parts.size() != 3 || parts[1].substr(0, kLangTag.size()) != kLangTag ||
      parts[2].substr(0, kRecordTag.size()) != kRecordTag) {
    return CorruptionError("the PDF carries no custody " + w + " record in its metadata");
  }
  PdfRecord out;
  out.qr = parts[0];
  auto language = ParseDocumentLanguage(parts[1].substr(kLangTag.size()));
  if (!language.ok()) return CorruptionError("the PDF's " + w + " metadata names no language");
  out.language = *language;
  auto decoded = encoding::Base64Decode(parts[2].substr(kRecordTag.size()));
  if (!decoded.ok()) return CorruptionError("the " + w + " record in the PDF is not valid base64");
  out.record = std::move(*decoded);
  return out;
}

}  // namespace custody::receipt
