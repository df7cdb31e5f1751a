// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: key create/list/export-public/import-recipient/
// destroy and password generate/check/record-delivery, with the ledger
// checked afterwards and secrets checked to appear nowhere they must not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class KeyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1",
                  "--operator", "山田太郎", "--default-operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    pass_file_ = dir_.path() + "/keystore-pass.txt";
    auto pw = Run({"password", "generate", "-o", pass_file_});
    ASSERT_EQ(pw.exit_code, 0) << pw.err;
  }
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args, input);
  }
  std::vector<nlohmann::json> Events() {
    auto show = Run({"--json", "log", "show"});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    std::vector<nlohmann::json> out;
    size_t pos = 0;
    while (pos < show.out.size()) {
      size_t nl = show.out.find('\n', pos);
      out.push_back(nlohmann::json::parse(show.out.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    return out;
  }
  // Every byte the station holds, ledger included.
  std::string AllStationBytes() {
    auto r = RunCommand({"sh", "-c", "find '" + home_ + "' -type f -exec cat {} +"});
    return r.out;
  }
  TempDir dir_;
  std::string home_;
  std::string pass_file_;
};

TEST_F(KeyCliTest, CreateListExportImportDestroy) {
  std::string password = ReadFileOrDie(pass_file_);
  ASSERT_EQ(password.size(), 25u);  // 24 + newline
  auto create = Run({"--json", "key", "create", "inbox", "--passphrase-file", pass_file_});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  auto key = nlohmann::json::parse(create.out);
  std::string recipient = key["recipient"];
  std::string fingerprint = key["fingerprint"];
  EXPECT_EQ(recipient.rfind("age1", 0), 0u);
  EXPECT_EQ(fingerprint.size(), 23u);

  struct stat st;
  ASSERT_EQ(stat((home_ + "/keystore").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* f : {"keystore.age", "keystore.json", "inbox.age", "inbox.json"}) {
    ASSERT_EQ(stat((home_ + "/keystore/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }

  auto exp = Run({"key", "export-public", "inbox"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_EQ(exp.out, recipient + "\nfingerprint: " + fingerprint + "\n");

  // A municipality's key: a wrong fingerprint is refused and nothing stored.
  const std::string city = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  auto wrong = Run({"key", "import-recipient", "city-hall", city, "--confirm-fingerprint",
                    "22222-22222-22222-22222"});
  EXPECT_EQ(wrong.exit_code, 8) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("NOT imported"));
  auto none = Run({"key", "import-recipient", "city-hall", city}, "");
  EXPECT_NE(none.exit_code, 0);  // No terminal and no --confirm-fingerprint.
  auto right = Run({"key", "import-recipient", "city-hall", city, "--confirm-fingerprint",
                    "zpfv5 nkbne 5ellv 59w6l"});
  ASSERT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(Run({"key", "import-recipient", "city-hall", city, "--confirm-fingerprint",
                 "ZPFV5-NKBNE-5ELLV-59W6L"})
                .exit_code,
            4);
  auto bad = Run({"key", "import-recipient", "x", "age1nope", "--confirm-fingerprint", "ZPFV5"});
  EXPECT_EQ(bad.exit_code, 2);

  auto list = Run({"--json", "key", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto arr = nlohmann::json::parse(list.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["name"], "city-hall");
  EXPECT_EQ(arr[0]["kind"], "recipient");
  EXPECT_EQ(arr[0]["fingerprint"], "ZPFV5-NKBNE-5ELLV-59W6L");
  EXPECT_EQ(arr[1]["name"], "inbox");
  EXPECT_EQ(arr[1]["kind"], "identity");

  // Destroy needs a confirmation; without a terminal, --yes.
  EXPECT_EQ(Run({"key", "destroy", "inbox"}).exit_code, 15);
  auto destroy = Run({"key", "destroy", "inbox", "--yes"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.err;
  EXPECT_EQ(stat((home_ + "/keystore/inbox.age").c_str(), &st), -1);
  EXPECT_EQ(stat((home_ + "/keystore/inbox.json").c_str(), &st), -1);
  EXPECT_EQ(Run({"key", "export-public", "inbox"}).exit_code, 3);

  auto events = Events();
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e["type"]);
  EXPECT_THAT(types, ::testing::ElementsAre("station.created", "password.generated", "key.created",
                                            "key.recipient-imported", "key.destroyed"));
  EXPECT_EQ(events[2]["data"]["fingerprint"], fingerprint);
  EXPECT_EQ(events[3]["data"]["confirmation"], "confirm-fingerprint");
  EXPECT_EQ(events[4]["data"]["name"], "inbox");
  EXPECT_EQ(events[4]["data"]["files_destroyed"], 2);
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);

  // The keystore passphrase is nowhere in the station (ledger, logs, keys).
  password.pop_back();
  EXPECT_EQ(AllStationBytes().find(password), std::string::npos);
}

TEST_F(KeyCliTest, WeakKeystorePassphraseIsRefused) {
  WriteFileOrDie(dir_.path() + "/weak", "password2026\n");
  auto r = Run({"key", "create", "inbox", "--passphrase-file", dir_.path() + "/weak"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("too weak"));
  EXPECT_THAT(r.err, HasSubstr("custody password generate"));
  auto list = Run({"key", "list"});
  EXPECT_THAT(list.out, HasSubstr("no keys"));
}

TEST_F(KeyCliTest, PasswordGenerateCheckAndRecordDelivery) {
  auto gen = Run({"--json", "password", "generate", "--bits", "120"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto j = nlohmann::json::parse(gen.out);
  EXPECT_EQ(j["entropy_bits"], 120);
  std::string password = j["password"];
  EXPECT_EQ(password.size(), 24u + 5u);  // 24 symbols, 5 hyphens
  std::string id = j["password_id"];

  auto plain = Run({"password", "generate"});
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_THAT(plain.out, HasSubstr("entropy: 100 bits"));
  EXPECT_THAT(plain.out, HasSubstr("password ID: pw-"));

  WriteFileOrDie(dir_.path() + "/weak", "qwerty123456\n");
  auto weak = Run({"password", "check", "--passphrase-file", dir_.path() + "/weak"});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_THAT(weak.err, HasSubstr("keyboard row"));
  EXPECT_EQ(Run({"password", "check", "--passphrase-file", pass_file_}).exit_code, 0);

  // The delivery refers to a package recorded in this ledger.
  auto missing =
      Run({"password", "record-delivery", "no-such-package", "--channel", "phone", "--to", "佐藤"});
  EXPECT_EQ(missing.exit_code, 3);
  // A real passphrase package made with the generated password, then its
  // delivery recorded by the package's file and the password ID.
  WriteFileOrDie(dir_.path() + "/台帳.csv", "a,b\n");
  auto gen_file = Run({"--json", "password", "generate", "-o", dir_.path() + "/pkg-pass.txt"});
  ASSERT_EQ(gen_file.exit_code, 0) << gen_file.err;
  std::string pkg_password_id = nlohmann::json::parse(gen_file.out)["password_id"];
  EXPECT_FALSE(nlohmann::json::parse(gen_file.out).contains("password"));
  const std::string pkg = dir_.path() + "/handover.age";
  auto create = Run({"package", "create", dir_.path() + "/台帳.csv", "-o", pkg, "--passphrase",
                     "--passphrase-file", dir_.path() + "/pkg-pass.txt", "--password-id",
                     pkg_password_id, "--recipient-org", "新潟市", "--purpose", "test",
                     "--classification", "機密性2"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  auto bad_channel =
      Run({"password", "record-delivery", pkg, "--channel", "email", "--to", "佐藤"});
  EXPECT_EQ(bad_channel.exit_code, 2);
  auto delivered = Run({"--json", "password", "record-delivery", pkg, "--channel", "phone", "--to",
                        "新潟市 佐藤", "--password-id", pkg_password_id});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  auto entry = nlohmann::json::parse(delivered.out);
  EXPECT_EQ(entry["type"], "password.delivered");
  EXPECT_EQ(entry["data"]["password_id"], pkg_password_id);
  EXPECT_EQ(entry["data"]["channel"], "phone");
  EXPECT_EQ(entry["data"]["package_id"].get<std::string>().size(), 36u);
  std::string pkg_password = ReadFileOrDie(dir_.path() + "/pkg-pass.txt");
  pkg_password.pop_back();
  EXPECT_EQ(AllStationBytes().find(pkg_password), std::string::npos);
  auto events = Events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[2]["type"], "password.generated");
  EXPECT_EQ(events[2]["data"]["password_id"], id);
  EXPECT_EQ(events[2]["data"]["entropy_bits"], 120);
  EXPECT_EQ(AllStationBytes().find(password), std::string::npos);
}

}  // namespace
}  // namespace custody
