// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The printable receipt (預かり証) as a report::Document built only from the
// signed record, and verification of RECEIPT.json or the PDF.
//
// Why the PDF carries the whole record: the paper copy travels alone (it is
// what the municipality files). With the record in the PDF's metadata, the PDF
// can be verified on its own, and because the renderer is deterministic the
// verifier re-renders the record and requires the very same bytes, so a PDF
// whose visible text was altered fails even though its metadata is intact.
#include <algorithm>
#include <cstdio>

#include "common/time_util.h"
#include "custody/certificate.h"
#include "custody/receipt.h"
#include "receipt/receipt_internal.h"
#include "receipt/vocabulary.h"
#include "report/document.h"

namespace custody {
namespace {

using report::Label;
using namespace receipt;  // NOLINT: the vocabulary tables.

report::Language ToReport(DocumentLanguage l) {
  switch (l) {
    case DocumentLanguage::kJa:
      return report::Language::kJa;
    case DocumentLanguage::kEn:
      return report::Language::kEn;
    case DocumentLanguage::kJaEn:
      return report::Language::kJaEn;
  }
  return report::Language::kJa;
}

template <typename E, size_t N>
Label L(const std::array<Term<E>, N>& table, E v) {
  const auto& t = TermOf(table, v);
  return {std::string(t.ja), std::string(t.en)};
}

std::string Jst(const std::string& rfc3339) {
  auto t = timeutil::ParseTime(rfc3339);
  return t.ok() ? timeutil::FormatJst(*t) : rfc3339;
}

std::string OrDash(const std::string& s) { return s.empty() ? "—" : s; }

class ReceiptDocument {
 public:
  ReceiptDocument(const SignedReceipt& s, DocumentLanguage lang, std::string body_digest,
                  std::string keywords)
      : c_(EffectiveContent(s.receipt)),
        i_(s.receipt.issuance),
        amendments_(s.receipt.amendments),
        amended_(AmendedPaths(s.receipt)),
        lang_(ToReport(lang)),
        body_digest_(std::move(body_digest)),
        keywords_(std::move(keywords)) {}

  report::Document Build() {
    report::Document d;
    d.language = lang_;
    d.title = {"預かり証", "Receipt for Confidential Information"};
    d.subtitle = {"機密情報の受領について", "Acknowledgement of confidential information received"};
    d.document_number = P("受領番号", "Receipt No.") + i_.number;
    auto issued = timeutil::ParseTime(i_.issued_at);
    std::string date = i_.issued_at.substr(0, 10);
    if (issued.ok()) {
      date = timeutil::FormatJst(*issued).substr(0, 10);
      if (lang_ != report::Language::kEn)
        date = timeutil::FormatWareki(*issued) + " (" + date + ")";
    }
    d.header_right = {P("発行日", "Issued") + date};
    std::string to = c_.deliverer_organization;
    if (!c_.deliverer_department.empty()) to += " " + c_.deliverer_department;
    d.addressee = lang_ == report::Language::kEn ? "To: " + to : to + " 御中";
    d.issuer = {c_.recipient_organization.empty() ? i_.issuer_company : c_.recipient_organization};
    d.issuer.push_back(P("受領者", "Received by") + c_.recipient_name);
    d.issuer.push_back(P("発行端末", "Station") + i_.issuer_station);

    if (lang_ != report::Language::kEn)
      d.blocks.push_back(
          report::Paragraph{"下記の機密情報を確かに受領しました。契約に基づき適切に管理し、"
                            "予定日までに返還または廃棄します。"});
    if (lang_ != report::Language::kJa)
      d.blocks.push_back(report::Paragraph{
          "We acknowledge receipt of the confidential information below. We will keep it as the "
          "contract requires and return or dispose of it by the date stated."});
    if (lang_ != report::Language::kEn)
      d.blocks.push_back(report::Paragraph{"記", report::Align::kCenter, 11});
    d.blocks.push_back(Content());
    if (!amendments_.empty()) d.blocks.push_back(Amendments());
    d.blocks.push_back(Signatures());
    d.blocks.push_back(Evidence());
    d.footer_note = T("本預かり証の正本は電子署名付きの JSON (" + i_.number +
                          ".json) です。検証: custody receipt verify",
                      "The signed JSON (" + i_.number +
                          ".json) is the original of this receipt; verify it with custody receipt "
                          "verify");
    d.created = i_.issued_at;
    d.author = i_.issuer_company;
    d.subject = "custody receipt " + i_.number;
    d.keywords = keywords_;
    return d;
  }

 private:
  std::string T(const std::string& ja, const std::string& en) const {
    return report::Pick({ja, en}, lang_);
  }
  std::string T(const Label& l) const { return report::Pick(l, lang_); }
  std::string P(const std::string& ja, const std::string& en) const {
    return lang_ == report::Language::kJa ? ja + " " : T(ja, en) + ": ";
  }

  report::KeyValueSection Content() {
    report::KeyValueSection s;
    s.heading = {"受領した情報", "Information received"};
    std::string deliverer = c_.deliverer_name + "（" + c_.deliverer_organization +
                            (c_.deliverer_department.empty() ? "" : " " + c_.deliverer_department) +
                            "）";
    std::string recipient =
        c_.recipient_name +
        (c_.recipient_organization.empty() ? "" : "（" + c_.recipient_organization + "）");
    std::string info = c_.info_kind + (c_.info_name.empty() ? "" : "\n" + c_.info_name);
    std::vector<std::string> qty;
    if (c_.items > 0) qty.push_back(std::to_string(c_.items) + T(" 件", " items"));
    if (c_.bytes > 0) qty.push_back(receipt::HumanBytes(c_.bytes));
    if (!c_.quantity_note.empty()) qty.push_back(c_.quantity_note);
    std::string quantity;
    for (const std::string& q : qty) quantity += (quantity.empty() ? "" : " / ") + q;
    std::string medium = T(L(kMedia, c_.medium));
    // append(), not operator+: GCC 12 reports a false -Wrestrict on "\n" + std::string.
    if (!c_.medium_id.empty()) medium.append("\n").append(P("管理番号", "ID")).append(c_.medium_id);
    if (c_.medium == ReceiptMedium::kCustodyPackage)
      medium.append("\n")
          .append(P("パッケージID", "Package ID"))
          .append(c_.package_id)
          .append("\nSHA-256 ")
          .append(c_.package_sha256);
    if (c_.package_check) {
      const ReceiptPackageCheck& k = *c_.package_check;
      medium.append("\n").append(
          T("受領時に検証済み: 全 " + std::to_string(k.files) +
                " ファイルのハッシュとマニフェスト署名が一致",
            "Verified on receipt: all " + std::to_string(k.files) +
                " files' hashes and the manifest signature match"));
      medium.append("\n").append(P("送付元", "Sent by"))
          .append(k.sender_organization + " / " + k.sender_station);
      medium.append("\n").append(P("署名鍵", "Signer key")).append(k.sender_verifier_key);
    }
    std::string transfer = T(L(kTransfers, c_.transfer));
    if (!c_.tracking.empty())
      transfer.append("\n").append(P("追跡番号", "Tracking No.")).append(c_.tracking);
    if (!c_.transfer_detail.empty()) transfer.append("\n").append(c_.transfer_detail);
    std::string due = c_.disposition_due;
    auto due_t = timeutil::ParseTime(due + "T00:00:00+09:00");
    if (due_t.ok() && lang_ != report::Language::kEn)
      due = timeutil::FormatWareki(*due_t) + " (" + due + ")";
    s.fields = {
        {{"受領日時", "Received at"}, Jst(c_.received_at)},
        {{"受領者", "Received by"}, recipient},
        {{"引渡者", "Handed over by"}, deliverer},
        {{"情報の種類・名称", "Kind and name of information"}, info},
        {{"機密性区分", "Classification"},
         T("機密性" + std::to_string(c_.classification),
           "Class " + std::to_string(c_.classification))},
        {{"件数・容量", "Quantity"}, OrDash(quantity)},
        {{"媒体", "Medium"}, medium},
        {{"授受方法", "Handover method"}, transfer},
        {{"利用目的", "Purpose"}, OrDash(c_.purpose)},
        {{"契約名", "Contract"}, OrDash(c_.contract)},
        {{"保管場所", "Kept at"}, c_.storage},
        {{"返還・廃棄予定", "Return or disposal"},
         T(L(kDispositions, c_.disposition)) + " " + T("予定日 ", "due ") + due},
    };
    if (!c_.remarks.empty() || Mark({"remarks"}) != "")
      s.fields.push_back({{"備考", "Remarks"}, OrDash(c_.remarks)});
    // Which content paths each row shows, for the correction marks.
    static const std::vector<std::vector<std::string>> kRowPaths = {
        {"received_at"},
        {"recipient."},
        {"deliverer."},
        {"information.kind", "information.name"},
        {"information.classification"},
        {"information.items", "information.bytes", "information.quantity_note"},
        {"medium."},
        {"transfer."},
        {"purpose.purpose"},
        {"purpose.contract"},
        {"storage"},
        {"disposition."},
        {"remarks"}};
    for (size_t k = 0; k < s.fields.size() && k < kRowPaths.size(); ++k)
      s.fields[k].value += Mark(kRowPaths[k]);
    return s;
  }

  // " ※訂正 #N" for a row one of whose paths (or path prefixes ending in '.')
  // an amendment changed; the latest amending entry.
  std::string Mark(const std::vector<std::string>& paths) const {
    uint64_t entry = 0;
    for (const auto& [path, seq] : amended_)
      for (const std::string& p : paths)
        if (path == p || (p.back() == '.' && path.rfind(p, 0) == 0)) entry = std::max(entry, seq);
    if (entry == 0) return "";
    return T("  ※訂正 #", "  *corrected #") + std::to_string(entry);
  }

  report::KeyValueSection Amendments() {
    report::KeyValueSection s;
    s.heading = {"訂正履歴（原記録は変更されていません）",
                 "Corrections (the original record is unchanged)"};
    for (const ReceiptAmendment& a : amendments_) {
      std::string changed;
      for (const std::string& p : a.changed) changed += (changed.empty() ? "" : ", ") + p;
      s.fields.push_back({{"訂正 #" + std::to_string(a.entry), "Correction #" +
                                                                   std::to_string(a.entry)},
                          Jst(a.time) + "\n" + T("訂正項目 ", "Changed: ") + changed + "\n" +
                              T("理由 ", "Reason: ") + a.reason});
    }
    return s;
  }

  report::SignatureBlock Signatures() {
    report::SignatureBlock b;
    b.seals.push_back({{"受領者", "Recipient"}, c_.recipient_name});
    b.seals.push_back({{"引渡者", "Deliverer"}, c_.deliverer_name});
    b.qr_payload = ReceiptQrPayload(i_.number, body_digest_);
    b.qr_caption = {"検証用QRコード（受領番号・署名対象のSHA-256）",
                    "Verification QR: receipt number and SHA-256 of the signed body"};
    return b;
  }

  report::KeyValueSection Evidence() {
    report::KeyValueSection s;
    s.heading = {"署名・台帳の証跡", "Signature and ledger evidence"};
    s.fields = {
        {{"台帳エントリ", "Ledger entry"},
         i_.ledger_origin + " #" + std::to_string(i_.ledger_entry) + " receipt.issued (" +
             i_.issued_at + ")"},
        {{"署名鍵", "Signing key"}, i_.issuer_verifier_key},
        {{"内容ダイジェスト", "Content digest"}, "SHA-256 " + i_.content_sha256_hex},
        {{"本文ダイジェスト (QR)", "Body digest (QR)"}, "SHA-256 " + body_digest_},
    };
    return s;
  }

  const ReceiptContent& c_;
  const DocumentIssuance& i_;
  const std::vector<ReceiptAmendment>& amendments_;
  std::vector<std::pair<std::string, uint64_t>> amended_;
  report::Language lang_;
  std::string body_digest_;
  std::string keywords_;
};

}  // namespace

Result<std::string> RenderReceiptPdf(const SignedReceipt& s, DocumentLanguage lang) {
  CUSTODY_ASSIGN_OR_RETURN(std::string digest, ReceiptBodyDigestHex(s.receipt));
  CUSTODY_ASSIGN_OR_RETURN(std::string record, SerializeSignedReceipt(s));
  std::string keywords = PdfRecordKeywords(ReceiptQrPayload(s.receipt.issuance.number, digest), lang, record);
  ReceiptDocument doc(s, lang, digest, keywords);
  return report::RenderPdf(doc.Build());
}

Result<VerifiedReceipt> VerifyReceipt(std::string_view bytes, std::string_view verifier_key) {
  VerifiedReceipt out;
  std::string record;
  std::optional<DocumentLanguage> lang;
  std::string qr;
  if (IsPdf(bytes)) {
    out.source = ReceiptSource::kPdf;
    CUSTODY_ASSIGN_OR_RETURN(PdfRecord carried, ReadPdfRecord(bytes, "receipt"));
    qr = std::move(carried.qr);
    lang = carried.language;
    record = std::move(carried.record);
  } else {
    record = std::string(bytes);
  }
  CUSTODY_ASSIGN_OR_RETURN(out.receipt, ParseSignedReceipt(record));
  CUSTODY_RETURN_IF_ERROR(receipt::VerifySignedReceipt(out.receipt, verifier_key));
  CUSTODY_ASSIGN_OR_RETURN(out.body_digest_hex, ReceiptBodyDigestHex(out.receipt.receipt));
  if (out.source == ReceiptSource::kPdf) {
    CUSTODY_RETURN_IF_ERROR(CheckReceiptQr(out, qr));
    CUSTODY_ASSIGN_OR_RETURN(std::string again, RenderReceiptPdf(out.receipt, *lang));
    if (again != bytes)
      return VerificationFailedError(
          "the PDF is not the rendering of the receipt it carries: its pages were altered (or it "
          "was rendered by another version of custody's renderer; verify the JSON instead)");
  }
  return out;
}

namespace receipt {

// Decimal units, as media makers label capacity; exact bytes beside them.
std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[64];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s (%lld B)", v, units[u], static_cast<long long>(bytes));
  return buf;
}

}  // namespace receipt

}  // namespace custody
