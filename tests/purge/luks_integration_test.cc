// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// LUKS crypto-erase on file-backed LUKS1 and LUKS2 volumes made by the real
// cryptsetup (PBKDF2 with 1000 iterations, so each format takes
// milliseconds), checked afterwards with the real cryptsetup: the old
// passphrase no longer opens the volume and luksDump lists no keyslot.
#include "custody/luks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

constexpr char kPass1[] = "correct horse battery staple";
constexpr char kPass2[] = "second passphrase 2";

class LuksTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    image_ = dir_.path() + "/volume.img";
    ASSERT_EQ(RunCommand({"truncate", "-s", "32M", image_}).exit_code, 0);
    auto r = RunCommand({"cryptsetup", "luksFormat", "--batch-mode", "--type", GetParam(),
                         "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000",
                         "--key-file", "-", image_},
                        kPass1);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    WriteFileOrDie(dir_.path() + "/pass1", kPass1);
    r = RunCommand({"cryptsetup", "luksAddKey", "--batch-mode", "--pbkdf", "pbkdf2",
                    "--pbkdf-force-iterations", "1000", "--key-file", dir_.path() + "/pass1",
                    image_, "-"},
                   kPass2);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(Opens(kPass1));
    ASSERT_TRUE(Opens(kPass2));
  }

  bool Opens(const std::string& pass) {
    return RunCommand({"cryptsetup", "open", "--test-passphrase", "--key-file", "-", image_}, pass)
               .exit_code == 0;
  }

  LuksEraseOptions Options(bool wipe_header) {
    LuksEraseOptions o;
    o.wipe_header = wipe_header;
    o.old_passphrase.emplace(kPass1);
    o.record = [this](std::string_view type, std::string_view data) {
      events_.emplace_back(std::string(type), nlohmann::json::parse(data));
      return Status::Ok();
    };
    return o;
  }

  TempDir dir_;
  std::string image_;
  std::vector<std::pair<std::string, nlohmann::json>> events_;
};

TEST_P(LuksTest, InspectRecordsParametersFirst) {
  auto info = InspectLuks(image_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->type, GetParam() == "luks1" ? "LUKS1" : "LUKS2");
  EXPECT_EQ(info->uuid.size(), 36u);
  EXPECT_EQ(info->cipher, "aes");
  EXPECT_EQ(info->cipher_mode, "xts-plain64");
  EXPECT_EQ(info->volume_key_bits, 512);
  ASSERT_EQ(info->keyslots.size(), 2u);
  EXPECT_EQ(info->keyslots[0], (std::pair<int, std::string>{0, "active"}));
  EXPECT_GT(info->header_bytes, 0u);
  EXPECT_EQ(info->header_sha256_hex.size(), 64u);
  const auto dump = RunCommand({"cryptsetup", "luksUUID", image_});
  EXPECT_EQ(dump.out, info->uuid + "\n");
}

TEST_P(LuksTest, CryptoEraseDestroysEveryKeyslot) {
  const auto before = InspectLuks(image_);
  ASSERT_TRUE(before.ok());
  auto report = CryptoEraseLuks(image_, Options(false));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->destroyed_keyslots, (std::vector<int>{0, 1}));
  EXPECT_FALSE(report->header_wiped);
  EXPECT_NE(report->warning.find("luksHeaderBackup"), std::string::npos);

  EXPECT_FALSE(Opens(kPass1));
  EXPECT_FALSE(Opens(kPass2));
  const auto dump = RunCommand({"cryptsetup", "luksDump", image_});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  if (GetParam() == "luks1") {
    EXPECT_EQ(dump.out.find("ENABLED"), std::string::npos) << dump.out;
    EXPECT_NE(dump.out.find("Key Slot 0: DISABLED"), std::string::npos) << dump.out;
  } else {
    // LUKS2 prints the Keyslots section header and nothing under it.
    const auto at = dump.out.find("Keyslots:");
    ASSERT_NE(at, std::string::npos);
    const auto next = dump.out.find("Tokens:", at);
    EXPECT_EQ(dump.out.substr(at, next - at).find("luks2"), std::string::npos) << dump.out;
  }
  // The record: parameters before, the destruction after.
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].first, "crypto-erase.luks.started");
  EXPECT_EQ(events_[0].second["uuid"], before->uuid);
  EXPECT_EQ(events_[0].second["cipher_mode"], "xts-plain64");
  EXPECT_EQ(events_[0].second["volume_key_bits"], 512);
  EXPECT_EQ(events_[0].second["keyslots"].size(), 2u);
  EXPECT_EQ(events_[1].first, "crypto-erase.luks.completed");
  EXPECT_EQ(events_[1].second["remaining_usable_keyslots"], 0);
  for (const auto& e : events_) {
    EXPECT_EQ(e.second.dump().find(kPass1), std::string::npos);  // No secret in the record.
  }
  // The UUID survives (the record names it); the header digest changed.
  auto after = InspectLuks(image_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->uuid, before->uuid);
  EXPECT_TRUE(after->keyslots.empty());
  EXPECT_NE(after->header_sha256_hex, before->header_sha256_hex);
}

TEST_P(LuksTest, WipeHeaderLeavesNoLuksAtAll) {
  auto report = CryptoEraseLuks(image_, Options(true));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->header_wiped);
  EXPECT_FALSE(Opens(kPass1));
  EXPECT_NE(RunCommand({"cryptsetup", "isLuks", image_}).exit_code, 0);
  EXPECT_NE(RunCommand({"cryptsetup", "luksDump", image_}).exit_code, 0);
  EXPECT_EQ(InspectLuks(image_).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(LuksTest, AHeaderBackupStillOpensTheVolume) {
  // Why the warning exists: a backup taken before the erase restores access.
  const std::string backup = dir_.path() + "/header.bak";
  ASSERT_EQ(RunCommand({"cryptsetup", "luksHeaderBackup", image_, "--header-backup-file", backup})
                .exit_code,
            0);
  ASSERT_TRUE(CryptoEraseLuks(image_, Options(false)).ok());
  ASSERT_FALSE(Opens(kPass1));
  ASSERT_EQ(RunCommand({"cryptsetup", "luksHeaderRestore", "--batch-mode", image_,
                        "--header-backup-file", backup})
                .exit_code,
            0);
  EXPECT_TRUE(Opens(kPass1));
}

TEST_P(LuksTest, RecordFailureStopsBeforeDestruction) {
  LuksEraseOptions o = Options(false);
  o.record = [](std::string_view, std::string_view) { return IoError("ledger unavailable"); };
  EXPECT_EQ(CryptoEraseLuks(image_, o).status().code(), StatusCode::kIoError);
  EXPECT_TRUE(Opens(kPass1));
}

INSTANTIATE_TEST_SUITE_P(Types, LuksTest, ::testing::Values("luks1", "luks2"));

TEST(LuksTest2, UnboundKeyslotAndTokensAreDestroyed) {
  TempDir dir;
  const std::string image = dir.path() + "/v2.img";
  ASSERT_EQ(RunCommand({"truncate", "-s", "32M", image}).exit_code, 0);
  ASSERT_EQ(RunCommand({"cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--pbkdf",
                        "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", "-", image},
                       kPass1)
                .exit_code,
            0);
  WriteFileOrDie(dir.path() + "/pass1", kPass1);
  // An unbound keyslot (`cryptsetup erase` skips these) and a token.
  auto r = RunCommand({"cryptsetup", "luksAddKey", "--batch-mode", "--unbound", "--key-size",
                       "256", "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000",
                       "--key-file", dir.path() + "/pass1", image, "-"},
                      kPass2);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCommand({"cryptsetup", "token", "import", image},
                 R"({"type":"custody-test","keyslots":["0"],"sealed":"c2VhbGVk"})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = InspectLuks(image);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->keyslots.size(), 2u);
  EXPECT_EQ(info->keyslots[1].second, "unbound");
  ASSERT_EQ(info->tokens.size(), 1u);
  EXPECT_EQ(info->tokens[0].second, "custody-test");

  LuksEraseOptions o;
  o.old_passphrase.emplace(kPass1);
  auto report = CryptoEraseLuks(image, o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->destroyed_keyslots, (std::vector<int>{0, 1}));
  EXPECT_EQ(report->removed_tokens, (std::vector<int>{0}));
  const auto dump = RunCommand({"cryptsetup", "luksDump", image});
  EXPECT_EQ(dump.out.find("custody-test"), std::string::npos) << dump.out;
  EXPECT_EQ(dump.out.find("unbound"), std::string::npos) << dump.out;
  EXPECT_NE(RunCommand({"cryptsetup", "open", "--test-passphrase", "--key-file", "-", image},
                       kPass2).exit_code, 0);
}

TEST(LuksTest2, NotLuks) {
  TempDir dir;
  const std::string plain = dir.path() + "/plain.img";
  WriteFileOrDie(plain, std::string(1 << 20, 'x'));
  EXPECT_EQ(InspectLuks(plain).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CryptoEraseLuks(plain, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InspectLuks(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custody
