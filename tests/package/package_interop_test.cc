// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Packages against the standard tools: Debian's `age` 1.1.1, GNU tar and
// bsdtar. A recipient without custody opens a package with `age -d | tar -x`;
// a `tar | age -r` file is not a custody package and is refused, unless it
// carries a valid signed manifest for exactly its files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "package/package_test_util.h"

namespace custody::testing_package {
namespace {

using ::testing::HasSubstr;

class PackageInteropTest : public PackageFixture {
 protected:
  void SetUp() override {
    PackageFixture::SetUp();
    WriteFileOrDie(path("id.key"), std::string(identity_->ToString().view()) + "\n");
    MakeFile(path("src/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
    MakeFile(path("src/住民データ/大きい.bin"), Pattern(65536 * 2 + 1, 5));
  }
  CommandResult Sh(const std::string& script) { return RunCommand({"sh", "-c", script}); }
};

TEST_F(PackageInteropTest, AgeAndTarOpenACustodyPackage) {
  for (bool armor : {false, true}) {
    auto o = BaseOptions({path("src/住民データ")}, path(armor ? "a.age" : "b.age"));
    o.armor = armor;
    auto created = CreatePackage(*station_, o, nullptr);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    std::string out = path(armor ? "x-armor" : "x-bin");
    std::filesystem::create_directories(out);
    for (const char* tar : {"tar", "bsdtar"}) {
      std::filesystem::remove_all(out);
      std::filesystem::create_directories(out);
      // bsdtar converts names to the locale's charset: a recipient's
      // desktop has a UTF-8 locale, CI may run under C.
      auto r = Sh("age -d -i '" + path("id.key") + "' '" + o.output_path + "' | LC_ALL=C.UTF-8 " + tar + " -x -C '" +
                  out + "'");
      ASSERT_EQ(r.exit_code, 0) << tar << ": " << r.err;
      EXPECT_EQ(ReadFileOrDie(out + "/data/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
      EXPECT_EQ(ReadFileOrDie(out + "/data/住民データ/大きい.bin"), Pattern(65536 * 2 + 1, 5));
      // The digest a receipt quotes is checkable with sha256sum.
      auto sum = Sh("sha256sum '" + out + "/custody/manifest.json'");
      EXPECT_EQ(sum.out.substr(0, 64), created->digest);
      EXPECT_EQ(ReadFileOrDie(out + "/custody/manifest.sig").size(), 64u);
    }
  }
}

TEST_F(PackageInteropTest, PlainTarThroughAgeIsRefused) {
  std::string r = identity_->Recipient().ToString();
  auto made = Sh("tar -C '" + path("src") + "' -c . | age -r " + r + " > '" + path("plain.age") + "'");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto v = VerifyPackage(path("plain.age"), Keys());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(v.status().message(), HasSubstr("not a custody package"));
  auto o = OpenPackage(path("plain.age"), path("dest"), Keys(), {}, nullptr);
  EXPECT_FALSE(o.ok());
  EXPECT_FALSE(std::filesystem::exists(path("dest")));

  // Laid out like a package but without a manifest: refused too.
  auto made2 = Sh("cd '" + path("src") + "' && mkdir -p ../lay/data && cp -a 住民データ ../lay/data/ && cd ../lay && "
                  "tar --format=pax -c data/住民データ/台帳.csv | age -r " + r + " > '" + path("nomanifest.age") + "'");
  ASSERT_EQ(made2.exit_code, 0) << made2.err;
  auto v2 = VerifyPackage(path("nomanifest.age"), Keys());
  EXPECT_THAT(v2.status().message(), HasSubstr("no custody/manifest.json"));
}

TEST_F(PackageInteropTest, RepackedByGnuTarAndAgeStillVerifies) {
  // A recipient (or a relay) unpacks with age+tar and repacks the same members
  // with GNU tar and age: the signed manifest still vouches for every file.
  auto created = CreatePackage(*station_, BaseOptions({path("src/住民データ")}, path("p.age")), nullptr);
  ASSERT_TRUE(created.ok());
  std::string r = identity_->Recipient().ToString();
  auto sh = Sh("mkdir '" + path("u") + "' && age -d -i '" + path("id.key") + "' '" + path("p.age") + "' | tar -x -C '" +
               path("u") + "' && cd '" + path("u") +
               "' && tar --format=pax -c data/住民データ/大きい.bin data/住民データ/台帳.csv custody/manifest.json "
               "custody/manifest.sig | age -r " + r + " > '" + path("re.age") + "'");
  ASSERT_EQ(sh.exit_code, 0) << sh.err;
  auto v = VerifyPackage(path("re.age"), Keys());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->digest, created->digest);

  // The same with one file edited after unpacking: named as modified.
  auto edit = Sh("cd '" + path("u") + "' && printf x >> data/住民データ/台帳.csv && touch -d @" +
                 std::to_string(v->Files().value()[1].mtime) +
                 " data/住民データ/台帳.csv && tar --format=pax -c data/住民データ/大きい.bin data/住民データ/台帳.csv "
                 "custody/manifest.json custody/manifest.sig | age -r " + r + " > '" + path("edited.age") + "'");
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  auto e = VerifyPackage(path("edited.age"), Keys());
  EXPECT_EQ(e.status().code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(e.status().message(), HasSubstr("file 住民データ/台帳.csv was modified after packaging"));
}

}  // namespace
}  // namespace custody::testing_package
