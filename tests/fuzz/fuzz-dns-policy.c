/* Fuzz target: an upstream reply through the answer policy under three
 * policies that between them switch on every rule, then checks that every
 * reply the policy wrote is one the forwarder's own parser accepts, and
 * that the names inside the rdata the policy re-encoded still decode. Any
 * rewritten reply that does not is a bug: abort.
 *
 * The question is taken from the input itself (as fuzz-dns-reply does), so
 * well-formed replies are reached often.
 */
#include "config.h"

#include "dns/dns-policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static HearthDnsPolicy *policies[3];

static void
must (gboolean ok)
{
  if (!ok)
    abort ();
}

static void
make_policies (void)
{
  HearthDnsPolicy *p;

  p = policies[0] = hearth_dns_policy_new ();
  must (hearth_dns_policy_add_bogus_nxdomain (p, "64.94.110.0/24", NULL));
  must (hearth_dns_policy_add_bogus_nxdomain (p, "2001:db8:bad::/48", NULL));
  must (hearth_dns_policy_add_ignore_address (p, "198.51.100.7", NULL));
  must (hearth_dns_policy_add_alias (p, "1.2.3.0,6.7.8.0,255.255.255.0", NULL));
  hearth_dns_policy_set_stop_rebind (p, TRUE);
  hearth_dns_policy_set_filter_a (p, TRUE);
  hearth_dns_policy_set_filterwin2k (p, TRUE);

  p = policies[1] = hearth_dns_policy_new ();
  must (hearth_dns_policy_add_alias (p, "0.0.0.0,9.9.9.0,0.0.0.255", NULL));
  hearth_dns_policy_set_filter_aaaa (p, TRUE);
  must (hearth_dns_policy_add_filter_rr (p, "CNAME,SOA", NULL));

  p = policies[2] = hearth_dns_policy_new ();
  must (hearth_dns_policy_add_filter_rr (p, "ANY,TXT,RRSIG", NULL));
  hearth_dns_policy_set_stop_rebind (p, TRUE);
  hearth_dns_policy_set_rebind_localhost_ok (p, TRUE);
  must (hearth_dns_policy_add_rebind_domain_ok (p, "/lan/home.arpa/", NULL));
  must (hearth_dns_policy_add_rebind_domain_ok (p, "//", NULL));
}

/* Every name the policy re-encoded (rdata of class-IN NS, CNAME, PTR, MX,
 * SRV, SOA) must decode inside its record. */
static void
check_rdata_names (const guint8 *msg, gsize len)
{
  HearthDnsReader r;
  guint total;

  hearth_dns_reader_init (&r, msg, len);
  must (hearth_dns_reader_skip (&r, HEARTH_DNS_HEADER_SIZE));
  must (hearth_dns_reader_name (&r, NULL, NULL) && hearth_dns_reader_skip (&r, 4));
  total = (guint) (msg[6] << 8 | msg[7]) + (guint) (msg[8] << 8 | msg[9]) + (guint) (msg[10] << 8 | msg[11]);
  for (guint i = 0; i < total; i++)
    {
      guint16 type = 0, rclass = 0, rdlength = 0;
      guint32 ttl;
      gsize skip = 0, names = 1, end;
      HearthDnsReader rd;

      must (hearth_dns_reader_name (&r, NULL, NULL) && hearth_dns_reader_u16 (&r, &type) &&
            hearth_dns_reader_u16 (&r, &rclass) && hearth_dns_reader_u32 (&r, &ttl) &&
            hearth_dns_reader_u16 (&r, &rdlength));
      end = r.pos + rdlength;
      must (len >= end);
      switch (type)
        {
        case HEARTH_DNS_TYPE_NS:
        case HEARTH_DNS_TYPE_CNAME:
        case HEARTH_DNS_TYPE_PTR:
          break;
        case HEARTH_DNS_TYPE_MX:
          skip = 2;
          break;
        case HEARTH_DNS_TYPE_SRV:
          skip = 6;
          break;
        case HEARTH_DNS_TYPE_SOA:
          names = 2;
          break;
        default:
          names = 0;
        }
      if (rclass == HEARTH_DNS_CLASS_IN && names > 0)
        {
          hearth_dns_reader_init (&rd, msg, len);
          rd.pos = r.pos;
          must (hearth_dns_reader_skip (&rd, skip));
          for (gsize n = 0; n < names; n++)
            must (hearth_dns_reader_name (&rd, NULL, NULL) && rd.pos <= end);
        }
      r.pos = end;
    }
  must (r.pos == len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static guint8 out[HEARTH_DNS_MSG_MAX];
  HearthDnsQuery parsed;
  HearthDnsQuestion question;
  guint8 *copy;
  guint16 id;
  HearthDnsReplyResult input_result;

  if (policies[0] == NULL)
    make_policies ();
  if (size < HEARTH_DNS_HEADER_SIZE)
    return 0;
  /* The question as a query would carry it (QR and opcode cleared in a
   * copy). */
  copy = g_memdup2 (data, size);
  copy[2] &= 0x07;
  if (hearth_dns_query_parse (copy, size, &parsed) == HEARTH_DNS_PARSE_OK)
    question = parsed.question;
  else
    {
      memset (&question, 0, sizeof question);
      question.name_len = 1;
      question.qtype = HEARTH_DNS_TYPE_A;
      question.qclass = HEARTH_DNS_CLASS_IN;
    }
  g_free (copy);
  id = (guint16) (data[0] << 8 | data[1]);
  {
    HearthDnsAnswer *answer = NULL;

    input_result = hearth_dns_answer_new_from_reply (data, size, id, &question, &answer);
    if (answer != NULL)
      hearth_dns_answer_free (answer);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      gsize out_len = 0;
      /* Sometimes too small an output, to reach the SERVFAIL fallback. */
      gsize out_size = (size % 5 == 0) ? size / 2 : sizeof out;
      HearthDnsReplyVerdict v;
      HearthDnsAnswer *answer = NULL;
      HearthDnsReplyResult result;

      hearth_dns_policy_check_query (policies[i], &question);
      v = hearth_dns_policy_check_reply (policies[i], &question, data, size, out, out_size, &out_len);
      switch (v)
        {
        case HEARTH_DNS_REPLY_KEEP:
        case HEARTH_DNS_REPLY_IGNORE:
          must (out_len == 0);
          break;
        case HEARTH_DNS_REPLY_REWRITTEN:
        case HEARTH_DNS_REPLY_NXDOMAIN:
        case HEARTH_DNS_REPLY_BLOCKED:
          must (out_len >= HEARTH_DNS_HEADER_SIZE && out_len <= out_size);
          check_rdata_names (out, out_len);
          /* What the forwarder would have accepted, it must accept
           * rewritten. */
          if (input_result == HEARTH_DNS_REPLY_OK || input_result == HEARTH_DNS_REPLY_UNCACHEABLE)
            {
              result = hearth_dns_answer_new_from_reply (out, out_len, id, &question, &answer);
              must (result == HEARTH_DNS_REPLY_OK || result == HEARTH_DNS_REPLY_UNCACHEABLE);
              if (answer != NULL)
                hearth_dns_answer_free (answer);
            }
          break;
        }
    }
  return 0;
}
