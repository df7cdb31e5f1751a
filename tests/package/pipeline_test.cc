// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The two-thread pipeline pieces (src/package/pipeline.h): bytes arrive in
// order, errors arrive after the bytes before them, and destroying midway
// stops the thread.
#include "package/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "custody/status.h"
#include "package/package_test_util.h"

namespace custody::package {
namespace {

using testing_package::PieceSource;

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

TEST(BackgroundSinkTest, KeepsOrderAcrossOddWriteSizes) {
  std::string out;
  StringSink sink(&out);
  BackgroundSink pipe(&sink, 1000, 2);
  std::string data = Bytes(123457);
  size_t pos = 0, step = 1;
  while (pos < data.size()) {
    size_t n = std::min(step, data.size() - pos);
    ASSERT_TRUE(pipe.Write(std::string_view(data).substr(pos, n)).ok());
    pos += n;
    step = step * 3 % 4099 + 1;
  }
  ASSERT_TRUE(pipe.Finish().ok());
  EXPECT_EQ(out, data);
}

TEST(BackgroundSinkTest, ReportsTheSinksFirstError) {
  int writes = 0;
  FunctionSink failing([&writes](std::string_view) -> Status {
    return ++writes == 3 ? IoError("disk full") : Status::Ok();
  });
  BackgroundSink pipe(&failing, 100, 2);
  std::string data = Bytes(100);
  Status s = Status::Ok();
  for (int i = 0; i < 50 && s.ok(); ++i) s = pipe.Write(data);
  if (s.ok()) s = pipe.Finish();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ(writes, 3);  // Nothing written after the failure.
}

TEST(BackgroundSinkTest, DestroyedWithoutFinishStops) {
  std::string out;
  StringSink sink(&out);
  {
    BackgroundSink pipe(&sink, 10, 1);
    ASSERT_TRUE(pipe.Write(Bytes(95)).ok());
  }
  EXPECT_LE(out.size(), 95u);
}

std::pair<std::string, Status> Drain(ByteSource& s, size_t read_size) {
  std::string got;
  std::string buf(read_size, '\0');
  while (true) {
    auto r = s.Read(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
    if (!r.ok()) return {got, r.status()};
    if (*r == 0) return {got, Status::Ok()};
    got.append(buf.data(), *r);
  }
}

TEST(PrefetchSourceTest, KeepsOrderAndEnds) {
  std::string data = Bytes(200003);
  PieceSource src(data, 777, Status::Ok());
  PrefetchSource pre(&src, 4096, 3);
  auto [got, status] = Drain(pre, 1000);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(got, data);
  auto again = pre.Read(reinterpret_cast<uint8_t*>(got.data()), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST(PrefetchSourceTest, ErrorComesAfterTheBytesBeforeIt) {
  std::string data = Bytes(10000);
  PieceSource src(data, 300, TruncatedError("the file is truncated"));
  PrefetchSource pre(&src, 4096, 2);
  auto [got, status] = Drain(pre, 999);
  EXPECT_EQ(got, data);
  EXPECT_EQ(status.code(), StatusCode::kTruncated);
  EXPECT_EQ(pre.Read(reinterpret_cast<uint8_t*>(got.data()), 10).status().code(), StatusCode::kTruncated);
}

// Borrowed views and copying reads, mixed, give the bytes once each and in
// order; the end is an empty view; an error comes after the bytes before it
// and stays.
TEST(PrefetchSourceTest, ViewsAndReadsMixedKeepOrder) {
  for (Status end : {Status::Ok(), TruncatedError("the file is truncated")}) {
    std::string data = Bytes(100001);
    PieceSource src(data, 333, end);
    PrefetchSource pre(&src, 4096, 2);
    std::string got, buf(1000, '\0');
    Status status = Status::Ok();
    for (int i = 0;; ++i) {
      if (i % 3 == 0) {
        auto r = pre.Read(reinterpret_cast<uint8_t*>(buf.data()), 1 + i % 1000);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        if (*r == 0) break;
        got.append(buf.data(), *r);
      } else {
        auto v = pre.ReadView();
        if (!v.ok()) {
          status = v.status();
          break;
        }
        if (v->empty()) break;
        EXPECT_LE(v->size(), 4096u);
        got.append(*v);
      }
    }
    EXPECT_EQ(got, data);
    EXPECT_EQ(status.code(), end.code());
    auto again = pre.ReadView();
    EXPECT_EQ(again.status().code(), end.code());
    if (again.ok()) {
      EXPECT_TRUE(again->empty());
    }
  }
}

TEST(PrefetchSourceTest, DestroyedEarlyStops) {
  std::string data = Bytes(1 << 20);
  PieceSource src(data, 4096, Status::Ok());
  {
    PrefetchSource pre(&src, 1024, 2);
    std::string b(10, '\0');
    auto r = pre.Read(reinterpret_cast<uint8_t*>(b.data()), b.size());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(b.substr(0, *r), data.substr(0, *r));
  }  // Joins the reader thread although most of the input is unread.
}

}  // namespace
}  // namespace custody::package
