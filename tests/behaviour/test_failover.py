#!/usr/bin/python3
"""Behaviour tests: upstream failures, server order and truncation.

Checks that a silent, REFUSED or SERVFAIL upstream makes the daemon try the
next server, that the client gets SERVFAIL in bounded time when nobody
answers (never silence), that --strict-order and --all-servers choose
servers as dnsmasq documents, and that truncation works both ways: a TC
reply from upstream is retried over TCP, and an answer too big for the
client's UDP buffer is sent truncated with TC set.
"""

import time

import dns.flags
import dns.message
import dns.rcode

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs


def rcode_reply(rcode):
    def handler(query, proto, raw, addr):
        resp = dns.message.make_response(query, recursion_available=True)
        if query.edns >= 0:
            resp.use_edns(0, 0, 1232)
        resp.set_rcode(rcode)
        return resp
    return handler


def silent(query, proto, raw, addr):
    return None


class FailoverTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.ups = [self.upstream('127.0.0.%d' % (i + 1)) for i in range(3)]
        for i, up in enumerate(self.ups):
            for n in range(10):
                up.add('h%d.fail.test' % n, 'A', 300, '198.51.100.%d' % (i + 1))

    def start(self, n, *extra):
        return self.daemon(*['--server=' + up.server_arg for up in self.ups[:n]], *extra)

    def source(self, r):
        texts = ht.answer_texts(r)
        return int(texts[0].rsplit('.', 1)[1]) - 1 if texts else None

    def test_silent_first_server(self):
        self.ups[0].handler = silent
        d = self.start(2)
        for n in range(3):
            with self.subTest(n=n):
                start = time.monotonic()
                r = d.query('h%d.fail.test' % n, timeout=4, id=500 + n)
                self.assertLess(time.monotonic() - start, 2.5)
                self.assertEqual(r.id, 500 + n)
                self.assertRcode(r, 'NOERROR')
                self.assertEqual(self.source(r), 1)

    def test_refused_first_server(self):
        self.ups[0].handler = rcode_reply(dns.rcode.REFUSED)
        d = self.start(2, '--strict-order')
        r = d.query('h1.fail.test', timeout=4)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(self.source(r), 1)
        self.assertEqual(self.ups[0].count('h1.fail.test'), 1)

    def test_servfail_first_server(self):
        self.ups[0].handler = rcode_reply(dns.rcode.SERVFAIL)
        d = self.start(2, '--strict-order')
        r = d.query('h1.fail.test', timeout=4)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(self.source(r), 1)
        self.assertEqual(self.ups[0].count('h1.fail.test'), 1)

    def test_refused_without_strict_order(self):
        # Whichever server is tried first, a REFUSED from it must not be
        # the final answer while another server can answer.
        for bad in (0, 1):
            with self.subTest(bad=bad):
                for up in self.ups:
                    up.handler = None
                self.ups[bad].handler = rcode_reply(dns.rcode.REFUSED)
                d = self.start(2)
                for n in range(3):
                    r = d.query('h%d.fail.test' % n, timeout=4)
                    self.assertRcode(r, 'NOERROR')
                    self.assertEqual(self.source(r), 1 - bad)
                d.stop()

    def test_all_refuse(self):
        for up in self.ups[:2]:
            up.handler = rcode_reply(dns.rcode.REFUSED)
        d = self.start(2)
        r = d.query('h1.fail.test', timeout=6, id=77)
        self.assertEqual(r.id, 77)
        self.assertRcode(r, 'REFUSED')

    @dnsmasq_differs('dnsmasq stays silent when no upstream answers')
    def test_all_silent_servfail(self):
        for up in self.ups[:2]:
            up.handler = silent
        d = self.start(2)
        start = time.monotonic()
        r = d.query('H1.Fail.Test', timeout=8, id=4242)
        elapsed = time.monotonic() - start
        self.assertLessEqual(elapsed, 6.0)
        self.assertRcode(r, 'SERVFAIL')
        self.assertEqual(r.id, 4242)
        self.assertEqual(ht.qname_text(r), 'H1.Fail.Test.')
        # Every server was tried before giving up.
        self.assertGreaterEqual(self.ups[0].count(), 1)
        self.assertGreaterEqual(self.ups[1].count(), 1)

    @dnsmasq_differs('dnsmasq stays silent when no upstream answers')
    def test_all_silent_servfail_tcp(self):
        self.ups[0].handler = silent
        d = self.start(1)
        start = time.monotonic()
        r = d.query('h1.fail.test', tcp=True, timeout=8, id=99)
        self.assertLessEqual(time.monotonic() - start, 6.0)
        self.assertRcode(r, 'SERVFAIL')
        self.assertEqual(r.id, 99)

    def test_nxdomain_is_final(self):
        # NXDOMAIN is an answer, not a failure: no other server is asked.
        d = self.start(2, '--strict-order')
        r = d.query('nothere.fail.test', timeout=4)
        self.assertRcode(r, 'NXDOMAIN')
        time.sleep(0.3)
        self.assertEqual(self.ups[1].count(), 0)

    def test_servfail_not_cached(self):
        self.ups[0].handler = rcode_reply(dns.rcode.SERVFAIL)
        d = self.start(1)
        self.assertRcode(d.query('h1.fail.test', timeout=6), 'SERVFAIL')
        self.ups[0].handler = None
        r = d.query('h1.fail.test', timeout=4)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(self.source(r), 0)

    @dnsmasq_differs('dnsmasq stays silent when no upstream answers')
    def test_merged_clients_all_get_servfail(self):
        self.ups[0].handler = silent
        d = self.start(1)
        socks = []
        for i, name in enumerate(('h1.fail.test', 'H1.fail.test', 'h1.FAIL.test')):
            s = ht.udp_send('127.0.0.1', d.port, ht.make_query(name, id=900 + i).to_wire())
            self.addCleanup(s.close)
            socks.append((s, name, 900 + i))
        start = time.monotonic()
        for s, name, qid in socks:
            raw = ht.udp_recv(s, max(0.1, 7 - (time.monotonic() - start)))
            self.assertIsNotNone(raw, 'no SERVFAIL for %s' % name)
            r = ht.parse(raw)
            self.assertEqual(r.id, qid)
            self.assertRcode(r, 'SERVFAIL')
        self.assertLessEqual(time.monotonic() - start, 6.5)

    def test_all_servers_first_good_answer_wins(self):
        # With --all-servers a fast REFUSED must not beat a slower answer.
        self.ups[0].handler = rcode_reply(dns.rcode.REFUSED)
        self.ups[1].handler = lambda q, proto, raw, addr: ht.Delay(300)
        d = self.start(2, '--all-servers')
        r = d.query('h2.fail.test', timeout=4)
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(self.source(r), 1)

    def test_strict_order(self):
        d = self.start(3, '--strict-order')
        for n in range(5):
            self.assertEqual(self.source(d.query('h%d.fail.test' % n)), 0)
        self.assertEqual([up.count() for up in self.ups], [5, 0, 0])

    def test_strict_order_skips_refusing_server(self):
        self.ups[0].handler = rcode_reply(dns.rcode.REFUSED)
        d = self.start(3, '--strict-order')
        for n in range(3):
            self.assertEqual(self.source(d.query('h%d.fail.test' % n, timeout=4)), 1)
        self.assertEqual(self.ups[2].count(), 0)

    def test_all_servers(self):
        d = self.start(3, '--all-servers')
        r = d.query('h1.fail.test')
        self.assertRcode(r, 'NOERROR')
        for i, up in enumerate(self.ups):
            self.assertEqual(up.wait_for(1, timeout=2), 1, 'server %d not queried' % i)


class TruncationTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        # About 900 bytes of TXT: fits the 1232-byte EDNS buffer but not the
        # 512 bytes of a client without EDNS.
        self.medium = ['"%02d %s"' % (i, 'm' * 36) for i in range(20)]
        self.up.add('medium.test', 'TXT', 300, *self.medium)
        # About 3 KB: bigger than any UDP buffer we allow.
        self.big = ['"%02d %s"' % (i, 'b' * 70) for i in range(40)]
        self.up.add('big.test', 'TXT', 300, *self.big)
        self.up.add('tc.test', 'A', 300, '192.0.2.77')

    @dnsmasq_differs('dnsmasq 2.90 relays the truncated UDP reply instead of retrying')
    def test_tc_from_upstream_retried_over_tcp(self):
        self.up.handler = lambda q, proto, raw, addr: ht.TRUNCATE
        d = self.daemon('--server=' + self.up.server_arg)
        r = d.query('tc.test', timeout=4, id=31)
        self.assertEqual(r.id, 31)
        self.assertRcode(r, 'NOERROR')
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.77'])
        self.assertEqual(self.up.count('tc.test', proto='tcp'), 1)

    def test_tc_from_upstream_without_tcp(self):
        # The upstream truncates but refuses TCP: the client must still hear
        # something (the TC reply, or SERVFAIL) in bounded time.
        up = self.upstream(tcp=False)
        up.add('tc.test', 'A', 300, '192.0.2.77')
        up.handler = lambda q, proto, raw, addr: ht.TRUNCATE
        d = self.daemon('--server=' + up.server_arg)
        start = time.monotonic()
        r = d.query('tc.test', timeout=7, id=32)
        self.assertLessEqual(time.monotonic() - start, 6.0)
        self.assertEqual(r.id, 32)
        self.assertTrue(r.flags & dns.flags.TC or r.rcode() == dns.rcode.SERVFAIL,
                        'neither TC nor SERVFAIL: %s' % r)

    @dnsmasq_differs('dnsmasq was seen sending a non-EDNS client a UDP answer over 512 '
                     'bytes (with an OPT record it did not ask for)', varies=True)
    def test_big_answer_to_plain_udp_client(self):
        d = self.daemon('--server=' + self.up.server_arg)
        r = d.query('medium.test', 'TXT', id=5)
        self.assertEqual(r.id, 5)
        self.assertTrue(r.flags & dns.flags.TC, 'answer over 512 bytes sent without TC')
        self.assertLessEqual(len(r.wire), 512)
        self.assertEqual(ht.qname_text(r), 'medium.test.', 'truncated reply lost its question')
        r = d.query('medium.test', 'TXT', tcp=True, id=6)
        self.assertEqual(r.id, 6)
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(ht.answer_texts(r)), 20)

    @dnsmasq_differs('dnsmasq was seen sending a non-EDNS client a UDP answer over 512 '
                     'bytes', varies=True)
    def test_big_answer_to_edns_client(self):
        d = self.daemon('--server=' + self.up.server_arg)
        r = d.query('medium.test', 'TXT', payload=1232)
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(ht.answer_texts(r)), 20)
        # From the cache, the same size rules apply.
        r = d.query('medium.test', 'TXT')
        self.assertTrue(r.flags & dns.flags.TC, 'cached answer over 512 bytes sent without TC')
        self.assertLessEqual(len(r.wire), 512)

    def test_client_edns_size_capped_by_edns_packet_max(self):
        d = self.daemon('--server=' + self.up.server_arg, '--edns-packet-max=700')
        r = d.query('medium.test', 'TXT', payload=4096)
        self.assertTrue(r.flags & dns.flags.TC, 'answer larger than edns-packet-max without TC')
        self.assertLessEqual(len(r.wire), 700)

    def test_huge_answer_via_tcp_upstream(self):
        d = self.daemon('--server=' + self.up.server_arg)
        r = d.query('big.test', 'TXT', payload=1232, timeout=4)
        self.assertTrue(r.flags & dns.flags.TC)
        self.assertLessEqual(len(r.wire), 1232)
        r = d.query('big.test', 'TXT', tcp=True, timeout=4)
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(ht.answer_texts(r)), 40)


if __name__ == '__main__':
    ht.main()
