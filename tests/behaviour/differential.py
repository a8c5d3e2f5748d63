#!/usr/bin/python3
"""Differential test: the same configuration and queries against two daemons.

A scenario is a small dnsmasq-syntax configuration file (plus the hosts files
or directories it names, plus an optional fake upstream zone) and a list of
queries.  The runner starts the daemon under test (hearthd) and the reference
(Debian's /usr/sbin/dnsmasq) on their own loopback ports with that file as
--conf-file, sends every query to both over UDP, once without and once with
EDNS, and compares what matters to a client: the rcode; the QR, AA, TC, RD,
RA, AD and CD flags; the answer section as a set of (owner, type, class,
rdata) with TTLs and order ignored (unless a scenario asks for TTLs, or a
CNAME chain makes the order meaningful); the spelling of owner names; the
types in the authority section; the additional section as a set; and whether
the reply carries EDNS.  Every mismatch is printed as a readable diff.

Differences that hearth makes on purpose are listed once, in INTENTIONAL
below, with a one-line reason that can go into the man page; they are
reported but do not fail the run.  Everything else does.

  /usr/bin/python3 differential.py                 # hearthd vs dnsmasq, all scenarios
  /usr/bin/python3 differential.py --self          # dnsmasq vs dnsmasq (checks the comparator)
  /usr/bin/python3 differential.py hosts_basic -v  # one scenario, with daemon logs

The binary under test is --binary, else $HEARTHD, else what hearthtest finds
(a build*/src/daemon/hearthd).  Exit status 1 when there is an unexplained
difference.  test_differential.py runs each scenario as a unittest test.

This file does not test TCP, DNSSEC, caching or timing, and it does not
decide which side is right: it only shows where the two differ.  Traffic
goes to loopback only.
"""

import argparse
import fnmatch
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.flags            # noqa: E402
import dns.rcode            # noqa: E402
import dns.rdataclass       # noqa: E402
import dns.rdatatype        # noqa: E402

import hearthtest as ht     # noqa: E402

DNSMASQ = '/usr/sbin/dnsmasq'

# --------------------------------------------------------------------------
# Differences hearth makes on purpose: (scenario, query, field, reason).
#
# scenario and query are fnmatch patterns; query is matched against
# "name TYPE CLASS" and against "name TYPE CLASS edns|plain" (names as written
# in the scenario, case-insensitively).  field names one of FIELDS.  In all
# three, '|' separates alternatives.  The reason is one line, written so that
# it can be copied into the man page's list of differences.
#
# Only dnsmasq behaviour that is a mistake or an accident of its cache is
# listed here; a difference that is a hearthd gap stays out, so it fails.

INTENTIONAL = [
    # dnsmasq answers the first local NODATA with AA and repeats it from its
    # cache without AA; the EDNS variant is always the second query.
    ('hosts_basic|interface_name|expand_hosts|address_forms|address_all|address_vs_hosts|'
     'host_record|srv_host|txt_record|mx_host|naptr_record|synth_domain|ptr_record',
     '* edns', 'flag.AA',
     'A local NODATA answer is authoritative every time; dnsmasq drops AA when it repeats one from its cache.'),
    ('expand_hosts', 'nas A IN edns', 'rcode|flag.AA',
     'A repeated query gets the same answer as the first; dnsmasq turns its cached NXDOMAIN for "nas" into NODATA.'),
    ('bogus_nxdomain', 'ad.test AAAA IN', 'rcode|answer',
     '--bogus-nxdomain rewrites only answers that contain the address; dnsmasq also fails other types of that name from its cache.'),
    ('local_domain|address_forms|address_local|domain_local', '*', 'flag.AA',
     'Answers for --local and --address domains (NXDOMAIN and NODATA) are authoritative; dnsmasq leaves AA clear.'),
    ('cname_chains', 'c1.test ANY IN', 'answer',
     'An ANY query at a --cname owner is answered with the CNAME alone (RFC 1034 4.3.2); dnsmasq adds the target\'s records.'),
    ('caa_record|dns_rr|bogus_priv', 'caa.test A IN|rr.test A IN|1.1.168.192.in-addr.arpa TXT IN',
     'rcode|flag.AA',
     'A name with any local record is answered locally for every type (NODATA); dnsmasq forwards other types for --caa-record, --dns-rr and hosts PTR names.'),
    ('dns_rr', 'rr.test ANY IN', 'authority',
     'A positive ANY answer carries no SOA; dnsmasq adds one after --dns-rr records.'),
    ('hosts_basic', 'alpha.lan A CH', 'rcode|flag.AA',
     'Hosts data is class IN; a query in another class is not answered from it (dnsmasq answers NODATA).'),
    ('chaos', 'hostname.bind TXT CH|id.server TXT CH', 'rcode|flag.AA|answer',
     'hostname.bind and id.server (RFC 4892) are answered in CHAOS class like version.bind; dnsmasq answers only version.bind and authors.bind.'),
    ('hosts_basic|interface_name|expand_hosts|domain_local|address_forms|address_all|address_vs_hosts|'
     'address_local|local_domain|host_record|srv_host|txt_record|mx_host|naptr_record|caa_record|dns_rr|'
     'synth_domain|ptr_record|bogus_priv|cname_chains', '*', 'authority',
     'NODATA for a name local data knows is made here, without asking upstream, and carries no SOA; dnsmasq forwards such queries and passes on the upstream\'s SOA.'),
    ('srv_host|mx_host', '*', 'additional',
     'SRV and MX answers do not carry the targets\' addresses in the additional section (clients ask for them); dnsmasq adds local ones.'),
    ('address_forms|address_all', '*', 'rcode|answer|flag.AA',
     'Types an --address rule does not give are answered NODATA here; dnsmasq 2.86+ forwards them (so an IPv4 override can be bypassed over IPv6, and blocked names reach upstream).'),
    ('domain_needed', '*', 'rcode|answer',
     '--domain-needed keeps plain names of every type local; dnsmasq still forwards types other than A and AAAA.'),
    ('chaos', 'version.bind TXT IN', 'rcode|flag.AA',
     'version.bind in class IN is an ordinary name and is forwarded; dnsmasq answers NODATA.'),
]

FIELDS = ('setup', 'start', 'reply', 'rcode', 'opcode', 'question',
          'flag.QR', 'flag.AA', 'flag.TC', 'flag.RD', 'flag.RA', 'flag.AD', 'flag.CD',
          'answer', 'answer-case', 'answer-order', 'ttl', 'authority', 'additional', 'edns')

# Lines of the reference's log that mean the scenario itself is broken.
REFERENCE_LOG_PROBLEMS = ('failed to', 'bad ', 'error', 'cannot', 'permission denied')

FLAGS = ('QR', 'AA', 'TC', 'RD', 'RA', 'AD', 'CD')


# --------------------------------------------------------------------------
# Scenarios

class Q:
    """One query.  presence=True compares only rcode, flags and which
    (owner, type, class) are in the answer, not the rdata (CHAOS texts)."""

    def __init__(self, name, rdtype='A', rdclass='IN', presence=False):
        self.name = name
        self.rdtype = rdtype
        self.rdclass = rdclass
        self.presence = presence

    def key(self):
        return '%s %s %s' % (self.name, self.rdtype, self.rdclass)


class Scenario:
    """config: lines of a dnsmasq configuration file; '{dir}' is replaced by
    the scenario's temporary directory and '{server}' by the fake upstream
    (which is always there and is added as server= unless upstream=False).
    files: {relative path: text, or None for an empty directory}.
    zone: [(name, type, ttl, rdata...), ...] for the fake upstream.
    queries: Q objects, or (name[, type[, class]]) tuples.
    compare_ttl: also compare TTLs of the answer section.
    bad_input: the reference is expected to complain in its log."""

    def __init__(self, name, doc, config, queries, files=None, zone=(),
                 compare_ttl=False, upstream=True, bad_input=False):
        self.name = name
        self.doc = doc
        self.config = list(config)
        self.files = dict(files or {})
        self.zone = list(zone)
        self.queries = [q if isinstance(q, Q) else Q(*q) for q in queries]
        self.compare_ttl = compare_ttl
        self.upstream = upstream
        # bad_input: the scenario feeds bad lines on purpose, so complaints
        # in the reference's log are expected, not a broken scenario.
        self.bad_input = bad_input


HOSTS_BASIC = """\
# comment line
192.168.1.10   alpha alpha.lan alias1
192.168.1.11   beta.lan
fd00::10       alpha
10.0.0.5       v4only.lan
fd00::20       v6only.lan
192.168.1.12   multi.lan
192.168.1.13   multi.lan
192.168.1.14   shared1.lan shared2.lan   # trailing comment
"""

SCENARIOS = [
    Scenario(
        'hosts_basic', 'addn-hosts: A, AAAA, PTR, several names, NODATA, other types',
        ['addn-hosts={dir}/hosts'],
        [('alpha', 'A'), ('alpha', 'AAAA'), ('alpha.lan', 'A'), ('alpha.lan', 'AAAA'),
         ('alias1', 'A'), ('beta.lan', 'A'), ('beta.lan', 'AAAA'),
         ('v4only.lan', 'AAAA'), ('v6only.lan', 'A'), ('v6only.lan', 'AAAA'),
         ('multi.lan', 'A'), ('shared1.lan', 'A'), ('shared2.lan', 'A'),
         ('10.1.168.192.in-addr.arpa', 'PTR'), ('14.1.168.192.in-addr.arpa', 'PTR'),
         ('5.0.0.10.in-addr.arpa', 'PTR'),
         ('0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'),
         ('12.1.168.192.in-addr.arpa', 'PTR'),
         ('alpha', 'MX'), ('alpha', 'TXT'), ('alpha', 'CNAME'), ('alpha.lan', 'SOA'),
         ('alpha', 'ANY'), ('missing.lan', 'A'), ('alpha.lan', 'A', 'CH')],
        files={'hosts': HOSTS_BASIC}),

    Scenario(
        'hosts_bad_lines', 'hosts file with bad lines: they are skipped, the rest works',
        ['addn-hosts={dir}/hosts'],
        [('good1.lan', 'A'), ('good2.lan', 'AAAA'), ('bad.lan', 'A'), ('300.1.1.1', 'A'),
         ('after.lan', 'A'), ('dup.lan', 'A'), ('1.4.0.192.in-addr.arpa', 'PTR')],
        files={'hosts': ('192.0.4.1 good1.lan\n'
                         '300.1.1.1 bad.lan\n'
                         'not-an-address bad2.lan\n'
                         '192.0.4.2\n'
                         '2001:db8::4:2 good2.lan\n'
                         '192.0.4.3 bad_name!.lan after.lan\n'
                         '192.0.4.5 dup.lan\n'
                         '192.0.4.5 dup.lan\n'
                         '192.0.4.6 dup.lan\n')},
        bad_input=True),

    Scenario(
        'interface_name', '--interface-name with the loopback interface',
        ['interface-name=lo.test,lo', 'interface-name=lo4.test,lo/4'],
        [('lo.test', 'A'), ('lo.test', 'AAAA'), ('lo4.test', 'A'), ('lo4.test', 'AAAA'),
         ('1.0.0.127.in-addr.arpa', 'PTR')]),

    Scenario(
        'hosts_dir', 'addn-hosts naming a directory; hostsdir',
        ['addn-hosts={dir}/hd', 'hostsdir={dir}/watched'],
        [('one.lan', 'A'), ('two.lan', 'AAAA'), ('three.lan', 'A'),
         ('3.3.0.192.in-addr.arpa', 'PTR')],
        files={'hd/a': '192.0.3.1 one.lan\n', 'hd/b': '2001:db8::2 two.lan\n',
               'watched/c': '192.0.3.3 three.lan\n'}),

    Scenario(
        'expand_hosts', '--expand-hosts with --domain',
        ['addn-hosts={dir}/hosts', 'expand-hosts', 'domain=lan'],
        [('gw', 'A'), ('gw.lan', 'A'), ('nas', 'A'), ('nas.lan', 'A'),
         ('other.example', 'A'), ('other.example.lan', 'A'), ('gw.lan', 'AAAA'),
         ('1.2.168.192.in-addr.arpa', 'PTR'), ('3.2.168.192.in-addr.arpa', 'PTR'),
         ('nothere.lan', 'A')],
        files={'hosts': '192.168.2.1 gw\n192.168.2.2 nas.lan\n192.0.2.3 other.example\n'}),

    Scenario(
        'domain_local', '--domain with a subnet and the local keyword',
        ['addn-hosts={dir}/hosts', 'expand-hosts', 'domain=home.lan,192.168.3.0/24,local'],
        [('box', 'A'), ('box.home.lan', 'A'), ('nothere.home.lan', 'A'),
         ('nothere.home.lan', 'AAAA'), ('home.lan', 'SOA'), ('home.lan', 'A'),
         ('7.3.168.192.in-addr.arpa', 'PTR'), ('8.3.168.192.in-addr.arpa', 'PTR'),
         ('upstream.test', 'A')],
        files={'hosts': '192.168.3.7 box\n'},
        zone=[('nothere.home.lan', 'A', 300, '192.0.2.200'),
              ('upstream.test', 'A', 300, '192.0.2.201'),
              ('8.3.168.192.in-addr.arpa', 'PTR', 300, 'up.example.')]),

    Scenario(
        'address_forms', '--address: addresses, 0.0.0.0, ::, #, empty (NXDOMAIN), AAAA for v4-only rules',
        ['address=/blocked.test/0.0.0.0', 'address=/blocked6.test/::',
         'address=/nxd.test/', 'address=/hash.test/#',
         'address=/v4.test/192.0.2.44', 'address=/v6.test/2001:db8::44',
         'address=/both.test/192.0.2.45', 'address=/both.test/2001:db8::45',
         'address=/multi.test/sub.multi2.test/192.0.2.46'],
        [('blocked.test', 'A'), ('blocked.test', 'AAAA'), ('sub.blocked.test', 'A'),
         ('blocked6.test', 'A'), ('blocked6.test', 'AAAA'),
         ('nxd.test', 'A'), ('x.nxd.test', 'AAAA'), ('nxd.test', 'TXT'),
         ('hash.test', 'A'), ('hash.test', 'AAAA'), ('hash.test', 'MX'),
         ('v4.test', 'A'), ('v4.test', 'AAAA'), ('deep.sub.v4.test', 'A'),
         ('v4.test', 'TXT'), ('v4.test', 'ANY'),
         ('v6.test', 'A'), ('v6.test', 'AAAA'),
         ('both.test', 'A'), ('both.test', 'AAAA'),
         ('multi.test', 'A'), ('sub.multi2.test', 'A'), ('multi2.test', 'A'),
         ('notv4.test', 'A')],
        zone=[('v4.test', 'TXT', 300, '"from upstream"'),
              ('v4.test', 'AAAA', 300, '2001:db8::99'),
              ('multi2.test', 'A', 300, '192.0.2.202')]),

    Scenario(
        'address_local', '--address with --local for the same domain: other types NODATA, not forwarded',
        ['address=/al.test/192.0.2.47', 'local=/al.test/'],
        [('al.test', 'A'), ('al.test', 'AAAA'), ('al.test', 'TXT'), ('x.al.test', 'MX')],
        zone=[('al.test', 'AAAA', 300, '2001:db8::47'), ('al.test', 'TXT', 300, '"leak"')]),

    Scenario(
        'address_all', '--address=/#/ matches every name',
        ['address=/#/192.0.2.99'],
        [('anything.test', 'A'), ('plain', 'A'), ('anything.test', 'AAAA'),
         ('anything.test', 'MX'), ('1.2.0.192.in-addr.arpa', 'PTR')]),

    Scenario(
        'address_vs_hosts', '--address and hosts entries for the same name',
        ['addn-hosts={dir}/hosts', 'address=/dual.test/192.0.2.60'],
        [('dual.test', 'A'), ('www.dual.test', 'A'), ('dual.test', 'AAAA')],
        files={'hosts': '192.0.2.61 www.dual.test\n'}),

    Scenario(
        'local_domain', '--local=/domain/ and --local=// answered locally',
        ['local=/corp.test/', 'local=//', 'addn-hosts={dir}/hosts'],
        [('host.corp.test', 'A'), ('host.corp.test', 'AAAA'), ('other.corp.test', 'A'),
         ('corp.test', 'SOA'), ('corp.test', 'NS'), ('plainname', 'A'), ('plainname', 'MX'),
         ('upstream.test', 'A'), ('host', 'A')],
        files={'hosts': '192.0.2.7 host.corp.test\n192.0.2.8 host\n'},
        zone=[('other.corp.test', 'A', 300, '192.0.2.203'),
              ('plainname', 'A', 300, '192.0.2.204'),
              ('upstream.test', 'A', 300, '192.0.2.205')]),

    Scenario(
        'host_record', '--host-record with several names and both families',
        ['host-record=hr.test,hr,192.0.2.20,2001:db8::20',
         'host-record=v4hr.test,192.0.2.21',
         'host-record=v6hr.test,2001:db8::22'],
        [('hr.test', 'A'), ('hr.test', 'AAAA'), ('hr', 'A'), ('HR', 'AAAA'),
         ('v4hr.test', 'AAAA'), ('v6hr.test', 'A'), ('hr.test', 'MX'), ('hr.test', 'ANY'),
         ('20.2.0.192.in-addr.arpa', 'PTR'),
         ('0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR'),
         ('21.2.0.192.in-addr.arpa', 'PTR')]),

    Scenario(
        'local_ttl', 'TTLs of local data: --local-ttl, host-record and cname TTLs',
        ['local-ttl=77', 'addn-hosts={dir}/hosts',
         'host-record=ttl.test,192.0.2.23,300', 'host-record=dflt.test,192.0.2.24',
         'cname=cttl.test,ttl.test,600', 'cname=cdflt.test,dflt.test',
         'address=/addr.test/192.0.2.25', 'txt-record=txt.test,hello'],
        [('hosts.test', 'A'), ('ttl.test', 'A'), ('dflt.test', 'A'), ('cttl.test', 'A'),
         ('cdflt.test', 'A'), ('addr.test', 'A'), ('txt.test', 'TXT'),
         ('26.2.0.192.in-addr.arpa', 'PTR')],
        files={'hosts': '192.0.2.26 hosts.test\n'},
        compare_ttl=True),

    Scenario(
        'cname_chains', '--cname chains, multiple cnames per line, types other than A',
        ['host-record=target.test,192.0.2.30,2001:db8::30',
         'cname=c1.test,target.test', 'cname=c2.test,c1.test',
         'cname=c3.test,c4.test,c2.test', 'addn-hosts={dir}/hosts',
         'cname=ch.test,hostsname.test', 'txt-record=target.test,"target text"'],
        [('c1.test', 'A'), ('c2.test', 'A'), ('c3.test', 'AAAA'), ('c4.test', 'A'),
         ('c1.test', 'CNAME'), ('c2.test', 'TXT'), ('c2.test', 'MX'), ('ch.test', 'A'),
         ('c1.test', 'ANY'), ('sub.c1.test', 'A')],
        files={'hosts': '192.0.2.31 hostsname.test\n'}),

    Scenario(
        'srv_host', '--srv-host with and without targets, several records',
        ['srv-host=_ldap._tcp.example.test,ldap.example.test,389,10,100',
         'srv-host=_ldap._tcp.example.test,ldap2.example.test,389,20',
         'srv-host=_sip._udp.example.test,sip.example.test',
         'srv-host=_none._tcp.example.test',
         'host-record=ldap.example.test,192.0.2.50'],
        [('_ldap._tcp.example.test', 'SRV'), ('_sip._udp.example.test', 'SRV'),
         ('_none._tcp.example.test', 'SRV'), ('_ldap._tcp.example.test', 'A'),
         ('_ldap._tcp.example.test', 'TXT'), ('_other._tcp.example.test', 'SRV')]),

    Scenario(
        'txt_record', '--txt-record: one string, several strings, empty',
        ['txt-record=txt.test,"v=spf1 -all"', 'txt-record=multi.test,"first","second part"',
         'txt-record=multi.test,another', 'txt-record=empty.test',
         'txt-record=plain.test,no quotes here'],
        [('txt.test', 'TXT'), ('multi.test', 'TXT'), ('empty.test', 'TXT'),
         ('plain.test', 'TXT'), ('txt.test', 'A'), ('txt.test', 'ANY')]),

    Scenario(
        'mx_host', '--mx-host with targets and preferences',
        ['mx-host=mx.test,mail.mx.test,50', 'mx-host=mx.test,backup.mx.test,60',
         'mx-host=dflt.test,mail.dflt.test', 'host-record=mail.mx.test,192.0.2.70'],
        [('mx.test', 'MX'), ('dflt.test', 'MX'), ('mx.test', 'A'), ('mail.mx.test', 'MX'),
         ('mx.test', 'ANY')]),

    Scenario(
        'mx_target', '--mx-target with --mx-host without a target',
        ['mx-target=relay.test', 'mx-host=notarget.test',
         'mx-host=pref.test,,5'],
        [('notarget.test', 'MX'), ('pref.test', 'MX')]),

    Scenario(
        'selfmx', '--selfmx: an MX pointing to itself for each hosts name',
        ['addn-hosts={dir}/hosts', 'selfmx'],
        [('pc1.lan', 'MX'), ('pc2', 'MX'), ('pc1.lan', 'A'), ('notlocal.test', 'MX')],
        files={'hosts': '192.168.4.1 pc1.lan\n192.168.4.2 pc2\n'}),

    Scenario(
        'localmx', '--localmx with --mx-target',
        ['addn-hosts={dir}/hosts', 'localmx', 'mx-target=relay.lan'],
        [('pc1.lan', 'MX'), ('pc2', 'MX'), ('notlocal.test', 'MX')],
        files={'hosts': '192.168.4.1 pc1.lan\n192.168.4.2 pc2\n'}),

    Scenario(
        'ptr_record', '--ptr-record, reverse and DNS-SD forms',
        ['ptr-record=5.2.0.192.in-addr.arpa,"ptr.test"',
         'ptr-record=_http._tcp.dns-sd.test,"svc._http._tcp.dns-sd.test"',
         'ptr-record=_http._tcp.dns-sd.test,"svc2._http._tcp.dns-sd.test"',
         'ptr-record=noname.test'],
        [('5.2.0.192.in-addr.arpa', 'PTR'), ('_http._tcp.dns-sd.test', 'PTR'),
         ('noname.test', 'PTR'), ('5.2.0.192.in-addr.arpa', 'A'),
         ('6.2.0.192.in-addr.arpa', 'PTR')]),

    Scenario(
        'naptr_record', '--naptr-record with and without replacement',
        ['naptr-record=naptr.test,100,10,"U","E2U+sip","!^.*$!sip:info@example.test!"',
         'naptr-record=naptr.test,102,10,"S","SIP+D2U","",_sip._udp.example.test'],
        [('naptr.test', 'NAPTR'), ('naptr.test', 'A'), ('naptr.test', 'ANY')]),

    Scenario(
        'caa_record', '--caa-record',
        ['caa-record=caa.test,0,issue,letsencrypt.org',
         'caa-record=caa.test,128,iodef,mailto:sec@example.test'],
        [('caa.test', 'CAA'), ('caa.test', 'A'), ('sub.caa.test', 'CAA')]),

    Scenario(
        'dns_rr', '--dns-rr: unknown type, known type as hex, empty rdata',
        ['dns-rr=rr.test,65280,0102abcd', 'dns-rr=rr.test,16,05:68:65 6c6c6f',
         'dns-rr=empty.test,65281'],
        [('rr.test', 'TYPE65280'), ('rr.test', 'TXT'), ('empty.test', 'TYPE65281'),
         ('rr.test', 'A'), ('rr.test', 'ANY')]),

    Scenario(
        'synth_domain', '--synth-domain: address form, sequential form, IPv6',
        ['synth-domain=synth.test,192.168.50.0/24,host-',
         'synth-domain=seq.test,10.9.0.10,10.9.0.20,n-*',
         'synth-domain=synth6.test,fd00:1::/64,h-'],
        [('host-192-168-50-7.synth.test', 'A'), ('host-192-168-50-7.synth.test', 'AAAA'),
         ('7.50.168.192.in-addr.arpa', 'PTR'), ('host-192-168-51-7.synth.test', 'A'),
         ('n-0.seq.test', 'A'), ('n-10.seq.test', 'A'), ('n-11.seq.test', 'A'),
         ('15.0.9.10.in-addr.arpa', 'PTR'), ('25.0.9.10.in-addr.arpa', 'PTR'),
         ('h-fd00-1--5.synth6.test', 'AAAA'),
         ('5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa', 'PTR')]),

    Scenario(
        'bogus_priv', '--bogus-priv answers private reverse zones locally',
        ['bogus-priv', 'addn-hosts={dir}/hosts'],
        [('1.1.168.192.in-addr.arpa', 'PTR'), ('9.9.168.192.in-addr.arpa', 'PTR'),
         ('1.0.0.10.in-addr.arpa', 'PTR'), ('1.0.16.172.in-addr.arpa', 'PTR'),
         ('1.0.0.127.in-addr.arpa', 'PTR'), ('1.0.254.169.in-addr.arpa', 'PTR'),
         ('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa', 'PTR'),
         ('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'),
         ('1.2.0.192.in-addr.arpa', 'PTR'), ('168.192.in-addr.arpa', 'SOA'),
         ('1.1.168.192.in-addr.arpa', 'TXT')],
        files={'hosts': '192.168.1.1 router.lan\n'},
        zone=[('9.9.168.192.in-addr.arpa', 'PTR', 300, 'leak.example.'),
              ('1.0.0.10.in-addr.arpa', 'PTR', 300, 'leak10.example.'),
              ('1.2.0.192.in-addr.arpa', 'PTR', 300, 'public.example.')]),

    Scenario(
        'no_bogus_priv', 'without --bogus-priv private reverse lookups are forwarded',
        [],
        [('9.9.168.192.in-addr.arpa', 'PTR'), ('1.0.0.10.in-addr.arpa', 'PTR')],
        zone=[('9.9.168.192.in-addr.arpa', 'PTR', 300, 'leak.example.')]),

    Scenario(
        'chaos', 'CHAOS class identity queries (texts differ: presence only)',
        [],
        [Q('version.bind', 'TXT', 'CH', presence=True), Q('hostname.bind', 'TXT', 'CH', presence=True),
         Q('id.server', 'TXT', 'CH', presence=True), Q('authors.bind', 'TXT', 'CH', presence=True),
         Q('version.server', 'TXT', 'CH', presence=True), Q('VERSION.Bind', 'TXT', 'CH', presence=True),
         Q('version.bind', 'A', 'CH', presence=True), Q('version.bind', 'TXT', 'IN', presence=True),
         Q('other.bind', 'TXT', 'CH', presence=True)]),

    Scenario(
        'chaos_no_ident', '--no-ident turns the CHAOS answers off',
        ['no-ident'],
        [Q('version.bind', 'TXT', 'CH', presence=True), Q('hostname.bind', 'TXT', 'CH', presence=True),
         Q('id.server', 'TXT', 'CH', presence=True)]),

    Scenario(
        'domain_needed', '--domain-needed keeps plain names local',
        ['domain-needed', 'addn-hosts={dir}/hosts'],
        [('plainname', 'A'), ('plainname', 'AAAA'), ('plainname', 'MX'), ('plainname', 'TXT'),
         ('knownhost', 'A'), ('dotted.test', 'A')],
        files={'hosts': '192.0.2.80 knownhost\n'},
        zone=[('plainname', 'A', 300, '192.0.2.206'), ('plainname', 'MX', 300, '10 mx.example.'),
              ('plainname', 'TXT', 300, '"plain"'), ('dotted.test', 'A', 300, '192.0.2.207')]),

    Scenario(
        'filterwin2k', '--filterwin2k drops SOA, SRV and ANY-with-underscore queries',
        ['filterwin2k'],
        [('example.test', 'SOA'), ('_ldap._tcp.dc.test', 'SRV'), ('_ldap._tcp.dc.test', 'ANY'),
         ('plain.test', 'ANY'), ('plain.test', 'A'), ('_ldap._tcp.dc.test', 'TXT')],
        zone=[('example.test', 'SOA', 300, 'ns.example.test. h.example.test. 1 2 3 4 5'),
              ('_ldap._tcp.dc.test', 'SRV', 300, '0 0 389 dc.test.'),
              ('_ldap._tcp.dc.test', 'TXT', 300, '"x"'),
              ('plain.test', 'A', 300, '192.0.2.208')]),

    Scenario(
        'filter_a', '--filter-A removes IPv4 answers (local and forwarded)',
        ['filter-A', 'host-record=local.test,192.0.2.90,2001:db8::90'],
        [('local.test', 'A'), ('local.test', 'AAAA'), ('dual.test', 'A'),
         ('dual.test', 'AAAA'), ('dual.test', 'ANY'), ('90.2.0.192.in-addr.arpa', 'PTR')],
        zone=[('dual.test', 'A', 300, '192.0.2.209'),
              ('dual.test', 'AAAA', 300, '2001:db8::209')]),

    Scenario(
        'filter_aaaa', '--filter-AAAA removes IPv6 answers (local and forwarded)',
        ['filter-AAAA', 'host-record=local.test,192.0.2.90,2001:db8::90'],
        [('local.test', 'A'), ('local.test', 'AAAA'), ('dual.test', 'A'),
         ('dual.test', 'AAAA'), ('dual.test', 'ANY')],
        zone=[('dual.test', 'A', 300, '192.0.2.209'),
              ('dual.test', 'AAAA', 300, '2001:db8::209')]),

    Scenario(
        'filter_rr', '--filter-rr removes the listed types',
        ['filter-rr=TXT,MX', 'txt-record=local.test,"local"'],
        [('up.test', 'TXT'), ('up.test', 'MX'), ('up.test', 'A'), ('up.test', 'ANY'),
         ('local.test', 'TXT')],
        zone=[('up.test', 'TXT', 300, '"hello"'), ('up.test', 'MX', 300, '10 mx.up.test.'),
              ('up.test', 'A', 300, '192.0.2.210')]),

    Scenario(
        'filter_rr_any', '--filter-rr=ANY trims ANY answers to A, AAAA, MX, CNAME',
        ['filter-rr=ANY'],
        [('up.test', 'ANY'), ('up.test', 'TXT')],
        zone=[('up.test', 'TXT', 300, '"hello"'), ('up.test', 'MX', 300, '10 mx.up.test.'),
              ('up.test', 'A', 300, '192.0.2.210'), ('up.test', 'AAAA', 300, '2001:db8::210')]),

    Scenario(
        'bogus_nxdomain', '--bogus-nxdomain turns answers with that address into NXDOMAIN',
        ['bogus-nxdomain=192.0.2.66', 'bogus-nxdomain=198.51.100.0/24'],
        [('ad.test', 'A'), ('mixed.test', 'A'), ('ok.test', 'A'), ('net.test', 'A'),
         ('ad.test', 'AAAA'), ('cn.test', 'A')],
        zone=[('ad.test', 'A', 300, '192.0.2.66'), ('ad.test', 'AAAA', 300, '2001:db8::66'),
              ('mixed.test', 'A', 300, '192.0.2.66', '192.0.2.67'),
              ('ok.test', 'A', 300, '192.0.2.1'), ('net.test', 'A', 300, '198.51.100.9'),
              ('cn.test', 'CNAME', 300, 'ad.test.')]),

    Scenario(
        'stop_dns_rebind', '--stop-dns-rebind rejects private addresses from upstream',
        ['stop-dns-rebind', 'rebind-domain-ok=/okdom.test/', 'host-record=local.test,10.0.0.9'],
        [('priv10.test', 'A'), ('priv192.test', 'A'), ('priv172.test', 'A'),
         ('loop.test', 'A'), ('ll.test', 'A'), ('zero.test', 'A'), ('pub.test', 'A'),
         ('ula.test', 'AAAA'), ('ll6.test', 'AAAA'), ('loop6.test', 'AAAA'),
         ('mapped.test', 'AAAA'), ('pub6.test', 'AAAA'), ('in.okdom.test', 'A'),
         ('local.test', 'A'), ('mixed.test', 'A')],
        zone=[('priv10.test', 'A', 300, '10.1.2.3'), ('priv192.test', 'A', 300, '192.168.9.9'),
              ('priv172.test', 'A', 300, '172.16.0.1'), ('loop.test', 'A', 300, '127.0.0.1'),
              ('ll.test', 'A', 300, '169.254.1.1'), ('zero.test', 'A', 300, '0.0.0.0'),
              ('pub.test', 'A', 300, '192.0.2.1'), ('ula.test', 'AAAA', 300, 'fd00::1'),
              ('ll6.test', 'AAAA', 300, 'fe80::1'), ('loop6.test', 'AAAA', 300, '::1'),
              ('mapped.test', 'AAAA', 300, '::ffff:10.0.0.1'),
              ('pub6.test', 'AAAA', 300, '2001:db8::1'),
              ('in.okdom.test', 'A', 300, '10.0.0.2'),
              ('mixed.test', 'A', 300, '192.0.2.2', '10.0.0.3')]),

    Scenario(
        'rebind_localhost_ok', '--rebind-localhost-ok exempts loopback from the rebind check',
        ['stop-dns-rebind', 'rebind-localhost-ok'],
        [('loop.test', 'A'), ('loop6.test', 'AAAA'), ('priv10.test', 'A')],
        zone=[('loop.test', 'A', 300, '127.0.0.1'), ('loop6.test', 'AAAA', 300, '::1'),
              ('priv10.test', 'A', 300, '10.1.2.3')]),

    Scenario(
        'mixed_case', 'mixed-case queries: matched case-insensitively, the asker\'s case echoed',
        ['addn-hosts={dir}/hosts', 'host-record=HostRec.test,192.0.2.101',
         'cname=CName.test,hostrec.test', 'address=/Addr.test/192.0.2.102',
         'txt-record=Txt.test,hi', 'mx-host=Mx.test,Mail.test,5',
         'srv-host=_x._tcp.Srv.test,Target.test,80'],
        [('AlPhA.LaN', 'A'), ('alpha.lan', 'A'), ('ALPHA.LAN', 'AAAA'),
         ('hOsTrEc.TeSt', 'A'), ('CNAME.test', 'A'), ('cname.TEST', 'A'),
         ('sub.ADDR.test', 'A'), ('TXT.test', 'TXT'), ('mX.tEsT', 'MX'),
         ('_X._TCP.srv.TEST', 'SRV'), ('UpStream.Test', 'A'),
         ('10.1.168.192.IN-ADDR.ARPA', 'PTR')],
        files={'hosts': '192.168.1.10 Alpha.Lan\nfd00::10 alpha.lan\n'},
        zone=[('upstream.test', 'A', 300, '192.0.2.211')]),

    Scenario(
        'forward_plain', 'plain forwarding (the baseline every other scenario builds on)',
        [],
        [('up.test', 'A'), ('up.test', 'AAAA'), ('missing.test', 'A'), ('cn.test', 'A'),
         ('up.test', 'ANY')],
        zone=[('up.test', 'A', 300, '192.0.2.212'), ('cn.test', 'CNAME', 300, 'up.test.')]),
]


# --------------------------------------------------------------------------
# Running one scenario on one daemon

def is_dnsmasq(binary):
    return os.path.basename(binary) == 'dnsmasq'


def _prepare(scenario, workdir, upstream):
    def subst(text):
        text = text.replace('{dir}', workdir)
        if upstream is not None:
            text = text.replace('{server}', upstream.server_arg)
        return text

    # dnsmasq started as root reads hosts files after dropping to
    # 'nobody': everything here must be readable by others.
    os.chmod(workdir, 0o755)
    for rel, content in scenario.files.items():
        path = os.path.join(workdir, rel)
        if content is None:
            os.makedirs(path, mode=0o755, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        with open(path, 'w') as f:
            f.write(subst(content))
        os.chmod(path, 0o644)
    lines = []
    if scenario.upstream and upstream is not None:
        lines.append('server=' + upstream.server_arg)
    lines += [subst(line) for line in scenario.config]
    conf = os.path.join(workdir, 'scenario.conf')
    with open(conf, 'w') as f:
        f.write('# differential scenario %s\n' % scenario.name)
        f.write(''.join(line + '\n' for line in lines))
    return conf


def start_daemon(binary, conf, workdir, tag, extra=()):
    port = ht.free_port()
    args = ['-k', '--conf-file=' + conf, '--no-resolv', '--no-hosts',
            '--port=%d' % port, '--listen-address=127.0.0.1']
    if is_dnsmasq(binary):
        args += ['--log-facility=-', '--bind-interfaces',
                 '--pid-file=' + os.path.join(workdir, tag + '.pid')]
    args += list(extra)
    # hearthtest appends $HEARTH_TEST_EXTRA_ARGS to every daemon; here it
    # is meant for the daemon under test only, never the reference.
    saved = os.environ.pop('HEARTH_TEST_EXTRA_ARGS', None)
    try:
        if saved is not None and tag == 'test':
            args += saved.split()
        return ht.Hearthd(*args, port=port, defaults=False, binary=binary, wait=False)
    finally:
        if saved is not None:
            os.environ['HEARTH_TEST_EXTRA_ARGS'] = saved


def ask(daemon, query, edns):
    wire = ht.make_query(query.name, query.rdtype, rdclass=query.rdclass,
                         payload=1232 if edns else None, id=0x4242).to_wire()
    try:
        return daemon.query(query.name, query.rdtype, raw=wire, timeout=2.0)
    except ht.NoAnswer:
        return None


# --------------------------------------------------------------------------
# Comparing two replies

def _rd_key(rd):
    # Canonical wire form: embedded names lowercased (RFC 4034 6.2), so that
    # the spelling of a target name is not a difference, but every other
    # byte of the rdata is.
    return rd.to_digestable()


def _answer_set(msg, presence, with_ttl=False):
    out = {}
    for rrset in msg.answer:
        owner = rrset.name.to_text().lower()
        t = dns.rdatatype.to_text(rrset.rdtype)
        c = dns.rdataclass.to_text(rrset.rdclass)
        if presence:
            out[(owner, t, c)] = '%s %s %s' % (owner, c, t)
            continue
        for rd in rrset:
            key = (owner, t, c, _rd_key(rd)) + ((rrset.ttl,) if with_ttl else ())
            out[key] = '%s%s %s %s %s' % (owner, (' %d' % rrset.ttl) if with_ttl else '',
                                          c, t, rd.to_text())
    return out


def _section_set(section, skip_opt=True):
    out = {}
    for rrset in section:
        if skip_opt and rrset.rdtype == dns.rdatatype.OPT:
            continue
        owner = rrset.name.to_text().lower()
        t = dns.rdatatype.to_text(rrset.rdtype)
        for rd in rrset:
            out[(owner, t, _rd_key(rd))] = '%s %s %s' % (owner, t, rd.to_text())
    return out


def _flags(msg):
    return {f: bool(msg.flags & getattr(dns.flags, f)) for f in FLAGS}


def _edns(msg):
    return 'EDNS%d' % msg.edns if msg.edns >= 0 else 'no EDNS'


def _set_diff(ref, got):
    only_ref = sorted(ref[k] for k in ref.keys() - got.keys())
    only_got = sorted(got[k] for k in got.keys() - ref.keys())
    return only_ref, only_got


def compare(ref, got, query, compare_ttl):
    """[(field, text)] for every way got differs from ref (None = no reply)."""
    if ref is None or got is None:
        if ref is None and got is None:
            return []
        return [('reply', 'reference %s, under test %s'
                 % ('no reply' if ref is None else dns.rcode.to_text(ref.rcode()),
                    'no reply' if got is None else dns.rcode.to_text(got.rcode())))]
    diffs = []
    if ref.rcode() != got.rcode():
        diffs.append(('rcode', '%s vs %s' % (dns.rcode.to_text(ref.rcode()),
                                             dns.rcode.to_text(got.rcode()))))
    if ref.opcode() != got.opcode():
        diffs.append(('opcode', '%s vs %s' % (ref.opcode(), got.opcode())))
    qr = [q.to_text() for q in ref.question]
    qg = [q.to_text() for q in got.question]
    if qr != qg:
        diffs.append(('question', '%s vs %s' % (qr, qg)))
    fr, fg = _flags(ref), _flags(got)
    for f in FLAGS:
        if fr[f] != fg[f]:
            diffs.append(('flag.' + f, '%s vs %s' % ('set' if fr[f] else 'clear',
                                                      'set' if fg[f] else 'clear')))
    ar = _answer_set(ref, query.presence)
    ag = _answer_set(got, query.presence)
    if ar.keys() != ag.keys():
        only_ref, only_got = _set_diff(ar, ag)
        diffs.append(('answer', '\n'.join(['- ' + x for x in only_ref] +
                                          ['+ ' + x for x in only_got])))
    else:
        # Same records: then the spelling of the owners (the asker's case
        # should be echoed) and, when a CNAME chain is present, the order.
        cr = sorted(r.name.to_text() for r in ref.answer)
        cg = sorted(r.name.to_text() for r in got.answer)
        if cr != cg:
            diffs.append(('answer-case', '%s vs %s' % (cr, cg)))
        if any(r.rdtype == dns.rdatatype.CNAME for r in ref.answer):
            orr = [(r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype)) for r in ref.answer]
            org = [(r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype)) for r in got.answer]
            if orr != org:
                diffs.append(('answer-order', '%s vs %s' % (orr, org)))
        if compare_ttl and not query.presence:
            tr = _answer_set(ref, False, with_ttl=True)
            tg = _answer_set(got, False, with_ttl=True)
            if tr.keys() != tg.keys():
                only_ref, only_got = _set_diff(tr, tg)
                diffs.append(('ttl', '\n'.join(['- ' + x for x in only_ref] +
                                               ['+ ' + x for x in only_got])))
    atr = sorted(dns.rdatatype.to_text(r.rdtype) for r in ref.authority)
    atg = sorted(dns.rdatatype.to_text(r.rdtype) for r in got.authority)
    if atr != atg:
        diffs.append(('authority', '%s vs %s' % (atr or '[]', atg or '[]')))
    if not query.presence:
        adr = _section_set(ref.additional)
        adg = _section_set(got.additional)
        if adr.keys() != adg.keys():
            only_ref, only_got = _set_diff(adr, adg)
            diffs.append(('additional', '\n'.join(['- ' + x for x in only_ref] +
                                                  ['+ ' + x for x in only_got])))
    if _edns(ref) != _edns(got):
        diffs.append(('edns', '%s vs %s' % (_edns(ref), _edns(got))))
    return diffs


# --------------------------------------------------------------------------
# Results and the allowlist

class Difference:
    def __init__(self, scenario, query, variant, field, text):
        self.scenario = scenario
        self.query = query            # Q, or None for scenario-level (start)
        self.variant = variant        # 'plain', 'edns' or ''
        self.field = field
        self.text = text
        self.reason = None            # set when INTENTIONAL explains it

    def where(self):
        if self.query is None:
            return self.scenario
        return '%s: %s (%s)' % (self.scenario, self.query.key(), self.variant)


def _any_match(pattern, candidates, case=True):
    for alt in pattern.split('|'):
        for c in candidates:
            if fnmatch.fnmatchcase(c, alt) if case else fnmatch.fnmatchcase(c.lower(), alt.lower()):
                return True
    return False


def explain(diff, allowlist=INTENTIONAL):
    """The allowlist entry that explains diff, or None."""
    qkeys = []
    if diff.query is not None:
        qkeys = [diff.query.key(), '%s %s' % (diff.query.key(), diff.variant)]
    for entry in allowlist:
        scen, qpat, field, reason = entry
        if not _any_match(scen, [diff.scenario]):
            continue
        if diff.field not in field.split('|'):
            continue
        if diff.query is None:
            if qpat not in ('*', ''):
                continue
        elif not _any_match(qpat, qkeys, case=False):
            continue
        return entry
    return None


class Result:
    def __init__(self, scenario):
        self.scenario = scenario
        self.compared = 0
        self.differences = []
        self.logs = {}

    @property
    def unexplained(self):
        return [d for d in self.differences if d.reason is None]

    @property
    def intentional(self):
        return [d for d in self.differences if d.reason is not None]


def run_scenario(scenario, binary, reference=DNSMASQ, use_allowlist=True, used=None,
                 test_args=(), dump=None):
    """Run one scenario against binary and reference; a Result.
    test_args are extra options for the daemon under test only (a way to
    check that the comparator sees a difference); dump, when given, is
    called with (query, variant, reference reply, reply under test)."""
    result = Result(scenario)
    workdir = tempfile.mkdtemp(prefix='hearth-diff-%s-' % scenario.name)
    upstream = ht.FakeUpstream() if scenario.upstream else None
    daemons = {}
    try:
        for args in scenario.zone:
            upstream.add(*args)
        conf = _prepare(scenario, workdir, upstream)
        failed = False
        for tag, binpath in (('reference', reference), ('test', binary)):
            try:
                daemons[tag] = start_daemon(binpath, conf, workdir, tag,
                                            test_args if tag == 'test' else ())
            except OSError as e:
                failed = True
                result.differences.append(Difference(
                    scenario.name, None, '', 'start', '%s (%s) cannot run: %s' % (tag, binpath, e)))
        for tag, d in daemons.items():
            try:
                d.wait_ready(5.0)
            except ht.HearthdStartError as e:
                failed = True
                result.differences.append(Difference(
                    scenario.name, None, '', 'start',
                    '%s (%s) did not start: %s' % (tag, d.binary, str(e).strip()[-1500:])))
        if not failed:
            for q in scenario.queries:
                for variant in ('plain', 'edns'):
                    ref = ask(daemons['reference'], q, variant == 'edns')
                    got = ask(daemons['test'], q, variant == 'edns')
                    result.compared += 1
                    if dump is not None:
                        dump(q, variant, ref, got)
                    for field, text in compare(ref, got, q, scenario.compare_ttl):
                        result.differences.append(
                            Difference(scenario.name, q, variant, field, text))
    finally:
        for tag, d in daemons.items():
            d.stop()
            result.logs[tag] = d.stderr_text()
            d.close()
        if upstream is not None:
            upstream.close()
        shutil.rmtree(workdir, ignore_errors=True)
    # A scenario whose reference could not read its own data compares
    # nothing useful, even when both sides agree: make that loud.
    for line in result.logs.get('reference', '').splitlines():
        if not scenario.bad_input and any(w in line.lower() for w in REFERENCE_LOG_PROBLEMS):
            result.differences.append(Difference(scenario.name, None, '', 'setup',
                                                 'reference log: ' + line.strip()))
    if use_allowlist:
        for d in result.differences:
            entry = explain(d)
            if entry is not None:
                d.reason = entry[3]
                if used is not None:
                    used.add(entry)
    return result


def format_result(result, verbose=False):
    """The differences of one scenario, grouped by query; a query whose
    plain and EDNS replies differ in the same way is shown once.  In every
    'x vs y' x is the reference and y the daemon under test; in set diffs
    '-' is only in the reference, '+' only in the daemon under test."""
    out = []
    groups = {}
    for d in result.differences:
        key = d.query.key() if d.query is not None else ''
        groups.setdefault(key, {}).setdefault(d.variant, []).append(d)
    for key, variants in groups.items():
        sigs = {v: [(d.field, d.text) for d in ds] for v, ds in variants.items()}
        if set(sigs) == {'plain', 'edns'} and sigs['plain'] == sigs['edns']:
            shown = [('plain+edns', variants['plain'])]
        else:
            shown = sorted(variants.items(), key=lambda kv: kv[0] != 'plain')
        for variant, ds in shown:
            bad = any(d.reason is None for d in ds)
            head = key + (' (%s)' % variant if variant else '') if key else '(scenario)'
            out.append('%s %s' % ('DIFF' if bad else ' ok ', head))
            for d in ds:
                lines = d.text.splitlines() or ['']
                note = '' if d.reason is None else '   [intentional: %s]' % d.reason
                out.append('       %-13s %s%s' % (d.field, lines[0], note if len(lines) == 1 else ''))
                out += ['       %-13s %s' % ('', l) for l in lines[1:]]
                if len(lines) > 1 and note:
                    out.append('       %-13s%s' % ('', note))
    if verbose or result.unexplained:
        for tag, log in result.logs.items():
            interesting = [l for l in log.splitlines()
                           if verbose or any(w in l.lower() for w in
                                             ('not supported', 'error', 'warning', 'bad', 'ignored'))]
            if interesting:
                out.append('   %s log:' % tag)
                out += ['      | ' + l for l in interesting[:40]]
    return '\n'.join(out)


def summary(msg):
    """One line per reply: rcode, flags, answer, authority types."""
    if msg is None:
        return 'no reply'
    fl = ' '.join(f for f in FLAGS if msg.flags & getattr(dns.flags, f))
    ans = '; '.join('%s %d %s %s' % (r.name, r.ttl, dns.rdatatype.to_text(r.rdtype),
                                     ' | '.join(rd.to_text() for rd in r))
                    for r in msg.answer)
    auth = ','.join(dns.rdatatype.to_text(r.rdtype) for r in msg.authority)
    add = ','.join(dns.rdatatype.to_text(r.rdtype) for r in msg.additional)
    return '%s [%s] %s%s%s' % (dns.rcode.to_text(msg.rcode()), fl, ans or '-',
                               ' auth=' + auth if auth else '', ' add=' + add if add else '')


def _dump(q, variant, ref, got):
    a, b = summary(ref), summary(got)
    print('  %-45s %-5s ref:  %s' % (q.key(), variant, a))
    if a != b:
        print('  %-45s %-5s test: %s' % ('', '', b))


def scenario_named(name):
    for s in SCENARIOS:
        if s.name == name:
            return s
    raise KeyError(name)


# --------------------------------------------------------------------------
# Command line

def main(argv=None):
    p = argparse.ArgumentParser(description='Compare hearthd with dnsmasq, scenario by scenario.')
    p.add_argument('scenarios', nargs='*', help='scenario names (default: all)')
    p.add_argument('--binary', help='daemon under test (default: $HEARTHD or the build tree)')
    p.add_argument('--reference', default=DNSMASQ, help='reference daemon (default: %(default)s)')
    p.add_argument('--self', action='store_true',
                   help='compare the reference with itself (must show no difference)')
    p.add_argument('--list', action='store_true', help='list the scenarios and exit')
    p.add_argument('--test-arg', action='append', default=[],
                   help='extra option for the daemon under test only (repeatable)')
    p.add_argument('--dump', action='store_true', help='print every reply of both sides')
    p.add_argument('-v', '--verbose', action='store_true', help='show daemon logs')
    a = p.parse_args(argv)

    if a.list:
        for s in SCENARIOS:
            print('%-22s %s' % (s.name, s.doc))
        return 0
    binary = a.reference if a.self else (a.binary or ht.HEARTHD)
    if not os.path.exists(a.reference):
        print('reference %s not installed' % a.reference)
        return 77
    scenarios = [scenario_named(n) for n in a.scenarios] if a.scenarios else SCENARIOS
    print('reference: %s\nunder test: %s\n' % (a.reference, binary))

    used = set()
    rows = []
    for s in scenarios:
        r = run_scenario(s, binary, a.reference, use_allowlist=not a.self, used=used,
                         test_args=a.test_arg, dump=_dump if a.dump else None)
        text = format_result(r, a.verbose)
        if text:
            print('== %s: %s' % (s.name, s.doc))
            print(text)
            print()
        rows.append((s.name, r.compared, len(r.intentional), len(r.unexplained)))

    print('%-22s %8s %12s %12s' % ('scenario', 'queries', 'intentional', 'unexplained'))
    for name, n, i, u in rows:
        print('%-22s %8d %12d %12d%s' % (name, n, i, u, '  <--' if u else ''))
    total_u = sum(r[3] for r in rows)
    total_i = sum(r[2] for r in rows)
    print('%-22s %8d %12d %12d' % ('total', sum(r[1] for r in rows), total_i, total_u))
    if not a.self and not a.scenarios:
        stale = [e for e in INTENTIONAL if e not in used]
        for e in stale:
            print('note: allowlist entry matched nothing: %r' % (e[:3],))
    return 1 if total_u else 0


if __name__ == '__main__':
    sys.exit(main())
