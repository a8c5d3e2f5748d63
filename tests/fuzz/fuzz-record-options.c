/* Fuzz target for the local-record option parsers (src/dns/dns-record.c):
 * --host-record, --cname, --srv-host, --txt-record, --ptr-record,
 * --naptr-record, --caa-record, --dns-rr, --mx-host, --domain, --address,
 * --interface-name and --synth-domain, plus the synthesised-name lookup on
 * arbitrary wire-form names.
 *
 * The first byte picks the parser: 'a' + n for parser n on the rest of the
 * input as a plain value (as the command line gives it), 'A' + n for the
 * same parser on the rest run through the configuration-file tokenizer
 * first, so quoted sections reach the parsers with their quote map. What
 * parses is then used: every record printed and compared, rules matched
 * against addresses, synthesised names converted both ways (a name made
 * for an address must map back to it). Crashes, sanitizer reports, leaks
 * and that round-trip are the findings; the parse results themselves are
 * checked by tests/dns/test-dns-record.c.
 */
#include "config.h"

#include "dns/dns-record.h"

#include "config/config-parser.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef gboolean (*RecordParser) (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);

static void
use_records (GPtrArray *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      const HearthDnsRecord *r = g_ptr_array_index (records, i);
      g_autofree char *text = hearth_dns_record_to_string (r);
      g_autoptr (HearthDnsRecord) copy =
          hearth_dns_record_new (r->name, r->name_len, r->type, r->rclass, r->ttl, r->rdata, r->rdlength);

      g_assert_nonnull (text);
      g_assert_true (hearth_dns_record_equal (r, copy));
    }
}

static void
run_record_parser (RecordParser parse, const char *value, const guint8 *quoted)
{
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_record_free);
  g_autoptr (GError) error = NULL;

  if (parse (value, quoted, records, &error))
    use_records (records);
  else
    {
      g_assert_nonnull (error);
      g_assert_cmpuint (records->len, ==, 0);
    }
}

/* A few addresses worth trying against a range: its ends, just outside
 * them, and one made of the input's bytes. */
static void
probe_addresses (const HearthDnsAddr *start, const HearthDnsAddr *end, const guint8 *data, gsize size,
                 HearthDnsAddr probes[5])
{
  gsize n = hearth_dns_addr_size (start);

  probes[0] = *start;
  probes[1] = *end;
  probes[2] = *start;
  probes[3] = *end;
  probes[4] = *start;
  for (guint i = 0; i < 5; i++)
    probes[i].prefix_len = (guint8) (n * 8);
  probes[2].bytes[n - 1]--;
  probes[3].bytes[n - 1]++;
  for (gsize i = 0; i < n && i < size; i++)
    probes[4].bytes[n - 1 - i] = data[i];
}

static void
use_synth_domain (const HearthDnsSynthDomain *sd, const guint8 *data, gsize size)
{
  HearthDnsAddr probes[5];

  probe_addresses (&sd->start, &sd->end, data, size, probes);
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      guint8 wire[HEARTH_DNS_NAME_MAX];
      gsize len;
      HearthDnsAddr back;

      if (!hearth_dns_synth_domain_name (sd, &probes[i], wire, &len))
        continue;
      g_assert_cmpuint (len, <=, HEARTH_DNS_NAME_MAX);
      g_assert_true (hearth_dns_synth_domain_address (sd, wire, len, &back));
      /* Only v4-compatible IPv6 names are ambiguous (see dns-record.h). */
      if (!hearth_dns_addr_equal (&back, &probes[i]))
        g_assert_cmpint (back.family, ==, AF_INET6);
    }
}

static void
run_option (guint which, const char *value, const guint8 *quoted, const guint8 *data, gsize size)
{
  static const RecordParser record_parsers[] = {
    hearth_dns_record_parse_host_record, hearth_dns_record_parse_cname, hearth_dns_record_parse_txt,
    hearth_dns_record_parse_ptr,         hearth_dns_record_parse_naptr, hearth_dns_record_parse_caa,
    hearth_dns_record_parse_dns_rr,
  };

  if (which < G_N_ELEMENTS (record_parsers))
    {
      run_record_parser (record_parsers[which], value, quoted);
      return;
    }
  switch (which - G_N_ELEMENTS (record_parsers))
    {
    case 0:
      {
        g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_record_free);

        if (hearth_dns_record_parse_srv (value, "dom.test", records, NULL))
          use_records (records);
        g_ptr_array_set_size (records, 0);
        if (hearth_dns_record_parse_srv (value, NULL, records, NULL))
          use_records (records);
        break;
      }
    case 1:
      {
        g_autofree char *name = NULL;
        g_autofree char *target = NULL;
        guint16 preference;

        if (hearth_dns_record_parse_mx_host (value, &name, &target, &preference, NULL))
          {
            guint8 wire[HEARTH_DNS_NAME_MAX];
            gsize len;

            g_assert_true (hearth_dns_hostname_to_wire (name, wire, &len));
          }
        break;
      }
    case 2:
      {
        g_autoptr (HearthDnsDomainRule) rule = NULL;

        if (hearth_dns_domain_rule_parse (value, &rule, NULL) && rule->has_range && rule->interface == NULL)
          {
            HearthDnsAddr probes[5];

            probe_addresses (&rule->start, &rule->end, data, size, probes);
            g_assert_true (hearth_dns_domain_rule_matches (rule, &probes[0]));
            g_assert_true (hearth_dns_domain_rule_matches (rule, &probes[1]));
            for (guint i = 2; i < G_N_ELEMENTS (probes); i++)
              hearth_dns_domain_rule_matches (rule, &probes[i]);
          }
        break;
      }
    case 3:
      {
        g_autoptr (HearthDnsAddressRule) rule = NULL;

        if (hearth_dns_address_rule_parse (value, &rule, NULL))
          g_assert_cmpuint (rule->domains->len, >, 0);
        break;
      }
    case 4:
      {
        g_autoptr (HearthDnsInterfaceName) in = NULL;

        if (hearth_dns_interface_name_parse (value, &in, NULL))
          g_assert_nonnull (in->interface);
        break;
      }
    case 5:
      {
        g_autoptr (HearthDnsSynthDomain) sd = NULL;

        if (hearth_dns_synth_domain_parse (value, &sd, NULL))
          use_synth_domain (sd, data, size);
        break;
      }
    case 6:
      {
        /* The raw input as a wire-form name against fixed domains. */
        static const char *const domains[] = {
          "t.test,10.0.0.0/8",
          "t.test,10.0.0.0/8,h-*",
          "t.test,2001:db8::/64",
          "t.test,::/64",
          "t.test,2001:db8::/64,x*",
        };

        for (gsize i = 0; i < G_N_ELEMENTS (domains); i++)
          {
            g_autoptr (HearthDnsSynthDomain) sd = NULL;
            HearthDnsAddr addr;

            g_assert_true (hearth_dns_synth_domain_parse (domains[i], &sd, NULL));
            if (hearth_dns_synth_domain_address (sd, data, size, &addr))
              g_assert_true (hearth_dns_addr_in_prefix (&sd->start, &addr));
          }
        break;
      }
    case 7:
      {
        guint8 wire[HEARTH_DNS_NAME_MAX];
        gsize len;

        if (hearth_dns_hostname_to_wire (value, wire, &len))
          g_assert_cmpuint (len, <=, HEARTH_DNS_NAME_MAX);
        break;
      }
    default:
      break;
    }
}

#define N_OPTIONS 15

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *value = NULL;
  guint8 selector;
  gboolean tokenize;
  guint which;

  /* Option values are config lines; nothing longer is worth the time. */
  if (size < 1 || size > 4097)
    return 0;
  selector = data[0];
  data++;
  size--;
  tokenize = selector >= 'A' && selector <= 'Z';
  which = (guint) (guint8) (selector - (tokenize ? 'A' : 'a')) % N_OPTIONS;
  value = g_strndup ((const char *) data, size);

  if (!tokenize)
    {
      run_option (which, value, NULL, data, size);
      return 0;
    }
  {
    g_autofree char *line = g_strconcat ("txt-record=", value, NULL);
    g_autoptr (HearthConfigItem) item = NULL;
    char *newline = strchr (line, '\n');

    if (newline != NULL)
      *newline = '\0';
    if (hearth_config_parse_line (line, "fuzz", 1, &item, NULL) && item != NULL && item->value != NULL)
      run_option (which, item->value, item->quoted, data, size);
  }
  return 0;
}
