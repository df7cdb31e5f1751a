// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/disposal.h"

#include <gtest/gtest.h>

#include "cert/cert_test_util.h"
#include "crypto/hash.h"
#include "support/fake_env.h"

namespace custody {
namespace {

DisposalRecord Shredded() {
  DisposalRecord r;
  r.device.media = MediaType::kHdd;
  r.device.maker = "WD";
  r.device.model = "WD10EZEX";
  r.device.serial = "WCC6Y0ABCDEF";
  r.device.capacity_bytes = 1000204886016;
  r.device.method.family = MethodFamily::kPhysicalDestruction;
  r.device.method.level = SanitizationLevel::kDestroy;
  r.device.method.standard = "NIST SP 800-88 Rev.1";
  r.device.method.details = "破砕 (シュレッダー, 粒度 10 mm)";
  r.device.started = "2026-11-24T01:00:00Z";
  r.device.finished = "2026-11-24T01:10:00Z";
  r.device.verification = {"目視確認 visual inspection", "100%", VerificationResult::kPassed,
                           "佐藤"};
  r.device.photos = {{"before.jpg", std::string(64, 'a')}, {"after.jpg", std::string(64, 'b')}};
  r.operators = {"佐藤 花子"};
  r.place = WorkPlace::kGovernmentPremises;
  r.place_detail = "新潟市役所 地下1階";
  r.witness_present = true;
  r.witness_name = "鈴木 一郎";
  r.witness_department = "情報政策課";
  r.vendor_company = "破砕サービス株式会社";
  r.vendor_certificate_number = "V-2026-77";
  return r;
}

TEST(DisposalRecordTest, RoundTripsThroughCanonicalJson) {
  auto j = DisposalRecordJson(Shredded());
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  auto back = ParseDisposalRecord(*j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*DisposalRecordJson(*back), *j);
  EXPECT_EQ(back->device.serial, "WCC6Y0ABCDEF");
  EXPECT_EQ(back->vendor_certificate_number, "V-2026-77");
}

TEST(DisposalRecordTest, RefusesMissingFields) {
  DisposalRecord r = Shredded();
  r.device.serial.clear();
  r.operators.clear();
  r.device.finished = "yesterday";
  Status s = DisposalRecordJson(r).status();
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  for (const char* f : {"serial", "作業者", "finished"})
    EXPECT_NE(s.message().find(f), std::string::npos) << f << ": " << s.message();
  EXPECT_EQ(ParseDisposalRecord(R"({"device":{}})").status().code(), StatusCode::kCorruption);
}

TEST(DisposalRecordTest, BecomesACertificateRowWithoutWarningsWhenWitnessed) {
  LedgerEntry e;
  e.seq = 42;
  e.type = "disposal.recorded";
  e.data_json = *DisposalRecordJson(Shredded());
  CertificateContent c = testing::SampleContent();
  c.devices.clear();
  c.operators.clear();
  c.witness_present = false;
  c.witness_name.clear();
  c.classification = 3;
  ASSERT_TRUE(AddDisposalToContent(e, &c).ok());
  ASSERT_EQ(c.devices.size(), 1u);
  EXPECT_EQ(c.devices[0].sources[0].seq, 42u);
  EXPECT_NE(c.devices[0].method.details.find("V-2026-77"), std::string::npos);
  EXPECT_EQ(c.operators, std::vector<std::string>{"佐藤 花子"});
  EXPECT_EQ(c.witness_name, "鈴木 一郎");
  auto v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->warnings.empty()) << v->warnings[0].code;
  e.type = "wipe.completed";
  EXPECT_EQ(AddDisposalToContent(e, &c).code(), StatusCode::kInvalidArgument);
}

TEST(DisposalRecordTest, StorePhotoKeepsACopyNamedByDigest) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.WriteFileAtomically("/in/IMG 0001.JPG", "jpeg bytes", 0644).ok());
  auto f = StorePhoto("/home", "/in/IMG 0001.JPG", &env);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->name, "IMG 0001.JPG");
  EXPECT_EQ(f->sha256_hex, crypto::Sha256Hex("jpeg bytes"));
  auto copy = env.ReadFile("/home/photos/" + f->sha256_hex + ".jpg");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(*copy, "jpeg bytes");
  EXPECT_EQ(env.ModeOf("/home/photos/" + f->sha256_hex + ".jpg"), 0600u);
  EXPECT_EQ(StorePhoto("/home", "/in/missing.jpg", &env).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custody
