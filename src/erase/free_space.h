// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The part of WipeFreeSpace (custody/wipe.h) that writes: after the mounted
// file system was identified (mount table, statvfs), everything it does to
// the file system goes through the Env, so tests inject EIO, ENOSPC, failed
// syncs and lost unsynced data (tests/erase/free_space_test.cc).
#ifndef CUSTODY_SRC_ERASE_FREE_SPACE_H_
#define CUSTODY_SRC_ERASE_FREE_SPACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/env.h"
#include "custody/wipe.h"

namespace custody::erase {

// Fills the free space of the file system at `mount_point` once per pass
// (files in a hidden directory until the file system is full), syncs,
// verifies as the plan says, removes the files, and sends the final event to
// options.sink. `ev` arrives with the identity fields (wipe_id, mount point,
// fs type, device, plan, passes, free/reserved bytes, limitations, warnings)
// filled; `total_hint` is the expected fill size for progress. Returns the
// final event whatever the result; a non-OK Result only when the sink refused
// it. `fill_file_bytes` caps each fill file (0: 1 GiB, under FAT's 4 GiB
// limit); tests lower it to reach a file system that is full exactly at a
// file boundary, where creating the next file fails ENOSPC.
Result<FreeSpaceWipeEvent> FillFreeSpace(const std::string& mount_point,
                                         const std::vector<WipePass>& passes, uint64_t total_hint,
                                         const WipeOptions& options, Env* env,
                                         FreeSpaceWipeEvent ev, uint64_t fill_file_bytes = 0);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_FREE_SPACE_H_
