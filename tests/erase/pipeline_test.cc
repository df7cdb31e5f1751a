// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// RunParallelPipeline: several producers, chunks consumed in order, the
// first failure (a producer's, in chunk order, or the consumer's) returned.
#include "erase/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

namespace custody::erase {
namespace {

constexpr size_t kChunk = 4096;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) buffers_.emplace_back(kChunk, 4096);
  }
  NextChunkFn Cursor(uint64_t chunks) {
    return [this, chunks](uint64_t* o, size_t* n) {
      if (next_ >= chunks) return false;
      *o = next_++ * kChunk;
      *n = kChunk;
      return true;
    };
  }
  // Stamps the chunk with its offset after a delay that differs per chunk,
  // so the two workers finish out of order.
  static Status Stamp(Chunk& c) {
    std::this_thread::sleep_for(std::chrono::microseconds((c.offset / kChunk) % 3 * 300));
    std::memcpy(c.data, &c.offset, sizeof c.offset);
    return Status::Ok();
  }

  std::vector<AlignedBuffer> buffers_;
  uint64_t next_ = 0;
};

TEST_F(PipelineTest, TwoWorkersConsumeEveryChunkInOrderWithItsOwnData) {
  std::atomic<int> used[2] = {0, 0};
  uint64_t expected = 0;
  Status s = RunParallelPipeline(
      buffers_, 2, Cursor(200),
      [&](Chunk& c, int worker) {
        ++used[worker];
        return Stamp(c);
      },
      [&](Chunk& c) {
        EXPECT_EQ(c.offset, expected);
        uint64_t stamped;
        std::memcpy(&stamped, c.data, sizeof stamped);
        EXPECT_EQ(stamped, c.offset);  // The buffer holds this chunk's data.
        expected += kChunk;
        return Status::Ok();
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(expected, 200 * kChunk);
  EXPECT_GT(used[0].load(), 0);
  EXPECT_GT(used[1].load(), 0);  // Both workers produced.
}

TEST_F(PipelineTest, ProducerFailureIsReturnedAfterTheChunksBeforeIt) {
  uint64_t consumed = 0;
  Status s = RunParallelPipeline(
      buffers_, 2, Cursor(200),
      [&](Chunk& c, int) {
        if (c.offset == 50 * kChunk) return IoError("read failed at chunk 50");
        return Stamp(c);
      },
      [&](Chunk& c) {
        EXPECT_EQ(c.offset, consumed * kChunk);
        ++consumed;
        return Status::Ok();
      });
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(consumed, 50u);  // Every chunk before the failure, none after.
}

TEST_F(PipelineTest, ConsumerFailureStopsTheWorkers) {
  uint64_t produced = 0;
  std::mutex mu;
  Status s = RunParallelPipeline(
      buffers_, 2, Cursor(10'000),
      [&](Chunk& c, int) {
        std::lock_guard<std::mutex> l(mu);
        ++produced;
        return Stamp(c);
      },
      [&](Chunk& c) { return c.offset == 10 * kChunk ? InterruptedError("stop") : Status::Ok(); });
  EXPECT_EQ(s.code(), StatusCode::kInterrupted);
  EXPECT_LT(produced, 20u);  // Bounded by the buffers, not the 10,000 chunks.
}

TEST_F(PipelineTest, EmptyInputEndsAtOnce) {
  Status s = RunParallelPipeline(
      buffers_, 2, Cursor(0), [](Chunk&, int) { return Status::Ok(); },
      [](Chunk&) {
        ADD_FAILURE() << "nothing to consume";
        return Status::Ok();
      });
  EXPECT_TRUE(s.ok());
}

}  // namespace
}  // namespace custody::erase
