// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// package::MoveIntoPlace, the last step of `package open`: every entry of
// the verified extraction into the destination, or nothing.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "env/posix_io.h"
#include "package/package_internal.h"
#include "support/temp_dir.h"

namespace custody::package {
namespace {

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class MoveIntoPlaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = dir_.path() + "/temp";
    dest_ = dir_.path() + "/dest";
    std::filesystem::create_directories(temp_);
    std::filesystem::create_directories(dest_);
    // Someone's file already in the destination: never touched.
    WriteFileOrDie(dest_ + "/theirs.txt", "theirs");
    for (int i = 0; i < kEntries; ++i) {
      const std::string name = "住民" + std::to_string(i);
      if (i % 10 == 0) {
        std::filesystem::create_directories(temp_ + "/" + name + "/sub");
        WriteFileOrDie(temp_ + "/" + name + "/sub/f", std::to_string(i));
      } else {
        WriteFileOrDie(temp_ + "/" + name, std::to_string(i));
      }
      extracted_.push_back(name);
    }
    std::sort(extracted_.begin(), extracted_.end());
  }
  static constexpr int kEntries = 3000;
  TempDir dir_;
  std::string temp_, dest_;
  std::vector<std::string> extracted_;
};

TEST_F(MoveIntoPlaceTest, MovesEveryEntryAndLeavesOthersAlone) {
  ASSERT_TRUE(MoveIntoPlace(*Env::Default(), temp_, dest_).ok());
  EXPECT_TRUE(Names(temp_).empty());
  std::vector<std::string> expected = extracted_;
  expected.push_back("theirs.txt");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Names(dest_), expected);
  EXPECT_EQ(ReadFileOrDie(dest_ + "/住民20/sub/f"), "20");
  EXPECT_EQ(ReadFileOrDie(dest_ + "/住民2999"), "2999");
  EXPECT_EQ(ReadFileOrDie(dest_ + "/theirs.txt"), "theirs");
}

TEST_F(MoveIntoPlaceTest, AnExistingNameMovesNothing) {
  WriteFileOrDie(dest_ + "/住民1234", "someone else's");
  Status s = MoveIntoPlace(*Env::Default(), temp_, dest_);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find("住民1234 already exists"), std::string::npos) << s.message();
  EXPECT_EQ(Names(temp_), extracted_);
  EXPECT_EQ(Names(dest_), (std::vector<std::string>{"theirs.txt", "住民1234"}));
  EXPECT_EQ(ReadFileOrDie(dest_ + "/住民1234"), "someone else's");
}

// A failure part-way (here EIO on the 2,000th move) moves back everything
// moved, and only that: a name someone created in the destination
// meanwhile (the move of it fails with EEXIST) stays theirs. The 2,000
// names stay in the spill's memory; its file path is covered by
// crypto/sealed_spill_test.cc.
TEST_F(MoveIntoPlaceTest, AFailurePartWayMovesBackWhatWasMovedAndOnlyThat) {
  for (int fail_errno : {EIO, EEXIST}) {
    SCOPED_TRACE(fail_errno);
    int calls = 0;
    std::string failed_name;
    auto rename = [&](const std::string& from, const std::string& to) -> Status {
      if (++calls == 2000) {
        failed_name = std::filesystem::path(to).filename();
        // EEXIST: someone created the name after the check.
        if (fail_errno == EEXIST) WriteFileOrDie(to, "created meanwhile");
        return posix::ErrnoStatus("rename", from, fail_errno);
      }
      return Env::Default()->RenameNoReplace(from, to);
    };
    Status s = MoveIntoPlace(*Env::Default(), temp_, dest_, rename);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(failed_name), std::string::npos) << s.message();
    EXPECT_EQ(Names(temp_), extracted_);
    std::vector<std::string> left = {"theirs.txt"};
    if (fail_errno == EEXIST) left.push_back(failed_name);
    std::sort(left.begin(), left.end());
    EXPECT_EQ(Names(dest_), left);
    if (fail_errno == EEXIST) {
      EXPECT_EQ(ReadFileOrDie(dest_ + "/" + failed_name), "created meanwhile");
      std::filesystem::remove(dest_ + "/" + failed_name);
    }
    EXPECT_EQ(ReadFileOrDie(temp_ + "/住民1"), "1");
  }
}

}  // namespace
}  // namespace custody::package
