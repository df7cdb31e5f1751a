// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The strict JSON reader moved to src/common/json_reader.h (receipts use it
// too); certificate code keeps its names.
#ifndef CUSTODY_SRC_CERT_JSON_READER_H_
#define CUSTODY_SRC_CERT_JSON_READER_H_

#include "cert/vocabulary.h"
#include "common/json_reader.h"

namespace custody::cert {

using Json = nlohmann::json;
using json::JsonReader;

}  // namespace custody::cert

#endif  // CUSTODY_SRC_CERT_JSON_READER_H_
