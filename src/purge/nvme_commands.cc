// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "purge/nvme_commands.h"

#include <cstdio>

#include "purge/bytes.h"

namespace custody::purge::nvme {

std::array<uint8_t, 64> SubmissionEntry(const NvmeAdminCommand& c) {
  std::array<uint8_t, 64> e{};
  e[0] = c.opcode;  // CDW0: OPC 7:0; FUSE, PSDT and CID stay 0.
  PutLe32(e, 4, c.nsid);
  for (size_t i = 0; i < c.cdw.size(); ++i) PutLe32(e, 40 + 4 * i, c.cdw[i]);  // CDW10 at byte 40.
  return e;
}

NvmeAdminCommand BuildIdentify(uint8_t cns, uint32_t nsid) {
  NvmeAdminCommand c;
  c.opcode = kOpIdentify;
  c.nsid = nsid;
  c.cdw[0] = cns;  // CDW10 bits 7:0 CNS; CNTID (31:16) is 0: this controller.
  return c;
}

Result<NvmeAdminCommand> BuildGetLogPage(uint8_t lid, uint32_t nsid, uint32_t bytes,
                                         uint64_t offset, bool retain_async_event) {
  if (bytes == 0 || bytes % 4 != 0 || offset % 4 != 0) {
    return InvalidArgumentError("Get Log Page transfers whole dwords");
  }
  const uint32_t numd = bytes / 4 - 1;  // Zero-based.
  NvmeAdminCommand c;
  c.opcode = kOpGetLogPage;
  c.nsid = nsid;
  // CDW10: LID 7:0, LSP 14:8 (0), RAE 15, NUMDL 31:16.
  c.cdw[0] = lid | (retain_async_event ? 1u << 15 : 0) | ((numd & 0xFFFF) << 16);
  c.cdw[1] = numd >> 16;                  // CDW11: NUMDU 15:0, LSI 31:16 (0).
  c.cdw[2] = static_cast<uint32_t>(offset);        // CDW12: LPOL.
  c.cdw[3] = static_cast<uint32_t>(offset >> 32);  // CDW13: LPOU.
  return c;
}

Result<NvmeAdminCommand> BuildSanitize(const SanitizeParams& p) {
  const auto action = static_cast<uint8_t>(p.action);
  if (action < 1 || action > 4) return InvalidArgumentError("unknown sanitize action");
  if (p.overwrite_passes < 1 || p.overwrite_passes > 16) {
    return InvalidArgumentError("NVMe overwrite sanitize takes 1 to 16 passes");
  }
  NvmeAdminCommand c;
  c.opcode = kOpSanitize;
  c.nsid = kNsidNone;  // Sanitize acts on the whole NVM subsystem; NSID is unused.
  uint32_t cdw10 = action;
  if (p.allow_unrestricted_exit) cdw10 |= 1u << 3;
  if (p.action == SanitizeAction::kOverwrite) {
    cdw10 |= static_cast<uint32_t>(p.overwrite_passes & 0xF) << 4;  // 16 passes encode as 0h.
    if (p.invert_between_passes) cdw10 |= 1u << 8;
    c.cdw[1] = p.overwrite_pattern;
  }
  if (p.no_deallocate) cdw10 |= 1u << 9;
  c.cdw[0] = cdw10;
  return c;
}

Result<NvmeAdminCommand> BuildFormatNvm(const FormatParams& p) {
  if (p.lba_format > 63) return InvalidArgumentError("LBA format index must be 0..63");
  if (p.protection_type > 7) return InvalidArgumentError("protection type must be 0..7");
  const auto ses = static_cast<uint8_t>(p.ses);
  if (ses > 2) return InvalidArgumentError("unknown Secure Erase Setting");
  NvmeAdminCommand c;
  c.opcode = kOpFormatNvm;
  c.nsid = p.nsid;
  c.cdw[0] = (p.lba_format & 0xF) | (p.metadata_extended ? 1u << 4 : 0) |
             (static_cast<uint32_t>(p.protection_type) << 5) | (p.protection_first ? 1u << 8 : 0) |
             (static_cast<uint32_t>(ses) << 9) | (static_cast<uint32_t>(p.lba_format >> 4) << 12);
  c.timeout_ms = p.timeout_ms;
  return c;
}

namespace {
std::string AsciiField(std::span<const uint8_t> d, size_t from, size_t to_inclusive) {
  std::string s(reinterpret_cast<const char*>(d.data()) + from, to_inclusive - from + 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}
}  // namespace

Result<ControllerIdentity> ParseIdentifyController(std::span<const uint8_t> d) {
  if (d.size() != kIdentifySize) return TruncatedError("Identify Controller data is 4096 bytes");
  ControllerIdentity id;
  id.vid = Le16(d, 0);
  id.serial = AsciiField(d, 4, 23);
  id.model = AsciiField(d, 24, 63);
  id.firmware = AsciiField(d, 64, 71);
  id.oacs = Le16(d, 256);
  id.sanicap = Le32(d, 328);
  id.nn = Le32(d, 516);
  id.fna = d[524];
  return id;
}

uint32_t NamespaceIdentity::block_size() const {
  const uint8_t f = current_format();
  if (f >= formats.size() || formats[f].data_size_log2 < 9 || formats[f].data_size_log2 > 31) {
    return 0;
  }
  return 1u << formats[f].data_size_log2;
}

Result<NamespaceIdentity> ParseIdentifyNamespace(std::span<const uint8_t> d) {
  if (d.size() != kIdentifySize) return TruncatedError("Identify Namespace data is 4096 bytes");
  NamespaceIdentity ns;
  ns.size_blocks = Le64(d, 0);
  ns.capacity_blocks = Le64(d, 8);
  const unsigned count = d[25] + 1u;  // NLBAF is zero-based; at most 64 formats.
  if (count > 64) return CorruptionError("Identify Namespace reports more than 64 LBA formats");
  ns.flbas = d[26];
  ns.dps = d[29];
  for (unsigned i = 0; i < count; ++i) {  // LBA Format n at bytes 128 + 4n: MS 15:0, LBADS 23:16.
    ns.formats.push_back({Le16(d, 128 + 4 * i), d[128 + 4 * i + 2]});
  }
  if (ns.current_format() >= count) {
    return CorruptionError("Identify Namespace: FLBAS names a format beyond NLBAF");
  }
  return ns;
}

FormatParams FormatKeepingLayout(const NamespaceIdentity& ns, uint32_t nsid, SecureErase ses) {
  FormatParams p;
  p.nsid = nsid;
  p.lba_format = ns.current_format();
  p.metadata_extended = ns.metadata_extended();
  p.protection_type = ns.protection_type();
  p.protection_first = ns.protection_first();
  p.ses = ses;
  return p;
}

uint32_t SanitizeStatusLog::EstimateFor(SanitizeAction action, bool no_deallocate) const {
  switch (action) {
    case SanitizeAction::kOverwrite: return no_deallocate ? et_overwrite_nd : et_overwrite;
    case SanitizeAction::kBlockErase: return no_deallocate ? et_block_erase_nd : et_block_erase;
    case SanitizeAction::kCryptoErase: return no_deallocate ? et_crypto_erase_nd : et_crypto_erase;
    default: return 0xFFFFFFFF;
  }
}

Result<SanitizeStatusLog> ParseSanitizeStatusLog(std::span<const uint8_t> d) {
  if (d.size() < 32) return TruncatedError("Sanitize Status log page is shorter than 32 bytes");
  SanitizeStatusLog log;
  log.sprog = Le16(d, 0);
  log.sstat = Le16(d, 2);
  log.scdw10 = Le32(d, 4);
  log.et_overwrite = Le32(d, 8);
  log.et_block_erase = Le32(d, 12);
  log.et_crypto_erase = Le32(d, 16);
  log.et_overwrite_nd = Le32(d, 20);
  log.et_block_erase_nd = Le32(d, 24);
  log.et_crypto_erase_nd = Le32(d, 28);
  return log;
}

std::string_view SanitizeStatusName(SanitizeStatus status) {
  switch (status) {
    case SanitizeStatus::kNeverSanitized: return "never sanitized";
    case SanitizeStatus::kCompleted: return "completed successfully";
    case SanitizeStatus::kInProgress: return "in progress";
    case SanitizeStatus::kFailed: return "failed";
    case SanitizeStatus::kCompletedNoDeallocate: return "completed successfully (no deallocate)";
  }
  return "reserved";
}

std::string DescribeCompletion(const NvmeCompletion& c) {
  std::string name;
  if (c.ok()) {
    name = "Successful Completion";
  } else if (c.sct() == 0) {
    switch (c.sc()) {
      case kScInvalidOpcode: name = "Invalid Command Opcode"; break;
      case kScInvalidField: name = "Invalid Field in Command"; break;
      case 0x06: name = "Internal Error"; break;
      case 0x0B: name = "Invalid Namespace or Format"; break;
      case kScSanitizeFailed: name = "Sanitize Failed"; break;
      case kScSanitizeInProgress: name = "Sanitize In Progress"; break;
      case 0x23: name = "Sanitize Prohibited While Persistent Memory Region is Enabled"; break;
      default: name = "generic status"; break;
    }
  } else if (c.sct() == 1) {
    switch (c.sc()) {
      case 0x0A: name = "Invalid Format"; break;
      case 0x15: name = "Namespace Is Write Protected"; break;
      default: name = "command specific status"; break;
    }
  } else {
    name = c.sct() == 2 ? "media or data integrity error" : "status";
  }
  char code[40];
  std::snprintf(code, sizeof(code), " (SCT %Xh, SC %02Xh%s)", c.sct(), c.sc(),
                (c.status & 0x4000) ? ", do not retry" : "");
  return name + code;
}

}  // namespace custody::purge::nvme
