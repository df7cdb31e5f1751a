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

namespace custody {

class Env;

enum class DoctorLevel {
  kOk,       // Works.
  kWarning,  // Works, but something is weaker than it should be, or an
             // optional capability (a tool for interop or device access) is
             // missing.
  kError,    // Something custody needs is broken; the fix says what to do.
};

// A sentence kept as a constant English pattern and its values: `pattern`
// has one "%s" per element of `args`, in order. Patterns are stable string
// constants (an interface may look them up in a message catalog and
// substitute the same args into the translation); args are values (paths,
// modes, counts, library messages) and are never translated.
struct DoctorText {
  std::string pattern;
  std::vector<std::string> args;
};

struct DoctorCheck {
  std::string id;  // Stable identifier ("station.ledger", "tool.age").
  DoctorLevel level = DoctorLevel::kOk;
  std::string detail;      // What was found (English: detail_text substituted).
  std::string fix;         // What to do about it (empty when OK; fix_text substituted).
  DoctorText detail_text;  // The same sentences as pattern + values.
  DoctorText fix_text;
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
