// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ATA PASS-THROUGH(16) CDBs (SAT-3) for the ACS-3 commands custody sends,
// written out by hand from the field tables:
//   byte 0 85h; 1 PROTOCOL 4:1, EXTEND 0; 2 CK_COND 5, T_DIR 3, BYTE_BLOCK 2,
//   T_LENGTH 1:0; 3/4 FEATURE 15:8/7:0; 5/6 COUNT; 7 LBA 31:24; 8 LBA 7:0;
//   9 LBA 39:32; 10 LBA 15:8; 11 LBA 47:40; 12 LBA 23:16; 13 DEVICE;
//   14 COMMAND; 15 CONTROL.
#include "purge/ata_commands.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/encoding.h"

namespace custody::purge::ata {
namespace {

std::string Cdb(const Taskfile& tf) {
  auto c = BuildPassThrough16(tf);
  return encoding::HexEncode(std::string_view(reinterpret_cast<const char*>(c.data()), c.size()));
}

TEST(AtaCommandsTest, IdentifyDevice) {
  // PIO Data-In (4 << 1 = 08h), 28-bit; T_DIR | BYTE_BLOCK | T_LENGTH=10b = 0Eh; COUNT 1.
  EXPECT_EQ(Cdb(IdentifyDevice()), "85080e0000000100000000000040ec00");
}

TEST(AtaCommandsTest, SanitizeCryptoScrambleSignature) {
  // Non-data (3 << 1) | EXTEND = 07h; FEATURE 0011h; LBA 0000_4372_7970h
  // ("Cryp"): 31:24 43h, 7:0 70h, 39:32 00, 15:8 79h, 47:40 00, 23:16 72h.
  EXPECT_EQ(Cdb(SanitizeCryptoScramble()), "8507000011000043700079007240b400");
}

TEST(AtaCommandsTest, SanitizeBlockEraseSignature) {
  // FEATURE 0012h; LBA 426B_4572h ("BkEr").
  EXPECT_EQ(Cdb(SanitizeBlockErase()), "8507000012000042720045006b40b400");
}

TEST(AtaCommandsTest, SanitizeOverwriteSignatureAndCount) {
  // FEATURE 0014h; LBA 47:32 = 4F57h ("OW"), 31:0 = pattern 1122_3344h;
  // COUNT: INVERT bit 7 | 2 passes = 82h; FAILURE MODE (bit 4) 0.
  auto tf = SanitizeOverwrite(0x11223344, 2, true);
  ASSERT_TRUE(tf.ok());
  EXPECT_EQ(Cdb(*tf), "85070000140082114457334f2240b400");
  tf = SanitizeOverwrite(0, 16, false);  // 16 passes encode as 0.
  ASSERT_TRUE(tf.ok());
  EXPECT_EQ(tf->count, 0);
  EXPECT_FALSE(SanitizeOverwrite(0, 0, false).ok());
  EXPECT_FALSE(SanitizeOverwrite(0, 17, false).ok());
}

TEST(AtaCommandsTest, SanitizeStatusAsksForRegisters) {
  // CK_COND (byte 2 bit 5) so the output registers come back; FEATURE 0000h.
  EXPECT_EQ(Cdb(SanitizeStatus(false)), "8507200000000000000000000040b400");
  // CLEAR SANITIZE OPERATION FAILED: COUNT bit 0.
  EXPECT_EQ(Cdb(SanitizeStatus(true)), "8507200000000100000000000040b400");
}

TEST(AtaCommandsTest, SecurityCommands) {
  // PIO Data-Out (5 << 1 = 0Ah), 28-bit; BYTE_BLOCK | T_LENGTH=10b, T_DIR 0 = 06h; COUNT 1.
  EXPECT_EQ(Cdb(SecuritySetPassword()), "850a060000000100000000000040f100");
  EXPECT_EQ(Cdb(SecurityUnlock()), "850a060000000100000000000040f200");
  EXPECT_EQ(Cdb(SecurityEraseUnit()), "850a060000000100000000000040f400");
  EXPECT_EQ(Cdb(SecurityDisablePassword()), "850a060000000100000000000040f600");
  // Non-data, 28-bit.
  EXPECT_EQ(Cdb(SecurityErasePrepare()), "8506000000000000000000000040f300");
}

TEST(AtaCommandsTest, SecurityDataBlocks) {
  const std::string pw = "custody";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(pw.data()), pw.size());
  auto b = SecurityDataBlock(PasswordIdentifier::kUser, bytes, /*enhanced_erase=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0], 0x02);  // Identifier 0 (user), enhanced bit 1.
  EXPECT_EQ((*b)[1], 0x00);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b->data() + 2), 7), "custody");
  for (size_t i = 9; i < b->size(); ++i) ASSERT_EQ((*b)[i], 0) << i;
  b = SecurityDataBlock(PasswordIdentifier::kMaster, bytes, false, /*maximum_security=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0], 0x01);  // Master.
  EXPECT_EQ((*b)[1], 0x01);  // Word 0 bit 8: maximum.
  EXPECT_FALSE(SecurityDataBlock(PasswordIdentifier::kUser, {}).ok());
  std::vector<uint8_t> long_pw(33, 'x');
  EXPECT_FALSE(SecurityDataBlock(PasswordIdentifier::kUser, long_pw).ok());
}

TEST(AtaCommandsTest, ParseDescriptorSenseRegisters) {
  // Descriptor sense, RECOVERED ERROR, ATA PASS THROUGH INFORMATION
  // AVAILABLE (00h/1Dh), ATA Status Return descriptor 09h/0Ch:
  // EXTEND, ERROR 00, COUNT 4000h, LBA 0000_0000_8000h, DEVICE 40h, STATUS 50h.
  const std::vector<uint8_t> sense = {0x72, 0x01, 0x00, 0x1D, 0, 0, 0, 0x0E,
                                      0x09, 0x0C, 0x01, 0x00, 0x40, 0x00, 0x00, 0x00,
                                      0x00, 0x80, 0x00, 0x00, 0x40, 0x50};
  auto r = ParseReturnedRegisters(sense);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->complete);
  EXPECT_FALSE(r->fixed_format);
  EXPECT_EQ(r->count, 0x4000);
  EXPECT_EQ(r->lba, 0x8000u);
  EXPECT_EQ(r->status, 0x50);
  SanitizeState s = DecodeSanitizeState(*r);
  EXPECT_TRUE(s.in_progress);
  EXPECT_FALSE(s.completed_without_error);
  EXPECT_EQ(s.progress, 0x8000);
}

TEST(AtaCommandsTest, ParseFixedSenseLosesUpperBits) {
  // SAT fixed format: ERROR, STATUS, DEVICE, COUNT(7:0) in bytes 3-6;
  // byte 8 EXTEND | COUNT UPPER NONZERO; LBA 7:0.. in 9-11.
  const std::vector<uint8_t> sense = {0xF0, 0, 0x01, 0x04, 0x51, 0x40, 0x00, 0x0A,
                                      0xC0, 0x03, 0x00, 0x00, 0x00, 0x1D};
  auto r = ParseReturnedRegisters(sense);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->complete);
  EXPECT_TRUE(r->fixed_format);
  EXPECT_EQ(r->error, 0x04);
  EXPECT_EQ(r->status, 0x51);
  EXPECT_EQ(r->lba, 3u);
  EXPECT_EQ(SanitizeErrorReason(*r), "sanitize is frozen (SANITIZE FREEZE LOCK)");
  EXPECT_FALSE(ParseReturnedRegisters(std::vector<uint8_t>{0x72, 0, 0, 0, 0, 0, 0, 0}).ok());
}

TEST(AtaCommandsTest, ParseLegacyLibataFixedSense) {
  // What Debian 12's 6.1 libata returned for an aborted SANITIZE STATUS EXT
  // (QEMU IDE): ABORTED COMMAND, VALID clear, ERROR 04h (ABRT) and STATUS
  // 41h at bytes 8-9, EXTEND at byte 16, the LBA cut off.
  const std::vector<uint8_t> sense = {0x70, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x04,
                                      0x41, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00};
  auto r = ParseReturnedRegisters(sense);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->fixed_format);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(r->error, 0x04);
  EXPECT_EQ(r->status, 0x41);
  EXPECT_EQ(r->device, 0xe0);
  EXPECT_TRUE(r->extend);
}

std::vector<uint8_t> IdentifyPage() {
  std::vector<uint8_t> d(512, 0);
  auto put_word = [&](int w, uint16_t v) { d[2 * w] = v & 0xFF; d[2 * w + 1] = v >> 8; };
  auto put_string = [&](int w, const std::string& s, int words) {
    std::string padded = s + std::string(2 * words - s.size(), ' ');
    for (int i = 0; i < words; ++i) {  // First character in the high byte.
      d[2 * (w + i)] = padded[2 * i + 1];
      d[2 * (w + i) + 1] = padded[2 * i];
    }
  };
  put_string(10, "WD-ABC123", 10);
  put_string(23, "01.01A01", 4);
  put_string(27, "CUSTODY SSD 1TB", 20);
  put_word(59, 0xF000 | 0x0400);        // Sanitize: supported, crypto, overwrite, block; antifreeze.
  put_word(82, 0x0002);                 // Security feature set supported.
  put_word(83, 0x4000 | 0x0400);        // Valid, 48-bit address feature set.
  put_word(89, 0x0005);                 // Normal erase: 10 minutes.
  put_word(90, 0x8000 | 300);           // Enhanced erase, extended format: 600 minutes.
  put_word(100, 0x6DB0); put_word(101, 0x7470);  // 7470_6DB0h sectors.
  put_word(128, 0x0029);                // Supported, frozen, enhanced supported.
  put_word(255, 0x00A5);
  uint8_t sum = 0;
  for (int i = 0; i < 511; ++i) sum += d[i];
  d[511] = static_cast<uint8_t>(-sum);
  return d;
}

TEST(AtaCommandsTest, ParseIdentifyDeviceWords) {
  auto d = IdentifyPage();
  auto id = ParseIdentifyDevice(d);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->serial, "WD-ABC123");
  EXPECT_EQ(id->firmware, "01.01A01");
  EXPECT_EQ(id->model, "CUSTODY SSD 1TB");
  EXPECT_EQ(id->sectors, 0x74706DB0u);
  EXPECT_TRUE(id->sanitize.supported);
  EXPECT_TRUE(id->sanitize.crypto_scramble);
  EXPECT_TRUE(id->sanitize.block_erase);
  EXPECT_TRUE(id->sanitize.overwrite);
  EXPECT_TRUE(id->sanitize.antifreeze);
  EXPECT_TRUE(id->security.supported);
  EXPECT_FALSE(id->security.enabled);
  EXPECT_FALSE(id->security.locked);
  EXPECT_TRUE(id->security.frozen);
  EXPECT_FALSE(id->security.count_expired);
  EXPECT_TRUE(id->security.enhanced_erase_supported);
  EXPECT_EQ(id->normal_erase_minutes, 10u);
  EXPECT_EQ(id->enhanced_erase_minutes, 600u);
  EXPECT_TRUE(id->checksum_present);
  d[40] ^= 1;  // Any flipped bit breaks the integrity word.
  EXPECT_EQ(ParseIdentifyDevice(d).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(ParseIdentifyDevice(std::vector<uint8_t>(511)).ok());
}

TEST(AtaCommandsTest, ShortEraseTimeSaturates) {
  auto d = IdentifyPage();
  d[2 * 89] = 0xFF;  // 255: "more than 508 minutes".
  d[511] = 0;
  uint8_t sum = 0;
  for (int i = 0; i < 511; ++i) sum += d[i];
  d[511] = static_cast<uint8_t>(-sum);
  auto id = ParseIdentifyDevice(d);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->normal_erase_minutes, 510u);
  EXPECT_TRUE(id->normal_erase_at_least);
}

}  // namespace
}  // namespace custody::purge::ata
