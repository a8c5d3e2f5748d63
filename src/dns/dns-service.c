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

struct _HearthDnsService {
  HearthDnsConfig *config;
  HearthDnsCache *cache;
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
  for (guint i = 0; i < svc->pending_fds->len; i++)
    close (GPOINTER_TO_INT (g_ptr_array_index (svc->pending_fds, i)) >> 1);
  g_ptr_array_unref (svc->pending_fds);
  hearth_dns_stub_free (svc->stub);
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

void
hearth_dns_service_start (HearthDnsService *svc)
{
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
