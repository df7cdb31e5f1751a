// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The certificate's enumerations: their JSON spelling (stable, part of the
// format) and their Japanese and English wording (for the PDF, may improve).
// One table per enum so JSON and paper can never disagree.
#ifndef CUSTODY_SRC_CERT_VOCABULARY_H_
#define CUSTODY_SRC_CERT_VOCABULARY_H_

#include <array>
#include <optional>
#include <string_view>

#include "custody/certificate.h"

namespace custody::cert {

template <typename E>
struct Term {
  E value;
  std::string_view json, ja, en;
};

inline constexpr std::array<Term<DisposalReason>, 5> kReasons{{
    {DisposalReason::kDisposal, "disposal", "廃棄", "Disposal"},
    {DisposalReason::kLeaseReturn, "lease-return", "リース返却", "Lease return"},
    {DisposalReason::kRepair, "repair", "修理", "Repair"},
    {DisposalReason::kReuse, "reuse", "再利用", "Reuse"},
    {DisposalReason::kContractEnd, "contract-end", "契約終了", "End of contract"},
}};

inline constexpr std::array<Term<WorkPlace>, 3> kPlaces{{
    {WorkPlace::kGovernmentPremises, "government-premises", "庁舎内", "On the client's premises"},
    {WorkPlace::kContractorFacility, "contractor-facility", "事業者施設", "Contractor's facility"},
    {WorkPlace::kOther, "other", "その他", "Other"},
}};

inline constexpr std::array<Term<MediaType>, 10> kMedia{{
    {MediaType::kHdd, "hdd", "HDD", "HDD"},
    {MediaType::kSsd, "ssd", "SSD", "SSD"},
    {MediaType::kNvme, "nvme", "NVMe SSD", "NVMe SSD"},
    {MediaType::kUsbFlash, "usb-flash", "USBメモリ", "USB flash drive"},
    {MediaType::kSdCard, "sd-card", "SDカード", "SD card"},
    {MediaType::kEmmc, "emmc", "eMMC", "eMMC"},
    {MediaType::kOptical, "optical", "光ディスク", "Optical disc"},
    {MediaType::kTape, "tape", "磁気テープ", "Tape"},
    {MediaType::kOther, "other", "その他", "Other"},
    {MediaType::kEncryptedData, "encrypted-data", "暗号化データ (custody vault)",
     "Encrypted data (custody vault)"},
}};

inline constexpr std::array<Term<HiddenAreas>, 5> kHiddenAreas{{
    {HiddenAreas::kNotChecked, "not-checked", "未確認", "Not checked"},
    {HiddenAreas::kNone, "none", "検出なし", "None found"},
    {HiddenAreas::kRemoved, "removed", "検出・解除済", "Found, removed"},
    {HiddenAreas::kPresent, "present", "検出・未解除", "Found, NOT removed"},
    {HiddenAreas::kNotApplicable, "not-applicable", "該当なし", "N/A"},
}};

inline constexpr std::array<Term<MethodFamily>, 5> kFamilies{{
    {MethodFamily::kOverwrite, "overwrite", "上書き消去", "Overwrite"},
    {MethodFamily::kCryptoErase, "crypto-erase", "暗号化消去", "Cryptographic erase"},
    {MethodFamily::kFirmwarePurge, "firmware-purge", "ファームウェア消去 (Purge)",
     "Firmware sanitize (Purge)"},
    {MethodFamily::kPhysicalDestruction, "physical-destruction", "物理的破壊",
     "Physical destruction"},
    {MethodFamily::kDegauss, "degauss", "磁気的破壊", "Degaussing"},
}};

inline constexpr std::array<Term<SanitizationLevel>, 3> kLevels{{
    {SanitizationLevel::kClear, "clear", "Clear", "Clear"},
    {SanitizationLevel::kPurge, "purge", "Purge", "Purge"},
    {SanitizationLevel::kDestroy, "destroy", "Destroy", "Destroy"},
}};

inline constexpr std::array<Term<Outcome>, 3> kOutcomes{{
    {Outcome::kCompleted, "completed", "完了", "Completed"},
    {Outcome::kFailed, "failed", "失敗", "FAILED"},
    {Outcome::kInterrupted, "interrupted", "中断", "INTERRUPTED"},
}};

inline constexpr std::array<Term<VerificationResult>, 3> kVerificationResults{{
    {VerificationResult::kPassed, "passed", "合格", "Passed"},
    {VerificationResult::kFailed, "failed", "不合格", "FAILED"},
    {VerificationResult::kNotVerified, "not-verified", "未検証", "Not verified"},
}};

template <typename E, size_t N>
const Term<E>& TermOf(const std::array<Term<E>, N>& table, E value) {
  for (const Term<E>& t : table)
    if (t.value == value) return t;
  return table[0];  // Unreachable for a valid enum value.
}

template <typename E, size_t N>
std::optional<E> FromJson(const std::array<Term<E>, N>& table, std::string_view json) {
  for (const Term<E>& t : table)
    if (t.json == json) return t.value;
  return std::nullopt;
}

}  // namespace custody::cert

#endif  // CUSTODY_SRC_CERT_VOCABULARY_H_
