"""Shared harness for hearth's behaviour tests.

This module gives behaviour tests three things: a scripted fake upstream DNS
server (FakeUpstream) that answers from a small zone and can be told, query
by query, to misbehave; a wrapper (Hearthd) that starts the daemon under test
with dnsmasq-style options, waits until it serves, queries it and always stops
it; and small socket helpers with a timeout on every operation.  It does not
contain tests, and it never talks to anything but loopback addresses.

The binary under test comes from $HEARTHD.  With HEARTH_REFERENCE=dnsmasq the
same tests can be pointed at Debian's dnsmasq (the behaviour reference); the
harness then adds the few options dnsmasq needs to behave like a test
instance (no /etc/hosts, log to stderr, no system pid file), and tests whose
expectation deliberately differs from dnsmasq are marked with
@dnsmasq_differs so they count as expected failures there.
"""

import atexit
import ctypes
import glob
import heapq
import itertools
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

REFERENCE = os.environ.get('HEARTH_REFERENCE', '') == 'dnsmasq'

# Generous upper bound for one test, enforced with SIGALRM by HearthTestCase
# so that a wedged socket or daemon cannot hang the whole suite.
TEST_TIME_LIMIT = 40


def _default_binary():
    if os.environ.get('HEARTHD'):
        return os.environ['HEARTHD']
    if REFERENCE:
        return '/usr/sbin/dnsmasq'
    root = os.environ.get('HEARTH_SOURCE_ROOT',
                          os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    found = sorted(glob.glob(os.path.join(root, 'build*', 'src', 'daemon', 'hearthd')))
    return found[0] if found else 'hearthd'


HEARTHD = _default_binary()


def dnsmasq_differs(reason, varies=False):
    """Mark a test whose expectation is hearth's contract where dnsmasq is
    known to behave differently.  Against the reference it is an expected
    failure (so an unexpected pass shows the note is wrong), or skipped when
    dnsmasq's behaviour was seen to vary between runs (varies=True); against
    hearthd it is an ordinary test."""
    def wrap(fn):
        if REFERENCE:
            if varies:
                fn = unittest.skip('dnsmasq varies: ' + reason)(fn)
            else:
                fn = unittest.expectedFailure(fn)
        fn.dnsmasq_differs = reason
        return fn
    return wrap


def is_root():
    return os.geteuid() == 0


def family_of(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def free_port(family=socket.AF_INET):
    """Return a port that is currently free for both UDP and TCP on every
    address of the family (the wildcard address is bound to check)."""
    wildcard = '::' if family == socket.AF_INET6 else '0.0.0.0'
    for _ in range(50):
        u = socket.socket(family, socket.SOCK_DGRAM)
        t = socket.socket(family, socket.SOCK_STREAM)
        try:
            u.bind((wildcard, 0))
            port = u.getsockname()[1]
            try:
                t.bind((wildcard, port))
            except OSError:
                continue
            return port
        finally:
            u.close()
            t.close()
    raise RuntimeError('no free port found')


# --------------------------------------------------------------------------
# Socket helpers (every operation has a timeout)

def udp_send(addr, port, wire, src=None):
    """Send one datagram from a fresh socket and return that socket so the
    caller can collect the answer later with udp_recv()."""
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    if src is not None:
        s.bind((src, 0))
    s.sendto(wire, (addr, port))
    return s


def udp_recv(sock, timeout=3.0):
    """One datagram from sock within timeout, or None."""
    sock.settimeout(timeout)
    try:
        return sock.recv(65535)
    except (socket.timeout, ConnectionRefusedError):
        return None


def tcp_connect(addr, port, timeout=3.0):
    s = socket.create_connection((addr, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def tcp_send(sock, wire):
    sock.sendall(struct.pack('!H', len(wire)) + wire)


def _recv_exact(sock, n, deadline):
    buf = b''
    while len(buf) < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            return None
        except ConnectionResetError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_recv(sock, timeout=3.0):
    """One length-framed message from sock, or None on timeout or EOF."""
    deadline = time.monotonic() + timeout
    head = _recv_exact(sock, 2, deadline)
    if head is None:
        return None
    (length,) = struct.unpack('!H', head)
    return _recv_exact(sock, length, deadline)


def parse(wire):
    """Parse a reply; keeps the wire bytes on the message as .wire."""
    msg = dns.message.from_wire(wire, ignore_trailing=True)
    msg.wire = wire
    return msg


def make_query(name, rdtype='A', want_dnssec=False, payload=None, id=None,
               rdclass='IN', options=None):
    use_edns = 0 if (payload is not None or want_dnssec or options) else None
    q = dns.message.make_query(name, rdtype, rdclass, use_edns=use_edns,
                               want_dnssec=want_dnssec,
                               # dnspython turns EDNS on whenever a payload is
                               # given, so pass one only when EDNS is wanted.
                               payload=(payload if payload is not None else 1232) if use_edns is not None else None,
                               options=options)
    if id is not None:
        q.id = id
    return q


def answer_ttls(msg):
    return [rrset.ttl for rrset in msg.answer]


def answer_texts(msg, rdtype=None):
    """Rdata texts of the answer section, optionally of one type, sorted."""
    out = []
    for rrset in msg.answer:
        if rdtype is not None and rrset.rdtype != dns.rdatatype.from_text(rdtype):
            continue
        out.extend(rd.to_text() for rd in rrset)
    return sorted(out)


def qname_text(msg):
    """The question name exactly as it was on the wire (case kept)."""
    return msg.question[0].name.to_text()


class NoAnswer(AssertionError):
    pass


# --------------------------------------------------------------------------
# Fake upstream actions.  A handler returns one of these (or a Message,
# raw bytes, None for "drop", or DEFAULT).

class _Sentinel:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


DEFAULT = _Sentinel('DEFAULT')        # answer from the zone
TRUNCATE = _Sentinel('TRUNCATE')      # UDP: empty reply with TC; TCP: DEFAULT


class Delay:
    """Execute inner (default: the zone answer) after ms milliseconds."""
    def __init__(self, ms, inner=DEFAULT):
        self.ms = ms
        self.inner = inner


class Spoof:
    """Send inner's reply over UDP from another socket: a different source
    port, and src_addr as source address when given (e.g. 127.0.0.2)."""
    def __init__(self, inner=DEFAULT, src_addr=None):
        self.inner = inner
        self.src_addr = src_addr


class Multi:
    """Execute several actions in order (e.g. a forged reply, then a good
    one; or the same reply twice)."""
    def __init__(self, *actions):
        self.actions = actions


class Seen(tuple):
    """One received query: (proto, msg, client_addr), also with .raw."""
    def __new__(cls, proto, msg, addr, raw):
        self = super().__new__(cls, (proto, msg, addr))
        self.raw = raw
        return self

    proto = property(lambda self: self[0])
    msg = property(lambda self: self[1])
    addr = property(lambda self: self[2])


def _count_matching(queries, name, rdtype, proto):
    want_name = dns.name.from_text(name) if name is not None else None
    want_type = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
    n = 0
    for p, msg, _ in queries:
        if not msg.question:
            continue
        q = msg.question[0]
        if want_name is not None and q.name != want_name:   # case-insensitive
            continue
        if want_type is not None and q.rdtype != want_type:
            continue
        if proto is not None and p != proto:
            continue
        n += 1
    return n


class FakeUpstream:
    """A scripted DNS server on UDP and TCP at (addr, port), run in a
    background thread.

    Zone data is added with add(); queries are answered from it unless
    .handler (query, proto, raw, addr) returns another action.  Every
    parsed query is recorded in .queries."""

    MAX_TCP_CONNECTIONS = 64

    def __init__(self, addr='127.0.0.1', port=0, soa_minimum=300, soa_ttl=None,
                 negative_soa=True, handler=None, tcp=True, authoritative=False,
                 truncate_udp=True):
        self.addr = addr
        self.family = family_of(addr)
        self.soa_minimum = soa_minimum
        self.soa_ttl = soa_ttl
        self.negative_soa = negative_soa
        self.handler = handler
        self.authoritative = authoritative
        # Truncate UDP answers larger than the asker's buffer, as a real
        # server does; tests of TC handling rely on that.
        self.truncate_udp = truncate_udp
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queries = []
        self._zone = {}
        self._timers = []
        self._timer_seq = itertools.count()
        self._conns = {}
        self._closed = False
        self.errors = []

        self.udp, self.tcp = self._bind(port, tcp)
        self.port = self.udp.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name='fake-upstream-%s' % addr,
                                        daemon=True)
        self._thread.start()

    def _bind(self, port, tcp):
        for _ in range(50):
            u = socket.socket(self.family, socket.SOCK_DGRAM)
            try:
                u.bind((self.addr, port))
            except OSError:
                u.close()
                if port:
                    raise
                continue
            if not tcp:
                return u, None
            t = socket.socket(self.family, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                t.bind((self.addr, u.getsockname()[1]))
            except OSError:
                u.close()
                t.close()
                if port:
                    raise
                continue
            t.listen(16)
            return u, t
        raise RuntimeError('cannot bind fake upstream on %s' % self.addr)

    # ---- public API ------------------------------------------------------

    @property
    def server_arg(self):
        """This upstream in --server syntax (addr#port)."""
        return '%s#%d' % (self.addr, self.port)

    def add(self, name, rdtype, ttl, *rdata_text):
        """Add records: add('a.test', 'A', 300, '192.0.2.1', '192.0.2.2').
        RRSIGs are stored by the type they cover and returned with that type
        when the query has DO set."""
        n = dns.name.from_text(name)
        rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        rdatas = [dns.rdata.from_text(dns.rdataclass.IN, rdtype, t) for t in rdata_text]
        covers = rdatas[0].covers() if rdtype == dns.rdatatype.RRSIG else dns.rdatatype.NONE
        with self._lock:
            node = self._zone.setdefault(n.to_text().lower(), {})
            rrset = node.get((rdtype, covers))
            if rrset is None:
                rrset = dns.rrset.RRset(n, dns.rdataclass.IN, rdtype, covers)
                node[(rdtype, covers)] = rrset
            for rd in rdatas:
                rrset.add(rd, ttl)
            rrset.ttl = ttl

    def clear_zone(self):
        with self._lock:
            self._zone.clear()

    @property
    def queries(self):
        with self._lock:
            return list(self._queries)

    def reset(self):
        with self._lock:
            self._queries.clear()

    def count(self, name=None, rdtype=None, proto=None):
        """How many recorded queries match (name case-insensitively)."""
        return _count_matching(self.queries, name, rdtype, proto)

    def wait_for(self, n, timeout=3.0, name=None, rdtype=None, proto=None):
        """Wait until count(...) >= n or timeout; returns the final count."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                c = _count_matching(self._queries, name, rdtype, proto)
                remaining = deadline - time.monotonic()
                if c >= n or remaining <= 0:
                    return c
                self._cond.wait(min(remaining, 0.05))

    def answer(self, query):
        """The response built from the zone for query (as DEFAULT sends)."""
        with self._lock:
            return self._answer_locked(query)

    def close(self):
        if self._closed:
            return
        self._closed = True
        try:
            self._wake_w.send(b'x')
        except OSError:
            pass
        self._thread.join(5)
        for s in [self.udp, self.tcp, self._wake_r, self._wake_w, *self._conns]:
            if s is not None:
                s.close()
        self._conns.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- answers ---------------------------------------------------------

    def _soa_for(self, qname):
        best = None
        for key, node in self._zone.items():
            rrset = node.get((dns.rdatatype.SOA, dns.rdatatype.NONE))
            if rrset is None:
                continue
            owner = dns.name.from_text(key)
            if qname.is_subdomain(owner) and (best is None or len(owner) > len(best.name)):
                best = rrset
        if best is not None:
            return best
        labels = qname.labels
        apex = dns.name.Name(labels[-2:]) if len(labels) >= 2 else dns.name.root
        apex_text = apex.to_text()
        ttl = self.soa_ttl if self.soa_ttl is not None else self.soa_minimum
        rd = dns.rdata.from_text(
            dns.rdataclass.IN, dns.rdatatype.SOA,
            'ns.%s hostmaster.%s 1 3600 600 86400 %d' % (apex_text, apex_text, self.soa_minimum))
        rrset = dns.rrset.RRset(apex, dns.rdataclass.IN, dns.rdatatype.SOA)
        rrset.add(rd, ttl)
        return rrset

    def _copy_rrset(self, rrset, owner):
        # Owner names take the asker's case, as real servers (compressing
        # against the question) do.
        out = dns.rrset.RRset(owner, rrset.rdclass, rrset.rdtype, rrset.covers)
        for rd in rrset:
            out.add(rd, rrset.ttl)
        return out

    def _answer_locked(self, query):
        resp = dns.message.make_response(query, recursion_available=True)
        if self.authoritative:
            resp.flags |= dns.flags.AA
        do = bool(query.ednsflags & dns.flags.DO) if query.edns >= 0 else False
        if query.edns >= 0:
            resp.use_edns(0, dns.flags.DO if do else 0, 1232)
        if query.opcode() != dns.opcode.QUERY:
            resp.set_rcode(dns.rcode.NOTIMP)
            return resp
        if len(query.question) != 1:
            resp.set_rcode(dns.rcode.FORMERR)
            return resp
        q = query.question[0]
        qname, qtype = q.name, q.rdtype
        for _ in range(8):          # CNAME chain, bounded
            node = self._zone.get(qname.to_text().lower())
            if node is None:
                if qname == q.name or not resp.answer:
                    resp.set_rcode(dns.rcode.NXDOMAIN)
                if self.negative_soa:
                    resp.authority.append(self._soa_for(qname))
                return resp
            if qtype == dns.rdatatype.ANY:
                for (t, covers), rrset in node.items():
                    if t == dns.rdatatype.RRSIG and not do:
                        continue
                    resp.answer.append(self._copy_rrset(rrset, qname))
                return resp
            rrset = node.get((qtype, dns.rdatatype.NONE))
            if rrset is not None:
                resp.answer.append(self._copy_rrset(rrset, qname))
                sig = node.get((dns.rdatatype.RRSIG, qtype))
                if do and sig is not None:
                    resp.answer.append(self._copy_rrset(sig, qname))
                return resp
            cname = node.get((dns.rdatatype.CNAME, dns.rdatatype.NONE))
            if cname is not None and qtype != dns.rdatatype.CNAME:
                resp.answer.append(self._copy_rrset(cname, qname))
                sig = node.get((dns.rdatatype.RRSIG, dns.rdatatype.CNAME))
                if do and sig is not None:
                    resp.answer.append(self._copy_rrset(sig, qname))
                qname = cname[0].target
                continue
            if self.negative_soa:     # NODATA
                resp.authority.append(self._soa_for(qname))
            return resp
        return resp

    # ---- server loop -----------------------------------------------------

    def _record(self, proto, msg, addr, raw):
        with self._cond:
            self._queries.append(Seen(proto, msg, addr, raw))
            self._cond.notify_all()

    def _run(self):
        try:
            self._loop()
        except Exception as e:       # surfaced through .errors, not lost
            self.errors.append(repr(e))

    def _loop(self):
        while not self._closed:
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now:
                _, _, fn = heapq.heappop(self._timers)
                try:
                    fn()
                except OSError:
                    pass
            timeout = 0.2
            if self._timers:
                timeout = max(0.0, min(timeout, self._timers[0][0] - now))
            rlist = [self.udp, self._wake_r, *self._conns]
            if self.tcp is not None:
                rlist.append(self.tcp)
            try:
                readable, _, _ = select.select(rlist, [], [], timeout)
            except (OSError, ValueError):
                return
            for s in readable:
                if s is self._wake_r:
                    return
                if s is self.udp:
                    try:
                        raw, addr = self.udp.recvfrom(65535)
                    except OSError:
                        continue
                    self._handle('udp', raw, addr, None)
                elif s is self.tcp:
                    try:
                        conn, addr = self.tcp.accept()
                    except OSError:
                        continue
                    conn.settimeout(2)
                    if len(self._conns) >= self.MAX_TCP_CONNECTIONS:
                        oldest = next(iter(self._conns))
                        oldest.close()
                        del self._conns[oldest]
                    self._conns[conn] = [bytearray(), addr]
                else:
                    self._tcp_readable(s)

    def _tcp_readable(self, conn):
        state = self._conns.get(conn)
        if state is None:
            return
        try:
            data = conn.recv(65535)
        except OSError:
            data = b''
        if not data:
            conn.close()
            del self._conns[conn]
            return
        buf, addr = state
        buf.extend(data)
        while len(buf) >= 2:
            (length,) = struct.unpack('!H', buf[:2])
            if len(buf) < 2 + length:
                break
            raw = bytes(buf[2:2 + length])
            del buf[:2 + length]
            self._handle('tcp', raw, addr, conn)

    def _handle(self, proto, raw, addr, conn):
        try:
            query = dns.message.from_wire(raw)
        except Exception:
            return                  # not a query we can read: ignore it
        if query.flags & dns.flags.QR:
            return
        self._record(proto, query, addr, raw)
        action = DEFAULT
        if self.handler is not None:
            try:
                action = self.handler(query, proto, raw, addr)
            except Exception as e:
                self.errors.append('handler: %r' % e)
                return
        self._execute(action, proto, query, addr, conn)

    def _limit(self, query):
        if query.edns >= 0:
            return max(512, query.payload)
        return 512

    def _wire_of(self, action, proto, query):
        """Turn an action that is a reply into bytes (None if it is not)."""
        if action is DEFAULT:
            action = self.answer(query)
        elif action is TRUNCATE:
            if proto == 'tcp':
                action = self.answer(query)
            else:
                resp = self.answer(query)
                resp.answer, resp.authority, resp.additional = [], [], []
                resp.flags |= dns.flags.TC
                action = resp
        if isinstance(action, (bytes, bytearray)):
            return bytes(action)
        if isinstance(action, dns.message.Message):
            if proto == 'udp' and self.truncate_udp:
                try:
                    return action.to_wire(max_size=self._limit(query))
                except dns.exception.TooBig:
                    small = dns.message.make_response(query, recursion_available=True)
                    if query.edns >= 0:
                        small.use_edns(0, query.ednsflags & dns.flags.DO, 1232)
                    small.id = action.id
                    small.flags |= dns.flags.TC
                    return small.to_wire()
            return action.to_wire(max_size=65535)
        return None

    def _execute(self, action, proto, query, addr, conn):
        if action is None:
            return
        if isinstance(action, Delay):
            inner = action.inner
            when = time.monotonic() + action.ms / 1000.0
            heapq.heappush(self._timers, (when, next(self._timer_seq),
                                          lambda: self._execute(inner, proto, query, addr, conn)))
            return
        if isinstance(action, Multi):
            for a in action.actions:
                self._execute(a, proto, query, addr, conn)
            return
        if isinstance(action, Spoof):
            wire = self._wire_of(action.inner, 'udp', query)
            if wire is None:
                return
            s = socket.socket(self.family, socket.SOCK_DGRAM)
            try:
                s.bind((action.src_addr or self.addr, 0))
                s.sendto(wire, addr)
            finally:
                s.close()
            return
        wire = self._wire_of(action, proto, query)
        if wire is None:
            return
        if proto == 'udp':
            self.udp.sendto(wire, addr)
        elif conn is not None and conn in self._conns:
            try:
                conn.sendall(struct.pack('!H', len(wire)) + wire)
            except OSError:
                pass


# --------------------------------------------------------------------------
# The daemon under test

_live = set()


def _kill_leftovers():
    for proc in list(_live):
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
    _live.clear()


atexit.register(_kill_leftovers)


def _die_with_parent():
    # If the test process is killed (e.g. by meson's timeout), take the
    # daemon with it: PR_SET_PDEATHSIG = 1, SIGKILL.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


def stop_process(proc, timeout=5.0):
    """SIGTERM to a child we started, wait (SIGKILL after timeout);
    returns its exit code (negative signal number if killed)."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(3)
    _live.discard(proc)
    return proc.returncode


class HearthdStartError(AssertionError):
    pass


class Hearthd:
    """Start the daemon under test:

        $HEARTHD -k --conf-file=/dev/null --no-resolv --no-hosts --port=P
                 --listen-address=127.0.0.1 [args...]

    Defaults are left out when args already set them (--port, -p,
    --listen-address, --conf-file, -C) or when defaults=False.  Waits until
    the port accepts TCP connections (at most start_timeout s)."""

    def __init__(self, *args, port=None, listen=('127.0.0.1',), defaults=True,
                 env=None, wait=True, binary=None, start_timeout=5.0, hosts=False):
        self.binary = binary or HEARTHD
        self.listen = [listen] if isinstance(listen, str) else list(listen)
        self.port = port
        args = [str(a) for a in args]

        def has(*prefixes):
            return any(a == p or a.startswith(p + '=') or
                       (len(p) == 2 and a.startswith(p) and len(a) > 2)
                       for a in args for p in prefixes)

        argv = []
        if defaults:
            argv.append('-k')
            if not has('--conf-file', '-C'):
                argv.append('--conf-file=/dev/null')
            argv.append('--no-resolv')
            # The machine's /etc/hosts is not the test's business; tests of
            # hosts files pass hosts=True (and their own --addn-hosts).
            if not hosts and not has('--no-hosts', '-h'):
                argv.append('--no-hosts')
            if has('--port', '-p'):
                for a in args:
                    if a.startswith('--port='):
                        self.port = int(a.split('=', 1)[1])
            else:
                if self.port is None:
                    self.port = free_port(family_of(self.listen[0]) if self.listen
                                          else socket.AF_INET)
                argv.append('--port=%d' % self.port)
            if not has('--listen-address', '-a'):
                argv.extend('--listen-address=%s' % a for a in self.listen)
            # hearthd connects to the system bus unless told otherwise;
            # tests of D-Bus bring their own bus.
            if not REFERENCE and not has('--dbus-address', '--session-bus', '--enable-dbus',
                                         '--no-dbus'):
                argv.append('--no-dbus')
            if REFERENCE:
                self._tmpdir = tempfile.mkdtemp(prefix='hearth-ref-')
                argv += ['--log-facility=-', '--bind-interfaces',
                         '--pid-file=%s' % os.path.join(self._tmpdir, 'pid')]
        # HEARTH_TEST_EXTRA_ARGS appends options to every daemon: a way to
        # check that tests fail when a behaviour is switched off (e.g.
        # --cache-size=0 must break the cache tests).
        extra = os.environ.get('HEARTH_TEST_EXTRA_ARGS', '').split()
        self.argv = [self.binary] + argv + args + extra
        self._stderr = tempfile.TemporaryFile(prefix='hearthd-stderr-')
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.proc = subprocess.Popen(self.argv, executable=self.binary,
                                     stdin=subprocess.DEVNULL, stdout=self._stderr,
                                     stderr=self._stderr, env=full_env,
                                     preexec_fn=_die_with_parent)
        _live.add(self.proc)
        self.pid = self.proc.pid
        self.exit_code = None
        if wait:
            try:
                self.wait_ready(start_timeout)
            except BaseException:
                self.stop()
                raise

    # ---- lifecycle -------------------------------------------------------

    def wait_ready(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        addr = self.listen[0] if self.listen else '127.0.0.1'
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HearthdStartError('daemon exited with %s during start-up: %s\nstderr:\n%s'
                                        % (self.proc.returncode, ' '.join(self.argv),
                                           self.stderr_text()))
            try:
                s = socket.create_connection((addr, self.port), timeout=0.5)
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        raise HearthdStartError('daemon not serving on %s port %s after %.1f s\nstderr:\n%s'
                                % (addr, self.port, timeout, self.stderr_text()))

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.proc.poll() is None:
            os.kill(self.pid, sig)

    def stop(self, timeout=5.0):
        """SIGTERM, wait (SIGKILL after timeout); returns the exit code
        (negative signal number if killed by a signal)."""
        self.exit_code = stop_process(self.proc, timeout)
        return self.exit_code

    def stderr_text(self):
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode('utf-8', 'replace')
        except ValueError:
            return ''

    def __enter__(self):
        return self

    def close(self):
        """Stop the daemon if needed and release the stderr file."""
        self.stop()
        self._stderr.close()
        if getattr(self, '_tmpdir', None):
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __exit__(self, *exc):
        self.close()

    # ---- queries ---------------------------------------------------------

    def _addr(self, addr):
        return addr or (self.listen[0] if self.listen else '127.0.0.1')

    def raw_query(self, wire, tcp=False, timeout=3.0, addr=None):
        """Send wire bytes; the reply's bytes, or None if none came."""
        addr = self._addr(addr)
        if tcp:
            try:
                s = tcp_connect(addr, self.port, timeout)
            except OSError:
                return None
            try:
                tcp_send(s, wire)
                return tcp_recv(s, timeout)
            except OSError:
                return None
            finally:
                s.close()
        s = udp_send(addr, self.port, wire)
        try:
            return udp_recv(s, timeout)
        finally:
            s.close()

    def query(self, name, rdtype='A', tcp=False, timeout=3.0, want_dnssec=False,
              payload=None, raw=None, id=None, addr=None, options=None):
        """Query the daemon and return the parsed reply (with .wire).
        Raises NoAnswer when nothing comes back within timeout."""
        if raw is None:
            raw = make_query(name, rdtype, want_dnssec=want_dnssec, payload=payload,
                             id=id, options=options).to_wire()
        wire = self.raw_query(raw, tcp=tcp, timeout=timeout, addr=addr)
        if wire is None:
            raise NoAnswer('no answer from daemon to %s %s over %s within %.1f s'
                           % (name, rdtype, 'TCP' if tcp else 'UDP', timeout))
        return parse(wire)


# --------------------------------------------------------------------------
# unittest glue

class _TestTimeout(Exception):
    pass


class HearthTestCase(unittest.TestCase):
    """Base class: per-test time limit, and upstreams/daemons created via
    self.upstream()/self.daemon() are always cleaned up."""

    def setUp(self):
        def on_alarm(signum, frame):
            raise _TestTimeout('test exceeded %d s' % TEST_TIME_LIMIT)
        self._old_alarm = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(TEST_TIME_LIMIT)
        self.addCleanup(self._cancel_alarm)

    def _cancel_alarm(self):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self._old_alarm)

    def upstream(self, *args, **kw):
        up = FakeUpstream(*args, **kw)
        self.addCleanup(self._close_upstream, up)
        return up

    def _close_upstream(self, up):
        up.close()
        if up.errors:
            raise AssertionError('fake upstream errors: %s' % up.errors)

    def daemon(self, *args, **kw):
        d = Hearthd(*args, **kw)
        self.addCleanup(self._stop_daemon, d)
        return d

    def _stop_daemon(self, d):
        stopped_here = d.exit_code is None
        code = d.stop()
        if os.environ.get('HEARTH_TEST_VERBOSE'):
            sys.stderr.write('\n--- daemon stderr (%s) ---\n%s--- end ---\n'
                             % (' '.join(d.argv), d.stderr_text()))
        d.close()
        if stopped_here and code != 0 and not getattr(d, 'allow_bad_exit', False):
            # A crash during the test is a bug even if the assertions
            # passed; show why.
            raise AssertionError('daemon exited with %s on SIGTERM (expected 0)' % code)

    def assertRcode(self, msg, rcode):
        want = dns.rcode.from_text(rcode) if isinstance(rcode, str) else rcode
        self.assertEqual(msg.rcode(), want,
                         'rcode %s, expected %s' % (dns.rcode.to_text(msg.rcode()),
                                                    dns.rcode.to_text(want)))


def main():
    """unittest.main() with the exit status meson expects: 1 on failure,
    77 when every test was skipped, else 0."""
    prog = unittest.main(exit=False, verbosity=2)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0)
