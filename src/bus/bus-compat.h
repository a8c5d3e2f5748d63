/* dnsmasq's D-Bus interface (uk.org.thekelleys.dnsmasq) at
 * /uk/org/thekelleys/dnsmasq, as NetworkManager and scripts call it:
 * Set*Servers, the option switches, metrics, ClearCache, and the Up
 * signal. Lease methods come with DHCP.
 *
 * The same DNS entries as everything else: servers set here appear as
 * org.hearth.Hearth1.Server objects owned by "dnsmasq-dbus".
 */
#pragma once

#include "dns/dns-service.h"

#include <gio/gio.h>

#define HEARTH_BUS_COMPAT_PATH "/uk/org/thekelleys/dnsmasq"
#define HEARTH_BUS_COMPAT_DEFAULT_NAME "uk.org.thekelleys.dnsmasq"

typedef struct _HearthBusCompat HearthBusCompat;

/* name: the --enable-dbus bus name, also the interface name shown by
 * Introspect and used for Up. reload: what ClearCache does (SIGHUP). */
HearthBusCompat *hearth_bus_compat_new (HearthDnsService *dns, const char *name, GSourceFunc reload,
                                        gpointer reload_data);
void hearth_bus_compat_free (HearthBusCompat *compat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBusCompat, hearth_bus_compat_free)
const char *hearth_bus_compat_get_name (HearthBusCompat *compat);
/* Starts answering on connection (NULL: stops). */
void hearth_bus_compat_set_connection (HearthBusCompat *compat, GDBusConnection *connection);
/* The Up signal (after the name is owned). */
void hearth_bus_compat_emit_up (HearthBusCompat *compat);
/* Lets dnsmasq's interface answer AddDhcpLease and DeleteDhcpLease (see
 * bus-dhcp.h). */
typedef struct _HearthBusDhcp HearthBusDhcp;
void hearth_bus_compat_set_dhcp (HearthBusCompat *compat, HearthBusDhcp *dhcp);
