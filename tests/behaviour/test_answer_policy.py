#!/usr/bin/python3
"""Behaviour tests: the answer policy.

Checks what the daemon does to upstream answers and to some questions:
--bogus-nxdomain, --ignore-address, --alias, --stop-dns-rebind with
--rebind-localhost-ok and --rebind-domain-ok, --filterwin2k, --filter-A,
--filter-AAAA, --filter-rr, --localise-queries, and that the cache replays
the policed answer rather than the upstream's.  Every upstream answer comes
from a fake upstream.  Note that 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24 and 2001:db8::/32 count as private for --stop-dns-rebind, so
"public" addresses here are real ones (they are only data: nothing is sent
to them).
"""

import os
import shutil
import tempfile

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs

PUBLIC4 = '8.8.8.8'
PUBLIC6 = '2606:4700::1111'


class PolicyTestCase(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()

    def start(self, *args, **kw):
        self.d = self.daemon('--server=' + self.up.server_arg, *args, **kw)
        return self.d

    def addrs(self, name, rdtype='A'):
        r = self.d.query(name, rdtype)
        return ht.answer_texts(r, rdtype)


class BogusNxdomainTest(PolicyTestCase):
    def setUp(self):
        super().setUp()
        self.up.add('bogus.test', 'A', 300, '64.94.110.11')
        self.up.add('mixed.test', 'A', 300, PUBLIC4, '64.94.110.11')
        self.up.add('prefix.test', 'A', 300, '198.51.100.77')
        self.up.add('bogus6.test', 'AAAA', 300, '2001:db8:bad::1')
        self.up.add('good.test', 'A', 300, PUBLIC4)
        self.up.add('good.test', 'AAAA', 300, '2001:db8:900d::1')

    def start_bogus(self):
        return self.start('--bogus-nxdomain=64.94.110.11', '--bogus-nxdomain=198.51.100.0/24',
                          '--bogus-nxdomain=2001:db8:bad::/48')

    def test_address_turns_into_nxdomain(self):
        self.start_bogus()
        for name, rdtype in (('bogus.test', 'A'), ('mixed.test', 'A'), ('prefix.test', 'A'),
                             ('bogus6.test', 'AAAA')):
            with self.subTest(name=name):
                r = self.d.query(name, rdtype)
                self.assertRcode(r, 'NXDOMAIN')
                self.assertEqual(r.answer, [])
                self.assertEqual(self.up.count(name, rdtype), 1)

    def test_other_answers_untouched(self):
        self.start_bogus()
        self.assertEqual(self.addrs('good.test'), [PUBLIC4])
        self.assertEqual(self.addrs('good.test', 'AAAA'), ['2001:db8:900d::1'])

    def test_without_option_relayed(self):
        self.start()
        self.assertEqual(self.addrs('bogus.test'), ['64.94.110.11'])
        self.assertEqual(self.addrs('prefix.test'), ['198.51.100.77'])


class IgnoreAddressTest(PolicyTestCase):
    """A forged reply comes first, the real one 200 ms later."""

    FORGED = '203.0.113.66'

    def setUp(self):
        super().setUp()
        self.up.add('ign.test', 'A', 300, PUBLIC4)
        self.up.add('other.test', 'A', 300, '203.0.113.70')

        def forge_first(query, proto, raw, addr):
            if query.question[0].name != dns.name.from_text('ign.test'):
                return ht.DEFAULT
            forged = dns.message.make_response(query, recursion_available=True)
            forged.answer.append(dns.rrset.from_text(query.question[0].name, 300, 'IN', 'A', self.FORGED))
            return ht.Multi(forged, ht.Delay(200))
        self.up.handler = forge_first

    def test_forged_reply_ignored(self):
        self.start('--ignore-address=' + self.FORGED)
        self.assertEqual(self.addrs('ign.test'), [PUBLIC4])
        # Other answers are not waited on or dropped.
        self.assertEqual(self.addrs('other.test'), ['203.0.113.70'])

    def test_prefix_form(self):
        self.start('--ignore-address=203.0.113.64/30')
        self.assertEqual(self.addrs('ign.test'), [PUBLIC4])
        self.assertEqual(self.addrs('other.test'), ['203.0.113.70'])

    def test_without_option_first_reply_wins(self):
        self.start()
        self.assertEqual(self.addrs('ign.test'), [self.FORGED])


class AliasTest(PolicyTestCase):
    def setUp(self):
        super().setUp()
        for name, addr in (('m56.test', '1.2.3.56'), ('m67.test', '1.2.3.67'), ('other.test', '1.2.4.56'),
                           ('in.test', '192.168.0.20'), ('low.test', '192.168.0.9'),
                           ('high.test', '192.168.0.50'), ('one.test', '5.5.5.5')):
            self.up.add(name, 'A', 300, addr)

    def test_mask_form(self):
        self.start('--alias=1.2.3.0,6.7.8.0,255.255.255.0')
        self.assertEqual(self.addrs('m56.test'), ['6.7.8.56'])
        self.assertEqual(self.addrs('m67.test'), ['6.7.8.67'])
        self.assertEqual(self.addrs('other.test'), ['1.2.4.56'])

    def test_range_form(self):
        self.start('--alias=192.168.0.10-192.168.0.40,10.0.0.0,255.255.255.0')
        self.assertEqual(self.addrs('in.test'), ['10.0.0.20'])
        self.assertEqual(self.addrs('low.test'), ['192.168.0.9'])
        self.assertEqual(self.addrs('high.test'), ['192.168.0.50'])

    def test_single_address(self):
        self.start('--alias=5.5.5.5,6.6.6.6')
        self.assertEqual(self.addrs('one.test'), ['6.6.6.6'])
        self.assertEqual(self.addrs('m56.test'), ['1.2.3.56'])


class RebindTest(PolicyTestCase):
    def setUp(self):
        super().setUp()
        up = self.up
        up.add('pub.test', 'A', 300, PUBLIC4)
        up.add('pub.test', 'AAAA', 300, PUBLIC6)
        up.add('priv.test', 'A', 300, '192.168.1.1')
        up.add('ten.test', 'A', 300, '10.1.2.3')
        up.add('mix.test', 'A', 300, PUBLIC4, '10.9.9.9')
        up.add('lo.test', 'A', 300, '127.0.0.1')
        up.add('lo.test', 'AAAA', 300, '::1')
        up.add('zero.test', 'A', 300, '0.0.0.0')
        up.add('ula.test', 'AAAA', 300, 'fd00::1')
        up.add('ll.test', 'AAAA', 300, 'fe80::1')
        up.add('mapped.test', 'AAAA', 300, '::ffff:192.168.1.1')
        up.add('cn.test', 'CNAME', 300, 'priv.test.')
        up.add('ok.test', 'A', 300, '10.0.0.2')
        up.add('deep.sub.ok.test', 'A', 300, '10.0.0.3')
        up.add('notok.test', 'A', 300, '10.0.0.4')
        up.add('x.notok.test', 'A', 300, '10.0.0.5')
        up.add('txt.test', 'TXT', 300, '"text"')

    def blocked(self, name, rdtype='A'):
        r = self.d.query(name, rdtype)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(ht.answer_texts(r, rdtype), [], '%s %s not blocked' % (name, rdtype))
        self.assertEqual(self.up.count(name, rdtype), 1)
        return r

    def test_private_answers_blocked(self):
        self.start('--stop-dns-rebind')
        for name, rdtype in (('priv.test', 'A'), ('ten.test', 'A'), ('zero.test', 'A'),
                             ('ula.test', 'AAAA'), ('ll.test', 'AAAA'), ('mapped.test', 'AAAA'),
                             ('lo.test', 'A'), ('lo.test', 'AAAA'), ('cn.test', 'A')):
            with self.subTest(name=name, rdtype=rdtype):
                self.blocked(name, rdtype)

    def test_one_private_address_blocks_it(self):
        self.start('--stop-dns-rebind')
        r = self.d.query('mix.test')
        self.assertRcode(r, 'NOERROR')
        self.assertNotIn('10.9.9.9', ht.answer_texts(r, 'A'))

    def test_public_answers_pass(self):
        self.start('--stop-dns-rebind')
        self.assertEqual(self.addrs('pub.test'), [PUBLIC4])
        self.assertEqual(self.addrs('pub.test', 'AAAA'), [PUBLIC6])
        self.assertEqual(self.addrs('txt.test', 'TXT'), ['"text"'])

    def test_without_option_private_passes(self):
        self.start()
        self.assertEqual(self.addrs('priv.test'), ['192.168.1.1'])
        self.assertEqual(self.addrs('lo.test'), ['127.0.0.1'])

    def test_rebind_localhost_ok(self):
        self.start('--stop-dns-rebind', '--rebind-localhost-ok')
        self.assertEqual(self.addrs('lo.test'), ['127.0.0.1'])
        self.assertEqual(self.addrs('lo.test', 'AAAA'), ['::1'])
        self.blocked('priv.test')

    def test_rebind_domain_ok(self):
        self.start('--stop-dns-rebind', '--rebind-domain-ok=/ok.test/other.test/')
        self.assertEqual(self.addrs('ok.test'), ['10.0.0.2'])
        self.assertEqual(self.addrs('Deep.Sub.OK.test'), ['10.0.0.3'])
        # A name that only ends in the same characters is not in the domain.
        self.blocked('notok.test')
        self.blocked('x.notok.test')
        self.blocked('priv.test')

    def test_rebind_domain_ok_plain_form(self):
        self.start('--stop-dns-rebind', '--rebind-domain-ok=ok.test')
        self.assertEqual(self.addrs('deep.sub.ok.test'), ['10.0.0.3'])
        self.blocked('notok.test')


class Filterwin2kTest(PolicyTestCase):
    def setUp(self):
        super().setUp()
        self.up.add('_ldap._tcp.dc.test', 'SRV', 300, '0 0 389 dc.test.')
        self.up.add('_ldap._tcp.dc.test', 'TXT', 300, '"u"')
        self.up.add('srv.test', 'SRV', 300, '0 0 1 x.test.')
        self.up.add('dc.test', 'SOA', 300, 'ns.dc.test. h.dc.test. 1 2 3 4 5')
        self.up.add('dc.test', 'A', 300, PUBLIC4)
        self.up.add('_under.dc.test', 'A', 300, PUBLIC4)

    def test_blocked_questions(self):
        self.start('--filterwin2k')
        for name, rdtype in (('_ldap._tcp.dc.test', 'SRV'), ('srv.test', 'SRV'),
                             ('dc.test', 'SOA'), ('_ldap._tcp.dc.test', 'ANY')):
            with self.subTest(name=name, rdtype=rdtype):
                r = self.d.query(name, rdtype)
                self.assertRcode(r, 'NOERROR')
                self.assertEqual(r.answer, [])
                self.assertEqual(self.up.count(name, rdtype), 0, 'forwarded')

    def test_other_questions_forwarded(self):
        self.start('--filterwin2k')
        for name, rdtype, want in (('dc.test', 'ANY', PUBLIC4), ('_under.dc.test', 'A', PUBLIC4),
                                   ('_ldap._tcp.dc.test', 'TXT', '"u"')):
            with self.subTest(name=name, rdtype=rdtype):
                r = self.d.query(name, rdtype)
                self.assertIn(want, ht.answer_texts(r))
                self.assertEqual(self.up.count(name, rdtype), 1)

    def test_without_option_forwarded(self):
        self.start()
        self.assertEqual(self.addrs('srv.test', 'SRV'), ['0 0 1 x.test.'])
        self.assertEqual(self.up.count('srv.test', 'SRV'), 1)


class FilterTypesTest(PolicyTestCase):
    def setUp(self):
        super().setUp()
        up = self.up
        up.add('both.test', 'A', 300, PUBLIC4)
        up.add('both.test', 'AAAA', 300, PUBLIC6)
        up.add('both.test', 'TXT', 300, '"t"')
        up.add('both.test', 'MX', 300, '10 m.test.')
        up.add('both.test', 'SRV', 300, '0 0 1 x.test.')
        up.add('cn.test', 'CNAME', 300, 'both.test.')
        up.add('txt.test', 'TXT', 300, '"only"')

    def types(self, name, rdtype):
        r = self.d.query(name, rdtype)
        self.assertRcode(r, 'NOERROR')
        return {dns.rdatatype.to_text(rrset.rdtype) for rrset in r.answer}

    def test_filter_a(self):
        self.start('--filter-A')
        self.assertEqual(self.types('both.test', 'A'), set())
        self.assertEqual(self.addrs('both.test', 'AAAA'), [PUBLIC6])
        self.assertEqual(self.types('both.test', 'ANY'), {'AAAA', 'TXT', 'MX', 'SRV'})
        self.assertNotIn('A', self.types('cn.test', 'A'))

    def test_filter_aaaa(self):
        self.start('--filter-AAAA')
        self.assertEqual(self.types('both.test', 'AAAA'), set())
        self.assertEqual(self.addrs('both.test', 'A'), [PUBLIC4])
        self.assertEqual(self.types('both.test', 'ANY'), {'A', 'TXT', 'MX', 'SRV'})
        self.assertNotIn('AAAA', self.types('cn.test', 'AAAA'))

    def test_filter_rr(self):
        self.start('--filter-rr=TXT,MX')
        self.assertEqual(self.types('both.test', 'TXT'), set())
        self.assertEqual(self.types('txt.test', 'TXT'), set())
        self.assertEqual(self.types('both.test', 'MX'), set())
        self.assertEqual(self.addrs('both.test', 'A'), [PUBLIC4])
        self.assertEqual(self.addrs('both.test', 'SRV'), ['0 0 1 x.test.'])
        self.assertEqual(self.types('both.test', 'ANY'), {'A', 'AAAA', 'SRV'})

    def test_without_options(self):
        self.start()
        self.assertEqual(self.types('both.test', 'ANY'), {'A', 'AAAA', 'TXT', 'MX', 'SRV'})
        self.assertEqual(self.types('cn.test', 'A'), {'CNAME', 'A'})


class LocaliseQueriesTest(PolicyTestCase):
    """Loopback (127.0.0.1/8) is the only interface a test can use without
    namespaces: a hosts name with an address on it and one elsewhere shows
    the choice.  dnsmasq 2.90 only localises A answers to IPv4 queries."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix='hearth-localise-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        os.chmod(self.tmp, 0o755)       # dnsmasq reads it as nobody
        self.hosts = os.path.join(self.tmp, 'hosts')
        with open(self.hosts, 'w') as f:
            f.write('127.0.0.5 loc.test\n10.1.1.5 loc.test\n'
                    '10.1.1.6 far.test\n10.2.2.6 far.test\n')
        os.chmod(self.hosts, 0o644)

    def test_address_on_the_interface_subnet_only(self):
        self.start('--addn-hosts=' + self.hosts, '--localise-queries')
        for _ in range(3):
            self.assertEqual(self.addrs('loc.test'), ['127.0.0.5'])
        self.assertEqual(self.addrs('LOC.Test'), ['127.0.0.5'])
        r = self.d.query('loc.test', tcp=True)
        self.assertEqual(ht.answer_texts(r, 'A'), ['127.0.0.5'])

    def test_no_address_on_the_subnet_all_returned(self):
        self.start('--addn-hosts=' + self.hosts, '--localise-queries')
        self.assertEqual(self.addrs('far.test'), ['10.1.1.6', '10.2.2.6'])

    def test_without_option_all_returned(self):
        self.start('--addn-hosts=' + self.hosts)
        self.assertEqual(self.addrs('loc.test'), ['10.1.1.5', '127.0.0.5'])


class CacheReplaysPolicedAnswerTest(PolicyTestCase):
    """The second identical query is answered from the cache with the
    answer as policed, and the upstream sees one query."""

    def setUp(self):
        super().setUp()
        self.up.add('bogus.test', 'A', 300, '64.94.110.11')
        self.up.add('al.test', 'A', 300, '1.2.3.56')
        self.up.add('both.test', 'A', 300, PUBLIC4)
        self.up.add('both.test', 'AAAA', 300, PUBLIC6)
        self.up.add('cn.test', 'CNAME', 300, 'both.test.')
        self.up.add('priv.test', 'A', 300, '192.168.1.1')

    def twice(self, name, rdtype='A'):
        r1 = self.d.query(name, rdtype, id=1)
        r2 = self.d.query(name, rdtype, id=2)
        self.assertEqual(r2.id, 2)
        self.assertEqual(r1.rcode(), r2.rcode())
        self.assertEqual(ht.answer_texts(r1), ht.answer_texts(r2))
        self.assertEqual(self.up.count(name, rdtype), 1, 'second query not from the cache')
        return r2

    def test_bogus_nxdomain(self):
        self.start('--bogus-nxdomain=64.94.110.11')
        self.assertRcode(self.twice('bogus.test'), 'NXDOMAIN')

    def test_alias(self):
        self.start('--alias=1.2.3.0,6.7.8.0,255.255.255.0')
        self.assertEqual(ht.answer_texts(self.twice('al.test')), ['6.7.8.56'])

    def test_filter_a(self):
        self.start('--filter-A')
        self.assertEqual(ht.answer_texts(self.twice('cn.test'), 'A'), [])

    def test_filter_aaaa_on_chain(self):
        self.start('--filter-AAAA')
        r = self.twice('cn.test', 'A')
        self.assertEqual(ht.answer_texts(r, 'A'), [PUBLIC4])
        self.assertEqual(ht.answer_texts(self.d.query('both.test', 'AAAA'), 'AAAA'), [])

    @dnsmasq_differs('dnsmasq 2.90 does not cache an answer --stop-dns-rebind blocked: '
                     'it asks the upstream again')
    def test_stop_dns_rebind(self):
        self.start('--stop-dns-rebind')
        self.assertEqual(ht.answer_texts(self.twice('priv.test')), [])


if __name__ == '__main__':
    ht.main()
