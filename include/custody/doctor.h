// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// `custody doctor`: checks that a station and this machine can do custody's
// work, and says what to fix. Read-only: it never unlocks the signing key,
// never writes to the station, and never touches a device.
//
// Thread safety: RunDoctor may be called from any thread; it opens its own
// handles.
#ifndef CUSTODY_DOCTOR_H_
#define CUSTODY_DOCTOR_H_

#include <string>
#include <vector>

#include "custody/message_text.h"

namespace custody {

class Env;

enum class DoctorLevel {
  kOk,       // Works.
  kWarning,  // Works, but something is weaker than it should be, or an
             // optional capability (a tool for interop or device access) is
             // missing.
  kError,    // Something custody needs is broken; the fix says what to do.
};

struct DoctorCheck {
  std::string id;  // Stable identifier ("station.ledger", "tool.age").
  DoctorLevel level = DoctorLevel::kOk;
  std::string detail;      // What was found (English: detail_text substituted).
  std::string fix;         // What to do about it (empty when OK; fix_text substituted).
  // The same sentences as constant English patterns and their values
  // (custody/message_text.h), for an interface in the user's language.
  MessageText detail_text;
  MessageText fix_text;
};

struct DoctorReport {
  std::vector<DoctorCheck> checks;
  bool has_errors() const {
    for (const auto& c : checks)
      if (c.level == DoctorLevel::kError) return true;
    return false;
  }
};

// Runs every check. `home` is the resolved station directory (it may not
// exist: that is reported, not returned as an error). `path` is the PATH to
// search for external tools.
DoctorReport RunDoctor(const std::string& home, const std::string& path, Env* env);

}  // namespace custody

#endif  // CUSTODY_DOCTOR_H_
