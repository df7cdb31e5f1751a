// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ATA commands custody sends to purge a SATA drive, wrapped in the SCSI
// ATA PASS-THROUGH(16) command (SAT-3, opcode 85h) that Linux's libata and
// USB bridges translate. Command layouts follow ACS-3: SANITIZE DEVICE (B4h),
// the Security feature set (F1h-F6h) and IDENTIFY DEVICE (ECh and its data
// words). Checked byte by byte in
// tests/purge/ata_commands_test.cc.
#ifndef CUSTODY_SRC_PURGE_ATA_COMMANDS_H_
#define CUSTODY_SRC_PURGE_ATA_COMMANDS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "custody/status.h"

namespace custody::purge::ata {

constexpr uint8_t kOpAtaPassThrough16 = 0x85;
constexpr uint8_t kCmdIdentifyDevice = 0xEC;
constexpr uint8_t kCmdSanitizeDevice = 0xB4;
constexpr uint8_t kCmdSecuritySetPassword = 0xF1;
constexpr uint8_t kCmdSecurityUnlock = 0xF2;
constexpr uint8_t kCmdSecurityErasePrepare = 0xF3;
constexpr uint8_t kCmdSecurityEraseUnit = 0xF4;
constexpr uint8_t kCmdSecurityDisablePassword = 0xF6;

// SANITIZE DEVICE subcommands (FEATURE field) and the LBA-field signatures
// ACS-3 requires so that a stray command cannot start an erase.
constexpr uint16_t kSanitizeStatusExt = 0x0000;
constexpr uint16_t kSanitizeCryptoScrambleExt = 0x0011;
constexpr uint16_t kSanitizeBlockEraseExt = 0x0012;
constexpr uint16_t kSanitizeOverwriteExt = 0x0014;
constexpr uint32_t kCryptoScrambleSignature = 0x43727970;  // "Cryp"
constexpr uint32_t kBlockEraseSignature = 0x426B4572;      // "BkEr"
constexpr uint16_t kOverwriteSignature = 0x4F57;           // "OW", LBA 47:32

constexpr size_t kSectorSize = 512;

enum class Protocol : uint8_t { kNonData = 3, kPioDataIn = 4, kPioDataOut = 5 };

// The ATA registers of one command (48-bit form; 28-bit commands leave the
// upper halves zero).
struct Taskfile {
  uint16_t feature = 0;
  uint16_t count = 0;
  uint64_t lba = 0;  // 48 bits.
  uint8_t device = 0;
  uint8_t command = 0;
  bool extend = false;  // 48-bit (EXT) command.
  Protocol protocol = Protocol::kNonData;
  // CK_COND: return the registers in sense data even on success (needed to
  // read SANITIZE STATUS EXT's output).
  bool check_condition = false;
};

// The 16-byte CDB. PIO transfers are one 512-byte block counted in the
// COUNT field (T_LENGTH=10b, BYTE_BLOCK=1).
std::array<uint8_t, 16> BuildPassThrough16(const Taskfile& tf);

Taskfile IdentifyDevice();
Taskfile SanitizeStatus(bool clear_failure);
Taskfile SanitizeCryptoScramble();
Taskfile SanitizeBlockErase();
// passes 1..16 (16 encodes as 0); the pattern fills LBA 31:0.
Result<Taskfile> SanitizeOverwrite(uint32_t pattern, uint8_t passes, bool invert_between_passes);
Taskfile SecuritySetPassword();
Taskfile SecurityUnlock();
Taskfile SecurityErasePrepare();
Taskfile SecurityEraseUnit();
Taskfile SecurityDisablePassword();

// The 512-byte data-out block of the security commands (ACS-3, SECURITY
// SET PASSWORD / UNLOCK / ERASE UNIT / DISABLE PASSWORD): word 0 bit 0 identifier (0 user, 1 master), bit 1
// enhanced erase (ERASE UNIT), bit 8 master password capability (SET
// PASSWORD: 0 high, 1 maximum); words 1-16 the password, zero-padded.
enum class PasswordIdentifier { kUser, kMaster };
Result<std::array<uint8_t, kSectorSize>> SecurityDataBlock(PasswordIdentifier who,
                                                           std::span<const uint8_t> password,
                                                           bool enhanced_erase = false,
                                                           bool maximum_security = false);

// Registers returned by the device in sense data: the ATA Status Return
// descriptor (09h) of descriptor-format sense, or the SAT fixed-format
// mapping, which loses COUNT 15:8 and LBA 47:24 (`complete` false then),
// or the misplaced fixed format of Linux libata before 6.10. Whether the
// command succeeded is the sense key's to say (RECOVERED ERROR with
// 00h/1Dh), not these registers'.
struct Registers {
  uint8_t error = 0;
  uint8_t status = 0;
  uint8_t device = 0;
  uint16_t count = 0;
  uint64_t lba = 0;
  bool extend = false;
  bool complete = true;      // False when the fixed format dropped non-zero upper bits.
  bool fixed_format = false; // Upper bits are zero or lost; either way not reported.
};
Result<Registers> ParseReturnedRegisters(std::span<const uint8_t> sense);

// SANITIZE STATUS EXT normal output (ACS-3): COUNT bit 15 the
// last sanitize completed without error, 14 in progress, 13 frozen, 12
// antifreeze; LBA 15:0 progress as n/65536.
struct SanitizeState {
  bool completed_without_error = false;
  bool in_progress = false;
  bool frozen = false;
  bool antifreeze = false;
  uint16_t progress = 0;
};
SanitizeState DecodeSanitizeState(const Registers& r);
// SANITIZE DEVICE error output: the SANITIZE DEVICE ERROR REASON in LBA 7:0.
std::string_view SanitizeErrorReason(const Registers& r);

struct Identity {
  std::string model, serial, firmware;
  uint64_t sectors = 0;  // User-addressable sectors (LBA48 if supported).
  struct {
    bool supported = false, enabled = false, locked = false, frozen = false;
    bool count_expired = false, enhanced_erase_supported = false;
    bool maximum_level = false;  // Master Password Capability.
  } security;  // Word 128 (and word 82 bit 1).
  // Words 89/90 in minutes; 0 when not reported. `*_at_least` when the
  // short format saturated (255: "more than 508 minutes").
  uint32_t normal_erase_minutes = 0, enhanced_erase_minutes = 0;
  bool normal_erase_at_least = false, enhanced_erase_at_least = false;
  struct {
    bool supported = false, crypto_scramble = false, block_erase = false, overwrite = false;
    bool antifreeze = false;
  } sanitize;  // Word 59 bits 12-15 and 10.
  bool checksum_present = false;
};
// kCorruption when word 255 carries the A5h signature and the checksum
// does not add up: a garbled IDENTIFY must not steer an erase.
Result<Identity> ParseIdentifyDevice(std::span<const uint8_t> data);

}  // namespace custody::purge::ata

#endif  // CUSTODY_SRC_PURGE_ATA_COMMANDS_H_
