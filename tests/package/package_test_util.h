// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared fixture of the package tests: a station in a temporary directory,
// an X25519 identity, and helpers to build source trees and hostile tars.
#ifndef CUSTODY_TESTS_PACKAGE_PACKAGE_TEST_UTIL_H_
#define CUSTODY_TESTS_PACKAGE_PACKAGE_TEST_UTIL_H_

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <locale.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/hash.h"
#include "crypto/signature_context.h"
#include "common/byte_stream.h"
#include "package/package_internal.h"
#include "package/tar_writer.h"
#include "custody/env.h"
#include "custody/package.h"
#include "custody/station.h"
#include "support/temp_dir.h"

namespace custody::testing_package {

// Gives `data` in pieces of at most `piece`, then `end`: OK for a clean end
// of input, or the error the next read returns. Lends the pieces too
// (ReadView), as the age decryptor does.
class PieceSource final : public ByteSource, public package::BorrowingSource {
 public:
  PieceSource(std::string data, size_t piece, Status end)
      : data_(std::move(data)), piece_(piece), end_(std::move(end)) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    if (pos_ == data_.size()) {
      if (!end_.ok()) return end_;
      return size_t{0};
    }
    size_t take = std::min({n, piece_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  Result<std::string_view> ReadView() override {
    if (pos_ == data_.size()) {
      if (!end_.ok()) return end_;
      return std::string_view();
    }
    size_t take = std::min(piece_, data_.size() - pos_);
    std::string_view view(data_.data() + pos_, take);
    pos_ += take;
    return view;
  }

 private:
  std::string data_;
  size_t piece_;
  Status end_;
  size_t pos_ = 0;
};

inline void MakeFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  WriteFileOrDie(path, data);
}

// Deterministic bytes (not random: reproducible failures).
inline std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

// True if `dir` holds nothing but what it held before (no leftovers).
inline std::vector<std::string> ListRecursive(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    out.push_back(it->path().lexically_relative(dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One tar member for hostile archives built here with libarchive.
struct RawMember {
  RawMember(std::string p, std::string d, unsigned t = AE_IFREG, std::string sym = "", std::string hard = "",
            unsigned m = 0644)
      : path(std::move(p)), data(std::move(d)), type(t), symlink(std::move(sym)), hardlink(std::move(hard)), mode(m) {}
  std::string path;
  std::string data;
  unsigned type = AE_IFREG;
  std::string symlink, hardlink;
  unsigned mode = 0644;
  int64_t mtime = 1700000000;
};

// A tar of `members`, built with libarchive under C.UTF-8 (the 3.6.2 trap).
inline std::string BuildTar(const std::vector<RawMember>& members) {
  locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  locale_t old = uselocale(loc);
  std::string out;
  struct archive* a = archive_write_new();
  EXPECT_EQ(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
  EXPECT_EQ(archive_write_open(
                a, &out, nullptr,
                [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
                  static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
                  return static_cast<la_ssize_t>(n);
                },
                nullptr),
            ARCHIVE_OK);
  for (const RawMember& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, m.path.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, m.mode);
    archive_entry_set_mtime(e, m.mtime, 0);
    if (!m.symlink.empty()) archive_entry_set_symlink(e, m.symlink.c_str());
    if (!m.hardlink.empty()) archive_entry_set_hardlink(e, m.hardlink.c_str());
    if (m.type == AE_IFCHR) archive_entry_set_rdev(e, makedev(1, 3));
    archive_entry_set_size(e, m.type == AE_IFREG && m.hardlink.empty() ? static_cast<la_int64_t>(m.data.size()) : 0);
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << m.path << ": " << archive_error_string(a);
    if (m.type == AE_IFREG && !m.data.empty()) {
      EXPECT_EQ(archive_write_data(a, m.data.data(), m.data.size()), static_cast<la_ssize_t>(m.data.size()));
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  uselocale(old);
  freelocale(loc);
  return out;
}

class PackageFixture : public ::testing::Test {
 protected:
  // Entries in the station's ledger.
  uint64_t LedgerSize() {
    uint64_t n = 0;
    EXPECT_TRUE((*station_->ledger())->Scan(0, [&](const LedgerEntry&) {
                                        ++n;
                                        return true;
                                      })
                    .ok());
    return n;
  }
  void SetUp() override {
    StationInitOptions o;
    o.home = dir_.path() + "/station";
    o.organization = "株式会社サンプル情報サービス";
    o.station_name = "office-1";
    o.default_operator = "山田太郎";
    o.operator_name = "山田太郎";
    auto s = Station::Init(o, Env::Default());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    station_ = std::move(*s);
    auto id = age::X25519Identity::Generate(*Env::Default());
    ASSERT_TRUE(id.ok());
    identity_ = std::make_unique<age::X25519Identity>(std::move(*id));
  }

  CreatePackageOptions BaseOptions(const std::vector<std::string>& sources, const std::string& out) {
    CreatePackageOptions o;
    o.sources = sources;
    o.output_path = out;
    o.recipients = {identity_->Recipient().ToString()};
    o.recipient_organization = "新潟県A市";
    o.purpose = "住民税システム移行";
    o.classification = "機密性2";
    return o;
  }

  // A zip package (generated password) at path("p.zip") of src/住民データ:
  // 台帳.csv and a 70,000-byte file named `second` (relative, may hold a
  // directory).
  Result<CreatedPackage> MakeZipPackage(const std::string& second) {
    MakeFile(path("src/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
    MakeFile(path("src/住民データ/" + second), Pattern(70000, 9));
    auto o = BaseOptions({path("src/住民データ")}, path("p.zip"));
    o.recipients.clear();
    o.format = PackageFormat::kZip;
    return CreatePackage(*station_, o, nullptr);
  }

  PackageKeys Keys() const {
    PackageKeys k;
    k.identities.push_back(identity_->ToString());
    return k;
  }

  // A signed manifest for `files`, as the station would write it, unless
  // `edit` changes it before it is written and signed.
  std::pair<std::string, std::string> SignedManifest(const std::vector<PackageFile>& files,
                                                     const std::function<void(PackageManifest&)>& edit = nullptr) {
    PackageManifest m;
    m.format = std::string(kPackageFormatV1);
    m.package_id = "00000000-0000-4000-8000-000000000000";
    m.created = "2026-11-23T00:00:00Z";
    m.sender_organization = station_->config().organization;
    m.sender_station = station_->config().station_name;
    m.sender_verifier_key = station_->config().verifier_key;
    m.recipient_organization = "A市";
    std::string r = identity_->Recipient().ToString();
    m.recipients.push_back({"X25519", r, package::ShortFingerprint(r)});
    m.purpose = "test";
    m.classification = "機密性2";
    m.files = files;
    for (const auto& f : files) m.total_size += f.size;
    if (edit) edit(m);
    auto json = ManifestToJson(m);
    EXPECT_TRUE(json.ok()) << json.status().ToString();
    return {*json, SignText(*json)};
  }

  // The station's signature of `manifest_json`, whatever it holds.
  std::string SignText(const std::string& manifest_json) {
    auto sig = station_->Sign(crypto::ContextMessage(crypto::kPackageManifestContext, manifest_json));
    EXPECT_TRUE(sig.ok());
    return sig.ok() ? *sig : "";
  }

  // A manifest entry describing `data` at `path` (relative to data/).
  static PackageFile Describe(const std::string& path, const std::string& data, unsigned mode = 0644,
                              int64_t mtime = 1700000000) {
    return {path, data.size(), mode, mtime, crypto::Sha256Hex(data)};
  }

  // Encrypts `plaintext` to the fixture's identity.
  std::string Encrypt(const std::string& plaintext) {
    auto r = age::Encrypt(plaintext, {&identity_->Recipient()});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  }

  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }

  TempDir dir_;
  std::unique_ptr<Station> station_;
  std::unique_ptr<age::X25519Identity> identity_;
};

}  // namespace custody::testing_package

#endif  // CUSTODY_TESTS_PACKAGE_PACKAGE_TEST_UTIL_H_
