// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The Debian package as a user gets it: built by CPack from this tree,
// unpacked with `dpkg -x` into an empty directory (no install, no chroot
// needed), and the unpacked binary runs, carries its manual page, bash
// completion and auditor kit, and runs the demo.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

bool HaveTool(const std::string& tool) {
  return RunCommand({"sh", "-c", "command -v " + tool}).exit_code == 0;
}

TEST(DebPackageTest, UnpacksAndRunsTheDemo) {
  if (!HaveTool("cpack") || !HaveTool("dpkg-deb") || !HaveTool("dpkg-shlibdeps")) {
    GTEST_SKIP() << "cpack, dpkg-deb or dpkg-shlibdeps missing (scripts/setup.sh installs them)";
  }
  TempDir dir;
  auto pack = RunCommand({"cpack", "-G", "DEB", "-B", dir.path() + "/out", "--config",
                          std::string(CUSTODY_BUILD_DIR) + "/CPackConfig.cmake"});
  ASSERT_EQ(pack.exit_code, 0) << pack.out << pack.err;
  std::string deb;
  for (const auto& e : fs::directory_iterator(dir.path() + "/out")) {
    if (e.path().extension() == ".deb") deb = e.path();
  }
  ASSERT_FALSE(deb.empty());

  const std::string root = dir.path() + "/root";
  auto unpack = RunCommand({"dpkg", "-x", deb, root});
  ASSERT_EQ(unpack.exit_code, 0) << unpack.err;
  const std::string bin = root + "/usr/bin/custody";

  // Depends names the package of every shared library the binary needs
  // (dpkg-shlibdeps), and the fonts the PDFs are set in.
  auto depends = RunCommand({"dpkg-deb", "-f", deb, "Depends"});
  ASSERT_EQ(depends.exit_code, 0) << depends.err;
  EXPECT_THAT(depends.out, HasSubstr("fonts-ipaexfont-gothic"));
  auto needed = RunCommand({"sh", "-c", "objdump -p '" + bin + "' | awk '/NEEDED/ {print $2}'"});
  ASSERT_EQ(needed.exit_code, 0) << needed.err;
  std::istringstream sonames(needed.out);
  int checked = 0;
  for (std::string soname; std::getline(sonames, soname);) {
    // Only the host architecture's copy: a multilib machine also has
    // libc6-i386's /lib32/libm.so.6, which the binary does not load.
    auto owner = RunCommand({"sh", "-c",
                             "dpkg -S \"*/$(gcc -print-multiarch)/" + soname +
                                 "\" | head -1 | cut -d: -f1"});
    ASSERT_EQ(owner.exit_code, 0);
    std::string package = owner.out.substr(0, owner.out.find('\n'));
    ASSERT_FALSE(package.empty()) << soname;
    EXPECT_THAT(depends.out, HasSubstr(package)) << soname;
    ++checked;
  }
  EXPECT_GE(checked, 4);  // libc, libstdc++, Crypto++, SQLite at least
  auto version = RunCommand({bin, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("custody 0.1.0"));

  // Generated from the command table: every top-level command is in both.
  auto man = RunCommand({"sh", "-c", "zcat " + root + "/usr/share/man/man1/custody.1.gz"});
  ASSERT_EQ(man.exit_code, 0);
  auto completion = ReadFileOrDie(root + "/usr/share/bash-completion/completions/custody");
  for (const char* cmd : {"init", "status", "log verify", "log prove", "log export"}) {
    EXPECT_THAT(man.out, HasSubstr(std::string(".SS \"custody ") + cmd + "\""));
  }
  EXPECT_THAT(completion, HasSubstr("complete -o default -F _custody custody"));
  struct stat st;
  ASSERT_EQ(stat((root + "/usr/share/custody/auditor/verify-evidence.py").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  EXPECT_EQ(ReadFileOrDie(root + "/usr/share/custody/auditor/verify-evidence.py"),
            ReadFileOrDie(std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py"));

  // The shipped demo, against the unpacked binary.
  auto demo = RunCommand({"bash", root + "/usr/share/custody/examples/demo.sh"}, "",
                         {"CUSTODY_BIN=" + bin, "TMPDIR=" + dir.path()});
  EXPECT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_THAT(demo.out, HasSubstr("demo OK"));
}

}  // namespace
}  // namespace custody
