/* Unit tests for the answer cache (src/dns/dns-cache.c).
 *
 * Answers are built here by hand, one allocation each as the packet
 * builder makes them, so the cache is tested without the packet parser;
 * time is simulated by passing `now`. These tests do not check what
 * clients receive (that is dns-packet's reply writer and the behaviour
 * tests).
 */
#include "config.h"

#include "dns/dns-cache.h"

#include <string.h>

#define A_RR_SIZE 16 /* C0 0C, type, class, TTL, rdlength 4, address */

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* n A records (addresses 192.0.2.tag+i) with the given TTLs, plus `pad`
 * bytes of rdata in the last record, in one block like
 * hearth_dns_answer_new_from_reply() makes, since hearth_dns_answer_free()
 * frees only the block. ttl = the minimum, as the builder sets it. */
static HearthDnsAnswer *
make_answer_full (guint n, const guint32 *ttls, guint8 tag, gsize pad)
{
  gsize rrs_len = n * A_RR_SIZE + pad;
  guint8 *block = g_malloc0 (sizeof (HearthDnsAnswer) + n * sizeof (guint16) + rrs_len);
  HearthDnsAnswer *a = (HearthDnsAnswer *) block;
  guint32 min_ttl = G_MAXUINT32;

  a->ttl_offsets = (guint16 *) (block + sizeof (HearthDnsAnswer));
  a->rrs = block + sizeof (HearthDnsAnswer) + n * sizeof (guint16);
  a->rrs_len = rrs_len;
  a->rcode = HEARTH_DNS_RCODE_NOERROR;
  a->ancount = (guint16) n;
  a->n_ttls = (guint16) n;
  for (guint i = 0; i < n; i++)
    {
      guint8 *rr = a->rrs + i * A_RR_SIZE;
      gsize rdlen = 4 + (i == n - 1 ? pad : 0);

      rr[0] = 0xc0;
      rr[1] = 0x0c;
      rr[3] = HEARTH_DNS_TYPE_A;
      rr[5] = HEARTH_DNS_CLASS_IN;
      put_u32 (rr + 6, ttls[i]);
      rr[10] = (guint8) (rdlen >> 8);
      rr[11] = (guint8) rdlen;
      rr[12] = 192;
      rr[13] = 0;
      rr[14] = 2;
      rr[15] = (guint8) (tag + i);
      a->ttl_offsets[i] = (guint16) (i * A_RR_SIZE + 6);
      min_ttl = MIN (min_ttl, ttls[i]);
    }
  a->ttl = n > 0 ? min_ttl : 0;
  return a;
}

static HearthDnsAnswer *
make_answer (guint32 ttl, guint8 tag)
{
  return make_answer_full (1, &ttl, tag, 0);
}

/* NXDOMAIN (or NODATA), with or without an SOA record in the authority
 * section; ttl is the RFC 2308 negative TTL. */
static HearthDnsAnswer *
make_negative (guint8 rcode, gboolean with_soa, guint32 ttl)
{
  HearthDnsAnswer *a = make_answer_full (with_soa ? 1 : 0, &ttl, 0, 0);

  a->rcode = rcode;
  a->negative = TRUE;
  a->has_soa = with_soa;
  a->ancount = 0;
  a->nscount = with_soa ? 1 : 0;
  if (with_soa)
    a->rrs[3] = HEARTH_DNS_TYPE_SOA; /* the rdata is not looked at */
  a->ttl = with_soa ? ttl : 0;
  return a;
}

static HearthDnsQuestion
make_question (const char *name, guint16 qtype)
{
  HearthDnsQuestion q = { 0 };
  gsize len = 0;

  g_assert_true (hearth_dns_name_from_string (name, q.name, &len));
  q.name_len = (guint8) len;
  q.qtype = qtype;
  q.qclass = HEARTH_DNS_CLASS_IN;
  return q;
}

static guint8
answer_tag (const HearthDnsAnswer *a)
{
  g_assert_nonnull (a);
  return a->rrs[15];
}

static guint32
answer_rr_ttl (const HearthDnsAnswer *a, guint i)
{
  g_assert_cmpuint (i, <, a->n_ttls);
  return get_u32 (a->rrs + a->ttl_offsets[i]);
}

static HearthDnsCacheStats
get_stats (HearthDnsCache *cache)
{
  HearthDnsCacheStats s;

  hearth_dns_cache_get_stats (cache, &s);
  return s;
}

static void
test_hit_miss (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("www.example.com", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion other = make_question ("www.example.org", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion aaaa = make_question ("www.example.com", HEARTH_DNS_TYPE_AAAA);
  HearthDnsQuestion chaos = q;
  HearthDnsQuestion shorter = make_question ("ww.example.com", HEARTH_DNS_TYPE_A);
  const HearthDnsAnswer *hit;
  guint32 elapsed = 99;
  HearthDnsCacheStats s;

  chaos.qclass = HEARTH_DNS_CLASS_CH;
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 1000, &elapsed));
  g_assert_cmpuint (elapsed, ==, 99); /* out parameter untouched on a miss */
  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (300, 7), 1000));

  hit = hearth_dns_cache_lookup (cache, &q, 0, 1000, &elapsed);
  g_assert_cmpuint (answer_tag (hit), ==, 7);
  g_assert_cmpuint (elapsed, ==, 0);
  g_assert_null (hearth_dns_cache_lookup (cache, &other, 0, 1000, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &aaaa, 0, 1000, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &chaos, 0, 1000, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &shorter, 0, 1000, NULL));

  s = get_stats (cache);
  g_assert_cmpuint (s.hits, ==, 1);
  g_assert_cmpuint (s.misses, ==, 5);
  g_assert_cmpuint (s.insertions, ==, 1);
  g_assert_cmpuint (s.entries, ==, 1);
}

static void
test_case_insensitive (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion upper = make_question ("WWW.Example.COM", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion lower = make_question ("www.example.com", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion mixed = make_question ("wWw.eXaMpLe.CoM", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion lower_copy = lower;

  g_assert_true (hearth_dns_cache_insert (cache, &upper, 0, make_answer (300, 1), 0));
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &lower, 0, 1, NULL)), ==, 1);
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &mixed, 0, 1, NULL)), ==, 1);
  /* The lookup neither needs nor changes a lower-cased copy of the name. */
  g_assert_cmpmem (mixed.name, mixed.name_len, "\3wWw\7eXaMpLe\3CoM", 17);
  /* Inserting under another spelling replaces, it does not add. */
  g_assert_true (hearth_dns_cache_insert (cache, &lower_copy, 0, make_answer (300, 2), 0));
  g_assert_cmpuint (get_stats (cache).entries, ==, 1);
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &upper, 0, 1, NULL)), ==, 2);
}

static void
test_dnssec_keys (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("signed.test", HEARTH_DNS_TYPE_A);

  g_assert_true (
      hearth_dns_cache_insert (cache, &q, HEARTH_DNS_CACHE_KEY_DO, make_answer (300, 1), 0));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 0, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, HEARTH_DNS_CACHE_KEY_CD, 0, NULL));
  g_assert_null (hearth_dns_cache_lookup (
      cache, &q, HEARTH_DNS_CACHE_KEY_DO | HEARTH_DNS_CACHE_KEY_CD, 0, NULL));
  g_assert_cmpuint (
      answer_tag (hearth_dns_cache_lookup (cache, &q, HEARTH_DNS_CACHE_KEY_DO, 0, NULL)), ==, 1);

  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (300, 2), 0));
  g_assert_true (
      hearth_dns_cache_insert (cache, &q, HEARTH_DNS_CACHE_KEY_CD, make_answer (300, 3), 0));
  g_assert_cmpuint (get_stats (cache).entries, ==, 3);
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &q, 0, 0, NULL)), ==, 2);
  g_assert_cmpuint (
      answer_tag (hearth_dns_cache_lookup (cache, &q, HEARTH_DNS_CACHE_KEY_CD, 0, NULL)), ==, 3);
  g_assert_cmpuint (
      answer_tag (hearth_dns_cache_lookup (cache, &q, HEARTH_DNS_CACHE_KEY_DO, 0, NULL)), ==, 1);
}

static void
test_elapsed (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("count.test", HEARTH_DNS_TYPE_A);
  guint32 elapsed = 0;

  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (300, 1), 1000));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &q, 0, 1042, &elapsed));
  g_assert_cmpuint (elapsed, ==, 42);
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &q, 0, 1299, &elapsed));
  g_assert_cmpuint (elapsed, ==, 299);
  /* The stored TTLs are not counted down in place: the reply writer does
   * that per client from elapsed. */
  g_assert_cmpuint (answer_rr_ttl (hearth_dns_cache_lookup (cache, &q, 0, 1299, NULL), 0), ==, 300);
}

static void
test_expiry (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("expire.test", HEARTH_DNS_TYPE_A);

  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (60, 1), 100));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &q, 0, 159, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 160, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 10000, NULL));
  /* A fresh answer for the expired key takes its place. */
  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (60, 2), 200));
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &q, 0, 259, NULL)), ==, 2);
  g_assert_cmpuint (get_stats (cache).entries, ==, 1);
}

static void
test_ttl_zero (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("zero.test", HEARTH_DNS_TYPE_A);
  HearthDnsCachePolicy policy = { .min_ttl = 5 };

  g_assert_false (hearth_dns_cache_insert (cache, &q, 0, make_answer (0, 1), 0));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 0, NULL));
  g_assert_cmpuint (get_stats (cache).insertions, ==, 0);
  /* --min-cache-ttl extends even a zero TTL. */
  hearth_dns_cache_set_policy (cache, &policy);
  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (0, 1), 0));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &q, 0, 4, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 5, NULL));
}

static void
test_min_ttl (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("short.test", HEARTH_DNS_TYPE_A);
  HearthDnsCachePolicy policy = { .min_ttl = 60 };
  guint32 ttls[] = { 5, 300 };
  const HearthDnsAnswer *a;

  hearth_dns_cache_set_policy (cache, &policy);
  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer_full (2, ttls, 1, 0), 0));
  a = hearth_dns_cache_lookup (cache, &q, 0, 59, NULL);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->ttl, ==, 60);
  g_assert_cmpuint (answer_rr_ttl (a, 0), ==, 60);
  g_assert_cmpuint (answer_rr_ttl (a, 1), ==, 300);
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 60, NULL));
}

static void
test_max_ttl (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q1 = make_question ("mixed.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion q2 = make_question ("long.test", HEARTH_DNS_TYPE_A);
  HearthDnsCachePolicy policy = { .max_ttl = 100 };
  guint32 ttls1[] = { 50, 300 };
  guint32 ttls2[] = { 400, 300 };
  const HearthDnsAnswer *a;

  hearth_dns_cache_set_policy (cache, &policy);
  g_assert_true (hearth_dns_cache_insert (cache, &q1, 0, make_answer_full (2, ttls1, 1, 0), 0));
  g_assert_true (hearth_dns_cache_insert (cache, &q2, 0, make_answer_full (2, ttls2, 1, 0), 0));

  a = hearth_dns_cache_lookup (cache, &q1, 0, 0, NULL);
  g_assert_cmpuint (a->ttl, ==, 50);
  g_assert_cmpuint (answer_rr_ttl (a, 0), ==, 50);
  g_assert_cmpuint (answer_rr_ttl (a, 1), ==, 100);
  g_assert_null (hearth_dns_cache_lookup (cache, &q1, 0, 50, NULL));

  a = hearth_dns_cache_lookup (cache, &q2, 0, 99, NULL);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->ttl, ==, 100);
  g_assert_cmpuint (answer_rr_ttl (a, 0), ==, 100);
  g_assert_cmpuint (answer_rr_ttl (a, 1), ==, 100);
  g_assert_null (hearth_dns_cache_lookup (cache, &q2, 0, 100, NULL));
}

static void
test_min_max_ttl (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("both.test", HEARTH_DNS_TYPE_A);
  /* A min above the max: the max is applied last and wins. */
  HearthDnsCachePolicy policy = { .min_ttl = 600, .max_ttl = 120 };
  guint32 ttls[] = { 1, 5000 };
  const HearthDnsAnswer *a;

  hearth_dns_cache_set_policy (cache, &policy);
  g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer_full (2, ttls, 1, 0), 0));
  a = hearth_dns_cache_lookup (cache, &q, 0, 119, NULL);
  g_assert_nonnull (a);
  g_assert_cmpuint (answer_rr_ttl (a, 0), ==, 120);
  g_assert_cmpuint (answer_rr_ttl (a, 1), ==, 120);
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 120, NULL));
}

static void
test_negative (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion nx = make_question ("nx.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion nodata = make_question ("exists.test", HEARTH_DNS_TYPE_AAAA);
  HearthDnsQuestion bare = make_question ("bare.test", HEARTH_DNS_TYPE_A);
  HearthDnsCachePolicy policy = { 0 };
  const HearthDnsAnswer *a;

  /* With an SOA: cached for the negative TTL. */
  g_assert_true (hearth_dns_cache_insert (cache, &nx, 0,
                                          make_negative (HEARTH_DNS_RCODE_NXDOMAIN, TRUE, 30), 0));
  g_assert_true (hearth_dns_cache_insert (cache, &nodata, 0,
                                          make_negative (HEARTH_DNS_RCODE_NOERROR, TRUE, 10), 0));
  a = hearth_dns_cache_lookup (cache, &nx, 0, 29, NULL);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->rcode, ==, HEARTH_DNS_RCODE_NXDOMAIN);
  g_assert_null (hearth_dns_cache_lookup (cache, &nx, 0, 30, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &nodata, 0, 9, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &nodata, 0, 10, NULL));

  /* Without an SOA there is no negative TTL: not cached... */
  g_assert_false (hearth_dns_cache_insert (cache, &bare, 0,
                                           make_negative (HEARTH_DNS_RCODE_NXDOMAIN, FALSE, 0), 0));
  g_assert_null (hearth_dns_cache_lookup (cache, &bare, 0, 0, NULL));

  /* ...unless --neg-ttl gives one. */
  policy.neg_ttl = 15;
  hearth_dns_cache_set_policy (cache, &policy);
  g_assert_true (hearth_dns_cache_insert (
      cache, &bare, 0, make_negative (HEARTH_DNS_RCODE_NXDOMAIN, FALSE, 0), 100));
  a = hearth_dns_cache_lookup (cache, &bare, 0, 114, NULL);
  g_assert_nonnull (a);
  g_assert_cmpuint (a->ttl, ==, 15);
  g_assert_null (hearth_dns_cache_lookup (cache, &bare, 0, 115, NULL));
  /* neg-ttl is only for answers without an SOA. */
  g_assert_true (hearth_dns_cache_insert (
      cache, &nx, 0, make_negative (HEARTH_DNS_RCODE_NXDOMAIN, TRUE, 30), 100));
  g_assert_cmpuint (hearth_dns_cache_lookup (cache, &nx, 0, 100, NULL)->ttl, ==, 30);

  /* --no-negcache: nothing negative, SOA or not, neg-ttl or not. */
  policy.no_negcache = TRUE;
  hearth_dns_cache_set_policy (cache, &policy);
  hearth_dns_cache_clear (cache);
  g_assert_false (hearth_dns_cache_insert (cache, &nx, 0,
                                           make_negative (HEARTH_DNS_RCODE_NXDOMAIN, TRUE, 30), 0));
  g_assert_false (hearth_dns_cache_insert (cache, &nodata, 0,
                                           make_negative (HEARTH_DNS_RCODE_NOERROR, TRUE, 30), 0));
  g_assert_false (hearth_dns_cache_insert (cache, &bare, 0,
                                           make_negative (HEARTH_DNS_RCODE_NXDOMAIN, FALSE, 0), 0));
  g_assert_cmpuint (get_stats (cache).entries, ==, 0);
  /* Positive answers still are. */
  g_assert_true (hearth_dns_cache_insert (cache, &bare, 0, make_answer (60, 1), 0));
}

static void
test_errors_not_cached (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion q = make_question ("broken.test", HEARTH_DNS_TYPE_A);
  HearthDnsCachePolicy policy = { .min_ttl = 60, .neg_ttl = 60 };
  HearthDnsAnswer *a;

  hearth_dns_cache_set_policy (cache, &policy);
  a = make_answer (300, 1);
  a->rcode = HEARTH_DNS_RCODE_SERVFAIL;
  g_assert_false (hearth_dns_cache_insert (cache, &q, 0, a, 0));
  a = make_answer (300, 1);
  a->rcode = HEARTH_DNS_RCODE_REFUSED;
  g_assert_false (hearth_dns_cache_insert (cache, &q, 0, a, 0));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 0, NULL));
}

static void
test_lru (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (3, 1 << 20);
  HearthDnsQuestion a = make_question ("a.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion b = make_question ("b.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion c = make_question ("c.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion d = make_question ("d.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion e = make_question ("e.test", HEARTH_DNS_TYPE_A);
  HearthDnsCacheStats s;

  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, make_answer (300, 1), 0));
  g_assert_true (hearth_dns_cache_insert (cache, &b, 0, make_answer (300, 2), 1));
  g_assert_true (hearth_dns_cache_insert (cache, &c, 0, make_answer (300, 3), 2));
  /* a is the oldest, but touching it makes b the least recently used. */
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &a, 0, 3, NULL));
  g_assert_true (hearth_dns_cache_insert (cache, &d, 0, make_answer (300, 4), 4));
  g_assert_null (hearth_dns_cache_lookup (cache, &b, 0, 5, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &a, 0, 5, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &d, 0, 5, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &c, 0, 5, NULL));
  /* Now a is least recently used again (order of touches: a, d, c). */
  g_assert_true (hearth_dns_cache_insert (cache, &e, 0, make_answer (300, 5), 6));
  g_assert_null (hearth_dns_cache_lookup (cache, &a, 0, 7, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &c, 0, 7, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &d, 0, 7, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &e, 0, 7, NULL));

  s = get_stats (cache);
  g_assert_cmpuint (s.entries, ==, 3);
  g_assert_cmpuint (s.evictions_live, ==, 2);
  g_assert_cmpuint (s.evictions_expired, ==, 0);
}

static void
test_expired_first (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (3, 1 << 20);
  HearthDnsQuestion old = make_question ("old.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion brief1 = make_question ("brief1.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion brief2 = make_question ("brief2.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion n1 = make_question ("new1.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion n2 = make_question ("new2.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion n3 = make_question ("new3.test", HEARTH_DNS_TYPE_A);
  HearthDnsCacheStats s;

  /* old: live but least recently used; brief1/brief2: used later, but
   * expired by t=20 (brief2 first). */
  g_assert_true (hearth_dns_cache_insert (cache, &old, 0, make_answer (1000, 1), 0));
  g_assert_true (hearth_dns_cache_insert (cache, &brief1, 0, make_answer (10, 2), 1));
  g_assert_true (hearth_dns_cache_insert (cache, &brief2, 0, make_answer (5, 3), 2));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &brief1, 0, 3, NULL));

  g_assert_true (hearth_dns_cache_insert (cache, &n1, 0, make_answer (1000, 4), 20));
  s = get_stats (cache);
  g_assert_cmpuint (s.evictions_expired, ==, 1);
  g_assert_cmpuint (s.evictions_live, ==, 0);
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &old, 0, 20, NULL));

  g_assert_true (hearth_dns_cache_insert (cache, &n2, 0, make_answer (1000, 5), 21));
  s = get_stats (cache);
  g_assert_cmpuint (s.evictions_expired, ==, 2);
  g_assert_cmpuint (s.evictions_live, ==, 0);
  g_assert_cmpuint (s.entries, ==, 3);
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &old, 0, 21, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &n1, 0, 21, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &n2, 0, 21, NULL));

  /* Nothing expired left: now the least recently used goes (old). */
  g_assert_true (hearth_dns_cache_insert (cache, &n3, 0, make_answer (1000, 6), 22));
  s = get_stats (cache);
  g_assert_cmpuint (s.evictions_live, ==, 1);
  g_assert_null (hearth_dns_cache_lookup (cache, &old, 0, 22, NULL));
}

static void
test_byte_bound (void)
{
  HearthDnsQuestion q = make_question ("nn.test", HEARTH_DNS_TYPE_A); /* as long as n0.test */
  g_autoptr (HearthDnsCache) probe = hearth_dns_cache_new (10, 0);
  g_autoptr (HearthDnsCache) cache = NULL;
  HearthDnsCacheStats s;
  gsize entry_bytes;
  guint32 ttl = 300;

  /* What one entry of this shape costs, measured on a cache without a byte
   * bound. */
  g_assert_true (hearth_dns_cache_insert (probe, &q, 0, make_answer_full (1, &ttl, 1, 200), 0));
  entry_bytes = get_stats (probe).bytes;
  g_assert_cmpuint (entry_bytes, >, 200 + A_RR_SIZE + sizeof (HearthDnsAnswer) + q.name_len);

  /* Room for four and a half: the fifth insert must evict one. */
  cache = hearth_dns_cache_new (100, entry_bytes * 9 / 2);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u.test", i);
      HearthDnsQuestion qi = make_question (name, HEARTH_DNS_TYPE_A);

      g_assert_true (
          hearth_dns_cache_insert (cache, &qi, 0, make_answer_full (1, &ttl, 1, 200), i));
      s = get_stats (cache);
      g_assert_cmpuint (s.bytes, <=, entry_bytes * 9 / 2);
      g_assert_cmpuint (s.entries, ==, MIN (i + 1, 4));
      g_assert_cmpuint (s.bytes, ==, s.entries * entry_bytes);
    }
  g_assert_cmpuint (get_stats (cache).evictions_live, ==, 4);

  /* An answer bigger than a quarter of the bound is not cached at all. */
  g_assert_false (
      hearth_dns_cache_insert (cache, &q, 0, make_answer_full (1, &ttl, 1, entry_bytes * 2), 100));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 100, NULL));
  g_assert_cmpuint (get_stats (cache).entries, ==, 4);
}

static void
test_size_zero (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (0, 1 << 20);
  HearthDnsQuestion q = make_question ("none.test", HEARTH_DNS_TYPE_A);
  HearthDnsCacheStats s;

  g_assert_false (hearth_dns_cache_insert (cache, &q, 0, make_answer (300, 1), 0));
  g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 0, NULL));
  s = get_stats (cache);
  g_assert_cmpuint (s.entries, ==, 0);
  g_assert_cmpuint (s.bytes, ==, 0);
  g_assert_cmpuint (s.insertions, ==, 0);
}

/* A subtree flush removes the domain and names under it, by whole labels
 * and in any case, and nothing else. */
static void
test_remove_subtree (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  const char *names[] = { "corp.example", "www.corp.example", "a.b.corp.example", "xcorp.example",
                          "example", "corp.example.net", "www.other.example" };
  const gboolean under[] = { TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE };
  guint8 domain[256];
  gsize len = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      HearthDnsQuestion q = make_question (names[i], HEARTH_DNS_TYPE_A);

      g_assert_true (hearth_dns_cache_insert (cache, &q, 0, make_answer (300, (guint8) i), 0));
    }
  g_assert_true (hearth_dns_name_from_string ("CORP.Example", domain, &len));
  g_assert_cmpuint (hearth_dns_cache_remove_subtree (cache, domain, len), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      HearthDnsQuestion q = make_question (names[i], HEARTH_DNS_TYPE_A);

      if (under[i])
        g_assert_null (hearth_dns_cache_lookup (cache, &q, 0, 1, NULL));
      else
        g_assert_nonnull (hearth_dns_cache_lookup (cache, &q, 0, 1, NULL));
    }
  g_assert_cmpuint (get_stats (cache).entries, ==, 4);
  /* The root is every name. */
  g_assert_cmpuint (hearth_dns_cache_remove_subtree (cache, (const guint8 *) "", 1), ==, 4);
  g_assert_cmpuint (get_stats (cache).entries, ==, 0);
}

static void
test_clear (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion a = make_question ("a.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion b = make_question ("b.test", HEARTH_DNS_TYPE_A);
  HearthDnsCacheStats s;

  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, make_answer (300, 1), 0));
  g_assert_true (
      hearth_dns_cache_insert (cache, &b, HEARTH_DNS_CACHE_KEY_DO, make_answer (300, 2), 0));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &a, 0, 0, NULL));
  hearth_dns_cache_clear (cache);
  s = get_stats (cache);
  g_assert_cmpuint (s.entries, ==, 0);
  g_assert_cmpuint (s.bytes, ==, 0);
  g_assert_cmpuint (s.hits, ==, 1); /* the counters are cumulative */
  g_assert_null (hearth_dns_cache_lookup (cache, &a, 0, 1, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &b, HEARTH_DNS_CACHE_KEY_DO, 1, NULL));
  /* Still usable. */
  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, make_answer (300, 3), 1));
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &a, 0, 1, NULL)), ==, 3);
  hearth_dns_cache_clear (cache);
  hearth_dns_cache_clear (cache);
}

static void
test_replace (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (2, 1 << 20);
  HearthDnsQuestion a = make_question ("a.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion b = make_question ("b.test", HEARTH_DNS_TYPE_A);
  guint32 elapsed = 0;
  gsize one;
  HearthDnsCacheStats s;

  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, make_answer (60, 1), 0));
  one = get_stats (cache).bytes;
  g_assert_true (hearth_dns_cache_insert (cache, &b, 0, make_answer (60, 2), 0));
  /* Replacing in a full cache evicts nothing else, and the old answer is
   * freed (the leak checker of the sanitizer build sees to that). */
  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, make_answer (600, 3), 10));
  s = get_stats (cache);
  g_assert_cmpuint (s.entries, ==, 2);
  g_assert_cmpuint (s.bytes, ==, 2 * one);
  g_assert_cmpuint (s.evictions_live + s.evictions_expired, ==, 0);
  g_assert_cmpuint (answer_tag (hearth_dns_cache_lookup (cache, &a, 0, 100, &elapsed)), ==, 3);
  g_assert_cmpuint (elapsed, ==, 90);
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &b, 0, 59, NULL));
}

static void
test_stats (void)
{
  g_autoptr (HearthDnsCache) cache = hearth_dns_cache_new (100, 1 << 20);
  HearthDnsQuestion a = make_question ("a.test", HEARTH_DNS_TYPE_A);
  HearthDnsQuestion longer = make_question ("a-longer-name.test", HEARTH_DNS_TYPE_A);
  HearthDnsAnswer *ans = make_answer (60, 1);
  gsize answer_size = hearth_dns_answer_memory_size (ans);
  gsize bytes_a, bytes_both;
  HearthDnsCacheStats s;

  s = get_stats (cache);
  g_assert_cmpuint (s.hits + s.misses + s.insertions + s.entries + s.bytes, ==, 0);

  g_assert_true (hearth_dns_cache_insert (cache, &a, 0, ans, 0));
  bytes_a = get_stats (cache).bytes;
  g_assert_cmpuint (bytes_a, >, answer_size + a.name_len);
  g_assert_true (hearth_dns_cache_insert (cache, &longer, 0, make_answer (60, 1), 0));
  bytes_both = get_stats (cache).bytes;
  /* Same answer size: the difference is the key. */
  g_assert_cmpuint (bytes_both - bytes_a, ==, bytes_a + (longer.name_len - a.name_len));

  g_assert_nonnull (hearth_dns_cache_lookup (cache, &a, 0, 1, NULL));
  g_assert_nonnull (hearth_dns_cache_lookup (cache, &a, 0, 2, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &a, HEARTH_DNS_CACHE_KEY_DO, 2, NULL));
  g_assert_null (hearth_dns_cache_lookup (cache, &a, 0, 60, NULL)); /* expired is a miss */
  s = get_stats (cache);
  g_assert_cmpuint (s.hits, ==, 2);
  g_assert_cmpuint (s.misses, ==, 2);
  g_assert_cmpuint (s.insertions, ==, 2);
  g_assert_cmpuint (s.entries, ==, 2);
  g_assert_cmpuint (s.bytes, ==, bytes_both);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/cache/hit-miss", test_hit_miss);
  g_test_add_func ("/dns/cache/case-insensitive", test_case_insensitive);
  g_test_add_func ("/dns/cache/dnssec-keys", test_dnssec_keys);
  g_test_add_func ("/dns/cache/elapsed", test_elapsed);
  g_test_add_func ("/dns/cache/expiry", test_expiry);
  g_test_add_func ("/dns/cache/ttl-zero", test_ttl_zero);
  g_test_add_func ("/dns/cache/min-ttl", test_min_ttl);
  g_test_add_func ("/dns/cache/max-ttl", test_max_ttl);
  g_test_add_func ("/dns/cache/min-max-ttl", test_min_max_ttl);
  g_test_add_func ("/dns/cache/negative", test_negative);
  g_test_add_func ("/dns/cache/errors-not-cached", test_errors_not_cached);
  g_test_add_func ("/dns/cache/lru", test_lru);
  g_test_add_func ("/dns/cache/expired-first", test_expired_first);
  g_test_add_func ("/dns/cache/byte-bound", test_byte_bound);
  g_test_add_func ("/dns/cache/size-zero", test_size_zero);
  g_test_add_func ("/dns/cache/clear", test_clear);
  g_test_add_func ("/dns/cache/remove-subtree", test_remove_subtree);
  g_test_add_func ("/dns/cache/replace", test_replace);
  g_test_add_func ("/dns/cache/stats", test_stats);
  return g_test_run ();
}
