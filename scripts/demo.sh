#!/usr/bin/env bash
# The main job end to end in a throwaway workspace. Installs what it needs,
# builds, then runs the custody lifecycle and prints where every artefact is.
# Exits non-zero if any step fails.
set -euo pipefail
# CUSTODY_BIN=/usr/bin/custody runs the demo against an installed custody
# (the Debian package ships this script) instead of building from source.
if [ -n "${CUSTODY_BIN:-}" ]; then
  custody=$CUSTODY_BIN
else
  cd "$(dirname "$0")/.."
  scripts/setup.sh
  scripts/build.sh build >/dev/null
  root=$(pwd)
  custody="$root/build/custody"
fi

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

step "4. 監査人向けキットを書き出し / export the auditor kit (ledger copy, README, verifier script)"
c log export "$ws/audit"

step "5. 証跡バンドルを作成し、custody なしで検証 / evidence bundle, verified with the kit's script only"
c log prove 2 -o "$ws/entry-2.bundle"
python3 "$ws/audit/verify-evidence.py" "$ws/entry-2.bundle" --key-file "$ws/audit/verifier-key"

step "6. 破壊を記録し、廃棄証明書を発行・検証 / record a destruction, issue and verify its certificate"
c profile set company=株式会社サンプル情報サービス "responsible=山田 太郎"
c profile set --client niigata municipality=新潟市 "department=総務部 情報政策課" classification=3 \
  place=contractor-facility "place_detail=新潟工場 破砕室"
printf 'demo photo: shredded platters\n' > "$ws/after.jpg"
disposal=$(c --json --operator "佐藤花子" disposal record --media hdd --maker Seagate \
  --model ST1000DM010 --serial Z9A1B2C3 --method physical-destruction --details "破砕 (10 mm)" \
  --started 2026-11-23T01:00:00Z --finished 2026-11-23T01:20:00Z --verification "目視確認" \
  --witness "鈴木一郎" --photo "$ws/after.jpg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
c cert issue --disposal "$disposal" --client niigata -o "$ws/certificate.pdf"
c cert verify "$ws/certificate.pdf" --key "$ws/audit/verifier-key"
cert_entry=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["body"]["issuance"]["ledger"]["entry"])' "$ws/certificate.json")
python3 "$ws/audit/verify-evidence.py" "$ws/certificate.evidence/entry-$cert_entry.bundle" \
  --key-file "$ws/audit/verifier-key" | tail -1
c cert list

step "7. 鍵・パスワード・保管庫の暗号化消去 / keys, passwords, vault crypto-erase"
c password generate -o "$ws/keystore-pass.txt"
c key create office-inbox --passphrase-file "$ws/keystore-pass.txt"
c key import-recipient niigata-city age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj \
  --confirm-fingerprint ZPFV5-NKBNE-5ELLV-59W6L
c key list
printf 'id,name\n1,山田\n' > "$ws/residents.csv"
c vault create contract-2026
c vault seal contract-2026 "$ws/residents.csv" -o "$ws/backup-2026.age"
c vault open contract-2026 "$ws/backup-2026.age" --list --passphrase-file "$ws/keystore-pass.txt"
c crypto-erase vault contract-2026 --yes
if c vault open contract-2026 "$ws/backup-2026.age" --list --passphrase-file "$ws/keystore-pass.txt" 2>/dev/null; then
  echo "vault still opens after crypto-erase" >&2; exit 1
fi
echo "after crypto-erase, $ws/backup-2026.age can no longer be decrypted"
c log verify
step "8. LUKS ボリュームの暗号化消去 / crypto-erase a LUKS volume"
# A small LUKS2 image stands in for a returned disk: after the erase no
# passphrase opens it, and the ledger holds the record a certificate needs.
(umask 077; printf '%s' "demo luks passphrase" > "$ws/luks.pass")
truncate -s 20M "$ws/volume.img"
cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  --key-file "$ws/luks.pass" "$ws/volume.img"
cryptsetup open --test-passphrase --key-file "$ws/luks.pass" "$ws/volume.img" && echo "before: the passphrase opens it"
c crypto-erase luks "$ws/volume.img" --yes --confirm-uuid "$(cryptsetup luksUUID "$ws/volume.img")" \
  --old-passphrase-file "$ws/luks.pass"
if cryptsetup open --test-passphrase --key-file "$ws/luks.pass" "$ws/volume.img" 2>/dev/null; then
  echo "the old passphrase still opens the volume" >&2; exit 1
fi
echo "after: the old passphrase no longer opens it"
c log show --type crypto-erase.luks.completed

step "9. 預かり証・持出管理簿 / receipt, media take-out, registers"
c receipt issue --from "佐藤花子" --from-org "新潟市" --from-dept "市民生活部" \
  --kind "住民基本台帳データ" --classification 3 --items 1200 --medium usb-flash --medium-id USB-0042 \
  --transfer hand --contract "令和8年度 住民情報システム保守" --storage "本社A棟 金庫2" \
  --disposition return --due 2027-03-31 -o "$ws/receipt"
c receipt verify "$ws/receipt.pdf" --key "$ws/audit/verifier-key"
c media checkout --id USB-0042 --contents "住民基本台帳データ" --approver "鈴木課長" \
  --purpose "データ移行" --destination "新潟市役所 本庁舎" --due 2026-12-01 --encrypted yes
c media return --id USB-0042 --checked-by "田中一郎"
c media list
c register export --kind received --format csv -o "$ws/受領記録簿.csv"
c register export --kind media --format pdf -o "$ws/持出管理簿.pdf"

step "10. 媒体を消去して検証 / wipe a (loop) device with verification, recorded in the ledger"
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null && [ -e /dev/loop-control ]; then
  truncate -s 32M "$ws/usb-stick.img"
  printf '住民基本台帳 MARKER %.0s' $(seq 1 2000) | dd of="$ws/usb-stick.img" conv=notrunc status=none
  loopdev=$(losetup --find --show "$ws/usb-stick.img")
  c device info "$loopdev"
  c wipe "$loopdev" --method nist-clear --yes --confirm-serial "$(basename "$loopdev")"
  losetup -d "$loopdev"
  if grep -q MARKER "$ws/usb-stick.img"; then echo "marker survived the wipe"; exit 1; fi
  echo "backing file scanned: no marker left"
  c log show --type wipe.completed
else
  echo "(skipped: needs root and loop devices)"
fi

step "artefacts"
cat <<EOT
station (contractor):     $contractor
ledger:                   $contractor/ledger.db
kept checkpoint:          $ws/checkpoint-kept.txt
evidence bundle:          $ws/entry-2.bundle
auditor export:           $ws/audit
certificate:              $ws/certificate.pdf (.json signed record, .evidence/ bundles)
keystore:                 $contractor/keystore
crypto-erased vault file: $ws/backup-2026.age

crypto-erased LUKS image: $ws/volume.img
receipt (預かり証):        $ws/receipt.json, $ws/receipt.pdf
registers:                $ws/受領記録簿.csv, $ws/持出管理簿.pdf
EOT
echo "demo OK"
