#!/usr/bin/env bash
#
# D-Bus reconfiguration benchmark: hearthd against dnsmasq in the same run,
# both driven through dnsmasq's interface as NetworkManager drives it (see
# bench/dbus_bench.py for what is measured).  Builds hearthd first.
#
#   bench/dbus-bench.sh            # CALLS=300 NAMES=500
#   CALLS=1000 bench/dbus-bench.sh

set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_BUILD[@]}" dnsmasq-base dbus python3-gi python3-dnspython

[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build src/daemon/hearthd >/dev/null
exec /usr/bin/python3 bench/dbus_bench.py build/src/daemon/hearthd
