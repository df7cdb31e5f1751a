// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "device/scsi_vpd.h"

#include "crypto/encoding.h"

namespace custody::device {
namespace {

std::string Printable(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes) {
    if (b == 0) break;
    s.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '?');
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  size_t start = s.find_first_not_of(' ');
  return start == std::string::npos ? "" : s.substr(start);
}

Result<std::span<const uint8_t>> PageBody(std::span<const uint8_t> page, uint8_t code) {
  if (page.size() < 4 || page[1] != code) {
    return CorruptionError("not VPD page " + std::to_string(code));
  }
  const size_t len = size_t{page[2]} << 8 | page[3];
  if (len > page.size() - 4) return TruncatedError("VPD page shorter than its length field");
  return page.subspan(4, len);
}

}  // namespace

std::array<uint8_t, 6> InquiryVpdCdb(uint8_t page, uint16_t length) {
  return {0x12, 0x01, page, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), 0};
}

Result<std::vector<uint8_t>> ReadVpdPage(ScsiTransport& t, uint8_t page) {
  std::vector<uint8_t> data(1024);
  auto cdb = InquiryVpdCdb(page, static_cast<uint16_t>(data.size()));
  CUSTODY_ASSIGN_OR_RETURN(ScsiOutcome out, t.Execute(cdb, DataDirection::kFromDevice, data, 10000));
  if (out.status != 0) return UnsupportedError("the device rejected INQUIRY VPD page");
  if (out.residual > 0 && static_cast<size_t>(out.residual) <= data.size()) {
    data.resize(data.size() - static_cast<size_t>(out.residual));
  }
  return data;
}

Result<std::string> ParseUnitSerialPage(std::span<const uint8_t> page) {
  CUSTODY_ASSIGN_OR_RETURN(auto body, PageBody(page, 0x80));
  return Printable(body);
}

Result<std::string> ParseDeviceIdentificationPage(std::span<const uint8_t> page) {
  CUSTODY_ASSIGN_OR_RETURN(auto body, PageBody(page, 0x83));
  std::string naa, eui, name, t10;
  for (size_t pos = 0; pos + 4 <= body.size();) {
    const uint8_t code_set = body[pos] & 0x0F;
    const uint8_t association = (body[pos + 1] >> 4) & 0x3;
    const uint8_t type = body[pos + 1] & 0x0F;
    const size_t len = body[pos + 3];
    if (pos + 4 + len > body.size()) return TruncatedError("VPD page 83h designator overruns the page");
    auto id = body.subspan(pos + 4, len);
    pos += 4 + len;
    if (association != 0) continue;  // Only the logical unit itself, not ports or targets.
    std::string_view raw(reinterpret_cast<const char*>(id.data()), id.size());
    if (type == 3 && code_set == 1 && naa.empty()) naa = "naa." + encoding::HexEncode(raw);
    if (type == 2 && code_set == 1 && eui.empty()) eui = "eui." + encoding::HexEncode(raw);
    if (type == 8 && name.empty()) name = Printable(id);
    if (type == 1 && t10.empty()) t10 = "t10." + Printable(id);
  }
  for (const std::string* s : {&naa, &eui, &name, &t10}) {
    if (!s->empty()) return *s;
  }
  return std::string();
}

}  // namespace custody::device
