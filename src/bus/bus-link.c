/* The Link objects (see bus-link.h). */
#include "config.h"

#include "bus/bus-link.h"
#include "bus/bus-native.h"
#include "dbus-interfaces/hearth-bus-generated.h"
#include "net/net-socket.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <string.h>

typedef struct {
  HearthBusLinks *links;
  guint index;
  HearthBusObjectSkeleton *object;
  HearthBusLink *iface;
} LinkObject;

struct _HearthBusLinks {
  HearthDnsService *dns;
  HearthNetMonitor *monitor;
  GDBusObjectManagerServer *object_manager;
  HearthBusLinkMethodFunc method;
  GSourceFunc refreshed;
  gpointer method_data;
  GHashTable *objects; /* index -> LinkObject* */
  guint watch_id;
  guint refresh_id;
};

static void
link_object_free (gpointer p)
{
  LinkObject *lo = p;

  g_signal_handlers_disconnect_by_data (lo->iface, lo);
  g_object_unref (lo->iface);
  g_object_unref (lo->object);
  g_free (lo);
}

static char *
link_path (guint index)
{
  return g_strdup_printf (HEARTH_BUS_PATH "/link/%u", index);
}

/* The servers bound to the link, in routing order, each once. */
static GPtrArray *
link_servers (HearthBusLinks *links, const HearthNetLink *link)
{
  g_autoptr (GPtrArray) entries = hearth_dns_service_list_entries (links->dns);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      const HearthDnsEntry *entry = g_ptr_array_index (entries, i);
      const HearthDnsServer *server = entry->server;
      gboolean seen = FALSE;
      char address[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
      g_autofree char *text = NULL;

      if (entry->type != HEARTH_DNS_ENTRY_SERVER || server == NULL || server->interface == NULL ||
          strcmp (server->interface, link->name) != 0)
        continue;
      hearth_bus_native_server_address (server, address, sizeof address);
      text = g_strdup_printf ("%s#%u", address, hearth_net_sockaddr_port ((const struct sockaddr *) &server->addr));
      for (guint j = 0; j < out->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (out, j), text) == 0;
      if (!seen)
        g_ptr_array_add (out, g_steal_pointer (&text));
    }
  g_ptr_array_add (out, NULL);
  return out;
}

static void
refresh (HearthBusLinks *links, LinkObject *lo)
{
  const HearthNetLink *link = hearth_net_monitor_get_link (links->monitor, lo->index);
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) servers = NULL;
  const char *const *set_servers, *const *set_domains;

  if (link == NULL)
    return;
  for (guint i = 0; i < link->addresses->len; i++)
    g_ptr_array_add (addresses, hearth_net_address_to_string (&g_array_index (link->addresses, HearthNetAddress, i)));
  g_ptr_array_add (addresses, NULL);
  servers = link_servers (links, link);
  hearth_dns_service_get_link_dns (links->dns, lo->index, &set_servers, &set_domains);
  /* The generated setters emit PropertiesChanged only for real changes. */
  hearth_bus_link_set_index (lo->iface, link->index);
  hearth_bus_link_set_name (lo->iface, link->name);
  hearth_bus_link_set_operational_state (lo->iface, hearth_net_link_operstate_text (link));
  hearth_bus_link_set_carrier (lo->iface, hearth_net_link_is_usable (link));
  hearth_bus_link_set_addresses (lo->iface, (const char *const *) addresses->pdata);
  hearth_bus_link_set_listening (lo->iface, hearth_dns_service_link_served (links->dns, link));
  hearth_bus_link_set_servers (lo->iface, (const char *const *) servers->pdata);
  hearth_bus_link_set_domains (lo->iface, set_domains);
}

static gboolean
handle_set_servers_cb (HearthBusLink *iface, GDBusMethodInvocation *invocation, const char *const *arg,
                       gpointer user_data)
{
  LinkObject *lo = user_data;

  lo->links->method (invocation, lo->index, lo->links->method_data);
  return TRUE;
}

static gboolean
handle_revert_cb (HearthBusLink *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  LinkObject *lo = user_data;

  lo->links->method (invocation, lo->index, lo->links->method_data);
  return TRUE;
}

static void
add_object (HearthBusLinks *links, guint index)
{
  LinkObject *lo = g_new0 (LinkObject, 1);
  g_autofree char *path = link_path (index);

  lo->links = links;
  lo->index = index;
  lo->object = hearth_bus_object_skeleton_new (path);
  lo->iface = hearth_bus_link_skeleton_new ();
  /* SetServers and SetDomains have the same shape. */
  g_signal_connect (lo->iface, "handle-set-servers", G_CALLBACK (handle_set_servers_cb), lo);
  g_signal_connect (lo->iface, "handle-set-domains", G_CALLBACK (handle_set_servers_cb), lo);
  g_signal_connect (lo->iface, "handle-revert", G_CALLBACK (handle_revert_cb), lo);
  refresh (links, lo);
  hearth_bus_object_skeleton_set_link (lo->object, lo->iface);
  g_hash_table_insert (links->objects, GUINT_TO_POINTER (index), lo);
  g_dbus_object_manager_server_export (links->object_manager, G_DBUS_OBJECT_SKELETON (lo->object));
}

static gboolean
refresh_cb (gpointer user_data)
{
  HearthBusLinks *links = user_data;
  GHashTableIter iter;
  LinkObject *lo;

  links->refresh_id = 0;
  g_hash_table_iter_init (&iter, links->objects);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &lo))
    refresh (links, lo);
  if (links->refreshed != NULL)
    links->refreshed (links->method_data);
  return G_SOURCE_REMOVE;
}

void
hearth_bus_links_queue_refresh (HearthBusLinks *links)
{
  /* At default priority, not idle: GDBus dispatches incoming calls at
   * default priority, so a Get right after SetDomains would otherwise be
   * answered before the refresh, with the old value. */
  if (links->refresh_id == 0)
    links->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT, refresh_cb, links, NULL);
}

static void
monitor_cb (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link, const HearthNetAddress *address,
            gpointer user_data)
{
  HearthBusLinks *links = user_data;

  if (event == HEARTH_NET_EVENT_LINK_ADDED)
    add_object (links, link->index);
  else if (event == HEARTH_NET_EVENT_LINK_REMOVED)
    {
      g_autofree char *path = link_path (link->index);

      g_dbus_object_manager_server_unexport (links->object_manager, path);
      g_hash_table_remove (links->objects, GUINT_TO_POINTER (link->index));
    }
  /* Listening and the servers' state follow in the same turn of the
   * main loop, after the DNS side has seen the event. */
  hearth_bus_links_queue_refresh (links);
}

HearthBusLinks *
hearth_bus_links_new (HearthDnsService *dns, GDBusObjectManagerServer *object_manager, HearthBusLinkMethodFunc method,
                      GSourceFunc refreshed, gpointer user_data)
{
  HearthBusLinks *links = g_new0 (HearthBusLinks, 1);
  g_autoptr (GPtrArray) list = NULL;

  links->dns = dns;
  links->monitor = hearth_dns_service_get_monitor (dns);
  links->object_manager = object_manager;
  links->method = method;
  links->refreshed = refreshed;
  links->method_data = user_data;
  links->objects = g_hash_table_new_full (NULL, NULL, NULL, link_object_free);
  if (links->monitor == NULL)
    return links;
  list = hearth_net_monitor_list_links (links->monitor);
  for (guint i = 0; i < list->len; i++)
    add_object (links, ((const HearthNetLink *) g_ptr_array_index (list, i))->index);
  links->watch_id = hearth_net_monitor_add_watch (links->monitor, monitor_cb, links);
  return links;
}

void
hearth_bus_links_free (HearthBusLinks *links)
{
  if (links == NULL)
    return;
  if (links->watch_id != 0)
    hearth_net_monitor_remove_watch (links->monitor, links->watch_id);
  if (links->refresh_id != 0)
    g_source_remove (links->refresh_id);
  g_hash_table_unref (links->objects);
  g_free (links);
}
