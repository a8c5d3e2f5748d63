#!/bin/bash
# DHCPv4 DORA exchanges per second and latency at 1,000, 10,000 and 50,000
# existing leases, hearthd against dnsmasq and kea-dhcp4 in the same run,
# measured with perfdhcp (see dhcp_bench.py for the method).  Needs root: the
# servers and perfdhcp run only inside network namespaces of the benchmark's
# own, joined by a veth pair; nothing is sent on a real interface.  Every
# run is bounded in time; the whole benchmark takes about 7 minutes
# (`--quick`: 1,000 leases only, short runs, under a minute).
#
# Settings (environment): HEARTHD (a hearthd binary instead of building
# build-bench/), BENCH_SIZES, BENCH_SERVERS, BENCH_SECONDS,
# BENCH_STEP_SECONDS, BENCH_MAX_RATE, BENCH_LIGHT_RATE, BENCH_PREFILL,
# BENCH_LOG, BENCH_RESULTS, BENCH_DEADLINE, BENCH_SERVER_CPU, BENCH_CLIENT_CPU,
# BENCH_SYNC_DELAY_MS.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_BENCH[@]}"
if [[ -z "${HEARTHD:-}" ]]; then
  [[ -f build-bench/build.ninja ]] || meson setup build-bench --buildtype=release >/dev/null
  ninja -C build-bench src/daemon/hearthd >/dev/null
  HEARTHD=build-bench/src/daemon/hearthd
fi
# BENCH_SYNC_DELAY_MS=N: every fsync/fdatasync of the servers takes N ms
# more (bench/slow-sync.c, preloaded), as on a busy disk.
if [[ -n "${BENCH_SYNC_DELAY_MS:-}" ]]; then
  BENCH_SYNC_PRELOAD="$(mktemp -d)/slow-sync.so"
  cc -shared -fPIC -O2 -o "$BENCH_SYNC_PRELOAD" bench/slow-sync.c -ldl
  export BENCH_SYNC_DELAY_MS BENCH_SYNC_PRELOAD
fi
exec timeout --signal=TERM --kill-after=30 "${BENCH_DEADLINE_HARD:-1200}" \
  /usr/bin/python3 bench/dhcp_bench.py "$@" "$HEARTHD"
