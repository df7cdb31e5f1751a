// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SCSI SANITIZE (SBC-4: byte 1 IMMED 7, ZNR 6, AUSE 5, SERVICE ACTION 4:0;
// bytes 7-8 PARAMETER LIST LENGTH), REQUEST SENSE and REPORT SUPPORTED
// OPERATION CODES (SPC-5), and sense data parsing, from the field tables.
#include "purge/scsi_commands.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace custody::purge::scsi {
namespace {

template <size_t N>
std::string Hex(const std::array<uint8_t, N>& a) {
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(a.data()), N));
}
std::string Hex(const std::vector<uint8_t>& a) {
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(a.data()), a.size()));
}

TEST(ScsiCommandsTest, SanitizeBlockEraseImmediate) {
  auto c = BuildSanitize(SanitizeServiceAction::kBlockErase, true, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(c->cdb), "48820000000000000000");
  EXPECT_TRUE(c->parameters.empty());
}

TEST(ScsiCommandsTest, SanitizeCryptoEraseWithAuse) {
  auto c = BuildSanitize(SanitizeServiceAction::kCryptoErase, true, true);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(c->cdb), "48a30000000000000000");
}

TEST(ScsiCommandsTest, SanitizeOverwriteParameterList) {
  // Parameter list: INVERT | OVERWRITE COUNT 3 = 83h, reserved, pattern
  // length 0004h, pattern; PARAMETER LIST LENGTH = 8.
  auto c = BuildSanitize(SanitizeServiceAction::kOverwrite, false, false,
                         {.count = 3, .invert = true, .pattern = {0xA5, 0x5A, 0x00, 0xFF}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(c->cdb), "48010000000000000800");
  EXPECT_EQ(Hex(c->parameters), "83000004a55a00ff");
  EXPECT_FALSE(BuildSanitize(SanitizeServiceAction::kOverwrite, true, false, {.count = 0}).ok());
  EXPECT_FALSE(BuildSanitize(SanitizeServiceAction::kOverwrite, true, false, {.count = 32}).ok());
  EXPECT_FALSE(
      BuildSanitize(SanitizeServiceAction::kOverwrite, true, false, {.pattern = {}}).ok());
}

TEST(ScsiCommandsTest, SanitizeExitFailureMode) {
  auto c = BuildSanitize(SanitizeServiceAction::kExitFailureMode, false, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(c->cdb), "481f0000000000000000");
}

TEST(ScsiCommandsTest, RequestSense) {
  EXPECT_EQ(Hex(BuildRequestSense(252, true)), "03010000fc00");
  EXPECT_EQ(Hex(BuildRequestSense(252, false)), "03000000fc00");
}

TEST(ScsiCommandsTest, ReportSupportedOpcodeForSanitize) {
  // MAINTENANCE IN A3h / 0Ch, REPORTING OPTIONS 010b, opcode 48h, SA 0002h,
  // ALLOCATION LENGTH 0000_0040h.
  EXPECT_EQ(Hex(BuildReportSupportedOpcode(0x48, 0x02, 64)), "a30c02480002000000400000");
  const std::vector<uint8_t> supported = {0x00, 0x03, 0x00, 0x0A};
  auto s = ParseOneCommandSupport(supported);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(SupportMeansSupported(*s));
  const std::vector<uint8_t> unsupported = {0x00, 0x01};
  EXPECT_FALSE(SupportMeansSupported(*ParseOneCommandSupport(unsupported)));
}

TEST(ScsiCommandsTest, FixedSenseProgress) {
  // NOT READY, 04h/1Bh SANITIZE IN PROGRESS, SKSV with progress 8000h.
  const std::vector<uint8_t> sense = {0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0,
                                      0, 0, 0x04, 0x1B, 0, 0x80, 0x80, 0x00};
  auto s = ParseSense(sense);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->key, kKeyNotReady);
  EXPECT_TRUE(SanitizeInProgress(*s));
  ASSERT_TRUE(s->progress.has_value());
  EXPECT_EQ(*s->progress, 0x8000);
  EXPECT_EQ(DescribeSense(*s), "NOT READY, ASC/ASCQ 04h/1Bh (sanitize in progress)");
}

TEST(ScsiCommandsTest, DescriptorSenseProgressAndFailure) {
  // Descriptor sense with a sense-key specific descriptor (02h, length 06h).
  const std::vector<uint8_t> sense = {0x72, 0x02, 0x04, 0x1B, 0, 0, 0, 0x08,
                                      0x02, 0x06, 0, 0, 0x80, 0x40, 0x00, 0};
  auto s = ParseSense(sense);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->progress.has_value());
  EXPECT_EQ(*s->progress, 0x4000);
  const std::vector<uint8_t> failed = {0x72, 0x03, 0x31, 0x03, 0, 0, 0, 0};
  s = ParseSense(failed);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(SanitizeFailed(*s));
  EXPECT_FALSE(s->progress.has_value());
  // A progress field is ignored with other sense keys (SPC-5).
  const std::vector<uint8_t> medium = {0x70, 0, 0x03, 0, 0, 0, 0, 0x0A, 0, 0,
                                       0, 0, 0x31, 0x03, 0, 0x80, 0x80, 0x00};
  EXPECT_FALSE(ParseSense(medium)->progress.has_value());
  EXPECT_FALSE(ParseSense(std::vector<uint8_t>{0x70, 0, 2}).ok());
}

}  // namespace
}  // namespace custody::purge::scsi
