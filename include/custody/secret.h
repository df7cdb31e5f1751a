// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SecretString: bytes that are a secret (passphrase, private key, file key).
// The buffer is wiped with explicit_bzero when the object is destroyed or
// reassigned, so a secret does not linger in freed heap memory. Copying is
// explicit (Clone) so that secrets are not duplicated by accident.
//
// Thread safety: a value type; not synchronised.
#ifndef CUSTODY_SECRET_H_
#define CUSTODY_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace custody {

// Wipes n bytes at p in a way the compiler may not elide.
void WipeMemory(void* p, size_t n);

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view bytes) : data_(bytes) {}
  explicit SecretString(size_t n) : data_(n, '\0') {}
  ~SecretString() { Wipe(); }
  SecretString(SecretString&& other) noexcept : data_(std::move(other.data_)) {
    other.Wipe();
  }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      Wipe();
      data_ = std::move(other.data_);
      other.Wipe();
    }
    return *this;
  }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  SecretString Clone() const { return SecretString(std::string_view(data_)); }

  std::string_view view() const { return data_; }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(data_.data()); }
  uint8_t* mutable_bytes() { return reinterpret_cast<uint8_t*>(data_.data()); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  // Removes trailing '\n' / '\r\n' (a passphrase read from a file or fd).
  void TrimTrailingNewline();

  void Wipe() {
    WipeMemory(data_.data(), data_.size());
    data_.clear();
  }

 private:
  std::string data_;
};

}  // namespace custody

#endif  // CUSTODY_SECRET_H_
