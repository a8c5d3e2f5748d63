#!/usr/bin/python3
"""Behaviour tests: hearthd and dnsmasq give the same answers.

One test per scenario of differential.py: the scenario's configuration and
queries are run against the daemon under test and Debian's dnsmasq, and the
test fails on every difference that INTENTIONAL in differential.py does not
explain (the failure message is the readable diff).  With
HEARTH_REFERENCE=dnsmasq the daemon under test is dnsmasq itself, so every
scenario must agree with itself.

ComparatorTest checks the comparator: that it sees the differences it is
meant to see (a changed answer, rcode, flag, TTL, owner spelling, CNAME
order, authority section, EDNS), that a scenario the reference cannot load
or a daemon that does not start is reported, and how the allowlist matches.
Those tests run dnsmasq against itself with one option changed on one side,
or compare hand-made replies, so they do not depend on hearthd.

Skipped when /usr/sbin/dnsmasq is not installed.
"""

import fnmatch
import os
import unittest

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

import differential as df
import hearthtest as ht
from hearthtest import HearthTestCase

HAVE_DNSMASQ = os.access(df.DNSMASQ, os.X_OK)


def _make_scenario_test(scenario):
    def test(self):
        binary = ht.HEARTHD
        r = df.run_scenario(scenario, binary, df.DNSMASQ,
                            use_allowlist=not df.is_dnsmasq(binary))
        self.assertGreater(r.compared, 0, 'scenario compared nothing')
        if r.unexplained:
            self.fail('%d unexplained difference(s); "x vs y" is reference %s vs %s, '
                      '"-" only in the reference, "+" only in the daemon under test:\n%s'
                      % (len(r.unexplained), df.DNSMASQ, binary, df.format_result(r)))
    test.__doc__ = scenario.doc
    return test


@unittest.skipUnless(HAVE_DNSMASQ, 'dnsmasq (the reference) is not installed')
class DifferentialTest(HearthTestCase):
    pass


for _s in df.SCENARIOS:
    setattr(DifferentialTest, 'test_' + _s.name, _make_scenario_test(_s))


def _reply(answer=(), authority=(), flags=dns.flags.QR | dns.flags.RD | dns.flags.RA,
           rcode=dns.rcode.NOERROR, edns=False, qname='a.test', qtype='A'):
    q = dns.message.make_query(qname, qtype, use_edns=0 if edns else None)
    r = dns.message.make_response(q)
    r.flags = flags
    r.set_rcode(rcode)
    for name, ttl, rdtype, *rdatas in answer:
        r.answer.append(dns.rrset.from_text(name, ttl, 'IN', rdtype, *rdatas))
    for name, ttl, rdtype, *rdatas in authority:
        r.authority.append(dns.rrset.from_text(name, ttl, 'IN', rdtype, *rdatas))
    return r


def _fields(diffs):
    return sorted(f for f, _ in diffs)


class ComparatorTest(HearthTestCase):
    """The comparator on hand-made replies (no daemon needed)."""

    Q = df.Q('a.test', 'A')

    def test_identical_replies_agree(self):
        a = _reply([('a.test.', 60, 'A', '192.0.2.1', '192.0.2.2')])
        b = _reply([('a.test.', 60, 'A', '192.0.2.2', '192.0.2.1')])
        self.assertEqual(df.compare(a, b, self.Q, True), [])

    def test_ttl_ignored_unless_asked(self):
        a = _reply([('a.test.', 60, 'A', '192.0.2.1')])
        b = _reply([('a.test.', 0, 'A', '192.0.2.1')])
        self.assertEqual(df.compare(a, b, self.Q, False), [])
        self.assertEqual(_fields(df.compare(a, b, self.Q, True)), ['ttl'])

    def test_answer_rcode_flags_authority_edns(self):
        a = _reply([('a.test.', 60, 'A', '192.0.2.1')], edns=True)
        b = _reply([], authority=[('test.', 60, 'SOA', 'ns. h. 1 2 3 4 5')],
                   flags=dns.flags.QR | dns.flags.AA | dns.flags.RD,
                   rcode=dns.rcode.NXDOMAIN)
        self.assertEqual(_fields(df.compare(a, b, self.Q, False)),
                         ['answer', 'authority', 'edns', 'flag.AA', 'flag.RA', 'rcode'])

    def test_rdata_and_missing_reply(self):
        a = _reply([('a.test.', 60, 'A', '192.0.2.1')])
        b = _reply([('a.test.', 60, 'A', '192.0.2.9')])
        diffs = df.compare(a, b, self.Q, False)
        self.assertEqual(_fields(diffs), ['answer'])
        self.assertIn('- a.test. IN A 192.0.2.1', diffs[0][1])
        self.assertIn('+ a.test. IN A 192.0.2.9', diffs[0][1])
        self.assertEqual(_fields(df.compare(a, None, self.Q, False)), ['reply'])
        self.assertEqual(df.compare(None, None, self.Q, False), [])

    def test_owner_case_and_target_case(self):
        a = _reply([('A.Test.', 60, 'CNAME', 'Target.test.')])
        b = _reply([('a.test.', 60, 'CNAME', 'target.TEST.')])
        # The owner must echo the asker's spelling; the target's spelling
        # is not a difference.
        self.assertEqual(_fields(df.compare(a, b, self.Q, False)), ['answer-case'])

    def test_cname_chain_order(self):
        a = _reply([('a.test.', 60, 'CNAME', 'b.test.'), ('b.test.', 60, 'A', '192.0.2.1')])
        b = _reply([('b.test.', 60, 'A', '192.0.2.1'), ('a.test.', 60, 'CNAME', 'b.test.')])
        self.assertEqual(_fields(df.compare(a, b, self.Q, False)), ['answer-order'])

    def test_presence_ignores_rdata(self):
        q = df.Q('version.bind', 'TXT', 'CH', presence=True)
        a = _reply([('version.bind.', 0, 'TXT', '"dnsmasq-2.90"')])
        b = _reply([('version.bind.', 0, 'TXT', '"hearth-1"')])
        self.assertEqual(df.compare(a, b, q, False), [])
        self.assertEqual(_fields(df.compare(a, _reply(), q, False)), ['answer'])

    def test_allowlist(self):
        allow = [('scen*', '*.test AAAA IN', 'flag.AA', 'because'),
                 ('other', '*', 'start', 'never starts')]
        d = df.Difference('scenario1', df.Q('x.test', 'AAAA'), 'edns', 'flag.AA', '')
        self.assertEqual(df.explain(d, allow)[3], 'because')
        d = df.Difference('scenario1', df.Q('x.test', 'AAAA'), 'edns', 'rcode', '')
        self.assertIsNone(df.explain(d, allow))
        d = df.Difference('scenario1', df.Q('x.test', 'A'), 'edns', 'flag.AA', '')
        self.assertIsNone(df.explain(d, allow))
        d = df.Difference('other', None, '', 'start', '')
        self.assertEqual(df.explain(d, allow)[3], 'never starts')
        allow = [('a|s', 'y.test MX IN|x.test A IN plain', 'answer|rcode', 'only without EDNS')]
        self.assertIsNotNone(df.explain(df.Difference('s', df.Q('x.test'), 'plain', 'rcode', ''), allow))
        self.assertIsNone(df.explain(df.Difference('s', df.Q('x.test'), 'edns', 'rcode', ''), allow))

    def test_allowlist_entries_are_well_formed(self):
        for entry in df.INTENTIONAL:
            self.assertEqual(len(entry), 4, entry)
            scen, query, field, reason = entry
            for f in field.split('|'):
                self.assertIn(f, df.FIELDS, entry)
            self.assertTrue(reason and '\n' not in reason, entry)
            for alt in scen.split('|'):
                self.assertTrue(any(fnmatch.fnmatchcase(s.name, alt) for s in df.SCENARIOS),
                                'no scenario matches %r in %r' % (alt, entry[:3]))

    def test_scenario_names_unique(self):
        names = [s.name for s in df.SCENARIOS]
        self.assertEqual(len(names), len(set(names)))


@unittest.skipUnless(HAVE_DNSMASQ, 'dnsmasq (the reference) is not installed')
class ComparatorLiveTest(HearthTestCase):
    """dnsmasq against itself with one option changed on one side."""

    def run_self(self, scenario, test_args=()):
        return df.run_scenario(scenario, df.DNSMASQ, df.DNSMASQ, use_allowlist=False,
                               test_args=test_args)

    def test_same_daemon_agrees(self):
        r = self.run_self(df.scenario_named('cname_chains'))
        self.assertEqual(r.differences, [], df.format_result(r))
        self.assertEqual(r.compared, 2 * len(df.scenario_named('cname_chains').queries))

    def test_changed_option_is_seen(self):
        r = self.run_self(df.scenario_named('no_bogus_priv'), ['--bogus-priv'])
        fields = {d.field for d in r.unexplained}
        self.assertTrue({'rcode', 'answer', 'flag.AA'} <= fields, df.format_result(r))

    def test_changed_ttl_is_seen(self):
        s = df.Scenario('ttl_probe', 'TTL probe', ['host-record=t.test,192.0.2.1'],
                        [('t.test', 'A')], compare_ttl=True)
        r = self.run_self(s, ['--local-ttl=5'])
        self.assertEqual({d.field for d in r.unexplained}, {'ttl'}, df.format_result(r))
        s.compare_ttl = False
        self.assertEqual(self.run_self(s, ['--local-ttl=5']).differences, [])

    def test_unreadable_data_is_reported(self):
        s = df.Scenario('missing_file', 'hosts file missing',
                        ['addn-hosts={dir}/does-not-exist'], [('a.test', 'A')])
        r = self.run_self(s)
        self.assertIn('setup', {d.field for d in r.unexplained}, df.format_result(r))

    def test_start_failure_is_reported(self):
        s = df.Scenario('bad_conf', 'bad option', ['no-such-option-at-all'], [('a.test', 'A')])
        r = self.run_self(s)
        self.assertIn('start', {d.field for d in r.unexplained})
        self.assertEqual(r.compared, 0)


if __name__ == '__main__':
    ht.main()
