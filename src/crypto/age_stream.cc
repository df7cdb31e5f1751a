// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The age payload: STREAM over ChaCha20-Poly1305 with 64 KiB chunks. Nonce =
// 11-byte big-endian chunk counter || 1-byte last-chunk flag.
#include <algorithm>
#include <cstring>

#include "crypto/age_format.h"

namespace custody::age::internal {
namespace {

constexpr uint8_t kLastChunkFlag = 0x01;

void MakeNonce(uint64_t counter, bool last, uint8_t nonce[crypto::kChaChaPolyNonceSize]) {
  // Bytes 0..2 of the 88-bit counter stay zero: 2^64 chunks of 64 KiB is
  // beyond any file.
  std::memset(nonce, 0, crypto::kChaChaPolyNonceSize);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  nonce[crypto::kChaChaPolyNonceSize - 1] = last ? kLastChunkFlag : 0;
}

}  // namespace

// ---- StreamWriter

StreamWriter::StreamWriter(std::unique_ptr<crypto::ChaChaPoly> aead, ByteSink* sink)
    : aead_(std::move(aead)), sink_(sink), plain_(kChunkSize), sealed_(kEncryptedChunkSize) {}

// Plaintext buffers are wiped: they hold the data custody exists to protect.
StreamWriter::~StreamWriter() { WipeMemory(plain_.data(), plain_.size()); }

Result<std::unique_ptr<StreamWriter>> StreamWriter::Create(const SecretString& payload_key,
                                                           ByteSink* sink) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, crypto::ChaChaPoly::Create(payload_key));
  return std::unique_ptr<StreamWriter>(new StreamWriter(std::move(aead), sink));
}

Status StreamWriter::Flush(bool last) {
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  MakeNonce(counter_, last, nonce);
  std::string_view pt(reinterpret_cast<const char*>(plain_.data()), plain_len_);
  Status s = aead_->Seal(nonce, pt, sealed_.data());
  WipeMemory(plain_.data(), plain_len_);
  if (!s.ok()) return s;
  CUSTODY_RETURN_IF_ERROR(sink_->Write(std::string_view(
      reinterpret_cast<const char*>(sealed_.data()), plain_len_ + crypto::kChaChaPolyTagSize)));
  plain_len_ = 0;
  ++counter_;
  return Status::Ok();
}

Status StreamWriter::Write(std::string_view plaintext) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPreconditionError("age: Write after Finish");
  while (!plaintext.empty()) {
    if (plain_len_ == 0 && plaintext.size() > kChunkSize) {
      // A whole chunk with more data after it: seal straight from the
      // caller's buffer, saving a copy of every byte of large writes.
      uint8_t nonce[crypto::kChaChaPolyNonceSize];
      MakeNonce(counter_, /*last=*/false, nonce);
      Status s = aead_->Seal(nonce, plaintext.substr(0, kChunkSize), sealed_.data());
      if (s.ok()) {
        s = sink_->Write(
            std::string_view(reinterpret_cast<const char*>(sealed_.data()), kEncryptedChunkSize));
      }
      if (!s.ok()) return error_ = s;
      ++counter_;
      total_ += kChunkSize;
      plaintext.remove_prefix(kChunkSize);
      continue;
    }
    if (plain_len_ == kChunkSize) {
      // More data follows a full chunk, so it is not the last one.
      Status s = Flush(/*last=*/false);
      if (!s.ok()) return error_ = s;
    }
    size_t k = std::min(plaintext.size(), kChunkSize - plain_len_);
    std::memcpy(plain_.data() + plain_len_, plaintext.data(), k);
    plain_len_ += k;
    total_ += k;
    plaintext.remove_prefix(k);
  }
  return Status::Ok();
}

Status StreamWriter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPreconditionError("age: Finish called twice");
  finished_ = true;
  Status s = Flush(/*last=*/true);
  if (!s.ok()) error_ = s;
  return s;
}

// ---- StreamReader

StreamReader::StreamReader(std::unique_ptr<crypto::ChaChaPoly> aead, BufferedReader* in)
    : aead_(std::move(aead)), in_(in), sealed_(kEncryptedChunkSize), plain_(kChunkSize) {}

StreamReader::~StreamReader() { WipeMemory(plain_.data(), plain_.size()); }

Result<std::unique_ptr<StreamReader>> StreamReader::Create(const SecretString& payload_key,
                                                           BufferedReader* in) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, crypto::ChaChaPoly::Create(payload_key));
  return std::unique_ptr<StreamReader>(new StreamReader(std::move(aead), in));
}

void StreamReader::SetNonce(bool last) { MakeNonce(counter_, last, nonce_); }

Status StreamReader::ReadChunk() {
  CUSTODY_ASSIGN_OR_RETURN(size_t got, ReadFull(*in_, sealed_.data(), kEncryptedChunkSize));
  const std::string chunk_name = "payload chunk " + std::to_string(counter_);
  if (got == 0) {
    return TruncatedError(counter_ == 0
                              ? "the file ends right after its header: the payload is missing"
                              : "the file ends before its final chunk: it is truncated");
  }
  bool last = false;
  if (got < kEncryptedChunkSize) {
    if (got < crypto::kChaChaPolyTagSize) {
      return TruncatedError(chunk_name +
                            " is shorter than its authentication tag: the file is "
                            "truncated");
    }
    // Only an empty file has an empty final chunk.
    if (got == crypto::kChaChaPolyTagSize && counter_ != 0) {
      return CorruptionError(chunk_name + " is an empty final chunk, which age forbids");
    }
    last = true;  // Short chunks can only be final.
  }
  std::string_view sealed(reinterpret_cast<const char*>(sealed_.data()), got);
  SetNonce(last);
  CUSTODY_ASSIGN_OR_RETURN(bool ok, aead_->Open(nonce_, sealed, plain_.data()));
  if (!ok && !last) {
    // A full chunk may still be the final one.
    last = true;
    SetNonce(true);
    CUSTODY_ASSIGN_OR_RETURN(ok, aead_->Open(nonce_, sealed, plain_.data()));
  }
  if (!ok) {
    return VerificationFailedError(chunk_name +
                                   " failed authentication: the file was modified, damaged or "
                                   "truncated");
  }
  plain_pos_ = 0;
  plain_len_ = got - crypto::kChaChaPolyTagSize;
  ++counter_;
  if (last) {
    done_ = true;
    if (got == kEncryptedChunkSize) {
      // ReadFull stopped at the chunk size, not at the end of input: check
      // that nothing follows the final chunk.
      auto more = in_->Peek(1);
      if (!more.ok()) {
        deferred_ = more.status();
      } else if (!more->empty()) {
        deferred_ = CorruptionError("trailing data after the final chunk of the age payload");
      }
    }
  }
  return Status::Ok();
}

Result<size_t> StreamReader::Read(uint8_t* buf, size_t n) {
  if (plain_pos_ == plain_len_) {
    if (!error_.ok()) return error_;
    if (!deferred_.ok()) return error_ = deferred_;
    if (done_ || n == 0) return size_t{0};
    WipeMemory(plain_.data(), plain_len_);
    Status s = ReadChunk();
    if (!s.ok()) return error_ = s;
    if (plain_pos_ == plain_len_) {  // Empty (whole) payload.
      if (!deferred_.ok()) return error_ = deferred_;
      return size_t{0};
    }
  }
  size_t k = std::min(n, plain_len_ - plain_pos_);
  std::memcpy(buf, plain_.data() + plain_pos_, k);
  plain_pos_ += k;
  return k;
}

}  // namespace custody::age::internal
