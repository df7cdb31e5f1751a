// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/env.h"
#include "custody/ledger.h"

namespace custody {
namespace {

constexpr const char* kAuditorReadme = R"md(# custody ledger export / 台帳の写し

## 日本語
このフォルダは custody の台帳（作業記録）の写しです。
- `entries.jsonl`: 記録（1 行に 1 件、正規化 JSON）。
- `checkpoint`: 最新の署名付きチェックポイント（C2SP tlog-checkpoint / signed-note 形式）。
- `verifier-key`: 署名の検証鍵（C2SP 形式）。事業者から別の経路で受け取った値と一致することを確認してください。

個々の記録（例: 消去証明書の元になった記録）は、事業者が `custody log prove SEQ` で作る
証跡バンドルと `verify-evidence.py` だけで検証できます（custody のインストールは不要）:

    python3 verify-evidence.py BUNDLE --key "$(cat verifier-key)"

受け取ったチェックポイントは保管してください。後日 `custody log verify --against CHECKPOINT`
で、台帳が切り詰められたり書き換えられたりしていないことを確認できます。

## English
This folder is a copy of a custody ledger (the record of every step).
- `entries.jsonl`: the entries, one canonical JSON object per line.
- `checkpoint`: the latest signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note).
- `verifier-key`: the key that verifies it (C2SP verifier key). Check that it equals the value the
  contractor gave you through another channel.

Any single entry (for example the one behind a disposal certificate) can be checked with the evidence
bundle the contractor makes with `custody log prove SEQ` and `verify-evidence.py` alone:

    python3 verify-evidence.py BUNDLE --key "$(cat verifier-key)"

Keep the checkpoints you receive: `custody log verify --against CHECKPOINT` later proves the ledger was
neither truncated nor rewritten since.
)md";

}  // namespace

Status ExportLedger(Ledger& ledger, const std::string& verifier_key, const std::string& dir, Env* env) {
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
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(dir + "/verifier-key", verifier_key + "\n", 0644));
  CUSTODY_RETURN_IF_ERROR(env->WriteFileAtomically(dir + "/README.md", kAuditorReadme, 0644));
  return env->SyncDir(dir);
}

}  // namespace custody
