// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "purge/scsi_commands.h"

#include <algorithm>
#include <cstdio>

#include "purge/bytes.h"

namespace custody::purge::scsi {

Result<SanitizeCommand> BuildSanitize(SanitizeServiceAction action, bool immediate,
                                      bool allow_unrestricted_exit,
                                      const OverwriteParams& overwrite) {
  SanitizeCommand c;
  c.cdb[0] = kOpSanitize;
  c.cdb[1] = static_cast<uint8_t>(action) | (immediate ? 0x80 : 0) |
             (allow_unrestricted_exit ? 0x20 : 0);
  if (action == SanitizeServiceAction::kOverwrite) {
    if (overwrite.count < 1 || overwrite.count > 31) {
      return InvalidArgumentError("SCSI overwrite takes 1 to 31 passes");
    }
    if (overwrite.pattern.empty() || overwrite.pattern.size() > 0xFFFF - 4) {
      return InvalidArgumentError("overwrite pattern must be 1 to 65531 bytes");
    }
    // Parameter list: byte 0 INVERT bit 7, TEST 6:5 (0), OVERWRITE COUNT 4:0;
    // bytes 2-3 INITIALIZATION PATTERN LENGTH; the pattern from byte 4.
    c.parameters.assign(4, 0);
    c.parameters[0] = (overwrite.invert ? 0x80 : 0) | overwrite.count;
    PutBe16(c.parameters, 2, static_cast<uint16_t>(overwrite.pattern.size()));
    c.parameters.insert(c.parameters.end(), overwrite.pattern.begin(), overwrite.pattern.end());
  }
  PutBe16(c.cdb, 7, static_cast<uint16_t>(c.parameters.size()));
  return c;
}

std::array<uint8_t, 6> BuildRequestSense(uint8_t allocation_length, bool descriptor_format) {
  return {kOpRequestSense, static_cast<uint8_t>(descriptor_format ? 1 : 0), 0, 0,
          allocation_length, 0};
}

std::array<uint8_t, 12> BuildReportSupportedOpcode(uint8_t opcode, uint16_t service_action,
                                                   uint32_t allocation_length) {
  std::array<uint8_t, 12> cdb{};
  cdb[0] = kOpMaintenanceIn;
  cdb[1] = kSaReportSupportedOpcodes;
  cdb[2] = 0x02;  // RCTD 0, REPORTING OPTIONS 010b.
  cdb[3] = opcode;
  PutBe16(cdb, 4, service_action);
  PutBe32(cdb, 6, allocation_length);
  return cdb;
}

Result<uint8_t> ParseOneCommandSupport(std::span<const uint8_t> data) {
  if (data.size() < 2) return TruncatedError("REPORT SUPPORTED OPERATION CODES answer too short");
  return static_cast<uint8_t>(data[1] & 0x7);
}

Result<Sense> ParseSense(std::span<const uint8_t> d) {
  if (d.empty()) return TruncatedError("no sense data");
  Sense s;
  s.response_code = d[0] & 0x7F;
  if (s.response_code == 0x70 || s.response_code == 0x71) {
    if (d.size() < 14) return TruncatedError("fixed-format sense data too short");
    s.key = d[2] & 0xF;
    s.asc = d[12];
    s.ascq = d[13];
    if (d.size() >= 18 && (d[15] & 0x80) && (s.key == kKeyNoSense || s.key == kKeyNotReady)) {
      s.progress = Be16(d, 16);  // SKSV set: bytes 16-17 are the progress indication.
    }
    return s;
  }
  if (s.response_code == 0x72 || s.response_code == 0x73) {
    if (d.size() < 8) return TruncatedError("descriptor-format sense data too short");
    s.key = d[1] & 0xF;
    s.asc = d[2];
    s.ascq = d[3];
    const size_t end = std::min<size_t>(d.size(), 8u + d[7]);
    for (size_t at = 8; at + 2 <= end; at += 2 + d[at + 1]) {
      // Sense key specific descriptor (02h): SKSV in byte 4 bit 7, field in bytes 5-6.
      if (d[at] == 0x02 && at + 7 <= end && (d[at + 4] & 0x80) &&
          (s.key == kKeyNoSense || s.key == kKeyNotReady)) {
        s.progress = Be16(d, at + 5);
      }
    }
    return s;
  }
  return CorruptionError("unknown sense data response code");
}

std::string DescribeSense(const Sense& s) {
  static constexpr const char* kKeys[] = {
      "NO SENSE",       "RECOVERED ERROR", "NOT READY",       "MEDIUM ERROR",
      "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION",  "DATA PROTECT",
      "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",    "ABORTED COMMAND",
      "RESERVED",       "VOLUME OVERFLOW", "MISCOMPARE",      "COMPLETED"};
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%s, ASC/ASCQ %02Xh/%02Xh", kKeys[s.key & 0xF], s.asc, s.ascq);
  std::string out = buf;
  if (SanitizeInProgress(s)) out += " (sanitize in progress)";
  if (SanitizeFailed(s)) out += " (sanitize command failed)";
  if (s.asc == 0x20 && s.ascq == 0x00) out += " (invalid command operation code)";
  if (s.asc == 0x24 && s.ascq == 0x00) out += " (invalid field in CDB)";
  return out;
}

}  // namespace custody::purge::scsi
