#!/usr/bin/python3
"""Behaviour tests: interfaces and addresses that come and go.

The daemon runs in a private network namespace ("server") joined by veth
pairs to "client" and "upstream" namespaces (see nettest.py; root only).
These tests check the binding modes against interfaces created, changed
and deleted while the daemon runs: --bind-dynamic opens and closes sockets
as addresses appear and vanish (without leaking descriptors), the default
wildcard mode filters by arrival interface including interfaces that are
newer than the daemon, --interface wildcards and --except-interface,
--bind-interfaces and --listen-address waiting for something that does not
exist yet, --local-service, and upstream servers bound to an interface
(server=ADDR@IFACE) following their link.  "Within a second" is measured
from the moment the address was added, polling every 50 ms.
"""

import itertools
import json
import time

import dns.rcode

import nettest as nt
import proc_util as pu
from hearthtest import dnsmasq_differs

LOCAL_A = '192.0.2.1'
UPSTREAM_A = '192.0.2.9'
SOON = 1.0            # "within a second"
START = 5.0           # first answer after start-up (interfaces that exist)

_names = itertools.count(1)


def is_local_answer(msg):
    return pu.a_records(msg) == [LOCAL_A]


def fresh(suffix):
    """A name never asked before (so no cache can answer it)."""
    return lambda: 'q%d.%s' % (next(_names), suffix)


def steady(d):
    """The daemon's descriptor count is the same over 200 ms."""
    before = d.fd_count()
    time.sleep(0.2)
    return d.fd_count() == before


class InterfaceTestCase(nt.NetTestCase):
    """A server namespace and a client namespace; link(n) makes the pair
    vethh<n> (server, 10.<n>.0.1/24) <-> c<n> (client, 10.<n>.0.2/24)."""

    def setUp(self):
        super().setUp()
        self.srv = self.netns('server')
        self.cli = self.netns('client')

    def link(self, n, name=None, server_addr=True, client_extra=()):
        name = name or 'vethh%d' % n
        self.srv.veth(name, self.cli, 'c%d' % n,
                      addrs=['10.%d.0.1/24' % n] if server_addr else [],
                      peer_addrs=['10.%d.0.2/24' % n] + list(client_extra))
        return name

    def daemon(self, *args, **kw):
        return self.start(self.srv, '--address=/late.test/' + LOCAL_A, *args, **kw)

    def served(self, d, addr, timeout=SOON, start=None, ns=None, msg=''):
        return self.assertServedWithin(d, ns or self.cli, addr, 'late.test', timeout=timeout,
                                       start=start, check=is_local_answer, msg=msg)

    def not_served(self, d, addr, duration=0.5, ns=None, msg='', src=None):
        self.assertNotServed(d, ns or self.cli, addr, 'late.test', duration=duration, msg=msg,
                             src=src)

    def assertBound(self, d, addr, bound=True, timeout=SOON):
        """A UDP socket on addr#53 exists (bound=True) or not, within
        timeout, in the server namespace."""
        took = nt.wait_for(lambda: (addr in self.srv.udp_sockets()) == bound, timeout)
        if took is None:
            self.fail('%s: UDP socket on %s#53 %s after %.1f s (sockets: %s)%s'
                      % ('expected' if bound else 'unexpected',
                         addr, 'missing' if bound else 'still open', timeout,
                         sorted(self.srv.udp_sockets()), d.describe()))


class TestBindDynamic(InterfaceTestCase):

    def test_late_interface_served_within_a_second(self):
        d = self.daemon('--bind-dynamic', '--interface=veth*')
        self.srv.veth('vethh0', self.cli, 'c0', peer_addrs=['10.1.0.2/24', 'fd00:1::2/64'])
        t0 = time.monotonic()
        self.srv.add_addr('vethh0', '10.1.0.1/24')
        self.served(d, '10.1.0.1', start=t0, msg='after the address was added')
        t0 = time.monotonic()
        self.srv.add_addr('vethh0', 'fd00:1::1/64')
        self.served(d, 'fd00:1::1', start=t0, msg='after the IPv6 address was added')

    def test_ipv6_served_once_dad_finishes(self):
        # Added without nodad: tentative first (no socket can be bound to
        # it yet), then served within a second of duplicate address
        # detection finishing.
        d = self.daemon('--bind-dynamic', '--interface=vethh*')
        self.srv.veth('vethh16', self.cli, 'c16', peer_addrs=['fd00:16::2/64'])
        self.srv.ip('addr', 'add', 'fd00:16::1/64', 'dev', 'vethh16')

        def settled():
            out = self.srv.ip('-6', 'addr', 'show', 'dev', 'vethh16')
            line = [l for l in out.splitlines() if 'fd00:16::1/64' in l]
            return bool(line) and 'tentative' not in line[0]
        self.assertIsNotNone(nt.wait_for(settled, 5.0), 'DAD did not finish')
        self.served(d, 'fd00:16::1', start=time.monotonic(),
                    msg='after duplicate address detection finished')

    def test_no_descriptor_leak_over_100_interfaces(self):
        # Peer in the server namespace too: queries go to the address from
        # inside (local delivery), so each cycle is four `ip` calls.
        d = self.daemon('--bind-dynamic', '--interface=vethh*')
        self.assertTrue(d.running())
        self.assertIsNotNone(nt.wait_for(lambda: steady(d), 3.0, interval=0.0),
                             'descriptor count does not settle' + d.describe())
        baseline = d.fd_count()
        deadline = time.monotonic() + 25.0
        for cycle in range(100):
            self.assertLess(time.monotonic(), deadline, 'cycles too slow (at %d)' % cycle)
            self.srv.ip('link', 'add', 'vethh0', 'type', 'veth', 'peer', 'name', 'vethp0')
            self.srv.link_up('vethh0')
            self.srv.link_up('vethp0')
            t0 = time.monotonic()
            self.srv.add_addr('vethh0', '10.2.0.1/24')
            if cycle % 10 == 0:
                self.served(d, '10.2.0.1', ns=self.srv, start=t0,
                            msg='(cycle %d)' % cycle)
            elif nt.wait_for(lambda: d.fd_count() > baseline, SOON, interval=0.005) is None:
                self.fail('no socket opened for 10.2.0.1 within %.1f s (cycle %d)%s'
                          % (SOON, cycle, d.describe()))
            self.srv.link_del('vethh0')
            if nt.wait_for(lambda: d.fd_count() == baseline, 2.0, interval=0.005) is None:
                self.fail('descriptors %d after deleting the interface, %d before (cycle %d)%s'
                          % (d.fd_count(), baseline, cycle, d.describe()))
        self.assertTrue(d.running())
        self.assertEqual(d.fd_count(), baseline)

    def test_address_changes_followed(self):
        self.link(3, client_extra=['10.4.0.2/24', '10.5.0.2/24'])
        d = self.daemon('--bind-dynamic', '--interface=vethh*')
        self.served(d, '10.3.0.1', timeout=START)
        # a second address
        t0 = time.monotonic()
        self.srv.add_addr('vethh3', '10.4.0.1/24')
        self.served(d, '10.4.0.1', start=t0, msg='after adding a second address')
        self.served(d, '10.3.0.1', msg='(first address, after adding the second)')
        # the first one goes: its socket closes, the second still answers
        self.srv.del_addr('vethh3', '10.3.0.1/24')
        self.assertBound(d, '10.3.0.1', bound=False)
        self.not_served(d, '10.3.0.1', duration=0.3)
        self.served(d, '10.4.0.1', msg='(second address, after deleting the first)')
        # replaced by a third
        self.srv.del_addr('vethh3', '10.4.0.1/24')
        t0 = time.monotonic()
        self.srv.add_addr('vethh3', '10.5.0.1/24')
        self.served(d, '10.5.0.1', start=t0, msg='after replacing the address')
        self.assertBound(d, '10.4.0.1', bound=False)
        # and the first one back again
        t0 = time.monotonic()
        self.srv.add_addr('vethh3', '10.3.0.1/24')
        self.served(d, '10.3.0.1', start=t0, msg='after re-adding the first address')
        self.assertTrue(d.running())

    def test_except_loopback(self):
        self.link(8)
        d = self.daemon('--except-interface=lo', '--bind-dynamic', '--interface=vethh*')
        self.served(d, '10.8.0.1', timeout=START)
        self.not_served(d, '127.0.0.1', ns=self.srv)
        self.not_served(d, '::1', ns=self.srv, duration=0.2)
        bound = self.srv.udp_sockets()
        self.assertNotIn('127.0.0.1', bound, d.describe())
        self.assertNotIn('0.0.0.0', bound, d.describe())

    def test_late_listen_address(self):
        d = self.daemon('--listen-address=10.9.0.1', '--bind-dynamic')
        self.link(9, server_addr=False)
        t0 = time.monotonic()
        self.srv.add_addr('vethh9', '10.9.0.1/24')
        self.served(d, '10.9.0.1', start=t0, msg='after the listen address appeared')


class TestBindInterfacesKeeps(InterfaceTestCase):

    @dnsmasq_differs('dnsmasq --bind-interfaces never opens addresses that appear later')
    def test_kept_sockets_reused(self):
        # A socket stays when its address goes while the interface stays,
        # and serves the address again when it comes back.
        d = self.daemon('--bind-interfaces', '--interface=vethh*')
        self.served(d, '127.0.0.1', timeout=START, ns=self.srv)
        self.srv.ip('link', 'add', 'vethh16', 'type', 'veth', 'peer', 'name', 'vethp16')
        self.srv.link_up('vethh16')
        self.srv.link_up('vethp16')
        self.srv.add_addr('vethh16', '10.16.0.1/24')
        self.served(d, '10.16.0.1', ns=self.srv, msg='(first appearance)')
        n = d.fd_count()
        self.srv.del_addr('vethh16', '10.16.0.1/24')
        self.not_served(d, '10.16.0.1', duration=0.3, ns=self.srv, msg='(address removed)')
        self.assertEqual(d.fd_count(), n, 'socket closed although --bind-interfaces keeps it')
        t0 = time.monotonic()
        self.srv.add_addr('vethh16', '10.16.0.1/24')
        self.served(d, '10.16.0.1', ns=self.srv, start=t0, msg='(address back)')
        self.assertEqual(d.fd_count(), n, 'a second socket for the same address' + d.describe())
        self.assertTrue(d.running())

    @dnsmasq_differs('dnsmasq --bind-interfaces never opens addresses that appear later')
    def test_deleted_interface_takes_its_sockets(self):
        # Interfaces re-created over and over, each with a fresh IPv6
        # link-local address (usable at once: no DAD) and one of three IPv4
        # addresses: the descriptor count must not grow.
        self.srv.sysctl('net.ipv6.conf.default.accept_dad', 0)
        self.srv.sysctl('net.ipv6.conf.all.accept_dad', 0)
        d = self.daemon('--bind-interfaces', '--interface=vethh*')
        self.served(d, '127.0.0.1', timeout=START, ns=self.srv)
        counts = []
        for cycle in range(12):
            addr = '10.15.%d.1' % (cycle % 3)
            self.srv.ip('link', 'add', 'vethh15', 'type', 'veth', 'peer', 'name', 'vethp15')
            self.srv.link_up('vethh15')
            self.srv.link_up('vethp15')
            t0 = time.monotonic()
            self.srv.add_addr('vethh15', addr + '/24')
            self.served(d, addr, ns=self.srv, start=t0, msg='(cycle %d)' % cycle)
            self.srv.link_del('vethh15')
            counts.append(d.fd_count())
        self.assertEqual(len(set(counts[3:])), 1,
                         'descriptor count grows: %s%s' % (counts, d.describe()))
        self.assertTrue(d.running())


class TestWildcards(InterfaceTestCase):
    """--interface=vethh* takes vethh6 and leaves other6 alone."""

    def check(self, *mode):
        self.link(6)
        self.link(7, name='other7')
        d = self.daemon('--interface=vethh*', *mode)
        self.served(d, '10.6.0.1', timeout=START)
        self.not_served(d, '10.7.0.1', duration=0.5, msg='(other7 does not match vethh*)')
        self.served(d, '10.6.0.1')
        return d

    def test_default_mode(self):
        self.check()

    def test_bind_dynamic(self):
        d = self.check('--bind-dynamic')
        self.assertNotIn('10.7.0.1', self.srv.udp_sockets(), d.describe())


class TestDefaultMode(InterfaceTestCase):

    def test_late_interfaces_filtered(self):
        d = self.daemon('--interface=vethh*', '--except-interface=vethhx*')
        # lo comes with --interface
        self.served(d, '127.0.0.1', timeout=START, ns=self.srv)
        self.link(10, server_addr=False)
        t0 = time.monotonic()
        self.srv.add_addr('vethh10', '10.10.0.1/24')
        self.served(d, '10.10.0.1', start=t0, msg='(new interface vethh10)')
        self.link(11, name='vethhx11')
        time.sleep(0.2)
        self.not_served(d, '10.11.0.1', duration=1.0, msg='(vethhx11 is excepted)')
        self.served(d, '10.10.0.1')


class TestBindInterfaces(InterfaceTestCase):

    @dnsmasq_differs('dnsmasq --bind-interfaces exits: unknown interface vethh12')
    def test_missing_interface_waited_for(self):
        d = self.daemon('--bind-interfaces', '--interface=vethh12')
        self.served(d, '127.0.0.1', timeout=START, ns=self.srv)
        self.assertTrue(d.running())
        self.link(12, server_addr=False)
        t0 = time.monotonic()
        self.srv.add_addr('vethh12', '10.12.0.1/24')
        self.served(d, '10.12.0.1', start=t0, msg='(interface created after start)')


class TestLocalService(InterfaceTestCase):
    """Client c13 has 10.13.0.2 (the server's subnet) and 10.14.0.2 (no
    subnet of the server, routed back via 10.13.0.2)."""

    def setUp(self):
        super().setUp()
        self.link(13, client_extra=['10.14.0.2/24'])
        self.srv.ip('route', 'add', '10.14.0.0/24', 'via', '10.13.0.2')

    def test_path_works_without_local_service(self):
        # The control: the foreign source is answered when nothing stops it.
        d = self.daemon()
        self.served(d, '10.13.0.1', timeout=START)
        r = nt.query(self.cli, '10.13.0.1', 'late.test', src='10.14.0.2', timeout=1.0)
        self.assertIsNotNone(r, 'no answer to 10.14.0.2 without --local-service' + d.describe())

    def test_local_service(self):
        d = self.daemon('--local-service')
        self.served(d, '10.13.0.1', timeout=START)
        self.not_served(d, '10.13.0.1', src='10.14.0.2', duration=0.6,
                        msg='(source 10.14.0.2 is in no local subnet)')
        self.served(d, '10.13.0.1')


class TestBoundServer(nt.NetTestCase):
    """server=/up.test/10.20.0.2@vethu0, the upstream in its own namespace
    behind vethu0; queries from inside the server namespace to 127.0.0.1."""

    def setUp(self):
        super().setUp()
        self.srv = self.netns('server')
        self.ups = self.netns('upstream')
        self.make_link()
        self.up = self.upstream_in(self.ups, '10.20.0.2', port=53,
                                   handler=pu.answer_everything(UPSTREAM_A))
        self.d = self.start(self.srv, '--server=/up.test/10.20.0.2@vethu0')
        self.assertUpstreamServes(START)

    def make_link(self):
        self.srv.veth('vethu0', self.ups, 'u0', addrs=['10.20.0.1/24'],
                      peer_addrs=['10.20.0.2/24'])

    def ask(self, timeout=1.0):
        return nt.query(self.srv, '127.0.0.1', fresh('up.test')(), timeout=timeout)

    def assertUpstreamServes(self, timeout, msg=''):
        before = self.up.count()
        took = nt.poll_served(self.srv, '127.0.0.1', fresh('up.test'), timeout=timeout,
                              interval=0.2, check=lambda m: pu.a_records(m) == [UPSTREAM_A])
        if took is None:
            self.fail('not answered through the upstream within %.1f s %s%s'
                      % (timeout, msg, self.d.describe()))
        self.assertGreater(self.up.count(), before)

    def assertSuspended(self, what):
        """SERVFAIL within a second of the change, then each query answered
        SERVFAIL at once with nothing sent upstream."""
        took = nt.wait_for(lambda: (lambda r: r is not None and r.rcode() == dns.rcode.SERVFAIL)(
            self.ask(timeout=0.3)), SOON + 0.5)
        if took is None:
            self.fail('no quick SERVFAIL after %s%s' % (what, self.d.describe()))
        before = self.up.count()
        for _ in range(3):
            t = time.monotonic()
            r = self.ask(timeout=1.0)
            self.assertIsNotNone(r, 'no answer while suspended (%s)%s' % (what, self.d.describe()))
            self.assertEqual(r.rcode(), dns.rcode.SERVFAIL, what)
            self.assertLess(time.monotonic() - t, 0.5, 'SERVFAIL not at once (%s)' % what)
        self.assertEqual(self.up.count(), before, 'queries sent upstream while suspended')

    def test_link_local_upstream_with_scope(self):
        # fe80::2%vethu0: the scope says which link the upstream is on.
        self.srv.add_addr('vethu0', 'fe80::1/64')
        self.ups.add_addr('u0', 'fe80::2/64')
        up6 = self.upstream_in(self.ups, 'fe80::2%u0', port=53,
                               handler=pu.answer_everything(UPSTREAM_A))
        self.d.stop()
        self.d = self.start(self.srv, '--server=/up6.test/fe80::2%vethu0')
        took = nt.poll_served(self.srv, '127.0.0.1', fresh('up6.test'), timeout=START,
                              interval=0.2, check=lambda m: pu.a_records(m) == [UPSTREAM_A])
        self.assertIsNotNone(took, 'not answered through fe80::2%vethu0' + self.d.describe())
        self.assertGreater(up6.count(), 0)

    def test_link_local_upstream_with_numeric_scope(self):
        # fe80::2%INDEX: the interface named by its index (no device name
        # to bind the socket to; the scope id routes it).
        self.srv.add_addr('vethu0', 'fe80::1/64')
        self.ups.add_addr('u0', 'fe80::2/64')
        up6 = self.upstream_in(self.ups, 'fe80::2%u0', port=53,
                               handler=pu.answer_everything(UPSTREAM_A))
        index = json.loads(self.srv.ip('-j', 'link', 'show', 'vethu0'))[0]['ifindex']
        self.d.stop()
        self.d = self.start(self.srv, '--server=/up6.test/fe80::2%%%d' % index)
        took = nt.poll_served(self.srv, '127.0.0.1', fresh('up6.test'), timeout=START,
                              interval=0.2, check=lambda m: pu.a_records(m) == [UPSTREAM_A])
        self.assertIsNotNone(took, 'not answered through fe80::2%%%d' % index + self.d.describe())
        self.assertGreater(up6.count(), 0)

    def test_answers_again_after_link_flap(self):
        self.srv.link_down('vethu0')
        time.sleep(0.1)
        self.srv.link_up('vethu0')
        self.assertUpstreamServes(2.0, '(after vethu0 down and up)')
        self.assertTrue(self.d.running())

    @dnsmasq_differs('dnsmasq fails to bind its server socket to a re-created vethu0')
    def test_answers_again_after_link_recreated(self):
        self.srv.link_del('vethu0')
        time.sleep(0.1)
        self.make_link()
        self.assertUpstreamServes(2.0, '(after vethu0 was deleted and re-created)')
        self.assertTrue(self.d.running())

    @dnsmasq_differs('dnsmasq has no suspended servers: it sends and times out')
    def test_suspended_while_link_down(self):
        self.srv.link_down('vethu0')
        self.assertSuspended('vethu0 set down')
        self.srv.link_up('vethu0')
        self.assertUpstreamServes(2.0, '(after vethu0 came back up)')

    @dnsmasq_differs('dnsmasq has no suspended servers: it sends and times out')
    def test_suspended_without_carrier(self):
        self.ups.link_down('u0')
        self.assertSuspended('the peer of vethu0 set down (no carrier)')
        self.ups.link_up('u0')
        self.assertUpstreamServes(2.0, '(after the carrier came back)')

    @dnsmasq_differs('dnsmasq has no suspended servers: it sends and times out')
    def test_suspended_while_link_gone(self):
        self.srv.link_del('vethu0')
        self.assertSuspended('vethu0 deleted')
        self.make_link()
        self.assertUpstreamServes(2.0, '(after vethu0 was re-created)')


if __name__ == '__main__':
    nt.main()
