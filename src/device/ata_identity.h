// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ATA identity details the wipe needs beyond purge's IDENTIFY parser: WWN,
// rotation rate, and the Host Protected Area / Device Configuration Overlay
// check (ACS-2 §4.11/§4.9: READ NATIVE MAX ADDRESS EXT, DEVICE CONFIGURATION
// IDENTIFY). Sectors hidden by an HPA or DCO are invisible to every write
// through the block device, so a wipe must say they exist.
#ifndef CUSTODY_SRC_DEVICE_ATA_IDENTITY_H_
#define CUSTODY_SRC_DEVICE_ATA_IDENTITY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "custody/device.h"
#include "custody/passthrough.h"
#include "custody/status.h"
#include "purge/ata_commands.h"

namespace custody::device {

constexpr uint8_t kCmdReadNativeMaxExt = 0x27;
constexpr uint8_t kCmdReadNativeMax = 0xF8;
constexpr uint8_t kCmdDeviceConfiguration = 0xB1;
constexpr uint16_t kDcoIdentifyFeature = 0xC2;

struct AtaExtras {
  std::string wwn;                // Words 108-111 as "naa.<16 hex>", empty if absent.
  uint16_t rotation_rate = 0;     // Word 217: 1 = non-rotating (SSD), 0 = not reported.
  bool lba48 = false;
  bool hpa_supported = false;     // Word 82 bit 10.
  bool dco_supported = false;     // Word 83 bit 11.
  uint64_t current_max_sectors = 0;
};
Result<AtaExtras> ParseAtaExtras(std::span<const uint8_t> identify);

// Factory maximum LBA from DEVICE CONFIGURATION IDENTIFY data (words 3-6).
Result<uint64_t> ParseDcoMaxLba(std::span<const uint8_t> dco);

purge::ata::Taskfile ReadNativeMaxAddress(bool lba48);
purge::ata::Taskfile DcoIdentify();

// Compares what the host sees with what the drive has. `native_max_lba` and
// `factory_max_lba` are maximum LBAs (sectors - 1) when known.
HiddenAreaReport AnalyzeHiddenArea(const AtaExtras& extras, std::optional<uint64_t> native_max_lba,
                                   std::optional<uint64_t> factory_max_lba);

// Sends IDENTIFY DEVICE, READ NATIVE MAX ADDRESS (EXT) and DEVICE
// CONFIGURATION IDENTIFY through ATA PASS-THROUGH. Never fails: what could not
// be learned is said in the note.
HiddenAreaReport ProbeAtaHiddenArea(ScsiTransport& transport, AtaExtras* extras_out = nullptr);

}  // namespace custody::device

#endif  // CUSTODY_SRC_DEVICE_ATA_IDENTITY_H_
