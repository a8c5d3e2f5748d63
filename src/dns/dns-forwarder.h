/* The forwarder: one transaction per distinct question in flight, sent to
 * the upstream servers its route names, with retries, failover, TCP
 * fallback and the checks that make spoofing hard (random source port and
 * ID per attempt, replies only from the queried address and port, same ID
 * and same question).
 *
 * Identical questions from several clients share one transaction. The
 * forwarder does not know about listeners: it hands finished answers back
 * through a callback, and stores them in the cache it was given.
 */
#pragma once

#include "dns/dns-cache.h"
#include "dns/dns-config.h"
#include "dns/dns-policy.h"
#include "dns/dns-server.h"

typedef struct _HearthDnsForwarder HearthDnsForwarder;

/* Called once per waiting client when its transaction ends: answer is the
 * upstream's answer (not owned, valid during the call) or NULL with rcode
 * SERVFAIL/REFUSED when there is none. client is the pointer given to
 * hearth_dns_forwarder_query(); the callee owns it from then on. */
typedef void (*HearthDnsForwarderDeliverFunc) (gpointer client, const HearthDnsAnswer *answer, guint rcode,
                                               gpointer user_data);

typedef struct {
  guint64 forwarded;      /* upstream attempts sent */
  guint64 merged;         /* client queries that joined a transaction in flight */
  guint64 answered;
  guint64 servfail;       /* transactions given up */
  guint64 refused_limit;  /* dns-forward-max reached */
  guint64 suspended;      /* SERVFAIL because every server of the route waits for its interface */
  guint64 bad_replies;    /* ignored: wrong ID, question, malformed */
  guint64 tcp_fallbacks;
  guint64 policy_changed; /* replies rewritten or blocked by answer policy */
  guint64 policy_ignored; /* replies dropped by --ignore-address */
  guint in_flight;
} HearthDnsForwarderStats;

HearthDnsForwarder *hearth_dns_forwarder_new (const HearthDnsConfig *config, HearthDnsCache *cache,
                                              HearthDnsForwarderDeliverFunc deliver, gpointer user_data);
/* Ends every transaction without delivering (clients are freed with
 * client_free). */
void hearth_dns_forwarder_free (HearthDnsForwarder *fwd);
void hearth_dns_forwarder_set_client_free_func (HearthDnsForwarder *fwd, GDestroyNotify client_free);

/* Forwards query (client's parsed query) to servers (in the route's order;
 * the array is not kept, the servers are referenced), or joins the
 * transaction already asking the same question. client is handed back in
 * deliver. Delivers REFUSED at once when servers is empty or the
 * dns-forward-max limit is reached. */
void hearth_dns_forwarder_query (HearthDnsForwarder *fwd, const HearthDnsQuery *query, GPtrArray *servers,
                                 gpointer client);
void hearth_dns_forwarder_get_stats (HearthDnsForwarder *fwd, HearthDnsForwarderStats *out_stats);
void hearth_dns_forwarder_reset_stats (HearthDnsForwarder *fwd);
