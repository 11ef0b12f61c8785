#!/usr/bin/env bash
# Reading speed per format (issue 15): the national set (40,000 areas,
# 2,000,000 stations; AREAS=/STATIONS= change it) written by
# `chargecov generate --format F` in GeoJSON, GeoPackage, FlatGeobuf and
# GeoParquet — the same features, properties and coordinates — then
# `chargecov check --min-power-kw 120` on each, the formats alternating
# within every round so that a noisy machine hurts them alike. Prints per
# format the median wall time of the whole check and of its reading stage
# (CHARGECOV_TIMINGS), nanoseconds per feature read, the ratio to GeoJSON,
# and checks that every format gives the same summary.
#
# usage: bench/formats.sh [DIR] [RUNS]   (defaults /tmp/chargecov-formats, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-formats}
RUNS=${2:-5}
AREAS=${AREAS:-40000}
STATIONS=${STATIONS:-2000000}
FORMATS=(geojson gpkg fgb parquet)
cargo build --release --quiet --features parquet
BIN=$PWD/target/release/chargecov
for f in "${FORMATS[@]}"; do
    if [ ! -f "$DIR/$f/stations.$f" ]; then
        /usr/bin/time -f "$f: generated in %e s wall, %M KB peak" \
            "$BIN" generate --areas "$AREAS" --stations "$STATIONS" --format "$f" \
            --out "$DIR/$f" -q
    fi
    ls -l "$DIR/$f/areas.$f" "$DIR/$f/stations.$f" | awk '{ printf "%12d %s\n", $5, $9 }'
done
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for run in $(seq 1 "$RUNS"); do
    # Rotate the order every round.
    order=("${FORMATS[@]:$(( (run - 1) % 4 ))}" "${FORMATS[@]:0:$(( (run - 1) % 4 ))}")
    for f in "${order[@]}"; do
        status=0
        start=$(date +%s.%N)
        CHARGECOV_TIMINGS=1 "$BIN" check --areas "$DIR/$f/areas.$f" \
            --stations "$DIR/$f/stations.$f" --min-power-kw 120 --format json \
            >"$OUT/$f.json" 2>"$OUT/stderr" || status=$?
        end=$(date +%s.%N)
        if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
        read_s=$(sed -n 's/.*timing: reading areas and stations *\([0-9.]*\) s.*/\1/p' "$OUT/stderr")
        echo "$f $(echo "$end - $start" | bc) $read_s" >>"$OUT/runs"
    done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
features=$((AREAS + STATIONS))
base_read=$(awk '$1 == "geojson" { print $3 }' "$OUT/runs" | median)
printf '%-8s %10s %10s %12s %14s\n' format "check (s)" "read (s)" "ns/feature" "read vs GeoJSON"
for f in "${FORMATS[@]}"; do
    wall=$(awk -v f="$f" '$1 == f { print $2 }' "$OUT/runs" | median)
    read_s=$(awk -v f="$f" '$1 == f { print $3 }' "$OUT/runs" | median)
    printf '%-8s %10.2f %10.3f %12.0f %14.2f\n' "$f" "$wall" "$read_s" \
        "$(echo "$read_s * 1000000000 / $features" | bc -l)" "$(echo "$read_s / $base_read" | bc -l)"
done
# The same answers in every format.
for f in gpkg fgb parquet; do
    python3 -c "
import json, sys
a = json.load(open('$OUT/geojson.json'))['summary']
b = json.load(open('$OUT/$f.json'))['summary']
sys.exit(0 if a == b else 1)" || { echo "$f: summary differs from GeoJSON"; exit 1; }
done
echo "every format gave the GeoJSON's summary (median of $RUNS rounds)"
