// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody receipt issue|verify|reissue: 預かり証 for confidential information
// received (docs/formats/receipt.md).
#include "custody/receipt.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "cli/key_util.h"
#include "common/time_util.h"
#include "custody/acknowledgement.h"
#include "custody/certificate.h"
#include "custody/env.h"
#include "custody/package.h"

namespace custody::cli {
namespace {

struct ReceiptOptions {
  // issue
  std::string received_at, recipient, recipient_org, from, from_org, from_dept;
  std::string kind, name, quantity_note, medium = "other", medium_id, package_id, package_sha256;
  std::string transfer = "hand", tracking, transfer_detail, purpose, contract, storage;
  std::string disposition = "return", due, remarks;
  int64_t classification = 0, items = 0, bytes = 0;
  std::string lang = "ja", output;
  std::string package, sender_key;  // issue --package
  std::vector<std::string> identity_files;
  SecretSource secret;
  // verify / reissue / amend
  std::string file, key, qr, number, signer_key, reason;
};

// `receipt amend`: every content flag optional; unset = unchanged.
struct AmendOptions {
  std::string number, reason;
  std::string received_at, recipient, recipient_org, from, from_org, from_dept, kind, name,
      quantity_note, medium_id, transfer, tracking, transfer_detail, purpose, contract, storage,
      disposition, due, remarks;
  int64_t classification = -1, items = -1, bytes = -1;
};

Status RunAmend(const GlobalOptions& g, const AmendOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(uint64_t seq, ReceiptSeqFromNumber(*station, o.number));
  CUSTODY_ASSIGN_OR_RETURN(ReceiptContent c, CurrentReceiptContent(*station, seq));
  auto set = [](std::string& field, const std::string& v) {
    if (!v.empty()) field = v;
  };
  if (!o.received_at.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(int64_t t, timeutil::ParseTime(o.received_at));
    c.received_at = timeutil::FormatRfc3339Utc(t);
  }
  set(c.recipient_name, o.recipient);
  set(c.recipient_organization, o.recipient_org);
  set(c.deliverer_name, o.from);
  set(c.deliverer_organization, o.from_org);
  set(c.deliverer_department, o.from_dept);
  set(c.info_kind, o.kind);
  set(c.info_name, o.name);
  set(c.quantity_note, o.quantity_note);
  set(c.medium_id, o.medium_id);
  set(c.tracking, o.tracking);
  set(c.transfer_detail, o.transfer_detail);
  set(c.purpose, o.purpose);
  set(c.contract, o.contract);
  set(c.storage, o.storage);
  set(c.disposition_due, o.due);
  set(c.remarks, o.remarks);
  if (o.classification >= 0) c.classification = o.classification;
  if (o.items >= 0) c.items = o.items;
  if (o.bytes >= 0) c.bytes = o.bytes;
  if (!o.transfer.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(c.transfer, ParseTransferMethod(o.transfer));
  }
  if (!o.disposition.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(c.disposition, ParseDisposition(o.disposition));
  }
  CUSTODY_ASSIGN_OR_RETURN(uint64_t entry, AmendReceipt(*station, op, seq, c, o.reason));
  std::string number = FormatCertificateNumber(station->config().station_name, seq);
  if (g.json) {
    PrintLine(nlohmann::json({{"number", number}, {"receipt_entry", seq}, {"entry", entry}}).dump());
  } else {
    PrintLine(Format(_("receipt %s corrected by ledger entry %s (the original entry %s is unchanged)"),
                     {number, std::to_string(entry), std::to_string(seq)}));
    PrintLine(Format(_("write the corrected copy: %s"), "custody receipt reissue " + number));
  }
  return Status::Ok();
}

// "storage = 'B棟', disposition.due = '2027-06-30'"
std::string ChangedValues(const ReceiptAmendment& a) {
  std::string out;
  for (const std::string& p : a.changed)
    out += (out.empty() ? "" : ", ") + p + " = '" + ReceiptContentValue(a.content, p) + "'";
  return out;
}

Status RunIssue(const GlobalOptions& g, const ReceiptOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(DocumentLanguage lang, ParseDocumentLanguage(o.lang));
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  Env* env = Env::Default();
  ReceiptContent c;
  if (o.received_at.empty()) {
    c.received_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
  } else {
    CUSTODY_ASSIGN_OR_RETURN(int64_t t, timeutil::ParseTime(o.received_at));
    c.received_at = timeutil::FormatRfc3339Utc(t);
  }
  c.recipient_name = o.recipient.empty() ? op : o.recipient;
  c.recipient_organization =
      o.recipient_org.empty() ? station->config().organization : o.recipient_org;
  c.deliverer_name = o.from;
  c.deliverer_organization = o.from_org;
  c.deliverer_department = o.from_dept;
  c.info_kind = o.kind;
  c.info_name = o.name;
  c.classification = o.classification;
  c.items = o.items;
  c.bytes = o.bytes;
  c.quantity_note = o.quantity_note;
  CUSTODY_ASSIGN_OR_RETURN(c.medium, ParseReceiptMedium(o.medium));
  c.medium_id = o.medium_id;
  c.package_id = o.package_id;
  c.package_sha256 = o.package_sha256;
  CUSTODY_ASSIGN_OR_RETURN(c.transfer, ParseTransferMethod(o.transfer));
  c.tracking = o.tracking;
  c.transfer_detail = o.transfer_detail;
  c.purpose = o.purpose;
  c.contract = o.contract;
  c.storage = o.storage;
  CUSTODY_ASSIGN_OR_RETURN(c.disposition, ParseDisposition(o.disposition));
  c.disposition_due = o.due;
  c.remarks = o.remarks;
  if (!o.package.empty()) {
    // The receipt states what custody itself checked: decryption, every
    // file's hash, the manifest signature. A package that fails is refused
    // before anything is recorded.
    CUSTODY_ASSIGN_OR_RETURN(PackageKeys keys, LoadPackageKeys(g, o.identity_files, o.secret));
    VerifyPackageOptions vopts;
    if (!o.sender_key.empty()) {
      CUSTODY_ASSIGN_OR_RETURN(vopts.expected_sender_key, ReadVerifierKeyArg(o.sender_key));
    }
    auto verified = VerifyPackage(o.package, keys, vopts);
    if (!verified.ok())
      return verified.status().WithContext("package " + o.package +
                                           " did not verify; no receipt was issued");
    CUSTODY_RETURN_IF_ERROR(FillReceiptFromPackage(*verified, &c));
  } else if (!o.identity_files.empty() || !o.sender_key.empty()) {
    return OwnError(StatusCode::kInvalidArgument, N_("-i/--sender-key are for --package PKG"), {});
  }
  // Refuse before recording: a receipt entry whose files cannot be written
  // would be a receipt nobody was handed.
  CUSTODY_RETURN_IF_ERROR(ValidateReceiptContent(c));
  if (!o.output.empty()) {
    for (const char* ext : {".json", ".pdf"})
      if (env->FileExists(o.output + ext))
        return OwnError(StatusCode::kAlreadyExists, N_("%s exists; choose another --output"), {o.output + ext});
  }
  CUSTODY_ASSIGN_OR_RETURN(SignedReceipt s, IssueReceipt(*station, op, c));
  std::string prefix = o.output.empty() ? s.receipt.issuance.number : o.output;
  CUSTODY_ASSIGN_OR_RETURN(std::string record, SerializeSignedReceipt(s));
  CUSTODY_ASSIGN_OR_RETURN(std::string pdf, RenderReceiptPdf(s, lang));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(prefix + ".json", record, 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(prefix + ".pdf", pdf, 0644));
  if (g.json) {
    PrintLine(nlohmann::json({{"number", s.receipt.issuance.number},
                              {"entry", s.receipt.issuance.ledger_entry},
                              {"json", prefix + ".json"},
                              {"pdf", prefix + ".pdf"}})
                  .dump());
  } else {
    PrintLine(Format(_("receipt %s issued (ledger entry %s)"),
                     {s.receipt.issuance.number, std::to_string(s.receipt.issuance.ledger_entry)}));
    PrintLine(std::string(_("signed record:")) + " " + prefix + ".json");
    PrintLine(std::string(_("PDF to hand over:")) + " " + prefix + ".pdf");
  }
  return Status::Ok();
}

Status RunReissue(const GlobalOptions& g, const ReceiptOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(DocumentLanguage lang, ParseDocumentLanguage(o.lang));
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(uint64_t seq, ReceiptSeqFromNumber(*station, o.number));
  CUSTODY_ASSIGN_OR_RETURN(SignedReceipt s, RebuildReceipt(*station, seq));
  std::string prefix = o.output.empty() ? s.receipt.issuance.number : o.output;
  CUSTODY_ASSIGN_OR_RETURN(std::string record, SerializeSignedReceipt(s));
  CUSTODY_ASSIGN_OR_RETURN(std::string pdf, RenderReceiptPdf(s, lang));
  Env* env = Env::Default();
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(prefix + ".json", record, 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(prefix + ".pdf", pdf, 0644));
  if (g.json) {
    PrintLine(nlohmann::json({{"number", s.receipt.issuance.number},
                              {"entry", s.receipt.issuance.ledger_entry},
                              {"json", prefix + ".json"},
                              {"pdf", prefix + ".pdf"}})
                  .dump());
  } else {
    PrintLine(Format(_("receipt %s written to %s.json and .pdf"),
                     {s.receipt.issuance.number, prefix}));
  }
  return Status::Ok();
}

Status RunVerify(const GlobalOptions& g, const ReceiptOptions& o) {
  Env* env = Env::Default();
  CUSTODY_ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(o.file));
  std::string key;
  if (!o.key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(key, ReadVerifierKeyArg(o.key));
  } else {
    auto station = OpenStation(g);
    if (!station.ok())
      return OwnError(StatusCode::kInvalidArgument,
                      N_("no station here to take the issuer's key from: pass --key VERIFIER_KEY (the key the "
                         "issuer gave you by a separate channel)"),
                      {});
    key = (*station)->config().verifier_key;
  }
  auto verified = VerifyReceipt(bytes, key);
  if (!verified.ok()) {
    return Explain(verified.status().WithContext("receipt REJECTED"),
                   StatusCode::kVerificationFailed,
                   _("The receipt does NOT verify: it was altered after issue, or it was not "
                     "signed with this verifier key. Do not accept it."));
  }
  if (!o.qr.empty()) {
    Status qr = CheckReceiptQr(*verified, o.qr);
    if (!qr.ok()) return qr.WithContext("receipt REJECTED");
  }
  const Receipt& r = verified->receipt.receipt;
  const DocumentIssuance& i = r.issuance;
  const ReceiptContent& c = EffectiveContent(r);
  std::string what = verified->source == ReceiptSource::kPdf ? "PDF" : "JSON";
  // Corrections recorded in this station's ledger after the file was made:
  // the file itself still verifies (history is not rewritten), but the
  // person checking it must learn that it was corrected.
  std::vector<ReceiptAmendment> later;
  {
    auto station = OpenStation(g);
    if (station.ok() && (*station)->config().verifier_key == key) {
      auto all = ReceiptAmendments(**station, i.ledger_entry);
      if (all.ok())
        for (ReceiptAmendment& a : *all)
          if (r.amendments.empty() || a.entry > r.amendments.back().entry)
            later.push_back(std::move(a));
    }
  }
  auto amendment_json = [](const ReceiptAmendment& a) {
    nlohmann::json values = nlohmann::json::object();
    for (const std::string& p : a.changed) values[p] = ReceiptContentValue(a.content, p);
    return nlohmann::json({{"entry", a.entry},
                           {"time", a.time},
                           {"reason", a.reason},
                           {"values", values}});
  };
  if (g.json) {
    nlohmann::json amended = nlohmann::json::array(), newer = nlohmann::json::array();
    for (const ReceiptAmendment& a : r.amendments) amended.push_back(amendment_json(a));
    for (const ReceiptAmendment& a : later) newer.push_back(amendment_json(a));
    PrintLine(nlohmann::json({{"ok", true},
                              {"source", what == "PDF" ? "pdf" : "json"},
                              {"number", i.number},
                              {"entry", i.ledger_entry},
                              {"issued_at", i.issued_at},
                              {"body_sha256", verified->body_digest_hex},
                              {"amendments", amended},
                              {"amended_since", newer}})
                  .dump());
  } else {
    PrintLine(Format(_("receipt OK (%s): %s, ledger entry %s, issued %s"),
                     {what, i.number, std::to_string(i.ledger_entry), i.issued_at}));
    PrintLine(Format(_("received %s by %s from %s (%s): %s"),
                     {c.received_at, c.recipient_name, c.deliverer_name,
                      c.deliverer_organization, c.info_kind}));
    for (const ReceiptAmendment& a : r.amendments)
      PrintLine("  ※ " + Format(_("corrected by entry #%s (%s): %s — %s"),
                                {std::to_string(a.entry), a.time, ChangedValues(a), a.reason}));
    for (const ReceiptAmendment& a : later)
      PrintLine("  ※ " + Format(_("CORRECTED SINCE THIS FILE WAS MADE, by entry #%s (%s): %s — %s"),
                                {std::to_string(a.entry), a.time, ChangedValues(a), a.reason}));
    if (!later.empty())
      PrintLine("  " + Format(_("the corrected receipt: %s"), "custody receipt reissue " + i.number));
  }
  return Status::Ok();
}

Status RunImport(const GlobalOptions& g, const ReceiptOptions& o) {
  Env* env = Env::Default();
  CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(o.file));
  std::string pinned;
  if (!o.signer_key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(pinned, ReadVerifierKeyArg(o.signer_key));
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  auto imported = ImportAck(*station, op, text, pinned);
  if (!imported.ok()) return imported.status().WithContext("acknowledgement not accepted");
  const AckBody& b = imported->ack.body;
  if (g.json) {
    PrintLine(nlohmann::json({{"package_id", b.package_id},
                              {"digest", b.package_digest},
                              {"package_entry", imported->package_entry},
                              {"entry", imported->recorded_entry},
                              {"recipient", b.recipient_name}})
                  .dump());
  } else {
    PrintLine(Format(_("package %s acknowledged by %s at %s: every file verified"),
                     {b.package_id,
                      b.recipient_name + (b.recipient_organization.empty()
                                              ? ""
                                              : " (" + b.recipient_organization + ")"),
                      b.received_at}));
    PrintLine(Format(_("recorded as ledger entry %s (package sent in entry %s)"),
                     {std::to_string(imported->recorded_entry),
                      std::to_string(imported->package_entry)}));
  }
  return Status::Ok();
}

CommandRegistration reg(40, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<ReceiptOptions>();
  CLI::App* receipt =
      app.add_subcommand("receipt", "預かり証: receipts for confidential information received");
  receipt->require_subcommand(1);

  CLI::App* issue =
      receipt->add_subcommand("issue", "Record a receipt and write its signed JSON and PDF");
  issue->footer(
      "Example: custody receipt issue --from 佐藤花子 --from-org 新潟市 --from-dept 市民生活部 "
      "--kind 住民基本台帳データ --classification 3 --items 1200 --medium usb-flash --medium-id "
      "USB-0042 "
      "--transfer hand --contract 住民記録システム保守 --storage 'A棟 金庫2' --disposition return "
      "--due 2027-03-31\n"
      "   or: custody receipt issue --package handover.age -i city.key --from 佐藤花子 "
      "--transfer encrypted-transfer --contract 住民記録システム保守 --storage 'NAS /secure' --due "
      "2027-03-31");
  issue->add_option("--received-at", o->received_at, "受領日時 (RFC 3339; default now)");
  issue->add_option("--recipient", o->recipient, "受領者 (default: the operator)");
  issue->add_option("--recipient-org", o->recipient_org,
                    "受領者の所属 (default: the station's organization)");
  issue->add_option("--from", o->from, "引渡者: the person who handed it over")->required();
  issue->add_option("--from-org", o->from_org,
                    "引渡者の団体 (municipality; with --package default: the sender organization)");
  issue->add_option("--from-dept", o->from_dept, "引渡者の部署");
  issue->add_option("--kind", o->kind,
                    "情報の種類 (e.g. 住民基本台帳データ; with --package default: its purpose)");
  issue->add_option("--name", o->name, "情報の名称 (file or data set name)");
  issue->add_option("--classification", o->classification,
                    "機密性区分 1, 2 or 3 (with --package default: the manifest's)");
  issue->add_option("--items", o->items, "件数");
  issue->add_option("--bytes", o->bytes, "容量 in bytes");
  issue->add_option("--quantity-note", o->quantity_note,
                    "件数・容量 in words (e.g. 'CSV 3 files')");
  issue->add_option(
      "--medium", o->medium,
      "媒体: usb-flash, hdd, ssd, optical, sd-card, tape, paper, custody-package, online, other");
  issue->add_option("--medium-id", o->medium_id, "媒体のシリアル・管理番号");
  issue->add_option("--package", o->package,
                    "Receipt for this custody package: verify it (decrypt, every file's hash, the "
                    "manifest signature) and fill 媒体, 件数・容量, 情報, 引渡者の所属, 機密性区分 "
                    "from its manifest (flags still override)");
  issue->add_option("-i,--identity", o->identity_files,
                    "age identity file that opens --package; repeatable");
  issue->add_option("--sender-key", o->sender_key,
                    "--package: the sender's verifier key (string or file) the manifest must be "
                    "signed by");
  o->secret.AddOptions(issue, "package passphrase");
  issue->add_option("--package-id", o->package_id, "custody package ID (medium custody-package)");
  issue->add_option("--package-sha256", o->package_sha256, "custody package manifest SHA-256");
  issue->add_option("--transfer", o->transfer,
                    "授受方法: hand, secure-mail, courier, encrypted-transfer, other");
  issue->add_option("--tracking", o->tracking, "追跡番号 (secure-mail)");
  issue->add_option("--transfer-detail", o->transfer_detail, "授受方法の詳細");
  issue->add_option("--purpose", o->purpose, "利用目的");
  issue->add_option("--contract", o->contract, "契約名");
  issue->add_option("--storage", o->storage, "保管場所")->required();
  issue->add_option("--disposition", o->disposition, "返還 (return) or 廃棄 (dispose)");
  issue->add_option("--due", o->due, "返還・廃棄予定日 YYYY-MM-DD")->required();
  issue->add_option("--remarks", o->remarks, "備考");
  issue->add_option("--lang", o->lang, "PDF language: ja (default), en, ja+en");
  issue->add_option("-o,--output", o->output,
                    "Output prefix: PREFIX.json and PREFIX.pdf (default: the number)");
  AddJsonFlag(issue, g);
  issue->callback([&g, o, &inv] { inv.run = [&g, o] { return RunIssue(g, *o); }; });

  CLI::App* verify = receipt->add_subcommand("verify", "Verify a receipt's JSON or PDF");
  verify->footer("Example: custody receipt verify office-1-000007.pdf --key verifier-key.txt");
  verify->add_option("file", o->file, "RECEIPT.json or RECEIPT.pdf")->required();
  verify->add_option("--key", o->key,
                     "Issuer's verifier key (string or file); default: this station's");
  verify->add_option("--qr", o->qr,
                     "A QR payload scanned from the paper copy: must name this receipt");
  AddJsonFlag(verify, g);
  verify->callback([&g, o, &inv] { inv.run = [&g, o] { return RunVerify(g, *o); }; });

  CLI::App* reissue =
      receipt->add_subcommand("reissue", "Write a receipt's JSON and PDF again from the ledger");
  reissue->footer("Example: custody receipt reissue office-1-000007 --lang en -o copy");
  reissue->add_option("number", o->number, "Receipt number (or its ledger entry)")->required();
  reissue->add_option("--lang", o->lang, "PDF language: ja (default), en, ja+en");
  reissue->add_option("-o,--output", o->output, "Output prefix (default: the number)");
  AddJsonFlag(reissue, g);
  reissue->callback([&g, o, &inv] { inv.run = [&g, o] { return RunReissue(g, *o); }; });

  auto a = std::make_shared<AmendOptions>();
  CLI::App* amend = receipt->add_subcommand(
      "amend", "Correct a receipt (訂正): append a signed correcting entry; history is kept");
  amend->footer(
      "Example: custody receipt amend office-1-000007 --storage 'B棟 金庫1' --due 2027-06-30 "
      "--reason '保管場所の変更'");
  amend->add_option("number", a->number, "Receipt number (or its ledger entry)")->required();
  amend->add_option("--reason", a->reason, "訂正理由 (required)")->required();
  amend->add_option("--received-at", a->received_at, "受領日時 (RFC 3339)");
  amend->add_option("--recipient", a->recipient, "受領者");
  amend->add_option("--recipient-org", a->recipient_org, "受領者の所属");
  amend->add_option("--from", a->from, "引渡者");
  amend->add_option("--from-org", a->from_org, "引渡者の団体");
  amend->add_option("--from-dept", a->from_dept, "引渡者の部署");
  amend->add_option("--kind", a->kind, "情報の種類");
  amend->add_option("--name", a->name, "情報の名称");
  amend->add_option("--classification", a->classification, "機密性区分 1, 2 or 3");
  amend->add_option("--items", a->items, "件数");
  amend->add_option("--bytes", a->bytes, "容量 in bytes");
  amend->add_option("--quantity-note", a->quantity_note, "件数・容量 in words");
  amend->add_option("--medium-id", a->medium_id, "媒体のシリアル・管理番号");
  amend->add_option("--transfer", a->transfer,
                    "授受方法: hand, secure-mail, courier, encrypted-transfer, other");
  amend->add_option("--tracking", a->tracking, "追跡番号");
  amend->add_option("--transfer-detail", a->transfer_detail, "授受方法の詳細");
  amend->add_option("--purpose", a->purpose, "利用目的");
  amend->add_option("--contract", a->contract, "契約名");
  amend->add_option("--storage", a->storage, "保管場所");
  amend->add_option("--disposition", a->disposition, "返還 (return) or 廃棄 (dispose)");
  amend->add_option("--due", a->due, "返還・廃棄予定日 YYYY-MM-DD");
  amend->add_option("--remarks", a->remarks, "備考");
  AddJsonFlag(amend, g);
  amend->callback([&g, a, &inv] { inv.run = [&g, a] { return RunAmend(g, *a); }; });

  CLI::App* import = receipt->add_subcommand(
      "import", "Check a recipient's acknowledgement against the package sent and record it");
  import->footer(
      "Example: custody receipt import ACK.json --signer-key 'custody-ack-one-off+1a2b3c4d+AX...'");
  import->add_option("ack", o->file, "The acknowledgement: ACK.json, or the PDF printed with it")->required();
  import->add_option(
      "--signer-key", o->signer_key,
      "The signer's verifier key (string or file): required for a one-off key (the key on "
      "the paper copy)");
  AddJsonFlag(import, g);
  import->callback([&g, o, &inv] { inv.run = [&g, o] { return RunImport(g, *o); };
});
});

}  // namespace
}  // namespace custody::cli
