#!/usr/bin/env bash
# Hostile sizes: inputs of a few MB that expand to gigabytes. Each must be
# refused (exit 2) naming its limit, quickly, with the process's peak
# memory far below 2 GB and nothing left in TMPDIR. Prints wall time and
# peak RSS per case (/usr/bin/time); run on a release build.
#
# usage: bench/bombs.sh [DIR]   (scratch files go to DIR, default a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR/tmp"
python3 - "$DIR" <<'PY'
import gzip, sys, zipfile, zlib
d = sys.argv[1]
head = ('{"type":"FeatureCollection","features":['
        + ",".join('{"type":"Feature","properties":{"id":"s%d","power_kw":500},'
                   '"geometry":{"type":"Point","coordinates":[%f,0.5]}}' % (i, 0.1 + i / 10)
                   for i in range(8))).encode()
chunk = b" " * (1 << 24)
def spaces(write, gib):
    write(head)
    for _ in range(gib * 64):
        write(chunk)
    write(b"]}")
# 10 GiB of spaces after 8 stations, deflated into a zip (about 10 MB).
with zipfile.ZipFile(f"{d}/bomb10g.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open("stations.geojson", "w", force_zip64=True) as f:
        spaces(f.write, 10)
# 3 GiB of spaces, as a zip and as gzip (for stdin).
with zipfile.ZipFile(f"{d}/bomb3g.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open("stations.geojson", "w", force_zip64=True) as f:
        spaces(f.write, 3)
with gzip.open(f"{d}/bomb3g.geojson.gz", "wb", compresslevel=9) as f:
    spaces(f.write, 3)
PY
ls -l "$DIR"/bomb*
run() {
    local name=$1; shift
    local code=0
    /usr/bin/time -f "%e s  %M KB" -o "$DIR/time.txt" env TMPDIR="$DIR/tmp" "$@" \
        >/dev/null 2>"$DIR/err.txt" || code=$?
    printf '%-28s exit %s  %s  %s\n' "$name" "$code" "$(cat "$DIR/time.txt")" \
        "$(head -c 90 "$DIR/err.txt" | tr '\n' ' ')"
    [ -z "$(ls -A "$DIR/tmp")" ] || echo "  LEFT IN TMPDIR: $(ls "$DIR/tmp")"
}
AREAS=fixtures/basic/areas.geojson
run "zip, 10 GiB expanded" "$BIN" check --areas $AREAS --stations "$DIR/bomb10g.zip" -q
run "zip, 3 GiB expanded" "$BIN" check --areas $AREAS --stations "$DIR/bomb3g.zip" -q
run "gzip file, 3 GiB" "$BIN" check --areas $AREAS --stations "$DIR/bomb3g.geojson.gz" -q
run "gzip on stdin, 3 GiB" sh -c "'$BIN' check --areas $AREAS --stations - -q < '$DIR/bomb3g.geojson.gz'"
run "zip, ratio limit raised" env CHARGECOV_MAX_EXPANSION_RATIO=100000 \
    "$BIN" check --areas $AREAS --stations "$DIR/bomb3g.zip" -q
