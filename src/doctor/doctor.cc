// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/doctor.h"

#include <unistd.h>

#include <sstream>

#include "custody/env.h"
#include "custody/station.h"
#include "report/document.h"
#include "station/signing_key.h"

namespace custody {
namespace {

void Add(DoctorReport* r, std::string id, DoctorLevel level, std::string detail,
         std::string fix = "") {
  r->checks.push_back({std::move(id), level, std::move(detail), std::move(fix)});
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
    Add(r, "station", DoctorLevel::kError, "no station at " + home,
        "create one with `custody init --organization NAME --name STATION`, or point --home / "
        "$CUSTODY_HOME at an existing one");
    return;
  }
  // No passphrase provider: doctor never unlocks the key.
  auto station = Station::Open(home, nullptr, env);
  if (!station.ok()) {
    Add(r, "station", DoctorLevel::kError,
        "station.json cannot be read: " + station.status().message(),
        "restore station.json from a backup of the station directory");
    return;
  }
  const StationConfig& c = (*station)->config();
  Add(r, "station", DoctorLevel::kOk, c.station_name + " of " + c.organization + " (" + home + ")");

  unsigned mode = 0;
  if (!ModeIs(env, home, 0700, &mode)) {
    Add(r, "station.permissions", DoctorLevel::kWarning, "the station directory is " + Octal(mode),
        "chmod 700 " + home);
  }
  const std::string key_path = home + "/keys/signing.key";
  auto key_file = env->ReadFile(key_path);
  if (!key_file.ok()) {
    Add(r, "station.key", DoctorLevel::kError,
        "the signing key cannot be read: " + key_file.status().message(),
        "restore keys/signing.key from the station's backup; without it nothing can be recorded");
  } else {
    if (!ModeIs(env, key_path, 0600, &mode)) {
      Add(r, "station.key.permissions", DoctorLevel::kError,
          "the signing key file is " + Octal(mode), "chmod 600 " + key_path);
    }
    if (station::IsProtectedKeyFile(*key_file)) {
      Add(r, "station.key", DoctorLevel::kOk, "signing key present, protected by a passphrase");
    } else {
      auto key = station::DecodeSigningKey(*key_file, nullptr);
      if (!key.ok()) {
        Add(r, "station.key", DoctorLevel::kError,
            "the signing key file is damaged: " + key.status().message(),
            "restore keys/signing.key from the station's backup");
      } else if (key->public_key != (*station)->public_key()) {
        Add(r, "station.key", DoctorLevel::kError,
            "the signing key is not the key named in station.json",
            "restore the matching keys/signing.key; never mix files of two stations");
      } else {
        Add(r, "station.key", DoctorLevel::kWarning,
            "signing key present but not protected by a passphrase",
            "keep the station on an encrypted disk, or create stations with `custody init "
            "--protect-key`");
      }
    }
    WipeMemory(key_file->data(), key_file->size());
  }

  auto ledger = (*station)->ledger();
  if (!ledger.ok()) {
    Add(r, "station.ledger", DoctorLevel::kError,
        "the ledger cannot be opened: " + ledger.status().message(),
        "restore ledger.db from a backup, then run `custody log verify --against` a checkpoint you "
        "handed out");
    return;
  }
  auto verified = (*ledger)->Verify();
  if (!verified.ok()) {
    Add(r, "station.ledger", DoctorLevel::kError,
        "the ledger does not verify: " + verified.status().message(),
        "stop recording; keep ledger.db as evidence and compare it with the checkpoints handed to "
        "clients");
  } else {
    Add(r, "station.ledger", DoctorLevel::kOk,
        "ledger verifies: " + std::to_string(verified->entries) + " entries, root " +
            verified->root_hash_hex.substr(0, 16) + "…");
  }
}

void CheckFonts(DoctorReport* r) {
  report::Document doc;
  doc.title = {"診断", "doctor"};
  doc.created = "2026-01-01T00:00:00Z";
  auto pdf = report::RenderPdf(doc);
  if (pdf.ok()) {
    Add(r, "fonts", DoctorLevel::kOk, "Japanese fonts for PDF documents are installed");
  } else if (pdf.status().code() == StatusCode::kUnsupported) {
    Add(r, "fonts", DoctorLevel::kError, pdf.status().message(),
        "apt-get install fonts-ipaexfont-gothic fonts-ipaexfont-mincho");
  } else {
    Add(r, "fonts", DoctorLevel::kError, "PDF rendering fails: " + pdf.status().message(),
        "reinstall libcairo2 and libpango-1.0-0");
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
    const char* why;
    const char* package;
  };
  const Tool tools[] = {
      {"age", "recipients without custody open packages with it; interop checks", "age"},
      {"python3", "the auditor's independent verifier (verify-evidence.py)", "python3"},
      {"cryptsetup", "inspecting LUKS volumes before and after crypto-erase", "cryptsetup-bin"},
      {"7z", "checking AES-zip packages as 7-Zip users will open them", "p7zip-full"},
      {"losetup", "wiping disk images through loop devices", "util-linux"},
  };
  for (const Tool& t : tools) {
    std::string where = FindTool(path, t.name, env);
    if (!where.empty()) {
      Add(r, std::string("tool.") + t.name, DoctorLevel::kOk, where);
    } else {
      Add(r, std::string("tool.") + t.name, DoctorLevel::kWarning,
          std::string("not found; used for ") + t.why, std::string("apt-get install ") + t.package);
    }
  }
  // Ed25519 for the auditor script: python3-cryptography or openssl.
  if (FindTool(path, "openssl", env).empty() &&
      !env->FileExists("/usr/lib/python3/dist-packages/cryptography/__init__.py")) {
    Add(r, "tool.ed25519", DoctorLevel::kWarning,
        "neither openssl nor python3-cryptography: verify-evidence.py cannot check signatures here",
        "apt-get install python3-cryptography (or openssl)");
  }
}

void CheckDeviceAccess(Env* env, DoctorReport* r) {
  // Device sanitize and whole-device wipes need raw access (O_EXCL opens,
  // SG_IO and NVMe admin passthrough are root-only on Linux).
  if (::geteuid() == 0) {
    Add(r, "devices.privileges", DoctorLevel::kOk,
        "running as root: device wipe and purge are possible");
  } else {
    Add(r, "devices.privileges", DoctorLevel::kWarning,
        "not root: whole-device wipe, purge and device identification need root",
        "run device commands with sudo (files and packages do not need it)");
  }
  if (!env->FileExists("/sys/block")) {
    Add(r, "devices.sysfs", DoctorLevel::kWarning,
        "/sys/block is missing: device identity cannot be read",
        "mount sysfs (mount -t sysfs sysfs /sys)");
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
