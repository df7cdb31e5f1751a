// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// NVMe admin commands against the layouts of the NVM Express Base
// Specification 2.0 and the NVM Command Set Specification 1.0. The expected
// bytes are written out by hand from the specification's field tables, not
// computed with the code under test.
#include "purge/nvme_commands.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/encoding.h"

namespace custody::purge::nvme {
namespace {

std::string Hex(const std::array<uint8_t, 64>& e) {
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(e.data()), e.size()));
}

// 64-byte SQE: opcode, NSID at 4, CDW10..15 at 40..63 (little-endian).
std::string Sqe(const std::string& opcode, const std::string& nsid, const std::string& cdw10to15) {
  return opcode + "000000" + nsid + std::string(2 * 32, '0') + cdw10to15;
}
const std::string kZeroDw = "00000000";

TEST(NvmeCommandsTest, IdentifyController) {
  // CNS 01h in CDW10 bits 7:0, NSID 0.
  EXPECT_EQ(Hex(SubmissionEntry(BuildIdentify(kCnsController, 0))),
            Sqe("06", "00000000", "01000000" + kZeroDw + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
}

TEST(NvmeCommandsTest, IdentifyNamespace) {
  EXPECT_EQ(Hex(SubmissionEntry(BuildIdentify(kCnsNamespace, 1))),
            Sqe("06", "01000000", std::string(48, '0')));
}

TEST(NvmeCommandsTest, GetLogPageSanitizeStatus) {
  // 512 bytes = 128 dwords, NUMD zero-based = 127 = 7Fh in NUMDL (CDW10 31:16);
  // LID 81h in bits 7:0; RAE bit 15.
  auto c = BuildGetLogPage(kLidSanitizeStatus, kNsidAll, 512, 0, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("02", "ffffffff", "81007f00" + kZeroDw + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
  c = BuildGetLogPage(kLidSanitizeStatus, kNsidAll, 512, 0, true);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cdw[0], 0x007F8081u);
}

TEST(NvmeCommandsTest, GetLogPageSplitsNumdAndOffset) {
  // 0x20000 dwords: NUMD = 1FFFFh -> NUMDL FFFFh, NUMDU 0001h (CDW11 15:0).
  // Offset 1_0000_0004h -> LPOL 4 (CDW12), LPOU 1 (CDW13).
  auto c = BuildGetLogPage(0x02, kNsidAll, 4 * 0x20000, 0x100000004ull, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("02", "ffffffff", "0200ffff" "01000000" "04000000" "01000000" + kZeroDw + kZeroDw));
  EXPECT_FALSE(BuildGetLogPage(0x81, 0, 0, 0, false).ok());
  EXPECT_FALSE(BuildGetLogPage(0x81, 0, 510, 0, false).ok());
  EXPECT_FALSE(BuildGetLogPage(0x81, 0, 512, 2, false).ok());
}

TEST(NvmeCommandsTest, SanitizeBlockEraseNoDeallocate) {
  // SANACT 010b, NDAS bit 9: CDW10 = 0000_0202h; NSID unused (0).
  auto c = BuildSanitize({.action = SanitizeAction::kBlockErase, .no_deallocate = true});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("84", "00000000", "02020000" + kZeroDw + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
}

TEST(NvmeCommandsTest, SanitizeCryptoErase) {
  auto c = BuildSanitize({.action = SanitizeAction::kCryptoErase});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->opcode, 0x84);
  EXPECT_EQ(c->cdw[0], 0x4u);  // SANACT 100b, AUSE 0 (restricted), NDAS 0.
  EXPECT_EQ(c->cdw[1], 0u);
}

TEST(NvmeCommandsTest, SanitizeOverwriteFields) {
  // SANACT 011b | AUSE bit 3 | OWPASS 3 in bits 7:4 | OIPBP bit 8 = 13Bh;
  // OVRPAT DEADBEEFh in CDW11.
  auto c = BuildSanitize({.action = SanitizeAction::kOverwrite,
                          .allow_unrestricted_exit = true,
                          .overwrite_passes = 3,
                          .invert_between_passes = true,
                          .overwrite_pattern = 0xDEADBEEF});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("84", "00000000", "3b010000" "efbeadde" + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
  // 16 passes are encoded as OWPASS 0h.
  c = BuildSanitize({.action = SanitizeAction::kOverwrite, .overwrite_passes = 16});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cdw[0], 0x3u);
  EXPECT_FALSE(BuildSanitize({.action = SanitizeAction::kOverwrite, .overwrite_passes = 0}).ok());
  EXPECT_FALSE(BuildSanitize({.action = SanitizeAction::kOverwrite, .overwrite_passes = 17}).ok());
  // Overwrite-only fields are not sent with other actions.
  c = BuildSanitize({.action = SanitizeAction::kBlockErase, .overwrite_passes = 5,
                     .invert_between_passes = true, .overwrite_pattern = 7});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cdw[0], 0x2u);
  EXPECT_EQ(c->cdw[1], 0u);
}

TEST(NvmeCommandsTest, SanitizeExitFailureMode) {
  auto c = BuildSanitize({.action = SanitizeAction::kExitFailureMode});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cdw[0], 0x1u);
}

TEST(NvmeCommandsTest, FormatNvmFields) {
  // LBAF 19 = 13h: lower 3h in bits 3:0, upper 1h in bits 13:12; MSET bit 4;
  // PI 001b in 7:5; PIL bit 8; SES 010b in 11:9 -> 0000_1533h.
  auto c = BuildFormatNvm({.nsid = 1, .lba_format = 19, .metadata_extended = true,
                           .protection_type = 1, .protection_first = true,
                           .ses = SecureErase::kCrypto});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("80", "01000000", "33150000" + kZeroDw + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
  // User Data Erase, format 0, broadcast NSID: SES 001b -> 200h.
  c = BuildFormatNvm({.nsid = kNsidAll, .ses = SecureErase::kUserData});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Hex(SubmissionEntry(*c)),
            Sqe("80", "ffffffff", "00020000" + kZeroDw + kZeroDw + kZeroDw + kZeroDw + kZeroDw));
  EXPECT_FALSE(BuildFormatNvm({.lba_format = 64}).ok());
  EXPECT_FALSE(BuildFormatNvm({.protection_type = 8}).ok());
}

std::vector<uint8_t> Page(size_t n) { return std::vector<uint8_t>(n, 0); }

TEST(NvmeCommandsTest, ParseIdentifyControllerOffsets) {
  auto d = Page(kIdentifySize);
  d[0] = 0x36; d[1] = 0x1b;  // VID 1B36h (QEMU).
  const std::string sn = "SERIAL-0001         ", mn = "custody test model", fr = "7.2.0   ";
  std::copy(sn.begin(), sn.end(), d.begin() + 4);
  std::fill(d.begin() + 24, d.begin() + 64, ' ');
  std::copy(mn.begin(), mn.end(), d.begin() + 24);
  std::copy(fr.begin(), fr.end(), d.begin() + 64);
  d[256] = 0x02;  // OACS: Format NVM supported.
  d[328] = 0x07; d[331] = 0x20;  // SANICAP: CES, BES, OWS; NDI (bit 29).
  d[516] = 0x01;  // NN = 1.
  d[524] = 0x05;  // FNA: format all namespaces, crypto erase supported.
  auto id = ParseIdentifyController(d);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->vid, 0x1B36);
  EXPECT_EQ(id->serial, "SERIAL-0001");
  EXPECT_EQ(id->model, "custody test model");
  EXPECT_EQ(id->firmware, "7.2.0");
  EXPECT_TRUE(id->format_supported());
  EXPECT_EQ(id->sanicap, 0x20000007u);
  EXPECT_TRUE(id->sanitize_crypto_erase());
  EXPECT_TRUE(id->sanitize_block_erase());
  EXPECT_TRUE(id->sanitize_overwrite());
  EXPECT_TRUE(id->no_deallocate_inhibited());
  EXPECT_EQ(id->nn, 1u);
  EXPECT_TRUE(id->format_applies_to_all());
  EXPECT_FALSE(id->secure_erase_applies_to_all());
  EXPECT_TRUE(id->format_crypto_erase());
  EXPECT_FALSE(ParseIdentifyController(Page(4095)).ok());
}

TEST(NvmeCommandsTest, ParseIdentifyNamespaceAndKeepLayout) {
  auto d = Page(kIdentifySize);
  d[0] = 0x00; d[1] = 0x00; d[2] = 0x01;  // NSZE = 10000h blocks.
  d[8 + 2] = 0x01;                        // NCAP.
  d[25] = 1;                              // NLBAF: two formats.
  d[26] = 0x11;                           // FLBAS: format 1, metadata extended.
  d[29] = 0x09;                           // DPS: PI type 1, first eight bytes.
  d[128 + 2] = 9;                         // Format 0: 512-byte blocks.
  d[132] = 8; d[132 + 2] = 12;            // Format 1: MS 8, 4096-byte blocks.
  auto ns = ParseIdentifyNamespace(d);
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(ns->size_blocks, 0x10000u);
  EXPECT_EQ(ns->current_format(), 1);
  EXPECT_EQ(ns->block_size(), 4096u);
  FormatParams p = FormatKeepingLayout(*ns, 1, SecureErase::kUserData);
  auto c = BuildFormatNvm(p);
  ASSERT_TRUE(c.ok());
  // LBAF 1 | MSET | PI 1 << 5 | PIL | SES 1 << 9 = 0000_0331h.
  EXPECT_EQ(c->cdw[0], 0x331u);
  d[26] = 0x05;  // FLBAS names format 5 but NLBAF says two formats.
  EXPECT_EQ(ParseIdentifyNamespace(d).status().code(), StatusCode::kCorruption);
}

TEST(NvmeCommandsTest, ParseSanitizeStatusLog) {
  auto d = Page(kSanitizeLogSize);
  d[0] = 0x00; d[1] = 0x80;          // SPROG 8000h: half done.
  d[2] = 0x0A; d[3] = 0x01;          // SSTAT: in progress (010b), 1 pass (bits 7:3), GDE.
  d[4] = 0x02; d[5] = 0x02;          // SCDW10 202h.
  d[12] = 0x3C;                      // Block erase estimate: 60 s.
  d[24] = 0x78;                      // Block erase with no-deallocate: 120 s.
  for (int i = 16; i < 20; ++i) d[i] = 0xFF;  // Crypto erase: no estimate.
  auto log = ParseSanitizeStatusLog(d);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->sprog, 0x8000);
  EXPECT_EQ(log->status(), SanitizeStatus::kInProgress);
  EXPECT_EQ(log->overwrite_passes_done(), 1);
  EXPECT_TRUE(log->global_data_erased());
  EXPECT_EQ(log->scdw10, 0x202u);
  EXPECT_EQ(log->EstimateFor(SanitizeAction::kBlockErase, false), 60u);
  EXPECT_EQ(log->EstimateFor(SanitizeAction::kBlockErase, true), 120u);
  EXPECT_EQ(log->EstimateFor(SanitizeAction::kCryptoErase, false), 0xFFFFFFFFu);
  EXPECT_FALSE(ParseSanitizeStatusLog(Page(31)).ok());
}

TEST(NvmeCommandsTest, DescribeCompletion) {
  EXPECT_EQ(DescribeCompletion({0x4001, 0}), "Invalid Command Opcode (SCT 0h, SC 01h, do not retry)");
  EXPECT_EQ(DescribeCompletion({0x001D, 0}), "Sanitize In Progress (SCT 0h, SC 1Dh)");
  EXPECT_EQ(DescribeCompletion({0x010A, 0}), "Invalid Format (SCT 1h, SC 0Ah)");
  EXPECT_TRUE((NvmeCompletion{0x2000, 0}.ok()));  // The More bit alone is not a failure.
}

}  // namespace
}  // namespace custody::purge::nvme
