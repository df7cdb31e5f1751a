// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary, three stations: A sends a package to B's key
// (imported into A's keystore with its fingerprint confirmed, used by
// --to-key), B opens it with its own keystore (no -i), and C, holding other
// keys, is refused with nothing extracted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "package/package_test_util.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PackageKeystoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* s : {"a", "b", "c"}) {
      std::string org = std::string("組織") + s;
      auto r = Run(s, {"init", "--organization", org, "--name", std::string("station-") + s, "--default-operator",
                       "山田太郎"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    testing_package::MakeFile(path("src/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
    testing_package::MakeFile(path("src/住民データ/写真/顔.jpg"), testing_package::Pattern(70000, 3));
  }
  CommandResult Run(const std::string& station, std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--home", path("home-" + station)});
    return RunCustody(args, input);
  }
  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }
  // A keystore passphrase for `station`, generated (so it passes the strength check).
  std::string PassFile(const std::string& station) {
    std::string file = path("keystore-pass-" + station);
    if (!std::filesystem::exists(file)) {
      auto g = RunCustody({"password", "generate", "-o", file});
      EXPECT_EQ(g.exit_code, 0) << g.err;
    }
    return file;
  }
  // Creates identity NAME on `station`; returns {recipient, fingerprint}.
  std::pair<std::string, std::string> CreateKey(const std::string& station, const std::string& name) {
    auto c = Run(station, {"--json", "key", "create", name, "--passphrase-file", PassFile(station)});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    auto j = nlohmann::json::parse(c.out);
    return {j["recipient"], j["fingerprint"]};
  }
  std::vector<nlohmann::json> Events(const std::string& station) {
    auto show = Run(station, {"--json", "log", "show"});
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
  std::vector<std::string> CreateArgs(const std::string& out) {
    return {"package", "create", path("src/住民データ"), "-o", out, "--recipient-org", "B社",
            "--purpose", "住民税システム移行", "--classification", "機密性2"};
  }

  TempDir dir_;
};

TEST_F(PackageKeystoreCliTest, ToKeyThenOpenWithTheStationKeystore) {
  // B makes its inbox key and exports the public half; A imports it,
  // confirming the fingerprint B reads out.
  CreateKey("b", "inbox");
  auto exported = Run("b", {"key", "export-public", "inbox"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::string b_recipient = exported.out.substr(0, exported.out.find('\n'));
  std::string b_fingerprint = exported.out.substr(exported.out.find("fingerprint: ") + 13);
  b_fingerprint = b_fingerprint.substr(0, b_fingerprint.find('\n'));
  ASSERT_EQ(b_recipient.rfind("age1", 0), 0u);
  auto imported = Run("a", {"key", "import-recipient", "b-office", b_recipient, "--confirm-fingerprint", b_fingerprint});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // Mixed with a plain --to (an age-keygen key outside any keystore).
  ASSERT_EQ(RunCommand({"age-keygen", "-o", path("other.key")}).exit_code, 0);
  auto y = RunCommand({"age-keygen", "-y", path("other.key")});
  std::string other_recipient = y.out.substr(0, y.out.find('\n'));
  auto args = CreateArgs(path("h.age"));
  args.insert(args.end(), {"--to-key", "b-office", "--to", other_recipient});
  auto created = Run("a", args);
  ASSERT_EQ(created.exit_code, 0) << created.err;

  // package.created names both recipients by fingerprint.
  nlohmann::json recorded;
  for (const auto& e : Events("a")) {
    if (e["type"] == "package.created") recorded = e["data"];
  }
  ASSERT_TRUE(recorded.is_object());
  ASSERT_EQ(recorded["recipients"].size(), 2u);
  std::map<std::string, std::string> fingerprints;
  for (const auto& r : recorded["recipients"]) fingerprints[r["recipient"]] = r["fingerprint"];
  EXPECT_EQ(fingerprints[b_recipient], b_fingerprint);
  EXPECT_EQ(fingerprints.count(other_recipient), 1u);

  // B opens it without -i, with its keystore passphrase.
  auto opened = Run("b", {"package", "open", path("h.age"), "-d", path("recv-b"), "--passphrase-file", PassFile("b")});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(ReadFileOrDie(path("recv-b/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");
  EXPECT_THAT(opened.out, HasSubstr(b_fingerprint));
  bool opened_recorded = false;
  for (const auto& e : Events("b")) opened_recorded |= e["type"] == "package.opened";
  EXPECT_TRUE(opened_recorded);
  auto verified = Run("b", {"--json", "package", "verify", path("h.age"), "--passphrase-file", PassFile("b")});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_TRUE(nlohmann::json::parse(verified.out)["files_verified"].get<bool>());
  // The age-keygen key still opens it the usual way.
  EXPECT_EQ(Run("c", {"package", "verify", path("h.age"), "-i", path("other.key")}).exit_code, 0);

  // B with a wrong keystore passphrase: the same clear refusal, nothing extracted.
  WriteFileOrDie(path("wrong-pass"), "TTTT-TTTT-TTTT-TTTT-TTTT-TTTT\n");
  auto wrong = Run("b", {"package", "open", path("h.age"), "-d", path("recv-wrong"), "--passphrase-file",
                         path("wrong-pass")});
  EXPECT_EQ(wrong.exit_code, 9) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("wrong passphrase or not a recipient of this package"));
  EXPECT_FALSE(std::filesystem::exists(path("recv-wrong")));

  // C has keys of its own, none of them a recipient.
  auto [c_recipient, c_fingerprint] = CreateKey("c", "c-inbox");
  std::filesystem::create_directories(path("recv-c"));
  auto refused = Run("c", {"package", "open", path("h.age"), "-d", path("recv-c"), "--passphrase-file", PassFile("c")});
  EXPECT_EQ(refused.exit_code, 9) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("wrong passphrase or not a recipient of this package"));
  EXPECT_THAT(refused.err, HasSubstr("it is for: 2 X25519 keys"));
  EXPECT_THAT(refused.err, HasSubstr("c-inbox " + c_fingerprint));
  EXPECT_TRUE(std::filesystem::is_empty(path("recv-c")));
  auto refused_verify = Run("c", {"package", "verify", path("h.age"), "--passphrase-file", PassFile("c")});
  EXPECT_EQ(refused_verify.exit_code, 9);
  EXPECT_THAT(refused_verify.err, HasSubstr("wrong passphrase or not a recipient of this package"));
  for (const auto& e : Events("c")) EXPECT_NE(e["type"], "package.opened");
}

TEST_F(PackageKeystoreCliTest, ToKeyRefusalsAndStationsWithoutKeys) {
  // An unknown name: nothing written.
  auto args = CreateArgs(path("h.age"));
  args.insert(args.end(), {"--to-key", "nobody"});
  auto unknown = Run("a", args);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("--to-key nobody"));
  EXPECT_THAT(unknown.err, HasSubstr("no key named \"nobody\""));
  EXPECT_FALSE(std::filesystem::exists(path("h.age")));

  // --to-key with --passphrase is refused.
  args = CreateArgs(path("h.age"));
  args.insert(args.end(), {"--to-key", "x", "--passphrase", "--passphrase-file", PassFile("a")});
  auto both = Run("a", args);
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_THAT(both.err, HasSubstr("not both"));

  // A's own identity is a valid --to-key too (a package A can reopen later).
  CreateKey("a", "archive");
  args = CreateArgs(path("self.age"));
  args.insert(args.end(), {"--to-key", "archive"});
  ASSERT_EQ(Run("a", args).exit_code, 0);
  EXPECT_EQ(Run("a", {"package", "verify", path("self.age"), "--passphrase-file", PassFile("a")}).exit_code, 0);

  // B has no keystore at all: told how to get a key, nothing extracted.
  auto no_keys = Run("b", {"package", "open", path("self.age"), "-d", path("recv-b")});
  EXPECT_NE(no_keys.exit_code, 0);
  EXPECT_THAT(no_keys.err, HasSubstr("this station has no keys"));
  EXPECT_FALSE(std::filesystem::exists(path("recv-b")));
}

// B knows A as a sender (A's verifier key, imported with the fingerprint A
// reads from `custody status`): A's packages are shown as from that name.
// C's are not: a warning naming C's fingerprint, and --require-known-sender
// refuses them (exit 14) with nothing extracted and nothing recorded.
TEST_F(PackageKeystoreCliTest, KnownSendersByName) {
  auto [b_recipient, b_fingerprint] = CreateKey("b", "inbox");
  ASSERT_EQ(RunCommand({"age-keygen", "-o", path("other.key")}).exit_code, 0);
  auto y = RunCommand({"age-keygen", "-y", path("other.key")});
  std::string other_recipient = y.out.substr(0, y.out.find('\n'));
  for (const char* s : {"a", "c"}) {
    ASSERT_EQ(Run(s, {"key", "import-recipient", "b-office", b_recipient, "--confirm-fingerprint", b_fingerprint})
                  .exit_code,
              0);
    auto args = CreateArgs(path(std::string("from-") + s + ".age"));
    args.insert(args.end(), {"--to-key", "b-office", "--to", other_recipient});
    auto created = Run(s, args);
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }
  // What A reads out by phone.
  auto a_status = Run("a", {"--json", "status"});
  ASSERT_EQ(a_status.exit_code, 0) << a_status.err;
  const std::string a_key = nlohmann::json::parse(a_status.out)["verifier_key"];
  const std::string a_fingerprint = nlohmann::json::parse(a_status.out)["verifier_key_fingerprint"];
  ASSERT_EQ(a_fingerprint.size(), 23u);
  EXPECT_THAT(Run("a", {"status"}).out, HasSubstr("verifier key fingerprint: " + a_fingerprint + "\n"));
  const std::string c_fingerprint =
      nlohmann::json::parse(Run("c", {"--json", "status"}).out)["verifier_key_fingerprint"];

  // Refused imports store and record nothing: a misheard fingerprint, a
  // malformed key.
  WriteFileOrDie(path("a.vkey"), a_key + "\n");
  auto misheard = Run("b", {"key", "import-sender", "a-office", path("a.vkey"), "--confirm-fingerprint",
                            "AAAAA-AAAAA-AAAAA-AAAAA"});
  EXPECT_EQ(misheard.exit_code, 8) << misheard.err;
  EXPECT_THAT(misheard.err, HasSubstr(a_fingerprint));
  auto malformed = Run("b", {"key", "import-sender", "a-office", b_recipient + "+x", "--confirm-fingerprint",
                             a_fingerprint});
  EXPECT_EQ(malformed.exit_code, 2) << malformed.err;
  EXPECT_THAT(malformed.err, HasSubstr("not a station verifier key"));
  for (const auto& e : Events("b")) EXPECT_NE(e["type"], "key.sender-imported");

  // Imported from the file A's key was saved in, fingerprint typed as heard.
  std::string heard = a_fingerprint;
  for (char& ch : heard) ch = ch == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto imported = Run("b", {"key", "import-sender", "a-office", path("a.vkey"), "--confirm-fingerprint", heard});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("sender a-office imported, fingerprint " + a_fingerprint + " confirmed"));
  nlohmann::json import_event;
  for (const auto& e : Events("b")) {
    if (e["type"] == "key.sender-imported") import_event = e["data"];
  }
  EXPECT_EQ(import_event, (nlohmann::json{{"name", "a-office"},
                                          {"verifier_key", a_key},
                                          {"fingerprint", a_fingerprint},
                                          {"confirmation", "confirm-fingerprint"}}));
  // The same name again, or A's key under a second name: refused (exit 4).
  EXPECT_EQ(Run("b", {"key", "import-sender", "a-office", path("a.vkey"), "--confirm-fingerprint", a_fingerprint})
                .exit_code,
            4);
  auto second_name =
      Run("b", {"key", "import-sender", "a-again", a_key, "--confirm-fingerprint", a_fingerprint});
  EXPECT_EQ(second_name.exit_code, 4) << second_name.err;
  EXPECT_THAT(second_name.err, HasSubstr("already stored as sender \"a-office\""));

  // key list shows it, in text and JSON.
  EXPECT_THAT(Run("b", {"key", "list"}).out, HasSubstr("a-office  sender  " + a_fingerprint));
  auto listed = nlohmann::json::parse(Run("b", {"--json", "key", "list"}).out);
  bool listed_sender = false;
  for (const auto& k : listed) {
    if (k["name"] == "a-office") {
      listed_sender = true;
      EXPECT_EQ(k["kind"], "sender");
      EXPECT_EQ(k["verifier_key"], a_key);
      EXPECT_EQ(k["fingerprint"], a_fingerprint);
    }
  }
  EXPECT_TRUE(listed_sender);

  // A's package: from a-office by name, no warning.
  const std::string pass = PassFile("b");
  auto from_a = Run("b", {"package", "verify", path("from-a.age"), "--passphrase-file", pass});
  ASSERT_EQ(from_a.exit_code, 0) << from_a.err;
  EXPECT_THAT(from_a.out, HasSubstr("a-office (known sender; signature OK)"));
  EXPECT_THAT(from_a.err, Not(HasSubstr("warning")));
  auto from_a_json =
      nlohmann::json::parse(Run("b", {"--json", "package", "verify", path("from-a.age"), "--passphrase-file", pass}).out);
  EXPECT_EQ(from_a_json["sender_known"], true);
  EXPECT_EQ(from_a_json["sender"], "a-office");
  EXPECT_EQ(from_a_json["sender_fingerprint"], a_fingerprint);

  // C's package: verified, but a warning names C's fingerprint and says
  // what to do.
  auto from_c = Run("b", {"package", "verify", path("from-c.age"), "--passphrase-file", pass});
  ASSERT_EQ(from_c.exit_code, 0) << from_c.err;
  EXPECT_THAT(from_c.out, HasSubstr("NOT a known sender"));
  EXPECT_THAT(from_c.out, Not(HasSubstr("known sender; signature OK")));
  EXPECT_THAT(from_c.err, HasSubstr("warning: the package's signer is not a known sender of this station (key "
                                    "fingerprint " + c_fingerprint + ")"));
  EXPECT_THAT(from_c.err, HasSubstr("custody key import-sender NAME"));
  auto from_c_run = Run("b", {"--json", "package", "verify", path("from-c.age"), "--passphrase-file", pass});
  auto from_c_json = nlohmann::json::parse(from_c_run.out);  // stdout: the document alone
  EXPECT_EQ(from_c_json["sender_known"], false);
  EXPECT_TRUE(from_c_json["sender"].is_null());
  EXPECT_EQ(from_c_json["sender_fingerprint"], c_fingerprint);
  EXPECT_THAT(from_c_run.err, HasSubstr(c_fingerprint));

  // --require-known-sender: C's package refused (14), nothing extracted,
  // nothing recorded; A's opened and recorded as from a-office.
  auto required = Run("b", {"package", "verify", path("from-c.age"), "--require-known-sender", "--passphrase-file", pass});
  EXPECT_EQ(required.exit_code, 14) << required.err;
  EXPECT_THAT(required.err, HasSubstr("this station does not know as a sender"));
  EXPECT_THAT(required.err, HasSubstr(c_fingerprint));
  size_t events_before = Events("b").size();
  auto refused = Run("b", {"package", "open", path("from-c.age"), "-d", path("recv-c"), "--require-known-sender",
                           "--passphrase-file", pass});
  EXPECT_EQ(refused.exit_code, 14) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(path("recv-c")));
  std::filesystem::create_directories(path("recv-c2"));
  EXPECT_EQ(Run("b", {"package", "open", path("from-c.age"), "-d", path("recv-c2"), "--require-known-sender",
                      "--passphrase-file", pass})
                .exit_code,
            14);
  EXPECT_TRUE(std::filesystem::is_empty(path("recv-c2")));
  EXPECT_EQ(Events("b").size(), events_before);
  auto opened = Run("b", {"package", "open", path("from-a.age"), "-d", path("recv-a"), "--require-known-sender",
                          "--passphrase-file", pass});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(ReadFileOrDie(path("recv-a/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");
  EXPECT_THAT(opened.out, HasSubstr("a-office (known sender; signature OK)"));
  nlohmann::json opened_event;
  for (const auto& e : Events("b")) {
    if (e["type"] == "package.opened") opened_event = e["data"];
  }
  EXPECT_EQ(opened_event["sender_known"], true);
  EXPECT_EQ(opened_event["sender_name"], "a-office");
  // C's package opened without the option: recorded as from an unknown sender.
  ASSERT_EQ(Run("b", {"package", "open", path("from-c.age"), "-d", path("recv-c3"), "--passphrase-file", pass})
                .exit_code,
            0);
  for (const auto& e : Events("b")) {
    if (e["type"] == "package.opened") opened_event = e["data"];
  }
  EXPECT_EQ(opened_event["sender_known"], false);
  EXPECT_FALSE(opened_event.contains("sender_name"));

  // One damaged key file in B's keystore: packages it need not decrypt (-i)
  // still verify, every signer
  // shown as unknown with a warning; only --require-known-sender refuses.
  const std::string broken = path("home-b") + "/keystore/broken.json";
  WriteFileOrDie(broken, "{not json");
  auto damaged = Run("b", {"package", "verify", path("from-a.age"), "-i", path("other.key")});
  EXPECT_EQ(damaged.exit_code, 0) << damaged.err;
  EXPECT_THAT(damaged.err, HasSubstr("known senders could not be read"));
  EXPECT_THAT(damaged.out, HasSubstr("NOT a known sender"));
  EXPECT_NE(Run("b", {"package", "verify", path("from-a.age"), "--require-known-sender", "-i",
                      path("other.key")})
                .exit_code,
            0);
  std::filesystem::remove(broken);

  // No station on this machine (-i only): as before, plus the warning;
  // --require-known-sender cannot be met.
  auto no_station = RunCustody({"--home", path("no-station"), "package", "verify", path("from-a.age"), "-i",
                                path("other.key")});
  ASSERT_EQ(no_station.exit_code, 0) << no_station.err;
  EXPECT_THAT(no_station.err, HasSubstr("no custody station here"));
  EXPECT_THAT(no_station.err, HasSubstr(a_fingerprint));
  EXPECT_EQ(RunCustody({"--home", path("no-station"), "package", "open", path("from-a.age"), "-d", path("recv-n"),
                        "-i", path("other.key"), "--require-known-sender"})
                .exit_code,
            14);
  EXPECT_FALSE(std::filesystem::exists(path("recv-n")));
  // --sender-key given: the person supplied the key, no warning.
  auto pinned = RunCustody({"--home", path("no-station"), "package", "verify", path("from-a.age"), "-i",
                            path("other.key"), "--sender-key", path("a.vkey")});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_THAT(pinned.err, Not(HasSubstr("warning")));

  // Removed (key destroy, recorded): A is unknown again.
  auto removed = Run("b", {"key", "destroy", "a-office", "--yes"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  nlohmann::json destroyed;
  for (const auto& e : Events("b")) {
    if (e["type"] == "key.destroyed") destroyed = e["data"];
  }
  EXPECT_EQ(destroyed["kind"], "sender");
  EXPECT_EQ(destroyed["verifier_key"], a_key);
  EXPECT_EQ(Run("b", {"package", "verify", path("from-a.age"), "--require-known-sender", "--passphrase-file", pass})
                .exit_code,
            14);
}

}  // namespace
}  // namespace custody
