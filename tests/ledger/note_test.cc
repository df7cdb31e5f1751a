// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/note.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "ledger/merkle.h"
#include "support/malleate.h"
#include "support/temp_dir.h"

namespace custody::note {
namespace {

constexpr char kOrigin[] = "custody.example/ledger/test";
const std::string kEmDash = "\xE2\x80\x94";

std::string Golden(const std::string& name) { return ReadFileOrDie(TestDataPath("note/" + name)); }
std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}
Verifier TestVerifier() { return ParseVerifierKey(Trimmed(Golden("verifier.vkey"))).value(); }
SecretString TestSeed() {
  return SecretString(encoding::HexDecode(Trimmed(Golden("signer.seed.hex"))).value());
}

TEST(NoteTest, VerifierKeyRoundTripAndKeyId) {
  Verifier v = TestVerifier();
  EXPECT_EQ(v.name, kOrigin);
  EXPECT_EQ(v.public_key, crypto::Ed25519PublicKey(TestSeed()).value());
  EXPECT_EQ(v.key_id, KeyId(v.name, v.public_key));
  EXPECT_EQ(FormatVerifierKey(v.name, v.public_key), Trimmed(Golden("verifier.vkey")));
}

// Verifier keys and notes published by others (interop):
//  * the example of the C2SP signed-note spec (c2sp.org/signed-note);
//  * the example of golang.org/x/mod/sumdb/note's documentation.
TEST(NoteTest, VerifiesPublishedExampleNotes) {
  struct Example {
    const char* vkey;
    std::string text;
    const char* signature_line;
    uint32_t key_id;
  };
  const std::vector<Example> examples = {
      {"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
       "This is an example message.\n",
       "example.com/foo "
       "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHj"
       "G1Yu72IneyaQM=\n",
       0x530d903a},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "If you think cryptography is the answer to your problem,\n"
       "then you don't know what your problem is.\n",
       "PeterNeumann "
       "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE"
       "6RyyBwJnAM=\n",
       0xc74f20a3},
  };
  for (const auto& e : examples) {
    auto v = ParseVerifierKey(e.vkey);
    ASSERT_TRUE(v.ok()) << e.vkey << ": " << v.status().ToString();
    EXPECT_EQ(v->key_id, e.key_id);
    EXPECT_EQ(FormatVerifierKey(v->name, v->public_key), e.vkey);
    std::string note = e.text + "\n" + kEmDash + " " + e.signature_line;
    auto text = Open(note, *v);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, e.text);
    std::string altered = note;
    altered[0] ^= 0x20;
    EXPECT_EQ(Open(altered, *v).status().code(), StatusCode::kVerificationFailed);
  }
}

TEST(NoteTest, RejectsMalformedVerifierKeys) {
  const std::string good = Trimmed(Golden("verifier.vkey"));
  Verifier v = TestVerifier();
  std::string id = good.substr(good.find('+') + 1, 8);
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  std::string b64 = good.substr(good.rfind('+') + 1);
  const std::vector<std::string> bad = {
      "",
      kOrigin,
      std::string(kOrigin) + "+" + id,
      "+" + id + "+" + b64,                                   // Empty name.
      "a b+" + id + "+" + b64,                                // Space in name.
      std::string(kOrigin) + "+" + id.substr(1) + "+" + b64,  // 7 hex digits.
      std::string(kOrigin) + "+" + id + "0+" + b64,           // 9 hex digits.
      std::string(kOrigin) + "+" + upper + "+" + b64,         // Uppercase hex.
      std::string(kOrigin) + "+00000000+" + b64,              // Wrong key ID.
      "other.example+" + id + "+" + b64,                      // ID of another name.
      good + "=",                                             // Bad padding.
      good.substr(0, good.size() - 4),                        // Short key.
      std::string(kOrigin) + "+" + id + "+" + b64 + "\n",     // Newline.
  };
  for (const auto& k : bad) {
    auto r = ParseVerifierKey(k);
    EXPECT_FALSE(r.ok()) << k;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << k;
    }
  }
  // A key of another signature type: valid key ID, unsupported type.
  std::string typed = std::string("\x04", 1) + v.public_key;
  std::string name = "w.example";
  std::string id4 = crypto::Sha256Hex(name + "\n" + typed).substr(0, 8);
  EXPECT_EQ(
      ParseVerifierKey(name + "+" + id4 + "+" + encoding::Base64Encode(typed)).status().code(),
      StatusCode::kUnsupported);
}

TEST(NoteTest, SignReproducesTheGoldenNoteByteForByte) {
  std::string valid = Golden("checkpoint.valid");
  auto c = ParseCheckpoint(Open(valid, TestVerifier()).value());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->origin, kOrigin);
  EXPECT_EQ(c->size, 5u);
  EXPECT_EQ(encoding::HexEncode(c->root_hash),
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4");
  EXPECT_TRUE(c->extensions.empty());
  auto signed_note = Sign(FormatCheckpoint(*c), kOrigin, TestSeed());
  ASSERT_TRUE(signed_note.ok()) << signed_note.status().ToString();
  EXPECT_EQ(*signed_note, valid);
}

TEST(NoteTest, GoldenCheckpoints) {
  const Verifier v = TestVerifier();
  struct Case {
    const char* file;
    StatusCode open;        // Result of Open().
    StatusCode checkpoint;  // Result of OpenCheckpoint().
  };
  const std::vector<Case> cases = {
      {"checkpoint.valid", StatusCode::kOk, StatusCode::kOk},
      {"checkpoint.cosigned", StatusCode::kOk, StatusCode::kOk},
      {"checkpoint.crlf", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
      {"checkpoint.no-final-newline", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
      {"checkpoint.truncated", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
      {"checkpoint.double-hyphen", StatusCode::kInvalidArgument, StatusCode::kInvalidArgument},
      {"checkpoint.leading-zero-size", StatusCode::kOk, StatusCode::kInvalidArgument},
      {"checkpoint.plus-size", StatusCode::kOk, StatusCode::kInvalidArgument},
      {"checkpoint.wrong-key", StatusCode::kVerificationFailed, StatusCode::kVerificationFailed},
      {"checkpoint.bit-flipped", StatusCode::kVerificationFailed, StatusCode::kVerificationFailed},
  };
  for (const auto& c : cases) {
    std::string note = Golden(c.file);
    auto opened = Open(note, v);
    EXPECT_EQ(opened.status().code(), c.open) << c.file << ": " << opened.status().ToString();
    auto cp = OpenCheckpoint(note, v);
    EXPECT_EQ(cp.status().code(), c.checkpoint) << c.file << ": " << cp.status().ToString();
  }
}

TEST(NoteTest, RejectsMalleatedSignature) {
  std::string valid = Golden("checkpoint.valid");
  size_t at = valid.rfind(' ') + 1;
  std::string blob = encoding::Base64Decode(Trimmed(valid.substr(at))).value();
  ASSERT_EQ(blob.size(), 68u);
  // (R, S) -> (R, S + L) in the signature after the 4-byte key ID.
  std::string malleated_blob = blob.substr(0, 4) + AddGroupOrderToS(blob.substr(4));
  ASSERT_NE(malleated_blob, blob);
  std::string malleated = valid.substr(0, at) + encoding::Base64Encode(malleated_blob) + "\n";
  EXPECT_EQ(Open(malleated, TestVerifier()).status().code(), StatusCode::kVerificationFailed);
}

// Malformations built from the valid note, beyond the golden files.
TEST(NoteTest, StrictParsing) {
  const Verifier v = TestVerifier();
  const std::string valid = Golden("checkpoint.valid");
  const size_t sig_start = valid.find(kEmDash);
  const std::string text = valid.substr(0, sig_start - 1), sig_line = valid.substr(sig_start);
  auto code = [&](const std::string& note) { return Open(note, v).status().code(); };
  EXPECT_EQ(code(valid), StatusCode::kOk);
  // No blank line, no signatures, a trailing blank line.
  EXPECT_EQ(code(text + sig_line), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(text + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(valid + "\n"), StatusCode::kInvalidArgument);
  // Key name with a space or a plus; missing space before the signature.
  std::string b64 = Trimmed(sig_line.substr(sig_line.rfind(' ') + 1));
  EXPECT_EQ(code(text + "\n" + kEmDash + " a b " + b64 + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(text + "\n" + kEmDash + " a+b " + b64 + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(text + "\n" + kEmDash + " " + kOrigin + b64 + "\n"), StatusCode::kInvalidArgument);
  // Non-canonical base64: missing padding, set trailing bits, a space.
  std::string unpadded = b64;
  while (unpadded.back() == '=') unpadded.pop_back();
  EXPECT_EQ(code(text + "\n" + kEmDash + " " + kOrigin + " " + unpadded + "\n"),
            StatusCode::kInvalidArgument);
  std::string trailing_bits = b64;
  size_t last = trailing_bits.find('=') - 1;
  trailing_bits[last] = static_cast<char>(trailing_bits[last] + 1);  // Sets a padding bit.
  EXPECT_EQ(code(text + "\n" + kEmDash + " " + kOrigin + " " + trailing_bits + "\n"),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(text + "\n" + kEmDash + " " + kOrigin + "  " + b64 + "\n"),
            StatusCode::kInvalidArgument);
  // Two signatures by the same key.
  EXPECT_EQ(code(valid + sig_line), StatusCode::kInvalidArgument);
  // Unknown signers are ignored, up to 100 signatures in all.
  std::string unknown = kEmDash + " other.example/log AAAAAAAAAAAAAAAAAAAAAA==\n";
  std::string note = text + "\n";
  for (int i = 0; i < 99; ++i) note += unknown;
  EXPECT_EQ(code(note + sig_line), StatusCode::kOk);
  EXPECT_EQ(code(note + unknown + sig_line), StatusCode::kInvalidArgument);
  // Invalid UTF-8, a control character.
  EXPECT_EQ(code("\xff" + valid), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("\t" + valid), StatusCode::kInvalidArgument);
}

TEST(NoteTest, SignRejectsBadInput) {
  SecretString seed = TestSeed();
  EXPECT_EQ(Sign("no newline", kOrigin, seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("", kOrigin, seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("crlf\r\n", kOrigin, seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("t\n", "a b", seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("t\n", "a+b", seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("t\n", "", seed).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("t\n",
                 "a\xe3\x80\x80"
                 "b",
                 seed)
                .status()
                .code(),  // Ideographic space.
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Sign("t\n", kOrigin, SecretString("short")).status().code(),
            StatusCode::kInvalidArgument);
  // Text with an empty line is a valid note (split at the last blank line).
  auto n = Sign("a\n\nb\n", kOrigin, seed);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Open(*n, TestVerifier()).value(), "a\n\nb\n");
}

TEST(NoteTest, CheckpointStrictness) {
  const std::string root = encoding::Base64Encode(std::string(32, 'r'));
  auto code = [](const std::string& t) { return ParseCheckpoint(t).status().code(); };
  EXPECT_EQ(code("o\n0\n" + root + "\n"), StatusCode::kOk);
  EXPECT_EQ(code("o\n18446744073709551615\n" + root + "\n"), StatusCode::kOk);
  EXPECT_EQ(code("o\n18446744073709551616\n" + root + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n00\n" + root + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n-1\n" + root + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n 1\n" + root + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n1\n" + root), StatusCode::kInvalidArgument);  // No final newline.
  EXPECT_EQ(code("o\n1\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("\n1\n" + root + "\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n1\n" + root + "\n\next\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n1\n" + encoding::Base64Encode(std::string(31, 'r')) + "\n"),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("o\n1\n" + encoding::Base64Encode(std::string(33, 'r')) + "\n"),
            StatusCode::kInvalidArgument);
  auto ext = ParseCheckpoint("o\n1\n" + root + "\nx y\nz\n");
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->extensions, (std::vector<std::string>{"x y", "z"}));
  EXPECT_EQ(FormatCheckpoint(*ext), "o\n1\n" + root + "\nx y\nz\n");
}

TEST(NoteTest, OpenCheckpointRequiresOriginToBeTheKeyName) {
  Checkpoint c{"another.example/log", 1, std::string(32, 'r'), {}};
  std::string note = Sign(FormatCheckpoint(c), kOrigin, TestSeed()).value();
  EXPECT_TRUE(Open(note, TestVerifier()).ok());
  EXPECT_EQ(OpenCheckpoint(note, TestVerifier()).status().code(), StatusCode::kVerificationFailed);
}

// A tree of 7 entries; proofs for each entry in the C2SP tlog-proof format.
TEST(NoteTest, TlogProofRoundTripAndVerification) {
  merkle::CompactRange cr;
  std::map<merkle::NodeId, merkle::Hash> nodes;
  std::vector<std::pair<merkle::NodeId, merkle::Hash>> completed;
  std::vector<std::string> entries;
  for (int i = 0; i < 7; ++i) {
    entries.push_back("{\"seq\":" + std::to_string(i) + "}");
    cr.Append(merkle::HashLeaf(entries.back()), &completed);
  }
  for (auto& [id, h] : completed) nodes[id] = h;
  merkle::NodeReader read = [&](const std::vector<merkle::NodeId>& ids) {
    std::vector<merkle::Hash> out;
    for (const auto& id : ids) out.push_back(nodes.at(id));
    return Result<std::vector<merkle::Hash>>(out);
  };
  std::string checkpoint =
      Sign(FormatCheckpoint({kOrigin, 7, cr.Root(), {}}), kOrigin, TestSeed()).value();
  const Verifier v = TestVerifier();
  for (uint64_t i = 0; i < 7; ++i) {
    TlogProof p{i == 3 ? "some extra" : "", i, merkle::InclusionProof(i, 7, read).value(),
                checkpoint};
    std::string text = FormatTlogProof(p);
    EXPECT_EQ(text.rfind("c2sp.org/tlog-proof@v1\n", 0), 0u);
    auto parsed = ParseTlogProof(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->extra, p.extra);
    EXPECT_EQ(parsed->index, i);
    EXPECT_EQ(parsed->path, p.path);
    EXPECT_EQ(parsed->signed_checkpoint, checkpoint);
    EXPECT_EQ(FormatTlogProof(*parsed), text);
    auto c = VerifyTlogProof(*parsed, merkle::HashLeaf(entries[i]), v);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->size, 7u);
    // Another entry, another index, another key.
    EXPECT_FALSE(VerifyTlogProof(*parsed, merkle::HashLeaf(entries[(i + 1) % 7]), v).ok());
    TlogProof moved = *parsed;
    moved.index = (i + 1) % 7;
    EXPECT_FALSE(VerifyTlogProof(moved, merkle::HashLeaf(entries[i]), v).ok());
    EXPECT_FALSE(VerifyTlogProof(*parsed, merkle::HashLeaf(entries[i]),
                                 ParseVerifierKey("example.com/foo+530d903a+"
                                                  "AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
                                     .value())
                     .ok());
  }
}

TEST(NoteTest, TlogProofStrictParsing) {
  const std::string h = encoding::Base64Encode(std::string(32, 'h'));
  const std::string cp = Golden("checkpoint.valid");
  auto code = [](const std::string& t) { return ParseTlogProof(t).status().code(); };
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 0\n\n" + cp), StatusCode::kOk);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 5\n" + h + "\n\n" + cp), StatusCode::kOk);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v2\nindex 5\n" + h + "\n\n" + cp),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 05\n" + h + "\n\n" + cp),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex +5\n" + h + "\n\n" + cp),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nextra !!\nindex 5\n\n" + cp),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\n" + h + "\n\n" + cp), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 5\n" +
                 encoding::Base64Encode(std::string(31, 'h')) + "\n\n" + cp),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\r\nindex 5\r\n\r\n" + cp), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 5\n" + h + "\n"), StatusCode::kTruncated);
  EXPECT_EQ(code("c2sp.org/tlog-proof@v1\nindex 5\n" + h + "\n\n"), StatusCode::kTruncated);
  std::string many = "c2sp.org/tlog-proof@v1\nindex 5\n";
  for (int i = 0; i < 65; ++i) many += h + "\n";
  EXPECT_EQ(code(many + "\n" + cp), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace custody::note
