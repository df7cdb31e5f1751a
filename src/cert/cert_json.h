// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The device object of docs/formats/certificate.md, shared by certificates and
// disposal records (a disposal record carries the very row its certificate
// will print).
#ifndef CUSTODY_SRC_CERT_CERT_JSON_H_
#define CUSTODY_SRC_CERT_CERT_JSON_H_

#include "cert/json_reader.h"
#include "custody/certificate.h"

namespace custody::cert {

Json DeviceToJson(const CertificateDevice& device);
CertificateDevice ReadDevice(JsonReader& reader);

}  // namespace custody::cert

#endif  // CUSTODY_SRC_CERT_CERT_JSON_H_
