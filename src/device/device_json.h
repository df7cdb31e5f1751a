// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// DeviceInfo <-> JSON (the "target" object of wipe records and state files).
#ifndef CUSTODY_SRC_DEVICE_DEVICE_JSON_H_
#define CUSTODY_SRC_DEVICE_DEVICE_JSON_H_

#include <nlohmann/json.hpp>

#include "custody/device.h"

namespace custody {

nlohmann::json DeviceInfoToJson(const DeviceInfo& info);
// Tolerates missing fields (older records); throws nlohmann::json::exception
// on wrong types (callers catch).
DeviceInfo DeviceInfoFromJson(const nlohmann::json& j);

}  // namespace custody

#endif  // CUSTODY_SRC_DEVICE_DEVICE_JSON_H_
