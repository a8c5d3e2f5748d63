/* Fuzz target: a client packet through the stub's query handling (parse,
 * policy, cache lookup, reply writing), exactly the path a packet from the
 * network takes before any upstream is involved. The cache is primed by
 * the reply target's corpus shape: every input is also offered as an
 * upstream reply to its own question, so cache hits get exercised too.
 */
#include "config.h"

#include "dns/dns-stub.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static HearthDnsConfig *config;
static HearthDnsCache *cache;
static HearthDnsStub *stub;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static guint8 out[HEARTH_DNS_MSG_MAX];
  HearthDnsQuery query;
  gboolean forward;
  GPtrArray *servers;

  if (stub == NULL)
    {
      config = hearth_dns_config_new ();
      config->domain_needed = TRUE;
      cache = hearth_dns_cache_new (64, 1024 * 1024);
      stub = hearth_dns_stub_new (config, cache);
    }
  hearth_dns_stub_process (stub, data, size, FALSE, NULL, 1000, &query, &forward, &servers, out, sizeof out);
  if (forward)
    {
      HearthDnsAnswer *answer = NULL;
      guint16 id = size >= 2 ? (guint16) (data[0] << 8 | data[1]) : 0;

      /* Treat the same bytes as the upstream's reply (QR forced) so a later
       * identical query is a cache hit. */
      if (size >= 3)
        {
          guint8 *copy = g_memdup2 (data, size);

          copy[2] |= 0x80;
          if (hearth_dns_answer_new_from_reply (copy, size, id, &query.question, &answer) == HEARTH_DNS_REPLY_OK)
            hearth_dns_cache_insert (cache, &query.question, query.edns_do ? HEARTH_DNS_CACHE_KEY_DO : 0, answer,
                                     1000);
          g_free (copy);
        }
      hearth_dns_stub_process (stub, data, size, TRUE, NULL, 1001, &query, &forward, &servers, out, sizeof out);
    }
  return 0;
}
