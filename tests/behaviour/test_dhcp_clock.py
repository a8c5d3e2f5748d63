#!/usr/bin/python3
"""Behaviour tests: DHCP lease expiry across jumps of the wall clock.

hearthd times leases on the monotonic clock and uses the wall clock only
for the lease file (whose first field is the expiry in seconds since the
epoch).  So when the wall clock is stepped while it runs, nothing happens
to the leases: stepped forward, no lease expires early; stepped back, no
lease lives longer than it was granted for.  These tests step the clock of
the daemon alone, with libfaketime preloaded into it: only CLOCK_REALTIME
(and time(), gettimeofday()) is faked, monotonic time is left alone, and
the offset is read from a file that the test rewrites while the daemon
runs.  Skipped when libfaketime is not installed (Debian: faketime).

The LAN of test_dhcp.py (root only, exit 77 otherwise), with a range of a
single address and 2-minute leases (the shortest lease allowed): a busybox
udhcpc holds the address under a host name, and a second client (a made-up
MAC, dhcptest.DoraClient) asks for an address now and then; it is offered
one only once the first lease is gone.  Every DHCP packet makes the
daemon look at the clock, so those DISCOVERs are also what would make a
server that expires by wall-clock time notice the jump.

- Stepped forward by a day, then by ten years: the address stays leased
  (nothing is offered to the other client), the name keeps resolving, the
  client renews and is acknowledged with the same address, and the lease
  file then holds the new wall-clock time plus the lease time.
- Stepped back by a day: the lease still ends 2 minutes after it was
  granted (name gone, line gone from the lease file), and the address is
  offered to the other client.  This one waits out the lease (about
  2 minutes); the file runs in about 2 minutes 20 seconds.

HEARTH_REFERENCE=dnsmasq runs the same tests against dnsmasq 2.90, which
expires leases by wall-clock time (see the notes on the tests).
"""

import glob
import os
import signal
import time

import dns.rcode

import dhcptest as dt
import nettest as nt
from hearthtest import dnsmasq_differs
from test_dhcp import DOMAIN, FILE_SETTLES, SERVER, DhcpTestCase

FAKETIME_LIBS = ('/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
                 '/usr/lib/*/faketime/libfaketime.so.1',
                 '/usr/lib/faketime/libfaketime.so.1',
                 '/usr/local/lib/faketime/libfaketime.so.1')

LEASE_TIME = 120
ONLY = '10.77.0.100'
ONE_ADDRESS = '%s,%s,255.255.255.0,2m' % (ONLY, ONLY)
DAY = 86400
TEN_YEARS = 3650 * DAY          # libfaketime's "y" is 365 days


def find_faketime():
    for pattern in FAKETIME_LIBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


class FakeClock:
    """The wall-clock offset of the processes started with env(): a
    libfaketime timestamp file, rewritten (by rename, so that it is never
    read half-written) to step their clock.  Read on every clock call
    (FAKETIME_NO_CACHE); the monotonic clock is not faked."""

    def __init__(self, lib, directory):
        self.lib = lib
        self.path = os.path.join(directory, 'faketime')
        self.offset = 0
        self.step('+0', 0)

    def step(self, spec, seconds):
        """Set the offset to spec (libfaketime's syntax: '+1d', '-1d',
        '+10y'), which is seconds from real time."""
        dt.write_file(self.path + '.new', spec + '\n')
        os.rename(self.path + '.new', self.path)
        self.offset = seconds

    def now(self):
        """What the faked processes read as the time now."""
        return time.time() + self.offset

    def env(self):
        asan = os.environ.get('ASAN_OPTIONS', '')
        return {'LD_PRELOAD': self.lib,
                'FAKETIME_TIMESTAMP_FILE': self.path,
                'FAKETIME_NO_CACHE': '1',
                'FAKETIME_DONT_FAKE_MONOTONIC': '1',
                # An ASan build wants its runtime loaded first; libfaketime is.
                'ASAN_OPTIONS': (asan + ':' if asan else '') + 'verify_asan_link_order=0'}


class ClockTestCase(DhcpTestCase):

    # Seconds for one test (the harness's default is shorter than a lease).
    time_limit = 60

    def setUp(self):
        super().setUp()
        lib = find_faketime()
        if lib is None:
            self.skipTest('libfaketime not installed')
        signal.alarm(self.time_limit)
        self.clock = FakeClock(lib, self.dir)

    def start_lan(self, hostname):
        """The server, a udhcpc holding the only address under hostname,
        and another client (DoraClient)."""
        self.server(dhcp_range=ONE_ADDRESS, env=self.clock.env())
        c = self.client('udhcpc', hostname=hostname)
        b = self.bound(c)
        self.assertEqual((b.ip, b.lease), (ONLY, LEASE_TIME), self.why(c))
        lease = self.wait_lease(c.mac)
        self.assertAlmostEqual(lease.expiry, time.time() + LEASE_TIME, delta=10,
                               msg='expiry in %r is not about now + 2 min' % lease.line)
        other = dt.DoraClient(self.lan.client_ns())
        self.addCleanup(other.close)
        return c, other

    def assertNotOffered(self, other, msg=''):
        """A DISCOVER from a new MAC gets no offer: the only address is
        still leased."""
        offered = other.discover_only(other.new_mac(), timeout=2.0)
        if offered is not None:
            self.fail('%s offered to another client while leased %s%s'
                      % (offered, msg, self.d.describe()))

    def expiry_of(self, mac):
        """The expiry of mac's lease line, 0 without one (or while the
        file is caught half-written)."""
        try:
            lease = self.lease_for(mac)
        except dt.LeaseFileError:
            return 0
        return lease.expiry if lease is not None else 0

    def lease_file_text(self):
        try:
            with open(self.leasefile) as f:
                return f.read()
        except FileNotFoundError:
            return '(no file)\n'


class TestForwardJump(ClockTestCase):

    def renew(self, c):
        """SIGUSR1: udhcpc renews (unicast REQUEST) at once; the address
        it was acknowledged, failing on a NAK."""
        before = len(c.events())
        c.proc.send_signal(signal.SIGUSR1)
        got = []

        def renewed():
            new = c.events()[before:]
            got[:] = new
            return any(e.get('EVENT') in ('renew', 'nak', 'deconfig') for e in new)
        nt.wait_for(renewed, 10.0, interval=0.05)
        names = [e.get('EVENT') for e in got]
        self.assertNotIn('nak', names, self.why(c))
        self.assertNotIn('deconfig', names, self.why(c))
        self.assertIn('renew', names, 'no renewal' + self.why(c))
        return [e for e in got if e.get('EVENT') == 'renew'][0].get('ip')

    @dnsmasq_differs('dnsmasq expires leases by wall-clock time: stepped a day ahead, it drops '
                     'the lease at the next packet and offers its address to another client')
    def test_lease_survives_forward_jumps(self):
        c, other = self.start_lan('ahead')
        fqdn = 'ahead.' + DOMAIN
        self.assertResolves(fqdn, ONLY, msg=self.why(c))
        for spec, seconds in (('+1d', DAY), ('+10y', TEN_YEARS)):
            step = ' after the clock stepped %s' % spec
            self.clock.step(spec, seconds)
            # The daemon reads the clock for this DISCOVER; the lease
            # granted seconds ago (real time) is still there.
            self.assertNotOffered(other, step)
            self.assertResolves(fqdn, ONLY, msg=step + self.why(c))
            self.assertIsNotNone(self.lease_for(c.mac), 'lease line gone%s:\n%s%s'
                                 % (step, self.lease_file_text(), self.d.describe()))
            self.assertEqual(self.renew(c), ONLY, step + self.why(c))
            # Renewed: the file is written with the new wall-clock time
            # (which also shows the fake clock reaches the daemon).
            want = self.clock.now() + LEASE_TIME
            ok = nt.wait_for(lambda: abs(self.expiry_of(c.mac) - want) < 10,
                             FILE_SETTLES, interval=0.1)
            self.assertIsNotNone(ok, 'expiry not about %d%s:\n%s%s'
                                 % (want, step, self.lease_file_text(), self.d.describe()))
            self.assertResolves(fqdn, ONLY, msg=step + self.why(c))
            self.assertNotOffered(other, step)


class TestBackwardJump(ClockTestCase):

    time_limit = LEASE_TIME + 60

    def name_gone(self, fqdn):
        r = nt.query(self.lan.srv, SERVER, fqdn, 'A', timeout=0.3)
        return r is not None and r.rcode() == dns.rcode.NXDOMAIN

    @dnsmasq_differs('dnsmasq expires leases by wall-clock time: stepped a day back, a '
                     '2-minute lease lasts a day and 2 minutes')
    def test_lease_still_ends_after_backward_jump(self):
        granted_after = time.monotonic()
        c, other = self.start_lan('behind')
        granted_before = time.monotonic()
        fqdn = 'behind.' + DOMAIN
        # Gone without a word: no release, no renewal.
        c.proc.kill()
        c.proc.wait(5)
        self.clock.step('-1d', -DAY)
        self.assertNotOffered(other, 'after the clock stepped -1d')
        self.assertResolves(fqdn, ONLY, msg=self.why(c))

        # The name goes when the 2 minutes are up, not before.
        latest = granted_before + LEASE_TIME + 5
        took = nt.wait_for(lambda: self.name_gone(fqdn), latest - time.monotonic(),
                           interval=0.25)
        gone = time.monotonic()
        self.assertIsNotNone(took, '%s still resolves %.0f s after the lease was granted '
                             '(lease file:\n%s)%s'
                             % (fqdn, gone - granted_after, self.lease_file_text(),
                                self.d.describe()))
        self.assertGreaterEqual(gone, granted_after + LEASE_TIME - 2,
                                'name gone after %.0f s, lease was %d s%s'
                                % (gone - granted_after, LEASE_TIME, self.d.describe()))
        self.wait_lease(c.mac, present=False)
        self.assertNotIn(ONLY, dt.read_durable(self.leasefile), self.lease_file_text())
        # The address is free again.
        offered = other.discover_only(other.new_mac(), timeout=3.0)
        self.assertEqual(offered, ONLY, self.d.describe())


if __name__ == '__main__':
    nt.main()
