// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace custody::erase {

Status RunPipeline(std::vector<AlignedBuffer>& buffers, const NextChunkFn& next,
                   const StageFn& produce, const StageFn& consume) {
  struct Slot {
    Chunk chunk;
    Status status;
  };
  std::vector<Slot> slots(buffers.size());
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Slot*> free_slots, ready;
  bool producer_done = false, cancel = false;
  for (size_t i = 0; i < slots.size(); ++i) {
    slots[i].chunk.data = buffers[i].data();
    free_slots.push_back(&slots[i]);
  }

  std::thread worker([&] {
    for (;;) {
      Slot* s;
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return cancel || !free_slots.empty(); });
        if (cancel) break;
        s = free_slots.front();
        free_slots.pop_front();
      }
      s->chunk.bad.clear();
      bool more = next(&s->chunk.offset, &s->chunk.length);
      if (more) s->status = produce(s->chunk);
      std::lock_guard<std::mutex> l(mu);
      if (!more) break;
      ready.push_back(s);
      cv.notify_all();
      if (!s->status.ok()) break;
    }
    std::lock_guard<std::mutex> l(mu);
    producer_done = true;
    cv.notify_all();
  });

  Status result;
  for (;;) {
    Slot* s;
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return producer_done || !ready.empty(); });
      if (ready.empty()) break;
      s = ready.front();
      ready.pop_front();
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
  worker.join();
  return result;
}

}  // namespace custody::erase
