// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/extract_writer.h"

#include <algorithm>

#include "custody/secret.h"

namespace custody::package {
namespace {

// Queued file data is plaintext of the package: wiped once written or
// dropped, as the decryptor wipes its buffers.
template <typename Ops>
void WipeData(Ops& ops) {
  for (auto& op : ops) {
    if (!op.text.empty()) WipeMemory(op.text.data(), op.text.size());
  }
}

}  // namespace

ExtractWriter::ExtractWriter(Env& env, std::function<void()> before_batch)
    : env_(env), before_batch_(std::move(before_batch)) {
  thread_ = std::thread([this] { Run(); });
}

size_t ExtractWriter::peak_queued_bytes() {
  std::lock_guard lock(mu_);
  return peak_queued_bytes_;
}

size_t ExtractWriter::peak_queued_operations() {
  std::lock_guard lock(mu_);
  return peak_queued_operations_;
}

ExtractWriter::~ExtractWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    WipeData(queue_);
    queue_.clear();
  }
  work_cv_.notify_all();
  thread_.join();
  CloseCurrent();
}

Status ExtractWriter::MakeDirectory(std::string path) {
  return Queue(Op{Kind::kMakeDirectory, std::move(path)});
}

Status ExtractWriter::BeginFile(std::string path) {
  return Queue(Op{Kind::kBeginFile, std::move(path)});
}

Status ExtractWriter::Write(std::string_view data) {
  if (data.empty()) return Status::Ok();
  return Queue(Op{Kind::kData, std::string(data)});
}

Status ExtractWriter::EndFile(bool set_mode, mode_t mode, int64_t mtime) {
  Op op{Kind::kEndFile, {}};
  op.set_mode = set_mode;
  op.mode = mode;
  op.mtime = mtime;
  return Queue(std::move(op));
}

Status ExtractWriter::Queue(Op op) {
  const size_t bytes = QueuedSize(op);
  std::unique_lock lock(mu_);
  if (queued_bytes_ + bytes > kMaxQueuedBytes && queued_bytes_ > 0) {
    caller_waiting_ = true;
    space_cv_.wait(lock, [&] { return queued_bytes_ + bytes <= kMaxQueuedBytes || queued_bytes_ == 0 || done_; });
    caller_waiting_ = false;
  }
  if (!error_.ok()) return error_;
  if (done_ || finishing_) return InternalError("extraction writer used after Finish");
  queued_bytes_ += bytes;
  peak_queued_bytes_ = std::max(peak_queued_bytes_, queued_bytes_);
  queue_.push_back(std::move(op));
  peak_queued_operations_ = std::max(peak_queued_operations_, queue_.size());
  // A wake-up per operation would cost more than most operations (three or
  // four per small file): only a sleeping writer is woken.
  if (writer_waiting_) work_cv_.notify_one();
  return Status::Ok();
}

Status ExtractWriter::Finish() {
  std::unique_lock lock(mu_);
  finishing_ = true;
  work_cv_.notify_one();
  space_cv_.wait(lock, [&] { return done_; });
  return error_;
}

void ExtractWriter::Run() {
  std::deque<Op> batch;
  while (true) {
    size_t bytes = 0;
    {
      std::unique_lock lock(mu_);
      writer_waiting_ = true;
      work_cv_.wait(lock, [&] { return stop_ || finishing_ || !queue_.empty(); });
      writer_waiting_ = false;
      if (stop_) return;
      if (queue_.empty()) {  // finishing_, and everything done.
        done_ = true;
        space_cv_.notify_all();
        return;
      }
      batch.swap(queue_);
    }
    if (before_batch_) before_batch_();
    Status failed;
    for (Op& op : batch) {
      bytes += QueuedSize(op);
      if (failed.ok()) failed = Do(op);
    }
    WipeData(batch);
    batch.clear();
    if (!failed.ok()) CloseCurrent();
    std::lock_guard lock(mu_);
    queued_bytes_ -= bytes;
    if (!failed.ok() && error_.ok()) error_ = failed;
    if (!error_.ok()) {
      // Nothing more is done; the caller learns it at its next call.
      for (const Op& op : queue_) queued_bytes_ -= QueuedSize(op);
      WipeData(queue_);
      queue_.clear();
    }
    if (caller_waiting_) space_cv_.notify_all();
  }
}

Status ExtractWriter::Do(Op& op) {
  switch (op.kind) {
    case Kind::kMakeDirectory:
      // Exclusive, as a file is: on a case-insensitive file system "A/x"
      // and "a/y" must not merge into one directory unnoticed.
      return env_.CreateNewDir(op.text, 0700);
    case Kind::kBeginFile: {
      CloseCurrent();
      CUSTODY_ASSIGN_OR_RETURN(file_, env_.NewExclusiveFile(op.text, 0600));
      return Status::Ok();
    }
    case Kind::kData:
      if (!file_) return InternalError("extraction writer: data without a file");
      return file_->Append(op.text);
    case Kind::kEndFile: {
      if (!file_) return InternalError("extraction writer: end without a file");
      if (op.set_mode) CUSTODY_RETURN_IF_ERROR(file_->SetMode(op.mode));
      CUSTODY_RETURN_IF_ERROR(file_->SetModificationTime(op.mtime));
      const std::unique_ptr<WritableFile> file = std::move(file_);
      return file->Close();
    }
  }
  return InternalError("extraction writer: unknown operation");
}

void ExtractWriter::CloseCurrent() { file_.reset(); }

}  // namespace custody::package
