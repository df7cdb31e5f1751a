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

// ---- BatchHelper

BatchHelper::~BatchHelper() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BatchHelper::Start(std::function<Status()> task) {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  {
    std::lock_guard lock(mu_);
    task_ = std::move(task);
    busy_ = true;
  }
  cv_.notify_all();
}

Status BatchHelper::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
  return status_;
}

void BatchHelper::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return busy_ || stop_; });
    if (stop_) return;
    std::function<Status()> task = std::move(task_);
    lock.unlock();
    Status s = task();
    lock.lock();
    status_ = s;
    busy_ = false;
    cv_.notify_all();
  }
}

// ---- StreamWriter

StreamWriter::StreamWriter(std::unique_ptr<crypto::ChaChaPoly> aead,
                           std::unique_ptr<crypto::ChaChaPoly> helper_aead, ByteSink* sink)
    : aead_(std::move(aead)),
      helper_aead_(std::move(helper_aead)),
      sink_(sink),
      plain_(kBatchChunks * kChunkSize),
      sealed_(kBatchChunks * kEncryptedChunkSize) {}

// Plaintext buffers are wiped: they hold the data custody exists to protect.
StreamWriter::~StreamWriter() { WipeMemory(plain_.data(), plain_.size()); }

Result<std::unique_ptr<StreamWriter>> StreamWriter::Create(const SecretString& payload_key,
                                                           ByteSink* sink) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, crypto::ChaChaPoly::Create(payload_key));
  CUSTODY_ASSIGN_OR_RETURN(auto helper_aead, crypto::ChaChaPoly::Create(payload_key));
  return std::unique_ptr<StreamWriter>(
      new StreamWriter(std::move(aead), std::move(helper_aead), sink));
}

Status StreamWriter::SealRange(crypto::ChaChaPoly& aead, size_t from, size_t to, size_t n,
                               bool last) {
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  for (size_t i = from; i < to; ++i) {
    const size_t begin = i * kChunkSize;
    const size_t len = std::min(kChunkSize, plain_len_ - begin);
    MakeNonce(counter_ + i, last && i == n - 1, nonce);
    std::string_view pt(reinterpret_cast<const char*>(plain_.data() + begin), len);
    CUSTODY_RETURN_IF_ERROR(aead.Seal(nonce, pt, sealed_.data() + i * kEncryptedChunkSize));
  }
  return Status::Ok();
}

Status StreamWriter::SealBatch(bool last) {
  // Only the final chunk may be short (or, for an empty payload, empty), so
  // the sealed chunks lie back to back in sealed_.
  const size_t n = plain_len_ == 0 ? 1 : (plain_len_ + kChunkSize - 1) / kChunkSize;
  const size_t split = n >= 2 ? n / 2 : n;
  if (split < n) {
    helper_.Start([this, split, n, last] { return SealRange(*helper_aead_, split, n, n, last); });
  }
  Status mine = SealRange(*aead_, 0, split, n, last);
  Status theirs = split < n ? helper_.Wait() : Status::Ok();
  WipeMemory(plain_.data(), plain_len_);
  const size_t sealed_bytes = plain_len_ + n * crypto::kChaChaPolyTagSize;
  plain_len_ = 0;
  CUSTODY_RETURN_IF_ERROR(mine);
  CUSTODY_RETURN_IF_ERROR(theirs);
  CUSTODY_RETURN_IF_ERROR(
      sink_->Write(std::string_view(reinterpret_cast<const char*>(sealed_.data()), sealed_bytes)));
  counter_ += n;
  return Status::Ok();
}

Status StreamWriter::Write(std::string_view plaintext) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPreconditionError("age: Write after Finish");
  while (!plaintext.empty()) {
    if (plain_len_ == plain_.size()) {
      // More data follows a full batch, so none of its chunks is the last.
      Status s = SealBatch(/*last=*/false);
      if (!s.ok()) return error_ = s;
    }
    size_t k = std::min(plaintext.size(), plain_.size() - plain_len_);
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
  Status s = SealBatch(/*last=*/true);
  if (!s.ok()) error_ = s;
  return s;
}

// ---- StreamReader
//
// A batch of 16 chunks is read, then opened in two halves at once (see
// age_format.h); nothing of a chunk is returned before that chunk
// authenticated.
//
// Which chunk is last is decided from the input: a short chunk, or a full
// one with nothing after it. A chunk that does not open with that guess is
// tried with the other flag on this thread (rare: damage, truncation or
// trailing data), to report exactly what age reports.

StreamReader::StreamReader(std::unique_ptr<crypto::ChaChaPoly> aead,
                           std::unique_ptr<crypto::ChaChaPoly> helper_aead, BufferedReader* in)
    : aead_(std::move(aead)),
      helper_aead_(std::move(helper_aead)),
      in_(in),
      sealed_(kBatchChunks * kEncryptedChunkSize),
      plain_(kBatchChunks * kChunkSize) {}

StreamReader::~StreamReader() { WipeMemory(plain_.data(), plain_.size()); }

Result<std::unique_ptr<StreamReader>> StreamReader::Create(const SecretString& payload_key,
                                                           BufferedReader* in) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, crypto::ChaChaPoly::Create(payload_key));
  CUSTODY_ASSIGN_OR_RETURN(auto helper_aead, crypto::ChaChaPoly::Create(payload_key));
  return std::unique_ptr<StreamReader>(
      new StreamReader(std::move(aead), std::move(helper_aead), in));
}

Status StreamReader::OpenRange(crypto::ChaChaPoly& aead, size_t from, size_t to) {
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  for (size_t i = from; i < to; ++i) {
    MakeNonce(counter_ + i, expect_last_[i], nonce);
    std::string_view sealed(reinterpret_cast<const char*>(sealed_.data() + i * kEncryptedChunkSize),
                            sealed_len_[i]);
    CUSTODY_ASSIGN_OR_RETURN(opened_[i], aead.Open(nonce, sealed, plain_.data() + i * kChunkSize));
  }
  return Status::Ok();
}

Status StreamReader::ReadBatch() {
  // 1. Read up to kBatchChunks sealed chunks.
  size_t n = 0;
  bool end_of_input = false;
  // A malformed chunk after good ones: reported only once the chunks before
  // it have been judged, so the error is the one age gives (for example
  // "trailing data" when the chunk before it opens as the final one).
  Status read_problem;
  auto problem = [&](Status s) {
    if (n == 0) return s;
    read_problem = std::move(s);
    return Status::Ok();
  };
  while (n < kBatchChunks) {
    const std::string chunk_name = "payload chunk " + std::to_string(counter_ + n);
    CUSTODY_ASSIGN_OR_RETURN(
        size_t got, ReadFull(*in_, sealed_.data() + n * kEncryptedChunkSize, kEncryptedChunkSize));
    if (got == 0) {
      if (n > 0) break;  // The input ended after a full chunk: it is the final one (below).
      return TruncatedError(counter_ == 0
                                ? "the file ends right after its header: the payload is missing"
                                : "the file ends before its final chunk: it is truncated");
    }
    if (got < kEncryptedChunkSize) {
      if (got < crypto::kChaChaPolyTagSize) {
        CUSTODY_RETURN_IF_ERROR(problem(TruncatedError(
            chunk_name + " is shorter than its authentication tag: the file is truncated")));
        break;
      }
      // Only an empty file has an empty final chunk.
      if (got == crypto::kChaChaPolyTagSize && counter_ + n != 0) {
        CUSTODY_RETURN_IF_ERROR(
            problem(CorruptionError(chunk_name + " is an empty final chunk, which age forbids")));
        break;
      }
      sealed_len_[n++] = got;
      end_of_input = true;
      break;
    }
    sealed_len_[n++] = got;
  }
  if (!end_of_input && read_problem.ok()) {
    CUSTODY_ASSIGN_OR_RETURN(std::string_view more, in_->Peek(1));
    end_of_input = more.empty();
  }
  for (size_t i = 0; i < n; ++i) expect_last_[i] = end_of_input && i == n - 1;

  // 2. Open them: the second half on the helper thread.
  const size_t split = n >= 2 ? n / 2 : n;
  if (split < n) helper_.Start([this, split, n] { return OpenRange(*helper_aead_, split, n); });
  Status mine = OpenRange(*aead_, 0, split);
  Status theirs = split < n ? helper_.Wait() : Status::Ok();
  CUSTODY_RETURN_IF_ERROR(mine);
  CUSTODY_RETURN_IF_ERROR(theirs);

  // 3. In order: serve every chunk up to the first that did not open as
  // expected, and say why that one failed.
  size_t good = 0;
  for (; good < n; ++good) {
    if (!opened_[good]) break;
    if (expect_last_[good]) done_ = true;
  }
  plain_pos_ = 0;
  plain_len_ = 0;
  for (size_t i = 0; i < good; ++i) plain_len_ += sealed_len_[i] - crypto::kChaChaPolyTagSize;
  if (good < n) {
    const size_t i = good;
    const std::string chunk_name = "payload chunk " + std::to_string(counter_ + i);
    const bool full = sealed_len_[i] == kEncryptedChunkSize;
    bool ok = false;
    if (full) {  // A full chunk: try the other flag.
      uint8_t nonce[crypto::kChaChaPolyNonceSize];
      MakeNonce(counter_ + i, !expect_last_[i], nonce);
      std::string_view sealed(
          reinterpret_cast<const char*>(sealed_.data() + i * kEncryptedChunkSize), sealed_len_[i]);
      CUSTODY_ASSIGN_OR_RETURN(ok, aead_->Open(nonce, sealed, plain_.data() + i * kChunkSize));
    }
    if (!ok) {
      deferred_ = VerificationFailedError(
          chunk_name + " failed authentication: the file was modified, damaged or truncated");
    } else {
      plain_len_ += sealed_len_[i] - crypto::kChaChaPolyTagSize;
      done_ = true;
      deferred_ = expect_last_[i]
                      // It opened as a middle chunk, and nothing follows: the final chunk is gone.
                      ? TruncatedError("the file ends before its final chunk: it is truncated")
                      // It opened as the final chunk, and more follows it.
                      : CorruptionError("trailing data after the final chunk of the age payload");
    }
    // Nothing after the failing chunk is served.
    for (size_t j = good + 1; j < n; ++j) WipeMemory(plain_.data() + j * kChunkSize, kChunkSize);
  } else if (!read_problem.ok()) {
    deferred_ =
        std::move(read_problem);  // Every chunk before the bad one opened as a middle chunk.
  }
  counter_ += n;
  return Status::Ok();
}

Result<size_t> StreamReader::Read(uint8_t* buf, size_t n) {
  if (plain_pos_ == plain_len_) {
    if (!error_.ok()) return error_;
    if (!deferred_.ok()) return error_ = deferred_;
    if (done_ || n == 0) return size_t{0};
    WipeMemory(plain_.data(), plain_len_);
    Status s = ReadBatch();
    if (!s.ok()) return error_ = s;
    if (plain_pos_ == plain_len_) {  // Empty (whole) payload, or a first chunk that failed.
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
