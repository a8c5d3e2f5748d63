/* The answer cache (see dns-cache.h): a hash table of complete answers,
 * an LRU list and an expiry-ordered sequence over the same entries.
 *
 * Each entry is one allocation holding its lower-cased name, and embeds
 * its LRU list link, so a hit moves the entry to the head of the list and
 * returns without allocating. The cache never reads the clock: every call
 * that needs the time is given it, which is what lets the tests run on
 * simulated time. It does not build replies, count TTLs down in packets or
 * decide what is worth forwarding; it stores what it is given, under the
 * TTL clamps of its policy.
 */
#include "config.h"

#include "dns/dns-cache.h"

#include <string.h>

typedef struct
{
  const guint8 *name; /* any case in a lookup key; lower case in an entry */
  guint8 name_len;
  guint8 flags;
  guint16 qtype;
  guint16 qclass;
} CacheKey;

typedef struct
{
  CacheKey key;          /* first member (see table); key.name points at name[] */
  GList lru_link;        /* data = the entry; lives in cache->lru */
  GSequenceIter *expiry; /* in cache->by_expiry */
  HearthDnsAnswer *answer;
  gint64 stored;
  gint64 expires; /* live while now < expires */
  gsize bytes;    /* what this entry adds to cache->bytes */
  guint8 name[];
} CacheEntry;
G_STATIC_ASSERT (G_STRUCT_OFFSET (CacheEntry, key) == 0);

struct _HearthDnsCache
{
  /* A set of &entry->key; the key is the entry's first member, so what a
   * lookup finds is the entry itself (a set has no separate value array). */
  GHashTable *table;
  GQueue lru; /* head = most recently used */
  GSequence *by_expiry;
  guint max_entries;
  gsize max_bytes; /* 0 = no byte bound (the entry bound still holds) */
  gsize bytes;
  HearthDnsCachePolicy policy;
  HearthDnsCacheStats stats;
};

static inline guint8
ascii_lower (guint8 c)
{
  return (c >= 'A' && c <= 'Z') ? (guint8) (c + ('a' - 'A')) : c;
}

/* FNV-1a over the lower-cased name, then the rest of the key: lower-casing
 * while hashing is what lets a lookup hash the client's own spelling
 * without copying it first. */
static guint
cache_key_hash (gconstpointer p)
{
  const CacheKey *k = p;
  guint32 h = 2166136261u;

  for (guint i = 0; i < k->name_len; i++)
    {
      h ^= ascii_lower (k->name[i]);
      h *= 16777619u;
    }
  h ^= k->qtype;
  h *= 16777619u;
  h ^= k->qclass;
  h *= 16777619u;
  h ^= k->flags;
  h *= 16777619u;
  return h;
}

static gboolean
cache_key_equal (gconstpointer pa, gconstpointer pb)
{
  const CacheKey *a = pa, *b = pb;

  if (a->name_len != b->name_len || a->qtype != b->qtype || a->qclass != b->qclass ||
      a->flags != b->flags)
    return FALSE;
  for (guint i = 0; i < a->name_len; i++)
    if (ascii_lower (a->name[i]) != ascii_lower (b->name[i]))
      return FALSE;
  return TRUE;
}

static gint
cache_entry_expiry_cmp (gconstpointer pa, gconstpointer pb, gpointer user_data)
{
  const CacheEntry *a = pa, *b = pb;

  if (a->expires != b->expires)
    return a->expires < b->expires ? -1 : 1;
  return 0;
}

static void
cache_key_init (CacheKey *key, const HearthDnsQuestion *q, guint key_flags)
{
  key->name = q->name;
  key->name_len = q->name_len;
  key->flags = (guint8) key_flags;
  key->qtype = q->qtype;
  key->qclass = q->qclass;
}

/* Unlinks the entry from all three structures and frees it. */
static void
cache_entry_remove (HearthDnsCache *cache, CacheEntry *entry)
{
  g_hash_table_remove (cache->table, &entry->key);
  g_queue_unlink (&cache->lru, &entry->lru_link);
  g_sequence_remove (entry->expiry);
  cache->bytes -= entry->bytes;
  hearth_dns_answer_free (entry->answer);
  g_free (entry);
}

HearthDnsCache *
hearth_dns_cache_new (guint max_entries, gsize max_bytes)
{
  HearthDnsCache *cache = g_new0 (HearthDnsCache, 1);

  cache->table = g_hash_table_new (cache_key_hash, cache_key_equal);
  g_queue_init (&cache->lru);
  cache->by_expiry = g_sequence_new (NULL);
  cache->max_entries = max_entries;
  cache->max_bytes = max_bytes;
  return cache;
}

void
hearth_dns_cache_free (HearthDnsCache *cache)
{
  if (cache == NULL)
    return;
  hearth_dns_cache_clear (cache);
  g_hash_table_unref (cache->table);
  g_sequence_free (cache->by_expiry);
  g_free (cache);
}

void
hearth_dns_cache_set_policy (HearthDnsCache *cache, const HearthDnsCachePolicy *policy)
{
  cache->policy = *policy;
}

static guint32
cache_clamp_ttl (const HearthDnsCachePolicy *policy, guint32 ttl)
{
  ttl = MAX (ttl, policy->min_ttl);
  if (policy->max_ttl != 0)
    ttl = MIN (ttl, policy->max_ttl);
  return ttl;
}

static guint32
read_u32_at (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
write_u32_at (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* The lifetime the policy gives answer, 0 = do not cache. Rewrites the TTL
 * fields of its records with the same clamps, so what clients are told
 * agrees with how long we keep it. */
static guint32
cache_apply_policy (const HearthDnsCachePolicy *policy, HearthDnsAnswer *answer)
{
  /* Only real answers are kept: a SERVFAIL or REFUSED says something
   * about the server, not the name, and must not be replayed. */
  if (answer->rcode != HEARTH_DNS_RCODE_NOERROR && answer->rcode != HEARTH_DNS_RCODE_NXDOMAIN)
    return 0;
  if (answer->negative)
    {
      if (policy->no_negcache)
        return 0;
      if (!answer->has_soa && !answer->ttl_fixed)
        {
          /* RFC 2308 5: no SOA, no negative TTL; only --neg-ttl gives one
           * (and its 0, the default, means not cached). */
          answer->ttl = policy->neg_ttl;
        }
    }

  answer->ttl = cache_clamp_ttl (policy, answer->ttl);
  if (answer->ttl == 0)
    return 0;
  if (policy->min_ttl != 0 || policy->max_ttl != 0)
    {
      for (guint i = 0; i < answer->n_ttls; i++)
        {
          guint8 *p;

          if ((gsize) answer->ttl_offsets[i] + 4 > answer->rrs_len)
            continue; /* not from the packet builder; never trust it with a write */
          p = answer->rrs + answer->ttl_offsets[i];
          write_u32_at (p, cache_clamp_ttl (policy, read_u32_at (p)));
        }
    }
  return answer->ttl;
}

/* Makes room for one more entry of `bytes`: an entry that has expired goes
 * first (the earliest to expire, if that one has), otherwise the least
 * recently used. */
static void
cache_make_room (HearthDnsCache *cache, gsize bytes, gint64 now)
{
  while (g_hash_table_size (cache->table) > 0 &&
         (g_hash_table_size (cache->table) >= cache->max_entries ||
          (cache->max_bytes != 0 && cache->bytes + bytes > cache->max_bytes)))
    {
      CacheEntry *victim = g_sequence_get (g_sequence_get_begin_iter (cache->by_expiry));

      if (victim->expires <= now)
        cache->stats.evictions_expired++;
      else
        {
          victim = g_queue_peek_tail (&cache->lru);
          cache->stats.evictions_live++;
        }
      cache_entry_remove (cache, victim);
    }
}

gboolean
hearth_dns_cache_insert (HearthDnsCache *cache,
                         const HearthDnsQuestion *q,
                         guint key_flags,
                         HearthDnsAnswer *answer,
                         gint64 now)
{
  CacheKey key;
  CacheEntry *entry;
  guint32 lifetime;
  gsize bytes;

  g_return_val_if_fail (cache != NULL && q != NULL && answer != NULL, FALSE);

  if (cache->max_entries == 0)
    {
      hearth_dns_answer_free (answer);
      return FALSE;
    }
  lifetime = cache_apply_policy (&cache->policy, answer);
  bytes = hearth_dns_answer_memory_size (answer) + sizeof (CacheEntry) + q->name_len;
  /* One answer may not take over the cache: it would evict everything else
   * and then be the only thing left worth nothing to anyone else. */
  if (lifetime == 0 || (cache->max_bytes != 0 && bytes > cache->max_bytes / 4))
    {
      hearth_dns_answer_free (answer);
      return FALSE;
    }

  cache_key_init (&key, q, key_flags);
  entry = g_hash_table_lookup (cache->table, &key);
  if (entry != NULL)
    cache_entry_remove (cache, entry);
  cache_make_room (cache, bytes, now);

  entry = g_malloc (sizeof (CacheEntry) + q->name_len);
  memcpy (entry->name, q->name, q->name_len);
  hearth_dns_name_lower (entry->name, q->name_len);
  entry->key = key;
  entry->key.name = entry->name;
  entry->lru_link.data = entry;
  entry->lru_link.prev = entry->lru_link.next = NULL;
  entry->answer = answer;
  entry->stored = now;
  entry->expires = now + lifetime;
  entry->bytes = bytes;

  g_hash_table_add (cache->table, &entry->key);
  g_queue_push_head_link (&cache->lru, &entry->lru_link);
  entry->expiry = g_sequence_insert_sorted (cache->by_expiry, entry, cache_entry_expiry_cmp, NULL);
  cache->bytes += bytes;
  cache->stats.insertions++;
  return TRUE;
}

const HearthDnsAnswer *
hearth_dns_cache_lookup (HearthDnsCache *cache,
                         const HearthDnsQuestion *q,
                         guint key_flags,
                         gint64 now,
                         guint32 *out_elapsed)
{
  CacheKey key;
  CacheEntry *entry;

  cache_key_init (&key, q, key_flags);
  entry = g_hash_table_lookup (cache->table, &key);
  /* An expired entry stays until eviction or replacement drops it: freeing
   * it here would pull an answer from under a caller that got it from an
   * earlier lookup, which the header promises stays valid until the next
   * insert or clear. */
  if (entry == NULL || now >= entry->expires)
    {
      cache->stats.misses++;
      return NULL;
    }

  g_queue_unlink (&cache->lru, &entry->lru_link);
  g_queue_push_head_link (&cache->lru, &entry->lru_link);
  cache->stats.hits++;
  if (out_elapsed != NULL)
    *out_elapsed = now > entry->stored ? (guint32) MIN (now - entry->stored, G_MAXUINT32) : 0;
  return entry->answer;
}

void
hearth_dns_cache_clear (HearthDnsCache *cache)
{
  CacheEntry *entry;

  while ((entry = g_queue_peek_head (&cache->lru)) != NULL)
    cache_entry_remove (cache, entry);
}

guint
hearth_dns_cache_remove_if (HearthDnsCache *cache, HearthDnsCacheNameFunc func, gpointer user_data)
{
  GList *link = cache->lru.head;
  guint removed = 0;

  while (link != NULL)
    {
      CacheEntry *entry = link->data;

      link = link->next; /* before the entry (and its link) may go */
      if (func (entry->name, entry->key.name_len, user_data))
        {
          cache_entry_remove (cache, entry);
          removed++;
        }
    }
  return removed;
}

static gboolean
name_is_under (const guint8 *name, gsize len, gpointer user_data)
{
  const GBytes *domain = user_data;
  gsize dlen;
  const guint8 *d = g_bytes_get_data ((GBytes *) domain, &dlen);

  /* Walk the labels of name until what is left is as long as domain;
   * comparing there (not at an arbitrary offset) respects label
   * boundaries. Entry names are lower case, and so is domain. */
  for (gsize pos = 0; pos < len && len - pos >= dlen;)
    {
      if (len - pos == dlen)
        return memcmp (name + pos, d, dlen) == 0;
      pos += (gsize) name[pos] + 1;
    }
  return FALSE;
}

guint
hearth_dns_cache_remove_subtree (HearthDnsCache *cache, const guint8 *domain, gsize len)
{
  g_autoptr (GBytes) lower = NULL;
  guint8 buf[256];

  if (len > sizeof buf)
    return 0;
  for (gsize i = 0; i < len; i++)
    buf[i] = ascii_lower (domain[i]);
  lower = g_bytes_new (buf, len);
  return hearth_dns_cache_remove_if (cache, name_is_under, lower);
}

void
hearth_dns_cache_get_stats (HearthDnsCache *cache, HearthDnsCacheStats *out_stats)
{
  *out_stats = cache->stats;
  out_stats->entries = g_hash_table_size (cache->table);
  out_stats->bytes = cache->bytes;
}

void
hearth_dns_cache_reset_stats (HearthDnsCache *cache)
{
  memset (&cache->stats, 0, sizeof cache->stats);
}
