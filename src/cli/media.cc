// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody media checkout|return|list: the media take-out register (持出管理簿,
// seed 001 §18(2)), kept in the signed ledger.
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "common/time_util.h"
#include "custody/env.h"
#include "custody/register.h"

namespace custody::cli {
namespace {

struct MediaOptions {
  std::string id, contents, at, by, approver, purpose, destination, due, encrypted, checked_by,
      remarks, now;
  bool open = false, overdue = false;
};

Result<std::string> TimeOrNow(const std::string& at) {
  if (at.empty()) return timeutil::FormatRfc3339Utc(Env::Default()->NowUnixMicros());
  CUSTODY_ASSIGN_OR_RETURN(int64_t t, timeutil::ParseTime(at));
  return timeutil::FormatRfc3339Utc(t);
}

Status RunCheckout(const GlobalOptions& g, const MediaOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  MediaCheckout c;
  c.media_id = o.id;
  c.contents = o.contents;
  CUSTODY_ASSIGN_OR_RETURN(c.taken_at, TimeOrNow(o.at));
  c.taken_by = o.by.empty() ? op : o.by;
  c.approver = o.approver;
  c.purpose = o.purpose;
  c.destination = o.destination;
  c.due = o.due;
  if (o.encrypted != "yes" && o.encrypted != "no")
    return OwnError(StatusCode::kInvalidArgument, N_("--encrypted must be yes or no"), {});
  c.encrypted = o.encrypted == "yes";
  c.remarks = o.remarks;
  CUSTODY_ASSIGN_OR_RETURN(uint64_t seq, RecordMediaCheckout(*station, op, c));
  if (g.json)
    PrintLine(nlohmann::json({{"media_id", c.media_id}, {"entry", seq}}).dump());
  else
    PrintLine(Format(_("medium %s checked out (ledger entry %s), due %s"),
                     {c.media_id, std::to_string(seq), c.due}));
  return Status::Ok();
}

Status RunReturn(const GlobalOptions& g, const MediaOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  MediaReturn r;
  r.media_id = o.id;
  CUSTODY_ASSIGN_OR_RETURN(r.returned_at, TimeOrNow(o.at));
  r.checked_by = o.checked_by;
  r.remarks = o.remarks;
  CUSTODY_ASSIGN_OR_RETURN(uint64_t seq, RecordMediaReturn(*station, op, r));
  if (g.json)
    PrintLine(nlohmann::json({{"media_id", r.media_id}, {"entry", seq}}).dump());
  else
    PrintLine(Format(_("medium %s returned (ledger entry %s)"), {r.media_id, std::to_string(seq)}));
  return Status::Ok();
}

Status RunList(const GlobalOptions& g, const MediaOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  int64_t now = Env::Default()->NowUnixMicros();
  if (!o.now.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(now, timeutil::ParseTime(o.now));
  }
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg, ReadMediaRegister(*ledger, now));
  size_t overdue = 0;
  for (const MediaTakeOut& t : reg.take_outs) {
    if (o.open && t.returned) continue;
    if (o.overdue && !(t.overdue && !t.returned)) continue;
    if (t.overdue && !t.returned) ++overdue;
    const MediaCheckout& c = t.checkout;
    if (g.json) {
      nlohmann::json j = {{"media_id", c.media_id},       {"contents", c.contents},
                          {"taken_at", c.taken_at},       {"taken_by", c.taken_by},
                          {"approver", c.approver},       {"purpose", c.purpose},
                          {"destination", c.destination}, {"due", c.due},
                          {"encrypted", c.encrypted},     {"returned", t.returned},
                          {"overdue", t.overdue},         {"checkout_entry", t.checkout_seq}};
      nlohmann::json corrections = nlohmann::json::array();
      for (const MediaAmendment& m : t.amendments)
        corrections.push_back({{"entry", m.entry},
                               {"amends", m.amends},
                               {"changed", m.changed},
                               {"reason", m.reason}});
      j["corrections"] = corrections;
      if (t.returned) {
        j["returned_at"] = t.media_return.returned_at;
        j["checked_by"] = t.media_return.checked_by;
        j["return_entry"] = t.return_seq;
      }
      PrintLine(j.dump());
    } else {
      std::string state = t.returned ? (t.overdue ? _("returned late") : _("returned"))
                                     : (t.overdue ? _("OVERDUE") : _("out"));
      PrintLine(c.media_id + "  " + state + "  " +
                Format(_("taken %s by %s to %s (%s), due %s"),
                       {c.taken_at, c.taken_by, c.destination, c.purpose, c.due}) +
                (t.returned ? Format(_(", returned %s checked by %s"),
                                     {t.media_return.returned_at, t.media_return.checked_by})
                            : ""));
      for (const MediaAmendment& m : t.amendments) {
        std::string changed;
        for (const std::string& k : m.changed) changed += (changed.empty() ? "" : ", ") + k;
        PrintLine("  ※ " + Format(_("corrected by entry #%s (entry #%s: %s) — %s"),
                                  {std::to_string(m.entry), std::to_string(m.amends), changed,
                                   m.reason}));
      }
    }
  }
  for (const MediaAnomaly& a : reg.anomalies) {
    if (g.json)
      PrintLine(nlohmann::json({{"anomaly", a.code},
                                {"media_id", a.media_id},
                                {"entry", a.seq},
                                {"message", a.message}})
                    .dump());
    else
      PrintLine(Format(_("ANOMALY #%s"), std::to_string(a.seq)) + " " + a.code + ": " + a.message);
  }
  // Scripts and cron jobs act on the exit status: overdue media and ledger
  // anomalies are a state that needs someone's attention.
  if (o.overdue && overdue > 0)
    return Explain(FailedPreconditionError(std::to_string(overdue) + " medium/media overdue"),
                   StatusCode::kFailedPrecondition,
                   _("Some media are overdue (listed above): get them back, or record their "
                     "return."));
  return Status::Ok();
}

struct MediaAmendOptions {
  std::string id, reason, contents, at, by, approver, purpose, destination, due, encrypted,
      remarks, returned_at, checked_by, return_remarks;
  uint64_t entry = 0;
};

Status RunAmend(const GlobalOptions& g, const MediaAmendOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
  CUSTODY_ASSIGN_OR_RETURN(MediaRegister reg,
                           ReadMediaRegister(*ledger, Env::Default()->NowUnixMicros()));
  // The take-out: the one --entry names, else the latest of this medium.
  const MediaTakeOut* t = nullptr;
  for (const MediaTakeOut& x : reg.take_outs) {
    if (x.checkout.media_id != o.id) continue;
    if (o.entry == 0 || x.checkout_seq == o.entry || (x.returned && x.return_seq == o.entry))
      t = &x;
  }
  if (!t)
    return (o.entry ? OwnError(StatusCode::kNotFound,
                              N_("medium %s has no take-out with ledger entry %s in the ledger: nothing to correct "
                                 "(custody media list)"),
                              {o.id, std::to_string(o.entry)})
                 : OwnError(StatusCode::kNotFound,
                              N_("medium %s has no take-out in the ledger: nothing to correct (custody media list)"),
                              {o.id}));
  bool checkout_fields = !(o.contents + o.at + o.by + o.approver + o.purpose + o.destination +
                           o.due + o.encrypted + o.remarks)
                              .empty();
  bool return_fields = !(o.returned_at + o.checked_by + o.return_remarks).empty();
  if (checkout_fields && return_fields)
    return OwnError(StatusCode::kInvalidArgument, N_("correct the take-out and the return in two commands (each is its own ledger entry)"),
                    {});
  if (!checkout_fields && !return_fields)
    return OwnError(StatusCode::kInvalidArgument, N_("nothing to correct: give the fields with their corrected values"), {});
  uint64_t entry = 0, amended = 0;
  if (checkout_fields) {
    MediaCheckout c = t->checkout;
    auto set = [](std::string& f, const std::string& v) {
      if (!v.empty()) f = v;
    };
    set(c.contents, o.contents);
    if (!o.at.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(c.taken_at, TimeOrNow(o.at));
    }
    set(c.taken_by, o.by);
    set(c.approver, o.approver);
    set(c.purpose, o.purpose);
    set(c.destination, o.destination);
    set(c.due, o.due);
    set(c.remarks, o.remarks);
    if (!o.encrypted.empty()) {
      if (o.encrypted != "yes" && o.encrypted != "no")
        return OwnError(StatusCode::kInvalidArgument, N_("--encrypted must be yes or no"), {});
      c.encrypted = o.encrypted == "yes";
    }
    amended = t->checkout_seq;
    CUSTODY_ASSIGN_OR_RETURN(entry, AmendMediaCheckout(*station, op, amended, c, o.reason));
  } else {
    if (!t->returned)
      return OwnError(StatusCode::kFailedPrecondition, N_("medium %s is not returned yet: no return to correct"), {o.id});
    MediaReturn r = t->media_return;
    if (!o.returned_at.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(r.returned_at, TimeOrNow(o.returned_at));
    }
    if (!o.checked_by.empty()) r.checked_by = o.checked_by;
    if (!o.return_remarks.empty()) r.remarks = o.return_remarks;
    amended = t->return_seq;
    CUSTODY_ASSIGN_OR_RETURN(entry, AmendMediaReturn(*station, op, amended, r, o.reason));
  }
  if (g.json)
    PrintLine(nlohmann::json({{"media_id", o.id}, {"amends", amended}, {"entry", entry}}).dump());
  else
    PrintLine(Format(_("medium %s: entry %s corrected by ledger entry %s (the original entry is "
                       "unchanged)"),
                     {o.id, std::to_string(amended), std::to_string(entry)}));
  return Status::Ok();
}

CommandRegistration reg(42, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<MediaOptions>();
  CLI::App* media = app.add_subcommand("media", "持出管理簿: media taken out and returned");
  media->require_subcommand(1);

  CLI::App* out = media->add_subcommand("checkout", "Record that a medium is taken out");
  out->footer(
      "Example: custody media checkout --id USB-0042 --contents '住民記録 抽出データ' --approver "
      "鈴木課長 "
      "--purpose 'データ移行' --destination '新潟市役所 本庁舎' --due 2026-12-01 --encrypted yes");
  out->add_option("--id", o->id, "媒体管理番号")->required();
  out->add_option("--contents", o->contents, "格納情報")->required();
  out->add_option("--at", o->at, "持ち出し日時 (RFC 3339; default now)");
  out->add_option("--by", o->by, "持ち出した者 (default: the operator)");
  out->add_option("--approver", o->approver, "承認者")->required();
  out->add_option("--purpose", o->purpose, "用途")->required();
  out->add_option("--destination", o->destination, "持ち出し先")->required();
  out->add_option("--due", o->due, "返却予定日 YYYY-MM-DD")->required();
  out->add_option("--encrypted", o->encrypted, "暗号化の有無: yes or no")->required();
  out->add_option("--remarks", o->remarks, "備考");
  AddJsonFlag(out, g);
  out->callback([&g, o, &inv] { inv.run = [&g, o] { return RunCheckout(g, *o); }; });

  CLI::App* ret = media->add_subcommand("return", "Record that a medium came back");
  ret->footer("Example: custody media return --id USB-0042 --checked-by 田中一郎");
  ret->add_option("--id", o->id, "媒体管理番号")->required();
  ret->add_option("--at", o->at, "返却日時 (RFC 3339; default now)");
  ret->add_option("--checked-by", o->checked_by, "返却確認者")->required();
  ret->add_option("--remarks", o->remarks, "備考");
  AddJsonFlag(ret, g);
  ret->callback([&g, o, &inv] { inv.run = [&g, o] { return RunReturn(g, *o); }; });

  auto a = std::make_shared<MediaAmendOptions>();
  CLI::App* amend = media->add_subcommand(
      "amend", "Correct a take-out or return (訂正): append a correcting entry; history is kept");
  amend->footer(
      "Example: custody media amend USB-0042 --approver 鈴木部長 --reason '承認者の記載誤り'\n"
      "         custody media amend USB-0042 --checked-by 田中一郎 --reason '確認者の記載漏れ'");
  amend->add_option("id", a->id, "媒体管理番号")->required();
  amend->add_option("--entry", a->entry,
                    "The checkout or return ledger entry (default: the latest take-out)");
  amend->add_option("--reason", a->reason, "訂正理由 (required)")->required();
  amend->add_option("--contents", a->contents, "格納情報");
  amend->add_option("--at", a->at, "持ち出し日時 (RFC 3339)");
  amend->add_option("--by", a->by, "持ち出した者");
  amend->add_option("--approver", a->approver, "承認者");
  amend->add_option("--purpose", a->purpose, "用途");
  amend->add_option("--destination", a->destination, "持ち出し先");
  amend->add_option("--due", a->due, "返却予定日 YYYY-MM-DD");
  amend->add_option("--encrypted", a->encrypted, "暗号化の有無: yes or no");
  amend->add_option("--remarks", a->remarks, "備考 (take-out)");
  amend->add_option("--returned-at", a->returned_at, "返却日時 (RFC 3339)");
  amend->add_option("--checked-by", a->checked_by, "返却確認者");
  amend->add_option("--return-remarks", a->return_remarks, "備考 (return)");
  AddJsonFlag(amend, g);
  amend->callback([&g, a, &inv] { inv.run = [&g, a] { return RunAmend(g, *a); }; });

  CLI::App* list = media->add_subcommand("list", "List take-outs (and ledger anomalies)");
  list->footer("Example: custody media list --overdue   (exit 14 when any medium is overdue)");
  list->add_flag("--open", o->open, "Only media not yet returned");
  list->add_flag("--overdue", o->overdue, "Only media out past their due day; exit 14 if any");
  list->add_option("--now", o->now, "Judge overdue as of this time (default now)");
  AddJsonFlag(list, g);
  list->callback([&g, o, &inv] { inv.run = [&g, o] { return RunList(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
