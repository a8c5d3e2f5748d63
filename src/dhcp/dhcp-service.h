/* The DHCP service: the DHCPv4 handler on its socket, with the lease
 * table, the lease file, the script helper and the interfaces wired
 * together.
 *
 * Packets are read in batches; replies that acknowledge a lease wait
 * until the batch's lease-file changes are synced (one fdatasync per
 * batch), then go out. Lease events are turned into lease-file records,
 * script runs, and calls of the daemon's hooks (DNS names, D-Bus).
 *
 * The service does not know about DNS or D-Bus: the daemon connects
 * them through HearthDhcpServiceHooks and the lease callback.
 */
#pragma once

#include "dhcp/dhcp-config.h"
#include "dhcp/dhcp-lease.h"
#include "dhcp/dhcp4-server.h"
#include "net/net-monitor.h"
#include "net/net-policy.h"

G_BEGIN_DECLS

typedef struct _HearthDhcpService HearthDhcpService;

typedef struct {
  /* Put a client's name into DNS; returns a handle (0 = refused). */
  guint (*add_name) (const char *hostname, guint32 addr, gpointer user_data);
  void (*remove_name) (guint handle, gpointer user_data);
  /* The --domain for an address, or NULL. */
  const char *(*domain_for) (guint32 addr, gpointer user_data);
  gpointer user_data;
  gboolean dns_enabled;
} HearthDhcpServiceHooks;

/* Takes @config and @policy. The monitor must outlive the service. */
HearthDhcpService *hearth_dhcp_service_new (HearthDhcpConfig *config, HearthNetMonitor *monitor,
                                            HearthNetPolicy *policy, const HearthDhcpServiceHooks *hooks);
void hearth_dhcp_service_free (HearthDhcpService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpService, hearth_dhcp_service_free)

/* Loads the leases (lease file, or the script's "init" with
 * --leasefile-ro) and opens the socket. Errors: G_IO_ERROR for the
 * network (dnsmasq exit 2), HEARTH_DHCP_SERVICE_ERROR_FILE for the lease
 * file (exit 3), HEARTH_DHCP_SERVICE_ERROR_INIT for a failing init (exit
 * 10 + its status, in the error code's companion out value). */
#define HEARTH_DHCP_SERVICE_ERROR (hearth_dhcp_service_error_quark ())
GQuark hearth_dhcp_service_error_quark (void);
typedef enum {
  HEARTH_DHCP_SERVICE_ERROR_FILE,
  HEARTH_DHCP_SERVICE_ERROR_INIT,
} HearthDhcpServiceError;
gboolean hearth_dhcp_service_open (HearthDhcpService *svc, int *out_init_status, GError **error);
/* Forks the script helper (after daemonizing, before threads and before
 * dropping privileges). */
gboolean hearth_dhcp_service_start_script (HearthDhcpService *svc, GError **error);
/* Attaches the socket and timers to the main loop. */
void hearth_dhcp_service_start (HearthDhcpService *svc);
/* SIGHUP: re-read --dhcp-hostsfile/--dhcp-hostsdir/--read-ethers, and
 * tell the script about every lease again ("old"). */
void hearth_dhcp_service_reload (HearthDhcpService *svc);

HearthDhcp4Server *hearth_dhcp_service_get_server (HearthDhcpService *svc);
HearthDhcpLeaseTable *hearth_dhcp_service_get_leases (HearthDhcpService *svc);
const HearthDhcpConfig *hearth_dhcp_service_get_config (HearthDhcpService *svc);

/* Lease events for the D-Bus layer (called after the service's own
 * handling; for REMOVED the lease is freed right after). */
typedef void (*HearthDhcpServiceLeaseFunc) (HearthDhcpService *svc, HearthDhcpLeaseEvent event,
                                            const HearthDhcpLease *lease, gpointer user_data);
void hearth_dhcp_service_set_lease_func (HearthDhcpService *svc, HearthDhcpServiceLeaseFunc func,
                                         gpointer user_data);

/* Administrative changes (D-Bus). */
gboolean hearth_dhcp_service_release (HearthDhcpService *svc, guint32 addr);
/* dnsmasq's AddDhcpLease: create or overwrite the lease on @addr. */
gboolean hearth_dhcp_service_add_lease (HearthDhcpService *svc, guint32 addr, guint8 hwtype, const guint8 *hwaddr,
                                        guint8 hwlen, const char *hostname, GBytes *client_id, guint32 length,
                                        GError **error);
/* Wall-clock expiry of a lease (epoch seconds, 0 = infinite). */
gint64 hearth_dhcp_service_lease_expiry_wall (HearthDhcpService *svc, const HearthDhcpLease *lease);
/* The interface name a lease was served on, or NULL. */
const char *hearth_dhcp_service_lease_interface (HearthDhcpService *svc, const HearthDhcpLease *lease);

typedef struct {
  HearthDhcp4ServerStats server;
  guint leases;
  guint64 sync_batches;
  guint64 write_errors;
} HearthDhcpServiceStats;
void hearth_dhcp_service_get_stats (HearthDhcpService *svc, HearthDhcpServiceStats *out_stats);

G_END_DECLS
