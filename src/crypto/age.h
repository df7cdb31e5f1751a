// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// age v1 file encryption (c2sp.org/age), streamed in constant memory.
// The profile custody implements, and its limits, are documented in
// docs/formats/age-profile.md.
//
// Encrypting:
//   auto r = age::X25519Recipient::Parse("age1...");
//   CUSTODY_ASSIGN_OR_RETURN(auto enc, age::AgeEncryptor::Create({&*r}, &sink));
//   CUSTODY_RETURN_IF_ERROR(enc->Write(chunk));   // any number of times
//   CUSTODY_RETURN_IF_ERROR(enc->Finish());       // required
//
// Decrypting:
//   auto id = age::X25519Identity::Parse(secret_key_text);
//   CUSTODY_ASSIGN_OR_RETURN(auto dec, age::AgeDecryptor::Open(&source, {&*id}));
//   while (true) { CUSTODY_ASSIGN_OR_RETURN(size_t n, dec->Read(buf, sizeof buf)); if (!n) break;
//   ... }
//
// Failure codes (stable; tests/crypto/age_vectors_test.cc pins them against
// the C2SP test vectors):
//   kWrongKey           no identity unwraps any stanza (wrong passphrase, not
//                       a recipient). The message names the stanza types.
//   kCorruption         malformed header, stanza, armor, or STREAM framing
//                       (empty final chunk, trailing data after the end).
//   kVerificationFailed header MAC mismatch, or a payload chunk fails
//                       authentication (tampering, or truncation inside a
//                       chunk, which cannot be told apart from tampering).
//   kTruncated          the input ends inside the header, before the payload
//                       nonce, or at a chunk boundary before the final chunk.
//   kUnsupported        another age format version, or a scrypt work factor
//                       above the configured maximum.
//   kInvalidArgument    caller errors: no recipients, scrypt mixed with other
//                       recipients, an empty passphrase.
//   kIoError etc.       passed through unchanged from the ByteSink/ByteSource.
//
// Plaintext is released only after the chunk that carries it authenticated.
// A caller that sees an error after some plaintext must discard everything it
// received: only a Read() that returns 0 means the whole file was intact.
//
// Thread safety: recipients and identities are immutable after construction
// and may be shared between threads; an encryptor or decryptor is used by one
// thread at a time.
#ifndef CUSTODY_SRC_CRYPTO_AGE_H_
#define CUSTODY_SRC_CRYPTO_AGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_stream.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody {
class Env;
}

namespace custody::age {

constexpr size_t kFileKeySize = 16;
// scrypt work factors (log2 N). Encryption defaults to age's 18 (about one
// second and 256 MiB); decryption refuses more than age's 22 unless the caller
// lowers or raises the limit.
constexpr int kScryptDefaultLog2WorkFactor = 18;
constexpr int kScryptMaxLog2WorkFactor = 22;

// One recipient stanza of the header: "-> type args...\n" + base64 body.
struct Stanza {
  std::string type;
  std::vector<std::string> args;
  std::string body;
};

// Wraps a file key for one recipient. Implement this to add a stanza type.
class RecipientStanzaWrapper {
 public:
  virtual ~RecipientStanzaWrapper() = default;
  // The stanza type written ("X25519", "scrypt").
  virtual std::string_view stanza_type() const = 0;
  // True when the stanza must be the only one in the header (scrypt: a
  // passphrase file must not also open with a key the passphrase holder does
  // not control).
  virtual bool requires_sole_stanza() const { return false; }
  // Returns the stanza(s) wrapping `file_key`; randomness from `env`.
  virtual Result<std::vector<Stanza>> Wrap(const SecretString& file_key, Env& env) const = 0;
};

// Unwraps a file key from a stanza addressed to it. Implement this to add a
// stanza type.
class IdentityUnwrapper {
 public:
  virtual ~IdentityUnwrapper() = default;
  virtual std::string_view stanza_type() const = 0;
  // Returns the 16-byte file key. kWrongKey means "not for me": a stanza of
  // another type (ignored, as the spec requires), or one of this type that
  // does not open with this identity; the decryptor tries the next stanza and
  // identity. Any other code is fatal for the file: a malformed stanza of this
  // identity's type (kCorruption), or a refused one (kUnsupported).
  virtual Result<SecretString> Unwrap(const Stanza& stanza) const = 0;
};

// The public half of an X25519 key pair: "age1..." (Bech32, HRP "age").
class X25519Recipient final : public RecipientStanzaWrapper {
 public:
  // kInvalidArgument for anything but a valid lowercase-or-uppercase "age1"
  // Bech32 string carrying 32 bytes.
  static Result<X25519Recipient> Parse(std::string_view text);
  static Result<X25519Recipient> FromPublicKey(std::string_view public_key);

  std::string ToString() const;  // "age1..."
  const std::string& public_key() const { return public_key_; }

  std::string_view stanza_type() const override;
  Result<std::vector<Stanza>> Wrap(const SecretString& file_key, Env& env) const override;

 private:
  friend class X25519Identity;
  explicit X25519Recipient(std::string public_key) : public_key_(std::move(public_key)) {}
  std::string public_key_;
};

// An X25519 secret key: "AGE-SECRET-KEY-1..." (Bech32, uppercase). The same
// format as `age-keygen`; Recipient() equals `age-keygen -y`.
class X25519Identity final : public IdentityUnwrapper {
 public:
  // A new identity: 32 bytes from env.RandomBytes.
  static Result<X25519Identity> Generate(Env& env);
  // kInvalidArgument for anything but a valid "AGE-SECRET-KEY-1" Bech32
  // string carrying 32 bytes. The message never echoes the input.
  static Result<X25519Identity> Parse(std::string_view text);

  SecretString ToString() const;  // "AGE-SECRET-KEY-1..."
  const X25519Recipient& Recipient() const { return recipient_; }

  std::string_view stanza_type() const override;
  Result<SecretString> Unwrap(const Stanza& stanza) const override;

 private:
  X25519Identity(SecretString scalar, X25519Recipient recipient)
      : scalar_(std::move(scalar)), recipient_(std::move(recipient)) {}
  SecretString scalar_;
  X25519Recipient recipient_;
};

// Passphrase recipient (scrypt stanza). Must be the only recipient.
class ScryptRecipient final : public RecipientStanzaWrapper {
 public:
  // kInvalidArgument for an empty passphrase or a work factor outside 1..30.
  // Lower work factors than the default exist for tests; files for people
  // should keep the default.
  static Result<ScryptRecipient> Create(SecretString passphrase,
                                        int log2_work_factor = kScryptDefaultLog2WorkFactor);

  int log2_work_factor() const { return log2_work_factor_; }
  std::string_view stanza_type() const override;
  bool requires_sole_stanza() const override { return true; }
  Result<std::vector<Stanza>> Wrap(const SecretString& file_key, Env& env) const override;

 private:
  ScryptRecipient(SecretString passphrase, int log2_work_factor)
      : passphrase_(std::move(passphrase)), log2_work_factor_(log2_work_factor) {}
  SecretString passphrase_;
  int log2_work_factor_;
};

// Passphrase identity. Refuses (kUnsupported) stanzas whose work factor
// exceeds `max_log2_work_factor`, which bounds the time and memory an
// attacker-supplied file can make us spend.
class ScryptIdentity final : public IdentityUnwrapper {
 public:
  static Result<ScryptIdentity> Create(SecretString passphrase,
                                       int max_log2_work_factor = kScryptMaxLog2WorkFactor);

  std::string_view stanza_type() const override;
  Result<SecretString> Unwrap(const Stanza& stanza) const override;

 private:
  ScryptIdentity(SecretString passphrase, int max_log2_work_factor)
      : passphrase_(std::move(passphrase)), max_log2_work_factor_(max_log2_work_factor) {}
  SecretString passphrase_;
  int max_log2_work_factor_;
};

enum class Armor {
  kBinary,   // The age binary format.
  kArmored,  // PEM "-----BEGIN AGE ENCRYPTED FILE-----", strict.
  kAuto,     // Decryption only: armored iff the input, after leading
             // whitespace, starts with the armor BEGIN line.
};

struct EncryptOptions {
  Armor armor = Armor::kBinary;  // kAuto is refused.
  Env* env = nullptr;            // Randomness; nullptr = Env::Default().
};

// Streams plaintext into an age file written to a ByteSink.
class AgeEncryptor {
 public:
  // Writes the header to `sink` before returning. `recipients` and `sink` are
  // not owned; recipients are only used during Create, the sink must outlive
  // the encryptor. kInvalidArgument for no recipients, or a recipient that
  // requires to be alone (scrypt) given with others.
  static Result<std::unique_ptr<AgeEncryptor>> Create(
      const std::vector<const RecipientStanzaWrapper*>& recipients, ByteSink* sink,
      const EncryptOptions& options = {});
  ~AgeEncryptor();
  AgeEncryptor(const AgeEncryptor&) = delete;
  AgeEncryptor& operator=(const AgeEncryptor&) = delete;

  // Encrypts and writes full 64 KiB chunks as they fill. After an error the
  // encryptor refuses further calls.
  Status Write(std::string_view plaintext);
  // Writes the final chunk (and the armor footer). Required: without it the
  // output is truncated and every decryptor rejects it.
  Status Finish();

  uint64_t plaintext_size() const;

 private:
  struct Impl;
  explicit AgeEncryptor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct DecryptOptions {
  Armor armor = Armor::kAuto;
  // How a file that ends with a short chunk opening under neither
  // last-chunk flag is reported. That is what a file cut inside a chunk
  // looks like, and also a file whose short final chunk was changed: STREAM
  // cannot tell the two apart. false: kVerificationFailed ("modified,
  // damaged or cut short"); true: kTruncated ("incomplete ... get the whole
  // file again"), for files that travel (packages), where a cut is what
  // usually happens and the remedy is the same. A full chunk that fails is
  // kVerificationFailed either way: a cut never leaves one.
  bool short_end_is_truncation = false;
};

// Reads an age file from a ByteSource and yields authenticated plaintext.
// Memory is bounded (about 200 KiB plus the header, which is limited to
// 1 MiB) whatever the file size.
class AgeDecryptor {
 public:
  // Reads and authenticates the header, and reads the payload nonce. Tries
  // every identity against every stanza. `identities` are only used during
  // Open; `source` must outlive the decryptor.
  static Result<std::unique_ptr<AgeDecryptor>> Open(
      ByteSource* source, const std::vector<const IdentityUnwrapper*>& identities,
      const DecryptOptions& options = {});
  ~AgeDecryptor();
  AgeDecryptor(const AgeDecryptor&) = delete;
  AgeDecryptor& operator=(const AgeDecryptor&) = delete;

  // Reads up to `n` bytes of plaintext. Returns 0 only at the verified end
  // of the file (final chunk authenticated, nothing after it). Errors are
  // sticky.
  Result<size_t> Read(uint8_t* buf, size_t n);
  // The next authenticated plaintext without a copy (up to 1 MiB), valid
  // until the next Read or ReadView; empty only at the verified end. Errors
  // are sticky, as for Read.
  Result<std::string_view> ReadView();
  // Reads everything into `sink`. On error, what reached the sink must be
  // discarded.
  Status ReadAll(ByteSink* sink);

  // The stanza types in the header, in order (for messages and reports).
  const std::vector<std::string>& stanza_types() const;

 private:
  struct Impl;
  explicit AgeDecryptor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whole-buffer conveniences for small inputs (keys, manifests, tests).
Result<std::string> Encrypt(std::string_view plaintext,
                            const std::vector<const RecipientStanzaWrapper*>& recipients,
                            const EncryptOptions& options = {});
Result<SecretString> Decrypt(std::string_view ciphertext,
                             const std::vector<const IdentityUnwrapper*>& identities,
                             const DecryptOptions& options = {});

}  // namespace custody::age

#endif  // CUSTODY_SRC_CRYPTO_AGE_H_
