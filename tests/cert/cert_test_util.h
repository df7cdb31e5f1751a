// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A realistic certificate for the cert tests: two devices (an HDD overwritten
// and an NVMe SSD sanitized), signed by a fresh Ed25519 key.
#ifndef CUSTODY_TESTS_CERT_CERT_TEST_UTIL_H_
#define CUSTODY_TESTS_CERT_CERT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include "crypto/ed25519.h"
#include "custody/certificate.h"

namespace custody::testing {

inline CertificateContent SampleContent() {
  CertificateContent c;
  c.reason = DisposalReason::kLeaseReturn;
  c.classification = 2;
  c.client_municipality = "新潟市";
  c.client_department = "総務部 情報政策課";
  c.client_contract = "令和8年度 庁内端末更新業務委託";
  c.contractor = "株式会社サンプル情報サービス";
  c.responsible = "山田 太郎";
  c.operators = {"佐藤 花子", "田中 次郎"};
  c.witness_present = true;
  c.witness_name = "鈴木 一郎";
  c.witness_department = "情報政策課";
  c.place = WorkPlace::kGovernmentPremises;
  c.place_detail = "新潟市役所 本館3階 サーバ室";
  c.destination = "リース会社へ返却 (Orix Rentec)";
  c.remarks = "返却前に管理ラベルを除去した。";

  CertificateDevice hdd;
  hdd.media = MediaType::kHdd;
  hdd.maker = "Seagate";
  hdd.model = "ST1000DM010";
  hdd.serial = "Z9A1B2C3";
  hdd.asset_tag = "NIIGATA-PC-0042";
  hdd.capacity_bytes = 1000204886016;
  hdd.interface = "SATA";
  hdd.hpa_dco = HiddenAreas::kNone;
  hdd.method = {MethodFamily::kOverwrite,
                SanitizationLevel::kClear,
                "NIST SP 800-88 Rev.1",
                1,
                {"zeros"},
                {},
                "custody",
                "0.1.0",
                ""};
  hdd.started = "2026-11-22T00:00:00Z";
  hdd.finished = "2026-11-22T02:30:00Z";
  hdd.verification = {"full read-back", "100%", VerificationResult::kPassed, "佐藤 花子"};
  hdd.sources = {{17, "wipe.completed"}};

  CertificateDevice ssd;
  ssd.media = MediaType::kNvme;
  ssd.maker = "Samsung";
  ssd.model = "MZ-V8V500";
  ssd.serial = "S4EWNX0R123456";
  ssd.asset_tag = "NIIGATA-PC-0043";
  ssd.capacity_bytes = 500107862016;
  ssd.interface = "NVMe";
  ssd.hpa_dco = HiddenAreas::kNotApplicable;
  ssd.method = {MethodFamily::kFirmwarePurge,
                SanitizationLevel::kPurge,
                "NIST SP 800-88 Rev.1",
                0,
                {},
                {"NVMe Sanitize (Crypto Erase)"},
                "custody",
                "0.1.0",
                ""};
  ssd.started = "2026-11-22T03:00:00Z";
  ssd.finished = "2026-11-22T03:05:00Z";
  ssd.verification = {"sampling (NIST SP 800-88 R1 §4.7)", "5%", VerificationResult::kPassed,
                      "佐藤 花子"};
  ssd.sources = {{18, "purge.completed"}};
  c.devices = {hdd, ssd};
  return c;
}

struct SampleSigned {
  SignedCertificate cert;
  std::string public_key;
};

inline SampleSigned SignSample(CertificateContent content) {
  auto valid = ValidateContent(std::move(content), false);
  EXPECT_TRUE(valid.ok()) << valid.status().ToString();
  auto keys = crypto::Ed25519Generate();
  EXPECT_TRUE(keys.ok());
  SampleSigned out;
  out.public_key = keys->public_key;
  DisposalCertificate& c = out.cert.certificate;
  c.content = *valid;
  c.issuance.number = FormatCertificateNumber("niigata-office-1", 123);
  c.issuance.issued_at = "2026-11-23T04:05:06Z";
  c.issuance.issuer_company = "株式会社サンプル情報サービス";
  c.issuance.issuer_station = "niigata-office-1";
  c.issuance.issuer_verifier_key = "custody/niigata-office-1+01234567+AQ==";
  c.issuance.ledger_origin = "custody/niigata-office-1";
  c.issuance.ledger_entry = 123;
  c.issuance.content_sha256_hex = *ContentDigestHex(c.content);
  auto message = CertificateSigningMessage(c);
  EXPECT_TRUE(message.ok());
  out.cert.signature = *crypto::Ed25519Sign(keys->seed, *message);
  out.cert.evidence_bundle = "custody evidence bundle v1\n(test: not a real bundle)\n";
  return out;
}

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_CERT_CERT_TEST_UTIL_H_
