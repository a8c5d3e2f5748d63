#!/usr/bin/python3
"""Behaviour tests: the answer cache.

Checks, by counting the queries a fake upstream receives, that answers are
cached and served with their TTLs counting down, that names are matched
case-insensitively while the client's spelling is kept, that negative answers
follow RFC 2308 and the neg-ttl/no-negcache options, that the TTL options
(min-cache-ttl, max-cache-ttl, max-ttl) apply, that DO and non-DO answers are
kept apart, and that SIGHUP and expiry empty the cache.  Forwarding and
routing are tested in test_forward.py.
"""

import base64
import signal
import time

import dns.flags
import dns.rdatatype

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs

SIG = base64.b64encode(bytes(range(64))).decode()


def rrsig(covered, name='signed.test.', ttl=300):
    return '%s 13 2 %d 20300101000000 20200101000000 12345 %s %s' % (covered, ttl, name, SIG)


def soa_ttl(msg):
    for rrset in msg.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset.ttl
    return None


class CacheTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream(soa_minimum=60)
        self.up.add('cache.test', 'A', 300, '192.0.2.1')
        self.up.add('short.test', 'A', 1, '192.0.2.2')
        self.up.add('ten.test', 'A', 10, '192.0.2.3')
        self.up.add('zero.test', 'A', 0, '192.0.2.4')
        self.up.add('exists.test', 'A', 300, '192.0.2.5')

    def start(self, *extra):
        return self.daemon('--server=' + self.up.server_arg, *extra)

    def test_second_query_from_cache(self):
        d = self.start()
        r1 = d.query('cache.test', id=1)
        r2 = d.query('cache.test', id=2)
        self.assertEqual(self.up.count('cache.test'), 1)
        self.assertEqual(r2.id, 2)
        self.assertEqual(ht.answer_texts(r1), ht.answer_texts(r2))
        self.assertEqual(ht.answer_texts(r2), ['192.0.2.1'])
        self.assertRcode(r2, 'NOERROR')
        # Also over TCP, from the same cache.
        r3 = d.query('cache.test', tcp=True, id=3)
        self.assertEqual(r3.id, 3)
        self.assertEqual(ht.answer_texts(r3), ['192.0.2.1'])
        self.assertEqual(self.up.count('cache.test'), 1)

    def test_types_cached_apart(self):
        self.up.add('cache.test', 'AAAA', 300, '2001:db8::1')
        d = self.start()
        d.query('cache.test', 'A')
        r = d.query('cache.test', 'AAAA')
        self.assertEqual(ht.answer_texts(r), ['2001:db8::1'])
        self.assertEqual(self.up.count('cache.test', 'AAAA'), 1)
        self.assertEqual(self.up.count('cache.test', 'A'), 1)

    @dnsmasq_differs('dnsmasq 2.90 caches only some types (A, AAAA, CNAME, SRV, ...) '
                     'unless --cache-rr names the others')
    def test_all_types_cached(self):
        self.up.add('multi.test', 'MX', 300, '10 mail.multi.test.')
        self.up.add('multi.test', 'TXT', 300, '"text"')
        self.up.add('_x._tcp.multi.test', 'SRV', 300, '0 0 80 multi.test.')
        self.up.add('multi.test', 'TYPE65280', 300, r'\# 2 abcd')
        d = self.start()
        for name, rdtype in (('multi.test', 'MX'), ('multi.test', 'TXT'),
                             ('_x._tcp.multi.test', 'SRV'), ('multi.test', 'TYPE65280')):
            with self.subTest(rdtype=rdtype):
                r1 = d.query(name, rdtype)
                r2 = d.query(name, rdtype)
                self.assertTrue(r2.answer)
                self.assertEqual(ht.answer_texts(r1), ht.answer_texts(r2))
                self.assertEqual(self.up.count(name, rdtype), 1)

    def test_cname_chain_cached(self):
        self.up.add('alias.test', 'CNAME', 5, 'target.test.')
        self.up.add('target.test', 'A', 10, '192.0.2.44')
        d = self.start()
        r1 = d.query('alias.test')
        self.assertEqual(ht.answer_texts(r1, 'CNAME'), ['target.test.'])
        self.assertEqual(ht.answer_texts(r1, 'A'), ['192.0.2.44'])
        time.sleep(1.1)
        r2 = d.query('ALIAS.test', id=5)
        self.assertEqual(r2.id, 5)
        self.assertEqual(ht.qname_text(r2), 'ALIAS.test.')
        self.assertEqual(ht.answer_texts(r2, 'CNAME'), ['target.test.'])
        self.assertEqual(ht.answer_texts(r2, 'A'), ['192.0.2.44'])
        self.assertEqual(self.up.count('alias.test'), 1)
        ttls = {rr.rdtype: rr.ttl for rr in r2.answer}
        self.assertLessEqual(ttls[dns.rdatatype.CNAME], 4)
        self.assertLessEqual(ttls[dns.rdatatype.A], 9)

    def test_lru_eviction(self):
        for n in 'abcd':
            self.up.add('%s.lru.test' % n, 'A', 300, '192.0.2.%d' % (ord(n) - 90))
        d = self.start('--cache-size=3')
        for n in 'abc':
            d.query('%s.lru.test' % n)
        d.query('a.lru.test')           # a is now the most recently used
        d.query('d.lru.test')           # evicts b, the least recently used
        d.query('a.lru.test')
        d.query('b.lru.test')
        self.assertEqual(self.up.count('a.lru.test'), 1, 'recently used entry evicted')
        self.assertEqual(self.up.count('b.lru.test'), 2, 'cache holds more than cache-size')

    def test_non_ascii_bytes_not_case_folded(self):
        # Only A-Z/a-z compare case-insensitively (RFC 4343); 0xC1 and 0xE1
        # are different labels.
        upper = dns.name.Name([b'\xc1x', b'test', b''])
        lower = dns.name.Name([b'\xe1x', b'test', b''])
        self.up.add(upper.to_text(), 'A', 300, '192.0.2.61')
        self.up.add(lower.to_text(), 'A', 300, '192.0.2.62')
        d = self.start()
        r1 = d.query(upper)
        r2 = d.query(lower)
        self.assertEqual(ht.answer_texts(r1), ['192.0.2.61'])
        self.assertEqual(ht.answer_texts(r2), ['192.0.2.62'])
        self.assertEqual(self.up.count(), 2)

    def test_ttl_counts_down(self):
        d = self.start()
        r1 = d.query('ten.test')
        self.assertLessEqual(r1.answer[0].ttl, 10)
        time.sleep(2.1)
        r2 = d.query('ten.test')
        self.assertEqual(self.up.count('ten.test'), 1)
        self.assertLessEqual(r2.answer[0].ttl, 8)
        self.assertGreaterEqual(r2.answer[0].ttl, 5)

    def test_case_insensitive_hit_keeps_client_case(self):
        d = self.start()
        d.query('cache.test')
        r = d.query('CaChE.TeSt', id=77)
        self.assertEqual(self.up.count('cache.test'), 1)
        self.assertEqual(r.id, 77)
        self.assertEqual(ht.qname_text(r), 'CaChE.TeSt.')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.1'])
        # The answer's owner is the same name (in whatever case).
        self.assertEqual(r.answer[0].name, r.question[0].name)

    def test_cache_size_zero_disables(self):
        d = self.start('--cache-size=0')
        for i in range(3):
            self.assertEqual(ht.answer_texts(d.query('cache.test', id=i + 1)), ['192.0.2.1'])
        self.assertEqual(self.up.count('cache.test'), 3)

    def test_expired_entry_not_served(self):
        d = self.start()
        d.query('short.test')
        time.sleep(2.1)
        r = d.query('short.test')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.2'])
        self.assertEqual(self.up.count('short.test'), 2)

    def test_ttl_zero_not_cached(self):
        d = self.start()
        d.query('zero.test')
        d.query('zero.test')
        self.assertEqual(self.up.count('zero.test'), 2)

    def test_sighup_clears_cache(self):
        for extra in ((), ('--clear-on-reload',)):
            with self.subTest(extra=extra):
                self.up.reset()
                d = self.start(*extra)
                d.query('cache.test')
                d.query('cache.test')
                self.assertEqual(self.up.count('cache.test'), 1)
                d.signal(signal.SIGHUP)
                time.sleep(0.3)
                self.assertTrue(d.running())
                r = d.query('cache.test')
                self.assertEqual(ht.answer_texts(r), ['192.0.2.1'])
                self.assertEqual(self.up.count('cache.test'), 2)
                self.assertEqual(d.stop(), 0)


class NegativeCacheTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream(soa_minimum=60)
        self.up.add('exists.test', 'A', 300, '192.0.2.5')

    def start(self, *extra):
        return self.daemon('--server=' + self.up.server_arg, *extra)

    def test_nxdomain_cached(self):
        d = self.start()
        r1 = d.query('nx.test', id=10)
        r2 = d.query('NX.test', id=11)
        self.assertRcode(r1, 'NXDOMAIN')
        self.assertRcode(r2, 'NXDOMAIN')
        self.assertEqual(r2.id, 11)
        self.assertEqual(ht.qname_text(r2), 'NX.test.')
        self.assertEqual(self.up.count('nx.test'), 1)

    def test_nodata_cached(self):
        d = self.start()
        r1 = d.query('exists.test', 'AAAA')
        r2 = d.query('exists.test', 'AAAA')
        for r in (r1, r2):
            self.assertRcode(r, 'NOERROR')
            self.assertFalse(r.answer)
        self.assertEqual(self.up.count('exists.test', 'AAAA'), 1)
        # NODATA for AAAA says nothing about A.
        self.assertEqual(ht.answer_texts(d.query('exists.test', 'A')), ['192.0.2.5'])

    def test_negative_ttl_from_soa_minimum(self):
        # SOA record TTL 300, MINIMUM 1: RFC 2308 takes the smaller, so the
        # negative entry is gone after 2 s.
        self.up.soa_minimum, self.up.soa_ttl = 1, 300
        d = self.start()
        d.query('nx.test')
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 1)
        time.sleep(2.1)
        self.assertRcode(d.query('nx.test'), 'NXDOMAIN')
        self.assertEqual(self.up.count('nx.test'), 2)

    def test_negative_ttl_from_soa_ttl(self):
        # The other way round: SOA TTL 1, MINIMUM 300.
        self.up.soa_minimum, self.up.soa_ttl = 300, 1
        d = self.start()
        d.query('nx.test')
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 1)
        time.sleep(2.1)
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 2)

    @dnsmasq_differs('dnsmasq 2.90 does not cache NODATA for every type (e.g. MX)')
    def test_nodata_of_any_type_cached(self):
        d = self.start()
        for rdtype in ('MX', 'TXT', 'TYPE65280'):
            with self.subTest(rdtype=rdtype):
                d.query('exists.test', rdtype)
                r = d.query('exists.test', rdtype)
                self.assertRcode(r, 'NOERROR')
                self.assertFalse(r.answer)
                self.assertEqual(self.up.count('exists.test', rdtype), 1)

    def test_negative_answer_soa_ttl_counts_down(self):
        self.up.soa_minimum = 30
        d = self.start()
        r1 = d.query('nx.test')
        self.assertLessEqual(soa_ttl(r1), 30)
        time.sleep(2.1)
        r2 = d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 1)
        self.assertIsNotNone(soa_ttl(r2), 'cached NXDOMAIN lost its SOA')
        self.assertLessEqual(soa_ttl(r2), 28)

    def test_no_negcache(self):
        d = self.start('--no-negcache')
        d.query('nx.test')
        d.query('nx.test')
        d.query('exists.test', 'AAAA')
        d.query('exists.test', 'AAAA')
        self.assertEqual(self.up.count('nx.test'), 2)
        self.assertEqual(self.up.count('exists.test', 'AAAA'), 2)
        # Positive answers are still cached.
        d.query('exists.test', 'A')
        d.query('exists.test', 'A')
        self.assertEqual(self.up.count('exists.test', 'A'), 1)

    def test_no_soa_not_cached_by_default(self):
        self.up.negative_soa = False
        d = self.start()
        d.query('nx.test')
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 2)

    def test_neg_ttl_without_soa(self):
        self.up.negative_soa = False
        d = self.start('--neg-ttl=60')
        r1 = d.query('nx.test')
        r2 = d.query('nx.test')
        self.assertRcode(r1, 'NXDOMAIN')
        self.assertRcode(r2, 'NXDOMAIN')
        self.assertEqual(self.up.count('nx.test'), 1)

    def test_neg_ttl_expires(self):
        self.up.negative_soa = False
        d = self.start('--neg-ttl=1')
        d.query('nx.test')
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 1)
        time.sleep(2.1)
        d.query('nx.test')
        self.assertEqual(self.up.count('nx.test'), 2)


class TtlOptionsTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('short.test', 'A', 1, '192.0.2.2')
        self.up.add('long.test', 'A', 300, '192.0.2.3')

    def start(self, *extra):
        return self.daemon('--server=' + self.up.server_arg, *extra)

    def test_min_cache_ttl(self):
        d = self.start('--min-cache-ttl=60')
        d.query('short.test')
        time.sleep(2.1)
        r = d.query('short.test')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.2'])
        self.assertEqual(self.up.count('short.test'), 1)

    def test_max_cache_ttl(self):
        d = self.start('--max-cache-ttl=1')
        d.query('long.test')
        r = d.query('long.test')
        self.assertLessEqual(r.answer[0].ttl, 1)
        time.sleep(2.1)
        d.query('long.test')
        self.assertEqual(self.up.count('long.test'), 2)

    def test_max_ttl_cached_answer(self):
        d = self.start('--max-ttl=5')
        d.query('long.test')
        r = d.query('long.test')
        self.assertEqual(self.up.count('long.test'), 1)
        self.assertLessEqual(r.answer[0].ttl, 5)

    def test_max_ttl_forwarded_answer(self):
        d = self.start('--max-ttl=5')
        r = d.query('long.test')
        self.assertLessEqual(r.answer[0].ttl, 5)

    def test_max_ttl_keeps_true_ttl_in_cache(self):
        # Clients see at most 1 s, but the entry lives on (dnsmasq's
        # documented reason for the option: not flooding upstream).
        d = self.start('--max-ttl=1')
        d.query('long.test')
        time.sleep(2.1)
        r = d.query('long.test')
        self.assertLessEqual(r.answer[0].ttl, 1)
        self.assertEqual(self.up.count('long.test'), 1)


class DnssecCacheTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('signed.test', 'A', 300, '192.0.2.9')
        self.up.add('signed.test', 'RRSIG', 300, rrsig('A'))

    def has_rrsig(self, r):
        return any(rrset.rdtype == dns.rdatatype.RRSIG for rrset in r.answer)

    @dnsmasq_differs('without --dnssec dnsmasq never caches DO answers: every DO query '
                     'goes upstream')
    def test_do_and_plain_kept_apart(self):
        d = self.daemon('--server=' + self.up.server_arg, '--proxy-dnssec')
        r = d.query('signed.test')
        self.assertFalse(self.has_rrsig(r))
        self.assertEqual(self.up.count('signed.test'), 1)
        # A DO query after a cached plain answer must go upstream.
        r = d.query('signed.test', want_dnssec=True)
        self.assertTrue(self.has_rrsig(r), 'DO query answered without RRSIG')
        self.assertEqual(self.up.count('signed.test'), 2)
        self.assertTrue(self.up.queries[-1].msg.ednsflags & dns.flags.DO,
                        'DO bit not sent upstream')
        # Both are now cached separately.
        r = d.query('signed.test', want_dnssec=True)
        self.assertTrue(self.has_rrsig(r))
        r = d.query('signed.test')
        self.assertFalse(self.has_rrsig(r), 'plain query got the DO answer')
        self.assertEqual(self.up.count('signed.test'), 2)

    def test_do_answer_not_given_to_plain_query(self):
        d = self.daemon('--server=' + self.up.server_arg, '--proxy-dnssec')
        r = d.query('signed.test', want_dnssec=True)
        self.assertTrue(self.has_rrsig(r))
        r = d.query('signed.test')
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.9'])
        self.assertFalse(self.has_rrsig(r), 'plain query got RRSIGs from the DO answer')


if __name__ == '__main__':
    ht.main()
