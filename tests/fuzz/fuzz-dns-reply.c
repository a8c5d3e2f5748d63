/* Fuzz target: an upstream reply through the forwarder's checks and the
 * answer builder, then replayed to a client with and without EDNS, with
 * small limits (truncation) and TTL arithmetic. The question the reply is
 * checked against is taken from the input itself, so valid replies are
 * reached often.
 */
#include "config.h"

#include "dns/dns-packet.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static guint8 out[HEARTH_DNS_MSG_MAX];
  HearthDnsQuery parsed;
  HearthDnsQuestion question;
  HearthDnsAnswer *answer = NULL;
  guint8 *copy;
  guint16 id;

  if (size < HEARTH_DNS_HEADER_SIZE)
    return 0;
  /* Parse the question as a query would be (QR cleared in a copy). */
  copy = g_memdup2 (data, size);
  copy[2] &= 0x7f;
  copy[2] &= 0x87; /* opcode QUERY */
  if (hearth_dns_query_parse (copy, size, &parsed) != HEARTH_DNS_PARSE_OK)
    {
      g_free (copy);
      /* Still run the reply parser against a fixed question. */
      memset (&question, 0, sizeof question);
      question.name_len = 1;
      question.qtype = 1;
      question.qclass = 1;
      if (hearth_dns_answer_new_from_reply (data, size, 0, &question, &answer) == HEARTH_DNS_REPLY_OK)
        hearth_dns_answer_free (answer);
      return 0;
    }
  g_free (copy);
  question = parsed.question;
  id = (guint16) (data[0] << 8 | data[1]);
  if (hearth_dns_answer_new_from_reply (data, size, id, &question, &answer) == HEARTH_DNS_REPLY_OK)
    {
      HearthDnsReplyParams params = { .elapsed = size % 7, .max_ttl = size % 3, .proxy_dnssec = size & 1,
                                      .edns_udp_size = 1232, .limit = HEARTH_DNS_MSG_MAX };

      hearth_dns_answer_write (answer, &parsed, &params, out, sizeof out);
      params.limit = 512;
      parsed.has_edns = !parsed.has_edns;
      hearth_dns_answer_write (answer, &parsed, &params, out, sizeof out);
      params.limit = 20;
      hearth_dns_answer_write (answer, &parsed, &params, out, sizeof out);
      hearth_dns_answer_write (answer, &parsed, &params, out, 13);
      hearth_dns_answer_free (answer);
    }
  return 0;
}
