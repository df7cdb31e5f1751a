// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// SCSI INQUIRY Vital Product Data (SPC-5 §7.7): page 80h (unit serial
// number) and page 83h (device identification: the WWN). Read with SG_IO,
// or from the copies the kernel keeps in sysfs (vpd_pg80, vpd_pg83).
#ifndef CUSTODY_SRC_DEVICE_SCSI_VPD_H_
#define CUSTODY_SRC_DEVICE_SCSI_VPD_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "custody/passthrough.h"
#include "custody/status.h"

namespace custody::device {

// INQUIRY with EVPD=1 for `page`, allocation length `length`.
std::array<uint8_t, 6> InquiryVpdCdb(uint8_t page, uint16_t length);
// Sends it; the page bytes, or an error.
Result<std::vector<uint8_t>> ReadVpdPage(ScsiTransport& t, uint8_t page);

// Page 80h: the serial, spaces trimmed. kCorruption if not page 80h.
Result<std::string> ParseUnitSerialPage(std::span<const uint8_t> page);
// Page 83h: the logical unit's best name: NAA ("naa.<hex>"), else EUI-64
// ("eui.<hex>"), else SCSI name string, else T10 vendor ID ("t10.<ascii>").
// Empty when none is present.
Result<std::string> ParseDeviceIdentificationPage(std::span<const uint8_t> page);

}  // namespace custody::device

#endif  // CUSTODY_SRC_DEVICE_SCSI_VPD_H_
