#!/usr/bin/env bash
# Streaming validation at national scale: generates 2,000,000 stations with
# the project's generator (once, into $DIR) and times `chargecov validate`
# on them with /usr/bin/time, three runs; prints wall time, CPU time and
# peak memory of each.
#
# usage: bench/validate.sh [DIR]     (default /tmp/chargecov-national)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-national}
cargo build --release --quiet
BIN=target/release/chargecov
if [ ! -f "$DIR/stations.geojson" ]; then
    "$BIN" generate --areas 40000 --stations 2000000 --out "$DIR"
fi
ls -l "$DIR/stations.geojson"
for run in 1 2 3; do
    /usr/bin/time -f "run $run: %e s wall, %U s user, %S s sys, %M KB peak" \
        "$BIN" validate "$DIR/stations.geojson" --require id,power_kw -q >/dev/null || true
done
