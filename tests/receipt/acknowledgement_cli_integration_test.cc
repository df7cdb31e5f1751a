// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real binary end to end: the contractor sends a package, the city
// acknowledges it (with its station, or with a one-off key), the contractor
// imports the acknowledgement; `package status` and the handover register
// follow. A package whose file was altered is acknowledged as failed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class AckCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sender_ = dir_.path() + "/sender";
    city_ = dir_.path() + "/city";
    ASSERT_EQ(
        RunCustody({"--home", sender_, "init", "--organization", "株式会社サンプル情報", "--name",
                    "office-1", "--operator", "山田太郎", "--default-operator", "山田太郎"})
            .exit_code,
        0);
    ASSERT_EQ(RunCustody({"--home", city_, "init", "--organization", "新潟市", "--name", "city-1",
                          "--operator", "佐藤花子", "--default-operator", "佐藤花子"})
                  .exit_code,
              0);
    key_ = dir_.path() + "/city.key";
    auto kg = RunCommand({"age-keygen", "-o", key_});
    ASSERT_EQ(kg.exit_code, 0) << kg.err;
    std::string pub = kg.err.substr(kg.err.find("age1"));
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == '\r')) pub.pop_back();
    WriteFileOrDie(dir_.path() + "/a.csv", "id,name\n1,x\n");
    pkg_ = dir_.path() + "/handover.age";
    auto c = RunCustody({"--home", sender_, "package", "create", dir_.path() + "/a.csv", "-o", pkg_,
                         "--to", pub, "--recipient-org", "新潟市", "--purpose", "移行",
                         "--classification", "機密性2"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  TempDir dir_;
  std::string sender_, city_, key_, pkg_;
};

TEST_F(AckCliTest, StationAckImportedAndStatusUpdated) {
  auto pending = RunCustody({"--home", sender_, "package", "status", "--pending"});
  EXPECT_EQ(pending.exit_code, 14);
  EXPECT_THAT(pending.out, HasSubstr("NOT acknowledged"));

  std::string ack = dir_.path() + "/ACK.json";
  auto a = RunCustody({"--home", city_, "receipt", "ack", pkg_, "-i", key_, "-o", ack});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("every file verified"));
  auto j = nlohmann::json::parse(ReadFileOrDie(ack));
  EXPECT_EQ(j["signer"]["kind"], "station");
  EXPECT_EQ(j["body"]["recipient"]["name"], "佐藤花子");

  auto imp = RunCustody({"--home", sender_, "receipt", "import", ack});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_THAT(imp.out, HasSubstr("acknowledged by 佐藤花子 (新潟市)"));
  EXPECT_EQ(RunCustody({"--home", sender_, "receipt", "import", ack}).exit_code, 4);
  auto st = RunCustody({"--home", sender_, "package", "status"});
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_THAT(st.out, HasSubstr("acknowledged"));
  EXPECT_EQ(RunCustody({"--home", sender_, "package", "status", "--pending"}).exit_code, 0);
  auto reg = RunCustody({"--home", sender_, "register", "export", "--kind", "handover"});
  EXPECT_THAT(reg.out, HasSubstr("確認済"));
  // Another station never sent this package.
  EXPECT_EQ(RunCustody({"--home", city_, "receipt", "import", ack}).exit_code, 3);
}

TEST_F(AckCliTest, OneOffKeyAndAlteredPackage) {
  std::string ack = dir_.path() + "/ACK1.json";
  auto a = RunCustody({"--home", dir_.path() + "/nostation", "receipt", "ack", pkg_, "-i", key_,
                       "--one-off-key", "--recipient", "佐藤花子", "-o", ack});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::string vkey = nlohmann::json::parse(ReadFileOrDie(ack))["signer"]["verifier_key"];
  EXPECT_THAT(a.out, HasSubstr(vkey));
  EXPECT_EQ(RunCustody({"--home", sender_, "receipt", "import", ack}).exit_code,
            2);  // key from paper required
  auto imp = RunCustody({"--home", sender_, "receipt", "import", ack, "--signer-key", vkey});
  EXPECT_EQ(imp.exit_code, 0) << imp.err;

  // Truncated package: acknowledged as failed (exit 8), imported as failed (exit 14).
  std::string bytes = ReadFileOrDie(pkg_);
  std::string cut = dir_.path() + "/cut.age";
  WriteFileOrDie(cut, bytes.substr(0, bytes.size() - 20));
  auto bad = RunCustody(
      {"--home", city_, "receipt", "ack", cut, "-i", key_, "-o", dir_.path() + "/ACK2.json"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace custody
