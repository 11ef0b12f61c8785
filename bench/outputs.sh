#!/usr/bin/env bash
# Writes every output chargecov makes on the demo and the fixtures into
# DIR, so that two builds can be compared byte for byte:
#
#   bench/outputs.sh /tmp/before            # on the old commit
#   bench/outputs.sh /tmp/after             # on the new one
#   diff -r /tmp/before /tmp/after && echo identical
#
# Exit codes are recorded beside the outputs (stdout/stderr too), so a
# change of verdict or message shows up in the diff as well.
set -u
OUT=${1:?usage: bench/outputs.sh DIR}
BIN=${CHARGECOV:-target/release/chargecov}
rm -rf "$OUT" && mkdir -p "$OUT"

run() {
    local name=$1; shift
    "$BIN" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
    echo $? >"$OUT/$name.rc"
}

run demo480 check --min-power-kw 480 -q --report "$OUT/demo480.json" \
    --uncovered "$OUT/demo480-uncovered.geojson" --areas-out "$OUT/demo480-areas.geojson" \
    --html "$OUT/demo480.html" --markdown "$OUT/demo480.md" --svg "$OUT/demo480.svg"
run demo180csv check --min-power-kw 180 -q --areas-out "$OUT/demo180-areas.csv" --format json
run demo-surface check --min-power-kw 480 -q --radius-km 2,5 --population-field population \
    --gaps "$OUT/demo-gaps.geojson" --curve "$OUT/demo-curve.csv" --areas-out "$OUT/demo-surface.csv"
run basic check --areas fixtures/basic/areas.geojson --stations fixtures/basic/stations.geojson \
    --format json --uncovered "$OUT/basic-uncovered.geojson"
run highlat check --areas fixtures/highlat/areas.geojson --stations fixtures/highlat/stations.csv \
    --format json --within-km 5
run projected check --areas fixtures/projected/areas-3857.geojson \
    --stations fixtures/projected/stations-3857.geojson --format json --output-crs EPSG:3857 \
    --areas-out "$OUT/projected-areas.geojson"
run diff diff fixtures/diff/old.geojson fixtures/diff/new.geojson \
    --areas fixtures/basic/areas.geojson --format json
run diff-text diff fixtures/diff/old.geojson fixtures/diff/new.geojson --areas fixtures/basic/areas.geojson
run validate-demo validate data/stations.geojson --format json
run demo-sites check --min-power-kw 480 -q --sites "$OUT/demo-sites.geojson" \
    --pool-m 200 --output-crs gcj02
run corridor corridor --network fixtures/corridor/equator.geojson \
    --stations fixtures/corridor/stations.geojson --spacing-km 60 --format json \
    --gaps "$OUT/corridor-gaps.geojson" --stations-out "$OUT/corridor-snapped.geojson" \
    --suggest-out "$OUT/corridor-suggested.geojson"
run corridor-3857 corridor --network fixtures/corridor/equator.geojson \
    --stations fixtures/corridor/stations.geojson --spacing-km 60 --output-crs EPSG:3857 \
    --gaps "$OUT/corridor-gaps-3857.geojson" --suggest-out "$OUT/corridor-suggested-3857.geojson"
run diff-changes diff fixtures/diff/old.geojson fixtures/diff/new.geojson \
    --areas fixtures/basic/areas.geojson --changes "$OUT/diff-changes.geojson"
run suggest suggest --min-power-kw 480 --cover-all --format json --out "$OUT/suggest.geojson"
for f in fixtures/bad/*; do
    b=$(basename "$f")
    case "$b" in README.md) continue ;; esac
    run "bad-stations-$b" check --stations "$f" --areas fixtures/basic/areas.geojson
    run "bad-areas-$b" check --areas "$f" --stations fixtures/basic/stations.geojson
    run "bad-validate-$b" validate "$f" --format json
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
