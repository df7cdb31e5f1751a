// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "device/ata_identity.h"

#include <cstdio>
#include <vector>

namespace custody::device {
namespace {

uint16_t Word(std::span<const uint8_t> d, int w) {
  return static_cast<uint16_t>(d[2 * w] | (d[2 * w + 1] << 8));
}

constexpr uint32_t kTimeoutMs = 15000;

}  // namespace

Result<AtaExtras> ParseAtaExtras(std::span<const uint8_t> d) {
  if (d.size() != purge::ata::kSectorSize) return TruncatedError("IDENTIFY DEVICE data is 512 bytes");
  AtaExtras x;
  const uint16_t w82 = Word(d, 82), w83 = Word(d, 83), w87 = Word(d, 87);
  const bool w83_valid = (w83 & 0xC000) == 0x4000;  // Bits 15:14 = 01b: the word is valid.
  x.lba48 = w83_valid && (w83 & (1 << 10));
  x.hpa_supported = w82 != 0xFFFF && (w82 & (1 << 10));
  x.dco_supported = w83_valid && (w83 & (1 << 11));
  x.current_max_sectors = x.lba48 ? (uint64_t{Word(d, 100)} | uint64_t{Word(d, 101)} << 16 |
                                     uint64_t{Word(d, 102)} << 32 | uint64_t{Word(d, 103)} << 48)
                                  : (uint64_t{Word(d, 60)} | uint64_t{Word(d, 61)} << 16);
  // Word 87 bit 8: the world wide name in words 108-111 is present.
  if ((w87 & 0xC000) == 0x4000 && (w87 & (1 << 8))) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%04x%04x%04x%04x", Word(d, 108), Word(d, 109), Word(d, 110),
                  Word(d, 111));
    if (std::string(buf) != "0000000000000000") x.wwn = std::string("naa.") + buf;
  }
  x.rotation_rate = Word(d, 217);
  return x;
}

Result<uint64_t> ParseDcoMaxLba(std::span<const uint8_t> d) {
  if (d.size() != purge::ata::kSectorSize) return TruncatedError("DCO IDENTIFY data is 512 bytes");
  const uint64_t lba = uint64_t{Word(d, 3)} | uint64_t{Word(d, 4)} << 16 |
                       uint64_t{Word(d, 5)} << 32 | uint64_t{Word(d, 6)} << 48;
  if (Word(d, 0) == 0 || lba == 0) return CorruptionError("DCO IDENTIFY data carries no maximum LBA");
  return lba;
}

purge::ata::Taskfile ReadNativeMaxAddress(bool lba48) {
  purge::ata::Taskfile tf;
  tf.command = lba48 ? kCmdReadNativeMaxExt : kCmdReadNativeMax;
  tf.extend = lba48;
  tf.device = 0x40;  // LBA mode.
  tf.protocol = purge::ata::Protocol::kNonData;
  tf.check_condition = true;  // The answer is in the returned LBA registers.
  return tf;
}

purge::ata::Taskfile DcoIdentify() {
  purge::ata::Taskfile tf;
  tf.command = kCmdDeviceConfiguration;
  tf.feature = kDcoIdentifyFeature;
  tf.count = 1;
  tf.device = 0x40;
  tf.protocol = purge::ata::Protocol::kPioDataIn;
  return tf;
}

HiddenAreaReport AnalyzeHiddenArea(const AtaExtras& x, std::optional<uint64_t> native_max_lba,
                                   std::optional<uint64_t> factory_max_lba) {
  HiddenAreaReport r;
  r.checked = true;
  r.current_max_sectors = x.current_max_sectors;
  if (native_max_lba) r.native_max_sectors = *native_max_lba + 1;
  if (factory_max_lba) r.factory_max_sectors = *factory_max_lba + 1;
  const uint64_t native = r.native_max_sectors ? r.native_max_sectors : r.current_max_sectors;
  r.hpa_present = r.native_max_sectors > r.current_max_sectors;
  r.dco_present = r.factory_max_sectors > native;
  std::string note;
  if (r.hpa_present) {
    note += "Host Protected Area hides " + std::to_string(r.native_max_sectors - r.current_max_sectors) +
            " sectors beyond the " + std::to_string(r.current_max_sectors) +
            " the host can address; an overwrite cannot reach them. ";
  }
  if (r.dco_present) {
    note += "Device Configuration Overlay hides " + std::to_string(r.factory_max_sectors - native) +
            " further sectors. ";
  }
  if (!x.hpa_supported) note += "The drive does not support HPA. ";
  else if (!native_max_lba) note += "READ NATIVE MAX ADDRESS failed: HPA unknown. ";
  if (!x.dco_supported) note += "The drive does not support DCO.";
  else if (!factory_max_lba) note += "DCO IDENTIFY failed (the DCO may be frozen): DCO unknown.";
  while (!note.empty() && note.back() == ' ') note.pop_back();
  r.note = note;
  return r;
}

HiddenAreaReport ProbeAtaHiddenArea(ScsiTransport& t, AtaExtras* extras_out) {
  HiddenAreaReport unchecked;
  std::vector<uint8_t> data(purge::ata::kSectorSize);
  auto cdb = purge::ata::BuildPassThrough16(purge::ata::IdentifyDevice());
  auto out = t.Execute(cdb, DataDirection::kFromDevice, data, kTimeoutMs);
  if (!out.ok() || out->status != 0) {
    unchecked.note = "the drive did not answer ATA IDENTIFY DEVICE: HPA/DCO not checked";
    return unchecked;
  }
  auto x = ParseAtaExtras(data);
  if (!x.ok()) {
    unchecked.note = "IDENTIFY DEVICE data unusable (" + x.status().message() + ")";
    return unchecked;
  }
  if (extras_out) *extras_out = *x;
  std::optional<uint64_t> native, factory;
  if (x->hpa_supported) {
    cdb = purge::ata::BuildPassThrough16(ReadNativeMaxAddress(x->lba48));
    out = t.Execute(cdb, DataDirection::kNone, {}, kTimeoutMs);
    if (out.ok()) {
      auto regs = purge::ata::ParseReturnedRegisters(out->sense);
      // ERR bit clear and the upper LBA bits present (fixed-format sense
      // loses LBA 47:24, which would understate a large drive).
      if (regs.ok() && (regs->status & 0x01) == 0 && regs->complete) native = regs->lba;
    }
  }
  if (x->dco_supported) {
    std::fill(data.begin(), data.end(), 0);
    cdb = purge::ata::BuildPassThrough16(DcoIdentify());
    out = t.Execute(cdb, DataDirection::kFromDevice, data, kTimeoutMs);
    if (out.ok() && out->status == 0) {
      if (auto lba = ParseDcoMaxLba(data); lba.ok()) factory = *lba;
    }
  }
  return AnalyzeHiddenArea(*x, native, factory);
}

}  // namespace custody::device
