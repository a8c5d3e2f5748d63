#!/usr/bin/python3
"""Records rtnetlink traffic for the netlink monitor's unit test and fuzz corpus.

hearth's net monitor takes raw netlink datagrams (concatenated nlmsghdr
messages, exactly as the kernel sends them).  Its unit test and fuzz target
need realistic input without needing root or a live kernel, so this script
produces it once: as root it creates a private network namespace per
scenario, opens a NETLINK_ROUTE socket inside it subscribed to link and
address notifications, runs scripted `ip -n NS ...` commands and saves every
datagram the kernel sent.  The files are committed; the script is kept so
they can be regenerated and so the README listing what they contain can be
rebuilt from them.

Modes:
  record-netlink.py                 record all scenarios (root), write the
                                    .nl files, the README and the fuzz seeds
  record-netlink.py SCENARIO...     record only those scenarios
  record-netlink.py --describe FILE print the messages in a recording
  record-netlink.py --readme        rebuild data/README.md from the files
  record-netlink.py --make-seeds    write the hand-made fuzz edge cases

Only the Debian /usr/bin/python3 standard library is used.  Every namespace
is deleted again (try/finally) and every wait has a deadline.
"""

import ctypes
import errno
import glob
import os
import secrets
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, 'data')
SEED_DIR = os.path.join(HERE, '..', 'fuzz', 'corpus', 'netlink')
SEED_MAX = 4096

NETLINK_ROUTE = 0
CLONE_NEWNET = 0x40000000

# Legacy multicast group bits for bind(); the bit for group N is 1 << (N-1).
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV6_IFADDR = 0x100

NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_DELADDR = 21
RTM_GETADDR = 22

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_DUMP = 0x300

MSG_NAMES = {
    NLMSG_NOOP: 'NLMSG_NOOP', NLMSG_ERROR: 'NLMSG_ERROR',
    NLMSG_DONE: 'NLMSG_DONE', RTM_NEWLINK: 'RTM_NEWLINK',
    RTM_DELLINK: 'RTM_DELLINK', RTM_GETLINK: 'RTM_GETLINK',
    RTM_NEWADDR: 'RTM_NEWADDR', RTM_DELADDR: 'RTM_DELADDR',
    RTM_GETADDR: 'RTM_GETADDR',
}

NLMSGHDR = struct.Struct('=IHHII')      # len, type, flags, seq, pid
IFINFOMSG = struct.Struct('=BxHiII')    # family, type, index, flags, change
IFADDRMSG = struct.Struct('=BBBBI')     # family, prefixlen, flags, scope, index
RTATTR = struct.Struct('=HH')           # len, type

IFF_UP = 0x1
IFF_RUNNING = 0x40
IFF_LOWER_UP = 0x10000

IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_OPERSTATE = 16
IFLA_LINKINFO = 18
IFLA_CARRIER = 33
IFLA_INFO_KIND = 1

IFA_ADDRESS = 1
IFA_LOCAL = 2
IFA_LABEL = 3
IFA_FLAGS = 8

OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing',
              'dormant', 'up']

IFA_FLAG_NAMES = [
    (0x1, 'secondary'), (0x2, 'nodad'), (0x4, 'optimistic'),
    (0x8, 'dadfailed'), (0x10, 'homeaddress'), (0x20, 'deprecated'),
    (0x40, 'tentative'), (0x80, 'permanent'), (0x100, 'managetempaddr'),
    (0x200, 'noprefixroute'), (0x400, 'mcautojoin'),
    (0x800, 'stable-privacy'),
]


def nlmsg_align(n):
    return (n + 3) & ~3


# --- decoding ---------------------------------------------------------------

def split_messages(buf):
    """Yield (type, flags, seq, payload) for each message in a stream.

    Stops at the first message whose length is unusable, as a consumer must.
    """
    off = 0
    while off + NLMSGHDR.size <= len(buf):
        length, mtype, flags, seq, _pid = NLMSGHDR.unpack_from(buf, off)
        if length < NLMSGHDR.size or off + length > len(buf):
            yield ('BAD', length, off)
            return
        yield (mtype, flags, seq, buf[off + NLMSGHDR.size:off + length])
        off += nlmsg_align(length)
    if off < len(buf):
        yield ('TRAILING', len(buf) - off, off)


def parse_attrs(buf):
    attrs = {}
    off = 0
    while off + RTATTR.size <= len(buf):
        alen, atype = RTATTR.unpack_from(buf, off)
        if alen < RTATTR.size or off + alen > len(buf):
            break
        # Strip NLA_F_NESTED / NLA_F_NET_BYTEORDER; keep the first copy.
        attrs.setdefault(atype & 0x3fff, buf[off + RTATTR.size:off + alen])
        off += nlmsg_align(alen)
    return attrs


def link_kind(attrs):
    """IFLA_INFO_KIND from the nested IFLA_LINKINFO, or ''."""
    info = parse_attrs(attrs.get(IFLA_LINKINFO, b''))
    return info.get(IFLA_INFO_KIND, b'').split(b'\0', 1)[0].decode(
        'ascii', 'replace')


def format_addr(family, raw):
    try:
        if family == socket.AF_INET and len(raw) == 4:
            return socket.inet_ntop(socket.AF_INET, raw)
        if family == socket.AF_INET6 and len(raw) == 16:
            return socket.inet_ntop(socket.AF_INET6, raw)
    except ValueError:
        pass
    return 'raw:' + raw.hex()


def flag_names(value):
    names = [n for bit, n in IFA_FLAG_NAMES if value & bit]
    rest = value & ~sum(bit for bit, _ in IFA_FLAG_NAMES)
    if rest:
        names.append('0x%x' % rest)
    return ','.join(names) if names else '-'


def describe_message(mtype, flags, payload):
    name = MSG_NAMES.get(mtype, 'type=%d' % mtype)
    if mtype in (RTM_NEWLINK, RTM_DELLINK):
        if len(payload) < IFINFOMSG.size:
            return '%s (truncated ifinfomsg, %d bytes)' % (name, len(payload))
        family, _ltype, index, ifflags, _change = IFINFOMSG.unpack_from(payload)
        attrs = parse_attrs(payload[IFINFOMSG.size:])
        ifname = attrs.get(IFLA_IFNAME, b'').split(b'\0', 1)[0].decode(
            'utf-8', 'replace')
        op = attrs.get(IFLA_OPERSTATE)
        opstr = '-'
        if op is not None and len(op) >= 1:
            opstr = '%d(%s)' % (op[0], OPERSTATES[op[0]]
                                if op[0] < len(OPERSTATES) else '?')
        carrier = attrs.get(IFLA_CARRIER)
        carrierstr = str(carrier[0]) if carrier else '-'
        kind = link_kind(attrs)
        return ('%s ifindex=%d ifname=%s family=%d up=%d running=%d '
                'lower_up=%d operstate=%s carrier=%s%s'
                % (name, index, ifname, family,
                   1 if ifflags & IFF_UP else 0,
                   1 if ifflags & IFF_RUNNING else 0,
                   1 if ifflags & IFF_LOWER_UP else 0,
                   opstr, carrierstr, ' kind=' + kind if kind else ''))
    if mtype in (RTM_NEWADDR, RTM_DELADDR):
        if len(payload) < IFADDRMSG.size:
            return '%s (truncated ifaddrmsg, %d bytes)' % (name, len(payload))
        family, plen, aflags, scope, index = IFADDRMSG.unpack_from(payload)
        attrs = parse_attrs(payload[IFADDRMSG.size:])
        # IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer
        # on point-to-point links and the same address otherwise.  IPv6
        # sends only IFA_ADDRESS.
        raw = attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS, b''))
        full = aflags
        if IFA_FLAGS in attrs and len(attrs[IFA_FLAGS]) >= 4:
            full = struct.unpack_from('=I', attrs[IFA_FLAGS])[0]
        label = ''
        if IFA_LABEL in attrs:
            label = ' label=' + attrs[IFA_LABEL].split(b'\0', 1)[0].decode(
                'utf-8', 'replace')
        fam = {socket.AF_INET: 'inet', socket.AF_INET6: 'inet6'}.get(
            family, str(family))
        return ('%s ifindex=%d family=%s address=%s/%d scope=%d '
                'ifa_flags=0x%02x IFA_FLAGS=0x%x(%s)%s'
                % (name, index, fam, format_addr(family, raw), plen, scope,
                   aflags, full, flag_names(full), label))
    if mtype == NLMSG_ERROR:
        if len(payload) >= 4:
            return '%s error=%d' % (name, struct.unpack_from('=i', payload)[0])
        return '%s (truncated)' % name
    return name


def describe(buf):
    lines = []
    for n, item in enumerate(split_messages(buf)):
        if item[0] == 'BAD':
            lines.append('%02d BAD nlmsg_len=%d at offset %d'
                         % (n, item[1], item[2]))
            break
        if item[0] == 'TRAILING':
            lines.append('-- %d trailing bytes at offset %d' % (item[1],
                                                                item[2]))
            break
        mtype, flags, _seq, payload = item
        lines.append('%02d %s' % (n, describe_message(mtype, flags, payload)))
    return lines


# --- namespaces and sockets -------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, 'setns: ' + os.strerror(err))


def socket_in_netns(ns, groups):
    """A NETLINK_ROUTE socket created inside namespace ns.

    setns changes only the calling thread's namespace; a socket belongs to
    the namespace it was created in for its whole life, so we step in,
    create it and step back out at once.
    """
    home = os.open('/proc/self/ns/net', os.O_RDONLY | os.O_CLOEXEC)
    target = os.open('/run/netns/' + ns, os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns(target)
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                 NETLINK_ROUTE)
        finally:
            setns(home)
    finally:
        os.close(target)
        os.close(home)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, groups))
    return sock


def recv_until(sock, out, quiet, deadline, done=None):
    """Append kernel datagrams to out until quiet seconds pass without one
    (after done(out) holds, if given) or the absolute deadline passes."""
    last = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            return done is None or done(out)
        satisfied = done is None or done(out)
        if satisfied and now - last >= quiet:
            return True
        wait = min(deadline - now, 0.05 if not satisfied else quiet)
        r, _, _ = select.select([sock], [], [], max(wait, 0.01))
        if not r:
            continue
        data, (pid, _groups) = sock.recvfrom(1 << 16)
        if pid != 0:
            continue           # not from the kernel
        out.append(data)
        last = time.monotonic()


def run(ns, args):
    cmd = ['ip', '-n', ns] + expand(args)
    subprocess.run(cmd, check=True, timeout=10, stdout=subprocess.DEVNULL)


def no_tentative(ns):
    """True once no address in the namespace is still doing DAD."""
    r = subprocess.run(['ip', '-n', ns, '-6', 'addr', 'show', 'tentative'],
                       check=True, timeout=10, capture_output=True)
    return r.stdout.strip() == b''


# --- scenarios --------------------------------------------------------------
#
# Each step is (ip arguments, wait).  wait is None (drain until the kernel
# goes quiet) or 'settle' (also wait until no address is tentative, so the
# link-local DAD completions land at a fixed point in the recording).
# The veth and dummy MAC addresses are fixed so the link-local addresses
# (derived from them) are the same each time the files are regenerated.
#
# PSEUDO stands for the link type of the stand-alone pseudo interface:
# 'dummy' where the kernel has it, else 'ifb' (a kernel built without
# CONFIG_DUMMY, as on the machine the files were first recorded on).  ifb
# behaves the same for our purpose: NOARP, no peer, operstate unknown when up.

PSEUDO = '@pseudo'
pseudo_kind = 'dummy'


def expand(args):
    return [pseudo_kind if a == PSEUDO else a for a in args]


def probe_pseudo_kind():
    global pseudo_kind
    for kind in ('dummy', 'ifb'):
        with Namespace() as ns:
            r = subprocess.run(['ip', '-n', ns, 'link', 'add', 'probe0',
                                'type', kind], timeout=10,
                               capture_output=True)
        if r.returncode == 0:
            pseudo_kind = kind
            return
    raise RuntimeError('neither dummy nor ifb links are available')


VETH = ['link', 'add', 'vh0', 'address', '02:00:00:00:99:00', 'type', 'veth',
        'peer', 'name', 'vh1', 'address', '02:00:00:00:99:01']

SCENARIOS = {
    'veth-lifecycle': [
        (VETH, None),
        (['link', 'set', 'vh0', 'up'], None),
        (['link', 'set', 'vh1', 'up'], 'settle'),
        (['addr', 'add', '10.99.0.1/24', 'dev', 'vh0'], None),
        (['addr', 'add', '2001:db8:99::1/64', 'dev', 'vh0', 'nodad'], None),
        (['addr', 'add', '10.99.1.1/24', 'dev', 'vh0'], None),
        (['addr', 'del', '10.99.1.1/24', 'dev', 'vh0'], None),
        (['link', 'set', 'vh1', 'down'], None),
        (['link', 'set', 'vh1', 'up'], 'settle'),
        (['link', 'del', 'vh0'], None),
    ],
    'rename': [
        (['link', 'add', 'dm0', 'address', '02:00:00:00:98:00',
          'type', PSEUDO], None),
        (['addr', 'add', '10.98.0.1/24', 'dev', 'dm0'], None),
        (['link', 'set', 'dm0', 'up'], 'settle'),
        (['link', 'set', 'dm0', 'down'], None),
        (['link', 'set', 'dm0', 'name', 'dm1'], None),
        (['link', 'del', 'dm1'], None),
    ],
    'ipv6-dad': [
        (['link', 'add', 'vh0', 'address', '02:00:00:00:97:00', 'type',
          'veth', 'peer', 'name', 'vh1', 'address', '02:00:00:00:97:01'],
         None),
        (['link', 'set', 'vh0', 'up'], None),
        (['link', 'set', 'vh1', 'up'], 'settle'),
        (['addr', 'add', '2001:db8:97::1/64', 'dev', 'vh0'], 'settle'),
    ],
}

# The dump scenario: setup commands (not recorded), then two dump requests
# on a socket without multicast groups, so only the replies are saved.
DUMP_SETUP = [
    ['link', 'set', 'lo', 'up'],
    VETH,
    ['link', 'add', 'dm0', 'address', '02:00:00:00:98:00', 'type', PSEUDO],
    ['addr', 'add', '10.99.0.1/24', 'dev', 'vh0'],
    ['addr', 'add', '2001:db8:99::1/64', 'dev', 'vh0', 'nodad'],
    ['addr', 'add', '10.99.0.2/24', 'dev', 'vh1'],
    ['addr', 'add', '2001:db8:99::2/64', 'dev', 'vh1', 'nodad'],
    ['addr', 'add', '10.98.0.1/24', 'dev', 'dm0'],
    ['link', 'set', 'vh0', 'up'],
    ['link', 'set', 'vh1', 'up'],
    ['link', 'set', 'dm0', 'up'],
]

QUIET = 0.4          # seconds of silence that end a step
STEP_DEADLINE = 4.0  # hard bound for a plain step
SETTLE_DEADLINE = 12.0


class Namespace:
    def __init__(self):
        self.name = 'hearth-rec-' + secrets.token_hex(3)

    def __enter__(self):
        subprocess.run(['ip', 'netns', 'add', self.name], check=True,
                       timeout=10)
        return self.name

    def __exit__(self, *exc):
        subprocess.run(['ip', 'netns', 'del', self.name], timeout=10)
        return False


def record_scenario(steps):
    datagrams = []
    with Namespace() as ns:
        sock = socket_in_netns(ns, RTMGRP_LINK | RTMGRP_IPV4_IFADDR
                               | RTMGRP_IPV6_IFADDR)
        try:
            for args, wait in steps:
                run(ns, args)
                if wait == 'settle':
                    limit = time.monotonic() + SETTLE_DEADLINE
                    ok = recv_until(sock, datagrams, QUIET, limit,
                                    done=lambda _o: no_tentative(ns))
                    if not ok:
                        raise RuntimeError('DAD did not finish after %s'
                                           % ' '.join(args))
                else:
                    recv_until(sock, datagrams, QUIET,
                               time.monotonic() + STEP_DEADLINE)
        finally:
            # Close before the namespace goes: the socket holds a reference.
            sock.close()
    return datagrams


def dump_request(sock, seq, mtype, body):
    msg = NLMSGHDR.pack(NLMSGHDR.size + len(body), mtype,
                        NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body
    sock.sendto(msg, (0, 0))
    replies = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], 0.2)
        if not r:
            continue
        data, (pid, _g) = sock.recvfrom(1 << 16)
        if pid != 0:
            continue
        replies.append(data)
        types = [m[0] for m in split_messages(data)]
        if NLMSG_DONE in types or NLMSG_ERROR in types:
            return replies
    raise RuntimeError('dump of type %d did not finish' % mtype)


def record_dump():
    with Namespace() as ns:
        for args in DUMP_SETUP:
            run(ns, args)
        limit = time.monotonic() + SETTLE_DEADLINE
        while not no_tentative(ns):
            if time.monotonic() > limit:
                raise RuntimeError('DAD did not finish in the dump setup')
            time.sleep(0.1)
        sock = socket_in_netns(ns, 0)
        try:
            ifi = IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
            ifa = IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
            return (dump_request(sock, 1, RTM_GETLINK, ifi)
                    + dump_request(sock, 2, RTM_GETADDR, ifa))
        finally:
            sock.close()


def seed_chunks(datagram):
    """A datagram as fuzz seeds: itself, or if larger than SEED_MAX, runs of
    whole messages that each fit."""
    if len(datagram) <= SEED_MAX:
        return [datagram]
    chunks, cur = [], b''
    off = 0
    while off + NLMSGHDR.size <= len(datagram):
        length = NLMSGHDR.unpack_from(datagram, off)[0]
        msg = datagram[off:off + nlmsg_align(length)]
        if cur and len(cur) + len(msg) > SEED_MAX:
            chunks.append(cur)
            cur = b''
        cur += msg
        off += nlmsg_align(length)
    if cur:
        chunks.append(cur)
    return chunks


def save(name, datagrams):
    os.makedirs(DATA_DIR, exist_ok=True)
    os.makedirs(SEED_DIR, exist_ok=True)
    with open(os.path.join(DATA_DIR, name + '.nl'), 'wb') as f:
        f.write(b''.join(datagrams))
    for old in glob.glob(os.path.join(SEED_DIR, name + '-[0-9]*')):
        os.unlink(old)
    n = 0
    for d in datagrams:
        for chunk in seed_chunks(d):
            with open(os.path.join(SEED_DIR, '%s-%02d' % (name, n)),
                      'wb') as f:
                f.write(chunk)
            n += 1
    print('%s: %d datagrams, %d bytes, %d seeds'
          % (name, len(datagrams), sum(map(len, datagrams)), n))


# --- hand-made fuzz seeds ---------------------------------------------------

def nlmsg(mtype, payload, flags=0, length=None):
    if length is None:
        length = NLMSGHDR.size + len(payload)
    raw = NLMSGHDR.pack(length, mtype, flags, 0, 0) + payload
    return raw + b'\0' * (nlmsg_align(len(raw)) - len(raw))


def rtattr(atype, data):
    raw = RTATTR.pack(RTATTR.size + len(data), atype) + data
    return raw + b'\0' * (nlmsg_align(len(raw)) - len(raw))


def make_seeds():
    os.makedirs(SEED_DIR, exist_ok=True)
    link = IFINFOMSG.pack(socket.AF_UNSPEC, 1, 5, IFF_UP | IFF_RUNNING, 0)
    addr4 = IFADDRMSG.pack(socket.AF_INET, 24, 0x80, 0, 5)
    seeds = {
        # nlmsg_len below the 16-byte header.
        'edge-len-short': nlmsg(RTM_NEWLINK, link + rtattr(IFLA_IFNAME,
                                                          b'ed0\0'),
                                length=8),
        # nlmsg_len past the end of the buffer.
        'edge-len-long': nlmsg(RTM_NEWLINK, link + rtattr(IFLA_IFNAME,
                                                         b'ed0\0'),
                               length=4000),
        # RTM_NEWLINK whose ifinfomsg is cut after 10 of its 16 bytes.
        'edge-ifinfomsg-truncated': nlmsg(RTM_NEWLINK, link[:10]),
        # IFLA_IFNAME that fills its attribute with no terminating NUL.
        'edge-ifname-no-nul': nlmsg(RTM_NEWLINK,
                                    link + rtattr(IFLA_IFNAME, b'ed0xyzw')
                                    + rtattr(IFLA_OPERSTATE, b'\x06')),
        # RTM_NEWADDR with a 3-byte IPv4 address.
        'edge-addr-3-bytes': nlmsg(RTM_NEWADDR,
                                   addr4 + rtattr(IFA_ADDRESS, b'\x0a\x63\x00')
                                   + rtattr(IFA_LOCAL, b'\x0a\x63\x00')),
        # NLMSG_ERROR carrying -ENOBUFS (the kernel's "you lost messages").
        'edge-error': nlmsg(NLMSG_ERROR,
                            struct.pack('=i', -errno.ENOBUFS)
                            + NLMSGHDR.pack(16, 0, 0, 0, 0)),
        'edge-done': nlmsg(NLMSG_DONE, struct.pack('=i', 0), NLM_F_MULTI),
        'edge-noop': nlmsg(NLMSG_NOOP, b''),
        # A valid address message followed by an attribute whose rta_len
        # runs past the message.
        'edge-attr-overrun': nlmsg(RTM_NEWADDR,
                                   addr4 + rtattr(IFA_LOCAL, b'\x0a\x63\0\1')
                                   + RTATTR.pack(200, IFA_LABEL) + b'vh0\0'),
        # Zero bytes and a lone partial header.
        'edge-empty': b'',
        'edge-partial-header': NLMSGHDR.pack(16, RTM_NEWLINK, 0, 0, 0)[:9],
    }
    for name, data in seeds.items():
        with open(os.path.join(SEED_DIR, name), 'wb') as f:
            f.write(data)
    print('%d hand-made seeds in %s' % (len(seeds), os.path.normpath(SEED_DIR)))


# --- README -----------------------------------------------------------------

README_HEAD = """\
# Recorded rtnetlink messages

Raw netlink datagrams recorded from a Linux kernel ({kernel}) by
`tests/net/record-netlink.py`, for the net monitor's unit test (which feeds
them to `hearth_net_monitor_feed()`) and, split per datagram, as the seeds in
`tests/fuzz/corpus/netlink/`.

Each `.nl` file is the datagrams of one scenario concatenated in the order
received.  Every message is nlmsghdr-framed with an NLMSG_ALIGNed length, so
a file is itself a valid message stream.  The scenarios run in a fresh
network namespace each (so `lo` is ifindex 1 and new links count up from 2),
on a NETLINK_ROUTE socket bound to RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
RTMGRP_IPV6_IFADDR.  After each command the recorder reads until the kernel
has been quiet for {quiet} s; steps marked "(then wait for DAD)" also wait
until `ip -6 addr show tentative` is empty, so link-local DAD completions
land at a fixed point.  MAC addresses are fixed so the link-local addresses
are the same on every regeneration; the seq/pid fields and timing-dependent
interleaving may still differ.

`dump.nl` holds only replies to two dump requests (RTM_GETLINK, then
RTM_GETADDR, both NLM_F_REQUEST|NLM_F_DUMP with family AF_UNSPEC) sent on a
socket without multicast groups; **the NLMSG_DONE message ending each dump is
kept** (the monitor ignores it).

Regenerate (as root): `/usr/bin/python3 tests/net/record-netlink.py`.
Rebuild only this README from the files:
`/usr/bin/python3 tests/net/record-netlink.py --readme`.
Print one file: `... --describe tests/net/data/FILE.nl`.

In the lists: `up`/`running`/`lower_up` are IFF_UP/IFF_RUNNING/IFF_LOWER_UP
from ifi_flags, `operstate` is IFLA_OPERSTATE (0 unknown, 2 down,
3 lowerlayerdown, 6 up), `family` on links is ifi_family (0 = AF_UNSPEC).
For addresses, `address` is IFA_LOCAL if present, else IFA_ADDRESS;
`ifa_flags` is the 8-bit header field and `IFA_FLAGS` the 32-bit attribute
(which the kernel sends alongside).
"""


def readme_text():
    parts = [README_HEAD.format(kernel=os.uname().release, quiet=QUIET)]
    for name, steps in SCENARIOS.items():
        parts.append('\n## %s.nl\n\nCommands (NS = the fresh namespace):\n\n'
                     % name)
        for args, wait in steps:
            parts.append('    ip -n NS %s%s\n' % (
                ' '.join(expand(args)), '   (then wait for DAD)' if wait else ''))
        parts.append(list_section(name))
    parts.append('\n## dump.nl\n\nSetup (not recorded):\n\n')
    for args in DUMP_SETUP:
        parts.append('    ip -n NS %s\n' % ' '.join(expand(args)))
    parts.append('    (wait until no address is tentative)\n\n'
                 'then RTM_GETLINK dump, RTM_GETADDR dump.\n')
    parts.append(list_section('dump'))
    return ''.join(parts)


def list_section(name):
    path = os.path.join(DATA_DIR, name + '.nl')
    if not os.path.exists(path):
        return '\n(not recorded)\n'
    with open(path, 'rb') as f:
        lines = describe(f.read())
    return ('\nMessages (`--describe`):\n\n'
            + ''.join('    %s\n' % line for line in lines))


def kind_from_recording():
    """The pseudo link type used, as the rename recording reports it."""
    global pseudo_kind
    path = os.path.join(DATA_DIR, 'rename.nl')
    if not os.path.exists(path):
        return
    with open(path, 'rb') as f:
        for item in split_messages(f.read()):
            if item[0] == RTM_NEWLINK and len(item[3]) >= IFINFOMSG.size:
                kind = link_kind(parse_attrs(item[3][IFINFOMSG.size:]))
                if kind:
                    pseudo_kind = kind
                    return


def write_readme():
    with open(os.path.join(DATA_DIR, 'README.md'), 'w') as f:
        f.write(readme_text())


# --- main -------------------------------------------------------------------

def main(argv):
    if argv[:1] == ['--describe']:
        if len(argv) != 2:
            sys.exit('usage: record-netlink.py --describe FILE')
        with open(argv[1], 'rb') as f:
            print('\n'.join(describe(f.read())))
        return
    if argv == ['--readme']:
        kind_from_recording()
        write_readme()
        return
    if argv == ['--make-seeds']:
        make_seeds()
        return
    if any(a.startswith('-') for a in argv):
        sys.exit(__doc__)
    if os.geteuid() != 0:
        sys.exit('recording needs root (network namespaces)')
    names = argv or list(SCENARIOS) + ['dump']
    probe_pseudo_kind()
    for name in names:
        if name == 'dump':
            save('dump', record_dump())
        elif name in SCENARIOS:
            save(name, record_scenario(SCENARIOS[name]))
        else:
            sys.exit('unknown scenario %s' % name)
    write_readme()
    make_seeds()


if __name__ == '__main__':
    main(sys.argv[1:])
