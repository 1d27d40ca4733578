#!/bin/sh
# Builds and runs the libFuzzer harnesses of the C core.
#
#   sh tests/fuzz/run.sh SECONDS [harness...]
#
# harness: csv, json (or fuzz_csv, fuzz_json, fuzz_csv.c ...); default: all
# tests/fuzz/fuzz_*.c. Each harness is built with clang (ASan + UBSan +
# libFuzzer) into build-fuzz/, first run once over its reproducers in
# tests/fuzz/regress/ (files named <harness>-*), then fuzzed for SECONDS
# seconds on a temporary copy of tests/fuzz/corpus/<harness>/ (the repository
# is never modified). Crash artifacts go to build-fuzz/artifacts/, full logs to
# build-fuzz/logs/. Prints one summary line per harness and
# "N passed, N failed"; exits non-zero if any harness failed (a finding, or a
# build failure).
#
# A harness may name extra build arguments in a line "FUZZ_EXTRA: ..." of its
# header comment (word-split and globbed in the repository root, e.g.
# "FUZZ_EXTRA: src/lcni_*.c -I/usr/include/lua5.4 -llua5.4"); every harness
# is compiled with -DCNI_ROOT="<repository root>".
#
# Environment: CC (default clang), FUZZ_FLAGS (extra libFuzzer flags),
# CJSON_SRC / CSV_SRC: paths to cJSON.c / libcsv.c (e.g. from
# 'apt-get source cjson libcsv'). When given, the library is compiled into the
# harness with the same instrumentation instead of linking the system
# -lcjson / -lcsv, so libFuzzer sees coverage inside the parser (the system
# libraries are not instrumented: without them fuzz_json is nearly blind).
set -u

usage() { echo "usage: sh tests/fuzz/run.sh SECONDS [harness...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in ''|*[!0-9]*) usage ;; esac
[ "$secs" -ge 1 ] || { echo "run.sh: SECONDS must be at least 1" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build-fuzz
cc=${CC:-clang}
command -v "$cc" >/dev/null 2>&1 || {
  echo "run.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

if [ $# -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do
    n=${f##*/fuzz_}
    set -- "$@" "${n%.c}"
  done
fi

mkdir -p "$out/artifacts" "$out/logs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cnifuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
for h in "$@"; do
  h=${h%.c}
  h=${h#fuzz_}
  src=$here/fuzz_$h.c
  bin=$out/fuzz_$h
  log=$out/logs/fuzz_$h.log
  if [ ! -f "$src" ]; then
    echo "fuzz_$h: FAIL (no such harness: $src)"
    failed=$((failed + 1))
    continue
  fi
  # build (libraries from source when CJSON_SRC / CSV_SRC name them)
  libcjson=-lcjson
  libcsv=-lcsv
  libnote=""
  if [ -n "${CJSON_SRC:-}" ]; then libcjson=$CJSON_SRC; libnote="$libnote, cJSON from source"; fi
  if [ -n "${CSV_SRC:-}" ]; then libcsv=$CSV_SRC; libnote="$libnote, libcsv from source"; fi
  extra=$(sed -n 's/^.*FUZZ_EXTRA:[[:space:]]*//p' "$src" | head -n 1)
  # shellcheck disable=SC2086
  if ! (cd "$root" && "$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
          -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
          -DCNI_ROOT="\"$root\"" -Isrc -I/usr/include/cjson src/cni_*.c "$src" \
          $extra "$libcsv" "$libcjson" -lm -lpthread -o "$bin") >"$log" 2>&1; then
    echo "fuzz_$h: FAIL (build failed, see $log)"
    tail -n 20 "$log"
    failed=$((failed + 1))
    continue
  fi
  # reproducers of fixed bugs: each must now run cleanly
  nreg=0
  for r in "$here"/regress/"$h"-*; do
    [ -f "$r" ] || continue
    nreg=$((nreg + 1))
  done
  if [ "$nreg" -gt 0 ]; then
    if ! "$bin" -timeout=10 -rss_limit_mb=2048 "$here"/regress/"$h"-* >>"$log" 2>&1; then
      echo "fuzz_$h: FAIL (a regression reproducer crashed, see $log)"
      grep -E 'ERROR|property violated|Running:' "$log" | tail -n 5
      failed=$((failed + 1))
      continue
    fi
  fi
  # fuzz on a copy of the committed corpus
  corpus=$tmp/corpus_$h
  mkdir -p "$corpus"
  if [ -d "$here/corpus/$h" ]; then cp -R "$here/corpus/$h/." "$corpus/"; fi
  nstart=$(find "$corpus" -type f | wc -l)
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/artifacts/fuzz_$h-" -print_final_stats=1 \
    ${FUZZ_FLAGS:-} "$corpus" >>"$log" 2>&1
  rc=$?
  nend=$(find "$corpus" -type f | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  covline=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1)
  cov=$(echo "$covline" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$covline" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  info="max ${secs}s, ${execs:-?} execs, cov ${cov:-?} ft ${ft:-?}, corpus $nstart -> $nend, $nreg regress$libnote"
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$h: PASS ($info)"
    passed=$((passed + 1))
  else
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz_$h: FAIL (exit $rc; $info; artifact ${art:-none}; log $log)"
    grep -E 'ERROR: |property violated|SUMMARY' "$log" | tail -n 5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
