// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Test helper: the classic Ed25519 malleation (R, S) -> (R, S + L). A
// verifier that does not check S < L accepts both.
#ifndef CUSTODY_TESTS_SUPPORT_MALLEATE_H_
#define CUSTODY_TESTS_SUPPORT_MALLEATE_H_

#include <cstdint>
#include <string>

namespace custody {

// Returns `sig` (64 bytes) with L = 2^252 + 27742317777372353535851937790883648493
// added to its little-endian S half. S < L < 2^253, so S + L fits in 32 bytes.
inline std::string AddGroupOrderToS(std::string sig) {
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = static_cast<uint8_t>(sig[32 + i]) + kL[i] + carry;
    sig[32 + i] = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  return sig;
}

}  // namespace custody

#endif  // CUSTODY_TESTS_SUPPORT_MALLEATE_H_
