/* dnsmasq's D-Bus interface, for the drop-in (see bus-compat.h).
 *
 * Written by hand on a connection filter instead of with a generated
 * skeleton, for two reasons the contract fixes: dnsmasq dispatches on the
 * method name alone (NetworkManager sends its own bus name as the
 * interface), and SetServers takes a variable argument list ("u" or "ay"
 * addresses each followed by "s" domains) that no fixed signature
 * describes. The filter runs in GDBus's worker thread, so it only picks
 * the messages out; they are handled in the main context.
 *
 * Servers set here belong to one owner, "dnsmasq-dbus", whoever calls: as
 * with dnsmasq each Set*Servers call replaces the previous one's servers,
 * so a NetworkManager that restarted does not leave its old servers behind.
 *
 * The lease methods (AddDhcpLease, DeleteDhcpLease) are checked and
 * applied by bus-dhcp, which also sends the DhcpLease* signals: it owns
 * the DHCP service's one lease callback.
 */
#include "config.h"

#include "bus/bus-compat.h"
#include "bus/bus-auth.h"
#include "bus/bus-dhcp.h"
#include "dbus-interfaces/bus-dnsmasq-xml.h"
#include "net/net-socket.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#define COMPAT_OWNER "dnsmasq-dbus"

struct _HearthBusCompat {
  HearthDnsService *dns;
  char *name;
  GSourceFunc reload;
  gpointer reload_data;
  GDBusConnection *connection;
  guint filter_id;
  guint registration_id; /* only so that parent paths list ours (the filter answers every call) */
  GMainContext *context; /* where the filter sends messages to be handled */
  HearthBusDhcp *dhcp;   /* the lease methods; NULL until set */
};

typedef struct {
  HearthBusCompat *compat;
  GDBusConnection *connection;
  GDBusMessage *message;
} Incoming;

static void
incoming_free (Incoming *in)
{
  g_object_unref (in->connection);
  g_object_unref (in->message);
  g_free (in);
}

static void
reply (Incoming *in, GVariant *body)
{
  g_autoptr (GDBusMessage) r = g_dbus_message_new_method_reply (in->message);

  if (body != NULL)
    g_dbus_message_set_body (r, body);
  g_dbus_connection_send_message (in->connection, r, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
}

static void
reply_error (Incoming *in, const char *name, const char *message)
{
  g_autoptr (GDBusMessage) r = g_dbus_message_new_method_error_literal (in->message, name, message);

  g_dbus_connection_send_message (in->connection, r, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
}

static void
invalid_args (Incoming *in, const char *message)
{
  reply_error (in, "org.freedesktop.DBus.Error.InvalidArgs", message);
}

/* ---- Set*Servers ---- */

static void
apply_servers (Incoming *in, GPtrArray *fresh)
{
  g_autoptr (GPtrArray) result = hearth_dns_service_replace_entries (in->compat->dns, COMPAT_OWNER, FALSE, fresh);

  g_info ("%s set %u server(s) and local domain(s) through dnsmasq's interface",
          g_dbus_message_get_sender (in->message), result->len);
  reply (in, NULL);
}

/* SetServers: u (IPv4, network byte order as it sits in memory) or ay
 * (16 bytes of IPv6), each followed by its domains as s. */
static gboolean
parse_set_servers (GVariant *body, GPtrArray *fresh, GError **error)
{
  gsize n = body != NULL ? g_variant_n_children (body) : 0;
  g_autoptr (GPtrArray) current = NULL; /* [address, domain...] of the server being read */

  if (n > HEARTH_DNS_ENTRY_LIST_MAX * 4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("too many arguments"));
      return FALSE;
    }
  for (gsize i = 0; i <= n; i++)
    {
      g_autoptr (GVariant) arg = i < n ? g_variant_get_child_value (body, i) : NULL;
      char text[INET6_ADDRSTRLEN];

      if (arg != NULL && g_variant_is_of_type (arg, G_VARIANT_TYPE_STRING))
        {
          if (current == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Expected address before domain"));
              return FALSE;
            }
          g_ptr_array_add (current, g_variant_dup_string (arg, NULL));
          continue;
        }
      /* An address (or the end) closes the previous server. */
      if (current != NULL)
        {
          if (!hearth_dns_entries_parse_servers_ex ((const char *const *) current->pdata, current->len,
                                                    HEARTH_DNS_SOURCE_BUS, COMPAT_OWNER, fresh, error))
            return FALSE;
          g_clear_pointer (&current, g_ptr_array_unref);
        }
      if (arg == NULL)
        break;
      if (g_variant_is_of_type (arg, G_VARIANT_TYPE_UINT32))
        {
          struct in_addr a;

          /* The number is the address read as a big-endian integer. */
          a.s_addr = g_htonl (g_variant_get_uint32 (arg));
          inet_ntop (AF_INET, &a, text, sizeof text);
        }
      else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_BYTE))
        {
          /* Or sixteen BYTE arguments in a row: an IPv6 address. */
          guint8 bytes[16];

          if (n - i < 16)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Expected 16 BYTEs of IPv6 address"));
              return FALSE;
            }
          for (guint k = 0; k < 16; k++)
            {
              g_autoptr (GVariant) b = g_variant_get_child_value (body, i + k);

              if (!g_variant_is_of_type (b, G_VARIANT_TYPE_BYTE))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("Expected 16 BYTEs of IPv6 address"));
                  return FALSE;
                }
              bytes[k] = g_variant_get_byte (b);
            }
          i += 15;
          inet_ntop (AF_INET6, bytes, text, sizeof text);
        }
      else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_BYTESTRING) && g_variant_n_children (arg) == 16)
        {
          gsize len;
          const guint8 *bytes = g_variant_get_fixed_array (arg, &len, 1);

          inet_ntop (AF_INET6, bytes, text, sizeof text);
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Expected a UINT32 IPv4 address, 16 BYTEs of IPv6 address or a STRING domain, not %s"),
                       g_variant_get_type_string (arg));
          return FALSE;
        }
      current = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (current, g_strdup (text));
    }
  return TRUE;
}

static gboolean
parse_set_servers_ex (GVariant *body, GPtrArray *fresh, GError **error)
{
  g_autoptr (GVariant) list = NULL;
  gsize n;

  if (body == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Failed to initialize dbus message iter"));
      return FALSE;
    }
  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(aas)")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Expected array of string arrays"));
      return FALSE;
    }
  list = g_variant_get_child_value (body, 0);
  n = g_variant_n_children (list);
  if (n > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("more than %u servers"),
                   HEARTH_DNS_ENTRY_LIST_MAX);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) inner = g_variant_get_child_value (list, i);
      g_autofree const char **strv = g_variant_get_strv (inner, NULL);

      if (g_variant_n_children (inner) > HEARTH_DNS_ENTRY_LIST_MAX + 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("more than %u domains"),
                       HEARTH_DNS_ENTRY_LIST_MAX);
          return FALSE;
        }
      if (!hearth_dns_entries_parse_servers_ex (strv, g_variant_n_children (inner), HEARTH_DNS_SOURCE_BUS,
                                                COMPAT_OWNER, fresh, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_set_domain_servers (GVariant *body, GPtrArray *fresh, GError **error)
{
  g_autoptr (GVariant) list = NULL;
  gsize n;

  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(as)")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Expected array of strings"));
      return FALSE;
    }
  list = g_variant_get_child_value (body, 0);
  n = g_variant_n_children (list);
  if (n > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("more than %u servers"),
                   HEARTH_DNS_ENTRY_LIST_MAX);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      const char *text;
      g_autoptr (HearthDnsServerSpec) spec = NULL;

      g_variant_get_child (list, i, "&s", &text);
      if (strlen (text) > HEARTH_DNS_ENTRY_ARG_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("server string too long"));
          return FALSE;
        }
      /* dnsmasq's two messages for this call, before the shared parser's. */
      if (text[0] == '/')
        {
          const char *last = strrchr (text, '/');
          g_autoptr (HearthDnsServer) probe = NULL;

          if (last == text)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("No domain terminator '%s'"), text + 1);
              return FALSE;
            }
          if (last[1] != '\0' && strcmp (last + 1, "#") != 0 &&
              !hearth_dns_server_parse (last + 1, COMPAT_OWNER, &probe, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid IP address '%s'"), last + 1);
              return FALSE;
            }
        }
      if (!hearth_dns_server_spec_parse (text, COMPAT_OWNER, &spec, error))
        return FALSE;
      hearth_dns_entries_from_spec (spec, HEARTH_DNS_SOURCE_BUS, COMPAT_OWNER, fresh);
    }
  return TRUE;
}

/* ---- metrics ---- */

static GVariant *
metrics (HearthBusCompat *compat)
{
  HearthDnsStatistics st;
  HearthDhcpServiceStats dh = { 0 };
  HearthDhcpService *dhcp = hearth_bus_dhcp_get_service (compat->dhcp);
  GVariantBuilder b;
  /* What hearth does not count (BOOTP and PXE apart, lease allocations
   * and prunes) stays 0. */
  static const char *const dhcp_zero[] = { "bootp", "pxe", "leases_allocated_4", "leases_pruned_4",
                                           "leases_allocated_6", "leases_pruned_6" };

  hearth_dns_service_get_statistics (compat->dns, &st);
  if (dhcp != NULL)
    hearth_dhcp_service_get_stats (dhcp, &dh);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{su}"));
#define METRIC(name, value) g_variant_builder_add (&b, "{su}", name, (guint32) MIN ((guint64) (value), G_MAXUINT32))
  METRIC ("dns_cache_inserted", st.cache.insertions);
  METRIC ("dns_cache_live_freed", st.cache.evictions_live);
  METRIC ("dns_queries_forwarded", st.forwarder.forwarded);
  METRIC ("dns_auth_answered", 0);
  METRIC ("dns_local_answered", st.stub.local_answers + st.stub.cache_answers);
  METRIC ("dns_stale_answered", 0);
  METRIC ("dns_unanswered", st.forwarder.servfail + st.forwarder.refused_limit);
  METRIC ("tcp_connections", st.stub.tcp_connections);
  METRIC ("dhcp_ack", dh.server.acks);
  METRIC ("dhcp_decline", dh.server.by_type[HEARTH_DHCP4_DECLINE]);
  METRIC ("dhcp_discover", dh.server.by_type[HEARTH_DHCP4_DISCOVER]);
  METRIC ("dhcp_inform", dh.server.by_type[HEARTH_DHCP4_INFORM]);
  METRIC ("dhcp_nak", dh.server.naks);
  METRIC ("dhcp_offer", dh.server.offers);
  METRIC ("dhcp_release", dh.server.by_type[HEARTH_DHCP4_RELEASE]);
  METRIC ("dhcp_request", dh.server.by_type[HEARTH_DHCP4_REQUEST]);
  METRIC ("noanswer", dh.server.no_address);
  for (guint i = 0; i < G_N_ELEMENTS (dhcp_zero); i++)
    METRIC (dhcp_zero[i], 0);
#undef METRIC
  return g_variant_new ("(@a{su})", g_variant_builder_end (&b));
}

static GVariant *
server_metrics (HearthBusCompat *compat)
{
  g_autoptr (GPtrArray) entries = hearth_dns_service_list_entries (compat->dns);
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();
  GVariantBuilder list;

  g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{ss}"));
  for (guint i = 0; i < entries->len; i++)
    {
      const HearthDnsEntry *e = g_ptr_array_index (entries, i);
      HearthDnsServer *s;
      GVariantBuilder d;
      char addr[INET6_ADDRSTRLEN + 8];
      guint index;

      if (e->type != HEARTH_DNS_ENTRY_SERVER)
        continue;
      s = hearth_dns_service_get_entry_server (compat->dns, e);
      if (g_ptr_array_find (seen, s, &index))
        continue; /* one line per upstream, as dnsmasq has */
      g_ptr_array_add (seen, s);
      hearth_net_sockaddr_to_string ((const struct sockaddr *) &s->addr, FALSE, addr, sizeof addr);
      g_variant_builder_init (&d, G_VARIANT_TYPE ("a{ss}"));
#define FIELD(k, fmt, v)                                                                                               \
  do                                                                                                                   \
    {                                                                                                                  \
      g_autofree char *value_ = g_strdup_printf (fmt, v);                                                              \
      g_variant_builder_add (&d, "{ss}", k, value_);                                                                   \
    }                                                                                                                  \
  while (0)
      g_variant_builder_add (&d, "{ss}", "address", addr);
      FIELD ("port", "%u", (guint) hearth_net_sockaddr_port ((const struct sockaddr *) &s->addr));
      FIELD ("queries", "%" G_GUINT64_FORMAT, s->queries);
      FIELD ("failed_queries", "%" G_GUINT64_FORMAT, s->failed);
      FIELD ("nxdomain", "%" G_GUINT64_FORMAT, s->nxdomain);
      FIELD ("retries", "%" G_GUINT64_FORMAT, s->retries);
      FIELD ("latency", "%u", s->latency_ms);
#undef FIELD
      g_variant_builder_add_value (&list, g_variant_builder_end (&d));
    }
  return g_variant_new ("(@aa{ss})", g_variant_builder_end (&list));
}

/* ---- dispatch ---- */

static char *
introspection_xml (HearthBusCompat *compat)
{
  g_autoptr (GString) xml = g_string_new (hearth_bus_dnsmasq_xml);

  g_string_replace (xml, "\"uk.org.thekelleys.dnsmasq\"", "\"NAME-PLACEHOLDER\"", 1);
  {
    g_autofree char *quoted = g_markup_printf_escaped ("\"%s\"", compat->name);

    g_string_replace (xml, "\"NAME-PLACEHOLDER\"", quoted, 1);
  }
  g_string_replace (xml, "<node>",
                    "<node>\n  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
                    "    <method name=\"Introspect\"><arg name=\"data\" direction=\"out\" type=\"s\"/></method>\n"
                    "  </interface>",
                    1);
  return g_string_free (g_steal_pointer (&xml), FALSE);
}

typedef enum {
  SET_SERVERS,
  SET_SERVERS_EX,
  SET_DOMAIN_SERVERS,
  CLEAR_CACHE,
  CLEAR_METRICS,
  SWITCH,
  ADD_DHCP_LEASE,
  DELETE_DHCP_LEASE,
} Mutation;

typedef struct {
  Incoming *in;
  Mutation what;
  HearthDnsSwitch which;
} Pending;

static void
run_mutation (Pending *p)
{
  Incoming *in = p->in;
  HearthBusCompat *compat = in->compat;
  GVariant *body = g_dbus_message_get_body (in->message);
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  switch (p->what)
    {
    case SET_SERVERS:
      ok = parse_set_servers (body, fresh, &error);
      break;
    case SET_SERVERS_EX:
      ok = parse_set_servers_ex (body, fresh, &error);
      break;
    case SET_DOMAIN_SERVERS:
      ok = parse_set_domain_servers (body, fresh, &error);
      break;
    case CLEAR_CACHE:
      compat->reload (compat->reload_data);
      reply (in, NULL);
      return;
    case CLEAR_METRICS:
      hearth_dns_service_clear_statistics (compat->dns);
      reply (in, NULL);
      return;
    case ADD_DHCP_LEASE:
      if (!hearth_bus_dhcp_compat_add_lease (compat->dhcp, body, g_dbus_message_get_sender (in->message), &error))
        invalid_args (in, error->message);
      else
        reply (in, NULL);
      return;
    case DELETE_DHCP_LEASE:
      {
        gboolean found = FALSE;

        if (!hearth_bus_dhcp_compat_delete_lease (compat->dhcp, body, g_dbus_message_get_sender (in->message),
                                                  &found, &error))
          invalid_args (in, error->message);
        else
          reply (in, g_variant_new ("(b)", found));
      }
      return;
    case SWITCH:
      if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(b)")))
        {
          invalid_args (in, _ ("Expected boolean argument"));
          return;
        }
      {
        gboolean on;

        g_variant_get (body, "(b)", &on);
        hearth_dns_service_set_switch (compat->dns, p->which, on);
        reply (in, NULL);
      }
      return;
    }
  if (!ok)
    {
      invalid_args (in, error->message);
      return;
    }
  apply_servers (in, fresh);
}

static void
compat_authorized_cb (gboolean allowed, gpointer user_data)
{
  Pending *p = user_data;

  if (!allowed)
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s may not change hearth (needs root or the polkit action %s)"),
                                              g_dbus_message_get_sender (p->in->message), HEARTH_BUS_POLKIT_ACTION);

      reply_error (p->in, "org.freedesktop.DBus.Error.AccessDenied", msg);
    }
  else
    run_mutation (p);
  incoming_free (p->in);
  g_free (p);
}

static void
mutate (Incoming *in, Mutation what, HearthDnsSwitch which)
{
  Pending *p = g_new0 (Pending, 1);

  p->in = in;
  p->what = what;
  p->which = which;
  hearth_bus_auth_check (in->connection, in->message, compat_authorized_cb, p);
}

/* Handles one method call; returns FALSE when in is still needed (an
 * authorization is under way). */
static gboolean
dispatch (Incoming *in)
{
  HearthBusCompat *compat = in->compat;
  const char *method = g_dbus_message_get_member (in->message);
  const char *interface = g_dbus_message_get_interface (in->message);
  static const struct {
    const char *method;
    HearthDnsSwitch which;
  } switches[] = {
    { "SetFilterWin2KOption", HEARTH_DNS_SWITCH_FILTERWIN2K },
    { "SetFilterA", HEARTH_DNS_SWITCH_FILTER_A },
    { "SetFilterAAAA", HEARTH_DNS_SWITCH_FILTER_AAAA },
    { "SetBogusPrivOption", HEARTH_DNS_SWITCH_BOGUS_PRIV },
    { "SetLocaliseQueriesOption", HEARTH_DNS_SWITCH_LOCALISE_QUERIES },
  };

  if (g_strcmp0 (interface, "org.freedesktop.DBus.Introspectable") == 0 && g_strcmp0 (method, "Introspect") == 0)
    {
      g_autofree char *xml = introspection_xml (compat);

      reply (in, g_variant_new ("(s)", xml));
      return TRUE;
    }
  if (g_strcmp0 (interface, "org.freedesktop.DBus.Peer") == 0 && g_strcmp0 (method, "Ping") == 0)
    {
      reply (in, NULL);
      return TRUE;
    }
  if (g_strcmp0 (method, "GetVersion") == 0)
    reply (in, g_variant_new ("(s)", DNSMASQ_COMPAT_VERSION));
  else if (g_strcmp0 (method, "GetLoopServers") == 0)
    reply (in, g_variant_new ("(@as)", g_variant_new_strv (NULL, 0)));
  else if (g_strcmp0 (method, "GetMetrics") == 0)
    reply (in, metrics (compat));
  else if (g_strcmp0 (method, "GetServerMetrics") == 0)
    reply (in, server_metrics (compat));
  else if (g_strcmp0 (method, "SetServers") == 0)
    return mutate (in, SET_SERVERS, 0), FALSE;
  else if (g_strcmp0 (method, "SetServersEx") == 0)
    return mutate (in, SET_SERVERS_EX, 0), FALSE;
  else if (g_strcmp0 (method, "SetDomainServers") == 0)
    return mutate (in, SET_DOMAIN_SERVERS, 0), FALSE;
  else if (g_strcmp0 (method, "ClearCache") == 0)
    return mutate (in, CLEAR_CACHE, 0), FALSE;
  else if (g_strcmp0 (method, "ClearMetrics") == 0)
    return mutate (in, CLEAR_METRICS, 0), FALSE;
  else if ((g_strcmp0 (method, "AddDhcpLease") == 0 || g_strcmp0 (method, "DeleteDhcpLease") == 0) &&
           hearth_bus_dhcp_get_service (compat->dhcp) == NULL)
    reply_error (in, "org.freedesktop.DBus.Error.NotSupported", _ ("DHCP is not enabled"));
  else if (g_strcmp0 (method, "AddDhcpLease") == 0)
    return mutate (in, ADD_DHCP_LEASE, 0), FALSE;
  else if (g_strcmp0 (method, "DeleteDhcpLease") == 0)
    return mutate (in, DELETE_DHCP_LEASE, 0), FALSE;
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
        if (g_strcmp0 (method, switches[i].method) == 0)
          return mutate (in, SWITCH, switches[i].which), FALSE;
      {
        g_autofree char *msg = g_strdup_printf (_ ("Method \"%s\" with signature \"%s\" on interface \"%s\" doesn't exist"),
                                                method, g_dbus_message_get_signature (in->message),
                                                interface != NULL ? interface : "");

        reply_error (in, "org.freedesktop.DBus.Error.UnknownMethod", msg);
      }
    }
  return TRUE;
}

static gboolean
dispatch_cb (gpointer user_data)
{
  Incoming *in = user_data;

  if (dispatch (in))
    incoming_free (in);
  return G_SOURCE_REMOVE;
}

/* GDBus's worker thread: take method calls to our path, leave the rest. */
static GDBusMessage *
filter_cb (GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
  HearthBusCompat *compat = user_data;
  Incoming *in;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_path (message), HEARTH_BUS_COMPAT_PATH) != 0)
    return message;
  in = g_new0 (Incoming, 1);
  in->compat = compat;
  in->connection = g_object_ref (connection);
  in->message = message; /* the filter owns it; now we do */
  g_main_context_invoke (compat->context, dispatch_cb, in);
  return NULL;
}

static void
unreachable_call_cb (GDBusConnection *connection, const char *sender, const char *path, const char *interface,
                     const char *method, GVariant *parameters, GDBusMethodInvocation *invocation, gpointer user_data)
{
  /* The filter takes every call to our path before GDBus dispatches it. */
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD, "%s", method);
}

static const GDBusInterfaceVTable unreachable_vtable = { unreachable_call_cb, NULL, NULL, { 0 } };

/* Registers the path with dnsmasq's interface under our name, so that
 * introspecting /uk/org/thekelleys (or `busctl tree`) finds it. */
static void
register_path (HearthBusCompat *compat)
{
  g_autofree char *xml = introspection_xml (compat);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, &error);

  if (node == NULL || node->interfaces == NULL || node->interfaces[0] == NULL || node->interfaces[1] == NULL)
    {
      g_warning ("dnsmasq interface XML: %s", error != NULL ? error->message : "no interface");
      return;
    }
  compat->registration_id = g_dbus_connection_register_object (compat->connection, HEARTH_BUS_COMPAT_PATH,
                                                               node->interfaces[1], &unreachable_vtable, NULL,
                                                               NULL, &error);
  if (compat->registration_id == 0)
    g_warning ("cannot register %s: %s", HEARTH_BUS_COMPAT_PATH, error->message);
}

HearthBusCompat *
hearth_bus_compat_new (HearthDnsService *dns, const char *name, GSourceFunc reload, gpointer reload_data)
{
  HearthBusCompat *compat = g_new0 (HearthBusCompat, 1);

  compat->dns = dns;
  compat->name = g_strdup (name);
  compat->reload = reload;
  compat->reload_data = reload_data;
  compat->context = g_main_context_ref_thread_default ();
  return compat;
}

void
hearth_bus_compat_free (HearthBusCompat *compat)
{
  if (compat == NULL)
    return;
  hearth_bus_compat_set_connection (compat, NULL);
  g_main_context_unref (compat->context);
  g_free (compat->name);
  g_free (compat);
}

void
hearth_bus_compat_set_dhcp (HearthBusCompat *compat, HearthBusDhcp *dhcp)
{
  compat->dhcp = dhcp;
}

const char *
hearth_bus_compat_get_name (HearthBusCompat *compat)
{
  return compat->name;
}

void
hearth_bus_compat_set_connection (HearthBusCompat *compat, GDBusConnection *connection)
{
  if (compat->connection != NULL)
    {
      if (compat->registration_id != 0)
        g_dbus_connection_unregister_object (compat->connection, compat->registration_id);
      compat->registration_id = 0;
      g_dbus_connection_remove_filter (compat->connection, compat->filter_id);
      compat->filter_id = 0;
      g_clear_object (&compat->connection);
    }
  if (connection == NULL)
    return;
  compat->connection = g_object_ref (connection);
  compat->filter_id = g_dbus_connection_add_filter (connection, filter_cb, compat, NULL);
  register_path (compat);
}

void
hearth_bus_compat_emit_up (HearthBusCompat *compat)
{
  g_autoptr (GError) error = NULL;

  if (compat->connection == NULL)
    return;
  if (!g_dbus_connection_emit_signal (compat->connection, NULL, HEARTH_BUS_COMPAT_PATH, compat->name, "Up", NULL,
                                      &error))
    g_warning (_("cannot send the Up signal: %s"), error->message);
}
