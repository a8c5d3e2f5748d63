/* The daemon's bus connection and names (see bus.h).
 *
 * One connection carries everything; when it closes, the objects are
 * unexported, and a timer tries again every second. Names are owned with
 * g_bus_own_name_on_connection() on each new connection; as with dnsmasq
 * no flags are given, so a second daemon queues instead of taking over.
 *
 * The DHCP objects (bus-dhcp) belong to the native API whatever the mode;
 * with --enable-dbus, dnsmasq's lease methods and signals are wired to
 * them here.
 */
#include "config.h"

#include "bus/bus.h"
#include "bus/bus-auth.h"
#include "bus/bus-compat.h"
#include "bus/bus-dhcp.h"
#include "bus/bus-native.h"

#include <glib/gi18n-lib.h>

#define RETRY_MS 1000

struct _HearthBus {
  HearthDnsService *dns;
  char *address;        /* NULL: resolved from the bus type on each attempt */
  gboolean session_bus;
  char *native_name;
  HearthBusNative *native;
  HearthBusCompat *compat;
  GDBusConnection *connection;
  gulong closed_handler;
  guint native_name_id;
  guint compat_name_id;
  guint retry_timer;
  gboolean announced;
  gboolean connecting;
  gboolean warned;      /* the "no bus" warning was logged since the last connection */
  GCancellable *cancellable;
};

static void connect_async (HearthBus *bus);

static void
native_name_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_info (_("D-Bus: owning %s"), name);
}

static void
name_lost_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  /* With a connection this means another process owns the name (or the
   * policy forbids it); without one the bus closed, which closed_cb
   * handles. */
  if (connection != NULL && !g_dbus_connection_is_closed (connection))
    g_warning (_("D-Bus: cannot own %s (another process has it, or the bus policy forbids it); waiting for it"),
               name);
}

static void
compat_name_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  HearthBus *bus = user_data;

  g_info (_("D-Bus: owning %s (dnsmasq's interface)"), name);
  hearth_bus_compat_emit_up (bus->compat);
}

static void
own_names (HearthBus *bus)
{
  if (bus->connection == NULL || !bus->announced)
    return;
  if (bus->native_name != NULL && bus->native_name_id == 0)
    bus->native_name_id = g_bus_own_name_on_connection (bus->connection, bus->native_name, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                        native_name_acquired_cb, name_lost_cb, bus, NULL);
  if (bus->compat != NULL && bus->compat_name_id == 0)
    bus->compat_name_id =
        g_bus_own_name_on_connection (bus->connection, hearth_bus_compat_get_name (bus->compat),
                                      G_BUS_NAME_OWNER_FLAGS_NONE, compat_name_acquired_cb, name_lost_cb, bus, NULL);
}

static void
drop_connection (HearthBus *bus)
{
  if (bus->connection == NULL)
    return;
  hearth_bus_auth_forget ();
  g_clear_handle_id (&bus->native_name_id, g_bus_unown_name);
  g_clear_handle_id (&bus->compat_name_id, g_bus_unown_name);
  hearth_bus_native_set_connection (bus->native, NULL, NULL);
  if (bus->compat != NULL)
    hearth_bus_compat_set_connection (bus->compat, NULL);
  g_signal_handler_disconnect (bus->connection, bus->closed_handler);
  bus->closed_handler = 0;
  g_clear_object (&bus->connection);
}

static gboolean
retry_cb (gpointer user_data)
{
  HearthBus *bus = user_data;

  bus->retry_timer = 0;
  connect_async (bus);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (HearthBus *bus)
{
  if (bus->retry_timer == 0)
    bus->retry_timer = g_timeout_add (RETRY_MS, retry_cb, bus);
}

static void
closed_cb (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
  HearthBus *bus = user_data;

  g_warning (_("D-Bus: lost the bus (%s); DNS keeps serving, reconnecting"),
             error != NULL ? error->message : _("closed"));
  drop_connection (bus);
  bus->warned = TRUE;
  schedule_retry (bus);
}

static void
use_connection (HearthBus *bus, GDBusConnection *connection)
{
  g_autoptr (GError) error = NULL;

  g_dbus_connection_set_exit_on_close (connection, FALSE);
  bus->connection = g_object_ref (connection);
  bus->closed_handler = g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), bus);
  if (!hearth_bus_native_set_connection (bus->native, connection, &error))
    g_warning (_("D-Bus: cannot export hearth's objects: %s"), error->message);
  if (bus->compat != NULL)
    hearth_bus_compat_set_connection (bus->compat, connection);
  if (bus->warned)
    g_message (_("D-Bus: connected to the bus"));
  bus->warned = FALSE;
  own_names (bus);
}

static char *
bus_address (HearthBus *bus, GError **error)
{
  if (bus->address != NULL)
    return g_strdup (bus->address);
  return g_dbus_address_get_for_bus_sync (bus->session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, error);
}

static void
connect_failed (HearthBus *bus, const GError *error)
{
  if (!bus->warned)
    g_warning (_("D-Bus: cannot connect to the bus (%s); DNS keeps serving, retrying every second"),
               error->message);
  bus->warned = TRUE;
  schedule_retry (bus);
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HearthBus *bus = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) connection = g_dbus_connection_new_for_address_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* bus is being freed */
  bus->connecting = FALSE;
  if (connection == NULL)
    {
      connect_failed (bus, error);
      return;
    }
  use_connection (bus, connection);
}

static void
connect_async (HearthBus *bus)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;

  if (bus->connection != NULL || bus->connecting)
    return;
  address = bus_address (bus, &error);
  if (address == NULL)
    {
      connect_failed (bus, error);
      return;
    }
  bus->connecting = TRUE;
  g_dbus_connection_new_for_address (address,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                     NULL, bus->cancellable, connected_cb, bus);
}

HearthBus *
hearth_bus_new (HearthDnsService *dns, const HearthBusOptions *options)
{
  HearthBus *bus = g_new0 (HearthBus, 1);
  HearthBusDhcp *dhcp;

  bus->dns = dns;
  bus->address = g_strdup (options->address);
  bus->session_bus = options->session_bus;
  bus->native_name = g_strdup (options->native_name);
  bus->cancellable = g_cancellable_new ();
  bus->native = hearth_bus_native_new (dns, options->reload, options->reload_data);
  dhcp = hearth_bus_native_get_dhcp (bus->native);
  hearth_bus_dhcp_set_service (dhcp, options->dhcp);
  if (options->compat_name != NULL)
    {
      bus->compat = hearth_bus_compat_new (dns, options->compat_name, options->reload, options->reload_data);
      /* dnsmasq's lease methods and signals are the DHCP objects' too. */
      hearth_bus_compat_set_dhcp (bus->compat, dhcp);
      hearth_bus_dhcp_set_compat (dhcp, bus->compat);
    }
  return bus;
}

void
hearth_bus_free (HearthBus *bus)
{
  if (bus == NULL)
    return;
  g_cancellable_cancel (bus->cancellable);
  g_clear_handle_id (&bus->retry_timer, g_source_remove);
  drop_connection (bus);
  hearth_bus_dhcp_set_compat (hearth_bus_native_get_dhcp (bus->native), NULL);
  hearth_bus_compat_free (bus->compat);
  hearth_bus_native_free (bus->native);
  g_object_unref (bus->cancellable);
  g_free (bus->native_name);
  g_free (bus->address);
  g_free (bus);
}

void
hearth_bus_start (HearthBus *bus)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = bus_address (bus, &error);
  g_autoptr (GDBusConnection) connection = NULL;

  if (address != NULL)
    connection = g_dbus_connection_new_for_address_sync (address,
                                                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                         NULL, NULL, &error);
  if (connection == NULL)
    {
      connect_failed (bus, error);
      return;
    }
  use_connection (bus, connection);
}

void
hearth_bus_announce (HearthBus *bus)
{
  bus->announced = TRUE;
  hearth_bus_native_update_listen_addresses (bus->native);
  own_names (bus);
}
