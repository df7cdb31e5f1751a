// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody disposal record: destruction custody did not perform itself
// (破砕, 穿孔, 磁気消去, a vendor's service), recorded so it can be certified.
#include "custody/disposal.h"

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct DisposalOptions {
  std::string media = "hdd", maker, model, serial, asset_tag, interface, hpa_dco = "not-checked";
  int64_t capacity = 0;
  std::string method, level, standard, details, started, finished;
  std::string verification, verifier;
  std::vector<std::string> workers, photos;
  std::string place = "contractor-facility", place_detail, witness, witness_department;
  std::string vendor, vendor_certificate, remarks;
};

Status RunRecord(const GlobalOptions& g, const DisposalOptions& o) {
  DisposalRecord r;
  CertificateDevice& d = r.device;
  CUSTODY_ASSIGN_OR_RETURN(d.media, ParseMediaType(o.media));
  d.maker = o.maker;
  d.model = o.model;
  d.serial = o.serial;
  d.asset_tag = o.asset_tag;
  d.capacity_bytes = o.capacity;
  d.interface = o.interface;
  CUSTODY_ASSIGN_OR_RETURN(d.hpa_dco, ParseHiddenAreas(o.hpa_dco));
  CUSTODY_ASSIGN_OR_RETURN(d.method.family, ParseMethodFamily(o.method));
  // NIST SP 800-88: destruction is Destroy; degaussing is Purge for
  // magnetic media it is rated for.
  d.method.level = d.method.family == MethodFamily::kDegauss ? SanitizationLevel::kPurge
                                                             : SanitizationLevel::kDestroy;
  if (!o.level.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(d.method.level, ParseSanitizationLevel(o.level));
  }
  d.method.standard = o.standard.empty() ? "NIST SP 800-88 Rev.1" : o.standard;
  d.method.details = o.details;
  d.started = o.started;
  d.finished = o.finished;
  d.outcome = Outcome::kCompleted;
  if (!o.verification.empty()) {
    // The operator states how the result was checked (e.g. 目視確認); without
    // it the row is unverified and a certificate refuses it.
    d.verification.method = o.verification;
    d.verification.result = VerificationResult::kPassed;
    d.verification.verifier = o.verifier;
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string op, station->ResolveOperator(g.operator_));
  r.operators = o.workers.empty() ? std::vector<std::string>{op} : o.workers;
  CUSTODY_ASSIGN_OR_RETURN(r.place, ParseWorkPlace(o.place));
  r.place_detail = o.place_detail;
  r.witness_present = !o.witness.empty();
  r.witness_name = o.witness;
  r.witness_department = o.witness_department;
  r.vendor_company = o.vendor;
  r.vendor_certificate_number = o.vendor_certificate;
  r.remarks = o.remarks;
  // Validate before copying photos in.
  CUSTODY_RETURN_IF_ERROR(DisposalRecordJson(r).status());
  for (const std::string& p : o.photos) {
    CUSTODY_ASSIGN_OR_RETURN(HashedFile f, StorePhoto(station->home(), p, Env::Default()));
    d.photos.push_back(f);
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string data, DisposalRecordJson(r));
  CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station->Record(kDisposalRecordedType, op, data));
  if (g.json) {
    PrintLine(
        nlohmann::json({{"seq", e.seq}, {"type", e.type}, {"photos", d.photos.size()}}).dump());
  } else {
    PrintLine(Format(_("disposal recorded as ledger entry %s (%s photo(s) hashed into the record)"),
                     {std::to_string(e.seq), std::to_string(d.photos.size())}));
    PrintLine(Format(_("certify it with: %s"),
                     "custody cert issue --disposal " + std::to_string(e.seq) + " -o CERT.pdf"));
  }
  return Status::Ok();
}

CommandRegistration reg(61, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<DisposalOptions>();
  CLI::App* disposal =
      app.add_subcommand("disposal", "Destruction and degaussing done outside custody");
  disposal->require_subcommand(1);
  CLI::App* rec = disposal->add_subcommand(
      "record", "Record a physical destruction, degaussing or vendor destruction");
  rec->footer(
      "Example: custody disposal record --media hdd --serial Z9A1B2C3 --method "
      "physical-destruction "
      "--details '破砕 (shredder, 10 mm)' --started 2026-11-23T01:00:00Z --finished "
      "2026-11-23T01:20:00Z --verification 目視確認 --witness 鈴木一郎 --photo before.jpg --photo "
      "after.jpg");
  rec->add_option("--media", o->media,
                  "hdd, ssd, nvme, usb-flash, sd-card, emmc, optical, tape, other");
  rec->add_option("--maker", o->maker, "メーカー");
  rec->add_option("--model", o->model, "型番");
  rec->add_option("--serial", o->serial, "シリアル番号");
  rec->add_option("--asset-tag", o->asset_tag, "管理番号");
  rec->add_option("--capacity", o->capacity, "Capacity in bytes");
  rec->add_option("--interface", o->interface, "I/F (SATA, NVMe, USB, …)");
  rec->add_option("--hpa-dco", o->hpa_dco, "none, removed, present, not-checked, not-applicable");
  rec->add_option("--method", o->method, "physical-destruction, degauss (or another method family)")
      ->required();
  rec->add_option("--level", o->level, "NIST SP 800-88 level: clear, purge, destroy");
  rec->add_option("--standard", o->standard, "Standard followed (default NIST SP 800-88 Rev.1)");
  rec->add_option("--details", o->details, "処理内容, e.g. 破砕 (shredder XYZ, 10 mm)");
  rec->add_option("--started", o->started, "Start, RFC 3339 UTC")->required();
  rec->add_option("--finished", o->finished, "End, RFC 3339 UTC")->required();
  rec->add_option("--verification", o->verification,
                  "How the result was checked, e.g. 目視確認 (visual)");
  rec->add_option("--verified-by", o->verifier, "Who checked it");
  rec->add_option("--worker", o->workers, "作業者 (repeatable; default --operator)");
  rec->add_option("--photo", o->photos, "Photo file, hashed into the record (repeatable)");
  rec->add_option("--place", o->place, "government-premises, contractor-facility, other");
  rec->add_option("--place-detail", o->place_detail, "Where exactly");
  rec->add_option("--witness", o->witness, "立会者 name (none: 立会いなし)");
  rec->add_option("--witness-department", o->witness_department, "立会者 department");
  rec->add_option("--vendor", o->vendor, "Destruction vendor company");
  rec->add_option("--vendor-certificate", o->vendor_certificate, "The vendor's certificate number");
  rec->add_option("--remarks", o->remarks, "備考");
  AddJsonFlag(rec, g);
  rec->callback([&g, o, &inv] { inv.run = [&g, o] { return RunRecord(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
