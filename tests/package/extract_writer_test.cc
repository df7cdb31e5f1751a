// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/extract_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace custody::package {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed + i / 4093) & 0xff);
  return s;
}

TEST(ExtractWriterTest, WritesFilesInOrderWithModeAndTime) {
  TempDir dir;
  ExtractWriter w(*Env::Default());
  ASSERT_TRUE(w.MakeDirectory(dir.path() + "/d").ok());
  ASSERT_TRUE(w.MakeDirectory(dir.path() + "/d/e").ok());
  // More than the queue holds, in odd pieces: the caller waits for room.
  const std::string big = Pattern(3 * ExtractWriter::kMaxQueuedBytes + 12345, 1);
  ASSERT_TRUE(w.BeginFile(dir.path() + "/d/e/big").ok());
  for (size_t at = 0; at < big.size(); at += 777777) {
    ASSERT_TRUE(w.Write(std::string_view(big).substr(at, 777777)).ok());
  }
  ASSERT_TRUE(w.EndFile(true, 0700, 1500000000).ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(w.BeginFile(dir.path() + "/d/f" + std::to_string(i)).ok());
    ASSERT_TRUE(w.Write(Pattern(100 + i, i)).ok());
    ASSERT_TRUE(w.EndFile(false, 0600, 1600000000 + i).ok());
  }
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_TRUE(Slurp(dir.path() + "/d/e/big") == big);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/d/e/big").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(st.st_mtime, 1500000000);
  for (int i = 0; i < 300; ++i) {
    const std::string f = dir.path() + "/d/f" + std::to_string(i);
    EXPECT_EQ(Slurp(f), Pattern(100 + i, i)) << i;
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mtime, 1600000000 + i);
  }
  ASSERT_EQ(::stat((dir.path() + "/d").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// Every operation counts against the queue's bound, not only file data: a
// package of empty files queues only paths, and with the writer held back
// (a slow disk) they used to pile up without limit.
TEST(ExtractWriterTest, QueuedPathsAreBoundedLikeData) {
  TempDir dir;
  std::promise<void> all_queued;
  std::shared_future<void> queued = all_queued.get_future().share();
  bool first = true;
  // The writer waits before its first batch until the caller has queued
  // everything, or for at most half a second (the caller is then held back
  // by the bound, as it must be).
  ExtractWriter w(*Env::Default(), [&] {
    if (first) queued.wait_for(std::chrono::milliseconds(500));
    first = false;
  });
  // Into a directory that does not exist: the first file fails, and the
  // writer then drops the rest without system calls.
  const std::string prefix = dir.path() + "/missing/" + std::string(200, 'x');
  constexpr int kFiles = 60000;  // About 20 MiB of operations, over 2x the bound.
  Status s;
  for (int i = 0; s.ok() && i < kFiles; ++i) {
    s = w.BeginFile(prefix + std::to_string(i));
    if (s.ok()) s = w.EndFile(false, 0600, 1);
  }
  all_queued.set_value();
  Status finished = w.Finish();
  EXPECT_EQ(finished.code(), StatusCode::kNotFound) << finished.ToString();
  EXPECT_LE(w.peak_queued_bytes(), ExtractWriter::kMaxQueuedBytes);
  // The caller was held back: far from all 120,000 operations were queued
  // at once (about 50,000 fit in the bound).
  EXPECT_LT(w.peak_queued_operations(), 2u * kFiles * 3 / 4);
  EXPECT_GT(w.peak_queued_operations(), 10000u);
}

TEST(ExtractWriterTest, TheFirstFailureStopsEverythingAfterIt) {
  TempDir dir;
  ExtractWriter w(*Env::Default());
  ASSERT_TRUE(w.BeginFile(dir.path() + "/a").ok());
  ASSERT_TRUE(w.Write("first").ok());
  ASSERT_TRUE(w.EndFile(false, 0600, 1).ok());
  // The same name again: O_EXCL fails, on the writer's thread.
  Status s = w.BeginFile(dir.path() + "/a");
  for (int i = 0; s.ok() && i < 1000; ++i) {
    s = w.Write("x");
    if (s.ok()) s = w.EndFile(false, 0600, 1);
    if (s.ok()) s = w.BeginFile(dir.path() + "/after" + std::to_string(i));
  }
  Status finished = w.Finish();
  EXPECT_EQ(finished.code(), StatusCode::kAlreadyExists) << finished.ToString();
  EXPECT_NE(finished.message().find(dir.path() + "/a"), std::string::npos) << finished.message();
  if (!s.ok()) {
    EXPECT_EQ(s.code(), finished.code());
  }
  EXPECT_EQ(w.Finish().code(), finished.code());  // Again: the same.
  EXPECT_EQ(Slurp(dir.path() + "/a"), "first");
  // Nothing queued after the failure was done.
  struct stat st {};
  EXPECT_NE(::stat((dir.path() + "/after0").c_str(), &st), 0);
}

TEST(ExtractWriterTest, DestroyedWithoutFinishDropsTheRest) {
  TempDir dir;
  {
    ExtractWriter w(*Env::Default());
    ASSERT_TRUE(w.BeginFile(dir.path() + "/partial").ok());
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(w.Write(Pattern(1 << 20, i)).ok());
  }  // Returns without hanging; the caller removes what was written.
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/partial").c_str(), &st), 0);
  EXPECT_LE(st.st_size, 64 << 20);
}

}  // namespace
}  // namespace custody::package
