/* Unit tests for upstream servers, --server/--local values, resolv.conf
 * parsing and the routing table (src/dns/dns-server.c).
 *
 * Everything here is pure parsing and table lookups; no sockets are opened
 * and no query is sent (the behaviour tests do that).
 */
#include "config.h"

#include "dns/dns-server.h"

#include "dns/dns-packet.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

static HearthDnsServer *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDnsServer *server = NULL;

  g_assert_true (hearth_dns_server_parse (text, "config", &server, &error));
  g_assert_no_error (error);
  g_assert_nonnull (server);
  g_assert_cmpuint (server->ref_count, ==, 1);
  g_assert_cmpstr (server->owner, ==, "config");
  return server;
}

static guint16
server_port (const HearthDnsServer *s)
{
  if (s->addr.ss_family == AF_INET)
    return ntohs (((const struct sockaddr_in *) &s->addr)->sin_port);
  return ntohs (((const struct sockaddr_in6 *) &s->addr)->sin6_port);
}

static void
test_parse_ipv4 (void)
{
  g_autoptr (HearthDnsServer) s = parse_ok ("192.0.2.1");
  g_autoptr (HearthDnsServer) p = parse_ok ("192.0.2.1#5353");
  const struct sockaddr_in *sin = (const struct sockaddr_in *) &s->addr;

  g_assert_cmpint (s->addr.ss_family, ==, AF_INET);
  g_assert_cmpuint (s->addr_len, ==, sizeof (struct sockaddr_in));
  g_assert_cmpuint (sin->sin_addr.s_addr, ==, htonl (0xc0000201));
  g_assert_cmpuint (server_port (s), ==, 53);
  g_assert_null (s->interface);
  g_assert_cmpuint (s->source_len, ==, 0);
  g_assert_cmpstr (s->text, ==, "192.0.2.1#53");

  g_assert_cmpuint (server_port (p), ==, 5353);
  g_assert_cmpstr (p->text, ==, "192.0.2.1#5353");
  {
    g_autoptr (HearthDnsServer) max = parse_ok ("192.0.2.1#65535");

    g_assert_cmpuint (server_port (max), ==, 65535);
  }
}

static void
test_parse_ipv6 (void)
{
  g_autoptr (HearthDnsServer) s = parse_ok ("::1");
  g_autoptr (HearthDnsServer) p = parse_ok ("2001:DB8::53#53");
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &s->addr;

  g_assert_cmpint (s->addr.ss_family, ==, AF_INET6);
  g_assert_cmpuint (s->addr_len, ==, sizeof (struct sockaddr_in6));
  g_assert_true (IN6_IS_ADDR_LOOPBACK (&sin6->sin6_addr));
  g_assert_cmpuint (sin6->sin6_scope_id, ==, 0);
  g_assert_cmpuint (server_port (s), ==, 53);
  g_assert_cmpstr (s->text, ==, "::1#53");
  g_assert_cmpstr (p->text, ==, "2001:db8::53#53");
}

static void
test_parse_scope (void)
{
  g_autoptr (HearthDnsServer) lo = parse_ok ("fe80::1%lo");
  g_autoptr (HearthDnsServer) missing = parse_ok ("fe80::1%nosuchif9#5353");
  g_autoptr (HearthDnsServer) numeric = parse_ok ("fe80::1%7");
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &lo->addr;

  g_assert_cmpstr (lo->interface, ==, "lo");
  g_assert_cmpuint (sin6->sin6_scope_id, ==, if_nametoindex ("lo"));
  g_assert_cmpuint (sin6->sin6_scope_id, !=, 0);
  g_assert_cmpstr (lo->text, ==, "fe80::1%lo#53");

  /* An interface that does not exist (yet) is kept by name. */
  sin6 = (const struct sockaddr_in6 *) &missing->addr;
  g_assert_cmpstr (missing->interface, ==, "nosuchif9");
  g_assert_cmpuint (sin6->sin6_scope_id, ==, 0);
  g_assert_cmpuint (server_port (missing), ==, 5353);
  g_assert_cmpstr (missing->text, ==, "fe80::1%nosuchif9#5353");

  sin6 = (const struct sockaddr_in6 *) &numeric->addr;
  g_assert_cmpuint (sin6->sin6_scope_id, ==, 7);

  /* The same interface given both ways is fine. */
  g_autoptr (HearthDnsServer) both = parse_ok ("fe80::1%lo@lo");
  g_assert_cmpstr (both->interface, ==, "lo");
}

static void
test_parse_interface (void)
{
  g_autoptr (HearthDnsServer) s = parse_ok ("10.0.0.1@eth0");
  /* What NetworkManager sends through SetServersEx. */
  g_autoptr (HearthDnsServer) nm = parse_ok ("10.99.0.53@enp0s31f6");
  g_autoptr (HearthDnsServer) v6 = parse_ok ("2001:db8::1#5353@wlan0");

  g_assert_cmpstr (s->interface, ==, "eth0");
  g_assert_cmpuint (s->source_len, ==, 0);
  g_assert_cmpuint (server_port (s), ==, 53);
  g_assert_cmpstr (s->text, ==, "10.0.0.1#53@eth0");
  g_assert_cmpstr (nm->interface, ==, "enp0s31f6");
  g_assert_cmpstr (nm->text, ==, "10.99.0.53#53@enp0s31f6");
  g_assert_cmpstr (v6->interface, ==, "wlan0");
  g_assert_cmpuint (server_port (v6), ==, 5353);
  g_assert_cmpstr (v6->text, ==, "2001:db8::1#5353@wlan0");
}

static void
test_parse_source (void)
{
  g_autoptr (HearthDnsServer) s = parse_ok ("10.0.0.1@192.168.1.2");
  g_autoptr (HearthDnsServer) p = parse_ok ("10.0.0.1#5353@192.168.1.2#1234");
  g_autoptr (HearthDnsServer) both = parse_ok ("10.0.0.1@eth0@192.168.1.2#1234");
  g_autoptr (HearthDnsServer) v6 = parse_ok ("2001:db8::1@2001:db8::2");
  const struct sockaddr_in *src = (const struct sockaddr_in *) &s->source;

  g_assert_null (s->interface);
  g_assert_cmpuint (s->source_len, ==, sizeof (struct sockaddr_in));
  g_assert_cmpint (src->sin_family, ==, AF_INET);
  g_assert_cmpuint (src->sin_addr.s_addr, ==, htonl (0xc0a80102));
  g_assert_cmpuint (src->sin_port, ==, 0);
  g_assert_cmpstr (s->text, ==, "10.0.0.1#53@192.168.1.2");

  src = (const struct sockaddr_in *) &p->source;
  g_assert_cmpuint (ntohs (src->sin_port), ==, 1234);
  g_assert_cmpuint (server_port (p), ==, 5353);
  g_assert_cmpstr (p->text, ==, "10.0.0.1#5353@192.168.1.2#1234");

  g_assert_cmpstr (both->interface, ==, "eth0");
  g_assert_cmpuint (both->source_len, ==, sizeof (struct sockaddr_in));
  g_assert_cmpstr (both->text, ==, "10.0.0.1#53@eth0@192.168.1.2#1234");

  g_assert_cmpuint (v6->source_len, ==, sizeof (struct sockaddr_in6));
  g_assert_cmpstr (v6->text, ==, "2001:db8::1#53@2001:db8::2");
}

static void
test_parse_bad (void)
{
  const char *bad[] = {
    "",
    "#53",
    "@eth0",
    "192.0.2.1#0",
    "192.0.2.1#65536",
    "192.0.2.1#99999999999",
    "192.0.2.1#",
    "192.0.2.1#53x",
    "192.0.2.1#-53",
    "192.0.2.1#+53",
    "192.0.2.1#0x35",
    "192.0.2",
    "256.1.1.1",
    "192.0.2.1.",
    " 192.0.2.1",
    "192.0.2.1 ",
    "example.com",
    "[::1]",
    "[::1]:53",
    "::1::2",
    "192.0.2.1%eth0",
    "fe80::1%",
    "fe80::1%a/b",
    "192.0.2.1@",
    "192.0.2.1@@eth0",
    "192.0.2.1@eth0@eth1",
    "192.0.2.1@10.0.0.1@10.0.0.2",
    "192.0.2.1@eth0@10.0.0.1@10.0.0.2",
    "192.0.2.1@a/b",
    "192.0.2.1@a b",
    "192.0.2.1@averyveryverylonginterfacename",
    "192.0.2.1@eth0#53",
    "192.0.2.1@10.0.0.1#0",
    "192.0.2.1@2001:db8::1", /* source of the other family */
    "2001:db8::1@10.0.0.1",
    "fe80::1%eth0@eth1", /* two different interfaces */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *prefix = g_strdup_printf ("bad server address '%s': ", bad[i]);
      HearthDnsServer *server = (HearthDnsServer *) 0x1;

      g_test_message ("server '%s'", bad[i]);
      g_assert_false (hearth_dns_server_parse (bad[i], "config", &server, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_true (server == (HearthDnsServer *) 0x1); /* untouched */
    }

  {
    g_autoptr (GError) error = NULL;
    HearthDnsServer *server = NULL;

    g_assert_false (hearth_dns_server_parse ("nonsense", "config", &server, &error));
    g_assert_cmpstr (error->message, ==,
                     "bad server address 'nonsense': expected ADDR[#PORT][@SOURCE|@INTERFACE]");
  }
}

static void
test_same_target (void)
{
  g_autoptr (HearthDnsServer) a = parse_ok ("192.0.2.1");
  g_autoptr (HearthDnsServer) a53 = parse_ok ("192.0.2.1#53");
  g_autoptr (HearthDnsServer) a54 = parse_ok ("192.0.2.1#54");
  g_autoptr (HearthDnsServer) b = parse_ok ("192.0.2.2");
  g_autoptr (HearthDnsServer) a_if = parse_ok ("192.0.2.1@eth0");
  g_autoptr (HearthDnsServer) a_src = parse_ok ("192.0.2.1@10.0.0.1");
  g_autoptr (HearthDnsServer) a_src2 = parse_ok ("192.0.2.1@10.0.0.2");
  g_autoptr (HearthDnsServer) v6 = parse_ok ("::1");
  g_autoptr (HearthDnsServer) v6_long = parse_ok ("0:0:0::1");
  g_autoptr (HearthDnsServer) ll_a = parse_ok ("fe80::1%nosuchif1");
  g_autoptr (HearthDnsServer) ll_b = parse_ok ("fe80::1%nosuchif2");

  g_assert_true (hearth_dns_server_same_target (a, a53));
  g_assert_false (hearth_dns_server_same_target (a, a54));
  g_assert_false (hearth_dns_server_same_target (a, b));
  g_assert_false (hearth_dns_server_same_target (a, a_if));
  g_assert_false (hearth_dns_server_same_target (a, a_src));
  g_assert_false (hearth_dns_server_same_target (a_src, a_src2));
  g_assert_false (hearth_dns_server_same_target (a, v6));
  g_assert_true (hearth_dns_server_same_target (v6, v6_long));
  /* Both scope ids are 0 here: the interface names tell them apart. */
  g_assert_false (hearth_dns_server_same_target (ll_a, ll_b));
}

static void
test_ref (void)
{
  HearthDnsServer *s = parse_ok ("192.0.2.1");

  g_assert_true (hearth_dns_server_ref (s) == s);
  g_assert_cmpuint (s->ref_count, ==, 2);
  hearth_dns_server_unref (s);
  g_assert_cmpuint (s->ref_count, ==, 1);
  hearth_dns_server_unref (s);
  hearth_dns_server_unref (NULL);
}

static HearthDnsServerSpec *
spec_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDnsServerSpec *spec = NULL;

  g_assert_true (hearth_dns_server_spec_parse (text, "config", &spec, &error));
  g_assert_no_error (error);
  g_assert_nonnull (spec);
  g_assert_nonnull (spec->domains);
  return spec;
}

/* The domains, each in <>, "" for none: "<>" is the empty domain of "//". */
static char *
spec_domains (const HearthDnsServerSpec *spec)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < spec->domains->len; i++)
    g_string_append_printf (out, "<%s>", (const char *) g_ptr_array_index (spec->domains, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_spec (const char *text, HearthDnsRouteKind kind, const char *domains, const char *server_text)
{
  g_autoptr (HearthDnsServerSpec) spec = spec_ok (text);
  g_autofree char *got = spec_domains (spec);

  g_test_message ("spec '%s'", text);
  g_assert_cmpstr (hearth_dns_route_kind_to_string (spec->kind), ==,
                   hearth_dns_route_kind_to_string (kind));
  g_assert_cmpstr (got, ==, domains);
  if (server_text == NULL)
    g_assert_null (spec->server);
  else
    {
      g_assert_nonnull (spec->server);
      g_assert_cmpstr (spec->server->text, ==, server_text);
      g_assert_cmpstr (spec->server->owner, ==, "config");
    }
}

static void
test_spec_parse (void)
{
  check_spec ("192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "", "192.0.2.1#53");
  check_spec ("192.0.2.1#5353@lo", HEARTH_DNS_ROUTE_FORWARD, "", "192.0.2.1#5353@lo");
  check_spec ("/example.com/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<example.com>", "192.0.2.1#53");
  check_spec ("/a.com/B.Example.COM./192.0.2.1#5353", HEARTH_DNS_ROUTE_FORWARD,
              "<a.com><b.example.com>", "192.0.2.1#5353");
  check_spec ("/a.com/a.com/A.COM/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<a.com>", "192.0.2.1#53");
  /* dnsmasq: "/.google.com/ is equivalent to /google.com/". */
  check_spec ("/.example.com/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<example.com>", "192.0.2.1#53");
  check_spec ("/internal.example/::1#5353", HEARTH_DNS_ROUTE_FORWARD, "<internal.example>",
              "::1#5353");
  check_spec ("/1.168.192.in-addr.arpa/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD,
              "<1.168.192.in-addr.arpa>", "192.0.2.1#53");
  check_spec ("/_tcp.example/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<_tcp.example>",
              "192.0.2.1#53");
  check_spec ("/example.com/#", HEARTH_DNS_ROUTE_DEFAULT, "<example.com>", NULL);
  check_spec ("/example.com/", HEARTH_DNS_ROUTE_LOCAL, "<example.com>", NULL);
  check_spec ("/lan/home.arpa/", HEARTH_DNS_ROUTE_LOCAL, "<lan><home.arpa>", NULL);
  check_spec ("//192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<>", "192.0.2.1#53");
  check_spec ("//", HEARTH_DNS_ROUTE_LOCAL, "<>", NULL);
  check_spec ("/lan//192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<lan><>", "192.0.2.1#53");
  check_spec ("/*.example.com/192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<*.example.com>",
              "192.0.2.1#53");
  check_spec ("/*Example.com./192.0.2.1", HEARTH_DNS_ROUTE_FORWARD, "<*example.com>",
              "192.0.2.1#53");
  check_spec ("/*/", HEARTH_DNS_ROUTE_LOCAL, "<*>", NULL);
}

static void
test_spec_local (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDnsServerSpec) spec = NULL;
  g_autoptr (HearthDnsServerSpec) spec2 = NULL;

  g_assert_true (hearth_dns_server_spec_parse_local ("/lan/Home.Arpa/", "config", &spec, &error));
  g_assert_no_error (error);
  g_assert_cmpint (spec->kind, ==, HEARTH_DNS_ROUTE_LOCAL);
  g_assert_cmpuint (spec->domains->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (spec->domains, 1), ==, "home.arpa");
  g_assert_null (spec->server);

  /* --local is dnsmasq's synonym for --server. */
  g_assert_true (hearth_dns_server_spec_parse_local ("/lan/192.0.2.1", "config", &spec2, &error));
  g_assert_cmpint (spec2->kind, ==, HEARTH_DNS_ROUTE_FORWARD);

  g_assert_false (hearth_dns_server_spec_parse_local ("/lan", "config", &spec2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "bad local value '/lan': no domain terminator (expected /DOMAIN/[ADDR])");
}

static void
test_spec_bad (void)
{
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *long_label = g_strdup_printf ("/%s.example/192.0.2.1", label64);
  g_autofree char *label63 = g_strnfill (63, 'b');
  g_autofree char *long_name =
      g_strdup_printf ("/%s.%s.%s.%s/", label63, label63, label63, label63);
  struct
  {
    const char *text;
    const char *message_part;
  } bad[] = {
    { "", "bad server address ''" },
    { "/example.com", "no domain terminator" },
    { "/", "no domain terminator" },
    { "/example.com/192.0.2.1#0", "bad server address '192.0.2.1#0'" },
    { "/example.com/bogus", "bad server address 'bogus'" },
    { "/example.com/#53", "bad server address '#53'" },
    { "/example.com/##", "bad server address '##'" },
    { "/exa*mple.com/192.0.2.1", "'*' is only allowed at the start" },
    { "/**/", "'*' is only allowed at the start" },
    { "/*.*.example/", "'*' is only allowed at the start" },
    { "/*./", NULL },
    { "/*../", "empty label" },
    { "/a..b/192.0.2.1", "empty label" },
    { "/./192.0.2.1", "root" },
    { "/../", NULL },
    { "/exa mple/192.0.2.1", "only letters" },
    { "/exa%mple/", "only letters" },
    { "/ex\\.ample/", "only letters" },
    { long_label, "label longer than 63" },
    { long_name, "longer than 253" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      HearthDnsServerSpec *spec = (HearthDnsServerSpec *) 0x1;

      g_test_message ("spec '%s'", bad[i].text);
      if (bad[i].message_part == NULL)
        {
          /* "*." is "*" with the trailing dot dropped: accepted. */
          g_autoptr (HearthDnsServerSpec) ok = NULL;

          if (strcmp (bad[i].text, "/*./") == 0)
            {
              g_assert_true (hearth_dns_server_spec_parse (bad[i].text, "config", &ok, &error));
              continue;
            }
          g_assert_false (hearth_dns_server_spec_parse (bad[i].text, "config", &spec, &error));
          continue;
        }
      g_assert_false (hearth_dns_server_spec_parse (bad[i].text, "config", &spec, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "bad server "));
      g_assert_nonnull (strstr (error->message, bad[i].message_part));
      g_assert_true (spec == (HearthDnsServerSpec *) 0x1);
    }

  /* 253 characters is still fine. */
  {
    g_autofree char *label61 = g_strnfill (61, 'c');
    g_autofree char *max_name =
        g_strdup_printf ("/%s.%s.%s.%s/", label63, label63, label63, label61);
    g_autoptr (HearthDnsServerSpec) spec = spec_ok (max_name);

    g_assert_cmpuint (strlen (g_ptr_array_index (spec->domains, 0)), ==, 253);
  }
}

static GPtrArray *
resolv_parse (const char *text, guint *n_bad)
{
  return hearth_dns_resolv_parse (text, strlen (text), "resolv:/etc/resolv.conf", n_bad);
}

static void
test_resolv (void)
{
  const char *conf = "# generated by something\n"
                     "; also a comment\n"
                     "\n"
                     "search example.com lan\n"
                     "nameserver 192.0.2.1\n"
                     "  nameserver\t2001:db8::53   # trailing words are ignored\n"
                     "options ndots:2 edns0\n"
                     "nameserver 192.0.2.2\r\n"
                     "#nameserver 192.0.2.66\n"
                     ";nameserver 192.0.2.67\n"
                     "nameservers 192.0.2.68\n"
                     "Nameserver 192.0.2.69\n"
                     "nameserver bogus\n"
                     "nameserver 192.0.2.3#5353\n"
                     "nameserver\n"
                     "nameserver 192.0.2.4@eth0\n"
                     "nameserver fe80::1%lo\n"
                     "domain example.com\n"
                     "nameserver 192.0.2.1\n"
                     "nameserver 192.0.2.5";
  const char *expect[] = {
    "192.0.2.1#53",  "2001:db8::53#53", "192.0.2.2#53",
    "fe80::1%lo#53", "192.0.2.1#53",    "192.0.2.5#53",
  };
  guint n_bad = 99;
  g_autoptr (GPtrArray) servers = resolv_parse (conf, &n_bad);

  g_assert_cmpuint (n_bad, ==, 4);
  g_assert_cmpuint (servers->len, ==, G_N_ELEMENTS (expect));
  for (guint i = 0; i < servers->len; i++)
    {
      HearthDnsServer *s = g_ptr_array_index (servers, i);

      g_assert_cmpstr (s->text, ==, expect[i]);
      g_assert_cmpuint (server_port (s), ==, 53);
      g_assert_cmpstr (s->owner, ==, "resolv:/etc/resolv.conf");
      g_assert_cmpuint (s->ref_count, ==, 1);
      g_assert_cmpuint (s->source_len, ==, 0);
    }
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (servers, 3))->interface, ==, "lo");
  g_assert_null (((HearthDnsServer *) g_ptr_array_index (servers, 0))->interface);
}

static void
test_resolv_bounds (void)
{
  const char text[] = "nameserver 192.0.2.1\nnameserver 192.0.2.99";
  const char with_nul[] = "nameserver 192.0.2.1\0junk\nnameserver 192.0.2.2\n";
  g_autoptr (GPtrArray) empty = hearth_dns_resolv_parse (NULL, 0, "x", NULL);
  g_autoptr (GPtrArray) cut = NULL;
  g_autoptr (GPtrArray) nul = NULL;
  guint n_bad = 99;

  g_assert_cmpuint (empty->len, ==, 0);
  /* Only len bytes are read: the second address ends early. */
  cut = hearth_dns_resolv_parse (text, sizeof text - 2, "x", &n_bad);
  g_assert_cmpuint (n_bad, ==, 0);
  g_assert_cmpuint (cut->len, ==, 2);
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (cut, 1))->text, ==, "192.0.2.9#53");
  /* A NUL byte cuts its line only. */
  nul = hearth_dns_resolv_parse (with_nul, sizeof with_nul - 1, "x", &n_bad);
  g_assert_cmpuint (nul->len, ==, 2);
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (nul, 1))->text, ==, "192.0.2.2#53");
}

/* ---- routes ---- */

static void
add_spec (HearthDnsRoutes *routes, const char *text)
{
  g_autoptr (HearthDnsServerSpec) spec = spec_ok (text);

  hearth_dns_routes_add (routes, spec);
}

/* Looks name up; returns "kind:server,server". */
static char *
route (HearthDnsRoutes *routes, const char *name)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len = 0;
  GPtrArray *servers = NULL;
  HearthDnsRouteKind kind;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_true (hearth_dns_name_from_string (name, wire, &len));
  kind = hearth_dns_routes_lookup (routes, wire, len, &servers);
  g_assert_nonnull (servers);
  g_string_append_printf (out, "%s:", hearth_dns_route_kind_to_string (kind));
  for (guint i = 0; i < servers->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                            ((HearthDnsServer *) g_ptr_array_index (servers, i))->text);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_route(routes, name, expected)                                                       \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autofree char *got_ = route ((routes), (name));                                              \
    g_assert_cmpstr (got_, ==, (expected));                                                        \
  }                                                                                                \
  G_STMT_END

static void
add_defaults (HearthDnsRoutes *routes)
{
  g_autoptr (GPtrArray) resolv =
      resolv_parse ("nameserver 192.0.2.53\nnameserver 192.0.2.54\n", NULL);

  for (guint i = 0; i < resolv->len; i++)
    {
      g_autoptr (HearthDnsServerSpec) spec = g_new0 (HearthDnsServerSpec, 1);

      spec->domains = g_ptr_array_new_with_free_func (g_free);
      spec->kind = HEARTH_DNS_ROUTE_FORWARD;
      spec->server = hearth_dns_server_ref (g_ptr_array_index (resolv, i));
      hearth_dns_routes_add (routes, spec);
    }
}

#define DEFAULTS "forward:192.0.2.53#53,192.0.2.54#53"

static void
test_routes_defaults (void)
{
  g_autoptr (HearthDnsRoutes) empty = hearth_dns_routes_new ();
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  assert_route (empty, "example.com", "forward:");
  assert_route (empty, "host", "forward:");
  assert_route (empty, ".", "forward:");
  g_assert_cmpuint (hearth_dns_routes_get_servers (empty)->len, ==, 0);

  add_defaults (routes);
  assert_route (routes, "example.com", DEFAULTS);
  assert_route (routes, "host", DEFAULTS);
  assert_route (routes, ".", DEFAULTS);
  /* out_servers may be NULL. */
  g_assert_cmpint (hearth_dns_routes_lookup (routes, (const guint8 *) "\0", 1, NULL), ==,
                   HEARTH_DNS_ROUTE_FORWARD);
}

static void
test_routes_longest_suffix (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_defaults (routes);
  /* The man page's example. */
  add_spec (routes, "/google.com/192.0.2.1");
  add_spec (routes, "/www.google.com/192.0.2.2");
  add_spec (routes, "/com/192.0.2.3");
  assert_route (routes, "google.com", "forward:192.0.2.1#53");
  assert_route (routes, "gmail.google.com", "forward:192.0.2.1#53");
  assert_route (routes, "www.google.com", "forward:192.0.2.2#53");
  assert_route (routes, "a.b.www.google.com", "forward:192.0.2.2#53");
  assert_route (routes, "supergoogle.com", "forward:192.0.2.3#53");
  assert_route (routes, "com", "forward:192.0.2.3#53");
  assert_route (routes, "google.org", DEFAULTS);
  assert_route (routes, "www.google.com.evil", DEFAULTS);
  assert_route (routes, "ww.google.com", "forward:192.0.2.1#53");
  assert_route (routes, ".", DEFAULTS);
}

static void
test_routes_exact (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_defaults (routes);
  add_spec (routes, "/corp.example/192.0.2.7");
  assert_route (routes, "corp.example", "forward:192.0.2.7#53");
  assert_route (routes, "x.corp.example", "forward:192.0.2.7#53");
  assert_route (routes, "example", DEFAULTS);
  assert_route (routes, "xcorp.example", DEFAULTS);
  assert_route (routes, "corp.example.org", DEFAULTS);
}

static void
test_routes_hash_override (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_defaults (routes);
  add_spec (routes, "/google.com/192.0.2.1");
  add_spec (routes, "/www.google.com/#");
  assert_route (routes, "google.com", "forward:192.0.2.1#53");
  assert_route (routes, "mail.google.com", "forward:192.0.2.1#53");
  assert_route (routes, "www.google.com", DEFAULTS);
  assert_route (routes, "img.www.google.com", DEFAULTS);
}

static void
test_routes_local (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_defaults (routes);
  add_spec (routes, "/lan/");
  add_spec (routes, "/fwd.lan/192.0.2.9");
  assert_route (routes, "lan", "local:");
  assert_route (routes, "printer.lan", "local:");
  assert_route (routes, "fwd.lan", "forward:192.0.2.9#53");
  assert_route (routes, "x.fwd.lan", "forward:192.0.2.9#53");
  assert_route (routes, "lan.example", DEFAULTS);

  /* One domain named by several kinds of spec: "#" over servers over
   * local-only, whatever the order (dnsmasq's precedence). */
  add_spec (routes, "/lan/192.0.2.10");
  assert_route (routes, "printer.lan", "forward:192.0.2.10#53");
  add_spec (routes, "/lan/");
  assert_route (routes, "printer.lan", "forward:192.0.2.10#53");
  add_spec (routes, "/lan/#");
  assert_route (routes, "printer.lan", DEFAULTS);
  add_spec (routes, "/lan/192.0.2.11");
  assert_route (routes, "printer.lan", DEFAULTS);
  assert_route (routes, "fwd.lan", "forward:192.0.2.9#53");
}

static void
test_routes_unqualified (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();
  g_autoptr (HearthDnsRoutes) local = hearth_dns_routes_new ();

  add_defaults (routes);
  add_spec (routes, "//192.0.2.20");
  assert_route (routes, "host", "forward:192.0.2.20#53");
  assert_route (routes, "HOST", "forward:192.0.2.20#53");
  assert_route (routes, "host.lan", DEFAULTS);
  assert_route (routes, ".", DEFAULTS);
  /* A domain route naming the single label wins over "//". */
  add_spec (routes, "/router/192.0.2.21");
  assert_route (routes, "router", "forward:192.0.2.21#53");
  assert_route (routes, "other", "forward:192.0.2.20#53");
  /* A bare "*" does not count as naming it. */
  add_spec (routes, "/*/192.0.2.22");
  assert_route (routes, "other", "forward:192.0.2.20#53");
  assert_route (routes, "other.lan", "forward:192.0.2.22#53");

  /* libvirt's "local=//" with domain-needed: plain names never leave. */
  add_defaults (local);
  add_spec (local, "//");
  assert_route (local, "host", "local:");
  assert_route (local, "host.example", DEFAULTS);
}

static void
test_routes_case (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();
  guint8 wire[] = "\3WwW\7ExAmPlE\3CoM";
  guint8 copy[sizeof wire];
  GPtrArray *servers = NULL;

  add_defaults (routes);
  add_spec (routes, "/Example.COM/192.0.2.30");
  assert_route (routes, "www.example.com", "forward:192.0.2.30#53");
  assert_route (routes, "WWW.EXAMPLE.COM", "forward:192.0.2.30#53");
  memcpy (copy, wire, sizeof wire);
  g_assert_cmpint (hearth_dns_routes_lookup (routes, wire, sizeof wire, &servers), ==,
                   HEARTH_DNS_ROUTE_FORWARD);
  g_assert_cmpuint (servers->len, ==, 1);
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (servers, 0))->text, ==, "192.0.2.30#53");
  /* The caller's name is not lower-cased in place. */
  g_assert_cmpmem (wire, sizeof wire, copy, sizeof copy);
}

static void
test_routes_duplicates (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();
  GPtrArray *all;
  GPtrArray *a = NULL, *b = NULL;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;

  add_defaults (routes);
  add_defaults (routes); /* resolv.conf read twice */
  add_spec (routes, "192.0.2.53#53");
  add_spec (routes, "/a.test/192.0.2.1");
  add_spec (routes, "/a.test/192.0.2.1#53");
  add_spec (routes, "/a.test/A.TEST/192.0.2.1");
  add_spec (routes, "/b.test/192.0.2.1");
  add_spec (routes, "/b.test/192.0.2.1@lo");
  assert_route (routes, "example.com", DEFAULTS);
  assert_route (routes, "x.a.test", "forward:192.0.2.1#53");
  assert_route (routes, "x.b.test", "forward:192.0.2.1#53,192.0.2.1#53@lo");

  /* One object per target, shared by every route that uses it. */
  g_assert_true (hearth_dns_name_from_string ("a.test", wire, &len));
  hearth_dns_routes_lookup (routes, wire, len, &a);
  g_assert_true (hearth_dns_name_from_string ("b.test", wire, &len));
  hearth_dns_routes_lookup (routes, wire, len, &b);
  g_assert_true (g_ptr_array_index (a, 0) == g_ptr_array_index (b, 0));

  all = hearth_dns_routes_get_servers (routes);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (all, 0))->text, ==, "192.0.2.53#53");
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (all, 1))->text, ==, "192.0.2.54#53");
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (all, 2))->text, ==, "192.0.2.1#53");
  g_assert_cmpstr (((HearthDnsServer *) g_ptr_array_index (all, 3))->text, ==, "192.0.2.1#53@lo");
}

static void
test_routes_order (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_spec (routes, "192.0.2.103");
  add_spec (routes, "192.0.2.101");
  add_spec (routes, "/o.test/192.0.2.3");
  add_spec (routes, "/o.test/192.0.2.1");
  add_spec (routes, "/o.test/192.0.2.2");
  add_spec (routes, "192.0.2.102");
  add_spec (routes, "/o.test/192.0.2.1");
  assert_route (routes, "o.test", "forward:192.0.2.3#53,192.0.2.1#53,192.0.2.2#53");
  assert_route (routes, "other.test", "forward:192.0.2.103#53,192.0.2.101#53,192.0.2.102#53");
}

static void
test_routes_wildcard (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

  add_defaults (routes);
  /* The man page's example: the exact form has priority. */
  add_spec (routes, "/google.com/192.0.2.1");
  add_spec (routes, "/*google.com/192.0.2.2");
  assert_route (routes, "google.com", "forward:192.0.2.1#53");
  assert_route (routes, "www.google.com", "forward:192.0.2.1#53");
  assert_route (routes, "supergoogle.com", "forward:192.0.2.2#53");
  assert_route (routes, "www.supergoogle.com", "forward:192.0.2.2#53");
  assert_route (routes, "oogle.com", DEFAULTS);

  /* "*.dom": below dom, not dom itself. */
  add_spec (routes, "/*.example.org/192.0.2.3");
  assert_route (routes, "example.org", DEFAULTS);
  assert_route (routes, "a.example.org", "forward:192.0.2.3#53");
  assert_route (routes, "A.B.Example.ORG", "forward:192.0.2.3#53");
  assert_route (routes, "aexample.org", DEFAULTS);

  /* A longer exact route beats a shorter wildcard, and the other way. */
  add_spec (routes, "/mail.supergoogle.com/192.0.2.4");
  assert_route (routes, "x.mail.supergoogle.com", "forward:192.0.2.4#53");
  add_spec (routes, "/org/192.0.2.5");
  assert_route (routes, "a.example.org", "forward:192.0.2.3#53");
  assert_route (routes, "example.org", "forward:192.0.2.5#53");

  /* Wildcard routes take "#" and local-only too. */
  add_spec (routes, "/*.local.test/");
  assert_route (routes, "x.local.test", "local:");
  add_spec (routes, "/*.local.test/#");
  assert_route (routes, "x.local.test", DEFAULTS);

  /* "*" matches what nothing else does. */
  add_spec (routes, "/*/192.0.2.6");
  assert_route (routes, "unrouted.net", "forward:192.0.2.6#53");
  assert_route (routes, ".", "forward:192.0.2.6#53");
  assert_route (routes, "google.com", "forward:192.0.2.1#53");
}

static void
test_routes_malformed_name (void)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();
  const guint8 overrun[] = { 3, 'c', 'o', 'm', 9, 'x' };
  const guint8 no_root[] = { 3, 'c', 'o', 'm' };
  const guint8 long_label[] = { 64, 'a', 0 };
  const guint8 trailing[] = { 3, 'c', 'o', 'm', 0, 3 };
  guint8 huge[300];
  struct
  {
    const guint8 *name;
    gsize len;
  } names[] = {
    { overrun, sizeof overrun },
    { no_root, sizeof no_root },
    { long_label, sizeof long_label },
    { trailing, sizeof trailing },
    { huge, sizeof huge },
    { huge, HEARTH_DNS_NAME_MAX },
    { huge, 0 },
  };
  GPtrArray *defaults = NULL;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len = 0;

  memset (huge, 1, sizeof huge);
  add_defaults (routes);
  add_spec (routes, "/com/192.0.2.1");
  add_spec (routes, "/*m/192.0.2.2");
  add_spec (routes, "/*/192.0.2.4");
  add_spec (routes, "//192.0.2.3");
  g_assert_true (hearth_dns_name_from_string ("unrouted", wire, &len));
  add_spec (routes, "/unrouted/#");
  hearth_dns_routes_lookup (routes, wire, len, &defaults);
  g_assert_cmpuint (defaults->len, ==, 2);

  /* Nothing read out of bounds (the sanitizer build checks), and no route
   * made up from what does not parse as a name: those get the defaults. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GPtrArray *servers = NULL;

      g_test_message ("name %u", i);
      g_assert_cmpint (hearth_dns_routes_lookup (routes, names[i].name, names[i].len, &servers), ==,
                       HEARTH_DNS_ROUTE_FORWARD);
      g_assert_true (servers == defaults);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/server/parse/ipv4", test_parse_ipv4);
  g_test_add_func ("/dns/server/parse/ipv6", test_parse_ipv6);
  g_test_add_func ("/dns/server/parse/scope", test_parse_scope);
  g_test_add_func ("/dns/server/parse/interface", test_parse_interface);
  g_test_add_func ("/dns/server/parse/source", test_parse_source);
  g_test_add_func ("/dns/server/parse/bad", test_parse_bad);
  g_test_add_func ("/dns/server/same-target", test_same_target);
  g_test_add_func ("/dns/server/ref", test_ref);
  g_test_add_func ("/dns/server/spec/parse", test_spec_parse);
  g_test_add_func ("/dns/server/spec/local", test_spec_local);
  g_test_add_func ("/dns/server/spec/bad", test_spec_bad);
  g_test_add_func ("/dns/server/resolv/parse", test_resolv);
  g_test_add_func ("/dns/server/resolv/bounds", test_resolv_bounds);
  g_test_add_func ("/dns/server/routes/defaults", test_routes_defaults);
  g_test_add_func ("/dns/server/routes/longest-suffix", test_routes_longest_suffix);
  g_test_add_func ("/dns/server/routes/exact", test_routes_exact);
  g_test_add_func ("/dns/server/routes/hash-override", test_routes_hash_override);
  g_test_add_func ("/dns/server/routes/local", test_routes_local);
  g_test_add_func ("/dns/server/routes/unqualified", test_routes_unqualified);
  g_test_add_func ("/dns/server/routes/case", test_routes_case);
  g_test_add_func ("/dns/server/routes/duplicates", test_routes_duplicates);
  g_test_add_func ("/dns/server/routes/order", test_routes_order);
  g_test_add_func ("/dns/server/routes/wildcard", test_routes_wildcard);
  g_test_add_func ("/dns/server/routes/malformed-name", test_routes_malformed_name);
  return g_test_run ();
}
