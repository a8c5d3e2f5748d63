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
#include "dns/dns-stub.h"

typedef struct _HearthDnsService HearthDnsService;

/* Takes ownership of config. */
HearthDnsService *hearth_dns_service_new (HearthDnsConfig *config);
void hearth_dns_service_free (HearthDnsService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsService, hearth_dns_service_free)

/* Opens the listening sockets, or adopts activated (HearthNetActivatedSocket
 * from systemd) when it is not empty. Call before dropping privileges.
 * Errors are G_IO_ERROR ones: the daemon exits with the network code. */
gboolean hearth_dns_service_open (HearthDnsService *svc, GArray *activated, GError **error);
/* Reads the resolv files, starts watching them and starts serving. */
void hearth_dns_service_start (HearthDnsService *svc);
/* SIGHUP: clears the cache and re-reads the resolv files. Queries in
 * flight are not touched. */
void hearth_dns_service_reload (HearthDnsService *svc);
/* SIGUSR1: cache and per-server statistics to the log. */
void hearth_dns_service_log_statistics (HearthDnsService *svc);
const HearthDnsConfig *hearth_dns_service_get_config (HearthDnsService *svc);
guint hearth_dns_service_get_n_servers (HearthDnsService *svc);
