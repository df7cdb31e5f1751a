// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// AES-256 zip packages against the real 7-Zip (`7z`, p7zip-full) and bsdtar:
// Japanese names, AE-2 with AES-256 (no ZipCrypto, no CRC of the content),
// one opaque entry, wrong and empty passwords refused, tampering detected by
// custody. The password reaches 7z and bsdtar on standard input, not argv
// (except the wrong ones, which are no secret).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "package/package_test_util.h"

namespace custody::testing_package {
namespace {

using ::testing::HasSubstr;

class ZipPackageTest : public PackageFixture {
 protected:
  void SetUp() override {
    PackageFixture::SetUp();
    auto c = MakeZipPackage("写真/顔.bin");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    password_ = std::string(c->zip_password.view());
    digest_ = c->digest;
    ASSERT_FALSE(c->zip_password_id.empty());
  }
  PackageKeys ZipKeys(const std::string& pass) {
    PackageKeys k;
    k.passphrase = [pass] { return Result<SecretString>(SecretString(pass)); };
    return k;
  }
  CommandResult Sh(const std::string& script) { return RunCommand({"sh", "-c", script}); }
  // The password in a 0600 file, for tools that read it from standard input.
  std::string PasswordFile() {
    const std::string p = path("password.txt");
    if (!std::filesystem::exists(p)) {
      WriteFileOrDie(p, password_ + "\n");
      std::filesystem::permissions(
          p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    return p;
  }
  std::string password_, digest_;
};

TEST_F(ZipPackageTest, GeneratedPasswordIsStrongAndRecordedById) {
  EXPECT_EQ(password_.size(), 24u);  // 20 symbols of 32 (100 bits) + 4 hyphens.
  EXPECT_THAT(password_, ::testing::MatchesRegex("^([2-9A-HJ-NP-Z]{4}-){4}[2-9A-HJ-NP-Z]{4}$"));
  auto ledger = station_->ledger();
  ASSERT_TRUE(ledger.ok());
  bool found = false;
  ASSERT_TRUE((*ledger)->Scan(0, [&](const LedgerEntry& e) {
                          if (e.type == "package.created") {
                            found = true;
                            EXPECT_THAT(e.data_json, HasSubstr("\"format\":\"zip-aes256\""));
                            EXPECT_THAT(e.data_json, HasSubstr("\"password_id\":\"pw-"));
                            EXPECT_THAT(e.data_json, ::testing::Not(HasSubstr(password_)));
                          }
                          return true;
                        }).ok());
  EXPECT_TRUE(found);
}

TEST_F(ZipPackageTest, IsAesAe2WithOneOpaqueEntry) {
  std::string zip = ReadFileOrDie(path("p.zip"));
  auto u16 = [&zip](size_t at) {
    return static_cast<uint8_t>(zip[at]) | (static_cast<uint8_t>(zip[at + 1]) << 8);
  };
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(u16(at)) | (static_cast<uint32_t>(u16(at + 2)) << 16);
  };
  // Local header: method 99 (WinZip AES), then the 0x9901 extra field:
  // vendor version 2 (AE-2: no CRC-32 of the plaintext; libarchive writes
  // AE-1 and custody patches it), "AE", strength 3 (AES-256), real method
  // 0 (stored). The same field in the central directory, and a CRC of 0 in
  // the local header, the data descriptor and the central directory.
  ASSERT_EQ(zip.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(u16(8), 99);
  EXPECT_EQ(u32(14), 0u);
  const std::string aes_field("\x01\x99\x07\x00", 4);
  const std::string ae2_aes256_stored =
      std::string("\x02\x00", 2) + "AE" + std::string("\x03\x00\x00", 3);
  const size_t local_aes = zip.find(aes_field);
  ASSERT_NE(local_aes, std::string::npos);
  EXPECT_EQ(zip.substr(local_aes + 4, 7), ae2_aes256_stored);
  const size_t end = zip.size() - 22;
  ASSERT_EQ(u32(end), 0x06054b50u);
  const size_t central = u32(end + 16);
  ASSERT_EQ(u32(central), 0x02014b50u);
  EXPECT_EQ(u32(central + 16), 0u) << "CRC in the central directory";
  const size_t central_aes = zip.find(aes_field, central);
  ASSERT_NE(central_aes, std::string::npos);
  EXPECT_EQ(zip.substr(central_aes + 4, 7), ae2_aes256_stored);
  const size_t descriptor = zip.rfind(std::string("PK\x07\x08", 4), central);
  ASSERT_NE(descriptor, std::string::npos);
  EXPECT_EQ(u32(descriptor + 4), 0u) << "CRC in the data descriptor";

  // 7-Zip reads the password from standard input when it has no terminal
  // (setsid): never on its command line.
  auto list = Sh("setsid -w 7z l -slt '" + path("p.zip") + "' < '" + PasswordFile() + "'");
  ASSERT_EQ(list.exit_code, 0) << list.out << list.err;
  EXPECT_THAT(list.out, HasSubstr("Method = AES-256"));
  EXPECT_THAT(list.out, HasSubstr("Path = custody-package.tar"));
  EXPECT_THAT(list.out, HasSubstr("CRC = \n"));  // None to show.
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr("ZipCrypto")));
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr("台帳")));  // Names only inside the encrypted tar.
  auto test = Sh("setsid -w 7z t '" + path("p.zip") + "' < '" + PasswordFile() + "'");
  ASSERT_EQ(test.exit_code, 0) << test.out << test.err;
  EXPECT_THAT(test.out, HasSubstr("Everything is Ok"));
}

TEST_F(ZipPackageTest, SevenZipAndBsdtarOpenItWithJapaneseNames) {
  auto seven =
      Sh("mkdir -p '" + path("x7") + "' && cd '" + path("x7") + "' && setsid -w 7z x '" +
         path("p.zip") + "' < '" + PasswordFile() + "' >/dev/null && tar -xf custody-package.tar");
  ASSERT_EQ(seven.exit_code, 0) << seven.err;
  EXPECT_EQ(ReadFileOrDie(path("x7/data/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");
  EXPECT_EQ(ReadFileOrDie(path("x7/data/住民データ/写真/顔.bin")), Pattern(70000, 9));
  EXPECT_EQ(Sh("sha256sum '" + path("x7/custody/manifest.json") + "'").out.substr(0, 64), digest_);

  // bsdtar converts names to the locale's charset: a recipient's desktop
  // has a UTF-8 locale, CI may run under C. It reads the password from
  // standard input without a terminal too.
  auto bsd = Sh("mkdir -p '" + path("xb") + "' && cd '" + path("xb") +
                "' && export LC_ALL=C.UTF-8 && setsid -w bsdtar -xf '" + path("p.zip") + "' < '" +
                PasswordFile() + "' && bsdtar -xf custody-package.tar");
  ASSERT_EQ(bsd.exit_code, 0) << bsd.err;
  EXPECT_EQ(ReadFileOrDie(path("xb/data/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");

  // custody verifies and opens it with the same password.
  auto v = VerifyPackage(path("p.zip"), ZipKeys(password_));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->digest, digest_);
  auto o = OpenPackage(path("p.zip"), path("dest"), ZipKeys(password_), {}, nullptr);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(ReadFileOrDie(path("dest/住民データ/台帳.csv")), "氏名,住所\n山田,新潟\n");
}

TEST_F(ZipPackageTest, WrongAndEmptyPasswordsFail) {
  std::string wrong = password_;
  wrong[0] = wrong[0] == '2' ? '3' : '2';
  for (const std::string& p : {wrong, std::string("")}) {
    auto seven = RunCommand({"7z", "x", "-y", "-p" + p, "-o" + path("w7"), path("p.zip")});
    EXPECT_NE(seven.exit_code, 0) << "7z accepted password '" << p << "'";
    EXPECT_FALSE(std::filesystem::exists(path("w7/custody-package.tar")) &&
                 ReadFileOrDie(path("w7/custody-package.tar")).find("manifest") != std::string::npos);
    auto bsd = Sh("cd '" + dir_.path() + "' && bsdtar -x --passphrase '" + p + "' -O -f '" + path("p.zip") +
                  "' > /dev/null");
    EXPECT_NE(bsd.exit_code, 0) << "bsdtar accepted password '" << p << "'";
    auto c = OpenPackage(path("p.zip"), path("dest"), ZipKeys(p), {}, nullptr);
    EXPECT_EQ(c.status().code(), StatusCode::kWrongKey) << c.status().ToString();
    EXPECT_FALSE(std::filesystem::exists(path("dest")));
  }
}

TEST_F(ZipPackageTest, TamperingAndTruncationAreRejected) {
  const std::string zip = ReadFileOrDie(path("p.zip"));
  // Local header (30) + name + extra fields, then salt (16) and verifier (2).
  size_t name_len = static_cast<uint8_t>(zip[26]) | (static_cast<uint8_t>(zip[27]) << 8);
  size_t extra_len = static_cast<uint8_t>(zip[28]) | (static_cast<uint8_t>(zip[29]) << 8);
  size_t data_start = 30 + name_len + extra_len + 18;
  // The entry's data ends with its 10-byte HMAC, then the data descriptor.
  // Only the entry is authenticated (zip's directory is not: package.md).
  size_t descriptor = zip.rfind(std::string("PK\x07\x08", 4));
  ASSERT_NE(descriptor, std::string::npos);
  EXPECT_EQ(zip.substr(zip.size() - 22, 4), std::string("PK\x05\x06", 4)) << "no padding after the zip's end";
  std::vector<size_t> offsets = {data_start, data_start + 100, (data_start + descriptor) / 2, descriptor - 20,
                                 descriptor - 5};
  for (size_t off : offsets) {
    std::string bad = zip;
    bad[off] = static_cast<char>(bad[off] ^ 0x04);
    WriteFileOrDie(path("bad.zip"), bad);
    auto r = OpenPackage(path("bad.zip"), path("dest"), ZipKeys(password_), {}, nullptr);
    EXPECT_FALSE(r.ok()) << "flip at " << off;
    EXPECT_FALSE(std::filesystem::exists(path("dest")));
  }
  for (size_t cut : {size_t{10}, size_t{100}, zip.size() / 2, zip.size() - 100, zip.size() - 1}) {
    WriteFileOrDie(path("cut.zip"), zip.substr(0, cut));
    auto r = OpenPackage(path("cut.zip"), path("dest"), ZipKeys(password_), {}, nullptr);
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_FALSE(std::filesystem::exists(path("dest")));
  }
}

TEST_F(ZipPackageTest, RefusesChosenPasswordsAndRecipients) {
  auto o = BaseOptions({path("src/住民データ")}, path("q.zip"));
  o.format = PackageFormat::kZip;
  EXPECT_EQ(CreatePackage(*station_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  o.recipients.clear();
  o.passphrase = SecretString("my-own-password-123456");
  EXPECT_EQ(CreatePackage(*station_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path("q.zip")));
}

}  // namespace
}  // namespace custody::testing_package
