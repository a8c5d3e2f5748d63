"""Behaviour tests for the process model.

Foreground versus daemonizing (native hearthd stays in the foreground;
as `dnsmasq` it daemonizes unless -k/-d, and the launcher exits only once
the pid file exists), the pid file, exit codes for start-up failures,
dropping privileges with --user/--group, NetworkManager's exact command
line, and systemd socket activation.  Signals and sd_notify are in
test_signals.py; configuration checking in test_config_cli.py.
"""

import os
import signal
import socket
import time
import unittest

import proc_util as pu
from hearthtest import HearthTestCase, dnsmasq_differs, main

UPSTREAM_ADDRESS = '192.0.2.77'


class ProcessTestCase(HearthTestCase):

    def setUp(self):
        super().setUp()
        self.dir = pu.make_tmpdir(self)
        self.pidfile = os.path.join(self.dir, 'hearthd.pid')
        self.up = self.upstream(handler=pu.answer_everything(UPSTREAM_ADDRESS))
        self.port = pu.free_port()
        # Whatever happens, a daemon that wrote our pid file dies with the
        # test.  The temporary directory is in its command line, which is
        # how kill_tracked() knows the pid is still ours.
        self.addCleanup(self._kill_pidfile_owner)

    def _kill_pidfile_owner(self):
        pu.kill_pidfile_owner(self.pidfile, self.dir)

    def args(self, foreground=True, daemonizing=False):
        a = ['--conf-file=/dev/null', '--no-resolv', '--port=%d' % self.port,
             '--listen-address=127.0.0.1', '--server=127.0.0.1#%d' % self.up.port,
             '--pid-file=' + self.pidfile]
        if foreground:
            a.insert(0, '-k')
        return a + pu.reference_args(daemonizing=daemonizing)

    def assertForwards(self, port=None, name='fwd.example.', tcp=False):
        msg = pu.ask(port or self.port, name, tcp=tcp, timeout=3.0)
        self.assertIsNotNone(msg, 'no answer to %s' % name)
        self.assertEqual(pu.a_records(msg), [UPSTREAM_ADDRESS])

    def start_foreground(self, argv):
        p = pu.spawn(self, argv)
        ok = pu.wait_serving(self.port, 5.0, is_alive=p.running)
        self.assertTrue(ok, 'not serving within 5 s:\n' + p.describe())
        return p


class TestForeground(ProcessTestCase):

    @dnsmasq_differs('dnsmasq daemonizes unless -k or -d is given')
    def test_native_stays_in_foreground_by_default(self):
        p = self.start_foreground([pu.binary()] + self.args(foreground=False))
        time.sleep(0.2)
        self.assertTrue(p.running(), 'hearthd left the foreground')
        self.assertEqual(pu.read_pid_file(self.pidfile), p.pid)
        self.assertForwards()
        self.assertEqual(p.stop(), 0, p.describe())

    def test_pid_file_names_the_process(self):
        p = self.start_foreground([pu.binary()] + self.args())
        self.assertEqual(pu.read_pid_file(self.pidfile), p.pid)
        self.assertEqual(p.stop(), 0, p.describe())

    def test_dnsmasq_name_with_k_or_d_stays_in_foreground(self):
        link = pu.dnsmasq_link(self.dir)
        for flag in ('-k', '--keep-in-foreground', '-d', '--no-daemon'):
            with self.subTest(flag=flag):
                # A port and pid file of its own, so that one failing
                # variant cannot break the next.
                self.port = pu.free_port()
                if os.path.exists(self.pidfile):
                    os.unlink(self.pidfile)
                argv = [link, flag] + self.args(foreground=False)
                p = self.start_foreground(argv)
                time.sleep(0.2)
                self.assertTrue(p.running(), '%s: left the foreground' % flag)
                # dnsmasq's debug mode (-d) writes no pid file, so only -k
                # is held to it.
                if flag in ('-k', '--keep-in-foreground'):
                    self.assertEqual(pu.read_pid_file(self.pidfile), p.pid)
                self.assertForwards()
                self.assertEqual(p.stop(), 0, p.describe())

    def test_port_in_use_exits_2(self):
        blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(blocker.close)
        blocker.bind(('127.0.0.1', self.port))
        for name, argv in (('native', [pu.binary()] + self.args()),
                           ('dnsmasq -k', [pu.dnsmasq_link(self.dir)] + self.args())):
            with self.subTest(mode=name):
                p = pu.spawn(self, argv)
                code = p.wait(5.0)
                self.assertEqual(code, 2, p.describe())
                self.assertRegex(p.output().lower(), r'in use|address|bind|port',
                                 'no useful message:\n' + p.describe())

    def test_unknown_user_is_config_error(self):
        argv = [pu.binary()] + self.args() + ['--user=no-such-user-hearth']
        p = pu.spawn(self, argv)
        code = p.wait(5.0)
        self.assertEqual(code, 1, 'dnsmasq exits 1 (config problem) here:\n' + p.describe())
        self.assertIn('no-such-user-hearth', p.output())


class TestDnsmasqMode(ProcessTestCase):

    def version_first_line(self, argv):
        code, out, err = pu.run(argv)
        self.assertEqual(code, 0, out + err)
        return out.splitlines()[0] if out else ''

    def test_version_as_dnsmasq_symlink(self):
        line = self.version_first_line([pu.dnsmasq_link(self.dir), '--version'])
        self.assertTrue(line.startswith('Dnsmasq version 2.90'), line)

    @dnsmasq_differs('dnsmasq has no --dnsmasq-compat option')
    def test_version_with_compat_flag(self):
        line = self.version_first_line([pu.binary(), '--dnsmasq-compat', '--version'])
        self.assertTrue(line.startswith('Dnsmasq version 2.90'), line)

    def daemonize_and_check(self, argv):
        launcher = pu.spawn(self, argv)
        code = launcher.wait(10.0)
        self.assertEqual(code, 0, 'launcher did not exit 0:\n' + launcher.describe())
        # The pid file must exist the moment the launcher is gone.
        pid = pu.read_pid_file(self.pidfile)
        self.assertIsNotNone(pid, 'no pid file when the launcher exited')
        pu.adopt_daemon(self, pid, self.dir)
        self.assertNotEqual(pid, launcher.pid)
        self.assertTrue(pu.alive(pid), 'pid file names a dead process %d' % pid)
        self.assertTrue(pu.wait_serving(self.port, 5.0, is_alive=lambda: pu.alive(pid)),
                        'daemon %d does not answer DNS:\n%s' % (pid, launcher.describe()))
        self.assertForwards()
        # Detached: no longer in the launcher's session.
        self.assertNotEqual(os.getsid(pid), os.getsid(0))
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(pu.wait_gone(pid, 5.0), 'daemon %d ignored SIGTERM' % pid)

    def test_daemonizes_as_dnsmasq_symlink(self):
        argv = [pu.dnsmasq_link(self.dir)] + self.args(foreground=False, daemonizing=True)
        self.daemonize_and_check(argv)

    @dnsmasq_differs('dnsmasq has no --dnsmasq-compat option')
    def test_daemonizes_with_compat_flag(self):
        argv = [pu.binary(), '--dnsmasq-compat'] + self.args(foreground=False, daemonizing=True)
        self.daemonize_and_check(argv)

    def test_daemon_releases_launcher_stdio(self):
        # libvirt's virCommandRun captures the launcher's stdout and stderr
        # through pipes and reads them to EOF before it looks at the exit
        # status: a daemon that keeps them open hangs the network start.
        argv = [pu.dnsmasq_link(self.dir)] + self.args(foreground=False, daemonizing=True)
        code, output = pu.run_like_vircommandrun(argv, pu.child_env(), self.pidfile, self.dir)
        if code is None:
            self.fail('launcher stdout/stderr still open 10 s after start, %s '
                      '(the daemon kept the launcher\'s stdio)' % output)
        self.assertEqual(code, 0, output)
        pid = pu.read_pid_file(self.pidfile)
        self.assertIsNotNone(pid)
        pu.adopt_daemon(self, pid, self.dir)
        self.assertTrue(pu.wait_serving(self.port, 5.0, is_alive=lambda: pu.alive(pid)))

    def test_daemonize_failure_reaches_launcher(self):
        # A daemon that cannot start must make the launcher fail with its
        # exit code: libvirt only sees the launcher's status.
        blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(blocker.close)
        blocker.bind(('127.0.0.1', self.port))
        argv = [pu.dnsmasq_link(self.dir)] + self.args(foreground=False, daemonizing=True)
        p = pu.spawn(self, argv)
        code = p.wait(10.0)
        self.assertEqual(code, 2, p.describe())


@unittest.skipUnless(os.geteuid() == 0, 'needs root')
class TestPrivileges(ProcessTestCase):

    @staticmethod
    def ids(pid, field):
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return [int(x) for x in line.split()[1:]]
        return None

    def test_user_and_group_dropped(self):
        argv = [pu.binary()] + self.args() + ['--user=nobody', '--group=nogroup']
        p = self.start_foreground(argv)
        # Root is needed for nothing after start-up: every uid and gid
        # (real, effective, saved, filesystem) must be nobody's.
        self.assertEqual(self.ids(p.pid, 'Uid'), [65534] * 4)
        self.assertEqual(self.ids(p.pid, 'Gid'), [65534] * 4)
        self.assertEqual(self.ids(p.pid, 'Groups') or [], [],
                         'supplementary groups of root kept')
        # Forwarding opens new upstream sockets after the drop.
        self.assertForwards(name='after-drop.example.')
        self.assertForwards(name='after-drop-tcp.example.', tcp=True)
        self.assertEqual(p.stop(), 0, p.describe())


class TestNetworkManager(ProcessTestCase):
    """NetworkManager spawns dnsmasq with a fixed argv, tracks the child pid
    directly (no daemonizing), sets servers over D-Bus and stops it with
    SIGTERM, sending SIGKILL after 1 s (CONTRACT.md section 1)."""

    def nm_conf_dir(self):
        # Stands in for /etc/NetworkManager/dnsmasq.d; users put ordinary
        # directives there, here the upstream to use.
        d = os.path.join(self.dir, 'dnsmasq.d')
        os.mkdir(d)
        os.chmod(d, 0o755)
        pu.write_file(os.path.join(d, 'upstream.conf'), 'server=127.0.0.1#%d\n' % self.up.port)
        return d

    def run_nm(self, argv):
        p = self.start_foreground(argv)
        time.sleep(0.2)
        self.assertTrue(p.running(), 'left the foreground:\n' + p.describe())
        self.assertEqual(pu.read_pid_file(self.pidfile), p.pid)
        self.assertForwards()
        with open('/proc/%d/cmdline' % p.pid, 'rb') as f:
            self.assertIn(b'/dnsmasq', f.read(),
                          'NM recognises a stale instance by /dnsmasq in its cmdline')
        p.signal(signal.SIGTERM)
        code = p.wait(1.0)
        self.assertEqual(code, 0, 'not stopped cleanly within 1 s of SIGTERM:\n'
                         + p.describe())
        return p

    def test_nm_1_42_argv(self):
        link = pu.dnsmasq_link(self.dir)
        argv = [link, '--no-resolv', '--keep-in-foreground', '--no-hosts',
                '--bind-interfaces', '--pid-file=' + self.pidfile,
                '--listen-address=127.0.0.1', '--cache-size=400', '--clear-on-reload',
                '--conf-file=/dev/null', '--proxy-dnssec',
                '--enable-dbus=org.freedesktop.NetworkManager.dnsmasq',
                '--conf-dir=' + self.nm_conf_dir(), '--port=%d' % self.port]
        self.run_nm(argv)

    def test_nm_current_argv(self):
        if not os.path.exists('/proc/net/if_inet6'):
            self.skipTest('no IPv6')
        link = pu.dnsmasq_link(self.dir)
        argv = [link, '--no-resolv', '--keep-in-foreground', '--no-hosts',
                '--bind-dynamic', '--pid-file=' + self.pidfile,
                '--listen-address=127.0.0.1', '--listen-address=::1',
                '--cache-size=400', '--clear-on-reload', '--conf-file=/dev/null',
                '--enable-dbus=org.freedesktop.NetworkManager.dnsmasq',
                '--conf-dir=' + self.nm_conf_dir(), '--port=%d' % self.port]
        p = pu.spawn(self, argv)
        self.assertTrue(pu.wait_serving(self.port, 5.0, is_alive=p.running), p.describe())
        msg = pu.ask(self.port, 'v6-listener.example.', addr='::1', timeout=3.0)
        self.assertIsNotNone(msg, 'no answer on ::1:\n' + p.describe())
        self.assertEqual(pu.a_records(msg), [UPSTREAM_ADDRESS])
        p.signal(signal.SIGTERM)
        self.assertEqual(p.wait(1.0), 0, p.describe())


class TestSocketActivation(ProcessTestCase):
    """systemd passes bound sockets (LISTEN_FDS/LISTEN_PID); hearthd must
    serve on them and open none of its own."""

    def setUp(self):
        super().setUp()
        self.activate = '/usr/bin/systemd-socket-activate'
        if not os.path.exists(self.activate):
            self.skipTest('systemd-socket-activate not installed')
        # self.port is the --port hearthd is told about; it must stay free.
        self.passed_port = pu.free_port()

    def run_activated(self, tcp):
        argv = [self.activate]
        if not tcp:
            argv.append('--datagram')
        argv += ['-l', '127.0.0.1:%d' % self.passed_port, pu.binary()] + self.args()
        p = pu.spawn(self, argv)
        # systemd-socket-activate execs the daemon (same pid) on the first
        # packet or connection, which stays queued for the daemon to read.
        deadline = time.monotonic() + 6.0
        msg = None
        while msg is None and time.monotonic() < deadline and p.running():
            msg = pu.ask(self.passed_port, 'activated.example.', tcp=tcp, timeout=1.0)
        self.assertIsNotNone(msg, 'no answer on the passed socket:\n' + p.describe())
        self.assertEqual(pu.a_records(msg), [UPSTREAM_ADDRESS])
        self.assertForwards(port=self.passed_port, name='second.example.', tcp=tcp)
        # Its own port stays unopened: no answer there, and we can bind it.
        self.assertIsNone(pu.ask(self.port, 'own-port.example.', timeout=0.5))
        self.assertIsNone(pu.ask(self.port, 'own-port.example.', tcp=True, timeout=0.5))
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(('127.0.0.1', self.port))
            except OSError as e:
                self.fail('--port %d was bound although sockets were passed: %s'
                          % (self.port, e))
            finally:
                s.close()
        self.assertEqual(p.stop(), 0, p.describe())

    @dnsmasq_differs('dnsmasq does not support socket activation')
    def test_udp_socket_passed(self):
        self.run_activated(tcp=False)

    @dnsmasq_differs('dnsmasq does not support socket activation')
    def test_tcp_socket_passed(self):
        self.run_activated(tcp=True)


if __name__ == '__main__':
    main()
