"""Harness for behaviour tests in private network namespaces.

Tests of interface tracking need interfaces that come and go, which only
root can make, and which must never touch the machine's own network.  This
module builds small private topologies instead: named network namespaces
(`hearth-t-<pid>-<n>`) joined by veth pairs, the daemon under test started
inside one of them, and sockets for queries and fake upstreams created
inside others by switching the calling thread into a namespace just for the
socket() call (a socket stays in the namespace it was created in).

Every namespace made here is deleted when its test ends, at exit, on
SIGTERM, and, for namespaces left behind by a test process that was killed,
the next time this module is imported.  Tests skip (exit code 77 for a file
whose tests all skipped) when not root or when `ip netns` does not work.
"""

import atexit
import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import dns.message
import dns.rcode

import hearthtest as ht

CLONE_NEWNET = 0x40000000
DNS_PORT = 53
NAME_PREFIX = 'hearth-t-'

_libc = ctypes.CDLL(None, use_errno=True)
_counter = iter(range(1, 1 << 30))
_namespaces = {}          # name -> Netns, alive ones only
_daemons = set()
_usable = None


def _ip(*args, timeout=10.0, check=True):
    """Run `ip ARGS`; returns the CompletedProcess, raises with ip's
    message when check is set and it fails."""
    p = subprocess.run(['ip'] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError('ip %s: %s' % (' '.join(str(a) for a in args),
                                          p.stderr.decode('utf-8', 'replace').strip()))
    return p


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, 'setns: %s' % os.strerror(err))


def _sweep_stale():
    """Delete namespaces of this harness whose test process is gone (it was
    SIGKILLed before it could clean up).  Only names of our own pattern."""
    p = _ip('netns', 'list', check=False)
    if p.returncode != 0:
        return
    for line in p.stdout.decode('utf-8', 'replace').splitlines():
        m = re.match(r'^(%s(\d+)-\d+)\b' % re.escape(NAME_PREFIX), line)
        if not m:
            continue
        pid = int(m.group(2))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue            # its owner is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        # A daemon that outlived its test (dnsmasq changes credentials,
        # which clears the parent-death signal) would keep the namespace
        # alive after its name is gone: stop it first.
        pids = _ip('netns', 'pids', m.group(1), check=False).stdout.split()
        for p in pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except (ValueError, OSError):
                pass
        _ip('netns', 'delete', m.group(1), check=False)


def usable():
    """(True, '') when namespace tests can run here, else (False, why)."""
    global _usable
    if _usable is not None:
        return _usable
    if not ht.is_root():
        _usable = (False, 'network namespaces need root')
    elif shutil.which('ip') is None:
        _usable = (False, 'iproute2 (ip) not installed')
    else:
        _sweep_stale()
        name = '%s%d-probe' % (NAME_PREFIX, os.getpid())
        p = _ip('netns', 'add', name, check=False)
        if p.returncode != 0:
            _usable = (False, 'ip netns unusable: %s'
                       % p.stderr.decode('utf-8', 'replace').strip())
        else:
            try:
                fd = os.open('/run/netns/' + name, os.O_RDONLY)
                try:
                    with _switched(fd):
                        pass
                    _usable = (True, '')
                except OSError as e:
                    _usable = (False, 'setns unusable: %s' % e)
                finally:
                    os.close(fd)
            finally:
                _ip('netns', 'delete', name, check=False)
    return _usable


@contextlib.contextmanager
def _switched(target_fd):
    """Run the body with this thread in the namespace of target_fd, and
    always come back to the namespace it was in."""
    home = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    try:
        _setns(target_fd)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(home)


class Netns:
    """One named network namespace with loopback up."""

    def __init__(self, role='ns'):
        self.role = role
        self.name = '%s%d-%d' % (NAME_PREFIX, os.getpid(), next(_counter))
        _ip('netns', 'add', self.name)
        _namespaces[self.name] = self
        self.path = '/run/netns/' + self.name
        self.ip('link', 'set', 'lo', 'up')

    def __repr__(self):
        return '<Netns %s (%s)>' % (self.name, self.role)

    def ip(self, *args, check=True):
        """`ip -n NAME ARGS`; stdout text."""
        return _ip('-n', self.name, *args, check=check).stdout.decode('utf-8', 'replace')

    def sysctl(self, key, value):
        """Set a sysctl of this namespace (written from inside it)."""
        with self.entered():
            with open('/proc/sys/' + key.replace('.', '/'), 'w') as f:
                f.write(str(value))

    @contextlib.contextmanager
    def entered(self):
        """This thread inside the namespace for the body (sockets created
        there stay there)."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            with _switched(fd):
                yield self
        finally:
            os.close(fd)

    def socket(self, family=socket.AF_INET, kind=socket.SOCK_DGRAM):
        with self.entered():
            return socket.socket(family, kind)

    def delete(self):
        if _namespaces.pop(self.name, None) is not None:
            _ip('netns', 'delete', self.name, check=False)

    # ---- topology helpers -------------------------------------------------

    def veth(self, name, peer_ns, peer_name, addrs=(), peer_addrs=(), up=True):
        """A veth pair: `name` here, `peer_name` in peer_ns (both up unless
        up=False; the peer is always up).  Addresses are CIDR strings;
        IPv6 ones are added with nodad."""
        self.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer_name,
                'netns', peer_ns.name)
        peer_ns.ip('link', 'set', peer_name, 'up')
        for a in peer_addrs:
            peer_ns.add_addr(peer_name, a)
        if up:
            self.ip('link', 'set', name, 'up')
        for a in addrs:
            self.add_addr(name, a)

    def add_addr(self, dev, cidr):
        extra = ['nodad'] if ':' in cidr else []
        self.ip('addr', 'add', cidr, 'dev', dev, *extra)

    def del_addr(self, dev, cidr):
        self.ip('addr', 'del', cidr, 'dev', dev)

    def link_up(self, dev):
        self.ip('link', 'set', dev, 'up')

    def link_down(self, dev):
        self.ip('link', 'set', dev, 'down')

    def link_del(self, dev):
        self.ip('link', 'del', dev)

    def udp_sockets(self, port=DNS_PORT):
        """Local addresses with a UDP socket bound to port in this
        namespace (from /proc/net/udp{,6} as seen from inside)."""
        out = set()
        with self.entered():
            for path, v6 in (('/proc/net/udp', False), ('/proc/net/udp6', True)):
                try:
                    with open(path) as f:
                        lines = f.read().splitlines()[1:]
                except OSError:
                    continue
                for line in lines:
                    local = line.split()[1]
                    hexaddr, hexport = local.split(':')
                    if int(hexport, 16) != port:
                        continue
                    raw = bytes.fromhex(hexaddr)
                    if v6:
                        # four host-order 32-bit words
                        raw = b''.join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                        out.add(socket.inet_ntop(socket.AF_INET6, raw))
                    else:
                        out.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
        return out


def _delete_all():
    for d in list(_daemons):
        d.kill()
    for ns in list(_namespaces.values()):
        ns.delete()


atexit.register(_delete_all)


def _on_sigterm(signum, frame):
    # A test run stopped by its runner (meson's timeout) still cleans up.
    _delete_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
    signal.signal(signal.SIGTERM, _on_sigterm)


# --------------------------------------------------------------------------
# Queries from inside a namespace

def query(ns, addr, name, rdtype='A', port=DNS_PORT, timeout=0.3, src=None, tcp=False):
    """One query to addr#port from namespace ns (optionally from source
    address src); the parsed reply with the query's id, or None when none
    came within timeout (silence, ICMP refused, network unreachable)."""
    q = ht.make_query(name, rdtype)
    wire = q.to_wire()
    family = ht.family_of(addr)
    kind = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
    try:
        s = ns.socket(family, kind)
    except OSError:
        return None
    try:
        s.settimeout(timeout)
        if src is not None:
            s.bind((src, 0))
        s.connect((addr, port))
        if tcp:
            ht.tcp_send(s, wire)
            raw = ht.tcp_recv(s, timeout)
        else:
            s.send(wire)
            deadline = time.monotonic() + timeout
            raw = None
            while raw is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                data = s.recv(65535)
                try:
                    msg = dns.message.from_wire(data, ignore_trailing=True)
                except Exception:
                    continue
                if msg.id == q.id:
                    raw = data
        if raw is None:
            return None
        msg = ht.parse(raw)
        return msg if msg.id == q.id else None
    except (OSError, socket.timeout):
        return None
    finally:
        s.close()


def wait_for(predicate, timeout, interval=0.05):
    """Poll predicate until it is true; seconds it took, or None when it
    stayed false for timeout seconds."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if predicate():
            return time.monotonic() - start
        now = time.monotonic()
        if now >= deadline:
            return None
        time.sleep(min(interval, deadline - now))


def poll_served(ns, addr, name, timeout=1.0, interval=0.05, start=None, check=None):
    """Query addr from ns every interval until an answer comes (for which
    check(msg), when given, is true); name may be a callable giving the
    name to ask each time (to get past a cache).  Seconds since start
    (default: now) when it came, or None when nothing came before start +
    timeout.  All queries leave from one socket and a late reply to an
    earlier query counts too, so a slow machine does not lose answers
    between polls."""
    start = time.monotonic() if start is None else start
    deadline = start + timeout
    family = ht.family_of(addr)
    sent = set()
    s = None
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            if s is None:
                try:
                    s = ns.socket(family, socket.SOCK_DGRAM)
                    s.connect((addr, DNS_PORT))
                except OSError:
                    # no route yet: try again at the next poll
                    if s is not None:
                        s.close()
                    s = None
            if s is not None:
                q = ht.make_query(name() if callable(name) else name)
                try:
                    s.send(q.to_wire())
                    sent.add(q.id)
                except OSError:
                    pass
            next_send = min(now + interval, deadline)
            while s is not None:
                left = next_send - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    data = s.recv(65535)
                except socket.timeout:
                    break
                except OSError:
                    continue        # ICMP refused for an earlier query
                try:
                    msg = ht.parse(data)
                except Exception:
                    continue
                if msg.id in sent and (check is None or check(msg)):
                    return time.monotonic() - start
            left = next_send - time.monotonic()
            if left > 0:
                time.sleep(left)
    finally:
        if s is not None:
            s.close()


# --------------------------------------------------------------------------
# The daemon under test, inside a namespace

def _die_with_parent():
    try:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    except Exception:
        pass


class NetDaemon:
    """$HEARTHD (or dnsmasq with HEARTH_REFERENCE=dnsmasq) started inside ns
    with the test's options after these defaults:

        -k --conf-file=/dev/null --no-resolv --no-hosts --port=53
        --log-facility=-  (hearthd: --no-dbus; dnsmasq: --user=root
        --pid-file=<tmp>)

    The child is forked while this thread is switched into ns, so .pid is
    the daemon's own pid (no `ip netns exec` in between)."""

    def __init__(self, ns, *args, binary=None, env=None):
        self.ns = ns
        self.binary = binary or ht.HEARTHD
        self.port = DNS_PORT
        self._tmpdir = tempfile.mkdtemp(prefix='hearth-net-')
        argv = [self.binary, '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
                '--port=%d' % DNS_PORT, '--log-facility=-']
        if ht.REFERENCE:
            argv += ['--user=root', '--pid-file=' + os.path.join(self._tmpdir, 'pid')]
        else:
            argv += ['--no-dbus']
        argv += [str(a) for a in args]
        argv += os.environ.get('HEARTH_TEST_EXTRA_ARGS', '').split()
        self.argv = argv
        self._stderr = tempfile.TemporaryFile(prefix='hearthd-stderr-')
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        with ns.entered():
            self.proc = subprocess.Popen(argv, executable=self.binary, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr, stderr=self._stderr, env=full_env,
                                         preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        _daemons.add(self)
        self.exit_code = None

    def __repr__(self):
        return '<NetDaemon %d in %s>' % (self.pid, self.ns.name)

    def running(self):
        return self.proc.poll() is None

    def wait_started(self, timeout=5.0):
        """Until the daemon logged that it started; raises with its stderr
        if it exited or stayed silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if 'started' in self.stderr_text():
                return
            if not self.running():
                break
            time.sleep(0.02)
        raise ht.HearthdStartError('daemon did not start (exit %s): %s\nstderr:\n%s'
                                   % (self.proc.poll(), ' '.join(self.argv), self.stderr_text()))

    def fd_count(self):
        return len(os.listdir('/proc/%d/fd' % self.pid))

    def stderr_text(self):
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode('utf-8', 'replace')
        except ValueError:
            return ''

    def describe(self):
        """For failure messages: the command line and what it logged."""
        return '\n%s\n--- daemon stderr ---\n%s--- end ---' % (' '.join(self.argv),
                                                             self.stderr_text())

    def stop(self, timeout=5.0):
        self.exit_code = ht.stop_process(self.proc, timeout)
        return self.exit_code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
        self.close()

    def close(self):
        _daemons.discard(self)
        try:
            self._stderr.close()
        except Exception:
            pass
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


class ScopedUpstream(ht.FakeUpstream):
    """A FakeUpstream on an IPv6 address with a zone, e.g. 'fe80::2%u0'
    (construct it inside the namespace that has u0).  Python's bind() takes
    the scope from the address tuple, not from the text, so the tuple is
    built from getaddrinfo here."""

    def _bind(self, port, tcp):
        info = socket.getaddrinfo(self.addr, port, socket.AF_INET6, socket.SOCK_DGRAM)
        host, _, flow, scope = info[0][4]
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        t = None
        try:
            u.bind((host, port, flow, scope))
            if tcp:
                t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                t.bind((host, u.getsockname()[1], flow, scope))
                t.listen(16)
        except OSError:
            u.close()
            if t is not None:
                t.close()
            raise
        return u, t


# --------------------------------------------------------------------------
# unittest glue

class NetTestCase(ht.HearthTestCase):
    """Base class: skips unless namespaces work; namespaces, daemons and
    upstreams made through it are removed when the test ends (daemons and
    upstreams first, so nothing keeps a namespace alive)."""

    def setUp(self):
        ok, why = usable()
        if not ok:
            raise unittest.SkipTest(why)
        super().setUp()

    def netns(self, role='ns'):
        ns = Netns(role)
        self.addCleanup(ns.delete)
        return ns

    def start(self, ns, *args, wait=True, env=None):
        d = NetDaemon(ns, *args, env=env)
        self.addCleanup(self._stop, d)
        if wait:
            d.wait_started()
        return d

    def _stop(self, d):
        was_running = d.running()
        code = d.stop()
        if os.environ.get('HEARTH_TEST_VERBOSE'):
            print(d.describe())
        text = d.describe()
        d.close()
        # A daemon that exited by itself was the test's business (it failed
        # then, or expected it); a crash or a bad exit on SIGTERM is a bug
        # even when the assertions passed.
        if code < 0 and code != -signal.SIGTERM or was_running and code != 0:
            raise AssertionError('daemon %s with %s%s'
                                 % ('exited on SIGTERM' if was_running else 'died',
                                    code, text))

    def upstream_in(self, ns, addr, **kw):
        """A FakeUpstream listening on addr inside ns (its sockets are made
        there; its thread does not care where it runs)."""
        cls = ScopedUpstream if '%' in addr else ht.FakeUpstream
        with ns.entered():
            up = cls(addr, **kw)
        self.addCleanup(self._close_upstream, up)
        return up

    # ---- assertions -------------------------------------------------------

    def assertServedWithin(self, d, ns, addr, name, timeout=1.0, start=None, check=None,
                           msg=''):
        took = poll_served(ns, addr, name, timeout=timeout, start=start, check=check)
        if took is None:
            self.fail('%s not answered from %s within %.1f s %s%s'
                      % (addr, ns.role, timeout, msg, d.describe()))
        return took

    def assertNotServed(self, d, ns, addr, name, duration=0.5, msg='', src=None):
        """No reply at all from addr to a few queries spread over duration."""
        deadline = time.monotonic() + duration
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            r = query(ns, addr, name, timeout=min(0.25, max(0.01, left)), src=src)
            if r is not None:
                self.fail('%s answered from %s (%s) %s%s'
                          % (addr, ns.role, dns.rcode.to_text(r.rcode()), msg, d.describe()))
            if left > 0.05:
                time.sleep(0.05)

    def assertGoneWithin(self, d, ns, addr, name, timeout=1.0, msg=''):
        """Answers from addr stop within timeout."""
        took = wait_for(lambda: query(ns, addr, name, timeout=0.2) is None, timeout)
        if took is None:
            self.fail('%s still answered from %s after %.1f s %s%s'
                      % (addr, ns.role, timeout, msg, d.describe()))
        return took


main = ht.main
