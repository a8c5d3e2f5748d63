/* Fuzz target for the upstream-server parsers: --server/--local values,
 * bare server addresses and resolv.conf contents (src/dns/dns-server.c).
 *
 * Each input is fed, as a NUL-terminated copy, to every parser; what
 * parses is also added to a routing table and looked up, so the domain
 * normalisation and the wire-form conversion behind the table are
 * exercised too. Crashes, sanitizer reports and leaks are the findings;
 * the parse results themselves are not checked here (the unit tests do
 * that).
 */
#include "config.h"

#include "dns/dns-server.h"

#include "dns/dns-packet.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
route_names (HearthDnsRoutes *routes, const HearthDnsServerSpec *spec)
{
  for (guint i = 0; i < spec->domains->len; i++)
    {
      const char *domain = g_ptr_array_index (spec->domains, i);
      guint8 wire[HEARTH_DNS_NAME_MAX];
      gsize len = 0;
      GPtrArray *servers = NULL;
      g_autofree char *under = NULL;

      /* The domain itself and a name below it, with the '*' dropped. */
      if (*domain == '*')
        domain++;
      under = g_strconcat ("x.", domain, NULL);
      if (hearth_dns_name_from_string (domain, wire, &len))
        hearth_dns_routes_lookup (routes, wire, len, &servers);
      if (hearth_dns_name_from_string (under, wire, &len))
        hearth_dns_routes_lookup (routes, wire, len, &servers);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autoptr (HearthDnsRoutes) routes = NULL;
  g_autoptr (GPtrArray) resolv = NULL;
  guint n_bad = 0;

  /* Config values are lines; nothing longer is worth the time. */
  if (size > 4096)
    return 0;
  text = g_strndup ((const char *) data, size);
  routes = hearth_dns_routes_new ();

  {
    g_autoptr (HearthDnsServer) server = NULL;

    if (hearth_dns_server_parse (text, "fuzz", &server, NULL))
      g_assert_nonnull (server->text);
  }
  {
    g_autoptr (HearthDnsServerSpec) spec = NULL;

    if (hearth_dns_server_spec_parse (text, "fuzz", &spec, NULL))
      {
        hearth_dns_routes_add (routes, spec);
        hearth_dns_routes_add (routes, spec);
        route_names (routes, spec);
      }
  }
  {
    g_autoptr (HearthDnsServerSpec) spec = NULL;
    g_autoptr (GError) error = NULL;

    if (!hearth_dns_server_spec_parse_local (text, "fuzz", &spec, &error))
      g_assert_nonnull (error);
  }

  /* The raw bytes, not the copy: the parser takes a length and must not
   * need a terminator (nor stop at an embedded NUL). */
  resolv = hearth_dns_resolv_parse ((const char *) data, size, "fuzz", &n_bad);
  for (guint i = 0; i < resolv->len; i++)
    {
      g_autoptr (HearthDnsServerSpec) spec = g_new0 (HearthDnsServerSpec, 1);

      spec->domains = g_ptr_array_new ();
      spec->kind = HEARTH_DNS_ROUTE_FORWARD;
      spec->server = hearth_dns_server_ref (g_ptr_array_index (resolv, i));
      hearth_dns_routes_add (routes, spec);
    }
  /* Route the raw input as a wire-form name too (it is rarely one). */
  hearth_dns_routes_lookup (routes, data, MIN (size, (size_t) HEARTH_DNS_NAME_MAX), NULL);
  return 0;
}
