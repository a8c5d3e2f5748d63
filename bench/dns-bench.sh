#!/usr/bin/env bash
#
# Benchmark: hearthd against Debian's dnsmasq, same machine, same run, same
# queries, measured with dnsperf.  A local nsd on 127.0.0.1#5300 serves the
# zone bench.test as a fast upstream.  Each server runs twice, with a cache
# of 30000 (hearthd 127.0.0.1#5301, dnsmasq #5302) and without one
# (cache-size=0: hearthd #5303, dnsmasq #5304), all pinned to one core and
# dnsperf to another.  Three phases, each giving queries per second and the
# server's CPU time per query:
#
#   cache-hit   100 names asked over and over, after one warm-up pass.
#   cache-miss  names never asked before (a wildcard in the zone answers
#               them), so every query is forwarded to nsd and its answer
#               goes into a cache that soon is full: this includes the cost
#               of evicting.  dnsmasq slows down a lot once its cache is
#               full (it warns about cache sizes above 10000).
#   no-cache    the same fresh names through the cache-less instances:
#               forwarding alone.
#
# It prints a table and the hearthd/dnsmasq ratios.  All traffic stays on
# 127.0.0.1, every load is bounded by time (-l), and on exit it stops only
# the processes it started.  It is not part of the test suite: the figures
# depend on the machine.  If hearthd cannot be built its half is skipped,
# so the dnsmasq half still runs.
#
# Settings (environment):
#   BENCH_SECONDS     length of each measured dnsperf run (10)
#   BENCH_ROUNDS      alternating rounds per phase; figures are averaged (1)
#   BENCH_ZONE_NAMES  A records in bench.test (20000)
#   BENCH_MISS_NAMES  fresh names per cache-miss run (1000000)
#   BENCH_CLIENT_CPU / BENCH_SERVER_CPU / BENCH_UPSTREAM_CPU  pinning
#   HEARTHD           hearthd binary to use instead of building build-bench/
#   BENCH_KEEP=1      keep the scratch directory (logs, zone, query files)

set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
root=$PWD

# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_BENCH[@]}"

seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-1}
zone_names=${BENCH_ZONE_NAMES:-20000}
miss_names=${BENCH_MISS_NAMES:-1000000}
hit_names=100

upstream_port=5300
hearthd_port=5301
dnsmasq_port=5302
hearthd_nocache_port=5303
dnsmasq_nocache_port=5304
cache_size=30000

# Core layout: the servers under test get a core of their own; dnsperf and
# nsd share the other one on a two-core machine.  Both servers see the same
# conditions, which is what the ratio needs.
ncpu=$(nproc)
if ((ncpu >= 3)); then
  default_upstream_cpu=2
else
  default_upstream_cpu=0
fi
if ((ncpu >= 2)); then
  default_server_cpu=1
else
  echo "bench: only one CPU: client and servers share it, figures are rough" >&2
  default_server_cpu=0
fi
client_cpu=${BENCH_CLIENT_CPU:-0}
server_cpu=${BENCH_SERVER_CPU:-$default_server_cpu}
upstream_cpu=${BENCH_UPSTREAM_CPU:-$default_upstream_cpu}
clk_tck=$(getconf CLK_TCK)

scratch=$(mktemp -d /tmp/hearth-bench.XXXXXX)
pids=()

cleanup() {
  local pid i
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    echo "bench: scratch files kept in $scratch"
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# hearthd: a release build of its own, so the debug build in build/ is not
# what gets measured.
hearthd=${HEARTHD:-}
if [[ -z "$hearthd" ]]; then
  hearthd="$root/build-bench/src/daemon/hearthd"
  echo "bench: building hearthd (release) in build-bench/"
  if [[ -f build-bench/build.ninja ]] ||
    meson setup build-bench --buildtype=release -Dtests=false -Dman=false \
      >"$scratch/meson-setup.log" 2>&1; then
    if ! ninja -C build-bench >"$scratch/ninja.log" 2>&1; then
      tail -n 20 "$scratch/ninja.log" >&2
      echo "bench: hearthd did not build" >&2
    fi
  else
    tail -n 20 "$scratch/meson-setup.log" >&2
    echo "bench: meson setup failed for build-bench/" >&2
  fi
fi
if [[ ! -x "$hearthd" ]]; then
  echo "bench: no hearthd binary at $hearthd: skipping the hearthd half" >&2
  hearthd=
fi

# ---------------------------------------------------------------------------
# The upstream zone: h1..hN with fixed addresses for the cache-hit names,
# and a wildcard under miss.bench.test so any fresh name has an answer.
# A long TTL keeps hit answers in the caches for the whole run.
echo "bench: generating bench.test ($zone_names names)"
awk -v n="$zone_names" 'BEGIN {
  print "$ORIGIN bench.test."
  print "$TTL 3600"
  print "@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 900 604800 3600"
  print "@ IN NS ns"
  print "ns IN A 127.0.0.1"
  for (i = 1; i <= n; i++)
    printf "h%d IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
  print "*.miss IN A 192.0.2.1"
}' >"$scratch/bench.test.zone"

# nsd runs as root in the foreground with every file it writes kept in the
# scratch directory; username "" stops it from switching user.
cat >"$scratch/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1
  port: $upstream_port
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$scratch"
  zonelistfile: "$scratch/zone.list"
  database: ""
  pidfile: "$scratch/nsd.pid"
  xfrdfile: "$scratch/xfrd.state"
  xfrdir: "$scratch"
  logfile: "$scratch/nsd.log"
  server-count: 1
  verbosity: 0
  hide-version: yes
  # Response rate limiting is on by default and would throttle a load that
  # comes from one address.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.test
  zonefile: bench.test.zone
EOF
nsd-checkconf "$scratch/nsd.conf"

awk -v n="$hit_names" 'BEGIN { for (i = 1; i <= n; i++) printf "h%d.bench.test A\n", i }' \
  >"$scratch/hit.queries"

# ---------------------------------------------------------------------------
# wait_dns PORT NAME: wait (at most 10 s) until PORT answers NAME.
wait_dns() {
  local port=$1 name=$2 i
  for ((i = 0; i < 100; i++)); do
    if [[ -n "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" "$name" A 2>/dev/null)" ]]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# start NAME CPU COMMAND...: start a server pinned to CPU, output to
# $scratch/NAME.log; sets $started_pid.
start() {
  local name=$1 cpu=$2
  shift 2
  taskset -c "$cpu" "$@" >"$scratch/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# cpu_ticks PID: user+system CPU time of PID so far, in clock ticks.
cpu_ticks() {
  # Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the
  # 13th.  comm may contain spaces, hence cutting at the last ')'.
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  awk '{ print $12 + $13 }' <<<"$stat"
}

echo "bench: starting nsd on 127.0.0.1#$upstream_port (cpu $upstream_cpu)"
start nsd "$upstream_cpu" nsd -d -c "$scratch/nsd.conf"
if ! wait_dns "$upstream_port" h1.bench.test; then
  cat "$scratch/nsd.log" >&2 || true
  echo "bench: nsd did not come up" >&2
  exit 1
fi

# start_hearthd NAME PORT CACHE-SIZE: start one hearthd instance; sets
# $started_pid, or clears it when the instance does not answer.
start_hearthd() {
  local name=$1 port=$2 cache=$3
  echo "bench: starting $name on 127.0.0.1#$port, cache-size=$cache (cpu $server_cpu)"
  start "$name" "$server_cpu" "$hearthd" -k --conf-file=/dev/null --no-resolv \
    --server=127.0.0.1#$upstream_port --port="$port" \
    --listen-address=127.0.0.1 --cache-size="$cache"
  if ! wait_dns "$port" h1.bench.test; then
    tail -n 20 "$scratch/$name.log" >&2 || true
    echo "bench: $name did not answer" >&2
    started_pid=
  fi
}

# start_dnsmasq NAME PORT CACHE-SIZE: the same for Debian's dnsmasq, which
# keeps root here (--user=root) and logs to a file instead of syslog.
# dnsmasq 2.90 takes cache sizes above the 10000 its manual mentions (it
# reports 30000 through cachesize.bind), with a warning about speed.
start_dnsmasq() {
  local name=$1 port=$2 cache=$3
  echo "bench: starting $name on 127.0.0.1#$port, cache-size=$cache (cpu $server_cpu)"
  start "$name" "$server_cpu" /usr/sbin/dnsmasq -k --conf-file=/dev/null --no-resolv \
    --server=127.0.0.1#$upstream_port --port="$port" \
    --listen-address=127.0.0.1 --bind-interfaces --cache-size="$cache" \
    --no-hosts --user=root --log-facility="$scratch/$name-daemon.log"
  if ! wait_dns "$port" h1.bench.test; then
    cat "$scratch/$name.log" "$scratch/$name-daemon.log" >&2 || true
    echo "bench: $name did not answer" >&2
    exit 1
  fi
}

# Two instances of each: one with the cache for the cache-hit and
# cache-miss phases, one without (cache-size=0) for pure forwarding.
cached=()
uncached=()
if [[ -n "$hearthd" ]]; then
  start_hearthd hearthd "$hearthd_port" "$cache_size"
  if [[ -n "$started_pid" ]]; then
    cached+=("hearthd:$hearthd_port:$started_pid")
    start_hearthd hearthd-nocache "$hearthd_nocache_port" 0
    if [[ -n "$started_pid" ]]; then
      uncached+=("hearthd:$hearthd_nocache_port:$started_pid")
    fi
  fi
  if ((${#cached[@]} == 0 || ${#uncached[@]} == 0)); then
    echo "bench: hearthd does not work: skipping its half" >&2
    cached=()
    uncached=()
  fi
fi
start_dnsmasq dnsmasq "$dnsmasq_port" "$cache_size"
cached+=("dnsmasq:$dnsmasq_port:$started_pid")
start_dnsmasq dnsmasq-nocache "$dnsmasq_nocache_port" 0
uncached+=("dnsmasq:$dnsmasq_nocache_port:$started_pid")

# ---------------------------------------------------------------------------
# run_dnsperf PORT FILE LOG EXTRA...: one dnsperf run from the client core.
run_dnsperf() {
  local port=$1 file=$2 log=$3
  shift 3
  timeout --kill-after=5 $((seconds + 60)) \
    taskset -c "$client_cpu" dnsperf -s 127.0.0.1 -p "$port" -d "$file" \
    -c 1 -q 100 -t 2 "$@" >"$log" 2>&1
}

# measure PHASE SERVER PORT PID FILE ROUND EXTRA...: a measured run of
# $seconds; appends "phase server round qps us_per_query completed lost
# noerror%" to results.
measure() {
  local phase=$1 server=$2 port=$3 pid=$4 file=$5 round=$6
  shift 6
  local log="$scratch/dnsperf-$phase-$server-$round.log"
  local before after

  before=$(cpu_ticks "$pid")
  if ! run_dnsperf "$port" "$file" "$log" -l "$seconds" "$@"; then
    cat "$log" >&2
    echo "bench: dnsperf failed against $server" >&2
    exit 1
  fi
  after=$(cpu_ticks "$pid")

  awk -v phase="$phase" -v server="$server" -v round="$round" \
    -v ticks=$((after - before)) -v hz="$clk_tck" '
    /Queries completed:/ { completed = $3 }
    /Queries lost:/      { lost = $3 }
    /Queries per second:/ { qps = $4 }
    # "Response codes:  NOERROR 801 (1.19%), REFUSED ..."
    /Response codes:/ { for (i = 1; i < NF; i++) if ($i == "NOERROR") { noerr = $(i + 2); gsub(/[()%,]/, "", noerr) } }
    END {
      us = completed > 0 ? ticks / hz * 1e6 / completed : 0
      printf "%s %s %s %.1f %.3f %d %d %s\n", phase, server, round, qps, us, completed, lost, noerr == "" ? "0" : noerr
    }' "$log" >>"$scratch/results"
  tail -n 1 "$scratch/results" | awk '{ printf "bench:   %-10s %-8s %10.0f q/s %8.2f us/query  (%s completed, %s lost, %s%% NOERROR)\n", $1, $2, $4, $5, $6, $7, $8 }'
}

# miss_file ROUND SERVER: names nobody has asked before, unique per
# server, phase and round.  dnsperf stops at the end of the file (-n 1) if
# it gets there before the time limit.
miss_file() {
  awk -v n="$miss_names" -v p="$1" \
    'BEGIN { for (i = 1; i <= n; i++) printf "%s-%d.miss.bench.test A\n", p, i }' \
    >"$scratch/miss.queries"
}

: >"$scratch/results"
for ((round = 1; round <= rounds; round++)); do
  echo "bench: round $round/$rounds: cache-hit, ${seconds}s per server"
  for entry in "${cached[@]}"; do
    IFS=: read -r server port pid <<<"$entry"
    # Warm-up: one pass over the 100 names fills the cache.
    run_dnsperf "$port" "$scratch/hit.queries" "$scratch/warm-$server.log" -n 1 ||
      { cat "$scratch/warm-$server.log" >&2; exit 1; }
    measure cache-hit "$server" "$port" "$pid" "$scratch/hit.queries" "$round"
  done

  echo "bench: round $round/$rounds: cache-miss, ${seconds}s per server"
  for entry in "${cached[@]}"; do
    IFS=: read -r server port pid <<<"$entry"
    miss_file "r$round-miss-$server"
    measure cache-miss "$server" "$port" "$pid" "$scratch/miss.queries" "$round" -n 1
  done

  echo "bench: round $round/$rounds: no-cache (pure forwarding), ${seconds}s per server"
  for entry in "${uncached[@]}"; do
    IFS=: read -r server port pid <<<"$entry"
    miss_file "r$round-fwd-$server"
    measure no-cache "$server" "$port" "$pid" "$scratch/miss.queries" "$round" -n 1
  done
done

# ---------------------------------------------------------------------------
echo
awk -v rounds="$rounds" '
  {
    key = $1 " " $2
    qps[key] += $4; us[key] += $5; n[key]++
  }
  END {
    printf "%-10s  %-8s  %12s  %14s\n", "phase", "server", "queries/s", "CPU us/query"
    nphases = split("cache-hit cache-miss no-cache", phases, " ")
    split("hearthd dnsmasq", servers, " ")
    for (p = 1; p <= nphases; p++)
      for (s = 1; s <= 2; s++) {
        key = phases[p] " " servers[s]
        if (n[key] > 0)
          printf "%-10s  %-8s  %12.0f  %14.2f\n", phases[p], servers[s], qps[key] / n[key], us[key] / n[key]
        else
          printf "%-10s  %-8s  %12s  %14s\n", phases[p], servers[s], "-", "-"
      }
    printf "\nhearthd/dnsmasq  %12s  %14s\n", "queries/s", "CPU us/query"
    for (p = 1; p <= nphases; p++) {
      h = phases[p] " hearthd"; d = phases[p] " dnsmasq"
      if (n[h] > 0 && n[d] > 0 && qps[d] > 0 && us[d] > 0)
        printf "%-15s  %12.2f  %14.2f\n", phases[p], (qps[h] / n[h]) / (qps[d] / n[d]), (us[h] / n[h]) / (us[d] / n[d])
      else
        printf "%-15s  %12s  %14s\n", phases[p], "n/a", "n/a"
    }
  }' "$scratch/results"
