"""DHCPv4 DORA exchanges per second and latency with many existing leases:
hearthd against dnsmasq and kea-dhcp4, same machine, same run.

For each server and each size N (1,000, 10,000 and 50,000 leases), in two
network namespaces of the benchmark's own joined by a veth pair (server
10.88.0.1/13, perfdhcp on 10.88.0.2 acting as a relay agent, so replies
go by unicast to its port 67):

  1. A lease file with N leases is written before the server starts
     (dnsmasq's format for hearthd and dnsmasq, Kea's memfile CSV for
     kea), at addresses spread at random over the range, for MACs
     02:00:xx:xx:xx:xx that perfdhcp never uses.  The server starts with
     its lease file on disk and durable as it is by default: hearthd
     syncs a journal once per batch before the ACKs of the batch leave;
     dnsmasq rewrites and fsyncs its whole file after each change; Kea's
     memfile (persist=true) appends a line per lease without fsync.
     hearthd and dnsmasq run with --no-ping (dnsmasq would otherwise
     ping each new address before offering it, which is not what this
     measures; hearthd does not ping with --no-ping either).
  2. Capacity search on that instance: perfdhcp at 250, 500, 1000, ...
     DORA/s in short steps (BENCH_STEP_SECONDS) while the server
     completes at least 95% of the exchanges started, then a bisection
     between the last rate it kept up with and the first it did not (a
     failing step is run twice before it counts).  Far above its
     capacity a server wastes its time on DISCOVERs whose REQUESTs are
     then dropped, and dnsmasq's throughput collapses: a flood measures
     that, not what the server can sustain.  The best completed rate of
     any step is reported too ("peak").
     Before a step, the server is restarted from a freshly written N-lease
     file once the earlier steps have added more than max(N, 10,000)
     leases, so that every step measures a table near N.
  3. The server is stopped, the same N-lease file written again, and a
     new instance started: time from exec until its first OFFER
     (loading N leases).
  4. Light load: 20 DORA/s (or half the rate found, if less) for a few
     seconds, latency of DISCOVER-OFFER
     and REQUEST-ACK (each ACK waits for its own sync here).
  5. Measured run: BENCH_SECONDS at the rate found: completed DORA/s,
     drops (and where: UDP receive-buffer overflows on the server's side
     or on perfdhcp's), average latency of both halves, and the server's
     CPU time per exchange.  Medians and 99th percentiles (perfdhcp's -x t
     timestamps) come from the light-load run only: recording them slows
     perfdhcp down by a third.  On a small machine perfdhcp itself tops
     out (around 20,000-30,000 DORA/s on one core): a figure it limited
     is marked as a lower bound.
  6. After each instance the lease file is read back: every pre-filled
     lease must still belong to its MAC, and no address may appear twice
     (perfdhcp -u also checks that no address went to two clients).

Every perfdhcp client is new (sequential MACs from a base of its own per
step), so every exchange allocates a fresh address and writes a new lease;
the table grows during a step ("leases at the end of the run").

Servers are pinned to one CPU (BENCH_SERVER_CPU, 1) and perfdhcp to another
(BENCH_CLIENT_CPU, 0); Kea runs with multi-threading off, like the other
two.  Every run is bounded in time, and the whole benchmark by
BENCH_DEADLINE seconds: what is left after it is reported as skipped.

Usage (root): dhcp_bench.py [--quick] HEARTHD
Environment: BENCH_SIZES (1000,10000,50000), BENCH_SERVERS
(hearthd,dnsmasq,kea), BENCH_SECONDS (5), BENCH_STEP_SECONDS (2),
BENCH_MAX_RATE (64000), BENCH_LIGHT_RATE (20), BENCH_PREFILL (scattered or
contiguous), BENCH_PERFDHCP_THREADS (single), BENCH_RESULTS (directory for
raw perfdhcp output; default a new /tmp/hearth-dhcp-bench.* directory),
BENCH_DEADLINE (840), BENCH_LOG (quiet: --quiet-dhcp and Kea at WARN, so
no server writes a log line per packet; default: each server's default
logging), DNSMASQ, KEA_DHCP4, PERFDHCP.
"""

import ctypes
import ipaddress
import os
import random
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)

SERVER_ADDR = '10.88.0.1'
CLIENT_ADDR = '10.88.0.2'
PREFIX = 13
NETMASK = '255.248.0.0'
RANGE_START = '10.88.0.10'
RANGE_END = '10.95.255.250'
LEASE_TIME = 43200
LEASE_MAX = 4000000

QUICK = '--quick' in sys.argv
ARGS = [a for a in sys.argv[1:] if a != '--quick']
SIZES = [int(s) for s in os.environ.get('BENCH_SIZES', '1000' if QUICK else '1000,10000,50000').split(',')]
SERVERS = os.environ.get('BENCH_SERVERS', 'hearthd,dnsmasq,kea').split(',')
SECONDS = float(os.environ.get('BENCH_SECONDS', '3' if QUICK else '5'))
STEP_SECONDS = float(os.environ.get('BENCH_STEP_SECONDS', '1' if QUICK else '2'))
MAX_RATE = int(os.environ.get('BENCH_MAX_RATE', '64000'))
LIGHT_RATE = int(os.environ.get('BENCH_LIGHT_RATE', '20'))
LIGHT_SECONDS = 2 if QUICK else 3
KEEP_UP = 0.95
BISECT_STEPS = 2 if QUICK else 4
GROWTH_MIN = 10000
PREFILL = os.environ.get('BENCH_PREFILL', 'scattered')
THREADS = os.environ.get('BENCH_PERFDHCP_THREADS', 'single')
QUIET = os.environ.get('BENCH_LOG', 'quiet') == 'quiet'
SERVER_CPU = int(os.environ.get('BENCH_SERVER_CPU', '1' if os.cpu_count() > 1 else '0'))
CLIENT_CPU = int(os.environ.get('BENCH_CLIENT_CPU', '0'))
DEADLINE = time.monotonic() + float(os.environ.get('BENCH_DEADLINE', '840'))
DNSMASQ = os.environ.get('DNSMASQ', '/usr/sbin/dnsmasq')
KEA = os.environ.get('KEA_DHCP4', '/usr/sbin/kea-dhcp4')
PERFDHCP = os.environ.get('PERFDHCP', '/usr/sbin/perfdhcp')

TAG = 'dhb%d' % os.getpid()
NS_S = TAG + 's'
NS_C = TAG + 'c'
IF_S = 'dhbs0'
IF_C = 'dhbc0'

live = []          # processes we started and have not reaped
namespaces = []    # namespaces we created and have not deleted


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ip(*args):
    subprocess.run(['ip'] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)


def u32(a):
    return int(ipaddress.IPv4Address(a))


def dotted(n):
    return str(ipaddress.IPv4Address(n))


# ---- namespaces and processes ----

class InNetns:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.home = os.open('/proc/self/ns/net', os.O_RDONLY)
        fd = os.open('/run/netns/' + self.name, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), 'setns')
        finally:
            os.close(fd)

    def __exit__(self, *exc):
        libc.setns(self.home, CLONE_NEWNET)
        os.close(self.home)


def make_namespaces():
    for ns in (NS_S, NS_C):
        ip('netns', 'add', ns)
        namespaces.append(ns)
        ip('-n', ns, 'link', 'set', 'lo', 'up')
    ip('-n', NS_S, 'link', 'add', IF_S, 'type', 'veth', 'peer', 'name', IF_C, 'netns', NS_C)
    ip('-n', NS_S, 'addr', 'add', '%s/%d' % (SERVER_ADDR, PREFIX), 'dev', IF_S)
    ip('-n', NS_C, 'addr', 'add', '%s/%d' % (CLIENT_ADDR, PREFIX), 'dev', IF_C)
    ip('-n', NS_S, 'link', 'set', IF_S, 'up')
    ip('-n', NS_C, 'link', 'set', IF_C, 'up')


def drop_namespaces():
    while namespaces:
        subprocess.run(['ip', 'netns', 'del', namespaces.pop()], stderr=subprocess.DEVNULL, timeout=10)


def start_server(argv, env=None, stdout=None):
    """The server inside NS_S, pinned to SERVER_CPU, with no intermediate
    process (the pid is the server's, for CPU time and for stopping it)."""
    def enter():
        fd = os.open('/run/netns/' + NS_S, os.O_RDONLY)
        libc.setns(fd, CLONE_NEWNET)
        os.sched_setaffinity(0, {SERVER_CPU})
        os.setsid()
    if os.environ.get('BENCH_SYNC_PRELOAD'):
        env = dict(env or os.environ)
        env['LD_PRELOAD'] = os.environ['BENCH_SYNC_PRELOAD']
    proc = subprocess.Popen(argv, preexec_fn=enter, env=env, stdin=subprocess.DEVNULL,
                            stdout=stdout or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    live.append(proc)
    return proc


def stop(proc):
    if proc is None or proc.poll() is not None:
        if proc in live:
            live.remove(proc)
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    live.remove(proc)


def cleanup(*_):
    for proc in list(live):
        try:
            stop(proc)
        except Exception:
            pass
    drop_namespaces()


def cpu_ns(pid):
    """CPU time of all the process's threads, in nanoseconds (schedstat:
    the tick-based counters in stat are too coarse)."""
    total = 0
    try:
        for tid in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def wait_idle(pid, limit=5.0):
    """Until the server has drained what an earlier step left queued
    (less than 2 ms of CPU in 100 ms), at most @limit seconds."""
    end = time.monotonic() + limit
    last = cpu_ns(pid)
    while time.monotonic() < end:
        time.sleep(0.1)
        now = cpu_ns(pid)
        if now - last < 2000000:
            return
        last = now


def fdatasync_ms(directory, count=40):
    """Median time of appending a lease-sized line to a file in @directory
    and fdatasync()ing it: what one durable lease costs this disk now.
    The machine is shared; this says how busy its disk was."""
    path = os.path.join(directory, '.fsync-probe')
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    try:
        for _ in range(count):
            t = time.monotonic()
            os.write(fd, b'1795268185 00:0c:00:00:00:c6 10.92.205.26 * 01:00:0c:00:00:00:c6\n')
            os.fdatasync(fd)
            times.append((time.monotonic() - t) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(times)


# ---- a DISCOVER of our own, to see when the server answers ----

def discover_packet(xid, mac):
    pkt = struct.pack('!BBBBIHHIIII', 1, 1, 6, 1, xid, 0, 0, 0, 0, 0, u32(CLIENT_ADDR))
    pkt += mac + bytes(10) + bytes(64) + bytes(128)
    pkt += b'\x63\x82\x53\x63' + b'\x35\x01\x01' + b'\x3d\x07\x01' + mac + b'\xff'
    return pkt


def time_to_first_offer(proc, started, limit=60.0):
    """Seconds from @started until the server's first OFFER, or None."""
    with InNetns(NS_C):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((CLIENT_ADDR, 67))
        sock.settimeout(0.05)
        mac = bytes.fromhex('000b00000001')
        xid = random.getrandbits(32)
        while time.monotonic() - started < limit and proc.poll() is None:
            try:
                sock.sendto(discover_packet(xid, mac), (SERVER_ADDR, 67))
            except OSError:
                pass
            try:
                data = sock.recv(2048)
            except socket.timeout:
                continue
            if len(data) > 240 and data[0] == 2 and struct.unpack('!I', data[4:8])[0] == xid:
                return time.monotonic() - started
        return None
    finally:
        sock.close()


# ---- pre-filled leases ----

def prefill(n, seed):
    """@n (address, mac) pairs: addresses spread at random over the range
    (or its first @n addresses with BENCH_PREFILL=contiguous)."""
    lo, hi = u32(RANGE_START), u32(RANGE_END)
    if PREFILL == 'contiguous':
        addrs = range(lo, lo + n)
    else:
        addrs = sorted(random.Random(seed).sample(range(lo, hi + 1), n))
    out = []
    for i, a in enumerate(addrs):
        mac = bytes([0x02, 0x00]) + struct.pack('!I', i)
        out.append((a, mac))
    return out


def hexcolon(b):
    return ':'.join('%02x' % x for x in b)


def write_dnsmasq_leases(path, leases):
    expires = int(time.time()) + LEASE_TIME
    with open(path, 'w') as f:
        for a, mac in leases:
            f.write('%d %s %s * 01:%s\n' % (expires, hexcolon(mac), dotted(a), hexcolon(mac)))
        f.flush()
        os.fsync(f.fileno())


def write_kea_leases(path, leases):
    expires = int(time.time()) + LEASE_TIME
    with open(path, 'w') as f:
        f.write('address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n')
        for a, mac in leases:
            f.write('%s,%s,01:%s,%d,%d,1,0,0,,0,\n' % (dotted(a), hexcolon(mac), hexcolon(mac), LEASE_TIME, expires))
        f.flush()
        os.fsync(f.fileno())


def read_dnsmasq_format(path, journal):
    """address -> mac from a dnsmasq-format lease file, then hearthd's
    journal ("add <line>" / "del <address>") if there is one; also the
    number of addresses seen twice in the file itself."""
    table = {}
    dups = 0
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 3 and p[0] != 'duid':
                    dups += p[2] in table
                    table[p[2]] = p[1]
    except FileNotFoundError:
        pass
    if journal:
        try:
            with open(journal) as f:
                for line in f:
                    p = line.split()
                    if len(p) >= 4 and p[0] == 'add':
                        table[p[3]] = p[2]
                    elif len(p) == 2 and p[0] == 'del':
                        table.pop(p[1], None)
        except FileNotFoundError:
            pass
    return table, dups


def read_kea_csv(path):
    """address -> hwaddr, last line wins (the memfile is a log); a line with
    valid_lifetime 0 is a deletion."""
    table = {}
    for p in (path + '.2', path + '.1', path):  # files the LFC may leave
        try:
            with open(p) as f:
                for line in f:
                    c = line.rstrip('\n').split(',')
                    if len(c) < 5 or c[0] == 'address':
                        continue
                    if c[3] == '0':
                        table.pop(c[0], None)
                    else:
                        table[c[0]] = c[1]
        except FileNotFoundError:
            pass
    return table, 0


def check_leases(table, dups, leases):
    lost = sum(1 for a, mac in leases if table.get(dotted(a)) != hexcolon(mac))
    if lost == 0 and dups == 0:
        return 'ok (%d)' % len(table)
    return 'BAD: %d pre-filled lost/reassigned, %d duplicate addresses' % (lost, dups)


# ---- the servers ----

class Server:
    label = None
    path = None

    def __init__(self, tmp):
        self.tmp = tmp

    def remove_lease_files(self):
        """The lease file and whatever the server keeps beside it (journal,
        temporary file, Kea's .1/.2/.completed)."""
        base = os.path.basename(self.path)
        for f in os.listdir(self.tmp):
            if f.startswith(base):
                os.unlink(os.path.join(self.tmp, f))

    def prepare(self, leases):
        raise NotImplementedError

    def argv(self):
        raise NotImplementedError

    def env(self):
        return None

    def lease_table(self):
        raise NotImplementedError


class Hearthd(Server):
    label = 'hearthd'

    def __init__(self, tmp, binary):
        super().__init__(tmp)
        self.binary = binary
        self.path = os.path.join(tmp, 'hearth.leases')

    def prepare(self, leases):
        self.remove_lease_files()
        write_dnsmasq_leases(self.path, leases)

    def argv(self):
        return [self.binary, '-k', '--conf-file=/dev/null', '--no-dbus', '--user=root', '--port=0',
                '--interface=' + IF_S, '--dhcp-range=%s,%s,%s,%d' % (RANGE_START, RANGE_END, NETMASK, LEASE_TIME),
                '--dhcp-leasefile=' + self.path, '--dhcp-lease-max=%d' % LEASE_MAX, '--no-ping',
                '--log-facility=' + os.path.join(self.tmp, 'hearthd.log'),
                '--pid-file=' + os.path.join(self.tmp, 'hearthd.pid')] + (['--quiet-dhcp'] if QUIET else [])

    def lease_table(self):
        return read_dnsmasq_format(self.path, self.path + '.journal')


class Dnsmasq(Server):
    label = 'dnsmasq'

    def __init__(self, tmp, binary):
        super().__init__(tmp)
        self.binary = binary
        self.path = os.path.join(tmp, 'dnsmasq.leases')

    def prepare(self, leases):
        self.remove_lease_files()
        write_dnsmasq_leases(self.path, leases)

    def argv(self):
        return [self.binary, '-k', '--conf-file=/dev/null', '--user=root', '--port=0',
                '--interface=' + IF_S, '--dhcp-range=%s,%s,%s,%d' % (RANGE_START, RANGE_END, NETMASK, LEASE_TIME),
                '--dhcp-leasefile=' + self.path, '--dhcp-lease-max=%d' % LEASE_MAX, '--no-ping',
                '--log-facility=' + os.path.join(self.tmp, 'dnsmasq.log'),
                '--pid-file=' + os.path.join(self.tmp, 'dnsmasq.pid')] + (['--quiet-dhcp'] if QUIET else [])

    def lease_table(self):
        return read_dnsmasq_format(self.path, None)


class Kea(Server):
    label = 'kea'

    def __init__(self, tmp, binary):
        super().__init__(tmp)
        self.binary = binary
        self.path = os.path.join(tmp, 'kea-leases4.csv')
        self.conf = os.path.join(tmp, 'kea-dhcp4.json')

    def prepare(self, leases):
        self.remove_lease_files()
        write_kea_leases(self.path, leases)
        with open(self.conf, 'w') as f:
            f.write('''{"Dhcp4": {
  "interfaces-config": {"interfaces": ["%s"], "dhcp-socket-type": "udp"},
  "lease-database": {"type": "memfile", "persist": true, "name": "%s", "lfc-interval": 0},
  "valid-lifetime": %d,
  "multi-threading": {"enable-multi-threading": false},
  "subnet4": [{"id": 1, "subnet": "10.88.0.0/%d", "pools": [{"pool": "%s - %s"}]}],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "%s"}], "severity": "%s"}]
}}
''' % (IF_S, self.path, LEASE_TIME, PREFIX, RANGE_START, RANGE_END, os.path.join(self.tmp, 'kea.log'),
       'WARN' if QUIET else 'INFO'))

    def argv(self):
        return [self.binary, '-c', self.conf]

    def env(self):
        e = dict(os.environ)
        e['KEA_PIDFILE_DIR'] = self.tmp
        e['KEA_LOCKFILE_DIR'] = self.tmp
        return e

    def lease_table(self):
        return read_kea_csv(self.path)


# ---- perfdhcp ----

def udp_rcvbuf_errors(ns):
    """The namespace's UDP receive-buffer overflows (/proc/net/snmp shows
    the namespace of the reading thread)."""
    with InNetns(ns):
        with open('/proc/net/snmp') as f:
            lines = [l.split() for l in f if l.startswith('Udp:')]
    return int(dict(zip(lines[0], lines[1])).get('RcvbufErrors', 0))


def parse_perfdhcp(text):
    """The final report: per exchange half (DO, RA) sent, received, drops,
    rejected, non-unique, avg delay, and the medians of the -x t
    timestamps."""
    r = {'DO': {}, 'RA': {}}
    cur = None
    times = {'DO': [], 'RA': []}
    tcur = None
    for line in text.splitlines():
        if line.startswith('***Statistics for: DISCOVER-OFFER'):
            cur = r['DO']
        elif line.startswith('***Statistics for: REQUEST-ACK'):
            cur = r['RA']
        elif line.startswith('***Timestamps for packets: DISCOVER-OFFER'):
            tcur = times['DO']
        elif line.startswith('***Timestamps for packets: REQUEST-ACK'):
            tcur = times['RA']
        elif line.startswith('sent / received:') and tcur is not None:
            m = re.match(r'sent / received: ([\d.]+) / ([\d.]+)', line)
            if m:
                tcur.append((float(m.group(2)) - float(m.group(1))) * 1000)
        elif cur is not None:
            m = re.match(r'(sent packets|received packets|drops|rejected leases|non unique addresses|orphans): (\d+)', line)
            if m:
                cur[m.group(1)] = int(m.group(2))
            m = re.match(r'avg delay: ([\d.]+) ms', line)
            if m:
                cur['avg'] = float(m.group(1))
    for k in ('DO', 'RA'):
        t = sorted(times[k])
        r[k]['median'] = statistics.median(t) if t else float('nan')
        r[k]['p99'] = t[min(len(t) - 1, int(len(t) * 0.99))] if t else float('nan')
        r[k].setdefault('avg', float('nan'))
    return r


class PerfRunner:
    def __init__(self, results, name):
        self.results = results
        self.name = name
        self.step = 0

    def run(self, rate, seconds, timers=False):
        """One perfdhcp run at @rate DORA/s for @seconds; its output saved
        as RESULTS/<name>-<step>-<rate>.txt.  Returns the parsed report with
        'ok' (completed DORA) and 'rate' (completed per second)."""
        self.step += 1
        base = '00:0c:%02x:00:00:00' % (self.step & 0xff)
        argv = ['ip', 'netns', 'exec', NS_C, 'taskset', '-c', str(CLIENT_CPU), PERFDHCP, '-4', '-g', THREADS,
                '-l', IF_C, '-r', str(rate), '-p', '%g' % seconds, '-R', '16000000', '-b', 'mac=' + base,
                '-d', '2', '-u']
        if timers:
            argv += ['-x', 't']
        argv.append(SERVER_ADDR)
        out_path = os.path.join(self.results, '%s-%02d-r%d.txt' % (self.name, self.step, rate))
        before = (udp_rcvbuf_errors(NS_S), udp_rcvbuf_errors(NS_C))
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        live.append(proc)
        try:
            out, _ = proc.communicate(timeout=seconds + 15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            out += '\n(bench: perfdhcp killed after %g s)\n' % (seconds + 15)
        live.remove(proc)
        overflows = (udp_rcvbuf_errors(NS_S) - before[0], udp_rcvbuf_errors(NS_C) - before[1])
        with open(out_path, 'w') as f:
            f.write(' '.join(argv) + '\n' + out)
            f.write('(bench: UDP receive-buffer overflows: server side %d, perfdhcp side %d)\n' % overflows)
        r = parse_perfdhcp(out)
        r['overflow_server'], r['overflow_client'] = overflows
        r['ok'] = r['RA'].get('received packets', 0) - r['RA'].get('rejected leases', 0)
        r['rate'] = r['ok'] / seconds
        r['offered'] = rate
        r['seconds'] = seconds
        r['file'] = out_path
        return r


# ---- one server at one size ----

def kept_up(r):
    """The server answered at least KEEP_UP of the exchanges perfdhcp
    started."""
    sent = r['DO'].get('sent packets', 0)
    return sent > 0 and r['ok'] >= KEEP_UP * sent


def client_bound(r):
    """perfdhcp was the limit: it could not send at the rate asked of it,
    or more replies overflowed its socket than requests overflowed the
    server's (then the step says nothing about the server)."""
    sent = r['DO'].get('sent packets', 0)
    return (sent < 0.9 * r['offered'] * r['seconds']
            or r['overflow_client'] > max(r['overflow_server'], 0.01 * sent))


class Instance:
    """The server under test, started from the freshly written N-lease
    file, restarted the same way whenever the exchanges since the start
    have grown its table by more than GROWTH (so every step measures a
    table near N, not one grown by earlier steps), and its lease file
    checked after each stop."""

    def __init__(self, server, leases, res):
        self.server = server
        self.leases = leases
        self.res = res
        self.proc = None
        self.added = 0
        self.checks = []
        self.growth = max(len(leases), GROWTH_MIN)

    def start(self):
        self.server.prepare(self.leases)
        started = time.monotonic()
        with open(os.path.join(self.server.tmp, self.server.label + '.out'), 'a') as out:
            self.proc = start_server(self.server.argv(), self.server.env(), stdout=out)
        t = time_to_first_offer(self.proc, started)
        if t is None:
            self.res['error'] = 'no answer within 60 s (see %s)' % self.server.tmp
            self.stop()
            return False
        self.res['start_ms'] = t * 1000
        self.res['instances'] = self.res.get('instances', 0) + 1
        self.added = 0
        # Whatever it does after its first answer (dnsmasq rewrites its
        # file) is not part of any step.
        wait_idle(self.proc.pid, 15)
        return True

    def stop(self):
        if self.proc is None:
            return
        alive = self.proc.poll() is None
        stop(self.proc)
        if not alive:
            self.res.setdefault('error', 'server exited early (status %s, see %s)'
                                % (self.proc.returncode, self.server.tmp))
        self.proc = None
        table, dups = self.server.lease_table()
        self.checks.append(check_leases(table, dups, self.leases))

    def fresh(self):
        """A new instance if this one's table has grown too much."""
        if self.added > self.growth:
            self.stop()
            return self.start()
        return True

    def run(self, perf, rate, seconds, timers=False):
        r = perf.run(rate, seconds, timers)
        self.added += r['ok']
        wait_idle(self.proc.pid)
        return r


def search_capacity(inst, perf, res):
    """The highest rate (of the ladder and bisection) at which the server
    completed KEEP_UP of the exchanges.  A step that fails is run once
    more before it counts as failed: on a shared machine one bad second
    would otherwise end the search early."""
    best = None

    def attempt(rate):
        nonlocal best
        for _ in range(2):
            if not inst.fresh():
                raise RuntimeError(res.get('error', 'server did not restart'))
            step = inst.run(perf, rate, STEP_SECONDS)
            if best is None or step['rate'] > best['rate']:
                best = step
            if kept_up(step) or client_bound(step):
                break
        return step

    lo, hi = LIGHT_RATE // 2, None
    rate = 250
    while rate <= MAX_RATE and time.monotonic() < DEADLINE:
        step = attempt(rate)
        if client_bound(step):
            res['client_bound'] = True
            hi = rate
            break
        if not kept_up(step):
            hi = rate
            break
        lo = rate
        rate *= 2
    else:
        res['client_bound'] = hi is None and rate > MAX_RATE
    for _ in range(BISECT_STEPS):
        if hi is None or hi - lo <= max(5, lo // 20) or time.monotonic() > DEADLINE:
            break
        rate = (lo + hi) // 2
        step = attempt(rate)
        if kept_up(step) and not client_bound(step):
            lo = rate
        else:
            hi = rate
    res['ladder_best'] = best['rate'] if best else float('nan')
    return max(lo, 5)


def bench_one(server, n, results):
    """Capacity search, then the measured runs on a new instance started
    from the same N-lease file."""
    name = '%s-%d' % (server.label, n)
    res = {'name': name, 'fsync_ms': fdatasync_ms(server.tmp)}
    leases = prefill(n, seed=n)
    perf = PerfRunner(results, name)
    inst = Instance(server, leases, res)
    make_namespaces()
    try:
        if not inst.start():
            return res
        target = search_capacity(inst, perf, res)
        inst.stop()
        if time.monotonic() > DEADLINE:
            res['error'] = 'BENCH_DEADLINE reached after the capacity search'
            return res

        if not inst.start():
            return res
        # Light: LIGHT_RATE, or half of what the server sustains if less.
        res['light'] = inst.run(perf, max(1, min(LIGHT_RATE, target // 2)), LIGHT_SECONDS, timers=True)
        cpu0 = cpu_ns(inst.proc.pid)
        # No -x t here: keeping every timestamp costs perfdhcp a third of
        # its speed, and above ~15,000 DORA/s it is perfdhcp that gives up.
        main = perf.run(target, SECONDS)
        cpu1 = cpu_ns(inst.proc.pid)
        res['main'] = main
        res['main_client_bound'] = client_bound(main)
        res['cpu_us'] = (cpu1 - cpu0) / 1000 / main['ok'] if main['ok'] else float('nan')
        res['leases_end'] = n + res['light']['ok'] + main['ok']
        wait_idle(inst.proc.pid)
    finally:
        inst.stop()
        drop_namespaces()
        bad = [c for c in inst.checks if not c.startswith('ok')]
        res['checks'] = bad[0] if bad else 'ok after %d instances' % len(inst.checks)
    return res


# ---- report ----

def fmt(v, spec='%.0f'):
    if v is None or (isinstance(v, float) and v != v):
        return '-'
    return spec % v


def ratio(a, b):
    if a is None or b is None or not b or a != a or b != b:
        return '-'
    return '%.2f' % (a / b)


def table_for(n, by_server):
    cols = [s for s in SERVERS if s in by_server]
    rows = []

    def get(s, *path):
        v = by_server[s]
        for p in path:
            if not isinstance(v, dict) or p not in v:
                return None
            v = v[p]
        return v

    def row(title, path, spec='%.0f', with_ratio=True):
        vals = [get(s, *path) for s in cols]
        cells = [fmt(v, spec) if not isinstance(v, str) else v for v in vals]
        ratios = []
        if with_ratio:
            h = get('hearthd', *path) if 'hearthd' in cols else None
            for other in ('dnsmasq', 'kea'):
                if other in cols and 'hearthd' in cols:
                    ratios.append(ratio(h, get(other, *path)))
        else:
            ratios = ['' for o in ('dnsmasq', 'kea') if o in cols and 'hearthd' in cols]
        rows.append('| %s | %s |%s' % (title, ' | '.join(cells), ''.join(' %s |' % r for r in ratios)))

    ratio_heads = ['hearthd/' + o for o in ('dnsmasq', 'kea') if o in cols and 'hearthd' in cols]
    head = '| %s leases | %s |%s' % ('{:,}'.format(n), ' | '.join(cols), ''.join(' %s |' % h for h in ratio_heads))
    sep = '|---|' + '--:|' * (len(cols) + len(ratio_heads))
    row('DORA/s sustained (%g s run at the rate found)' % SECONDS, ('main', 'rate'))
    row('rate found: highest offered with >= %d%% completed' % (KEEP_UP * 100), ('main', 'offered'))
    row('peak DORA/s completed in any %g s step' % STEP_SECONDS, ('ladder_best',))
    row('DISCOVER drops %', ('main', 'DO', 'drops_pct'), '%.1f', with_ratio=False)
    row('REQUEST drops %', ('main', 'RA', 'drops_pct'), '%.1f', with_ratio=False)
    row('UDP receive-buffer overflows: server side', ('main', 'overflow_server'), with_ratio=False)
    row('UDP receive-buffer overflows: perfdhcp side', ('main', 'overflow_client'), with_ratio=False)
    row('DO latency avg ms (at the rate found)', ('main', 'DO', 'avg'), '%.2f')
    row('RA latency avg ms (at the rate found)', ('main', 'RA', 'avg'), '%.2f')
    row('light load: DORA/s offered', ('light', 'offered'), with_ratio=False)
    row('DO latency median ms (light load)', ('light', 'DO', 'median'), '%.2f')
    row('RA latency median ms (light load)', ('light', 'RA', 'median'), '%.2f')
    row('RA latency p99 ms (light load)', ('light', 'RA', 'p99'), '%.2f')
    row('server CPU us per DORA (at the rate found)', ('cpu_us',), '%.0f')
    row('start with the leases, ms', ('start_ms',), '%.0f')
    row('disk: append + fdatasync, median ms, before', ('fsync_ms',), '%.2f', with_ratio=False)
    if os.environ.get('BENCH_SYNC_PRELOAD'):
        rows.append('| fsync/fdatasync slowed by (BENCH_SYNC_DELAY_MS), ms | %s |'
                    % ' | '.join(os.environ['BENCH_SYNC_DELAY_MS'] for s in cols))
    row('leases at the end of the run', ('leases_end',), '%.0f', with_ratio=False)
    row('lease files (pre-filled leases kept, no address twice)', ('checks',), with_ratio=False)
    row('non-unique addresses (perfdhcp -u)', ('main', 'RA', 'non unique addresses'), '%d', with_ratio=False)
    out = [head, sep] + rows
    notes = []
    for s in cols:
        if 'error' in by_server[s]:
            notes.append('%s: %s' % (s, by_server[s]['error']))
        if by_server[s].get('client_bound'):
            notes.append('%s: the capacity search stopped on perfdhcp\'s limit, not the server\'s: '
                         'its figures are lower bounds' % s)
        if by_server[s].get('main_client_bound'):
            notes.append('%s: in the measured run perfdhcp was the limit (it could not send at the rate, or its '
                         'own socket overflowed): a lower bound' % s)
    return '\n'.join(out + [''] + notes)


def add_drop_pct(r):
    for k in ('DO', 'RA'):
        h = r.get(k, {})
        sent = h.get('sent packets', 0)
        h['drops_pct'] = 100.0 * h.get('drops', 0) / sent if sent else float('nan')


def main():
    if os.geteuid() != 0:
        print('dhcp_bench.py needs root (network namespaces)', file=sys.stderr)
        return 77
    if not ARGS:
        print(__doc__, file=sys.stderr)
        return 2
    hearthd = ARGS[0]
    results = os.environ.get('BENCH_RESULTS') or tempfile.mkdtemp(prefix='hearth-dhcp-bench.')
    os.makedirs(results, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    makers = {'hearthd': lambda t: Hearthd(t, hearthd), 'dnsmasq': lambda t: Dnsmasq(t, DNSMASQ),
              'kea': lambda t: Kea(t, KEA)}
    for s in SERVERS:
        if s not in makers:
            print('unknown server %s in BENCH_SERVERS' % s, file=sys.stderr)
            return 2
    for b in (PERFDHCP, DNSMASQ, KEA, hearthd):
        if not os.access(b, os.X_OK):
            print('missing %s' % b, file=sys.stderr)
            return 77
    tables = []
    with open('/proc/loadavg') as f:
        load = f.read().split()[0]
    head = ('%d CPUs, load average %s at start; servers on CPU %d, perfdhcp on CPU %d (-g %s); '
            'per-exchange logging %s; pre-filled leases %s over %s-%s (/%d)'
            % (os.cpu_count(), load, SERVER_CPU, CLIENT_CPU, THREADS, 'off (--quiet-dhcp, Kea WARN)' if QUIET
               else 'on (defaults, Kea INFO)', PREFILL, RANGE_START, RANGE_END, PREFIX))
    print(head + '\n', flush=True)
    tables.append(head)
    try:
        for n in SIZES:
            by_server = {}
            for s in SERVERS:
                if time.monotonic() > DEADLINE:
                    by_server[s] = {'error': 'skipped: BENCH_DEADLINE reached'}
                    continue
                tmp = os.path.join(results, '%s-%d.d' % (s, n))
                os.makedirs(tmp, exist_ok=True)
                log('bench: %s with %d leases ...' % (s, n))
                t0 = time.monotonic()
                try:
                    r = bench_one(makers[s](tmp), n, results)
                except Exception as e:  # report and go on with the others
                    r = {'error': '%s: %s' % (type(e).__name__, e)}
                    cleanup()
                for k in ('main', 'light'):
                    if k in r:
                        add_drop_pct(r[k])
                by_server[s] = r
                log('bench: %s with %d leases: %s DORA/s (%.0f s)'
                    % (s, n, fmt(r.get('main', {}).get('rate')), time.monotonic() - t0))
            tables.append(table_for(n, by_server))
            print(tables[-1] + '\n', flush=True)
    finally:
        cleanup()
    with open(os.path.join(results, 'summary.md'), 'w') as f:
        f.write('\n\n'.join(tables) + '\n')
    print('raw perfdhcp output, server logs and lease files: %s' % results)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    finally:
        cleanup()
