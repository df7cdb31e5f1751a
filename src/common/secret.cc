// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/secret.h"

#include <string.h>

namespace custody {

void WipeMemory(void* p, size_t n) {
  if (p != nullptr && n > 0) ::explicit_bzero(p, n);
}

void SecretString::TrimTrailingNewline() {
  size_t n = data_.size();
  if (n > 0 && data_[n - 1] == '\n') --n;
  if (n > 0 && data_[n - 1] == '\r') --n;
  // Wipe the removed tail before shrinking: resize does not clear it.
  WipeMemory(data_.data() + n, data_.size() - n);
  data_.resize(n);
}

}  // namespace custody
