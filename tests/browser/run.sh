#!/bin/sh
# Browser test of the comparison report: builds the real-data comparison
# (LBN 2019 against three consultation variants) into BUILD/browser, opens
# report.html in Debian's chromium (headless, driven by check.mjs over the
# DevTools pipe) and checks: no console errors, no network, the flagged
# counts and Jaccard values of compare.json in the page, the charts, the
# sortable tables; saves BUILD/browser/report.png. Also checks that two runs
# give a byte-identical report.
#
#   sh tests/browser/run.sh BUILD [ROOT]
#
# Skips (exit 77, saying why) without chromium, node or the real data
# (../shared/data/real, or $CNI_SHARED/data/real). CNI_UPDATE_DOCS=1 also
# writes docs/img/compare-report.png (the tutorial's screenshot).
set -u
BUILD=${1:?usage: run.sh BUILD [ROOT]}
ROOT=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "$BUILD" && pwd)
CNILUA=$BUILD/cnilua
SHARED=${CNI_SHARED:-$ROOT/../shared}
REAL=$SHARED/data/real

skip() { echo "SKIPPED: browser_report: $*"; exit 77; }
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || skip "chromium is not installed (scripts/test.sh installs Debian's chromium)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -d "$REAL" ] || skip "no real data at $REAL"
[ -x "$CNILUA" ] || { echo "run.sh: no $CNILUA (build first)"; exit 1; }

OUT=$BUILD/browser
rm -rf "$OUT"
mkdir -p "$OUT"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
notok() { failed=$((failed + 1)); echo "not ok - $*"; }

cd "$ROOT" || exit 1
compare() {  # compare DIR: the comparison of the tutorial (docs/compare.md)
  "$CNILUA" compare scripts/real/lbn2019.lua scripts/variants/normal_scores.lua \
    scripts/variants/borda.lua scripts/variants/lbn_15_15.lua --data "$REAL" -o "$1" -q
}
if compare "$OUT/compare" 2>"$OUT/compare.err" && [ -f "$OUT/compare/report.html" ]; then
  ok "cnilua compare wrote $OUT/compare/report.html ($(wc -c <"$OUT/compare/report.html") bytes)"
else
  notok "cnilua compare failed: $(cat "$OUT/compare.err")"
  echo "$passed passed, $failed failed"
  exit 1
fi
compare "$OUT/compare2" 2>/dev/null
if cmp -s "$OUT/compare/report.html" "$OUT/compare2/report.html"; then
  ok "two runs give a byte-identical report"
else
  notok "two runs give different reports (diff $OUT/compare/report.html $OUT/compare2/report.html)"
fi

DOCS=""
[ "${CNI_UPDATE_DOCS:-0}" = 1 ] && DOCS="--docs-png $ROOT/docs/img/compare-report.png" && mkdir -p "$ROOT/docs/img"
# shellcheck disable=SC2086
node "$ROOT/tests/browser/check.mjs" --html "$OUT/compare/report.html" --json "$OUT/compare/compare.json" \
  --png "$OUT/report.png" --chromium "$CHROMIUM" $DOCS >"$OUT/check.log" 2>&1
rc=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$OUT/check.log"
line=$(grep '^[0-9]* passed, [0-9]* failed$' "$OUT/check.log" | tail -n 1)
if [ -n "$line" ]; then
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
fi
[ $rc -ne 0 ] && [ -z "$line" ] && notok "check.mjs exited with $rc"
[ $rc -ne 0 ] && [ "$failed" -eq 0 ] && notok "check.mjs exited with $rc"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
