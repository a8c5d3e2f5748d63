/* The DNS subsystem's option values (see dns-config.h).
 *
 * One small handler per option, found through a table by long name; each
 * turns the item's text into typed values with the shared value helpers and
 * reports errors with the item's file, line and option. Range limits follow
 * dnsmasq's where it has them.
 */
#include "config.h"

#include "dns/dns-config.h"
#include "dns/dns-packet.h"

#include <glib/gi18n-lib.h>
#include <string.h>

HearthDnsConfig *
hearth_dns_config_new (void)
{
  HearthDnsConfig *c = g_new0 (HearthDnsConfig, 1);

  c->port = 53;
  c->listen_addresses = g_ptr_array_new_with_free_func (g_free);
  c->interfaces = g_ptr_array_new_with_free_func (g_free);
  c->except_interfaces = g_ptr_array_new_with_free_func (g_free);
  c->server_specs = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_spec_free);
  c->resolv_files = g_ptr_array_new_with_free_func (g_free);
  c->dns_forward_max = 150;
  c->min_port = 1024;
  c->max_port = 65535;
  c->cache_size = 150;
  c->edns_packet_max = 1232;
  return c;
}

void
hearth_dns_config_free (HearthDnsConfig *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->listen_addresses);
  g_ptr_array_unref (c->interfaces);
  g_ptr_array_unref (c->except_interfaces);
  g_ptr_array_unref (c->server_specs);
  g_ptr_array_unref (c->resolv_files);
  g_free (c);
}

typedef gboolean (*Handler) (HearthDnsConfig *c, const HearthConfigItem *item, GError **error);

static gboolean
parse_uint (const HearthConfigItem *item, guint min, guint max, guint *out, GError **error)
{
  if (item->value == NULL)
    {
      hearth_config_item_set_error (item, error, _("needs a number"));
      return FALSE;
    }
  if (!hearth_config_value_parse_uint (item->value, min, max, out, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_u16 (const HearthConfigItem *item, guint min, guint max, guint16 *out, GError **error)
{
  guint v;

  if (!parse_uint (item, min, max, &v, error))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
parse_ttl (const HearthConfigItem *item, guint32 *out, GError **error)
{
  guint v;

  /* dnsmasq reads TTL options as plain seconds. */
  if (!parse_uint (item, 0, G_MAXINT32, &v, error))
    return FALSE;
  *out = v;
  return TRUE;
}

/* Adds every comma-separated field of the item to array. */
static gboolean
add_list (const HearthConfigItem *item, GPtrArray *array, GError **error)
{
  g_auto (GStrv) fields = NULL;

  if (!hearth_config_item_split (item, ',', &fields, error))
    return FALSE;
  for (guint i = 0; fields[i] != NULL; i++)
    {
      char *f = g_strstrip (fields[i]);

      if (*f == '\0')
        continue;
      g_ptr_array_add (array, g_strdup (f));
    }
  return TRUE;
}

static gboolean
h_port (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_u16 (item, 0, 65535, &c->port, error);
}

static gboolean
h_listen_address (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  if (!add_list (item, fields, error))
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    {
      g_autoptr (GInetAddress) addr = NULL;
      guint32 scope = 0;

      if (!hearth_config_value_parse_ip (g_ptr_array_index (fields, i), &addr, &scope, error))
        {
          hearth_config_item_prefix_error (item, error);
          return FALSE;
        }
      g_ptr_array_add (c->listen_addresses, g_strdup (g_ptr_array_index (fields, i)));
    }
  return TRUE;
}

static gboolean
h_interface (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return add_list (item, c->interfaces, error);
}

static gboolean
h_except_interface (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return add_list (item, c->except_interfaces, error);
}

static gboolean
h_bind_interfaces (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  c->bind_interfaces = TRUE;
  return TRUE;
}

static gboolean
h_bind_dynamic (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  c->bind_dynamic = TRUE;
  return TRUE;
}

static gboolean
h_server (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDnsServerSpec) spec = NULL;
  gboolean ok;

  if (item->value == NULL)
    {
      hearth_config_item_set_error (item, error, _("needs a server address"));
      return FALSE;
    }
  if (strcmp (item->def->long_name, "local") == 0)
    ok = hearth_dns_server_spec_parse_local (item->value, "config", &spec, error);
  else
    ok = hearth_dns_server_spec_parse (item->value, "config", &spec, error);
  if (!ok)
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->server_specs, g_steal_pointer (&spec));
  return TRUE;
}

static gboolean
h_resolv_file (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  /* dnsmasq: a bare --resolv-file means the default. */
  g_ptr_array_add (c->resolv_files, g_strdup (item->value != NULL && *item->value != '\0'
                                                ? item->value
                                                : HEARTH_DNS_DEFAULT_RESOLV_FILE));
  return TRUE;
}

#define FLAG_HANDLER(name, field)                                                                                      \
  static gboolean name (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)                             \
  {                                                                                                                    \
    c->field = TRUE;                                                                                                   \
    return TRUE;                                                                                                       \
  }

FLAG_HANDLER (h_no_resolv, no_resolv)
FLAG_HANDLER (h_no_poll, no_poll)
FLAG_HANDLER (h_strict_order, strict_order)
FLAG_HANDLER (h_all_servers, all_servers)
FLAG_HANDLER (h_domain_needed, domain_needed)
FLAG_HANDLER (h_no_negcache, no_negcache)
FLAG_HANDLER (h_clear_on_reload, clear_on_reload)
FLAG_HANDLER (h_proxy_dnssec, proxy_dnssec)

static gboolean
h_dns_forward_max (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_uint (item, 1, 100000, &c->dns_forward_max, error);
}

static gboolean
h_query_port (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_u16 (item, 0, 65535, &c->query_port, error);
}

static gboolean
h_min_port (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_u16 (item, 1, 65535, &c->min_port, error);
}

static gboolean
h_max_port (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_u16 (item, 1, 65535, &c->max_port, error);
}

static gboolean
h_cache_size (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  /* An upper bound so a typo cannot ask for gigabytes. */
  return parse_uint (item, 0, 10000000, &c->cache_size, error);
}

static gboolean
h_min_cache_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  guint v;

  if (!parse_uint (item, 0, HEARTH_DNS_MIN_CACHE_TTL_MAX, &v, error))
    return FALSE;
  c->min_cache_ttl = v;
  return TRUE;
}

static gboolean
h_max_cache_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_ttl (item, &c->max_cache_ttl, error);
}

static gboolean
h_max_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_ttl (item, &c->max_ttl, error);
}

static gboolean
h_neg_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_ttl (item, &c->neg_ttl, error);
}

static gboolean
h_edns_packet_max (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_u16 (item, HEARTH_DNS_UDP_MIN, 65535, &c->edns_packet_max, error);
}

static const struct {
  const char *name;
  Handler handler;
} handlers[] = {
  { "port", h_port },
  { "listen-address", h_listen_address },
  { "interface", h_interface },
  { "except-interface", h_except_interface },
  { "bind-interfaces", h_bind_interfaces },
  { "bind-dynamic", h_bind_dynamic },
  { "server", h_server },
  { "local", h_server },
  { "resolv-file", h_resolv_file },
  { "no-resolv", h_no_resolv },
  { "no-poll", h_no_poll },
  { "strict-order", h_strict_order },
  { "all-servers", h_all_servers },
  { "domain-needed", h_domain_needed },
  { "dns-forward-max", h_dns_forward_max },
  { "query-port", h_query_port },
  { "min-port", h_min_port },
  { "max-port", h_max_port },
  { "cache-size", h_cache_size },
  { "min-cache-ttl", h_min_cache_ttl },
  { "max-cache-ttl", h_max_cache_ttl },
  { "max-ttl", h_max_ttl },
  { "no-negcache", h_no_negcache },
  { "neg-ttl", h_neg_ttl },
  { "clear-on-reload", h_clear_on_reload },
  { "proxy-dnssec", h_proxy_dnssec },
  { "edns-packet-max", h_edns_packet_max },
};

gboolean
hearth_dns_config_apply (HearthDnsConfig *config, const HearthConfigItem *item, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (strcmp (handlers[i].name, item->def->long_name) == 0)
      return handlers[i].handler (config, item, error);
  /* The option table says DNS owns it, but no handler exists: a mismatch
   * between the table and this file, not a user error. */
  hearth_config_item_set_error (item, error, _("is not handled by the DNS subsystem"));
  return FALSE;
}

gboolean
hearth_dns_config_check (HearthDnsConfig *config, GError **error)
{
  if (config->min_port > config->max_port)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _("min-port (%u) is larger than max-port (%u)"), config->min_port, config->max_port);
      return FALSE;
    }
  return TRUE;
}
