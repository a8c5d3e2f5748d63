/* The caller check (see bus-auth.h).
 *
 * The uid comes from the bus (GetConnectionUnixUser): the bus learnt it
 * from the kernel when the caller connected, so it cannot be forged. Polkit
 * is asked with one D-Bus call of its documented Authority interface
 * rather than through libpolkit-gobject: that library would add a
 * dependency (and a second copy of the subject and result types) for a
 * single asynchronous call that GDBus makes just as well.
 */
#include "config.h"

#include "bus/bus-auth.h"
#include "bus/bus-error.h"

#include <glib/gi18n-lib.h>

#include <unistd.h>

/* Unique bus names are never reused while a bus runs, so a caller's uid
 * is asked once per connection to the bus: this saves a round trip per
 * call to a network manager that sets servers often. Bounded. */
#define UID_CACHE_MAX 1024
static GHashTable *uid_cache;          /* unique name -> uid + 1 */
static GDBusConnection *uid_cache_bus; /* the connection the names belong to (not referenced) */

static gboolean
uid_cache_lookup (GDBusConnection *connection, const char *sender, guint32 *out_uid)
{
  gpointer v;

  if (uid_cache == NULL || uid_cache_bus != connection)
    return FALSE;
  v = g_hash_table_lookup (uid_cache, sender);
  if (v == NULL)
    return FALSE;
  *out_uid = GPOINTER_TO_UINT (v) - 1;
  return TRUE;
}

static void
uid_cache_store (GDBusConnection *connection, const char *sender, guint32 uid)
{
  if (uid_cache == NULL)
    uid_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (uid_cache_bus != connection || g_hash_table_size (uid_cache) >= UID_CACHE_MAX)
    g_hash_table_remove_all (uid_cache);
  uid_cache_bus = connection;
  g_hash_table_insert (uid_cache, g_strdup (sender), GUINT_TO_POINTER (uid + 1));
}

typedef struct {
  GDBusConnection *connection;
  GDBusMessage *message;
  HearthBusAuthFunc func;
  gpointer user_data;
} AuthCheck;

static void
auth_finish (AuthCheck *check, gboolean allowed)
{
  check->func (allowed, check->user_data);
  g_object_unref (check->connection);
  g_object_unref (check->message);
  g_free (check);
}

static void
polkit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AuthCheck *check = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  gboolean authorized = FALSE, challenge = FALSE;

  if (reply == NULL)
    g_debug ("polkit: %s", error->message);
  else
    g_variant_get (reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
  auth_finish (check, authorized);
}

static void
ask_polkit (AuthCheck *check)
{
  GDBusConnection *connection = check->connection;
  GDBusMessage *message = check->message;
  GVariantBuilder subject_details;
  guint32 flags = 0;

  g_variant_builder_init (&subject_details, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&subject_details, "{sv}", "name",
                         g_variant_new_string (g_dbus_message_get_sender (message)));
  /* AllowUserInteraction only when the caller said it can wait for it. */
  if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    flags |= 1;
  g_dbus_connection_call (connection, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                          "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
                          g_variant_new ("((sa{sv})sa{ss}us)", "system-bus-name", &subject_details,
                                         HEARTH_BUS_POLKIT_ACTION, NULL, flags, ""),
                          G_VARIANT_TYPE ("((bba{ss}))"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, polkit_done_cb,
                          check);
}

static void
decide (AuthCheck *check, guint32 uid)
{
  if (uid == 0 || uid == (guint32) geteuid ())
    auth_finish (check, TRUE);
  else
    ask_polkit (check);
}

static void
uid_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AuthCheck *check = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid;

  if (reply == NULL)
    {
      g_debug ("caller check: %s", error->message);
      auth_finish (check, FALSE);
      return;
    }
  g_variant_get (reply, "(u)", &uid);
  uid_cache_store (check->connection, g_dbus_message_get_sender (check->message), uid);
  decide (check, uid);
}

void
hearth_bus_auth_check (GDBusConnection *connection, GDBusMessage *message, HearthBusAuthFunc func,
                       gpointer user_data)
{
  AuthCheck *check = g_new0 (AuthCheck, 1);
  const char *sender = g_dbus_message_get_sender (message);

  check->connection = g_object_ref (connection);
  check->message = g_object_ref (message);
  check->func = func;
  check->user_data = user_data;
  if (sender == NULL)
    {
      /* A peer-to-peer connection has no bus to vouch for the caller. */
      auth_finish (check, FALSE);
      return;
    }
  {
    guint32 uid;

    if (uid_cache_lookup (connection, sender, &uid))
      {
        decide (check, uid);
        return;
      }
  }
  g_dbus_connection_call (connection, "org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                          uid_done_cb, check);
}

void
hearth_bus_auth_forget (void)
{
  if (uid_cache != NULL)
    g_hash_table_remove_all (uid_cache);
  uid_cache_bus = NULL;
}

gboolean
hearth_bus_auth_proceed (gboolean allowed, GDBusMethodInvocation *invocation, GDBusConnection *connection)
{
  if (!allowed)
    {
      g_dbus_method_invocation_return_error (invocation, HEARTH_BUS_ERROR, HEARTH_BUS_ERROR_ACCESS_DENIED,
                                             _ ("%s may not change hearth (needs root or the polkit action %s)"),
                                             g_dbus_method_invocation_get_sender (invocation), HEARTH_BUS_POLKIT_ACTION);
      return FALSE;
    }
  if (connection == NULL || g_dbus_method_invocation_get_connection (invocation) != connection)
    {
      /* The bus went away while polkit thought: nobody to answer. */
      g_object_unref (invocation);
      return FALSE;
    }
  return TRUE;
}
