// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Writes the files `package open` extracts, on a thread of its own. Why: on
// a tree of 20,000 small files the reading thread spent more time in
// mkdir/open/write/futimens/close than in parsing, hashing and checking,
// and `age -d | tar -x` overlaps the two in two processes (custody's open
// ran at 0.92x of it). The reading thread queues what to do; this thread
// does it in order.
//
// Order and errors: operations run in the order they were queued; after the
// first failure the rest are dropped (an open file is closed) and every
// later call returns that failure. Queued file data is wiped once written
// or dropped. Memory: what is queued (file data, paths and the operations
// themselves) is bounded (kMaxQueuedBytes); a call that would exceed it
// waits.
// Files and directories are made through an Env (custody/env.h), so tests
// inject failures and power cuts.
// Thread safety: one thread calls the methods; the writer's own thread is
// internal. The Env must outlive the writer.
#ifndef CUSTODY_SRC_PACKAGE_EXTRACT_WRITER_H_
#define CUSTODY_SRC_PACKAGE_EXTRACT_WRITER_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "custody/env.h"
#include "custody/status.h"

namespace custody::package {

class ExtractWriter {
 public:
  static constexpr size_t kMaxQueuedBytes = 8 << 20;

  explicit ExtractWriter(Env& env) : ExtractWriter(env, nullptr) {}
  // Tests: `before_batch` runs on the writer's thread before each batch of
  // queued operations (to hold the writer back while the caller queues).
  ExtractWriter(Env& env, std::function<void()> before_batch);
  // Without Finish: drops what is queued, closes an open file, joins. The
  // caller removes what was written.
  ~ExtractWriter();
  ExtractWriter(const ExtractWriter&) = delete;
  ExtractWriter& operator=(const ExtractWriter&) = delete;

  // Creates the directory `path`, mode 0700.
  Status MakeDirectory(std::string path);
  // Creates `path` (Env::NewExclusiveFile: nothing may be there, mode 0600
  // less the umask) as the current file.
  Status BeginFile(std::string path);
  // Appends to the current file (copied).
  Status Write(std::string_view data);
  // Sets the current file's mode (unless `set_mode` is false: it was
  // created with it) and its access and modification time, and closes it.
  Status EndFile(bool set_mode, mode_t mode, int64_t mtime);
  // Waits until everything queued is done; the first error. Nothing can be
  // queued after it; calling it again returns the same.
  Status Finish();
  // The most that was ever queued, in bytes (kMaxQueuedBytes, unless a
  // single operation was larger) and in operations.
  size_t peak_queued_bytes();
  size_t peak_queued_operations();

 private:
  enum class Kind { kMakeDirectory, kBeginFile, kData, kEndFile };
  struct Op {
    Kind kind;
    std::string text;  // Path, or data.
    bool set_mode = false;
    mode_t mode = 0;
    int64_t mtime = 0;
  };
  // What an operation counts against kMaxQueuedBytes: its text (data or
  // path) and the operation itself. Every operation counts: a tree of empty
  // files queues no data at all, and with a slow writer its paths would
  // otherwise pile up without limit.
  static size_t QueuedSize(const Op& op) { return sizeof(Op) + op.text.size(); }
  Status Queue(Op op);
  void Run();
  Status Do(Op& op);
  void CloseCurrent();

  std::mutex mu_;
  std::condition_variable work_cv_, space_cv_;
  std::deque<Op> queue_;
  size_t queued_bytes_ = 0, peak_queued_bytes_ = 0, peak_queued_operations_ = 0;
  Env& env_;
  const std::function<void()> before_batch_;
  bool writer_waiting_ = false, caller_waiting_ = false;
  bool finishing_ = false, stop_ = false, done_ = false;
  Status error_;
  // The writer thread's own.
  std::unique_ptr<WritableFile> file_;
  std::thread thread_;
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_EXTRACT_WRITER_H_
