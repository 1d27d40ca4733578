#!/usr/bin/env bash
# The main job on the embedded default data: installs what is missing
# (Debian packages, as root), builds, runs the baseline and prints the result.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cni_ensure_pkgs $CNI_BUILD_PKGS
cni_build "$CNI_ROOT/build"
cd "$CNI_ROOT"
# the 2019 left-behind baseline on the synthetic data: summary, profile of
# the flagged wards, output folder with results, charts and maps
exec build/cnilua scripts/cni2019.lua -o out/demo "$@"
