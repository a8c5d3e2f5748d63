/* The DNS service (see dns-service.h).
 *
 * The routing table is rebuilt from scratch whenever a producer changes
 * (config at start, a resolv file on change): it is small, rebuilding is
 * simple to get right, and servers that stay keep their counters because
 * the same objects are reused by target.
 */
#include "config.h"

#include "dns/dns-service.h"
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
  GPtrArray *servers; /* HearthDnsServer*, from the last good read */
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
  g_ptr_array_unref (rf->servers);
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
          rf->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_unref);
          g_ptr_array_add (svc->resolv_files, rf);
        }
    }
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

/* Reuses the server object with the same target from the old table, so
 * its counters survive a rebuild. */
static HearthDnsServer *
reuse_server (GPtrArray *old, HearthDnsServer *server)
{
  for (guint i = 0; old != NULL && i < old->len; i++)
    {
      HearthDnsServer *o = g_ptr_array_index (old, i);

      if (hearth_dns_server_same_target (o, server) && g_strcmp0 (o->owner, server->owner) == 0)
        return o;
    }
  return server;
}

static void
add_spec (HearthDnsRoutes *routes, GPtrArray *old, const HearthDnsServerSpec *spec)
{
  HearthDnsServerSpec copy = *spec;

  if (spec->server != NULL)
    copy.server = reuse_server (old, spec->server);
  hearth_dns_routes_add (routes, &copy);
}

/* The routes local data implies: --address rules, and --domain=...,local
 * (the domain, and the reverse zone of its subnet when the prefix falls on
 * a label boundary, answered locally only). */
static void
add_local_routes (const HearthDnsConfig *config, HearthDnsRoutes *routes)
{
  for (guint i = 0; i < config->address_rules->len; i++)
    hearth_dns_routes_add_address (routes, g_ptr_array_index (config->address_rules, i));
  for (guint i = 0; i < config->domain_rules->len; i++)
    {
      const HearthDnsDomainRule *rule = g_ptr_array_index (config->domain_rules, i);
      g_autoptr (GPtrArray) domains = NULL;
      HearthDnsServerSpec spec;

      if (!rule->local)
        continue;
      domains = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (domains, g_strdup (rule->domain));
      /* A prefix (not a start,end range) whose length falls on a label
       * boundary has a reverse zone. */
      if (rule->has_range && rule->start.prefix_len < (rule->start.family == AF_INET6 ? 128 : 32) &&
          rule->start.prefix_len % (rule->start.family == AF_INET6 ? 4 : 8) == 0)
        {
          guint8 wire[HEARTH_DNS_NAME_MAX];
          gsize len, skip = 0;
          char text[HEARTH_DNS_NAME_MAX * 4 + 1];
          guint full = rule->start.family == AF_INET6 ? 32 : 4;
          guint given = rule->start.prefix_len / (rule->start.family == AF_INET6 ? 4 : 8);

          /* The reverse name of the prefix: drop the labels past it. */
          if (hearth_dns_addr_to_reverse_name (&rule->start, wire, &len))
            {
              for (guint l = 0; l < full - given; l++)
                skip += (gsize) wire[skip] + 1;
              hearth_dns_name_to_string (wire + skip, len - skip, text, sizeof text);
              g_ptr_array_add (domains, g_strdup (text));
            }
        }
      spec.domains = domains;
      spec.kind = HEARTH_DNS_ROUTE_LOCAL;
      spec.server = NULL;
      hearth_dns_routes_add (routes, &spec);
    }
}

static void
rebuild_routes (HearthDnsService *svc)
{
  HearthDnsRoutes *routes = hearth_dns_routes_new ();
  GPtrArray *old = svc->routes != NULL ? hearth_dns_routes_get_servers (svc->routes) : NULL;
  g_autoptr (GPtrArray) no_domains = g_ptr_array_new ();
  guint n_servers;

  for (guint i = 0; i < svc->config->server_specs->len; i++)
    add_spec (routes, old, g_ptr_array_index (svc->config->server_specs, i));
  for (guint i = 0; i < svc->resolv_files->len; i++)
    {
      ResolvFile *rf = g_ptr_array_index (svc->resolv_files, i);

      for (guint j = 0; j < rf->servers->len; j++)
        {
          HearthDnsServerSpec spec = { no_domains, HEARTH_DNS_ROUTE_FORWARD, g_ptr_array_index (rf->servers, j) };

          add_spec (routes, old, &spec);
        }
    }
  add_local_routes (svc->config, routes);
  hearth_dns_stub_set_routes (svc->stub, routes);
  hearth_dns_routes_free (svc->routes);
  svc->routes = routes;

  n_servers = hearth_dns_service_get_n_servers (svc);
  if (n_servers == 0)
    g_warning (_("no upstream servers configured: names not answered locally get REFUSED"));
}

static void
resolv_file_read (ResolvFile *rf)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  guint n_bad = 0;
  GPtrArray *servers;

  if (!g_file_get_contents (rf->path, &contents, &len, &error))
    {
      /* Keep the servers we had: resolv files are often briefly missing
       * while a tool replaces them. */
      g_warning (_("cannot read %s: %s, keeping the previous servers"), rf->path, error->message);
      return;
    }
  servers = hearth_dns_resolv_parse (contents, len, rf->path, &n_bad);
  if (n_bad > 0)
    g_warning (_("%s: %u bad nameserver line(s), ignoring them"), rf->path, n_bad);
  g_ptr_array_unref (rf->servers);
  rf->servers = servers;
  g_info (_("reading %s: %u nameserver(s)"), rf->path, servers->len);
}

static gboolean
resolv_settled_cb (gpointer user_data)
{
  HearthDnsService *svc = user_data;

  svc->resolv_timer = 0;
  for (guint i = 0; i < svc->resolv_files->len; i++)
    resolv_file_read (g_ptr_array_index (svc->resolv_files, i));
  rebuild_routes (svc);
  if (svc->config->clear_on_reload)
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
  rebuild_routes (svc);
}

void
hearth_dns_service_reload (HearthDnsService *svc)
{
  hearth_dns_cache_clear (svc->cache);
  load_local_data (svc);
  for (guint i = 0; i < svc->resolv_files->len; i++)
    resolv_file_read (g_ptr_array_index (svc->resolv_files, i));
  rebuild_routes (svc);
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
