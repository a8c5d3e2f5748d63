/* The DHCP side of hearth's D-Bus API: one org.hearth.Hearth1.DhcpRange,
 * .Host and .Lease object per range, host entry and lease of the DHCP
 * service, exported through the native API's ObjectManager; the Manager's
 * AddDhcpRange/UpdateDhcpRange/RemoveDhcpRange, AddHost/UpdateHost/
 * RemoveHost and ReleaseLease; and the lease half of dnsmasq's interface
 * (AddDhcpLease, DeleteDhcpLease and the DhcpLease* signals).
 *
 * Thin, like bus-native: specs are parsed by the configuration's parsers
 * (dhcp-config), changes are handed to the DHCP server in one step, and
 * the objects follow the service's single lease callback, which this
 * module owns. It keeps no state of its own beyond the exported objects.
 * With DHCP off it still answers the Manager's DHCP methods, with
 * org.freedesktop.DBus.Error.NotSupported.
 */
#pragma once

#include "bus/bus-compat.h"
#include "bus/bus-native.h"
#include "dbus-interfaces/hearth-bus-generated.h"
#include "dhcp/dhcp-service.h"

#include <gio/gio.h>

/* What one caller may add, and all callers together. */
#define HEARTH_BUS_MAX_DHCP_RANGES_PER_CALLER 256
#define HEARTH_BUS_MAX_DHCP_HOSTS_PER_CALLER 4096
#define HEARTH_BUS_MAX_DHCP_RANGES 1024
#define HEARTH_BUS_MAX_DHCP_HOSTS 16384
/* The longest range or host text accepted over D-Bus. */
#define HEARTH_BUS_DHCP_SPEC_MAX 4096

typedef struct _HearthBusDhcp HearthBusDhcp;

/* Connects the Manager's DHCP methods on @manager; objects go to
 * @object_manager. Both must outlive the result. Without a service
 * (hearth_bus_dhcp_set_service() not called) the methods answer
 * NotSupported. */
HearthBusDhcp *hearth_bus_dhcp_new (HearthBusManager *manager, GDBusObjectManagerServer *object_manager);
void hearth_bus_dhcp_free (HearthBusDhcp *dhcp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBusDhcp, hearth_bus_dhcp_free)
/* Once, before the first connection: makes the objects and installs the
 * service's lease callback (taken from then until hearth_bus_dhcp_free(),
 * which must come before the service is freed). NULL: DHCP is off. */
void hearth_bus_dhcp_set_service (HearthBusDhcp *dhcp, HearthDhcpService *service);
HearthDhcpService *hearth_bus_dhcp_get_service (HearthBusDhcp *dhcp);
/* Where method calls are answered and signals sent (NULL: nowhere). */
void hearth_bus_dhcp_set_connection (HearthBusDhcp *dhcp, GDBusConnection *connection);
/* dnsmasq's interface, for the DhcpLease* signals (NULL: none are sent). */
void hearth_bus_dhcp_set_compat (HearthBusDhcp *dhcp, HearthBusCompat *compat);
/* Removes the ranges and host entries @owner made (it left the bus with
 * cleanup on exit set). */
void hearth_bus_dhcp_remove_owner (HearthBusDhcp *dhcp, const char *owner);
/* Adds the "dhcp-*" counters of the Manager's GetStatistics() to @builder
 * (an a{st}); nothing with DHCP off. */
void hearth_bus_dhcp_add_statistics (HearthBusDhcp *dhcp, GVariantBuilder *builder);

/* dnsmasq's lease methods, given the call's body (any type: checked
 * here). The error's message is for an InvalidArgs reply, except
 * G_IO_ERROR_NOT_SUPPORTED (DHCP is off), a NotSupported reply. */
gboolean hearth_bus_dhcp_compat_add_lease (HearthBusDhcp *dhcp, GVariant *body, const char *sender, GError **error);
gboolean hearth_bus_dhcp_compat_delete_lease (HearthBusDhcp *dhcp, GVariant *body, const char *sender,
                                              gboolean *out_found, GError **error);

