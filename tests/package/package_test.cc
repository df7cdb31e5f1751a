// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Package round trips, key errors, hostile tar members, tampering and
// truncation (library level; the CLI has its own integration test).
#include <fcntl.h>
#include <sys/resource.h>
#include <csignal>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/canonical_json.h"
#include "ledger/note.h"
#include "custody/keystore.h"
#include "custody/password.h"
#include "package/package_test_util.h"

namespace custody::testing_package {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PackageTest : public PackageFixture {
 protected:
  // A source tree with Japanese names, an empty file and a multi-chunk file.
  std::string MakeTree() {
    std::string root = path("src/住民データ");
    MakeFile(root + "/台帳.csv", "氏名,住所\n山田,新潟\n");
    MakeFile(root + "/サブ/大きい.bin", Pattern(150000, 1));
    MakeFile(root + "/空.txt", "");
    return root;
  }
};

TEST_F(PackageTest, RoundTripWithJapaneseNames) {
  std::string src = MakeTree();
  MakeFile(path("src/単独.txt"), "single");
  std::string out = path("out.age");
  auto created = CreatePackage(*station_, BaseOptions({src, path("src/単独.txt")}, out), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->file_count, 4u);
  EXPECT_TRUE(created->manifest.files.empty());  // Streamed into the package, not held.
  EXPECT_EQ(created->manifest.total_size, 150000u + 28 + 6);
  // No temporary file left next to the output.
  for (const auto& e : ListRecursive(dir_.path())) EXPECT_THAT(e, ::testing::Not(HasSubstr(".tmp-")));

  auto verified = VerifyPackage(out, Keys());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->files_verified);
  EXPECT_EQ(verified->digest, created->digest);
  EXPECT_EQ(verified->digest, crypto::Sha256Hex(verified->ManifestJson().value()));
  ASSERT_EQ(verified->Files().value().size(), 4u);
  EXPECT_EQ(verified->Files().value()[0].path, "住民データ/サブ/大きい.bin");
  EXPECT_EQ(verified->Files().value()[3].path, "単独.txt");
  EXPECT_EQ(verified->manifest.package_id, created->manifest.package_id);
  EXPECT_EQ(verified->manifest.created, created->manifest.created);
  EXPECT_EQ(verified->manifest.total_size, created->manifest.total_size);
  EXPECT_EQ(verified->manifest.sender_verifier_key, station_->config().verifier_key);
  EXPECT_EQ(verified->manifest.classification, "機密性2");

  auto shown = ReadManifest(out, Keys());
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_FALSE(shown->files_verified);
  EXPECT_EQ(shown->digest, created->digest);
  // Verified, the files are listed from the members; shown, from the
  // manifest's files as it was parsed (neither parses it again): the same
  // list either way.
  const auto from_members = verified->Files().value(), from_manifest = shown->Files().value();
  ASSERT_EQ(from_members.size(), from_manifest.size());
  for (size_t i = 0; i < from_members.size(); ++i) {
    EXPECT_EQ(from_members[i].path, from_manifest[i].path);
    EXPECT_EQ(from_members[i].size, from_manifest[i].size);
    EXPECT_EQ(from_members[i].mode, from_manifest[i].mode);
    EXPECT_EQ(from_members[i].mtime, from_manifest[i].mtime);
    EXPECT_EQ(from_members[i].sha256, from_manifest[i].sha256);
  }
  EXPECT_EQ(from_members[1].sha256, crypto::Sha256Hex("氏名,住所\n山田,新潟\n"));

  std::string dest = path("dest");
  auto opened = OpenPackage(out, dest, Keys(), {}, station_.get());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(ReadFileOrDie(dest + "/住民データ/台帳.csv"), "氏名,住所\n山田,新潟\n");
  EXPECT_EQ(ReadFileOrDie(dest + "/住民データ/サブ/大きい.bin"), Pattern(150000, 1));
  EXPECT_EQ(ReadFileOrDie(dest + "/住民データ/空.txt"), "");
  EXPECT_EQ(ReadFileOrDie(dest + "/単独.txt"), "single");
  std::vector<std::string> expected = {"住民データ",           "住民データ/サブ", "住民データ/サブ/大きい.bin",
                                       "住民データ/台帳.csv", "住民データ/空.txt", "単独.txt"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ListRecursive(dest), expected);
  struct stat st;
  ASSERT_EQ(stat((dest + "/単独.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_mtime, verified->Files().value()[3].mtime);

  // Both events are in the ledger, with no secret.
  auto ledger = station_->ledger();
  ASSERT_TRUE(ledger.ok());
  std::vector<std::string> types;
  ASSERT_TRUE((*ledger)->Scan(0, [&](const LedgerEntry& e) {
                          types.push_back(e.type);
                          if (e.type == "package.created") {
                            auto j = nlohmann::json::parse(e.data_json);
                            EXPECT_EQ(j["digest"], created->digest);
                            EXPECT_EQ(j["file_count"], 4);
                            EXPECT_EQ(j["recipients"][0]["fingerprint"],
                                      package::ShortFingerprint(identity_->Recipient().ToString()));
                          }
                          return true;
                        }).ok());
  EXPECT_EQ(types, (std::vector<std::string>{"station.created", "package.created", "package.opened"}));

  // Opening again into the same place refuses and moves nothing.
  auto again = OpenPackage(out, dest, Keys(), {}, nullptr);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ListRecursive(dest), expected);
}

// The signer is looked up among the known senders: named when known, the
// fingerprint given either way; --require-known-sender refuses an unknown
// one before anything is extracted or recorded; package.opened says which.
TEST_F(PackageTest, KnownAndUnknownSenders) {
  std::string src = MakeTree();
  std::string out = path("out.age");
  ASSERT_TRUE(CreatePackage(*station_, BaseOptions({src}, out), nullptr).ok());
  const std::string signer = station_->config().verifier_key;

  // Nobody known: verified, unnamed, with the signer's fingerprint.
  auto unknown = VerifyPackage(out, Keys());
  ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
  EXPECT_FALSE(unknown->sender_known);
  EXPECT_EQ(unknown->sender_name, "");
  EXPECT_EQ(unknown->sender_fingerprint, SenderFingerprint(signer));

  // Known, from the station's keystore (imported with its fingerprint).
  auto ks = Keystore::Open(station_->home(), Env::Default());
  ASSERT_TRUE(ks.ok());
  const std::string other = note::FormatVerifierKey("elsewhere", std::string(32, 5));
  ASSERT_TRUE(ImportSender(*station_, **ks, "山田太郎", "other-vendor", other,
                           SenderFingerprint(other), "confirm-fingerprint")
                  .ok());
  VerifyPackageOptions only_other;
  only_other.known_senders = KnownSenders(**ks).value();
  ASSERT_EQ(only_other.known_senders.size(), 1u);
  auto still_unknown = VerifyPackage(out, Keys(), only_other);
  ASSERT_TRUE(still_unknown.ok());
  EXPECT_FALSE(still_unknown->sender_known);

  ASSERT_TRUE(ImportSender(*station_, **ks, "山田太郎", "office", signer, SenderFingerprint(signer),
                           "confirm-fingerprint")
                  .ok());
  VerifyPackageOptions with_known;
  with_known.known_senders = KnownSenders(**ks).value();
  with_known.require_known_sender = true;
  auto expect_known = [&](const Result<VerifiedPackage>& read) {
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_TRUE(read->sender_known);
    EXPECT_EQ(read->sender_name, "office");
    EXPECT_EQ(read->sender_fingerprint, SenderFingerprint(signer));
  };
  expect_known(VerifyPackage(out, Keys(), with_known));
  expect_known(ReadManifest(out, Keys(), with_known));

  // Required but unknown: refused, naming the key and its fingerprint.
  only_other.require_known_sender = true;
  auto expect_refused = [&](const Result<VerifiedPackage>& read) {
    EXPECT_EQ(read.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(read.status().message(), HasSubstr(SenderFingerprint(signer)));
    EXPECT_THAT(read.status().message(), HasSubstr("custody key import-sender NAME " + signer));
  };
  expect_refused(VerifyPackage(out, Keys(), only_other));
  expect_refused(ReadManifest(out, Keys(), only_other));
  const uint64_t before = LedgerSize();
  OpenPackageOptions refuse;
  refuse.verify = only_other;
  auto refused = OpenPackage(out, path("refused"), Keys(), refuse, station_.get());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(path("refused")));
  std::filesystem::create_directories(path("refused-existing"));
  EXPECT_EQ(OpenPackage(out, path("refused-existing"), Keys(), refuse, station_.get()).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ListRecursive(path("refused-existing")).empty());
  EXPECT_EQ(LedgerSize(), before);

  // package.opened records whether the sender was known, and its name.
  OpenPackageOptions known_open;
  known_open.verify = with_known;
  ASSERT_TRUE(OpenPackage(out, path("known"), Keys(), known_open, station_.get()).ok());
  ASSERT_TRUE(OpenPackage(out, path("unknown"), Keys(), {}, station_.get()).ok());
  std::vector<nlohmann::json> opened;
  ASSERT_TRUE((*station_->ledger())->Scan(0, [&](const LedgerEntry& e) {
                                    if (e.type == "package.opened") opened.push_back(nlohmann::json::parse(e.data_json));
                                    return true;
                                  }).ok());
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0]["sender_known"], true);
  EXPECT_EQ(opened[0]["sender_name"], "office");
  EXPECT_EQ(opened[0]["sender_verifier_key"], signer);
  EXPECT_EQ(opened[1]["sender_known"], false);
  EXPECT_FALSE(opened[1].contains("sender_name"));
}

// A modification time past 2262 (a wrong clock on the machine the evidence
// came from) is packed and opened as it is: seconds past 2^63 nanoseconds
// overflowed when the time was carried in nanoseconds.
TEST_F(PackageTest, ATimeAfter2262IsPackedAsItIs) {
  constexpr int64_t k2300 = 10413792000;  // 2300-01-01T00:00:00Z
  MakeFile(path("src/f/late.txt"), "late");
  struct timespec late[2] = {{k2300, 123}, {k2300, 123}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path("src/f/late.txt").c_str(), late, 0), 0);
  struct stat st {};
  ASSERT_EQ(::stat(path("src/f/late.txt").c_str(), &st), 0);
  if (st.st_mtime != k2300) GTEST_SKIP() << "this file system cannot store a time in 2300";
  auto created = CreatePackage(*station_, BaseOptions({path("src/f")}, path("late.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto verified = VerifyPackage(path("late.age"), Keys());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->Files().value()[0].mtime, k2300);
  auto opened = OpenPackage(path("late.age"), path("out"), Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(::stat(path("out/f/late.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, k2300);
}

TEST_F(PackageTest, OpenedFilesGetTheSignedOwnerModeAndTimeInEveryDirectory) {
  MakeFile(path("src/t/x/run.sh"), "#!/bin/sh\n");
  MakeFile(path("src/t/x/y/z/data.csv"), "a,b\n");
  MakeFile(path("src/t/top.txt"), "top");
  ASSERT_EQ(::chmod(path("src/t/x/run.sh").c_str(), 0750), 0);
  ASSERT_EQ(::chmod(path("src/t/top.txt").c_str(), 0444), 0);
  struct timespec old[2] = {{1500000000, 0}, {1500000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path("src/t/x/y/z/data.csv").c_str(), old, 0), 0);
  auto created = CreatePackage(*station_, BaseOptions({path("src/t")}, path("m.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto opened = OpenPackage(path("m.age"), path("out"), Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path("out/t/x/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // Owner bits kept (and rw), group/other dropped.
  ASSERT_EQ(::stat(path("out/t/top.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path("out/t/x/y/z/data.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1500000000);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path("out/t/x/y").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// Files are created 0600 and fchmod is skipped when the umask keeps those
// bits; a umask that takes the owner's write bit must not leave them 0400.
TEST_F(PackageTest, OpenedFilesGetTheirModeWhateverTheUmask) {
  MakeFile(path("src/u/plain.txt"), "plain");
  MakeFile(path("src/u/run.sh"), "#!/bin/sh\n");
  ASSERT_EQ(::chmod(path("src/u/run.sh").c_str(), 0755), 0);
  auto created = CreatePackage(*station_, BaseOptions({path("src/u")}, path("u.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{0277}, mode_t{0377}}) {
    SCOPED_TRACE(mask);
    const std::string dest = path("out-" + std::to_string(mask));
    const mode_t previous = ::umask(mask);
    auto opened = OpenPackage(path("u.age"), dest, Keys(), {}, nullptr);
    ::umask(previous);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    struct stat st {};
    ASSERT_EQ(::stat((dest + "/u/plain.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((dest + "/u/run.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }
}

// The destination may be a symbolic link to a directory (opened into the
// directory); a link to anything else, or to nothing, is refused as not a
// directory, and nothing is created.
TEST_F(PackageTest, OpenFollowsALinkToADirectoryAndRefusesOtherLinks) {
  MakeFile(path("src/l/a.txt"), "a");
  auto created = CreatePackage(*station_, BaseOptions({path("src/l")}, path("l.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::filesystem::create_directories(path("real"));
  ASSERT_EQ(::symlink(path("real").c_str(), path("to-dir").c_str()), 0);
  auto opened = OpenPackage(path("l.age"), path("to-dir"), Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(ReadFileOrDie(path("real/l/a.txt")), "a");
  MakeFile(path("plain"), "x");
  ASSERT_EQ(::symlink(path("plain").c_str(), path("to-file").c_str()), 0);
  ASSERT_EQ(::symlink(path("nowhere").c_str(), path("dangling").c_str()), 0);
  for (const char* dest : {"to-file", "dangling", "plain"}) {
    auto refused = OpenPackage(path("l.age"), path(dest), Keys(), {}, nullptr);
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << dest << ": " << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("is not a directory"), std::string::npos) << refused.status().message();
  }
  EXPECT_FALSE(std::filesystem::exists(path("nowhere")));
  EXPECT_EQ(ReadFileOrDie(path("plain")), "x");
}

// A write that fails while extracting (here the file size limit, EFBIG, as
// a full disk gives ENOSPC) fails the open with the file's name, and leaves
// nothing in the destination; the files are written on the extraction
// writer's thread, so this is its error reaching the caller.
TEST_F(PackageTest, OpenThatCannotWriteFailsAndLeavesNothing) {
  for (int i = 0; i < 50; ++i) MakeFile(path("src/w/small" + std::to_string(i)), "small");
  MakeFile(path("src/w/z-large.bin"), std::string(3 << 20, 'L'));
  auto created = CreatePackage(*station_, BaseOptions({path("src/w")}, path("w.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto previous_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 1 << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto opened = OpenPackage(path("w.age"), path("wout"), Keys(), {}, nullptr);
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, previous_handler);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find("z-large.bin"), std::string::npos) << opened.status().message();
  EXPECT_TRUE(ListRecursive(path("wout")).empty());
}

TEST_F(PackageTest, LargeAndManySmallFilesCrossTheReaderBatchesIntact) {
  // 3.5 MiB spans several of the reader thread's 1 MiB batches; 300 small
  // files share batches with it and with each other.
  MakeFile(path("src/t/big.bin"), Pattern(3 * 1024 * 1024 + 512 * 1024 + 7, 9));
  for (int i = 0; i < 300; ++i) MakeFile(path("src/t/s/" + std::to_string(i)), Pattern(4096 + i, i));
  auto created = CreatePackage(*station_, BaseOptions({path("src/t")}, path("b.age")), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->file_count, 301u);
  auto opened = OpenPackage(path("b.age"), path("out"), Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->Files().value().size(), 301u);
  EXPECT_EQ(opened->Files().value()[0].sha256, crypto::Sha256Hex(Pattern(3 * 1024 * 1024 + 512 * 1024 + 7, 9)));
  EXPECT_EQ(ReadFileOrDie(path("out/t/big.bin")), Pattern(3 * 1024 * 1024 + 512 * 1024 + 7, 9));
  EXPECT_EQ(ReadFileOrDie(path("out/t/s/299")), Pattern(4096 + 299, 299));
}

// The manifest's file list past its memory limit goes through a sealed,
// unnamed temporary file (crypto/sealed_spill.h) and is signed and written
// from there: the package verifies (signature, canonical form, every hash),
// lists every file in order, and nothing is left beside the output. Both
// formats, since both stream the same tar.
TEST_F(PackageTest, AManifestPastItsMemoryLimitIsSpilledSealedAndStillVerifies) {
  for (int i = 0; i < 500; ++i) {
    MakeFile(path("src/t/d" + std::to_string(i % 7) + "/ファイル" + std::to_string(i)), Pattern(100 + i, i));
  }
  std::filesystem::create_directories(path("w"));
  for (bool zip : {false, true}) {
    const std::string out = path(zip ? "w/s.zip" : "w/s.age");
    CreatePackageOptions o = BaseOptions({path("src/t")}, out);
    if (zip) {
      o.recipients.clear();
      o.format = PackageFormat::kZip;
    }
    o.manifest_memory_limit = 4096;  // The list is ~75 KB: spilled, over two chunks.
    auto created = CreatePackage(*station_, o, nullptr);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(created->file_count, 500u);
    std::vector<std::string> expected = {"s.age"};
    if (zip) expected.push_back("s.zip");
    EXPECT_EQ(ListRecursive(path("w")), expected);
    PackageKeys keys = Keys();
    if (zip) {
      const SecretString* pass = &created->zip_password;
      keys.passphrase = [pass]() { return Result<SecretString>(pass->Clone()); };
    }
    // Read back with the reader's spills past their limit too: the members
    // (~60 bytes each) and the manifest go through sealed temporary files in
    // the destination (open) or $TMPDIR (verify).
    VerifyPackageOptions small;
    small.memory_limit = 2048;
    OpenPackageOptions open_small;
    open_small.verify = small;
    auto opened = OpenPackage(out, path(zip ? "o-zip" : "o-age"), keys, open_small, nullptr);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->file_count, 500u);
    EXPECT_EQ(ListRecursive(path(zip ? "o-zip" : "o-age")).size(), 500u + 7 + 1);  // Files, d0..d6, t.
    auto v = VerifyPackage(out, keys, small);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->digest, created->digest);
    EXPECT_EQ(v->digest, crypto::Sha256Hex(v->ManifestJson().value()));
    ASSERT_EQ(v->Files().value().size(), 500u);
    EXPECT_GT(v->ManifestJson().value().size(), 4096u * 10);
    EXPECT_EQ(v->Files().value().front().path, "t/d0/ファイル0");
    EXPECT_EQ(v->Files().value().back().path, "t/d6/ファイル97");
    uint64_t total = 0;
    const std::vector<PackageFile> files = v->Files().value();
    for (const PackageFile& f : files) total += f.size;
    EXPECT_EQ(total, created->manifest.total_size);
    // Shown with its file list spilled too: the same files, with the
    // manifest's hashes.
    auto shown = ReadManifest(out, keys, small);
    ASSERT_TRUE(shown.ok()) << shown.status().ToString();
    const std::vector<PackageFile> listed = shown->Files().value();
    ASSERT_EQ(listed.size(), files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(listed[i].path, files[i].path);
      EXPECT_EQ(listed[i].sha256, files[i].sha256);
      EXPECT_EQ(listed[i].mtime, files[i].mtime);
    }
  }
}

// A package whose manifest would pass what readers accept is refused while
// it is packed (as soon as the file list alone is too large), in both
// formats, with nothing left behind and nothing recorded. The limit is
// lowered here; the real one (256 MiB) takes about 1.7 million files.
TEST_F(PackageTest, TooManyFilesForOneManifestAreRefusedWhilePacking) {
  for (int i = 0; i < 200; ++i) MakeFile(path("src/t/f" + std::to_string(i)), "x");
  std::filesystem::create_directories(path("w"));
  const uint64_t entries_before = LedgerSize();
  for (bool zip : {false, true}) {
    CreatePackageOptions o = BaseOptions({path("src/t")}, path(zip ? "w/m.zip" : "w/m.age"));
    if (zip) {
      o.recipients.clear();
      o.format = PackageFormat::kZip;
    }
    o.max_manifest_size = 4000;  // About 25 files' entries; the 200 need ~25 KB.
    auto r = CreatePackage(*station_, o, nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("too many files for one package"));
    EXPECT_THAT(r.status().message(), HasSubstr("split them into several packages"));
    // Refused while packing, long before the 200th file.
    EXPECT_THAT(r.status().message(), HasSubstr(" so far: "));
    EXPECT_THAT(r.status().message(), Not(HasSubstr("(200 so far")));
    EXPECT_TRUE(ListRecursive(path("w")).empty());
    // The same files under the real limit: packed.
    o.max_manifest_size = CreatePackageOptions().max_manifest_size;
    auto ok = CreatePackage(*station_, o, nullptr);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(ok->file_count, 200u);
    std::filesystem::remove(o.output_path);
  }
  // Two packages made, none for the refusals.
  EXPECT_EQ(LedgerSize(), entries_before + 2);
  // Above what readers accept: refused before anything is done.
  CreatePackageOptions o = BaseOptions({path("src/t")}, path("w/big.age"));
  o.max_manifest_size = (256u << 20) + 1;
  EXPECT_EQ(CreatePackage(*station_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ListRecursive(path("w")).empty());
}

TEST_F(PackageTest, AFileThatChangesWhileItIsReadIsRefusedAndNothingIsWritten) {
  // A /proc file says it is empty and then reads as text: exactly what a file
  // growing under the packer looks like. It comes after many good files, so
  // the refusal arrives from the reader thread mid-stream.
  for (int i = 0; i < 400; ++i) MakeFile(path("src/t/" + std::to_string(i)), Pattern(8192, i));
  auto r = CreatePackage(*station_, BaseOptions({path("src/t"), "/proc/version"}, path("c.age")), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("/proc/version changed while it was being packed"));
  EXPECT_FALSE(std::filesystem::exists(path("c.age")));
  for (const auto& e : ListRecursive(dir_.path())) EXPECT_THAT(e, ::testing::Not(HasSubstr(".tmp-")));
}

TEST_F(PackageTest, ArmoredAndExistingOutput) {
  std::string src = MakeTree();
  auto o = BaseOptions({src}, path("out.age.txt"));
  o.armor = true;
  ASSERT_TRUE(CreatePackage(*station_, o, nullptr).ok());
  EXPECT_EQ(ReadFileOrDie(path("out.age.txt")).rfind("-----BEGIN AGE ENCRYPTED FILE-----\n", 0), 0u);
  EXPECT_TRUE(VerifyPackage(path("out.age.txt"), Keys()).ok());
  auto again = CreatePackage(*station_, o, nullptr);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  o.overwrite = true;
  EXPECT_TRUE(CreatePackage(*station_, o, nullptr).ok());
}

// The output inside a source directory, named through a symbolic link to
// it: refused by what the directories are (device and inode), not by how
// they are spelled; `package create self -o self/out.age` packed its own
// temporary file before.
TEST_F(PackageTest, AnOutputInsideASourceIsRefusedThroughLinksToo) {
  std::string src = MakeTree();
  const uint64_t entries_before = LedgerSize();
  std::filesystem::create_directory_symlink(src + "/サブ", path("link"));
  for (const std::string& out :
       {src + "/out.age", path("link/out.age"), src + "/サブ/../サブ/out.age"}) {
    auto r = CreatePackage(*station_, BaseOptions({src}, out), nullptr);
    ASSERT_FALSE(r.ok()) << out;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr("which is being packed")) << out;
  }
  // 台帳.csv, サブ, サブ/大きい.bin, 空.txt: nothing added.
  EXPECT_EQ(ListRecursive(src).size(), 4u);
  EXPECT_EQ(LedgerSize(), entries_before);
  // A file as the only source: the output may sit beside it.
  auto beside =
      CreatePackage(*station_, BaseOptions({src + "/台帳.csv"}, src + "/out.age"), nullptr);
  EXPECT_TRUE(beside.ok()) << beside.status().ToString();
}

// A package that cannot be recorded is not kept (the documented contract:
// a failed create leaves no output). The code before this test left it in
// place, unrecorded, with "record it before sending".
TEST_F(PackageTest, APackageTheLedgerRefusesIsNotKept) {
  std::string src = MakeTree();
  auto t = RunCommand({"sqlite3", path("station/ledger.db"),
                       "CREATE TRIGGER refuse_all BEFORE INSERT ON entries BEGIN SELECT "
                       "RAISE(ABORT, 'injected'); END;"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  for (bool zip : {false, true}) {
    auto o = BaseOptions({src}, path(zip ? "out.zip" : "out.age"));
    if (zip) {
      o.recipients.clear();
      o.format = PackageFormat::kZip;
    }
    auto r = CreatePackage(*station_, o, nullptr);
    ASSERT_FALSE(r.ok()) << zip;
    EXPECT_THAT(r.status().message(),
                HasSubstr("could not be recorded in the ledger, so it was not kept"));
    EXPECT_FALSE(std::filesystem::exists(o.output_path)) << zip;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(PackageTest, PassphrasePackageAndWrongPassphrase) {
  std::string src = MakeTree();
  auto o = BaseOptions({src}, path("p.age"));
  o.recipients.clear();
  o.passphrase = SecretString("correct horse battery staple 2026");
  o.scrypt_log2_work_factor = 10;  // Fast for tests; packages for people keep 18.
  auto created = CreatePackage(*station_, o, nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->manifest.recipients.size(), 1u);
  EXPECT_EQ(created->manifest.recipients[0].type, "passphrase");

  PackageKeys good;
  good.passphrase = [] { return Result<SecretString>(SecretString("correct horse battery staple 2026")); };
  EXPECT_TRUE(VerifyPackage(path("p.age"), good).ok());

  PackageKeys bad;
  bad.passphrase = [] { return Result<SecretString>(SecretString("wrong")); };
  auto r = OpenPackage(path("p.age"), path("dest"), bad, {}, nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kWrongKey);
  EXPECT_THAT(r.status().message(), HasSubstr("wrong passphrase"));
  EXPECT_FALSE(std::filesystem::exists(path("dest")));

  PackageKeys none;
  auto n = VerifyPackage(path("p.age"), none);
  EXPECT_EQ(n.status().code(), StatusCode::kWrongKey);
  EXPECT_THAT(n.status().message(), HasSubstr("passphrase"));
}

TEST_F(PackageTest, NotAddressedToUsNamesWhatItIsFor) {
  std::string src = MakeTree();
  auto other = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(other.ok());
  auto o = BaseOptions({src}, path("out.age"));
  o.recipients.push_back(other->Recipient().ToString());
  ASSERT_TRUE(CreatePackage(*station_, o, nullptr).ok());
  auto third = age::X25519Identity::Generate(*Env::Default());
  PackageKeys k;
  k.identities.push_back(third->ToString());
  k.identity_names.push_back("city-hall");
  auto r = VerifyPackage(path("out.age"), k);
  EXPECT_EQ(r.status().code(), StatusCode::kWrongKey);
  EXPECT_THAT(r.status().message(), HasSubstr("not addressed to any key you hold (it is for: 2 X25519 keys"));
  EXPECT_THAT(r.status().message(), HasSubstr("city-hall " + package::ShortFingerprint(third->Recipient().ToString())));
  // Either recipient opens it.
  PackageKeys k2;
  k2.identities.push_back(other->ToString());
  EXPECT_TRUE(VerifyPackage(path("out.age"), k2).ok());
}

TEST_F(PackageTest, StationIdentitiesAskedOnlyWhenNeeded) {
  std::string src = MakeTree();
  auto station_key = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(station_key.ok());
  auto o = BaseOptions({src}, path("out.age"));
  o.recipients = {station_key->Recipient().ToString()};
  ASSERT_TRUE(CreatePackage(*station_, o, nullptr).ok());

  int calls = 0;
  auto secret = [](const age::X25519Identity& id) { return std::string(id.ToString().view()); };
  auto provider = [&](std::vector<std::string> secrets, Status result) {
    return [&calls, secrets, result](std::vector<SecretString>* ids, std::vector<std::string>* names) {
      ++calls;
      for (size_t i = 0; i < secrets.size(); ++i) {
        ids->emplace_back(secrets[i]);
        names->push_back("key" + std::to_string(i));
      }
      return result;
    };
  };
  // The station's keys open it.
  auto unrelated = age::X25519Identity::Generate(*Env::Default());
  PackageKeys k;
  k.station_identities = provider({secret(*unrelated), secret(*station_key)}, Status::Ok());
  auto v = VerifyPackage(path("out.age"), k);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->files_verified);
  EXPECT_EQ(calls, 1);

  // An identity given directly opens it first: the keystore is not asked.
  calls = 0;
  PackageKeys direct;
  direct.identities.push_back(station_key->ToString());
  direct.station_identities = provider({}, Status::Ok());
  EXPECT_TRUE(VerifyPackage(path("out.age"), direct).ok());
  EXPECT_EQ(calls, 0);

  // None of the station's keys: one message for both causes, nothing extracted.
  PackageKeys none;
  none.station_identities = provider({secret(*unrelated)}, Status::Ok());
  auto r = OpenPackage(path("out.age"), path("dest"), none, {}, nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kWrongKey);
  EXPECT_THAT(r.status().message(), HasSubstr("wrong passphrase or not a recipient of this package"));
  EXPECT_THAT(r.status().message(),
              HasSubstr("key0 " + package::ShortFingerprint(unrelated->Recipient().ToString())));
  EXPECT_FALSE(std::filesystem::exists(path("dest")));
  PackageKeys wrong_pass;
  wrong_pass.station_identities = provider({}, WrongKeyError("wrong keystore passphrase"));
  r = OpenPackage(path("out.age"), path("dest"), wrong_pass, {}, nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kWrongKey);
  EXPECT_THAT(r.status().message(), HasSubstr("wrong passphrase or not a recipient of this package"));
  EXPECT_FALSE(std::filesystem::exists(path("dest")));
  // Other errors (no keystore) pass through with their own message.
  PackageKeys no_keystore;
  no_keystore.station_identities = provider({}, NotFoundError("this station has no keys"));
  r = VerifyPackage(path("out.age"), no_keystore);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("this station has no keys"));

  // A passphrase package never unlocks the keystore.
  calls = 0;
  auto p = BaseOptions({src}, path("p.age"));
  p.recipients.clear();
  p.passphrase = SecretString("GQ7M-2XKD-9HNT-RW4B-ZP6C");
  p.scrypt_log2_work_factor = 10;
  ASSERT_TRUE(CreatePackage(*station_, p, nullptr).ok());
  PackageKeys pass;
  pass.passphrase = [] { return Result<SecretString>(SecretString("GQ7M-2XKD-9HNT-RW4B-ZP6C")); };
  pass.station_identities = provider({secret(*station_key)}, Status::Ok());
  EXPECT_TRUE(VerifyPackage(path("p.age"), pass).ok());
  EXPECT_EQ(calls, 0);
}

TEST_F(PackageTest, PassphraseStrengthAndPasswordId) {
  std::string src = MakeTree();
  auto o = BaseOptions({src}, path("weak.age"));
  o.recipients.clear();
  o.scrypt_log2_work_factor = 10;
  for (const char* weak : {"password123", "qwertyuiop", "aaaaaaaaaaaaaaaaaaaa", "Tokyo2026"}) {
    o.passphrase = SecretString(weak);
    auto r = CreatePackage(*station_, o, nullptr);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << weak;
    EXPECT_THAT(r.status().message(), HasSubstr("too weak")) << weak;
    EXPECT_THAT(r.status().message(), HasSubstr("custody password generate")) << weak;
    EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr(weak)));
    EXPECT_FALSE(std::filesystem::exists(path("weak.age")));
  }

  // A strong one gets a fresh password ID, recorded (never the passphrase).
  const std::string strong = "GQ7M-2XKD-9HNT-RW4B-ZP6C";
  o.passphrase = SecretString(strong);
  o.output_path = path("a.age");
  auto a = CreatePackage(*station_, o, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(ValidPasswordId(a->password_id)) << a->password_id;
  // The ID of `custody password generate` links the two records.
  o.output_path = path("b.age");
  o.password_id = "pw-23456789ABCDEFGH";
  auto b = CreatePackage(*station_, o, nullptr);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->password_id, "pw-23456789ABCDEFGH");
  o.output_path = path("c.age");
  o.password_id = "pw-0000";
  EXPECT_EQ(CreatePackage(*station_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path("c.age")));
  // X25519 packages have none.
  auto x = CreatePackage(*station_, BaseOptions({src}, path("x.age")), nullptr);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->password_id, "");

  auto ledger = station_->ledger();
  ASSERT_TRUE(ledger.ok());
  std::vector<std::string> ids;
  ASSERT_TRUE((*ledger)->Scan(0, [&](const LedgerEntry& e) {
                          EXPECT_EQ(e.canonical.find(strong), std::string::npos);
                          if (e.type == "package.created") {
                            ids.push_back(nlohmann::json::parse(e.data_json).value("password_id", ""));
                          }
                          return true;
                        }).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{a->password_id, "pw-23456789ABCDEFGH", ""}));
}

TEST_F(PackageTest, RefusesBadSources) {
  MakeFile(path("src/a/x.txt"), "x");
  MakeFile(path("src/b/a/y.txt"), "y");
  std::filesystem::create_symlink("/etc/passwd", path("src/link"));
  auto r = CreatePackage(*station_, BaseOptions({path("src/a"), path("src/b/a")}, path("o1.age")), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("both named \"a\""));
  r = CreatePackage(*station_, BaseOptions({path("src")}, path("o2.age")), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("symbolic link"));
  r = CreatePackage(*station_, BaseOptions({path("missing")}, path("o3.age")), nullptr);
  EXPECT_FALSE(r.ok());
  auto o = BaseOptions({path("src/a")}, path("o4.age"));
  o.recipients = {"age1notakey"};
  EXPECT_EQ(CreatePackage(*station_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  // Nothing written for any of them.
  for (const char* f : {"o1.age", "o2.age", "o3.age", "o4.age"}) EXPECT_FALSE(std::filesystem::exists(path(f)));
}

// Names in decomposed Unicode (as macOS writes them: か + U+3099 for が)
// are packed as libarchive stores and reads them, composed: the package
// opens, under the composed name. Before, the manifest listed the name as on
// disk, the tar held it composed, and the package was created but never
// opened ("listed in the signed manifest but missing from the package").
TEST_F(PackageTest, DecomposedNamesArePackedAsTheTarHoldsThem) {
  const std::string decomposed_dir = "\xE3\x81\x8B\xE3\x82\x99\xE3\x81\x8D\xE3\x82\x99";  // かﾞきﾞ
  const std::string composed_dir = "がぎ";
  const std::string decomposed_file = "\xE3\x83\x8F\xE3\x82\x9A.txt";  // ハ + U+309A
  ASSERT_NE(decomposed_dir, composed_dir);
  MakeFile(path("src/top/" + decomposed_dir + "/" + decomposed_file), "mac");
  MakeFile(path("src/top/plain.txt"), "ascii");
  std::string out = path("nfd.age");
  auto created = CreatePackage(*station_, BaseOptions({path("src/top")}, out), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto verified = VerifyPackage(out, Keys());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  const auto files = verified->Files().value();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "top/plain.txt");
  EXPECT_EQ(files[1].path, "top/" + composed_dir + "/パ.txt");
  std::string dest = path("dest");
  auto opened = OpenPackage(out, dest, Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(ReadFileOrDie(dest + "/top/" + composed_dir + "/パ.txt"), "mac");

  // The same name in both forms in one directory: one name in the package,
  // so it is refused before anything is written.
  MakeFile(path("src/both/" + composed_dir), "composed");
  MakeFile(path("src/both/" + decomposed_dir), "decomposed");
  auto both = CreatePackage(*station_, BaseOptions({path("src/both")}, path("both.age")), nullptr);
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(both.status().message(), HasSubstr("two Unicode forms"));
  EXPECT_FALSE(std::filesystem::exists(path("both.age")));
  // And two sources whose names differ only so.
  auto tops = CreatePackage(
      *station_,
      BaseOptions({path("src/both/" + composed_dir), path("src/top/" + decomposed_dir)},
                  path("tops.age")),
      nullptr);
  EXPECT_EQ(tops.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(tops.status().message(), HasSubstr("both named"));
  EXPECT_FALSE(std::filesystem::exists(path("tops.age")));
}

// ---- Hostile and malformed tars, encrypted to us (anyone with our public key
// can make one: age does not authenticate the sender).

class HostileTarTest : public PackageFixture {
 protected:
  Status OpenTar(const std::string& tar, VerifyPackageOptions verify = {}) {
    WriteFileOrDie(path("h.age"), Encrypt(tar));
    OpenPackageOptions o;
    o.verify = verify;
    auto r = OpenPackage(path("h.age"), path("dest"), Keys(), o, nullptr);
    EXPECT_FALSE(std::filesystem::exists(path("dest"))) << "something was left behind";
    return r.status();
  }
  // Members + a valid signed manifest describing `listed`.
  std::string WithManifest(std::vector<RawMember> members, const std::vector<PackageFile>& listed) {
    auto [json, sig] = SignedManifest(listed);
    members.push_back({"custody/manifest.json", json});
    members.push_back({"custody/manifest.sig", sig});
    return BuildTar(members);
  }
};

TEST_F(HostileTarTest, ValidHandBuiltTarOpens) {
  std::string tar = WithManifest({{"data/a.txt", "aaa"}}, {Describe("a.txt", "aaa")});
  WriteFileOrDie(path("h.age"), Encrypt(tar));
  auto r = OpenPackage(path("h.age"), path("dest"), Keys(), {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFileOrDie(path("dest/a.txt")), "aaa");
}

TEST_F(HostileTarTest, RefusesTraversalAbsoluteLinksDevices) {
  struct Case {
    RawMember member;
    const char* expect;
  };
  std::vector<Case> cases = {
      {{"data/../evil", "x"}, "\"..\""},
      {{"data/a/../../evil", "x"}, "\"..\""},
      {{"/etc/evil", "x"}, "outside data/"},
      {{"data//abs", "x"}, "absolute path"},
      {{"data/link", "", AE_IFLNK, "../../../etc/passwd"}, "symbolic link"},
      {{"data/inside-link", "", AE_IFLNK, "a.txt"}, "symbolic link"},
      {{"data/hard", "", AE_IFREG, "", "/etc/passwd"}, "hard link"},
      {{"data/dev", "", AE_IFCHR}, "device file"},
      {{"data/fifo", "", AE_IFIFO}, "special file"},
      {{"data/dir", "", AE_IFDIR, "", "", 0755}, "directory entry"},
      {{"data/bad\x01name", "x"}, "control character"},
  };
  for (const Case& c : cases) {
    std::string tar = WithManifest({{"data/a.txt", "aaa"}, c.member}, {Describe("a.txt", "aaa")});
    Status s = OpenTar(tar);
    EXPECT_FALSE(s.ok()) << c.member.path;
    EXPECT_THAT(s.message(), HasSubstr(c.expect)) << c.member.path;
  }
}

TEST_F(HostileTarTest, RefusesASparseMemberBeforeReadingIt) {
  // A sparse member costs a few bytes in the package whatever size it claims;
  // its holes would come out as zeros (written by open, hashed by verify)
  // before the manifest at the end could show the size is wrong.
  std::filesystem::create_directories(path("sparse/data"));
  {
    int fd = ::open(path("sparse/data/huge").c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{256} << 20), 0);
    ASSERT_EQ(::pwrite(fd, "tail", 4, (off_t{256} << 20) - 4), 4);
    ::close(fd);
  }
  auto t = RunCommand({"tar", "--sparse", "--format=pax", "-C", path("sparse"), "-cf", path("sparse.tar"), "data/huge"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string tar = ReadFileOrDie(path("sparse.tar"));
  ASSERT_LT(tar.size(), size_t{1} << 20) << "GNU tar did not store the file as sparse";
  Status opened = OpenTar(tar);
  EXPECT_EQ(opened.code(), StatusCode::kCorruption);
  EXPECT_THAT(opened.message(), HasSubstr("\"data/huge\" as a sparse file"));
  auto verified = VerifyPackage(path("h.age"), Keys());
  EXPECT_EQ(verified.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(verified.status().message(), HasSubstr("sparse file"));
}

TEST_F(HostileTarTest, RefusesDuplicatesUnlistedAndWrongHash) {
  Status dup = OpenTar(WithManifest({{"data/a.txt", "aaa"}, {"data/a.txt", "bbb"}}, {Describe("a.txt", "aaa")}));
  EXPECT_EQ(dup.code(), StatusCode::kCorruption);
  EXPECT_THAT(dup.message(), HasSubstr("twice"));

  Status extra = OpenTar(WithManifest({{"data/a.txt", "aaa"}, {"data/b.txt", "b"}}, {Describe("a.txt", "aaa")}));
  EXPECT_EQ(extra.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(extra.message(), HasSubstr("file b.txt is in the package but not in the signed manifest"));

  Status missing = OpenTar(WithManifest({{"data/a.txt", "aaa"}}, {Describe("a.txt", "aaa"), Describe("b.txt", "b")}));
  EXPECT_EQ(missing.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(missing.message(), HasSubstr("missing"));

  Status modified = OpenTar(WithManifest({{"data/a.txt", "aab"}}, {Describe("a.txt", "aaa")}));
  EXPECT_EQ(modified.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(modified.message(), HasSubstr("file a.txt was modified after packaging"));

  Status conflict = OpenTar(WithManifest({{"data/a", "x"}, {"data/a/b", "y"}}, {Describe("a", "x"), Describe("a/b", "y")}));
  EXPECT_EQ(conflict.code(), StatusCode::kCorruption);
  EXPECT_THAT(conflict.message(), HasSubstr("both as a file and a directory"));
}

// Members in another order than the manifest's (a package unpacked and
// re-tarred) are compared by path (package.md): in order they verify and
// open; every kind of difference is still named, exactly as in order.
TEST_F(HostileTarTest, RearrangedMembersAreComparedByPath) {
  const std::vector<PackageFile> listed = {Describe("a.txt", "aaa"), Describe("b.txt", "bb"),
                                           Describe("d/c.txt", "c")};
  const RawMember a{"data/a.txt", "aaa"}, b{"data/b.txt", "bb"}, c{"data/d/c.txt", "c"};
  WriteFileOrDie(path("h.age"), Encrypt(WithManifest({c, a, b}, listed)));
  auto opened = OpenPackage(path("h.age"), path("opened"), Keys(), {}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(ReadFileOrDie(path("opened/d/c.txt")), "c");
  EXPECT_EQ(ReadFileOrDie(path("opened/a.txt")), "aaa");
  for (bool only_manifest : {false, true}) {
    WriteFileOrDie(path("h.age"), Encrypt(WithManifest({b, c, a}, listed)));
    auto v = only_manifest ? ReadManifest(path("h.age"), Keys()) : VerifyPackage(path("h.age"), Keys());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->file_count, 3u);
    // Listed in the manifest's order, whatever the members' order.
    const std::vector<PackageFile> files = v->Files().value();
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].path, "a.txt");
    EXPECT_EQ(files[2].path, "d/c.txt");
    EXPECT_EQ(files[1].sha256, crypto::Sha256Hex("bb"));
  }

  struct Case {
    std::vector<RawMember> members;
    std::vector<PackageFile> listed;
    StatusCode code;
    const char* expect;
  };
  RawMember b_late = b;
  b_late.mtime += 1;
  RawMember b_mode = b;
  b_mode.mode = 0600;
  const std::vector<Case> cases = {
      {{b, a, {"data/d/c.txt", "C"}}, listed, StatusCode::kVerificationFailed,
       "file d/c.txt was modified after packaging (its SHA-256 differs"},
      {{b, a, {"data/d/c.txt", "cc"}}, listed, StatusCode::kVerificationFailed,
       "file d/c.txt was modified after packaging (its size differs"},
      {{b_late, a, c}, listed, StatusCode::kVerificationFailed,
       "file b.txt has a mode or time that differs"},
      {{b_mode, a, c}, listed, StatusCode::kVerificationFailed,
       "file b.txt has a mode or time that differs"},
      {{b, a}, listed, StatusCode::kVerificationFailed,
       "file d/c.txt is listed in the signed manifest but missing from the package"},
      {{c, b, a, {"data/e.txt", "e"}}, listed, StatusCode::kVerificationFailed,
       "file e.txt is in the package but not in the signed manifest"},
      {{b, a, c}, {listed[0], listed[1], listed[2], listed[1]}, StatusCode::kCorruption,
       "the manifest lists b.txt twice"},
  };
  for (const Case& k : cases) {
    Status s = OpenTar(WithManifest(k.members, k.listed));
    EXPECT_EQ(s.code(), k.code) << k.expect << ": " << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr(k.expect));
    auto v = VerifyPackage(path("h.age"), Keys());
    EXPECT_THAT(v.status().message(), HasSubstr(k.expect));
  }
  // Without hashing (show), a changed content of the same size is not
  // seen, but a changed size is.
  WriteFileOrDie(path("h.age"), Encrypt(WithManifest({b, a, {"data/d/c.txt", "C"}}, listed)));
  EXPECT_TRUE(ReadManifest(path("h.age"), Keys()).ok());
  WriteFileOrDie(path("h.age"), Encrypt(WithManifest({b, a, {"data/d/c.txt", "cc"}}, listed)));
  EXPECT_THAT(ReadManifest(path("h.age"), Keys()).status().message(), HasSubstr("its size differs"));
}

TEST_F(HostileTarTest, RefusesBadSignaturesAndMissingManifest) {
  auto [json, sig] = SignedManifest({Describe("a.txt", "aaa")});
  std::string bad_sig = sig;
  bad_sig[0] ^= 1;
  Status s = OpenTar(BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", json}, {"custody/manifest.sig", bad_sig}}));
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("signature does not verify"));

  // A manifest edited after signing (here: re-canonical JSON with another purpose).
  std::string edited = json;
  edited.replace(edited.find("\"test\""), 6, "\"tesT\"");
  s = OpenTar(BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", edited}, {"custody/manifest.sig", sig}}));
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);

  s = OpenTar(BuildTar({{"data/a.txt", "aaa"}}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("no custody/manifest.json"));

  s = OpenTar(BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", json}}));
  EXPECT_THAT(s.message(), HasSubstr("no custody/manifest.sig"));

  // Pinning the sender: another station's key is refused.
  VerifyPackageOptions pin;
  pin.expected_sender_key = "other+01234567+AAAA";
  s = OpenTar(WithManifest({{"data/a.txt", "aaa"}}, {Describe("a.txt", "aaa")}), pin);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("not by the expected sender"));
}

// Anything after the tar's end-of-archive blocks but zeros is refused, in
// every way of reading: the signed manifest does not cover it, so nothing
// may ride along there, whether libarchive read it ahead into its buffer
// (a short tail, or bytes right after the end blocks) or not (far after).
TEST_F(HostileTarTest, RefusesDataAfterTheTarsEnd) {
  const std::string tar = WithManifest({{"data/a.txt", "aaa"}}, {Describe("a.txt", "aaa")});
  ASSERT_EQ(tar.size() % 10240, 0u);
  // The signature's block is the last that is not zero; the end blocks follow.
  const size_t end = (tar.find_last_not_of('\0') / 512 + 1) * 512 + 1024;
  ASSERT_LE(end, tar.size());
  std::string secret;
  for (int i = 0; i < 100; ++i) secret += "SECRET-HIDDEN-PAYLOAD";
  std::string in_padding = tar;
  in_padding.resize(std::max(tar.size(), end + 8));
  in_padding.replace(end, 8, "HIDDEN!!");
  const std::vector<std::pair<const char*, std::string>> refused = {
      {"after the record", tar + secret},
      {"right after the end blocks", in_padding},
      {"a long tail", tar + std::string(3 << 20, 'x')},
      {"after 2 MiB of zeros", tar + std::string(2 << 20, '\0') + secret},
  };
  for (const auto& [what, plain] : refused) {
    SCOPED_TRACE(what);
    Status s = OpenTar(plain);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("data after the end of its tar"));
    auto verified = VerifyPackage(path("h.age"), Keys());
    EXPECT_EQ(verified.status().code(), StatusCode::kCorruption) << verified.status().ToString();
    auto shown = ReadManifest(path("h.age"), Keys());
    EXPECT_EQ(shown.status().code(), StatusCode::kCorruption) << shown.status().ToString();
  }
  // Zeros are padding: the tar's own record padding, none, or more.
  for (const std::string& plain : {tar, tar.substr(0, end), tar + std::string(3 << 20, '\0')}) {
    WriteFileOrDie(path("h.age"), Encrypt(plain));
    auto v = VerifyPackage(path("h.age"), Keys());
    EXPECT_TRUE(v.ok()) << plain.size() << ": " << v.status().ToString();
  }
}

TEST_F(HostileTarTest, PortableRefusesWindowsNames) {
  for (const char* name : {"CON.txt", "a:b", "trailing.", "x?", "back\\slash", "aux"}) {
    std::string data = "z";
    Status s = OpenTar(WithManifest({{std::string("data/") + name, data}}, {Describe(name, data)}),
                       VerifyPackageOptions{"", true});
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << name;
    EXPECT_THAT(s.message(), HasSubstr("Windows")) << name;
  }
  Status s = OpenTar(WithManifest({{"data/Readme", "a"}, {"data/README", "b"}},
                                  {Describe("Readme", "a"), Describe("README", "b")}),
                     VerifyPackageOptions{"", true});
  EXPECT_THAT(s.message(), HasSubstr("differ only in case"));
  // Without --portable the same names are fine on this system.
  WriteFileOrDie(path("h.age"), Encrypt(WithManifest({{"data/a:b", "z"}}, {Describe("a:b", "z")})));
  EXPECT_TRUE(VerifyPackage(path("h.age"), Keys()).ok());
}

// The manifest's recipient keys are what `package verify` shows as "for":
// a signed manifest whose keys are not real keys with their own
// fingerprints, or that mixes a passphrase with keys (age cannot), is
// refused as malformed by every way of reading it.
TEST_F(HostileTarTest, RefusesManifestRecipientsThatAreNotRealKeys) {
  const std::string own = identity_->Recipient().ToString();
  auto other_id = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(other_id.ok());
  const std::string other = other_id->Recipient().ToString();
  std::string upper = own;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  struct Case {
    const char* what;
    std::vector<PackageRecipient> keys;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"the audit's", {{"X25519", "not-a-key", "WRONG-FINGERPRINT"}}, "not an age X25519 public key"},
      {"a wrong fingerprint", {{"X25519", own, "WRONG-FINGERPRINT"}}, "which is not that key's"},
      {"another key's fingerprint", {{"X25519", own, package::ShortFingerprint(other)}}, "which is not that key's"},
      {"a key in upper case", {{"X25519", upper, package::ShortFingerprint(own)}}, "in its usual form"},
      {"a key cut short", {{"X25519", own.substr(0, own.size() - 1), "X"}}, "not an age X25519 public key"},
      {"an empty key", {{"X25519", "", ""}}, "not an age X25519 public key"},
      {"an unknown type", {{"ssh-ed25519", own, package::ShortFingerprint(own)}}, "unknown recipient type"},
      {"a key twice", {{"X25519", own, package::ShortFingerprint(own)}, {"X25519", own, package::ShortFingerprint(own)}},
       "twice"},
      {"a passphrase and a key", {{"passphrase", "", ""}, {"X25519", own, package::ShortFingerprint(own)}},
       "passphrase together with other recipients"},
      {"two passphrases", {{"passphrase", "", ""}, {"passphrase", "", ""}}, "passphrase together"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto [json, sig] = SignedManifest({Describe("a.txt", "aaa")}, [&](PackageManifest& m) { m.recipients = c.keys; });
    const std::string tar = BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", json}, {"custody/manifest.sig", sig}});
    Status opened = OpenTar(tar);
    EXPECT_EQ(opened.code(), StatusCode::kCorruption) << opened.ToString();
    EXPECT_THAT(opened.message(), HasSubstr(c.expect));
    for (bool only_manifest : {false, true}) {
      auto v = only_manifest ? ReadManifest(path("h.age"), Keys()) : VerifyPackage(path("h.age"), Keys());
      EXPECT_EQ(v.status().code(), StatusCode::kCorruption) << v.status().ToString();
    }
    EXPECT_EQ(ParseManifest(json).status().code(), StatusCode::kCorruption);
  }
  // A passphrase entry naming a key (written by hand: the writer never
  // writes one), signed.
  auto [json, sig] = SignedManifest({Describe("a.txt", "aaa")},
                                    [](PackageManifest& m) { m.recipients = {{"passphrase", "", ""}}; });
  const std::string entry = "{\"type\":\"passphrase\"}";
  ASSERT_NE(json.find(entry), std::string::npos);
  json.replace(json.find(entry), entry.size(),
               "{\"fingerprint\":\"" + package::ShortFingerprint(own) + "\",\"recipient\":\"" + own +
                   "\",\"type\":\"passphrase\"}");
  Status named = OpenTar(BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", json},
                                   {"custody/manifest.sig", SignText(json)}}));
  EXPECT_EQ(named.code(), StatusCode::kCorruption) << named.ToString();
  EXPECT_THAT(named.message(), HasSubstr("passphrase entry names a key"));

  // Real keys with their own fingerprints, one or several, are fine (the
  // package need not be encrypted to all of them to be read by one).
  for (const std::vector<PackageRecipient>& keys :
       {std::vector<PackageRecipient>{{"X25519", own, package::ShortFingerprint(own)}},
        std::vector<PackageRecipient>{{"X25519", other, package::ShortFingerprint(other)},
                                      {"X25519", own, package::ShortFingerprint(own)}}}) {
    auto [good, good_sig] = SignedManifest({Describe("a.txt", "aaa")}, [&](PackageManifest& m) { m.recipients = keys; });
    WriteFileOrDie(path("h.age"), Encrypt(BuildTar({{"data/a.txt", "aaa"}, {"custody/manifest.json", good},
                                                    {"custody/manifest.sig", good_sig}})));
    auto v = VerifyPackage(path("h.age"), Keys());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->manifest.recipients.size(), keys.size());
  }
}

// Windows' reserved device names beyond the first list: COM0/LPT0, the
// superscript digits, the console's CONIN$ and CONOUT$, in any case, with
// an extension, as a directory; and the names that only look like them.
TEST_F(HostileTarTest, PortableRefusesEveryWindowsDeviceName) {
  const VerifyPackageOptions portable{"", true};
  for (const char* name : {"COM0", "lpt0.txt", "COM\u00b9", "com\u00b2.log", "LPT\u00b3", "CONIN$", "conout$.txt",
                           "Com1 .txt", "NUL", "dir/CONOUT$/x", "COM9.tar.gz", "lpt5"}) {
    SCOPED_TRACE(name);
    Status s = OpenTar(WithManifest({{std::string("data/") + name, "z"}}, {Describe(name, "z")}), portable);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("a name Windows reserves"));
    // Without --portable they are names like any other here.
    EXPECT_TRUE(VerifyPackage(path("h.age"), Keys()).ok());
  }
  for (const char* name : {"COM10", "LPT\u2074", "COMA", "CONIN", "CONOUT$X", "con$", "xcom1", "COM\u00b9x"}) {
    SCOPED_TRACE(name);
    WriteFileOrDie(path("h.age"), Encrypt(WithManifest({{std::string("data/") + name, "z"}}, {Describe(name, "z")})));
    auto v = VerifyPackage(path("h.age"), Keys(), portable);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
  }
}

// With --portable, names Windows (NTFS) takes for one: a file and a
// directory, two directories, or two files, that differ only in case,
// ASCII or not (full-width Latin, Greek, Cyrillic, Latin-1); each pair is
// refused in either order, and is fine without --portable.
TEST_F(HostileTarTest, PortableRefusesNamesWindowsFoldsTogether) {
  const VerifyPackageOptions portable{"", true};
  struct Pair {
    const char* first;
    const char* second;
  };
  const Pair pairs[] = {
      {"a", "A/b"},                                  // A file and a directory.
      {"d/x", "D/y"},                                // Two directories.
      {"q/r/s", "q/R/t"},                            // Two directories, deeper.
      {"\uff21.txt", "\uff41.txt"},                  // Full-width A and a.
      {"\u03a3\u03bf\u03c6", "\u03c3\u03bf\u03c6"},  // Greek capital and small sigma.
      {"\u03c2", "\u03c3"},                          // Final and medial sigma (both upcase to Sigma).
      {"\u0416/a", "\u0436"},                        // Cyrillic Zhe: a directory and a file.
      {"caf\u00e9", "CAF\u00c9"},                    // Latin-1 e with acute.
      {"\u5e73\u6210/A.csv", "\u5e73\u6210/a.csv"},  // Japanese directory, ASCII file.
  };
  for (const Pair& p : pairs) {
    for (bool swapped : {false, true}) {
      const std::string one = swapped ? p.second : p.first, two = swapped ? p.first : p.second;
      SCOPED_TRACE(one + " then " + two);
      const std::string tar = WithManifest({{"data/" + one, "1"}, {"data/" + two, "2"}},
                                           {Describe(one, "1"), Describe(two, "2")});
      Status s = OpenTar(tar, portable);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
      EXPECT_THAT(s.message(), HasSubstr("differ only in case"));
      auto v = VerifyPackage(path("h.age"), Keys());
      EXPECT_TRUE(v.ok()) << v.status().ToString();
    }
  }
  // Names that differ in more than case stay apart: other letters, a
  // character beyond the BMP and its small form (NTFS upcases only the BMP),
  // and a file beside a directory of another name.
  const Pair apart[] = {
      {"a", "b/a"},
      {"\U00010400", "\U00010428"},
      {"\uff21", "A"},
      {"x/y", "x/Y.txt"},
      {"\u00df", "SS"},
  };
  for (const Pair& p : apart) {
    SCOPED_TRACE(std::string(p.first) + " and " + p.second);
    WriteFileOrDie(path("h.age"), Encrypt(WithManifest({{std::string("data/") + p.first, "1"},
                                                        {std::string("data/") + p.second, "2"}},
                                                       {Describe(p.first, "1"), Describe(p.second, "2")})));
    auto v = VerifyPackage(path("h.age"), Keys(), portable);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
  }
}

// ---- Tampering and truncation of a real package: a few bytes in every part
// of the file, every byte of the header, and truncation points around every
// chunk boundary; each must be rejected with nothing extracted.

class TamperTest : public PackageFixture {};

TEST_F(TamperTest, EveryFlipAndTruncationIsRejected) {
  // ~3 chunks of plaintext: header, first, middle and last chunk.
  MakeFile(path("src/d/データ.bin"), Pattern(140000, 7));
  ASSERT_TRUE(CreatePackage(*station_, BaseOptions({path("src/d")}, path("p.age")), nullptr).ok());
  const std::string pkg = ReadFileOrDie(path("p.age"));
  size_t header_end = pkg.find("\n--- ") + 5 + 43 + 1;
  ASSERT_LT(header_end, pkg.size());
  const size_t payload = header_end + 16;  // After the STREAM nonce.
  const size_t chunk = 65536 + 16;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < payload; ++i) offsets.push_back(i);  // Every header and nonce byte.
  for (size_t c = payload; c < pkg.size(); c += chunk) {
    size_t end = std::min(pkg.size(), c + chunk);
    for (size_t i = c; i < std::min(end, c + 24); ++i) offsets.push_back(i);
    for (size_t i = end > 24 ? std::max(c, end - 24) : c; i < end; ++i) offsets.push_back(i);
    for (size_t i = c; i < end; i += 1021) offsets.push_back(i);
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  int checked = 0;
  for (size_t off : offsets) {
    std::string bad = pkg;
    bad[off] = static_cast<char>(bad[off] ^ 0x01);
    WriteFileOrDie(path("bad.age"), bad);
    auto r = OpenPackage(path("bad.age"), path("dest"), Keys(), {}, nullptr);
    ASSERT_FALSE(r.ok()) << "flip at " << off << " accepted";
    ASSERT_FALSE(std::filesystem::exists(path("dest"))) << "flip at " << off << " left files";
    if (off >= header_end) {
      // In the payload: a full chunk is "modified"; the short final chunk
      // cannot be told from a cut inside it (age_stream.cc), "truncated".
      const size_t in_stream = off < payload ? 0 : off - payload;
      const bool short_final = in_stream / chunk == (pkg.size() - payload) / chunk;
      EXPECT_EQ(r.status().code(), short_final ? StatusCode::kTruncated : StatusCode::kVerificationFailed)
          << "flip at " << off << ": " << r.status().ToString();
    }
    ++checked;
  }
  EXPECT_GT(checked, 300);

  std::vector<size_t> cuts;
  for (size_t i = 0; i < payload + 20; ++i) cuts.push_back(i);
  for (size_t b = payload; b < pkg.size() + chunk; b += chunk) {
    for (size_t d = 0; d < 40; ++d) {
      if (b + d >= 20 && b + d - 20 < pkg.size()) cuts.push_back(b + d - 20);
    }
  }
  for (size_t i = payload; i < pkg.size(); i += 997) cuts.push_back(i);
  cuts.push_back(pkg.size() - 1);
  for (size_t cut : cuts) {
    WriteFileOrDie(path("cut.age"), pkg.substr(0, cut));
    auto r = OpenPackage(path("cut.age"), path("dest"), Keys(), {}, nullptr);
    ASSERT_FALSE(r.ok()) << "truncation at " << cut << " accepted";
    ASSERT_FALSE(std::filesystem::exists(path("dest")));
    // Wherever it is cut, a person is told the package is incomplete.
    EXPECT_EQ(r.status().code(), StatusCode::kTruncated) << cut << ": " << r.status().ToString();
  }
  // A cut exactly at a chunk boundary is named as truncation.
  WriteFileOrDie(path("cut.age"), pkg.substr(0, payload + chunk));
  auto r = VerifyPackage(path("cut.age"), Keys());
  EXPECT_EQ(r.status().code(), StatusCode::kTruncated) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("truncated"));
  // The intact package still opens.
  EXPECT_TRUE(OpenPackage(path("p.age"), path("dest"), Keys(), {}, nullptr).ok());
}

// The smallest valid manifest: one passphrase key, one file.
PackageManifest MinimalManifest() {
  PackageManifest m;
  m.format = std::string(kPackageFormatV1);
  m.package_id = "id";
  m.created = "2026-11-23T00:00:00Z";
  m.sender_verifier_key = "k";
  m.recipients.push_back({"passphrase", "", ""});
  m.files.push_back({"a/b.txt", 3, 0644, 5, std::string(64, 'a')});
  m.total_size = 3;
  return m;
}

TEST(ManifestTest, ParseIsStrict) {
  PackageManifest m = MinimalManifest();
  auto json = ManifestToJson(m);
  ASSERT_TRUE(json.ok());
  auto back = ParseManifest(*json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->files[0].path, "a/b.txt");
  EXPECT_EQ(back->files[0].mode, 0644u);

  auto j = nlohmann::json::parse(*json);
  auto mutate = [&](auto fn) {
    auto c = j;
    fn(c);
    return ParseManifest(c.dump()).status();
  };
  EXPECT_FALSE(mutate([](auto& c) { c["extra"] = 1; }).ok());
  EXPECT_FALSE(mutate([](auto& c) { c.erase("purpose"); }).ok());
  EXPECT_FALSE(mutate([](auto& c) { c["files"][0]["path"] = "../x"; }).ok());
  EXPECT_FALSE(mutate([](auto& c) { c["files"][0]["sha256"] = "AB"; }).ok());
  // 64 characters, one of them just outside 0-9 or a-f (or upper case).
  for (char bad : {'/', ':', '`', 'g', 'A', 'F', ' '}) {
    std::string digest(64, 'a');
    digest[37] = bad;
    EXPECT_FALSE(mutate([&](auto& c) { c["files"][0]["sha256"] = digest; }).ok()) << bad;
  }
  const std::string every_digit = std::string(32, '0') + "123456789abcdef0" + std::string(16, 'f');
  EXPECT_TRUE(mutate([&](auto& c) { c["files"][0]["sha256"] = every_digit; }).ok());
  EXPECT_FALSE(mutate([](auto& c) { c["total_size"] = 4; }).ok());
  EXPECT_FALSE(mutate([](auto& c) { c["files"].push_back(c["files"][0]); }).ok());
  EXPECT_EQ(mutate([](auto& c) { c["format"] = "custody-package-v9"; }).code(), StatusCode::kUnsupported);
  EXPECT_FALSE(ParseManifest(" " + *json).ok());  // Not canonical.
}

// The reference: the manifest as a nlohmann DOM, canonicalized the generic
// way (how ManifestToJson worked before it wrote the text directly).
Result<std::string> ManifestViaDom(const PackageManifest& m) {
  nlohmann::json files = nlohmann::json::array();
  for (const PackageFile& f : m.files) {
    files.push_back({{"path", f.path}, {"size", f.size}, {"mode", f.mode}, {"mtime", f.mtime}, {"sha256", f.sha256}});
  }
  nlohmann::json keys = nlohmann::json::array();
  for (const PackageRecipient& r : m.recipients) {
    if (r.type == "passphrase") {
      keys.push_back({{"type", "passphrase"}});
    } else {
      keys.push_back({{"type", r.type}, {"recipient", r.recipient}, {"fingerprint", r.fingerprint}});
    }
  }
  nlohmann::json j = {{"format", m.format},
                      {"package_id", m.package_id},
                      {"created", m.created},
                      {"sender",
                       {{"organization", m.sender_organization},
                        {"station", m.sender_station},
                        {"verifier_key", m.sender_verifier_key}}},
                      {"recipient", {{"organization", m.recipient_organization}, {"keys", keys}}},
                      {"purpose", m.purpose},
                      {"classification", m.classification},
                      {"files", files},
                      {"file_count", m.files.size()},
                      {"total_size", m.total_size}};
  return json::Canonicalize(j);
}

TEST(ManifestTest, WriterMatchesGenericCanonicalJsonByteForByte) {
  PackageManifest m;
  m.format = std::string(kPackageFormatV1);
  m.package_id = "0f0e0d0c-0b0a-4908-8706-050403020100";
  m.created = "2026-11-23T00:00:00.123456Z";
  m.sender_organization = "株式会社 \"引用\" \\ 事業所";
  m.sender_station = "st\x01\x1f\x7f/tab\there";
  m.sender_verifier_key = "custody.example+01020304+AQID";
  m.recipient_organization = "○○市 総務部 😀";
  m.purpose = "line\nbreak\r\x08\x0c";
  m.classification = "機密性2";
  // A real key with its own fingerprint (the reader checks both), and a
  // passphrase entry, which the reader refuses beside a key: written by both
  // writers alike all the same, and read back alone below.
  auto key = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(key.ok());
  const std::string recipient = key->Recipient().ToString();
  m.recipients.push_back({"X25519", recipient, package::ShortFingerprint(recipient)});
  m.recipients.push_back({"passphrase", "", ""});
  m.files.push_back({"住民/台帳 (2026).csv", 9007199254740991, 0600, -86400, std::string(64, 'f')});
  m.files.push_back({"a/\"q\"\\b", 0, 0, 0, std::string(64, '0')});
  m.files.push_back({"z", 7, 0777, 1700000000, std::string(64, 'a')});
  m.total_size = 9007199254740991 + 7;  // Out of range: both must refuse.
  EXPECT_FALSE(ManifestToJson(m).ok());
  EXPECT_FALSE(ManifestViaDom(m).ok());
  m.files[0].size = 12345;
  m.total_size = 12345 + 7;
  auto fast = ManifestToJson(m);
  auto dom = ManifestViaDom(m);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  ASSERT_TRUE(dom.ok()) << dom.status().ToString();
  EXPECT_EQ(*fast, *dom);
  EXPECT_TRUE(json::IsCanonical(*fast));
  EXPECT_THAT(ParseManifest(*fast).status().message(), HasSubstr("passphrase together with other recipients"));
  m.recipients.pop_back();
  fast = ManifestToJson(m);
  dom = ManifestViaDom(m);
  ASSERT_TRUE(fast.ok() && dom.ok());
  EXPECT_EQ(*fast, *dom);
  auto back = ParseManifest(*fast);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->sender_station, m.sender_station);
  EXPECT_EQ(back->files[1].path, m.files[1].path);
  EXPECT_EQ(back->files[0].mtime, -86400);

  m.files.clear();  // An empty package lists no files.
  m.total_size = 0;
  EXPECT_EQ(*ManifestToJson(m), *ManifestViaDom(m));

  m.purpose = "\xff";  // Not UTF-8: refused, never written.
  EXPECT_FALSE(ManifestToJson(m).ok());
  EXPECT_FALSE(ManifestViaDom(m).ok());
}

TEST(ManifestTest, EveryTruncationAndByteFlipIsHandledWithoutACrash) {
  PackageManifest m = MinimalManifest();
  auto key = age::X25519Identity::Generate(*Env::Default());
  ASSERT_TRUE(key.ok());
  const std::string recipient = key->Recipient().ToString();
  m.recipients = {{"X25519", recipient, package::ShortFingerprint(recipient)}};
  m.files[0].mtime = -5;
  m.files.push_back({"d/b", 4, 0600, 5, std::string(64, 'b')});
  m.total_size = 7;
  const std::string text = *ManifestToJson(m);
  ASSERT_TRUE(ParseManifest(text).ok());
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(ParseManifest(text.substr(0, n)).ok()) << n;
  }
  int accepted = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = text;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      auto r = ParseManifest(t);
      if (r.ok()) {  // Only a changed character inside a value can still be a manifest.
        ++accepted;
        EXPECT_EQ(*ManifestToJson(*r), t);
      }
    }
  }
  EXPECT_LT(accepted, static_cast<int>(text.size()) * 8 / 2);
  // Wrong shapes: bare values, arrays, nested objects where strings go.
  for (const char* t : {"[]", "\"x\"", "1", "null", "{}", R"({"files":{}})", R"({"sender":"x"})",
                        R"({"files":[1]})", R"({"recipient":{"keys":[[]]}})", R"({"format":true})"}) {
    EXPECT_FALSE(ParseManifest(t).ok()) << t;
  }
}

TEST(ManifestTest, ParseRefusesEveryNonCanonicalSpellingOfAValidManifest) {
  PackageManifest m = MinimalManifest();
  m.purpose = "日本";
  std::string text = *ManifestToJson(m);
  ASSERT_TRUE(ParseManifest(text).ok());
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  // Same meaning, other bytes: each must be refused as not canonical.
  for (const std::string& t : {replaced("\"mode\":420", "\"mode\":420 "), replaced("\"size\":3", "\"size\":3.0"),
                               replaced("\"mtime\":5", "\"mtime\":05"), replaced("日本", "\\u65e5本"),
                               replaced("{\"mode\"", "{\"size\":3,\"mode\""), text + "\n"}) {
    EXPECT_FALSE(ParseManifest(t).ok()) << t;
  }
  // Keys out of order (sender before recipient) parse as JSON but are refused.
  std::string swapped = text;
  size_t r = swapped.find(",\"recipient\":"), sdr = swapped.find(",\"sender\":"), end = swapped.find(",\"total_size\":");
  ASSERT_TRUE(r < sdr && sdr < end);
  swapped = swapped.substr(0, r) + swapped.substr(sdr, end - sdr) + swapped.substr(r, sdr - r) + swapped.substr(end);
  ASSERT_TRUE(nlohmann::json::accept(swapped));
  auto s = ParseManifest(swapped);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("not canonical"));
}

}  // namespace
}  // namespace custody::testing_package
