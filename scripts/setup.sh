# Shared set-up for scripts/demo, scripts/test and scripts/bench (sourced).
#
# Installs the Debian packages tickgate needs when any is missing (as root,
# or through sudo; non-interactive), then configures the meson build
# directory once and builds incrementally.

set -euo pipefail

TICKGATE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TICKGATE_PACKAGES=(
  gcc g++ pkg-config meson ninja-build python3 python3-yaml
  verilator zlib1g-dev libpcap-dev libyaml-dev libcunit1-dev yosys tshark
)

tg_log() { printf '==> %s\n' "$*" >&2; }
tg_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

tg_install_packages() {
  local missing=() p
  for p in "${TICKGATE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || tg_die "missing packages: ${missing[*]} (run as root or install sudo)"
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null || tg_die "missing packages: ${missing[*]} (apt-get not found: install them by hand)"
  tg_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq </dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}" </dev/null >/dev/null
}

# tg_build DIR [meson setup options...]: configure DIR once, then build it.
tg_build() {
  local dir=$1; shift
  cd "$TICKGATE_ROOT"
  if [ ! -f "$dir/build.ninja" ]; then
    tg_log "configuring $dir"
    meson setup "$dir" "$@" >/dev/null
  fi
  tg_log "building $dir"
  ninja -C "$dir" >/dev/null || ninja -C "$dir"
}
