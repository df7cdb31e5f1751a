// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/ed25519.h"

#include <cryptopp/xed25519.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "crypto/encoding.h"
#include "support/malleate.h"
#include "support/temp_dir.h"

namespace custody::crypto {
namespace {

std::string Hex(std::string_view h) { return encoding::HexDecode(h).value(); }

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  std::string message_hex;
  const char* signature;
};

// RFC 8032 §7.1 TEST 1, 2, 3 and 1024 (a 1023-byte message). Cross-checked
// against OpenSSL (python3-cryptography) when written.
const std::vector<Rfc8032Vector>& Rfc8032Vectors() {
  static const auto* v = new std::vector<Rfc8032Vector>{
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
       "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
       "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
       "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
      {"f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
       "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
       "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
       "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
       "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
       "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
       "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
       "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
       "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
       "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
       "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
       "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
       "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
       "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
       "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
       "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
       "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
       "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
       "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
       "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
       "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
       "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
       "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
       "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
       "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
       "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
       "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
       "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
       "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
       "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
       "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
       "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
       "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
       "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
       "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
       "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
  };
  return *v;
}

TEST(Ed25519Test, Rfc8032Vectors) {
  for (const auto& v : Rfc8032Vectors()) {
    SCOPED_TRACE(v.public_key);
    SecretString seed(Hex(v.seed));
    std::string message = Hex(v.message_hex);
    auto pub = Ed25519PublicKey(seed);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(encoding::HexEncode(*pub), v.public_key);
    auto sig = Ed25519Sign(seed, message);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(encoding::HexEncode(*sig), v.signature);
    EXPECT_TRUE(Ed25519Verify(*pub, message, *sig));
  }
  EXPECT_EQ(Hex(Rfc8032Vectors()[3].message_hex).size(), 1023u);
}

TEST(Ed25519Test, GenerateSignVerifyRoundTrip) {
  auto kp = Ed25519Generate();
  ASSERT_TRUE(kp.ok()) << kp.status().ToString();
  ASSERT_EQ(kp->seed.size(), kEd25519SeedSize);
  EXPECT_EQ(Ed25519PublicKey(kp->seed).value(), kp->public_key);
  auto other = Ed25519Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key, kp->public_key);

  const std::string msg = "custody ledger checkpoint\n";
  std::string sig = Ed25519Sign(kp->seed, msg).value();
  EXPECT_TRUE(Ed25519Verify(kp->public_key, msg, sig));
  EXPECT_FALSE(Ed25519Verify(kp->public_key, msg + "x", sig));
  EXPECT_FALSE(Ed25519Verify(other->public_key, msg, sig));
  for (size_t i = 0; i < sig.size(); i += 7) {
    std::string flipped = sig;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(Ed25519Verify(kp->public_key, msg, flipped)) << "bit flip at byte " << i;
  }
}

TEST(Ed25519Test, RejectsWrongLengths) {
  const auto& v = Rfc8032Vectors()[1];
  std::string pub = Hex(v.public_key), sig = Hex(v.signature), msg = Hex(v.message_hex);
  ASSERT_TRUE(Ed25519Verify(pub, msg, sig));
  EXPECT_FALSE(Ed25519Verify(pub, msg, sig.substr(0, 63)));
  EXPECT_FALSE(Ed25519Verify(pub, msg, sig + '\0'));
  EXPECT_FALSE(Ed25519Verify(pub, msg, ""));
  EXPECT_FALSE(Ed25519Verify(pub.substr(0, 31), msg, sig));
  EXPECT_FALSE(Ed25519Verify(pub + '\0', msg, sig));
  EXPECT_EQ(Ed25519PublicKey(SecretString(std::string(31, 'k'))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519Sign(SecretString(std::string(33, 'k')), "m").status().code(),
            StatusCode::kInvalidArgument);
}

// Ed25519SignWithContext(context, payload) signs context + payload: the RFC
// 8032 known answers at every split (signing reads the message twice, so
// the stream is rewound between the passes), and payloads up to several
// megabytes (SignStream reads in blocks) against Crypto++'s non-streaming
// SignMessage of the concatenation, a code path custody no longer uses.
TEST(Ed25519Test, SignWithContextEqualsSignOfConcatenation) {
  for (const auto& v : Rfc8032Vectors()) {
    const SecretString seed(Hex(v.seed));
    const std::string sig = Hex(v.signature), msg = Hex(v.message_hex);
    for (size_t cut = 0; cut <= msg.size(); cut += (msg.size() > 64 ? 97 : 1)) {
      std::string_view m(msg);
      auto got = Ed25519SignWithContext(seed, m.substr(0, cut), m.substr(cut));
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, sig) << cut;
    }
  }
  auto kp = Ed25519Generate().value();
  const std::string context = "custody-test-context-v1\n";
  for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{3 * 1024 * 1024 + 17}}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>((i * 131) >> 3);
    auto streamed = Ed25519SignWithContext(kp.seed, context, payload);
    ASSERT_TRUE(streamed.ok());
    const std::string whole = context + payload;
    std::string reference(kEd25519SignatureSize, '\0');
    CryptoPP::ed25519Signer(kp.seed.bytes())
        .SignMessage(CryptoPP::NullRNG(), reinterpret_cast<const CryptoPP::byte*>(whole.data()), whole.size(),
                     reinterpret_cast<CryptoPP::byte*>(reference.data()));
    EXPECT_EQ(*streamed, reference) << size;
    EXPECT_EQ(Ed25519Sign(kp.seed, whole).value(), reference) << size;
    EXPECT_TRUE(Ed25519Verify(kp.public_key, whole, *streamed)) << size;
    EXPECT_TRUE(Ed25519VerifyWithContext(kp.public_key, context, payload, *streamed)) << size;
  }
  EXPECT_EQ(Ed25519SignWithContext(SecretString(std::string(31, 'k')), "c", "m").status().code(),
            StatusCode::kInvalidArgument);
}

// A message in pieces of a given size, which can fail on a chosen call.
class PiecesSource final : public MessageSource {
 public:
  PiecesSource(std::string message, size_t piece) : message_(std::move(message)), piece_(piece) {}
  void FailOnNextCall(int n, bool on_rewind) {
    fail_at_ = n;
    fail_rewind_ = on_rewind;
  }
  int rewinds() const { return rewinds_; }
  Status Rewind() override {
    ++rewinds_;
    at_ = 0;
    if (fail_rewind_ && --fail_at_ == 0) return IoError("injected rewind failure");
    return Status::Ok();
  }
  Result<std::string_view> Next() override {
    if (!fail_rewind_ && fail_at_ > 0 && --fail_at_ == 0) return IoError("injected read failure");
    std::string_view rest = std::string_view(message_).substr(at_);
    rest = rest.substr(0, piece_);
    at_ += rest.size();
    return rest;
  }

 private:
  std::string message_;
  size_t piece_, at_ = 0;
  int fail_at_ = 0, rewinds_ = 0;
  bool fail_rewind_ = false;
};

// Ed25519SignSource gives the signature of the whole message whatever the
// pieces (1 byte, a few, larger than Crypto++'s 4 KiB reads), rewinding the
// source itself; a source that fails, on any call, gives that error and no
// signature (a signature over the bytes read before the failure would look
// valid for a shorter message).
TEST(Ed25519Test, SignSourceEqualsSignOfWholeAndPassesSourceErrorsOn) {
  for (const auto& v : Rfc8032Vectors()) {
    const SecretString seed(Hex(v.seed));
    for (size_t piece : {size_t{1}, size_t{7}, size_t{5000}}) {
      PiecesSource source(Hex(v.message_hex), piece);
      auto got = Ed25519SignSource(seed, source);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, Hex(v.signature)) << piece;
      EXPECT_EQ(source.rewinds(), 2);  // Once before each of Ed25519's passes.
    }
  }
  auto kp = Ed25519Generate().value();
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 9));
  PiecesSource whole(big, 65536);
  EXPECT_EQ(Ed25519SignSource(kp.seed, whole).value(), Ed25519Sign(kp.seed, big).value());
  // 300,000 bytes in 64 KiB pieces: 5 pieces and the end per pass.
  for (int call : {1, 3, 6, 7, 9, 12}) {
    PiecesSource failing(big, 65536);
    failing.FailOnNextCall(call, false);
    auto got = Ed25519SignSource(kp.seed, failing);
    EXPECT_EQ(got.status().code(), StatusCode::kIoError) << call;
  }
  for (int rewind : {1, 2}) {
    PiecesSource failing(big, 65536);
    failing.FailOnNextCall(rewind, true);
    auto got = Ed25519SignSource(kp.seed, failing);
    EXPECT_EQ(got.status().code(), StatusCode::kIoError) << rewind;
  }
}

// Ed25519VerifySource reads the message in pieces: the verdict of
// Ed25519Verify on the whole, and a failing source is an error, not "invalid".
TEST(Ed25519Test, VerifySourceGivesTheVerdictOrTheSourcesError) {
  auto kp = Ed25519Generate().value();
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 9));
  const std::string sig = Ed25519Sign(kp.seed, big).value();
  for (size_t piece : {size_t{1}, size_t{4097}, size_t{65536}}) {
    if (piece == 1) {
      PiecesSource small("abc", 1);
      EXPECT_TRUE(Ed25519VerifySource(kp.public_key, small, Ed25519Sign(kp.seed, "abc").value()).value());
      continue;
    }
    PiecesSource whole(big, piece);
    EXPECT_TRUE(Ed25519VerifySource(kp.public_key, whole, sig).value()) << piece;
    std::string flipped = big;
    flipped[123456] ^= 1;
    PiecesSource changed(flipped, piece);
    EXPECT_FALSE(Ed25519VerifySource(kp.public_key, changed, sig).value()) << piece;
  }
  PiecesSource failing(big, 65536);
  failing.FailOnNextCall(3, false);
  EXPECT_EQ(Ed25519VerifySource(kp.public_key, failing, sig).status().code(), StatusCode::kIoError);
}

// Ed25519VerifyWithContext(context, payload) == Ed25519Verify(context +
// payload): on the RFC vectors at every split, and on a multi-megabyte
// message (Crypto++'s VerifyStream reads in blocks) with flips on either side
// of the split and in the signature.
TEST(Ed25519Test, VerifyWithContextEqualsVerifyOfConcatenation) {
  for (const auto& v : Rfc8032Vectors()) {
    std::string pub = Hex(v.public_key), sig = Hex(v.signature), msg = Hex(v.message_hex);
    for (size_t cut = 0; cut <= msg.size(); cut += (msg.size() > 64 ? 97 : 1)) {
      std::string_view m(msg);
      EXPECT_TRUE(Ed25519VerifyWithContext(pub, m.substr(0, cut), m.substr(cut), sig)) << cut;
      EXPECT_FALSE(Ed25519VerifyWithContext(pub, m.substr(0, cut), m.substr(cut), AddGroupOrderToS(sig))) << cut;
    }
    EXPECT_TRUE(Ed25519VerifyWithContext(pub, msg, "", sig));
    EXPECT_FALSE(Ed25519VerifyWithContext(pub, msg, "x", sig));
    EXPECT_FALSE(Ed25519VerifyWithContext(pub, "x", msg, sig));
    EXPECT_FALSE(Ed25519VerifyWithContext(pub, msg, "", sig.substr(0, 63)));
    EXPECT_FALSE(Ed25519VerifyWithContext(pub.substr(0, 31), msg, "", sig));
  }
  auto kp = Ed25519Generate().value();
  const std::string context = "custody-test-context-v1\n";
  std::string payload(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>((i * 131) >> 3);
  const std::string sig = Ed25519Sign(kp.seed, context + payload).value();
  EXPECT_TRUE(Ed25519VerifyWithContext(kp.public_key, context, payload, sig));
  EXPECT_TRUE(Ed25519Verify(kp.public_key, context + payload, sig));
  for (size_t at : {size_t{0}, size_t{4095}, size_t{4096}, payload.size() / 2, payload.size() - 1}) {
    std::string flipped = payload;
    flipped[at] ^= 0x20;
    EXPECT_FALSE(Ed25519VerifyWithContext(kp.public_key, context, flipped, sig)) << at;
  }
  std::string flipped_context = context;
  flipped_context[3] ^= 0x01;
  EXPECT_FALSE(Ed25519VerifyWithContext(kp.public_key, flipped_context, payload, sig));
  EXPECT_FALSE(Ed25519VerifyWithContext(kp.public_key, context, payload.substr(1), sig));
  std::string bad_sig = sig;
  bad_sig[5] ^= 0x01;
  EXPECT_FALSE(Ed25519VerifyWithContext(kp.public_key, context, payload, bad_sig));
}

// The malleation Crypto++ alone would accept: (R, S + L) for a valid (R, S).
TEST(Ed25519Test, RejectsNonCanonicalS) {
  for (const auto& v : Rfc8032Vectors()) {
    std::string pub = Hex(v.public_key), msg = Hex(v.message_hex);
    std::string malleated = AddGroupOrderToS(Hex(v.signature));
    EXPECT_NE(malleated, Hex(v.signature));
    EXPECT_FALSE(Ed25519Verify(pub, msg, malleated));
  }
  // S = L exactly, and S with the top bits set, are refused too.
  std::string sig = Hex(Rfc8032Vectors()[0].signature);
  std::string s_is_l = sig.substr(0, 32) + std::string(32, '\0');
  EXPECT_FALSE(Ed25519Verify(Hex(Rfc8032Vectors()[0].public_key), "", AddGroupOrderToS(s_is_l)));
  sig[63] = static_cast<char>(sig[63] | 0xe0);
  EXPECT_FALSE(Ed25519Verify(Hex(Rfc8032Vectors()[0].public_key), "", sig));
}

// The C2SP/CCTV ed25519 edge-case vectors (tests/data/ed25519, from
// C2SP/CCTV ed25519/ed25519vectors.json; see its LICENSE). Each vector lists
// the edge cases it exercises in "flags". There is no "right" answer for most
// of them: implementations legitimately differ. What matters for a ledger is
// that our answer never changes silently, so the accepted set is pinned.
//
// What the accepted set means (208 of 914; identical to OpenSSL 3's
// ED25519 verifier, checked via python3-cryptography when pinned):
//  * cofactorless verification: [S]B == R + [k]A is checked without
//    multiplying by 8, so every vector flagged "low_order_residue" (those that
//    verify only under the cofactored equation [8][S]B == [8]R + [8][k]A) is
//    rejected;
//  * R is compared as bytes against the encoding of the computed point, so
//    every "non_canonical_R" vector is rejected;
//  * small-order A and R ("low_order_A", "low_order_R", "low_order_component_*")
//    are accepted when the equation holds: Ed25519 as specified does not
//    exclude them; our keys are generated, never attacker-chosen;
//  * non-canonical A encodings are accepted, with k hashed over A's bytes as
//    given (the "reencoded_k" vectors whose k used those bytes pass);
//  * S >= L is rejected before Crypto++ runs (no CCTV vector has S >= L, so
//    that is checked by malleating every accepted vector below).
// Rule checked below: accepted <=> neither low_order_residue nor
// non_canonical_R.
const std::set<int>& PinnedAcceptedVectors() {
  static const auto* s = new std::set<int>{
      1,   3,   5,   7,   9,   11,  23,  25,  27,  29,  31,  33,  35,  44,  46,  48,  50,  52,  54,
      111, 113, 115, 117, 119, 121, 133, 135, 137, 139, 141, 143, 155, 157, 159, 161, 163, 165, 166,
      167, 176, 178, 180, 182, 184, 186, 188, 243, 245, 247, 249, 251, 253, 255, 302, 303, 304, 305,
      306, 307, 308, 309, 310, 311, 312, 313, 314, 405, 407, 409, 411, 419, 421, 423, 425, 432, 434,
      436, 438, 459, 461, 463, 465, 467, 469, 471, 473, 475, 477, 479, 481, 483, 485, 487, 489, 491,
      493, 495, 497, 505, 507, 509, 511, 519, 521, 523, 525, 532, 534, 536, 538, 559, 561, 563, 565,
      567, 569, 571, 573, 575, 577, 579, 581, 583, 585, 587, 589, 591, 593, 595, 597, 605, 607, 609,
      611, 619, 621, 623, 625, 632, 634, 636, 638, 659, 661, 663, 665, 667, 669, 671, 673, 675, 677,
      679, 681, 683, 685, 687, 689, 691, 693, 695, 697, 705, 707, 709, 711, 719, 721, 723, 725, 732,
      734, 736, 738, 759, 761, 763, 765, 767, 769, 771, 773, 775, 777, 779, 781, 783, 785, 787, 789,
      791, 793, 795, 797, 826, 828, 830, 832, 834, 836, 838, 893, 895, 897, 899, 901, 903, 904};
  return *s;
}

TEST(Ed25519Test, CctvEdgeCaseVectorsAcceptedSetIsPinned) {
  auto vectors = nlohmann::json::parse(ReadFileOrDie(TestDataPath("ed25519/ed25519vectors.json")));
  ASSERT_EQ(vectors.size(), 914u);
  std::set<int> accepted;
  for (const auto& v : vectors) {
    int number = v.at("number").get<int>();
    std::string pub = Hex(v.at("key").get<std::string>());
    std::string sig = Hex(v.at("sig").get<std::string>());
    std::string msg = v.at("msg").get<std::string>();
    std::set<std::string> flags;
    if (v.at("flags").is_array()) flags = v.at("flags").get<std::set<std::string>>();
    bool ok = Ed25519Verify(pub, msg, sig);
    if (ok) accepted.insert(number);
    // The streaming two-part verifier gives the same answer wherever the
    // message is split.
    for (size_t cut : {size_t{0}, msg.size() / 2, msg.size()}) {
      EXPECT_EQ(Ed25519VerifyWithContext(pub, std::string_view(msg).substr(0, cut), std::string_view(msg).substr(cut),
                                         sig),
                ok)
          << "vector " << number << " cut at " << cut;
    }
    bool rule = !flags.count("low_order_residue") && !flags.count("non_canonical_R");
    EXPECT_EQ(ok, rule) << "vector " << number;
    if (ok) {
      // No accepted vector may survive the S + L malleation.
      EXPECT_FALSE(Ed25519Verify(pub, msg, AddGroupOrderToS(sig))) << "vector " << number;
    }
  }
  EXPECT_EQ(accepted, PinnedAcceptedVectors());
  EXPECT_EQ(accepted.size(), 208u);
}

}  // namespace
}  // namespace custody::crypto
