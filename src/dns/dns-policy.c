/* Answer policy (see dns-policy.h): the option parsers, the question-side
 * --filterwin2k rule, and the reply-side rules that look at, rewrite or
 * reject what an upstream sent.
 *
 * A reply is read twice and never copied into a tree: the first walk decides
 * the verdict, the second (only when something changes) writes the new
 * reply. Removing records breaks the name-compression offsets of the records
 * after them, so the writer decompresses every name it knows the place of
 * (owners, and names inside the rdata of the types that may carry compressed
 * names, RFC 3597 4) and compresses owners and RFC 1035 rdata names again
 * against what it has written. Rdata of other types is copied as is.
 *
 * Behaviour follows dnsmasq 2.90 as measured (/tmp/policy-facts.md kept by
 * the lead in the man page), except where noted at the rule. It does not
 * log, and keeps no state between calls.
 */
#include "config.h"

#include "dns/dns-policy.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  guint32 start; /* host order */
  guint32 end;   /* == start for a single address */
  guint32 mask;
  guint32 new_addr;
} Alias;

struct _HearthDnsPolicy {
  GArray *bogus;         /* HearthDnsAddr prefixes */
  GArray *ignore;        /* HearthDnsAddr prefixes */
  GArray *aliases;       /* Alias */
  GArray *filter_types;  /* guint16, from --filter-rr */
  gboolean filter_any;   /* --filter-rr=ANY */
  GPtrArray *rebind_ok;  /* GBytes: lower-case wire-form domains */
  gboolean rebind_ok_plain;
  gboolean filter_a;
  gboolean filter_aaaa;
  gboolean stop_rebind;
  gboolean rebind_localhost_ok;
  gboolean filterwin2k;
};

HearthDnsPolicy *
hearth_dns_policy_new (void)
{
  HearthDnsPolicy *policy = g_new0 (HearthDnsPolicy, 1);

  policy->bogus = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  policy->ignore = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  policy->aliases = g_array_new (FALSE, FALSE, sizeof (Alias));
  policy->filter_types = g_array_new (FALSE, FALSE, sizeof (guint16));
  policy->rebind_ok = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return policy;
}

void
hearth_dns_policy_free (HearthDnsPolicy *policy)
{
  if (policy == NULL)
    return;
  g_array_unref (policy->bogus);
  g_array_unref (policy->ignore);
  g_array_unref (policy->aliases);
  g_array_unref (policy->filter_types);
  g_ptr_array_unref (policy->rebind_ok);
  g_free (policy);
}

/* ---- option values ------------------------------------------------------ */

static gboolean
add_prefix (GArray *list, const char *value, GError **error)
{
  HearthDnsAddr addr;
  g_autofree char *text = g_strstrip (g_strdup (value));

  if (!hearth_dns_addr_parse_prefix (text, &addr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad address '%s'"), value);
      return FALSE;
    }
  g_array_append_val (list, addr);
  return TRUE;
}

gboolean
hearth_dns_policy_add_bogus_nxdomain (HearthDnsPolicy *policy, const char *value, GError **error)
{
  return add_prefix (policy->bogus, value, error);
}

gboolean
hearth_dns_policy_add_ignore_address (HearthDnsPolicy *policy, const char *value, GError **error)
{
  return add_prefix (policy->ignore, value, error);
}

static gboolean
parse_ipv4 (const char *text, guint32 *out)
{
  struct in_addr a;

  if (inet_pton (AF_INET, text, &a) != 1)
    return FALSE;
  *out = ntohl (a.s_addr);
  return TRUE;
}

gboolean
hearth_dns_policy_add_alias (HearthDnsPolicy *policy, const char *value, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  guint n = g_strv_length (parts);
  Alias alias = { 0, 0, 0xffffffffu, 0 };
  char *dash;

  for (guint i = 0; i < n; i++)
    g_strstrip (parts[i]);
  if (n < 2 || n > 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("bad alias '%s': want <old>[-<end>],<new>[,<mask>] (IPv4)"), value);
      return FALSE;
    }
  dash = strchr (parts[0], '-');
  if (dash != NULL)
    *dash = '\0';
  if (!parse_ipv4 (parts[0], &alias.start) || (dash != NULL && !parse_ipv4 (dash + 1, &alias.end)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad alias '%s': bad old address"), value);
      return FALSE;
    }
  if (dash == NULL)
    alias.end = alias.start;
  if (!parse_ipv4 (parts[1], &alias.new_addr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad alias '%s': bad new address '%s'"), value,
                   parts[1]);
      return FALSE;
    }
  if (n == 3 && !parse_ipv4 (parts[2], &alias.mask))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("bad alias '%s': bad mask '%s' (want a dotted quad)"), value, parts[2]);
      return FALSE;
    }
  /* As dnsmasq: a range must lie in one masked network, so the host part
   * carried over to the new address stays meaningful. */
  if (alias.start > alias.end || (alias.start & alias.mask) != (alias.end & alias.mask))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("bad alias '%s': the range must be ascending and inside one network of the mask"), value);
      return FALSE;
    }
  g_array_append_val (policy->aliases, alias);
  return TRUE;
}

/* Type names for --filter-rr beyond the ones dns-packet prints. */
static const struct {
  const char *name;
  guint16 type;
} extra_type_names[] = {
  { "MD", 3 },      { "MF", 4 },       { "MB", 7 },      { "MG", 8 },      { "MR", 9 },       { "NULL", 10 },
  { "WKS", 11 },    { "HINFO", 13 },   { "MINFO", 14 },  { "RP", 17 },     { "AFSDB", 18 },   { "X25", 19 },
  { "ISDN", 20 },   { "RT", 21 },      { "NSAP", 22 },   { "SIG", 24 },    { "KEY", 25 },     { "PX", 26 },
  { "GPOS", 27 },   { "LOC", 29 },     { "NXT", 30 },    { "KX", 36 },     { "CERT", 37 },    { "A6", 38 },
  { "DNAME", 39 },  { "APL", 42 },     { "SSHFP", 44 },  { "IPSECKEY", 45 }, { "DHCID", 49 }, { "NSEC3PARAM", 51 },
  { "TLSA", 52 },   { "SMIMEA", 53 },  { "HIP", 55 },    { "CDS", 59 },    { "CDNSKEY", 60 }, { "OPENPGPKEY", 61 },
  { "CSYNC", 62 },  { "ZONEMD", 63 },  { "SPF", 99 },    { "EUI48", 108 }, { "EUI64", 109 },  { "TKEY", 249 },
  { "TSIG", 250 },  { "IXFR", 251 },   { "AXFR", 252 },  { "URI", 256 },
};

/* The types dns-packet has names for (hearth_dns_type_to_string). */
static const guint16 packet_named_types[] = {
  HEARTH_DNS_TYPE_A,   HEARTH_DNS_TYPE_NS,  HEARTH_DNS_TYPE_CNAME, HEARTH_DNS_TYPE_SOA,   HEARTH_DNS_TYPE_PTR,
  HEARTH_DNS_TYPE_MX,  HEARTH_DNS_TYPE_TXT, HEARTH_DNS_TYPE_AAAA,  HEARTH_DNS_TYPE_SRV,   35,
  43,                  HEARTH_DNS_TYPE_RRSIG, 47,                  48,                     50,
  64,                  65,                  257,
};

static gboolean
parse_type (const char *text, guint16 *out)
{
  char buf[16];
  guint64 v;
  char *end;

  if (g_ascii_isdigit (text[0]))
    {
      v = g_ascii_strtoull (text, &end, 10);
      if (*end != '\0' || v > G_MAXUINT16)
        return FALSE;
      *out = (guint16) v;
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (packet_named_types); i++)
    if (g_ascii_strcasecmp (text, hearth_dns_type_to_string (packet_named_types[i], buf, sizeof buf)) == 0)
      {
        *out = packet_named_types[i];
        return TRUE;
      }
  for (gsize i = 0; i < G_N_ELEMENTS (extra_type_names); i++)
    if (g_ascii_strcasecmp (text, extra_type_names[i].name) == 0)
      {
        *out = extra_type_names[i].type;
        return TRUE;
      }
  return FALSE;
}

gboolean
hearth_dns_policy_add_filter_rr (HearthDnsPolicy *policy, const char *value, GError **error)
{
  g_auto (GStrv) items = g_strsplit (value, ",", -1);

  /* Check every item before adding any, so a bad value changes nothing. */
  for (guint i = 0; items[i] != NULL; i++)
    {
      guint16 type;

      g_strstrip (items[i]);
      if (items[i][0] != '\0' && g_ascii_strcasecmp (items[i], "ANY") != 0 && !parse_type (items[i], &type))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad RR type '%s'"), items[i]);
          return FALSE;
        }
    }
  for (guint i = 0; items[i] != NULL; i++)
    {
      guint16 type;

      if (items[i][0] == '\0')
        continue; /* dnsmasq accepts empty items ("TXT,") */
      if (g_ascii_strcasecmp (items[i], "ANY") == 0)
        policy->filter_any = TRUE;
      else if (parse_type (items[i], &type) && !hearth_dns_policy_filters_type (policy, type))
        g_array_append_val (policy->filter_types, type);
    }
  return TRUE;
}

static gboolean
add_rebind_domain (HearthDnsPolicy *policy, const char *domain, GError **error)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;

  /* '#' means "the usual servers" in --server syntax; dnsmasq accepts it
   * here and exempts nothing, so do we. */
  if (domain[0] == '\0' || strcmp (domain, "#") == 0)
    return TRUE;
  /* dnsmasq takes ".lan" literally and so never matches it; the intent is
   * clearly the domain, so accept it as one. */
  if (g_str_has_prefix (domain, "*."))
    domain += 2;
  else if (domain[0] == '.')
    domain += 1;
  if (!hearth_dns_name_from_string (domain, wire, &len) || len == 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad domain '%s'"), domain);
      return FALSE;
    }
  hearth_dns_name_lower (wire, len);
  g_ptr_array_add (policy->rebind_ok, g_bytes_new (wire, len));
  return TRUE;
}

gboolean
hearth_dns_policy_add_rebind_domain_ok (HearthDnsPolicy *policy, const char *value, GError **error)
{
  g_auto (GStrv) items = NULL;

  if (value[0] != '/')
    return add_rebind_domain (policy, value, error);
  /* "//" (an empty domain between the slashes) stands for unqualified
   * names, as in --server. */
  if (strcmp (value, "//") == 0)
    {
      policy->rebind_ok_plain = TRUE;
      return TRUE;
    }
  items = g_strsplit (value + 1, "/", -1);
  for (guint i = 0; items[i] != NULL; i++)
    if (!add_rebind_domain (policy, items[i], error))
      return FALSE;
  return TRUE;
}

void
hearth_dns_policy_set_filter_a (HearthDnsPolicy *policy, gboolean on)
{
  policy->filter_a = on;
}

void
hearth_dns_policy_set_filter_aaaa (HearthDnsPolicy *policy, gboolean on)
{
  policy->filter_aaaa = on;
}

void
hearth_dns_policy_set_stop_rebind (HearthDnsPolicy *policy, gboolean on)
{
  policy->stop_rebind = on;
}

void
hearth_dns_policy_set_rebind_localhost_ok (HearthDnsPolicy *policy, gboolean on)
{
  policy->rebind_localhost_ok = on;
}

void
hearth_dns_policy_set_filterwin2k (HearthDnsPolicy *policy, gboolean on)
{
  policy->filterwin2k = on;
}

gboolean
hearth_dns_policy_filters_type (const HearthDnsPolicy *policy, guint16 type)
{
  if ((type == HEARTH_DNS_TYPE_A && policy->filter_a) || (type == HEARTH_DNS_TYPE_AAAA && policy->filter_aaaa))
    return TRUE;
  for (guint i = 0; i < policy->filter_types->len; i++)
    if (g_array_index (policy->filter_types, guint16, i) == type)
      return TRUE;
  return FALSE;
}

gboolean
hearth_dns_policy_has_reply_rules (const HearthDnsPolicy *policy)
{
  return policy->bogus->len > 0 || policy->ignore->len > 0 || policy->aliases->len > 0 ||
         policy->filter_types->len > 0 || policy->filter_any || policy->filter_a || policy->filter_aaaa ||
         policy->stop_rebind;
}

/* ---- questions ---------------------------------------------------------- */

const char *
hearth_dns_query_verdict_to_string (HearthDnsQueryVerdict verdict)
{
  switch (verdict)
    {
    case HEARTH_DNS_QUERY_FORWARD:
      return "forward";
    case HEARTH_DNS_QUERY_NODATA:
      return "NODATA";
    case HEARTH_DNS_QUERY_NXDOMAIN:
      return "NXDOMAIN";
    }
  return "?";
}

HearthDnsQueryVerdict
hearth_dns_policy_check_query (const HearthDnsPolicy *policy, const HearthDnsQuestion *q)
{
  if (!policy->filterwin2k)
    return HEARTH_DNS_QUERY_FORWARD;
  /* What Windows sends on its own and the public DNS cannot answer
   * usefully (dnsmasq's list): every SOA and SRV, and ANY for names with an
   * underscore anywhere (LDAP and Kerberos locators). */
  if (q->qtype == HEARTH_DNS_TYPE_SOA || q->qtype == HEARTH_DNS_TYPE_SRV)
    return HEARTH_DNS_QUERY_NODATA;
  if (q->qtype == HEARTH_DNS_TYPE_ANY && memchr (q->name, '_', MIN (q->name_len, sizeof q->name)) != NULL)
    return HEARTH_DNS_QUERY_NODATA;
  return HEARTH_DNS_QUERY_FORWARD;
}

/* ---- replies: the decision ---------------------------------------------- */

const char *
hearth_dns_reply_verdict_to_string (HearthDnsReplyVerdict verdict)
{
  switch (verdict)
    {
    case HEARTH_DNS_REPLY_KEEP:
      return "keep";
    case HEARTH_DNS_REPLY_REWRITTEN:
      return "rewritten";
    case HEARTH_DNS_REPLY_NXDOMAIN:
      return "NXDOMAIN (bogus address)";
    case HEARTH_DNS_REPLY_BLOCKED:
      return "blocked (DNS rebinding)";
    case HEARTH_DNS_REPLY_IGNORE:
      return "ignored";
    }
  return "?";
}

typedef enum {
  SECTION_ANSWER,
  SECTION_AUTHORITY,
  SECTION_ADDITIONAL,
} Section;

typedef struct {
  gsize start;     /* first byte of the owner name */
  Section section;
  guint16 type;
  guint16 rclass;
  gsize rdata_pos;
  guint16 rdlength;
} Record;

typedef struct {
  HearthDnsReader r;
  guint16 flags;
  guint counts[3];
  guint index; /* records read so far */
} Walk;

static gboolean
walk_start (Walk *w, const guint8 *reply, gsize len)
{
  guint16 id, qd, an, ns, ar;

  hearth_dns_reader_init (&w->r, reply, len);
  if (!hearth_dns_reader_u16 (&w->r, &id) || !hearth_dns_reader_u16 (&w->r, &w->flags) ||
      !hearth_dns_reader_u16 (&w->r, &qd) || !hearth_dns_reader_u16 (&w->r, &an) ||
      !hearth_dns_reader_u16 (&w->r, &ns) || !hearth_dns_reader_u16 (&w->r, &ar))
    return FALSE;
  if (qd != 1 || !(w->flags & HEARTH_DNS_FLAG_QR) || (w->flags & HEARTH_DNS_OPCODE_MASK) != 0)
    return FALSE;
  if (!hearth_dns_reader_name (&w->r, NULL, NULL) || !hearth_dns_reader_skip (&w->r, 4))
    return FALSE;
  w->counts[SECTION_ANSWER] = an;
  w->counts[SECTION_AUTHORITY] = ns;
  w->counts[SECTION_ADDITIONAL] = ar;
  w->index = 0;
  return TRUE;
}

/* Reads the next record; FALSE at the end (*done) or on a broken one. */
static gboolean
walk_next (Walk *w, Record *rec, gboolean *done)
{
  guint i = w->index;
  guint32 ttl;

  *done = FALSE;
  if (i >= w->counts[0] + w->counts[1] + w->counts[2])
    {
      *done = TRUE;
      return FALSE;
    }
  rec->section = i < w->counts[0]                  ? SECTION_ANSWER
                 : i < w->counts[0] + w->counts[1] ? SECTION_AUTHORITY
                                                   : SECTION_ADDITIONAL;
  rec->start = w->r.pos;
  if (!hearth_dns_reader_name (&w->r, NULL, NULL) || !hearth_dns_reader_u16 (&w->r, &rec->type) ||
      !hearth_dns_reader_u16 (&w->r, &rec->rclass) || !hearth_dns_reader_u32 (&w->r, &ttl) ||
      !hearth_dns_reader_u16 (&w->r, &rec->rdlength))
    return FALSE;
  rec->rdata_pos = w->r.pos;
  if (!hearth_dns_reader_skip (&w->r, rec->rdlength))
    return FALSE;
  w->index++;
  return TRUE;
}

/* An A or AAAA record of class IN with the right length: its address. */
static gboolean
record_address (const guint8 *reply, const Record *rec, HearthDnsAddr *out)
{
  if (rec->rclass != HEARTH_DNS_CLASS_IN)
    return FALSE;
  if (rec->type == HEARTH_DNS_TYPE_A && rec->rdlength == 4)
    hearth_dns_addr_from_bytes (AF_INET, reply + rec->rdata_pos, out);
  else if (rec->type == HEARTH_DNS_TYPE_AAAA && rec->rdlength == 16)
    hearth_dns_addr_from_bytes (AF_INET6, reply + rec->rdata_pos, out);
  else
    return FALSE;
  return TRUE;
}

static gboolean
in_any_prefix (const GArray *list, const HearthDnsAddr *addr)
{
  for (guint i = 0; i < list->len; i++)
    if (hearth_dns_addr_in_prefix (&g_array_index (list, HearthDnsAddr, i), addr))
      return TRUE;
  return FALSE;
}

/* The first alias matching v4 (host order) rewrites it; TRUE if one did. */
static gboolean
apply_alias (const HearthDnsPolicy *policy, guint32 *v4)
{
  for (guint i = 0; i < policy->aliases->len; i++)
    {
      const Alias *a = &g_array_index (policy->aliases, Alias, i);
      gboolean match = a->start == a->end ? (*v4 & a->mask) == (a->start & a->mask)
                                          : *v4 >= a->start && *v4 <= a->end;

      if (match)
        {
          *v4 = (a->new_addr & a->mask) | (*v4 & ~a->mask);
          return TRUE;
        }
    }
  return FALSE;
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Is the record dropped from a rewritten reply? Filters apply to the answer
 * and additional sections (dnsmasq: answer only; hearth also drops the
 * additional A/AAAA of --filter-A/-AAAA, which promise "no IPv4 addresses",
 * and RRSIGs that cover a removed type). Authority stays: its SOA is what
 * makes the result a cacheable NODATA. */
static gboolean
record_filtered (const HearthDnsPolicy *policy, const HearthDnsQuestion *q, const guint8 *reply, const Record *rec)
{
  guint16 type = rec->type;

  if (rec->section == SECTION_AUTHORITY || type == HEARTH_DNS_TYPE_OPT)
    return FALSE;
  if (type == HEARTH_DNS_TYPE_RRSIG && rec->rdlength >= 2)
    type = (guint16) (reply[rec->rdata_pos] << 8 | reply[rec->rdata_pos + 1]);
  if (hearth_dns_policy_filters_type (policy, type))
    return TRUE;
  /* --filter-rr=ANY (RFC 8482 4.3): an ANY answer keeps only what a client
   * could still want from it. */
  if (policy->filter_any && q->qtype == HEARTH_DNS_TYPE_ANY && rec->section == SECTION_ANSWER)
    return rec->type != HEARTH_DNS_TYPE_A && rec->type != HEARTH_DNS_TYPE_AAAA && rec->type != HEARTH_DNS_TYPE_MX &&
           rec->type != HEARTH_DNS_TYPE_CNAME;
  return FALSE;
}

static gboolean
rebind_allowed_for (const HearthDnsPolicy *policy, const HearthDnsQuestion *q)
{
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize len = MIN (q->name_len, sizeof name);

  memcpy (name, q->name, len);
  hearth_dns_name_lower (name, len);
  if (policy->rebind_ok_plain && hearth_dns_name_count_labels (name, len) == 1)
    return TRUE;
  for (guint i = 0; i < policy->rebind_ok->len; i++)
    {
      gsize dlen;
      const guint8 *d = g_bytes_get_data (policy->rebind_ok->pdata[i], &dlen);

      /* Equal, or a subdomain: the domain is a whole-label suffix. */
      for (gsize pos = 0; pos < len && len - pos >= dlen; pos += (gsize) name[pos] + 1)
        {
          if (len - pos == dlen && memcmp (name + pos, d, dlen) == 0)
            return TRUE;
          if (name[pos] == 0)
            break;
        }
    }
  return FALSE;
}

/* ---- replies: the writer ------------------------------------------------ */

/* Names written so far, for compression: where each written suffix starts
 * in the output and its uncompressed form. Bounded; names past the bound
 * are simply not used as targets. */
#define COMPRESS_MAX 128

typedef struct {
  guint16 offset;
  guint8 len;
  guint8 name[HEARTH_DNS_NAME_MAX];
} Target;

typedef struct {
  guint8 *buf;
  gsize size;
  gsize pos;
  gboolean failed;
  Target *targets; /* COMPRESS_MAX */
  guint n_targets;
} Out;

static void
out_bytes (Out *o, const void *p, gsize n)
{
  if (o->failed || o->size - o->pos < n)
    {
      o->failed = TRUE;
      return;
    }
  memcpy (o->buf + o->pos, p, n);
  o->pos += n;
}

static void
out_u16 (Out *o, guint16 v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  out_bytes (o, b, 2);
}

/* Writes an uncompressed wire-form name, as a pointer to an earlier copy of
 * its longest possible suffix when compress is set. Every suffix written
 * literally becomes a target. */
static void
out_name (Out *o, const guint8 *name, gsize len, gboolean compress)
{
  gsize pos = 0;

  while (pos < len && name[pos] != 0)
    {
      if (compress)
        for (guint i = 0; i < o->n_targets; i++)
          {
            const Target *t = &o->targets[i];

            if (t->len == len - pos && memcmp (t->name, name + pos, t->len) == 0)
              {
                out_u16 (o, (guint16) (0xc000 | t->offset));
                return;
              }
          }
      if (o->n_targets < COMPRESS_MAX && o->pos < 0x4000 && !o->failed)
        {
          Target *t = &o->targets[o->n_targets++];

          t->offset = (guint16) o->pos;
          t->len = (guint8) (len - pos);
          memcpy (t->name, name + pos, len - pos);
        }
      out_bytes (o, name + pos, (gsize) name[pos] + 1);
      pos += (gsize) name[pos] + 1;
    }
  out_bytes (o, "", 1);
}

/* How a type's rdata is laid out, as far as names are concerned: 'n' a
 * domain name, 'b'/'w'/'l' 1/2/4 opaque bytes, 's' a character-string; the
 * rest after the layout is copied as is. compress: a type RFC 3597 4 allows
 * to be compressed on output. */
static const struct {
  guint16 type;
  gboolean compress;
  const char *layout;
} rdata_layouts[] = {
  { HEARTH_DNS_TYPE_NS, TRUE, "n" },   { 3, TRUE, "n" },  /* MD */
  { 4, TRUE, "n" },                    /* MF */
  { HEARTH_DNS_TYPE_CNAME, TRUE, "n" }, { HEARTH_DNS_TYPE_SOA, TRUE, "nn" },
  { 7, TRUE, "n" },                    /* MB */
  { 8, TRUE, "n" },                    /* MG */
  { 9, TRUE, "n" },                    /* MR */
  { HEARTH_DNS_TYPE_PTR, TRUE, "n" },  { 14, TRUE, "nn" }, /* MINFO */
  { HEARTH_DNS_TYPE_MX, TRUE, "wn" },  { 17, FALSE, "nn" }, /* RP */
  { 18, FALSE, "wn" },                 /* AFSDB */
  { 21, FALSE, "wn" },                 /* RT */
  { 24, FALSE, "wbblllwn" },           /* SIG */
  { 26, FALSE, "wnn" },                /* PX */
  { 30, FALSE, "n" },                  /* NXT */
  { 35, FALSE, "wwsssn" },             /* NAPTR */
  { 36, FALSE, "wn" },                 /* KX */
  { HEARTH_DNS_TYPE_SRV, FALSE, "wwwn" },
};

/* Copies one record's rdata, decompressing the names of known layouts.
 * FALSE when the rdata does not match its layout (the record is dropped
 * rather than passed on with pointers that no longer mean anything). */
static gboolean
out_rdata (Out *o, const guint8 *reply, gsize len, const Record *rec)
{
  const char *layout = "";
  gboolean compress = FALSE;
  HearthDnsReader r;
  gsize end = rec->rdata_pos + rec->rdlength;
  gsize len_pos = o->pos, start;

  for (gsize i = 0; i < G_N_ELEMENTS (rdata_layouts); i++)
    /* Any class: the forwarder's parser reads an SOA in any class, and
     * stale compression pointers must never be copied. */
    if (rdata_layouts[i].type == rec->type)
      {
        layout = rdata_layouts[i].layout;
        compress = rdata_layouts[i].compress;
      }
  out_u16 (o, 0); /* rdlength, set below */
  start = o->pos;
  hearth_dns_reader_init (&r, reply, len);
  r.pos = rec->rdata_pos;
  for (const char *l = layout; *l != '\0'; l++)
    {
      guint8 name[HEARTH_DNS_NAME_MAX];
      gsize name_len, n = 0;
      guint8 slen;

      switch (*l)
        {
        case 'n':
          if (!hearth_dns_reader_name (&r, name, &name_len) || r.pos > end)
            return FALSE;
          out_name (o, name, name_len, compress);
          continue;
        case 'b':
          n = 1;
          break;
        case 'w':
          n = 2;
          break;
        case 'l':
          n = 4;
          break;
        case 's':
          if (r.pos >= end)
            return FALSE;
          slen = reply[r.pos];
          n = (gsize) slen + 1;
          break;
        default:
          g_assert_not_reached ();
        }
      if (end - r.pos < n)
        return FALSE;
      out_bytes (o, reply + r.pos, n);
      r.pos += n;
    }
  out_bytes (o, reply + r.pos, end - r.pos);
  if (o->failed)
    return TRUE;
  if (o->pos - start > G_MAXUINT16)
    {
      o->failed = TRUE;
      return TRUE;
    }
  o->buf[len_pos] = (guint8) ((o->pos - start) >> 8);
  o->buf[len_pos + 1] = (guint8) ((o->pos - start) & 0xff);
  return TRUE;
}

typedef enum {
  KEEP_ALL,     /* REWRITTEN: filters and aliases */
  KEEP_OPT,     /* NXDOMAIN / BLOCKED: only the OPT record */
} KeepMode;

/* Writes the new reply. Returns its length (0 if it did not fit). */
static gsize
write_reply (const HearthDnsPolicy *policy, const HearthDnsQuestion *q, const guint8 *reply, gsize len,
             KeepMode mode, guint16 flags, Out *o)
{
  Walk w;
  Record rec;
  gboolean done;
  guint8 qname[HEARTH_DNS_NAME_MAX];
  gsize qname_len, qtail;
  guint16 counts[3] = { 0, 0, 0 };

  if (!walk_start (&w, reply, len))
    return 0; /* cannot happen: the first pass read the same bytes */
  /* The question, its name uncompressed (a pointer at offset 12 can only
   * point into the header). */
  hearth_dns_reader_init (&w.r, reply, len);
  w.r.pos = HEARTH_DNS_HEADER_SIZE;
  if (!hearth_dns_reader_name (&w.r, qname, &qname_len))
    return 0;
  qtail = w.r.pos;
  w.r.pos += 4;
  out_bytes (o, reply, 2);
  out_u16 (o, flags);
  out_bytes (o, "\0\1\0\0\0\0\0\0", 8); /* counts, set below */
  out_name (o, qname, qname_len, FALSE);
  out_bytes (o, reply + qtail, 4);

  while (walk_next (&w, &rec, &done))
    {
      guint8 name[HEARTH_DNS_NAME_MAX];
      gsize name_len, rec_start = o->pos, n_targets = o->n_targets;
      HearthDnsReader nr;

      if (mode == KEEP_OPT ? rec.type != HEARTH_DNS_TYPE_OPT : record_filtered (policy, q, reply, &rec))
        continue;
      hearth_dns_reader_init (&nr, reply, len);
      nr.pos = rec.start;
      if (!hearth_dns_reader_name (&nr, name, &name_len))
        return 0;
      out_name (o, name, name_len, rec.type != HEARTH_DNS_TYPE_OPT);
      /* type, class, TTL: the 8 bytes after the name */
      out_bytes (o, reply + nr.pos, 8);
      if (rec.type == HEARTH_DNS_TYPE_A && rec.rclass == HEARTH_DNS_CLASS_IN && rec.rdlength == 4 &&
          policy->aliases->len > 0)
        {
          guint32 v4 = get_u32 (reply + rec.rdata_pos);
          guint8 b[6];

          if (rec.section != SECTION_AUTHORITY)
            apply_alias (policy, &v4);
          b[0] = 0;
          b[1] = 4;
          b[2] = v4 >> 24;
          b[3] = (v4 >> 16) & 0xff;
          b[4] = (v4 >> 8) & 0xff;
          b[5] = v4 & 0xff;
          out_bytes (o, b, sizeof b);
        }
      else if (!out_rdata (o, reply, len, &rec))
        {
          /* Undo the record, and the targets it added. */
          o->pos = rec_start;
          o->n_targets = (guint) n_targets;
          continue;
        }
      counts[rec.section]++;
    }
  if (!done || o->failed)
    return 0;
  o->buf[6] = counts[0] >> 8;
  o->buf[7] = counts[0] & 0xff;
  o->buf[8] = counts[1] >> 8;
  o->buf[9] = counts[1] & 0xff;
  o->buf[10] = counts[2] >> 8;
  o->buf[11] = counts[2] & 0xff;
  return o->pos;
}

HearthDnsReplyVerdict
hearth_dns_policy_check_reply (const HearthDnsPolicy *policy, const HearthDnsQuestion *q, const guint8 *reply,
                               gsize len, guint8 *out, gsize out_size, gsize *out_len)
{
  Walk w;
  Record rec;
  gboolean done, bogus = FALSE, rebind = FALSE, changed = FALSE, aliased = FALSE;
  guint rcode;
  HearthDnsReplyVerdict verdict;
  KeepMode mode;
  guint16 flags;
  g_autofree Target *targets = NULL;
  Out o = { out, out_size, 0, FALSE, NULL, 0 };
  gsize n;

  *out_len = 0;
  if (!hearth_dns_policy_has_reply_rules (policy) || !walk_start (&w, reply, len))
    return HEARTH_DNS_REPLY_KEEP;
  if (w.flags & HEARTH_DNS_FLAG_TC)
    return HEARTH_DNS_REPLY_KEEP;
  rcode = w.flags & HEARTH_DNS_RCODE_MASK;

  while (walk_next (&w, &rec, &done))
    {
      HearthDnsAddr addr;
      gboolean filtered = record_filtered (policy, q, reply, &rec);
      gboolean is_loopback;

      if (filtered)
        changed = TRUE;
      if (rec.section == SECTION_AUTHORITY || !record_address (reply, &rec, &addr))
        continue;
      if (rec.section == SECTION_ADDITIONAL)
        {
          guint32 v4 = get_u32 (addr.bytes);

          /* Additional addresses are only aliased (as dnsmasq). */
          if (addr.family == AF_INET && !filtered && apply_alias (policy, &v4) && v4 != get_u32 (addr.bytes))
            changed = aliased = TRUE;
          continue;
        }
      /* Forged answers are recognised by the address as sent. */
      if (in_any_prefix (policy->ignore, &addr))
        return HEARTH_DNS_REPLY_IGNORE;
      if (addr.family == AF_INET)
        {
          guint32 v4 = get_u32 (addr.bytes), orig = v4;

          if (apply_alias (policy, &v4) && v4 != orig)
            {
              guint8 b[4] = { v4 >> 24, (v4 >> 16) & 0xff, (v4 >> 8) & 0xff, v4 & 0xff };

              if (!filtered)
                changed = aliased = TRUE;
              hearth_dns_addr_from_bytes (AF_INET, b, &addr);
            }
        }
      /* The rest see the address the client would get. Bogus-nxdomain
       * only turns a positive answer negative (as dnsmasq). */
      if (rcode == HEARTH_DNS_RCODE_NOERROR && in_any_prefix (policy->bogus, &addr))
        bogus = TRUE;
      /* Rebinding: every address in the answer section the client would
       * see, whatever the question type (dnsmasq checks only the chain of
       * an A/AAAA question, so an ANY query slipped through). */
      if (policy->stop_rebind && !filtered && hearth_dns_addr_is_private (&addr, &is_loopback) &&
          !(is_loopback && policy->rebind_localhost_ok))
        rebind = TRUE;
    }
  if (!done)
    return HEARTH_DNS_REPLY_KEEP; /* malformed: the caller's parser says so */
  if (rebind && rebind_allowed_for (policy, q))
    rebind = FALSE;

  flags = w.flags;
  if (bogus)
    {
      verdict = HEARTH_DNS_REPLY_NXDOMAIN;
      mode = KEEP_OPT;
      flags = (guint16) ((flags & ~(HEARTH_DNS_RCODE_MASK | HEARTH_DNS_FLAG_AA | HEARTH_DNS_FLAG_AD)) |
                         HEARTH_DNS_RCODE_NXDOMAIN);
    }
  else if (rebind)
    {
      verdict = HEARTH_DNS_REPLY_BLOCKED;
      mode = KEEP_OPT;
      flags &= (guint16) ~HEARTH_DNS_FLAG_AD;
    }
  else if (changed)
    {
      verdict = HEARTH_DNS_REPLY_REWRITTEN;
      mode = KEEP_ALL;
      /* Aliased data is no longer what was signed. */
      if (aliased)
        flags &= (guint16) ~HEARTH_DNS_FLAG_AD;
    }
  else
    return HEARTH_DNS_REPLY_KEEP;

  targets = g_new (Target, COMPRESS_MAX);
  o.targets = targets;
  n = write_reply (policy, q, reply, len, mode, flags, &o);
  if (n == 0)
    {
      /* Did not fit (or, impossibly, did not re-read): a bare SERVFAIL is
       * better than passing on what the policy would have changed. */
      Out e = { out, out_size, 0, FALSE, targets, 0 };

      n = write_reply (policy, q, reply, len, KEEP_OPT,
                       (guint16) ((w.flags & ~(HEARTH_DNS_RCODE_MASK | HEARTH_DNS_FLAG_AA | HEARTH_DNS_FLAG_AD)) |
                                  HEARTH_DNS_RCODE_SERVFAIL),
                       &e);
      if (n == 0)
        return HEARTH_DNS_REPLY_IGNORE; /* out cannot even hold the question */
      verdict = HEARTH_DNS_REPLY_REWRITTEN;
    }
  *out_len = n;
  return verdict;
}

