// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Help texts in the interface language without marking them one by one.
// Each src/cli/<name>.cc writes its descriptions, footers and group names in
// plain English; once the command table has built the whole CLI11 app, main
// calls TranslateHelp, which replaces every such string by its translation in
// po/ja.po when the language is Japanese (a string the catalog lacks stays
// English). The strings are gathered for translators by DumpHelpPot, which
// the `pot` build target merges with the xgettext output into po/custody.pot.
#ifndef CUSTODY_SRC_CLI_HELP_I18N_H_
#define CUSTODY_SRC_CLI_HELP_I18N_H_

#include <CLI/CLI.hpp>
#include <ostream>

namespace custody::cli {

// The environment variable that makes `custody` print the help catalog
// template (DumpHelpPot) on stdout and exit 0 instead of running a command:
//   CUSTODY_DUMP_HELP_POT=1 custody --lang en > help.pot
// An environment variable rather than a hidden subcommand or option, so that
// neither the manual nor the shell completion (both generated from the app
// tree) ever show it.
inline constexpr const char* kDumpHelpPotEnv = "CUSTODY_DUMP_HELP_POT";

// CLI11's help formatter, but aligning the description column by display
// width: CLI11 pads with byte counts, so a Japanese label ("必須") or option
// text pushed the descriptions out of line. Kanji and kana take two columns.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
};

// Terminal columns of UTF-8 text: two for East Asian wide characters (CJK,
// kana, hangul, full-width forms), one for others.
size_t DisplayWidth(const std::string& utf8);

// Replaces every app description, footer and group name and every option
// description and group name under `app` with its translation in the current
// language, and translates the usage errors CLI11 reports most (a missing
// required option, an unexpected argument). Does nothing in English.
void TranslateHelp(CLI::App& app);

// Writes a gettext template (.pot, UTF-8) holding every distinct help string
// under `app`, each with a "#." comment naming where it appears. Call before
// TranslateHelp, in English.
void DumpHelpPot(CLI::App& app, std::ostream& out);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_HELP_I18N_H_
