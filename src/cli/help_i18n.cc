// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/help_i18n.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

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

// Substitutes the %s of a translated pattern in order.
std::string Format(const char* pattern, const std::vector<std::string>& args) {
  std::string out(pattern);
  size_t from = 0;
  for (const std::string& arg : args) {
    size_t at = out.find("%s", from);
    if (at == std::string::npos) break;
    out.replace(at, 2, arg);
    from = at + arg.size();
  }
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
