/* Fuzz target for the parsers behind the D-Bus methods that set servers
 * and routes (src/dns/dns-entry.c), which share the configuration's
 * server-string and domain-list parsers: AddServer, AddRoute, dnsmasq's
 * SetServersEx, and a lone domain (FlushCache, Domains).
 *
 * The input is split at newlines into strings; the first byte chooses the
 * call and, for AddServer, the port. Whatever parses is turned into a
 * routing table and every domain it names is looked up and compared
 * against an empty table, as a route change does. Findings are crashes,
 * sanitizer reports and leaks.
 */
#include "config.h"

#include "dns/dns-entry.h"

#include "dns/dns-packet.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
route_lookup (HearthDnsRoutes *routes, HearthDnsRoutes *empty, const char *domain)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len = 0;

  if (*domain == '*' || *domain == '#' || !hearth_dns_name_from_string (domain, wire, &len))
    return;
  (void) hearth_dns_routes_same_decision (routes, empty, wire, len);
}

static void
exercise (GPtrArray *entries)
{
  g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();
  g_autoptr (HearthDnsRoutes) empty = hearth_dns_routes_new ();

  for (guint i = 0; i < entries->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (entries, i);

      if (e->type == HEARTH_DNS_ENTRY_SERVER)
        {
          HearthDnsServerSpec spec = { e->domains, HEARTH_DNS_ROUTE_FORWARD, e->server };

          hearth_dns_routes_add (routes, &spec);
          for (guint j = 0; j < e->domains->len; j++)
            route_lookup (routes, empty, g_ptr_array_index (e->domains, j));
          (void) hearth_dns_entry_equivalent (e, g_ptr_array_index (entries, 0));
        }
      else
        {
          for (guint j = 0; j < e->children->len; j++)
            {
              HearthDnsEntry *c = g_ptr_array_index (e->children, j);
              HearthDnsServerSpec spec = { c->domains, HEARTH_DNS_ROUTE_FORWARD, c->server };

              hearth_dns_routes_add (routes, &spec);
            }
          route_lookup (routes, empty, e->domain);
          (void) hearth_dns_entry_equivalent (e, e);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  guint n;
  guint8 call;

  if (size < 1 || size > 8192)
    return 0;
  call = data[0];
  text = g_strndup ((const char *) data + 1, size - 1);
  parts = g_strsplit (text, "\n", 300);
  n = g_strv_length (parts);
  switch (call % 4)
    {
    case 0: /* AddServer(address, port, interface, domains...) */
      if (n >= 2)
        {
          HearthDnsEntry *e = NULL;

          if (hearth_dns_entry_parse_server (parts[0], (guint) call * 257u, parts[1], (const char *const *) parts + 2,
                                             n - 2, HEARTH_DNS_SOURCE_BUS, ":1.1", &e, NULL))
            g_ptr_array_add (entries, e);
        }
      break;
    case 1: /* AddRoute(domain, action, servers...) */
      if (n >= 2)
        {
          HearthDnsEntry *e = NULL;

          if (hearth_dns_entry_parse_route (parts[0], parts[1], (const char *const *) parts + 2, n - 2,
                                            HEARTH_DNS_SOURCE_BUS, ":1.1", &e, NULL))
            g_ptr_array_add (entries, e);
        }
      break;
    case 2: /* SetServersEx: one inner array per line, fields split at ',' */
      for (guint i = 0; i < n; i++)
        {
          g_auto (GStrv) fields = g_strsplit (parts[i], ",", 300);

          (void) hearth_dns_entries_parse_servers_ex ((const char *const *) fields, g_strv_length (fields),
                                                      HEARTH_DNS_SOURCE_BUS, "dnsmasq-dbus", entries, NULL);
        }
      break;
    case 3: /* lone domains */
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *domain = NULL;

          if (hearth_dns_domain_normalize (parts[i], &domain, NULL))
            {
              g_autoptr (HearthDnsRoutes) routes = hearth_dns_routes_new ();

              route_lookup (routes, routes, domain);
            }
        }
      break;
    }
  exercise (entries);
  return 0;
}
