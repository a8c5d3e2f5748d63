/* The stub: hearth's DNS listeners (UDP and TCP) and what happens to a
 * client query: parse, answer locally when policy says so, answer from the
 * cache, or hand it to the forwarder.
 *
 * The stub owns the listening sockets it is given and the client TCP
 * connections; it does not open listening sockets itself (the service
 * decides which, or systemd passes them) and knows nothing about upstream
 * servers beyond the routing table it consults.
 */
#pragma once

#include "dns/dns-cache.h"
#include "dns/dns-config.h"
#include "dns/dns-forwarder.h"
#include "dns/dns-local.h"
#include "dns/dns-server.h"

typedef struct _HearthDnsStub HearthDnsStub;

typedef struct {
  guint64 queries_udp;
  guint64 queries_tcp;
  guint64 dropped;        /* too short, responses, oversize */
  guint64 formerr;
  guint64 notimp;
  guint64 local_answers;  /* local routes, domain-needed */
  guint64 cache_answers;
  guint64 tcp_refused;    /* connections over the cap */
  guint64 not_accepted;   /* refused by where they arrived or who sent them */
  guint tcp_connections;
} HearthDnsStubStats;

/* Called before each query is answered or forwarded; the service uses it
 * for --log-queries. from is the client's address. */
typedef void (*HearthDnsStubLogFunc) (const HearthDnsQuery *query, const struct sockaddr *from, gpointer user_data);

HearthDnsStub *hearth_dns_stub_new (const HearthDnsConfig *config, HearthDnsCache *cache);
void hearth_dns_stub_free (HearthDnsStub *stub);
/* The routing table in use (borrowed; the service replaces it when servers
 * change). */
void hearth_dns_stub_set_routes (HearthDnsStub *stub, HearthDnsRoutes *routes);
/* The local data answered before anything else (borrowed; NULL = none). */
void hearth_dns_stub_set_local (HearthDnsStub *stub, HearthDnsLocal *local);
void hearth_dns_stub_set_log_func (HearthDnsStub *stub, HearthDnsStubLogFunc func, gpointer user_data);
/* Decides whether a query is answered at all, by where it arrived and
 * who sent it (from); a query refused here is dropped silently, as
 * dnsmasq does. For TCP the check runs once per connection, with
 * arrival->ifindex 0. */
typedef gboolean (*HearthDnsStubAcceptFunc) (const HearthDnsLocalContext *arrival, const struct sockaddr *from,
                                             gpointer user_data);

/* NULL (the default) accepts everything. */
void hearth_dns_stub_set_accept_func (HearthDnsStub *stub, HearthDnsStubAcceptFunc func, gpointer user_data);
/* Takes ownership of a bound (and for TCP listening) socket. */
void hearth_dns_stub_add_listener (HearthDnsStub *stub, int fd, int type);
/* Closes a listener given earlier (connections it accepted carry on). */
void hearth_dns_stub_remove_listener (HearthDnsStub *stub, int fd);
guint hearth_dns_stub_get_n_listeners (HearthDnsStub *stub);
HearthDnsForwarder *hearth_dns_stub_get_forwarder (HearthDnsStub *stub);
void hearth_dns_stub_get_stats (HearthDnsStub *stub, HearthDnsStubStats *out_stats);
void hearth_dns_stub_reset_stats (HearthDnsStub *stub);
/* "ADDRESS#PORT/udp" and "/tcp" for every listener (new array of strings). */
GPtrArray *hearth_dns_stub_list_listeners (HearthDnsStub *stub);

/* The pure part of query handling, shared with the fuzzer: given a packet
 * from a client (over TCP or UDP), writes an immediate reply into buf
 * (returns its length), or returns 0 when the packet is dropped or must be
 * forwarded (*out_forward = TRUE, and *out_servers the route's servers,
 * borrowed from the routing table, possibly NULL). *out_query is always
 * filled as far as the packet parsed. arrival says where the query
 * arrived (NULL = unknown; its limit is ignored), now is monotonic
 * seconds. */
gsize hearth_dns_stub_process (HearthDnsStub *stub, const guint8 *packet, gsize len, gboolean tcp,
                               const HearthDnsLocalContext *arrival, gint64 now, HearthDnsQuery *out_query, gboolean *out_forward, GPtrArray **out_servers,
                               guint8 *buf, gsize buf_size);
