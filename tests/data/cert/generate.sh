#!/usr/bin/env bash
# Regenerates the certificate golden files with a built custody binary:
#   tests/data/cert/generate.sh build/custody
# valid.json is issued by a throwaway station from a recorded destruction;
# wrong-key.json by a second station of the same name (another key);
# truncated.json and bit-flipped.json are damaged copies of valid.json.
set -euo pipefail
custody=$(realpath "${1:?path to the custody binary}")
out=$(cd "$(dirname "$0")" && pwd)
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
issue() {  # home, output
  local c=("$custody" --home "$1")
  "${c[@]}" --operator "山田 太郎" init --default-operator "山田 太郎" --organization "株式会社サンプル情報サービス" --name niigata-office-1 >/dev/null
  "${c[@]}" profile set company=株式会社サンプル情報サービス "responsible=山田 太郎" >/dev/null
  "${c[@]}" profile set --client niigata municipality=新潟市 "department=総務部 情報政策課" \
    classification=3 place=contractor-facility "place_detail=新潟工場 破砕室" >/dev/null
  printf 'photo of the shredded platters\n' > "$ws/after.jpg"
  "${c[@]}" --operator "佐藤 花子" disposal record --media hdd --maker Seagate --model ST1000DM010 \
    --serial Z9A1B2C3 --asset-tag NIIGATA-PC-0042 --capacity 1000204886016 --interface SATA \
    --method physical-destruction --details "破砕 (shredder, 10 mm)" \
    --started 2026-11-23T01:00:00Z --finished 2026-11-23T01:20:00Z \
    --verification "目視確認 (visual)" --witness "鈴木 一郎" --witness-department 情報政策課 \
    --photo "$ws/after.jpg" >/dev/null
  "${c[@]}" cert issue --disposal 3 --client niigata -o "$2" >/dev/null
}
issue "$ws/a" "$ws/valid.pdf"
issue "$ws/b" "$ws/other.pdf"
"$custody" --home "$ws/a" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["verifier_key"])' > "$out/verifier-key"
cp "$ws/valid.json" "$out/valid.json"
rm -rf "$out/valid.evidence" && cp -r "$ws/valid.evidence" "$out/valid.evidence"
cp "$ws/other.json" "$out/wrong-key.json"
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
data = open(f"{out}/valid.json", "rb").read()
open(f"{out}/truncated.json", "wb").write(data[: len(data) // 2])
i = data.index(b"Z9A1B2C3") + 7          # the serial's last digit: '3' -> '2', one bit
flipped = bytearray(data)
flipped[i] ^= 0x01
open(f"{out}/bit-flipped.json", "wb").write(bytes(flipped))
PY
echo "regenerated in $out"
