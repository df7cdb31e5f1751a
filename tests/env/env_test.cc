// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

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

}  // namespace
}  // namespace custody
