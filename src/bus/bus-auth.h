/* Who may change hearth over D-Bus: the check every mutating method makes
 * in the daemon, whatever the bus policy lets through.
 *
 * Allowed: uid 0, the uid hearthd runs as, and callers polkit authorizes
 * for the action org.hearth.Hearth1.manage. Anything that goes wrong on
 * the way (no polkit, a caller that left) is a refusal.
 */
#pragma once

#include <gio/gio.h>

#define HEARTH_BUS_POLKIT_ACTION "org.hearth.Hearth1.manage"

/* Called in the main context with the verdict. */
typedef void (*HearthBusAuthFunc) (gboolean allowed, gpointer user_data);

/* Starts the check for the sender of message (a method call received on
 * connection); never blocks. */
void hearth_bus_auth_check (GDBusConnection *connection, GDBusMessage *message, HearthBusAuthFunc func,
                            gpointer user_data);

/* Forgets what is known of callers: call when the bus connection goes
 * (a new bus hands out the same unique names again). */
void hearth_bus_auth_forget (void);

/* In a HearthBusAuthFunc: TRUE when the call may go on. Otherwise it has
 * been dealt with: answered AccessDenied, or dropped when the bus it came
 * on (@connection: the current one, NULL when gone) went away meanwhile. */
gboolean hearth_bus_auth_proceed (gboolean allowed, GDBusMethodInvocation *invocation,
                                  GDBusConnection *connection);
