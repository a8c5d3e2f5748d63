/* Unit tests of dns-addr: parsing, prefixes, reverse names, private
 * ranges. */
#include "config.h"

#include "dns/dns-addr.h"
#include "dns/dns-packet.h"

#include <string.h>

static void
test_parse (void)
{
  HearthDnsAddr a;
  char buf[64];

  g_assert_true (hearth_dns_addr_parse ("192.0.2.1", &a));
  g_assert_cmpint (a.family, ==, AF_INET);
  g_assert_cmpint (a.prefix_len, ==, 32);
  g_assert_cmpstr (hearth_dns_addr_to_string (&a, buf, sizeof buf), ==, "192.0.2.1");
  g_assert_true (hearth_dns_addr_parse ("2001:db8::1", &a));
  g_assert_cmpint (a.family, ==, AF_INET6);
  g_assert_cmpstr (hearth_dns_addr_to_string (&a, buf, sizeof buf), ==, "2001:db8::1");
  g_assert_false (hearth_dns_addr_parse ("1.2.3", &a));
  g_assert_false (hearth_dns_addr_parse ("", &a));
  g_assert_false (hearth_dns_addr_parse ("1.2.3.4/8", &a));

  g_assert_true (hearth_dns_addr_parse_prefix ("10.1.2.3/8", &a));
  g_assert_cmpint (a.prefix_len, ==, 8);
  g_assert_cmpstr (hearth_dns_addr_to_string (&a, buf, sizeof buf), ==, "10.0.0.0/8");
  g_assert_true (hearth_dns_addr_parse_prefix ("172.31.255.1/12", &a));
  g_assert_cmpstr (hearth_dns_addr_to_string (&a, buf, sizeof buf), ==, "172.16.0.0/12");
  g_assert_true (hearth_dns_addr_parse_prefix ("fe80::1/10", &a));
  g_assert_cmpstr (hearth_dns_addr_to_string (&a, buf, sizeof buf), ==, "fe80::/10");
  g_assert_true (hearth_dns_addr_parse_prefix ("192.0.2.7", &a));
  g_assert_cmpint (a.prefix_len, ==, 32);
  g_assert_false (hearth_dns_addr_parse_prefix ("10.0.0.0/33", &a));
  g_assert_false (hearth_dns_addr_parse_prefix ("10.0.0.0/", &a));
  g_assert_false (hearth_dns_addr_parse_prefix ("10.0.0.0/8x", &a));
  g_assert_false (hearth_dns_addr_parse_prefix ("::/129", &a));
}

static void
test_in_prefix (void)
{
  HearthDnsAddr p, a;

  g_assert_true (hearth_dns_addr_parse_prefix ("172.16.0.0/12", &p));
  g_assert_true (hearth_dns_addr_parse ("172.31.1.1", &a));
  g_assert_true (hearth_dns_addr_in_prefix (&p, &a));
  g_assert_true (hearth_dns_addr_parse ("172.32.0.1", &a));
  g_assert_false (hearth_dns_addr_in_prefix (&p, &a));
  g_assert_true (hearth_dns_addr_parse ("::ffff:172.16.0.1", &a));
  g_assert_false (hearth_dns_addr_in_prefix (&p, &a)); /* other family */
  g_assert_true (hearth_dns_addr_parse_prefix ("0.0.0.0/0", &p));
  g_assert_true (hearth_dns_addr_parse ("8.8.8.8", &a));
  g_assert_true (hearth_dns_addr_in_prefix (&p, &a));
}

static void
check_reverse (const char *addr_text, const char *expected_name)
{
  HearthDnsAddr a, back;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
  char text[1024];

  g_assert_true (hearth_dns_addr_parse (addr_text, &a));
  g_assert_true (hearth_dns_addr_to_reverse_name (&a, wire, &len));
  g_assert_cmpstr (hearth_dns_name_to_string (wire, len, text, sizeof text), ==, expected_name);
  g_assert_cmpint (hearth_dns_addr_from_reverse_name (wire, len, &back), ==, HEARTH_DNS_REVERSE_FULL);
  g_assert_true (hearth_dns_addr_equal (&a, &back));
}

static void
test_reverse (void)
{
  HearthDnsAddr a, p;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;

  check_reverse ("192.0.2.10", "10.2.0.192.in-addr.arpa");
  check_reverse ("2001:db8::1",
                 "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");

  /* Partial names are zones: a prefix. Case does not matter. */
  g_assert_true (hearth_dns_name_from_string ("168.192.IN-ADDR.ARPA", wire, &len));
  g_assert_cmpint (hearth_dns_addr_from_reverse_name (wire, len, &a), ==, HEARTH_DNS_REVERSE_PARTIAL);
  g_assert_true (hearth_dns_addr_parse_prefix ("192.168.0.0/16", &p));
  g_assert_true (hearth_dns_addr_equal (&a, &p));
  g_assert_true (hearth_dns_name_from_string ("d.f.ip6.arpa", wire, &len));
  g_assert_cmpint (hearth_dns_addr_from_reverse_name (wire, len, &a), ==, HEARTH_DNS_REVERSE_PARTIAL);
  g_assert_true (hearth_dns_addr_parse_prefix ("fd00::/8", &p));
  g_assert_true (hearth_dns_addr_equal (&a, &p));

  /* Not reverse names, or broken ones. */
  const char *bad[] = { "www.example.com", "256.1.168.192.in-addr.arpa", "01.2.3.4.in-addr.arpa",
                        "1.2.3.4.5.in-addr.arpa", "x.in-addr.arpa", "g.ip6.arpa", "ab.ip6.arpa",
                        "in-addr.arpa.com" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_true (hearth_dns_name_from_string (bad[i], wire, &len));
      g_assert_cmpint (hearth_dns_addr_from_reverse_name (wire, len, &a), ==, HEARTH_DNS_REVERSE_NONE);
    }
  g_assert_true (hearth_dns_name_from_string ("in-addr.arpa", wire, &len));
  g_assert_cmpint (hearth_dns_addr_from_reverse_name (wire, len, &a), ==, HEARTH_DNS_REVERSE_PARTIAL);
  g_assert_cmpint (a.prefix_len, ==, 0);
}

static void
test_private (void)
{
  const char *priv[] = { "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.3.3", "100.64.0.1", "0.0.0.0",
                         "fd00::1", "fe80::1", "::", "::ffff:192.168.0.1", "255.255.255.255" };
  const char *pub[] = { "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8" };
  HearthDnsAddr a;
  gboolean loopback;

  for (gsize i = 0; i < G_N_ELEMENTS (priv); i++)
    {
      g_assert_true (hearth_dns_addr_parse (priv[i], &a));
      g_assert_true (hearth_dns_addr_is_private (&a, &loopback));
      g_assert_false (loopback);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (pub); i++)
    {
      g_assert_true (hearth_dns_addr_parse (pub[i], &a));
      g_assert_false (hearth_dns_addr_is_private (&a, &loopback));
    }
  g_assert_true (hearth_dns_addr_parse ("127.0.0.53", &a));
  g_assert_true (hearth_dns_addr_is_private (&a, &loopback));
  g_assert_true (loopback);
  g_assert_true (hearth_dns_addr_parse ("::1", &a));
  g_assert_true (hearth_dns_addr_is_private (&a, &loopback));
  g_assert_true (loopback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/addr/parse", test_parse);
  g_test_add_func ("/dns/addr/in-prefix", test_in_prefix);
  g_test_add_func ("/dns/addr/reverse", test_reverse);
  g_test_add_func ("/dns/addr/private", test_private);
  return g_test_run ();
}
