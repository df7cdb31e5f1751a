// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/sampling.h"

#include <algorithm>
#include <cstring>

#include "crypto/keystream.h"
#include "erase/pattern_source.h"

namespace custody::erase {

std::vector<ByteRange> SampleLocations(uint64_t size, uint32_t sector, uint32_t basis_points,
                                       std::string_view seed) {
  const uint64_t sectors = size / sector;
  if (sectors < kSampleSubsections * 4 || basis_points >= 10000) return {{0, size}};
  crypto::SeekableKeystream prng(crypto::KeystreamGenerator::kAes256Ctr, seed);
  uint64_t counter = 0;
  auto next = [&](uint64_t bound) -> uint64_t {  // uniform enough in [0, bound)
    uint8_t b[8];
    prng.Generate(counter, b, sizeof b);
    counter += sizeof b;
    uint64_t v;
    std::memcpy(&v, b, sizeof v);
    // Modulo bias is below 2^-30 for any real device (bound < 2^34 sectors):
    // irrelevant for choosing where to look.
    return v % bound;
  };
  std::vector<ByteRange> out;
  const uint64_t edge = std::min(size, kSampleEdgeBytes);
  out.push_back({0, edge});
  for (uint64_t i = 0; i < kSampleSubsections; ++i) {
    const uint64_t a = i * sectors / kSampleSubsections, b = (i + 1) * sectors / kSampleSubsections;
    const uint64_t need = ((b - a) * basis_points + 9999) / 10000;  // sectors, rounded up
    const uint64_t per_half = std::max<uint64_t>(1, (need + 1) / 2);
    const uint64_t mid = a + (b - a) / 2;
    for (auto [lo, hi] : {std::pair{a, mid}, std::pair{mid, b}}) {
      const uint64_t len = std::min(per_half, hi - lo);
      const uint64_t start = lo + next(hi - lo - len + 1);
      out.push_back({start * sector, len * sector});
    }
  }
  // The last block starts on a sector, so that its reads take the direct
  // path, and includes a regular file's partial last sector.
  const uint64_t last = (size - edge) / sector * sector;
  out.push_back({last, size - last});
  std::sort(out.begin(), out.end(),
            [](const ByteRange& x, const ByteRange& y) { return x.offset < y.offset; });
  std::vector<ByteRange> merged;
  for (const ByteRange& r : out) {
    if (!merged.empty() && r.offset < merged.back().offset + merged.back().length) {
      ByteRange& last = merged.back();
      last.length = std::max(last.offset + last.length, r.offset + r.length) - last.offset;
    } else {
      AppendRange(&merged, r.offset, r.length);
    }
  }
  return merged;
}

uint32_t CoverageBasisPoints(const std::vector<ByteRange>& ranges, uint64_t size) {
  if (size == 0) return 10000;
  unsigned __int128 covered = 0;
  for (const ByteRange& r : ranges) covered += r.length;
  return static_cast<uint32_t>(covered * 10000 / size);
}

}  // namespace custody::erase
