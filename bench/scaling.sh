#!/usr/bin/env bash
# Scaling of the end-to-end check (issue 8): the national benchmark at
# 0.25, 0.5, 1, 2 and 4 million stations (40,000 areas) and at 10,000,
# 20,000 and 40,000 areas (2 million stations), RUNS runs each (median).
# Data sets are generated once into $ROOT/a<areas>-s<stations>.
#
# usage: bench/scaling.sh [ROOT] [RUNS]   (defaults /tmp/chargecov-scaling, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-/tmp/chargecov-scaling}
RUNS=${2:-3}
run() {
    local areas=$1 stations=$2
    local line
    line=$(AREAS=$areas STATIONS=$stations bench/national.sh "$ROOT/a$areas-s$stations" "$RUNS" |
        grep '^median')
    printf '%6d areas %8d stations: %s\n' "$areas" "$stations" "${line#median of * }"
}
for stations in 250000 500000 1000000 2000000 4000000; do run 40000 "$stations"; done
for areas in 10000 20000; do run "$areas" 2000000; done
