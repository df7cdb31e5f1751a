// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The command's interface language. Messages and help are English in the
// source and translated through gettext catalogs (po/ja.po, installed as
// share/locale/ja/LC_MESSAGES/custody.mo). Japanese is used when `--lang ja`
// is given, or when the locale environment (LC_ALL, LC_MESSAGES, LANG,
// LANGUAGE) asks for it; `--lang en` forces English.
//
// Only the command translates; the library's Status messages stay English
// (they are stable for scripts and logs), and the command translates the
// words around them.
#ifndef CUSTODY_SRC_CLI_I18N_H_
#define CUSTODY_SRC_CLI_I18N_H_

#include <string>

namespace custody::cli {

enum class UiLanguage { kEnglish, kJapanese };

// Decides the language and binds the catalog. Call once, first thing in
// main, before any translated string is used: help texts are translated when
// the command table is built.
void SetUpLanguage(int argc, char** argv);
UiLanguage CurrentLanguage();

// The translation of `msgid` in the current language (msgid itself in English
// or when the catalog lacks it).
const char* Tr(const char* msgid);

}  // namespace custody::cli

// The gettext convention, so xgettext --keyword=_ finds the strings.
#define _(msgid) ::custody::cli::Tr(msgid)
// Marks a string for extraction without translating it here (gettext_noop):
// for strings translated later with Tr, e.g. the passphrase prompts.
#define N_(msgid) msgid

#endif  // CUSTODY_SRC_CLI_I18N_H_
