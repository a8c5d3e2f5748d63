/* The DNS service: everything DNS in one object the daemon drives. It
 * opens (or adopts) the listeners, builds the routing table from the
 * configured servers and the resolv files, watches those files, and
 * answers reload and statistics requests.
 *
 * It owns no main loop and installs no signal handlers: the daemon calls
 * in. Later producers of servers (D-Bus) add their specs here too.
 */
#pragma once

#include "dns/dns-config.h"
#include "dns/dns-entry.h"
#include "dns/dns-stub.h"
#include "net/net-monitor.h"

typedef struct _HearthDnsService HearthDnsService;

/* Takes ownership of config. */
/* monitor (borrowed; NULL in unit tests) is where interfaces come from. */
HearthDnsService *hearth_dns_service_new (HearthDnsConfig *config, HearthNetMonitor *monitor);
void hearth_dns_service_free (HearthDnsService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsService, hearth_dns_service_free)

/* Opens the listening sockets, or adopts activated (HearthNetActivatedSocket
 * from systemd) when it is not empty. Call before dropping privileges.
 * Errors are G_IO_ERROR ones: the daemon exits with the network code. */
gboolean hearth_dns_service_open (HearthDnsService *svc, GArray *activated, GError **error);
/* Reads the resolv files, starts watching them and starts serving. */
void hearth_dns_service_start (HearthDnsService *svc);
/* Sockets may have to be bound after start (--bind-interfaces,
 * --bind-dynamic): the process must keep the right to bind low ports. */
gboolean hearth_dns_service_needs_late_binds (HearthDnsService *svc);
/* Whether DNS is answered on this link (see hearth_dns_listen_link_served). */
gboolean hearth_dns_service_link_served (HearthDnsService *svc, const HearthNetLink *link);
HearthNetMonitor *hearth_dns_service_get_monitor (HearthDnsService *svc);

/* ---- per-link DNS (systemd-resolved's SetLinkDNS/SetLinkDomains) ----
 * A link's servers are bound to it and suspended while it is down; with
 * routing domains they answer only for those ("~dom" is accepted, "."
 * makes them default servers too), without they are default servers.
 * Everything is dropped when the link disappears. Servers are "addr" or
 * "addr#port". Errors: G_IO_ERROR_NOT_FOUND (no such link),
 * G_IO_ERROR_INVALID_ARGUMENT; nothing changes on error. */
gboolean hearth_dns_service_set_link_servers (HearthDnsService *svc, guint ifindex, const char *const *servers,
                                              GError **error);
gboolean hearth_dns_service_set_link_domains (HearthDnsService *svc, guint ifindex, const char *const *domains,
                                              GError **error);
gboolean hearth_dns_service_revert_link (HearthDnsService *svc, guint ifindex, GError **error);
/* Borrowed NULL-terminated arrays (empty when nothing was set). */
void hearth_dns_service_get_link_dns (HearthDnsService *svc, guint ifindex, const char *const **out_servers,
                                      const char *const **out_domains);
/* SIGHUP: clears the cache and re-reads the resolv files. Queries in
 * flight are not touched. */
void hearth_dns_service_reload (HearthDnsService *svc);
/* The name hook for DHCP clients (see dns-local.h): 0 when refused (the
 * reason is logged). */
guint hearth_dns_service_add_dhcp_name (HearthDnsService *svc, const char *hostname, const HearthDnsAddr *addr);
void hearth_dns_service_remove_dhcp_name (HearthDnsService *svc, guint handle);
/* The --domain for an address, or NULL. */
const char *hearth_dns_service_domain_for (HearthDnsService *svc, const HearthDnsAddr *addr);
/* SIGUSR1: cache and per-server statistics to the log. */
void hearth_dns_service_log_statistics (HearthDnsService *svc);
const HearthDnsConfig *hearth_dns_service_get_config (HearthDnsService *svc);
guint hearth_dns_service_get_n_servers (HearthDnsService *svc);

/* ---- runtime objects (the bus layer's view) ---- */

/* Called when an entry appears (added TRUE: it has its id) or goes away
 * (added FALSE: still valid during the call). Routes come before their
 * servers when added, after them when removed. */
typedef void (*HearthDnsServiceEntryFunc) (HearthDnsEntry *entry, gboolean added, gpointer user_data);
void hearth_dns_service_set_entry_func (HearthDnsService *svc, HearthDnsServiceEntryFunc func, gpointer user_data);
/* Every entry in routing order, each route followed by its servers (new
 * array; the entries are borrowed). */
GPtrArray *hearth_dns_service_list_entries (HearthDnsService *svc);
HearthDnsEntry *hearth_dns_service_lookup_entry (HearthDnsService *svc, guint id);
/* The D-Bus producers' top-level entries, in order (borrowed). */
GPtrArray *hearth_dns_service_get_bus_entries (HearthDnsService *svc);
/* One atomic change of the D-Bus entries: removes those in remove, appends
 * those in add (an entry already present is moved to the end and keeps its
 * id), announces the differences and rebuilds the routing table once.
 * Cached answers whose route changed are dropped (all of them with
 * --clear-on-reload). Entries must be validated already: this cannot fail. */
void hearth_dns_service_set_bus_entries (HearthDnsService *svc, GPtrArray *remove, GPtrArray *add);
/* How many entries (servers of routes included) owner has made. */
guint hearth_dns_service_count_owner (HearthDnsService *svc, const char *owner);
/* SetServers: replaces owner's top-level D-Bus entries (only its SERVER
 * ones with servers_only) by fresh, in one change. An existing entry
 * equivalent to a fresh one is kept in its place (same id, counters).
 * Returns the entries owner now has from fresh, in fresh's order. */
GPtrArray *hearth_dns_service_replace_entries (HearthDnsService *svc, const char *owner, gboolean servers_only,
                                               GPtrArray *fresh);
/* Removes every D-Bus entry owner made (its bus connection closed). */
void hearth_dns_service_remove_owner (HearthDnsService *svc, const char *owner);
/* The server object that carries a SERVER entry's counters (servers with
 * the same target share one). */
HearthDnsServer *hearth_dns_service_get_entry_server (HearthDnsService *svc, const HearthDnsEntry *entry);

/* Removes the cached answers for domain and below ("" or NULL: all). */
gboolean hearth_dns_service_flush_cache (HearthDnsService *svc, const char *domain, guint *out_removed,
                                         GError **error);

/* The options dnsmasq's D-Bus interface turns on and off at run time. */
typedef enum {
  HEARTH_DNS_SWITCH_FILTERWIN2K,
  HEARTH_DNS_SWITCH_FILTER_A,
  HEARTH_DNS_SWITCH_FILTER_AAAA,
  HEARTH_DNS_SWITCH_BOGUS_PRIV,
  HEARTH_DNS_SWITCH_LOCALISE_QUERIES,
} HearthDnsSwitch;
/* Sets the option and clears the cache (its answers followed the old one). */
void hearth_dns_service_set_switch (HearthDnsService *svc, HearthDnsSwitch which, gboolean on);

typedef struct {
  HearthDnsCacheStats cache;
  HearthDnsStubStats stub;
  HearthDnsForwarderStats forwarder;
} HearthDnsStatistics;
void hearth_dns_service_get_statistics (HearthDnsService *svc, HearthDnsStatistics *out);
/* Every counter (global and per server) back to zero. */
void hearth_dns_service_clear_statistics (HearthDnsService *svc);
/* "ADDRESS#PORT/udp|tcp" per listener (new array of strings). */
GPtrArray *hearth_dns_service_get_listen_addresses (HearthDnsService *svc);
