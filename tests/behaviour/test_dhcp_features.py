#!/usr/bin/python3
"""Behaviour tests: DHCP server features around the exchange itself.

The same LAN as test_dhcp.py (a server namespace with a bridge, client
namespaces plugged in; root only, exit 77 otherwise), with a many-client
DHCP client written in Python (dhcptest.DoraClient):

- the ping check: an address some machine already answers on is not
  offered (and with --no-ping it is);
- reservations that change while the server runs: a --dhcp-hostsdir file
  written, renamed into place and removed, and a --dhcp-hostsfile re-read
  on SIGHUP;
- --dhcp-relay: the LAN's daemon relays to a server in a third namespace,
  which serves the LAN's range by giaddr;
- options from --dhcp-optsfile (re-read on SIGHUP) and --dhcp-optsdir
  (watched), and --dhcp-reply-delay.

HEARTH_REFERENCE=dnsmasq runs the same tests against dnsmasq 2.90.
"""

import os
import signal

import dhcptest as dt
import hearthtest as ht
import nettest as nt
from hearthtest import dnsmasq_differs
from test_dhcp import DhcpTestCase, in_range

PAIR = '10.77.0.100,10.77.0.101,255.255.255.0,1h'


class FeatureTestCase(DhcpTestCase):

    def dora_client(self):
        c = dt.DoraClient(self.lan.client_ns())
        self.addCleanup(c.close)
        return c

    def wait_offer(self, client, mac, want, timeout=6.0):
        """Ask (DISCOVER) until the offer is want; fail with the last one."""
        last = []

        def check():
            last[:] = [client.discover_only(mac, timeout=1.5)]
            return last[0] == want
        if nt.wait_for(check, timeout, interval=0.2) is None:
            self.fail('offered %s to %s, expected %s%s'
                      % (last[0] if last else None, dt.mac_text(mac), want, self.d.describe()))


class TestPingCheck(FeatureTestCase):

    def squat(self, ip):
        """A machine on the LAN that uses ip without a lease."""
        ns = self.lan.client_ns()
        ns.add_addr(dt.CLIENT_IF, ip + '/24')

    def test_address_in_use_is_not_offered(self):
        self.squat('10.77.0.100')
        self.server('--dhcp-sequential-ip', dhcp_range=PAIR, ping=True)
        c = self.dora_client()
        # The first DISCOVER's offer of .100 is dropped when .100 answers
        # the ping; a retransmission gets .101.
        offered = c.discover_only(c.new_mac(), timeout=6.0)
        self.assertEqual(offered, '10.77.0.101', self.d.describe())

    def test_no_ping_offers_it(self):
        self.squat('10.77.0.100')
        self.server('--dhcp-sequential-ip', dhcp_range=PAIR, ping=False)
        c = self.dora_client()
        self.assertEqual(c.discover_only(c.new_mac(), timeout=3.0), '10.77.0.100',
                         self.d.describe())

    def test_silent_address_is_offered(self):
        self.server('--dhcp-sequential-ip', dhcp_range=PAIR, ping=True)
        c = self.dora_client()
        self.assertEqual(c.discover_only(c.new_mac(), timeout=6.0), '10.77.0.100',
                         self.d.describe())


class TestLiveReservations(FeatureTestCase):

    def start_with_hostsdir(self):
        hosts_dir = os.path.join(self.dir, 'hosts.d')
        os.mkdir(hosts_dir)
        self.server('--dhcp-hostsdir=' + hosts_dir)
        c = self.dora_client()
        mac = c.new_mac()
        first = c.discover_only(mac, timeout=3.0)
        self.assertTrue(first is not None and in_range(first), first)
        return c, mac, os.path.join(hosts_dir, 'vm')

    def test_hostsdir_is_watched(self):
        c, mac, path = self.start_with_hostsdir()
        # Written beside and renamed into place, as libvirt writes files.
        dt.write_file(path + '.new', '%s,10.77.0.60\n' % dt.mac_text(mac))
        os.rename(path + '.new', path)
        self.wait_offer(c, mac, '10.77.0.60')
        # Changed in place.
        dt.write_file(path, '%s,10.77.0.61\n' % dt.mac_text(mac))
        self.wait_offer(c, mac, '10.77.0.61')

    @dnsmasq_differs('dnsmasq keeps the hosts of a removed --dhcp-hostsdir file until SIGHUP')
    def test_hostsdir_file_removed(self):
        c, mac, path = self.start_with_hostsdir()
        dt.write_file(path, '%s,10.77.0.60\n' % dt.mac_text(mac))
        self.wait_offer(c, mac, '10.77.0.60')
        os.unlink(path)

        def back_in_pool():
            ip = c.discover_only(mac, timeout=1.5)
            return ip is not None and in_range(ip)
        self.assertIsNotNone(nt.wait_for(back_in_pool, 6.0, interval=0.2), self.d.describe())

    def test_hostsfile_is_read_again_on_sighup(self):
        hosts_file = os.path.join(self.dir, 'hostsfile')
        dt.write_file(hosts_file, '')
        self.server('--dhcp-hostsfile=' + hosts_file)
        c = self.dora_client()
        mac = c.new_mac()
        first = c.discover_only(mac, timeout=3.0)
        self.assertTrue(first is not None and in_range(first), first)
        dt.write_file(hosts_file, '%s,10.77.0.62,reserved\n' % dt.mac_text(mac))
        # Not watched: nothing changes until SIGHUP.
        self.assertEqual(c.discover_only(mac, timeout=1.5), first)
        os.kill(self.d.pid, signal.SIGHUP)
        self.wait_offer(c, mac, '10.77.0.62')


class TestRelay(FeatureTestCase):

    def test_requests_are_relayed_to_the_server(self):
        # upstream (10.78.0.2) <-veth-> LAN namespace (10.78.0.1, and br0
        # 10.77.0.1 towards the clients).
        up = self.netns('upstream')
        self.lan.srv.ip('link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'uplink',
                        'netns', up.name)
        self.lan.srv.add_addr('uplink', '10.78.0.1/24')
        self.lan.srv.link_up('uplink')
        up.add_addr('uplink', '10.78.0.2/24')
        up.link_up('uplink')
        up.link_up('lo')
        up.ip('route', 'add', '10.77.0.0/24', 'via', '10.78.0.1')
        server = self.start(up, '--no-ping',
                            '--dhcp-range=10.77.0.200,10.77.0.210,255.255.255.0,1h',
                            '--dhcp-leasefile=' + os.path.join(self.dir, 'upstream.leases'))
        self.d = self.start(self.lan.srv, '--dhcp-relay=10.77.0.1,10.78.0.2',
                            '--dhcp-leasefile=' + os.path.join(self.dir, 'relay.leases'))
        c = self.dora_client()
        c.run(5.0, limit=1)
        self.assertEqual(len(c.acked), 1, self.d.describe() + server.describe())
        ip = list(c.acked.values())[0]
        self.assertTrue(in_range(ip, '10.77.0.200', '10.77.0.210'), ip)


def router_of(reply):
    """Option 3 of a parse_reply() tuple, as text ('' when absent)."""
    v = reply[4].get(3, b'')
    return '.'.join(str(b) for b in v[:4]) if len(v) >= 4 else ''


class TestOptionFiles(FeatureTestCase):

    def router_offered(self, c, mac, want, timeout=6.0):
        """Ask until the offer's router is want; fail with the last one."""
        last = []

        def check():
            r = c.discover_reply(mac, timeout=1.5)
            last[:] = [router_of(r[1]) if r else None]
            return last[0] == want
        if nt.wait_for(check, timeout, interval=0.2) is None:
            self.fail('router %r offered, expected %r%s' % (last[0] if last else None, want,
                                                            self.d.describe()))

    def test_optsfile_is_read_again_on_sighup(self):
        path = os.path.join(self.dir, 'opts')
        dt.write_file(path, '# the router\noption:router,10.77.0.254\n\n  garbage-option,1\n')
        self.server('--dhcp-optsfile=' + path)
        c = self.dora_client()
        mac = c.new_mac()
        self.router_offered(c, mac, '10.77.0.254')
        # The bad line is reported with its file and line (dnsmasq says
        # nothing), the rest used.
        if not ht.REFERENCE:
            self.assertIn('%s:4' % path, self.d.stderr_text())
        dt.write_file(path, 'option:router,10.77.0.253\n')
        r = c.discover_reply(mac, timeout=2.0)
        self.assertEqual(router_of(r[1]) if r else None, '10.77.0.254')
        os.kill(self.d.pid, signal.SIGHUP)
        self.router_offered(c, mac, '10.77.0.253')
        # Emptied: the default (ourselves) comes back.
        dt.write_file(path, '')
        os.kill(self.d.pid, signal.SIGHUP)
        self.router_offered(c, mac, '10.77.0.1')

    @dnsmasq_differs('dnsmasq keeps the options of a removed --dhcp-optsdir file until SIGHUP')
    def test_optsdir_is_watched(self):
        opts_dir = os.path.join(self.dir, 'opts.d')
        os.mkdir(opts_dir)
        self.server('--dhcp-optsdir=' + opts_dir)
        c = self.dora_client()
        mac = c.new_mac()
        self.router_offered(c, mac, '10.77.0.1')
        path = os.path.join(opts_dir, 'router')
        dt.write_file(path + '.new', 'option:router,10.77.0.252\n')
        os.rename(path + '.new', path)
        self.router_offered(c, mac, '10.77.0.252')
        os.unlink(path)
        self.router_offered(c, mac, '10.77.0.1')


class TestReplyDelay(FeatureTestCase):

    def test_offer_is_delayed(self):
        self.server('--dhcp-reply-delay=2')
        c = self.dora_client()
        r = c.discover_reply(c.new_mac(), timeout=5.0, resend=10.0)
        self.assertIsNotNone(r, self.d.describe())
        self.assertGreaterEqual(r[0], 1.9, self.d.describe())

    def test_tagged_delay(self):
        c = self.dora_client()
        slow, fast = c.new_mac(), c.new_mac()
        self.server('--dhcp-mac=set:slow,' + dt.mac_text(slow), '--dhcp-reply-delay=tag:slow,2')
        r = c.discover_reply(fast, timeout=5.0, resend=10.0)
        self.assertIsNotNone(r, self.d.describe())
        self.assertLess(r[0], 1.0, self.d.describe())
        r = c.discover_reply(slow, timeout=5.0, resend=10.0)
        self.assertIsNotNone(r, self.d.describe())
        self.assertGreaterEqual(r[0], 1.9, self.d.describe())


if __name__ == '__main__':
    nt.main()
