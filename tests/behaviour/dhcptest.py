"""Harness for the DHCP behaviour tests: a private LAN, real clients, and a
small DHCP load generator.

The LAN is a server namespace holding a bridge (br0, the daemon's side,
with the server address) and any number of client namespaces, each joined
to the bridge by a veth pair whose client end is called eth0.  Real
clients (ISC dhclient, dhcpcd, busybox udhcpc) run inside a client
namespace through `ip netns exec`, with a hook script of ours that
configures the address the way the distribution scripts would and writes
what the client was given to a file; Binding is that record, the same for
the three clients.  DoraClient speaks DHCP itself (DISCOVER, REQUEST) for
many made-up MAC addresses from one client namespace and records every ACK
it received: it is what the durability test needs, since perfdhcp cannot
say which exchanges were acknowledged.

Nothing here ever runs outside a namespace it created: DHCP servers bind
UDP port 67 on every interface of their namespace and clients change
addresses and routes.  Every process is started by this module, is known
by its pid, and is stopped at cleanup; every wait has a time limit.  It
holds no tests.
"""

import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import nettest as nt
import hearthtest as ht

BRIDGE = 'br0'
CLIENT_IF = 'eth0'
CLIENT_START_TIMEOUT = 20.0

UDHCPC = ('/usr/sbin/udhcpc', '/sbin/udhcpc', '/bin/busybox', '/usr/bin/busybox')
DHCLIENT = ('/usr/sbin/dhclient', '/sbin/dhclient')
DHCPCD = ('/usr/sbin/dhcpcd', '/sbin/dhcpcd')


def find_binary(candidates):
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def tmpdir(testcase, prefix='hearth-dhcp-'):
    """A temporary directory removed at cleanup; world-readable so that
    dhcpcd's unprivileged helpers and the lease script can use it."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    testcase.addCleanup(shutil.rmtree, d, True)
    return d


def write_file(path, text, mode=0o644):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def _die_with_parent():
    ht._die_with_parent()


# --------------------------------------------------------------------------
# The LAN

class Lan:
    """Server namespace with br0 (server_cidr) and client namespaces on it.

    An idle client namespace keeps the bridge's carrier up before any
    client exists, so the daemon sees a running interface from the start."""

    def __init__(self, testcase, server_cidr='10.77.0.1/24'):
        self.tc = testcase
        self.server_cidr = server_cidr
        self.server_addr = server_cidr.split('/')[0]
        self.srv = testcase.netns('server')
        self.srv.ip('link', 'add', BRIDGE, 'type', 'bridge', 'forward_delay', '0')
        self.srv.link_up(BRIDGE)
        self.srv.add_addr(BRIDGE, server_cidr)
        self._ports = 0
        self.clients = []
        self.client_ns()

    def client_ns(self, mac=None):
        """A new client namespace whose eth0 is on the bridge (no address;
        MAC given or random)."""
        self._ports += 1
        ns = self.tc.netns('client')
        port = 'p%d' % self._ports
        self.srv.ip('link', 'add', port, 'type', 'veth', 'peer', 'name', CLIENT_IF,
                    'netns', ns.name)
        if mac is not None:
            ns.ip('link', 'set', CLIENT_IF, 'address', mac)
        self.srv.ip('link', 'set', port, 'master', BRIDGE)
        self.srv.link_up(port)
        ns.link_up(CLIENT_IF)
        # Processes a client forked (dhcpcd's privilege-separation
        # helpers) must not keep the namespace alive after the test.
        self.tc.addCleanup(_kill_leftovers_in, ns)
        self.clients.append(ns)
        return ns

    def mac_of(self, ns):
        out = ns.ip('-j', 'link', 'show', 'dev', CLIENT_IF)
        return json.loads(out)[0]['address']


def _kill_leftovers_in(ns):
    """Kill what still runs in a namespace this harness created (only
    processes started by our clients can be there)."""
    p = nt._ip('netns', 'pids', ns.name, check=False)
    for pid in p.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ValueError, OSError):
            pass


# --------------------------------------------------------------------------
# Lease files (dnsmasq format, CONTRACT.md section 5)

class Lease:
    __slots__ = ('expiry', 'mac', 'ip', 'name', 'clid', 'line')

    def __init__(self, expiry, mac, ip, name, clid, line):
        self.expiry, self.mac, self.ip, self.name, self.clid, self.line = \
            expiry, mac, ip, name, clid, line

    def __repr__(self):
        return 'Lease(%r)' % self.line


class LeaseFileError(AssertionError):
    pass


def parse_lease_line(line):
    """One IPv4 lease line; raises LeaseFileError when it is not one."""
    fields = line.split()
    if len(fields) != 5:
        raise LeaseFileError('lease line has %d fields, not 5: %r' % (len(fields), line))
    expiry, mac, ip, name, clid = fields
    if not expiry.isdigit():
        raise LeaseFileError('bad expiry in %r' % line)
    try:
        socket.inet_pton(socket.AF_INET, ip)
    except OSError:
        raise LeaseFileError('bad address in %r' % line)
    return Lease(int(expiry), mac, ip, None if name == '*' else name,
                 None if clid == '*' else clid, line)


def read_leases(path, strict=True):
    """The IPv4 leases of a dnsmasq lease file ([] when it does not
    exist).  strict: every line must be an IPv4 lease line (no DHCPv6 is
    configured by these tests); otherwise a last line cut short is
    ignored (a file read while it is being written)."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    elif lines and not strict:
        lines.pop()
    out = []
    for line in lines:
        if not line.strip():
            if strict:
                raise LeaseFileError('%s: empty line' % path)
            continue
        out.append(parse_lease_line(line))
    return out


def read_durable(path):
    """What a restarted daemon would load: the lease file, then (hearthd)
    the journal beside it replayed ("add <lease line>", "del <address>";
    a torn last line is skipped).  A dict address -> Lease."""
    leases = {l.ip: l for l in read_leases(path)}
    try:
        with open(path + '.journal') as f:
            text = f.read()
    except FileNotFoundError:
        return leases
    lines = text.split('\n')
    lines.pop()                 # '' after the last newline, or a torn line
    for line in lines:
        kind, _, rest = line.partition(' ')
        if kind == 'add':
            try:
                lease = parse_lease_line(rest)
            except LeaseFileError:
                continue
            leases[lease.ip] = lease
        elif kind == 'del':
            leases.pop(rest.strip(), None)
    return leases


# --------------------------------------------------------------------------
# The lease script (--dhcp-script)

_RECORDER = r'''#!/usr/bin/python3
# Records each call: argv and the DNSMASQ_* environment, one JSON line.
import json, os, sys
out = %(out)r
with open(out, 'a') as f:
    f.write(json.dumps({'argv': sys.argv[1:],
                        'env': {k: v for k, v in os.environ.items()
                                if k.startswith('DNSMASQ_')}}) + '\n')
if len(sys.argv) > 1 and sys.argv[1] == 'init':
    sys.stdout.write(%(init)r)
sys.exit(0)
'''


class ScriptRecorder:
    """A --dhcp-script that appends one JSON line per call to a file; with
    init_text, prints that text for `init` (the --leasefile-ro lease
    database)."""

    def __init__(self, directory, init_text=''):
        self.out = os.path.join(directory, 'script-calls')
        self.path = write_file(os.path.join(directory, 'lease-script'),
                               _RECORDER % {'out': self.out, 'init': init_text}, 0o755)

    def calls(self):
        try:
            with open(self.out) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(l) for l in lines if l.strip()]

    def wait_call(self, pred, timeout=5.0):
        """The first call for which pred(call) is true, waiting for it;
        None if none came within timeout."""
        found = []

        def check():
            for c in self.calls():
                if pred(c):
                    found.append(c)
                    return True
            return False
        nt.wait_for(check, timeout, interval=0.05)
        return found[0] if found else None


# --------------------------------------------------------------------------
# Real clients

class Binding:
    """What a client was given, the same for every client."""

    def __init__(self, ip, mask, routers, dns, domain, search, lease, raw):
        self.ip, self.mask, self.routers, self.dns = ip, mask, routers, dns
        self.domain, self.search, self.lease, self.raw = domain, search, lease, raw

    def __repr__(self):
        return 'Binding(%r)' % (self.raw,)


def _words(v):
    return v.split() if v else []


class Client:
    """One client process in a client namespace.  Its hook script appends
    a block of KEY=VALUE lines ended by '----' to self.events_path for
    every event; subclasses say how to start it, which events mean
    "bound", and how to read a Binding from an event."""

    name = 'client'
    bound_events = ()

    def __init__(self, testcase, ns, hostname=None, directory=None):
        self.tc = testcase
        self.ns = ns
        self.hostname = hostname
        # A client given the directory of an earlier one starts with its
        # saved lease (INIT-REBOOT); the event log starts afresh.
        self.dir = directory or tmpdir(testcase, prefix='hearth-%s-' % self.name)
        self.events_path = os.path.join(self.dir, 'events')
        if os.path.exists(self.events_path):
            os.rename(self.events_path, self.events_path + '.%d' % time.monotonic_ns())
        self.argv = None
        self._log = tempfile.TemporaryFile(prefix='hearth-client-')
        self.proc = None

    # ---- process -------------------------------------------------------

    def _spawn(self, argv):
        full = ['ip', 'netns', 'exec', self.ns.name] + [str(a) for a in argv]
        self.argv = full
        self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=self._log, env=_client_env(),
                                     preexec_fn=_die_with_parent)
        self.tc.addCleanup(self.stop)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        self._stop_process()
        self._log.close()

    def _stop_process(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(3)
                except subprocess.TimeoutExpired:
                    pass

    def output(self):
        try:
            self._log.flush()
            self._log.seek(0)
            return self._log.read().decode('utf-8', 'replace')
        except ValueError:
            return ''

    def describe(self):
        return ('\n--- %s: %s ---\n%s--- events ---\n%s--- end ---'
                % (self.name, ' '.join(self.argv or []), self.output(),
                   json.dumps(self.events(), indent=1)))

    # ---- events --------------------------------------------------------

    def events(self):
        try:
            with open(self.events_path) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        out = []
        cur = {}
        for line in text.splitlines():
            if line == '----':
                out.append(cur)
                cur = {}
            elif '=' in line:
                k, v = line.split('=', 1)
                cur[k] = v
        return out

    def event_names(self):
        return [e.get('EVENT') for e in self.events()]

    def wait_event(self, names, timeout):
        found = []

        def check():
            for e in self.events():
                if e.get('EVENT') in names:
                    found.append(e)
                    return True
            return False
        nt.wait_for(check, timeout, interval=0.05)
        return found[0] if found else None

    def wait_bound(self, timeout=CLIENT_START_TIMEOUT):
        """The Binding once the client reported one; None if it did not
        within timeout or exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            e = self.wait_event(self.bound_events, 0.1)
            if e is not None:
                return self.binding(e)
            if not self.running():
                e = self.wait_event(self.bound_events, 0.2)
                return self.binding(e) if e is not None else None
        return None

    def binding(self, event):
        raise NotImplementedError

    def release(self, timeout=5.0):
        raise NotImplementedError


def _client_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('NOTIFY_', 'LISTEN_', 'DNSMASQ_'))}
    env['LC_ALL'] = 'C'
    env['PATH'] = '/usr/sbin:/usr/bin:/sbin:/bin'
    return env


# Hook script shared by the clients: records the event, and for the clients
# that leave configuration to their script (dhclient, udhcpc) configures or
# removes the address first, as the distribution scripts do (release is
# sent by unicast from the configured address).
_HOOK = r'''#!/bin/sh
EVENT="${reason:-$1}"
case "%(kind)s:$EVENT" in
  udhcpc:bound|udhcpc:renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface" ;;
  udhcpc:deconfig)
    ip addr flush dev "$interface" ;;
  dhclient:BOUND|dhclient:RENEW|dhclient:REBIND|dhclient:REBOOT)
    ip addr flush dev "$interface"
    ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  dhclient:RELEASE|dhclient:EXPIRE|dhclient:FAIL|dhclient:STOP)
    ip addr flush dev "$interface" ;;
esac
{
  echo "EVENT=$EVENT"
  env | grep -E '^(ip|subnet|mask|router|dns|domain|search|lease|hostname|interface)=' | sort
  env | grep -E '^(new_[a-z_]+|old_ip_address)=' | sort
  echo ----
} > "%(events)s.tmp.$$"
cat "%(events)s.tmp.$$" >> "%(events)s"
rm -f "%(events)s.tmp.$$"
exit 0
'''


def _hook(client, kind):
    return write_file(os.path.join(client.dir, 'hook'),
                      _HOOK % {'kind': kind, 'events': client.events_path}, 0o755)


class Udhcpc(Client):
    """busybox udhcpc in the foreground; releases on exit (-R)."""

    name = 'udhcpc'
    bound_events = ('bound',)

    def __init__(self, testcase, ns, hostname=None, directory=None, extra=()):
        super().__init__(testcase, ns, hostname, directory)
        binary = find_binary(UDHCPC)
        argv = [binary] if not binary.endswith('busybox') else [binary, 'udhcpc']
        argv += ['-i', CLIENT_IF, '-f', '-R', '-s', _hook(self, 'udhcpc'),
                 '-O', 'search', '-t', '20', '-T', '1', '-A', '1']
        if hostname:
            argv += ['-x', 'hostname:' + hostname]
        argv += list(extra)
        self._spawn(argv)

    def binding(self, e):
        return Binding(e.get('ip'), e.get('subnet'), _words(e.get('router')),
                       _words(e.get('dns')), e.get('domain'), _words(e.get('search')),
                       int(e['lease']) if e.get('lease') else None, e)

    def release(self, timeout=5.0):
        """SIGTERM: with -R, udhcpc sends DHCPRELEASE and exits."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None


_DHCLIENT_CONF = '''timeout 30;
reboot 2;
retry 1;
initial-interval 1;
%(send)s
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers,
        domain-search, host-name, dhcp-lease-time;
'''


class Dhclient(Client):
    """ISC dhclient in the foreground (-d) with its own config, lease
    file and pid file; release through `dhclient -r` as a distribution
    does."""

    name = 'dhclient'
    bound_events = ('BOUND', 'REBOOT')

    def __init__(self, testcase, ns, hostname=None, directory=None, extra=()):
        super().__init__(testcase, ns, hostname, directory)
        self.binary = find_binary(DHCLIENT)
        send = 'send host-name "%s";' % hostname if hostname else ''
        self.conf = write_file(os.path.join(self.dir, 'dhclient.conf'),
                               _DHCLIENT_CONF % {'send': send})
        self.common = ['-4', '-v', '-cf', self.conf,
                       '-lf', os.path.join(self.dir, 'dhclient.leases'),
                       '-pf', os.path.join(self.dir, 'dhclient.pid'),
                       '-sf', _hook(self, 'dhclient')]
        self._spawn([self.binary, '-d', '-1'] + self.common + list(extra) + [CLIENT_IF])

    def binding(self, e):
        return Binding(e.get('new_ip_address'), e.get('new_subnet_mask'),
                       _words(e.get('new_routers')), _words(e.get('new_domain_name_servers')),
                       e.get('new_domain_name'),
                       [s.rstrip('.') for s in _words(e.get('new_domain_search'))],
                       int(e['new_dhcp_lease_time']) if e.get('new_dhcp_lease_time') else None,
                       e)

    def release(self, timeout=5.0):
        """`dhclient -r`: stops the running client (pid file) and sends
        DHCPRELEASE."""
        argv = ['ip', 'netns', 'exec', self.ns.name, self.binary, '-r'] + self.common \
            + [CLIENT_IF]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=_client_env())
        self.release_output = p.stdout.decode('utf-8', 'replace')
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        return p.returncode


_DHCPCD_CONF = '''# hearth test: no ARP probe, no link-local fallback, no start-up delay
noarp
noipv4ll
nodelay
option subnet_mask, routers, domain_name_servers, domain_name, domain_search,
option host_name, dhcp_lease_time
'''


class Dhcpcd(Client):
    """dhcpcd in the foreground (-B), IPv4 only, with its state and run
    directories bind-mounted from the test's directory (inside the
    private mount namespace `ip netns exec` makes), so nothing of the
    machine's own dhcpcd is touched.  Release: SIGALRM, which dhcpcd
    answers by releasing its lease and exiting."""

    name = 'dhcpcd'
    bound_events = ('BOUND', 'REBOOT')

    def __init__(self, testcase, ns, hostname=None, directory=None, extra=()):
        super().__init__(testcase, ns, hostname, directory)
        binary = find_binary(DHCPCD)
        run_dir = os.path.join(self.dir, 'run')
        db_dir = os.path.join(self.dir, 'db')
        os.makedirs(run_dir, 0o755, exist_ok=True)
        os.makedirs(db_dir, 0o755, exist_ok=True)
        conf = write_file(os.path.join(self.dir, 'dhcpcd.conf'), _DHCPCD_CONF)
        cmd = [binary, '-4', '-B', '-t', '20', '-f', conf, '-c', _hook(self, 'dhcpcd')]
        if hostname:
            cmd += ['-h', hostname]
        cmd += list(extra)
        cmd.append(CLIENT_IF)
        shell = ('mount --bind %s /run && mount --bind %s /var/lib/dhcpcd && exec %s'
                 % (run_dir, db_dir, ' '.join(cmd)))
        self._spawn(['sh', '-c', shell])

    def binding(self, e):
        return Binding(e.get('new_ip_address'), e.get('new_subnet_mask'),
                       _words(e.get('new_routers')), _words(e.get('new_domain_name_servers')),
                       e.get('new_domain_name'),
                       [s.rstrip('.') for s in _words(e.get('new_domain_search'))],
                       int(e['new_dhcp_lease_time']) if e.get('new_dhcp_lease_time') else None,
                       e)

    def release(self, timeout=5.0):
        self.proc.send_signal(signal.SIGALRM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None


CLIENTS = {'udhcpc': (Udhcpc, UDHCPC), 'dhclient': (Dhclient, DHCLIENT),
           'dhcpcd': (Dhcpcd, DHCPCD)}


# --------------------------------------------------------------------------
# DHCP messages for DoraClient

MAGIC = b'\x63\x82\x53\x63'
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = 1, 2, 3, 4, 5, 6, 7, 8


def build_message(msg_type, xid, mac, options=(), ciaddr='0.0.0.0', broadcast=True,
                  prl=(1, 3, 6, 51)):
    """A BOOTREQUEST with the given DHCP message type, extra options
    ((code, bytes) pairs) and parameter request list."""
    head = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, 0,
                       0x8000 if broadcast else 0, socket.inet_aton(ciaddr),
                       b'\0' * 4, b'\0' * 4, b'\0' * 4, mac + b'\0' * 10, b'', b'')
    opts = bytes([53, 1, msg_type])
    for code, value in options:
        opts += bytes([code, len(value)]) + value
    opts += bytes([55, len(prl)]) + bytes(prl) + b'\xff'
    return head + MAGIC + opts


def parse_options(area, opts, order):
    """Options of one area into opts (code -> bytes, repeated codes
    concatenated as RFC 3396 says) and order (codes as met).  Stops at END
    or at an option cut short."""
    pos = 0
    while pos < len(area):
        code = area[pos]
        if code == 255:
            break
        if code == 0:
            pos += 1
            continue
        if len(area) - pos < 2:
            break
        n = area[pos + 1]
        if len(area) - pos - 2 < n:
            break
        value = area[pos + 2:pos + 2 + n]
        if code in opts:
            opts[code] += value
        else:
            opts[code] = value
            order.append(code)
        pos += 2 + n


def parse_reply(data):
    """(xid, chaddr, yiaddr, message type, options dict) of a BOOTREPLY,
    or None for anything else."""
    if len(data) < 240 or data[0] != 2 or data[236:240] != MAGIC:
        return None
    xid = struct.unpack('!I', data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    chaddr = data[28:34]
    opts = {}
    parse_options(data[240:], opts, [])
    mtype = opts.get(53, b'\0')[0] if opts.get(53) else None
    return xid, chaddr, yiaddr, mtype, opts


def inform(ns, ciaddr, mac, server, timeout=3.0):
    """A DHCPINFORM from ciaddr (configured in ns) to server, as a client
    with a static address asks for options; the reply as parse_reply()
    gives it, or None."""
    with ns.entered():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ciaddr, 68))
        xid = random.getrandbits(32)
        msg = build_message(INFORM, xid, mac, ciaddr=ciaddr, broadcast=False,
                            prl=(1, 3, 6, 15, 119))
        deadline = time.monotonic() + timeout
        next_send = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send:
                s.sendto(msg, (server, 67))
                next_send = time.monotonic() + 1.0
            s.settimeout(max(0.01, min(next_send, deadline) - time.monotonic()))
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            reply = parse_reply(data)
            if reply is not None and reply[0] == xid:
                return reply
        return None
    finally:
        s.close()


def mac_text(mac):
    return ':'.join('%02x' % b for b in mac)


class DoraClient:
    """Many DHCP clients in one: DISCOVER then REQUEST for made-up MACs
    (02:xx locally administered), from a UDP socket on port 68 bound to
    the client namespace's eth0, replies asked for by broadcast.  Keeps
    `window` exchanges in flight, retransmits after `retry` seconds.

    .acked maps MAC text -> address of every ACK received; .offers
    address per MAC of every OFFER."""

    def __init__(self, ns, window=64, retry=0.5, tries=4, seed=None):
        self.ns = ns
        self.window = window
        self.retry = retry
        self.tries = tries
        self.rng = random.Random(seed)
        with ns.entered():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, CLIENT_IF.encode())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind(('0.0.0.0', 68))
        s.setblocking(False)
        self.sock = s
        self.acked = {}
        self.naks = 0
        self.offers = {}
        self.sent = 0
        self._pending = {}          # xid -> [mac, state, server, yiaddr, tries, when]
        self._macs = set()

    def close(self):
        self.sock.close()

    def new_mac(self):
        while True:
            mac = bytes([0x02, 0x4d]) + self.rng.getrandbits(32).to_bytes(4, 'big')
            if mac not in self._macs:
                self._macs.add(mac)
                return mac

    def _send(self, data):
        try:
            self.sock.sendto(data, ('255.255.255.255', 67))
            self.sent += 1
        except (BlockingIOError, OSError):
            pass                    # counted as lost; retransmitted later

    def _transmit(self, xid, p):
        mac, state, server, yiaddr = p[0], p[1], p[2], p[3]
        if state == 'discover':
            self._send(build_message(DISCOVER, xid, mac))
        else:
            self._send(build_message(REQUEST, xid, mac,
                                     [(50, socket.inet_aton(yiaddr)),
                                      (54, server)]))
        p[4] += 1
        p[5] = time.monotonic()

    def start(self, mac=None):
        xid = self.rng.getrandbits(32)
        while xid in self._pending:
            xid = self.rng.getrandbits(32)
        p = [mac or self.new_mac(), 'discover', None, None, 0, 0.0]
        self._pending[xid] = p
        self._transmit(xid, p)
        return xid

    def discover_only(self, mac, timeout=2.0):
        """One DISCOVER for mac; the offered address or None."""
        r = self.discover_reply(mac, timeout)
        return r[1][2] if r else None

    def discover_reply(self, mac, timeout=2.0, prl=(1, 3, 6, 51), resend=0.5):
        """One DISCOVER for mac (sent again every resend s); (seconds until
        the offer, parse_reply() of it) or None."""
        xid = self.rng.getrandbits(32)
        start = time.monotonic()
        deadline = start + timeout
        next_send = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send:
                self._send(build_message(DISCOVER, xid, mac, prl=prl))
                next_send = time.monotonic() + resend
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            while True:
                try:
                    data = self.sock.recv(4096)
                except (BlockingIOError, OSError):
                    break
                msg = parse_reply(data)
                if msg and msg[0] == xid and msg[3] == OFFER:
                    return time.monotonic() - start, msg
        return None

    def drain(self):
        """Handle every reply already queued on the socket."""
        while True:
            try:
                data = self.sock.recv(4096)
            except (BlockingIOError, OSError):
                return
            self._handle(data)

    def _handle(self, data):
        msg = parse_reply(data)
        if msg is None:
            return
        xid, chaddr, yiaddr, mtype, opts = msg
        p = self._pending.get(xid)
        if p is None or p[0] != chaddr:
            return
        if mtype == OFFER and p[1] == 'discover':
            self.offers[mac_text(chaddr)] = yiaddr
            p[1], p[2], p[3], p[4] = 'request', opts.get(54, b''), yiaddr, 0
            self._transmit(xid, p)
        elif mtype == ACK and p[1] == 'request':
            self.acked[mac_text(chaddr)] = yiaddr
            del self._pending[xid]
        elif mtype == NAK:
            self.naks += 1
            del self._pending[xid]

    def run(self, duration, limit=None, stop=None, rate=None, burst=1, kill_at=None,
            kill=None):
        """Run exchanges for duration seconds (or until limit new
        exchanges were started and finished, or stop() is true), starting
        at most rate new ones per second, in groups of burst (so the
        server has a queue to work through now and then).  Unfinished
        exchanges stay pending (see abandon()).

        With kill: kill() is called once, at the first moment after
        kill_at seconds when REQUESTs are waiting for their ACK (the
        server is committing leases then); returns how many were."""
        start = time.monotonic()
        killed = None
        deadline = start + duration
        started = 0
        while True:
            now = time.monotonic()
            if now >= deadline or (stop is not None and stop()):
                return killed
            allowed = limit if limit is not None else float('inf')
            if rate is not None:
                allowed = min(allowed, burst * (1 + int(rate * (now - start) / burst)))
            while len(self._pending) < self.window and started < allowed:
                self.start()
                started += 1
            for xid, p in list(self._pending.items()):
                if now - p[5] >= self.retry:
                    if p[4] >= self.tries:
                        del self._pending[xid]
                    else:
                        self._transmit(xid, p)
            r, _, _ = select.select([self.sock], [], [], min(0.005, max(0.0, deadline - now)))
            if r:
                self.drain()
            if kill is not None and killed is None and time.monotonic() - start >= kill_at:
                waiting = sum(1 for p in self._pending.values() if p[1] == 'request')
                if waiting:
                    kill()
                    killed = waiting
            if limit is not None and started >= limit and not self._pending:
                return killed

    def abandon(self):
        self._pending.clear()
