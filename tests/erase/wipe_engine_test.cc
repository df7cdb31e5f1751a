// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The pass engine against FakeBlockDevice: every method's final content,
// verification catching corruption between write and verify, I/O errors,
// interruption and resume, sampling, evidence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/keystream.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "erase/pattern_source.h"
#include "erase/sampling.h"
#include "support/fake_block_device.h"
#include "support/recording_wipe_sink.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::FakeBlockDevice;
using testing::RecordingWipeSink;

constexpr uint64_t kOddSize = (1 << 20) + 3 * 512;  // Not a multiple of the buffer.
const std::string kMarker = "RESIDENT-RECORD-0123456789-MARKER";

void PlantMarkers(FakeBlockDevice& dev) {
  for (uint64_t off = 0; off + kMarker.size() <= dev.size(); off += 4096) dev.Corrupt(off, kMarker);
  dev.Corrupt(dev.size() - kMarker.size(), kMarker);  // In the last sector.
}

bool HasFloat(const nlohmann::json& j) {
  if (j.is_number_float()) return true;
  for (const auto& v : j) {
    if ((j.is_object() || j.is_array()) && HasFloat(v)) return true;
  }
  return false;
}

bool ContainsMarker(const std::vector<uint8_t>& m) {
  return std::search(m.begin(), m.end(), kMarker.begin(), kMarker.end()) != m.end();
}

WipeOptions Options(const std::string& method, RecordingWipeSink* sink) {
  WipeOptions o;
  o.plan.method = method;
  o.sink = sink;
  o.buffer_bytes = 64 * 1024;  // Many chunks, and a partial last one.
  return o;
}

class WipeMethodTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WipeMethodTest, EveryByteHoldsTheLastPassAndVerifies) {
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  RecordingWipeSink sink;
  auto r = RunWipe(dev, Options(GetParam(), &sink), Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->result, WipeResult::kCompleted) << r->message;
  EXPECT_TRUE(r->verified);
  auto method = FindWipeMethod(GetParam());
  const size_t passes = method->passes.size();
  EXPECT_EQ(r->passes_completed, static_cast<int>(passes));
  EXPECT_EQ(sink.Count("wipe.pass.completed"), static_cast<int>(passes));
  EXPECT_EQ(sink.Count("wipe.verified"), 1);
  EXPECT_EQ(dev.flushes(), static_cast<int>(passes));  // One per pass.
  EXPECT_EQ(dev.bytes_written(), kOddSize * passes);
  const WipePass& last = method->passes.back();
  const auto& m = dev.medium();
  EXPECT_FALSE(ContainsMarker(m));
  if (last.kind == WipePass::Kind::kPattern) {
    for (uint64_t i = 0; i < m.size(); ++i) {
      ASSERT_EQ(m[i], static_cast<uint8_t>(last.pattern[i % last.pattern.size()])) << "byte " << i;
    }
  } else {
    // Random: the last sector changed, and no long run of one byte remains.
    EXPECT_NE(std::count(m.end() - 512, m.end(), 0), 512);
    size_t zeros = std::count(m.begin(), m.end(), 0);
    EXPECT_LT(zeros, m.size() / 128);  // ~1/256 expected.
  }
}

INSTANTIATE_TEST_SUITE_P(AllMethods, WipeMethodTest,
                         ::testing::Values("zero", "one", "random", "nist-clear", "dod-3", "dod-7",
                                           "bsi-vsitr", "hmg-is5", "rcmp-ops2", "schneier",
                                           "gutmann"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(WipeEngineTest, BlankPassAndRepeat) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.plan.repeat = 2;
  o.plan.blank = true;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->passes_completed, 3);
  EXPECT_EQ(std::count(dev.medium().begin(), dev.medium().end(), 0),
            static_cast<long>(kOddSize));
}

TEST(WipeEngineTest, VerifyAllChecksEveryPass) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("dod-3", &sink);
  o.plan.verify.mode = VerifyMode::kAll;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted);
  ASSERT_EQ(sink.verified.size(), 3u);
  for (const auto& v : sink.verified) EXPECT_EQ(v.coverage_basis_points, 10000u);
}

TEST(WipeEngineTest, VerifyNoneRecordsNoVerification) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("zero", &sink);
  o.plan.verify.mode = VerifyMode::kNone;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted);
  EXPECT_FALSE(r->verified);
  EXPECT_EQ(sink.Count("wipe.verified"), 0);
}

// The corruption hook runs after the pass's flush, before its read-back.
TEST(WipeEngineTest, CorruptionBetweenWriteAndVerifyFails) {
  for (const std::string method : {"random", "zero", "gutmann"}) {
    FakeBlockDevice dev(kOddSize);
    RecordingWipeSink sink;
    WipeOptions o = Options(method, &sink);
    const int passes = static_cast<int>(FindWipeMethod(method)->passes.size());
    int flushes = 0;
    dev.SetAfterFlush([&](FakeBlockDevice& d) {
      if (++flushes == passes) d.Corrupt(kOddSize - 512 + 100, "old data survived");
    });
    auto r = RunWipe(dev, o, Env::Default());
    ASSERT_TRUE(r.ok()) << method;
    EXPECT_EQ(r->result, WipeResult::kFailed) << method;
    EXPECT_TRUE(r->verification_failed);
    EXPECT_FALSE(r->verified);
    EXPECT_EQ(r->ToStatus().code(), StatusCode::kVerificationFailed);
    EXPECT_EQ(sink.Count("wipe.failed"), 1);
    ASSERT_EQ(sink.verified.size(), 1u);
    EXPECT_FALSE(sink.verified[0].ok);
    ASSERT_EQ(sink.verified[0].mismatches.size(), 1u);
    EXPECT_EQ(sink.verified[0].mismatches[0].offset, kOddSize - 512);
    EXPECT_EQ(sink.verified[0].mismatches[0].length, 512u);
  }
}

// A random pass's read-back is judged by digests of what was written
// (erase/written_digests.h). With --verify all, a later pattern pass records
// none: a device that dropped that pass still holds the random pass, whose
// digests must not be taken for the pattern's.
TEST(WipeEngineTest, APassIsNeverJudgedByAnEarlierPassDigests) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.plan.blank = true;  // random, then zero.
  o.plan.verify.mode = VerifyMode::kAll;
  std::vector<uint8_t> after_random;
  int flushes = 0;
  dev.SetAfterFlush([&](FakeBlockDevice& d) {
    if (++flushes == 1) {
      after_random = d.medium();
    } else {  // The zero pass never reached the medium.
      d.Corrupt(0, std::string(after_random.begin(), after_random.end()));
    }
  });
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->result, WipeResult::kFailed) << r->message;
  ASSERT_EQ(sink.verified.size(), 2u);
  EXPECT_TRUE(sink.verified[0].ok);
  EXPECT_FALSE(sink.verified[1].ok);
  EXPECT_EQ(sink.verified[1].mismatched_bytes, kOddSize - std::count(after_random.begin(),
                                                                       after_random.end(), 0));
}

// Two random passes, each verified: the second pass's digests replace the
// first's, so a device that kept the first pass fails the second check.
TEST(WipeEngineTest, ARandomPassThatNeverReachedTheMediumFailsItsDigestCheck) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.plan.repeat = 2;
  o.plan.verify.mode = VerifyMode::kAll;
  std::vector<uint8_t> first;
  int flushes = 0;
  dev.SetAfterFlush([&](FakeBlockDevice& d) {
    if (++flushes == 1) {
      first = d.medium();
    } else {
      d.Corrupt(0, std::string(first.begin(), first.end()));
    }
  });
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->result, WipeResult::kFailed) << r->message;
  ASSERT_EQ(sink.verified.size(), 2u);
  EXPECT_TRUE(sink.verified[0].ok);
  EXPECT_FALSE(sink.verified[1].ok);
  ASSERT_FALSE(sink.verified[1].mismatches.empty());
  EXPECT_EQ(sink.verified[1].mismatches.front().offset, 0u);
}

TEST(WipeEngineTest, MismatchInTheLastPartialCheckSliceOfAnOddDeviceFails) {
  // 1 MiB chunks of 64 check slices each, and a last chunk of one whole
  // slice and 1536 bytes: the wrong bytes sit in that last partial slice and
  // in the middle of the first chunk.
  constexpr uint64_t kSize = (2 << 20) + erase::kCheckSliceBytes + 3 * 512;
  FakeBlockDevice dev(kSize);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.buffer_bytes = 1 << 20;
  int flushes = 0;
  dev.SetAfterFlush([&](FakeBlockDevice& d) {
    if (++flushes != 1) return;  // The random pass's flush.
    d.Corrupt(kSize - 1000, "left behind");
    d.Corrupt(erase::kCheckSliceBytes + 4, "x");
  });
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed);
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kVerificationFailed);
  ASSERT_EQ(sink.verified.size(), 1u);
  EXPECT_FALSE(sink.verified[0].ok);
  // Every corrupted byte differs from the stream (with overwhelming odds).
  EXPECT_GE(sink.verified[0].mismatched_bytes, 11u);
  ASSERT_EQ(sink.verified[0].mismatches.size(), 2u);
  EXPECT_EQ(sink.verified[0].mismatches[0].offset, erase::kCheckSliceBytes);
  EXPECT_EQ(sink.verified[0].mismatches[1].offset, (kSize - 1000) / 512 * 512);
  EXPECT_EQ(sink.verified[0].mismatches[1].length, 512u);
}

TEST(WipeEngineTest, WritesAreHandedToWritebackEvery64MiBOnceWritten) {
  // 130 MiB in 8 MiB chunks: hints after 64 and 128 MiB, each for the bytes
  // written since the last one; the 2 MiB tail is left to the final flush.
  FakeBlockDevice dev(uint64_t{130} << 20);
  RecordingWipeSink sink;
  WipeOptions o = Options("zero", &sink);
  o.buffer_bytes = 8 << 20;
  o.plan.verify.mode = VerifyMode::kNone;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted);
  const auto& hints = dev.writeback_hints();
  ASSERT_EQ(hints.size(), 2u);
  EXPECT_EQ(hints[0].offset, 0u);
  EXPECT_EQ(hints[0].length, uint64_t{64} << 20);
  EXPECT_EQ(hints[1].offset, uint64_t{64} << 20);
  EXPECT_EQ(hints[1].length, uint64_t{64} << 20);
  for (const auto& h : hints) EXPECT_GE(h.written_before, h.offset + h.length);
}

TEST(WipeEngineTest, PermanentBadSectorsEndCompletedWithErrors) {
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  dev.FailWritesAt(100);
  dev.FailWritesAt(101);
  dev.FailWritesAt(kOddSize / 512 - 1);  // The last sector too.
  RecordingWipeSink sink;
  auto r = RunWipe(dev, Options("zero", &sink), Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kIoError);
  ASSERT_EQ(r->write_errors.size(), 2u);
  EXPECT_EQ(r->write_errors[0].offset, 100u * 512);
  EXPECT_EQ(r->write_errors[0].length, 1024u);
  EXPECT_EQ(r->write_errors[1].offset, kOddSize - 512);
  // Everything else was written: the sectors around the bad ones are zero.
  const auto& m = dev.medium();
  EXPECT_EQ(std::count(m.begin(), m.begin() + 100 * 512, 0), 100 * 512);
  EXPECT_EQ(std::count(m.begin() + 102 * 512, m.end() - 512, 0),
            static_cast<long>(kOddSize - 103 * 512));
  // The unwritten sectors are reported, not judged as verification failures.
  EXPECT_TRUE(sink.verified[0].ok);
}

// The halves of a failing chunk are retried (down to single sectors) from
// inside the chunk's buffer, where only the first sector of every eight is on
// the device's memory alignment. On a real device the others went through the page cache:
// their writes "succeeded" there and the bad sector's error surfaced only at
// the flush, ending the wipe failed with no ranges; unreadable sectors could
// be served from the cache. FakeBlockDevice refuses such transfers as
// O_DIRECT does (EINVAL), so each must reach it aligned: exactly the bad
// sectors are recorded, and every other byte is written and read back.
TEST(WipeEngineTest, PiecesOfAFailingChunkStayOnTheDirectPath) {
  FakeBlockDevice dev(kOddSize);
  ASSERT_TRUE(dev.direct_io());
  PlantMarkers(dev);
  dev.FailWritesAt(100);  // The fifth sector of its 4 KiB page: unaligned in the buffer.
  dev.FailReadsAt(301);
  RecordingWipeSink sink;
  WipeOptions o = Options("one", &sink);
  o.evidence_sectors = 0;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  ASSERT_EQ(r->write_errors.size(), 1u);
  EXPECT_EQ(r->write_errors[0].offset, 100u * 512);
  EXPECT_EQ(r->write_errors[0].length, 512u);
  ASSERT_EQ(r->unreadable.size(), 1u);
  EXPECT_EQ(r->unreadable[0].offset, 301u * 512);
  EXPECT_EQ(r->unreadable[0].length, 512u);
  ASSERT_EQ(sink.verified.size(), 1u);
  EXPECT_TRUE(sink.verified[0].ok);
  const auto& m = dev.medium();
  EXPECT_EQ(std::count(m.begin(), m.begin() + 100 * 512, 0xFF), 100 * 512);
  EXPECT_EQ(std::count(m.begin() + 101 * 512, m.end(), 0xFF),
            static_cast<long>(kOddSize - 101 * 512));
}

constexpr uint64_t kChunkBytes = 8u << 20;            // WipeOptions' default buffer.
constexpr uint64_t kChunkSectors = kChunkBytes / 512;  // 16,384.

// "offset+length ..." (bytes), for comparing and printing ranges.
std::string Str(const std::vector<ByteRange>& ranges) {
  std::string out;
  for (const ByteRange& r : ranges) {
    out += std::to_string(r.offset) + "+" + std::to_string(r.length) + " ";
  }
  return out;
}

// Every byte of `m` is `value` except the sectors in `ranges`, which hold `old`.
void ExpectWrittenExcept(const std::vector<uint8_t>& m, uint8_t value, uint8_t old,
                         const std::vector<ByteRange>& ranges) {
  uint64_t pos = 0, wrong = 0;
  for (const ByteRange& r : ranges) {
    for (; pos < r.offset; ++pos) wrong += m[pos] != value;
    for (; pos < r.offset + r.length; ++pos) wrong += m[pos] != old;
  }
  for (; pos < m.size(); ++pos) wrong += m[pos] != value;
  EXPECT_EQ(wrong, 0u);
}

// One bad sector in an 8 MiB chunk is found by bisecting the chunk: 14
// levels of a good half and a failing one (with its retries). Retrying the
// chunk sector by sector took 16,384 writes and as many reads back.
TEST(WipeEngineTest, OneBadSectorInAnEightMiBChunkIsFoundInAFewDozenTransfers) {
  FakeBlockDevice dev(2 * kChunkBytes);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  const uint64_t bad_write = kChunkSectors + 5003;  // Second chunk, off the 4 KiB alignment.
  const uint64_t bad_read = kChunkSectors + 11111;
  dev.FailWritesAt(bad_write);
  dev.FailReadsAt(bad_read);
  WipeOptions o;
  o.plan.method = "zero";
  o.evidence_sectors = 0;
  ASSERT_EQ(o.buffer_bytes, kChunkBytes);
  ASSERT_EQ(o.retries, 2);
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  ASSERT_EQ(r->write_errors.size(), 1u);
  EXPECT_EQ(r->write_errors[0].offset, bad_write * 512);
  EXPECT_EQ(r->write_errors[0].length, 512u);
  ASSERT_EQ(r->unreadable.size(), 1u);
  EXPECT_EQ(r->unreadable[0].offset, bad_read * 512);
  EXPECT_EQ(r->unreadable[0].length, 512u);
  // The first chunk in one transfer each way; the second: 3 failing tries,
  // then 14 levels of at most 4 bounced 1 MiB transfers for the good half
  // and 3 tries of the failing one.
  EXPECT_LT(dev.write_attempts(), 100);  // 60 here.
  EXPECT_LT(dev.read_attempts(), 100);   // 64, with the evidence's 4.
  ExpectWrittenExcept(dev.medium(), 0, 0xEE, r->write_errors);
  EXPECT_TRUE(r->verified);
}

// Bad sectors at the chunk's first and last sector, next to each other across
// the chunk's middle (found in different halves, recorded as one range) and
// alone: the ranges are those the sector-by-sector retry recorded, coalesced
// the same way, and every other sector is written and read back.
TEST(WipeEngineTest, BisectionRecordsEveryBadSectorAsTheSectorBySectorRetryDid) {
  FakeBlockDevice dev(2 * kChunkBytes);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  const uint64_t k = kChunkSectors, middle = k + k / 2;
  for (uint64_t lba : {uint64_t{7}, k, k + 1, middle - 1, middle, k + 10000, 2 * k - 1}) {
    dev.FailWritesAt(lba);
  }
  for (uint64_t lba : {k + 100, k + 101, k + 102, k + 103, k + 12000}) dev.FailReadsAt(lba);
  WipeOptions o;
  o.plan.method = "zero";
  o.evidence_sectors = 0;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  const std::vector<ByteRange> written_not = {{7 * 512, 512},
                                              {k * 512, 1024},
                                              {(middle - 1) * 512, 1024},
                                              {(k + 10000) * 512, 512},
                                              {(2 * k - 1) * 512, 512}};
  EXPECT_EQ(Str(r->write_errors), Str(written_not));
  const std::vector<ByteRange> unreadable = {{(k + 100) * 512, 2048}, {(k + 12000) * 512, 512}};
  EXPECT_EQ(Str(r->unreadable), Str(unreadable));
  ExpectWrittenExcept(dev.medium(), 0, 0xEE, written_not);
}

// Every transfer of the bisection is retried as the chunk's was: a sector
// that fails 20 times and then works is written (the chunk's 3 tries, then 3
// at each of the 14 levels), where the sector-by-sector retry gave up after 6.
TEST(WipeEngineTest, EveryHalfOfTheBisectionIsRetried) {
  FakeBlockDevice dev(2 * kChunkBytes);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  dev.FailWritesAt(kChunkSectors + 777, 20);
  WipeOptions o;
  o.plan.method = "zero";
  o.evidence_sectors = 0;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted) << r->message;
  EXPECT_EQ(Str(r->write_errors), "");
  ExpectWrittenExcept(dev.medium(), 0, 0xEE, {});
}

// A chunk of one sector (here a one-sector region) has nothing to bisect: it
// gets a second round of retries, as the sector-by-sector retry gave it.
TEST(WipeEngineTest, AOneSectorChunkGetsASecondRoundOfRetries) {
  FakeBlockDevice dev(kOddSize);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  dev.FailWritesAt(8, 5);  // 3 tries, then 2 more failures and a success.
  dev.FailWritesAt(16);    // Never works.
  WipeOptions o = Options("zero", nullptr);
  o.regions = {{8 * 512, 512}, {16 * 512, 512}};
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  EXPECT_EQ(Str(r->write_errors), Str({{16 * 512, 512}}));
  EXPECT_EQ(dev.medium()[8 * 512], 0);
}

// A chunk where every sector fails is one range; the chunks around it are
// written.
TEST(WipeEngineTest, AFullyBadChunkIsOneRange) {
  FakeBlockDevice dev(kOddSize);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  for (uint64_t lba = 128; lba < 256; ++lba) dev.FailWritesAt(lba);  // The second 64 KiB chunk.
  auto r = RunWipe(dev, Options("zero", nullptr), Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  const std::vector<ByteRange> expected = {{65536, 65536}};
  EXPECT_EQ(Str(r->write_errors), Str(expected));
  ExpectWrittenExcept(dev.medium(), 0, 0xEE, expected);
}

// max_error_bytes is counted sector by sector from the left, as before: the
// sector that crosses it is recorded and the search stops there (the sectors
// after it are neither tried nor recorded), and the wipe fails.
TEST(WipeEngineTest, TheErrorLimitStopsAtTheSectorThatCrossesIt) {
  FakeBlockDevice dev(2 * kChunkBytes);
  for (uint64_t lba : {10, 11, 500, 900, 901, 902, 20000}) dev.FailWritesAt(lba);
  WipeOptions o;
  o.plan.method = "zero";
  o.evidence_sectors = 0;
  o.max_error_bytes = 3 * 512;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed) << r->message;
  EXPECT_NE(r->message.find("more than 1536 bytes"), std::string::npos) << r->message;
  const std::vector<ByteRange> expected = {{10 * 512, 1024}, {500 * 512, 512}, {900 * 512, 512}};
  EXPECT_EQ(Str(r->write_errors), Str(expected));
}

// A device (as a regular file is) whose size ends inside a sector: the partial
// last sector is never split by the bisection and is recorded as it is.
TEST(WipeEngineTest, APartialLastSectorIsRecordedWhole) {
  constexpr uint64_t kSize = 3 * 65536 + 700;  // Sector 384 whole, 385 holds 188 bytes.
  FakeBlockDevice dev(kSize);
  dev.SetDirectIo(false);  // Only a buffered descriptor takes a partial sector.
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  dev.FailWritesAt(200);
  dev.FailWritesAt(385);
  dev.FailReadsAt(384);
  WipeOptions o = Options("zero", nullptr);
  o.evidence_sectors = 0;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors) << r->message;
  const std::vector<ByteRange> written_not = {{200 * 512, 512}, {385 * 512, 188}};
  EXPECT_EQ(Str(r->write_errors), Str(written_not));
  const std::vector<ByteRange> unreadable = {{384 * 512, 512}};
  EXPECT_EQ(Str(r->unreadable), Str(unreadable));
  ExpectWrittenExcept(dev.medium(), 0, 0xEE, written_not);
}

// A flush that fails after the pass recorded its bad sectors: no write of the
// pass can be counted as durable, so the wipe fails (never completed or
// completed-with-errors), and the record still names the sectors that failed.
TEST(WipeEngineTest, AFailedFlushAfterBadSectorsFailsAndKeepsTheirRanges) {
  FakeBlockDevice dev(kOddSize);
  dev.FailWritesAt(100);
  dev.FailFlushes(1);
  RecordingWipeSink sink;
  auto r = RunWipe(dev, Options("zero", &sink), Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed) << r->message;
  EXPECT_EQ(r->passes_completed, 0);
  EXPECT_TRUE(sink.passes.empty());
  EXPECT_NE(r->message.find("did not confirm pass 1 reached the medium"), std::string::npos)
      << r->message;
  ASSERT_EQ(r->write_errors.size(), 1u);
  EXPECT_EQ(r->write_errors[0].offset, 100u * 512);
  EXPECT_EQ(sink.Count("wipe.failed"), 1);
  EXPECT_EQ(sink.Count("wipe.completed"), 0);
}

TEST(WipeEngineTest, TransientErrorsShortWritesAndEintrAreRetried) {
  FakeBlockDevice dev(kOddSize);
  dev.FailWritesAt(5, 2);
  dev.FailReadsAt(7, 1);
  dev.SetMaxTransfer(5000);
  dev.InjectEintr(3);
  RecordingWipeSink sink;
  auto r = RunWipe(dev, Options("random", &sink), Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted) << r->message;
  EXPECT_TRUE(r->write_errors.empty());
  EXPECT_TRUE(r->verified);
}

TEST(WipeEngineTest, UnreadableSectorsAreRecorded) {
  FakeBlockDevice dev(kOddSize);
  dev.FailReadsAt(300);
  RecordingWipeSink sink;
  WipeOptions o = Options("zero", &sink);
  o.evidence_sectors = 0;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompletedWithErrors);
  ASSERT_EQ(r->unreadable.size(), 1u);
  EXPECT_EQ(r->unreadable[0].offset, 300u * 512);
}

TEST(WipeEngineTest, DyingDeviceFails) {
  FakeBlockDevice dev(kOddSize);
  for (uint64_t lba = 0; lba < 64; ++lba) dev.FailWritesAt(lba);
  RecordingWipeSink sink;
  WipeOptions o = Options("zero", &sink);
  o.max_error_bytes = 16 * 512;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed);
  EXPECT_NE(r->message.find("failing"), std::string::npos) << r->message;
}

TEST(WipeEngineTest, FailedFlushFails) {
  FakeBlockDevice dev(kOddSize);
  dev.FailFlushes(1);
  auto r = RunWipe(dev, Options("zero", nullptr), Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kFailed);
}

TEST(WipeEngineTest, SinkRefusingStartMeansNothingIsWritten) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  sink.fail_started = IoError("ledger unavailable");
  TempDir dir;
  WipeOptions o = Options("zero", &sink);
  o.state_dir = dir.path() + "/wipes";
  auto r = RunWipe(dev, o, Env::Default());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_EQ(dev.bytes_written(), 0u);
  EXPECT_TRUE(ListWipeStates(o.state_dir, Env::Default())->empty());
}

TEST(WipeEngineTest, EvidenceShowsTheSampledSectorsChanged) {
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.evidence_sectors = 16;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  ASSERT_GE(r->evidence.size(), 3u);
  EXPECT_EQ(r->evidence.front().lba, 0u);
  EXPECT_EQ(r->evidence.back().lba, kOddSize / 512 - 1);
  for (const SectorEvidence& e : r->evidence) {
    EXPECT_EQ(e.before_sha256.size(), 64u);
    EXPECT_EQ(e.after_sha256.size(), 64u);
    EXPECT_NE(e.before_sha256, e.after_sha256) << "lba " << e.lba;
  }
  EXPECT_NE(sink.events.back().second.find("\"evidence\""), std::string::npos);
}

// The last sampled block of a target whose size is not a whole number of
// sectors (a regular file) starts on a sector, so its reads go to the device
// directly; only the partial last sector cannot.
TEST(WipeEngineTest, SampledLocationsStartOnSectors) {
  const uint64_t size = (8 << 20) + 100;
  // Several seeds: with one, a sampled sector may happen to straddle the
  // last block's start and hide it in the merged range.
  for (char c = 'a'; c <= 'p'; ++c) {
    const std::string seed(erase::kSampleSeedBytes, c);
    const std::vector<ByteRange> ranges = erase::SampleLocations(size, 512, 100, seed);
    ASSERT_GT(ranges.size(), 2u);
    for (const ByteRange& r : ranges) {
      EXPECT_EQ(r.offset % 512, 0u) << "seed " << c << ", range at " << r.offset;
      if (r.offset + r.length != size) {
        EXPECT_EQ(r.length % 512, 0u) << "seed " << c << ", range at " << r.offset;
      }
    }
    EXPECT_EQ(ranges.front().offset, 0u);
    EXPECT_EQ(ranges.back().offset + ranges.back().length, size);
    EXPECT_GE(ranges.back().length, erase::kSampleEdgeBytes);
  }
}

TEST(WipeEngineTest, SampleVerificationCoversAndCatches) {
  const uint64_t size = 4 << 20;  // 8192 sectors: enough for 1,000 subsections.
  FakeBlockDevice dev(size);
  RecordingWipeSink sink;
  WipeOptions o = Options("random", &sink);
  o.plan.verify = *ParseVerifyPolicy("sample:10");
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted);
  ASSERT_EQ(sink.verified.size(), 1u);
  const WipeVerifiedEvent& v = sink.verified[0];
  EXPECT_EQ(v.mode, "sample");
  EXPECT_GE(v.coverage_basis_points, 1000u);
  EXPECT_LT(v.coverage_basis_points, 10000u);
  EXPECT_FALSE(v.locations.empty());
  EXPECT_EQ(v.locations.front().offset, 0u);
  EXPECT_EQ(v.locations.back().offset + v.locations.back().length, size);
  EXPECT_NE(v.ToJson().find("\"locations\""), std::string::npos);

  // Corrupting the last block (always sampled) after the flush fails it.
  FakeBlockDevice dev2(size);
  dev2.SetAfterFlush([&](FakeBlockDevice& d) { d.Corrupt(size - 10, "XYZ"); });
  RecordingWipeSink sink2;
  WipeOptions o2 = Options("random", &sink2);
  o2.plan.verify = *ParseVerifyPolicy("sample:1");
  auto r2 = RunWipe(dev2, o2, Env::Default());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->result, WipeResult::kFailed);
}

TEST(WipeEngineTest, InterruptMidPassThenResumeCompletes) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  std::atomic<bool> stop{false};
  // Stop during the second pass, halfway through the device.
  int flushes = 0;
  dev.SetAfterFlush([&](FakeBlockDevice&) { ++flushes; });
  dev.SetAfterWrite([&](uint64_t offset, size_t) {
    if (flushes == 1 && offset > kOddSize / 2) stop = true;
  });
  RecordingWipeSink sink;
  WipeOptions o = Options("dod-3", &sink);
  o.state_dir = state_dir;
  o.stop = &stop;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->result, WipeResult::kInterrupted) << r->message;
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kInterrupted);
  EXPECT_EQ(r->passes_completed, 1);
  EXPECT_EQ(sink.Count("wipe.interrupted"), 1);
  ASSERT_FALSE(r->state_file.empty());
  struct stat st;
  ASSERT_EQ(::stat(r->state_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFileOrDie(r->state_file).find(kMarker), std::string::npos);

  auto states = ListWipeStates(state_dir, Env::Default());
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].wipe_id, r->wipe_id);
  EXPECT_EQ((*states)[0].pass, 2);
  EXPECT_GT((*states)[0].offset, kOddSize / 2);
  EXPECT_LT((*states)[0].offset, kOddSize);

  stop = false;
  dev.SetAfterWrite(nullptr);
  RecordingWipeSink sink2;
  WipeOptions o2;
  o2.state_dir = state_dir;
  o2.wipe_id = r->wipe_id;
  o2.sink = &sink2;
  o2.buffer_bytes = 64 * 1024;
  const uint64_t written_before = dev.bytes_written();
  auto r2 = ResumeWipe(dev, o2, Env::Default());
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_TRUE(r2->verified);
  EXPECT_EQ(r2->passes_completed, 3);
  EXPECT_EQ(sink2.Count("wipe.resumed"), 1);
  EXPECT_EQ(sink2.Count("wipe.pass.completed"), 2);
  EXPECT_EQ(sink2.Count("wipe.completed"), 1);
  // The resumed part did not rewrite pass 2 from its start.
  EXPECT_LT(dev.bytes_written() - written_before, 2 * kOddSize);
  EXPECT_FALSE(ContainsMarker(dev.medium()));
  EXPECT_FALSE(Env::Default()->FileExists(r->state_file));  // Done: state removed.
  EXPECT_EQ(r2->evidence.size(), r->evidence.size());
  for (const auto& e : r2->evidence) EXPECT_FALSE(e.after_sha256.empty());
}

TEST(WipeEngineTest, ResumeRefusesAnotherDevice) {
  TempDir dir;
  FakeBlockDevice dev(kOddSize);
  std::atomic<bool> stop{true};
  WipeOptions o = Options("zero", nullptr);
  o.state_dir = dir.path();
  o.stop = &stop;
  o.target.serial = "SERIAL-A";
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->result, WipeResult::kInterrupted);
  WipeOptions o2;
  o2.state_dir = dir.path();
  o2.wipe_id = r->wipe_id;
  FakeBlockDevice smaller(kOddSize - 512);
  EXPECT_EQ(ResumeWipe(smaller, o2, Env::Default()).status().code(),
            StatusCode::kFailedPrecondition);
  // A device that reports no serial now is not taken for SERIAL-A.
  EXPECT_EQ(ResumeWipe(dev, o2, Env::Default()).status().code(), StatusCode::kFailedPrecondition);
  o2.target.serial = "SERIAL-B";
  EXPECT_EQ(ResumeWipe(dev, o2, Env::Default()).status().code(), StatusCode::kFailedPrecondition);
  o2.wipe_id = "no-such-wipe";
  EXPECT_EQ(ResumeWipe(dev, o2, Env::Default()).status().code(), StatusCode::kNotFound);
  o2.wipe_id = "../etc/passwd";
  EXPECT_EQ(ResumeWipe(dev, o2, Env::Default()).status().code(), StatusCode::kInvalidArgument);
}

// A loop device is identified by its backing file: a wipe started on one
// resumes only on a device over the same file (whatever its loop number is
// now), and the resumed-on device is what wipe.resumed records.
TEST(WipeEngineTest, ResumeComparesTheBackingFileAndRecordsTheDevice) {
  TempDir dir;
  FakeBlockDevice dev(kOddSize);
  std::atomic<bool> stop{true};
  WipeOptions o = Options("zero", nullptr);
  o.state_dir = dir.path();
  o.stop = &stop;
  o.target.path = "/dev/loop2";
  o.target.backing_file = "/var/tmp/a.img";
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->result, WipeResult::kInterrupted);
  RecordingWipeSink sink;
  WipeOptions o2;
  o2.state_dir = dir.path();
  o2.wipe_id = r->wipe_id;
  o2.sink = &sink;
  o2.target.path = "/dev/loop3";
  o2.target.backing_file = "/var/tmp/b.img";
  auto other = ResumeWipe(dev, o2, Env::Default());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("backing file /var/tmp/a.img"), std::string::npos)
      << other.status().message();
  EXPECT_EQ(dev.bytes_written(), 0u);
  o2.target.backing_file = "/var/tmp/a.img";
  stop = false;
  auto same = ResumeWipe(dev, o2, Env::Default());
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->result, WipeResult::kCompleted) << same->message;
  ASSERT_EQ(sink.Count("wipe.resumed"), 1);
  for (const auto& [type, json] : sink.events) {
    if (type == "wipe.resumed") {
      EXPECT_NE(json.find("\"path\":\"/dev/loop3\""), std::string::npos) << json;
    }
  }
}

TEST(WipeEngineTest, CorruptStateFileIsRejected) {
  TempDir dir;
  WriteFileOrDie(dir.path() + "/x.json", "{\"format\":\"custody-wipe-state/1\"}");
  EXPECT_EQ(ReadWipeState(dir.path(), "x", Env::Default()).status().code(),
            StatusCode::kCorruption);
  WriteFileOrDie(dir.path() + "/y.json", "not json");
  EXPECT_EQ(ReadWipeState(dir.path(), "y", Env::Default()).status().code(),
            StatusCode::kCorruption);
}

// Runs a one-pass random wipe with a state directory and stops it halfway.
WipeFinishedEvent InterruptRandomWipeHalfway(FakeBlockDevice& dev, const std::string& state_dir,
                                             RecordingWipeSink* sink) {
  std::atomic<bool> stop{false};
  dev.SetAfterWrite([&](uint64_t offset, size_t) {
    if (offset > dev.size() / 2) stop = true;
  });
  WipeOptions o = Options("random", sink);
  o.state_dir = state_dir;
  o.stop = &stop;
  auto r = RunWipe(dev, o, Env::Default());
  dev.SetAfterWrite(nullptr);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kInterrupted);
  return *r;
}

Result<WipeFinishedEvent> Resume(FakeBlockDevice& dev, const std::string& state_dir,
                                 const std::string& wipe_id, RecordingWipeSink* sink) {
  WipeOptions o;
  o.state_dir = state_dir;
  o.wipe_id = wipe_id;
  o.sink = sink;
  o.buffer_bytes = 64 * 1024;
  return ResumeWipe(dev, o, Env::Default());
}

std::vector<uint8_t> Stream(crypto::KeystreamGenerator g, const std::string& key, uint64_t n) {
  std::vector<uint8_t> out(n);
  crypto::SeekableKeystream(g, key).Generate(0, out.data(), n);
  return out;
}

// A failure that rewriting can get past (here a flush the device refused)
// keeps the state, and the state says how the wipe ended: `wipe list` must
// not present it as merely interrupted. The run then resumes to completion.
TEST(WipeEngineTest, AFailedWipeKeepsItsStateSayingHowItEndedAndResumes) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  dev.FailFlushes(1);
  RecordingWipeSink sink;
  WipeOptions o = Options("zero", &sink);
  o.state_dir = state_dir;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->result, WipeResult::kFailed) << r->message;
  EXPECT_FALSE(r->state_file.empty());
  auto states = ListWipeStates(state_dir, Env::Default());
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  ASSERT_EQ(states->size(), 1u);
  const WipeStateSummary& s = (*states)[0];
  EXPECT_EQ(s.ended, "failed");
  EXPECT_EQ(s.end_message, r->message);
  EXPECT_EQ(s.ended_at, r->finished_at);
  EXPECT_TRUE(s.resumable) << s.not_resumable;

  RecordingWipeSink sink2;
  auto r2 = Resume(dev, state_dir, r->wipe_id, &sink2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_FALSE(ContainsMarker(dev.medium()));
  EXPECT_TRUE(ListWipeStates(state_dir, Env::Default())->empty());
}

TEST(WipeEngineTest, AnInterruptedWipeSaysSoAndAResumeClearsTheEnd) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeFinishedEvent r = InterruptRandomWipeHalfway(dev, state_dir, &sink);
  auto s = ReadWipeState(state_dir, r.wipe_id, Env::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ended, "interrupted");
  EXPECT_EQ(s->ended_at, r.finished_at);
  EXPECT_TRUE(s->resumable);
  // While a resumed run goes on (here: at its first pass event), its state
  // no longer claims the earlier end.
  RecordingWipeSink sink2;
  std::string during;
  sink2.on_pass = [&](const WipePassEvent&) {
    during = ReadWipeState(state_dir, r.wipe_id, Env::Default())->ended;
  };
  ASSERT_TRUE(Resume(dev, state_dir, r.wipe_id, &sink2).ok());
  EXPECT_EQ(sink2.passes.size(), 1u);
  EXPECT_EQ(during, "");
}

// A read-back that found other data ends the wipe `failed` without a state,
// also when wipe.verified could not be recorded (which alone keeps it): a
// resume must never turn it into a success.
TEST(WipeEngineTest, AMismatchIsNeverKeptToResumeEvenWhenItsRecordFailed) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  dev.SetAfterFlush([](FakeBlockDevice& d) { d.Corrupt(4096, "old data survived"); });
  RecordingWipeSink sink;
  sink.fail_verified = IoError("ledger unavailable");
  WipeOptions o = Options("zero", &sink);
  o.state_dir = state_dir;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->result, WipeResult::kFailed);
  EXPECT_TRUE(r->verification_failed);
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kVerificationFailed);
  EXPECT_TRUE(r->state_file.empty());
  EXPECT_TRUE(ListWipeStates(state_dir, Env::Default())->empty());
}

// A state whose read-back failed (as an older custody could leave after a
// mismatch whose record failed) is listed as not resumable and refused.
TEST(WipeEngineTest, AStateWithAFailedReadBackIsListedAsNotResumableAndRefused) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeFinishedEvent r = InterruptRandomWipeHalfway(dev, state_dir, &sink);
  std::string text = ReadFileOrDie(r.state_file);
  const size_t at = text.find("\"all_verified\": true");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 20, "\"all_verified\": false");
  WriteFileOrDie(r.state_file, text);
  auto s = ReadWipeState(state_dir, r.wipe_id, Env::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->resumable);
  EXPECT_THAT(s->not_resumable, ::testing::HasSubstr("not what was written"));
  const uint64_t written = dev.bytes_written();
  auto r2 = Resume(dev, state_dir, r.wipe_id, &sink);
  EXPECT_EQ(r2.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r2.status().message(), ::testing::HasSubstr("cannot be resumed"));
  EXPECT_EQ(dev.bytes_written(), written);
}

// A pass written and flushed whose wipe.pass.completed could not be
// recorded: the resume records it without writing the pass again, and counts
// it once.
TEST(WipeEngineTest, APassWhoseRecordFailedIsRecordedOnResumeAndCountedOnce) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  sink.fail_pass = IoError("ledger unavailable");
  WipeOptions o = Options("dod-3", &sink);
  o.state_dir = state_dir;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->result, WipeResult::kFailed);
  EXPECT_EQ(r->passes_completed, 0);
  auto s = ReadWipeState(state_dir, r->wipe_id, Env::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ended, "failed");
  EXPECT_THAT(s->end_message, ::testing::HasSubstr("recording wipe.pass.completed"));
  EXPECT_EQ(s->pass, 1);
  EXPECT_EQ(s->offset, kOddSize);

  RecordingWipeSink sink2;
  const uint64_t written = dev.bytes_written();
  auto r2 = Resume(dev, state_dir, r->wipe_id, &sink2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_EQ(r2->passes_completed, 3);
  ASSERT_EQ(sink2.passes.size(), 3u);
  EXPECT_EQ(sink2.passes[0].pass, 1);
  EXPECT_EQ(dev.bytes_written() - written, 2 * kOddSize);  // Passes 2 and 3 only.
}

// Same for a read-back whose wipe.verified could not be recorded.
TEST(WipeEngineTest, AReadBackWhoseRecordFailedIsRecordedOnResumeAndCountedOnce) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  sink.fail_verified = IoError("ledger unavailable");
  WipeOptions o = Options("zero", &sink);
  o.state_dir = state_dir;
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->result, WipeResult::kFailed);
  auto s = ReadWipeState(state_dir, r->wipe_id, Env::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->phase, "verify");
  EXPECT_TRUE(s->resumable);

  RecordingWipeSink sink2;
  const uint64_t written = dev.bytes_written();
  auto r2 = Resume(dev, state_dir, r->wipe_id, &sink2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_TRUE(r2->verified);
  ASSERT_EQ(sink2.verified.size(), 1u);
  EXPECT_EQ(sink2.verified[0].bytes_checked, kOddSize);  // Not counted twice.
  EXPECT_EQ(dev.bytes_written(), written);
}

TEST(WipeEngineTest, RandomPassesAreAes128CtrRecordedAndResumedWithTheSameStream) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  RecordingWipeSink sink;
  WipeFinishedEvent r = InterruptRandomWipeHalfway(dev, state_dir, &sink);
  ASSERT_FALSE(r.state_file.empty());
  auto started = nlohmann::json::parse(sink.events.at(0).second);
  EXPECT_EQ(started.at("generator"), "aes-128-ctr");
  EXPECT_EQ(nlohmann::json::parse(sink.events.back().second).at("generator"), "aes-128-ctr");
  auto state = nlohmann::json::parse(ReadFileOrDie(r.state_file));
  EXPECT_EQ(state.at("format"), "custody-wipe-state/2");
  const auto& pass = state.at("passes").at(0);
  EXPECT_EQ(pass.at("generator"), "aes-128-ctr");
  auto key = encoding::HexDecode(pass.at("key_hex").get<std::string>());
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(key->size(), 16u);

  RecordingWipeSink sink2;
  auto r2 = Resume(dev, state_dir, r.wipe_id, &sink2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->result, WipeResult::kCompleted) << r2->message;
  EXPECT_TRUE(r2->verified);
  EXPECT_EQ(nlohmann::json::parse(sink2.events.back().second).at("generator"), "aes-128-ctr");
  // Both halves are one AES-128-CTR stream of the recorded key, computed
  // here independently of the engine.
  EXPECT_TRUE(dev.medium() == Stream(crypto::KeystreamGenerator::kAes128Ctr, *key, kOddSize));
}

// A state written by the previous version (format /1: no generator, 32-byte
// AES-256-CTR keys) with the first half of its pass on the device.
struct OldState {
  std::string wipe_id;
  std::string key;
  std::string path;
};
OldState MakeV1State(FakeBlockDevice& dev, const std::string& state_dir) {
  RecordingWipeSink sink;
  WipeFinishedEvent r = InterruptRandomWipeHalfway(dev, state_dir, &sink);
  auto state = nlohmann::json::parse(ReadFileOrDie(r.state_file));
  OldState old{r.wipe_id, std::string(32, '\0'), r.state_file};
  for (size_t i = 0; i < old.key.size(); ++i) old.key[i] = static_cast<char>(0xA0 + i);
  state["format"] = "custody-wipe-state/1";
  state["passes"][0].erase("generator");
  state["passes"][0]["key_hex"] = encoding::HexEncode(old.key);
  WriteFileOrDie(r.state_file, state.dump(1));
  // What the old version wrote below the recorded position.
  const uint64_t offset = state.at("position").at("offset").get<uint64_t>();
  EXPECT_GT(offset, 0u);
  auto written = Stream(crypto::KeystreamGenerator::kAes256Ctr, old.key, kOddSize);
  std::copy(written.begin(), written.begin() + offset, dev.medium().begin());
  return old;
}

TEST(WipeEngineTest, AStateFromBeforeAes128ResumesWithAes256AndVerifies) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  PlantMarkers(dev);
  OldState old = MakeV1State(dev, state_dir);
  RecordingWipeSink sink;
  auto r = Resume(dev, state_dir, old.wipe_id, &sink);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Verification regenerated the whole pass: the half written "before" and
  // the half written now are one AES-256-CTR stream.
  EXPECT_EQ(r->result, WipeResult::kCompleted) << r->message;
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(nlohmann::json::parse(sink.events.back().second).at("generator"), "aes-256-ctr");
  EXPECT_TRUE(dev.medium() == Stream(crypto::KeystreamGenerator::kAes256Ctr, old.key, kOddSize));
  EXPECT_FALSE(ContainsMarker(dev.medium()));
}

TEST(WipeEngineTest, AnOldStateResumedWithTheWrongStreamWouldFailVerification) {
  // The counter-test of the one above: had the resume used AES-128 (or any
  // other stream) for the old key, the first half would not match.
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  OldState old = MakeV1State(dev, state_dir);
  auto wrong = Stream(crypto::KeystreamGenerator::kAes128Ctr, old.key.substr(0, 16), 4096);
  std::copy(wrong.begin(), wrong.end(), dev.medium().begin());
  RecordingWipeSink sink;
  auto r = Resume(dev, state_dir, old.wipe_id, &sink);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->result, WipeResult::kFailed);
  EXPECT_FALSE(r->verified);
  ASSERT_EQ(sink.verified.size(), 1u);
  EXPECT_EQ(sink.verified[0].mismatches.at(0).offset, 0u);
}

TEST(WipeEngineTest, StatesWithAWrongGeneratorOrKeySizeAreRejected) {
  TempDir dir;
  const std::string state_dir = dir.path() + "/wipes";
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  WipeFinishedEvent r = InterruptRandomWipeHalfway(dev, state_dir, &sink);
  const auto good = nlohmann::json::parse(ReadFileOrDie(r.state_file));
  auto expect_corrupt = [&](nlohmann::json state, const std::string& why) {
    WriteFileOrDie(r.state_file, state.dump(1));
    auto resumed = Resume(dev, state_dir, r.wipe_id, &sink);
    EXPECT_EQ(resumed.status().code(), StatusCode::kCorruption) << why;
  };
  auto s = good;
  s["passes"][0]["generator"] = "chacha20";
  expect_corrupt(s, "unknown generator");
  s = good;
  s["passes"][0].erase("generator");
  expect_corrupt(s, "format /2 without a generator");
  s = good;
  s["passes"][0]["generator"] = "aes-256-ctr";  // With the 16-byte key.
  expect_corrupt(s, "AES-256 with a 16-byte key");
  s = good;
  s["format"] = "custody-wipe-state/1";  // /1 meant AES-256: 16-byte key is wrong.
  s["passes"][0].erase("generator");
  expect_corrupt(s, "format /1 with a 16-byte key");
  s = good;
  s["format"] = "custody-wipe-state/3";
  expect_corrupt(s, "a future format");
  // The untouched state still resumes.
  WriteFileOrDie(r.state_file, good.dump(1));
  auto resumed = Resume(dev, state_dir, r.wipe_id, &sink);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->result, WipeResult::kCompleted);
}

TEST(WipeEngineTest, RegionsLimitTheWipe) {
  FakeBlockDevice dev(kOddSize);
  std::fill(dev.medium().begin(), dev.medium().end(), 0xEE);
  WipeOptions o = Options("zero", nullptr);
  o.regions = {{4096, 8192}, {65536, 1024}};
  auto r = RunWipe(dev, o, Env::Default());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, WipeResult::kCompleted);
  const auto& m = dev.medium();
  EXPECT_EQ(std::count(m.begin(), m.end(), 0), 8192 + 1024);
  EXPECT_EQ(m[4095], 0xEE);
  EXPECT_EQ(m[4096], 0);
  o.regions = {{0, kOddSize + 1}};
  EXPECT_EQ(RunWipe(dev, o, Env::Default()).status().code(), StatusCode::kInvalidArgument);
  // A partial sector could only be written through the page cache.
  o.regions = {{65536, 1000}};
  EXPECT_EQ(RunWipe(dev, o, Env::Default()).status().code(), StatusCode::kInvalidArgument);
  o.regions = {{65536 + 100, 512}};
  EXPECT_EQ(RunWipe(dev, o, Env::Default()).status().code(), StatusCode::kInvalidArgument);
}

TEST(WipeEngineTest, ProgressIsReportedAndJsonIsIntegerOnly) {
  FakeBlockDevice dev(kOddSize);
  RecordingWipeSink sink;
  auto r = RunWipe(dev, Options("random", &sink), Env::Default());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(sink.progress.empty());
  EXPECT_EQ(sink.progress.back().bytes_total, kOddSize);
  for (const auto& [type, json] : sink.events) {
    EXPECT_FALSE(HasFloat(nlohmann::json::parse(json))) << type << ": " << json;
    EXPECT_EQ(json.find("key"), std::string::npos) << type;  // Pass keys never leave the state.
  }
}

}  // namespace
}  // namespace custody
