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
