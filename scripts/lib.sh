# scripts/lib.sh: shared set-up for demo.sh, test.sh and bench.sh (sourced).
# Installs missing Debian packages (as root), configures and builds.

CNI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CNI_SHARED=${CNI_SHARED:-$CNI_ROOT/../shared}

# Packages needed to build and run cnilua.
CNI_BUILD_PKGS="build-essential cmake pkg-config liblua5.4-dev lua5.4 libcsv-dev libcjson-dev"

cni_log() { printf '== %s\n' "$*" >&2; }

# cni_ensure_pkgs PKG...: installs the packages that are missing.
cni_ensure_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  cni_log "installing ${missing[*]}"
  if [ -z "${CNI_APT_UPDATED:-}" ]; then
    apt-get update -qq >&2 || true
    CNI_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# cni_build DIR [cmake args...]: configure (once) and build.
cni_build() {
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$CNI_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)" >&2
}
