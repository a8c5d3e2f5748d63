/* The daemon's D-Bus presence: one connection to the bus, hearth's own
 * objects (bus-native) and, with --enable-dbus, dnsmasq's interface
 * (bus-compat), and the names they are reached by.
 *
 * A missing bus is never fatal: DNS keeps serving, the log says so, and
 * the connection is tried again every second until it works; a bus that
 * goes away is followed the same way. The first attempt is synchronous so
 * the daemon can make it before dropping privileges.
 */
#pragma once

#include "dhcp/dhcp-service.h"
#include "dns/dns-service.h"

#include <gio/gio.h>

typedef struct {
  const char *address;      /* a bus address, or NULL for the system (or session) bus */
  gboolean session_bus;     /* --session-bus */
  const char *native_name;  /* org.hearth.Hearth1, or NULL (dnsmasq mode) */
  const char *compat_name;  /* --enable-dbus NAME, or NULL */
  HearthDhcpService *dhcp;  /* the DHCP service, or NULL when DHCP is off */
  GSourceFunc reload;       /* what Reload()/ClearCache do: the SIGHUP handler */
  gpointer reload_data;
} HearthBusOptions;

typedef struct _HearthBus HearthBus;

HearthBus *hearth_bus_new (HearthDnsService *dns, const HearthBusOptions *options);
void hearth_bus_free (HearthBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBus, hearth_bus_free)
/* Connects now (blocking, bounded by the bus's own timeouts) and, on
 * failure, keeps trying from the main loop. */
void hearth_bus_start (HearthBus *bus);
/* Owns the names and sends Up: call once the daemon serves DNS. */
void hearth_bus_announce (HearthBus *bus);
