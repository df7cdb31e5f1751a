// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The paper copy of a package acknowledgement (受領書), built with the one
// document renderer (src/report/document.h) from the signed acknowledgement
// only. docs/formats/acknowledgement.md, "Paper copy".
//
// Why the QR names the SHA-256 of the ACK.json bytes rather than holding the
// acknowledgement: a station acknowledgement carries an evidence bundle that
// does not fit a QR code that still scans from a printout; the digest ties
// the signed paper to exactly one signed file, and the whole file travels in
// the PDF's metadata.
#include "common/time_util.h"
#include "crypto/hash.h"
#include "custody/acknowledgement.h"
#include "custody/receipt.h"
#include "receipt/receipt_internal.h"
#include "report/document.h"

namespace custody {
namespace {

std::string Jst(const std::string& rfc3339) {
  auto t = timeutil::ParseTime(rfc3339);
  return t.ok() ? timeutil::FormatJst(*t) : rfc3339;
}

// "name+keyid+base64" with a line break after "keyid+": a key copied by hand
// must never wrap inside its name at a hyphen (is the hyphen part of it?);
// the base64 part fits one line.
std::string KeyForPaper(const std::string& key) {
  // A C2SP key name holds no '+'; the base64 part may.
  size_t name_end = key.find('+');
  if (name_end == std::string::npos) return key;
  size_t id_end = key.find('+', name_end + 1);
  if (id_end == std::string::npos) return key;
  std::string out = key.substr(0, id_end + 1);
  out.append("\n").append(key.substr(id_end + 1));
  return out;
}

}  // namespace

std::string AckQrPayload(std::string_view package_id, std::string_view ack_file_sha256_hex) {
  return "custody-ack:1:" + std::string(package_id) + ":" + std::string(ack_file_sha256_hex);
}

Result<std::string> RenderAckPdf(const SignedAck& ack, std::string_view language) {
  CUSTODY_ASSIGN_OR_RETURN(DocumentLanguage rl, ParseDocumentLanguage(language));
  report::Language lang = rl == DocumentLanguage::kEn   ? report::Language::kEn
                          : rl == DocumentLanguage::kJa ? report::Language::kJa
                                                       : report::Language::kJaEn;
  auto T = [lang](const std::string& ja, const std::string& en) {
    return report::Pick({ja, en}, lang);
  };
  auto P = [&](const std::string& ja, const std::string& en) {
    return lang == report::Language::kJa ? ja + " " : T(ja, en) + ": ";
  };
  CUSTODY_ASSIGN_OR_RETURN(std::string file, SerializeAck(ack));
  CUSTODY_ASSIGN_OR_RETURN(std::string fingerprint, AckKeyFingerprint(ack.signer_verifier_key));
  const AckBody& b = ack.body;
  bool verified = b.result == AckResult::kVerified;
  bool one_off = ack.signer == AckSigner::kOneOff;
  std::string qr = AckQrPayload(b.package_id, crypto::Sha256Hex(file));

  report::Document d;
  d.language = lang;
  d.title = {"受領書", "Acknowledgement of Receipt"};
  d.subtitle = {"暗号化された引渡しパッケージの受領について", "Encrypted handover package received"};
  d.document_number = P("パッケージID", "Package ID") + b.package_id;
  d.header_right = {P("受領日", "Received") + Jst(b.received_at).substr(0, 10)};
  d.addressee = lang == report::Language::kEn ? "To: " + b.sender_organization
                                              : b.sender_organization + " 御中";
  if (!b.recipient_organization.empty()) d.issuer.push_back(b.recipient_organization);
  d.issuer.push_back(P("受領者", "Received by") + b.recipient_name);

  d.blocks.push_back(report::Paragraph{
      verified ? T("下記の暗号化パッケージを受領し、すべてのファイルのハッシュとマニフェストの署名が"
                   "一致することを確認しました。",
                   "We received the encrypted package below and checked that every file's hash "
                   "and the manifest signature match.")
               : T("下記の暗号化パッケージを受領しましたが、内容の検証に失敗しました。",
                   "We received the encrypted package below, but its contents did NOT verify.")});
  if (!verified)
    d.blocks.push_back(report::WarningBox{{"検証に失敗しました", "Verification failed"},
                                          {b.detail}});
  report::KeyValueSection pkg;
  pkg.heading = {"受領したパッケージ", "Package received"};
  pkg.fields = {
      {{"パッケージID", "Package ID"}, b.package_id},
      {{"マニフェストのダイジェスト", "Manifest digest"}, "SHA-256 " + b.package_digest},
      {{"送付元", "Sent by"}, b.sender_organization},
      {{"送付元の署名鍵", "Sender's key"}, b.sender_verifier_key},
      {{"ファイル数・合計サイズ", "Files and size"},
       std::to_string(b.file_count) + T(" ファイル / ", " files / ") +
           receipt::HumanBytes(static_cast<int64_t>(b.total_size))},
      {{"受領日時", "Received at"}, Jst(b.received_at)},
      {{"受領者", "Received by"},
       b.recipient_name +
           (b.recipient_organization.empty() ? "" : "（" + b.recipient_organization + "）")},
      {{"検証結果", "Verification"},
       verified ? T("全ファイル検証済み（ハッシュ・マニフェスト署名）",
                    "every file verified (hashes, manifest signature)")
                : T("失敗: ", "FAILED: ") + b.detail},
  };
  if (!b.remarks.empty()) pkg.fields.push_back({{"備考", "Remarks"}, b.remarks});
  d.blocks.push_back(pkg);

  report::KeyValueSection signer;
  signer.heading = {"この受領書の電子署名", "Signature of this acknowledgement"};
  signer.fields = {
      {{"署名鍵の種類", "Signed with"},
       one_off ? T("一回限りの鍵（署名後に破棄済み）", "a one-off key (destroyed after signing)")
               : T("受領者の custody 端末の鍵（台帳に記録）",
                   "the recipient's custody station key (recorded in its ledger)")},
      {{"署名検証鍵", "Verifier key"}, KeyForPaper(ack.signer_verifier_key)},
      {{"フィンガープリント", "Fingerprint"}, fingerprint},
  };
  d.blocks.push_back(signer);
  if (one_off)
    d.blocks.push_back(report::Paragraph{
        T("送付元の方へ: この紙に記載の署名検証鍵で ACK ファイルを確認してください "
          "(custody receipt import ACK.json --signer-key '<上記の鍵>')。"
          "受領者は押印によりこの鍵が自分のものであることを証します。",
          "To the sender: check the ACK file with the verifier key printed here (custody receipt "
          "import ACK.json --signer-key '<the key above>'). The recipient's seal states that this "
          "key is theirs.")});
  report::SignatureBlock seals;
  seals.seals.push_back({{"受領者", "Recipient"}, b.recipient_name});
  seals.qr_payload = qr;
  seals.qr_caption = {"検証用QRコード（パッケージID・ACKファイルのSHA-256）",
                      "Verification QR: package ID and SHA-256 of the ACK file"};
  d.blocks.push_back(seals);
  d.footer_note = T("本受領書の正本は電子署名付きの ACK ファイル (JSON) です。",
                    "The signed ACK file (JSON) is the original of this acknowledgement.");
  d.created = b.received_at;
  d.author = b.recipient_organization.empty() ? b.recipient_name : b.recipient_organization;
  d.subject = "custody package acknowledgement " + b.package_id;
  d.keywords = receipt::PdfRecordKeywords(qr, rl, file);
  return report::RenderPdf(d);
}

}  // namespace custody
