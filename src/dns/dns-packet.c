/* DNS wire format: reader, parsers and writers (see dns-packet.h).
 *
 * Hand-written because no maintained C library offers a bounds-checked,
 * allocation-free reader and writer of the shape the cache-hit path needs
 * (libldns and c-ares parse into heap trees). Everything is checked against
 * the remaining length; a compound read that fails leaves the reader where
 * it was.
 */
#include "config.h"

#include "dns/dns-packet.h"

#include <string.h>

/* Compression pointers we follow in one name before calling it a loop. */
#define MAX_POINTERS 64

void
hearth_dns_reader_init (HearthDnsReader *r, const guint8 *data, gsize size)
{
  r->data = data;
  r->size = size;
  r->pos = 0;
}

gboolean
hearth_dns_reader_u8 (HearthDnsReader *r, guint8 *out)
{
  if (r->size - r->pos < 1)
    return FALSE;
  *out = r->data[r->pos++];
  return TRUE;
}

gboolean
hearth_dns_reader_u16 (HearthDnsReader *r, guint16 *out)
{
  if (r->size - r->pos < 2)
    return FALSE;
  *out = (guint16) ((r->data[r->pos] << 8) | r->data[r->pos + 1]);
  r->pos += 2;
  return TRUE;
}

gboolean
hearth_dns_reader_u32 (HearthDnsReader *r, guint32 *out)
{
  const guint8 *p;

  if (r->size - r->pos < 4)
    return FALSE;
  p = r->data + r->pos;
  *out = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  r->pos += 4;
  return TRUE;
}

gboolean
hearth_dns_reader_skip (HearthDnsReader *r, gsize n)
{
  if (r->size - r->pos < n)
    return FALSE;
  r->pos += n;
  return TRUE;
}

gboolean
hearth_dns_reader_name (HearthDnsReader *r, guint8 *out, gsize *out_len)
{
  gsize pos = r->pos;
  gsize end_pos = 0; /* where the reader continues: after the first pointer or the root */
  gsize len = 0;
  guint pointers = 0;

  for (;;)
    {
      guint8 c;

      if (pos >= r->size)
        return FALSE;
      c = r->data[pos];
      if ((c & 0xc0) == 0xc0)
        {
          gsize target;

          if (r->size - pos < 2)
            return FALSE;
          target = ((gsize) (c & 0x3f) << 8) | r->data[pos + 1];
          /* Only backwards pointers: this alone rules out loops, the
           * counter is a second line of defence. */
          if (target >= pos || ++pointers > MAX_POINTERS)
            return FALSE;
          if (end_pos == 0)
            end_pos = pos + 2;
          pos = target;
          continue;
        }
      if ((c & 0xc0) != 0)
        return FALSE; /* 0x40 and 0x80 label types are obsolete (RFC 6891) */
      if (r->size - pos < (gsize) c + 1)
        return FALSE;
      if (len + c + 1 > HEARTH_DNS_NAME_MAX)
        return FALSE;
      if (out != NULL)
        memcpy (out + len, r->data + pos, (gsize) c + 1);
      len += (gsize) c + 1;
      pos += (gsize) c + 1;
      if (c == 0)
        break;
    }

  r->pos = end_pos != 0 ? end_pos : pos;
  if (out_len != NULL)
    *out_len = len;
  return TRUE;
}

static gboolean
read_header (HearthDnsReader *r, HearthDnsHeader *h)
{
  if (r->size - r->pos < HEARTH_DNS_HEADER_SIZE)
    return FALSE;
  hearth_dns_reader_u16 (r, &h->id);
  hearth_dns_reader_u16 (r, &h->flags);
  hearth_dns_reader_u16 (r, &h->qdcount);
  hearth_dns_reader_u16 (r, &h->ancount);
  hearth_dns_reader_u16 (r, &h->nscount);
  hearth_dns_reader_u16 (r, &h->arcount);
  return TRUE;
}

static gboolean
read_question (HearthDnsReader *r, HearthDnsQuestion *q)
{
  gsize start = r->pos;
  gsize len;

  if (!hearth_dns_reader_name (r, q->name, &len) || !hearth_dns_reader_u16 (r, &q->qtype) ||
      !hearth_dns_reader_u16 (r, &q->qclass))
    {
      r->pos = start;
      return FALSE;
    }
  q->name_len = (guint8) len;
  return TRUE;
}

void
hearth_dns_name_lower (guint8 *name, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (name[i] >= 'A' && name[i] <= 'Z')
      name[i] += 'a' - 'A';
}

gboolean
hearth_dns_name_equal (const guint8 *a, gsize a_len, const guint8 *b, gsize b_len)
{
  /* Label-length bytes are < 64, so they never fall in 'A'..'Z' and the
   * byte-wise ASCII fold is exact on wire-form names. */
  if (a_len != b_len)
    return FALSE;
  for (gsize i = 0; i < a_len; i++)
    if (g_ascii_tolower (a[i]) != g_ascii_tolower (b[i]))
      return FALSE;
  return TRUE;
}

const char *
hearth_dns_name_to_string (const guint8 *name, gsize len, char *buf, gsize buf_size)
{
  gsize pos = 0, out = 0;

  g_return_val_if_fail (buf_size >= 2, "");
  while (pos < len && name[pos] != 0)
    {
      guint8 l = name[pos++];

      if (out != 0 && out < buf_size - 1)
        buf[out++] = '.';
      for (guint i = 0; i < l && pos < len; i++, pos++)
        {
          guint8 c = name[pos];
          char esc[5];
          gsize n;

          if (c == '.' || c == '\\')
            n = (gsize) g_snprintf (esc, sizeof esc, "\\%c", c);
          else if (c <= 0x20 || c >= 0x7f)
            n = (gsize) g_snprintf (esc, sizeof esc, "\\%03u", c);
          else
            {
              esc[0] = (char) c;
              n = 1;
            }
          if (out + n >= buf_size)
            goto done;
          memcpy (buf + out, esc, n);
          out += n;
        }
    }
done:
  if (out == 0)
    buf[out++] = '.';
  buf[out] = '\0';
  return buf;
}

gboolean
hearth_dns_name_from_string (const char *text, guint8 *out, gsize *out_len)
{
  gsize len = 0;
  const char *p = text;

  if (g_strcmp0 (text, ".") == 0 || *text == '\0')
    {
      out[0] = 0;
      *out_len = 1;
      return TRUE;
    }
  while (*p != '\0')
    {
      const char *dot = strchr (p, '.');
      gsize l = dot != NULL ? (gsize) (dot - p) : strlen (p);

      if (l == 0 || l > 63 || len + l + 2 > HEARTH_DNS_NAME_MAX)
        return FALSE;
      out[len++] = (guint8) l;
      memcpy (out + len, p, l);
      len += l;
      p += l;
      if (*p == '.')
        p++;
    }
  out[len++] = 0;
  *out_len = len;
  return TRUE;
}

guint
hearth_dns_name_count_labels (const guint8 *name, gsize len)
{
  guint n = 0;

  for (gsize pos = 0; pos < len && name[pos] != 0; pos += (gsize) name[pos] + 1)
    n++;
  return n;
}

const char *
hearth_dns_type_to_string (guint16 type, char *buf, gsize buf_size)
{
  static const struct {
    guint16 type;
    const char *name;
  } names[] = {
    { HEARTH_DNS_TYPE_A, "A" },     { HEARTH_DNS_TYPE_NS, "NS" },       { HEARTH_DNS_TYPE_CNAME, "CNAME" },
    { HEARTH_DNS_TYPE_SOA, "SOA" }, { HEARTH_DNS_TYPE_PTR, "PTR" },     { HEARTH_DNS_TYPE_MX, "MX" },
    { HEARTH_DNS_TYPE_TXT, "TXT" }, { HEARTH_DNS_TYPE_AAAA, "AAAA" },   { HEARTH_DNS_TYPE_SRV, "SRV" },
    { 35, "NAPTR" },                { HEARTH_DNS_TYPE_OPT, "OPT" },     { 43, "DS" },
    { HEARTH_DNS_TYPE_RRSIG, "RRSIG" }, { 47, "NSEC" },                 { 48, "DNSKEY" },
    { 50, "NSEC3" },                { 64, "SVCB" },                     { 65, "HTTPS" },
    { 257, "CAA" },                 { HEARTH_DNS_TYPE_ANY, "ANY" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].type == type)
      return names[i].name;
  g_snprintf (buf, buf_size, "TYPE%u", type);
  return buf;
}

const char *
hearth_dns_rcode_to_string (guint rcode)
{
  static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

  return rcode < G_N_ELEMENTS (names) ? names[rcode] : "RCODE?";
}

/* Reads one resource record's fixed part after its name. */
typedef struct {
  guint16 type;
  guint16 rclass;
  gsize ttl_pos;
  guint32 ttl;
  gsize rdata_pos;
  guint16 rdlength;
} RecordInfo;

static gboolean
read_record (HearthDnsReader *r, RecordInfo *rec)
{
  gsize start = r->pos;

  if (!hearth_dns_reader_name (r, NULL, NULL) || !hearth_dns_reader_u16 (r, &rec->type) ||
      !hearth_dns_reader_u16 (r, &rec->rclass))
    goto fail;
  rec->ttl_pos = r->pos;
  if (!hearth_dns_reader_u32 (r, &rec->ttl) || !hearth_dns_reader_u16 (r, &rec->rdlength))
    goto fail;
  rec->rdata_pos = r->pos;
  if (!hearth_dns_reader_skip (r, rec->rdlength))
    goto fail;
  return TRUE;
fail:
  r->pos = start;
  return FALSE;
}

HearthDnsParseResult
hearth_dns_query_parse (const guint8 *data, gsize size, HearthDnsQuery *out)
{
  HearthDnsReader r;
  guint opcode;

  memset (out, 0, sizeof *out);
  hearth_dns_reader_init (&r, data, size);
  if (!read_header (&r, &out->header))
    return HEARTH_DNS_PARSE_DROP;
  if (out->header.flags & HEARTH_DNS_FLAG_QR)
    return HEARTH_DNS_PARSE_DROP;
  opcode = (out->header.flags & HEARTH_DNS_OPCODE_MASK) >> 11;
  if (opcode != 0)
    {
      /* Echo the question when it reads cleanly, as resolvers expect. */
      if (out->header.qdcount == 1)
        out->question_ok = read_question (&r, &out->question);
      return HEARTH_DNS_PARSE_NOTIMP;
    }
  if (out->header.qdcount != 1)
    return HEARTH_DNS_PARSE_FORMERR;
  if (!read_question (&r, &out->question))
    return HEARTH_DNS_PARSE_FORMERR;
  out->question_ok = TRUE;

  /* Answer and authority sections of a query are unusual but legal (e.g.
   * prerequisites in UPDATE); skip them to find the OPT record. */
  for (guint i = 0; i < (guint) out->header.ancount + out->header.nscount; i++)
    {
      RecordInfo rec;

      if (!read_record (&r, &rec))
        return HEARTH_DNS_PARSE_FORMERR;
    }
  for (guint i = 0; i < out->header.arcount; i++)
    {
      RecordInfo rec;
      gsize start = r.pos;

      if (!read_record (&r, &rec))
        return HEARTH_DNS_PARSE_FORMERR;
      if (rec.type != HEARTH_DNS_TYPE_OPT)
        continue;
      /* RFC 6891 6.1.1: one OPT, owner must be the root. */
      if (out->has_edns || data[start] != 0)
        return HEARTH_DNS_PARSE_FORMERR;
      out->has_edns = TRUE;
      out->edns_udp_size = rec.rclass;
      out->edns_version = (guint8) ((rec.ttl >> 16) & 0xff);
      out->edns_do = (rec.ttl & HEARTH_DNS_EDNS_DO) != 0;
    }
  return HEARTH_DNS_PARSE_OK;
}

gsize
hearth_dns_query_udp_limit (const HearthDnsQuery *query, guint16 max)
{
  gsize limit;

  if (!query->has_edns)
    return HEARTH_DNS_UDP_MIN;
  limit = MAX (query->edns_udp_size, HEARTH_DNS_UDP_MIN);
  return MIN (limit, MAX (max, HEARTH_DNS_UDP_MIN));
}

/* A tiny writer: every put checks space; once it fails, the writer stays
 * failed and the final length is 0. */
typedef struct {
  guint8 *buf;
  gsize size;
  gsize pos;
  gboolean failed;
} Writer;

static void
put_bytes (Writer *w, const void *p, gsize n)
{
  if (w->failed || w->size - w->pos < n)
    {
      w->failed = TRUE;
      return;
    }
  memcpy (w->buf + w->pos, p, n);
  w->pos += n;
}

static void
put_u16 (Writer *w, guint16 v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  put_bytes (w, b, 2);
}

static void
put_u32 (Writer *w, guint32 v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  put_bytes (w, b, 4);
}

static void
put_header (Writer *w, guint16 id, guint16 flags, guint16 qd, guint16 an, guint16 ns, guint16 ar)
{
  put_u16 (w, id);
  put_u16 (w, flags);
  put_u16 (w, qd);
  put_u16 (w, an);
  put_u16 (w, ns);
  put_u16 (w, ar);
}

static void
put_question (Writer *w, const HearthDnsQuestion *q)
{
  put_bytes (w, q->name, q->name_len);
  put_u16 (w, q->qtype);
  put_u16 (w, q->qclass);
}

static void
put_opt (Writer *w, guint16 udp_size, gboolean dnssec_ok)
{
  guint8 root = 0;

  put_bytes (w, &root, 1);
  put_u16 (w, HEARTH_DNS_TYPE_OPT);
  put_u16 (w, udp_size);
  put_u32 (w, dnssec_ok ? HEARTH_DNS_EDNS_DO : 0);
  put_u16 (w, 0);
}

static gsize
writer_finish (Writer *w)
{
  return w->failed ? 0 : w->pos;
}

/* Reply flags common to every answer to a client: QR, RA, and the client's
 * RD and CD copied. */
static guint16
reply_flags (const HearthDnsQuery *query, guint rcode)
{
  return HEARTH_DNS_FLAG_QR | HEARTH_DNS_FLAG_RA | (query->header.flags & (HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_CD)) |
         (query->header.flags & HEARTH_DNS_OPCODE_MASK) | (rcode & HEARTH_DNS_RCODE_MASK);
}

gsize
hearth_dns_write_error (const HearthDnsQuery *query, guint rcode, gboolean authoritative, guint16 edns_udp_size,
                        guint8 *buf, gsize buf_size)
{
  Writer w = { buf, buf_size, 0, FALSE };
  guint16 flags = reply_flags (query, rcode);

  if (authoritative)
    flags |= HEARTH_DNS_FLAG_AA;
  put_header (&w, query->header.id, flags, query->question_ok ? 1 : 0, 0, 0, query->has_edns ? 1 : 0);
  if (query->question_ok)
    put_question (&w, &query->question);
  if (query->has_edns)
    put_opt (&w, edns_udp_size, query->edns_do);
  return writer_finish (&w);
}

gsize
hearth_dns_write_upstream_query (guint16 id, guint16 flags, const HearthDnsQuestion *q, gboolean dnssec_ok,
                                 guint16 edns_udp_size, guint8 *buf, gsize buf_size)
{
  Writer w = { buf, buf_size, 0, FALSE };

  put_header (&w, id, flags & (HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_CD | HEARTH_DNS_FLAG_AD), 1, 0, 0, 1);
  put_question (&w, q);
  put_opt (&w, edns_udp_size, dnssec_ok);
  return writer_finish (&w);
}

static guint32
read_u32_at (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
write_u32_at (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}

static void
write_u16_at (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

/* RFC 2181 8: a TTL with the top bit set is treated as zero. */
static guint32
sane_ttl (guint32 ttl)
{
  return (ttl & 0x80000000u) ? 0 : ttl;
}

HearthDnsReplyResult
hearth_dns_answer_new_from_reply (const guint8 *data, gsize size, guint16 id, const HearthDnsQuestion *q,
                                  HearthDnsAnswer **out_answer)
{
  HearthDnsReader r;
  HearthDnsHeader h;
  HearthDnsQuestion rq;
  gsize rrs_start, rrs_end = 0;
  guint total, n_ttls = 0, opt_index = G_MAXUINT;
  guint32 min_ttl = G_MAXUINT32;
  gboolean has_soa = FALSE, answers_question = FALSE, after_opt = FALSE;
  guint32 soa_neg_ttl = 0;
  gsize soa_ttl_pos = 0;
  guint rcode;
  HearthDnsAnswer *answer;
  guint8 *block;
  gsize offsets_size;

  hearth_dns_reader_init (&r, data, size);
  if (!read_header (&r, &h))
    return HEARTH_DNS_REPLY_MALFORMED;
  if (h.id != id || !(h.flags & HEARTH_DNS_FLAG_QR) || (h.flags & HEARTH_DNS_OPCODE_MASK) != 0 || h.qdcount != 1)
    return HEARTH_DNS_REPLY_MISMATCH;
  if (!read_question (&r, &rq))
    return HEARTH_DNS_REPLY_MALFORMED;
  if (rq.qtype != q->qtype || rq.qclass != q->qclass || !hearth_dns_name_equal (rq.name, rq.name_len, q->name, q->name_len))
    return HEARTH_DNS_REPLY_MISMATCH;
  /* The question name sits at offset 12 and cannot hold a pointer (there is
   * nothing before it), so it has exactly the client's length. */
  if (r.pos != HEARTH_DNS_HEADER_SIZE + (gsize) q->name_len + 4)
    return HEARTH_DNS_REPLY_MALFORMED;
  if (h.flags & HEARTH_DNS_FLAG_TC)
    return HEARTH_DNS_REPLY_TRUNCATED;

  rcode = h.flags & HEARTH_DNS_RCODE_MASK;
  rrs_start = r.pos;
  total = (guint) h.ancount + h.nscount + h.arcount;
  for (guint i = 0; i < total; i++)
    {
      RecordInfo rec;

      if (!read_record (&r, &rec))
        return HEARTH_DNS_REPLY_MALFORMED;
      if (rec.type == HEARTH_DNS_TYPE_OPT)
        {
          if (i < (guint) h.ancount + h.nscount || opt_index != G_MAXUINT)
            return HEARTH_DNS_REPLY_MALFORMED;
          opt_index = i;
          continue;
        }
      /* A record after OPT: relayed, not cached (the layout would shift);
       * the rest is still read, so a second OPT is caught as malformed. */
      if (opt_index != G_MAXUINT)
        {
          after_opt = TRUE;
          continue;
        }
      rrs_end = r.pos;
      n_ttls++;
      min_ttl = MIN (min_ttl, sane_ttl (rec.ttl));
      if (i < h.ancount)
        {
          /* Any answer record counts (a CNAME chain answers the question too). */
          if (rec.rclass == q->qclass)
            answers_question = TRUE;
        }
      else if (i < (guint) h.ancount + h.nscount && rec.type == HEARTH_DNS_TYPE_SOA && !has_soa)
        {
          HearthDnsReader rd;
          guint32 minimum;

          /* SOA rdata: mname, rname, serial, refresh, retry, expire, minimum. */
          hearth_dns_reader_init (&rd, data, rec.rdata_pos + rec.rdlength);
          rd.pos = rec.rdata_pos;
          if (!hearth_dns_reader_name (&rd, NULL, NULL) || !hearth_dns_reader_name (&rd, NULL, NULL) ||
              !hearth_dns_reader_skip (&rd, 16) || !hearth_dns_reader_u32 (&rd, &minimum))
            return HEARTH_DNS_REPLY_MALFORMED;
          has_soa = TRUE;
          soa_ttl_pos = rec.ttl_pos;
          soa_neg_ttl = MIN (sane_ttl (rec.ttl), sane_ttl (minimum));
        }
    }
  if (after_opt)
    return HEARTH_DNS_REPLY_UNCACHEABLE;
  if (rrs_end == 0)
    rrs_end = rrs_start;

  offsets_size = (gsize) n_ttls * sizeof (guint16);
  block = g_malloc (sizeof (HearthDnsAnswer) + offsets_size + (rrs_end - rrs_start));
  answer = (HearthDnsAnswer *) block;
  memset (answer, 0, sizeof *answer);
  answer->ttl_offsets = (guint16 *) (block + sizeof (HearthDnsAnswer));
  answer->rrs = block + sizeof (HearthDnsAnswer) + offsets_size;
  answer->rrs_len = rrs_end - rrs_start;
  memcpy (answer->rrs, data + rrs_start, answer->rrs_len);
  answer->rcode = (guint8) rcode;
  answer->flags = h.flags & (HEARTH_DNS_FLAG_AD | HEARTH_DNS_FLAG_CD);
  answer->ancount = h.ancount;
  answer->nscount = h.nscount;
  answer->arcount = (guint16) (h.arcount - (opt_index != G_MAXUINT ? 1 : 0));
  answer->qname_len = q->name_len;
  answer->negative = rcode == HEARTH_DNS_RCODE_NXDOMAIN || (rcode == HEARTH_DNS_RCODE_NOERROR && !answers_question);
  answer->has_soa = has_soa;

  /* Second pass for the TTL offsets: cheap, and keeps the first pass free
   * of allocation decisions. */
  hearth_dns_reader_init (&r, data, rrs_end);
  r.pos = rrs_start;
  while (r.pos < rrs_end)
    {
      RecordInfo rec;

      if (!read_record (&r, &rec))
        break; /* cannot happen: the first pass read the same bytes */
      if (rec.type == HEARTH_DNS_TYPE_OPT)
        continue;
      answer->ttl_offsets[answer->n_ttls++] = (guint16) (rec.ttl_pos - rrs_start);
      /* Normalise TTLs once so replay never sees the top bit. */
      write_u32_at (answer->rrs + (rec.ttl_pos - rrs_start), sane_ttl (rec.ttl));
    }

  if (answer->negative && has_soa)
    {
      /* RFC 2308 3: the negative TTL is min(SOA TTL, SOA minimum); give the
       * SOA record that TTL so clients count down the right value. */
      write_u32_at (answer->rrs + (soa_ttl_pos - rrs_start), soa_neg_ttl);
      answer->ttl = soa_neg_ttl;
      for (guint i = 0; i < answer->n_ttls; i++)
        answer->ttl = MIN (answer->ttl, read_u32_at (answer->rrs + answer->ttl_offsets[i]));
    }
  else
    answer->ttl = n_ttls > 0 ? min_ttl : 0;

  *out_answer = answer;
  return HEARTH_DNS_REPLY_OK;
}

void
hearth_dns_answer_free (HearthDnsAnswer *answer)
{
  g_free (answer);
}

gsize
hearth_dns_answer_memory_size (const HearthDnsAnswer *answer)
{
  return sizeof (HearthDnsAnswer) + answer->n_ttls * sizeof (guint16) + answer->rrs_len;
}

static void
reverse_bytes (guint8 *p, gsize n)
{
  for (gsize i = 0; i < n / 2; i++)
    {
      guint8 t = p[i];

      p[i] = p[n - 1 - i];
      p[n - 1 - i] = t;
    }
}

/* Round robin: rotates the answer section by `by` records, in place, when
 * that is safe without re-encoding: every answer record an A or AAAA with
 * the same owner bytes and length. Then the owners (which later names may
 * point into) stay where they were, and nothing points into addresses. */
static void
rotate_answers (const HearthDnsAnswer *answer, guint8 *rrs, guint by)
{
  guint n = answer->ancount;
  gsize first_ttl, rec_len, owner_len;

  if (answer->n_ttls < n)
    return;
  first_ttl = answer->ttl_offsets[0];
  if (first_ttl < 4)
    return;
  owner_len = first_ttl - 4; /* owner name, then type and class before the TTL */
  rec_len = first_ttl + 4 + 2 + (((gsize) rrs[first_ttl + 4] << 8) | rrs[first_ttl + 5]);
  if ((gsize) n * rec_len > answer->rrs_len)
    return;
  for (guint i = 0; i < n; i++)
    {
      const guint8 *rec = rrs + (gsize) i * rec_len;
      guint16 type = (guint16) ((rec[owner_len] << 8) | rec[owner_len + 1]);

      if (answer->ttl_offsets[i] != (gsize) i * rec_len + first_ttl ||
          (type != HEARTH_DNS_TYPE_A && type != HEARTH_DNS_TYPE_AAAA) ||
          (((gsize) rec[first_ttl + 4] << 8) | rec[first_ttl + 5]) != rec_len - first_ttl - 6 ||
          memcmp (rec, rrs, first_ttl) != 0)
        return;
    }
  by %= n;
  if (by == 0)
    return;
  /* Rotate left by `by` records: three reversals. */
  reverse_bytes (rrs, (gsize) by * rec_len);
  reverse_bytes (rrs + (gsize) by * rec_len, (gsize) (n - by) * rec_len);
  reverse_bytes (rrs, (gsize) n * rec_len);
}

gsize
hearth_dns_answer_write (const HearthDnsAnswer *answer, const HearthDnsQuery *query,
                         const HearthDnsReplyParams *params, guint8 *buf, gsize buf_size)
{
  Writer w = { buf, buf_size, 0, FALSE };
  guint16 flags = reply_flags (query, answer->rcode);
  gsize opt_len = query->has_edns ? 11 : 0;
  gsize full, rrs_pos;

  if (params->proxy_dnssec)
    flags |= answer->flags & HEARTH_DNS_FLAG_AD;

  /* The records' compression offsets assume a question name of the same
   * length at offset 12; a different length means a broken caller. */
  g_return_val_if_fail (query->question.name_len == answer->qname_len, 0);

  full = HEARTH_DNS_HEADER_SIZE + query->question.name_len + 4 + answer->rrs_len + opt_len;
  if (full > params->limit)
    {
      /* Does not fit: TC and no records; the client retries over TCP
       * (RFC 2181 9 allows dropping whole sections). */
      put_header (&w, query->header.id, flags | HEARTH_DNS_FLAG_TC, 1, 0, 0, query->has_edns ? 1 : 0);
      put_question (&w, &query->question);
      if (query->has_edns)
        put_opt (&w, params->edns_udp_size, query->edns_do);
      return writer_finish (&w);
    }

  put_header (&w, query->header.id, flags, 1, answer->ancount, answer->nscount,
              (guint16) (answer->arcount + (query->has_edns ? 1 : 0)));
  put_question (&w, &query->question);
  rrs_pos = w.pos;
  put_bytes (&w, answer->rrs, answer->rrs_len);
  if (w.failed)
    return 0;
  for (guint i = 0; i < answer->n_ttls; i++)
    {
      guint8 *p = buf + rrs_pos + answer->ttl_offsets[i];
      guint32 ttl = read_u32_at (p);

      ttl = ttl > params->elapsed ? ttl - params->elapsed : 0;
      if (params->max_ttl != 0 && ttl > params->max_ttl)
        ttl = params->max_ttl;
      write_u32_at (p, ttl);
    }
  if (params->rotate != 0 && answer->ancount >= 2)
    rotate_answers (answer, buf + rrs_pos, params->rotate);
  if (query->has_edns)
    put_opt (&w, params->edns_udp_size, query->edns_do);
  return writer_finish (&w);
}

/* ---- replies built from local records ---- */

void
hearth_dns_reply_writer_init (HearthDnsReplyWriter *w, const HearthDnsQuery *query, guint rcode,
                              gboolean authoritative, gsize limit, guint8 *buf, gsize size)
{
  Writer inner = { buf, size, 0, FALSE };
  guint16 flags = reply_flags (query, rcode);

  if (authoritative)
    flags |= HEARTH_DNS_FLAG_AA;
  memset (w, 0, sizeof *w);
  w->buf = buf;
  w->size = size;
  w->query = query;
  /* Room for the OPT record is kept out of the limit from the start. */
  w->limit = MIN (limit, size);
  if (query->has_edns)
    w->limit = w->limit > 11 ? w->limit - 11 : 0;
  put_header (&inner, query->header.id, flags, 1, 0, 0, 0);
  put_question (&inner, &query->question);
  w->failed = inner.failed || inner.pos > w->limit;
  w->pos = inner.pos;
}

void
hearth_dns_reply_writer_set_rcode (HearthDnsReplyWriter *w, guint rcode)
{
  if (w->failed)
    return;
  w->buf[3] = (guint8) ((w->buf[3] & ~HEARTH_DNS_RCODE_MASK) | (rcode & HEARTH_DNS_RCODE_MASK));
}

void
hearth_dns_reply_writer_add (HearthDnsReplyWriter *w, gboolean authority, const guint8 *name, gsize name_len,
                             guint16 type, guint16 rclass, guint32 ttl, const guint8 *rdata, gsize rdlength)
{
  Writer inner = { w->buf, w->limit, w->pos, FALSE };
  const HearthDnsQuestion *q = &w->query->question;

  if (w->failed || w->truncated || rdlength > G_MAXUINT16)
    return;
  if (hearth_dns_name_equal (name, name_len, q->name, q->name_len))
    {
      guint8 pointer[2] = { 0xc0, HEARTH_DNS_HEADER_SIZE };

      put_bytes (&inner, pointer, 2);
    }
  else
    put_bytes (&inner, name, name_len);
  put_u16 (&inner, type);
  put_u16 (&inner, rclass);
  put_u32 (&inner, ttl);
  put_u16 (&inner, (guint16) rdlength);
  put_bytes (&inner, rdata, rdlength);
  if (inner.failed)
    {
      /* RFC 2181 9: a partial RRset is worse than none; the client retries
       * over TCP. */
      w->truncated = TRUE;
      return;
    }
  w->pos = inner.pos;
  if (authority)
    w->nscount++;
  else
    w->ancount++;
}

gsize
hearth_dns_reply_writer_finish (HearthDnsReplyWriter *w, guint16 edns_udp_size)
{
  Writer inner = { w->buf, w->size, w->pos, FALSE };

  if (w->failed)
    return 0;
  if (w->truncated)
    {
      inner.pos = HEARTH_DNS_HEADER_SIZE + (gsize) w->query->question.name_len + 4;
      w->ancount = w->nscount = 0;
      w->buf[2] |= HEARTH_DNS_FLAG_TC >> 8;
    }
  write_u16_at (w->buf + 6, w->ancount);
  write_u16_at (w->buf + 8, w->nscount);
  if (w->query->has_edns)
    {
      write_u16_at (w->buf + 10, 1);
      put_opt (&inner, edns_udp_size, w->query->edns_do);
    }
  return writer_finish (&inner);
}
