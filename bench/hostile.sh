#!/usr/bin/env bash
# The adversarial cases of issue 21 that used to take seconds to minutes,
# timed: each should take well under 2 s. Prints wall time and peak memory
# per case (/usr/bin/time); run on a release build.
#
# usage: bench/hostile.sh [DIR]   (scratch files go to DIR, default a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/chargecov
DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR"
python3 - "$DIR" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(1)
with open(f"{d}/pile.csv", "w") as f:   # 100,000 stations at one point
    f.write("id,lon,lat,power_kw\n")
    for i in range(100000):
        f.write(f"s{i},0.5,0.2,150\n")
with open(f"{d}/near400.csv", "w") as f:   # 400 stations within 3 m
    f.write("lon,lat,power_kw\n")
    for i in range(400):
        f.write(f"{0.5 + random.uniform(-1.3e-5, 1.3e-5)},{random.uniform(-1.3e-5, 1.3e-5)},150\n")
with open(f"{d}/near.csv", "w") as f:   # 5,000 stations within 3 m
    f.write("lon,lat,power_kw\n")
    for i in range(5000):
        f.write(f"{0.5 + random.uniform(-1.5e-5, 1.5e-5)},{0.2 + random.uniform(-1.5e-5, 1.5e-5)},150\n")
with open(f"{d}/old.csv", "w") as f, open(f"{d}/new.csv", "w") as g:   # diff: 5,000 id-less stations within 3 m, twice
    for h in (f, g):
        h.write("lon,lat,power_kw\n")
        for i in range(5000):
            h.write(f"{0.5 + random.uniform(-1.5e-5, 1.5e-5)},{0.2 + random.uniform(-1.5e-5, 1.5e-5)},150\n")
import json, math
def ring(cx, cy, r, n):
    pts = [[round(cx + r * math.cos(2 * math.pi * k / n), 7), round(cy + r * math.sin(2 * math.pi * k / n), 7)] for k in range(n)]
    return pts + [pts[0]]
# 200 areas of 500 vertices in a 20 x 10 degree block, far from a cluster of
# 4,000 stations within about 1 km
feats = [{"type": "Feature", "properties": {"id": f"a{i}"},
          "geometry": {"type": "Polygon", "coordinates": [ring(0.5 + (i % 20), 40.5 + i // 20, 0.45, 500)]}}
         for i in range(200)]
json.dump({"type": "FeatureCollection", "features": feats}, open(f"{d}/far_areas.geojson", "w"))
with open(f"{d}/cluster.csv", "w") as f:
    f.write("lon,lat,power_kw\n")
    for i in range(4000):
        f.write(f"{30 + random.uniform(-0.006, 0.006)},{20 + random.uniform(-0.005, 0.005)},150\n")
# one polygon of 1,000,000 vertices (a circle of radius 1 degree), one
# station 1,000 km east of its edge
feats = [{"type": "Feature", "properties": {"id": "big"},
          "geometry": {"type": "Polygon", "coordinates": [ring(10, 50, 1.0, 1000000)]}}]
json.dump({"type": "FeatureCollection", "features": feats}, open(f"{d}/million.geojson", "w"))
with open(f"{d}/one_far.csv", "w") as f:
    f.write("lon,lat,power_kw\n24,50,150\n")
PY
run() {
    local name=$1; shift
    /usr/bin/time -f "$name: %e s wall, %M KB peak" "$BIN" "$@" >/dev/null 2>"$DIR/err" || true
    tail -1 "$DIR/err"
}
run "check, 100,000 stations at one point" check --areas fixtures/basic/areas.geojson --stations "$DIR/pile.csv" -q
run "validate, 100,000 stations at one point" validate "$DIR/pile.csv"
run "validate, 5,000 stations within 3 m" validate "$DIR/near.csv"
run "check, 5,000 stations within 3 m" check --areas fixtures/basic/areas.geojson --stations "$DIR/near.csv" -q
run "check --radius-km 2,5,10, 400 stations within 3 m" check --areas fixtures/basic/areas.geojson --stations "$DIR/near400.csv" --radius-km 2,5,10 -q
run "diff, 5,000 id-less stations within 3 m in both snapshots" diff "$DIR/old.csv" "$DIR/new.csv" --areas fixtures/basic/areas.geojson
run "check, 200 areas far from 4,000 stations within 1 km" check --areas "$DIR/far_areas.geojson" --stations "$DIR/cluster.csv" -q
run "check, a 1,000,000-vertex polygon 1,000 km from its station" check --areas "$DIR/million.geojson" --stations "$DIR/one_far.csv" -q
