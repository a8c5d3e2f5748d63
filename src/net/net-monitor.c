/* The link and address monitor (see net-monitor.h).
 *
 * libnl-3 does the netlink work: the socket, parsing RTM_*LINK and
 * RTM_*ADDR messages into rtnl_link and rtnl_addr objects, and the
 * route/link and route/addr caches with their merge rules (a NEWLINK for a
 * known index is an update, a DELADDR removes the matching address,
 * nl_cache_resync() reconciles a fresh dump). The cache change callback is
 * where hearth's part begins: it mirrors each change into a small table of
 * HearthNetLink records and turns it into events.
 *
 * The socket is read by hand (recvmsg) rather than with nl_recvmsgs() so
 * that the bytes go through hearth_net_monitor_feed(), the same entry
 * point the tests and the fuzzer use, and so that ENOBUFS (the kernel
 * dropped notifications because we were slow) can be seen and answered
 * with a resync.
 */
#include "config.h"

#include "net/net-monitor.h"

#include <errno.h>
#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <linux/if.h>
#include <glib/gi18n.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <string.h>
#include <unistd.h>

/* Large enough for any one notification (a NEWLINK with all its
 * attributes is a few KiB); the kernel never splits a message. */
#define RECV_BUFFER_SIZE (64 * 1024)
/* Datagrams handled per wakeup, so a storm of changes cannot starve DNS. */
#define RECV_BUDGET 64
#define SOCKET_BUFFER_SIZE (1024 * 1024)

typedef struct {
  guint id;
  HearthNetMonitorFunc func;
  gpointer user_data;
} Watch;

struct _HearthNetMonitor {
  struct nl_cache *link_cache;
  struct nl_cache *addr_cache;
  struct nl_sock *sock;
  guint source_id;
  guint resync_id;
  GHashTable *links; /* index -> HearthNetLink* */
  GArray *watches;
  guint next_watch_id;
  guint8 *scratch; /* an aligned copy of the message being parsed */
  guint8 *recv_buf;
  HearthNetMonitorStats stats;
};

static void
link_free (gpointer p)
{
  HearthNetLink *link = p;

  g_array_unref (link->addresses);
  g_free (link);
}

static void
emit (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link, const HearthNetAddress *address)
{
  for (guint i = 0; i < monitor->watches->len; i++)
    {
      Watch w = g_array_index (monitor->watches, Watch, i);

      w.func (monitor, event, link, address, w.user_data);
    }
}

/* ---- addresses ---------------------------------------------------------- */

static gboolean
address_from_object (struct rtnl_addr *obj, HearthNetAddress *out)
{
  struct nl_addr *local = rtnl_addr_get_local (obj);
  int family = rtnl_addr_get_family (obj);
  int prefix = rtnl_addr_get_prefixlen (obj);
  gsize size = family == AF_INET ? 4 : 16;

  memset (out, 0, sizeof *out);
  if ((family != AF_INET && family != AF_INET6) || local == NULL || nl_addr_get_family (local) != family ||
      nl_addr_get_len (local) != size || prefix < 0 || prefix > (int) size * 8 || rtnl_addr_get_ifindex (obj) <= 0)
    return FALSE;
  out->family = family;
  memcpy (out->bytes, nl_addr_get_binary_addr (local), size);
  out->prefix_len = (guint8) prefix;
  out->scope = (guint8) rtnl_addr_get_scope (obj);
  out->flags = rtnl_addr_get_flags (obj);
  out->ifindex = (guint) rtnl_addr_get_ifindex (obj);
  return TRUE;
}

static gsize
address_size (int family)
{
  return family == AF_INET ? 4 : 16;
}

static gint
link_find_address (const HearthNetLink *link, const HearthNetAddress *a)
{
  for (guint i = 0; i < link->addresses->len; i++)
    {
      const HearthNetAddress *b = &g_array_index (link->addresses, HearthNetAddress, i);

      if (a->family == b->family && a->prefix_len == b->prefix_len &&
          memcmp (a->bytes, b->bytes, address_size (a->family)) == 0)
        return (gint) i;
    }
  return -1;
}

static void
address_upsert (HearthNetMonitor *monitor, const HearthNetAddress *a)
{
  HearthNetLink *link = g_hash_table_lookup (monitor->links, GUINT_TO_POINTER (a->ifindex));
  HearthNetAddress *old;
  gint i;

  /* An address of a link not seen yet stays in the libnl cache; the link's
   * arrival picks it up. */
  if (link == NULL)
    return;
  i = link_find_address (link, a);
  if (i < 0)
    {
      g_array_append_val (link->addresses, *a);
      emit (monitor, HEARTH_NET_EVENT_ADDRESS_ADDED, link, a);
      return;
    }
  old = &g_array_index (link->addresses, HearthNetAddress, i);
  if (old->flags == a->flags && old->scope == a->scope)
    return;
  *old = *a;
  emit (monitor, HEARTH_NET_EVENT_ADDRESS_CHANGED, link, a);
}

static void
address_remove (HearthNetMonitor *monitor, const HearthNetAddress *a)
{
  HearthNetLink *link = g_hash_table_lookup (monitor->links, GUINT_TO_POINTER (a->ifindex));
  HearthNetAddress copy;
  gint i;

  if (link == NULL || (i = link_find_address (link, a)) < 0)
    return;
  copy = g_array_index (link->addresses, HearthNetAddress, i);
  g_array_remove_index (link->addresses, (guint) i);
  emit (monitor, HEARTH_NET_EVENT_ADDRESS_REMOVED, link, &copy);
}

/* ---- links -------------------------------------------------------------- */

static void
pick_up_address_cb (struct nl_object *obj, void *data)
{
  HearthNetMonitor *monitor = data;
  HearthNetAddress a;

  if (address_from_object ((struct rtnl_addr *) obj, &a))
    address_upsert (monitor, &a);
}

static void
link_upsert (HearthNetMonitor *monitor, struct rtnl_link *obj)
{
  guint index = (guint) rtnl_link_get_ifindex (obj);
  const char *name = rtnl_link_get_name (obj);
  HearthNetLink *link = g_hash_table_lookup (monitor->links, GUINT_TO_POINTER (index));
  HearthNetLink before;

  if (index == 0 || name == NULL || name[0] == '\0')
    return;
  if (link == NULL)
    {
      struct rtnl_addr *filter = rtnl_addr_alloc ();

      link = g_new0 (HearthNetLink, 1);
      link->index = index;
      g_strlcpy (link->name, name, sizeof link->name);
      link->flags = rtnl_link_get_flags (obj);
      link->operstate = rtnl_link_get_operstate (obj);
      link->mtu = rtnl_link_get_mtu (obj);
      link->addresses = g_array_new (FALSE, FALSE, sizeof (HearthNetAddress));
      g_hash_table_insert (monitor->links, GUINT_TO_POINTER (index), link);
      emit (monitor, HEARTH_NET_EVENT_LINK_ADDED, link, NULL);
      /* Addresses that arrived before their link. */
      rtnl_addr_set_ifindex (filter, (int) index);
      nl_cache_foreach_filter (monitor->addr_cache, (struct nl_object *) filter, pick_up_address_cb, monitor);
      rtnl_addr_put (filter);
      return;
    }
  before = *link;
  g_strlcpy (link->name, name, sizeof link->name);
  link->flags = rtnl_link_get_flags (obj);
  link->operstate = rtnl_link_get_operstate (obj);
  link->mtu = rtnl_link_get_mtu (obj);
  if (strcmp (before.name, link->name) != 0 || before.flags != link->flags || before.operstate != link->operstate ||
      before.mtu != link->mtu)
    emit (monitor, HEARTH_NET_EVENT_LINK_CHANGED, link, NULL);
}

static void
collect_address_cb (struct nl_object *obj, void *data)
{
  nl_object_get (obj);
  g_ptr_array_add (data, obj);
}

static void
link_remove (HearthNetMonitor *monitor, guint index)
{
  HearthNetLink *link = g_hash_table_lookup (monitor->links, GUINT_TO_POINTER (index));
  g_autoptr (GPtrArray) stale = g_ptr_array_new ();
  struct rtnl_addr *filter;

  /* The kernel usually announces each address's removal too, but not
   * always before the link's: forget them all here so no address outlives
   * its link, in the cache or in the table. */
  filter = rtnl_addr_alloc ();
  rtnl_addr_set_ifindex (filter, (int) index);
  nl_cache_foreach_filter (monitor->addr_cache, (struct nl_object *) filter, collect_address_cb, stale);
  rtnl_addr_put (filter);
  for (guint i = 0; i < stale->len; i++)
    {
      nl_cache_remove (g_ptr_array_index (stale, i));
      nl_object_put (g_ptr_array_index (stale, i));
    }
  if (link == NULL)
    return;
  while (link->addresses->len > 0)
    {
      HearthNetAddress a = g_array_index (link->addresses, HearthNetAddress, link->addresses->len - 1);

      g_array_remove_index (link->addresses, link->addresses->len - 1);
      emit (monitor, HEARTH_NET_EVENT_ADDRESS_REMOVED, link, &a);
    }
  g_hash_table_steal (monitor->links, GUINT_TO_POINTER (index));
  emit (monitor, HEARTH_NET_EVENT_LINK_REMOVED, link, NULL);
  link_free (link);
}

/* ---- cache changes ------------------------------------------------------ */

static void
cache_change_cb (struct nl_cache *cache, struct nl_object *obj, int action, void *data)
{
  HearthNetMonitor *monitor = data;

  if (cache == monitor->link_cache)
    {
      if (action == NL_ACT_DEL)
        link_remove (monitor, (guint) rtnl_link_get_ifindex ((struct rtnl_link *) obj));
      else
        link_upsert (monitor, (struct rtnl_link *) obj);
    }
  else
    {
      HearthNetAddress a;

      if (!address_from_object ((struct rtnl_addr *) obj, &a))
        return;
      if (action == NL_ACT_DEL)
        address_remove (monitor, &a);
      else
        address_upsert (monitor, &a);
    }
}

typedef struct {
  HearthNetMonitor *monitor;
  gboolean applied;
  gboolean ignored; /* well-formed but not ours (bridge port records) */
} ParseContext;

static void
parsed_object_cb (struct nl_object *obj, void *data)
{
  ParseContext *ctx = data;
  HearthNetMonitor *monitor = ctx->monitor;
  struct nl_cache *cache;

  if (strcmp (nl_object_get_type (obj), "route/link") == 0)
    {
      /* Bridge port notifications (AF_BRIDGE) describe the same index
       * again; only the generic record is the link. */
      if (rtnl_link_get_family ((struct rtnl_link *) obj) != AF_UNSPEC)
        {
          ctx->ignored = TRUE;
          return;
        }
      if (rtnl_link_get_ifindex ((struct rtnl_link *) obj) <= 0)
        return;
      cache = monitor->link_cache;
    }
  else if (strcmp (nl_object_get_type (obj), "route/addr") == 0)
    {
      HearthNetAddress a;

      if (!address_from_object ((struct rtnl_addr *) obj, &a))
        return;
      cache = monitor->addr_cache;
    }
  else
    return;
  if (nl_cache_include (cache, obj, cache_change_cb, monitor) == 0)
    ctx->applied = TRUE;
}

guint
hearth_net_monitor_feed (HearthNetMonitor *monitor, const guint8 *buf, gsize len)
{
  guint applied = 0;

  while (len >= sizeof (struct nlmsghdr))
    {
      struct nlmsghdr hdr;
      struct nl_msg *msg;
      ParseContext ctx = { monitor, FALSE, FALSE };
      gsize step;

      memcpy (&hdr, buf, sizeof hdr);
      /* No kernel message is larger than a receive buffer; a larger
       * length is not one of them. */
      if (hdr.nlmsg_len < sizeof hdr || hdr.nlmsg_len > len || hdr.nlmsg_len > RECV_BUFFER_SIZE)
        {
          monitor->stats.bad_messages++;
          break;
        }
      step = MIN ((gsize) NLMSG_ALIGN (hdr.nlmsg_len), len);
      switch (hdr.nlmsg_type)
        {
        case RTM_NEWLINK:
        case RTM_DELLINK:
        case RTM_NEWADDR:
        case RTM_DELADDR:
          /* libnl reads the header in place: give it an aligned copy. */
          memcpy (monitor->scratch, buf, hdr.nlmsg_len);
          msg = nlmsg_convert ((struct nlmsghdr *) monitor->scratch);
          if (msg == NULL)
            {
              monitor->stats.bad_messages++;
              break;
            }
          nlmsg_set_proto (msg, NETLINK_ROUTE);
          if (nl_msg_parse (msg, parsed_object_cb, &ctx) < 0 || (!ctx.applied && !ctx.ignored))
            monitor->stats.bad_messages++;
          else if (ctx.applied)
            {
              monitor->stats.messages++;
              applied++;
            }
          nlmsg_free (msg);
          break;
        default:
          /* NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP and the rest: nothing to
           * apply. */
          break;
        }
      buf += step;
      len -= step;
    }
  return applied;
}

/* ---- the socket --------------------------------------------------------- */

static gboolean
resync (HearthNetMonitor *monitor, GError **error)
{
  struct nl_sock *sync = nl_socket_alloc ();
  int err;

  if (sync == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot allocate a netlink socket"));
      return FALSE;
    }
  /* A separate socket for the dump, so its replies never mix with the
   * notifications queued on the monitor's socket; those are applied
   * afterwards and, being newer, win. */
  if ((err = nl_connect (sync, NETLINK_ROUTE)) < 0 ||
      (err = nl_cache_resync (sync, monitor->link_cache, cache_change_cb, monitor)) < 0 ||
      (err = nl_cache_resync (sync, monitor->addr_cache, cache_change_cb, monitor)) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot list network interfaces: %s"), nl_geterror (err));
      nl_socket_free (sync);
      return FALSE;
    }
  nl_socket_free (sync);
  return TRUE;
}

static gboolean
resync_cb (gpointer user_data)
{
  HearthNetMonitor *monitor = user_data;
  g_autoptr (GError) error = NULL;

  monitor->resync_id = 0;
  monitor->stats.resyncs++;
  g_info ("network change notifications were lost, listing interfaces again");
  if (!resync (monitor, &error))
    {
      g_warning ("%s; trying again in a second", error->message);
      monitor->resync_id = g_timeout_add_seconds (1, resync_cb, monitor);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_resync (HearthNetMonitor *monitor)
{
  if (monitor->resync_id == 0)
    monitor->resync_id = g_idle_add (resync_cb, monitor);
}

static gboolean
readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthNetMonitor *monitor = user_data;
  guint8 *buf = monitor->recv_buf;

  for (guint n = 0; n < RECV_BUDGET; n++)
    {
      struct sockaddr_nl from = { 0 };
      struct iovec iov = { buf, RECV_BUFFER_SIZE };
      struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t got = recvmsg (fd, &mh, MSG_DONTWAIT);

      if (got < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == ENOBUFS)
            {
              schedule_resync (monitor);
              continue;
            }
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            g_warning ("netlink: %s", g_strerror (errno));
          break;
        }
      if (from.nl_family != AF_NETLINK || from.nl_pid != 0)
        continue; /* only the kernel speaks for the kernel */
      if (mh.msg_flags & MSG_TRUNC)
        {
          monitor->stats.bad_messages++;
          schedule_resync (monitor);
          continue;
        }
      hearth_net_monitor_feed (monitor, buf, (gsize) got);
    }
  return G_SOURCE_CONTINUE;
}

gboolean
hearth_net_monitor_start (HearthNetMonitor *monitor, GError **error)
{
  int err, fd;

  g_return_val_if_fail (monitor->sock == NULL, FALSE);
  monitor->sock = nl_socket_alloc ();
  if (monitor->sock == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot allocate a netlink socket"));
      return FALSE;
    }
  nl_socket_disable_seq_check (monitor->sock);
  if ((err = nl_connect (monitor->sock, NETLINK_ROUTE)) < 0 ||
      (err = nl_socket_add_memberships (monitor->sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0)) < 0 ||
      (err = nl_socket_set_nonblocking (monitor->sock)) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot watch network interfaces: %s"), nl_geterror (err));
      nl_socket_free (monitor->sock);
      monitor->sock = NULL;
      return FALSE;
    }
  fd = nl_socket_get_fd (monitor->sock);
  /* A burst of changes (a VM host starting many guests) must not overflow
   * the queue; root may exceed the system's default limit. */
  if (nl_socket_set_buffer_size (monitor->sock, SOCKET_BUFFER_SIZE, 0) < 0)
    g_debug ("netlink: cannot enlarge the receive buffer");
  (void) setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ SOCKET_BUFFER_SIZE }, sizeof (int));
  if (!resync (monitor, error))
    {
      nl_socket_free (monitor->sock);
      monitor->sock = NULL;
      return FALSE;
    }
  monitor->source_id = g_unix_fd_add (fd, G_IO_IN, readable_cb, monitor);
  return TRUE;
}

/* ---- the rest of the API ------------------------------------------------ */

HearthNetMonitor *
hearth_net_monitor_new (void)
{
  HearthNetMonitor *monitor = g_new0 (HearthNetMonitor, 1);

  if (nl_cache_alloc_name ("route/link", &monitor->link_cache) < 0 ||
      nl_cache_alloc_name ("route/addr", &monitor->addr_cache) < 0)
    g_error ("libnl-route has no link or address cache");
  monitor->links = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, link_free);
  monitor->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  monitor->scratch = g_malloc (RECV_BUFFER_SIZE);
  monitor->recv_buf = g_malloc (RECV_BUFFER_SIZE);
  return monitor;
}

void
hearth_net_monitor_free (HearthNetMonitor *monitor)
{
  if (monitor == NULL)
    return;
  if (monitor->source_id != 0)
    g_source_remove (monitor->source_id);
  if (monitor->resync_id != 0)
    g_source_remove (monitor->resync_id);
  if (monitor->sock != NULL)
    nl_socket_free (monitor->sock);
  nl_cache_free (monitor->link_cache);
  nl_cache_free (monitor->addr_cache);
  g_hash_table_unref (monitor->links);
  g_array_unref (monitor->watches);
  g_free (monitor->scratch);
  g_free (monitor->recv_buf);
  g_free (monitor);
}

guint
hearth_net_monitor_add_watch (HearthNetMonitor *monitor, HearthNetMonitorFunc func, gpointer user_data)
{
  Watch w = { ++monitor->next_watch_id, func, user_data };

  g_array_append_val (monitor->watches, w);
  return w.id;
}

void
hearth_net_monitor_remove_watch (HearthNetMonitor *monitor, guint id)
{
  for (guint i = 0; i < monitor->watches->len; i++)
    if (g_array_index (monitor->watches, Watch, i).id == id)
      {
        g_array_remove_index (monitor->watches, i);
        return;
      }
}

const HearthNetLink *
hearth_net_monitor_get_link (HearthNetMonitor *monitor, guint index)
{
  return g_hash_table_lookup (monitor->links, GUINT_TO_POINTER (index));
}

const HearthNetLink *
hearth_net_monitor_find_link (HearthNetMonitor *monitor, const char *name)
{
  GHashTableIter iter;
  HearthNetLink *link;

  g_hash_table_iter_init (&iter, monitor->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    if (strcmp (link->name, name) == 0)
      return link;
  return NULL;
}

const HearthNetLink *
hearth_net_monitor_find_address (HearthNetMonitor *monitor, int family, const void *bytes)
{
  GHashTableIter iter;
  HearthNetLink *link;

  g_hash_table_iter_init (&iter, monitor->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    for (guint i = 0; i < link->addresses->len; i++)
      {
        const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);

        if (a->family == family && memcmp (a->bytes, bytes, address_size (family)) == 0)
          return link;
      }
  return NULL;
}

const HearthNetLink *
hearth_net_monitor_find_subnet (HearthNetMonitor *monitor, int family, const void *bytes)
{
  GHashTableIter iter;
  HearthNetLink *link;

  g_hash_table_iter_init (&iter, monitor->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    for (guint i = 0; i < link->addresses->len; i++)
      if (hearth_net_address_covers (&g_array_index (link->addresses, HearthNetAddress, i), family, bytes))
        return link;
  return NULL;
}

static gint
compare_index (gconstpointer a, gconstpointer b)
{
  const HearthNetLink *x = *(HearthNetLink *const *) a, *y = *(HearthNetLink *const *) b;

  return x->index < y->index ? -1 : x->index > y->index;
}

GPtrArray *
hearth_net_monitor_list_links (HearthNetMonitor *monitor)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer link;

  g_hash_table_iter_init (&iter, monitor->links);
  while (g_hash_table_iter_next (&iter, NULL, &link))
    g_ptr_array_add (list, link);

  g_ptr_array_sort (list, compare_index);
  return list;
}

void
hearth_net_monitor_get_stats (HearthNetMonitor *monitor, HearthNetMonitorStats *out_stats)
{
  *out_stats = monitor->stats;
}

gboolean
hearth_net_link_is_usable (const HearthNetLink *link)
{
  return (link->flags & IFF_UP) && (link->flags & IFF_RUNNING);
}

gboolean
hearth_net_link_is_loopback (const HearthNetLink *link)
{
  return (link->flags & IFF_LOOPBACK) != 0;
}

const char *
hearth_net_link_operstate_text (const HearthNetLink *link)
{
  switch (link->operstate)
    {
    case IF_OPER_NOTPRESENT:
      return "not-present";
    case IF_OPER_DOWN:
      return "down";
    case IF_OPER_LOWERLAYERDOWN:
      return "lower-layer-down";
    case IF_OPER_TESTING:
      return "testing";
    case IF_OPER_DORMANT:
      return "dormant";
    case IF_OPER_UP:
      return "up";
    default:
      return "unknown";
    }
}

gboolean
hearth_net_address_is_usable (const HearthNetAddress *address)
{
  return (address->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0;
}

char *
hearth_net_address_to_string (const HearthNetAddress *address)
{
  char text[INET6_ADDRSTRLEN];

  if (inet_ntop (address->family, address->bytes, text, sizeof text) == NULL)
    return g_strdup ("?");
  return g_strdup_printf ("%s/%u", text, address->prefix_len);
}

gboolean
hearth_net_address_covers (const HearthNetAddress *address, int family, const void *bytes)
{
  const guint8 *other = bytes;
  guint bits = address->prefix_len, whole = bits / 8;

  if (family != address->family || bits > address_size (family) * 8)
    return FALSE;
  if (memcmp (address->bytes, other, whole) != 0)
    return FALSE;
  if (bits % 8 == 0)
    return TRUE;
  return ((address->bytes[whole] ^ other[whole]) & (guint8) (0xff << (8 - bits % 8))) == 0;
}
