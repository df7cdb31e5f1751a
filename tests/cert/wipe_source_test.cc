// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Certificate rows from the records of real wipes: the wipe engine runs on a
// file and its events become the ledger entries the row is read from.
#include <gtest/gtest.h>

#include <utility>

#include "cert/cert_test_util.h"
#include "custody/certificate.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "support/recording_wipe_sink.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

class WipeSourceTest : public ::testing::Test {
 protected:
  // Runs `method` over a 1 MiB file that poses as a SATA disk, and returns
  // the events as ledger entries numbered from 10.
  std::vector<LedgerEntry> Wipe(const std::string& method, const std::string& verify,
                                bool rotational) {
    std::string path = dir_.path() + "/disk.img";
    WriteFileOrDie(path, std::string(1 << 20, 'x'));
    BlockDeviceOptions bo;
    bo.direct = false;
    auto dev = OpenBlockDevice(path, bo);
    EXPECT_TRUE(dev.ok()) << dev.status().ToString();
    WipeOptions o;
    o.plan.method = method;
    o.plan.verify = *ParseVerifyPolicy(verify);
    o.target.path = path;
    o.target.kind = "disk";
    o.target.vendor = "Seagate";
    o.target.model = "ST1000DM010";
    o.target.serial = "Z9A1B2C3";
    o.target.transport = "sata";
    o.target.rotational = rotational;
    o.target.size_bytes = 1 << 20;
    o.target.hidden.checked = true;
    testing::RecordingWipeSink sink;
    o.sink = &sink;
    auto r = RunWipe(**dev, o, Env::Default());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<LedgerEntry> entries;
    uint64_t seq = 10;
    for (const auto& [type, json] : sink.events) {
      LedgerEntry e;
      e.seq = seq++;
      e.type = type;
      e.data_json = json;
      entries.push_back(e);
    }
    return entries;
  }
  TempDir dir_;
};

TEST_F(WipeSourceTest, CompletedVerifiedWipeIsACertifiableRow) {
  auto entries = Wipe("dod-3", "last", /*rotational=*/true);
  auto d = DeviceFromWipeEntries(entries);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->media, MediaType::kHdd);
  EXPECT_EQ(d->interface, "SATA");
  EXPECT_EQ(d->serial, "Z9A1B2C3");
  EXPECT_EQ(d->maker, "Seagate");
  EXPECT_EQ(d->capacity_bytes, 1 << 20);
  EXPECT_EQ(d->hpa_dco, HiddenAreas::kNone);
  EXPECT_EQ(d->method.family, MethodFamily::kOverwrite);
  EXPECT_EQ(d->method.level, SanitizationLevel::kClear);
  EXPECT_EQ(d->method.passes, 3);
  EXPECT_EQ(d->method.patterns, (std::vector<std::string>{"0x00", "0xFF", "random"}));
  EXPECT_NE(d->method.standard.find("5220.22-M"), std::string::npos) << d->method.standard;
  EXPECT_EQ(d->method.tool_name, "custody");
  EXPECT_EQ(d->outcome, Outcome::kCompleted);
  EXPECT_EQ(d->verification.result, VerificationResult::kPassed);
  EXPECT_EQ(d->verification.coverage, "100%");
  EXPECT_FALSE(d->started.empty());
  EXPECT_GE(d->finished, d->started);
  ASSERT_EQ(d->sources.size(), 3u);
  EXPECT_EQ(d->sources[0].type, "wipe.started");
  EXPECT_EQ(d->sources[1].type, "wipe.verified");
  EXPECT_EQ(d->sources[2].type, "wipe.completed");
  // And the certificate accepts it without warnings.
  CertificateContent c = testing::SampleContent();
  c.devices = {*d};
  auto v = ValidateContent(c, false);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->warnings.empty());
}

TEST_F(WipeSourceTest, UnverifiedOrUnfinishedWipeIsRefusedByTheCertificate) {
  auto entries = Wipe("zero", "none", /*rotational=*/false);
  auto d = DeviceFromWipeEntries(entries);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->media, MediaType::kSsd);
  EXPECT_EQ(d->verification.result, VerificationResult::kNotVerified);
  CertificateContent c = testing::SampleContent();
  c.devices = {*d};
  EXPECT_EQ(ValidateContent(c, false).status().code(), StatusCode::kFailedPrecondition);
  auto incomplete = ValidateContent(c, true);
  ASSERT_TRUE(incomplete.ok());
  bool flash_warning = false;
  for (const auto& w : incomplete->warnings) flash_warning |= w.code == "overwrite-on-flash";
  EXPECT_TRUE(flash_warning) << "an overwritten SSD is flagged";

  // Without its final entry the wipe is still running (or died): interrupted.
  entries = Wipe("zero", "last", true);
  entries.pop_back();
  d = DeviceFromWipeEntries(entries);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kInterrupted);
  EXPECT_EQ(DeviceFromWipeEntries({}).status().code(), StatusCode::kNotFound);
  entries[0].data_json = "{\"target\":7}";
  EXPECT_EQ(DeviceFromWipeEntries(entries).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace custody
