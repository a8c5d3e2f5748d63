#!/usr/bin/env python3
"""Behaviour tests for the DHCP side of the D-Bus API and hearthctl.

hearthd runs with DHCP inside a private network namespace (a daemon with a
dhcp-range binds UDP port 67 on every interface: never in the machine's own
namespace) and publishes its objects on a private dbus-daemon
(dbustest.PrivateBus).  The tests check that:

  - org.hearth.Hearth1.DhcpRange and .Host objects show the configuration's
    ranges and hosts with the right properties;
  - the Manager's AddDhcpRange/UpdateDhcpRange/RemoveDhcpRange and
    AddHost/UpdateHost/RemoveHost make objects appear, change and vanish
    (InterfacesAdded, PropertiesChanged, InterfacesRemoved), and a bad or
    IPv6 spec is an InvalidArgument that changes nothing; configuration
    entries are read-only; uid 65534 gets AccessDenied;
  - dnsmasq's AddDhcpLease (uk.org.thekelleys.dnsmasq, --enable-dbus)
    makes a Lease object, the DhcpLeaseAdded signal, a lease-file line and
    a DNS name; DeleteDhcpLease answers true then false and sends
    DhcpLeaseDeleted; ReleaseLease and Lease.Release end a lease;
  - hearthctl's leases, ranges, hosts, release, add-range, del-range,
    add-host and del-host show and change the same state;
  - without DHCP the methods answer org.freedesktop.DBus.Error.NotSupported.

Real DHCP clients are another file's business; here everything goes over
D-Bus.  hearth's own interface: skipped against the dnsmasq reference, and
when not root (exit code 77).
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import dns.rcode

import hearthtest as ht  # noqa: E402
import nettest  # noqa: E402
from dbustest import PrivateBus, have_dbus_daemon  # noqa: E402
import busclient  # noqa: E402
from busclient import BUS_NAME, MANAGER, OBJECT_MANAGER, PROPERTIES, ROOT, DBusCallError  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

ERROR = 'org.hearth.Hearth1.Error.'
NOT_SUPPORTED = 'org.freedesktop.DBus.Error.NotSupported'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
RANGE = 'org.hearth.Hearth1.DhcpRange'
HOST = 'org.hearth.Hearth1.Host'
LEASE = 'org.hearth.Hearth1.Lease'
DM_PATH = '/uk/org/thekelleys/dnsmasq'
DM_NAME = 'org.example.dnsmasq'
NOBODY = 65534
DNS_ADDR = '127.0.0.1'

CONFIG_RANGE = 'set:lan,10.99.0.50,10.99.0.150,255.255.255.0,12h'
STATIC_RANGE = '10.98.0.0,static'
CONFIG_HOST = '52:54:00:00:00:01,id:01:52:54:00:00:00:01,10.99.0.10,vm1,1h,set:known'
IGNORED_HOST = '52:54:00:00:00:02,ignore'


def _hearthctl_binary():
    if os.environ.get('HEARTHCTL'):
        return os.environ['HEARTHCTL']
    guess = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(ht.HEARTHD))),
                         'ctl', 'hearthctl')
    return guess if os.path.exists(guess) else ''


HEARTHCTL = _hearthctl_binary()


def _die_with_parent():
    try:
        nettest._libc.prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    except Exception:
        pass


class Client(busclient.Client):
    """The shared client, also recording dnsmasq's signals (from
    /uk/org/thekelleys/dnsmasq), and with the DHCP object shapes."""

    def _on_signal(self, conn, sender, path, iface, member, params):
        if path == DM_PATH:
            self.signals.append(busclient.Signal((path, iface, member, params.unpack())))
        else:
            super()._on_signal(conn, sender, path, iface, member, params)

    def of(self, iface):
        return {p: i[iface] for p, i in self.objects().items() if iface in i}

    def ranges(self):
        return self.of(RANGE)

    def hosts(self):
        return self.of(HOST)

    def leases(self):
        return self.of(LEASE)

    def dm(self, method, sig=None, *args, name=DM_NAME):
        """A call of dnsmasq's interface (under its bus name, as
        NetworkManager calls it); the unpacked reply tuple."""
        params = GLib.Variant(sig, tuple(args)) if sig else None
        try:
            ret = self.conn.call_sync(name, DM_PATH, name, method, params, None,
                                      Gio.DBusCallFlags.NONE, 10000, None)
        except GLib.Error as e:
            raise DBusCallError(Gio.DBusError.get_remote_error(e) or str(e.code),
                                e.message) from None
        return ret.unpack()

    def dm_signal(self, member, timeout=3.0, after=0):
        """The args of the first dnsmasq signal `member` recorded at index
        >= after, waiting up to timeout; None if none came."""
        s = self.wait_signal(lambda s: s.path == DM_PATH and s.member == member
                             and self.signals.index(s) >= after, timeout)
        return s.args if s is not None else None

    def props_changed(self, path, prop, timeout=3.0):
        """The new value of prop from the first PropertiesChanged on path
        that carries it."""
        s = self.wait_signal(lambda s: s.path == path and s.iface == PROPERTIES
                             and s.member == 'PropertiesChanged' and prop in s.args[1], timeout)
        return s.args[1][prop] if s is not None else None


class BusDaemon(nettest.NetDaemon):
    """hearthd inside ns on the private bus (NetDaemon passes --no-dbus).
    compat: run as the dnsmasq drop-in (--dnsmasq-compat), which finds the
    bus through DBUS_SYSTEM_BUS_ADDRESS only."""

    def __init__(self, ns, bus, *args, compat=False):   # pylint: disable=super-init-not-called
        self.ns = ns
        self.binary = ht.HEARTHD
        self.port = nettest.DNS_PORT
        self._tmpdir = tempfile.mkdtemp(prefix='hearth-dhcpbus-')
        argv = [self.binary]
        if compat:
            argv += ['--dnsmasq-compat']
        argv += ['-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
                 '--port=%d' % self.port, '--log-facility=-']
        if not compat:
            argv += ['--dbus-address=' + bus.address]
        argv += [str(a) for a in args]
        argv += os.environ.get('HEARTH_TEST_EXTRA_ARGS', '').split()
        self.argv = argv
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        self._stderr = tempfile.TemporaryFile(prefix='hearthd-stderr-')
        with ns.entered():
            self.proc = subprocess.Popen(argv, executable=self.binary, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr, stderr=self._stderr, env=env,
                                         preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        nettest._daemons.add(self)
        self.exit_code = None


class DhcpBusCase(nettest.NetTestCase):
    """A private bus, hearthd's namespace and a directory for its lease
    file, per test."""

    def setUp(self):
        super().setUp()
        if ht.REFERENCE:
            raise unittest.SkipTest('hearth-only D-Bus interface')
        if not have_dbus_daemon():
            raise unittest.SkipTest('dbus-daemon not installed')
        self.bus = PrivateBus()
        self.addCleanup(self.bus.close)
        self.srv = self.netns('srv')
        self.dir = tempfile.mkdtemp(prefix='hearth-dhcpbus-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.leasefile = os.path.join(self.dir, 'leases')
        self.c = None
        self.d = None

    def start(self, *args, dhcp=True, compat=False, enable_dbus=True, wait_name=None):
        """hearthd in srv; returns once it owns its name (hearth's, or in
        compat mode dnsmasq's), with a client in self.c."""
        argv = []
        if dhcp:
            argv += ['--dhcp-range=' + CONFIG_RANGE, '--dhcp-range=' + STATIC_RANGE,
                     '--dhcp-host=' + CONFIG_HOST, '--dhcp-host=' + IGNORED_HOST,
                     '--dhcp-leasefile=' + self.leasefile]
        if enable_dbus:
            argv += ['--enable-dbus=' + DM_NAME]
        argv += list(args)
        d = BusDaemon(self.srv, self.bus, *argv, compat=compat)
        self.addCleanup(self._stop, d)
        self.d = d
        self.c = Client(self.bus.address)
        self.addCleanup(self.c.close)
        name = wait_name or (DM_NAME if compat else BUS_NAME)
        deadline = time.monotonic() + 5.0
        while self.c.name_owner_pid(name) != d.pid:
            self.assertTrue(d.running(), 'hearthd exited' + d.describe())
            if time.monotonic() >= deadline:
                self.fail('hearthd did not own %s within 5 s%s' % (name, d.describe()))
            time.sleep(0.03)
        return d

    # ---- helpers ----------------------------------------------------------

    def mgr(self, method, sig=None, *args):
        return self.c.mgr(method, sig, *args)

    def assertDBusError(self, name, fn, *args, **kw):
        """fn(*args) fails with the D-Bus error name (a short name is under
        org.hearth.Hearth1.Error.); returns the message."""
        full = name if '.' in name else ERROR + name
        try:
            ret = fn(*args, **kw)
        except DBusCallError as e:
            self.assertEqual(e.name, full, e.message)
            return e.message
        self.fail('%r succeeded (returned %r), expected %s' % (args, ret, full))

    def as_nobody(self, path, method, *args, dest=BUS_NAME):
        """gdbus call as uid 65534; the CompletedProcess."""
        return self.bus.gdbus('call', '--dest', dest, '--object-path', path,
                              '--method', method, *args, check=False, user=NOBODY)

    def wait_value(self, fn, pred, timeout, what):
        deadline = time.monotonic() + timeout
        value = None
        while True:
            value = fn()
            if pred(value):
                return value
            if time.monotonic() >= deadline:
                self.fail('%s: still %r after %.1f s%s' % (what, value, timeout,
                                                         self.d.describe()))
            time.sleep(0.05)

    def lease_lines(self):
        try:
            with open(self.leasefile, encoding='utf-8') as f:
                return [line.split() for line in f.read().splitlines() if line.strip()]
        except FileNotFoundError:
            return []

    def lease_line(self, addr):
        """The lease file's line for addr (fields), or None."""
        for fields in self.lease_lines():
            if len(fields) >= 5 and fields[2] == addr:
                return fields
        return None

    def ask(self, name):
        r = nettest.query(self.srv, DNS_ADDR, name, timeout=1.0)
        if r is None:
            self.fail('no reply to %s%s' % (name, self.d.describe()))
        return r

    def add_lease(self, ip, hwaddr, hostname=b'', clid=b'', duration=3600):
        return self.c.dm('AddDhcpLease', '(ssayayuub)', ip, hwaddr, hostname, clid, duration, 0,
                         False)

    @staticmethod
    def path_id(path):
        return int(path.rsplit('/', 1)[1])


# ----------------------------------------------------------------------------

class ConfigObjectsTest(DhcpBusCase):
    def test_config_ranges_and_hosts(self):
        self.start()
        ranges = self.c.ranges()
        self.assertEqual(len(ranges), 2, ranges)
        by_start = {r['Start']: (p, r) for p, r in ranges.items()}
        path, lan = by_start['10.99.0.50']
        self.assertEqual(path, '%s/dhcp_range/%d' % (ROOT, lan['Id']))
        self.assertEqual(lan['End'], '10.99.0.150')
        self.assertEqual(lan['Netmask'], '255.255.255.0')
        self.assertEqual(lan['Broadcast'], '')
        self.assertEqual(lan['Mode'], 'dynamic')
        self.assertEqual(lan['LeaseTime'], 12 * 3600)
        self.assertEqual(lan['SetTag'], 'lan')
        self.assertEqual(lan['MatchTags'], [])
        self.assertEqual(lan['Owner'], 'config')
        self.assertEqual((lan['Usage'], lan['Size']), (0, 101))
        _, static = by_start['10.98.0.0']
        self.assertEqual((static['Mode'], static['End'], static['Size'], static['Netmask']),
                         ('static', '10.98.0.0', 0, ''))

        hosts = self.c.hosts()
        self.assertEqual(len(hosts), 2, hosts)
        by_mac = {tuple(h['HardwareAddresses']): (p, h) for p, h in hosts.items()}
        path, vm1 = by_mac[('52:54:00:00:00:01',)]
        self.assertEqual(path, '%s/host/%d' % (ROOT, vm1['Id']))
        self.assertEqual(vm1['ClientIds'], ['01:52:54:00:00:00:01'])
        self.assertEqual((vm1['Address'], vm1['Name'], vm1['LeaseTime']), ('10.99.0.10', 'vm1', 3600))
        self.assertEqual((vm1['SetTag'], vm1['MatchTags'], vm1['Ignore'], vm1['Owner']),
                         ('known', [], False, 'config'))
        _, ignored = by_mac[('52:54:00:00:00:02',)]
        self.assertTrue(ignored['Ignore'])
        self.assertEqual((ignored['Address'], ignored['Name'], ignored['LeaseTime']), ('', '', 0))
        self.assertEqual(self.c.leases(), {})

        # Spec is what AddDhcpRange/AddHost take: the same text gives the
        # same object (Id, Owner and Usage apart).
        for spec_of, add, iface in ((lan, 'AddDhcpRange', RANGE), (vm1, 'AddHost', HOST)):
            new = self.mgr(add, '(s)', spec_of['Spec'])
            props = self.c.get_all(new, iface)
            for key in set(props) - {'Id', 'Owner', 'Usage'}:
                self.assertEqual(props[key], spec_of[key], '%s %s' % (iface, key))
            self.assertEqual(props['Owner'], self.c.name)

    def test_dhcp_off(self):
        self.start(dhcp=False)
        for method, sig, args in (('AddDhcpRange', '(s)', ['10.97.0.10,10.97.0.20']),
                                  ('UpdateDhcpRange', '(us)', [1, '10.97.0.10,10.97.0.20']),
                                  ('RemoveDhcpRange', '(u)', [1]),
                                  ('AddHost', '(s)', ['52:54:00:00:00:09,10.97.0.9']),
                                  ('UpdateHost', '(us)', [1, '52:54:00:00:00:09']),
                                  ('RemoveHost', '(u)', [1]),
                                  ('ReleaseLease', '(s)', ['10.97.0.9'])):
            msg = self.assertDBusError(NOT_SUPPORTED, self.mgr, method, sig, *args)
            self.assertIn('DHCP is not enabled', msg)
        self.assertDBusError(NOT_SUPPORTED, self.add_lease, '10.97.0.9', '52:54:00:00:00:09')
        self.assertDBusError(NOT_SUPPORTED, self.c.dm, 'DeleteDhcpLease', '(s)', '10.97.0.9')
        objects = self.c.objects()
        for iface in (RANGE, HOST, LEASE):
            self.assertFalse([p for p, i in objects.items() if iface in i], iface)
        stats = self.mgr('GetStatistics')
        self.assertNotIn('dhcp-received', stats)


class RangeMethodsTest(DhcpBusCase):
    def test_add_update_remove(self):
        self.start()
        spec = 'tag:guest,set:g2,10.97.0.10,10.97.0.20,255.255.255.0,10.97.0.255,30m'
        path = self.mgr('AddDhcpRange', '(s)', spec)
        added = self.c.wait_added(path, 3.0)
        self.assertIsNotNone(added, 'no InterfacesAdded for ' + path)
        props = added.args[1][RANGE]
        self.assertEqual(props, self.c.get_all(path, RANGE))
        self.assertEqual(path, '%s/dhcp_range/%d' % (ROOT, props['Id']))
        self.assertEqual((props['Start'], props['End'], props['Netmask'], props['Broadcast']),
                         ('10.97.0.10', '10.97.0.20', '255.255.255.0', '10.97.0.255'))
        self.assertEqual((props['Mode'], props['LeaseTime'], props['SetTag'], props['MatchTags']),
                         ('dynamic', 1800, 'g2', ['guest']))
        self.assertEqual((props['Owner'], props['Usage'], props['Size']), (self.c.name, 0, 11))
        self.assertEqual(len(self.c.ranges()), 3)

        # Update: the same object, new properties, PropertiesChanged.
        self.mgr('UpdateDhcpRange', '(us)', props['Id'], '10.97.0.10,10.97.0.30,infinite')
        self.assertEqual(self.c.props_changed(path, 'End'), '10.97.0.30')
        now = self.c.get_all(path, RANGE)
        self.assertEqual((now['Id'], now['End'], now['LeaseTime'], now['SetTag'], now['MatchTags'],
                          now['Size'], now['Owner']),
                         (props['Id'], '10.97.0.30', 0xffffffff, '', [], 21, self.c.name))

        # The object's Delete and the Manager's RemoveDhcpRange.
        self.mgr('RemoveDhcpRange', '(u)', props['Id'])
        self.assertIsNotNone(self.c.wait_removed(path, 3.0), 'no InterfacesRemoved for ' + path)
        self.assertNotIn(path, self.c.ranges())
        self.assertDBusError('InvalidArgument', self.mgr, 'RemoveDhcpRange', '(u)', props['Id'])
        other = self.mgr('AddDhcpRange', '(s)', '10.97.1.10,10.97.1.20')
        self.assertNotEqual(other, path, 'an id was reused')
        self.c.call(other, RANGE, 'Delete')
        self.assertIsNotNone(self.c.wait_removed(other, 3.0))
        self.assertEqual(len(self.c.ranges()), 2)

    def test_bad_specs_change_nothing(self):
        self.start()
        mine = self.mgr('AddDhcpRange', '(s)', '10.97.0.10,10.97.0.20,1h')
        mine_id = self.c.get(mine, RANGE, 'Id')
        config_id = [r['Id'] for r in self.c.ranges().values() if r['Owner'] == 'config'][0]
        before = self.c.ranges()
        for bad in ('nonsense', '10.97.0.10,10.97.0.300', '', '10.97.0.10,10.97.0.20,1x',
                    '10.97.0.10,' * 1000):
            self.assertDBusError('InvalidArgument', self.mgr, 'AddDhcpRange', '(s)', bad)
            self.assertDBusError('InvalidArgument', self.mgr, 'UpdateDhcpRange', '(us)', mine_id, bad)
        for v6 in ('fd00::10,fd00::20', '::,constructor:eth0,ra-only'):
            msg = self.assertDBusError('InvalidArgument', self.mgr, 'AddDhcpRange', '(s)', v6)
            self.assertIn('DHCPv6 is not supported', msg)
            msg = self.assertDBusError('InvalidArgument', self.mgr, 'UpdateDhcpRange', '(us)',
                                       mine_id, v6)
            self.assertIn('DHCPv6 is not supported', msg)
        # Unknown ids, and the configuration's range.
        self.assertDBusError('InvalidArgument', self.mgr, 'UpdateDhcpRange', '(us)', 9999,
                             '10.97.0.10,10.97.0.20')
        self.assertDBusError('ReadOnly', self.mgr, 'UpdateDhcpRange', '(us)', config_id,
                             '10.97.0.10,10.97.0.20')
        self.assertDBusError('ReadOnly', self.mgr, 'RemoveDhcpRange', '(u)', config_id)
        self.assertDBusError('ReadOnly', self.c.call, '%s/dhcp_range/%d' % (ROOT, config_id),
                             RANGE, 'Delete')
        self.assertEqual(self.c.ranges(), before)


class HostMethodsTest(DhcpBusCase):
    def test_add_update_remove(self):
        self.start()
        spec = '52:54:00:12:34:*,id:01:02:03,id:*,10.99.0.20,vm20,2h,set:vip,tag:lan'
        path = self.mgr('AddHost', '(s)', spec)
        added = self.c.wait_added(path, 3.0)
        self.assertIsNotNone(added, 'no InterfacesAdded for ' + path)
        props = added.args[1][HOST]
        self.assertEqual(props, self.c.get_all(path, HOST))
        self.assertEqual(path, '%s/host/%d' % (ROOT, props['Id']))
        self.assertEqual(props['HardwareAddresses'], ['52:54:00:12:34:*'])
        self.assertEqual(sorted(props['ClientIds']), ['*', '01:02:03'])
        self.assertEqual((props['Address'], props['Name'], props['LeaseTime']), ('10.99.0.20', 'vm20', 7200))
        self.assertEqual((props['SetTag'], props['MatchTags'], props['Ignore'], props['Owner']),
                         ('vip', ['lan'], False, self.c.name))

        self.mgr('UpdateHost', '(us)', props['Id'], '52:54:00:12:34:56,10.99.0.21,vm21')
        self.assertEqual(self.c.props_changed(path, 'Name'), 'vm21')
        now = self.c.get_all(path, HOST)
        self.assertEqual((now['Id'], now['HardwareAddresses'], now['ClientIds'], now['Address'],
                          now['LeaseTime'], now['Owner']),
                         (props['Id'], ['52:54:00:12:34:56'], [], '10.99.0.21', 0, self.c.name))

        self.mgr('RemoveHost', '(u)', props['Id'])
        self.assertIsNotNone(self.c.wait_removed(path, 3.0), 'no InterfacesRemoved for ' + path)
        self.assertNotIn(path, self.c.hosts())
        other = self.mgr('AddHost', '(s)', '52:54:00:12:34:57,ignore')
        self.assertTrue(self.c.get(other, HOST, 'Ignore'))
        self.c.call(other, HOST, 'Delete')
        self.assertIsNotNone(self.c.wait_removed(other, 3.0))
        self.assertEqual(len(self.c.hosts()), 2)

    def test_bad_specs_change_nothing(self):
        self.start()
        mine = self.mgr('AddHost', '(s)', '52:54:00:12:34:56,10.99.0.21')
        mine_id = self.c.get(mine, HOST, 'Id')
        config_id = [h['Id'] for h in self.c.hosts().values() if h['Owner'] == 'config'][0]
        before = self.c.hosts()
        for bad in ('52:54:00:12:34:56,10.99.0.21,10.99.0.22', '52:54:00:12:34:56,vm1,vm2',
                    '52:54:00:12:34:56,-bad-', 'x' * 5000):
            self.assertDBusError('InvalidArgument', self.mgr, 'AddHost', '(s)', bad)
            self.assertDBusError('InvalidArgument', self.mgr, 'UpdateHost', '(us)', mine_id, bad)
        msg = self.assertDBusError('InvalidArgument', self.mgr, 'AddHost', '(s)',
                                   'id:00:01:00:01:aa:bb,[fd00::5],vm6')
        self.assertIn('DHCPv6 is not supported', msg)
        self.assertDBusError('InvalidArgument', self.mgr, 'RemoveHost', '(u)', 9999)
        self.assertDBusError('ReadOnly', self.mgr, 'UpdateHost', '(us)', config_id,
                             '52:54:00:12:34:58')
        self.assertDBusError('ReadOnly', self.mgr, 'RemoveHost', '(u)', config_id)
        self.assertEqual(self.c.hosts(), before)


class LifetimeTest(DhcpBusCase):
    def test_hosts_file_reread(self):
        hostsfile = os.path.join(self.dir, 'hosts')
        with open(hostsfile, 'w', encoding='utf-8') as f:
            f.write('52:54:00:00:01:01,10.99.0.31,file1\n')
        self.start('--dhcp-hostsfile=' + hostsfile)
        mine = [p for p, h in self.c.hosts().items() if h['Owner'] == hostsfile]
        self.assertEqual(len(mine), 1, self.c.hosts())
        self.assertEqual(self.c.get(mine[0], HOST, 'Name'), 'file1')
        with open(hostsfile, 'w', encoding='utf-8') as f:
            f.write('52:54:00:00:01:02,10.99.0.32,file2\n52:54:00:00:01:03,10.99.0.33,file3\n')
        self.mgr('Reload')
        names = self.wait_value(
            lambda: sorted(h['Name'] for h in self.c.hosts().values() if h['Owner'] == hostsfile),
            lambda v: v == ['file2', 'file3'], 3.0, 'Host objects after the hosts file changed')
        self.assertIsNotNone(self.c.wait_removed(mine[0], 1.0), 'no InterfacesRemoved for ' + mine[0])
        self.assertEqual(len(self.c.hosts()), 4, names)

    def test_cleanup_on_exit(self):
        self.start()
        other = Client(self.bus.address)
        self.addCleanup(other.close)
        other.mgr('SetCleanupOnExit', '(b)', True)
        rpath = other.mgr('AddDhcpRange', '(s)', '10.97.0.10,10.97.0.20')
        hpath = other.mgr('AddHost', '(s)', '52:54:00:12:34:56,10.99.0.21')
        kept = self.mgr('AddDhcpRange', '(s)', '10.97.1.10,10.97.1.20')
        self.assertEqual(self.c.get(rpath, RANGE, 'Owner'), other.name)
        other.close()
        self.assertIsNotNone(self.c.wait_removed(rpath, 3.0), 'the range outlived its owner')
        self.assertIsNotNone(self.c.wait_removed(hpath, 3.0), 'the host outlived its owner')
        self.assertIn(kept, self.c.ranges())

    def test_range_limit(self):
        self.start()
        for i in range(256):
            self.mgr('AddDhcpRange', '(s)', '10.%d.%d.10,10.%d.%d.20' % (100 + i // 200, i % 200,
                                                                        100 + i // 200, i % 200))
        self.assertDBusError('LimitExceeded', self.mgr, 'AddDhcpRange', '(s)', '10.96.0.10,10.96.0.20')
        self.assertEqual(len(self.c.ranges()), 2 + 256)
        # Another caller has a quota of its own.
        other = Client(self.bus.address)
        self.addCleanup(other.close)
        other.mgr('AddDhcpRange', '(s)', '10.96.0.10,10.96.0.20')


class AccessTest(DhcpBusCase):
    def test_unprivileged_callers(self):
        self.start()
        rpath = self.mgr('AddDhcpRange', '(s)', '10.97.0.10,10.97.0.20')
        rid = self.c.get(rpath, RANGE, 'Id')
        hpath = self.mgr('AddHost', '(s)', '52:54:00:12:34:56,10.99.0.21')
        hid = self.c.get(hpath, HOST, 'Id')
        self.add_lease('10.99.0.60', '52:54:00:aa:00:60')
        lpath = list(self.c.leases())[0]
        before = self.c.objects()
        calls = [
            (ROOT, MANAGER + '.AddDhcpRange', ["'10.96.0.10,10.96.0.20'"]),
            (ROOT, MANAGER + '.UpdateDhcpRange', [str(rid), "'10.96.0.10,10.96.0.20'"]),
            (ROOT, MANAGER + '.RemoveDhcpRange', [str(rid)]),
            (ROOT, MANAGER + '.AddHost', ["'52:54:00:12:34:59'"]),
            (ROOT, MANAGER + '.UpdateHost', [str(hid), "'52:54:00:12:34:59'"]),
            (ROOT, MANAGER + '.RemoveHost', [str(hid)]),
            (ROOT, MANAGER + '.ReleaseLease', ["'10.99.0.60'"]),
            (rpath, RANGE + '.Delete', []),
            (hpath, HOST + '.Delete', []),
            (lpath, LEASE + '.Release', []),
        ]
        for path, method, args in calls:
            r = self.as_nobody(path, method, *args)
            self.assertNotEqual(r.returncode, 0, '%s as nobody succeeded' % method)
            self.assertIn(ERROR + 'AccessDenied', r.stderr, method)
        for method, args in (('AddDhcpLease', ["'10.99.0.61'", "'52:54:00:aa:00:61'", '[]', '[]',
                                               'uint32 60', 'uint32 0', 'false']),
                             ('DeleteDhcpLease', ["'10.99.0.60'"])):
            r = self.as_nobody(DM_PATH, DM_NAME + '.' + method, *args, dest=DM_NAME)
            self.assertNotEqual(r.returncode, 0, '%s as nobody succeeded' % method)
            self.assertIn(ACCESS_DENIED, r.stderr, method)
        busclient.pump(0.3)
        self.assertEqual(self.c.objects(), before, 'an unprivileged call changed something')
        # Reading stays open to everyone.
        r = self.bus.busctl('get-property', BUS_NAME, rpath, RANGE, 'Start', user=NOBODY)
        self.assertIn('10.97.0.10', r.stdout)


class LeaseTest(DhcpBusCase):
    def test_add_and_delete_dhcp_lease(self):
        self.start('--domain=lan.test')
        mark = len(self.c.signals)
        now = time.time()
        self.assertEqual(self.add_lease('10.99.0.77', '52:54:00:aa:bb:cc', b'vm7',
                                        bytes.fromhex('0152540000bbcc'), 3600), ())
        args = self.c.dm_signal('DhcpLeaseAdded', after=mark)
        self.assertEqual(args, ('10.99.0.77', '52:54:00:aa:bb:cc', 'vm7'))
        added = self.c.wait_signal(lambda s: s.member == 'InterfacesAdded'
                                   and s.iface == OBJECT_MANAGER and LEASE in s.args[1], 3.0)
        self.assertIsNotNone(added, 'no InterfacesAdded for the lease')
        path = added.args[0]
        props = added.args[1][LEASE]
        self.assertEqual(path, '%s/lease/%d' % (ROOT, props['Id']))
        self.assertEqual((props['Address'], props['HardwareAddress'], props['ClientId'],
                          props['Hostname'], props['Interface'], props['RangeId']),
                         ('10.99.0.77', '52:54:00:aa:bb:cc', '01:52:54:00:00:bb:cc', 'vm7', '', 0))
        self.assertAlmostEqual(props['Expires'], now + 3600, delta=10)
        self.assertEqual(self.c.leases(), {path: props})

        # The lease file, DNS, the range's Usage.
        line = self.wait_value(lambda: self.lease_line('10.99.0.77'), lambda v: v is not None,
                               6.0, 'lease file line')
        self.assertEqual(line[1:5], ['52:54:00:aa:bb:cc', '10.99.0.77', 'vm7', '01:52:54:00:00:bb:cc'])
        self.assertAlmostEqual(int(line[0]), now + 3600, delta=10)
        for name in ('vm7', 'vm7.lan.test'):
            r = self.ask(name)
            self.assertEqual(r.rcode(), dns.rcode.NOERROR, name)
            self.assertEqual(ht.answer_texts(r, 'A'), ['10.99.0.77'], name)
        lan = [p for p, r in self.c.ranges().items() if r['Start'] == '10.99.0.50'][0]
        self.wait_value(lambda: self.c.get(lan, RANGE, 'Usage'), lambda u: u == 1, 3.0, 'Usage')

        # Overwritten: the same object, DhcpLeaseUpdated, a new name.
        mark = len(self.c.signals)
        self.add_lease('10.99.0.77', '52:54:00:aa:bb:cc', b'vm8\0', b'', 0)
        self.assertEqual(self.c.dm_signal('DhcpLeaseUpdated', after=mark),
                         ('10.99.0.77', '52:54:00:aa:bb:cc', 'vm8'))
        self.assertEqual(self.c.props_changed(path, 'Hostname'), 'vm8')
        now = self.c.get_all(path, LEASE)
        self.assertEqual((now['Hostname'], now['ClientId'], now['Expires']), ('vm8', '', 0))
        self.assertEqual(list(self.c.leases()), [path])
        self.assertEqual(ht.answer_texts(self.ask('vm8'), 'A'), ['10.99.0.77'])

        # Deleted: true, then false.
        mark = len(self.c.signals)
        self.assertEqual(self.c.dm('DeleteDhcpLease', '(s)', '10.99.0.77'), (True,))
        self.assertEqual(self.c.dm_signal('DhcpLeaseDeleted', after=mark),
                         ('10.99.0.77', '52:54:00:aa:bb:cc', 'vm8'))
        self.assertIsNotNone(self.c.wait_removed(path, 3.0), 'no InterfacesRemoved for ' + path)
        self.assertEqual(self.c.leases(), {})
        self.assertEqual(self.c.dm('DeleteDhcpLease', '(s)', '10.99.0.77'), (False,))
        self.assertEqual(self.c.dm('DeleteDhcpLease', '(s)', 'fd00::77'), (False,))
        self.assertNotEqual(self.ask('vm8').rcode(), dns.rcode.NOERROR)
        self.wait_value(lambda: self.lease_line('10.99.0.77'), lambda v: v is None, 6.0,
                        'lease file line after DeleteDhcpLease')
        self.wait_value(lambda: self.c.get(lan, RANGE, 'Usage'), lambda u: u == 0, 3.0, 'Usage')

    def test_add_dhcp_lease_errors(self):
        self.start()
        good = ['10.99.0.80', '52:54:00:aa:00:80', b'vm80', b'', 60, 0, False]
        bad = [
            (0, 'fd00::80', 'DHCPv6 is not supported'),
            (0, 'not-an-ip', 'not-an-ip'),
            (1, '52:54:00:*:00:80', '52:54:00:*:00:80'),
            (1, 'zz:54', 'zz:54'),
            (2, b'bad name', None),
            (2, b'-vm', None),
            (2, b'a' * 64, None),
            (2, b'vm\0x', None),
            (3, b'\1' * 256, None),
        ]
        for index, value, text in bad:
            args = list(good)
            args[index] = value
            msg = self.assertDBusError(INVALID_ARGS, self.c.dm, 'AddDhcpLease', '(ssayayuub)', *args)
            if text is not None:
                self.assertIn(text, msg)
        # Arguments of the wrong types, as dnsmasq words it.
        msg = self.assertDBusError(INVALID_ARGS, self.c.dm, 'AddDhcpLease', '(ss)', '10.99.0.80',
                                   '52:54:00:aa:00:80')
        self.assertIn('third argument', msg)
        self.assertDBusError(INVALID_ARGS, self.c.dm, 'DeleteDhcpLease', '(u)', 5)
        self.assertDBusError(INVALID_ARGS, self.c.dm, 'DeleteDhcpLease', '(s)', 'not-an-ip')
        self.assertEqual(self.c.leases(), {})
        self.assertIsNone(self.lease_line('10.99.0.80'))

    def test_release_lease(self):
        self.start()
        for i in (81, 82):
            self.add_lease('10.99.0.%d' % i, '52:54:00:aa:00:%d' % i, b'vm%d' % i)
        leases = {p: l['Address'] for p, l in self.c.leases().items()}
        self.assertEqual(sorted(leases.values()), ['10.99.0.81', '10.99.0.82'])
        by_addr = {a: p for p, a in leases.items()}

        mark = len(self.c.signals)
        self.assertEqual(self.mgr('ReleaseLease', '(s)', '10.99.0.81'), ())
        self.assertIsNotNone(self.c.wait_removed(by_addr['10.99.0.81'], 3.0))
        self.assertEqual(self.c.dm_signal('DhcpLeaseDeleted', after=mark),
                         ('10.99.0.81', '52:54:00:aa:00:81', 'vm81'))
        self.assertDBusError('InvalidArgument', self.mgr, 'ReleaseLease', '(s)', '10.99.0.81')
        self.assertDBusError('InvalidArgument', self.mgr, 'ReleaseLease', '(s)', 'nonsense')
        msg = self.assertDBusError('InvalidArgument', self.mgr, 'ReleaseLease', '(s)', 'fd00::1')
        self.assertIn('DHCPv6', msg)

        self.c.call(by_addr['10.99.0.82'], LEASE, 'Release')
        self.assertIsNotNone(self.c.wait_removed(by_addr['10.99.0.82'], 3.0))
        self.assertEqual(self.c.leases(), {})
        self.wait_value(lambda: [l for l in self.lease_lines() if len(l) > 2 and l[2].startswith('10.')],
                        lambda v: v == [], 6.0, 'lease file after the releases')

    def test_leases_from_file(self):
        # A lease file from an earlier run: its leases are objects at once.
        expiry = int(time.time()) + 600
        with open(self.leasefile, 'w', encoding='utf-8') as f:
            f.write('%d 52:54:00:aa:00:90 10.99.0.90 vm90 *\n' % expiry)
            f.write('0 52:54:00:aa:00:91 10.99.0.91 * 01:52:54:00:aa:00:91\n')
        self.start()
        leases = {l['Address']: l for l in self.c.leases().values()}
        self.assertEqual(sorted(leases), ['10.99.0.90', '10.99.0.91'])
        self.assertEqual((leases['10.99.0.90']['Hostname'], leases['10.99.0.90']['Expires']),
                         ('vm90', expiry))
        self.assertEqual((leases['10.99.0.91']['Hostname'], leases['10.99.0.91']['Expires'],
                          leases['10.99.0.91']['ClientId']), ('', 0, '01:52:54:00:aa:00:91'))
        lan = [r for r in self.c.ranges().values() if r['Start'] == '10.99.0.50'][0]
        self.assertEqual(lan['Usage'], 2)

    def test_dnsmasq_mode(self):
        """As the drop-in, with only dnsmasq's name: AddDhcpLease and the
        signals work the same."""
        self.start(compat=True)
        self.assertIsNone(self.c.name_owner_pid(BUS_NAME))
        mark = len(self.c.signals)
        self.add_lease('10.99.0.95', '52:54:00:aa:00:95', b'vm95')
        self.assertEqual(self.c.dm_signal('DhcpLeaseAdded', after=mark),
                         ('10.99.0.95', '52:54:00:aa:00:95', 'vm95'))
        self.wait_value(lambda: self.lease_line('10.99.0.95'), lambda v: v is not None, 6.0,
                        'lease file line')
        self.assertEqual(ht.answer_texts(self.ask('vm95'), 'A'), ['10.99.0.95'])
        self.assertEqual(self.c.dm('DeleteDhcpLease', '(s)', '10.99.0.95'), (True,))
        self.assertIsNotNone(self.c.dm_signal('DhcpLeaseDeleted', after=mark))


class HearthctlTest(DhcpBusCase):
    def setUp(self):
        super().setUp()
        if not HEARTHCTL:
            raise unittest.SkipTest('HEARTHCTL not set')

    def ctl(self, *args, check=True):
        argv = [HEARTHCTL, '--address=' + self.bus.address] + [str(a) for a in args]
        env = dict(os.environ, LC_ALL='C.UTF-8')
        env.pop('LANGUAGE', None)
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10,
                           stdin=subprocess.DEVNULL, env=env)
        if check and r.returncode != 0:
            self.fail('%s exited with %d:\n%s%s' % (' '.join(argv), r.returncode,
                                                     r.stdout, r.stderr))
        return r

    def rows(self, *args):
        return [line.split() for line in self.ctl('--no-legend', *args).stdout.splitlines()]

    def test_lists(self):
        self.start()
        self.add_lease('10.99.0.101', '52:54:00:aa:01:01', b'vm101', b'\1\2', 3600)
        self.add_lease('10.99.0.55', '52:54:00:aa:00:55', b'', b'', 0)
        # (Usage is published at most once a second.)
        lan_path = [p for p, r in self.c.ranges().items() if r['Start'] == '10.99.0.50'][0]
        self.wait_value(lambda: self.c.get(lan_path, RANGE, 'Usage'), lambda u: u == 2, 3.0, 'Usage')

        out = self.ctl('ranges').stdout
        self.assertIn('ID', out.splitlines()[0])
        self.assertIn('2 ranges listed.', out)
        rows = {r[1]: r for r in self.rows('ranges')}
        lan = rows['10.99.0.50']
        self.assertEqual(lan[2:5], ['10.99.0.150', 'dynamic', '12h'])
        self.assertEqual(lan[5:], ['set:lan', '2/101', 'config'])
        self.assertEqual(rows['10.98.0.0'][3], 'static')
        self.assertEqual(rows['10.98.0.0'][-2], '-')

        rows = {r[1]: r for r in self.rows('hosts')}
        self.assertEqual(rows['52:54:00:00:00:01'][2:],
                         ['01:52:54:00:00:00:01', '10.99.0.10', 'vm1', '1h', 'set:known', 'config'])
        self.assertEqual(rows['52:54:00:00:00:02'][2:], ['-', '-', '-', '-', 'ignore', 'config'])

        rows = self.rows('leases')
        self.assertEqual([r[0] for r in rows], ['10.99.0.55', '10.99.0.101'], 'not in address order')
        self.assertEqual(rows[0][1:], ['52:54:00:aa:00:55', '-', '-', 'never', '-'])
        self.assertEqual(rows[1][1:4], ['52:54:00:aa:01:01', 'vm101', '01:02'])
        self.assertRegex(rows[1][4], r'^(59m\d+s|1h0m)$')

        # JSON: the D-Bus properties, with Id and Path.
        for cmd, member, iface in (('ranges', 'DhcpRanges', RANGE), ('hosts', 'Hosts', HOST),
                                   ('leases', 'Leases', LEASE)):
            data = json.loads(self.ctl('--json', cmd).stdout)
            entries = data[member]
            objects = self.c.of(iface)
            self.assertEqual({e['Path'] for e in entries}, set(objects))
            for e in entries:
                self.assertEqual(e['Id'], self.path_id(e['Path']))
                for key, value in objects[e['Path']].items():
                    self.assertEqual(e[key], value, '%s %s' % (cmd, key))
        data = json.loads(self.ctl('--json', 'leases').stdout)
        self.assertEqual([e['Address'] for e in data['Leases']], ['10.99.0.55', '10.99.0.101'])

    def test_changes(self):
        self.start()
        path = self.ctl('add-range', '10.97.0.10,10.97.0.20,1h').stdout.strip()
        self.assertEqual(self.c.get(path, RANGE, 'End'), '10.97.0.20')
        rid = self.path_id(path)
        self.assertEqual(self.ctl('update-range', rid, '10.97.0.10,10.97.0.40').stdout, '')
        self.assertEqual(self.c.get(path, RANGE, 'End'), '10.97.0.40')
        self.assertIn('10.97.0.10', [r[1] for r in self.rows('ranges')])
        self.assertEqual(self.ctl('del-range', path).stdout, '')          # by path
        self.assertNotIn(path, self.c.ranges())

        data = json.loads(self.ctl('--json', 'add-host', '52:54:00:12:34:56,10.99.0.30,vm30').stdout)
        hpath = data['Path']
        self.assertEqual(data['Id'], self.path_id(hpath))
        self.assertEqual(self.c.get(hpath, HOST, 'Name'), 'vm30')
        self.ctl('update-host', data['Id'], '52:54:00:12:34:56,10.99.0.31,vm31')
        self.assertEqual(self.c.get(hpath, HOST, 'Address'), '10.99.0.31')
        self.ctl('del-host', data['Id'])
        self.assertNotIn(hpath, self.c.hosts())

        self.add_lease('10.99.0.70', '52:54:00:aa:00:70', b'vm70')
        self.assertEqual(self.ctl('release', '10.99.0.70').stdout, '')
        self.assertEqual(self.c.leases(), {})

        # Errors: the daemon's words, exit status 1; wrong use, 2.
        r = self.ctl('add-range', 'fd00::10,fd00::20', check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('DHCPv6 is not supported', r.stderr)
        r = self.ctl('release', '10.99.0.70', check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('10.99.0.70', r.stderr)
        config_id = [h['Id'] for h in self.c.hosts().values() if h['Owner'] == 'config'][0]
        r = self.ctl('del-host', config_id, check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        r = self.ctl('del-range', 'x', check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        r = self.ctl('add-host', check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(self.c.ranges()), 2)
        self.assertEqual(len(self.c.hosts()), 2)

    def test_dhcp_off(self):
        self.start(dhcp=False)
        for args in (('add-range', '10.97.0.10,10.97.0.20'), ('release', '10.97.0.10')):
            r = self.ctl(*args, check=False)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn('DHCP is not enabled', r.stderr)
        self.assertEqual(self.rows('leases'), [])
        self.assertEqual(json.loads(self.ctl('--json', 'ranges').stdout), {'DhcpRanges': []})


if __name__ == '__main__':
    nettest.main()
