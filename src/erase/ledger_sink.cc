// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// NewLedgerWipeSink (custody/wipe.h): every wipe event becomes one signed
// ledger entry. A Record that fails stops the wipe (the engine saves its
// state), because an erase that cannot be recorded must not carry on unseen.
#include <mutex>

#include "custody/station.h"
#include "custody/wipe.h"

namespace custody {
namespace {

// Station is single-threaded; parallel device wipes share one.
std::mutex& RecordMutex() {
  static std::mutex m;
  return m;
}

class LedgerWipeSink final : public WipeEventSink {
 public:
  LedgerWipeSink(Station* station, std::string op, WipeEventSink* progress)
      : station_(station), operator_(std::move(op)), progress_(progress) {}

  Status OnStarted(const WipeStartedEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.started", e.ToJson()));
    return progress_ ? progress_->OnStarted(e) : Status::Ok();
  }
  Status OnResumed(const WipeResumedEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.resumed", e.ToJson()));
    return progress_ ? progress_->OnResumed(e) : Status::Ok();
  }
  Status OnPassCompleted(const WipePassEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.pass.completed", e.ToJson()));
    return progress_ ? progress_->OnPassCompleted(e) : Status::Ok();
  }
  Status OnVerified(const WipeVerifiedEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.verified", e.ToJson()));
    return progress_ ? progress_->OnVerified(e) : Status::Ok();
  }
  Status OnFinished(const WipeFinishedEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record(e.EventType(), e.ToJson()));
    return progress_ ? progress_->OnFinished(e) : Status::Ok();
  }
  Status OnRemoved(const WipeRemovedEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.removed", e.ToJson()));
    return progress_ ? progress_->OnRemoved(e) : Status::Ok();
  }
  Status OnFreeSpaceStarted(const FreeSpaceWipeEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record("wipe.free-space.started", e.StartedJson()));
    return progress_ ? progress_->OnFreeSpaceStarted(e) : Status::Ok();
  }
  Status OnFreeSpaceFinished(const FreeSpaceWipeEvent& e) override {
    CUSTODY_RETURN_IF_ERROR(Record(e.EventType(), e.ToJson()));
    return progress_ ? progress_->OnFreeSpaceFinished(e) : Status::Ok();
  }
  void OnProgress(const WipeProgress& p) override {
    if (progress_) progress_->OnProgress(p);
  }

 private:
  Status Record(std::string_view type, const std::string& json) {
    std::lock_guard<std::mutex> lock(RecordMutex());
    auto entry = station_->Record(type, operator_, json);
    if (!entry.ok()) return entry.status().WithContext("recording " + std::string(type) + " in the ledger");
    return Status::Ok();
  }

  Station* station_;
  std::string operator_;
  WipeEventSink* progress_;
};

}  // namespace

std::unique_ptr<WipeEventSink> NewLedgerWipeSink(Station* station, std::string operator_name,
                                                 WipeEventSink* progress) {
  return std::make_unique<LedgerWipeSink>(station, std::move(operator_name), progress);
}

}  // namespace custody
