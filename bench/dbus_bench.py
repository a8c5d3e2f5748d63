#!/usr/bin/python3
"""Reconfiguration over D-Bus, hearthd against dnsmasq in the same run.

Both daemons run on loopback with --enable-dbus on a private bus of the
benchmark's own (dnsmasq finds it through DBUS_SYSTEM_BUS_ADDRESS), and
both are driven through dnsmasq's interface exactly as NetworkManager does
it.  Measured:

  1. SetServersEx round trip: median and 95th percentile over CALLS calls
     alternating between two server lists (each call rebuilds routing).
  2. Cache kept across a reconfiguration: NAMES names are cached, then a
     SetServersEx adds a route for an unrelated domain while keeping the
     default server; the names are asked again and the queries reaching
     the upstream counted (0 = the whole cache kept).
  3. Cache flushed where it must be: the same, but the change routes the
     cached names' own domain elsewhere (every name should be re-asked).

Usage: bench/dbus_bench.py [HEARTHD] (default build/src/daemon/hearthd).
Output: a Markdown table with ratios.  Everything bounded in count and time.
"""

import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'behaviour'))

import hearthtest  # noqa: E402
from dbustest import PrivateBus  # noqa: E402
from gi.repository import Gio, GLib  # noqa: E402

CALLS = int(os.environ.get('CALLS', '300'))
NAMES = int(os.environ.get('NAMES', '500'))
NAME = 'org.freedesktop.NetworkManager.dnsmasq'
PATH = '/uk/org/thekelleys/dnsmasq'


def connect(bus):
    return Gio.DBusConnection.new_for_address_sync(
        bus.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


def set_servers_ex(conn, servers):
    conn.call_sync(NAME, PATH, NAME, 'SetServersEx', GLib.Variant('(aas)', (servers,)),
                   None, Gio.DBusCallFlags.NONE, 10000, None)


def wait_owned(conn, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                           'NameHasOwner', GLib.Variant('(s)', (NAME,)), None,
                           Gio.DBusCallFlags.NONE, 2000, None)
        if r.unpack()[0]:
            return
        time.sleep(0.05)
    raise RuntimeError('%s not owned after %ss' % (NAME, timeout))


def start(kind, binary, bus, port, upstream):
    common = ['-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=%d' % port,
              '--listen-address=127.0.0.1', '--enable-dbus=' + NAME, '--cache-size=10000',
              '--log-facility=/dev/null']
    env = dict(os.environ)
    if kind == 'dnsmasq':
        argv = [binary] + common + ['--bind-interfaces', '--pid-file=']
        env['DBUS_SYSTEM_BUS_ADDRESS'] = bus.address
    else:
        argv = [binary] + common + ['--dbus-address=' + bus.address]
    import subprocess
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    return proc


def run(kind, binary):
    import subprocess
    with PrivateBus() as bus, hearthtest.FakeUpstream() as up, hearthtest.FakeUpstream() as other:
        for i in range(NAMES):
            up.add('n%d.bench.example' % i, 'A', 3600, '192.0.2.%d' % (i % 250 + 1))
            other.add('n%d.bench.example' % i, 'A', 3600, '198.51.100.%d' % (i % 250 + 1))
        port = hearthtest.free_port()
        proc = start(kind, binary, bus, port, up)
        try:
            conn = connect(bus)
            wait_owned(conn)
            a = [['127.0.0.1#%d' % up.port]]
            b = [['127.0.0.1#%d' % up.port], ['127.0.0.1#%d' % other.port, 'unrelated.example']]
            set_servers_ex(conn, a)
            times = []
            deadline = time.monotonic() + 60
            for i in range(CALLS):
                t = time.perf_counter()
                set_servers_ex(conn, b if i % 2 else a)
                times.append((time.perf_counter() - t) * 1e6)
                if time.monotonic() > deadline:
                    break
            set_servers_ex(conn, a)

            def ask_all():
                for i in range(NAMES):
                    q = hearthtest.make_query('n%d.bench.example' % i)
                    s = hearthtest.udp_send('127.0.0.1', port, q.to_wire())
                    try:
                        hearthtest.udp_recv(s, 3.0)
                    finally:
                        s.close()

            ask_all()
            up.reset()
            set_servers_ex(conn, b)  # default server unchanged, an unrelated route added
            ask_all()
            kept_reasked = up.count()
            up.reset()
            other.reset()
            set_servers_ex(conn, [['127.0.0.1#%d' % up.port],
                                  ['127.0.0.1#%d' % other.port, 'bench.example']])
            ask_all()
            moved_reasked = other.count()
        finally:
            proc.terminate()
            proc.wait(10)
    times.sort()
    return {
        'median_us': statistics.median(times),
        'p95_us': times[int(len(times) * 0.95) - 1],
        'kept_reasked': kept_reasked,
        'moved_reasked': moved_reasked,
    }


def main():
    hearthd = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', 'build', 'src', 'daemon', 'hearthd')
    h = run('hearthd', hearthd)
    d = run('dnsmasq', '/usr/sbin/dnsmasq')
    print('| measurement | hearthd | dnsmasq | hearthd/dnsmasq |')
    print('|---|---:|---:|---:|')
    for key, label in (('median_us', 'SetServersEx round trip, median (µs)'),
                       ('p95_us', 'SetServersEx round trip, 95th percentile (µs)')):
        print('| %s | %.0f | %.0f | %.2f |' % (label, h[key], d[key], h[key] / d[key]))
    print('| names re-asked after an unrelated route was added (of %d) | %d | %d | — |'
          % (NAMES, h['kept_reasked'], d['kept_reasked']))
    print('| names sent to the new server after their domain moved (of %d) | %d | %d | — |'
          % (NAMES, h['moved_reasked'], d['moved_reasked']))


if __name__ == '__main__':
    main()
