// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/env.h"
#include "custody/ledger.h"

namespace custody {

// docs/auditor/README.md and scripts/verify-evidence.py, embedded at build
// time (cmake/embed.cmake) so every export is a complete auditor kit that
// needs nothing from custody.
extern const char kAuditorReadme[];
extern const char kAuditorVerifierScript[];

Status ExportLedger(Ledger& ledger, const std::string& verifier_key, const std::string& dir,
                    Env* env) {
  CUSTODY_RETURN_IF_ERROR(env->CreateDir(dir, 0700));
  CUSTODY_ASSIGN_OR_RETURN(std::string checkpoint, ledger.LatestCheckpoint());
  // Entries stream through a temporary file: a ledger of millions of
  // entries is never held in memory, and a failed export leaves no
  // entries.jsonl that looks complete.
  const std::string entries = dir + "/entries.jsonl";
  const std::string tmp = entries + ".tmp";
  {
    CUSTODY_ASSIGN_OR_RETURN(auto out, env->NewWritableFile(tmp, 0600));
    Status write_status;
    CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
      write_status = out->Append(e.canonical + "\n");
      return write_status.ok();
    }));
    CUSTODY_RETURN_IF_ERROR(write_status);
    CUSTODY_RETURN_IF_ERROR(out->Sync());
    CUSTODY_RETURN_IF_ERROR(out->Close());
  }
  CUSTODY_RETURN_IF_ERROR(env->RenameFile(tmp, entries));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(dir + "/checkpoint", checkpoint, 0644));
  CUSTODY_RETURN_IF_ERROR(
      env->WriteFileAtomically(dir + "/verifier-key", verifier_key + "\n", 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(dir + "/README.md", kAuditorReadme, 0644));
  CUSTODY_RETURN_IF_ERROR(
      env->WriteFileAtomically(dir + "/verify-evidence.py", kAuditorVerifierScript, 0755));
  return env->SyncDir(dir);
}

}  // namespace custody
