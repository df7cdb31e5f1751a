// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The receipt's enumerations: JSON spelling (stable, part of the format) and
// Japanese / English wording (for the PDF and registers). One table per enum
// so that JSON, paper and CSV can never disagree.
#ifndef CUSTODY_SRC_RECEIPT_VOCABULARY_H_
#define CUSTODY_SRC_RECEIPT_VOCABULARY_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "custody/receipt.h"
#include "custody/status.h"

namespace custody::receipt {

template <typename E>
struct Term {
  E value;
  std::string_view json, ja, en;
};

inline constexpr std::array<Term<ReceiptMedium>, 10> kMedia{{
    {ReceiptMedium::kUsbFlash, "usb-flash", "USBメモリ", "USB flash drive"},
    {ReceiptMedium::kHdd, "hdd", "HDD", "HDD"},
    {ReceiptMedium::kSsd, "ssd", "SSD", "SSD"},
    {ReceiptMedium::kOptical, "optical", "光ディスク", "Optical disc"},
    {ReceiptMedium::kSdCard, "sd-card", "SDカード", "SD card"},
    {ReceiptMedium::kTape, "tape", "磁気テープ", "Tape"},
    {ReceiptMedium::kPaper, "paper", "紙", "Paper"},
    {ReceiptMedium::kCustodyPackage, "custody-package", "custody 引渡パッケージ",
     "custody handover package"},
    {ReceiptMedium::kOnline, "online", "媒体なし（通信）", "No medium (online)"},
    {ReceiptMedium::kOther, "other", "その他", "Other"},
}};

inline constexpr std::array<Term<TransferMethod>, 5> kTransfers{{
    {TransferMethod::kHand, "hand", "手渡し", "By hand"},
    {TransferMethod::kSecureMail, "secure-mail", "追跡可能な郵送", "Tracked mail"},
    {TransferMethod::kCourier, "courier", "使送（施錠ケース）", "Courier (locked case)"},
    {TransferMethod::kEncryptedTransfer, "encrypted-transfer", "暗号化通信", "Encrypted transfer"},
    {TransferMethod::kOther, "other", "その他", "Other"},
}};

inline constexpr std::array<Term<Disposition>, 2> kDispositions{{
    {Disposition::kReturn, "return", "返還", "Return"},
    {Disposition::kDispose, "dispose", "廃棄", "Disposal"},
}};

template <typename E, size_t N>
const Term<E>& TermOf(const std::array<Term<E>, N>& table, E value) {
  for (const Term<E>& t : table)
    if (t.value == value) return t;
  return table[0];
}

template <typename E, size_t N>
Result<E> ParseTerm(const std::array<Term<E>, N>& table, std::string_view name,
                    std::string_view what) {
  for (const Term<E>& t : table)
    if (t.json == name) return t.value;
  std::string allowed;
  for (const Term<E>& t : table) allowed += (allowed.empty() ? "" : ", ") + std::string(t.json);
  return InvalidArgumentError(std::string(what) + " '" + std::string(name) + "' is not one of " +
                              allowed);
}

}  // namespace custody::receipt

#endif  // CUSTODY_SRC_RECEIPT_VOCABULARY_H_
