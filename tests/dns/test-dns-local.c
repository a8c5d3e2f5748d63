/* Unit tests of dns-local: hosts text, configured records, CNAME chains,
 * reverse lookups, the DHCP name hook (driven by a fake producer), CHAOS,
 * truncation and round-robin. Queries go in as wire bytes and replies are
 * walked record by record. */
#include "config.h"

#include "dns/dns-local.h"

#include <string.h>

typedef struct {
  guint rcode;
  gboolean aa;
  gboolean tc;
  guint ancount;
  GPtrArray *answers; /* char*: "type:rdata-summary" */
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->answers, g_ptr_array_unref);
}

static gsize
make_query (const char *name, guint16 qtype, guint16 qclass, gboolean edns, guint8 *buf)
{
  gsize len, pos = 12;

  memset (buf, 0, 12);
  buf[0] = 0x12;
  buf[1] = 0x34;
  buf[2] = 0x01; /* RD */
  buf[5] = 1;
  g_assert_true (hearth_dns_name_from_string (name, buf + pos, &len));
  pos += len;
  buf[pos++] = (guint8) (qtype >> 8);
  buf[pos++] = (guint8) qtype;
  buf[pos++] = (guint8) (qclass >> 8);
  buf[pos++] = (guint8) qclass;
  if (edns)
    {
      static const guint8 opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

      buf[11] = 1;
      memcpy (buf + pos, opt, sizeof opt);
      pos += sizeof opt;
    }
  return pos;
}

/* Answers name/type from local data; FALSE when local data passed. */
static gboolean
ask_full (HearthDnsLocal *local, const char *name, guint16 qtype, guint16 qclass, gsize limit, Reply *out)
{
  guint8 q[512], buf[4096];
  gsize qlen = make_query (name, qtype, qclass, FALSE, q), len;
  HearthDnsQuery query;
  HearthDnsLocalContext ctx = { .limit = limit };
  HearthDnsReader r;
  HearthDnsHeader h;

  g_assert_cmpint (hearth_dns_query_parse (q, qlen, &query), ==, HEARTH_DNS_PARSE_OK);
  len = hearth_dns_local_answer (local, &query, &ctx, buf, sizeof buf);
  memset (out, 0, sizeof *out);
  if (len == 0)
    return FALSE;
  out->answers = g_ptr_array_new_with_free_func (g_free);
  hearth_dns_reader_init (&r, buf, len);
  g_assert_true (hearth_dns_reader_u16 (&r, &h.id));
  g_assert_cmpuint (h.id, ==, 0x1234);
  g_assert_true (hearth_dns_reader_u16 (&r, &h.flags));
  g_assert_true (hearth_dns_reader_u16 (&r, &h.qdcount));
  g_assert_true (hearth_dns_reader_u16 (&r, &h.ancount));
  g_assert_true (hearth_dns_reader_u16 (&r, &h.nscount));
  g_assert_true (hearth_dns_reader_u16 (&r, &h.arcount));
  g_assert_true (h.flags & HEARTH_DNS_FLAG_QR);
  g_assert_true (h.flags & HEARTH_DNS_FLAG_RD);
  out->rcode = h.flags & HEARTH_DNS_RCODE_MASK;
  out->aa = (h.flags & HEARTH_DNS_FLAG_AA) != 0;
  out->tc = (h.flags & HEARTH_DNS_FLAG_TC) != 0;
  out->ancount = h.ancount;
  g_assert_true (hearth_dns_reader_name (&r, NULL, NULL));
  g_assert_true (hearth_dns_reader_skip (&r, 4));
  for (guint i = 0; i < h.ancount; i++)
    {
      guint8 owner[HEARTH_DNS_NAME_MAX];
      gsize owner_len;
      guint16 type, rclass, rdlength;
      guint32 ttl;
      char owner_text[1024], rdata_text[1024];

      g_assert_true (hearth_dns_reader_name (&r, owner, &owner_len));
      g_assert_true (hearth_dns_reader_u16 (&r, &type));
      g_assert_true (hearth_dns_reader_u16 (&r, &rclass));
      g_assert_true (hearth_dns_reader_u32 (&r, &ttl));
      g_assert_true (hearth_dns_reader_u16 (&r, &rdlength));
      g_assert_cmpuint (r.size - r.pos, >=, rdlength);
      hearth_dns_name_to_string (owner, owner_len, owner_text, sizeof owner_text);
      if (type == HEARTH_DNS_TYPE_A && rdlength == 4)
        g_snprintf (rdata_text, sizeof rdata_text, "%u.%u.%u.%u", r.data[r.pos], r.data[r.pos + 1],
                    r.data[r.pos + 2], r.data[r.pos + 3]);
      else if (type == HEARTH_DNS_TYPE_AAAA && rdlength == 16)
        {
          HearthDnsAddr a;

          hearth_dns_addr_from_bytes (AF_INET6, r.data + r.pos, &a);
          hearth_dns_addr_to_string (&a, rdata_text, sizeof rdata_text);
        }
      else if (type == HEARTH_DNS_TYPE_CNAME || type == HEARTH_DNS_TYPE_PTR)
        hearth_dns_name_to_string (r.data + r.pos, rdlength, rdata_text, sizeof rdata_text);
      else if (type == HEARTH_DNS_TYPE_TXT && rdlength > 0)
        g_snprintf (rdata_text, sizeof rdata_text, "%.*s", r.data[r.pos], (const char *) r.data + r.pos + 1);
      else
        g_snprintf (rdata_text, sizeof rdata_text, "%u bytes", rdlength);
      g_ptr_array_add (out->answers, g_strdup_printf ("%s %u %u %s", owner_text, type, ttl, rdata_text));
      g_assert_true (hearth_dns_reader_skip (&r, rdlength));
    }
  return TRUE;
}

static gboolean
ask (HearthDnsLocal *local, const char *name, guint16 qtype, Reply *out)
{
  return ask_full (local, name, qtype, HEARTH_DNS_CLASS_IN, 4096, out);
}

static gboolean
has_answer (const Reply *r, const char *text)
{
  for (guint i = 0; r->answers != NULL && i < r->answers->len; i++)
    if (strcmp (g_ptr_array_index (r->answers, i), text) == 0)
      return TRUE;
  return FALSE;
}

static void
test_hosts (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  const char *hosts = "192.0.2.1 alpha alpha-alias.example\n"
                      "2001:db8::1 alpha\n"
                      "192.0.2.2 beta\n"
                      "192.0.2.1 later-name\n"
                      "not-an-address foo\n";
  Reply r;

  config->local_ttl = 7;
  local = hearth_dns_local_new (config);
  g_test_expect_message ("hearth-dns", G_LOG_LEVEL_WARNING, "test-hosts:5: *");
  g_assert_cmpuint (hearth_dns_local_add_hosts_text (local, "test-hosts", hosts, strlen (hosts)), >=, 5);
  g_test_assert_expected_messages ();

  g_assert_true (ask (local, "ALPHA", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.rcode, ==, HEARTH_DNS_RCODE_NOERROR);
  g_assert_true (r.aa);
  g_assert_cmpuint (r.ancount, ==, 1);
  /* The owner is a pointer to the question: the client's case. */
  g_assert_true (has_answer (&r, "ALPHA 1 7 192.0.2.1"));
  reply_clear (&r);

  g_assert_true (ask (local, "alpha", HEARTH_DNS_TYPE_AAAA, &r));
  g_assert_true (has_answer (&r, "alpha 28 7 2001:db8::1"));
  reply_clear (&r);

  /* A name with only an IPv4 address: AAAA is "no data", not forwarded. */
  g_assert_true (ask (local, "beta", HEARTH_DNS_TYPE_AAAA, &r));
  g_assert_cmpuint (r.rcode, ==, HEARTH_DNS_RCODE_NOERROR);
  g_assert_cmpuint (r.ancount, ==, 0);
  reply_clear (&r);

  /* PTR: the first name of the first line with the address. */
  g_assert_true (ask (local, "1.2.0.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, &r));
  g_assert_cmpuint (r.ancount, ==, 1);
  g_assert_true (has_answer (&r, "1.2.0.192.in-addr.arpa 12 7 alpha"));
  reply_clear (&r);

  /* Not ours: local data passes. */
  g_assert_false (ask (local, "gamma", HEARTH_DNS_TYPE_A, &r));
  g_assert_false (ask (local, "foo", HEARTH_DNS_TYPE_A, &r));

  /* One file can be taken out again. */
  hearth_dns_local_remove_hosts_file (local, "test-hosts");
  g_assert_false (ask (local, "alpha", HEARTH_DNS_TYPE_A, &r));
}

static void
test_expand_hosts (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  g_autoptr (HearthDnsDomainRule) rule = NULL;
  g_autoptr (HearthDnsDomainRule) rule2 = NULL;
  const char *hosts = "192.168.1.5 printer\n10.0.0.7 nas other.example\n";
  Reply r;

  config->expand_hosts = TRUE;
  g_assert_true (hearth_dns_domain_rule_parse ("lan", &rule, NULL));
  g_ptr_array_add (config->domain_rules, g_steal_pointer (&rule));
  g_assert_true (hearth_dns_domain_rule_parse ("office.example,10.0.0.0/8", &rule2, NULL));
  g_ptr_array_add (config->domain_rules, g_steal_pointer (&rule2));
  local = hearth_dns_local_new (config);
  hearth_dns_local_add_hosts_text (local, "h", hosts, strlen (hosts));

  g_assert_true (ask (local, "printer.lan", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (has_answer (&r, "printer.lan 1 0 192.168.1.5"));
  reply_clear (&r);
  g_assert_true (ask (local, "printer", HEARTH_DNS_TYPE_A, &r));
  reply_clear (&r);
  /* The subnet's domain, not the default one. */
  g_assert_true (ask (local, "nas.office.example", HEARTH_DNS_TYPE_A, &r));
  reply_clear (&r);
  g_assert_false (ask (local, "nas.lan", HEARTH_DNS_TYPE_A, &r));
  /* Names with a dot are not expanded. */
  g_assert_false (ask (local, "other.example.office.example", HEARTH_DNS_TYPE_A, &r));
  /* The reverse answer is the full name. */
  g_assert_true (ask (local, "5.1.168.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, &r));
  g_assert_true (has_answer (&r, "5.1.168.192.in-addr.arpa 12 0 printer.lan"));
  reply_clear (&r);
}

static void
test_cname_chain (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  Reply r;

  g_assert_true (hearth_dns_record_parse_host_record ("target.example,192.0.2.9", NULL, config->records, NULL));
  g_assert_true (hearth_dns_record_parse_cname ("one.example,two.example,60", NULL, config->records, NULL));
  g_assert_true (hearth_dns_record_parse_cname ("two.example,target.example", NULL, config->records, NULL));
  g_assert_true (hearth_dns_record_parse_cname ("dangling.example,elsewhere.example", NULL, config->records, NULL));
  g_assert_true (hearth_dns_record_parse_cname ("loop1.example,loop2.example", NULL, config->records, NULL));
  g_assert_true (hearth_dns_record_parse_cname ("loop2.example,loop1.example", NULL, config->records, NULL));
  config->local_ttl = 5;
  local = hearth_dns_local_new (config);

  g_assert_true (ask (local, "One.Example", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.ancount, ==, 3);
  g_assert_true (has_answer (&r, "One.Example 5 60 two.example"));
  g_assert_true (has_answer (&r, "two.example 5 5 target.example"));
  g_assert_true (has_answer (&r, "target.example 1 5 192.0.2.9"));
  reply_clear (&r);

  /* CNAME queries get the alias alone. */
  g_assert_true (ask (local, "one.example", HEARTH_DNS_TYPE_CNAME, &r));
  g_assert_cmpuint (r.ancount, ==, 1);
  reply_clear (&r);

  /* A target we do not know: the CNAME, the resolver carries on. */
  g_assert_true (ask (local, "dangling.example", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.ancount, ==, 1);
  reply_clear (&r);

  /* A loop ends after a bounded number of hops. */
  g_assert_true (ask (local, "loop1.example", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.ancount, <=, 11);
  reply_clear (&r);
}

/* The fake producer: what the DHCP server will do with lease names. */
static void
test_name_hook (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  g_autoptr (HearthDnsDomainRule) rule = NULL;
  g_autoptr (GError) error = NULL;
  const char *hosts = "192.168.0.50 fixed\n";
  HearthDnsAddr a1, a2, a3;
  HearthDnsNameHandle h1, h2, h3;
  Reply r;

  g_assert_true (hearth_dns_domain_rule_parse ("home.lan,192.168.0.0/24", &rule, NULL));
  g_ptr_array_add (config->domain_rules, g_steal_pointer (&rule));
  config->dhcp_ttl = 30;
  config->dhcp_ttl_set = TRUE;
  local = hearth_dns_local_new (config);
  hearth_dns_local_add_hosts_text (local, "h", hosts, strlen (hosts));
  g_assert_true (hearth_dns_addr_parse ("192.168.0.10", &a1));
  g_assert_true (hearth_dns_addr_parse ("192.168.0.11", &a2));
  g_assert_true (hearth_dns_addr_parse ("192.168.0.12", &a3));

  /* A lease name appears: plain, in the subnet's domain, and in reverse. */
  h1 = hearth_dns_local_add_name (local, "Laptop", &a1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (h1, !=, 0);
  g_assert_true (ask (local, "laptop.home.lan", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (has_answer (&r, "laptop.home.lan 1 30 192.168.0.10"));
  reply_clear (&r);
  g_assert_true (ask (local, "laptop", HEARTH_DNS_TYPE_A, &r));
  reply_clear (&r);
  g_assert_true (ask (local, "10.0.168.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, &r));
  g_assert_true (has_answer (&r, "10.0.168.192.in-addr.arpa 12 30 laptop.home.lan"));
  reply_clear (&r);

  /* A full name must be in the domain its address gets. */
  g_assert_cmpuint (hearth_dns_local_add_name (local, "phone.elsewhere.org", &a2, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (ask (local, "phone", HEARTH_DNS_TYPE_A, &r));
  h2 = hearth_dns_local_add_name (local, "phone.home.lan", &a2, &error);
  g_assert_no_error (error);
  g_assert_true (ask (local, "phone", HEARTH_DNS_TYPE_A, &r));
  reply_clear (&r);

  /* Not a host name. */
  g_assert_cmpuint (hearth_dns_local_add_name (local, "bad name!", &a3, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Hosts files win: a lease cannot take "fixed" with another address. */
  g_assert_cmpuint (hearth_dns_local_add_name (local, "fixed", &a3, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* The newer lease wins a name; the older one's handle stays harmless. */
  h3 = hearth_dns_local_add_name (local, "laptop", &a3, &error);
  g_assert_no_error (error);
  g_assert_true (ask (local, "laptop", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.ancount, ==, 1);
  g_assert_true (has_answer (&r, "laptop 1 30 192.168.0.12"));
  reply_clear (&r);
  g_assert_true (hearth_dns_local_remove_name (local, h1));
  g_assert_true (ask (local, "laptop", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (has_answer (&r, "laptop 1 30 192.168.0.12"));
  reply_clear (&r);

  /* Names disappear with their lease. */
  g_assert_true (hearth_dns_local_remove_name (local, h3));
  g_assert_false (ask (local, "laptop", HEARTH_DNS_TYPE_A, &r));
  g_assert_false (ask (local, "12.0.168.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, &r));
  g_assert_false (hearth_dns_local_remove_name (local, h3));
  g_assert_true (hearth_dns_local_remove_name (local, h2));
  g_assert_false (ask (local, "phone.home.lan", HEARTH_DNS_TYPE_A, &r));
}

/* --dhcp-fqdn: only the qualified name, so one label in two domains is
 * two names that both stay. */
static void
test_name_hook_fqdn_only (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  g_autoptr (HearthDnsDomainRule) rule1 = NULL;
  g_autoptr (HearthDnsDomainRule) rule2 = NULL;
  g_autoptr (GError) error = NULL;
  HearthDnsAddr a1, a2;
  Reply r;

  g_assert_true (hearth_dns_domain_rule_parse ("one.lan,192.168.1.0/24", &rule1, NULL));
  g_assert_true (hearth_dns_domain_rule_parse ("two.lan,192.168.2.0/24", &rule2, NULL));
  g_ptr_array_add (config->domain_rules, g_steal_pointer (&rule1));
  g_ptr_array_add (config->domain_rules, g_steal_pointer (&rule2));
  config->dhcp_fqdn = TRUE;
  local = hearth_dns_local_new (config);
  g_assert_true (hearth_dns_addr_parse ("192.168.1.10", &a1));
  g_assert_true (hearth_dns_addr_parse ("192.168.2.10", &a2));
  g_assert_cmpuint (hearth_dns_local_add_name (local, "pc", &a1, &error), !=, 0);
  g_assert_cmpuint (hearth_dns_local_add_name (local, "pc", &a2, &error), !=, 0);
  g_assert_no_error (error);
  g_assert_false (ask (local, "pc", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (ask (local, "pc.one.lan", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (has_answer (&r, "pc.one.lan 1 0 192.168.1.10"));
  reply_clear (&r);
  g_assert_true (ask (local, "pc.two.lan", HEARTH_DNS_TYPE_A, &r));
  g_assert_true (has_answer (&r, "pc.two.lan 1 0 192.168.2.10"));
  reply_clear (&r);
}

static void
test_chaos (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  Reply r;

  config->hostname = g_strdup ("testhost");
  local = hearth_dns_local_new (config);
  g_assert_true (ask_full (local, "version.bind", HEARTH_DNS_TYPE_TXT, HEARTH_DNS_CLASS_CH, 4096, &r));
  g_assert_true (has_answer (&r, "version.bind 16 0 hearth-" PACKAGE_VERSION));
  reply_clear (&r);
  g_assert_true (ask_full (local, "ID.SERVER", HEARTH_DNS_TYPE_TXT, HEARTH_DNS_CLASS_CH, 4096, &r));
  g_assert_true (has_answer (&r, "ID.SERVER 16 0 testhost"));
  reply_clear (&r);
  /* Other CHAOS names, and all of them with --no-ident: NOTIMP, never
   * forwarded. */
  g_assert_true (ask_full (local, "other.bind", HEARTH_DNS_TYPE_TXT, HEARTH_DNS_CLASS_CH, 4096, &r));
  g_assert_cmpuint (r.rcode, ==, HEARTH_DNS_RCODE_NOTIMP);
  reply_clear (&r);
  config->no_ident = TRUE;
  g_assert_true (ask_full (local, "version.bind", HEARTH_DNS_TYPE_TXT, HEARTH_DNS_CLASS_CH, 4096, &r));
  g_assert_cmpuint (r.rcode, ==, HEARTH_DNS_RCODE_NOTIMP);
  g_assert_cmpuint (r.ancount, ==, 0);
  reply_clear (&r);
}

static void
test_truncation_and_rotation (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  GString *hosts = g_string_new (NULL);
  g_autofree char *first_a = NULL;
  Reply r;

  for (guint i = 1; i <= 40; i++)
    g_string_append_printf (hosts, "10.0.0.%u many\n", i);
  local = hearth_dns_local_new (config);
  hearth_dns_local_add_hosts_text (local, "h", hosts->str, hosts->len);
  g_string_free (hosts, TRUE);

  /* 40 A records do not fit 512 bytes: TC and no records. */
  g_assert_true (ask_full (local, "many", HEARTH_DNS_TYPE_A, HEARTH_DNS_CLASS_IN, 512, &r));
  g_assert_true (r.tc);
  g_assert_cmpuint (r.ancount, ==, 0);
  reply_clear (&r);

  /* They rotate from one answer to the next... */
  g_assert_true (ask (local, "many", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpuint (r.ancount, ==, 40);
  first_a = g_strdup (g_ptr_array_index (r.answers, 0));
  reply_clear (&r);
  g_assert_true (ask (local, "many", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpstr (g_ptr_array_index (r.answers, 0), !=, first_a);
  reply_clear (&r);

  /* ...unless --no-round-robin. */
  config->no_round_robin = TRUE;
  g_assert_true (ask (local, "many", HEARTH_DNS_TYPE_A, &r));
  g_clear_pointer (&first_a, g_free);
  first_a = g_strdup (g_ptr_array_index (r.answers, 0));
  reply_clear (&r);
  g_assert_true (ask (local, "many", HEARTH_DNS_TYPE_A, &r));
  g_assert_cmpstr (g_ptr_array_index (r.answers, 0), ==, first_a);
  reply_clear (&r);
}

static void
test_localise (void)
{
  g_autoptr (HearthDnsConfig) config = hearth_dns_config_new ();
  g_autoptr (HearthDnsLocal) local = NULL;
  GPtrArray *ifaces = g_ptr_array_new ();
  HearthDnsInterface *iface = g_new0 (HearthDnsInterface, 1);
  HearthDnsAddr a;
  const char *hosts = "192.168.1.1 router\n10.1.0.1 router\n";
  guint8 q[512], buf[1024];
  gsize qlen;
  HearthDnsQuery query;
  HearthDnsLocalContext ctx = { .ifindex = 7, .limit = 4096 };

  config->localise_queries = TRUE;
  local = hearth_dns_local_new (config);
  iface->name = g_strdup ("eth7");
  iface->index = 7;
  iface->addrs = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  /* As the interface list has it: the address, with its subnet's length. */
  g_assert_true (hearth_dns_addr_parse ("10.1.0.200", &a));
  a.prefix_len = 16;
  g_array_append_val (iface->addrs, a);
  g_ptr_array_add (ifaces, iface);
  hearth_dns_local_set_interfaces (local, ifaces);
  hearth_dns_local_add_hosts_text (local, "h", hosts, strlen (hosts));

  qlen = make_query ("router", HEARTH_DNS_TYPE_A, HEARTH_DNS_CLASS_IN, TRUE, q);
  g_assert_cmpint (hearth_dns_query_parse (q, qlen, &query), ==, HEARTH_DNS_PARSE_OK);
  for (guint i = 0; i < 3; i++)
    {
      gsize len = hearth_dns_local_answer (local, &query, &ctx, buf, sizeof buf);

      /* One answer, the one on eth7's subnet (and the OPT record). */
      g_assert_cmpuint (len, >, 0);
      g_assert_cmpuint (buf[7], ==, 1);
      g_assert_cmpuint (buf[11], ==, 1);
      g_assert_cmpmem (buf + qlen - 11 + 12, 4, "\x0a\x01\x00\x01", 4);
    }
  /* From another interface: both. */
  ctx.ifindex = 3;
  g_assert_cmpuint (hearth_dns_local_answer (local, &query, &ctx, buf, sizeof buf), >, 0);
  g_assert_cmpuint (buf[7], ==, 2);
  /* Interface unknown (TCP), but the address the query was sent to
   * tells. */
  ctx.ifindex = 0;
  g_assert_true (hearth_dns_addr_parse ("10.1.0.200", &ctx.dst));
  g_assert_cmpuint (hearth_dns_local_answer (local, &query, &ctx, buf, sizeof buf), >, 0);
  g_assert_cmpuint (buf[7], ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/local/hosts", test_hosts);
  g_test_add_func ("/dns/local/expand-hosts", test_expand_hosts);
  g_test_add_func ("/dns/local/cname-chain", test_cname_chain);
  g_test_add_func ("/dns/local/name-hook", test_name_hook);
  g_test_add_func ("/dns/local/name-hook-fqdn-only", test_name_hook_fqdn_only);
  g_test_add_func ("/dns/local/chaos", test_chaos);
  g_test_add_func ("/dns/local/truncation-rotation", test_truncation_and_rotation);
  g_test_add_func ("/dns/local/localise", test_localise);
  return g_test_run ();
}
