// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The ledger store: appends, proofs, and detection of every kind of
// tampering named in docs/formats/ledger.md.
#include "custody/ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "ledger/evidence.h"
#include "ledger/ledger_test_util.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::MakeTestKey;
using testing::TamperSql;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/ledger.db";
    Reopen();
  }
  void Reopen() {
    ledger_.reset();
    auto l = Ledger::Open(path_, true, key_.signer(), key_.vkey, Env::Default());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
  }
  void AppendN(int n, const std::string& op = "alice") {
    for (int i = 0; i < n; ++i) {
      auto e = ledger_->Append("test.event", op, R"({"i":)" + std::to_string(i) + R"(,"note":"日本語"})");
      ASSERT_TRUE(e.ok()) << e.status().ToString();
    }
  }
  Status VerifyStatus(std::optional<std::string_view> kept = std::nullopt) {
    // A fresh connection, as `custody log verify` would use.
    auto l = Ledger::Open(path_, false, std::nullopt, key_.vkey, Env::Default());
    if (!l.ok()) return l.status();
    return (*l)->Verify(kept).status();
  }
  std::string Checkpoint() { return *ledger_->LatestCheckpoint(); }

  TempDir dir_;
  std::string path_;
  testing::TestKey key_ = MakeTestKey();
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, AppendsCanonicalEntriesWithGaplessSeq) {
  AppendN(10);
  EXPECT_EQ(*ledger_->Size(), 10u);
  auto e = ledger_->Get(3);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->seq, 3u);
  EXPECT_EQ(e->type, "test.event");
  EXPECT_EQ(e->operator_name, "alice");
  EXPECT_EQ(e->data_json, R"({"i":3,"note":"日本語"})");
  EXPECT_THAT(e->canonical, HasSubstr(R"("seq":3,"time":")"));
  auto report = ledger_->Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 10u);
  uint64_t seen = 0;
  ASSERT_TRUE(ledger_->Scan(4, [&](const LedgerEntry& x) { return x.seq == 4 + seen++; }).ok());
  EXPECT_EQ(seen, 6u);
}

TEST_F(LedgerTest, RefusesBadInput) {
  EXPECT_EQ(ledger_->Append("Bad Type", "alice", "{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_->Append("x.y", "", "{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_->Append("x.y", "a", "[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_->Append("x.y", "a", R"({"f":1.5})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_->Append("x.y", "a", R"({"a":1,"a":2})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ledger_->Size(), 0u);
}

TEST_F(LedgerTest, AppendOnlyTriggersRefuseUpdateAndDelete) {
  AppendN(3);
  EXPECT_THAT(testing::TrySql(path_, "UPDATE entries SET entry='{}' WHERE seq=1"), HasSubstr("append-only"));
  EXPECT_THAT(testing::TrySql(path_, "DELETE FROM entries WHERE seq=2"), HasSubstr("append-only"));
  EXPECT_THAT(testing::TrySql(path_, "DELETE FROM checkpoints"), HasSubstr("append-only"));
  EXPECT_THAT(testing::TrySql(path_, "UPDATE nodes SET hash=x'00'"), HasSubstr("append-only"));
  EXPECT_TRUE(VerifyStatus().ok());
}

TEST_F(LedgerTest, EveryEntryHasAnEvidenceBundleThatVerifiesOffline) {
  AppendN(13);
  for (uint64_t seq = 0; seq < 13; ++seq) {
    auto bundle = ledger_->EvidenceBundle(seq);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    auto e = VerifyEvidenceBundle(*bundle, key_.vkey);
    ASSERT_TRUE(e.ok()) << seq << ": " << e.status().ToString();
    EXPECT_EQ(e->seq, seq);
  }
  EXPECT_EQ(ledger_->EvidenceBundle(13).status().code(), StatusCode::kNotFound);
}

TEST_F(LedgerTest, AlteredBundlesAreRefused) {
  AppendN(7);
  std::string bundle = *ledger_->EvidenceBundle(4);
  auto parsed = ledger::ParseEvidenceBundle(bundle);
  ASSERT_TRUE(parsed.ok());

  // Another entry's bytes in the bundle.
  std::string other = ledger::FormatEvidenceBundle(ledger_->Get(5)->canonical, parsed->tlog_proof);
  EXPECT_FALSE(VerifyEvidenceBundle(other, key_.vkey).ok());
  // A changed entry (one character of the operator).
  std::string changed = parsed->entry_bytes;
  changed.replace(changed.find("alice"), 5, "alicf");
  EXPECT_EQ(VerifyEvidenceBundle(ledger::FormatEvidenceBundle(changed, parsed->tlog_proof), key_.vkey).status().code(),
            StatusCode::kVerificationFailed);
  // A changed index.
  std::string idx = bundle;
  idx.replace(idx.find("\nindex 4\n"), 9, "\nindex 3\n");
  EXPECT_FALSE(VerifyEvidenceBundle(idx, key_.vkey).ok());
  // A changed checkpoint (size).
  std::string cp = bundle;
  cp.replace(cp.find("\n7\n"), 3, "\n8\n");
  EXPECT_FALSE(VerifyEvidenceBundle(cp, key_.vkey).ok());
  // The wrong key.
  EXPECT_FALSE(VerifyEvidenceBundle(bundle, MakeTestKey().vkey).ok());
  // Truncated.
  EXPECT_FALSE(VerifyEvidenceBundle(bundle.substr(0, bundle.size() - 10), key_.vkey).ok());
}

// --- Tampering, each detected with a message naming the entry.

TEST_F(LedgerTest, DetectsAChangedByteInAnEntry) {
  AppendN(10);
  TamperSql(path_, "UPDATE entries SET entry=replace(entry, 'alice', 'alicf') WHERE seq=6");
  Status s = VerifyStatus();
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("entry 6 was altered"));
}

TEST_F(LedgerTest, DetectsADeletedEntry) {
  AppendN(10);
  TamperSql(path_, "DELETE FROM entries WHERE seq=4");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entry 4 is missing"));
}

TEST_F(LedgerTest, DetectsReorderedEntries) {
  AppendN(10);
  TamperSql(path_,
            "UPDATE entries SET entry=(SELECT entry FROM entries WHERE seq=3) WHERE seq=2;"
            "UPDATE entries SET entry=(SELECT entry FROM entries WHERE seq=1) WHERE seq=3;");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entry 2 was altered: it says it is entry 3"));
}

TEST_F(LedgerTest, DetectsADuplicatedEntry) {
  AppendN(10);
  TamperSql(path_, "UPDATE entries SET entry=(SELECT entry FROM entries WHERE seq=5) WHERE seq=6");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entry 6 was altered"));
}

TEST_F(LedgerTest, DetectsAnInsertedEntry) {
  AppendN(10);
  // A well-formed entry 10 appended without a signed checkpoint.
  std::string fake = R"({"data":{},"operator":"mallory","seq":10,"time":"2026-01-01T00:00:00Z","type":"test.event"})";
  TamperSql(path_, "INSERT INTO entries(seq, entry) VALUES(10, '" + fake + "')");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entries 10 to 10 are not covered by any signed checkpoint"));
}

TEST_F(LedgerTest, DetectsAnEntryInsertedInTheMiddle) {
  AppendN(6);
  // Shift entries 3.. up by one and put a forged entry at 3.
  TamperSql(path_,
            "CREATE TABLE t AS SELECT seq, entry FROM entries WHERE seq>=3;"
            "DELETE FROM entries WHERE seq>=3;"
            "INSERT INTO entries SELECT seq+1, entry FROM t; DROP TABLE t;"
            "INSERT INTO entries VALUES(3, '{\"data\":{},\"operator\":\"mallory\",\"seq\":3,\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"x.y\"}');");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entry 4 was altered: it says it is entry 3"));
}

TEST_F(LedgerTest, DetectsAGapInSeq) {
  AppendN(10);
  TamperSql(path_,
            "CREATE TABLE t AS SELECT seq, entry FROM entries WHERE seq>=7;"
            "DELETE FROM entries WHERE seq>=7;"
            "INSERT INTO entries SELECT seq+1, entry FROM t; DROP TABLE t;");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entry 7 is missing"));
}

TEST_F(LedgerTest, DetectsNonCanonicalJsonWithTheSameMeaning) {
  AppendN(10);
  // Same meaning, other bytes: a space after the first colon.
  TamperSql(path_, "UPDATE entries SET entry=replace(entry, '{\"data\":', '{\"data\": ') WHERE seq=8");
  Status s = VerifyStatus();
  EXPECT_THAT(s.message(), HasSubstr("entry 8 was altered"));
  EXPECT_THAT(s.message(), HasSubstr("canonical"));
}

TEST_F(LedgerTest, DetectsTruncationAgainstAKeptCheckpoint) {
  AppendN(10);
  std::string kept = Checkpoint();
  // The attacker removes the last three entries with their nodes and
  // checkpoints: the ledger is self-consistent again...
  TamperSql(path_,
            "DELETE FROM entries WHERE seq>=7; DELETE FROM checkpoints WHERE size>7;"
            "DELETE FROM nodes WHERE (idx+1)*(1<<level) > 7;");
  EXPECT_TRUE(VerifyStatus().ok()) << "self-consistent truncation is only caught by a kept checkpoint";
  // ...but not with the checkpoint the municipality kept.
  Status s = VerifyStatus(kept);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("truncated"));
}

TEST_F(LedgerTest, DetectsTruncationWithoutKeptCheckpointWhenCheckpointsRemain) {
  AppendN(10);
  TamperSql(path_, "DELETE FROM entries WHERE seq>=8");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("entries 8 to 9 are gone"));
}

TEST_F(LedgerTest, DetectsAForkFromARestoredBackup) {
  AppendN(5);
  ledger_.reset();
  // Back up the ledger at size 5.
  std::string backup = dir_.path() + "/backup.db";
  testing::TamperSql(path_, "VACUUM INTO '" + backup + "'");
  Reopen();
  AppendN(3, "alice");
  std::string kept = Checkpoint();  // Size 8, handed to the municipality.
  ledger_.reset();
  // Restore the backup and continue with other entries to the same size.
  ASSERT_EQ(std::rename(backup.c_str(), path_.c_str()), 0);
  ::unlink((path_ + "-wal").c_str());
  ::unlink((path_ + "-shm").c_str());
  Reopen();
  AppendN(3, "bob");
  EXPECT_TRUE(VerifyStatus().ok());
  Status s = VerifyStatus(kept);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(s.message(), HasSubstr("forked"));
  // Two checkpoints of one size with different roots.
  EXPECT_NE(Checkpoint(), kept);
}

TEST_F(LedgerTest, KeptCheckpointFromAnEarlierSizeIsConsistent) {
  AppendN(5);
  std::string kept = Checkpoint();
  AppendN(20);
  EXPECT_TRUE(VerifyStatus(kept).ok());
}

// Verify splits the tree at the largest power of two below the size and
// hashes the halves on two connections: every kept size, on either side of
// the split and on it, and every entry position must still be judged right.
TEST_F(LedgerTest, EveryKeptSizeAndEveryAlteredEntryIsJudgedOnBothSidesOfTheSplit) {
  std::vector<std::string> kept = {""};  // kept[i]: the checkpoint at size i.
  for (int i = 1; i <= 19; ++i) {
    AppendN(1);
    kept.push_back(Checkpoint());
  }
  for (size_t i = 1; i < kept.size(); ++i) {
    Status s = VerifyStatus(kept[i]);
    EXPECT_TRUE(s.ok()) << "kept size " << i << ": " << s.ToString();
  }
  // A fork at size 17 (k = 16): the checkpoints kept at sizes 17 to 19 belong
  // to the old history; 1 to 16 are still consistent.
  std::string base = dir_.path() + "/at16.db";
  ledger_.reset();
  ASSERT_TRUE(Ledger::Open(path_, false, std::nullopt, key_.vkey, Env::Default()).ok());
  testing::TamperSql(path_,
                     "DELETE FROM entries WHERE seq>=16; DELETE FROM checkpoints WHERE size>16;"
                     "DELETE FROM nodes WHERE (idx+1)*(1<<level) > 16;");
  Reopen();
  AppendN(3, "bob");
  for (size_t i = 1; i < kept.size(); ++i) {
    Status s = VerifyStatus(kept[i]);
    if (i <= 16) {
      EXPECT_TRUE(s.ok()) << "kept size " << i << ": " << s.ToString();
    } else {
      EXPECT_THAT(s.message(), HasSubstr("forked")) << "kept size " << i;
    }
  }
  // One altered byte at every position is named, whichever half holds it.
  for (int seq = 0; seq < 19; ++seq) {
    TamperSql(path_, "UPDATE entries SET entry=replace(entry, '日本語', '日本人') WHERE seq=" + std::to_string(seq));
    Status s = VerifyStatus();
    EXPECT_EQ(s.code(), StatusCode::kVerificationFailed) << seq;
    EXPECT_THAT(s.message(), HasSubstr("entry " + std::to_string(seq) + " was altered")) << seq;
    TamperSql(path_, "UPDATE entries SET entry=replace(entry, '日本人', '日本語') WHERE seq=" + std::to_string(seq));
    EXPECT_TRUE(VerifyStatus().ok()) << seq;
  }
}

TEST_F(LedgerTest, RefusesACheckpointSignedByAnotherKey) {
  AppendN(4);
  testing::TestKey other = MakeTestKey(key_.origin);  // Same name, other key.
  auto genuine = note::ParseCheckpoint(*note::Open(Checkpoint(), *note::ParseVerifierKey(key_.vkey)));
  ASSERT_TRUE(genuine.ok());
  std::string text = note::FormatCheckpoint(*genuine);
  auto forged = note::Sign(text, other.origin, other.kp.seed);
  ASSERT_TRUE(forged.ok());
  EXPECT_THAT(VerifyStatus(*forged).message(), HasSubstr("does not verify with this station's key"));
  // And a ledger whose latest checkpoint was replaced by one from another key.
  TamperSql(path_, "DELETE FROM checkpoints WHERE size=4; INSERT INTO checkpoints VALUES(4, '" + *forged + "')");
  EXPECT_THAT(VerifyStatus().message(), HasSubstr("not signed by this station's key"));
}

TEST_F(LedgerTest, AProvingHandleChecksEveryNewCheckpointAgain) {
  // The handle caches the last checkpoint it verified: a replaced one must
  // be checked again, never trusted because an earlier proof succeeded.
  AppendN(4);
  auto reader = Ledger::Open(path_, false, std::nullopt, key_.vkey, Env::Default());
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->EvidenceBundle(1).ok());
  testing::TestKey other = MakeTestKey(key_.origin);
  auto genuine = note::ParseCheckpoint(*note::Open(Checkpoint(), *note::ParseVerifierKey(key_.vkey)));
  auto forged = note::Sign(note::FormatCheckpoint(*genuine), other.origin, other.kp.seed);
  ASSERT_TRUE(forged.ok());
  TamperSql(path_, "DELETE FROM checkpoints WHERE size=4; INSERT INTO checkpoints VALUES(4, '" + *forged + "')");
  auto b = (*reader)->EvidenceBundle(1);
  EXPECT_FALSE(b.ok());
  EXPECT_FALSE((*reader)->ProveInclusion(2).ok());
  // A genuine newer checkpoint (the writer appends) is picked up by the same handle.
  AppendN(1);
  auto fresh = (*reader)->EvidenceBundle(4);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_TRUE(VerifyEvidenceBundle(*fresh, key_.vkey).ok());
}

// Adds L to the S half of the (only) signature in a signed note.
std::string MalleateSignature(const std::string& signed_note) {
  size_t dash = signed_note.rfind("\n\xe2\x80\x94 ");
  size_t sp = signed_note.rfind(' ');
  std::string b64 = signed_note.substr(sp + 1, signed_note.size() - sp - 2);
  std::string sig = *encoding::Base64Decode(b64);  // keyid(4) || R(32) || S(32)
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = static_cast<uint8_t>(sig[36 + i]) + kL[i] + carry;
    sig[36 + i] = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  (void)dash;
  return signed_note.substr(0, sp + 1) + encoding::Base64Encode(sig) + "\n";
}

TEST_F(LedgerTest, RefusesAnSPlusLMalleatedSignature) {
  AppendN(4);
  std::string kept = Checkpoint();
  ASSERT_TRUE(VerifyStatus(kept).ok());
  std::string malleated = MalleateSignature(kept);
  ASSERT_NE(malleated, kept);
  EXPECT_EQ(VerifyStatus(malleated).code(), StatusCode::kVerificationFailed);
}

TEST_F(LedgerTest, RefusesMalformedKeptCheckpoints) {
  AppendN(4);
  std::string kept = Checkpoint();
  auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    return s;
  };
  EXPECT_FALSE(VerifyStatus(replace_all(kept, "\n", "\r\n")).ok()) << "CRLF";
  EXPECT_FALSE(VerifyStatus(kept.substr(0, kept.size() - 1)).ok()) << "no final newline";
  EXPECT_FALSE(VerifyStatus(replace_all(kept, "\xe2\x80\x94", "--")).ok()) << "-- for the em dash";
  EXPECT_FALSE(VerifyStatus(replace_all(kept, "\n4\n", "\n04\n")).ok()) << "leading zero in size";
}

}  // namespace
}  // namespace custody
