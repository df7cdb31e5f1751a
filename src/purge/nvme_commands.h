// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// NVMe admin commands custody sends to purge a drive, and the structures it
// reads back. Section numbers refer to the NVM Express Base Specification 2.0
// (and the NVM Command Set Specification 1.0 for Identify Namespace and
// Format NVM). Every builder is checked byte by byte in
// tests/purge/nvme_commands_test.cc.
#ifndef CUSTODY_SRC_PURGE_NVME_COMMANDS_H_
#define CUSTODY_SRC_PURGE_NVME_COMMANDS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "custody/passthrough.h"
#include "custody/status.h"

namespace custody::purge::nvme {

// Admin opcodes (Base 2.0 §5, Admin Command Set opcodes).
constexpr uint8_t kOpGetLogPage = 0x02;
constexpr uint8_t kOpIdentify = 0x06;
constexpr uint8_t kOpFormatNvm = 0x80;
constexpr uint8_t kOpSanitize = 0x84;

constexpr uint32_t kNsidNone = 0;
constexpr uint32_t kNsidAll = 0xFFFFFFFF;  // Broadcast: every namespace.
constexpr uint8_t kCnsNamespace = 0x00;    // Identify Namespace (NVM Command Set 1.0 §4.1.5.1).
constexpr uint8_t kCnsController = 0x01;   // Identify Controller (Base 2.0 §5.17.2.1).
constexpr uint8_t kLidSanitizeStatus = 0x81;
constexpr size_t kIdentifySize = 4096;
constexpr size_t kSanitizeLogSize = 512;

// Generic command status values worth naming (Base 2.0 §4.2.3.1, SCT 0h).
constexpr uint8_t kScInvalidOpcode = 0x01;
constexpr uint8_t kScInvalidField = 0x02;
constexpr uint8_t kScSanitizeFailed = 0x1C;
constexpr uint8_t kScSanitizeInProgress = 0x1D;

// The 64-byte submission queue entry the command becomes (Base 2.0 §4.2,
// Common Command Format), with CID, PRPs and metadata pointer left zero: the
// driver fills those. Recorded in the ledger as the exact command sent.
std::array<uint8_t, 64> SubmissionEntry(const NvmeAdminCommand& command);

NvmeAdminCommand BuildIdentify(uint8_t cns, uint32_t nsid);

// Get Log Page (Base 2.0 §5.16): NUMD is a zero-based dword count split
// into NUMDL (CDW10 31:16) and NUMDU (CDW11 15:0); the offset is LPOL/LPOU.
// `bytes` must be a non-zero multiple of 4; `offset` a multiple of 4.
Result<NvmeAdminCommand> BuildGetLogPage(uint8_t lid, uint32_t nsid, uint32_t bytes,
                                         uint64_t offset, bool retain_async_event);

// Sanitize command, CDW10 (Base 2.0 §5.24): SANACT 2:0, AUSE 3, OWPASS 7:4,
// OIPBP 8, NDAS 9.
enum class SanitizeAction : uint8_t {
  kExitFailureMode = 1,
  kBlockErase = 2,
  kOverwrite = 3,
  kCryptoErase = 4,
};
struct SanitizeParams {
  SanitizeAction action = SanitizeAction::kBlockErase;
  bool allow_unrestricted_exit = false;  // AUSE.
  uint8_t overwrite_passes = 1;          // 1..16 (OWPASS encodes 16 as 0).
  bool invert_between_passes = false;    // OIPBP.
  bool no_deallocate = false;            // NDAS.
  uint32_t overwrite_pattern = 0;        // OVRPAT (CDW11), overwrite only.
};
Result<NvmeAdminCommand> BuildSanitize(const SanitizeParams& params);

// Format NVM (NVM Command Set 1.0 §4.1.2 / Base 2.0 §5.14, CDW10):
// LBAF lower 3:0, MSET 4, PI 7:5, PIL 8, SES 11:9, LBAF upper 13:12.
enum class SecureErase : uint8_t { kNone = 0, kUserData = 1, kCrypto = 2 };
struct FormatParams {
  uint32_t nsid = 1;
  uint8_t lba_format = 0;  // 0..63
  bool metadata_extended = false;
  uint8_t protection_type = 0;  // 0..7
  bool protection_first = false;
  SecureErase ses = SecureErase::kUserData;
  uint32_t timeout_ms = 0;
};
Result<NvmeAdminCommand> BuildFormatNvm(const FormatParams& params);

// Identify Controller data structure fields custody uses (Base 2.0 §5.17.2.1).
struct ControllerIdentity {
  uint16_t vid = 0;
  std::string serial;    // Bytes 23:04, ASCII, trailing spaces trimmed.
  std::string model;     // Bytes 63:24.
  std::string firmware;  // Bytes 71:64.
  uint16_t oacs = 0;     // Bytes 257:256.
  uint32_t sanicap = 0;  // Bytes 331:328.
  uint32_t nn = 0;       // Bytes 519:516.
  uint8_t fna = 0;       // Byte 524.

  bool format_supported() const { return oacs & 0x2; }          // OACS bit 1.
  bool sanitize_crypto_erase() const { return sanicap & 0x1; }  // CES.
  bool sanitize_block_erase() const { return sanicap & 0x2; }   // BES.
  bool sanitize_overwrite() const { return sanicap & 0x4; }     // OWS.
  bool no_deallocate_inhibited() const { return sanicap & (1u << 29); }  // NDI.
  uint8_t nodmmas() const { return sanicap >> 30; }
  bool format_applies_to_all() const { return fna & 0x1; }        // FNA bit 0.
  bool secure_erase_applies_to_all() const { return fna & 0x2; }  // FNA bit 1.
  bool format_crypto_erase() const { return fna & 0x4; }          // FNA bit 2.
};
Result<ControllerIdentity> ParseIdentifyController(std::span<const uint8_t> data);

struct LbaFormat {
  uint16_t metadata_size = 0;
  uint8_t data_size_log2 = 0;  // LBADS.
};
// Identify Namespace data structure fields (NVM Command Set 1.0 §4.1.5.1).
struct NamespaceIdentity {
  uint64_t size_blocks = 0;      // NSZE.
  uint64_t capacity_blocks = 0;  // NCAP.
  uint8_t flbas = 0;
  uint8_t dps = 0;
  std::vector<LbaFormat> formats;  // NLBAF + 1 entries.

  // FLBAS bits 3:0 are the low and bits 6:5 the high bits of the index.
  uint8_t current_format() const { return (flbas & 0xF) | (((flbas >> 5) & 0x3) << 4); }
  bool metadata_extended() const { return flbas & 0x10; }
  uint8_t protection_type() const { return dps & 0x7; }
  bool protection_first() const { return dps & 0x8; }
  uint32_t block_size() const;  // 0 if the current format is out of range.
};
Result<NamespaceIdentity> ParseIdentifyNamespace(std::span<const uint8_t> data);

// Keeps the namespace's current LBA format and protection settings, so a
// Format NVM used as an erase does not also change the block size.
FormatParams FormatKeepingLayout(const NamespaceIdentity& ns, uint32_t nsid, SecureErase ses);

// Sanitize Status log page, LID 81h (Base 2.0 §5.16.1.25).
enum class SanitizeStatus : uint8_t {
  kNeverSanitized = 0,
  kCompleted = 1,
  kInProgress = 2,
  kFailed = 3,
  kCompletedNoDeallocate = 4,
};
struct SanitizeStatusLog {
  uint16_t sprog = 0;   // Progress: numerator of n/65536.
  uint16_t sstat = 0;
  uint32_t scdw10 = 0;  // CDW10 of the sanitize this log describes.
  // Estimated seconds; 0xFFFFFFFF = no estimate. "_nd": with No-Deallocate.
  uint32_t et_overwrite = 0, et_block_erase = 0, et_crypto_erase = 0;
  uint32_t et_overwrite_nd = 0, et_block_erase_nd = 0, et_crypto_erase_nd = 0;

  SanitizeStatus status() const { return static_cast<SanitizeStatus>(sstat & 0x7); }
  uint8_t overwrite_passes_done() const { return (sstat >> 3) & 0x1F; }
  bool global_data_erased() const { return sstat & 0x100; }  // GDE.
  // The estimate that applies to `scdw10`'s action; 0xFFFFFFFF if none.
  uint32_t EstimateFor(SanitizeAction action, bool no_deallocate) const;
};
Result<SanitizeStatusLog> ParseSanitizeStatusLog(std::span<const uint8_t> data);

std::string_view SanitizeStatusName(SanitizeStatus status);
// "Invalid Command Opcode (SCT 0h, SC 01h)".
std::string DescribeCompletion(const NvmeCompletion& completion);

}  // namespace custody::purge::nvme

#endif  // CUSTODY_SRC_PURGE_NVME_COMMANDS_H_
