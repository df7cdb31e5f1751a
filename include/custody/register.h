// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The media take-out register (持出管理簿, seed 001 §18(2)) and the registers
// custody prints: 受領記録簿 (receipts), 持出管理簿 (media), 廃棄記録簿
// (disposals, wipes, purges and their certificates), 引渡記録 (packages sent
// and acknowledged). docs/formats/register.md.
//
// Registers are views of the signed ledger, never separate stores: every row
// is computed from ledger entries when asked for, the ledger is verified
// first, and the export names the signed checkpoint that covers it. There is
// no side database that could diverge from the ledger.
//
// Thread safety: plain values and free functions; a Station or Ledger is used
// by one thread at a time.
#ifndef CUSTODY_REGISTER_H_
#define CUSTODY_REGISTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custody/status.h"

namespace custody {

class Ledger;
class Station;

inline constexpr std::string_view kMediaCheckedOutEvent = "media.checked-out";
inline constexpr std::string_view kMediaReturnedEvent = "media.returned";
inline constexpr std::string_view kMediaAmendedEvent = "media.amended";

struct MediaCheckout {
  std::string media_id;     // 媒体管理番号
  std::string contents;     // 格納情報
  std::string taken_at;     // 持ち出し日時, RFC 3339 UTC
  std::string taken_by;     // 持ち出した者
  std::string approver;     // 承認者
  std::string purpose;      // 用途
  std::string destination;  // 持ち出し先
  std::string due;          // 返却予定日, YYYY-MM-DD (JST day)
  bool encrypted = false;   // 暗号化の有無
  std::string remarks;
};

struct MediaReturn {
  std::string media_id;
  std::string returned_at;  // 返却日時, RFC 3339 UTC
  std::string checked_by;   // 返却確認者
  std::string remarks;
};

// Records `media.checked-out`. kInvalidArgument naming missing fields;
// kFailedPrecondition if the medium is already out (per the ledger). Returns
// the entry's seq.
Result<uint64_t> RecordMediaCheckout(Station& station, std::string_view operator_name,
                                     const MediaCheckout& checkout);
// Records `media.returned`. kFailedPrecondition if the medium is not out.
Result<uint64_t> RecordMediaReturn(Station& station, std::string_view operator_name,
                                   const MediaReturn& media_return);

// Corrections (訂正) never rewrite history: `media.amended` references the
// checkout or return entry it corrects and holds the whole corrected record.
// The media ID itself cannot be corrected (record a new take-out instead).
// kNotFound if `entry` is not a checkout/return; kInvalidArgument if the
// corrected record is invalid, changes nothing, or `reason` is empty.
// Returns the amending entry's seq.
Result<uint64_t> AmendMediaCheckout(Station& station, std::string_view operator_name,
                                    uint64_t entry, const MediaCheckout& corrected,
                                    std::string_view reason);
Result<uint64_t> AmendMediaReturn(Station& station, std::string_view operator_name,
                                  uint64_t entry, const MediaReturn& corrected,
                                  std::string_view reason);

struct MediaAmendment {
  uint64_t entry = 0;    // The media.amended entry.
  uint64_t amends = 0;   // The checkout or return entry it corrects.
  std::string time;
  std::vector<std::string> changed;  // Field names ("approver", "returned_at").
  std::string reason;
};

// One take-out: a checkout and (when returned) its return, as corrected.
struct MediaTakeOut {
  uint64_t checkout_seq = 0;
  MediaCheckout checkout;
  bool returned = false;
  uint64_t return_seq = 0;
  MediaReturn media_return;
  bool overdue = false;  // Out past the end of the due day (JST), or returned after it.
  std::vector<MediaAmendment> amendments;  // In ledger order; the records above include them.
};

// Something the ledger holds that should not happen (two processes raced, or
// an old ledger): reported, never hidden.
struct MediaAnomaly {
  uint64_t seq = 0;
  std::string media_id;
  std::string code;  // "checked-out-twice", "returned-without-checkout", "amends-unknown-entry"
  std::string message;
};

struct MediaRegister {
  std::vector<MediaTakeOut> take_outs;  // In checkout order.
  std::vector<MediaAnomaly> anomalies;
};

// Reads the media register from the ledger; `now_unix_micros` decides
// overdue.
Result<MediaRegister> ReadMediaRegister(Ledger& ledger, int64_t now_unix_micros);

enum class RegisterKind { kReceived, kMedia, kDisposal, kHandover };
enum class RegisterLanguage { kJa, kEn };
Result<RegisterKind> ParseRegisterKind(
    std::string_view name);  // received, media, disposal, handover

struct RegisterRequest {
  RegisterKind kind = RegisterKind::kReceived;
  std::string from, to;  // Inclusive JST days YYYY-MM-DD; empty = unbounded.
  RegisterLanguage language = RegisterLanguage::kJa;
  int64_t now_unix_micros = 0;
  std::string station_name;  // Receipt and certificate numbers are "<station>-<seq>".
};

// A register as a table: what CSV, PDF and JSON are written from.
struct RegisterTable {
  std::string title;                 // 受領記録簿, ...
  std::vector<std::string> columns;  // Header cells.
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> row_entries;  // The ledger entry each row comes from.
  std::vector<std::string> notes;     // Anomalies, in words.
  std::string period;                 // "2026-11-01 〜 2026-11-30" or "全期間"
  std::string ledger_origin;
  uint64_t checkpoint_size = 0;  // The signed checkpoint that covers every row.
  std::string checkpoint_root_hex;
  std::string checkpoint;    // The signed note itself.
  std::string generated_at;  // RFC 3339 UTC.
};

// Verifies the ledger (with `verifier_key`), takes its latest checkpoint and
// builds the register from the entries it covers.
Result<RegisterTable> BuildRegister(Ledger& ledger, std::string_view verifier_key,
                                    const RegisterRequest& request);

// UTF-8 with BOM, CRLF, RFC 4180, formula cells neutralized.
std::string RegisterCsv(const RegisterTable& table);
// A4 landscape table with page numbers, the period and the checkpoint.
Result<std::string> RegisterPdf(const RegisterTable& table, RegisterLanguage language);
// One canonical JSON object: title, period, checkpoint, columns, rows.
Result<std::string> RegisterJson(const RegisterTable& table);

}  // namespace custody

#endif  // CUSTODY_REGISTER_H_
