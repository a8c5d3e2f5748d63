/* Unit tests of dhcp-config: --dhcp-option values down to their wire
 * bytes, --dhcp-range and --dhcp-host in all their forms (and back with
 * to_string), hardware address patterns, tag conditions, host name rules,
 * the handlers of every DHCP-owned option, and the configurations libvirt
 * generates.
 *
 * What dnsmasq 2.90 accepts and rejects was checked with
 * "dnsmasq --test -C file" for the same lines; where hearth is
 * deliberately stricter the test says so.
 */
#include "config.h"

#include "dhcp/dhcp-config.h"

#include <arpa/inet.h>
#include <string.h>

#define IP4(a, b, c, d)                                                                            \
  ((guint32) (a) << 24 | (guint32) (b) << 16 | (guint32) (c) << 8 | (guint32) (d))

/* ---- helpers ---- */

static HearthDhcpOption *
option_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpOption *option = NULL;

  if (!hearth_dhcp_option_parse (text, FALSE, &option, &error))
    g_error ("'%s' did not parse: %s", text, error->message);
  g_assert_nonnull (option);
  g_assert_nonnull (option->value);
  return option;
}

static void
option_bad (const char *text, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpOption *option = NULL;

  if (hearth_dhcp_option_parse (text, FALSE, &option, &error))
    g_error ("'%s' parsed but should not", text);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_null (option);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", text, error->message, expected);
}

#define assert_value(option, ...)                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    static const guint8 expected_[] = { __VA_ARGS__ };                                             \
    gsize len_;                                                                                    \
    const guint8 *data_ = g_bytes_get_data ((option)->value, &len_);                               \
    g_assert_cmpmem (data_, len_, expected_, sizeof expected_);                                    \
  }                                                                                                \
  G_STMT_END

static void
assert_text_value (const HearthDhcpOption *option, const char *text)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (option->value, &len);

  g_assert_cmpmem (data, len, text, strlen (text));
}

static void
assert_empty_value (const HearthDhcpOption *option)
{
  g_assert_cmpuint (g_bytes_get_size (option->value), ==, 0);
}

static HearthDhcpRange *
range_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpRange *range = NULL;
  gboolean ipv6 = TRUE;

  if (!hearth_dhcp_range_parse (text, &range, &ipv6, &error))
    g_error ("'%s' did not parse: %s", text, error->message);
  g_assert_false (ipv6);
  g_assert_nonnull (range);
  return range;
}

static void
range_ipv6 (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpRange *range = (HearthDhcpRange *) &error; /* must be overwritten */
  gboolean ipv6 = FALSE;

  if (!hearth_dhcp_range_parse (text, &range, &ipv6, &error))
    g_error ("'%s' did not parse: %s", text, error->message);
  g_assert_true (ipv6);
  g_assert_null (range);
}

static void
range_bad (const char *text, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpRange *range = NULL;
  gboolean ipv6 = FALSE;

  if (hearth_dhcp_range_parse (text, &range, &ipv6, &error))
    g_error ("'%s' parsed but should not", text);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_null (range);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", text, error->message, expected);
}

static HearthDhcpHost *
host_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpHost *host = NULL;
  gboolean ipv6 = TRUE;

  if (!hearth_dhcp_host_parse (text, &host, &ipv6, &error))
    g_error ("'%s' did not parse: %s", text, error->message);
  g_assert_false (ipv6);
  g_assert_nonnull (host);
  return host;
}

static void
host_ipv6 (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpHost *host = (HearthDhcpHost *) &error;
  gboolean ipv6 = FALSE;

  if (!hearth_dhcp_host_parse (text, &host, &ipv6, &error))
    g_error ("'%s' did not parse: %s", text, error->message);
  g_assert_true (ipv6);
  g_assert_null (host);
}

static void
host_bad (const char *text, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpHost *host = NULL;
  gboolean ipv6 = FALSE;

  if (hearth_dhcp_host_parse (text, &host, &ipv6, &error))
    g_error ("'%s' parsed but should not", text);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_null (host);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", text, error->message, expected);
}

static void
assert_mac (const HearthDhcpMac *mac, gint hwtype, const char *text)
{
  g_autofree char *s = hearth_dhcp_mac_to_string (mac);

  g_assert_cmpint (mac->hwtype, ==, hwtype);
  g_assert_cmpstr (s, ==, text);
}

static void
assert_strv (GStrv strv, const char *const *expected)
{
  guint n = expected != NULL ? g_strv_length ((char **) expected) : 0;

  if (n == 0)
    {
      g_assert_true (strv == NULL || strv[0] == NULL);
      return;
    }
  g_assert_nonnull (strv);
  g_assert_cmpuint (g_strv_length (strv), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (strv[i], ==, expected[i]);
}

/* One configuration file line through the real tokenizer and apply(). */
static gboolean
apply_line (HearthDhcpConfig *config, const char *line, guint lineno, GError **error)
{
  g_autoptr (HearthConfigItem) item = NULL;

  if (!hearth_config_parse_line (line, "test.conf", lineno, &item, error))
    return FALSE;
  g_assert_nonnull (item);
  g_assert_cmpint (item->def->owner, ==, HEARTH_OPTION_OWNER_DHCP);
  return hearth_dhcp_config_apply (config, item, error);
}

static void
apply_ok (HearthDhcpConfig *config, const char *line)
{
  g_autoptr (GError) error = NULL;

  if (!apply_line (config, line, 1, &error))
    g_error ("'%s' was refused: %s", line, error->message);
}

static void
apply_bad (const char *line, const char *expected)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
  g_autoptr (GError) error = NULL;

  if (apply_line (config, line, 7, &error))
    g_error ("'%s' was accepted but should not", line);
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", line, error->message, expected);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:7: option '"));
}

/* ---- options: known types ---- */

static void
test_option_addresses (void)
{
  g_autoptr (HearthDhcpOption) router = option_ok ("option:router,10.0.0.1,192.168.1.254");
  g_autoptr (HearthDhcpOption) dns = option_ok ("6, 10.0.0.53 , 0.0.0.0");
  g_autoptr (HearthDhcpOption) pairs =
      option_ok ("option:static-route,10.1.0.0,10.0.0.1,10.2.0.0,10.0.0.2");
  g_autoptr (HearthDhcpOption) siaddr = option_ok ("option:server-ip-address,10.0.0.9");

  g_assert_cmpuint (router->code, ==, 3);
  assert_value (router, 10, 0, 0, 1, 192, 168, 1, 254);
  g_assert_cmpint (router->addresses_at, ==, 0);
  g_assert_false (router->force);
  g_assert_null (router->match_tags);
  g_assert_cmpuint (router->encap, ==, 0);
  g_assert_false (router->has_vi_encap);
  g_assert_null (router->vendor);

  /* 0.0.0.0 stays: the server puts its own address there. */
  g_assert_cmpuint (dns->code, ==, 6);
  assert_value (dns, 10, 0, 0, 53, 0, 0, 0, 0);
  g_assert_cmpint (dns->addresses_at, ==, 0);

  g_assert_cmpuint (pairs->code, ==, 33);
  assert_value (pairs, 10, 1, 0, 0, 10, 0, 0, 1, 10, 2, 0, 0, 10, 0, 0, 2);
  g_assert_cmpint (pairs->addresses_at, ==, -1);

  g_assert_cmpuint (siaddr->code, ==, 255);
  assert_value (siaddr, 10, 0, 0, 9);

  option_bad ("3,foo", "bad IPv4 address 'foo'");
  option_bad ("3,1.2.3", "bad IPv4 address '1.2.3'");
  option_bad ("3,1.2.3.4,", "bad IPv4 address ''");
  option_bad ("3,1.2.3.4/24", "bad IPv4 address");
  option_bad ("3,[::1]", "bad IPv4 address");
  option_bad ("3,", "expected an IPv4 address");
  option_bad ("option:static-route,10.1.0.0", "pairs");
  option_bad ("option:dns-server,1.2.3.4 5.6.7.8", "bad IPv4 address");
  /* The option's name leads the message. */
  option_bad ("option:router,x", "option router (3): bad IPv4 address 'x'");
}

static void
test_option_numbers (void)
{
  g_autoptr (HearthDhcpOption) mtu = option_ok ("option:mtu,1500");
  g_autoptr (HearthDhcpOption) ttl = option_ok ("23,64");
  g_autoptr (HearthDhcpOption) offset = option_ok ("option:time-offset,-3600");
  g_autoptr (HearthDhcpOption) t1 = option_ok ("option:T1,1h");
  g_autoptr (HearthDhcpOption) t2 = option_ok ("59,7200");
  g_autoptr (HearthDhcpOption) forward = option_ok ("19,1");
  g_autoptr (HearthDhcpOption) keepalive = option_ok ("option:tcp-keepalive,4294967295");
  g_autoptr (HearthDhcpOption) nodetype = option_ok ("46,0x8");
  g_autoptr (HearthDhcpOption) arch = option_ok ("option:client-arch,7");

  assert_value (mtu, 0x05, 0xdc);
  g_assert_cmpint (mtu->addresses_at, ==, -1);
  assert_value (ttl, 64);
  assert_value (offset, 0xff, 0xff, 0xf1, 0xf0);
  assert_value (t1, 0, 0, 0x0e, 0x10);
  assert_value (t2, 0, 0, 0x1c, 0x20);
  assert_value (forward, 1);
  assert_value (keepalive, 0xff, 0xff, 0xff, 0xff);
  assert_value (nodetype, 8);
  assert_value (arch, 0, 7);

  /* dnsmasq truncates these silently; hearth says what is wrong. */
  option_bad ("option:mtu,70000", "number 70000 is out of range (0 to 65535)");
  option_bad ("option:mtu,abc", "expected a number, got 'abc'");
  option_bad ("option:mtu,-1", "expected a number");
  option_bad ("option:mtu,1500,1400", "expected one number");
  option_bad ("19,2", "out of range (0 to 1)");
  option_bad ("23,256", "out of range (0 to 255)");
  option_bad ("2,2147483648", "out of range");
  option_bad ("option:T1,infinite", "expected a duration");
  option_bad ("option:T1,1x", "expected a duration");
}

static void
test_option_strings (void)
{
  g_autoptr (HearthDhcpOption) domain = option_ok ("option:domain-name,example.com");
  g_autoptr (HearthDhcpOption) commas = option_ok ("40, a, b ");
  g_autoptr (HearthDhcpOption) hostname = option_ok ("12,a b");
  g_autoptr (HearthDhcpOption) boot = option_ok ("option:bootfile-name,/pxe/boot.0");
  g_autoptr (HearthDhcpOption) tz = option_ok ("option:tzdb-timezone,Europe/Paris");

  g_assert_cmpuint (domain->code, ==, 15);
  assert_text_value (domain, "example.com");
  /* A string takes the rest of the value, commas included, as dnsmasq. */
  assert_text_value (commas, "a, b");
  assert_text_value (hostname, "a b");
  assert_text_value (boot, "/pxe/boot.0");
  g_assert_cmpuint (tz->code, ==, 101);
  assert_text_value (tz, "Europe/Paris");
  g_assert_cmpint (domain->addresses_at, ==, -1);
}

static void
test_option_domain_search (void)
{
  g_autoptr (HearthDhcpOption) search = option_ok ("option:domain-search,a.example,b.example.");
  g_autoptr (HearthDhcpOption) one = option_ok ("119,lan");

  g_assert_cmpuint (search->code, ==, 119);
  /* RFC 3397, uncompressed. */
  assert_value (search, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 1, 'b', 7, 'e', 'x', 'a',
                'm', 'p', 'l', 'e', 0);
  assert_value (one, 3, 'l', 'a', 'n', 0);

  option_bad ("119,a..example", "bad domain name 'a..example'");
  option_bad ("119,a example", "bad domain name");
  option_bad ("119,a.example,", "empty domain name");
  option_bad ("119,.", "empty domain name");
  option_bad ("119,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
              "longer than 63");
}

static void
test_option_classless_routes (void)
{
  g_autoptr (HearthDhcpOption) routes =
      option_ok ("121,10.0.0.0/8,10.0.0.1,192.168.1.0/24,10.0.0.2");
  g_autoptr (HearthDhcpOption) by_name =
      option_ok ("option:classless-static-route,0.0.0.0/0,10.0.0.1");
  g_autoptr (HearthDhcpOption) ms = option_ok ("249,172.16.0.0/12,10.0.0.1,10.1.2.3/32,10.0.0.1");

  assert_value (routes, 8, 10, 10, 0, 0, 1, 24, 192, 168, 1, 10, 0, 0, 2);
  g_assert_cmpint (routes->addresses_at, ==, -1);
  g_assert_cmpuint (by_name->code, ==, 121);
  assert_value (by_name, 0, 10, 0, 0, 1);
  assert_value (ms, 12, 172, 16, 10, 0, 0, 1, 32, 10, 1, 2, 3, 10, 0, 0, 1);

  option_bad ("121,10.0.0.0/8", "pairs");
  option_bad ("121,10.0.0.0,10.0.0.1", "bad destination '10.0.0.0'");
  option_bad ("121,10.0.0.0/33,10.0.0.1", "prefix length 0 to 32");
  option_bad ("121,10.0.0.0/8,10.0.0.1/32", "bad IPv4 address");
  option_bad ("121,foo", "pairs");
}

static void
test_option_sip (void)
{
  g_autoptr (HearthDhcpOption) names = option_ok ("option:sip-server,sip.example");
  g_autoptr (HearthDhcpOption) addrs = option_ok ("120,10.0.0.5,0.0.0.0");

  assert_value (names, 0, 3, 's', 'i', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0);
  g_assert_cmpint (names->addresses_at, ==, -1);
  assert_value (addrs, 1, 10, 0, 0, 5, 0, 0, 0, 0);
  /* The encoding byte comes first: addresses start at byte 1. */
  g_assert_cmpint (addrs->addresses_at, ==, 1);
  option_bad ("120,10.0.0.5,sip.example", "either addresses or names");
}

/* Numbers without a known type: dnsmasq's guesses. */
static void
test_option_guess (void)
{
  g_autoptr (HearthDhcpOption) addrs = option_ok ("200,1.2.3.4,0.0.0.0");
  g_autoptr (HearthDhcpOption) hex = option_ok ("200,01:02:ab");
  g_autoptr (HearthDhcpOption) short_groups = option_ok ("200,1:2:3");
  g_autoptr (HearthDhcpOption) long_group = option_ok ("200,ab:c:def");
  g_autoptr (HearthDhcpOption) small = option_ok ("200,5");
  g_autoptr (HearthDhcpOption) medium = option_ok ("200,300");
  g_autoptr (HearthDhcpOption) large = option_ok ("200,70000");
  g_autoptr (HearthDhcpOption) text = option_ok ("200,hello world");
  g_autoptr (HearthDhcpOption) hexish = option_ok ("200,abcd");
  g_autoptr (HearthDhcpOption) compact = option_ok ("200,10.0.0.0/8");
  g_autoptr (HearthDhcpOption) negative = option_ok ("200,-5");
  g_autoptr (HearthDhcpOption) vendor_class = option_ok ("option:vendor-class,MSFT 5.0");
  g_autoptr (HearthDhcpOption) raw43 = option_ok ("43,01:04:0a:00:00:01");

  assert_value (addrs, 1, 2, 3, 4, 0, 0, 0, 0);
  g_assert_cmpint (addrs->addresses_at, ==, 0);
  assert_value (hex, 0x01, 0x02, 0xab);
  g_assert_cmpint (hex->addresses_at, ==, -1);
  assert_value (short_groups, 1, 2, 3);
  assert_value (long_group, 0xab, 0x0c, 0xde, 0x0f);
  assert_value (small, 5);
  assert_value (medium, 0x01, 0x2c);
  assert_value (large, 0, 1, 0x11, 0x70);
  assert_text_value (text, "hello world");
  /* Hex digits without a ':' are text. */
  assert_text_value (hexish, "abcd");
  assert_value (compact, 8, 10);
  g_assert_cmpint (compact->addresses_at, ==, -1);
  assert_text_value (negative, "-5");
  g_assert_cmpuint (vendor_class->code, ==, 60);
  assert_text_value (vendor_class, "MSFT 5.0");
  assert_value (raw43, 1, 4, 10, 0, 0, 1);

  option_bad ("200,1,2", "bad IPv4 address '1'");
  option_bad ("200,1.5", "bad IPv4 address '1.5'");
  option_bad ("200,01::02", "bad hex constant");
  option_bad ("200,4294967296", "larger than 32 bits");
  /* Wildcards only mean something in --dhcp-match. */
  {
    g_autoptr (HearthDhcpOption) star = option_ok ("200,01:*:03");
    assert_text_value (star, "01:*:03");
  }
}

static void
test_option_quoted (void)
{
  g_autoptr (HearthConfigItem) item = NULL;
  g_autoptr (HearthConfigItem) addr_item = NULL;
  g_autoptr (HearthConfigItem) guess_item = NULL;
  g_autoptr (HearthDhcpOption) option = NULL;
  g_autoptr (HearthDhcpOption) guessed = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ipv6 = TRUE;

  g_assert_true (hearth_config_parse_line ("dhcp-option=15,\"a,b\"", "t.conf", 1, &item, &error));
  g_assert_true (
      hearth_dhcp_option_parse_full (item->value, item->quoted, FALSE, &option, &ipv6, &error));
  g_assert_no_error (error);
  g_assert_false (ipv6);
  assert_text_value (option, "a,b");

  /* Quoted, a dotted quad is text: refused where an address is needed ... */
  g_assert_true (
      hearth_config_parse_line ("dhcp-option=6,\"1.2.3.4\"", "t.conf", 2, &addr_item, &error));
  {
    HearthDhcpOption *bad = NULL;
    g_assert_false (hearth_dhcp_option_parse_full (addr_item->value, addr_item->quoted, FALSE, &bad,
                                                   &ipv6, &error));
    g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
    g_assert_null (bad);
    g_clear_error (&error);
  }
  /* ... and kept as text where the type is guessed. */
  g_assert_true (
      hearth_config_parse_line ("dhcp-option=200,\"1.2.3.4\"", "t.conf", 3, &guess_item, &error));
  g_assert_true (hearth_dhcp_option_parse_full (guess_item->value, guess_item->quoted, FALSE,
                                                &guessed, &ipv6, &error));
  g_assert_no_error (error);
  assert_text_value (guessed, "1.2.3.4");
}

static void
test_option_prefixes (void)
{
  g_autoptr (HearthDhcpOption) encap = option_ok ("tag:x,encap:175,190,ab:cd");
  g_autoptr (HearthDhcpOption) vi = option_ok ("vi-encap:311,1,1.2.3.4");
  g_autoptr (HearthDhcpOption) vendor = option_ok ("vendor:MSFT,2,1i");
  g_autoptr (HearthDhcpOption) vendor_any = option_ok ("vendor:,1,2");
  g_autoptr (HearthDhcpOption) tags = option_ok ("tag:a,tag:!b,net:c,set:d,option:router,1.2.3.4");
  g_autoptr (HearthDhcpOption) encap_name = option_ok ("encap:43,option:mtu,1500");
  g_autoptr (GError) error = NULL;
  HearthDhcpOption *forced = NULL;
  static const char *const x[] = { "x", NULL };
  static const char *const abcd[] = { "a", "!b", "c", "d", NULL };

  assert_strv (encap->match_tags, x);
  g_assert_cmpuint (encap->encap, ==, 175);
  g_assert_cmpuint (encap->code, ==, 190);
  assert_value (encap, 0xab, 0xcd);

  g_assert_true (vi->has_vi_encap);
  g_assert_cmpuint (vi->vi_encap, ==, 311);
  g_assert_cmpuint (vi->code, ==, 1);
  assert_value (vi, 1, 2, 3, 4);
  g_assert_cmpint (vi->addresses_at, ==, 0);

  /* Sub-options are guessed: "1i" is text, not option 2's signed number. */
  g_assert_cmpstr (vendor->vendor, ==, "MSFT");
  g_assert_cmpuint (vendor->code, ==, 2);
  assert_text_value (vendor, "1i");
  g_assert_cmpstr (vendor_any->vendor, ==, "");
  assert_value (vendor_any, 2);

  assert_strv (tags->match_tags, abcd);
  g_assert_cmpuint (tags->code, ==, 3);

  /* Inside encap: the name gives the number, the value is guessed. */
  g_assert_cmpuint (encap_name->encap, ==, 43);
  g_assert_cmpuint (encap_name->code, ==, 26);
  assert_value (encap_name, 0x05, 0xdc);

  g_assert_true (hearth_dhcp_option_parse ("3,1.2.3.4", TRUE, &forced, &error));
  g_assert_true (forced->force);
  hearth_dhcp_option_free (forced);

  option_bad ("encap:175,encap:176,1,2", "only one of encap:");
  option_bad ("encap:175,vendor:x,1,2", "only one of encap:");
  option_bad ("encap:300,1,2", "encap:<option number 1 to 254>");
  option_bad ("encap:0,1,2", "encap:<option number 1 to 254>");
  option_bad ("vi-encap:4294967296,1,2", "vi-encap:<enterprise number>");
  option_bad ("tag:,3,1.2.3.4", "bad tag ''");
  option_bad ("tag:a b,3,1.2.3.4", "bad tag");
  option_bad ("tag:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,3", "bad tag");
}

static void
test_option_empty (void)
{
  g_autoptr (HearthDhcpOption) bare = option_ok ("3");
  g_autoptr (HearthDhcpOption) named = option_ok ("option:router");
  g_autoptr (HearthDhcpOption) tagged = option_ok ("tag:x,3");
  g_autoptr (HearthDhcpOption) string = option_ok ("15,");
  g_autoptr (HearthDhcpOption) search = option_ok ("119,");
  static const char *const x[] = { "x", NULL };

  /* An empty value suppresses the option (libvirt's dhcp-option=3). */
  g_assert_cmpuint (bare->code, ==, 3);
  assert_empty_value (bare);
  g_assert_cmpint (bare->addresses_at, ==, -1);
  assert_empty_value (named);
  assert_empty_value (tagged);
  assert_strv (tagged->match_tags, x);
  assert_empty_value (string);
  assert_empty_value (search);
}

static void
test_option_errors (void)
{
  char long_value[300];
  char text[400];

  option_bad ("", "expected [tag:<tag>,...]");
  option_bad ("tag:x", "expected [tag:<tag>,...]");
  option_bad ("option:foo,1", "unknown DHCP option name 'foo'");
  /* Options the server sets itself have no option: name (as dnsmasq). */
  option_bad ("option:hostname,x", "unknown DHCP option name 'hostname'");
  option_bad ("option:lease-time,1h", "unknown DHCP option name");
  option_bad ("256,1.2.3.4", "option number 256 is out of range (1 to 255)");
  option_bad ("0,1.2.3.4", "out of range (1 to 255)");
  option_bad ("abc,1", "expected an option number or option:<name>, got 'abc'");
  option_bad ("option6:dns-server,[::1]", "DHCPv6 options");
  option_bad ("option6:,x", "bad DHCPv6 option");

  /* dnsmasq's limits: 255 bytes, 253 inside encap:/vendor:, 250 inside vi-encap:. */
  memset (long_value, 'a', sizeof long_value);
  long_value[255] = '\0';
  g_snprintf (text, sizeof text, "15,%s", long_value);
  {
    g_autoptr (HearthDhcpOption) ok = option_ok (text);
    g_assert_cmpuint (g_bytes_get_size (ok->value), ==, 255);
  }
  long_value[255] = 'a';
  long_value[256] = '\0';
  g_snprintf (text, sizeof text, "15,%s", long_value);
  option_bad (text, "value too long (256 bytes encoded, at most 255)");
  long_value[253] = '\0';
  g_snprintf (text, sizeof text, "encap:175,15,%s", long_value);
  {
    g_autoptr (HearthDhcpOption) ok = option_ok (text);
    g_assert_cmpuint (g_bytes_get_size (ok->value), ==, 253);
  }
  long_value[253] = 'a';
  long_value[254] = '\0';
  g_snprintf (text, sizeof text, "encap:175,15,%s", long_value);
  option_bad (text, "at most 253");
  long_value[250] = '\0';
  g_snprintf (text, sizeof text, "vi-encap:1,15,%s", long_value);
  {
    g_autoptr (HearthDhcpOption) ok = option_ok (text);
    g_assert_cmpuint (g_bytes_get_size (ok->value), ==, 250);
  }
  long_value[250] = 'a';
  long_value[251] = '\0';
  g_snprintf (text, sizeof text, "vi-encap:1,15,%s", long_value);
  option_bad (text, "at most 250");
}

static void
test_option_ipv6 (void)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpOption *option = (HearthDhcpOption *) &error;
  gboolean ipv6 = FALSE;

  g_assert_true (hearth_dhcp_option_parse_full ("option6:dns-server,[::1]", NULL, FALSE, &option,
                                                &ipv6, &error));
  g_assert_no_error (error);
  g_assert_true (ipv6);
  g_assert_null (option);
  ipv6 = FALSE;
  g_assert_true (hearth_dhcp_option_parse_full ("tag:x,option6:23,[::1]", NULL, FALSE, &option,
                                                &ipv6, &error));
  g_assert_true (ipv6);
  /* option: forms are IPv4 through the same call. */
  g_assert_true (
      hearth_dhcp_option_parse_full ("option:router,1.2.3.4", NULL, FALSE, &option, &ipv6, &error));
  g_assert_false (ipv6);
  g_assert_nonnull (option);
  hearth_dhcp_option_free (option);
}

/* Every name "dnsmasq --help dhcp" (2.90) lists, with its number. */
static void
test_option_names (void)
{
  static const struct
  {
    guint code;
    const char *name;
  } names[] = {
    { 1, "netmask" },
    { 2, "time-offset" },
    { 3, "router" },
    { 6, "dns-server" },
    { 7, "log-server" },
    { 9, "lpr-server" },
    { 13, "boot-file-size" },
    { 15, "domain-name" },
    { 16, "swap-server" },
    { 17, "root-path" },
    { 18, "extension-path" },
    { 19, "ip-forward-enable" },
    { 20, "non-local-source-routing" },
    { 21, "policy-filter" },
    { 22, "max-datagram-reassembly" },
    { 23, "default-ttl" },
    { 26, "mtu" },
    { 27, "all-subnets-local" },
    { 31, "router-discovery" },
    { 32, "router-solicitation" },
    { 33, "static-route" },
    { 34, "trailer-encapsulation" },
    { 35, "arp-timeout" },
    { 36, "ethernet-encap" },
    { 37, "tcp-ttl" },
    { 38, "tcp-keepalive" },
    { 40, "nis-domain" },
    { 41, "nis-server" },
    { 42, "ntp-server" },
    { 44, "netbios-ns" },
    { 45, "netbios-dd" },
    { 46, "netbios-nodetype" },
    { 47, "netbios-scope" },
    { 48, "x-windows-fs" },
    { 49, "x-windows-dm" },
    { 58, "T1" },
    { 59, "T2" },
    { 60, "vendor-class" },
    { 64, "nis+-domain" },
    { 65, "nis+-server" },
    { 66, "tftp-server" },
    { 67, "bootfile-name" },
    { 68, "mobile-ip-home" },
    { 69, "smtp-server" },
    { 70, "pop3-server" },
    { 71, "nntp-server" },
    { 74, "irc-server" },
    { 77, "user-class" },
    { 80, "rapid-commit" },
    { 93, "client-arch" },
    { 94, "client-interface-id" },
    { 97, "client-machine-id" },
    { 100, "posix-timezone" },
    { 101, "tzdb-timezone" },
    { 108, "ipv6-only" },
    { 119, "domain-search" },
    { 120, "sip-server" },
    { 121, "classless-static-route" },
    { 125, "vendor-id-encap" },
    { 150, "tftp-server-address" },
    { 255, "server-ip-address" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpint (hearth_dhcp_option_lookup_name (names[i].name), ==, names[i].code);
      g_assert_cmpstr (hearth_dhcp_option_name ((guint8) names[i].code), ==, names[i].name);
    }
  g_assert_cmpint (hearth_dhcp_option_lookup_name ("ROUTER"), ==, 3);
  g_assert_cmpint (hearth_dhcp_option_lookup_name ("t1"), ==, 58);
  g_assert_cmpint (hearth_dhcp_option_lookup_name ("hostname"), ==, -1);
  g_assert_cmpint (hearth_dhcp_option_lookup_name ("nonsense"), ==, -1);
  g_assert_cmpint (hearth_dhcp_option_lookup_name (""), ==, -1);
  /* Internal options have names for logs. */
  g_assert_cmpstr (hearth_dhcp_option_name (51), ==, "lease-time");
  g_assert_cmpstr (hearth_dhcp_option_name (53), ==, "message-type");
  g_assert_cmpstr (hearth_dhcp_option_name (12), ==, "hostname");
  g_assert_null (hearth_dhcp_option_name (200));
  g_assert_null (hearth_dhcp_option_name (4));

  g_assert_true (hearth_dhcp_option_is_address_list (3));
  g_assert_true (hearth_dhcp_option_is_address_list (6));
  g_assert_true (hearth_dhcp_option_is_address_list (42));
  g_assert_true (hearth_dhcp_option_is_address_list (150));
  g_assert_false (hearth_dhcp_option_is_address_list (33));
  g_assert_false (hearth_dhcp_option_is_address_list (15));
  g_assert_false (hearth_dhcp_option_is_address_list (121));
  g_assert_false (hearth_dhcp_option_is_address_list (200));
}

/* ---- ranges ---- */

static void
test_range_forms (void)
{
  g_autoptr (HearthDhcpRange) plain = range_ok ("192.168.0.10,192.168.0.50");
  g_autoptr (HearthDhcpRange) full =
      range_ok ("192.168.0.10,192.168.0.50,255.255.255.0,192.168.0.255,12h");
  g_autoptr (HearthDhcpRange) masked =
      range_ok ("192.168.122.2,192.168.122.254,255.255.255.0,infinite");
  g_autoptr (HearthDhcpRange) lease_only = range_ok ("192.168.0.10,192.168.0.50,45m");
  g_autoptr (HearthDhcpRange) stat = range_ok ("192.168.122.1,static");
  g_autoptr (HearthDhcpRange) stat_full = range_ok ("192.168.0.10,static,255.255.255.0,1h");
  g_autoptr (HearthDhcpRange) proxy = range_ok ("192.168.0.0,proxy,255.255.255.0");
  g_autoptr (HearthDhcpRange) backwards = range_ok ("192.168.0.50,192.168.0.10");
  g_autoptr (HearthDhcpRange) trailing = range_ok ("192.168.0.3,192.168.0.20,");
  g_autoptr (HearthDhcpRange) deprecated = range_ok ("192.168.0.10,192.168.0.20,deprecated");
  g_autoptr (HearthDhcpRange) zero_mask = range_ok ("192.168.0.10,192.168.1.20,0.0.0.0");

  g_assert_cmpint (plain->mode, ==, HEARTH_DHCP_RANGE_DYNAMIC);
  g_assert_cmpuint (plain->start, ==, IP4 (192, 168, 0, 10));
  g_assert_cmpuint (plain->end, ==, IP4 (192, 168, 0, 50));
  g_assert_cmpuint (plain->netmask, ==, 0);
  g_assert_cmpuint (plain->broadcast, ==, 0);
  g_assert_cmpuint (plain->lease_time, ==, HEARTH_DHCP_DEFAULT_LEASE_TIME);
  g_assert_null (plain->set_tag);
  g_assert_null (plain->match_tags);
  g_assert_null (plain->owner);
  g_assert_cmpuint (plain->id, ==, 0);

  g_assert_cmpuint (full->netmask, ==, IP4 (255, 255, 255, 0));
  g_assert_cmpuint (full->broadcast, ==, IP4 (192, 168, 0, 255));
  g_assert_cmpuint (full->lease_time, ==, 12 * 3600);

  g_assert_cmpuint (masked->netmask, ==, IP4 (255, 255, 255, 0));
  g_assert_cmpuint (masked->broadcast, ==, 0);
  g_assert_cmpuint (masked->lease_time, ==, HEARTH_DHCP_LEASE_INFINITE);

  g_assert_cmpuint (lease_only->netmask, ==, 0);
  g_assert_cmpuint (lease_only->lease_time, ==, 45 * 60);

  g_assert_cmpint (stat->mode, ==, HEARTH_DHCP_RANGE_STATIC);
  g_assert_cmpuint (stat->start, ==, IP4 (192, 168, 122, 1));
  g_assert_cmpuint (stat->end, ==, stat->start);
  g_assert_cmpint (stat_full->mode, ==, HEARTH_DHCP_RANGE_STATIC);
  g_assert_cmpuint (stat_full->netmask, ==, IP4 (255, 255, 255, 0));
  g_assert_cmpuint (stat_full->lease_time, ==, 3600);

  g_assert_cmpint (proxy->mode, ==, HEARTH_DHCP_RANGE_PROXY);
  g_assert_cmpuint (proxy->end, ==, proxy->start);
  g_assert_cmpuint (proxy->netmask, ==, IP4 (255, 255, 255, 0));

  /* dnsmasq swaps a range written backwards. */
  g_assert_cmpuint (backwards->start, ==, IP4 (192, 168, 0, 10));
  g_assert_cmpuint (backwards->end, ==, IP4 (192, 168, 0, 50));

  g_assert_cmpuint (trailing->lease_time, ==, HEARTH_DHCP_DEFAULT_LEASE_TIME);
  g_assert_cmpuint (deprecated->lease_time, ==, HEARTH_DHCP_DEFAULT_LEASE_TIME);
  g_assert_cmpuint (zero_mask->netmask, ==, 0);

  g_assert_cmpstr (hearth_dhcp_range_mode_to_string (HEARTH_DHCP_RANGE_DYNAMIC), ==, "dynamic");
  g_assert_cmpstr (hearth_dhcp_range_mode_to_string (HEARTH_DHCP_RANGE_STATIC), ==, "static");
  g_assert_cmpstr (hearth_dhcp_range_mode_to_string (HEARTH_DHCP_RANGE_PROXY), ==, "proxy");
}

static void
test_range_lease_times (void)
{
  static const struct
  {
    const char *lease;
    guint32 seconds;
  } cases[] = {
    { "200s", 200 }, { "600", 600 }, { "1m", 120 },    { "3m", 180 },
    { "2h", 7200 },  { "1H", 3600 }, { "2d", 172800 }, { "1w", 604800 },
    { "0", 120 },    { "60", 120 },  { "120", 120 },   { "infinite", HEARTH_DHCP_LEASE_INFINITE },
    { " 1h", 3600 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("10.0.0.10,10.0.0.20,%s", cases[i].lease);
      g_autoptr (HearthDhcpRange) range = range_ok (text);

      g_assert_cmpuint (range->lease_time, ==, cases[i].seconds);
    }
}

static void
test_range_tags (void)
{
  g_autoptr (HearthDhcpRange) both = range_ok ("tag:a,tag:!b,set:c,192.168.0.10,192.168.0.20");
  g_autoptr (HearthDhcpRange) net = range_ok ("net:c,192.168.0.10,192.168.0.20");
  g_autoptr (HearthDhcpRange) bare = range_ok ("red,192.168.0.10,192.168.0.20");
  g_autoptr (HearthDhcpRange) mixed = range_ok ("red,tag:x,192.168.0.10,192.168.0.20");
  static const char *const ab[] = { "a", "!b", NULL };
  static const char *const x[] = { "x", NULL };

  assert_strv (both->match_tags, ab);
  g_assert_cmpstr (both->set_tag, ==, "c");
  g_assert_cmpstr (net->set_tag, ==, "c");
  /* dnsmasq's old form: a bare word in front is the tag to set. */
  g_assert_cmpstr (bare->set_tag, ==, "red");
  g_assert_cmpstr (mixed->set_tag, ==, "red");
  assert_strv (mixed->match_tags, x);

  range_bad ("set:c,set:d,192.168.0.10,192.168.0.20", "only one tag to set");
  range_bad ("red,blue,192.168.0.10,192.168.0.20", "only one tag to set");
  range_bad ("set:!c,192.168.0.10,192.168.0.20", "cannot be negated");
  range_bad ("tag:,192.168.0.10,192.168.0.20", "bad tag ''");
  range_bad ("tag:abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn,192.168.0.10,"
             "192.168.0.20",
             "bad tag");
  range_bad ("tag:x,foo", "expected <start>");
}

static void
test_range_ipv6 (void)
{
  range_ipv6 ("2001:db8:ac10:fd01::1:10,2001:db8:ac10:fd01::1:ff,64");
  range_ipv6 ("2001:db8:ac10:fd01::1:10,2001:db8:ac10:fd01::1:ff");
  range_ipv6 ("2001:db8:ac10:fe01::1,ra-only");
  range_ipv6 ("2001:db8:ac10:fd01::1,static");
  range_ipv6 ("::,constructor:eth0,ra-stateless,ra-names,12h");
  range_ipv6 ("tag:x,set:y,::1,::2");
  range_ipv6 ("::1,::ff,64,infinite");
  range_ipv6 ("fd00::,slaac,off-link,ra-advrouter,64,");

  range_bad ("2001:db8::1,2001:db8::ff,foo", "unexpected 'foo' in an IPv6 range");
  range_bad ("2001:db8::1,2001:db8::ff,64,bogus", "unexpected 'bogus'");
  range_bad ("2001:db8::zz,::2", "bad address '2001:db8::zz'");
  range_bad ("2001:db8::1,192.168.0.20", "unexpected '192.168.0.20'");
  range_bad ("2001:db8::1,2001:db8::gg", "bad IPv6 address '2001:db8::gg'");
  range_bad ("192.168.0.1,2001:db8::ff", "expected the end address");
}

static void
test_range_errors (void)
{
  range_bad ("", "expected <start>");
  range_bad ("foo", "expected <start>");
  range_bad ("192.168.0.10", "expected the end address, 'static' or 'proxy'");
  range_bad ("192.168.0.10,1h", "got '1h'");
  range_bad ("192.168.0.10,192.168.1.5,255.255.255.0",
             "inconsistent DHCP range: 192.168.0.10 and 192.168.1.5 are not in the same subnet");
  range_bad ("192.168.0.10,192.168.0.20,255.255.255.255", "inconsistent DHCP range");
  range_bad ("192.168.0.10,192.168.0.20,255.255.0.255", "not contiguous");
  range_bad ("192.168.0.10,192.168.0.50,60x", "bad lease time");
  range_bad ("192.168.0.10,192.168.0.50,-1", "bad lease time");
  range_bad ("192.168.0.10,192.168.0.50,1.5h", "bad lease time");
  range_bad ("192.168.0.10,192.168.0.20,255.255.255.0,1h,extra",
             "unexpected 'extra' after the lease time");
  range_bad ("192.168.0.10,192.168.0.20,255.255.255.0,1h,", "unexpected ''");
  range_bad ("192.168.0.10,192.168.0.20,1h,255.255.255.0", "unexpected '255.255.255.0'");
  range_bad ("192.168.0.10,192.168.0.20,,1h", "bad lease time");
  range_bad ("192.168.0.10,192.168.0.20,,", "bad lease time");
  range_bad ("192.168.0.300,192.168.0.20", "bad address '192.168.0.300'");
  range_bad ("192.168.0.300,192.168.0.20,192.168.0.30", "bad address");
  range_bad ("192.168.0.3,192.168.0.20,1.2.3", "bad netmask or broadcast address '1.2.3'");
  range_bad ("192.168.0.3,192.168.0.20,255.255.255.0,192.168.0.255,1.1.1.1",
             "bad netmask or broadcast");
  range_bad ("192.168.0.10,static,proxy", "bad lease time");
  range_bad ("192.168.0.10,192.168.0.20,static", "bad lease time");
  range_bad ("192.168.0.10,ra-only", "got 'ra-only'");
  range_bad ("192.168.0.10,192.168.0.20,4294967295", "bad lease time");
}

static void
test_range_round_trip (void)
{
  static const char *const texts[] = {
    "192.168.0.10,192.168.0.50",
    "192.168.0.10,192.168.0.50,255.255.255.0,192.168.0.255,12h",
    "192.168.122.2,192.168.122.254,255.255.255.0,infinite",
    "tag:a,tag:!b,set:c,10.0.0.1,10.0.0.200,255.255.255.0,200s",
    "10.0.0.1,static",
    "10.0.0.1,static,255.0.0.0,1w",
    "10.0.0.0,proxy,255.255.0.0",
    "10.0.0.1,10.0.0.9,90m",
    "10.0.0.1,10.0.0.9,3601",
    "10.0.0.1,10.0.1.9,0.0.0.0,10.0.0.255",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (HearthDhcpRange) range = range_ok (texts[i]);
      g_autofree char *text = hearth_dhcp_range_to_string (range);
      g_autoptr (HearthDhcpRange) again = range_ok (text);
      g_autoptr (HearthDhcpRange) copy = hearth_dhcp_range_copy (range);

      g_assert_true (hearth_dhcp_range_equal (range, again));
      g_assert_true (hearth_dhcp_range_equal (range, copy));
    }
  {
    g_autoptr (HearthDhcpRange) range = range_ok ("tag:a,set:c,10.0.0.1,10.0.0.9,255.255.255.0,1h");
    g_autoptr (HearthDhcpRange) other = range_ok ("tag:a,set:d,10.0.0.1,10.0.0.9,255.255.255.0,1h");
    g_autofree char *text = hearth_dhcp_range_to_string (range);

    g_assert_cmpstr (text, ==, "tag:a,set:c,10.0.0.1,10.0.0.9,255.255.255.0,1h");
    g_assert_false (hearth_dhcp_range_equal (range, other));
  }
  {
    g_autoptr (HearthDhcpRange) range = range_ok ("10.0.0.1,10.0.0.9");
    g_autofree char *text = hearth_dhcp_range_to_string (range);

    g_assert_cmpstr (text, ==, "10.0.0.1,10.0.0.9,1h");
  }
}

/* ---- hardware addresses ---- */

static void
test_mac (void)
{
  HearthDhcpMac mac;
  g_autoptr (GError) error = NULL;
  static const guint8 a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 };
  static const guint8 b[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01 };
  static const guint8 c[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x02 };

  g_assert_true (hearth_dhcp_mac_parse ("52:54:00:*:*:01", &mac, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mac.len, ==, 6);
  g_assert_cmpuint (mac.wildcard, ==, 0x18);
  assert_mac (&mac, -1, "52:54:00:*:*:01");
  g_assert_true (hearth_dhcp_mac_matches (&mac, 1, a, 6));
  g_assert_true (hearth_dhcp_mac_matches (&mac, 6, b, 6));
  g_assert_false (hearth_dhcp_mac_matches (&mac, 1, c, 6));
  g_assert_false (hearth_dhcp_mac_matches (&mac, 1, a, 5));

  g_assert_true (hearth_dhcp_mac_parse ("1-52:54:00:12:34:01", &mac, &error));
  assert_mac (&mac, 1, "1-52:54:00:12:34:01");
  g_assert_true (hearth_dhcp_mac_matches (&mac, 1, a, 6));
  g_assert_false (hearth_dhcp_mac_matches (&mac, 6, a, 6));
  g_assert_false (hearth_dhcp_mac_matches (&mac, 1, b, 6));

  /* The type is hex, as dnsmasq reads it: 20- is InfiniBand (32). */
  g_assert_true (hearth_dhcp_mac_parse ("20-0:1:2", &mac, &error));
  g_assert_cmpint (mac.hwtype, ==, 32);
  g_assert_cmpuint (mac.len, ==, 3);
  assert_mac (&mac, 32, "20-00:01:02");

  /* Without a ':', '-' separates the bytes. */
  g_assert_true (hearth_dhcp_mac_parse ("00-16-3E-77-e2-ed", &mac, &error));
  assert_mac (&mac, -1, "00:16:3e:77:e2:ed");

  g_assert_true (
      hearth_dhcp_mac_parse ("01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10", &mac, &error));
  g_assert_cmpuint (mac.len, ==, 16);

  g_assert_false (
      hearth_dhcp_mac_parse ("01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11", &mac, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "longer than 16 bytes"));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("zz:00:11", &mac, &error));
  g_assert_nonnull (strstr (error->message, "bad hardware address 'zz:00:11'"));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("abc:1:2", &mac, &error));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("00::11", &mac, &error));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("123-00:11", &mac, &error));
  g_assert_nonnull (strstr (error->message, "bad hardware type"));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("", &mac, &error));
  g_clear_error (&error);
  g_assert_false (hearth_dhcp_mac_parse ("1-00:11-22", &mac, &error));
  g_clear_error (&error);
}

/* ---- hosts ---- */

static void
test_host_forms (void)
{
  g_autoptr (HearthDhcpHost) libvirt =
      host_ok ("00:16:3e:77:e2:ed,192.168.122.10,a.example.com,2h");
  g_autoptr (HearthDhcpHost) name_first = host_ok ("vm1,192.168.122.10");
  g_autoptr (HearthDhcpHost) infinite = host_ok ("52:54:00:aa:bb:cc,192.168.122.10,infinite");
  g_autoptr (HearthDhcpHost) many = host_ok ("tag:x,set:y,11:22:33:44:55:66,1-11:22:33:44:55:*,id:"
                                             "01:02:03,id:foo,10.0.0.5,host_1,1234,ignore");
  g_autoptr (HearthDhcpHost) any_id = host_ok ("id:*,00:16:3e:77:e2:ed,10.0.0.6");
  g_autoptr (HearthDhcpHost) dashes = host_ok ("00-16-3e-77-e2-ed,10.0.0.7");
  g_autoptr (HearthDhcpHost) short_lease = host_ok ("00:16:3e:77:e2:ed,60");
  g_autoptr (HearthDhcpHost) empty_fields = host_ok ("00:16:3e:77:e2:ed,,1h,");
  g_autoptr (HearthDhcpHost) dash_name = host_ok ("ab-cd,10.0.0.8");
  g_autoptr (HearthDhcpHost) duid = host_ok ("id:0:4:7e:7d,10.0.0.9");
  g_autoptr (HearthDhcpHost) net = host_ok ("net:old,00:16:3e:77:e2:ed");
  static const char *const x[] = { "x", NULL };

  g_assert_cmpuint (libvirt->macs->len, ==, 1);
  assert_mac (&g_array_index (libvirt->macs, HearthDhcpMac, 0), -1, "00:16:3e:77:e2:ed");
  g_assert_cmpuint (libvirt->addr, ==, IP4 (192, 168, 122, 10));
  g_assert_cmpstr (libvirt->name, ==, "a.example.com");
  g_assert_cmpuint (libvirt->lease_time, ==, 7200);
  g_assert_cmpuint (libvirt->client_ids->len, ==, 0);
  g_assert_false (libvirt->ignore);
  g_assert_false (libvirt->ignore_client_id);
  g_assert_null (libvirt->set_tag);
  g_assert_null (libvirt->match_tags);
  g_assert_null (libvirt->owner);

  g_assert_cmpuint (name_first->macs->len, ==, 0);
  g_assert_cmpstr (name_first->name, ==, "vm1");
  g_assert_cmpuint (name_first->addr, ==, IP4 (192, 168, 122, 10));
  g_assert_cmpuint (name_first->lease_time, ==, 0);

  g_assert_cmpuint (infinite->lease_time, ==, HEARTH_DHCP_LEASE_INFINITE);

  assert_strv (many->match_tags, x);
  g_assert_cmpstr (many->set_tag, ==, "y");
  g_assert_cmpuint (many->macs->len, ==, 2);
  assert_mac (&g_array_index (many->macs, HearthDhcpMac, 1), 1, "1-11:22:33:44:55:*");
  g_assert_cmpuint (many->client_ids->len, ==, 2);
  {
    gsize len;
    const guint8 *id0 = g_bytes_get_data (g_ptr_array_index (many->client_ids, 0), &len);
    static const guint8 e0[] = { 1, 2, 3 };

    g_assert_cmpmem (id0, len, e0, sizeof e0);
    id0 = g_bytes_get_data (g_ptr_array_index (many->client_ids, 1), &len);
    g_assert_cmpmem (id0, len, "foo", 3);
  }
  g_assert_cmpuint (many->addr, ==, IP4 (10, 0, 0, 5));
  g_assert_cmpstr (many->name, ==, "host_1");
  /* An all-digit field is a lease time, as in dnsmasq. */
  g_assert_cmpuint (many->lease_time, ==, 1234);
  g_assert_true (many->ignore);

  g_assert_true (any_id->ignore_client_id);
  g_assert_cmpuint (any_id->client_ids->len, ==, 0);

  g_assert_cmpuint (dashes->macs->len, ==, 1);
  assert_mac (&g_array_index (dashes->macs, HearthDhcpMac, 0), -1, "00:16:3e:77:e2:ed");
  g_assert_null (dashes->name);

  g_assert_cmpuint (short_lease->lease_time, ==, HEARTH_DHCP_MIN_LEASE_TIME);
  g_assert_cmpuint (empty_fields->lease_time, ==, 3600);

  /* Two dash-separated bytes are a name, not an address. */
  g_assert_cmpuint (dash_name->macs->len, ==, 0);
  g_assert_cmpstr (dash_name->name, ==, "ab-cd");

  {
    gsize len;
    const guint8 *id = g_bytes_get_data (g_ptr_array_index (duid->client_ids, 0), &len);
    static const guint8 e[] = { 0, 4, 0x7e, 0x7d };

    g_assert_cmpmem (id, len, e, sizeof e);
  }
  g_assert_cmpstr (net->set_tag, ==, "old");
}

static void
test_host_ipv6 (void)
{
  host_ipv6 ("id:0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63,[2001:db8:ac10:fd01::1:20]");
  host_ipv6 ("paul,[2001:db8:ac10:fd01::1:21]");
  host_ipv6 ("id:0:3:0:1:0:16:3e:11:22:33,peter.xyz,[2001:db8:ac10:fd01::1:22]");
  host_ipv6 ("[::1]");
  host_ipv6 ("00:16:3e:77:e2:ed,[::23]");
  {
    /* With an IPv4 address too, it is an IPv4 host (the IPv6 part ignored). */
    g_autoptr (HearthDhcpHost) both = host_ok ("00:16:3e:77:e2:ed,1.2.3.4,[::1],host2");

    g_assert_cmpuint (both->addr, ==, IP4 (1, 2, 3, 4));
    g_assert_cmpstr (both->name, ==, "host2");
  }
  host_bad ("00:16:3e:77:e2:ed,[::1]/64", "bad IPv6 address '[::1]/64'");
  host_bad ("[1.2.3.4]", "bad IPv6 address");
  host_bad ("[::1", "bad IPv6 address");
}

static void
test_host_errors (void)
{
  host_bad ("", "expected a hardware address");
  host_bad (",,", "expected a hardware address");
  host_bad ("00:16:3e:77:e2:ed,192.168.122.10,-ab", "bad host name '-ab'");
  host_bad ("00:16:3e:77:e2:ed,a..b", "bad host name 'a..b'");
  host_bad ("00:16:3e:77:e2:ed,a.", "bad host name");
  host_bad ("00:16:3e:77:e2:ed,a b", "bad host name");
  host_bad ("00:16:3e:77:e2:ed,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "bad host name");
  /* dnsmasq takes these as a name or the last one silently. */
  host_bad ("00:16:3e:77:e2:ed,1.2.3", "bad IPv4 address '1.2.3'");
  host_bad ("00:16:3e:77:e2:ed,1.2.3.4,5.6.7.8", "more than one IPv4 address ('5.6.7.8')");
  host_bad ("00:16:3e:77:e2:ed,foo,bar", "more than one host name ('foo' and 'bar')");
  host_bad ("00:16:3e:77:e2:ed,1h,2h", "more than one lease time ('2h')");
  host_bad ("00:16:3e:77:e2:ed,set:a,set:b", "only one tag to set");
  host_bad ("abc:1:2:3:4:5,1.2.3.4", "bad hardware address 'abc:1:2:3:4:5'");
  host_bad ("id:01:zz,1.2.3.4", "bad client id 'id:01:zz'");
  host_bad ("id:,1.2.3.4", "empty client id");
  host_bad ("tag:,00:16:3e:77:e2:ed", "bad tag");
  host_bad ("00:16:3e:77:e2:ed,4294967295", "bad lease time");
  host_bad ("00:16:3e:77:e2:ed,0.0.0.0", "0.0.0.0 cannot be reserved");
}

static void
test_host_round_trip (void)
{
  static const char *const texts[] = {
    "00:16:3e:77:e2:ed,192.168.122.10,a.example.com,2h",
    "vm1,192.168.122.10",
    "52:54:00:aa:bb:cc,192.168.122.10,infinite",
    "tag:x,tag:!z,set:y,11:22:33:44:55:66,1-11:22:33:44:55:*,id:01:02:03,id:foo,10.0.0.5,host_1,"
    "1234,ignore",
    "id:*,00:16:3e:77:e2:ed,10.0.0.6",
    "id:41:42,10.0.0.7",
    "id:00:01:00:01:18:aa:62:fe:00:16:3e:44:55:66,10.0.0.8,90m",
    "00:16:3e:77:e2:ed,ignore",
    "host-7,3601",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (HearthDhcpHost) host = host_ok (texts[i]);
      g_autofree char *text = hearth_dhcp_host_to_string (host);
      g_autoptr (HearthDhcpHost) again = host_ok (text);
      g_autoptr (HearthDhcpHost) copy = hearth_dhcp_host_copy (host);

      g_assert_true (hearth_dhcp_host_equal (host, again));
      g_assert_true (hearth_dhcp_host_equal (host, copy));
    }
  {
    g_autoptr (HearthDhcpHost) host =
        host_ok ("00:16:3E:77:E2:ED,192.168.122.10,a.example.com,7200");
    g_autoptr (HearthDhcpHost) other =
        host_ok ("00:16:3e:77:e2:ee,192.168.122.10,a.example.com,7200");
    g_autofree char *text = hearth_dhcp_host_to_string (host);

    g_assert_cmpstr (text, ==, "00:16:3e:77:e2:ed,192.168.122.10,a.example.com,2h");
    g_assert_false (hearth_dhcp_host_equal (host, other));
  }
}

/* ---- tags and names ---- */

static void
test_tags_match (void)
{
  g_autoptr (GHashTable) tags = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const a[] = { "a", NULL };
  static const char *const not_a[] = { "!a", NULL };
  static const char *const a_not_b[] = { "a", "!b", NULL };
  static const char *const none[] = { NULL };

  g_assert_true (hearth_dhcp_tags_match (NULL, NULL));
  g_assert_true (hearth_dhcp_tags_match ((GStrv) none, tags));
  g_assert_false (hearth_dhcp_tags_match ((GStrv) a, NULL));
  g_assert_true (hearth_dhcp_tags_match ((GStrv) not_a, NULL));
  g_assert_false (hearth_dhcp_tags_match ((GStrv) a, tags));
  g_hash_table_add (tags, (gpointer) "a");
  g_assert_true (hearth_dhcp_tags_match ((GStrv) a, tags));
  g_assert_false (hearth_dhcp_tags_match ((GStrv) not_a, tags));
  g_assert_true (hearth_dhcp_tags_match ((GStrv) a_not_b, tags));
  g_hash_table_add (tags, (gpointer) "b");
  g_assert_false (hearth_dhcp_tags_match ((GStrv) a_not_b, tags));
}

static void
test_hostname_valid (void)
{
  char label[65];

  g_assert_true (hearth_dhcp_hostname_is_valid ("host"));
  g_assert_true (hearth_dhcp_hostname_is_valid ("a"));
  g_assert_true (hearth_dhcp_hostname_is_valid ("host-1"));
  g_assert_true (hearth_dhcp_hostname_is_valid ("1host"));
  g_assert_true (hearth_dhcp_hostname_is_valid ("Win_PC"));
  g_assert_false (hearth_dhcp_hostname_is_valid (NULL));
  g_assert_false (hearth_dhcp_hostname_is_valid (""));
  g_assert_false (hearth_dhcp_hostname_is_valid ("-a"));
  g_assert_false (hearth_dhcp_hostname_is_valid ("_a"));
  g_assert_false (hearth_dhcp_hostname_is_valid ("a.b"));
  g_assert_false (hearth_dhcp_hostname_is_valid ("a b"));
  g_assert_false (hearth_dhcp_hostname_is_valid ("caf\xc3\xa9"));
  memset (label, 'a', 63);
  label[63] = '\0';
  g_assert_true (hearth_dhcp_hostname_is_valid (label));
  label[63] = 'a';
  label[64] = '\0';
  g_assert_false (hearth_dhcp_hostname_is_valid (label));
}

/* ---- the configuration ---- */

static void
test_config_defaults (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (config->lease_max, ==, HEARTH_DHCP_DEFAULT_LEASE_MAX);
  g_assert_cmpuint (config->server_port, ==, 67);
  g_assert_cmpuint (config->client_port, ==, 68);
  g_assert_null (config->lease_file);
  g_assert_false (hearth_dhcp_config_enabled (config));
  g_assert_true (hearth_dhcp_config_check (config, &error));
  g_assert_no_error (error);
}

static void
test_config_apply (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
  g_autoptr (GError) error = NULL;
  static const char *const lines[] = {
    "dhcp-range=set:lan,192.168.1.100,192.168.1.200,255.255.255.0,12h",
    "dhcp-range=2001:db8::10,2001:db8::ff,64",
    "dhcp-host=00:16:3e:77:e2:ed,192.168.1.10,box",
    "dhcp-host=paul,[2001:db8::21]",
    "dhcp-hostsfile=/var/lib/h.hosts",
    "dhcp-hostsdir=/var/lib/h.d",
    "dhcp-option=option:router,192.168.1.1",
    "dhcp-option-force=tag:lan,option:domain-search,lan",
    "dhcp-option=option6:dns-server,[::]",
    "dhcp-optsfile=/etc/h.opts",
    "dhcp-optsdir=/etc/h.optsd",
    "dhcp-boot=tag:pxe,pxelinux.0,bootsrv,192.168.1.2",
    "dhcp-boot=net:efi,grub.efi,,tftp.example",
    "dhcp-lease=/tmp/leases",
    "dhcp-lease-max=493",
    "leasefile-ro",
    "dhcp-authoritative",
    "dhcp-no-override",
    "dhcp-script=/bin/true",
    "dhcp-scriptuser=nobody",
    "script-on-renewal",
    "read-ethers",
    "tag-if=set:a,set:b,tag:c,tag:!d",
    "dhcp-vendorclass=set:msft,MSFT 5.0",
    "dhcp-vendorclass=set:v6,enterprise:311,MSFT",
    "dhcp-userclass=old,accounts",
    "dhcp-circuitid=set:c,01:02:03",
    "dhcp-remoteid=set:r,remote-1",
    "dhcp-subscrid=set:s,sub",
    "dhcp-mac=set:qemu,52:54:00:*:*:*",
    "dhcp-match=set:efi,option:client-arch,7",
    "dhcp-match=set:ipxe,175",
    "dhcp-match=set:vi,vi-encap:311,01:*:03",
    "dhcp-match=set:v6,option6:16",
    "dhcp-name-match=set:wpad,wpad*",
    "dhcp-ignore=tag:!known",
    "dhcp-ignore-names",
    "dhcp-ignore-names=tag:x",
    "dhcp-generate-names=tag:y,net:z",
    "dhcp-broadcast",
    "bootp-dynamic=tag:b",
    "no-ping",
    "dhcp-fqdn",
    "dhcp-client-update",
    "dhcp-sequential-ip",
    "dhcp-ignore-clid",
    "dhcp-rapid-commit",
    "dhcp-reply-delay=2",
    "dhcp-reply-delay=tag:slow,5",
    "dhcp-alternate-port=1000",
    "dhcp-relay=10.0.0.1,10.0.0.2#1067,eth1",
    "dhcp-relay=fe80::1,ff05::1:3,eth0",
    "no-dhcp-interface=eth2,eth3",
    "no-dhcpv4-interface=eth4",
    "log-dhcp",
    "quiet-dhcp",
    "enable-ra",
    "pxe-service=x86PC,\"Boot\",pxelinux",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    if (!apply_line (config, lines[i], (guint) i + 1, &error))
      g_error ("'%s' was refused: %s", lines[i], error->message);
  g_assert_true (hearth_dhcp_config_check (config, &error));
  g_assert_true (hearth_dhcp_config_enabled (config));

  g_assert_cmpuint (config->ranges->len, ==, 1);
  {
    HearthDhcpRange *range = g_ptr_array_index (config->ranges, 0);

    g_assert_cmpstr (range->set_tag, ==, "lan");
    g_assert_cmpstr (range->owner, ==, "config");
    g_assert_cmpuint (range->lease_time, ==, 12 * 3600);
  }
  g_assert_cmpuint (config->n_ipv6_ranges, ==, 1);
  g_assert_cmpuint (config->hosts->len, ==, 1);
  g_assert_cmpstr (((HearthDhcpHost *) g_ptr_array_index (config->hosts, 0))->owner, ==, "config");
  g_assert_cmpuint (config->n_ipv6_hosts, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (config->hosts_files, 0), ==, "/var/lib/h.hosts");
  g_assert_cmpstr (g_ptr_array_index (config->hosts_dirs, 0), ==, "/var/lib/h.d");
  g_assert_cmpuint (config->options->len, ==, 2);
  {
    HearthDhcpOption *router = g_ptr_array_index (config->options, 0);
    HearthDhcpOption *search = g_ptr_array_index (config->options, 1);

    g_assert_cmpuint (router->code, ==, 3);
    g_assert_false (router->force);
    g_assert_cmpuint (search->code, ==, 119);
    g_assert_true (search->force);
  }
  g_assert_cmpuint (config->n_ipv6_options, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (config->opts_files, 0), ==, "/etc/h.opts");
  g_assert_cmpstr (g_ptr_array_index (config->opts_dirs, 0), ==, "/etc/h.optsd");
  g_assert_cmpuint (config->boots->len, ==, 2);
  {
    HearthDhcpBoot *pxe = g_ptr_array_index (config->boots, 0);
    HearthDhcpBoot *efi = g_ptr_array_index (config->boots, 1);
    static const char *const pxe_tags[] = { "pxe", NULL };

    assert_strv (pxe->match_tags, pxe_tags);
    g_assert_cmpstr (pxe->file, ==, "pxelinux.0");
    g_assert_cmpstr (pxe->server_name, ==, "bootsrv");
    g_assert_cmpuint (pxe->server_addr, ==, IP4 (192, 168, 1, 2));
    g_assert_null (pxe->tftp_server_name);
    g_assert_cmpstr (efi->file, ==, "grub.efi");
    g_assert_null (efi->server_name);
    g_assert_cmpuint (efi->server_addr, ==, 0);
    g_assert_cmpstr (efi->tftp_server_name, ==, "tftp.example");
  }
  g_assert_cmpstr (config->lease_file, ==, "/tmp/leases");
  g_assert_cmpuint (config->lease_max, ==, 493);
  g_assert_true (config->lease_file_ro);
  g_assert_true (config->authoritative);
  g_assert_true (config->no_override);
  g_assert_cmpstr (config->script, ==, "/bin/true");
  g_assert_cmpstr (config->script_user, ==, "nobody");
  g_assert_true (config->script_on_renewal);
  g_assert_true (config->read_ethers);
  g_assert_cmpuint (config->tag_ifs->len, ==, 1);
  {
    HearthDhcpTagIf *tag_if = g_ptr_array_index (config->tag_ifs, 0);
    static const char *const sets[] = { "a", "b", NULL };
    static const char *const conds[] = { "c", "!d", NULL };

    assert_strv (tag_if->set_tags, sets);
    assert_strv (tag_if->match_tags, conds);
  }

  /* vendorclass(enterprise:) and match(option6:) are DHCPv6 and dropped. */
  g_assert_cmpuint (config->matches->len, ==, 10);
  {
    HearthDhcpMatch *m;
    gsize len;
    const guint8 *data;

    m = g_ptr_array_index (config->matches, 0);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_VENDOR_CLASS);
    g_assert_cmpstr (m->set_tag, ==, "msft");
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "MSFT 5.0", 8);

    m = g_ptr_array_index (config->matches, 1);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_USER_CLASS);
    g_assert_cmpstr (m->set_tag, ==, "old");

    m = g_ptr_array_index (config->matches, 2);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_CIRCUIT_ID);
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "\x01\x02\x03", 3);

    m = g_ptr_array_index (config->matches, 3);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_REMOTE_ID);
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "remote-1", 8);

    m = g_ptr_array_index (config->matches, 4);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_SUBSCRIBER_ID);

    m = g_ptr_array_index (config->matches, 5);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_MAC);
    assert_mac (&m->mac, -1, "52:54:00:*:*:*");

    /* client-arch is a 16-bit number: matched as the client sends it. */
    m = g_ptr_array_index (config->matches, 6);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_OPTION);
    g_assert_cmpuint (m->code, ==, 93);
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "\x00\x07", 2);
    g_assert_null (m->mask);

    m = g_ptr_array_index (config->matches, 7);
    g_assert_cmpuint (m->code, ==, 175);
    g_assert_null (m->data);

    m = g_ptr_array_index (config->matches, 8);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_VI_ENCAP);
    g_assert_cmpuint (m->enterprise, ==, 311);
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "\x01\x00\x03", 3);
    data = g_bytes_get_data (m->mask, &len);
    g_assert_cmpmem (data, len, "\x00\x01\x00", 3);

    m = g_ptr_array_index (config->matches, 9);
    g_assert_cmpint (m->kind, ==, HEARTH_DHCP_MATCH_NAME);
    g_assert_true (m->wildcard);
    data = g_bytes_get_data (m->data, &len);
    g_assert_cmpmem (data, len, "wpad", 4);
  }

  g_assert_cmpuint (config->ignore->len, ==, 1);
  {
    static const char *const known[] = { "!known", NULL };
    static const char *const x[] = { "x", NULL };
    static const char *const yz[] = { "y", "z", NULL };

    assert_strv (g_ptr_array_index (config->ignore, 0), known);
    g_assert_cmpuint (config->ignore_names->len, ==, 2);
    /* No value: everyone, an empty (not NULL) list. */
    g_assert_nonnull (g_ptr_array_index (config->ignore_names, 0));
    assert_strv (g_ptr_array_index (config->ignore_names, 0), NULL);
    assert_strv (g_ptr_array_index (config->ignore_names, 1), x);
    assert_strv (g_ptr_array_index (config->generate_names, 0), yz);
    g_assert_cmpuint (config->broadcast->len, ==, 1);
    assert_strv (g_ptr_array_index (config->broadcast, 0), NULL);
  }
  g_assert_true (config->bootp_dynamic);
  g_assert_true (config->no_ping);
  g_assert_true (config->fqdn);
  g_assert_true (config->client_update);
  g_assert_true (config->sequential_ip);
  g_assert_true (config->ignore_clid);
  g_assert_true (config->rapid_commit);
  g_assert_cmpuint (config->reply_delay, ==, 2);
  g_assert_cmpuint (config->reply_delays->len, ==, 1);
  {
    HearthDhcpReplyDelay *delay = g_ptr_array_index (config->reply_delays, 0);
    static const char *const slow[] = { "slow", NULL };

    assert_strv (delay->match_tags, slow);
    g_assert_cmpuint (delay->seconds, ==, 5);
  }
  g_assert_cmpuint (config->server_port, ==, 1000);
  g_assert_cmpuint (config->client_port, ==, 1001);
  g_assert_cmpuint (config->relays->len, ==, 1);
  {
    HearthDhcpRelay *relay = g_ptr_array_index (config->relays, 0);

    g_assert_cmpuint (relay->local, ==, IP4 (10, 0, 0, 1));
    g_assert_cmpuint (relay->server, ==, IP4 (10, 0, 0, 2));
    g_assert_cmpuint (relay->server_port, ==, 1067);
    g_assert_cmpstr (relay->interface, ==, "eth1");
  }
  g_assert_cmpuint (config->no_dhcp_interfaces->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (config->no_dhcp_interfaces, 2), ==, "eth4");
  g_assert_true (config->log_dhcp);
  g_assert_true (config->quiet_dhcp);
}

static void
test_config_small_forms (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();

  apply_ok (config, "dhcp-alternate-port");
  g_assert_cmpuint (config->server_port, ==, 1067);
  g_assert_cmpuint (config->client_port, ==, 1068);
  apply_ok (config, "dhcp-alternate-port=2000,3000");
  g_assert_cmpuint (config->server_port, ==, 2000);
  g_assert_cmpuint (config->client_port, ==, 3000);
  apply_ok (config, "dhcp-leasefile=/a");
  apply_ok (config, "dhcp-leasefile");
  g_assert_null (config->lease_file);
  apply_ok (config, "dhcp-lease-max=0");
  g_assert_cmpuint (config->lease_max, ==, 0);
  apply_ok (config, "tag-if=tag:b,set:a");
  apply_ok (config, "dhcp-relay=10.0.0.1,10.0.0.2");
  g_assert_cmpuint (((HearthDhcpRelay *) g_ptr_array_index (config->relays, 0))->server_port, ==,
                    67);
  g_assert_null (((HearthDhcpRelay *) g_ptr_array_index (config->relays, 0))->interface);
  /* A relay alone is something to serve. */
  g_assert_true (hearth_dhcp_config_enabled (config));
  apply_ok (config, "dhcp-boot=pxe.img");
  g_assert_null (((HearthDhcpBoot *) g_ptr_array_index (config->boots, 0))->match_tags);
  apply_ok (config, "dhcp-option=option:domain-name,\"a,b\"");
  {
    HearthDhcpOption *option = g_ptr_array_index (config->options, 0);
    assert_text_value (option, "a,b");
  }
}

static void
test_config_errors (void)
{
  apply_bad ("dhcp-range=foo", "option 'dhcp-range': expected <start>");
  apply_bad ("dhcp-range=192.168.0.10,192.168.1.5,255.255.255.0", "inconsistent DHCP range");
  apply_bad ("dhcp-host=00:16:3e:77:e2:ed,1.2.3", "bad IPv4 address");
  apply_bad ("dhcp-option=option:router,foo",
             "option 'dhcp-option': option router (3): bad IPv4 address 'foo'");
  apply_bad ("dhcp-option-force=option:nope,1", "unknown DHCP option name 'nope'");
  apply_bad ("dhcp-option=", "needs a value");
  apply_bad ("dhcp-lease-max=-1", "expected a whole number");
  apply_bad ("dhcp-boot=tag:x", "expected [tag:<tag>,]<file>");
  apply_bad ("dhcp-boot=pxe.img,srv,1.2.3", "bad boot server address or name '1.2.3'");
  apply_bad ("dhcp-boot=pxe.img,srv,1.2.3.4,extra", "unexpected 'extra'");
  apply_bad ("tag-if=tag:b", "expected at least one set:<tag>");
  apply_bad ("tag-if=set:a,net:b", "expected set:<tag> or tag:<tag>, got 'net:b'");
  apply_bad ("dhcp-vendorclass=set:x", "expected set:<tag>,<value>");
  apply_bad ("dhcp-mac=set:x,zz", "bad hardware address 'zz'");
  apply_bad ("dhcp-mac=tag:x,00:11:22:33:44:55", "expected set:<tag> first");
  apply_bad ("dhcp-match=set:x", "expected set:<tag>,<number>");
  apply_bad ("dhcp-match=set:x,option:nope", "unknown DHCP option name");
  apply_bad ("dhcp-match=set:x,option:router,foo", "bad IPv4 address 'foo'");
  apply_bad ("dhcp-ignore=tag:", "bad tag ''");
  apply_bad ("dhcp-reply-delay=1h", "expected a whole number");
  apply_bad ("dhcp-reply-delay=x,5", "expected [tag:<tag>,]<seconds>");
  apply_bad ("dhcp-alternate-port=abc", "expected a whole number");
  apply_bad ("dhcp-alternate-port=1,2,3", "expected <server port>[,<client port>]");
  apply_bad ("dhcp-relay=1.2.3.4", "expected <local address>,<server>");
  apply_bad ("dhcp-relay=1.2.3.4,fe80::1", "bad server address 'fe80::1'");
  apply_bad ("dhcp-relay=1.2.3.4,5.6.7.8#70000", "expected a whole number from 1 to 65535");
  apply_bad ("dhcp-hostsfile=", "needs a value");

  /* As dnsmasq: one address for two hosts, with the second one's line. */
  {
    g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
    g_autoptr (GError) error = NULL;

    g_assert_true (apply_line (config, "dhcp-host=00:16:3e:77:e2:ed,1.2.3.4", 1, &error));
    g_assert_false (apply_line (config, "dhcp-host=00:16:3e:77:e2:ee,1.2.3.4", 2, &error));
    g_assert_cmpstr (error->message, ==,
                     "test.conf:2: option 'dhcp-host': duplicate dhcp-host IP address 1.2.3.4");
    g_clear_error (&error);
    g_assert_true (apply_line (config, "dhcp-host=00:16:3e:77:e2:ed,1.2.3.5", 3, &error));
    g_assert_cmpuint (config->hosts->len, ==, 2);
  }
}

/* Every DHCP-owned option in the table either has a handler or is one of
 * the accepted-but-ignored ones: nothing reaches "is not handled". */
static void
test_config_every_option (void)
{
  gsize n;
  const HearthOptionDef *table = hearth_option_table (&n);
  guint handled = 0, ignored = 0;

  for (gsize i = 0; i < n; i++)
    {
      const HearthOptionDef *def = &table[i];
      g_autoptr (HearthConfigItem) item = NULL;
      g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
      g_autoptr (GError) error = NULL;

      if (def->owner != HEARTH_OPTION_OWNER_DHCP || def->alias_of != NULL)
        continue;
      item = hearth_config_item_new (def, def->arg == HEARTH_OPTION_ARG_NONE ? NULL : "x", "t.conf",
                                     1);
      if (!hearth_dhcp_config_apply (config, item, &error))
        {
          g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
          if (strstr (error->message, "not handled") != NULL)
            g_error ("%s: %s", def->long_name, error->message);
        }
      if (hearth_dhcp_config_option_is_implemented (def->long_name))
        handled++;
      else
        ignored++;
    }
  g_assert_cmpuint (handled, >=, 45);
  g_assert_cmpuint (ignored, ==, 11);

  g_assert_true (hearth_dhcp_config_option_is_implemented ("dhcp-range"));
  g_assert_true (hearth_dhcp_config_option_is_implemented ("dhcp-lease"));
  g_assert_true (hearth_dhcp_config_option_is_implemented ("no-dhcpv4-interface"));
  g_assert_true (hearth_dhcp_config_option_is_implemented ("pxe-service"));
  g_assert_false (hearth_dhcp_config_option_is_implemented ("dhcp-luascript"));
  g_assert_false (hearth_dhcp_config_option_is_implemented ("enable-ra"));
  g_assert_false (hearth_dhcp_config_option_is_implemented ("cache-size"));
  g_assert_false (hearth_dhcp_config_option_is_implemented ("no-such-option"));
}

/* The configurations libvirt writes (compat/libvirt-confs, a sibling of
 * the checkout): every DHCP line loads, every hosts-file line parses. */
static void
test_libvirt_confs (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "..", "..", "..", "shared",
                                                     "compat", "libvirt-confs", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_conf = 0, n_hosts_lines = 0, n_ipv4_ranges = 0, n_ipv6_ranges = 0;

  if (dir == NULL)
    {
      g_test_skip ("no libvirt-confs directory next to the checkout");
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_auto (GStrv) lines = NULL;
      g_autoptr (GError) error = NULL;

      if (!g_str_has_suffix (name, ".conf") && !g_str_has_suffix (name, ".hostsfile"))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      lines = g_strsplit (contents, "\n", -1);

      if (g_str_has_suffix (name, ".conf"))
        {
          g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();

          for (guint i = 0; lines[i] != NULL; i++)
            {
              g_autoptr (HearthConfigItem) item = NULL;

              /* Lines another subsystem or no one knows ("foo=bar" in
               * dnsmasq-options.conf) are not this test's business. */
              if (!hearth_config_parse_line (lines[i], path, i + 1, &item, NULL) || item == NULL ||
                  item->def->owner != HEARTH_OPTION_OWNER_DHCP)
                continue;
              if (!hearth_dhcp_config_apply (config, item, &error))
                g_error ("%s", error->message);
            }
          if (!hearth_dhcp_config_check (config, &error))
            g_error ("%s: %s", name, error->message);
          n_ipv4_ranges += config->ranges->len;
          n_ipv6_ranges += config->n_ipv6_ranges;
          n_conf++;
        }
      else
        for (guint i = 0; lines[i] != NULL; i++)
          {
            HearthDhcpHost *host = NULL;
            gboolean ipv6 = FALSE;

            if (*lines[i] == '\0')
              continue;
            if (!hearth_dhcp_host_parse (lines[i], &host, &ipv6, &error))
              g_error ("%s:%u: %s", name, i + 1, error->message);
            /* The hosts with a bracketed address are the DHCPv6 ones. */
            g_assert_true (ipv6 == (strchr (lines[i], '[') != NULL));
            g_assert_true ((host == NULL) == ipv6);
            hearth_dhcp_host_free (host);
            n_hosts_lines++;
          }
    }
  g_assert_cmpuint (n_conf, >=, 20);
  g_assert_cmpuint (n_hosts_lines, >=, 20);
  g_assert_cmpuint (n_ipv4_ranges, ==, 14);
  g_assert_cmpuint (n_ipv6_ranges, >=, 10);
}

/* ---- PXE: --pxe-service, --pxe-prompt, --dhcp-pxe-vendor ---- */

static HearthDhcpPxeService *
pxe_service_at (HearthDhcpConfig *config, guint i)
{
  g_assert_cmpuint (i, <, config->pxe_services->len);
  return g_ptr_array_index (config->pxe_services, i);
}

static void
test_pxe_csa_names (void)
{
  static const struct
  {
    const char *name;
    gint csa;
  } names[] = {
    { "x86PC", 0 },
    { "PC98", 1 },
    { "IA64_EFI", 2 },
    { "Alpha", 3 },
    { "Arc_x86", 4 },
    { "Intel_Lean_Client", 5 },
    { "IA32_EFI", 6 },
    { "x86-64_EFI", 7 },
    { "Xscale_EFI", 8 },
    { "BC_EFI", 9 },
    { "ARM32_EFI", 10 },
    { "ARM64_EFI", 11 },
    /* Case does not matter (dnsmasq: strcasecmp). */
    { "X86PC", 0 },
    { "x86pc", 0 },
    { "X86-64_EFI", 7 },
    { "arm64_efi", 11 },
    { "bc_efi", 9 },
    /* Not names. */
    { "Arch_x86", -1 },
    { "x86", -1 },
    { "x86PC ", -1 },
    { "", -1 },
    { "7", -1 },
    { "EFI", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpint (hearth_dhcp_pxe_csa_lookup (names[i].name), ==, names[i].csa);
}

static void
test_pxe_service_forms (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
  HearthDhcpPxeService *s;
  static const char *const tags[] = { "red", "!blue", NULL };

  g_assert_false (hearth_dhcp_config_pxe_enabled (config));
  apply_ok (config, "pxe-service=x86PC,Install Linux,pxelinux");
  g_assert_true (hearth_dhcp_config_pxe_enabled (config));
  apply_ok (config, "pxe-service=x86pc,Windows deployment,13");
  apply_ok (config, "pxe-service=X86-64_EFI,EFI boot,grubx64.efi,10.0.0.9");
  apply_ok (config, "pxe-service=x86PC,Boot from disk");
  apply_ok (config, "pxe-service=16,HTTP,http.efi,bootsrv");
  apply_ok (config, "pxe-service=tag:red,tag:!blue,ARM64_EFI,Arm,arm/grub,tftp.example");
  apply_ok (config, "pxe-service=x86PC,Other server,14,10.0.0.8");
  apply_ok (config, "pxe-service=x86PC,Explicit local,0");
  apply_ok (config, "pxe-service=65535,\"Menu, with a comma\",last");
  g_assert_cmpuint (config->pxe_services->len, ==, 9);

  s = pxe_service_at (config, 0);
  g_assert_cmpuint (s->csa, ==, 0);
  g_assert_cmpstr (s->menu, ==, "Install Linux");
  g_assert_cmpstr (s->basename, ==, "pxelinux");
  g_assert_cmphex (s->type, ==, 0x8000);
  g_assert_cmphex (s->server_addr, ==, 0);
  g_assert_null (s->server_name);
  assert_strv (s->match_tags, NULL);

  /* A number: a boot server type, no file; it takes no 0x8000 number. */
  s = pxe_service_at (config, 1);
  g_assert_cmpuint (s->csa, ==, 0);
  g_assert_cmpstr (s->menu, ==, "Windows deployment");
  g_assert_null (s->basename);
  g_assert_cmphex (s->type, ==, 13);
  g_assert_cmphex (s->server_addr, ==, 0);

  s = pxe_service_at (config, 2);
  g_assert_cmpuint (s->csa, ==, 7);
  g_assert_cmpstr (s->basename, ==, "grubx64.efi");
  g_assert_cmphex (s->type, ==, 0x8001);
  g_assert_cmphex (s->server_addr, ==, IP4 (10, 0, 0, 9));
  g_assert_null (s->server_name);

  /* No third field: type 0, local boot. */
  s = pxe_service_at (config, 3);
  g_assert_cmpstr (s->menu, ==, "Boot from disk");
  g_assert_null (s->basename);
  g_assert_cmphex (s->type, ==, 0);
  g_assert_cmphex (s->server_addr, ==, 0);
  g_assert_null (s->server_name);

  /* A numeric architecture; the server given by name. */
  s = pxe_service_at (config, 4);
  g_assert_cmpuint (s->csa, ==, 16);
  g_assert_cmpstr (s->basename, ==, "http.efi");
  g_assert_cmphex (s->type, ==, 0x8002);
  g_assert_cmphex (s->server_addr, ==, 0);
  g_assert_cmpstr (s->server_name, ==, "bootsrv");

  s = pxe_service_at (config, 5);
  g_assert_cmpuint (s->csa, ==, 11);
  assert_strv (s->match_tags, tags);
  g_assert_cmpstr (s->menu, ==, "Arm");
  g_assert_cmpstr (s->basename, ==, "arm/grub");
  g_assert_cmphex (s->type, ==, 0x8003);
  g_assert_cmpstr (s->server_name, ==, "tftp.example");

  s = pxe_service_at (config, 6);
  g_assert_null (s->basename);
  g_assert_cmphex (s->type, ==, 14);
  g_assert_cmphex (s->server_addr, ==, IP4 (10, 0, 0, 8));

  s = pxe_service_at (config, 7);
  g_assert_null (s->basename);
  g_assert_cmphex (s->type, ==, 0);

  s = pxe_service_at (config, 8);
  g_assert_cmpuint (s->csa, ==, 65535);
  g_assert_cmpstr (s->menu, ==, "Menu, with a comma");
  g_assert_cmpstr (s->basename, ==, "last");
  g_assert_cmphex (s->type, ==, 0x8004);

  /* The menu text may be 255 bytes. */
  {
    g_autofree char *menu = g_strnfill (255, 'm');
    g_autofree char *line = g_strdup_printf ("pxe-service=x86PC,%s,f", menu);

    apply_ok (config, line);
    g_assert_cmpstr (pxe_service_at (config, 9)->menu, ==, menu);
    g_assert_cmphex (pxe_service_at (config, 9)->type, ==, 0x8005);
  }
}

static void
test_pxe_service_errors (void)
{
  g_autofree char *menu = g_strnfill (256, 'm');
  g_autofree char *long_menu = g_strdup_printf ("pxe-service=x86PC,%s,f", menu);

  apply_bad ("pxe-service=x86PCX,Menu,file", "unknown client system architecture 'x86PCX'");
  apply_bad ("pxe-service=Arch_x86,Menu,file", "unknown client system architecture 'Arch_x86'");
  apply_bad ("pxe-service=65536,Menu,file", "unknown client system architecture '65536'");
  apply_bad ("pxe-service=-1,Menu,file", "unknown client system architecture '-1'");
  apply_bad ("pxe-service=x86PC", "expected [tag:<tag>,]<CSA>,<menu text>");
  apply_bad ("pxe-service=tag:red,x86PC", "expected [tag:<tag>,]<CSA>,<menu text>");
  apply_bad ("pxe-service=,Menu,file", "expected [tag:<tag>,]<CSA>,<menu text>");
  apply_bad ("pxe-service=tag:red", "expected [tag:<tag>,]<CSA>,<menu text>");
  apply_bad ("pxe-service=", "needs a value");
  apply_bad ("pxe-service=x86PC,Menu,70000", "bad boot server type '70000'");
  apply_bad ("pxe-service=x86PC,Menu,65536,10.0.0.1", "bad boot server type '65536'");
  apply_bad ("pxe-service=x86PC,Menu,70000", "bad boot server type '70000'");
  /* Not all digits: a file name, as in dnsmasq ("3com" is a fine one). */
  {
    g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
    HearthDhcpPxeService *s;

    apply_ok (config, "pxe-service=x86PC,Menu,3com");
    s = g_ptr_array_index (config->pxe_services, 0);
    g_assert_cmpstr (s->basename, ==, "3com");
    g_assert_cmphex (s->type, ==, 0x8000);
  }
  apply_bad ("pxe-service=x86PC,Menu,file,10.0.0.1,extra",
             "expected [tag:<tag>,]<CSA>,<menu text>");
  apply_bad ("pxe-service=x86PC,Menu,file,300.1.1.1",
             "bad boot server address or name '300.1.1.1'");
  apply_bad ("pxe-service=x86PC,Menu,13,1.2.3", "bad boot server address or name '1.2.3'");
  apply_bad ("pxe-service=x86PC,Menu,file,bad name!",
             "bad boot server address or name 'bad name!'");
  apply_bad ("pxe-service=tag:,x86PC,Menu,file", "bad tag ''");
  apply_bad (long_menu, "menu text is longer than 255");

  /* A refused line leaves nothing behind and uses no item number. */
  {
    g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
    g_autoptr (GError) error = NULL;

    g_assert_false (apply_line (config, "pxe-service=x86PC,Menu,file,300.1.1.1", 1, &error));
    g_assert_cmpuint (config->pxe_services->len, ==, 0);
    g_assert_false (hearth_dhcp_config_pxe_enabled (config));
    apply_ok (config, "pxe-service=x86PC,Menu,file");
    g_assert_cmphex (pxe_service_at (config, 0)->type, ==, 0x8000);
  }
}

static void
test_pxe_prompt (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();
  HearthDhcpPxePrompt *p;
  static const char *const tags[] = { "red", NULL };

  apply_ok (config, "pxe-prompt=Hello");
  /* A prompt alone turns PXE on. */
  g_assert_true (hearth_dhcp_config_pxe_enabled (config));
  apply_ok (config, "pxe-prompt=Press F8 for menu,10");
  apply_ok (config, "pxe-prompt=Boot now,0");
  apply_ok (config, "pxe-prompt=Wait,255");
  apply_ok (config, "pxe-prompt=tag:red,Red prompt,3");
  apply_ok (config, "pxe-prompt=\"Choose, then Enter\",7");
  g_assert_cmpuint (config->pxe_prompts->len, ==, 6);

  p = g_ptr_array_index (config->pxe_prompts, 0);
  g_assert_cmpstr (p->text, ==, "Hello");
  g_assert_cmpuint (p->timeout, ==, 255);
  assert_strv (p->match_tags, NULL);
  p = g_ptr_array_index (config->pxe_prompts, 1);
  g_assert_cmpstr (p->text, ==, "Press F8 for menu");
  g_assert_cmpuint (p->timeout, ==, 10);
  p = g_ptr_array_index (config->pxe_prompts, 2);
  g_assert_cmpuint (p->timeout, ==, 0);
  p = g_ptr_array_index (config->pxe_prompts, 3);
  g_assert_cmpuint (p->timeout, ==, 255);
  p = g_ptr_array_index (config->pxe_prompts, 4);
  g_assert_cmpstr (p->text, ==, "Red prompt");
  g_assert_cmpuint (p->timeout, ==, 3);
  assert_strv (p->match_tags, tags);
  p = g_ptr_array_index (config->pxe_prompts, 5);
  g_assert_cmpstr (p->text, ==, "Choose, then Enter");
  g_assert_cmpuint (p->timeout, ==, 7);

  /* dnsmasq takes a bad timeout as 255 or truncates it to a byte; hearth
   * refuses it, naming it. */
  apply_bad ("pxe-prompt=Hello,256", "bad prompt timeout '256'");
  apply_bad ("pxe-prompt=Hello,1000", "bad prompt timeout '1000'");
  apply_bad ("pxe-prompt=Hello,abc", "bad prompt timeout 'abc'");
  apply_bad ("pxe-prompt=Hello,-1", "bad prompt timeout '-1'");
  apply_bad ("pxe-prompt=Hello,5s", "bad prompt timeout '5s'");
  apply_bad ("pxe-prompt=Hello,1,2", "expected [tag:<tag>,]<prompt>[,<timeout>]");
  apply_bad ("pxe-prompt=tag:red", "expected [tag:<tag>,]<prompt>[,<timeout>]");
  apply_bad ("pxe-prompt=", "needs a value");
  apply_bad ("pxe-prompt=tag:,Hello", "bad tag ''");
  {
    g_autofree char *text = g_strnfill (300, 'p');
    g_autofree char *line = g_strdup_printf ("pxe-prompt=%s,5", text);

    apply_bad (line, "prompt is longer than");
  }
}

static void
test_pxe_vendor (void)
{
  g_autoptr (HearthDhcpConfig) config = hearth_dhcp_config_new ();

  g_assert_cmpuint (config->pxe_vendors->len, ==, 0);
  apply_ok (config, "dhcp-pxe-vendor=PXEClient,HW-Client");
  g_assert_cmpuint (config->pxe_vendors->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->pxe_vendors, 0), ==, "PXEClient");
  g_assert_cmpstr (g_ptr_array_index (config->pxe_vendors, 1), ==, "HW-Client");
  /* Several lines add up. */
  apply_ok (config, "dhcp-pxe-vendor=Other");
  g_assert_cmpuint (config->pxe_vendors->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (config->pxe_vendors, 2), ==, "Other");
  /* Vendor classes alone do not turn PXE on. */
  g_assert_false (hearth_dhcp_config_pxe_enabled (config));

  apply_bad ("dhcp-pxe-vendor=A,,B", "without empty names");
  apply_bad ("dhcp-pxe-vendor=A,", "without empty names");
  apply_bad ("dhcp-pxe-vendor=,", "without empty names");
  apply_bad ("dhcp-pxe-vendor=", "needs a value");
  /* A refused line adds nothing. */
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (apply_line (config, "dhcp-pxe-vendor=New,", 2, &error));
    g_assert_cmpuint (config->pxe_vendors->len, ==, 3);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dhcp/config/option/addresses", test_option_addresses);
  g_test_add_func ("/dhcp/config/option/numbers", test_option_numbers);
  g_test_add_func ("/dhcp/config/option/strings", test_option_strings);
  g_test_add_func ("/dhcp/config/option/domain-search", test_option_domain_search);
  g_test_add_func ("/dhcp/config/option/classless-routes", test_option_classless_routes);
  g_test_add_func ("/dhcp/config/option/sip", test_option_sip);
  g_test_add_func ("/dhcp/config/option/guess", test_option_guess);
  g_test_add_func ("/dhcp/config/option/quoted", test_option_quoted);
  g_test_add_func ("/dhcp/config/option/prefixes", test_option_prefixes);
  g_test_add_func ("/dhcp/config/option/empty", test_option_empty);
  g_test_add_func ("/dhcp/config/option/errors", test_option_errors);
  g_test_add_func ("/dhcp/config/option/ipv6", test_option_ipv6);
  g_test_add_func ("/dhcp/config/option/names", test_option_names);
  g_test_add_func ("/dhcp/config/range/forms", test_range_forms);
  g_test_add_func ("/dhcp/config/range/lease-times", test_range_lease_times);
  g_test_add_func ("/dhcp/config/range/tags", test_range_tags);
  g_test_add_func ("/dhcp/config/range/ipv6", test_range_ipv6);
  g_test_add_func ("/dhcp/config/range/errors", test_range_errors);
  g_test_add_func ("/dhcp/config/range/round-trip", test_range_round_trip);
  g_test_add_func ("/dhcp/config/mac", test_mac);
  g_test_add_func ("/dhcp/config/host/forms", test_host_forms);
  g_test_add_func ("/dhcp/config/host/ipv6", test_host_ipv6);
  g_test_add_func ("/dhcp/config/host/errors", test_host_errors);
  g_test_add_func ("/dhcp/config/host/round-trip", test_host_round_trip);
  g_test_add_func ("/dhcp/config/tags-match", test_tags_match);
  g_test_add_func ("/dhcp/config/hostname-valid", test_hostname_valid);
  g_test_add_func ("/dhcp/config/defaults", test_config_defaults);
  g_test_add_func ("/dhcp/config/apply", test_config_apply);
  g_test_add_func ("/dhcp/config/small-forms", test_config_small_forms);
  g_test_add_func ("/dhcp/config/errors", test_config_errors);
  g_test_add_func ("/dhcp/config/every-option", test_config_every_option);
  g_test_add_func ("/dhcp/config/libvirt-confs", test_libvirt_confs);

  g_test_add_func ("/dhcp/config/pxe/csa-names", test_pxe_csa_names);
  g_test_add_func ("/dhcp/config/pxe/service-forms", test_pxe_service_forms);
  g_test_add_func ("/dhcp/config/pxe/service-errors", test_pxe_service_errors);
  g_test_add_func ("/dhcp/config/pxe/prompt", test_pxe_prompt);
  g_test_add_func ("/dhcp/config/pxe/vendor", test_pxe_vendor);
  return g_test_run ();
}
