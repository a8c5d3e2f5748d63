#!/usr/bin/python3
"""Behaviour tests: the DHCPv4 server against real clients.

A server namespace with a bridge (10.77.0.1/24) and client namespaces
plugged into it (dhcptest.py; root only, exit 77 otherwise).  ISC
dhclient, dhcpcd and busybox udhcpc each get a lease from the range with
the router, DNS server, domain, search list and lease time configured;
the name each sent resolves (A and PTR) through the daemon's DNS, and
the lease appears in the lease file in dnsmasq's format; releasing frees
the lease in the file and the name in DNS.  Also: a reserved address for a
MAC (--dhcp-host), the --dhcp-script protocol (add/del with the DNSMASQ_*
environment; `init` with --leasefile-ro), and durability: kill -9 at
random moments during a burst of DHCP exchanges, and after each restart
every acknowledged lease is in the lease file and no address was given to
two clients.

HEARTH_REFERENCE=dnsmasq runs the same tests against dnsmasq 2.90.
"""

import os
import random
import signal
import socket
import time

import dns.rcode
import dns.reversename

import dhcptest as dt
import hearthtest as ht
import nettest as nt

SERVER = '10.77.0.1'
RANGE = ('10.77.0.100', '10.77.0.150')
STATIC_MAC = '52:54:00:00:00:42'
STATIC_IP = '10.77.0.42'
DOMAIN = 'lan.test'
LEASE_TIME = 3600
# The lease file is rewritten by compaction a couple of seconds after a
# change (hearthd); the journal beside it is durable at once.
FILE_SETTLES = 6.0


def in_range(ip, lo=RANGE[0], hi=RANGE[1]):
    def n(a):
        return tuple(int(x) for x in a.split('.'))
    return n(lo) <= n(ip) <= n(hi)


class DhcpTestCase(nt.NetTestCase):
    """A LAN and a way to start the server on it with the common options."""

    lan_cidr = SERVER + '/24'

    def setUp(self):
        super().setUp()
        self.lan = dt.Lan(self, self.lan_cidr)
        self.dir = dt.tmpdir(self)
        self.leasefile = os.path.join(self.dir, 'leases')

    def server(self, *extra, dhcp_range='%s,%s,255.255.255.0,1h' % RANGE, leasefile=True,
               ping=False, env=None):
        args = ['--dhcp-range=' + dhcp_range,
                '--dhcp-host=%s,%s,statichost' % (STATIC_MAC, STATIC_IP),
                '--domain=' + DOMAIN,
                '--local=/%s/' % DOMAIN,
                '--dhcp-option=option:domain-search,%s,example.test' % DOMAIN]
        if not ping:
            args.append('--no-ping')
        if leasefile:
            args.append('--dhcp-leasefile=' + self.leasefile)
        self.d = self.start(self.lan.srv, *(args + list(extra)), env=env)
        return self.d

    def client(self, kind, mac=None, hostname=None, **kw):
        cls, paths = dt.CLIENTS[kind]
        if dt.find_binary(paths) is None:
            self.skipTest('%s not installed' % kind)
        ns = self.lan.client_ns(mac)
        c = cls(self, ns, hostname=hostname, **kw)
        c.mac = self.lan.mac_of(ns)
        return c

    def bound(self, c, timeout=dt.CLIENT_START_TIMEOUT):
        b = c.wait_bound(timeout)
        if b is None:
            self.fail('%s got no lease within %.0f s%s%s'
                      % (c.name, timeout, c.describe(), self.d.describe()))
        return b

    def why(self, *clients):
        return ''.join(c.describe() for c in clients) + self.d.describe()

    # ---- DNS ------------------------------------------------------------

    def wait_answer(self, name, rdtype, want, ns=None, timeout=2.0):
        """Poll the daemon's DNS until a reply satisfies want (a list of
        rdata texts, or a predicate on the reply); (True, reply) then, or
        (False, last reply or None) after timeout."""
        last = [None]
        if not callable(want):
            texts = want
            want = lambda r: ht.answer_texts(r, rdtype) == texts  # noqa: E731

        def check():
            r = nt.query(ns or self.lan.srv, SERVER, name, rdtype, timeout=0.3)
            last[0] = r
            return r is not None and want(r)
        ok = nt.wait_for(check, timeout, interval=0.1)
        return ok is not None, last[0]

    @staticmethod
    def show(r, rdtype):
        if r is None:
            return 'no reply'
        return '%s %s' % (dns.rcode.to_text(r.rcode()), ht.answer_texts(r, rdtype))

    def assertResolves(self, name, ip, ns=None, msg=''):
        """name has the A record ip, and ip's PTR is name."""
        ok, r = self.wait_answer(name, 'A', [ip], ns=ns)
        if not ok:
            self.fail('%s A: %s, expected %s %s' % (name, self.show(r, 'A'), ip, msg))
        ptr = dns.reversename.from_address(ip).to_text()
        ok, r = self.wait_answer(ptr, 'PTR', [name + '.'], ns=ns)
        if not ok:
            self.fail('%s PTR: %s, expected %s %s' % (ptr, self.show(r, 'PTR'), name, msg))

    def assertNoPtr(self, ip, timeout=1.0, msg=''):
        ptr = dns.reversename.from_address(ip).to_text()
        ok, r = self.wait_answer(ptr, 'PTR', [], timeout=timeout)
        if not ok:
            self.fail('%s PTR: %s, expected none %s' % (ptr, self.show(r, 'PTR'), msg))

    def assertGone(self, name, ip, timeout=2.0, msg=''):
        """name is NXDOMAIN and ip has no PTR any more."""
        ok, r = self.wait_answer(name, 'A', lambda r: r.rcode() == dns.rcode.NXDOMAIN,
                                 timeout=timeout)
        if not ok:
            self.fail('%s: %s, expected NXDOMAIN %s' % (name, self.show(r, 'A'), msg))
        self.assertNoPtr(ip, timeout, msg)

    # ---- lease file -----------------------------------------------------

    def lease_for(self, mac):
        for lease in dt.read_leases(self.leasefile):
            if lease.mac == mac:
                return lease
        return None

    def wait_lease(self, mac, present=True, timeout=FILE_SETTLES):
        """The lease of mac once it is in the lease file (or once it is
        not, with present=False).  Every line must be a lease line in
        dnsmasq's format; a file caught half-written (dnsmasq rewrites it
        in place) is read again."""
        found = []
        errors = []

        def check():
            try:
                lease = self.lease_for(mac)
            except dt.LeaseFileError as e:
                errors[:] = [str(e)]
                return False
            errors.clear()
            found[:] = [lease]
            return (lease is not None) == present
        ok = nt.wait_for(check, timeout, interval=0.1)
        if ok is None:
            try:
                with open(self.leasefile) as f:
                    text = f.read()
            except FileNotFoundError:
                text = '(no file)\n'
            self.fail('lease of %s %s the lease file after %.0f s%s:\n%s%s'
                      % (mac, 'not in' if present else 'still in', timeout,
                         ' (%s)' % errors[0] if errors else '', text, self.d.describe()))
        return found[0]

    def assertLeaseLine(self, lease, mac, ip, name, clid=None):
        self.assertEqual((lease.mac, lease.ip, lease.name), (mac, ip, name), lease.line)
        self.assertAlmostEqual(lease.expiry, time.time() + LEASE_TIME, delta=60,
                               msg='expiry in %r is not about now + 1h' % lease.line)
        if clid is not None:
            self.assertEqual(lease.clid, clid, lease.line)


class TestClients(DhcpTestCase):
    """Each real client: lease in range, options, lease file, names, release."""

    def check_client(self, kind, mac, hostname, clid=None):
        self.server()
        c = self.client(kind, mac=mac, hostname=hostname)
        b = self.bound(c)
        why = self.why(c)
        self.assertTrue(b.ip and in_range(b.ip), '%s: address %s not in %s-%s%s'
                        % (kind, b.ip, RANGE[0], RANGE[1], why))
        self.assertEqual(b.mask, '255.255.255.0', why)
        self.assertEqual(b.routers, [SERVER], 'router' + why)
        self.assertEqual(b.dns, [SERVER], 'DNS server' + why)
        self.assertEqual(b.domain, DOMAIN, 'domain name' + why)
        self.assertEqual(b.search, [DOMAIN, 'example.test'], 'search list' + why)
        self.assertEqual(b.lease, LEASE_TIME, 'lease time' + why)

        lease = self.wait_lease(mac)
        self.assertLeaseLine(lease, mac, b.ip, hostname, clid)

        # Asked from the client, at the DNS server it was given.
        fqdn = '%s.%s' % (hostname, DOMAIN)
        self.assertResolves(fqdn, b.ip, ns=c.ns, msg=why)

        c.release()
        self.wait_lease(mac, present=False)
        self.assertGone(fqdn, b.ip, msg=self.why(c))
        return c, b

    def test_udhcpc(self):
        # udhcpc sends a client identifier (type 1 + MAC).
        self.check_client('udhcpc', '52:54:00:77:01:01', 'uhost',
                          clid='01:52:54:00:77:01:01')

    def test_dhclient(self):
        c, b = self.check_client('dhclient', '52:54:00:77:02:01', 'dhost')
        self.assertIn('DHCPRELEASE', c.release_output)

    def test_dhcpcd(self):
        c, b = self.check_client('dhcpcd', '52:54:00:77:03:01', 'dchost')
        self.assertIn('releasing lease', c.output())

    def test_three_clients_at_once(self):
        # Three clients on the LAN together get three different addresses,
        # all in the lease file, each name with its own address.
        self.server()
        cs = [self.client('udhcpc', mac='52:54:00:77:04:01', hostname='one'),
              self.client('dhclient', mac='52:54:00:77:04:02', hostname='two'),
              self.client('dhcpcd', mac='52:54:00:77:04:03', hostname='three')]
        bs = [self.bound(c) for c in cs]
        self.assertEqual(len({b.ip for b in bs}), 3, [b.ip for b in bs])
        for c, b in zip(cs, bs):
            self.assertEqual(self.wait_lease(c.mac).ip, b.ip)
        for name, b in zip(('one', 'two', 'three'), bs):
            self.assertResolves('%s.%s' % (name, DOMAIN), b.ip, msg=self.why(*cs))


class TestReturningClients(DhcpTestCase):
    """Clients that come back: INIT-REBOOT with the address they had, or
    with one from another network; the server restarted under them."""

    def test_dhclient_reboot_keeps_address(self):
        self.server()
        mac = '52:54:00:77:08:01'
        first = self.client('dhclient', mac=mac, hostname='again')
        b1 = self.bound(first)
        # Stopped without a release (as at shutdown), started again with
        # its lease file: INIT-REBOOT, same address.
        self.assertEqual(self.wait_lease(mac).ip, b1.ip)
        first.stop()
        again = dt.Dhclient(self, first.ns, hostname='again', directory=first.dir)
        b2 = self.bound(again)
        self.assertEqual(again.event_names()[-1], 'REBOOT', self.why(again))
        self.assertEqual(b2.ip, b1.ip, self.why(first, again))
        self.assertResolves('again.' + DOMAIN, b1.ip, msg=self.why(again))

    def foreign_client(self, mac):
        """dhclient coming back with a lease of 10.99.0.0/24 in its file."""
        if dt.find_binary(dt.DHCLIENT) is None:
            self.skipTest('dhclient not installed')
        c_ns = self.lan.client_ns(mac)
        directory = dt.tmpdir(self)
        dt.write_file(os.path.join(directory, 'dhclient.leases'), """lease {
  interface "eth0";
  fixed-address 10.99.0.5;
  option subnet-mask 255.255.255.0;
  option dhcp-lease-time 86400;
  option dhcp-server-identifier 10.99.0.1;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
""")
        return dt.Dhclient(self, c_ns, hostname='moved', directory=directory)

    def test_foreign_address_nak_when_authoritative(self):
        # A client coming back with an address of another network asks for
        # it (INIT-REBOOT), is refused with a NAK, and gets a new lease.
        self.server('--dhcp-authoritative')
        c = self.foreign_client('52:54:00:77:09:01')
        b = self.bound(c)
        self.assertIn('DHCPREQUEST for 10.99.0.5', c.output(), self.why(c))
        self.assertIn('DHCPNAK', c.output(), self.why(c))
        self.assertTrue(in_range(b.ip), self.why(c))
        self.assertEqual(self.wait_lease('52:54:00:77:09:01').ip, b.ip)

    def test_foreign_address_ignored_when_not_authoritative(self):
        # Not authoritative (dnsmasq's default): the request is left to the
        # server that may own 10.99.0.5; the client falls back to
        # DISCOVER and gets a lease here.
        self.server()
        c = self.foreign_client('52:54:00:77:09:02')
        b = self.bound(c)
        self.assertIn('DHCPREQUEST for 10.99.0.5', c.output(), self.why(c))
        self.assertNotIn('DHCPNAK', c.output(), self.why(c))
        self.assertTrue(in_range(b.ip), self.why(c))

    def test_server_restart_keeps_leases_and_names(self):
        self.server()
        mac = '52:54:00:77:0a:01'
        c = self.client('udhcpc', mac=mac, hostname='stays')
        b = self.bound(c)
        self.wait_lease(mac)
        self.assertEqual(self.d.stop(), 0, self.d.describe())
        self.server()
        self.assertResolves('stays.' + DOMAIN, b.ip, msg=self.why(c))
        lease = self.wait_lease(mac)
        self.assertLeaseLine(lease, mac, b.ip, 'stays', '01:' + mac)
        # The client renews (SIGUSR1) and keeps its address.
        c.proc.send_signal(signal.SIGUSR1)
        renewed = c.wait_event(('renew',), 10.0)
        self.assertIsNotNone(renewed, 'no renewal%s' % self.why(c))
        self.assertEqual(renewed.get('ip'), b.ip, self.why(c))


class TestNames(DhcpTestCase):

    def test_fqdn_option(self):
        # busybox -F sends the client FQDN option (81) instead of a host
        # name; its first label becomes the name in the lease's domain.
        self.server()
        mac = '52:54:00:77:0b:01'
        c = self.client('udhcpc', mac=mac, extra=['-F', 'fq.' + DOMAIN])
        b = self.bound(c)
        self.assertEqual(self.wait_lease(mac).name, 'fq')
        self.assertResolves('fq.' + DOMAIN, b.ip, msg=self.why(c))

    def test_same_name_newest_wins(self):
        # Two clients send the same name: the newer lease gets it (as
        # dnsmasq does: most often it is the same machine with a new
        # interface), the older one loses it, in DNS and in the file.
        self.server()
        one = self.client('udhcpc', mac='52:54:00:77:0c:01', hostname='twin')
        b1 = self.bound(one)
        self.assertResolves('twin.' + DOMAIN, b1.ip, msg=self.why(one))
        two = self.client('udhcpc', mac='52:54:00:77:0c:02', hostname='twin')
        b2 = self.bound(two)
        self.assertNotEqual(b1.ip, b2.ip)
        self.assertResolves('twin.' + DOMAIN, b2.ip, msg=self.why(one, two))
        self.assertNoPtr(b1.ip, msg=self.why(one, two))
        names = {}

        def settled():
            names.clear()
            try:
                names.update((l.mac, l.name) for l in dt.read_leases(self.leasefile))
            except dt.LeaseFileError:
                return False        # caught half-written: read again
            return ('52:54:00:77:0c:01' in names and names.get('52:54:00:77:0c:02') == 'twin'
                    and names['52:54:00:77:0c:01'] != 'twin')
        self.assertIsNotNone(nt.wait_for(settled, FILE_SETTLES, interval=0.1),
                             'names in the lease file: %s' % names)

    def test_invalid_name_not_in_dns(self):
        # A name that is not a valid DNS label gets the client its lease
        # but no DNS name, and none in the lease file.
        self.server()
        mac = '52:54:00:77:0d:01'
        c = self.client('udhcpc', mac=mac, hostname='bad_name!')
        b = self.bound(c)
        lease = self.wait_lease(mac)
        self.assertEqual(lease.ip, b.ip)
        self.assertIsNone(lease.name, lease.line)
        self.assertNoPtr(b.ip, timeout=0.5, msg=self.why(c))


class TestStaticHost(DhcpTestCase):

    def test_reserved_address(self):
        self.server()
        c = self.client('udhcpc', mac=STATIC_MAC)
        b = self.bound(c)
        self.assertEqual(b.ip, STATIC_IP, self.why(c))
        self.assertEqual(b.routers, [SERVER])
        lease = self.wait_lease(STATIC_MAC)
        self.assertLeaseLine(lease, STATIC_MAC, STATIC_IP, 'statichost')
        self.assertResolves('statichost.' + DOMAIN, STATIC_IP, msg=self.why(c))

    def test_reserved_address_not_given_to_others(self):
        # A dynamic client never gets the reserved address, even with the
        # range covering it.
        self.server(dhcp_range='10.77.0.42,10.77.0.43,255.255.255.0,1h')
        c = self.client('udhcpc', mac='52:54:00:77:05:01')
        b = self.bound(c)
        self.assertEqual(b.ip, '10.77.0.43', self.why(c))


class TestLeaseTimes(DhcpTestCase):

    def test_host_lease_times(self):
        # A lease time on --dhcp-host beats the range's; "infinite" is
        # 0xffffffff on the wire and expiry 0 in the lease file.
        self.server('--dhcp-host=52:54:00:77:0e:01,10.77.0.60,tenmin,10m',
                    '--dhcp-host=52:54:00:77:0e:02,10.77.0.61,forever,infinite')
        short = self.client('udhcpc', mac='52:54:00:77:0e:01')
        forever = self.client('udhcpc', mac='52:54:00:77:0e:02')
        b1, b2 = self.bound(short), self.bound(forever)
        self.assertEqual((b1.ip, b1.lease), ('10.77.0.60', 600), self.why(short))
        self.assertEqual((b2.ip, b2.lease), ('10.77.0.61', 0xffffffff), self.why(forever))
        lease = self.wait_lease('52:54:00:77:0e:01')
        self.assertAlmostEqual(lease.expiry, time.time() + 600, delta=60, msg=lease.line)
        self.assertEqual(self.wait_lease('52:54:00:77:0e:02').expiry, 0)


class TestProtocol(DhcpTestCase):

    def test_inform(self):
        # A client with a static address asks for options only
        # (DHCPINFORM): an ACK with them, no lease time (RFC 2131 3.4),
        # and no lease.  (dhcpcd 9.4.1 --inform crashes, so our own
        # client asks.)
        self.server()
        mac = '52:54:00:77:0f:01'
        ns = self.lan.client_ns(mac)
        ns.add_addr(dt.CLIENT_IF, '10.77.0.60/24')
        reply = dt.inform(ns, '10.77.0.60', bytes.fromhex(mac.replace(':', '')), SERVER)
        self.assertIsNotNone(reply, 'no answer to DHCPINFORM' + self.d.describe())
        xid, chaddr, yiaddr, mtype, opts = reply
        self.assertEqual(mtype, dt.ACK)
        self.assertEqual(yiaddr, '0.0.0.0')
        self.assertEqual(opts.get(6), socket.inet_aton(SERVER))
        self.assertEqual(opts.get(15), DOMAIN.encode())
        self.assertEqual(opts.get(1), socket.inet_aton('255.255.255.0'))
        self.assertNotIn(51, opts, 'lease time in the reply to DHCPINFORM')
        self.assertIsNone(nt.wait_for(lambda: self.lease_for(mac) is not None, 2.5),
                          'a lease for an INFORM' + self.d.describe())

    def test_ping_check(self):
        # An address some machine already uses (it answers ping) is not
        # offered: with 10.77.0.100 taken, only 10.77.0.101 is.
        self.server(dhcp_range='10.77.0.100,10.77.0.101,255.255.255.0,1h', ping=True)
        squatter = self.lan.client_ns('52:54:00:77:10:99')
        squatter.add_addr(dt.CLIENT_IF, '10.77.0.100/24')
        dora = dt.DoraClient(self.lan.client_ns(), seed=7)
        self.addCleanup(dora.close)
        # Several clients: whatever the allocation order, one of them is
        # given the free address, and a server that does not ping offers
        # the taken one to another (or to the first).  A server may hold
        # an offered address for its client: then the others get nothing.
        offers = []
        for i in range(4):
            offer = dora.discover_only(dora.new_mac(), timeout=5.0 if i == 0 else 2.5)
            if offer is None:
                break
            offers.append(offer)
        self.assertNotIn('10.77.0.100', offers, self.d.describe())
        self.assertIn('10.77.0.101', offers, self.d.describe())


class TestScript(DhcpTestCase):

    def test_add_and_del(self):
        rec = dt.ScriptRecorder(self.dir)
        self.server('--dhcp-script=' + rec.path)
        mac = '52:54:00:77:06:01'
        c = self.client('udhcpc', mac=mac, hostname='scripted')
        b = self.bound(c)
        add = rec.wait_call(lambda k: k['argv'][:1] == ['add'])
        self.assertIsNotNone(add, 'no "add" call: %s%s' % (rec.calls(), self.why(c)))
        self.assertEqual(add['argv'], ['add', mac, b.ip, 'scripted'])
        env = add['env']
        self.assertEqual(env.get('DNSMASQ_INTERFACE'), dt.BRIDGE, env)
        self.assertEqual(env.get('DNSMASQ_SUPPLIED_HOSTNAME'), 'scripted', env)
        self.assertEqual(env.get('DNSMASQ_CLIENT_ID'), '01:' + mac, env)
        self.assertEqual(env.get('DNSMASQ_DOMAIN'), DOMAIN, env)
        # Seconds left when the script runs: a second may have passed.
        self.assertIn(env.get('DNSMASQ_TIME_REMAINING'),
                      [str(LEASE_TIME - i) for i in range(5)], env)
        self.assertAlmostEqual(int(env.get('DNSMASQ_LEASE_EXPIRES', '0').strip()),
                               time.time() + LEASE_TIME, delta=60, msg=env)
        self.assertNotIn('del', [k['argv'][0] for k in rec.calls()])

        c.release()
        dl = rec.wait_call(lambda k: k['argv'][:1] == ['del'])
        self.assertIsNotNone(dl, 'no "del" call after release: %s%s' % (rec.calls(), self.why(c)))
        self.assertEqual(dl['argv'][:3], ['del', mac, b.ip])
        self.assertIn(dl['argv'][3:], ([], ['scripted']))

    def test_leasefile_ro_init(self):
        # With --leasefile-ro the script's `init` output is the lease
        # database: its lease is in DNS and its address is not handed out
        # again; the lease file is never written.
        expiry = int(time.time()) + LEASE_TIME
        rec = dt.ScriptRecorder(
            self.dir, '%d 02:00:00:00:00:99 10.77.0.100 inithost 01:02:00:00:00:00:99\n' % expiry)
        self.server('--leasefile-ro', '--dhcp-script=' + rec.path,
                    dhcp_range='10.77.0.100,10.77.0.101,255.255.255.0,1h')
        self.assertIn(['init'], [k['argv'] for k in rec.calls()])
        self.assertResolves('inithost.' + DOMAIN, '10.77.0.100', msg=self.d.describe())
        mac = '52:54:00:77:07:01'
        c = self.client('udhcpc', mac=mac, hostname='fresh')
        b = self.bound(c)
        self.assertEqual(b.ip, '10.77.0.101', self.why(c))
        add = rec.wait_call(lambda k: k['argv'][:1] == ['add'])
        self.assertIsNotNone(add, 'no "add" call: %s%s' % (rec.calls(), self.why(c)))
        self.assertEqual(add['argv'], ['add', mac, '10.77.0.101', 'fresh'])
        self.assertFalse(os.path.exists(self.leasefile),
                         'lease file written despite --leasefile-ro')


class TestLibvirtMode(DhcpTestCase):
    """As libvirt runs it: --leasefile-ro with its lease helper as the
    script, reservations in a --dhcp-hostsfile rewritten and SIGHUP."""

    def test_hostsfile_reload_and_old_on_sighup(self):
        rec = dt.ScriptRecorder(self.dir)
        hosts = dt.write_file(os.path.join(self.dir, 'net.hostsfile'), '')
        self.server('--leasefile-ro', '--dhcp-script=' + rec.path,
                    '--dhcp-hostsfile=' + hosts)
        first = self.client('udhcpc', mac='52:54:00:77:11:01', hostname='vm1')
        b1 = self.bound(first)
        self.assertIsNotNone(rec.wait_call(lambda k: k['argv'][:1] == ['add']),
                             'no "add": %s' % rec.calls())
        # A reservation added the way libvirt does it: new file, rename,
        # SIGHUP.
        dt.write_file(hosts + '.new', '52:54:00:77:11:02,10.77.0.70,vm2\n')
        os.rename(hosts + '.new', hosts)
        before = len(rec.calls())
        os.kill(self.d.pid, signal.SIGHUP)
        old = rec.wait_call(lambda k: k['argv'][:1] == ['old'])
        self.assertIsNotNone(old, 'no "old" call for the lease after SIGHUP: %s%s'
                             % (rec.calls(), self.d.describe()))
        self.assertEqual(old['argv'][1:3], ['52:54:00:77:11:01', b1.ip])
        self.assertGreater(len(rec.calls()), before)
        second = self.client('udhcpc', mac='52:54:00:77:11:02')
        b2 = self.bound(second)
        self.assertEqual(b2.ip, '10.77.0.70', self.why(second))
        add = rec.wait_call(lambda k: k['argv'][:2] == ['add', '52:54:00:77:11:02'])
        self.assertIsNotNone(add, 'no "add" for the reserved host: %s' % rec.calls())
        self.assertEqual(add['argv'], ['add', '52:54:00:77:11:02', '10.77.0.70', 'vm2'])
        self.assertResolves('vm2.' + DOMAIN, '10.77.0.70', msg=self.why(second))
        self.assertFalse(os.path.exists(self.leasefile),
                         'lease file written despite --leasefile-ro')


class TestDurability(DhcpTestCase):
    """kill -9 during a burst of DHCP exchanges, several times."""

    lan_cidr = '10.78.0.1/20'
    CYCLES = 6
    RATE = 1000               # new exchanges per second during a burst
    TIME_LIMIT = 90

    def setUp(self):
        super().setUp()
        signal.alarm(self.TIME_LIMIT)

    @ht.dnsmasq_differs('dnsmasq truncates and rewrites its lease file for every change, '
                        'so a kill -9 during the rewrite loses leases (seen: all of them)',
                        varies=True)
    def test_kill_during_burst(self):
        leasefile = os.path.join(self.dir, 'burst.leases')
        args = ['--dhcp-range=10.78.1.0,10.78.15.254,255.255.240.0,1h',
                '--dhcp-leasefile=' + leasefile, '--dhcp-lease-max=10000', '--no-ping']
        dora = dt.DoraClient(self.lan.client_ns(), window=100, seed=os.getpid())
        self.addCleanup(dora.close)
        rng = random.Random()
        held = {}                   # address -> MAC, over every ACK received
        acked = {}                  # MAC -> address
        notes = []
        for cycle in range(self.CYCLES):
            d = nt.NetDaemon(self.lan.srv, *args)
            self.addCleanup(d.kill)
            d.wait_started()
            before = len(dora.acked)
            dora.run(5.0, limit=3)
            self.assertGreater(len(dora.acked), before, 'no lease granted at the start of '
                               'cycle %d\n%s%s' % (cycle, '\n'.join(notes), d.describe()))

            if cycle % 3 == 2:
                # A trickle, killed about when the lease file is rewritten
                # (hearthd compacts 2 s after a change).
                delay, rate, burst = rng.uniform(1.8, 2.4), 100, 10
            else:
                delay, rate, burst = rng.uniform(0.05, 0.5), self.RATE, 50
            in_flight = dora.run(delay + 2.0, rate=rate, burst=burst, kill_at=delay,
                                 kill=lambda: os.kill(d.pid, signal.SIGKILL),
                                 stop=lambda: not d.running())
            d.proc.wait(3)
            dora.drain()            # ACKs sent before the kill count too
            dora.abandon()
            self.assertIsNotNone(in_flight, 'not killed: no REQUEST ever waited for its '
                                 'ACK%s' % d.describe())
            notes.append('cycle %d: killed after %.2f s with %d REQUESTs waiting, '
                         '%d leases acknowledged so far'
                         % (cycle, delay, in_flight, len(dora.acked)))
            text = d.describe()
            d.close()
            for mac, ip in dora.acked.items():
                other = held.setdefault(ip, mac)
                self.assertEqual(other, mac, 'address %s acknowledged to %s and to %s\n%s%s'
                                 % (ip, other, mac, '\n'.join(notes), text))
            acked.update(dora.acked)
            on_disk = dt.read_durable(leasefile)
            missing = sorted('%s %s' % (mac, ip) for mac, ip in acked.items()
                             if ip not in on_disk or on_disk[ip].mac != mac)
            self.assertFalse(missing, '%d of %d acknowledged leases not in the lease file '
                             '(%d leases there) after kill -9 (first: %s)\n%s%s'
                             % (len(missing), len(acked), len(on_disk), missing[:5],
                                '\n'.join(notes), text))
            macs = [lease.mac for lease in on_disk.values()]
            self.assertEqual(len(macs), len(set(macs)), 'a MAC with two leases in the file')
        if os.environ.get('HEARTH_TEST_VERBOSE'):
            print('\n'.join(notes))
        self.assertGreaterEqual(len(acked), 200, '\n'.join(notes))

        # The last restart: the daemon serves the old leases (a known MAC
        # is offered its address) and writes them all to its lease file.
        d = self.start(self.lan.srv, *args)
        for mac in rng.sample(sorted(acked), 20):
            got = dora.discover_only(bytes.fromhex(mac.replace(':', '')))
            self.assertEqual(got, acked[mac], 'offer to %s after restart%s'
                             % (mac, d.describe()))

        def all_in_file():
            try:
                by_mac = {l.mac: l.ip for l in dt.read_leases(leasefile)}
            except dt.LeaseFileError:
                return False
            return all(by_mac.get(mac) == ip for mac, ip in acked.items())
        ok = nt.wait_for(all_in_file, FILE_SETTLES, interval=0.2)
        self.assertIsNotNone(ok, 'lease file does not hold every lease after restart%s'
                             % d.describe())


if __name__ == '__main__':
    nt.main()
