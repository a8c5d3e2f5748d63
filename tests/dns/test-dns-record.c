/* Unit tests of dns-record: the record constructors, every record option
 * parser (good forms with the exact rdata bytes, bad forms with their
 * messages), the --domain, --address and --interface-name values, and the
 * --synth-domain name <-> address conversions.
 *
 * The expected forms and defaults are the ones dnsmasq 2.90 gives when run
 * with the same option (checked with dig); where hearth deliberately
 * differs the test says so.
 */
#include "config.h"

#include "dns/dns-record.h"

#include "config/config-parser.h"

#include <arpa/inet.h>
#include <string.h>

typedef gboolean (*RecordParser) (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);

static GPtrArray *
records_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_record_free);
}

static GPtrArray *
parse_ok (RecordParser parse, const char *value)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *out = records_new ();

  if (!parse (value, NULL, out, &error))
    g_error ("'%s' did not parse: %s", value, error->message);
  g_assert_cmpuint (out->len, >, 0);
  return out;
}

/* The parser fails, appends nothing, and its message contains expected. */
static void
parse_bad (RecordParser parse, const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) out = records_new ();

  if (parse (value, NULL, out, &error))
    g_error ("'%s' parsed but should not", value);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", value, error->message, expected);
  g_assert_cmpuint (out->len, ==, 0);
}

/* A config-file line through the real tokenizer, so the quoting is the
 * daemon's. */
static HearthConfigItem *
config_line (const char *line)
{
  g_autoptr (GError) error = NULL;
  HearthConfigItem *item = NULL;

  g_assert_true (hearth_config_parse_line (line, "test.conf", 1, &item, &error));
  g_assert_no_error (error);
  g_assert_nonnull (item);
  return item;
}

static GPtrArray *
parse_line_ok (RecordParser parse, const char *line)
{
  g_autoptr (HearthConfigItem) item = config_line (line);
  g_autoptr (GError) error = NULL;
  GPtrArray *out = records_new ();

  if (!parse (item->value, item->quoted, out, &error))
    g_error ("'%s' did not parse: %s", line, error->message);
  return out;
}

static GBytes *
hex (const char *text)
{
  GByteArray *b = g_byte_array_new ();

  for (const char *p = text; *p != '\0';)
    {
      guint8 byte;

      if (*p == ' ')
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      byte = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (b, &byte, 1);
      p += 2;
    }
  return g_byte_array_free_to_bytes (b);
}

static void
assert_bytes (const guint8 *data, gsize len, const char *expected_hex)
{
  g_autoptr (GBytes) expected = hex (expected_hex);
  gsize expected_len;
  const guint8 *expected_data = g_bytes_get_data (expected, &expected_len);

  g_assert_cmpmem (data, len, expected_data, expected_len);
}

/* Wire form of a presentation name, for comparisons. */
static void
assert_name (const guint8 *wire, gsize len, const char *expected)
{
  char buf[1024];

  g_assert_cmpstr (hearth_dns_name_to_string (wire, len, buf, sizeof buf), ==, expected);
}

static void
assert_record (const HearthDnsRecord *r, const char *name, guint16 type, guint32 ttl, const char *rdata_hex)
{
  assert_name (r->name, r->name_len, name);
  g_assert_cmpuint (r->type, ==, type);
  g_assert_cmpuint (r->rclass, ==, HEARTH_DNS_CLASS_IN);
  g_assert_cmpuint (r->ttl, ==, ttl);
  assert_bytes (r->rdata, r->rdlength, rdata_hex);
}

static void
assert_record_string (const HearthDnsRecord *r, const char *expected)
{
  g_autofree char *s = hearth_dns_record_to_string (r);

  g_assert_cmpstr (s, ==, expected);
}

#define REC(a, i) ((const HearthDnsRecord *) g_ptr_array_index ((a), (i)))
#define LOCAL HEARTH_DNS_TTL_LOCAL

/* ---- records ---- */

static void
test_record_new (void)
{
  static const guint8 name[] = "\003WWW\007Example\000";
  static const guint8 lower[] = "\003www\007example\000";
  static const guint8 target[] = "\004Host\000";
  HearthDnsAddr addr;
  g_autoptr (HearthDnsRecord) a = NULL;
  g_autoptr (HearthDnsRecord) b = NULL;
  g_autoptr (HearthDnsRecord) c = NULL;
  g_autoptr (HearthDnsRecord) d = NULL;
  g_autoptr (HearthDnsRecord) e = NULL;

  g_assert_true (hearth_dns_addr_parse ("192.0.2.1", &addr));
  a = hearth_dns_record_new_address (name, sizeof name - 1, &addr, 60);
  /* The owner is lower-cased in the copy, the caller's bytes untouched. */
  g_assert_cmpmem (a->name, a->name_len, lower, sizeof lower - 1);
  g_assert_cmpuint (name[1], ==, 'W');
  g_assert_cmpuint (a->type, ==, HEARTH_DNS_TYPE_A);
  assert_bytes (a->rdata, a->rdlength, "c0000201");
  /* One allocation: name and rdata follow the struct. */
  g_assert_true ((guint8 *) a->name == (guint8 *) (a + 1));
  g_assert_true (a->rdata == a->name + a->name_len);
  assert_record_string (a, "www.example. A 192.0.2.1");

  b = hearth_dns_record_new_address (lower, sizeof lower - 1, &addr, 5);
  g_assert_true (hearth_dns_record_equal (a, b)); /* TTL ignored */
  g_assert_true (hearth_dns_addr_parse ("192.0.2.2", &addr));
  c = hearth_dns_record_new_address (lower, sizeof lower - 1, &addr, 60);
  g_assert_false (hearth_dns_record_equal (a, c));

  g_assert_true (hearth_dns_addr_parse ("2001:db8::1", &addr));
  d = hearth_dns_record_new_address (lower, sizeof lower - 1, &addr, 60);
  g_assert_cmpuint (d->type, ==, HEARTH_DNS_TYPE_AAAA);
  g_assert_cmpuint (d->rdlength, ==, 16);
  assert_record_string (d, "www.example. AAAA 2001:db8::1");

  /* Names inside rdata keep their case. */
  e = hearth_dns_record_new_name (name, sizeof name - 1, HEARTH_DNS_TYPE_CNAME, target, sizeof target - 1, 0);
  g_assert_cmpmem (e->rdata, e->rdlength, target, sizeof target - 1);
  assert_record_string (e, "www.example. CNAME Host.");
  g_assert_false (hearth_dns_record_equal (a, e));

  {
    g_autoptr (HearthDnsRecord) empty =
        hearth_dns_record_new (lower, sizeof lower - 1, 999, HEARTH_DNS_CLASS_IN, 0, NULL, 0);
    g_autoptr (HearthDnsRecord) empty2 =
        hearth_dns_record_new (lower, sizeof lower - 1, 999, HEARTH_DNS_CLASS_IN, 0, NULL, 0);

    g_assert_cmpuint (empty->rdlength, ==, 0);
    g_assert_true (hearth_dns_record_equal (empty, empty2));
    assert_record_string (empty, "www.example. TYPE999 \\# 0 ");
  }
  hearth_dns_record_free (NULL);
}

static void
test_hostname (void)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
  g_autofree char *long_label = g_strnfill (63, 'a');
  g_autofree char *too_long_label = g_strnfill (64, 'a');
  g_autoptr (GString) max = g_string_new (NULL);

  g_assert_true (hearth_dns_hostname_to_wire ("Laptop.Example.ORG", wire, &len));
  g_assert_cmpmem (wire, len, "\006laptop\007example\003org", 20);
  g_assert_true (hearth_dns_hostname_to_wire ("laptop.", wire, &len));
  g_assert_cmpmem (wire, len, "\006laptop", 8);
  g_assert_true (hearth_dns_hostname_to_wire ("_ldap._tcp", wire, &len));
  g_assert_true (hearth_dns_hostname_to_wire (long_label, wire, &len));
  g_assert_cmpuint (len, ==, 65);

  g_assert_false (hearth_dns_hostname_to_wire ("", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire (".", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire ("a..b", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire (".a", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire ("a b", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire ("a*b", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire ("a.b..", wire, &len));
  g_assert_false (hearth_dns_hostname_to_wire (too_long_label, wire, &len));

  /* 253 characters is the most a name can have. */
  while (max->len < 253)
    g_string_append (max, max->len == 252 ? "a" : "a.");
  g_assert_cmpuint (max->len, ==, 253);
  g_assert_true (hearth_dns_hostname_to_wire (max->str, wire, &len));
  g_assert_cmpuint (len, ==, 255);
  g_string_append (max, "a");
  g_assert_false (hearth_dns_hostname_to_wire (max->str, wire, &len));
}

static void
test_host_record (void)
{
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_host_record,
                                        "Laptop,laptop.example.org,192.0.2.1,2001:db8::1,300");

    /* A and AAAA per name, then one PTR per address to the first name. */
    g_assert_cmpuint (r->len, ==, 6);
    assert_record (REC (r, 0), "laptop", HEARTH_DNS_TYPE_A, 300, "c0000201");
    assert_record (REC (r, 1), "laptop", HEARTH_DNS_TYPE_AAAA, 300, "20010db8000000000000000000000001");
    assert_record (REC (r, 2), "laptop.example.org", HEARTH_DNS_TYPE_A, 300, "c0000201");
    assert_record (REC (r, 3), "laptop.example.org", HEARTH_DNS_TYPE_AAAA, 300,
                   "20010db8000000000000000000000001");
    /* The PTR target keeps the case it was written in. */
    assert_record (REC (r, 4), "1.2.0.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, 300, "064c6170746f7000");
    assert_record (REC (r, 5),
                   "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                   HEARTH_DNS_TYPE_PTR, 300, "064c6170746f7000");
  }
  {
    /* Any order, empty fields skipped, no TTL: the local TTL. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_host_record, "192.0.2.1, a.test,,");

    g_assert_cmpuint (r->len, ==, 2);
    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_A, LOCAL, "c0000201");
    assert_record (REC (r, 1), "1.2.0.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, LOCAL, "01610474657374 00");
  }
  {
    /* IPv6 only ("name,,::1"), TTL 0 is a TTL. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_host_record, "a.test,,::1,0");

    g_assert_cmpuint (r->len, ==, 2);
    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_AAAA, 0, "00000000000000000000000000000001");
  }
  {
    /* Every address is used (dnsmasq 2.90 keeps the last of each family). */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_host_record, "a.test,192.0.2.1,192.0.2.2");

    g_assert_cmpuint (r->len, ==, 4);
    assert_record (REC (r, 1), "a.test", HEARTH_DNS_TYPE_A, LOCAL, "c0000202");
    assert_record (REC (r, 3), "2.2.0.192.in-addr.arpa", HEARTH_DNS_TYPE_PTR, LOCAL, "01610474657374 00");
  }

  parse_bad (hearth_dns_record_parse_host_record, "a.test", "needs a name and an address");
  parse_bad (hearth_dns_record_parse_host_record, "192.0.2.1", "needs a name and an address");
  parse_bad (hearth_dns_record_parse_host_record, "", "needs a name and an address");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,1.2.3", "bad address '1.2.3'");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,fe80::1%lo", "bad address 'fe80::1%lo'");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,192.0.2.1,-1", "bad TTL '-1'");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,192.0.2.1,4294967295", "bad TTL '4294967295'");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,192.0.2.1,300,400", "more than one TTL");
  parse_bad (hearth_dns_record_parse_host_record, "a test,192.0.2.1", "bad name 'a test'");
  parse_bad (hearth_dns_record_parse_host_record, "a..test,192.0.2.1", "bad name 'a..test'");
  parse_bad (hearth_dns_record_parse_host_record, "a.test,192.0.2.1,\001", "bad name '\\001'");
}

static void
test_cname (void)
{
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_cname, "a.test,B.test,Target.test,300");

    g_assert_cmpuint (r->len, ==, 2);
    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_CNAME, 300, "06546172676574 0474657374 00");
    assert_record (REC (r, 1), "b.test", HEARTH_DNS_TYPE_CNAME, 300, "06546172676574 0474657374 00");
    assert_record_string (REC (r, 1), "b.test. CNAME Target.test.");
  }
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_cname, "a.test,t.test");

    g_assert_cmpuint (r->len, ==, 1);
    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_CNAME, LOCAL, "0174 0474657374 00");
  }
  {
    /* Two fields: the digits are the target, as in dnsmasq. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_cname, "a.test,300");

    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_CNAME, LOCAL, "03333030 00");
  }
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_cname, "a.test,t.test,0");

    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_CNAME, 0, "0174 0474657374 00");
  }

  parse_bad (hearth_dns_record_parse_cname, "a.test", "needs a name and a target");
  parse_bad (hearth_dns_record_parse_cname, "a.test,", "needs a name and a target");
  parse_bad (hearth_dns_record_parse_cname, "a.test,,300", "needs a name and a target");
  parse_bad (hearth_dns_record_parse_cname, "a.test,t.test,99999999999", "bad TTL '99999999999'");
  parse_bad (hearth_dns_record_parse_cname, "a.test,A.TEST", "'a.test' points at itself");
  parse_bad (hearth_dns_record_parse_cname, "a b,t.test", "bad name 'a b'");
  parse_bad (hearth_dns_record_parse_cname, "a.test,t..test", "bad target 't..test'");
  /* A wildcard alias only means something in dnsmasq's authoritative mode. */
  parse_bad (hearth_dns_record_parse_cname, "*.a.test,t.test", "bad name '*.a.test'");
}

static void
srv_ok (const char *value, const char *domain, const char *name, const char *rdata_hex)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) r = records_new ();

  if (!hearth_dns_record_parse_srv (value, domain, r, &error))
    g_error ("'%s' did not parse: %s", value, error->message);
  g_assert_cmpuint (r->len, ==, 1);
  assert_record (REC (r, 0), name, HEARTH_DNS_TYPE_SRV, LOCAL, rdata_hex);
}

static void
srv_bad (const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) r = records_new ();

  g_assert_false (hearth_dns_record_parse_srv (value, NULL, r, &error));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpuint (r->len, ==, 0);
}

static void
test_srv (void)
{
  /* priority 1, weight 2, port 389 (the option's order is port, priority,
   * weight; the wire's is priority, weight, port). */
  srv_ok ("_ldap._tcp.example.com,ldapserver.example.com,389,1,2", NULL, "_ldap._tcp.example.com",
          "0001 0002 0185 0a6c6461707365727665720765 78616d706c6503636f6d00");
  /* Defaults as dnsmasq 2.90 answers them: port 1, priority and weight 0. */
  srv_ok ("_ldap._tcp.example.com,ldap", NULL, "_ldap._tcp.example.com", "0000 0000 0001 046c646170 00");
  /* No target, or an empty one: "." (not available). */
  srv_ok ("_ldap._tcp.example.com", NULL, "_ldap._tcp.example.com", "0000 0000 0001 00");
  srv_ok ("_ldap._tcp.example.com,,389", NULL, "_ldap._tcp.example.com", "0000 0000 0185 00");
  srv_ok ("_ldap._tcp.example.com,.", NULL, "_ldap._tcp.example.com", "0000 0000 0001 00");
  srv_ok ("_x._tcp.example.com,h,0,65535,65535", NULL, "_x._tcp.example.com", "ffff ffff 0000 0168 00");
  /* The default domain goes on a two-label name only. */
  srv_ok ("_ldap._tcp,ldap", "dom.test", "_ldap._tcp.dom.test", "0000 0000 0001 046c646170 00");
  srv_ok ("_ldap._tcp.,ldap", "dom.test", "_ldap._tcp.dom.test", "0000 0000 0001 046c646170 00");
  srv_ok ("_ldap._tcp.foo,ldap", "dom.test", "_ldap._tcp.foo", "0000 0000 0001 046c646170 00");
  srv_ok ("_ldap,ldap", "dom.test", "_ldap", "0000 0000 0001 046c646170 00");
  srv_ok ("_ldap._tcp,ldap", NULL, "_ldap._tcp", "0000 0000 0001 046c646170 00");

  srv_bad ("", "needs a name");
  srv_bad ("_ldap._tcp.example.com,ldap,70000", "bad port '70000'");
  srv_bad ("_ldap._tcp.example.com,ldap,389,x", "bad priority 'x'");
  srv_bad ("_ldap._tcp.example.com,ldap,389,1,-2", "bad weight '-2'");
  srv_bad ("_ldap._tcp.example.com,ldap,389,1,2,3", "too many fields");
  srv_bad ("_ldap._tcp.example.com,ldap,", "bad port ''");
  srv_bad ("_ldap._tcp.example.com,a b", "bad name 'a b'");
}

static void
test_txt (void)
{
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, "Example.com,v=spf1 a -all");

    g_assert_cmpuint (r->len, ==, 1);
    assert_record (REC (r, 0), "example.com", HEARTH_DNS_TYPE_TXT, LOCAL, "0d 763d737066312061202d616c6c");
    assert_record_string (REC (r, 0), "example.com. TXT \"v=spf1 a -all\"");
  }
  {
    /* Several strings; spaces around unquoted fields dropped. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, "a.test,one, two ,,x y");

    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_TXT, LOCAL, "036f6e65 0374776f 00 0378 2079");
    assert_record_string (REC (r, 0), "a.test. TXT \"one\" \"two\" \"\" \"x y\"");
  }
  {
    /* No text at all: one empty string, as dnsmasq answers. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, "a.test");
    g_autoptr (GPtrArray) r2 = parse_ok (hearth_dns_record_parse_txt, "a.test,");

    assert_record (REC (r, 0), "a.test", HEARTH_DNS_TYPE_TXT, LOCAL, "00");
    assert_record (REC (r2, 0), "a.test", HEARTH_DNS_TYPE_TXT, LOCAL, "00");
  }
  {
    /* 300 bytes: one string of 255 and one of 45. */
    g_autofree char *text = g_strnfill (300, 'x');
    g_autofree char *value = g_strconcat ("a.test,", text, NULL);
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, value);
    const HearthDnsRecord *rec = REC (r, 0);

    g_assert_cmpuint (rec->rdlength, ==, 302);
    g_assert_cmpuint (rec->rdata[0], ==, 255);
    g_assert_cmpuint (rec->rdata[256], ==, 45);
    g_assert_cmpuint (rec->rdata[257], ==, 'x');
  }
  {
    /* 255 bytes exactly stay one string. */
    g_autofree char *text = g_strnfill (255, 'y');
    g_autofree char *value = g_strconcat ("a.test,", text, NULL);
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, value);

    g_assert_cmpuint (REC (r, 0)->rdlength, ==, 256);
  }
  {
    /* Quotes in a config file: commas and outer spaces kept, escapes done
     * by the tokenizer. */
    g_autoptr (GPtrArray) r =
        parse_line_ok (hearth_dns_record_parse_txt, "txt-record=b.test,\"a,b\",c,\"  e \",x\"1,2\"y,\"q\\\"t\"");

    g_assert_cmpuint (r->len, ==, 1);
    assert_record (REC (r, 0), "b.test", HEARTH_DNS_TYPE_TXT, LOCAL,
                   "03612c62 0163 0420206520 0578312c3279 03712274");
  }
  {
    /* Without the quote map (the command line) a comma splits. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_txt, "b.test,a,b");

    assert_record (REC (r, 0), "b.test", HEARTH_DNS_TYPE_TXT, LOCAL, "0161 0162");
  }

  parse_bad (hearth_dns_record_parse_txt, "", "needs a name");
  parse_bad (hearth_dns_record_parse_txt, ",text", "needs a name");
  parse_bad (hearth_dns_record_parse_txt, "a b,text", "bad name 'a b'");
}

static void
test_ptr (void)
{
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_ptr, "4.3.2.1.in-addr.arpa,Host.test");

    assert_record (REC (r, 0), "4.3.2.1.in-addr.arpa", HEARTH_DNS_TYPE_PTR, LOCAL, "04486f7374 0474657374 00");
  }
  {
    /* DNS-SD: instance names may hold spaces. */
    g_autoptr (GPtrArray) r =
        parse_line_ok (hearth_dns_record_parse_ptr, "ptr-record=_ipp._tcp.lan,\"My Printer._ipp._tcp.lan\"");

    g_assert_cmpuint (r->len, ==, 1);
    assert_record (REC (r, 0), "_ipp._tcp.lan", HEARTH_DNS_TYPE_PTR, LOCAL,
                   "0a4d79205072696e746572 045f697070 045f746370 036c616e 00");
  }

  {
    /* No target: the root, as dnsmasq answers. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_ptr, "4.3.2.1.in-addr.arpa");

    assert_record (REC (r, 0), "4.3.2.1.in-addr.arpa", HEARTH_DNS_TYPE_PTR, LOCAL, "00");
  }
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_ptr, "4.3.2.1.in-addr.arpa,");

    assert_record (REC (r, 0), "4.3.2.1.in-addr.arpa", HEARTH_DNS_TYPE_PTR, LOCAL, "00");
  }
  parse_bad (hearth_dns_record_parse_ptr, "", "needs a name and a target");
  parse_bad (hearth_dns_record_parse_ptr, "a.test,b.test,c.test", "needs a name and a target");
  parse_bad (hearth_dns_record_parse_ptr, "a.test,b..test", "bad target 'b..test'");
  parse_bad (hearth_dns_record_parse_ptr, "a\tb,c", "bad name 'a\\tb'");
}

static void
test_naptr (void)
{
  {
    /* RFC 3403 6.2's first example, replacement left out (the root). */
    g_autoptr (GPtrArray) r =
        parse_ok (hearth_dns_record_parse_naptr, "a.test,100,10,U,E2U+sip,!^.*$!sip:info@example.com!");

    assert_record (REC (r, 0), "a.test", 35, LOCAL,
                   "0064 000a 0155 0745 32552b736970"
                   " 1b 215e2e2a242173 69703a696e666f406578616d706c652e636f6d21 00");
    assert_record_string (REC (r, 0), "a.test. NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .");
  }
  {
    g_autoptr (GPtrArray) r =
        parse_ok (hearth_dns_record_parse_naptr, "b.test,65535,0,S,SIP+D2U,,_sip._udp.Example.com");

    assert_record (REC (r, 0), "b.test", 35, LOCAL,
                   "ffff 0000 0153 0753 49502b443255 00 045f736970 045f756470 074578616d706c65 03636f6d 00");
  }
  {
    /* A quoted comma inside the regexp, an empty replacement. */
    g_autoptr (GPtrArray) r =
        parse_line_ok (hearth_dns_record_parse_naptr, "naptr-record=c.test,1,2,u,e2u,\"!a,b!\",");

    assert_record (REC (r, 0), "c.test", 35, LOCAL, "0001 0002 0175 03653275 05 21612c6221 00");
  }

  parse_bad (hearth_dns_record_parse_naptr, "a.test,100,10,U,E2U+sip", "expected <name>,<order>");
  parse_bad (hearth_dns_record_parse_naptr, "a.test,1,10,U,E2U+sip,x,y.test,z", "expected <name>,<order>");
  parse_bad (hearth_dns_record_parse_naptr, "a.test,65536,10,U,E2U+sip,x", "bad order '65536'");
  parse_bad (hearth_dns_record_parse_naptr, "a.test,1,p,U,E2U+sip,x", "bad preference 'p'");
  parse_bad (hearth_dns_record_parse_naptr, ",1,1,U,E2U+sip,x", "needs a name");
  parse_bad (hearth_dns_record_parse_naptr, "a.test,1,1,U,E2U+sip,x,bad name", "bad name 'bad name'");
  {
    g_autofree char *long_text = g_strnfill (256, 'r');
    g_autofree char *value = g_strconcat ("a.test,1,1,U,E2U+sip,", long_text, NULL);

    parse_bad (hearth_dns_record_parse_naptr, value, "regexp longer than 255 bytes");
  }
}

static void
test_caa (void)
{
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_caa, "e.test,0,issue,letsencrypt.org");

    assert_record (REC (r, 0), "e.test", 257, LOCAL, "00 05 6973737565 6c657473656e63727970742e6f7267");
    assert_record_string (REC (r, 0), "e.test. CAA 0 issue \"letsencrypt.org\"");
  }
  {
    /* The value takes the rest, commas included; tag case kept. */
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_caa, "e.test,128,ISSUE,ca.test; a=1,b=2");

    assert_record (REC (r, 0), "e.test", 257, LOCAL, "80 05 4953535545 63612e746573743b20613d312c623d32");
  }
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_caa, "e.test,0,iodef,");

    assert_record (REC (r, 0), "e.test", 257, LOCAL, "00 05 696f646566");
  }

  parse_bad (hearth_dns_record_parse_caa, "e.test,0,issue", "expected <name>,<flags>,<tag>,<value>");
  parse_bad (hearth_dns_record_parse_caa, "e.test,256,issue,x", "bad flags '256'");
  parse_bad (hearth_dns_record_parse_caa, "e.test,0,is-sue,x", "bad tag 'is-sue'");
  parse_bad (hearth_dns_record_parse_caa, "e.test,0,,x", "bad tag ''");
  parse_bad (hearth_dns_record_parse_caa, "e.test,0,abcdefghijklmnop,x", "bad tag 'abcdefghijklmnop'");
  parse_bad (hearth_dns_record_parse_caa, ",0,issue,x", "needs a name");
}

static void
test_dns_rr (void)
{
  static const struct {
    const char *value;
    guint16 type;
    const char *rdata;
  } good[] = {
    { "i.test,51,01:23:45", 51, "012345" },
    { "i.test,999,01 23 45 67", 999, "01234567" },
    { "i.test,998,0123 45:6789", 998, "0123456789" },
    { "i.test,998,1:2:3", 998, "010203" },
    { "i.test,998,aB:Cd", 998, "abcd" },
    { "i.test,998", 998, "" },
    { "i.test,998,", 998, "" },
    { "i.test,SPF,00", 99, "00" },
    { "i.test,type65534,ff", 65534, "ff" },
    { "i.test,caa,00", 257, "00" },
    { "i.test,65535,00", 65535, "00" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_dns_rr, good[i].value);

      assert_record (REC (r, 0), "i.test", good[i].type, LOCAL, good[i].rdata);
    }
  {
    g_autoptr (GPtrArray) r = parse_ok (hearth_dns_record_parse_dns_rr, "i.test,999,01 23 45 67");

    assert_record_string (REC (r, 0), "i.test. TYPE999 \\# 4 01234567");
  }

  parse_bad (hearth_dns_record_parse_dns_rr, "i.test", "expected <name>,<type>[,<hex data>]");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,1,00,00", "expected <name>,<type>[,<hex data>]");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,1,0g", "bad hex data '0g'");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,1,abc", "bad hex data (odd number of digits) 'abc'");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,65536,00", "bad record type '65536'");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,NOPE,00", "bad record type 'NOPE'");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,0,00", "type 0 cannot be a record");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,41,00", "type 41 cannot be a record");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,ANY", "bad record type 'ANY'");
  parse_bad (hearth_dns_record_parse_dns_rr, "i.test,255", "type 255 cannot be a record");
  parse_bad (hearth_dns_record_parse_dns_rr, ",1,00", "needs a name");
}

static void
mx_ok (const char *value, const char *name, const char *target, guint16 preference)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out_name = NULL;
  g_autofree char *out_target = NULL;
  guint16 out_preference = 0;

  g_assert_true (hearth_dns_record_parse_mx_host (value, &out_name, &out_target, &out_preference, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out_name, ==, name);
  g_assert_cmpstr (out_target, ==, target);
  g_assert_cmpuint (out_preference, ==, preference);
}

static void
mx_bad (const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  char *name = NULL, *target = NULL;
  guint16 preference = 7;

  g_assert_false (hearth_dns_record_parse_mx_host (value, &name, &target, &preference, &error));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_null (name);
  g_assert_null (target);
  g_assert_cmpuint (preference, ==, 7);
}

static void
test_mx_host (void)
{
  mx_ok ("a.test,mail.test,5", "a.test", "mail.test", 5);
  mx_ok ("a.test.,mail.test", "a.test", "mail.test", 1);
  mx_ok ("a.test", "a.test", NULL, 1);
  /* dnsmasq reads a second field as the target even when it is a number. */
  mx_ok ("a.test,7", "a.test", "7", 1);
  mx_ok ("a.test,,5", "a.test", ".", 5);
  mx_ok ("a.test,mail.test,0", "a.test", "mail.test", 0);

  mx_bad ("a.test,mail.test,x", "bad preference 'x'");
  mx_bad ("a.test,mail.test,70000", "bad preference '70000'");
  mx_bad ("a.test,mail.test,5,6", "too many fields");
  mx_bad ("", "needs a name");
  mx_bad ("a b", "bad name 'a b'");
  mx_bad ("a.test,m..test", "bad name 'm..test'");
}

/* ---- --domain ---- */

static HearthDnsDomainRule *
domain_ok (const char *value)
{
  g_autoptr (GError) error = NULL;
  HearthDnsDomainRule *rule = NULL;

  if (!hearth_dns_domain_rule_parse (value, &rule, &error))
    g_error ("'%s' did not parse: %s", value, error->message);
  return rule;
}

static void
domain_bad (const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDnsDomainRule *rule = NULL;

  g_assert_false (hearth_dns_domain_rule_parse (value, &rule, &error));
  g_assert_null (rule);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", value, error->message, expected);
}

static gboolean
matches (const HearthDnsDomainRule *rule, const char *text)
{
  HearthDnsAddr addr;

  g_assert_true (hearth_dns_addr_parse (text, &addr));
  return hearth_dns_domain_rule_matches (rule, &addr);
}

static void
test_domain (void)
{
  char buf[64];

  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("Example.LAN.");

    g_assert_cmpstr (rule->domain, ==, "example.lan");
    g_assert_false (rule->has_range);
    g_assert_false (rule->local);
    g_assert_null (rule->interface);
    g_assert_true (matches (rule, "192.0.2.1"));
    g_assert_true (matches (rule, "2001:db8::1"));
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("#");

    g_assert_cmpstr (rule->domain, ==, "#");
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("example.lan,192.168.0.7/24,local");

    g_assert_true (rule->has_range);
    g_assert_true (rule->local);
    g_assert_cmpstr (hearth_dns_addr_to_string (&rule->start, buf, sizeof buf), ==, "192.168.0.0/24");
    g_assert_cmpstr (hearth_dns_addr_to_string (&rule->end, buf, sizeof buf), ==, "192.168.0.255");
    g_assert_true (matches (rule, "192.168.0.0"));
    g_assert_true (matches (rule, "192.168.0.255"));
    g_assert_false (matches (rule, "192.168.1.0"));
    g_assert_false (matches (rule, "192.167.255.255"));
    g_assert_false (matches (rule, "::ffff:192.168.0.1"));
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("example.lan,192.168.0.10,192.168.0.20");

    g_assert_false (rule->local);
    g_assert_false (matches (rule, "192.168.0.9"));
    g_assert_true (matches (rule, "192.168.0.10"));
    g_assert_true (matches (rule, "192.168.0.20"));
    g_assert_false (matches (rule, "192.168.0.21"));
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("example.lan,192.168.0.10");

    g_assert_true (matches (rule, "192.168.0.10"));
    g_assert_false (matches (rule, "192.168.0.11"));
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("v6.lan,fd00::/64,local");

    g_assert_true (rule->local);
    g_assert_true (matches (rule, "fd00::1"));
    g_assert_true (matches (rule, "fd00::ffff:ffff:ffff:ffff"));
    g_assert_false (matches (rule, "fd00:0:0:1::"));
    g_assert_false (matches (rule, "10.0.0.1"));
  }
  {
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("v6.lan,fd00::10,fd00::1:0");

    g_assert_true (matches (rule, "fd00::ffff"));
    g_assert_false (matches (rule, "fd00::1:1"));
  }
  {
    /* The interface form: only the store can match it. */
    g_autoptr (HearthDnsDomainRule) rule = domain_ok ("example.lan,eth0");

    g_assert_true (rule->has_range);
    g_assert_cmpstr (rule->interface, ==, "eth0");
    g_assert_false (matches (rule, "192.168.0.1"));
  }

  domain_bad ("", "needs a domain");
  domain_bad ("exa mple.lan", "bad domain 'exa mple.lan'");
  domain_bad ("example.lan,192.168.0.300", "bad address '192.168.0.300'");
  domain_bad ("example.lan,192.168.0.0/33", "bad prefix '192.168.0.0/33'");
  domain_bad ("example.lan,192.168.0.1,fd00::1", "range mixes IPv4 and IPv6");
  domain_bad ("example.lan,192.168.0.9,192.168.0.1", "range start 192.168.0.9 is after its end 192.168.0.1");
  domain_bad ("example.lan,192.168.0.1,192.168.0.9,local", "',local' needs the range as <address>/<prefix length>");
  domain_bad ("example.lan,eth0,local", "',local' needs the range");
  domain_bad ("example.lan,192.168.0.0/24,foo", "unexpected 'foo'");
  domain_bad ("example.lan,192.168.0.0/24,local,x", "unexpected 'x'");
  domain_bad ("example.lan,an-interface-name-too-long", "bad address range or interface");
}

/* ---- --address ---- */

static HearthDnsAddressRule *
address_ok (const char *value)
{
  g_autoptr (GError) error = NULL;
  HearthDnsAddressRule *rule = NULL;

  if (!hearth_dns_address_rule_parse (value, &rule, &error))
    g_error ("'%s' did not parse: %s", value, error->message);
  return rule;
}

static void
address_bad (const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDnsAddressRule *rule = NULL;

  g_assert_false (hearth_dns_address_rule_parse (value, &rule, &error));
  g_assert_null (rule);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", value, error->message, expected);
}

static void
assert_domains (const HearthDnsAddressRule *rule, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (rule->domains->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (rule->domains, i), ==, expected[i]);
}

static void
test_address (void)
{
  char buf[64];

  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/Example.COM./1.2.3.4");

    assert_domains (rule, (const char *const[]){ "example.com", NULL });
    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_ADDR);
    g_assert_cmpstr (hearth_dns_addr_to_string (&rule->addr, buf, sizeof buf), ==, "1.2.3.4");
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/example.com/");

    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_NXDOMAIN);
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/example.com/#");

    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_NULL);
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/a.com/b.com/a.com/::1");

    assert_domains (rule, (const char *const[]){ "a.com", "b.com", NULL });
    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_ADDR);
    g_assert_cmpint (rule->addr.family, ==, AF_INET6);
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/#/1.2.3.4");

    assert_domains (rule, (const char *const[]){ "#", NULL });
  }
  {
    /* No leading '/': dnsmasq reads it as /#/<address>. */
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("1.2.3.4");

    assert_domains (rule, (const char *const[]){ "#", NULL });
    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_ADDR);
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("//1.2.3.4");

    assert_domains (rule, (const char *const[]){ "", NULL });
  }
  {
    /* Only the part after the last '/' is the address. */
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/a.test/1.2.3.4/5.6.7.8");

    assert_domains (rule, (const char *const[]){ "a.test", "1.2.3.4", NULL });
    g_assert_cmpstr (hearth_dns_addr_to_string (&rule->addr, buf, sizeof buf), ==, "5.6.7.8");
  }
  {
    g_autoptr (HearthDnsAddressRule) rule = address_ok ("/.a.test/*.B.test/*c.test/*/");

    assert_domains (rule, (const char *const[]){ "a.test", "*.b.test", "*c.test", "*", NULL });
    g_assert_cmpint (rule->kind, ==, HEARTH_DNS_ADDRESS_NXDOMAIN);
  }

  address_bad ("/a.test", "no closing '/'");
  address_bad ("/a.test/x", "bad address 'x'");
  address_bad ("/a.test/1.2.3.4#53", "bad address '1.2.3.4#53'");
  address_bad ("/a.test/fe80::1%lo", "bad address 'fe80::1%lo'");
  address_bad ("/a..test/1.2.3.4", "bad domain 'a..test'");
  address_bad ("/a test/1.2.3.4", "bad domain 'a test'");
  address_bad ("/./1.2.3.4", "bad domain '.'");
  address_bad ("/a*b/1.2.3.4", "bad domain 'a*b'");
  address_bad ("x", "bad address 'x'");
}

/* ---- --interface-name ---- */

static void
test_interface_name (void)
{
  static const struct {
    const char *value;
    const char *interface;
    int family;
  } good[] = {
    { "a.test,lo", "lo", AF_UNSPEC },
    { "a.test,eth0/4", "eth0", AF_INET },
    { "A.Test,eth0.100/6", "eth0.100", AF_INET6 },
  };
  static const struct {
    const char *value;
    const char *expected;
  } bad[] = {
    { "a.test", "expected <name>,<interface>[/4|/6]" },
    { "a.test,", "expected <name>,<interface>[/4|/6]" },
    { "a.test,lo,x", "expected <name>,<interface>[/4|/6]" },
    { "a.test,lo/5", "bad interface 'lo/5'" },
    { "a.test,lo/", "bad interface 'lo/'" },
    { "a.test,/4", "bad interface '/4'" },
    { "a.test,sixteen-chars-xx", "bad interface" },
    { "a b,lo", "bad name 'a b'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (HearthDnsInterfaceName) in = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (hearth_dns_interface_name_parse (good[i].value, &in, &error));
      g_assert_no_error (error);
      assert_name (in->name, in->name_len, "a.test");
      g_assert_cmpstr (in->interface, ==, good[i].interface);
      g_assert_cmpint (in->family, ==, good[i].family);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (HearthDnsInterfaceName) in = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_false (hearth_dns_interface_name_parse (bad[i].value, &in, &error));
      g_assert_null (in);
      if (strstr (error->message, bad[i].expected) == NULL)
        g_error ("'%s': message '%s' lacks '%s'", bad[i].value, error->message, bad[i].expected);
    }
}

/* ---- --synth-domain ---- */

static HearthDnsSynthDomain *
synth_ok (const char *value)
{
  g_autoptr (GError) error = NULL;
  HearthDnsSynthDomain *sd = NULL;

  if (!hearth_dns_synth_domain_parse (value, &sd, &error))
    g_error ("'%s' did not parse: %s", value, error->message);
  return sd;
}

static void
synth_bad (const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  HearthDnsSynthDomain *sd = NULL;

  g_assert_false (hearth_dns_synth_domain_parse (value, &sd, &error));
  g_assert_null (sd);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", value, error->message, expected);
}

/* addr -> name, and the name back -> addr. */
static void
synth_both_ways (const HearthDnsSynthDomain *sd, const char *addr_text, const char *name)
{
  HearthDnsAddr addr, back;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
  char buf[64];

  g_assert_true (hearth_dns_addr_parse (addr_text, &addr));
  if (!hearth_dns_synth_domain_name (sd, &addr, wire, &len))
    g_error ("no name for %s", addr_text);
  assert_name (wire, len, name);
  g_assert_true (hearth_dns_synth_domain_address (sd, wire, len, &back));
  g_assert_cmpstr (hearth_dns_addr_to_string (&back, buf, sizeof buf), ==, addr_text);
}

/* A name (presentation form) -> the address, or NULL for none. */
static void
synth_lookup (const HearthDnsSynthDomain *sd, const char *name, const char *expected)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
  HearthDnsAddr addr;
  char buf[64];
  gboolean found;

  g_assert_true (hearth_dns_name_from_string (name, wire, &len));
  found = hearth_dns_synth_domain_address (sd, wire, len, &addr);
  if (expected == NULL)
    {
      if (found)
        g_error ("'%s' gave %s", name, hearth_dns_addr_to_string (&addr, buf, sizeof buf));
      return;
    }
  if (!found)
    g_error ("'%s' gave no address, expected %s", name, expected);
  g_assert_cmpstr (hearth_dns_addr_to_string (&addr, buf, sizeof buf), ==, expected);
}

static void
synth_no_name (const HearthDnsSynthDomain *sd, const char *addr_text)
{
  HearthDnsAddr addr;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;

  g_assert_true (hearth_dns_addr_parse (addr_text, &addr));
  g_assert_false (hearth_dns_synth_domain_name (sd, &addr, wire, &len));
}

static void
test_synth_v4 (void)
{
  {
    /* dnsmasq(8)'s second example. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("Thekelleys.org.uk.,192.168.0.0/24,Internal-");

    g_assert_cmpstr (sd->domain, ==, "thekelleys.org.uk");
    g_assert_cmpstr (sd->prefix, ==, "internal-");
    g_assert_false (sd->star);
    synth_both_ways (sd, "192.168.0.56", "internal-192-168-0-56.thekelleys.org.uk");
    synth_both_ways (sd, "192.168.0.0", "internal-192-168-0-0.thekelleys.org.uk");
    synth_both_ways (sd, "192.168.0.255", "internal-192-168-0-255.thekelleys.org.uk");
    synth_no_name (sd, "192.168.1.1");
    synth_no_name (sd, "::ffff:192.168.0.1");
    synth_lookup (sd, "INTERNAL-192-168-0-56.TheKelleys.org.uk", "192.168.0.56");
    synth_lookup (sd, "internal-192-168-1-56.thekelleys.org.uk", NULL);  /* outside */
    synth_lookup (sd, "internal-192-168-000-56.thekelleys.org.uk", NULL); /* inet_pton says no */
    synth_lookup (sd, "internal-192-168-0.thekelleys.org.uk", NULL);
    synth_lookup (sd, "192-168-0-56.thekelleys.org.uk", NULL);
    synth_lookup (sd, "external-192-168-0-56.thekelleys.org.uk", NULL);
    synth_lookup (sd, "internal-192-168-0-56.other.org.uk", NULL);
    synth_lookup (sd, "internal-192-168-0-56.x.thekelleys.org.uk", NULL);
    synth_lookup (sd, "thekelleys.org.uk", NULL);
    synth_lookup (sd, "internal-0x1-2-3-4.thekelleys.org.uk", NULL);
  }
  {
    /* dnsmasq(8)'s first example: sequential numbers from the start. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("thekelleys.org.uk,192.168.0.50,192.168.0.70,internal-*");

    g_assert_true (sd->star);
    g_assert_cmpstr (sd->prefix, ==, "internal-");
    synth_both_ways (sd, "192.168.0.50", "internal-0.thekelleys.org.uk");
    synth_both_ways (sd, "192.168.0.51", "internal-1.thekelleys.org.uk");
    synth_both_ways (sd, "192.168.0.70", "internal-20.thekelleys.org.uk");
    synth_no_name (sd, "192.168.0.49");
    synth_no_name (sd, "192.168.0.71");
    synth_lookup (sd, "internal-21.thekelleys.org.uk", NULL);
    synth_lookup (sd, "internal-020.thekelleys.org.uk", "192.168.0.70");
    synth_lookup (sd, "Internal-6.thekelleys.org.uk", "192.168.0.56");
    synth_lookup (sd, "internal-.thekelleys.org.uk", NULL); /* dnsmasq: .50 */
    synth_lookup (sd, "internal-+6.thekelleys.org.uk", NULL);
    synth_lookup (sd, "internal-99999999999999999999999.thekelleys.org.uk", NULL);
    synth_lookup (sd, "internal-192-168-0-56.thekelleys.org.uk", NULL);
  }
  {
    /* No prefix, star alone: bare numbers from the network address. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("t.test,10.0.0.0/8,*");

    g_assert_cmpstr (sd->prefix, ==, "");
    synth_both_ways (sd, "10.0.0.0", "0.t.test");
    synth_both_ways (sd, "10.255.255.255", "16777215.t.test");
    synth_lookup (sd, "16777216.t.test", NULL);
    /* 2^32 + 5 must not wrap round to 10.0.0.5. */
    synth_lookup (sd, "4294967301.t.test", NULL);
  }
  {
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("t.test,10.0.0.0/8");

    synth_both_ways (sd, "10.1.2.3", "10-1-2-3.t.test");
  }
}

static void
test_synth_v6 (void)
{
  {
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,2001:db8::/64");

    synth_both_ways (sd, "2001:db8::1", "2001-db8--1.v6.test");
    synth_both_ways (sd, "2001:db8::1:0:0:56", "2001-db8--1-0-0-56.v6.test");
    /* A trailing "::" gives a label ending in '-', as in dnsmasq. */
    synth_both_ways (sd, "2001:db8::", "2001-db8--.v6.test");
    synth_lookup (sd, "2001-db8-0-0-0-0-0-1.v6.test", "2001:db8::1");
    synth_lookup (sd, "2001-DB8--1.v6.test", "2001:db8::1");
    synth_lookup (sd, "2001-db8-1--1.v6.test", NULL);
    synth_lookup (sd, "2001-db8---1.v6.test", NULL);
    synth_no_name (sd, "2001:db8:0:1::1");
  }
  {
    /* No prefix and a leading "::": a "0" in front. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,::/64");

    synth_both_ways (sd, "::1", "0--1.v6.test");
    synth_both_ways (sd, "::", "0--.v6.test");
    /* inet_ntop writes ::1.2.3.4 for this one, as dnsmasq's names do;
     * ::1:2:3:4 gets the same name, and in a range holding both the hex
     * reading wins. */
    synth_no_name (sd, "1::");
    {
      HearthDnsAddr a;
      guint8 wire[HEARTH_DNS_NAME_MAX];
      gsize len;

      g_assert_true (hearth_dns_addr_parse ("::1.2.3.4", &a));
      g_assert_true (hearth_dns_synth_domain_name (sd, &a, wire, &len));
      assert_name (wire, len, "0--1-2-3-4.v6.test");
    }
    synth_both_ways (sd, "::1:2:3:4", "0--1-2-3-4.v6.test");
  }
  {
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,::/96");

    synth_both_ways (sd, "::1.2.3.4", "0--1-2-3-4.v6.test");
  }
  {
    /* With a prefix no "0" is added. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,::/64,h-");

    synth_both_ways (sd, "::1", "h---1.v6.test");
    synth_both_ways (sd, "::", "h---.v6.test");
    synth_lookup (sd, "h-0--1.v6.test", "::1");
  }
  {
    /* v4-mapped: the name has a dotted tail; unlike dnsmasq 2.90 it can be
     * looked up again (dnsmasq only finds "0--ffff-102-304"). */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,::ffff:0:0/96");

    synth_both_ways (sd, "::ffff:1.2.3.4", "0--ffff-1-2-3-4.v6.test");
    synth_lookup (sd, "0--ffff-102-304.v6.test", "::ffff:1.2.3.4");
    synth_lookup (sd, "0--ffff-1-2-3-256.v6.test", NULL);
  }
  {
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,2001:db8::/64,h*");

    synth_both_ways (sd, "2001:db8::1", "h1.v6.test");
    synth_both_ways (sd, "2001:db8::1:0:0:56", "h281474976710742.v6.test");
    synth_both_ways (sd, "2001:db8::ffff:ffff:ffff:ffff", "h18446744073709551615.v6.test");
    synth_lookup (sd, "h16.v6.test", "2001:db8::10");
    synth_lookup (sd, "h18446744073709551616.v6.test", NULL);
    synth_lookup (sd, "h0x10.v6.test", NULL);
  }
  {
    /* A range within one /64 (dnsmasq(8) allows it; 2.90 refuses it). */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,2001:db8::10,2001:db8::20,h*");

    synth_both_ways (sd, "2001:db8::10", "h0.v6.test");
    synth_both_ways (sd, "2001:db8::20", "h16.v6.test");
    synth_lookup (sd, "h17.v6.test", NULL);
  }
}

static void
test_synth_parse_bad (void)
{
  synth_bad ("v4.test", "needs an address range");
  synth_bad ("v4.test,", "needs an address range");
  synth_bad ("", "needs a domain");
  synth_bad ("v 4.test,10.0.0.0/8", "bad domain 'v 4.test'");
  synth_bad ("v4.test,10.0.0.5", "needs an address range");
  synth_bad ("v4.test,10.0.0.5,h-", "bad address 'h-'");
  synth_bad ("v4.test,10.0.0.0/33", "bad prefix '10.0.0.0/33'");
  synth_bad ("v4.test,10.0.0.9,10.0.0.5", "range start 10.0.0.9 is after its end 10.0.0.5");
  synth_bad ("v4.test,10.0.0.1,::1", "range mixes IPv4 and IPv6");
  synth_bad ("v4.test,10.0.0.0/8,a.b", "bad name prefix 'a.b'");
  synth_bad ("v4.test,10.0.0.0/8,a-*b", "bad name prefix 'a-*b'");
  synth_bad ("v4.test,10.0.0.0/8,abcdefghijklmnopqrstuvwxyz", "name prefix longer than");
  synth_bad ("v4.test,10.0.0.0/8,h-,x", "too many fields");
  synth_bad ("v4.test,10.0.0.1,10.0.0.2,h-,x", "too many fields");
  synth_bad ("v6.test,2001:db8::/48,h*", "sequential names need an IPv6 range within one /64");
  synth_bad ("v6.test,2001:db8::1,2001:db8:0:1::1,h*", "within one /64");
  {
    /* Without the star a short IPv6 prefix is fine. */
    g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("v6.test,2001:db8::/48,h-");

    synth_both_ways (sd, "2001:db8:0:1::1", "h-2001-db8-0-1--1.v6.test");
  }
}

/* Every address of a small range maps to a name that maps back to it. */
static void
test_synth_round_trip (void)
{
  static const char *const values[] = {
    "r.test,192.0.2.0/28",      "r.test,192.0.2.0/28,p-",  "r.test,192.0.2.0/28,p-*", "r.test,192.0.2.0/28,*",
    "r.test,2001:db8::/124",    "r.test,2001:db8::/124,p", "r.test,2001:db8::/124,p*",
  };

  for (gsize v = 0; v < G_N_ELEMENTS (values); v++)
    {
      g_autoptr (HearthDnsSynthDomain) sd = synth_ok (values[v]);
      HearthDnsAddr addr = sd->start;
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      addr.prefix_len = addr.family == AF_INET ? 32 : 128;
      for (guint i = 0; i < 16; i++)
        {
          guint8 wire[HEARTH_DNS_NAME_MAX];
          gsize len;
          HearthDnsAddr back;
          char buf[1024];

          addr.bytes[hearth_dns_addr_size (&addr) - 1] = (guint8) (sd->start.bytes[hearth_dns_addr_size (&addr) - 1] + i);
          g_assert_true (hearth_dns_synth_domain_name (sd, &addr, wire, &len));
          g_assert_true (hearth_dns_synth_domain_address (sd, wire, len, &back));
          g_assert_true (hearth_dns_addr_equal (&addr, &back));
          /* And names are distinct. */
          g_assert_true (g_hash_table_add (seen, g_strdup (hearth_dns_name_to_string (wire, len, buf, sizeof buf))));
        }
    }
}

/* Names that are not the synthesised domain's, in odd wire forms. */
static void
test_synth_bad_names (void)
{
  g_autoptr (HearthDnsSynthDomain) sd = synth_ok ("t.test,10.0.0.0/8");
  HearthDnsAddr addr;
  static const struct {
    const char *wire;
    gsize len;
  } names[] = {
    { "", 0 },
    { "\x00", 1 },
    { "\x01" "1", 2 },
    { "\x09" "10-0-0-1" "\x01" "t" "\x04" "test" "\x00", 17 }, /* label length past the label */
    { "\x07" "10-0-0-1" "\x01" "t" "\x04" "test" "\x00", 17 }, /* short label length */
    { "\x08" "10-0-0-1" "\x01" "t" "\x04" "test", 16 },        /* no root label */
    { "\x08" "10-0\x00-1" "\x01" "t" "\x04" "test" "\x00", 17 }, /* NUL in the label */
    { "\x08" "10-0-0-1" "\x01" "t" "\x04" "test" "\x00", 16 },  /* cut short */
    { "\x40", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_false (hearth_dns_synth_domain_address (sd, (const guint8 *) names[i].wire, names[i].len, &addr));
  g_assert_true (hearth_dns_synth_domain_address (sd, (const guint8 *) "\x08" "10-0-0-1" "\x01" "t" "\x04" "test" "\x00",
                                                  17, &addr));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dns/record/new", test_record_new);
  g_test_add_func ("/dns/record/hostname", test_hostname);
  g_test_add_func ("/dns/record/host-record", test_host_record);
  g_test_add_func ("/dns/record/cname", test_cname);
  g_test_add_func ("/dns/record/srv", test_srv);
  g_test_add_func ("/dns/record/txt", test_txt);
  g_test_add_func ("/dns/record/ptr", test_ptr);
  g_test_add_func ("/dns/record/naptr", test_naptr);
  g_test_add_func ("/dns/record/caa", test_caa);
  g_test_add_func ("/dns/record/dns-rr", test_dns_rr);
  g_test_add_func ("/dns/record/mx-host", test_mx_host);
  g_test_add_func ("/dns/record/domain", test_domain);
  g_test_add_func ("/dns/record/address", test_address);
  g_test_add_func ("/dns/record/interface-name", test_interface_name);
  g_test_add_func ("/dns/record/synth-v4", test_synth_v4);
  g_test_add_func ("/dns/record/synth-v6", test_synth_v6);
  g_test_add_func ("/dns/record/synth-parse-bad", test_synth_parse_bad);
  g_test_add_func ("/dns/record/synth-round-trip", test_synth_round_trip);
  g_test_add_func ("/dns/record/synth-bad-names", test_synth_bad_names);
  return g_test_run ();
}
