// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Runs inside the QEMU guest of nvme_qemu_device_test.cc, as a static
// binary in a busybox initramfs, against the emulated controller through the
// real Linux NVMe driver. Prints "FACT key=value" lines and a final
// "CUSTODY-RESULT PASS|FAIL ..." line; the host test judges the facts.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "custody/block_device.h"
#include "custody/env.h"
#include "custody/passthrough.h"
#include "custody/purge.h"
#include "purge/ata_commands.h"
#include "purge/nvme_commands.h"
#include "purge/scsi_commands.h"

using namespace custody;
namespace nvme = custody::purge::nvme;

namespace {

int failures = 0;

void Fact(const std::string& key, const std::string& value) {
  std::printf("FACT %s=%s\n", key.c_str(), value.c_str());
  std::fflush(stdout);
}
void Fail(const std::string& why) {
  ++failures;
  std::printf("ERROR %s\n", why.c_str());
  std::fflush(stdout);
}
std::string Hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%08x", v);
  return b;
}
std::string Status16(const NvmeCompletion& c) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%04x", c.status);
  return b;
}

// Writes a marker to a few blocks, formats with `ses`, and reports whether
// the blocks read back as zeros afterwards.
void FormatAndCheck(NvmeTransport& t, BlockDevice& dev, const nvme::NamespaceIdentity& ns,
                    nvme::SecureErase ses) {
  const std::string tag = "ses" + std::to_string(static_cast<int>(ses));
  const uint32_t bs = dev.logical_sector_size();
  const uint64_t blocks = dev.size() / bs;
  AlignedBuffer buf(bs, dev.buffer_alignment());
  for (uint64_t lba : {uint64_t{0}, blocks / 2, blocks - 1}) {
    std::memset(buf.data(), 0xA5, bs);
    if (!dev.WriteAt(lba * bs, buf.data(), bs).ok()) return Fail(tag + ": marker write failed");
  }
  if (!dev.Flush().ok()) return Fail(tag + ": flush failed");
  auto cmd = nvme::BuildFormatNvm(nvme::FormatKeepingLayout(ns, 1, ses));
  auto c = t.Admin(*cmd, DataDirection::kNone, {});
  if (!c.ok()) return Fail(tag + ": " + c.status().ToString());
  Fact("format_" + tag, Status16(*c));
  bool zero = true;
  for (uint64_t lba : {uint64_t{0}, blocks / 2, blocks - 1}) {
    if (!dev.ReadAt(lba * bs, buf.data(), bs).ok()) return Fail(tag + ": read-back failed");
    for (uint32_t i = 0; i < bs; ++i) zero &= buf.data()[i] == 0;
  }
  Fact("zeroed_" + tag, zero ? "yes" : "no");
}

std::string Hex8(uint8_t v) {
  char b[8];
  std::snprintf(b, sizeof(b), "0x%02x", v);
  return b;
}

// The ATA path through the real libata SCSI/ATA translation, against QEMU's
// PIIX IDE disk (no Security feature set, no SANITIZE).
void CheckAta(const std::string& path) {
  namespace ata = custody::purge::ata;
  auto t = OpenLinuxScsiTransport(path);
  if (!t.ok()) return Fail("ata: " + t.status().ToString());
  std::vector<uint8_t> id(ata::kSectorSize);
  auto out = (*t)->Execute(ata::BuildPassThrough16(ata::IdentifyDevice()),
                           DataDirection::kFromDevice, id, 10000);
  if (!out.ok()) return Fail("ata identify: " + out.status().ToString());
  Fact("ata_identify_status", Hex8(out->status));
  auto parsed = ata::ParseIdentifyDevice(id);
  Fact("ata_identify_parse", parsed.ok() ? "ok" : parsed.status().ToString());
  if (parsed.ok()) {
    Fact("ata_model", parsed->model);
    Fact("ata_serial", parsed->serial);
    Fact("ata_sectors", std::to_string(parsed->sectors));
    Fact("ata_checksum", parsed->checksum_present ? "present" : "absent");
    Fact("ata_security", parsed->security.supported ? "supported" : "not-supported");
    Fact("ata_sanitize", parsed->sanitize.supported ? "supported" : "not-supported");
  }
  // SANITIZE STATUS EXT with CK_COND: QEMU aborts it; libata must return
  // the ATA registers in descriptor-format sense.
  out = (*t)->Execute(ata::BuildPassThrough16(ata::SanitizeStatus(false)), DataDirection::kNone,
                      {}, 10000);
  if (!out.ok()) return Fail("ata sanitize status: " + out.status().ToString());
  Fact("ata_sanitize_status_scsi", Hex8(out->status));
  Fact("ata_sanitize_status_sense_format", out->sense.empty() ? "none" : Hex8(out->sense[0] & 0x7F));
  std::string sense_hex;
  for (uint8_t b : out->sense) sense_hex += Hex8(b).substr(2);
  Fact("ata_sanitize_status_sense", sense_hex);
  auto regs = ata::ParseReturnedRegisters(out->sense);
  if (regs.ok()) {
    Fact("ata_sanitize_status_ata_status", Hex8(regs->status));
    Fact("ata_sanitize_status_ata_error", Hex8(regs->error));
  }
  PurgeTarget target;
  target.interface = PurgeInterface::kAta;
  target.scsi = t->get();
  auto probe = ProbePurge(target);
  Fact("ata_probe", probe.ok() ? "ok" : probe.status().ToString());
  if (probe.ok()) {
    auto plan = PlanPurge(*probe, PurgeAction::kAuto);
    Fact("ata_plan", plan.ok() ? std::string(PurgeActionName(plan->action))
                               : std::string(StatusCodeName(plan.status().code())));
    auto forced = PlanPurge(*probe, PurgeAction::kSecurityErase);
    Fact("ata_plan_security_erase", forced.ok() ? "ok" : std::string(StatusCodeName(forced.status().code())));
  }
}

}  // namespace

int main() {
  auto transport = OpenLinuxNvmeTransport("/dev/nvme0");
  if (!transport.ok()) {
    std::printf("CUSTODY-RESULT FAIL %s\n", transport.status().ToString().c_str());
    return 1;
  }
  NvmeTransport& t = **transport;

  std::vector<uint8_t> page(nvme::kIdentifySize);
  auto c = t.Admin(nvme::BuildIdentify(nvme::kCnsController, 0), DataDirection::kFromDevice, page);
  auto ctrl = nvme::ParseIdentifyController(page);
  if (!c.ok() || !c->ok() || !ctrl.ok()) {
    std::printf("CUSTODY-RESULT FAIL Identify Controller\n");
    return 1;
  }
  Fact("vid", Hex(ctrl->vid));
  Fact("serial", ctrl->serial);
  Fact("model", ctrl->model);
  Fact("oacs", Hex(ctrl->oacs));
  Fact("sanicap", Hex(ctrl->sanicap));
  Fact("fna", Hex(ctrl->fna));
  Fact("nn", std::to_string(ctrl->nn));

  c = t.Admin(nvme::BuildIdentify(nvme::kCnsNamespace, 1), DataDirection::kFromDevice, page);
  auto ns = nvme::ParseIdentifyNamespace(page);
  if (!c.ok() || !c->ok() || !ns.ok()) {
    std::printf("CUSTODY-RESULT FAIL Identify Namespace\n");
    return 1;
  }
  Fact("nsze", std::to_string(ns->size_blocks));
  Fact("block_size", std::to_string(ns->block_size()));
  Fact("lba_format", std::to_string(ns->current_format()));

  std::vector<uint8_t> log(512);
  auto smart = nvme::BuildGetLogPage(0x02, nvme::kNsidAll, 512, 0, false);
  c = t.Admin(*smart, DataDirection::kFromDevice, log);
  // SMART / Health: byte 1-2 composite temperature in kelvins, non-zero on QEMU.
  Fact("smart_log", c.ok() ? Status16(*c) : c.status().ToString());
  Fact("smart_temperature_k", std::to_string(log[1] | (log[2] << 8)));
  auto sanlog = nvme::BuildGetLogPage(nvme::kLidSanitizeStatus, nvme::kNsidAll, 512, 0, true);
  c = t.Admin(*sanlog, DataDirection::kFromDevice, log);
  Fact("sanitize_log", c.ok() ? Status16(*c) : c.status().ToString());

  auto sanitize = nvme::BuildSanitize({.action = nvme::SanitizeAction::kBlockErase});
  c = t.Admin(*sanitize, DataDirection::kNone, {});
  Fact("sanitize", c.ok() ? Status16(*c) : c.status().ToString());
  if (c.ok()) Fact("sanitize_text", nvme::DescribeCompletion(*c));

  auto dev = OpenBlockDevice("/dev/nvme0n1");
  if (!dev.ok()) {
    std::printf("CUSTODY-RESULT FAIL %s\n", dev.status().ToString().c_str());
    return 1;
  }
  Fact("direct_io", (*dev)->direct_io() ? "yes" : "no");
  auto nsid = LinuxNvmeNamespaceId("/dev/nvme0n1");
  Fact("nsid", nsid.ok() ? std::to_string(*nsid) : nsid.status().ToString());
  for (auto ses : {nvme::SecureErase::kNone, nvme::SecureErase::kUserData,
                   nvme::SecureErase::kCrypto}) {
    FormatAndCheck(t, **dev, *ns, ses);
  }

  // The whole purge engine: probe, auto plan, run with seeded verification.
  PurgeTarget target;
  target.interface = PurgeInterface::kNvme;
  target.nvme = &t;
  target.nvme_nsid = 1;
  target.device = dev->get();
  auto probe = ProbePurge(target);
  if (!probe.ok()) {
    Fail("probe: " + probe.status().ToString());
  } else {
    std::string supported;
    for (PurgeAction a : probe->supported) {
      if (!supported.empty()) supported += ",";
      supported += PurgeActionName(a);
    }
    Fact("supported", supported);
    auto plan = PlanPurge(*probe, PurgeAction::kAuto);
    if (!plan.ok()) {
      Fail("plan: " + plan.status().ToString());
    } else {
      Fact("plan", std::string(PurgeActionName(plan->action)));
      PurgeOptions o;
      o.env = Env::Default();
      int events = 0;
      o.record = [&](std::string_view type, std::string_view) {
        Fact("event" + std::to_string(events++), std::string(type));
        return Status::Ok();
      };
      auto report = RunPurge(target, *plan, o);
      if (!report.ok()) {
        Fail("run: " + report.status().ToString());
      } else {
        Fact("verify_passed", report->verification.passed() ? "yes" : "no");
        Fact("verify_samples", std::to_string(report->verification.samples));
        Fact("verify_erased", std::to_string(report->verification.erased));
        Fact("verify_ranges", std::to_string(report->verification.ranges));
        Fact("final_status", report->final_status);
      }
    }
  }
  if (FILE* f = std::fopen("/dev/sda", "r")) {
    std::fclose(f);
    CheckAta("/dev/sda");
  } else {
    Fact("ata_device", "absent");
  }
  std::printf("CUSTODY-RESULT %s\n", failures ? "FAIL" : "PASS");
  std::fflush(stdout);
  return failures ? 1 : 0;
}
