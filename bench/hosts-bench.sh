#!/usr/bin/env bash
#
# Benchmark: a 100,000-line hosts file in hearthd and in Debian's dnsmasq,
# same machine, same run.  Each server is started with --no-hosts and
# --addn-hosts, once with an empty file and once with a generated
# blocklist-style file ("0.0.0.0 ad-N.example-tracker.com", with an
# ordinary "address name.lan name" line every 100 lines), and measured:
#
#   load time     from exec until the server answers a query for the LAST
#                 name of the file with that name's address (polled every
#                 2 ms over UDP by a small dnspython client; the server's
#                 own startup is in it, so the empty-file figure is shown
#                 beside it).
#   memory        VmRSS with the big file minus VmRSS with the empty one,
#                 divided by the names in the file: bytes per entry.
#   cache-hit     dnsperf queries per second for 100 names from a local nsd
#                 (127.0.0.1#5310) that the server has cached, with the
#                 empty and with the big file: a big hosts file must not
#                 slow the cache-hit path.
#   hosts-hit     the same for 100 names spread over the big file.
#
# Each measurement runs BENCH_REPEATS times (servers alternating); the
# table shows medians and the hearthd/dnsmasq ratios.  All traffic stays
# on 127.0.0.1, every wait and every load is bounded in time, and on exit
# it stops only the processes it started.  Not part of the test suite:
# the figures depend on the machine.  If hearthd cannot be built, or does
# not support --addn-hosts yet, its half is skipped and the dnsmasq half
# still runs.
#
# Settings (environment):
#   BENCH_HOSTS_LINES  lines in the big hosts file (100000)
#   BENCH_REPEATS      runs per server and file; medians are reported (3)
#   BENCH_SECONDS      length of each measured dnsperf run (5)
#   BENCH_CLIENT_CPU / BENCH_SERVER_CPU / BENCH_UPSTREAM_CPU  pinning
#   HEARTHD            hearthd binary to use instead of building build-bench/
#   BENCH_KEEP=1       keep the scratch directory (logs, hosts files, results)

set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
root=$PWD

# shellcheck source=tools/deps.sh
. tools/deps.sh
hearth_deps_install "${HEARTH_DEPS_BENCH[@]}" python3-dnspython

lines=${BENCH_HOSTS_LINES:-100000}
repeats=${BENCH_REPEATS:-3}
seconds=${BENCH_SECONDS:-5}
# Debian's python3 has dnspython; a pyenv python3 on PATH may not.
python=/usr/bin/python3

upstream_port=5310
hearthd_port=5311
dnsmasq_port=5312
cache_size=10000

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

scratch=$(mktemp -d /tmp/hearth-hosts-bench.XXXXXX)
# nsd, and the run.py of the measurement under way (each stops its own
# server when terminated).
pids=()
running=

cleanup() {
  local pid i
  if [[ -n "$running" ]]; then
    pids+=("$running")
  fi
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
# hearthd: a release build of its own, as in dns-bench.sh.
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
elif "$hearthd" --test --addn-hosts=/dev/null 2>&1 | grep -q 'not supported'; then
  echo "bench: $hearthd does not support --addn-hosts yet: skipping the hearthd half" >&2
  hearthd=
fi

# ---------------------------------------------------------------------------
# The hosts files.  The last line holds a name and address of its own, so
# an answer for it means the whole file is in.
echo "bench: generating a $lines-line hosts file"
awk -v n="$lines" -v names="$scratch/hosts.names" 'BEGIN {
  print "# hosts-bench: generated blocklist"
  count = 0
  for (i = 1; i < n - 1; i++) {
    if (i % 100 == 0) {
      printf "10.%d.%d.%d host-%d.lan host-%d\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, i, i
      count += 2
    } else {
      printf "0.0.0.0 ad-%d.example-tracker.com\n", i
      count++
    }
  }
  print "192.0.2.99 last-entry.example-tracker.com"
  count++
  print count > names
}' >"$scratch/hosts.big"
: >"$scratch/hosts.empty"
entries=$(<"$scratch/hosts.names")
last_name=last-entry.example-tracker.com
last_addr=192.0.2.99

# 100 names spread over the big file, and 100 names only nsd knows.
awk -v n="$lines" 'BEGIN { for (i = 1; i <= 100; i++) { k = int(i * (n - 2) / 101); if (k % 100 == 0) k++; printf "ad-%d.example-tracker.com A\n", k } }' \
  >"$scratch/hosts-hit.queries"
awk 'BEGIN { for (i = 1; i <= 100; i++) printf "h%d.bench.test A\n", i }' >"$scratch/cache-hit.queries"

# ---------------------------------------------------------------------------
# The upstream: nsd serving bench.test, as in dns-bench.sh.
{
  cat <<'EOF'
$ORIGIN bench.test.
$TTL 3600
@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 900 604800 3600
@ IN NS ns
ns IN A 127.0.0.1
EOF
  for ((i = 1; i <= 100; i++)); do
    echo "h$i IN A 10.200.0.$i"
  done
} >"$scratch/bench.test.zone"
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
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.test
  zonefile: bench.test.zone
EOF
nsd-checkconf "$scratch/nsd.conf"

echo "bench: starting nsd on 127.0.0.1#$upstream_port (cpu $upstream_cpu)"
taskset -c "$upstream_cpu" nsd -d -c "$scratch/nsd.conf" >"$scratch/nsd.out" 2>&1 &
pids+=("$!")
for ((i = 0; i < 100; i++)); do
  if [[ -n "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$upstream_port" h1.bench.test A 2>/dev/null)" ]]; then
    break
  fi
  sleep 0.1
done
if ((i == 100)); then
  cat "$scratch/nsd.log" >&2 || true
  echo "bench: nsd did not come up" >&2
  exit 1
fi

# ---------------------------------------------------------------------------
# One measured run: run.py starts the server itself (so the clock starts at
# the exec, with Python already loaded), polls for the last name, reads
# VmRSS, runs dnsperf, stops the server and appends one line to results:
#   server file repeat load_ms rss_kib cache_hit_qps hosts_hit_qps
cat >"$scratch/run.py" <<'EOF'
import os, re, signal, socket, subprocess, sys, time
import dns.flags, dns.message, dns.rcode, dns.rdatatype

server, label, repeat, port, name, addr, seconds, client_cpu, results = sys.argv[1:10]
command = sys.argv[10:]
port, seconds = int(port), int(seconds)
scratch = os.path.dirname(results)

def stop(signum, frame):
    raise SystemExit(1)
signal.signal(signal.SIGTERM, stop)

def answered(sock, wire):
    try:
        sock.send(wire)
        data = sock.recv(4096)
    except (socket.timeout, ConnectionRefusedError):
        return False
    try:
        reply = dns.message.from_wire(data)
    except Exception:
        return False
    if reply.rcode() != dns.rcode.NOERROR:
        return False
    return any(rr.rdtype == dns.rdatatype.A and rr.address == addr for rrset in reply.answer for rr in rrset)

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def dnsperf(queries, log, *extra):
    path = os.path.join(scratch, log)
    with open(path, "w") as out:
        subprocess.run(["timeout", "--kill-after=5", str(seconds + 60), "taskset", "-c", client_cpu,
                        "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", os.path.join(scratch, queries),
                        "-c", "1", "-q", "100", "-t", "2", *extra], stdout=out, stderr=subprocess.STDOUT, check=True)
    with open(path) as f:
        m = re.search(r"Queries per second:\s+([0-9.]+)", f.read())
    return float(m.group(1)) if m else 0.0

query = dns.message.make_query(name, "A")
query.flags |= dns.flags.RD
wire = query.to_wire()
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.002)
sock.connect(("127.0.0.1", port))

log = open(os.path.join(scratch, f"{server}-{label}-{repeat}.log"), "w")
start = time.monotonic()
proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
try:
    # At most 60 s, polling about every 2 ms.
    deadline = start + 60
    while True:
        if answered(sock, wire):
            load_ms = (time.monotonic() - start) * 1000
            break
        if proc.poll() is not None:
            sys.exit(f"bench: {server} exited with status {proc.returncode} before answering")
        if time.monotonic() > deadline:
            sys.exit(f"bench: {server} did not answer {name} within 60 s")
        time.sleep(0.002)
    # Let allocations from the load settle (freed buffers, a late resize).
    time.sleep(0.3)
    rss = rss_kib(proc.pid)
    # Warm the cache with one pass, then measure.
    dnsperf("cache-hit.queries", f"warm-{server}-{label}-{repeat}.log", "-n", "1")
    hit = dnsperf("cache-hit.queries", f"dnsperf-cache-{server}-{label}-{repeat}.log", "-l", str(seconds))
    hosts_hit = 0.0
    if label == "big":
        hosts_hit = dnsperf("hosts-hit.queries", f"dnsperf-hosts-{server}-{label}-{repeat}.log", "-l", str(seconds))
    with open(results, "a") as f:
        f.write(f"{server} {label} {repeat} {load_ms:.1f} {rss} {hit:.0f} {hosts_hit:.0f}\n")
    print(f"bench:   {server:8} {label:5} #{repeat}: answered after {load_ms:7.1f} ms, VmRSS {rss} KiB, "
          f"cache-hit {hit:.0f} q/s" + (f", hosts-hit {hosts_hit:.0f} q/s" if label == "big" else ""))
finally:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
EOF

# run SERVER FILE-LABEL REPEAT PORT COMMAND...: one run.py in the
# background (so the EXIT trap can stop it) and wait for it.
run() {
  local server=$1 label=$2 repeat=$3 port=$4
  shift 4
  # The run is bounded: 60 s to load, two or three dnsperf runs.
  timeout --kill-after=10 $((120 + 3 * (seconds + 60))) \
    "$python" "$scratch/run.py" "$server" "$label" "$repeat" "$port" "$last_name" "$last_addr" \
    "$seconds" "$client_cpu" "$scratch/results" taskset -c "$server_cpu" "$@" &
  running=$!
  wait "$running"
  running=
}

hearthd_cmd() {
  run hearthd "$1" "$2" "$hearthd_port" "$hearthd" -k --conf-file=/dev/null --no-resolv \
    --server=127.0.0.1#$upstream_port --port="$hearthd_port" --listen-address=127.0.0.1 \
    --cache-size="$cache_size" --no-hosts --addn-hosts="$scratch/hosts.$1"
}

dnsmasq_cmd() {
  run dnsmasq "$1" "$2" "$dnsmasq_port" /usr/sbin/dnsmasq -k --conf-file=/dev/null --no-resolv \
    --server=127.0.0.1#$upstream_port --port="$dnsmasq_port" --listen-address=127.0.0.1 \
    --bind-interfaces --cache-size="$cache_size" --no-hosts --addn-hosts="$scratch/hosts.$1" \
    --user=root --log-facility="$scratch/dnsmasq-daemon.log"
}

# The empty file cannot answer the last name: run.py is told to wait for a
# name nsd knows instead.
: >"$scratch/results"
for ((repeat = 1; repeat <= repeats; repeat++)); do
  echo "bench: repeat $repeat/$repeats"
  for label in empty big; do
    if [[ $label == empty ]]; then
      last_name=h1.bench.test last_addr=10.200.0.1
    else
      last_name=last-entry.example-tracker.com last_addr=192.0.2.99
    fi
    if [[ -n "$hearthd" ]]; then
      hearthd_cmd "$label" "$repeat"
    fi
    dnsmasq_cmd "$label" "$repeat"
  done
done

# ---------------------------------------------------------------------------
echo
"$python" - "$scratch/results" "$entries" "$lines" <<'EOF'
import statistics, sys

results, entries, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = {}
for line in open(results):
    server, label, _, load, rss, hit, hosts_hit = line.split()
    runs.setdefault((server, label), []).append((float(load), int(rss), float(hit), float(hosts_hit)))

def median(server, label, i):
    values = [r[i] for r in runs.get((server, label), [])]
    return statistics.median(values) if values else None

def per_entry(server):
    big, empty = median(server, "big", 1), median(server, "empty", 1)
    return None if big is None or empty is None else (big - empty) * 1024 / entries

def slowdown(server):
    big, empty = median(server, "big", 2), median(server, "empty", 2)
    return None if not big or not empty else big / empty

rows = [
    ("startup, empty hosts file (ms)", lambda s: median(s, "empty", 0), "{:.1f}"),
    (f"load, {lines:,}-line file, until the last name answers (ms)", lambda s: median(s, "big", 0), "{:.1f}"),
    ("VmRSS, empty hosts file (KiB)", lambda s: median(s, "empty", 1), "{:.0f}"),
    ("VmRSS, big hosts file (KiB)", lambda s: median(s, "big", 1), "{:.0f}"),
    (f"memory per entry ({entries:,} names) (bytes)", per_entry, "{:.0f}"),
    ("cache-hit q/s, empty hosts file", lambda s: median(s, "empty", 2), "{:.0f}"),
    ("cache-hit q/s, big hosts file", lambda s: median(s, "big", 2), "{:.0f}"),
    ("cache-hit q/s, big / empty", slowdown, "{:.2f}"),
    ("hosts-hit q/s, big hosts file", lambda s: median(s, "big", 3), "{:.0f}"),
]
n = max(len(r) for r in runs.values()) if runs else 0
print(f"Medians of {n} run(s).\n")
print("| measurement | hearthd | dnsmasq | hearthd/dnsmasq |")
print("|---|---:|---:|---:|")
for title, get, fmt in rows:
    h, d = get("hearthd"), get("dnsmasq")
    ratio = f"{h / d:.2f}" if h is not None and d else "n/a"
    print(f"| {title} | {fmt.format(h) if h is not None else '-'} | {fmt.format(d) if d is not None else '-'} | {ratio} |")
EOF
