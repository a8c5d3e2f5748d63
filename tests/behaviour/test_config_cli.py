"""Behaviour tests for configuration checking and the command line.

These run the binary as a one-shot (`--test`, `--help`, `--version`) and
check exit codes and messages: errors name the file, the line and the
option; unknown options fail; options of later subsystems are accepted with
a warning; conf-dir filtering and conf-file includes read the right files;
the libvirt-generated configs pass.  Where dnsmasq's observable outcome is
the contract (exit codes), hearthd is also compared with Debian's dnsmasq.
They do not start a serving daemon; process behaviour is in
test_process.py.
"""

import glob
import os
import re
import unittest

import proc_util as pu
from hearthtest import HearthTestCase, REFERENCE, dnsmasq_differs, main

SOURCE_ROOT = os.environ.get(
    'HEARTH_SOURCE_ROOT',
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
LIBVIRT_CONFS = os.path.join(SOURCE_ROOT, '..', 'shared', 'compat', 'libvirt-confs')


class ConfigTestCase(HearthTestCase):

    def setUp(self):
        super().setUp()
        self.dir = pu.make_tmpdir(self, 'hearth-conf-')

    def conf(self, name, *lines):
        return pu.write_file(os.path.join(self.dir, name),
                             ''.join(line + '\n' for line in lines))

    def check(self, *args, as_dnsmasq=False, binary=None):
        """`<binary> --test args...`; returns (code, stdout+stderr)."""
        exe = binary or (pu.dnsmasq_link(self.dir) if as_dnsmasq else pu.binary())
        code, out, err = pu.run([exe, '--test'] + list(args))
        return code, out + err

    def assertNamesLine(self, text, path, line):
        """The message names the file and the line, in either the
        `file:line` form or dnsmasq's `line N of file` form."""
        base = re.escape(os.path.basename(path))
        forms = [base + r':%d\b' % line,
                 r'\bline %d\b.*' % line + base,
                 base + r'.*\bline %d\b' % line]
        self.assertTrue(any(re.search(f, text) for f in forms),
                        'message does not name %s line %d:\n%s' % (path, line, text))


class TestCheckMode(ConfigTestCase):

    def test_good_config_passes_with_message(self):
        path = self.conf('good.conf',
                         '# a comment',
                         'cache-size=100',
                         'no-resolv',
                         'server=127.0.0.1#5300',
                         'server=/corp.test/127.0.0.2',
                         'local=/lan.test/',
                         'port=5353',
                         'listen-address=127.0.0.1',
                         'strict-order')
        code, text = self.check('-C', path)
        self.assertEqual(code, 0, text)
        self.assertRegex(text.lower(), r'\bok\b|valid|passed',
                         'no clear success message: %r' % text)

    def test_check_mode_does_not_serve(self):
        # --test only checks: it must not bind the port or stay running.
        port = pu.free_port()
        path = self.conf('good.conf', 'port=%d' % port, 'listen-address=127.0.0.1', 'no-resolv')
        code, text = self.check('-C', path)
        self.assertEqual(code, 0, text)
        self.assertIsNone(pu.ask(port, 'x.test.', timeout=0.3))

    def test_unknown_option_in_file_fails_naming_location(self):
        path = self.conf('unknown.conf', 'cache-size=100', 'foo=bar', 'no-resolv')
        code, text = self.check('-C', path)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 2)

    @dnsmasq_differs('dnsmasq says "bad option at line 2 of F" without the option name')
    def test_unknown_option_in_file_names_option(self):
        path = self.conf('unknown.conf', 'cache-size=100', 'foo=bar', 'no-resolv')
        code, text = self.check('-C', path)
        self.assertEqual(code, 1, text)
        self.assertRegex(text, r'\bfoo\b')

    BAD_VALUES = [
        ('cache-size=abc', 'cache-size'),
        ('port=70000', 'port'),
        ('server=300.1.1.1', 'server'),
        ('neg-ttl=-5', 'neg-ttl'),
        ('listen-address=not-an-address', 'listen-address'),
        # Local data and answer policy (srv-host is parsed once every
        # option is in, and must still name its line).
        ('srv-host=_ldap._tcp.x.test,ldap.x.test,notaport', 'srv-host'),
        ('cname=alias-only.test', 'cname'),
        ('bogus-nxdomain=not-an-address', 'bogus-nxdomain'),
        ('local-ttl=soon', 'local-ttl'),
        ('local-service=sideways', 'local-service'),
    ]

    def test_bad_values_fail_naming_location(self):
        for line, option in self.BAD_VALUES:
            with self.subTest(line=line):
                path = self.conf('bad.conf', '# checked', 'no-resolv', line)
                code, text = self.check('-C', path)
                self.assertEqual(code, 1, text)
                self.assertNamesLine(text, path, 3)

    @dnsmasq_differs('dnsmasq says "error at line N of F" without the option name')
    def test_bad_values_name_option(self):
        for line, option in self.BAD_VALUES:
            with self.subTest(line=line):
                path = self.conf('bad.conf', '# checked', 'no-resolv', line)
                code, text = self.check('-C', path)
                self.assertEqual(code, 1, text)
                self.assertIn(option, text)

    @dnsmasq_differs('dnsmasq takes "300.1.2.3" in a host-record for a name')
    def test_bad_host_record_address_fails(self):
        path = self.conf('bad.conf', '# checked', 'no-resolv', 'host-record=a.test,300.1.2.3')
        code, text = self.check('-C', path)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 3)
        self.assertIn('host-record', text)

    def test_flag_option_with_value_fails(self):
        # A flag given a value is as wrong as a value that does not parse.
        path = self.conf('flag.conf', 'no-resolv=yes')
        code, text = self.check('-C', path)
        self.assertEqual(code, 1, text)

    def test_unknown_command_line_option(self):
        code, text = self.check('-C', '/dev/null', '--no-such-option')
        self.assertEqual(code, 1, text)
        self.assertTrue(text.strip(), 'no message for an unknown option')

    @dnsmasq_differs('dnsmasq says "bad command line options: try --help"')
    def test_unknown_command_line_option_named(self):
        code, text = self.check('-C', '/dev/null', '--no-such-option')
        self.assertEqual(code, 1, text)
        self.assertIn('no-such-option', text)

    def test_bad_command_line_value(self):
        for arg in ('--cache-size=abc', '--port=70000', '--server=300.1.1.1'):
            with self.subTest(arg=arg):
                code, text = self.check('-C', '/dev/null', arg)
                self.assertEqual(code, 1, text)

    def test_later_subsystem_option_accepted_with_warning(self):
        path = self.conf('dhcp.conf', 'no-resolv',
                         'dhcp-range=10.0.0.2,10.0.0.20,12h')
        code, text = self.check('-C', path)
        self.assertEqual(code, 0, text)

    @dnsmasq_differs('dnsmasq implements DHCP, so it has nothing to warn about')
    def test_later_subsystem_option_warns_not_supported(self):
        # TFTP is not built yet; DHCP options are parsed for real.
        path = self.conf('tftp.conf', 'no-resolv', 'enable-tftp',
                         'dhcp-range=10.0.0.2,10.0.0.20,12h')
        code, text = self.check('-C', path)
        self.assertEqual(code, 0, text)
        self.assertIn('not supported', text.lower())
        self.assertIn('enable-tftp', text)
        self.assertNotIn('dhcp-range', text)

    @dnsmasq_differs('dnsmasq says "bad dhcp-range at line 2 of F"')
    def test_bad_dhcp_range_names_its_line(self):
        path = self.conf('dhcp.conf', 'no-resolv', 'dhcp-range=10.0.0.2,10.0.0.x,12h')
        code, text = self.check('-C', path)
        self.assertEqual(code, 1, text)
        self.assertIn('dhcp.conf:2', text)
        self.assertIn('dhcp-range', text)

    def test_missing_explicit_conf_file_is_filesystem_error(self):
        missing = os.path.join(self.dir, 'does-not-exist.conf')
        for args in (['-C', missing], ['--conf-file=' + missing]):
            with self.subTest(args=args):
                code, text = self.check(*args)
                self.assertEqual(code, 3, text)
                self.assertIn('does-not-exist.conf', text)

    def test_missing_conf_dir_is_filesystem_error(self):
        missing = os.path.join(self.dir, 'no-such-dir')
        code, text = self.check('-C', '/dev/null', '--conf-dir=' + missing)
        self.assertEqual(code, 3, text)
        self.assertIn('no-such-dir', text)


class TestHelpVersion(ConfigTestCase):

    LEGACY_LIBVIRT = ['--bind-dynamic', '--ra-param']

    def help_text(self, as_dnsmasq=False):
        exe = pu.dnsmasq_link(self.dir) if as_dnsmasq else pu.binary()
        code, out, err = pu.run([exe, '--help'])
        self.assertEqual(code, 0, out + err)
        return out + err

    def test_help_lists_options(self):
        for as_dnsmasq in (False, True):
            with self.subTest(as_dnsmasq=as_dnsmasq):
                text = self.help_text(as_dnsmasq)
                for opt in ('--port', '--server', '--listen-address', '--cache-size',
                            '--conf-file', '--conf-dir', '--resolv-file', '--no-resolv',
                            '--pid-file', '--keep-in-foreground', '--test'):
                    self.assertIn(opt, text)
                for s in self.LEGACY_LIBVIRT:
                    self.assertIn(s, text)

    @dnsmasq_differs('dnsmasq 2.90 no longer prints the SO_BINDTODEVICE remark')
    def test_help_has_old_libvirt_probe_string(self):
        # libvirt before the version-only probe looked for this substring.
        for as_dnsmasq in (False, True):
            with self.subTest(as_dnsmasq=as_dnsmasq):
                self.assertIn('--bind-interfaces with SO_BINDTODEVICE',
                              self.help_text(as_dnsmasq))

    def test_help_lists_every_dnsmasq_option(self):
        # One table serves --help, and every dnsmasq option name is
        # recognised, so every long option dnsmasq lists must be there.
        if not os.path.exists(pu.REFERENCE_BINARY):
            self.skipTest('no reference dnsmasq installed')
        code, out, err = pu.run([pu.REFERENCE_BINARY, '--help'])
        wanted = set(re.findall(r'(?m)^(?:-\S, )?\s*(--[a-z0-9-]+)', out))
        self.assertGreater(len(wanted), 100, 'could not parse dnsmasq --help')
        have = set(re.findall(r'--[a-z0-9-]+', self.help_text()))
        self.assertEqual(sorted(wanted - have), [],
                         'dnsmasq options missing from --help')

    def test_version(self):
        code, out, err = pu.run([pu.binary(), '--version'])
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out + err, r'\d+\.\d+')


class TestConfDir(ConfigTestCase):

    def setUp(self):
        super().setUp()
        self.confdir = os.path.join(self.dir, 'conf.d')
        os.mkdir(self.confdir)
        os.chmod(self.confdir, 0o755)
        self.conf('conf.d/10-good.conf', 'cache-size=10', 'no-resolv')

    def bad(self, name):
        return self.conf('conf.d/' + name, '# broken', 'foo=bar')

    def test_exclude_extension(self):
        self.bad('old.bak')
        code, text = self.check('-C', '/dev/null', '--conf-dir=%s,.bak' % self.confdir)
        self.assertEqual(code, 0, 'an excluded .bak file was read:\n' + text)
        # The same directory with a broken file that is not excluded.
        path = self.bad('20-bad.conf')
        code, text = self.check('-C', '/dev/null', '--conf-dir=%s,.bak' % self.confdir)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 2)

    def test_include_only_pattern(self):
        self.bad('notes.txt')
        self.bad('other.conf.orig')
        code, text = self.check('-C', '/dev/null', '--conf-dir=%s,*.conf' % self.confdir)
        self.assertEqual(code, 0, 'a file not matching *.conf was read:\n' + text)
        path = self.bad('30-bad.conf')
        code, text = self.check('-C', '/dev/null', '--conf-dir=%s,*.conf' % self.confdir)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 2)

    def test_include_pattern_matches_nothing(self):
        self.bad('40-bad.conf')
        code, text = self.check('-C', '/dev/null', '--conf-dir=%s,*.txt' % self.confdir)
        self.assertEqual(code, 0, text)

    def test_no_filter_skips_editor_and_hidden_files(self):
        # dnsmasq skips names ending in ~, starting with '.', or both
        # starting and ending with '#'.
        for name in ('.hidden', 'backup~', '#autosave#'):
            self.bad(name)
        code, text = self.check('-C', '/dev/null', '--conf-dir=' + self.confdir)
        self.assertEqual(code, 0, 'an editor/hidden file was read:\n' + text)
        path = self.bad('plain')
        code, text = self.check('-C', '/dev/null', '--conf-dir=' + self.confdir)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 2)

    def test_conf_dir_from_config_file(self):
        self.bad('notes.txt')
        main_conf = self.conf('main.conf', 'no-resolv', 'conf-dir=%s,*.conf' % self.confdir)
        code, text = self.check('-C', main_conf)
        self.assertEqual(code, 0, text)
        path = self.bad('50-bad.conf')
        code, text = self.check('-C', main_conf)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 2)


class TestConfFileInclude(ConfigTestCase):

    def test_good_include(self):
        inc = self.conf('inc.conf', 'cache-size=50')
        main_conf = self.conf('main.conf', 'no-resolv', 'conf-file=' + inc)
        code, text = self.check('-C', main_conf)
        self.assertEqual(code, 0, text)

    def test_error_in_include_names_included_file(self):
        inc = self.conf('inc.conf', 'cache-size=50', '# two', 'foo=bar')
        main_conf = self.conf('main.conf', 'no-resolv', 'conf-file=' + inc)
        code, text = self.check('-C', main_conf)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, inc, 3)

    def test_missing_include_is_filesystem_error(self):
        main_conf = self.conf('main.conf', 'no-resolv',
                              'conf-file=' + os.path.join(self.dir, 'gone.conf'))
        code, text = self.check('-C', main_conf)
        self.assertEqual(code, 3, text)
        self.assertIn('gone.conf', text)


@unittest.skipUnless(os.path.isdir(LIBVIRT_CONFS), 'libvirt config corpus missing')
class TestLibvirtConfigs(ConfigTestCase):

    def test_all_libvirt_configs_pass(self):
        files = sorted(glob.glob(os.path.join(LIBVIRT_CONFS, '*.conf')))
        self.assertGreater(len(files), 10)
        for path in files:
            if os.path.basename(path) == 'dnsmasq-options.conf':
                continue
            with self.subTest(conf=os.path.basename(path)):
                code, text = self.check('--conf-file=' + path, as_dnsmasq=True)
                self.assertEqual(code, 0, text)

    def test_bogus_option_rejected(self):
        path = os.path.join(LIBVIRT_CONFS, 'dnsmasq-options.conf')
        code, text = self.check('--conf-file=' + path, as_dnsmasq=True)
        self.assertEqual(code, 1, text)
        self.assertNamesLine(text, path, 17)

    @dnsmasq_differs('dnsmasq does not name the unknown option')
    def test_bogus_option_named(self):
        path = os.path.join(LIBVIRT_CONFS, 'dnsmasq-options.conf')
        code, text = self.check('--conf-file=' + path, as_dnsmasq=True)
        self.assertEqual(code, 1, text)
        self.assertRegex(text, r'\bfoo\b')


@unittest.skipIf(REFERENCE, 'comparing dnsmasq with itself')
@unittest.skipUnless(os.path.exists(pu.REFERENCE_BINARY), 'no reference dnsmasq installed')
class TestSameExitCodesAsDnsmasq(ConfigTestCase):
    """The exit code is what NetworkManager and libvirt act on, so for these
    inputs it must be exactly dnsmasq's."""

    def scenarios(self):
        good = self.conf('good.conf', 'no-resolv', 'server=127.0.0.1#5300', 'cache-size=10')
        unknown = self.conf('unknown.conf', 'foo=bar')
        badval = self.conf('badval.conf', 'cache-size=abc')
        badport = self.conf('badport.conf', 'port=70000')
        include_missing = self.conf('incmiss.conf', 'conf-file=/nonexistent/x.conf')
        yield 'good', ['-C', good]
        yield 'unknown option', ['-C', unknown]
        yield 'bad value', ['-C', badval]
        yield 'bad port', ['-C', badport]
        yield 'missing file', ['-C', '/nonexistent/hearth.conf']
        yield 'missing include', ['-C', include_missing]
        yield 'missing conf-dir', ['-C', '/dev/null', '--conf-dir=/nonexistent/dir']
        yield 'unknown cmdline option', ['-C', '/dev/null', '--no-such-option']
        yield 'dhcp option', ['-C', '/dev/null', '--dhcp-range=10.0.0.2,10.0.0.9,1h']
        if os.path.isdir(LIBVIRT_CONFS):
            for path in sorted(glob.glob(os.path.join(LIBVIRT_CONFS, '*.conf')))[:6]:
                yield os.path.basename(path), ['--conf-file=' + path]

    def test_exit_codes_match(self):
        for name, args in self.scenarios():
            with self.subTest(scenario=name):
                want, want_text = self.check(*args, binary=pu.REFERENCE_BINARY)
                got, got_text = self.check(*args, as_dnsmasq=True)
                self.assertEqual(got, want, 'dnsmasq: %d %r\nhearthd: %d %r'
                                 % (want, want_text, got, got_text))


if __name__ == '__main__':
    main()
