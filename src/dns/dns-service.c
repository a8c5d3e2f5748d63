/* The DNS service (see dns-service.h).
 *
 * The routing table is rebuilt from scratch whenever a producer changes
 * (config at start, a resolv file on change): it is small, rebuilding is
 * simple to get right, and servers that stay keep their counters because
 * the same objects are reused by target.
 */
#include "config.h"

#include "dns/dns-service.h"
#include "dns/dns-entry.h"
#include "net/net-socket.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>


/* Coalesce the burst of events one rewrite of a resolv file produces. */
#define RESOLV_SETTLE_MS 50

typedef struct {
  HearthDnsService *svc;
  char *path;
  GFileMonitor *monitor;
  GPtrArray *entries; /* HearthDnsEntry*, from the last good read */
} ResolvFile;

typedef struct {
  HearthDnsService *svc;
  char *path;
  GFileMonitor *monitor;
} HostsDir;

struct _HearthDnsService {
  HearthDnsConfig *config;
  HearthDnsCache *cache;
  HearthDnsLocal *local;
  GPtrArray *hostsdirs;    /* HostsDir* */
  GHashTable *hosts_changed; /* paths waiting for hosts_settled_cb */
  guint hosts_timer;
  HearthDnsStub *stub;
  HearthDnsRoutes *routes;
  GPtrArray *resolv_files; /* ResolvFile* */
  guint resolv_timer;
  GPtrArray *config_entries; /* HearthDnsEntry*: from the configuration, fixed */
  GPtrArray *bus_entries;    /* HearthDnsEntry*: from D-Bus callers, top level, in order */
  GHashTable *by_id;         /* id -> HearthDnsEntry* (borrowed) of every entry in use */
  guint next_id;
  HearthDnsServiceEntryFunc entry_func;
  gpointer entry_data;
  gboolean started;
  GPtrArray *pending_fds;  /* listeners opened, not yet handed to the stub: (fd << 1) | is_tcp */
};

static void
resolv_file_free (gpointer p)
{
  ResolvFile *rf = p;

  if (rf->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (rf->monitor, rf);
      g_file_monitor_cancel (rf->monitor);
      g_object_unref (rf->monitor);
    }
  g_ptr_array_unref (rf->entries);
  g_free (rf->path);
  g_free (rf);
}

static void
hosts_dir_free (gpointer p)
{
  HostsDir *hd = p;

  if (hd->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (hd->monitor, hd);
      g_file_monitor_cancel (hd->monitor);
      g_object_unref (hd->monitor);
    }
  g_free (hd->path);
  g_free (hd);
}

static void
log_query_cb (const HearthDnsQuery *query, const struct sockaddr *from, gpointer user_data)
{
  char name[1024], type_buf[16], from_buf[64];
  const char *type = hearth_dns_type_to_string (query->question.qtype, type_buf, sizeof type_buf);

  hearth_dns_name_to_string (query->question.name, query->question.name_len, name, sizeof name);
  hearth_net_sockaddr_to_string (from, FALSE, from_buf, sizeof from_buf);
  /* dnsmasq's wording, so existing log filters keep working; the fields
   * make the same search easy in the journal. */
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "MESSAGE", "query[%s] %s from %s", type, name, from_buf,
                    "HEARTH_QNAME", "%s", name, "HEARTH_QTYPE", "%s", type, "HEARTH_CLIENT", "%s", from_buf);
}

/* ---- entries: the servers and routes every producer made ---- */

static void
entry_notify (HearthDnsService *svc, HearthDnsEntry *entry, gboolean added)
{
  if (svc->entry_func != NULL)
    svc->entry_func (entry, added, svc->entry_data);
}

/* Gives the entry (and its children) ids and announces them, parent
 * first. */
static void
entry_give_ids (HearthDnsService *svc, HearthDnsEntry *entry)
{
  if (entry->id == 0)
    entry->id = svc->next_id++;
  g_hash_table_insert (svc->by_id, GUINT_TO_POINTER (entry->id), entry);
  for (guint i = 0; entry->children != NULL && i < entry->children->len; i++)
    entry_give_ids (svc, g_ptr_array_index (entry->children, i));
}

static void
entry_announce (HearthDnsService *svc, HearthDnsEntry *entry)
{
  entry_notify (svc, entry, TRUE);
  for (guint i = 0; entry->children != NULL && i < entry->children->len; i++)
    entry_announce (svc, g_ptr_array_index (entry->children, i));
}

/* Ids for the whole tree first: a route's object names its servers'. */
static void
entry_register (HearthDnsService *svc, HearthDnsEntry *entry)
{
  entry_give_ids (svc, entry);
  entry_announce (svc, entry);
}

/* Children first, so a client never sees a server whose route is gone. */
static void
entry_unregister (HearthDnsService *svc, HearthDnsEntry *entry)
{
  for (guint i = 0; entry->children != NULL && i < entry->children->len; i++)
    entry_unregister (svc, g_ptr_array_index (entry->children, i));
  g_hash_table_remove (svc->by_id, GUINT_TO_POINTER (entry->id));
  entry_notify (svc, entry, FALSE);
}

static HearthDnsEntry *
config_route_for (GPtrArray *entries, const char *domain, HearthDnsAction action)
{
  for (guint i = 0; i < entries->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (entries, i);

      if (e->type == HEARTH_DNS_ENTRY_ROUTE && e->action == action && strcmp (e->domain, domain) == 0)
        return e;
    }
  return NULL;
}

static void
config_add_route (GPtrArray *entries, const char *domain, HearthDnsAction action, const HearthDnsAddr *addr)
{
  HearthDnsEntry *route = config_route_for (entries, domain, action);

  if (route == NULL)
    {
      route = hearth_dns_entry_new_route (HEARTH_DNS_SOURCE_CONFIG, "config", domain, action);
      g_ptr_array_add (entries, route);
    }
  if (addr != NULL)
    {
      for (guint i = 0; i < route->addresses->len; i++)
        if (hearth_dns_addr_equal (&g_array_index (route->addresses, HearthDnsAddr, i), addr))
          return;
      g_array_append_val (route->addresses, *addr);
    }
}

/* The reverse zone of a --domain=...,local prefix, when its length falls
 * on a label boundary (a start,end range has none). */
static char *
domain_rule_reverse_zone (const HearthDnsDomainRule *rule)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len, skip = 0;
  char text[HEARTH_DNS_NAME_MAX * 4 + 1];
  gboolean v6 = rule->start.family == AF_INET6;
  guint full = v6 ? 32 : 4;
  guint given;

  if (!rule->has_range || rule->start.prefix_len >= (v6 ? 128 : 32) || rule->start.prefix_len % (v6 ? 4 : 8) != 0)
    return NULL;
  given = rule->start.prefix_len / (v6 ? 4 : 8);
  if (!hearth_dns_addr_to_reverse_name (&rule->start, wire, &len))
    return NULL;
  for (guint l = 0; l < full - given; l++)
    skip += (gsize) wire[skip] + 1;
  hearth_dns_name_to_string (wire + skip, len - skip, text, sizeof text);
  return g_strdup (text);
}

/* The configuration's servers and routes: --server/--local lines in
 * order, then what local data implies (--address rules, and
 * --domain=...,local with the reverse zone of its subnet). */
static GPtrArray *
config_entries_new (const HearthDnsConfig *config)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);

  for (guint i = 0; i < config->server_specs->len; i++)
    hearth_dns_entries_from_spec (g_ptr_array_index (config->server_specs, i), HEARTH_DNS_SOURCE_CONFIG, "config",
                                  entries);
  for (guint i = 0; i < config->address_rules->len; i++)
    {
      const HearthDnsAddressRule *rule = g_ptr_array_index (config->address_rules, i);

      for (guint j = 0; j < rule->domains->len; j++)
        {
          const char *domain = g_ptr_array_index (rule->domains, j);

          switch (rule->kind)
            {
            case HEARTH_DNS_ADDRESS_NXDOMAIN:
              config_add_route (entries, domain, HEARTH_DNS_ACTION_BLOCK, NULL);
              break;
            case HEARTH_DNS_ADDRESS_ADDR:
              config_add_route (entries, domain, HEARTH_DNS_ACTION_ADDRESS, &rule->addr);
              break;
            case HEARTH_DNS_ADDRESS_NULL:
              {
                HearthDnsAddr any4, any6;

                hearth_dns_addr_parse ("0.0.0.0", &any4);
                hearth_dns_addr_parse ("::", &any6);
                config_add_route (entries, domain, HEARTH_DNS_ACTION_ADDRESS, &any4);
                config_add_route (entries, domain, HEARTH_DNS_ACTION_ADDRESS, &any6);
              }
              break;
            }
        }
    }
  for (guint i = 0; i < config->domain_rules->len; i++)
    {
      const HearthDnsDomainRule *rule = g_ptr_array_index (config->domain_rules, i);
      g_autofree char *reverse = NULL;

      if (!rule->local)
        continue;
      config_add_route (entries, rule->domain, HEARTH_DNS_ACTION_LOCAL, NULL);
      reverse = domain_rule_reverse_zone (rule);
      if (reverse != NULL)
        config_add_route (entries, reverse, HEARTH_DNS_ACTION_LOCAL, NULL);
    }
  return entries;
}

HearthDnsService *
hearth_dns_service_new (HearthDnsConfig *config)
{
  HearthDnsService *svc = g_new0 (HearthDnsService, 1);
  gsize max_bytes = MAX ((gsize) 1024 * 1024, (gsize) config->cache_size * 1024);
  HearthDnsCachePolicy policy = {
    .min_ttl = config->min_cache_ttl,
    .max_ttl = config->max_cache_ttl,
    .neg_ttl = config->neg_ttl,
    .no_negcache = config->no_negcache,
  };

  svc->config = config;
  svc->cache = hearth_dns_cache_new (config->cache_size, max_bytes);
  hearth_dns_cache_set_policy (svc->cache, &policy);
  svc->stub = hearth_dns_stub_new (config, svc->cache);
  svc->local = hearth_dns_local_new (config);
  hearth_dns_stub_set_local (svc->stub, svc->local);
  svc->hostsdirs = g_ptr_array_new_with_free_func (hosts_dir_free);
  svc->hosts_changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (config->log_queries)
    hearth_dns_stub_set_log_func (svc->stub, log_query_cb, svc);
  svc->resolv_files = g_ptr_array_new_with_free_func (resolv_file_free);
  svc->pending_fds = g_ptr_array_new ();
  if (!config->no_resolv)
    {
      if (config->resolv_files->len == 0)
        g_ptr_array_add (config->resolv_files, g_strdup (HEARTH_DNS_DEFAULT_RESOLV_FILE));
      for (guint i = 0; i < config->resolv_files->len; i++)
        {
          ResolvFile *rf = g_new0 (ResolvFile, 1);

          rf->svc = svc;
          rf->path = g_strdup (g_ptr_array_index (config->resolv_files, i));
          rf->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
          g_ptr_array_add (svc->resolv_files, rf);
        }
    }
  svc->by_id = g_hash_table_new (NULL, NULL);
  svc->next_id = 1;
  svc->bus_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  svc->config_entries = config_entries_new (config);
  for (guint i = 0; i < svc->config_entries->len; i++)
    entry_register (svc, g_ptr_array_index (svc->config_entries, i));
  return svc;
}

void
hearth_dns_service_free (HearthDnsService *svc)
{
  if (svc == NULL)
    return;
  if (svc->resolv_timer != 0)
    g_source_remove (svc->resolv_timer);
  if (svc->hosts_timer != 0)
    g_source_remove (svc->hosts_timer);
  g_ptr_array_unref (svc->hostsdirs);
  g_hash_table_unref (svc->hosts_changed);
  for (guint i = 0; i < svc->pending_fds->len; i++)
    close (GPOINTER_TO_INT (g_ptr_array_index (svc->pending_fds, i)) >> 1);
  g_ptr_array_unref (svc->pending_fds);
  hearth_dns_stub_free (svc->stub);
  hearth_dns_local_free (svc->local);
  g_ptr_array_unref (svc->resolv_files);
  g_ptr_array_unref (svc->bus_entries);
  g_ptr_array_unref (svc->config_entries);
  g_hash_table_unref (svc->by_id);
  hearth_dns_routes_free (svc->routes);
  hearth_dns_cache_free (svc->cache);
  hearth_dns_config_free (svc->config);
  g_free (svc);
}

const HearthDnsConfig *
hearth_dns_service_get_config (HearthDnsService *svc)
{
  return svc->config;
}

static void
add_pending (HearthDnsService *svc, int fd, gboolean tcp)
{
  g_ptr_array_add (svc->pending_fds, GINT_TO_POINTER ((fd << 1) | (tcp ? 1 : 0)));
}

static gboolean
listen_on (HearthDnsService *svc, const struct sockaddr *addr, GError **error)
{
  int ufd, tfd;

  ufd = hearth_net_listen (addr, SOCK_DGRAM, error);
  if (ufd < 0)
    return FALSE;
  tfd = hearth_net_listen (addr, SOCK_STREAM, error);
  if (tfd < 0)
    {
      close (ufd);
      return FALSE;
    }
  add_pending (svc, ufd, FALSE);
  add_pending (svc, tfd, TRUE);
  return TRUE;
}

static gboolean
address_seen (GArray *seen, const struct sockaddr_storage *ss)
{
  for (guint i = 0; i < seen->len; i++)
    if (hearth_net_sockaddr_equal ((struct sockaddr *) &g_array_index (seen, struct sockaddr_storage, i),
                                   (const struct sockaddr *) ss))
      return TRUE;
  g_array_append_val (seen, *ss);
  return FALSE;
}

gboolean
hearth_dns_service_open (HearthDnsService *svc, GArray *activated, GError **error)
{
  HearthDnsConfig *config = svc->config;
  g_autoptr (GArray) addrs = NULL;
  g_autoptr (GArray) seen = g_array_new (FALSE, TRUE, sizeof (struct sockaddr_storage));
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  if (activated != NULL && activated->len > 0)
    {
      for (guint i = 0; i < activated->len; i++)
        {
          HearthNetActivatedSocket *s = &g_array_index (activated, HearthNetActivatedSocket, i);

          add_pending (svc, s->fd, s->type == SOCK_STREAM);
        }
      g_info ("using %u socket(s) passed by systemd", activated->len);
      return TRUE;
    }
  if (config->port == 0)
    return TRUE; /* --port=0: DNS off, as with dnsmasq (DHCP only) */

  if (config->listen_addresses->len == 0 && config->interfaces->len == 0)
    {
      struct sockaddr_storage any4 = { 0 }, any6 = { 0 };
      g_autoptr (GError) error6 = NULL;

      any4.ss_family = AF_INET;
      hearth_net_sockaddr_set_port ((struct sockaddr *) &any4, config->port);
      any6.ss_family = AF_INET6;
      hearth_net_sockaddr_set_port ((struct sockaddr *) &any6, config->port);
      if (!listen_on (svc, (struct sockaddr *) &any4, error))
        return FALSE;
      if (!listen_on (svc, (struct sockaddr *) &any6, &error6))
        g_warning ("%s, serving IPv4 only", error6->message);
      return TRUE;
    }

  for (guint i = 0; i < config->listen_addresses->len; i++)
    {
      struct sockaddr_storage ss;

      if (!hearth_net_sockaddr_parse (g_ptr_array_index (config->listen_addresses, i), config->port, &ss, error))
        return FALSE;
      if (!address_seen (seen, &ss) && !listen_on (svc, (struct sockaddr *) &ss, error))
        return FALSE;
    }
  if (config->interfaces->len > 0)
    {
      g_autoptr (GPtrArray) names = g_ptr_array_new ();

      /* dnsmasq answers on loopback whenever it answers on interfaces,
       * unless told otherwise (libvirt says --except-interface=lo). */
      for (guint i = 0; i < config->interfaces->len; i++)
        g_ptr_array_add (names, g_ptr_array_index (config->interfaces, i));
      g_ptr_array_add (names, (gpointer) "lo");
      addrs = hearth_net_interface_addresses (names, config->except_interfaces, config->port, missing);
    }
  else
    addrs = g_array_new (FALSE, TRUE, sizeof (struct sockaddr_storage));
  for (guint i = 0; i < addrs->len; i++)
    {
      struct sockaddr_storage *ss = &g_array_index (addrs, struct sockaddr_storage, i);
      g_autoptr (GError) local_error = NULL;
      if (address_seen (seen, ss))
        continue;
      /* Link-local addresses of an interface would need a scope per socket;
       * they arrive with interface tracking. */
      if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL (&((struct sockaddr_in6 *) ss)->sin6_addr))
        continue;
      if (!listen_on (svc, (struct sockaddr *) ss, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  for (guint i = 0; i < missing->len; i++)
    g_warning (_("interface %s has no address yet, not listening on it (interface tracking is not supported yet)"),
               (const char *) g_ptr_array_index (missing, i));
  return TRUE;
}

guint
hearth_dns_service_get_n_servers (HearthDnsService *svc)
{
  if (svc->routes == NULL)
    return 0;
  return hearth_dns_routes_get_servers (svc->routes)->len;
}

static void
routes_add_entry (HearthDnsRoutes *routes, const HearthDnsEntry *entry)
{
  g_autoptr (GPtrArray) domains = NULL;
  HearthDnsServerSpec spec = { 0 };
  HearthDnsAddressRule rule = { 0 };

  if (entry->type == HEARTH_DNS_ENTRY_SERVER)
    {
      spec.domains = entry->domains;
      spec.kind = HEARTH_DNS_ROUTE_FORWARD;
      spec.server = entry->server;
      hearth_dns_routes_add (routes, &spec);
      return;
    }
  domains = g_ptr_array_new ();
  g_ptr_array_add (domains, entry->domain);
  spec.domains = domains;
  rule.domains = domains;
  switch (entry->action)
    {
    case HEARTH_DNS_ACTION_FORWARD:
      for (guint i = 0; i < entry->children->len; i++)
        routes_add_entry (routes, g_ptr_array_index (entry->children, i));
      break;
    case HEARTH_DNS_ACTION_LOCAL:
      if (strcmp (entry->domain, "#") == 0)
        {
          rule.kind = HEARTH_DNS_ADDRESS_NXDOMAIN;
          hearth_dns_routes_add_address (routes, &rule);
          break;
        }
      spec.kind = HEARTH_DNS_ROUTE_LOCAL;
      hearth_dns_routes_add (routes, &spec);
      break;
    case HEARTH_DNS_ACTION_DEFAULT:
      spec.kind = HEARTH_DNS_ROUTE_DEFAULT;
      hearth_dns_routes_add (routes, &spec);
      break;
    case HEARTH_DNS_ACTION_BLOCK:
      rule.kind = HEARTH_DNS_ADDRESS_NXDOMAIN;
      hearth_dns_routes_add_address (routes, &rule);
      break;
    case HEARTH_DNS_ACTION_ADDRESS:
      rule.kind = HEARTH_DNS_ADDRESS_ADDR;
      for (guint i = 0; i < entry->addresses->len; i++)
        {
          rule.addr = g_array_index (entry->addresses, HearthDnsAddr, i);
          hearth_dns_routes_add_address (routes, &rule);
        }
      break;
    }
}

/* Every top-level entry in routing order: configuration, resolv files,
 * D-Bus. */
static void
collect_entries (HearthDnsService *svc, GPtrArray *out)
{
  for (guint i = 0; i < svc->config_entries->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (svc->config_entries, i));
  for (guint i = 0; i < svc->resolv_files->len; i++)
    {
      ResolvFile *rf = g_ptr_array_index (svc->resolv_files, i);

      for (guint j = 0; j < rf->entries->len; j++)
        g_ptr_array_add (out, g_ptr_array_index (rf->entries, j));
    }
  for (guint i = 0; i < svc->bus_entries->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (svc->bus_entries, i));
}

typedef struct {
  HearthDnsRoutes *old;
  HearthDnsRoutes *new;
} RouteChange;

static gboolean
route_changed_cb (const guint8 *name, gsize len, gpointer user_data)
{
  RouteChange *change = user_data;

  return !hearth_dns_routes_same_decision (change->old, change->new, name, len);
}

/* Builds the routing table from the entries. The cache keeps every answer
 * whose name still gets the same decision; with --clear-on-reload (or
 * flush_all) it is cleared instead, as dnsmasq does. */
static void
rebuild_routes (HearthDnsService *svc, gboolean flush_all)
{
  HearthDnsRoutes *routes = hearth_dns_routes_new ();
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  guint n_servers;

  collect_entries (svc, entries);
  for (guint i = 0; i < entries->len; i++)
    routes_add_entry (routes, g_ptr_array_index (entries, i));
  if (svc->routes != NULL)
    {
      if (flush_all || svc->config->clear_on_reload)
        hearth_dns_cache_clear (svc->cache);
      else
        {
          RouteChange change = { svc->routes, routes };
          guint n = hearth_dns_cache_remove_if (svc->cache, route_changed_cb, &change);

          if (n > 0)
            g_debug ("routes changed: %u cached answer(s) dropped", n);
        }
    }
  hearth_dns_stub_set_routes (svc->stub, routes);
  hearth_dns_routes_free (svc->routes);
  svc->routes = routes;

  n_servers = hearth_dns_service_get_n_servers (svc);
  if (n_servers == 0 && svc->started)
    g_warning (_("no upstream servers configured: names not answered locally get REFUSED"));
}

/* Reads the file again; entries for servers that stay are kept (same id,
 * same counters). Returns whether the list changed. */
static gboolean
resolv_file_read (ResolvFile *rf)
{
  HearthDnsService *svc = rf->svc;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) servers = NULL;
  GPtrArray *entries;
  gboolean changed;
  gsize len;
  guint n_bad = 0;

  if (!g_file_get_contents (rf->path, &contents, &len, &error))
    {
      /* Keep the servers we had: resolv files are often briefly missing
       * while a tool replaces them. */
      g_warning (_("cannot read %s: %s, keeping the previous servers"), rf->path, error->message);
      return FALSE;
    }
  servers = hearth_dns_resolv_parse (contents, len, rf->path, &n_bad);
  if (n_bad > 0)
    g_warning (_("%s: %u bad nameserver line(s), ignoring them"), rf->path, n_bad);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  for (guint i = 0; i < servers->len; i++)
    {
      g_autofree char *owner = g_strdup_printf ("resolv:%s", rf->path);
      g_autoptr (HearthDnsEntry) fresh =
          hearth_dns_entry_new_server (HEARTH_DNS_SOURCE_RESOLV, owner, g_ptr_array_index (servers, i), NULL);
      HearthDnsEntry *kept = NULL;

      for (guint j = 0; j < rf->entries->len && kept == NULL; j++)
        if (hearth_dns_entry_equivalent (g_ptr_array_index (rf->entries, j), fresh))
          kept = g_ptr_array_index (rf->entries, j);
      for (guint j = 0; j < entries->len && kept != NULL; j++)
        if (g_ptr_array_index (entries, j) == kept)
          kept = NULL; /* a duplicate line: a second entry */
      g_ptr_array_add (entries, kept != NULL ? hearth_dns_entry_ref (kept) : g_steal_pointer (&fresh));
    }
  changed = entries->len != rf->entries->len;
  for (guint i = 0; i < rf->entries->len; i++)
    {
      HearthDnsEntry *old = g_ptr_array_index (rf->entries, i);
      guint index;

      if (!g_ptr_array_find (entries, old, &index))
        {
          entry_unregister (svc, old);
          changed = TRUE;
        }
      else if (index != i)
        changed = TRUE;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (entries, i);

      if (e->id == 0)
        {
          entry_register (svc, e);
          changed = TRUE;
        }
    }
  g_ptr_array_unref (rf->entries);
  rf->entries = entries;
  g_info (_("reading %s: %u nameserver(s)"), rf->path, entries->len);
  return changed;
}

static gboolean
resolv_settled_cb (gpointer user_data)
{
  HearthDnsService *svc = user_data;

  gboolean changed = FALSE;

  svc->resolv_timer = 0;
  for (guint i = 0; i < svc->resolv_files->len; i++)
    changed |= resolv_file_read (g_ptr_array_index (svc->resolv_files, i));
  if (changed)
    rebuild_routes (svc, FALSE);
  else if (svc->config->clear_on_reload)
    hearth_dns_cache_clear (svc->cache);
  return G_SOURCE_REMOVE;
}

static void
resolv_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  ResolvFile *rf = user_data;
  HearthDnsService *svc = rf->svc;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED || event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT ||
      event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;
  if (svc->resolv_timer == 0)
    svc->resolv_timer = g_timeout_add (RESOLV_SETTLE_MS, resolv_settled_cb, svc);
}

/* The interfaces and their addresses, for --interface-name and
 * --localise-queries. A snapshot until netlink tracking arrives. */
static GPtrArray *
interfaces_snapshot (void)
{
  GPtrArray *list = g_ptr_array_new ();
  struct ifaddrs *ifa = NULL;

  if (getifaddrs (&ifa) != 0)
    {
      g_warning (_("cannot list network interfaces: %s"), g_strerror (errno));
      return list;
    }
  for (struct ifaddrs *p = ifa; p != NULL; p = p->ifa_next)
    {
      HearthDnsInterface *iface = NULL;
      HearthDnsAddr addr, mask;
      guint prefix = 0;

      if (p->ifa_addr == NULL || p->ifa_name == NULL ||
          (p->ifa_addr->sa_family != AF_INET && p->ifa_addr->sa_family != AF_INET6))
        continue;
      for (guint i = 0; i < list->len && iface == NULL; i++)
        if (strcmp (((HearthDnsInterface *) g_ptr_array_index (list, i))->name, p->ifa_name) == 0)
          iface = g_ptr_array_index (list, i);
      if (iface == NULL)
        {
          iface = g_new0 (HearthDnsInterface, 1);
          iface->name = g_strdup (p->ifa_name);
          iface->index = if_nametoindex (p->ifa_name);
          iface->addrs = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
          g_ptr_array_add (list, iface);
        }
      if (p->ifa_addr->sa_family == AF_INET)
        {
          hearth_dns_addr_from_bytes (AF_INET, (const guint8 *) &((struct sockaddr_in *) p->ifa_addr)->sin_addr, &addr);
          if (p->ifa_netmask != NULL)
            hearth_dns_addr_from_bytes (AF_INET, (const guint8 *) &((struct sockaddr_in *) p->ifa_netmask)->sin_addr,
                                        &mask);
          else
            memset (&mask, 0xff, sizeof mask);
        }
      else
        {
          hearth_dns_addr_from_bytes (AF_INET6, (const guint8 *) &((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr,
                                      &addr);
          if (p->ifa_netmask != NULL)
            hearth_dns_addr_from_bytes (AF_INET6,
                                        (const guint8 *) &((struct sockaddr_in6 *) p->ifa_netmask)->sin6_addr, &mask);
          else
            memset (&mask, 0xff, sizeof mask);
        }
      for (gsize i = 0; i < hearth_dns_addr_size (&addr); i++)
        for (guint b = 0; b < 8; b++)
          prefix += (mask.bytes[i] >> b) & 1;
      addr.prefix_len = (guint8) prefix;
      g_array_append_val (iface->addrs, addr);
    }
  freeifaddrs (ifa);
  return list;
}

static void
load_local_data (HearthDnsService *svc)
{
  HearthDnsLocalStats stats;
  gint64 start = g_get_monotonic_time ();
  guint n;

  if (svc->config->interface_names->len > 0 || svc->config->localise_queries)
    hearth_dns_local_set_interfaces (svc->local, interfaces_snapshot ());
  n = hearth_dns_local_load_hosts (svc->local);
  hearth_dns_local_get_stats (svc->local, &stats);
  g_info (_("read %u addresses from hosts files in %.1f ms (%u names, about %" G_GSIZE_FORMAT " KiB of local data)"),
          n, (g_get_monotonic_time () - start) / 1000.0, stats.hosts_names, stats.memory / 1024);
}

static gboolean
hosts_settled_cb (gpointer user_data)
{
  HearthDnsService *svc = user_data;
  GHashTableIter iter;
  const char *path;

  svc->hosts_timer = 0;
  g_hash_table_iter_init (&iter, svc->hosts_changed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      g_info (_("hosts directory: re-reading %s"), path);
      hearth_dns_local_reload_hosts_file (svc->local, path);
    }
  g_hash_table_remove_all (svc->hosts_changed);
  return G_SOURCE_REMOVE;
}

static void
hostsdir_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  HostsDir *hd = user_data;
  HearthDnsService *svc = hd->svc;
  g_autofree char *base = NULL;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED || event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT ||
      event == G_FILE_MONITOR_EVENT_UNMOUNTED || file == NULL)
    return;
  /* A rename brings one file in and may take another out. */
  for (guint i = 0; i < 2; i++)
    {
      GFile *f = i == 0 ? file : other;
      g_autofree char *path = NULL;

      if (f == NULL)
        continue;
      g_free (base);
      base = g_file_get_basename (f);
      if (base == NULL || base[0] == '.' || g_str_has_suffix (base, "~"))
        continue;
      path = g_file_get_path (f);
      if (path != NULL)
        g_hash_table_add (svc->hosts_changed, g_steal_pointer (&path));
    }
  if (svc->hosts_timer == 0 && g_hash_table_size (svc->hosts_changed) > 0)
    svc->hosts_timer = g_timeout_add (RESOLV_SETTLE_MS, hosts_settled_cb, svc);
}

static void
watch_hostsdirs (HearthDnsService *svc)
{
  for (guint i = 0; i < svc->config->hostsdirs->len; i++)
    {
      HostsDir *hd = g_new0 (HostsDir, 1);
      g_autoptr (GFile) dir = NULL;
      g_autoptr (GError) error = NULL;

      hd->svc = svc;
      hd->path = g_strdup (g_ptr_array_index (svc->config->hostsdirs, i));
      dir = g_file_new_for_path (hd->path);
      hd->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
      if (hd->monitor == NULL)
        g_warning (_("cannot watch %s: %s, changes need SIGHUP"), hd->path, error->message);
      else
        g_signal_connect (hd->monitor, "changed", G_CALLBACK (hostsdir_changed_cb), hd);
      g_ptr_array_add (svc->hostsdirs, hd);
    }
}

void
hearth_dns_service_start (HearthDnsService *svc)
{
  load_local_data (svc);
  watch_hostsdirs (svc);
  for (guint i = 0; i < svc->pending_fds->len; i++)
    {
      int v = GPOINTER_TO_INT (g_ptr_array_index (svc->pending_fds, i));

      hearth_dns_stub_add_listener (svc->stub, v >> 1, (v & 1) ? SOCK_STREAM : SOCK_DGRAM);
    }
  g_ptr_array_set_size (svc->pending_fds, 0);

  for (guint i = 0; i < svc->resolv_files->len; i++)
    {
      ResolvFile *rf = g_ptr_array_index (svc->resolv_files, i);

      resolv_file_read (rf);
      if (!svc->config->no_poll)
        {
          g_autoptr (GFile) file = g_file_new_for_path (rf->path);
          g_autoptr (GError) error = NULL;

          /* WATCH_MOVES: tools replace resolv.conf by renaming a new file
           * over it. */
          rf->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
          if (rf->monitor == NULL)
            g_warning (_("cannot watch %s: %s, changes need SIGHUP"), rf->path, error->message);
          else
            g_signal_connect (rf->monitor, "changed", G_CALLBACK (resolv_changed_cb), rf);
        }
    }
  svc->started = TRUE;
  rebuild_routes (svc, FALSE);
}

void
hearth_dns_service_reload (HearthDnsService *svc)
{
  hearth_dns_cache_clear (svc->cache);
  load_local_data (svc);
  for (guint i = 0; i < svc->resolv_files->len; i++)
    resolv_file_read (g_ptr_array_index (svc->resolv_files, i));
  rebuild_routes (svc, TRUE);
}

void
hearth_dns_service_log_statistics (HearthDnsService *svc)
{
  HearthDnsCacheStats cs;
  HearthDnsStubStats ss;
  HearthDnsForwarderStats fs;
  GPtrArray *servers;

  hearth_dns_cache_get_stats (svc->cache, &cs);
  hearth_dns_stub_get_stats (svc->stub, &ss);
  hearth_dns_forwarder_get_stats (hearth_dns_stub_get_forwarder (svc->stub), &fs);
  g_message ("cache size %u, %u entries (%" G_GSIZE_FORMAT " bytes); %" G_GUINT64_FORMAT " hits, %" G_GUINT64_FORMAT
             " misses, %" G_GUINT64_FORMAT " insertions, %" G_GUINT64_FORMAT
             " live entries evicted (cache too small if this grows)",
             svc->config->cache_size, cs.entries, cs.bytes, cs.hits, cs.misses, cs.insertions, cs.evictions_live);
  g_message ("queries: %" G_GUINT64_FORMAT " UDP, %" G_GUINT64_FORMAT " TCP, %" G_GUINT64_FORMAT
             " answered from cache, %" G_GUINT64_FORMAT " local, %" G_GUINT64_FORMAT " forwarded, %" G_GUINT64_FORMAT
             " merged in flight, %" G_GUINT64_FORMAT " SERVFAIL, %" G_GUINT64_FORMAT " over dns-forward-max, %u in flight",
             ss.queries_udp, ss.queries_tcp, ss.cache_answers, ss.local_answers, fs.forwarded, fs.merged, fs.servfail,
             fs.refused_limit, fs.in_flight);
  if (svc->routes == NULL)
    return;
  servers = hearth_dns_routes_get_servers (svc->routes);
  for (guint i = 0; i < servers->len; i++)
    {
      HearthDnsServer *s = g_ptr_array_index (servers, i);

      g_message ("server %s: queries sent %" G_GUINT64_FORMAT ", retried %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT
                 ", nxdomain %" G_GUINT64_FORMAT ", avg. latency %ums",
                 s->text, s->queries, s->retries, s->failed, s->nxdomain, s->latency_ms);
    }
}

/* ---- the runtime API the bus layer drives ---- */

void
hearth_dns_service_set_entry_func (HearthDnsService *svc, HearthDnsServiceEntryFunc func, gpointer user_data)
{
  svc->entry_func = func;
  svc->entry_data = user_data;
}

static void
list_add_tree (GPtrArray *out, HearthDnsEntry *entry)
{
  g_ptr_array_add (out, entry);
  for (guint i = 0; entry->children != NULL && i < entry->children->len; i++)
    list_add_tree (out, g_ptr_array_index (entry->children, i));
}

GPtrArray *
hearth_dns_service_list_entries (HearthDnsService *svc)
{
  g_autoptr (GPtrArray) top = g_ptr_array_new ();
  GPtrArray *out = g_ptr_array_new ();

  collect_entries (svc, top);
  for (guint i = 0; i < top->len; i++)
    list_add_tree (out, g_ptr_array_index (top, i));
  return out;
}

HearthDnsEntry *
hearth_dns_service_lookup_entry (HearthDnsService *svc, guint id)
{
  return g_hash_table_lookup (svc->by_id, GUINT_TO_POINTER (id));
}

void
hearth_dns_service_set_bus_entries (HearthDnsService *svc, GPtrArray *remove, GPtrArray *add)
{
  GPtrArray *next = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  g_autoptr (GPtrArray) old = svc->bus_entries;
  guint index;

  /* The new order: what stays, where it was, then what is added (an
   * entry both removed and added moves to the end, keeping its id). */
  for (guint i = 0; i < old->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (old, i);

      if ((remove == NULL || !g_ptr_array_find (remove, e, &index)) && (add == NULL || !g_ptr_array_find (add, e, &index)))
        g_ptr_array_add (next, hearth_dns_entry_ref (e));
    }
  for (guint i = 0; add != NULL && i < add->len; i++)
    g_ptr_array_add (next, hearth_dns_entry_ref (g_ptr_array_index (add, i)));
  svc->bus_entries = next;
  for (guint i = 0; remove != NULL && i < remove->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (remove, i);

      if (e->id != 0 && !g_ptr_array_find (next, e, &index) && g_ptr_array_find (old, e, &index))
        entry_unregister (svc, e);
    }
  for (guint i = 0; add != NULL && i < add->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (add, i);

      if (e->id == 0)
        entry_register (svc, e);
    }
  rebuild_routes (svc, FALSE);
}

GPtrArray *
hearth_dns_service_get_bus_entries (HearthDnsService *svc)
{
  return svc->bus_entries;
}

HearthDnsServer *
hearth_dns_service_get_entry_server (HearthDnsService *svc, const HearthDnsEntry *entry)
{
  HearthDnsServer *used;

  g_return_val_if_fail (entry->type == HEARTH_DNS_ENTRY_SERVER, NULL);
  used = svc->routes != NULL ? hearth_dns_routes_find_server (svc->routes, entry->server) : NULL;
  return used != NULL ? used : entry->server;
}

gboolean
hearth_dns_service_flush_cache (HearthDnsService *svc, const char *domain, guint *out_removed, GError **error)
{
  g_autofree char *normal = NULL;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len = 0;
  guint removed;

  if (domain == NULL || *domain == '\0')
    {
      HearthDnsCacheStats stats;

      hearth_dns_cache_get_stats (svc->cache, &stats);
      hearth_dns_cache_clear (svc->cache);
      removed = stats.entries;
    }
  else
    {
      if (!hearth_dns_domain_normalize (domain, &normal, error))
        return FALSE;
      if (*normal == '*' || !hearth_dns_name_from_string (normal, wire, &len))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad domain '%s': not a domain name"),
                       domain);
          return FALSE;
        }
      removed = hearth_dns_cache_remove_subtree (svc->cache, wire, len);
    }
  if (out_removed != NULL)
    *out_removed = removed;
  return TRUE;
}

void
hearth_dns_service_set_switch (HearthDnsService *svc, HearthDnsSwitch which, gboolean on)
{
  HearthDnsConfig *config = svc->config;

  switch (which)
    {
    case HEARTH_DNS_SWITCH_FILTERWIN2K:
      hearth_dns_policy_set_filterwin2k (config->policy, on);
      break;
    case HEARTH_DNS_SWITCH_FILTER_A:
      hearth_dns_policy_set_filter_a (config->policy, on);
      break;
    case HEARTH_DNS_SWITCH_FILTER_AAAA:
      hearth_dns_policy_set_filter_aaaa (config->policy, on);
      break;
    case HEARTH_DNS_SWITCH_BOGUS_PRIV:
      config->bogus_priv = on;
      break;
    case HEARTH_DNS_SWITCH_LOCALISE_QUERIES:
      if (on && !config->localise_queries && config->interface_names->len == 0)
        hearth_dns_local_set_interfaces (svc->local, interfaces_snapshot ());
      config->localise_queries = on;
      break;
    }
  /* Cached answers were shaped by the old setting. */
  hearth_dns_cache_clear (svc->cache);
}

void
hearth_dns_service_get_statistics (HearthDnsService *svc, HearthDnsStatistics *out)
{
  memset (out, 0, sizeof *out);
  hearth_dns_cache_get_stats (svc->cache, &out->cache);
  hearth_dns_stub_get_stats (svc->stub, &out->stub);
  hearth_dns_forwarder_get_stats (hearth_dns_stub_get_forwarder (svc->stub), &out->forwarder);
}

void
hearth_dns_service_clear_statistics (HearthDnsService *svc)
{
  hearth_dns_cache_reset_stats (svc->cache);
  hearth_dns_stub_reset_stats (svc->stub);
  hearth_dns_forwarder_reset_stats (hearth_dns_stub_get_forwarder (svc->stub));
  for (guint i = 0; svc->routes != NULL && i < hearth_dns_routes_get_servers (svc->routes)->len; i++)
    {
      HearthDnsServer *s = g_ptr_array_index (hearth_dns_routes_get_servers (svc->routes), i);

      s->queries = s->failed = s->nxdomain = s->retries = 0;
      s->latency_ms = 0;
    }
}

GPtrArray *
hearth_dns_service_get_listen_addresses (HearthDnsService *svc)
{
  return hearth_dns_stub_list_listeners (svc->stub);
}

guint
hearth_dns_service_count_owner (HearthDnsService *svc, const char *owner)
{
  GHashTableIter iter;
  HearthDnsEntry *entry;
  guint n = 0;

  g_hash_table_iter_init (&iter, svc->by_id);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (g_strcmp0 (entry->owner, owner) == 0)
      n++;
  return n;
}

GPtrArray *
hearth_dns_service_replace_entries (HearthDnsService *svc, const char *owner, gboolean servers_only, GPtrArray *fresh)
{
  g_autoptr (GPtrArray) remove = g_ptr_array_new ();
  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);

  for (guint i = 0; i < svc->bus_entries->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (svc->bus_entries, i);

      if (g_strcmp0 (e->owner, owner) == 0 && (!servers_only || e->type == HEARTH_DNS_ENTRY_SERVER))
        g_ptr_array_add (candidates, e);
    }
  /* An entry that stays keeps its object (and the counters of its server). */
  for (guint i = 0; i < fresh->len; i++)
    {
      HearthDnsEntry *f = g_ptr_array_index (fresh, i);
      HearthDnsEntry *kept = NULL;

      for (guint j = 0; j < candidates->len && kept == NULL; j++)
        if (hearth_dns_entry_equivalent (g_ptr_array_index (candidates, j), f))
          kept = g_ptr_array_steal_index (candidates, j);
      g_ptr_array_add (result, hearth_dns_entry_ref (kept != NULL ? kept : f));
    }
  for (guint j = 0; j < candidates->len; j++)
    g_ptr_array_add (remove, g_ptr_array_index (candidates, j));
  hearth_dns_service_set_bus_entries (svc, remove, result);
  return result;
}

void
hearth_dns_service_remove_owner (HearthDnsService *svc, const char *owner)
{
  g_autoptr (GPtrArray) remove = g_ptr_array_new ();

  for (guint i = 0; i < svc->bus_entries->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (svc->bus_entries, i);

      if (g_strcmp0 (e->owner, owner) == 0)
        g_ptr_array_add (remove, e);
    }
  if (remove->len > 0)
    hearth_dns_service_set_bus_entries (svc, remove, NULL);
}
