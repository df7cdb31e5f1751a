// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/pattern_source.h"

#include <algorithm>
#include <cstring>

namespace custody::erase {
namespace {

// A buffer is uniform with period p iff its first p bytes are right and it
// equals itself shifted by p: one memcmp, which libc runs at memory speed.
bool Periodic(const uint8_t* buf, size_t n, size_t period) {
  return n <= period || std::memcmp(buf, buf + period, n - period) == 0;
}

}  // namespace

PatternSource::PatternSource(const WipePass& pass, crypto::KeystreamGenerator generator,
                             std::string_view key)
    : pass_(pass) {
  if (pass_.kind == WipePass::Kind::kRandom) {
    stream_ = std::make_unique<crypto::SeekableKeystream>(generator, key);
  }
}

uint8_t PatternSource::Expected(uint64_t offset) const {
  if (stream_) return 0;
  return static_cast<uint8_t>(pass_.pattern[offset % pass_.pattern.size()]);
}

void PatternSource::Fill(uint64_t offset, uint8_t* out, size_t n) {
  if (stream_) {
    stream_->Generate(offset, out, n);
    return;
  }
  const size_t period = pass_.pattern.size();
  if (period == 1) {
    std::memset(out, pass_.pattern[0], n);
    return;
  }
  size_t done = std::min(n, period);
  for (size_t i = 0; i < done; ++i) out[i] = Expected(offset + i);
  // Double the filled prefix: it stays in phase because its length is a
  // multiple of the period.
  while (done < n) {
    size_t k = std::min(done - done % period, n - done);
    std::memcpy(out + done, out, k);
    done += k;
  }
}

bool PatternSource::RandomChunkIsRight(uint64_t offset, uint8_t* buf, size_t n) {
  // The keystream XOR and the zero test run slice by slice, so each slice is
  // tested while it is still in the core's cache: XORing the whole chunk
  // first and then scanning it streamed every byte through memory twice.
  // The whole chunk is XORed in any case, so the sector-by-sector judgment
  // that follows a failure sees exactly what it would have without slices.
  bool right = true;
  for (size_t pos = 0; pos < n; pos += kCheckSliceBytes) {
    const size_t len = std::min(kCheckSliceBytes, n - pos);
    stream_->XorInPlace(offset + pos, buf + pos, len);
    right = right && buf[pos] == 0 && Periodic(buf + pos, len, 1);
  }
  return right;
}

uint64_t PatternSource::Check(uint64_t offset, uint8_t* buf, size_t n, uint32_t sector,
                              const std::vector<ByteRange>& skip,
                              std::vector<ByteRange>* mismatches) {
  if (n == 0) return 0;
  if (stream_) {
    if (RandomChunkIsRight(offset, buf, n)) return 0;
  } else {
    const size_t period = pass_.pattern.size();
    bool head_ok = true;
    for (size_t i = 0; i < std::min(n, period); ++i) head_ok &= buf[i] == Expected(offset + i);
    if (head_ok && Periodic(buf, n, period)) return 0;
  }
  // Slow path, only where something is wrong: judge sector by sector.
  uint64_t differing = 0;
  for (size_t pos = 0; pos < n;) {
    const uint64_t abs = offset + pos;
    const size_t len = std::min<size_t>(sector - abs % sector, n - pos);
    if (!Overlaps(skip, abs, len)) {
      uint64_t bad = 0;
      for (size_t i = 0; i < len; ++i) bad += buf[pos + i] != Expected(abs + i);
      if (bad != 0) {
        differing += bad;
        AppendRange(mismatches, abs, len);
      }
    }
    pos += len;
  }
  return differing;
}

void AppendRange(std::vector<ByteRange>* ranges, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  if (!ranges->empty()) {
    ByteRange& last = ranges->back();
    if (last.offset + last.length >= offset && offset >= last.offset) {
      last.length = std::max(last.offset + last.length, offset + length) - last.offset;
      return;
    }
  }
  ranges->push_back({offset, length});
}

bool Overlaps(const std::vector<ByteRange>& sorted, uint64_t offset, uint64_t n) {
  // First range ending after `offset`.
  auto it = std::upper_bound(sorted.begin(), sorted.end(), offset,
                             [](uint64_t o, const ByteRange& r) { return o < r.offset + r.length; });
  return it != sorted.end() && it->offset < offset + n;
}

void MergeRanges(std::vector<ByteRange>* into, const std::vector<ByteRange>& add) {
  std::vector<ByteRange> all = *into;
  all.insert(all.end(), add.begin(), add.end());
  std::sort(all.begin(), all.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  into->clear();
  for (const ByteRange& r : all) AppendRange(into, r.offset, r.length);
}

}  // namespace custody::erase
