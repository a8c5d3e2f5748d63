"""Behaviour tests for the dnsmasq drop-in contract as libvirt uses it.

libvirt probes `dnsmasq --version`, writes a 0600 config file, runs
`dnsmasq --conf-file=X --leasefile-ro --dhcp-script=H` through
virCommandRun (stdout/stderr captured through pipes, read to EOF), expects
the launcher to exit 0 only once the pid file named in the config exists,
later checks that pid against the binary, sends SIGHUP to refresh and
SIGTERM to stop, and restarts with the same pid file (CONTRACT.md section
3).  These tests replay that sequence against a `dnsmasq` symlink to the
binary under test.  NetworkManager's command lines are in test_process.py;
`--test` of libvirt's saved configs is in test_config_cli.py.
"""

import os
import re
import signal
import time

import proc_util as pu
from hearthtest import HearthTestCase, REFERENCE, main

UPSTREAM_ADDRESS = '192.0.2.53'


def sockets_of(pid):
    """(proto, local address in /proc hex form, local port) of every
    IPv4/IPv6 UDP socket and listening TCP socket the process holds."""
    inodes = set()
    fd_dir = '/proc/%d/fd' % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r'socket:\[(\d+)\]', target)
        if m:
            inodes.add(m.group(1))
    found = set()
    for proto, table in (('udp', 'udp'), ('udp', 'udp6'), ('tcp', 'tcp'), ('tcp', 'tcp6')):
        try:
            with open('/proc/%d/net/%s' % (pid, table)) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if inode not in inodes:
                continue
            if proto == 'tcp' and state != '0A':        # LISTEN
                continue
            addr, port = local.rsplit(':', 1)
            found.add((proto, addr, int(port, 16)))
    return found


class LibvirtTestCase(HearthTestCase):

    def setUp(self):
        super().setUp()
        self.dir = pu.make_tmpdir(self, 'hearth-libvirt-')
        self.link = pu.dnsmasq_link(self.dir)
        self.pidfile = os.path.join(self.dir, 'default.pid')
        self.up = self.upstream(handler=pu.answer_everything(UPSTREAM_ADDRESS))
        self.port = pu.free_port()
        self.helper = pu.write_file(os.path.join(self.dir, 'leaseshelper'),
                                    '#!/bin/sh\nexit 0\n', mode=0o755)
        for name in ('default.hostsfile', 'default.addnhosts'):
            pu.write_file(os.path.join(self.dir, name), '')
        self.addCleanup(self._kill_pidfile_owner)

    def _kill_pidfile_owner(self):
        pu.kill_pidfile_owner(self.pidfile, self.dir)

    def write_conf(self, port=None, extra=()):
        """A config shaped like libvirt's networkDnsmasqConfContents output,
        listening on loopback instead of a bridge."""
        lines = [
            '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE',
            '##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:',
            '##    virsh net-edit default',
            '## or other application using the libvirt API.',
            '##',
            '## dnsmasq conf file created by libvirt',
            'strict-order',
            'port=%d' % (self.port if port is None else port),
            'server=127.0.0.1#%d' % self.up.port,
            'no-resolv',
            'pid-file=' + self.pidfile,
            'bind-dynamic',
            'listen-address=127.0.0.1',
            'dhcp-no-override',
            'dhcp-authoritative',
            'dhcp-lease-max=253',
            'dhcp-hostsfile=' + os.path.join(self.dir, 'default.hostsfile'),
            'addn-hosts=' + os.path.join(self.dir, 'default.addnhosts'),
        ]
        lines += list(extra)
        if REFERENCE:
            lines.append('no-hosts')
        # libvirt writes it 0600, root-owned.
        return pu.write_file(os.path.join(self.dir, 'default.conf'),
                             ''.join(l + '\n' for l in lines), mode=0o600)

    def vir_command_run(self, conf):
        """Start as libvirt's networkStartDhcpDaemon does and return
        (exit status, captured output).  virCommandRun reads the launcher's
        stdout and stderr to EOF before it reaps it."""
        argv = [self.link, '--conf-file=' + conf, '--leasefile-ro',
                '--dhcp-script=' + self.helper]
        code, output = pu.run_like_vircommandrun(argv, pu.child_env({'VIR_BRIDGE_NAME': 'virbr0'}),
                                                 self.pidfile, self.dir)
        if code is None:
            self.fail('virCommandRun would still be waiting after 10 s (%s)' % output)
        return code, output

    def start_network(self, conf):
        code, output = self.vir_command_run(conf)
        self.assertEqual(code, 0, output)
        pid = pu.read_pid_file(self.pidfile)
        self.assertIsNotNone(pid, 'no pid file once the launcher exited')
        pu.adopt_daemon(self, pid, self.dir)
        self.assertTrue(pu.alive(pid), 'pid file names a dead process')
        return pid

    def assertServes(self, name, pid):
        self.assertTrue(pu.wait_serving(self.port, 5.0, is_alive=lambda: pu.alive(pid)),
                        'daemon %d does not answer DNS' % pid)
        msg = pu.ask(self.port, name, timeout=3.0)
        self.assertEqual(pu.a_records(msg), [UPSTREAM_ADDRESS])

    def stop_network(self, pid):
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(pu.wait_gone(pid, 5.0), 'daemon %d survived SIGTERM' % pid)


class TestLibvirtProbe(LibvirtTestCase):

    def test_version_probe(self):
        # virdnsmasq.c: output must begin with "Dnsmasq version ", then
        # major.minor[.micro], at least 2.67.
        code, out, err = pu.run([self.link, '--version'])
        self.assertEqual(code, 0, out + err)
        self.assertTrue(out.startswith('Dnsmasq version '), out[:80])
        m = re.match(r'Dnsmasq version (\d+)\.(\d+)', out)
        self.assertIsNotNone(m, out[:80])
        self.assertGreaterEqual((int(m.group(1)), int(m.group(2))), (2, 67))

    def test_old_libvirt_probe_strings(self):
        # Older libvirt looked for these in --help and --version together.
        text = ''.join(pu.run([self.link, '--version'])[1:] + pu.run([self.link, '--help'])[1:])
        for s in ('--bind-dynamic', '--ra-param'):
            self.assertIn(s, text)


class TestLibvirtLifecycle(LibvirtTestCase):

    def test_start_refresh_stop(self):
        pid = self.start_network(self.write_conf())
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            self.assertIn(b'/dnsmasq', f.read())
        # virPidFileReadIfAlive: /proc/PID/exe must be the dnsmasq binary.
        exe, link = os.stat('/proc/%d/exe' % pid), os.stat(self.link)
        self.assertEqual((exe.st_dev, exe.st_ino), (link.st_dev, link.st_ino))
        self.assertServes('first.example.', pid)
        # networkRefreshDhcpDaemon: SIGHUP; the daemon carries on.
        self.assertServes('first.example.', pid)
        self.assertEqual(self.up.count('first.example.'), 1, 'not cached to begin with')
        os.kill(pid, signal.SIGHUP)
        time.sleep(0.3)
        self.assertTrue(pu.alive(pid), 'SIGHUP killed the daemon')
        self.assertServes('first.example.', pid)
        self.assertEqual(self.up.count('first.example.'), 2, 'cache not cleared by SIGHUP')
        self.stop_network(pid)

    def test_restart_reuses_pid_file(self):
        # A stale pid file from a crashed instance must simply be replaced.
        pu.write_file(self.pidfile, '999999\n')
        conf = self.write_conf()
        pid = self.start_network(conf)
        self.assertNotEqual(pid, 999999)
        self.assertServes('one.example.', pid)
        # networkRestartDhcpDaemon: kill, then a fresh start.
        self.stop_network(pid)
        pid2 = self.start_network(conf)
        self.assertNotEqual(pid2, pid)
        self.assertServes('two.example.', pid2)
        self.stop_network(pid2)

    def test_config_error_fails_the_launcher(self):
        conf = self.write_conf(extra=['foo=bar'])
        code, output = self.vir_command_run(conf)
        self.assertEqual(code, 1, output)
        pid = pu.read_pid_file(self.pidfile)
        self.assertTrue(pid is None or not pu.alive(pid), 'a daemon was left running')

    def test_port_zero_disables_dns(self):
        # libvirt writes port=0 for networks with DNS disabled.
        pid = self.start_network(self.write_conf(port=0))
        time.sleep(0.3)
        self.assertTrue(pu.alive(pid))
        # No listener at all: no listening TCP socket, no UDP socket on the
        # listen address (upstream query sockets would be on the wildcard).
        loopback = '0100007F'
        listeners = {s for s in sockets_of(pid)
                     if s[0] == 'tcp' or s[1] == loopback or s[2] in (self.port, 53)}
        self.assertEqual(listeners, set(), 'DNS listeners open with port=0')
        self.assertIsNone(pu.ask(self.port, 'x.example.', timeout=0.5))
        self.stop_network(pid)


if __name__ == '__main__':
    main()
