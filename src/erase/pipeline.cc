// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace custody::erase {

Status RunParallelPipeline(std::vector<AlignedBuffer>& buffers, int workers,
                           const NextChunkFn& next, const WorkerStageFn& produce,
                           const StageFn& consume) {
  struct Slot {
    Chunk chunk;
    Status status;
    uint64_t seq = 0;
    bool ready = false;
  };
  std::vector<Slot> slots(buffers.size());
  workers = std::clamp(workers, 1, std::max(1, static_cast<int>(buffers.size()) - 1));
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Slot*> free_slots;
  uint64_t issued = 0;      // Chunks handed to workers (their sequence numbers).
  bool exhausted = false;   // next() said there are no more chunks.
  bool cancel = false;      // The consumer stopped, or a producer failed.
  int running = workers;
  for (size_t i = 0; i < slots.size(); ++i) {
    slots[i].chunk.data = buffers[i].data();
    free_slots.push_back(&slots[i]);
  }

  auto work = [&](int index) {
    for (;;) {
      Slot* s;
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return cancel || exhausted || !free_slots.empty(); });
        if (cancel || exhausted) break;
        // Taking the chunk under the lock keeps chunks and sequence numbers
        // in the same order.
        if (!next(&free_slots.front()->chunk.offset, &free_slots.front()->chunk.length)) {
          exhausted = true;
          cv.notify_all();
          break;
        }
        s = free_slots.front();
        free_slots.pop_front();
        s->seq = issued++;
        s->ready = false;
      }
      s->chunk.bad.clear();
      s->chunk.found.clear();
      s->chunk.mismatched = 0;
      s->status = produce(s->chunk, index);
      std::lock_guard<std::mutex> l(mu);
      s->ready = true;
      if (!s->status.ok()) cancel = true;  // The consumer reports it in order.
      cv.notify_all();
    }
    std::lock_guard<std::mutex> l(mu);
    --running;
    cv.notify_all();
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back(work, i);

  Status result;
  for (uint64_t expected = 0;; ++expected) {
    Slot* s = nullptr;
    {
      std::unique_lock<std::mutex> l(mu);
      auto find = [&] {
        for (Slot& slot : slots) {
          if (slot.ready && slot.seq == expected) return &slot;
        }
        return static_cast<Slot*>(nullptr);
      };
      // Done when every worker has stopped and the expected chunk never came.
      cv.wait(l, [&] { return (s = find()) != nullptr || running == 0; });
      if (s == nullptr) {
        // A worker failed on an earlier-issued chunk than `expected`? Only
        // possible when its slot was consumed already; otherwise the failed
        // slot is found in order above.
        break;
      }
      s->ready = false;
    }
    result = s->status.ok() ? consume(s->chunk) : s->status;
    if (!result.ok()) break;
    std::lock_guard<std::mutex> l(mu);
    free_slots.push_back(s);
    cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> l(mu);
    cancel = true;
    cv.notify_all();
  }
  for (std::thread& t : threads) t.join();
  return result;
}

Status RunPipeline(std::vector<AlignedBuffer>& buffers, const NextChunkFn& next,
                   const StageFn& produce, const StageFn& consume) {
  return RunParallelPipeline(
      buffers, 1, next, [&](Chunk& c, int) { return produce(c); }, consume);
}

}  // namespace custody::erase
