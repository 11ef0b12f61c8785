#!/usr/bin/env bash
# The national end-to-end benchmark (issue 8): generates 40,000 areas and
# 2,000,000 stations with the project's generator (once, into $DIR), then
# times `chargecov check --min-power-kw 120` with the JSON report and the
# uncovered GeoJSON written, RUNS times; prints each run and the medians of
# wall time, CPU time (user + sys) and peak resident memory (/usr/bin/time).
# With CHARGECOV_TIMINGS=1 in the environment, the last run's stages are
# printed too.
#
# usage: bench/national.sh [DIR] [RUNS]   (defaults /tmp/chargecov-national, 5)
#        AREAS=10000 STATIONS=250000 bench/national.sh DIR   (another size)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-national}
RUNS=${2:-5}
AREAS=${AREAS:-40000}
STATIONS=${STATIONS:-2000000}
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
if [ ! -f "$DIR/stations.geojson" ]; then
    /usr/bin/time -f "generated in %e s wall, %M KB peak" \
        "$BIN" generate --areas "$AREAS" --stations "$STATIONS" --out "$DIR" -q
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ls -l "$DIR/areas.geojson" "$DIR/stations.geojson" | awk '{print $5, $9}'
for run in $(seq 1 "$RUNS"); do
    status=0
    /usr/bin/time -o "$OUT/time" -f "%e %U %S %M" \
        "$BIN" check --areas "$DIR/areas.geojson" --stations "$DIR/stations.geojson" \
        --min-power-kw 120 --report "$OUT/report.json" --uncovered "$OUT/uncovered.geojson" \
        -q >/dev/null 2>"$OUT/stderr" || status=$?
    if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
    # GNU time writes "Command exited with non-zero status 1" first when
    # the claim fails: keep the figures only.
    sed -i '/^Command /d' "$OUT/time"
    read -r wall user sys peak <"$OUT/time"
    echo "$wall $user $sys $peak" >>"$OUT/runs"
    awk -v r="$run" '{ printf "run %d: %6.2f s wall %6.2f s CPU %7.0f MB peak\n", r, $1, $2 + $3, $4 / 1024 }' \
        "$OUT/time"
done
grep timing "$OUT/stderr" || true
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall=$(awk '{ print $1 }' "$OUT/runs" | median)
cpu=$(awk '{ print $2 + $3 }' "$OUT/runs" | median)
peak=$(awk '{ print $4 / 1024 }' "$OUT/runs" | median)
printf 'median of %d: %.2f s wall, %.2f s CPU, %.0f MB peak\n' "$RUNS" "$wall" "$cpu" "$peak"
