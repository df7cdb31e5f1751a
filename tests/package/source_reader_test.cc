// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/source_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace custody::package {
namespace {

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed + i / 4093) & 0xff);
  return s;
}

struct Received {
  std::string path;
  std::string data;
  bool ended = false;
};

// Every batch of a read, checked against the reader's bounds as it comes.
std::vector<Received> ReadAll(const std::vector<SourceFile>& tops, size_t* batches, Status* error) {
  SourceReader reader(tops, *Env::Default());
  std::vector<Received> files;
  *batches = 0;
  while (std::optional<SourceReader::Batch> b = reader.Next()) {
    ++*batches;
    EXPECT_LE(b->pieces.size(), SourceReader::kPiecesPerBatch);
    EXPECT_LE(b->used, SourceReader::kBatchBytes);
    for (const SourceReader::Piece& p : b->pieces) {
      if (p.begin) files.push_back({p.file.path, "", false});
      if (p.length > 0) files.back().data.append(b->bytes.get() + p.offset, p.length);
      if (p.end) files.back().ended = true;
    }
    *error = b->error;
    reader.Recycle(std::move(*b));
  }
  return files;
}

// Batches are bounded by their pieces as well as their bytes: a tree of
// empty files (no bytes at all) or of tiny ones used to arrive as one batch
// holding every file, so memory grew with the number of files.
TEST(SourceReaderTest, BatchesOfEmptyAndTinyFilesAreBoundedByTheirPieces) {
  TempDir dir;
  const std::string root = dir.path() + "/t";
  std::filesystem::create_directories(root + "/empty");
  std::filesystem::create_directories(root + "/tiny");
  constexpr int kFiles = 3000;
  for (int i = 0; i < kFiles; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%05d", i);
    WriteFileOrDie(root + "/empty/" + name, "");
    WriteFileOrDie(root + "/tiny/" + name, Pattern(64, i));
  }
  size_t batches = 0;
  Status error;
  std::vector<Received> files = ReadAll({{root, "t"}}, &batches, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  ASSERT_EQ(files.size(), 2u * kFiles);
  // 3,000 empty files are 6,000 pieces; 3,000 tiny ones 9,000 (in 188 KiB):
  // at least 4 batches.
  EXPECT_GE(batches,
            (6000 + 9000 + SourceReader::kPiecesPerBatch - 1) / SourceReader::kPiecesPerBatch);
  for (int i = 0; i < kFiles; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%05d", i);
    const Received& e = files[i];
    EXPECT_EQ(e.path, std::string("t/empty/") + name);
    EXPECT_TRUE(e.data.empty());
    EXPECT_TRUE(e.ended);
    const Received& t = files[kFiles + i];
    EXPECT_EQ(t.path, std::string("t/tiny/") + name);
    EXPECT_EQ(t.data, Pattern(64, i)) << name;
    EXPECT_TRUE(t.ended);
  }
}

// A file larger than a batch travels in pieces across batches, whole and in
// order, between small files.
TEST(SourceReaderTest, ALargeFileSpansBatchesInOrder) {
  TempDir dir;
  const std::string root = dir.path() + "/t";
  std::filesystem::create_directories(root);
  const std::string big = Pattern(3 * SourceReader::kBatchBytes + 4321, 7);
  WriteFileOrDie(root + "/a", "first");
  WriteFileOrDie(root + "/b", big);
  WriteFileOrDie(root + "/c", "");
  WriteFileOrDie(dir.path() + "/single", "alone");
  size_t batches = 0;
  Status error;
  std::vector<Received> files =
      ReadAll({{root, "t"}, {dir.path() + "/single", "single"}}, &batches, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].path, "t/a");
  EXPECT_EQ(files[0].data, "first");
  EXPECT_EQ(files[1].path, "t/b");
  EXPECT_TRUE(files[1].data == big);
  EXPECT_EQ(files[2].path, "t/c");
  EXPECT_EQ(files[3].path, "single");
  EXPECT_EQ(files[3].data, "alone");
  for (const Received& f : files) EXPECT_TRUE(f.ended) << f.path;
  EXPECT_GE(batches, 4u);
}

// A link met during the walk ends the reading with an error after the files
// before it.
TEST(SourceReaderTest, ALinkInTheTreeEndsTheReadingWithAnError) {
  TempDir dir;
  const std::string root = dir.path() + "/t";
  std::filesystem::create_directories(root);
  WriteFileOrDie(root + "/a", "ok");
  std::filesystem::create_symlink("/etc/passwd", root + "/b");
  size_t batches = 0;
  Status error;
  std::vector<Received> files = ReadAll({{root, "t"}}, &batches, &error);
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(error.message().find("is a symbolic link"), std::string::npos) << error.message();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "t/a");
}

}  // namespace
}  // namespace custody::package
