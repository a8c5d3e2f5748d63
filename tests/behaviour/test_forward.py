#!/usr/bin/python3
"""Behaviour tests: forwarding and routing of queries.

Starts the daemon in front of fake upstreams and checks that queries of any
type reach the right upstream (default servers, per-domain routes with the
longest suffix winning, /dom/# and local domains), over UDP and TCP, IPv4 and
IPv6.  Caching, spoofing, failover and malformed input have their own files.
"""

import random
import time

import dns.flags
import dns.name
import dns.rdatatype

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs


class TypesTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        up = self.up
        up.add('host.example.test', 'A', 300, '192.0.2.10', '192.0.2.11')
        up.add('host.example.test', 'AAAA', 300, '2001:db8::10')
        up.add('host.example.test', 'MX', 300, '10 mail.example.test.', '20 mx2.example.test.')
        up.add('host.example.test', 'TXT', 300, '"hello world"', '"v=spf1 -all"')
        up.add('_sip._tcp.example.test', 'SRV', 300, '10 60 5060 sip.example.test.')
        up.add('host.example.test', 'CAA', 300, '0 issue "ca.example.test"')
        # A type nobody implements: must be forwarded and cached as opaque data.
        up.add('host.example.test', 'TYPE65280', 300, r'\# 4 01020304')
        self.d = self.daemon('--server=' + up.server_arg)

    def check_type(self, name, rdtype):
        r = self.d.query(name, rdtype)
        self.assertRcode(r, 'NOERROR')
        want = self.up.answer(ht.make_query(name, rdtype))
        self.assertEqual(ht.answer_texts(r, rdtype), ht.answer_texts(want, rdtype))
        self.assertTrue(r.answer, 'empty answer for %s %s' % (name, rdtype))
        self.assertEqual(self.up.count(name, rdtype), 1)

    def test_a(self):
        self.check_type('host.example.test', 'A')

    def test_aaaa(self):
        self.check_type('host.example.test', 'AAAA')

    def test_mx(self):
        self.check_type('host.example.test', 'MX')

    def test_txt(self):
        self.check_type('host.example.test', 'TXT')

    def test_srv(self):
        self.check_type('_sip._tcp.example.test', 'SRV')

    def test_caa(self):
        self.check_type('host.example.test', 'CAA')

    def test_unknown_type(self):
        self.check_type('host.example.test', 'TYPE65280')

    def test_any(self):
        r = self.d.query('host.example.test', 'ANY')
        self.assertRcode(r, 'NOERROR')
        types = {rrset.rdtype for rrset in r.answer}
        self.assertIn(dns.rdatatype.A, types)
        self.assertIn(dns.rdatatype.MX, types)
        self.assertEqual(self.up.count('host.example.test', 'ANY'), 1)

    def test_nxdomain_forwarded(self):
        r = self.d.query('missing.example.test', 'A')
        self.assertRcode(r, 'NXDOMAIN')
        self.assertEqual(self.up.count('missing.example.test'), 1)
        self.assertTrue(any(rr.rdtype == dns.rdatatype.SOA for rr in r.authority))

    def test_id_and_rd_kept(self):
        r = self.d.query('host.example.test', 'A', id=4242)
        self.assertEqual(r.id, 4242)
        self.assertTrue(r.flags & dns.flags.QR)
        self.assertTrue(r.flags & dns.flags.RD)

    def test_tcp_query(self):
        r = self.d.query('host.example.test', 'A', tcp=True, id=777)
        self.assertEqual(r.id, 777)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.10', '192.0.2.11'])
        self.assertEqual(self.up.count('host.example.test', 'A'), 1)

    def test_tcp_pipelined(self):
        # Several queries written back-to-back on one connection before any
        # answer is read; each answer must carry its own query's ID.  The
        # upstream answers the first ones slowest, so a daemon that answers
        # in completion order is also exercised.
        names = ['p%d.example.test' % i for i in range(6)]
        for i, n in enumerate(names):
            self.up.add(n, 'A', 300, '192.0.2.%d' % (100 + i))

        def slow_first(query, proto, raw, addr):
            label = query.question[0].name.labels[0].decode().lower()
            if label.startswith('p'):
                return ht.Delay(50 * (6 - int(label[1:])))
            return ht.DEFAULT
        self.up.handler = slow_first

        s = ht.tcp_connect('127.0.0.1', self.d.port)
        self.addCleanup(s.close)
        ids = random.Random(7).sample(range(1, 65535), len(names))
        wire = b''
        for qid, n in zip(ids, names):
            q = ht.make_query(n, 'A', id=qid).to_wire()
            wire += len(q).to_bytes(2, 'big') + q
        s.sendall(wire)
        got = {}
        for _ in names:
            raw = ht.tcp_recv(s, 5)
            self.assertIsNotNone(raw, 'connection closed or timed out after %d answers' % len(got))
            r = ht.parse(raw)
            got[r.id] = r
        self.assertEqual(sorted(got), sorted(ids))
        for i, (qid, n) in enumerate(zip(ids, names)):
            r = got[qid]
            self.assertEqual(ht.qname_text(r), n + '.')
            self.assertEqual(ht.answer_texts(r), ['192.0.2.%d' % (100 + i)])


class LoadTest(HearthTestCase):
    def test_many_concurrent_queries(self):
        # 100 different questions in flight at once, answered out of order:
        # every client must get its own answer under its own ID.
        up = self.upstream()
        rng = random.Random(99)
        for i in range(100):
            up.add('c%d.load.test' % i, 'A', 300, '10.0.%d.%d' % (i // 250, i % 250))
        up.handler = lambda q, proto, raw, addr: ht.Delay(rng.randrange(0, 300))
        d = self.daemon('--server=' + up.server_arg)
        socks = []
        for i in range(100):
            s = ht.udp_send('127.0.0.1', d.port, ht.make_query('c%d.load.test' % i,
                                                              id=1000 + i).to_wire())
            self.addCleanup(s.close)
            socks.append(s)
        for i, s in enumerate(socks):
            raw = ht.udp_recv(s, 4)
            self.assertIsNotNone(raw, 'query %d not answered' % i)
            r = ht.parse(raw)
            self.assertEqual(r.id, 1000 + i)
            self.assertEqual(ht.answer_texts(r), ['10.0.%d.%d' % (i // 250, i % 250)])


class ServerFormsTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('form.test', 'A', 300, '192.0.2.33')

    def test_source_address(self):
        d = self.daemon('--server=%s@127.0.0.5' % self.up.server_arg)
        self.assertEqual(ht.answer_texts(d.query('form.test')), ['192.0.2.33'])
        self.assertEqual(self.up.queries[0].addr[0], '127.0.0.5')

    def test_source_address_and_port(self):
        port = ht.free_port()
        d = self.daemon('--server=%s@127.0.0.6#%d' % (self.up.server_arg, port))
        self.assertEqual(ht.answer_texts(d.query('form.test')), ['192.0.2.33'])
        self.assertEqual(self.up.queries[0].addr, ('127.0.0.6', port))

    def test_interface(self):
        d = self.daemon('--server=%s@lo' % self.up.server_arg)
        self.assertEqual(ht.answer_texts(d.query('form.test')), ['192.0.2.33'])

    def test_default_port_53_form(self):
        # addr without #port means port 53; nothing listens there on
        # 127.0.0.9, so the route must not reach our upstream.
        d = self.daemon('--server=' + self.up.server_arg, '--server=/nine.test/127.0.0.9')
        self.assertEqual(ht.answer_texts(d.query('form.test')), ['192.0.2.33'])
        self.assertEqual(self.up.count(), 1)

    def test_listen_address_list(self):
        d = self.daemon('--server=' + self.up.server_arg,
                        '--listen-address=127.0.0.1,127.0.0.4')
        for addr in ('127.0.0.1', '127.0.0.4'):
            with self.subTest(addr=addr):
                self.assertEqual(ht.answer_texts(d.query('form.test', addr=addr)), ['192.0.2.33'])
        # Not listening elsewhere on the loopback network.
        self.assertIsNone(d.raw_query(ht.make_query('form.test').to_wire(),
                                      addr='127.0.0.7', timeout=0.5))


class RoutingTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.default = self.upstream('127.0.0.1')
        self.corp = self.upstream('127.0.0.2')
        self.lab = self.upstream('127.0.0.3')
        for up, addr in ((self.default, '198.51.100.1'), (self.corp, '198.51.100.2'),
                         (self.lab, '198.51.100.3')):
            for n in ('www.test', 'xcorp.test', 'corp.test', 'a.corp.test',
                      'a.lab.corp.test', 'lab.corp.test', 'a.pub.corp.test',
                      'x.local.test', 'x.lan.test', 'local.test', 'b.sub.lan.test'):
                up.add(n, 'A', 300, addr)

    def start(self, *extra):
        return self.daemon('--server=' + self.default.server_arg, *extra)

    def who(self, r):
        return {'198.51.100.1': 'default', '198.51.100.2': 'corp',
                '198.51.100.3': 'lab'}.get(ht.answer_texts(r)[0] if r.answer else None)

    def counts(self):
        return (self.default.count(), self.corp.count(), self.lab.count())

    def test_domain_route(self):
        d = self.start('--server=/corp.test/' + self.corp.server_arg)
        self.assertEqual(self.who(d.query('a.corp.test')), 'corp')
        self.assertEqual(self.counts(), (0, 1, 0))
        self.assertEqual(self.who(d.query('corp.test')), 'corp')
        self.assertEqual(self.who(d.query('www.test')), 'default')
        # Suffix match is on whole labels: xcorp.test is not in corp.test.
        self.assertEqual(self.who(d.query('xcorp.test')), 'default')
        self.assertEqual(self.counts(), (2, 2, 0))

    def test_dot_inside_label_is_not_a_separator(self):
        # The name a\.corp.test has the label "a.corp" under "test": it is
        # not inside corp.test.
        d = self.start('--server=/corp.test/' + self.corp.server_arg)
        name = dns.name.Name([b'a.corp', b'test', b''])
        self.default.add(name.to_text(), 'A', 300, '198.51.100.1')
        r = d.query(name)
        self.assertEqual(self.who(r), 'default')
        self.assertEqual(r.question[0].name.labels, name.labels)
        self.assertEqual(self.corp.count(), 0)

    def test_domain_route_case_insensitive(self):
        d = self.start('--server=/Corp.Test/' + self.corp.server_arg)
        r = d.query('A.CORP.test')
        self.assertEqual(self.who(r), 'corp')
        self.assertEqual(ht.qname_text(r), 'A.CORP.test.')

    def test_longest_suffix_wins(self):
        # Given in both orders so that "first match" cannot pass by luck.
        for order in (0, 1):
            with self.subTest(order=order):
                routes = ['--server=/corp.test/' + self.corp.server_arg,
                          '--server=/lab.corp.test/' + self.lab.server_arg]
                if order:
                    routes.reverse()
                d = self.start(*routes)
                self.assertEqual(self.who(d.query('a.lab.corp.test')), 'lab')
                self.assertEqual(self.who(d.query('lab.corp.test')), 'lab')
                self.assertEqual(self.who(d.query('a.corp.test')), 'corp')
                self.assertEqual(self.who(d.query('www.test')), 'default')
                d.stop()
                for up in (self.default, self.corp, self.lab):
                    up.reset()

    def test_hash_means_default_servers(self):
        d = self.start('--server=/corp.test/' + self.corp.server_arg,
                       '--server=/pub.corp.test/#')
        self.assertEqual(self.who(d.query('a.pub.corp.test')), 'default')
        self.assertEqual(self.who(d.query('a.corp.test')), 'corp')
        self.assertEqual(self.counts(), (1, 1, 0))

    def test_local_domain_never_forwarded(self):
        d = self.start('--server=/local.test/', '--local=/lan.test/')
        for name in ('x.local.test', 'local.test', 'x.lan.test', 'b.sub.lan.test'):
            for rdtype in ('A', 'AAAA', 'MX'):
                with self.subTest(name=name, rdtype=rdtype):
                    r = d.query(name, rdtype, id=99)
                    self.assertRcode(r, 'NXDOMAIN')
                    self.assertEqual(r.id, 99)
                    self.assertFalse(r.answer)
        time.sleep(0.2)
        self.assertEqual(self.counts(), (0, 0, 0))
        # Other names still go out.
        self.assertEqual(self.who(d.query('www.test')), 'default')

    def test_local_inside_routed_domain(self):
        d = self.start('--server=/corp.test/' + self.corp.server_arg,
                       '--local=/lab.corp.test/')
        self.assertRcode(d.query('a.lab.corp.test'), 'NXDOMAIN')
        self.assertEqual(self.who(d.query('a.corp.test')), 'corp')
        self.assertEqual(self.counts(), (0, 1, 0))

    def test_route_only_server_not_default(self):
        # A server given only for a domain must not receive other names.
        d = self.start('--server=/corp.test/' + self.corp.server_arg)
        for i in range(5):
            self.default.add('n%d.test' % i, 'A', 300, '198.51.100.1')
            d.query('n%d.test' % i)
        self.assertEqual(self.corp.count(), 0)
        self.assertEqual(self.default.count(), 5)


class DomainNeededTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('plainhost', 'A', 300, '192.0.2.1')
        self.up.add('plainhost', 'AAAA', 300, '2001:db8::1')
        self.up.add('dotted.test', 'A', 300, '192.0.2.2')

    def test_plain_names_not_forwarded(self):
        d = self.daemon('--server=' + self.up.server_arg, '--domain-needed')
        for rdtype in ('A', 'AAAA'):
            with self.subTest(rdtype=rdtype):
                r = d.query('PlainHost', rdtype, id=321)
                self.assertRcode(r, 'NXDOMAIN')
                self.assertEqual(r.id, 321)
                self.assertEqual(ht.qname_text(r), 'PlainHost.')
        self.assertEqual(ht.answer_texts(d.query('dotted.test')), ['192.0.2.2'])
        time.sleep(0.2)
        self.assertEqual(self.up.count('plainhost'), 0)

    @dnsmasq_differs('dnsmasq 2.90 forwards plain names for types other than A/AAAA')
    def test_plain_names_not_forwarded_any_type(self):
        self.up.add('plainhost', 'MX', 300, '10 mx.example.test.')
        d = self.daemon('--server=' + self.up.server_arg, '--domain-needed')
        for rdtype in ('MX', 'TXT', 'SRV'):
            with self.subTest(rdtype=rdtype):
                self.assertRcode(d.query('plainhost', rdtype), 'NXDOMAIN')
        time.sleep(0.2)
        self.assertEqual(self.up.count('plainhost'), 0)

    def test_plain_names_forwarded_without_option(self):
        d = self.daemon('--server=' + self.up.server_arg)
        self.assertEqual(ht.answer_texts(d.query('plainhost')), ['192.0.2.1'])
        self.assertEqual(self.up.count('plainhost'), 1)


class IPv6Test(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up6 = self.upstream('::1')
        self.up4 = self.upstream('127.0.0.1')
        for up, addr in ((self.up6, '192.0.2.6'), (self.up4, '192.0.2.4')):
            up.add('v.test', 'A', 300, addr)
            up.add('v.test', 'AAAA', 300, '2001:db8::6' if up is self.up6 else '2001:db8::4')

    def test_v6_listener_v6_upstream(self):
        d = self.daemon('--server=' + self.up6.server_arg, listen=('::1',))
        r = d.query('v.test', 'AAAA', id=6)
        self.assertEqual(r.id, 6)
        self.assertEqual(ht.answer_texts(r), ['2001:db8::6'])
        r = d.query('v.test', 'A', tcp=True)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.6'])
        self.assertEqual(self.up6.count(), 2)
        self.assertEqual(self.up4.count(), 0)

    def test_v4_client_v6_upstream(self):
        d = self.daemon('--server=' + self.up6.server_arg, listen=('127.0.0.1',))
        self.assertEqual(ht.answer_texts(d.query('v.test', 'A')), ['192.0.2.6'])
        self.assertEqual(self.up6.count(), 1)

    def test_v6_client_v4_upstream(self):
        d = self.daemon('--server=' + self.up4.server_arg, listen=('::1',))
        self.assertEqual(ht.answer_texts(d.query('v.test', 'AAAA')), ['2001:db8::4'])
        self.assertEqual(self.up4.count(), 1)

    def test_both_listeners(self):
        d = self.daemon('--server=' + self.up4.server_arg, listen=('127.0.0.1', '::1'))
        r4 = d.query('v.test', 'A', addr='127.0.0.1')
        r6 = d.query('v.test', 'A', addr='::1')
        self.assertEqual(ht.answer_texts(r4), ['192.0.2.4'])
        self.assertEqual(ht.answer_texts(r6), ['192.0.2.4'])

    def test_v6_route(self):
        d = self.daemon('--server=' + self.up4.server_arg,
                        '--server=/v6only.test/' + self.up6.server_arg)
        self.up6.add('h.v6only.test', 'A', 300, '192.0.2.66')
        self.assertEqual(ht.answer_texts(d.query('h.v6only.test')), ['192.0.2.66'])
        self.assertEqual(self.up4.count(), 0)


if __name__ == '__main__':
    ht.main()
