// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/doctor.h"

#include <unistd.h>

#include <sstream>

#include "common/catalog_mark.h"
#include "custody/env.h"
#include "custody/station.h"
#include "report/document.h"
#include "station/signing_key.h"

namespace custody {
namespace {

// A sentence: a constant pattern and its values (paths, modes, counts,
// library messages), which are never translated.
MessageText Text(const char* pattern, const std::vector<std::string>& values = {}) {
  std::vector<MessageText> args;
  args.reserve(values.size());
  for (const std::string& v : values) args.push_back(MessageText::Value(v));
  return MessageText::Of(pattern, std::move(args));
}

void Add(DoctorReport* r, std::string id, DoctorLevel level, MessageText detail, MessageText fix = {}) {
  DoctorCheck c;
  c.id = std::move(id);
  c.level = level;
  c.detail = detail.English();
  c.fix = fix.English();
  c.detail_text = std::move(detail);
  c.fix_text = std::move(fix);
  r->checks.push_back(std::move(c));
}

// File modes are part of the secret-handling contract (keys 0600, station
// 0700): a readable key is a finding even though custody itself works. An
// environment that cannot tell is not a finding.
bool ModeIs(Env* env, const std::string& path, unsigned want, unsigned* got) {
  auto mode = env->GetFileMode(path);
  if (!mode.ok()) return mode.status().code() == StatusCode::kUnsupported;
  *got = *mode & 0777;
  return *got == want;
}

std::string Octal(unsigned mode) {
  std::ostringstream o;
  o << '0' << std::oct << mode;
  return o.str();
}

void CheckStation(const std::string& home, Env* env, DoctorReport* r) {
  if (!env->FileExists(home + "/station.json")) {
    Add(r, "station", DoctorLevel::kError, Text(N_("no station at %s"), {home}),
        Text(N_("create one with `custody init --organization NAME --name STATION`, or point "
                "--home / $CUSTODY_HOME at an existing one")));
    return;
  }
  // No passphrase provider: doctor never unlocks the key.
  auto station = Station::Open(home, nullptr, env);
  if (!station.ok()) {
    Add(r, "station", DoctorLevel::kError,
        Text(N_("station.json cannot be read: %s"), {station.status().message()}),
        Text(N_("restore station.json from a backup of the station directory")));
    return;
  }
  const StationConfig& c = (*station)->config();
  Add(r, "station", DoctorLevel::kOk,
      Text(N_("%s of %s (%s)"), {c.station_name, c.organization, home}));

  unsigned mode = 0;
  if (!ModeIs(env, home, 0700, &mode)) {
    Add(r, "station.permissions", DoctorLevel::kWarning,
        Text(N_("the station directory is %s"), {Octal(mode)}), Text("chmod 700 %s", {home}));
  }
  const std::string key_path = home + "/keys/signing.key";
  auto key_file = env->ReadFile(key_path);
  if (!key_file.ok()) {
    Add(r, "station.key", DoctorLevel::kError,
        Text(N_("the signing key cannot be read: %s"), {key_file.status().message()}),
        Text(N_("restore keys/signing.key from the station's backup; without it nothing can be "
                "recorded")));
  } else {
    if (!ModeIs(env, key_path, 0600, &mode)) {
      Add(r, "station.key.permissions", DoctorLevel::kError,
          Text(N_("the signing key file is %s"), {Octal(mode)}), Text("chmod 600 %s", {key_path}));
    }
    if (station::IsProtectedKeyFile(*key_file)) {
      Add(r, "station.key", DoctorLevel::kOk,
          Text(N_("signing key present, protected by a passphrase")));
    } else {
      auto key = station::DecodeSigningKey(*key_file, nullptr);
      if (!key.ok()) {
        Add(r, "station.key", DoctorLevel::kError,
            Text(N_("the signing key file is damaged: %s"), {key.status().message()}),
            Text(N_("restore keys/signing.key from the station's backup")));
      } else if (key->public_key != (*station)->public_key()) {
        Add(r, "station.key", DoctorLevel::kError,
            Text(N_("the signing key is not the key named in station.json")),
            Text(N_("restore the matching keys/signing.key; never mix files of two stations")));
      } else {
        Add(r, "station.key", DoctorLevel::kWarning,
            Text(N_("signing key present but not protected by a passphrase")),
            Text(N_("keep the station on an encrypted disk, or create stations with `custody "
                    "init --protect-key`")));
      }
    }
    WipeMemory(key_file->data(), key_file->size());
  }

  auto ledger = (*station)->ledger();
  if (!ledger.ok()) {
    Add(r, "station.ledger", DoctorLevel::kError,
        Text(N_("the ledger cannot be opened: %s"), {ledger.status().message()}),
        Text(N_("restore ledger.db from a backup, then run `custody log verify --against` a "
                "checkpoint you handed out")));
    return;
  }
  auto verified = (*ledger)->Verify();
  if (!verified.ok()) {
    Add(r, "station.ledger", DoctorLevel::kError,
        Text(N_("the ledger does not verify: %s"), {verified.status().message()}),
        Text(N_("stop recording; keep ledger.db as evidence and compare it with the checkpoints "
                "handed to clients")));
  } else {
    Add(r, "station.ledger", DoctorLevel::kOk,
        Text(N_("ledger verifies: %s entries, root %s…"),
             {std::to_string(verified->entries), verified->root_hash_hex.substr(0, 16)}));
  }
}

void CheckFonts(DoctorReport* r) {
  report::Document doc;
  doc.title = {"診断", "doctor"};
  doc.created = "2026-01-01T00:00:00Z";
  auto pdf = report::RenderPdf(doc);
  if (pdf.ok()) {
    Add(r, "fonts", DoctorLevel::kOk, Text(N_("Japanese fonts for PDF documents are installed")));
  } else if (pdf.status().code() == StatusCode::kUnsupported) {
    // The renderer's own message (English): a value, not a pattern.
    Add(r, "fonts", DoctorLevel::kError, Text("%s", {pdf.status().message()}),
        Text("apt-get install fonts-ipaexfont-gothic fonts-ipaexfont-mincho"));
  } else {
    Add(r, "fonts", DoctorLevel::kError,
        Text(N_("PDF rendering fails: %s"), {pdf.status().message()}),
        Text(N_("reinstall libcairo2 and libpango-1.0-0")));
  }
}

std::string FindTool(const std::string& path, const std::string& tool, Env* env) {
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    if (env->FileExists(dir + "/" + tool)) return dir + "/" + tool;
  }
  return "";
}

void CheckTools(const std::string& path, Env* env, DoctorReport* r) {
  struct Tool {
    const char* name;
    const char* missing;  // Whole sentence: one pattern to translate.
    const char* package;
  };
  const Tool tools[] = {
      {"age",
       N_("not found; used for recipients without custody open packages with it; interop "
          "checks"),
       "age"},
      {"python3",
       N_("not found; used for the auditor's independent verifier "
          "(verify-evidence.py)"),
       "python3"},
      {"cryptsetup",
       N_("not found; used for inspecting LUKS volumes before and after "
          "crypto-erase"),
       "cryptsetup-bin"},
      {"7z", N_("not found; used for checking AES-zip packages as 7-Zip users will open them"),
       "p7zip-full"},
      {"losetup", N_("not found; used for wiping disk images through loop devices"), "util-linux"},
  };
  for (const Tool& t : tools) {
    std::string where = FindTool(path, t.name, env);
    if (!where.empty()) {
      Add(r, std::string("tool.") + t.name, DoctorLevel::kOk, Text("%s", {where}));
    } else {
      Add(r, std::string("tool.") + t.name, DoctorLevel::kWarning, Text(t.missing),
          Text("apt-get install %s", {t.package}));
    }
  }
  // Ed25519 for the auditor script: python3-cryptography or openssl.
  if (FindTool(path, "openssl", env).empty() &&
      !env->FileExists("/usr/lib/python3/dist-packages/cryptography/__init__.py")) {
    Add(r, "tool.ed25519", DoctorLevel::kWarning,
        Text(N_("neither openssl nor python3-cryptography: verify-evidence.py cannot check "
                "signatures here")),
        Text(N_("apt-get install python3-cryptography (or openssl)")));
  }
}

void CheckDeviceAccess(Env* env, DoctorReport* r) {
  // Device sanitize and whole-device wipes need raw access (O_EXCL opens,
  // SG_IO and NVMe admin passthrough are root-only on Linux).
  if (::geteuid() == 0) {
    Add(r, "devices.privileges", DoctorLevel::kOk,
        Text(N_("running as root: device wipe and purge are possible")));
  } else {
    Add(r, "devices.privileges", DoctorLevel::kWarning,
        Text(N_("not root: whole-device wipe, purge and device identification need root")),
        Text(N_("run device commands with sudo (files and packages do not need it)")));
  }
  if (!env->FileExists("/sys/block")) {
    Add(r, "devices.sysfs", DoctorLevel::kWarning,
        Text(N_("/sys/block is missing: device identity cannot be read")),
        Text(N_("mount sysfs (mount -t sysfs sysfs /sys)")));
  }
}

}  // namespace

DoctorReport RunDoctor(const std::string& home, const std::string& path, Env* env) {
  DoctorReport report;
  CheckStation(home, env, &report);
  CheckFonts(&report);
  CheckTools(path, env, &report);
  CheckDeviceAccess(env, &report);
  return report;
}

}  // namespace custody
