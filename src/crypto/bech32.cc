// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/bech32.h"

#include <cstdint>
#include <vector>

namespace custody::bech32 {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t kGenerator[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
constexpr size_t kChecksumLength = 6;
constexpr char kSeparator = '1';

// A byte buffer wiped on destruction. Capacity is reserved up front by the
// callers so that no reallocation leaves an unwiped copy behind.
class WipedBytes {
 public:
  explicit WipedBytes(size_t capacity) { bytes_.reserve(capacity); }
  ~WipedBytes() { WipeMemory(bytes_.data(), bytes_.capacity()); }
  WipedBytes(const WipedBytes&) = delete;
  WipedBytes& operator=(const WipedBytes&) = delete;
  std::vector<uint8_t>& get() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

uint32_t PolymodStep(uint32_t chk, uint8_t value) {
  uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (int i = 0; i < 5; ++i) {
    if ((top >> i) & 1) chk ^= kGenerator[i];
  }
  return chk;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpperAscii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// The checksum's polymod over the expanded (lowercased) HRP and `values`.
uint32_t Polymod(std::string_view hrp, const std::vector<uint8_t>& values, size_t n) {
  uint32_t chk = 1;
  for (char c : hrp) chk = PolymodStep(chk, static_cast<uint8_t>(ToLowerAscii(c)) >> 5);
  chk = PolymodStep(chk, 0);
  for (char c : hrp) chk = PolymodStep(chk, static_cast<uint8_t>(ToLowerAscii(c)) & 31);
  for (size_t i = 0; i < n; ++i) chk = PolymodStep(chk, values[i]);
  return chk;
}

Status CheckHrp(std::string_view hrp, bool* upper) {
  if (hrp.empty()) return InvalidArgumentError("bech32: empty human-readable part");
  bool has_lower = false, has_upper = false;
  for (char c : hrp) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126)
      return InvalidArgumentError("bech32: invalid character in human-readable part");
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return InvalidArgumentError("bech32: mixed-case human-readable part");
  *upper = has_upper;
  return Status::Ok();
}

}  // namespace

Result<Decoded> Decode(std::string_view text) {
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return InvalidArgumentError("bech32: invalid character");
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return InvalidArgumentError("bech32: mixed case");
  size_t sep = text.rfind(kSeparator);
  if (sep == std::string_view::npos || sep < 1 || sep + 1 + kChecksumLength > text.size()) {
    return InvalidArgumentError("bech32: separator '1' missing or misplaced");
  }
  std::string_view hrp = text.substr(0, sep);
  std::string_view data_part = text.substr(sep + 1);

  WipedBytes values(data_part.size());
  for (char c : data_part) {
    char lower = ToLowerAscii(c);
    const char* p = nullptr;
    for (const char* q = kCharset; *q != '\0'; ++q) {
      if (*q == lower) {
        p = q;
        break;
      }
    }
    if (p == nullptr) return InvalidArgumentError("bech32: invalid character in data part");
    values.get().push_back(static_cast<uint8_t>(p - kCharset));
  }
  if (Polymod(hrp, values.get(), values.get().size()) != 1) {
    return InvalidArgumentError("bech32: invalid checksum");
  }

  // 5-bit groups to bytes, without padding: leftover bits must be fewer than
  // five and all zero, so that each byte string has exactly one encoding.
  size_t n5 = values.get().size() - kChecksumLength;
  SecretString out(n5 * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  size_t pos = 0;
  for (size_t i = 0; i < n5; ++i) {
    acc = ((acc << 5) | values.get()[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.mutable_bytes()[pos++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  bool nonzero_padding = ((acc << (8 - bits)) & 0xff) != 0;
  acc = 0;  // Held the last key bits.
  if (bits >= 5) return InvalidArgumentError("bech32: illegal zero padding");
  if (nonzero_padding) return InvalidArgumentError("bech32: non-zero padding");
  Decoded d;
  d.hrp = std::string(hrp);
  d.data = std::move(out);
  return d;
}

Result<SecretString> Encode(std::string_view hrp, std::string_view data) {
  bool upper = false;
  CUSTODY_RETURN_IF_ERROR(CheckHrp(hrp, &upper));
  size_t n5 = (data.size() * 8 + 4) / 5;
  WipedBytes values(n5 + kChecksumLength);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : data) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.get().push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.get().push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  acc = 0;
  for (size_t i = 0; i < kChecksumLength; ++i) values.get().push_back(0);
  uint32_t mod = Polymod(hrp, values.get(), values.get().size()) ^ 1;
  for (size_t i = 0; i < kChecksumLength; ++i) {
    values.get()[n5 + i] = static_cast<uint8_t>((mod >> (5 * (5 - i))) & 31);
  }

  SecretString out(hrp.size() + 1 + values.get().size());
  char* p = reinterpret_cast<char*>(out.mutable_bytes());
  for (char c : hrp) *p++ = upper ? ToUpperAscii(c) : ToLowerAscii(c);
  *p++ = kSeparator;
  for (uint8_t v : values.get()) *p++ = upper ? ToUpperAscii(kCharset[v]) : kCharset[v];
  return out;
}

}  // namespace custody::bech32
