/* Runtime DNS objects and the parsers of their D-Bus arguments (see
 * dns-entry.h). Every check is delegated to the parsers the configuration
 * uses; what is added here is only the shape of each call's arguments.
 */
#include "config.h"

#include "dns/dns-entry.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <string.h>

const char *
hearth_dns_action_to_string (HearthDnsAction action)
{
  switch (action)
    {
    case HEARTH_DNS_ACTION_FORWARD:
      return "forward";
    case HEARTH_DNS_ACTION_LOCAL:
      return "local";
    case HEARTH_DNS_ACTION_BLOCK:
      return "block";
    case HEARTH_DNS_ACTION_ADDRESS:
      return "address";
    case HEARTH_DNS_ACTION_DEFAULT:
      return "default";
    }
  return "unknown";
}

gboolean
hearth_dns_action_from_string (const char *text, HearthDnsAction *out_action)
{
  static const HearthDnsAction all[] = { HEARTH_DNS_ACTION_FORWARD, HEARTH_DNS_ACTION_LOCAL, HEARTH_DNS_ACTION_BLOCK,
                                         HEARTH_DNS_ACTION_ADDRESS, HEARTH_DNS_ACTION_DEFAULT };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_strcmp0 (text, hearth_dns_action_to_string (all[i])) == 0)
      {
        *out_action = all[i];
        return TRUE;
      }
  return FALSE;
}

HearthDnsEntry *
hearth_dns_entry_ref (HearthDnsEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);
  entry->ref_count++;
  return entry;
}

void
hearth_dns_entry_unref (HearthDnsEntry *entry)
{
  if (entry == NULL || --entry->ref_count > 0)
    return;
  if (entry->children != NULL)
    {
      for (guint i = 0; i < entry->children->len; i++)
        ((HearthDnsEntry *) g_ptr_array_index (entry->children, i))->parent = NULL;
      g_ptr_array_unref (entry->children);
    }
  if (entry->server != NULL)
    hearth_dns_server_unref (entry->server);
  if (entry->domains != NULL)
    g_ptr_array_unref (entry->domains);
  if (entry->addresses != NULL)
    g_array_unref (entry->addresses);
  g_free (entry->domain);
  g_free (entry->owner);
  g_free (entry);
}

static HearthDnsEntry *
entry_new (HearthDnsEntryType type, HearthDnsSource source, const char *owner)
{
  HearthDnsEntry *entry = g_new0 (HearthDnsEntry, 1);

  entry->ref_count = 1;
  entry->type = type;
  entry->source = source;
  entry->owner = g_strdup (owner);
  return entry;
}

HearthDnsEntry *
hearth_dns_entry_new_server (HearthDnsSource source, const char *owner, HearthDnsServer *server, GPtrArray *domains)
{
  HearthDnsEntry *entry = entry_new (HEARTH_DNS_ENTRY_SERVER, source, owner);

  entry->server = hearth_dns_server_ref (server);
  entry->domains = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; domains != NULL && i < domains->len; i++)
    g_ptr_array_add (entry->domains, g_strdup (g_ptr_array_index (domains, i)));
  return entry;
}

HearthDnsEntry *
hearth_dns_entry_new_route (HearthDnsSource source, const char *owner, const char *domain, HearthDnsAction action)
{
  HearthDnsEntry *entry = entry_new (HEARTH_DNS_ENTRY_ROUTE, source, owner);

  entry->domain = g_strdup (domain);
  entry->action = action;
  entry->addresses = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  entry->children = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_entry_unref);
  return entry;
}

void
hearth_dns_entry_add_child (HearthDnsEntry *route, HearthDnsEntry *child)
{
  g_return_if_fail (route->type == HEARTH_DNS_ENTRY_ROUTE && child->type == HEARTH_DNS_ENTRY_SERVER);
  child->parent = route;
  g_ptr_array_add (route->children, hearth_dns_entry_ref (child));
}

static gboolean
str_arrays_equal (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;
  return TRUE;
}

gboolean
hearth_dns_entry_equivalent (const HearthDnsEntry *a, const HearthDnsEntry *b)
{
  if (a->type != b->type)
    return FALSE;
  switch (a->type)
    {
    case HEARTH_DNS_ENTRY_SERVER:
      return hearth_dns_server_same_target (a->server, b->server) && str_arrays_equal (a->domains, b->domains);
    case HEARTH_DNS_ENTRY_ROUTE:
      if (strcmp (a->domain, b->domain) != 0 || a->action != b->action || a->addresses->len != b->addresses->len ||
          a->children->len != b->children->len)
        return FALSE;
      for (guint i = 0; i < a->addresses->len; i++)
        if (!hearth_dns_addr_equal (&g_array_index (a->addresses, HearthDnsAddr, i),
                                    &g_array_index (b->addresses, HearthDnsAddr, i)))
          return FALSE;
      for (guint i = 0; i < a->children->len; i++)
        if (!hearth_dns_entry_equivalent (g_ptr_array_index (a->children, i), g_ptr_array_index (b->children, i)))
          return FALSE;
      return TRUE;
    }
  return FALSE;
}

void
hearth_dns_entries_from_spec (const HearthDnsServerSpec *spec, HearthDnsSource source, const char *owner,
                              GPtrArray *out)
{
  if (spec->server != NULL)
    {
      g_ptr_array_add (out, hearth_dns_entry_new_server (source, owner, spec->server, spec->domains));
      return;
    }
  for (guint i = 0; spec->domains != NULL && i < spec->domains->len; i++)
    {
      const char *domain = g_ptr_array_index (spec->domains, i);

      switch (spec->kind)
        {
        case HEARTH_DNS_ROUTE_DEFAULT:
          g_ptr_array_add (out, hearth_dns_entry_new_route (source, owner, domain, HEARTH_DNS_ACTION_DEFAULT));
          break;
        case HEARTH_DNS_ROUTE_LOCAL:
        case HEARTH_DNS_ROUTE_FORWARD: /* a forward spec always has a server */
        case HEARTH_DNS_ROUTE_ADDRESS:
          g_ptr_array_add (out, hearth_dns_entry_new_route (source, owner, domain, HEARTH_DNS_ACTION_LOCAL));
          break;
        }
    }
}

static gboolean
arg_check (const char *what, const char *value, GError **error)
{
  if (value == NULL || strlen (value) > HEARTH_DNS_ENTRY_ARG_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("%s longer than %u bytes"), what,
                   HEARTH_DNS_ENTRY_ARG_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
list_check (const char *what, gsize n, GError **error)
{
  if (n > HEARTH_DNS_ENTRY_LIST_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("more than %u %s"), HEARTH_DNS_ENTRY_LIST_MAX,
                   what);
      return FALSE;
    }
  return TRUE;
}

/* Normalised, without duplicates. */
static GPtrArray *
domains_parse (const char *const *domains, gsize n, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (!list_check (_ ("domains"), n, error))
    return NULL;
  for (gsize i = 0; i < n; i++)
    {
      char *domain = NULL;
      guint index;

      if (!arg_check (_ ("a domain"), domains[i], error) || !hearth_dns_domain_normalize (domains[i], &domain, error))
        return NULL;
      if (g_ptr_array_find_with_equal_func (out, domain, g_str_equal, &index))
        g_free (domain);
      else
        g_ptr_array_add (out, domain);
    }
  return g_steal_pointer (&out);
}

gboolean
hearth_dns_entry_parse_server (const char *address, guint port, const char *interface, const char *const *domains,
                               gsize n_domains, HearthDnsSource source, const char *owner,
                               HearthDnsEntry **out_entry, GError **error)
{
  g_autoptr (GString) text = NULL;
  g_autoptr (HearthDnsServer) server = NULL;
  g_autoptr (GPtrArray) parsed = NULL;

  if (!arg_check (_ ("the address"), address, error) || !arg_check (_ ("the interface"), interface, error))
    return FALSE;
  if (*address == '\0' || strpbrk (address, "#@/") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("bad server address '%s': expected an IP address (the port and interface are separate)"),
                   address);
      return FALSE;
    }
  if (port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad port %u"), port);
      return FALSE;
    }
  if (strpbrk (interface, "#@/") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad interface name '%s'"), interface);
      return FALSE;
    }
  /* Composed into --server syntax so the config's parser does every check. */
  text = g_string_new (address);
  if (port != 0)
    g_string_append_printf (text, "#%u", port);
  if (*interface != '\0')
    g_string_append_printf (text, "@%s", interface);
  if (!hearth_dns_server_parse (text->str, owner, &server, error))
    return FALSE;
  if (*interface != '\0' && g_strcmp0 (server->interface, interface) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad interface name '%s'"), interface);
      return FALSE;
    }
  parsed = domains_parse (domains, n_domains, error);
  if (parsed == NULL)
    return FALSE;
  *out_entry = hearth_dns_entry_new_server (source, owner, server, parsed);
  return TRUE;
}

gboolean
hearth_dns_entry_parse_route (const char *domain, const char *action_text, const char *const *servers,
                              gsize n_servers, HearthDnsSource source, const char *owner,
                              HearthDnsEntry **out_entry, GError **error)
{
  g_autoptr (HearthDnsEntry) route = NULL;
  g_autoptr (GPtrArray) domains = NULL;
  g_autofree char *normal = NULL;
  HearthDnsAction action;

  if (!arg_check (_ ("the domain"), domain, error) || !arg_check (_ ("the action"), action_text, error) ||
      !list_check (_ ("servers"), n_servers, error))
    return FALSE;
  if (!hearth_dns_action_from_string (action_text, &action) || action == HEARTH_DNS_ACTION_ADDRESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("bad action '%s': expected forward, local, block or default"), action_text);
      return FALSE;
    }
  if (!hearth_dns_domain_normalize (domain, &normal, error))
    return FALSE;
  if (action == HEARTH_DNS_ACTION_FORWARD && n_servers == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("a forward route needs servers"));
      return FALSE;
    }
  if (action != HEARTH_DNS_ACTION_FORWARD && n_servers > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("a %s route takes no servers"), action_text);
      return FALSE;
    }
  route = hearth_dns_entry_new_route (source, owner, normal, action);
  domains = g_ptr_array_new ();
  g_ptr_array_add (domains, normal);
  for (gsize i = 0; i < n_servers; i++)
    {
      g_autoptr (HearthDnsServer) server = NULL;
      g_autoptr (HearthDnsEntry) child = NULL;

      if (!arg_check (_ ("a server"), servers[i], error) || !hearth_dns_server_parse (servers[i], owner, &server, error))
        return FALSE;
      child = hearth_dns_entry_new_server (source, owner, server, domains);
      hearth_dns_entry_add_child (route, child);
    }
  *out_entry = g_steal_pointer (&route);
  return TRUE;
}

static gboolean
server_is_ipv4_any (const HearthDnsServer *server)
{
  const struct sockaddr_in *sin = (const struct sockaddr_in *) &server->addr;

  return server->addr.ss_family == AF_INET && sin->sin_addr.s_addr == htonl (INADDR_ANY);
}

gboolean
hearth_dns_entries_parse_servers_ex (const char *const *strv, gsize n, HearthDnsSource source, const char *owner,
                                     GPtrArray *out, GError **error)
{
  g_autoptr (HearthDnsServer) server = NULL;
  g_autoptr (GPtrArray) domains = NULL;

  /* dnsmasq's messages, which scripts may match. */
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Expected IP address"));
      return FALSE;
    }
  if (!arg_check (_ ("the address"), strv[0], error))
    return FALSE;
  if (*strv[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Empty IP address"));
      return FALSE;
    }
  {
    g_autoptr (GError) local_error = NULL;

    if (!hearth_dns_server_parse (strv[0], owner, &server, &local_error))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Invalid IP address '%s': %s"), strv[0],
                     local_error->message);
        return FALSE;
      }
  }
  domains = domains_parse (strv + 1, n - 1, error);
  if (domains == NULL)
    return FALSE;
  if (server_is_ipv4_any (server))
    {
      /* dnsmasq's convention: 0.0.0.0 with domains keeps them local. */
      if (domains->len == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Invalid IP address '%s': 0.0.0.0 needs domains to keep local"), strv[0]);
          return FALSE;
        }
      for (guint i = 0; i < domains->len; i++)
        g_ptr_array_add (out, hearth_dns_entry_new_route (source, owner, g_ptr_array_index (domains, i),
                                                          HEARTH_DNS_ACTION_LOCAL));
      return TRUE;
    }
  g_ptr_array_add (out, hearth_dns_entry_new_server (source, owner, server, domains));
  return TRUE;
}
