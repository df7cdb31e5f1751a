// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Certificate rows from purge and crypto-erase records
// (docs/formats/purge-record.md). Their final entries (purge.completed,
// purge.verification-failed, purge.failed, crypto-erase.*.completed/.failed)
// repeat the device's `target`, the command and the times, so one entry
// fills one row. A record without device identity is refused: a certificate
// must name the device it certifies.
#include <cctype>
#include <nlohmann/json.hpp>

#include "cert/device_identity.h"
#include "custody/cert_issue.h"

namespace custody {
namespace {

using Json = nlohmann::json;

bool IsDigits(const std::string& s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool IsPurgeFinal(const std::string& type) {
  return type == "purge.completed" || type == "purge.verification-failed" || type == "purge.failed";
}

bool IsCryptoEraseFinal(const std::string& type) {
  if (type.rfind("crypto-erase.", 0) != 0 && type.rfind("crypto_erase.", 0) != 0) return false;
  auto ends = [&](std::string_view suffix) {
    return type.size() > suffix.size() &&
           type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".completed") || ends(".failed");
}

bool Completed(const std::string& type) {
  return type.size() > 10 && type.compare(type.size() - 10, 10, ".completed") == 0;
}

void AddLine(std::string* text, const std::string& line) {
  if (line.empty()) return;
  *text += (text->empty() ? "" : "\n") + line;
}

Status IdentityOrRefuse(const Json& j, const LedgerEntry& e, CertificateDevice* d) {
  if (j.contains("target") && j["target"].is_object()) cert::FillIdentity(j["target"], d);
  if (j.contains("drive") && j["drive"].is_object()) {  // The drive's own answer to IDENTIFY.
    const Json& drive = j["drive"];
    if (d->serial.empty()) d->serial = drive.value("serial", "");
    if (d->model.empty()) d->model = drive.value("model", "");
  }
  // 管理番号 given at erase time (`crypto-erase luks --asset-tag`): a LUKS
  // image or a volume on a device without a serial has no identity of its
  // own beyond its UUID (printed with the method).
  if (std::string tag = j.value("asset_tag", ""); !tag.empty()) d->asset_tag = tag;
  if (d->serial.empty() && d->asset_tag.empty()) {
    return FailedPreconditionError("ledger entry " + std::to_string(e.seq) + " (" + e.type +
                                   ") does not identify the device (no serial and no asset "
                                   "tag): it cannot be certified; for a LUKS volume run "
                                   "`custody crypto-erase luks ... --asset-tag TAG` (管理番号), "
                                   "or record the erase again with a custody version that "
                                   "records the target");
  }
  return Status::Ok();
}

Result<CertificateDevice> PurgeRow(const LedgerEntry& e) {
  Json j = Json::parse(e.data_json);
  CertificateDevice d;
  CUSTODY_RETURN_IF_ERROR(IdentityOrRefuse(j, e, &d));
  CertificateMethod& m = d.method;
  const std::string action = j.value("action", "");
  // A sanitize or format that changes the media encryption key is a
  // cryptographic erase (NIST SP 800-88 §2.6); the rest are firmware purges.
  m.family = action.find("crypto") != std::string::npos ? MethodFamily::kCryptoErase
                                                        : MethodFamily::kFirmwarePurge;
  m.level = SanitizationLevel::kPurge;
  m.standard = "NIST SP 800-88 Rev.1 Purge";
  if (std::string c = j.value("command", ""); !c.empty()) m.commands.push_back(c);
  for (const Json& c : j.value("commands", Json::array()))
    if (c.is_object()) m.commands.push_back(c.value("command", ""));
  m.tool_name = "custody";
  AddLine(&m.details, j.value("reason", ""));
  AddLine(&m.details, j.value("final_status", ""));
  for (const Json& w : j.value("warnings", Json::array()))
    if (w.is_string()) AddLine(&m.details, w.get<std::string>());
  AddLine(&m.details, "purge ID " + j.value("purge_id", std::string("-")));
  d.started = j.value("started", "");
  d.finished = j.value("finished", "");
  d.outcome = e.type == "purge.completed" ? Outcome::kCompleted : Outcome::kFailed;
  d.verification.result = VerificationResult::kNotVerified;
  if (j.contains("verification") && j["verification"].is_object()) {
    const Json& v = j["verification"];
    d.verification.method = "抽出読み戻し NIST SP 800-88 (sampled read-back)";
    uint64_t bp = 0;
    if (j.contains("sampling") && j["sampling"].is_object())
      bp = j["sampling"].value("basis_points", uint64_t{0});
    d.verification.coverage = (bp ? cert::Coverage(bp) + ", " : std::string()) +
                              std::to_string(v.value("samples", uint64_t{0})) + " blocks";
    d.verification.result =
        v.value("passed", false) ? VerificationResult::kPassed : VerificationResult::kFailed;
  }
  d.sources.push_back({e.seq, e.type});
  return d;
}

// A custody vault's crypto-erase: no medium is touched; the row identifies
// the data by the vault, the destroyed key's fingerprint and the digests of
// everything sealed to it (総務省 guideline: 暗号鍵を削除する等の対応により
// 復元困難とする措置, for data where no device can be reached, e.g. cloud
// storage and backups).
Result<CertificateDevice> VaultRow(const LedgerEntry& e) {
  Json j = Json::parse(e.data_json);
  if (!j.contains("verification") || !j.contains("sealed"))
    return FailedPreconditionError(
        "ledger entry " + std::to_string(e.seq) + " (" + e.type +
        ") was recorded by a custody version that did not record the sealed files and the "
        "key's verification: it cannot be a certificate row; mention it with --remarks");
  CertificateDevice d;
  d.media = MediaType::kEncryptedData;
  d.model = "custody vault";
  d.asset_tag = j.value("vault", "");
  d.serial = "key " + j.value("fingerprint", "");  // The destroyed key identifies the data.
  d.interface = "";
  d.hpa_dco = HiddenAreas::kNotApplicable;
  int64_t bytes = 0;
  CertificateMethod& m = d.method;
  m.family = MethodFamily::kCryptoErase;
  m.level = SanitizationLevel::kPurge;
  m.standard =
      "総務省ガイドライン 暗号化消去 (暗号鍵の削除による復元困難化); NIST SP 800-88 Rev.1 "
      "Cryptographic Erase";
  m.tool_name = "custody";
  const uint64_t files = j.value("key_files_destroyed", uint64_t{0});
  m.commands.push_back("vault key files overwritten with random data, fsynced and unlinked: " +
                       std::to_string(files) + " (" +
                       [&] {
                         std::string names;
                         for (const Json& f : j.value("key_files", Json::array()))
                           if (f.is_string())
                             names += (names.empty() ? "" : ", ") + f.get<std::string>();
                         return names;
                       }() +
                       ")");
  if (j.value("keystore_entry_removed", false))
    m.commands.push_back("keystore entry " + j.value("vault", "") + " removed");
  AddLine(&m.details, "暗号化データ: X25519 (age) key " + j.value("recipient", "") + ", created " +
                          j.value("key_created", ""));
  AddLine(&m.details,
          "escrow copies exported " + std::to_string(j.value("copies_exported", uint64_t{0})) +
              ", recorded destroyed " + std::to_string(j.value("copies_destroyed", uint64_t{0})));
  for (const Json& s : j["sealed"]) {
    if (!s.is_object()) continue;
    bytes += s.value("size", int64_t{0});
    AddLine(&m.details, "sealed file sha256 " + s.value("digest", "") + " (" +
                            std::to_string(s.value("size", uint64_t{0})) + " bytes, ledger entry " +
                            std::to_string(s.value("ledger_seq", uint64_t{0})) +
                            "): no longer decryptable");
  }
  d.capacity_bytes = bytes;
  d.started = j.value("started", "");
  d.finished = j.value("finished", "");
  d.outcome = Completed(e.type) ? Outcome::kCompleted : Outcome::kFailed;
  const Json& v = j["verification"];
  d.verification.method = "鍵の不存在確認 (key absent from the keystore; key files gone)";
  d.verification.coverage = "key files remaining " +
                            std::to_string(v.value("key_files_remaining", uint64_t{0})) +
                            ", in keystore: " + (v.value("key_in_keystore", true) ? "yes" : "no");
  d.verification.result =
      v.value("result", "") == "passed" ? VerificationResult::kPassed : VerificationResult::kFailed;
  d.sources.push_back({e.seq, e.type});
  return d;
}

Result<CertificateDevice> CryptoEraseRow(const LedgerEntry& e) {
  if (e.type.rfind("crypto-erase.vault.", 0) == 0) return VaultRow(e);
  Json j = Json::parse(e.data_json);
  CertificateDevice d;
  CUSTODY_RETURN_IF_ERROR(IdentityOrRefuse(j, e, &d));
  // Only for records that carry an asset tag: rows of earlier records must
  // rebuild byte for byte when their certificates are verified.
  if (d.model.empty() && j.contains("asset_tag") && j.contains("uuid"))
    d.model = j.value("type", "LUKS") + " volume UUID " + j.value("uuid", "");
  CertificateMethod& m = d.method;
  m.family = MethodFamily::kCryptoErase;
  m.level = SanitizationLevel::kPurge;
  m.standard = "NIST SP 800-88 Rev.1 Cryptographic Erase";
  m.tool_name = "custody";
  if (j.contains("type") && j["type"].is_string()) {  // LUKS
    m.commands.push_back("LUKS keyslots destroyed: " +
                         j.value("destroyed_keyslots", Json::array()).dump());
    if (j.value("header_wiped", false)) m.commands.push_back("LUKS header wiped");
    AddLine(&m.details, j.value("type", "") + " " + j.value("uuid", "") + " " +
                            j.value("cipher", "") + "-" + j.value("cipher_mode", "") + " " +
                            std::to_string(j.value("volume_key_bits", 0)) + " bit");
  }
  AddLine(&m.details, j.value("warning", ""));
  d.started = j.value("started", "");
  d.finished = j.value("finished", "");
  d.outcome = Completed(e.type) ? Outcome::kCompleted : Outcome::kFailed;
  d.verification.result = VerificationResult::kNotVerified;
  if (j.contains("verification") && j["verification"].is_object()) {
    const Json& v = j["verification"];
    d.verification.method = v.value("method", "");
    d.verification.result = v.value("result", "") == "passed" ? VerificationResult::kPassed
                                                              : VerificationResult::kFailed;
  }
  d.sources.push_back({e.seq, e.type});
  return d;
}

using RowFn = Result<CertificateDevice> (*)(const LedgerEntry&);

// An ID is the seq of the final entry, or the purge_id the events share
// (the last final entry with that ID counts: a retried purge supersedes).
Status AddRows(Ledger& ledger, const std::vector<std::string>& ids,
               bool (*is_final)(const std::string&), RowFn row, const char* what,
               CertificateContent* content) {
  for (const std::string& id : ids) {
    std::optional<LedgerEntry> found;
    if (IsDigits(id)) {
      auto e = ledger.Get(std::stoull(id));
      if (!e.ok()) return e.status().WithContext(std::string(what) + " " + id);
      if (!is_final(e->type))
        return InvalidArgumentError("ledger entry " + id + " is a " + e->type + ", not the final " +
                                    what + " record (custody log show --type " +
                                    (std::string(what) == "purge" ? "purge" : "crypto-erase") +
                                    ")");
      found = *e;
    } else {
      CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
        if (!is_final(e.type)) return true;
        auto j = Json::parse(e.data_json, nullptr, false);
        if (j.is_object() && j.value("purge_id", "") == id) found = e;
        return true;
      }));
      if (!found)
        return NotFoundError("no finished " + std::string(what) + " " + id +
                             " in this station's ledger");
    }
    Result<CertificateDevice> d = CorruptionError("unreadable");
    try {
      d = row(*found);
    } catch (const Json::exception& ex) {
      return CorruptionError("unreadable " + std::string(what) + " record at entry " +
                             std::to_string(found->seq) + ": " + ex.what());
    }
    if (!d.ok()) return d.status();
    content->devices.push_back(std::move(*d));
  }
  return Status::Ok();
}

}  // namespace

Status AddPurgesToContent(Ledger& ledger, const std::vector<std::string>& ids,
                          CertificateContent* content) {
  return AddRows(ledger, ids, IsPurgeFinal, PurgeRow, "purge", content);
}

Status AddCryptoErasesToContent(Ledger& ledger, const std::vector<std::string>& ids,
                                CertificateContent* content) {
  return AddRows(ledger, ids, IsCryptoEraseFinal, CryptoEraseRow, "crypto-erase", content);
}

namespace cert {

// For the verifier: the row a purge or crypto-erase entry yields.
Result<CertificateDevice> RowFromEraseEntry(const LedgerEntry& e) {
  try {
    if (IsPurgeFinal(e.type)) return PurgeRow(e);
    if (IsCryptoEraseFinal(e.type)) return CryptoEraseRow(e);
  } catch (const Json::exception& ex) {
    return CorruptionError(std::string("unreadable erase record: ") + ex.what());
  }
  return NotFoundError("not a purge or crypto-erase record");
}

}  // namespace cert
}  // namespace custody
