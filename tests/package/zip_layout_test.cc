// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The structure of zip packages (src/package/zip.cc ReadZipLayout): zips
// crafted byte by byte around a genuine package, each of which some zip
// tool would read differently from custody, are refused as kCorruption
// before anything is decrypted; and custody writes AE-2 (no CRC-32 of the
// plaintext anywhere).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "package/package_test_util.h"
#include "package/zip_io.h"

namespace custody::testing_package {
namespace {

using ::testing::HasSubstr;

uint32_t Get16(const std::string& s, size_t at) {
  return static_cast<uint8_t>(s[at]) | (static_cast<uint8_t>(s[at + 1]) << 8);
}
uint32_t Get32(const std::string& s, size_t at) { return Get16(s, at) | (Get16(s, at + 2) << 16); }
void Put16(std::string& s, size_t at, uint32_t v) {
  s[at] = static_cast<char>(v & 0xFF);
  s[at + 1] = static_cast<char>((v >> 8) & 0xFF);
}
void Put32(std::string& s, size_t at, uint32_t v) {
  Put16(s, at, v & 0xFFFF);
  Put16(s, at + 2, v >> 16);
}
std::string Le16(uint32_t v) {
  std::string s(2, '\0');
  Put16(s, 0, v);
  return s;
}
std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  Put32(s, 0, v);
  return s;
}

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

// The offset of the data of extra field `id` in the extra block at
// [at, at + length) of `s`; npos if absent.
size_t FindExtra(const std::string& s, size_t at, size_t length, uint32_t id) {
  for (size_t p = at; p + 4 <= at + length; p += 4 + Get16(s, p + 2)) {
    if (Get16(s, p) == id) return p + 4;
  }
  return std::string::npos;
}

// A genuine zip package cut into its parts.
struct ZipParts {
  std::string entry;    // Local header, data and data descriptor: [0, central directory).
  std::string central;  // The one central directory entry.
};

std::string EndRecord(uint32_t entries, size_t central_size, size_t central_offset) {
  return std::string("PK\x05\x06", 4) + Le16(0) + Le16(0) + Le16(entries) + Le16(entries) +
         Le32(static_cast<uint32_t>(central_size)) + Le32(static_cast<uint32_t>(central_offset)) +
         Le16(0);
}

class ZipLayoutTest : public PackageFixture {
 protected:
  void SetUp() override {
    PackageFixture::SetUp();
    auto c = MakeZipPackage("写真.bin");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    password_ = std::string(c->zip_password.view());
    zip_ = ReadFileOrDie(path("p.zip"));
    ASSERT_GE(zip_.size(), 22u);
    const size_t end = zip_.size() - 22;
    ASSERT_EQ(Get32(zip_, end), 0x06054b50u);
    const size_t central_offset = Get32(zip_, end + 16), central_size = Get32(zip_, end + 12);
    parts_.entry = zip_.substr(0, central_offset);
    parts_.central = zip_.substr(central_offset, central_size);
  }

  // The central directory entry of `parts_` pointing at `offset`.
  std::string CentralAt(size_t offset) const {
    std::string c = parts_.central;
    Put32(c, 42, static_cast<uint32_t>(offset));
    return c;
  }

  Result<VerifiedPackage> Verify(const std::string& zip) {
    WriteFileOrDie(path("crafted.zip"), zip);
    PackageKeys k;
    const std::string pass = password_;
    k.passphrase = [pass] { return Result<SecretString>(SecretString(pass)); };
    return VerifyPackage(path("crafted.zip"), k);
  }

  void ExpectRefused(const std::string& zip, const std::string& why) {
    auto v = Verify(zip);
    ASSERT_FALSE(v.ok()) << "accepted: " << why;
    EXPECT_EQ(v.status().code(), StatusCode::kCorruption) << why << ": " << v.status().ToString();
    EXPECT_THAT(v.status().message(), HasSubstr("structure is not the one custody writes")) << why;
    EXPECT_THAT(v.status().message(), HasSubstr(why));
  }

  std::string password_, zip_;
  ZipParts parts_;
};

TEST_F(ZipLayoutTest, TheGenuinePackageVerifies) {
  auto v = Verify(parts_.entry + parts_.central +
                  EndRecord(1, parts_.central.size(), parts_.entry.size()));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->file_count, 2u);
}

// The auditor's zip: after the genuine entry, "PK\1\2" (where custody's
// streaming reader stopped), then a stored, unencrypted
// custody-package.tar, and a central directory pointing at it, which is
// what 7-Zip, bsdtar and Python's zipfile extract (without a password).
TEST_F(ZipLayoutTest, RefusesADirectoryPointingAtAnotherUnencryptedEntry) {
  const std::string payload =
      "attacker's tar, extracted by every tool that reads the central directory";
  const std::string name = "custody-package.tar";
  std::string zip = parts_.entry + "PK\x01\x02";
  const size_t fake_offset = zip.size();
  zip += std::string("PK\x03\x04", 4) + Le16(20) + Le16(0) + Le16(0) + Le16(0) + Le16(0x21) +
         Le32(Crc32(payload)) + Le32(payload.size()) + Le32(payload.size()) + Le16(name.size()) +
         Le16(0) + name + payload;
  const size_t central_offset = zip.size();
  const std::string central = std::string("PK\x01\x02", 4) + Le16(0x031E) + Le16(20) + Le16(0) +
                              Le16(0) + Le16(0) + Le16(0x21) + Le32(Crc32(payload)) +
                              Le32(payload.size()) + Le32(payload.size()) + Le16(name.size()) +
                              Le16(0) + Le16(0) + Le16(0) + Le16(0) + Le32(0x81800000) +
                              Le32(static_cast<uint32_t>(fake_offset)) + name;
  zip += central + EndRecord(1, central.size(), central_offset);
  ExpectRefused(zip, "not WinZip AES encrypted");
  // The same directory entry marked encrypted still points elsewhere.
  std::string marked = central;
  Put16(marked, 8, 0x0009);
  Put16(marked, 10, 99);
  ExpectRefused(parts_.entry + "PK\x01\x02" +
                    zip.substr(fake_offset, central_offset - fake_offset) + marked +
                    EndRecord(1, marked.size(), central_offset),
                "at offset " + std::to_string(fake_offset) + ", not 0");
}

TEST_F(ZipLayoutTest, RefusesBytesAfterTheEnd) {
  ExpectRefused(zip_ + "appended", "bytes after the end record");
  // Another whole end record after the genuine one (what a tool searching
  // backwards would find first).
  ExpectRefused(zip_ + EndRecord(1, parts_.central.size(), parts_.entry.size()),
                "the central directory does not end where the end record begins");
  std::string comment = zip_;
  Put16(comment, comment.size() - 2, 7);
  ExpectRefused(comment + "comment", "bytes after the end record");
}

TEST_F(ZipLayoutTest, RefusesASecondEntry) {
  // The genuine entry twice, both in the directory.
  const std::string central = CentralAt(0) + CentralAt(parts_.entry.size());
  ExpectRefused(
      parts_.entry + parts_.entry + central + EndRecord(2, central.size(), 2 * parts_.entry.size()),
      "2 entries instead of one");
  // Counted as one, listed as two.
  ExpectRefused(
      parts_.entry + parts_.entry + central + EndRecord(1, central.size(), 2 * parts_.entry.size()),
      "more than one entry");
}

TEST_F(ZipLayoutTest, RefusesAnEntryAtANonzeroOffset) {
  // A copy of the genuine entry after it, and the directory pointing at the
  // copy: custody would read one, 7-Zip the other.
  const std::string central = CentralAt(parts_.entry.size());
  ExpectRefused(
      parts_.entry + parts_.entry + central + EndRecord(1, central.size(), 2 * parts_.entry.size()),
      "at offset " + std::to_string(parts_.entry.size()) + ", not 0");
}

TEST_F(ZipLayoutTest, RefusesADirectoryThatDisagreesWithTheEntry) {
  auto with_central = [&](const std::string& central) {
    return parts_.entry + central + EndRecord(1, central.size(), parts_.entry.size());
  };
  std::string c = parts_.central;
  Put32(c, 20, Get32(c, 20) + 1);  // Compressed size.
  Put32(c, 24, Get32(c, 24) + 1);  // Uncompressed size: still 28 apart.
  ExpectRefused(with_central(c), "does not begin right after the entry's data");
  c = parts_.central;
  Put32(c, 16, 0x12345678);  // A CRC in an AE-2 entry.
  ExpectRefused(with_central(c), "an AE-2 entry with a CRC");
  c = parts_.central;
  const size_t aes = FindExtra(c, 46 + Get16(c, 28), Get16(c, 30), 0x9901);
  ASSERT_NE(aes, std::string::npos);
  c[aes + 4] = 1;  // AES-128.
  ExpectRefused(with_central(c), "not AES-256");
  c = parts_.central;
  c[aes + 5] = 8;  // Deflated inside.
  ExpectRefused(with_central(c), "compressed, not stored");
  c = parts_.central;
  c[46] = 'C';  // Another name.
  ExpectRefused(with_central(c), "Custody-package.tar");
  // The data descriptor (just before the directory) with another size.
  std::string entry = parts_.entry;
  entry[entry.size() - 8] ^= 1;
  ExpectRefused(entry + parts_.central + EndRecord(1, parts_.central.size(), entry.size()),
                "data descriptor's CRC or sizes differ");
}

TEST_F(ZipLayoutTest, ACutPackageIsTruncated) {
  for (size_t cut : {size_t{60}, zip_.size() / 2, zip_.size() - 30, zip_.size() - 1}) {
    auto v = Verify(zip_.substr(0, cut));
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_EQ(v.status().code(), StatusCode::kTruncated) << cut << ": " << v.status().ToString();
  }
}

// Zip64 end records, which libarchive writes past 4 GiB: the same package
// with its end record pointing through a Zip64 end record still verifies.
TEST_F(ZipLayoutTest, Zip64EndRecordsAreRead) {
  const size_t central_offset = parts_.entry.size(), central_size = parts_.central.size();
  std::string zip64_end = std::string("PK\x06\x06", 4) + Le32(44) + Le32(0) + Le16(45) + Le16(45) +
                          Le32(0) + Le32(0) + Le32(1) + Le32(0) + Le32(1) + Le32(0) +
                          Le32(central_size) + Le32(0) + Le32(central_offset) + Le32(0);
  ASSERT_EQ(zip64_end.size(), 56u);
  const size_t record = central_offset + central_size;
  const std::string locator =
      std::string("PK\x06\x07", 4) + Le32(0) + Le32(record) + Le32(0) + Le32(1);
  std::string end = EndRecord(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
  auto v = Verify(parts_.entry + parts_.central + zip64_end + locator + end);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  // Pointing anywhere but right before the locator is refused.
  std::string bad_locator = locator;
  Put32(bad_locator, 8, static_cast<uint32_t>(record - 1));
  ExpectRefused(parts_.entry + parts_.central + zip64_end + bad_locator + end,
                "not right before its locator");
}

// custody writes AE-2: the AES field's vendor version is 2 in the local
// header and the central directory, and the CRC-32 is 0 in the local
// header, the data descriptor and the central directory (libarchive writes
// AE-1, with the plaintext's CRC, and custody patches it).
TEST_F(ZipLayoutTest, CustodyWritesAe2WithoutTheCrc) {
  const std::string& z = zip_;
  ASSERT_EQ(Get32(z, 0), 0x04034b50u);
  EXPECT_EQ(Get16(z, 8), 99u);
  EXPECT_EQ(Get32(z, 14), 0u) << "CRC in the local header";
  const size_t local_aes = FindExtra(z, 30 + Get16(z, 26), Get16(z, 28), 0x9901);
  ASSERT_NE(local_aes, std::string::npos);
  EXPECT_EQ(Get16(z, local_aes), 2u) << "vendor version in the local header";
  EXPECT_EQ(z.substr(local_aes + 2, 3), "AE\x03");
  const std::string& e = parts_.entry;
  const bool zip64 = FindExtra(z, 30 + Get16(z, 26), Get16(z, 28), 0x0001) != std::string::npos;
  const size_t descriptor = e.size() - (zip64 ? 24 : 16);
  ASSERT_EQ(Get32(e, descriptor), 0x08074b50u);
  EXPECT_EQ(Get32(e, descriptor + 4), 0u) << "CRC in the data descriptor";
  const std::string& c = parts_.central;
  EXPECT_EQ(Get32(c, 16), 0u) << "CRC in the central directory";
  const size_t central_aes = FindExtra(c, 46 + Get16(c, 28), Get16(c, 30), 0x9901);
  ASSERT_NE(central_aes, std::string::npos);
  EXPECT_EQ(Get16(c, central_aes), 2u) << "vendor version in the central directory";
  // What the reader reports.
  auto file = Env::Default()->NewRandomAccessFile(path("p.zip"));
  ASSERT_TRUE(file.ok());
  auto layout = package::ReadZipLayout(**file);
  ASSERT_TRUE(layout.ok()) << layout.status().ToString();
  EXPECT_EQ(layout->aes_vendor_version, 2);
  EXPECT_EQ(layout->crc32, 0u);
  EXPECT_EQ(layout->data_offset + layout->compressed_size, layout->descriptor_offset);
  EXPECT_EQ(layout->central_offset, parts_.entry.size());
}

}  // namespace
}  // namespace custody::testing_package
