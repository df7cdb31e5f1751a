// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// `custody doctor` on real stations: healthy, missing, with a readable key, a
// damaged key, a tampered ledger, and a PATH without the interop tools.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class DoctorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = RunCustody({"--home", home_, "init", "--organization", "株式会社サンプル", "--name",
                         "desk-1", "--operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  nlohmann::json Doctor(int expected_exit, const std::vector<std::string>& env = {}) {
    auto r = RunCustody({"--home", home_, "--json", "doctor"}, "", env);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    return nlohmann::json::parse(r.out);
  }
  static nlohmann::json Find(const nlohmann::json& report, const std::string& id) {
    for (const auto& c : report["checks"]) {
      if (c["id"] == id) return c;
    }
    return nullptr;
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(DoctorCliTest, HealthyStationPasses) {
  auto report = Doctor(0);
  EXPECT_EQ(report["errors"], 0);
  EXPECT_EQ(Find(report, "station.ledger")["level"], "ok");
  EXPECT_THAT(Find(report, "station.ledger")["detail"].get<std::string>(), HasSubstr("1 entries"));
  EXPECT_EQ(Find(report, "fonts")["level"], "ok");
  // An unprotected key is allowed but pointed out.
  EXPECT_EQ(Find(report, "station.key")["level"], "warning");
}

TEST_F(DoctorCliTest, MissingStationSaysHowToCreateOne) {
  auto r = RunCustody({"--home", dir_.path() + "/nowhere", "doctor"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.out, HasSubstr("[FAIL] station: no station at"));
  EXPECT_THAT(r.out, HasSubstr("fix: create one with `custody init"));
}

TEST_F(DoctorCliTest, ReadableKeyAndDamagedKeyAreErrors) {
  const std::string key = home_ + "/keys/signing.key";
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  auto readable = Doctor(14);
  EXPECT_EQ(Find(readable, "station.key.permissions")["level"], "error");
  EXPECT_EQ(Find(readable, "station.key.permissions")["fix"], "chmod 600 " + key);

  std::string text = ReadFileOrDie(key);
  size_t seed = text.find("seed ");
  ASSERT_NE(seed, std::string::npos);
  text[seed + 6] = text[seed + 6] == 'A' ? 'B' : 'A';
  WriteFileOrDie(key, text);
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  auto damaged = Doctor(14);
  EXPECT_EQ(Find(damaged, "station.key")["level"], "error");
  EXPECT_THAT(Find(damaged, "station.key")["detail"].get<std::string>(), HasSubstr("damaged"));
}

TEST_F(DoctorCliTest, TamperedLedgerIsAnError) {
  // Rewrite the stored entry behind custody's back (drop the trigger first,
  // as an attacker with the file would).
  auto r = RunCommand({"sqlite3", home_ + "/ledger.db",
                       "DROP TRIGGER entries_append_only_u; "
                       "UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'desk-1', "
                       "'desk-2') AS BLOB);"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = Doctor(14);
  auto ledger = Find(report, "station.ledger");
  EXPECT_EQ(ledger["level"], "error");
  EXPECT_THAT(ledger["detail"].get<std::string>(), HasSubstr("entry 0"));
}

TEST_F(DoctorCliTest, MissingToolsAreWarningsWithTheirPackage) {
  TempDir empty_path;
  auto report = Doctor(0, {"PATH=" + empty_path.path()});
  EXPECT_EQ(Find(report, "tool.age")["level"], "warning");
  EXPECT_EQ(Find(report, "tool.age")["fix"], "apt-get install age");
  EXPECT_EQ(Find(report, "tool.7z")["fix"], "apt-get install p7zip-full");
}

}  // namespace
}  // namespace custody
