// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipeFileTree on FakeEnv: the faults a real disk and kernel produce in the
// middle of a file's overwrite (EIO, short writes, EINTR, a failed fsync,
// writes lost at a power cut before the sync) either are retried correctly
// or end the file's wipe `failed` with a clear message, a wipe.failed event
// (never wipe.completed) and the file left in place. The real-file-system
// behaviour is tested on an ext4 image in file_wipe_device_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "crypto/hash.h"
#include "custody/wipe.h"
#include "support/fake_env.h"
#include "support/recording_wipe_sink.h"

namespace custody {
namespace {

using testing::FakeEnv;
using testing::RecordingWipeSink;

constexpr size_t kSize = (1u << 20) + 100;  // Not a multiple of the 4096-byte block.

class FileWipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDir("/data", 0700).ok());
    Plant("/data/secret.txt", kSize);
    options_.wipe.plan.method = "random";
    options_.wipe.sink = &sink_;
    options_.wipe.buffer_bytes = 64 << 10;  // 17 chunks: faults land mid-file.
  }

  void Plant(const std::string& path, size_t size) {
    std::string marker;
    while (marker.size() < size) marker += "RESIDENT-RECORD-4711;";
    marker.resize(size);
    auto f = env_.NewWritableFile(path, 0600);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(marker).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
    ASSERT_TRUE(env_.SyncDir("/data").ok());
    marker_ = marker;
  }

  // The wipe failed, was recorded as failed and never as completed, and the
  // file is still there under its name.
  void ExpectFailedAndKept(const FileWipeSummary& s, const std::string& path) {
    EXPECT_EQ(s.result, WipeResult::kFailed) << s.message;
    EXPECT_NE(s.message.find(path), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("left in place"), std::string::npos) << s.message;
    ASSERT_EQ(s.results.size(), 1u);
    EXPECT_EQ(s.results[0].EventType(), "wipe.failed");
    EXPECT_EQ(sink_.Count("wipe.failed"), 1);
    EXPECT_EQ(sink_.Count("wipe.completed"), 0);
    EXPECT_EQ(sink_.Count("wipe.removed"), 0);
    EXPECT_TRUE(env_.FileExists(path));
    EXPECT_EQ(s.files, 0);
  }

  // Completed, verified over the whole block-rounded size, name gone.
  void ExpectCompleted(const FileWipeSummary& s) {
    EXPECT_EQ(s.result, WipeResult::kCompleted) << s.message;
    ASSERT_EQ(s.results.size(), 1u);
    EXPECT_EQ(s.results[0].EventType(), "wipe.completed");
    EXPECT_TRUE(s.results[0].verified);
    ASSERT_EQ(sink_.verified.size(), 1u);
    EXPECT_TRUE(sink_.verified[0].ok);
    EXPECT_EQ(sink_.verified[0].bytes_checked, (kSize + 4095) / 4096 * 4096);
    EXPECT_EQ(sink_.Count("wipe.failed"), 0);
    EXPECT_EQ(sink_.Count("wipe.removed"), 1);
    EXPECT_FALSE(env_.FileExists("/data/secret.txt"));
    EXPECT_EQ(s.files, 1);
    auto left = env_.ListDir("/data");
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty());
  }

  FakeEnv env_;
  RecordingWipeSink sink_;
  FileWipeOptions options_;
  std::string marker_;
};

TEST_F(FileWipeTest, OverwritesVerifiesTruncatesAndRemovesTheName) {
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectCompleted(*s);
  ASSERT_EQ(sink_.removed.size(), 1u);
  EXPECT_EQ(sink_.removed[0].path, "/data/secret.txt");
  EXPECT_EQ(sink_.removed[0].renames, 3);
}

// The file is exposed to the engine up to its allocated size, but it holds
// data only up to its length: the evidence ends there. Its last sector is the
// one holding the last byte, hashed before and after over the same bytes (it
// used to be the allocated size's last sector, past the end of the file,
// recorded with before_error "device ended at byte N").
TEST_F(FileWipeTest, EvidenceOfThePartialLastSectorIsTaken) {
  options_.wipe.plan.method = "zero";
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectCompleted(*s);
  const std::vector<SectorEvidence>& evidence = s->results[0].evidence;
  ASSERT_GE(evidence.size(), 2u);
  const uint64_t last = (kSize - 1) / 512;  // 100 bytes of it are the file's.
  EXPECT_EQ(evidence.front().lba, 0u);
  EXPECT_EQ(evidence.back().lba, last);
  for (const SectorEvidence& e : evidence) {
    EXPECT_LE(e.lba, last);
    EXPECT_EQ(e.before_error, "") << "lba " << e.lba;
    EXPECT_EQ(e.after_error, "") << "lba " << e.lba;
    EXPECT_NE(e.before_sha256, e.after_sha256) << "lba " << e.lba;
  }
  EXPECT_EQ(evidence.back().before_sha256, crypto::Sha256Hex(marker_.substr(last * 512)));
  EXPECT_EQ(evidence.back().after_sha256, crypto::Sha256Hex(std::string(kSize - last * 512, '\0')));
}

TEST_F(FileWipeTest, TreeOfDirectoriesIsRemovedChildrenFirst) {
  ASSERT_TRUE(env_.CreateDir("/data/sub", 0700).ok());
  Plant("/data/sub/b.txt", 5000);
  auto s = WipeFileTree("/data", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->result, WipeResult::kCompleted) << s->message;
  EXPECT_EQ(s->files, 2);
  EXPECT_EQ(s->directories, 2);
  EXPECT_FALSE(env_.FileExists("/data"));
  EXPECT_FALSE(env_.FileExists("/data/sub/b.txt"));
  // One tree id ties the run together: on each file's wipe.started and on
  // every removal; a directory's removal carries it as its wipe_id (it had
  // no content wipe), never an empty one.
  ASSERT_FALSE(s->tree_id.empty());
  ASSERT_EQ(sink_.removed.size(), 4u);
  int directories = 0;
  for (const WipeRemovedEvent& r : sink_.removed) {
    EXPECT_EQ(r.tree_id, s->tree_id) << r.path;
    if (r.kind == "directory") {
      ++directories;
      EXPECT_EQ(r.wipe_id, s->tree_id) << r.path;
    } else {
      EXPECT_NE(r.wipe_id, s->tree_id) << r.path;
      EXPECT_FALSE(r.wipe_id.empty()) << r.path;
    }
  }
  EXPECT_EQ(directories, 2);
  for (const auto& [type, json] : sink_.events) {
    if (type != "wipe.started") continue;
    EXPECT_NE(json.find("\"tree_id\":\"" + s->tree_id + "\""), std::string::npos) << json;
  }
}

TEST_F(FileWipeTest, PersistentEioInTheMiddleOfThePassFails) {
  // Six chunks go through, then every write attempt fails (retries and the
  // sector-by-sector bisection included).
  env_.FailNext(FakeEnv::Op::kAppend, 1'000'000, /*after=*/6);
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFailedAndKept(*s, "/data/secret.txt");
  EXPECT_NE(s->results[0].message.find("could not be overwritten"), std::string::npos)
      << s->results[0].message;
  EXPECT_NE(s->results[0].message.find("Input/output error"), std::string::npos)
      << s->results[0].message;
  EXPECT_FALSE(s->results[0].verified);
  // The part after the failure still holds the old data: that is why the
  // file must not be reported erased.
  EXPECT_NE(env_.Contents("/data/secret.txt").find("RESIDENT-RECORD-4711"), std::string::npos);
}

TEST_F(FileWipeTest, TransientEioIsRetriedAndTheWipeCompletes) {
  env_.FailNext(FakeEnv::Op::kAppend, 1, /*after=*/6);
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectCompleted(*s);
}

TEST_F(FileWipeTest, ShortWritesAreContinuedAndVerified) {
  env_.SetMaxTransfer(1000);  // Every write attempt moves at most 1000 bytes.
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectCompleted(*s);
}

TEST_F(FileWipeTest, ShortWriteFollowedByEioFails) {
  env_.SetMaxTransfer(1000);
  env_.FailNext(FakeEnv::Op::kAppend, 1'000'000, /*after=*/100);
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFailedAndKept(*s, "/data/secret.txt");
}

TEST_F(FileWipeTest, EintrIsRetriedAndTheWipeCompletes) {
  env_.InjectEintr(25);
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectCompleted(*s);
}

TEST_F(FileWipeTest, FailedFsyncFailsTheWipe) {
  env_.FailNext(FakeEnv::Op::kSync, 1);
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFailedAndKept(*s, "/data/secret.txt");
  EXPECT_NE(s->results[0].message.find("did not confirm"), std::string::npos)
      << s->results[0].message;
  EXPECT_EQ(sink_.Count("wipe.verified"), 0);  // Never verified what may not be there.
}

TEST_F(FileWipeTest, WritesLostBeforeTheSyncAreCaughtByVerification) {
  // A block-multiple size, so the read-back sees old bytes (not a short file).
  ASSERT_TRUE(env_.RemoveFile("/data/secret.txt").ok());
  Plant("/data/secret.txt", 256 << 10);
  // Power is lost between the pass's writes and its flush; the flush then
  // "succeeds" on an empty cache.
  env_.LoseUnsyncedDataAtSync();
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFailedAndKept(*s, "/data/secret.txt");
  EXPECT_TRUE(s->results[0].verification_failed);
  ASSERT_EQ(sink_.verified.size(), 1u);
  EXPECT_FALSE(sink_.verified[0].ok);
  EXPECT_EQ(sink_.verified[0].mismatched_bytes > 0, true);
  EXPECT_NE(s->results[0].message.find("not what was written"), std::string::npos)
      << s->results[0].message;
  EXPECT_EQ(env_.DurableContents("/data/secret.txt"), marker_);
}

TEST_F(FileWipeTest, WritesLostAtAPowerCutShortenTheFileAndFailTheWipe) {
  // kSize is not block-aligned: the wipe extends the file to its allocated
  // size, the power cut takes that away again, the read-back comes up short.
  env_.LoseUnsyncedDataAtSync();
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFailedAndKept(*s, "/data/secret.txt");
  EXPECT_FALSE(s->results[0].verified);
}

TEST_F(FileWipeTest, InterruptedFileWipeSaysToRunItAgainNotToResume) {
  std::atomic<bool> stop{false};
  options_.wipe.plan.method = "dod-3";
  options_.wipe.stop = &stop;
  sink_.on_pass = [&](const WipePassEvent&) { stop = true; };  // Stops during pass 2.
  auto s = WipeFileTree("/data/secret.txt", options_, &env_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->result, WipeResult::kInterrupted) << s->message;
  EXPECT_EQ(sink_.Count("wipe.interrupted"), 1);
  EXPECT_EQ(sink_.Count("wipe.completed"), 0);
  // File wipes keep no resume state: the message must not send the operator
  // to a --resume that cannot find it.
  EXPECT_EQ(s->message.find("--resume"), std::string::npos) << s->message;
  EXPECT_NE(s->message.find("run the wipe again"), std::string::npos) << s->message;
  EXPECT_TRUE(env_.FileExists("/data/secret.txt"));
}

}  // namespace
}  // namespace custody
