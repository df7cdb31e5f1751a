// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/heap_tuning.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace custody::cli {

void PrepareHeapForLargeWork() {
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  // The budget is 64 MiB of peak RSS; these reserve address space, and only
  // touched pages count.
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1) return;  // Buffers up to 32 MiB: heap, reused.
  if (mallopt(M_TRIM_THRESHOLD, 128 << 20) != 1) return;  // Freed memory stays for the next member.
  if (mallopt(M_TOP_PAD, 64 << 20) != 1) return;          // One brk of 64 MiB, not hundreds.
  // Grow the heap once now (the pad applies), then mark the whole grown
  // part for huge pages. Later growth (past 64 MiB) is ordinary pages.
  void* probe = std::malloc(1 << 20);
  if (probe == nullptr) return;
  const uintptr_t start = (reinterpret_cast<uintptr_t>(probe) + kHugePage - 1) & ~(kHugePage - 1);
  std::free(probe);
  void* brk_end = sbrk(0);
  if (brk_end == reinterpret_cast<void*>(-1)) return;
  const uintptr_t end = reinterpret_cast<uintptr_t>(brk_end) & ~(kHugePage - 1);
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
}

}  // namespace custody::cli
