#!/usr/bin/env python3
"""Behaviour tests for the D-Bus Link objects, per-link DNS and `hearthctl links`.

hearthd runs inside a private network namespace (built with nettest.py) and
publishes its objects on a private dbus-daemon (dbustest.PrivateBus, a Unix
socket that any namespace reaches).  The tests make veth pairs come and go
and check that the org.hearth.Hearth1.Link objects follow them; that servers
and routing domains set per link (SetLinkServers/SetLinkDomains/RevertLink,
the Link's SetServers/SetDomains/Revert) route queries to a fake upstream in
a peer namespace behind the link, are suspended while it is down and vanish
with it; that server=ADDR@IFACE from the configuration waits for IFACE; and
that hearthctl's links, link-servers, link-domains and revert-link commands
show and change the same state.  Queries are sent to 127.0.0.1 from inside
hearthd's namespace.

Everything here is hearth's own interface, so the file is skipped against
the dnsmasq reference, and when not root (exit code 77).
"""

import json
import os
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
from busclient import (BUS_NAME, LINK, MANAGER, OBJECT_MANAGER, ROOT, SERVER,  # noqa: E402
                       DBusCallError)

ERROR = 'org.hearth.Hearth1.Error.'
NOBODY = 65534

# The link between hearthd's namespace and the peer holding the link's DNS
# server.
HOST_IF = 'vethh0'
PEER_IF = 'vethp0'
HOST_ADDR = '10.77.0.1'
PEER_ADDR = '10.77.0.2'
DEFAULT_ADDR = '127.0.0.1'          # hearthd's address inside its namespace


def _hearthctl_binary():
    if os.environ.get('HEARTHCTL'):
        return os.environ['HEARTHCTL']
    # Next to $HEARTHD in a build tree (src/daemon/hearthd, src/ctl/hearthctl).
    guess = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(ht.HEARTHD))),
                         'ctl', 'hearthctl')
    return guess if os.path.exists(guess) else ''


HEARTHCTL = _hearthctl_binary()

def link_path(index):
    return '%s/link/%d' % (ROOT, index)


class Client(busclient.Client):
    """The shared client, with the shapes these tests use."""

    def get_all(self, path, iface=LINK):
        return super().get_all(path, iface)

    def owner_pid(self):
        return self.name_owner_pid()

    def wait_signal(self, member, path, timeout):
        """The (path, interfaces...) arguments of the first `member`
        ObjectManager signal about path, waiting up to timeout; None if
        none came."""
        s = super().wait_signal(lambda s: s.member == member and s.iface == OBJECT_MANAGER
                                and s.args[0] == path, timeout)
        return s.args if s is not None else None


def _die_with_parent():
    try:
        nettest._libc.prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    except Exception:
        pass


class BusDaemon(nettest.NetDaemon):
    """hearthd inside ns like nettest.NetDaemon, but on the private bus
    (NetDaemon passes --no-dbus, which would win over --dbus-address)."""

    def __init__(self, ns, bus, *args):         # pylint: disable=super-init-not-called
        self.ns = ns
        self.binary = ht.HEARTHD
        self.port = nettest.DNS_PORT
        self._tmpdir = tempfile.mkdtemp(prefix='hearth-links-')
        argv = [self.binary, '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
                '--port=%d' % self.port, '--log-facility=-', '--dbus-address=' + bus.address]
        argv += [str(a) for a in args]
        argv += os.environ.get('HEARTH_TEST_EXTRA_ARGS', '').split()
        self.argv = argv
        self._stderr = tempfile.TemporaryFile(prefix='hearthd-stderr-')
        with ns.entered():
            self.proc = subprocess.Popen(argv, executable=self.binary, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr, stderr=self._stderr,
                                         preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        self.exit_code = None


class LinkTestCase(nettest.NetTestCase):
    """A private bus and hearthd's namespace (`srv`) per test."""

    def setUp(self):
        super().setUp()
        if ht.REFERENCE:
            raise unittest.SkipTest('hearth-only D-Bus interface')
        if not have_dbus_daemon():
            raise unittest.SkipTest('dbus-daemon not installed')
        self.bus = PrivateBus()
        self.addCleanup(self.bus.close)
        self.srv = self.netns('srv')
        self.c = None

    def start(self, *args):
        """hearthd in srv on the private bus; returns once it owns its name
        (a client, self.c, is connected then)."""
        d = BusDaemon(self.srv, self.bus, *args)
        self.addCleanup(self._stop, d)
        self.c = Client(self.bus.address)
        self.addCleanup(self.c.close)
        deadline = time.monotonic() + 5.0
        while self.c.owner_pid() != d.pid:
            self.assertTrue(d.running(), 'hearthd exited' + d.describe())
            if time.monotonic() >= deadline:
                self.fail('hearthd did not own %s within 5 s%s' % (BUS_NAME, d.describe()))
            time.sleep(0.03)
        self.d = d
        return d

    # ---- topology ---------------------------------------------------------

    def peer_link(self, up=True, host_if=HOST_IF, peer_if=PEER_IF, host_addr=HOST_ADDR,
                  peer_addr=PEER_ADDR, peer=None):
        """A veth pair from srv to a peer namespace (made unless given):
        host_if (host_addr/24) in srv, peer_if (peer_addr/24) in the peer."""
        if peer is None:
            peer = self.netns('peer')
        self.srv.veth(host_if, peer, peer_if,
                      addrs=[host_addr + '/24'] if host_addr else [],
                      peer_addrs=[peer_addr + '/24'] if peer_addr else [], up=up)
        if up:
            # The kernel reports the carrier a moment later (linkwatch):
            # tests start from a link that is really up.
            took = nettest.wait_for(lambda: self.operstate(host_if) == 'UP', 3.0)
            self.assertIsNotNone(took, '%s not up after 3 s' % host_if)
        return peer

    def operstate(self, name):
        return json.loads(self.srv.ip('-j', 'link', 'show', 'dev', name))[0]['operstate']

    def link_upstream(self, peer, addr=PEER_ADDR):
        """A fake upstream on addr#53 in peer answering corp.test and
        other.test names with 192.0.2.99."""
        up = self.upstream_in(peer, addr, port=nettest.DNS_PORT)
        self._fill(up, '192.0.2.99')
        return up

    def default_upstream(self):
        """A fake upstream on 127.0.0.1 in srv (random port), answering the
        same names with 192.0.2.1."""
        up = self.upstream_in(self.srv, DEFAULT_ADDR)
        self._fill(up, '192.0.2.1')
        return up

    @staticmethod
    def _fill(up, addr):
        for i in range(20):
            for dom in ('corp.test', 'other.test'):
                up.add('n%d.%s' % (i, dom), 'A', 300, addr)

    def ifindex(self, name, ns=None):
        out = (ns or self.srv).ip('-j', 'link', 'show', 'dev', name)
        return json.loads(out)[0]['ifindex']

    def ip_links(self):
        """{ifindex: name} as `ip -n srv -j link show` has them."""
        return {e['ifindex']: e['ifname'] for e in json.loads(self.srv.ip('-j', 'link', 'show'))}

    # ---- D-Bus helpers ----------------------------------------------------

    def link(self, index, prop):
        return self.c.get(link_path(index), LINK, prop)

    def wait_value(self, fn, pred, timeout, what):
        """Poll fn() until pred(value); fails after timeout showing the
        last value."""
        deadline = time.monotonic() + timeout
        value = None
        while True:
            try:
                value = fn()
                if pred(value):
                    return value
            except DBusCallError as e:
                value = e
            if time.monotonic() >= deadline:
                self.fail('%s: still %r after %.1f s%s' % (what, value, timeout, self.d.describe()))
            time.sleep(0.03)

    def wait_link(self, index, prop, want, timeout=1.5):
        pred = want if callable(want) else (lambda v: v == want)
        return self.wait_value(lambda: self.link(index, prop), pred, timeout,
                               'link %d %s (want %r)' % (index, prop, want))

    def link_servers(self, index):
        """Server objects with Owner link:INDEX."""
        owner = 'link:%d' % index
        return {p: s for p, s in self.c.servers().items() if s['Owner'] == owner}

    def assertLinkServer(self, index, addr=PEER_ADDR):
        """The Link's Servers property lists one server, addr (its
        spelling is checked by test_servers_property_spelling)."""
        servers = self.link(index, 'Servers')
        self.assertEqual(len(servers), 1, servers)
        self.assertTrue(servers[0].startswith(addr), servers)

    def assertDBusError(self, name, fn, *args):
        try:
            ret = fn(*args)
        except DBusCallError as e:
            self.assertEqual(e.name, ERROR + name, e.message)
            return e.message
        self.fail('%r succeeded (returned %r), expected %s' % (args, ret, ERROR + name))

    # ---- queries ----------------------------------------------------------

    def ask(self, name, timeout=1.5):
        """One query to hearthd over 127.0.0.1 in srv; the reply (fails
        when none comes)."""
        r = nettest.query(self.srv, DEFAULT_ADDR, name, timeout=timeout)
        if r is None:
            self.fail('no reply to %s within %.1f s%s' % (name, timeout, self.d.describe()))
        return r

    def assertAnsweredBy(self, name, up, others=(), addr=None):
        """name is answered (NOERROR, from up's data when addr given), it
        reached up and none of others."""
        before = [o.count(name) for o in others]
        r = self.ask(name)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR,
                         '%s: %s%s' % (name, dns.rcode.to_text(r.rcode()), self.d.describe()))
        if addr is not None:
            self.assertEqual(ht.answer_texts(r, 'A'), [addr], name)
        self.assertGreaterEqual(up.wait_for(1, timeout=1.0, name=name), 1,
                                '%s did not reach %s' % (name, up.server_arg))
        self.assertEqual([o.count(name) for o in others], before,
                         '%s also reached another upstream' % name)


# ----------------------------------------------------------------------------

class LinkObjectsTest(LinkTestCase):
    def test_objects_follow_interfaces(self):
        peer = self.peer_link()
        self.start()
        lo_idx, h0_idx = self.ifindex('lo'), self.ifindex(HOST_IF)

        # Every interface of the namespace, and only those, has an object.
        links = self.c.links()
        self.assertEqual(set(links), {link_path(i) for i in self.ip_links()})
        lo = links[link_path(lo_idx)]
        self.assertEqual((lo['Index'], lo['Name']), (lo_idx, 'lo'))
        self.assertIn('127.0.0.1/8', lo['Addresses'])
        self.assertTrue(lo['Carrier'])
        h0 = links[link_path(h0_idx)]
        self.assertEqual((h0['Index'], h0['Name']), (h0_idx, HOST_IF))
        self.assertIn(HOST_ADDR + '/24', h0['Addresses'])
        self.assertEqual(h0['OperationalState'], 'up')
        self.assertTrue(h0['Carrier'])
        self.assertEqual((h0['Servers'], h0['Domains']), ([], []))

        # A link made now appears within a second, with its properties.
        self.srv.veth('vethh1', peer, 'vethp1')
        h1_idx = self.ifindex('vethh1')
        path = link_path(h1_idx)
        added = self.c.wait_signal('InterfacesAdded', path, 1.0)
        self.assertIsNotNone(added, 'no InterfacesAdded for %s' % path)
        self.assertEqual((added[1][LINK]['Index'], added[1][LINK]['Name']), (h1_idx, 'vethh1'))
        self.wait_link(h1_idx, 'OperationalState', 'up')
        props = self.c.get_all(path)
        self.assertEqual((props['Index'], props['Name']), (h1_idx, 'vethh1'))
        self.assertTrue(props['Carrier'])
        self.assertEqual(set(self.c.links()), {link_path(i) for i in self.ip_links()})

        # Addresses come and go.
        self.srv.add_addr('vethh1', '10.78.0.1/24')
        self.srv.add_addr('vethh1', '2001:db8:78::1/64')
        self.wait_link(h1_idx, 'Addresses',
                       lambda a: {'10.78.0.1/24', '2001:db8:78::1/64'} <= set(a))
        self.srv.del_addr('vethh1', '10.78.0.1/24')
        self.wait_link(h1_idx, 'Addresses',
                       lambda a: '10.78.0.1/24' not in a and '2001:db8:78::1/64' in a)

        # Down: no carrier.
        self.srv.link_down('vethh1')
        self.wait_link(h1_idx, 'Carrier', False)
        self.wait_link(h1_idx, 'OperationalState', 'down')
        self.srv.link_up('vethh1')
        self.wait_link(h1_idx, 'Carrier', True)
        self.wait_link(h1_idx, 'OperationalState', 'up')

        # The peer going down takes the carrier away too.
        peer.link_down('vethp1')
        self.wait_link(h1_idx, 'Carrier', False)
        self.wait_link(h1_idx, 'OperationalState', lambda s: s in ('lower-layer-down', 'down'))

        # Deleted: the object goes.
        self.srv.link_del('vethh1')
        self.assertIsNotNone(self.c.wait_signal('InterfacesRemoved', path, 1.0),
                             'no InterfacesRemoved for %s' % path)
        self.assertNotIn(path, self.c.links())
        self.assertEqual(set(self.c.links()), {link_path(i) for i in self.ip_links()})


class ListeningTest(LinkTestCase):
    def setUp(self):
        super().setUp()
        self.peer = self.peer_link(host_addr=None)
        # No IPv6 link-local address either (bind-dynamic would listen on
        # it once its DAD ends): vethh0 has no address until the test adds
        # one.
        self.srv.sysctl('net.ipv6.conf.%s.disable_ipv6' % HOST_IF, 1)
        self.peer_link(host_if='vethx0', peer_if='vethq0', host_addr='10.79.0.1',
                       peer_addr='10.79.0.2', peer=self.peer)

    def test_bind_dynamic(self):
        self.start('--bind-dynamic', '--interface=vethh*')
        h0, x0 = self.ifindex(HOST_IF), self.ifindex('vethx0')
        self.assertFalse(self.link(h0, 'Listening'), 'Listening without an address')
        self.assertFalse(self.link(x0, 'Listening'), 'Listening on a non-matching interface')
        self.srv.add_addr(HOST_IF, HOST_ADDR + '/24')
        self.wait_link(h0, 'Listening', True)
        self.assertIn(HOST_ADDR, self.srv.udp_sockets())
        self.assertFalse(self.link(x0, 'Listening'))
        self.srv.del_addr(HOST_IF, HOST_ADDR + '/24')
        self.wait_link(h0, 'Listening', False)

    def test_default_mode_except_interface(self):
        self.srv.add_addr(HOST_IF, HOST_ADDR + '/24')
        self.start('--except-interface=vethx0')
        h0, x0 = self.ifindex(HOST_IF), self.ifindex('vethx0')
        self.assertTrue(self.link(h0, 'Listening'))
        self.assertTrue(self.link(self.ifindex('lo'), 'Listening'))
        self.assertFalse(self.link(x0, 'Listening'), 'Listening on --except-interface')


class PerLinkDnsTest(LinkTestCase):
    def setUp(self):
        super().setUp()
        self.peer = self.peer_link()
        self.up = self.link_upstream(self.peer)
        self.idx = self.ifindex(HOST_IF)
        self.path = link_path(self.idx)
        # A second way to the link's server, preferred by the routing table
        # (a /32): a socket not bound to vethh0 goes this way, from
        # 10.76.0.1, so the source address the upstream sees tells whether
        # the server is bound to its link.
        self.peer_link(host_if='vethh9', peer_if='vethp9', host_addr='10.76.0.1',
                       peer_addr='10.76.0.2', peer=self.peer)
        self.srv.ip('route', 'add', PEER_ADDR + '/32', 'via', '10.76.0.2', 'dev', 'vethh9')

    def set_servers(self, servers, via_link=False):
        if via_link:
            return self.c.call(self.path, LINK, 'SetServers', '(as)', list(servers))
        return self.c.mgr('SetLinkServers', '(uas)', self.idx, list(servers))

    def set_domains(self, domains, via_link=False):
        if via_link:
            return self.c.call(self.path, LINK, 'SetDomains', '(as)', list(domains))
        return self.c.mgr('SetLinkDomains', '(uas)', self.idx, list(domains))

    def link_domains(self):
        # "~corp.test" and "corp.test" mean the same: either spelling may
        # be shown.
        return [d.lstrip('~') for d in self.link(self.idx, 'Domains')]

    def check_link_server(self, want_domains=()):
        servers = self.link_servers(self.idx)
        self.assertEqual(len(servers), 1, servers)
        s = list(servers.values())[0]
        self.assertEqual((s['Address'], s['Port'], s['Interface']), (PEER_ADDR, 53, HOST_IF))
        self.assertEqual(sorted(s['Domains']), sorted(want_domains))
        self.assertLinkServer(self.idx)
        return list(servers)[0]

    def _default_servers(self, via_link):
        # No other server: before SetLinkServers nothing is forwarded.
        self.start()
        r = self.ask('n1.other.test')
        self.assertNotEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(self.up.count(), 0, 'the link upstream was asked before it was set')
        self.set_servers([PEER_ADDR], via_link)
        self.check_link_server()
        self.assertAnsweredBy('n2.other.test', self.up, addr='192.0.2.99')
        self.assertAnsweredBy('n3.corp.test', self.up, addr='192.0.2.99')
        # The queries left through the link, from its address (not along
        # the preferred route through vethh9).
        self.assertEqual({q.addr[0] for q in self.up.queries}, {HOST_ADDR})
        if via_link:
            self.c.call(self.path, LINK, 'Revert')
        else:
            self.c.mgr('RevertLink', '(u)', self.idx)
        self.assertEqual(self.link_servers(self.idx), {})
        self.assertEqual(self.link(self.idx, 'Servers'), [])
        n = self.up.count()
        r = self.ask('n4.other.test')
        self.assertNotEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(self.up.count(), n, 'the link upstream was asked after Revert')

    def test_set_link_servers(self):
        self._default_servers(via_link=False)

    def test_link_set_servers(self):
        self._default_servers(via_link=True)

    def test_domains_down_up_delete(self):
        default = self.default_upstream()
        self.start('--server=' + default.server_arg)
        self.assertAnsweredBy('n0.corp.test', default, [self.up], addr='192.0.2.1')
        self.set_servers([PEER_ADDR])
        self.set_domains(['~corp.test'])
        self.assertEqual(self.link_domains(), ['corp.test'])
        spath = self.check_link_server(want_domains=['corp.test'])
        self.assertEqual(self.c.get(spath, SERVER, 'State'), 'up')
        self.assertAnsweredBy('n1.corp.test', self.up, [default], addr='192.0.2.99')
        self.assertAnsweredBy('n1.other.test', default, [self.up], addr='192.0.2.1')

        # Down: the server is suspended, corp.test fails at once and
        # nothing is sent anywhere.
        self.srv.link_down(HOST_IF)
        self.wait_value(lambda: self.c.get(spath, SERVER, 'State'), lambda s: s == 'suspended',
                        2.0, 'server State after link down')
        self.assertFalse(self.link(self.idx, 'Carrier'))
        counts = (self.up.count(), default.count())
        start = time.monotonic()
        r = self.ask('n2.corp.test', timeout=1.0)
        took = time.monotonic() - start
        self.assertEqual(r.rcode(), dns.rcode.SERVFAIL)
        self.assertLess(took, 0.5, 'SERVFAIL for a suspended server took %.2f s' % took)
        self.assertEqual((self.up.count(), default.count()), counts,
                         'a query for a suspended link reached an upstream')
        self.assertAnsweredBy('n2.other.test', default, [self.up])

        # Up again: used again.
        self.srv.link_up(HOST_IF)
        self.wait_value(lambda: self.c.get(spath, SERVER, 'State'), lambda s: s == 'up',
                        2.0, 'server State after link up')
        n = self.up.count()
        names = iter('n%d.corp.test' % i for i in range(3, 20))
        took = nettest.poll_served(self.srv, DEFAULT_ADDR, lambda: next(names), timeout=2.0,
                                   interval=0.2,
                                   check=lambda m: m.rcode() == dns.rcode.NOERROR)
        self.assertIsNotNone(took, 'corp.test not answered after link up' + self.d.describe())
        self.assertGreater(self.up.count(), n)

        # Deleted: the Link and its servers go, corp.test is the default's.
        self.srv.link_del(HOST_IF)
        self.assertIsNotNone(self.c.wait_signal('InterfacesRemoved', self.path, 1.5),
                             'no InterfacesRemoved for ' + self.path)
        self.wait_value(lambda: self.link_servers(self.idx), lambda s: s == {}, 1.0,
                        'server objects of a deleted link')
        self.assertNotIn(self.path, self.c.links())
        self.assertAnsweredBy('n19.corp.test', default, [self.up], addr='192.0.2.1')

    def test_servers_property_spelling(self):
        # Link.Servers lists the servers as ADDRESS#PORT, the address as
        # their Server objects' Address property spells it
        # (org.hearth.Hearth1.Link.xml).
        self.start('--server=10.77.0.3#5353@' + HOST_IF)
        self.set_servers([PEER_ADDR, '10.77.0.4#5300'])
        spelt = {'%s#%d' % (s['Address'], s['Port']) for s in self.c.servers().values()
                 if s['Interface'] == HOST_IF}
        self.assertEqual(spelt, {PEER_ADDR + '#53', '10.77.0.3#5353', '10.77.0.4#5300'})
        self.assertEqual(sorted(self.link(self.idx, 'Servers')), sorted(spelt))

    def test_revert_link_domains(self):
        default = self.default_upstream()
        self.start('--server=' + default.server_arg)
        self.set_servers([PEER_ADDR], via_link=True)
        self.set_domains(['corp.test'], via_link=True)
        self.assertEqual(self.link_domains(), ['corp.test'])
        self.check_link_server(want_domains=['corp.test'])
        self.assertAnsweredBy('n1.corp.test', self.up, [default])
        self.c.mgr('RevertLink', '(u)', self.idx)
        self.assertEqual(self.link(self.idx, 'Domains'), [])
        self.assertEqual(self.link(self.idx, 'Servers'), [])
        self.assertEqual(self.link_servers(self.idx), {})
        self.assertAnsweredBy('n2.corp.test', default, [self.up])

    def test_errors(self):
        self.start()
        missing = max(self.ip_links()) + 100
        self.assertDBusError('InvalidArgument', self.c.mgr, 'SetLinkServers', '(uas)', missing,
                             [PEER_ADDR])
        self.assertDBusError('InvalidArgument', self.c.mgr, 'SetLinkDomains', '(uas)', missing,
                             ['corp.test'])
        self.assertDBusError('InvalidArgument', self.c.mgr, 'RevertLink', '(u)', missing)

        self.set_servers([PEER_ADDR])
        before = self.c.servers()
        for bad in (['1.2.3.4@eth0'], ['not-an-ip'], ['1.2.3.4#99999'],
                    [PEER_ADDR, 'not-an-ip']):
            for via_link in (False, True):
                self.assertDBusError('InvalidArgument', self.set_servers, bad, via_link)
        self.assertEqual(self.c.servers(), before, 'a failed SetLinkServers changed servers')
        self.assertLinkServer(self.idx)

        # Unprivileged callers may not change anything.
        calls = [
            (ROOT, MANAGER + '.SetLinkServers', [str(self.idx), "['10.77.0.3']"]),
            (ROOT, MANAGER + '.SetLinkDomains', [str(self.idx), "['corp.test']"]),
            (ROOT, MANAGER + '.RevertLink', [str(self.idx)]),
            (self.path, LINK + '.SetServers', ["['10.77.0.3']"]),
            (self.path, LINK + '.SetDomains', ["['corp.test']"]),
            (self.path, LINK + '.Revert', []),
        ]
        for path, method, args in calls:
            r = self.bus.gdbus('call', '--dest', BUS_NAME, '--object-path', path,
                               '--method', method, *args, check=False, user=NOBODY)
            self.assertNotEqual(r.returncode, 0, '%s as nobody succeeded' % method)
            self.assertIn(ERROR + 'AccessDenied', r.stderr, method)
        self.assertEqual(self.c.servers(), before, 'an unprivileged call changed servers')
        self.assertEqual(self.link(self.idx, 'Domains'), [])
        # Reading stays open to everyone.
        r = self.bus.busctl('get-property', BUS_NAME, self.path, LINK, 'Name', user=NOBODY)
        self.assertIn(HOST_IF, r.stdout)


class ConfigBoundServerTest(LinkTestCase):
    def test_server_waits_for_interface(self):
        self.start('--server=%s@%s' % (PEER_ADDR, HOST_IF))
        servers = [p for p, s in self.c.servers().items() if s['Interface'] == HOST_IF]
        self.assertEqual(len(servers), 1, self.c.servers())
        spath = servers[0]
        # (State is published at most once a second.)
        self.wait_value(lambda: self.c.get(spath, SERVER, 'State'), lambda s: s == 'suspended',
                        1.5, 'State of a server whose interface does not exist')
        start = time.monotonic()
        r = self.ask('n1.corp.test', timeout=1.0)
        self.assertEqual(r.rcode(), dns.rcode.SERVFAIL)
        self.assertLess(time.monotonic() - start, 0.5)

        # The interface appears down: still suspended.
        peer = self.peer_link(up=False)
        up = self.link_upstream(peer)
        idx = self.ifindex(HOST_IF)
        self.wait_link(idx, 'Name', HOST_IF)
        self.assertLinkServer(idx)
        self.assertEqual(self.c.get(spath, SERVER, 'State'), 'suspended')
        r = self.ask('n2.corp.test', timeout=1.0)
        self.assertEqual(r.rcode(), dns.rcode.SERVFAIL)
        self.assertEqual(up.count(), 0)

        # Up: used.
        self.srv.link_up(HOST_IF)
        self.wait_value(lambda: self.c.get(spath, SERVER, 'State'), lambda s: s == 'up', 2.0,
                        'config server State after the interface came up')
        names = iter('n%d.corp.test' % i for i in range(3, 20))
        took = nettest.poll_served(self.srv, DEFAULT_ADDR, lambda: next(names), timeout=2.0,
                                   interval=0.2, check=lambda m: m.rcode() == dns.rcode.NOERROR)
        self.assertIsNotNone(took, 'not answered after the interface came up' + self.d.describe())
        self.assertGreaterEqual(up.count(), 1)


class HearthctlLinksTest(LinkTestCase):
    def setUp(self):
        super().setUp()
        if not HEARTHCTL:
            raise unittest.SkipTest('HEARTHCTL not set')
        self.peer = self.peer_link()
        self.up = self.link_upstream(self.peer)
        self.default = self.default_upstream()
        self.start('--server=' + self.default.server_arg)
        self.idx = self.ifindex(HOST_IF)

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

    def row(self, name):
        """The words of the `links` row of interface name."""
        rows = [line.split() for line in self.ctl('--no-legend', 'links').stdout.splitlines()]
        found = [r for r in rows if len(r) > 1 and r[1] == name]
        self.assertEqual(len(found), 1, rows)
        return found[0]

    def test_links_text_and_json(self):
        out = self.ctl('links').stdout
        self.assertIn(HOST_IF, out)
        row = self.row(HOST_IF)
        self.assertEqual(row[0], str(self.idx))
        self.assertIn('up', row)
        self.assertIn('listening', row)
        self.assertTrue(any(HOST_ADDR + '/24' in w for w in row), row)

        data = json.loads(self.ctl('--json', 'links').stdout)
        by_name = {e['Name']: e for e in data['Links']}
        self.assertEqual(set(by_name), set(self.ip_links().values()))
        for name, entry in by_name.items():
            props = self.c.get_all(link_path(entry['Index']))
            for key, value in props.items():
                self.assertEqual(entry.get(key), value, '%s %s' % (name, key))

    def test_link_commands(self):
        self.assertEqual(self.ctl('link-servers', HOST_IF, PEER_ADDR).stdout, '')
        self.assertLinkServer(self.idx)
        self.assertTrue(any(w.startswith(PEER_ADDR) for w in self.row(HOST_IF)),
                        self.row(HOST_IF))
        self.ctl('link-domains', str(self.idx), 'corp.test')       # by index
        self.assertEqual(self.link(self.idx, 'Domains'), ['corp.test'])
        self.assertIn('corp.test', self.row(HOST_IF))
        self.assertAnsweredBy('n1.corp.test', self.up, [self.default])
        self.assertAnsweredBy('n1.other.test', self.default, [self.up])
        self.ctl('revert-link', HOST_IF)
        self.assertEqual(self.link(self.idx, 'Servers'), [])
        self.assertEqual(self.link(self.idx, 'Domains'), [])
        self.assertEqual(self.row(HOST_IF)[-2:], ['-', '-'])
        self.assertAnsweredBy('n2.corp.test', self.default, [self.up])

    def test_errors(self):
        r = self.ctl('link-servers', 'nosuchif', '1.2.3.4', check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('nosuchif', r.stderr)
        r = self.ctl('link-servers', check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        r = self.ctl('link-servers', HOST_IF, 'not-an-ip', check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(self.link(self.idx, 'Servers'), [])


if __name__ == '__main__':
    nettest.main()
