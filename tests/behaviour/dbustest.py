"""A private D-Bus bus for behaviour tests.

PrivateBus starts its own dbus-daemon on a Unix socket in a temporary
directory, with a permissive policy (any user may connect, own any name and
call anything), so the checks a test sees are hearth's own and never the
bus's.  It can be stopped and started again at the same address, to test
that hearthd follows a bus that goes away and comes back.

Nothing here talks to the machine's system or session bus.
"""

import os
import shutil
import subprocess
import tempfile
import time

DBUS_DAEMON = shutil.which('dbus-daemon') or '/usr/bin/dbus-daemon'

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>hearth-test</type>
  <listen>unix:path=%(socket)s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
  <limit name="reply_timeout">60000</limit>
</busconfig>
"""


def have_dbus_daemon():
    return os.path.exists(DBUS_DAEMON)


class PrivateBus:
    """A dbus-daemon of the test's own.  .address is the bus address to
    give hearthd (--dbus-address=...) and clients (gdbus --address=...,
    busctl --address=..., DBUS_SESSION_BUS_ADDRESS)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='hearth-bus-')
        # Unprivileged callers (tests switch to uid 65534) must reach the
        # socket.
        os.chmod(self.dir, 0o755)
        self.socket = os.path.join(self.dir, 'bus')
        self.address = 'unix:path=' + self.socket
        self.config = os.path.join(self.dir, 'bus.conf')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(_CONFIG % {'socket': self.socket})
        self.proc = None
        self.start()

    def start(self, timeout=5.0):
        if self.proc is not None and self.proc.poll() is None:
            return
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self.proc = subprocess.Popen(
            [DBUS_DAEMON, '--config-file=' + self.config, '--nofork', '--nopidfile'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None:
                raise RuntimeError('dbus-daemon exited: %s'
                                   % self.proc.stderr.read().decode('utf-8', 'replace'))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('dbus-daemon did not create %s' % self.socket)
            time.sleep(0.02)
        os.chmod(self.socket, 0o777)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
        self.proc.stderr.close()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def env(self):
        """Environment for client tools: the bus as the session bus."""
        env = dict(os.environ)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.address
        env.pop('DBUS_SYSTEM_BUS_ADDRESS', None)
        return env

    def gdbus(self, *args, check=True, timeout=10, user=None):
        """Runs `gdbus ARGS --address=ADDR` (args after the subcommand);
        returns CompletedProcess with text output.  user=65534 runs it as
        that uid/gid (the test must be root)."""
        argv = ['gdbus', args[0], '--address', self.address] + [str(a) for a in args[1:]]
        return self._run(argv, check, timeout, user)

    def busctl(self, *args, check=True, timeout=10, user=None):
        argv = ['busctl', '--address=' + self.address] + [str(a) for a in args]
        return self._run(argv, check, timeout, user)

    def _run(self, argv, check, timeout, user):
        preexec = None
        if user is not None:
            def preexec():
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
        return subprocess.run(argv, capture_output=True, text=True, check=check,
                              timeout=timeout, env=self.env(), preexec_fn=preexec)
