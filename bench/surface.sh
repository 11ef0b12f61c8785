#!/usr/bin/env bash
# Surface coverage at scale (issue 18): `chargecov check --min-power-kw 120
# --radius-km R` against the GeoPandas peer (bench/peers/surface.py:
# equal-area projection, buffer, union, overlay) on the same files in the
# same run, RUNS times each (the peer PEER_RUNS times); prints each run,
# the medians of wall time and peak memory, the ratio, and how the
# per-area shares agree (|Δ| ≤ 0.01, and the largest difference).
#
# usage: bench/surface.sh [DIR] [RUNS]      (defaults /tmp/chargecov-surface, 3)
#   AREAS=4000 STATIONS=200000   the generated set (made once into DIR)
#   RADII=2                      radii (km), comma-separated
#   PEER_RUNS=1                  0 skips the peer (e.g. at national scale)
#   GAPS=1                       chargecov also writes --gaps
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-surface}
RUNS=${2:-3}
AREAS=${AREAS:-4000}
STATIONS=${STATIONS:-200000}
RADII=${RADII:-2}
PEER_RUNS=${PEER_RUNS:-1}
GAPS=${GAPS:-0}
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
if [ ! -f "$DIR/stations.geojson" ]; then
    "$BIN" generate --areas "$AREAS" --stations "$STATIONS" --out "$DIR" -q
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
extra=()
if [ "$GAPS" = 1 ]; then extra+=(--gaps "$OUT/gaps.geojson"); fi
echo "data: $DIR ($(grep -c '"Feature"' "$DIR/areas.geojson" || true) areas); radii $RADII km; gaps $GAPS"
for run in $(seq 1 "$RUNS"); do
    status=0
    /usr/bin/time -o "$OUT/time" -f "%e %M" "$BIN" check --areas "$DIR/areas.geojson" \
        --stations "$DIR/stations.geojson" --min-power-kw 120 --radius-km "$RADII" \
        --report "$OUT/report.json" "${extra[@]}" -q >/dev/null 2>"$OUT/stderr" || status=$?
    if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
    # GNU time's "Command exited with non-zero status 1" line (a failing
    # claim) is not a figure.
    sed -i '/^Command /d' "$OUT/time"
    cat "$OUT/time" >>"$OUT/ours"
    awk -v r="$run" '{ printf "chargecov run %d: %7.2f s wall %7.0f MB peak\n", r, $1, $2 / 1024 }' "$OUT/time"
done
ours_wall=$(awk '{ print $1 }' "$OUT/ours" | median)
ours_peak=$(awk '{ print $2 / 1024 }' "$OUT/ours" | median)
printf 'chargecov median of %d: %.2f s wall, %.0f MB peak\n' "$RUNS" "$ours_wall" "$ours_peak"
if [ "$PEER_RUNS" -gt 0 ]; then
    for run in $(seq 1 "$PEER_RUNS"); do
        /usr/bin/time -o "$OUT/ptime" -f "%e %M" python3 bench/peers/surface.py \
            "$DIR/areas.geojson" "$DIR/stations.geojson" --radius-km "$RADII" \
            --min-power-kw 120 --out "$OUT/peer.json"
        cat "$OUT/ptime" >>"$OUT/peer"
        awk -v r="$run" '{ printf "GeoPandas run %d: %7.2f s wall %7.0f MB peak\n", r, $1, $2 / 1024 }' "$OUT/ptime"
    done
    peer_wall=$(awk '{ print $1 }' "$OUT/peer" | median)
    peer_peak=$(awk '{ print $2 / 1024 }' "$OUT/peer" | median)
    printf 'GeoPandas median of %d: %.2f s wall, %.0f MB peak\n' "$PEER_RUNS" "$peer_wall" "$peer_peak"
    awk -v a="$peer_wall" -v b="$ours_wall" -v c="$peer_peak" -v d="$ours_peak" \
        'BEGIN { printf "chargecov is %.1fx faster, %.2fx the memory\n", a / b, d / c }'
    python3 - "$OUT/report.json" "$OUT/peer.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
peer = json.load(open(sys.argv[2]))
worst, within, n = 0.0, 0, 0
for area in report["areas"]:
    ours = area["within"]
    theirs = peer[str(area["feature_index"])]
    for r, v in ours.items():
        d = abs(v - theirs[r])
        worst = max(worst, d)
        within += d <= 0.01
        n += 1
print(f"agreement: {within} of {n} shares within 0.01; largest difference {worst:.4f}")
PY
fi
