// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Internals of the age v1 format (c2sp.org/age), split out of age.h so that
// tests can drive each layer alone (header round trip, STREAM with a known
// key, armor) the way the C2SP test-vector README suggests. Not for use
// outside src/crypto and its tests.
#ifndef CUSTODY_SRC_CRYPTO_AGE_FORMAT_H_
#define CUSTODY_SRC_CRYPTO_AGE_FORMAT_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/byte_stream.h"
#include "crypto/age.h"
#include "crypto/primitives.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody::age::internal {

// ---- Labels and sizes, all from c2sp.org/age.
inline constexpr std::string_view kVersionLine = "age-encryption.org/v1";
inline constexpr std::string_view kVersionPrefix = "age-encryption.org/";
inline constexpr std::string_view kStanzaPrefix = "->";
inline constexpr std::string_view kMacPrefix = "---";
// HKDF info strings.
inline constexpr std::string_view kHeaderMacKeyInfo = "header";
inline constexpr std::string_view kPayloadKeyInfo = "payload";
inline constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
inline constexpr std::string_view kScryptSaltLabel = "age-encryption.org/v1/scrypt";
inline constexpr std::string_view kX25519StanzaType = "X25519";
inline constexpr std::string_view kScryptStanzaType = "scrypt";
inline constexpr std::string_view kX25519RecipientHrp = "age";
inline constexpr std::string_view kX25519IdentityHrp = "AGE-SECRET-KEY-";
inline constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";

constexpr size_t kColumnsPerLine = 64;
constexpr size_t kBytesPerLine = kColumnsPerLine / 4 * 3;  // 48
constexpr size_t kMacSize = 32;
constexpr size_t kPayloadNonceSize = 16;
constexpr size_t kChunkSize = 64 * 1024;
constexpr size_t kEncryptedChunkSize = kChunkSize + crypto::kChaChaPolyTagSize;
constexpr size_t kScryptSaltSize = 16;
constexpr int kScryptBlockSize = 8;        // r
constexpr int kScryptParallelization = 1;  // p
constexpr size_t kWrapKeySize = 32;
// A wrapped file key: 16-byte key + 16-byte tag. Checked before decrypting,
// as the spec requires, against partitioning-oracle attacks.
constexpr size_t kWrappedFileKeySize = kFileKeySize + crypto::kChaChaPolyTagSize;

// ---- Limits custody adds (the spec has none); see docs/formats/age-profile.md.
// A header line (stanza arguments can be long: ML-KEM shares are ~1.5 KiB).
constexpr size_t kMaxHeaderLineLength = 16 * 1024;
// The whole header, so that a hostile file cannot make us buffer without end.
constexpr size_t kMaxHeaderSize = 1024 * 1024;
// Whitespace tolerated around an armored file (age's limit).
constexpr size_t kMaxArmorWhitespace = 1024;

// ---- Buffered reading with lines and lookahead over a ByteSource.
class BufferedReader final : public ByteSource {
 public:
  static constexpr size_t kCapacity = 64 * 1024;
  explicit BufferedReader(ByteSource* source);

  Result<size_t> Read(uint8_t* buf, size_t n) override;
  // Returns up to `n` (<= kCapacity) buffered bytes without consuming them;
  // fewer only at end of input.
  Result<std::string_view> Peek(size_t n);

  enum class LineEnd { kNewline, kEndOfInput, kTooLong };
  // Reads through the next LF, which is consumed but not stored in `line`.
  // kEndOfInput: the input ended first and `line` holds the rest (maybe
  // empty). kTooLong: no LF within `max_length` bytes (nothing consumed).
  // Errors only from the source.
  Result<LineEnd> ReadLine(std::string* line, size_t max_length);

 private:
  Status Fill(size_t want);  // Until `want` bytes are buffered or EOF.
  ByteSource* source_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

// ---- Header.
struct Header {
  std::vector<Stanza> stanzas;
  std::string mac;        // 32 bytes.
  std::string mac_input;  // The header bytes through "---", as read.
};

// The canonical encoding through "---" (what the MAC covers).
std::string SerializeHeaderWithoutMac(const std::vector<Stanza>& stanzas);
// The full header: SerializeHeaderWithoutMac + " " + base64(mac) + "\n".
std::string SerializeHeader(const std::vector<Stanza>& stanzas, std::string_view mac);
// Parses strictly (canonical base64, 64-column bodies ending with a short
// line, one "->" or "---" line at a time) and leaves `in` at the payload.
Result<Header> ParseHeader(BufferedReader& in);

// HMAC-SHA-256(HKDF(file key, salt = "", info = "header"), mac_input).
Result<std::string> ComputeHeaderMac(const SecretString& file_key, std::string_view mac_input);
// HKDF-SHA-256(file key, salt = nonce, info = "payload").
Result<SecretString> DerivePayloadKey(const SecretString& file_key, std::string_view nonce);

// ---- STREAM (ChaCha20-Poly1305, 64 KiB chunks, 11-byte counter + last flag).
//
// Why batches on worker threads (writer and reader): one ChaCha20-Poly1305
// stream in Crypto++ costs about 1.3 s of CPU per GiB here (ChaCha20 and
// Poly1305 about half each), twice what `age` spends, and custody also
// hashes every byte (0.6 s per GiB). STREAM chunks are independent (the
// nonce is the chunk counter and the last flag), so batches of 16 chunks are
// sealed or opened by two worker threads while the caller goes on filling
// (writer) or consuming (reader) the next ones; the output still comes
// strictly in order. The version before split each batch in two halves and
// waited for both: a barrier per MiB, at which one of the two cores often sat
// idle while the hashing thread had the other (1 GiB verify 1.55 s where the
// CPU work fits in 1.1 s).

// Threads running submitted tasks, oldest first, started on first use.
// Shutdown (and the destructor) drops the tasks not yet started and waits for
// the running ones, so that a task's buffers can be freed after it.
class WorkerPool {
 public:
  explicit WorkerPool(size_t threads) : threads_wanted_(threads) {}
  ~WorkerPool() { Shutdown(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  void Submit(std::function<void()> task);
  // Runs the oldest task not yet started on the calling thread; false when
  // there is none. Why: a caller that would wait for a worker does the
  // waiting work itself, so the caller and the workers together keep every
  // core busy without more threads than cores (with one more thread than
  // cores the scheduler's fair share slowed the caller, who has the hashing
  // on the critical path).
  bool RunOne();
  void Shutdown();

 private:
  void Loop();
  const size_t threads_wanted_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
};

// One thread fewer than the machine has cores (at least one, at most
// three): the caller works too (tar and SHA-256, and RunOne when it would
// wait).
size_t StreamWorkerCount();

class StreamWriter {
 public:
  // `sink` is written by the worker threads, one Write at a time and in
  // order, never after Finish returns or the writer is destroyed.
  static Result<std::unique_ptr<StreamWriter>> Create(const SecretString& payload_key,
                                                      ByteSink* sink);
  ~StreamWriter();
  // A full chunk is sealed only once more data follows it, so that a payload
  // of an exact multiple of 64 KiB ends with a full final chunk, never with
  // the empty one the spec forbids. An error of the sealing or the sink
  // comes back from a later Write or from Finish.
  Status Write(std::string_view plaintext);
  // Seals the rest, waits until the sink has everything; the first error.
  Status Finish();
  uint64_t plaintext_size() const { return total_; }

  static constexpr size_t kBatchChunks = 16;
  // Batches in memory (2 MiB each): one filling, the others sealing or
  // sealed and waiting for their turn to be written.
  static constexpr size_t kBatches = 4;

 private:
  enum class State { kFree, kFilling, kSealing, kSealed };
  struct Batch {
    std::unique_ptr<crypto::ChaChaPoly> aead;  // Used by one thread at a time.
    std::unique_ptr<uint8_t[]> plain;          // kBatchChunks * kChunkSize, wiped after use.
    std::unique_ptr<uint8_t[]> sealed;         // kBatchChunks * kEncryptedChunkSize.
    size_t plain_len = 0, sealed_len = 0;
    uint64_t counter = 0;  // Of the batch's first chunk.
    bool last = false;
    State state = State::kFree;
    Status status;
  };
  explicit StreamWriter(ByteSink* sink) : sink_(sink), workers_(StreamWorkerCount()) {}
  // Waits until the batch for sequence number next_seq_ is free and makes it
  // the one being filled.
  Status Acquire();
  // Hands the batch being filled to the workers.
  void Submit(bool last);
  void Seal(Batch& b);  // On a worker.
  // On a worker, with mu_ held: writes every sealed batch whose turn it is.
  void WriteInOrder(std::unique_lock<std::mutex>& lock);

  ByteSink* sink_;
  Batch batches_[kBatches];
  Batch* filling_ = nullptr;  // The caller's.
  uint64_t next_seq_ = 0;     // Sequence number of the next batch to fill.
  uint64_t counter_ = 0;      // Chunks handed to the workers so far.
  uint64_t total_ = 0;
  bool finished_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t write_seq_ = 0;  // Next batch to reach the sink.
  bool writing_ = false;
  Status error_;        // The first error of a worker or the sink.
  WorkerPool workers_;  // Declared last: shut down before the buffers go.
};

class StreamReader final : public ByteSource {
 public:
  // `short_end_is_truncation`: see DecryptOptions.
  static Result<std::unique_ptr<StreamReader>> Create(const SecretString& payload_key,
                                                      BufferedReader* in,
                                                      bool short_end_is_truncation = false);
  ~StreamReader() override;
  // See AgeDecryptor::Read. The input is read ahead by up to kBatches
  // batches, on the caller's thread.
  Result<size_t> Read(uint8_t* buf, size_t n) override;
  // See AgeDecryptor::ReadView.
  Result<std::string_view> ReadView();

  static constexpr size_t kBatchChunks = 16;
  // One being served, the others read ahead and opening or opened.
  static constexpr size_t kBatches = 4;

 private:
  struct Batch {
    std::unique_ptr<crypto::ChaChaPoly> aead;  // Used by one thread at a time.
    std::unique_ptr<uint8_t[]> sealed;         // kBatchChunks * kEncryptedChunkSize.
    std::unique_ptr<uint8_t[]> plain;          // kBatchChunks * kChunkSize, wiped after use.
    size_t n = 0;                              // Chunks read.
    uint64_t counter = 0;                      // Of the batch's first chunk.
    size_t sealed_len[kBatchChunks] = {};
    bool expect_last[kBatchChunks] = {};
    bool opened[kBatchChunks] = {};
    size_t plain_dirty = 0;  // Bytes of `plain` that may hold plaintext.
    Status read_error;       // Reading failed: the stream ends with this error here.
    Status read_problem;     // A malformed chunk after the n good ones.
    Status open_status;      // A misuse error of Open.
    bool ready = false;      // Opened (or nothing to open).
  };
  StreamReader(BufferedReader* in, bool short_end_is_truncation);
  // Reads the next batch of sealed chunks from the input into `b` and hands
  // it to the workers (or opens it here when nothing else is in flight).
  void ReadAhead(Batch& b);
  // Opens chunks [from, to) of `b` with their expected last flags.
  static Status OpenRange(Batch& b, size_t from, size_t to);
  // Releases the batch being served, reads ahead, waits for the next batch
  // and judges it: serve every chunk up to the first that did not open as
  // expected, and say why that one failed.
  Status NextBatch();
  // Makes plaintext available unless the stream is over; false at the end.
  Result<bool> Refill();

  BufferedReader* in_;
  const bool short_end_is_truncation_;
  Batch batches_[kBatches];
  uint64_t read_seq_ = 0;  // Batches read from the input.
  uint64_t head_seq_ = 0;  // The batch being served (when serving_).
  bool serving_ = false;
  bool input_done_ = false;    // Nothing more is to be read from the input.
  uint64_t read_counter_ = 0;  // Chunks read from the input.
  const uint8_t* plain_ = nullptr;
  size_t plain_pos_ = 0;
  size_t plain_len_ = 0;
  bool done_ = false;
  // An error found after chunks authenticated (trailing data, a chunk that
  // fails, a missing final chunk): reported once the plaintext before it
  // has been read, as age does.
  Status deferred_;
  Status error_;
  std::mutex mu_;
  std::condition_variable cv_;
  WorkerPool workers_;  // Declared last: shut down before the buffers go.
};

// ---- ASCII armor (RFC 7468 strict PEM, "AGE ENCRYPTED FILE").
class ArmorSink final : public ByteSink {
 public:
  explicit ArmorSink(ByteSink* out) : out_(out) {}
  Status Write(std::string_view data) override;
  // Writes the last line and the END line.
  Status Finish();

 private:
  Status Start();
  ByteSink* out_;
  bool started_ = false;
  std::string pending_;  // < kBytesPerLine bytes not yet encoded.
};

class ArmorSource final : public ByteSource {
 public:
  explicit ArmorSource(BufferedReader* in) : in_(in) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override;

 private:
  Status NextLine();
  Status DrainTrailing();
  BufferedReader* in_;
  enum class State { kStart, kBody, kDone } state_ = State::kStart;
  std::string decoded_;
  size_t decoded_pos_ = 0;
  Status error_;
};

// True if the input, after at most kMaxArmorWhitespace bytes of ASCII
// whitespace, starts with the armor BEGIN line.
Result<bool> LooksArmored(BufferedReader& in);

// ASCII whitespace as Go's bytes.TrimSpace sees it in ASCII: \t \n \v \f \r SP.
bool IsAsciiSpace(char c);

}  // namespace custody::age::internal

#endif  // CUSTODY_SRC_CRYPTO_AGE_FORMAT_H_
