// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "support/fake_drive.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

namespace custody::testing {
namespace {

void PutLe(std::span<uint8_t> d, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) d[at + i] = (v >> (8 * i)) & 0xFF;
}
void PutAscii(std::span<uint8_t> d, size_t at, const std::string& s, size_t width) {
  for (size_t i = 0; i < width; ++i) d[at + i] = i < s.size() ? s[i] : ' ';
}

NvmeCompletion Status(uint16_t status) { return NvmeCompletion{status, 0}; }
constexpr uint16_t kInvalidOpcode = 0x4001;  // DNR | SCT 0 | SC 01h.
constexpr uint16_t kInvalidField = 0x4002;
constexpr uint16_t kSanitizeInProgress = 0x001D;
constexpr uint16_t kInvalidFormat = 0x410A;  // DNR | SCT 1 | SC 0Ah.

ScsiOutcome FixedSense(uint8_t key, uint8_t asc, uint8_t ascq) {
  ScsiOutcome out;
  out.status = 0x02;
  out.sense = {0x70, 0, key, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0};
  return out;
}

}  // namespace

void ApplyErase(FakeBlockDevice* medium, EraseEffect effect) {
  auto& m = medium->medium();
  switch (effect) {
    case EraseEffect::kZeros: std::fill(m.begin(), m.end(), 0x00); break;
    case EraseEffect::kOnes: std::fill(m.begin(), m.end(), 0xFF); break;
    case EraseEffect::kRandom: {
      std::mt19937 rng(2883);  // A new media key: the old plaintext reads back as noise.
      for (auto& b : m) b = static_cast<uint8_t>(rng());
      break;
    }
    case EraseEffect::kNothing: break;
  }
}

// ---------------------------------------------------------------- NVMe

FakeNvmeDrive::FakeNvmeDrive(FakeBlockDevice* medium, Config config)
    : medium_(medium), config_(std::move(config)) {}

int FakeNvmeDrive::sanitize_commands() const {
  return static_cast<int>(std::count_if(commands_.begin(), commands_.end(),
                                        [](const NvmeAdminCommand& c) { return c.opcode == 0x84; }));
}

void FakeNvmeDrive::BeginSanitize(uint32_t cdw10) {
  sstat_ = 2;
  sprog_ = 0;
  scdw10_ = cdw10;
  polls_left_ = config_.polls_to_finish;
}

void FakeNvmeDrive::FinishSanitize() {
  sprog_ = 0xFFFF;  // No sanitize in progress.
  const bool ndas = scdw10_ & (1u << 9);
  if (config_.fail_sanitize) {
    sstat_ = 3;
    return;
  }
  if (!config_.lie) {
    switch (scdw10_ & 0x7) {
      case 2: ApplyErase(medium_, ndas ? EraseEffect::kOnes : EraseEffect::kZeros); break;
      case 4: ApplyErase(medium_, EraseEffect::kRandom); break;
      case 3: ApplyErase(medium_, EraseEffect::kZeros); break;
      default: break;
    }
  }
  sstat_ = (ndas ? 4 : 1) | 0x100 | (1 << 3);  // Status, Global Data Erased, 1 pass.
}

Result<NvmeCompletion> FakeNvmeDrive::Admin(const NvmeAdminCommand& c, DataDirection direction,
                                            std::span<uint8_t> data) {
  commands_.push_back(c);
  const bool reads = (c.opcode & 0x3) == 0x2;
  if (reads != (direction == DataDirection::kFromDevice) || (!reads && !data.empty())) {
    return InternalError("fake NVMe: data direction does not match the opcode");
  }
  switch (c.opcode) {
    case 0x06: return Identify(c, data);
    case 0x02: return GetLog(c, data);
    case 0x84: return Sanitize(c);
    case 0x80: return Format(c);
    default: return Status(kInvalidOpcode);
  }
}

NvmeCompletion FakeNvmeDrive::Identify(const NvmeAdminCommand& c, std::span<uint8_t> d) {
  if (d.size() != 4096) return Status(kInvalidField);
  std::fill(d.begin(), d.end(), 0);
  const uint8_t cns = c.cdw[0] & 0xFF;
  if (cns == 0x01) {
    PutLe(d, 0, 0x1B36, 2);
    PutAscii(d, 4, config_.serial, 20);
    PutAscii(d, 24, config_.model, 40);
    PutAscii(d, 64, "1.0", 8);
    PutLe(d, 256, config_.oacs, 2);
    PutLe(d, 328, config_.sanicap, 4);
    PutLe(d, 516, 1, 4);  // NN.
    d[524] = config_.fna;
    return Status(0);
  }
  if (cns == 0x00) {
    if (c.nsid != 1) return Status(0x400B);  // Invalid Namespace or Format.
    const uint64_t blocks = medium_->size() / 512;
    PutLe(d, 0, blocks, 8);
    PutLe(d, 8, blocks, 8);
    PutLe(d, 16, blocks, 8);
    d[25] = 1;     // Two LBA formats; the namespace uses format 0.
    d[130] = 9;    // Format 0: 512-byte blocks.
    d[134] = 12;   // Format 1: 4096-byte blocks.
    return Status(0);
  }
  return Status(kInvalidField);
}

NvmeCompletion FakeNvmeDrive::GetLog(const NvmeAdminCommand& c, std::span<uint8_t> d) {
  const uint32_t numd = (c.cdw[0] >> 16) | ((c.cdw[1] & 0xFFFF) << 16);
  if (d.size() != (static_cast<size_t>(numd) + 1) * 4) return Status(kInvalidField);
  if ((c.cdw[0] & 0xFF) != 0x81 || !config_.sanitize_log) return Status(kInvalidField);
  if ((sstat_ & 0x7) == 2 && !config_.never_finishes) {
    if (--polls_left_ <= 0) {
      FinishSanitize();
    } else {
      sprog_ = static_cast<uint16_t>(65536 * (config_.polls_to_finish - polls_left_) /
                                     config_.polls_to_finish);
    }
  }
  std::fill(d.begin(), d.end(), 0);
  PutLe(d, 0, sprog_, 2);
  PutLe(d, 2, sstat_, 2);
  PutLe(d, 4, scdw10_, 4);
  for (size_t at = 8; at < 32; at += 4) PutLe(d, at, 0xFFFFFFFF, 4);
  PutLe(d, 12, config_.estimate_seconds, 4);      // Block erase.
  PutLe(d, 16, config_.estimate_seconds / 2, 4);  // Crypto erase.
  PutLe(d, 24, config_.estimate_seconds * 2, 4);  // Block erase, no-deallocate.
  return Status(0);
}

NvmeCompletion FakeNvmeDrive::Sanitize(const NvmeAdminCommand& c) {
  if (!config_.sanitize_opcode) return Status(kInvalidOpcode);
  if ((sstat_ & 0x7) == 2) return Status(kSanitizeInProgress);
  const uint32_t cdw10 = c.cdw[0];
  const uint32_t sanact = cdw10 & 0x7;
  const bool supported = (sanact == 2 && (config_.sanicap & 0x2)) ||
                         (sanact == 3 && (config_.sanicap & 0x4)) ||
                         (sanact == 4 && (config_.sanicap & 0x1));
  if (!supported) return Status(kInvalidField);
  // NDAS with No-Deallocate Inhibited (and NODRM 0): Invalid Field.
  if ((cdw10 & (1u << 9)) && (config_.sanicap & (1u << 29))) return Status(kInvalidField);
  BeginSanitize(cdw10);
  return Status(0);
}

NvmeCompletion FakeNvmeDrive::Format(const NvmeAdminCommand& c) {
  if (!(config_.oacs & 0x2)) return Status(kInvalidOpcode);
  const uint32_t cdw10 = c.cdw[0];
  const uint32_t lbaf = (cdw10 & 0xF) | (((cdw10 >> 12) & 0x3) << 4);
  const uint32_t ses = (cdw10 >> 9) & 0x7;
  if (lbaf != 0) return Status(kInvalidFormat);  // Would change the block size: refused here.
  if (ses > 2 || (ses == 2 && !(config_.fna & 0x4))) return Status(kInvalidField);
  if (!config_.lie) ApplyErase(medium_, ses == 2 ? EraseEffect::kRandom : EraseEffect::kZeros);
  return Status(0);
}

// ---------------------------------------------------------------- ATA

FakeAtaDrive::FakeAtaDrive(FakeBlockDevice* medium, Config config)
    : medium_(medium), config_(std::move(config)) {
  if (!config_.password.empty()) {
    password_ = config_.password;
    password_.resize(32, '\0');
  }
  locked_ = config_.locked;
}

ScsiOutcome FakeAtaDrive::Sense(uint8_t key, uint8_t asc, uint8_t ascq, const Regs& r,
                                bool extend) const {
  ScsiOutcome out;
  out.status = 0x02;
  // Linux libata before 6.10 gave descriptor format on success with
  // CK_COND, and misplaced fixed format on errors.
  if (config_.legacy_libata_sense && key != 0x01) {
    out.sense = {0x70, 0, key, 0, 0, 0, 0, 0x0A, r.error, r.status, r.device,
                 static_cast<uint8_t>(r.count), asc, ascq, 0, 0,
                 static_cast<uint8_t>(extend ? 0x80 : 0), 0};
    return out;
  }
  if (config_.fixed_format_sense) {
    const uint8_t flags = (extend ? 0x80 : 0) | ((r.count >> 8) ? 0x40 : 0) |
                          ((r.lba >> 24) ? 0x20 : 0);
    out.sense = {0xF0, 0, key, r.error, r.status, r.device, static_cast<uint8_t>(r.count),
                 0x0A, flags, static_cast<uint8_t>(r.lba), static_cast<uint8_t>(r.lba >> 8),
                 static_cast<uint8_t>(r.lba >> 16), asc, ascq, 0, 0, 0, 0};
    return out;
  }
  out.sense = {0x72, key, asc, ascq, 0, 0, 0, 14,
               0x09, 0x0C, static_cast<uint8_t>(extend ? 1 : 0), r.error,
               static_cast<uint8_t>(r.count >> 8), static_cast<uint8_t>(r.count),
               static_cast<uint8_t>(r.lba >> 24), static_cast<uint8_t>(r.lba),
               static_cast<uint8_t>(r.lba >> 32), static_cast<uint8_t>(r.lba >> 8),
               static_cast<uint8_t>(r.lba >> 40), static_cast<uint8_t>(r.lba >> 16),
               r.device, r.status};
  return out;
}

ScsiOutcome FakeAtaDrive::Good(const Regs& regs, bool check_condition) const {
  if (!check_condition) return ScsiOutcome{};
  return Sense(0x01, 0x00, 0x1D, regs, true);  // ATA PASS THROUGH INFORMATION AVAILABLE.
}

ScsiOutcome FakeAtaDrive::Abort(uint64_t lba_reason) const {
  Regs r;
  r.error = 0x04;   // ABRT.
  r.status = 0x51;  // DRDY | ERR.
  r.lba = lba_reason;
  return Sense(0x0B, 0x00, 0x00, r, true);
}

void FakeAtaDrive::Identify(std::span<uint8_t> d) const {
  std::fill(d.begin(), d.end(), 0);
  auto word = [&](int w, uint16_t v) { PutLe(d, 2 * w, v, 2); };
  auto str = [&](int w, const std::string& s, int words) {
    std::string p = s;
    p.resize(2 * words, ' ');
    for (int i = 0; i < words; ++i) word(w + i, static_cast<uint16_t>((p[2 * i] << 8) | p[2 * i + 1]));
  };
  str(10, "FAKEATA0001", 10);
  str(23, "1.0", 4);
  str(27, "custody fake SATA SSD", 20);
  uint16_t w59 = 0;
  if (config_.sanitize) {
    w59 = 0x1000 | (config_.crypto_scramble ? 0x2000 : 0) | (config_.overwrite ? 0x4000 : 0) |
          (config_.block_erase ? 0x8000 : 0);
  }
  word(59, w59);
  word(82, config_.security ? 0x0002 : 0);
  word(83, 0x4400);
  PutLe(d, 200, medium_->size() / 512, 8);
  word(89, config_.word89);
  word(90, config_.word90);
  uint16_t w128 = 0;
  if (config_.security) {
    w128 = 0x1 | (password_.empty() ? 0 : 0x2) | (locked_ ? 0x4 : 0) |
           (config_.security_frozen ? 0x8 : 0) | (attempts_left_ == 0 ? 0x10 : 0) |
           (config_.enhanced_erase ? 0x20 : 0);
  }
  word(128, w128);
  d[510] = 0xA5;
  uint8_t sum = 0;
  for (int i = 0; i < 511; ++i) sum += d[i];
  d[511] = static_cast<uint8_t>(-sum);
}

void FakeAtaDrive::Erase() {
  ApplyErase(medium_, config_.erase_effect);
  erased_ = true;
}

Result<ScsiOutcome> FakeAtaDrive::Execute(std::span<const uint8_t> cdb, DataDirection direction,
                                          std::span<uint8_t> data, uint32_t) {
  if (cdb.size() != 16 || cdb[0] != 0x85 || config_.reject_passthrough) {
    return FixedSense(0x05, 0x20, 0x00);  // ILLEGAL REQUEST, invalid command operation code.
  }
  const int protocol = (cdb[1] >> 1) & 0xF;
  const bool extend = cdb[1] & 1;
  const bool ck_cond = cdb[2] & 0x20;
  const uint16_t feature = static_cast<uint16_t>((extend ? cdb[3] << 8 : 0) | cdb[4]);
  const uint16_t count = static_cast<uint16_t>((extend ? cdb[5] << 8 : 0) | cdb[6]);
  uint64_t lba = cdb[8] | (cdb[10] << 8) | (static_cast<uint64_t>(cdb[12]) << 16);
  if (extend) {
    lba |= (static_cast<uint64_t>(cdb[7]) << 24) | (static_cast<uint64_t>(cdb[9]) << 32) |
           (static_cast<uint64_t>(cdb[11]) << 40);
  }
  const uint8_t command = cdb[14];
  // Protocol and transfer fields must agree with the buffer.
  const bool pio_in = protocol == 4, pio_out = protocol == 5;
  if ((pio_in || pio_out) &&
      (data.size() != 512 || count != 1 || (cdb[2] & 0x07) != 0x06 ||
       bool(cdb[2] & 0x08) != pio_in ||
       direction != (pio_in ? DataDirection::kFromDevice : DataDirection::kToDevice))) {
    return FixedSense(0x05, 0x24, 0x00);  // Invalid field in CDB.
  }
  if (protocol == 3 && (!data.empty() || direction != DataDirection::kNone)) {
    return FixedSense(0x05, 0x24, 0x00);
  }
  char name[16];
  std::snprintf(name, sizeof(name), command == 0xB4 ? "B4/%04X" : "%02X", command == 0xB4 ? feature : command);
  log_.emplace_back(name);

  const bool was_prepared = prepared_;
  prepared_ = false;  // ERASE UNIT must immediately follow ERASE PREPARE.
  const bool expired = attempts_left_ == 0;
  std::string given;
  if (pio_out) {
    given.assign(reinterpret_cast<const char*>(data.data()) + 2, 32);
  }
  auto wrong_password = [&]() {
    if (given == password_) return false;
    --attempts_left_;
    return true;
  };

  switch (command) {
    case 0xEC:
      if (!pio_in) return Abort();
      Identify(data);
      return Good({}, ck_cond);
    case 0xB4: {
      if (!extend || !config_.sanitize) return Abort(2);
      if (feature == 0x0000) {
        Regs r;
        r.lba = 0xFFFF;
        if (sanitizing_) {
          if (--polls_left_ <= 0) {
            sanitizing_ = false;
            last_sanitize_ok_ = !config_.fail_sanitize;
            if (last_sanitize_ok_) Erase();
          } else {
            progress_ = static_cast<uint16_t>(65536 * (config_.polls_to_finish - polls_left_) /
                                              config_.polls_to_finish);
            r.lba = progress_;
          }
        }
        r.count = static_cast<uint16_t>((last_sanitize_ok_ && !sanitizing_ ? 0x8000 : 0) |
                                        (sanitizing_ ? 0x4000 : 0) |
                                        (config_.sanitize_frozen ? 0x2000 : 0));
        return Good(r, ck_cond);
      }
      const bool ok_feature = (feature == 0x0011 && config_.crypto_scramble &&
                               (lba & 0xFFFFFFFF) == 0x43727970) ||
                              (feature == 0x0012 && config_.block_erase &&
                               (lba & 0xFFFFFFFF) == 0x426B4572) ||
                              (feature == 0x0014 && config_.overwrite &&
                               ((lba >> 32) & 0xFFFF) == 0x4F57);
      if (!ok_feature) return Abort(2);
      if (config_.sanitize_frozen) return Abort(3);
      if (sanitizing_) return Abort();
      sanitizing_ = true;
      last_sanitize_ok_ = false;
      polls_left_ = config_.polls_to_finish;
      return Good({}, ck_cond);
    }
    case 0xF1:  // SECURITY SET PASSWORD.
      if (!config_.security || config_.security_frozen || locked_ || !pio_out) return Abort();
      if (data[0] & 0x1) return Good({}, ck_cond);  // Master password: accepted, not modelled.
      password_ = given;
      return Good({}, ck_cond);
    case 0xF2:  // SECURITY UNLOCK.
      if (!config_.security || expired || !pio_out) return Abort();
      if (wrong_password()) return Abort();
      locked_ = false;
      return Good({}, ck_cond);
    case 0xF3:  // SECURITY ERASE PREPARE.
      if (!config_.security || config_.security_frozen) return Abort();
      prepared_ = true;
      return Good({}, ck_cond);
    case 0xF4:  // SECURITY ERASE UNIT.
      if (!config_.security || !was_prepared || config_.security_frozen || expired ||
          password_.empty() || !pio_out) {
        return Abort();
      }
      if (wrong_password()) return Abort();
      if ((data[0] & 0x2) && !config_.enhanced_erase) return Abort();
      if (config_.fail_erase_unit) {
        if (config_.lock_after_failed_erase) locked_ = true;
        return Abort();
      }
      Erase();
      if (!config_.keep_password_after_erase) password_.clear();
      return Good({}, ck_cond);
    case 0xF6:  // SECURITY DISABLE PASSWORD.
      if (!config_.security || config_.security_frozen || locked_ || expired || !pio_out) {
        return Abort();
      }
      if (password_.empty()) return Good({}, ck_cond);
      if (wrong_password()) return Abort();
      password_.clear();
      return Good({}, ck_cond);
    default:
      return Abort();
  }
}

// ---------------------------------------------------------------- SCSI

FakeScsiDrive::FakeScsiDrive(FakeBlockDevice* medium, Config config)
    : medium_(medium), config_(std::move(config)) {}

Result<ScsiOutcome> FakeScsiDrive::Execute(std::span<const uint8_t> cdb, DataDirection direction,
                                           std::span<uint8_t> data, uint32_t) {
  cdbs_.emplace_back(cdb.begin(), cdb.end());
  auto supported = [&](uint8_t sa) {
    return (sa == 1 && config_.overwrite) || (sa == 2 && config_.block_erase) ||
           (sa == 3 && config_.crypto_erase);
  };
  switch (cdb[0]) {
    case 0xA3: {
      if (!config_.report_opcodes || cdb.size() != 12 || cdb[1] != 0x0C) {
        return FixedSense(0x05, 0x20, 0x00);
      }
      if ((cdb[2] & 0x7) != 0x2 || direction != DataDirection::kFromDevice || data.size() < 4) {
        return FixedSense(0x05, 0x24, 0x00);
      }
      const uint16_t sa = static_cast<uint16_t>((cdb[4] << 8) | cdb[5]);
      std::fill(data.begin(), data.end(), 0);
      data[1] = (cdb[3] == 0x48 && supported(static_cast<uint8_t>(sa))) ? 0x03 : 0x01;
      data[3] = 10;  // CDB SIZE.
      return ScsiOutcome{};
    }
    case 0x48: {
      if (cdb.size() != 10) return FixedSense(0x05, 0x24, 0x00);
      const uint8_t sa = cdb[1] & 0x1F;
      const uint16_t plen = static_cast<uint16_t>((cdb[7] << 8) | cdb[8]);
      if (!supported(sa)) return FixedSense(0x05, 0x24, 0x00);
      if ((sa == 1) != (plen > 0) || plen != data.size()) return FixedSense(0x05, 0x24, 0x00);
      if (sanitizing_) return FixedSense(0x02, 0x04, 0x1B);
      sanitizing_ = true;
      failed_ = false;
      polls_left_ = (cdb[1] & 0x80) ? config_.polls_to_finish : 0;
      if (polls_left_ == 0) {  // Without IMMED the command returns when done.
        sanitizing_ = false;
        failed_ = config_.fail_sanitize;
        if (!failed_) ApplyErase(medium_, config_.erase_effect);
      }
      return ScsiOutcome{};
    }
    case 0x03: {
      if (cdb.size() != 6 || direction != DataDirection::kFromDevice) {
        return FixedSense(0x05, 0x24, 0x00);
      }
      std::vector<uint8_t> sense = {0x70, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
      if (sanitizing_ && --polls_left_ <= 0) {
        sanitizing_ = false;
        failed_ = config_.fail_sanitize;
        if (!failed_) ApplyErase(medium_, config_.erase_effect);
      }
      if (sanitizing_) {
        const uint16_t progress = static_cast<uint16_t>(
            65536 * (config_.polls_to_finish - polls_left_) / config_.polls_to_finish);
        sense[2] = 0x02;
        sense[12] = 0x04;
        sense[13] = 0x1B;
        sense[15] = 0x80;  // SKSV.
        sense[16] = progress >> 8;
        sense[17] = progress & 0xFF;
      } else if (failed_) {
        sense[2] = 0x03;
        sense[12] = 0x31;
        sense[13] = 0x03;
      }
      const size_t n = std::min<size_t>({data.size(), sense.size(), cdb[4]});
      std::memcpy(data.data(), sense.data(), n);
      ScsiOutcome out;
      out.residual = static_cast<int32_t>(data.size() - n);
      return out;
    }
    default:
      return FixedSense(0x05, 0x20, 0x00);
  }
}

}  // namespace custody::testing
