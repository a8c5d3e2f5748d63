#!/usr/bin/env bash
#
# Quick start: install what the build needs (only if missing), build hearth
# into build/, and run hearthd in the foreground with data/hearth-dev.conf:
# DNS on 127.0.0.1 and ::1 port 5353, forwarding to the servers in
# /etc/resolv.conf, logging to the terminal.  Ctrl-C stops it.  Extra
# arguments are passed to hearthd (e.g. ./tools/run.sh --log-facility=-).
#
# It does not install anything system-wide besides Debian packages, and it
# does not touch port 53 or any running resolver.

set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_RUN[@]}"

if [[ ! -f build/build.ninja ]]; then
  meson setup build
fi
ninja -C build

conf="$PWD/data/hearth-dev.conf"

# A machine booted with IPv6 disabled has no ::1, and asking for a listener
# on an address that does not exist is a startup error.  Serve 127.0.0.1
# alone there rather than failing.
if ! grep -qs '^0\{31\}1 ' /proc/net/if_inet6; then
  echo "run: no ::1 on this machine, serving 127.0.0.1 only" >&2
  sed 's/^listen-address=.*/listen-address=127.0.0.1/' "$conf" > build/hearth-dev-ipv4.conf
  conf="$PWD/build/hearth-dev-ipv4.conf"
fi

echo "run: hearthd on 127.0.0.1 and ::1 port 5353; try: dig @127.0.0.1 -p 5353 example.com"
echo "run: Ctrl-C stops it"
exec build/src/daemon/hearthd --conf-file="$conf" "$@"
