// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/certificate.h"

#include <gtest/gtest.h>

#include "cert/cert_test_util.h"
#include "common/canonical_json.h"

namespace custody {
namespace {

using testing::SampleContent;
using testing::SignSample;

bool HasWarning(const CertificateContent& c, const std::string& code) {
  for (const auto& w : c.warnings)
    if (w.code == code) return true;
  return false;
}

TEST(CertificateValidateTest, SampleIsValidWithoutWarnings) {
  auto c = ValidateContent(SampleContent(), false);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->complete);
  EXPECT_TRUE(c->warnings.empty());
}

TEST(CertificateValidateTest, RefusesEveryMissingRequiredFieldAtOnce) {
  CertificateContent c = SampleContent();
  c.responsible.clear();
  c.contractor.clear();
  c.client_municipality.clear();
  c.classification = 0;
  c.devices[1].serial.clear();
  c.devices[1].asset_tag.clear();
  Status s = ValidateContent(c, false).status();
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  for (const char* field : {"responsible", "contractor", "client.municipality", "classification",
                            "No.2: シリアル番号 serial or 管理番号 asset_tag"})
    EXPECT_NE(s.message().find(field), std::string::npos) << field << " in " << s.message();
}

TEST(CertificateValidateTest, RefusesMalformedValues) {
  CertificateContent c = SampleContent();
  c.classification = 4;
  EXPECT_EQ(ValidateContent(c, false).status().code(), StatusCode::kInvalidArgument);
  c = SampleContent();
  c.devices[0].finished = "2026-11-21T00:00:00Z";  // Before started.
  EXPECT_NE(ValidateContent(c, false).status().message().find("finished before started"),
            std::string::npos);
  c = SampleContent();
  c.devices[0].started = "2026-11-22 09:00";
  EXPECT_EQ(ValidateContent(c, false).status().code(), StatusCode::kInvalidArgument);
  c = SampleContent();
  c.witness_name.clear();  // witness_present without a name.
  EXPECT_NE(ValidateContent(c, false).status().message().find("witness.name"), std::string::npos);
  c = SampleContent();
  c.devices[0].photos = {{"p.jpg", "not-a-digest"}};
  EXPECT_EQ(ValidateContent(c, false).status().code(), StatusCode::kInvalidArgument);
}

TEST(CertificateValidateTest, RefusesFailedInterruptedOrUnverifiedErase) {
  for (int which = 0; which < 3; ++which) {
    CertificateContent c = SampleContent();
    if (which == 0) c.devices[1].outcome = Outcome::kFailed;
    if (which == 1) c.devices[1].outcome = Outcome::kInterrupted;
    if (which == 2) c.devices[1].verification.result = VerificationResult::kNotVerified;
    Status s = ValidateContent(c, false).status();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << which;
    EXPECT_NE(s.message().find("No.2 (S4EWNX0R123456)"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("--allow-incomplete"), std::string::npos);
    auto incomplete = ValidateContent(c, true);
    ASSERT_TRUE(incomplete.ok());
    EXPECT_FALSE(incomplete->complete);
    EXPECT_TRUE(HasWarning(*incomplete, "incomplete"));
  }
}

TEST(CertificateValidateTest, WarnsWhenMethodIsWeakerThanClassification) {
  CertificateContent c = SampleContent();
  c.classification = 3;  // Needs destruction: neither device was destroyed.
  auto v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(HasWarning(*v, "weaker-than-classification"));

  c = SampleContent();
  c.place = WorkPlace::kContractorFacility;  // 機密性2 off-site: the HDD's Clear is too weak.
  v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(HasWarning(*v, "weaker-than-classification"));
  EXPECT_NE(v->warnings[0].ja.find("No.1 (Z9A1B2C3)"), std::string::npos);
  EXPECT_EQ(v->warnings[0].ja.find("No.2"), std::string::npos) << "the NVMe was purged";

  c = SampleContent();
  c.classification = 3;
  c.witness_present = false;
  for (auto& d : c.devices) d.method.family = MethodFamily::kPhysicalDestruction;
  v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(HasWarning(*v, "weaker-than-classification"));
  EXPECT_TRUE(HasWarning(*v, "no-witness-no-photos"));
  for (auto& d : c.devices) d.photos = {{"after.jpg", std::string(64, 'a')}};
  EXPECT_FALSE(HasWarning(*ValidateContent(c, false), "no-witness-no-photos"));
}

TEST(CertificateValidateTest, WarnsOnOverwriteOrDegaussOfFlashAndHiddenAreas) {
  CertificateContent c = SampleContent();
  c.devices[1].method.family = MethodFamily::kOverwrite;
  c.devices[0].hpa_dco = HiddenAreas::kPresent;
  auto v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(HasWarning(*v, "overwrite-on-flash"));
  EXPECT_TRUE(HasWarning(*v, "hpa-dco-present"));
  c = SampleContent();
  c.devices[1].method.family = MethodFamily::kDegauss;
  EXPECT_TRUE(HasWarning(*ValidateContent(c, false), "degauss-on-flash"));
}

TEST(CertificateValidateTest, RecomputesWarningsAndKeepsCustomOnes) {
  CertificateContent c = SampleContent();
  c.warnings = {{"overwrite-on-flash", "stale", "stale"}, {"custom", "独自", "custom"}};
  auto v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->warnings.size(), 1u);
  EXPECT_EQ(v->warnings[0].code, "custom");
}

TEST(CertificateJsonTest, SerializesCanonicallyAndRoundTrips) {
  auto s = SignSample(SampleContent());
  auto text = SerializeSignedCertificate(s.cert);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->back(), '\n');
  EXPECT_TRUE(json::IsCanonical(text->substr(0, text->size() - 1)));
  EXPECT_NE(text->find("\"format\":\"custody-disposal-certificate-v1\""), std::string::npos);
  EXPECT_NE(text->find("\"serial\":\"S4EWNX0R123456\""), std::string::npos);
  EXPECT_NE(text->find("新潟市"), std::string::npos) << "UTF-8, not \\u escapes";
  auto back = ParseSignedCertificate(*text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*SerializeSignedCertificate(*back), *text);
  EXPECT_TRUE(VerifyCertificateSignature(*back, s.public_key).ok());
}

TEST(CertificateJsonTest, AnyChangeFailsVerification) {
  auto s = SignSample(SampleContent());
  std::string text = *SerializeSignedCertificate(s.cert);
  // Edits that keep the file well-formed, so only the signature can catch them.
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"S4EWNX0R123456", "S4EWNX0R123457"},              // one character of a serial
      {"2026-11-22T03:05:00Z", "2026-11-22T03:06:00Z"},  // a date
      {"\"family\":\"firmware-purge\"", "\"family\":\"crypto-erase\""},  // the method
      {"山田 太郎", "山田 次郎"},                                        // the responsible person
      {"\"classification\":2", "\"classification\":1"},
  };
  for (const auto& [from, to] : edits) {
    std::string tampered = text;
    size_t at = tampered.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    tampered.replace(at, from.size(), to);
    auto parsed = ParseSignedCertificate(tampered);
    ASSERT_TRUE(parsed.ok()) << from << ": " << parsed.status().ToString();
    EXPECT_EQ(VerifyCertificateSignature(*parsed, s.public_key).code(),
              StatusCode::kVerificationFailed)
        << from;
  }
  // Another key.
  auto other = crypto::Ed25519Generate();
  EXPECT_EQ(VerifyCertificateSignature(s.cert, other->public_key).code(),
            StatusCode::kVerificationFailed);
}

TEST(CertificateJsonTest, RefusesMalformedFiles) {
  auto s = SignSample(SampleContent());
  std::string text = *SerializeSignedCertificate(s.cert);
  EXPECT_EQ(ParseSignedCertificate(text.substr(0, text.size() / 2)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ParseSignedCertificate(text.substr(0, text.size() - 1)).status().code(),
            StatusCode::kCorruption);
  // Not canonical (a space), an unknown member, an unknown enum value, a wrong type.
  std::string spaced = text;
  spaced.insert(1, " ");
  EXPECT_EQ(ParseSignedCertificate(spaced).status().code(), StatusCode::kCorruption);
  std::string extra = text;
  extra.replace(extra.find("\"remarks\""), 9, "\"remarkz\"");
  Status st = ParseSignedCertificate(extra).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  std::string bad_enum = text;
  bad_enum.replace(bad_enum.find("\"media\":\"hdd\""), 13, "\"media\":\"hdx\"");
  st = ParseSignedCertificate(bad_enum).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("devices[0].media"), std::string::npos) << st.message();
  std::string bad_type = text;
  bad_type.replace(bad_type.find("\"classification\":2"), 18, "\"classification\":\"2\"");
  EXPECT_EQ(ParseSignedCertificate(bad_type).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseSignedCertificate("{\"format\":\"something-else\"}\n").status().code(),
            StatusCode::kCorruption);
}

TEST(CertificateJsonTest, DigestsCoverWhatTheySay) {
  auto s = SignSample(SampleContent());
  DisposalCertificate c = s.cert.certificate;
  std::string content = *ContentDigestHex(c.content), body = *BodyDigestHex(c);
  EXPECT_EQ(content.size(), 64u);
  c.issuance.number = "other-000001";
  EXPECT_EQ(*ContentDigestHex(c.content), content) << "the number is not content";
  EXPECT_NE(*BodyDigestHex(c), body) << "but it is in the body";
  EXPECT_EQ(*CertificateSigningMessage(c),
            "custody-disposal-certificate-v1\n" + *CanonicalBodyJson(c));
}

TEST(CertificateQrTest, PayloadRoundTrips) {
  std::string digest(64, 'a');
  std::string p = CertificateQrPayload("niigata-office-1-000123", digest);
  EXPECT_EQ(p, "custody-cert:1:niigata-office-1-000123:" + digest);
  auto q = ParseCertificateQrPayload(p);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->number, "niigata-office-1-000123");
  EXPECT_EQ(q->body_digest_hex, digest);
  EXPECT_FALSE(ParseCertificateQrPayload("custody-cert:1:" + digest).ok()) << "no number";
  EXPECT_FALSE(ParseCertificateQrPayload("custody-cert:2:n:" + digest).ok());
  EXPECT_FALSE(ParseCertificateQrPayload("custody-cert:1:n:" + std::string(63, 'a')).ok());
  EXPECT_FALSE(ParseCertificateQrPayload("custody-cert:1:n:" + std::string(64, 'A')).ok());
}

TEST(CertificateNumberTest, ZeroPaddedSeq) {
  EXPECT_EQ(FormatCertificateNumber("s1", 7), "s1-000007");
  EXPECT_EQ(FormatCertificateNumber("s1", 12345678), "s1-12345678");
}

}  // namespace
}  // namespace custody

namespace custody {
namespace {

TEST(CertificateInputTest, AppliesEveryMemberOverTheProfile) {
  CertificateContent c;
  c.responsible = "from profile";
  c.witness_present = true;
  c.witness_name = "profile witness";
  Status s = ApplyCertificateInput(
      R"({"reason":"repair","classification":3,"client":{"municipality":"新潟市","department":"総務部","contract":"保守"},"contractor":"株式会社X","responsible":"山田","operators":["佐藤","田中"],"witness":"none","place":{"kind":"other","detail":"倉庫"},"destination":"メーカー修理","remarks":"備考"})",
      &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.reason, DisposalReason::kRepair);
  EXPECT_EQ(c.classification, 3);
  EXPECT_EQ(c.client_contract, "保守");
  EXPECT_EQ(c.responsible, "山田");
  EXPECT_EQ(c.operators, (std::vector<std::string>{"佐藤", "田中"}));
  EXPECT_FALSE(c.witness_present);
  EXPECT_TRUE(c.witness_name.empty());
  EXPECT_EQ(c.place, WorkPlace::kOther);
  EXPECT_EQ(c.place_detail, "倉庫");
  ASSERT_TRUE(ApplyCertificateInput(R"({"witness":{"name":"鈴木","department":"課"}})", &c).ok());
  EXPECT_TRUE(c.witness_present);
  EXPECT_EQ(c.witness_department, "課");
}

TEST(CertificateInputTest, RefusesUnknownOrMistypedMembersAndDevices) {
  CertificateContent c;
  for (const char* bad :
       {R"({"reson":"repair"})", R"({"reason":"shredded"})", R"({"classification":"3"})",
        R"({"classification":4})", R"({"client":{"city":"x"}})", R"({"operators":"one"})",
        R"({"devices":[]})", R"({"place":{"kind":"moon"}})", R"([1])", R"({"remarks":1})"}) {
    Status s = ApplyCertificateInput(bad, &c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ApplyCertificateInput(R"({"devices":[]})", &c).message().find("--disposal"),
            std::string::npos);
}

TEST(CertificateEnumTest, ParsesCommandLineSpellings) {
  EXPECT_EQ(*ParseMethodFamily("physical-destruction"), MethodFamily::kPhysicalDestruction);
  EXPECT_EQ(*ParseMediaType("usb-flash"), MediaType::kUsbFlash);
  EXPECT_EQ(*ParseDocumentLanguage("ja+en"), DocumentLanguage::kJaEn);
  Status s = ParseWorkPlace("office").status();
  EXPECT_NE(s.message().find("government-premises, contractor-facility, other"), std::string::npos);
}

}  // namespace
}  // namespace custody
