#!/usr/bin/env bash
# The main job on the embedded default data: installs what is missing
# (Debian packages, as root), builds, runs the baseline and prints the result.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cni_ensure_pkgs $CNI_BUILD_PKGS
cni_build "$CNI_ROOT/build"
cd "$CNI_ROOT"
exec build/cnilua scripts/demo.lua "$@"
