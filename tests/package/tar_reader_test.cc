// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// TarReader's two ways of reading member data (Read copies, ReadBlock lends
// libarchive's view) and its two inputs (a ByteSource, or the decryption
// thread's borrowed buffers): same bytes, sparse holes as zeros, and the
// source's error (a cut package) reported through either.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "package/package_test_util.h"
#include "package/tar_writer.h"
#include "support/temp_dir.h"

namespace custody::package {
namespace {

using testing_package::BuildTar;
using testing_package::PieceSource;
using testing_package::RawMember;

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(((i + seed) * 131 + i / 7) & 0xff);
  return s;
}

struct Member {
  std::string path, data;
};

// Every member's path and data, with ReadBlock (or Read) for the data.
Result<std::vector<Member>> ReadAll(TarReader& tar, bool blocks) {
  std::vector<Member> out;
  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(std::optional<TarMember> m, tar.Next());
    if (!m) return out;
    Member got{m->path, ""};
    while (true) {
      if (blocks) {
        CUSTODY_ASSIGN_OR_RETURN(std::string_view b, tar.ReadBlock());
        if (b.empty()) break;
        got.data.append(b);
      } else {
        char buf[777];
        CUSTODY_ASSIGN_OR_RETURN(size_t n, tar.Read(buf, sizeof buf));
        if (n == 0) break;
        got.data.append(buf, n);
      }
    }
    out.push_back(std::move(got));
  }
}

Result<std::vector<Member>> ReadThrough(const std::string& tar_bytes, bool borrowed, bool blocks, size_t piece,
                                        Status end = Status::Ok()) {
  PieceSource src(tar_bytes, piece, end);
  std::unique_ptr<TarReader> tar;
  if (borrowed) {
    CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<BorrowingSource*>(&src)));
  } else {
    CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<ByteSource*>(&src)));
  }
  return ReadAll(*tar, blocks);
}

TEST(TarReaderTest, BlocksAndBorrowedBuffersGiveTheSameBytes) {
  std::vector<RawMember> members = {{"data/a", Pattern(300001, 1)},
                                    {"data/empty", ""},
                                    {"data/b", Pattern(4096, 2)},
                                    {"data/c", Pattern(1, 3)}};
  const std::string tar = BuildTar(members);
  for (bool borrowed : {false, true}) {
    for (bool blocks : {false, true}) {
      for (size_t piece : {size_t{512}, size_t{1000}, size_t{65536}}) {
        SCOPED_TRACE(std::to_string(borrowed) + std::to_string(blocks) + " " + std::to_string(piece));
        auto got = ReadThrough(tar, borrowed, blocks, piece);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ASSERT_EQ(got->size(), members.size());
        for (size_t i = 0; i < members.size(); ++i) {
          EXPECT_EQ((*got)[i].path, members[i].path);
          EXPECT_EQ((*got)[i].data, members[i].data);
        }
      }
    }
  }
}

// A cut anywhere, with the source's own error at the cut (what the age
// layer gives): that error (or the tar's "truncated") comes back from the
// borrowed path exactly as from the copying one, never a clean end.
TEST(TarReaderTest, SourceErrorComesBackThroughBorrowedBuffers) {
  const std::string tar = BuildTar({{"data/a", Pattern(20000, 4)}, {"data/b", Pattern(9000, 5)}});
  // Member a's data is at [512, 20512); b's header at 20992, its data to 30504.
  for (size_t cut : {size_t{0}, size_t{100}, size_t{512}, size_t{5000}, size_t{21000}, size_t{25000}, size_t{30500}}) {
    SCOPED_TRACE(cut);
    for (bool blocks : {false, true}) {
      auto copied = ReadThrough(tar.substr(0, cut), false, blocks, 700, TruncatedError("the package is truncated"));
      auto borrowed = ReadThrough(tar.substr(0, cut), true, blocks, 700, TruncatedError("the package is truncated"));
      ASSERT_FALSE(borrowed.ok());
      EXPECT_EQ(borrowed.status().code(), StatusCode::kTruncated);
      EXPECT_EQ(borrowed.status().code(), copied.status().code());
      EXPECT_EQ(borrowed.status().message(), copied.status().message());
    }
  }
}

// The tar read to its end, then CheckOnlyZerosAfterEnd's verdict on what
// follows it.
Status CheckAfterEnd(const std::string& bytes, bool borrowed, size_t piece) {
  PieceSource src(bytes, piece, Status::Ok());
  std::unique_ptr<TarReader> tar;
  if (borrowed) {
    CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<BorrowingSource*>(&src)));
  } else {
    CUSTODY_ASSIGN_OR_RETURN(tar, TarReader::Open(static_cast<ByteSource*>(&src)));
  }
  CUSTODY_RETURN_IF_ERROR(ReadAll(*tar, true).status());
  return tar->CheckOnlyZerosAfterEnd();
}

// Only zeros may follow the end-of-archive blocks, wherever libarchive's
// read-ahead stopped: a byte right after them, in the second of them, in
// the record padding, at the end of a long run of zeros, or a long tail.
// Read in pieces from 1 byte to 1 MiB, borrowed or copied.
TEST(TarReaderTest, OnlyZerosMayFollowTheEndOfArchive) {
  const std::string tar = BuildTar({{"data/a", Pattern(3000, 7)}, {"data/b", Pattern(5, 8)}});
  ASSERT_EQ(tar.size(), 10240u);  // libarchive pads to its 10240-byte record.
  // b's data block is the last nonzero block; the two end blocks follow it.
  const size_t end = (tar.find_last_not_of('\0') / 512 + 1) * 512 + 1024;
  ASSERT_LT(end, tar.size());
  auto with = [&](size_t at, std::string bytes) {
    std::string t = tar;
    if (t.size() < at + bytes.size()) t.resize(at + bytes.size(), '\0');
    t.replace(at, bytes.size(), bytes);
    return t;
  };
  std::string secret;
  for (int i = 0; i < 100; ++i) secret += "SECRET-HIDDEN-PAYLOAD";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"a byte right after the end blocks", with(end, "x")},
      {"a byte in the second end block", with(end - 512 + 7, "x")},
      {"the last byte of the record", with(tar.size() - 1, "x")},
      {"a payload after the record", tar + secret},
      {"a payload in the record padding", with(end, secret)},
      {"a byte after 3 MiB of zeros", with(tar.size() + (3 << 20), "x")},
      {"2 MiB of it", tar + std::string(2 << 20, 'x')},
  };
  const std::vector<std::pair<std::string, std::string>> accepted = {
      {"the record padding", tar},
      {"no record padding", tar.substr(0, end)},
      {"3 MiB more zeros", tar + std::string(3 << 20, '\0')},
  };
  for (bool borrowed : {false, true}) {
    for (size_t piece : {size_t{1}, size_t{700}, size_t{10240}, size_t{65536}, size_t{1} << 20}) {
      for (const auto& [what, bytes] : refused) {
        if (piece == 1 && bytes.size() > 100000) continue;  // A byte at a time: only the small ones.
        SCOPED_TRACE(what + " borrowed " + std::to_string(borrowed) + " piece " + std::to_string(piece));
        Status s = CheckAfterEnd(bytes, borrowed, piece);
        EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
        EXPECT_THAT(s.message(), ::testing::HasSubstr("data after the end of its tar"));
      }
      for (const auto& [what, bytes] : accepted) {
        if (piece == 1 && bytes.size() > 100000) continue;
        SCOPED_TRACE(what + " borrowed " + std::to_string(borrowed) + " piece " + std::to_string(piece));
        Status s = CheckAfterEnd(bytes, borrowed, piece);
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    }
  }
}

// GNU tar's sparse pax members: holes (at the start, the middle and the
// end) come back as zeros from ReadBlock, as from Read.
TEST(TarReaderTest, SparseHolesAreZeros) {
  TempDir dir;
  const std::string file = dir.path() + "/sparse";
  std::string expected(3 << 20, '\0');
  const std::string middle = Pattern(70000, 6);
  std::memcpy(expected.data() + (1 << 20), middle.data(), middle.size());
  WriteFileOrDie(file, "");
  ASSERT_EQ(RunCommand({"truncate", "-s", std::to_string(expected.size()), file}).exit_code, 0);
  auto dd = RunCommand({"dd", "of=" + file, "bs=1", "seek=" + std::to_string(1 << 20), "conv=notrunc", "status=none"},
                       middle);
  ASSERT_EQ(dd.exit_code, 0) << dd.err;
  ASSERT_EQ(ReadFileOrDie(file), expected);
  auto t = RunCommand({"tar", "--sparse", "--format=pax", "-C", dir.path(), "-cf", dir.path() + "/s.tar", "sparse"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string tar = ReadFileOrDie(dir.path() + "/s.tar");
  ASSERT_LT(tar.size(), expected.size() / 4) << "GNU tar did not store the file as sparse";
  for (bool borrowed : {false, true}) {
    for (bool blocks : {false, true}) {
      auto got = ReadThrough(tar, borrowed, blocks, 4096);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got->size(), 1u);
      EXPECT_TRUE((*got)[0].data == expected) << "borrowed " << borrowed << " blocks " << blocks << " size "
                                               << (*got)[0].data.size();
    }
  }
}

}  // namespace
}  // namespace custody::package
