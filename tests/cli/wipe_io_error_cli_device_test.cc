// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody wipe` on a device with sectors that cannot be written:
// a loop device over a sparse 8 MiB file on a 4 MiB tmpfs, where writes past
// the space tmpfs has fail with EIO (tests/erase/wipe_io_error_device_test.cc
// drives the library on the same setup, and says why the space ends at the
// middle of the device: where the engine's bisection cuts the failing
// chunk). The command must end with the exit status of completed-with-errors
// (7, io-error: docs/exit-codes.md), say so on its result line and name the
// failing range under it, record the range in the ledger (`custody wipe show
// ID --json`), and have written everything before it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::LoopDevice;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kDeviceBytes = 8 * kMiB;
constexpr uint64_t kTmpfsBytes = 4 * kMiB;

TEST(WipeIoErrorCliDeviceTest, CompletedWithErrorsExitsSevenAndRecordsTheFailingRange) {
  if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  // Declared in this order so that the loop device goes first, then the
  // tmpfs, then the directory (also when an assertion ends the test).
  TempDir dir;
  const std::string home = dir.path() + "/station";
  auto init = RunCustody({"--home", home, "init", "--organization", "株式会社サンプル", "--name",
                          "bench-1", "--operator", "佐藤花子", "--default-operator", "佐藤花子"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string mnt = dir.path() + "/small-tmpfs";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  testing::TmpfsMount tmpfs;
  std::string error;
  ASSERT_TRUE(tmpfs.Mount(mnt, kTmpfsBytes, &error)) << error;
  const std::string backing = mnt + "/disk.img";
  // Old data the zero pass must replace: 2 MiB of 0xAA, then a hole up to
  // the device's size (the space past what tmpfs has can only be a hole).
  WriteFileOrDie(backing, std::string(2 * kMiB, '\xAA'));
  ASSERT_EQ(::truncate(backing.c_str(), kDeviceBytes), 0);
  std::unique_ptr<LoopDevice> loop = LoopDevice::Attach(backing, &error);
  ASSERT_NE(loop, nullptr) << error;
  const std::string name = std::filesystem::path(loop->path()).filename();

  auto r = RunCustody({"--home", home, "--lang", "en", "wipe", loop->path(), "--yes",
                       "--confirm-serial", name, "--method", "zero"});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;  // io-error: completed with errors.
  EXPECT_THAT(r.out, HasSubstr("completed-with-errors: " + loop->path()));
  EXPECT_THAT(r.out + r.err, HasSubstr("could not be written"));

  // The ledger's final entry names the failing range: from about where
  // tmpfs ran out of space to the end of the device.
  auto log = RunCustody({"--home", home, "--json", "log", "show", "--type", "wipe"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::string id;
  std::istringstream log_lines(log.out);
  for (std::string line; std::getline(log_lines, line);) {
    auto e = nlohmann::json::parse(line);
    if (e["type"] == "wipe.completed") id = e["data"]["wipe_id"];
  }
  ASSERT_FALSE(id.empty()) << log.out;
  auto show = RunCustody({"--home", home, "--json", "wipe", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::vector<nlohmann::json> entries;
  std::istringstream lines(show.out);
  for (std::string line; std::getline(lines, line);) entries.push_back(nlohmann::json::parse(line));
  ASSERT_FALSE(entries.empty());
  const nlohmann::json& done = entries.back();
  EXPECT_EQ(done["type"], "wipe.completed");
  EXPECT_EQ(done["data"]["result"], "completed-with-errors");
  ASSERT_EQ(done["data"]["write_errors"].size(), 1u) << done.dump();
  // Each range is [offset, length] in bytes (docs/formats/wipe-record.md).
  const uint64_t bad_offset = done["data"]["write_errors"][0][0];
  const uint64_t bad_length = done["data"]["write_errors"][0][1];
  EXPECT_EQ(bad_offset + bad_length, kDeviceBytes);
  EXPECT_LE(bad_offset, kTmpfsBytes);
  EXPECT_GE(bad_offset, kTmpfsBytes - kMiB / 2);
  EXPECT_EQ(bad_offset % 512, 0u);
  // The result counts the same bytes and names the range, in bytes and LBAs.
  EXPECT_THAT(r.out, HasSubstr(std::to_string(bad_length) + " bytes could not be written"));
  EXPECT_THAT(r.out, HasSubstr("\n  not written:   bytes " + std::to_string(bad_offset) + "-" +
                               std::to_string(kDeviceBytes - 1) + " (LBA " +
                               std::to_string(bad_offset / 512) + "-" +
                               std::to_string(kDeviceBytes / 512 - 1) + ")\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("not read back")));
  bool pass_recorded = false;
  for (const auto& e : entries) {
    if (e["type"] != "wipe.pass.completed") continue;
    pass_recorded = true;
    ASSERT_EQ(e["data"]["write_errors"].size(), 1u);
    EXPECT_EQ(e["data"]["write_errors"][0][0], bad_offset);
  }
  EXPECT_TRUE(pass_recorded);

  // Everything before the failing range is zero in the backing file.
  const std::string image = ReadFileOrDie(backing);
  ASSERT_EQ(image.size(), kDeviceBytes);
  const auto nonzero = std::find_if(image.begin(), image.begin() + static_cast<long>(bad_offset),
                                    [](char c) { return c != '\0'; });
  EXPECT_EQ(nonzero - image.begin(), static_cast<long>(bad_offset)) << "first non-zero byte";
  loop.reset();  // Detach before the tmpfs is unmounted.
}

}  // namespace
}  // namespace custody
