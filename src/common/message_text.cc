// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/message_text.h"

namespace custody {

MessageText MessageText::Of(const char* pattern, std::vector<MessageText> args) {
  MessageText t;
  t.pattern = pattern;
  t.args = std::move(args);
  return t;
}

MessageText MessageText::Value(std::string value) {
  MessageText t;
  t.pattern = std::move(value);
  t.is_value = true;
  return t;
}

std::string MessageText::English() const {
  if (is_value) return pattern;
  std::string out;
  size_t from = 0, next = 0;
  for (size_t at; (at = pattern.find("%s", from)) != std::string::npos; from = at + 2) {
    out += pattern.substr(from, at - from);
    if (next < args.size()) out += args[next++].English();
  }
  return out + pattern.substr(from);
}

std::vector<std::string> English(const std::vector<MessageText>& texts) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const MessageText& t : texts) out.push_back(t.English());
  return out;
}

}  // namespace custody
