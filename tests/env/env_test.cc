// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "env/posix_io.h"
#include "support/fake_env.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

TEST(FakeEnvTest, WriteFileAtomicallySurvivesPowerLoss) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.WriteFileAtomically("/s/station.json", "v1", 0600).ok());
  env.SimulatePowerLoss();
  auto r = env.ReadFile("/s/station.json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "v1");
  EXPECT_EQ(env.ModeOf("/s/station.json"), 0600u);
}

TEST(FakeEnvTest, FailedSyncLeavesOldFileAndNoTemporary) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.WriteFileAtomically("/s/f", "old", 0600).ok());
  env.FailNext(testing::FakeEnv::Op::kSync);
  Status s = env.WriteFileAtomically("/s/f", "new", 0600);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(*env.ReadFile("/s/f"), "old");
  EXPECT_EQ(env.ListDir("/s")->size(), 1u);
}

// The fake answers as a file system does about its root and about
// directories that are not there, so code under test sees the same errors
// (a listing of a missing directory is not an empty one).
TEST(FakeEnvTest, TheRootExistsAndMissingDirectoriesCannotBeListed) {
  testing::FakeEnv env;
  EXPECT_TRUE(env.FileExists("/"));
  auto root = env.StatNoFollow("/");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->type, FileStatus::Type::kDirectory);
  EXPECT_EQ(env.Stat("/")->type, FileStatus::Type::kDirectory);
  EXPECT_EQ(env.CreateNewDir("/", 0700).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(env.ListDir("/").ok());
  EXPECT_TRUE(env.ListDir("/")->empty());

  ASSERT_TRUE(env.CreateNewDir("/d", 0700).ok());
  ASSERT_TRUE(env.WriteFileAtomically("/top", "x", 0600).ok());
  auto names = env.ListDir("/");
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"d", "top"}));
  EXPECT_TRUE(env.ListDir("/d")->empty());  // Made, and empty.
  EXPECT_EQ(env.ListDir("/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.ListDirEntries("/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.ListDir("/top").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(env.Stat("/missing").status().code(), StatusCode::kNotFound);
}

TEST(FakeEnvTest, UnsyncedWritesAreLost) {
  testing::FakeEnv env;
  auto f = env.NewWritableFile("/d/x", 0600);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  env.SimulatePowerLoss();
  EXPECT_EQ(*env.ReadFile("/d/x"), "abc");
}

// Injected write(2) behaviour for the real POSIX write loop.
int g_calls = 0;
ssize_t ShortThenEintr(int fd, const void* buf, size_t n) {
  ++g_calls;
  if (g_calls % 3 == 1) {
    errno = EINTR;
    return -1;
  }
  return ::write(fd, buf, n > 5 ? 5 : n);  // Short writes of at most 5 bytes.
}
ssize_t AlwaysEio(int, const void*, size_t) {
  errno = EIO;
  return -1;
}

TEST(PosixEnvTest, WriteLoopRetriesShortWritesAndEintr) {
  TempDir dir;
  std::string path = dir.path() + "/f";
  posix::SetWriteFnForTesting(&ShortThenEintr);
  Status s = Env::Default()->WriteFileAtomically(path, "0123456789abcdefghij", 0600);
  posix::SetWriteFnForTesting(nullptr);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*Env::Default()->ReadFile(path), "0123456789abcdefghij");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_GT(g_calls, 4);
}

TEST(PosixEnvTest, EioFailsAndLeavesNoTemporaryFile) {
  TempDir dir;
  std::string path = dir.path() + "/f";
  posix::SetWriteFnForTesting(&AlwaysEio);
  Status s = Env::Default()->WriteFileAtomically(path, "data", 0600);
  posix::SetWriteFnForTesting(nullptr);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_FALSE(Env::Default()->FileExists(path));
  EXPECT_TRUE(Env::Default()->ListDir(dir.path())->empty());
}

TEST(PosixEnvTest, ModeIsExactWhateverTheUmask) {
  TempDir dir;
  mode_t old = ::umask(0);
  Status s = Env::Default()->WriteFileAtomically(dir.path() + "/k", "secret", 0600);
  ::umask(old);
  ASSERT_TRUE(s.ok());
  struct stat st;
  ASSERT_EQ(::stat((dir.path() + "/k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The package reader's seam: reads at any offset, short only at the end,
// and refuses what is not a regular file.
TEST(PosixEnvTest, RandomAccessFileReadsAtOffsetsAndStopsAtTheEnd) {
  TempDir dir;
  const std::string path = dir.path() + "/p.age";
  std::string data(100000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + (i >> 9));
  WriteFileOrDie(path, data);
  auto file = Env::Default()->NewRandomAccessFile(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->size(), data.size());
  std::string buf(70000, '\0');
  auto got = (*file)->ReadAt(50000, reinterpret_cast<uint8_t*>(buf.data()), buf.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 50000u);  // Short only because the file ends.
  EXPECT_EQ(buf.substr(0, 50000), data.substr(50000));
  got = (*file)->ReadAt(3, reinterpret_cast<uint8_t*>(buf.data()), 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(buf.substr(0, 10), data.substr(3, 10));
  EXPECT_EQ((*file)->ReadAt(data.size() + 5, reinterpret_cast<uint8_t*>(buf.data()), 10).value(), 0u);

  EXPECT_EQ(Env::Default()->NewRandomAccessFile(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Env::Default()->NewRandomAccessFile(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

// A scratch file has no name: nothing appears in its directory, and what is
// written at any offset reads back; reading past what was written is
// kCorruption (the file is shorter than its owner thinks).
TEST(PosixEnvTest, ScratchFileIsUnnamedAndReadsBackWhatWasWritten) {
  TempDir dir;
  auto file = Env::Default()->NewScratchFile(dir.path());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->WriteAt(0, "hello ").ok());
  ASSERT_TRUE((*file)->WriteAt(6, "world").ok());
  ASSERT_TRUE((*file)->WriteAt(0, "H").ok());
  std::string buf(11, '\0');
  ASSERT_TRUE((*file)->ReadAt(0, reinterpret_cast<uint8_t*>(buf.data()), 11).ok());
  EXPECT_EQ(buf, "Hello world");
  EXPECT_EQ((*file)->ReadAt(5, reinterpret_cast<uint8_t*>(buf.data()), 11).code(), StatusCode::kCorruption);
  auto names = Env::Default()->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
  EXPECT_EQ(Env::Default()->NewScratchFile(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
}

TEST(FakeEnvTest, ScratchAndRandomAccessFilesTakeInjectedFaults) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.WriteFileAtomically("/w/p.age", "0123456789", 0600).ok());
  auto file = env.NewRandomAccessFile("/w/p.age");
  ASSERT_TRUE(file.ok());
  uint8_t b[4];
  env.FailNext(testing::FakeEnv::Op::kRead);
  EXPECT_EQ((*file)->ReadAt(0, b, 4).status().code(), StatusCode::kIoError);
  EXPECT_EQ((*file)->ReadAt(8, b, 4).value(), 2u);
  EXPECT_EQ(env.NewRandomAccessFile("/w/none").status().code(), StatusCode::kNotFound);

  env.FailNext(testing::FakeEnv::Op::kCreate);
  EXPECT_EQ(env.NewScratchFile("/w").status().code(), StatusCode::kIoError);
  {
    auto scratch = env.NewScratchFile("/w");
    ASSERT_TRUE(scratch.ok());
    EXPECT_EQ(env.live_scratch_files(), 1);
    env.FailNext(testing::FakeEnv::Op::kAppend, 1, 1);
    EXPECT_TRUE((*scratch)->WriteAt(0, "abcd").ok());
    EXPECT_EQ((*scratch)->WriteAt(4, "efgh").code(), StatusCode::kIoError);
    env.FailNext(testing::FakeEnv::Op::kRead);
    EXPECT_EQ((*scratch)->ReadAt(0, b, 4).code(), StatusCode::kIoError);
    ASSERT_TRUE((*scratch)->ReadAt(0, b, 4).ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(b), 4), "abcd");
    EXPECT_EQ((*scratch)->ReadAt(2, b, 4).code(), StatusCode::kCorruption);
    EXPECT_EQ(env.ListDir("/w")->size(), 1u);  // p.age only.
  }
  EXPECT_EQ(env.live_scratch_files(), 0);
}

// The extraction seam (package open), the same contract in both
// environments: exclusive creation, mode and time on the open file, unique
// directories, renames that never replace, streaming listings and removal
// of a whole tree.
void CheckExtractionSeam(Env& env, const std::string& root) {
  auto f = env.NewExclusiveFile(root + "/a", 0600);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Append("data").ok());
  ASSERT_TRUE((*f)->SetMode(0700).ok());
  ASSERT_TRUE((*f)->SetModificationTime(1600000000).ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto st = env.StatNoFollow(root + "/a");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->mode & 07777, 0700u);
  EXPECT_EQ(st->mtime_sec, 1600000000);
  EXPECT_EQ(st->mtime_nsec, 0);
  EXPECT_EQ(st->size, 4u);
  EXPECT_EQ(env.NewExclusiveFile(root + "/a", 0600).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env.NewExclusiveFile(root + "/missing/b", 0600).status().code(), StatusCode::kNotFound);

  auto d1 = env.CreateUniqueDir(root, ".x-");
  auto d2 = env.CreateUniqueDir(root, ".x-");
  ASSERT_TRUE(d1.ok() && d2.ok());
  EXPECT_NE(*d1, *d2);
  EXPECT_EQ(d1->rfind(root + "/.x-", 0), 0u) << *d1;
  EXPECT_EQ(env.StatNoFollow(*d1)->type, FileStatus::Type::kDirectory);

  ASSERT_TRUE(env.CreateNewDir(*d2 + "/sub", 0700).ok());
  EXPECT_EQ(env.CreateNewDir(*d2 + "/sub", 0700).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env.CreateNewDir(*d2 + "/none/sub", 0700).code(), StatusCode::kNotFound);
  auto g = env.NewExclusiveFile(*d2 + "/sub/g", 0600);
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Close().ok());
  ASSERT_TRUE(env.RenameNoReplace(root + "/a", *d1 + "/a").ok());
  ASSERT_TRUE(env.RenameNoReplace(*d2 + "/sub", *d1 + "/sub").ok());  // A directory with its content.
  EXPECT_TRUE(env.FileExists(*d1 + "/sub/g"));
  EXPECT_FALSE(env.FileExists(*d2 + "/sub"));
  ASSERT_TRUE(env.CreateDir(*d2 + "/sub", 0700).ok());
  EXPECT_EQ(env.RenameNoReplace(*d2 + "/sub", *d1 + "/sub").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env.RenameNoReplace(root + "/a", *d2 + "/a").code(), StatusCode::kNotFound);

  std::vector<std::string> names;
  ASSERT_TRUE(env.ForEachDirEntry(*d1, [&](const std::string& n) {
                   names.push_back(n);
                   return Status::Ok();
                 }).ok());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "sub"}));
  EXPECT_EQ(env.ForEachDirEntry(*d1, [](const std::string&) { return CancelledError("stop"); }).code(),
            StatusCode::kCancelled);

  EXPECT_TRUE(env.SyncFileSystem(root).ok());
  ASSERT_TRUE(env.RemoveTree(*d1).ok());
  EXPECT_FALSE(env.FileExists(*d1 + "/sub/g"));
  EXPECT_FALSE(env.FileExists(*d1));
  EXPECT_TRUE(env.RemoveTree(*d1).ok());  // Gone already: fine.
  EXPECT_TRUE(env.FileExists(*d2 + "/sub"));
}

TEST(PosixEnvTest, ExtractionSeam) {
  TempDir dir;
  CheckExtractionSeam(*Env::Default(), dir.path());
}

TEST(FakeEnvTest, ExtractionSeam) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.CreateDir("/r", 0700).ok());
  CheckExtractionSeam(env, "/r");
}

// What only the real file system has: the umask, and symbolic links (never
// followed by NewExclusiveFile or RemoveTree).
TEST(PosixEnvTest, ExclusiveFilesTakeTheUmaskAndRefuseSymlinks) {
  TempDir dir;
  mode_t old = ::umask(027);
  auto mask = Env::Default()->CreationMask();
  auto f = Env::Default()->NewExclusiveFile(dir.path() + "/f", 0666);
  ::umask(old);
  // A directory gets exactly its mode, even under a umask that takes the
  // owner's bits (its files could not be created otherwise).
  old = ::umask(0277);
  Status made = Env::Default()->CreateNewDir(dir.path() + "/d", 0700);
  ::umask(old);
  ASSERT_TRUE(made.ok()) << made.ToString();
  struct stat dst {};
  ASSERT_EQ(::stat((dir.path() + "/d").c_str(), &dst), 0);
  EXPECT_EQ(dst.st_mode & 0777, 0700u);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(*mask, 027u);
  ASSERT_TRUE(f.ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);

  WriteFileOrDie(dir.path() + "/target", "keep");
  ASSERT_EQ(::symlink((dir.path() + "/target").c_str(), (dir.path() + "/link").c_str()), 0);
  EXPECT_EQ(Env::Default()->NewExclusiveFile(dir.path() + "/link", 0600).status().code(), StatusCode::kAlreadyExists);
  ASSERT_EQ(::mkdir((dir.path() + "/tree").c_str(), 0700), 0);
  ASSERT_EQ(::symlink(dir.path().c_str(), (dir.path() + "/tree/up").c_str()), 0);
  ASSERT_TRUE(Env::Default()->RemoveTree(dir.path() + "/tree").ok());
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/target"), "keep");
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/tree"));
}

// Stat follows a symbolic link to what it names; StatNoFollow describes
// the link; a link to nothing is kNotFound for Stat.
TEST(PosixEnvTest, StatFollowsLinksAndStatNoFollowDoesNot) {
  TempDir dir;
  Env* env = Env::Default();
  ASSERT_EQ(::mkdir((dir.path() + "/real").c_str(), 0700), 0);
  ASSERT_EQ(::symlink((dir.path() + "/real").c_str(), (dir.path() + "/to-dir").c_str()), 0);
  ASSERT_EQ(::symlink((dir.path() + "/nowhere").c_str(), (dir.path() + "/dangling").c_str()), 0);
  auto followed = env->Stat(dir.path() + "/to-dir");
  ASSERT_TRUE(followed.ok()) << followed.status().ToString();
  EXPECT_EQ(followed->type, FileStatus::Type::kDirectory);
  EXPECT_EQ(env->StatNoFollow(dir.path() + "/to-dir")->type, FileStatus::Type::kSymlink);
  EXPECT_EQ(env->Stat(dir.path() + "/dangling").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env->StatNoFollow(dir.path() + "/dangling")->type, FileStatus::Type::kSymlink);
}

// Where renameat2(RENAME_NOREPLACE) is refused (NFS, SMB, ntfs-3g), the
// fallback keeps the same contract: an existing name is never replaced, and
// a file and a directory still move.
TEST(PosixEnvTest, RenameNoReplaceFallbackNeverReplaces) {
  TempDir dir;
  WriteFileOrDie(dir.path() + "/a", "new");
  WriteFileOrDie(dir.path() + "/taken", "keep");
  Status taken = posix::RenameNoReplaceWithoutRenameat2(dir.path() + "/a", dir.path() + "/taken");
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/taken"), "keep");
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/a"), "new");
  ASSERT_TRUE(posix::RenameNoReplaceWithoutRenameat2(dir.path() + "/a", dir.path() + "/b").ok());
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/a"));
  EXPECT_EQ(ReadFileOrDie(dir.path() + "/b"), "new");
  ASSERT_EQ(::mkdir((dir.path() + "/d").c_str(), 0700), 0);  // Links refused: the lookup path.
  EXPECT_EQ(posix::RenameNoReplaceWithoutRenameat2(dir.path() + "/d", dir.path() + "/b").code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(posix::RenameNoReplaceWithoutRenameat2(dir.path() + "/d", dir.path() + "/e").ok());
  EXPECT_TRUE(Env::Default()->FileExists(dir.path() + "/e"));
}

// A FIFO given as a package is refused, not waited on.
TEST(PosixEnvTest, RandomAccessFileRefusesAFifoWithoutBlocking) {
  TempDir dir;
  const std::string fifo = dir.path() + "/p.age";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(Env::Default()->NewRandomAccessFile(fifo).status().code(), StatusCode::kInvalidArgument);
}

TEST(FakeEnvTest, ExtractionSeamTakesInjectedFaults) {
  testing::FakeEnv env;
  ASSERT_TRUE(env.CreateDir("/r", 0700).ok());
  env.FailNext(testing::FakeEnv::Op::kMkdir);
  EXPECT_EQ(env.CreateUniqueDir("/r", ".x-").status().code(), StatusCode::kIoError);
  env.FailNext(testing::FakeEnv::Op::kCreate);
  EXPECT_EQ(env.NewExclusiveFile("/r/f", 0600).status().code(), StatusCode::kIoError);
  auto f = env.NewExclusiveFile("/r/f", 0600);
  ASSERT_TRUE(f.ok());
  env.FailNext(testing::FakeEnv::Op::kAttributes);
  EXPECT_EQ((*f)->SetModificationTime(5).code(), StatusCode::kIoError);
  env.FailNext(testing::FakeEnv::Op::kRename);
  EXPECT_EQ(env.RenameNoReplace("/r/f", "/r/g").code(), StatusCode::kIoError);
  env.FailNext(testing::FakeEnv::Op::kSync);
  EXPECT_EQ(env.SyncFileSystem("/r").code(), StatusCode::kIoError);
  // Unsynced, the file is lost at a power cut; after SyncFileSystem it is not.
  ASSERT_TRUE((*f)->Append("x").ok());
  env.SimulatePowerLoss();
  EXPECT_FALSE(env.FileExists("/r/f"));
  auto h = env.NewExclusiveFile("/r/h", 0600);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE((*h)->Append("kept").ok());
  ASSERT_TRUE(env.SyncFileSystem("/r").ok());
  env.SimulatePowerLoss();
  EXPECT_EQ(env.ReadFile("/r/h").value(), "kept");
}

// flock on a directory: a second lock is refused while the first is held
// (flock locks belong to open file descriptions, so this holds within one
// process too), names the holder's pid from /proc/locks, and is free again
// once the first lock object is gone; nothing is created in the directory.
TEST(PosixEnvTest, TryLockFileRefusesASecondHolderAndNamesIt) {
  TempDir dir;
  Env* env = Env::Default();
  int64_t holder = -1;
  auto first = env->TryLockFile(dir.path(), &holder);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(holder, 0);
  auto second = env->TryLockFile(dir.path(), &holder);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  EXPECT_EQ(holder, static_cast<int64_t>(::getpid()));
  first->reset();
  auto third = env->TryLockFile(dir.path(), &holder);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
  auto names = env->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
  EXPECT_EQ(env->TryLockFile(dir.path() + "/missing", nullptr).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace custody
