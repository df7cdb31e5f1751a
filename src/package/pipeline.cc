// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "package/pipeline.h"

#include <algorithm>
#include <cstring>

namespace custody::package {

BackgroundSink::BackgroundSink(ByteSink* next, size_t chunk, size_t depth)
    : next_(next), chunk_(std::max<size_t>(chunk, 1)), depth_(std::max<size_t>(depth, 1)) {
  current_.reserve(chunk_);
  thread_ = std::thread([this] { Run(); });
}

BackgroundSink::~BackgroundSink() { Stop(); }

void BackgroundSink::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

Status BackgroundSink::Write(std::string_view data) {
  while (!data.empty()) {
    size_t take = std::min(data.size(), chunk_ - current_.size());
    current_.append(data.data(), take);
    data.remove_prefix(take);
    if (current_.size() == chunk_) CUSTODY_RETURN_IF_ERROR(Submit());
  }
  return Status::Ok();
}

Status BackgroundSink::Submit() {
  std::unique_lock<std::mutex> lock(mu_);
  space_cv_.wait(lock, [this] { return queue_.size() < depth_ || done_; });
  if (!error_.ok()) return error_;
  if (done_) return InternalError("write after the package pipeline finished");
  queue_.push_back(std::move(current_));
  if (!free_.empty()) {
    current_ = std::move(free_.back());
    free_.pop_back();
  } else {
    current_ = std::string();
    current_.reserve(chunk_);
  }
  current_.clear();
  work_cv_.notify_one();
  return Status::Ok();
}

void BackgroundSink::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stop_ || closing_ || !queue_.empty(); });
    if (stop_) return;
    if (queue_.empty()) {  // closing_ and everything written.
      done_ = true;
      space_cv_.notify_all();
      return;
    }
    std::string buf = std::move(queue_.front());
    queue_.pop_front();
    space_cv_.notify_all();
    lock.unlock();
    Status s = next_->Write(buf);
    lock.lock();
    buf.clear();
    free_.push_back(std::move(buf));
    if (!s.ok()) {
      error_ = s;
      done_ = true;
      queue_.clear();
      space_cv_.notify_all();
      return;
    }
  }
}

Status BackgroundSink::Finish() {
  if (!current_.empty()) CUSTODY_RETURN_IF_ERROR(Submit());
  {
    std::unique_lock<std::mutex> lock(mu_);
    closing_ = true;
    work_cv_.notify_all();
    space_cv_.wait(lock, [this] { return done_; });
  }
  thread_.join();
  return error_;
}

PrefetchSource::PrefetchSource(ByteSource* source, size_t chunk, size_t depth)
    : source_(source), chunk_(std::max<size_t>(chunk, 1)) {
  // depth filled buffers queued, one being filled, one being read. Not
  // zero-filled: only bytes read into them are ever handed out.
  const size_t buffers = std::max<size_t>(depth, 1) + 2;
  for (size_t i = 0; i < buffers; ++i) free_.push_back(Buffer{std::make_unique_for_overwrite<uint8_t[]>(chunk_), 0});
  thread_ = std::thread([this] { Run(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  space_cv_.notify_all();
  thread_.join();
}

void PrefetchSource::Run() {
  while (true) {
    Buffer buf;
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [this] { return stop_ || !free_.empty(); });
      if (stop_) return;
      buf = std::move(free_.back());
      free_.pop_back();
    }
    size_t filled = 0;
    bool end = false;
    Status error = Status::Ok();
    while (filled < chunk_) {
      auto r = source_->Read(buf.data.get() + filled, chunk_ - filled);
      if (!r.ok()) {
        error = r.status();
        break;
      }
      if (*r == 0) {
        end = true;
        break;
      }
      filled += *r;
    }
    buf.size = filled;
    std::lock_guard<std::mutex> lock(mu_);
    if (filled > 0) {
      queue_.push_back(std::move(buf));
    } else {
      free_.push_back(std::move(buf));
    }
    if (!error.ok() || end) {
      error_ = error;
      finished_ = true;
    }
    data_cv_.notify_one();
    if (finished_) return;
  }
}

Result<bool> PrefetchSource::Refill() {
  std::unique_lock<std::mutex> lock(mu_);
  if (current_.data) {
    free_.push_back(std::move(current_));
    current_ = Buffer();
    space_cv_.notify_one();
  }
  pos_ = 0;
  data_cv_.wait(lock, [this] { return finished_ || !queue_.empty(); });
  if (queue_.empty()) {
    if (!error_.ok()) return error_;
    return false;
  }
  current_ = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

Result<size_t> PrefetchSource::Read(uint8_t* out, size_t n) {
  if (!current_.data || pos_ == current_.size) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, Refill());
    if (!more) return size_t{0};
  }
  size_t take = std::min(n, current_.size - pos_);
  std::memcpy(out, current_.data.get() + pos_, take);
  pos_ += take;
  return take;
}

Result<std::string_view> PrefetchSource::ReadView() {
  if (!current_.data || pos_ == current_.size) {
    CUSTODY_ASSIGN_OR_RETURN(bool more, Refill());
    if (!more) return std::string_view();
  }
  std::string_view view(reinterpret_cast<const char*>(current_.data.get()) + pos_, current_.size - pos_);
  pos_ = current_.size;
  return view;
}

}  // namespace custody::package
