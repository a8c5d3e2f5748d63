#!/usr/bin/python3
"""Behaviour tests: dnsmasq's D-Bus interface, as hearthd offers it.

A drop-in for dnsmasq must answer NetworkManager, libvirt and people's
scripts exactly as dnsmasq 2.90 does on uk.org.thekelleys.dnsmasq (or the
name given to --enable-dbus) at /uk/org/thekelleys/dnsmasq.  These tests
call it the way those clients do, with the gdbus and busctl command-line
tools on a private dbus-daemon, and check what routing, caching and answers
result through fake upstreams.  Bus errors whose name a client tool does not
print are read with a Gio call.

The same tests run against the reference (HEARTH_REFERENCE=dnsmasq); where
hearth's contract deliberately differs (atomic server lists, access control,
SetFilterA honouring its argument, ...) the test is marked dnsmasq_differs.
hearth's own org.hearth.Hearth1 interface has its own test file.

Facts established against dnsmasq 2.90 (kept here because several differ
from dnsmasq's own documentation):
  - the interface name of a call is ignored (GetVersion answers under any);
    Introspect shows the methods under the bus name, and no Up signal;
  - SetServers' UINT32 is the address as a number, 127.0.0.1 = 2130706433
    (dnsmasq applies ntohl to the host-order value), always port 53;
    the IPv6 form is 16 separate BYTE arguments, not an array;
  - an invalid server in a list makes the call fail with InvalidArgs but
    keeps the servers before it (hearth applies all or nothing);
  - SetServersEx quotes the domain, not the address, in its message
    ("Invalid IP address '(null)': ..."); SetDomainServers quotes the
    address; '1.2.3' is accepted as 1.2.0.3 (getaddrinfo);
  - SetFilterA/SetFilterAAAA ignore their argument: they only switch on
    (and filter the answer after forwarding the query);
  - SetServers drops 0.0.0.0 silently (its docs say: local domains);
  - a server with several domains keeps its #port for the first only;
  - dnsmasq does not connect again after the bus went away;
  - a second SetFilterA or SetFilterAAAA call makes dnsmasq hang;
  - there is no access control beyond the bus policy.
"""

import ipaddress
import os
import random
import re
import signal
import time
import unittest

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs
from dbustest import PrivateBus, have_dbus_daemon

try:
    from gi.repository import Gio, GLib
except ImportError:          # pragma: no cover - Debian has python3-gi
    Gio = GLib = None

DM_PATH = '/uk/org/thekelleys/dnsmasq'
DEFAULT_NAME = 'uk.org.thekelleys.dnsmasq'
NM_NAME = 'org.freedesktop.NetworkManager.dnsmasq'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
NOBODY = 65534

# dnsmasq 2.90's GetMetrics keys that do not depend on DHCP or DNSSEC being
# compiled in.
METRIC_KEYS = ('dns_cache_inserted', 'dns_cache_live_freed', 'dns_queries_forwarded',
               'dns_auth_answered', 'dns_local_answered', 'dns_stale_answered',
               'dns_unanswered', 'bootp', 'pxe', 'dhcp_ack', 'dhcp_decline',
               'dhcp_discover', 'dhcp_inform', 'dhcp_nak', 'dhcp_offer',
               'dhcp_release', 'dhcp_request', 'noanswer', 'leases_allocated_4',
               'leases_pruned_4', 'leases_allocated_6', 'leases_pruned_6',
               'tcp_connections')
SERVER_METRIC_KEYS = ('address', 'port', 'queries', 'failed_queries', 'nxdomain',
                      'retries', 'latency')


class CallError(AssertionError):
    pass


def parse_gvariant(text):
    """gdbus call's output, e.g. "('2.90',)", as Python values."""
    return GLib.Variant.parse(None, text.strip(), None, None).unpack()


def gdbus_error(stderr):
    """(error name, message) from gdbus call's stderr, or (None, stderr)."""
    m = re.search(r'GDBus\.Error:([\w.]+): (.*)', stderr)
    if m is None:
        return None, stderr
    return m.group(1), m.group(2).strip()


def deadline_poll(fn, timeout=5.0, interval=0.05):
    """fn() until it returns something true or timeout; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class SignalRecorder:
    """Records every signal named member at path on the bus, from any
    sender, on a connection and main context of its own.  The match rule is
    in place on the bus when the constructor returns."""

    def __init__(self, address, member='Up', path=DM_PATH):
        self.ctx = GLib.MainContext.new()
        self.seen = []
        self.ctx.push_thread_default()
        try:
            self.conn = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
                None, None)
            self.conn.signal_subscribe(None, None, member, path, None,
                                       Gio.DBusSignalFlags.NONE, self._on_signal, None)
            # A round trip after AddMatch: the bus has the rule once this
            # returns, since it handles one connection's messages in order.
            self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                'org.freedesktop.DBus', 'GetId', None, None,
                                Gio.DBusCallFlags.NONE, 5000, None)
        finally:
            self.ctx.pop_thread_default()

    def _on_signal(self, conn, sender, path, iface, member, params, data):
        self.seen.append((sender, iface, path, params.unpack()))

    def wait(self, n=1, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.seen) < n and time.monotonic() < deadline:
            if not self.ctx.iteration(False):
                time.sleep(0.02)
        return len(self.seen)

    def close(self):
        try:
            self.conn.close_sync(None)
        except GLib.Error:
            pass


class DnsmasqDBusCase(HearthTestCase):
    """Base: a private bus per test and helpers to start the daemon on it
    and to call dnsmasq's interface with gdbus and busctl."""

    def setUp(self):
        super().setUp()
        if not have_dbus_daemon():
            raise unittest.SkipTest('dbus-daemon not installed')
        if Gio is None:
            raise unittest.SkipTest('python3-gi not installed')
        self.bus = PrivateBus()
        self.addCleanup(self.bus.close)
        self._conn = None
        self.name = NM_NAME
        self.d = None

    # ---- bus helpers -------------------------------------------------------

    def conn(self):
        """A Gio connection to the private bus (made again after a restart)."""
        if self._conn is None or self._conn.is_closed():
            self._conn = Gio.DBusConnection.new_for_address_sync(
                self.bus.address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
                None, None)
            self.addCleanup(self._close_conn, self._conn)
        return self._conn

    @staticmethod
    def _close_conn(conn):
        try:
            conn.close_sync(None)
        except GLib.Error:
            pass

    def bus_call(self, method, *args, sig=None):
        reply = self.conn().call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                      'org.freedesktop.DBus', method,
                                      GLib.Variant(sig, args) if sig else None,
                                      None, Gio.DBusCallFlags.NONE, 5000, None)
        return reply.unpack()

    def name_owner(self, name):
        try:
            return self.bus_call('GetNameOwner', name, sig='(s)')[0]
        except GLib.Error:
            return None

    def owner_pid(self, name):
        try:
            return self.bus_call('GetConnectionUnixProcessID', name, sig='(s)')[0]
        except GLib.Error:
            return None

    def wait_owned(self, name, timeout=5.0):
        """Wait until the daemon under test owns name; fail otherwise."""
        pid = deadline_poll(lambda: self.owner_pid(name), timeout)
        self.assertIsNotNone(pid, '%s not owned within %.1f s; daemon stderr:\n%s'
                             % (name, timeout, self.d.stderr_text() if self.d else ''))
        self.assertEqual(pid, self.d.pid, '%s owned by another process' % name)

    def daemon_names(self):
        """Bus names (well-known and unique) held by the daemon's process."""
        names = []
        for n in self.bus_call('ListNames')[0]:
            if self.owner_pid(n) == self.d.pid:
                names.append(n)
        return names

    def dm_call(self, method, params, sig, name=None, user=None):
        """A call made with Gio (for wrong signatures, error names, and calls
        as another uid); returns unpacked reply, raises GLib.Error."""
        name = name or self.name
        return self.conn().call_sync(name, DM_PATH, name, method,
                                     GLib.Variant(sig, params) if sig else None,
                                     None, Gio.DBusCallFlags.NONE, 10000, None).unpack()

    # ---- daemon ------------------------------------------------------------

    def start(self, *args, name=NM_NAME, compat=False, wait_name=True, bus_arg=True):
        """Start the daemon with --enable-dbus[=name] on the private bus.
        DBUS_SYSTEM_BUS_ADDRESS always points at the private bus, so that
        neither daemon can reach the machine's system bus; dnsmasq (and
        hearthd in dnsmasq mode) only know that variable, hearthd in native
        mode is also given --dbus-address unless bus_arg is false."""
        self.name = name or DEFAULT_NAME
        argv = ['--enable-dbus' if name is None else '--enable-dbus=' + name]
        if not ht.REFERENCE:
            if compat:
                argv.insert(0, '--dnsmasq-compat')
            elif bus_arg:
                argv.insert(0, '--dbus-address=' + self.bus.address)
        argv += list(args)
        self.d = self.daemon(*argv, env={'DBUS_SYSTEM_BUS_ADDRESS': self.bus.address})
        if wait_name:
            self.wait_owned(self.name)
        return self.d

    # ---- client tools ------------------------------------------------------

    def gdbus(self, method, *args, iface=None, dest=None, user=None, check=True):
        """`gdbus call --address A --dest NAME --object-path PATH --method
        IFACE.METHOD ARGS`, as NetworkManager's users type it.  Returns the
        reply as Python values; raises CallError(name, message) on error."""
        dest = dest or self.name
        iface = iface or self.name
        p = self.bus.gdbus('call', '--dest', dest, '--object-path', DM_PATH,
                           '--method', iface + '.' + method, *args,
                           check=False, user=user)
        if p.returncode != 0:
            err = CallError(*gdbus_error(p.stderr))
            if check:
                raise err
            return err
        return parse_gvariant(p.stdout)

    def gdbus_fails(self, method, *args, **kw):
        """(error name, message) of a gdbus call that must fail."""
        r = self.gdbus(method, *args, check=False, **kw)
        self.assertIsInstance(r, CallError, '%s%r succeeded: %r' % (method, args, r))
        return r.args

    def busctl(self, method, signature='', *args, iface=None, check=True, user=None):
        """`busctl --address=A call NAME PATH IFACE METHOD SIG ARGS`; returns
        CompletedProcess."""
        argv = ['call', self.name, DM_PATH, iface or DEFAULT_NAME, method]
        if signature:
            argv += [signature] + [str(a) for a in args]
        p = self.bus.busctl(*argv, check=False, user=user)
        if check and p.returncode != 0:
            raise AssertionError('busctl %s failed: %s' % (' '.join(argv), p.stderr))
        return p

    # ---- DNS helpers -------------------------------------------------------

    def routed(self, name, upstream, others=(), rdtype='A'):
        """Query name once; assert it is answered and reached upstream and
        none of others."""
        befores = [u.count(name, rdtype) for u in others]
        before = upstream.count(name, rdtype)
        r = self.d.query(name, rdtype)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(upstream.wait_for(before + 1, 2.0, name, rdtype), before + 1,
                         '%s not forwarded to %s' % (name, upstream.server_arg))
        for u, b in zip(others, befores):
            self.assertEqual(u.count(name, rdtype), b,
                             '%s also forwarded to %s' % (name, u.server_arg))
        return r

    def nx_local(self, name, *upstreams):
        """name gets NXDOMAIN without any upstream seeing it."""
        r = self.d.query(name, 'A')
        self.assertRcode(r, 'NXDOMAIN')
        for u in upstreams:
            self.assertEqual(u.count(name), 0, '%s forwarded to %s' % (name, u.server_arg))

    def zone_upstream(self, **kw):
        """A fake upstream knowing LABEL.DOMAIN for the labels www, a-h, x
        and the domains the tests route (each name is asked once per test:
        a second query may come from the cache)."""
        up = self.upstream(**kw)
        for domain in ('corp.example', 'other.test', 'cfg.test', 'example.com', 'v6.test',
                       'lan.test'):
            for label in ('www', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'x'):
                up.add(label + '.' + domain, 'A', 300, '192.0.2.1')
                up.add(label + '.' + domain, 'AAAA', 300, '2001:db8::1')
        return up


# ==========================================================================
# 1. Names and the Up signal

class NameTest(DnsmasqDBusCase):
    def test_default_name(self):
        self.start(name=None)
        self.assertEqual(self.name, DEFAULT_NAME)
        self.assertIsInstance(self.gdbus('GetVersion')[0], str)
        self.assertIsNone(self.owner_pid(NM_NAME))

    def test_custom_name(self):
        self.start(name=NM_NAME)
        self.assertIsNone(self.owner_pid(DEFAULT_NAME),
                          'the default name is owned as well as --enable-dbus=NAME')
        self.assertIsInstance(self.gdbus('GetVersion')[0], str)

    def test_dnsmasq_mode_system_bus_variable(self):
        """Run as dnsmasq would be: -k --enable-dbus=NAME and the system bus
        found through DBUS_SYSTEM_BUS_ADDRESS only."""
        self.start(name=NM_NAME, compat=True)
        self.assertIsInstance(self.gdbus('GetVersion')[0], str)

    def test_dnsmasq_mode_without_enable_dbus_stays_off_the_bus(self):
        # Without the harness's defaults, which would add --no-dbus.
        port = ht.free_port()
        argv = ['-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
                '--port=%d' % port, '--listen-address=127.0.0.1']
        if ht.REFERENCE:
            argv += ['--log-facility=-', '--bind-interfaces',
                     '--pid-file=' + os.path.join(self.bus.dir, 'pid')]
        else:
            argv.insert(0, '--dnsmasq-compat')
        self.d = self.daemon(*argv, port=port, defaults=False,
                             env={'DBUS_SYSTEM_BUS_ADDRESS': self.bus.address})
        self.assertNotIn('--no-dbus', self.d.argv)
        # Give a wrongly connecting daemon time to show up.
        time.sleep(0.5)
        self.assertEqual(self.daemon_names(), [])

    def test_native_mode_without_bus_argument_uses_system_bus_variable(self):
        """hearthd's default bus is the system bus; the private one stands in
        for it through DBUS_SYSTEM_BUS_ADDRESS."""
        self.start(name=NM_NAME, bus_arg=False)
        self.assertIsInstance(self.gdbus('GetVersion')[0], str)

    def test_up_signal_at_start(self):
        rec = SignalRecorder(self.bus.address)
        self.addCleanup(rec.close)
        self.start(name=NM_NAME)
        self.assertGreaterEqual(rec.wait(1, 5.0), 1, 'no Up signal at start')
        owner = self.name_owner(NM_NAME)
        ups = [s for s in rec.seen if s[0] == owner]
        self.assertEqual(len(ups), 1, 'Up signals from the owner: %r' % rec.seen)
        sender, iface, path, params = ups[0]
        self.assertEqual(path, DM_PATH)
        self.assertEqual(iface, NM_NAME)
        self.assertEqual(params, ())

    def test_up_signal_default_name(self):
        rec = SignalRecorder(self.bus.address)
        self.addCleanup(rec.close)
        self.start(name=None)
        self.assertGreaterEqual(rec.wait(1, 5.0), 1, 'no Up signal at start')
        self.assertEqual(rec.seen[0][1], DEFAULT_NAME)


# ==========================================================================
# 2-4. Setting servers

class ServersTest(DnsmasqDBusCase):
    def setUp(self):
        super().setUp()
        self.p = self.zone_upstream()
        self.q = self.zone_upstream()
        self.r = self.zone_upstream()

    def nm_servers(self):
        return "[['%s', 'corp.example'], ['%s']]" % (self.p.server_arg, self.q.server_arg)

    def check_nm_routing(self):
        self.routed('www.corp.example', self.p, [self.q])
        self.routed('www.other.test', self.q, [self.p])

    def test_network_manager_call(self):
        """NetworkManager's exact call: interface = its bus name."""
        self.start()
        self.assertEqual(self.gdbus('SetServersEx', self.nm_servers()), ())
        self.check_nm_routing()

    def test_setserversex_under_dnsmasq_interface(self):
        self.start()
        self.assertEqual(self.gdbus('SetServersEx', self.nm_servers(),
                                    iface=DEFAULT_NAME), ())
        self.check_nm_routing()

    def test_setserversex_busctl(self):
        self.start()
        self.busctl('SetServersEx', 'aas', 2, 2, self.p.server_arg, 'corp.example',
                    1, self.q.server_arg)
        self.check_nm_routing()

    @dnsmasq_differs('dnsmasq drops the #port for the second and later domains of a server')
    def test_setserversex_several_domains_and_replace(self):
        self.start()
        self.gdbus('SetServersEx', "[['%s', 'corp.example', 'other.test']]" % self.p.server_arg)
        self.routed('a.corp.example', self.p)
        self.routed('a.other.test', self.p)
        # The second call replaces the first entirely.
        self.gdbus('SetServersEx', "[['%s', 'corp.example']]" % self.q.server_arg)
        self.routed('b.corp.example', self.q, [self.p])
        r = self.d.query('b.other.test', 'A')
        self.assertNotEqual(r.rcode(), 0, 'b.other.test still answered')
        self.assertEqual(self.p.count('b.other.test'), 0)

    def test_setserversex_local_zero_address(self):
        self.start()
        self.gdbus('SetServersEx', "[['0.0.0.0', 'lan.test'], ['%s']]" % self.q.server_arg)
        self.nx_local('x.lan.test', self.q)
        self.routed('www.other.test', self.q)

    def test_config_servers_kept(self):
        self.start('--server=/cfg.test/' + self.r.server_arg)
        self.gdbus('SetServersEx', self.nm_servers())
        self.routed('www.cfg.test', self.r, [self.p, self.q])
        self.gdbus('SetServersEx', "[['%s']]" % self.p.server_arg)
        self.gdbus('SetServersEx', "[]")
        self.routed('a.cfg.test', self.r, [self.p, self.q])
        # No D-Bus servers left: only the config route answers.
        r = self.d.query('a.other.test', 'A')
        self.assertNotEqual(r.rcode(), 0)
        self.assertEqual(self.p.count('a.other.test') + self.q.count('a.other.test'), 0)

    # ---- SetDomainServers ----------------------------------------------------

    def test_set_domain_servers(self):
        self.start('--server=/cfg.test/' + self.r.server_arg)
        self.assertEqual(self.gdbus('SetDomainServers', "['/corp.example/%s', '/lan.test/', '%s']"
                                    % (self.p.server_arg, self.q.server_arg)), ())
        self.routed('www.corp.example', self.p, [self.q, self.r])
        self.routed('www.other.test', self.q, [self.p, self.r])
        self.routed('www.cfg.test', self.r, [self.p, self.q])
        self.nx_local('x.lan.test', self.p, self.q, self.r)
        # Replaced: corp.example and lan.test now go to the one default.
        self.gdbus('SetDomainServers', "['%s']" % self.p.server_arg)
        self.routed('a.corp.example', self.p, [self.q, self.r])
        self.routed('x.lan.test', self.p, [self.q, self.r])
        self.routed('a.other.test', self.p, [self.q, self.r])
        self.routed('a.cfg.test', self.r, [self.p, self.q])

    @dnsmasq_differs('dnsmasq drops the #port for the second and later domains of a server')
    def test_set_domain_servers_several_domains(self):
        self.start()
        self.busctl('SetDomainServers', 'as', 1,
                    '/corp.example/other.test/%s' % self.p.server_arg)
        self.routed('a.corp.example', self.p)
        self.routed('a.other.test', self.p)

    def test_set_servers_replaces_set_domain_servers(self):
        self.start()
        self.gdbus('SetDomainServers', "['/corp.example/%s']" % self.p.server_arg)
        self.gdbus('SetServersEx', "[['%s', 'other.test']]" % self.q.server_arg)
        self.routed('www.other.test', self.q)
        r = self.d.query('www.corp.example')
        self.assertNotEqual(r.rcode(), 0)
        self.assertEqual(self.p.count('www.corp.example'), 0)


class FlatSetServersTest(DnsmasqDBusCase):
    """SetServers: the flat form; always port 53, so the upstreams listen on
    port 53 of a random 127/8 address (needs root)."""

    def setUp(self):
        super().setUp()
        if not ht.is_root():
            raise unittest.SkipTest('needs root to listen on port 53')
        self.q = self.zone_upstream()

    def port53_upstream(self, addr=None):
        for _ in range(20):
            a = addr or '127.%d.%d.%d' % (random.randint(1, 254), random.randint(0, 255),
                                          random.randint(1, 254))
            try:
                return self.zone_upstream(addr=a, port=53)
            except OSError:
                if addr:
                    raise unittest.SkipTest('%s port 53 busy' % addr)
        raise unittest.SkipTest('no free 127/8 address on port 53')

    def test_ipv4_number_is_address_value(self):
        """busctl's number for 127.x.y.z is the address read as a big-endian
        number (what dnsmasq 2.90 takes, whatever the host's byte order)."""
        up = self.port53_upstream()
        self.start('--server=' + self.q.server_arg)
        number = int(ipaddress.IPv4Address(up.addr))
        self.busctl('SetServers', 'us', number, 'example.com')
        self.routed('www.example.com', up, [self.q])
        self.routed('www.other.test', self.q, [up])

    def test_ipv4_several_servers_and_domains(self):
        up = self.port53_upstream()
        self.start()
        n = int(ipaddress.IPv4Address(up.addr))
        self.busctl('SetServers', 'ussu', n, 'example.com', 'corp.example', n)
        self.routed('www.example.com', up)
        self.routed('www.corp.example', up)
        self.routed('www.other.test', up)

    def test_ipv6_sixteen_bytes(self):
        up = self.port53_upstream('::1')
        self.start('--server=' + self.q.server_arg)
        raw = ipaddress.IPv6Address('::1').packed
        self.busctl('SetServers', 'y' * 16 + 's', *raw, 'v6.test')
        self.routed('www.v6.test', up, [self.q])
        self.routed('www.other.test', self.q, [up])

    @dnsmasq_differs('dnsmasq 2.90 silently drops 0.0.0.0 from SetServers, despite its docs')
    def test_zero_address_is_local(self):
        self.start('--server=' + self.q.server_arg)
        self.busctl('SetServers', 'uss', 0, 'lan.test', 'corp.example')
        self.nx_local('x.lan.test', self.q)
        self.nx_local('www.corp.example', self.q)
        self.routed('www.other.test', self.q)


# ==========================================================================
# 5. Errors

class ErrorTest(DnsmasqDBusCase):
    def setUp(self):
        super().setUp()
        self.p = self.zone_upstream()
        self.q = self.zone_upstream()
        self.r = self.zone_upstream()
        self.start()
        self.gdbus('SetServersEx', "[['%s', 'corp.example'], ['%s']]"
                   % (self.p.server_arg, self.q.server_arg))

    def unchanged(self):
        # A fresh label each time: a refused call changes nothing, so the
        # cache rightly keeps what it had.
        self._label = getattr(self, '_label', ord('a') - 1) + 1
        label = chr(self._label)
        self.routed(label + '.corp.example', self.p, [self.q, self.r])
        self.routed(label + '.other.test', self.q, [self.p, self.r])

    def test_bad_address_setserversex(self):
        for bad in ('1.2.3.4.5', 'bogus', '127.0.0.1#99999', '::g'):
            name, msg = self.gdbus_fails('SetServersEx', "[['%s', 'corp.example']]" % bad)
            self.assertEqual(name, INVALID_ARGS, bad)
            self.assertTrue(msg.startswith('Invalid IP address '), msg)

    def test_bad_address_set_domain_servers(self):
        name, msg = self.gdbus_fails('SetDomainServers', "['/corp.example/nope']")
        self.assertEqual(name, INVALID_ARGS)
        self.assertTrue(msg.startswith("Invalid IP address 'nope'"), msg)
        name, msg = self.gdbus_fails('SetDomainServers', "['/corp']")
        self.assertEqual((name, msg), (INVALID_ARGS, "No domain terminator 'corp'"))

    def test_empty_address(self):
        self.assertEqual(self.gdbus_fails('SetServersEx', "[['']]"),
                         (INVALID_ARGS, 'Empty IP address'))
        self.assertEqual(self.gdbus_fails('SetServersEx', "[@as []]"),
                         (INVALID_ARGS, 'Expected IP address'))

    @dnsmasq_differs("dnsmasq reads '1.2.3' as 1.2.0.3 (getaddrinfo)")
    def test_three_part_address_rejected(self):
        name, _ = self.gdbus_fails('SetServersEx', "[['1.2.3']]")
        self.assertEqual(name, INVALID_ARGS)
        self.unchanged()

    @dnsmasq_differs('dnsmasq keeps the servers before the bad one')
    def test_nothing_applied_after_error(self):
        self.gdbus_fails('SetServersEx', "[['%s', 'corp.example'], ['1.2.3.4.5']]"
                         % self.r.server_arg)
        self.unchanged()
        self.gdbus_fails('SetDomainServers', "['/corp.example/%s', 'nope']" % self.r.server_arg)
        self.unchanged()
        self.gdbus_fails('SetServersEx', "[['%s'], ['']]" % self.r.server_arg)
        self.unchanged()

    def test_wrong_signature(self):
        cases = [('SetServersEx', '(as)', (['127.0.0.1'],), 'Expected array of string arrays'),
                 ('SetServersEx', '(s)', ('127.0.0.1',), 'Expected array of string arrays'),
                 ('SetDomainServers', '(aas)', ([['127.0.0.1']],), 'Expected array of string'),
                 ('SetServersEx', None, None, 'Failed to initialize dbus message iter')]
        for method, sig, params, text in cases:
            with self.subTest(method=method, sig=sig):
                with self.assertRaises(GLib.Error) as cm:
                    self.dm_call(method, params, sig)
                self.assertEqual(Gio.DBusError.get_remote_error(cm.exception), INVALID_ARGS)
                self.assertIn(text, cm.exception.message)
        # busctl shows the message too.
        p = self.busctl('SetServersEx', 'as', 1, '127.0.0.1', check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('Expected array of string arrays', p.stderr)
        self.unchanged()

    def test_bool_setters_need_a_boolean(self):
        for method in ('SetFilterWin2KOption', 'SetBogusPrivOption', 'SetLocaliseQueriesOption'):
            with self.assertRaises(GLib.Error) as cm:
                self.dm_call(method, ('yes',), '(s)')
            self.assertEqual(Gio.DBusError.get_remote_error(cm.exception), INVALID_ARGS)
            self.assertIn('Expected boolean argument', cm.exception.message)

    def test_unknown_method_and_path(self):
        name, msg = self.gdbus_fails('NoSuchMethod')
        self.assertEqual(name, 'org.freedesktop.DBus.Error.UnknownMethod')
        p = self.bus.gdbus('call', '--dest', self.name, '--object-path', '/uk/org/thekelleys',
                           '--method', self.name + '.GetVersion', check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r'org\.freedesktop\.DBus\.Error\.Unknown(Method|Object)')


# ==========================================================================
# 6. Options

class OptionTest(DnsmasqDBusCase):
    def setUp(self):
        super().setUp()
        self.q = self.zone_upstream()
        self.q.add('5.1.168.192.in-addr.arpa', 'PTR', 300, 'printer.lan.')
        self.q.add('_ldap._tcp.other.test', 'SRV', 300, '0 0 389 ldap.other.test.')
        self.q.add('other.test', 'SOA', 300, 'ns.other.test. h.other.test. 1 2 3 4 5')

    def test_filter_a_on(self):
        self.start('--server=' + self.q.server_arg)
        self.assertEqual(self.gdbus('SetFilterA', 'true'), ())
        r = self.d.query('a.other.test', 'A')
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(r.answer, [])
        self.routed('a.other.test', self.q, rdtype='AAAA')

    @dnsmasq_differs('dnsmasq ignores the argument of SetFilterA (and hangs in a loop '
                     'of its filter list after the second call)', varies=True)
    def test_filter_a_off(self):
        self.start('--server=' + self.q.server_arg)
        self.gdbus('SetFilterA', 'true')
        self.assertEqual(self.d.query('a.other.test', 'A').answer, [])
        self.gdbus('SetFilterA', 'false')
        r = self.routed('b.other.test', self.q)
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.1'])
        self.gdbus('SetFilterA', 'false')
        r = self.routed('c.other.test', self.q)
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.1'])
        self.gdbus('SetFilterA', 'true')
        self.assertEqual(self.d.query('d.other.test', 'A').answer, [])

    def test_filter_aaaa_on(self):
        self.start('--server=' + self.q.server_arg)
        self.gdbus('SetFilterAAAA', 'true')
        r = self.d.query('a.other.test', 'AAAA')
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(r.answer, [])
        self.routed('a.other.test', self.q, rdtype='A')

    @dnsmasq_differs('dnsmasq ignores the argument of SetFilterAAAA', varies=True)
    def test_filter_aaaa_off(self):
        self.start('--server=' + self.q.server_arg)
        self.gdbus('SetFilterAAAA', 'true')
        self.assertEqual(self.d.query('a.other.test', 'AAAA').answer, [])
        self.gdbus('SetFilterAAAA', 'false')
        r = self.routed('b.other.test', self.q, rdtype='AAAA')
        self.assertEqual(ht.answer_texts(r, 'AAAA'), ['2001:db8::1'])

    @dnsmasq_differs('dnsmasq ignores the argument of SetFilterAAAA')
    def test_filter_aaaa_off_overrides_command_line(self):
        self.start('--server=' + self.q.server_arg, '--filter-AAAA')
        self.assertEqual(self.d.query('a.other.test', 'AAAA').answer, [])
        self.gdbus('SetFilterAAAA', 'false')
        r = self.routed('b.other.test', self.q, rdtype='AAAA')
        self.assertEqual(ht.answer_texts(r, 'AAAA'), ['2001:db8::1'])

    def test_bogus_priv(self):
        self.start('--server=' + self.q.server_arg)
        self.routed('5.1.168.192.in-addr.arpa', self.q, rdtype='PTR')
        self.gdbus('SetBogusPrivOption', 'true')
        r = self.d.query('6.1.168.192.in-addr.arpa', 'PTR')
        self.assertRcode(r, 'NXDOMAIN')
        self.assertEqual(self.q.count('6.1.168.192.in-addr.arpa'), 0)
        self.gdbus('SetBogusPrivOption', 'false')
        self.q.add('7.1.168.192.in-addr.arpa', 'PTR', 300, 'seven.lan.')
        self.routed('7.1.168.192.in-addr.arpa', self.q, rdtype='PTR')

    def test_bogus_priv_off_overrides_command_line(self):
        self.start('--server=' + self.q.server_arg, '--bogus-priv')
        self.assertRcode(self.d.query('5.1.168.192.in-addr.arpa', 'PTR'), 'NXDOMAIN')
        self.gdbus('SetBogusPrivOption', 'false')
        self.routed('5.1.168.192.in-addr.arpa', self.q, rdtype='PTR')

    def test_filterwin2k(self):
        self.start('--server=' + self.q.server_arg)
        self.routed('_ldap._tcp.other.test', self.q, rdtype='SRV')
        self.q.reset()
        self.gdbus('SetFilterWin2KOption', 'true')
        for name, rdtype in (('_kerberos._tcp.other.test', 'SRV'), ('other.test', 'SOA'),
                             ('_ldap._tcp.other.test', 'ANY')):
            self.d.query(name, rdtype)
            self.assertEqual(self.q.count(name, rdtype), 0,
                             '%s %s forwarded with filterwin2k' % (name, rdtype))
        self.routed('a.other.test', self.q)
        self.gdbus('SetFilterWin2KOption', 'false')
        self.d.query('_kerberos._udp.other.test', 'SRV')
        self.assertEqual(self.q.wait_for(1, 2.0, '_kerberos._udp.other.test', 'SRV'), 1)

    def test_localise_queries(self):
        hosts = os.path.join(self.bus.dir, 'hosts')
        with open(hosts, 'w', encoding='ascii') as f:
            f.write('127.0.0.77 multi.test\n192.0.2.77 multi.test\n')
        self.start('--server=' + self.q.server_arg, '--addn-hosts=' + hosts)
        self.assertEqual(ht.answer_texts(self.d.query('multi.test', 'A')),
                         ['127.0.0.77', '192.0.2.77'])
        self.gdbus('SetLocaliseQueriesOption', 'true')
        self.assertEqual(ht.answer_texts(self.d.query('multi.test', 'A')), ['127.0.0.77'])
        self.gdbus('SetLocaliseQueriesOption', 'false')
        self.assertEqual(ht.answer_texts(self.d.query('multi.test', 'A')),
                         ['127.0.0.77', '192.0.2.77'])


# ==========================================================================
# 7. Version, cache, metrics, introspection

class InfoTest(DnsmasqDBusCase):
    def setUp(self):
        super().setUp()
        self.q = self.zone_upstream()
        self.start('--server=' + self.q.server_arg)

    def test_get_version(self):
        (version,) = self.gdbus('GetVersion')
        self.assertRegex(version, r'^\d+\.\d+')
        if not ht.REFERENCE:
            self.assertEqual(version, '2.90')
        # The interface of the call does not matter.
        self.assertEqual(self.gdbus('GetVersion', iface=DEFAULT_NAME), (version,))
        self.assertEqual(self.gdbus('GetVersion', iface='org.example.Whatever'), (version,))
        p = self.busctl('GetVersion')
        self.assertEqual(p.stdout.strip(), 's "%s"' % version)

    def test_clear_cache(self):
        self.routed('a.other.test', self.q)
        self.d.query('a.other.test')
        self.assertEqual(self.q.count('a.other.test'), 1, 'not cached')
        self.assertEqual(self.gdbus('ClearCache'), ())
        self.routed('a.other.test', self.q)

    def metrics(self):
        (m,) = self.gdbus('GetMetrics')
        return m

    def test_get_metrics(self):
        m = self.metrics()
        for key in METRIC_KEYS:
            self.assertIn(key, m)
        self.assertTrue(all(isinstance(v, int) for v in m.values()))
        before = m['dns_queries_forwarded']
        self.routed('a.other.test', self.q)
        self.routed('b.other.test', self.q)
        after = deadline_poll(lambda: self.metrics()['dns_queries_forwarded'] >= before + 2
                              and self.metrics(), 3.0)
        self.assertTrue(after, 'dns_queries_forwarded did not grow by 2: %r' % self.metrics())
        self.assertGreaterEqual(after['dns_cache_inserted'], 2)
        self.d.query('a.other.test')       # from the cache
        self.assertEqual(self.metrics()['dns_queries_forwarded'], after['dns_queries_forwarded'])
        # busctl shows the same dictionary type.
        self.assertTrue(self.busctl('GetMetrics').stdout.startswith('a{su} '))

    def test_clear_metrics(self):
        self.routed('a.other.test', self.q)
        self.assertTrue(deadline_poll(lambda: self.metrics()['dns_queries_forwarded'] >= 1, 3.0))
        self.assertEqual(self.gdbus('ClearMetrics'), ())
        self.assertEqual(self.metrics()['dns_queries_forwarded'], 0)
        self.routed('b.other.test', self.q)
        self.assertTrue(deadline_poll(lambda: self.metrics()['dns_queries_forwarded'] == 1, 3.0))

    def server_metrics(self):
        (servers,) = self.gdbus('GetServerMetrics')
        return servers

    def test_get_server_metrics(self):
        p = self.zone_upstream()
        self.gdbus('SetServersEx', "[['%s', 'corp.example']]" % p.server_arg)
        self.routed('a.other.test', self.q)
        self.routed('b.other.test', self.q)
        self.routed('a.corp.example', p)

        def find():
            by_port = {s.get('port'): s for s in self.server_metrics()}
            mq, mp = by_port.get(str(self.q.port)), by_port.get(str(p.port))
            if mq and mp and mq['queries'] == '2' and mp['queries'] == '1':
                return mq, mp
            return None
        found = deadline_poll(find, 3.0)
        self.assertTrue(found, 'server metrics: %r' % self.server_metrics())
        for s in found:
            self.assertEqual(set(s), set(SERVER_METRIC_KEYS))
            self.assertEqual(s['address'], '127.0.0.1')
            self.assertTrue(all(isinstance(v, str) for v in s.values()))
        self.assertTrue(self.busctl('GetServerMetrics').stdout.startswith('aa{ss} '))
        self.gdbus('ClearMetrics')
        self.assertTrue(deadline_poll(
            lambda: all(s['queries'] == '0' for s in self.server_metrics()), 3.0))

    def test_get_loop_servers(self):
        self.assertEqual(self.gdbus('GetLoopServers'), ([],))

    def test_introspect(self):
        p = self.bus.gdbus('introspect', '--dest', self.name, '--object-path', DM_PATH, '--xml')
        xml = p.stdout
        self.assertIn('<interface name="%s">' % self.name, xml)
        self.assertIn('org.freedesktop.DBus.Introspectable', xml)
        for method in ('ClearCache', 'GetVersion', 'GetLoopServers', 'SetServers',
                       'SetServersEx', 'SetDomainServers', 'SetFilterWin2KOption',
                       'SetFilterA', 'SetFilterAAAA', 'SetLocaliseQueriesOption',
                       'SetBogusPrivOption', 'GetMetrics', 'GetServerMetrics',
                       'ClearMetrics'):
            self.assertRegex(xml, r'<method name="%s"\s*/?>' % method)
        self.assertNotIn('<interface name="uk.org.thekelleys.dnsmasq">', xml)

    def test_object_path_discoverable(self):
        """Introspecting from / finds the object, as d-feet and `busctl tree`
        do (dnsmasq registers the path, so its parents list it)."""
        p = self.bus.busctl('tree', '--no-pager', '--list', self.name)
        self.assertIn(DM_PATH, p.stdout.split())
        p = self.bus.gdbus('introspect', '--dest', self.name, '--object-path', '/uk/org', '--xml')
        self.assertIn('<node name="thekelleys"', p.stdout)


# ==========================================================================
# 8. Callers that may not change the daemon

class AccessTest(DnsmasqDBusCase):
    def setUp(self):
        super().setUp()
        if not ht.is_root():
            raise unittest.SkipTest('needs root to call as another uid')
        self.p = self.zone_upstream()
        self.q = self.zone_upstream()
        self.start('--server=' + self.q.server_arg)

    def refused(self, method, *args):
        name, msg = self.gdbus_fails(method, *args, user=NOBODY)
        self.assertEqual(name, ACCESS_DENIED, msg)

    def test_get_version_allowed(self):
        self.assertIsInstance(self.gdbus('GetVersion', user=NOBODY)[0], str)
        self.gdbus('GetMetrics', user=NOBODY)
        self.gdbus('GetServerMetrics', user=NOBODY)
        self.gdbus('GetLoopServers', user=NOBODY)

    @dnsmasq_differs('dnsmasq leaves access control to the bus policy')
    def test_set_servers_refused(self):
        self.refused('SetServersEx', "[['%s']]" % self.p.server_arg)
        self.refused('SetDomainServers', "['%s']" % self.p.server_arg)
        p = self.busctl('SetServers', 'u', int(ipaddress.IPv4Address('127.0.0.1')),
                        check=False, user=NOBODY)
        self.assertNotEqual(p.returncode, 0)
        self.routed('a.other.test', self.q, [self.p])

    @dnsmasq_differs('dnsmasq leaves access control to the bus policy')
    def test_clear_cache_refused(self):
        self.routed('a.other.test', self.q)
        self.refused('ClearCache')
        self.d.query('a.other.test')
        self.assertEqual(self.q.count('a.other.test'), 1, 'cache was cleared')

    @dnsmasq_differs('dnsmasq leaves access control to the bus policy')
    def test_options_refused(self):
        for method in ('SetFilterA', 'SetFilterAAAA', 'SetBogusPrivOption',
                       'SetFilterWin2KOption', 'SetLocaliseQueriesOption'):
            self.refused(method, 'true')
        r = self.routed('a.other.test', self.q)
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.1'])
        r = self.routed('a.other.test', self.q, rdtype='AAAA')
        self.assertEqual(ht.answer_texts(r, 'AAAA'), ['2001:db8::1'])
        self.q.add('5.1.168.192.in-addr.arpa', 'PTR', 300, 'printer.lan.')
        self.routed('5.1.168.192.in-addr.arpa', self.q, rdtype='PTR')

    @dnsmasq_differs('dnsmasq leaves access control to the bus policy')
    def test_clear_metrics_refused(self):
        self.routed('a.other.test', self.q)
        self.assertTrue(deadline_poll(
            lambda: self.gdbus('GetMetrics')[0]['dns_queries_forwarded'] >= 1, 3.0))
        self.refused('ClearMetrics')
        self.assertGreaterEqual(self.gdbus('GetMetrics')[0]['dns_queries_forwarded'], 1)


# ==========================================================================
# 9. The bus goes away and comes back

class BusRestartTest(DnsmasqDBusCase):
    @dnsmasq_differs('dnsmasq 2.90 does not connect again after the bus went away')
    def test_bus_restart(self):
        p = self.zone_upstream()
        q = self.zone_upstream()
        self.start()
        self.gdbus('SetServersEx', "[['%s', 'corp.example'], ['%s']]"
                   % (p.server_arg, q.server_arg))
        self.routed('a.corp.example', p, [q])

        self.bus.stop()
        self._conn = None
        self.routed('b.corp.example', p, [q])
        self.routed('a.other.test', q, [p])
        self.assertTrue(self.d.running())

        # Keep the daemon from reconnecting until the Up recorder listens.
        self.d.signal(signal.SIGSTOP)
        try:
            self.bus.start()
            rec = SignalRecorder(self.bus.address)
            self.addCleanup(rec.close)
        finally:
            self.d.signal(signal.SIGCONT)
        self.wait_owned(self.name, 5.0)
        self.assertGreaterEqual(rec.wait(1, 3.0), 1, 'no Up after the bus came back')
        self.assertEqual(rec.seen[0][0], self.name_owner(self.name))
        self.routed('c.corp.example', p, [q])
        self.routed('b.other.test', q, [p])
        # And it is served again.
        self.assertIsInstance(self.gdbus('GetVersion')[0], str)
        self.gdbus('SetServersEx', "[['%s']]" % p.server_arg)
        self.routed('c.other.test', p, [q])


if __name__ == '__main__':
    ht.main()
