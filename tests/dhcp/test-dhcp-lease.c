/* Unit tests of the lease table (src/dhcp/dhcp-lease.c): lookups by
 * address, hardware address, client identifier, host name and id; moving
 * a lease to another client; expiry order and hearth_dhcp_lease_table_expire();
 * the added/changed/removed events; the address-ordered list; the
 * wall-clock record; the hardware address spelling; and a table of 50,000
 * leases (correctness at size, no timing).
 *
 * The tests only use the public header; nothing here knows how the table
 * indexes its leases.
 */
#include "config.h"

#include "dhcp/dhcp-lease.h"

#include <string.h>

#define SEC ((gint64) G_USEC_PER_SEC)

/* Every event the table reported, one per line: "added 10.0.0.5 client". */
typedef struct
{
  GString *log;
  guint n_added;
  guint n_changed;
  guint n_removed;
  /* the lease must still be readable (and indexed) during REMOVED */
  gboolean removed_was_findable;
} Events;

static const char *
reason_name (HearthDhcpLeaseReason reason)
{
  switch (reason)
    {
    case HEARTH_DHCP_LEASE_REASON_CLIENT:
      return "client";
    case HEARTH_DHCP_LEASE_REASON_EXPIRED:
      return "expired";
    case HEARTH_DHCP_LEASE_REASON_RELEASED:
      return "released";
    case HEARTH_DHCP_LEASE_REASON_ADMIN:
      return "admin";
    case HEARTH_DHCP_LEASE_REASON_LOADED:
      return "loaded";
    }
  return "?";
}

static void
events_cb (HearthDhcpLeaseTable *table,
           HearthDhcpLeaseEvent event,
           HearthDhcpLease *lease,
           HearthDhcpLeaseReason reason,
           gpointer user_data)
{
  Events *ev = user_data;

  g_string_append_printf (ev->log, "%s %u.%u.%u.%u %s\n", hearth_dhcp_lease_event_to_string (event),
                          lease->addr >> 24, (lease->addr >> 16) & 0xff, (lease->addr >> 8) & 0xff,
                          lease->addr & 0xff, reason_name (reason));
  switch (event)
    {
    case HEARTH_DHCP_LEASE_ADDED:
      ev->n_added++;
      break;
    case HEARTH_DHCP_LEASE_CHANGED:
      ev->n_changed++;
      break;
    case HEARTH_DHCP_LEASE_REMOVED:
      ev->n_removed++;
      ev->removed_was_findable = hearth_dhcp_lease_table_lookup_addr (table, lease->addr) == lease;
      break;
    }
}

static guint32
ip (guint a, guint b, guint c, guint d)
{
  return (a << 24) | (b << 16) | (c << 8) | d;
}

static const guint8 mac_a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const guint8 mac_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const guint8 mac_c[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };

static void
test_lease_lookups (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  g_autoptr (GBytes) id_b = g_bytes_new ("\x01\x52\x54\x00\x00\x00\x0b", 7);
  g_autoptr (GBytes) id_other = g_bytes_new ("\xff\x00", 2);
  HearthDhcpLease *a, *b;
  gsize len;

  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 0);
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 5)));

  a = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 5), 1, mac_a, 6, NULL);
  b = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 6), 1, mac_b, 6, id_b);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->id, !=, b->id);
  g_assert_cmpuint (a->id, >, 0);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 2);
  /* A new lease is infinite until its expiry is set. */
  g_assert_cmpint (a->expires, ==, HEARTH_DHCP_LEASE_NEVER);
  g_assert_cmpuint (a->length, ==, HEARTH_DHCP_LEASE_INFINITE);
  g_assert_null (a->client_id);
  g_assert_true (g_bytes_equal (b->client_id, id_b));

  g_assert_true (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 5)) == a);
  g_assert_true (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 6)) == b);
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 7)));

  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6) == a);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_b, 6) == b);
  /* The type and the length are part of the hardware address. */
  g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 6, mac_a, 6));
  g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 5));
  g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_c, 6));

  {
    const guint8 *p = g_bytes_get_data (id_b, &len);

    g_assert_true (hearth_dhcp_lease_table_lookup_client_id (t, p, len) == b);
    g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, p, len - 1));
    p = g_bytes_get_data (id_other, &len);
    g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, p, len));
  }

  g_assert_true (hearth_dhcp_lease_table_lookup_id (t, a->id) == a);
  g_assert_true (hearth_dhcp_lease_table_lookup_id (t, b->id) == b);
  g_assert_null (hearth_dhcp_lease_table_lookup_id (t, a->id + b->id + 100));

  /* Host names: case-insensitive, and gone when cleared. */
  g_assert_null (hearth_dhcp_lease_table_lookup_hostname (t, "laptop"));
  hearth_dhcp_lease_set_hostname (t, a, "Laptop");
  g_assert_cmpstr (a->hostname, ==, "Laptop");
  g_assert_true (hearth_dhcp_lease_table_lookup_hostname (t, "laptop") == a);
  g_assert_true (hearth_dhcp_lease_table_lookup_hostname (t, "LAPTOP") == a);
  hearth_dhcp_lease_set_hostname (t, a, "desk");
  g_assert_null (hearth_dhcp_lease_table_lookup_hostname (t, "laptop"));
  g_assert_true (hearth_dhcp_lease_table_lookup_hostname (t, "desk") == a);
  hearth_dhcp_lease_set_hostname (t, a, NULL);
  g_assert_null (a->hostname);
  g_assert_null (hearth_dhcp_lease_table_lookup_hostname (t, "desk"));

  /* Removing takes the lease out of every index. */
  hearth_dhcp_lease_set_hostname (t, b, "phone");
  {
    guint b_id = b->id;
    const guint8 *p = g_bytes_get_data (id_b, &len);

    hearth_dhcp_lease_table_remove (t, b, HEARTH_DHCP_LEASE_REASON_ADMIN);
    g_assert_null (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 6)));
    g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_b, 6));
    g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, p, len));
    g_assert_null (hearth_dhcp_lease_table_lookup_hostname (t, "phone"));
    g_assert_null (hearth_dhcp_lease_table_lookup_id (t, b_id));
  }
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 1);

  /* The address can be leased again, and ids are not reused. */
  {
    guint old_max = MAX (a->id, 2);
    HearthDhcpLease *c = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 6), 1, mac_c, 6, NULL);

    g_assert_nonnull (c);
    g_assert_cmpuint (c->id, >, old_max);
    g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_c, 6) == c);
  }
}

/* An empty client id is no client id. */
static void
test_lease_empty_client_id (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  HearthDhcpLease *a = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 5), 1, mac_a, 6, empty);

  g_assert_null (a->client_id);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6) == a);
}

/* Adding on an address already leased is a programming error. */
static void
test_lease_add_twice (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();

      hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 5), 1, mac_a, 6, NULL);
      hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 5), 1, mac_b, 6, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

static void
test_lease_set_client (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  g_autoptr (GBytes) id1 = g_bytes_new ("\x01\x02\x03", 3);
  g_autoptr (GBytes) id2 = g_bytes_new ("\x09\x08", 2);
  HearthDhcpLease *a = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 5), 1, mac_a, 6, id1);
  HearthDhcpLease *b;

  hearth_dhcp_lease_set_client (t, a, 1, mac_b, 6, id2);
  g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6));
  g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x01\x02\x03", 3));
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_b, 6) == a);
  g_assert_true (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x09\x08", 2) == a);
  g_assert_cmpmem (a->hwaddr, 6, mac_b, 6);
  g_assert_true (g_bytes_equal (a->client_id, id2));
  /* The unused tail of the hardware address is cleared. */
  hearth_dhcp_lease_set_client (t, a, 6, mac_c, 3, NULL);
  g_assert_cmpuint (a->hwtype, ==, 6);
  g_assert_cmpuint (a->hwlen, ==, 3);
  g_assert_cmpuint (a->hwaddr[3], ==, 0);
  g_assert_cmpuint (a->hwaddr[5], ==, 0);
  g_assert_null (a->client_id);
  g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x09\x08", 2));
  g_assert_null (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_b, 6));
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 6, mac_c, 3) == a);

  /* Two leases of one machine (same MAC, two client ids): the newest is
   * found by MAC, each by its client id; moving the older one away does
   * not take the newer one out of the MAC index. */
  hearth_dhcp_lease_set_client (t, a, 1, mac_a, 6, id1);
  b = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 6), 1, mac_a, 6, id2);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6) == b);
  g_assert_true (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x01\x02\x03", 3) ==
                 a);
  g_assert_true (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x09\x08", 2) == b);
  hearth_dhcp_lease_set_client (t, a, 1, mac_c, 6, id1);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6) == b);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_c, 6) == a);
  hearth_dhcp_lease_table_remove (t, a, HEARTH_DHCP_LEASE_REASON_ADMIN);
  g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac_a, 6) == b);
  g_assert_true (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x09\x08", 2) == b);
  g_assert_null (hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) "\x01\x02\x03", 3));
}

static void
test_lease_expiry (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  Events ev = { g_string_new (NULL), 0, 0, 0, FALSE };
  const gint64 now = 1000 * SEC;
  HearthDhcpLease *a, *b, *c, *d;

  hearth_dhcp_lease_table_set_func (t, events_cb, &ev);
  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, HEARTH_DHCP_LEASE_NEVER);
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 100000 * SEC), ==, 0);

  a = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 1), 1, mac_a, 6, NULL);
  b = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 2), 1, mac_b, 6, NULL);
  c = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 3), 1, mac_c, 6, NULL);
  d = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 4), 1, mac_c, 5, NULL);
  hearth_dhcp_lease_set_expiry (t, a, now, 300);
  hearth_dhcp_lease_set_expiry (t, b, now, 120);
  hearth_dhcp_lease_set_expiry (t, c, now, HEARTH_DHCP_LEASE_INFINITE);
  hearth_dhcp_lease_set_expiry (t, d, now, 600);
  g_assert_cmpint (a->expires, ==, now + 300 * SEC);
  g_assert_cmpuint (a->length, ==, 300);
  g_assert_cmpint (c->expires, ==, HEARTH_DHCP_LEASE_NEVER);
  g_assert_cmpuint (c->length, ==, HEARTH_DHCP_LEASE_INFINITE);
  for (HearthDhcpLease *l = a; l != NULL; l = l == a ? b : l == b ? c : l == c ? d : NULL)
    hearth_dhcp_lease_table_commit (t, l, HEARTH_DHCP_LEASE_REASON_CLIENT);
  g_assert_cmpuint (ev.n_added, ==, 4);

  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, now + 120 * SEC);
  /* Renewing moves a lease in the order: b now lasts longest of the finite ones. */
  hearth_dhcp_lease_set_expiry (t, b, now + 60 * SEC, 3600);
  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, now + 300 * SEC);

  g_string_truncate (ev.log, 0);
  /* Not yet: one microsecond early. */
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 300 * SEC - 1), ==, 0);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 4);
  /* Exactly at the expiry time it is gone. */
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 300 * SEC), ==, 1);
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 1)));
  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, now + 600 * SEC);
  /* Several at once, in expiry order. */
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 100000 * SEC), ==, 2);
  g_assert_cmpstr (ev.log->str, ==,
                   "removed 10.0.0.1 expired\n"
                   "removed 10.0.0.4 expired\n"
                   "removed 10.0.0.2 expired\n");
  g_assert_true (ev.removed_was_findable);
  /* The infinite lease stays. */
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 1);
  g_assert_true (hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 0, 3)) == c);
  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, HEARTH_DHCP_LEASE_NEVER);
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, G_MAXINT64 / 2), ==, 0);

  /* Equal expiry times: oldest lease (lowest id) first. */
  {
    HearthDhcpLease *x = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 9), 1, mac_a, 6, NULL);
    HearthDhcpLease *y = hearth_dhcp_lease_table_add (t, ip (10, 0, 0, 8), 1, mac_b, 6, NULL);

    hearth_dhcp_lease_set_expiry (t, y, now, 200);
    hearth_dhcp_lease_set_expiry (t, x, now, 200);
    hearth_dhcp_lease_table_commit (t, y, HEARTH_DHCP_LEASE_REASON_CLIENT);
    hearth_dhcp_lease_table_commit (t, x, HEARTH_DHCP_LEASE_REASON_CLIENT);
    g_string_truncate (ev.log, 0);
    g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 200 * SEC), ==, 2);
    g_assert_cmpstr (ev.log->str, ==, "removed 10.0.0.9 expired\nremoved 10.0.0.8 expired\n");
  }
  hearth_dhcp_lease_table_set_func (t, NULL, NULL);
  g_string_free (ev.log, TRUE);
}

static void
test_lease_events (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  Events ev = { g_string_new (NULL), 0, 0, 0, FALSE };
  HearthDhcpLease *a, *b;

  hearth_dhcp_lease_table_set_func (t, events_cb, &ev);
  a = hearth_dhcp_lease_table_add (t, ip (192, 168, 1, 10), 1, mac_a, 6, NULL);
  /* Nothing is reported before the first commit. */
  g_assert_cmpstr (ev.log->str, ==, "");
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_CLIENT);
  hearth_dhcp_lease_set_hostname (t, a, "host");
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_CLIENT);
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_LOADED);
  hearth_dhcp_lease_table_remove (t, a, HEARTH_DHCP_LEASE_REASON_RELEASED);

  /* A lease removed before it was ever committed was never announced,
   * so its removal is not announced either. */
  b = hearth_dhcp_lease_table_add (t, ip (192, 168, 1, 11), 1, mac_b, 6, NULL);
  hearth_dhcp_lease_table_remove (t, b, HEARTH_DHCP_LEASE_REASON_CLIENT);

  /* A new lease on a freed address is ADDED again. */
  a = hearth_dhcp_lease_table_add (t, ip (192, 168, 1, 10), 1, mac_b, 6, NULL);
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_ADMIN);
  hearth_dhcp_lease_table_remove (t, a, HEARTH_DHCP_LEASE_REASON_ADMIN);

  g_assert_cmpstr (ev.log->str, ==,
                   "added 192.168.1.10 client\n"
                   "changed 192.168.1.10 client\n"
                   "changed 192.168.1.10 loaded\n"
                   "removed 192.168.1.10 released\n"
                   "added 192.168.1.10 admin\n"
                   "removed 192.168.1.10 admin\n");
  g_assert_cmpuint (ev.n_added, ==, 2);
  g_assert_cmpuint (ev.n_changed, ==, 2);
  g_assert_cmpuint (ev.n_removed, ==, 2);
  g_assert_true (ev.removed_was_findable);

  g_assert_cmpstr (hearth_dhcp_lease_event_to_string (HEARTH_DHCP_LEASE_ADDED), ==, "added");
  g_assert_cmpstr (hearth_dhcp_lease_event_to_string (HEARTH_DHCP_LEASE_CHANGED), ==, "changed");
  g_assert_cmpstr (hearth_dhcp_lease_event_to_string (HEARTH_DHCP_LEASE_REMOVED), ==, "removed");

  /* Without a callback nothing breaks. */
  hearth_dhcp_lease_table_set_func (t, NULL, NULL);
  a = hearth_dhcp_lease_table_add (t, ip (192, 168, 1, 12), 1, mac_c, 6, NULL);
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_CLIENT);
  hearth_dhcp_lease_table_remove (t, a, HEARTH_DHCP_LEASE_REASON_CLIENT);
  g_assert_cmpuint (ev.n_added, ==, 2);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 0);
  g_string_free (ev.log, TRUE);
}

/* Freeing a table that still holds leases reports nothing and leaks
 * nothing (checked under ASan). */
static void
test_lease_free_full (void)
{
  HearthDhcpLeaseTable *t = hearth_dhcp_lease_table_new ();
  Events ev = { g_string_new (NULL), 0, 0, 0, FALSE };
  g_autoptr (GBytes) id = g_bytes_new ("abc", 3);
  HearthDhcpLease *a = hearth_dhcp_lease_table_add (t, ip (10, 1, 1, 1), 1, mac_a, 6, id);

  hearth_dhcp_lease_set_hostname (t, a, "x");
  a->agent_info = g_bytes_new ("\x01\x01\x01", 3);
  a->vendor_class = g_bytes_new ("v", 1);
  hearth_dhcp_lease_table_set_func (t, events_cb, &ev);
  hearth_dhcp_lease_table_commit (t, a, HEARTH_DHCP_LEASE_REASON_CLIENT);
  hearth_dhcp_lease_table_free (t);
  hearth_dhcp_lease_table_free (NULL);
  g_assert_cmpstr (ev.log->str, ==, "added 10.1.1.1 client\n");
  g_string_free (ev.log, TRUE);
}

static void
test_lease_list (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  static const guint32 addrs[] = { 0xc0a80105, 0x0a000001, 0xfffffffe,
                                   0xc0a80101, 0x80000000, 0x7fffffff };
  g_autoptr (GPtrArray) empty = hearth_dhcp_lease_table_list (t);
  g_autoptr (GPtrArray) list = NULL;

  g_assert_cmpuint (empty->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      guint8 mac[6] = { 2, 0, 0, 0, 0, (guint8) i };

      hearth_dhcp_lease_table_add (t, addrs[i], 1, mac, 6, NULL);
    }
  list = hearth_dhcp_lease_table_list (t);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (addrs));
  /* Unsigned address order (0x80000000 after 0x7fffffff). */
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[0])->addr, ==, 0x0a000001);
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[1])->addr, ==, 0x7fffffff);
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[2])->addr, ==, 0x80000000);
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[3])->addr, ==, 0xc0a80101);
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[4])->addr, ==, 0xc0a80105);
  g_assert_cmphex (((HearthDhcpLease *) list->pdata[5])->addr, ==, 0xfffffffe);
  /* The array borrows: the leases are the table's. */
  g_assert_true (list->pdata[0] == hearth_dhcp_lease_table_lookup_addr (t, 0x0a000001));
}

static void
test_lease_record (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  g_autoptr (GBytes) id = g_bytes_new ("\x01\x52\x54\x00\x00\x00\x0a", 7);
  HearthDhcpLeaseRecord r;
  const gint64 mono = 5000 * SEC;
  const gint64 wall = 1700000000;
  HearthDhcpLease *a = hearth_dhcp_lease_table_add (t, ip (192, 168, 7, 20), 1, mac_a, 6, id);

  hearth_dhcp_lease_set_hostname (t, a, "printer");
  hearth_dhcp_lease_set_expiry (t, a, mono, 3600);
  memset (&r, 0xaa, sizeof r);
  hearth_dhcp_lease_to_record (a, mono, wall, &r);
  g_assert_cmpint (r.expires_wall, ==, wall + 3600);
  g_assert_cmpuint (r.addr, ==, ip (192, 168, 7, 20));
  g_assert_cmpuint (r.hwtype, ==, 1);
  g_assert_cmpuint (r.hwlen, ==, 6);
  g_assert_cmpmem (r.hwaddr, 6, mac_a, 6);
  g_assert_cmpstr (r.hostname, ==, "printer");
  g_assert_cmpmem (r.client_id, r.client_id_len, "\x01\x52\x54\x00\x00\x00\x0a", 7);

  /* Later on the monotonic clock: less time left, same wall-clock end. */
  hearth_dhcp_lease_to_record (a, mono + 1000 * SEC, wall + 1000, &r);
  g_assert_cmpint (r.expires_wall, ==, wall + 3600);
  /* A part of a second left counts as a whole one (never shorter on disk). */
  hearth_dhcp_lease_to_record (a, mono + 1 * SEC + 1, wall, &r);
  g_assert_cmpint (r.expires_wall, ==, wall + 3599);
  hearth_dhcp_lease_to_record (a, mono + 1, wall, &r);
  g_assert_cmpint (r.expires_wall, ==, wall + 3600);
  /* The wall clock jumped: the record follows the wall clock, the lease's
   * remaining time is unchanged. */
  hearth_dhcp_lease_to_record (a, mono, wall + 86400, &r);
  g_assert_cmpint (r.expires_wall, ==, wall + 86400 + 3600);
  /* A wall clock at the epoch never gives 0, which means infinite. */
  hearth_dhcp_lease_to_record (a, mono + 3600 * SEC, 0, &r);
  g_assert_cmpint (r.expires_wall, ==, 1);

  /* Infinite: 0 on disk. No host name, no client id: empty fields. */
  hearth_dhcp_lease_set_expiry (t, a, mono, HEARTH_DHCP_LEASE_INFINITE);
  hearth_dhcp_lease_set_hostname (t, a, NULL);
  hearth_dhcp_lease_set_client (t, a, 1, mac_a, 6, NULL);
  memset (&r, 0xaa, sizeof r);
  hearth_dhcp_lease_to_record (a, mono, wall, &r);
  g_assert_cmpint (r.expires_wall, ==, 0);
  g_assert_cmpstr (r.hostname, ==, "");
  g_assert_cmpuint (r.client_id_len, ==, 0);
  /* Unused hardware address bytes are zero. */
  g_assert_cmpuint (r.hwaddr[6], ==, 0);
  g_assert_cmpuint (r.hwaddr[15], ==, 0);
}

static void
test_lease_format_hwaddr (void)
{
  char buf[HEARTH_DHCP_HWADDR_STRING_MAX];
  guint8 ib[16];

  hearth_dhcp_format_hwaddr (1, mac_a, 6, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "52:54:00:00:00:0a");
  /* Other types carry a type prefix, as dnsmasq writes them. */
  hearth_dhcp_format_hwaddr (6, mac_a, 6, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "06-52:54:00:00:00:0a");
  hearth_dhcp_format_hwaddr (0x20, mac_a, 2, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "20-52:54");
  /* Ethernet with no address at all: just the type. */
  hearth_dhcp_format_hwaddr (1, mac_a, 0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "01-");
  /* Sixteen bytes with a type prefix fit the documented size. */
  for (guint i = 0; i < sizeof ib; i++)
    ib[i] = (guint8) (0xf0 + i);
  hearth_dhcp_format_hwaddr (0xff, ib, 16, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "ff-f0:f1:f2:f3:f4:f5:f6:f7:f8:f9:fa:fb:fc:fd:fe:ff");
  /* A small buffer is cut, never overrun, and stays terminated. */
  {
    char small[8];

    memset (small, 'x', sizeof small);
    hearth_dhcp_format_hwaddr (1, mac_a, 6, small, sizeof small);
    g_assert_cmpuint (strlen (small), <, sizeof small);
    g_assert_true (g_str_has_prefix ("52:54:00:00:00:0a", small));
  }
}

#define BIG 50000

static void
big_mac (guint i, guint8 *mac)
{
  mac[0] = 0x02;
  mac[1] = 0x00;
  mac[2] = (guint8) (i >> 24);
  mac[3] = (guint8) (i >> 16);
  mac[4] = (guint8) (i >> 8);
  mac[5] = (guint8) i;
}

static void
test_lease_many (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  Events ev = { g_string_new (NULL), 0, 0, 0, FALSE };
  const gint64 now = 10 * SEC;
  const guint32 base = ip (10, 8, 0, 0);

  hearth_dhcp_lease_table_set_func (t, events_cb, &ev);
  for (guint i = 0; i < BIG; i++)
    {
      guint8 mac[6];
      g_autoptr (GBytes) id = NULL;
      HearthDhcpLease *l;
      char name[32];

      big_mac (i, mac);
      /* Every third client sends a client id. */
      if (i % 3 == 0)
        id = g_bytes_new (&i, sizeof i);
      l = hearth_dhcp_lease_table_add (t, base + i, 1, mac, 6, id);
      g_assert_nonnull (l);
      /* Lease times 120 .. 120+999 s, spread so the expiry order is not the
       * insertion order. */
      hearth_dhcp_lease_set_expiry (t, l, now, 120 + (i * 7919u) % 1000);
      g_snprintf (name, sizeof name, "host-%u", i);
      hearth_dhcp_lease_set_hostname (t, l, name);
      hearth_dhcp_lease_table_commit (t, l, HEARTH_DHCP_LEASE_REASON_CLIENT);
    }
  g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, BIG);
  g_assert_cmpuint (ev.n_added, ==, BIG);

  for (guint i = 0; i < BIG; i++)
    {
      guint8 mac[6];
      HearthDhcpLease *l = hearth_dhcp_lease_table_lookup_addr (t, base + i);
      char name[32];

      g_assert_nonnull (l);
      g_assert_cmpuint (l->addr, ==, base + i);
      big_mac (i, mac);
      g_assert_true (hearth_dhcp_lease_table_lookup_hwaddr (t, 1, mac, 6) == l);
      if (i % 3 == 0)
        g_assert_true (
            hearth_dhcp_lease_table_lookup_client_id (t, (const guint8 *) &i, sizeof i) == l);
      g_snprintf (name, sizeof name, "HOST-%u", i);
      g_assert_true (hearth_dhcp_lease_table_lookup_hostname (t, name) == l);
      g_assert_true (hearth_dhcp_lease_table_lookup_id (t, l->id) == l);
    }
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (t, base + BIG));

  {
    g_autoptr (GPtrArray) list = hearth_dhcp_lease_table_list (t);

    g_assert_cmpuint (list->len, ==, BIG);
    for (guint i = 0; i < BIG; i++)
      g_assert_cmpuint (((HearthDhcpLease *) list->pdata[i])->addr, ==, base + i);
  }

  /* Expire in steps: after each, exactly the leases with a shorter time
   * are gone, and the next expiry is the first one left. */
  {
    guint gone = 0;

    for (guint step = 120; step < 1120; step += 100)
      {
        guint expect = 0;
        guint n = hearth_dhcp_lease_table_expire (t, now + (gint64) step * SEC);

        for (guint i = 0; i < BIG; i++)
          if (120 + (i * 7919u) % 1000 <= step)
            expect++;
        g_assert_cmpuint (n, ==, expect - gone);
        gone = expect;
        g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, BIG - gone);
        g_assert_cmpuint (ev.n_removed, ==, gone);
        if (gone < BIG)
          g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), >, now + (gint64) step * SEC);
      }
    for (guint i = 0; i < BIG; i += 997)
      {
        gboolean should_live = 120 + (i * 7919u) % 1000 > 1020;

        g_assert_cmpint (hearth_dhcp_lease_table_lookup_addr (t, base + i) != NULL, ==,
                         should_live);
      }
    g_assert_cmpuint (hearth_dhcp_lease_table_expire (t, now + 2000 * SEC), ==, BIG - gone);
    g_assert_cmpuint (hearth_dhcp_lease_table_size (t), ==, 0);
    g_assert_cmpuint (ev.n_removed, ==, BIG);
    g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (t), ==, HEARTH_DHCP_LEASE_NEVER);
    g_assert_null (hearth_dhcp_lease_table_lookup_hostname (t, "host-1"));
  }
  hearth_dhcp_lease_table_set_func (t, NULL, NULL);
  g_string_free (ev.log, TRUE);
}

/* ---- free addresses ---- */

static void
add_at (HearthDhcpLeaseTable *t, guint32 addr)
{
  guint8 mac[6] = { 2, 0, addr >> 24, addr >> 16, addr >> 8, addr };

  g_assert_nonnull (hearth_dhcp_lease_table_add (t, addr, 1, mac, 6, NULL));
}

/* The answer the slow way. */
static gboolean
brute_next_free (HearthDhcpLeaseTable *t, guint32 from, guint32 to, guint32 *out)
{
  for (guint64 a = from; a <= to; a++)
    if (hearth_dhcp_lease_table_lookup_addr (t, (guint32) a) == NULL)
      {
        *out = (guint32) a;
        return TRUE;
      }
  return FALSE;
}

static void
test_lease_next_free (void)
{
  g_autoptr (HearthDhcpLeaseTable) t = hearth_dhcp_lease_table_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  guint32 a = 0;

  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (10, 0, 0, 1), ip (10, 0, 0, 9), &a));
  g_assert_cmpuint (a, ==, ip (10, 0, 0, 1));

  /* A block over several 4096-address chunks and 64-address words. */
  for (guint32 x = ip (10, 0, 0, 1); x <= ip (10, 0, 20, 0); x++)
    add_at (t, x);
  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (10, 0, 0, 1), ip (10, 0, 255, 255), &a));
  g_assert_cmpuint (a, ==, ip (10, 0, 20, 1));
  g_assert_false (hearth_dhcp_lease_table_next_free (t, ip (10, 0, 0, 1), ip (10, 0, 20, 0), &a));
  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (9, 255, 255, 250), ip (10, 0, 0, 10), &a));
  g_assert_cmpuint (a, ==, ip (9, 255, 255, 250));
  /* A hole in the middle of a full word. */
  hearth_dhcp_lease_table_remove (t, hearth_dhcp_lease_table_lookup_addr (t, ip (10, 0, 5, 7)),
                                  HEARTH_DHCP_LEASE_REASON_ADMIN);
  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (10, 0, 0, 1), ip (10, 0, 255, 255), &a));
  g_assert_cmpuint (a, ==, ip (10, 0, 5, 7));
  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (10, 0, 5, 8), ip (10, 0, 255, 255), &a));
  g_assert_cmpuint (a, ==, ip (10, 0, 20, 1));
  add_at (t, ip (10, 0, 5, 7));

  /* One chunk exactly full, the next one empty. */
  for (guint32 x = ip (10, 1, 0, 0); x <= ip (10, 1, 15, 255); x++)
    add_at (t, x);
  g_assert_true (hearth_dhcp_lease_table_next_free (t, ip (10, 1, 0, 0), ip (10, 1, 255, 255), &a));
  g_assert_cmpuint (a, ==, ip (10, 1, 16, 0));

  /* The top of the address space: no wrap, no endless loop. */
  add_at (t, 0xfffffffeu);
  add_at (t, 0xffffffffu);
  g_assert_false (hearth_dhcp_lease_table_next_free (t, 0xfffffffeu, 0xffffffffu, &a));
  g_assert_true (hearth_dhcp_lease_table_next_free (t, 0xfffffff0u, 0xffffffffu, &a));
  g_assert_cmpuint (a, ==, 0xfffffff0u);

  /* Against the slow way, on a random third of a /20. */
  for (guint i = 0; i < 1400; i++)
    {
      guint32 x = ip (10, 2, 0, 0) + (guint32) g_rand_int_range (rand, 0, 4096);

      if (hearth_dhcp_lease_table_lookup_addr (t, x) == NULL)
        add_at (t, x);
    }
  for (guint i = 0; i < 2000; i++)
    {
      guint32 from = ip (10, 2, 0, 0) + (guint32) g_rand_int_range (rand, 0, 4200);
      guint32 to = from + (guint32) g_rand_int_range (rand, 0, 300);
      guint32 want = 0, got = 0;
      gboolean found = brute_next_free (t, from, to, &want);

      g_assert_cmpint (hearth_dhcp_lease_table_next_free (t, from, to, &got), ==, found);
      if (found)
        g_assert_cmpuint (got, ==, want);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/lease/lookups", test_lease_lookups);
  g_test_add_func ("/dhcp/lease/empty-client-id", test_lease_empty_client_id);
  g_test_add_func ("/dhcp/lease/add-twice", test_lease_add_twice);
  g_test_add_func ("/dhcp/lease/set-client", test_lease_set_client);
  g_test_add_func ("/dhcp/lease/expiry", test_lease_expiry);
  g_test_add_func ("/dhcp/lease/events", test_lease_events);
  g_test_add_func ("/dhcp/lease/free-full", test_lease_free_full);
  g_test_add_func ("/dhcp/lease/list", test_lease_list);
  g_test_add_func ("/dhcp/lease/record", test_lease_record);
  g_test_add_func ("/dhcp/lease/format-hwaddr", test_lease_format_hwaddr);
  g_test_add_func ("/dhcp/lease/many", test_lease_many);
  g_test_add_func ("/dhcp/lease/next-free", test_lease_next_free);
  return g_test_run ();
}
