// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/i18n.h"

#include <libintl.h>
#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <string>

namespace custody::cli {
namespace {

constexpr const char* kDomain = "custody";
UiLanguage g_language = UiLanguage::kEnglish;

bool StartsWithJa(const char* v) { return v != nullptr && std::strncmp(v, "ja", 2) == 0; }

// The value of --lang in argv, if any ("--lang ja" or "--lang=ja").
std::string LangArgument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (std::strcmp(argv[i], "--lang") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--lang=", 7) == 0) return argv[i] + 7;
  }
  return "";
}

// The catalog directory: next to the binary in a build tree
// (build/locale), else the installed share/locale.
std::string LocaleDir() {
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& candidate : {dir + "/locale", dir + "/../share/locale"}) {
      if (::access((candidate + "/ja/LC_MESSAGES/custody.mo").c_str(), R_OK) == 0) return candidate;
    }
  }
  return CUSTODY_LOCALEDIR;
}

}  // namespace

void SetUpLanguage(int argc, char** argv) {
  const bool have_locale = std::setlocale(LC_ALL, "") != nullptr;
  std::string lang = LangArgument(argc, argv);
  bool japanese;
  if (lang == "ja") {
    japanese = true;
  } else if (lang == "en") {
    japanese = false;
  } else {
    // POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG; LANGUAGE (a GNU
    // priority list) only refines a non-C locale.
    const char* all = std::getenv("LC_ALL");
    const char* messages = std::getenv("LC_MESSAGES");
    const char* primary = (all && *all)             ? all
                          : (messages && *messages) ? messages
                                                    : std::getenv("LANG");
    japanese = StartsWithJa(primary) ||
               (StartsWithJa(std::getenv("LANGUAGE")) && primary && *primary &&
                std::strcmp(primary, "C") != 0 && std::strcmp(primary, "POSIX") != 0);
  }
  if (!japanese) {
    g_language = UiLanguage::kEnglish;
    return;
  }
  // A machine may ask for Japanese without having the ja_JP locale
  // generated (Debian's default); C.UTF-8 always exists, and gettext then
  // follows LANGUAGE. Messages need UTF-8 output, nothing else from the
  // locale.
  if (!have_locale || std::strncmp(std::setlocale(LC_MESSAGES, nullptr), "ja", 2) != 0) {
    std::setlocale(LC_ALL, "C.UTF-8");
  }
  ::setenv("LANGUAGE", "ja", 1);
  ::bindtextdomain(kDomain, LocaleDir().c_str());
  ::bind_textdomain_codeset(kDomain, "UTF-8");
  g_language = UiLanguage::kJapanese;
}

UiLanguage CurrentLanguage() { return g_language; }

const char* Tr(const char* msgid) {
  if (g_language == UiLanguage::kEnglish || msgid == nullptr || *msgid == '\0') return msgid;
  return ::dgettext(kDomain, msgid);
}

}  // namespace custody::cli
