#!/usr/bin/python3
"""Behaviour tests: names the daemon answers by itself.

Covers /etc/hosts and --no-hosts, --addn-hosts (files and directories),
--hostsdir (watched), --expand-hosts and --domain (plain, per subnet, per
range, and the "local" form), --local-ttl, --address in all its forms,
--local, and SIGHUP re-reading the hosts files.  Every expectation was
checked against dnsmasq 2.90; the few places where hearth deliberately
differs are marked @dnsmasq_differs.

Other local records (--host-record, --cname, ...) and the answer policy
options have their own files.  The machine's /etc/hosts is only read, never
changed; every other hosts file lives in a temporary directory.
"""

import os
import re
import shutil
import signal
import tempfile
import time

import dns.flags
import dns.rcode
import dns.reversename

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs


def rev(addr):
    """The reverse-lookup name of addr, as text without the final dot."""
    return dns.reversename.from_address(addr).to_text(omit_final_dot=True)


def ancount(msg):
    """ANCOUNT from the header: dnspython merges identical records, so
    duplicates are only visible here."""
    return int.from_bytes(msg.wire[6:8], 'big')


def etc_hosts_addresses(name, family):
    """The addresses /etc/hosts gives name (case-insensitive), in one
    family ('4' or '6'), as a sorted list without duplicates."""
    found = set()
    try:
        with open('/etc/hosts', encoding='utf-8', errors='replace') as f:
            lines = f.readlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split('#', 1)[0].split()
        if len(fields) < 2:
            continue
        addr, names = fields[0], [n.lower().rstrip('.') for n in fields[1:]]
        if name.lower() not in names:
            continue
        if (':' in addr) == (family == '6'):
            found.add(addr)
    return sorted(found)


class LocalNamesCase(HearthTestCase):
    """A fake upstream that knows a few names (so that a query which leaks
    out gets a recognisably different answer) and a temporary directory for
    hosts files."""

    LEAK = '198.51.100.99'

    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.tmp = tempfile.mkdtemp(prefix='hearth-hosts-')
        # dnsmasq reads hosts files after dropping to 'nobody'; hearthd may
        # too.  The directory must be readable by everyone.
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, name, text):
        """Write a file under the temporary directory; returns its path.
        Written to a temporary name and renamed, so that a watching daemon
        never sees half a file."""
        p = self.path(name)
        d = os.path.dirname(p)
        if not os.path.isdir(d):
            os.makedirs(d)
            os.chmod(d, 0o755)
        # The new content is written next to the directory, not in it, so
        # that a watched directory only ever holds finished files.
        tmp = os.path.join(self.tmp, '.new-' + os.path.basename(p))
        with open(tmp, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, p)
        return p

    def start(self, *args, **kw):
        return self.daemon('--server=' + self.up.server_arg, *args, **kw)

    # ---- assertions ------------------------------------------------------

    def assertLocal(self, r, want, rdtype=None, ttl=None):
        """A positive answer made by the daemon itself: NOERROR, AA, the
        records want (sorted texts), the question name as the client
        spelled it, optionally every TTL equal to ttl."""
        self.assertRcode(r, 'NOERROR')
        self.assertTrue(r.flags & dns.flags.AA, 'local answer without AA')
        self.assertEqual(ht.answer_texts(r, rdtype), sorted(want))
        for rrset in r.answer:
            self.assertEqual(rrset.name.to_text(), ht.qname_text(r),
                             'answer owner does not echo the question name')
            if ttl is not None:
                self.assertEqual(rrset.ttl, ttl)

    def assertNodata(self, r):
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(r.answer, [], 'expected no records')

    def assertNxdomain(self, r):
        self.assertRcode(r, 'NXDOMAIN')
        self.assertEqual(r.answer, [])

    def wait_until(self, fn, timeout=3.0):
        """Poll fn() (every 50 ms, at most timeout s) until it is true;
        returns its last value."""
        deadline = time.monotonic() + timeout
        while True:
            v = fn()
            if v or time.monotonic() >= deadline:
                return v
            time.sleep(0.05)

    def wait_answer(self, d, name, want, rdtype='A', timeout=3.0):
        """Poll until name answers exactly want (list of rdata texts);
        returns True if it did."""
        return self.wait_until(lambda: ht.answer_texts(d.query(name, rdtype)) == sorted(want),
                               timeout)

    def wait_rcode(self, d, name, rcode, rdtype='A', timeout=3.0):
        want = dns.rcode.from_text(rcode)
        return self.wait_until(lambda: d.query(name, rdtype).rcode() == want, timeout)

    def wait_log(self, d, pattern, timeout=2.0):
        return self.wait_until(lambda: re.search(pattern, d.stderr_text()), timeout)


# --------------------------------------------------------------------------

class EtcHostsTest(LocalNamesCase):
    def test_etc_hosts_read_by_default(self):
        want = etc_hosts_addresses('localhost', '4')
        if not want:
            self.skipTest('/etc/hosts has no IPv4 address for localhost')
        self.up.add('localhost', 'A', 300, self.LEAK)
        d = self.start(hosts=True)
        self.assertLocal(d.query('localhost'), want)
        self.assertLocal(d.query('LocalHost'), want)
        self.assertEqual(self.up.count('localhost', 'A'), 0)

    def test_no_hosts(self):
        if not etc_hosts_addresses('localhost', '4'):
            self.skipTest('/etc/hosts has no IPv4 address for localhost')
        self.up.add('localhost', 'A', 300, self.LEAK)
        d = self.start('--no-hosts', hosts=True)
        r = d.query('localhost')
        self.assertEqual(ht.answer_texts(r), [self.LEAK])
        self.assertEqual(self.up.count('localhost', 'A'), 1)


class AddnHostsTest(LocalNamesCase):
    HOSTS = ('# a comment line\n'
             '\n'
             '192.0.2.1 one.test alias1 Alias2.test   # trailing comment\n'
             '192.0.2.2\ttwo.test\n'
             '2001:db8::2 two.test\n'
             '2001:db8::3 six.test\n')

    def setUp(self):
        super().setUp()
        self.hosts = self.write('hosts', self.HOSTS)

    def test_several_names_per_line(self):
        d = self.start('--addn-hosts=' + self.hosts)
        for name in ('one.test', 'alias1', 'Alias2.test', 'ALIAS2.TEST', 'oNe.TeSt'):
            with self.subTest(name=name):
                self.assertLocal(d.query(name), ['192.0.2.1'], ttl=0)
        self.assertEqual(self.up.count(), 0)

    def test_file_not_read_without_option(self):
        # The guard for the test above: the same names are not known to a
        # daemon that was not given the file.
        d = self.start()
        self.assertNxdomain(d.query('one.test'))
        self.assertEqual(self.up.count('one.test'), 1)

    def test_ipv4_and_ipv6_for_one_name(self):
        d = self.start('--addn-hosts=' + self.hosts)
        self.assertLocal(d.query('two.test', 'A'), ['192.0.2.2'])
        self.assertLocal(d.query('two.test', 'AAAA'), ['2001:db8::2'])
        self.assertLocal(d.query('six.test', 'AAAA'), ['2001:db8::3'])
        self.assertEqual(self.up.count(), 0)

    def test_ptr_is_first_name_on_line(self):
        d = self.start('--addn-hosts=' + self.hosts)
        self.assertLocal(d.query(rev('192.0.2.1'), 'PTR'), ['one.test.'])
        self.assertLocal(d.query(rev('2001:db8::2'), 'PTR'), ['two.test.'])
        # Case-insensitive on the reverse name too.
        self.assertLocal(d.query(rev('192.0.2.2').upper(), 'PTR'), ['two.test.'])
        self.assertEqual(self.up.count(), 0)

    def test_missing_family_is_nodata(self):
        # one.test has only an IPv4 address, six.test only an IPv6 one: the
        # other family's question gets NOERROR without records, never
        # NXDOMAIN (the name exists).  The upstream does not know them.
        d = self.start('--addn-hosts=' + self.hosts)
        self.assertNodata(d.query('one.test', 'AAAA'))
        self.assertNodata(d.query('alias1', 'AAAA'))
        self.assertNodata(d.query('six.test', 'A'))

    def test_other_types_not_nxdomain(self):
        d = self.start('--addn-hosts=' + self.hosts)
        self.assertNodata(d.query('one.test', 'TXT'))
        self.assertNodata(d.query('two.test', 'MX'))

    @dnsmasq_differs('dnsmasq forwards other types for a hosts-file name (and '
                     'relays what the upstream has); hearth treats a hosts name '
                     'as local and answers NODATA without leaking the name upstream')
    def test_other_types_answered_locally(self):
        self.up.add('one.test', 'MX', 300, '10 mail.example.')
        self.up.add('one.test', 'AAAA', 300, '2001:db8::99')
        d = self.start('--addn-hosts=' + self.hosts)
        self.assertNodata(d.query('one.test', 'MX'))
        self.assertNodata(d.query('one.test', 'AAAA'))
        self.assertEqual(self.up.count('one.test'), 0)

    def test_directory_reads_every_file(self):
        self.write('dir/a', '192.0.2.11 a.test\n')
        self.write('dir/b', '192.0.2.12 b.test\n2001:db8::12 b.test\n')
        d = self.start('--addn-hosts=' + self.path('dir'))
        self.assertLocal(d.query('a.test'), ['192.0.2.11'])
        self.assertLocal(d.query('b.test'), ['192.0.2.12'])
        self.assertLocal(d.query('b.test', 'AAAA'), ['2001:db8::12'])
        self.assertEqual(self.up.count(), 0)

    def test_repeated_option(self):
        other = self.write('other', '192.0.2.13 other.test\n')
        d = self.start('--addn-hosts=' + self.hosts, '--addn-hosts=' + other)
        self.assertLocal(d.query('one.test'), ['192.0.2.1'])
        self.assertLocal(d.query('other.test'), ['192.0.2.13'])

    def test_bad_lines_reported_rest_served(self):
        p = self.write('bad', '192.0.2.21 before.test\n'
                              '\n'
                              '300.1.2.3 badaddr.test\n'
                              '192.0.2.22 middle.test\n'
                              'not-an-address word.test\n'
                              '192.0.2.23 after.test\n')
        d = self.start('--addn-hosts=' + p)
        for name, addr in (('before.test', '192.0.2.21'), ('middle.test', '192.0.2.22'),
                           ('after.test', '192.0.2.23')):
            with self.subTest(name=name):
                self.assertLocal(d.query(name), [addr])
        self.assertNxdomain(d.query('badaddr.test'))
        self.assertNxdomain(d.query('word.test'))
        # "file:3" (hearth) or "file line 3" (dnsmasq).
        for line in (3, 5):
            pattern = r'%s(:| line )%d\b' % (re.escape(p), line)
            self.assertTrue(self.wait_log(d, pattern),
                            'line %d not reported as %r:\n%s' % (line, pattern, d.stderr_text()))
        self.assertFalse(re.search(r'%s(:| line )[1246]\b' % re.escape(p), d.stderr_text()),
                         'a good line was reported:\n' + d.stderr_text())
        self.assertTrue(d.running())

    def test_duplicates(self):
        p = self.write('dup', '192.0.2.9 dup.test\n'
                              '192.0.2.9 dup.test\n'
                              '192.0.2.10 dup.test\n'
                              '192.0.2.9 Dup.Test\n')
        other = self.write('dup2', '192.0.2.9 dup.test\n')
        d = self.start('--addn-hosts=' + p, '--addn-hosts=' + other)
        r = d.query('dup.test')
        self.assertLocal(r, ['192.0.2.9', '192.0.2.10'])
        self.assertEqual(ancount(r), 2, 'duplicate records in the answer')
        r = d.query(rev('192.0.2.9'), 'PTR')
        self.assertLocal(r, ['dup.test.'])
        self.assertEqual(ancount(r), 1, 'duplicate PTR records in the answer')
        self.assertTrue(d.running())


class HostsDirTest(LocalNamesCase):
    def test_initial_files(self):
        self.write('hd/a', '192.0.2.31 a.test\n')
        self.write('hd/b', '192.0.2.32 b.test\n')
        d = self.start('--hostsdir=' + self.path('hd'))
        self.assertLocal(d.query('a.test'), ['192.0.2.31'])
        self.assertLocal(d.query('b.test'), ['192.0.2.32'])
        self.assertLocal(d.query(rev('192.0.2.32'), 'PTR'), ['b.test.'])

    def test_changes_picked_up_without_signal(self):
        self.write('hd/a', '192.0.2.31 a.test\n')
        d = self.start('--hostsdir=' + self.path('hd'))
        self.assertLocal(d.query('a.test'), ['192.0.2.31'])

        self.write('hd/b', '192.0.2.32 b.test\n')
        self.assertTrue(self.wait_answer(d, 'b.test', ['192.0.2.32']), 'added file not read')

        self.write('hd/a', '192.0.2.33 a.test\n')
        self.assertTrue(self.wait_answer(d, 'a.test', ['192.0.2.33']), 'changed file not re-read')

        # Changed in place (no rename): also noticed.
        with open(self.path('hd', 'b'), 'a') as f:
            f.write('192.0.2.34 b2.test\n')
        self.assertTrue(self.wait_answer(d, 'b2.test', ['192.0.2.34']), 'append not noticed')

        os.unlink(self.path('hd', 'b'))
        self.assertTrue(self.wait_rcode(d, 'b.test', 'NXDOMAIN'), 'removed file still served')
        self.assertTrue(self.wait_rcode(d, 'b2.test', 'NXDOMAIN'), 'removed file still served')
        # The other file's names stay.
        self.assertLocal(d.query('a.test'), ['192.0.2.33'])


class DomainTest(LocalNamesCase):
    HOSTS = ('192.168.0.1 host\n'
             '192.168.0.2 dotted.name\n'
             '192.168.0.100 far\n'
             '10.1.1.1 other\n')

    def setUp(self):
        super().setUp()
        self.hosts = self.write('hosts', self.HOSTS)
        for n in ('host.lan', 'far.lan', 'other.lan', 'dotted.name.lan', 'foo.lan'):
            self.up.add(n, 'A', 300, self.LEAK)
            self.up.add(n, 'MX', 300, '10 leak.example.')
        self.up.add(rev('192.168.0.9'), 'PTR', 300, 'leak.example.')

    def test_expand_hosts(self):
        d = self.start('--addn-hosts=' + self.hosts, '--expand-hosts', '--domain=lan')
        self.assertLocal(d.query('host.lan'), ['192.168.0.1'])
        self.assertLocal(d.query('HOST.Lan'), ['192.168.0.1'])
        self.assertLocal(d.query('host'), ['192.168.0.1'])
        self.assertLocal(d.query('other.lan'), ['10.1.1.1'])
        self.assertEqual(self.up.count(), 0)
        # The PTR answer is the full name.
        self.assertLocal(d.query(rev('192.168.0.1'), 'PTR'), ['host.lan.'])
        # Names with a dot are not expanded.
        self.assertLocal(d.query('dotted.name'), ['192.168.0.2'])
        self.assertEqual(ht.answer_texts(d.query('dotted.name.lan')), [self.LEAK])
        self.assertEqual(self.up.count('dotted.name.lan'), 1)

    def test_domain_without_expand_hosts(self):
        d = self.start('--addn-hosts=' + self.hosts, '--domain=lan')
        self.assertEqual(ht.answer_texts(d.query('host.lan')), [self.LEAK])
        self.assertLocal(d.query('host'), ['192.168.0.1'])
        self.assertLocal(d.query(rev('192.168.0.1'), 'PTR'), ['host.'])

    def test_domain_for_subnet(self):
        d = self.start('--addn-hosts=' + self.hosts, '--expand-hosts',
                       '--domain=lan,192.168.0.0/24')
        self.assertLocal(d.query('host.lan'), ['192.168.0.1'])
        self.assertLocal(d.query('far.lan'), ['192.168.0.100'])
        self.assertEqual(self.up.count(), 0)
        # 10.1.1.1 is outside the subnet: no domain for it.
        self.assertEqual(ht.answer_texts(d.query('other.lan')), [self.LEAK])
        self.assertLocal(d.query('other'), ['10.1.1.1'])
        self.assertLocal(d.query(rev('10.1.1.1'), 'PTR'), ['other.'])
        self.assertLocal(d.query(rev('192.168.0.1'), 'PTR'), ['host.lan.'])

    def test_domain_for_range(self):
        d = self.start('--addn-hosts=' + self.hosts, '--expand-hosts',
                       '--domain=lan,192.168.0.1,192.168.0.50')
        self.assertLocal(d.query('host.lan'), ['192.168.0.1'])
        self.assertEqual(self.up.count(), 0)
        # 192.168.0.100 is past the end of the range.
        self.assertEqual(ht.answer_texts(d.query('far.lan')), [self.LEAK])
        self.assertLocal(d.query('far'), ['192.168.0.100'])

    def test_domain_local(self):
        d = self.start('--addn-hosts=' + self.hosts, '--expand-hosts',
                       '--domain=lan,192.168.0.0/24,local')
        self.assertLocal(d.query('host.lan'), ['192.168.0.1'])
        self.assertLocal(d.query(rev('192.168.0.1'), 'PTR'), ['host.lan.'])
        # Unknown names in the domain and its reverse zone: NXDOMAIN, made
        # here.
        self.assertNxdomain(d.query('foo.lan'))
        self.assertNxdomain(d.query('foo.lan', 'MX'))
        self.assertNxdomain(d.query('Foo.LAN', 'AAAA'))
        self.assertNxdomain(d.query(rev('192.168.0.9'), 'PTR'))
        # The domain itself has names under it: NODATA, not NXDOMAIN.
        self.assertNodata(d.query('lan', 'A'))
        self.assertEqual(self.up.count(), 0, 'queries in a local domain were forwarded: %s'
                         % [q.msg.question[0].to_text() for q in self.up.queries])
        # Other names are still forwarded.
        self.up.add('else.test', 'A', 300, '192.0.2.200')
        self.assertEqual(ht.answer_texts(d.query('else.test')), ['192.0.2.200'])


class LocalTtlTest(LocalNamesCase):
    HOSTS = '192.0.2.41 ttl.test\n2001:db8::41 ttl.test\n'

    def test_default_ttl_is_zero(self):
        p = self.write('hosts', self.HOSTS)
        d = self.start('--addn-hosts=' + p, '--address=/addr.test/192.0.2.42')
        self.assertLocal(d.query('ttl.test'), ['192.0.2.41'], ttl=0)
        self.assertLocal(d.query('ttl.test', 'AAAA'), ['2001:db8::41'], ttl=0)
        self.assertLocal(d.query(rev('192.0.2.41'), 'PTR'), ['ttl.test.'], ttl=0)
        self.assertLocal(d.query('addr.test'), ['192.0.2.42'], ttl=0)

    def test_local_ttl(self):
        p = self.write('hosts', self.HOSTS)
        d = self.start('--addn-hosts=' + p, '--address=/addr.test/192.0.2.42', '--local-ttl=60')
        self.assertLocal(d.query('ttl.test'), ['192.0.2.41'], ttl=60)
        self.assertLocal(d.query('ttl.test', 'AAAA'), ['2001:db8::41'], ttl=60)
        self.assertLocal(d.query(rev('192.0.2.41'), 'PTR'), ['ttl.test.'], ttl=60)
        self.assertLocal(d.query('x.addr.test'), ['192.0.2.42'], ttl=60)
        # Asked again: the same TTL (not counting down like a cached one).
        self.assertLocal(d.query('ttl.test'), ['192.0.2.41'], ttl=60)


class AddressTest(LocalNamesCase):
    def setUp(self):
        super().setUp()
        for n in ('ads.test', 'x.ads.test', 'h.ads.test', 'notads.test', 'xads.test',
                  'sub.ads.test', 'x.sub.ads.test'):
            self.up.add(n, 'A', 300, self.LEAK)
            self.up.add(n, 'MX', 300, '10 mx.example.')

    def test_ipv4_domain_and_subdomains(self):
        d = self.start('--address=/ads.test/1.2.3.4')
        for name in ('ads.test', 'x.ads.test', 'Deep.X.Ads.TEST', 'nx.ads.test'):
            with self.subTest(name=name):
                self.assertLocal(d.query(name), ['1.2.3.4'])
        self.assertEqual(self.up.count(rdtype='A'), 0)
        # Whole labels only.
        self.assertEqual(ht.answer_texts(d.query('notads.test')), [self.LEAK])
        self.assertEqual(ht.answer_texts(d.query('xads.test')), [self.LEAK])

    def test_ipv4_only_aaaa_is_nodata(self):
        # The name exists here (it has an A record), so whatever happens to
        # the AAAA question the answer is never NXDOMAIN.  The upstream does
        # not know nx.ads.test.
        d = self.start('--address=/ads.test/1.2.3.4')
        self.assertNodata(d.query('nx.ads.test', 'AAAA'))
        self.assertNodata(d.query('Nx.Ads.Test', 'AAAA'))
        self.assertNodata(d.query('ads.test', 'AAAA'))

    @dnsmasq_differs('since 2.86 dnsmasq forwards the types an --address does not give '
                     '(a client preferring IPv6 then bypasses an IPv4 override, and blocked '
                     'names leak upstream); hearthd answers them NODATA itself')
    def test_other_types_nodata(self):
        self.up.add('x.ads.test', 'AAAA', 300, '2001:db8::99')
        d = self.start('--address=/ads.test/1.2.3.4')
        self.assertNodata(d.query('x.ads.test', 'AAAA'))
        self.assertNodata(d.query('x.ads.test', 'MX'))
        self.assertEqual(self.up.count('x.ads.test'), 0)

    def test_with_local_other_types_nodata(self):
        self.up.add('x.ads.test', 'AAAA', 300, '2001:db8::99')
        d = self.start('--address=/ads.test/1.2.3.4', '--local=/ads.test/')
        self.assertLocal(d.query('x.ads.test'), ['1.2.3.4'])
        self.assertNodata(d.query('x.ads.test', 'AAAA'))
        self.assertNodata(d.query('x.ads.test', 'MX'))
        self.assertNodata(d.query('nx.ads.test', 'MX'))
        self.assertEqual(self.up.count(), 0)

    def test_ipv6(self):
        d = self.start('--address=/ads.test/::1')
        self.assertLocal(d.query('ads.test', 'AAAA'), ['::1'])
        self.assertLocal(d.query('x.ads.test', 'AAAA'), ['::1'])
        self.assertNodata(d.query('nx.ads.test', 'A'))
        self.assertEqual(self.up.count(rdtype='AAAA'), 0)

    def test_several_addresses(self):
        d = self.start('--address=/ads.test/1.2.3.4', '--address=/ads.test/1.2.3.5',
                       '--address=/ads.test/2001:db8::5')
        self.assertLocal(d.query('x.ads.test'), ['1.2.3.4', '1.2.3.5'])
        self.assertLocal(d.query('x.ads.test', 'AAAA'), ['2001:db8::5'])
        self.assertEqual(self.up.count(), 0)

    def test_hash_is_null_addresses(self):
        d = self.start('--address=/ads.test/#')
        self.assertLocal(d.query('ads.test'), ['0.0.0.0'])
        self.assertLocal(d.query('ads.test', 'AAAA'), ['::'])
        self.assertLocal(d.query('x.ads.test'), ['0.0.0.0'])
        self.assertLocal(d.query('X.Ads.Test', 'AAAA'), ['::'])
        self.assertEqual(self.up.count(), 0)

    def test_zero_address(self):
        d = self.start('--address=/ads.test/0.0.0.0')
        self.assertLocal(d.query('x.ads.test'), ['0.0.0.0'])
        self.assertEqual(self.up.count(rdtype='A'), 0)
        self.assertEqual(ht.answer_texts(d.query('x.ads.test', 'AAAA')), [])

    def test_no_address_is_nxdomain(self):
        d = self.start('--address=/ads.test/')
        for name in ('ads.test', 'x.ads.test', 'Deep.X.Ads.Test'):
            for rdtype in ('A', 'AAAA', 'MX'):
                with self.subTest(name=name, rdtype=rdtype):
                    self.assertNxdomain(d.query(name, rdtype))
        self.assertEqual(self.up.count(), 0)
        self.assertEqual(ht.answer_texts(d.query('notads.test')), [self.LEAK])

    def test_every_domain(self):
        up2 = self.upstream('127.0.0.2')
        up2.add('sub.ads.test', 'A', 300, '198.51.100.2')
        d = self.start('--address=/#/1.2.3.4', '--server=/sub.ads.test/' + up2.server_arg)
        self.assertLocal(d.query('anything.example'), ['1.2.3.4'])
        self.assertLocal(d.query('plain'), ['1.2.3.4'])
        self.assertEqual(ht.answer_texts(d.query('sub.ads.test')), ['198.51.100.2'])
        self.assertEqual(self.up.count(), 0)

    def test_hosts_name_wins(self):
        p = self.write('hosts', '192.0.2.7 h.ads.test\n')
        d = self.start('--addn-hosts=' + p, '--address=/ads.test/1.2.3.4')
        self.assertLocal(d.query('h.ads.test'), ['192.0.2.7'])
        self.assertLocal(d.query(rev('192.0.2.7'), 'PTR'), ['h.ads.test.'])
        self.assertLocal(d.query('x.ads.test'), ['1.2.3.4'])
        self.assertEqual(self.up.count(), 0)

    def test_server_for_subdomain_wins(self):
        up2 = self.upstream('127.0.0.2')
        for n in ('sub.ads.test', 'x.sub.ads.test'):
            up2.add(n, 'A', 300, '198.51.100.2')
        d = self.start('--address=/ads.test/1.2.3.4', '--server=/sub.ads.test/' + up2.server_arg)
        self.assertEqual(ht.answer_texts(d.query('sub.ads.test')), ['198.51.100.2'])
        self.assertEqual(ht.answer_texts(d.query('x.sub.ads.test')), ['198.51.100.2'])
        self.assertLocal(d.query('x.ads.test'), ['1.2.3.4'])
        self.assertEqual(up2.count('x.ads.test'), 0)
        self.assertEqual(self.up.count(), 0)

    def test_address_for_subdomain_of_server_wins(self):
        up2 = self.upstream('127.0.0.2')
        up2.add('x.ads.test', 'A', 300, '198.51.100.2')
        d = self.start('--server=/ads.test/' + up2.server_arg, '--address=/sub.ads.test/1.2.3.4')
        self.assertLocal(d.query('sub.ads.test'), ['1.2.3.4'])
        self.assertLocal(d.query('x.sub.ads.test'), ['1.2.3.4'])
        self.assertEqual(up2.count(), 0)
        self.assertEqual(ht.answer_texts(d.query('x.ads.test')), ['198.51.100.2'])


class LocalDomainTest(LocalNamesCase):
    def setUp(self):
        super().setUp()
        for n in ('corp.test', 'x.corp.test', 'h.corp.test', 'plain', 'plainhost', 'www.test'):
            self.up.add(n, 'A', 300, self.LEAK)
            self.up.add(n, 'AAAA', 300, '2001:db8::99')
            self.up.add(n, 'MX', 300, '10 mx.example.')

    def test_local_domain_never_forwarded(self):
        d = self.start('--local=/corp.test/')
        for name in ('corp.test', 'x.corp.test', 'Y.Corp.Test'):
            for rdtype in ('A', 'AAAA', 'MX'):
                with self.subTest(name=name, rdtype=rdtype):
                    self.assertNxdomain(d.query(name, rdtype))
        self.assertEqual(self.up.count(), 0)
        self.assertEqual(ht.answer_texts(d.query('www.test')), [self.LEAK])

    def test_local_domain_answers_hosts_names(self):
        p = self.write('hosts', '192.0.2.7 h.corp.test\n')
        d = self.start('--addn-hosts=' + p, '--local=/corp.test/')
        self.assertLocal(d.query('h.corp.test'), ['192.0.2.7'])
        self.assertNodata(d.query('h.corp.test', 'AAAA'))
        self.assertNodata(d.query('h.corp.test', 'MX'))
        self.assertNxdomain(d.query('x.corp.test'))
        self.assertEqual(self.up.count(), 0)

    def test_local_plain_names(self):
        p = self.write('hosts', '192.0.2.8 plainhost\n')
        d = self.start('--addn-hosts=' + p, '--local=//')
        self.assertNxdomain(d.query('plain'))
        self.assertNxdomain(d.query('Plain', 'MX'))
        self.assertLocal(d.query('plainhost'), ['192.0.2.8'])
        self.assertNodata(d.query('plainhost', 'AAAA'))
        self.assertEqual(self.up.count(), 0)
        # Names with a dot still go upstream.
        self.assertEqual(ht.answer_texts(d.query('www.test')), [self.LEAK])


class SighupTest(LocalNamesCase):
    def test_sighup_rereads_addn_hosts(self):
        p = self.write('hosts', '192.0.2.51 keep.test\n192.0.2.52 gone.test\n')
        self.write('dir/a', '192.0.2.53 indir.test\n')
        d = self.start('--addn-hosts=' + p, '--addn-hosts=' + self.path('dir'))
        self.assertLocal(d.query('gone.test'), ['192.0.2.52'])
        self.assertLocal(d.query('indir.test'), ['192.0.2.53'])

        self.write('hosts', '192.0.2.54 keep.test\n192.0.2.55 new.test\n')
        self.write('dir/a', '192.0.2.56 indir.test\n')
        d.signal(signal.SIGHUP)
        self.assertTrue(self.wait_answer(d, 'new.test', ['192.0.2.55']), 'new name not read after SIGHUP')
        self.assertLocal(d.query('keep.test'), ['192.0.2.54'])
        self.assertLocal(d.query('indir.test'), ['192.0.2.56'])
        self.assertLocal(d.query(rev('192.0.2.54'), 'PTR'), ['keep.test.'])
        self.assertNxdomain(d.query('gone.test'))
        self.assertNxdomain(d.query(rev('192.0.2.52'), 'PTR'))

    def test_sighup_rereads_hostsdir(self):
        self.write('hd/a', '192.0.2.61 hd.test\n')
        d = self.start('--hostsdir=' + self.path('hd'))
        self.assertLocal(d.query('hd.test'), ['192.0.2.61'])
        self.write('hd/a', '192.0.2.62 hd.test\n')
        d.signal(signal.SIGHUP)
        self.assertTrue(self.wait_answer(d, 'hd.test', ['192.0.2.62']), 'hostsdir not re-read')
        self.assertTrue(d.running())

    def test_sighup_keeps_configuration(self):
        p = self.write('hosts', '192.168.0.1 host\n')
        d = self.start('--addn-hosts=' + p, '--expand-hosts', '--domain=lan', '--local-ttl=7',
                       '--address=/ads.test/1.2.3.4', '--local=/corp.test/')
        self.assertLocal(d.query('host.lan'), ['192.168.0.1'], ttl=7)
        self.write('hosts', '192.168.0.2 host\n')
        d.signal(signal.SIGHUP)
        self.assertTrue(self.wait_answer(d, 'host', ['192.168.0.2']), 'hosts file not re-read')
        self.assertLocal(d.query('host.lan'), ['192.168.0.2'], ttl=7)
        self.assertLocal(d.query('x.ads.test'), ['1.2.3.4'], ttl=7)
        self.assertNxdomain(d.query('x.corp.test'))
        self.assertEqual(self.up.count(), 0)

    def test_query_in_flight_survives_sighup(self):
        self.up.add('slow.test', 'A', 300, '192.0.2.70')
        self.up.handler = lambda q, proto, raw, addr: ht.Delay(1000)
        p = self.write('hosts', '192.0.2.71 local.test\n')
        d = self.start('--addn-hosts=' + p)
        s = ht.udp_send('127.0.0.1', d.port, ht.make_query('slow.test', id=4321).to_wire())
        self.addCleanup(s.close)
        self.assertEqual(self.up.wait_for(1, name='slow.test'), 1, 'query not forwarded')
        d.signal(signal.SIGHUP)
        wire = ht.udp_recv(s, 4)
        self.assertIsNotNone(wire, 'query in flight during SIGHUP got no answer')
        r = ht.parse(wire)
        self.assertEqual(r.id, 4321)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.70'])
        self.assertLocal(d.query('local.test'), ['192.0.2.71'])


if __name__ == '__main__':
    ht.main()
