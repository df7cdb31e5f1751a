// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The purge logic driven through every path by the drive emulators of
// tests/support/fake_drive.h: the IEEE 2883 choice and its explanation,
// sanitize progress and failure, frozen and locked ATA security, the
// recovery of a failed security erase, drives that lie, and the sample
// verification.
#include "custody/purge.h"

#include "custody/device.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/fake_block_device.h"
#include "support/fake_drive.h"
#include "support/fake_env.h"

// Designated initializers leave the other members default-initialized, as meant.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace custody {
namespace {

using testing::EraseEffect;
using testing::FakeAtaDrive;
using testing::FakeBlockDevice;
using testing::FakeEnv;
using testing::FakeNvmeDrive;
using testing::FakeScsiDrive;
using nlohmann::json;

class PurgeTest : public ::testing::Test {
 protected:
  PurgeTest() : device_(1 << 20) {  // 2048 blocks of 512 bytes.
    env_.SetNowUnixMicros(1'800'000'000'000'000);
    env_.SetDeterministicRandom(7);
    // Residents' data before the erase: non-uniform, so the unseeded check works too.
    auto& m = device_.medium();
    const std::string rec = "住民記録 resident record ";
    for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(rec[i % rec.size()] ^ (i / 512));
  }

  PurgeOptions Options() {
    PurgeOptions o;
    o.env = &env_;
    o.poll_interval_ms = 5000;
    o.record = [this](std::string_view type, std::string_view data) {
      events_.emplace_back(std::string(type), json::parse(data));
      return Status::Ok();
    };
    o.sleep = [this](uint32_t ms) {
      env_.SetNowUnixMicros(env_.NowUnixMicros() + int64_t{ms} * 1000);
      ++sleeps_;
    };
    o.on_progress = [this](const PurgeProgress& p) { progress_.push_back(p); };
    return o;
  }

  std::vector<std::string> EventTypes() const {
    std::vector<std::string> t;
    for (const auto& e : events_) t.push_back(e.first);
    return t;
  }
  std::vector<std::string> Commands() const {
    std::vector<std::string> c;
    for (const auto& e : events_) {
      if (e.first == "purge.command") c.push_back(e.second["command"]);
    }
    return c;
  }

  Result<PurgeReport> ProbePlanRun(PurgeTarget& target, PurgeAction action, PurgePlan* plan_out = nullptr) {
    auto probe = ProbePurge(target);
    if (!probe.ok()) return probe.status();
    auto plan = PlanPurge(*probe, action);
    if (!plan.ok()) return plan.status();
    if (plan_out) *plan_out = *plan;
    return RunPurge(target, *plan, Options());
  }

  FakeBlockDevice device_;
  FakeEnv env_;
  std::vector<std::pair<std::string, json>> events_;
  std::vector<PurgeProgress> progress_;
  int sleeps_ = 0;
};

// ------------------------------------------------------------------ NVMe

TEST_F(PurgeTest, NvmeAutoPicksBlockEraseAndExplainsWhy) {
  FakeNvmeDrive drive(&device_, {});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->serial, "FAKENVME0001");
  EXPECT_EQ(probe->supported,
            (std::vector<PurgeAction>{PurgeAction::kSanitizeBlockErase,
                                      PurgeAction::kSanitizeCryptoErase,
                                      PurgeAction::kFormatCryptoErase,
                                      PurgeAction::kFormatUserDataErase}));
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->action, PurgeAction::kSanitizeBlockErase);
  EXPECT_TRUE(plan->no_deallocate);  // NDI = 0: verification reads the media.
  EXPECT_NE(plan->reason.find("spare"), std::string::npos) << plan->reason;
  EXPECT_NE(plan->reason.find("Crypto Erase"), std::string::npos) << plan->reason;
  EXPECT_NE(plan->command.find("No-Deallocate"), std::string::npos);
  ASSERT_FALSE(plan->warnings.empty());
  EXPECT_NE(plan->warnings[0].find("every namespace"), std::string::npos);
  // The same sentences as constant patterns and values (an interface
  // translates the patterns): the count of namespaces is a value, never part
  // of the pattern.
  EXPECT_EQ(plan->reason, plan->reason_text.English());
  EXPECT_EQ(plan->reason_text.pattern, "Strongest purge this drive offers now: %s");
  ASSERT_EQ(plan->warning_texts.size(), plan->warnings.size());
  EXPECT_EQ(plan->warnings[0], plan->warning_texts[0].English());
  EXPECT_NE(plan->warning_texts[0].pattern.find("(%s supported by this controller)"),
            std::string::npos);

  auto report = RunPurge(target, *plan, Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->verification.passed());
  EXPECT_TRUE(report->verification.seeded);
  // Under 4,000 blocks the sampler covers the whole device.
  EXPECT_EQ(report->verification.samples, 2048u);
  EXPECT_EQ(report->verification.erased, 2048u);
  EXPECT_EQ(report->verification.sampling_seed_hex.size(), 64u);
  EXPECT_NE(report->final_status.find("no deallocate"), std::string::npos) << report->final_status;
  // The Sanitize sent: opcode 84h, CDW10 = Block Erase | NDAS = 202h, AUSE 0.
  ASSERT_EQ(drive.sanitize_commands(), 1);
  for (const auto& c : drive.commands()) {
    if (c.opcode == 0x84) {
      EXPECT_EQ(c.cdw[0], 0x202u);
    }
  }
  EXPECT_EQ(EventTypes(), (std::vector<std::string>{"purge.started", "purge.command",
                                                    "purge.completed"}));
  EXPECT_EQ(events_[1].second["bytes"].get<std::string>().substr(0, 2), "84");
  EXPECT_EQ(events_[2].second["verification"]["passed"], true);
  // Every block reads back as erased flash (no deallocation: 0xFF).
  for (uint8_t b : device_.medium()) ASSERT_EQ(b, 0xFF);
}

// A certificate reads one entry: the final event repeats the device, the
// drive's own identity, the commands, the times and the verification.
TEST_F(PurgeTest, FinalEventIsSelfContainedForCertificates) {
  FakeNvmeDrive drive(&device_, {});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  ASSERT_TRUE(plan.ok());
  DeviceInfo identity;
  identity.path = "/dev/nvme0n1";
  identity.serial = "FAKENVME0001";
  identity.transport = "nvme";
  identity.size_bytes = 1 << 20;
  PurgeOptions options = Options();
  options.identity = &identity;
  auto report = RunPurge(target, *plan, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(EventTypes().back(), "purge.completed");
  const json& done = events_.back().second;
  EXPECT_EQ(done["outcome"], "completed");
  EXPECT_EQ(done["action"], "sanitize-block");
  EXPECT_EQ(done["interface"], "nvme");
  EXPECT_EQ(done["target"]["path"], "/dev/nvme0n1");
  EXPECT_EQ(done["target"]["serial"], "FAKENVME0001");
  EXPECT_EQ(done["drive"]["serial"], "FAKENVME0001");
  EXPECT_EQ(done["purge_id"].get<std::string>().size(), 32u);
  for (const auto& e : events_) EXPECT_EQ(e.second["purge_id"], done["purge_id"]) << e.first;
  EXPECT_EQ(done["purge_id"], report->purge_id);
  ASSERT_EQ(done["commands"].size(), 1u);
  EXPECT_EQ(done["commands"][0]["command"], "nvme-sanitize");
  EXPECT_EQ(done["commands"][0]["bytes"], events_[1].second["bytes"]);
  EXPECT_EQ(done["started"], "2027-01-15T08:00:00Z");
  EXPECT_GE(done["finished"].get<std::string>(), done["started"].get<std::string>());
  EXPECT_EQ(done["verification"]["passed"], true);
  EXPECT_EQ(done["sampling"]["seed"], report->verification.sampling_seed_hex);
  EXPECT_FALSE(done["final_status"].get<std::string>().empty());
  EXPECT_TRUE(events_.front().second.contains("facts"));
}

// A failure leaves a final record too, naming what was sent before it.
TEST_F(PurgeTest, FailedEventNamesTheDeviceAndTheError) {
  FakeNvmeDrive drive(&device_, {.fail_sanitize = true});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  DeviceInfo identity;
  identity.path = "/dev/nvme0n1";
  identity.serial = "FAKENVME0001";
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kSanitizeCryptoErase);
  ASSERT_TRUE(plan.ok());
  PurgeOptions options = Options();
  options.identity = &identity;
  auto report = RunPurge(target, *plan, options);
  ASSERT_FALSE(report.ok());
  ASSERT_EQ(EventTypes().back(), "purge.failed");
  const json& failed = events_.back().second;
  EXPECT_EQ(failed["outcome"], "failed");
  EXPECT_EQ(failed["target"]["serial"], "FAKENVME0001");
  EXPECT_EQ(failed["commands"].size(), 1u);
  EXPECT_FALSE(failed["error"].get<std::string>().empty());
}

TEST_F(PurgeTest, NvmeSanitizeProgressAndEstimateAreReported) {
  FakeNvmeDrive drive(&device_, {.polls_to_finish = 5, .estimate_seconds = 40});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  ASSERT_TRUE(ProbePlanRun(target, PurgeAction::kAuto).ok());
  std::vector<double> fractions;
  for (const auto& p : progress_) {
    if (p.phase == "sanitize" && p.fraction < 1.0) fractions.push_back(p.fraction);
  }
  ASSERT_GE(fractions.size(), 3u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_GT(fractions.back(), 0.5);
  // The estimate is the no-deallocate block erase one (80 s), counting down.
  bool saw_eta = false;
  for (const auto& p : progress_) {
    if (p.phase == "sanitize" && p.eta_seconds > 0) {
      saw_eta = true;
      EXPECT_LE(p.eta_seconds, 80);
    }
  }
  EXPECT_TRUE(saw_eta);
  EXPECT_EQ(progress_.back().phase, "verify");
}

TEST_F(PurgeTest, NvmeNoDeallocateInhibitedIsNotRequested) {
  FakeNvmeDrive drive(&device_, {.sanicap = 0x1 | (1u << 29)});  // Crypto only, NDI.
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSanitizeCryptoErase);
  EXPECT_FALSE(plan.no_deallocate);
  for (const auto& c : drive.commands()) {
    if (c.opcode == 0x84) {
      EXPECT_EQ(c.cdw[0], 0x4u);
    }
  }
}

TEST_F(PurgeTest, NvmeWaitsForASanitizeAlreadyRunning) {
  FakeNvmeDrive drive(&device_, {.polls_to_finish = 3});
  drive.BeginSanitize(0x4);  // An earlier crypto erase still running.
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSanitizeBlockErase);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(drive.sanitize_commands(), 1);  // Ours, after the earlier one ended.
  EXPECT_EQ(EventTypes()[1], "purge.waiting");
}

TEST_F(PurgeTest, NvmeSanitizeFailureIsReportedAndRecorded) {
  FakeNvmeDrive drive(&device_, {.fail_sanitize = true});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_NE(report.status().message().find("FAILED"), std::string::npos);
  EXPECT_NE(report.status().message().find("failure mode"), std::string::npos);
  EXPECT_EQ(EventTypes().back(), "purge.failed");
}

TEST_F(PurgeTest, NvmeDriveThatLiesFailsVerification) {
  FakeNvmeDrive drive(&device_, {.lie = true});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kVerificationFailed);
  EXPECT_NE(report.status().message().find("2048 of 2048"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(EventTypes().back(), "purge.verification-failed");
}

TEST_F(PurgeTest, NvmeGivesUpFollowingAfterTheTimeout) {
  FakeNvmeDrive drive(&device_, {.never_finishes = true});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  PurgeOptions o = Options();
  o.timeout_seconds = 60;
  auto report = RunPurge(target, *plan, o);
  EXPECT_EQ(report.status().code(), StatusCode::kInterrupted);
  EXPECT_NE(report.status().message().find("power cycle"), std::string::npos);
  EXPECT_LE(sleeps_, 14);  // 60 s at 5 s a poll, then stop.
}

TEST_F(PurgeTest, QemuLikeControllerFallsBackToFormatUserDataErase) {
  // QEMU 7.2: SANICAP 0, FNA 0, Sanitize answered with Invalid Opcode.
  FakeNvmeDrive drive(&device_, {.sanicap = 0, .fna = 0, .sanitize_opcode = false});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kFormatUserDataErase);
  EXPECT_NE(plan.reason.find("Weaker than Sanitize"), std::string::npos);
  // Format keeps the namespace's LBA format (0); SES 1 -> CDW10 200h, NSID 1.
  const NvmeAdminCommand& format = drive.commands().back();
  EXPECT_EQ(format.opcode, 0x80);
  EXPECT_EQ(format.cdw[0], 0x200u);
  EXPECT_EQ(format.nsid, 1u);
  // An explicit Sanitize is refused as unsupported, both by plan and by drive.
  events_.clear();
  auto probe = ProbePurge(target);
  EXPECT_EQ(PlanPurge(*probe, PurgeAction::kSanitizeCryptoErase).status().code(),
            StatusCode::kUnsupported);
  PurgePlan forced{.action = PurgeAction::kSanitizeBlockErase,
                   .interface = PurgeInterface::kNvme};
  FakeNvmeDrive with_log(&device_, {.sanicap = 0, .fna = 0, .sanitize_opcode = false});
  target.nvme = &with_log;
  auto r = RunPurge(target, forced, Options());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("Invalid Command Opcode"), std::string::npos);
}

TEST_F(PurgeTest, UnseededVerificationComparesDigests) {
  FakeNvmeDrive drive(&device_, {});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  auto plan = PlanPurge(*probe, PurgeAction::kFormatCryptoErase);
  ASSERT_TRUE(plan.ok());
  PurgeOptions o = Options();
  o.seed_markers = false;
  auto report = RunPurge(target, *plan, o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->verification.seeded);
  EXPECT_EQ(report->verification.erased, report->verification.samples);
  EXPECT_EQ(drive.commands().back().cdw[0], 0x400u);  // SES 2.
}

// ------------------------------------------------------------------ ATA

TEST_F(PurgeTest, AtaAutoPicksSanitizeBlockErase) {
  FakeAtaDrive drive(&device_, {});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSanitizeBlockErase);
  EXPECT_TRUE(drive.erased());
  EXPECT_EQ(Commands(), std::vector<std::string>{"ata-sanitize"});
  // The CDB recorded carries the BkEr signature.
  EXPECT_EQ(events_[1].second["bytes"], "8507000012000042720045006b40b400");
  EXPECT_NE(report->final_status.find("completed without error"), std::string::npos);
  bool saw_half = false;
  for (const auto& p : progress_) saw_half |= (p.phase == "sanitize" && p.fraction > 0.3 && p.fraction < 1);
  EXPECT_TRUE(saw_half);
}

TEST_F(PurgeTest, AtaSanitizeFrozenFallsBackWithWarning) {
  FakeAtaDrive drive(&device_, {.sanitize_frozen = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSecurityEraseEnhanced);
  ASSERT_FALSE(plan.warnings.empty());
  EXPECT_NE(plan.warnings[0].find("replug"), std::string::npos) << plan.warnings[0];
  // Explicitly asking for the frozen sanitize: a clear precondition error.
  auto probe = ProbePurge(target);
  auto refused = PlanPurge(*probe, PurgeAction::kSanitizeCryptoErase);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("SANITIZE FREEZE LOCK"), std::string::npos);
}

TEST_F(PurgeTest, AtaEnhancedSecurityEraseLeavesNoPassword) {
  FakeAtaDrive drive(&device_, {.sanitize = false});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSecurityEraseEnhanced);
  EXPECT_NE(plan.reason.find("enhanced"), std::string::npos);
  EXPECT_TRUE(drive.erased());
  EXPECT_FALSE(drive.security_enabled());
  // IDENTIFY, SET PASSWORD, IDENTIFY, PREPARE, ERASE UNIT, IDENTIFY.
  std::vector<std::string> after_probe(drive.log().begin() + 1, drive.log().end());
  EXPECT_EQ(after_probe, (std::vector<std::string>{"EC", "F1", "EC", "F3", "F4", "EC"}));
  EXPECT_EQ(Commands(), (std::vector<std::string>{"ata-security-set-password",
                                                  "ata-security-erase-prepare",
                                                  "ata-security-erase-unit"}));
  // The ETA came from IDENTIFY word 90 (20 minutes).
  bool eta = false;
  for (const auto& p : progress_) eta |= p.phase == "security-erase" && p.eta_seconds == 1200;
  EXPECT_TRUE(eta);
}

TEST_F(PurgeTest, AtaFrozenSecurityExplainsSuspendOrReplug) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .security_frozen = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("suspend"), std::string::npos);
  EXPECT_NE(report.status().message().find("replug"), std::string::npos);
  for (const auto& c : drive.log()) EXPECT_NE(c, "F1");  // No password was ever set.
  // Forcing the plan does not get past the run's own check either.
  PurgePlan forced{.action = PurgeAction::kSecurityErase, .interface = PurgeInterface::kAta};
  auto r = RunPurge(target, forced, Options());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(drive.security_enabled());
}

TEST_F(PurgeTest, AtaFailedEraseRemovesTheTemporaryPassword) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .fail_erase_unit = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSecurityErase);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_NE(report.status().message().find("temporary password removed"), std::string::npos)
      << report.status().message();
  EXPECT_NE(report.status().message().find("NOT known to be erased"), std::string::npos);
  EXPECT_FALSE(drive.security_enabled());
  EXPECT_FALSE(drive.erased());
  EXPECT_EQ(drive.log().back(), "EC");
  EXPECT_EQ(drive.log()[drive.log().size() - 2], "F6");  // DISABLE PASSWORD.
  auto types = EventTypes();
  EXPECT_NE(std::find(types.begin(), types.end(), "purge.security-password-removed"), types.end());
  EXPECT_EQ(types.back(), "purge.failed");
}

TEST_F(PurgeTest, AtaFailedEraseThatLockedTheDriveIsUnlockedThenDisabled) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .fail_erase_unit = true,
                                .lock_after_failed_erase = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSecurityEraseEnhanced);
  ASSERT_FALSE(report.ok());
  EXPECT_FALSE(drive.locked());
  EXPECT_FALSE(drive.security_enabled());
  const auto& log = drive.log();
  auto f2 = std::find(log.begin(), log.end(), "F2");
  ASSERT_NE(f2, log.end());
  EXPECT_EQ(*(f2 + 1), "F6");
  EXPECT_EQ(drive.failed_password_attempts(), 0);
}

TEST_F(PurgeTest, AtaPasswordLeftByAnEarlierRunIsRecovered) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .password = "custody-purge"});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(drive.erased());
  EXPECT_FALSE(drive.security_enabled());
  EXPECT_EQ(Commands().front(), "ata-security-disable-password");
}

TEST_F(PurgeTest, AtaForeignPasswordIsNeitherGuessedNorErased) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .password = "owner's secret"});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("will not guess"), std::string::npos);
  EXPECT_EQ(drive.failed_password_attempts(), 1);  // One try with custody's own password.
  EXPECT_TRUE(drive.security_enabled());
  EXPECT_FALSE(drive.erased());
  for (const auto& c : drive.log()) EXPECT_NE(c, "F4");
}

TEST_F(PurgeTest, AtaLockedDriveIsRefusedAtPlanTime) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .password = "x", .locked = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plan.status().message().find("locked"), std::string::npos);
}

TEST_F(PurgeTest, AtaDriveKeepingItsPasswordAfterEraseIsCleanedUp) {
  FakeAtaDrive drive(&device_, {.sanitize = false, .keep_password_after_erase = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSecurityErase);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(drive.security_enabled());
  EXPECT_EQ(Commands().back(), "ata-security-disable-password");
}

TEST_F(PurgeTest, AtaSanitizeFailure) {
  FakeAtaDrive drive(&device_, {.fail_sanitize = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSanitizeCryptoErase);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_NE(report.status().message().find("Sanitize Operation Failed"), std::string::npos);
}

TEST_F(PurgeTest, AtaFixedFormatSenseCannotFollowSanitize) {
  FakeAtaDrive drive(&device_, {.fixed_format_sense = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  // Sanitize cannot be followed, so auto falls back to the security erase.
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->action, PurgeAction::kSecurityEraseEnhanced);
  EXPECT_NE(plan->warnings[0].find("fixed-format"), std::string::npos);
  EXPECT_TRUE(RunPurge(target, *plan, Options()).ok());
}

TEST_F(PurgeTest, AtaAbortOnLegacyLibataIsAFailureNotASuccess) {
  // The misplaced fixed-format registers read as zeros at the SAT offsets;
  // the sense key, not the registers, says the SANITIZE was aborted.
  FakeAtaDrive drive(&device_, {.sanitize_frozen = false, .legacy_libata_sense = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  PurgePlan forced{.action = PurgeAction::kSanitizeOverwrite, .interface = PurgeInterface::kAta};
  FakeAtaDrive no_overwrite(&device_, {.overwrite = false, .legacy_libata_sense = true});
  target.scsi = &no_overwrite;
  auto report = RunPurge(target, forced, Options());
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(no_overwrite.erased());
  EXPECT_NE(report.status().message().find("ABORTED COMMAND"), std::string::npos)
      << report.status().message();
  // Success paths still work with it (descriptor format with CK_COND).
  target.scsi = &drive;
  events_.clear();
  EXPECT_TRUE(ProbePlanRun(target, PurgeAction::kAuto).ok());
  EXPECT_TRUE(drive.erased());
}

TEST_F(PurgeTest, AtaWithoutPassThroughIsUnsupported) {
  FakeAtaDrive drive(&device_, {.reject_passthrough = true});
  PurgeTarget target{.interface = PurgeInterface::kAta, .scsi = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  EXPECT_EQ(probe.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(probe.status().message().find("SAT"), std::string::npos);
}

// ------------------------------------------------------------------ SCSI

TEST_F(PurgeTest, ScsiSanitizeWithRequestSenseProgress) {
  FakeScsiDrive drive(&device_, {.polls_to_finish = 4});
  PurgeTarget target{.interface = PurgeInterface::kScsi, .scsi = &drive, .device = &device_};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSanitizeBlockErase);
  EXPECT_EQ(events_[1].second["bytes"], "48820000000000000000");  // IMMED | BLOCK ERASE.
  std::vector<double> f;
  for (const auto& p : progress_) if (p.phase == "sanitize" && p.fraction >= 0) f.push_back(p.fraction);
  ASSERT_GE(f.size(), 3u);
  EXPECT_DOUBLE_EQ(f[0], 0.25);
  EXPECT_DOUBLE_EQ(f[1], 0.5);
}

TEST_F(PurgeTest, ScsiSanitizeFailure) {
  FakeScsiDrive drive(&device_, {.fail_sanitize = true});
  PurgeTarget target{.interface = PurgeInterface::kScsi, .scsi = &drive, .device = &device_};
  auto report = ProbePlanRun(target, PurgeAction::kSanitizeCryptoErase);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_NE(report.status().message().find("31h/03h"), std::string::npos);
}

TEST_F(PurgeTest, ScsiWithoutReportOpcodesTriesOnlyWhatIsAsked) {
  FakeScsiDrive drive(&device_, {.report_opcodes = false});
  PurgeTarget target{.interface = PurgeInterface::kScsi, .scsi = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  EXPECT_TRUE(probe->supported.empty());
  EXPECT_EQ(PlanPurge(*probe, PurgeAction::kAuto).status().code(), StatusCode::kUnsupported);
  auto plan = PlanPurge(*probe, PurgeAction::kSanitizeCryptoErase);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(RunPurge(target, *plan, Options()).ok());
}

// ------------------------------------------------------------------ Others

TEST_F(PurgeTest, MmcSecureDiscard) {
  int calls = 0;
  PurgeTarget target{.interface = PurgeInterface::kMmc, .device = &device_,
                     .secure_discard = [&] {
                       ++calls;
                       testing::ApplyErase(&device_, EraseEffect::kZeros);
                       return Status::Ok();
                     }};
  PurgePlan plan;
  auto report = ProbePlanRun(target, PurgeAction::kAuto, &plan);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(plan.action, PurgeAction::kSecureDiscard);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(report->verification.passed());
}

TEST_F(PurgeTest, MmcWithoutSecureEraseSupportFails) {
  PurgeTarget target{.interface = PurgeInterface::kMmc, .device = &device_,
                     .secure_discard = [] { return UnsupportedError("BLKSECDISCARD: EOPNOTSUPP"); }};
  auto report = ProbePlanRun(target, PurgeAction::kAuto);
  EXPECT_EQ(report.status().code(), StatusCode::kUnsupported);
}

TEST_F(PurgeTest, UsbFlashHasNoPurge) {
  PurgeTarget target{.interface = PurgeInterface::kUsbFlash, .device = &device_};
  auto probe = ProbePurge(target);
  ASSERT_TRUE(probe.ok());
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  EXPECT_EQ(plan.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(plan.status().message().find("no purge"), std::string::npos);
  EXPECT_NE(plan.status().message().find("overwrite"), std::string::npos);
  EXPECT_NE(plan.status().message().find("destroy"), std::string::npos);
}

TEST_F(PurgeTest, ActionNamesRoundTrip) {
  for (auto a : {PurgeAction::kAuto, PurgeAction::kSanitizeBlockErase,
                 PurgeAction::kSanitizeCryptoErase, PurgeAction::kSanitizeOverwrite,
                 PurgeAction::kSecurityEraseEnhanced, PurgeAction::kSecurityErase,
                 PurgeAction::kFormatCryptoErase, PurgeAction::kFormatUserDataErase,
                 PurgeAction::kSecureDiscard}) {
    auto parsed = ParsePurgeAction(PurgeActionName(a));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(ParsePurgeAction("shred").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PurgeTest, RecordFailureStopsBeforeAnyCommand) {
  FakeNvmeDrive drive(&device_, {});
  PurgeTarget target{.interface = PurgeInterface::kNvme, .nvme = &drive, .device = &device_};
  auto probe = ProbePurge(target);
  auto plan = PlanPurge(*probe, PurgeAction::kAuto);
  PurgeOptions o = Options();
  o.record = [](std::string_view type, std::string_view) {
    return type == "purge.command" ? IoError("ledger disk full") : Status::Ok();
  };
  auto report = RunPurge(target, *plan, o);
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_EQ(drive.sanitize_commands(), 0);
}

}  // namespace
}  // namespace custody
