// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Fixed-width integer loads and stores for command and data structures:
// NVMe and ATA structures are little-endian, SCSI fields big-endian.
// Callers check sizes first; these do not.
#ifndef CUSTODY_SRC_PURGE_BYTES_H_
#define CUSTODY_SRC_PURGE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace custody::purge {

inline uint16_t Le16(std::span<const uint8_t> d, size_t at) {
  return static_cast<uint16_t>(d[at] | (d[at + 1] << 8));
}
inline uint32_t Le32(std::span<const uint8_t> d, size_t at) {
  return Le16(d, at) | (static_cast<uint32_t>(Le16(d, at + 2)) << 16);
}
inline uint64_t Le64(std::span<const uint8_t> d, size_t at) {
  return Le32(d, at) | (static_cast<uint64_t>(Le32(d, at + 4)) << 32);
}
inline uint16_t Be16(std::span<const uint8_t> d, size_t at) {
  return static_cast<uint16_t>((d[at] << 8) | d[at + 1]);
}
inline void PutLe16(std::span<uint8_t> d, size_t at, uint16_t v) {
  d[at] = v & 0xFF;
  d[at + 1] = v >> 8;
}
inline void PutLe32(std::span<uint8_t> d, size_t at, uint32_t v) {
  PutLe16(d, at, v & 0xFFFF);
  PutLe16(d, at + 2, v >> 16);
}
inline void PutLe64(std::span<uint8_t> d, size_t at, uint64_t v) {
  PutLe32(d, at, static_cast<uint32_t>(v));
  PutLe32(d, at + 4, static_cast<uint32_t>(v >> 32));
}
inline void PutBe16(std::span<uint8_t> d, size_t at, uint16_t v) {
  d[at] = v >> 8;
  d[at + 1] = v & 0xFF;
}
inline void PutBe32(std::span<uint8_t> d, size_t at, uint32_t v) {
  PutBe16(d, at, v >> 16);
  PutBe16(d, at + 2, v & 0xFFFF);
}

}  // namespace custody::purge

#endif  // CUSTODY_SRC_PURGE_BYTES_H_
