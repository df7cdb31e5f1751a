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
city="$ws/city"             # 新潟市 (the municipality)
contractor="$ws/contractor" # 株式会社サンプル情報サービス (the contractor)
c() { "$custody" --home "$contractor" "$@"; }
m() { "$custody" --home "$city" "$@"; }
step() { printf '\n== %s\n' "$*"; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }
(umask 077; head -c 24 /dev/urandom | base64 > "$ws/city-keystore.pass"
 head -c 24 /dev/urandom | base64 > "$ws/contractor-keystore.pass")

step "1. 自治体と受託事業者のステーションを作成 / create the municipality's and the contractor's stations"
m init --organization "新潟市" --name niigata-city-hall --default-operator "佐藤花子" --operator "佐藤花子"
c init --organization "株式会社サンプル情報サービス" --name niigata-office-1 \
  --default-operator "山田太郎" --operator "山田太郎"
c status

step "2. 市の公開鍵を登録 (指紋を電話で読み合わせ) / import the city's public key, fingerprint confirmed"
m key create city-inbox --passphrase-file "$ws/city-keystore.pass"
m --json key export-public city-inbox > "$ws/city-inbox.pub.json"
city_recipient=$(json recipient < "$ws/city-inbox.pub.json")
city_fingerprint=$(json fingerprint < "$ws/city-inbox.pub.json")
c key import-recipient niigata-city "$city_recipient" --confirm-fingerprint "$city_fingerprint"
c key list

step "3. 預かり証を発行 / issue a receipt (預かり証) for data received from the city"
c receipt issue --from "佐藤花子" --from-org "新潟市" --from-dept "市民生活部" \
  --kind "住民基本台帳データ" --classification 3 --items 1200 --medium usb-flash --medium-id USB-0042 \
  --transfer hand --contract "令和8年度 住民情報システム保守" --storage "本社A棟 金庫2" \
  --disposition return --due 2027-03-31 -o "$ws/receipt"
c receipt verify "$ws/receipt.pdf" --key "$(c --json status | json verifier_key)"
# The city keeps a signed checkpoint of the contractor's ledger when it hands data over: later
# certificates and ledgers are checked against it (no history can be rewritten behind it).
c log checkpoint > "$ws/city-kept-checkpoint.txt"

step "4. 媒体の持出し・返却 (持出管理簿) / media take-out and return"
c media checkout --id USB-0042 --contents "住民基本台帳データ" --approver "鈴木課長" \
  --purpose "データ移行" --destination "新潟市役所 本庁舎" --due 2026-12-01 --encrypted yes
c media return --id USB-0042 --checked-by "田中一郎"
c media amend USB-0042 --approver "鈴木部長" --reason "承認者の記載誤り"   # a signed correction, never an edit
c media list

step "5. 成果物を暗号化して市へ引き渡し / package the results, encrypted to the city's key"
c --lang ja package create --help | head -4
mkdir -p "$ws/納品データ/課税資料"
printf '宛名番号,氏名,住所\n0001,新潟 太郎,新潟市中央区学校町通1番町602-1\n0002,佐渡 花子,新潟市北区\n' \
  > "$ws/納品データ/課税資料/住民税_課税対象者一覧.csv"
printf '作業報告書\n令和8年度 住民情報システム保守: データ移行を完了しました。\n' > "$ws/納品データ/作業報告書.txt"
c package create "$ws/納品データ" -o "$ws/納品データ.age" --to-key niigata-city \
  --recipient-org "新潟市" --purpose "住民税システム移行の成果物" --classification 機密性3
c package status

step "6. 市が開封して受領書に署名、事業者が取り込む / the city opens it, signs an acknowledgement; the contractor imports it"
contractor_key=$(c --json status | json verifier_key)
m package open "$ws/納品データ.age" -d "$ws/市で受領" --sender-key "$contractor_key" \
  --passphrase-file "$ws/city-keystore.pass"
find "$ws/市で受領" -type f | sort
m receipt ack "$ws/納品データ.age" --sender-key "$contractor_key" --recipient "佐藤花子" \
  --passphrase-file "$ws/city-keystore.pass" -o "$ws/受領書.json" --pdf "$ws/受領書.pdf"
c receipt import "$ws/受領書.json"
c package status --pending && echo "every package sent is acknowledged"

step "7. 写しを消去: ループデバイスの上書き消去と保管庫の暗号化消去 / erase the copies: wipe a loop device, crypto-erase a vault"
sources=()
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null && [ -e /dev/loop-control ]; then
  truncate -s 32M "$ws/usb-stick.img"
  for _ in $(seq 1 200); do cat "$ws/納品データ/課税資料/住民税_課税対象者一覧.csv"; done |
    dd of="$ws/usb-stick.img" conv=notrunc status=none
  loopdev=$(losetup --find --show "$ws/usb-stick.img")
  c device info "$loopdev"
  c --lang ja wipe "$loopdev" --method nist-clear --dry-run   # the plan, as a Japanese operator sees it
  # --json prints progress lines, then the result: the last line.
  wipe_json=$(c --json wipe "$loopdev" --method nist-clear --yes --confirm-serial "$(basename "$loopdev")" | tail -1)
  losetup -d "$loopdev"
  printf '%s' "$wipe_json" | python3 -c 'import json,sys; r=json.load(sys.stdin)
print("wipe", r["wipe_id"], r["result"] + ",", "verified" if r["verified"] else "NOT verified", "(" + r["verification"]["mode"] + ")")'
  if grep -q "新潟 太郎" "$ws/usb-stick.img"; then echo "resident data survived the wipe" >&2; exit 1; fi
  echo "backing file scanned: no resident data left"
  sources+=(--wipe "$(printf '%s' "$wipe_json" | json wipe_id)")
else
  echo "(loop-device wipe skipped: needs root and loop devices)"
fi
c vault create contract-2026 --passphrase-file "$ws/contractor-keystore.pass"
c vault seal contract-2026 "$ws/納品データ/作業報告書.txt" "$ws/納品データ/課税資料/住民税_課税対象者一覧.csv" -o "$ws/backup-2026.age"
c vault open contract-2026 "$ws/backup-2026.age" --list --passphrase-file "$ws/contractor-keystore.pass"
erase_json=$(c --json crypto-erase vault contract-2026 --yes)
if c vault open contract-2026 "$ws/backup-2026.age" --list --passphrase-file "$ws/contractor-keystore.pass" 2>/dev/null; then
  echo "vault still opens after crypto-erase" >&2; exit 1
fi
echo "after crypto-erase, $ws/backup-2026.age can no longer be decrypted"
printf '%s' "$erase_json" | python3 -c 'import json,sys; r=json.load(sys.stdin)
print("vault", r["vault"], "crypto-erased: key", r["fingerprint"], "destroyed; ledger entry", r["completed_seq"])'
sources+=(--crypto-erase "$(printf '%s' "$erase_json" | json completed_seq)")

step "8. 総行情第77号の廃棄証明書を発行・検証 / issue and verify the disposal certificate"
c profile set company=株式会社サンプル情報サービス "responsible=山田 太郎"
c profile set --client niigata municipality=新潟市 "department=総務部 情報政策課" classification=3 \
  place=contractor-facility "place_detail=新潟事業所" "contract=令和8年度 住民情報システム保守"
c cert issue "${sources[@]}" --client niigata --reason contract-end --no-witness \
  --checkpoint "$ws/city-kept-checkpoint.txt" -o "$ws/certificate.pdf"
c cert verify "$ws/certificate.pdf" --key "$contractor_key" --checkpoint "$ws/city-kept-checkpoint.txt"
c cert list

step "9. 記録簿を CSV と PDF で出力 / export the registers as CSV and PDF"
c register export --kind received --format csv -o "$ws/受領記録簿.csv"
c register export --kind media --format pdf -o "$ws/持出管理簿.pdf"
c register export --kind handover --format csv -o "$ws/引渡記録簿.csv"
c register export --kind disposal --format pdf -o "$ws/廃棄記録簿.pdf"

step "10. 両方の台帳を検証 (市は事業者のチェックポイントを保管) / verify both ledgers; the city keeps the contractor's checkpoint"
c log verify --against "$ws/city-kept-checkpoint.txt"
c log checkpoint > "$ws/city-kept-checkpoint-2.txt"   # the city keeps the newer one too
m log verify
m log show

step "11. 監査人: custody なしで証明書の証跡を検証 / the auditor checks the certificate's evidence with the kit's script only"
c log export "$ws/audit"
cert_entry=$(json body.issuance.ledger.entry < "$ws/certificate.json")
python3 "$ws/audit/verify-evidence.py" "$ws/certificate.evidence/entry-$cert_entry.bundle" \
  --key-file "$ws/audit/verifier-key"

step "12. その他の消去: LUKS ボリュームの暗号化消去、物理破壊の記録 / more: crypto-erase a LUKS volume, record a physical destruction"
(umask 077; printf '%s' "demo luks passphrase" > "$ws/luks.pass")
truncate -s 20M "$ws/volume.img"
cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  --key-file "$ws/luks.pass" "$ws/volume.img"
c crypto-erase luks "$ws/volume.img" --yes --confirm-uuid "$(cryptsetup luksUUID "$ws/volume.img")" \
  --old-passphrase-file "$ws/luks.pass" --asset-tag DEMO-LUKS-0001
if cryptsetup open --test-passphrase --key-file "$ws/luks.pass" "$ws/volume.img" 2>/dev/null; then
  echo "the old passphrase still opens the volume" >&2; exit 1
fi
echo "after: the old passphrase no longer opens $ws/volume.img"
# A stand-in photo of the shredded platters (a real PNG: it is printed on the certificate).
python3 - "$ws/after.png" <<'PY'
import struct, sys, zlib
w, h = 96, 64
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 2 % 256, y * 3 % 256, 90)) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                              chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
c --operator "佐藤花子" disposal record --media hdd --maker Seagate \
  --model ST1000DM010 --serial Z9A1B2C3 --method physical-destruction --details "破砕 (10 mm)" \
  --started 2026-11-23T01:00:00Z --finished 2026-11-23T01:20:00Z --verification "目視確認" \
  --witness "鈴木一郎" --photo "$ws/after.png" --json > "$ws/disposal.json"
c cert issue --disposal "$(json seq < "$ws/disposal.json")" --client niigata --reason disposal \
  --witness "鈴木一郎" --witness-department "総務部" -o "$ws/destruction-certificate.pdf"
c --lang ja log verify   # the same check, reported in Japanese
# A copy of the package cut short in transit: the city's station refuses it, in Japanese.
head -c 2000 "$ws/納品データ.age" > "$ws/cut.age"
set +e
m --lang ja package verify "$ws/cut.age" --passphrase-file "$ws/city-keystore.pass" 2>&1 | sed 's/^/  /'
status=${PIPESTATUS[0]}
set -e
case $status in 8|10) ;; *) echo "demo: the cut package gave exit status $status, not 8 or 10" >&2; exit 1 ;; esac

step "artefacts"
cat <<EOT
station (municipality):   $city
station (contractor):     $contractor  (ledger.db, keystore/)
receipt (預かり証):        $ws/receipt.json, $ws/receipt.pdf
package (納品データ):      $ws/納品データ.age  (opened by the city in $ws/市で受領)
acknowledgement (受領書):  $ws/受領書.json, $ws/受領書.pdf
wiped loop image:         $ws/usb-stick.img
crypto-erased vault file: $ws/backup-2026.age
certificate (廃棄証明書):  $ws/certificate.pdf (.json signed record, .evidence/ bundles)
registers:                $ws/受領記録簿.csv, $ws/持出管理簿.pdf, $ws/引渡記録簿.csv, $ws/廃棄記録簿.pdf
kept checkpoints:         $ws/city-kept-checkpoint.txt, $ws/city-kept-checkpoint-2.txt
auditor kit:              $ws/audit
crypto-erased LUKS image: $ws/volume.img
destruction certificate:  $ws/destruction-certificate.pdf (photo printed on it)
EOT
echo "demo OK"
