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
#include "dns/dns-listen.h"
#include "net/net-socket.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
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
  HearthNetMonitor *monitor; /* borrowed */
  HearthDnsListen *listen;
  guint monitor_watch;
  guint links_timer;         /* coalesces interface changes for local data */
  GHashTable *link_dns;      /* ifindex -> LinkDns*: per-link servers and domains */
};

typedef struct {
  char **servers;
  char **domains;
} LinkDns;

static void
link_dns_free (gpointer p)
{
  LinkDns *ld = p;

  g_strfreev (ld->servers);
  g_strfreev (ld->domains);
  g_free (ld);
}

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
hearth_dns_service_new (HearthDnsConfig *config, HearthNetMonitor *monitor)
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
  svc->monitor = monitor;
  svc->link_dns = g_hash_table_new_full (NULL, NULL, NULL, link_dns_free);
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
  if (svc->monitor_watch != 0)
    hearth_net_monitor_remove_watch (svc->monitor, svc->monitor_watch);
  if (svc->links_timer != 0)
    g_source_remove (svc->links_timer);
  hearth_dns_listen_free (svc->listen);
  hearth_dns_stub_free (svc->stub);
  g_hash_table_unref (svc->link_dns);
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

gboolean
hearth_dns_service_open (HearthDnsService *svc, GArray *activated, GError **error)
{
  svc->listen = hearth_dns_listen_new (svc->config, svc->monitor, svc->stub, error);
  if (svc->listen == NULL)
    return FALSE;
  return hearth_dns_listen_open (svc->listen, activated, error);
}

gboolean
hearth_dns_service_needs_late_binds (HearthDnsService *svc)
{
  return svc->listen != NULL && hearth_dns_listen_needs_late_binds (svc->listen);
}

gboolean
hearth_dns_service_link_served (HearthDnsService *svc, const HearthNetLink *link)
{
  return svc->listen != NULL && hearth_dns_listen_link_served (svc->listen, link);
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

static gboolean needs_interfaces (HearthDnsService *svc);
static GPtrArray *interfaces_snapshot (HearthDnsService *svc);

/* Servers bound to an interface follow it: suspended while it is down
 * or gone, and a link-local address takes the current index of its
 * interface as scope (an interface created again gets a new index). */
static void
update_server_links (HearthDnsService *svc, gboolean log_changes)
{
  GPtrArray *servers;

  if (svc->monitor == NULL || svc->routes == NULL)
    return;
  servers = hearth_dns_routes_get_servers (svc->routes);
  for (guint i = 0; i < servers->len; i++)
    {
      HearthDnsServer *server = g_ptr_array_index (servers, i);
      const HearthNetLink *link;
      gboolean suspended;
      guint64 index;

      if (server->interface == NULL)
        continue;
      link = hearth_net_monitor_find_link (svc->monitor, server->interface);
      if (link == NULL && g_ascii_string_to_unsigned (server->interface, 10, 1, G_MAXUINT32, &index, NULL))
        link = hearth_net_monitor_get_link (svc->monitor, (guint) index);
      suspended = link == NULL || !hearth_net_link_is_usable (link);
      if (link != NULL && server->addr.ss_family == AF_INET6)
        {
          struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &server->addr;

          if (IN6_IS_ADDR_LINKLOCAL (&sin6->sin6_addr))
            sin6->sin6_scope_id = link->index;
        }
      if (suspended == server->suspended)
        continue;
      server->suspended = suspended;
      if (!log_changes)
        continue;
      if (suspended)
        g_message (_("server %s suspended: interface %s is %s"), server->text, server->interface,
                   link == NULL ? _("gone") : _("down"));
      else
        g_message (_("server %s in use again: interface %s is up"), server->text, server->interface);
    }
}

static gboolean
links_settled_cb (gpointer user_data)
{
  HearthDnsService *svc = user_data;

  svc->links_timer = 0;
  if (needs_interfaces (svc))
    hearth_dns_local_set_interfaces (svc->local, interfaces_snapshot (svc));
  return G_SOURCE_REMOVE;
}

static void link_dns_apply (HearthDnsService *svc, guint ifindex);

static void
monitor_cb (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link, const HearthNetAddress *address,
            gpointer user_data)
{
  HearthDnsService *svc = user_data;

  if (event == HEARTH_NET_EVENT_LINK_REMOVED && g_hash_table_contains (svc->link_dns, GUINT_TO_POINTER (link->index)))
    {
      g_autofree char *owner = g_strdup_printf ("link:%u", link->index);

      g_info (_("interface %s is gone: dropping its servers and domains"), link->name);
      g_hash_table_remove (svc->link_dns, GUINT_TO_POINTER (link->index));
      hearth_dns_service_remove_owner (svc, owner);
    }
  else if (event == HEARTH_NET_EVENT_LINK_CHANGED && g_hash_table_contains (svc->link_dns, GUINT_TO_POINTER (link->index)))
    link_dns_apply (svc, link->index); /* a rename changes the device the servers bind to */
  update_server_links (svc, TRUE);
  if (needs_interfaces (svc) && svc->links_timer == 0)
    svc->links_timer = g_timeout_add (RESOLV_SETTLE_MS, links_settled_cb, svc);
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
  update_server_links (svc, TRUE);

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
 * --localise-queries, from the monitor's picture. */
static GPtrArray *
interfaces_snapshot (HearthDnsService *svc)
{
  GPtrArray *list = g_ptr_array_new ();
  g_autoptr (GPtrArray) links = NULL;

  if (svc->monitor == NULL)
    return list;
  links = hearth_net_monitor_list_links (svc->monitor);
  for (guint i = 0; i < links->len; i++)
    {
      const HearthNetLink *link = g_ptr_array_index (links, i);
      HearthDnsInterface *iface = g_new0 (HearthDnsInterface, 1);

      iface->name = g_strdup (link->name);
      iface->index = link->index;
      iface->addrs = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
      for (guint j = 0; j < link->addresses->len; j++)
        {
          const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, j);
          HearthDnsAddr addr;

          if (!hearth_net_address_is_usable (a))
            continue;
          hearth_dns_addr_from_bytes (a->family, a->bytes, &addr);
          addr.prefix_len = a->prefix_len;
          g_array_append_val (iface->addrs, addr);
        }
      g_ptr_array_add (list, iface);
    }
  return list;
}

static gboolean
needs_interfaces (HearthDnsService *svc)
{
  return svc->config->interface_names->len > 0 || svc->config->localise_queries;
}

static void
load_local_data (HearthDnsService *svc)
{
  HearthDnsLocalStats stats;
  gint64 start = g_get_monotonic_time ();
  guint n;

  if (needs_interfaces (svc))
    hearth_dns_local_set_interfaces (svc->local, interfaces_snapshot (svc));
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
  if (svc->listen != NULL)
    hearth_dns_listen_start (svc->listen);
  if (svc->monitor != NULL)
    svc->monitor_watch = hearth_net_monitor_add_watch (svc->monitor, monitor_cb, svc);

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

guint
hearth_dns_service_add_dhcp_name (HearthDnsService *svc, const char *hostname, const HearthDnsAddr *addr)
{
  g_autoptr (GError) error = NULL;
  guint handle = hearth_dns_local_add_name (svc->local, hostname, addr, &error);
  char text[64];

  if (handle == 0)
    g_info (_("not giving name %s to the DHCP lease of %s: %s"), hostname,
            hearth_dns_addr_to_string (addr, text, sizeof text), error != NULL ? error->message : "refused");
  return handle;
}

void
hearth_dns_service_remove_dhcp_name (HearthDnsService *svc, guint handle)
{
  hearth_dns_local_remove_name (svc->local, handle);
}

const char *
hearth_dns_service_domain_for (HearthDnsService *svc, const HearthDnsAddr *addr)
{
  return hearth_dns_local_domain_for (svc->local, addr);
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
        hearth_dns_local_set_interfaces (svc->local, interfaces_snapshot (svc));
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

/* ---- per-link servers and domains ---- */

/* The entries for one link's servers and domains: every server bound to
 * the link; with routing domains, used for them; without (or with "."),
 * used as default servers too. */
static gboolean
link_dns_entries (const HearthNetLink *link, const char *const *servers, const char *const *domains, GPtrArray *out,
                  GError **error)
{
  g_autofree char *owner = g_strdup_printf ("link:%u", link->index);
  g_autoptr (GPtrArray) routing = g_ptr_array_new_with_free_func (g_free);
  gboolean as_default = FALSE;

  if (servers != NULL && g_strv_length ((char **) servers) > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("more than %u servers"), HEARTH_DNS_ENTRY_LIST_MAX);
      return FALSE;
    }
  if (domains != NULL && g_strv_length ((char **) domains) > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("more than %u domains"), HEARTH_DNS_ENTRY_LIST_MAX);
      return FALSE;
    }
  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    {
      /* systemd-resolved's "~domain" (routing only) is the only kind of
       * domain hearth has; "." and "~." make the servers default ones. */
      const char *d = domains[i][0] == '~' ? domains[i] + 1 : domains[i];
      char *normal = NULL;

      if (strcmp (d, ".") == 0)
        {
          as_default = TRUE;
          continue;
        }
      if (d[0] == '\0' || !hearth_dns_domain_normalize (d, &normal, error))
        {
          if (d[0] == '\0')
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("empty domain"));
          return FALSE;
        }
      g_ptr_array_add (routing, normal);
    }
  if (routing->len == 0)
    as_default = TRUE;
  for (guint i = 0; servers != NULL && servers[i] != NULL; i++)
    {
      g_autofree char *address = g_strdup (servers[i]);
      char *hash = strrchr (address, '#');
      guint64 port = 0;

      if (strchr (address, '@') != NULL || strchr (address, '/') != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("'%s': a link's server is an address with an optional #port"), servers[i]);
          return FALSE;
        }
      if (hash != NULL)
        {
          *hash = '\0';
          if (!g_ascii_string_to_unsigned (hash + 1, 10, 1, 65535, &port, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s': bad port"), servers[i]);
              return FALSE;
            }
        }
      for (guint pass = 0; pass < 2; pass++)
        {
          HearthDnsEntry *entry = NULL;

          if ((pass == 0 && routing->len == 0) || (pass == 1 && !as_default))
            continue;
          if (!hearth_dns_entry_parse_server (address, (guint) port, link->name,
                                              pass == 0 ? (const char *const *) routing->pdata : NULL,
                                              pass == 0 ? routing->len : 0, HEARTH_DNS_SOURCE_BUS, owner, &entry, error))
            return FALSE;
          g_ptr_array_add (out, entry);
        }
    }
  return TRUE;
}

static void
link_dns_apply (HearthDnsService *svc, guint ifindex)
{
  LinkDns *ld = g_hash_table_lookup (svc->link_dns, GUINT_TO_POINTER (ifindex));
  const HearthNetLink *link = svc->monitor != NULL ? hearth_net_monitor_get_link (svc->monitor, ifindex) : NULL;
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  g_autoptr (GPtrArray) kept = NULL;
  g_autofree char *owner = g_strdup_printf ("link:%u", ifindex);
  g_autoptr (GError) error = NULL;

  if (ld == NULL || link == NULL)
    return;
  if (!link_dns_entries (link, (const char *const *) ld->servers, (const char *const *) ld->domains, fresh, &error))
    {
      /* Validated when set; only a rename could make a name unusable. */
      g_warning (_("interface %s: %s"), link->name, error->message);
      g_ptr_array_set_size (fresh, 0);
    }
  kept = hearth_dns_service_replace_entries (svc, owner, FALSE, fresh);
}

static gboolean
link_dns_set (HearthDnsService *svc, guint ifindex, const char *const *servers, const char *const *domains,
              GError **error)
{
  const HearthNetLink *link = svc->monitor != NULL ? hearth_net_monitor_get_link (svc->monitor, ifindex) : NULL;
  LinkDns *ld;
  g_autoptr (GPtrArray) check = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);

  if (link == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no interface with index %u"), ifindex);
      return FALSE;
    }
  ld = g_hash_table_lookup (svc->link_dns, GUINT_TO_POINTER (ifindex));
  if (servers == NULL)
    servers = ld != NULL ? (const char *const *) ld->servers : NULL;
  if (domains == NULL)
    domains = ld != NULL ? (const char *const *) ld->domains : NULL;
  /* Everything is checked before anything changes. */
  if (!link_dns_entries (link, servers, domains, check, error))
    return FALSE;
  if (ld == NULL)
    {
      ld = g_new0 (LinkDns, 1);
      g_hash_table_insert (svc->link_dns, GUINT_TO_POINTER (ifindex), ld);
    }
  if (servers != (const char *const *) ld->servers)
    {
      char **copy = g_strdupv ((char **) servers);

      g_strfreev (ld->servers);
      ld->servers = copy;
    }
  if (domains != (const char *const *) ld->domains)
    {
      char **copy = g_strdupv ((char **) domains);

      g_strfreev (ld->domains);
      ld->domains = copy;
    }
  link_dns_apply (svc, ifindex);
  return TRUE;
}

gboolean
hearth_dns_service_set_link_servers (HearthDnsService *svc, guint ifindex, const char *const *servers,
                                     GError **error)
{
  static const char *const none[] = { NULL };

  return link_dns_set (svc, ifindex, servers != NULL ? servers : none, NULL, error);
}

gboolean
hearth_dns_service_set_link_domains (HearthDnsService *svc, guint ifindex, const char *const *domains,
                                     GError **error)
{
  static const char *const none[] = { NULL };

  return link_dns_set (svc, ifindex, NULL, domains != NULL ? domains : none, error);
}

gboolean
hearth_dns_service_revert_link (HearthDnsService *svc, guint ifindex, GError **error)
{
  g_autofree char *owner = g_strdup_printf ("link:%u", ifindex);

  if (svc->monitor == NULL || hearth_net_monitor_get_link (svc->monitor, ifindex) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no interface with index %u"), ifindex);
      return FALSE;
    }
  if (g_hash_table_remove (svc->link_dns, GUINT_TO_POINTER (ifindex)))
    hearth_dns_service_remove_owner (svc, owner);
  return TRUE;
}

void
hearth_dns_service_get_link_dns (HearthDnsService *svc, guint ifindex, const char *const **out_servers,
                                 const char *const **out_domains)
{
  static const char *const none[] = { NULL };
  LinkDns *ld = g_hash_table_lookup (svc->link_dns, GUINT_TO_POINTER (ifindex));

  *out_servers = ld != NULL && ld->servers != NULL ? (const char *const *) ld->servers : none;
  *out_domains = ld != NULL && ld->domains != NULL ? (const char *const *) ld->domains : none;
}

HearthNetMonitor *
hearth_dns_service_get_monitor (HearthDnsService *svc)
{
  return svc->monitor;
}
