// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// scripts/verify-evidence.py, the auditor's independent verifier, run for
// real with python3 on bundles made by the library's primitives. Every case is
// also checked with the C++ verifier (note::VerifyTlogProof): both must agree.
#include <gtest/gtest.h>
#include <unistd.h>

#include "crypto/encoding.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "support/evidence_bundle.h"
#include "support/malleate.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

constexpr char kOrigin[] = "custody.example/ledger/interop";

std::string Script() { return std::string(CUSTODY_SOURCE_DIR) + "/scripts/verify-evidence.py"; }
// The Debian python3 that scripts/setup.sh equips with python3-cryptography
// (and which starts fast, unlike a version-manager shim earlier in PATH).
std::string Python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

std::string Entry(int i) {
  return "{\"data\":{\"note\":\"受領 " + std::to_string(i) +
         "\"},\"operator\":\"tanaka\",\"seq\":" + std::to_string(i) +
         ",\"type\":\"package.created\"}";
}

// The library's verdict on a bundle (the bundle framing is parsed here).
bool LibraryAccepts(const std::string& bundle, const std::string& vkey) {
  const std::string head = "custody evidence bundle v1\nentry ";
  if (bundle.rfind(head, 0) != 0) return false;
  size_t end = bundle.find("\n\n", head.size());
  if (end == std::string::npos) return false;
  auto entry = encoding::Base64Decode(bundle.substr(head.size(), end - head.size()));
  auto proof = note::ParseTlogProof(bundle.substr(end + 2));
  auto verifier = note::ParseVerifierKey(vkey);
  if (!entry.ok() || !proof.ok() || !verifier.ok()) return false;
  return note::VerifyTlogProof(*proof, merkle::HashLeaf(*entry), *verifier).ok();
}

class VerifyEvidenceScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i) log_.Append(Entry(i));
  }
  CommandResult Run(const std::string& bundle, const std::string& vkey,
                    const std::vector<std::string>& env = {}) {
    std::string path = dir_.path() + "/bundle.txt";
    WriteFileOrDie(path, bundle);
    return RunCommand({Python(), Script(), path, "--key", vkey}, "", env);
  }
  // Refused by the script (exit 1, "FAILED: <reason>", no OK) and by the library.
  void ExpectRefused(const std::string& what, const std::string& bundle, const std::string& vkey,
                     const std::string& reason) {
    CommandResult r = Run(bundle, vkey);
    EXPECT_EQ(r.exit_code, 1) << what << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("FAILED: " + reason), std::string::npos) << what << ": " << r.err;
    EXPECT_EQ(r.out.find("OK"), std::string::npos) << what;
    EXPECT_FALSE(LibraryAccepts(bundle, vkey)) << what;
  }

  TestEvidenceLog log_{kOrigin, "interop test key"};
  TempDir dir_;
};

TEST_F(VerifyEvidenceScriptTest, AcceptsValidBundles) {
  for (uint64_t i = 0; i < log_.size(); ++i) {
    std::string bundle = log_.Bundle(i, i == 2 ? "opaque extra" : "");
    ASSERT_TRUE(LibraryAccepts(bundle, log_.VerifierKey()));
    CommandResult r = Run(bundle, log_.VerifierKey());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(Entry(static_cast<int>(i)) + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nOK\n"), std::string::npos) << r.out;
  }
}

TEST_F(VerifyEvidenceScriptTest, KeyFileStdinAndOpensslFallback) {
  std::string bundle = log_.Bundle(4);
  std::string key_file = dir_.path() + "/ledger.vkey";
  WriteFileOrDie(key_file, log_.VerifierKey() + "\n");
  CommandResult r = RunCommand({Python(), Script(), "-", "--key-file", key_file}, bundle);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK"), std::string::npos);
  // Without python3-cryptography the script uses `openssl pkeyutl -rawin`;
  // forced here so that path is tested too, accepting and refusing.
  const std::vector<std::string> force = {"CUSTODY_VERIFY_FORCE_OPENSSL=1"};
  r = Run(bundle, log_.VerifierKey(), force);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string flipped = bundle;
  size_t sig = flipped.size() - 10;  // Inside the Ed25519 signature, past the key ID.
  flipped[sig] = flipped[sig] == 'A' ? 'B' : 'A';
  r = Run(flipped, log_.VerifierKey(), force);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
  // No key at all is a usage error.
  r = RunCommand({Python(), Script(), "-"}, bundle);
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(VerifyEvidenceScriptTest, RefusesAlteredEntryIndexProofAndCheckpoint) {
  const std::string vkey = log_.VerifierKey();
  const uint64_t index = 3;
  const std::string checkpoint = log_.SignedCheckpoint();
  const std::vector<merkle::Hash> path = log_.Path(index);
  auto bundle = [&](const std::string& entry, uint64_t idx, std::vector<merkle::Hash> p,
                    const std::string& cp) {
    return TestEvidenceLog::FormatBundle(entry, note::FormatTlogProof({"", idx, p, cp}));
  };
  ASSERT_TRUE(LibraryAccepts(bundle(Entry(3), index, path, checkpoint), vkey));

  std::string entry = Entry(3);
  entry[entry.find("tanaka")] = 'T';
  ExpectRefused("altered entry", bundle(entry, index, path, checkpoint), vkey,
                "entry 3 is not in the signed tree");
  ExpectRefused("other entry", bundle(Entry(2), index, path, checkpoint), vkey,
                "entry 3 is not in the signed tree");
  ExpectRefused("altered index", bundle(Entry(3), index + 1, path, checkpoint), vkey,
                "inclusion proof is too long");
  ExpectRefused("index beyond size", bundle(Entry(3), 6, path, checkpoint), vkey,
                "entry index 6 is beyond the tree size 6");
  std::vector<merkle::Hash> bad_path = path;
  bad_path[0][7] ^= 0x04;
  ExpectRefused("altered path", bundle(Entry(3), index, bad_path, checkpoint), vkey,
                "entry 3 is not in the signed tree");
  bad_path = path;
  bad_path.pop_back();
  ExpectRefused("short path", bundle(Entry(3), index, bad_path, checkpoint), vkey,
                "inclusion proof is too short");

  // Checkpoint: root or size changed (signature kept), signature altered.
  note::Checkpoint c =
      note::ParseCheckpoint(note::Open(checkpoint, *note::ParseVerifierKey(vkey)).value()).value();
  std::string text = note::FormatCheckpoint(c);
  std::string sig_line = checkpoint.substr(text.size());
  note::Checkpoint changed = c;
  changed.root_hash[0] ^= 0x01;
  ExpectRefused("altered root",
                bundle(Entry(3), index, path, note::FormatCheckpoint(changed) + sig_line), vkey,
                "the checkpoint signature does not verify");
  changed = c;
  changed.size = 7;
  ExpectRefused("altered size",
                bundle(Entry(3), index, path, note::FormatCheckpoint(changed) + sig_line), vkey,
                "the checkpoint signature does not verify");
  std::string flipped = checkpoint;
  flipped[flipped.size() - 10] = flipped[flipped.size() - 10] == 'A' ? 'B' : 'A';
  ExpectRefused("altered signature", bundle(Entry(3), index, path, flipped), vkey,
                "the checkpoint signature does not verify");
  std::string blob =
      encoding::Base64Decode(checkpoint.substr(checkpoint.rfind(' ') + 1,
                                               checkpoint.size() - checkpoint.rfind(' ') - 2))
          .value();
  std::string malleated =
      checkpoint.substr(0, checkpoint.rfind(' ') + 1) +
      encoding::Base64Encode(blob.substr(0, 4) + AddGroupOrderToS(blob.substr(4))) + "\n";
  ExpectRefused("S + L malleated signature", bundle(Entry(3), index, path, malleated), vkey,
                "the checkpoint signature does not verify");
  // A checkpoint correctly signed by the key but naming another origin.
  note::Checkpoint other_origin = c;
  other_origin.origin = "custody.example/ledger/other";
  std::string foreign =
      note::Sign(note::FormatCheckpoint(other_origin), kOrigin, log_.seed()).value();
  ExpectRefused("origin is not the key name", bundle(Entry(3), index, path, foreign), vkey,
                "checkpoint origin");
}

TEST_F(VerifyEvidenceScriptTest, RefusesWrongKeysAndMalformedBundles) {
  const std::string bundle = log_.Bundle(1);
  // Another ledger's key; a different key under the same name.
  TestEvidenceLog other("custody.example/ledger/other", "other key");
  TestEvidenceLog impostor(kOrigin, "impostor key");
  ExpectRefused("another ledger's key", bundle, other.VerifierKey(),
                "the checkpoint is not signed by the key");
  ExpectRefused("same name, other key", bundle, impostor.VerifierKey(),
                "the checkpoint is not signed by the key");
  // A bundle signed by the impostor, checked with the real key.
  for (int i = 0; i < 2; ++i) impostor.Append(Entry(i));
  ExpectRefused("signed by an impostor", impostor.Bundle(1), log_.VerifierKey(),
                "the checkpoint is not signed by the key");
  // Verifier key with a wrong key ID.
  std::string vkey = log_.VerifierKey();
  size_t id = vkey.find('+') + 1;
  vkey[id] = vkey[id] == '0' ? '1' : '0';
  ExpectRefused("key ID does not match", bundle, vkey, "verifier key ID does not match");

  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  std::string crlf;
  for (char ch : bundle) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const std::string key = log_.VerifierKey();
  ExpectRefused("CRLF", crlf, key, "bundle has CR characters");
  ExpectRefused("truncated", bundle.substr(0, bundle.size() / 2), key,
                "proof hash: not valid base64");
  ExpectRefused("truncated signature", bundle.substr(0, bundle.size() - 12) + "\n", key,
                "signature: not valid base64");
  ExpectRefused("no final newline", bundle.substr(0, bundle.size() - 1), key,
                "checkpoint does not end in a newline");
  ExpectRefused("double hyphen", replace(bundle, "\xE2\x80\x94", "--"), key,
                "signature line does not start with an em dash");
  ExpectRefused("wrong header", replace(bundle, "bundle v1", "bundle v2"), key,
                "not a custody evidence bundle v1");
  ExpectRefused("index with leading zero", replace(bundle, "\nindex 1\n", "\nindex 01\n"), key,
                "index '01' is not a plain decimal");
  ExpectRefused("empty", "", key, "not a custody evidence bundle v1");
  // Non-canonical base64 of the entry (a trailing bit set): the same bytes
  // would otherwise have two spellings. A 7-byte entry ends in "==".
  TestEvidenceLog small(kOrigin, "interop test key");
  small.Append("{\"a\":1}");
  const std::string small_bundle = small.Bundle(0);
  ASSERT_EQ(Run(small_bundle, key).exit_code, 0);
  std::string b64 = encoding::Base64Encode("{\"a\":1}");
  ASSERT_EQ(b64.substr(b64.size() - 2), "==");
  std::string noncanonical = b64;
  noncanonical[b64.size() - 3] = static_cast<char>(noncanonical[b64.size() - 3] + 1);
  ExpectRefused("non-canonical entry base64", replace(small_bundle, b64, noncanonical), key,
                "entry: non-canonical base64");
}

}  // namespace
}  // namespace custody
