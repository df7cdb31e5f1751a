// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Sampled verification locations, after NIST SP 800-88 Rev.1 §4.7.2 (and
// Rev.2): the device is split into at least 1,000 equal subsections; each
// gets two pseudo-random locations (one in each half, so they never
// overlap) that together cover at least P% of it; the first and last blocks
// are always included. Locations are a pure function of (size, sector, P,
// seed), so an auditor given the seed and the recorded list can recompute
// and compare them.
#ifndef CUSTODY_SRC_ERASE_SAMPLING_H_
#define CUSTODY_SRC_ERASE_SAMPLING_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "custody/wipe.h"

namespace custody::erase {

constexpr uint64_t kSampleSubsections = 1000;
constexpr uint64_t kSampleEdgeBytes = 1 << 20;  // "first and last block"
// The seed is an AES-256-CTR key (crypto/keystream.h): the recorded
// locations of existing wipes must stay recomputable, so this generator does
// not follow the overwrite passes' switch to AES-128.
constexpr size_t kSampleSeedBytes = 32;

// Sorted, non-overlapping byte ranges. A device too small for 1,000
// subsections of 4 sectors is verified in full (one range).
// `seed`: 32 bytes (a SeekableKeystream key).
std::vector<ByteRange> SampleLocations(uint64_t size, uint32_t sector, uint32_t basis_points,
                                       std::string_view seed);

// Covered bytes in basis points of `size` (rounded down).
uint32_t CoverageBasisPoints(const std::vector<ByteRange>& ranges, uint64_t size);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_SAMPLING_H_
