// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SealedSpill: an append-then-read buffer for data that can outgrow memory
// but must not reach the disk readable, such as the manifest of a package
// being created (the names and SHA-256 of confidential files: 15 MB at
// 100,000 files, 150 MB at a million).
//
// Up to `memory_limit` bytes stay in memory. Beyond that, everything goes to
// an unnamed temporary file in `dir` (Env::NewScratchFile: O_TMPFILE, or
// created and unlinked at once where the file system has no O_TMPFILE),
// sealed in 64 KiB chunks with an AEAD (NewLocalAead: AES-256-GCM where the
// CPU accelerates it, else ChaCha20-Poly1305) under a random key that exists
// only in this object.
// Why sealed and not just unlinked: an unlinked file's blocks are still on
// the disk after a crash or power loss, readable by whoever gets the disk;
// under a key that was never written anywhere they are noise. Why
// authenticated: what is read back is signed, so a change made to the file
// while it is in use must be an error, never part of a signature. The nonce
// is the chunk number (each key seals one file once); the number of chunks
// and the total size are kept in memory, so truncation and reordering fail
// too.
//
// Thread safety: one thread at a time.
#ifndef CUSTODY_SRC_CRYPTO_SEALED_SPILL_H_
#define CUSTODY_SRC_CRYPTO_SEALED_SPILL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "custody/message_source.h"
#include "custody/status.h"

namespace custody {
class Env;
class ScratchFile;
}

namespace custody::crypto {

class Aead;
enum class LocalAeadChoice;

class SealedSpill final : public MessageSource {
 public:
  static constexpr size_t kChunkSize = 64 * 1024;
  static constexpr size_t kDefaultMemoryLimit = 4u << 20;

  // `env` gives the key's randomness and must outlive the object. Nothing is
  // created on disk until the data outgrows `memory_limit`. `cipher`:
  // NewLocalAead's choice (tests pick each cipher).
  SealedSpill(std::string dir, Env& env, size_t memory_limit = kDefaultMemoryLimit);
  SealedSpill(std::string dir, Env& env, size_t memory_limit, LocalAeadChoice cipher);
  ~SealedSpill() override;  // Wipes the plaintext it holds; closes the file.
  SealedSpill(const SealedSpill&) = delete;
  SealedSpill& operator=(const SealedSpill&) = delete;

  // Writing. Errors: the OS's (no space in `dir`, ...), kFailedPrecondition
  // after Finish. After an error every later Append and Finish returns it.
  Status Append(std::string_view data);
  // The caller expects about `n` bytes: while they fit in memory, memory is
  // allocated once for them instead of doubling (each doubling touches new
  // pages). Beyond the limit, nothing.
  void Reserve(uint64_t n) {
    if (!file_ && n <= memory_limit_) memory_.reserve(static_cast<size_t>(n));
  }
  // Ends writing; then Rewind/Next read the data back, any number of times.
  Status Finish();

  uint64_t size() const { return size_; }
  // After Finish, the data when it stayed in memory (valid while the object
  // lives and is not appended to): other threads may read it while this
  // one reads through Next. Nothing when it was spilled.
  std::optional<std::string_view> InMemory() const {
    if (!finished_ || file_) return std::nullopt;
    return std::string_view(memory_);
  }
  bool spilled() const { return file_ != nullptr; }

  // MessageSource. Next gives the data in pieces of up to kChunkSize (all
  // of it at once while it is in memory). kFailedPrecondition before
  // Finish; kVerificationFailed if the file was changed, cut or reordered.
  Status Rewind() override;
  Result<std::string_view> Next() override;

  // Tests only: flips one byte of the file at `offset` (kFailedPrecondition
  // when nothing was spilled, kCorruption past its end).
  Status FlipByteForTesting(uint64_t offset);

 private:
  Status AppendUnchecked(std::string_view data);
  Status SpillOut();               // Opens the file, moves memory_ into it.
  Status SealChunk(std::string_view plain);
  void Nonce(uint64_t chunk, uint8_t out[12]) const;

  const std::string dir_;
  Env& env_;
  const size_t memory_limit_;
  const LocalAeadChoice cipher_;
  std::string memory_;   // The data while it fits (wiped when it moves).
  std::string pending_;  // Spilled: the chunk being filled.
  std::unique_ptr<Aead> aead_;
  std::unique_ptr<ScratchFile> file_;  // Once spilled.
  uint64_t size_ = 0;
  uint64_t chunks_ = 0;  // Sealed and written.
  bool finished_ = false;
  Status broken_;  // The first failure of a write: every later call returns it.
  // Reading.
  uint64_t read_chunk_ = 0;
  bool memory_served_ = false;
  std::unique_ptr<uint8_t[]> sealed_, plain_;
};

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_SEALED_SPILL_H_
