/* The org.hearth.Hearth1.Link objects: one per network interface the
 * monitor knows, at /org/hearth/Hearth1/link/IFINDEX, exported through the
 * native API's ObjectManager.
 *
 * Objects come and go with the interfaces; their properties are refreshed
 * (once per main-loop turn, however many changes arrived) after interface
 * events and whenever the DNS entries change. Method calls are handed to
 * the native API, which checks the caller and applies them.
 */
#pragma once

#include "dns/dns-service.h"

#include <gio/gio.h>

typedef struct _HearthBusLinks HearthBusLinks;

/* A SetServers/SetDomains/Revert call on the Link of ifindex. Must answer
 * (or keep) invocation. */
typedef void (*HearthBusLinkMethodFunc) (GDBusMethodInvocation *invocation, guint ifindex, gpointer user_data);

/* refreshed (may be NULL) runs after each refresh, with user_data: the
 * servers' states may have changed with the interfaces. */
HearthBusLinks *hearth_bus_links_new (HearthDnsService *dns, GDBusObjectManagerServer *object_manager,
                                      HearthBusLinkMethodFunc method, GSourceFunc refreshed, gpointer user_data);
void hearth_bus_links_free (HearthBusLinks *links);
/* Something that Link properties show changed (DNS entries). */
void hearth_bus_links_queue_refresh (HearthBusLinks *links);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthBusLinks, hearth_bus_links_free)
