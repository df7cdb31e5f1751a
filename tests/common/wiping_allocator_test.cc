// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/wiping_allocator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace custody {
namespace {

// Records, for every block freed, whether it still held a non-zero byte.
struct FreedLog {
  static inline int blocks = 0;
  static inline int dirty_blocks = 0;
};

template <typename T>
struct InspectingAllocator {
  using value_type = T;
  InspectingAllocator() = default;
  template <typename U>
  InspectingAllocator(const InspectingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    bool dirty = false;
    for (std::size_t i = 0; i < n * sizeof(T); ++i) dirty |= bytes[i] != 0;
    ++FreedLog::blocks;
    FreedLog::dirty_blocks += dirty;
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const InspectingAllocator<U>&) const noexcept {
    return true;
  }
};

TEST(WipingAllocatorTest, EveryBlockAGrowingVectorFreesIsWiped) {
  FreedLog::blocks = FreedLog::dirty_blocks = 0;
  {
    std::vector<char32_t, WipingAllocator<char32_t, InspectingAllocator<char32_t>>> v;
    for (char32_t c = 1; c < 1000; ++c) v.push_back(c);  // Reallocates several times.
  }
  EXPECT_GE(FreedLog::blocks, 5);
  EXPECT_EQ(FreedLog::dirty_blocks, 0);
}

TEST(WipingAllocatorTest, MapNodesAndLongStringsAreWiped) {
  FreedLog::blocks = FreedLog::dirty_blocks = 0;
  using Alloc = WipingAllocator<char32_t, InspectingAllocator<char32_t>>;
  using Str = std::basic_string<char32_t, std::char_traits<char32_t>, Alloc>;
  using PairAlloc =
      WipingAllocator<std::pair<const Str, int>, InspectingAllocator<std::pair<const Str, int>>>;
  {
    std::map<Str, int, std::less<>, PairAlloc> m;
    m.emplace(Str(U"correct horse battery staple"), 1);  // Heap buffer.
    m.emplace(Str(U"ab"), 2);                            // In the node itself.
  }
  EXPECT_GE(FreedLog::blocks, 3);  // Two nodes and one string buffer.
  EXPECT_EQ(FreedLog::dirty_blocks, 0);
}

// The inspection itself works: without the wiping wrapper, freed blocks are
// seen dirty.
TEST(WipingAllocatorTest, TheInspectionSeesUnwipedBlocks) {
  FreedLog::blocks = FreedLog::dirty_blocks = 0;
  {
    std::vector<char32_t, InspectingAllocator<char32_t>> v(16, U'x');
  }
  EXPECT_EQ(FreedLog::blocks, 1);
  EXPECT_EQ(FreedLog::dirty_blocks, 1);
}

}  // namespace
}  // namespace custody
