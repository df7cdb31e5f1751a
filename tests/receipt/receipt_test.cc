// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Receipts: validation, issuance into a real station's ledger, rebuild,
// strict parsing, and the golden files of tests/data/receipt (valid,
// truncated, bit-flipped, wrong key; JSON and PDF).
#include "custody/receipt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "crypto/signature_context.h"
#include "custody/env.h"
#include "custody/ledger.h"
#include "custody/package.h"
#include "custody/register.h"
#include "custody/station.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

ReceiptContent Sample() {
  ReceiptContent c;
  c.received_at = "2026-11-20T01:30:00Z";
  c.recipient_name = "山田太郎";
  c.recipient_organization = "株式会社サンプル情報";
  c.deliverer_name = "佐藤花子";
  c.deliverer_organization = "新潟市";
  c.deliverer_department = "市民生活部";
  c.info_kind = "住民基本台帳データ";
  c.classification = 2;
  c.items = 10;
  c.medium = ReceiptMedium::kUsbFlash;
  c.medium_id = "USB-1";
  c.contract = "保守業務";
  c.storage = "金庫";
  c.disposition_due = "2027-03-31";
  return c;
}

std::string Key() {
  std::string k = ReadFileOrDie(TestDataPath("receipt/verifier-key"));
  while (!k.empty() && k.back() == '\n') k.pop_back();
  return k;
}

VerifiedPackage SamplePackage() {
  VerifiedPackage v;
  v.manifest.package_id = "0b7c52f6-6e36-4a83-9c55-7f0f1a2b3c4d";
  v.manifest.created = "2026-11-19T00:00:00Z";
  v.manifest.sender_organization = "新潟市";
  v.manifest.sender_station = "city-1";
  v.manifest.sender_verifier_key = "city-1+01234567+AAAA";
  v.manifest.purpose = "住民記録システム移行";
  v.manifest.classification = "機密性3";
  v.file_count = 5;
  v.manifest.total_size = 50;
  v.digest = std::string(64, 'a');
  v.package_size = 900;
  v.files_verified = true;
  return v;
}

TEST(ReceiptFromPackageTest, FillsOnlyWhatIsUnsetAndRefusesAnUnverifiedPackage) {
  ReceiptContent c;
  c.deliverer_name = "佐藤花子";
  ASSERT_TRUE(FillReceiptFromPackage(SamplePackage(), &c).ok());
  EXPECT_EQ(c.medium, ReceiptMedium::kCustodyPackage);
  EXPECT_EQ(c.package_sha256, std::string(64, 'a'));
  EXPECT_EQ(c.info_kind, "住民記録システム移行");
  // Made by hand, the package has no file list to name (the names come from
  // a package read from disk: receipt_package_cli_integration_test).
  EXPECT_EQ(c.info_name, "");
  EXPECT_EQ(c.items, 5);
  EXPECT_EQ(c.bytes, 50);
  EXPECT_EQ(c.classification, 3);
  EXPECT_EQ(c.deliverer_organization, "新潟市");
  ASSERT_TRUE(c.package_check.has_value());
  EXPECT_EQ(c.package_check->package_bytes, 900);

  ReceiptContent set;
  set.info_kind = "住民基本台帳データ";
  set.classification = 2;
  ASSERT_TRUE(FillReceiptFromPackage(SamplePackage(), &set).ok());
  EXPECT_EQ(set.info_kind, "住民基本台帳データ");
  EXPECT_EQ(set.classification, 2);

  VerifiedPackage odd = SamplePackage();
  odd.manifest.classification = "極秘";
  ReceiptContent unknown;
  ASSERT_TRUE(FillReceiptFromPackage(odd, &unknown).ok());
  EXPECT_EQ(unknown.classification, 0);  // Left for --classification; validation asks for it.

  VerifiedPackage manifest_only = SamplePackage();
  manifest_only.files_verified = false;
  ReceiptContent d;
  EXPECT_EQ(FillReceiptFromPackage(manifest_only, &d).code(), StatusCode::kFailedPrecondition);
  ReceiptContent usb;
  usb.medium = ReceiptMedium::kUsbFlash;
  EXPECT_EQ(FillReceiptFromPackage(SamplePackage(), &usb).code(), StatusCode::kInvalidArgument);
  // A verification record without a package medium is malformed.
  ReceiptContent stray = Sample();
  stray.package_check = ReceiptPackageCheck{};
  EXPECT_EQ(ValidateReceiptContent(stray).code(), StatusCode::kInvalidArgument);
}

TEST(ReceiptValidationTest, NamesEveryMissingOrMalformedField) {
  EXPECT_TRUE(ValidateReceiptContent(Sample()).ok());
  ReceiptContent c = Sample();
  c.deliverer_name.clear();
  c.storage.clear();
  c.medium_id.clear();
  c.transfer = TransferMethod::kSecureMail;
  c.disposition_due = "2027-13-01";
  c.received_at = "2026-11-20 01:30";
  Status s = ValidateReceiptContent(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  for (const char* want :
       {"引渡者 deliverer", "保管場所", "媒体のシリアル", "追跡番号", "2027-13-01", "not RFC 3339"})
    EXPECT_THAT(s.message(), HasSubstr(want)) << want;

  ReceiptContent p = Sample();
  p.medium = ReceiptMedium::kCustodyPackage;
  p.medium_id.clear();
  p.package_id = "pkg-1";
  p.package_sha256 = "ABC";
  EXPECT_THAT(ValidateReceiptContent(p).message(), HasSubstr("package sha256"));
  p.package_sha256 = std::string(64, 'a');
  EXPECT_TRUE(ValidateReceiptContent(p).ok());
}

class ReceiptStationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StationInitOptions o;
    o.home = dir_.path() + "/station";
    o.organization = "株式会社サンプル情報";
    o.station_name = "office-1";
    o.operator_name = "山田太郎";
    auto s = Station::Init(o, Env::Default());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    station_ = std::move(*s);
  }
  TempDir dir_;
  std::unique_ptr<Station> station_;
};

TEST_F(ReceiptStationTest, IssueRecordsTheContentAndRebuildIsByteIdentical) {
  auto r = IssueReceipt(*station_, "山田太郎", Sample());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->receipt.issuance.number, "office-1-000001");
  EXPECT_EQ(r->receipt.issuance.ledger_entry, 1u);
  auto text = SerializeSignedReceipt(*r);
  ASSERT_TRUE(text.ok());
  auto again = RebuildReceipt(*station_, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*SerializeSignedReceipt(*again), *text);
  auto parsed = ParseSignedReceipt(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->receipt.content.deliverer_department, "市民生活部");
  auto v = VerifyReceipt(*text, station_->config().verifier_key);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->source, ReceiptSource::kJson);
  // A receipt for seq 0 (station.created) does not exist.
  EXPECT_EQ(RebuildReceipt(*station_, 0).status().code(), StatusCode::kNotFound);
  // Invalid content records nothing.
  ReceiptContent bad = Sample();
  bad.classification = 0;
  EXPECT_EQ(IssueReceipt(*station_, "x", bad).status().code(), StatusCode::kInvalidArgument);
  auto ledger = station_->ledger();
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(*(*ledger)->Size(), 2u);
}

TEST_F(ReceiptStationTest, AmendmentsAreCheckedAgainstTheirLedgerEntries) {
  ASSERT_TRUE(IssueReceipt(*station_, "山田太郎", Sample()).ok());
  ReceiptContent c = Sample();
  c.storage = "B棟";
  EXPECT_EQ(AmendReceipt(*station_, "山田太郎", 1, c, "").status().code(),
            StatusCode::kInvalidArgument);  // No reason.
  EXPECT_EQ(AmendReceipt(*station_, "山田太郎", 0, c, "r").status().code(),
            StatusCode::kNotFound);  // station.created is not a receipt.
  ASSERT_EQ(*AmendReceipt(*station_, "山田太郎", 1, c, "移動"), 2u);
  c.storage = "C棟";
  c.medium_id = "USB-2";
  ASSERT_EQ(*AmendReceipt(*station_, "山田太郎", 1, c, "再移動"), 3u);
  c.medium = ReceiptMedium::kHdd;
  EXPECT_EQ(AmendReceipt(*station_, "山田太郎", 1, c, "x").status().code(),
            StatusCode::kInvalidArgument);  // The medium kind is not correctable.

  auto s = RebuildReceipt(*station_, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->receipt.amendments.size(), 2u);
  EXPECT_EQ(s->receipt.content.storage, "金庫");
  EXPECT_EQ(EffectiveContent(s->receipt).storage, "C棟");
  EXPECT_EQ(s->receipt.amendments[1].changed, (std::vector<std::string>{"medium.id", "storage"}));
  std::string key = station_->config().verifier_key;
  ASSERT_TRUE(VerifyReceipt(*SerializeSignedReceipt(*s), key).ok());

  // The issuing station itself cannot slip in a correction its ledger does
  // not hold: re-signed, the file still fails against the amendment's entry.
  auto resign = [&](SignedReceipt& r) {
    auto file = nlohmann::json::parse(*SerializeSignedReceipt(r));
    auto body = json::Canonicalize(file["body"]);
    ASSERT_TRUE(body.ok());
    auto sig = station_->Sign(crypto::ContextMessage(crypto::kReceiptContext, *body));
    ASSERT_TRUE(sig.ok());
    r.signature = *sig;
  };
  SignedReceipt forged = *s;
  forged.receipt.amendments[1].content.storage = "D棟";
  resign(forged);
  auto v = VerifyReceipt(*SerializeSignedReceipt(forged), key);
  EXPECT_EQ(v.status().code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(v.status().message(), HasSubstr("amendment #3"));
  SignedReceipt swapped = *s;
  std::swap(swapped.receipt.amendments[0].evidence_bundle,
            swapped.receipt.amendments[1].evidence_bundle);
  resign(swapped);
  EXPECT_EQ(VerifyReceipt(*SerializeSignedReceipt(swapped), key).status().code(),
            StatusCode::kVerificationFailed);
  SignedReceipt reordered = *s;
  std::swap(reordered.receipt.amendments[0], reordered.receipt.amendments[1]);
  resign(reordered);
  EXPECT_EQ(VerifyReceipt(*SerializeSignedReceipt(reordered), key).status().code(),
            StatusCode::kVerificationFailed);
}

TEST_F(ReceiptStationTest, PdfVerifiesAloneAndAlteredPagesFail) {
  auto r = IssueReceipt(*station_, "山田太郎", Sample());
  ASSERT_TRUE(r.ok());
  for (DocumentLanguage lang :
       {DocumentLanguage::kJa, DocumentLanguage::kEn, DocumentLanguage::kJaEn}) {
    auto pdf = RenderReceiptPdf(*r, lang);
    ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
    auto v = VerifyReceipt(*pdf, station_->config().verifier_key);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->source, ReceiptSource::kPdf);
    EXPECT_TRUE(CheckReceiptQr(*v, ReceiptQrPayload("office-1-000001", v->body_digest_hex)).ok());
    // Same input, same bytes.
    EXPECT_EQ(*RenderReceiptPdf(*r, lang), *pdf);
  }
}

TEST(ReceiptGoldenTest, ValidFilesVerifyWithThePinnedKey) {
  auto json = VerifyReceipt(ReadFileOrDie(TestDataPath("receipt/valid.json")), Key());
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->receipt.receipt.content.deliverer_name, "佐藤花子");
  auto pdf = VerifyReceipt(ReadFileOrDie(TestDataPath("receipt/valid.pdf")), Key());
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(pdf->body_digest_hex, json->body_digest_hex);
}

TEST(ReceiptGoldenTest, DamagedFilesAreRefusedWithTheirCodes) {
  struct Case {
    const char* file;
    StatusCode code;
  };
  for (const Case& c : {Case{"truncated.json", StatusCode::kTruncated},
                        Case{"bitflip.json", StatusCode::kVerificationFailed},
                        Case{"wrong-key.json", StatusCode::kVerificationFailed},
                        Case{"bitflip.pdf", StatusCode::kVerificationFailed}}) {
    auto v = VerifyReceipt(ReadFileOrDie(TestDataPath(std::string("receipt/") + c.file)), Key());
    EXPECT_EQ(v.status().code(), c.code) << c.file << ": " << v.status().ToString();
  }
  // Not a receipt at all.
  EXPECT_EQ(VerifyReceipt("{}\n", Key()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(VerifyReceipt("%PDF-1.5\n%%EOF\n", Key()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(VerifyReceipt("", Key()).status().code(), StatusCode::kTruncated);
}

}  // namespace
}  // namespace custody
