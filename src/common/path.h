// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Path text helpers (no file system access).
#ifndef CUSTODY_SRC_COMMON_PATH_H_
#define CUSTODY_SRC_COMMON_PATH_H_

#include <string>

namespace custody {

// The directory that holds `path`: "." for a bare name, "/" for a name in
// the root. The path is not normalised ("a/b/" gives "a/b").
inline std::string ParentDir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace custody

#endif  // CUSTODY_SRC_COMMON_PATH_H_
