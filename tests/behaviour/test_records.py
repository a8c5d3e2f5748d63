#!/usr/bin/python3
"""Behaviour tests: records the daemon answers by itself.

Checks the configured records (--host-record, --cname, --srv-host,
--txt-record, --mx-host with --mx-target/--selfmx/--localmx, --ptr-record,
--naptr-record, --caa-record, --dns-rr, --interface-name, --synth-domain),
the PTR records derived from them, --bogus-priv, the CHAOS class identity
names and --no-ident, NODATA against NXDOMAIN for configured names, and the
order of several addresses with and without --no-round-robin.  Every daemon
has a fake upstream behind it so that a test can tell "answered locally"
(the upstream saw nothing) from "forwarded".  Hosts files, --address and
the answer policy on upstream replies are tested in other files.
"""

import os
import shutil
import socket
import tempfile

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

import hearthtest as ht
from hearthtest import HearthTestCase, dnsmasq_differs


def rev4(addr):
    return '.'.join(reversed(addr.split('.'))) + '.in-addr.arpa'


def rev6(addr):
    nibbles = socket.inet_pton(socket.AF_INET6, addr).hex()
    return '.'.join(reversed(nibbles)) + '.ip6.arpa'


def rrsets(msg, rdtype):
    t = dns.rdatatype.from_text(rdtype)
    return [rrset for rrset in msg.answer if rrset.rdtype == t]


class LocalTestCase(HearthTestCase):
    """A daemon with an empty fake upstream behind it."""

    def setUp(self):
        super().setUp()
        self.up = self.upstream()
        self.tmp = tempfile.mkdtemp(prefix='hearth-records-')
        # Readable after dnsmasq (the reference) drops root to nobody.
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start(self, *args, **kw):
        self.d = self.daemon('--server=' + self.up.server_arg, *args, **kw)
        return self.d

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def local(self, name, rdtype='A', **kw):
        """Query; the answer must be a local, authoritative NOERROR that
        echoes the question as asked and that the upstream never saw."""
        r = self.d.query(name, rdtype, **kw)
        self.assertRcode(r, 'NOERROR')
        self.assertTrue(r.flags & dns.flags.AA, 'local answer without AA')
        self.assertEqual(ht.qname_text(r), name if name.endswith('.') else name + '.')
        self.assertEqual(self.up.count(name, rdtype), 0, '%s %s was forwarded' % (name, rdtype))
        return r

    def assertNoRecords(self, msg, rdtype):
        self.assertEqual(ht.answer_texts(msg, rdtype), [],
                         'unexpected %s records: %s' % (rdtype, msg.answer))


# --------------------------------------------------------------------------

class HostRecordTest(LocalTestCase):
    def test_a_aaaa_and_names(self):
        self.start('--host-record=host.test,Host2.test,192.0.2.1,2001:db8::1')
        for name in ('host.test', 'host2.test', 'HoSt.TeSt', 'HOST2.test'):
            with self.subTest(name=name):
                r = self.local(name, 'A')
                self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.1'])
                # The owner name echoes the client's spelling.
                self.assertEqual(r.answer[0].name.to_text(), name + '.')
                r = self.local(name, 'AAAA')
                self.assertEqual(ht.answer_texts(r, 'AAAA'), ['2001:db8::1'])
        self.assertEqual(self.up.count(), 0)

    def test_one_family_only(self):
        self.start('--host-record=four.test,192.0.2.4', '--host-record=six.test,2001:db8::6')
        self.assertEqual(ht.answer_texts(self.local('four.test', 'A')), ['192.0.2.4'])
        self.assertEqual(ht.answer_texts(self.local('six.test', 'AAAA')), ['2001:db8::6'])

    def test_several_records_for_one_name(self):
        self.start('--host-record=multi.test,192.0.2.21', '--host-record=multi.test,192.0.2.22')
        r = self.local('multi.test')
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.21', '192.0.2.22'])

    def test_ttl_field(self):
        self.start('--host-record=ttl.test,192.0.2.7,2001:db8::7,77',
                   '--host-record=plain.test,192.0.2.8')
        self.assertEqual(ht.answer_ttls(self.local('ttl.test', 'A')), [77])
        self.assertEqual(ht.answer_ttls(self.local('ttl.test', 'AAAA')), [77])
        # Without the field: --local-ttl, which defaults to 0.
        self.assertEqual(ht.answer_ttls(self.local('plain.test', 'A')), [0])

    def test_local_ttl_is_the_default(self):
        self.start('--local-ttl=30', '--host-record=plain.test,192.0.2.8',
                   '--host-record=ttl.test,192.0.2.7,77')
        self.assertEqual(ht.answer_ttls(self.local('plain.test')), [30])
        self.assertEqual(ht.answer_ttls(self.local('ttl.test')), [77])

    def test_ptr_synthesised(self):
        self.start('--host-record=host.test,alias.test,192.0.2.1,2001:db8::1,77')
        for name in (rev4('192.0.2.1'), rev6('2001:db8::1')):
            with self.subTest(name=name):
                r = self.local(name, 'PTR')
                # The first name of the record is the reverse name.
                self.assertEqual(ht.answer_texts(r, 'PTR'), ['host.test.'])
                self.assertEqual(ht.answer_ttls(r), [77])
        r = self.local(rev4('192.0.2.1').upper(), 'PTR')
        self.assertEqual(ht.answer_texts(r, 'PTR'), ['host.test.'])


class CnameTest(LocalTestCase):
    def test_chain_to_host_record(self):
        self.start('--host-record=target.test,192.0.2.10,2001:db8::10,50',
                   '--cname=a1.test,a2.test', '--cname=a2.test,target.test,30')
        r = self.local('A1.Test')
        # The whole chain, in order, then the address.
        self.assertEqual([(rr.name.to_text().lower(), dns.rdatatype.to_text(rr.rdtype), rr[0].to_text())
                          for rr in r.answer],
                         [('a1.test.', 'CNAME', 'a2.test.'),
                          ('a2.test.', 'CNAME', 'target.test.'),
                          ('target.test.', 'A', '192.0.2.10')])
        self.assertEqual(r.answer[0].name.to_text(), 'A1.Test.')
        self.assertEqual(ht.answer_ttls(r), [0, 30, 50])
        r = self.local('a1.test', 'AAAA')
        self.assertEqual(ht.answer_texts(r, 'AAAA'), ['2001:db8::10'])
        self.assertEqual(len(rrsets(r, 'CNAME')), 2)
        self.assertEqual(self.up.count(), 0)

    def test_ttl_field(self):
        self.start('--host-record=target.test,192.0.2.10', '--cname=c.test,target.test,45')
        r = self.local('c.test')
        self.assertEqual([rr.ttl for rr in rrsets(r, 'CNAME')], [45])

    def test_ttl_default_is_local_ttl(self):
        self.start('--local-ttl=30', '--host-record=target.test,192.0.2.10',
                   '--cname=c.test,target.test')
        r = self.local('c.test')
        self.assertEqual([rr.ttl for rr in rrsets(r, 'CNAME')], [30])

    def test_to_hosts_name(self):
        hosts = self.write('hosts', '192.0.2.5 fromhosts.test\n')
        self.start('--addn-hosts=' + hosts, '--cname=ch.test,FromHosts.test')
        r = self.local('ch.test')
        self.assertEqual([t.lower() for t in ht.answer_texts(r, 'CNAME')], ['fromhosts.test.'])
        self.assertEqual(ht.answer_texts(r, 'A'), ['192.0.2.5'])

    def test_cname_query_and_other_types(self):
        self.start('--host-record=target.test,192.0.2.10', '--cname=c.test,target.test')
        r = self.local('c.test', 'CNAME')
        self.assertEqual(ht.answer_texts(r), ['target.test.'])
        # A type the target does not have: the CNAME alone, NOERROR.
        r = self.local('C.TEST', 'MX')
        self.assertEqual(ht.answer_texts(r, 'CNAME'), ['target.test.'])
        self.assertNoRecords(r, 'MX')
        self.assertEqual(r.answer[0].name.to_text(), 'C.TEST.')


class SrvTest(LocalTestCase):
    def test_rdata(self):
        self.start('--srv-host=_sip._tcp.srv.test,sip.srv.test,5060,1,2',
                   '--srv-host=_sip._tcp.srv.test,sip2.srv.test,5061,10')
        r = self.local('_SIP._tcp.srv.test', 'SRV')
        self.assertEqual(ht.answer_texts(r, 'SRV'), ['1 2 5060 sip.srv.test.', '10 0 5061 sip2.srv.test.'])

    def test_defaults(self):
        # Port defaults to 1, priority and weight to 0 (dnsmasq(8)).
        self.start('--srv-host=_x._tcp.srv.test,x.srv.test')
        r = self.local('_x._tcp.srv.test', 'SRV')
        self.assertEqual(ht.answer_texts(r, 'SRV'), ['0 0 1 x.srv.test.'])

    def test_no_target(self):
        # RFC 2782: target "." means the service is decidedly not there.
        self.start('--srv-host=_none._tcp.srv.test')
        r = self.local('_none._tcp.srv.test', 'SRV')
        [rrset] = rrsets(r, 'SRV')
        self.assertEqual(rrset[0].target.to_text(), '.')


class TxtTest(LocalTestCase):
    def strings(self, r):
        [rrset] = rrsets(r, 'TXT')
        return [list(rd.strings) for rd in rrset]

    def test_several_strings(self):
        self.start('--txt-record=txt.test,one,two')
        r = self.local('Txt.Test', 'TXT')
        self.assertEqual(self.strings(r), [[b'one', b'two']])

    def test_long_string_split(self):
        # A character-string holds at most 255 bytes (RFC 1035 3.3).
        self.start('--txt-record=long.test,' + 'x' * 300 + ',short')
        r = self.local('long.test', 'TXT')
        [strings] = self.strings(r)
        self.assertEqual(b''.join(strings[:-1]), b'x' * 300)
        self.assertTrue(all(len(s) <= 255 for s in strings))
        self.assertEqual(strings[-1], b'short')
        self.assertEqual(len(strings), 3)

    def test_quoted_in_config_file(self):
        conf = self.write('conf', 'txt-record=q.test,"a,b","c d",plain\n'
                          'server=%s\n' % self.up.server_arg)
        self.d = self.daemon('--conf-file=' + conf)
        r = self.local('q.test', 'TXT')
        self.assertEqual(self.strings(r), [[b'a,b', b'c d', b'plain']])


class MxTest(LocalTestCase):
    def test_mx_host(self):
        self.start('--mx-host=mx.test,mail.test,5', '--mx-host=mx.test,backup.test,20')
        r = self.local('MX.test', 'MX')
        self.assertEqual(ht.answer_texts(r, 'MX'), ['20 backup.test.', '5 mail.test.'])

    def test_preference_defaults_to_1(self):
        self.start('--mx-host=mx.test,mail.test')
        self.assertEqual(ht.answer_texts(self.local('mx.test', 'MX')), ['1 mail.test.'])

    def test_mx_target(self):
        self.start('--mx-host=mx.test', '--mx-target=relay.test')
        self.assertEqual(ht.answer_texts(self.local('mx.test', 'MX')), ['1 relay.test.'])

    def hosts(self):
        return self.write('hosts', '192.0.2.5 box.test\n')

    def test_selfmx(self):
        self.start('--addn-hosts=' + self.hosts(), '--selfmx')
        r = self.local('box.test', 'MX')
        self.assertEqual([t.lower() for t in ht.answer_texts(r, 'MX')], ['1 box.test.'])

    def test_localmx(self):
        self.start('--addn-hosts=' + self.hosts(), '--localmx', '--mx-target=relay.test')
        r = self.local('Box.Test', 'MX')
        self.assertEqual(ht.answer_texts(r, 'MX'), ['1 relay.test.'])

    def test_no_mx_for_hosts_names_by_default(self):
        self.start('--addn-hosts=' + self.hosts(), '--mx-target=relay.test')
        r = self.d.query('box.test', 'MX')
        self.assertRcode(r, 'NOERROR')
        self.assertNoRecords(r, 'MX')


class OtherRecordsTest(LocalTestCase):
    def test_ptr_record(self):
        self.start('--ptr-record=%s,p.test' % rev4('192.0.2.9'),
                   '--ptr-record=_http._tcp.sd.test,svc._http._tcp.sd.test')
        self.assertEqual(ht.answer_texts(self.local(rev4('192.0.2.9'), 'PTR')), ['p.test.'])
        # Not only reverse names: DNS-SD browsing uses PTR too.
        self.assertEqual(ht.answer_texts(self.local('_HTTP._tcp.sd.test', 'PTR')),
                         ['svc._http._tcp.sd.test.'])

    def test_naptr(self):
        self.start('--naptr-record=n.test,10,20,s,SIP+D2U,,_sip._udp.test',
                   '--naptr-record=n.test,20,30,u,E2U+sip,!^.*$!sip:a@n.test!')
        r = self.local('n.test', 'NAPTR')
        self.assertEqual(ht.answer_texts(r, 'NAPTR'),
                         ['10 20 "s" "SIP+D2U" "" _sip._udp.test.',
                          '20 30 "u" "E2U+sip" "!^.*$!sip:a@n.test!" .'])

    def test_caa(self):
        self.start('--caa-record=caa.test,0,issue,ca.test',
                   '--caa-record=caa.test,128,iodef,mailto:sec@caa.test')
        r = self.local('CAA.test', 'CAA')
        self.assertEqual(ht.answer_texts(r, 'CAA'),
                         ['0 issue "ca.test"', '128 iodef "mailto:sec@caa.test"'])

    def test_dns_rr(self):
        self.start('--dns-rr=rr.test,65280,0102abcd', '--dns-rr=rr2.test,65281,01:02:ab:cd',
                   '--dns-rr=rr3.test,65282')
        r = self.local('rr.test', 'TYPE65280')
        self.assertEqual([rd.to_wire() for rrset in r.answer for rd in rrset], [bytes.fromhex('0102abcd')])
        r = self.local('rr2.test', 'TYPE65281')
        self.assertEqual([rd.to_wire() for rrset in r.answer for rd in rrset], [bytes.fromhex('0102abcd')])
        r = self.local('rr3.test', 'TYPE65282')
        self.assertEqual([rd.to_wire() for rrset in r.answer for rd in rrset], [b''])


class InterfaceNameTest(LocalTestCase):
    def test_both_families(self):
        self.start('--interface-name=me.test,lo')
        self.assertEqual(ht.answer_texts(self.local('Me.Test', 'A')), ['127.0.0.1'])
        self.assertEqual(ht.answer_texts(self.local('me.test', 'AAAA')), ['::1'])
        self.assertEqual(ht.answer_texts(self.local(rev4('127.0.0.1'), 'PTR')), ['me.test.'])

    def test_family_suffix(self):
        self.start('--interface-name=me4.test,lo/4', '--interface-name=me6.test,lo/6')
        self.assertEqual(ht.answer_texts(self.local('me4.test', 'A')), ['127.0.0.1'])
        self.assertEqual(ht.answer_texts(self.local('me6.test', 'AAAA')), ['::1'])
        for name, rdtype in (('me4.test', 'AAAA'), ('me6.test', 'A')):
            with self.subTest(name=name):
                r = self.d.query(name, rdtype)
                self.assertRcode(r, 'NOERROR')
                self.assertNoRecords(r, rdtype)

    def test_unknown_interface_answers_nothing(self):
        self.start('--interface-name=gone.test,nosuchif0')
        r = self.d.query('gone.test', 'A')
        self.assertRcode(r, 'NOERROR')
        self.assertNoRecords(r, 'A')


class SynthDomainTest(LocalTestCase):
    def test_forward_and_reverse_v4(self):
        self.start('--synth-domain=syn.test,198.51.100.0/24,h-')
        r = self.local('H-198-51-100-7.Syn.Test')
        self.assertEqual(ht.answer_texts(r), ['198.51.100.7'])
        r = self.local(rev4('198.51.100.7'), 'PTR')
        self.assertEqual(ht.answer_texts(r), ['h-198-51-100-7.syn.test.'])

    def test_outside_the_range_not_synthesised(self):
        self.start('--synth-domain=syn.test,198.51.100.0/24,h-')
        for name in ('h-198-51-101-7.syn.test', 'x.syn.test'):
            with self.subTest(name=name):
                r = self.d.query(name)
                self.assertRcode(r, 'NXDOMAIN')
                self.assertNoRecords(r, 'A')

    def test_forward_and_reverse_v6(self):
        self.start('--synth-domain=syn6.test,2001:db8::/64,h-')
        r = self.local('h-2001-db8--5.syn6.test', 'AAAA')
        self.assertEqual(ht.answer_texts(r), ['2001:db8::5'])
        r = self.local(rev6('2001:db8::5'), 'PTR')
        self.assertEqual(ht.answer_texts(r), ['h-2001-db8--5.syn6.test.'])

    def test_sequential_form(self):
        self.start('--synth-domain=seq.test,192.0.2.50,192.0.2.70,internal-*')
        self.assertEqual(ht.answer_texts(self.local('internal-0.seq.test')), ['192.0.2.50'])
        self.assertEqual(ht.answer_texts(self.local('internal-20.seq.test')), ['192.0.2.70'])
        self.assertEqual(ht.answer_texts(self.local(rev4('192.0.2.55'), 'PTR')), ['internal-5.seq.test.'])
        r = self.d.query('internal-21.seq.test')
        self.assertNoRecords(r, 'A')


class BogusPrivTest(LocalTestCase):
    def setUp(self):
        super().setUp()
        self.up.add(rev4('192.168.1.1'), 'PTR', 300, 'up.test.')
        self.up.add(rev4('8.8.8.8'), 'PTR', 300, 'dns.google.')

    PRIVATE = (rev4('192.168.1.1'), rev4('10.0.0.1'), rev4('172.16.5.4'), rev6('fd00::6'))

    def test_private_reverse_answered_nxdomain(self):
        self.start('--bogus-priv')
        for name in self.PRIVATE:
            with self.subTest(name=name):
                r = self.d.query(name, 'PTR')
                self.assertRcode(r, 'NXDOMAIN')
                self.assertEqual(r.answer, [])
        self.assertEqual(self.up.count(), 0, 'private reverse lookups were forwarded')

    def test_known_private_address_still_answered(self):
        self.start('--bogus-priv', '--host-record=priv.test,192.168.1.9,fd00::5')
        self.assertEqual(ht.answer_texts(self.local(rev4('192.168.1.9'), 'PTR')), ['priv.test.'])
        self.assertEqual(ht.answer_texts(self.local(rev6('fd00::5'), 'PTR')), ['priv.test.'])

    def test_public_reverse_forwarded(self):
        self.start('--bogus-priv')
        r = self.d.query(rev4('8.8.8.8'), 'PTR')
        self.assertRcode(r, 'NOERROR')
        self.assertEqual(ht.answer_texts(r), ['dns.google.'])
        self.assertEqual(self.up.count(rev4('8.8.8.8'), 'PTR'), 1)

    def test_without_option_forwarded(self):
        self.start()
        r = self.d.query(rev4('192.168.1.1'), 'PTR')
        self.assertEqual(ht.answer_texts(r), ['up.test.'])
        self.assertEqual(self.up.count(rev4('192.168.1.1'), 'PTR'), 1)


def chaos_query(name):
    return ht.make_query(name, 'TXT', rdclass='CH').to_wire()


class ChaosTest(LocalTestCase):
    def ask(self, name, forwarded_ok=False):
        r = self.d.query(name, 'TXT', raw=chaos_query(name))
        if not forwarded_ok:
            self.assertEqual(self.up.count(), 0, 'CHAOS query forwarded')
        return r

    def txt(self, r):
        self.assertRcode(r, 'NOERROR')
        self.assertTrue(r.flags & dns.flags.AA)
        [rrset] = r.answer
        self.assertEqual(rrset.rdclass, dns.rdataclass.CH)
        self.assertEqual(rrset.rdtype, dns.rdatatype.TXT)
        [rd] = rrset
        text = b''.join(rd.strings).decode('ascii', 'replace')
        self.assertTrue(text)
        return text

    def test_version_bind(self):
        self.start()
        r = self.ask('Version.Bind')
        self.txt(r)
        self.assertEqual(ht.qname_text(r), 'Version.Bind.')

    @dnsmasq_differs('dnsmasq 2.90 answers version.bind but not hostname.bind or id.server (NOTIMP)')
    def test_hostname_bind_and_id_server(self):
        self.start()
        self.assertEqual(self.txt(self.ask('hostname.bind')), socket.gethostname())
        self.txt(self.ask('id.server'))

    def test_no_ident(self):
        # The daemon gives no identity of its own.  dnsmasq answers NOTIMP
        # without forwarding; forwarding the question (the upstream here
        # answers NXDOMAIN) is as good, so neither is required.
        self.start('--no-ident')
        for name in ('version.bind', 'hostname.bind', 'id.server'):
            with self.subTest(name=name):
                r = self.ask(name, forwarded_ok=True)
                self.assertEqual(r.answer, [])
                self.assertNotEqual(r.rcode(), dns.rcode.NOERROR)


class NodataTest(LocalTestCase):
    """A configured name asked for a type it has no record of is NODATA
    (NOERROR, empty answer), never NXDOMAIN, whatever the upstream says
    about the name (the fake upstream does not know it: NXDOMAIN).  dnsmasq
    forwards such queries and turns the upstream's NXDOMAIN into NODATA;
    hearth may as well answer them itself, so the upstream is not counted."""

    def test_nodata_for_other_types(self):
        self.start('--host-record=host.test,192.0.2.1', '--txt-record=txt.test,x',
                   '--mx-host=mx.test,mail.test', '--srv-host=_s._tcp.srv.test,t.test')
        for name, rdtype in (('host.test', 'AAAA'), ('host.test', 'MX'), ('HOST.test', 'TXT'),
                             ('txt.test', 'A'), ('mx.test', 'A'), ('_s._tcp.srv.test', 'A')):
            with self.subTest(name=name, rdtype=rdtype):
                r = self.d.query(name, rdtype)
                self.assertRcode(r, 'NOERROR')
                self.assertEqual(r.answer, [])

    def test_unknown_name_nxdomain(self):
        self.start('--host-record=host.test,192.0.2.1')
        for name in ('sub.host.test', 'other.test'):
            with self.subTest(name=name):
                r = self.d.query(name)
                self.assertRcode(r, 'NXDOMAIN')


class RoundRobinTest(LocalTestCase):
    ORDER = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']
    QUERIES = 6

    def setUp(self):
        super().setUp()

        def fixed_order(query, proto, raw, addr):
            # dnspython shuffles rdatas when rendering; send them in one
            # known order instead.
            resp = dns.message.make_response(query, recursion_available=True)
            resp.answer.append(dns.rrset.from_text(query.question[0].name, 300, 'IN', 'A', *self.ORDER))
            return resp.to_wire(want_shuffle=False)
        self.up.handler = fixed_order

    def orders(self, name):
        out = []
        for i in range(self.QUERIES):
            r = self.d.query(name, id=i + 1)
            out.append([rd.to_text() for rrset in rrsets(r, 'A') for rd in rrset])
        for order in out:
            self.assertEqual(sorted(order), sorted(out[0]))
        return out

    def host_records(self):
        return ['--host-record=hr.test,%s' % a for a in ('192.0.2.21', '192.0.2.22', '192.0.2.23')]

    def test_no_round_robin_keeps_upstream_order(self):
        self.start('--no-round-robin')
        orders = self.orders('rr.test')
        self.assertEqual(self.up.count('rr.test'), 1)
        self.assertEqual(orders, [self.ORDER] * self.QUERIES)

    def test_no_round_robin_keeps_configured_order(self):
        self.start('--no-round-robin', *self.host_records())
        orders = self.orders('hr.test')
        self.assertEqual(orders, [['192.0.2.21', '192.0.2.22', '192.0.2.23']] * self.QUERIES)

    def test_cached_answer_rotates(self):
        self.start()
        orders = self.orders('rr.test')
        self.assertEqual(self.up.count('rr.test'), 1)
        self.assertGreater(len({tuple(o) for o in orders}), 1, 'order never changed: %s' % orders)

    def test_local_answer_rotates(self):
        self.start(*self.host_records())
        orders = self.orders('hr.test')
        self.assertGreater(len({tuple(o) for o in orders}), 1, 'order never changed: %s' % orders)


if __name__ == '__main__':
    ht.main()
