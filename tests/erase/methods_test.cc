// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "custody/wipe.h"
#include "erase/pattern_source.h"
#include "erase/sampling.h"

namespace custody {
namespace {

std::vector<std::string> Describe(const std::string& method) {
  auto m = FindWipeMethod(method);
  EXPECT_TRUE(m.ok()) << method;
  std::vector<std::string> out;
  for (const WipePass& p : m->passes) out.push_back(p.Describe());
  return out;
}

TEST(MethodsTest, PassListsFollowTheStandards) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Describe("zero"), V{"0x00"});
  EXPECT_EQ(Describe("one"), V{"0xFF"});
  EXPECT_EQ(Describe("random"), V{"random"});
  EXPECT_EQ(Describe("nist-clear"), V{"0x00"});
  EXPECT_EQ(Describe("dod-3"), (V{"0x00", "0xFF", "random"}));
  EXPECT_EQ(Describe("dod-7").size(), 7u);
  EXPECT_EQ(Describe("bsi-vsitr"), (V{"0x00", "0xFF", "0x00", "0xFF", "0x00", "0xFF", "0xAA"}));
  EXPECT_EQ(Describe("hmg-is5"), (V{"0x00", "0xFF", "random"}));
  EXPECT_EQ(Describe("rcmp-ops2").back(), "random");
  EXPECT_EQ(Describe("schneier"), (V{"0xFF", "0x00", "random", "random", "random", "random", "random"}));
  V g = Describe("gutmann");
  ASSERT_EQ(g.size(), 35u);
  EXPECT_EQ(g[4], "0x55");
  EXPECT_EQ(g[6], "0x92 0x49 0x24");
  EXPECT_EQ(g[9], "0x00");
  EXPECT_EQ(g[24], "0xFF");
  EXPECT_EQ(g[30], "0xDB 0x6D 0xB6");
  EXPECT_EQ(g[31], "random");
  EXPECT_EQ(FindWipeMethod("dod").status().code(), StatusCode::kInvalidArgument);
}

TEST(MethodsTest, ExpandPlanRepeatsAndBlanks) {
  WipePlan plan;
  plan.method = "dod-3";
  plan.repeat = 2;
  plan.blank = true;
  auto passes = ExpandPlan(plan);
  ASSERT_TRUE(passes.ok());
  ASSERT_EQ(passes->size(), 7u);
  EXPECT_EQ((*passes)[3].Describe(), "0x00");
  EXPECT_EQ((*passes)[5].Describe(), "random");
  EXPECT_EQ((*passes)[6].Describe(), "0x00");
  plan.repeat = 0;
  EXPECT_FALSE(ExpandPlan(plan).ok());
  plan.repeat = 1;
  plan.verify.mode = VerifyMode::kNone;  // DoD demands verification.
  EXPECT_EQ(ExpandPlan(plan).status().code(), StatusCode::kInvalidArgument);
  plan.method = "random";
  EXPECT_TRUE(ExpandPlan(plan).ok());
}

TEST(MethodsTest, VerifyPolicyParsing) {
  EXPECT_EQ(ParseVerifyPolicy("last")->mode, VerifyMode::kLast);
  EXPECT_EQ(ParseVerifyPolicy("all")->mode, VerifyMode::kAll);
  EXPECT_EQ(ParseVerifyPolicy("none")->mode, VerifyMode::kNone);
  EXPECT_EQ(ParseVerifyPolicy("sample:5")->sample_basis_points, 500u);
  EXPECT_EQ(ParseVerifyPolicy("sample:2.5")->sample_basis_points, 250u);
  EXPECT_EQ(ParseVerifyPolicy("sample:0.05")->sample_basis_points, 5u);
  EXPECT_EQ(ParseVerifyPolicy("sample:100")->sample_basis_points, 10000u);
  EXPECT_EQ(ParseVerifyPolicy("sample:2.5")->ToString(), "sample:2.5");
  EXPECT_EQ(ParseVerifyPolicy("sample:0.05")->ToString(), "sample:0.05");
  for (const char* bad : {"sample:", "sample:0", "sample:101", "sample:1.234", "sample:x",
                          "sample:-1", "sample:5.", "full", ""}) {
    EXPECT_FALSE(ParseVerifyPolicy(bad).ok()) << bad;
  }
}

TEST(PatternSourceTest, ThreeBytePatternsKeepTheirPhaseAcrossBuffers) {
  WipePass p;
  p.kind = WipePass::Kind::kPattern;
  p.pattern = "\x92\x49\x24";
  erase::PatternSource src(p, crypto::kOverwriteGenerator, "");
  std::vector<uint8_t> a(1000), b(1000);
  src.Fill(0, a.data(), 1000);
  src.Fill(1000, b.data(), 1000);  // 1000 % 3 == 1
  EXPECT_EQ(a[999], 0x92);
  EXPECT_EQ(b[0], 0x49);
  EXPECT_EQ(b[1], 0x24);
  std::vector<ByteRange> mism;
  EXPECT_EQ(src.Check(1000, b.data(), 1000, 512, {}, &mism), 0u);
  b[700] ^= 1;
  src.Fill(1000, a.data(), 1000);
  a[700] ^= 1;
  EXPECT_EQ(src.Check(1000, a.data(), 1000, 512, {}, &mism), 1u);
  ASSERT_EQ(mism.size(), 1u);
  EXPECT_EQ(mism[0].offset, 1536u);  // The sector holding byte 1700,
  EXPECT_EQ(mism[0].length, 464u);   // as far as this buffer reaches.
}

class RandomPatternSourceTest : public ::testing::TestWithParam<crypto::KeystreamGenerator> {
 protected:
  std::string Key(char c) const { return std::string(crypto::KeystreamKeySize(GetParam()), c); }
};

TEST_P(RandomPatternSourceTest, StreamIsSeekableAndKeyed) {
  WipePass p;  // random
  erase::PatternSource src(p, GetParam(), Key('k'));
  std::vector<uint8_t> whole(4096), part(1000);
  src.Fill(0, whole.data(), whole.size());
  src.Fill(1234, part.data(), part.size());
  EXPECT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + 1234));
  std::vector<ByteRange> mism;
  std::vector<uint8_t> copy = whole;
  EXPECT_EQ(src.Check(0, copy.data(), copy.size(), 512, {}, &mism), 0u);
  erase::PatternSource wrong(p, GetParam(), Key('o'));
  copy = whole;
  EXPECT_GT(wrong.Check(0, copy.data(), copy.size(), 512, {}, &mism), 4000u);
  EXPECT_EQ(mism.size(), 1u);  // All 8 sectors, merged into one range.
}

TEST_P(RandomPatternSourceTest, EverySingleFlippedByteIsFound) {
  // One wrong bit anywhere in a buffer (its first and last byte, sector and
  // block edges, deep inside) is counted and its sector reported: the check
  // compares every byte, whatever piece size it works in.
  WipePass p;
  erase::PatternSource src(p, GetParam(), Key('k'));
  const uint64_t base = (uint64_t{5} << 30) + 4096;  // Deep in a device.
  const size_t n = (1 << 20) + 3 * 512;
  std::vector<uint8_t> good(n);
  src.Fill(base, good.data(), n);
  for (size_t pos :
       {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{511}, size_t{512}, size_t{4095},
        size_t{65535}, size_t{65536}, size_t{65537}, size_t{777777}, n - 513, n - 512, n - 1}) {
    std::vector<uint8_t> buf = good;
    buf[pos] ^= 0x40;
    std::vector<ByteRange> mism;
    EXPECT_EQ(src.Check(base, buf.data(), n, 512, {}, &mism), 1u) << "byte " << pos;
    ASSERT_EQ(mism.size(), 1u) << "byte " << pos;
    EXPECT_EQ(mism[0].offset, base + pos / 512 * 512) << "byte " << pos;
    EXPECT_EQ(mism[0].length, 512u) << "byte " << pos;
    // The same buffer checked at another offset is all wrong.
    buf = good;
    EXPECT_GT(src.Check(base + 16, buf.data(), n, 512, {}, &mism), n / 2);
  }
}

TEST_P(RandomPatternSourceTest, SlicedCheckFindsMismatchesInEverySliceAndTheLastPartialOne) {
  // Random passes are checked kCheckSliceBytes at a time: a chunk of three
  // slices and an odd tail (not a whole sector), at an offset that is not a
  // multiple of the slice size, with wrong bytes on both sides of every
  // slice boundary and in the last partial slice.
  WipePass p;
  erase::PatternSource src(p, GetParam(), Key('s'));
  const uint64_t base = (uint64_t{3} << 30) + 3 * 512;
  const size_t n = 3 * erase::kCheckSliceBytes + 1000;
  std::vector<uint8_t> good(n);
  src.Fill(base, good.data(), n);
  std::vector<uint8_t> buf = good;
  std::vector<ByteRange> mism;
  EXPECT_EQ(src.Check(base, buf.data(), n, 512, {}, &mism), 0u);
  EXPECT_TRUE(mism.empty());
  const size_t slice = erase::kCheckSliceBytes;
  for (size_t pos :
       {slice - 1, slice, 2 * slice - 1, 2 * slice, 3 * slice - 1, 3 * slice, 3 * slice + 999}) {
    buf = good;
    buf[pos] ^= 0x01;
    mism.clear();
    EXPECT_EQ(src.Check(base, buf.data(), n, 512, {}, &mism), 1u) << "byte " << pos;
    ASSERT_EQ(mism.size(), 1u) << "byte " << pos;
    const uint64_t sector = (base + pos) / 512 * 512;
    EXPECT_EQ(mism[0].offset, sector) << "byte " << pos;
    EXPECT_EQ(mism[0].length, std::min<uint64_t>(512, base + n - sector)) << "byte " << pos;
  }
  // Wrong bytes in the first slice and in the last partial one: both are
  // counted and both sectors named (the slices after a failing one are still
  // checked).
  buf = good;
  buf[7] ^= 0x80;
  buf[n - 1] ^= 0x80;
  buf[n - 2] ^= 0x80;
  mism.clear();
  EXPECT_EQ(src.Check(base, buf.data(), n, 512, {}, &mism), 3u);
  ASSERT_EQ(mism.size(), 2u);
  EXPECT_EQ(mism[0].offset, base);
  EXPECT_EQ(mism[1].offset, (base + n - 1) / 512 * 512);
  // Sectors listed as unreadable are not judged, in whichever slice.
  mism.clear();
  buf = good;
  buf[n - 1] ^= 0x80;
  EXPECT_EQ(src.Check(base, buf.data(), n, 512, {{(base + n - 1) / 512 * 512, 512}}, &mism), 0u);
  EXPECT_TRUE(mism.empty());
}

INSTANTIATE_TEST_SUITE_P(Generators, RandomPatternSourceTest,
                         ::testing::Values(crypto::KeystreamGenerator::kAes128Ctr,
                                           crypto::KeystreamGenerator::kAes256Ctr),
                         [](const auto& info) {
                           return info.param == crypto::KeystreamGenerator::kAes128Ctr ? "aes128"
                                                                                       : "aes256";
                         });

TEST(SamplingTest, NistStyleLocations) {
  const uint64_t size = 64ull << 30;  // A 64 GiB device: only the list is computed.
  const std::string seed(32, 's');
  auto locs = erase::SampleLocations(size, 512, 500, seed);
  ASSERT_GE(locs.size(), 2000u);
  EXPECT_EQ(locs.front().offset, 0u);
  EXPECT_EQ(locs.back().offset + locs.back().length, size);
  for (size_t i = 1; i < locs.size(); ++i) {
    ASSERT_GT(locs[i].offset, locs[i - 1].offset + locs[i - 1].length);  // Sorted, disjoint.
  }
  // Every subsection is covered at >= 5%.
  for (uint64_t i = 0; i < erase::kSampleSubsections; ++i) {
    const uint64_t sectors = size / 512;
    const uint64_t a = i * sectors / 1000 * 512, b = (i + 1) * sectors / 1000 * 512;
    uint64_t covered = 0;
    for (const ByteRange& r : locs) {
      const uint64_t lo = std::max(a, r.offset), hi = std::min(b, r.offset + r.length);
      if (hi > lo) covered += hi - lo;
    }
    ASSERT_GE(covered * 100, (b - a) * 5) << "subsection " << i;
  }
  EXPECT_GE(erase::CoverageBasisPoints(locs, size), 500u);
  // Deterministic in the seed, different for another.
  auto again = erase::SampleLocations(size, 512, 500, seed);
  EXPECT_EQ(again.size(), locs.size());
  EXPECT_EQ(again[7].offset, locs[7].offset);
  auto other = erase::SampleLocations(size, 512, 500, std::string(32, 't'));
  EXPECT_NE(other[7].offset, locs[7].offset);
  // Small devices are verified in full.
  auto small = erase::SampleLocations(1 << 20, 512, 500, seed);
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small[0].length, 1u << 20);
}

}  // namespace
}  // namespace custody
