"""Interfaces that come and go: hearthd against dnsmasq, same run.

Both daemons run with --bind-dynamic --interface=vb* in network namespaces
of their own.  For each, N times: a veth pair is created, brought up and
given an address, and we measure the time from the address being added
until the first query to it is answered (polling every millisecond); then
the pair is deleted.  Reported: median and 95th percentile of that delay,
the daemon's open file descriptors after all cycles minus before, and the
CPU time it spent on the cycles.  Then, in wildcard mode with
--interface=vb* (per-query interface check), a short dnsperf run of
cache-hit queries over the veth gives queries per second.

Usage (root): iface_bench.py HEARTHD [DNSMASQ]
Environment: BENCH_CYCLES (default 50), BENCH_SECONDS (dnsperf, 5).
Traffic stays inside the benchmark's own namespaces.
"""

import ctypes
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
CYCLES = int(os.environ.get('BENCH_CYCLES', '50'))
SECONDS = int(os.environ.get('BENCH_SECONDS', '5'))
PORT = 5399


def ip(*args):
    subprocess.run(['ip'] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


def query_wire(qid):
    return struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0) + b'\x04late\x05bench\x00\x00\x01\x00\x01'


def cpu_ns(pid):
    # schedstat's first field: nanoseconds on a CPU (stat's ticks are too
    # coarse for a daemon that wakes for a few microseconds).
    with open('/proc/%d/schedstat' % pid) as f:
        return int(f.read().split()[0])


def nfds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def start_in(ns, argv):
    """The daemon, started inside namespace ns (no intermediate process,
    so the pid is the daemon's)."""
    def enter():
        fd = os.open('/run/netns/' + ns, os.O_RDONLY)
        libc.setns(fd, CLONE_NEWNET)
    return subprocess.Popen(argv, preexec_fn=enter, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc, *namespaces):
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    for ns in namespaces:
        subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)


def run(label, argv0, extra):
    ns = 'hbench-%d-%s' % (os.getpid(), label)
    ip('netns', 'add', ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    tmp = tempfile.mkdtemp(prefix='iface-bench-')
    argv = [argv0, '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=%d' % PORT,
            '--address=/late.bench/192.0.2.1', '--log-facility=' + os.path.join(tmp, 'log'),
            '--pid-file=' + os.path.join(tmp, 'pid')] + extra
    proc = None
    try:
        proc = start_in(ns, argv)
        time.sleep(0.5)
        with InNetns(ns):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        fds_before = nfds(proc.pid)
        cpu_before = cpu_ns(proc.pid)
        delays = []
        for i in range(CYCLES):
            ip('-n', ns, 'link', 'add', 'vb0', 'type', 'veth', 'peer', 'name', 'vp0')
            ip('-n', ns, 'link', 'set', 'vb0', 'up')
            ip('-n', ns, 'link', 'set', 'vp0', 'up')
            start = time.monotonic()
            ip('-n', ns, 'addr', 'add', '10.66.0.1/24', 'dev', 'vb0')
            deadline = start + 3.0
            got = None
            qid = 0
            while time.monotonic() < deadline and got is None:
                qid = (qid + 1) & 0xffff
                try:
                    sock.sendto(query_wire(qid), ('10.66.0.1', PORT))
                except OSError:
                    pass
                t_end = time.monotonic() + 0.001
                while time.monotonic() < t_end:
                    try:
                        data = sock.recv(512)
                        if len(data) > 12:
                            got = time.monotonic()
                            break
                    except BlockingIOError:
                        pass
            if got is not None:
                delays.append((got - start) * 1000)
            ip('-n', ns, 'link', 'del', 'vb0')
            while True:  # drain late answers
                try:
                    sock.recv(512)
                except BlockingIOError:
                    break
        time.sleep(0.3)
        fds_after = nfds(proc.pid)
        cpu = (cpu_ns(proc.pid) - cpu_before) / 1e6
        sock.close()
        return {
            'answered': len(delays),
            'median_ms': statistics.median(delays) if delays else float('nan'),
            'p95_ms': sorted(delays)[int(len(delays) * 0.95) - 1] if delays else float('nan'),
            'fd_growth': fds_after - fds_before,
            'cpu_ms': cpu,
        }
    finally:
        stop(proc, ns)


def run_qps(label, argv0, extra):
    ns = 'hbenchq-%d-%s' % (os.getpid(), label)
    cl = 'hbenchc-%d-%s' % (os.getpid(), label)
    ip('netns', 'add', ns)
    ip('netns', 'add', cl)
    tmp = tempfile.mkdtemp(prefix='iface-bench-')
    proc = None
    try:
        ip('-n', ns, 'link', 'add', 'vb0', 'type', 'veth', 'peer', 'name', 'vc0', 'netns', cl)
        ip('-n', ns, 'addr', 'add', '10.67.0.1/24', 'dev', 'vb0')
        ip('-n', cl, 'addr', 'add', '10.67.0.2/24', 'dev', 'vc0')
        for n, d in ((ns, 'vb0'), (cl, 'vc0'), (ns, 'lo'), (cl, 'lo')):
            ip('-n', n, 'link', 'set', d, 'up')
        argv = [argv0, '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=%d' % PORT,
                '--address=/q.bench/192.0.2.1', '--log-facility=' + os.path.join(tmp, 'log'),
                '--pid-file=' + os.path.join(tmp, 'pid'), '--interface=vb*', '--except-interface=lo'] + extra
        proc = start_in(ns, argv)
        time.sleep(0.7)
        qfile = os.path.join(tmp, 'queries')
        with open(qfile, 'w') as f:
            f.write('a.q.bench A\n')
        out = subprocess.run(['ip', 'netns', 'exec', cl, 'dnsperf', '-s', '10.67.0.1', '-p', str(PORT), '-d', qfile,
                              '-l', str(SECONDS), '-c', '4', '-Q', '200000', '-q', '200'],
                             capture_output=True, text=True).stdout
        qps = float('nan')
        for line in out.splitlines():
            if 'Queries per second' in line:
                qps = float(line.split(':')[1])
        return qps
    finally:
        stop(proc, ns, cl)


def main():
    if os.geteuid() != 0:
        print('iface_bench.py needs root (network namespaces)', file=sys.stderr)
        return 77
    hearthd = sys.argv[1]
    dnsmasq = sys.argv[2] if len(sys.argv) > 2 else '/usr/sbin/dnsmasq'
    common = ['--bind-dynamic', '--interface=vb*']
    h = run('h', hearthd, common + ['--no-dbus'])
    d = run('d', dnsmasq, common + ['--user=root'])
    hq = run_qps('h', hearthd, ['--no-dbus'])
    dq = run_qps('d', dnsmasq, ['--user=root'])

    def ratio(a, b):
        return '%.2f' % (a / b) if b else '-'
    print('| %d interface cycles (--bind-dynamic) | hearthd | dnsmasq | ratio |' % CYCLES)
    print('|---|--:|--:|--:|')
    print('| answered within 3 s | %d | %d | - |' % (h['answered'], d['answered']))
    print('| address added -> first answer, median ms | %.1f | %.1f | %s |'
          % (h['median_ms'], d['median_ms'], ratio(h['median_ms'], d['median_ms'])))
    print('| address added -> first answer, p95 ms | %.1f | %.1f | %s |'
          % (h['p95_ms'], d['p95_ms'], ratio(h['p95_ms'], d['p95_ms'])))
    print('| file descriptors after - before | %d | %d | - |' % (h['fd_growth'], d['fd_growth']))
    print('| daemon CPU for all cycles, ms | %.1f | %.1f | %s |' % (h['cpu_ms'], d['cpu_ms'], ratio(h['cpu_ms'], d['cpu_ms'])))
    print('| wildcard mode, --interface check, q/s (%d s dnsperf) | %.0f | %.0f | %s |'
          % (SECONDS, hq, dq, ratio(hq, dq)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
