// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The part of WipeFreeSpace (custody/wipe.h) that writes: after the mounted
// file system was identified (mount table, statvfs), everything it does to
// the file system goes through the Env, so tests inject EIO, ENOSPC, failed
// syncs and lost unsynced data (tests/erase/free_space_test.cc).
#ifndef CUSTODY_SRC_ERASE_FREE_SPACE_H_
#define CUSTODY_SRC_ERASE_FREE_SPACE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "custody/env.h"
#include "custody/wipe.h"

namespace custody::erase {

// How FillFreeSpace fills: the expected fill size for progress, the cap on
// each fill file, and the file system's own hold-back.
struct FreeSpaceFill {
  uint64_t total_hint = 0;
  // Caps each fill file (0: 1 GiB, under FAT's 4 GiB limit); tests lower it
  // to reach a file system that is full exactly at a file boundary, where
  // creating the next file fails ENOSPC.
  uint64_t fill_file_bytes = 0;
  // ext4's /sys/fs/ext4/DEV/reserved_clusters (empty: none): clusters held
  // back even from root. Lowered to 0 for each fill, restored right after
  // it (also when the fill fails or is stopped); a leftover fill directory
  // of a crashed run holds the value to restore.
  std::string reserve_control;
  // Writes the file system's journal home (ext4: EXT4_IOC_CHECKPOINT) while
  // the fill files exist. The metadata blocks the fill takes from free space
  // (its files' extent blocks, its directory's blocks) are written to the
  // journal first; one freed again before the journal is checkpointed is
  // never written at its home location and keeps the deleted data it held.
  // Empty: not needed or not possible (the event says so).
  std::function<Status()> checkpoint;
  std::string checkpoint_missing;  // Why there is none, for the limitation.
};

// Removes the fill directories (.custody-free-space-*) an earlier run left
// at `mount_point` (a crash or a power cut during its fill), restoring the
// reserve that run had lowered when it is still 0; returns their names.
Result<std::vector<std::string>> RemoveLeftoverFills(const std::string& mount_point,
                                                     const std::string& reserve_control, Env* env);

// Fills the free space of the file system at `mount_point` once per pass
// (files in a hidden directory until the file system is full), syncs,
// measures what the file system still counts free (Env::StatFileSystem),
// verifies as the plan says, removes the files, and sends the final event to
// options.sink. Leftover fill directories of earlier runs are removed first,
// then wipe.free-space.started goes to the sink before anything is written.
// `ev` arrives with the identity fields (wipe_id, mount point, fs type,
// device, plan, passes, free/reserved bytes, limitations, warnings) filled.
// Returns the final event whatever the result; a non-OK Result only when
// nothing was written: the sink refused wipe.free-space.started, a leftover
// fill could not be removed, or another free-space wipe holds the lock on
// `mount_point` (kBusy, naming its pid).
Result<FreeSpaceWipeEvent> FillFreeSpace(const std::string& mount_point,
                                         const std::vector<WipePass>& passes,
                                         const FreeSpaceFill& fill, const WipeOptions& options,
                                         Env* env, FreeSpaceWipeEvent ev);

}  // namespace custody::erase

#endif  // CUSTODY_SRC_ERASE_FREE_SPACE_H_
