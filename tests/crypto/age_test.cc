// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// age encryption and decryption: round trips at chunk-boundary sizes,
// recipients and identities, armor, scrypt, pluggable stanza types, I/O
// failures, and tampering: every header byte flipped, payload bytes flipped
// (every byte of a one-chunk file, a stride plus every chunk boundary of a
// three-chunk file), every truncation point. Nothing tampered may decrypt, and
// no plaintext from a damaged chunk may be released.
#include "crypto/age.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "crypto/age_format.h"
#include "crypto/encoding.h"
#include "custody/env.h"
#include "support/fake_env.h"

namespace custody::age {
namespace {

constexpr size_t kChunk = internal::kChunkSize;
constexpr size_t kSealedChunk = internal::kEncryptedChunkSize;
constexpr int kTestScryptLog2 = 10;  // Fast; files for people use 18.

std::string Pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

X25519Identity NewIdentity() {
  auto id = X25519Identity::Generate(*Env::Default());
  EXPECT_TRUE(id.ok());
  return std::move(*id);
}

std::string EncryptOrDie(std::string_view plaintext,
                         const std::vector<const RecipientStanzaWrapper*>& recipients,
                         const EncryptOptions& options = {}) {
  auto ct = Encrypt(plaintext, recipients, options);
  EXPECT_TRUE(ct.ok()) << ct.status().ToString();
  return ct.ok() ? *ct : std::string();
}

struct Outcome {
  Status status;
  bool opened = false;
  std::string released;
};

Outcome DecryptAll(std::string_view ciphertext,
                   const std::vector<const IdentityUnwrapper*>& identities,
                   const DecryptOptions& options = {}, size_t max_read = SIZE_MAX) {
  Outcome o;
  StringSource source(ciphertext, max_read);
  auto dec = AgeDecryptor::Open(&source, identities, options);
  if (!dec.ok()) {
    o.status = dec.status();
    return o;
  }
  o.opened = true;
  uint8_t buf[5000];
  while (true) {
    auto n = (*dec)->Read(buf, sizeof buf);
    if (!n.ok()) {
      o.status = n.status();
      return o;
    }
    if (*n == 0) return o;
    o.released.append(reinterpret_cast<const char*>(buf), *n);
  }
}

// Offset of the payload nonce: just after the header's MAC line.
size_t PayloadOffset(const std::string& ct) { return ct.find("\n--- ") + 5 + 43 + 1; }

size_t ExpectedCiphertextSize(size_t header, size_t n) {
  size_t chunks = n == 0 ? 1 : (n + kChunk - 1) / kChunk;
  return header + internal::kPayloadNonceSize + n + chunks * crypto::kChaChaPolyTagSize;
}

TEST(AgeTest, RoundTripsAtChunkBoundaries) {
  X25519Identity id = NewIdentity();
  // Also around the sealing batches of internal::StreamWriter (16 chunks):
  // a batch sealed in two halves on two threads, a final full batch, and a
  // final chunk alone after full batches.
  constexpr size_t kBatch = internal::StreamWriter::kBatchChunks * kChunk;
  for (size_t n :
       {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 2 * kChunk, size_t{300 * 1024},
        kBatch - 1, kBatch, kBatch + 1, 2 * kBatch, 2 * kBatch + kChunk + 3}) {
    std::string pt = Pattern(n, static_cast<uint32_t>(n));
    std::string ct = EncryptOrDie(pt, {&id.Recipient()});
    EXPECT_EQ(ct.size(), ExpectedCiphertextSize(PayloadOffset(ct), n)) << n;
    Outcome o = DecryptAll(ct, {&id});
    ASSERT_TRUE(o.status.ok()) << n << ": " << o.status.ToString();
    EXPECT_TRUE(o.released == pt) << n;
    // Short reads from the source change nothing.
    Outcome slow = DecryptAll(ct, {&id}, {}, 333);
    ASSERT_TRUE(slow.status.ok()) << slow.status.ToString();
    EXPECT_TRUE(slow.released == pt);
  }
}

TEST(AgeTest, OutputDoesNotDependOnWriteSizes) {
  X25519Identity id = NewIdentity();
  std::string pt = Pattern(internal::StreamWriter::kBatchChunks * kChunk + 2 * kChunk + 777);
  std::vector<std::string> outputs;
  for (size_t piece : {pt.size(), size_t{1000}, size_t{7}, kChunk}) {
    testing::FakeEnv env;
    env.SetDeterministicRandom(42);
    std::string ct;
    StringSink sink(&ct);
    EncryptOptions options;
    options.env = &env;
    auto enc = AgeEncryptor::Create({&id.Recipient()}, &sink, options);
    ASSERT_TRUE(enc.ok());
    for (size_t i = 0; i < pt.size(); i += piece) {
      ASSERT_TRUE((*enc)->Write(std::string_view(pt).substr(i, piece)).ok());
    }
    ASSERT_TRUE((*enc)->Finish().ok());
    EXPECT_EQ((*enc)->plaintext_size(), pt.size());
    outputs.push_back(ct);
  }
  for (const auto& o : outputs) EXPECT_TRUE(o == outputs[0]);
  EXPECT_TRUE(DecryptAll(outputs[0], {&id}).released == pt);
}

TEST(AgeTest, MultipleRecipientsEachDecrypt) {
  X25519Identity a = NewIdentity(), b = NewIdentity(), c = NewIdentity(), other = NewIdentity();
  std::string pt = Pattern(70000);
  std::string ct = EncryptOrDie(pt, {&a.Recipient(), &b.Recipient(), &c.Recipient()});
  for (const X25519Identity* id : {&a, &b, &c}) {
    Outcome o = DecryptAll(ct, {id});
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    EXPECT_TRUE(o.released == pt);
  }
  // Any matching identity among several suffices.
  EXPECT_TRUE(DecryptAll(ct, {&other, &c}).status.ok());

  Outcome wrong = DecryptAll(ct, {&other});
  EXPECT_EQ(wrong.status.code(), StatusCode::kWrongKey);
  EXPECT_FALSE(wrong.opened);
  EXPECT_NE(wrong.status.message().find("encrypted to X25519 recipients"), std::string::npos)
      << wrong.status.message();
  EXPECT_NE(wrong.status.message().find("none of your identities"), std::string::npos);
}

TEST(AgeTest, ArmorRoundTripAndDetection) {
  X25519Identity id = NewIdentity();
  for (size_t n : {size_t{0}, size_t{5}, size_t{47}, size_t{48}, kChunk + 3}) {
    std::string pt = Pattern(n);
    EncryptOptions armored;
    armored.armor = Armor::kArmored;
    std::string ct = EncryptOrDie(pt, {&id.Recipient()}, armored);
    ASSERT_EQ(ct.rfind("-----BEGIN AGE ENCRYPTED FILE-----\n", 0), 0u);
    ASSERT_EQ(ct.substr(ct.size() - 33), "-----END AGE ENCRYPTED FILE-----\n");
    // Every line fits 64 columns.
    size_t start = 0;
    while (start < ct.size()) {
      size_t nl = ct.find('\n', start);
      EXPECT_LE(nl - start, 64u);
      start = nl + 1;
    }
    for (Armor mode : {Armor::kAuto, Armor::kArmored}) {
      DecryptOptions options;
      options.armor = mode;
      Outcome o = DecryptAll(ct, {&id}, options);
      ASSERT_TRUE(o.status.ok()) << o.status.ToString();
      EXPECT_TRUE(o.released == pt);
    }
    // Leading/trailing whitespace and CRLF are tolerated, as in age.
    std::string crlf;
    for (char c : ct) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    EXPECT_TRUE(DecryptAll("\n \t\r\n" + crlf + "\r\n ", {&id}).status.ok());
    // Told it is binary, it is not an age file.
    DecryptOptions binary;
    binary.armor = Armor::kBinary;
    EXPECT_EQ(DecryptAll(ct, {&id}, binary).status.code(), StatusCode::kCorruption);
  }
  // A binary file is never taken for armor.
  std::string bin = EncryptOrDie("x", {&id.Recipient()});
  DecryptOptions armored_only;
  armored_only.armor = Armor::kArmored;
  Outcome o = DecryptAll(bin, {&id}, armored_only);
  EXPECT_EQ(o.status.code(), StatusCode::kCorruption);
  EXPECT_NE(o.status.message().find("armor"), std::string::npos);
  EncryptOptions auto_enc;
  auto_enc.armor = Armor::kAuto;
  EXPECT_EQ(Encrypt("x", {&id.Recipient()}, auto_enc).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AgeTest, ScryptPassphrase) {
  auto r = ScryptRecipient::Create(SecretString("correct horse"), kTestScryptLog2);
  ASSERT_TRUE(r.ok());
  std::string pt = Pattern(1000);
  std::string ct = EncryptOrDie(pt, {&*r});
  EXPECT_NE(ct.find("\n-> scrypt "), std::string::npos);
  EXPECT_NE(ct.find(" 10\n"), std::string::npos);

  auto good = ScryptIdentity::Create(SecretString("correct horse"));
  ASSERT_TRUE(good.ok());
  Outcome o = DecryptAll(ct, {&*good});
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_TRUE(o.released == pt);

  auto bad = ScryptIdentity::Create(SecretString("battery staple"));
  ASSERT_TRUE(bad.ok());
  Outcome wrong = DecryptAll(ct, {&*bad});
  EXPECT_EQ(wrong.status.code(), StatusCode::kWrongKey);
  EXPECT_NE(wrong.status.message().find("wrong passphrase"), std::string::npos);

  X25519Identity key = NewIdentity();
  Outcome not_a_key = DecryptAll(ct, {&key});
  EXPECT_EQ(not_a_key.status.code(), StatusCode::kWrongKey);
  EXPECT_NE(not_a_key.status.message().find("passphrase"), std::string::npos);

  // The identity refuses work factors above its limit before any work.
  auto capped = ScryptIdentity::Create(SecretString("correct horse"), kTestScryptLog2 - 1);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(DecryptAll(ct, {&*capped}).status.code(), StatusCode::kUnsupported);

  // scrypt must be alone.
  X25519Identity other = NewIdentity();
  auto mixed = Encrypt("x", {&*r, &other.Recipient()});
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(ScryptRecipient::Create(SecretString("")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ScryptIdentity::Create(SecretString("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScryptRecipient::Create(SecretString("p"), 31).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AgeTest, DefaultScryptWorkFactorIs18) {
  // Checked without running scrypt at 2^18 (about a second); the interop
  // test has age 1.1.1 decrypt a file made with the default.
  auto r = ScryptRecipient::Create(SecretString("p"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->log2_work_factor(), 18);
  EXPECT_EQ(kScryptMaxLog2WorkFactor, 22);
}

TEST(AgeTest, KeysRoundTripThroughText) {
  X25519Identity id = NewIdentity();
  SecretString text = id.ToString();
  EXPECT_EQ(text.view().rfind("AGE-SECRET-KEY-1", 0), 0u);
  EXPECT_EQ(text.size(), 74u);
  for (char c : text.view()) EXPECT_FALSE(c >= 'a' && c <= 'z');
  auto parsed = X25519Identity::Parse(text.view());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Recipient().public_key(), id.Recipient().public_key());

  std::string r = id.Recipient().ToString();
  EXPECT_EQ(r.rfind("age1", 0), 0u);
  EXPECT_EQ(r.size(), 62u);
  auto rp = X25519Recipient::Parse(r);
  ASSERT_TRUE(rp.ok());
  EXPECT_EQ(rp->public_key(), id.Recipient().public_key());

  // Wrong kinds and cases are refused; messages never echo a secret key.
  std::string lower(text.view());
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto lower_id = X25519Identity::Parse(lower);
  EXPECT_EQ(lower_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lower_id.status().message().find(lower.substr(20)), std::string::npos);
  std::string damaged(text.view());
  damaged[30] = damaged[30] == 'Q' ? 'P' : 'Q';
  auto damaged_id = X25519Identity::Parse(damaged);
  EXPECT_EQ(damaged_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(damaged_id.status().message().find(damaged.substr(16)), std::string::npos);
  EXPECT_FALSE(X25519Identity::Parse(r).ok());
  EXPECT_FALSE(X25519Recipient::Parse(std::string(text.view())).ok());
  std::string upper_r = r;
  for (char& c : upper_r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(X25519Recipient::Parse(upper_r).ok());
}

TEST(AgeTest, SpecExampleIdentity) {
  // c2sp.org/age's example identity and the recipient age-keygen -y derives
  // for it (checked against age 1.1.1 in age_interop_test.cc as well).
  auto id = X25519Identity::Parse(
      "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->Recipient().ToString(),
            "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
}

// A toy stanza type that stores the file key in the clear, to show that new
// types plug in without touching the decryptor. Never for real use.
class PlainRecipient final : public RecipientStanzaWrapper {
 public:
  std::string_view stanza_type() const override { return "example.com/plain"; }
  Result<std::vector<Stanza>> Wrap(const SecretString& file_key, Env&) const override {
    Stanza s;
    s.type = "example.com/plain";
    s.args = {"arg"};
    s.body = std::string(file_key.view());
    return std::vector<Stanza>{s};
  }
};
class PlainIdentity final : public IdentityUnwrapper {
 public:
  std::string_view stanza_type() const override { return "example.com/plain"; }
  Result<SecretString> Unwrap(const Stanza& s) const override {
    if (s.type != "example.com/plain") return WrongKeyError("not mine");
    return SecretString(s.body);
  }
};

TEST(AgeTest, PluggableStanzaTypesAndUnknownStanzasSkipped) {
  X25519Identity id = NewIdentity();
  PlainRecipient plain_r;
  PlainIdentity plain_id;
  std::string ct = EncryptOrDie("hello", {&plain_r, &id.Recipient()});
  EXPECT_NE(ct.find("\n-> example.com/plain arg\n"), std::string::npos);
  // The X25519 identity ignores the unknown stanza; the toy one uses it.
  EXPECT_EQ(DecryptAll(ct, {&id}).released, "hello");
  EXPECT_EQ(DecryptAll(ct, {&plain_id}).released, "hello");
  // A file only for the toy type names it when nothing matches.
  std::string only_plain = EncryptOrDie("x", {&plain_r});
  Outcome o = DecryptAll(only_plain, {&id});
  EXPECT_EQ(o.status.code(), StatusCode::kWrongKey);
  EXPECT_NE(o.status.message().find("example.com/plain"), std::string::npos);
}

TEST(AgeTest, EncryptorReportsSinkFailuresAndMisuse) {
  X25519Identity id = NewIdentity();
  for (int fail_at : {0, 1, 2, 3}) {
    int writes = 0;
    SCOPED_TRACE(fail_at);
    FunctionSink sink([&](std::string_view) -> Status {
      return writes++ == fail_at ? IoError("disk full") : Status::Ok();
    });
    auto enc = AgeEncryptor::Create({&id.Recipient()}, &sink);
    if (fail_at == 0) {
      EXPECT_EQ(enc.status().code(), StatusCode::kIoError);
      continue;
    }
    ASSERT_TRUE(enc.ok());
    // The header, then one write per batch of sealed chunks: two full
    // batches from Write, the short final one from Finish.
    std::string pt = Pattern(2 * internal::StreamWriter::kBatchChunks * kChunk + 5);
    Status s = (*enc)->Write(pt);
    if (s.ok()) s = (*enc)->Finish();
    EXPECT_EQ(s.code(), StatusCode::kIoError) << fail_at;
    // Errors are sticky.
    EXPECT_EQ((*enc)->Write("more").code(), StatusCode::kIoError);
  }
  std::string ct;
  StringSink sink(&ct);
  auto enc = AgeEncryptor::Create({&id.Recipient()}, &sink);
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE((*enc)->Finish().ok());
  EXPECT_EQ((*enc)->Write("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*enc)->Finish().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AgeEncryptor::Create({}, &sink).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AgeDecryptor::Open(nullptr, {&id}).status().code(), StatusCode::kInvalidArgument);
}

// A source that fails with EIO after `ok_bytes` bytes.
class FailingSource final : public ByteSource {
 public:
  FailingSource(std::string data, size_t ok_bytes) : data_(std::move(data)), ok_(ok_bytes) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    if (pos_ >= ok_) return IoError("read error");
    size_t k = std::min({n, ok_ - pos_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, k, buf);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t ok_;
  size_t pos_ = 0;
};

TEST(AgeTest, DecryptorPassesSourceErrorsThrough) {
  X25519Identity id = NewIdentity();
  std::string ct = EncryptOrDie(Pattern(3 * kChunk), {&id.Recipient()});
  for (size_t ok_bytes : {size_t{0}, size_t{50}, PayloadOffset(ct) + 5, ct.size() - 1}) {
    FailingSource source(ct, ok_bytes);
    Status s;
    auto dec = AgeDecryptor::Open(&source, {&id});
    if (!dec.ok()) {
      s = dec.status();
    } else {
      std::string out;
      StringSink sink(&out);
      s = (*dec)->ReadAll(&sink);
    }
    EXPECT_EQ(s.code(), StatusCode::kIoError) << ok_bytes << ": " << s.ToString();
  }
}

TEST(AgeTest, RefusesOversizedHeaders) {
  X25519Identity id = NewIdentity();
  std::string long_arg = "age-encryption.org/v1\n-> X " + std::string(20000, 'a') + "\n\n--- ";
  EXPECT_EQ(DecryptAll(long_arg, {&id}).status.code(), StatusCode::kCorruption);
  std::string many = "age-encryption.org/v1\n";
  while (many.size() <= internal::kMaxHeaderSize) many += "-> X " + std::string(8000, 'a') + "\n\n";
  EXPECT_EQ(DecryptAll(many, {&id}).status.code(), StatusCode::kCorruption);
  std::string no_stanza = "age-encryption.org/v1\n--- " + std::string(43, 'A') + "\n";
  EXPECT_EQ(DecryptAll(no_stanza, {&id}).status.code(), StatusCode::kCorruption);
}

// ---- Tampering and truncation.

void ExpectRejected(const std::string& ct, const X25519Identity& id, const std::string& pt,
                    size_t max_release, const std::string& what) {
  Outcome o = DecryptAll(ct, {&id});
  ASSERT_FALSE(o.status.ok()) << what << " decrypted successfully";
  EXPECT_NE(o.status.code(), StatusCode::kInternal) << what;
  // Released plaintext is a prefix of the original, and nothing past the
  // damaged chunk.
  EXPECT_LE(o.released.size(), max_release) << what;
  EXPECT_TRUE(pt.compare(0, o.released.size(), o.released) == 0) << what;
}

TEST(AgeTest, EveryHeaderByteFlipIsRejected) {
  X25519Identity id = NewIdentity();
  X25519Identity other = NewIdentity();
  std::string pt = Pattern(100);
  std::string ct = EncryptOrDie(pt, {&id.Recipient(), &other.Recipient()});
  size_t header_end = PayloadOffset(ct);
  for (size_t i = 0; i < header_end; ++i) {
    for (uint8_t mask : {0x01, 0x80, 0x20}) {
      std::string t = ct;
      t[i] = static_cast<char>(t[i] ^ mask);
      ExpectRejected(t, id, pt, 0, "header byte " + std::to_string(i));
    }
  }
}

TEST(AgeTest, EveryPayloadByteFlipOfASmallFileIsRejected) {
  X25519Identity id = NewIdentity();
  std::string pt = Pattern(100);
  std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  for (size_t i = PayloadOffset(ct); i < ct.size(); ++i) {
    std::string t = ct;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    ExpectRejected(t, id, pt, 0, "payload byte " + std::to_string(i));
  }
}

TEST(AgeTest, PayloadFlipsOfAThreeChunkFileAreRejected) {
  X25519Identity id = NewIdentity();
  std::string pt = Pattern(2 * kChunk + 1000);
  std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  size_t payload = PayloadOffset(ct);
  size_t chunks_at = payload + internal::kPayloadNonceSize;
  std::set<size_t> offsets;
  for (size_t i = payload; i < ct.size(); i += 97) offsets.insert(i);
  for (size_t i = payload; i < chunks_at; ++i) offsets.insert(i);  // the nonce
  // Around every chunk boundary: the last tag bytes and the first bytes.
  for (size_t k = 0; k <= 3; ++k) {
    size_t b = chunks_at + k * kSealedChunk;
    for (size_t d = 0; d < 24; ++d) {
      if (b >= d && b - d - 1 >= chunks_at && b - d - 1 < ct.size()) offsets.insert(b - d - 1);
      if (b + d < ct.size()) offsets.insert(b + d);
    }
  }
  offsets.insert(ct.size() - 1);
  for (size_t i : offsets) {
    std::string t = ct;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    size_t chunk = i < chunks_at ? 0 : (i - chunks_at) / kSealedChunk;
    ExpectRejected(t, id, pt, chunk * kChunk, "payload byte " + std::to_string(i));
  }
}

TEST(AgeTest, EveryTruncationIsRejected) {
  X25519Identity id = NewIdentity();
  std::string pt = Pattern(100);
  std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  for (size_t n = 0; n < ct.size(); ++n) {
    ExpectRejected(ct.substr(0, n), id, pt, 0, "truncated to " + std::to_string(n));
  }
  // Three chunks: strided, plus every chunk boundary exactly.
  std::string big_pt = Pattern(2 * kChunk + 1000);
  std::string big = EncryptOrDie(big_pt, {&id.Recipient()});
  size_t chunks_at = PayloadOffset(big) + internal::kPayloadNonceSize;
  std::set<size_t> cuts;
  for (size_t n = 0; n < big.size(); n += 101) cuts.insert(n);
  for (size_t k = 0; k <= 2; ++k) {
    for (int d = -17; d <= 17; ++d) {
      size_t b = chunks_at + k * kSealedChunk + d;
      if (b < big.size()) cuts.insert(b);
    }
  }
  for (size_t n : cuts) {
    Outcome o = DecryptAll(big.substr(0, n), {&id});
    ASSERT_FALSE(o.status.ok()) << "truncated to " << n;
    EXPECT_TRUE(big_pt.compare(0, o.released.size(), o.released) == 0);
    // Cut exactly at a chunk boundary: the file ends before its final chunk.
    if (n > chunks_at && (n - chunks_at) % kSealedChunk == 0) {
      EXPECT_EQ(o.status.code(), StatusCode::kTruncated) << n << o.status.ToString();
      EXPECT_EQ(o.released.size(), (n - chunks_at) / kSealedChunk * kChunk);
    }
  }
}

// What a person is told about a file that travels (a package:
// short_end_is_truncation): a file cut at any point is "truncated"
// (kTruncated: get the whole file again), never "modified"; a byte flipped
// in a full chunk is "modified" (kVerificationFailed), also in a full final
// chunk. A short final chunk that fails is truncated too: a flip in it
// cannot be told from a cut inside it (neither opens under either flag).
// Without the option, such an end is kVerificationFailed, as age reports
// it, and only cuts age can see as such are kTruncated.
TEST(AgeTest, TruncationAndDamageAreToldApart) {
  X25519Identity id = NewIdentity();
  DecryptOptions travel;
  travel.short_end_is_truncation = true;
  const std::string pt = Pattern(kChunk + 100);
  const std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  const size_t chunks_at = PayloadOffset(ct) + internal::kPayloadNonceSize;
  // Every cut in the header, the nonce, the first and last 600 bytes of each
  // chunk (less than a tag, a tag exactly, more) and a stride of 13 between:
  // a cut's class depends only on where in its chunk it falls.
  std::set<size_t> cuts;
  for (size_t n = 0; n < ct.size(); ++n) {
    const size_t in_chunk = n < chunks_at ? 0 : (n - chunks_at) % kSealedChunk;
    if (n < chunks_at + 600 || in_chunk < 600 || in_chunk > kSealedChunk - 600 || n + 600 > ct.size() ||
        n % 13 == 0) {
      cuts.insert(n);
    }
  }
  for (size_t n : cuts) {
    Outcome o = DecryptAll(ct.substr(0, n), {&id}, travel);
    ASSERT_EQ(o.status.code(), StatusCode::kTruncated) << "cut at " << n << ": " << o.status.ToString();
    const std::string& m = o.status.message();
    if (n > chunks_at) {
      EXPECT_TRUE(m.find("truncated") != std::string::npos || m.find("incomplete") != std::string::npos)
          << n << ": " << m;
    }
  }
  for (size_t size : {2 * kChunk, 2 * kChunk + 100, size_t{100}}) {
    const std::string p = Pattern(size, 3);
    const std::string c = EncryptOrDie(p, {&id.Recipient()});
    const size_t at = PayloadOffset(c) + internal::kPayloadNonceSize;
    const size_t chunks = (c.size() - at + kSealedChunk - 1) / kSealedChunk;
    for (size_t k = 0; k < chunks; ++k) {
      const size_t begin = at + k * kSealedChunk, end = std::min(c.size(), begin + kSealedChunk);
      const bool full = end - begin == kSealedChunk;
      for (size_t i : {begin, begin + (end - begin) / 2, end - 1}) {
        std::string bad = c;
        bad[i] = static_cast<char>(bad[i] ^ 0x04);
        Outcome o = DecryptAll(bad, {&id}, travel);
        SCOPED_TRACE("size " + std::to_string(size) + " chunk " + std::to_string(k) + " byte " + std::to_string(i));
        if (full) {
          EXPECT_EQ(o.status.code(), StatusCode::kVerificationFailed) << o.status.ToString();
          EXPECT_NE(o.status.message().find("modified"), std::string::npos) << o.status.message();
        } else {
          EXPECT_EQ(o.status.code(), StatusCode::kTruncated) << o.status.ToString();
          EXPECT_NE(o.status.message().find("damaged"), std::string::npos) << o.status.message();
        }
        EXPECT_EQ(o.released, p.substr(0, k * kChunk));
        EXPECT_EQ(DecryptAll(bad, {&id}).status.code(), StatusCode::kVerificationFailed);
      }
    }
    // The payload nonce: every chunk fails, the first is named.
    std::string bad = c;
    bad[at - 1] ^= 0x01;
    EXPECT_EQ(DecryptAll(bad, {&id}, travel).status.code(),
              size >= kChunk ? StatusCode::kVerificationFailed : StatusCode::kTruncated);
  }
  // Without the option: a cut inside a chunk (past a tag's worth, or exactly
  // a tag's worth) fails authentication; a cut at a boundary is truncated.
  for (size_t n : {chunks_at + 100, chunks_at + kSealedChunk + 16, chunks_at + kSealedChunk + 50}) {
    EXPECT_EQ(DecryptAll(ct.substr(0, n), {&id}).status.code(), StatusCode::kVerificationFailed) << n;
  }
  EXPECT_EQ(DecryptAll(ct.substr(0, chunks_at + kSealedChunk), {&id}).status.code(), StatusCode::kTruncated);
  // (A genuine empty final chunk after a full one, whose 16 bytes do
  // authenticate, stays a framing error: the stream_last_chunk_empty vector.)
}

TEST(AgeTest, TrailingDataIsRejected) {
  X25519Identity id = NewIdentity();
  for (size_t n : {size_t{10}, kChunk, 2 * kChunk}) {
    std::string pt = Pattern(n);
    std::string ct = EncryptOrDie(pt, {&id.Recipient()});
    Outcome o = DecryptAll(ct + "x", {&id});
    EXPECT_FALSE(o.status.ok()) << n;
    if (n % kChunk == 0) {
      // A full final chunk authenticates; what follows it is refused.
      EXPECT_EQ(o.status.code(), StatusCode::kCorruption) << o.status.ToString();
    }
  }
}

// The payload is read 16 chunks at a time and opened on two threads: sizes
// around the batch edges, damage in either half, truncation at every chunk
// boundary and trailing data must behave exactly as chunk by chunk.
TEST(AgeTest, BatchedDecryptionKeepsStreamSemanticsAtEveryEdge) {
  X25519Identity id = NewIdentity();
  const size_t kBatch = internal::StreamReader::kBatchChunks;
  const size_t kSealed = internal::kEncryptedChunkSize;
  // The reader reads kBatches batches ahead into a ring of buffers: the last
  // sizes wrap around it, so a batch is judged while later ones are already
  // read and opening.
  const size_t kRing = internal::StreamReader::kBatches * kBatch;
  for (size_t n : {kBatch * kChunk, kBatch * kChunk + 1, (kBatch - 1) * kChunk + 5,
                   (kBatch + 1) * kChunk, 2 * kBatch * kChunk, 2 * kBatch * kChunk + 9,
                   (kRing + kBatch) * kChunk + 11, (2 * kRing + 1) * kChunk}) {
    const std::string pt = Pattern(n);
    const std::string ct = EncryptOrDie(pt, {&id.Recipient()});
    const size_t payload =
        PayloadOffset(ct) + 16;  // After the payload's 16-byte nonce: the STREAM.
    Outcome whole = DecryptAll(ct, {&id});
    ASSERT_TRUE(whole.status.ok()) << n << " " << whole.status.ToString();
    EXPECT_TRUE(whole.released == pt) << n;
    // Cut after full chunks on and around the batch edges: truncated, and
    // only whole chunks released.
    const size_t chunks = (ct.size() - payload + kSealed - 1) / kSealed;
    for (size_t c : {size_t{1}, kBatch / 2, kBatch - 1, kBatch, kBatch + 1, 2 * kBatch - 1,
                     kRing - 1, kRing, kRing + 1, kRing + kBatch / 2, chunks - 1}) {
      if (c == 0 || c >= chunks) continue;
      Outcome cut = DecryptAll(ct.substr(0, payload + c * kSealed), {&id});
      EXPECT_EQ(cut.status.code(), StatusCode::kTruncated) << n << " cut after chunk " << c;
      EXPECT_TRUE(cut.released == pt.substr(0, c * kChunk)) << n << " cut after chunk " << c;
    }
    // One flipped byte in chunk c (first half of a batch, second half, last):
    // nothing from chunk c on is released.
    for (size_t c : {size_t{1}, kBatch / 2 + 1, kRing - 1, kRing + 1, chunks - 1}) {
      if (c >= chunks) continue;
      std::string bad = ct;
      bad[payload + c * kSealed + 3] ^= 0x40;
      Outcome o = DecryptAll(bad, {&id});
      EXPECT_EQ(o.status.code(), StatusCode::kVerificationFailed) << n << " chunk " << c;
      EXPECT_TRUE(o.released == pt.substr(0, c * kChunk))
          << n << " chunk " << c << ": " << o.released.size();
    }
    // Trailing data after a full final chunk: corruption, after the data.
    if (n % kChunk == 0) {
      Outcome t = DecryptAll(ct + "xyz", {&id});
      EXPECT_EQ(t.status.code(), StatusCode::kCorruption) << n;
      EXPECT_TRUE(t.released == pt) << n;
    }
  }
}

// Stopping early: the encryptor or decryptor is destroyed while its workers
// still hold batches. Nothing hangs, nothing unfinished reaches the sink
// destructor returns (the file lacks its final chunk), and the plaintext
// read so far is exact.
TEST(AgeTest, DestroyedMidStreamStopsTheWorkers) {
  X25519Identity id = NewIdentity();
  const std::string pt = Pattern(6 * internal::StreamWriter::kBatchChunks * kChunk + 3);
  for (size_t written :
       {size_t{1}, 3 * internal::StreamWriter::kBatchChunks * kChunk + 1, pt.size()}) {
    std::string ct;
    StringSink sink(&ct);
    {
      auto enc = AgeEncryptor::Create({&id.Recipient()}, &sink);
      ASSERT_TRUE(enc.ok());
      ASSERT_TRUE((*enc)->Write(std::string_view(pt).substr(0, written)).ok());
    }  // No Finish: the batch being filled is never sealed, nor a final chunk.
    const std::string finished = EncryptOrDie(pt.substr(0, written), {&id.Recipient()});
    EXPECT_LT(ct.size(), finished.size()) << written;
    EXPECT_FALSE(DecryptAll(ct, {&id}).status.ok()) << written;
  }
  const std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  for (size_t read : {size_t{1}, kChunk, 2 * internal::StreamReader::kBatchChunks * kChunk + 17}) {
    StringSource source(ct, SIZE_MAX);
    auto dec = AgeDecryptor::Open(&source, {&id});
    ASSERT_TRUE(dec.ok());
    std::string got(read, '\0');
    size_t have = 0;
    while (have < read) {
      auto n = (*dec)->Read(reinterpret_cast<uint8_t*>(got.data()) + have, read - have);
      ASSERT_TRUE(n.ok() && *n > 0);
      have += *n;
    }
    EXPECT_TRUE(got == pt.substr(0, read)) << read;
    dec->reset();  // Workers may be opening batches ahead.
  }
}

// ReadView lends the same bytes Read copies, batch by batch, and ends (or
// fails) at the same place.
TEST(AgeTest, ReadViewGivesWhatReadGives) {
  X25519Identity id = NewIdentity();
  const std::string pt = Pattern(5 * internal::StreamReader::kBatchChunks * kChunk + 99);
  const std::string ct = EncryptOrDie(pt, {&id.Recipient()});
  for (bool cut : {false, true}) {
    const std::string input = cut ? ct.substr(0, ct.size() - 200) : ct;
    StringSource source(input, SIZE_MAX);
    auto dec = AgeDecryptor::Open(&source, {&id});
    ASSERT_TRUE(dec.ok());
    std::string got;
    Status end;
    while (true) {
      auto view = (*dec)->ReadView();
      if (!view.ok()) {
        end = view.status();
        break;
      }
      if (view->empty()) break;
      EXPECT_LE(view->size(), internal::StreamReader::kBatchChunks * kChunk);
      got.append(*view);
    }
    Outcome ref = DecryptAll(input, {&id});
    EXPECT_EQ(end.code(), ref.status.code()) << cut;
    EXPECT_TRUE(got == ref.released) << cut << " " << got.size() << " vs " << ref.released.size();
    EXPECT_EQ(cut, !end.ok());
  }
}

TEST(AgeWorkerPoolTest, RunOneTakesTheOldestTaskAndShutdownDropsTheRest) {
  internal::WorkerPool pool(1);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, first_running = false;
  std::vector<int> order;
  // The only worker is held inside the first task.
  pool.Submit([&] {
    std::unique_lock lock(mu);
    first_running = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    order.push_back(1);
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return first_running; });
  }
  for (int i = 2; i <= 4; ++i) {
    pool.Submit([&, i] {
      std::lock_guard lock(mu);
      order.push_back(i);
    });
  }
  EXPECT_TRUE(pool.RunOne());  // Task 2, on this thread.
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(order, std::vector<int>({2}));
    release = true;
  }
  cv.notify_all();
  pool.Shutdown();  // Waits for task 1; tasks 3 and 4 may or may not have run, never twice.
  EXPECT_FALSE(pool.RunOne());
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], 2);
  EXPECT_EQ(std::count(order.begin(), order.end(), 1), 1);
  EXPECT_LE(order.size(), 4u);
}

TEST(AgeTest, DecryptConvenience) {
  X25519Identity id = NewIdentity();
  auto pt = Decrypt(EncryptOrDie("secret data", {&id.Recipient()}), {&id});
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(pt->view(), "secret data");
  auto empty = Decrypt(EncryptOrDie("", {&id.Recipient()}), {&id});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace custody::age
