// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The printable certificate: a report::Document built from the signed record.
// Everything on paper comes from the signed body (plus the checkpoint the
// evidence bundle proves against), so the paper can say nothing the JSON does
// not.
#include <cstdio>
#include <set>

#include "cert/vocabulary.h"
#include "common/time_util.h"
#include "crypto/hash.h"
#include "custody/certificate.h"
#include "custody/env.h"
#include "report/document.h"

namespace custody {
namespace {

using report::Label;

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
Label L(const std::array<cert::Term<E>, N>& table, E v) {
  const auto& t = cert::TermOf(table, v);
  return {std::string(t.ja), std::string(t.en)};
}

// Decimal units, as drive makers label capacity.
std::string Capacity(int64_t bytes) {
  if (bytes <= 0) return "—";
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string Jst(const std::string& rfc3339) {
  auto t = timeutil::ParseTime(rfc3339);
  return t.ok() ? timeutil::FormatJst(*t) : rfc3339;
}

// "2026-11-22 09:00:00 〜 11:30:00" when both ends fall on one JST day.
std::string Period(const std::string& from, const std::string& to, const char* sep) {
  std::string a = Jst(from), b = Jst(to);
  if (a.size() > 11 && b.size() > 11 && a.compare(0, 11, b, 0, 11) == 0) b = b.substr(11);
  return a + sep + b;
}

std::string OrDash(const std::string& s) { return s.empty() ? "—" : s; }

class CertificateDocument {
 public:
  CertificateDocument(const SignedCertificate& s, DocumentLanguage lang,
                      const CertificateEvidenceSummary& ev, std::string body_digest,
                      const std::vector<CertificatePhoto>& photos)
      : c_(s.certificate.content),
        i_(s.certificate.issuance),
        lang_(ToReport(lang)),
        ev_(ev),
        body_digest_(std::move(body_digest)),
        photos_(photos) {}

  report::Document Build() {
    report::Document d;
    d.language = lang_;
    bool destroyed = false;
    for (const CertificateDevice& dev : c_.devices)
      destroyed |= dev.method.family == MethodFamily::kPhysicalDestruction ||
                   dev.method.family == MethodFamily::kDegauss;
    d.title = destroyed ? Label{"データ消去・破壊証明書",
                                "Certificate of Data Sanitization and Destruction"}
                        : Label{"データ消去証明書", "Certificate of Data Sanitization"};
    if (!c_.complete) d.title = {"【未完了】" + d.title.ja, "[INCOMPLETE] " + d.title.en};
    d.subtitle = {"総行情第77号の例による廃棄等の証明",
                  "Disposal certificate per MIC notice 総行情第77号"};
    d.document_number = P("証明書番号", "Certificate No.") + i_.number;
    auto issued = timeutil::ParseTime(i_.issued_at);
    std::string date = i_.issued_at.substr(0, 10);
    if (issued.ok()) {
      std::string jst = timeutil::FormatJst(*issued);
      date = jst.substr(0, 10);
      if (lang_ != report::Language::kEn)
        date = timeutil::FormatWareki(*issued) + " (" + date + ")";
    }
    d.header_right = {P("発行日", "Issued") + date};
    std::string client = c_.client_municipality;
    if (!c_.client_department.empty()) client += " " + c_.client_department;
    d.addressee = lang_ == report::Language::kEn ? "To: " + client : client + " 御中";
    d.issuer = {c_.contractor};
    if (!i_.issuer_company.empty() && i_.issuer_company != c_.contractor)
      d.issuer.push_back(i_.issuer_company);
    d.issuer.push_back(P("作業責任者", "Responsible") + c_.responsible);
    d.issuer.push_back(P("発行端末", "Station") + i_.issuer_station);

    if (!c_.complete) d.blocks.push_back(Warnings(/*only_incomplete=*/true));
    std::string intro_ja =
        destroyed ? "下記のとおり、記録媒体に記録された情報を復元困難な状態に消去または"
                    "物理的に破壊したことを証明します。"
                  : "下記のとおり、記録媒体に記録された情報を復元困難な状態に消去した"
                    "ことを証明します。";
    std::string intro_en =
        "We certify that the information recorded on the media listed below was "
        "sanitized as described, so that it cannot be restored.";
    if (!c_.complete) {
      intro_ja = "下記の媒体について実施した処理を記録します。完了していない処理があります。";
      intro_en =
          "This records the processing of the media listed below. Some of it did NOT "
          "complete.";
    }
    if (lang_ != report::Language::kEn) d.blocks.push_back(report::Paragraph{intro_ja});
    if (lang_ != report::Language::kJa) d.blocks.push_back(report::Paragraph{intro_en});
    if (lang_ != report::Language::kEn)
      d.blocks.push_back(report::Paragraph{"記", report::Align::kCenter, 11});

    d.blocks.push_back(Summary());
    d.blocks.push_back(DeviceTable());
    d.blocks.push_back(DetailTable());
    if (report::PhotoGrid g = Photos(); !g.photos.empty()) d.blocks.push_back(std::move(g));
    if (HasWarnings(false)) d.blocks.push_back(Warnings(false));
    d.blocks.push_back(Signatures());
    d.blocks.push_back(Evidence());

    d.footer_note = T("本証明書の正本は電子署名付きの JSON (" + i_.number +
                          ".json) です。検証: custody cert verify",
                      "The signed JSON (" + i_.number +
                          ".json) is the original of this certificate; verify it with custody cert "
                          "verify");
    d.created = i_.issued_at;
    d.author = c_.contractor;
    d.subject = "custody disposal certificate " + i_.number;
    d.keywords = CertificateQrPayload(i_.number, body_digest_);
    return d;
  }

 private:
  // Text in the document's language(s).
  std::string T(const std::string& ja, const std::string& en) const {
    return report::Pick({ja, en}, lang_);
  }
  std::string T(const Label& l) const { return report::Pick(l, lang_); }
  // A term in a narrow table cell: both languages on their own lines.
  std::string C(const Label& l) const {
    if (lang_ == report::Language::kJaEn && !l.ja.empty() && !l.en.empty() && l.ja != l.en)
      return l.ja + "\n" + l.en;
    return T(l);
  }
  // A label in front of a value: "範囲 5%", "Coverage: 5%", "範囲 / Coverage: 5%".
  std::string P(const std::string& ja, const std::string& en) const {
    return lang_ == report::Language::kJa ? ja + " " : T(ja, en) + ": ";
  }

  report::KeyValueSection Summary() {
    report::KeyValueSection s;
    s.heading = {"作業の概要", "Summary of the work"};
    std::string client = c_.client_municipality;
    if (!c_.client_department.empty()) client += " " + c_.client_department;
    std::string witness =
        c_.witness_present
            ? c_.witness_name +
                  (c_.witness_department.empty() ? "" : " (" + c_.witness_department + ")")
            : T("立会いなし", "Not witnessed");
    std::string place = T(L(cert::kPlaces, c_.place));
    if (!c_.place_detail.empty()) place += " — " + c_.place_detail;
    std::string first, last;
    for (const CertificateDevice& dev : c_.devices) {
      if (first.empty() || dev.started < first) first = dev.started;
      if (last.empty() || dev.finished > last) last = dev.finished;
    }
    std::string operators;
    for (const std::string& o : c_.operators) operators += (operators.empty() ? "" : "、") + o;
    std::set<std::string> families;
    std::string methods;
    for (const CertificateDevice& dev : c_.devices) {
      std::string m = T(L(cert::kFamilies, dev.method.family));
      if (families.insert(m).second) methods += (methods.empty() ? "" : "、") + m;
    }
    s.fields = {
        {{"委託元", "Client"}, client},
        {{"契約名", "Contract"}, OrDash(c_.client_contract)},
        {{"作業事業者名", "Contractor"}, c_.contractor},
        {{"作業責任者名", "Responsible person"}, c_.responsible},
        {{"作業者", "Operator(s)"}, operators},
        {{"立会者", "Witness"}, witness},
        {{"作業場所", "Place"}, place},
        {{"区分", "Reason"}, T(L(cert::kReasons, c_.reason))},
        {{"機密性区分", "Classification"},
         T("機密性" + std::to_string(c_.classification),
           "Class " + std::to_string(c_.classification))},
        {{"処分方法", "Method"}, methods},
        {{"作業日時", "Work period"}, Period(first, last, " 〜 ")},
        {{"処分後の行き先", "Destination"}, OrDash(c_.destination)},
        {{"備考", "Remarks"}, OrDash(c_.remarks)},
    };
    return s;
  }

  report::Table DeviceTable() {
    report::Table t;
    t.heading = {"対象機器・媒体", "Devices and media"};
    t.size_pt = 8;
    t.columns = {{{"No.", "No."}, 0.45, report::Align::kRight},
                 {{"種別・I/F", "Type / I/F"}, 1.1},
                 {{"メーカー・型番", "Maker / model"}, 1.8},
                 {{"シリアル番号\n管理番号", "Serial\nAsset tag"}, 1.75},
                 {{"容量", "Capacity"}, 0.85, report::Align::kRight},
                 {{"HPA/DCO", "HPA/DCO"}, 0.9},
                 {{"処分方法", "Method"}, 1.45},
                 {{"結果", "Result"}, 1.05, report::Align::kCenter}};
    for (size_t i = 0; i < c_.devices.size(); ++i) {
      const CertificateDevice& d = c_.devices[i];
      std::string type = C(L(cert::kMedia, d.media));
      if (!d.interface.empty()) type += "\n" + d.interface;
      std::string maker = d.maker + (d.maker.empty() || d.model.empty() ? "" : "\n") + d.model;
      std::string ids = OrDash(d.serial) + "\n" + OrDash(d.asset_tag);
      std::string method =
          C(L(cert::kFamilies, d.method.family)) + "\n" + C(L(cert::kLevels, d.method.level));
      std::string result = C(L(cert::kOutcomes, d.outcome));
      if (d.outcome == Outcome::kCompleted)
        result += "\n" + C(L(cert::kVerificationResults, d.verification.result));
      t.rows.push_back({std::to_string(i + 1), type, OrDash(maker), ids, Capacity(d.capacity_bytes),
                        C(L(cert::kHiddenAreas, d.hpa_dco)), method, result});
    }
    return t;
  }

  report::Table DetailTable() {
    report::Table t;
    t.heading = {"処理内容・検証", "Processing details and verification"};
    t.size_pt = 8;
    t.columns = {{{"No.", "No."}, 0.45, report::Align::kRight},
                 {{"処理内容", "Details"}, 4},
                 {{"作業日時", "Time"}, 2.1},
                 {{"検証方法・結果", "Verification"}, 2.4}};
    for (size_t i = 0; i < c_.devices.size(); ++i) {
      const CertificateDevice& d = c_.devices[i];
      const CertificateMethod& m = d.method;
      std::vector<std::string> parts;
      if (!m.standard.empty())
        parts.push_back(m.standard + " " + std::string(cert::TermOf(cert::kLevels, m.level).en));
      if (m.passes > 0) parts.push_back(P("上書き回数", "Passes") + std::to_string(m.passes));
      auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
        return out;
      };
      if (!m.patterns.empty()) parts.push_back(P("パターン", "Patterns") + join(m.patterns));
      if (!m.commands.empty()) parts.push_back(P("発行コマンド", "Commands") + join(m.commands));
      if (!m.tool_name.empty())
        parts.push_back(P("ツール", "Tool") + m.tool_name +
                        (m.tool_version.empty() ? "" : " " + m.tool_version));
      if (!m.details.empty()) parts.push_back(m.details);
      for (const HashedFile& p : d.photos)
        parts.push_back(P("写真", "Photo") + p.name + " SHA-256 " + p.sha256_hex);
      std::string sources;
      for (const LedgerRef& r : d.sources) {
        // append(), not operator+: GCC 12 reports a false -Wrestrict on "#" + to_string().
        if (!sources.empty()) sources.append(", ");
        sources.append("#").append(std::to_string(r.seq)).append(" ").append(r.type);
      }
      if (!sources.empty()) parts.push_back(P("台帳記録", "Ledger records") + sources);
      std::string details;
      for (const std::string& p : parts) details += (details.empty() ? "" : "\n") + p;
      const CertificateVerification& v = d.verification;
      std::string verification = OrDash(v.method);
      if (!v.coverage.empty()) verification += "\n" + P("範囲", "Coverage") + v.coverage;
      verification += "\n" + C(L(cert::kVerificationResults, v.result));
      if (!v.verifier.empty()) verification += "\n" + P("検証者", "By") + v.verifier;
      t.rows.push_back({std::to_string(i + 1), OrDash(details),
                        Period(d.started, d.finished, " 〜\n"), verification});
    }
    return t;
  }

  // 作業写真: the thumbnails of the rows' photos whose files were given. Only
  // bytes that hash to the digest the row carries are printed, so the
  // picture on paper is the one the ledger record names.
  report::PhotoGrid Photos() {
    report::PhotoGrid g;
    g.heading = {"作業写真", "Photos"};
    for (size_t i = 0; i < c_.devices.size(); ++i) {
      const CertificateDevice& d = c_.devices[i];
      for (const HashedFile& p : d.photos) {
        for (const CertificatePhoto& f : photos_) {
          if (f.sha256_hex != p.sha256_hex || crypto::Sha256Hex(f.bytes) != p.sha256_hex) continue;
          std::string id = !d.serial.empty() ? d.serial : d.asset_tag;
          g.photos.push_back({f.bytes, "No." + std::to_string(i + 1) +
                                           (id.empty() ? "" : " " + id) + "  " + p.name +
                                           "\nSHA-256 " + p.sha256_hex.substr(0, 32) + "…"});
          break;
        }
      }
    }
    return g;
  }

  bool HasWarnings(bool only_incomplete) const {
    for (const CertificateWarning& w : c_.warnings)
      if ((w.code == "incomplete") == only_incomplete) return true;
    return false;
  }

  // The incomplete notice goes first and alone (it is what a reader must see
  // before anything else); the other warnings follow the device tables.
  report::WarningBox Warnings(bool only_incomplete) {
    report::WarningBox box;
    box.heading =
        only_incomplete ? Label{"【未完了】", "[INCOMPLETE]"} : Label{"注意事項", "Warnings"};
    for (const CertificateWarning& w : c_.warnings) {
      if ((w.code == "incomplete") != only_incomplete) continue;
      if (lang_ != report::Language::kEn) box.lines.push_back("・" + w.ja);
      if (lang_ != report::Language::kJa) box.lines.push_back("- " + w.en);
    }
    return box;
  }

  report::KeyValueSection Evidence() {
    report::KeyValueSection s;
    s.heading = {"署名・台帳の証跡", "Signature and ledger evidence"};
    std::string checkpoint = "—";
    if (ev_.checkpoint_size > 0)
      checkpoint = i_.ledger_origin + "\nsize " + std::to_string(ev_.checkpoint_size) + ", root " +
                   ev_.checkpoint_root_hex;
    s.fields = {
        {{"台帳エントリ", "Ledger entry"},
         "#" + std::to_string(i_.ledger_entry) + " certificate.issued (" + i_.issued_at + ")"},
        {{"チェックポイント", "Checkpoint"}, checkpoint},
        {{"署名鍵", "Signing key"},
         i_.issuer_verifier_key + (ev_.key_fingerprint.empty()
                                       ? ""
                                       : "\n" + P("指紋", "Fingerprint") + ev_.key_fingerprint)},
        {{"内容ダイジェスト", "Content digest"}, "SHA-256 " + i_.content_sha256_hex},
        {{"本文ダイジェスト (QR)", "Body digest (QR)"}, "SHA-256 " + body_digest_},
    };
    return s;
  }

  report::SignatureBlock Signatures() {
    report::SignatureBlock b;
    b.seals.push_back({{"作業責任者", "Responsible"}, c_.responsible});
    b.seals.push_back(
        {{"立会者", "Witness"}, c_.witness_present ? c_.witness_name : T("立会いなし", "None")});
    b.qr_payload = CertificateQrPayload(i_.number, body_digest_);
    b.qr_caption = {"検証用QRコード（証明書番号・署名対象のSHA-256）",
                    "Verification QR: certificate number and SHA-256 of the signed body"};
    return b;
  }

  const CertificateContent& c_;
  const DocumentIssuance& i_;
  report::Language lang_;
  const CertificateEvidenceSummary& ev_;
  std::string body_digest_;
  const std::vector<CertificatePhoto>& photos_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> RenderCertificatePdf(const SignedCertificate& s, DocumentLanguage language,
                                         const CertificateEvidenceSummary& evidence,
                                         const std::vector<CertificatePhoto>& photos) {
  CUSTODY_ASSIGN_OR_RETURN(std::string digest, BodyDigestHex(s.certificate));
  CertificateDocument doc(s, language, evidence, digest, photos);
  return report::RenderPdf(doc.Build());
}

Status WriteCertificatePdf(const SignedCertificate& s, DocumentLanguage language,
                           const CertificateEvidenceSummary& evidence, const std::string& path,
                           Env* env, const std::vector<CertificatePhoto>& photos) {
  CUSTODY_ASSIGN_OR_RETURN(std::string pdf, RenderCertificatePdf(s, language, evidence, photos));
  return env->WriteFileAtomically(path, pdf, 0644);
}

// cairo writes the Info dictionary uncompressed: `/Keywords (text)` for
// ASCII (with \-escapes), `/Keywords <FEFF…>` (UTF-16BE hex) otherwise.
Result<std::string> QrPayloadFromCertificatePdf(std::string_view pdf) {
  constexpr std::string_view kKey = "/Keywords ";
  size_t at = pdf.rfind(kKey);  // The last Info dictionary wins (incremental updates).
  if (at == std::string_view::npos)
    return NotFoundError("the PDF carries no certificate payload (not rendered by custody?)");
  std::string_view rest = pdf.substr(at + kKey.size());
  std::string out;
  if (!rest.empty() && rest[0] == '(') {
    for (size_t i = 1; i < rest.size(); ++i) {
      char c = rest[i];
      if (c == ')') return out;
      if (c == '\\' && i + 1 < rest.size()) c = rest[++i];
      out += c;
    }
  } else if (!rest.empty() && rest[0] == '<') {
    size_t end = rest.find('>');
    if (end == std::string_view::npos || (end - 1) % 4 != 0)
      return CorruptionError("bad PDF string");
    std::u16string units;
    for (size_t i = 1; i + 3 < end + 1 && i < end; i += 4) {
      int v = 0;
      for (int k = 0; k < 4; ++k) {
        int h = HexValue(rest[i + k]);
        if (h < 0) return CorruptionError("bad PDF string");
        v = v * 16 + h;
      }
      units.push_back(static_cast<char16_t>(v));
    }
    if (units.empty() || units[0] != 0xFEFF) return CorruptionError("bad PDF string");
    // The payload is ASCII apart from the number (station name); BMP only.
    for (size_t i = 1; i < units.size(); ++i) {
      char16_t u = units[i];
      if (u < 0x80) {
        out += static_cast<char>(u);
      } else if (u < 0x800) {
        out += static_cast<char>(0xC0 | (u >> 6));
        out += static_cast<char>(0x80 | (u & 0x3F));
      } else if (u >= 0xD800 && u <= 0xDFFF) {
        return CorruptionError("unsupported character in the PDF payload");
      } else {
        out += static_cast<char>(0xE0 | (u >> 12));
        out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (u & 0x3F));
      }
    }
    return out;
  }
  return CorruptionError("the PDF's certificate payload is malformed");
}

}  // namespace custody
