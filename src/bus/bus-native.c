/* hearth's own D-Bus API (see bus-native.h).
 *
 * Every mutating method goes the same way: the generated skeleton calls
 * the handle_ function, which starts the caller check and returns; the
 * check's verdict arrives in authorized_cb, which runs the method from the
 * invocation's parameters. Nothing is applied until all arguments parsed.
 *
 * Counters are not pushed per query (that would cost a D-Bus message per
 * DNS packet): a one-second timer copies them into the properties, and the
 * skeletons emit PropertiesChanged for those that changed.
 */
#include "config.h"

#include "bus/bus-native.h"
#include "bus/bus-auth.h"
#include "bus/bus-dhcp.h"
#include "bus/bus-error.h"
#include "bus/bus-link.h"
#include "dbus-interfaces/hearth-bus-generated.h"
#include "net/net-socket.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <string.h>

#define STATS_INTERVAL_MS 1000
#define FAILING_US (60 * G_USEC_PER_SEC) /* the forwarder's memory of a failure */

typedef struct {
  HearthDnsEntry *entry;              /* referenced */
  HearthBusObjectSkeleton *object;
  HearthBusServer *server;            /* for SERVER entries */
  HearthBusRoute *route;              /* for ROUTE entries */
} EntryObject;

struct _HearthBusNative {
  HearthDnsService *dns;
  GSourceFunc reload;
  gpointer reload_data;
  GDBusConnection *connection;
  HearthBusManager *manager;
  GDBusObjectManagerServer *object_manager;
  GHashTable *objects;  /* entry id -> EntryObject* */
  GHashTable *cleanup;  /* unique name -> watch id: callers whose objects go when they leave */
  HearthBusLinks *links;
  HearthBusDhcp *dhcp;  /* the DHCP objects and methods (bus-dhcp) */
  guint stats_timer;
};

typedef enum {
  CALL_ADD_SERVER,
  CALL_SET_SERVERS,
  CALL_ADD_ROUTE,
  CALL_FLUSH_CACHE,
  CALL_RELOAD,
  CALL_SET_CLEANUP,
  CALL_DELETE,
  CALL_LINK, /* SetServers/SetDomains/Revert of a link, on the Link or the Manager */
} CallKind;

typedef struct {
  HearthBusNative *native;
  GDBusMethodInvocation *invocation; /* ours until answered */
  CallKind kind;
  guint entry_id; /* CALL_DELETE; the interface index for CALL_LINK */
} Call;

char *
hearth_bus_native_entry_path (const HearthDnsEntry *entry)
{
  return g_strdup_printf (HEARTH_BUS_PATH "/%s/%u", entry->type == HEARTH_DNS_ENTRY_SERVER ? "server" : "route",
                          entry->id);
}

static void
entry_object_free (gpointer p)
{
  EntryObject *eo = p;

  g_clear_object (&eo->server);
  g_clear_object (&eo->route);
  g_clear_object (&eo->object);
  hearth_dns_entry_unref (eo->entry);
  g_free (eo);
}

/* ---- properties ---- */

void
hearth_bus_native_server_address (const HearthDnsServer *server, char *buf, gsize size)
{
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &server->addr;
  char plain[INET6_ADDRSTRLEN + 8];

  hearth_net_sockaddr_to_string ((const struct sockaddr *) &server->addr, FALSE, plain, sizeof plain);
  if (server->addr.ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL (&sin6->sin6_addr) && server->interface != NULL)
    g_snprintf (buf, size, "%s%%%s", plain, server->interface);
  else
    g_snprintf (buf, size, "%s", plain);
}

static void
update_server_counters (HearthBusNative *native, EntryObject *eo, gint64 now)
{
  HearthDnsServer *s = hearth_dns_service_get_entry_server (native->dns, eo->entry);
  gboolean failing = s->last_failure != 0 && now - s->last_failure < FAILING_US;

  hearth_bus_server_set_state (eo->server, s->suspended ? "suspended" : failing ? "failing" : "up");
  hearth_bus_server_set_queries (eo->server, s->queries);
  hearth_bus_server_set_failures (eo->server, s->failed);
  hearth_bus_server_set_nxdomain (eo->server, s->nxdomain);
  hearth_bus_server_set_retries (eo->server, s->retries);
  hearth_bus_server_set_latency_ms (eo->server, s->latency_ms);
}

static GDBusInterfaceSkeleton *
server_skeleton_new (HearthBusNative *native, EntryObject *eo)
{
  const HearthDnsEntry *entry = eo->entry;
  g_autofree char *route_path = entry->parent != NULL ? hearth_bus_native_entry_path (entry->parent) : g_strdup ("/");
  g_autoptr (GPtrArray) domains = g_ptr_array_new ();
  char address[INET6_ADDRSTRLEN + 64];

  for (guint i = 0; i < entry->domains->len; i++)
    g_ptr_array_add (domains, g_ptr_array_index (entry->domains, i));
  g_ptr_array_add (domains, NULL);
  hearth_bus_native_server_address (entry->server, address, sizeof address);
  eo->server = hearth_bus_server_skeleton_new ();
  hearth_bus_server_set_address (eo->server, address);
  hearth_bus_server_set_port (eo->server, hearth_net_sockaddr_port ((const struct sockaddr *) &entry->server->addr));
  hearth_bus_server_set_interface (eo->server, entry->server->interface != NULL ? entry->server->interface : "");
  hearth_bus_server_set_domains (eo->server, (const char *const *) domains->pdata);
  hearth_bus_server_set_owner (eo->server, entry->owner);
  hearth_bus_server_set_route (eo->server, route_path);
  update_server_counters (native, eo, g_get_monotonic_time ());
  return G_DBUS_INTERFACE_SKELETON (eo->server);
}

static GDBusInterfaceSkeleton *
route_skeleton_new (EntryObject *eo)
{
  const HearthDnsEntry *entry = eo->entry;
  g_autoptr (GPtrArray) servers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  HearthDnsAction action = entry->action;

  for (guint i = 0; i < entry->children->len; i++)
    g_ptr_array_add (servers, hearth_bus_native_entry_path (g_ptr_array_index (entry->children, i)));
  g_ptr_array_add (servers, NULL);
  for (guint i = 0; i < entry->addresses->len; i++)
    {
      char text[64];

      hearth_dns_addr_to_string (&g_array_index (entry->addresses, HearthDnsAddr, i), text, sizeof text);
      g_ptr_array_add (addresses, g_strdup (text));
    }
  g_ptr_array_add (addresses, NULL);
  eo->route = hearth_bus_route_skeleton_new ();
  hearth_bus_route_set_domain (eo->route, entry->domain);
  hearth_bus_route_set_action (eo->route, hearth_dns_action_to_string (action));
  hearth_bus_route_set_servers (eo->route, (const char *const *) servers->pdata);
  hearth_bus_route_set_addresses (eo->route, (const char *const *) addresses->pdata);
  hearth_bus_route_set_owner (eo->route, entry->owner);
  return G_DBUS_INTERFACE_SKELETON (eo->route);
}

/* ---- method plumbing ---- */

static gboolean handle_delete_cb (GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation,
                                  gpointer user_data);

static void
entry_changed_cb (HearthDnsEntry *entry, gboolean added, gpointer user_data)
{
  HearthBusNative *native = user_data;
  g_autofree char *path = hearth_bus_native_entry_path (entry);

  if (native->links != NULL)
    hearth_bus_links_queue_refresh (native->links);
  if (!added)
    {
      g_dbus_object_manager_server_unexport (native->object_manager, path);
      g_hash_table_remove (native->objects, GUINT_TO_POINTER (entry->id));
      return;
    }
  {
    EntryObject *eo = g_new0 (EntryObject, 1);
    GDBusInterfaceSkeleton *iface;

    eo->entry = hearth_dns_entry_ref (entry);
    eo->object = hearth_bus_object_skeleton_new (path);
    iface = entry->type == HEARTH_DNS_ENTRY_SERVER ? server_skeleton_new (native, eo) : route_skeleton_new (eo);
    g_signal_connect (iface, "handle-delete", G_CALLBACK (handle_delete_cb), GUINT_TO_POINTER (entry->id));
    g_object_set_data (G_OBJECT (iface), "hearth-native", native);
    if (eo->server != NULL)
      hearth_bus_object_skeleton_set_server (eo->object, eo->server);
    else
      hearth_bus_object_skeleton_set_route (eo->object, eo->route);
    g_hash_table_insert (native->objects, GUINT_TO_POINTER (entry->id), eo);
    g_dbus_object_manager_server_export (native->object_manager, G_DBUS_OBJECT_SKELETON (eo->object));
  }
}

static gboolean
refuse (GDBusMethodInvocation *invocation, HearthBusError code, const char *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, HEARTH_BUS_ERROR, code, message);
  return FALSE;
}

/* The caller may own n more objects. */
static gboolean
check_caps (HearthBusNative *native, GDBusMethodInvocation *invocation, guint n_new, guint n_freed)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  guint mine = hearth_dns_service_count_owner (native->dns, sender);
  guint all = 0;
  GPtrArray *bus = hearth_dns_service_get_bus_entries (native->dns);

  for (guint i = 0; i < bus->len; i++)
    all += 1 + (((HearthDnsEntry *) g_ptr_array_index (bus, i))->children != NULL
                    ? ((HearthDnsEntry *) g_ptr_array_index (bus, i))->children->len
                    : 0);
  if (mine - MIN (mine, n_freed) + n_new > HEARTH_BUS_MAX_OBJECTS_PER_CALLER)
    {
      g_autofree char *msg =
          g_strdup_printf (_ ("%s would own more than %u servers and routes"), sender, HEARTH_BUS_MAX_OBJECTS_PER_CALLER);

      return refuse (invocation, HEARTH_BUS_ERROR_LIMIT_EXCEEDED, msg);
    }
  if (all - MIN (all, n_freed) + n_new > HEARTH_BUS_MAX_OBJECTS)
    {
      g_autofree char *msg = g_strdup_printf (_ ("more than %u servers and routes made over D-Bus"), HEARTH_BUS_MAX_OBJECTS);

      return refuse (invocation, HEARTH_BUS_ERROR_LIMIT_EXCEEDED, msg);
    }
  return TRUE;
}

static guint
entry_size (const HearthDnsEntry *entry)
{
  return 1 + (entry->children != NULL ? entry->children->len : 0);
}

static void
add_entry (HearthBusNative *native, GDBusMethodInvocation *invocation, HearthDnsEntry *entry, gboolean is_server)
{
  g_autoptr (GPtrArray) add = g_ptr_array_new ();
  g_autofree char *path = NULL;

  if (!check_caps (native, invocation, entry_size (entry), 0))
    return;
  g_ptr_array_add (add, entry);
  hearth_dns_service_set_bus_entries (native->dns, NULL, add);
  path = hearth_bus_native_entry_path (entry);
  g_info ("%s added %s %s", g_dbus_method_invocation_get_sender (invocation), is_server ? "server" : "route", path);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));
}

static void
do_add_server (HearthBusNative *native, GDBusMethodInvocation *invocation)
{
  GVariant *params = g_dbus_method_invocation_get_parameters (invocation);
  const char *address, *interface;
  guint16 port;
  g_autofree const char **domains = NULL;
  g_autoptr (HearthDnsEntry) entry = NULL;
  g_autoptr (GError) error = NULL;
  gsize n;

  g_variant_get (params, "(&sq&s^a&s)", &address, &port, &interface, &domains);
  n = g_strv_length ((char **) domains);
  if (!hearth_dns_entry_parse_server (address, port, interface, domains, n, HEARTH_DNS_SOURCE_BUS,
                                      g_dbus_method_invocation_get_sender (invocation), &entry, &error))
    {
      hearth_bus_return_error (invocation, error);
      return;
    }
  add_entry (native, invocation, entry, TRUE);
}

static void
do_set_servers (HearthBusNative *native, GDBusMethodInvocation *invocation)
{
  GVariant *params = g_dbus_method_invocation_get_parameters (invocation);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autoptr (GVariant) list = g_variant_get_child_value (params, 0);
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  g_autoptr (GPtrArray) result = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gsize n = g_variant_n_children (list);
  guint mine_servers = 0;
  GPtrArray *bus;

  if (n > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_autofree char *msg = g_strdup_printf (_ ("more than %u servers"), HEARTH_DNS_ENTRY_LIST_MAX);

      refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, msg);
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      const char *address, *interface;
      guint16 port;
      g_autofree const char **domains = NULL;
      g_autoptr (GError) error = NULL;
      HearthDnsEntry *entry = NULL;

      g_variant_get_child (list, i, "(&sq&s^a&s)", &address, &port, &interface, &domains);
      if (!hearth_dns_entry_parse_server (address, port, interface, domains, g_strv_length ((char **) domains),
                                          HEARTH_DNS_SOURCE_BUS, sender, &entry, &error))
        {
          g_prefix_error (&error, _ ("server %" G_GSIZE_FORMAT ": "), i + 1);
          hearth_bus_return_error (invocation, error);
          return;
        }
      g_ptr_array_add (fresh, entry);
    }
  bus = hearth_dns_service_get_bus_entries (native->dns);
  for (guint i = 0; i < bus->len; i++)
    {
      HearthDnsEntry *e = g_ptr_array_index (bus, i);

      if (e->type == HEARTH_DNS_ENTRY_SERVER && g_strcmp0 (e->owner, sender) == 0)
        mine_servers++;
    }
  if (!check_caps (native, invocation, (guint) n, mine_servers))
    return;
  result = hearth_dns_service_replace_entries (native->dns, sender, TRUE, fresh);
  for (guint i = 0; i < result->len; i++)
    g_ptr_array_add (paths, hearth_bus_native_entry_path (g_ptr_array_index (result, i)));
  g_ptr_array_add (paths, NULL);
  g_info ("%s set %u server(s)", sender, result->len);
  hearth_bus_manager_complete_set_servers (native->manager, invocation, (const char *const *) paths->pdata);
}

static void
do_add_route (HearthBusNative *native, GDBusMethodInvocation *invocation)
{
  GVariant *params = g_dbus_method_invocation_get_parameters (invocation);
  const char *domain, *action;
  g_autofree const char **servers = NULL;
  g_autoptr (HearthDnsEntry) entry = NULL;
  g_autoptr (GError) error = NULL;

  g_variant_get (params, "(&s&s^a&s)", &domain, &action, &servers);
  if (!hearth_dns_entry_parse_route (domain, action, servers, g_strv_length ((char **) servers), HEARTH_DNS_SOURCE_BUS,
                                     g_dbus_method_invocation_get_sender (invocation), &entry, &error))
    {
      hearth_bus_return_error (invocation, error);
      return;
    }
  add_entry (native, invocation, entry, FALSE);
}

static void
do_flush_cache (HearthBusNative *native, GDBusMethodInvocation *invocation)
{
  const char *domain;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &domain);
  if (strlen (domain) > HEARTH_DNS_ENTRY_ARG_MAX)
    {
      refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, _ ("the domain is too long"));
      return;
    }
  if (!hearth_dns_service_flush_cache (native->dns, domain, &n, &error))
    {
      hearth_bus_return_error (invocation, error);
      return;
    }
  g_info ("%s flushed %u cached answer(s)%s%s", g_dbus_method_invocation_get_sender (invocation), n,
          *domain != '\0' ? " under " : "", domain);
  hearth_bus_manager_complete_flush_cache (native->manager, invocation);
}

static void
caller_vanished_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  HearthBusNative *native = user_data;

  g_info ("%s left the bus: removing its servers, routes, DHCP ranges and DHCP hosts", name);
  hearth_dns_service_remove_owner (native->dns, name);
  hearth_bus_dhcp_remove_owner (native->dhcp, name);
  g_hash_table_remove (native->cleanup, name);
}

static void
unwatch (gpointer p)
{
  g_bus_unwatch_name (GPOINTER_TO_UINT (p));
}

static void
do_set_cleanup (HearthBusNative *native, GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  gboolean enabled;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(b)", &enabled);
  if (!enabled)
    g_hash_table_remove (native->cleanup, sender);
  else if (!g_hash_table_contains (native->cleanup, sender))
    {
      guint id = g_bus_watch_name_on_connection (native->connection, sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                 caller_vanished_cb, native, NULL);

      g_hash_table_insert (native->cleanup, g_strdup (sender), GUINT_TO_POINTER (id));
    }
  hearth_bus_manager_complete_set_cleanup_on_exit (native->manager, invocation);
}

static void
do_delete (HearthBusNative *native, GDBusMethodInvocation *invocation, guint id)
{
  HearthDnsEntry *entry = hearth_dns_service_lookup_entry (native->dns, id);
  g_autoptr (GPtrArray) remove = g_ptr_array_new ();
  g_autofree char *path = NULL;

  if (entry == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                             _ ("the object was already removed"));
      return;
    }
  path = hearth_bus_native_entry_path (entry);
  if (entry->source != HEARTH_DNS_SOURCE_BUS)
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s comes from %s and cannot be deleted over D-Bus"), path,
                                              entry->owner);

      refuse (invocation, HEARTH_BUS_ERROR_READ_ONLY, msg);
      return;
    }
  if (entry->parent != NULL)
    {
      g_autofree char *route = hearth_bus_native_entry_path (entry->parent);
      g_autofree char *msg = g_strdup_printf (_ ("%s is a server of %s: delete the route"), path, route);

      refuse (invocation, HEARTH_BUS_ERROR_READ_ONLY, msg);
      return;
    }
  g_ptr_array_add (remove, entry);
  g_info ("%s deleted %s", g_dbus_method_invocation_get_sender (invocation), path);
  hearth_dns_service_set_bus_entries (native->dns, remove, NULL);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* The per-link setters; the Link's and the Manager's methods differ only
 * in where the index comes from. */
static void
do_link (HearthBusNative *native, GDBusMethodInvocation *invocation, guint ifindex)
{
  const char *method = g_dbus_method_invocation_get_method_name (invocation);
  GVariant *params = g_dbus_method_invocation_get_parameters (invocation);
  gboolean on_manager = strstr (method, "Link") != NULL; /* SetLinkServers, RevertLink, ... */
  g_autofree const char **list = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (on_manager && g_variant_n_children (params) > 1)
    g_variant_get (params, "(u^a&s)", NULL, &list);
  else if (!on_manager && g_variant_n_children (params) > 0)
    g_variant_get (params, "(^a&s)", &list);
  if (g_str_has_suffix (method, "Servers"))
    ok = hearth_dns_service_set_link_servers (native->dns, ifindex, list, &error);
  else if (g_str_has_suffix (method, "Domains"))
    ok = hearth_dns_service_set_link_domains (native->dns, ifindex, list, &error);
  else
    ok = hearth_dns_service_revert_link (native->dns, ifindex, &error);
  if (!ok)
    {
      hearth_bus_return_error (invocation, error);
      return;
    }
  g_info ("%s: %s on interface %u", g_dbus_method_invocation_get_sender (invocation), method, ifindex);
  hearth_bus_links_queue_refresh (native->links);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
authorized_cb (gboolean allowed, gpointer user_data)
{
  g_autofree Call *call = user_data;
  HearthBusNative *native = call->native;
  GDBusMethodInvocation *invocation = call->invocation;

  if (!hearth_bus_auth_proceed (allowed, invocation, native->connection))
    return;
  switch (call->kind)
    {
    case CALL_ADD_SERVER:
      do_add_server (native, invocation);
      break;
    case CALL_SET_SERVERS:
      do_set_servers (native, invocation);
      break;
    case CALL_ADD_ROUTE:
      do_add_route (native, invocation);
      break;
    case CALL_FLUSH_CACHE:
      do_flush_cache (native, invocation);
      break;
    case CALL_RELOAD:
      native->reload (native->reload_data);
      hearth_bus_manager_complete_reload (native->manager, invocation);
      break;
    case CALL_SET_CLEANUP:
      do_set_cleanup (native, invocation);
      break;
    case CALL_DELETE:
      do_delete (native, invocation, call->entry_id);
      break;
    case CALL_LINK:
      do_link (native, invocation, call->entry_id);
      break;
    }
}

static gboolean
authorize (HearthBusNative *native, GDBusMethodInvocation *invocation, CallKind kind, guint entry_id)
{
  Call *call = g_new0 (Call, 1);

  call->native = native;
  call->invocation = invocation;
  call->kind = kind;
  call->entry_id = entry_id;
  /* Every path of authorized_cb answers (or drops) the invocation. */
  hearth_bus_auth_check (g_dbus_method_invocation_get_connection (invocation),
                         g_dbus_method_invocation_get_message (invocation), authorized_cb, call);
  return TRUE;
}

static gboolean
handle_delete_cb (GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
  HearthBusNative *native = g_object_get_data (G_OBJECT (skeleton), "hearth-native");

  return authorize (native, invocation, CALL_DELETE, GPOINTER_TO_UINT (user_data));
}

static void
link_method_cb (GDBusMethodInvocation *invocation, guint ifindex, gpointer native)
{
  authorize (native, invocation, CALL_LINK, ifindex);
}

static gboolean
handle_set_link_list_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint ifindex, const char *const *list,
                         gpointer native)
{
  return authorize (native, inv, CALL_LINK, ifindex);
}

static gboolean
handle_revert_link_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint ifindex, gpointer native)
{
  return authorize (native, inv, CALL_LINK, ifindex);
}

static gboolean
handle_add_server_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *a, guint16 p, const char *i,
                      const char *const *d, gpointer native)
{
  return authorize (native, inv, CALL_ADD_SERVER, 0);
}

static gboolean
handle_set_servers_cb (HearthBusManager *m, GDBusMethodInvocation *inv, GVariant *servers, gpointer native)
{
  return authorize (native, inv, CALL_SET_SERVERS, 0);
}

static gboolean
handle_add_route_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *d, const char *a,
                     const char *const *s, gpointer native)
{
  return authorize (native, inv, CALL_ADD_ROUTE, 0);
}

static gboolean
handle_flush_cache_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *d, gpointer native)
{
  return authorize (native, inv, CALL_FLUSH_CACHE, 0);
}

static gboolean
handle_reload_cb (HearthBusManager *m, GDBusMethodInvocation *inv, gpointer native)
{
  return authorize (native, inv, CALL_RELOAD, 0);
}

static gboolean
handle_set_cleanup_cb (HearthBusManager *m, GDBusMethodInvocation *inv, gboolean enabled, gpointer native)
{
  return authorize (native, inv, CALL_SET_CLEANUP, 0);
}

static gboolean
handle_get_statistics_cb (HearthBusManager *m, GDBusMethodInvocation *inv, gpointer user_data)
{
  HearthBusNative *native = user_data;
  HearthDnsStatistics st;
  GVariantBuilder b;

  hearth_dns_service_get_statistics (native->dns, &st);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{st}"));
#define STAT(name, value) g_variant_builder_add (&b, "{st}", name, (guint64) (value))
  STAT ("queries-udp", st.stub.queries_udp);
  STAT ("queries-tcp", st.stub.queries_tcp);
  STAT ("cache-answers", st.stub.cache_answers);
  STAT ("local-answers", st.stub.local_answers);
  STAT ("dropped", st.stub.dropped);
  STAT ("formerr", st.stub.formerr);
  STAT ("notimp", st.stub.notimp);
  STAT ("tcp-refused", st.stub.tcp_refused);
  STAT ("tcp-connections", st.stub.tcp_connections);
  STAT ("forwarded", st.forwarder.forwarded);
  STAT ("merged", st.forwarder.merged);
  STAT ("answered", st.forwarder.answered);
  STAT ("servfail", st.forwarder.servfail);
  STAT ("refused-limit", st.forwarder.refused_limit);
  STAT ("suspended-servfail", st.forwarder.suspended);
  STAT ("not-accepted", st.stub.not_accepted);
  STAT ("bad-replies", st.forwarder.bad_replies);
  STAT ("tcp-fallbacks", st.forwarder.tcp_fallbacks);
  STAT ("policy-changed", st.forwarder.policy_changed);
  STAT ("policy-ignored", st.forwarder.policy_ignored);
  STAT ("in-flight", st.forwarder.in_flight);
  STAT ("cache-hits", st.cache.hits);
  STAT ("cache-misses", st.cache.misses);
  STAT ("cache-insertions", st.cache.insertions);
  STAT ("cache-evictions", st.cache.evictions_live);
  STAT ("cache-entries", st.cache.entries);
  STAT ("cache-bytes", st.cache.bytes);
#undef STAT
  hearth_bus_dhcp_add_statistics (native->dhcp, &b);
  hearth_bus_manager_complete_get_statistics (m, inv, g_variant_builder_end (&b));
  return TRUE;
}

/* ---- lifetime ---- */

static gboolean
stats_tick_cb (gpointer user_data)
{
  HearthBusNative *native = user_data;
  GHashTableIter iter;
  EntryObject *eo;
  HearthDnsStatistics st;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, native->objects);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &eo))
    if (eo->server != NULL)
      update_server_counters (native, eo, now);
  hearth_dns_service_get_statistics (native->dns, &st);
  hearth_bus_manager_set_cache_entries (native->manager, st.cache.entries);
  return G_SOURCE_CONTINUE;
}

HearthBusNative *
hearth_bus_native_new (HearthDnsService *dns, GSourceFunc reload, gpointer reload_data)
{
  HearthBusNative *native = g_new0 (HearthBusNative, 1);
  g_autoptr (GPtrArray) entries = NULL;

  native->dns = dns;
  native->reload = reload;
  native->reload_data = reload_data;
  native->objects = g_hash_table_new_full (NULL, NULL, NULL, entry_object_free);
  native->cleanup = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unwatch);
  native->object_manager = g_dbus_object_manager_server_new (HEARTH_BUS_PATH);
  native->manager = hearth_bus_manager_skeleton_new ();
  hearth_bus_manager_set_version (native->manager, PACKAGE_VERSION);
  hearth_bus_manager_set_cache_size (native->manager, hearth_dns_service_get_config (dns)->cache_size);
  g_signal_connect (native->manager, "handle-add-server", G_CALLBACK (handle_add_server_cb), native);
  g_signal_connect (native->manager, "handle-set-servers", G_CALLBACK (handle_set_servers_cb), native);
  g_signal_connect (native->manager, "handle-add-route", G_CALLBACK (handle_add_route_cb), native);
  g_signal_connect (native->manager, "handle-flush-cache", G_CALLBACK (handle_flush_cache_cb), native);
  g_signal_connect (native->manager, "handle-reload", G_CALLBACK (handle_reload_cb), native);
  g_signal_connect (native->manager, "handle-set-cleanup-on-exit", G_CALLBACK (handle_set_cleanup_cb), native);
  g_signal_connect (native->manager, "handle-get-statistics", G_CALLBACK (handle_get_statistics_cb), native);
  g_signal_connect (native->manager, "handle-set-link-servers", G_CALLBACK (handle_set_link_list_cb), native);
  g_signal_connect (native->manager, "handle-set-link-domains", G_CALLBACK (handle_set_link_list_cb), native);
  g_signal_connect (native->manager, "handle-revert-link", G_CALLBACK (handle_revert_link_cb), native);

  entries = hearth_dns_service_list_entries (dns);
  for (guint i = 0; i < entries->len; i++)
    entry_changed_cb (g_ptr_array_index (entries, i), TRUE, native);
  hearth_dns_service_set_entry_func (dns, entry_changed_cb, native);
  native->links = hearth_bus_links_new (dns, native->object_manager, link_method_cb, stats_tick_cb, native);
  native->dhcp = hearth_bus_dhcp_new (native->manager, native->object_manager);
  return native;
}

HearthBusDhcp *
hearth_bus_native_get_dhcp (HearthBusNative *native)
{
  return native->dhcp;
}

void
hearth_bus_native_free (HearthBusNative *native)
{
  if (native == NULL)
    return;
  hearth_bus_native_set_connection (native, NULL, NULL);
  hearth_dns_service_set_entry_func (native->dns, NULL, NULL);
  hearth_bus_links_free (native->links);
  hearth_bus_dhcp_free (native->dhcp);
  g_hash_table_unref (native->cleanup);
  g_hash_table_unref (native->objects);
  g_object_unref (native->object_manager);
  g_object_unref (native->manager);
  g_free (native);
}

gboolean
hearth_bus_native_set_connection (HearthBusNative *native, GDBusConnection *connection, GError **error)
{
  if (native->connection != NULL)
    {
      g_clear_handle_id (&native->stats_timer, g_source_remove);
      /* Watches belong to the old connection; its callers are gone with it
       * as far as we can tell, but their objects stay (they may come back
       * on the new bus and call SetServers again). */
      g_hash_table_remove_all (native->cleanup);
      hearth_bus_dhcp_set_connection (native->dhcp, NULL);
      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (native->manager));
      g_dbus_object_manager_server_set_connection (native->object_manager, NULL);
      g_clear_object (&native->connection);
    }
  if (connection == NULL)
    return TRUE;
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (native->manager), connection, HEARTH_BUS_PATH,
                                         error))
    return FALSE;
  g_dbus_object_manager_server_set_connection (native->object_manager, connection);
  native->connection = g_object_ref (connection);
  hearth_bus_dhcp_set_connection (native->dhcp, connection);
  stats_tick_cb (native);
  native->stats_timer = g_timeout_add (STATS_INTERVAL_MS, stats_tick_cb, native);
  return TRUE;
}

void
hearth_bus_native_update_listen_addresses (HearthBusNative *native)
{
  g_autoptr (GPtrArray) listen = hearth_dns_service_get_listen_addresses (native->dns);

  g_ptr_array_add (listen, NULL);
  hearth_bus_manager_set_listen_addresses (native->manager, (const char *const *) listen->pdata);
}
