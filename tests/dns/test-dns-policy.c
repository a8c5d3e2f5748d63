/* Unit tests of the answer policy: option parsing, the --filterwin2k
 * question rule, and every reply verdict (bogus-nxdomain, ignore-address,
 * alias, stop-dns-rebind with its exemptions, the filters), including
 * rewrites whose compression pointers pointed into removed records and
 * malformed replies.
 *
 * Replies are built by hand here; every rewritten reply is summarised by a
 * small walker in this file and must also pass the forwarder's own parser.
 */
#include "config.h"

#include "dns/dns-policy.h"

#include <gio/gio.h>
#include <string.h>

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

/* A name: literal labels, ending in the root, or in a pointer to ptr
 * when ptr != 0. */
static void
m_name_ptr (Msg *m, const char *dotted, guint16 ptr)
{
  g_auto (GStrv) labels = g_strsplit (dotted, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize l = strlen (labels[i]);

      if (l == 0)
        continue;
      m_u8 (m, (guint8) l);
      for (gsize j = 0; j < l; j++)
        m_u8 (m, (guint8) labels[i][j]);
    }
  if (ptr != 0)
    m_u16 (m, (guint16) (0xc000 | ptr));
  else
    m_u8 (m, 0);
}

static void
m_name (Msg *m, const char *dotted)
{
  m_name_ptr (m, dotted, 0);
}

static void
m_start (Msg *m, guint16 flags, const char *qname, guint16 qtype, guint16 an, guint16 ns, guint16 ar)
{
  m->n = 0;
  m_u16 (m, 0x1234);
  m_u16 (m, (guint16) (HEARTH_DNS_FLAG_QR | HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_RA | flags));
  m_u16 (m, 1);
  m_u16 (m, an);
  m_u16 (m, ns);
  m_u16 (m, ar);
  m_name (m, qname);
  m_u16 (m, qtype);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
}

/* The fixed part after an owner; returns where rdlength goes. */
static gsize
m_rr (Msg *m, guint16 type)
{
  gsize pos;

  m_u16 (m, type);
  m_u16 (m, HEARTH_DNS_CLASS_IN);
  m_u32 (m, 300);
  pos = m->n;
  m_u16 (m, 0);
  return pos;
}

static void
m_rr_end (Msg *m, gsize len_pos)
{
  gsize l = m->n - len_pos - 2;

  m->b[len_pos] = (guint8) (l >> 8);
  m->b[len_pos + 1] = (guint8) (l & 0xff);
}

/* An A or AAAA record; owner is a pointer to owner_ptr (12 = the question). */
static void
m_addr (Msg *m, guint16 owner_ptr, const char *text)
{
  HearthDnsAddr a;
  gsize p;

  g_assert_true (hearth_dns_addr_parse (text, &a));
  m_u16 (m, (guint16) (0xc000 | owner_ptr));
  p = m_rr (m, a.family == AF_INET ? HEARTH_DNS_TYPE_A : HEARTH_DNS_TYPE_AAAA);
  for (gsize i = 0; i < hearth_dns_addr_size (&a); i++)
    m_u8 (m, a.bytes[i]);
  m_rr_end (m, p);
}

static void
m_opt (Msg *m)
{
  m_u8 (m, 0);
  m_u16 (m, HEARTH_DNS_TYPE_OPT);
  m_u16 (m, 1232);
  m_u32 (m, 0);
  m_u16 (m, 0);
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

static guint16
get16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

/* "rcode flags | an: owner TYPE rdata; ... | ns: ... | ar: ..." of a reply,
 * names in presentation form, decoded with the packet reader. */
static char *
summary (const guint8 *msg, gsize len)
{
  GString *s = g_string_new (NULL);
  HearthDnsReader r;
  guint16 counts[3];
  const char *section_names[3] = { "an", "ns", "ar" };
  guint16 flags;

  g_assert_cmpuint (len, >=, HEARTH_DNS_HEADER_SIZE);
  flags = get16 (msg + 2);
  g_string_append_printf (s, "%s%s%s", hearth_dns_rcode_to_string (flags & HEARTH_DNS_RCODE_MASK),
                          (flags & HEARTH_DNS_FLAG_AA) ? " aa" : "", (flags & HEARTH_DNS_FLAG_AD) ? " ad" : "");
  g_assert_cmpuint (get16 (msg + 4), ==, 1);
  for (guint i = 0; i < 3; i++)
    counts[i] = get16 (msg + 6 + 2 * i);
  hearth_dns_reader_init (&r, msg, len);
  r.pos = HEARTH_DNS_HEADER_SIZE;
  g_assert_true (hearth_dns_reader_name (&r, NULL, NULL));
  g_assert_true (hearth_dns_reader_skip (&r, 4));
  for (guint sec = 0; sec < 3; sec++)
    {
      g_string_append_printf (s, " | %s:", section_names[sec]);
      for (guint i = 0; i < counts[sec]; i++)
        {
          guint8 name[HEARTH_DNS_NAME_MAX];
          gsize name_len, end;
          guint16 type, rclass, rdlength;
          guint32 ttl;
          char buf[1024], tbuf[16];

          g_assert_true (hearth_dns_reader_name (&r, name, &name_len));
          g_assert_true (hearth_dns_reader_u16 (&r, &type));
          g_assert_true (hearth_dns_reader_u16 (&r, &rclass));
          g_assert_true (hearth_dns_reader_u32 (&r, &ttl));
          g_assert_true (hearth_dns_reader_u16 (&r, &rdlength));
          g_assert_cmpuint (len - r.pos, >=, rdlength);
          end = r.pos + rdlength;
          g_string_append_printf (s, " %s %s", hearth_dns_name_to_string (name, name_len, buf, sizeof buf),
                                  hearth_dns_type_to_string (type, tbuf, sizeof tbuf));
          if ((type == HEARTH_DNS_TYPE_A && rdlength == 4) || (type == HEARTH_DNS_TYPE_AAAA && rdlength == 16))
            {
              HearthDnsAddr a;

              hearth_dns_addr_from_bytes (rdlength == 4 ? AF_INET : AF_INET6, msg + r.pos, &a);
              g_string_append_printf (s, " %s", hearth_dns_addr_to_string (&a, buf, sizeof buf));
            }
          else if (type == HEARTH_DNS_TYPE_CNAME || type == HEARTH_DNS_TYPE_MX || type == HEARTH_DNS_TYPE_SRV ||
                   type == HEARTH_DNS_TYPE_SOA)
            {
              HearthDnsReader rd;

              hearth_dns_reader_init (&rd, msg, end);
              rd.pos = r.pos + (type == HEARTH_DNS_TYPE_MX ? 2 : type == HEARTH_DNS_TYPE_SRV ? 6 : 0);
              g_assert_true (hearth_dns_reader_name (&rd, name, &name_len));
              g_string_append_printf (s, " %s", hearth_dns_name_to_string (name, name_len, buf, sizeof buf));
            }
          r.pos = end;
          g_string_append_c (s, ';');
        }
    }
  g_assert_cmpuint (r.pos, ==, len);
  return g_string_free (s, FALSE);
}

/* Runs the policy; for every verdict that fills out, checks the result
 * parses with the forwarder's parser and returns its summary (else NULL). */
static HearthDnsReplyVerdict
check (const HearthDnsPolicy *p, const HearthDnsQuestion *q, const Msg *m, char **out_summary)
{
  static guint8 out[HEARTH_DNS_MSG_MAX];
  gsize out_len = 12345;
  HearthDnsReplyVerdict v = hearth_dns_policy_check_reply (p, q, m->b, m->n, out, sizeof out, &out_len);

  *out_summary = NULL;
  if (v == HEARTH_DNS_REPLY_KEEP || v == HEARTH_DNS_REPLY_IGNORE)
    g_assert_cmpuint (out_len, ==, 0);
  else
    {
      HearthDnsAnswer *answer = NULL;

      g_assert_cmpint (hearth_dns_answer_new_from_reply (out, out_len, 0x1234, q, &answer), ==, HEARTH_DNS_REPLY_OK);
      /* The test replies are compressed; so must the rewrites be. */
      if (v == HEARTH_DNS_REPLY_REWRITTEN)
        g_assert_cmpuint (out_len, <=, m->n);
      hearth_dns_answer_free (answer);
      *out_summary = summary (out, out_len);
    }
  return v;
}

static HearthDnsPolicy *
policy_with (const char *option, const char *value)
{
  HearthDnsPolicy *p = hearth_dns_policy_new ();
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  if (g_str_equal (option, "bogus-nxdomain"))
    ok = hearth_dns_policy_add_bogus_nxdomain (p, value, &error);
  else if (g_str_equal (option, "ignore-address"))
    ok = hearth_dns_policy_add_ignore_address (p, value, &error);
  else if (g_str_equal (option, "alias"))
    ok = hearth_dns_policy_add_alias (p, value, &error);
  else if (g_str_equal (option, "filter-rr"))
    ok = hearth_dns_policy_add_filter_rr (p, value, &error);
  else if (g_str_equal (option, "stop-dns-rebind"))
    hearth_dns_policy_set_stop_rebind (p, TRUE);
  else if (g_str_equal (option, "filter-A"))
    hearth_dns_policy_set_filter_a (p, TRUE);
  else if (g_str_equal (option, "filter-AAAA"))
    hearth_dns_policy_set_filter_aaaa (p, TRUE);
  else if (g_str_equal (option, "filterwin2k"))
    hearth_dns_policy_set_filterwin2k (p, TRUE);
  else
    g_assert_not_reached ();
  g_assert_no_error (error);
  g_assert_true (ok);
  return p;
}

/* A reply to name/A with the given addresses in the answer section. */
static void
reply_with (Msg *m, const char *name, guint16 qtype, const char *const *addrs)
{
  guint n = g_strv_length ((char **) addrs);

  m_start (m, 0, name, qtype, (guint16) n, 0, 0);
  for (guint i = 0; i < n; i++)
    m_addr (m, 12, addrs[i]);
}

static void
test_parse (void)
{
  g_autoptr (HearthDnsPolicy) p = hearth_dns_policy_new ();
  const char *bad_prefixes[] = { "foo", "1.2.3.4/33", "1.2.3.4,5.6.7.8", "", "2001:db8::/129" };
  const char *bad_aliases[] = {
    "1.2.3.4", "1.2.3.4,", "1.2.3.4,7.7.7.7,24", "2001:db8::1,2001:db8::2", "1.2.3.1-1.2.3.9,7.7.7.7",
    "1.2.3.9-1.2.3.1,7.7.7.0,255.255.255.0", "1.2.3.4,7.7.7.7,255.255.255.0,1", "x,7.7.7.7",
  };
  g_autoptr (GError) error = NULL;

  g_assert_false (hearth_dns_policy_has_reply_rules (p));
  g_assert_true (hearth_dns_policy_add_bogus_nxdomain (p, "64.94.110.11", NULL));
  g_assert_true (hearth_dns_policy_add_bogus_nxdomain (p, "64.94.110.0/24", NULL));
  g_assert_true (hearth_dns_policy_add_ignore_address (p, "2001:db8::/32", NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad_prefixes); i++)
    {
      g_assert_false (hearth_dns_policy_add_bogus_nxdomain (p, bad_prefixes[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "bad address"));
      g_clear_error (&error);
    }
  g_assert_true (hearth_dns_policy_has_reply_rules (p));

  g_assert_true (hearth_dns_policy_add_alias (p, "1.2.3.0,6.7.8.0,255.255.255.0", NULL));
  g_assert_true (hearth_dns_policy_add_alias (p, "192.168.0.10-192.168.0.40,10.0.0.0,255.255.255.0", NULL));
  g_assert_true (hearth_dns_policy_add_alias (p, "5.5.5.5,9.9.9.9", NULL));
  g_assert_true (hearth_dns_policy_add_alias (p, "1.2.3.4, 7.7.7.7, 255.0.255.0", NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad_aliases); i++)
    {
      g_assert_false (hearth_dns_policy_add_alias (p, bad_aliases[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad_aliases[i]));
      g_clear_error (&error);
    }

  g_assert_false (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_TXT));
  g_assert_true (hearth_dns_policy_add_filter_rr (p, "txt, 15,,CAA,naptr", NULL));
  g_assert_true (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_TXT));
  g_assert_true (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_MX));
  g_assert_true (hearth_dns_policy_filters_type (p, 257));
  g_assert_true (hearth_dns_policy_filters_type (p, 35));
  g_assert_false (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_A));
  g_assert_true (hearth_dns_policy_add_filter_rr (p, "", NULL));
  g_assert_true (hearth_dns_policy_add_filter_rr (p, "HINFO", NULL));
  g_assert_true (hearth_dns_policy_filters_type (p, 13));
  g_assert_false (hearth_dns_policy_add_filter_rr (p, "SRV,FOO", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "'FOO'"));
  g_clear_error (&error);
  g_assert_false (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_SRV)); /* nothing added from a bad value */
  g_assert_false (hearth_dns_policy_add_filter_rr (p, "65536", NULL));
  g_assert_false (hearth_dns_policy_add_filter_rr (p, "TYPE16", NULL));
  g_assert_true (hearth_dns_policy_add_filter_rr (p, "ANY", NULL));
  g_assert_false (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_ANY));

  hearth_dns_policy_set_filter_a (p, TRUE);
  g_assert_true (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_A));
  hearth_dns_policy_set_filter_a (p, FALSE);
  g_assert_false (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_A));
  hearth_dns_policy_set_filter_aaaa (p, TRUE);
  g_assert_true (hearth_dns_policy_filters_type (p, HEARTH_DNS_TYPE_AAAA));

  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "/ok.test/other/", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "single.test", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "/#/", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "#", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "//", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, ".dot.test", NULL));
  g_assert_false (hearth_dns_policy_add_rebind_domain_ok (p, "/a..b/", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "a..b"));
}

static void
test_verdict_strings (void)
{
  g_assert_cmpstr (hearth_dns_query_verdict_to_string (HEARTH_DNS_QUERY_FORWARD), ==, "forward");
  g_assert_cmpstr (hearth_dns_query_verdict_to_string (HEARTH_DNS_QUERY_NODATA), ==, "NODATA");
  g_assert_cmpstr (hearth_dns_query_verdict_to_string (HEARTH_DNS_QUERY_NXDOMAIN), ==, "NXDOMAIN");
  g_assert_cmpstr (hearth_dns_reply_verdict_to_string (HEARTH_DNS_REPLY_KEEP), ==, "keep");
  g_assert_cmpstr (hearth_dns_reply_verdict_to_string (HEARTH_DNS_REPLY_REWRITTEN), ==, "rewritten");
  g_assert_nonnull (strstr (hearth_dns_reply_verdict_to_string (HEARTH_DNS_REPLY_NXDOMAIN), "NXDOMAIN"));
  g_assert_nonnull (strstr (hearth_dns_reply_verdict_to_string (HEARTH_DNS_REPLY_BLOCKED), "rebind"));
  g_assert_cmpstr (hearth_dns_reply_verdict_to_string (HEARTH_DNS_REPLY_IGNORE), ==, "ignored");
}

static void
test_filterwin2k (void)
{
  g_autoptr (HearthDnsPolicy) off = hearth_dns_policy_new ();
  g_autoptr (HearthDnsPolicy) p = policy_with ("filterwin2k", NULL);
  const struct {
    const char *name;
    guint16 type;
    HearthDnsQueryVerdict verdict;
  } cases[] = {
    { "example.test", HEARTH_DNS_TYPE_SOA, HEARTH_DNS_QUERY_NODATA },
    { "test", HEARTH_DNS_TYPE_SOA, HEARTH_DNS_QUERY_NODATA },
    { "srv.test", HEARTH_DNS_TYPE_SRV, HEARTH_DNS_QUERY_NODATA },
    { "_ldap._tcp.dc.test", HEARTH_DNS_TYPE_SRV, HEARTH_DNS_QUERY_NODATA },
    { "_ldap._tcp.dc.test", HEARTH_DNS_TYPE_ANY, HEARTH_DNS_QUERY_NODATA },
    { "under_score.test", HEARTH_DNS_TYPE_ANY, HEARTH_DNS_QUERY_NODATA },
    { "_ldap._tcp.dc.test", HEARTH_DNS_TYPE_TXT, HEARTH_DNS_QUERY_FORWARD },
    { "under_score.test", HEARTH_DNS_TYPE_A, HEARTH_DNS_QUERY_FORWARD },
    { "plain.test", HEARTH_DNS_TYPE_ANY, HEARTH_DNS_QUERY_FORWARD },
    { "plain.test", HEARTH_DNS_TYPE_A, HEARTH_DNS_QUERY_FORWARD },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HearthDnsQuestion q;

      question_of (cases[i].name, cases[i].type, &q);
      g_assert_cmpint (hearth_dns_policy_check_query (p, &q), ==, cases[i].verdict);
      g_assert_cmpint (hearth_dns_policy_check_query (off, &q), ==, HEARTH_DNS_QUERY_FORWARD);
    }
}

static void
test_filtered_type_forwarded (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("filter-AAAA", NULL);
  HearthDnsQuestion q;

  /* As dnsmasq: forwarded, so that a missing name stays NXDOMAIN. */
  question_of ("x.test", HEARTH_DNS_TYPE_AAAA, &q);
  g_assert_cmpint (hearth_dns_policy_check_query (p, &q), ==, HEARTH_DNS_QUERY_FORWARD);
  g_assert_true (hearth_dns_policy_has_reply_rules (p));
}

static void
test_bogus_nxdomain (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("bogus-nxdomain", "64.94.110.0/24");
  g_autoptr (HearthDnsPolicy) empty = hearth_dns_policy_new ();
  HearthDnsQuestion q;
  Msg m;
  char *s;
  gsize cname_target;

  g_assert_true (hearth_dns_policy_add_bogus_nxdomain (p, "2001:db8::/127", NULL));
  question_of ("bogus.test", HEARTH_DNS_TYPE_A, &q);

  /* One bogus address among good ones: the whole reply becomes NXDOMAIN,
   * AA and AD cleared, OPT kept. */
  m_start (&m, HEARTH_DNS_FLAG_AA | HEARTH_DNS_FLAG_AD, "bogus.test", HEARTH_DNS_TYPE_A, 2, 0, 1);
  m_addr (&m, 12, "1.2.3.4");
  m_addr (&m, 12, "64.94.110.11");
  m_opt (&m);
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_NXDOMAIN);
  g_assert_cmpstr (s, ==, "NXDOMAIN | an: | ns: | ar: . OPT;");
  g_free (s);
  /* Nothing configured, or no match: KEEP. */
  g_assert_cmpint (check (empty, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  reply_with (&m, "bogus.test", HEARTH_DNS_TYPE_A, (const char *[]) { "64.94.111.1", "1.2.3.4", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  /* IPv6 prefix. */
  question_of ("bogus.test", HEARTH_DNS_TYPE_AAAA, &q);
  reply_with (&m, "bogus.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { "2001:db8::1", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_NXDOMAIN);
  g_free (s);
  reply_with (&m, "bogus.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { "2001:db8::2", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  /* Behind a CNAME. */
  question_of ("cn.test", HEARTH_DNS_TYPE_A, &q);
  m_start (&m, 0, "cn.test", HEARTH_DNS_TYPE_A, 2, 0, 0);
  {
    gsize p_len;

    m_u16 (&m, 0xc00c);
    p_len = m_rr (&m, HEARTH_DNS_TYPE_CNAME);
    cname_target = m.n;
    m_name_ptr (&m, "target", 15); /* target.test (the question's "test") */
    m_rr_end (&m, p_len);
  }
  m_addr (&m, (guint16) cname_target, "64.94.110.11");
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_NXDOMAIN);
  g_free (s);

  /* Any A in the answer counts, even of another owner for a TXT question;
   * one only in the additional section does not; nor in an NXDOMAIN. */
  question_of ("txt.test", HEARTH_DNS_TYPE_TXT, &q);
  m_start (&m, 0, "txt.test", HEARTH_DNS_TYPE_TXT, 1, 0, 0);
  m_name (&m, "other.test");
  {
    gsize p_len = m_rr (&m, HEARTH_DNS_TYPE_A);

    m_u32 (&m, 0x405e6e0b);
    m_rr_end (&m, p_len);
  }
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_NXDOMAIN);
  g_free (s);
  m.b[7] = 0; /* ancount 0 */
  m.b[11] = 1; /* arcount 1: the same record, now additional */
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  question_of ("bogus.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "bogus.test", HEARTH_DNS_TYPE_A, (const char *[]) { "64.94.110.11", NULL });
  m.b[3] |= HEARTH_DNS_RCODE_NXDOMAIN;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
}

static void
test_ignore_address (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("ignore-address", "64.94.110.11");
  HearthDnsQuestion q;
  Msg m;
  char *s;

  g_assert_true (hearth_dns_policy_add_ignore_address (p, "2001:db8:1::/48", NULL));
  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "1.1.1.1", "64.94.110.11", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_IGNORE);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "64.94.110.12", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  question_of ("x.test", HEARTH_DNS_TYPE_AAAA, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { "2001:db8:1:2::3", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_IGNORE);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { "2001:db8:2::3", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  /* Additional section: not a forged answer. */
  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "64.94.110.11", NULL });
  m.b[7] = 0;
  m.b[11] = 1;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
}

static void
test_alias (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("alias", "1.2.3.0,6.7.8.0,255.255.255.0");
  HearthDnsQuestion q;
  Msg m;
  char *s;

  g_assert_true (hearth_dns_policy_add_alias (p, "192.168.0.10-192.168.0.40,10.0.0.0,255.255.255.0", NULL));
  g_assert_true (hearth_dns_policy_add_alias (p, "5.5.5.5,9.9.9.9", NULL));
  question_of ("a.test", HEARTH_DNS_TYPE_A, &q);

  reply_with (&m, "a.test", HEARTH_DNS_TYPE_A,
              (const char *[]) { "1.2.3.56", "192.168.0.20", "192.168.0.50", "5.5.5.5", "5.5.5.6", NULL });
  m.b[3] |= HEARTH_DNS_FLAG_AD;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: a.test A 6.7.8.56; a.test A 10.0.0.20; a.test A 192.168.0.50; a.test A 9.9.9.9;"
                   " a.test A 5.5.5.6; | ns: | ar:");
  g_free (s);
  /* Nothing to change: KEEP. */
  reply_with (&m, "a.test", HEARTH_DNS_TYPE_A, (const char *[]) { "1.2.4.56", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  /* Additional addresses are aliased too, authority ones not. */
  question_of ("mx.test", HEARTH_DNS_TYPE_MX, &q);
  m_start (&m, 0, "mx.test", HEARTH_DNS_TYPE_MX, 1, 1, 1);
  {
    gsize p_len, host;

    m_u16 (&m, 0xc00c);
    p_len = m_rr (&m, HEARTH_DNS_TYPE_MX);
    m_u16 (&m, 10);
    host = m.n;
    m_name_ptr (&m, "mail", 12); /* mail.mx.test */
    m_rr_end (&m, p_len);
    m_addr (&m, (guint16) host, "5.5.5.5"); /* authority */
    m_addr (&m, (guint16) host, "5.5.5.5"); /* additional */
  }
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: mx.test MX mail.mx.test; | ns: mail.mx.test A 5.5.5.5; | ar: mail.mx.test A 9.9.9.9;");
  g_free (s);
}

static void
test_alias_order (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("alias", "1.2.3.4,64.94.110.11");
  g_autoptr (HearthDnsPolicy) rebind = policy_with ("alias", "1.2.3.0,192.168.0.0,255.255.255.0");
  HearthDnsQuestion q;
  Msg m;
  char *s;

  question_of ("a.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "a.test", HEARTH_DNS_TYPE_A, (const char *[]) { "1.2.3.4", NULL });
  /* ignore-address looks at the address as sent ... */
  g_assert_true (hearth_dns_policy_add_ignore_address (p, "64.94.110.11", NULL));
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_free (s);
  /* ... bogus-nxdomain and rebinding at the address the client gets. */
  g_assert_true (hearth_dns_policy_add_bogus_nxdomain (p, "64.94.110.11", NULL));
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_NXDOMAIN);
  g_free (s);
  hearth_dns_policy_set_stop_rebind (rebind, TRUE);
  g_assert_cmpint (check (rebind, &q, &m, &s), ==, HEARTH_DNS_REPLY_BLOCKED);
  g_free (s);
}

static void
test_rebind (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("stop-dns-rebind", NULL);
  HearthDnsQuestion q;
  Msg m;
  char *s;
  const char *blocked4[] = { "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1", "127.0.0.1", NULL };
  const char *blocked6[] = { "fd00::1", "fe80::1", "::ffff:192.168.0.1", "::1", NULL };

  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  for (guint i = 0; blocked4[i] != NULL; i++)
    {
      reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "8.8.8.8", blocked4[i], NULL });
      m.b[3] |= HEARTH_DNS_FLAG_AD;
      m.b[2] |= HEARTH_DNS_FLAG_AA >> 8;
      g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_BLOCKED);
      /* NOERROR, no records, AA kept (as dnsmasq), AD cleared. */
      g_assert_cmpstr (s, ==, "NOERROR aa | an: | ns: | ar:");
      g_free (s);
    }
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "8.8.8.8", "1.1.1.1", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  question_of ("x.test", HEARTH_DNS_TYPE_AAAA, &q);
  for (guint i = 0; blocked6[i] != NULL; i++)
    {
      reply_with (&m, "x.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { blocked6[i], NULL });
      g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_BLOCKED);
      g_free (s);
    }
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_AAAA, (const char *[]) { "2a00::1", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  /* Additional section: not checked (glue for a public MX may be anywhere). */
  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "10.0.0.1", NULL });
  m.b[7] = 0;
  m.b[11] = 1;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  /* Unqualified names are exempt only with "//". */
  question_of ("plainhost", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "plainhost", HEARTH_DNS_TYPE_A, (const char *[]) { "10.0.0.1", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_BLOCKED);
  g_free (s);

  /* An ANY answer is checked too (dnsmasq lets it through). */
  question_of ("x.test", HEARTH_DNS_TYPE_ANY, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_ANY, (const char *[]) { "10.0.0.1", NULL });
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_BLOCKED);
  g_free (s);
}

static void
test_rebind_exemptions (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("stop-dns-rebind", NULL);
  const struct {
    const char *name;
    const char *addr;
    HearthDnsReplyVerdict verdict;
  } cases[] = {
    { "x.test", "127.0.0.1", HEARTH_DNS_REPLY_KEEP },
    { "x.test", "127.1.2.3", HEARTH_DNS_REPLY_KEEP },
    { "x.test", "::1", HEARTH_DNS_REPLY_KEEP },
    { "x.test", "::ffff:127.0.0.1", HEARTH_DNS_REPLY_KEEP },
    { "x.test", "10.0.0.1", HEARTH_DNS_REPLY_BLOCKED },
    { "x.test", "fe80::1", HEARTH_DNS_REPLY_BLOCKED },
    { "ok.test", "10.0.0.1", HEARTH_DNS_REPLY_KEEP },
    { "Sub.OK.test", "192.168.1.1", HEARTH_DNS_REPLY_KEEP },
    { "a.b.ok.test", "fd00::5", HEARTH_DNS_REPLY_KEEP },
    { "xok.test", "10.0.0.1", HEARTH_DNS_REPLY_BLOCKED },
    { "ok.test.evil", "10.0.0.1", HEARTH_DNS_REPLY_BLOCKED },
    { "test", "10.0.0.1", HEARTH_DNS_REPLY_KEEP }, /* unqualified: "//" */
    { "host.other", "10.0.0.1", HEARTH_DNS_REPLY_KEEP },
    { "in.dot.test", "10.0.0.1", HEARTH_DNS_REPLY_KEEP },
    { "plainhost", "10.0.0.1", HEARTH_DNS_REPLY_KEEP },
  };

  hearth_dns_policy_set_rebind_localhost_ok (p, TRUE);
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "/ok.test/other/", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, ".dot.test", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "//", NULL));
  g_assert_true (hearth_dns_policy_add_rebind_domain_ok (p, "/#/", NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HearthDnsQuestion q;
      guint16 type = strchr (cases[i].addr, ':') != NULL ? HEARTH_DNS_TYPE_AAAA : HEARTH_DNS_TYPE_A;
      Msg m;
      char *s;

      question_of (cases[i].name, type, &q);
      reply_with (&m, cases[i].name, type, (const char *[]) { cases[i].addr, NULL });
      g_test_message ("%s %s", cases[i].name, cases[i].addr);
      g_assert_cmpint (check (p, &q, &m, &s), ==, cases[i].verdict);
      g_free (s);
    }
}

/* "cn.test CNAME target.test", then target.test's A and AAAA, an RRSIG
 * covering A, TXT whose owner points into the A record (removed by
 * --filter-A), SOA in authority, glue A + AAAA in additional, OPT. */
static void
make_chain (Msg *m)
{
  gsize p, target, a_owner, soa_owner;

  m_start (m, 0, "cn.test", HEARTH_DNS_TYPE_ANY, 5, 1, 3);
  m_u16 (m, 0xc00c);
  p = m_rr (m, HEARTH_DNS_TYPE_CNAME);
  target = m->n;
  m_name_ptr (m, "target", 15);
  m_rr_end (m, p);
  /* A with a literal owner the later records point into. */
  a_owner = m->n;
  m_name (m, "www.target.test");
  p = m_rr (m, HEARTH_DNS_TYPE_A);
  m_u32 (m, 0x01020304);
  m_rr_end (m, p);
  m_addr (m, (guint16) target, "2001:db8::5");
  m_u16 (m, (guint16) (0xc000 | a_owner));
  p = m_rr (m, HEARTH_DNS_TYPE_RRSIG);
  m_u16 (m, HEARTH_DNS_TYPE_A);
  for (guint i = 0; i < 16; i++)
    m_u8 (m, 0);
  m_name (m, "test");
  m_u32 (m, 0xdeadbeef);
  m_rr_end (m, p);
  m_u16 (m, (guint16) (0xc000 | (a_owner + 4))); /* target.test */
  p = m_rr (m, HEARTH_DNS_TYPE_MX);
  m_u16 (m, 5);
  m_name_ptr (m, "mx", (guint16) a_owner); /* mx.www.target.test */
  m_rr_end (m, p);
  /* authority */
  soa_owner = m->n;
  m_u16 (m, (guint16) (0xc000 | (a_owner + 11))); /* test */
  p = m_rr (m, HEARTH_DNS_TYPE_SOA);
  m_name_ptr (m, "ns", (guint16) a_owner);
  m_name_ptr (m, "h", (guint16) soa_owner);
  for (guint i = 0; i < 5; i++)
    m_u32 (m, 60);
  m_rr_end (m, p);
  /* additional */
  m_addr (m, (guint16) a_owner, "9.9.9.9");
  m_addr (m, (guint16) a_owner, "2001:db8::9");
  m_opt (m);
}

static void
test_filter_chain (void)
{
  g_autoptr (HearthDnsPolicy) fa = policy_with ("filter-A", NULL);
  g_autoptr (HearthDnsPolicy) faaaa = policy_with ("filter-AAAA", NULL);
  g_autoptr (HearthDnsPolicy) fcname = policy_with ("filter-rr", "CNAME,MX");
  g_autoptr (HearthDnsPolicy) fany = policy_with ("filter-rr", "ANY");
  g_autoptr (HearthDnsPolicy) ftxt = policy_with ("filter-rr", "TXT");
  g_autoptr (HearthDnsPolicy) fsoa = policy_with ("filter-rr", "SOA");
  HearthDnsQuestion q;
  Msg m;
  char *s;

  question_of ("cn.test", HEARTH_DNS_TYPE_ANY, &q);
  make_chain (&m);
  {
    /* The builder itself makes a reply the forwarder accepts. */
    HearthDnsAnswer *answer = NULL;

    g_assert_cmpint (hearth_dns_answer_new_from_reply (m.b, m.n, 0x1234, &q, &answer), ==, HEARTH_DNS_REPLY_OK);
    hearth_dns_answer_free (answer);
  }
  g_assert_cmpint (check (ftxt, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  /* The authority section is never filtered (its SOA makes NODATA cacheable). */
  g_assert_cmpint (check (fsoa, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);

  g_assert_cmpint (check (fa, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: cn.test CNAME target.test; target.test AAAA 2001:db8::5;"
                   " target.test MX mx.www.target.test; | ns: test SOA ns.www.target.test;"
                   " | ar: www.target.test AAAA 2001:db8::9; . OPT;");
  g_free (s);

  g_assert_cmpint (check (faaaa, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: cn.test CNAME target.test; www.target.test A 1.2.3.4; www.target.test RRSIG;"
                   " target.test MX mx.www.target.test; | ns: test SOA ns.www.target.test;"
                   " | ar: www.target.test A 9.9.9.9; . OPT;");
  g_free (s);

  g_assert_cmpint (check (fcname, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: www.target.test A 1.2.3.4; target.test AAAA 2001:db8::5; www.target.test RRSIG;"
                   " | ns: test SOA ns.www.target.test;"
                   " | ar: www.target.test A 9.9.9.9; www.target.test AAAA 2001:db8::9; . OPT;");
  g_free (s);

  /* --filter-rr=ANY: an ANY answer keeps A, AAAA, MX, CNAME only. */
  g_assert_cmpint (check (fany, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==,
                   "NOERROR | an: cn.test CNAME target.test; www.target.test A 1.2.3.4; target.test AAAA 2001:db8::5;"
                   " target.test MX mx.www.target.test; | ns: test SOA ns.www.target.test;"
                   " | ar: www.target.test A 9.9.9.9; www.target.test AAAA 2001:db8::9; . OPT;");
  g_free (s);
  /* ... and nothing for other question types. */
  question_of ("cn.test", HEARTH_DNS_TYPE_A, &q);
  m.b[12 + q.name_len + 1] = HEARTH_DNS_TYPE_A;
  g_assert_cmpint (check (fany, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
}

static void
test_filter_nodata (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("filter-AAAA", NULL);
  HearthDnsQuestion q;
  Msg m;
  char *s;
  gsize len_pos;
  static guint8 out[HEARTH_DNS_MSG_MAX];
  gsize out_len;
  HearthDnsAnswer *answer = NULL;

  /* An AAAA answer loses its records and becomes a NODATA that still
   * carries the upstream's SOA (so it caches as a negative answer). */
  question_of ("x.test", HEARTH_DNS_TYPE_AAAA, &q);
  m_start (&m, 0, "x.test", HEARTH_DNS_TYPE_AAAA, 1, 1, 0);
  m_addr (&m, 12, "2001:db8::1");
  m_u16 (&m, 0xc00e); /* "test" */
  len_pos = m_rr (&m, HEARTH_DNS_TYPE_SOA);
  m_name_ptr (&m, "ns", 14);
  m_name_ptr (&m, "h", 14);
  for (guint i = 0; i < 5; i++)
    m_u32 (&m, 60);
  m_rr_end (&m, len_pos);
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==, "NOERROR | an: | ns: test SOA ns.test; | ar:");
  g_free (s);
  g_assert_cmpint (hearth_dns_policy_check_reply (p, &q, m.b, m.n, out, sizeof out, &out_len), ==,
                   HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpint (hearth_dns_answer_new_from_reply (out, out_len, 0x1234, &q, &answer), ==, HEARTH_DNS_REPLY_OK);
  g_assert_true (answer->negative);
  g_assert_true (answer->has_soa);
  hearth_dns_answer_free (answer);

  /* Upstream NXDOMAIN: nothing to filter, stays as it is. */
  m_start (&m, HEARTH_DNS_RCODE_NXDOMAIN, "x.test", HEARTH_DNS_TYPE_AAAA, 0, 0, 0);
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
}

static void
test_out_too_small (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("filter-A", NULL);
  HearthDnsQuestion q;
  Msg m;
  guint8 out[64];
  gsize out_len = 0;

  question_of ("x.test", HEARTH_DNS_TYPE_TXT, &q);
  m_start (&m, 0, "x.test", HEARTH_DNS_TYPE_TXT, 2, 0, 0);
  m_addr (&m, 12, "1.2.3.4");
  m_u16 (&m, 0xc00c);
  {
    gsize l = m_rr (&m, HEARTH_DNS_TYPE_TXT);

    m_u8 (&m, 100);
    for (guint i = 0; i < 100; i++)
      m_u8 (&m, 'x');
    m_rr_end (&m, l);
  }
  /* Does not fit: SERVFAIL without records rather than the unfiltered reply. */
  g_assert_cmpint (hearth_dns_policy_check_reply (p, &q, m.b, m.n, out, sizeof out, &out_len), ==,
                   HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpuint (out_len, ==, 12 + q.name_len + 4);
  g_assert_cmpuint (out[3] & HEARTH_DNS_RCODE_MASK, ==, HEARTH_DNS_RCODE_SERVFAIL);
  g_assert_cmpuint (get16 (out + 6), ==, 0);
  /* Not even the question fits. */
  g_assert_cmpint (hearth_dns_policy_check_reply (p, &q, m.b, m.n, out, 12, &out_len), ==, HEARTH_DNS_REPLY_IGNORE);
  g_assert_cmpuint (out_len, ==, 0);
}

static void
test_bad_rdata_dropped (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("filter-A", NULL);
  HearthDnsQuestion q;
  Msg m;
  char *s;
  gsize l;

  /* A CNAME whose target runs past its rdata: dropped from a rewritten
   * reply instead of being passed on with a meaningless pointer. */
  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  m_start (&m, 0, "x.test", HEARTH_DNS_TYPE_A, 3, 0, 0);
  m_u16 (&m, 0xc00c);
  l = m_rr (&m, HEARTH_DNS_TYPE_CNAME);
  m_u8 (&m, 5);
  m_u8 (&m, 'a');
  m_rr_end (&m, l);
  m_addr (&m, 12, "1.2.3.4");
  m_u16 (&m, 0xc00c);
  l = m_rr (&m, HEARTH_DNS_TYPE_TXT);
  m_u8 (&m, 1);
  m_u8 (&m, 'y');
  m_rr_end (&m, l);
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_REWRITTEN);
  g_assert_cmpstr (s, ==, "NOERROR | an: x.test TXT; | ns: | ar:");
  g_free (s);
}

static void
test_malformed (void)
{
  g_autoptr (HearthDnsPolicy) p = policy_with ("stop-dns-rebind", NULL);
  HearthDnsQuestion q;
  Msg m, full;
  char *s;

  hearth_dns_policy_set_filter_a (p, TRUE);
  g_assert_true (hearth_dns_policy_add_bogus_nxdomain (p, "1.1.1.1", NULL));
  question_of ("cn.test", HEARTH_DNS_TYPE_ANY, &q);
  make_chain (&full);
  /* Every truncation of a reply that would be rewritten: the counts promise
   * more than is there, so KEEP (and no crash, no read past the end under
   * ASan). */
  for (gsize cut = 0; cut < full.n; cut++)
    {
      memcpy (m.b, full.b, cut);
      m.n = cut;
      g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
    }
  /* TC set, qdcount 2, QR clear, opcode not QUERY: KEEP. */
  m = full;
  m.b[2] |= HEARTH_DNS_FLAG_TC >> 8;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  m = full;
  m.b[5] = 2;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  m = full;
  m.b[2] &= 0x7f;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  m = full;
  m.b[2] |= 0x10; /* opcode 2 */
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  /* A forward compression pointer in an owner: KEEP. */
  question_of ("x.test", HEARTH_DNS_TYPE_A, &q);
  reply_with (&m, "x.test", HEARTH_DNS_TYPE_A, (const char *[]) { "1.1.1.1", NULL });
  m.b[12 + q.name_len + 4 + 1] = 0xff;
  g_assert_cmpint (check (p, &q, &m, &s), ==, HEARTH_DNS_REPLY_KEEP);
  /* Random bytes. */
  for (guint i = 0; i < 2000; i++)
    {
      GRand *rand = g_rand_new_with_seed (i);

      m.n = g_rand_int_range (rand, 0, 200);
      for (gsize j = 0; j < m.n; j++)
        m.b[j] = (guint8) g_rand_int (rand);
      if (m.n > 5)
        {
          m.b[2] |= 0x80;
          m.b[4] = 0;
          m.b[5] = 1;
        }
      hearth_dns_policy_check_reply (p, &q, m.b, m.n, full.b, sizeof full.b, &full.n);
      g_rand_free (rand);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/policy/parse", test_parse);
  g_test_add_func ("/dns/policy/verdict-strings", test_verdict_strings);
  g_test_add_func ("/dns/policy/filterwin2k", test_filterwin2k);
  g_test_add_func ("/dns/policy/filtered-type-forwarded", test_filtered_type_forwarded);
  g_test_add_func ("/dns/policy/bogus-nxdomain", test_bogus_nxdomain);
  g_test_add_func ("/dns/policy/ignore-address", test_ignore_address);
  g_test_add_func ("/dns/policy/alias", test_alias);
  g_test_add_func ("/dns/policy/alias-order", test_alias_order);
  g_test_add_func ("/dns/policy/rebind", test_rebind);
  g_test_add_func ("/dns/policy/rebind-exemptions", test_rebind_exemptions);
  g_test_add_func ("/dns/policy/filter-chain", test_filter_chain);
  g_test_add_func ("/dns/policy/filter-nodata", test_filter_nodata);
  g_test_add_func ("/dns/policy/out-too-small", test_out_too_small);
  g_test_add_func ("/dns/policy/bad-rdata-dropped", test_bad_rdata_dropped);
  g_test_add_func ("/dns/policy/malformed", test_malformed);
  return g_test_run ();
}
