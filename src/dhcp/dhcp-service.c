/* The DHCP service (see dhcp-service.h): sockets, batching, durability,
 * timers and the wiring of lease events.
 *
 * One UDP socket on the DHCP server port, bound to the wildcard address
 * with IP_PKTINFO, serves every interface: the packet info says where a
 * request arrived, the netlink monitor says which addresses that
 * interface has, and the interface policy says whether DHCP is served
 * there. A reply to a client that has no address yet goes by unicast
 * after an ARP entry for it is added (SIOCSARP), as dnsmasq does, or by
 * broadcast when that is not possible or the client asked for it.
 */
#include "config.h"

#include "dhcp/dhcp-service.h"

#include "config/config-parser.h"
#include "dhcp/dhcp-lease-store.h"
#include "dhcp/dhcp-script.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BATCH_MAX 64           /* packets read per wakeup */
#define SUBNETS_MAX 32         /* IPv4 addresses of one interface considered */
#define COMPACT_DELAY_MS 2000  /* lease file rewritten once changes stopped this long */
#define COMPACT_STALE_MS 30000 /* ... or at the latest this long after the first change */
#define RETRY_DELAY_MS 1000    /* a failed lease-file write is retried this often */
#define WAITING_MAX 8192       /* replies waiting for their batch before reading pauses */
#define PING_WAIT_MS 500       /* how long an offer waits for an echo reply */
#define PING_CACHE_SECONDS 30  /* an address that stayed silent is not pinged again this soon */
#define PING_PENDING_MAX 1024  /* offers waiting for their ping at once */
#define DELAYED_MAX 1024       /* offers held by --dhcp-reply-delay at once */

G_DEFINE_QUARK (hearth-dhcp-service-error-quark, hearth_dhcp_service_error)

typedef struct {
  HearthDhcp4Reply reply;
  guint8 *data;
} PendingReply;

static void
drop_replies (GArray *replies)
{
  for (guint i = 0; i < replies->len; i++)
    g_free (g_array_index (replies, PendingReply, i).data);
  g_array_set_size (replies, 0);
}

/* An offer held back by --dhcp-reply-delay. */
typedef struct {
  HearthDhcpService *svc;
  HearthDhcp4Reply reply;
  guint8 *data;
  guint timer;
} Delayed;

static void
delayed_free (Delayed *d)
{
  if (d->timer != 0)
    g_source_remove (d->timer);
  g_free (d->data);
  g_free (d);
}

/* An offer held back while its address is pinged. */
typedef struct {
  HearthDhcpService *svc;
  guint32 addr;
  HearthDhcp4Reply reply;
  guint8 *data;
  guint timer;
} Ping;

static void
ping_free (Ping *p)
{
  if (p->timer != 0)
    g_source_remove (p->timer);
  g_free (p->data);
  g_free (p);
}

/* The DNS name a lease holds. */
typedef struct {
  guint handle;
  char name[64];
} NameRef;

struct _HearthDhcpService {
  HearthDhcpConfig *config;
  HearthNetMonitor *monitor;
  HearthNetPolicy *policy;
  HearthDhcpServiceHooks hooks;
  HearthDhcpLeaseTable *leases;
  HearthDhcp4Server *server;
  HearthDhcpLeaseStore *store;  /* NULL with --leasefile-ro */
  HearthDhcpScript *script;
  int fd;
  guint fd_source;
  int pxe_fd;                   /* port 4011, with PXE; -1 = none */
  guint pxe_source;
  guint expiry_source;
  gint64 expiry_at;
  guint compact_source;
  gint64 last_change;           /* monotonic µs of the last synced change */
  gint64 dirty_since;           /* of the first change not in the file itself, 0 = none */
  guint retry_source;
  gboolean failing;             /* the lease file cannot be written: serving from memory */
  gboolean loading;
  guint loaded;                 /* leases loaded at start, and expired ones dropped */
  guint expired_at_load;
  HearthDhcp4Message *msg;
  guint8 *rx;
  guint8 *tx;
  GArray *waiting;              /* PendingReply: for changes not handed to the store yet */
  GArray *inflight;             /* PendingReply: for the batch the store is writing */
  GPtrArray *dir_monitors;      /* GFileMonitor*, one per --dhcp-hostsdir and --dhcp-optsdir */
  int icmp_fd;                  /* raw ICMP socket for the ping check, -1 = none */
  guint icmp_source;
  guint16 icmp_id;
  guint16 icmp_seq;
  GHashTable *pings;            /* addr -> Ping: offers waiting for a ping to stay silent */
  GHashTable *silent;           /* addr -> monotonic time it was last found silent */
  GPtrArray *delayed;           /* Delayed*: offers held by --dhcp-reply-delay */
  guint64 pings_answered;
  HearthDhcpServiceLeaseFunc lease_func;
  gpointer lease_data;
  guint64 sync_batches;
  guint64 write_errors;
  gboolean warned_compact;      /* said that the rewrite fails, until it works */
};

static void schedule_expiry (HearthDhcpService *svc);
static gboolean compact_now (HearthDhcpService *svc, GError **error);
static void sync_collect (HearthDhcpService *svc, gboolean wait);
static void sync_done_cb (HearthDhcpLeaseStore *store, gpointer user_data);
static gboolean socket_cb (int fd, GIOCondition condition, gpointer user_data);
static void send_replies (HearthDhcpService *svc, GArray *replies);

static const char *
service_domain_for (guint32 addr, gpointer user_data)
{
  HearthDhcpService *svc = user_data;

  return svc->hooks.domain_for != NULL ? svc->hooks.domain_for (addr, svc->hooks.user_data) : NULL;
}

static void
format_addr (guint32 addr, char *buf)
{
  guint32 n = htonl (addr);

  inet_ntop (AF_INET, &n, buf, INET_ADDRSTRLEN);
}

const char *
hearth_dhcp_service_lease_interface (HearthDhcpService *svc, const HearthDhcpLease *lease)
{
  const HearthNetLink *link = lease->ifindex != 0 ? hearth_net_monitor_get_link (svc->monitor, lease->ifindex) : NULL;

  return link != NULL ? link->name : NULL;
}

gint64
hearth_dhcp_service_lease_expiry_wall (HearthDhcpService *svc, const HearthDhcpLease *lease)
{
  HearthDhcpLeaseRecord r;

  hearth_dhcp_lease_to_record (lease, g_get_monotonic_time (), g_get_real_time () / G_USEC_PER_SEC, &r);
  return r.expires_wall;
}

static void
queue_script (HearthDhcpService *svc, HearthDhcpScriptAction action, const HearthDhcpLease *lease,
              const char *old_hostname, gboolean data_missing)
{
  char mac[HEARTH_DHCP_HWADDR_STRING_MAX], ip[INET_ADDRSTRLEN];
  g_autoptr (GString) clid = g_string_new (NULL);
  g_autofree char *vendor = NULL;
  HearthDhcpScriptEvent ev = { 0 };
  gint64 now = g_get_monotonic_time ();

  if (svc->script == NULL)
    return;
  hearth_dhcp_format_hwaddr (lease->hwtype, lease->hwaddr, lease->hwlen, mac, sizeof mac);
  format_addr (lease->addr, ip);
  if (lease->client_id != NULL)
    hearth_dhcp_append_hex (clid, g_bytes_get_data (lease->client_id, NULL), g_bytes_get_size (lease->client_id));
  if (lease->vendor_class != NULL)
    vendor = g_strndup (g_bytes_get_data (lease->vendor_class, NULL), g_bytes_get_size (lease->vendor_class));
  ev.action = action;
  ev.hwaddr = mac;
  ev.ip = ip;
  ev.hostname = lease->hostname;
  ev.client_id = clid->len > 0 ? clid->str : NULL;
  ev.interface = hearth_dhcp_service_lease_interface (svc, lease);
  ev.domain = service_domain_for (lease->addr, svc);
  ev.supplied_hostname = lease->supplied_hostname;
  ev.old_hostname = old_hostname;
  ev.expires_wall = hearth_dhcp_service_lease_expiry_wall (svc, lease);
  ev.length = lease->length;
  ev.time_remaining = lease->expires == HEARTH_DHCP_LEASE_NEVER ? -1 : MAX (0, (lease->expires - now) / G_USEC_PER_SEC);
  ev.vendor_class = vendor;
  ev.log_dhcp = svc->config->log_dhcp;
  ev.data_missing = data_missing;
  hearth_dhcp_script_queue (svc->script, &ev);
}

/* Keeps the lease's DNS name in step with its host name. */
static void
update_name (HearthDhcpService *svc, HearthDhcpLease *lease, gboolean removed)
{
  NameRef *ref = lease->name_data;

  if (ref != NULL && (removed || g_strcmp0 (ref->name, lease->hostname) != 0))
    {
      if (svc->hooks.remove_name != NULL && ref->handle != 0)
        svc->hooks.remove_name (ref->handle, svc->hooks.user_data);
      g_free (ref);
      lease->name_data = ref = NULL;
    }
  if (removed || lease->hostname == NULL || ref != NULL || svc->hooks.add_name == NULL)
    return;
  ref = g_new0 (NameRef, 1);
  g_strlcpy (ref->name, lease->hostname, sizeof ref->name);
  ref->handle = svc->hooks.add_name (lease->hostname, lease->addr, svc->hooks.user_data);
  lease->name_data = ref;
}

static void
lease_cb (HearthDhcpLeaseTable *table, HearthDhcpLeaseEvent event, HearthDhcpLease *lease,
          HearthDhcpLeaseReason reason, gpointer user_data)
{
  HearthDhcpService *svc = user_data;
  g_autofree char *old_name = NULL;
  NameRef *ref = lease->name_data;

  if (ref != NULL && g_strcmp0 (ref->name, lease->hostname) != 0)
    old_name = g_strdup (ref->name);
  if (svc->store != NULL && reason != HEARTH_DHCP_LEASE_REASON_LOADED)
    {
      if (event == HEARTH_DHCP_LEASE_REMOVED)
        hearth_dhcp_lease_store_delete (svc->store, lease->addr);
      else
        {
          HearthDhcpLeaseRecord r;

          hearth_dhcp_lease_to_record (lease, g_get_monotonic_time (), g_get_real_time () / G_USEC_PER_SEC, &r);
          hearth_dhcp_lease_store_put (svc->store, &r);
        }
    }
  update_name (svc, lease, event == HEARTH_DHCP_LEASE_REMOVED);
  if (!svc->loading)
    switch (event)
      {
      case HEARTH_DHCP_LEASE_ADDED:
        queue_script (svc, HEARTH_DHCP_SCRIPT_ADD, lease, NULL, FALSE);
        break;
      case HEARTH_DHCP_LEASE_CHANGED:
        if (svc->config->script_on_renewal || old_name != NULL)
          queue_script (svc, HEARTH_DHCP_SCRIPT_OLD, lease, old_name, FALSE);
        break;
      case HEARTH_DHCP_LEASE_REMOVED:
        queue_script (svc, HEARTH_DHCP_SCRIPT_DEL, lease, NULL, FALSE);
        break;
      }
  if (svc->lease_func != NULL)
    svc->lease_func (svc, event, lease, svc->lease_data);
}

HearthDhcpService *
hearth_dhcp_service_new (HearthDhcpConfig *config, HearthNetMonitor *monitor, HearthNetPolicy *policy,
                         const HearthDhcpServiceHooks *hooks)
{
  HearthDhcpService *svc = g_new0 (HearthDhcpService, 1);
  HearthDhcp4ServerHooks server_hooks = { 0 };

  svc->config = config;
  svc->monitor = monitor;
  svc->policy = policy;
  if (hooks != NULL)
    svc->hooks = *hooks;
  for (guint i = 0; i < config->no_dhcp_interfaces->len; i++)
    hearth_net_policy_add_no_dhcp_interface (policy, g_ptr_array_index (config->no_dhcp_interfaces, i));
  svc->leases = hearth_dhcp_lease_table_new ();
  hearth_dhcp_lease_table_set_func (svc->leases, lease_cb, svc);
  server_hooks.domain_for = service_domain_for;
  server_hooks.user_data = svc;
  server_hooks.dns_enabled = svc->hooks.dns_enabled;
  svc->server = hearth_dhcp4_server_new (config, svc->leases, &server_hooks);
  svc->fd = -1;
  svc->pxe_fd = -1;
  svc->msg = g_new0 (HearthDhcp4Message, 1);
  svc->rx = g_malloc (HEARTH_DHCP4_PACKET_MAX);
  svc->tx = g_malloc (HEARTH_DHCP4_PACKET_MAX);
  svc->waiting = g_array_new (FALSE, FALSE, sizeof (PendingReply));
  svc->inflight = g_array_new (FALSE, FALSE, sizeof (PendingReply));
  svc->dir_monitors = g_ptr_array_new_with_free_func (g_object_unref);
  svc->icmp_fd = -1;
  svc->pings = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) ping_free);
  svc->silent = g_hash_table_new (g_direct_hash, g_direct_equal);
  svc->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  return svc;
}

static void
free_name_refs (HearthDhcpService *svc)
{
  g_autoptr (GPtrArray) all = hearth_dhcp_lease_table_list (svc->leases);

  for (guint i = 0; i < all->len; i++)
    {
      HearthDhcpLease *l = g_ptr_array_index (all, i);

      g_clear_pointer (&l->name_data, g_free);
    }
}

void
hearth_dhcp_service_free (HearthDhcpService *svc)
{
  if (svc == NULL)
    return;
  g_ptr_array_unref (svc->dir_monitors);
  g_hash_table_unref (svc->pings);
  g_hash_table_unref (svc->silent);
  g_ptr_array_unref (svc->delayed);
  if (svc->icmp_source != 0)
    g_source_remove (svc->icmp_source);
  if (svc->icmp_fd >= 0)
    close (svc->icmp_fd);
  if (svc->fd_source != 0)
    g_source_remove (svc->fd_source);
  if (svc->expiry_source != 0)
    g_source_remove (svc->expiry_source);
  if (svc->compact_source != 0)
    g_source_remove (svc->compact_source);
  if (svc->retry_source != 0)
    g_source_remove (svc->retry_source);
  /* Leave a complete lease file behind (the journal folded in). */
  if (svc->store != NULL)
    compact_now (svc, NULL);
  drop_replies (svc->waiting);
  drop_replies (svc->inflight);
  g_array_unref (svc->waiting);
  g_array_unref (svc->inflight);
  if (svc->fd >= 0)
    close (svc->fd);
  if (svc->pxe_source != 0)
    g_source_remove (svc->pxe_source);
  if (svc->pxe_fd >= 0)
    close (svc->pxe_fd);
  hearth_dhcp_script_free (svc->script);
  hearth_dhcp_lease_table_set_func (svc->leases, NULL, NULL);
  free_name_refs (svc);
  hearth_dhcp4_server_free (svc->server);
  hearth_dhcp_lease_table_free (svc->leases);
  hearth_dhcp_lease_store_free (svc->store);
  hearth_net_policy_free (svc->policy);
  hearth_dhcp_config_free (svc->config);
  g_free (svc->msg);
  g_free (svc->rx);
  g_free (svc->tx);
  g_free (svc);
}

HearthDhcp4Server *
hearth_dhcp_service_get_server (HearthDhcpService *svc)
{
  return svc->server;
}

HearthDhcpLeaseTable *
hearth_dhcp_service_get_leases (HearthDhcpService *svc)
{
  return svc->leases;
}

const HearthDhcpConfig *
hearth_dhcp_service_get_config (HearthDhcpService *svc)
{
  return svc->config;
}

void
hearth_dhcp_service_set_lease_func (HearthDhcpService *svc, HearthDhcpServiceLeaseFunc func, gpointer user_data)
{
  svc->lease_func = func;
  svc->lease_data = user_data;
}

/* ---- loading ---- */

typedef struct {
  HearthDhcpService *svc;
  gint64 now_mono;
  gint64 now_wall;
  guint loaded;
  guint expired;
} LoadState;

static void
load_record_cb (const HearthDhcpLeaseRecord *r, gboolean deleted, gpointer user_data)
{
  LoadState *st = user_data;
  HearthDhcpLeaseTable *t = st->svc->leases;
  HearthDhcpLease *l = hearth_dhcp_lease_table_lookup_addr (t, r->addr);
  g_autoptr (GBytes) clid = NULL;
  guint32 length;
  gint64 remaining;

  if (deleted || (r->expires_wall != 0 && r->expires_wall <= st->now_wall))
    {
      if (l != NULL)
        hearth_dhcp_lease_table_remove (t, l, HEARTH_DHCP_LEASE_REASON_LOADED);
      if (!deleted)
        st->expired++;
      return;
    }
  if (r->client_id_len > 0)
    clid = g_bytes_new (r->client_id, r->client_id_len);
  if (l == NULL)
    l = hearth_dhcp_lease_table_add (t, r->addr, r->hwtype, r->hwaddr, r->hwlen, clid);
  else
    hearth_dhcp_lease_set_client (t, l, r->hwtype, r->hwaddr, r->hwlen, clid);
  if (r->expires_wall == 0)
    hearth_dhcp_lease_set_expiry (t, l, st->now_mono, HEARTH_DHCP_LEASE_INFINITE);
  else
    {
      /* Only the end is on disk; the lease time is what is left of it. */
      remaining = r->expires_wall - st->now_wall;
      length = (guint32) MIN (remaining, (gint64) G_MAXUINT32 - 1);
      hearth_dhcp_lease_set_expiry (t, l, st->now_mono, length);
    }
  hearth_dhcp_lease_set_hostname (t, l, r->hostname[0] != '\0' && hearth_dhcp_hostname_is_valid (r->hostname) ? r->hostname : NULL);
  hearth_dhcp_lease_table_commit (t, l, HEARTH_DHCP_LEASE_REASON_LOADED);
  st->loaded++;
}

static void
init_error_cb (guint line, const char *message, gpointer user_data)
{
  g_warning (_("dhcp-script init output:%u: %s, ignoring"), line, message);
}

static gboolean
compact_now (HearthDhcpService *svc, GError **error)
{
  g_autoptr (GPtrArray) all = NULL;
  g_autofree HearthDhcpLeaseRecord *records = NULL;
  gint64 now_mono = g_get_monotonic_time (), now_wall = g_get_real_time () / G_USEC_PER_SEC;

  if (svc->store == NULL)
    return TRUE;
  sync_collect (svc, TRUE);
  all = hearth_dhcp_lease_table_list (svc->leases);
  records = g_new0 (HearthDhcpLeaseRecord, MAX (all->len, 1));
  for (guint i = 0; i < all->len; i++)
    hearth_dhcp_lease_to_record (g_ptr_array_index (all, i), now_mono, now_wall, &records[i]);
  if (!hearth_dhcp_lease_store_compact (svc->store, records, all->len, error))
    return FALSE;
  /* Everything is on disk, the changes not written before included: from
   * here on ACKs wait for the disk again. */
  if (svc->failing)
    g_message (_("lease file %s written again"), hearth_dhcp_lease_store_get_path (svc->store));
  svc->failing = FALSE;
  svc->warned_compact = FALSE;
  send_replies (svc, svc->waiting);
  return TRUE;
}

static gboolean
load_leases (HearthDhcpService *svc, int *out_init_status, GError **error)
{
  LoadState st = { svc, g_get_monotonic_time (), g_get_real_time () / G_USEC_PER_SEC, 0, 0 };
  gboolean ok = TRUE;

  svc->loading = TRUE;
  if (svc->config->lease_file_ro)
    {
      /* The script is the lease database: "init" prints it. */
      if (svc->config->script != NULL)
        {
          g_autofree char *out = NULL;
          gsize len = 0;
          int status = 0;

          if (!hearth_dhcp_script_run_init (svc->config->script, &out, &len, &status, error))
            {
              *out_init_status = status;
              ok = FALSE;
            }
          else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
            {
              int code = WIFEXITED (status) ? WEXITSTATUS (status) : 1;

              *out_init_status = code;
              g_set_error (error, HEARTH_DHCP_SERVICE_ERROR, HEARTH_DHCP_SERVICE_ERROR_INIT,
                           _("dhcp-script %s init failed with status %d"), svc->config->script, code);
              ok = FALSE;
            }
          else
            hearth_dhcp_lease_file_parse (out, len, FALSE, load_record_cb, init_error_cb, &st);
        }
    }
  else
    {
      const char *path = svc->config->lease_file != NULL ? svc->config->lease_file : HEARTH_DHCP_DEFAULT_LEASE_FILE;
      g_autoptr (GError) local = NULL;

      svc->store = hearth_dhcp_lease_store_new (path);
      hearth_dhcp_lease_store_set_sync_func (svc->store, sync_done_cb, svc);
      if (!hearth_dhcp_lease_store_load (svc->store, load_record_cb, &st, &local))
        {
          g_set_error (error, HEARTH_DHCP_SERVICE_ERROR, HEARTH_DHCP_SERVICE_ERROR_FILE, "%s", local->message);
          ok = FALSE;
        }
      else if (!compact_now (svc, &local))
        g_warning (_("cannot rewrite lease file %s: %s"), path, local->message);
    }
  svc->loading = FALSE;
  /* Said once logging is set up (hearth_dhcp_service_start). */
  svc->loaded = st.loaded;
  svc->expired_at_load = st.expired;
  return ok;
}

/* ---- hosts files ---- */

static void
add_host_line (HearthDhcpService *svc, const char *owner, guint line, const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpHost *host = NULL;
  gboolean v6 = FALSE;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (stripped[0] == '\0' || stripped[0] == '#')
    return;
  if (!hearth_dhcp_host_parse (stripped, &host, &v6, &error))
    {
      g_warning ("%s:%u: %s, ignoring", owner, line, error->message);
      return;
    }
  if (host == NULL)
    return;
  g_free (host->owner);
  host->owner = g_strdup (owner);
  hearth_dhcp4_server_add_host (svc->server, host);
}

static void
read_hosts_file (HearthDhcpService *svc, const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  hearth_dhcp4_server_remove_hosts_by_owner (svc->server, path, NULL);
  if (!g_file_get_contents (path, &data, NULL, &error))
    {
      g_warning (_("cannot read %s: %s"), path, error->message);
      return;
    }
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    add_host_line (svc, path, i + 1, lines[i]);
}

static void
read_ethers (HearthDhcpService *svc)
{
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;

  hearth_dhcp4_server_remove_hosts_by_owner (svc->server, "/etc/ethers", NULL);
  if (!g_file_get_contents ("/etc/ethers", &data, NULL, NULL))
    return;
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      g_autofree char *spec = NULL;
      char *hash = strchr (lines[i], '#');

      if (hash != NULL)
        *hash = '\0';
      f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      if (g_strv_length (f) < 2)
        continue;
      /* "mac address-or-name": a name becomes a name-matching host. */
      spec = g_strdup_printf ("%s,%s", f[0], f[g_strv_length (f) - 1]);
      add_host_line (svc, "/etc/ethers", i + 1, spec);
    }
}

/* ---- option files ----
 * --dhcp-optsfile and --dhcp-optsdir files hold --dhcp-option values,
 * one per line, quoted and commented as in a configuration file. */

static void
read_opts_file (HearthDhcpService *svc, const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *options = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_option_free);

  if (!g_file_get_contents (path, &data, NULL, &error))
    {
      g_warning (_("cannot read %s: %s"), path, error->message);
      hearth_dhcp4_server_set_file_options (svc->server, path, options);
      return;
    }
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *text = g_strstrip (g_strdup (lines[i]));
      g_autofree char *line = NULL;
      g_autoptr (HearthConfigItem) item = NULL;
      HearthDhcpOption *option = NULL;
      gboolean v6 = FALSE;

      if (text[0] == '\0' || text[0] == '#')
        continue;
      /* The configuration tokenizer does the quoting and comments. */
      line = g_strconcat ("dhcp-option=", text, NULL);
      if (!hearth_config_parse_line (line, path, i + 1, &item, &error))
        {
          g_warning ("%s, ignoring", error->message);
          g_clear_error (&error);
          continue;
        }
      if (item == NULL)
        continue;
      if (!hearth_dhcp_option_parse_full (item->value, item->quoted, FALSE, &option, &v6, &error))
        {
          g_warning ("%s:%u: %s, ignoring", path, i + 1, error->message);
          g_clear_error (&error);
          continue;
        }
      if (option != NULL)
        g_ptr_array_add (options, option);
    }
  hearth_dhcp4_server_set_file_options (svc->server, path, options);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The regular files of a directory, in name order, dot files left out. */
static GPtrArray *
list_dir (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *path = g_build_filename (dir, name, NULL);

      if (name[0] != '.' && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (paths, path);
      else
        g_free (path);
    }
  g_ptr_array_sort (paths, compare_paths);
  return paths;
}

static void
read_all_opts (HearthDhcpService *svc)
{
  const HearthDhcpConfig *c = svc->config;

  hearth_dhcp4_server_set_file_options (svc->server, NULL, NULL);
  for (guint i = 0; i < c->opts_files->len; i++)
    {
      const char *path = g_ptr_array_index (c->opts_files, i);

      /* A directory given to --dhcp-optsfile: every file in it. */
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GPtrArray) paths = list_dir (path);

          for (guint k = 0; k < paths->len; k++)
            read_opts_file (svc, g_ptr_array_index (paths, k));
        }
      else
        read_opts_file (svc, path);
    }
  for (guint i = 0; i < c->opts_dirs->len; i++)
    {
      g_autoptr (GPtrArray) paths = list_dir (g_ptr_array_index (c->opts_dirs, i));

      for (guint k = 0; k < paths->len; k++)
        read_opts_file (svc, g_ptr_array_index (paths, k));
    }
}

static void
read_all_hosts (HearthDhcpService *svc)
{
  const HearthDhcpConfig *c = svc->config;

  for (guint i = 0; i < c->hosts_files->len; i++)
    read_hosts_file (svc, g_ptr_array_index (c->hosts_files, i));
  for (guint i = 0; i < c->hosts_dirs->len; i++)
    {
      g_autoptr (GPtrArray) paths = list_dir (g_ptr_array_index (c->hosts_dirs, i));

      for (guint k = 0; k < paths->len; k++)
        read_hosts_file (svc, g_ptr_array_index (paths, k));
    }
  if (c->read_ethers)
    read_ethers (svc);
}

/* ---- the socket ---- */

/* A wildcard UDP socket on @port that tells the arrival interface. */
static int
open_socket (guint16 port, GError **error)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port) };
  int one = 1;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int e;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _("cannot create DHCP socket: %s"),
                   g_strerror (errno));
      return -1;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  setsockopt (fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) == 0)
    return fd;
  e = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), _("failed to bind DHCP server socket to port %u: %s"),
               port, g_strerror (e));
  close (fd);
  return -1;
}

gboolean
hearth_dhcp_service_open (HearthDhcpService *svc, int *out_init_status, GError **error)
{
  int init_status = 0;

  read_all_hosts (svc);
  read_all_opts (svc);
  if (!load_leases (svc, &init_status, error))
    {
      if (out_init_status != NULL)
        *out_init_status = init_status;
      return FALSE;
    }
  svc->fd = open_socket (svc->config->server_port != 0 ? svc->config->server_port : 67, error);
  if (svc->fd < 0)
    return FALSE;
  /* PXE boot server discovery has a port of its own. */
  if (hearth_dhcp_config_pxe_enabled (svc->config))
    {
      svc->pxe_fd = open_socket (HEARTH_DHCP4_PXE_PORT, error);
      if (svc->pxe_fd < 0)
        return FALSE;
    }
  /* The ping check needs a raw socket, opened while we may. */
  if (!svc->config->no_ping)
    {
      svc->icmp_fd = socket (AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
      if (svc->icmp_fd < 0)
        g_warning (_("cannot open an ICMP socket (%s): addresses are offered without a ping check"),
                   g_strerror (errno));
      svc->icmp_id = (guint16) getpid ();
    }
  return TRUE;
}

gboolean
hearth_dhcp_service_start_script (HearthDhcpService *svc, GError **error)
{
  g_autoptr (GPtrArray) all = NULL;

  if (svc->config->script == NULL)
    return TRUE;
  svc->script = hearth_dhcp_script_new (svc->config->script, svc->config->script_user, error);
  if (svc->script == NULL)
    return FALSE;
  /* dnsmasq tells the script about every lease it starts with. */
  if (!svc->config->lease_file_ro)
    {
      all = hearth_dhcp_lease_table_list (svc->leases);
      for (guint i = 0; i < all->len; i++)
        queue_script (svc, HEARTH_DHCP_SCRIPT_OLD, g_ptr_array_index (all, i), NULL, TRUE);
    }
  return TRUE;
}

static gboolean
add_arp_entry (HearthDhcpService *svc, const HearthDhcp4Reply *r)
{
  struct arpreq req;
  struct sockaddr_in *pa = (struct sockaddr_in *) &req.arp_pa;
  const HearthNetLink *link = hearth_net_monitor_get_link (svc->monitor, r->ifindex);

  if (link == NULL || r->hwlen > sizeof req.arp_ha.sa_data)
    return FALSE;
  memset (&req, 0, sizeof req);
  pa->sin_family = AF_INET;
  pa->sin_addr.s_addr = htonl (r->dst_addr);
  req.arp_ha.sa_family = r->hwtype;
  memcpy (req.arp_ha.sa_data, r->hwaddr, r->hwlen);
  g_strlcpy (req.arp_dev, link->name, sizeof req.arp_dev);
  req.arp_flags = ATF_COM;
  return ioctl (svc->fd, SIOCSARP, &req) == 0;
}

static void
send_reply (HearthDhcpService *svc, const HearthDhcp4Reply *r, const guint8 *data)
{
  struct sockaddr_in dst = { .sin_family = AF_INET };
  union {
    char buf[CMSG_SPACE (sizeof (struct in_pktinfo))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { (void *) data, r->len };
  struct msghdr mh = { 0 };
  struct cmsghdr *cm;
  struct in_pktinfo *pi;
  guint32 to = r->dst_addr;

  if (r->via_arp && !add_arp_entry (svc, r))
    to = 0xffffffffu;
  dst.sin_port = htons (r->dst_port);
  dst.sin_addr.s_addr = htonl (to);
  memset (&control, 0, sizeof control);
  mh.msg_name = &dst;
  mh.msg_namelen = sizeof dst;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control.buf;
  mh.msg_controllen = sizeof control.buf;
  cm = CMSG_FIRSTHDR (&mh);
  cm->cmsg_level = IPPROTO_IP;
  cm->cmsg_type = IP_PKTINFO;
  cm->cmsg_len = CMSG_LEN (sizeof (struct in_pktinfo));
  pi = (struct in_pktinfo *) CMSG_DATA (cm);
  /* A broadcast must leave by the interface the request came in on. */
  pi->ipi_ifindex = to == 0xffffffffu ? (int) r->ifindex : 0;
  pi->ipi_spec_dst.s_addr = htonl (r->src_addr);
  if (sendmsg (r->src_port == HEARTH_DHCP4_PXE_PORT && svc->pxe_fd >= 0 ? svc->pxe_fd : svc->fd, &mh, 0) < 0)
    g_debug ("cannot send DHCP reply: %s", g_strerror (errno));
}

/* ---- the lease file ----
 * A reply that depends on lease changes (an ACK) waits until they are on
 * disk. Packet handling hands the changes to the store's sync thread and
 * goes on; replies to packets handled meanwhile wait in svc->waiting for
 * the next batch, which is handed over as soon as the one before is done
 * (group commit: one fdatasync for everything that came in during the
 * last). Administrative changes (D-Bus, release) are synced at once.
 *
 * When the file cannot be written (disk full, I/O error), replies go out
 * at once (the server serves from memory) and the store retries every
 * RETRY_DELAY_MS; PATH itself is never touched by a failed write. */

static void
send_replies (HearthDhcpService *svc, GArray *replies)
{
  for (guint i = 0; i < replies->len; i++)
    {
      PendingReply *p = &g_array_index (replies, PendingReply, i);

      send_reply (svc, &p->reply, p->data);
      g_free (p->data);
    }
  g_array_set_size (replies, 0);
}

static void
set_reading (HearthDhcpService *svc, gboolean on)
{
  if (on && svc->fd >= 0 && svc->fd_source == 0)
    svc->fd_source = g_unix_fd_add (svc->fd, G_IO_IN, socket_cb, svc);
  else if (!on && svc->fd_source != 0)
    {
      g_source_remove (svc->fd_source);
      svc->fd_source = 0;
    }
}

/* The whole file is rewritten when changes pause (so people reading it
 * see the leases soon), when the journal has grown, or after
 * COMPACT_STALE_MS of steady changes; never on every change. */
static gboolean
compact_cb (gpointer user_data)
{
  HearthDhcpService *svc = user_data;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 quiet_ms = (now - svc->last_change) / 1000;

  svc->compact_source = 0;
  if (svc->dirty_since != 0 && quiet_ms < COMPACT_DELAY_MS && (now - svc->dirty_since) / 1000 < COMPACT_STALE_MS)
    {
      svc->compact_source = g_timeout_add ((guint) (COMPACT_DELAY_MS - quiet_ms), compact_cb, svc);
      return G_SOURCE_REMOVE;
    }
  if (!compact_now (svc, &error))
    {
      svc->write_errors++;
      if (!svc->warned_compact)
        g_warning (_("cannot rewrite the lease file: %s; retrying"), error->message);
      svc->warned_compact = TRUE;
      svc->compact_source = g_timeout_add (RETRY_DELAY_MS * 5, compact_cb, svc);
      return G_SOURCE_REMOVE;
    }
  svc->dirty_since = 0;
  return G_SOURCE_REMOVE;
}

/* Changes reached the disk: plan the rewrite of the whole file. */
static void
synced (HearthDhcpService *svc)
{
  gint64 now = g_get_monotonic_time ();

  svc->sync_batches++;
  if (svc->failing)
    g_message (_("lease file %s written again"), hearth_dhcp_lease_store_get_path (svc->store));
  svc->failing = FALSE;
  svc->last_change = now;
  if (svc->dirty_since == 0)
    svc->dirty_since = now;
  if (hearth_dhcp_lease_store_should_compact (svc->store, hearth_dhcp_lease_table_size (svc->leases)))
    {
      if (svc->compact_source != 0)
        g_source_remove (svc->compact_source);
      svc->compact_source = 0;
      svc->dirty_since = 1; /* due now */
      svc->last_change = 0;
      compact_cb (svc);
    }
  else if (svc->compact_source == 0)
    svc->compact_source = g_timeout_add (COMPACT_DELAY_MS, compact_cb, svc);
}

static gboolean retry_cb (gpointer user_data);

/* Changes did not reach the disk: serve from memory, retry later. */
static void
sync_failed (HearthDhcpService *svc, const GError *error)
{
  svc->write_errors++;
  if (!svc->failing)
    g_warning (_("%s; serving leases from memory and retrying"), error->message);
  svc->failing = TRUE;
  send_replies (svc, svc->inflight);
  send_replies (svc, svc->waiting);
  if (svc->retry_source == 0)
    svc->retry_source = g_timeout_add (RETRY_DELAY_MS, retry_cb, svc);
}

/* Writes everything pending here and now (the batch out first). */
static void
sync_now (HearthDhcpService *svc)
{
  g_autoptr (GError) error = NULL;

  if (svc->store == NULL)
    return;
  sync_collect (svc, TRUE);
  if (!hearth_dhcp_lease_store_has_pending (svc->store))
    {
      send_replies (svc, svc->waiting);
      return;
    }
  if (!hearth_dhcp_lease_store_flush (svc->store, &error))
    {
      sync_failed (svc, error);
      return;
    }
  send_replies (svc, svc->waiting);
  synced (svc);
}

/* Hands the pending changes to the sync thread if it is free. */
static void
sync_start (HearthDhcpService *svc)
{
  if (svc->store == NULL || svc->failing || hearth_dhcp_lease_store_is_busy (svc->store))
    return;
  if (!hearth_dhcp_lease_store_has_pending (svc->store))
    {
      send_replies (svc, svc->waiting);
      return;
    }
  if (!hearth_dhcp_lease_store_submit (svc->store))
    {
      sync_now (svc);
      return;
    }
  /* The replies waiting so far depend on this batch and no later one. */
  g_array_append_vals (svc->inflight, svc->waiting->data, svc->waiting->len);
  g_array_set_size (svc->waiting, 0);
}

/* Takes the result of the batch out (waiting for it, or not). */
static void
sync_collect (HearthDhcpService *svc, gboolean wait)
{
  g_autoptr (GError) error = NULL;

  switch (hearth_dhcp_lease_store_collect (svc->store, wait, &error))
    {
    case HEARTH_DHCP_LEASE_STORE_IDLE:
    case HEARTH_DHCP_LEASE_STORE_RUNNING:
      break;
    case HEARTH_DHCP_LEASE_STORE_SYNCED:
      send_replies (svc, svc->inflight);
      synced (svc);
      break;
    case HEARTH_DHCP_LEASE_STORE_FAILED:
      sync_failed (svc, error);
      break;
    }
}

static void
sync_done_cb (HearthDhcpLeaseStore *store, gpointer user_data)
{
  HearthDhcpService *svc = user_data;

  (void) store;
  sync_collect (svc, FALSE);
  sync_start (svc);
  if (svc->waiting->len < WAITING_MAX)
    set_reading (svc, TRUE);
}

static gboolean
retry_cb (gpointer user_data)
{
  HearthDhcpService *svc = user_data;

  svc->retry_source = 0;
  sync_now (svc);
  if (svc->failing)
    svc->retry_source = g_timeout_add (RETRY_DELAY_MS, retry_cb, svc);
  return G_SOURCE_REMOVE;
}

/* ---- the ping check ----
 * Before a new address is offered it is pinged once (RFC 2131 3.1,
 * "SHOULD probe"); the offer waits PING_WAIT_MS for an echo reply. An
 * answer means some machine uses the address without a lease: the offer
 * is dropped and the address kept out of use, and the client's next
 * DISCOVER gets another one. Silence is remembered for a while so a
 * retransmitting client is not pinged again. */

static guint16
icmp_checksum (const guint8 *p, gsize len)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (guint32) (p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (guint32) p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

/* "DHCPOFFER(eth0) 10.0.0.5 52:54:00:..", as dnsmasq logs it, when the
 * offer actually leaves. */
static void
log_offer (HearthDhcpService *svc, const HearthDhcp4Reply *r, const guint8 *data)
{
  char ip[INET_ADDRSTRLEN], mac[HEARTH_DHCP_HWADDR_STRING_MAX];
  const HearthNetLink *link = hearth_net_monitor_get_link (svc->monitor, r->ifindex);
  guint32 yiaddr;

  if (r->type != HEARTH_DHCP4_OFFER || r->len < HEARTH_DHCP4_FIXED_LEN ||
      (svc->config->quiet_dhcp && !svc->config->log_dhcp))
    return;
  memcpy (&yiaddr, data + 16, 4);
  format_addr (ntohl (yiaddr), ip);
  hearth_dhcp_format_hwaddr (data[1], data + 28, MIN (data[2], HEARTH_DHCP_HWADDR_MAX), mac, sizeof mac);
  g_info ("DHCPOFFER(%s) %s %s", link != NULL ? link->name : "?", ip, mac);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;
  HearthDhcpService *svc = d->svc;

  d->timer = 0;
  log_offer (svc, &d->reply, d->data);
  send_reply (svc, &d->reply, d->data);
  g_ptr_array_remove_fast (svc->delayed, d);
  return G_SOURCE_REMOVE;
}

/* An offer leaves now, or after its --dhcp-reply-delay. */
static void
send_offer (HearthDhcpService *svc, const HearthDhcp4Reply *reply, const guint8 *data)
{
  Delayed *d;

  if (reply->delay_seconds == 0)
    {
      log_offer (svc, reply, data);
      send_reply (svc, reply, data);
      return;
    }
  /* The client asks again if this one is dropped. */
  if (svc->delayed->len >= DELAYED_MAX)
    return;
  d = g_new0 (Delayed, 1);
  d->svc = svc;
  d->reply = *reply;
  d->data = g_memdup2 (data, reply->len);
  /* Precise, not g_timeout_add_seconds(): "at least" the delay. */
  d->timer = g_timeout_add (reply->delay_seconds * 1000, delayed_cb, d);
  g_ptr_array_add (svc->delayed, d);
}

static void
send_ping_reply (Ping *p)
{
  send_offer (p->svc, &p->reply, p->data);
}

static gboolean
ping_timeout_cb (gpointer user_data)
{
  Ping *p = user_data;
  HearthDhcpService *svc = p->svc;

  p->timer = 0;
  g_hash_table_insert (svc->silent, GUINT_TO_POINTER (p->addr), GINT_TO_POINTER ((gint) (g_get_monotonic_time () / G_USEC_PER_SEC)));
  send_ping_reply (p);
  g_hash_table_remove (svc->pings, GUINT_TO_POINTER (p->addr));
  return G_SOURCE_REMOVE;
}

static gboolean
icmp_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthDhcpService *svc = user_data;
  guint8 buf[1500];

  for (guint i = 0; i < BATCH_MAX; i++)
    {
      struct sockaddr_in from;
      socklen_t from_len = sizeof from;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len);
      gsize ihl;
      Ping *p;
      char a[INET_ADDRSTRLEN];

      if (n < 0)
        break;
      if (n < 20)
        continue;
      ihl = (gsize) (buf[0] & 0x0f) * 4;
      if (ihl < 20 || (gsize) n - ihl < 8)
        continue;
      /* Echo reply (type 0) to one of our pings. */
      if (buf[ihl] != 0 || ((guint16) buf[ihl + 4] << 8 | buf[ihl + 5]) != svc->icmp_id)
        continue;
      p = g_hash_table_lookup (svc->pings, GUINT_TO_POINTER (ntohl (from.sin_addr.s_addr)));
      if (p == NULL)
        continue;
      svc->pings_answered++;
      format_addr (p->addr, a);
      g_warning (_("%s answers a ping but has no lease: not offered, kept out of use for 10 minutes"), a);
      hearth_dhcp4_server_quarantine (svc->server, p->addr, HEARTH_DHCP4_DECLINE_HOLD_SECONDS, g_get_monotonic_time ());
      g_hash_table_remove (svc->pings, GUINT_TO_POINTER (p->addr));
    }
  return G_SOURCE_CONTINUE;
}

/* TRUE when the offer was held back for a ping (it is then sent later). */
static gboolean
ping_before_offer (HearthDhcpService *svc, const HearthDhcp4Reply *reply, const guint8 *data)
{
  struct sockaddr_in to = { .sin_family = AF_INET };
  guint8 echo[16] = { 8, 0 };
  guint16 sum;
  Ping *p;
  gpointer silent_since;
  gint64 now_s = g_get_monotonic_time () / G_USEC_PER_SEC;
  guint32 addr;

  if (svc->icmp_fd < 0 || reply->type != HEARTH_DHCP4_OFFER || reply->len < HEARTH_DHCP4_FIXED_LEN)
    return FALSE;
  memcpy (&addr, data + 16, 4);
  addr = ntohl (addr);
  /* Only addresses nobody holds a lease on, not pinged lately. */
  if (hearth_dhcp_lease_table_lookup_addr (svc->leases, addr) != NULL)
    return FALSE;
  if (g_hash_table_lookup_extended (svc->silent, GUINT_TO_POINTER (addr), NULL, &silent_since) &&
      now_s - GPOINTER_TO_INT (silent_since) < PING_CACHE_SECONDS)
    return FALSE;
  if (g_hash_table_contains (svc->pings, GUINT_TO_POINTER (addr)))
    return TRUE; /* a retransmission while the first ping is out */
  if (g_hash_table_size (svc->pings) >= PING_PENDING_MAX)
    return FALSE;
  if (g_hash_table_size (svc->silent) > 4 * PING_PENDING_MAX)
    g_hash_table_remove_all (svc->silent);
  echo[4] = svc->icmp_id >> 8;
  echo[5] = svc->icmp_id & 0xff;
  svc->icmp_seq++;
  echo[6] = svc->icmp_seq >> 8;
  echo[7] = svc->icmp_seq & 0xff;
  sum = icmp_checksum (echo, sizeof echo);
  echo[2] = sum >> 8;
  echo[3] = sum & 0xff;
  to.sin_addr.s_addr = htonl (addr);
  if (sendto (svc->icmp_fd, echo, sizeof echo, 0, (struct sockaddr *) &to, sizeof to) < 0)
    return FALSE;
  p = g_new0 (Ping, 1);
  p->svc = svc;
  p->addr = addr;
  p->reply = *reply;
  p->data = g_memdup2 (data, reply->len);
  p->timer = g_timeout_add (PING_WAIT_MS, ping_timeout_cb, p);
  g_hash_table_insert (svc->pings, GUINT_TO_POINTER (addr), p);
  return TRUE;
}

/* ---- --dhcp-relay ---- */

static gboolean
link_has_ipv4 (const HearthNetLink *link, guint32 addr)
{
  guint32 n = htonl (addr);

  for (guint i = 0; i < link->addresses->len; i++)
    {
      const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);

      if (a->family == AF_INET && memcmp (a->bytes, &n, 4) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
send_raw (HearthDhcpService *svc, const guint8 *data, gsize len, guint32 to, guint16 port, guint32 from,
          guint ifindex)
{
  HearthDhcp4Reply r = { 0 };

  r.len = len;
  r.dst_addr = to;
  r.dst_port = port;
  r.src_addr = from;
  r.ifindex = ifindex;
  send_reply (svc, &r, data);
}

/* A request arriving on a relay's interface goes to its server with our
 * address as giaddr; the server's reply to that giaddr goes back to the
 * client. TRUE when the packet was relayed (it is then not served here). */
static gboolean
relay_packet (HearthDhcpService *svc, const HearthNetLink *link, gsize len)
{
  guint8 *p = svc->rx;
  guint32 giaddr;

  if (svc->config->relays->len == 0 || len < HEARTH_DHCP4_FIXED_LEN)
    return FALSE;
  memcpy (&giaddr, p + 24, 4);
  giaddr = ntohl (giaddr);
  for (guint i = 0; i < svc->config->relays->len; i++)
    {
      const HearthDhcpRelay *relay = g_ptr_array_index (svc->config->relays, i);

      if (p[0] == HEARTH_DHCP4_BOOTREQUEST && link_has_ipv4 (link, relay->local) &&
          (relay->interface == NULL || hearth_net_interface_name_matches (relay->interface, link->name)))
        {
          guint32 g = htonl (relay->local);

          if (p[3] >= 16)
            return TRUE; /* too many hops: drop */
          p[3]++;
          if (giaddr == 0)
            memcpy (p + 24, &g, 4);
          send_raw (svc, p, len, relay->server, relay->server_port != 0 ? relay->server_port : 67, relay->local, 0);
          return TRUE;
        }
      if (p[0] == HEARTH_DHCP4_BOOTREPLY && giaddr == relay->local)
        {
          guint32 ciaddr;
          guint16 flags;
          const HearthNetLink *out;
          guint32 n = htonl (relay->local);
          guint16 cport = svc->config->client_port != 0 ? svc->config->client_port : 68;

          memcpy (&ciaddr, p + 12, 4);
          memcpy (&flags, p + 10, 2);
          out = hearth_net_monitor_find_address (svc->monitor, AF_INET, &n);
          if (out == NULL)
            return TRUE;
          if (ciaddr != 0 && !(ntohs (flags) & HEARTH_DHCP4_FLAG_BROADCAST))
            send_raw (svc, p, len, ntohl (ciaddr), cport, relay->local, out->index);
          else
            send_raw (svc, p, len, 0xffffffffu, cport, relay->local, out->index);
          return TRUE;
        }
    }
  return FALSE;
}

static void
handle_packet (HearthDhcpService *svc, gsize len, guint ifindex, guint32 src, guint16 sport, guint32 dst,
               guint16 local_port)
{
  const HearthNetLink *link = hearth_net_monitor_get_link (svc->monitor, ifindex);
  HearthDhcp4Subnet subnets[SUBNETS_MAX];
  HearthDhcp4Request req = { 0 };
  HearthDhcp4Reply reply;
  guint n = 0;

  if (link == NULL)
    return;
  if (relay_packet (svc, link, len))
    return;
  if (!hearth_net_policy_dhcp_on_link (svc->policy, link))
    return;
  for (guint i = 0; i < link->addresses->len && n < SUBNETS_MAX; i++)
    {
      const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);
      guint32 v;

      if (a->family != AF_INET)
        continue;
      memcpy (&v, a->bytes, 4);
      subnets[n].addr = ntohl (v);
      subnets[n].prefix_len = a->prefix_len;
      n++;
    }
  req.ifindex = ifindex;
  req.ifname = link->name;
  req.subnets = subnets;
  req.n_subnets = n;
  req.mtu = link->mtu;
  req.src_addr = src;
  req.src_port = sport;
  req.unicast = dst != 0xffffffffu;
  req.local_port = local_port;
  req.now = g_get_monotonic_time ();
  hearth_dhcp4_server_handle (svc->server, svc->rx, len, &req, svc->msg, svc->tx, &reply);
  if (reply.len == 0)
    return;
  /* An ACK waits for its lease on disk; also when the change was made by
   * an earlier copy of the request and is still on its way there. */
  if (reply.durable && svc->store != NULL && !svc->failing
      && (hearth_dhcp_lease_store_has_pending (svc->store) || hearth_dhcp_lease_store_is_busy (svc->store)))
    {
      PendingReply p = { reply, g_memdup2 (svc->tx, reply.len) };

      g_array_append_val (svc->waiting, p);
      return;
    }
  if (ping_before_offer (svc, &reply, svc->tx))
    return;
  send_offer (svc, &reply, svc->tx);
}

static gboolean
socket_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthDhcpService *svc = user_data;

  for (guint i = 0; i < BATCH_MAX; i++)
    {
      struct sockaddr_in from;
      union {
        char buf[CMSG_SPACE (sizeof (struct in_pktinfo))];
        struct cmsghdr align;
      } control;
      struct iovec iov = { svc->rx, HEARTH_DHCP4_PACKET_MAX };
      struct msghdr mh = { &from, sizeof from, &iov, 1, control.buf, sizeof control.buf, 0 };
      guint ifindex = 0;
      guint32 dst = 0xffffffffu;
      ssize_t n = recvmsg (fd, &mh, 0);

      if (n < 0)
        break;
      if (mh.msg_flags & MSG_TRUNC)
        continue;
      for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm != NULL; cm = CMSG_NXTHDR (&mh, cm))
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
          {
            struct in_pktinfo pi;

            memcpy (&pi, CMSG_DATA (cm), sizeof pi);
            ifindex = pi.ipi_ifindex;
            dst = ntohl (pi.ipi_addr.s_addr);
          }
      if (ifindex == 0)
        continue;
      handle_packet (svc, n, ifindex, ntohl (from.sin_addr.s_addr), ntohs (from.sin_port), dst,
                     fd == svc->pxe_fd ? HEARTH_DHCP4_PXE_PORT : 0);
    }
  /* The changes on their way to disk; the acknowledgements follow them. */
  sync_start (svc);
  schedule_expiry (svc);
  if (fd == svc->fd && svc->waiting->len >= WAITING_MAX)
    {
      svc->fd_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- expiry ---- */

static gboolean
expiry_cb (gpointer user_data)
{
  HearthDhcpService *svc = user_data;
  guint n;

  svc->expiry_source = 0;
  svc->expiry_at = 0;
  n = hearth_dhcp_lease_table_expire (svc->leases, g_get_monotonic_time ());
  if (n > 0)
    sync_start (svc);
  schedule_expiry (svc);
  return G_SOURCE_REMOVE;
}

static void
schedule_expiry (HearthDhcpService *svc)
{
  gint64 next = hearth_dhcp_lease_table_next_expiry (svc->leases);
  gint64 now = g_get_monotonic_time ();
  gint64 ms;

  if (next == HEARTH_DHCP_LEASE_NEVER)
    return;
  if (svc->expiry_source != 0 && svc->expiry_at <= next)
    return;
  if (svc->expiry_source != 0)
    g_source_remove (svc->expiry_source);
  ms = next > now ? (next - now) / 1000 + 1 : 0;
  /* Wake at least hourly: cheap, and bounds any surprise. */
  ms = MIN (ms, 3600 * 1000);
  svc->expiry_at = now + ms * 1000;
  svc->expiry_source = g_timeout_add ((guint) ms, expiry_cb, svc);
}

static void
forget_hosts_file (HearthDhcpService *svc, const char *path)
{
  hearth_dhcp4_server_remove_hosts_by_owner (svc->server, path, NULL);
}

static void
forget_opts_file (HearthDhcpService *svc, const char *path)
{
  hearth_dhcp4_server_set_file_options (svc->server, path, NULL);
}

/* What a watched directory holds: its files are read by read, and what
 * a file gave is taken back by forget. */
typedef struct {
  void (*read) (HearthDhcpService *svc, const char *path);
  void (*forget) (HearthDhcpService *svc, const char *path);
} DirKind;

static const DirKind hosts_dir_kind = { read_hosts_file, forget_hosts_file };
static const DirKind opts_dir_kind = { read_opts_file, forget_opts_file };

/* A --dhcp-hostsdir or --dhcp-optsdir file changed, appeared or went
 * away: what it gave is replaced by what it holds now; the other files'
 * stay. */
static void
dir_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  HearthDhcpService *svc = user_data;
  const DirKind *kind = g_object_get_data (G_OBJECT (monitor), "hearth-dir-kind");
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = g_file_get_basename (file);

  if (path == NULL || base == NULL || (base[0] == '.' && event != G_FILE_MONITOR_EVENT_RENAMED))
    return;
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          kind->read (svc, path);
          g_info (_("read %s"), path);
        }
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      kind->forget (svc, path);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      {
        /* libvirt-style writers write "f.new" and rename it over "f". */
        g_autofree char *to = other != NULL ? g_file_get_path (other) : NULL;
        g_autofree char *to_base = other != NULL ? g_file_get_basename (other) : NULL;

        kind->forget (svc, path);
        if (to != NULL && to_base != NULL && to_base[0] != '.' && g_file_test (to, G_FILE_TEST_IS_REGULAR))
          kind->read (svc, to);
        break;
      }
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
      break;
    }
}

static void
watch_dirs (HearthDhcpService *svc, GPtrArray *dirs, const DirKind *kind)
{
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autoptr (GFile) dir = g_file_new_for_path (g_ptr_array_index (dirs, i));
      g_autoptr (GError) error = NULL;
      GFileMonitor *m = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);

      if (m == NULL)
        {
          g_warning (_("cannot watch %s: %s; it is read on SIGHUP only"), (const char *) g_ptr_array_index (dirs, i),
                     error->message);
          continue;
        }
      g_object_set_data (G_OBJECT (m), "hearth-dir-kind", (gpointer) kind);
      g_signal_connect (m, "changed", G_CALLBACK (dir_changed_cb), svc);
      g_ptr_array_add (svc->dir_monitors, m);
    }
}

void
hearth_dhcp_service_start (HearthDhcpService *svc)
{
  if (svc->store != NULL || svc->config->lease_file_ro)
    g_info (_("%u DHCP leases loaded, %u expired ones dropped"), svc->loaded, svc->expired_at_load);
  if (svc->dir_monitors->len == 0)
    {
      watch_dirs (svc, svc->config->hosts_dirs, &hosts_dir_kind);
      watch_dirs (svc, svc->config->opts_dirs, &opts_dir_kind);
    }
  if (svc->fd >= 0 && svc->fd_source == 0)
    svc->fd_source = g_unix_fd_add (svc->fd, G_IO_IN, socket_cb, svc);
  if (svc->pxe_fd >= 0 && svc->pxe_source == 0)
    svc->pxe_source = g_unix_fd_add (svc->pxe_fd, G_IO_IN, socket_cb, svc);
  if (svc->icmp_fd >= 0 && svc->icmp_source == 0)
    svc->icmp_source = g_unix_fd_add (svc->icmp_fd, G_IO_IN, icmp_cb, svc);
  schedule_expiry (svc);
}

void
hearth_dhcp_service_reload (HearthDhcpService *svc)
{
  g_autoptr (GPtrArray) all = NULL;

  read_all_hosts (svc);
  read_all_opts (svc);
  all = hearth_dhcp_lease_table_list (svc->leases);
  for (guint i = 0; i < all->len; i++)
    queue_script (svc, HEARTH_DHCP_SCRIPT_OLD, g_ptr_array_index (all, i), NULL, FALSE);
}

/* ---- administration ---- */

gboolean
hearth_dhcp_service_release (HearthDhcpService *svc, guint32 addr)
{
  HearthDhcpLease *l = hearth_dhcp_lease_table_lookup_addr (svc->leases, addr);

  if (l == NULL)
    return FALSE;
  hearth_dhcp_lease_table_remove (svc->leases, l, HEARTH_DHCP_LEASE_REASON_ADMIN);
  sync_now (svc);
  return TRUE;
}

gboolean
hearth_dhcp_service_add_lease (HearthDhcpService *svc, guint32 addr, guint8 hwtype, const guint8 *hwaddr,
                               guint8 hwlen, const char *hostname, GBytes *client_id, guint32 length,
                               GError **error)
{
  HearthDhcpLease *l;

  if (addr == 0 || addr == 0xffffffffu)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%u' is not a lease address"), addr);
      return FALSE;
    }
  if (hostname != NULL && *hostname != '\0' && !hearth_dhcp_hostname_is_valid (hostname))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s' is not a valid host name"), hostname);
      return FALSE;
    }
  l = hearth_dhcp_lease_table_lookup_addr (svc->leases, addr);
  if (l == NULL)
    l = hearth_dhcp_lease_table_add (svc->leases, addr, hwtype, hwaddr, hwlen, client_id);
  else
    hearth_dhcp_lease_set_client (svc->leases, l, hwtype, hwaddr, hwlen, client_id);
  hearth_dhcp_lease_set_expiry (svc->leases, l, g_get_monotonic_time (),
                                length == 0 ? HEARTH_DHCP_LEASE_INFINITE : length);
  if (hostname != NULL && *hostname != '\0')
    {
      HearthDhcpLease *other = hearth_dhcp_lease_table_lookup_hostname (svc->leases, hostname);

      if (other != NULL && other != l)
        {
          hearth_dhcp_lease_set_hostname (svc->leases, other, NULL);
          hearth_dhcp_lease_table_commit (svc->leases, other, HEARTH_DHCP_LEASE_REASON_ADMIN);
        }
    }
  hearth_dhcp_lease_set_hostname (svc->leases, l, hostname != NULL && *hostname != '\0' ? hostname : NULL);
  hearth_dhcp_lease_table_commit (svc->leases, l, HEARTH_DHCP_LEASE_REASON_ADMIN);
  sync_now (svc);
  schedule_expiry (svc);
  return TRUE;
}

void
hearth_dhcp_service_get_stats (HearthDhcpService *svc, HearthDhcpServiceStats *out)
{
  memset (out, 0, sizeof *out);
  hearth_dhcp4_server_get_stats (svc->server, &out->server);
  out->leases = hearth_dhcp_lease_table_size (svc->leases);
  out->sync_batches = svc->sync_batches;
  out->write_errors = svc->write_errors;
}
