// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// FakeEnv: an in-memory Env for tests. It keeps, for every file, the bytes
// written and the bytes made durable by Sync, so SimulatePowerLoss() can drop
// what was never synced (including renames and creates whose directory was
// not synced). Faults are injected per operation.
#ifndef CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_
#define CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "custody/env.h"

namespace custody::testing {

class FakeEnv final : public Env {
 public:
  enum class Op { kAppend, kSync, kRename, kCreate, kRead };

  // The next `count` calls of `op` fail with an I/O error, after `after`
  // more calls of `op` have succeeded.
  void FailNext(Op op, int count = 1, int after = 0);
  // Appends write at most `max_bytes` before failing with EIO (a short write
  // that the Env reports as an error, as a full disk does).
  void SetShortWriteLimit(size_t max_bytes) { short_write_limit_ = max_bytes; }
  // Drops every unsynced write, and every create/rename whose directory was
  // not synced afterwards.
  void SimulatePowerLoss();
  void SetNowUnixMicros(int64_t t) { now_ = t; }
  // Deterministic "random" bytes for reproducible tests.
  void SetDeterministicRandom(uint8_t seed) { random_seed_ = seed; deterministic_ = true; }

  // Env:
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& path, uint32_t mode) override;
  Status SyncDir(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  int64_t NowUnixMicros() override;
  Status RandomBytes(uint8_t* out, size_t n) override;

  uint32_t ModeOf(const std::string& path);
  // The bytes a file held when it was last removed ("" if never removed):
  // lets a test check that a key was overwritten before it was unlinked.
  std::string ContentWhenRemoved(const std::string& path);

 private:
  friend class FakeWritableFile;
  struct File {
    std::string data;     // As the process sees it.
    std::string durable;  // As it would be after a power loss.
    bool durable_exists = false;
    uint32_t mode = 0;
  };
  bool ShouldFail(Op op);  // Requires mu_.
  Status AppendTo(const std::string& path, std::string_view data);
  Status SyncFile(const std::string& path);
  Status OverwriteAt(const std::string& path, size_t offset, std::string_view data);

  std::mutex mu_;
  std::map<std::string, File> files_;
  // Directory entries as durable on "disk": path -> durable content snapshot.
  std::map<std::string, bool> pending_dir_ops_;  // path -> exists after sync
  std::set<std::string> dirs_;
  std::map<std::string, std::string> removed_content_;
  std::map<Op, int> failures_;
  std::map<Op, int> failures_after_;
  size_t short_write_limit_ = SIZE_MAX;
  int64_t now_ = 1'700'000'000'000'000;
  bool deterministic_ = false;
  uint8_t random_seed_ = 0;
};

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_FAKE_ENV_H_
