#!/bin/sh
# Command-line cases: every tests/cli/cases/*.sh is run by sh in a fresh
# temporary folder with CNILUA (the binary, or valgrind + binary when
# CNI_VALGRIND=1), ROOT (the repository) and FX (tests/fixtures) set.
# Header lines of a case:
#   # exit: N          expected exit status (required)
#   # stderr: TEXT     TEXT must occur in standard error (any number)
#   # stdout: TEXT     TEXT must occur in standard output (any number)
#   # no-stderr        standard error must be empty
# usage: run.sh CNILUA ROOT [case-name-substring]
set -u
bin=$1 root=$(cd "$2" && pwd) only=${3:-}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
LC_ALL=C
export LC_ALL
pass=0 fail=0 skipped=0
if [ "${CNI_VALGRIND:-0}" = 1 ]; then
  # a wrapper, so that cases can quote "$CNILUA" as one command
  wrap=$(mktemp -d)/cnilua
  printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect "%s" "$@"\n' "$bin" > "$wrap"
  chmod +x "$wrap"
  CNILUA=$wrap
else
  CNILUA=$bin
fi
ROOT=$root
FX=$root/tests/fixtures
export CNILUA ROOT FX
for case in "$root"/tests/cli/cases/*.sh; do
  name=$(basename "$case" .sh)
  case $name in *"$only"*) ;; *) continue ;; esac
  if [ "${CNI_VALGRIND:-0}" = 1 ] && grep -q '^# no-valgrind' "$case"; then
    skipped=$((skipped + 1)); echo "skip (timing-dependent under valgrind): $name"; continue
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && sh "$case" >"$tmp/.out" 2>"$tmp/.err" </dev/null)
  code=$?
  ok=1 why=""
  want=$(sed -n 's/^# exit: *//p' "$case")
  [ "$code" = "$want" ] || { ok=0; why="exit $code, expected $want"; }
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    grep -qF -- "$line" "$tmp/.err" || { ok=0; why="$why; stderr lacks: $line"; }
  done <<EOT
$(sed -n 's/^# stderr: *//p' "$case")
EOT
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    grep -qF -- "$line" "$tmp/.out" || { ok=0; why="$why; stdout lacks: $line"; }
  done <<EOT
$(sed -n 's/^# stdout: *//p' "$case")
EOT
  if grep -q '^# no-stderr' "$case" && [ -s "$tmp/.err" ]; then ok=0; why="$why; stderr not empty"; fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: $why"
    echo "  --- stderr:"; sed 's/^/  /' "$tmp/.err" | head -20
    echo "  --- stdout:"; sed 's/^/  /' "$tmp/.out" | head -10
  fi
  rm -rf "$tmp"
done
if [ $skipped -gt 0 ]; then echo "$pass passed, $fail failed, $skipped skipped"; else echo "$pass passed, $fail failed"; fi
[ $fail -eq 0 ]
