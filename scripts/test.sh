#!/usr/bin/env bash
# Builds and runs every test: C unit tests, busted specs, command-line cases,
# real-data checks (skipped, saying so, without ../shared/data/real).
#   scripts/test.sh              normal build + tests, then the
#                                AddressSanitizer+UBSan build + tests
#   scripts/test.sh --quick      normal build + tests only
#   scripts/test.sh --sanitize   sanitizer build + tests only
#   scripts/test.sh --valgrind   also the CLI cases under valgrind memcheck
#   scripts/test.sh --fuzz SECS  also a libFuzzer smoke run (SECS per harness)
#   scripts/test.sh --large      also the large-input test (1,000,000 x 30 CSV)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

normal=1 sanitize=1 valgrind=0 fuzz=0 large=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) sanitize=0 ;;
    --sanitize) normal=0 ;;
    --valgrind) valgrind=1 ;;
    --large) large=1 ;;
    --fuzz) fuzz=${2:?--fuzz needs seconds}; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

pkgs="$CNI_BUILD_PKGS lua-busted chromium nodejs fonts-dejavu-core"
[ "$valgrind" = 1 ] && pkgs="$pkgs valgrind"
[ "$large" = 1 ] && pkgs="$pkgs time"
[ "$fuzz" != 0 ] && pkgs="$pkgs clang libclang-rt-14-dev"
cni_ensure_pkgs $pkgs locales
# a comma-decimal locale for the locale-independence tests
if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf-\?8$'; then
  if [ "$(id -u)" -eq 0 ]; then
    sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
    grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
    locale-gen >/dev/null 2>&1 || cni_log "locale-gen failed"
  fi
fi

if [ -d "$CNI_SHARED/data/real" ]; then
  cni_log "real data: $CNI_SHARED/data/real (real-data tests will run)"
else
  cni_log "real data: $CNI_SHARED/data/real not found: real-data tests will be SKIPPED"
fi

status=0
run_suite() {  # run_suite BUILD_DIR LABEL [cmake args]
  local dir=$1 label=$2; shift 2
  cni_log "build ($label): $dir"
  cni_build "$dir" -DCNI_WERROR=ON "$@"
  cni_log "tests ($label)"
  if ! (cd "$dir" && ctest --output-on-failure -j 2); then status=1; fi
}

if [ "$normal" = 1 ]; then run_suite "$CNI_ROOT/build" normal; fi
if [ "$sanitize" = 1 ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite "$CNI_ROOT/build-asan" "ASan+UBSan" -DCNI_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi
if [ "$valgrind" = 1 ]; then
  cni_build "$CNI_ROOT/build"
  cni_log "CLI cases under valgrind memcheck"
  CNI_VALGRIND=1 sh "$CNI_ROOT/tests/cli/run.sh" "$CNI_ROOT/build/cnilua" "$CNI_ROOT" || status=1
fi
if [ "$large" = 1 ]; then
  cni_build "$CNI_ROOT/build"
  cni_log "large input (1,000,000 rows x 30 columns)"
  sh "$CNI_ROOT/tests/large/run.sh" "$CNI_ROOT/build/cnilua" "$CNI_ROOT" || status=1
fi
if [ "$fuzz" != 0 ]; then
  cni_log "fuzz smoke run: $fuzz s per harness"
  sh "$CNI_ROOT/tests/fuzz/run.sh" "$fuzz" || status=1
fi
if [ $status -ne 0 ]; then cni_log "FAILED"; else cni_log "all tests passed"; fi
exit $status
