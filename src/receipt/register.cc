// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The media take-out register and the printed registers, all computed from
// ledger entries (docs/formats/register.md).
#include "custody/register.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/canonical_json.h"
#include "common/json_reader.h"
#include "common/time_util.h"
#include "crypto/encoding.h"
#include "custody/certificate.h"
#include "custody/ledger.h"
#include "custody/receipt.h"
#include "custody/station.h"
#include "ledger/note.h"
#include "receipt/receipt_internal.h"
#include "receipt/vocabulary.h"
#include "report/csv.h"
#include "report/document.h"

namespace custody {
namespace {

using Json = nlohmann::json;
using json::JsonReader;

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// The end of JST day `date` (YYYY-MM-DD), in unix micros.
Result<int64_t> EndOfJstDay(const std::string& date) {
  CUSTODY_ASSIGN_OR_RETURN(int64_t t, timeutil::ParseTime(date + "T23:59:59+09:00"));
  return t + 999999;
}
Result<int64_t> StartOfJstDay(const std::string& date) {
  return timeutil::ParseTime(date + "T00:00:00+09:00");
}

std::string Jst(const std::string& rfc3339) {
  auto t = timeutil::ParseTime(rfc3339);
  return t.ok() ? timeutil::FormatJst(*t).substr(0, 16) : rfc3339;  // "YYYY-MM-DD HH:MM"
}

Json CheckoutJson(const MediaCheckout& c) {
  return {{"media_id", c.media_id},       {"contents", c.contents}, {"taken_at", c.taken_at},
          {"taken_by", c.taken_by},       {"approver", c.approver}, {"purpose", c.purpose},
          {"destination", c.destination}, {"due", c.due},           {"encrypted", c.encrypted},
          {"remarks", c.remarks}};
}
Json ReturnJson(const MediaReturn& r, uint64_t checkout_seq) {
  return {{"media_id", r.media_id},
          {"returned_at", r.returned_at},
          {"checked_by", r.checked_by},
          {"remarks", r.remarks},
          {"checkout_entry", checkout_seq}};
}

Result<MediaCheckout> ReadCheckout(const LedgerEntry& e) {
  auto j = json::ParseStrict(e.data_json);
  if (!j.ok())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + j.status().message());
  std::string error;
  MediaCheckout c;
  {
    JsonReader r(*j, e.type, &error);
    c.media_id = r.Str("media_id");
    c.contents = r.Str("contents");
    c.taken_at = r.Str("taken_at");
    c.taken_by = r.Str("taken_by");
    c.approver = r.Str("approver");
    c.purpose = r.Str("purpose");
    c.destination = r.Str("destination");
    c.due = r.Str("due");
    c.encrypted = r.Bool("encrypted");
    c.remarks = r.Str("remarks");
  }
  if (!error.empty())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + error);
  return c;
}

Result<MediaReturn> ReadReturn(const LedgerEntry& e) {
  auto j = json::ParseStrict(e.data_json);
  if (!j.ok())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + j.status().message());
  std::string error;
  MediaReturn m;
  {
    JsonReader r(*j, e.type, &error);
    m.media_id = r.Str("media_id");
    m.returned_at = r.Str("returned_at");
    m.checked_by = r.Str("checked_by");
    m.remarks = r.Str("remarks");
    r.Uint("checkout_entry");
  }
  if (!error.empty())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + error);
  return m;
}

struct ReadAmendment {
  MediaAmendment amendment;
  std::string media_id;
  std::optional<MediaCheckout> checkout;
  std::optional<MediaReturn> media_return;
};

// media.amended: {"amends", "record": "checkout"|"return", "media_id",
// "changed", "reason", "data": <the corrected record, as its own event>}.
Result<ReadAmendment> ReadMediaAmendment(const LedgerEntry& e) {
  auto j = json::ParseStrict(e.data_json);
  if (!j.ok())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + j.status().message());
  std::string error, record;
  ReadAmendment out;
  out.amendment.entry = e.seq;
  out.amendment.time = e.time;
  {
    JsonReader r(*j, e.type, &error);
    out.amendment.amends = r.Uint("amends");
    record = r.Str("record");
    out.media_id = r.Str("media_id");
    out.amendment.changed = r.Strings("changed");
    out.amendment.reason = r.Str("reason");
    r.Get("data", &Json::is_object, "an object");  // Read below as its own record.
  }
  if (!error.empty())
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": " + error);
  LedgerEntry inner = e;
  inner.data_json = (*j)["data"].dump();
  if (record == "checkout") {
    inner.type = std::string(kMediaCheckedOutEvent);
    CUSTODY_ASSIGN_OR_RETURN(MediaCheckout c, ReadCheckout(inner));
    out.checkout = std::move(c);
  } else if (record == "return") {
    inner.type = std::string(kMediaReturnedEvent);
    CUSTODY_ASSIGN_OR_RETURN(MediaReturn m, ReadReturn(inner));
    out.media_return = std::move(m);
  } else {
    return CorruptionError("ledger entry " + std::to_string(e.seq) + ": record is \"" + record +
                           "\", not checkout or return");
  }
  return out;
}

std::vector<std::string> ChangedKeys(const Json& a, const Json& b) {
  std::vector<std::string> out;
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!a.contains(it.key()) || a[it.key()] != it.value()) out.push_back(it.key());
  return out;
}

// The take-out currently open for `media_id`, if any.
const MediaTakeOut* OpenTakeOut(const MediaRegister& reg, const std::string& media_id) {
  for (auto it = reg.take_outs.rbegin(); it != reg.take_outs.rend(); ++it)
    if (it->checkout.media_id == media_id && !it->returned) return &*it;
  return nullptr;
}

Result<MediaRegister> ScanMedia(Ledger& ledger, int64_t now, uint64_t limit) {
  MediaRegister reg;
  std::map<std::string, size_t> open;  // media_id -> index of the open take-out.
  Status inner;
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (e.seq >= limit) return false;
    if (e.type == kMediaCheckedOutEvent) {
      auto c = ReadCheckout(e);
      if (!c.ok()) return inner = c.status(), false;
      if (open.count(c->media_id)) {
        const MediaTakeOut& prev = reg.take_outs[open[c->media_id]];
        reg.anomalies.push_back(
            {e.seq, c->media_id, "checked-out-twice",
             "媒体 " + c->media_id + " は返却されないまま再度持ち出されました (#" +
                 std::to_string(prev.checkout_seq) + " → #" + std::to_string(e.seq) +
                 ") / checked out again without a return"});
      }
      MediaTakeOut t;
      t.checkout_seq = e.seq;
      t.checkout = std::move(*c);
      open[t.checkout.media_id] = reg.take_outs.size();
      reg.take_outs.push_back(std::move(t));
    } else if (e.type == kMediaReturnedEvent) {
      auto r = ReadReturn(e);
      if (!r.ok()) return inner = r.status(), false;
      auto it = open.find(r->media_id);
      if (it == open.end()) {
        reg.anomalies.push_back({e.seq, r->media_id, "returned-without-checkout",
                                 "媒体 " + r->media_id +
                                     " は持ち出し記録のないまま返却されました (#" +
                                     std::to_string(e.seq) + ") / returned without a checkout"});
        return true;
      }
      MediaTakeOut& t = reg.take_outs[it->second];
      t.returned = true;
      t.return_seq = e.seq;
      t.media_return = std::move(*r);
      open.erase(it);
    } else if (e.type == kMediaAmendedEvent) {
      auto a = ReadMediaAmendment(e);
      if (!a.ok()) return inner = a.status(), false;
      MediaTakeOut* target = nullptr;
      for (MediaTakeOut& t : reg.take_outs)
        if (t.checkout_seq == a->amendment.amends ||
            (t.returned && t.return_seq == a->amendment.amends))
          target = &t;
      if (!target) {
        reg.anomalies.push_back({e.seq, a->media_id, "amends-unknown-entry",
                                 "訂正 #" + std::to_string(e.seq) + " は持出・返却記録でない #" +
                                     std::to_string(a->amendment.amends) +
                                     " を訂正しています / corrects an entry that is not a "
                                     "take-out or return"});
        return true;
      }
      if (target->checkout_seq == a->amendment.amends) {
        if (!a->checkout) return inner = CorruptionError("media.amended #" + std::to_string(e.seq) + " holds a return for a checkout"), false;
        target->checkout = std::move(*a->checkout);
      } else {
        if (!a->media_return) return inner = CorruptionError("media.amended #" + std::to_string(e.seq) + " holds a checkout for a return"), false;
        target->media_return = std::move(*a->media_return);
      }
      target->amendments.push_back(std::move(a->amendment));
    }
    return true;
  }));
  CUSTODY_RETURN_IF_ERROR(inner);
  for (MediaTakeOut& t : reg.take_outs) {
    auto end = EndOfJstDay(t.checkout.due);
    if (!end.ok()) continue;
    if (!t.returned) {
      t.overdue = now > *end;
    } else {
      auto back = timeutil::ParseTime(t.media_return.returned_at);
      t.overdue = back.ok() && *back > *end;
    }
  }
  return reg;
}

bool InPeriod(const std::string& time, const RegisterRequest& req) {
  auto t = timeutil::ParseTime(time);
  if (!t.ok()) return true;  // Shown rather than silently dropped.
  if (!req.from.empty()) {
    auto from = StartOfJstDay(req.from);
    if (from.ok() && *t < *from) return false;
  }
  if (!req.to.empty()) {
    auto to = EndOfJstDay(req.to);
    if (to.ok() && *t > *to) return false;
  }
  return true;
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
int64_t Int(const Json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
std::string Bytes(int64_t b) { return b > 0 ? std::to_string(b) : ""; }

struct Columns {
  std::vector<std::string> ja, en;
  const std::vector<std::string>& Pick(RegisterLanguage l) const {
    return l == RegisterLanguage::kEn ? en : ja;
  }
};

Result<RegisterTable> Received(Ledger& ledger, const RegisterRequest& req, uint64_t limit,
                               const std::string& station) {
  bool en = req.language == RegisterLanguage::kEn;
  RegisterTable t;
  t.title = en ? "Register of confidential information received" : "受領記録簿";
  t.columns =
      Columns{
          {"受領番号", "受領日時", "受領者", "引渡者", "引渡者の所属", "情報の種類", "情報の名称",
           "機密性区分", "件数", "容量(バイト)", "媒体", "媒体管理番号", "授受方法", "利用目的",
           "契約名", "保管場所", "返還・廃棄", "予定日", "台帳エントリ"},
          {"Receipt No.", "Received at", "Recipient", "Handed over by", "Organization", "Kind",
           "Name", "Classification", "Items", "Bytes", "Medium", "Medium ID", "Method", "Purpose",
           "Contract", "Kept at", "Return/dispose", "Due", "Ledger entry"}}
          .Pick(req.language);
  // Receipts and their corrections (receipt.amended entries) first: a row
  // shows the corrected values, each marked with its amending entry.
  std::vector<Receipt> receipts;
  std::map<uint64_t, size_t> by_seq;
  std::vector<std::string> orphans;
  Status inner;
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (e.seq >= limit) return false;
    if (e.type == kReceiptIssuedEvent) {
      auto c = receipt::ContentFromEntry(e);
      if (!c.ok()) return inner = c.status(), false;
      Receipt r;
      r.content = std::move(*c);
      r.issuance.ledger_entry = e.seq;
      by_seq[e.seq] = receipts.size();
      receipts.push_back(std::move(r));
    } else if (e.type == kReceiptAmendedEvent) {
      uint64_t amends = 0;
      auto a = receipt::AmendmentFromEntry(e, &amends);
      if (!a.ok()) return inner = a.status(), false;
      auto it = by_seq.find(amends);
      if (it == by_seq.end()) {
        orphans.push_back("#" + std::to_string(e.seq) + (en ? " amends entry " : " は受領記録でないエントリ #") +
                          std::to_string(amends) + (en ? ", which is not a receipt" : " を訂正しています"));
        return true;
      }
      receipts[it->second].amendments.push_back(std::move(*a));
    }
    return true;
  }));
  CUSTODY_RETURN_IF_ERROR(inner);
  t.columns.push_back(en ? "Corrections" : "訂正");
  // Content paths shown in each column (a trailing '.' covers the object).
  static const std::vector<std::vector<std::string>> kColumnPaths = {
      {},
      {"received_at"},
      {"recipient.name"},
      {"deliverer.name"},
      {"deliverer.organization", "deliverer.department"},
      {"information.kind"},
      {"information.name"},
      {"information.classification"},
      {"information.items"},
      {"information.bytes"},
      {"medium.kind"},
      {"medium.id", "medium.package."},
      {"transfer."},
      {"purpose.purpose"},
      {"purpose.contract"},
      {"storage"},
      {"disposition.kind"},
      {"disposition.due"},
      {}};
  for (const Receipt& r : receipts) {
    const ReceiptContent* c = &EffectiveContent(r);
    if (!InPeriod(c->received_at, req)) continue;
    auto term = [&](const auto& table, auto v) {
      const auto& x = receipt::TermOf(table, v);
      return std::string(en ? x.en : x.ja);
    };
    std::string medium_id = c->medium == ReceiptMedium::kCustodyPackage
                                ? c->package_id + " sha256:" + c->package_sha256 +
                                      (c->package_check ? (en ? " (verified)" : " (検証済)") : "")
                                : c->medium_id;
    std::string method = term(receipt::kTransfers, c->transfer);
    if (!c->tracking.empty()) method += " (" + c->tracking + ")";
    std::string org = c->deliverer_organization +
                      (c->deliverer_department.empty() ? "" : " " + c->deliverer_department);
    uint64_t seq = r.issuance.ledger_entry;
    std::vector<std::string> row = {FormatCertificateNumber(station, seq), Jst(c->received_at),
                      c->recipient_name, c->deliverer_name, org, c->info_kind, c->info_name,
                      std::to_string(c->classification),
                      c->items > 0 ? std::to_string(c->items) : "", Bytes(c->bytes),
                      term(receipt::kMedia, c->medium), medium_id, method, c->purpose, c->contract,
                      c->storage, term(receipt::kDispositions, c->disposition), c->disposition_due,
                      "#" + std::to_string(seq)};
    auto amended = AmendedPaths(r);
    for (size_t k = 0; k < row.size() && k < kColumnPaths.size(); ++k) {
      uint64_t entry = 0;
      for (const auto& [path, aseq] : amended)
        for (const std::string& p : kColumnPaths[k])
          if (path == p || (p.back() == '.' && path.rfind(p, 0) == 0)) entry = std::max(entry, aseq);
      if (entry != 0) row[k] += (en ? " *#" : " ※#") + std::to_string(entry);
    }
    std::string corrections;
    for (const ReceiptAmendment& a : r.amendments) {
      std::string changed;
      for (const std::string& p : a.changed) changed += (changed.empty() ? "" : ", ") + p;
      if (!corrections.empty()) corrections.append("; ");
      corrections.append("#").append(std::to_string(a.entry)).append(" ").append(Jst(a.time));
      corrections.append(" (").append(changed).append(": ").append(a.reason).append(")");
    }
    row.push_back(corrections);
    t.rows.push_back(std::move(row));
    t.row_entries.push_back(seq);
  }
  for (const std::string& o : orphans) t.notes.push_back(o);
  return t;
}

Result<RegisterTable> Media(Ledger& ledger, const RegisterRequest& req, uint64_t limit) {
  bool en = req.language == RegisterLanguage::kEn;
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg, ScanMedia(ledger, req.now_unix_micros, limit));
  RegisterTable t;
  t.title = en ? "Register of media taken out" : "持出管理簿";
  t.columns =
      Columns{
          {"媒体管理番号", "格納情報", "持ち出し日時", "持ち出した者", "承認者", "用途",
           "持ち出し先", "返却予定日", "暗号化", "返却日時", "返却確認者", "状態", "台帳エントリ"},
          {"Medium ID", "Contents", "Taken out", "Taken by", "Approved by", "Purpose",
           "Destination", "Due", "Encrypted", "Returned", "Checked by", "State", "Ledger entries"}}
          .Pick(req.language);
  t.columns.push_back(en ? "Corrections" : "訂正");
  for (const MediaTakeOut& m : reg.take_outs) {
    if (!InPeriod(m.checkout.taken_at, req)) continue;
    std::string state = m.returned ? (m.overdue ? (en ? "returned late" : "返却済（期限後）")
                                                : (en ? "returned" : "返却済"))
                                   : (m.overdue ? (en ? "OVERDUE" : "【期限超過】未返却")
                                                : (en ? "out" : "持出中"));
    std::string entries = "#" + std::to_string(m.checkout_seq);
    if (m.returned) entries += ", #" + std::to_string(m.return_seq);
    std::vector<std::string> row = {
        m.checkout.media_id, m.checkout.contents, Jst(m.checkout.taken_at),
        m.checkout.taken_by, m.checkout.approver, m.checkout.purpose,
        m.checkout.destination, m.checkout.due,
        m.checkout.encrypted ? (en ? "yes" : "有") : (en ? "NO" : "無"),
        m.returned ? Jst(m.media_return.returned_at) : "",
        m.returned ? m.media_return.checked_by : "", state, entries};
    // Corrected cells carry the amending entry; the last column lists them.
    static const std::vector<std::string> kCheckoutKeys = {
        "media_id", "contents", "taken_at", "taken_by", "approver",
        "purpose",  "destination", "due",   "encrypted"};
    std::string corrections;
    for (const MediaAmendment& a : m.amendments) {
      bool checkout = a.amends == m.checkout_seq;
      for (const std::string& k : a.changed) {
        int col = -1;
        if (checkout) {
          for (size_t i = 0; i < kCheckoutKeys.size(); ++i)
            if (kCheckoutKeys[i] == k) col = static_cast<int>(i);
        } else if (k == "returned_at") {
          col = 9;
        } else if (k == "checked_by") {
          col = 10;
        }
        std::string mark = (en ? " *#" : " ※#") + std::to_string(a.entry);
        if (col >= 0 && row[col].find(mark) == std::string::npos) row[col] += mark;
      }
      std::string changed;
      for (const std::string& k : a.changed) changed += (changed.empty() ? "" : ", ") + k;
      // append(), not operator+: GCC 12 reports a false -Wrestrict on "#" + std::string.
      if (!corrections.empty()) corrections.append("; ");
      corrections.append("#").append(std::to_string(a.entry)).append(" ").append(Jst(a.time));
      corrections.append(checkout ? " (checkout #" : " (return #")
          .append(std::to_string(a.amends))
          .append(": ")
          .append(changed)
          .append(": ")
          .append(a.reason)
          .append(")");
    }
    row.push_back(corrections);
    t.rows.push_back(std::move(row));
    t.row_entries.push_back(m.checkout_seq);
  }
  for (const MediaAnomaly& a : reg.anomalies) t.notes.push_back(a.message);
  return t;
}

// Device identity from the different event shapes: disposal.recorded
// (`device`), wipe.started (`target`), others (`device` or `target` when
// present).
struct DisposedDevice {
  std::string media, maker_model, serial, asset_tag, capacity;
};
DisposedDevice DeviceFrom(const Json& d) {
  DisposedDevice out;
  if (!d.is_object()) return out;
  out.media = Str(d, "media");
  if (out.media.empty()) out.media = Str(d, "transport");
  std::string maker = Str(d, "maker");
  if (maker.empty()) maker = Str(d, "vendor");
  out.maker_model = maker + (maker.empty() ? "" : " ") + Str(d, "model");
  out.serial = Str(d, "serial");
  out.asset_tag = Str(d, "asset_tag");
  int64_t cap = Int(d, "capacity_bytes");
  if (cap == 0) cap = Int(d, "size_bytes");
  out.capacity = Bytes(cap);
  return out;
}

Result<RegisterTable> Disposal(Ledger& ledger, const RegisterRequest& req, uint64_t limit,
                               const std::string& station) {
  bool en = req.language == RegisterLanguage::kEn;
  RegisterTable t;
  t.title = en ? "Register of media disposed of" : "廃棄記録簿";
  t.columns =
      Columns{{"廃棄等日時", "記録種別", "媒体種別", "メーカー・型番", "シリアル番号", "管理番号",
               "容量(バイト)", "処分方法", "結果", "作業者", "証明書番号", "台帳エントリ"},
              {"Date", "Record", "Media", "Maker / model", "Serial", "Asset tag", "Bytes", "Method",
               "Result", "Operator", "Certificate No.", "Ledger entry"}}
          .Pick(req.language);
  std::map<std::string, Json> wipe_targets;     // wipe_id -> target device
  std::map<uint64_t, std::string> certificate;  // source seq -> certificate number
  struct Row {
    uint64_t seq;
    std::string time;
    std::vector<std::string> cells;  // Without the certificate column.
  };
  std::vector<Row> rows;
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (e.seq >= limit) return false;
    bool wanted = e.type == "disposal.recorded" || e.type == "wipe.started" ||
                  e.type == "wipe.completed" || e.type == "purge.completed" ||
                  e.type == "certificate.issued";
    if (!wanted) return true;
    auto parsed = json::ParseStrict(e.data_json);
    if (!parsed.ok()) return true;
    const Json& d = *parsed;
    if (e.type == "wipe.started") {
      wipe_targets[Str(d, "wipe_id")] = d.contains("target") ? d["target"] : Json::object();
      return true;
    }
    if (e.type == "certificate.issued") {
      if (d.contains("sources") && d["sources"].is_array())
        for (const Json& s : d["sources"])
          if (s.is_number_unsigned())
            certificate[s.get<uint64_t>()] = FormatCertificateNumber(station, e.seq);
      return true;
    }
    DisposedDevice dev;
    std::string method, result, when = e.time;
    if (e.type == "disposal.recorded") {
      const Json& device = d.contains("device") ? d["device"] : Json::object();
      dev = DeviceFrom(device);
      if (device.contains("method")) {
        method = Str(device["method"], "family") + " / " + Str(device["method"], "level");
      }
      result = Str(device, "outcome");
      if (!Str(device, "finished").empty()) when = Str(device, "finished");
    } else if (e.type == "wipe.completed") {
      auto it = wipe_targets.find(Str(d, "wipe_id"));
      if (it != wipe_targets.end()) dev = DeviceFrom(it->second);
      method = "overwrite (wipe " + Str(d, "wipe_id") + ")";
      result = Str(d, "result");
      if (!Str(d, "finished_at").empty()) when = Str(d, "finished_at");
    } else {  // purge.completed
      dev = DeviceFrom(d.contains("device")   ? d["device"]
                       : d.contains("target") ? d["target"]
                                              : Json());
      method = "purge " + Str(d, "action");
      result = Str(d, "final_status");
    }
    if (!InPeriod(when, req)) return true;
    rows.push_back({e.seq,
                    when,
                    {Jst(when), e.type, dev.media, dev.maker_model, dev.serial, dev.asset_tag,
                     dev.capacity, method, result, e.operator_name}});
    return true;
  }));
  for (Row& r : rows) {
    auto c = certificate.find(r.seq);
    r.cells.push_back(c == certificate.end() ? "" : c->second);
    r.cells.push_back("#" + std::to_string(r.seq));
    t.rows.push_back(std::move(r.cells));
    t.row_entries.push_back(r.seq);
  }
  return t;
}

Result<RegisterTable> Handover(Ledger& ledger, const RegisterRequest& req, uint64_t limit) {
  bool en = req.language == RegisterLanguage::kEn;
  RegisterTable t;
  t.title = en ? "Record of handover packages" : "引渡記録";
  t.columns =
      Columns{{"送付日時", "パッケージID", "ダイジェスト(SHA-256)", "送付先", "目的", "機密性区分",
               "ファイル数", "受領確認", "受領日時", "受領者", "台帳エントリ"},
              {"Sent", "Package ID", "Digest (SHA-256)", "To", "Purpose", "Classification", "Files",
               "Acknowledged", "Received", "Received by", "Ledger entries"}}
          .Pick(req.language);
  struct Row {
    uint64_t seq;
    std::vector<std::string> cells;
    std::string id, digest;
  };
  std::vector<Row> rows;
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (e.seq >= limit) return false;
    if (e.type != "package.created" && e.type != "package.acknowledged") return true;
    auto parsed = json::ParseStrict(e.data_json);
    if (!parsed.ok()) return true;
    const Json& d = *parsed;
    if (e.type == "package.created") {
      if (!InPeriod(e.time, req)) return true;
      rows.push_back(
          {e.seq,
           {Jst(e.time), Str(d, "package_id"), Str(d, "digest"), Str(d, "recipient_organization"),
            Str(d, "purpose"), Str(d, "classification"), std::to_string(Int(d, "file_count")),
            en ? "NO" : "未確認", "", "", "#" + std::to_string(e.seq)},
           Str(d, "package_id"),
           Str(d, "digest")});
      return true;
    }
    for (Row& r : rows) {
      if (r.id != Str(d, "package_id") || r.digest != Str(d, "digest")) continue;
      bool ok = Str(d, "result") == "verified";
      r.cells[7] = ok ? (en ? "yes" : "確認済") : (en ? "FAILED" : "【検証失敗】");
      r.cells[8] = Jst(Str(d, "received_at"));
      r.cells[9] = Str(d, "recipient_name") + (Str(d, "recipient_organization").empty()
                                                   ? ""
                                                   : " (" + Str(d, "recipient_organization") + ")");
      r.cells[10] = "#" + std::to_string(r.seq) + ", #" + std::to_string(e.seq);
    }
    return true;
  }));
  for (Row& r : rows) {
    t.rows.push_back(std::move(r.cells));
    t.row_entries.push_back(r.seq);
  }
  return t;
}

}  // namespace

Status ValidateCheckout(const MediaCheckout& c) {
  std::vector<std::string> missing;
  if (c.media_id.empty()) missing.push_back("媒体管理番号 media id");
  if (c.contents.empty()) missing.push_back("格納情報 contents");
  if (c.taken_by.empty()) missing.push_back("持ち出した者 taken by");
  if (c.approver.empty()) missing.push_back("承認者 approver");
  if (c.purpose.empty()) missing.push_back("用途 purpose");
  if (c.destination.empty()) missing.push_back("持ち出し先 destination");
  if (c.due.empty()) missing.push_back("返却予定日 due");
  if (!missing.empty())
    return InvalidArgumentError("the take-out cannot be recorded: missing " + Join(missing, "; "));
  if (!receipt::IsUtcTime(c.taken_at))
    return InvalidArgumentError("持ち出し日時 '" + c.taken_at + "' is not RFC 3339 UTC");
  if (!receipt::IsDate(c.due))
    return InvalidArgumentError("返却予定日 '" + c.due + "' is not a date YYYY-MM-DD");
  return Status::Ok();
}

Result<uint64_t> RecordMediaCheckout(Station& station, std::string_view op,
                                     const MediaCheckout& c) {
  CUSTODY_RETURN_IF_ERROR(ValidateCheckout(c));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger->Size());
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg, ScanMedia(*ledger, 0, size));
  if (const MediaTakeOut* t = OpenTakeOut(reg, c.media_id))
    return FailedPreconditionError("媒体 " + c.media_id + " is already out (taken " +
                                   t->checkout.taken_at + " by " + t->checkout.taken_by +
                                   ", ledger entry " + std::to_string(t->checkout_seq) +
                                   "): record its return first (custody media return)");
  CUSTODY_ASSIGN_OR_RETURN(std::string data, json::Canonicalize(CheckoutJson(c)));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station.Record(kMediaCheckedOutEvent, op, data));
  return e.seq;
}

Result<uint64_t> RecordMediaReturn(Station& station, std::string_view op, const MediaReturn& r) {
  if (r.media_id.empty() || r.checked_by.empty())
    return InvalidArgumentError(
        "the return cannot be recorded: 媒体管理番号 media id and 返却確認者 "
        "checked-by are required");
  if (!receipt::IsUtcTime(r.returned_at))
    return InvalidArgumentError("返却日時 '" + r.returned_at + "' is not RFC 3339 UTC");
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger->Size());
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg, ScanMedia(*ledger, 0, size));
  const MediaTakeOut* t = OpenTakeOut(reg, r.media_id);
  if (!t)
    return FailedPreconditionError("媒体 " + r.media_id +
                                   " is not checked out according to the ledger: nothing to return "
                                   "(custody media list shows what is out)");
  if (r.returned_at < t->checkout.taken_at)
    return InvalidArgumentError("返却日時 " + r.returned_at + " is before the take-out at " +
                                t->checkout.taken_at);
  CUSTODY_ASSIGN_OR_RETURN(std::string data, json::Canonicalize(ReturnJson(r, t->checkout_seq)));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station.Record(kMediaReturnedEvent, op, data));
  return e.seq;
}

namespace {

// The take-out whose checkout or return is entry `entry`, as corrected so far.
Result<MediaTakeOut> TakeOutOfEntry(Station& station, uint64_t entry, bool want_checkout) {
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station.ledger());
  CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger->Size());
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg, ScanMedia(*ledger, 0, size));
  for (const MediaTakeOut& t : reg.take_outs) {
    if (want_checkout && t.checkout_seq == entry) return t;
    if (!want_checkout && t.returned && t.return_seq == entry) return t;
  }
  return NotFoundError("ledger entry " + std::to_string(entry) + " is not a media " +
                       (want_checkout ? "checkout" : "return") +
                       " (custody media list --json shows the entries)");
}

Result<uint64_t> RecordMediaAmendment(Station& station, std::string_view op, uint64_t entry,
                                      const char* record, const std::string& media_id,
                                      const Json& before, const Json& after,
                                      std::string_view reason) {
  if (reason.empty())
    return InvalidArgumentError("a correction needs its reason (訂正理由): --reason TEXT");
  std::vector<std::string> changed = ChangedKeys(before, after);
  if (changed.empty())
    return InvalidArgumentError("the correction changes nothing: every value is already so");
  for (const std::string& k : changed)
    if (k == "media_id" || k == "checkout_entry")
      return InvalidArgumentError("the media ID of a take-out cannot be corrected (" + k +
                                  "): record a new take-out instead");
  Json data = {{"amends", entry},         {"record", record}, {"media_id", media_id},
               {"changed", changed},      {"reason", std::string(reason)},
               {"data", after}};
  CUSTODY_ASSIGN_OR_RETURN(std::string text, json::Canonicalize(data));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station.Record(kMediaAmendedEvent, op, text));
  return e.seq;
}

}  // namespace

Result<uint64_t> AmendMediaCheckout(Station& station, std::string_view op, uint64_t entry,
                                    const MediaCheckout& corrected, std::string_view reason) {
  CUSTODY_ASSIGN_OR_RETURN(MediaTakeOut t, TakeOutOfEntry(station, entry, true));
  CUSTODY_RETURN_IF_ERROR(ValidateCheckout(corrected));
  if (t.returned && corrected.taken_at > t.media_return.returned_at)
    return InvalidArgumentError("持ち出し日時 " + corrected.taken_at + " is after the return at " +
                                t.media_return.returned_at);
  return RecordMediaAmendment(station, op, entry, "checkout", t.checkout.media_id,
                              CheckoutJson(t.checkout), CheckoutJson(corrected), reason);
}

Result<uint64_t> AmendMediaReturn(Station& station, std::string_view op, uint64_t entry,
                                  const MediaReturn& corrected, std::string_view reason) {
  CUSTODY_ASSIGN_OR_RETURN(MediaTakeOut t, TakeOutOfEntry(station, entry, false));
  if (corrected.checked_by.empty())
    return InvalidArgumentError("返却確認者 checked-by is required");
  if (!receipt::IsUtcTime(corrected.returned_at))
    return InvalidArgumentError("返却日時 '" + corrected.returned_at + "' is not RFC 3339 UTC");
  if (corrected.returned_at < t.checkout.taken_at)
    return InvalidArgumentError("返却日時 " + corrected.returned_at +
                                " is before the take-out at " + t.checkout.taken_at);
  return RecordMediaAmendment(station, op, entry, "return", t.checkout.media_id,
                              ReturnJson(t.media_return, t.checkout_seq),
                              ReturnJson(corrected, t.checkout_seq), reason);
}

Result<MediaRegister> ReadMediaRegister(Ledger& ledger, int64_t now) {
  CUSTODY_ASSIGN_OR_RETURN(uint64_t size, ledger.Size());
  return ScanMedia(ledger, now, size);
}

Result<RegisterKind> ParseRegisterKind(std::string_view n) {
  if (n == "received") return RegisterKind::kReceived;
  if (n == "media") return RegisterKind::kMedia;
  if (n == "disposal") return RegisterKind::kDisposal;
  if (n == "handover") return RegisterKind::kHandover;
  return InvalidArgumentError("register '" + std::string(n) +
                              "' is not one of received, media, disposal, handover");
}

Result<RegisterTable> BuildRegister(Ledger& ledger, std::string_view verifier_key,
                                    const RegisterRequest& req) {
  for (const std::string* d : {&req.from, &req.to})
    if (!d->empty() && !receipt::IsDate(*d))
      return InvalidArgumentError("period '" + *d + "' is not a date YYYY-MM-DD");
  // The rows must come from a ledger that verifies, up to a signed
  // checkpoint the register names: otherwise an edited ledger.db would print
  // as a trustworthy register.
  auto verified = ledger.Verify();
  if (!verified.ok())
    return verified.status().WithContext(
        "the ledger does not verify; no register can be made from it");
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier v, note::ParseVerifierKey(verifier_key));
  CUSTODY_ASSIGN_OR_RETURN(std::string signed_cp, ledger.LatestCheckpoint());
  CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint cp, note::OpenCheckpoint(signed_cp, v));
  const std::string& station = req.station_name;
  RegisterTable t;
  switch (req.kind) {
    case RegisterKind::kReceived: {
      CUSTODY_ASSIGN_OR_RETURN(t, Received(ledger, req, cp.size, station));
      break;
    }
    case RegisterKind::kMedia: {
      CUSTODY_ASSIGN_OR_RETURN(t, Media(ledger, req, cp.size));
      break;
    }
    case RegisterKind::kDisposal: {
      CUSTODY_ASSIGN_OR_RETURN(t, Disposal(ledger, req, cp.size, station));
      break;
    }
    case RegisterKind::kHandover: {
      CUSTODY_ASSIGN_OR_RETURN(t, Handover(ledger, req, cp.size));
      break;
    }
  }
  bool en = req.language == RegisterLanguage::kEn;
  if (req.from.empty() && req.to.empty())
    t.period = en ? "all entries" : "全期間";
  else
    t.period = (req.from.empty() ? "" : req.from) + " 〜 " + (req.to.empty() ? "" : req.to);
  t.ledger_origin = cp.origin;
  t.checkpoint_size = cp.size;
  t.checkpoint_root_hex = encoding::HexEncode(cp.root_hash);
  t.checkpoint = signed_cp;
  t.generated_at = timeutil::FormatRfc3339Utc(req.now_unix_micros);
  return t;
}

std::string RegisterCsv(const RegisterTable& t) { return report::Csv(t.columns, t.rows); }

Result<std::string> RegisterJson(const RegisterTable& t) {
  Json rows = Json::array();
  for (size_t i = 0; i < t.rows.size(); ++i) {
    Json row = Json::object();
    for (size_t c = 0; c < t.columns.size(); ++c) row[t.columns[c]] = t.rows[i][c];
    rows.push_back({{"entry", t.row_entries[i]}, {"cells", row}});
  }
  Json j = {{"title", t.title},
            {"period", t.period},
            {"generated_at", t.generated_at},
            {"columns", t.columns},
            {"rows", rows},
            {"notes", t.notes},
            {"checkpoint",
             {{"origin", t.ledger_origin},
              {"size", t.checkpoint_size},
              {"root_hex", t.checkpoint_root_hex},
              {"signed_note", t.checkpoint}}}};
  CUSTODY_ASSIGN_OR_RETURN(std::string out, json::Canonicalize(j));
  return out + "\n";
}

Result<std::string> RegisterPdf(const RegisterTable& t, RegisterLanguage lang) {
  bool en = lang == RegisterLanguage::kEn;
  report::Document d;
  d.language = en ? report::Language::kEn : report::Language::kJa;
  d.orientation = report::Orientation::kLandscape;
  d.title = {t.title, t.title};
  d.header_right = {(en ? "Period: " : "対象期間 ") + t.period,
                    (en ? "Generated: " : "作成日時 ") + Jst(t.generated_at)};
  report::Table table;
  table.size_pt = 7;
  for (const std::string& c : t.columns) table.columns.push_back({{c, c}, 1, report::Align::kLeft});
  table.rows = t.rows;
  if (table.rows.empty())
    d.blocks.push_back(
        report::Paragraph{en ? "No entries in this period." : "対象期間の記録はありません。"});
  else
    d.blocks.push_back(table);
  if (!t.notes.empty()) {
    report::WarningBox box;
    box.heading = {"台帳上の不整合", "Inconsistencies in the ledger"};
    for (const std::string& n : t.notes) box.lines.push_back("・" + n);
    d.blocks.push_back(box);
  }
  report::KeyValueSection ev;
  ev.heading = {"台帳の証跡", "Ledger evidence"};
  ev.fields = {
      {{"チェックポイント", "Checkpoint"},
       t.ledger_origin + "\nsize " + std::to_string(t.checkpoint_size) + ", root " +
           t.checkpoint_root_hex},
      {{"確認方法", "How to check"},
       en ? "Every row names its ledger entry; custody log verify --against <checkpoint> and "
            "custody log prove <entry> prove each row is in the signed ledger."
          : "各行に台帳エントリ番号があります。custody log verify --against <checkpoint> と "
            "custody log prove <entry> で、署名された台帳に含まれることを確認できます。"},
  };
  d.blocks.push_back(ev);
  d.footer_note = t.title + " — " + t.ledger_origin + " size " + std::to_string(t.checkpoint_size);
  d.created = t.generated_at;
  d.author = t.ledger_origin;
  d.subject = t.title;
  d.keywords = "custody-register " + t.ledger_origin + " " + std::to_string(t.checkpoint_size);
  return report::RenderPdf(d);
}

}  // namespace custody
