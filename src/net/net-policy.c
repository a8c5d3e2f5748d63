/* Interface selection (see net-policy.h). */
#include "config.h"

#include "net/net-policy.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

struct _HearthNetPolicy {
  GPtrArray *interfaces;       /* char* patterns */
  GPtrArray *except;           /* char* patterns */
  GPtrArray *no_dhcp;          /* char* patterns */
  GArray *listen_addresses;    /* HearthNetAddress */
};

HearthNetPolicy *
hearth_net_policy_new (void)
{
  HearthNetPolicy *policy = g_new0 (HearthNetPolicy, 1);

  policy->interfaces = g_ptr_array_new_with_free_func (g_free);
  policy->except = g_ptr_array_new_with_free_func (g_free);
  policy->no_dhcp = g_ptr_array_new_with_free_func (g_free);
  policy->listen_addresses = g_array_new (FALSE, TRUE, sizeof (HearthNetAddress));
  return policy;
}

void
hearth_net_policy_free (HearthNetPolicy *policy)
{
  if (policy == NULL)
    return;
  g_ptr_array_unref (policy->interfaces);
  g_ptr_array_unref (policy->except);
  g_ptr_array_unref (policy->no_dhcp);
  g_array_unref (policy->listen_addresses);
  g_free (policy);
}

void
hearth_net_policy_add_interface (HearthNetPolicy *policy, const char *pattern)
{
  g_ptr_array_add (policy->interfaces, g_strdup (pattern));
}

void
hearth_net_policy_add_except_interface (HearthNetPolicy *policy, const char *pattern)
{
  g_ptr_array_add (policy->except, g_strdup (pattern));
}

void
hearth_net_policy_add_no_dhcp_interface (HearthNetPolicy *policy, const char *pattern)
{
  g_ptr_array_add (policy->no_dhcp, g_strdup (pattern));
}

gboolean
hearth_net_policy_add_listen_address (HearthNetPolicy *policy, const char *text, GError **error)
{
  HearthNetAddress a = { 0 };

  if (inet_pton (AF_INET, text, a.bytes) == 1)
    {
      a.family = AF_INET;
      a.prefix_len = 32;
    }
  else if (inet_pton (AF_INET6, text, a.bytes) == 1)
    {
      a.family = AF_INET6;
      a.prefix_len = 128;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s' is not an IP address"), text);
      return FALSE;
    }
  for (guint i = 0; i < policy->listen_addresses->len; i++)
    {
      const HearthNetAddress *b = &g_array_index (policy->listen_addresses, HearthNetAddress, i);

      if (b->family == a.family && memcmp (b->bytes, a.bytes, sizeof a.bytes) == 0)
        return TRUE;
    }
  g_array_append_val (policy->listen_addresses, a);
  return TRUE;
}

gboolean
hearth_net_interface_name_matches (const char *pattern, const char *name)
{
  const char *star = strchr (pattern, '*');

  if (star != NULL)
    return strncmp (pattern, name, (gsize) (star - pattern)) == 0;
  return strcmp (pattern, name) == 0;
}

static gboolean
name_in (GPtrArray *patterns, const char *name)
{
  for (guint i = 0; i < patterns->len; i++)
    if (hearth_net_interface_name_matches (g_ptr_array_index (patterns, i), name))
      return TRUE;
  return FALSE;
}

gboolean
hearth_net_policy_is_open (const HearthNetPolicy *policy)
{
  return policy->interfaces->len == 0 && policy->listen_addresses->len == 0 && policy->except->len == 0;
}

guint
hearth_net_policy_get_n_listen_addresses (const HearthNetPolicy *policy)
{
  return policy->listen_addresses->len;
}

const HearthNetAddress *
hearth_net_policy_get_listen_address (const HearthNetPolicy *policy, guint i)
{
  return &g_array_index (policy->listen_addresses, HearthNetAddress, i);
}

GPtrArray *
hearth_net_policy_get_interfaces (const HearthNetPolicy *policy)
{
  return policy->interfaces;
}

static gboolean
is_listen_address (const HearthNetPolicy *policy, int family, const void *bytes)
{
  gsize size = family == AF_INET ? 4 : 16;

  for (guint i = 0; i < policy->listen_addresses->len; i++)
    {
      const HearthNetAddress *a = &g_array_index (policy->listen_addresses, HearthNetAddress, i);

      if (a->family == family && memcmp (a->bytes, bytes, size) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Selected by name, before --except-interface is applied. */
static gboolean
named (const HearthNetPolicy *policy, const char *name)
{
  if (policy->interfaces->len == 0 && policy->listen_addresses->len == 0)
    return TRUE;
  return name_in (policy->interfaces, name) || (policy->interfaces->len > 0 && strcmp (name, "lo") == 0);
}

gboolean
hearth_net_policy_link_selected (const HearthNetPolicy *policy, const char *name)
{
  return !name_in (policy->except, name) && named (policy, name);
}

gboolean
hearth_net_policy_address_selected (const HearthNetPolicy *policy, const char *name, int family, const void *bytes)
{
  if (name_in (policy->except, name))
    return FALSE;
  return named (policy, name) || is_listen_address (policy, family, bytes);
}

gboolean
hearth_net_policy_accepts (const HearthNetPolicy *policy, const HearthNetLink *arrival, int family, const void *dst,
                           const HearthNetLink *dst_link)
{
  if (hearth_net_policy_is_open (policy))
    return TRUE;
  if (arrival != NULL && hearth_net_policy_address_selected (policy, arrival->name, family, dst))
    return TRUE;
  /* Over loopback to an address of another link: that link decides. */
  return (arrival == NULL || hearth_net_link_is_loopback (arrival)) && dst_link != NULL && dst_link != arrival &&
         hearth_net_policy_address_selected (policy, dst_link->name, family, dst);
}

gboolean
hearth_net_policy_dhcp_on_link (const HearthNetPolicy *policy, const HearthNetLink *link)
{
  if (name_in (policy->no_dhcp, link->name))
    return FALSE;
  if (hearth_net_policy_link_selected (policy, link->name))
    return TRUE;
  for (guint i = 0; i < link->addresses->len; i++)
    {
      const HearthNetAddress *a = &g_array_index (link->addresses, HearthNetAddress, i);

      if (hearth_net_policy_address_selected (policy, link->name, a->family, a->bytes))
        return TRUE;
    }
  return FALSE;
}
