// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Consistency proof files (ledger/consistency.h): proofs computed from a real
// ledger's entries verify between the roots of its own signed checkpoints for
// every pair of sizes, fail against a forked ledger's root, and the parser
// refuses malformed files.
#include "ledger/consistency.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"
#include "ledger/note.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::MakeTestKey;

class ConsistencyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Ledger> Open(const std::string& name) {
    auto l = Ledger::Open(dir_.path() + "/" + name, true, key_.signer(), key_.vkey, Env::Default());
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return std::move(*l);
  }
  // Appends one entry and returns the root of the checkpoint it signed.
  std::string AppendAndRoot(Ledger& l, const std::string& data) {
    EXPECT_TRUE(l.Append("test.event", "alice", data).ok());
    auto verifier = note::ParseVerifierKey(key_.vkey);
    auto cp = note::OpenCheckpoint(*l.LatestCheckpoint(), *verifier);
    EXPECT_TRUE(cp.ok());
    return cp->root_hash;
  }
  TempDir dir_;
  testing::TestKey key_ = MakeTestKey();
};

TEST_F(ConsistencyTest, ProofsVerifyBetweenEverySignedCheckpointPair) {
  auto l = Open("a.db");
  std::vector<std::string> roots = {""};  // roots[n] = root at size n.
  for (int i = 0; i < 21; ++i)
    roots.push_back(AppendAndRoot(*l, R"({"i":)" + std::to_string(i) + "}"));
  for (uint64_t lo = 1; lo <= 21; ++lo) {
    for (uint64_t hi = lo; hi <= 21; ++hi) {
      auto p = ledger::ProveConsistency(*l, lo, hi);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      // Through the file format, as an auditor receives it.
      auto parsed = ledger::ParseConsistencyProof(ledger::FormatConsistencyProof(*p));
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_TRUE(ledger::VerifyConsistencyProof(*parsed, roots[lo], roots[hi]).ok())
          << lo << " -> " << hi;
      if (lo < hi) {  // Swapped roots must fail.
        EXPECT_FALSE(ledger::VerifyConsistencyProof(*parsed, roots[hi], roots[lo]).ok())
            << lo << " -> " << hi;
      }
    }
  }
  EXPECT_EQ(ledger::ProveConsistency(*l, 3, 22).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ledger::ProveConsistency(*l, 5, 3).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConsistencyTest, AForkedLedgerFails) {
  // Two ledgers with the same key and the same first 5 entries, then different ones.
  auto a = Open("a.db"), b = Open("b.db");
  std::string root5;
  for (int i = 0; i < 5; ++i) {
    AppendAndRoot(*a, R"({"i":)" + std::to_string(i) + "}");
    root5 = AppendAndRoot(*b, R"({"i":)" + std::to_string(i) + "}");
  }
  std::string root_a, root_b;
  for (int i = 0; i < 4; ++i) {
    root_a = AppendAndRoot(*a, R"({"a":)" + std::to_string(i) + "}");
    root_b = AppendAndRoot(*b, R"({"b":)" + std::to_string(i) + "}");
  }
  auto p = ledger::ProveConsistency(*a, 5, 9);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(ledger::VerifyConsistencyProof(*p, root5, root_a).ok());  // The shared prefix.
  Status forked = ledger::VerifyConsistencyProof(*p, root5, root_b);
  EXPECT_EQ(forked.code(), StatusCode::kVerificationFailed);
  ledger::ConsistencyProofFile same{9, 9, {}};
  EXPECT_FALSE(ledger::VerifyConsistencyProof(same, root_a, root_b).ok());
}

TEST_F(ConsistencyTest, ParserIsStrict) {
  auto l = Open("a.db");
  for (int i = 0; i < 7; ++i) AppendAndRoot(*l, R"({"i":)" + std::to_string(i) + "}");
  const std::string good = ledger::FormatConsistencyProof(*ledger::ProveConsistency(*l, 3, 7));
  ASSERT_TRUE(ledger::ParseConsistencyProof(good).ok());
  EXPECT_THAT(good, HasSubstr("custody consistency proof v1\nold 3\nnew 7\n"));
  auto bad = [](std::string text) { return !ledger::ParseConsistencyProof(text).ok(); };
  EXPECT_TRUE(bad(good.substr(0, good.size() - 1)));               // No final newline.
  EXPECT_TRUE(bad(good.substr(0, good.size() - 10)));              // Truncated hash.
  EXPECT_TRUE(bad("custody evidence bundle v1\nold 3\nnew 7\n"));  // Wrong header.
  EXPECT_TRUE(bad("custody consistency proof v1\nold 03\nnew 7\n"));
  EXPECT_TRUE(bad("custody consistency proof v1\nold 8\nnew 7\n"));
  EXPECT_TRUE(bad("custody consistency proof v1\nold 3\r\nnew 7\n"));  // CR.
  EXPECT_TRUE(bad("custody consistency proof v1\nold 3\nnew 3\n\n"));  // Empty line.
  std::string extra = good;
  extra.append("AAAA\n");
  EXPECT_TRUE(bad(extra));  // Not a 32-byte hash.
}

}  // namespace
}  // namespace custody
