// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A WipeEventSink that keeps every event (type + JSON) for assertions.
#ifndef CUSTODY_TESTS_SUPPORT_RECORDING_WIPE_SINK_H_
#define CUSTODY_TESTS_SUPPORT_RECORDING_WIPE_SINK_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "custody/wipe.h"

namespace custody::testing {

class RecordingWipeSink : public WipeEventSink {
 public:
  std::vector<std::pair<std::string, std::string>> events;  // (type, json)
  std::vector<WipePassEvent> passes;
  std::vector<WipeVerifiedEvent> verified;
  std::vector<WipeProgress> progress;
  std::vector<WipeRemovedEvent> removed;
  Status fail_started, fail_pass, fail_verified;
  std::function<void(const WipePassEvent&)> on_pass;

  Status OnStarted(const WipeStartedEvent& e) override {
    if (!fail_started.ok()) return fail_started;
    events.emplace_back("wipe.started", e.ToJson());
    return Status::Ok();
  }
  Status OnResumed(const WipeResumedEvent& e) override {
    events.emplace_back("wipe.resumed", e.ToJson());
    return Status::Ok();
  }
  Status OnPassCompleted(const WipePassEvent& e) override {
    if (!fail_pass.ok()) return fail_pass;
    events.emplace_back("wipe.pass.completed", e.ToJson());
    passes.push_back(e);
    if (on_pass) on_pass(e);
    return Status::Ok();
  }
  Status OnVerified(const WipeVerifiedEvent& e) override {
    if (!fail_verified.ok()) return fail_verified;
    events.emplace_back("wipe.verified", e.ToJson());
    verified.push_back(e);
    return Status::Ok();
  }
  Status OnFinished(const WipeFinishedEvent& e) override {
    events.emplace_back(e.EventType(), e.ToJson());
    return Status::Ok();
  }
  Status OnRemoved(const WipeRemovedEvent& e) override {
    events.emplace_back("wipe.removed", e.ToJson());
    removed.push_back(e);
    return Status::Ok();
  }
  Status OnFreeSpaceStarted(const FreeSpaceWipeEvent& e) override {
    if (!fail_started.ok()) return fail_started;
    events.emplace_back("wipe.free-space.started", e.StartedJson());
    return Status::Ok();
  }
  Status OnFreeSpaceFinished(const FreeSpaceWipeEvent& e) override {
    events.emplace_back(e.EventType(), e.ToJson());
    return Status::Ok();
  }
  void OnProgress(const WipeProgress& p) override { progress.push_back(p); }

  int Count(const std::string& type) const {
    int n = 0;
    for (const auto& e : events) n += e.first == type;
    return n;
  }
};

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_RECORDING_WIPE_SINK_H_
