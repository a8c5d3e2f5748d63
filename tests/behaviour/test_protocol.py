#!/usr/bin/python3
"""Behaviour tests: the DNS wire protocol as seen by clients.

Malformed queries get FORMERR with the client's ID, unknown opcodes NOTIMP,
runts and responses are dropped, a barrage of random packets does not stop
the daemon, queries over 512 bytes work, EDNS is answered only with EDNS,
idle TCP connections are closed, TCP connections are capped, and
--dns-forward-max limits concurrent forwarded queries.  Forwarding logic is
tested in test_forward.py.
"""

import os
import random
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs

RD = 0x0100


def header(qid, flags=RD, qd=1, an=0, ns=0, ar=0):
    return struct.pack('!HHHHHH', qid, flags, qd, an, ns, ar)


def question(name='www.proto.test', qtype=1, qclass=1):
    wire = b''
    for label in name.split('.'):
        wire += bytes([len(label)]) + label.encode()
    return wire + b'\x00' + struct.pack('!HH', qtype, qclass)


class ProtocolTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('www.proto.test', 'A', 300, '192.0.2.80')
        self.d = self.daemon('--server=' + self.up.server_arg)

    def still_serving(self):
        self.assertTrue(self.d.running(), 'daemon died')
        r = self.d.query('www.proto.test', id=0xbeef, timeout=3)
        self.assertEqual(r.id, 0xbeef)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.80'])

    def reply_to(self, wire, tcp=False):
        raw = self.d.raw_query(wire, tcp=tcp, timeout=2)
        self.assertIsNotNone(raw, 'no reply to %r' % wire[:40])
        self.assertGreaterEqual(len(raw), 12)
        qid, flags = struct.unpack('!HH', raw[:4])
        return qid, flags, raw

    def assert_error(self, wire, rcode, tcp=False):
        qid, flags, raw = self.reply_to(wire, tcp)
        self.assertEqual(qid, struct.unpack('!H', wire[:2])[0], 'ID not echoed')
        self.assertTrue(flags & 0x8000, 'QR not set')
        self.assertEqual(flags & 0xf, rcode,
                         'rcode %s, expected %s' % (dns.rcode.to_text(flags & 0xf),
                                                    dns.rcode.to_text(rcode)))
        return flags, raw

    @dnsmasq_differs('dnsmasq silently drops a query whose question is cut short')
    def test_truncated_question_formerr(self):
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                wire = header(0x1234) + b'\x03www\x07pro'
                self.assert_error(wire, dns.rcode.FORMERR, tcp)
                wire = header(0x1235) + question()[:-2]      # class missing
                self.assert_error(wire, dns.rcode.FORMERR, tcp)
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    def test_qdcount_zero_formerr(self):
        self.assert_error(header(0x2222, qd=0), dns.rcode.FORMERR)
        self.assert_error(header(0x2223, qd=0), dns.rcode.FORMERR, tcp=True)
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    @dnsmasq_differs('dnsmasq forwards a query with two questions')
    def test_qdcount_two_formerr(self):
        wire = header(0x3333, qd=2) + question() + question('other.proto.test')
        self.assert_error(wire, dns.rcode.FORMERR)
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    @dnsmasq_differs('dnsmasq answers NOTIMP only to some opcodes; it forwards or drops '
                     'UPDATE and unassigned ones')
    def test_unknown_opcodes_notimp(self):
        for opcode in (dns.opcode.STATUS, dns.opcode.NOTIFY, dns.opcode.UPDATE, 3, 6, 15):
            with self.subTest(opcode=opcode):
                qid = 0x4000 + int(opcode)
                flags, raw = self.assert_error(header(qid, flags=(int(opcode) << 11)) + question(),
                                               dns.rcode.NOTIMP)
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    def test_runts_dropped(self):
        s = ht.udp_send('127.0.0.1', self.d.port, b'')
        self.addCleanup(s.close)
        for n in range(1, 12):
            s.sendto(os.urandom(n), ('127.0.0.1', self.d.port))
        s.sendto(header(0x5555)[:11], ('127.0.0.1', self.d.port))
        self.assertIsNone(ht.udp_recv(s, 0.7), 'answered a packet shorter than a header')
        self.still_serving()

    def test_responses_dropped(self):
        # QR=1: a reply sent to our listening port (reflection bait).
        wire = header(0x6666, flags=0x8000 | RD) + question()
        self.assertIsNone(self.d.raw_query(wire, timeout=0.7), 'answered a response packet')
        resp = dns.message.make_response(ht.make_query('www.proto.test', id=0x6667))
        self.assertIsNone(self.d.raw_query(resp.to_wire(), timeout=0.7))
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    def test_random_garbage(self):
        rng = random.Random(20240601)
        valid = ht.make_query('www.proto.test', id=1).to_wire()
        packets = []
        for i in range(500):
            kind = i % 4
            if kind == 0:           # anything at all
                p = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 600)))
            elif kind == 1:         # a query header, random body
                p = header(rng.getrandbits(16), flags=rng.getrandbits(16) & ~0x8000,
                           qd=rng.choice((0, 1, 2, 0xffff)), an=rng.getrandbits(16),
                           ns=rng.getrandbits(16), ar=rng.getrandbits(16))
                p += bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
            elif kind == 2:         # a valid query with bytes flipped
                b = bytearray(valid)
                for _ in range(rng.randrange(1, 6)):
                    b[rng.randrange(2, len(b))] = rng.getrandbits(8)
                p = bytes(b)
            else:                   # compression-pointer loops and oversized labels
                p = header(rng.getrandbits(16)) + rng.choice(
                    (b'\xc0\x0c\x00\x01\x00\x01', b'\x3f' + b'a' * 63 + b'\xc0\x0c',
                     b'\xff' * 20, b'\x01a' * 130 + b'\x00\x00\x01\x00\x01'))
            packets.append(p)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        for i, p in enumerate(packets):
            s.sendto(p, ('127.0.0.1', self.d.port))
            if i % 50 == 49:
                time.sleep(0.01)    # stay under the socket buffer
        # The same over TCP, one connection per few frames.
        for i in range(0, 40, 4):
            try:
                c = ht.tcp_connect('127.0.0.1', self.d.port, 2)
                for p in packets[i:i + 4]:
                    ht.tcp_send(c, p[:65535])
                c.close()
            except OSError:
                pass
        time.sleep(0.3)
        self.still_serving()
        r = self.d.query('www.proto.test', tcp=True)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.80'])

    def test_large_query(self):
        pad = [dns.edns.GenericOption(dns.edns.OptionType.PADDING, b'\x00' * 600)]
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                q = ht.make_query('www.proto.test', payload=1232, options=pad, id=0x7777)
                wire = q.to_wire()
                self.assertGreater(len(wire), 512)
                r = self.d.query(None, raw=wire, tcp=tcp)
                self.assertEqual(r.id, 0x7777)
                self.assertRcode(r, 'NOERROR')
                self.assertEqual(ht.answer_texts(r), ['192.0.2.80'])

    def test_long_names(self):
        # 253 characters (255 octets on the wire) is the longest legal name.
        name = '.'.join(['a' * 63, 'b' * 63, 'c' * 63, 'd' * 50, 'proto.test'])
        self.assertEqual(len(name), 253)
        self.up.add(name, 'A', 300, '192.0.2.81')
        r = self.d.query(name, id=0x0253)
        self.assertEqual(r.id, 0x0253)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.81'])

    @dnsmasq_differs('dnsmasq silently drops a query whose name is over 255 octets')
    def test_overlong_name_formerr(self):
        labels = [b'x' * 63] * 5        # 320 octets
        qname = b''.join(bytes([len(l)]) + l for l in labels) + b'\x00'
        wire = header(0x0256) + qname + struct.pack('!HH', 1, 1)
        self.assert_error(wire, dns.rcode.FORMERR)
        self.assertEqual(self.up.count(), 0)
        self.still_serving()

    @dnsmasq_differs('dnsmasq was seen relaying the upstream OPT record to clients that '
                     'sent none', varies=True)
    def test_no_opt_without_edns(self):
        for attempt in ('forwarded', 'cached'):
            with self.subTest(attempt=attempt):
                r = self.d.query('www.proto.test')
                self.assertEqual(r.edns, -1, 'OPT record in reply to a non-EDNS query')
        r = self.d.query('nx.proto.test')
        self.assertEqual(r.edns, -1)

    def test_opt_with_edns(self):
        for attempt in ('forwarded', 'cached'):
            with self.subTest(attempt=attempt):
                r = self.d.query('www.proto.test', payload=1232)
                self.assertEqual(r.edns, 0, 'no OPT record in reply to an EDNS query')

    def test_tcp_client_gone_before_answer(self):
        self.up.handler = lambda q, proto, raw, addr: ht.Delay(400)
        for i in range(5):
            s = ht.tcp_connect('127.0.0.1', self.d.port)
            ht.tcp_send(s, ht.make_query('gone%d.proto.test' % i).to_wire())
            s.close()
        s = ht.tcp_connect('127.0.0.1', self.d.port)
        s.sendall(b'\x00\x40\x12\x34')    # frame cut short
        s.close()
        time.sleep(0.8)
        self.up.handler = None
        self.still_serving()
        r = self.d.query('www.proto.test', tcp=True)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.80'])

    def test_tcp_split_writes(self):
        # A TCP query arriving a few bytes at a time is still one query.
        wire = ht.make_query('www.proto.test', id=0x0808).to_wire()
        framed = struct.pack('!H', len(wire)) + wire
        s = ht.tcp_connect('127.0.0.1', self.d.port)
        self.addCleanup(s.close)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(0, len(framed), 5):
            s.sendall(framed[i:i + 5])
            time.sleep(0.02)
        r = ht.parse(ht.tcp_recv(s, 3))
        self.assertEqual(r.id, 0x0808)
        self.assertEqual(ht.answer_texts(r), ['192.0.2.80'])
        # And the connection stays usable for a second query.
        ht.tcp_send(s, ht.make_query('www.proto.test', id=0x0909).to_wire())
        r = ht.parse(ht.tcp_recv(s, 3))
        self.assertEqual(r.id, 0x0909)


class TcpLimitsTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('www.proto.test', 'A', 300, '192.0.2.80')
        self.d = self.daemon('--server=' + self.up.server_arg)

    @dnsmasq_differs('dnsmasq keeps an idle TCP connection open longer than 15 s')
    def test_idle_connection_closed(self):
        s = ht.tcp_connect('127.0.0.1', self.d.port)
        self.addCleanup(s.close)
        # One query first, so the connection is known to be served.
        ht.tcp_send(s, ht.make_query('www.proto.test', id=1).to_wire())
        self.assertIsNotNone(ht.tcp_recv(s, 3))
        start = time.monotonic()
        s.settimeout(16)
        try:
            data = s.recv(1)
        except socket.timeout:
            self.fail('idle TCP connection still open after 16 s')
        except ConnectionResetError:
            data = b''
        elapsed = time.monotonic() - start
        self.assertEqual(data, b'', 'unexpected data on idle connection')
        self.assertGreaterEqual(elapsed, 3, 'idle connection closed too early (%.1f s)' % elapsed)
        self.assertLessEqual(elapsed, 15.5)

    def test_many_connections(self):
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        for _ in range(300):
            try:
                socks.append(socket.create_connection(('127.0.0.1', self.d.port), timeout=0.5))
            except OSError:
                break
        time.sleep(0.5)
        fds = len(os.listdir('/proc/%d/fd' % self.d.pid))
        # Whatever the cap is, it must exist: not every connection may hold
        # a descriptor (hearth's cap is expected well below 256).
        self.assertLess(fds, 260, 'daemon holds %d descriptors with %d connections open'
                        % (fds, len(socks)))
        self.assertTrue(self.d.running())
        r = self.d.query('www.proto.test', id=3)
        self.assertEqual(r.id, 3)
        for s in socks:
            s.close()
        socks.clear()
        time.sleep(0.5)
        r = self.d.query('www.proto.test', tcp=True, id=4, timeout=4)
        self.assertEqual(r.id, 4)


class ForwardMaxTest(HearthTestCase):
    def test_dns_forward_max(self):
        up = self.upstream()
        up.handler = lambda q, proto, raw, addr: ht.Delay(2000)
        for i in range(3):
            up.add('slow%d.proto.test' % i, 'A', 300, '192.0.2.%d' % (90 + i))
        d = self.daemon('--server=' + up.server_arg, '--dns-forward-max=2')
        socks = []
        for i in range(3):
            s = ht.udp_send('127.0.0.1', d.port,
                            ht.make_query('slow%d.proto.test' % i, id=100 + i).to_wire())
            self.addCleanup(s.close)
            socks.append(s)
            if i < 2:
                # Make sure the first two hold the slots before the third.
                self.assertEqual(up.wait_for(i + 1, timeout=1), i + 1)
        time.sleep(0.05)
        start = time.monotonic()
        raw = ht.udp_recv(socks[2], 1.5)
        self.assertIsNotNone(raw, 'third query over dns-forward-max not answered at once')
        r = ht.parse(raw)
        self.assertEqual(r.id, 102)
        self.assertRcode(r, 'REFUSED')
        self.assertLess(time.monotonic() - start, 1.5)
        for i in range(2):
            r = ht.parse(ht.udp_recv(socks[i], 4))
            self.assertEqual(r.id, 100 + i)
            self.assertEqual(ht.answer_texts(r), ['192.0.2.%d' % (90 + i)])
        self.assertEqual(up.count('slow2.proto.test'), 0)
        # Once the slots are free, queries are forwarded again.
        up.handler = None
        r = d.query('slow2.proto.test')
        self.assertEqual(ht.answer_texts(r), ['192.0.2.92'])


if __name__ == '__main__':
    ht.main()
