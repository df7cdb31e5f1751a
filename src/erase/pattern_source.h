// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// What one pass writes at any byte offset, and the check of what was read
// back. Patterns repeat from device offset 0 (so a 3-byte Gutmann pattern has
// the same phase whichever buffer a byte falls in); random passes are the
// seekable AES-CTR stream of the pass's key (crypto/keystream.h).
#ifndef CUSTODY_SRC_ERASE_PATTERN_SOURCE_H_
#define CUSTODY_SRC_ERASE_PATTERN_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keystream.h"
#include "custody/wipe.h"

namespace custody::erase {

// Random passes are checked in slices of this size: the expected keystream
// is generated into a scratch buffer this large, which stays in the core's
// L1 cache, and compared with what was read.
inline constexpr size_t kCheckSliceBytes = size_t{16} << 10;

class PatternSource {
 public:
  // `key`: KeystreamKeySize(generator) bytes for random passes; both are
  // ignored for patterns.
  PatternSource(const WipePass& pass, crypto::KeystreamGenerator generator, std::string_view key);

  void Fill(uint64_t offset, uint8_t* out, size_t n);

  // Checks `buf`, read from [offset, offset + n), against the pass. Sectors overlapping `skip`
  // (sorted, unreadable or never written) are not judged. Mismatching sectors are appended to
  // `mismatches` (merged with the last range when adjacent); returns the number of differing bytes.
  uint64_t Check(uint64_t offset, const uint8_t* buf, size_t n, uint32_t sector,
                 const std::vector<ByteRange>& skip, std::vector<ByteRange>* mismatches);

 private:
  uint8_t PatternByte(uint64_t offset) const;  // Pattern passes only.
  // True when all of `buf` is what the pass wrote at [offset, offset + n).
  bool Matches(uint64_t offset, const uint8_t* buf, size_t n);

  WipePass pass_;
  std::unique_ptr<crypto::SeekableKeystream> stream_;
  std::vector<uint8_t> expected_;  // kCheckSliceBytes of what the pass wrote.
};

// Appends [offset, offset + length) to a sorted list, merging with the last
// range when they touch.
void AppendRange(std::vector<ByteRange>* ranges, uint64_t offset, uint64_t length);
// True when [offset, offset + n) overlaps a range in the sorted list.
bool Overlaps(const std::vector<ByteRange>& sorted, uint64_t offset, uint64_t n);
// Merges `add` into `into`, keeping it sorted and coalesced.
void MergeRanges(std::vector<ByteRange>* into, const std::vector<ByteRange>& add);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_PATTERN_SOURCE_H_
