/* Unit tests of the configuration tokenizer: config-file lines (quotes,
 * escapes, comments, white space), command lines (getopt_long forms and
 * errors), whole loads (default file, --conf-file, conf-dir filtering and
 * order, include loops, stdin), error messages naming file:line and option,
 * and the libvirt-generated configurations from the shared fixtures.
 *
 * The expected behaviour was checked against dnsmasq 2.90 with
 * `dnsmasq --test -C file`; where hearth deliberately differs (overlong
 * lines and NUL bytes are errors, a bare --conf-file works) the test says so.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "config/config-parser.h"

/* ---- helpers ---- */

static HearthConfigItem *
parse_ok (const char *line)
{
  g_autoptr (GError) error = NULL;
  HearthConfigItem *item = NULL;

  if (!hearth_config_parse_line (line, "/etc/test.conf", 7, &item, &error))
    g_error ("line '%s' was refused: %s", line, error->message);
  return item;
}

static void
assert_value (const char *line, const char *option, const char *value)
{
  g_autoptr (HearthConfigItem) item = parse_ok (line);

  if (item == NULL)
    g_error ("line '%s' gave no item", line);
  g_assert_cmpstr (item->def->long_name, ==, option);
  g_assert_cmpstr (item->value, ==, value);
  g_assert_cmpstr (item->origin, ==, "/etc/test.conf");
  g_assert_cmpuint (item->line, ==, 7);
}

static void
assert_blank (const char *line)
{
  g_autoptr (HearthConfigItem) item = parse_ok (line);

  if (item != NULL)
    g_error ("line '%s' should be blank, gave option '%s'", line, item->def->long_name);
}

static void
assert_line_error (const char *line, HearthConfigError code, const char *message)
{
  g_autoptr (GError) error = NULL;
  HearthConfigItem *item = (HearthConfigItem *) 0x1;

  if (hearth_config_parse_line (line, "/etc/test.conf", 7, &item, &error))
    g_error ("line '%s' was accepted", line);
  g_assert_error (error, HEARTH_CONFIG_ERROR, (gint) code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  else
    g_assert_true (g_str_has_prefix (error->message, "/etc/test.conf:7: "));
  /* Untouched on failure. */
  g_assert_true (item == (HearthConfigItem *) 0x1);
}

static void
assert_fields (const HearthConfigItem *item, const char *const *expected)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) fields = NULL;

  g_assert_true (hearth_config_item_split (item, ',', &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (fields, expected);
}

/* Loads a NULL-terminated argument list (without argv[0]). */
static GPtrArray *
load_args (const char *default_conf, GError **error, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  GPtrArray *items = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "hearthd");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  if (!hearth_config_load ((int) args->len - 1, (char **) args->pdata, default_conf, &items, error))
    return NULL;
  return items;
}

/* Items as "name=value" / "name" joined with spaces, for compact checks. */
static char *
describe (GPtrArray *items)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      const HearthConfigItem *item = g_ptr_array_index (items, i);
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, item->def->long_name);
      if (item->value != NULL)
        g_string_append_printf (out, "=%s", item->value);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_args(expected, ...)                                                                 \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autoptr (GError) _error = NULL;                                                              \
    g_autoptr (GPtrArray) _items = load_args (NULL, &_error, __VA_ARGS__, NULL);                   \
    g_autofree char *_got = NULL;                                                                  \
    g_assert_no_error (_error);                                                                    \
    _got = describe (_items);                                                                      \
    g_assert_cmpstr (_got, ==, (expected));                                                        \
  }                                                                                                \
  G_STMT_END

#define assert_args_error(code, expected_message, ...)                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autoptr (GError) _error = NULL;                                                              \
    g_autoptr (GPtrArray) _items = load_args (NULL, &_error, __VA_ARGS__, NULL);                   \
    g_assert_null (_items);                                                                        \
    g_assert_error (_error, HEARTH_CONFIG_ERROR, (gint) (code));                                   \
    g_assert_cmpstr (_error->message, ==, (expected_message));                                     \
  }                                                                                                \
  G_STMT_END

static char *
make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("hearth-config-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static char *
write_file (const char *dir, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* Removes a test directory tree: at most two levels, which is all the
 * tests create. */
static void
remove_tree (const char *dir, int levels)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (levels > 0 && g_file_test (path, G_FILE_TEST_IS_DIR) &&
          !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path, levels - 1);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* ---- config-file lines ---- */

static void
test_line_basic (void)
{
  g_autoptr (HearthConfigItem) item = NULL;

  assert_value ("port=53", "port", "53");
  assert_value ("no-resolv", "no-resolv", NULL);
  assert_value ("server=/example.com/192.0.2.1#5353", "server", "/example.com/192.0.2.1#5353");
  assert_value ("local=//", "local", "//");
  assert_value ("server=/dom/#", "server", "/dom/#");
  assert_value ("dhcp-boot=pxelinux.0,,192.168.1.1", "dhcp-boot", "pxelinux.0,,192.168.1.1");
  /* Optional values: both forms. */
  assert_value ("conf-file", "conf-file", NULL);
  assert_value ("log-queries=extra", "log-queries", "extra");
  /* A required value may be empty; the owner decides what that means. */
  assert_value ("port=", "port", "");

  assert_blank ("");
  assert_blank ("   ");
  assert_blank ("\t \r\n");
  assert_blank ("# a comment");
  assert_blank ("   # an indented comment");
  assert_blank ("#port=53");
  assert_blank ("\"\"");

  /* Aliases become the real option. */
  item = parse_ok ("dhcp-lease=/var/lib/misc/x.leases");
  g_assert_cmpstr (item->def->long_name, ==, "dhcp-leasefile");
  g_clear_pointer (&item, hearth_config_item_free);
  item = parse_ok ("domain-suffix=lan");
  g_assert_cmpstr (item->def->long_name, ==, "domain");
  g_assert_cmpstr (item->value, ==, "lan");
}

static void
test_line_whitespace (void)
{
  assert_value ("  port=53  ", "port", "53");
  assert_value ("port = 53", "port", "53");
  assert_value ("port   =    53", "port", "53");
  assert_value ("port= 53", "port", "53");
  assert_value ("port\t=\t53", "port", "53");
  assert_value ("port=53\r", "port", "53");
  assert_value ("port=53\n", "port", "53");
  assert_value ("conf-file=/tmp/a b", "conf-file", "/tmp/a b");
  /* Unquoted tabs and other white space become spaces. */
  assert_value ("conf-file=/tmp/a\tb", "conf-file", "/tmp/a b");
  assert_value ("conf-file=\v\f/tmp/q", "conf-file", "/tmp/q");
  /* Only the first '=' separates; later ones belong to the value. */
  assert_value ("conf-file==x", "conf-file", "=x");
  assert_value ("conf-file= =x", "conf-file", "=x");
  assert_value ("txt-record=a=b", "txt-record", "a=b");
  /* Non-ASCII bytes pass through. */
  assert_value ("conf-file=/tmp/\xc3\xa9", "conf-file", "/tmp/\xc3\xa9");
  assert_value ("no-resolv  ", "no-resolv", NULL);
}

static void
test_line_comments (void)
{
  /* '#' starts a comment only at the start of a word. */
  assert_value ("conf-file=/tmp/a #b", "conf-file", "/tmp/a");
  assert_value ("conf-file=/tmp/a\t#b", "conf-file", "/tmp/a");
  assert_value ("conf-file=/tmp/a#b", "conf-file", "/tmp/a#b");
  assert_value ("server=/dom/#", "server", "/dom/#");
  assert_value ("no-resolv  #c", "no-resolv", NULL);
  assert_value ("conf-file=a# b #c", "conf-file", "a# b");
  /* Quoted, it is never a comment. */
  assert_value ("conf-file=\"/tmp/a #b\"", "conf-file", "/tmp/a #b");
  assert_value ("conf-file=a \"#\"b", "conf-file", "a #b");
  /* A quoted section does not change whether a '#' follows a space. */
  assert_value ("conf-file=/tmp/\"a\"#b", "conf-file", "/tmp/a#b");
  assert_value ("conf-file=a \"\"#b", "conf-file", "a");
  assert_value ("conf-file=a\"\" #b", "conf-file", "a");
  assert_value ("conf-file=\"a\"#", "conf-file", "a#");
}

static void
test_line_quotes (void)
{
  g_autoptr (HearthConfigItem) item = NULL;

  assert_value ("conf-file=\"/tmp/a\"", "conf-file", "/tmp/a");
  assert_value ("conf-file=/tmp/\"a\"x\"b\"", "conf-file", "/tmp/axb");
  assert_value ("conf-file=\"a\" \"b\"", "conf-file", "a b");
  assert_value ("conf-file=\"a\"\"b\"", "conf-file", "ab");
  assert_value ("conf-file=\"\"", "conf-file", "");
  /* Escapes, inside quotes only. */
  assert_value ("conf-file=\"/tmp/\\t\\\\x\\\"\\e\\b\\r\\n\"", "conf-file",
                "/tmp/\t\\x\"\033\b\r\n");
  assert_value ("conf-file=\"/tmp/\\q\"", "conf-file", "/tmp/\\q");
  assert_value ("conf-file=/tmp/\\x", "conf-file", "/tmp/\\x");
  assert_value ("conf-file=x\\\"y\"z", "conf-file", "x\\yz");
  assert_value ("conf-file=\"a\\\"b\"", "conf-file", "a\"b");
  assert_value ("conf-file=\"a\\\\\"b", "conf-file", "a\\b");
  /* Quoted white space is kept, even at the ends. */
  assert_value ("conf-file=\" a \"", "conf-file", " a ");
  assert_value ("conf-file=\"a\tb\"", "conf-file", "a\tb");
  /* Quotes in the name or around '=' (dnsmasq accepts these too). */
  assert_value ("\"port\"=53", "port", "53");
  assert_value ("po\"rt\"=53", "port", "53");
  assert_value ("port\"=\"53", "port", "53");
  assert_value ("port=\"53\"", "port", "53");

  assert_line_error ("conf-file=/tmp/\"unterminated", HEARTH_CONFIG_ERROR_SYNTAX,
                     "/etc/test.conf:7: missing closing '\"'");
  assert_line_error ("conf-file=\"\\\"", HEARTH_CONFIG_ERROR_SYNTAX, NULL);
  assert_line_error ("conf-file=a\"\\\"", HEARTH_CONFIG_ERROR_SYNTAX, NULL);

  /* Quoted commas, colons and spaces do not split a value. */
  item = parse_ok ("txt-record=example.com,\"v=spf1 a,b\",second");
  g_assert_cmpstr (item->value, ==, "example.com,v=spf1 a,b,second");
  assert_fields (item, (const char *const[]){ "example.com", "v=spf1 a,b", "second", NULL });
  g_clear_pointer (&item, hearth_config_item_free);

  item = parse_ok ("dhcp-option=3,\" x \", y ,,z");
  assert_fields (item, (const char *const[]){ "3", " x ", "y", "", "z", NULL });
  g_clear_pointer (&item, hearth_config_item_free);

  item = parse_ok ("dhcp-boot=file,,server");
  g_assert_null (item->quoted);
  assert_fields (item, (const char *const[]){ "file", "", "server", NULL });
  g_clear_pointer (&item, hearth_config_item_free);

  item = parse_ok ("no-resolv");
  assert_fields (item, (const char *const[]){ NULL });
}

static void
test_line_errors (void)
{
  g_autoptr (GString) longest = g_string_new ("conf-file=/");
  g_autoptr (HearthConfigItem) item = NULL;

  assert_line_error ("cache-sise=100", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "/etc/test.conf:7: unknown option 'cache-sise' (did you mean 'cache-size'?)");
  assert_line_error ("foo=bar", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "/etc/test.conf:7: unknown option 'foo'");
  /* No abbreviations in files, no dashes, no spaces inside names. */
  assert_line_error ("cache-si=100", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, NULL);
  assert_line_error ("--port=53", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, NULL);
  assert_line_error ("conf file=/x", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "/etc/test.conf:7: unknown option 'conf file' (did you mean 'conf-file'?)");
  assert_line_error ("Port=53", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, NULL);
  /* Control characters are shown escaped. */
  assert_line_error ("bo\033gus", HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "/etc/test.conf:7: unknown option 'bo\\033gus'");

  assert_line_error ("no-resolv=1", HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE,
                     "/etc/test.conf:7: option 'no-resolv' does not take a value");
  assert_line_error ("no-resolv=", HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE, NULL);
  assert_line_error ("no-resolv = ", HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE, NULL);
  assert_line_error ("no-resolv=\"\"", HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE, NULL);

  assert_line_error ("port", HEARTH_CONFIG_ERROR_MISSING_VALUE,
                     "/etc/test.conf:7: option 'port' needs a value (port=<port>)");
  assert_line_error ("dhcp-lease", HEARTH_CONFIG_ERROR_MISSING_VALUE, NULL);
  assert_line_error ("conf-dir # no directory", HEARTH_CONFIG_ERROR_MISSING_VALUE, NULL);

  assert_line_error ("=x", HEARTH_CONFIG_ERROR_SYNTAX,
                     "/etc/test.conf:7: expected an option name before '='");
  assert_line_error ("  = x", HEARTH_CONFIG_ERROR_SYNTAX, NULL);

  /* Longest line accepted, and one byte more. */
  while (longest->len < HEARTH_CONFIG_LINE_MAX)
    g_string_append_c (longest, 'a');
  item = parse_ok (longest->str);
  g_assert_cmpuint (strlen (item->value), ==, HEARTH_CONFIG_LINE_MAX - strlen ("conf-file="));
  g_string_append_c (longest, '\n');
  g_clear_pointer (&item, hearth_config_item_free);
  item = parse_ok (longest->str);
  g_string_truncate (longest, longest->len - 1);
  g_string_append_c (longest, 'a');
  assert_line_error (longest->str, HEARTH_CONFIG_ERROR_SYNTAX,
                     "/etc/test.conf:7: line is longer than 4096 bytes");
}

/* ---- command lines ---- */

static void
test_argv_forms (void)
{
  assert_args ("port=5353", "--port=5353");
  assert_args ("port=5353", "--port", "5353");
  assert_args ("port=5353", "-p", "5353");
  assert_args ("port=5353", "-p5353");
  assert_args ("port=", "--port=");
  assert_args ("keep-in-foreground no-daemon", "-kd");
  assert_args ("keep-in-foreground cache-size=400", "-kc400");
  assert_args ("keep-in-foreground cache-size=400", "-kc", "400");
  assert_args ("cache-size=400", "-c", "400");
  assert_args ("cache-size=400", "--cache-size=400");
  assert_args ("cache-size=k", "-ck");
  /* A value may start with '-'. */
  assert_args ("port=-5", "--port", "-5");
  assert_args ("cache-size=-1", "-c", "-1");
  /* Optional values, long and short. */
  assert_args ("log-queries", "--log-queries");
  assert_args ("log-queries=extra", "--log-queries=extra");
  assert_args ("log-queries no-daemon", "-qd");
  assert_args ("enable-dbus", "-1");
  assert_args ("enable-dbus=org.freedesktop.NetworkManager.dnsmasq",
               "--enable-dbus=org.freedesktop.NetworkManager.dnsmasq");
  assert_args ("conf-file", "--conf-file");
  assert_args ("conf-file=", "--conf-file=");
  assert_args ("conf-file=/dev/null", "-C", "/dev/null");
  assert_args ("user", "--user");
  assert_args ("user=nobody", "-u", "nobody");
  /* Unique abbreviations, as getopt_long allows. */
  assert_args ("no-resolv", "--no-res");
  assert_args ("cache-size=1", "--cache-si=1");
  assert_args ("strict-order", "--strict");
  assert_args ("dhcp-leasefile", "--dhcp-leasef");
  /* An abbreviation of an alias only is the real option. */
  assert_args ("domain=lan", "--domain-s=lan");
  /* An exact name wins over longer names it is a prefix of. */
  assert_args ("dhcp-option=3", "--dhcp-option=3");
  assert_args ("filter-A", "--filter-A");
  assert_args ("dhcp-leasefile=/x", "--dhcp-lease=/x");
  /* "--" ends the options; words of only white space are ignored. */
  assert_args ("no-resolv", "--no-resolv", "--");
  assert_args ("no-resolv", " ", "--no-resolv", "\t");
}

static void
test_argv_errors (void)
{
  assert_args_error (HEARTH_CONFIG_ERROR_SYNTAX,
                     "command line: unexpected argument '400' (values need --option=value)",
                     "--cache-size", "400");
  assert_args_error (HEARTH_CONFIG_ERROR_SYNTAX,
                     "command line: unexpected argument 'extra' (values need --option=value)",
                     "--log-queries", "extra");
  assert_args_error (HEARTH_CONFIG_ERROR_MISSING_VALUE,
                     "command line: option '--port' needs a value (--port=<port>)", "--port");
  assert_args_error (HEARTH_CONFIG_ERROR_MISSING_VALUE,
                     "command line: option '-c' needs a value (--cache-size=<integer>)", "-c");
  assert_args_error (HEARTH_CONFIG_ERROR_MISSING_VALUE,
                     "command line: option '-C' needs a value (--conf-file=<path>)", "-kC");
  assert_args_error (HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE,
                     "command line: option '--no-resolv' does not take a value", "--no-resolv=1");
  assert_args_error (HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE,
                     "command line: option '--no-resolv' does not take a value", "--no-res=");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: unknown option '--cache-sise' (did you mean '--cache-size'?)",
                     "--cache-sise=4");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: unknown option '--nonsense'", "--nonsense");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, "command line: unknown option '-='",
                     "-Z=1");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, "command line: unknown option '--'",
                     "--=x");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: option '--dom' is ambiguous; possibilities: --domain-needed, "
                     "--domain, --domain-suffix",
                     "--dom=x");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: option '--dhcp-o' is ambiguous; possibilities: --dhcp-option, "
                     "--dhcp-option-force, --dhcp-optsfile, --dhcp-optsdir",
                     "--dhcp-o=x");
  assert_args_error (HEARTH_CONFIG_ERROR_SYNTAX,
                     "command line: unexpected argument 'junk' (values need --option=value)",
                     "junk");
  assert_args_error (HEARTH_CONFIG_ERROR_SYNTAX,
                     "command line: unexpected argument '-' (values need --option=value)", "-");
  assert_args_error (HEARTH_CONFIG_ERROR_SYNTAX,
                     "command line: unexpected argument '--port=5' (values need --option=value)",
                     "--", "--port=5");
  /* Options are all checked before leftover words, as getopt reorders. */
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: unknown option '--nonsense'", "junk", "--nonsense");
}

static void
test_argv_help_and_version_stop (void)
{
  assert_args ("help", "--help");
  assert_args ("help", "-w");
  assert_args ("help=dhcp", "--help", "dhcp");
  assert_args ("version", "--version", "--nonsense", "junk");
  assert_args ("port=5 version", "--port=5", "-v");
  assert_args ("version", "junk", "--version");
  assert_args_error (HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                     "command line: unknown option '--nonsense'", "--nonsense", "--version");
}

static void
test_argv_network_manager (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *conf_dir_arg = g_strdup_printf ("--conf-dir=%s", dir);
  g_autofree char *extra = write_file (dir, "extra.conf", "cache-size=1000\n");

  /* NetworkManager's dns=dnsmasq command line (current and 1.42). */
  assert_args ("no-resolv keep-in-foreground no-hosts bind-dynamic pid-file=/run/nm/dnsmasq.pid "
               "listen-address=127.0.0.1 listen-address=::1 cache-size=400 clear-on-reload "
               "conf-file=/dev/null enable-dbus=org.freedesktop.NetworkManager.dnsmasq",
               "--no-resolv", "--keep-in-foreground", "--no-hosts", "--bind-dynamic",
               "--pid-file=/run/nm/dnsmasq.pid", "--listen-address=127.0.0.1",
               "--listen-address=::1", "--cache-size=400", "--clear-on-reload",
               "--conf-file=/dev/null", "--enable-dbus=org.freedesktop.NetworkManager.dnsmasq");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) items = load_args (
        NULL, &error, "--no-resolv", "--keep-in-foreground", "--no-hosts", "--bind-interfaces",
        "--pid-file=/run/NetworkManager/dnsmasq.pid", "--listen-address=127.0.0.1",
        "--cache-size=400", "--clear-on-reload", "--conf-file=/dev/null", "--proxy-dnssec",
        "--enable-dbus=org.freedesktop.NetworkManager.dnsmasq", conf_dir_arg, NULL);
    g_autofree char *got = NULL;
    g_autofree char *expected = NULL;
    const HearthConfigItem *last;

    g_assert_no_error (error);
    got = describe (items);
    /* The conf-dir, last on the command line, is read where it stands. */
    expected = g_strdup_printf (
        "no-resolv keep-in-foreground no-hosts bind-interfaces "
        "pid-file=/run/NetworkManager/dnsmasq.pid listen-address=127.0.0.1 cache-size=400 "
        "clear-on-reload conf-file=/dev/null proxy-dnssec "
        "enable-dbus=org.freedesktop.NetworkManager.dnsmasq conf-dir=%s cache-size=1000",
        dir);
    g_assert_cmpstr (got, ==, expected);
    last = g_ptr_array_index (items, items->len - 1);
    g_assert_cmpstr (last->def->long_name, ==, "cache-size");
    g_assert_cmpstr (last->value, ==, "1000");
    g_assert_cmpstr (last->origin, ==, extra);
    g_assert_cmpuint (last->line, ==, 1);
  }
  /* Shared mode. */
  assert_args ("conf-file=/dev/null no-hosts keep-in-foreground bind-interfaces "
               "except-interface=lo clear-on-reload strict-order listen-address=10.42.99.1 "
               "dhcp-range=10.42.99.10,10.42.99.254,60m "
               "dhcp-leasefile=/var/lib/NetworkManager/dnsmasq-eth1.leases "
               "pid-file=/run/nm-dnsmasq-eth1.pid",
               "--conf-file=/dev/null", "--no-hosts", "--keep-in-foreground", "--bind-interfaces",
               "--except-interface=lo", "--clear-on-reload", "--strict-order",
               "--listen-address=10.42.99.1", "--dhcp-range=10.42.99.10,10.42.99.254,60m",
               "--dhcp-leasefile=/var/lib/NetworkManager/dnsmasq-eth1.leases",
               "--pid-file=/run/nm-dnsmasq-eth1.pid");
  remove_tree (dir, 0);
}

/* ---- whole loads ---- */

static void
test_load_default_file (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *conf = write_file (dir, "hearth.conf", "# default\nport=5353\n\nno-resolv\n");
  g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
  g_autofree char *missing_arg = g_strdup_printf ("--conf-file=%s", missing);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *got = NULL;
  const HearthConfigItem *item;

  /* Read when the command line names no conf file, after argv. */
  items = load_args (conf, &error, "-k", NULL);
  g_assert_no_error (error);
  got = describe (items);
  g_assert_cmpstr (got, ==, "keep-in-foreground port=5353 no-resolv");
  item = g_ptr_array_index (items, 1);
  g_assert_cmpstr (item->origin, ==, conf);
  g_assert_cmpuint (item->line, ==, 2);
  item = g_ptr_array_index (items, 2);
  g_assert_cmpuint (item->line, ==, 4);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->origin, ==, "command line");
  g_assert_cmpuint (item->line, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);

  /* A missing default is fine. */
  items = load_args (missing, &error, "-k", NULL);
  g_assert_no_error (error);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Any --conf-file, even without a value or /dev/null, replaces it. */
  items = load_args (conf, &error, "--conf-file", NULL);
  g_assert_no_error (error);
  got = describe (items);
  g_assert_cmpstr (got, ==, "conf-file");
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);
  items = load_args (conf, &error, "--conf-file=/dev/null", "--conf-file=/dev/null", NULL);
  g_assert_no_error (error);
  got = describe (items);
  g_assert_cmpstr (got, ==, "conf-file=/dev/null conf-file=/dev/null");
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);

  /* A missing file named explicitly is an error. */
  items = load_args (conf, &error, missing_arg, NULL);
  g_assert_null (items);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
  expected = g_strdup_printf ("command line: cannot read %s: No such file or directory", missing);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* A default that exists but cannot be read is an error too. */
  items = load_args (dir, &error, NULL);
  g_assert_null (items);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
  g_clear_error (&error);

  remove_tree (dir, 0);
}

static void
test_load_order_and_includes (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *sub = g_build_filename (dir, "d", NULL);
  g_autofree char *one = NULL, *two = NULL, *three = NULL, *in_dir = NULL;
  g_autofree char *arg_one = NULL, *arg_two = NULL, *arg_dir = NULL, *got = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  three = write_file (dir, "three.conf", "min-port=3\n");
  in_dir = write_file (sub, "x.conf", "max-port=4\n");
  {
    g_autofree char *body = g_strdup_printf ("port=1\nconf-file=%s\nneg-ttl=1\n", three);
    one = write_file (dir, "one.conf", body);
  }
  two = write_file (dir, "two.conf", "port=2\n");
  arg_one = g_strdup_printf ("-C%s", one);
  arg_two = g_strdup_printf ("--conf-file=%s", two);
  arg_dir = g_strdup_printf ("--conf-dir=%s", sub);

  /* Command line first, --conf-dir read where it stands, then the conf
   * files in order, each include followed where it appears. */
  items =
      load_args ("/nonexistent/default.conf", &error, arg_one, "-k", arg_dir, arg_two, "-d", NULL);
  g_assert_no_error (error);
  got = describe (items);
  expected = g_strdup_printf ("conf-file=%s keep-in-foreground conf-dir=%s max-port=4 "
                              "conf-file=%s no-daemon port=1 conf-file=%s min-port=3 neg-ttl=1 "
                              "port=2",
                              one, sub, two, three);
  g_assert_cmpstr (got, ==, expected);

  remove_tree (dir, 1);
}

static void
test_load_conf_dir (void)
{
  static const struct
  {
    const char *suffixes;
    const char *expected;
  } cases[] = {
    { "", "0.txt A.conf _.conf a.conf axconf b.conf link.conf" },
    { ",.txt", "A.conf _.conf a.conf axconf b.conf link.conf" },
    { ",*.conf", "A.conf _.conf a.conf b.conf link.conf" },
    { ",*.nothing", "" },
    { ",*.nothing,*.txt", "0.txt" },
    { ",.txt,*.conf", "A.conf _.conf a.conf b.conf link.conf" },
    { ",*.conf,.txt", "A.conf _.conf a.conf b.conf link.conf" },
    { ",conf", "0.txt" },
    { ",*conf", "A.conf _.conf a.conf axconf b.conf link.conf" },
    { ", .txt , .conf", "axconf" },
    { ",*", "0.txt A.conf _.conf a.conf axconf b.conf link.conf" },
    { ",,", "0.txt A.conf _.conf a.conf axconf b.conf link.conf" },
  };
  static const char *const names[] = { "b.conf", "a.conf",  "A.conf", "_.conf", "0.txt",
                                       "axconf", ".hidden", "c~",     "#x#",    "#" };
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *target = NULL;
  g_autofree char *link = g_build_filename (dir, "link.conf", NULL);
  g_autofree char *subdir = g_build_filename (dir, "sub.conf", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.conf", NULL);

  /* Each file sets log-facility to its own name, so the items show which
   * files were read and in which order. */
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *body = g_strdup_printf ("log-facility=%s\n", names[i]);
      g_free (write_file (dir, names[i], body));
    }
  {
    g_autofree char *outside = make_tmpdir ();
    g_autofree char *body = g_strdup ("log-facility=link.conf\n");
    target = write_file (outside, "target", body);
    g_assert_cmpint (symlink (target, link), ==, 0);
  }
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *arg = g_strdup_printf ("--conf-dir=%s%s", dir, cases[i].suffixes);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) items = load_args (NULL, &error, arg, NULL);
      g_autoptr (GString) got = g_string_new (NULL);

      g_assert_no_error (error);
      for (guint j = 1; j < items->len; j++)
        {
          const HearthConfigItem *item = g_ptr_array_index (items, j);
          g_autofree char *base = g_path_get_basename (item->origin);
          g_assert_cmpstr (item->def->long_name, ==, "log-facility");
          g_assert_cmpstr (item->value, ==, base);
          g_string_append_printf (got, "%s%s", j > 1 ? " " : "", item->value);
        }
      if (!g_str_equal (got->str, cases[i].expected))
        g_error ("conf-dir suffixes '%s': read '%s', expected '%s'", cases[i].suffixes, got->str,
                 cases[i].expected);
    }

  /* conf-dir= with nothing names nothing. */
  assert_args ("conf-dir=", "--conf-dir=");

  /* A missing directory is an error naming it and where it was given. */
  {
    g_autofree char *missing = g_build_filename (dir, "nope", NULL);
    g_autofree char *arg = g_strdup_printf ("--conf-dir=%s", missing);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) items = load_args (NULL, &error, arg, NULL);

    g_assert_null (items);
    g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
    g_assert_true (g_str_has_prefix (error->message, "command line: cannot read directory "));
    g_assert_nonnull (strstr (error->message, missing));
  }

  /* A dangling link in the directory is an error (dnsmasq fails too). */
  {
    g_autofree char *dangling = g_build_filename (dir, "dangling.conf", NULL);
    g_autofree char *arg = g_strdup_printf ("--conf-dir=%s,*.conf", dir);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) items = NULL;

    g_assert_cmpint (symlink ("/nonexistent/target", dangling), ==, 0);
    items = load_args (NULL, &error, arg, NULL);
    g_assert_null (items);
    g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
    g_assert_nonnull (strstr (error->message, "dangling.conf"));
  }

  {
    g_autofree char *outside = g_path_get_dirname (target);
    remove_tree (outside, 0);
  }
  remove_tree (dir, 1);
}

static void
test_load_conf_dir_in_file (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *sub = g_build_filename (dir, "dnsmasq.d", NULL);
  g_autofree char *a = NULL, *b = NULL, *main_conf = NULL, *arg = NULL, *got = NULL;
  g_autofree char *body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  a = write_file (sub, "a.conf", "port=1\n");
  b = write_file (sub, "b.bak", "port=2\n");
  /* Spaces around the fields, as dnsmasq allows them in a file. */
  body = g_strdup_printf ("strict-order\nconf-dir=%s , .bak\nall-servers\n", sub);
  main_conf = write_file (dir, "main.conf", body);
  arg = g_strdup_printf ("--conf-file=%s", main_conf);

  items = load_args (NULL, &error, arg, NULL);
  g_assert_no_error (error);
  got = describe (items);
  g_assert_true (g_str_has_suffix (got, " port=1 all-servers"));
  g_assert_nonnull (strstr (got, "strict-order conf-dir="));
  g_assert_null (strstr (got, "port=2"));

  remove_tree (dir, 1);
}

static void
test_load_include_loops (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *self = g_build_filename (dir, "self.conf", NULL);
  g_autofree char *a = g_build_filename (dir, "a.conf", NULL);
  g_autofree char *b = g_build_filename (dir, "b.conf", NULL);
  g_autofree char *arg = NULL, *got = NULL, *expected = NULL, *first = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  /* A file including itself is read once, as dnsmasq does. */
  {
    g_autofree char *body = g_strdup_printf ("port=1\nconf-file=%s\nneg-ttl=2\n", self);
    g_free (write_file (dir, "self.conf", body));
  }
  arg = g_strdup_printf ("--conf-file=%s", self);
  items = load_args (NULL, &error, arg, NULL);
  g_assert_no_error (error);
  got = describe (items);
  expected = g_strdup_printf ("conf-file=%s port=1 conf-file=%s neg-ttl=2", self, self);
  g_assert_cmpstr (got, ==, expected);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&arg, g_free);

  /* Two files including each other. */
  {
    g_autofree char *body_a = g_strdup_printf ("conf-file=%s\nport=1\n", b);
    g_autofree char *body_b = g_strdup_printf ("conf-file=%s\nport=2\n", a);
    g_free (write_file (dir, "a.conf", body_a));
    g_free (write_file (dir, "b.conf", body_b));
  }
  arg = g_strdup_printf ("-C%s", a);
  items = load_args (NULL, &error, arg, NULL);
  g_assert_no_error (error);
  got = describe (items);
  expected = g_strdup_printf ("conf-file=%s conf-file=%s conf-file=%s port=2 port=1", a, b, a);
  g_assert_cmpstr (got, ==, expected);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&arg, g_free);

  /* A chain longer than the limit: chain-0 includes chain-1 ... */
  for (int i = 0; i <= HEARTH_CONFIG_INCLUDE_DEPTH_MAX + 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("chain-%d.conf", i);
      g_autofree char *next = g_strdup_printf ("%s/chain-%d.conf", dir, i + 1);
      g_autofree char *body = g_strdup_printf ("# link %d\nconf-file=%s\n", i, next);
      g_autofree char *path = write_file (dir, name, body);
      if (i == 0)
        first = g_strdup (path);
    }
  arg = g_strdup_printf ("--conf-file=%s", first);
  items = load_args (NULL, &error, arg, NULL);
  g_assert_null (items);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "/chain-15.conf:2: cannot read "));
  g_assert_nonnull (strstr (error->message, "nested more than 16 deep"));

  remove_tree (dir, 0);
}

static void
test_load_file_errors (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = NULL, *arg = NULL, *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GString) long_line = g_string_new ("# ");

  /* The error names the file, the line and the option. */
  path = write_file (dir, "bad.conf", "# comment\nport=53\ncache-sise=100\nno-resolv\n");
  arg = g_strdup_printf ("--conf-file=%s", path);
  items = load_args (NULL, &error, arg, NULL);
  g_assert_null (items);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION);
  expected =
      g_strdup_printf ("%s:3: unknown option 'cache-sise' (did you mean 'cache-size'?)", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  g_free (path);
  path = write_file (dir, "bad.conf", "port\n");
  items = load_args (NULL, &error, arg, NULL);
  expected = g_strdup_printf ("%s:1: option 'port' needs a value (port=<port>)", path);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_MISSING_VALUE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* A NUL byte is reported, not silently cut. */
  {
    static const char with_nul[] = "port=53\nconf-file=/tmp/a\0bc\n";
    g_assert_true (g_file_set_contents (path, with_nul, sizeof (with_nul) - 1, NULL));
  }
  items = load_args (NULL, &error, arg, NULL);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s:2: line contains a NUL byte", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* So is a line longer than the limit, even a comment, which dnsmasq would
   * cut and read the rest of as a new line. */
  while (long_line->len <= HEARTH_CONFIG_LINE_MAX)
    g_string_append (long_line, "x");
  g_string_append (long_line, " bogus=1\n");
  g_string_prepend (long_line, "port=1\n");
  g_assert_true (g_file_set_contents (path, long_line->str, -1, NULL));
  items = load_args (NULL, &error, arg, NULL);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s:2: line is longer than 4096 bytes", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* A missing included file names the including line. */
  g_free (path);
  path = write_file (dir, "bad.conf", "port=1\n\nconf-file=/nonexistent/x.conf\n");
  items = load_args (NULL, &error, arg, NULL);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
  expected =
      g_strdup_printf ("%s:3: cannot read /nonexistent/x.conf: No such file or directory", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* A file without a final newline, with CRLF line ends, and the
   * command-line-only options (accepted and dropped, like dnsmasq). */
  g_free (path);
  path = write_file (dir, "bad.conf", "help\r\nversion\r\ntest\r\nport=1\r\nno-resolv");
  items = load_args (NULL, &error, arg, NULL);
  g_assert_no_error (error);
  {
    g_autofree char *got = describe (items);
    expected = g_strdup_printf ("conf-file=%s port=1 no-resolv", path);
    g_assert_cmpstr (got, ==, expected);
  }
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Without root, an unreadable file is an error. */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (path, 0), ==, 0);
      items = load_args (NULL, &error, arg, NULL);
      g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE);
      g_assert_nonnull (strstr (error->message, "Permission denied"));
      g_clear_error (&error);
    }

  remove_tree (dir, 0);
}

static void
test_load_stdin (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = write_file (dir, "stdin.conf", "port=7\n\nbogus\n");
  g_autofree char *other = write_file (dir, "other.conf", "conf-file=-\nno-resolv\n");
  g_autofree char *other_arg = g_strdup_printf ("--conf-file=%s", other);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  int saved = dup (STDIN_FILENO);
  int fd;

  g_assert_cmpint (saved, >=, 0);

  /* conf-file=- reads standard input, and names it "stdin" in errors. */
  fd = open (path, O_RDONLY);
  g_assert_cmpint (dup2 (fd, STDIN_FILENO), ==, STDIN_FILENO);
  close (fd);
  items = load_args (NULL, &error, "-C", "-", NULL);
  g_assert_null (items);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION);
  g_assert_cmpstr (error->message, ==, "stdin:3: unknown option 'bogus'");
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "port=7\n", -1, NULL));
  fd = open (path, O_RDONLY);
  g_assert_cmpint (dup2 (fd, STDIN_FILENO), ==, STDIN_FILENO);
  close (fd);
  /* Standard input is read once, however often it is named. */
  items = load_args (NULL, &error, "-C", "-", other_arg, NULL);
  g_assert_no_error (error);
  {
    g_autofree char *got = describe (items);
    g_autofree char *expected =
        g_strdup_printf ("conf-file=- conf-file=%s port=7 conf-file=- no-resolv", other);
    const HearthConfigItem *item = g_ptr_array_index (items, 2);
    g_assert_cmpstr (got, ==, expected);
    g_assert_cmpstr (item->origin, ==, "stdin");
    g_assert_cmpuint (item->line, ==, 1);
  }

  g_assert_cmpint (dup2 (saved, STDIN_FILENO), ==, STDIN_FILENO);
  close (saved);
  remove_tree (dir, 0);
}

/* ---- errors raised by subsystems ---- */

static void
test_item_errors (void)
{
  g_autoptr (HearthConfigItem) file_item = parse_ok ("cache-size=lots");
  g_autoptr (HearthConfigItem) argv_item =
      hearth_config_item_new (hearth_option_lookup_long ("port"), "x", "command line", 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *where = NULL;
  guint value;

  hearth_config_item_set_error (file_item, &error, "expected %s", "a number");
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==, "/etc/test.conf:7: option 'cache-size': expected a number");
  g_clear_error (&error);

  hearth_config_item_set_error (argv_item, &error, "bad");
  g_assert_cmpstr (error->message, ==, "command line: option '--port': bad");
  g_clear_error (&error);

  /* A NULL error is allowed. */
  hearth_config_item_set_error (argv_item, NULL, "ignored");

  g_assert_false (hearth_config_value_parse_uint (file_item->value, 0, 10000, &value, &error));
  hearth_config_item_prefix_error (file_item, &error);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "/etc/test.conf:7: option 'cache-size': expected a whole number from 0 to "
                   "10000, got 'lots'");
  g_clear_error (&error);
  hearth_config_item_prefix_error (file_item, NULL);
  hearth_config_item_prefix_error (file_item, &error);
  g_assert_null (error);

  where = hearth_config_item_get_location (file_item);
  g_assert_cmpstr (where, ==, "/etc/test.conf:7");
  g_clear_pointer (&where, g_free);
  where = hearth_config_item_get_location (argv_item);
  g_assert_cmpstr (where, ==, "command line");
}

/* ---- the libvirt-generated configurations ---- */

static guint
count_option_lines (const char *contents)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      while (g_ascii_isspace (*l))
        l++;
      if (*l != '\0' && *l != '#')
        n++;
    }
  return n;
}

static void
test_libvirt_confs (void)
{
  const char *shared = g_getenv ("HEARTH_SHARED_DIR");
  g_autofree char *dir = NULL;
  g_autoptr (GDir) d = NULL;
  const char *name;
  guint files = 0;
  gboolean saw_bogus = FALSE;

  if (shared == NULL)
    {
      g_test_skip ("HEARTH_SHARED_DIR is not set");
      return;
    }
  dir = g_build_filename (shared, "compat", "libvirt-confs", NULL);
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    {
      g_test_skip ("no libvirt-confs fixtures");
      return;
    }

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL, *arg = NULL, *contents = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) items = NULL;

      if (!g_str_has_suffix (name, ".conf"))
        continue;
      files++;
      path = g_build_filename (dir, name, NULL);
      arg = g_strdup_printf ("--conf-file=%s", path);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      items = load_args (NULL, &error, arg, NULL);

      if (g_str_equal (name, "dnsmasq-options.conf"))
        {
          /* Holds a deliberately bogus "foo=bar": it must fail on that line. */
          g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
          g_autofree char *expected = NULL;
          guint line = 0;

          for (guint i = 0; lines[i] != NULL && line == 0; i++)
            if (g_str_equal (lines[i], "foo=bar"))
              line = i + 1;
          g_assert_cmpuint (line, >, 0);
          g_assert_null (items);
          g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION);
          expected = g_strdup_printf ("%s:%u: unknown option 'foo'", path, line);
          g_assert_cmpstr (error->message, ==, expected);
          saw_bogus = TRUE;
          continue;
        }

      if (error != NULL)
        g_error ("%s: %s", name, error->message);
      /* Every option line became an item, besides the conf-file item. */
      g_assert_cmpuint (items->len, ==, count_option_lines (contents) + 1);
      for (guint i = 1; i < items->len; i++)
        {
          const HearthConfigItem *item = g_ptr_array_index (items, i);
          g_assert_nonnull (item->def);
          g_assert_cmpstr (item->origin, ==, path);
          g_assert_cmpuint (item->line, >, 0);
        }
    }
  g_assert_cmpuint (files, >=, 20);
  g_assert_true (saw_bogus);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/parser/line/basic", test_line_basic);
  g_test_add_func ("/config/parser/line/whitespace", test_line_whitespace);
  g_test_add_func ("/config/parser/line/comments", test_line_comments);
  g_test_add_func ("/config/parser/line/quotes", test_line_quotes);
  g_test_add_func ("/config/parser/line/errors", test_line_errors);
  g_test_add_func ("/config/parser/argv/forms", test_argv_forms);
  g_test_add_func ("/config/parser/argv/errors", test_argv_errors);
  g_test_add_func ("/config/parser/argv/help-and-version-stop", test_argv_help_and_version_stop);
  g_test_add_func ("/config/parser/argv/network-manager", test_argv_network_manager);
  g_test_add_func ("/config/parser/load/default-file", test_load_default_file);
  g_test_add_func ("/config/parser/load/order-and-includes", test_load_order_and_includes);
  g_test_add_func ("/config/parser/load/conf-dir", test_load_conf_dir);
  g_test_add_func ("/config/parser/load/conf-dir-in-file", test_load_conf_dir_in_file);
  g_test_add_func ("/config/parser/load/include-loops", test_load_include_loops);
  g_test_add_func ("/config/parser/load/file-errors", test_load_file_errors);
  g_test_add_func ("/config/parser/load/stdin", test_load_stdin);
  g_test_add_func ("/config/parser/item-errors", test_item_errors);
  g_test_add_func ("/config/parser/libvirt-confs", test_libvirt_confs);
  return g_test_run ();
}
