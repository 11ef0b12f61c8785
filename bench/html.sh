#!/usr/bin/env bash
# The HTML report at scale (issue 20): 10,000 areas and 500,000 stations
# (AREAS=/STATIONS= change it) from `chargecov generate`, `check --html`,
# then the page's size and how long headless Chromium takes to open it:
# the wall time of `chromium --headless --screenshot` on the report less
# the same on an empty page (the browser's own start), median of RUNS
# alternating runs. Also the demo's page, for scale.
#
# usage: bench/html.sh [DIR] [RUNS]   (defaults /tmp/chargecov-html, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/chargecov-html}
RUNS=${2:-5}
AREAS=${AREAS:-10000}
STATIONS=${STATIONS:-500000}
BROWSER=${CHROMIUM:-chromium}
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
mkdir -p "$DIR"
if [ ! -f "$DIR/data/stations.geojson" ]; then
    "$BIN" generate --areas "$AREAS" --stations "$STATIONS" --out "$DIR/data" -q
fi
/usr/bin/time -f "check --html: %e s wall, %M KB peak" "$BIN" check \
    --areas "$DIR/data/areas.geojson" --stations "$DIR/data/stations.geojson" \
    --min-power-kw 120 -q --html "$DIR/report.html" >/dev/null || true
"$BIN" check --min-power-kw 480 -q --html "$DIR/demo.html" >/dev/null || true
echo '<!DOCTYPE html><html><body></body></html>' >"$DIR/empty.html"
ls -l "$DIR/report.html" "$DIR/demo.html" | awk '{ printf "%12d bytes (%.1f MB) %s\n", $5, $5 / 1e6, $9 }'

open_s() {
    local page=$1 profile
    profile=$(mktemp -d)
    local start end
    start=$(date +%s.%N)
    "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --window-size=1280,1000 --user-data-dir="$profile" \
        --screenshot="$profile/shot.png" "file://$page" >/dev/null 2>&1
    end=$(date +%s.%N)
    rm -rf "$profile"
    echo "$end - $start" | bc
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: >"$DIR/empty.t"; : >"$DIR/report.t"; : >"$DIR/demo.t"
for run in $(seq 1 "$RUNS"); do
    open_s "$DIR/empty.html" >>"$DIR/empty.t"
    open_s "$DIR/report.html" >>"$DIR/report.t"
    open_s "$DIR/demo.html" >>"$DIR/demo.t"
done
e=$(median <"$DIR/empty.t"); r=$(median <"$DIR/report.t"); d=$(median <"$DIR/demo.t")
printf 'chromium --screenshot, median of %s: empty page %.2f s, %s areas / %s stations %.2f s (page %.2f s), demo %.2f s (page %.2f s)\n' \
    "$RUNS" "$e" "$AREAS" "$STATIONS" "$r" "$(echo "$r - $e" | bc)" "$d" "$(echo "$d - $e" | bc)"
