// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Digests of the chunks a random pass wrote, so its full read-back can be
// checked without regenerating the keystream.
//
// Why: reading a tmpfs-backed loop device back costs the loop driver about
// 0.29 CPU-s per 2 GiB, and checking against the regenerated AES-CTR stream
// cost another 0.36 CPU-s (keystream 0.27 s, memcmp 0.09 s) on the same two
// cores: verification ran at 0.69x of `dd iflag=direct` (session 13). A
// digest of what was read costs about 0.08 CPU-s per 2 GiB (XXH3 with the
// library's AVX2/AVX-512 dispatch) and is compared with the digest taken of
// the same buffer just before it was written.
//
// Why a non-cryptographic hash is enough: verification detects a medium that
// did not store what it was sent (failed or remapped sectors, a firmware that
// drops writes, a device-mapper error target): stale or damaged data is
// independent of a fresh secret keystream, and XXH3-128 lets such data match
// with probability about 2^-128 per chunk. It cannot detect a hostile
// firmware that keeps the old data elsewhere and returns what was written,
// and neither can a byte-for-byte comparison: that is why non-rotational
// media get the sanitize/crypto-erase advice (docs/threat-model.md). The
// seed is random per run and never recorded, so nothing outside this process
// knows which digest a chunk must have. A chunk whose digest differs, or that
// has none, is judged byte by byte against the regenerated pass as before
// (PatternSource::Check), so mismatching sectors are still located exactly.
#ifndef CUSTODY_SRC_ERASE_WRITTEN_DIGESTS_H_
#define CUSTODY_SRC_ERASE_WRITTEN_DIGESTS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace custody::erase {

// At most this many chunks are remembered per pass (32 bytes each: 16 MiB,
// 4 TiB of 8 MiB chunks); later chunks of a larger device are checked
// against the regenerated keystream.
inline constexpr size_t kMaxWrittenDigests = size_t{1} << 19;

// Not thread-safe: Record is called by one thread (the pass's producer);
// Matches may be called from several threads once recording has finished.
class WrittenDigests {
 public:
  explicit WrittenDigests(uint64_t seed) : seed_(seed) {}

  // Forgets every chunk (a new pass begins).
  void Clear() { entries_.clear(); }

  // Remembers the digest of `data`, about to be written at [offset, offset + n).
  // Offsets must increase from one call to the next; out-of-order or excess
  // chunks are not remembered.
  void Record(uint64_t offset, const uint8_t* data, size_t n);

  // True when exactly [offset, offset + n) was recorded and `data` has the
  // digest it had when written. False means "not known to match": check the
  // bytes.
  bool Matches(uint64_t offset, const uint8_t* data, size_t n) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t offset;
    uint64_t length;
    uint64_t low;
    uint64_t high;
  };
  uint64_t seed_;
  std::vector<Entry> entries_;
};

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_WRITTEN_DIGESTS_H_
