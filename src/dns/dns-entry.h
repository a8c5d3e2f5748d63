/* Runtime DNS objects: the upstream servers and domain routes that make up
 * the routing table, each with its owner.
 *
 * The configuration file, resolv files and D-Bus callers are all producers
 * of the same entries; the DNS service builds its routing table from them
 * and the bus layer exports one object per entry. A SERVER entry is one
 * upstream with the domains it answers for (none: a default server). A
 * ROUTE entry is one domain and what to do with it; a FORWARD route holds
 * its servers as child SERVER entries.
 *
 * The parsers here turn the arguments of D-Bus calls into entries with the
 * same code the configuration uses (dns-server.c), so a D-Bus caller gets
 * exactly the checks a config file gets. Pure: no sockets, no bus.
 */
#pragma once

#include "dns/dns-server.h"

typedef enum {
  HEARTH_DNS_ENTRY_SERVER,
  HEARTH_DNS_ENTRY_ROUTE,
} HearthDnsEntryType;

typedef enum {
  HEARTH_DNS_ACTION_FORWARD, /* to the route's child servers */
  HEARTH_DNS_ACTION_LOCAL,   /* local data only, never forwarded */
  HEARTH_DNS_ACTION_BLOCK,   /* NXDOMAIN for the domain and below */
  HEARTH_DNS_ACTION_ADDRESS, /* answer with the route's addresses */
  HEARTH_DNS_ACTION_DEFAULT, /* use the default servers */
} HearthDnsAction;
const char *hearth_dns_action_to_string (HearthDnsAction action);
gboolean hearth_dns_action_from_string (const char *text, HearthDnsAction *out_action);

/* Where an entry came from; decides the routing order (config, resolv,
 * then D-Bus) and whether D-Bus may delete it. */
typedef enum {
  HEARTH_DNS_SOURCE_CONFIG,
  HEARTH_DNS_SOURCE_RESOLV,
  HEARTH_DNS_SOURCE_BUS,
} HearthDnsSource;

typedef struct _HearthDnsEntry HearthDnsEntry;
struct _HearthDnsEntry {
  guint ref_count;
  guint id;                 /* given by the service when first added; never reused; 0 before */
  HearthDnsEntryType type;
  HearthDnsSource source;
  char *owner;              /* "config", "resolv:PATH", "dnsmasq-dbus", a unique bus name */
  HearthDnsEntry *parent;   /* a server of a FORWARD route: the route (not referenced) */
  /* SERVER */
  HearthDnsServer *server;
  GPtrArray *domains;       /* char*, normalised (see hearth_dns_domain_normalize) */
  /* ROUTE */
  char *domain;             /* normalised; "#" = every name (--address=/#/) */
  HearthDnsAction action;
  GArray *addresses;        /* HearthDnsAddr, for ADDRESS */
  GPtrArray *children;      /* HearthDnsEntry* (referenced), for FORWARD */
};

HearthDnsEntry *hearth_dns_entry_ref (HearthDnsEntry *entry);
void hearth_dns_entry_unref (HearthDnsEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsEntry, hearth_dns_entry_unref)

/* A server entry (server referenced, domains copied; NULL = none). */
HearthDnsEntry *hearth_dns_entry_new_server (HearthDnsSource source, const char *owner, HearthDnsServer *server,
                                             GPtrArray *domains);
HearthDnsEntry *hearth_dns_entry_new_route (HearthDnsSource source, const char *owner, const char *domain,
                                            HearthDnsAction action);
/* Appends a server entry to a FORWARD route (child referenced, its parent set). */
void hearth_dns_entry_add_child (HearthDnsEntry *route, HearthDnsEntry *child);
/* Same type, and the same target and domains, or the same domain, action,
 * addresses and child targets: a SetServers call keeps such an entry. */
gboolean hearth_dns_entry_equivalent (const HearthDnsEntry *a, const HearthDnsEntry *b);

/* A --server/--local spec (or a dnsmasq SetDomainServers string) as
 * entries: a spec with a server is one SERVER entry; one without (local
 * only, "#") is a ROUTE entry per domain. Appends to out. */
void hearth_dns_entries_from_spec (const HearthDnsServerSpec *spec, HearthDnsSource source, const char *owner,
                                   GPtrArray *out);

/* The longest string any D-Bus argument may be (a domain list of 253-byte
 * names fits comfortably); larger is refused before parsing. */
#define HEARTH_DNS_ENTRY_ARG_MAX 1024
/* The most domains one server may list, and servers one call may set. */
#define HEARTH_DNS_ENTRY_LIST_MAX 256

/* AddServer(address, port, interface, domains): address without '#' or
 * '@' (a "%scope" is fine), port 0 = 53, interface "" = none. */
gboolean hearth_dns_entry_parse_server (const char *address, guint port, const char *interface,
                                        const char *const *domains, gsize n_domains, HearthDnsSource source,
                                        const char *owner, HearthDnsEntry **out_entry, GError **error);
/* AddRoute(domain, action, servers): servers in --server syntax without
 * domains, one or more for "forward" only. */
gboolean hearth_dns_entry_parse_route (const char *domain, const char *action, const char *const *servers,
                                       gsize n_servers, HearthDnsSource source, const char *owner,
                                       HearthDnsEntry **out_entry, GError **error);
/* One inner array of dnsmasq's SetServersEx: [address, domain...], the
 * address in --server syntax; "0.0.0.0" makes the domains local-only.
 * Appends the entries to out only when all of them parse. */
gboolean hearth_dns_entries_parse_servers_ex (const char *const *strv, gsize n, HearthDnsSource source,
                                              const char *owner, GPtrArray *out, GError **error);
