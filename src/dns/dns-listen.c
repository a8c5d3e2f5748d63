/* Where hearth answers DNS (see dns-listen.h).
 *
 * In the bind modes the wanted set of sockets is recomputed from the
 * monitor's picture after each change and compared with the open set:
 * interfaces carry a handful of addresses, so recomputing is cheaper to
 * get right than tracking each event's consequences. A socket that fails
 * to open is remembered as failed and not retried until its address goes
 * away and comes back, so a missing or busy address never turns into a
 * retry loop.
 */
#include "config.h"

#include "dns/dns-listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  HearthNetAddress addr; /* ifindex kept for IPv6 link-local scope */
  int udp_fd;
  int tcp_fd;
  gboolean wanted;
} Bound;

struct _HearthDnsListen {
  const HearthDnsConfig *config;
  HearthNetMonitor *monitor;
  HearthDnsStub *stub;
  HearthNetPolicy *policy;
  HearthDnsBindMode mode;
  gboolean activated;
  gboolean started;
  gboolean filter;       /* per-query interface check (wildcard mode) */
  gboolean local_only;   /* --local-service */
  gboolean host_only;    /* --local-service=host */
  guint watch_id;
  GHashTable *bound;     /* key text -> Bound* */
  GArray *pending;       /* int pairs (fd, type) before start */
  GHashTable *waiting;   /* interface names and addresses said to be missing */
  GError *open_error;    /* the first socket that failed during open */
};

static void
bound_close (HearthDnsListen *listen, Bound *b)
{
  int fds[2] = { b->udp_fd, b->tcp_fd };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      if (fds[i] < 0)
        continue;
      if (listen->started)
        hearth_dns_stub_remove_listener (listen->stub, fds[i]);
      else
        {
          for (guint j = 0; j < listen->pending->len; j += 2)
            if (g_array_index (listen->pending, int, j) == fds[i])
              {
                g_array_remove_range (listen->pending, j, 2);
                break;
              }
          close (fds[i]);
        }
    }
  b->udp_fd = b->tcp_fd = -1;
}

static void
hand_over (HearthDnsListen *listen, int fd, int type)
{
  if (listen->started)
    hearth_dns_stub_add_listener (listen->stub, fd, type);
  else
    {
      g_array_append_val (listen->pending, fd);
      g_array_append_val (listen->pending, type);
    }
}

static gboolean
open_pair (HearthDnsListen *listen, const struct sockaddr *sa, int *out_udp, int *out_tcp, GError **error)
{
  int ufd, tfd;

  ufd = hearth_net_listen (sa, SOCK_DGRAM, error);
  if (ufd < 0)
    return FALSE;
  tfd = hearth_net_listen (sa, SOCK_STREAM, error);
  if (tfd < 0)
    {
      close (ufd);
      return FALSE;
    }
  hand_over (listen, ufd, SOCK_DGRAM);
  hand_over (listen, tfd, SOCK_STREAM);
  if (out_udp != NULL)
    *out_udp = ufd;
  if (out_tcp != NULL)
    *out_tcp = tfd;
  return TRUE;
}

static void
address_to_sockaddr (const HearthNetAddress *a, guint16 port, struct sockaddr_storage *ss)
{
  memset (ss, 0, sizeof *ss);
  if (a->family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) ss;

      sin->sin_family = AF_INET;
      memcpy (&sin->sin_addr, a->bytes, 4);
      sin->sin_port = htons (port);
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

      sin6->sin6_family = AF_INET6;
      memcpy (&sin6->sin6_addr, a->bytes, 16);
      sin6->sin6_port = htons (port);
      if (IN6_IS_ADDR_LINKLOCAL (&sin6->sin6_addr))
        sin6->sin6_scope_id = a->ifindex;
    }
}

/* "192.0.2.1", "fe80::1%3": one socket per global address, one per
 * link-local address and link. */
static char *
bound_key (const HearthNetAddress *a)
{
  char text[INET6_ADDRSTRLEN];

  inet_ntop (a->family, a->bytes, text, sizeof text);
  if (a->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL ((const struct in6_addr *) a->bytes))
    return g_strdup_printf ("%s%%%u", text, a->ifindex);
  return g_strdup (text);
}

static void
want_address (HearthDnsListen *listen, const HearthNetLink *link, const HearthNetAddress *a)
{
  g_autofree char *key = bound_key (a);
  Bound *b = g_hash_table_lookup (listen->bound, key);
  struct sockaddr_storage ss;
  g_autoptr (GError) error = NULL;

  if (b != NULL)
    {
      b->wanted = TRUE;
      return;
    }
  b = g_new0 (Bound, 1);
  b->addr = *a;
  b->wanted = TRUE;
  b->udp_fd = b->tcp_fd = -1;
  g_hash_table_insert (listen->bound, g_strdup (key), b);
  address_to_sockaddr (a, listen->config->port, &ss);
  if (open_pair (listen, (struct sockaddr *) &ss, &b->udp_fd, &b->tcp_fd, &error))
    g_info (_("listening on %s#%u (%s)"), key, listen->config->port, link->name);
  else if (!listen->started && listen->open_error == NULL)
    listen->open_error = g_steal_pointer (&error);
  else
    g_warning (_("%s (%s); trying again when the address comes back"), error->message, link->name);
}

static gboolean
pattern_is_literal (const char *pattern)
{
  return strchr (pattern, '*') == NULL;
}

/* Says once what is missing, and when it arrives. */
static void
report_waiting (HearthDnsListen *listen)
{
  GPtrArray *names = hearth_net_policy_get_interfaces (listen->policy);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      gboolean present = hearth_net_monitor_find_link (listen->monitor, name) != NULL;

      if (!pattern_is_literal (name))
        continue;
      if (!present && !g_hash_table_contains (listen->waiting, name))
        {
          g_message (_("interface %s does not exist yet, waiting for it"), name);
          g_hash_table_add (listen->waiting, g_strdup (name));
        }
      else if (present && g_hash_table_remove (listen->waiting, name))
        g_message (_("interface %s appeared, answering on it"), name);
    }
  for (guint i = 0; i < hearth_net_policy_get_n_listen_addresses (listen->policy); i++)
    {
      const HearthNetAddress *a = hearth_net_policy_get_listen_address (listen->policy, i);
      gboolean present = hearth_net_monitor_find_address (listen->monitor, a->family, a->bytes) != NULL;
      char text[INET6_ADDRSTRLEN];

      inet_ntop (a->family, a->bytes, text, sizeof text);
      if (!present && !g_hash_table_contains (listen->waiting, text))
        {
          g_message (_("listen address %s is not on any interface yet, waiting for it"), text);
          g_hash_table_add (listen->waiting, g_strdup (text));
        }
      else if (present && g_hash_table_remove (listen->waiting, text))
        g_message (_("address %s appeared, answering on it"), text);
    }
}

/* Bind modes: open what is wanted and not open, close (dynamic) what is
 * open and no longer wanted. */
static void
recompute (HearthDnsListen *listen)
{
  g_autoptr (GPtrArray) links = hearth_net_monitor_list_links (listen->monitor);
  GHashTableIter iter;
  Bound *b;

  if (listen->mode == HEARTH_DNS_BIND_WILDCARD || listen->activated || listen->config->port == 0)
    return;
  g_hash_table_iter_init (&iter, listen->bound);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    b->wanted = FALSE;
  for (guint i = 0; i < links->len; i++)
    {
      const HearthNetLink *link = g_ptr_array_index (links, i);

      for (guint j = 0; j < link->addresses->len; j++)
        {
          const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, j);

          if (hearth_net_address_is_usable (a) &&
              hearth_net_policy_address_selected (listen->policy, link->name, a->family, a->bytes))
            want_address (listen, link, a);
        }
    }
  g_hash_table_iter_init (&iter, listen->bound);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    {
      gboolean failed = b->udp_fd < 0;

      if (b->wanted)
        continue;
      /* --bind-interfaces keeps a socket whose address went, while its
       * interface exists: it answers again when the address returns. A
       * deleted interface takes its sockets along (a new one brings new
       * link-local addresses; keeping the old would leak). A failed one
       * is forgotten either way, to be tried afresh. */
      if (listen->mode == HEARTH_DNS_BIND_INTERFACES && !failed &&
          hearth_net_monitor_get_link (listen->monitor, b->addr.ifindex) != NULL)
        continue;
      if (!failed)
        {
          g_autofree char *key = bound_key (&b->addr);

          g_info (_("no longer listening on %s#%u"), key, listen->config->port);
        }
      bound_close (listen, b);
      g_hash_table_iter_remove (&iter);
    }
}

static void
monitor_cb (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link, const HearthNetAddress *address,
            gpointer user_data)
{
  HearthDnsListen *listen = user_data;

  recompute (listen);
  /* A flag change (DAD done) neither brings nor takes anything awaited. */
  if (event != HEARTH_NET_EVENT_ADDRESS_CHANGED)
    report_waiting (listen);
}

static gboolean
accept_cb (const HearthDnsLocalContext *arrival, const struct sockaddr *from, gpointer user_data)
{
  return hearth_dns_listen_accepts (user_data, arrival, from);
}

HearthDnsListen *
hearth_dns_listen_new (const HearthDnsConfig *config, HearthNetMonitor *monitor, HearthDnsStub *stub, GError **error)
{
  g_autoptr (HearthDnsListen) listen = g_new0 (HearthDnsListen, 1);

  listen->config = config;
  listen->monitor = monitor;
  listen->stub = stub;
  listen->policy = hearth_net_policy_new ();
  listen->bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  listen->pending = g_array_new (FALSE, FALSE, sizeof (int));
  listen->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < config->interfaces->len; i++)
    hearth_net_policy_add_interface (listen->policy, g_ptr_array_index (config->interfaces, i));
  for (guint i = 0; i < config->except_interfaces->len; i++)
    hearth_net_policy_add_except_interface (listen->policy, g_ptr_array_index (config->except_interfaces, i));
  for (guint i = 0; i < config->listen_addresses->len; i++)
    {
      /* "fe80::1%eth0": the scope names the link, which the policy finds
       * by address anyway. */
      g_autofree char *text = g_strdup (g_ptr_array_index (config->listen_addresses, i));
      char *scope = strchr (text, '%');

      if (scope != NULL)
        *scope = '\0';
      if (!hearth_net_policy_add_listen_address (listen->policy, text, error))
        return NULL;
    }
  listen->mode = config->bind_dynamic      ? HEARTH_DNS_BIND_DYNAMIC
                 : config->bind_interfaces ? HEARTH_DNS_BIND_INTERFACES
                                           : HEARTH_DNS_BIND_WILDCARD;
  listen->local_only = config->local_service != HEARTH_DNS_LOCAL_SERVICE_OFF && hearth_net_policy_is_open (listen->policy);
  listen->host_only = config->local_service == HEARTH_DNS_LOCAL_SERVICE_HOST;
  return g_steal_pointer (&listen);
}

void
hearth_dns_listen_free (HearthDnsListen *listen)
{
  GHashTableIter iter;
  Bound *b;

  if (listen == NULL)
    return;
  if (listen->watch_id != 0)
    hearth_net_monitor_remove_watch (listen->monitor, listen->watch_id);
  /* Sockets handed to the stub are the stub's to close. */
  if (!listen->started)
    {
      g_hash_table_iter_init (&iter, listen->bound);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
        bound_close (listen, b);
      for (guint i = 0; i < listen->pending->len; i += 2)
        close (g_array_index (listen->pending, int, i));
    }
  hearth_net_policy_free (listen->policy);
  g_hash_table_unref (listen->bound);
  g_array_unref (listen->pending);
  g_hash_table_unref (listen->waiting);
  g_free (listen);
}

static gboolean
open_wildcard (HearthDnsListen *listen, GError **error)
{
  struct sockaddr_storage any4 = { 0 }, any6 = { 0 };
  g_autoptr (GError) error6 = NULL;

  any4.ss_family = AF_INET;
  hearth_net_sockaddr_set_port ((struct sockaddr *) &any4, listen->config->port);
  any6.ss_family = AF_INET6;
  hearth_net_sockaddr_set_port ((struct sockaddr *) &any6, listen->config->port);
  if (!open_pair (listen, (struct sockaddr *) &any4, NULL, NULL, error))
    return FALSE;
  if (!open_pair (listen, (struct sockaddr *) &any6, NULL, NULL, &error6))
    g_warning ("%s, serving IPv4 only", error6->message);
  return TRUE;
}

gboolean
hearth_dns_listen_open (HearthDnsListen *listen, GArray *activated, GError **error)
{
  if (activated != NULL && activated->len > 0)
    {
      listen->activated = TRUE;
      for (guint i = 0; i < activated->len; i++)
        {
          HearthNetActivatedSocket *s = &g_array_index (activated, HearthNetActivatedSocket, i);
          int one = 1;

          /* The per-query check needs to know where a query arrived. */
          if (s->type == SOCK_DGRAM)
            {
              (void) setsockopt (s->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
              (void) setsockopt (s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
            }
          hand_over (listen, s->fd, s->type);
        }
      if (listen->mode != HEARTH_DNS_BIND_WILDCARD)
        g_message (_("using the sockets passed by systemd; --bind-interfaces and --bind-dynamic do not apply"));
      g_info ("using %u socket(s) passed by systemd", activated->len);
      listen->filter = !hearth_net_policy_is_open (listen->policy);
      return TRUE;
    }
  if (listen->config->port == 0)
    return TRUE; /* --port=0: DNS off, as with dnsmasq (DHCP only) */
  report_waiting (listen);
  if (listen->mode == HEARTH_DNS_BIND_WILDCARD)
    {
      listen->filter = !hearth_net_policy_is_open (listen->policy);
      return open_wildcard (listen, error);
    }
  recompute (listen);
  /* At start a socket that cannot open is an error, as in dnsmasq: the
   * port is taken, most likely by another server. */
  if (listen->open_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&listen->open_error));
      return FALSE;
    }
  return TRUE;
}

void
hearth_dns_listen_start (HearthDnsListen *listen)
{
  listen->started = TRUE;
  for (guint i = 0; i < listen->pending->len; i += 2)
    hearth_dns_stub_add_listener (listen->stub, g_array_index (listen->pending, int, i),
                                  g_array_index (listen->pending, int, i + 1));
  g_array_set_size (listen->pending, 0);
  if (listen->filter || listen->local_only)
    hearth_dns_stub_set_accept_func (listen->stub, accept_cb, listen);
  listen->watch_id = hearth_net_monitor_add_watch (listen->monitor, monitor_cb, listen);
  /* Changes between open and start were queued in the netlink socket and
   * arrive as events; nothing else to catch up on. */
}

HearthDnsBindMode
hearth_dns_listen_get_mode (HearthDnsListen *listen)
{
  return listen->mode;
}

const HearthNetPolicy *
hearth_dns_listen_get_policy (HearthDnsListen *listen)
{
  return listen->policy;
}

gboolean
hearth_dns_listen_needs_late_binds (HearthDnsListen *listen)
{
  return listen->mode != HEARTH_DNS_BIND_WILDCARD && !listen->activated && listen->config->port != 0 &&
         listen->config->port < 1024;
}

gboolean
hearth_dns_listen_link_served (HearthDnsListen *listen, const HearthNetLink *link)
{
  GHashTableIter iter;
  Bound *b;

  if (listen->config->port == 0)
    return FALSE;
  if (listen->mode == HEARTH_DNS_BIND_WILDCARD || listen->activated)
    {
      if (hearth_net_policy_link_selected (listen->policy, link->name))
        return TRUE;
      for (guint i = 0; i < link->addresses->len; i++)
        {
          const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);

          if (hearth_net_policy_address_selected (listen->policy, link->name, a->family, a->bytes))
            return TRUE;
        }
      return FALSE;
    }
  g_hash_table_iter_init (&iter, listen->bound);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    {
      if (b->udp_fd < 0)
        continue;
      for (guint i = 0; i < link->addresses->len; i++)
        {
          const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);

          if (a->family == b->addr.family && memcmp (a->bytes, b->addr.bytes, sizeof a->bytes) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* Is the client on a network the machine is attached to (or the machine
 * itself, for host_only)? */
static gboolean
client_is_local (HearthDnsListen *listen, const struct sockaddr *from)
{
  guint8 bytes[16];
  int family;

  if (from == NULL)
    return FALSE;
  if (from->sa_family == AF_INET)
    {
      family = AF_INET;
      memcpy (bytes, &((const struct sockaddr_in *) from)->sin_addr, 4);
    }
  else if (from->sa_family == AF_INET6)
    {
      const struct in6_addr *a6 = &((const struct sockaddr_in6 *) from)->sin6_addr;

      if (IN6_IS_ADDR_V4MAPPED (a6))
        {
          family = AF_INET;
          memcpy (bytes, &a6->s6_addr[12], 4);
        }
      else
        {
          family = AF_INET6;
          memcpy (bytes, a6, 16);
        }
    }
  else
    return FALSE;
  /* Per query: no allocation, a walk over a handful of addresses. */
  if (listen->host_only)
    return hearth_net_monitor_find_address (listen->monitor, family, bytes) != NULL;
  return hearth_net_monitor_find_subnet (listen->monitor, family, bytes) != NULL;
}

gboolean
hearth_dns_listen_accepts (HearthDnsListen *listen, const HearthDnsLocalContext *arrival, const struct sockaddr *from)
{
  if (listen->filter)
    {
      const HearthNetLink *link = NULL, *dst_link = NULL;

      /* A socket without packet info (one systemd passed) cannot tell:
       * the administrator chose its address. */
      if (arrival->dst.family == 0)
        return TRUE;
      if (arrival->ifindex != 0)
        link = hearth_net_monitor_get_link (listen->monitor, arrival->ifindex);
      if (link == NULL || hearth_net_link_is_loopback (link) ||
          !hearth_net_policy_address_selected (listen->policy, link->name, arrival->dst.family, arrival->dst.bytes))
        dst_link = hearth_net_monitor_find_address (listen->monitor, arrival->dst.family, arrival->dst.bytes);
      /* TCP gives no arrival interface: the link owning the address
       * the client connected to stands in. */
      if (link == NULL && arrival->ifindex == 0)
        link = dst_link;
      if (!hearth_net_policy_accepts (listen->policy, link, arrival->dst.family, arrival->dst.bytes, dst_link))
        return FALSE;
    }
  if (listen->local_only && !client_is_local (listen, from))
    return FALSE;
  return TRUE;
}
