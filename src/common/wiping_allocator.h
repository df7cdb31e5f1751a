// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipingAllocator: an allocator that wipes (WipeMemory) every block before
// it frees it. For containers that hold working copies of a secret, such as
// the passphrase estimator's code points: the final buffer is wiped when the
// container goes, and so is each smaller buffer a growing vector or string
// leaves behind, which a wipe of the container's data() at the end would
// miss. (A std::basic_string short enough for its in-object buffer is not
// heap memory: this allocator cannot reach it.)
//
// Thread safety: stateless, as std::allocator.
#ifndef CUSTODY_SRC_COMMON_WIPING_ALLOCATOR_H_
#define CUSTODY_SRC_COMMON_WIPING_ALLOCATOR_H_

#include <cstddef>
#include <memory>

#include "custody/secret.h"

namespace custody {

// `Base` does the allocating (tests pass one that inspects what it frees).
template <typename T, typename Base = std::allocator<T>>
class WipingAllocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = WipingAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
  };

  WipingAllocator() = default;
  template <typename U, typename B>
  WipingAllocator(const WipingAllocator<U, B>&) noexcept {}  // NOLINT: allocators convert.

  T* allocate(std::size_t n) { return Base().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    WipeMemory(p, n * sizeof(T));
    Base().deallocate(p, n);
  }

  template <typename U, typename B>
  bool operator==(const WipingAllocator<U, B>&) const noexcept {
    return true;
  }
};

}  // namespace custody

#endif  // CUSTODY_SRC_COMMON_WIPING_ALLOCATOR_H_
