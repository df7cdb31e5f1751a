// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// MessageText: a sentence the library shows a person (a media warning, why a
// purge command was chosen), kept as a constant English pattern and its
// values, so that an interface can show it in the user's language. The
// library has no message catalog and no interface language: it keeps the
// pattern and the values apart, and records English (English()) in the ledger
// and in JSON. An interface looks the pattern up in its catalog and
// substitutes the same arguments, rendered the same way, into the
// translation. Arguments are values (never translated) or sentences of their
// own. Used by the erase areas and by `custody doctor` (custody/doctor.h).
//
// Thread safety: a value type.
#ifndef CUSTODY_MESSAGE_TEXT_H_
#define CUSTODY_MESSAGE_TEXT_H_

#include <string>
#include <vector>

namespace custody {

struct MessageText {
  // A constant English pattern with one "%s" per element of `args`, in
  // order; or, when `is_value`, a value shown as it is (a path, a number, a
  // drive's or library's own message) and never translated.
  std::string pattern;
  std::vector<MessageText> args;
  bool is_value = false;

  // A sentence: `pattern` must be a string constant (interfaces look it up).
  static MessageText Of(const char* pattern, std::vector<MessageText> args = {});
  static MessageText Value(std::string value);
  bool empty() const { return pattern.empty() && args.empty(); }
  // The English text: the pattern with the arguments substituted.
  std::string English() const;
};

// Each text's English().
std::vector<std::string> English(const std::vector<MessageText>& texts);

}  // namespace custody

#endif  // CUSTODY_MESSAGE_TEXT_H_
