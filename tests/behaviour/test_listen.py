#!/usr/bin/python3
"""Behaviour tests: where the daemon listens.

--listen-address, --interface (which brings loopback along, as dnsmasq
does), --except-interface both for enumerated interfaces and for the
wildcard sockets (where the arrival interface is read from packet info),
and --port=0.  Only loopback addresses are queried.
"""

import socket
import time

import dns.message

import hearthtest as ht
from hearthtest import HearthTestCase


def answers(addr, port, timeout=1.0):
    """True when a query to addr#port gets any reply."""
    family = ht.family_of(addr)
    s = socket.socket(family, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(ht.make_query('host.listen.test').to_wire(), (addr, port))
        data, _ = s.recvfrom(4096)
        return dns.message.from_wire(data).id is not None
    except (socket.timeout, ConnectionRefusedError):
        return False
    finally:
        s.close()


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class ListenTest(HearthTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.up.add('host.listen.test', 'A', 300, '192.0.2.80')

    def start(self, *args):
        # listen=() so the harness adds no --listen-address of its own; wait
        # for the start-up message instead of a port.
        port = ht.free_port()
        d = self.daemon('--server=' + self.up.server_arg, '--port=%d' % port, *args, listen=(), wait=False)
        d.port = port
        self.assertTrue(wait_for(lambda: 'started' in d.stderr_text(), 5), d.stderr_text())
        self.assertNotIn('--listen-address', ' '.join(d.argv[:-len(args) or None]))
        return d

    def test_listen_address_only_that_address(self):
        d = self.start('--listen-address=127.0.0.1')
        self.assertTrue(answers('127.0.0.1', d.port))
        self.assertFalse(answers('::1', d.port), 'answered on ::1 without being asked to')
        self.assertFalse(answers('127.0.0.2', d.port), 'answered on 127.0.0.2')

    def test_listen_address_list(self):
        d = self.start('--listen-address=127.0.0.1,::1')
        self.assertTrue(answers('127.0.0.1', d.port))
        self.assertTrue(answers('::1', d.port))

    def test_interface_lo(self):
        d = self.start('--interface=lo')
        self.assertTrue(answers('127.0.0.1', d.port))
        self.assertTrue(answers('::1', d.port))

    def test_interface_brings_loopback(self):
        # An interface that does not exist: no address of its own, but
        # loopback comes along, and the missing one is reported.
        d = self.start('--interface=hearthnone0')
        self.assertTrue(answers('127.0.0.1', d.port))
        self.assertIn('hearthnone0', d.stderr_text())

    def test_except_interface_removes_loopback(self):
        d = self.start('--interface=hearthnone0', '--except-interface=lo')
        self.assertFalse(answers('127.0.0.1', d.port), 'answered on excluded loopback')
        # Excluded is not missing: only the named interface is reported.
        self.assertIn('interface hearthnone0 does not exist yet', d.stderr_text())
        self.assertNotIn('interface lo does not exist', d.stderr_text())

    def test_wildcard_except_interface(self):
        # No listen options: wildcard sockets, and the arrival interface is
        # checked per packet.
        d = self.start('--except-interface=lo')
        self.assertFalse(answers('127.0.0.1', d.port), 'answered on excluded loopback')

    def test_wildcard_answers_from_queried_address(self):
        d = self.start()
        # 127.0.0.2 is also loopback: the reply must come from 127.0.0.2,
        # or the client would not accept it.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        s.settimeout(2)
        s.sendto(ht.make_query('host.listen.test').to_wire(), ('127.0.0.2', d.port))
        _, src = s.recvfrom(4096)
        self.assertEqual(src[0], '127.0.0.2')

    def test_port_zero_serves_nothing(self):
        d = self.daemon('--server=' + self.up.server_arg, '--port=0', wait=False)
        self.assertTrue(wait_for(lambda: 'started' in d.stderr_text(), 5), d.stderr_text())
        self.assertTrue(d.running())


if __name__ == '__main__':
    ht.main()
