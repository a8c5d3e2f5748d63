"""Behaviour tests for signals, the watched resolv file and sd_notify.

SIGHUP clears the cache and re-reads the resolv file but not the
configuration, and does not lose queries in flight; the resolv file is also
watched (unless --no-poll); SIGUSR1 logs cache and server statistics;
SIGTERM and SIGINT stop the daemon with status 0; under systemd the daemon
reports READY/RELOADING/STOPPING and keeps the watchdog fed.  Start-up and
process-model tests are in test_process.py.
"""

import os
import re
import signal
import socket
import time

import hearthtest
import proc_util as pu
from hearthtest import DEFAULT, Delay, HearthTestCase, dnsmasq_differs, main

ADDRESS_A = '192.0.2.1'
ADDRESS_B = '192.0.2.2'


def port_is_free(port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
        finally:
            s.close()
    return True


class TestSighup(HearthTestCase):

    def test_sighup_clears_cache(self):
        up = self.upstream()
        up.add('cached.example.', 'A', 300, ADDRESS_A)
        d = self.daemon('--server=' + up.server_arg)
        for _ in range(2):
            self.assertEqual(pu.a_records(d.query('cached.example.')), [ADDRESS_A])
        self.assertEqual(up.count('cached.example.'), 1, 'answer not cached to begin with')
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 2.0
        while up.count('cached.example.') < 2 and time.monotonic() < deadline:
            self.assertEqual(pu.a_records(d.query('cached.example.')), [ADDRESS_A])
            time.sleep(0.05)
        self.assertEqual(up.count('cached.example.'), 2, 'cache not cleared by SIGHUP')
        self.assertTrue(d.running())

    def test_sighup_does_not_reread_config(self):
        up_a = self.upstream(handler=pu.answer_everything(ADDRESS_A))
        up_b = self.upstream(handler=pu.answer_everything(ADDRESS_B))
        tmp = pu.make_tmpdir(self)
        conf = pu.write_file(os.path.join(tmp, 'hearth.conf'),
                             'server=%s\n' % up_a.server_arg)
        d = self.daemon('--conf-file=' + conf)
        self.assertEqual(pu.a_records(d.query('before.example.')), [ADDRESS_A])
        pu.write_file(conf, 'server=%s\n' % up_b.server_arg)
        d.signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertEqual(pu.a_records(d.query('after.example.')), [ADDRESS_A],
                         'SIGHUP re-read the configuration file')
        self.assertEqual(up_b.count(), 0)

    def test_query_in_flight_survives_sighup(self):
        def handler(query, proto, raw, addr):
            if query.question[0].name.labels[0].lower().startswith(b'slow'):
                return Delay(500)
            return DEFAULT
        up = self.upstream(handler=handler)
        up.add('slow.example.', 'A', 300, ADDRESS_A)
        d = self.daemon('--server=' + up.server_arg)
        q = hearthtest.make_query('slow.example.', 'A')
        s = hearthtest.udp_send('127.0.0.1', d.port, q.to_wire())
        self.addCleanup(s.close)
        self.assertEqual(up.wait_for(1, 2.0, name='slow.example.'), 1)
        d.signal(signal.SIGHUP)
        wire = hearthtest.udp_recv(s, 4.0)
        self.assertIsNotNone(wire, 'query in flight during SIGHUP got no answer')
        msg = hearthtest.parse(wire)
        self.assertEqual(msg.id, q.id)
        self.assertEqual(pu.a_records(msg), [ADDRESS_A])
        self.assertTrue(d.running())


class TestOtherSignals(HearthTestCase):

    def test_sigusr1_logs_statistics(self):
        up = self.upstream(handler=pu.answer_everything(ADDRESS_A))
        d = self.daemon('--server=' + up.server_arg)
        d.query('stats.example.')
        before = len(d.stderr_text())
        d.signal(signal.SIGUSR1)
        deadline = time.monotonic() + 2.0
        new = ''
        while time.monotonic() < deadline:
            new = d.stderr_text()[before:]
            if re.search(r'cache', new, re.I) and str(up.port) in new:
                break
            time.sleep(0.05)
        self.assertRegex(new, re.compile('cache', re.I), 'no cache statistics after SIGUSR1')
        # Server statistics name the server (dnsmasq: "server 127.0.0.1#PORT: ...").
        self.assertIn(str(up.port), new, 'no statistics for the upstream server')
        self.assertTrue(d.running())
        self.assertEqual(pu.a_records(d.query('after-stats.example.')), [ADDRESS_A])

    def stop_with(self, sig, extra=()):
        up = self.upstream(handler=pu.answer_everything(ADDRESS_A))
        port = pu.free_port()
        tmp = pu.make_tmpdir(self)
        argv = [pu.binary(), '-k', '--conf-file=/dev/null', '--no-resolv',
                '--port=%d' % port, '--listen-address=127.0.0.1',
                '--server=' + up.server_arg, '--pid-file=' + os.path.join(tmp, 'pid')]
        argv += list(extra) + pu.reference_args()
        p = pu.spawn(self, argv)
        self.assertTrue(pu.wait_serving(port, 5.0, is_alive=p.running), p.describe())
        self.assertEqual(pu.a_records(pu.ask(port, 'x.example.', timeout=3.0)), [ADDRESS_A])
        p.signal(sig)
        code = p.wait(5.0)
        self.assertIsNotNone(code, 'still running 5 s after %s' % sig.name)
        self.assertEqual(code, 0, p.describe())
        self.assertFalse(pu.alive(p.pid))
        self.assertTrue(port_is_free(port), 'port still bound after exit')

    def test_sigterm_exits_0(self):
        self.stop_with(signal.SIGTERM)

    @dnsmasq_differs('dnsmasq ignores SIGINT unless in debug mode (-d)')
    def test_sigint_exits_0(self):
        self.stop_with(signal.SIGINT)

    @dnsmasq_differs('dnsmasq exits 5 on SIGINT in debug mode')
    def test_sigint_exits_0_in_debug_mode(self):
        self.stop_with(signal.SIGINT, extra=['-d'])


class TestResolvFile(HearthTestCase):
    """The resolv file has no port syntax, so the two upstreams listen on
    port 53 of random 127/8 addresses (root only)."""

    def setUp(self):
        super().setUp()
        self.up_a = pu.bind_port53_upstream(self, ADDRESS_A)
        self.up_b = pu.bind_port53_upstream(self, ADDRESS_B)
        self.dir = pu.make_tmpdir(self)
        self.resolv = os.path.join(self.dir, 'resolv.conf')
        self.write_resolv(self.up_a, rename=False)
        self.port = pu.free_port()
        self.serial = 0

    def write_resolv(self, up, rename=True):
        text = '# written by a test\nnameserver %s\n' % up.addr
        if rename:
            # How resolvconf and NetworkManager replace it.
            tmp = self.resolv + '.new'
            pu.write_file(tmp, text)
            os.rename(tmp, self.resolv)
        else:
            with open(self.resolv, 'w') as f:
                f.write(text)

    def start(self, *extra):
        argv = [pu.binary(), '-k', '--conf-file=/dev/null', '--resolv-file=' + self.resolv,
                '--port=%d' % self.port, '--listen-address=127.0.0.1',
                '--pid-file=' + os.path.join(self.dir, 'pid')]
        p = pu.spawn(self, argv + list(extra) + pu.reference_args())
        self.assertTrue(pu.wait_serving(self.port, 5.0, is_alive=p.running), p.describe())
        self.assertEqual(self.answer(), ADDRESS_A, p.describe())
        return p

    def answer(self):
        # A fresh name every time: the cache must not hide a switch.
        self.serial += 1
        msg = pu.ask(self.port, 'q%d.resolv.example.' % self.serial, timeout=2.0)
        addrs = pu.a_records(msg)
        return addrs[0] if addrs else None

    def wait_switch(self, timeout):
        deadline = time.monotonic() + timeout
        got = None
        while time.monotonic() < deadline:
            got = self.answer()
            if got == ADDRESS_B:
                return True
            time.sleep(0.1)
        return False

    def test_change_by_rename_picked_up_without_signal(self):
        p = self.start()
        self.write_resolv(self.up_b, rename=True)
        self.assertTrue(self.wait_switch(3.0), 'new resolv file not used within 3 s:\n'
                        + p.describe())

    def test_change_in_place_picked_up_without_signal(self):
        p = self.start()
        time.sleep(1.1)     # a new mtime second, for pollers that look at it
        self.write_resolv(self.up_b, rename=False)
        self.assertTrue(self.wait_switch(3.0), 'rewritten resolv file not used within 3 s:\n'
                        + p.describe())

    def test_no_poll_needs_sighup(self):
        p = self.start('--no-poll')
        # dnsmasq re-reads on SIGHUP only when the mtime changed, in whole
        # seconds; a rewrite in the same second as the first write is
        # covered by the watched-rename test instead.
        time.sleep(1.1)
        self.write_resolv(self.up_b, rename=True)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            self.assertEqual(self.answer(), ADDRESS_A, '--no-poll still watched the file')
            time.sleep(0.2)
        p.signal(signal.SIGHUP)
        self.assertTrue(self.wait_switch(2.0), 'SIGHUP did not re-read the resolv file:\n'
                        + p.describe())


@dnsmasq_differs('dnsmasq does not speak sd_notify')
class TestSdNotify(HearthTestCase):

    def start(self, env=None):
        self.dir = pu.make_tmpdir(self)
        self.listener = pu.NotifyListener(self.dir)
        self.addCleanup(self.listener.close)
        up = self.upstream(handler=pu.answer_everything(ADDRESS_A))
        self.port = pu.free_port()
        argv = [pu.binary(), '-k', '--conf-file=/dev/null', '--no-resolv',
                '--port=%d' % self.port, '--listen-address=127.0.0.1',
                '--server=' + up.server_arg,
                '--pid-file=' + os.path.join(self.dir, 'pid')] + pu.reference_args()
        full_env = {'NOTIFY_SOCKET': self.listener.path}
        full_env.update(env or {})
        p = pu.spawn(self, argv, env=full_env)
        ready = self.listener.wait_for('READY', '1', timeout=5.0)
        self.assertIsNotNone(ready, 'no READY=1:\n%s\n%s'
                             % (self.listener.snapshot(), p.describe()))
        # READY means serving: an immediate query is answered.
        self.assertEqual(pu.a_records(pu.ask(self.port, 'ready.example.', timeout=2.0)),
                         [ADDRESS_A])
        return p, ready

    def test_ready_reloading_stopping(self):
        p, ready = self.start()
        p.signal(signal.SIGHUP)
        reloading = self.listener.wait_for('RELOADING', '1', start=ready + 1, timeout=3.0)
        self.assertIsNotNone(reloading, 'no RELOADING=1 after SIGHUP: %s'
                             % self.listener.snapshot())
        again = self.listener.wait_for('READY', '1', start=reloading + 1, timeout=3.0)
        self.assertIsNotNone(again, 'no READY=1 after RELOADING=1: %s'
                             % self.listener.snapshot())
        p.signal(signal.SIGTERM)
        stopping = self.listener.wait_for('STOPPING', '1', start=again + 1, timeout=3.0)
        self.assertIsNotNone(stopping, 'no STOPPING=1 on SIGTERM: %s'
                             % self.listener.snapshot())
        self.assertEqual(p.wait(5.0), 0, p.describe())
        self.assertTrue(any('STATUS' in m for _, m in self.listener.snapshot()),
                        'no STATUS= ever sent')

    def test_watchdog(self):
        # systemd kills a service whose pings are further apart than
        # WATCHDOG_USEC; the daemon should ping every WATCHDOG_USEC/2.
        p, ready = self.start(env={'WATCHDOG_USEC': '400000'})
        t_ready = self.listener.snapshot()[ready][0]
        time.sleep(1.5)
        pings = [t for t, m in self.listener.snapshot()
                 if m.get('WATCHDOG') == '1' and t >= t_ready]
        self.assertGreaterEqual(len(pings), 2, 'WATCHDOG=1 sent %d times in 1.5 s'
                                % len(pings))
        gaps = [b - a for a, b in zip([t_ready] + pings, pings + [time.monotonic()])]
        # Pings are due every 0.2 s; 0.33 s leaves room for scheduling
        # jitter but not for a period of WATCHDOG_USEC itself.
        self.assertLess(max(gaps), 0.33, 'watchdog gap of %.2f s: pings not sent every '
                        'WATCHDOG_USEC/2' % max(gaps))
        self.assertEqual(p.stop(), 0, p.describe())

    def test_no_watchdog_pings_for_another_pid(self):
        # WATCHDOG_PID names the process the watchdog applies to; when it is
        # not us, sd_watchdog_enabled() says no and nothing is sent.
        p, ready = self.start(env={'WATCHDOG_USEC': '400000', 'WATCHDOG_PID': '1'})
        time.sleep(1.0)
        pings = [m for _, m in self.listener.snapshot() if m.get('WATCHDOG') == '1']
        self.assertEqual(pings, [])
        self.assertEqual(p.stop(), 0, p.describe())


if __name__ == '__main__':
    main()
