// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Golden package files (tests/data/package, see its README): a package made
// by custody must keep verifying with the committed test identity and
// station verifier key, and its damaged copies (truncated, a bit flipped in
// the header and in the payload, encrypted to another key) must be refused
// with stable error classes, nothing extracted. The CLI's exit statuses for
// the same files are checked in package_cli_integration_test.cc.
//
// To regenerate (only when the format changes; then update the README):
//   CUSTODY_WRITE_GOLDEN_PACKAGES=$PWD/tests/data/package build/tests/package_package_golden_test
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "crypto/age.h"
#include "crypto/hash.h"
#include "custody/env.h"
#include "custody/package.h"
#include "custody/station.h"
#include "package/package_test_util.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string Golden(const std::string& name) { return TestDataPath("package/" + name); }

PackageKeys KeysFrom(const std::string& identity_file) {
  PackageKeys k;
  k.identities.emplace_back(Trimmed(ReadFileOrDie(Golden(identity_file))));
  k.identity_names.push_back(identity_file);
  return k;
}

VerifyPackageOptions Pinned() {
  VerifyPackageOptions o;
  o.expected_sender_key = Trimmed(ReadFileOrDie(Golden("station-verifier-key.txt")));
  return o;
}

TEST(PackageGoldenTest, ValidPackageVerifiesWithTheCommittedKeys) {
  auto v = VerifyPackage(Golden("valid.age"), KeysFrom("identity.txt"), Pinned());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->files_verified);
  EXPECT_EQ(v->digest, Trimmed(ReadFileOrDie(Golden("valid.digest.txt"))));
  EXPECT_EQ(v->digest, crypto::Sha256Hex(v->ManifestJson().value()));
  EXPECT_EQ(v->manifest.format, kPackageFormatV1);
  ASSERT_EQ(v->Files().value().size(), 2u);
  EXPECT_EQ(v->Files().value()[0].path, "住民データ/写真.bin");  // Sorted by UTF-8 bytes.
  EXPECT_EQ(v->Files().value()[0].size, 70000u);
  EXPECT_EQ(v->Files().value()[1].path, "住民データ/台帳.csv");
  ASSERT_EQ(v->manifest.recipients.size(), 1u);
  EXPECT_EQ(v->manifest.recipients[0].recipient, Trimmed(ReadFileOrDie(Golden("identity.pub.txt"))));

  // Opening it extracts exactly the files; the bytes are the committed ones.
  TempDir dir;
  auto o = OpenPackage(Golden("valid.age"), dir.path() + "/out", KeysFrom("identity.txt"), {Pinned(), ""},
                       nullptr);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/out/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/out/住民データ/写真.bin"), testing_package::Pattern(70000, 7));

  // Another station's key than the committed one is refused.
  StationInitOptions so;
  so.home = dir.path() + "/other-station";
  so.organization = "別の組織";
  so.station_name = "golden-1";
  so.default_operator = "山田太郎";
  so.operator_name = "山田太郎";
  auto other_station = Station::Init(so, Env::Default());
  ASSERT_TRUE(other_station.ok()) << other_station.status().ToString();
  VerifyPackageOptions other;
  other.expected_sender_key = (*other_station)->config().verifier_key;
  EXPECT_EQ(VerifyPackage(Golden("valid.age"), KeysFrom("identity.txt"), other).status().code(),
            StatusCode::kVerificationFailed);
}

struct DamagedCase {
  const char* file;
  StatusCode code;
  const char* message;
};

TEST(PackageGoldenTest, DamagedPackagesAreRefusedWithTheirClass) {
  const DamagedCase cases[] = {
      {"truncated.age", StatusCode::kTruncated, "truncated"},
      {"bitflip-header.age", StatusCode::kVerificationFailed, "header"},
      {"bitflip-payload.age", StatusCode::kVerificationFailed, "failed authentication"},
      {"wrong-key.age", StatusCode::kWrongKey, "not addressed to any key you hold (it is for: 1 X25519 key"},
  };
  for (const DamagedCase& c : cases) {
    SCOPED_TRACE(c.file);
    auto v = VerifyPackage(Golden(c.file), KeysFrom("identity.txt"), Pinned());
    EXPECT_EQ(v.status().code(), c.code) << v.status().ToString();
    EXPECT_THAT(v.status().message(), HasSubstr(c.message));
    auto m = ReadManifest(Golden(c.file), KeysFrom("identity.txt"), Pinned());
    EXPECT_EQ(m.status().code(), c.code) << m.status().ToString();
    TempDir dir;
    auto o = OpenPackage(Golden(c.file), dir.path() + "/out", KeysFrom("identity.txt"), {Pinned(), ""}, nullptr);
    EXPECT_EQ(o.status().code(), c.code) << o.status().ToString();
    EXPECT_FALSE(fs::exists(dir.path() + "/out"));
  }
  // The wrong-key package is itself valid: its own key opens it.
  auto own = VerifyPackage(Golden("wrong-key.age"), KeysFrom("other-identity.txt"), Pinned());
  EXPECT_TRUE(own.ok()) << own.status().ToString();
}

// Writes the golden files when asked to (see the top of this file).
TEST(PackageGoldenWriter, WriteWhenAsked) {
  const char* out = std::getenv("CUSTODY_WRITE_GOLDEN_PACKAGES");
  if (out == nullptr) GTEST_SKIP() << "set CUSTODY_WRITE_GOLDEN_PACKAGES=DIR to regenerate the golden files";
  std::string root = out;
  fs::create_directories(root);
  TempDir dir;
  StationInitOptions so;
  so.home = dir.path() + "/station";
  so.organization = "株式会社ゴールデン情報";
  so.station_name = "golden-1";
  so.default_operator = "山田太郎";
  so.operator_name = "山田太郎";
  auto station = Station::Init(so, Env::Default());
  ASSERT_TRUE(station.ok()) << station.status().ToString();
  auto id = age::X25519Identity::Generate(*Env::Default());
  auto other = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(id.ok() && other.ok());
  WriteFileOrDie(root + "/identity.txt", std::string(id->ToString().view()) + "\n");
  WriteFileOrDie(root + "/identity.pub.txt", id->Recipient().ToString() + "\n");
  WriteFileOrDie(root + "/other-identity.txt", std::string(other->ToString().view()) + "\n");
  WriteFileOrDie(root + "/station-verifier-key.txt", (*station)->config().verifier_key + "\n");

  // Two files, one over a 64 KiB age chunk so the payload has two chunks.
  testing_package::MakeFile(dir.path() + "/src/住民データ/台帳.csv", "氏名,住所\n山田,新潟\n");
  testing_package::MakeFile(dir.path() + "/src/住民データ/写真.bin", testing_package::Pattern(70000, 7));
  CreatePackageOptions o;
  o.sources = {dir.path() + "/src/住民データ"};
  o.recipient_organization = "新潟県A市";
  o.purpose = "golden test file";
  o.classification = "機密性2";
  o.output_path = root + "/valid.age";
  o.overwrite = true;
  o.recipients = {id->Recipient().ToString()};
  auto created = CreatePackage(**station, o, Env::Default());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  WriteFileOrDie(root + "/valid.digest.txt", created->digest + "\n");
  o.output_path = root + "/wrong-key.age";
  o.recipients = {other->Recipient().ToString()};
  ASSERT_TRUE(CreatePackage(**station, o, Env::Default()).ok());

  std::string valid = ReadFileOrDie(root + "/valid.age");
  size_t header_end = valid.find("\n---");
  ASSERT_NE(header_end, std::string::npos);
  size_t mac = header_end + 5;  // The header MAC's base64 starts here.
  size_t payload = valid.find('\n', header_end + 1) + 1 + 16;  // After the 16-byte payload nonce.
  ASSERT_GT(valid.size(), payload + 65536 + 16);
  // Cut right after the first (full) chunk: the reader wants a final chunk.
  WriteFileOrDie(root + "/truncated.age", valid.substr(0, payload + 65536 + 16));
  std::string flip = valid;
  while (!std::isalpha(static_cast<unsigned char>(flip[mac]))) ++mac;  // A letter (not the last character).
  ASSERT_LT(mac, header_end + 5 + 40);
  flip[mac] ^= 0x20;  // Swaps the letter's case: still base64, a different MAC.
  WriteFileOrDie(root + "/bitflip-header.age", flip);
  flip = valid;
  flip[payload + 30000] ^= 0x01;
  WriteFileOrDie(root + "/bitflip-payload.age", flip);
}

}  // namespace
}  // namespace custody
