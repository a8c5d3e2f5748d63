/* Unit tests of the option table: its invariants, its agreement with
 * dnsmasq 2.90's option list, lookups, and the --help text.
 *
 * The dnsmasq facts below (names, argument shapes, the getopt string) were
 * taken from the dnsmasq 2.90 binary: `dnsmasq --help`, and for each name
 * whether `--test` with the bare name or with "name=x" in a config file
 * reports "missing parameter" or "extraneous parameter".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "config/config-options.h"

#define NO HEARTH_OPTION_ARG_NONE
#define REQ HEARTH_OPTION_ARG_REQUIRED
#define OPT HEARTH_OPTION_ARG_OPTIONAL

static const struct
{
  const char *name;
  HearthOptionArg arg;
} dnsmasq_options[] = {
  { "add-cpe-id", REQ },
  { "add-mac", OPT },
  { "add-subnet", OPT },
  { "addn-hosts", REQ },
  { "address", REQ },
  { "alias", REQ },
  { "all-servers", NO },
  { "auth-peer", REQ },
  { "auth-sec-servers", REQ },
  { "auth-server", REQ },
  { "auth-soa", REQ },
  { "auth-ttl", REQ },
  { "auth-zone", REQ },
  { "bind-dynamic", NO },
  { "bind-interfaces", NO },
  { "bogus-nxdomain", REQ },
  { "bogus-priv", NO },
  { "bootp-dynamic", OPT },
  { "bridge-interface", REQ },
  { "caa-record", REQ },
  { "cache-rr", REQ },
  { "cache-size", OPT },
  { "clear-on-reload", NO },
  { "cname", REQ },
  { "conf-dir", REQ },
  { "conf-file", OPT },
  { "conf-script", REQ },
  { "connmark-allowlist", REQ },
  { "connmark-allowlist-enable", OPT },
  { "conntrack", NO },
  { "dhcp-alternate-port", OPT },
  { "dhcp-authoritative", NO },
  { "dhcp-boot", REQ },
  { "dhcp-broadcast", OPT },
  { "dhcp-circuitid", REQ },
  { "dhcp-client-update", NO },
  { "dhcp-duid", REQ },
  { "dhcp-fqdn", NO },
  { "dhcp-generate-names", OPT },
  { "dhcp-host", REQ },
  { "dhcp-hostsdir", REQ },
  { "dhcp-hostsfile", REQ },
  { "dhcp-ignore", REQ },
  { "dhcp-ignore-clid", NO },
  { "dhcp-ignore-names", OPT },
  { "dhcp-lease", REQ },
  { "dhcp-lease-max", REQ },
  { "dhcp-leasefile", OPT },
  { "dhcp-luascript", REQ },
  { "dhcp-mac", REQ },
  { "dhcp-match", REQ },
  { "dhcp-name-match", REQ },
  { "dhcp-no-override", NO },
  { "dhcp-option", REQ },
  { "dhcp-option-force", REQ },
  { "dhcp-optsdir", REQ },
  { "dhcp-optsfile", REQ },
  { "dhcp-proxy", OPT },
  { "dhcp-pxe-vendor", REQ },
  { "dhcp-range", REQ },
  { "dhcp-rapid-commit", NO },
  { "dhcp-relay", REQ },
  { "dhcp-remoteid", REQ },
  { "dhcp-reply-delay", REQ },
  { "dhcp-script", REQ },
  { "dhcp-scriptuser", REQ },
  { "dhcp-sequential-ip", NO },
  { "dhcp-subscrid", REQ },
  { "dhcp-ttl", REQ },
  { "dhcp-userclass", REQ },
  { "dhcp-vendorclass", REQ },
  { "dns-forward-max", REQ },
  { "dns-loop-detect", NO },
  { "dns-rr", REQ },
  { "dnssec", NO },
  { "dnssec-check-unsigned", OPT },
  { "dnssec-debug", NO },
  { "dnssec-limits", REQ },
  { "dnssec-no-timecheck", NO },
  { "dnssec-timestamp", REQ },
  { "domain", REQ },
  { "domain-needed", NO },
  { "domain-suffix", REQ },
  { "dumpfile", REQ },
  { "dumpmask", REQ },
  { "dynamic-host", REQ },
  { "edns-packet-max", REQ },
  { "enable-dbus", OPT },
  { "enable-ra", NO },
  { "enable-tftp", OPT },
  { "enable-ubus", OPT },
  { "except-interface", REQ },
  { "expand-hosts", NO },
  { "fast-dns-retry", OPT },
  { "filter-A", NO },
  { "filter-AAAA", NO },
  { "filter-rr", REQ },
  { "filterwin2k", NO },
  { "group", OPT },
  { "help", NO },
  { "host-record", REQ },
  { "hostsdir", REQ },
  { "ignore-address", REQ },
  { "interface", REQ },
  { "interface-name", REQ },
  { "ipset", REQ },
  { "keep-in-foreground", NO },
  { "leasefile-ro", NO },
  { "listen-address", REQ },
  { "local", REQ },
  { "local-service", OPT },
  { "local-ttl", REQ },
  { "localise-queries", NO },
  { "localmx", NO },
  { "log-async", OPT },
  { "log-debug", NO },
  { "log-dhcp", NO },
  { "log-facility", REQ },
  { "log-queries", OPT },
  { "max-cache-ttl", REQ },
  { "max-port", REQ },
  { "max-tcp-connections", REQ },
  { "max-ttl", REQ },
  { "min-cache-ttl", REQ },
  { "min-port", REQ },
  { "mx-host", REQ },
  { "mx-target", REQ },
  { "naptr-record", REQ },
  { "neg-ttl", REQ },
  { "nftset", REQ },
  { "no-daemon", NO },
  { "no-dhcp-interface", REQ },
  { "no-dhcpv4-interface", REQ },
  { "no-dhcpv6-interface", REQ },
  { "no-hosts", NO },
  { "no-ident", NO },
  { "no-negcache", NO },
  { "no-ping", NO },
  { "no-poll", NO },
  { "no-resolv", NO },
  { "no-round-robin", NO },
  { "pid-file", OPT },
  { "port", REQ },
  { "port-limit", REQ },
  { "proxy-dnssec", NO },
  { "ptr-record", REQ },
  { "pxe-prompt", REQ },
  { "pxe-service", REQ },
  { "query-port", REQ },
  { "quiet-dhcp", NO },
  { "quiet-dhcp6", NO },
  { "quiet-ra", NO },
  { "quiet-tftp", NO },
  { "ra-param", REQ },
  { "read-ethers", NO },
  { "rebind-domain-ok", REQ },
  { "rebind-localhost-ok", NO },
  { "resolv-file", OPT },
  { "rev-server", REQ },
  { "script-arp", NO },
  { "script-on-renewal", NO },
  { "selfmx", NO },
  { "server", REQ },
  { "servers-file", REQ },
  { "shared-network", REQ },
  { "srv-host", REQ },
  { "stop-dns-rebind", NO },
  { "strict-order", NO },
  { "strip-mac", NO },
  { "strip-subnet", NO },
  { "synth-domain", REQ },
  { "tag-if", REQ },
  { "test", NO },
  { "tftp-lowercase", NO },
  { "tftp-max", REQ },
  { "tftp-mtu", REQ },
  { "tftp-no-blocksize", NO },
  { "tftp-no-fail", NO },
  { "tftp-port-range", REQ },
  { "tftp-root", REQ },
  { "tftp-secure", NO },
  { "tftp-single-port", NO },
  { "tftp-unique-root", OPT },
  { "trust-anchor", REQ },
  { "txt-record", REQ },
  { "umbrella", OPT },
  { "use-stale-cache", OPT },
  { "user", OPT },
  { "version", NO },
};

/* dnsmasq's getopt short-option string: a letter followed by ':' takes a
 * value. */
static const char dnsmasq_optstring[] = "951yZDNLERKzowefnbvhdkqr:m:p:c:l:s:i:t:u:g:a:x:S:C:A:T:H:"
                                        "Q:I:B:F:G:O:M:X:V:U:j:P:J:W:Y:2:4:6:7:8:0:3:";

/* The options this work item implements; everything else is FALSE. */
static const char *const implemented[] = {
  /* issue 6: DHCPv4 */
  "dhcp-lease",
  "dhcp-relay",
  "dhcp-fqdn",
  "dhcp-range",
  "dhcp-host",
  "dhcp-hostsfile",
  "dhcp-hostsdir",
  "dhcp-option",
  "dhcp-option-force",
  "dhcp-boot",
  "pxe-service",
  "pxe-prompt",
  "dhcp-pxe-vendor",
  "dhcp-optsfile",
  "dhcp-optsdir",
  "dhcp-reply-delay",
  "dhcp-leasefile",
  "dhcp-lease-max",
  "leasefile-ro",
  "dhcp-authoritative",
  "dhcp-no-override",
  "dhcp-script",
  "dhcp-scriptuser",
  "script-on-renewal",
  "read-ethers",
  "tag-if",
  "dhcp-vendorclass",
  "dhcp-userclass",
  "dhcp-circuitid",
  "dhcp-remoteid",
  "dhcp-subscrid",
  "dhcp-mac",
  "dhcp-match",
  "dhcp-name-match",
  "dhcp-ignore",
  "dhcp-ignore-names",
  "dhcp-generate-names",
  "dhcp-broadcast",
  "bootp-dynamic",
  "no-ping",
  "dhcp-client-update",
  "dhcp-sequential-ip",
  "dhcp-ignore-clid",
  "dhcp-rapid-commit",
  "dhcp-alternate-port",
  "no-dhcp-interface",
  "no-dhcpv4-interface",
  "log-dhcp",
  "quiet-dhcp",
  /* issue 5: interface tracking */
  "local-service",
  /* issue 4: D-Bus */
  "enable-dbus",
  "session-bus",
  "dbus-address",
  "no-dbus",
  /* issue 3: local data and answer policy */
  "no-round-robin",
  "no-hosts",
  "addn-hosts",
  "hostsdir",
  "expand-hosts",
  "local-ttl",
  "dhcp-ttl",
  "domain",
  "domain-suffix",
  "address",
  "host-record",
  "interface-name",
  "cname",
  "mx-host",
  "mx-target",
  "selfmx",
  "localmx",
  "srv-host",
  "txt-record",
  "ptr-record",
  "naptr-record",
  "caa-record",
  "dns-rr",
  "synth-domain",
  "localise-queries",
  "no-ident",
  "bogus-priv",
  "bogus-nxdomain",
  "ignore-address",
  "alias",
  "filterwin2k",
  "filter-A",
  "filter-AAAA",
  "filter-rr",
  "stop-dns-rebind",
  "rebind-localhost-ok",
  "rebind-domain-ok",
  "conf-file",
  "conf-dir",
  "help",
  "version",
  "test",
  "dnsmasq-compat",
  "keep-in-foreground",
  "no-daemon",
  "pid-file",
  "user",
  "group",
  "log-queries",
  "log-facility",
  "port",
  "listen-address",
  "interface",
  "except-interface",
  "bind-interfaces",
  "bind-dynamic",
  "server",
  "local",
  "resolv-file",
  "no-resolv",
  "no-poll",
  "strict-order",
  "all-servers",
  "domain-needed",
  "dns-forward-max",
  "query-port",
  "min-port",
  "max-port",
  "cache-size",
  "min-cache-ttl",
  "max-cache-ttl",
  "max-ttl",
  "no-negcache",
  "neg-ttl",
  "clear-on-reload",
  "proxy-dnssec",
  "edns-packet-max",
};

static void
test_unique_names (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);
  g_autoptr (GHashTable) longs = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean shorts[256] = { FALSE };

  g_assert_cmpuint (n, >, 190);
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) table[i].short_name;

      g_assert_nonnull (table[i].long_name);
      if (g_hash_table_contains (longs, table[i].long_name))
        g_error ("long name '%s' appears twice", table[i].long_name);
      g_hash_table_add (longs, (gpointer) table[i].long_name);

      if (c != 0)
        {
          if (shorts[c])
            g_error ("short letter '%c' appears twice", c);
          shorts[c] = TRUE;
        }
    }
}

static void
test_help_and_metavar (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);

  for (gsize i = 0; i < n; i++)
    {
      const HearthOptionDef *def = &table[i];

      if (def->help == NULL || def->help[0] == '\0' || strchr (def->help, '\n') != NULL)
        g_error ("option '%s' needs a one-line help text", def->long_name);
      if ((def->arg == HEARTH_OPTION_ARG_NONE) != (def->metavar == NULL))
        g_error ("option '%s': a metavar exactly when it takes a value", def->long_name);
      /* Names are what appears after "--" and before "=" in a file. */
      for (const char *p = def->long_name; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-')
          g_error ("option '%s' has a character a config file cannot spell", def->long_name);
    }
}

static void
test_every_dnsmasq_option (void)
{
  gsize n;

  hearth_option_table (&n);
  /* dnsmasq 2.90 options plus hearth's dnsmasq-compat, session-bus,
   * dbus-address and no-dbus. */
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (dnsmasq_options) + 4);

  for (gsize i = 0; i < G_N_ELEMENTS (dnsmasq_options); i++)
    {
      const HearthOptionDef *def = hearth_option_lookup_long (dnsmasq_options[i].name);

      if (def == NULL)
        g_error ("dnsmasq option '%s' is missing", dnsmasq_options[i].name);
      if (def->arg != dnsmasq_options[i].arg)
        g_error ("option '%s' has argument shape %d, dnsmasq has %d", def->long_name, def->arg,
                 dnsmasq_options[i].arg);
    }
  g_assert_nonnull (hearth_option_lookup_long ("dnsmasq-compat"));
  g_assert_nonnull (hearth_option_lookup_long ("session-bus"));
}

static void
test_short_letters_match_dnsmasq (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);
  guint letters = 0;

  for (const char *p = dnsmasq_optstring; *p != '\0'; p++)
    {
      const HearthOptionDef *def;
      HearthOptionArg expected;

      if (*p == ':')
        continue;
      def = hearth_option_lookup_short (*p);
      if (def == NULL)
        g_error ("dnsmasq's -%c is missing", *p);
      expected = p[1] == ':' ? HEARTH_OPTION_ARG_REQUIRED : HEARTH_OPTION_ARG_NONE;
      if (hearth_option_short_arg (def) != expected)
        g_error ("-%c (--%s): short form shape %d, dnsmasq has %d", *p, def->long_name,
                 hearth_option_short_arg (def), expected);
      letters++;
    }

  /* ...and no letter that dnsmasq does not have. */
  for (gsize i = 0; i < n; i++)
    if (table[i].short_name != 0)
      letters--;
  g_assert_cmpuint (letters, ==, 0);

  /* The cases where the short and long forms differ. */
  g_assert_cmpint (hearth_option_lookup_short ('C')->arg, ==, HEARTH_OPTION_ARG_OPTIONAL);
  g_assert_cmpint (hearth_option_short_arg (hearth_option_lookup_short ('C')), ==,
                   HEARTH_OPTION_ARG_REQUIRED);
  g_assert_cmpint (hearth_option_short_arg (hearth_option_lookup_short ('q')), ==,
                   HEARTH_OPTION_ARG_NONE);
  g_assert_cmpint (hearth_option_short_arg (hearth_option_lookup_short ('1')), ==,
                   HEARTH_OPTION_ARG_NONE);
}

static gboolean
is_implemented_name (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (implemented); i++)
    if (g_str_equal (implemented[i], name))
      return TRUE;
  return FALSE;
}

static void
test_implemented (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);

  for (gsize i = 0; i < G_N_ELEMENTS (implemented); i++)
    g_assert_nonnull (hearth_option_lookup_long (implemented[i]));
  for (gsize i = 0; i < n; i++)
    if (table[i].implemented != is_implemented_name (table[i].long_name))
      g_error ("option '%s': implemented should be %s", table[i].long_name,
               table[i].implemented ? "FALSE" : "TRUE");
}

static void
assert_owner (const char *name, HearthOptionOwner owner)
{
  const HearthOptionDef *def = hearth_option_lookup_long (name);

  g_assert_nonnull (def);
  if (def->owner != owner)
    g_error ("option '%s' is owned by %s, expected %s", name,
             hearth_option_owner_to_string (def->owner), hearth_option_owner_to_string (owner));
}

static void
test_owners (void)
{
  assert_owner ("conf-file", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("conf-dir", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("help", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("version", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("test", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("dnsmasq-compat", HEARTH_OPTION_OWNER_CONFIG);
  assert_owner ("keep-in-foreground", HEARTH_OPTION_OWNER_DAEMON);
  assert_owner ("user", HEARTH_OPTION_OWNER_DAEMON);
  assert_owner ("log-facility", HEARTH_OPTION_OWNER_DAEMON);
  assert_owner ("session-bus", HEARTH_OPTION_OWNER_DAEMON);
  assert_owner ("server", HEARTH_OPTION_OWNER_DNS);
  assert_owner ("bind-dynamic", HEARTH_OPTION_OWNER_DNS);
  assert_owner ("cache-size", HEARTH_OPTION_OWNER_DNS);
  assert_owner ("dhcp-range", HEARTH_OPTION_OWNER_DHCP);
  assert_owner ("ra-param", HEARTH_OPTION_OWNER_DHCP);
  assert_owner ("enable-ra", HEARTH_OPTION_OWNER_DHCP);
  assert_owner ("tftp-root", HEARTH_OPTION_OWNER_TFTP);
  assert_owner ("enable-tftp", HEARTH_OPTION_OWNER_TFTP);

  g_assert_cmpstr (hearth_option_owner_to_string (HEARTH_OPTION_OWNER_CONFIG), ==, "config");
  g_assert_cmpstr (hearth_option_owner_to_string (HEARTH_OPTION_OWNER_DAEMON), ==, "daemon");
  g_assert_cmpstr (hearth_option_owner_to_string (HEARTH_OPTION_OWNER_DNS), ==, "dns");
  g_assert_cmpstr (hearth_option_owner_to_string (HEARTH_OPTION_OWNER_DHCP), ==, "dhcp");
  g_assert_cmpstr (hearth_option_owner_to_string (HEARTH_OPTION_OWNER_TFTP), ==, "tftp");
}

static void
test_lookup (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);
  const HearthOptionDef *def;

  def = hearth_option_lookup_long ("cache-size");
  g_assert_nonnull (def);
  g_assert_cmpint (def->short_name, ==, 'c');
  g_assert_true (hearth_option_lookup_short ('c') == def);
  g_assert_true (hearth_option_canonical (def) == def);

  g_assert_null (hearth_option_lookup_long ("--cache-size"));
  g_assert_null (hearth_option_lookup_long ("cache-siz")); /* no abbreviations here */
  g_assert_null (hearth_option_lookup_long ("Cache-Size"));
  g_assert_null (hearth_option_lookup_long (""));
  g_assert_null (hearth_option_lookup_long (NULL));
  g_assert_null (hearth_option_lookup_short ('?'));
  g_assert_null (hearth_option_lookup_short (0));
  g_assert_true (hearth_option_lookup_long ("filter-AAAA") !=
                 hearth_option_lookup_long ("filter-A"));

  /* Aliases stand for a real option. */
  def = hearth_option_lookup_long ("dhcp-lease");
  g_assert_nonnull (def);
  g_assert_true (hearth_option_canonical (def) == hearth_option_lookup_long ("dhcp-leasefile"));
  g_assert_true (hearth_option_canonical (hearth_option_lookup_long ("domain-suffix")) ==
                 hearth_option_lookup_long ("domain"));
  for (gsize i = 0; i < n; i++)
    if (table[i].alias_of != NULL)
      {
        const HearthOptionDef *real = hearth_option_lookup_long (table[i].alias_of);
        g_assert_nonnull (real);
        g_assert_null (real->alias_of);
        g_assert_cmpint (real->owner, ==, table[i].owner);
        g_assert_cmpint (real->short_name == 0 || table[i].short_name == 0, ==, TRUE);
      }
}

static char *
help_text (void)
{
  char *buffer = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buffer, &size);

  g_assert_nonnull (out);
  hearth_option_print_help (out);
  g_assert_cmpint (fclose (out), ==, 0);
  return buffer;
}

/* The help line of one option: from "--name" to the end of that line. */
static char *
help_line (const char *help, const char *name)
{
  g_autofree char *needle = g_strdup_printf ("--%s", name);
  const char *p = help;

  while ((p = strstr (p, needle)) != NULL)
    {
      char after = p[strlen (needle)];
      if (after == '=' || after == '[' || after == ' ' || after == '\n')
        {
          const char *start = p;
          const char *end = strchr (p, '\n');
          while (start > help && start[-1] != '\n')
            start--;
          /* Only the option's own line: "-c, --name" or "    --name". */
          if (p - start != 4)
            {
              p += strlen (needle);
              continue;
            }
          /* The description may sit on the next line after a long left column. */
          if (end != NULL && end[1] == ' ' && strncmp (end + 1, "          ", 10) == 0)
            end = strchr (end + 1, '\n');
          return g_strndup (start, end != NULL ? (gsize) (end - start) : strlen (start));
        }
      p += strlen (needle);
    }
  return NULL;
}

static void
test_help (void)
{
  g_autofree char *help = help_text ();
  g_autofree char *line = NULL;
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);

  g_assert_true (g_str_has_prefix (help, "Usage: "));
  /* Old libvirt greps dnsmasq --help for these. */
  g_assert_nonnull (strstr (help, "--bind-dynamic"));
  g_assert_nonnull (strstr (help, "--bind-interfaces with SO_BINDTODEVICE"));
  g_assert_nonnull (strstr (help, "--ra-param"));

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *one = help_line (help, table[i].long_name);

      if (table[i].alias_of != NULL)
        {
          if (one != NULL)
            g_error ("alias '%s' should not be listed", table[i].long_name);
          continue;
        }
      if (one == NULL)
        g_error ("option '%s' is not in --help", table[i].long_name);
      if ((strstr (one, "not supported yet") == NULL) != table[i].implemented)
        g_error ("help line of '%s' should %s say 'not supported yet': %s", table[i].long_name,
                 table[i].implemented ? "not" : "", one);
    }

  line = help_line (help, "port");
  g_assert_true (g_str_has_prefix (line, "-p, --port=<port> "));
  g_clear_pointer (&line, g_free);
  line = help_line (help, "conf-file");
  g_assert_true (g_str_has_prefix (line, "-C, --conf-file[=<path>] "));
  g_clear_pointer (&line, g_free);
  line = help_line (help, "all-servers");
  g_assert_true (g_str_has_prefix (line, "    --all-servers "));
  /* Descriptions start in one column, as in dnsmasq --help. */
  g_assert_cmpint (line[55 - 1], ==, ' ');
  g_assert_cmpint (line[55], !=, ' ');
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_set_prgname ("hearthd");

  g_test_add_func ("/config/option-table/unique-names", test_unique_names);
  g_test_add_func ("/config/option-table/help-and-metavar", test_help_and_metavar);
  g_test_add_func ("/config/option-table/every-dnsmasq-option", test_every_dnsmasq_option);
  g_test_add_func ("/config/option-table/short-letters", test_short_letters_match_dnsmasq);
  g_test_add_func ("/config/option-table/implemented", test_implemented);
  g_test_add_func ("/config/option-table/owners", test_owners);
  g_test_add_func ("/config/option-table/lookup", test_lookup);
  g_test_add_func ("/config/option-table/help", test_help);
  return g_test_run ();
}
