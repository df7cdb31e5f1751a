// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/help_i18n.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/i18n.h"

namespace custody::cli {
namespace {

// Called with each help string and where it appears ("custody package
// create: option --output"); returns the string to put in its place.
using Rewrite = std::function<std::string(const std::string& text, const std::string& where)>;

std::string OptionLabel(const CLI::Option* opt) {
  if (opt->get_positional()) return opt->get_name();
  if (!opt->get_lnames().empty()) return "--" + opt->get_lnames().front();
  if (!opt->get_snames().empty()) return "-" + opt->get_snames().front();
  return opt->get_name();
}

void Walk(CLI::App* app, const std::string& path, const Rewrite& rewrite) {
  // Empty strings stay empty: an empty group hides an option or subcommand.
  auto apply = [&](const std::string& text, const std::string& where) {
    return text.empty() ? text : rewrite(text, where);
  };
  if (!app->get_description().empty())
    app->description(apply(app->get_description(), path + ": description"));
  // No command sets a footer callback, so get_footer() is the footer string.
  if (!app->get_footer().empty()) app->footer(apply(app->get_footer(), path + ": footer"));
  for (CLI::Option* opt : app->get_options()) {
    const std::string where = path + ": option " + OptionLabel(opt);
    if (!opt->get_description().empty()) opt->description(apply(opt->get_description(), where));
    if (!opt->get_group().empty()) opt->group(apply(opt->get_group(), where + " (group)"));
  }
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    // Option groups are nameless apps shown under their group name.
    const std::string sub_path = sub->get_name().empty() ? path + " [" + sub->get_group() + "]"
                                                         : path + " " + sub->get_name();
    if (!sub->get_group().empty()) sub->group(apply(sub->get_group(), sub_path + " (group)"));
    Walk(sub, sub_path, rewrite);
  }
}

// A C string literal in .po syntax; a string with newlines is split after
// each one, as xgettext does.
std::string PoQuote(const std::string& s) {
  std::vector<std::string> lines{""};
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\':
        lines.back() += "\\\\";
        break;
      case '"':
        lines.back() += "\\\"";
        break;
      case '\t':
        lines.back() += "\\t";
        break;
      case '\n':
        lines.back() += "\\n";
        if (i + 1 < s.size()) lines.emplace_back();
        break;
      default:
        lines.back() += c;
    }
  }
  if (lines.size() == 1) return "\"" + lines[0] + "\"";
  std::string out = "\"\"";
  for (const std::string& l : lines) out += "\n\"" + l + "\"";
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// CLI11's usage errors a user meets most (a missing required option, an
// extra argument, conflicting options) in the interface language; others
// stay as CLI11 words them.
std::string TranslateUsageError(const std::string& what) {
  static const std::string kRequired = " is required";
  static const std::vector<std::string> kExtras = {"The following argument was not expected: ",
                                                   "The following arguments were not expected: "};
  if (what == "A subcommand is required") return _("a subcommand is required");
  // "--output is required", "sources is required": one word before it.
  if (EndsWith(what, kRequired) && what.find(' ') == what.size() - kRequired.size())
    return Format(_("%s is required"), {what.substr(0, what.size() - kRequired.size())});
  for (const std::string& prefix : kExtras) {
    if (what.rfind(prefix, 0) == 0)
      return Format(_("unexpected arguments: %s"), {what.substr(prefix.size())});
  }
  // "--a requires --b", "--a excludes --b".
  const std::pair<std::string, const char*> kPairs[] = {
      {" requires ", _("%s requires %s")},
      {" excludes ", _("%s cannot be used with %s")},
  };
  for (const auto& [word, pattern] : kPairs) {
    size_t at = what.find(word);
    if (at != std::string::npos && what.find(' ') == at)
      return Format(pattern, {what.substr(0, at), what.substr(at + word.size())});
  }
  return what;
}

}  // namespace

size_t DisplayWidth(const std::string& utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + len > utf8.size()) len = 1;
    uint32_t cp = len == 1 ? lead : lead & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

// CLI::detail::format_help, with the padding counted in display columns.
std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  const std::string name = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
  const std::string description = make_option_desc(opt);
  const size_t column = get_column_width();
  std::string out = name;
  if (!description.empty()) {
    const size_t used = DisplayWidth(name);
    out += used >= column ? "\n" + std::string(column, ' ') : std::string(column - used, ' ');
    for (char c : description) {
      out += c;
      if (c == '\n') out += std::string(column, ' ');
    }
  }
  return out + "\n";
}

void TranslateHelp(CLI::App& app) {
  if (CurrentLanguage() == UiLanguage::kEnglish) return;
  Walk(&app, "custody",
       [](const std::string& text, const std::string&) { return std::string(Tr(text.c_str())); });
  // main reports parse errors through the top-level app's failure message.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return TranslateUsageError(e.what()) + "\n" + _("Run with --help for more information.") + "\n";
  });
}

void DumpHelpPot(CLI::App& app, std::ostream& out) {
  std::vector<std::string> order;  // first appearance order, as xgettext keeps
  std::map<std::string, std::vector<std::string>> places;
  Walk(&app, "custody", [&](const std::string& text, const std::string& where) {
    auto& p = places[text];
    if (p.empty()) order.push_back(text);
    p.push_back(where);
    return text;
  });
  out << "# Help strings of the custody command table (src/cli/help_i18n.h).\n"
         "msgid \"\"\nmsgstr \"\"\n"
         "\"Project-Id-Version: custody\\n\"\n"
         "\"MIME-Version: 1.0\\n\"\n"
         "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
         "\"Content-Transfer-Encoding: 8bit\\n\"\n";
  for (const std::string& text : order) {
    out << "\n";
    const auto& p = places[text];
    // A few places are enough to tell the translator the context.
    for (size_t i = 0; i < p.size() && i < 3; ++i) out << "#. " << p[i] << "\n";
    if (p.size() > 3) out << "#. (and " << p.size() - 3 << " more)\n";
    out << "msgid " << PoQuote(text) << "\nmsgstr \"\"\n";
  }
}

}  // namespace custody::cli
