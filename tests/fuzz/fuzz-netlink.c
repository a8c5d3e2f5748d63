/* Fuzz target for the link and address monitor's pure entry point,
 * hearth_net_monitor_feed() (src/net/net-monitor.c): the input is taken as
 * the bytes of netlink datagrams, as the kernel would send them.
 *
 * Each input gets a fresh monitor that first learns a small fixed machine
 * (lo, vh1 = index 2, vh0 = index 3, with addresses, the indexes the seed
 * recordings use), so that changes, renames, address removals and link
 * deletions of known objects are reached, not only additions. The input is
 * then fed twice: the second pass repeats every message to an already
 * updated state.
 *
 * A watcher reads every field of every event (so the sanitizers see a stale
 * or short link or address) and keeps its own picture of links and
 * addresses from the events alone; the promises of net-monitor.h are
 * checked against it: no event for an unknown object, no second ADDED,
 * every address gone before its link, and at the end the same picture as
 * the monitor's getters give. Whether the parse results are right is for
 * the unit tests (tests/net/test-net-monitor.c).
 */
#include "config.h"

#include "net/net-monitor.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  GHashTable *links; /* ifindex -> GHashTable of address keys */
  guint8 sum;        /* keeps the reads from being optimised away */
} Picture;

static char *
address_key (const HearthNetAddress *a)
{
  g_autofree char *hex = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x",
                                          a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3], a->bytes[4],
                                          a->bytes[5], a->bytes[6], a->bytes[7], a->bytes[8], a->bytes[9],
                                          a->bytes[10], a->bytes[11], a->bytes[12], a->bytes[13], a->bytes[14],
                                          a->bytes[15]);

  return g_strdup_printf ("%d/%s/%u", a->family, hex, a->prefix_len);
}

static void
touch_link (Picture *p, const HearthNetLink *link)
{
  const char *text = hearth_net_link_operstate_text (link);

  g_assert_cmpuint (link->index, >, 0);
  /* The name is terminated within its array and not empty. */
  g_assert_cmpuint (strnlen (link->name, sizeof link->name), <, sizeof link->name);
  g_assert_cmpuint (link->name[0], !=, '\0');
  for (const char *c = link->name; *c != '\0'; c++)
    p->sum ^= (guint8) *c;
  p->sum ^= (guint8) (link->flags ^ link->operstate ^ link->mtu);
  p->sum ^= (guint8) (hearth_net_link_is_usable (link) + hearth_net_link_is_loopback (link) + text[0]);
  g_assert_nonnull (link->addresses);
  for (guint i = 0; i < link->addresses->len; i++)
    p->sum ^= g_array_index (link->addresses, HearthNetAddress, i).bytes[15];
}

static void
touch_address (Picture *p, const HearthNetLink *link, const HearthNetAddress *a)
{
  g_autofree char *text = hearth_net_address_to_string (a);

  g_assert_true (a->family == AF_INET || a->family == AF_INET6);
  g_assert_cmpuint (a->prefix_len, <=, a->family == AF_INET ? 32 : 128);
  g_assert_cmpuint (a->ifindex, ==, link->index);
  /* IPv4 addresses use 4 of the 16 bytes; the rest stays zero. */
  if (a->family == AF_INET)
    for (guint i = 4; i < sizeof a->bytes; i++)
      g_assert_cmpuint (a->bytes[i], ==, 0);
  g_assert_cmpstr (text, !=, "?");
  /* An address lies within its own prefix. */
  g_assert_true (hearth_net_address_covers (a, a->family, a->bytes));
  for (guint i = 0; i < sizeof a->bytes; i++)
    p->sum ^= a->bytes[i];
  p->sum ^= (guint8) (a->scope ^ a->flags ^ hearth_net_address_is_usable (a));
}

static void
watch_cb (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link, const HearthNetAddress *address,
          gpointer user_data)
{
  Picture *p = user_data;
  GHashTable *addresses;
  g_autofree char *key = NULL;

  g_assert_nonnull (link);
  touch_link (p, link);
  addresses = g_hash_table_lookup (p->links, GUINT_TO_POINTER (link->index));
  switch (event)
    {
    case HEARTH_NET_EVENT_LINK_ADDED:
      g_assert_null (address);
      g_assert_null (addresses);
      g_assert_cmpuint (link->addresses->len, ==, 0);
      g_assert_true (hearth_net_monitor_get_link (monitor, link->index) == link);
      g_hash_table_insert (p->links, GUINT_TO_POINTER (link->index),
                           g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
      return;
    case HEARTH_NET_EVENT_LINK_CHANGED:
      g_assert_null (address);
      g_assert_nonnull (addresses);
      g_assert_true (hearth_net_monitor_get_link (monitor, link->index) == link);
      return;
    case HEARTH_NET_EVENT_LINK_REMOVED:
      g_assert_null (address);
      g_assert_nonnull (addresses);
      /* Every address was announced gone first. */
      g_assert_cmpuint (g_hash_table_size (addresses), ==, 0);
      g_assert_cmpuint (link->addresses->len, ==, 0);
      g_assert_null (hearth_net_monitor_get_link (monitor, link->index));
      g_hash_table_remove (p->links, GUINT_TO_POINTER (link->index));
      return;
    case HEARTH_NET_EVENT_ADDRESS_ADDED:
    case HEARTH_NET_EVENT_ADDRESS_CHANGED:
    case HEARTH_NET_EVENT_ADDRESS_REMOVED:
      break;
    }
  g_assert_nonnull (address);
  g_assert_nonnull (addresses);
  touch_address (p, link, address);
  key = address_key (address);
  switch (event)
    {
    case HEARTH_NET_EVENT_ADDRESS_ADDED:
      g_assert_true (g_hash_table_add (addresses, g_steal_pointer (&key)));
      break;
    case HEARTH_NET_EVENT_ADDRESS_CHANGED:
      g_assert_true (g_hash_table_contains (addresses, key));
      break;
    case HEARTH_NET_EVENT_ADDRESS_REMOVED:
      g_assert_true (g_hash_table_remove (addresses, key));
      break;
    case HEARTH_NET_EVENT_LINK_ADDED:
    case HEARTH_NET_EVENT_LINK_CHANGED:
    case HEARTH_NET_EVENT_LINK_REMOVED:
      g_assert_not_reached ();
    }
}

/* The monitor's getters against the picture the events drew. */
static void
check_state (HearthNetMonitor *monitor, Picture *p)
{
  g_autoptr (GPtrArray) links = hearth_net_monitor_list_links (monitor);
  HearthNetMonitorStats stats;

  g_assert_cmpuint (links->len, ==, g_hash_table_size (p->links));
  for (guint i = 0; i < links->len; i++)
    {
      const HearthNetLink *link = g_ptr_array_index (links, i);
      GHashTable *addresses = g_hash_table_lookup (p->links, GUINT_TO_POINTER (link->index));
      const HearthNetLink *named;

      if (i > 0)
        g_assert_cmpuint (((const HearthNetLink *) g_ptr_array_index (links, i - 1))->index, <, link->index);
      g_assert_true (hearth_net_monitor_get_link (monitor, link->index) == link);
      /* Two links may briefly share a name; the one found has it. */
      named = hearth_net_monitor_find_link (monitor, link->name);
      g_assert_nonnull (named);
      g_assert_cmpstr (named->name, ==, link->name);
      touch_link (p, link);
      g_assert_nonnull (addresses);
      g_assert_cmpuint (link->addresses->len, ==, g_hash_table_size (addresses));
      for (guint j = 0; j < link->addresses->len; j++)
        {
          const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, j);
          g_autofree char *key = address_key (a);

          touch_address (p, link, a);
          g_assert_true (g_hash_table_contains (addresses, key));
          g_assert_nonnull (hearth_net_monitor_find_address (monitor, a->family, a->bytes));
        }
    }
  hearth_net_monitor_get_stats (monitor, &stats);
  p->sum ^= (guint8) (stats.messages ^ stats.bad_messages ^ stats.resyncs);
}

/* ---- the fixed machine -------------------------------------------------- */

typedef struct {
  guint8 b[1024];
  gsize n;
  gsize start;
} Msg;

static void
put (Msg *m, const void *data, gsize len)
{
  g_assert_cmpuint (len, <=, sizeof m->b - m->n);
  memcpy (m->b + m->n, data, len);
  m->n += len;
  while (m->n % NLMSG_ALIGNTO != 0)
    m->b[m->n++] = 0;
}

static void
attr (Msg *m, guint16 type, const void *data, gsize len)
{
  struct rtattr rta = { .rta_len = (unsigned short) RTA_LENGTH (len), .rta_type = type };

  put (m, &rta, sizeof rta);
  put (m, data, len);
}

static void
begin (Msg *m, guint16 type)
{
  struct nlmsghdr hdr = { .nlmsg_type = type };

  m->start = m->n;
  put (m, &hdr, sizeof hdr);
}

static void
end (Msg *m)
{
  guint32 len = (guint32) (m->n - m->start);

  memcpy (m->b + m->start, &len, sizeof len);
}

static void
add_link (Msg *m, int index, const char *name, guint flags, guint8 operstate)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = flags, .ifi_change = ~0u };
  guint32 mtu = 1500;

  begin (m, RTM_NEWLINK);
  put (m, &ifi, sizeof ifi);
  attr (m, IFLA_IFNAME, name, strlen (name) + 1);
  attr (m, IFLA_MTU, &mtu, sizeof mtu);
  attr (m, IFLA_OPERSTATE, &operstate, 1);
  end (m);
}

static void
add_address (Msg *m, int family, int index, const guint8 *bytes, guint8 prefix, guint8 scope)
{
  struct ifaddrmsg ifa = { .ifa_family = (guint8) family, .ifa_prefixlen = prefix, .ifa_flags = IFA_F_PERMANENT,
                           .ifa_scope = scope, .ifa_index = (guint32) index };
  guint32 flags = IFA_F_PERMANENT;
  gsize len = family == AF_INET ? 4 : 16;

  begin (m, RTM_NEWADDR);
  put (m, &ifa, sizeof ifa);
  attr (m, IFA_ADDRESS, bytes, len);
  if (family == AF_INET)
    attr (m, IFA_LOCAL, bytes, len);
  attr (m, IFA_FLAGS, &flags, sizeof flags);
  end (m);
}

static const Msg *
machine (void)
{
  static Msg m;
  static const guint8 lo4[4] = { 127, 0, 0, 1 };
  static const guint8 lo6[16] = { [15] = 1 };
  static const guint8 vh1_4[4] = { 10, 99, 0, 2 };
  static const guint8 vh1_6[16] = { 0xfe, 0x80, [11] = 0xff, 0xfe, 0x00, 0x99, 0x01 };
  static const guint8 vh0_4[4] = { 10, 99, 0, 1 };
  static const guint8 vh0_6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x99, [15] = 1 };

  if (m.n > 0)
    return &m;
  add_link (&m, 1, "lo", IFF_UP | IFF_RUNNING | IFF_LOOPBACK, IF_OPER_UNKNOWN);
  add_link (&m, 2, "vh1", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  add_link (&m, 3, "vh0", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  add_address (&m, AF_INET, 1, lo4, 8, RT_SCOPE_HOST);
  add_address (&m, AF_INET6, 1, lo6, 128, RT_SCOPE_HOST);
  add_address (&m, AF_INET, 2, vh1_4, 24, RT_SCOPE_UNIVERSE);
  add_address (&m, AF_INET6, 2, vh1_6, 64, RT_SCOPE_LINK);
  add_address (&m, AF_INET, 3, vh0_4, 24, RT_SCOPE_UNIVERSE);
  add_address (&m, AF_INET6, 3, vh0_6, 64, RT_SCOPE_UNIVERSE);
  return &m;
}

/* ---- the target --------------------------------------------------------- */

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HearthNetMonitor *monitor = hearth_net_monitor_new ();
  Picture p = { g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_hash_table_unref), 0 };
  const Msg *m = machine ();

  hearth_net_monitor_add_watch (monitor, watch_cb, &p);
  g_assert_cmpuint (hearth_net_monitor_feed (monitor, m->b, m->n), ==, 9);
  g_assert_cmpuint (g_hash_table_size (p.links), ==, 3);

  hearth_net_monitor_feed (monitor, data, size);
  check_state (monitor, &p);
  hearth_net_monitor_feed (monitor, data, size);
  check_state (monitor, &p);

  hearth_net_monitor_free (monitor);
  g_hash_table_unref (p.links);
  return 0;
}
