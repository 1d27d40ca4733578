#!/bin/sh
# Large input (nightly-style: scripts/test.sh --large): a 1,000,000-row,
# 30-column CSV loads, builds an index and writes its results within 3x the
# memory of the loaded table; a 2 GB file is refused with a clear message.
# usage: run.sh CNILUA ROOT [ROWS]
set -u
bin=$1 root=$(cd "$2" && pwd) rows=${3:-1000000}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
"$bin" "$root/tests/large/gen.lua" "$tmp/large.csv" "$rows" || { echo "FAIL: generation"; exit 1; }
echo "generated $(du -h "$tmp/large.csv" | cut -f1) ($rows rows x 30 columns)"
# memory of the loaded table: RSS after loading minus RSS of an empty run
rss() { /usr/bin/time -f "%M" -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" && cat "$tmp/rss"; }
base=$(rss "$bin" -e "local x = 1")
# resident memory once loaded (the table), and the peak while loading
vmrss='local f = io.open("/proc/self/status"); local s = f:read("a"); f:close(); return tonumber(s:match("VmRSS:%s*(%d+)"))'
after=$("$bin" -e "local t = cni.read_csv('$tmp/large.csv'); collectgarbage(); local r = (function() $vmrss end)(); print(r)")
loaded=$(rss "$bin" -e "local t = cni.read_csv('$tmp/large.csv')")
table_kb=$((after - base))
echo "loaded table: ${table_kb} kB resident; peak while loading $((loaded - base)) kB ($(( (loaded - base) * 100 / table_kb ))% of the table)"
[ $((loaded - base)) -le $((3 * table_kb)) ] && ok "peak while loading <= 3 x the table" || bad "peak while loading > 3 x the table"
cd "$tmp" || exit 1
run_kb=$(CNI_LARGE_CSV="$tmp/large.csv" rss "$bin" "$root/tests/large/spec.lua" --quiet -o "$tmp/out")
if [ -z "$run_kb" ]; then bad "the run failed: $(cat "$tmp/err")"; else
  echo "load + build + write: peak RSS ${run_kb} kB"
  limit=$((base + 3 * table_kb))
  if [ "$run_kb" -le "$limit" ]; then ok "peak RSS $run_kb kB <= empty run + 3 x table = $limit kB"
  else bad "peak RSS $run_kb kB > empty run + 3 x table = $limit kB"; fi
  n=$(($(wc -l < "$tmp/out/results.csv") - 1))
  [ "$n" = "$rows" ] && ok "results.csv has $n rows" || bad "results.csv has $n rows"
fi
truncate -s 2200000000 "$tmp/huge.csv"
if "$bin" -e "cni.read_csv('$tmp/huge.csv')" 2>"$tmp/err"; then bad "a 2.2 GB file was accepted"
elif grep -q "over the limit" "$tmp/err"; then ok "2.2 GB file refused: $(cat "$tmp/err")"
else bad "unexpected error: $(cat "$tmp/err")"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
