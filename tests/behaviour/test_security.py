#!/usr/bin/python3
"""Behaviour tests: defences of the forwarder against forged replies.

A fake upstream sends forged replies (wrong ID, wrong question, wrong source
port or address) ahead of the real one; the client must get the real one and
the forged data must not reach the cache.  Also checked: random source ports
and IDs on upstream queries, merging of identical in-flight questions, that
AA is never relayed, that AD is cleared unless --proxy-dnssec, duplicate
replies are not relayed twice, and that the EDNS size sent upstream is capped.
"""

import base64
import struct

import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs

GOOD = '192.0.2.1'
EVIL = '203.0.113.66'
SIG = base64.b64encode(bytes(range(64))).decode()


def forged_answer(query, name=None, rdtype=None, rdclass=None, qid=None):
    """A plausible reply to query carrying EVIL, optionally for another
    question or with another ID."""
    q = query.question[0]
    name = name or q.name
    rdtype = rdtype if rdtype is not None else q.rdtype
    rdclass = rdclass if rdclass is not None else q.rdclass
    fake_q = dns.message.make_query(name, rdtype, rdclass)
    fake_q.id = query.id if qid is None else qid
    fake_q.flags = query.flags
    if query.edns >= 0:
        fake_q.use_edns(0, query.ednsflags, query.payload)
    resp = dns.message.make_response(fake_q, recursion_available=True)
    # The poison is always for the name the victim asked, so a daemon that
    # caches by the records rather than by the question would be poisoned.
    resp.answer.append(dns.rrset.from_text(q.name, 300, 'IN', 'A', EVIL))
    return resp


class ForgedReplyTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream('127.0.0.1')
        self.up.add('victim.test', 'A', 300, GOOD)
        self.d = self.daemon('--server=' + self.up.server_arg)

    def check(self, forge):
        """forge(query) -> action sending the forged reply; the real answer
        follows 150 ms later."""
        def handler(query, proto, raw, addr):
            if proto != 'udp':
                return ht.DEFAULT
            return ht.Multi(forge(query), ht.Delay(150))
        self.up.handler = handler
        r = self.d.query('victim.test', id=4321)
        self.assertEqual(r.id, 4321)
        self.assertEqual(ht.answer_texts(r, 'A'), [GOOD], 'forged reply accepted')
        # The forged data must not have reached the cache either.
        self.up.handler = None
        r = self.d.query('victim.test')
        self.assertEqual(ht.answer_texts(r, 'A'), [GOOD], 'forged data cached')

    def test_wrong_id_ignored(self):
        self.check(lambda q: forged_answer(q, qid=(q.id + 1) & 0xffff))

    def test_wrong_question_name_ignored(self):
        self.check(lambda q: forged_answer(q, name='other.test'))

    def test_wrong_question_type_ignored(self):
        self.check(lambda q: forged_answer(q, rdtype=dns.rdatatype.AAAA))

    def test_wrong_question_class_ignored(self):
        self.check(lambda q: forged_answer(q, rdclass=dns.rdataclass.CH))

    def test_no_question_ignored(self):
        def forge(q):
            resp = forged_answer(q)
            resp.question = []
            return resp
        self.check(forge)

    def test_wrong_source_port_ignored(self):
        self.check(lambda q: ht.Spoof(forged_answer(q)))

    def test_wrong_source_address_ignored(self):
        self.check(lambda q: ht.Spoof(forged_answer(q), src_addr='127.0.0.2'))

    def test_question_case_difference_accepted(self):
        # The genuine reply may spell the name differently (RFC 1035 names
        # compare case-insensitively); it must still be accepted.
        def handler(query, proto, raw, addr):
            resp = self.up.answer(query)
            name = dns.name.from_text(query.question[0].name.to_text().upper())
            resp.question[0] = dns.rrset.RRset(name, resp.question[0].rdclass,
                                               resp.question[0].rdtype)
            return resp
        self.up.handler = handler
        r = self.d.query('victim.test', timeout=4)
        self.assertEqual(ht.answer_texts(r, 'A'), [GOOD])

    def test_garbage_reply_ignored(self):
        # Replies that cannot be parsed (but carry the right ID) must not
        # crash the daemon nor be taken as the answer.
        def forge(q):
            hdr = struct.pack('!HHHHHH', q.id, 0x8180, 1, 1, 0, 0)
            return ht.Multi(hdr + b'\xc0\x0c\x00\x01\x00\x01',      # pointer loop
                            hdr + b'\x3f' + b'x' * 10,                   # label overruns
                            hdr[:7])                                    # short header
        self.check(forge)

    def test_duplicate_reply_relayed_once(self):
        self.up.handler = lambda q, proto, raw, addr: ht.Multi(ht.DEFAULT, ht.Delay(50))
        wire = ht.make_query('victim.test', id=999).to_wire()
        s = ht.udp_send('127.0.0.1', self.d.port, wire)
        self.addCleanup(s.close)
        first = ht.udp_recv(s, 3)
        self.assertIsNotNone(first)
        self.assertEqual(ht.parse(first).id, 999)
        self.assertIsNone(ht.udp_recv(s, 0.5), 'second upstream reply relayed to client')


class PoisonTest(HearthTestCase):
    def test_unrelated_records_not_cached(self):
        # Records for other names riding along in a reply must not be
        # served later as answers for those names.
        up = self.upstream()
        up.add('asked.test', 'A', 300, GOOD)
        up.add('victim.test', 'A', 300, '192.0.2.200')

        def handler(query, proto, raw, addr):
            resp = up.answer(query)
            if query.question[0].name == dns.name.from_text('asked.test'):
                resp.answer.append(dns.rrset.from_text('victim.test.', 300, 'IN', 'A', EVIL))
                resp.additional.append(dns.rrset.from_text('victim.test.', 300, 'IN',
                                                           'AAAA', '2001:db8::666'))
            return resp
        up.handler = handler
        d = self.daemon('--server=' + up.server_arg)
        d.query('asked.test')
        r = d.query('victim.test')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.200'], 'poisoned from another answer')
        self.assertEqual(up.count('victim.test'), 1)
        d.query('victim.test', 'AAAA')
        self.assertEqual(up.count('victim.test', 'AAAA'), 1)


class RandomnessTest(HearthTestCase):
    def test_random_source_port_and_id(self):
        up = self.upstream()
        d = self.daemon('--server=' + up.server_arg)
        n = 20
        for i in range(n):
            d.query('r%d.rand.test' % i)
        seen = [(s.addr[1], s.msg.id) for s in up.queries if s.proto == 'udp']
        self.assertEqual(len(seen), n)
        ports = [p for p, _ in seen]
        ids = [i for _, i in seen]
        self.assertGreaterEqual(len(set(ports)), 15, 'source ports: %s' % ports)
        self.assertGreaterEqual(len(set(ids)), 15, 'IDs: %s' % ids)

        def steps_of_one(xs, modulo):
            return sum(1 for a, b in zip(xs, xs[1:]) if (b - a) % modulo in (1, 2))
        self.assertLess(steps_of_one(ids, 65536), 5, 'IDs look sequential: %s' % ids)
        self.assertLess(steps_of_one(ports, 65536), 5, 'ports look sequential: %s' % ports)

    def test_port_range(self):
        up = self.upstream()
        low = ht.free_port()
        low = min(max(low, 20000), 60000)
        d = self.daemon('--server=' + up.server_arg, '--min-port=%d' % low,
                        '--max-port=%d' % (low + 200))
        for i in range(12):
            d.query('pr%d.rand.test' % i)
        ports = [s.addr[1] for s in up.queries]
        self.assertEqual(len(ports), 12)
        self.assertTrue(all(low <= p <= low + 200 for p in ports), 'ports: %s' % ports)
        self.assertGreaterEqual(len(set(ports)), 6, 'ports not random: %s' % ports)

    def test_query_port_fixed(self):
        up = self.upstream()
        port = ht.free_port()
        d = self.daemon('--server=' + up.server_arg, '--query-port=%d' % port)
        for i in range(3):
            d.query('qp%d.rand.test' % i)
        self.assertEqual({s.addr[1] for s in up.queries}, {port})

    def test_upstream_id_not_client_id(self):
        up = self.upstream()
        d = self.daemon('--server=' + up.server_arg)
        client_ids = [1000 + i for i in range(10)]
        for i, cid in enumerate(client_ids):
            d.query('c%d.rand.test' % i, id=cid)
        up_ids = [s.msg.id for s in up.queries]
        self.assertLessEqual(len(set(up_ids) & set(client_ids)), 1,
                             'client IDs passed upstream: %s' % up_ids)


class MergeTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('merge.test', 'A', 300, GOOD)
        self.up.add('merge.test', 'RRSIG', 300,
                    'A 13 2 300 20300101000000 20200101000000 1 merge.test. ' + SIG)
        self.up.handler = lambda q, proto, raw, addr: ht.Delay(500)

    def send_spellings(self, d):
        spellings = ['merge.test', 'MERGE.test', 'Merge.Test', 'mErGe.tEsT', 'MERGE.TEST']
        ids = [11, 222, 3333, 44444, 55]
        socks = []
        for name, qid in zip(spellings, ids):
            s = ht.udp_send('127.0.0.1', d.port, ht.make_query(name, id=qid).to_wire())
            self.addCleanup(s.close)
            socks.append(s)
        out = []
        for s, name, qid in zip(socks, spellings, ids):
            raw = ht.udp_recv(s, 3)
            self.assertIsNotNone(raw, 'no answer for %s' % name)
            out.append((name, qid, ht.parse(raw)))
        return out

    def test_identical_questions_merged(self):
        d = self.daemon('--server=' + self.up.server_arg)
        for name, qid, r in self.send_spellings(d):
            self.assertEqual(r.id, qid)
            self.assertEqual(ht.answer_texts(r, 'A'), [GOOD])
        self.assertEqual(self.up.count('merge.test'), 1, 'in-flight queries not merged')

    @dnsmasq_differs('dnsmasq gives every merged client the first client\'s spelling')
    def test_merged_answers_keep_each_clients_case(self):
        d = self.daemon('--server=' + self.up.server_arg)
        for name, qid, r in self.send_spellings(d):
            self.assertEqual(r.id, qid)
            self.assertEqual(ht.qname_text(r), name + '.')

    def test_do_bit_not_merged(self):
        d = self.daemon('--server=' + self.up.server_arg, '--proxy-dnssec')
        plain = ht.udp_send('127.0.0.1', d.port, ht.make_query('merge.test', id=1).to_wire())
        signed = ht.udp_send('127.0.0.1', d.port,
                             ht.make_query('merge.test', id=2, want_dnssec=True).to_wire())
        self.addCleanup(plain.close)
        self.addCleanup(signed.close)
        r_plain = ht.parse(ht.udp_recv(plain, 3))
        r_signed = ht.parse(ht.udp_recv(signed, 3))
        types = lambda r: {rr.rdtype for rr in r.answer}
        self.assertIn(dns.rdatatype.RRSIG, types(r_signed))
        self.assertNotIn(dns.rdatatype.RRSIG, types(r_plain))
        self.assertEqual(self.up.count('merge.test'), 2)

    def test_different_types_not_merged(self):
        self.up.add('merge.test', 'AAAA', 300, '2001:db8::1')
        d = self.daemon('--server=' + self.up.server_arg)
        a = ht.udp_send('127.0.0.1', d.port, ht.make_query('merge.test', 'A', id=1).to_wire())
        aaaa = ht.udp_send('127.0.0.1', d.port,
                           ht.make_query('merge.test', 'AAAA', id=2).to_wire())
        self.addCleanup(a.close)
        self.addCleanup(aaaa.close)
        self.assertEqual(ht.answer_texts(ht.parse(ht.udp_recv(a, 3))), [GOOD])
        self.assertEqual(ht.answer_texts(ht.parse(ht.udp_recv(aaaa, 3))), ['2001:db8::1'])


class FlagsTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('flags.test', 'A', 300, GOOD)

    @dnsmasq_differs('dnsmasq relays the AA bit of upstream answers')
    def test_aa_not_relayed(self):
        self.up.authoritative = True
        d = self.daemon('--server=' + self.up.server_arg)
        r = d.query('flags.test')
        self.assertEqual(ht.answer_texts(r), [GOOD])
        self.assertFalse(r.flags & dns.flags.AA, 'AA relayed on forwarded answer')
        r = d.query('flags.test')
        self.assertFalse(r.flags & dns.flags.AA, 'AA set on cached answer')
        r = d.query('nx.flags.test')
        self.assertRcode(r, 'NXDOMAIN')
        self.assertFalse(r.flags & dns.flags.AA, 'AA relayed on NXDOMAIN')

    def with_ad(self, query, proto, raw, addr):
        resp = self.up.answer(query)
        resp.flags |= dns.flags.AD
        return resp

    def test_ad_cleared_without_proxy_dnssec(self):
        self.up.handler = self.with_ad
        d = self.daemon('--server=' + self.up.server_arg)
        for want_dnssec in (True, False):
            for attempt in ('forwarded', 'cached'):
                with self.subTest(do=want_dnssec, attempt=attempt):
                    r = d.query('flags.test', want_dnssec=want_dnssec)
                    self.assertEqual(ht.answer_texts(r, 'A'), [GOOD])
                    self.assertFalse(r.flags & dns.flags.AD, 'AD passed through')

    def test_ad_kept_with_proxy_dnssec(self):
        self.up.handler = self.with_ad
        d = self.daemon('--server=' + self.up.server_arg, '--proxy-dnssec')
        r = d.query('flags.test', want_dnssec=True)
        self.assertTrue(r.flags & dns.flags.AD, 'AD cleared despite --proxy-dnssec')

    def edns_sizes(self):
        out = []
        for s in self.up.queries:
            out.append(s.msg.payload if s.msg.edns >= 0 else 512)
        return out

    def test_edns_size_upstream_default(self):
        d = self.daemon('--server=' + self.up.server_arg)
        d.query('a.flags.test', payload=4096)
        d.query('b.flags.test', payload=65000, want_dnssec=True)
        d.query('c.flags.test')
        sizes = self.edns_sizes()
        self.assertEqual(len(sizes), 3)
        self.assertTrue(all(s <= 1232 for s in sizes), 'EDNS sizes upstream: %s' % sizes)
        do_query = [s.msg for s in self.up.queries if s.msg.question[0].name.labels[0] == b'b']
        self.assertTrue(do_query[0].edns >= 0 and do_query[0].ednsflags & dns.flags.DO,
                        'DO not forwarded upstream')

    def test_edns_size_upstream_option(self):
        d = self.daemon('--server=' + self.up.server_arg, '--edns-packet-max=800')
        d.query('a.flags.test', payload=4096)
        d.query('b.flags.test', payload=1232)
        sizes = self.edns_sizes()
        self.assertEqual(len(sizes), 2)
        self.assertTrue(all(s <= 800 for s in sizes), 'EDNS sizes upstream: %s' % sizes)


if __name__ == '__main__':
    ht.main()
