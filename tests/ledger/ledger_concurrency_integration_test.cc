// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Several processes appending at once, and processes killed with SIGKILL in
// the middle of a stream of appends.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "custody/ledger.h"
#include "ledger/ledger_test_util.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

// In a forked child: append `count` entries (or forever if count < 0),
// writing each returned seq to `report_fd` as a line. Never returns.
[[noreturn]] void AppendInChild(const std::string& path, const testing::TestKey& key, int writer, int count,
                                int report_fd) {
  auto l = Ledger::Open(path, true, key.signer(), key.vkey, Env::Default());
  if (!l.ok()) _exit(3);
  for (int i = 0; count < 0 || i < count; ++i) {
    auto e = (*l)->Append("test.concurrent", "writer-" + std::to_string(writer),
                          R"({"writer":)" + std::to_string(writer) + R"(,"i":)" + std::to_string(i) + "}");
    if (!e.ok()) _exit(4);
    std::string line = std::to_string(e->seq) + " " + std::to_string(writer) + " " + std::to_string(i) + "\n";
    if (report_fd >= 0 && ::write(report_fd, line.data(), line.size()) < 0) _exit(5);
  }
  _exit(0);
}

TEST(LedgerConcurrencyTest, SeveralProcessesAppendingLoseNothing) {
  TempDir dir;
  const std::string path = dir.path() + "/ledger.db";
  testing::TestKey key = testing::MakeTestKey();
  {  // Create the ledger once so the children race only on appends.
    auto l = Ledger::Open(path, true, key.signer(), key.vkey, Env::Default());
    ASSERT_TRUE(l.ok());
  }
  constexpr int kWriters = 4, kEach = 40;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) AppendInChild(path, key, w, kEach, -1);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer failed, status " << status;
  }
  auto l = Ledger::Open(path, false, std::nullopt, key.vkey, Env::Default());
  ASSERT_TRUE(l.ok());
  auto report = (*l)->Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, static_cast<uint64_t>(kWriters * kEach));
  std::set<std::pair<int, int>> seen;
  ASSERT_TRUE((*l)->Scan(0, [&](const LedgerEntry& e) {
    auto d = nlohmann::json::parse(e.data_json);
    EXPECT_TRUE(seen.insert({d["writer"].get<int>(), d["i"].get<int>()}).second) << "duplicate";
    return true;
  }).ok());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kEach));
}

TEST(LedgerConcurrencyTest, VerifyingWhileAnotherProcessAppendsNeverReportsTampering) {
  // Verify reads the two halves of the tree on two connections and the tail
  // and the latest checkpoint in one read transaction: an append landing
  // mid-verification must not look like an inserted or truncated entry.
  TempDir dir;
  const std::string path = dir.path() + "/ledger.db";
  testing::TestKey key = testing::MakeTestKey();
  {
    auto l = Ledger::Open(path, true, key.signer(), key.vkey, Env::Default());
    ASSERT_TRUE(l.ok());
    for (int i = 0; i < 300; ++i) ASSERT_TRUE((*l)->Append("test.seed", "alice", R"({"i":1})").ok());
  }
  pid_t writer = fork();
  if (writer == 0) AppendInChild(path, key, 1, -1, -1);
  struct StopWriter {  // Also when an assertion below returns early.
    pid_t pid;
    ~StopWriter() {
      ::kill(pid, SIGKILL);
      int status;
      ::waitpid(pid, &status, 0);
    }
  } stop_writer{writer};
  auto l = Ledger::Open(path, false, std::nullopt, key.vkey, Env::Default());
  ASSERT_TRUE(l.ok());
  uint64_t last = 0;
  int runs = 0;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
       std::chrono::steady_clock::now() < until; ++runs) {
    auto report = (*l)->Verify();
    ASSERT_TRUE(report.ok()) << "run " << runs << ": " << report.status().ToString();
    EXPECT_GE(report->entries, last);
    last = report->entries;
  }
  EXPECT_GT(last, 300u) << "the writer appended during the verifications";
  EXPECT_GE(runs, 3);
}

TEST(LedgerCrashTest, SigkillMidStreamKeepsEveryAcknowledgedAppend) {
  TempDir dir;
  const std::string path = dir.path() + "/ledger.db";
  testing::TestKey key = testing::MakeTestKey();
  std::map<uint64_t, std::pair<int, int>> acknowledged;  // seq -> (writer, i)
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendInChild(path, key, round, -1, fds[1]);
    }
    close(fds[1]);
    // Wait for its first acknowledged append (a slow start under a loaded
    // or sanitized build must not end the round before the ledger has an
    // entry), let it append for a varying while, then kill it without warning.
    std::string out;
    char buf[4096];
    while (out.find('\n') == std::string::npos) {
      ssize_t n = read(fds[0], buf, sizeof buf);
      ASSERT_GT(n, 0) << "the writer died before its first append";
      out.append(buf, static_cast<size_t>(n));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 70 * round));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    size_t pos = 0, nl;
    while ((nl = out.find('\n', pos)) != std::string::npos) {
      uint64_t seq;
      int w, i;
      ASSERT_EQ(sscanf(out.substr(pos, nl - pos).c_str(), "%lu %d %d", &seq, &w, &i), 3);
      acknowledged[seq] = {w, i};
      pos = nl + 1;
    }
    // After every crash the ledger verifies and still appends.
    auto l = Ledger::Open(path, false, key.signer(), key.vkey, Env::Default());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    auto report = (*l)->Verify();
    ASSERT_TRUE(report.ok()) << "round " << round << ": " << report.status().ToString();
    for (const auto& [seq, wi] : acknowledged) {
      auto e = (*l)->Get(seq);
      ASSERT_TRUE(e.ok()) << "acknowledged entry " << seq << " lost";
      auto d = nlohmann::json::parse(e->data_json);
      EXPECT_EQ(d["writer"].get<int>(), wi.first);
      EXPECT_EQ(d["i"].get<int>(), wi.second);
    }
  }
  EXPECT_GT(acknowledged.size(), 4u) << "the writers appended too little to test anything";
}

}  // namespace
}  // namespace custody
