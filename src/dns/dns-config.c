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
#include <unistd.h>

static void
mx_host_free (HearthDnsMxHost *mx)
{
  g_free (mx->name);
  g_free (mx->target);
  g_free (mx);
}

/* An option value that can only be parsed once every option is in
 * (--srv-host needs --domain). */
typedef struct {
  char *option;
  char *value;
  char *location;
} Deferred;

static void
deferred_free (Deferred *d)
{
  g_free (d->option);
  g_free (d->value);
  g_free (d->location);
  g_free (d);
}

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
  c->addn_hosts = g_ptr_array_new_with_free_func (g_free);
  c->hostsdirs = g_ptr_array_new_with_free_func (g_free);
  c->domain_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_domain_rule_free);
  c->address_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_address_rule_free);
  c->records = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_record_free);
  c->mx_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_host_free);
  c->interface_names = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_interface_name_free);
  c->synth_domains = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_synth_domain_free);
  c->policy = hearth_dns_policy_new ();
  c->deferred = g_ptr_array_new_with_free_func ((GDestroyNotify) deferred_free);
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
  g_ptr_array_unref (c->addn_hosts);
  g_ptr_array_unref (c->hostsdirs);
  g_ptr_array_unref (c->domain_rules);
  g_ptr_array_unref (c->address_rules);
  g_ptr_array_unref (c->records);
  g_ptr_array_unref (c->mx_hosts);
  g_ptr_array_unref (c->interface_names);
  g_ptr_array_unref (c->synth_domains);
  g_ptr_array_unref (c->deferred);
  hearth_dns_policy_free (c->policy);
  g_free (c->mx_target);
  g_free (c->hostname);
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
h_local_service (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  if (item->value == NULL || strcmp (item->value, "net") == 0)
    c->local_service = HEARTH_DNS_LOCAL_SERVICE_NET;
  else if (strcmp (item->value, "host") == 0)
    c->local_service = HEARTH_DNS_LOCAL_SERVICE_HOST;
  else
    {
      hearth_config_item_set_error (item, error, _("expected 'net' or 'host', not '%s'"), item->value);
      return FALSE;
    }
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
FLAG_HANDLER (h_no_hosts, no_hosts)
FLAG_HANDLER (h_expand_hosts, expand_hosts)
FLAG_HANDLER (h_selfmx, selfmx)
FLAG_HANDLER (h_localmx, localmx)
FLAG_HANDLER (h_bogus_priv, bogus_priv)
FLAG_HANDLER (h_no_ident, no_ident)
FLAG_HANDLER (h_localise_queries, localise_queries)
FLAG_HANDLER (h_no_round_robin, no_round_robin)

static gboolean
need_value (const HearthConfigItem *item, GError **error)
{
  if (item->value == NULL || *item->value == '\0')
    {
      hearth_config_item_set_error (item, error, _("needs a value"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
h_addn_hosts (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  if (!need_value (item, error))
    return FALSE;
  g_ptr_array_add (strcmp (item->def->long_name, "hostsdir") == 0 ? c->hostsdirs : c->addn_hosts,
                   g_strdup (item->value));
  return TRUE;
}

static gboolean
h_local_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  return parse_ttl (item, &c->local_ttl, error);
}

static gboolean
h_dhcp_ttl (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  c->dhcp_ttl_set = TRUE;
  return parse_ttl (item, &c->dhcp_ttl, error);
}

typedef gboolean (*RecordParser) (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);

static gboolean
h_records (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  static const struct {
    const char *name;
    RecordParser parse;
  } parsers[] = {
    { "host-record", hearth_dns_record_parse_host_record },
    { "cname", hearth_dns_record_parse_cname },
    { "txt-record", hearth_dns_record_parse_txt },
    { "ptr-record", hearth_dns_record_parse_ptr },
    { "naptr-record", hearth_dns_record_parse_naptr },
    { "caa-record", hearth_dns_record_parse_caa },
    { "dns-rr", hearth_dns_record_parse_dns_rr },
  };

  if (!need_value (item, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (parsers); i++)
    if (strcmp (parsers[i].name, item->def->long_name) == 0)
      {
        if (!parsers[i].parse (item->value, item->quoted, c->records, error))
          {
            hearth_config_item_prefix_error (item, error);
            return FALSE;
          }
        return TRUE;
      }
  g_assert_not_reached ();
}

static gboolean
h_deferred (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  Deferred *d;

  if (!need_value (item, error))
    return FALSE;
  d = g_new0 (Deferred, 1);
  d->option = g_strdup (item->def->long_name);
  d->value = g_strdup (item->value);
  d->location = hearth_config_item_get_location (item);
  g_ptr_array_add (c->deferred, d);
  return TRUE;
}

static gboolean
h_mx_host (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  HearthDnsMxHost *mx;

  if (!need_value (item, error))
    return FALSE;
  mx = g_new0 (HearthDnsMxHost, 1);
  if (!hearth_dns_record_parse_mx_host (item->value, &mx->name, &mx->target, &mx->preference, error))
    {
      mx_host_free (mx);
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->mx_hosts, mx);
  return TRUE;
}

static gboolean
h_mx_target (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dns_hostname_to_wire (item->value, wire, &len))
    {
      hearth_config_item_set_error (item, error, _("bad host name '%s'"), item->value);
      return FALSE;
    }
  g_free (c->mx_target);
  c->mx_target = g_strdup (item->value);
  return TRUE;
}

static gboolean
h_domain (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDnsDomainRule) rule = NULL;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dns_domain_rule_parse (item->value, &rule, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->domain_rules, g_steal_pointer (&rule));
  return TRUE;
}

static gboolean
h_address (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDnsAddressRule) rule = NULL;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dns_address_rule_parse (item->value, &rule, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->address_rules, g_steal_pointer (&rule));
  return TRUE;
}

static gboolean
h_interface_name (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDnsInterfaceName) in = NULL;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dns_interface_name_parse (item->value, &in, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->interface_names, g_steal_pointer (&in));
  return TRUE;
}

static gboolean
h_synth_domain (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDnsSynthDomain) sd = NULL;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dns_synth_domain_parse (item->value, &sd, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  g_ptr_array_add (c->synth_domains, g_steal_pointer (&sd));
  return TRUE;
}

typedef gboolean (*PolicyParser) (HearthDnsPolicy *policy, const char *value, GError **error);

static gboolean
h_policy (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  static const struct {
    const char *name;
    PolicyParser parse;
  } parsers[] = {
    { "bogus-nxdomain", hearth_dns_policy_add_bogus_nxdomain },
    { "ignore-address", hearth_dns_policy_add_ignore_address },
    { "alias", hearth_dns_policy_add_alias },
    { "filter-rr", hearth_dns_policy_add_filter_rr },
    { "rebind-domain-ok", hearth_dns_policy_add_rebind_domain_ok },
  };

  if (!need_value (item, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (parsers); i++)
    if (strcmp (parsers[i].name, item->def->long_name) == 0)
      {
        if (!parsers[i].parse (c->policy, item->value, error))
          {
            hearth_config_item_prefix_error (item, error);
            return FALSE;
          }
        return TRUE;
      }
  g_assert_not_reached ();
}

static gboolean
h_policy_flag (HearthDnsConfig *c, const HearthConfigItem *item, GError **error)
{
  const char *name = item->def->long_name;

  if (strcmp (name, "filter-A") == 0)
    hearth_dns_policy_set_filter_a (c->policy, TRUE);
  else if (strcmp (name, "filter-AAAA") == 0)
    hearth_dns_policy_set_filter_aaaa (c->policy, TRUE);
  else if (strcmp (name, "stop-dns-rebind") == 0)
    hearth_dns_policy_set_stop_rebind (c->policy, TRUE);
  else if (strcmp (name, "rebind-localhost-ok") == 0)
    hearth_dns_policy_set_rebind_localhost_ok (c->policy, TRUE);
  else if (strcmp (name, "filterwin2k") == 0)
    hearth_dns_policy_set_filterwin2k (c->policy, TRUE);
  else
    g_assert_not_reached ();
  return TRUE;
}

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
  { "local-service", h_local_service },
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
  { "no-hosts", h_no_hosts },
  { "addn-hosts", h_addn_hosts },
  { "hostsdir", h_addn_hosts },
  { "expand-hosts", h_expand_hosts },
  { "local-ttl", h_local_ttl },
  { "dhcp-ttl", h_dhcp_ttl },
  { "domain", h_domain },
  { "address", h_address },
  { "host-record", h_records },
  { "cname", h_records },
  { "txt-record", h_records },
  { "ptr-record", h_records },
  { "naptr-record", h_records },
  { "caa-record", h_records },
  { "dns-rr", h_records },
  { "srv-host", h_deferred },
  { "mx-host", h_mx_host },
  { "mx-target", h_mx_target },
  { "selfmx", h_selfmx },
  { "localmx", h_localmx },
  { "interface-name", h_interface_name },
  { "synth-domain", h_synth_domain },
  { "localise-queries", h_localise_queries },
  { "no-ident", h_no_ident },
  { "no-round-robin", h_no_round_robin },
  { "bogus-priv", h_bogus_priv },
  { "bogus-nxdomain", h_policy },
  { "ignore-address", h_policy },
  { "alias", h_policy },
  { "filter-rr", h_policy },
  { "rebind-domain-ok", h_policy },
  { "filter-A", h_policy_flag },
  { "filter-AAAA", h_policy_flag },
  { "stop-dns-rebind", h_policy_flag },
  { "rebind-localhost-ok", h_policy_flag },
  { "filterwin2k", h_policy_flag },
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

/* The domain --srv-host and plain names use: the first --domain without
 * an address range. */
const char *
hearth_dns_config_get_default_domain (const HearthDnsConfig *config)
{
  for (guint i = 0; i < config->domain_rules->len; i++)
    {
      const HearthDnsDomainRule *rule = g_ptr_array_index (config->domain_rules, i);

      if (!rule->has_range && strcmp (rule->domain, "#") != 0)
        return rule->domain;
    }
  return NULL;
}

gboolean
hearth_dns_config_check (HearthDnsConfig *config, GError **error)
{
  if (config->hostname == NULL)
    {
      char host[256] = "";

      /* Only the first label: dnsmasq's idea of "the host name". */
      if (gethostname (host, sizeof host - 1) != 0 || host[0] == '\0')
        g_strlcpy (host, "localhost", sizeof host);
      host[strcspn (host, ".")] = '\0';
      config->hostname = g_strdup (host);
    }
  for (guint i = 0; i < config->deferred->len; i++)
    {
      Deferred *d = g_ptr_array_index (config->deferred, i);

      if (strcmp (d->option, "srv-host") == 0 &&
          !hearth_dns_record_parse_srv (d->value, hearth_dns_config_get_default_domain (config), config->records,
                                        error))
        {
          g_prefix_error (error, _("%s: option '%s': "), d->location, d->option);
          return FALSE;
        }
    }
  g_ptr_array_set_size (config->deferred, 0);
  for (guint i = 0; i < config->mx_hosts->len; i++)
    {
      HearthDnsMxHost *mx = g_ptr_array_index (config->mx_hosts, i);

      if (mx->target == NULL)
        mx->target = g_strdup (config->mx_target != NULL ? config->mx_target : config->hostname);
    }
  if (config->min_port > config->max_port)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _("min-port (%u) is larger than max-port (%u)"), config->min_port, config->max_port);
      return FALSE;
    }
  return TRUE;
}
