# shellcheck shell=bash disable=SC2034
#
# Debian package lists for building, testing and benchmarking hearth, and a
# function that installs the missing ones.  Sourced by tools/run.sh,
# tools/test.sh and bench/dns-bench.sh so the three agree on what "the build
# dependencies" are.  It does not build anything, and it never runs apt-get
# when everything is already installed: repeat runs stay fast and work
# without network access or root.
#
# Set HEARTH_NO_APT=1 to skip the check entirely (e.g. on a non-Debian
# system where you installed the equivalents yourself).

# What `meson setup && ninja` needs.  libc6-dev is listed because gcc only
# recommends it and we install without recommends.
HEARTH_DEPS_BUILD=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libsystemd-dev libnl-3-dev libnl-route-3-dev libcap-ng-dev
  gettext
)

# tools/run.sh: the build, plus dig so the line the README shows works.
HEARTH_DEPS_RUN=(
  "${HEARTH_DEPS_BUILD[@]}"
  dnsutils
)

# tools/test.sh: the build, clang and its runtime for the libFuzzer and
# sanitizer trees (llvm-14 for llvm-symbolizer, so reports have file:line),
# the peers the behaviour tests drive (dig, kdig, the reference dnsmasq,
# Debian's own python3 with dnspython), iproute2 for network namespaces,
# systemd for systemd.pc and busctl, dbus for a private bus, python3-gi for
# the D-Bus tests, and the three DHCP clients the DHCP tests run in network
# namespaces (ISC dhclient, dhcpcd, busybox udhcpc), and libfaketime to jump
# the daemon's wall clock in the clock-jump test.
HEARTH_DEPS_TEST=(
  "${HEARTH_DEPS_BUILD[@]}"
  clang libclang-rt-14-dev llvm-14
  python3 python3-dnspython python3-gi dnsutils knot-dnsutils dnsmasq-base
  iproute2 systemd dbus
  isc-dhcp-client dhcpcd-base udhcpc busybox faketime
)

# bench/dns-bench.sh: the build, the load generator, a fast upstream, the
# reference dnsmasq, dig to wait for readiness and taskset for pinning.
# bench/dhcp-bench.sh adds perfdhcp (kea-admin) and kea-dhcp4 to compare.
HEARTH_DEPS_BENCH=(
  "${HEARTH_DEPS_BUILD[@]}"
  dnsperf nsd dnsmasq-base dnsutils util-linux
  kea-admin kea-dhcp4-server iproute2
)

# hearth_deps_missing PKG...: print the packages that are not installed.
hearth_deps_missing() {
  local pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    # "ii " is installed and configured; anything else (absent, half
    # installed, config-files only) needs apt-get.
    if [[ "$status" != ii* ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

# hearth_deps_install PKG...: install whatever of PKG... is missing.
hearth_deps_install() {
  if [[ "${HEARTH_NO_APT:-0}" == 1 ]]; then
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: dpkg-query not found; this is not a Debian system." >&2
    echo "deps: install the equivalents of: $*" >&2
    echo "deps: then re-run with HEARTH_NO_APT=1" >&2
    return 1
  fi

  local -a missing
  mapfile -t missing < <(hearth_deps_missing "$@")
  if ((${#missing[@]} == 0)); then
    return 0
  fi

  local -a sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "deps: missing packages: ${missing[*]}" >&2
      echo "deps: run as root, or install them and re-run" >&2
      return 1
    fi
  fi

  echo "deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}
