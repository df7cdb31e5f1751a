// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "device/device_json.h"

namespace custody {

nlohmann::json DeviceInfoToJson(const DeviceInfo& d) {
  nlohmann::json hidden = {{"checked", d.hidden.checked},
                           {"current_max_sectors", d.hidden.current_max_sectors},
                           {"native_max_sectors", d.hidden.native_max_sectors},
                           {"factory_max_sectors", d.hidden.factory_max_sectors},
                           {"hpa_present", d.hidden.hpa_present},
                           {"dco_present", d.hidden.dco_present},
                           {"note", d.hidden.note}};
  nlohmann::json open_by = nlohmann::json::array();
  for (const DeviceOpener& o : d.open_by) {
    open_by.push_back({{"pid", o.pid}, {"command", o.command}, {"device", o.device}});
  }
  return {{"path", d.path},
          {"name", d.name},
          {"kind", d.kind},
          {"parent", d.parent},
          {"vendor", d.vendor},
          {"model", d.model},
          {"serial", d.serial},
          {"firmware", d.firmware},
          {"wwn", d.wwn},
          {"transport", d.transport},
          {"size_bytes", d.size_bytes},
          {"logical_sector_size", d.logical_sector_size},
          {"physical_sector_size", d.physical_sector_size},
          {"rotational", d.rotational},
          {"removable", d.removable},
          {"read_only", d.read_only},
          {"backing_file", d.backing_file},
          {"hidden_area", hidden},
          {"in_use", d.in_use},
          {"open_by", open_by}};
}

DeviceInfo DeviceInfoFromJson(const nlohmann::json& j) {
  DeviceInfo d;
  auto str = [&](const char* k, std::string* out) {
    if (j.contains(k)) *out = j.at(k).get<std::string>();
  };
  str("path", &d.path);
  str("name", &d.name);
  str("kind", &d.kind);
  str("parent", &d.parent);
  str("vendor", &d.vendor);
  str("model", &d.model);
  str("serial", &d.serial);
  str("firmware", &d.firmware);
  str("wwn", &d.wwn);
  str("transport", &d.transport);
  str("backing_file", &d.backing_file);
  d.size_bytes = j.value("size_bytes", uint64_t{0});
  d.logical_sector_size = j.value("logical_sector_size", uint32_t{0});
  d.physical_sector_size = j.value("physical_sector_size", uint32_t{0});
  d.rotational = j.value("rotational", false);
  d.removable = j.value("removable", false);
  d.read_only = j.value("read_only", false);
  if (j.contains("in_use")) d.in_use = j.at("in_use").get<std::vector<std::string>>();
  if (j.contains("open_by") && j.at("open_by").is_array()) {
    for (const auto& o : j.at("open_by")) {
      d.open_by.push_back({o.value("pid", 0), o.value("command", std::string()),
                           o.value("device", std::string())});
    }
  }
  if (j.contains("hidden_area")) {
    const auto& h = j.at("hidden_area");
    d.hidden.checked = h.value("checked", false);
    d.hidden.current_max_sectors = h.value("current_max_sectors", uint64_t{0});
    d.hidden.native_max_sectors = h.value("native_max_sectors", uint64_t{0});
    d.hidden.factory_max_sectors = h.value("factory_max_sectors", uint64_t{0});
    d.hidden.hpa_present = h.value("hpa_present", false);
    d.hidden.dco_present = h.value("dco_present", false);
    d.hidden.note = h.value("note", std::string());
  }
  return d;
}

std::string DeviceInfo::ToJson() const {
  // Drive firmware can return any bytes; never throw on invalid UTF-8.
  return DeviceInfoToJson(*this).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace custody
