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
  which serves the LAN's range by giaddr.

HEARTH_REFERENCE=dnsmasq runs the same tests against dnsmasq 2.90.
"""

import os
import signal

import dhcptest as dt
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


if __name__ == '__main__':
    nt.main()
