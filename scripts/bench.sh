#!/usr/bin/env bash
# Benchmarks against the peers, in one run (ratios: the machine is noisy).
#   scripts/bench.sh csv            CSV load: cnilua vs pandas.read_csv vs R read.csv
#   scripts/bench.sh peers [ARGS]   ../shared/bench/run-peers.sh with cnilua as peer
#                                   'ext' (ARGS passed on, e.g. -w "w1 w2 w4" -r 5)
#   scripts/bench.sh product        variant run, 5-variant comparison, LSOA map, Sobol
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
    BENCH_EXT_CMD="$CNI_ROOT/build/cnilua $CNI_ROOT/scripts/bench/ext.lua" PYTHON=$py "$CNI_SHARED/bench/run-peers.sh" "$@"
    ;;
  product)
    # the product-level targets: a variant run on the real wards, five
    # variants compared over 32,844 LSOAs with the report, the LSOA map,
    # the Sobol analysis over the LSOAs
    b="$CNI_ROOT/scripts/bench"
    out=${OUT:-$(mktemp -d)}
    cd "$CNI_ROOT"
    hyperfine -N -w 2 -r ${RUNS:-10} --export-markdown "$out/product.md" \
      -n "variant run, 7,433 wards (no maps)" "build/cnilua scripts/variants/lbn_15_15.lua --quiet --no-maps -o $out/v" \
      -n "variant run, 7,433 wards (with maps)" "build/cnilua scripts/variants/lbn_15_15.lua --quiet -o $out/vm" \
      -n "compare 5 variants, 32,844 LSOAs, report" "build/cnilua compare $b/imd/base.lua $b/imd/equal_weights.lua $b/imd/normal.lua $b/imd/borda.lua $b/imd/no_crime.lua $b/imd/top15.lua --quiet -o $out/c" \
      -n "map of 32,844 LSOAs (load, render, write)" "build/cnilua $b/map_bench.lua $CNI_SHARED/data/real $out/map.svg 1"
    build/cnilua "$b/sobol_lsoa.lua"
    ;;
  *) echo "bench.sh: unknown benchmark '$what' (csv, peers, product)" >&2; exit 2 ;;
esac
