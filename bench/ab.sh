#!/usr/bin/env bash
# Before/after on the national set: runs two chargecov binaries in
# alternation (A B A B …, so that both see the same machine noise) on the
# job of bench/national.sh, and prints each run and the medians of wall
# time and peak memory, with the ratio B/A.
#
# usage: bench/ab.sh BIN_A BIN_B [DIR] [RUNS]   (DIR from bench/national.sh)
#   e.g. git worktree add /tmp/base main~3 && (cd /tmp/base &&
#        CARGO_TARGET_DIR=/tmp/base-target cargo build --release)
#        bench/ab.sh /tmp/base-target/release/chargecov target/release/chargecov /tmp/national 5
set -euo pipefail
A=${1:?usage: bench/ab.sh BIN_A BIN_B [DIR] [RUNS]}
B=${2:?usage: bench/ab.sh BIN_A BIN_B [DIR] [RUNS]}
DIR=${3:-/tmp/chargecov-national}
RUNS=${4:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for run in $(seq 1 "$RUNS"); do
    for side in A B; do
        bin=$A; [ "$side" = B ] && bin=$B
        status=0
        /usr/bin/time -o "$OUT/time" -f "%e %M" \
            "$bin" check --areas "$DIR/areas.geojson" --stations "$DIR/stations.geojson" \
            --min-power-kw 120 --report "$OUT/report.json" --uncovered "$OUT/uncovered.geojson" \
            -q >/dev/null 2>"$OUT/stderr" || status=$?
        if [ "$status" -gt 1 ]; then cat "$OUT/stderr"; exit "$status"; fi
        # GNU time writes "Command exited with non-zero status 1" first when
        # the claim fails: keep the figures only.
        sed -i '/^Command /d' "$OUT/time"
        cat "$OUT/time" >>"$OUT/$side"
        awk -v r="$run" -v s="$side" '{ printf "run %d %s: %6.2f s wall %7.0f MiB peak\n", r, s, $1, $2 / 1024 }' "$OUT/time"
    done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wa=$(cut -d' ' -f1 "$OUT/A" | median); wb=$(cut -d' ' -f1 "$OUT/B" | median)
ma=$(cut -d' ' -f2 "$OUT/A" | median); mb=$(cut -d' ' -f2 "$OUT/B" | median)
awk -v wa="$wa" -v wb="$wb" -v ma="$ma" -v mb="$mb" 'BEGIN {
    printf "median A: %.2f s wall, %.0f MiB peak\n", wa, ma / 1024
    printf "median B: %.2f s wall, %.0f MiB peak\n", wb, mb / 1024
    printf "B/A: wall %.3f, peak %.3f\n", wb / wa, mb / ma }'
