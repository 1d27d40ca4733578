#!/usr/bin/env bash
# Benchmarks against the peers, in one run (ratios: the machine is noisy).
#   scripts/bench.sh csv            CSV load: cnilua vs pandas.read_csv vs R read.csv
#   scripts/bench.sh peers [ARGS]   ../shared/bench/run-peers.sh with cnilua as peer
#                                   'ext' (ARGS passed on, e.g. -w "w1 w2 w4" -r 5)
# Installs the peers' Debian packages (as root) and builds first.
# Results are printed; docs/performance.md records the figures.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
what=${1:-csv}; shift || true
cni_ensure_pkgs $CNI_BUILD_PKGS hyperfine time python3-numpy python3-pandas python3-scipy r-base-core r-cran-data.table
cni_build "$CNI_ROOT/build"
real="$CNI_SHARED/data/real"
[ -d "$real" ] || { echo "bench.sh: $real not found: the benchmarks need the real data" >&2; exit 2; }
py=/usr/bin/python3
case $what in
  csv)
    f="$real/imd2019_england_lsoa11_indicators.csv"
    b="$CNI_ROOT/scripts/bench"
    hyperfine -N -w 3 -r ${RUNS:-20} --export-markdown "${OUT:-/tmp}/cni-bench-csv.md" \
      -n cnilua "$CNI_ROOT/build/cnilua $b/csv_load.lua $f" \
      -n pandas "$py $b/csv_load.py $f" \
      -n "R read.csv" "Rscript $b/csv_load.R $f"
    ;;
  peers)
    BENCH_EXT_CMD="$CNI_ROOT/scripts/bench/ext.sh" PYTHON=$py "$CNI_SHARED/bench/run-peers.sh" "$@"
    ;;
  *) echo "bench.sh: unknown benchmark '$what' (csv, peers)" >&2; exit 2 ;;
esac
