/* The lease table (see dhcp-lease.h).
 *
 * Four hash tables index the leases by address, hardware address, client
 * identifier and host name, a fifth by D-Bus id, and a GSequence keeps
 * them in expiry order, so every lookup is O(1) and expiry is O(log n)
 * per lease. When two leases share a hardware address (one machine with
 * two client identifiers) the index points at the newest; the others are
 * still found by client identifier and by address.
 */
#include "config.h"

#include "dhcp/dhcp-lease.h"

#include <string.h>

/* Which addresses are leased, as a bitmap in chunks of 4096 addresses
 * (only chunks holding a lease exist), with a summary word of the full
 * 64-address words: the first free address after a point is found in a
 * few word operations per chunk, however the leases cluster. */
#define CHUNK_SHIFT 12
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define CHUNK_WORDS (CHUNK_SIZE / 64)

typedef struct {
  guint64 words[CHUNK_WORDS]; /* bit set = leased */
  guint64 full;               /* bit w set = words[w] is all ones */
  guint count;
} AddrChunk;

struct _HearthDhcpLeaseTable {
  GHashTable *by_addr;     /* GUINT_TO_POINTER(addr) -> lease (owns the leases) */
  GHashTable *chunks;      /* addr >> CHUNK_SHIFT -> AddrChunk */
  GHashTable *by_hwaddr;   /* lease -> lease, hashed on the hardware address */
  GHashTable *by_client_id;/* GBytes -> lease */
  GHashTable *by_hostname; /* lower-cased name -> lease */
  GHashTable *by_id;       /* id -> lease */
  GSequence *by_expiry;    /* lease*, ordered by (expires, id) */
  guint next_id;
  HearthDhcpLeaseFunc func;
  gpointer func_data;
  GHashTable *committed;   /* leases reported ADDED at least once */
};

const char *
hearth_dhcp_lease_event_to_string (HearthDhcpLeaseEvent event)
{
  switch (event)
    {
    case HEARTH_DHCP_LEASE_ADDED:
      return "added";
    case HEARTH_DHCP_LEASE_CHANGED:
      return "changed";
    case HEARTH_DHCP_LEASE_REMOVED:
      return "removed";
    }
  return "unknown";
}

static guint
hwaddr_hash (gconstpointer p)
{
  const HearthDhcpLease *l = p;
  guint h = 2166136261u ^ l->hwtype;

  for (guint i = 0; i < l->hwlen; i++)
    h = (h ^ l->hwaddr[i]) * 16777619u;
  return h;
}

static gboolean
hwaddr_equal (gconstpointer a, gconstpointer b)
{
  const HearthDhcpLease *x = a, *y = b;

  return x->hwtype == y->hwtype && x->hwlen == y->hwlen && memcmp (x->hwaddr, y->hwaddr, x->hwlen) == 0;
}

static gint
expiry_cmp (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const HearthDhcpLease *x = a, *y = b;

  if (x->expires != y->expires)
    return x->expires < y->expires ? -1 : 1;
  return x->id < y->id ? -1 : (x->id > y->id);
}

static void
lease_free (HearthDhcpLease *lease)
{
  g_clear_pointer (&lease->client_id, g_bytes_unref);
  g_clear_pointer (&lease->agent_info, g_bytes_unref);
  g_clear_pointer (&lease->vendor_class, g_bytes_unref);
  g_free (lease->hostname);
  g_free (lease->supplied_hostname);
  g_free (lease);
}

HearthDhcpLeaseTable *
hearth_dhcp_lease_table_new (void)
{
  HearthDhcpLeaseTable *t = g_new0 (HearthDhcpLeaseTable, 1);

  t->by_addr = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) lease_free);
  t->chunks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  t->by_hwaddr = g_hash_table_new (hwaddr_hash, hwaddr_equal);
  t->by_client_id = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  t->by_hostname = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  t->by_expiry = g_sequence_new (NULL);
  t->committed = g_hash_table_new (g_direct_hash, g_direct_equal);
  t->next_id = 1;
  return t;
}

void
hearth_dhcp_lease_table_free (HearthDhcpLeaseTable *t)
{
  if (t == NULL)
    return;
  g_sequence_free (t->by_expiry);
  g_hash_table_unref (t->by_hwaddr);
  g_hash_table_unref (t->by_client_id);
  g_hash_table_unref (t->by_hostname);
  g_hash_table_unref (t->by_id);
  g_hash_table_unref (t->committed);
  g_hash_table_unref (t->by_addr);
  g_hash_table_unref (t->chunks);
  g_free (t);
}

void
hearth_dhcp_lease_table_set_func (HearthDhcpLeaseTable *t, HearthDhcpLeaseFunc func, gpointer user_data)
{
  t->func = func;
  t->func_data = user_data;
}

static void
mark_addr (HearthDhcpLeaseTable *t, guint32 addr, gboolean leased)
{
  gpointer key = GUINT_TO_POINTER (addr >> CHUNK_SHIFT);
  AddrChunk *c = g_hash_table_lookup (t->chunks, key);
  guint off = addr & (CHUNK_SIZE - 1);
  guint64 bit = G_GUINT64_CONSTANT (1) << (off & 63);

  if (c == NULL)
    {
      if (!leased)
        return;
      c = g_new0 (AddrChunk, 1);
      g_hash_table_insert (t->chunks, key, c);
    }
  if (leased && !(c->words[off / 64] & bit))
    {
      c->words[off / 64] |= bit;
      c->count++;
      if (c->words[off / 64] == G_MAXUINT64)
        c->full |= G_GUINT64_CONSTANT (1) << (off / 64);
    }
  else if (!leased && (c->words[off / 64] & bit))
    {
      c->words[off / 64] &= ~bit;
      c->full &= ~(G_GUINT64_CONSTANT (1) << (off / 64));
      if (--c->count == 0)
        g_hash_table_remove (t->chunks, key);
    }
}

gboolean
hearth_dhcp_lease_table_next_free (HearthDhcpLeaseTable *t, guint32 from, guint32 to, guint32 *out_addr)
{
  guint32 a = from;

  while (a <= to)
    {
      const AddrChunk *c = g_hash_table_lookup (t->chunks, GUINT_TO_POINTER (a >> CHUNK_SHIFT));
      guint32 base = a & ~(CHUNK_SIZE - 1);
      guint32 last = base | (CHUNK_SIZE - 1);

      if (c == NULL)
        {
          *out_addr = a;
          return TRUE;
        }
      if (c->count < CHUNK_SIZE)
        {
          guint off = a - base;
          guint w = off / 64;
          guint64 free_bits = ~c->words[w] & (G_MAXUINT64 << (off & 63));
          guint64 open_words = w == CHUNK_WORDS - 1 ? 0 : ~c->full & (G_MAXUINT64 << (w + 1));

          if (free_bits != 0 || open_words != 0)
            {
              guint w2 = free_bits != 0 ? w : (guint) __builtin_ctzll (open_words);
              guint64 bits = free_bits != 0 ? free_bits : ~c->words[w2];
              guint32 found = base + w2 * 64 + (guint32) __builtin_ctzll (bits);

              if (found > to)
                return FALSE;
              *out_addr = found;
              return TRUE;
            }
        }
      if (last >= to)
        return FALSE;
      a = last + 1;
    }
  return FALSE;
}

HearthDhcpLease *
hearth_dhcp_lease_table_lookup_addr (HearthDhcpLeaseTable *t, guint32 addr)
{
  return g_hash_table_lookup (t->by_addr, GUINT_TO_POINTER (addr));
}

HearthDhcpLease *
hearth_dhcp_lease_table_lookup_hwaddr (HearthDhcpLeaseTable *t, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen)
{
  HearthDhcpLease key = { .hwtype = hwtype, .hwlen = MIN (hwlen, HEARTH_DHCP_HWADDR_MAX) };

  memcpy (key.hwaddr, hwaddr, key.hwlen);
  return g_hash_table_lookup (t->by_hwaddr, &key);
}

HearthDhcpLease *
hearth_dhcp_lease_table_lookup_client_id (HearthDhcpLeaseTable *t, const guint8 *id, gsize len)
{
  g_autoptr (GBytes) key = g_bytes_new_static (id, len);

  return g_hash_table_lookup (t->by_client_id, key);
}

HearthDhcpLease *
hearth_dhcp_lease_table_lookup_id (HearthDhcpLeaseTable *t, guint id)
{
  return g_hash_table_lookup (t->by_id, GUINT_TO_POINTER (id));
}

HearthDhcpLease *
hearth_dhcp_lease_table_lookup_hostname (HearthDhcpLeaseTable *t, const char *hostname)
{
  g_autofree char *lower = g_ascii_strdown (hostname, -1);

  return g_hash_table_lookup (t->by_hostname, lower);
}

static void
index_client (HearthDhcpLeaseTable *t, HearthDhcpLease *lease)
{
  if (lease->hwlen > 0)
    g_hash_table_replace (t->by_hwaddr, lease, lease);
  if (lease->client_id != NULL)
    g_hash_table_replace (t->by_client_id, lease->client_id, lease);
}

/* Drops the client indexes that point at this lease (and only those). */
static void
unindex_client (HearthDhcpLeaseTable *t, HearthDhcpLease *lease)
{
  if (lease->hwlen > 0 && g_hash_table_lookup (t->by_hwaddr, lease) == lease)
    g_hash_table_remove (t->by_hwaddr, lease);
  if (lease->client_id != NULL && g_hash_table_lookup (t->by_client_id, lease->client_id) == lease)
    g_hash_table_remove (t->by_client_id, lease->client_id);
}

static void
set_client_fields (HearthDhcpLease *lease, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen, GBytes *client_id)
{
  lease->hwtype = hwtype;
  lease->hwlen = MIN (hwlen, HEARTH_DHCP_HWADDR_MAX);
  memset (lease->hwaddr, 0, sizeof lease->hwaddr);
  if (lease->hwlen > 0)
    memcpy (lease->hwaddr, hwaddr, lease->hwlen);
  g_clear_pointer (&lease->client_id, g_bytes_unref);
  if (client_id != NULL && g_bytes_get_size (client_id) > 0)
    lease->client_id = g_bytes_ref (client_id);
}

HearthDhcpLease *
hearth_dhcp_lease_table_add (HearthDhcpLeaseTable *t, guint32 addr, guint8 hwtype, const guint8 *hwaddr,
                             guint8 hwlen, GBytes *client_id)
{
  HearthDhcpLease *lease;

  g_return_val_if_fail (!g_hash_table_contains (t->by_addr, GUINT_TO_POINTER (addr)), NULL);
  lease = g_new0 (HearthDhcpLease, 1);
  lease->id = t->next_id++;
  lease->addr = addr;
  lease->expires = HEARTH_DHCP_LEASE_NEVER;
  lease->length = HEARTH_DHCP_LEASE_INFINITE;
  set_client_fields (lease, hwtype, hwaddr, hwlen, client_id);
  g_hash_table_insert (t->by_addr, GUINT_TO_POINTER (addr), lease);
  mark_addr (t, addr, TRUE);
  g_hash_table_insert (t->by_id, GUINT_TO_POINTER (lease->id), lease);
  index_client (t, lease);
  lease->expiry_iter = g_sequence_insert_sorted (t->by_expiry, lease, expiry_cmp, NULL);
  return lease;
}

void
hearth_dhcp_lease_set_client (HearthDhcpLeaseTable *t, HearthDhcpLease *lease, guint8 hwtype,
                              const guint8 *hwaddr, guint8 hwlen, GBytes *client_id)
{
  unindex_client (t, lease);
  set_client_fields (lease, hwtype, hwaddr, hwlen, client_id);
  index_client (t, lease);
}

void
hearth_dhcp_lease_set_hostname (HearthDhcpLeaseTable *t, HearthDhcpLease *lease, const char *hostname)
{
  if (g_strcmp0 (lease->hostname, hostname) == 0)
    return;
  if (lease->hostname != NULL)
    {
      g_autofree char *old = g_ascii_strdown (lease->hostname, -1);

      if (g_hash_table_lookup (t->by_hostname, old) == lease)
        g_hash_table_remove (t->by_hostname, old);
    }
  g_free (lease->hostname);
  lease->hostname = g_strdup (hostname);
  if (hostname != NULL)
    g_hash_table_replace (t->by_hostname, g_ascii_strdown (hostname, -1), lease);
}

void
hearth_dhcp_lease_set_expiry (HearthDhcpLeaseTable *t, HearthDhcpLease *lease, gint64 now, guint32 length)
{
  lease->length = length;
  if (length == HEARTH_DHCP_LEASE_INFINITE)
    lease->expires = HEARTH_DHCP_LEASE_NEVER;
  else
    lease->expires = now + (gint64) length * G_USEC_PER_SEC;
  g_sequence_sort_changed (lease->expiry_iter, expiry_cmp, NULL);
}

void
hearth_dhcp_lease_table_commit (HearthDhcpLeaseTable *t, HearthDhcpLease *lease, HearthDhcpLeaseReason reason)
{
  HearthDhcpLeaseEvent event = HEARTH_DHCP_LEASE_CHANGED;

  if (g_hash_table_add (t->committed, lease))
    event = HEARTH_DHCP_LEASE_ADDED;
  if (t->func != NULL)
    t->func (t, event, lease, reason, t->func_data);
}

void
hearth_dhcp_lease_table_remove (HearthDhcpLeaseTable *t, HearthDhcpLease *lease, HearthDhcpLeaseReason reason)
{
  gboolean was_committed = g_hash_table_remove (t->committed, lease);

  if (was_committed && t->func != NULL)
    t->func (t, HEARTH_DHCP_LEASE_REMOVED, lease, reason, t->func_data);
  hearth_dhcp_lease_set_hostname (t, lease, NULL);
  unindex_client (t, lease);
  g_sequence_remove (lease->expiry_iter);
  g_hash_table_remove (t->by_id, GUINT_TO_POINTER (lease->id));
  mark_addr (t, lease->addr, FALSE);
  g_hash_table_remove (t->by_addr, GUINT_TO_POINTER (lease->addr));
}

guint
hearth_dhcp_lease_table_expire (HearthDhcpLeaseTable *t, gint64 now)
{
  guint n = 0;

  while (g_sequence_get_length (t->by_expiry) > 0)
    {
      HearthDhcpLease *first = g_sequence_get (g_sequence_get_begin_iter (t->by_expiry));

      if (first->expires > now)
        break;
      hearth_dhcp_lease_table_remove (t, first, HEARTH_DHCP_LEASE_REASON_EXPIRED);
      n++;
    }
  return n;
}

gint64
hearth_dhcp_lease_table_next_expiry (HearthDhcpLeaseTable *t)
{
  if (g_sequence_get_length (t->by_expiry) == 0)
    return HEARTH_DHCP_LEASE_NEVER;
  return ((HearthDhcpLease *) g_sequence_get (g_sequence_get_begin_iter (t->by_expiry)))->expires;
}

guint
hearth_dhcp_lease_table_size (HearthDhcpLeaseTable *t)
{
  return g_hash_table_size (t->by_addr);
}

static gint
addr_cmp (gconstpointer a, gconstpointer b)
{
  const HearthDhcpLease *x = *(HearthDhcpLease *const *) a, *y = *(HearthDhcpLease *const *) b;

  return x->addr < y->addr ? -1 : (x->addr > y->addr);
}

GPtrArray *
hearth_dhcp_lease_table_list (HearthDhcpLeaseTable *t)
{
  GPtrArray *out = g_ptr_array_sized_new (g_hash_table_size (t->by_addr));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, t->by_addr);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (out, value);
  g_ptr_array_sort (out, addr_cmp);
  return out;
}

void
hearth_dhcp_lease_to_record (const HearthDhcpLease *lease, gint64 now_mono, gint64 now_wall,
                             HearthDhcpLeaseRecord *out)
{
  memset (out, 0, sizeof *out);
  if (lease->expires == HEARTH_DHCP_LEASE_NEVER)
    out->expires_wall = 0;
  else
    /* Round up so a lease never looks shorter on disk than in memory. */
    out->expires_wall = MAX (1, now_wall + (lease->expires - now_mono + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  out->hwtype = lease->hwtype;
  out->hwlen = lease->hwlen;
  memcpy (out->hwaddr, lease->hwaddr, lease->hwlen);
  out->addr = lease->addr;
  if (lease->hostname != NULL)
    g_strlcpy (out->hostname, lease->hostname, sizeof out->hostname);
  if (lease->client_id != NULL)
    {
      gsize len;
      const guint8 *id = g_bytes_get_data (lease->client_id, &len);

      out->client_id_len = MIN (len, sizeof out->client_id);
      memcpy (out->client_id, id, out->client_id_len);
    }
}

void
hearth_dhcp_format_hwaddr (guint8 hwtype, const guint8 *hwaddr, guint8 hwlen, char *buf, gsize size)
{
  gsize pos = 0;

  if (size == 0)
    return;
  buf[0] = '\0';
  /* dnsmasq's spelling: a type prefix unless plain Ethernet. */
  if (hwtype != 1 || hwlen == 0)
    pos += g_snprintf (buf, size, "%.2x-", hwtype);
  for (guint i = 0; i < hwlen && i < HEARTH_DHCP_HWADDR_MAX && pos + 3 < size; i++)
    pos += g_snprintf (buf + pos, size - pos, i == 0 ? "%.2x" : ":%.2x", hwaddr[i]);
}

void
hearth_dhcp_append_hex (GString *out, const guint8 *bytes, gsize len)
{
  static const char hex[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, hex[bytes[i] >> 4]);
      g_string_append_c (out, hex[bytes[i] & 0xf]);
    }
}
