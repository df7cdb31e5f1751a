// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Golden certificates (tests/data/cert/README.md) through the real binary:
// a certificate issued once keeps verifying; damaged or foreign ones fail
// with the documented exit status and name the check. The auditor's path
// without custody: verify-evidence.py on the certificate's own bundle, and
// the content digest recomputed with Python's json module.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

CommandResult Verify(const std::string& name, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"cert", "verify", TestDataPath("cert/" + name), "--key",
                                   TestDataPath("cert/verifier-key")};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunCustody(args);
}

TEST(CertGoldenTest, ValidVerifiesWithItsEvidence) {
  auto r = Verify("valid.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("OK  ledger anchor: entry 4 (certificate.issued)"));
  EXPECT_THAT(r.out, HasSubstr("1 of 1 rows match"));
  EXPECT_THAT(r.out, HasSubstr("certificate niigata-office-1-000004 VERIFIED"));
  auto json = RunCustody({"--json", "cert", "verify", TestDataPath("cert/valid.json"), "--key",
                          TestDataPath("cert/verifier-key")});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["key_pinned"], true);
}

TEST(CertGoldenTest, DamagedOrForeignCertificatesFail) {
  auto truncated = Verify("truncated.json");
  EXPECT_EQ(truncated.exit_code, 6) << truncated.err;
  auto flipped = Verify("bit-flipped.json");
  EXPECT_EQ(flipped.exit_code, 8);
  EXPECT_THAT(flipped.err, HasSubstr("'signature' FAILED"));
  auto wrong = Verify("wrong-key.json");
  EXPECT_EQ(wrong.exit_code, 8);
  EXPECT_THAT(wrong.err, HasSubstr("'pinned key' FAILED"));
  // A QR scanned from a paper whose body digest is not this JSON's.
  auto foreign = Verify("valid.json",
                        {"--qr", "custody-cert:1:niigata-office-1-000004:" + std::string(64, '0')});
  EXPECT_EQ(foreign.exit_code, 8);
  EXPECT_THAT(foreign.err, HasSubstr("'scanned qr' FAILED"));
}

TEST(CertGoldenTest, AuditorChecksTheAnchorWithoutCustody) {
  std::string key = ReadFileOrDie(TestDataPath("cert/verifier-key"));
  key.pop_back();
  auto py = RunCommand({"python3", std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py",
                        TestDataPath("cert/valid.evidence/entry-4.bundle"), "--key", key});
  ASSERT_EQ(py.exit_code, 0) << py.out << py.err;
  auto entry = nlohmann::json::parse(py.out.substr(0, py.out.find('\n')));
  EXPECT_EQ(entry["type"], "certificate.issued");
  // docs/formats/certificate.md, "Auditor's steps": the content digest with
  // Python's json module equals what the ledger entry commits to.
  auto digest =
      RunCommand({"python3", "-c",
                  "import json,sys,hashlib; c=json.load(open(sys.argv[1]))['body']['content']; "
                  "print(hashlib.sha256(json.dumps(c,ensure_ascii=False,separators=(',',':'),"
                  "sort_keys=True).encode()).hexdigest())",
                  TestDataPath("cert/valid.json")});
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  EXPECT_EQ(digest.out, entry["data"]["content_sha256"].get<std::string>() + "\n");
}

}  // namespace
}  // namespace custody
