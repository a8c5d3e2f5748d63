/* The DHCP objects and methods of hearth's D-Bus API (see bus-dhcp.h).
 *
 * Ranges and host entries live in the DHCP server (dhcp4-server); this
 * file keeps one exported object per id and nothing else, and reads the
 * server again for every property it shows. Our own methods update the
 * objects at once, before they reply, so a caller sees InterfacesAdded
 * before its reply; host entries that a re-read hosts file replaced are
 * found by a diff of the ids once a second (cheap: one hash lookup per
 * entry), since the service has no notification for them.
 *
 * Leases follow the service's lease callback one event at a time. What
 * costs a walk over the leases, the ranges' Usage, is refreshed at most
 * once a second (at once when the last refresh is older), so a burst of
 * DHCP traffic costs one refresh, not one per packet.
 *
 * Mutating methods go as in bus-native: the handler starts the caller
 * check (bus-auth) and returns; the verdict runs the method from the
 * invocation's parameters, which are all parsed before anything changes.
 */
#include "config.h"

#include "bus/bus-dhcp.h"
#include "bus/bus-auth.h"
#include "bus/bus-error.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#define SYNC_INTERVAL_MS 1000
#define USAGE_INTERVAL_US G_USEC_PER_SEC

typedef enum {
  KIND_RANGE,
  KIND_HOST,
  KIND_LEASE,
} Kind;

typedef struct {
  HearthBusDhcp *dhcp;
  Kind kind;
  guint id;
  HearthBusObjectSkeleton *object;
  GDBusInterfaceSkeleton *iface; /* HearthBusDhcpRange, HearthBusHost or HearthBusLease */
} DhcpObject;

struct _HearthBusDhcp {
  HearthBusManager *manager;
  GDBusObjectManagerServer *object_manager;
  HearthDhcpService *service;
  HearthDhcp4Server *server;
  HearthDhcpLeaseTable *leases;
  GDBusConnection *connection;
  HearthBusCompat *compat;
  GHashTable *objects[3]; /* per Kind: id -> DhcpObject* */
  guint usage_source;
  gint64 usage_at;        /* monotonic time of the last Usage refresh */
  guint sync_timer;
};

typedef enum {
  CALL_ADD_RANGE,
  CALL_UPDATE_RANGE,
  CALL_REMOVE_RANGE,
  CALL_ADD_HOST,
  CALL_UPDATE_HOST,
  CALL_REMOVE_HOST,
  CALL_RELEASE_ADDRESS, /* Manager.ReleaseLease */
  CALL_RELEASE_LEASE,   /* Lease.Release */
} CallKind;

typedef struct {
  HearthBusDhcp *dhcp;
  GDBusMethodInvocation *invocation; /* ours until answered */
  CallKind kind;
  guint id;                          /* range, host or lease id */
} Call;

static const char *const no_strings[] = { NULL };
static const char *const kind_dirs[] = { "dhcp_range", "host", "lease" };

/* ---- text ---- */

static void
format_ipv4 (guint32 addr, char *buf)
{
  struct in_addr a = { .s_addr = htonl (addr) };

  inet_ntop (AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static char *
hex_colon (GBytes *bytes)
{
  GString *out = g_string_new (NULL);

  if (bytes != NULL)
    hearth_dhcp_append_hex (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return g_string_free (out, FALSE);
}

static const char *const *
tags_or_empty (const HearthDhcpTagMatch tags)
{
  return tags != NULL ? (const char *const *) tags : no_strings;
}

static char *
object_path (Kind kind, guint id)
{
  return g_strdup_printf (HEARTH_BUS_PATH "/%s/%u", kind_dirs[kind], id);
}

/* Made over D-Bus (owner is the caller's unique name), not by the
 * configuration or a hosts file. */
static gboolean
owner_is_bus (const char *owner)
{
  return owner != NULL && owner[0] == ':';
}

/* ---- properties ---- */

static void
range_refresh (HearthBusDhcp *dhcp, DhcpObject *o, const HearthDhcpRange *r)
{
  HearthBusDhcpRange *iface = (HearthBusDhcpRange *) o->iface;
  char start[INET_ADDRSTRLEN], end[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN] = "", bcast[INET_ADDRSTRLEN] = "";
  g_autofree char *spec = hearth_dhcp_range_to_string (r);
  guint64 size = r->mode == HEARTH_DHCP_RANGE_DYNAMIC ? (guint64) r->end - r->start + 1 : 0;

  format_ipv4 (r->start, start);
  format_ipv4 (r->end, end);
  if (r->netmask != 0)
    format_ipv4 (r->netmask, mask);
  if (r->broadcast != 0)
    format_ipv4 (r->broadcast, bcast);
  /* The generated setters send PropertiesChanged only for real changes. */
  hearth_bus_dhcp_range_set_id (iface, r->id);
  hearth_bus_dhcp_range_set_start (iface, start);
  hearth_bus_dhcp_range_set_end (iface, end);
  hearth_bus_dhcp_range_set_netmask (iface, mask);
  hearth_bus_dhcp_range_set_broadcast (iface, bcast);
  hearth_bus_dhcp_range_set_mode (iface, hearth_dhcp_range_mode_to_string (r->mode));
  hearth_bus_dhcp_range_set_lease_time (iface, r->lease_time);
  hearth_bus_dhcp_range_set_set_tag (iface, r->set_tag != NULL ? r->set_tag : "");
  hearth_bus_dhcp_range_set_match_tags (iface, tags_or_empty (r->match_tags));
  hearth_bus_dhcp_range_set_owner (iface, r->owner != NULL ? r->owner : "");
  hearth_bus_dhcp_range_set_spec (iface, spec != NULL ? spec : "");
  hearth_bus_dhcp_range_set_size (iface, (guint) MIN (size, G_MAXUINT32));
  hearth_bus_dhcp_range_set_usage (iface, hearth_dhcp4_server_range_usage (dhcp->server, r));
}

static void
host_refresh (DhcpObject *o, const HearthDhcpHost *h)
{
  HearthBusHost *iface = (HearthBusHost *) o->iface;
  g_autoptr (GPtrArray) macs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *spec = hearth_dhcp_host_to_string (h);
  char addr[INET_ADDRSTRLEN] = "";

  for (guint i = 0; h->macs != NULL && i < h->macs->len; i++)
    g_ptr_array_add (macs, hearth_dhcp_mac_to_string (&g_array_index (h->macs, HearthDhcpMac, i)));
  g_ptr_array_add (macs, NULL);
  for (guint i = 0; h->client_ids != NULL && i < h->client_ids->len; i++)
    g_ptr_array_add (ids, hex_colon (g_ptr_array_index (h->client_ids, i)));
  if (h->ignore_client_id)
    g_ptr_array_add (ids, g_strdup ("*"));
  g_ptr_array_add (ids, NULL);
  if (h->addr != 0)
    format_ipv4 (h->addr, addr);
  hearth_bus_host_set_id (iface, h->id);
  hearth_bus_host_set_hardware_addresses (iface, (const char *const *) macs->pdata);
  hearth_bus_host_set_client_ids (iface, (const char *const *) ids->pdata);
  hearth_bus_host_set_address (iface, addr);
  hearth_bus_host_set_name (iface, h->name != NULL ? h->name : "");
  hearth_bus_host_set_lease_time (iface, h->lease_time);
  hearth_bus_host_set_set_tag (iface, h->set_tag != NULL ? h->set_tag : "");
  hearth_bus_host_set_match_tags (iface, tags_or_empty (h->match_tags));
  hearth_bus_host_set_ignore (iface, h->ignore);
  hearth_bus_host_set_owner (iface, h->owner != NULL ? h->owner : "");
  hearth_bus_host_set_spec (iface, spec != NULL ? spec : "");
}

static void
lease_refresh (HearthBusDhcp *dhcp, DhcpObject *o, const HearthDhcpLease *l)
{
  HearthBusLease *iface = (HearthBusLease *) o->iface;
  char addr[INET_ADDRSTRLEN], hw[HEARTH_DHCP_HWADDR_STRING_MAX];
  g_autofree char *clid = hex_colon (l->client_id);
  const char *ifname = hearth_dhcp_service_lease_interface (dhcp->service, l);
  gint64 expires = hearth_dhcp_service_lease_expiry_wall (dhcp->service, l);

  format_ipv4 (l->addr, addr);
  hearth_dhcp_format_hwaddr (l->hwtype, l->hwaddr, l->hwlen, hw, sizeof hw);
  hearth_bus_lease_set_id (iface, l->id);
  hearth_bus_lease_set_address (iface, addr);
  hearth_bus_lease_set_hardware_address (iface, hw);
  hearth_bus_lease_set_client_id (iface, clid);
  hearth_bus_lease_set_hostname (iface, l->hostname != NULL ? l->hostname : "");
  hearth_bus_lease_set_expires (iface, (guint64) MAX (expires, 0));
  hearth_bus_lease_set_interface (iface, ifname != NULL ? ifname : "");
  hearth_bus_lease_set_range_id (iface, l->range_id);
}

/* ---- objects ---- */

static gboolean handle_object_method_cb (GDBusInterfaceSkeleton *iface, GDBusMethodInvocation *invocation,
                                         gpointer user_data);

static void
dhcp_object_free (gpointer p)
{
  DhcpObject *o = p;

  g_signal_handlers_disconnect_by_data (o->iface, o);
  g_object_unref (o->iface);
  g_object_unref (o->object);
  g_free (o);
}

static DhcpObject *
object_add (HearthBusDhcp *dhcp, Kind kind, guint id)
{
  DhcpObject *o = g_new0 (DhcpObject, 1);
  g_autofree char *path = object_path (kind, id);

  o->dhcp = dhcp;
  o->kind = kind;
  o->id = id;
  o->object = hearth_bus_object_skeleton_new (path);
  switch (kind)
    {
    case KIND_RANGE:
      o->iface = G_DBUS_INTERFACE_SKELETON (hearth_bus_dhcp_range_skeleton_new ());
      g_signal_connect (o->iface, "handle-delete", G_CALLBACK (handle_object_method_cb), o);
      hearth_bus_object_skeleton_set_dhcp_range (o->object, (HearthBusDhcpRange *) o->iface);
      break;
    case KIND_HOST:
      o->iface = G_DBUS_INTERFACE_SKELETON (hearth_bus_host_skeleton_new ());
      g_signal_connect (o->iface, "handle-delete", G_CALLBACK (handle_object_method_cb), o);
      hearth_bus_object_skeleton_set_host (o->object, (HearthBusHost *) o->iface);
      break;
    case KIND_LEASE:
      o->iface = G_DBUS_INTERFACE_SKELETON (hearth_bus_lease_skeleton_new ());
      g_signal_connect (o->iface, "handle-release", G_CALLBACK (handle_object_method_cb), o);
      hearth_bus_object_skeleton_set_lease (o->object, (HearthBusLease *) o->iface);
      break;
    }
  g_hash_table_insert (dhcp->objects[kind], GUINT_TO_POINTER (id), o);
  return o;
}

/* Exports after the properties are set, so InterfacesAdded carries them. */
static void
object_export (HearthBusDhcp *dhcp, DhcpObject *o)
{
  g_dbus_object_manager_server_export (dhcp->object_manager, G_DBUS_OBJECT_SKELETON (o->object));
}

static void
object_remove (HearthBusDhcp *dhcp, Kind kind, guint id)
{
  g_autofree char *path = object_path (kind, id);

  if (!g_hash_table_contains (dhcp->objects[kind], GUINT_TO_POINTER (id)))
    return;
  g_dbus_object_manager_server_unexport (dhcp->object_manager, path);
  g_hash_table_remove (dhcp->objects[kind], GUINT_TO_POINTER (id));
}

static void
range_object_add (HearthBusDhcp *dhcp, const HearthDhcpRange *r)
{
  DhcpObject *o = object_add (dhcp, KIND_RANGE, r->id);

  range_refresh (dhcp, o, r);
  object_export (dhcp, o);
}

static void
host_object_add (HearthBusDhcp *dhcp, const HearthDhcpHost *h)
{
  DhcpObject *o = object_add (dhcp, KIND_HOST, h->id);

  host_refresh (o, h);
  object_export (dhcp, o);
}

/* Brings the Range and Host objects in line with the server's lists:
 * objects for new ids, none for ids that went. */
static void
sync_objects (HearthBusDhcp *dhcp)
{
  g_autoptr (GPtrArray) ranges = hearth_dhcp4_server_list_ranges (dhcp->server);
  g_autoptr (GPtrArray) hosts = hearth_dhcp4_server_list_hosts (dhcp->server);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < ranges->len; i++)
    {
      const HearthDhcpRange *r = g_ptr_array_index (ranges, i);

      g_hash_table_add (seen, GUINT_TO_POINTER (r->id));
      if (!g_hash_table_contains (dhcp->objects[KIND_RANGE], GUINT_TO_POINTER (r->id)))
        range_object_add (dhcp, r);
    }
  g_hash_table_iter_init (&iter, dhcp->objects[KIND_RANGE]);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_array_append_val (gone, (guint) { GPOINTER_TO_UINT (key) });
  for (guint i = 0; i < gone->len; i++)
    object_remove (dhcp, KIND_RANGE, g_array_index (gone, guint, i));

  g_hash_table_remove_all (seen);
  g_array_set_size (gone, 0);
  for (guint i = 0; i < hosts->len; i++)
    {
      const HearthDhcpHost *h = g_ptr_array_index (hosts, i);

      g_hash_table_add (seen, GUINT_TO_POINTER (h->id));
      if (!g_hash_table_contains (dhcp->objects[KIND_HOST], GUINT_TO_POINTER (h->id)))
        host_object_add (dhcp, h);
    }
  g_hash_table_iter_init (&iter, dhcp->objects[KIND_HOST]);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_array_append_val (gone, (guint) { GPOINTER_TO_UINT (key) });
  for (guint i = 0; i < gone->len; i++)
    object_remove (dhcp, KIND_HOST, g_array_index (gone, guint, i));
}

static gboolean
sync_cb (gpointer user_data)
{
  sync_objects (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
usage_cb (gpointer user_data)
{
  HearthBusDhcp *dhcp = user_data;
  GHashTableIter iter;
  DhcpObject *o;

  dhcp->usage_source = 0;
  dhcp->usage_at = g_get_monotonic_time ();
  g_hash_table_iter_init (&iter, dhcp->objects[KIND_RANGE]);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &o))
    {
      const HearthDhcpRange *r = hearth_dhcp4_server_get_range (dhcp->server, o->id);

      if (r != NULL)
        hearth_bus_dhcp_range_set_usage ((HearthBusDhcpRange *) o->iface,
                                         hearth_dhcp4_server_range_usage (dhcp->server, r));
    }
  return G_SOURCE_REMOVE;
}

static void
queue_usage (HearthBusDhcp *dhcp)
{
  gint64 wait = dhcp->usage_at + USAGE_INTERVAL_US - g_get_monotonic_time ();

  if (dhcp->usage_source != 0)
    return;
  if (wait <= 0)
    dhcp->usage_source = g_idle_add (usage_cb, dhcp);
  else
    dhcp->usage_source = g_timeout_add ((guint) (wait / 1000) + 1, usage_cb, dhcp);
}

/* ---- leases ---- */

static void
emit_compat (HearthBusDhcp *dhcp, const char *member, const HearthDhcpLease *l)
{
  char addr[INET_ADDRSTRLEN], hw[HEARTH_DHCP_HWADDR_STRING_MAX];
  g_autoptr (GError) error = NULL;

  if (dhcp->compat == NULL || dhcp->connection == NULL)
    return;
  format_ipv4 (l->addr, addr);
  hearth_dhcp_format_hwaddr (l->hwtype, l->hwaddr, l->hwlen, hw, sizeof hw);
  if (!g_dbus_connection_emit_signal (dhcp->connection, NULL, HEARTH_BUS_COMPAT_PATH,
                                      hearth_bus_compat_get_name (dhcp->compat), member,
                                      g_variant_new ("(sss)", addr, hw, l->hostname != NULL ? l->hostname : ""),
                                      &error))
    g_debug ("cannot send %s: %s", member, error->message);
}

static void
lease_cb (HearthDhcpService *service, HearthDhcpLeaseEvent event, const HearthDhcpLease *lease, gpointer user_data)
{
  HearthBusDhcp *dhcp = user_data;
  DhcpObject *o;

  switch (event)
    {
    case HEARTH_DHCP_LEASE_ADDED:
    case HEARTH_DHCP_LEASE_CHANGED:
      o = g_hash_table_lookup (dhcp->objects[KIND_LEASE], GUINT_TO_POINTER (lease->id));
      if (o == NULL)
        {
          o = object_add (dhcp, KIND_LEASE, lease->id);
          lease_refresh (dhcp, o, lease);
          object_export (dhcp, o);
        }
      else
        lease_refresh (dhcp, o, lease);
      emit_compat (dhcp, event == HEARTH_DHCP_LEASE_ADDED ? "DhcpLeaseAdded" : "DhcpLeaseUpdated", lease);
      break;
    case HEARTH_DHCP_LEASE_REMOVED:
      object_remove (dhcp, KIND_LEASE, lease->id);
      emit_compat (dhcp, "DhcpLeaseDeleted", lease);
      break;
    }
  queue_usage (dhcp);
}

/* ---- checks shared by the methods ---- */

static void
refuse (GDBusMethodInvocation *invocation, HearthBusError code, const char *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, HEARTH_BUS_ERROR, code, message);
}

static gboolean
parse_ipv4 (const char *text, guint32 *out_addr, gboolean *out_is_ipv6)
{
  struct in_addr a;
  struct in6_addr a6;

  *out_is_ipv6 = FALSE;
  if (inet_pton (AF_INET, text, &a) == 1)
    {
      *out_addr = ntohl (a.s_addr);
      return TRUE;
    }
  *out_is_ipv6 = inet_pton (AF_INET6, text, &a6) == 1;
  return FALSE;
}

static gboolean
check_spec_length (GDBusMethodInvocation *invocation, const char *spec)
{
  g_autofree char *msg = NULL;

  if (strlen (spec) <= HEARTH_BUS_DHCP_SPEC_MAX)
    return TRUE;
  msg = g_strdup_printf (_ ("the value is longer than %u bytes"), HEARTH_BUS_DHCP_SPEC_MAX);
  refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, msg);
  return FALSE;
}

static HearthDhcpRange *
parse_range (GDBusMethodInvocation *invocation, const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDhcpRange) range = NULL;
  gboolean is_ipv6 = FALSE;
  gboolean ok;

  if (!check_spec_length (invocation, spec))
    return NULL;
  ok = hearth_dhcp_range_parse (spec, &range, &is_ipv6, &error);
  if (is_ipv6)
    refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, _ ("DHCPv6 is not supported"));
  else if (!ok || range == NULL)
    refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT,
            error != NULL ? error->message : _ ("not a DHCP range"));
  else
    return g_steal_pointer (&range);
  return NULL;
}

static HearthDhcpHost *
parse_host (GDBusMethodInvocation *invocation, const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDhcpHost) host = NULL;
  gboolean is_ipv6 = FALSE;
  gboolean ok;

  if (!check_spec_length (invocation, spec))
    return NULL;
  ok = hearth_dhcp_host_parse (spec, &host, &is_ipv6, &error);
  if (is_ipv6)
    refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, _ ("DHCPv6 is not supported"));
  else if (!ok || host == NULL)
    refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT,
            error != NULL ? error->message : _ ("not a DHCP host entry"));
  else
    return g_steal_pointer (&host);
  return NULL;
}

/* How many of @items (ranges or hosts; @owner_of reads one's owner)
 * @sender made over D-Bus, and how many everyone did. */
static void
count_owned (GPtrArray *items, const char *(*owner_of) (gconstpointer), const char *sender, guint *out_mine,
             guint *out_all)
{
  *out_mine = *out_all = 0;
  for (guint i = 0; i < items->len; i++)
    {
      const char *owner = owner_of (g_ptr_array_index (items, i));

      if (!owner_is_bus (owner))
        continue;
      (*out_all)++;
      if (g_strcmp0 (owner, sender) == 0)
        (*out_mine)++;
    }
}

static const char *
range_owner (gconstpointer p)
{
  return ((const HearthDhcpRange *) p)->owner;
}

static const char *
host_owner (gconstpointer p)
{
  return ((const HearthDhcpHost *) p)->owner;
}

static gboolean
check_caps (GDBusMethodInvocation *invocation, gboolean is_range, GPtrArray *items)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  guint per_caller = is_range ? HEARTH_BUS_MAX_DHCP_RANGES_PER_CALLER : HEARTH_BUS_MAX_DHCP_HOSTS_PER_CALLER;
  guint total = is_range ? HEARTH_BUS_MAX_DHCP_RANGES : HEARTH_BUS_MAX_DHCP_HOSTS;
  guint mine, all;
  g_autofree char *msg = NULL;

  count_owned (items, is_range ? range_owner : host_owner, sender, &mine, &all);
  if (mine >= per_caller)
    msg = is_range ? g_strdup_printf (_ ("%s would own more than %u DHCP ranges"), sender, per_caller)
                   : g_strdup_printf (_ ("%s would own more than %u DHCP hosts"), sender, per_caller);
  else if (all >= total)
    msg = is_range ? g_strdup_printf (_ ("more than %u DHCP ranges made over D-Bus"), total)
                   : g_strdup_printf (_ ("more than %u DHCP hosts made over D-Bus"), total);
  if (msg == NULL)
    return TRUE;
  refuse (invocation, HEARTH_BUS_ERROR_LIMIT_EXCEEDED, msg);
  return FALSE;
}

/* The range or host @id exists (@found; @owner is its owner) and was
 * made over D-Bus: otherwise the call is answered. */
static gboolean
check_changeable (GDBusMethodInvocation *invocation, Kind kind, guint id, const char *owner, gboolean found)
{
  g_autofree char *path = object_path (kind, id);
  g_autofree char *msg = NULL;

  if (!found)
    {
      msg = g_strdup_printf (kind == KIND_RANGE ? _ ("no DHCP range %u") : _ ("no DHCP host %u"), id);
      refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, msg);
      return FALSE;
    }
  if (!owner_is_bus (owner))
    {
      msg = g_strdup_printf (_ ("%s comes from %s and cannot be changed over D-Bus"), path,
                             owner != NULL ? owner : "?");
      refuse (invocation, HEARTH_BUS_ERROR_READ_ONLY, msg);
      return FALSE;
    }
  return TRUE;
}

/* ---- the methods ---- */

static void
reply_object (GDBusMethodInvocation *invocation, Kind kind, guint id)
{
  g_autofree char *path = object_path (kind, id);

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));
}

static void
do_add_range (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation)
{
  const char *spec;
  g_autoptr (HearthDhcpRange) range = NULL;
  g_autoptr (GPtrArray) all = hearth_dhcp4_server_list_ranges (dhcp->server);
  g_autofree char *path = NULL;
  guint id;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &spec);
  range = parse_range (invocation, spec);
  if (range == NULL || !check_caps (invocation, TRUE, all))
    return;
  range->owner = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  id = hearth_dhcp4_server_add_range (dhcp->server, g_steal_pointer (&range));
  range_object_add (dhcp, hearth_dhcp4_server_get_range (dhcp->server, id));
  path = object_path (KIND_RANGE, id);
  g_info ("%s added DHCP range %s: %s", g_dbus_method_invocation_get_sender (invocation), path, spec);
  reply_object (invocation, KIND_RANGE, id);
}

static void
do_update_range (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation)
{
  const HearthDhcpRange *old;
  const char *spec;
  guint id;
  g_autoptr (HearthDhcpRange) range = NULL;
  DhcpObject *o;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(u&s)", &id, &spec);
  old = hearth_dhcp4_server_get_range (dhcp->server, id);
  if (!check_changeable (invocation, KIND_RANGE, id, old != NULL ? old->owner : NULL, old != NULL))
    return;
  range = parse_range (invocation, spec);
  if (range == NULL)
    return;
  range->owner = g_strdup (old->owner);
  hearth_dhcp4_server_replace_range (dhcp->server, id, g_steal_pointer (&range));
  o = g_hash_table_lookup (dhcp->objects[KIND_RANGE], GUINT_TO_POINTER (id));
  if (o != NULL)
    range_refresh (dhcp, o, hearth_dhcp4_server_get_range (dhcp->server, id));
  else
    range_object_add (dhcp, hearth_dhcp4_server_get_range (dhcp->server, id));
  g_info ("%s changed DHCP range " HEARTH_BUS_PATH "/dhcp_range/%u: %s",
          g_dbus_method_invocation_get_sender (invocation), id, spec);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
do_remove_range (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation, guint id)
{
  const HearthDhcpRange *old = hearth_dhcp4_server_get_range (dhcp->server, id);

  if (!check_changeable (invocation, KIND_RANGE, id, old != NULL ? old->owner : NULL, old != NULL))
    return;
  hearth_dhcp4_server_remove_range (dhcp->server, id);
  object_remove (dhcp, KIND_RANGE, id);
  g_info ("%s removed DHCP range " HEARTH_BUS_PATH "/dhcp_range/%u", g_dbus_method_invocation_get_sender (invocation),
          id);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
do_add_host (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation)
{
  const char *spec;
  g_autoptr (HearthDhcpHost) host = NULL;
  g_autoptr (GPtrArray) all = hearth_dhcp4_server_list_hosts (dhcp->server);
  guint id;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &spec);
  host = parse_host (invocation, spec);
  if (host == NULL || !check_caps (invocation, FALSE, all))
    return;
  host->owner = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  id = hearth_dhcp4_server_add_host (dhcp->server, g_steal_pointer (&host));
  host_object_add (dhcp, hearth_dhcp4_server_get_host (dhcp->server, id));
  g_info ("%s added DHCP host " HEARTH_BUS_PATH "/host/%u: %s", g_dbus_method_invocation_get_sender (invocation), id,
          spec);
  reply_object (invocation, KIND_HOST, id);
}

static void
do_update_host (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation)
{
  const HearthDhcpHost *old;
  const char *spec;
  guint id;
  g_autoptr (HearthDhcpHost) host = NULL;
  DhcpObject *o;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(u&s)", &id, &spec);
  old = hearth_dhcp4_server_get_host (dhcp->server, id);
  if (!check_changeable (invocation, KIND_HOST, id, old != NULL ? old->owner : NULL, old != NULL))
    return;
  host = parse_host (invocation, spec);
  if (host == NULL)
    return;
  host->owner = g_strdup (old->owner);
  hearth_dhcp4_server_replace_host (dhcp->server, id, g_steal_pointer (&host));
  o = g_hash_table_lookup (dhcp->objects[KIND_HOST], GUINT_TO_POINTER (id));
  if (o != NULL)
    host_refresh (o, hearth_dhcp4_server_get_host (dhcp->server, id));
  else
    host_object_add (dhcp, hearth_dhcp4_server_get_host (dhcp->server, id));
  g_info ("%s changed DHCP host " HEARTH_BUS_PATH "/host/%u: %s", g_dbus_method_invocation_get_sender (invocation), id,
          spec);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
do_remove_host (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation, guint id)
{
  const HearthDhcpHost *old = hearth_dhcp4_server_get_host (dhcp->server, id);

  if (!check_changeable (invocation, KIND_HOST, id, old != NULL ? old->owner : NULL, old != NULL))
    return;
  hearth_dhcp4_server_remove_host (dhcp->server, id);
  object_remove (dhcp, KIND_HOST, id);
  g_info ("%s removed DHCP host " HEARTH_BUS_PATH "/host/%u", g_dbus_method_invocation_get_sender (invocation), id);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
do_release_address (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation)
{
  const char *text;
  guint32 addr;
  gboolean is_ipv6;
  g_autofree char *msg = NULL;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &text);
  if (!parse_ipv4 (text, &addr, &is_ipv6))
    msg = is_ipv6 ? g_strdup (_ ("DHCPv6 is not supported"))
                  : g_strdup_printf (_ ("'%s' is not an IPv4 address"), text);
  else if (!hearth_dhcp_service_release (dhcp->service, addr))
    msg = g_strdup_printf (_ ("no lease on %s"), text);
  if (msg != NULL)
    {
      refuse (invocation, HEARTH_BUS_ERROR_INVALID_ARGUMENT, msg);
      return;
    }
  g_info ("%s released the lease on %s", g_dbus_method_invocation_get_sender (invocation), text);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
do_release_lease (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation, guint id)
{
  HearthDhcpLease *l = hearth_dhcp_lease_table_lookup_id (dhcp->leases, id);
  char addr[INET_ADDRSTRLEN];

  if (l == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                             _ ("the lease already ended"));
      return;
    }
  format_ipv4 (l->addr, addr);
  hearth_dhcp_service_release (dhcp->service, l->addr);
  g_info ("%s released the lease on %s", g_dbus_method_invocation_get_sender (invocation), addr);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
authorized_cb (gboolean allowed, gpointer user_data)
{
  g_autofree Call *call = user_data;
  HearthBusDhcp *dhcp = call->dhcp;
  GDBusMethodInvocation *invocation = call->invocation;

  if (!hearth_bus_auth_proceed (allowed, invocation, dhcp->connection))
    return;
  switch (call->kind)
    {
    case CALL_ADD_RANGE:
      do_add_range (dhcp, invocation);
      break;
    case CALL_UPDATE_RANGE:
      do_update_range (dhcp, invocation);
      break;
    case CALL_REMOVE_RANGE:
      do_remove_range (dhcp, invocation, call->id);
      break;
    case CALL_ADD_HOST:
      do_add_host (dhcp, invocation);
      break;
    case CALL_UPDATE_HOST:
      do_update_host (dhcp, invocation);
      break;
    case CALL_REMOVE_HOST:
      do_remove_host (dhcp, invocation, call->id);
      break;
    case CALL_RELEASE_ADDRESS:
      do_release_address (dhcp, invocation);
      break;
    case CALL_RELEASE_LEASE:
      do_release_lease (dhcp, invocation, call->id);
      break;
    }
}

static gboolean
authorize (HearthBusDhcp *dhcp, GDBusMethodInvocation *invocation, CallKind kind, guint id)
{
  Call *call;

  if (dhcp->service == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                                                     _ ("DHCP is not enabled"));
      return TRUE;
    }
  call = g_new0 (Call, 1);
  call->dhcp = dhcp;
  call->invocation = invocation;
  call->kind = kind;
  call->id = id;
  /* Every path of authorized_cb answers (or drops) the invocation. */
  hearth_bus_auth_check (g_dbus_method_invocation_get_connection (invocation),
                         g_dbus_method_invocation_get_message (invocation), authorized_cb, call);
  return TRUE;
}

static gboolean
handle_object_method_cb (GDBusInterfaceSkeleton *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  DhcpObject *o = user_data;
  static const CallKind kinds[] = { CALL_REMOVE_RANGE, CALL_REMOVE_HOST, CALL_RELEASE_LEASE };

  return authorize (o->dhcp, invocation, kinds[o->kind], o->id);
}

static gboolean
handle_add_range_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *spec, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_ADD_RANGE, 0);
}

static gboolean
handle_update_range_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint id, const char *spec, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_UPDATE_RANGE, id);
}

static gboolean
handle_remove_range_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint id, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_REMOVE_RANGE, id);
}

static gboolean
handle_add_host_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *spec, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_ADD_HOST, 0);
}

static gboolean
handle_update_host_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint id, const char *spec, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_UPDATE_HOST, id);
}

static gboolean
handle_remove_host_cb (HearthBusManager *m, GDBusMethodInvocation *inv, guint id, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_REMOVE_HOST, id);
}

static gboolean
handle_release_lease_cb (HearthBusManager *m, GDBusMethodInvocation *inv, const char *address, gpointer dhcp)
{
  return authorize (dhcp, inv, CALL_RELEASE_ADDRESS, 0);
}

/* ---- dnsmasq's lease methods ---- */

/* dnsmasq checks its arguments one by one and names the first that is
 * wrong; so do we, with its words. */
static gboolean
check_compat_args (GVariant *body, const char *const *types, const char *const *messages, guint n,
                   GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GVariant) arg = NULL;

      if (body != NULL && g_variant_is_container (body) && i < g_variant_n_children (body))
        arg = g_variant_get_child_value (body, i);
      if (arg == NULL || !g_variant_is_of_type (arg, G_VARIANT_TYPE (types[i])))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ (messages[i]));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
compat_dhcp_enabled (HearthBusDhcp *dhcp, GError **error)
{
  if (dhcp != NULL && dhcp->service != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("DHCP is not enabled"));
  return FALSE;
}

gboolean
hearth_bus_dhcp_compat_add_lease (HearthBusDhcp *dhcp, GVariant *body, const char *sender, GError **error)
{
  static const char *const types[] = { "s", "s", "ay", "ay", "u", "u", "b" };
  static const char *const messages[] = {
    N_ ("Expected string as first argument"),     N_ ("Expected string as second argument"),
    N_ ("Expected byte array as third argument"), N_ ("Expected byte array as fourth argument"),
    N_ ("Expected uint32 as fifth argument"),     N_ ("Expected uint32 as sixth argument"),
    N_ ("Expected bool as seventh argument"),
  };
  const char *ip, *hwtext;
  g_autoptr (GVariant) name_v = NULL;
  g_autoptr (GVariant) clid_v = NULL;
  g_autoptr (GBytes) client_id = NULL;
  g_autofree char *hostname = NULL;
  const guint8 *bytes;
  gsize len;
  guint32 addr, duration, iaid;
  gboolean is_ipv6, temporary;
  HearthDhcpMac mac;

  if (!compat_dhcp_enabled (dhcp, error) || !check_compat_args (body, types, messages, G_N_ELEMENTS (types), error))
    return FALSE;
  /* Only the first seven matter, as for dnsmasq. */
  g_variant_get_child (body, 0, "&s", &ip);
  g_variant_get_child (body, 1, "&s", &hwtext);
  name_v = g_variant_get_child_value (body, 2);
  clid_v = g_variant_get_child_value (body, 3);
  g_variant_get_child (body, 4, "u", &duration);
  g_variant_get_child (body, 5, "u", &iaid);
  g_variant_get_child (body, 6, "b", &temporary);

  if (!parse_ipv4 (ip, &addr, &is_ipv6))
    {
      if (is_ipv6)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("DHCPv6 is not supported"));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid IP address '%s'"), ip);
      return FALSE;
    }
  if (!hearth_dhcp_mac_parse (hwtext, &mac, NULL) || mac.wildcard != 0 || mac.len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid hwaddr '%s'"), hwtext);
      return FALSE;
    }

  /* The host name's bytes; a trailing NUL (gdbus's b"name") is not part
   * of it. */
  bytes = g_variant_get_fixed_array (name_v, &len, 1);
  if (len > 0 && bytes[len - 1] == '\0')
    len--;
  if (len > 0)
    {
      if (memchr (bytes, '\0', len) != NULL || len > 63)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid hostname"));
          return FALSE;
        }
      hostname = g_strndup ((const char *) bytes, len);
      if (!hearth_dhcp_hostname_is_valid (hostname))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid hostname '%s'"), hostname);
          return FALSE;
        }
    }
  bytes = g_variant_get_fixed_array (clid_v, &len, 1);
  if (len > HEARTH_DHCP_CLIENT_ID_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Client id longer than %u bytes"),
                   HEARTH_DHCP_CLIENT_ID_MAX);
      return FALSE;
    }
  if (len > 0)
    client_id = g_bytes_new (bytes, len);

  if (!hearth_dhcp_service_add_lease (dhcp->service, addr, mac.hwtype >= 0 ? (guint8) mac.hwtype : 1, mac.addr,
                                      mac.len, hostname, client_id, duration, error))
    return FALSE;
  g_info ("%s added the lease on %s through dnsmasq's interface", sender, ip);
  return TRUE;
}

gboolean
hearth_bus_dhcp_compat_delete_lease (HearthBusDhcp *dhcp, GVariant *body, const char *sender, gboolean *out_found,
                                     GError **error)
{
  static const char *const types[] = { "s" };
  static const char *const messages[] = { N_ ("Expected string as first argument") };
  const char *ip;
  guint32 addr;
  gboolean is_ipv6, found = FALSE;

  if (!compat_dhcp_enabled (dhcp, error) || !check_compat_args (body, types, messages, 1, error))
    return FALSE;
  g_variant_get_child (body, 0, "&s", &ip);
  if (parse_ipv4 (ip, &addr, &is_ipv6))
    found = hearth_dhcp_service_release (dhcp->service, addr);
  else if (!is_ipv6)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid IP address '%s'"), ip);
      return FALSE;
    }
  /* An IPv6 address: there are no DHCPv6 leases to delete. */
  if (found)
    g_info ("%s deleted the lease on %s through dnsmasq's interface", sender, ip);
  *out_found = found;
  return TRUE;
}

/* ---- lifetime ---- */

HearthBusDhcp *
hearth_bus_dhcp_new (HearthBusManager *manager, GDBusObjectManagerServer *object_manager)
{
  HearthBusDhcp *dhcp = g_new0 (HearthBusDhcp, 1);

  dhcp->manager = manager;
  dhcp->object_manager = object_manager;
  for (guint k = 0; k < G_N_ELEMENTS (dhcp->objects); k++)
    dhcp->objects[k] = g_hash_table_new_full (NULL, NULL, NULL, dhcp_object_free);
  g_signal_connect (manager, "handle-add-dhcp-range", G_CALLBACK (handle_add_range_cb), dhcp);
  g_signal_connect (manager, "handle-update-dhcp-range", G_CALLBACK (handle_update_range_cb), dhcp);
  g_signal_connect (manager, "handle-remove-dhcp-range", G_CALLBACK (handle_remove_range_cb), dhcp);
  g_signal_connect (manager, "handle-add-host", G_CALLBACK (handle_add_host_cb), dhcp);
  g_signal_connect (manager, "handle-update-host", G_CALLBACK (handle_update_host_cb), dhcp);
  g_signal_connect (manager, "handle-remove-host", G_CALLBACK (handle_remove_host_cb), dhcp);
  g_signal_connect (manager, "handle-release-lease", G_CALLBACK (handle_release_lease_cb), dhcp);
  return dhcp;
}

void
hearth_bus_dhcp_free (HearthBusDhcp *dhcp)
{
  if (dhcp == NULL)
    return;
  hearth_bus_dhcp_set_connection (dhcp, NULL);
  if (dhcp->service != NULL)
    hearth_dhcp_service_set_lease_func (dhcp->service, NULL, NULL);
  g_clear_handle_id (&dhcp->usage_source, g_source_remove);
  g_signal_handlers_disconnect_by_data (dhcp->manager, dhcp);
  for (guint k = 0; k < G_N_ELEMENTS (dhcp->objects); k++)
    {
      GHashTableIter iter;
      gpointer key;
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));

      g_hash_table_iter_init (&iter, dhcp->objects[k]);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_array_append_val (ids, (guint) { GPOINTER_TO_UINT (key) });
      for (guint i = 0; i < ids->len; i++)
        object_remove (dhcp, k, g_array_index (ids, guint, i));
      g_hash_table_unref (dhcp->objects[k]);
    }
  g_free (dhcp);
}

void
hearth_bus_dhcp_set_service (HearthBusDhcp *dhcp, HearthDhcpService *service)
{
  g_autoptr (GPtrArray) leases = NULL;

  g_return_if_fail (dhcp->service == NULL);
  if (service == NULL)
    return;
  dhcp->service = service;
  dhcp->server = hearth_dhcp_service_get_server (service);
  dhcp->leases = hearth_dhcp_service_get_leases (service);
  sync_objects (dhcp);
  leases = hearth_dhcp_lease_table_list (dhcp->leases);
  for (guint i = 0; i < leases->len; i++)
    {
      const HearthDhcpLease *l = g_ptr_array_index (leases, i);
      DhcpObject *o = object_add (dhcp, KIND_LEASE, l->id);

      lease_refresh (dhcp, o, l);
      object_export (dhcp, o);
    }
  dhcp->usage_at = g_get_monotonic_time ();
  hearth_dhcp_service_set_lease_func (service, lease_cb, dhcp);
  if (dhcp->connection != NULL && dhcp->sync_timer == 0)
    dhcp->sync_timer = g_timeout_add (SYNC_INTERVAL_MS, sync_cb, dhcp);
}

HearthDhcpService *
hearth_bus_dhcp_get_service (HearthBusDhcp *dhcp)
{
  return dhcp != NULL ? dhcp->service : NULL;
}

void
hearth_bus_dhcp_set_connection (HearthBusDhcp *dhcp, GDBusConnection *connection)
{
  g_clear_handle_id (&dhcp->sync_timer, g_source_remove);
  g_clear_object (&dhcp->connection);
  if (connection == NULL)
    return;
  dhcp->connection = g_object_ref (connection);
  if (dhcp->service != NULL)
    {
      /* Whatever changed while there was no bus. */
      sync_objects (dhcp);
      dhcp->sync_timer = g_timeout_add (SYNC_INTERVAL_MS, sync_cb, dhcp);
    }
}

void
hearth_bus_dhcp_set_compat (HearthBusDhcp *dhcp, HearthBusCompat *compat)
{
  dhcp->compat = compat;
}

void
hearth_bus_dhcp_remove_owner (HearthBusDhcp *dhcp, const char *owner)
{
  g_autoptr (GPtrArray) ranges = NULL;
  g_autoptr (GPtrArray) hosts = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));

  if (dhcp->service == NULL || !owner_is_bus (owner))
    return;
  ranges = hearth_dhcp4_server_list_ranges (dhcp->server);
  for (guint i = 0; i < ranges->len; i++)
    if (g_strcmp0 (((const HearthDhcpRange *) g_ptr_array_index (ranges, i))->owner, owner) == 0)
      g_array_append_val (ids, ((const HearthDhcpRange *) g_ptr_array_index (ranges, i))->id);
  for (guint i = 0; i < ids->len; i++)
    {
      hearth_dhcp4_server_remove_range (dhcp->server, g_array_index (ids, guint, i));
      object_remove (dhcp, KIND_RANGE, g_array_index (ids, guint, i));
    }
  g_array_set_size (ids, 0);
  hosts = hearth_dhcp4_server_list_hosts (dhcp->server);
  for (guint i = 0; i < hosts->len; i++)
    if (g_strcmp0 (((const HearthDhcpHost *) g_ptr_array_index (hosts, i))->owner, owner) == 0)
      g_array_append_val (ids, ((const HearthDhcpHost *) g_ptr_array_index (hosts, i))->id);
  for (guint i = 0; i < ids->len; i++)
    {
      hearth_dhcp4_server_remove_host (dhcp->server, g_array_index (ids, guint, i));
      object_remove (dhcp, KIND_HOST, g_array_index (ids, guint, i));
    }
}

void
hearth_bus_dhcp_add_statistics (HearthBusDhcp *dhcp, GVariantBuilder *builder)
{
  HearthDhcpServiceStats st;

  if (dhcp->service == NULL)
    return;
  hearth_dhcp_service_get_stats (dhcp->service, &st);
#define STAT(name, value) g_variant_builder_add (builder, "{st}", name, (guint64) (value))
  STAT ("dhcp-received", st.server.received);
  STAT ("dhcp-malformed", st.server.malformed);
  STAT ("dhcp-ignored", st.server.ignored);
  STAT ("dhcp-discover", st.server.by_type[HEARTH_DHCP4_DISCOVER]);
  STAT ("dhcp-request", st.server.by_type[HEARTH_DHCP4_REQUEST]);
  STAT ("dhcp-decline", st.server.by_type[HEARTH_DHCP4_DECLINE]);
  STAT ("dhcp-release", st.server.by_type[HEARTH_DHCP4_RELEASE]);
  STAT ("dhcp-inform", st.server.by_type[HEARTH_DHCP4_INFORM]);
  STAT ("dhcp-offers", st.server.offers);
  STAT ("dhcp-acks", st.server.acks);
  STAT ("dhcp-naks", st.server.naks);
  STAT ("dhcp-no-address", st.server.no_address);
  STAT ("dhcp-leases", st.leases);
#undef STAT
}
