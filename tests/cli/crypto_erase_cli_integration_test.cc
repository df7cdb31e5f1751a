// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody crypto-erase luks` on LUKS1/LUKS2 image files made by the
// real cryptsetup (PBKDF2, 1000 iterations: milliseconds per format). After
// the erase the real cryptsetup must fail to open the volume with the old
// passphrases, luksDump must list no keyslot, and the ledger must verify and
// hold a self-contained record of the erase.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPass1[] = "correct horse battery staple";
constexpr char kPass2[] = "second passphrase 2";

class CryptoEraseLuksCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1",
                  "--operator", "山田太郎", "--default-operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    image_ = dir_.path() + "/volume.img";
    pass1_ = dir_.path() + "/pass1";
    WriteFileOrDie(pass1_, kPass1);
    ASSERT_EQ(RunCommand({"truncate", "-s", "24M", image_}).exit_code, 0);
    r = RunCommand({"cryptsetup", "luksFormat", "--batch-mode", "--type", GetParam(), "--pbkdf",
                    "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", pass1_, image_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunCommand({"cryptsetup", "luksAddKey", "--batch-mode", "--pbkdf", "pbkdf2",
                    "--pbkdf-force-iterations", "1000", "--key-file", pass1_, image_, "-"},
                   kPass2);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    uuid_ = RunCommand({"cryptsetup", "luksUUID", image_}).out;
    while (!uuid_.empty() && uuid_.back() == '\n') uuid_.pop_back();
    ASSERT_EQ(uuid_.size(), 36u);
    ASSERT_TRUE(Opens(kPass1));
    ASSERT_TRUE(Opens(kPass2));
  }

  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args, input);
  }
  bool Opens(const std::string& pass) {
    return RunCommand({"cryptsetup", "open", "--test-passphrase", "--key-file", "-", image_}, pass)
               .exit_code == 0;
  }
  std::vector<nlohmann::json> Entries(const std::string& type) {
    auto r = Run({"--json", "log", "show", "--type", type});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> out;
    size_t at = 0;
    while (at < r.out.size()) {
      size_t nl = r.out.find('\n', at);
      if (nl == std::string::npos) nl = r.out.size();
      if (nl > at) out.push_back(nlohmann::json::parse(r.out.substr(at, nl - at)));
      at = nl + 1;
    }
    return out;
  }

  TempDir dir_;
  std::string home_, image_, pass1_, uuid_;
};

TEST_P(CryptoEraseLuksCliTest, ErasesEveryKeyslotAndRecordsIt) {
  auto r = Run({"crypto-erase", "luks", image_, "--yes", "--confirm-uuid", uuid_,
                "--old-passphrase-file", pass1_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("keyslots destroyed: 0 1"));
  EXPECT_THAT(r.out, HasSubstr("the old passphrase no longer opens it"));
  // The warning the operator must act on: earlier copies of the header.
  EXPECT_THAT(r.err, HasSubstr("Header backups"));
  EXPECT_THAT(r.err, HasSubstr("snapshots"));

  // The real cryptsetup agrees: neither passphrase opens it, no keyslot left.
  EXPECT_FALSE(Opens(kPass1));
  EXPECT_FALSE(Opens(kPass2));
  auto dump = RunCommand({"cryptsetup", "luksDump", image_});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  if (GetParam() == "luks2") {
    const size_t slots = dump.out.find("Keyslots:");
    const size_t tokens = dump.out.find("Tokens:");
    ASSERT_NE(slots, std::string::npos);
    ASSERT_NE(tokens, std::string::npos);
    EXPECT_THAT(dump.out.substr(slots, tokens - slots), Not(HasSubstr("luks2")));
  } else {
    EXPECT_THAT(dump.out, Not(HasSubstr("ENABLED")));
  }

  auto started = Entries("crypto-erase.luks.started");
  auto completed = Entries("crypto-erase.luks.completed");
  ASSERT_EQ(started.size(), 1u);
  ASSERT_EQ(completed.size(), 1u);
  const auto& d = completed[0]["data"];
  EXPECT_EQ(completed[0]["operator"], "山田太郎");
  EXPECT_EQ(d["uuid"], uuid_);
  EXPECT_EQ(d["type"], GetParam() == "luks1" ? "LUKS1" : "LUKS2");
  EXPECT_EQ(d["outcome"], "completed");
  EXPECT_EQ(d["destroyed_keyslots"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(d["volume_key_bits"], 512);
  EXPECT_EQ(d["verification"]["result"], "passed");
  EXPECT_EQ(d["verification"]["old_passphrase_refused"], true);
  EXPECT_EQ(d["target"]["kind"], "file");
  EXPECT_EQ(d["target"]["path"], image_);
  EXPECT_EQ(d["header_sha256"].get<std::string>().size(), 64u);
  EXPECT_FALSE(d["started"].get<std::string>().empty());
  EXPECT_FALSE(d["finished"].get<std::string>().empty());
  // No secret in the ledger.
  auto all = Run({"--json", "log", "show"});
  EXPECT_THAT(all.out, Not(HasSubstr(kPass1)));
  EXPECT_THAT(all.out, Not(HasSubstr(kPass2)));
  auto verify = Run({"log", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_P(CryptoEraseLuksCliTest, WipeHeaderLeavesNoLuksSignature) {
  auto r = Run({"--json", "crypto-erase", "luks", image_, "--wipe-header", "--yes",
                "--confirm-uuid", uuid_.substr(0, 8)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["header_wiped"], true);
  EXPECT_EQ(j["uuid"], uuid_);
  EXPECT_GT(j["ledger_seq"].get<int>(), 0);
  EXPECT_NE(RunCommand({"cryptsetup", "isLuks", image_}).exit_code, 0);
  EXPECT_FALSE(Opens(kPass1));
}

TEST_P(CryptoEraseLuksCliTest, RefusesWithoutConfirmationAndChangesNothing) {
  // Not a terminal and no --yes.
  auto r = Run({"crypto-erase", "luks", image_});
  EXPECT_EQ(r.exit_code, 15) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--confirm-uuid " + uuid_));
  // --yes with the wrong UUID.
  r = Run({"crypto-erase", "luks", image_, "--yes", "--confirm-uuid", "00000000"});
  EXPECT_EQ(r.exit_code, 15) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nothing was changed"));
  // --dry-run shows the volume and changes nothing.
  r = Run({"crypto-erase", "luks", image_, "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(uuid_));
  EXPECT_THAT(r.err, HasSubstr("keyslots: 0 (active), 1 (active)"));
  EXPECT_TRUE(Opens(kPass1));
  EXPECT_TRUE(Opens(kPass2));
  EXPECT_TRUE(Entries("crypto-erase").empty());
}

INSTANTIATE_TEST_SUITE_P(Luks, CryptoEraseLuksCliTest, ::testing::Values("luks1", "luks2"));

class CryptoEraseCliTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(CryptoEraseCliTest, NotLuksIsAClearError) {
  const std::string home = dir_.path() + "/station";
  ASSERT_EQ(RunCustody({"--home", home, "init", "--organization", "x", "--name", "y", "--operator",
                        "z"})
                .exit_code,
            0);
  const std::string plain = dir_.path() + "/plain.img";
  WriteFileOrDie(plain, std::string(1 << 20, 'x'));
  auto r = RunCustody({"--home", home, "crypto-erase", "luks", plain, "--yes", "--confirm-uuid", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("custody: error:"));
  EXPECT_THAT(r.err, HasSubstr("LUKS"));
  r = RunCustody({"--home", home, "crypto-erase", "luks", dir_.path() + "/missing.img"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // The parent alone asks for a kind of crypto-erase.
  r = RunCustody({"--home", home, "crypto-erase"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out + r.err, HasSubstr("subcommand"));
}

}  // namespace
}  // namespace custody
