"""Process-level helpers for the process, config, signal and compat tests.

hearthtest.py covers the common case (a foreground daemon on a port, a
scripted upstream).  The tests using this module need more control over the
process itself: running the binary under another name (a `dnsmasq` symlink),
letting it daemonize and finding it again through its pid file, running it
under systemd-socket-activate, listening for sd_notify datagrams, and
running `--test`/`--help`/`--version` one-shots.  This module gives them
that, with a time bound on every wait.  It holds no tests, and it only ever
signals processes it started itself (by pid, after checking the pid still
runs one of our command lines).
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

import hearthtest
from hearthtest import REFERENCE, HEARTHD, free_port  # noqa: F401 (re-exported)

REFERENCE_BINARY = '/usr/sbin/dnsmasq'

# Variables a daemon reads from its environment to detect systemd; the
# test process might itself run under systemd, so children start without
# them unless a test sets them on purpose.
_SYSTEMD_VARS = ('NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES',
                 'WATCHDOG_USEC', 'WATCHDOG_PID', 'JOURNAL_STREAM', 'INVOCATION_ID')


def binary():
    return os.path.abspath(HEARTHD) if os.sep in HEARTHD else shutil.which(HEARTHD) or HEARTHD


def child_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in _SYSTEMD_VARS}
    env['LC_ALL'] = 'C'
    if extra:
        env.update(extra)
    return env


def reference_args(daemonizing=False):
    """Options that make Debian's dnsmasq behave like a test instance:
    no /etc/hosts, bound to the listen address only, and (in the
    foreground) logging to stderr as hearthd does."""
    if not REFERENCE:
        return []
    args = ['--no-hosts', '--bind-interfaces']
    if not daemonizing:
        args.append('--log-facility=-')
    return args


def make_tmpdir(testcase, prefix='hearth-proc-'):
    """A temporary directory removed at cleanup.  World-readable, so a
    daemon that dropped privileges (dnsmasq does by default as root) can
    still read the files the test puts there."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    testcase.addCleanup(shutil.rmtree, d, True)
    return d


def write_file(path, text, mode=0o644):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def dnsmasq_link(directory):
    """A symlink named `dnsmasq` to the binary under test, as a distro
    would install a drop-in.  Running it makes argv[0] end in /dnsmasq."""
    path = os.path.join(directory, 'dnsmasq')
    if not os.path.lexists(path):
        os.symlink(binary(), path)
    return path


def run(argv, timeout=10.0, env=None):
    """Run a one-shot command; returns (exit code, stdout, stderr).
    A hang is a test failure, not a stuck suite."""
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=child_env(env))
    return (p.returncode, p.stdout.decode('utf-8', 'replace'),
            p.stderr.decode('utf-8', 'replace'))


# --------------------------------------------------------------------------
# Process tracking: everything started here is killed at exit if still
# alive, including daemons that detached from us (known only by pid).

_started = {}     # pid -> marker string expected in /proc/PID/cmdline


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return None


def process_state(pid):
    """The state letter from /proc/PID/stat, or None if there is no such
    process."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            data = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces.
    return data[data.rindex(')') + 2:].split()[0]


def alive(pid):
    state = process_state(pid)
    return state is not None and state not in ('Z', 'X')


def wait_gone(pid, timeout=5.0):
    """True once pid has exited (a zombie counts as gone: whoever its
    parent is may be slow to reap it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return not alive(pid)


def track(pid, marker):
    _started[pid] = marker


def kill_tracked(pid):
    """SIGKILL pid if it is still one of ours (its command line still
    contains the marker), then forget it."""
    marker = _started.pop(pid, None)
    if marker is None or not alive(pid):
        return
    cmd = _cmdline(pid)
    if cmd is not None and marker in cmd:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_gone(pid, 2.0)


@atexit.register
def _kill_all_tracked():
    for pid in list(_started):
        kill_tracked(pid)


class Proc:
    """A process started by a test with its output in a temporary file (a
    pipe could fill up and block it, or be held open by a daemon child)."""

    def __init__(self, argv, env=None, executable=None):
        self.argv = [str(a) for a in argv]
        self._out = tempfile.TemporaryFile(prefix='hearth-proc-out-')
        self.proc = subprocess.Popen(self.argv, executable=executable,
                                     stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._out, env=child_env(env),
                                     preexec_fn=hearthtest._die_with_parent)
        self.pid = self.proc.pid
        track(self.pid, os.path.basename(self.argv[0]))

    def output(self):
        try:
            self._out.flush()
            self._out.seek(0)
            return self._out.read().decode('utf-8', 'replace')
        except ValueError:
            return ''

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.proc.poll() is None:
            os.kill(self.pid, sig)

    def wait(self, timeout=5.0):
        """The exit code, or None if still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=None, timeout=5.0):
        """Send sig (default SIGTERM) and wait; SIGKILL after timeout.
        Returns the exit code (negative if killed)."""
        if sig is None:
            sig = signal.SIGTERM
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            if self.wait(timeout) is None:
                self.proc.kill()
                self.proc.wait(3)
        _started.pop(self.pid, None)
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(3)
        _started.pop(self.pid, None)
        self._out.close()

    def describe(self):
        return '%s\n--- output ---\n%s--- end ---' % (' '.join(self.argv), self.output())


def spawn(testcase, argv, env=None):
    """Start argv (argv[0] is run as given, symlink names included) and
    make sure it is gone after the test."""
    p = Proc(argv, env=env)
    testcase.addCleanup(p.close)
    return p


def adopt_daemon(testcase, pid, marker):
    """Make sure a daemon that detached from us is killed after the test."""
    track(pid, marker)
    testcase.addCleanup(kill_tracked, pid)


def read_pid_file(path, timeout=0.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


# --------------------------------------------------------------------------
# DNS helpers

PROBE_NAME = 'ready-probe.hearth-test.'


def ask(port, name, rdtype='A', tcp=False, timeout=1.0, addr='127.0.0.1', id=None):
    """One query; the parsed reply (with a matching id) or None."""
    q = hearthtest.make_query(name, rdtype, id=id)
    wire = q.to_wire()
    if tcp:
        try:
            s = hearthtest.tcp_connect(addr, port, timeout)
        except OSError:
            return None
        try:
            hearthtest.tcp_send(s, wire)
            raw = hearthtest.tcp_recv(s, timeout)
        except OSError:
            raw = None
        finally:
            s.close()
    else:
        s = hearthtest.udp_send(addr, port, wire)
        try:
            raw = hearthtest.udp_recv(s, timeout)
        finally:
            s.close()
    if raw is None:
        return None
    try:
        msg = hearthtest.parse(raw)
    except Exception:
        return None
    return msg if msg.id == q.id else None


def wait_serving(port, timeout=5.0, tcp=False, is_alive=None, addr='127.0.0.1'):
    """Poll with a probe query until any reply comes (True) or timeout
    (False).  is_alive() returning False stops the wait early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_alive is not None and not is_alive():
            return False
        if ask(port, PROBE_NAME, tcp=tcp, timeout=0.3, addr=addr) is not None:
            return True
        time.sleep(0.05)
    return False


def a_records(msg):
    if msg is None:
        return []
    return sorted(rd.address for rrset in msg.answer
                  if rrset.rdtype == dns.rdatatype.A for rd in rrset)


def answer_everything(address, ttl=300):
    """A FakeUpstream handler that answers every A question with address
    (so a test can tell which upstream answered) and anything else with
    NOERROR/NODATA."""
    def handler(query, proto, raw, addr):
        resp = dns.message.make_response(query, recursion_available=True)
        q = query.question[0] if query.question else None
        if q is not None and q.rdtype == dns.rdatatype.A:
            rrset = dns.rrset.from_text(q.name, ttl, dns.rdataclass.IN, dns.rdatatype.A, address)
            resp.answer.append(rrset)
        return resp
    return handler


def bind_port53_upstream(testcase, address_text):
    """A FakeUpstream on port 53 of a random 127.x.y.z address (resolv.conf
    has no port syntax).  Skips the test when not root or when no such
    address can be bound."""
    if os.geteuid() != 0:
        testcase.skipTest('port 53 upstreams need root')
    import random
    rnd = random.Random()
    for _ in range(20):
        addr = '127.%d.%d.%d' % (rnd.randint(64, 250), rnd.randint(0, 255), rnd.randint(2, 250))
        try:
            up = hearthtest.FakeUpstream(addr=addr, port=53,
                                         handler=answer_everything(address_text))
        except OSError:
            continue
        testcase.addCleanup(up.close)
        return up
    testcase.skipTest('cannot bind a port-53 upstream on 127/8')


# --------------------------------------------------------------------------
# sd_notify listener

class NotifyListener:
    """An AF_UNIX datagram socket standing in for systemd's notify socket.
    A thread collects every message as (monotonic time, {key: value}) in
    arrival order."""

    def __init__(self, directory):
        self.path = os.path.join(directory, 'notify.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)
        self.sock.settimeout(0.1)
        self._lock = threading.Condition()
        self.messages = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = {}
            for line in data.decode('utf-8', 'replace').split('\n'):
                if '=' in line:
                    k, v = line.split('=', 1)
                    fields[k] = v
            with self._lock:
                self.messages.append((time.monotonic(), fields))
                self._lock.notify_all()

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    def wait_for(self, key, value, start=0, timeout=5.0):
        """Index of the first message at or after index start that has
        key=value, or None after timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for i in range(start, len(self.messages)):
                    if self.messages[i][1].get(key) == value:
                        return i
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(min(remaining, 0.05))

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.sock.close()


def kill_pidfile_owner(pidfile, tmpdir):
    """Stop the daemon named in pidfile (if any), by its checked pid."""
    pid = read_pid_file(pidfile)
    if pid is not None:
        track(pid, tmpdir)
        kill_tracked(pid)


def run_like_vircommandrun(argv, env, pidfile, tmpdir, timeout=10):
    """Run a launcher the way libvirt's virCommandRun does: stdout and
    stderr are pipes read to EOF.  Returns (exit status, output), or
    (None, output) when the pipes were still open after timeout (a daemon
    that kept the launcher's stdio), after cleaning up."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    track(p.pid, tmpdir)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Whoever holds the pipes (the daemon, if the launcher is gone)
        # goes first; then the pipes can be closed without blocking.
        kill_pidfile_owner(pidfile, tmpdir)
        if p.poll() is None:
            p.kill()
        p.stdout.close()
        p.stderr.close()
        p.wait(5)
        return None, 'launcher exit status %s' % p.returncode
    return p.returncode, (out + err).decode('utf-8', 'replace')
