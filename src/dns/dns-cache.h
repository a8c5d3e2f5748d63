/* The answer cache: complete replayable answers (HearthDnsAnswer) keyed on
 * the lower-cased question name, type, class and the DNSSEC flags of the
 * query (DO and CD), so DNSSEC-aware and plain answers never mix.
 *
 * Bounded in entries and in bytes; when full, an expired entry is evicted
 * first, otherwise the least recently used one. The lookup path does no
 * allocation. The cache does not decide TTL policy beyond the clamps it is
 * given, and never talks to the network.
 */
#pragma once

#include "dns/dns-packet.h"

typedef struct _HearthDnsCache HearthDnsCache;

/* Bits of the key besides name, type and class. */
#define HEARTH_DNS_CACHE_KEY_DO 0x1
#define HEARTH_DNS_CACHE_KEY_CD 0x2

typedef struct {
  guint32 min_ttl;      /* --min-cache-ttl: raise shorter lifetimes (capped at 3600 by the config) */
  guint32 max_ttl;      /* --max-cache-ttl: cap lifetimes; 0 = no cap */
  guint32 neg_ttl;      /* --neg-ttl: lifetime of negative answers without SOA; 0 = do not cache them */
  gboolean no_negcache; /* --no-negcache */
} HearthDnsCachePolicy;

typedef struct {
  guint64 hits;
  guint64 misses;
  guint64 insertions;
  guint64 evictions_live;    /* entries evicted before they expired: the cache is too small */
  guint64 evictions_expired;
  guint entries;
  gsize bytes;
} HearthDnsCacheStats;

/* max_entries 0 makes a cache that stores nothing. */
HearthDnsCache *hearth_dns_cache_new (guint max_entries, gsize max_bytes);
void hearth_dns_cache_free (HearthDnsCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsCache, hearth_dns_cache_free)

void hearth_dns_cache_set_policy (HearthDnsCache *cache, const HearthDnsCachePolicy *policy);

/* Stores answer for (q, key_flags) received at now (monotonic seconds),
 * taking ownership of answer. Returns FALSE (and frees answer) when the
 * policy says not to cache it (lifetime 0, negative without SOA and no
 * neg-ttl, no-negcache, larger than the byte bound). A previous entry for
 * the same key is replaced. The lifetime is answer->ttl after the
 * policy's clamps. */
gboolean hearth_dns_cache_insert (HearthDnsCache *cache, const HearthDnsQuestion *q, guint key_flags,
                                  HearthDnsAnswer *answer, gint64 now);

/* Finds a live entry for (q, key_flags) at now; the name is compared ignoring
 * case. On a hit marks it most recently used and returns the answer (owned
 * by the cache, valid until the next insert/clear) with *out_elapsed set to
 * the seconds since it was stored. Expired entries are not returned. */
const HearthDnsAnswer *hearth_dns_cache_lookup (HearthDnsCache *cache, const HearthDnsQuestion *q, guint key_flags,
                                                gint64 now, guint32 *out_elapsed);

void hearth_dns_cache_clear (HearthDnsCache *cache);

/* Called with the lower-case wire name of a cached answer; TRUE removes it. */
typedef gboolean (*HearthDnsCacheNameFunc) (const guint8 *name, gsize len, gpointer user_data);
/* Removes every entry func picks (live or expired); returns how many. One
 * pass over the cache, for changes that are rare (a route changed). */
guint hearth_dns_cache_remove_if (HearthDnsCache *cache, HearthDnsCacheNameFunc func, gpointer user_data);
/* Removes the answers for domain (wire form, any case) and every name
 * under it; returns how many. */
guint hearth_dns_cache_remove_subtree (HearthDnsCache *cache, const guint8 *domain, gsize len);
void hearth_dns_cache_get_stats (HearthDnsCache *cache, HearthDnsCacheStats *out_stats);
/* Counters back to zero (ClearMetrics); the entries stay. */
void hearth_dns_cache_reset_stats (HearthDnsCache *cache);
