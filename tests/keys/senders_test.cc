// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Known senders in the keystore (custody key import-sender) on a real
// station: the fingerprint confirmation, the refusals (malformed key, name
// taken, one key under two names), the file on disk, the ledger records of
// the import and of the removal, and what a sender key cannot be used for.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "crypto/keystore_crypto.h"
#include "custody/env.h"
#include "custody/keystore.h"
#include "custody/package.h"
#include "ledger/note.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

// A verifier key as another station's `custody status` prints it.
std::string OtherStationKey(const std::string& name, char fill) {
  return note::FormatVerifierKey(name, std::string(32, fill));
}

class SendersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StationInitOptions o;
    o.home = dir_.path() + "/station";
    o.organization = "新潟県A市";
    o.station_name = "city-a";
    o.operator_name = "佐藤";
    auto s = Station::Init(o, Env::Default());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    station_ = std::move(*s);
    auto ks = Keystore::Open(station_->home(), Env::Default(), KeystoreOptions{10});
    ASSERT_TRUE(ks.ok());
    ks_ = std::move(*ks);
  }
  std::vector<nlohmann::json> Events(const std::string& type) {
    std::vector<nlohmann::json> out;
    EXPECT_TRUE((*station_->ledger())
                    ->Scan(0,
                           [&](const LedgerEntry& e) {
                             if (e.type == type) out.push_back(nlohmann::json::parse(e.data_json));
                             return true;
                           })
                    .ok());
    return out;
  }
  Result<KeyInfo> Import(const std::string& name, const std::string& key) {
    return ImportSender(*station_, *ks_, "佐藤", name, key, SenderFingerprint(key),
                        "confirm-fingerprint");
  }
  TempDir dir_;
  std::unique_ptr<Station> station_;
  std::unique_ptr<Keystore> ks_;
};

TEST(SenderFingerprintTest, OwnLabelAndInvalidKeys) {
  const std::string key = OtherStationKey("vendor-1", 7);
  const std::string fp = SenderFingerprint(key);
  ASSERT_EQ(fp.size(), 23u);
  EXPECT_EQ(fp[5], '-');
  EXPECT_EQ(fp, crypto::FingerprintOfVerifierKey(key));
  // Not the recipient label over the same text: the two never coincide.
  EXPECT_NE(fp, crypto::FingerprintOfRecipient(key));
  EXPECT_NE(fp, SenderFingerprint(OtherStationKey("vendor-1", 8)));
  // The name is part of the key.
  EXPECT_NE(fp, SenderFingerprint(OtherStationKey("vendor-2", 7)));
  std::string wrong_id = key;
  wrong_id[wrong_id.find('+') + 1] = wrong_id[wrong_id.find('+') + 1] == '0' ? '1' : '0';
  for (const std::string& bad : {std::string(""), std::string("vendor-1"), wrong_id,
                                 std::string("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"),
                                 key + "=", " " + key}) {
    EXPECT_EQ(SenderFingerprint(bad), "invalid") << bad;
  }
}

TEST_F(SendersTest, ImportStoresTheKeyAndRecordsIt) {
  const std::string key = OtherStationKey("vendor-1", 7);
  auto k = ImportSender(*station_, *ks_, "佐藤", "vendor", key,
                        // As typed by a person: lower case, spaces for hyphens.
                        [&] {
                          std::string typed = SenderFingerprint(key);
                          for (char& c : typed) c = c == '-' ? ' ' : static_cast<char>(std::tolower(c));
                          return typed;
                        }(),
                        "interactive");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->kind, KeyKind::kSender);
  EXPECT_EQ(k->verifier_key, key);
  EXPECT_TRUE(k->recipient.empty());
  EXPECT_EQ(k->fingerprint, SenderFingerprint(key));
  EXPECT_EQ(k->confirmation, "interactive");
  EXPECT_EQ(k->confirmed_by, "佐藤");

  // On disk: public metadata only, 0600 in the 0700 keystore, no NAME.age.
  const std::string meta = ks_->dir() + "/vendor.json";
  struct stat st;
  ASSERT_EQ(::stat(meta.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(ks_->dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(Env::Default()->FileExists(ks_->dir() + "/vendor.age"));
  auto stored = nlohmann::json::parse(ReadFileOrDie(meta));
  EXPECT_EQ(stored["kind"], "sender");
  EXPECT_EQ(stored["verifier_key"], key);
  EXPECT_FALSE(stored.contains("recipient"));

  // Read back by a new process; listed; the senders only in Senders().
  auto again = Keystore::Open(station_->home(), Env::Default());
  ASSERT_TRUE(again.ok());
  auto got = (*again)->Get("vendor");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->verifier_key, key);
  EXPECT_EQ(got->confirmation, "interactive");
  auto senders = (*again)->Senders();
  ASSERT_TRUE(senders.ok());
  ASSERT_EQ(senders->size(), 1u);
  auto known = KnownSenders(**again);
  ASSERT_TRUE(known.ok());
  ASSERT_EQ(known->size(), 1u);
  EXPECT_EQ((*known)[0].name, "vendor");
  EXPECT_EQ((*known)[0].verifier_key, key);

  auto events = Events("key.sender-imported");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0],
            (nlohmann::json{{"name", "vendor"},
                            {"verifier_key", key},
                            {"fingerprint", SenderFingerprint(key)},
                            {"confirmation", "interactive"}}));

  // A sender key is public and signs: nothing can be sent to it or loaded.
  EXPECT_EQ(ks_->LookupRecipient("vendor").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ks_->LoadIdentity("vendor").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SendersTest, RefusalsStoreAndRecordNothing) {
  const std::string key = OtherStationKey("vendor-1", 7);
  // Fingerprint not confirmed.
  EXPECT_EQ(ImportSender(*station_, *ks_, "佐藤", "vendor", key, "AAAAA-AAAAA-AAAAA-AAAAA",
                         "confirm-fingerprint")
                .status()
                .code(),
            StatusCode::kVerificationFailed);
  // Malformed keys: an age recipient, a key whose ID does not match, junk.
  std::string wrong_id = key;
  wrong_id[wrong_id.find('+') + 1] = wrong_id[wrong_id.find('+') + 1] == '0' ? '1' : '0';
  for (const std::string& bad :
       {std::string("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"), wrong_id,
        std::string("vendor-1+00000000+AQ==")}) {
    auto r = ImportSender(*station_, *ks_, "佐藤", "vendor", bad, SenderFingerprint(key),
                          "confirm-fingerprint");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(ks_->AddSender("vendor", bad, "interactive", "x").status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(ks_->Get("vendor").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Events("key.sender-imported").empty());

  // Accepted once; the same name again, or the same key under another
  // name, is refused (and not recorded).
  ASSERT_TRUE(Import("vendor", key).ok());
  EXPECT_EQ(Import("vendor", OtherStationKey("vendor-2", 9)).status().code(),
            StatusCode::kAlreadyExists);
  auto twice = Import("vendor-again", key);
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(twice.status().message().find("\"vendor\""), std::string::npos)
      << twice.status().message();
  EXPECT_EQ(ks_->Get("vendor-again").status().code(), StatusCode::kNotFound);
  // A name held by another kind of key is taken too.
  const std::string city = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  ASSERT_TRUE(ks_->AddRecipient("city", city, "interactive", "x").ok());
  EXPECT_EQ(Import("city", OtherStationKey("vendor-3", 3)).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Events("key.sender-imported").size(), 1u);
  auto senders = ks_->Senders();
  ASSERT_TRUE(senders.ok());
  EXPECT_EQ(senders->size(), 1u);
}

TEST_F(SendersTest, EditedSenderFileIsRefused) {
  const std::string key = OtherStationKey("vendor-1", 7);
  ASSERT_TRUE(Import("vendor", key).ok());
  const std::string meta = ks_->dir() + "/vendor.json";
  auto j = nlohmann::json::parse(ReadFileOrDie(meta));
  // Another station's key put in with the old fingerprint left as it was.
  j["verifier_key"] = OtherStationKey("vendor-1", 8);
  WriteFileOrDie(meta, j.dump());
  EXPECT_EQ(ks_->Get("vendor").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ks_->Senders().status().code(), StatusCode::kCorruption);
}

TEST_F(SendersTest, RemovalIsRecorded) {
  const std::string key = OtherStationKey("vendor-1", 7);
  ASSERT_TRUE(Import("vendor", key).ok());
  auto d = DestroyKey(*station_, *ks_, "佐藤", "vendor");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(ks_->Get("vendor").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ks_->Senders()->empty());
  auto events = Events("key.destroyed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["kind"], "sender");
  EXPECT_EQ(events[0]["verifier_key"], key);
  EXPECT_EQ(events[0]["fingerprint"], SenderFingerprint(key));
  EXPECT_FALSE(events[0].contains("recipient"));
  // The name and the key are free again.
  EXPECT_TRUE(Import("vendor-renamed", key).ok());
}

}  // namespace
}  // namespace custody
