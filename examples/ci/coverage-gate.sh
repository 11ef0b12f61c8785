#!/usr/bin/env bash
# A coverage gate for a station snapshot, as a CI job runs it: validate
# the new snapshot, check the claim (HTML and JSON reports kept as
# artifacts), and compare with the previous snapshot. Fails (exit 1) when
# the snapshot has errors or any area lost coverage; a claim that fails
# but lost nothing passes the gate (the report says so).
#
# usage: coverage-gate.sh AREAS NEW [OLD]
#   env: MIN_POWER_KW (480), OUT (chargecov-out), FORMAT (github on
#        GitHub Actions, else text), CHARGECOV (chargecov on the PATH)
set -uo pipefail
AREAS=$1
NEW=$2
OLD=${3:-}
MIN_POWER_KW=${MIN_POWER_KW:-480}
OUT=${OUT:-chargecov-out}
CHARGECOV=${CHARGECOV:-chargecov}
if [ -z "${FORMAT:-}" ]; then
    if [ -n "${GITHUB_ACTIONS:-}" ]; then FORMAT=github; else FORMAT=text; fi
fi
mkdir -p "$OUT"
status=0

"$CHARGECOV" validate "$NEW" --areas "$AREAS" --format "$FORMAT" || status=1

"$CHARGECOV" check --areas "$AREAS" --stations "$NEW" --min-power-kw "$MIN_POWER_KW" \
    --html "$OUT/report.html" --report "$OUT/report.json" --format "$FORMAT"
check=$?
if [ "$check" -gt 1 ]; then exit "$check"; fi

if [ -n "$OLD" ]; then
    "$CHARGECOV" diff "$OLD" "$NEW" --areas "$AREAS" --min-power-kw "$MIN_POWER_KW" \
        --report "$OUT/diff.json" --format "$FORMAT"
    diff=$?
    if [ "$diff" -gt 1 ]; then exit "$diff"; fi
    [ "$diff" -eq 1 ] && status=1
fi
exit "$status"
