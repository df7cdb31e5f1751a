// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/written_digests.h"

#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
// Redirects XXH3 to the library's runtime dispatch (SSE2, AVX2, AVX-512):
// Debian builds libxxhash for baseline x86-64, where XXH3 runs at half speed.
#include <xxh_x86dispatch.h>
#endif

#include <algorithm>

namespace custody::erase {

void WrittenDigests::Record(uint64_t offset, const uint8_t* data, size_t n) {
  if (entries_.size() >= kMaxWrittenDigests) return;
  if (!entries_.empty() && entries_.back().offset + entries_.back().length > offset) return;
  const XXH128_hash_t h = XXH3_128bits_withSeed(data, n, seed_);
  entries_.push_back({offset, n, h.low64, h.high64});
}

bool WrittenDigests::Matches(uint64_t offset, const uint8_t* data, size_t n) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const Entry& e, uint64_t o) { return e.offset < o; });
  if (it == entries_.end() || it->offset != offset || it->length != n) return false;
  const XXH128_hash_t h = XXH3_128bits_withSeed(data, n, seed_);
  return h.low64 == it->low && h.high64 == it->high;
}

}  // namespace custody::erase
