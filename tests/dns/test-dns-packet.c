/* Unit tests of the DNS wire code: the bounds-checked reader, name
 * compression, query parsing (including malformed input), reply checks and
 * the replayable answer, and the writers.
 */
#include "config.h"

#include "dns/dns-packet.h"

#include <string.h>

/* A tiny message builder for the tests, independent of the code under
 * test. */
typedef struct {
  guint8 b[4096];
  gsize n;
} Msg;

static void
m_u8 (Msg *m, guint8 v)
{
  g_assert_cmpuint (m->n, <, sizeof m->b);
  m->b[m->n++] = v;
}

static void
m_u16 (Msg *m, guint16 v)
{
  m_u8 (m, v >> 8);
  m_u8 (m, v & 0xff);
}

static void
m_u32 (Msg *m, guint32 v)
{
  m_u16 (m, v >> 16);
  m_u16 (m, v & 0xffff);
}

static void
m_name (Msg *m, const char *dotted)
{
  g_auto (GStrv) labels = g_strsplit (dotted, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize l = strlen (labels[i]);

      if (l == 0)
        continue;
      m_u8 (m, (guint8) l);
      memcpy (m->b + m->n, labels[i], l);
      m->n += l;
    }
  m_u8 (m, 0);
}

static void
m_header (Msg *m, guint16 id, guint16 flags, guint16 qd, guint16 an, guint16 ns, guint16 ar)
{
  m_u16 (m, id);
  m_u16 (m, flags);
  m_u16 (m, qd);
  m_u16 (m, an);
  m_u16 (m, ns);
  m_u16 (m, ar);
}

static void
m_opt (Msg *m, guint16 size, gboolean dnssec_ok)
{
  m_u8 (m, 0);
  m_u16 (m, HEARTH_DNS_TYPE_OPT);
  m_u16 (m, size);
  m_u32 (m, dnssec_ok ? 0x8000 : 0);
  m_u16 (m, 0);
}

static void
make_query (Msg *m, guint16 id, const char *name, guint16 type, gboolean edns, gboolean dnssec_ok)
{
  m->n = 0;
  m_header (m, id, HEARTH_DNS_FLAG_RD, 1, 0, 0, edns ? 1 : 0);
  m_name (m, name);
  m_u16 (m, type);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
  if (edns)
    m_opt (m, 4096, dnssec_ok);
}

/* A reply to "www.Example.com A": a CNAME pointing into the question, an A
 * record whose owner is a compression pointer, an OPT. */
static void
make_reply (Msg *m, guint16 id, const char *qname, guint32 ttl1, guint32 ttl2)
{
  gsize target_pos;

  m->n = 0;
  m_header (m, id, HEARTH_DNS_FLAG_QR | HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_RA | HEARTH_DNS_FLAG_AA |
                 HEARTH_DNS_FLAG_AD,
            1, 2, 0, 1);
  m_name (m, qname);
  m_u16 (m, HEARTH_DNS_TYPE_A);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
  /* CNAME: owner = pointer to the question name (offset 12) */
  m_u16 (m, 0xc00c);
  m_u16 (m, HEARTH_DNS_TYPE_CNAME);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
  m_u32 (m, ttl1);
  m_u16 (m, 6);
  target_pos = m->n;
  m_u8 (m, 3);
  memcpy (m->b + m->n, "web", 3);
  m->n += 3;
  m_u16 (m, 0xc010); /* "example.com" inside the question (12 + 4) */
  /* A: owner = pointer to the CNAME target */
  m_u16 (m, (guint16) (0xc000 | target_pos));
  m_u16 (m, HEARTH_DNS_TYPE_A);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
  m_u32 (m, ttl2);
  m_u16 (m, 4);
  m_u32 (m, 0xc0000201);
  m_opt (m, 1232, FALSE);
}

static void
question_of (const char *name, guint16 type, HearthDnsQuestion *q)
{
  gsize len;

  memset (q, 0, sizeof *q);
  g_assert_true (hearth_dns_name_from_string (name, q->name, &len));
  q->name_len = (guint8) len;
  q->qtype = type;
  q->qclass = HEARTH_DNS_CLASS_IN;
}

static void
test_reader_bounds (void)
{
  const guint8 data[] = { 0x12, 0x34, 0x56 };
  HearthDnsReader r;
  guint16 v16;
  guint32 v32;
  guint8 v8;

  hearth_dns_reader_init (&r, data, sizeof data);
  g_assert_false (hearth_dns_reader_u32 (&r, &v32));
  g_assert_cmpuint (r.pos, ==, 0); /* failed reads do not move */
  g_assert_true (hearth_dns_reader_u16 (&r, &v16));
  g_assert_cmphex (v16, ==, 0x1234);
  g_assert_false (hearth_dns_reader_u16 (&r, &v16));
  g_assert_true (hearth_dns_reader_u8 (&r, &v8));
  g_assert_cmphex (v8, ==, 0x56);
  g_assert_false (hearth_dns_reader_u8 (&r, &v8));
  g_assert_false (hearth_dns_reader_skip (&r, 1));
  g_assert_true (hearth_dns_reader_skip (&r, 0));
}

static void
test_name_compression (void)
{
  /* "a.b" at 0, then "c" + pointer to 0 at 5 */
  const guint8 data[] = { 1, 'a', 1, 'b', 0, 1, 'c', 0xc0, 0x00 };
  guint8 out[HEARTH_DNS_NAME_MAX];
  gsize len;
  char buf[64];
  HearthDnsReader r;

  hearth_dns_reader_init (&r, data, sizeof data);
  r.pos = 5;
  g_assert_true (hearth_dns_reader_name (&r, out, &len));
  g_assert_cmpuint (r.pos, ==, sizeof data); /* continues after the pointer */
  g_assert_cmpuint (len, ==, 7);
  g_assert_cmpstr (hearth_dns_name_to_string (out, len, buf, sizeof buf), ==, "c.a.b");
}

static void
test_name_bad (void)
{
  guint8 out[HEARTH_DNS_NAME_MAX];
  HearthDnsReader r;

  /* pointer to itself */
  {
    const guint8 loop[] = { 0xc0, 0x00 };

    hearth_dns_reader_init (&r, loop, sizeof loop);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
  }
  /* forward pointer */
  {
    const guint8 fwd[] = { 0xc0, 0x02, 0 };

    hearth_dns_reader_init (&r, fwd, sizeof fwd);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
  }
  /* two pointers forming a loop: 0 -> 3 is forward, so rejected; and a
   * backwards chain that loops cannot be built */
  {
    const guint8 chain[] = { 1, 'a', 0xc0, 0x02 };

    hearth_dns_reader_init (&r, chain, sizeof chain);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
  }
  /* label runs past the end */
  {
    const guint8 trunc[] = { 5, 'a', 'b' };

    hearth_dns_reader_init (&r, trunc, sizeof trunc);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
    g_assert_cmpuint (r.pos, ==, 0);
  }
  /* reserved label type 0x40 */
  {
    const guint8 ext[] = { 0x41, 'a', 0 };

    hearth_dns_reader_init (&r, ext, sizeof ext);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
  }
  /* name longer than 255 bytes */
  {
    guint8 big[300];
    gsize pos = 0;

    while (pos + 64 < sizeof big - 1)
      {
        big[pos] = 63;
        memset (big + pos + 1, 'x', 63);
        pos += 64;
      }
    big[pos] = 0;
    hearth_dns_reader_init (&r, big, pos + 1);
    g_assert_false (hearth_dns_reader_name (&r, out, NULL));
  }
}

static void
test_name_helpers (void)
{
  guint8 a[HEARTH_DNS_NAME_MAX], b[HEARTH_DNS_NAME_MAX];
  gsize al, bl;
  char buf[64];

  g_assert_true (hearth_dns_name_from_string ("WWW.Example.COM", a, &al));
  g_assert_true (hearth_dns_name_from_string ("www.example.com.", b, &bl));
  g_assert_true (hearth_dns_name_equal (a, al, b, bl));
  hearth_dns_name_lower (a, al);
  g_assert_cmpmem (a, al, b, bl);
  g_assert_cmpuint (hearth_dns_name_count_labels (a, al), ==, 3);
  g_assert_false (hearth_dns_name_from_string ("a..b", a, &al));
  g_assert_true (hearth_dns_name_from_string (".", a, &al));
  g_assert_cmpuint (al, ==, 1);
  g_assert_cmpstr (hearth_dns_name_to_string (a, al, buf, sizeof buf), ==, ".");
  /* a label with a dot and a binary byte is escaped */
  {
    const guint8 odd[] = { 3, 'a', '.', 0x01, 0 };

    g_assert_cmpstr (hearth_dns_name_to_string (odd, sizeof odd, buf, sizeof buf), ==, "a\\.\\001");
  }
  /* a NUL byte inside a label does not end the comparison early */
  {
    const guint8 x[] = { 2, 'a', 0, 1, 'x', 0 };
    const guint8 y[] = { 2, 'a', 0, 1, 'y', 0 };

    g_assert_false (hearth_dns_name_equal (x, sizeof x, y, sizeof y));
  }
}

static void
test_query_parse_ok (void)
{
  Msg m;
  HearthDnsQuery q;

  make_query (&m, 0xbeef, "Example.COM", HEARTH_DNS_TYPE_AAAA, TRUE, TRUE);
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_OK);
  g_assert_cmphex (q.header.id, ==, 0xbeef);
  g_assert_cmpuint (q.question.qtype, ==, HEARTH_DNS_TYPE_AAAA);
  g_assert_true (q.has_edns);
  g_assert_true (q.edns_do);
  g_assert_cmpuint (q.edns_udp_size, ==, 4096);
  g_assert_cmpmem (q.question.name, q.question.name_len, m.b + 12, 13); /* case kept */
  g_assert_cmpuint (hearth_dns_query_udp_limit (&q, 1232), ==, 1232);

  make_query (&m, 1, "example.com", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_OK);
  g_assert_false (q.has_edns);
  g_assert_cmpuint (hearth_dns_query_udp_limit (&q, 1232), ==, 512);
}

static void
test_query_parse_bad (void)
{
  Msg m;
  HearthDnsQuery q;

  /* shorter than a header: dropped */
  make_query (&m, 7, "a.b", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  g_assert_cmpint (hearth_dns_query_parse (m.b, 11, &q), ==, HEARTH_DNS_PARSE_DROP);
  /* a response: dropped */
  m.b[2] |= 0x80;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_DROP);
  /* truncated question: FORMERR, with the ID known */
  make_query (&m, 7, "a.b", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n - 3, &q), ==, HEARTH_DNS_PARSE_FORMERR);
  g_assert_cmpuint (q.header.id, ==, 7);
  g_assert_false (q.question_ok);
  /* QDCOUNT 0 and 2 */
  m.b[5] = 0;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_FORMERR);
  m.b[5] = 2;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_FORMERR);
  /* opcode STATUS (2): NOTIMP, question still echoed */
  make_query (&m, 9, "a.b", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  m.b[2] |= 2 << 3;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_NOTIMP);
  g_assert_true (q.question_ok);
  /* ARCOUNT claims a record that is not there */
  make_query (&m, 9, "a.b", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  m.b[11] = 1;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_FORMERR);
  /* two OPT records */
  make_query (&m, 9, "a.b", HEARTH_DNS_TYPE_A, TRUE, FALSE);
  m_opt (&m, 512, FALSE);
  m.b[11] = 2;
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_FORMERR);
}

static void
test_write_error (void)
{
  Msg m;
  HearthDnsQuery q;
  guint8 out[512];
  gsize n;
  HearthDnsQuery back;

  make_query (&m, 0x4242, "Mixed.Case", HEARTH_DNS_TYPE_A, TRUE, TRUE);
  g_assert_cmpint (hearth_dns_query_parse (m.b, m.n, &q), ==, HEARTH_DNS_PARSE_OK);
  n = hearth_dns_write_error (&q, HEARTH_DNS_RCODE_SERVFAIL, FALSE, 1232, out, sizeof out);
  g_assert_cmpuint (n, >, 12);
  g_assert_cmphex (out[0] << 8 | out[1], ==, 0x4242);
  g_assert_cmphex (out[3] & 0x0f, ==, HEARTH_DNS_RCODE_SERVFAIL);
  g_assert_true (out[2] & 0x80);         /* QR */
  g_assert_true (out[2] & 0x01);         /* RD copied */
  g_assert_false (out[2] & 0x04);        /* no AA */
  g_assert_cmpmem (out + 12, q.question.name_len, m.b + 12, q.question.name_len);
  /* and it parses back as a message with one question and an OPT */
  out[2] &= 0x7f;
  g_assert_cmpint (hearth_dns_query_parse (out, n, &back), ==, HEARTH_DNS_PARSE_OK);
  g_assert_true (back.has_edns);
  g_assert_true (back.edns_do);
  /* too small a buffer */
  g_assert_cmpuint (hearth_dns_write_error (&q, 2, FALSE, 1232, out, 12), ==, 0);
}

static void
test_upstream_query (void)
{
  HearthDnsQuestion question;
  HearthDnsQuery q;
  guint8 out[512];
  gsize n;

  question_of ("example.org", HEARTH_DNS_TYPE_MX, &question);
  n = hearth_dns_write_upstream_query (0x1111, HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_AA, &question, TRUE, 1232, out,
                                       sizeof out);
  g_assert_cmpuint (n, ==, 12 + 13 + 4 + 11);
  g_assert_cmpint (hearth_dns_query_parse (out, n, &q), ==, HEARTH_DNS_PARSE_OK);
  g_assert_cmphex (q.header.flags, ==, HEARTH_DNS_FLAG_RD); /* AA never sent */
  g_assert_cmpuint (q.edns_udp_size, ==, 1232);
  g_assert_true (q.edns_do);
}

static void
test_reply_checks (void)
{
  Msg m;
  HearthDnsQuestion question;
  HearthDnsAnswer *answer = NULL;

  question_of ("www.example.com", HEARTH_DNS_TYPE_A, &question);
  make_reply (&m, 0x2222, "www.example.com", 300, 60);
  /* wrong ID */
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x2223, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MISMATCH);
  /* wrong question (type) */
  question.qtype = HEARTH_DNS_TYPE_AAAA;
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x2222, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MISMATCH);
  /* wrong question (name) */
  question_of ("www.example.net", HEARTH_DNS_TYPE_A, &question);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x2222, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MISMATCH);
  /* not a response */
  question_of ("www.example.com", HEARTH_DNS_TYPE_A, &question);
  m.b[2] &= 0x7f;
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x2222, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MISMATCH);
  m.b[2] |= 0x80;
  /* truncated in the middle of a record */
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n - 15, 0x2222, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MALFORMED);
  /* TC */
  m.b[2] |= 0x02;
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x2222, &question, &answer), ==,
                   HEARTH_DNS_REPLY_TRUNCATED);
  g_assert_null (answer);
}

static void
test_answer_replay (void)
{
  Msg m, cq;
  HearthDnsQuestion question;
  g_autoptr (HearthDnsAnswer) answer = NULL;
  HearthDnsQuery client;
  HearthDnsReplyParams params = { .elapsed = 10, .max_ttl = 0, .proxy_dnssec = FALSE, .edns_udp_size = 1232,
                                  .limit = 512 };
  guint8 out[1024];
  gsize n;
  HearthDnsReader r;
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize name_len;
  char buf[300];
  guint16 type, cls, rdlen;
  guint32 ttl;

  question_of ("www.example.com", HEARTH_DNS_TYPE_A, &question);
  make_reply (&m, 0x3333, "WWW.example.com", 300, 60);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x3333, &question, &answer), ==,
                   HEARTH_DNS_REPLY_OK);
  g_assert_cmpuint (answer->ancount, ==, 2);
  g_assert_cmpuint (answer->arcount, ==, 0); /* OPT dropped */
  g_assert_cmpuint (answer->ttl, ==, 60);
  g_assert_false (answer->negative);
  g_assert_cmpuint (answer->n_ttls, ==, 2);

  /* a client asking in its own case, without EDNS */
  make_query (&cq, 0x7777, "wWw.ExAmPlE.cOm", HEARTH_DNS_TYPE_A, FALSE, FALSE);
  g_assert_cmpint (hearth_dns_query_parse (cq.b, cq.n, &client), ==, HEARTH_DNS_PARSE_OK);
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmphex (out[0] << 8 | out[1], ==, 0x7777);
  g_assert_false (out[2] & 0x04); /* AA not relayed */
  g_assert_false (out[3] & 0x20); /* AD cleared without proxy-dnssec */
  g_assert_cmpuint (out[11], ==, 0); /* no OPT for a client without EDNS */
  g_assert_cmpmem (out + 12, client.question.name_len, cq.b + 12, client.question.name_len);

  /* walk the records: the CNAME owner (a pointer to the question) reads in
   * the client's case; TTLs are counted down by 10 */
  hearth_dns_reader_init (&r, out, n);
  r.pos = 12;
  g_assert_true (hearth_dns_reader_name (&r, NULL, NULL));
  g_assert_true (hearth_dns_reader_skip (&r, 4));
  g_assert_true (hearth_dns_reader_name (&r, name, &name_len));
  g_assert_cmpstr (hearth_dns_name_to_string (name, name_len, buf, sizeof buf), ==, "wWw.ExAmPlE.cOm");
  g_assert_true (hearth_dns_reader_u16 (&r, &type) && hearth_dns_reader_u16 (&r, &cls) &&
                 hearth_dns_reader_u32 (&r, &ttl) && hearth_dns_reader_u16 (&r, &rdlen));
  g_assert_cmpuint (type, ==, HEARTH_DNS_TYPE_CNAME);
  g_assert_cmpuint (ttl, ==, 290);
  g_assert_true (hearth_dns_reader_name (&r, name, &name_len));
  g_assert_cmpstr (hearth_dns_name_to_string (name, name_len, buf, sizeof buf), ==, "web.ExAmPlE.cOm");
  g_assert_true (hearth_dns_reader_name (&r, name, &name_len));
  g_assert_cmpstr (hearth_dns_name_to_string (name, name_len, buf, sizeof buf), ==, "web.ExAmPlE.cOm");
  g_assert_true (hearth_dns_reader_u16 (&r, &type) && hearth_dns_reader_u16 (&r, &cls) &&
                 hearth_dns_reader_u32 (&r, &ttl));
  g_assert_cmpuint (ttl, ==, 50);

  /* the stored answer itself is untouched (replay is repeatable) */
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_cmpuint (n, >, 0);

  /* max-ttl caps, elapsed beyond the TTL clamps at 0 */
  params.max_ttl = 20;
  params.elapsed = 0;
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_cmpuint (n, >, 0);
  /* header 12 + question 17 + 4, CNAME owner pointer 2 + type 2 + class 2 */
  g_assert_cmpuint ((guint32) out[39] << 24 | out[40] << 16 | out[41] << 8 | out[42], ==, 20);
  params.max_ttl = 0;
  params.elapsed = 1000;
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_cmpuint ((guint32) out[39] << 24 | out[40] << 16 | out[41] << 8 | out[42], ==, 0);

  /* proxy-dnssec keeps AD; EDNS client gets an OPT */
  make_query (&cq, 0x7778, "www.example.com", HEARTH_DNS_TYPE_A, TRUE, TRUE);
  g_assert_cmpint (hearth_dns_query_parse (cq.b, cq.n, &client), ==, HEARTH_DNS_PARSE_OK);
  params.proxy_dnssec = TRUE;
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_true (out[3] & 0x20);
  g_assert_cmpuint (out[11], ==, 1);

  /* too big for the client's limit: TC and no records */
  params.limit = 40;
  n = hearth_dns_answer_write (answer, &client, &params, out, sizeof out);
  g_assert_cmpuint (n, >, 0);
  g_assert_true (out[2] & 0x02);
  g_assert_cmpuint (out[7], ==, 0);
  g_assert_cmpuint (out[11], ==, 1);
}

static void
test_answer_negative (void)
{
  Msg m;
  HearthDnsQuestion question;
  g_autoptr (HearthDnsAnswer) answer = NULL;

  /* NXDOMAIN with an SOA whose TTL 900 > minimum 30: negative TTL 30 */
  m.n = 0;
  m_header (&m, 5, HEARTH_DNS_FLAG_QR | HEARTH_DNS_RCODE_NXDOMAIN, 1, 0, 1, 0);
  m_name (&m, "nope.example");
  m_u16 (&m, HEARTH_DNS_TYPE_A);
  m_u16 (&m, HEARTH_DNS_CLASS_IN);
  m_u16 (&m, 0xc011); /* "example" */
  m_u16 (&m, HEARTH_DNS_TYPE_SOA);
  m_u16 (&m, HEARTH_DNS_CLASS_IN);
  m_u32 (&m, 900);
  m_u16 (&m, 2 + 2 + 20);
  m_u16 (&m, 0xc011);
  m_u16 (&m, 0xc011);
  m_u32 (&m, 1);
  m_u32 (&m, 2);
  m_u32 (&m, 3);
  m_u32 (&m, 4);
  m_u32 (&m, 30);
  question_of ("nope.example", HEARTH_DNS_TYPE_A, &question);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 5, &question, &answer), ==, HEARTH_DNS_REPLY_OK);
  g_assert_true (answer->negative);
  g_assert_true (answer->has_soa);
  g_assert_cmpuint (answer->ttl, ==, 30);
  g_assert_cmpuint (answer->rcode, ==, HEARTH_DNS_RCODE_NXDOMAIN);

  /* NODATA without SOA: negative, no SOA, TTL 0 */
  g_clear_pointer (&answer, hearth_dns_answer_free);
  m.n = 0;
  m_header (&m, 6, HEARTH_DNS_FLAG_QR, 1, 0, 0, 0);
  m_name (&m, "host.example");
  m_u16 (&m, HEARTH_DNS_TYPE_AAAA);
  m_u16 (&m, HEARTH_DNS_CLASS_IN);
  question_of ("host.example", HEARTH_DNS_TYPE_AAAA, &question);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 6, &question, &answer), ==, HEARTH_DNS_REPLY_OK);
  g_assert_true (answer->negative);
  g_assert_false (answer->has_soa);
  g_assert_cmpuint (answer->ttl, ==, 0);
}

static void
test_answer_ttl_top_bit (void)
{
  Msg m;
  HearthDnsQuestion question;
  g_autoptr (HearthDnsAnswer) answer = NULL;

  /* RFC 2181 8: a TTL with the top bit set counts as 0 */
  make_reply (&m, 9, "www.example.com", 0x80000001u, 60);
  question_of ("www.example.com", HEARTH_DNS_TYPE_A, &question);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 9, &question, &answer), ==, HEARTH_DNS_REPLY_OK);
  g_assert_cmpuint (answer->ttl, ==, 0);
}

static void
test_answer_record_after_opt (void)
{
  Msg m;
  HearthDnsQuestion question;
  HearthDnsAnswer *answer = NULL;

  m.n = 0;
  m_header (&m, 3, HEARTH_DNS_FLAG_QR, 1, 0, 0, 2);
  m_name (&m, "a.example");
  m_u16 (&m, HEARTH_DNS_TYPE_A);
  m_u16 (&m, HEARTH_DNS_CLASS_IN);
  m_opt (&m, 512, FALSE);
  m_u16 (&m, 0xc00c);
  m_u16 (&m, HEARTH_DNS_TYPE_A);
  m_u16 (&m, HEARTH_DNS_CLASS_IN);
  m_u32 (&m, 5);
  m_u16 (&m, 4);
  m_u32 (&m, 0x7f000001);
  question_of ("a.example", HEARTH_DNS_TYPE_A, &question);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 3, &question, &answer), ==,
                   HEARTH_DNS_REPLY_UNCACHEABLE);
  g_assert_null (answer);

  /* A second OPT after that record is still caught: two OPTs are
   * malformed (RFC 6891 6.1.1), wherever the records between them are.
   * (libFuzzer: the answer policy removed the record in between and the
   * rewritten reply was refused while the original had been relayed.) */
  m.b[11] = 3;
  m_opt (&m, 512, FALSE);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 3, &question, &answer), ==,
                   HEARTH_DNS_REPLY_MALFORMED);
  g_assert_null (answer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/packet/reader-bounds", test_reader_bounds);
  g_test_add_func ("/dns/packet/name-compression", test_name_compression);
  g_test_add_func ("/dns/packet/name-bad", test_name_bad);
  g_test_add_func ("/dns/packet/name-helpers", test_name_helpers);
  g_test_add_func ("/dns/packet/query-parse-ok", test_query_parse_ok);
  g_test_add_func ("/dns/packet/query-parse-bad", test_query_parse_bad);
  g_test_add_func ("/dns/packet/write-error", test_write_error);
  g_test_add_func ("/dns/packet/upstream-query", test_upstream_query);
  g_test_add_func ("/dns/packet/reply-checks", test_reply_checks);
  g_test_add_func ("/dns/packet/answer-replay", test_answer_replay);
  g_test_add_func ("/dns/packet/answer-negative", test_answer_negative);
  g_test_add_func ("/dns/packet/answer-ttl-top-bit", test_answer_ttl_top_bit);
  g_test_add_func ("/dns/packet/answer-record-after-opt", test_answer_record_after_opt);
  return g_test_run ();
}
