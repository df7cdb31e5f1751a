// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/document.h"

namespace custody {

Result<DocumentLanguage> ParseDocumentLanguage(std::string_view n) {
  if (n == "ja") return DocumentLanguage::kJa;
  if (n == "en") return DocumentLanguage::kEn;
  if (n == "ja+en" || n == "en+ja") return DocumentLanguage::kJaEn;
  return InvalidArgumentError("language '" + std::string(n) + "' is not one of ja, en, ja+en");
}

std::string_view DocumentLanguageName(DocumentLanguage language) {
  switch (language) {
    case DocumentLanguage::kJa:
      return "ja";
    case DocumentLanguage::kEn:
      return "en";
    case DocumentLanguage::kJaEn:
      return "ja+en";
  }
  return "ja";
}

}  // namespace custody
