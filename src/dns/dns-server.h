/* Upstream servers and the routing table that picks them for a name.
 *
 * A HearthDnsServer is one upstream (address, port, optional source address
 * or interface) with its counters; a HearthDnsServerSpec is one parsed
 * --server/--local value (or resolv.conf line, or later D-Bus entry): which
 * domains it covers and what to do with them. HearthDnsRoutes is built from
 * the specs of every producer and answers "which servers for this name" by
 * longest-suffix match. Parsing here is pure; nothing here opens sockets or
 * watches files.
 */
#pragma once

#include "dns/dns-record.h"

#include <gio/gio.h>
#include <sys/socket.h>

typedef struct {
  guint ref_count;
  struct sockaddr_storage addr; /* with port (default 53) */
  socklen_t addr_len;
  char *interface;              /* @iface, or the %scope of a link-local address; NULL = none */
  struct sockaddr_storage source; /* @source-address[#port]; source_len 0 = none */
  socklen_t source_len;
  char *owner;                  /* "config", "resolv:/etc/resolv.conf", a D-Bus peer later */
  char *text;                   /* printable "addr#port" (with @iface/@source when set) */
  /* statistics */
  guint64 queries;
  guint64 failed;   /* timeouts and SERVFAIL/REFUSED answers */
  guint64 nxdomain;
  guint64 retries;  /* queries we had to send elsewhere after this one failed */
  guint32 latency_ms; /* smoothed round-trip time of answered queries */
  gint64 last_failure; /* monotonic µs of the last timeout or error answer, 0 = never (set by the forwarder) */
  gboolean suspended;  /* its interface is down or gone: nothing is sent to it (set by the service) */
} HearthDnsServer;

HearthDnsServer *hearth_dns_server_ref (HearthDnsServer *server);
void hearth_dns_server_unref (HearthDnsServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsServer, hearth_dns_server_unref)
/* Same address, port, interface and source. */
gboolean hearth_dns_server_same_target (const HearthDnsServer *a, const HearthDnsServer *b);

/* "addr[#port][@source-ip[#port]|@interface]", with "addr%scope" for IPv6
 * link-local. owner is copied. */
gboolean hearth_dns_server_parse (const char *text, const char *owner, HearthDnsServer **out_server, GError **error);

typedef enum {
  HEARTH_DNS_ROUTE_FORWARD, /* send to the route's servers */
  HEARTH_DNS_ROUTE_LOCAL,   /* answer locally only: never forwarded (NXDOMAIN when no local data) */
  HEARTH_DNS_ROUTE_DEFAULT, /* /dom/#: use the servers for names without a domain route */
  HEARTH_DNS_ROUTE_ADDRESS, /* --address=/dom/addr: answer with these addresses */
} HearthDnsRouteKind;
const char *hearth_dns_route_kind_to_string (HearthDnsRouteKind kind);

typedef struct {
  GPtrArray *domains;       /* char*, lower case, no trailing dot; "" = unqualified names ("//");
                               empty array = a default (no-domain) server */
  HearthDnsRouteKind kind;
  HearthDnsServer *server;  /* only for FORWARD */
} HearthDnsServerSpec;

void hearth_dns_server_spec_free (HearthDnsServerSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsServerSpec, hearth_dns_server_spec_free)
/* One domain as --server and --address take it, into the form routes use:
 * lower case, no trailing dot, no leading dot, "*" kept at the start of a
 * wildcard, "" (names without a dot) kept. Errors say "bad domain 'x': ...". */
gboolean hearth_dns_domain_normalize (const char *raw, char **out_domain, GError **error);

/* A --server value: "addr...", "/dom1/dom2/addr...", "/dom/#" (default
 * servers for dom), "/dom/" (local only), "//addr" (unqualified names). */
gboolean hearth_dns_server_spec_parse (const char *text, const char *owner, HearthDnsServerSpec **out_spec,
                                       GError **error);
/* A --local value: "/dom/[dom2/]" (and the rarer forms --local shares with --server). */
gboolean hearth_dns_server_spec_parse_local (const char *text, const char *owner, HearthDnsServerSpec **out_spec,
                                             GError **error);

/* resolv.conf contents -> the default servers it names (HearthDnsServer*,
 * owned), "nameserver" lines only; other lines ignored; bad addresses
 * skipped and counted in *out_n_bad. owner is copied into each server. */
GPtrArray *hearth_dns_resolv_parse (const char *contents, gsize len, const char *owner, guint *out_n_bad);

typedef struct _HearthDnsRoutes HearthDnsRoutes;

HearthDnsRoutes *hearth_dns_routes_new (void);
void hearth_dns_routes_free (HearthDnsRoutes *routes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsRoutes, hearth_dns_routes_free)
/* Adds a spec (the routes keep references to its server, not the spec).
 * Servers are kept in the order added, and the same server target added
 * twice for one domain is kept once. */
void hearth_dns_routes_add (HearthDnsRoutes *routes, const HearthDnsServerSpec *spec);
/* For a query name (wire form, any case): the kind of the longest matching
 * domain route, and for FORWARD (and DEFAULT, resolved to the default
 * servers, reported as FORWARD) the servers in order (array owned by routes,
 * may be empty). No allocation. */
HearthDnsRouteKind hearth_dns_routes_lookup (HearthDnsRoutes *routes, const guint8 *name, gsize len,
                                             GPtrArray **out_servers);
/* --address rules: addresses (or NXDOMAIN) for whole domains, matched by
 * the same longest-suffix rule as servers. The domain "#" stands for every
 * name no other route covers. */
void hearth_dns_routes_add_address (HearthDnsRoutes *routes, const HearthDnsAddressRule *rule);

typedef struct {
  HearthDnsRouteKind kind;  /* FORWARD, LOCAL or ADDRESS (DEFAULT is resolved) */
  GPtrArray *servers;       /* FORWARD: the servers (borrowed, may be empty) */
  GArray *addresses;        /* ADDRESS: HearthDnsAddr (borrowed) */
  gboolean matched;         /* a domain route decided, not the default servers */
} HearthDnsRouteMatch;
/* The full result of a lookup. No allocation. */
void hearth_dns_routes_match (HearthDnsRoutes *routes, const guint8 *name, gsize len, HearthDnsRouteMatch *out);

/* Every distinct server, in order added (for statistics and logging).
 * Borrowed: valid until the routes are freed. */
GPtrArray *hearth_dns_routes_get_servers (HearthDnsRoutes *routes);
/* The server the routes use for server's target (the first one added with
 * that address, port, interface and source: it holds the counters), or
 * NULL when no route uses the target. */
HearthDnsServer *hearth_dns_routes_find_server (HearthDnsRoutes *routes, const HearthDnsServer *server);
/* Whether name (wire form, any case) gets the same decision from both
 * tables: the same kind, the same servers in the same order, the same
 * addresses. */
gboolean hearth_dns_routes_same_decision (HearthDnsRoutes *a, HearthDnsRoutes *b, const guint8 *name, gsize len);
