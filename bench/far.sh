#!/usr/bin/env bash
# The far-off case (issue 18): national-scale areas against a city-sized
# cluster of stations hundreds of km from most of them (the embedded
# demo's 6,000), plain `chargecov check --min-power-kw 120`. Every area is
# uncovered, so each one's nearest station to its boundary is searched.
# Prints each run and the median for every combination of
#   areas    10,000 and 40,000 (generated, same density, so the larger
#            set reaches farther from the cluster), and
#   stations the demo's 6,000 and 24,000 in the same city (generated with
#            the demo's seed),
# so that a cost growing with areas × stations would show as a ratio of
# about 16 between the corners instead of about 4.
#
# usage: bench/far.sh [DIR] [RUNS]      (defaults /tmp/chargecov-far, 3)
#        BIN=path/to/chargecov bench/far.sh   (another build, e.g. an older one)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-far}
RUNS=${2:-3}
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=$PWD/target/release/chargecov
fi
mkdir -p "$DIR"
for n in 10000 40000; do
    if [ ! -f "$DIR/areas$n/areas.geojson" ]; then
        # Stations are not used from these sets: as few as allowed.
        "$BIN" generate --areas "$n" --stations $((n + 10)) --out "$DIR/areas$n" -q
    fi
done
if [ ! -f "$DIR/stations6000/stations.geojson" ]; then
    "$BIN" generate --out "$DIR/stations6000" -q
fi
if [ ! -f "$DIR/stations24000/stations.geojson" ]; then
    "$BIN" generate --stations 24000 --out "$DIR/stations24000" -q
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for n in 10000 40000; do
    for m in 6000 24000; do
        : >"$OUT/runs"
        for run in $(seq 1 "$RUNS"); do
            status=0
            /usr/bin/time -o "$OUT/time" -f "%e %M" "$BIN" check \
                --areas "$DIR/areas$n/areas.geojson" \
                --stations "$DIR/stations$m/stations.geojson" --min-power-kw 120 \
                -q >/dev/null 2>"$OUT/stderr" || status=$?
            if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
            sed -i '/^Command /d' "$OUT/time"
            cat "$OUT/time" >>"$OUT/runs"
        done
        wall=$(awk '{ print $1 }' "$OUT/runs" | median)
        peak=$(awk '{ print $2 / 1024 }' "$OUT/runs" | median)
        printf '%6d areas x %6d stations: median of %d %6.2f s wall %5.0f MB peak (runs: %s)\n' \
            "$n" "$m" "$RUNS" "$wall" "$peak" "$(awk '{ printf "%s ", $1 }' "$OUT/runs")"
    done
done
