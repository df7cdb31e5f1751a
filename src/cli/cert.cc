// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody cert issue|verify|list: disposal certificates (総行情第77号).
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/i18n.h"
#include "custody/cert_issue.h"
#include "custody/env.h"

namespace custody::cli {
namespace {

struct CertOptions {
  // issue
  std::vector<std::string> wipes, purges, crypto_erases;
  std::vector<uint64_t> disposals;
  std::string client, input, lang = "ja", output;
  bool allow_incomplete = false;
  std::string reason, municipality, department, contract, contractor, responsible;
  int64_t classification = 0;
  std::vector<std::string> workers;
  std::string witness, witness_department, place, place_detail, destination, remarks;
  bool no_witness = false;
  std::vector<std::string> checkpoints;  // issue and verify: checkpoints the client kept
  // verify
  std::string file, key, qr;
  std::vector<std::string> bundles, consistency;
  // list
  bool csv = false;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status ApplyFlags(const CertOptions& o, CertificateContent* c) {
  if (!o.reason.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(c->reason, ParseDisposalReason(o.reason));
  }
  if (o.classification) c->classification = o.classification;
  if (!o.municipality.empty()) c->client_municipality = o.municipality;
  if (!o.department.empty()) c->client_department = o.department;
  if (!o.contract.empty()) c->client_contract = o.contract;
  if (!o.contractor.empty()) c->contractor = o.contractor;
  if (!o.responsible.empty()) c->responsible = o.responsible;
  if (!o.workers.empty()) c->operators = o.workers;
  if (o.no_witness) {
    c->witness_present = false;
    c->witness_name.clear();
    c->witness_department.clear();
  } else if (!o.witness.empty()) {
    c->witness_present = true;
    c->witness_name = o.witness;
    c->witness_department = o.witness_department;
  }
  if (!o.place.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(c->place, ParseWorkPlace(o.place));
  }
  if (!o.place_detail.empty()) c->place_detail = o.place_detail;
  if (!o.destination.empty()) c->destination = o.destination;
  if (!o.remarks.empty()) c->remarks = o.remarks;
  return Status::Ok();
}

Status RunIssue(const GlobalOptions& g, const CertOptions& o) {
  Env* env = Env::Default();
  CUSTODY_ASSIGN_OR_RETURN(DocumentLanguage lang, ParseDocumentLanguage(o.lang));
  if (!EndsWith(o.output, ".pdf"))
    return OwnError(StatusCode::kInvalidArgument, N_("-o must name a .pdf file: %s"), {o.output});
  const std::string json_path = o.output.substr(0, o.output.size() - 4) + ".json";
  // Refuse before anything is recorded: a certificate is never overwritten.
  for (const std::string& p : {o.output, json_path})
    if (env->FileExists(p)) return OwnError(StatusCode::kAlreadyExists, N_("%s exists; choose another -o"), {p});
  CertificateRequest req;
  req.wipe_ids = o.wipes;
  req.purge_ids = o.purges;
  req.crypto_erase_ids = o.crypto_erases;
  req.disposal_seqs = o.disposals;
  req.client = o.client;
  req.allow_incomplete = o.allow_incomplete;
  if (!o.input.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(req.input_json, env->ReadFile(o.input));
  }
  req.overrides = [&o](CertificateContent* c) { return ApplyFlags(o, c); };
  for (const std::string& cp : o.checkpoints) {
    CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(cp));
    req.kept_checkpoints.push_back(std::move(text));
  }
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(req.operator_name, station->ResolveOperator(g.operator_));
  CUSTODY_ASSIGN_OR_RETURN(IssuedCertificate issued, IssueCertificate(*station, req));
  CUSTODY_ASSIGN_OR_RETURN(std::string written,
                           WriteIssuedCertificate(issued, lang, o.output, env));
  const DisposalCertificate& c = issued.cert.certificate;
  if (g.json) {
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& w : c.content.warnings) warnings.push_back(w.code);
    PrintLine(nlohmann::json({{"number", c.issuance.number},
                              {"ledger_entry", c.issuance.ledger_entry},
                              {"pdf", o.output},
                              {"json", written},
                              {"devices", c.content.devices.size()},
                              {"complete", c.content.complete},
                              {"warnings", warnings}})
                  .dump());
    return Status::Ok();
  }
  PrintLine(Format(_("certificate %s issued (ledger entry %s, %s device(s))"),
                   {c.issuance.number, std::to_string(c.issuance.ledger_entry),
                    std::to_string(c.content.devices.size())}));
  if (!c.content.complete) PrintLine(_("INCOMPLETE: issued with --allow-incomplete"));
  // The certificate's warnings carry both languages: show the interface's.
  for (const auto& w : c.content.warnings)
    PrintLine(std::string(_("warning")) + ": " +
              (CurrentLanguage() == UiLanguage::kJapanese ? w.ja : w.en));
  PrintLine(PadLabel("PDF:", 10) + o.output);
  PrintLine(PadLabel("JSON:", 10) + Format(_("%s (the signed record)"), written));
  std::string evidence_dir = o.output.substr(0, o.output.size() - 4) + ".evidence/";
  PrintLine(PadLabel(std::string(_("evidence")) + ":", 10) +
            (issued.consistency_proofs.empty()
                 ? Format(_("%s (%s bundles)"),
                          {evidence_dir, std::to_string(issued.bundles.size() + 1)})
                 : Format(_("%s (%s bundles, %s consistency proof(s) to the checkpoints given)"),
                          {evidence_dir, std::to_string(issued.bundles.size() + 1),
                           std::to_string(issued.consistency_proofs.size())})));
  return Status::Ok();
}

Status AddBundles(const std::string& path, std::vector<std::string>* out) {
  Env* env = Env::Default();
  auto names = env->ListDir(path);
  if (!names.ok()) {  // A file.
    CUSTODY_ASSIGN_OR_RETURN(std::string b, env->ReadFile(path));
    out->push_back(std::move(b));
    return Status::Ok();
  }
  for (const std::string& n : *names) {
    if (!EndsWith(n, ".bundle")) continue;
    CUSTODY_ASSIGN_OR_RETURN(std::string b, env->ReadFile(path + "/" + n));
    out->push_back(std::move(b));
  }
  return Status::Ok();
}

// The consistency proofs a certificate's evidence directory holds.
Status AddConsistencyProofs(const std::string& dir, std::vector<std::string>* out) {
  Env* env = Env::Default();
  auto names = env->ListDir(dir);
  if (!names.ok()) return Status::Ok();
  for (const std::string& n : *names) {
    if (!EndsWith(n, ".proof")) continue;
    CUSTODY_ASSIGN_OR_RETURN(std::string p, env->ReadFile(dir + "/" + n));
    out->push_back(std::move(p));
  }
  return Status::Ok();
}

Status RunVerify(const GlobalOptions& g, const CertOptions& o) {
  Env* env = Env::Default();
  CertificateVerifyOptions opts;
  std::string json_path = o.file;
  if (EndsWith(o.file, ".pdf")) {
    CUSTODY_ASSIGN_OR_RETURN(opts.pdf, env->ReadFile(o.file));
    json_path = o.file.substr(0, o.file.size() - 4) + ".json";
    if (!env->FileExists(json_path))
      return OwnError(StatusCode::kNotFound,
                      N_("the PDF is a rendering; its signed record %s is needed to verify it (keep CERT.json "
                         "beside CERT.pdf)"),
                      {json_path});
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string json, env->ReadFile(json_path));
  if (!o.key.empty()) {
    CUSTODY_ASSIGN_OR_RETURN(opts.pinned_verifier_key, ReadVerifierKeyArg(o.key));
  }
  if (!o.qr.empty()) opts.qr = o.qr;
  for (const std::string& b : o.bundles)
    CUSTODY_RETURN_IF_ERROR(AddBundles(b, &opts.device_bundles));
  std::string base = json_path.size() > 5 && EndsWith(json_path, ".json")
                         ? json_path.substr(0, json_path.size() - 5)
                         : json_path;
  if (o.bundles.empty() && env->FileExists(base + ".evidence"))
    CUSTODY_RETURN_IF_ERROR(AddBundles(base + ".evidence", &opts.device_bundles));
  std::unique_ptr<Station> station;  // Only for --checkpoint, and only if it issued the cert.
  if (!o.checkpoints.empty()) {
    if (o.checkpoints.size() > 1)
      return OwnError(StatusCode::kInvalidArgument, N_("give one --checkpoint per `cert verify`"), {});
    CUSTODY_ASSIGN_OR_RETURN(opts.kept_checkpoint, env->ReadFile(o.checkpoints[0]));
    for (const std::string& p : o.consistency) {
      CUSTODY_ASSIGN_OR_RETURN(std::string text, env->ReadFile(p));
      opts.consistency_proofs.push_back(std::move(text));
    }
    CUSTODY_RETURN_IF_ERROR(AddConsistencyProofs(base + ".evidence", &opts.consistency_proofs));
    auto parsed = ParseSignedCertificate(json);
    if (auto st = OpenStation(g);
        parsed.ok() && st.ok() &&
        (*st)->config().verifier_key == parsed->certificate.issuance.issuer_verifier_key) {
      station = std::move(*st);
      opts.prove_consistency = [&station](uint64_t lo, uint64_t hi) -> Result<std::string> {
        CUSTODY_ASSIGN_OR_RETURN(Ledger * ledger, station->ledger());
        return ProveLedgerConsistency(*ledger, lo, hi);
      };
    }
  }
  auto r = VerifyCertificate(json, opts);
  if (!r.ok()) {
    return Explain(r.status().WithContext(json_path), StatusCode::kVerificationFailed,
                   _("The certificate does NOT verify: it was altered after issue, or it is not "
                     "the one this station signed. Do not accept it."));
  }
  const DocumentIssuance& is = r->cert.certificate.issuance;
  if (g.json) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r->passed) checks.push_back({{"check", c.name}, {"detail", c.detail}});
    PrintLine(nlohmann::json({{"ok", true},
                              {"number", is.number},
                              {"body_sha256", r->body_digest_hex},
                              {"verifier_key", is.issuer_verifier_key},
                              {"key_pinned", !opts.pinned_verifier_key.empty()},
                              {"rows_checked", r->rows_checked},
                              {"checks", checks}})
                  .dump());
    return Status::Ok();
  }
  for (const auto& c : r->passed) PrintLine("OK  " + c.name + ": " + c.detail);
  PrintLine(Format(_("certificate %s VERIFIED (body sha256 %s)"), {is.number, r->body_digest_hex}));
  if (opts.pinned_verifier_key.empty())
    PrintLine(
        _("note: checked with the key the certificate names; pin the station's key with "
          "--key VERIFIER_KEY to know who issued it"));
  return Status::Ok();
}

Status RunList(const GlobalOptions& g, const CertOptions& o) {
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(auto rows, ListCertificates(*station));
  if (o.csv) {
    if (g.json) return OwnError(StatusCode::kInvalidArgument, N_("give --csv or --json, not both"), {});
    PrintRaw(CertificateListCsv(rows));
    return Status::Ok();
  }
  for (const CertificateListing& l : rows) {
    if (g.json) {
      PrintLine(nlohmann::json({{"number", l.number},
                                {"issued_at", l.issued_at},
                                {"client", l.client},
                                {"classification", l.classification},
                                {"methods", l.methods},
                                {"devices", l.devices},
                                {"complete", l.complete},
                                {"operator", l.operator_name},
                                {"content_sha256", l.content_sha256_hex}})
                    .dump());
      continue;
    }
    std::string methods, devices;
    for (const auto& m : l.methods) methods += (methods.empty() ? "" : ",") + m;
    for (const auto& d : l.devices) devices += (devices.empty() ? "" : ",") + d;
    PrintLine(l.number + "  " + l.issued_at + "  " + l.client + "  " + methods + "  " + devices +
              (l.complete ? "" : std::string("  ") + _("INCOMPLETE")));
  }
  return Status::Ok();
}

CommandRegistration reg(60, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto o = std::make_shared<CertOptions>();
  CLI::App* cert =
      app.add_subcommand("cert", "Disposal certificates (総行情第77号): issue, verify, list");
  cert->require_subcommand(1);

  CLI::App* issue = cert->add_subcommand("issue", "Issue a signed certificate from ledger records");
  issue->footer(
      "Example: custody cert issue --wipe 3f2a… --disposal 12 --client niigata -o cert.pdf\n"
      "Devices come only from the ledger; the rest from the profile (custody profile set), "
      "--input FILE, then these flags.");
  issue->add_option("--wipe", o->wipes, "Wipe ID (repeatable)");
  issue->add_option("--purge", o->purges, "Purge ID or seq of its final entry (repeatable)");
  issue->add_option("--crypto-erase", o->crypto_erases,
                    "Seq of a crypto-erase final entry (repeatable)");
  issue->add_option("--disposal", o->disposals, "Seq of a disposal.recorded entry (repeatable)");
  issue->add_option("--client", o->client, "Client profile (municipality) to fill from");
  issue->add_option("--input", o->input,
                    "Certificate input file (JSON; docs/formats/certificate.md)");
  issue->add_option("--lang", o->lang, "PDF language: ja (default), en, ja+en");
  issue->add_option("--checkpoint", o->checkpoints,
                    "A signed checkpoint the client kept (custody log checkpoint): a consistency "
                    "proof to the certificate goes into CERT.evidence/ (repeatable)");
  issue->add_option("-o,--output", o->output, "Output PDF (CERT.json and CERT.evidence/ beside it)")
      ->required();
  issue->add_flag("--allow-incomplete", o->allow_incomplete,
                  "Issue for a failed/unverified erase, marked 未完了 / INCOMPLETE");
  issue->add_option("--reason", o->reason, "disposal, lease-return, repair, reuse, contract-end");
  issue->add_option("--classification", o->classification, "機密性区分 1, 2 or 3");
  issue->add_option("--municipality", o->municipality, "委託元 municipality");
  issue->add_option("--department", o->department, "委託元 department");
  issue->add_option("--contract", o->contract, "Contract name");
  issue->add_option("--contractor", o->contractor, "作業事業者名");
  issue->add_option("--responsible", o->responsible, "作業責任者名");
  issue->add_option("--worker", o->workers,
                    "作業者 (repeatable; default: who the ledger says did the work)");
  issue->add_option("--witness", o->witness, "立会者 name");
  issue->add_option("--witness-department", o->witness_department, "立会者 department");
  issue->add_flag("--no-witness", o->no_witness, "立会いなし");
  issue->add_option("--place", o->place, "government-premises, contractor-facility, other");
  issue->add_option("--place-detail", o->place_detail, "Where exactly");
  issue->add_option("--destination", o->destination, "処分後の行き先");
  issue->add_option("--remarks", o->remarks, "備考");
  AddJsonFlag(issue, g);
  issue->callback([&g, o, &inv] { inv.run = [&g, o] { return RunIssue(g, *o); }; });

  CLI::App* verify = cert->add_subcommand("verify", "Verify a certificate offline");
  verify->footer(
      "Example: custody cert verify cert.pdf --key verifier-key.txt\n"
      "Exit status 0: valid; 8: a check failed (the message names it); 6: malformed file.");
  verify->add_option("file", o->file, "CERT.json, or CERT.pdf with its CERT.json beside it")
      ->required();
  verify->add_option("--key", o->key, "The station's verifier key (string or file) you were given");
  verify->add_option("--bundle", o->bundles,
                     "Evidence bundle file or directory (default: CERT.evidence/ if present)");
  verify->add_option("--qr", o->qr, "A QR payload scanned from the paper certificate");
  verify->add_option("--checkpoint", o->checkpoints,
                     "A signed checkpoint you kept, earlier or later: the certificate's ledger "
                     "anchor must be consistent with it (no fork, no rewrite)");
  verify->add_option("--consistency", o->consistency,
                     "Consistency proof file for --checkpoint (default: CERT.evidence/*.proof, "
                     "then the station's ledger when run on the issuing station)");
  AddJsonFlag(verify, g);
  verify->callback([&g, o, &inv] { inv.run = [&g, o] { return RunVerify(g, *o); }; });

  CLI::App* list =
      cert->add_subcommand("list", "The disposal register (廃棄記録簿) from the ledger");
  list->footer("Example: custody cert list --csv > 廃棄記録簿.csv");
  list->add_flag("--csv", o->csv, "CSV for Excel (UTF-8 with BOM, CRLF)");
  AddJsonFlag(list, g);
  list->callback([&g, o, &inv] { inv.run = [&g, o] { return RunList(g, *o); }; });
});

}  // namespace
}  // namespace custody::cli
