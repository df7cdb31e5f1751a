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

// ---- WorkerPool

void WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
    if (threads_.size() < threads_wanted_ && !stop_) threads_.emplace_back([this] { Loop(); });
  }
  cv_.notify_one();
}

bool WorkerPool::RunOne() {
  std::function<void()> task;
  {
    std::lock_guard lock(mu_);
    if (tasks_.empty() || stop_) return false;
    task = std::move(tasks_.front());
    tasks_.pop_front();
  }
  task();
  return true;
}

size_t StreamWorkerCount() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<size_t>(cores > 1 ? cores - 1 : 1, 1, 3);
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    tasks_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
    if (stop_) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

// ---- StreamWriter

// Plaintext buffers are wiped: they hold the data custody exists to protect.
StreamWriter::~StreamWriter() {
  workers_.Shutdown();
  for (Batch& b : batches_) {
    if (b.plain) WipeMemory(b.plain.get(), b.plain_len);
  }
}

Result<std::unique_ptr<StreamWriter>> StreamWriter::Create(const SecretString& payload_key,
                                                           ByteSink* sink) {
  auto w = std::unique_ptr<StreamWriter>(new StreamWriter(sink));
  for (Batch& b : w->batches_) {
    CUSTODY_ASSIGN_OR_RETURN(b.aead, crypto::ChaChaPoly::Create(payload_key));
  }
  return w;
}

Status StreamWriter::Acquire() {
  Batch& b = batches_[next_seq_ % kBatches];
  {
    std::unique_lock lock(mu_);
    while (b.state != State::kFree) {
      // Only this thread submits, so with nothing queued a worker has the
      // batch that frees `b`.
      lock.unlock();
      const bool ran = workers_.RunOne();
      lock.lock();
      if (!ran) cv_.wait(lock, [&] { return b.state == State::kFree; });
    }
    if (!error_.ok()) return error_;
    b.state = State::kFilling;
  }
  // Allocated on first use and never zero-filled: a small payload touches
  // only the pages it fills (each first touch is a page fault, ~25 us here).
  if (!b.plain) b.plain = std::make_unique_for_overwrite<uint8_t[]>(kBatchChunks * kChunkSize);
  if (!b.sealed)
    b.sealed = std::make_unique_for_overwrite<uint8_t[]>(kBatchChunks * kEncryptedChunkSize);
  b.plain_len = 0;
  filling_ = &b;
  ++next_seq_;
  return Status::Ok();
}

void StreamWriter::Submit(bool last) {
  Batch& b = *filling_;
  filling_ = nullptr;
  // Only the final chunk may be short (or, for an empty payload, empty), so
  // the sealed chunks lie back to back in `sealed`.
  const size_t n = b.plain_len == 0 ? 1 : (b.plain_len + kChunkSize - 1) / kChunkSize;
  b.counter = counter_;
  b.last = last;
  counter_ += n;
  bool alone;
  {
    std::lock_guard lock(mu_);
    b.state = State::kSealing;
    alone = write_seq_ + 1 == next_seq_;
  }
  if (last && alone) {
    Seal(b);  // Here: a payload of one batch never starts a thread.
    return;
  }
  workers_.Submit([this, &b] { Seal(b); });
}

void StreamWriter::Seal(Batch& b) {
  const size_t n = b.plain_len == 0 ? 1 : (b.plain_len + kChunkSize - 1) / kChunkSize;
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  Status s;
  for (size_t i = 0; i < n && s.ok(); ++i) {
    const size_t begin = i * kChunkSize;
    const size_t len = std::min(kChunkSize, b.plain_len - begin);
    MakeNonce(b.counter + i, b.last && i == n - 1, nonce);
    std::string_view pt(reinterpret_cast<const char*>(b.plain.get() + begin), len);
    s = b.aead->Seal(nonce, pt, b.sealed.get() + i * kEncryptedChunkSize);
  }
  WipeMemory(b.plain.get(), b.plain_len);
  b.sealed_len = b.plain_len + n * crypto::kChaChaPolyTagSize;
  b.plain_len = 0;
  std::unique_lock lock(mu_);
  b.status = s;
  b.state = State::kSealed;
  WriteInOrder(lock);
}

void StreamWriter::WriteInOrder(std::unique_lock<std::mutex>& lock) {
  // One worker writes at a time; whichever finds the next batch sealed
  // writes it, and any that follow it already sealed.
  while (!writing_) {
    Batch& b = batches_[write_seq_ % kBatches];
    if (b.state != State::kSealed) return;
    writing_ = true;
    Status s = error_.ok() ? b.status : error_;
    lock.unlock();
    if (s.ok())
      s = sink_->Write(
          std::string_view(reinterpret_cast<const char*>(b.sealed.get()), b.sealed_len));
    lock.lock();
    if (error_.ok() && !s.ok()) error_ = s;
    b.state = State::kFree;
    ++write_seq_;
    writing_ = false;
    cv_.notify_all();
  }
}

Status StreamWriter::Write(std::string_view plaintext) {
  if (finished_) return FailedPreconditionError("age: Write after Finish");
  {
    std::lock_guard lock(mu_);
    if (!error_.ok()) return error_;
  }
  const size_t capacity = kBatchChunks * kChunkSize;
  while (!plaintext.empty()) {
    if (filling_ != nullptr && filling_->plain_len == capacity) {
      // More data follows a full batch, so none of its chunks is the last.
      Submit(/*last=*/false);
    }
    if (filling_ == nullptr) CUSTODY_RETURN_IF_ERROR(Acquire());
    size_t k = std::min(plaintext.size(), capacity - filling_->plain_len);
    std::memcpy(filling_->plain.get() + filling_->plain_len, plaintext.data(), k);
    filling_->plain_len += k;
    total_ += k;
    plaintext.remove_prefix(k);
  }
  return Status::Ok();
}

Status StreamWriter::Finish() {
  if (finished_) return FailedPreconditionError("age: Finish called twice");
  finished_ = true;
  if (filling_ == nullptr) {
    Status s = Acquire();  // An empty payload is one empty final chunk.
    if (!s.ok()) return s;
  }
  Submit(/*last=*/true);
  std::unique_lock lock(mu_);
  while (write_seq_ != next_seq_) {
    lock.unlock();
    const bool ran = workers_.RunOne();
    lock.lock();
    if (!ran) cv_.wait(lock, [this] { return write_seq_ == next_seq_; });
  }
  return error_;
}

// ---- StreamReader
//
// Batches of 16 chunks are read ahead on the caller's thread and opened by
// the workers (see above); nothing of a chunk is returned before that chunk
// authenticated.
//
// Which chunk is last is decided from the input: a short chunk, or a full
// one with nothing after it. A chunk that does not open with that guess is
// tried with the other flag on this thread (rare: damage, truncation or
// trailing data), to report exactly what age reports.

StreamReader::StreamReader(BufferedReader* in, bool short_end_is_truncation)
    : in_(in), short_end_is_truncation_(short_end_is_truncation), workers_(StreamWorkerCount()) {}

StreamReader::~StreamReader() {
  workers_.Shutdown();
  for (Batch& b : batches_) {
    if (b.plain) WipeMemory(b.plain.get(), b.plain_dirty);
  }
}

Result<std::unique_ptr<StreamReader>> StreamReader::Create(const SecretString& payload_key,
                                                           BufferedReader* in,
                                                           bool short_end_is_truncation) {
  auto r = std::unique_ptr<StreamReader>(new StreamReader(in, short_end_is_truncation));
  for (Batch& b : r->batches_) {
    CUSTODY_ASSIGN_OR_RETURN(b.aead, crypto::ChaChaPoly::Create(payload_key));
  }
  return r;
}

Status StreamReader::OpenRange(Batch& b, size_t from, size_t to) {
  uint8_t nonce[crypto::kChaChaPolyNonceSize];
  for (size_t i = from; i < to; ++i) {
    MakeNonce(b.counter + i, b.expect_last[i], nonce);
    std::string_view sealed(reinterpret_cast<const char*>(b.sealed.get() + i * kEncryptedChunkSize),
                            b.sealed_len[i]);
    CUSTODY_ASSIGN_OR_RETURN(b.opened[i],
                             b.aead->Open(nonce, sealed, b.plain.get() + i * kChunkSize));
  }
  return Status::Ok();
}

void StreamReader::ReadAhead(Batch& b) {
  if (!b.sealed)
    b.sealed = std::make_unique_for_overwrite<uint8_t[]>(kBatchChunks * kEncryptedChunkSize);
  if (!b.plain) b.plain = std::make_unique_for_overwrite<uint8_t[]>(kBatchChunks * kChunkSize);
  b.n = 0;
  b.counter = read_counter_;
  b.read_error = Status::Ok();
  b.read_problem = Status::Ok();
  b.open_status = Status::Ok();
  b.ready = false;
  size_t& n = b.n;
  bool end_of_input = false;
  // A malformed chunk after good ones: reported only once the chunks before
  // it have been judged, so the error is the one age gives (for example
  // "trailing data" when the chunk before it opens as the final one).
  auto problem = [&](Status s) {
    if (n == 0) {
      b.read_error = std::move(s);
    } else {
      b.read_problem = std::move(s);
    }
  };
  auto fail = [&](Status s) {
    b.read_error = std::move(s);
    b.ready = true;
    input_done_ = true;
  };
  // The chunks lie back to back in `sealed` as in the file: one read for the
  // whole batch, which the buffered reader passes to the file mostly without
  // a copy through its own buffer.
  auto total_or = ReadFull(*in_, b.sealed.get(), kBatchChunks * kEncryptedChunkSize);
  if (!total_or.ok()) return fail(total_or.status());
  const size_t total = *total_or;
  for (size_t at = 0; n < kBatchChunks; at += kEncryptedChunkSize) {
    const size_t got = std::min(kEncryptedChunkSize, total - at);
    const uint64_t index = b.counter + n;
    if (got == 0) {
      if (n > 0) break;  // The input ended after a full chunk: it is the final one (below).
      return fail(
          TruncatedError(index == 0 ? "the file ends right after its header: the payload is missing"
                                    : "the file ends before its final chunk: it is truncated"));
    }
    if (got < kEncryptedChunkSize) {
      const std::string chunk_name = "payload chunk " + std::to_string(index);
      if (got < crypto::kChaChaPolyTagSize) {
        problem(TruncatedError(chunk_name +
                               " is shorter than its authentication tag: the file is truncated"));
        break;
      }
      // Only an empty file has an empty final chunk. A tag's worth of bytes
      // that does not open as one is the start of a chunk cut short.
      if (got == crypto::kChaChaPolyTagSize && index != 0) {
        uint8_t nonce[crypto::kChaChaPolyNonceSize];
        MakeNonce(index, /*last=*/true, nonce);
        const std::string_view sealed(reinterpret_cast<const char*>(b.sealed.get() + at), got);
        auto empty_final = b.aead->Open(nonce, sealed, b.plain.get() + n * kChunkSize);
        if (!empty_final.ok()) return fail(empty_final.status());
        if (*empty_final) {
          problem(CorruptionError(chunk_name + " is an empty final chunk, which age forbids"));
        } else if (short_end_is_truncation_) {
          problem(TruncatedError("the file is incomplete: it ends " + std::to_string(got) + " bytes into " +
                                 chunk_name +
                                 " (the file was cut short, as by an unfinished transfer or copy, or its "
                                 "last bytes were damaged); get the whole file again"));
        } else {
          problem(VerificationFailedError("the file ends " + std::to_string(got) + " bytes into " + chunk_name +
                                          ", which does not authenticate: the file was modified, damaged or "
                                          "cut short"));
        }
        break;
      }
      b.sealed_len[n++] = got;
      end_of_input = true;
      break;
    }
    b.sealed_len[n++] = got;
  }
  if (!b.read_error.ok()) {
    b.ready = true;
    input_done_ = true;
    return;
  }
  if (!end_of_input && b.read_problem.ok()) {
    auto more = in_->Peek(1);
    if (!more.ok()) return fail(more.status());
    end_of_input = more->empty();
  }
  for (size_t i = 0; i < n; ++i) b.expect_last[i] = end_of_input && i == n - 1;
  read_counter_ += n;
  if (end_of_input || !b.read_problem.ok()) input_done_ = true;
  b.plain_dirty = n * kChunkSize;
  if (input_done_ && head_seq_ == read_seq_) {
    // Nothing else in flight and nothing after it: open it here (a small
    // payload then never starts the workers).
    b.open_status = OpenRange(b, 0, n);
    b.ready = true;
    return;
  }
  workers_.Submit([this, &b] {
    Status s = OpenRange(b, 0, b.n);
    std::lock_guard lock(mu_);
    b.open_status = s;
    b.ready = true;
    cv_.notify_all();
  });
}

Status StreamReader::NextBatch() {
  if (serving_) {
    Batch& old = batches_[head_seq_ % kBatches];
    WipeMemory(old.plain.get(), old.plain_dirty);
    old.plain_dirty = 0;
    ++head_seq_;
    serving_ = false;
  }
  while (!input_done_ && read_seq_ - head_seq_ < kBatches) {
    ReadAhead(batches_[read_seq_ % kBatches]);
    ++read_seq_;
  }
  if (head_seq_ == read_seq_) return InternalError("age: no payload batch to serve");
  Batch& b = batches_[head_seq_ % kBatches];
  {
    std::unique_lock lock(mu_);
    while (!b.ready) {
      // Only this thread submits, so with nothing queued a worker has `b`.
      lock.unlock();
      const bool ran = workers_.RunOne();
      lock.lock();
      if (!ran) cv_.wait(lock, [&] { return b.ready; });
    }
  }
  serving_ = true;
  plain_ = b.plain.get();
  plain_pos_ = 0;
  plain_len_ = 0;
  CUSTODY_RETURN_IF_ERROR(b.read_error);
  CUSTODY_RETURN_IF_ERROR(b.open_status);

  const size_t n = b.n;
  size_t good = 0;
  for (; good < n; ++good) {
    if (!b.opened[good]) break;
    if (b.expect_last[good]) done_ = true;
  }
  for (size_t i = 0; i < good; ++i) plain_len_ += b.sealed_len[i] - crypto::kChaChaPolyTagSize;
  if (good < n) {
    const size_t i = good;
    const std::string chunk_name = "payload chunk " + std::to_string(b.counter + i);
    const bool full = b.sealed_len[i] == kEncryptedChunkSize;
    // Tried with the other flag too: which of the two it opens under, if
    // either, says what happened.
    uint8_t nonce[crypto::kChaChaPolyNonceSize];
    MakeNonce(b.counter + i, !b.expect_last[i], nonce);
    std::string_view sealed(
        reinterpret_cast<const char*>(b.sealed.get() + i * kEncryptedChunkSize), b.sealed_len[i]);
    bool ok = false;
    CUSTODY_ASSIGN_OR_RETURN(ok, b.aead->Open(nonce, sealed, b.plain.get() + i * kChunkSize));
    if (ok && !full) {
      // Sealed as a middle chunk, yet short: made so, not cut (a cut chunk
      // opens under neither flag). Not served.
      deferred_ = VerificationFailedError(chunk_name +
                                          " is shorter than a full chunk but not sealed as the final one: "
                                          "the file was modified or damaged after it was encrypted");
    } else if (!ok && !full && !short_end_is_truncation_) {
      deferred_ = VerificationFailedError(
          chunk_name + " failed authentication: the file was modified, damaged or cut short");
    } else if (!ok && !full) {
      // A short chunk is the end of the file. A file cut inside a chunk ends
      // this way, and so does one whose short final chunk was altered: STREAM
      // cannot tell the two apart (neither opens, under either flag), and
      // for a file that travels the remedy is the same (DecryptOptions).
      deferred_ = TruncatedError(
          "the file is incomplete: it ends inside " + chunk_name +
          ", which does not authenticate (the file was cut short, as by an unfinished transfer or "
          "copy, or its last bytes were damaged); get the whole file again");
    } else if (!ok) {
      // A full chunk that opens neither as a middle nor as the final chunk:
      // a cut file never ends with one (cut at a chunk boundary, its last
      // chunk opens as a middle chunk, below), so this is damage.
      deferred_ = VerificationFailedError(
          chunk_name + " failed authentication: the file was modified or damaged after it was encrypted");
    } else {
      plain_len_ += b.sealed_len[i] - crypto::kChaChaPolyTagSize;
      done_ = true;
      deferred_ = b.expect_last[i]
                      // It opened as a middle chunk, and nothing follows: the final chunk is gone.
                      ? TruncatedError("the file ends before its final chunk: it is truncated")
                      // It opened as the final chunk, and more follows it.
                      : CorruptionError("trailing data after the final chunk of the age payload");
    }
    // Nothing after the failing chunk is served, nor the failing chunk itself
    // unless it opened above: a failed Open leaves unauthenticated plaintext
    // (Crypto++ decrypts before it checks the tag), wiped now rather than
    // when the batch is recycled.
    const size_t served = ok && full ? good + 1 : good;  // The last branch above serves it.
    for (size_t j = served; j < n; ++j) WipeMemory(b.plain.get() + j * kChunkSize, kChunkSize);
  } else if (!b.read_problem.ok()) {
    deferred_ = b.read_problem;  // Every chunk before the bad one opened as a middle chunk.
  }
  return Status::Ok();
}

Result<bool> StreamReader::Refill() {
  if (plain_pos_ < plain_len_) return true;
  if (!error_.ok()) return error_;
  if (!deferred_.ok()) return error_ = deferred_;
  if (done_) return false;
  Status s = NextBatch();
  if (!s.ok()) return error_ = s;
  if (plain_pos_ == plain_len_) {  // Empty (whole) payload, or a first chunk that failed.
    if (!deferred_.ok()) return error_ = deferred_;
    return false;
  }
  return true;
}

Result<size_t> StreamReader::Read(uint8_t* buf, size_t n) {
  if (n == 0) {
    if (!error_.ok()) return error_;
    return size_t{0};
  }
  CUSTODY_ASSIGN_OR_RETURN(bool more, Refill());
  if (!more) return size_t{0};
  size_t k = std::min(n, plain_len_ - plain_pos_);
  std::memcpy(buf, plain_ + plain_pos_, k);
  plain_pos_ += k;
  return k;
}

Result<std::string_view> StreamReader::ReadView() {
  CUSTODY_ASSIGN_OR_RETURN(bool more, Refill());
  if (!more) return std::string_view();
  std::string_view view(reinterpret_cast<const char*>(plain_) + plain_pos_,
                        plain_len_ - plain_pos_);
  plain_pos_ = plain_len_;
  return view;
}

}  // namespace custody::age::internal
