// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The device columns of a certificate row from the `target` object that
// wipe, purge and crypto-erase records repeat (device/device_json.h:
// DeviceInfoToJson). Shared by the row builders of src/cert.
#ifndef CUSTODY_SRC_CERT_DEVICE_IDENTITY_H_
#define CUSTODY_SRC_CERT_DEVICE_IDENTITY_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "custody/certificate.h"
#include "custody/ledger.h"

namespace custody::cert {

inline MediaType MediaOf(const std::string& transport, bool rotational) {
  if (transport == "nvme") return MediaType::kNvme;
  if (transport == "mmc") return MediaType::kEmmc;
  if (transport == "usb") return rotational ? MediaType::kHdd : MediaType::kUsbFlash;
  if (transport == "sata" || transport == "sas" || transport == "ata")
    return rotational ? MediaType::kHdd : MediaType::kSsd;
  return MediaType::kOther;  // file, loop, virtual, unknown
}

inline std::string InterfaceOf(const std::string& transport) {
  static const std::map<std::string, std::string> names = {
      {"sata", "SATA"}, {"ata", "ATA"},   {"sas", "SAS"},   {"nvme", "NVMe"},      {"usb", "USB"},
      {"mmc", "MMC"},   {"loop", "loop"}, {"file", "file"}, {"virtual", "virtual"}};
  auto it = names.find(transport);
  return it == names.end() ? "" : it->second;
}

// Fills media, maker, model, serial (or asset tag from the path of a file or
// loop image), capacity, interface and HPA/DCO. Throws nlohmann's exceptions
// on wrong types; callers turn them into kCorruption.
inline void FillIdentity(const nlohmann::json& t, CertificateDevice* d) {
  const std::string transport = t.value("transport", "unknown"), kind = t.value("kind", "");
  d->media = MediaOf(transport, t.value("rotational", false));
  d->maker = t.value("vendor", "");
  d->model = t.value("model", "");
  d->serial = t.value("serial", "");
  if (d->serial.empty() && (kind == "file" || kind == "loop"))
    d->asset_tag = t.value("path", "");  // A file or loop image is identified by its path.
  d->capacity_bytes = t.value("size_bytes", int64_t{0});
  d->interface = InterfaceOf(transport);
  if (kind == "file" || kind == "loop") {
    d->hpa_dco = HiddenAreas::kNotApplicable;
  } else if (t.contains("hidden_area") && t["hidden_area"].value("checked", false)) {
    const nlohmann::json& h = t["hidden_area"];
    d->hpa_dco = h.value("hpa_present", false) || h.value("dco_present", false)
                     ? HiddenAreas::kPresent
                     : HiddenAreas::kNone;
  } else {
    d->hpa_dco = HiddenAreas::kNotChecked;
  }
}

// "100%", "0.25%" from basis points.
std::string Coverage(uint64_t basis_points);

// The row one purge or crypto-erase final entry yields (purge_source.cc).
Result<CertificateDevice> RowFromEraseEntry(const LedgerEntry& entry);

}  // namespace custody::cert

#endif  // CUSTODY_SRC_CERT_DEVICE_IDENTITY_H_
