#!/bin/bash
# Interfaces that come and go, hearthd against dnsmasq in the same run (see
# iface_bench.py): how fast a new address is served under --bind-dynamic,
# whether descriptors leak over many cycles, the CPU the cycles cost, and
# queries per second with the per-query interface check.  Needs root (it
# creates network namespaces of its own and sends nothing outside them).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_BUILD[@]}" dnsperf dnsmasq-base iproute2
if [[ -z "${HEARTHD:-}" ]]; then
  [[ -f build-bench/build.ninja ]] || meson setup build-bench --buildtype=release >/dev/null
  ninja -C build-bench src/daemon/hearthd >/dev/null
  HEARTHD=build-bench/src/daemon/hearthd
fi
exec /usr/bin/python3 bench/iface_bench.py "$HEARTHD" /usr/sbin/dnsmasq
