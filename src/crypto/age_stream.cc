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
//
// Why batches on two threads: one ChaCha20-Poly1305 stream in Crypto++ runs
// at about 0.8 GB/s here, slower than `age -d`, and opening a package also
// hashes every byte. STREAM chunks are independent (the nonce is the chunk
// counter and the last flag), so a batch of 16 chunks is read, then opened in
// two halves at once. The plaintext still comes out strictly in order, and
// nothing of a chunk is returned before that chunk authenticated.
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

StreamReader::~StreamReader() {
  StopHelper();
  WipeMemory(plain_.data(), plain_.size());
}

void StreamReader::StopHelper() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    helper_stop_ = true;
  }
  cv_.notify_all();
  helper_.join();
}

Result<std::unique_ptr<StreamReader>> StreamReader::Create(const SecretString& payload_key,
                                                           BufferedReader* in) {
  CUSTODY_ASSIGN_OR_RETURN(auto aead, crypto::ChaChaPoly::Create(payload_key));
  CUSTODY_ASSIGN_OR_RETURN(auto helper_aead, crypto::ChaChaPoly::Create(payload_key));
  return std::unique_ptr<StreamReader>(new StreamReader(std::move(aead), std::move(helper_aead), in));
}

Status StreamReader::OpenRange(crypto::ChaChaPoly& aead, size_t from, size_t to) {
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  for (size_t i = from; i < to; ++i) {
    MakeNonce(counter_ + i, expect_last_[i], nonce);
    std::string_view sealed(reinterpret_cast<const char*>(sealed_.data() + i * kEncryptedChunkSize), sealed_len_[i]);
    CUSTODY_ASSIGN_OR_RETURN(opened_[i], aead.Open(nonce, sealed, plain_.data() + i * kChunkSize));
  }
  return Status::Ok();
}

void StreamReader::HelperLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return helper_busy_ || helper_stop_; });
    if (helper_stop_) return;
    const size_t from = helper_from_, to = helper_to_;
    lock.unlock();
    Status s = OpenRange(*helper_aead_, from, to);
    lock.lock();
    helper_status_ = s;
    helper_busy_ = false;
    cv_.notify_all();
  }
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
    CUSTODY_ASSIGN_OR_RETURN(size_t got, ReadFull(*in_, sealed_.data() + n * kEncryptedChunkSize, kEncryptedChunkSize));
    if (got == 0) {
      if (n > 0) break;  // The input ended after a full chunk: it is the final one (below).
      return TruncatedError(counter_ == 0 ? "the file ends right after its header: the payload is missing"
                                          : "the file ends before its final chunk: it is truncated");
    }
    if (got < kEncryptedChunkSize) {
      if (got < crypto::kChaChaPolyTagSize) {
        CUSTODY_RETURN_IF_ERROR(
            problem(TruncatedError(chunk_name + " is shorter than its authentication tag: the file is truncated")));
        break;
      }
      // Only an empty file has an empty final chunk.
      if (got == crypto::kChaChaPolyTagSize && counter_ + n != 0) {
        CUSTODY_RETURN_IF_ERROR(problem(CorruptionError(chunk_name + " is an empty final chunk, which age forbids")));
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
  if (split < n) {
    if (!helper_.joinable()) helper_ = std::thread([this] { HelperLoop(); });
    {
      std::lock_guard lock(mu_);
      helper_from_ = split;
      helper_to_ = n;
      helper_busy_ = true;
    }
    cv_.notify_all();
  }
  Status mine = OpenRange(*aead_, 0, split);
  if (split < n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !helper_busy_; });
  }
  CUSTODY_RETURN_IF_ERROR(mine);
  CUSTODY_RETURN_IF_ERROR(helper_status_);

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
      std::string_view sealed(reinterpret_cast<const char*>(sealed_.data() + i * kEncryptedChunkSize), sealed_len_[i]);
      CUSTODY_ASSIGN_OR_RETURN(ok, aead_->Open(nonce, sealed, plain_.data() + i * kChunkSize));
    }
    if (!ok) {
      deferred_ = VerificationFailedError(chunk_name +
                                          " failed authentication: the file was modified, damaged or truncated");
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
    deferred_ = std::move(read_problem);  // Every chunk before the bad one opened as a middle chunk.
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
