// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/sealed_spill.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>

#include <string>
#include <vector>

#include "crypto/primitives.h"
#include "custody/env.h"
#include "support/fake_env.h"
#include "support/temp_dir.h"

namespace custody::crypto {
namespace {

std::string Data(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) ^ (i >> 11));
  return s;
}

// Reads the whole spill once through the MessageSource interface.
Result<std::string> ReadAll(SealedSpill& spill) {
  CUSTODY_RETURN_IF_ERROR(spill.Rewind());
  std::string out;
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, spill.Next());
    if (piece.empty()) return out;
    EXPECT_LE(piece.size(), spill.spilled() ? SealedSpill::kChunkSize : spill.size());
    out.append(piece);
  }
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return names;
}

// Each cipher NewLocalAead may pick, on any machine.
class SealedSpillCipherTest : public ::testing::TestWithParam<LocalAeadChoice> {};

INSTANTIATE_TEST_SUITE_P(Ciphers, SealedSpillCipherTest,
                         ::testing::Values(LocalAeadChoice::kAes256Gcm,
                                           LocalAeadChoice::kChaCha20Poly1305),
                         [](const ::testing::TestParamInfo<LocalAeadChoice>& info) {
                           return info.param == LocalAeadChoice::kAes256Gcm ? "Aes256Gcm"
                                                                            : "ChaCha20Poly1305";
                         });

// Sizes around the chunk boundaries, appended in uneven pieces, in memory
// and spilled (limit 1 KiB), read back twice.
TEST_P(SealedSpillCipherTest, ReadsBackWhatWasAppendedInMemoryAndSpilled) {
  TempDir dir;
  const size_t k = SealedSpill::kChunkSize;
  for (size_t limit : {size_t{1} << 30, size_t{1024}}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{1024}, size_t{1025}, k - 1, k, k + 1, 3 * k, 3 * k + 17}) {
      SealedSpill spill(dir.path(), *Env::Default(), limit, GetParam());
      const std::string data = Data(n, static_cast<int>(n));
      for (size_t at = 0; at < n;) {
        size_t take = std::min(n - at, (at % 3 + 1) * 1000);
        ASSERT_TRUE(spill.Append(std::string_view(data).substr(at, take)).ok());
        at += take;
      }
      ASSERT_TRUE(spill.Finish().ok());
      EXPECT_EQ(spill.size(), n);
      EXPECT_EQ(spill.spilled(), n > limit) << n;
      for (int pass = 0; pass < 2; ++pass) {
        auto got = ReadAll(spill);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_TRUE(*got == data) << "size " << n << " limit " << limit << " pass " << pass;
      }
      // The file has no name: nothing to find or to clean up in the directory.
      EXPECT_TRUE(Entries(dir.path()).empty());
    }
  }
}

// The bytes on disk are sealed: a flip in any chunk (first, middle, last,
// tag) makes reading fail with kVerificationFailed, never different data.
TEST_P(SealedSpillCipherTest, AChangedFileIsAnErrorNotData) {
  TempDir dir;
  const size_t k = SealedSpill::kChunkSize, sealed = k + 16;
  const std::string data = Data(3 * k + 100, 5);
  for (uint64_t at : {uint64_t{0}, uint64_t{sealed + 7}, uint64_t{2 * sealed + k + 3}, uint64_t{3 * sealed + 50},
                      uint64_t{3 * sealed + 100 + 15}}) {
    SealedSpill spill(dir.path(), *Env::Default(), 0, GetParam());
    ASSERT_TRUE(spill.Append(data).ok());
    ASSERT_TRUE(spill.Finish().ok());
    ASSERT_TRUE(spill.spilled());
    ASSERT_TRUE(spill.FlipByteForTesting(at).ok()) << at;
    auto got = ReadAll(spill);
    EXPECT_EQ(got.status().code(), StatusCode::kVerificationFailed) << at;
  }
}

TEST(SealedSpillTest, MisuseAndAMissingDirectoryAreErrors) {
  TempDir dir;
  SealedSpill spill(dir.path(), *Env::Default(), 4);
  EXPECT_EQ(spill.Next().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(spill.Rewind().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(spill.Append("abc").ok());
  EXPECT_EQ(spill.FlipByteForTesting(0).code(), StatusCode::kFailedPrecondition);  // Still in memory.
  ASSERT_TRUE(spill.Finish().ok());
  EXPECT_EQ(spill.Append("d").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadAll(spill).value(), "abc");

  // Nothing touches the disk until the limit is passed; then a directory
  // that is not there is the OS's error, at the Append that spills.
  SealedSpill nowhere(dir.path() + "/missing", *Env::Default(), 4);
  EXPECT_TRUE(nowhere.Append("abcd").ok());
  EXPECT_EQ(nowhere.Append("e").code(), StatusCode::kNotFound);
}

// A write that fails (here: the process's file size limit, as a full disk
// would) leaves chunks and counters out of step: that error comes back from
// every later Append and from Finish, and nothing can be read.
TEST(SealedSpillTest, AFailedWriteIsReturnedByEveryLaterCall) {
  TempDir dir;
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &previous), 0);  // EFBIG instead of the signal.
  struct rlimit small = old;
  small.rlim_cur = 100 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  SealedSpill spill(dir.path(), *Env::Default(), 0);
  Status first;
  for (int i = 0; i < 10 && first.ok(); ++i) first = spill.Append(Data(SealedSpill::kChunkSize, i));
  setrlimit(RLIMIT_FSIZE, &old);
  sigaction(SIGXFSZ, &previous, nullptr);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.os_error(), EFBIG) << first.ToString();
  EXPECT_EQ(spill.Append("x").ToString(), first.ToString());
  EXPECT_EQ(spill.Finish().ToString(), first.ToString());
  EXPECT_EQ(spill.Next().status().code(), StatusCode::kFailedPrecondition);
}

// Through the Env seam (FakeEnv): the spill creates its file, writes and
// reads only there. Every write that fails, at every point, is returned by
// that call and every later one; a read that fails is the OS's error, not
// "changed"; and the file is gone with the object.
TEST(SealedSpillTest, InjectedFaultsAreReportedAndTheFileIsReleased) {
  using testing::FakeEnv;
  const std::string data = Data(5 * SealedSpill::kChunkSize + 123, 9);
  {
    FakeEnv env;
    SealedSpill spill("/tmp", env, 1000);
    ASSERT_TRUE(spill.Append(data).ok());
    ASSERT_TRUE(spill.Finish().ok());
    EXPECT_TRUE(spill.spilled());
    EXPECT_EQ(env.live_scratch_files(), 1);
    EXPECT_GT(env.scratch_bytes_written(), data.size());  // Sealed: tags added.
    EXPECT_EQ(ReadAll(spill).value(), data);
  }
  for (int after = 0; after < 6; ++after) {
    FakeEnv env;
    {
      SealedSpill spill("/tmp", env, 1000);
      env.FailNext(FakeEnv::Op::kAppend, 1, after);
      Status first;
      for (size_t at = 0; at < data.size() && first.ok(); at += 20000) {
        first = spill.Append(std::string_view(data).substr(at, 20000));
      }
      if (first.ok()) first = spill.Finish();
      ASSERT_EQ(first.code(), StatusCode::kIoError) << after;
      EXPECT_NE(first.message().find("injected EIO"), std::string::npos) << first.ToString();
      EXPECT_EQ(spill.Append("x").ToString(), first.ToString());
      EXPECT_EQ(spill.Finish().ToString(), first.ToString());
      EXPECT_EQ(spill.Next().status().code(), StatusCode::kFailedPrecondition);
    }
    EXPECT_EQ(env.live_scratch_files(), 0) << after;
  }
  {
    FakeEnv env;
    SealedSpill spill("/tmp", env, 1000);
    env.FailNext(FakeEnv::Op::kCreate);
    EXPECT_TRUE(spill.Append(std::string(1000, 'a')).ok());  // Still in memory.
    EXPECT_EQ(spill.Append("b").code(), StatusCode::kIoError);
    EXPECT_EQ(env.live_scratch_files(), 0);
  }
  {
    FakeEnv env;
    SealedSpill spill("/tmp", env, 1000);
    ASSERT_TRUE(spill.Append(data).ok());
    ASSERT_TRUE(spill.Finish().ok());
    env.FailNext(FakeEnv::Op::kRead, 1, 2);  // The third chunk.
    ASSERT_TRUE(spill.Rewind().ok());
    ASSERT_TRUE(spill.Next().ok());
    ASSERT_TRUE(spill.Next().ok());
    Status failed = spill.Next().status();
    EXPECT_EQ(failed.code(), StatusCode::kIoError) << failed.ToString();
    EXPECT_NE(failed.message().find("reading back custody's temporary file"), std::string::npos);
    // The error was the disk's, not a change: reading again works.
    EXPECT_EQ(ReadAll(spill).value(), data);
  }
}

}  // namespace
}  // namespace custody::crypto
