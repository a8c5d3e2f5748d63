/* hearth's own D-Bus API: the Manager at /org/hearth/Hearth1 with its
 * ObjectManager, and one Server or Route object per DNS entry.
 *
 * Thin: every method checks the caller (bus-auth), turns its arguments
 * into DNS entries with the parsers the config uses (dns-entry), and hands
 * them to the DNS service in one step. Objects follow the service's entry
 * notifications; they exist whether or not a bus is connected, and are
 * exported whenever one is.
 */
#pragma once

#include "dns/dns-service.h"

#include <gio/gio.h>

#define HEARTH_BUS_PATH "/org/hearth/Hearth1"
/* Objects one caller may create (servers and routes, a route's servers
 * included), and all callers together. */
#define HEARTH_BUS_MAX_OBJECTS_PER_CALLER 256
#define HEARTH_BUS_MAX_OBJECTS 4096

typedef struct _HearthBusNative HearthBusNative;

/* reload is what SIGHUP does (the daemon's job: it also logs and notifies
 * systemd). */
HearthBusNative *hearth_bus_native_new (HearthDnsService *dns, GSourceFunc reload, gpointer reload_data);
void hearth_bus_native_free (HearthBusNative *native);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBusNative, hearth_bus_native_free)
/* Exports everything on connection, or unexports with NULL. */
gboolean hearth_bus_native_set_connection (HearthBusNative *native, GDBusConnection *connection, GError **error);
/* Reads the listeners again (once the DNS service started). */
void hearth_bus_native_update_listen_addresses (HearthBusNative *native);
/* A server's address as its Server object spells it ("fe80::1%eth0" for
 * link-local addresses). */
void hearth_bus_native_server_address (const HearthDnsServer *server, char *buf, gsize size);
/* The object path of an entry's object. */
char *hearth_bus_native_entry_path (const HearthDnsEntry *entry);
/* The native API's DHCP objects (see bus-dhcp.h). */
typedef struct _HearthBusDhcp HearthBusDhcp;
HearthBusDhcp *hearth_bus_native_get_dhcp (HearthBusNative *native);
