// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Packages through the Env seam with injected faults (FakeEnv): every write,
// sync or rename that fails while a package is created, and every read that
// fails while one is verified or opened, ends in an error that names the
// cause, with nothing left behind (no output, no temporary file, no sealed
// spill, no ledger entry) and nothing half-extracted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "package/package_test_util.h"
#include "support/fake_env.h"

namespace custody::testing_package {
namespace {

using ::testing::HasSubstr;
using testing::FakeEnv;

class PackageFaultsTest : public PackageFixture {
 protected:
  // The sources live in the FakeEnv too: 300 small files in 5 directories
  // and one of 1.5 MiB (read in two batches). The manifest's list (~22 KB)
  // and the reader's spills go past their lowered memory limits, so sealed
  // spills are written and read back through the Env as well.
  static void WriteSources(FakeEnv& env) {
    for (const char* d : {"/src", "/src/t", "/out"}) ASSERT_TRUE(env.CreateDir(d, 0700).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(env.CreateDir("/src/t/d" + std::to_string(i), 0700).ok());
    auto put = [&env](const std::string& p, const std::string& data) {
      auto f = env.NewWritableFile(p, 0640);
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE((*f)->Append(data).ok());
      ASSERT_TRUE((*f)->Close().ok());
      env.SetMtime(p, int64_t{1700000000} * 1'000'000'000 + 123456789);
    };
    for (int i = 0; i < 300; ++i) {
      put("/src/t/d" + std::to_string(i % 5) + "/f" + std::to_string(i), Pattern(700 + i * 40, i));
    }
    static const std::string big = Pattern(1536 << 10, 77);
    put("/src/t/big.bin", big);
  }

  static void PutFile(FakeEnv& env, const std::string& p, const std::string& data) {
    auto f = env.NewWritableFile(p, 0600);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  static std::string ReadFileIn(FakeEnv& env, const std::string& p) {
    auto r = env.ReadFile(p);
    return r.ok() ? *r : "(" + r.status().ToString() + ")";
  }

  // What the package's files became under `dest`, in the FakeEnv: their
  // content, the owner's bits of their mode (0640 -> 0600) and their time
  // as the FakeEnv's Stat gave it to create; keep.txt is still there.
  static void ExpectOpened(FakeEnv& env, const std::string& dest) {
    EXPECT_EQ(ReadFileIn(env, dest + "/keep.txt"), "mine");
    int files = 0;
    for (const std::string& p : env.ListTree(dest + "/t")) {
      auto st = env.StatNoFollow(p);
      ASSERT_TRUE(st.ok()) << p;
      if (st->type == FileStatus::Type::kDirectory) continue;
      ++files;
      EXPECT_EQ(st->mode & 07777, 0600u) << p;
      EXPECT_EQ(env.MtimeOf(p), int64_t{1700000000} * 1'000'000'000) << p;
    }
    EXPECT_EQ(files, 301);
    EXPECT_TRUE(ReadFileIn(env, dest + "/t/big.bin") == Pattern(1536 << 10, 77)) << "big.bin differs";
    EXPECT_EQ(ReadFileIn(env, dest + "/t/d1/f6"), Pattern(700 + 6 * 40, 6));
    // No temporary directory left.
    auto names = env.ListDir(dest);
    ASSERT_TRUE(names.ok());
    for (const std::string& name : *names) EXPECT_FALSE(name.starts_with(".custody")) << name;
  }

  // /out/p.age of the sources plus a top-level file (moved into place on
  // its own), and /dest holding a file of the person's.
  void PackageToOpen(FakeEnv& env) {
    WriteSources(env);
    PutFile(env, "/src/top.txt", "at the top");
    CreatePackageOptions o = Options();
    o.sources.push_back("/src/top.txt");
    auto created = CreatePackage(*station_, o, &env);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ASSERT_TRUE(env.CreateDir("/dest", 0700).ok());
    PutFile(env, "/dest/keep.txt", "mine");
  }

  CreatePackageOptions Options(bool zip = false) {
    CreatePackageOptions o = BaseOptions({"/src/t"}, zip ? "/out/p.zip" : "/out/p.age");
    o.manifest_memory_limit = 4096;
    if (zip) {
      o.recipients.clear();
      o.format = PackageFormat::kZip;
    }
    return o;
  }

  VerifyPackageOptions ReadOptions(FakeEnv* env) {
    VerifyPackageOptions o;
    o.env = env;
    o.memory_limit = 2048;
    return o;
  }
};

// Fails the `after`+1-th call of `op` in one create; true once create
// succeeds (there was no such call left to fail).
TEST_F(PackageFaultsTest, EveryFailedWriteSyncOrRenameInCreateLeavesNothing) {
  const uint64_t entries_before = LedgerSize();
  int failures = 0;
  int successes = 0, source_read_failures = 0;
  for (bool zip : {false, true}) {
    // The zip is also read back (through the same Env) before it is named.
    for (FakeEnv::Op op : {FakeEnv::Op::kAppend, FakeEnv::Op::kSync, FakeEnv::Op::kRename, FakeEnv::Op::kCreate,
                           FakeEnv::Op::kRead}) {
      bool succeeded = false;
      // libarchive's zip writer writes in small pieces (about 240 writes
      // here, against 4 for the age package): every 16th is failed.
      // Opens and reads of the 301 sources: every 9th.
      const int step = zip && op == FakeEnv::Op::kAppend                  ? 16
                       : op == FakeEnv::Op::kCreate || op == FakeEnv::Op::kRead ? 9
                                                                                : 1;
      for (int after = 0; after < 4000 && !succeeded; after += step) {
        FakeEnv env;
        WriteSources(env);
        env.FailNext(op, 1, after);
        const CreatePackageOptions o = Options(zip);
        auto r = CreatePackage(*station_, o, &env);
        if (r.ok()) {
          succeeded = true;
          ++successes;
          EXPECT_TRUE(env.FileExists(o.output_path));
          EXPECT_EQ(r->file_count, 301u);
          break;
        }
        ++failures;
        EXPECT_EQ(r.status().code(), StatusCode::kIoError) << r.status().ToString();
        EXPECT_THAT(r.status().message(), HasSubstr("injected EIO"));
        if (op == FakeEnv::Op::kRead && r.status().message().find("/src/t/") != std::string::npos) {
          ++source_read_failures;  // Names the source file it could not read.
        }
        EXPECT_FALSE(env.FileExists(o.output_path)) << after;
        EXPECT_TRUE(env.ListDir("/out").value().empty()) << after;  // No temporary file either.
        EXPECT_EQ(env.live_scratch_files(), 0) << after;
      }
      EXPECT_TRUE(succeeded) << zip << " " << static_cast<int>(op);
    }
  }
  // The output's and the spill's writes, the syncs, the rename, the opens
  // of the sources and the output, the reads of the sources and the zip's
  // read-back: each failed at least once.
  EXPECT_GT(failures, 100);
  EXPECT_GT(source_read_failures, 20);
  // Only the successful creates are recorded.
  EXPECT_EQ(successes, 10);
  EXPECT_EQ(LedgerSize(), entries_before + 10);
}

TEST_F(PackageFaultsTest, EveryFailedReadInVerifyAndOpenIsAnErrorWithNothingLeft) {
  FakeEnv env;
  WriteSources(env);
  auto created = CreatePackage(*station_, Options(), &env);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(env.live_scratch_files(), 0);
  {
    auto v = VerifyPackage("/out/p.age", Keys(), ReadOptions(&env));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->file_count, 301u);
    EXPECT_EQ(v->digest, created->digest);
    EXPECT_GT(env.live_scratch_files(), 0);  // The spills this result reads from.
    ASSERT_EQ(v->Files().value().size(), 301u);
    // The sources' mode and time as the FakeEnv's Stat gave them.
    const PackageFile first = v->Files().value().front();
    EXPECT_EQ(first.path, "t/big.bin");
    EXPECT_EQ(first.mode, 0640u);
    EXPECT_EQ(first.mtime, 1700000000);
  }
  EXPECT_EQ(env.live_scratch_files(), 0);

  int failures = 0;
  bool succeeded = false;
  for (int after = 0; after < 400 && !succeeded; ++after) {
    env.FailNext(FakeEnv::Op::kRead, 1, after);
    auto v = VerifyPackage("/out/p.age", Keys(), ReadOptions(&env));
    if (v.ok()) {
      succeeded = true;
      // Fails a later read: the files listed from the spill.
      env.ClearFailures();
      env.FailNext(FakeEnv::Op::kRead);
      EXPECT_EQ(v->Files().status().code(), StatusCode::kIoError);
      break;
    }
    ++failures;
    EXPECT_EQ(v.status().code(), StatusCode::kIoError) << after << ": " << v.status().ToString();
    EXPECT_THAT(v.status().message(), HasSubstr("injected EIO"));
    EXPECT_EQ(env.live_scratch_files(), 0) << after;
  }
  EXPECT_TRUE(succeeded);
  EXPECT_GT(failures, 10);  // The package's reads and the spills'.

  // Opening: the same faults leave the destination (in the FakeEnv too) as
  // it was.
  ASSERT_TRUE(env.CreateDir("/dest", 0700).ok());
  PutFile(env, "/dest/keep.txt", "mine");
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  for (int after = 0; after < failures; after += 4) {
    env.FailNext(FakeEnv::Op::kRead, 1, after);
    auto opened = OpenPackage("/out/p.age", "/dest", Keys(), open, nullptr);
    ASSERT_FALSE(opened.ok()) << after;
    EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().ToString();
    EXPECT_EQ(env.ListTree("/dest"), std::vector<std::string>{"/dest/keep.txt"}) << after;
    EXPECT_EQ(env.live_scratch_files(), 0) << after;
  }
  env.ClearFailures();
  auto opened = OpenPackage("/out/p.age", "/dest", Keys(), open, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ExpectOpened(env, "/dest");
}

// Every write, create, directory, attribute, sync and rename that fails
// while a package is opened ends in an io-error naming the cause, and the
// destination holds exactly what it held before: nothing half-extracted,
// no temporary directory, no spill.
TEST_F(PackageFaultsTest, EveryFailedWriteInOpenLeavesTheDestinationAsItWas) {
  FakeEnv env;
  ASSERT_NO_FATAL_FAILURE(PackageToOpen(env));
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  int failures = 0;
  std::map<FakeEnv::Op, int> failed_by_op;
  for (FakeEnv::Op op : {FakeEnv::Op::kMkdir, FakeEnv::Op::kCreate, FakeEnv::Op::kAppend,
                         FakeEnv::Op::kAttributes, FakeEnv::Op::kSync, FakeEnv::Op::kRename}) {
    // About 300 of each of creates, writes and time changes (one per file):
    // every 9th.
    const int step = op == FakeEnv::Op::kCreate || op == FakeEnv::Op::kAppend || op == FakeEnv::Op::kAttributes ? 9 : 1;
    bool succeeded = false;
    for (int after = 0; after < 2000 && !succeeded; after += step) {
      env.FailNext(op, 1, after);
      auto opened = OpenPackage("/out/p.age", "/dest", Keys(), open, nullptr);
      if (opened.ok()) {
        succeeded = true;
        env.ClearFailures();
        ExpectOpened(env, "/dest");
        EXPECT_EQ(ReadFileIn(env, "/dest/top.txt"), "at the top");
        // Back to the destination as it was, for the next kind of fault.
        ASSERT_TRUE(env.RemoveTree("/dest/t").ok());
        ASSERT_TRUE(env.RemoveFile("/dest/top.txt").ok());
        break;
      }
      ++failures;
      ++failed_by_op[op];
      EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << after << ": " << opened.status().ToString();
      EXPECT_THAT(opened.status().message(), HasSubstr("injected EIO"));
      EXPECT_EQ(env.ListTree("/dest"), std::vector<std::string>{"/dest/keep.txt"}) << static_cast<int>(op) << " " << after;
      EXPECT_EQ(env.live_scratch_files(), 0) << after;
    }
    EXPECT_TRUE(succeeded) << static_cast<int>(op);
  }
  // Each kind failed where it is used: the temporary directory and the
  // package's 6 directories; the files (and spills); their data; their
  // times; the file system sync and the destination's; the 2 moves.
  EXPECT_GE(failed_by_op[FakeEnv::Op::kMkdir], 7);
  EXPECT_GE(failed_by_op[FakeEnv::Op::kCreate], 30);
  EXPECT_GE(failed_by_op[FakeEnv::Op::kAppend], 30);
  EXPECT_GE(failed_by_op[FakeEnv::Op::kAttributes], 30);
  EXPECT_GE(failed_by_op[FakeEnv::Op::kSync], 2);
  EXPECT_GE(failed_by_op[FakeEnv::Op::kRename], 2);
  EXPECT_EQ(env.ListTree("/dest"), std::vector<std::string>{"/dest/keep.txt"});

  // A destination that open creates is removed again on any failure, the
  // failure to make its temporary directory included (the second mkdir).
  // The syncs: the file system, then DIR after the moves; the renames: the
  // two top-level entries.
  const std::map<FakeEnv::Op, std::vector<int>> faults = {{FakeEnv::Op::kMkdir, {0, 1, 2}},
                                                          {FakeEnv::Op::kCreate, {0, 1, 2}},
                                                          {FakeEnv::Op::kSync, {0, 1}},
                                                          {FakeEnv::Op::kRename, {0, 1}}};
  for (const auto& [op, afters] : faults) {
    for (int after : afters) {
      env.FailNext(op, 1, after);
      auto opened = OpenPackage("/out/p.age", "/new", Keys(), open, nullptr);
      env.ClearFailures();
      ASSERT_FALSE(opened.ok()) << static_cast<int>(op) << " " << after;
      EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().ToString();
      EXPECT_FALSE(env.FileExists("/new")) << static_cast<int>(op) << " " << after;
    }
  }
}

// A package that open reported survives a power cut right after: every
// extracted file was made durable (syncfs) before the moves, and the moves
// by a sync of the destination. With either left out, the FakeEnv drops
// files (the top-level file without the directory's sync).
TEST_F(PackageFaultsTest, AnOpenedPackageSurvivesAPowerCut) {
  FakeEnv env;
  ASSERT_NO_FATAL_FAILURE(PackageToOpen(env));
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  auto opened = OpenPackage("/out/p.age", "/dest", Keys(), open, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::vector<std::string> before = env.ListTree("/dest");
  env.SimulatePowerLoss();
  EXPECT_EQ(env.ListTree("/dest"), before);
  ExpectOpened(env, "/dest");
  EXPECT_EQ(env.DurableContents("/dest/top.txt"), "at the top");
}

// Open removes a destination on failure only when it made it. A directory
// that another process makes at the moment open would make it is theirs,
// and stays. The other process acts just before open's first attempt to
// make DIR, whichever call that is (the code before this test checked with
// a stat first, then made DIR and counted it as its own).
TEST_F(PackageFaultsTest, ADestinationAnotherProcessMadeMeanwhileIsKeptOnFailure) {
  class RacingEnv : public FakeEnv {
   public:
    Status CreateDir(const std::string& path, uint32_t mode) override {
      Race(path);
      return FakeEnv::CreateDir(path, mode);
    }
    Status CreateNewDir(const std::string& path, uint32_t mode) override {
      Race(path);
      return FakeEnv::CreateNewDir(path, mode);
    }

   private:
    void Race(const std::string& path) {
      if (path != "/raced" || raced_) return;
      raced_ = true;
      EXPECT_TRUE(FakeEnv::CreateDir(path, 0700).ok());  // The other process wins.
    }
    bool raced_ = false;
  } env;
  ASSERT_NO_FATAL_FAILURE(PackageToOpen(env));
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  env.FailNext(FakeEnv::Op::kRename, 1, 0);  // Fails after extraction, at the first move.
  auto opened = OpenPackage("/out/p.age", "/raced", Keys(), open, nullptr);
  env.ClearFailures();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().ToString();
  EXPECT_TRUE(env.FileExists("/raced"));
  EXPECT_EQ(env.ListTree("/raced"), std::vector<std::string>{});
  // Without the race, the destination open made is removed again.
  env.FailNext(FakeEnv::Op::kRename, 1, 0);
  opened = OpenPackage("/out/p.age", "/mine", Keys(), open, nullptr);
  env.ClearFailures();
  ASSERT_FALSE(opened.ok());
  EXPECT_FALSE(env.FileExists("/mine"));
}

// A stop request (Ctrl-C, SIGTERM: the CLI's signal handler sets the flag)
// in the middle of an open ends it like any failure: kInterrupted, nothing
// extracted left behind, DIR's earlier content kept. Here the flag is set
// when the 5th extracted file is created.
TEST_F(PackageFaultsTest, AStoppedOpenLeavesNothingBehind) {
  class StoppingEnv : public FakeEnv {
   public:
    std::atomic<bool> stop{false};
    int created = 0;
    Result<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path, uint32_t mode) override {
      if (path.find("/.custody-open-") != std::string::npos && ++created == 5) stop = true;
      return FakeEnv::NewExclusiveFile(path, mode);
    }
  } env;
  ASSERT_NO_FATAL_FAILURE(PackageToOpen(env));
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  open.verify.stop = &env.stop;
  auto opened = OpenPackage("/out/p.age", "/dest", Keys(), open, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInterrupted) << opened.status().ToString();
  // (How many files were written first depends on the threads: the writer
  // finishes the batch the reader handed it. None of them stays.)
  EXPECT_GE(env.created, 5);
  EXPECT_EQ(env.ListTree("/dest"), std::vector<std::string>{"/dest/keep.txt"});
  // A stopped create writes no package, leaves no temporary file and
  // records nothing.
  const uint64_t entries_before = LedgerSize();
  std::atomic<bool> stop{true};
  CreatePackageOptions o = Options();
  o.output_path = "/out/q.age";
  o.stop = &stop;
  auto created = CreatePackage(*station_, o, &env);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInterrupted) << created.status().ToString();
  EXPECT_EQ(env.ListDir("/out").value(), std::vector<std::string>{"p.age"});
  EXPECT_EQ(LedgerSize(), entries_before);
}

// DIR is a symbolic link when open looks, and is gone when open follows it
// (another process removed it). Open only looks at where a link leads; it
// never makes a directory there (the code before this test made one with a
// plain mkdir, opened the package into it and left it behind).
TEST_F(PackageFaultsTest, ALinkThatVanishesIsNotReplacedByADirectory) {
  class VanishingLinkEnv : public FakeEnv {
   public:
    // The link occupies the name: making DIR fails, lstat sees a link.
    Status CreateNewDir(const std::string& path, uint32_t mode) override {
      if (path == "/link") return AlreadyExistsError("mkdir /link: File exists");
      return FakeEnv::CreateNewDir(path, mode);
    }
    Result<FileStatus> StatNoFollow(const std::string& path) override {
      if (path != "/link") return FakeEnv::StatNoFollow(path);
      FileStatus st;
      st.type = FileStatus::Type::kSymlink;
      return st;
    }
    // Then it is gone: following it finds nothing (FakeEnv::Stat, and a
    // CreateDir here would succeed).
  } env;
  ASSERT_NO_FATAL_FAILURE(PackageToOpen(env));
  OpenPackageOptions open;
  open.verify = ReadOptions(&env);
  auto opened = OpenPackage("/out/p.age", "/link", Keys(), open, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << opened.status().ToString();
  EXPECT_THAT(opened.status().message(), HasSubstr("/link is not a directory"));
  EXPECT_FALSE(env.FileExists("/link"));
}

// With --force over an earlier package, a failed sync never leaves the
// output name empty: before the rename the earlier package is still there,
// after it the new one stays (said in the error, not recorded), since
// removing it would leave neither.
TEST_F(PackageFaultsTest, AFailedSyncWhenReplacingKeepsOnePackage) {
  const uint64_t entries_before = LedgerSize();
  bool succeeded = false;
  int kept_new = 0;
  for (int after = 0; after < 50 && !succeeded; ++after) {
    FakeEnv env;
    WriteSources(env);
    PutFile(env, "/out/p.age", "the earlier package");
    CreatePackageOptions o = Options();
    o.overwrite = true;
    env.FailNext(FakeEnv::Op::kSync, 1, after);
    auto r = CreatePackage(*station_, o, &env);
    if (r.ok()) {
      succeeded = true;
      break;
    }
    EXPECT_EQ(r.status().code(), StatusCode::kIoError) << r.status().ToString();
    ASSERT_TRUE(env.FileExists("/out/p.age")) << after << ": " << r.status().ToString();
    if (ReadFileIn(env, "/out/p.age") != "the earlier package") {
      ++kept_new;
      EXPECT_THAT(r.status().message(), HasSubstr("not recorded")) << r.status().ToString();
    }
  }
  EXPECT_TRUE(succeeded);
  EXPECT_EQ(kept_new, 1);  // The directory's sync, after the rename.
  EXPECT_EQ(LedgerSize(), entries_before + 1);
}

// A package that create reported (and recorded) survives a power cut right
// after: its data was synced before the rename, and the rename by a sync of
// its directory. With either sync left out, the FakeEnv drops it.
TEST_F(PackageFaultsTest, ACreatedPackageSurvivesAPowerCut) {
  for (bool zip : {false, true}) {
    FakeEnv env;
    WriteSources(env);
    auto created = CreatePackage(*station_, Options(zip), &env);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    env.SimulatePowerLoss();
    PackageKeys keys = Keys();
    if (zip) {
      const SecretString* pass = &created->zip_password;
      keys.passphrase = [pass]() { return Result<SecretString>(pass->Clone()); };
    }
    auto v = VerifyPackage(created->output_path, keys, ReadOptions(&env));
    ASSERT_TRUE(v.ok()) << zip << ": " << v.status().ToString();
    EXPECT_EQ(v->digest, created->digest);
    EXPECT_EQ(env.ListDir("/out").value().size(), 1u);  // No temporary file came back.
  }
}

// Another process creates the output file after create checked that it was
// free and before the package takes its name. Without --force, theirs is
// kept: the package is moved with RENAME_NOREPLACE, not rename(2) (which the
// code before this test used, replacing their file), and nothing of the
// package is left or recorded.
TEST_F(PackageFaultsTest, AnOutputCreatedMeanwhileIsNotReplaced) {
  class RacingEnv : public FakeEnv {
   public:
    Status RenameFile(const std::string& from, const std::string& to) override {
      Race(to);
      return FakeEnv::RenameFile(from, to);
    }
    Status RenameNoReplace(const std::string& from, const std::string& to) override {
      Race(to);
      return FakeEnv::RenameNoReplace(from, to);
    }

   private:
    void Race(const std::string& to) {
      if (raced_ || (to != "/out/p.age" && to != "/out/p.zip")) return;
      raced_ = true;
      PutFile(*this, to, "theirs");
    }
    bool raced_ = false;
  };
  const uint64_t entries_before = LedgerSize();
  for (bool zip : {false, true}) {
    RacingEnv env;
    WriteSources(env);
    const CreatePackageOptions o = Options(zip);
    auto r = CreatePackage(*station_, o, &env);
    ASSERT_FALSE(r.ok()) << zip;
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr("appeared while the package was written"));
    EXPECT_EQ(ReadFileIn(env, o.output_path), "theirs");
    // Their file and no temporary file.
    EXPECT_EQ(env.ListDir("/out").value(), std::vector<std::string>{o.output_path.substr(5)});
    EXPECT_EQ(env.live_scratch_files(), 0);
  }
  EXPECT_EQ(LedgerSize(), entries_before);
  // With --force the file is replaced, as asked.
  RacingEnv env;
  WriteSources(env);
  CreatePackageOptions o = Options();
  o.overwrite = true;
  auto r = CreatePackage(*station_, o, &env);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(ReadFileIn(env, o.output_path), "theirs");
}

// The output inside a directory being packed: refused before anything is
// written, whether it is named through the directory itself, a "." or ".."
// spelling, or a subdirectory (the code before this test packed its own
// temporary file, or failed with "changed while packed").
TEST_F(PackageFaultsTest, AnOutputInsideASourceIsRefused) {
  FakeEnv env;
  WriteSources(env);
  ASSERT_TRUE(env.CreateDir("/src/t/d1/deeper", 0700).ok());
  for (const std::string out :
       {"/src/t/p.age", "/src/t/d1/deeper/p.age", "/out/../src/t/./d2/p.age"}) {
    CreatePackageOptions o = Options();
    o.output_path = out;
    auto r = CreatePackage(*station_, o, &env);
    ASSERT_FALSE(r.ok()) << out;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr("inside /src/t, which is being packed")) << out;
    EXPECT_FALSE(env.FileExists(out));
  }
  // d0..d4, the files, deeper: nothing added.
  EXPECT_EQ(env.ListTree("/src/t").size(), 5u + 301 + 1);
  // Beside the source, or in a directory whose name merely starts like it.
  ASSERT_TRUE(env.CreateDir("/src/t2", 0700).ok());
  for (const std::string out : {"/src/p.age", "/src/t2/p.age"}) {
    CreatePackageOptions o = Options();
    o.output_path = out;
    auto r = CreatePackage(*station_, o, &env);
    EXPECT_TRUE(r.ok()) << out << ": " << r.status().ToString();
  }
}

}  // namespace
}  // namespace custody::testing_package
