// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SCSI commands for purging SAS/SCSI drives: SANITIZE (SBC-4, 48h) and the
// REQUEST SENSE (SPC-5, 03h) polling that reports its progress, plus REPORT
// SUPPORTED OPERATION CODES (SPC-5, A3h/0Ch) to learn which sanitize service
// actions a drive offers. Checked byte by byte in
// tests/purge/scsi_commands_test.cc.
#ifndef CUSTODY_SRC_PURGE_SCSI_COMMANDS_H_
#define CUSTODY_SRC_PURGE_SCSI_COMMANDS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "custody/status.h"

namespace custody::purge::scsi {

constexpr uint8_t kOpRequestSense = 0x03;
constexpr uint8_t kOpSanitize = 0x48;
constexpr uint8_t kOpMaintenanceIn = 0xA3;
constexpr uint8_t kSaReportSupportedOpcodes = 0x0C;

enum class SanitizeServiceAction : uint8_t {
  kOverwrite = 0x01,
  kBlockErase = 0x02,
  kCryptoErase = 0x03,
  kExitFailureMode = 0x1F,
};

struct SanitizeCommand {
  std::array<uint8_t, 10> cdb{};
  std::vector<uint8_t> parameters;  // Data-out; empty except for OVERWRITE.
};
struct OverwriteParams {
  uint8_t count = 1;  // 1..31 passes.
  bool invert = false;
  std::vector<uint8_t> pattern = {0, 0, 0, 0};  // 1..65535 bytes, at most one block.
};
// CDB byte 1: IMMED bit 7, ZNR bit 6 (0), AUSE bit 5, SERVICE ACTION 4:0;
// bytes 7-8 PARAMETER LIST LENGTH.
Result<SanitizeCommand> BuildSanitize(SanitizeServiceAction action, bool immediate,
                                      bool allow_unrestricted_exit,
                                      const OverwriteParams& overwrite = {});

std::array<uint8_t, 6> BuildRequestSense(uint8_t allocation_length, bool descriptor_format);

// REPORTING OPTIONS 010b: one command, with the requested service action.
std::array<uint8_t, 12> BuildReportSupportedOpcode(uint8_t opcode, uint16_t service_action,
                                                   uint32_t allocation_length);
// The SUPPORT field (byte 1 bits 2:0) of a one-command response:
// 001b not supported, 011b supported (standard), 101b supported (vendor).
Result<uint8_t> ParseOneCommandSupport(std::span<const uint8_t> data);
inline bool SupportMeansSupported(uint8_t support) { return support == 3 || support == 5; }

struct Sense {
  uint8_t response_code = 0;
  uint8_t key = 0;
  uint8_t asc = 0;
  uint8_t ascq = 0;
  std::optional<uint16_t> progress;  // n/65536, from the sense-key specific field.
};
// Fixed (70h/71h) or descriptor (72h/73h) format. The progress indication
// is only meaningful with sense key NO SENSE or NOT READY (SPC-5).
Result<Sense> ParseSense(std::span<const uint8_t> data);

constexpr uint8_t kKeyNoSense = 0x0;
constexpr uint8_t kKeyNotReady = 0x2;
constexpr uint8_t kKeyMediumError = 0x3;
constexpr uint8_t kKeyIllegalRequest = 0x5;
constexpr uint8_t kKeyUnitAttention = 0x6;
// LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS.
inline bool SanitizeInProgress(const Sense& s) { return s.asc == 0x04 && s.ascq == 0x1B; }
// SANITIZE COMMAND FAILED.
inline bool SanitizeFailed(const Sense& s) { return s.asc == 0x31 && s.ascq == 0x03; }
std::string DescribeSense(const Sense& s);

}  // namespace custody::purge::scsi

#endif  // CUSTODY_SRC_PURGE_SCSI_COMMANDS_H_
