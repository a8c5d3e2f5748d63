/* Typed value helpers: numbers, durations, ports, addresses and comma lists
 * as dnsmasq's options spell them.
 *
 * These functions only convert text; range policy beyond the bounds the
 * caller passes, and the meaning of each field, belong to the subsystem
 * that owns the option.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <glib/gi18n-lib.h>

#include "config/config-parser.h"
#include "config/config-value.h"

/* Values are quoted back in messages; keep them printable and short so a
 * hostile file cannot fill the log. */
char *
hearth_config_value_printable (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  if (strlen (escaped) > 64)
    return g_strdup_printf ("%.64s...", escaped);
  return g_steal_pointer (&escaped);
}

static gboolean
parse_digits (const char *text, gsize len, guint64 *out_value)
{
  guint64 value = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      /* Anything past 32 bits is out of every range we take. */
      if (value > G_MAXUINT32)
        return FALSE;
      value = value * 10 + (guint64) (text[i] - '0');
    }
  if (value > G_MAXUINT32)
    return FALSE;
  *out_value = value;
  return TRUE;
}

gboolean
hearth_config_value_parse_uint (
    const char *text, guint min, guint max, guint *out_value, GError **error)
{
  guint64 value;

  if (text == NULL || !parse_digits (text, strlen (text), &value) || value < min || value > max)
    {
      g_autofree char *shown = hearth_config_value_printable (text != NULL ? text : "");
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _ ("expected a whole number from %u to %u, got '%s'"), min, max, shown);
      return FALSE;
    }
  *out_value = (guint) value;
  return TRUE;
}

gboolean
hearth_config_value_parse_duration (const char *text,
                                    gboolean allow_infinite,
                                    guint32 *out_seconds,
                                    GError **error)
{
  gsize len = text != NULL ? strlen (text) : 0;
  guint64 factor = 1;
  guint64 value;

  if (text != NULL && allow_infinite && strcmp (text, "infinite") == 0)
    {
      *out_seconds = HEARTH_CONFIG_DURATION_INFINITE;
      return TRUE;
    }

  if (len > 0)
    {
      switch (g_ascii_tolower (text[len - 1]))
        {
        case 'w':
          factor = 7 * 24 * 3600;
          len--;
          break;
        case 'd':
          factor = 24 * 3600;
          len--;
          break;
        case 'h':
          factor = 3600;
          len--;
          break;
        case 'm':
          factor = 60;
          len--;
          break;
        case 's':
          len--;
          break;
        default:
          break;
        }
    }

  if (text == NULL || !parse_digits (text, len, &value) ||
      value * factor >= HEARTH_CONFIG_DURATION_INFINITE)
    {
      g_autofree char *shown = hearth_config_value_printable (text != NULL ? text : "");
      if (allow_infinite)
        g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                     _ ("expected a duration such as 600, 45m, 12h, 7d, 2w or infinite, got '%s'"),
                     shown);
      else
        g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                     _ ("expected a duration such as 600, 45m, 12h, 7d or 2w, got '%s'"), shown);
      return FALSE;
    }
  *out_seconds = (guint32) (value * factor);
  return TRUE;
}

gboolean
hearth_config_value_parse_port (const char *text, guint16 *out_port, GError **error)
{
  guint64 value;

  if (text == NULL || !parse_digits (text, strlen (text), &value) || value > G_MAXUINT16)
    {
      g_autofree char *shown = hearth_config_value_printable (text != NULL ? text : "");
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _ ("expected a port number from 0 to 65535, got '%s'"), shown);
      return FALSE;
    }
  *out_port = (guint16) value;
  return TRUE;
}

gboolean
hearth_config_value_split_list (const char *text, char ***out_fields, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *start = text != NULL ? text : "";
  guint n = 0;

  for (;;)
    {
      const char *comma = strchr (start, ',');
      gsize len = comma != NULL ? (gsize) (comma - start) : strlen (start);
      const char *field;

      if (++n > HEARTH_CONFIG_VALUE_FIELDS_MAX)
        {
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                       _ ("expected at most %u comma-separated fields"),
                       (guint) HEARTH_CONFIG_VALUE_FIELDS_MAX);
          return FALSE;
        }
      /* Drop the spaces around the field. */
      field = start;
      while (len > 0 && hearth_config_char_is_space (*field))
        {
          field++;
          len--;
        }
      while (len > 0 && hearth_config_char_is_space (field[len - 1]))
        len--;
      {
        g_autofree char *copy = g_strndup (field, len);
        g_strv_builder_add (builder, copy);
      }
      if (comma == NULL)
        break;
      start = comma + 1;
    }

  *out_fields = g_strv_builder_end (builder);
  return TRUE;
}

/* Scope of "addr%scope": a number, or the name of an existing interface. */
static gboolean
parse_scope (const char *scope, guint32 *out_scope_id)
{
  guint64 number;
  unsigned int index;

  if (parse_digits (scope, strlen (scope), &number))
    {
      if (number == 0)
        return FALSE;
      *out_scope_id = (guint32) number;
      return TRUE;
    }
  if (scope[0] == '\0' || strlen (scope) >= IF_NAMESIZE)
    return FALSE;
  index = if_nametoindex (scope);
  if (index == 0)
    return FALSE;
  *out_scope_id = index;
  return TRUE;
}

/* Shared by the two address helpers: fills @out_family and the 4 or 16
 * bytes of @out_bytes. */
static gboolean
parse_ip (const char *text,
          int *out_family,
          guint8 out_bytes[16],
          guint32 *out_scope_id,
          gboolean scope_allowed,
          GError **error)
{
  g_autofree char *shown = hearth_config_value_printable (text != NULL ? text : "");
  g_autofree char *address = NULL;
  const char *percent;
  guint32 scope_id = 0;
  guint8 bytes[16];

  if (text == NULL)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _ ("expected an IP address, got '%s'"), shown);
      return FALSE;
    }

  percent = strchr (text, '%');
  address = percent != NULL ? g_strndup (text, (gsize) (percent - text)) : g_strdup (text);

  if (inet_pton (AF_INET, address, bytes) == 1)
    {
      if (percent != NULL)
        {
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                       _ ("expected an IP address, got '%s' (only IPv6 addresses take a %%scope)"),
                       shown);
          return FALSE;
        }
      *out_family = AF_INET;
      memcpy (out_bytes, bytes, 4);
      *out_scope_id = 0;
      return TRUE;
    }

  if (inet_pton (AF_INET6, address, bytes) != 1)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                   _ ("expected an IPv4 or IPv6 address, got '%s'"), shown);
      return FALSE;
    }

  if (percent != NULL)
    {
      if (!scope_allowed)
        {
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                       _ ("expected an IP address without a %%scope, got '%s'"), shown);
          return FALSE;
        }
      if (!parse_scope (percent + 1, &scope_id))
        {
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE,
                       _ ("expected an interface name or number after '%%' in '%s'"), shown);
          return FALSE;
        }
    }

  *out_family = AF_INET6;
  memcpy (out_bytes, bytes, 16);
  *out_scope_id = scope_id;
  return TRUE;
}

gboolean
hearth_config_value_parse_ip (const char *text,
                              GInetAddress **out_address,
                              guint32 *out_scope_id,
                              GError **error)
{
  guint8 bytes[16];
  guint32 scope_id;
  int family;

  if (!parse_ip (text, &family, bytes, &scope_id, out_scope_id != NULL, error))
    return FALSE;

  *out_address = g_inet_address_new_from_bytes (bytes, family == AF_INET ? G_SOCKET_FAMILY_IPV4
                                                                         : G_SOCKET_FAMILY_IPV6);
  if (out_scope_id != NULL)
    *out_scope_id = scope_id;
  return TRUE;
}

gboolean
hearth_config_value_parse_sockaddr (const char *text,
                                    guint16 port,
                                    struct sockaddr_storage *out_addr,
                                    socklen_t *out_len,
                                    GError **error)
{
  guint8 bytes[16];
  guint32 scope_id;
  int family;

  if (!parse_ip (text, &family, bytes, &scope_id, TRUE, error))
    return FALSE;

  memset (out_addr, 0, sizeof (*out_addr));
  if (family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) out_addr;
      sin->sin_family = AF_INET;
      sin->sin_port = g_htons (port);
      memcpy (&sin->sin_addr, bytes, 4);
      *out_len = sizeof (*sin);
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) out_addr;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = g_htons (port);
      sin6->sin6_scope_id = scope_id;
      memcpy (&sin6->sin6_addr, bytes, 16);
      *out_len = sizeof (*sin6);
    }
  return TRUE;
}
