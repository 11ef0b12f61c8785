#!/usr/bin/env bash
# What a filter and pools cost the national job (issue 16): runs, in
# alternation so that both see the same machine noise, bench/national.sh's
# check (A) and the same check with a `--where` filter on a station
# property and `--pool-m 50` (B), and prints each run, the medians of
# wall time and peak memory, and B/A.
#
# usage: bench/feeds.sh [DIR] [RUNS]   (DIR from bench/national.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-national}
RUNS=${2:-5}
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for run in $(seq 1 "$RUNS"); do
    for side in A B; do
        extra=()
        if [ "$side" = B ]; then
            extra=(--where "operator != 'Yuzhou Charge' and connectors >= 1" --pool-m 50)
        fi
        status=0
        /usr/bin/time -o "$OUT/time" -f "%e %M" \
            "$BIN" check --areas "$DIR/areas.geojson" --stations "$DIR/stations.geojson" \
            --min-power-kw 120 --report "$OUT/report-$side.json" --uncovered "$OUT/uncovered.geojson" \
            "${extra[@]}" -q >/dev/null 2>"$OUT/stderr" || status=$?
        if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
        # GNU time writes "Command exited with non-zero status 1" first when
        # the claim fails: keep the figures only.
        sed -i '/^Command /d' "$OUT/time"
        cat "$OUT/time" >>"$OUT/$side"
        awk -v r="$run" -v s="$side" '{ printf "run %d %s: %6.2f s wall %7.0f MiB peak\n", r, s, $1, $2 / 1024 }' "$OUT/time"
    done
done
python3 -c "
import json, sys
s = json.load(open('$OUT/report-B.json'))['inputs']['stations']
print('B read', s['features_read'], 'records; filter removed', s['filters'][0]['removed'],
      '; pooled', s['pools']['records'], 'into', s['pools']['pools'], 'sites')"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wa=$(cut -d' ' -f1 "$OUT/A" | median); wb=$(cut -d' ' -f1 "$OUT/B" | median)
ma=$(cut -d' ' -f2 "$OUT/A" | median); mb=$(cut -d' ' -f2 "$OUT/B" | median)
awk -v wa="$wa" -v wb="$wb" -v ma="$ma" -v mb="$mb" 'BEGIN {
    printf "median A (plain): %.2f s wall, %.0f MiB peak\n", wa, ma / 1024
    printf "median B (--where, --pool-m 50): %.2f s wall, %.0f MiB peak\n", wb, mb / 1024
    printf "B/A: wall %.3f, peak %.3f\n", wb / wa, mb / ma }'
