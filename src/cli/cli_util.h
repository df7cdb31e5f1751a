// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared plumbing of the custody command: opening the station, reading
// secrets from a TTY, a file or a file descriptor (never argv), logging setup.
#ifndef CUSTODY_SRC_CLI_CLI_UTIL_H_
#define CUSTODY_SRC_CLI_CLI_UTIL_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "custody/message_text.h"
#include "custody/secret.h"
#include "custody/station.h"

namespace custody::cli {

// Where a secret comes from: --passphrase-file PATH, --passphrase-fd N, or
// (when both are unset) the controlling terminal with echo off.
struct SecretSource {
  std::string file;
  int fd = -1;
  void AddOptions(CLI::App* app, const std::string& what);
};

// Reads one secret line. `prompt` is shown on the TTY; with `confirm`, the
// TTY asks twice and refuses a mismatch.
Result<SecretString> ReadSecret(const SecretSource& src, const std::string& prompt,
                                bool confirm = false);

// Opens the station named by --home / $CUSTODY_HOME, asking for the key
// passphrase through `src` if the key is protected.
Result<std::unique_ptr<Station>> OpenStation(const GlobalOptions& g,
                                             const SecretSource* src = nullptr);

// spdlog: warnings (or info/debug with -v) to stderr, and everything at info
// and above to <home>/logs/custody.log when the station directory exists.
// A C2SP verifier key given inline ("name+hex8+base64") or as a file holding it.
Result<std::string> ReadVerifierKeyArg(const std::string& arg);

void SetUpLogging(const GlobalOptions& g);

// Prints `text` to stdout, adding a final newline if missing.
void PrintLine(const std::string& text);

// `label` followed by spaces up to `width` display columns (at least one):
// aligns "label  value" lines whose labels are translated (kanji take two
// columns).
std::string PadLabel(const std::string& label, size_t width);
// The label column of a block of such lines: `english_width` (the English
// labels' column, so English output keeps its layout) or, where translated
// labels are wider, one column past the widest of `labels`.
size_t LabelColumn(const std::vector<const char*>& labels, size_t english_width);

// Whether anything was printed on stdout through PrintLine/PrintRaw: with
// --json, main prints an error document only when the command printed none.
bool StdoutWritten();
// Writes `bytes` to stdout as they are (no newline added).
void PrintRaw(const std::string& bytes);

// --json on one subcommand. The global --json (before the subcommand) sets
// the same flag; this one puts --json in the subcommand's help, and marks the
// subcommand as printing one JSON document on stdout with it. main refuses
// --json for a subcommand that did not declare it (man, completion: see
// docs/exit-codes.md), so a script never gets text where it expects JSON.
void AddJsonFlag(CLI::App* cmd, GlobalOptions& g);
bool AcceptsJson(const CLI::App* cmd);

// The CLI's own explanation of a failure, in the interface language, for the
// place the command knows best (e.g. "this package is not addressed to any
// key you hold" where the library says kWrongKey with an English detail).
// Returns `s` unchanged; PrintError shows `sentence` (a translated string)
// before the library's message when this very failure reaches main
// (same code and message). An empty sentence means the message is the
// command's own, already in the interface language.
Status Explain(Status s, StatusCode code, const char* sentence);
// The explanation recorded for this failure, or nullptr.
const char* ExplanationFor(const Status& s);

// Substitutes the %s placeholders of a translated pattern in order
// (translations may move them).
std::string Format(const char* pattern, const std::vector<std::string>& args);
inline std::string Format(const char* pattern, const std::string& arg) {
  return Format(pattern, std::vector<std::string>{arg});
}

// A failure whose message is the command's own sentence: `pattern` (marked
// N_, a constant English pattern) with `args` substituted. The Status keeps
// the English (--json error documents, logs); PrintError shows the
// translation with the same args in the interface language.
Status OwnError(StatusCode code, const char* pattern, const std::vector<std::string>& args);
// `s` with `in_interface_language` as the sentence PrintError shows for it
// when it reaches main (the Status keeps its English message for --json and
// logs). For failures whose wording the command already rendered.
Status WithOwnMessage(Status s, std::string in_interface_language);
// The interface-language message of an OwnError that reaches main, or nullptr.
const std::string* OwnMessageFor(const Status& s);

// Set (never cleared) once SIGINT, SIGTERM or SIGHUP arrives after
// InstallStopHandlers: long library calls take it as their `stop` flag and
// end cleanly (a wipe saves its position; a package open removes what it
// extracted) instead of dying with half their work on disk.
std::atomic<bool>& StopRequested();
void InstallStopHandlers();

// The confirmation before a command destroys a whole device: the operator
// types what identifies the drive itself — its serial number, or its kernel
// name when it reports none (`confirm_token`) — never the path they already
// typed on the command line, which proves nothing about which drive it is.
// Scripts pass --yes with --confirm-serial TOKEN (`yes`, `confirm`). The
// sentences are N_-marked English patterns; each takes (token, path) except
// `not_a_terminal` (path, token) and `prompt_*` (path, token).
struct DestructionTexts {
  const char* yes_needs_serial;  // --yes without the serial.
  const char* yes_needs_name;    // --yes without the name (no serial).
  const char* not_a_terminal;
  const char* prompt_serial;
  const char* prompt_name;
  const char* mismatch;  // No arguments.
};
Status ConfirmDestruction(const std::string& path, const std::string& confirm_token,
                          bool token_is_serial, bool yes, const std::vector<std::string>& confirm,
                          const DestructionTexts& texts);

// A library sentence (custody/message_text.h) in the interface language:
// every pattern looked up in the catalog, values shown as they are. English
// is text.English(), byte for byte.
std::string Render(const MessageText& text);
// A stable word of the library (a progress phase, a result name such as
// "completed") in the interface language: its catalog entry, or the word
// itself. The words a command may show are marked N_ where it lists them.
std::string Word(const std::string& word);

}  // namespace custody::cli

#endif  // CUSTODY_SRC_CLI_CLI_UTIL_H_
