/* Unit tests of the link and address monitor, without a kernel: recorded
 * rtnetlink traffic (the .nl files in tests/net/data, described message by
 * message in data/README.md) and hand-built messages go through
 * hearth_net_monitor_feed(), and a watcher writes down every event so the
 * exact sequence can be compared, along with the state left behind.
 *
 * The socket side (hearth_net_monitor_start, resyncs after ENOBUFS) needs a
 * real kernel and is left to the behaviour tests.
 */
#include "config.h"

#include "net/net-monitor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

/* ---- recording events --------------------------------------------------- */

typedef struct {
  HearthNetEvent type;
  guint ifindex;
  char name[IF_NAMESIZE];
  char *address;       /* "10.0.0.1/24", NULL for link events */
  guint link_flags;    /* IFF_* at the time of the event */
  guint8 operstate;
  guint32 addr_flags;  /* IFA_F_* */
  guint8 scope;
  gboolean usable;     /* link or address usable, per the helpers */
} Event;

typedef struct {
  GArray *events; /* Event */
} Recorder;

static const char *
event_name (HearthNetEvent type)
{
  switch (type)
    {
    case HEARTH_NET_EVENT_LINK_ADDED:
      return "link-added";
    case HEARTH_NET_EVENT_LINK_CHANGED:
      return "link-changed";
    case HEARTH_NET_EVENT_LINK_REMOVED:
      return "link-removed";
    case HEARTH_NET_EVENT_ADDRESS_ADDED:
      return "addr-added";
    case HEARTH_NET_EVENT_ADDRESS_CHANGED:
      return "addr-changed";
    case HEARTH_NET_EVENT_ADDRESS_REMOVED:
      return "addr-removed";
    }
  return "?";
}

static gboolean
is_link_event (HearthNetEvent type)
{
  return type == HEARTH_NET_EVENT_LINK_ADDED || type == HEARTH_NET_EVENT_LINK_CHANGED ||
         type == HEARTH_NET_EVENT_LINK_REMOVED;
}

static void
event_clear (gpointer p)
{
  Event *e = p;

  g_free (e->address);
}

static void
record_cb (HearthNetMonitor *monitor, HearthNetEvent type, const HearthNetLink *link, const HearthNetAddress *address,
           gpointer user_data)
{
  Recorder *rec = user_data;
  Event e = { 0 };

  g_assert_nonnull (link);
  e.type = type;
  e.ifindex = link->index;
  g_strlcpy (e.name, link->name, sizeof e.name);
  e.link_flags = link->flags;
  e.operstate = link->operstate;
  if (is_link_event (type))
    {
      g_assert_null (address);
      e.usable = hearth_net_link_is_usable (link);
    }
  else
    {
      g_assert_nonnull (address);
      g_assert_cmpuint (address->ifindex, ==, link->index);
      e.address = hearth_net_address_to_string (address);
      e.addr_flags = address->flags;
      e.scope = address->scope;
      e.usable = hearth_net_address_is_usable (address);
    }
  g_array_append_val (rec->events, e);
}

static Recorder *
recorder_new (HearthNetMonitor *monitor)
{
  Recorder *rec = g_new0 (Recorder, 1);

  rec->events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_array_set_clear_func (rec->events, event_clear);
  hearth_net_monitor_add_watch (monitor, record_cb, rec);
  return rec;
}

static void
recorder_free (Recorder *rec)
{
  g_array_unref (rec->events);
  g_free (rec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

/* One line per event, compact enough to write expectations with:
 * "link-changed 3 vh0 lower-layer-down" or "addr-added 3 vh0 fe80::1/64",
 * with " tentative" for an address that is not usable. */
static char *
event_describe (const Event *e)
{
  if (e->address == NULL)
    {
      HearthNetLink l = { .operstate = e->operstate };

      return g_strdup_printf ("%s %u %s %s", event_name (e->type), e->ifindex, e->name,
                              hearth_net_link_operstate_text (&l));
    }
  return g_strdup_printf ("%s %u %s %s%s", event_name (e->type), e->ifindex, e->name, e->address,
                          e->usable ? "" : " tentative");
}

/* Compares the recorded events with expected (NULL-terminated), printing
 * both lists on a mismatch, then forgets them. */
static void
assert_events (Recorder *rec, const char *const *expected)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  guint n_expected = expected == NULL ? 0 : g_strv_length ((char **) expected);
  gboolean same;

  for (guint i = 0; i < rec->events->len; i++)
    g_ptr_array_add (got, event_describe (&g_array_index (rec->events, Event, i)));
  same = got->len == n_expected;
  for (guint i = 0; same && i < n_expected; i++)
    same = strcmp (g_ptr_array_index (got, i), expected[i]) == 0;
  if (!same)
    {
      g_printerr ("expected %u events:\n", n_expected);
      for (guint i = 0; i < n_expected; i++)
        g_printerr ("  %s\n", expected[i]);
      g_printerr ("got %u:\n", got->len);
      for (guint i = 0; i < got->len; i++)
        g_printerr ("  %s\n", (char *) g_ptr_array_index (got, i));
    }
  g_assert_true (same);
  g_array_set_size (rec->events, 0);
}

static void
assert_no_events (Recorder *rec)
{
  assert_events (rec, NULL);
}

/* ---- recordings --------------------------------------------------------- */

typedef struct {
  GBytes *bytes;
  GArray *offsets; /* gsize: where each message starts; one extra at the end */
} Recording;

static void
recording_free (Recording *r)
{
  g_bytes_unref (r->bytes);
  g_array_unref (r->offsets);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recording, recording_free)

/* Loads tests/net/data/NAME.nl (found through G_TEST_SRCDIR, which meson
 * sets) and splits it into messages, checking the framing the README
 * promises. */
static Recording *
recording_load (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".nl", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", file, NULL);
  g_autoptr (GError) error = NULL;
  Recording *r = g_new0 (Recording, 1);
  char *contents;
  gsize len, off = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  r->bytes = g_bytes_new_take (contents, len);
  r->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  while (off < len)
    {
      struct nlmsghdr hdr;

      g_assert_cmpuint (len - off, >=, sizeof hdr);
      memcpy (&hdr, contents + off, sizeof hdr);
      g_assert_cmpuint (hdr.nlmsg_len, >=, sizeof hdr);
      g_assert_cmpuint (NLMSG_ALIGN (hdr.nlmsg_len), <=, len - off);
      g_array_append_val (r->offsets, off);
      off += NLMSG_ALIGN (hdr.nlmsg_len);
    }
  g_array_append_val (r->offsets, off);
  return r;
}

static guint
recording_count (const Recording *r)
{
  return r->offsets->len - 1;
}

/* Feeds messages [from, to) as one buffer, an exact-size heap copy so that
 * the sanitizers see any read past its end. Returns feed's result. */
static guint
feed_range (HearthNetMonitor *monitor, const Recording *r, guint from, guint to)
{
  const guint8 *data = g_bytes_get_data (r->bytes, NULL);
  gsize start = g_array_index (r->offsets, gsize, from);
  gsize end = g_array_index (r->offsets, gsize, to);
  g_autofree guint8 *copy = g_memdup2 (data + start, end - start);

  return hearth_net_monitor_feed (monitor, copy, end - start);
}

static guint
feed_one (HearthNetMonitor *monitor, const Recording *r, guint i)
{
  return feed_range (monitor, r, i, i + 1);
}

static guint
feed_all (HearthNetMonitor *monitor, const Recording *r)
{
  return feed_range (monitor, r, 0, recording_count (r));
}

/* ---- hand-built messages ------------------------------------------------ */

typedef struct {
  guint8 b[2048];
  gsize n;
  gsize start; /* of the message being built */
} Msg;

static void
msg_put (Msg *m, const void *data, gsize len)
{
  g_assert_cmpuint (len, <=, sizeof m->b - m->n);
  memcpy (m->b + m->n, data, len);
  m->n += len;
}

static void
msg_pad (Msg *m)
{
  static const guint8 zeros[4] = { 0 };

  msg_put (m, zeros, NLMSG_ALIGN (m->n) - m->n);
}

static void
msg_begin (Msg *m, guint16 type)
{
  struct nlmsghdr hdr = { .nlmsg_type = type };

  msg_pad (m);
  m->start = m->n;
  msg_put (m, &hdr, sizeof hdr);
}

/* Sets the header's length to what was written since msg_begin(). */
static void
msg_end (Msg *m)
{
  guint32 len = (guint32) (m->n - m->start);

  memcpy (m->b + m->start + G_STRUCT_OFFSET (struct nlmsghdr, nlmsg_len), &len, sizeof len);
  msg_pad (m);
}

static void
msg_attr (Msg *m, guint16 type, const void *data, gsize len)
{
  struct rtattr rta = { .rta_len = (unsigned short) RTA_LENGTH (len), .rta_type = type };

  msg_pad (m);
  msg_put (m, &rta, sizeof rta);
  msg_put (m, data, len);
  msg_pad (m);
}

static void
msg_attr_u32 (Msg *m, guint16 type, guint32 v)
{
  msg_attr (m, type, &v, sizeof v);
}

static void
msg_attr_u8 (Msg *m, guint16 type, guint8 v)
{
  msg_attr (m, type, &v, sizeof v);
}

static void
msg_link (Msg *m, guint16 type, guint8 family, int index, const char *name, guint flags, guint8 operstate)
{
  struct ifinfomsg ifi = { .ifi_family = family, .ifi_index = index, .ifi_flags = flags, .ifi_change = 0xffffffff };

  msg_begin (m, type);
  msg_put (m, &ifi, sizeof ifi);
  if (name != NULL)
    msg_attr (m, IFLA_IFNAME, name, strlen (name) + 1);
  msg_attr_u32 (m, IFLA_MTU, 1500);
  msg_attr_u8 (m, IFLA_OPERSTATE, operstate);
  msg_end (m);
}

/* An address message with IFA_ADDRESS (and IFA_LOCAL for IPv4, as the
 * kernel sends) holding text; addr_len overrides the attribute length
 * (for malformed messages) when not 0. */
static void
msg_addr_full (Msg *m, guint16 type, int family, int index, const char *text, guint8 prefix, guint32 flags,
               gsize addr_len)
{
  struct ifaddrmsg ifa = { .ifa_family = (guint8) family, .ifa_prefixlen = prefix, .ifa_flags = (guint8) flags,
                           .ifa_index = (guint32) index };
  guint8 bytes[16] = { 0 };

  g_assert_cmpint (inet_pton (family, text, bytes), ==, 1);
  if (addr_len == 0)
    addr_len = family == AF_INET ? 4 : 16;
  msg_begin (m, type);
  msg_put (m, &ifa, sizeof ifa);
  msg_attr (m, IFA_ADDRESS, bytes, addr_len);
  if (family == AF_INET)
    msg_attr (m, IFA_LOCAL, bytes, addr_len);
  msg_attr_u32 (m, IFA_FLAGS, flags);
  msg_end (m);
}

static void
msg_addr (Msg *m, guint16 type, int family, int index, const char *text, guint8 prefix, guint32 flags)
{
  msg_addr_full (m, type, family, index, text, prefix, flags, 0);
}

static guint
msg_feed (HearthNetMonitor *monitor, Msg *m)
{
  g_autofree guint8 *copy = g_memdup2 (m->b, m->n);
  guint applied = hearth_net_monitor_feed (monitor, copy, m->n);

  m->n = 0;
  return applied;
}

/* ---- helpers for state checks ------------------------------------------- */

static HearthNetMonitorStats
stats (HearthNetMonitor *monitor)
{
  HearthNetMonitorStats s;

  hearth_net_monitor_get_stats (monitor, &s);
  return s;
}

/* The link's addresses as "a b c" in their order. */
static char *
link_addresses (const HearthNetLink *link)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < link->addresses->len; i++)
    {
      g_autofree char *text = hearth_net_address_to_string (&g_array_index (link->addresses, HearthNetAddress, i));

      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
assert_link_addresses (HearthNetMonitor *monitor, guint index, const char *expected)
{
  const HearthNetLink *link = hearth_net_monitor_get_link (monitor, index);
  g_autofree char *got = NULL;

  g_assert_nonnull (link);
  got = link_addresses (link);
  g_assert_cmpstr (got, ==, expected);
}

/* The same, ignoring the order. */
static void
assert_link_address_set (HearthNetMonitor *monitor, guint index, const char *expected)
{
  const HearthNetLink *link = hearth_net_monitor_get_link (monitor, index);
  g_autofree char *text = NULL;
  g_auto (GStrv) got = NULL;
  g_auto (GStrv) want = g_strsplit (expected, " ", -1);
  g_autofree char *got_sorted = NULL;
  g_autofree char *want_sorted = NULL;

  g_assert_nonnull (link);
  text = link_addresses (link);
  got = g_strsplit (text, " ", -1);
  qsort (got, g_strv_length (got), sizeof (char *), compare_strings);
  qsort (want, g_strv_length (want), sizeof (char *), compare_strings);
  got_sorted = g_strjoinv (" ", got);
  want_sorted = g_strjoinv (" ", want);
  g_assert_cmpstr (got_sorted, ==, want_sorted);
}

static const HearthNetLink *
find_address_text (HearthNetMonitor *monitor, const char *text)
{
  guint8 bytes[16];
  int family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;

  g_assert_cmpint (inet_pton (family, text, bytes), ==, 1);
  return hearth_net_monitor_find_address (monitor, family, bytes);
}

static const HearthNetLink *
find_subnet_text (HearthNetMonitor *monitor, const char *text)
{
  guint8 bytes[16];
  int family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;

  g_assert_cmpint (inet_pton (family, text, bytes), ==, 1);
  return hearth_net_monitor_find_subnet (monitor, family, bytes);
}

static guint
n_links (HearthNetMonitor *monitor)
{
  g_autoptr (GPtrArray) links = hearth_net_monitor_list_links (monitor);

  return links->len;
}

/* ---- the recordings ----------------------------------------------------- */

static const char *const veth_lifecycle_events[] = {
  /* 00-05: the pair appears, comes up, gets carrier */
  "link-added 2 vh1 down",
  "link-added 3 vh0 down",
  "link-changed 3 vh0 lower-layer-down",
  "link-changed 2 vh1 lower-layer-down",
  "link-changed 2 vh1 up",
  "link-changed 3 vh0 up",
  /* 06-11: link-local addresses, then the configured ones */
  "addr-added 3 vh0 fe80::ff:fe00:9900/64",
  "addr-added 2 vh1 fe80::ff:fe00:9901/64",
  "addr-added 3 vh0 10.99.0.1/24",
  "addr-added 3 vh0 2001:db8:99::1/64",
  "addr-added 3 vh0 10.99.1.1/24",
  "addr-removed 3 vh0 10.99.1.1/24",
  /* 12-18: vh1 down and up again: vh0 loses carrier meanwhile */
  "link-changed 2 vh1 down",
  "addr-removed 2 vh1 fe80::ff:fe00:9901/64",
  "link-changed 3 vh0 lower-layer-down",
  "link-changed 2 vh1 lower-layer-down",
  "link-changed 2 vh1 up",
  "link-changed 3 vh0 up",
  "addr-added 2 vh1 fe80::ff:fe00:9901/64",
  /* 19-26: deleting vh0 takes both down */
  "link-changed 3 vh0 down",
  "addr-removed 3 vh0 2001:db8:99::1/64",
  "addr-removed 3 vh0 fe80::ff:fe00:9900/64",
  "link-changed 2 vh1 down",
  "addr-removed 2 vh1 fe80::ff:fe00:9901/64",
  "addr-removed 3 vh0 10.99.0.1/24",
  "link-removed 3 vh0 down",
  "link-removed 2 vh1 down",
  NULL,
};

static void
test_veth_lifecycle_whole (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("veth-lifecycle");
  HearthNetMonitorStats s;

  g_assert_cmpuint (recording_count (r), ==, 27);
  g_assert_cmpuint (feed_all (monitor, r), ==, 27);
  assert_events (rec, veth_lifecycle_events);
  g_assert_null (hearth_net_monitor_get_link (monitor, 2));
  g_assert_null (hearth_net_monitor_get_link (monitor, 3));
  g_assert_null (hearth_net_monitor_find_link (monitor, "vh0"));
  g_assert_null (hearth_net_monitor_find_link (monitor, "vh1"));
  g_assert_null (find_address_text (monitor, "10.99.0.1"));
  g_assert_null (find_address_text (monitor, "2001:db8:99::1"));
  g_assert_cmpuint (n_links (monitor), ==, 0);
  s = stats (monitor);
  g_assert_cmpuint (s.messages, ==, 27);
  g_assert_cmpuint (s.bad_messages, ==, 0);
}

/* The same recording one message per feed, looking at the state at the
 * points the README describes. */
static void
test_veth_lifecycle_stepwise (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("veth-lifecycle");
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  const HearthNetLink *vh0;

  for (guint i = 0; i < recording_count (r); i++)
    {
      g_assert_cmpuint (feed_one (monitor, r, i), ==, 1);
      for (guint j = 0; j < rec->events->len; j++)
        g_ptr_array_add (all, event_describe (&g_array_index (rec->events, Event, j)));
      g_array_set_size (rec->events, 0);

      vh0 = hearth_net_monitor_get_link (monitor, 3);
      switch (i)
        {
        case 1:
          g_assert_nonnull (vh0);
          g_assert_cmpstr (vh0->name, ==, "vh0");
          g_assert_cmpuint (vh0->mtu, ==, 1500);
          g_assert_false (hearth_net_link_is_usable (vh0));
          g_assert_cmpstr (hearth_net_link_operstate_text (vh0), ==, "down");
          g_assert_true (hearth_net_monitor_find_link (monitor, "vh0") == vh0);
          break;
        case 2:
          /* Up but no carrier yet: the peer is still down. */
          g_assert_true (vh0->flags & IFF_UP);
          g_assert_false (vh0->flags & IFF_RUNNING);
          g_assert_false (hearth_net_link_is_usable (vh0));
          g_assert_cmpstr (hearth_net_link_operstate_text (vh0), ==, "lower-layer-down");
          break;
        case 5:
          g_assert_cmpuint (vh0->flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP), ==,
                            IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
          g_assert_true (hearth_net_link_is_usable (vh0));
          g_assert_cmpstr (hearth_net_link_operstate_text (vh0), ==, "up");
          g_assert_cmpuint (vh0->addresses->len, ==, 0);
          break;
        case 9:
          assert_link_addresses (monitor, 3, "fe80::ff:fe00:9900/64 10.99.0.1/24 2001:db8:99::1/64");
          assert_link_addresses (monitor, 2, "fe80::ff:fe00:9901/64");
          g_assert_true (find_address_text (monitor, "10.99.0.1") == vh0);
          g_assert_true (find_address_text (monitor, "2001:db8:99::1") == vh0);
          g_assert_true (find_address_text (monitor, "fe80::ff:fe00:9901") == hearth_net_monitor_get_link (monitor, 2));
          {
            const HearthNetAddress *a = &g_array_index (vh0->addresses, HearthNetAddress, 2);

            g_assert_cmpint (a->family, ==, AF_INET6);
            g_assert_cmpuint (a->prefix_len, ==, 64);
            g_assert_cmpuint (a->flags, ==, IFA_F_NODAD | IFA_F_PERMANENT);
            g_assert_cmpuint (a->scope, ==, RT_SCOPE_UNIVERSE);
            g_assert_cmpuint (a->ifindex, ==, 3);
            g_assert_true (hearth_net_address_is_usable (a));
            a = &g_array_index (vh0->addresses, HearthNetAddress, 0);
            g_assert_cmpuint (a->scope, ==, RT_SCOPE_LINK);
          }
          break;
        case 10:
          g_assert_true (find_address_text (monitor, "10.99.1.1") == vh0);
          break;
        case 11:
          g_assert_null (find_address_text (monitor, "10.99.1.1"));
          assert_link_addresses (monitor, 3, "fe80::ff:fe00:9900/64 10.99.0.1/24 2001:db8:99::1/64");
          break;
        case 12:
          g_assert_false (hearth_net_link_is_usable (hearth_net_monitor_get_link (monitor, 2)));
          /* The kernel tells vh0 about its lost carrier only later (14). */
          g_assert_true (hearth_net_link_is_usable (vh0));
          break;
        case 14:
          /* Carrier lost when the peer went down; still administratively up
           * and keeping its addresses. */
          g_assert_true (vh0->flags & IFF_UP);
          g_assert_false (hearth_net_link_is_usable (vh0));
          g_assert_cmpstr (hearth_net_link_operstate_text (vh0), ==, "lower-layer-down");
          assert_link_addresses (monitor, 3, "fe80::ff:fe00:9900/64 10.99.0.1/24 2001:db8:99::1/64");
          break;
        case 17:
          g_assert_true (hearth_net_link_is_usable (vh0));
          g_assert_cmpstr (hearth_net_link_operstate_text (vh0), ==, "up");
          break;
        case 24:
          g_assert_cmpuint (vh0->addresses->len, ==, 0);
          g_assert_cmpuint (n_links (monitor), ==, 2);
          break;
        case 25:
          g_assert_null (vh0);
          g_assert_nonnull (hearth_net_monitor_get_link (monitor, 2));
          break;
        case 26:
          g_assert_cmpuint (n_links (monitor), ==, 0);
          break;
        default:
          break;
        }
    }
  g_ptr_array_add (all, NULL);
  g_assert_cmpstrv ((char **) all->pdata, veth_lifecycle_events);
}

/* Event flags as the recorder saw them: the link flags travel with each
 * event. */
static void
test_veth_lifecycle_event_fields (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("veth-lifecycle");
  const Event *e;

  feed_range (monitor, r, 0, 10);
  /* 04: vh1 up with carrier */
  e = &g_array_index (rec->events, Event, 4);
  g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_LINK_CHANGED);
  g_assert_cmpuint (e->ifindex, ==, 2);
  g_assert_cmpuint (e->link_flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP), ==, IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
  g_assert_cmpuint (e->operstate, ==, IF_OPER_UP);
  g_assert_true (e->usable);
  /* 03: vh1 up, lower up, not running */
  e = &g_array_index (rec->events, Event, 3);
  g_assert_cmpuint (e->link_flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP), ==, IFF_UP | IFF_LOWER_UP);
  g_assert_false (e->usable);
  /* 09: the nodad address */
  e = &g_array_index (rec->events, Event, 9);
  g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_ADDRESS_ADDED);
  g_assert_cmpstr (e->address, ==, "2001:db8:99::1/64");
  g_assert_cmpuint (e->addr_flags, ==, IFA_F_NODAD | IFA_F_PERMANENT);
  g_assert_cmpstr (e->name, ==, "vh0");
  g_assert_true (e->usable);
}

static void
test_rename (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("rename");
  const HearthNetLink *link;
  const char *const before[] = {
    "link-added 2 dm0 down",
    "addr-added 2 dm0 10.98.0.1/24",
    "link-changed 2 dm0 unknown",
    "addr-added 2 dm0 fe80::ff:fe00:9800/64",
    "link-changed 2 dm0 down",
    "addr-removed 2 dm0 fe80::ff:fe00:9800/64",
    NULL,
  };
  const char *const renamed[] = { "link-changed 2 dm1 down", NULL };
  const char *const after[] = {
    "addr-removed 2 dm1 10.98.0.1/24",
    "link-removed 2 dm1 down",
    NULL,
  };

  g_assert_cmpuint (recording_count (r), ==, 10);
  feed_range (monitor, r, 0, 3);
  /* ifb has no carrier notion: up and running, operstate unknown. */
  link = hearth_net_monitor_get_link (monitor, 2);
  g_assert_true (hearth_net_link_is_usable (link));
  g_assert_cmpstr (hearth_net_link_operstate_text (link), ==, "unknown");
  feed_range (monitor, r, 3, 6);
  assert_events (rec, before);

  feed_one (monitor, r, 6);
  assert_events (rec, renamed);
  link = hearth_net_monitor_get_link (monitor, 2);
  g_assert_nonnull (link);
  g_assert_cmpstr (link->name, ==, "dm1");
  g_assert_null (hearth_net_monitor_find_link (monitor, "dm0"));
  g_assert_true (hearth_net_monitor_find_link (monitor, "dm1") == link);
  g_assert_cmpuint (n_links (monitor), ==, 1);

  /* The kernel sends the IPv4 address again with the new label: the same
   * address, so no event and no second copy. */
  feed_one (monitor, r, 7);
  assert_no_events (rec);
  assert_link_addresses (monitor, 2, "10.98.0.1/24");
  g_assert_true (find_address_text (monitor, "10.98.0.1") == link);

  feed_range (monitor, r, 8, 10);
  assert_events (rec, after);
  g_assert_cmpuint (n_links (monitor), ==, 0);
  g_assert_cmpuint (stats (monitor).bad_messages, ==, 0);
}

static void
test_ipv6_dad (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("ipv6-dad");
  const HearthNetLink *vh0;
  const HearthNetAddress *a;
  const Event *e;
  const char *const expected[] = {
    "link-added 2 vh1 down",
    "link-added 3 vh0 down",
    "link-changed 3 vh0 lower-layer-down",
    "link-changed 2 vh1 lower-layer-down",
    "link-changed 2 vh1 up",
    "link-changed 3 vh0 up",
    "addr-added 2 vh1 fe80::ff:fe00:9701/64",
    "addr-added 3 vh0 fe80::ff:fe00:9700/64",
    "addr-added 3 vh0 2001:db8:97::1/64 tentative",
    "addr-changed 3 vh0 2001:db8:97::1/64",
    NULL,
  };

  g_assert_cmpuint (recording_count (r), ==, 10);
  feed_range (monitor, r, 0, 9);
  vh0 = hearth_net_monitor_get_link (monitor, 3);
  assert_link_addresses (monitor, 3, "fe80::ff:fe00:9700/64 2001:db8:97::1/64");
  a = &g_array_index (vh0->addresses, HearthNetAddress, 1);
  g_assert_cmpuint (a->flags, ==, IFA_F_TENTATIVE | IFA_F_PERMANENT);
  g_assert_false (hearth_net_address_is_usable (a));
  e = &g_array_index (rec->events, Event, 8);
  g_assert_cmpuint (e->addr_flags, ==, IFA_F_TENTATIVE | IFA_F_PERMANENT);

  feed_one (monitor, r, 9);
  a = &g_array_index (vh0->addresses, HearthNetAddress, 1);
  g_assert_cmpuint (a->flags, ==, IFA_F_PERMANENT);
  g_assert_true (hearth_net_address_is_usable (a));
  e = &g_array_index (rec->events, Event, 9);
  g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_ADDRESS_CHANGED);
  g_assert_cmpuint (e->addr_flags, ==, IFA_F_PERMANENT);
  assert_events (rec, expected);
  /* Still one copy of the address. */
  assert_link_addresses (monitor, 3, "fe80::ff:fe00:9700/64 2001:db8:97::1/64");
}

static const char *const dump_events[] = {
  "link-added 1 lo unknown",
  "link-added 2 vh1 up",
  "link-added 3 vh0 up",
  "link-added 4 dm0 unknown",
  "addr-added 1 lo 127.0.0.1/8",
  "addr-added 2 vh1 10.99.0.2/24",
  "addr-added 3 vh0 10.99.0.1/24",
  "addr-added 4 dm0 10.98.0.1/24",
  "addr-added 1 lo ::1/128",
  "addr-added 2 vh1 2001:db8:99::2/64",
  "addr-added 2 vh1 fe80::ff:fe00:9901/64",
  "addr-added 3 vh0 2001:db8:99::1/64",
  "addr-added 3 vh0 fe80::ff:fe00:9900/64",
  "addr-added 4 dm0 fe80::ff:fe00:9800/64",
  NULL,
};

static void
assert_dump_state (HearthNetMonitor *monitor)
{
  g_autoptr (GPtrArray) links = hearth_net_monitor_list_links (monitor);
  const char *const names[] = { "lo", "vh1", "vh0", "dm0" };
  const HearthNetLink *lo = hearth_net_monitor_get_link (monitor, 1);
  guint8 bytes[16] = { 0 };

  g_assert_cmpuint (links->len, ==, 4);
  for (guint i = 0; i < links->len; i++)
    {
      const HearthNetLink *link = g_ptr_array_index (links, i);

      g_assert_cmpuint (link->index, ==, i + 1);
      g_assert_cmpstr (link->name, ==, names[i]);
      g_assert_true (hearth_net_monitor_find_link (monitor, names[i]) == link);
      g_assert_true (hearth_net_link_is_usable (link));
      g_assert_cmpint (hearth_net_link_is_loopback (link), ==, i == 0);
    }
  /* Arrival order is the feed order, which callers vary. */
  assert_link_address_set (monitor, 1, "127.0.0.1/8 ::1/128");
  assert_link_address_set (monitor, 2, "10.99.0.2/24 2001:db8:99::2/64 fe80::ff:fe00:9901/64");
  assert_link_address_set (monitor, 3, "10.99.0.1/24 2001:db8:99::1/64 fe80::ff:fe00:9900/64");
  assert_link_address_set (monitor, 4, "10.98.0.1/24 fe80::ff:fe00:9800/64");
  for (guint i = 0; i < lo->addresses->len; i++)
    g_assert_cmpuint (g_array_index (lo->addresses, HearthNetAddress, i).scope, ==, RT_SCOPE_HOST);

  g_assert_true (find_address_text (monitor, "127.0.0.1") == lo);
  g_assert_true (find_address_text (monitor, "::1") == lo);
  g_assert_true (find_address_text (monitor, "10.99.0.2") == g_ptr_array_index (links, 1));
  g_assert_true (find_address_text (monitor, "2001:db8:99::1") == g_ptr_array_index (links, 2));
  g_assert_true (find_address_text (monitor, "fe80::ff:fe00:9800") == g_ptr_array_index (links, 3));
  /* In a covered subnet but not an address of the machine. */
  g_assert_null (find_address_text (monitor, "10.99.0.3"));
  g_assert_null (find_address_text (monitor, "2001:db8:99::3"));
  /* ...which find_subnet finds (the --local-service check). */
  g_assert_nonnull (find_subnet_text (monitor, "10.99.0.3"));
  g_assert_nonnull (find_subnet_text (monitor, "2001:db8:99::3"));
  g_assert_true (find_subnet_text (monitor, "10.98.0.77") == g_ptr_array_index (links, 3));
  g_assert_true (find_subnet_text (monitor, "127.1.2.3") == lo);
  g_assert_null (find_subnet_text (monitor, "10.97.0.1"));
  g_assert_null (find_subnet_text (monitor, "2001:db8:98::1"));
  /* The bytes of 10.99.0.1 asked as IPv6, and 127.0.0.1's as IPv6. */
  inet_pton (AF_INET, "10.99.0.1", bytes);
  g_assert_null (hearth_net_monitor_find_address (monitor, AF_INET6, bytes));
  g_assert_nonnull (hearth_net_monitor_find_address (monitor, AF_INET, bytes));
}

static void
test_dump (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("dump");
  HearthNetMonitorStats s;

  g_assert_cmpuint (recording_count (r), ==, 16);
  /* Two NLMSG_DONE: not applied, not bad. */
  g_assert_cmpuint (feed_all (monitor, r), ==, 14);
  assert_events (rec, dump_events);
  assert_dump_state (monitor);
  assert_link_addresses (monitor, 1, "127.0.0.1/8 ::1/128");
  assert_link_addresses (monitor, 3, "10.99.0.1/24 2001:db8:99::1/64 fe80::ff:fe00:9900/64");
  s = stats (monitor);
  g_assert_cmpuint (s.messages, ==, 14);
  g_assert_cmpuint (s.bad_messages, ==, 0);
}

/* A resync delivers everything again: nothing has changed, so nothing is
 * announced. */
static void
test_dump_twice (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("dump");

  feed_all (monitor, r);
  assert_events (rec, dump_events);
  feed_all (monitor, r);
  assert_no_events (rec);
  assert_dump_state (monitor);
  /* One message at a time makes no difference. */
  for (guint i = 0; i < recording_count (r); i++)
    feed_one (monitor, r, i);
  assert_no_events (rec);
  assert_dump_state (monitor);
  g_assert_cmpuint (stats (monitor).bad_messages, ==, 0);
}

/* The dump backwards: every address arrives before its link, and the links
 * in falling index order. */
static void
test_addresses_before_link (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) r = recording_load ("dump");
  g_autoptr (Recording) veth = recording_load ("veth-lifecycle");
  const Event *e;
  guint n_link_added = 0, n_addr_added = 0;
  const char *const late[] = {
    "link-added 3 vh0 down",
    "addr-added 3 vh0 10.99.0.1/24",
    NULL,
  };

  for (guint i = recording_count (r); i-- > 0;)
    {
      feed_one (monitor, r, i);
      if (i == 5)
        {
          /* All addresses known to the caches, no link yet. */
          assert_no_events (rec);
          g_assert_cmpuint (n_links (monitor), ==, 0);
          g_assert_null (find_address_text (monitor, "10.99.0.1"));
        }
    }
  assert_dump_state (monitor);
  /* Each link's ADDED comes before its addresses' ADDED. */
  for (guint i = 0; i < rec->events->len; i++)
    {
      e = &g_array_index (rec->events, Event, i);
      if (e->type == HEARTH_NET_EVENT_LINK_ADDED)
        n_link_added++;
      else
        {
          g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_ADDRESS_ADDED);
          g_assert_cmpuint (n_link_added, >=, 5 - e->ifindex);
          n_addr_added++;
        }
    }
  g_assert_cmpuint (n_link_added, ==, 4);
  g_assert_cmpuint (n_addr_added, ==, 10);
  g_array_set_size (rec->events, 0);

  /* The same with a fresh monitor and one recorded address. */
  g_clear_pointer (&monitor, hearth_net_monitor_free);
  monitor = hearth_net_monitor_new ();
  hearth_net_monitor_add_watch (monitor, record_cb, rec);
  feed_one (monitor, veth, 8);
  assert_no_events (rec);
  feed_one (monitor, veth, 1);
  assert_events (rec, late);
  assert_link_addresses (monitor, 3, "10.99.0.1/24");
}

/* Deleting a link with addresses: each address is announced gone before the
 * link, and none of them comes back with a new link of the same index. */
static void
test_dellink_with_addresses (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) dump = recording_load ("dump");
  g_autoptr (Recording) veth = recording_load ("veth-lifecycle");
  g_autoptr (GHashTable) removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *const vh1_gone[] = {
    "addr-removed 2 vh1 10.99.0.2/24",
    "addr-removed 2 vh1 2001:db8:99::2/64",
    "addr-removed 2 vh1 fe80::ff:fe00:9901/64",
    NULL,
  };
  const char *const vh0_back[] = { "link-added 3 vh0 down", NULL };
  const Event *e;

  feed_all (monitor, dump);
  g_array_set_size (rec->events, 0);

  /* 25: RTM_DELLINK vh0, with no RTM_DELADDR before it. */
  g_assert_cmpuint (feed_one (monitor, veth, 25), ==, 1);
  g_assert_cmpuint (rec->events->len, ==, 4);
  for (guint i = 0; i < 3; i++)
    {
      e = &g_array_index (rec->events, Event, i);
      g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_ADDRESS_REMOVED);
      g_assert_cmpuint (e->ifindex, ==, 3);
      g_assert_true (g_hash_table_add (removed, g_strdup (e->address)));
    }
  g_assert_true (g_hash_table_contains (removed, "10.99.0.1/24"));
  g_assert_true (g_hash_table_contains (removed, "2001:db8:99::1/64"));
  g_assert_true (g_hash_table_contains (removed, "fe80::ff:fe00:9900/64"));
  e = &g_array_index (rec->events, Event, 3);
  g_assert_cmpint (e->type, ==, HEARTH_NET_EVENT_LINK_REMOVED);
  g_assert_cmpuint (e->ifindex, ==, 3);
  g_assert_cmpstr (e->name, ==, "vh0");
  g_array_set_size (rec->events, 0);
  g_assert_null (hearth_net_monitor_get_link (monitor, 3));
  g_assert_null (find_address_text (monitor, "10.99.0.1"));
  g_assert_null (find_address_text (monitor, "2001:db8:99::1"));
  g_assert_cmpuint (n_links (monitor), ==, 3);

  /* A link with the same index later: a new link, without the old
   * addresses. */
  feed_one (monitor, veth, 1);
  assert_events (rec, vh0_back);
  g_assert_cmpuint (hearth_net_monitor_get_link (monitor, 3)->addresses->len, ==, 0);

  /* 26: RTM_DELLINK vh1. The order among the addresses is not promised;
   * these are listed newest first. */
  feed_one (monitor, veth, 26);
  g_assert_cmpuint (rec->events->len, ==, 4);
  g_assert_cmpint (g_array_index (rec->events, Event, 3).type, ==, HEARTH_NET_EVENT_LINK_REMOVED);
  g_array_remove_index (rec->events, 3);
  {
    g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < rec->events->len; i++)
      g_ptr_array_add (got, event_describe (&g_array_index (rec->events, Event, i)));
    for (guint i = 0; vh1_gone[i] != NULL; i++)
      g_assert_true (g_ptr_array_find_with_equal_func (got, vh1_gone[i], g_str_equal, NULL));
  }
  g_array_set_size (rec->events, 0);

  /* A late RTM_DELADDR for an address the deleted vh0 had (the new vh0
   * has none): nothing. */
  feed_one (monitor, veth, 24);
  assert_no_events (rec);
  g_assert_cmpuint (n_links (monitor), ==, 3);
}

/* Bridge port records (ifi_family AF_BRIDGE) repeat an index with other
 * contents; they must neither create nor change a link. */
static void
test_bridge_family_ignored (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  const char *const added[] = { "link-added 5 br0p up", NULL };
  Msg m = { 0 };

  msg_link (&m, RTM_NEWLINK, AF_BRIDGE, 5, "br0p", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  msg_feed (monitor, &m);
  assert_no_events (rec);
  g_assert_null (hearth_net_monitor_get_link (monitor, 5));

  msg_link (&m, RTM_NEWLINK, AF_UNSPEC, 5, "br0p", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  g_assert_cmpuint (msg_feed (monitor, &m), ==, 1);
  assert_events (rec, added);

  /* A bridge record saying something else about the same index. */
  msg_link (&m, RTM_NEWLINK, AF_BRIDGE, 5, "other", 0, IF_OPER_DOWN);
  msg_feed (monitor, &m);
  assert_no_events (rec);
  g_assert_cmpstr (hearth_net_monitor_get_link (monitor, 5)->name, ==, "br0p");
  g_assert_true (hearth_net_link_is_usable (hearth_net_monitor_get_link (monitor, 5)));
  /* And a bridge RTM_DELLINK (a port leaving its bridge) is not the
   * link's removal. */
  msg_link (&m, RTM_DELLINK, AF_BRIDGE, 5, "br0p", 0, IF_OPER_DOWN);
  msg_feed (monitor, &m);
  assert_no_events (rec);
  g_assert_nonnull (hearth_net_monitor_get_link (monitor, 5));
}

/* Hand-built messages: the basics the recordings also cover, plus what no
 * kernel sends. */
static void
test_handmade (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  const char *const expected[] = {
    "link-added 7 eth7 up",
    "addr-added 7 eth7 192.0.2.1/23",
    "addr-added 7 eth7 192.0.2.1/24",
    "addr-added 7 eth7 2001:db8::1/65 tentative",
    "link-changed 7 eth7 up",
    "addr-changed 7 eth7 2001:db8::1/65",
    "addr-removed 7 eth7 192.0.2.1/23",
    NULL,
  };
  Msg m = { 0 };

  /* Several messages in one buffer, as in one datagram. */
  msg_link (&m, RTM_NEWLINK, AF_UNSPEC, 7, "eth7", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  msg_addr (&m, RTM_NEWADDR, AF_INET, 7, "192.0.2.1", 23, IFA_F_PERMANENT);
  /* The same address with another prefix is another address. */
  msg_addr (&m, RTM_NEWADDR, AF_INET, 7, "192.0.2.1", 24, IFA_F_PERMANENT);
  msg_addr (&m, RTM_NEWADDR, AF_INET6, 7, "2001:db8::1", 65, IFA_F_TENTATIVE);
  /* The same link again, unchanged: nothing to say. */
  msg_link (&m, RTM_NEWLINK, AF_UNSPEC, 7, "eth7", IFF_UP | IFF_RUNNING, IF_OPER_UP);
  /* An MTU change is a change. */
  {
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7, .ifi_flags = IFF_UP | IFF_RUNNING };

    msg_begin (&m, RTM_NEWLINK);
    msg_put (&m, &ifi, sizeof ifi);
    msg_attr (&m, IFLA_IFNAME, "eth7", 5);
    msg_attr_u32 (&m, IFLA_MTU, 9000);
    msg_attr_u8 (&m, IFLA_OPERSTATE, IF_OPER_UP);
    msg_end (&m);
  }
  msg_addr (&m, RTM_NEWADDR, AF_INET6, 7, "2001:db8::1", 65, 0);
  msg_addr (&m, RTM_DELADDR, AF_INET, 7, "192.0.2.1", 23, IFA_F_PERMANENT);
  /* Removing what is not there. */
  msg_addr (&m, RTM_DELADDR, AF_INET, 7, "192.0.2.99", 24, IFA_F_PERMANENT);
  msg_addr (&m, RTM_DELADDR, AF_INET, 8, "192.0.2.1", 24, IFA_F_PERMANENT);
  msg_link (&m, RTM_DELLINK, AF_UNSPEC, 8, "eth8", 0, IF_OPER_DOWN);
  msg_feed (monitor, &m);
  assert_events (rec, expected);
  g_assert_cmpuint (hearth_net_monitor_get_link (monitor, 7)->mtu, ==, 9000);
  assert_link_addresses (monitor, 7, "192.0.2.1/24 2001:db8::1/65");
  g_assert_cmpuint (stats (monitor).bad_messages, ==, 0);
}

static void
test_remove_watch (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recorder) rec2 = g_new0 (Recorder, 1);
  g_autoptr (Recording) r = recording_load ("dump");
  guint id;

  rec2->events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_array_set_clear_func (rec2->events, event_clear);
  id = hearth_net_monitor_add_watch (monitor, record_cb, rec2);
  g_assert_cmpuint (id, !=, 0);
  feed_range (monitor, r, 0, 1);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpuint (rec2->events->len, ==, 1);
  hearth_net_monitor_remove_watch (monitor, id);
  hearth_net_monitor_remove_watch (monitor, id + 100); /* unknown: no-op */
  feed_range (monitor, r, 1, 2);
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpuint (rec2->events->len, ==, 1);
}

/* ---- malformed input ---------------------------------------------------- */

/* Feeds buf as is and checks that nothing happened except, when bad is
 * TRUE, one more bad message counted. */
static void
assert_ignored (HearthNetMonitor *monitor, Recorder *rec, const guint8 *buf, gsize len, gboolean bad)
{
  HearthNetMonitorStats before = stats (monitor), after;
  g_autofree guint8 *copy = g_memdup2 (buf, len);

  g_assert_cmpuint (hearth_net_monitor_feed (monitor, copy, len), ==, 0);
  after = stats (monitor);
  assert_no_events (rec);
  g_assert_cmpuint (after.messages, ==, before.messages);
  g_assert_cmpuint (after.bad_messages, ==, before.bad_messages + (bad ? 1 : 0));
}

static void
test_malformed (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  g_autoptr (Recording) dump = recording_load ("dump");
  const char *const after_bad[] = { "link-added 9 ok9 up", NULL };
  struct nlmsghdr hdr = { 0 };
  Msg m = { 0 };

  feed_all (monitor, dump);
  g_array_set_size (rec->events, 0);

  /* Nothing, and less than a header. */
  assert_ignored (monitor, rec, (const guint8 *) "", 0, FALSE);
  msg_link (&m, RTM_DELLINK, AF_UNSPEC, 3, "vh0", 0, IF_OPER_DOWN);
  assert_ignored (monitor, rec, m.b, sizeof hdr - 1, FALSE);
  m.n = 0;

  /* nlmsg_len longer than the buffer: a DELLINK cut short must not
   * delete vh0. */
  msg_link (&m, RTM_DELLINK, AF_UNSPEC, 3, "vh0", 0, IF_OPER_DOWN);
  assert_ignored (monitor, rec, m.b, m.n - 4, TRUE);
  m.n = 0;

  /* nlmsg_len shorter than a header. */
  hdr.nlmsg_len = 8;
  hdr.nlmsg_type = RTM_NEWLINK;
  assert_ignored (monitor, rec, (const guint8 *) &hdr, sizeof hdr, TRUE);

  /* A NEWLINK whose ifinfomsg is cut short. */
  {
    struct ifinfomsg ifi = { .ifi_index = 3 };

    msg_begin (&m, RTM_DELLINK);
    msg_put (&m, &ifi, 8);
    msg_end (&m);
    assert_ignored (monitor, rec, m.b, m.n, TRUE);
    m.n = 0;
    msg_begin (&m, RTM_DELADDR);
    msg_put (&m, &ifi, 4);
    msg_end (&m);
    assert_ignored (monitor, rec, m.b, m.n, TRUE);
    m.n = 0;
  }

  /* Addresses of the wrong size for their family. */
  msg_addr_full (&m, RTM_NEWADDR, AF_INET, 3, "10.99.0.77", 24, IFA_F_PERMANENT, 3);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  msg_addr_full (&m, RTM_NEWADDR, AF_INET6, 3, "2001:db8:99::77", 64, IFA_F_PERMANENT, 4);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  /* And an existing address, cut to 3 bytes, must not remove it. */
  msg_addr_full (&m, RTM_DELADDR, AF_INET, 3, "10.99.0.1", 24, IFA_F_PERMANENT, 3);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  /* A prefix longer than the address. */
  msg_addr (&m, RTM_NEWADDR, AF_INET, 3, "10.99.0.78", 33, IFA_F_PERMANENT);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  msg_addr (&m, RTM_NEWADDR, AF_INET6, 3, "2001:db8:99::78", 129, IFA_F_PERMANENT);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  /* Not an address family hearth serves. */
  {
    struct ifaddrmsg ifa = { .ifa_family = AF_PACKET, .ifa_prefixlen = 0, .ifa_index = 3 };

    msg_begin (&m, RTM_NEWADDR);
    msg_put (&m, &ifa, sizeof ifa);
    msg_attr (&m, IFA_ADDRESS, "\x02\0\0\0\x99\0", 6);
    msg_end (&m);
    assert_ignored (monitor, rec, m.b, m.n, TRUE);
    m.n = 0;
  }
  /* Index 0: no link has it. */
  msg_link (&m, RTM_NEWLINK, AF_UNSPEC, 0, "zero", IFF_UP, IF_OPER_UP);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  msg_addr (&m, RTM_NEWADDR, AF_INET, 0, "10.99.0.79", 24, IFA_F_PERMANENT);
  assert_ignored (monitor, rec, m.b, m.n, TRUE);
  m.n = 0;
  /* A name without its terminating NUL, and an attribute running past its
   * message: libnl rejects or clips them, nothing may be read beyond. */
  {
    struct ifinfomsg ifi = { .ifi_index = 12, .ifi_flags = IFF_UP };
    struct rtattr rta = { .rta_len = 200, .rta_type = IFLA_IFNAME };

    msg_begin (&m, RTM_NEWLINK);
    msg_put (&m, &ifi, sizeof ifi);
    msg_attr (&m, IFLA_IFNAME, "abcdefghijklmnopq", 16);
    msg_end (&m);
    msg_feed (monitor, &m);
    g_array_set_size (rec->events, 0);

    msg_begin (&m, RTM_NEWLINK);
    msg_put (&m, &ifi, sizeof ifi);
    msg_put (&m, &rta, sizeof rta);
    msg_put (&m, "abc", 4);
    msg_end (&m);
    msg_feed (monitor, &m);
    g_array_set_size (rec->events, 0);
  }

  /* Not link or address messages: ignored, not counted as bad. */
  hdr.nlmsg_len = sizeof hdr;
  hdr.nlmsg_type = NLMSG_DONE;
  assert_ignored (monitor, rec, (const guint8 *) &hdr, sizeof hdr, FALSE);
  hdr.nlmsg_type = NLMSG_NOOP;
  assert_ignored (monitor, rec, (const guint8 *) &hdr, sizeof hdr, FALSE);
  {
    struct nlmsgerr err = { .error = -ENOBUFS };

    msg_begin (&m, NLMSG_ERROR);
    msg_put (&m, &err, sizeof err);
    msg_end (&m);
    assert_ignored (monitor, rec, m.b, m.n, FALSE);
    m.n = 0;
  }
  {
    struct rtmsg rtm = { .rtm_family = AF_INET };

    msg_begin (&m, RTM_NEWROUTE);
    msg_put (&m, &rtm, sizeof rtm);
    msg_end (&m);
    msg_begin (&m, 0x7777);
    msg_put (&m, "junk", 4);
    msg_end (&m);
    assert_ignored (monitor, rec, m.b, m.n, FALSE);
    m.n = 0;
  }

  /* A well-framed bad message does not stop the ones after it. */
  {
    struct ifinfomsg ifi = { .ifi_index = 3 };

    msg_begin (&m, RTM_DELLINK);
    msg_put (&m, &ifi, 8);
    msg_end (&m);
    msg_link (&m, RTM_NEWLINK, AF_UNSPEC, 9, "ok9", IFF_UP | IFF_RUNNING, IF_OPER_UP);
    g_assert_cmpuint (msg_feed (monitor, &m), ==, 1);
    assert_events (rec, after_bad);
  }

  /* What was there before is all still there. */
  g_assert_nonnull (hearth_net_monitor_get_link (monitor, 3));
  assert_link_addresses (monitor, 3, "10.99.0.1/24 2001:db8:99::1/64 fe80::ff:fe00:9900/64");
  g_assert_null (find_address_text (monitor, "10.99.0.77"));
}

/* A buffer bigger than any datagram the socket reads (64 KiB) holding one
 * big message: feed() takes any length, so it must cope, by applying the
 * message or by counting it as bad, without touching memory it does not
 * own (the sanitizers watch). */
static void
test_oversized_message (void)
{
  g_autoptr (HearthNetMonitor) monitor = hearth_net_monitor_new ();
  g_autoptr (Recorder) rec = recorder_new (monitor);
  const char *const expected[] = { "link-added 5 big up", NULL };
  gsize len = 80 * 1024;
  g_autofree guint8 *buf = g_malloc0 (len);
  struct nlmsghdr hdr = { .nlmsg_len = (guint32) len, .nlmsg_type = RTM_NEWLINK };
  struct ifinfomsg ifi = { .ifi_index = 5, .ifi_flags = IFF_UP | IFF_RUNNING };
  struct rtattr name = { .rta_len = RTA_LENGTH (4), .rta_type = IFLA_IFNAME };
  struct rtattr pad = { .rta_len = (unsigned short) 0, .rta_type = IFLA_IFALIAS };
  struct rtattr oper = { .rta_len = RTA_LENGTH (1), .rta_type = IFLA_OPERSTATE };
  gsize off = 0, pad_len;

  memcpy (buf + off, &hdr, sizeof hdr);
  off += NLMSG_HDRLEN;
  memcpy (buf + off, &ifi, sizeof ifi);
  off += NLMSG_ALIGN (sizeof ifi);
  memcpy (buf + off, &name, sizeof name);
  memcpy (buf + off + RTA_LENGTH (0), "big", 4);
  off += RTA_SPACE (4);
  memcpy (buf + off, &oper, sizeof oper);
  buf[off + RTA_LENGTH (0)] = IF_OPER_UP;
  off += RTA_SPACE (1);
  /* Fill the rest with unknown attributes of at most 64 KiB each. */
  while (off < len)
    {
      pad_len = MIN (len - off, 60000);
      pad.rta_len = (unsigned short) pad_len;
      pad.rta_type = 0x3fff;
      memcpy (buf + off, &pad, sizeof pad);
      off += pad_len;
    }
  if (hearth_net_monitor_feed (monitor, buf, len) == 1)
    assert_events (rec, expected);
  else
    {
      assert_no_events (rec);
      g_assert_cmpuint (stats (monitor).bad_messages, ==, 1);
    }
}

/* ---- helpers ------------------------------------------------------------ */

static HearthNetAddress
address (const char *text, guint8 prefix)
{
  HearthNetAddress a = { 0 };

  a.family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;
  g_assert_cmpint (inet_pton (a.family, text, a.bytes), ==, 1);
  a.prefix_len = prefix;
  return a;
}

static gboolean
covers (const HearthNetAddress *a, const char *text)
{
  guint8 bytes[16];
  int family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;

  g_assert_cmpint (inet_pton (family, text, bytes), ==, 1);
  return hearth_net_address_covers (a, family, bytes);
}

static void
test_address_covers (void)
{
  HearthNetAddress a;
  guint8 v4[4] = { 10, 1, 2, 3 };

  a = address ("0.0.0.0", 0);
  g_assert_true (covers (&a, "255.255.255.255"));
  g_assert_true (covers (&a, "10.1.2.3"));
  g_assert_false (covers (&a, "::"));
  a = address ("::", 0);
  g_assert_true (covers (&a, "ffff::1"));
  g_assert_false (covers (&a, "0.0.0.0"));

  a = address ("192.0.2.1", 32);
  g_assert_true (covers (&a, "192.0.2.1"));
  g_assert_false (covers (&a, "192.0.2.0"));
  g_assert_false (covers (&a, "192.0.2.129"));
  a = address ("2001:db8::1", 128);
  g_assert_true (covers (&a, "2001:db8::1"));
  g_assert_false (covers (&a, "2001:db8::"));
  g_assert_false (covers (&a, "2001:db8::3"));

  /* /23: the last bit of the third byte is host part. */
  a = address ("192.0.2.1", 23);
  g_assert_true (covers (&a, "192.0.2.200"));
  g_assert_true (covers (&a, "192.0.3.255"));
  g_assert_false (covers (&a, "192.0.4.0"));
  g_assert_false (covers (&a, "192.0.1.255"));
  g_assert_false (covers (&a, "193.0.2.1"));
  a = address ("192.0.2.1", 24);
  g_assert_false (covers (&a, "192.0.3.1"));
  a = address ("10.0.0.1", 1);
  g_assert_true (covers (&a, "127.255.255.255"));
  g_assert_false (covers (&a, "128.0.0.0"));

  /* /65: one bit into the second half. */
  a = address ("2001:db8:0:1::1", 65);
  g_assert_true (covers (&a, "2001:db8:0:1:7fff:ffff:ffff:ffff"));
  g_assert_false (covers (&a, "2001:db8:0:1:8000::"));
  g_assert_false (covers (&a, "2001:db8:0:2::1"));
  a = address ("2001:db8:0:1:8000::1", 65);
  g_assert_true (covers (&a, "2001:db8:0:1:8000::"));
  g_assert_false (covers (&a, "2001:db8:0:1::1"));
  a = address ("fe80::1", 10);
  g_assert_true (covers (&a, "febf::1"));
  g_assert_false (covers (&a, "fec0::1"));

  /* Family mismatch: the first four bytes being equal does not count. */
  a = address ("::a01:203", 0);
  a.family = AF_INET6;
  g_assert_false (hearth_net_address_covers (&a, AF_INET, v4));
  a = address ("10.1.2.3", 32);
  g_assert_false (hearth_net_address_covers (&a, AF_INET6, (guint8[16]) { 10, 1, 2, 3 }));
  g_assert_true (hearth_net_address_covers (&a, AF_INET, v4));
  /* A prefix longer than the family allows covers nothing. */
  a.prefix_len = 33;
  g_assert_false (hearth_net_address_covers (&a, AF_INET, v4));
  a = address ("2001:db8::1", 129);
  g_assert_false (covers (&a, "2001:db8::1"));
}

static void
test_address_text (void)
{
  HearthNetAddress a = address ("192.0.2.1", 24);
  g_autofree char *t1 = hearth_net_address_to_string (&a);
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;

  g_assert_cmpstr (t1, ==, "192.0.2.1/24");
  a = address ("fe80::1", 64);
  t2 = hearth_net_address_to_string (&a);
  g_assert_cmpstr (t2, ==, "fe80::1/64");
  a = address ("::", 0);
  t3 = hearth_net_address_to_string (&a);
  g_assert_cmpstr (t3, ==, "::/0");

  a.flags = IFA_F_PERMANENT | IFA_F_NODAD;
  g_assert_true (hearth_net_address_is_usable (&a));
  a.flags = IFA_F_TENTATIVE;
  g_assert_false (hearth_net_address_is_usable (&a));
  a.flags = IFA_F_DADFAILED | IFA_F_PERMANENT;
  g_assert_false (hearth_net_address_is_usable (&a));
  a.flags = IFA_F_DEPRECATED;
  g_assert_true (hearth_net_address_is_usable (&a));
}

static void
test_link_helpers (void)
{
  const struct {
    guint8 operstate;
    const char *text;
  } states[] = {
    { IF_OPER_UNKNOWN, "unknown" },
    { IF_OPER_NOTPRESENT, "not-present" },
    { IF_OPER_DOWN, "down" },
    { IF_OPER_LOWERLAYERDOWN, "lower-layer-down" },
    { IF_OPER_TESTING, "testing" },
    { IF_OPER_DORMANT, "dormant" },
    { IF_OPER_UP, "up" },
    { 7, "unknown" },
    { 255, "unknown" },
  };
  HearthNetLink link = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      link.operstate = states[i].operstate;
      g_assert_cmpstr (hearth_net_link_operstate_text (&link), ==, states[i].text);
    }

  link.flags = IFF_UP;
  g_assert_false (hearth_net_link_is_usable (&link));
  link.flags = IFF_RUNNING;
  g_assert_false (hearth_net_link_is_usable (&link));
  link.flags = IFF_UP | IFF_RUNNING;
  g_assert_true (hearth_net_link_is_usable (&link));
  g_assert_false (hearth_net_link_is_loopback (&link));
  link.flags |= IFF_LOOPBACK;
  g_assert_true (hearth_net_link_is_loopback (&link));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/monitor/veth-lifecycle", test_veth_lifecycle_whole);
  g_test_add_func ("/net/monitor/veth-lifecycle-stepwise", test_veth_lifecycle_stepwise);
  g_test_add_func ("/net/monitor/event-fields", test_veth_lifecycle_event_fields);
  g_test_add_func ("/net/monitor/rename", test_rename);
  g_test_add_func ("/net/monitor/ipv6-dad", test_ipv6_dad);
  g_test_add_func ("/net/monitor/dump", test_dump);
  g_test_add_func ("/net/monitor/dump-twice", test_dump_twice);
  g_test_add_func ("/net/monitor/addresses-before-link", test_addresses_before_link);
  g_test_add_func ("/net/monitor/dellink-with-addresses", test_dellink_with_addresses);
  g_test_add_func ("/net/monitor/bridge-family", test_bridge_family_ignored);
  g_test_add_func ("/net/monitor/handmade", test_handmade);
  g_test_add_func ("/net/monitor/remove-watch", test_remove_watch);
  g_test_add_func ("/net/monitor/malformed", test_malformed);
  g_test_add_func ("/net/monitor/oversized-message", test_oversized_message);
  g_test_add_func ("/net/monitor/address-covers", test_address_covers);
  g_test_add_func ("/net/monitor/address-text", test_address_text);
  g_test_add_func ("/net/monitor/link-helpers", test_link_helpers);
  return g_test_run ();
}
