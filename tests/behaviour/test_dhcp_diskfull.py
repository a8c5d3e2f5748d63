#!/usr/bin/python3
"""Behaviour tests: the DHCPv4 server on a full disk.

The lease file lives on a small tmpfs (a few hundred KiB, mounted on a
fresh temporary directory and unmounted at cleanup) whose free space a
filler file takes up until ENOSPC; deleting the filler frees it again.
The LAN is the one of test_dhcp.py (a server namespace with a bridge,
client namespaces plugged in; root only, exit 77 otherwise), the clients
made-up ones (dhcptest.DoraClient, here sending a host name each).

What the issue asks for: on a full disk the daemon keeps serving from
memory and retries, and never truncates the good lease file.

- leases on disk, then the disk fills: every new client still gets its
  ACK, its name in DNS and an address of its own; the daemon says so once,
  not per packet; every read of the lease file, while clients keep coming,
  while the compaction fails and is retried, and after a SIGTERM on the
  full disk, parses strictly and holds every lease it held before; what a
  restart would load keeps every lease written before; the journal holds
  whole records only (a write cut short is cut off again);
- the space comes back: within seconds every lease, old and new, is on
  disk, the daemon says the file is written again, and after kill -9 a
  restarted daemon knows every lease (an INIT-REBOOT for it is ACKed, the
  names resolve) and writes them all to the lease file;
- the lease file itself (not only the journal) catches up once the space
  is back;
- when it is the retried compaction, not the retried journal write, that
  first gets the leases to disk, the failure is over all the same: the
  next ACK waits for its lease on disk again (kill -9 right after it);
- the daemon started on a full disk starts, serves the leases of its file
  and new clients, and its file keeps every lease and parses.

Expectations about hearthd's messages and journal are checked only
against hearthd.  HEARTH_REFERENCE=dnsmasq runs the file against dnsmasq
2.90, which fails these tests (dnsmasq_differs says why): it truncates
and rewrites its lease file in place, so on the full disk the file is
left cut short in the middle of a line, and writes it again only 60 s
after a failure.
"""

import errno
import os
import random
import select
import socket
import subprocess
import time
import unittest

import dhcptest as dt
import hearthtest as ht
import nettest as nt
from hearthtest import dnsmasq_differs
from test_dhcp import DOMAIN, DhcpTestCase, FILE_SETTLES

RANGE = '10.77.0.10,10.77.0.250,255.255.255.0,1h'
TMPFS_SIZE = '256k'
MEMORY_WARNING = 'serving leases from memory and retrying'
WRITTEN_AGAIN = 'written again'
COMPACT_WARNING = 'cannot rewrite the lease file'
# Every lease on disk this soon after the space is back (a failed write is
# retried every second; the compaction, retried every 5 s, comes later).
RECOVERY = 2.5


class NamedDora(dt.DoraClient):
    """DoraClient whose clients each send a host name (option 12),
    "<prefix>-<n>-<padding>" in the order their MACs were made: long
    names (60 characters) make long lease lines, so that a few dozen
    leases take more than one block of the file system."""

    def __init__(self, ns, prefix, **kw):
        super().__init__(ns, **kw)
        self.prefix = prefix
        self.names = {}             # MAC bytes -> name

    def new_mac(self):
        mac = super().new_mac()
        name = '%s-%03d-' % (self.prefix, len(self.names))
        self.names[mac] = name + 'x' * (60 - len(name))
        return mac

    def name_of(self, mac_text):
        return self.names[bytes.fromhex(mac_text.replace(':', ''))]

    def _transmit(self, xid, p):
        mac, state, server, yiaddr = p[0], p[1], p[2], p[3]
        opts = [(12, self.names[mac].encode())]
        if state == 'discover':
            self._send(dt.build_message(dt.DISCOVER, xid, mac, opts))
        else:
            self._send(dt.build_message(dt.REQUEST, xid, mac,
                                        [(50, socket.inet_aton(yiaddr)), (54, server)] + opts))
        p[4] += 1
        p[5] = time.monotonic()

    def reboot(self, mac_text, ip, timeout=2.0):
        """A REQUEST in INIT-REBOOT state for ip (no server identifier, no
        ciaddr), as a client coming back asks for its old address; the
        reply's (message type, yiaddr), or None when none came.  A server
        that is not authoritative answers only for a lease it knows."""
        mac = bytes.fromhex(mac_text.replace(':', ''))
        xid = self.rng.getrandbits(32)
        msg = dt.build_message(dt.REQUEST, xid, mac,
                               [(50, socket.inet_aton(ip)), (12, self.names[mac].encode())])
        deadline = time.monotonic() + timeout
        next_send = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send:
                self._send(msg)
                next_send = time.monotonic() + 0.5
            r, _, _ = select.select([self.sock], [], [], 0.05)
            while r:
                try:
                    data = self.sock.recv(4096)
                except (BlockingIOError, OSError):
                    break
                reply = dt.parse_reply(data)
                if reply and reply[0] == xid and reply[3] in (dt.ACK, dt.NAK):
                    return reply[3], reply[2]
        return None


def check_journal(path):
    """hearthd's PATH.journal must hold complete records only once no
    write is under way: "add <lease line>" or "del <address>", each
    ended by a newline.  Raises LeaseFileError; the number of records."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return 0
    if text and not text.endswith('\n'):
        raise dt.LeaseFileError('%s ends in a torn record: %r' % (path, text[-80:]))
    lines = text.split('\n')[:-1]
    for line in lines:
        kind, _, rest = line.partition(' ')
        if kind == 'add':
            dt.parse_lease_line(rest)
        elif kind == 'del':
            try:
                socket.inet_pton(socket.AF_INET, rest)
            except OSError:
                raise dt.LeaseFileError('%s: bad record %r' % (path, line))
        else:
            raise dt.LeaseFileError('%s: bad record %r' % (path, line))
    return len(lines)


def lenient_leases(path):
    """The lines of a lease file that parse as leases, skipping any that
    do not (dnsmasq's file, cut short on the full disk); address -> Lease."""
    try:
        with open(path) as f:
            lines = f.read().split('\n')
    except FileNotFoundError:
        return {}
    leases = {}
    for line in lines:
        try:
            lease = dt.parse_lease_line(line)
        except dt.LeaseFileError:
            continue
        leases[lease.ip] = lease
    return leases


def durable_leases(path):
    """dt.read_durable(), except that a damaged lease file counts with the
    lines that still parse."""
    try:
        return dt.read_durable(path)
    except dt.LeaseFileError:
        return lenient_leases(path)


class FileWatch:
    """Reads the lease file again and again while the disk is full and
    keeps what was wrong with it: a read that does not parse strictly (a
    partial line, a file cut short) or that lacks a lease it held when
    the watch began; and, from what a restart would load (read_durable),
    any lease acknowledged before the disk filled that went missing."""

    def __init__(self, path, durable_before):
        self.path = path
        with open(path, 'rb') as f:
            self.original = f.read()
        self.before = {l.ip: l.mac for l in dt.read_leases(path)}
        self.durable_before = durable_before       # address -> MAC
        self.reads = 0
        self.changed = 0
        self.problems = []
        self._last = 0.0

    def sample(self, every=0.05):
        """Read now unless the last read was less than `every` ago;
        always False (a DoraClient.run stop= callback)."""
        now = time.monotonic()
        if now - self._last < every:
            return False
        self._last = now
        self.reads += 1
        try:
            with open(self.path, 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            self._problem('lease file gone', b'')
            return False
        if data != self.original:
            self.changed += 1
        try:
            now_leases = {l.ip: l.mac for l in dt.read_leases(self.path)}
        except dt.LeaseFileError as e:
            self._problem('lease file does not parse: %s (%d bytes, was %d)'
                          % (e, len(data), len(self.original)), data)
            return False
        lost = sorted(ip for ip, mac in self.before.items() if now_leases.get(ip) != mac)
        if lost:
            self._problem('%d leases gone from the lease file (first %s); %d bytes, was %d'
                          % (len(lost), lost[:3], len(data), len(self.original)), data)
        durable = dt.read_durable(self.path)
        gone = sorted(ip for ip, mac in self.durable_before.items()
                      if ip not in durable or durable[ip].mac != mac)
        if gone:
            self._problem('%d leases acknowledged before the disk filled no longer on disk '
                          '(first %s)' % (len(gone), gone[:3]), data)
        return False

    def _problem(self, what, data):
        text = '%s; the file ends:\n%s' % (what, data.decode('utf-8', 'replace')[-300:])
        if len(self.problems) < 3 and text not in self.problems:
            self.problems.append(text)

    def watch(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sample()
            time.sleep(0.05)

    def report(self):
        return ('%d reads of the lease file while the disk was full, %d differed from the '
                'file before; problems:\n%s' % (self.reads, self.changed,
                                                 '\n---\n'.join(self.problems)))


class DiskFullTestCase(DhcpTestCase):
    """The lease file on a tmpfs of TMPFS_SIZE that fill() fills up."""

    def setUp(self):
        super().setUp()
        self.disk = dt.tmpdir(self, prefix='hearth-diskfull-')
        p = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s,mode=0755' % TMPFS_SIZE,
                            'tmpfs', self.disk], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            self.skipTest('cannot mount a tmpfs: %s' % p.stdout.decode('utf-8', 'replace'))
        # Cleanups run last in, first out: the daemons started later are
        # stopped before this unmounts (nothing holds a file open on it),
        # and the directory is removed after.
        self.addCleanup(self._umount)
        self.leasefile = os.path.join(self.disk, 'leases')
        self.filler = os.path.join(self.disk, 'filler')

    def _umount(self):
        p = subprocess.run(['umount', self.disk], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            subprocess.run(['umount', '-l', self.disk], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fill(self):
        """Take every free block of the tmpfs; fail unless a new file then
        cannot get a single byte."""
        chunk = bytes(65536)
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            for size in (65536, 4096, 1):
                while True:
                    try:
                        if os.write(fd, chunk[:size]) == 0:
                            break
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        probe = os.path.join(self.disk, 'probe')
        try:
            with open(probe, 'wb', buffering=0) as f:
                f.write(b'x')
            full = False
        except OSError as e:
            full = e.errno == errno.ENOSPC
        finally:
            if os.path.exists(probe):
                os.unlink(probe)
        self.assertTrue(full, 'test setup: the tmpfs is not full after the filler')

    def free(self):
        os.unlink(self.filler)

    def kill9(self, d):
        d.proc.kill()
        d.proc.wait(3)
        d.killed_by_test = True

    def _stop(self, d):
        # A daemon this test killed with SIGKILL is no crash.
        if getattr(d, 'killed_by_test', False):
            d.close()
            return
        super()._stop(d)

    def server(self, *extra, **kw):
        kw.setdefault('dhcp_range', RANGE)
        return super().server(*extra, **kw)

    def dora(self, prefix):
        c = NamedDora(self.lan.client_ns(), prefix, seed=random.getrandbits(32))
        self.addCleanup(c.close)
        return c

    def get_leases(self, dora, n, what, stop=None):
        """n new clients, each of which must be ACKed.  dnsmasq offers one
        address to several clients at once and NAKs all but the first
        REQUEST ("address in use"): there, a NAKed client is replaced by
        a new one."""
        before = len(dora.acked)
        rounds = 1 if not ht.REFERENCE else 4
        for _ in range(rounds):
            left = n - (len(dora.acked) - before)
            if left <= 0:
                break
            dora.run(10.0, limit=left, stop=stop)
        got = len(dora.acked) - before
        self.assertEqual(got, n, '%s: %d of %d clients got an ACK (%d NAKs)%s'
                         % (what, got, n, dora.naks, self.d.describe()))

    def settled(self, acked):
        """The lease file itself holds every lease of acked (MAC ->
        address) and hearthd's journal was folded into it."""
        journal = self.leasefile + '.journal'
        try:
            on_file = {l.mac: l.ip for l in dt.read_leases(self.leasefile)}
        except dt.LeaseFileError:
            return False
        if any(on_file.get(mac) != ip for mac, ip in acked.items()):
            return False
        return not os.path.exists(journal) or os.path.getsize(journal) == 0

    def wait_settled(self, acked, what='lease file did not settle'):
        ok = nt.wait_for(lambda: self.settled(acked), FILE_SETTLES, interval=0.1)
        if ok is None:
            self.fail('%s within %.0f s: %d of %d leases in it%s'
                      % (what, FILE_SETTLES, len(lenient_leases(self.leasefile)), len(acked),
                         self.d.describe()))

    def missing_from_disk(self, acked):
        durable = durable_leases(self.leasefile)
        return sorted('%s %s' % (mac, ip) for mac, ip in acked.items()
                      if ip not in durable or durable[ip].mac != mac)

    def assertNotAllOnDisk(self, acked):
        """The test really ran on a full disk: hearthd could not write
        every lease of acked.  (dnsmasq truncates its file first, which
        gives it back the file's own blocks: not checked there.)"""
        if not ht.REFERENCE:
            self.assertTrue(self.missing_from_disk(acked), 'test setup: every lease given '
                            'on the full disk is on disk anyway%s' % self.d.describe())

    def assertDistinct(self, acked):
        ips = list(acked.values())
        self.assertEqual(len(ips), len(set(ips)), 'an address given to two clients: %s' % acked)

    def fill_while_serving(self):
        """20 leases settled in the lease file (one block of the file
        system), 5 more in hearthd's journal; then the disk fills.  25
        clients more still fit in the journal's last block: their leases
        are on disk, but the compaction that follows can neither write
        PATH.tmp nor, were it to rewrite PATH in place, fit the 50 leases
        in PATH's own block.  Then 60 clients whose leases fit nowhere.
        Returns (dora, watch, acked before those 60)."""
        self.server()
        dora = self.dora('diskfull')
        self.get_leases(dora, 20, 'before the disk filled')
        self.wait_settled(dora.acked)
        self.get_leases(dora, 5, 'just before the disk filled')
        self.assertFalse(self.missing_from_disk(dora.acked), self.d.describe())
        watch = FileWatch(self.leasefile, {ip: mac for mac, ip in dora.acked.items()})
        self.fill()
        self.get_leases(dora, 25, 'on the full disk (first ones)', stop=watch.sample)
        before = dict(dora.acked)
        if ht.REFERENCE:
            watch.watch(2.5)
        else:
            missing = self.missing_from_disk(before)
            self.assertFalse(missing, 'test setup: %d leases did not fit in the journal\'s '
                             'last block%s' % (len(missing), self.d.describe()))
            watch.durable_before = {ip: mac for mac, ip in before.items()}
            # The compaction 2 s after the last change fails (on PATH.tmp).
            end = time.monotonic() + 5.0
            while COMPACT_WARNING not in self.d.stderr_text() and time.monotonic() < end:
                watch.watch(0.1)
            self.assertIn(COMPACT_WARNING, self.d.stderr_text(),
                          'no compaction tried on the full disk%s' % self.d.describe())
            self.assertWatchClean(watch, 'after the compaction failed: ')
        self.get_leases(dora, 60, 'on the full disk', stop=watch.sample)
        self.assertDistinct(dora.acked)
        # The disk really was full for the daemon: not every new lease
        # could be written.
        new = {mac: ip for mac, ip in dora.acked.items() if mac not in before}
        self.assertNotAllOnDisk(new)
        return dora, watch, before

    def assertWatchClean(self, watch, what=''):
        if watch.problems:
            self.fail(what + watch.report() + self.d.describe())

    def assertNamesResolve(self, dora, macs):
        for mac in macs:
            self.assertResolves('%s.%s' % (dora.name_of(mac), DOMAIN), dora.acked[mac],
                                msg=self.d.describe())


class TestDiskFull(DiskFullTestCase):

    @dnsmasq_differs('dnsmasq truncates its lease file and rewrites it in place: on the '
                     'full disk the file is left cut short in the middle of a line, most '
                     'leases gone')
    def test_full_disk_keeps_serving_and_the_file(self):
        dora, watch, before = self.fill_while_serving()
        # Served from memory: the new names are in DNS.
        new = [mac for mac in dora.acked if mac not in before]
        self.assertNamesResolve(dora, random.sample(new, 3))
        # Clients keep coming while the compaction is retried.
        watch.watch(6.0)
        self.assertWatchClean(watch)
        self.assertGreater(watch.reads, 50, watch.report())
        self.assertNotAllOnDisk(dora.acked)
        if not ht.REFERENCE:
            log = self.d.stderr_text()
            self.assertEqual(log.count(MEMORY_WARNING), 1,
                             'the write failure is to be logged once%s' % self.d.describe())
            # The compaction is retried every few seconds, not per packet.
            self.assertLessEqual(log.count(COMPACT_WARNING), 3, self.d.describe())
            self.assertNotIn(WRITTEN_AGAIN, log, self.d.describe())
        # Stopped on the full disk (its last compaction fails): still the
        # good file, and a journal of whole records.
        self.assertEqual(self.d.stop(), 0, self.d.describe())
        watch.sample(every=0)
        self.assertWatchClean(watch, 'after SIGTERM on the full disk: ')
        check_journal(self.leasefile + '.journal')

    @dnsmasq_differs('dnsmasq does not write its lease file again until 60 s after the '
                     'failure (and has no journal)')
    def test_space_back_everything_written_and_reloaded(self):
        dora, watch, before = self.fill_while_serving()
        watch.watch(0.5)
        self.free()
        acked = dict(dora.acked)
        ok = nt.wait_for(lambda: not self.missing_from_disk(acked), RECOVERY, interval=0.1)
        missing = self.missing_from_disk(acked)
        self.assertIsNotNone(ok, '%d of %d leases not on disk %.1f s after the space came '
                             'back (first %s)%s' % (len(missing), len(acked), RECOVERY,
                                                    missing[:3], self.d.describe()))
        self.assertWatchClean(watch)
        log = self.d.stderr_text()
        self.assertEqual(log.count(MEMORY_WARNING), 1, self.d.describe())
        self.assertIn(WRITTEN_AGAIN, log, self.d.describe())
        check_journal(self.leasefile + '.journal')

        # kill -9 and start again on the same file: every lease is back.
        self.kill9(self.d)
        self.server()
        self.assertNamesResolve(dora, random.sample(sorted(acked), 5))
        wrong = []
        for mac, ip in sorted(acked.items()):
            reply = dora.reboot(mac, ip)
            if reply != (dt.ACK, ip):
                wrong.append('%s %s: %s' % (mac, ip, reply))
        self.assertFalse(wrong, '%d of %d clients not ACKed their address after the restart '
                         '(first %s)%s' % (len(wrong), len(acked), wrong[:3],
                                           self.d.describe()))
        self.wait_settled(acked)

    @unittest.skipIf(ht.REFERENCE, "hearthd's journal and the timing of its retries")
    def test_acks_wait_for_the_disk_again_after_the_compaction_wrote(self):
        # When the space comes back, the changes kept in memory reach the
        # disk by the retried journal write (every second) or by the
        # retried compaction (every 5 s), whichever comes first.  Either
        # way, an ACK then waits for its lease to be on disk again.  Here
        # the compaction comes first: the space comes back between a retry
        # and the compaction's next try.
        self.server()
        dora = self.dora('race')
        self.get_leases(dora, 20, 'before the disk filled')
        self.wait_settled(dora.acked)
        self.get_leases(dora, 5, 'just before the disk filled')
        self.fill()
        self.get_leases(dora, 25, 'on the full disk (in the journal)')
        ok = nt.wait_for(lambda: COMPACT_WARNING in self.d.stderr_text(), 5.0)
        self.assertIsNotNone(ok, 'no compaction tried on the full disk%s' % self.d.describe())
        # The failed compaction made and removed PATH.tmp: the directory's
        # mtime says when.  It is tried again 5 s later.  The journal
        # write fails from the next change on and is retried every second:
        # starting that half a second after the compaction failed puts the
        # retries half a second before and after the compaction's next try.
        t_fail = os.stat(self.disk).st_mtime_ns / 1e9
        time.sleep(max(0.0, t_fail + 0.5 - time.time()))
        self.get_leases(dora, 20, 'on the full disk')
        self.assertIn(MEMORY_WARNING, self.d.stderr_text(), self.d.describe())
        # Each retry writes what fits of the batch in the journal's last
        # block and cuts it off again: the journal's mtime shows them.
        journal = self.leasefile + '.journal'
        retries = []
        last = os.stat(journal).st_mtime_ns
        while time.time() < t_fail + 4.75:
            mtime = os.stat(journal).st_mtime_ns
            if mtime != last:
                retries.append(mtime / 1e9 - t_fail)
                last = mtime
            time.sleep(0.005)
        if not retries or not 4.0 < retries[-1] < 4.7 or time.time() > t_fail + 4.85:
            self.skipTest('could not give the space back between a retry and the '
                          'compaction: retries at %s s after the compaction failed'
                          % ['%.2f' % r for r in retries])
        self.free()
        acked = dict(dora.acked)
        ok = nt.wait_for(lambda: self.settled(acked), 1.0, interval=0.01)
        self.assertIsNotNone(ok, 'the compaction did not write the leases within 1 s%s'
                             % self.d.describe())
        # A new client: its ACK leaves once its lease is on disk.
        self.get_leases(dora, 1, 'after the space came back')
        log = self.d.stderr_text()
        self.kill9(self.d)
        new = {mac: ip for mac, ip in dora.acked.items() if mac not in acked}
        self.assertFalse(self.missing_from_disk(new), 'lease ACKed after the space came back '
                         'not on disk after kill -9 (the ACK did not wait for it)\n%s'
                         % log[-1500:])
        self.assertIn(WRITTEN_AGAIN, log, 'the end of the failure not logged\n%s' % log[-1500:])

    @dnsmasq_differs('dnsmasq truncates its lease file and rewrites it in place: on the '
                     'full disk the file is left cut short in the middle of a line; it '
                     'writes it again only 60 s after the failure')
    def test_start_on_full_disk(self):
        expiry = int(time.time()) + 3600
        old = {'02:4d:00:00:00:%02x' % i: '10.77.0.%d' % (200 + i) for i in range(5)}
        text = ''.join('%d %s %s oldhost-%d 01:%s\n' % (expiry, mac, ip, i, mac)
                       for i, (mac, ip) in enumerate(sorted(old.items())))
        dt.write_file(self.leasefile, text)
        watch = FileWatch(self.leasefile, {ip: mac for mac, ip in old.items()})
        self.fill()
        self.server()
        for i, (mac, ip) in enumerate(sorted(old.items())):
            self.assertResolves('oldhost-%d.%s' % (i, DOMAIN), ip, msg=self.d.describe())
        dora = self.dora('fullstart')
        # More than the file's own block holds (an in-place rewrite gets
        # that back when it truncates).
        self.get_leases(dora, 45, 'started on the full disk', stop=watch.sample)
        self.assertDistinct(dict(dora.acked, **old))
        self.assertNamesResolve(dora, random.sample(sorted(dora.acked), 3))
        watch.watch(2.0)
        self.assertWatchClean(watch)
        self.assertNotAllOnDisk(dora.acked)
        if not ht.REFERENCE:
            self.assertEqual(self.d.stderr_text().count(MEMORY_WARNING), 1, self.d.describe())

        self.free()
        acked = dict(dora.acked, **old)
        ok = nt.wait_for(lambda: not self.missing_from_disk(acked), RECOVERY, interval=0.1)
        self.assertIsNotNone(ok, 'leases not on disk %.1f s after the space came back: %s%s'
                             % (RECOVERY, self.missing_from_disk(acked)[:3], self.d.describe()))
        if not ht.REFERENCE:
            self.assertIn(WRITTEN_AGAIN, self.d.stderr_text(), self.d.describe())

    @dnsmasq_differs('dnsmasq writes its lease file again only 60 s after a failed write '
                     '(or at the next change), and cut it short meanwhile')
    def test_lease_file_caught_up_after_space_back(self):
        # The journal is folded into the file when the disk filled: no
        # compaction is due.  Once the space is back, the lease file
        # itself (what other programs read) holds the leases given on
        # the full disk, as it would after any change.
        self.server()
        dora = self.dora('caughtup')
        self.get_leases(dora, 10, 'before the disk filled')
        self.wait_settled(dora.acked)
        self.fill()
        self.get_leases(dora, 40, 'on the full disk')
        self.assertNotAllOnDisk(dora.acked)
        self.free()
        acked = dict(dora.acked)
        ok = nt.wait_for(lambda: not self.missing_from_disk(acked), RECOVERY, interval=0.1)
        self.assertIsNotNone(ok, 'leases not on disk %.1f s after the space came back: %s%s'
                             % (RECOVERY, self.missing_from_disk(acked)[:3], self.d.describe()))
        self.wait_settled(acked, 'lease file not rewritten after the space came back')


if __name__ == '__main__':
    nt.main()
