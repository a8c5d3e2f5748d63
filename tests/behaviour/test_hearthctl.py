#!/usr/bin/python3
"""Behaviour tests: hearthctl, the command-line D-Bus client.

Each test starts a private dbus-daemon (dbustest.PrivateBus) and the real
hearthd on it, then runs the built hearthctl ($HEARTHCTL) with --address=
against it: status, servers and routes in text and JSON, the commands that
change the daemon (judged by what servers/routes show afterwards and by
which fake upstream a query reaches), flush-cache, stats, monitor as a
running subprocess, and the exit status and wording of errors.

The D-Bus API itself is tested in test_dbus.py; here the daemon is only
the counterpart.  Without $HEARTHCTL every test is skipped.
"""

import json
import os
import re
import select
import signal
import subprocess
import time
import unittest

import hearthtest as ht
from hearthtest import HearthTestCase
from dbustest import PrivateBus, have_dbus_daemon

HEARTHCTL = os.environ.get('HEARTHCTL', '')
SERVER_PATH = '/org/hearth/Hearth1/server/'
ROUTE_PATH = '/org/hearth/Hearth1/route/'


class Lines:
    """Reads whole lines from a pipe with a deadline (no blocking read
    can outlast it)."""

    def __init__(self, pipe):
        self.fd = pipe.fileno()
        self.buf = b''
        self.seen = []

    def wait_for(self, pred, timeout=3.0):
        """The first new line (text, without newline) for which pred is
        true, or None after timeout or at end of file."""
        deadline = time.monotonic() + timeout
        while True:
            while b'\n' in self.buf:
                line, self.buf = self.buf.split(b'\n', 1)
                text = line.decode('utf-8', 'replace')
                self.seen.append(text)
                if pred(text):
                    return text
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buf += chunk


class HearthctlTestCase(HearthTestCase):
    """A private bus and a default fake upstream per test; start() runs
    hearthd on the bus and waits until hearthctl reaches it."""

    def setUp(self):
        super().setUp()
        if not HEARTHCTL:
            raise unittest.SkipTest('HEARTHCTL not set')
        if not have_dbus_daemon():
            raise unittest.SkipTest('dbus-daemon not installed')
        self.bus = PrivateBus()
        self.addCleanup(self.bus.close)
        self.up = self.upstream()
        self.up.add('www.default.test', 'A', 300, '192.0.2.1')

    def start(self, *args):
        self.d = self.daemon('--dbus-address=' + self.bus.address,
                             '--server=' + self.up.server_arg, *args)
        deadline = time.monotonic() + 5.0
        while True:
            self.assertTrue(self.d.running(), 'hearthd exited:\n' + self.d.stderr_text())
            r = self.ctl('status', check=False)
            if r.returncode == 0:
                return self.d
            if time.monotonic() >= deadline:
                self.fail('hearthctl status did not reach hearthd within 5 s: %s\nhearthd:\n%s'
                          % (r.stderr, self.d.stderr_text()))
            time.sleep(0.05)

    def env(self):
        """hearthctl's environment: untranslated (headings and messages are
        compared), and the private bus as the system bus."""
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address, LC_ALL='C.UTF-8')
        env.pop('DBUS_SESSION_BUS_ADDRESS', None)
        env.pop('LANGUAGE', None)
        return env

    def ctl(self, *args, check=True, timeout=10, address=True):
        """Runs hearthctl --address=BUS ARGS; CompletedProcess with text.
        With check, a non-zero exit fails the test showing stderr.  The
        private bus also stands in for the system bus (address=False
        leaves --address out)."""
        argv = [HEARTHCTL] + (['--address=' + self.bus.address] if address else [])
        argv += [str(a) for a in args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, env=self.env())
        if check and r.returncode != 0:
            self.fail('%s exited with %d:\n%s%s' % (' '.join(argv), r.returncode,
                                                     r.stdout, r.stderr))
        return r

    def ctl_json(self, *args):
        return json.loads(self.ctl('--json', *args).stdout)

    def servers(self):
        return self.ctl_json('servers')['Servers']

    def routes(self):
        return self.ctl_json('routes')['Routes']

    def server_by_address(self, address, port):
        found = [s for s in self.servers() if s['Address'] == address and s['Port'] == port]
        return found[0] if found else None

    def assertForwardedTo(self, name, up, others=()):
        """A query for name is answered and reaches up, and none of others."""
        before = [o.count(name) for o in others]
        r = self.d.query(name)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(up.wait_for(1, name=name), 1, '%s did not reach %s' % (name, up.server_arg))
        self.assertEqual([o.count(name) for o in others], before,
                         '%s also reached another upstream' % name)

    def table_rows(self, text):
        """The rows of a table printed with --no-legend, split on blanks."""
        return [line.split() for line in text.splitlines() if line.strip()]


class ReadTest(HearthctlTestCase):
    def setUp(self):
        super().setUp()
        self.up2 = self.upstream()
        self.start('--cache-size=321', '--bind-interfaces',
                   '--server=/cfg.test/' + self.up2.server_arg,
                   '--local=/loc.test/',
                   '--address=/blk.test/192.0.2.7')

    def test_status_text(self):
        out = self.ctl('status').stdout
        fields = dict(re.findall(r'^\s*([^:\n]+?):\s*(.*)$', out, re.M))
        self.assertRegex(fields.get('Version', ''), r'^\d+\.\d+', out)
        self.assertEqual(fields.get('Cache size'), '321', out)
        self.assertIn('127.0.0.1#%d/udp' % self.d.port, out)
        self.assertIn('127.0.0.1#%d/tcp' % self.d.port, out)
        self.assertEqual(fields.get('Servers'), '2', out)
        self.assertEqual(fields.get('Routes'), '2', out)
        # Without a command, hearthctl shows the status.
        self.assertEqual(self.ctl().stdout, out)

    def test_status_json(self):
        st = self.ctl_json('status')
        self.assertEqual(st['CacheSize'], 321)
        self.assertIsInstance(st['CacheEntries'], int)
        self.assertIn('127.0.0.1#%d/udp' % self.d.port, st['ListenAddresses'])
        self.assertEqual(st['ServerCount'], 2)
        self.assertEqual(st['RouteCount'], 2)
        version = subprocess.run([ht.HEARTHD, '--version'], capture_output=True, text=True,
                                 timeout=10).stdout.split()[1]
        self.assertEqual(st['Version'], version)
        # Pretty output is the same document over several lines.
        pretty = self.ctl('--json=pretty', 'status').stdout
        self.assertGreater(len(pretty.splitlines()), 3)
        self.assertEqual(json.loads(pretty)['CacheSize'], 321)
        self.assertEqual(len(self.ctl('status', '--json').stdout.splitlines()), 1)

    def test_servers_text(self):
        out = self.ctl('servers').stdout
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ['ID', 'ADDRESS', 'INTERFACE', 'DOMAINS', 'OWNER',
                                            'STATE', 'QUERIES', 'FAILURES', 'LATENCY'])
        self.assertIn('2 servers listed.', out)
        rows = {r[1]: r for r in self.table_rows(self.ctl('--no-legend', 'servers').stdout)}
        self.assertEqual(set(rows), {self.up.server_arg, self.up2.server_arg})
        self.assertEqual(rows[self.up.server_arg][3], '-')        # default server
        self.assertEqual(rows[self.up2.server_arg][3], 'cfg.test')
        for r in rows.values():
            self.assertEqual(r[4], 'config')
            self.assertRegex(r[0], r'^\d+$')

    def test_servers_json(self):
        servers = self.servers()
        self.assertEqual(len(servers), 2)
        by_port = {s['Port']: s for s in servers}
        s = by_port[self.up2.port]
        self.assertEqual(s['Address'], '127.0.0.1')
        self.assertEqual(s['Domains'], ['cfg.test'])
        self.assertEqual(s['Owner'], 'config')
        self.assertEqual(s['Path'], SERVER_PATH + str(s['Id']))
        self.assertEqual(by_port[self.up.port]['Domains'], [])

    def test_counters_follow_queries(self):
        self.up2.add('a.cfg.test', 'A', 300, '192.0.2.9')
        self.assertForwardedTo('a.cfg.test', self.up2, [self.up])
        deadline = time.monotonic() + 4.0
        while True:
            s = self.server_by_address('127.0.0.1', self.up2.port)
            if s['Queries'] >= 1 or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        self.assertEqual(s['Queries'], 1)
        row = [r for r in self.table_rows(self.ctl('--no-legend', 'servers').stdout)
               if r[1] == self.up2.server_arg][0]
        self.assertEqual(row[6], '1')
        self.assertEqual(self.server_by_address('127.0.0.1', self.up.port)['Queries'], 0)

    def test_routes(self):
        out = self.ctl('routes').stdout
        self.assertEqual(out.splitlines()[0].split(), ['ID', 'DOMAIN', 'ACTION', 'TARGETS', 'OWNER'])
        rows = {r[1]: r for r in self.table_rows(self.ctl('--no-legend', 'routes').stdout)}
        self.assertEqual(rows['loc.test'][2], 'local')
        self.assertEqual(rows['blk.test'][2], 'address')
        self.assertEqual(rows['blk.test'][3], '192.0.2.7')
        routes = {r['Domain']: r for r in self.routes()}
        self.assertEqual(routes['loc.test']['Action'], 'local')
        self.assertEqual(routes['blk.test']['Addresses'], ['192.0.2.7'])
        self.assertEqual(routes['blk.test']['Owner'], 'config')
        self.assertEqual(routes['blk.test']['Path'], ROUTE_PATH + str(routes['blk.test']['Id']))

    def test_stats(self):
        self.d.query('www.default.test')
        self.d.query('www.default.test')
        stats = self.ctl_json('stats')
        self.assertGreaterEqual(stats['forwarded'], 1)
        self.assertGreaterEqual(stats['cache-hits'], 1)
        self.assertGreaterEqual(stats['queries-udp'], 2)
        lines = dict(l.strip().split(': ', 1) for l in self.ctl('stats').stdout.splitlines())
        self.assertEqual(set(lines), set(stats))
        self.assertEqual(int(lines['forwarded']), stats['forwarded'])

    def test_config_objects_read_only(self):
        s = self.server_by_address('127.0.0.1', self.up.port)
        r = self.ctl('del-server', s['Id'], check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(r.stderr.startswith('hearthctl: '), r.stderr)
        self.assertNotIn('GDBus.Error', r.stderr)
        self.assertEqual(len(self.servers()), 2)


class ChangeTest(HearthctlTestCase):
    def setUp(self):
        super().setUp()
        self.up2 = self.upstream()
        self.up2.add('host.added.test', 'A', 300, '192.0.2.20')
        self.up2.add('host.fwd.test', 'A', 300, '192.0.2.21')
        self.up.add('other.added.test', 'A', 300, '192.0.2.22')
        self.up.add('host.blk.test', 'A', 300, '192.0.2.23')
        self.start()

    def test_add_and_delete_server(self):
        self.assertForwardedTo('www.default.test', self.up, [self.up2])
        path = self.ctl('add-server', self.up2.server_arg, 'added.test').stdout.strip()
        self.assertRegex(path, '^' + SERVER_PATH + r'\d+$')
        s = self.server_by_address('127.0.0.1', self.up2.port)
        self.assertIsNotNone(s, 'added server not listed')
        self.assertEqual(s['Path'], path)
        self.assertEqual(s['Domains'], ['added.test'])
        self.assertTrue(s['Owner'].startswith(':'), s['Owner'])
        self.assertIn(self.up2.server_arg,
                      [r[1] for r in self.table_rows(self.ctl('--no-legend', 'servers').stdout)])
        self.assertForwardedTo('host.added.test', self.up2, [self.up])

        self.ctl('del-server', s['Id'])
        self.assertIsNone(self.server_by_address('127.0.0.1', self.up2.port))
        self.assertForwardedTo('other.added.test', self.up, [self.up2])
        # Gone: a second delete names what is missing.
        r = self.ctl('del-server', path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(path, r.stderr)

    def test_add_server_json_and_interface(self):
        out = self.ctl_json('add-server', '127.0.0.1#%d@lo' % self.up2.port, 'added.test')
        self.assertEqual(out['Path'], SERVER_PATH + str(out['Id']))
        s = self.server_by_address('127.0.0.1', self.up2.port)
        self.assertEqual(s['Interface'], 'lo')
        self.assertEqual(s['Id'], out['Id'])

    def test_add_ipv6_scoped_server(self):
        # Only the daemon's view is checked: nothing listens there.
        path = self.ctl('add-server', 'fe80::1%lo#5399', 'v6.test').stdout.strip()
        s = [s for s in self.servers() if s['Path'] == path][0]
        self.assertEqual(s['Port'], 5399)
        self.assertTrue(s['Address'].startswith('fe80::1'), s['Address'])

    def test_add_and_delete_forward_route(self):
        path = self.ctl('add-route', 'fwd.test', 'forward', self.up2.server_arg).stdout.strip()
        self.assertRegex(path, '^' + ROUTE_PATH + r'\d+$')
        routes = [r for r in self.routes() if r['Path'] == path]
        self.assertEqual(len(routes), 1)
        self.assertEqual(routes[0]['Domain'], 'fwd.test')
        self.assertEqual(routes[0]['Action'], 'forward')
        self.assertEqual(len(routes[0]['Servers']), 1)
        rows = {r[0]: r for r in self.table_rows(self.ctl('--no-legend', 'routes').stdout)}
        row = rows[str(routes[0]['Id'])]
        self.assertEqual(row[1:4], ['fwd.test', 'forward', self.up2.server_arg])
        self.assertForwardedTo('host.fwd.test', self.up2, [self.up])

        self.ctl('del-route', routes[0]['Id'])
        self.assertEqual([r for r in self.routes() if r['Path'] == path], [])
        self.assertIsNone(self.server_by_address('127.0.0.1', self.up2.port),
                          "the route's server outlived it")
        self.up.add('www.fwd.test', 'A', 300, '192.0.2.24')
        self.assertForwardedTo('www.fwd.test', self.up, [self.up2])

    def test_block_route(self):
        path = self.ctl('add-route', 'blk.test', 'block').stdout.strip()
        self.assertRcode(self.d.query('host.blk.test'), 'NXDOMAIN')
        self.assertEqual(self.up.count('host.blk.test'), 0)
        self.ctl('del-route', path)
        self.assertForwardedTo('host.blk.test', self.up)

    def test_flush_cache(self):
        self.up.add('a.keep.test', 'A', 300, '192.0.2.30')
        self.up.add('b.flush.test', 'A', 300, '192.0.2.31')
        for name in ('a.keep.test', 'b.flush.test'):
            self.d.query(name)
            self.d.query(name)
            self.assertEqual(self.up.count(name), 1, '%s not cached' % name)
        self.ctl('flush-cache', 'flush.test')
        self.d.query('a.keep.test')
        self.d.query('b.flush.test')
        self.assertEqual(self.up.count('a.keep.test'), 1, 'flush of another domain dropped it')
        self.assertEqual(self.up.count('b.flush.test'), 2, 'flush-cache DOMAIN kept it')
        self.ctl('flush-cache')
        self.d.query('a.keep.test')
        self.assertEqual(self.up.count('a.keep.test'), 2, 'flush-cache kept it')

    def test_reload(self):
        self.d.query('www.default.test')
        self.ctl('reload')
        self.d.query('www.default.test')
        self.assertEqual(self.up.count('www.default.test'), 2)

    def test_changes_print_nothing(self):
        path = self.ctl('add-server', self.up2.server_arg).stdout.strip()
        for args in (['flush-cache'], ['--json', 'flush-cache', 'x.test'], ['reload'],
                     ['--json', 'del-server', path]):
            r = self.ctl(*args)
            self.assertEqual(r.stdout, '', args)


class MonitorTest(HearthctlTestCase):
    def setUp(self):
        super().setUp()
        self.start()

    def monitor(self, *args):
        argv = [HEARTHCTL, '--address=' + self.bus.address, 'monitor'] + list(args)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(self._stop, proc)
        err = Lines(proc.stderr)
        ready = err.wait_for(lambda l: l.startswith('Monitoring'), timeout=5.0)
        self.assertIsNotNone(ready, 'monitor did not say it is ready: %r' % err.seen)
        return proc, Lines(proc.stdout)

    def _stop(self, proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait(3)
        proc.stdout.close()
        proc.stderr.close()

    def terminate(self, proc, sig=signal.SIGTERM):
        proc.send_signal(sig)
        try:
            return proc.wait(5)
        except subprocess.TimeoutExpired:
            self.fail('monitor did not exit on signal %d' % sig)

    def test_monitor_text(self):
        proc, out = self.monitor()
        up2 = self.upstream()
        path = self.ctl('add-server', up2.server_arg, 'mon.test').stdout.strip()
        n = path.rsplit('/', 1)[1]
        line = out.wait_for(lambda l: 'server %s added' % n in l, timeout=3.0)
        self.assertIsNotNone(line, 'no line for the added server: %r' % out.seen)
        self.assertIn(up2.server_arg, line)
        self.assertIn('mon.test', line)
        self.ctl('del-server', n)
        self.assertIsNotNone(out.wait_for(lambda l: 'server %s removed' % n in l, timeout=3.0),
                             'no line for the removed server: %r' % out.seen)
        self.assertEqual(self.terminate(proc, signal.SIGINT), 0)

    def test_monitor_json(self):
        proc, out = self.monitor('--json')
        up2 = self.upstream()
        added = self.ctl_json('add-server', up2.server_arg, 'mon.test')
        line = out.wait_for(lambda l: '"added"' in l, timeout=3.0)
        self.assertIsNotNone(line, 'no added event: %r' % out.seen)
        ev = json.loads(line)
        self.assertEqual(ev['Event'], 'added')
        self.assertEqual(ev['Type'], 'server')
        self.assertEqual(ev['Id'], added['Id'])
        self.assertEqual(ev['Path'], added['Path'])
        self.assertEqual(ev['Properties']['Port'], up2.port)
        self.assertEqual(ev['Properties']['Domains'], ['mon.test'])
        # Counters arrive as PropertiesChanged (at most once a second).
        up2.add('x.mon.test', 'A', 300, '192.0.2.40')
        self.d.query('x.mon.test')
        line = out.wait_for(lambda l: '"changed"' in l and added['Path'] in l and '"Queries"' in l,
                            timeout=4.0)
        self.assertIsNotNone(line, 'no changed event for the counter: %r' % out.seen)
        self.assertEqual(json.loads(line)['Changed']['Queries'], 1)
        self.assertEqual(self.terminate(proc), 0)
        for l in out.seen:
            json.loads(l)       # every line is one JSON document


class BusSelectionTest(HearthctlTestCase):
    def test_system_bus_is_the_default(self):
        self.start('--bind-interfaces')
        for args in ([], ['--system']):
            st = json.loads(self.ctl(*args, '--json', 'status', address=False).stdout)
            self.assertIn('127.0.0.1#%d/udp' % self.d.port, st['ListenAddresses'])

    def test_destination_dnsmasq_mode(self):
        """A daemon in dnsmasq mode owns only its --enable-dbus name (on the
        system bus, here the private one), not org.hearth.Hearth1: only
        --destination reaches it."""
        self.d = self.daemon('--dnsmasq-compat', '--enable-dbus=org.example.dns',
                             '--server=' + self.up.server_arg,
                             env={'DBUS_SYSTEM_BUS_ADDRESS': self.bus.address})
        deadline = time.monotonic() + 5.0
        while True:
            r = self.ctl('--destination=org.example.dns', '--json', 'servers', check=False)
            if r.returncode == 0 or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        self.assertEqual(r.returncode, 0, r.stderr)
        servers = json.loads(r.stdout)['Servers']
        self.assertEqual([(s['Port'], s['Owner']) for s in servers], [(self.up.port, 'config')])


class ErrorTest(HearthctlTestCase):
    def test_usage(self):
        for args in (['frobnicate'], ['add-server'], ['del-server'], ['del-server', '1', '2'],
                     ['add-route', 'x.test'], ['status', 'extra'], ['--no-such-option'],
                     ['--json=yaml', 'status'], ['--session', '--system', 'status']):
            r = self.ctl(*args, check=False)
            self.assertEqual(r.returncode, 2, '%s: %s' % (args, r.stderr))
            self.assertTrue(r.stderr.startswith('hearthctl: '), r.stderr)
        self.assertIn('frobnicate', self.ctl('frobnicate', check=False).stderr)

    def test_help_and_version(self):
        r = self.ctl('--help')
        for cmd in ('status', 'servers', 'routes', 'add-server', 'del-server', 'add-route',
                    'del-route', 'flush-cache', 'reload', 'stats', 'monitor'):
            self.assertIn(cmd, r.stdout)
        self.assertRegex(self.ctl('--version').stdout, r'^hearthctl \d+\.\d+')

    def test_no_daemon(self):
        r = self.ctl('status', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('org.hearth.Hearth1', r.stderr)
        r = self.ctl('--destination=org.example.Nobody', 'servers', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('org.example.Nobody', r.stderr)

    def test_no_bus(self):
        r = subprocess.run([HEARTHCTL, '--address=unix:path=/nonexistent/bus', 'status'],
                           capture_output=True, text=True, timeout=10, env=self.env())
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith('hearthctl: '), r.stderr)

    def test_daemon_errors(self):
        self.start()
        for spec, named in (('192.0.2.300', '192.0.2.300'), ('127.0.0.1#99999', '99999'),
                            ('no-address', 'no-address'), ('127.0.0.1#53@', '127.0.0.1#53@')):
            r = self.ctl('add-server', spec, check=False)
            self.assertEqual(r.returncode, 1, '%s: %s' % (spec, r.stderr))
            self.assertTrue(r.stderr.startswith('hearthctl: '), r.stderr)
            self.assertIn(named, r.stderr)
        # Refused by the daemon: the message is the daemon's, without
        # GDBus's remote-error prefix.
        r = self.ctl('add-route', 'x.test', 'teleport', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith('hearthctl: '), r.stderr)
        self.assertNotIn('GDBus.Error', r.stderr)
        self.assertIn('teleport', r.stderr)
        r = self.ctl('add-server', '127.0.0.1', 'bad..domain', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertNotIn('GDBus.Error', r.stderr)
        for args in (['del-server', '424242'], ['del-route', '424242'], ['del-server', 'abc']):
            r = self.ctl(*args, check=False)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn(args[1], r.stderr)
        # Nothing of the refused calls was applied.
        self.assertEqual(len(self.servers()), 1)
        self.assertEqual(self.routes(), [])


if __name__ == '__main__':
    ht.main()
