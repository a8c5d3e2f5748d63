#!/usr/bin/python3
"""Behaviour tests: hearth's native D-Bus API, org.hearth.Hearth1.

Each test starts a private dbus-daemon (dbustest.PrivateBus) and the real
hearthd on it (--dbus-address), then talks to it with Gio: Manager
properties, the ObjectManager view of config servers and routes, AddServer,
SetServers, AddRoute, FlushCache, Reload, GetStatistics, SetCleanupOnExit,
the Server and Route Delete methods, the error paths and the per-caller
cap, the ObjectManager and PropertiesChanged signals, resolv-file servers,
and a bus that goes away and comes back.  Whether a change really took effect is judged by DNS:
which fake upstream a query reaches, and whether a cached answer is asked
again.  Callers without privileges are played by gdbus and busctl run as
uid 65534.

dnsmasq's own interface (uk.org.thekelleys.dnsmasq, --enable-dbus) is not
tested here, and neither is hearthctl.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import dns.message
import dns.rcode
import gi
gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

import hearthtest as ht  # noqa: E402
from hearthtest import HearthTestCase  # noqa: E402
from dbustest import PrivateBus, have_dbus_daemon  # noqa: E402
from busclient import (BUS_NAME, MANAGER, OBJECT_MANAGER, PROPERTIES, ROOT,  # noqa: E402
                       ROUTE, SERVER, Client, DBusCallError, pump)

ERROR = 'org.hearth.Hearth1.Error.'

NOBODY = 65534

def wait_until(fn, timeout=3.0, step=0.05):
    """Poll fn() (pumping the main context) until it returns something
    true or timeout; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        pump()
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def hearthd_version():
    out = subprocess.run([ht.HEARTHD, '--version'], capture_output=True, text=True,
                         timeout=10).stdout
    m = re.match(r'hearthd (\S+)', out)
    assert m, 'unexpected --version output: %r' % out
    return m.group(1)


class DBusTestCase(HearthTestCase):
    """A private bus and a default fake upstream per test; start() runs
    hearthd on the bus and waits until it owns org.hearth.Hearth1."""

    def setUp(self):
        super().setUp()
        if not have_dbus_daemon():
            raise unittest.SkipTest('dbus-daemon not installed')
        self.bus = PrivateBus()
        self.addCleanup(self.bus.close)
        self.up = self.upstream()

    def start(self, *args, default_server=True):
        argv = ['--dbus-address=' + self.bus.address]
        if default_server:
            argv.append('--server=' + self.up.server_arg)
        d = self.daemon(*argv, *args)
        self.wait_owned(d)
        return d

    def wait_owned(self, d, timeout=5.0):
        """Wait (polling the bus) until this hearthd, d, owns the name:
        another one on the same bus may still hold it."""
        deadline = time.monotonic() + timeout
        c = None
        try:
            while True:
                self.assertTrue(d.running(), 'hearthd exited:\n' + d.stderr_text())
                try:
                    if c is None:
                        c = Client(self.bus.address)
                    if c.name_owner_pid() == d.pid:
                        return
                except GLib.Error:
                    if c is not None:
                        c.close()
                    c = None        # the bus is not there (yet)
                if time.monotonic() >= deadline:
                    self.fail('hearthd did not own %s within %.0f s\nstderr:\n%s'
                              % (BUS_NAME, timeout, d.stderr_text()))
                time.sleep(0.05)
        finally:
            if c is not None:
                c.close()

    def client(self):
        c = Client(self.bus.address)
        self.addCleanup(c.close)
        return c

    def assertDBusError(self, name, fn, *args, **kw):
        """fn(*args) must fail with D-Bus error `name` (short names get the
        org.hearth.Hearth1.Error. prefix); returns the error message."""
        if '.' not in name:
            name = ERROR + name
        try:
            ret = fn(*args, **kw)
        except DBusCallError as e:
            self.assertEqual(e.name, name, e.message)
            return e.message
        self.fail('%s%r succeeded (returned %r), expected %s'
                  % (getattr(fn, '__name__', fn), args, ret, name))

    def assertAnswered(self, d, name, want, rdtype='A'):
        r = d.query(name, rdtype)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(ht.answer_texts(r), want, 'answer for %s' % name)
        return r

    def assertCounts(self, name, **counts):
        """assertCounts('www.x', up=1, other=0): queries each upstream
        (attribute of self) has seen for name."""
        for attr, n in counts.items():
            self.assertEqual(getattr(self, attr).count(name), n,
                             'upstream %s saw %s %d times, expected %d'
                             % (attr, name, getattr(self, attr).count(name), n))


# ----------------------------------------------------------------------------

class ManagerPropertiesTest(DBusTestCase):
    def test_version_cache_size_listen(self):
        # --bind-interfaces: sockets on the listen address itself, so the
        # property names it (wildcard mode would show 0.0.0.0).
        d = self.start('--cache-size=1234', '--bind-interfaces')
        c = self.client()
        props = c.get_all(ROOT, MANAGER)
        self.assertEqual(props['Version'], hearthd_version())
        self.assertEqual(props['CacheSize'], 1234)
        self.assertEqual(c.get(ROOT, MANAGER, 'CacheSize'), 1234)
        listen = props['ListenAddresses']
        self.assertIn('127.0.0.1#%d/udp' % d.port, listen)
        self.assertIn('127.0.0.1#%d/tcp' % d.port, listen)

    def test_cache_entries_grow(self):
        for i in range(3):
            self.up.add('e%d.test' % i, 'A', 300, '192.0.2.%d' % (i + 1))
        d = self.start()
        c = self.client()
        before = c.get(ROOT, MANAGER, 'CacheEntries')
        for i in range(3):
            self.assertAnswered(d, 'e%d.test' % i, ['192.0.2.%d' % (i + 1)])
        got = wait_until(lambda: c.get(ROOT, MANAGER, 'CacheEntries') >= before + 3, 3.0)
        self.assertTrue(got, 'CacheEntries %d, expected at least %d within 3 s'
                        % (c.get(ROOT, MANAGER, 'CacheEntries'), before + 3))
        # ... and a client mirroring the state learns it from a signal.
        sig = c.wait_signal(lambda s: s.path == ROOT and s.member == 'PropertiesChanged'
                            and s.args[0] == MANAGER and 'CacheEntries' in s.args[1], 2.0)
        self.assertIsNotNone(sig, 'no PropertiesChanged for CacheEntries')
        self.assertGreater(sig.args[1]['CacheEntries'], before)

    def test_introspect(self):
        self.start()
        c = self.client()
        xml = c.call(ROOT, 'org.freedesktop.DBus.Introspectable', 'Introspect')[0]
        self.assertIn('"%s"' % MANAGER, xml)
        self.assertIn('"%s"' % OBJECT_MANAGER, xml)
        for method in ('AddServer', 'SetServers', 'AddRoute', 'FlushCache', 'Reload',
                       'GetStatistics', 'SetCleanupOnExit'):
            self.assertIn('"%s"' % method, xml)


class ConfigObjectsTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.corp = self.upstream()
        self.d = self.start('--server=/corp/' + self.corp.server_arg,
                            '--local=/lan/', '--address=/ads.example/',
                            '--address=/x.example/1.2.3.4', '--server=/y.example/#')
        self.c = self.client()

    def test_config_servers(self):
        servers = self.c.servers()
        for path in servers:
            self.assertRegex(path, r'^/org/hearth/Hearth1/server/\d+$')
        by_port = {p['Port']: (path, p) for path, p in servers.items()}
        self.assertIn(self.up.port, by_port, servers)
        self.assertIn(self.corp.port, by_port, servers)
        _, default = by_port[self.up.port]
        self.assertEqual(default['Address'], '127.0.0.1')
        self.assertEqual(default['Domains'], [])
        self.assertEqual(default['Owner'], 'config')
        self.assertEqual(default['Route'], '/')
        self.assertEqual(default['Interface'], '')
        self.assertEqual(default['State'], 'up')
        _, corp = by_port[self.corp.port]
        self.assertEqual(corp['Address'], '127.0.0.1')
        self.assertEqual(corp['Domains'], ['corp'])
        self.assertEqual(corp['Owner'], 'config')
        for key in ('Queries', 'Failures', 'NXDomain', 'Retries', 'LatencyMs'):
            self.assertIn(key, corp)
        self.assertEqual(len(servers), 2, servers)

    def test_config_routes(self):
        routes = self.c.routes()
        for path in routes:
            self.assertRegex(path, r'^/org/hearth/Hearth1/route/\d+$')
        by_domain = {r['Domain']: r for r in routes.values()}
        self.assertEqual(set(by_domain), {'lan', 'ads.example', 'x.example', 'y.example'},
                         routes)
        self.assertEqual(by_domain['lan']['Action'], 'local')
        self.assertEqual(by_domain['ads.example']['Action'], 'block')
        self.assertEqual(by_domain['x.example']['Action'], 'address')
        self.assertEqual(by_domain['x.example']['Addresses'], ['1.2.3.4'])
        self.assertEqual(by_domain['y.example']['Action'], 'default')
        for r in by_domain.values():
            self.assertEqual(r['Owner'], 'config')
            self.assertEqual(r['Servers'], [])

    def test_config_objects_read_only(self):
        before = self.c.objects()
        config = list(self.c.servers()) + list(self.c.routes())
        self.assertEqual(len(config), 6)
        for path in config:
            self.assertDBusError('ReadOnly', self.c.delete, path)
        self.assertEqual(set(self.c.objects()), set(before))
        # And they still act.
        self.corp.add('www.corp', 'A', 300, '192.0.2.77')
        self.assertAnswered(self.d, 'www.corp', ['192.0.2.77'])
        self.assertRcode(self.d.query('www.ads.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count(), 0)


class AddServerTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.dyn = self.upstream()
        self.up.add('other.test', 'A', 300, '192.0.2.1')
        for n in ('www', 'www2', 'www3'):
            self.up.add(n + '.dyn.example', 'A', 300, '192.0.2.99')
            self.dyn.add(n + '.dyn.example', 'A', 300, '198.51.100.1')
        self.d = self.start()
        self.c = self.client()

    def test_add_and_delete_server(self):
        c, d = self.c, self.d
        path = c.add_server('127.0.0.1', self.dyn.port, ['dyn.example'])
        self.assertRegex(path, r'^/org/hearth/Hearth1/server/\d+$')
        sig = c.wait_added(path)
        self.assertIsNotNone(sig, 'no InterfacesAdded for %s' % path)
        props = sig.args[1].get(SERVER)
        self.assertIsNotNone(props, sig.args[1])
        self.assertEqual(props['Address'], '127.0.0.1')
        self.assertEqual(props['Port'], self.dyn.port)
        self.assertEqual(props['Interface'], '')
        self.assertEqual(props['Domains'], ['dyn.example'])
        self.assertEqual(props['Owner'], c.name)
        self.assertEqual(props['Route'], '/')
        self.assertEqual(c.get_all(path, SERVER)['Owner'], c.name)
        self.assertIn(path, c.servers())

        # Routing follows the new object.
        self.assertAnswered(d, 'www.dyn.example', ['198.51.100.1'])
        self.assertCounts('www.dyn.example', dyn=1, up=0)
        self.assertAnswered(d, 'other.test', ['192.0.2.1'])
        self.assertCounts('other.test', dyn=0, up=1)

        c.delete(path)
        sig = c.wait_removed(path)
        self.assertIsNotNone(sig, 'no InterfacesRemoved for %s' % path)
        self.assertIn(SERVER, sig.args[1])
        self.assertNotIn(path, c.objects())
        self.assertRaises(DBusCallError, c.get, path, SERVER, 'Address')
        self.assertAnswered(d, 'www2.dyn.example', ['192.0.2.99'])
        self.assertCounts('www2.dyn.example', dyn=0, up=1)

    def test_default_server(self):
        # An empty domain list makes a default server, used for every name
        # no domain route covers.  The daemon starts without one (and is
        # the only one on the bus: setUp's daemon goes first).
        self.d.stop()
        d = self.daemon('--dbus-address=' + self.bus.address)
        self.wait_owned(d)
        c = self.client()
        self.assertNotEqual(d.query('www.dyn.example').rcode(), 0)
        path = c.add_server('127.0.0.1', self.dyn.port, [])
        self.assertEqual(c.get(path, SERVER, 'Domains'), [])
        self.assertAnswered(d, 'www2.dyn.example', ['198.51.100.1'])
        self.assertEqual(self.dyn.count('www2.dyn.example'), 1)
        c.delete(path)
        self.assertNotEqual(d.query('www3.dyn.example').rcode(), 0)
        self.assertEqual(self.dyn.count('www3.dyn.example'), 0)

    def test_domain_spelling(self):
        # Upper case and a trailing dot, as the config file allows.
        path = self.c.add_server('127.0.0.1', self.dyn.port, ['DYN.Example.'])
        self.assertAnswered(self.d, 'www3.dyn.example', ['198.51.100.1'])
        self.assertCounts('www3.dyn.example', dyn=1, up=0)
        self.assertEqual([x.lower().rstrip('.') for x in self.c.get(path, SERVER, 'Domains')],
                         ['dyn.example'])

    def test_interface(self):
        if not ht.is_root():
            raise unittest.SkipTest('binding to an interface needs root')
        path = self.c.add_server('127.0.0.1', self.dyn.port, ['dyn.example'], interface='lo')
        self.assertEqual(self.c.get(path, SERVER, 'Interface'), 'lo')
        self.assertAnswered(self.d, 'www.dyn.example', ['198.51.100.1'])
        self.assertCounts('www.dyn.example', dyn=1, up=0)

    def test_port_zero_and_ipv6(self):
        p = self.c.add_server('127.0.0.1', 0, ['zero.example'])
        self.assertEqual(self.c.get(p, SERVER, 'Port'), 53)
        p6 = self.c.add_server('::1', 5353, ['six.example'])
        self.assertEqual(self.c.get(p6, SERVER, 'Address'), '::1')
        self.assertEqual(self.c.get(p6, SERVER, 'Port'), 5353)


class CacheTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.dyn = self.upstream()
        self.up.add('keep.test', 'A', 300, '192.0.2.1')
        self.up.add('www.dyn.example', 'A', 300, '192.0.2.2')
        self.dyn.add('www.dyn.example', 'A', 300, '198.51.100.2')
        for n in ('flush.test', 'a.flush.test', 'b.sub.flush.test', 'flushx.test', 'other.test'):
            self.up.add(n, 'A', 300, '192.0.2.3')
        self.d = self.start()
        self.c = self.client()

    def test_route_change_keeps_unrelated_cache(self):
        c, d = self.c, self.d
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertAnswered(d, 'www.dyn.example', ['192.0.2.2'])
        self.assertCounts('keep.test', up=1)
        self.assertCounts('www.dyn.example', up=1, dyn=0)

        path = c.add_server('127.0.0.1', self.dyn.port, ['dyn.example'])
        # Outside the changed domain: still from the cache.
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertCounts('keep.test', up=1)
        # Under it: the cached answer came through a route that changed.
        self.assertAnswered(d, 'www.dyn.example', ['198.51.100.2'])
        self.assertCounts('www.dyn.example', up=1, dyn=1)
        # Now cached from the new server.
        self.assertAnswered(d, 'www.dyn.example', ['198.51.100.2'])
        self.assertCounts('www.dyn.example', up=1, dyn=1)

        c.delete(path)
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertCounts('keep.test', up=1)
        self.assertAnswered(d, 'www.dyn.example', ['192.0.2.2'])
        self.assertCounts('www.dyn.example', up=2, dyn=1)

    def test_route_change_keeps_unrelated_cache_for_routes(self):
        c, d = self.c, self.d
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertAnswered(d, 'www.dyn.example', ['192.0.2.2'])
        path = c.add_route('dyn.example', 'block')
        self.assertRcode(d.query('www.dyn.example'), 'NXDOMAIN')
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        c.delete(path)
        self.assertAnswered(d, 'www.dyn.example', ['192.0.2.2'])
        self.assertCounts('www.dyn.example', up=2)
        self.assertCounts('keep.test', up=1)

    def test_clear_on_reload_clears_all(self):
        # With --clear-on-reload a route change clears the whole cache, as
        # dnsmasq does on every change.  (setUp's daemon leaves the bus
        # first: the name must be this one's.)
        self.d.stop()
        d = self.daemon('--dbus-address=' + self.bus.address, '--server=' + self.up.server_arg,
                        '--clear-on-reload')
        self.wait_owned(d)
        c = self.client()
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        c.add_server('127.0.0.1', self.dyn.port, ['dyn.example'])
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertCounts('keep.test', up=2)

    def test_flush_domain(self):
        c, d = self.c, self.d
        names = ['flush.test', 'a.flush.test', 'b.sub.flush.test', 'flushx.test', 'other.test']
        for n in names:
            self.assertAnswered(d, n, ['192.0.2.3'])
        c.mgr('FlushCache', '(s)', 'flush.test')
        for n in names:
            self.assertAnswered(d, n, ['192.0.2.3'])
        # The domain and every name under it were asked again; a name that
        # merely ends in the same letters was not.
        self.assertCounts('flush.test', up=2)
        self.assertCounts('a.flush.test', up=2)
        self.assertCounts('b.sub.flush.test', up=2)
        self.assertCounts('flushx.test', up=1)
        self.assertCounts('other.test', up=1)

    def test_flush_all(self):
        c, d = self.c, self.d
        for n in ('keep.test', 'other.test'):
            d.query(n)
        d.query('keep.test')
        self.assertCounts('keep.test', up=1)
        c.mgr('FlushCache', '(s)', '')
        d.query('keep.test')
        d.query('other.test')
        self.assertCounts('keep.test', up=2)
        self.assertCounts('other.test', up=2)

    def test_flush_bad_domain(self):
        self.d.query('keep.test')
        self.assertDBusError('InvalidArgument', self.c.mgr, 'FlushCache', '(s)', 'bad domain!')
        self.d.query('keep.test')
        self.assertCounts('keep.test', up=1)

    def test_reload_clears_cache(self):
        c, d = self.c, self.d
        d.query('keep.test')
        d.query('keep.test')
        self.assertCounts('keep.test', up=1)
        c.mgr('Reload')
        self.assertAnswered(d, 'keep.test', ['192.0.2.1'])
        self.assertCounts('keep.test', up=2)
        self.assertTrue(d.running())


class SetServersTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.a = self.upstream()
        self.a2 = self.upstream()
        self.b = self.upstream()
        self.x = self.upstream()
        for up, label in ((self.up, 'up'), (self.a, 'a'), (self.a2, 'a2'),
                          (self.b, 'b'), (self.x, 'x')):
            for dom in ('a', 'a2', 'b', 'x', 'cfg'):
                for n in range(3):
                    up.add('w%d.%s.example' % (n, dom), 'TXT', 300, '"%s"' % label)
        self.cfg = self.upstream()
        for n in range(3):
            self.cfg.add('w%d.cfg.example' % n, 'TXT', 300, '"cfg"')
        self.d = self.start('--server=/cfg.example/' + self.cfg.server_arg)
        self.c1 = self.client()
        self.c2 = self.client()

    def who(self, name):
        r = self.d.query(name, 'TXT')
        texts = ht.answer_texts(r, 'TXT')
        return texts[0].strip('"') if texts else None

    def test_replaces_only_own_servers(self):
        c1, c2 = self.c1, self.c2
        other = c2.add_server('127.0.0.1', self.b.port, ['b.example'])
        mine_before = c1.add_server('127.0.0.1', self.x.port, ['x.example'])
        # Routes are not servers: SetServers leaves the caller's alone.
        my_route = c1.add_route('blocked.example', 'block')
        paths = c1.set_servers([('127.0.0.1', self.a.port, '', ['a.example']),
                                ('127.0.0.1', self.a2.port, '', ['a2.example'])])
        self.assertEqual(len(paths), 2)
        servers = c1.servers()
        for p in paths:
            self.assertEqual(servers[p]['Owner'], c1.name)
        self.assertEqual(servers[paths[0]]['Port'], self.a.port)
        self.assertEqual(servers[paths[1]]['Port'], self.a2.port)
        # The caller's AddServer server is replaced too; others' stay.
        self.assertNotIn(mine_before, servers)
        self.assertIsNotNone(c1.wait_removed(mine_before), 'no InterfacesRemoved')
        self.assertIn(other, servers)
        self.assertEqual(servers[other]['Owner'], c2.name)
        self.assertIn('config', [s['Owner'] for s in servers.values()])

        self.assertIn(my_route, c1.objects())
        self.assertRcode(self.d.query('www.blocked.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count('www.blocked.example'), 0)
        self.assertEqual(self.who('w0.a.example'), 'a')
        self.assertEqual(self.who('w0.a2.example'), 'a2')
        self.assertEqual(self.who('w0.b.example'), 'b')
        self.assertEqual(self.who('w0.x.example'), 'up')
        self.assertEqual(self.who('w0.cfg.example'), 'cfg')

        # Wait until the first server's counter is published, to see that
        # it survives the next call.
        self.assertTrue(wait_until(lambda: c1.get(paths[0], SERVER, 'Queries') >= 1, 3.0),
                        'Queries of %s not published within 3 s' % paths[0])
        again = c1.set_servers([('127.0.0.1', self.a.port, '', ['a.example']),
                                ('127.0.0.1', self.x.port, '', ['x.example'])])
        self.assertEqual(again[0], paths[0], 'an unchanged server must keep its object')
        self.assertNotEqual(again[1], paths[1])
        self.assertGreaterEqual(c1.get(again[0], SERVER, 'Queries'), 1,
                                'an unchanged server must keep its counters')
        self.assertIsNotNone(c1.wait_removed(paths[1]), 'no InterfacesRemoved for %s' % paths[1])
        self.assertIsNotNone(c1.wait_added(again[1]), 'no InterfacesAdded for %s' % again[1])
        servers = c1.servers()
        self.assertNotIn(paths[1], servers)
        self.assertIn(other, servers)
        self.assertEqual(self.who('w1.a2.example'), 'up')
        self.assertEqual(self.who('w1.x.example'), 'x')
        self.assertEqual(self.who('w1.b.example'), 'b')

        # An empty list removes all of the caller's servers, nothing else.
        self.assertEqual(c1.set_servers([]), [])
        servers = c1.servers()
        self.assertEqual([p for p, s in servers.items() if s['Owner'] == c1.name], [])
        self.assertIn(other, servers)
        self.assertEqual(len([s for s in servers.values() if s['Owner'] == 'config']), 2)
        self.assertEqual(self.who('w2.a.example'), 'up')
        self.assertEqual(self.who('w2.b.example'), 'b')
        self.assertEqual(self.who('w2.cfg.example'), 'cfg')
        self.assertIn(my_route, c1.objects())

    def test_bad_entry_applies_nothing(self):
        c1 = self.c1
        first = c1.set_servers([('127.0.0.1', self.a.port, '', ['a.example'])])
        before = c1.objects()
        msg = self.assertDBusError('InvalidArgument', c1.set_servers,
                                   [('127.0.0.1', self.x.port, '', ['x.example']),
                                    ('1.2.3', 53, '', [])])
        self.assertIn('1.2.3', msg)
        self.assertEqual(set(c1.objects()), set(before))
        self.assertIn(first[0], c1.objects())
        self.assertEqual(self.who('w0.a.example'), 'a')
        self.assertEqual(self.who('w0.x.example'), 'up')


class AddRouteTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.fwd = self.upstream()
        self.corp = self.upstream()
        for n in ('www', 'www2'):
            self.fwd.add(n + '.fwd.example', 'A', 300, '198.51.100.7')
            self.up.add(n + '.fwd.example', 'A', 300, '192.0.2.7')
        self.corp.add('www.corp.example', 'A', 300, '198.51.100.8')
        self.up.add('www.pub.corp.example', 'A', 300, '192.0.2.8')
        self.corp.add('www.pub.corp.example', 'A', 300, '198.51.100.9')
        self.d = self.start('--server=/corp.example/' + self.corp.server_arg)
        self.c = self.client()

    def test_forward_route(self):
        c, d = self.c, self.d
        route = c.add_route('fwd.example', 'forward', ['127.0.0.1#%d' % self.fwd.port])
        self.assertRegex(route, r'^/org/hearth/Hearth1/route/\d+$')
        sig = c.wait_added(route)
        self.assertIsNotNone(sig, 'no InterfacesAdded for the route')
        rprops = c.get_all(route, ROUTE)
        self.assertEqual(rprops['Domain'], 'fwd.example')
        self.assertEqual(rprops['Action'], 'forward')
        self.assertEqual(rprops['Owner'], c.name)
        self.assertEqual(len(rprops['Servers']), 1, rprops)
        child = rprops['Servers'][0]
        self.assertIsNotNone(c.wait_added(child), 'no InterfacesAdded for the route server')
        sprops = c.get_all(child, SERVER)
        self.assertEqual(sprops['Route'], route)
        self.assertEqual(sprops['Address'], '127.0.0.1')
        self.assertEqual(sprops['Port'], self.fwd.port)
        self.assertEqual(sprops['Owner'], c.name)

        self.assertAnswered(d, 'www.fwd.example', ['198.51.100.7'])
        self.assertCounts('www.fwd.example', fwd=1, up=0)

        self.assertDBusError('ReadOnly', c.delete, child)
        self.assertIn(child, c.objects())

        c.delete(route)
        self.assertIsNotNone(c.wait_removed(route), 'no InterfacesRemoved for the route')
        self.assertIsNotNone(c.wait_removed(child), 'no InterfacesRemoved for its server')
        objs = c.objects()
        self.assertNotIn(route, objs)
        self.assertNotIn(child, objs)
        self.assertAnswered(d, 'www2.fwd.example', ['192.0.2.7'])
        self.assertCounts('www2.fwd.example', fwd=0, up=1)

    def test_forward_route_several_servers(self):
        other = self.upstream()
        route = self.c.add_route('fwd.example', 'forward',
                                 ['127.0.0.1#%d' % self.fwd.port, '127.0.0.1#%d' % other.port])
        children = self.c.get(route, ROUTE, 'Servers')
        self.assertEqual(len(children), 2)
        self.assertEqual(sorted(self.c.get(p, SERVER, 'Port') for p in children),
                         sorted([self.fwd.port, other.port]))
        for p in children:
            self.assertEqual(self.c.get(p, SERVER, 'Route'), route)

    def test_local_route(self):
        c, d = self.c, self.d
        route = c.add_route('loc.example', 'local')
        self.assertEqual(c.get(route, ROUTE, 'Action'), 'local')
        self.assertEqual(c.get(route, ROUTE, 'Servers'), [])
        for n in ('www.loc.example', 'a.b.loc.example'):
            self.assertRcode(d.query(n), 'NXDOMAIN')
        self.assertEqual(self.up.count(), 0)
        c.delete(route)
        d.query('www2.loc.example')
        self.assertCounts('www2.loc.example', up=1)

    def test_block_route(self):
        c, d = self.c, self.d
        self.up.add('blk.example', 'A', 300, '192.0.2.9')
        self.up.add('www.blk.example', 'A', 300, '192.0.2.9')
        route = c.add_route('blk.example', 'block')
        self.assertEqual(c.get(route, ROUTE, 'Action'), 'block')
        for n in ('blk.example', 'www.blk.example'):
            self.assertRcode(d.query(n), 'NXDOMAIN')
            self.assertRcode(d.query(n, 'AAAA'), 'NXDOMAIN')
        self.assertEqual(self.up.count(), 0)
        # A sibling that only shares the suffix text is not blocked.
        self.up.add('xblk.example', 'A', 300, '192.0.2.10')
        self.assertAnswered(d, 'xblk.example', ['192.0.2.10'])

    def test_default_route(self):
        c, d = self.c, self.d
        route = c.add_route('pub.corp.example', 'default')
        self.assertEqual(c.get(route, ROUTE, 'Action'), 'default')
        self.assertAnswered(d, 'www.pub.corp.example', ['192.0.2.8'])
        self.assertCounts('www.pub.corp.example', up=1, corp=0)
        self.assertAnswered(d, 'www.corp.example', ['198.51.100.8'])
        self.assertCounts('www.corp.example', up=0, corp=1)

    def test_bad_routes(self):
        c = self.c
        before = set(c.objects())
        up = '127.0.0.1#%d' % self.fwd.port
        self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'frobnicate', [])
        self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'forward', [])
        self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'local', [up])
        self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'block', [up])
        self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'default', [up])
        self.assertDBusError('InvalidArgument', c.add_route, 'bad domain!', 'block', [])
        # One bad server among good ones: nothing applied.
        msg = self.assertDBusError('InvalidArgument', c.add_route, 'z.example', 'forward',
                                   [up, '1.2.3'])
        self.assertIn('1.2.3', msg)
        self.assertEqual(set(c.objects()), before)
        pump(0.2)
        self.assertEqual([s for s in c.signals if s.member == 'InterfacesAdded'], [])


class ErrorTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.d = self.start()
        self.c = self.client()

    def test_invalid_arguments(self):
        c = self.c
        before = set(c.objects())
        msg = self.assertDBusError('InvalidArgument', c.add_server, '1.2.3', 53, [])
        self.assertIn('1.2.3', msg)
        msg = self.assertDBusError('InvalidArgument', c.add_server, '127.0.0.1', 53,
                                   ['ok.example', 'bad domain!'])
        self.assertIn('bad domain!', msg)
        self.assertDBusError('InvalidArgument', c.add_server, '127.0.0.1', 53,
                             ['d%d.example' % i for i in range(10000)])
        big = 'a' * 100000
        self.assertDBusError('InvalidArgument', c.add_server, big, 53, [])
        self.assertDBusError('InvalidArgument', c.add_server, '127.0.0.1', 53, [big])
        self.assertDBusError('InvalidArgument', c.add_server, '127.0.0.1', 53, [], interface=big)
        self.assertDBusError('InvalidArgument', c.add_route, big, 'block', [])
        self.assertDBusError('InvalidArgument', c.mgr, 'FlushCache', '(s)', big)
        self.assertEqual(set(c.objects()), before)
        self.assertTrue(self.d.running())
        # The daemon still works after all that.
        self.up.add('still.test', 'A', 300, '192.0.2.1')
        self.assertAnswered(self.d, 'still.test', ['192.0.2.1'])

    def test_read_only_config_server(self):
        servers = self.c.servers()
        self.assertEqual(len(servers), 1)
        (path,) = servers
        self.assertDBusError('ReadOnly', self.c.delete, path)
        self.assertIn(path, self.c.servers())

    def test_deleted_twice(self):
        path = self.c.add_server('127.0.0.1', 5353, ['gone.example'])
        self.c.delete(path)
        self.assertRaises(DBusCallError, self.c.delete, path)

    def test_per_caller_limit(self):
        c = self.c
        added = []
        for i in range(250):
            added.append(c.add_server('127.0.0.1', 5353, ['cap%d.example' % i]))
        for i in range(6):
            added.append(c.add_route('rcap%d.example' % i, 'block'))
        self.assertEqual(len(set(added)), 256)
        count = len(c.objects())
        self.assertDBusError('LimitExceeded', c.add_server, '127.0.0.1', 5353, ['over.example'])
        self.assertDBusError('LimitExceeded', c.add_route, 'over.example', 'block')
        self.assertEqual(len(c.objects()), count)
        self.assertRcode(self.d.query('www.over.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count('www.over.example'), 1)
        # Others are not limited by this caller's objects.
        other = self.client()
        p = other.add_server('127.0.0.1', 5353, ['other.example'])
        self.assertEqual(other.get(p, SERVER, 'Owner'), other.name)
        # Freeing one makes room for one.
        c.delete(added[0])
        c.add_server('127.0.0.1', 5353, ['again.example'])
        self.assertDBusError('LimitExceeded', c.add_server, '127.0.0.1', 5353, ['over.example'])


    def test_set_servers_limit(self):
        c = self.c
        for i in range(10):
            c.add_route('r%d.example' % i, 'block')

        def servers(n, base):
            return [('127.0.0.1', base + i, '', ['s%d.example' % i]) for i in range(n)]
        self.assertEqual(len(c.set_servers(servers(246, 20000))), 246)
        # Replacing them all is no growth.
        self.assertEqual(len(c.set_servers(servers(246, 30000))), 246)
        count = len(c.objects())
        self.assertDBusError('LimitExceeded', c.set_servers, servers(247, 40000))
        self.assertEqual(len(c.objects()), count)
        self.assertEqual(sorted(s['Port'] for s in c.servers().values() if s['Owner'] == c.name),
                         list(range(30000, 30246)))
        # A list longer than any caller may own is refused outright.
        try:
            c.set_servers(servers(300, 40000))
            self.fail('SetServers with 300 servers succeeded')
        except DBusCallError as e:
            self.assertIn(e.name, (ERROR + 'InvalidArgument', ERROR + 'LimitExceeded'), e.message)
        self.assertEqual(len(c.objects()), count)


class CleanupOnExitTest(DBusTestCase):
    def setUp(self):
        super().setUp()
        self.dyn = self.upstream()
        for n in range(4):
            self.dyn.add('w%d.dyn.example' % n, 'A', 300, '198.51.100.1')
            self.up.add('w%d.dyn.example' % n, 'A', 300, '192.0.2.1')
        self.d = self.start()
        self.watcher = self.client()

    def test_cleanup_when_caller_leaves(self):
        w, d = self.watcher, self.d
        c2 = self.client()
        # Created before the call: also removed (the doc says so).
        server = c2.add_server('127.0.0.1', self.dyn.port, ['dyn.example'])
        c2.mgr('SetCleanupOnExit', '(b)', True)
        route = c2.add_route('blk2.example', 'block')
        self.assertAnswered(d, 'w0.dyn.example', ['198.51.100.1'])
        self.assertRcode(d.query('www.blk2.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count('www.blk2.example'), 0)

        c2.close()
        self.assertIsNotNone(w.wait_removed(server), 'server not removed when its owner left')
        self.assertIsNotNone(w.wait_removed(route), 'route not removed when its owner left')
        objs = w.objects()
        self.assertNotIn(server, objs)
        self.assertNotIn(route, objs)
        self.assertAnswered(d, 'w1.dyn.example', ['192.0.2.1'])
        self.assertCounts('w1.dyn.example', up=1, dyn=0)
        d.query('www2.blk2.example')
        self.assertEqual(self.up.count('www2.blk2.example'), 1)

    def test_objects_stay_without_cleanup(self):
        w, d = self.watcher, self.d
        keep = self.client()
        kept_server = keep.add_server('127.0.0.1', self.dyn.port, ['dyn.example'])
        kept_route = keep.add_route('blk3.example', 'block')
        switched = self.client()
        switched.mgr('SetCleanupOnExit', '(b)', True)
        switched.mgr('SetCleanupOnExit', '(b)', False)
        switched_server = switched.add_server('127.0.0.1', 5353, ['sw.example'])
        # A caller that does clean up, leaving last: once its objects are
        # gone the daemon has also seen the others leave.
        marker = self.client()
        marker.mgr('SetCleanupOnExit', '(b)', True)
        marker_server = marker.add_server('127.0.0.1', 5353, ['marker.example'])
        keep.close()
        switched.close()
        marker.close()
        self.assertIsNotNone(w.wait_removed(marker_server), 'cleanup on exit did not happen')
        objs = w.objects()
        for p in (kept_server, kept_route, switched_server):
            self.assertIn(p, objs, 'object removed although cleanup was not asked')
        self.assertEqual([s.args[0] for s in w.signals if s.member == 'InterfacesRemoved'],
                         [marker_server])
        self.assertAnswered(d, 'w2.dyn.example', ['198.51.100.1'])
        self.assertRcode(d.query('www.blk3.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count('www.blk3.example'), 0)


class PropertiesChangedTest(DBusTestCase):
    def test_server_counters(self):
        dyn = self.upstream()
        dyn.add('www.dyn.example', 'A', 300, '198.51.100.1')
        d = self.start()
        c = self.client()
        path = c.add_server('127.0.0.1', dyn.port, ['dyn.example'])
        self.assertEqual(c.get(path, SERVER, 'Queries'), 0)
        self.assertAnswered(d, 'www.dyn.example', ['198.51.100.1'])
        self.assertRcode(d.query('missing.dyn.example'), 'NXDOMAIN')
        sig = c.wait_signal(lambda s: s.path == path and s.member == 'PropertiesChanged'
                            and s.args[0] == SERVER and s.args[1].get('Queries', 0) >= 1, 3.0)
        self.assertIsNotNone(sig, 'no PropertiesChanged with Queries for %s within 3 s' % path)
        self.assertTrue(wait_until(lambda: c.get(path, SERVER, 'Queries') == 2
                                   and c.get(path, SERVER, 'NXDomain') == 1, 3.0),
                        'Queries %d NXDomain %d, expected 2 and 1'
                        % (c.get(path, SERVER, 'Queries'), c.get(path, SERVER, 'NXDomain')))
        self.assertEqual(c.get(path, SERVER, 'Failures'), 0)
        self.assertEqual(c.get(path, SERVER, 'State'), 'up')
        # The default server was not used.
        (cfg,) = [p for p, s in c.servers().items() if s['Owner'] == 'config']
        self.assertEqual(c.get(cfg, SERVER, 'Queries'), 0)

    def test_failures_counted(self):
        def refuse(query, proto, raw, addr):
            r = dns.message.make_response(query)
            r.set_rcode(dns.rcode.REFUSED)
            return r
        bad = self.upstream(handler=refuse)
        d = self.start()
        c = self.client()
        path = c.add_server('127.0.0.1', bad.port, ['bad.example'])
        self.assertEqual(c.get(path, SERVER, 'State'), 'up')
        d.query('www.bad.example', timeout=8)
        self.assertGreaterEqual(bad.count('www.bad.example'), 1)
        self.assertTrue(wait_until(lambda: c.get(path, SERVER, 'Failures') >= 1, 3.0),
                        'Failures not counted for a server that answers REFUSED')
        self.assertTrue(wait_until(lambda: c.get(path, SERVER, 'State') == 'failing', 3.0),
                        'State %r, expected failing' % c.get(path, SERVER, 'State'))


class StatisticsTest(DBusTestCase):
    def test_get_statistics(self):
        self.up.add('s.test', 'A', 300, '192.0.2.1')
        d = self.start()
        c = self.client()
        s0 = c.mgr('GetStatistics')
        for key in ('queries-udp', 'queries-tcp', 'cache-answers', 'local-answers',
                    'forwarded', 'merged', 'answered', 'servfail', 'cache-hits',
                    'cache-misses', 'cache-insertions', 'cache-evictions',
                    'cache-entries', 'in-flight'):
            self.assertIn(key, s0)
        d.query('s.test')
        d.query('s.test')
        d.query('s.test', tcp=True)
        s1 = c.mgr('GetStatistics')
        self.assertGreaterEqual(s1['queries-udp'] - s0['queries-udp'], 2)
        self.assertGreaterEqual(s1['queries-tcp'] - s0['queries-tcp'], 1)
        self.assertEqual(s1['forwarded'] - s0['forwarded'], 1)
        self.assertGreaterEqual(s1['cache-hits'] - s0['cache-hits'], 2)
        self.assertGreaterEqual(s1['cache-insertions'] - s0['cache-insertions'], 1)
        # 'answered' counts upstream transactions: one here.
        self.assertGreaterEqual(s1['answered'] - s0['answered'], 1)
        self.assertGreaterEqual(s1['cache-entries'], 1)


class UnprivilegedTest(DBusTestCase):
    """A caller that is neither root nor hearthd's user, on a bus whose
    policy lets everyone call everything: hearthd itself must refuse."""

    def setUp(self):
        super().setUp()
        if not ht.is_root():
            raise unittest.SkipTest('needs root to switch to uid %d' % NOBODY)
        self.up.add('keep.test', 'A', 300, '192.0.2.1')
        self.d = self.start()
        self.c = self.client()
        self.server = self.c.add_server('127.0.0.1', 5353, ['mine.example'])
        self.route = self.c.add_route('mine2.example', 'block')

    def gdbus_call(self, path, method, *args):
        return self.bus.gdbus('call', '--dest', BUS_NAME, '--object-path', path,
                              '--method', method, *args, check=False, user=NOBODY)

    def test_mutating_methods_refused(self):
        d, c = self.d, self.c
        d.query('keep.test')
        before = c.objects()
        calls = [
            (ROOT, MANAGER + '.AddServer', "'127.0.0.1'", 'uint16 5353', "''", "@as ['evil.example']"),
            (ROOT, MANAGER + '.AddServer', "'127.0.0.1'", 'uint16 5353', "''", '@as []'),
            (ROOT, MANAGER + '.SetServers', "@a(sqsas) [('127.0.0.1', 5353, '', ['evil.example'])]"),
            (ROOT, MANAGER + '.SetServers', '@a(sqsas) []'),
            (ROOT, MANAGER + '.AddRoute', "'evil.example'", "'block'", '@as []'),
            (ROOT, MANAGER + '.FlushCache', "''"),
            (ROOT, MANAGER + '.FlushCache', "'keep.test'"),
            (ROOT, MANAGER + '.Reload'),
            (ROOT, MANAGER + '.SetCleanupOnExit', 'true'),
            (self.server, SERVER + '.Delete'),
            (self.route, ROUTE + '.Delete'),
        ]
        for path, method, *args in calls:
            r = self.gdbus_call(path, method, *args)
            self.assertNotEqual(r.returncode, 0, '%s %s succeeded as uid %d: %s'
                                % (method, args, NOBODY, r.stdout))
            self.assertIn(ERROR + 'AccessDenied', r.stderr, '%s %s' % (method, args))
        # busctl too (it reports only the message, so just the refusal).
        r = self.bus.busctl('call', BUS_NAME, ROOT, MANAGER, 'AddRoute', 'ssas',
                            'evil2.example', 'block', '0', check=False, user=NOBODY)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        # Nothing changed: no objects, and the cache was not flushed.
        self.assertEqual(set(c.objects()), set(before))
        d.query('keep.test')
        self.assertEqual(self.up.count('keep.test'), 1)
        self.assertRcode(d.query('www.mine2.example'), 'NXDOMAIN')
        self.assertEqual(self.up.count('www.mine2.example'), 0)

    def test_reading_allowed(self):
        version = hearthd_version()
        r = self.gdbus_call(ROOT, PROPERTIES + '.Get', "'%s'" % MANAGER, "'Version'")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(version, r.stdout)
        r = self.gdbus_call(ROOT, PROPERTIES + '.GetAll', "'%s'" % MANAGER)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('CacheEntries', r.stdout)
        r = self.gdbus_call(self.server, PROPERTIES + '.GetAll', "'%s'" % SERVER)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('mine.example', r.stdout)
        r = self.gdbus_call(ROOT, OBJECT_MANAGER + '.GetManagedObjects')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.server, r.stdout)
        self.assertIn(self.route, r.stdout)
        r = self.gdbus_call(ROOT, MANAGER + '.GetStatistics')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('queries-udp', r.stdout)
        r = self.bus.gdbus('introspect', '--dest', BUS_NAME, '--object-path', ROOT,
                           check=False, user=NOBODY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(MANAGER, r.stdout)
        r = self.bus.busctl('get-property', BUS_NAME, ROOT, MANAGER, 'Version',
                            check=False, user=NOBODY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(version, r.stdout)
        r = self.bus.busctl('introspect', BUS_NAME, self.route, check=False, user=NOBODY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(ROUTE, r.stdout)

    def test_root_may(self):
        # The same gdbus call as root succeeds, so the refusals above are
        # about the caller and not about how gdbus was used.
        r = self.bus.gdbus('call', '--dest', BUS_NAME, '--object-path', ROOT, '--method',
                           MANAGER + '.AddRoute', "'ok.example'", "'block'", '@as []',
                           check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('/org/hearth/Hearth1/route/', r.stdout)


class ResolvFileTest(DBusTestCase):
    """Nameservers of a resolv file are Server objects owned by
    "resolv:PATH"; Reload() reads the file again.  No query is sent: the
    addresses only need to differ."""

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix='hearth-dbus-')
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.resolv = os.path.join(self.dir, 'resolv.conf')
        self.write('127.0.0.201', mtime=1000000000)

    def write(self, address, mtime):
        tmp = self.resolv + '.new'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write('nameserver %s\n' % address)
        # A different mtime whatever the clock says, for a daemon that
        # re-reads only a file that changed.
        os.utime(tmp, (mtime, mtime))
        os.rename(tmp, self.resolv)

    def resolv_servers(self, c):
        return {p: s for p, s in c.servers().items() if s['Owner'] == 'resolv:' + self.resolv}

    def test_resolv_servers_and_reload(self):
        port = ht.free_port()
        d = self.daemon('-k', '--conf-file=/dev/null', '--no-hosts', '--no-poll',
                        '--port=%d' % port, '--listen-address=127.0.0.1',
                        '--resolv-file=' + self.resolv, '--dbus-address=' + self.bus.address,
                        defaults=False, port=port)
        self.wait_owned(d)
        c = self.client()
        first = self.resolv_servers(c)
        self.assertEqual([(s['Address'], s['Port'], s['Domains']) for s in first.values()],
                         [('127.0.0.201', 53, [])], c.servers())
        (path,) = first
        self.assertDBusError('ReadOnly', c.delete, path)

        self.write('127.0.0.202', mtime=1000000100)
        c.mgr('Reload')
        self.assertIsNotNone(c.wait_removed(path), 'the old nameserver was not removed')
        second = self.resolv_servers(c)
        self.assertEqual([s['Address'] for s in second.values()], ['127.0.0.202'])
        (new_path,) = second
        self.assertIsNotNone(c.wait_added(new_path), 'no InterfacesAdded for the new nameserver')


class BusRestartTest(DBusTestCase):
    def test_bus_goes_away_and_comes_back(self):
        dyn = self.upstream()
        for n in range(3):
            dyn.add('w%d.dyn.example' % n, 'A', 300, '198.51.100.1')
        self.up.add('during.test', 'A', 300, '192.0.2.1')
        d = self.start()
        c = self.client()
        server = c.add_server('127.0.0.1', dyn.port, ['dyn.example'])
        config = [p for p, s in c.servers().items() if s['Owner'] == 'config']
        self.assertEqual(len(config), 1)
        c.close()

        self.bus.stop()
        # DNS goes on, with the routing it had.
        self.assertAnswered(d, 'during.test', ['192.0.2.1'])
        self.assertAnswered(d, 'w0.dyn.example', ['198.51.100.1'])
        self.assertTrue(d.running())

        self.bus.start()
        self.wait_owned(d, timeout=10.0)
        c = self.client()
        objs = c.objects()
        self.assertIn(config[0], objs)
        self.assertIn(server, objs, 'a D-Bus server without cleanup-on-exit was lost')
        self.assertEqual(c.get(ROOT, MANAGER, 'Version'), hearthd_version())
        # And it takes calls on the new bus.
        # (A longer name: for one domain, servers win over a block, as
        # --server wins over --address=/dom/ in dnsmasq.)
        route = c.add_route('w1.dyn.example', 'block')
        self.assertRcode(d.query('w1.dyn.example'), 'NXDOMAIN')
        c.delete(route)
        self.assertAnswered(d, 'w2.dyn.example', ['198.51.100.1'])

    def test_no_bus_at_start(self):
        self.bus.stop()
        d = self.daemon('--dbus-address=' + self.bus.address, '--server=' + self.up.server_arg)
        self.up.add('nobus.test', 'A', 300, '192.0.2.1')
        self.assertAnswered(d, 'nobus.test', ['192.0.2.1'])
        self.bus.start()
        self.wait_owned(d, timeout=10.0)
        self.assertIn(self.up.port, [s['Port'] for s in self.client().servers().values()])


if __name__ == '__main__':
    ht.main()
