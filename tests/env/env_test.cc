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

}  // namespace
}  // namespace custody
