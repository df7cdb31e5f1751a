// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Small POSIX helpers shared by the real Env and the block-device layer:
// one place that retries EINTR and short writes and turns errno into Status.
#ifndef CUSTODY_SRC_ENV_POSIX_IO_H_
#define CUSTODY_SRC_ENV_POSIX_IO_H_

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "custody/status.h"

namespace custody::posix {

// Maps errno to a Status naming the operation and the path, carrying `err`
// (Status::os_error). The text is glibc's English description, independent
// of the locale.
Status ErrnoStatus(const std::string& op, const std::string& path, int err);
// glibc's English description of `err` ("No space left on device").
std::string ErrnoText(int err);

template <typename F>
auto RetryOnEintr(F f) -> decltype(f()) {
  decltype(f()) r;
  do {
    r = f();
  } while (r < 0 && errno == EINTR);
  return r;
}

// The write(2) used by WriteAll; tests replace it to inject short writes,
// EINTR and EIO. Not thread-safe to change while writes are in flight.
using WriteFn = ssize_t (*)(int fd, const void* buf, size_t n);
void SetWriteFnForTesting(WriteFn fn);  // nullptr restores ::write.

// Writes all n bytes, retrying short writes and EINTR.
Status WriteAll(int fd, const void* data, size_t n, const std::string& path);
// pwrite(2) variant at `offset`.
Status PwriteAll(int fd, const void* data, size_t n, uint64_t offset,
                 const std::string& path);
// Reads exactly n bytes at `offset` (kTruncated at end of file).
Status PreadAll(int fd, void* data, size_t n, uint64_t offset, const std::string& path);
// Reads up to n bytes at `offset` (retrying EINTR and short reads); fewer
// only where the file ends. Returns how many.
Result<size_t> PreadUpTo(int fd, void* data, size_t n, uint64_t offset, const std::string& path);
Status FsyncFd(int fd, const std::string& path);

// Calls `fn` with the name of each entry of `dir` but "." and "..", as the
// directory is read (nothing is gathered); stops at `fn`'s first error and
// returns it, or the error of reading the directory.
Status ForEachDirectoryEntry(const std::string& dir,
                             const std::function<Status(const std::string& name)>& fn);
// The same with each entry's d_type (DT_REG, DT_DIR, ...; DT_UNKNOWN where
// the file system does not say).
Status ForEachTypedDirectoryEntry(
    const std::string& dir, const std::function<Status(const std::string& name, unsigned char d_type)>& fn);

// The process's umask, read from /proc/self/status (reading it with
// umask(2) would change it for a moment under other threads); nullopt when
// the kernel does not say.
std::optional<unsigned> ReadUmask();

// Renames `from` to `to` unless `to` exists (kAlreadyExists), for file
// systems that refuse renameat2(RENAME_NOREPLACE): a hard link is made (it
// fails with EEXIST as atomically) and `from` unlinked; where links are
// refused too (FAT, directories), `to` is looked up just before a plain
// rename (a name made in that instant would be replaced).
Status RenameNoReplaceWithoutRenameat2(const std::string& from, const std::string& to);

}  // namespace custody::posix

#endif  // CUSTODY_SRC_ENV_POSIX_IO_H_
