// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "purge/ata_commands.h"

#include <algorithm>

#include "purge/bytes.h"

namespace custody::purge::ata {
namespace {

// DEVICE bit 6 (LBA) set as hdparm does; ACS-3 marks it N/A or obsolete for
// these commands, so drives ignore it, and some SATLs expect it.
constexpr uint8_t kDeviceLba = 0x40;

Taskfile NonData(uint8_t command, uint16_t feature, uint64_t lba, uint16_t count, bool extend) {
  Taskfile tf;
  tf.command = command;
  tf.feature = feature;
  tf.lba = lba;
  tf.count = count;
  tf.extend = extend;
  tf.device = kDeviceLba;
  tf.protocol = Protocol::kNonData;
  return tf;
}

Taskfile PioOut(uint8_t command) {
  Taskfile tf = NonData(command, 0, 0, 1, false);  // COUNT = 1 block of data.
  tf.protocol = Protocol::kPioDataOut;
  return tf;
}

std::string AtaString(std::span<const uint8_t> d, int first_word, int words) {
  // ATA strings hold the first character of each pair in the high byte.
  std::string s;
  for (int w = first_word; w < first_word + words; ++w) {
    s.push_back(static_cast<char>(d[2 * w + 1]));
    s.push_back(static_cast<char>(d[2 * w]));
  }
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \0", std::string::npos, 2);
  return s.substr(first, last - first + 1);
}

// Words 89/90: bit 15 set = extended format (bits 14:0), else bits 7:0;
// units of 2 minutes; 0 = not reported; 255 in the short form = over 508.
void EraseTime(uint16_t word, uint32_t* minutes, bool* at_least) {
  if (word & 0x8000) {
    *minutes = 2u * (word & 0x7FFF);
  } else {
    *minutes = 2u * (word & 0xFF);
    *at_least = (word & 0xFF) == 0xFF;
  }
}

}  // namespace

std::array<uint8_t, 16> BuildPassThrough16(const Taskfile& tf) {
  std::array<uint8_t, 16> cdb{};
  cdb[0] = kOpAtaPassThrough16;
  cdb[1] = static_cast<uint8_t>(static_cast<uint8_t>(tf.protocol) << 1) | (tf.extend ? 1 : 0);
  uint8_t flags = tf.check_condition ? 0x20 : 0;  // CK_COND, bit 5.
  if (tf.protocol != Protocol::kNonData) {
    flags |= 0x02 | 0x04;  // T_LENGTH = 10b (length in COUNT), BYTE_BLOCK = 1 (blocks).
    if (tf.protocol == Protocol::kPioDataIn) flags |= 0x08;  // T_DIR: from the device.
  }
  cdb[2] = flags;
  if (tf.extend) {  // Upper bytes only mean something for 48-bit commands.
    cdb[3] = tf.feature >> 8;
    cdb[5] = tf.count >> 8;
    cdb[7] = (tf.lba >> 24) & 0xFF;
    cdb[9] = (tf.lba >> 32) & 0xFF;
    cdb[11] = (tf.lba >> 40) & 0xFF;
  }
  cdb[4] = tf.feature & 0xFF;
  cdb[6] = tf.count & 0xFF;
  cdb[8] = tf.lba & 0xFF;
  cdb[10] = (tf.lba >> 8) & 0xFF;
  cdb[12] = (tf.lba >> 16) & 0xFF;
  cdb[13] = tf.device;
  cdb[14] = tf.command;
  return cdb;
}

Taskfile IdentifyDevice() {
  Taskfile tf = NonData(kCmdIdentifyDevice, 0, 0, 1, false);
  tf.protocol = Protocol::kPioDataIn;
  return tf;
}

Taskfile SanitizeStatus(bool clear_failure) {
  Taskfile tf = NonData(kCmdSanitizeDevice, kSanitizeStatusExt, 0, clear_failure ? 0x1 : 0, true);
  tf.check_condition = true;  // The answer is in the returned registers.
  return tf;
}

// FAILURE MODE (COUNT bit 4) stays 0: a failed sanitize then keeps the drive
// in the Sanitize Operation Failed state until a sanitize succeeds, so the
// user data never becomes readable again after a half-done erase.
Taskfile SanitizeCryptoScramble() {
  return NonData(kCmdSanitizeDevice, kSanitizeCryptoScrambleExt, kCryptoScrambleSignature, 0, true);
}

Taskfile SanitizeBlockErase() {
  return NonData(kCmdSanitizeDevice, kSanitizeBlockEraseExt, kBlockEraseSignature, 0, true);
}

Result<Taskfile> SanitizeOverwrite(uint32_t pattern, uint8_t passes, bool invert_between_passes) {
  if (passes < 1 || passes > 16) return InvalidArgumentError("ATA overwrite takes 1 to 16 passes");
  const uint16_t count = (passes & 0xF) | (invert_between_passes ? 0x80 : 0);
  return NonData(kCmdSanitizeDevice, kSanitizeOverwriteExt,
                 (static_cast<uint64_t>(kOverwriteSignature) << 32) | pattern, count, true);
}

Taskfile SecuritySetPassword() { return PioOut(kCmdSecuritySetPassword); }
Taskfile SecurityUnlock() { return PioOut(kCmdSecurityUnlock); }
Taskfile SecurityErasePrepare() { return NonData(kCmdSecurityErasePrepare, 0, 0, 0, false); }
Taskfile SecurityEraseUnit() { return PioOut(kCmdSecurityEraseUnit); }
Taskfile SecurityDisablePassword() { return PioOut(kCmdSecurityDisablePassword); }

Result<std::array<uint8_t, kSectorSize>> SecurityDataBlock(PasswordIdentifier who,
                                                           std::span<const uint8_t> password,
                                                           bool enhanced_erase,
                                                           bool maximum_security) {
  if (password.empty() || password.size() > 32) {
    return InvalidArgumentError("an ATA password is 1 to 32 bytes");
  }
  std::array<uint8_t, kSectorSize> block{};
  block[0] = (who == PasswordIdentifier::kMaster ? 0x01 : 0) | (enhanced_erase ? 0x02 : 0);
  block[1] = maximum_security ? 0x01 : 0;  // Word 0 bit 8.
  // Bytes are copied as given (as hdparm does): SET, ERASE UNIT and DISABLE
  // all use this function, so the drive sees the same 32 bytes each time.
  for (size_t i = 0; i < password.size(); ++i) block[2 + i] = password[i];
  return block;
}

Result<Registers> ParseReturnedRegisters(std::span<const uint8_t> sense) {
  if (sense.size() < 8) return TruncatedError("no sense data with the ATA registers");
  const uint8_t response = sense[0] & 0x7F;
  Registers r;
  if (response == 0x72 || response == 0x73) {
    const size_t end = std::min<size_t>(sense.size(), 8u + sense[7]);
    for (size_t at = 8; at + 2 <= end; at += 2 + sense[at + 1]) {
      if (sense[at] != 0x09) continue;  // ATA Status Return descriptor.
      if (sense[at + 1] < 0x0C || at + 14 > end) break;
      std::span<const uint8_t> d = sense.subspan(at, 14);
      r.extend = d[2] & 0x1;
      r.error = d[3];
      r.count = static_cast<uint16_t>((d[4] << 8) | d[5]);
      r.lba = static_cast<uint64_t>(d[7]) | (static_cast<uint64_t>(d[9]) << 8) |
              (static_cast<uint64_t>(d[11]) << 16) | (static_cast<uint64_t>(d[6]) << 24) |
              (static_cast<uint64_t>(d[8]) << 32) | (static_cast<uint64_t>(d[10]) << 40);
      r.device = d[12];
      r.status = d[13];
      return r;
    }
    return CorruptionError("descriptor sense data without an ATA Status Return descriptor");
  }
  if ((response == 0x70 || response == 0x71) && !(sense[0] & 0x80)) {
    // Linux libata before 6.10 wrote the SAT fields eight bytes into the
    // sense data instead of into INFORMATION (byte 3) and left VALID clear:
    // ERROR, STATUS, DEVICE, COUNT 7:0 at bytes 8-11, the flags at 16 and
    // LBA 7:0.. at 17-19, past the 18 bytes it reports. Seen on Debian 12's
    // 6.1 kernel (tests/purge/nvme_qemu_device_test.cc).
    if (sense.size() < 12) return TruncatedError("fixed-format sense data too short");
    r.error = sense[8];
    r.status = sense[9];
    r.device = sense[10];
    r.count = sense[11];
    r.extend = sense.size() > 16 && (sense[16] & 0x80);
    if (sense.size() >= 20) {
      r.lba = sense[17] | (sense[18] << 8) | (static_cast<uint32_t>(sense[19]) << 16);
      r.complete = !r.extend || (sense[16] & 0x60) == 0;
    } else {
      r.complete = false;  // The LBA bytes were cut off.
    }
    r.fixed_format = true;
    return r;
  }
  if (response == 0x70 || response == 0x71) {
    if (sense.size() < 12) return TruncatedError("fixed-format sense data too short");
    // SAT fixed format (VALID set): INFORMATION = ERROR, STATUS, DEVICE,
    // COUNT 7:0; COMMAND-SPECIFIC INFORMATION = flags, LBA 7:0, 15:8, 23:16.
    r.error = sense[3];
    r.status = sense[4];
    r.device = sense[5];
    r.count = sense[6];
    r.extend = sense[8] & 0x80;
    r.complete = (sense[8] & 0x60) == 0;  // COUNT/LBA UPPER NONZERO: bits are lost.
    r.fixed_format = true;
    r.lba = sense[9] | (sense[10] << 8) | (static_cast<uint32_t>(sense[11]) << 16);
    return r;
  }
  return CorruptionError("unknown sense data response code");
}

SanitizeState DecodeSanitizeState(const Registers& r) {
  SanitizeState s;
  s.completed_without_error = r.count & 0x8000;
  s.in_progress = r.count & 0x4000;
  s.frozen = r.count & 0x2000;
  s.antifreeze = r.count & 0x1000;
  s.progress = r.lba & 0xFFFF;
  return s;
}

std::string_view SanitizeErrorReason(const Registers& r) {
  switch (r.lba & 0xFF) {
    case 1: return "the last sanitize operation failed (Sanitize Operation Failed state)";
    case 2: return "the sanitize subcommand is not supported";
    case 3: return "sanitize is frozen (SANITIZE FREEZE LOCK)";
    case 4: return "SANITIZE ANTIFREEZE LOCK is set";
    default: return "no reason given";
  }
}

Result<Identity> ParseIdentifyDevice(std::span<const uint8_t> d) {
  if (d.size() != kSectorSize) return TruncatedError("IDENTIFY DEVICE data is 512 bytes");
  auto w = [&](int word) { return Le16(d, 2 * word); };
  Identity id;
  if ((w(255) & 0xFF) == 0xA5) {  // Integrity word: the bytes sum to 0 mod 256.
    id.checksum_present = true;
    uint8_t sum = 0;
    for (uint8_t b : d) sum += b;
    if (sum != 0) return CorruptionError("IDENTIFY DEVICE data fails its checksum (word 255)");
  }
  id.serial = AtaString(d, 10, 10);
  id.firmware = AtaString(d, 23, 4);
  id.model = AtaString(d, 27, 20);
  const bool lba48 = (w(83) & 0xC000) == 0x4000 && (w(83) & (1 << 10));
  id.sectors = lba48 ? Le64(d, 200) : Le32(d, 120);  // Words 100-103, else 60-61.

  const uint16_t w82 = w(82), w128 = w(128);
  const bool w82_valid = w82 != 0 && w82 != 0xFFFF;
  id.security.supported = (w128 & 0x1) || (w82_valid && (w82 & 0x2));
  id.security.enabled = w128 & 0x2;
  id.security.locked = w128 & 0x4;
  id.security.frozen = w128 & 0x8;
  id.security.count_expired = w128 & 0x10;
  id.security.enhanced_erase_supported = w128 & 0x20;
  id.security.maximum_level = w128 & 0x100;
  EraseTime(w(89), &id.normal_erase_minutes, &id.normal_erase_at_least);
  EraseTime(w(90), &id.enhanced_erase_minutes, &id.enhanced_erase_at_least);

  const uint16_t w59 = w(59);
  id.sanitize.supported = w59 & 0x1000;
  id.sanitize.crypto_scramble = id.sanitize.supported && (w59 & 0x2000);
  id.sanitize.overwrite = id.sanitize.supported && (w59 & 0x4000);
  id.sanitize.block_erase = id.sanitize.supported && (w59 & 0x8000);
  id.sanitize.antifreeze = id.sanitize.supported && (w59 & 0x0400);
  return id;
}

}  // namespace custody::purge::ata
