// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#ifndef CUSTODY_TESTS_SUPPORT_TEMP_DIR_H_
#define CUSTODY_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>
#include <vector>

namespace custody {

// A fresh directory under $TMPDIR, removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a command (argv[0] looked up in PATH) with optional stdin; captures
// stdout and stderr. Returns the exit status (or 128+signal).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::vector<std::string>& extra_env = {});

// Runs the custody binary built by this tree.
CommandResult RunCustody(const std::vector<std::string>& args, const std::string& input = "",
                         const std::vector<std::string>& extra_env = {});

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& data);
// Path of a file under tests/data.
std::string TestDataPath(const std::string& relative);

}  // namespace custody

#endif  // CUSTODY_TESTS_SUPPORT_TEMP_DIR_H_
