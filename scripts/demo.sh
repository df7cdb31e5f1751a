#!/usr/bin/env bash
# The main job end to end in a throwaway workspace. Installs what it needs,
# builds, then runs the custody lifecycle and prints where every artefact is.
# Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup.sh
scripts/build.sh build >/dev/null
custody="$root/build/custody"

ws=$(mktemp -d "${TMPDIR:-/tmp}/custody-demo-XXXXXX")
echo "== workspace: $ws"
contractor="$ws/contractor"
c() { "$custody" --home "$contractor" "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "1. 受託事業者のステーションを作成 / create the contractor's station"
c init --organization "株式会社サンプル情報サービス" --name niigata-office-1 \
  --default-operator "山田太郎" --operator "山田太郎"
c status

step "2. 作業を台帳に記録 / record steps in the ledger"
c log append --type note.briefing --data '{"contract":"令和8年度 住民情報システム保守","place":"庁舎内"}'
c --operator "佐藤花子" log append --type note.handover --data '{"box":"A-12","media":2}'

step "3. 台帳を表示・検証 / show and verify the ledger"
c log show
c log checkpoint > "$ws/checkpoint-kept.txt"
c log verify --against "$ws/checkpoint-kept.txt"

step "4. 証跡バンドルを作成し、custody なしで検証 / evidence bundle, verified without custody"
c log prove 2 -o "$ws/entry-2.bundle"
vkey=$(c --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["verifier_key"])')
python3 scripts/verify-evidence.py "$ws/entry-2.bundle" --key "$vkey"

step "5. 監査人向けに書き出し / export for the auditor"
c log export "$ws/audit"
cp scripts/verify-evidence.py "$ws/audit/"

step "artefacts"
cat <<EOT
station (contractor):     $contractor
ledger:                   $contractor/ledger.db
kept checkpoint:          $ws/checkpoint-kept.txt
evidence bundle:          $ws/entry-2.bundle
auditor export:           $ws/audit
EOT
echo "demo OK"
