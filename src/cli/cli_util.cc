// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/cli_util.h"

#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "cli/help_i18n.h"
#include "cli/i18n.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

bool g_stdout_written = false;
Result<SecretString> ReadLineFromFd(int fd, const std::string& what) {
  SecretString line(size_t{0});
  std::string buf;
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0) {
      // Ctrl-C at a prompt stops the command (the stop handlers do not
      // restart reads); any other interruption reads on.
      const int err = errno;
      if (err == EINTR && !StopRequested().load()) continue;
      WipeMemory(buf.data(), buf.size());
      if (err == EINTR) return InterruptedError("stopped at the prompt for " + what);
      return IoError("cannot read " + what);
    }
    if (n == 0 || c == '\n') break;
    buf.push_back(c);
    if (buf.size() > 4096) {
      WipeMemory(buf.data(), buf.size());
      return InvalidArgumentError(what + " is too long");
    }
  }
  if (!buf.empty() && buf.back() == '\r') buf.pop_back();
  SecretString s(buf);
  WipeMemory(buf.data(), buf.size());
  return s;
}

// The prompts the commands pass to ReadSecret, in plain English; marked here
// so that xgettext extracts them, and translated by ReadFromTty.
[[maybe_unused]] constexpr const char* kPrompts[] = {
    N_("station key passphrase"), N_("new station key passphrase"), N_("old LUKS passphrase"),
    N_("keystore passphrase"),    N_("new keystore passphrase"),    N_("package passphrase"),
    N_("passphrase to check"),
};

Result<SecretString> ReadFromTty(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return InvalidArgumentError(
        Format(_("no terminal to ask for the %s: give it with --passphrase-file FILE or "
                 "--passphrase-fd N"),
               Tr(prompt.c_str())));
  }
  std::string p = std::string(Tr(prompt.c_str())) + ": ";
  if (::write(fd, p.data(), p.size()) < 0) {
  }
  struct termios old {};
  bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  auto r = ReadLineFromFd(fd, prompt);
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  if (::write(fd, "\n", 1) < 0) {
  }
  ::close(fd);
  return r;
}

}  // namespace

void SecretSource::AddOptions(CLI::App* app, const std::string& what) {
  // English, like every help string: TranslateHelp (help_i18n.h) translates
  // the whole sentence, so `what` is translated with it.
  app->add_option("--passphrase-file", file,
                  Format("Read the %s from the first line of FILE", what));
  app->add_option("--passphrase-fd", fd, Format("Read the %s from file descriptor N", what));
}

Result<SecretString> ReadSecret(const SecretSource& src, const std::string& prompt, bool confirm) {
  if (!src.file.empty()) {
    int fd = ::open(src.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NotFoundError(Format(_("cannot open passphrase file %s"), src.file));
    auto r = ReadLineFromFd(fd, "passphrase file " + src.file);
    ::close(fd);
    return r;
  }
  if (src.fd >= 0) return ReadLineFromFd(src.fd, "passphrase fd " + std::to_string(src.fd));
  CUSTODY_ASSIGN_OR_RETURN(SecretString first, ReadFromTty(prompt));
  if (confirm) {
    CUSTODY_ASSIGN_OR_RETURN(SecretString again,
                             ReadFromTty(Format(_("%s (again)"), Tr(prompt.c_str()))));
    if (again.view() != first.view()) return InvalidArgumentError(_("the two entries differ"));
  }
  return first;
}

Result<std::unique_ptr<Station>> OpenStation(const GlobalOptions& g, const SecretSource* src) {
  SecretSource source = src ? *src : SecretSource{g.key_passphrase_file, g.key_passphrase_fd};
  auto station = Station::Open(
      g.home, [source]() { return ReadSecret(source, "station key passphrase"); }, Env::Default());
  if (!station.ok()) {
    Explain(station.status(), StatusCode::kNotFound,
            _("This station has not been set up: run `custody init` first, or give the station "
              "directory with --home."))
        .IgnoreError();
    Explain(station.status(), StatusCode::kWrongKey,
            _("The station key's passphrase is wrong or missing: give it with "
              "--key-passphrase-file FILE or --key-passphrase-fd N."))
        .IgnoreError();
  }
  return station;
}

void SetUpLogging(const GlobalOptions& g) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(g.verbosity >= 2   ? spdlog::level::debug
                     : g.verbosity == 1 ? spdlog::level::info
                                        : spdlog::level::warn);
  console->set_pattern("custody: %^%l%$: %v");
  std::vector<spdlog::sink_ptr> sinks{console};
  std::string logs = ResolveStationHome(g.home) + "/logs";
  if (::access(logs.c_str(), W_OK) == 0) {
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logs + "/custody.log");
      file->set_level(spdlog::level::info);
      file->set_pattern("%Y-%m-%dT%H:%M:%S%z [%l] [pid %P] %v");
      sinks.push_back(file);
    } catch (const spdlog::spdlog_ex&) {
      // An unwritable log file must not stop the work; stderr still has it.
    }
  }
  auto logger = std::make_shared<spdlog::logger>("custody", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

Result<std::string> ReadVerifierKeyArg(const std::string& arg) {
  if (arg.find('+') != std::string::npos) return arg;
  CUSTODY_ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(arg));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string Format(const char* pattern, const std::vector<std::string>& args) {
  std::string p(pattern), out;
  size_t from = 0, next = 0;
  for (size_t at; (at = p.find("%s", from)) != std::string::npos; from = at + 2) {
    out += p.substr(from, at - from);
    if (next < args.size()) out += args[next++];
  }
  return out + p.substr(from);
}

namespace {
std::set<const CLI::App*>& JsonCommands() {
  static auto* commands = new std::set<const CLI::App*>;
  return *commands;
}
// Keyed by the whole failure (code and message), so that an explained
// failure the command recovered from (no station: carry on without one)
// does not explain a different error later.
std::map<std::pair<StatusCode, std::string>, const char*>& Explanations() {
  static auto* explanations = new std::map<std::pair<StatusCode, std::string>, const char*>;
  return *explanations;
}
}  // namespace

void AddJsonFlag(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_flag("--json", g.json, "Print the result as one JSON document on stdout");
  JsonCommands().insert(cmd);
}

bool AcceptsJson(const CLI::App* cmd) { return JsonCommands().count(cmd) != 0; }

Status Explain(Status s, StatusCode code, const char* sentence) {
  if (!s.ok() && s.code() == code) Explanations()[{code, s.message()}] = sentence;
  return s;
}

const char* ExplanationFor(const Status& s) {
  auto it = Explanations().find({s.code(), s.message()});
  return it == Explanations().end() ? nullptr : it->second;
}

namespace {
std::map<std::pair<StatusCode, std::string>, std::string>& OwnMessages() {
  static auto* messages = new std::map<std::pair<StatusCode, std::string>, std::string>;
  return *messages;
}
}  // namespace

Status OwnError(StatusCode code, const char* pattern, const std::vector<std::string>& args) {
  Status s(code, Format(pattern, args));
  OwnMessages()[{code, s.message()}] = Format(Tr(pattern), args);
  return s;
}

std::atomic<bool>& StopRequested() {
  static std::atomic<bool> stop{false};
  return stop;
}

namespace {
void OnStopSignal(int) { StopRequested().store(true); }
}  // namespace

void InstallStopHandlers() {
  static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
  StopRequested();  // Constructed before any handler can run.
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal the caller chose to ignore stays ignored (nohup, a job
    // started in the background by a non-interactive shell).
    struct sigaction old = {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

Status ConfirmDestruction(const std::string& path, const std::string& confirm_token,
                          bool token_is_serial, bool yes, const std::vector<std::string>& confirm,
                          const DestructionTexts& texts) {
  if (yes) {
    for (const std::string& c : confirm) {
      if (c == confirm_token) return Status::Ok();
    }
    return OwnError(StatusCode::kCancelled,
                    token_is_serial ? texts.yes_needs_serial : texts.yes_needs_name,
                    {confirm_token, path});
  }
  if (::isatty(0) != 1) return OwnError(StatusCode::kCancelled, texts.not_a_terminal, {path, confirm_token});
  std::fprintf(stderr, "%s",
               Format(Tr(token_is_serial ? texts.prompt_serial : texts.prompt_name), {path, confirm_token})
                   .c_str());
  std::fflush(stderr);
  std::string line;
  if (!std::getline(std::cin, line) || line != confirm_token) {
    return OwnError(StatusCode::kCancelled, texts.mismatch, {});
  }
  return Status::Ok();
}

Status WithOwnMessage(Status s, std::string in_interface_language) {
  if (!s.ok()) OwnMessages()[{s.code(), s.message()}] = std::move(in_interface_language);
  return s;
}

const std::string* OwnMessageFor(const Status& s) {
  auto it = OwnMessages().find({s.code(), s.message()});
  return it == OwnMessages().end() ? nullptr : &it->second;
}

std::string Render(const MessageText& text) {
  if (text.is_value) return text.pattern;
  std::vector<std::string> args;
  args.reserve(text.args.size());
  for (const MessageText& a : text.args) args.push_back(Render(a));
  return Format(Tr(text.pattern.c_str()), args);
}

std::string Word(const std::string& word) { return Tr(word.c_str()); }

std::string PadLabel(const std::string& label, size_t width) {
  size_t used = DisplayWidth(label);
  return label + std::string(used < width ? width - used : 1, ' ');
}

size_t LabelColumn(const std::vector<const char*>& labels, size_t english_width) {
  size_t width = english_width;
  for (const char* label : labels) width = std::max(width, DisplayWidth(label) + 1);
  return width;
}

bool StdoutWritten() { return g_stdout_written; }

void PrintRaw(const std::string& bytes) {
  g_stdout_written = true;
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
}

void PrintLine(const std::string& text) {
  g_stdout_written = true;
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
}

}  // namespace custody::cli
