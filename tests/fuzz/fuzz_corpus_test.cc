// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The fuzzers' regression test, in the normal build: every file of the
// committed corpus tests/data/fuzz/<target>/ (each crasher the fuzzers found,
// minimized, and inputs that reach deep into the parsers) goes through the
// same function as the libFuzzer target (fuzz/fuzz_targets.h). Each entry
// point must come back, with OK or with an error that has a message; a
// crash or a sanitizer report fails the test binary. See fuzz/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.h"

namespace custody::fuzz {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> CorpusFiles(const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(CUSTODY_TEST_DATA_DIR) / "fuzz" / target;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzCorpusTest : public testing::TestWithParam<Target> {};

TEST_P(FuzzCorpusTest, EveryInputGetsAStatusWithAMessage) {
  const Target& target = GetParam();
  const std::vector<fs::path> files = CorpusFiles(target.name);
  ASSERT_FALSE(files.empty()) << "no corpus in tests/data/fuzz/" << target.name;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const std::string input = ReadBytes(file);
    const Outcomes outcomes = target.run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    ASSERT_FALSE(outcomes.empty());
    for (const Outcome& o : outcomes) {
      if (!o.status.ok()) {
        EXPECT_FALSE(o.status.message().empty()) << o.entry_point << " failed without a message";
      }
    }
  }
}

// The empty input, which the corpus cannot hold as a file worth keeping.
TEST_P(FuzzCorpusTest, EmptyInputGetsAStatusWithAMessage) {
  const Outcomes outcomes = GetParam().run(reinterpret_cast<const uint8_t*>(""), 0);
  EXPECT_EQ(FirstBadOutcome(outcomes), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpusTest, testing::ValuesIn(Targets()),
                         [](const testing::TestParamInfo<Target>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace custody::fuzz
