#!/usr/bin/env bash
# Corridor checks at national scale (issue 17): `chargecov generate
# --network` makes ~35,000 km of one-way carriageways in ways of 100–300 m
# (174,000 ways) with 100,000 stations; then, in the same run, chargecov's
# corridor check (the AFIR 2025 claim with pools, and the plain 150 kW job)
# and the peer — the shapely + pyproj reference of tests/corridor.rs
# (shapely line_merge, UTM 32N nearest points, pyproj geodesic lengths) on
# the plain job — and prints each run, the medians, the peer/chargecov
# ratio, and whether both found the same longest gap.
#
# usage: bench/corridor.sh [DIR] [RUNS] [PEER_RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-motorways}
RUNS=${2:-5}
PEER_RUNS=${3:-1}
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
if [ ! -f "$DIR/network.geojson" ]; then
    "$BIN" generate --network --out "$DIR"
fi
if [ ! -f "$DIR/stations.csv" ]; then
    python3 - "$DIR" <<'PY'
import csv, json, sys
d = sys.argv[1]
features = json.load(open(f"{d}/stations.geojson"))["features"]
with open(f"{d}/stations.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "lon", "lat", "power_kw"])
    for x in features:
        p, c = x["properties"], x["geometry"]["coordinates"]
        w.writerow([p["id"], c[0], c[1], p["power_kw"]])
PY
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() { # label, command…
    local label=$1; shift
    status=0
    /usr/bin/time -o "$OUT/time" -f "%e %M" "$@" >"$OUT/$label.out" 2>"$OUT/stderr" || status=$?
    if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
    # GNU time writes "Command exited with non-zero status 1" first when
    # the claim fails: keep the figures only.
    sed -i '/^Command /d' "$OUT/time"
    cat "$OUT/time" >>"$OUT/$label"
    awk -v l="$label" '{ printf "%-8s %8.2f s wall %7.0f MiB peak\n", l, $1, $2 / 1024 }' "$OUT/time"
}
for r in $(seq 1 "$RUNS"); do
    run afir "$BIN" corridor --network "$DIR/network.geojson" --stations "$DIR/stations.geojson" \
        --claim afir-2025-core --pool-field site --gaps "$OUT/gaps.geojson" --suggest --format json -q
    run plain "$BIN" corridor --network "$DIR/network.geojson" --stations "$DIR/stations.csv" \
        --min-power-kw 150 --spacing-km 60 --max-offset-km 3 --format json -q
done
for r in $(seq 1 "$PEER_RUNS"); do
    run peer python3 tests/reference/corridor_reference.py "$DIR/network.geojson" "$DIR/stations.csv" 150 3
done
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
ours = json.load(open(f"{out}/plain.out"))
peer = json.load(open(f"{out}/peer.out"))
afir = json.load(open(f"{out}/afir.out"))["summary"]
print("network:", ours["inputs"]["network"]["lines"], "lines,", ours["summary"]["length_km"], "km of paths,",
      ours["summary"]["paths"], "paths; AFIR:", afir["qualifying_sites"], "qualifying pools,",
      afir["stretches"], "stretches")
print("plain job: paths", ours["summary"]["paths"], "vs peer", len(peer),
      "; longest gap", ours["summary"]["max_gap_km"], "km vs peer",
      round(max(p["max_gap_m"] for p in peer) / 1000, 3), "km")
PY
for label in afir plain peer; do
    w=$(cut -d' ' -f1 "$OUT/$label" | median); m=$(cut -d' ' -f2 "$OUT/$label" | median)
    echo "$label $w $m" >>"$OUT/medians"
    awk -v l="$label" -v w="$w" -v m="$m" 'BEGIN { printf "median %-6s %7.2f s wall %7.0f MiB peak\n", l, w, m / 1024 }'
done
awk '{ w[$1] = $2; m[$1] = $3 } END { printf "peer/plain: wall %.1f×, peak %.2f×\n", w["peer"] / w["plain"], m["peer"] / m["plain"] }' "$OUT/medians"
