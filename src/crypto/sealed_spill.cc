// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/sealed_spill.h"

#include <algorithm>
#include <cstring>

#include "crypto/primitives.h"
#include "custody/env.h"
#include "custody/secret.h"

namespace custody::crypto {
namespace {

constexpr size_t kSealedChunkSize = SealedSpill::kChunkSize + kChaChaPolyTagSize;

}  // namespace

SealedSpill::SealedSpill(std::string dir, Env& env, size_t memory_limit)
    : SealedSpill(std::move(dir), env, memory_limit, LocalAeadChoice::kFastest) {}

SealedSpill::SealedSpill(std::string dir, Env& env, size_t memory_limit, LocalAeadChoice cipher)
    : dir_(std::move(dir)), env_(env), memory_limit_(memory_limit), cipher_(cipher) {}

SealedSpill::~SealedSpill() {
  WipeMemory(memory_.data(), memory_.size());
  WipeMemory(pending_.data(), pending_.size());
  if (plain_) WipeMemory(plain_.get(), kChunkSize);
}

Status SealedSpill::Append(std::string_view data) {
  if (finished_) return FailedPreconditionError("SealedSpill::Append after Finish");
  // After a failed write the file's chunks and the counters no longer agree:
  // every later call fails the same way.
  CUSTODY_RETURN_IF_ERROR(broken_);
  Status s = AppendUnchecked(data);
  if (!s.ok()) broken_ = s;
  return s;
}

Status SealedSpill::AppendUnchecked(std::string_view data) {
  if (!file_ && memory_.size() + data.size() <= memory_limit_) {
    memory_.append(data);
    size_ += data.size();
    return Status::Ok();
  }
  if (!file_) CUSTODY_RETURN_IF_ERROR(SpillOut());
  size_ += data.size();
  while (!data.empty()) {
    const size_t take = std::min(data.size(), kChunkSize - pending_.size());
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending_.size() == kChunkSize) {
      CUSTODY_RETURN_IF_ERROR(SealChunk(pending_));
      WipeMemory(pending_.data(), pending_.size());
      pending_.clear();
    }
  }
  return Status::Ok();
}

Status SealedSpill::SpillOut() {
  // The key first: the file exists only with a way to seal it.
  SecretString key(kChaChaPolyKeySize);
  CUSTODY_RETURN_IF_ERROR(env_.RandomBytes(key.mutable_bytes(), key.size()));
  CUSTODY_ASSIGN_OR_RETURN(aead_, NewLocalAead(key, cipher_));
  // Unnamed (Env::NewScratchFile): nothing to remove after a crash.
  CUSTODY_ASSIGN_OR_RETURN(file_, env_.NewScratchFile(dir_));
  sealed_.reset(new uint8_t[kSealedChunkSize]);
  plain_.reset(new uint8_t[kChunkSize]);
  pending_.reserve(kChunkSize);
  std::string_view held = memory_;
  while (held.size() >= kChunkSize) {
    CUSTODY_RETURN_IF_ERROR(SealChunk(held.substr(0, kChunkSize)));
    held.remove_prefix(kChunkSize);
  }
  pending_.assign(held);
  WipeMemory(memory_.data(), memory_.size());
  std::string().swap(memory_);  // Give the memory back, not just its contents.
  return Status::Ok();
}

void SealedSpill::Nonce(uint64_t chunk, uint8_t out[12]) const {
  std::memset(out, 0, 12);
  for (int i = 0; i < 8; ++i) out[11 - i] = static_cast<uint8_t>(chunk >> (8 * i));
}

Status SealedSpill::SealChunk(std::string_view plain) {
  uint8_t nonce[kChaChaPolyNonceSize];
  Nonce(chunks_, nonce);
  CUSTODY_RETURN_IF_ERROR(aead_->Seal(nonce, plain, sealed_.get()));
  CUSTODY_RETURN_IF_ERROR(file_->WriteAt(
      chunks_ * kSealedChunkSize,
      std::string_view(reinterpret_cast<const char*>(sealed_.get()), plain.size() + kChaChaPolyTagSize)));
  ++chunks_;
  return Status::Ok();
}

Status SealedSpill::Finish() {
  if (finished_) return Status::Ok();
  CUSTODY_RETURN_IF_ERROR(broken_);
  if (file_ && !pending_.empty()) {
    if (Status s = SealChunk(pending_); !s.ok()) {
      broken_ = s;
      return s;
    }
    WipeMemory(pending_.data(), pending_.size());
    std::string().swap(pending_);
  }
  finished_ = true;
  return Rewind();
}

Status SealedSpill::Rewind() {
  if (!finished_) return FailedPreconditionError("SealedSpill read before Finish");
  read_chunk_ = 0;
  memory_served_ = false;
  return Status::Ok();
}

Result<std::string_view> SealedSpill::Next() {
  if (!finished_) return FailedPreconditionError("SealedSpill read before Finish");
  if (!file_) {
    if (memory_served_) return std::string_view();
    memory_served_ = true;
    return std::string_view(memory_);
  }
  if (read_chunk_ == chunks_) return std::string_view();
  // Every chunk is full but the last, whose size follows from the total.
  const uint64_t spilled_before = read_chunk_ * kChunkSize;
  const size_t plain_len = static_cast<size_t>(std::min<uint64_t>(kChunkSize, size_ - spilled_before));
  const size_t sealed_len = plain_len + kChaChaPolyTagSize;
  Status read = file_->ReadAt(read_chunk_ * kSealedChunkSize, sealed_.get(), sealed_len);
  // kCorruption: shorter than written, so changed; other errors are the OS's.
  if (!read.ok() && read.code() != StatusCode::kCorruption) {
    return read.WithContext("reading back custody's temporary file");
  }
  uint8_t nonce[kChaChaPolyNonceSize];
  Nonce(read_chunk_, nonce);
  bool opened = false;
  if (read.ok()) {  // Cut short: changed, like a chunk that does not open.
    CUSTODY_ASSIGN_OR_RETURN(
        opened, aead_->Open(nonce, std::string_view(reinterpret_cast<char*>(sealed_.get()), sealed_len), plain_.get()));
  }
  if (!opened) {
    return VerificationFailedError("custody's temporary file in " + dir_ +
                                   " was changed while custody was using it; nothing was signed. Check what "
                                   "else writes there and try again");
  }
  ++read_chunk_;
  return std::string_view(reinterpret_cast<char*>(plain_.get()), plain_len);
}

Status SealedSpill::FlipByteForTesting(uint64_t offset) {
  if (!file_) return FailedPreconditionError("nothing was spilled");
  uint8_t b = 0;
  CUSTODY_RETURN_IF_ERROR(file_->ReadAt(offset, &b, 1));
  b ^= 0x01;
  return file_->WriteAt(offset, std::string_view(reinterpret_cast<const char*>(&b), 1));
}

}  // namespace custody::crypto
