#!/usr/bin/python3
"""Behaviour tests: PXE, as a proxy DHCP server and beside a normal range.

The same LAN as test_dhcp.py (a server namespace with a bridge
10.77.0.1/24, client namespaces plugged in; root only, exit 77
otherwise).  The client is a PXE boot ROM written here in Python
(PxeClient): it broadcasts a DISCOVER with the PXE options (60
"PXEClient:Arch:...", 93 client architecture, 94 network interface id,
97 machine UUID) from port 68 and reads what comes back on port 68, then,
with an address configured as the LAN's other DHCP server would have given
it, asks the boot server on port 4011 for the item it chose (a REQUEST
carrying option 43 sub-option 71, "boot item").

- proxy range (--dhcp-range=10.77.0.0,proxy) with two services and a
  prompt: the proxy offer has no address, the menu (43.9), the boot
  servers (43.8), the prompt (43.10), discovery control (43.6), option 60
  "PXEClient" and option 97 echoed; a boot-server REQUEST to port 4011 for
  each item gets the file of that item (basename + ".0", or the name as
  given when it has a dot) and the server address, and the ACK echoes 43.71;
- a single service without a prompt: the prompt has timeout 0 (boot the
  only item at once);
- a client without "PXEClient" gets nothing from a proxy range; a
  PXE DISCOVER without option 93 neither;
- the menu holds only the services of the client's architecture (x86PC
  for a BIOS client, X86-64_EFI for an EFI x86-64 client); an EFI client
  with exactly one service gets the boot file in the proxy reply on 4011
  (the UEFI workaround) and no menu;
- a normal range with --pxe-service: the address OFFER also carries 60,
  97 and the option 43 menu;
- --dhcp-pxe-vendor: another vendor-class prefix counts as PXE, and is
  what option 60 of the reply says;
- --dhcp-boot in a proxy range with no service: discovery control 8 and
  the boot file in the BOOTP header;
- beside another DHCP server (10.77.0.2 on the same bridge) that hands out
  the addresses: the client gets both offers, only the address server
  answers its REQUEST, and the boot server gives the file; the proxy
  writes no lease;
- --dhcp-option=vendor:PXEClient,... options are appended inside the
  proxy's option 43; ordinary options (a plain 43, a router) are not sent.

Nothing here does TFTP.

HEARTH_REFERENCE=dnsmasq runs the same tests against dnsmasq 2.90;
PXE_DUMP=1 prints every reply the client received (header and options).
"""

import os
import random
import select
import socket
import struct
import sys
import time

import dhcptest as dt
import nettest as nt
from test_dhcp import DhcpTestCase, SERVER

PROXY_RANGE = '10.77.0.0,proxy'
OTHER_SERVER = '10.77.0.2'
NORMAL_RANGE = '10.77.0.100,10.77.0.150,255.255.255.0,1h'
PXE_PORT = 4011
CLIENT_PORT = 68
SERVER_PORT = 67

# Linux's IP_PKTINFO (Python's socket module does not name it).
IP_PKTINFO = getattr(socket, 'IP_PKTINFO', 8)

# Client system architectures (option 93), as dnsmasq names them.
ARCH_X86PC = 0
ARCH_X86_64_EFI = 7

BIOS_VENDOR = b'PXEClient:Arch:00000:UNDI:002001'
EFI64_VENDOR = b'PXEClient:Arch:00007:UNDI:003016'

# What PXE ROMs ask for (parameter request list of a PXE 2.1 DISCOVER).
PXE_PRL = (1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43,
           50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135)

# Option 43 sub-options (PXE 2.1 specification, table 2-1).
PXE_DISCOVERY_CONTROL = 6
PXE_BOOT_SERVERS = 8
PXE_BOOT_MENU = 9
PXE_MENU_PROMPT = 10
PXE_BOOT_ITEM = 71

# Boot server types dnsmasq gives services with a file name: 0x8000 for
# the first such --pxe-service, then counting up in the order given.
FIRST_FILE_TYPE = 0x8000


def hexdump(data):
    return data.hex(' ') if data is not None else 'None'


def ip_text(raw):
    return socket.inet_ntoa(raw)


def parse_suboptions(data):
    """Option 43 of a PXE reply as a list of (code, bytes) in order; the
    END sub-option (255) is listed as (255, b'') so tests can see it."""
    out = []
    pos = 0
    while data is not None and pos < len(data):
        code = data[pos]
        if code == 255:
            out.append((255, b''))
            break
        if code == 0:
            pos += 1
            continue
        if len(data) - pos < 2:
            raise AssertionError('option 43 cut short at offset %d: %s' % (pos, hexdump(data)))
        n = data[pos + 1]
        if len(data) - pos - 2 < n:
            raise AssertionError('option 43 sub-option %d overruns: %s' % (code, hexdump(data)))
        out.append((code, data[pos + 2:pos + 2 + n]))
        pos += 2 + n
    return out


class Reply:
    """One BOOTREPLY as the client received it: the header fields, the
    options, where it came from and where it was sent to."""

    def __init__(self, data, src, dst):
        if len(data) < 240 or data[236:240] != dt.MAGIC:
            raise ValueError('not a DHCP message')
        self.raw = data
        self.src = src                      # (address, port)
        self.dst = dst                      # destination address text, or None
        (self.op, self.htype, self.hlen, self.hops, self.xid, self.secs, self.flags,
         ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file) = struct.unpack(
             '!BBBBIHH4s4s4s4s16s64s128s', data[:236])
        self.ciaddr, self.yiaddr = ip_text(ciaddr), ip_text(yiaddr)
        self.siaddr, self.giaddr = ip_text(siaddr), ip_text(giaddr)
        self.chaddr = chaddr[:self.hlen]
        self.options = {}
        self.order = []
        dt.parse_options(data[240:], self.options, self.order)
        overload = self.options.get(52, b'\0')[0] if self.options.get(52) else 0
        self.sname_raw, self.file_raw = sname, file
        if overload & 1:
            dt.parse_options(file, self.options, self.order)
            file = b''
        if overload & 2:
            dt.parse_options(sname, self.options, self.order)
            sname = b''
        self.sname = sname.split(b'\0', 1)[0].decode('latin-1')
        self.file = file.split(b'\0', 1)[0].decode('latin-1')

    @property
    def mtype(self):
        v = self.options.get(53)
        return v[0] if v else None

    @property
    def server_id(self):
        v = self.options.get(54)
        return ip_text(v) if v is not None and len(v) == 4 else None

    @property
    def pxe(self):
        """Option 43 as (code, bytes) pairs, [] when absent."""
        return parse_suboptions(self.options.get(43))

    def sub(self, code):
        for c, v in self.pxe:
            if c == code:
                return v
        return None

    def menu(self):
        """43.9 as a list of (type, text)."""
        v = self.sub(PXE_BOOT_MENU)
        out = []
        pos = 0
        while v is not None and pos < len(v):
            if len(v) - pos < 3 or len(v) - pos - 3 < v[pos + 2]:
                raise AssertionError('boot menu cut short: %s' % hexdump(v))
            n = v[pos + 2]
            out.append((struct.unpack('!H', v[pos:pos + 2])[0],
                        v[pos + 3:pos + 3 + n].decode('latin-1')))
            pos += 3 + n
        return out

    def servers(self):
        """43.8 as a list of (type, [addresses])."""
        v = self.sub(PXE_BOOT_SERVERS)
        out = []
        pos = 0
        while v is not None and pos < len(v):
            if len(v) - pos < 3 or len(v) - pos - 3 < 4 * v[pos + 2]:
                raise AssertionError('boot servers cut short: %s' % hexdump(v))
            n = v[pos + 2]
            out.append((struct.unpack('!H', v[pos:pos + 2])[0],
                        [ip_text(v[pos + 3 + 4 * i:pos + 7 + 4 * i]) for i in range(n)]))
            pos += 3 + 4 * n
        return out

    def prompt(self):
        """43.10 as (timeout, text), None when absent."""
        v = self.sub(PXE_MENU_PROMPT)
        if v is None:
            return None
        if len(v) < 1:
            raise AssertionError('empty menu prompt sub-option')
        return v[0], v[1:].decode('latin-1')

    def describe(self):
        lines = ['reply from %s:%d to %s: op %d type %s flags %04x ciaddr %s yiaddr %s '
                 'siaddr %s giaddr %s sname %r file %r'
                 % (self.src[0], self.src[1], self.dst, self.op, self.mtype, self.flags,
                    self.ciaddr, self.yiaddr, self.siaddr, self.giaddr, self.sname, self.file)]
        for code in self.order:
            lines.append('  option %3d: %s' % (code, hexdump(self.options[code])))
        if 43 in self.options:
            try:
                for c, v in self.pxe:
                    lines.append('    43.%-3d %s' % (c, hexdump(v)))
            except AssertionError as e:
                lines.append('    43: %s' % e)
        return '\n'.join(lines)

    def __repr__(self):
        return self.describe()


class PxeClient:
    """A PXE ROM on a client namespace's eth0: MAC mac, architecture arch
    (option 93), vendor class vendor (option 60), UUID uuid (option 97,
    type 0 + 16 bytes).  Replies are read on port 68 (or port, for the
    socket of boot-server requests) with their destination address."""

    def __init__(self, ns, mac, arch=ARCH_X86PC, vendor=BIOS_VENDOR, uuid=None,
                 send_arch=True):
        self.ns = ns
        self.mac = mac
        self.arch = arch
        self.vendor = vendor
        self.uuid = uuid if uuid is not None else bytes(random.getrandbits(8) for _ in range(16))
        self.send_arch = send_arch
        self.socks = []

    def close(self):
        for s in self.socks:
            s.close()
        self.socks = []

    def _socket(self, port, addr='0.0.0.0'):
        with self.ns.entered():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socks.append(s)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dt.CLIENT_IF.encode())
        s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        s.bind((addr, port))
        return s

    def pxe_options(self, extra=()):
        opts = [(57, struct.pack('!H', 1260))]
        if self.vendor is not None:
            opts.append((60, self.vendor))
        if self.send_arch:
            opts.append((93, struct.pack('!H', self.arch)))
        opts.append((94, bytes([1, 2, 1])))
        opts.append((97, b'\0' + self.uuid))
        return opts + list(extra)

    def message(self, mtype, xid, extra=(), ciaddr='0.0.0.0', broadcast=True):
        return dt.build_message(mtype, xid, self.mac, self.pxe_options(extra),
                                ciaddr=ciaddr, broadcast=broadcast, prl=PXE_PRL)

    @staticmethod
    def _receive(sock, xid, until, stop_at_first):
        out = []
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return out
            r, _, _ = select.select([sock], [], [], left)
            if not r:
                continue
            data, anc, _, src = sock.recvmsg(4096, socket.CMSG_SPACE(12))
            dst = None
            for level, kind, value in anc:
                if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(value) >= 12:
                    dst = ip_text(value[8:12])
            try:
                reply = Reply(data, src, dst)
            except ValueError:
                continue
            if reply.op != 2 or reply.xid != xid:
                continue
            if os.environ.get('PXE_DUMP'):
                sys.stderr.write('\n' + reply.describe() + '\n')
            out.append(reply)
            if stop_at_first:
                return out

    def exchange(self, data, xid, dest, sock, timeout, retry=1.0, all_replies=False):
        """Send data to dest from sock (again every retry seconds while
        nothing came); the replies for xid.  With all_replies, keeps
        listening for the whole timeout (to see every server's answer, or
        that none came)."""
        deadline = time.monotonic() + timeout
        out = []
        while time.monotonic() < deadline:
            sock.sendto(data, dest)
            until = min(deadline, time.monotonic() + retry)
            out += self._receive(sock, xid, until, not all_replies)
            if out and not all_replies:
                return out
        return out

    def discover(self, timeout=4.0, all_replies=False, extra=()):
        """A DISCOVER broadcast to port 67; the replies (first one only
        unless all_replies)."""
        s = self._socket(CLIENT_PORT)
        try:
            xid = random.getrandbits(32)
            return self.exchange(self.message(dt.DISCOVER, xid, extra), xid,
                                 ('255.255.255.255', SERVER_PORT), s, timeout,
                                 all_replies=all_replies)
        finally:
            self.socks.remove(s)
            s.close()

    def request(self, server, ciaddr, port=PXE_PORT, src_port=PXE_PORT, item=None, layer=0,
                timeout=4.0, all_replies=False):
        """A REQUEST unicast from ciaddr:src_port to server:port (the
        boot server discovery of PXE 2.1, with 43.71 = item/layer when
        item is given, or the request an EFI ROM makes to port 4011 after a
        proxy offer without a menu)."""
        s = self._socket(src_port, ciaddr)
        try:
            xid = random.getrandbits(32)
            extra = []
            if item is not None:
                extra.append((43, bytes([PXE_BOOT_ITEM, 4]) + struct.pack('!HH', item, layer)
                              + b'\xff'))
            msg = self.message(dt.REQUEST, xid, extra, ciaddr=ciaddr, broadcast=False)
            return self.exchange(msg, xid, (server, port), s, timeout, all_replies=all_replies)
        finally:
            self.socks.remove(s)
            s.close()


class PxeTestCase(DhcpTestCase):

    def pxe_client(self, arch=ARCH_X86PC, vendor=BIOS_VENDOR, **kw):
        ns = self.lan.client_ns()
        mac = bytes([0x02, 0x50]) + random.getrandbits(32).to_bytes(4, 'big')
        ns.ip('link', 'set', dt.CLIENT_IF, 'address', dt.mac_text(mac))
        c = PxeClient(ns, mac, arch=arch, vendor=vendor, **kw)
        self.addCleanup(c.close)
        return c

    def configure(self, c, cidr='10.77.0.50/24'):
        """Give the client the address the LAN's real DHCP server would
        have; returns the address."""
        c.ns.add_addr(dt.CLIENT_IF, cidr)
        return cidr.split('/')[0]

    def why(self, *replies):
        return ''.join('\n' + r.describe() for r in replies) + self.d.describe()

    def one_reply(self, replies, what):
        if not replies:
            self.fail('no reply to %s%s' % (what, self.d.describe()))
        return replies[0]

    def assertPxeCommon(self, r, c, vendor=b'PXEClient'):
        why = self.why(r)
        self.assertEqual(r.op, 2, why)
        self.assertEqual(r.chaddr, c.mac, why)
        self.assertEqual(r.server_id, SERVER, 'server identifier' + why)
        self.assertEqual(r.options.get(60), vendor, 'option 60' + why)
        self.assertEqual(r.options.get(97), b'\0' + c.uuid, 'option 97 (UUID echoed)' + why)
        self.assertNotIn(51, r.options, 'a proxy reply has no lease time' + why)
        self.assertNotIn(1, r.options, 'a proxy reply has no netmask' + why)

    def assertProxyOffer(self, r, c, vendor=b'PXEClient'):
        why = self.why(r)
        self.assertEqual(r.mtype, dt.OFFER, why)
        self.assertEqual(r.yiaddr, '0.0.0.0', 'a proxy offer has no address' + why)
        self.assertEqual(r.ciaddr, '0.0.0.0', why)
        self.assertEqual(r.flags & 0x8000, 0x8000, 'broadcast flag' + why)
        self.assertEqual(r.src, (SERVER, SERVER_PORT), why)
        self.assertEqual(r.dst, '255.255.255.255', why)
        self.assertPxeCommon(r, c, vendor)


class TestProxyMenu(PxeTestCase):
    """Two BIOS services, an EFI one, and a prompt."""

    SERVICES = ('--pxe-service=x86PC,Install Linux,pxelinux',
                '--pxe-service=x86PC,Memory test,memtest.bin,10.77.0.9',
                '--pxe-service=X86-64_EFI,EFI boot,grubx64.efi',
                '--pxe-prompt=Press F8 for menu,10')

    def start_proxy(self):
        return self.server(*self.SERVICES, dhcp_range=PROXY_RANGE)

    def test_proxy_offer_carries_menu_and_prompt(self):
        self.start_proxy()
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        self.assertEqual(r.siaddr, '0.0.0.0', why)
        self.assertEqual(r.file, '', why)
        self.assertEqual(r.sname, '', why)
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE, 'Install Linux'),
                                    (FIRST_FILE_TYPE + 1, 'Memory test')], 'menu' + why)
        # The boot server of each item: this server for a file it would
        # serve itself, and for a file on another TFTP server too (the
        # boot server discovery comes here; the ACK names the other one).
        self.assertEqual(r.servers(), [(FIRST_FILE_TYPE, [SERVER]),
                                       (FIRST_FILE_TYPE + 1, [SERVER])], 'servers' + why)
        self.assertEqual(r.prompt(), (10, 'Press F8 for menu'), 'prompt' + why)
        # Every server is known: no broadcast and no multicast discovery.
        self.assertEqual(r.sub(PXE_DISCOVERY_CONTROL), b'\x03', 'discovery control' + why)
        self.assertEqual(r.pxe[-1], (255, b''), 'option 43 ends with END' + why)
        self.assertEqual(r.options[43],
                         bytes([6, 1, 3,
                                8, 14, 0x80, 0x00, 1, 10, 77, 0, 1, 0x80, 0x01, 1, 10, 77, 0, 1,
                                9, 30, 0x80, 0x00, 13]) + b'Install Linux'
                         + bytes([0x80, 0x01, 11]) + b'Memory test'
                         + bytes([10, 18, 10]) + b'Press F8 for menu' + b'\xff',
                         'option 43 bytes' + why)

    def test_boot_server_request_gives_file_of_item(self):
        self.start_proxy()
        c = self.pxe_client()
        offer = self.one_reply(c.discover(), 'PXE DISCOVER')
        items = dict((text, t) for t, text in offer.menu())
        self.assertIn('Install Linux', items, self.why(offer))
        ip = self.configure(c)

        r = self.one_reply(c.request(SERVER, ip, item=items['Install Linux']),
                           'boot server REQUEST (Install Linux)')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.ACK, why)
        self.assertEqual(r.file, 'pxelinux.0', 'layer suffix added to a basename' + why)
        self.assertEqual(r.siaddr, SERVER, 'TFTP server is this server' + why)
        self.assertEqual(r.yiaddr, ip, why)
        self.assertEqual(r.ciaddr, '0.0.0.0', why)
        self.assertEqual(r.src, (SERVER, PXE_PORT), 'answered from port 4011' + why)
        self.assertEqual(r.dst, ip, 'answered to the client unicast' + why)
        self.assertPxeCommon(r, c)
        self.assertEqual(r.sub(PXE_BOOT_ITEM), struct.pack('!HH', items['Install Linux'], 0),
                         'boot item echoed' + why)

        r = self.one_reply(c.request(SERVER, ip, item=items['Memory test']),
                           'boot server REQUEST (Memory test)')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.ACK, why)
        self.assertEqual(r.file, 'memtest.bin', 'a name with a dot is sent as is' + why)
        self.assertEqual(r.siaddr, '10.77.0.9', 'the TFTP server given' + why)
        self.assertEqual(r.sub(PXE_BOOT_ITEM), struct.pack('!HH', items['Memory test'], 0),
                         why)

    def test_layer_is_the_file_suffix(self):
        self.start_proxy()
        c = self.pxe_client()
        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE, layer=2),
                           'boot server REQUEST layer 2')
        why = self.why(r)
        self.assertEqual(r.file, 'pxelinux.2', why)
        self.assertEqual(r.sub(PXE_BOOT_ITEM), struct.pack('!HH', FIRST_FILE_TYPE, 2), why)

    def test_boot_server_answers_to_the_source_port(self):
        # A ROM may send the boot server request from port 68: the
        # answer goes back to that port.
        self.start_proxy()
        c = self.pxe_client()
        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE, src_port=CLIENT_PORT),
                           'boot server REQUEST from port 68')
        self.assertEqual(r.file, 'pxelinux.0', self.why(r))
        self.assertEqual(r.src, (SERVER, PXE_PORT), self.why(r))

    def test_unknown_item_gets_no_answer(self):
        self.start_proxy()
        c = self.pxe_client()
        ip = self.configure(c)
        replies = c.request(SERVER, ip, item=0x1234, timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], 'answer for an item nobody offers' + self.why(*replies))

    def test_efi_client_sees_only_efi_services(self):
        # Only one EFI service: the offer on port 67 has no menu, names
        # this server in siaddr, and the REQUEST to port 4011 gets the
        # file itself (no menu, the UEFI menu workaround).
        self.start_proxy()
        c = self.pxe_client(arch=ARCH_X86_64_EFI, vendor=EFI64_VENDOR)
        r = self.one_reply(c.discover(), 'EFI PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        self.assertNotIn(43, r.options, 'no menu for a single EFI service' + why)
        self.assertEqual(r.siaddr, SERVER, 'EFI clients are sent to port 4011 here' + why)
        self.assertEqual(r.file, '', why)

        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip), 'EFI REQUEST to port 4011')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.ACK, why)
        self.assertPxeCommon(r, c)
        self.assertEqual(r.file, 'grubx64.efi', why)
        self.assertEqual(r.siaddr, SERVER, why)
        self.assertEqual(r.sname, SERVER, why)
        self.assertEqual(r.yiaddr, '0.0.0.0', why)
        self.assertNotIn(43, r.options, why)
        self.assertEqual(r.src, (SERVER, PXE_PORT), why)


class TestProxyEfiMenu(PxeTestCase):

    def test_efi_menu_has_only_efi_items(self):
        self.server('--pxe-service=x86PC,BIOS boot,pxelinux',
                    '--pxe-service=X86-64_EFI,EFI shim,shimx64.efi',
                    '--pxe-service=x86-64_efi,EFI grub,grubx64.efi',
                    '--pxe-service=ARM64_EFI,ARM boot,grubaa64.efi',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client(arch=ARCH_X86_64_EFI, vendor=EFI64_VENDOR)
        r = self.one_reply(c.discover(), 'EFI PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        # Two EFI items: EFI clients get the menu from port 4011 only.
        self.assertNotIn(43, r.options, why)
        self.assertEqual(r.siaddr, SERVER, why)

        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip), 'EFI REQUEST to port 4011')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.ACK, why)
        self.assertPxeCommon(r, c)
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE + 1, 'EFI shim'),
                                    (FIRST_FILE_TYPE + 2, 'EFI grub')], 'menu' + why)
        # No --pxe-prompt and a choice: wait for the user (255).
        self.assertEqual(r.prompt(), (255, 'PXE'), why)
        self.assertEqual(r.file, '', why)

        # The BIOS client of the same LAN sees only the BIOS item.
        b = self.pxe_client()
        r = self.one_reply(b.discover(), 'BIOS PXE DISCOVER')
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE, 'BIOS boot')], self.why(r))
        # Only one item and no prompt: boot it at once (timeout 0).
        self.assertEqual(r.prompt(), (0, 'PXE'), self.why(r))

    def test_numeric_architecture(self):
        self.server('--pxe-service=7,Numbered EFI,a.efi', '--pxe-service=7,Second,b.efi',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client(arch=ARCH_X86_64_EFI, vendor=EFI64_VENDOR)
        self.one_reply(c.discover(), 'EFI PXE DISCOVER')
        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip), 'EFI REQUEST to port 4011')
        self.assertEqual([t for _, t in r.menu()], ['Numbered EFI', 'Second'], self.why(r))


class TestProxySingle(PxeTestCase):

    def test_single_service_without_prompt(self):
        self.server('--pxe-service=x86PC,Network boot,undionly.kpxe',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE, 'Network boot')], why)
        self.assertEqual(r.servers(), [(FIRST_FILE_TYPE, [SERVER])], why)
        self.assertEqual(r.prompt(), (0, 'PXE'), 'boot the only item at once' + why)
        self.assertEqual(r.sub(PXE_DISCOVERY_CONTROL), b'\x03', why)
        self.assertEqual(r.options[43],
                         bytes([6, 1, 3, 10, 4, 0, 80, 88, 69,
                                8, 7, 0x80, 0x00, 1, 10, 77, 0, 1,
                                9, 15, 0x80, 0x00, 12]) + b'Network boot' + b'\xff',
                         'option 43 bytes' + why)

        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE), 'boot server REQUEST')
        self.assertEqual(r.mtype, dt.ACK, self.why(r))
        self.assertEqual(r.file, 'undionly.kpxe', self.why(r))
        self.assertEqual(r.siaddr, SERVER, self.why(r))

    def test_local_boot_and_boot_server_type(self):
        # No file: type 0 ends the network boot ("boot from local disk");
        # a number is a boot server type, found by broadcast unless an
        # address is given.
        self.server('--pxe-service=x86PC,Boot from disk',
                    '--pxe-service=x86PC,Windows deployment,13',
                    '--pxe-service=x86PC,Other server,14,10.77.0.8',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        why = self.why(r)
        self.assertEqual(r.menu(), [(0, 'Boot from disk'), (13, 'Windows deployment'),
                                    (14, 'Other server')], why)
        self.assertEqual(r.servers(), [(14, ['10.77.0.8'])], why)
        # A server of unknown address: broadcast discovery allowed.
        self.assertEqual(r.sub(PXE_DISCOVERY_CONTROL), b'\x02', why)
        self.assertEqual(r.prompt(), (255, 'PXE'), why)

    def test_dhcp_boot_without_services(self):
        self.server('--dhcp-boot=pxelinux.0,bootsrv,10.77.0.7', '--pxe-prompt=Booting,0',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        self.assertEqual(r.file, 'pxelinux.0', why)
        self.assertEqual(r.siaddr, '10.77.0.7', why)
        self.assertEqual(r.sub(PXE_DISCOVERY_CONTROL), b'\x08', 'no menu: use the file' + why)
        self.assertIsNone(r.sub(PXE_BOOT_MENU), why)
        self.assertIsNone(r.sub(PXE_BOOT_SERVERS), why)
        self.assertEqual(r.prompt(), (0, 'Booting'), why)


class TestProxyIgnores(PxeTestCase):

    def start_proxy(self):
        self.server('--pxe-service=x86PC,Install Linux,pxelinux',
                    dhcp_range=PROXY_RANGE)

    def test_non_pxe_client_gets_nothing(self):
        self.start_proxy()
        c = self.pxe_client(vendor=b'udhcp 1.36.1')
        replies = c.discover(timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], 'proxy answered a non-PXE client' + self.why(*replies))

    def test_client_without_vendor_class_gets_nothing(self):
        self.start_proxy()
        c = self.pxe_client(vendor=None)
        replies = c.discover(timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], self.why(*replies))

    def test_pxe_client_without_architecture_gets_nothing(self):
        self.start_proxy()
        c = self.pxe_client(send_arch=False)
        replies = c.discover(timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], 'proxy answered without option 93' + self.why(*replies))

    def test_vendor_class_must_start_with_pxeclient(self):
        self.start_proxy()
        c = self.pxe_client(vendor=b'xPXEClient:Arch:00000')
        replies = c.discover(timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], self.why(*replies))

    def test_request_on_port_67_gets_nothing(self):
        # The proxy answers REQUESTs without a boot item on 4011 only.
        self.start_proxy()
        c = self.pxe_client()
        ip = self.configure(c)
        replies = c.request(SERVER, ip, port=SERVER_PORT, src_port=CLIENT_PORT,
                            timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], self.why(*replies))


class TestPxeVendor(PxeTestCase):

    def test_alternative_vendor_class(self):
        self.server('--dhcp-pxe-vendor=PXEClient,HW-Client',
                    '--pxe-service=x86PC,Install Linux,pxelinux',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client(vendor=b'HW-Client:Arch:00000:UNDI:002001')
        r = self.one_reply(c.discover(), 'DISCOVER with vendor class HW-Client')
        self.assertProxyOffer(r, c, vendor=b'HW-Client')
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE, 'Install Linux')], self.why(r))
        # PXEClient, listed too, still counts.
        p = self.pxe_client()
        r = self.one_reply(p.discover(), 'DISCOVER with vendor class PXEClient')
        self.assertProxyOffer(r, p, vendor=b'PXEClient')

        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE), 'boot server REQUEST')
        self.assertEqual(r.file, 'pxelinux.0', self.why(r))
        self.assertEqual(r.options.get(60), b'HW-Client', self.why(r))

    def test_pxe_vendor_replaces_pxeclient(self):
        self.server('--dhcp-pxe-vendor=HW-Client',
                    '--pxe-service=x86PC,Install Linux,pxelinux',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        replies = c.discover(timeout=2.5, all_replies=True)
        self.assertEqual(replies, [], 'PXEClient is not PXE when not listed'
                         + self.why(*replies))
        h = self.pxe_client(vendor=b'HW-Client')
        r = self.one_reply(h.discover(), 'DISCOVER with vendor class HW-Client')
        self.assertProxyOffer(r, h, vendor=b'HW-Client')


class TestProxyBesideAddressServer(PxeTestCase):
    """The usual proxy set-up: another DHCP server (10.77.0.2, on the
    same bridge) hands out the addresses, this one only the PXE menu."""

    def test_boot_with_another_address_server(self):
        self.server('--pxe-service=x86PC,Install Linux,pxelinux', dhcp_range=PROXY_RANGE)
        other_ns = self.lan.client_ns()
        other_ns.add_addr(dt.CLIENT_IF, OTHER_SERVER + '/24')
        other = self.start(other_ns, '--no-ping', '--dhcp-range=' + NORMAL_RANGE,
                           '--dhcp-leasefile=' + os.path.join(self.dir, 'other.leases'))
        why = self.d.describe() + other.describe()
        c = self.pxe_client()
        replies = c.discover(timeout=2.5, all_replies=True)
        proxy = [r for r in replies if r.server_id == SERVER]
        address = [r for r in replies if r.server_id == OTHER_SERVER]
        self.assertTrue(proxy and address, 'expected a proxy offer and an address offer%s%s'
                        % (''.join('\n' + r.describe() for r in replies), why))
        self.assertProxyOffer(proxy[0], c)
        self.assertEqual(proxy[0].menu(), [(FIRST_FILE_TYPE, 'Install Linux')], self.why(proxy[0]))
        offer = address[0]
        self.assertNotEqual(offer.yiaddr, '0.0.0.0', offer.describe() + why)
        self.assertNotIn(43, offer.options, offer.describe() + why)

        # The REQUEST for the other server's address: only that server
        # answers.
        xid = random.getrandbits(32)
        sock = c._socket(CLIENT_PORT)
        msg = c.message(dt.REQUEST, xid, [(50, socket.inet_aton(offer.yiaddr)),
                                          (54, socket.inet_aton(OTHER_SERVER))])
        acks = c.exchange(msg, xid, ('255.255.255.255', SERVER_PORT), sock, 2.5,
                          all_replies=True)
        self.assertTrue(acks, 'no ACK from the address server' + why)
        self.assertEqual(sorted(set((r.server_id, r.mtype) for r in acks)),
                         [(OTHER_SERVER, dt.ACK)],
                         'the proxy answered a REQUEST for another server'
                         + ''.join('\n' + r.describe() for r in acks) + why)

        ip = self.configure(c, offer.yiaddr + '/24')
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE), 'boot server REQUEST')
        self.assertEqual((r.mtype, r.file, r.siaddr), (dt.ACK, 'pxelinux.0', SERVER), self.why(r))

    def test_proxy_makes_no_lease(self):
        self.server('--pxe-service=x86PC,Install Linux,pxelinux', dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        self.one_reply(c.discover(), 'PXE DISCOVER')
        ip = self.configure(c)
        self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE), 'boot server REQUEST')
        time.sleep(0.5)
        self.assertEqual(dt.read_durable(self.leasefile), {}, self.d.describe())


class TestProxyVendorOptions(PxeTestCase):

    def test_vendor_options_join_the_pxe_suboptions(self):
        # vendor:PXEClient options go inside option 43 after the PXE
        # sub-options; ordinary options (a plain 43, a router) are not
        # part of a proxy reply.
        self.server('--pxe-service=x86PC,Install Linux,pxelinux',
                    '--dhcp-option=vendor:PXEClient,1,0.0.0.0',
                    '--dhcp-option=43,01:02:03',
                    '--dhcp-option=option:router,10.77.0.254',
                    dhcp_range=PROXY_RANGE)
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        self.assertProxyOffer(r, c)
        why = self.why(r)
        self.assertNotIn(3, r.options, why)
        self.assertEqual(r.options[43],
                         bytes([6, 1, 3, 10, 4, 0, 80, 88, 69,
                                8, 7, 0x80, 0x00, 1, 10, 77, 0, 1,
                                9, 16, 0x80, 0x00, 13]) + b'Install Linux'
                         + bytes([1, 4, 0, 0, 0, 0, 255]), 'option 43 bytes' + why)

        ip = self.configure(c)
        r = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE), 'boot server REQUEST')
        self.assertEqual(r.options.get(43),
                         bytes([71, 4, 0x80, 0, 0, 0, 1, 4, 0, 0, 0, 0, 255]), self.why(r))


class TestNormalRange(PxeTestCase):

    def test_offer_carries_pxe_options(self):
        self.server('--pxe-service=x86PC,Install Linux,pxelinux',
                    '--pxe-service=x86PC,Memory test,memtest.bin',
                    '--pxe-prompt=Choose,5', dhcp_range=NORMAL_RANGE)
        c = self.pxe_client()
        r = self.one_reply(c.discover(), 'PXE DISCOVER')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.OFFER, why)
        self.assertTrue(r.yiaddr.startswith('10.77.0.') and r.yiaddr != '10.77.0.1',
                        'an address is offered' + why)
        self.assertIn(51, r.options, why)
        self.assertEqual(r.siaddr, SERVER, why)
        self.assertEqual(r.options.get(60), b'PXEClient', why)
        self.assertEqual(r.options.get(97), b'\0' + c.uuid, why)
        self.assertEqual(r.menu(), [(FIRST_FILE_TYPE, 'Install Linux'),
                                    (FIRST_FILE_TYPE + 1, 'Memory test')], why)
        self.assertEqual(r.prompt(), (5, 'Choose'), why)
        self.assertEqual(r.sub(PXE_DISCOVERY_CONTROL), b'\x03', why)

        # The boot server on 4011 answers in a normal range too.
        ip = self.configure(c, r.yiaddr + '/24')
        a = self.one_reply(c.request(SERVER, ip, item=FIRST_FILE_TYPE + 1),
                           'boot server REQUEST')
        self.assertEqual(a.mtype, dt.ACK, self.why(a))
        self.assertEqual(a.file, 'memtest.bin', self.why(a))

    def test_non_pxe_client_gets_plain_offer(self):
        self.server('--pxe-service=x86PC,Install Linux,pxelinux',
                    dhcp_range=NORMAL_RANGE)
        c = self.pxe_client(vendor=b'udhcp 1.36.1')
        r = self.one_reply(c.discover(), 'DISCOVER')
        why = self.why(r)
        self.assertEqual(r.mtype, dt.OFFER, why)
        self.assertNotEqual(r.yiaddr, '0.0.0.0', why)
        self.assertNotIn(43, r.options, why)
        self.assertNotIn(60, r.options, why)
        self.assertNotIn(97, r.options, why)


if __name__ == '__main__':
    nt.main()
