// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Internals of the age v1 format (c2sp.org/age), split out of age.h so that
// tests can drive each layer alone (header round trip, STREAM with a known
// key, armor) the way the C2SP test-vector README suggests. Not for use
// outside src/crypto and its tests.
#ifndef CUSTODY_SRC_CRYPTO_AGE_FORMAT_H_
#define CUSTODY_SRC_CRYPTO_AGE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <string_view>
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
// Why batches on two threads (writer and reader): one ChaCha20-Poly1305
// stream in Crypto++ runs at about 0.6 GB/s sealing and 0.8 GB/s opening
// here, half of what `age` does, and custody also hashes every byte. STREAM
// chunks are independent (the nonce is the chunk counter and the last flag),
// so a batch of 16 chunks is sealed or opened in two halves at once; the
// output still comes strictly in order.

// Runs one task at a time on a thread of its own, started on first use: the
// second half of a batch, while the caller does the first.
class BatchHelper {
 public:
  BatchHelper() = default;
  ~BatchHelper();  // Joins the thread.
  BatchHelper(const BatchHelper&) = delete;
  BatchHelper& operator=(const BatchHelper&) = delete;
  void Start(std::function<Status()> task);
  // Waits for the task Start gave and returns its status.
  Status Wait();

 private:
  void Loop();
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false, stop_ = false;
  std::function<Status()> task_;
  Status status_;
};

class StreamWriter {
 public:
  static Result<std::unique_ptr<StreamWriter>> Create(const SecretString& payload_key,
                                                      ByteSink* sink);
  ~StreamWriter();
  // A full chunk is sealed only once more data follows it, so that a payload
  // of an exact multiple of 64 KiB ends with a full final chunk, never with
  // the empty one the spec forbids.
  Status Write(std::string_view plaintext);
  Status Finish();
  uint64_t plaintext_size() const { return total_; }

  // Chunks sealed together; the second half on a helper thread.
  static constexpr size_t kBatchChunks = 16;

 private:
  StreamWriter(std::unique_ptr<crypto::ChaChaPoly> aead, std::unique_ptr<crypto::ChaChaPoly> helper_aead,
               ByteSink* sink);
  // Seals the buffered plaintext as chunks (the last one flagged final if
  // `last`) and writes them in order.
  Status SealBatch(bool last);
  Status SealRange(crypto::ChaChaPoly& aead, size_t from, size_t to, size_t n, bool last);

  std::unique_ptr<crypto::ChaChaPoly> aead_;
  std::unique_ptr<crypto::ChaChaPoly> helper_aead_;  // Used only by the helper thread.
  ByteSink* sink_;
  std::vector<uint8_t> plain_;   // kBatchChunks * kChunkSize.
  size_t plain_len_ = 0;
  std::vector<uint8_t> sealed_;  // kBatchChunks * kEncryptedChunkSize.
  uint64_t counter_ = 0;  // Of the batch's first chunk.
  uint64_t total_ = 0;
  Status error_;
  bool finished_ = false;
  BatchHelper helper_;
};

class StreamReader final : public ByteSource {
 public:
  static Result<std::unique_ptr<StreamReader>> Create(const SecretString& payload_key,
                                                      BufferedReader* in);
  ~StreamReader() override;
  // See AgeDecryptor::Read.
  Result<size_t> Read(uint8_t* buf, size_t n) override;

  // Chunks read and opened together; the second half on a helper thread.
  static constexpr size_t kBatchChunks = 16;

 private:
  StreamReader(std::unique_ptr<crypto::ChaChaPoly> aead, std::unique_ptr<crypto::ChaChaPoly> helper_aead,
               BufferedReader* in);
  Status ReadBatch();
  // Opens chunks [from, to) of the batch with `aead`, each with its expected
  // last flag; records which authenticated.
  Status OpenRange(crypto::ChaChaPoly& aead, size_t from, size_t to);

  std::unique_ptr<crypto::ChaChaPoly> aead_;
  std::unique_ptr<crypto::ChaChaPoly> helper_aead_;  // Used only by the helper thread.
  BufferedReader* in_;
  std::vector<uint8_t> sealed_;  // kBatchChunks * kEncryptedChunkSize.
  std::vector<uint8_t> plain_;   // kBatchChunks * kChunkSize.
  // The current batch: sealed length, expected last flag, authenticated.
  size_t sealed_len_[kBatchChunks] = {};
  bool expect_last_[kBatchChunks] = {};
  bool opened_[kBatchChunks] = {};
  size_t plain_pos_ = 0;
  size_t plain_len_ = 0;
  uint64_t counter_ = 0;  // Of the batch's first chunk.
  bool done_ = false;
  // An error found after chunks authenticated (trailing data, a chunk that
  // fails, a missing final chunk): reported once the plaintext before it
  // has been read, as age does.
  Status deferred_;
  Status error_;
  BatchHelper helper_;  // Declared last: joined before the buffers go.
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
