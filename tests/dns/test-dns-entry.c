/* Unit tests of the runtime DNS entries and the parsers of their D-Bus
 * arguments (dns-entry.c): what each call shape accepts, the exact error
 * for what it refuses, and the equivalence SetServers uses to keep
 * objects. */
#include "config.h"

#include "dns/dns-entry.h"

#include <string.h>

static HearthDnsEntry *
server_ok (const char *address, guint port, const char *iface, const char *const *domains)
{
  HearthDnsEntry *entry = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (hearth_dns_entry_parse_server (address, port, iface, domains,
                                                domains != NULL ? g_strv_length ((char **) domains) : 0,
                                                HEARTH_DNS_SOURCE_BUS, ":1.5", &entry, &error));
  g_assert_no_error (error);
  return entry;
}

static void
server_bad (const char *address, guint port, const char *iface, const char *const *domains, const char *message_part)
{
  HearthDnsEntry *entry = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (hearth_dns_entry_parse_server (address, port, iface, domains,
                                                 domains != NULL ? g_strv_length ((char **) domains) : 0,
                                                 HEARTH_DNS_SOURCE_BUS, ":1.5", &entry, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (entry);
  if (strstr (error->message, message_part) == NULL)
    g_error ("'%s' does not contain '%s'", error->message, message_part);
}

static void
test_server (void)
{
  const char *const domains[] = { "Corp.Example.", ".lan", "corp.example", "*.wild", "", NULL };
  g_autoptr (HearthDnsEntry) e = server_ok ("192.0.2.1", 5353, "", domains);
  g_autoptr (HearthDnsEntry) v6 = server_ok ("fe80::1%lo", 0, "", NULL);
  g_autoptr (HearthDnsEntry) plain = server_ok ("192.0.2.1", 0, "lo", NULL);

  g_assert_cmpint (e->type, ==, HEARTH_DNS_ENTRY_SERVER);
  g_assert_cmpstr (e->owner, ==, ":1.5");
  g_assert_cmpstr (e->server->text, ==, "192.0.2.1#5353");
  /* Normalised as --server does, duplicates dropped. */
  g_assert_cmpuint (e->domains->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (e->domains, 0), ==, "corp.example");
  g_assert_cmpstr (g_ptr_array_index (e->domains, 1), ==, "lan");
  g_assert_cmpstr (g_ptr_array_index (e->domains, 2), ==, "*.wild");
  g_assert_cmpstr (g_ptr_array_index (e->domains, 3), ==, "");
  g_assert_cmpstr (v6->server->interface, ==, "lo");
  g_assert_cmpstr (plain->server->interface, ==, "lo");
  g_assert_cmpuint (plain->domains->len, ==, 0);
}

static void
test_server_bad (void)
{
  const char *const bad_domain[] = { "bad domain!", NULL };
  const char *const empty_label[] = { "a..b", NULL };
  g_autofree char *huge = g_strnfill (HEARTH_DNS_ENTRY_ARG_MAX + 1, 'a');
  const char *const huge_domain[] = { huge, NULL };
  g_autofree const char **many = g_new0 (const char *, HEARTH_DNS_ENTRY_LIST_MAX + 2);

  for (guint i = 0; i <= HEARTH_DNS_ENTRY_LIST_MAX; i++)
    many[i] = "example.com";
  server_bad ("1.2.3", 0, "", NULL, "bad server address '1.2.3'");
  server_bad ("", 0, "", NULL, "bad server address ''");
  server_bad ("192.0.2.1#53", 0, "", NULL, "the port and interface are separate");
  server_bad ("192.0.2.1@eth0", 0, "", NULL, "the port and interface are separate");
  server_bad ("192.0.2.1", 70000, "", NULL, "bad port 70000");
  server_bad ("192.0.2.1", 0, "bad/if", NULL, "bad interface name");
  server_bad ("192.0.2.1", 0, "", bad_domain, "bad domain 'bad domain!'");
  server_bad ("192.0.2.1", 0, "", empty_label, "empty label");
  server_bad ("192.0.2.1", 0, "", huge_domain, "longer than");
  server_bad (huge, 0, "", NULL, "longer than");
  server_bad ("192.0.2.1", 0, "", many, "more than 256 domains");
}

static void
test_route (void)
{
  const char *const servers[] = { "192.0.2.1", "192.0.2.2#5353@lo", NULL };
  g_autoptr (HearthDnsEntry) fwd = NULL;
  g_autoptr (HearthDnsEntry) local = NULL;
  g_autoptr (GError) error = NULL;
  HearthDnsEntry *child;

  g_assert_true (hearth_dns_entry_parse_route ("VPN.example", "forward", servers, 2, HEARTH_DNS_SOURCE_BUS, ":1.9",
                                               &fwd, &error));
  g_assert_cmpstr (fwd->domain, ==, "vpn.example");
  g_assert_cmpint (fwd->action, ==, HEARTH_DNS_ACTION_FORWARD);
  g_assert_cmpuint (fwd->children->len, ==, 2);
  child = g_ptr_array_index (fwd->children, 1);
  g_assert_true (child->parent == fwd);
  g_assert_cmpstr (child->server->text, ==, "192.0.2.2#5353@lo");
  g_assert_cmpstr (g_ptr_array_index (child->domains, 0), ==, "vpn.example");
  g_assert_true (hearth_dns_entry_parse_route ("lan", "local", NULL, 0, HEARTH_DNS_SOURCE_BUS, ":1.9", &local, &error));
  g_assert_cmpint (local->action, ==, HEARTH_DNS_ACTION_LOCAL);
}

static void
route_bad (const char *domain, const char *action, const char *const *servers, const char *message_part)
{
  g_autoptr (HearthDnsEntry) e = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (hearth_dns_entry_parse_route (domain, action, servers,
                                                servers != NULL ? g_strv_length ((char **) servers) : 0,
                                                HEARTH_DNS_SOURCE_BUS, ":1.9", &e, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, message_part) == NULL)
    g_error ("'%s' does not contain '%s'", error->message, message_part);
}

static void
test_route_bad (void)
{
  const char *const one[] = { "192.0.2.1", NULL };
  const char *const bad[] = { "192.0.2.1", "nonsense", NULL };

  route_bad ("x.example", "teleport", NULL, "bad action 'teleport'");
  route_bad ("x.example", "address", NULL, "bad action 'address'");
  route_bad ("x.example", "forward", NULL, "needs servers");
  route_bad ("x.example", "local", one, "takes no servers");
  route_bad ("x.example", "forward", bad, "bad server address 'nonsense'");
  route_bad ("x..example", "block", NULL, "empty label");
}

static void
test_servers_ex (void)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  const char *const fwd[] = { "192.0.2.1#5353", "corp.example", "lab.example" };
  const char *const local[] = { "0.0.0.0", "home.lan", "iot.lan" };
  const char *const any_alone[] = { "0.0.0.0" };
  const char *const bad[] = { "192.0.2.1", "corp.example", "bad domain" };
  const char *const empty[] = { "" };
  g_autoptr (GError) error = NULL;
  HearthDnsEntry *e;

  g_assert_true (hearth_dns_entries_parse_servers_ex (fwd, 3, HEARTH_DNS_SOURCE_BUS, "dnsmasq-dbus", out, &error));
  g_assert_true (hearth_dns_entries_parse_servers_ex (local, 3, HEARTH_DNS_SOURCE_BUS, "dnsmasq-dbus", out, &error));
  g_assert_cmpuint (out->len, ==, 3);
  e = g_ptr_array_index (out, 0);
  g_assert_cmpint (e->type, ==, HEARTH_DNS_ENTRY_SERVER);
  g_assert_cmpuint (e->domains->len, ==, 2);
  e = g_ptr_array_index (out, 2);
  g_assert_cmpint (e->type, ==, HEARTH_DNS_ENTRY_ROUTE);
  g_assert_cmpint (e->action, ==, HEARTH_DNS_ACTION_LOCAL);
  g_assert_cmpstr (e->domain, ==, "iot.lan");

  /* A failure appends nothing. */
  g_assert_false (hearth_dns_entries_parse_servers_ex (bad, 3, HEARTH_DNS_SOURCE_BUS, "x", out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hearth_dns_entries_parse_servers_ex (any_alone, 1, HEARTH_DNS_SOURCE_BUS, "x", out, &error));
  g_clear_error (&error);
  g_assert_false (hearth_dns_entries_parse_servers_ex (empty, 1, HEARTH_DNS_SOURCE_BUS, "x", out, &error));
  g_assert_cmpstr (error->message, ==, "Empty IP address");
  g_clear_error (&error);
  g_assert_false (hearth_dns_entries_parse_servers_ex (bad + 3, 0, HEARTH_DNS_SOURCE_BUS, "x", out, &error));
  g_assert_cmpstr (error->message, ==, "Expected IP address");
  g_clear_error (&error);
  g_assert_false (hearth_dns_entries_parse_servers_ex (NULL, 0, HEARTH_DNS_SOURCE_BUS, "x", out, &error));
  g_assert_cmpuint (out->len, ==, 3);
}

static void
test_equivalent (void)
{
  const char *const d1[] = { "a.example", NULL };
  const char *const d2[] = { "b.example", NULL };
  g_autoptr (HearthDnsEntry) a = server_ok ("192.0.2.1", 0, "", d1);
  g_autoptr (HearthDnsEntry) same = server_ok ("192.0.2.1", 53, "", d1);
  g_autoptr (HearthDnsEntry) other_domain = server_ok ("192.0.2.1", 0, "", d2);
  g_autoptr (HearthDnsEntry) other_port = server_ok ("192.0.2.1", 54, "", d1);

  g_assert_true (hearth_dns_entry_equivalent (a, same));
  g_assert_false (hearth_dns_entry_equivalent (a, other_domain));
  g_assert_false (hearth_dns_entry_equivalent (a, other_port));
}

static void
test_actions (void)
{
  HearthDnsAction a;

  for (HearthDnsAction i = HEARTH_DNS_ACTION_FORWARD; i <= HEARTH_DNS_ACTION_DEFAULT; i++)
    {
      g_assert_true (hearth_dns_action_from_string (hearth_dns_action_to_string (i), &a));
      g_assert_cmpint (a, ==, i);
    }
  g_assert_false (hearth_dns_action_from_string ("Forward", &a));
  g_assert_false (hearth_dns_action_from_string (NULL, &a));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/entry/server", test_server);
  g_test_add_func ("/dns/entry/server-bad", test_server_bad);
  g_test_add_func ("/dns/entry/route", test_route);
  g_test_add_func ("/dns/entry/route-bad", test_route_bad);
  g_test_add_func ("/dns/entry/servers-ex", test_servers_ex);
  g_test_add_func ("/dns/entry/equivalent", test_equivalent);
  g_test_add_func ("/dns/entry/actions", test_actions);
  return g_test_run ();
}
