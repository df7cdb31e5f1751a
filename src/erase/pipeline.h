// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Double (or deeper) buffering for passes: a worker thread produces chunks
// (generates a pattern, or reads the device) while the calling thread
// consumes the previous one (writes it, or checks it), so the generator never
// stalls the device and the device never waits for the generator.
#ifndef CUSTODY_SRC_ERASE_PIPELINE_H_
#define CUSTODY_SRC_ERASE_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "custody/block_device.h"
#include "custody/status.h"
#include "custody/wipe.h"

namespace custody::erase {

struct Chunk {
  uint64_t offset = 0;
  size_t length = 0;
  uint8_t* data = nullptr;
  std::vector<ByteRange> bad;  // Producer's findings (unreadable sectors).
  // Verification done on the producer side: bytes that differ from the pass
  // and the mismatching sector ranges.
  uint64_t mismatched = 0;
  std::vector<ByteRange> found;
};

// Yields the next chunk's offset and length; false when done. Called on the
// worker thread only.
using NextChunkFn = std::function<bool(uint64_t* offset, size_t* length)>;
using StageFn = std::function<Status(Chunk&)>;

// Runs `produce` on a worker thread and `consume` on the caller's, in order,
// one buffer per chunk in flight. Stops at the first non-OK status from
// either stage and returns it, after the worker has finished.
Status RunPipeline(std::vector<AlignedBuffer>& buffers, const NextChunkFn& next,
                   const StageFn& produce, const StageFn& consume);

// The same with `workers` producer threads (at most buffers.size() - 1): each
// takes the next chunk in turn, so up to `workers` chunks are produced at
// once (reads in flight together, and their checks on different cores),
// while `consume` still sees the chunks in order on the caller's thread.
// `produce` gets the index (0..workers-1) of the thread that runs it.
using WorkerStageFn = std::function<Status(Chunk&, int worker)>;
Status RunParallelPipeline(std::vector<AlignedBuffer>& buffers, int workers,
                           const NextChunkFn& next, const WorkerStageFn& produce,
                           const StageFn& consume);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_PIPELINE_H_
