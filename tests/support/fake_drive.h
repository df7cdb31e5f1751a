// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Drive emulators for the purge tests. Each decodes the raw bytes custody
// sends (NVMe admin commands; ATA PASS-THROUGH(16) CDBs; SCSI CDBs) with its
// own reading of the specifications, runs a small state machine (sanitize in
// progress with a progress counter, sanitize failure, frozen or locked ATA
// security, a password left set, drives that lie) and erases the medium of a
// FakeBlockDevice, so the purge's sample verification reads the result.
#ifndef CUSTODY_TESTS_SUPPORT_FAKE_DRIVE_H_
#define CUSTODY_TESTS_SUPPORT_FAKE_DRIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/passthrough.h"
#include "support/fake_block_device.h"

namespace custody::testing {

// What a drive does to its medium when it erases.
enum class EraseEffect { kZeros, kOnes, kRandom, kNothing };

class FakeNvmeDrive final : public NvmeTransport {
 public:
  struct Config {
    uint32_t sanicap = 0x3;  // Crypto Erase and Block Erase.
    uint8_t fna = 0x4;       // Cryptographic erase in Format.
    uint16_t oacs = 0x2;     // Format NVM.
    bool sanitize_opcode = true;  // false: Invalid Command Opcode (QEMU 7.2).
    bool sanitize_log = true;     // false: Get Log Page 81h -> Invalid Field.
    int polls_to_finish = 4;      // Log reads a sanitize stays in progress.
    uint32_t estimate_seconds = 40;
    bool fail_sanitize = false;   // Sanitize ends in status Failed.
    bool lie = false;             // Reports success, erases nothing.
    bool never_finishes = false;
    std::string serial = "FAKENVME0001", model = "custody fake NVMe";
  };
  FakeNvmeDrive(FakeBlockDevice* medium, Config config);

  Result<NvmeCompletion> Admin(const NvmeAdminCommand& command, DataDirection direction,
                               std::span<uint8_t> data) override;

  // A sanitize started before custody came (an interrupted earlier run).
  void BeginSanitize(uint32_t cdw10);
  const std::vector<NvmeAdminCommand>& commands() const { return commands_; }
  int sanitize_commands() const;

 private:
  void FinishSanitize();
  NvmeCompletion Identify(const NvmeAdminCommand& c, std::span<uint8_t> data);
  NvmeCompletion GetLog(const NvmeAdminCommand& c, std::span<uint8_t> data);
  NvmeCompletion Sanitize(const NvmeAdminCommand& c);
  NvmeCompletion Format(const NvmeAdminCommand& c);

  FakeBlockDevice* medium_;
  Config config_;
  std::vector<NvmeAdminCommand> commands_;
  uint16_t sstat_ = 0;
  uint16_t sprog_ = 0xFFFF;
  uint32_t scdw10_ = 0;
  int polls_left_ = 0;
};

// A SATA drive behind the SCSI/ATA translation layer.
class FakeAtaDrive final : public ScsiTransport {
 public:
  struct Config {
    bool sanitize = true, crypto_scramble = true, block_erase = true, overwrite = true;
    bool sanitize_frozen = false;
    bool security = true, enhanced_erase = true;
    bool security_frozen = false;
    std::string password;  // Non-empty: a user password is already set.
    bool locked = false;
    int polls_to_finish = 3;
    bool fail_sanitize = false;
    bool fail_erase_unit = false;         // ERASE UNIT aborts; the password stays.
    bool lock_after_failed_erase = false; // ...and the drive is locked (as after a power cycle).
    bool keep_password_after_erase = false;
    bool fixed_format_sense = false;      // A SATL that drops COUNT 15:8.
    bool legacy_libata_sense = false;     // Linux < 6.10: fixed format, fields 5 bytes late.
    bool reject_passthrough = false;      // A USB bridge without SAT.
    uint16_t word89 = 5, word90 = 10;     // Erase times: 10 and 20 minutes.
    EraseEffect erase_effect = EraseEffect::kZeros;
  };
  FakeAtaDrive(FakeBlockDevice* medium, Config config);

  Result<ScsiOutcome> Execute(std::span<const uint8_t> cdb, DataDirection direction,
                              std::span<uint8_t> data, uint32_t timeout_ms) override;

  // ATA command opcodes received, in order (B4h with FEATURE in the name).
  const std::vector<std::string>& log() const { return log_; }
  bool security_enabled() const { return !password_.empty(); }
  bool locked() const { return locked_; }
  int failed_password_attempts() const { return 5 - attempts_left_; }
  bool erased() const { return erased_; }

 private:
  struct Regs {
    uint8_t error = 0, status = 0x50, device = 0x40;
    uint16_t count = 0;
    uint64_t lba = 0;
  };
  ScsiOutcome Good(const Regs& regs, bool check_condition) const;
  ScsiOutcome Abort(uint64_t lba_reason = 0) const;
  ScsiOutcome Sense(uint8_t key, uint8_t asc, uint8_t ascq, const Regs& regs, bool extend) const;
  void Identify(std::span<uint8_t> data) const;
  void Erase();

  FakeBlockDevice* medium_;
  Config config_;
  std::vector<std::string> log_;
  std::string password_;
  bool locked_ = false;
  int attempts_left_ = 5;
  bool prepared_ = false;
  bool sanitizing_ = false;
  int polls_left_ = 0;
  uint16_t progress_ = 0;
  bool last_sanitize_ok_ = false;
  bool erased_ = false;
};

// A SAS/SCSI drive with SANITIZE and REQUEST SENSE progress.
class FakeScsiDrive final : public ScsiTransport {
 public:
  struct Config {
    bool report_opcodes = true;  // REPORT SUPPORTED OPERATION CODES.
    bool block_erase = true, crypto_erase = true, overwrite = false;
    int polls_to_finish = 3;
    bool fail_sanitize = false;
    EraseEffect erase_effect = EraseEffect::kZeros;
  };
  FakeScsiDrive(FakeBlockDevice* medium, Config config);

  Result<ScsiOutcome> Execute(std::span<const uint8_t> cdb, DataDirection direction,
                              std::span<uint8_t> data, uint32_t timeout_ms) override;
  const std::vector<std::vector<uint8_t>>& cdbs() const { return cdbs_; }

 private:
  FakeBlockDevice* medium_;
  Config config_;
  std::vector<std::vector<uint8_t>> cdbs_;
  bool sanitizing_ = false;
  int polls_left_ = 0;
  bool failed_ = false;
};

void ApplyErase(FakeBlockDevice* medium, EraseEffect effect);

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_FAKE_DRIVE_H_
