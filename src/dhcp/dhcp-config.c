/* The DHCP subsystem's option values (see dhcp-config.h): --dhcp-range,
 * --dhcp-host, --dhcp-option and the other DHCP-owned options, turned into
 * typed values with dnsmasq 2.90's syntax and defaults.
 *
 * The value parsers are pure and shared by the configuration, hosts files,
 * D-Bus arguments and the fuzzer; option values are encoded to wire bytes
 * here, once, so the server only copies them. Where hearth is stricter than
 * dnsmasq (dnsmasq silently truncates out-of-range numbers, takes the last
 * of two addresses, swallows garbage after a lease time) the value is an
 * error that says what was expected. Nothing here opens files (hosts and
 * option files are read by the server) or serves DHCPv6: IPv6 values are
 * recognised, counted and left alone.
 */
#include "config.h"

#include "dhcp/dhcp-config.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

/* ---- small helpers ---- */

static gboolean fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Sets a BAD_VALUE error and returns FALSE, so parsers can write
 * "return fail (error, ...)". */
static gboolean
fail (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE, message);
  return FALSE;
}

/* Input quoted back in messages: escaped and cut, so neither a hostile
 * D-Bus argument nor a binary file line reaches the log raw. */
static char *
shown (const char *text)
{
  return hearth_config_value_printable (text != NULL ? text : "");
}

static gboolean
parse_ipv4 (const char *text, guint32 *out_addr)
{
  struct in_addr a;

  if (inet_pton (AF_INET, text, &a) != 1)
    return FALSE;
  *out_addr = g_ntohl (a.s_addr);
  return TRUE;
}

static gboolean
is_ipv6 (const char *text)
{
  struct in6_addr a;

  return inet_pton (AF_INET6, text, &a) == 1;
}

static void
append_ipv4 (GString *s, guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr a = { .s_addr = g_htonl (addr) };

  inet_ntop (AF_INET, &a, buf, sizeof buf);
  g_string_append (s, buf);
}

static void
append_be32 (GByteArray *out, guint32 value)
{
  guint8 b[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, b, 4);
}

/* Only digits and dots, with a dot: meant as an IPv4 address, so a typo
 * in it is reported as a bad address rather than taken for a name. */
static gboolean
looks_like_ipv4 (const char *text)
{
  gboolean dot = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.')
        dot = TRUE;
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return dot;
}

static gboolean
all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Digits with at most one unit letter: what dnsmasq takes for a lease
 * time in --dhcp-host. */
static gboolean
is_lease_text (const char *text)
{
  gsize len = strlen (text);

  if (len == 0)
    return FALSE;
  if (strchr ("smhdwSMHDW", text[len - 1]) != NULL)
    len--;
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* The shortest spelling dnsmasq reads back to the same number of seconds. */
static char *
lease_to_string (guint32 seconds)
{
  static const struct
  {
    guint32 factor;
    char unit;
  } units[] = { { 7 * 24 * 3600, 'w' }, { 24 * 3600, 'd' }, { 3600, 'h' }, { 60, 'm' } };

  if (seconds == HEARTH_DHCP_LEASE_INFINITE)
    return g_strdup ("infinite");
  for (gsize i = 0; seconds != 0 && i < G_N_ELEMENTS (units); i++)
    if (seconds % units[i].factor == 0)
      return g_strdup_printf ("%u%c", seconds / units[i].factor, units[i].unit);
  return g_strdup_printf ("%u", seconds);
}

static gboolean
strv_equal0 (const char *const *a, const char *const *b)
{
  guint na = a != NULL ? g_strv_length ((char **) a) : 0;
  guint nb = b != NULL ? g_strv_length ((char **) b) : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (strcmp (a[i], b[i]) != 0)
      return FALSE;
  return TRUE;
}

/* ---- fields ---- */

typedef struct
{
  char *text;      /* the field, unquoted white space around it dropped */
  gsize start;     /* where it starts in the whole value */
  gboolean quoted; /* some byte of it was inside double quotes */
} Field;

static void
field_clear (gpointer data)
{
  g_free (((Field *) data)->text);
}

static gboolean
is_unquoted_space (const char *text, const guint8 *quoted, gsize i)
{
  return hearth_config_char_is_space (text[i]) && (quoted == NULL || quoted[i] == 0);
}

/* Splits on the commas that are not quoted, as hearth_config_item_split()
 * does, keeping where each field starts so a string option can take the
 * rest of the value verbatim. An empty text gives one empty field. */
static gboolean
split_fields (const char *text, const guint8 *quoted, GArray **out_fields, GError **error)
{
  g_autoptr (GArray) fields = g_array_new (FALSE, TRUE, sizeof (Field));
  gsize len = strlen (text), field_start = 0;

  g_array_set_clear_func (fields, field_clear);
  for (gsize i = 0; i <= len; i++)
    {
      Field f = { 0 };
      gsize a, b;

      if (i < len && (text[i] != ',' || (quoted != NULL && quoted[i] != 0)))
        continue;
      if (fields->len >= HEARTH_CONFIG_VALUE_FIELDS_MAX)
        return fail (error, _ ("expected at most %u comma-separated fields"),
                     (guint) HEARTH_CONFIG_VALUE_FIELDS_MAX);
      a = field_start;
      b = i;
      while (a < b && is_unquoted_space (text, quoted, a))
        a++;
      while (b > a && is_unquoted_space (text, quoted, b - 1))
        b--;
      f.text = g_strndup (text + a, b - a);
      f.start = a;
      for (gsize j = a; quoted != NULL && j < b; j++)
        if (quoted[j] != 0)
          f.quoted = TRUE;
      g_array_append_val (fields, f);
      field_start = i + 1;
    }
  *out_fields = g_steal_pointer (&fields);
  return TRUE;
}

#define FIELD(fields, i) (g_array_index ((fields), Field, (i)).text)

/* The value from @field to its end, unquoted white space at the end
 * dropped. Its quote mask starts at quoted + field->start. */
static char *
rest_of (const char *text, const guint8 *quoted, const Field *field)
{
  gsize end = strlen (text);

  while (end > field->start && is_unquoted_space (text, quoted, end - 1))
    end--;
  return g_strndup (text + field->start, end - field->start);
}

/* dnsmasq's hex constants: groups of hex digits separated by ':', each group
 * giving (length + 1) / 2 bytes read two digits at a time from the left;
 * a group that is just '*' is a wildcard byte when @mask is not NULL (its
 * mask byte is 1). */
static gboolean
parse_hex_bytes (const char *text, GByteArray *out, GByteArray *mask)
{
  const char *p = text;

  for (;;)
    {
      const char *end = strchr (p, ':');
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (len == 0)
        return FALSE;
      if (len == 1 && *p == '*' && mask != NULL)
        {
          guint8 zero = 0, one = 1;

          g_byte_array_append (out, &zero, 1);
          g_byte_array_append (mask, &one, 1);
        }
      else
        {
          for (gsize i = 0; i < len; i++)
            if (!g_ascii_isxdigit (p[i]))
              return FALSE;
          for (gsize i = 0; i < len; i += 2)
            {
              guint8 byte = g_ascii_xdigit_value (p[i]);
              guint8 zero = 0;

              if (i + 1 < len)
                byte = (guint8) (byte << 4 | g_ascii_xdigit_value (p[i + 1]));
              g_byte_array_append (out, &byte, 1);
              if (mask != NULL)
                g_byte_array_append (mask, &zero, 1);
            }
        }
      if (end == NULL)
        return TRUE;
      p = end + 1;
    }
}

/* ---- tags ---- */

static gboolean
tag_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > HEARTH_DHCP_TAG_MAX || name[0] == '!')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) name[i] <= ' ' || (guchar) name[i] >= 0x7f || name[i] == ',')
      return FALSE;
  return TRUE;
}

static gboolean
check_set_tag (const char *name, GError **error)
{
  g_autofree char *s = shown (name);

  if (name[0] == '!')
    return fail (error, _ ("a tag to set cannot be negated: '%s'"), s);
  if (!tag_name_is_valid (name))
    return fail (error, _ ("bad tag '%s': expected 1 to %u printable characters other than ','"), s,
                 (guint) HEARTH_DHCP_TAG_MAX);
  return TRUE;
}

/* A condition body: "x" or "!x". */
static gboolean
check_condition (const char *body, GError **error)
{
  const char *name = body[0] == '!' ? body + 1 : body;

  if (!tag_name_is_valid (name))
    {
      g_autofree char *s = shown (body);
      return fail (error, _ ("bad tag '%s': expected 1 to %u printable characters other than ','"),
                   s, (guint) HEARTH_DHCP_TAG_MAX);
    }
  return TRUE;
}

/* NULL-terminated, or NULL when empty; takes the array either way. */
static GStrv
steal_strv (GPtrArray *array)
{
  if (array->len == 0)
    {
      g_ptr_array_unref (array);
      return NULL;
    }
  g_ptr_array_add (array, NULL);
  return (GStrv) g_ptr_array_free (array, FALSE);
}

gboolean
hearth_dhcp_tags_match (const HearthDhcpTagMatch match, GHashTable *tags)
{
  for (guint i = 0; match != NULL && match[i] != NULL; i++)
    {
      gboolean negated = match[i][0] == '!';
      const char *name = negated ? match[i] + 1 : match[i];
      gboolean set = tags != NULL && g_hash_table_contains (tags, name);

      if (set == negated)
        return FALSE;
    }
  return TRUE;
}

static void
append_tags (GString *s, const char *const *match_tags, const char *set_tag)
{
  for (guint i = 0; match_tags != NULL && match_tags[i] != NULL; i++)
    g_string_append_printf (s, "tag:%s,", match_tags[i]);
  if (set_tag != NULL)
    g_string_append_printf (s, "set:%s,", set_tag);
}

/* ---- host names ---- */

gboolean
hearth_dhcp_hostname_is_valid (const char *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > 63 || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-' && name[i] != '_')
      return FALSE;
  return TRUE;
}

/* A --dhcp-host name: valid labels separated by single dots, 253 bytes at
 * most (a DNS name). */
static gboolean
host_name_is_valid (const char *name)
{
  g_auto (GStrv) labels = NULL;

  if (strlen (name) > 253)
    return FALSE;
  labels = g_strsplit (name, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    if (!hearth_dhcp_hostname_is_valid (labels[i]))
      return FALSE;
  return TRUE;
}

/* ---- ranges ---- */

const char *
hearth_dhcp_range_mode_to_string (HearthDhcpRangeMode mode)
{
  switch (mode)
    {
    case HEARTH_DHCP_RANGE_DYNAMIC:
      return "dynamic";
    case HEARTH_DHCP_RANGE_STATIC:
      return "static";
    case HEARTH_DHCP_RANGE_PROXY:
      return "proxy";
    }
  return "unknown";
}

HearthDhcpRange *
hearth_dhcp_range_copy (const HearthDhcpRange *range)
{
  HearthDhcpRange *copy;

  if (range == NULL)
    return NULL;
  copy = g_memdup2 (range, sizeof *range);
  copy->set_tag = g_strdup (range->set_tag);
  copy->match_tags = g_strdupv (range->match_tags);
  copy->owner = g_strdup (range->owner);
  return copy;
}

void
hearth_dhcp_range_free (HearthDhcpRange *range)
{
  if (range == NULL)
    return;
  g_free (range->set_tag);
  g_strfreev (range->match_tags);
  g_free (range->owner);
  g_free (range);
}

gboolean
hearth_dhcp_range_equal (const HearthDhcpRange *a, const HearthDhcpRange *b)
{
  return a->mode == b->mode && a->start == b->start && a->end == b->end &&
         a->netmask == b->netmask && a->broadcast == b->broadcast &&
         a->lease_time == b->lease_time && g_strcmp0 (a->set_tag, b->set_tag) == 0 &&
         strv_equal0 ((const char *const *) a->match_tags, (const char *const *) b->match_tags);
}

static gboolean
netmask_is_contiguous (guint32 mask)
{
  /* All ones then all zeros: the complement plus one is a power of two. */
  guint32 inverted = ~mask;

  return (inverted & (inverted + 1)) == 0;
}

/* dnsmasq's IPv6 range forms, checked only far enough to catch typos:
 * addresses, constructor:<interface>, the mode keywords, a prefix length
 * and a lease time. */
static gboolean
check_ipv6_range (GArray *fields, guint first, GError **error)
{
  static const char *const keywords[] = {
    "static",       "ra-only",  "ra-names",   "ra-stateless", "slaac",
    "ra-advrouter", "off-link", "deprecated", "infinite",     NULL
  };
  const char *start = FIELD (fields, first);

  if (!is_ipv6 (start))
    {
      g_autofree char *s = shown (start);
      return fail (error, _ ("bad IPv6 address '%s'"), s);
    }
  for (guint i = first + 1; i < fields->len; i++)
    {
      const char *f = FIELD (fields, i);
      guint32 seconds;

      if (*f == '\0' && i == fields->len - 1)
        continue;
      if (g_str_has_prefix (f, "constructor:") && f[strlen ("constructor:")] != '\0')
        continue;
      if (g_strv_contains (keywords, f))
        continue;
      if (strchr (f, ':') != NULL)
        {
          if (is_ipv6 (f))
            continue;
          {
            g_autofree char *s = shown (f);
            return fail (error, _ ("bad IPv6 address '%s'"), s);
          }
        }
      /* A prefix length or a lease time. */
      if (hearth_config_value_parse_duration (f, TRUE, &seconds, NULL))
        continue;
      {
        g_autofree char *s = shown (f);
        return fail (error,
                     _ ("unexpected '%s' in an IPv6 range: expected an address, a prefix length, "
                        "constructor:<interface>, a mode such as ra-only, or a lease time"),
                     s);
      }
    }
  return TRUE;
}

static gboolean
parse_lease (const char *text, guint32 *out_seconds, GError **error)
{
  guint32 seconds;

  if (!hearth_config_value_parse_duration (text, TRUE, &seconds, error))
    {
      g_prefix_error (error, _ ("bad lease time: "));
      return FALSE;
    }
  if (seconds < HEARTH_DHCP_MIN_LEASE_TIME)
    seconds = HEARTH_DHCP_MIN_LEASE_TIME;
  *out_seconds = seconds;
  return TRUE;
}

gboolean
hearth_dhcp_range_parse (const char *text,
                         HearthDhcpRange **out_range,
                         gboolean *out_is_ipv6,
                         GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpRange) range = g_new0 (HearthDhcpRange, 1);
  guint i, n;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!split_fields (text, NULL, &fields, error))
    return FALSE;
  n = fields->len == 1 && *FIELD (fields, 0) == '\0' ? 0 : fields->len;

  /* Tags come first; dnsmasq's old form names the tag to set bare. */
  for (i = 0; i < n; i++)
    {
      const char *f = FIELD (fields, i);
      const char *set = NULL;
      guint32 addr;

      if (g_str_has_prefix (f, "tag:"))
        {
          if (!check_condition (f + 4, error))
            return FALSE;
          g_ptr_array_add (conditions, g_strdup (f + 4));
          continue;
        }
      if (g_str_has_prefix (f, "set:") || g_str_has_prefix (f, "net:"))
        set = f + 4;
      else if (parse_ipv4 (f, &addr) || (strchr (f, ':') != NULL && is_ipv6 (f)))
        break;
      else if (looks_like_ipv4 (f) || strchr (f, ':') != NULL)
        {
          g_autofree char *s = shown (f);
          return fail (error, _ ("bad address '%s'"), s);
        }
      else
        set = f;
      if (range->set_tag != NULL)
        return fail (error, _ ("only one tag to set is allowed"));
      if (!check_set_tag (set, error))
        return FALSE;
      range->set_tag = g_strdup (set);
    }

  if (i == n)
    return fail (
        error, _ ("expected <start>,<end>|static|proxy[,<netmask>[,<broadcast>]][,<lease time>]"));

  if (strchr (FIELD (fields, i), ':') != NULL)
    {
      if (!check_ipv6_range (fields, i, error))
        return FALSE;
      *out_range = NULL;
      *out_is_ipv6 = TRUE;
      return TRUE;
    }

  parse_ipv4 (FIELD (fields, i), &range->start);
  i++;
  if (i == n)
    return fail (error,
                 _ ("expected the end address, 'static' or 'proxy' after the start address"));
  if (strcmp (FIELD (fields, i), "static") == 0)
    {
      range->mode = HEARTH_DHCP_RANGE_STATIC;
      range->end = range->start;
    }
  else if (strcmp (FIELD (fields, i), "proxy") == 0)
    {
      range->mode = HEARTH_DHCP_RANGE_PROXY;
      range->end = range->start;
    }
  else if (parse_ipv4 (FIELD (fields, i), &range->end))
    {
      range->mode = HEARTH_DHCP_RANGE_DYNAMIC;
      /* dnsmasq swaps a range written backwards. */
      if (range->start > range->end)
        {
          guint32 tmp = range->start;
          range->start = range->end;
          range->end = tmp;
        }
    }
  else
    {
      g_autofree char *s = shown (FIELD (fields, i));
      return fail (
          error,
          _ ("expected the end address, 'static' or 'proxy' after the start address, got '%s'"), s);
    }
  i++;

  if (i < n && parse_ipv4 (FIELD (fields, i), &range->netmask))
    {
      char buf[INET_ADDRSTRLEN];
      struct in_addr a = { .s_addr = g_htonl (range->netmask) };

      if (!netmask_is_contiguous (range->netmask))
        {
          inet_ntop (AF_INET, &a, buf, sizeof buf);
          return fail (error, _ ("bad netmask %s: its one bits are not contiguous"), buf);
        }
      if ((range->start & range->netmask) != (range->end & range->netmask))
        {
          g_autoptr (GString) s = g_string_new (NULL);

          append_ipv4 (s, range->start);
          g_string_append (s, " and ");
          append_ipv4 (s, range->end);
          g_string_append (s, " are not in the same subnet of netmask ");
          append_ipv4 (s, range->netmask);
          return fail (error, _ ("inconsistent DHCP range: %s"), s->str);
        }
      i++;
      if (i < n && parse_ipv4 (FIELD (fields, i), &range->broadcast))
        i++;
    }

  range->lease_time = HEARTH_DHCP_DEFAULT_LEASE_TIME;
  if (i < n)
    {
      const char *f = FIELD (fields, i);

      if (*f == '\0' && i == n - 1)
        ; /* "start,end," as dnsmasq allows: the default */
      else if (strcmp (f, "deprecated") == 0)
        ; /* an IPv6 notion dnsmasq accepts here too; nothing to do for IPv4 */
      else if (looks_like_ipv4 (f))
        {
          g_autofree char *s = shown (f);
          return fail (error, _ ("bad netmask or broadcast address '%s'"), s);
        }
      else if (!parse_lease (f, &range->lease_time, error))
        return FALSE;
      i++;
    }
  if (i < n)
    {
      g_autofree char *s = shown (FIELD (fields, i));
      return fail (error, _ ("unexpected '%s' after the lease time"), s);
    }

  range->match_tags = steal_strv (g_steal_pointer (&conditions));
  *out_range = g_steal_pointer (&range);
  *out_is_ipv6 = FALSE;
  return TRUE;
}

char *
hearth_dhcp_range_to_string (const HearthDhcpRange *range)
{
  GString *s = g_string_new (NULL);
  g_autofree char *lease = lease_to_string (range->lease_time);

  append_tags (s, (const char *const *) range->match_tags, range->set_tag);
  append_ipv4 (s, range->start);
  switch (range->mode)
    {
    case HEARTH_DHCP_RANGE_DYNAMIC:
      g_string_append_c (s, ',');
      append_ipv4 (s, range->end);
      break;
    case HEARTH_DHCP_RANGE_STATIC:
      g_string_append (s, ",static");
      break;
    case HEARTH_DHCP_RANGE_PROXY:
      g_string_append (s, ",proxy");
      break;
    }
  if (range->netmask != 0 || range->broadcast != 0)
    {
      g_string_append_c (s, ',');
      append_ipv4 (s, range->netmask);
    }
  if (range->broadcast != 0)
    {
      g_string_append_c (s, ',');
      append_ipv4 (s, range->broadcast);
    }
  g_string_append_printf (s, ",%s", lease);
  return g_string_free (s, FALSE);
}

/* ---- hardware addresses ---- */

gboolean
hearth_dhcp_mac_parse (const char *text, HearthDhcpMac *out_mac, GError **error)
{
  HearthDhcpMac mac = { .hwtype = -1 };
  const char *colon = strchr (text, ':');
  const char *dash = strchr (text, '-');
  char separator = colon != NULL ? ':' : '-';
  const char *p = text;
  g_autofree char *s = shown (text);

  if (colon != NULL && dash != NULL && dash < colon)
    {
      gsize type_len = (gsize) (dash - text);

      if (type_len == 0 || type_len > 2 || !g_ascii_isxdigit (text[0]) ||
          (type_len == 2 && !g_ascii_isxdigit (text[1])))
        return fail (error,
                     _ ("bad hardware type in '%s': expected one or two hex digits before '-'"), s);
      mac.hwtype = g_ascii_xdigit_value (text[0]);
      if (type_len == 2)
        mac.hwtype = mac.hwtype << 4 | g_ascii_xdigit_value (text[1]);
      p = dash + 1;
    }

  for (;;)
    {
      const char *end = strchr (p, separator);
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (mac.len == HEARTH_DHCP_HWADDR_MAX)
        return fail (error, _ ("hardware address '%s' is longer than %u bytes"), s,
                     (guint) HEARTH_DHCP_HWADDR_MAX);
      if (len == 1 && *p == '*')
        mac.wildcard |= (guint16) (1u << mac.len);
      else if ((len == 1 || len == 2) && g_ascii_isxdigit (p[0]) &&
               (len == 1 || g_ascii_isxdigit (p[1])))
        mac.addr[mac.len] =
            (guint8) (len == 1 ? g_ascii_xdigit_value (p[0])
                               : g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      else
        return fail (
            error, _ ("bad hardware address '%s': expected hex bytes or '*' separated by ':'"), s);
      mac.len++;
      if (end == NULL)
        break;
      p = end + 1;
    }
  *out_mac = mac;
  return TRUE;
}

gboolean
hearth_dhcp_mac_matches (const HearthDhcpMac *mac, guint8 hwtype, const guint8 *addr, guint8 len)
{
  if (mac->hwtype >= 0 && mac->hwtype != hwtype)
    return FALSE;
  if (mac->len != len)
    return FALSE;
  for (guint i = 0; i < len; i++)
    if ((mac->wildcard & (1u << i)) == 0 && mac->addr[i] != addr[i])
      return FALSE;
  return TRUE;
}

static void
append_mac (GString *s, const HearthDhcpMac *mac)
{
  if (mac->hwtype >= 0)
    g_string_append_printf (s, "%x-", (guint) mac->hwtype);
  for (guint i = 0; i < mac->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ':');
      if (mac->wildcard & (1u << i))
        g_string_append_c (s, '*');
      else
        g_string_append_printf (s, "%02x", mac->addr[i]);
    }
}

char *
hearth_dhcp_mac_to_string (const HearthDhcpMac *mac)
{
  GString *s = g_string_new (NULL);

  append_mac (s, mac);
  return g_string_free (s, FALSE);
}

static gboolean
mac_equal (const HearthDhcpMac *a, const HearthDhcpMac *b)
{
  return a->hwtype == b->hwtype && a->len == b->len && a->wildcard == b->wildcard &&
         memcmp (a->addr, b->addr, a->len) == 0;
}

/* ---- hosts ---- */

static HearthDhcpHost *
host_new (void)
{
  HearthDhcpHost *host = g_new0 (HearthDhcpHost, 1);

  host->macs = g_array_new (FALSE, TRUE, sizeof (HearthDhcpMac));
  host->client_ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return host;
}

HearthDhcpHost *
hearth_dhcp_host_copy (const HearthDhcpHost *host)
{
  HearthDhcpHost *copy;

  if (host == NULL)
    return NULL;
  copy = host_new ();
  copy->id = host->id;
  g_array_append_vals (copy->macs, host->macs->data, host->macs->len);
  for (guint i = 0; i < host->client_ids->len; i++)
    g_ptr_array_add (copy->client_ids, g_bytes_ref (g_ptr_array_index (host->client_ids, i)));
  copy->ignore_client_id = host->ignore_client_id;
  copy->addr = host->addr;
  copy->name = g_strdup (host->name);
  copy->lease_time = host->lease_time;
  copy->set_tag = g_strdup (host->set_tag);
  copy->match_tags = g_strdupv (host->match_tags);
  copy->ignore = host->ignore;
  copy->owner = g_strdup (host->owner);
  return copy;
}

void
hearth_dhcp_host_free (HearthDhcpHost *host)
{
  if (host == NULL)
    return;
  g_array_unref (host->macs);
  g_ptr_array_unref (host->client_ids);
  g_free (host->name);
  g_free (host->set_tag);
  g_strfreev (host->match_tags);
  g_free (host->owner);
  g_free (host);
}

gboolean
hearth_dhcp_host_equal (const HearthDhcpHost *a, const HearthDhcpHost *b)
{
  if (a->macs->len != b->macs->len || a->client_ids->len != b->client_ids->len)
    return FALSE;
  for (guint i = 0; i < a->macs->len; i++)
    if (!mac_equal (&g_array_index (a->macs, HearthDhcpMac, i),
                    &g_array_index (b->macs, HearthDhcpMac, i)))
      return FALSE;
  for (guint i = 0; i < a->client_ids->len; i++)
    if (!g_bytes_equal (g_ptr_array_index (a->client_ids, i), g_ptr_array_index (b->client_ids, i)))
      return FALSE;
  return a->ignore_client_id == b->ignore_client_id && a->addr == b->addr &&
         g_strcmp0 (a->name, b->name) == 0 && a->lease_time == b->lease_time &&
         g_strcmp0 (a->set_tag, b->set_tag) == 0 &&
         strv_equal0 ((const char *const *) a->match_tags, (const char *const *) b->match_tags) &&
         a->ignore == b->ignore;
}

/* id:<hex with ':'> or id:<text>. */
static gboolean
parse_client_id (const char *body, GBytes **out_id, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autofree char *s = shown (body);

  if (*body == '\0')
    return fail (error, _ ("empty client id after 'id:'"));
  if (strchr (body, ':') != NULL)
    {
      if (!parse_hex_bytes (body, bytes, NULL))
        return fail (error, _ ("bad client id 'id:%s': expected hex bytes separated by ':'"), s);
    }
  else
    g_byte_array_append (bytes, (const guint8 *) body, (guint) strlen (body));
  *out_id = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
  return TRUE;
}

gboolean
hearth_dhcp_host_parse (const char *text,
                        HearthDhcpHost **out_host,
                        gboolean *out_is_ipv6,
                        GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpHost) host = host_new ();
  gboolean has_ipv4 = FALSE, has_ipv6 = FALSE, has_lease = FALSE, anything = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!split_fields (text, NULL, &fields, error))
    return FALSE;

  for (guint i = 0; i < fields->len; i++)
    {
      const char *f = FIELD (fields, i);
      g_autofree char *s = shown (f);
      HearthDhcpMac mac;
      guint32 addr;

      /* dnsmasq skips empty fields ("mac,,1h"). */
      if (*f == '\0')
        continue;
      anything = TRUE;
      if (g_str_has_prefix (f, "id:"))
        {
          GBytes *id = NULL;

          if (strcmp (f + 3, "*") == 0)
            {
              host->ignore_client_id = TRUE;
              continue;
            }
          if (!parse_client_id (f + 3, &id, error))
            return FALSE;
          g_ptr_array_add (host->client_ids, id);
        }
      else if (g_str_has_prefix (f, "set:") || g_str_has_prefix (f, "net:"))
        {
          if (host->set_tag != NULL)
            return fail (error, _ ("only one tag to set is supported per host"));
          if (!check_set_tag (f + 4, error))
            return FALSE;
          host->set_tag = g_strdup (f + 4);
        }
      else if (g_str_has_prefix (f, "tag:"))
        {
          if (!check_condition (f + 4, error))
            return FALSE;
          g_ptr_array_add (conditions, g_strdup (f + 4));
        }
      else if (f[0] == '[')
        {
          gsize len = strlen (f);
          g_autofree char *inner =
              len >= 2 && f[len - 1] == ']' ? g_strndup (f + 1, len - 2) : NULL;

          if (inner == NULL || !is_ipv6 (inner))
            return fail (error, _ ("bad IPv6 address '%s': expected [<address>]"), s);
          has_ipv6 = TRUE;
        }
      else if (strcmp (f, "ignore") == 0)
        host->ignore = TRUE;
      else if (strcmp (f, "infinite") == 0 || is_lease_text (f))
        {
          if (has_lease)
            return fail (error, _ ("more than one lease time ('%s')"), s);
          if (!parse_lease (f, &host->lease_time, error))
            return FALSE;
          has_lease = TRUE;
        }
      else if (parse_ipv4 (f, &addr))
        {
          if (has_ipv4)
            return fail (error, _ ("more than one IPv4 address ('%s')"), s);
          if (addr == 0)
            return fail (error, _ ("0.0.0.0 cannot be reserved for a host"));
          host->addr = addr;
          has_ipv4 = TRUE;
        }
      else if (looks_like_ipv4 (f))
        return fail (error, _ ("bad IPv4 address '%s'"), s);
      else if (strchr (f, ':') != NULL)
        {
          if (!hearth_dhcp_mac_parse (f, &mac, error))
            return FALSE;
          g_array_append_val (host->macs, mac);
        }
      else if (strchr (f, '-') != NULL && hearth_dhcp_mac_parse (f, &mac, NULL) && mac.len >= 6)
        /* "52-54-00-aa-bb-cc": six or more dash-separated hex bytes are a
         * hardware address, not a name. */
        g_array_append_val (host->macs, mac);
      else
        {
          if (!host_name_is_valid (f))
            return fail (error,
                         _ ("bad host name '%s': expected labels of letters, digits, '-' and '_' "
                            "separated by dots"),
                         s);
          if (host->name != NULL)
            return fail (error, _ ("more than one host name ('%s' and '%s')"), host->name, s);
          host->name = g_strdup (f);
        }
    }

  if (!anything)
    return fail (error, _ ("expected a hardware address, id:<client id>, a name or an address"));
  if (has_ipv6 && !has_ipv4)
    {
      *out_host = NULL;
      *out_is_ipv6 = TRUE;
      return TRUE;
    }
  host->match_tags = steal_strv (g_steal_pointer (&conditions));
  *out_host = g_steal_pointer (&host);
  *out_is_ipv6 = FALSE;
  return TRUE;
}

static gboolean
is_safe_id_char (guint8 c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.';
}

/* As text when that reads back the same, else as hex. A one-byte id that
 * is not a safe character cannot be written back (dnsmasq reads "id:0a"
 * as two characters); RFC 2132 client ids have at least two bytes. */
static void
append_client_id (GString *s, GBytes *id)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (id, &len);
  gboolean text = len > 0;

  for (gsize i = 0; i < len; i++)
    if (!is_safe_id_char (data[i]))
      text = FALSE;
  g_string_append (s, "id:");
  if (text)
    g_string_append_len (s, (const char *) data, (gssize) len);
  else
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (s, i > 0 ? ":%02x" : "%02x", data[i]);
}

char *
hearth_dhcp_host_to_string (const HearthDhcpHost *host)
{
  GString *s = g_string_new (NULL);

  append_tags (s, (const char *const *) host->match_tags, host->set_tag);
  for (guint i = 0; i < host->macs->len; i++)
    {
      append_mac (s, &g_array_index (host->macs, HearthDhcpMac, i));
      g_string_append_c (s, ',');
    }
  for (guint i = 0; i < host->client_ids->len; i++)
    {
      append_client_id (s, g_ptr_array_index (host->client_ids, i));
      g_string_append_c (s, ',');
    }
  if (host->ignore_client_id)
    g_string_append (s, "id:*,");
  if (host->addr != 0)
    {
      append_ipv4 (s, host->addr);
      g_string_append_c (s, ',');
    }
  if (host->name != NULL)
    g_string_append_printf (s, "%s,", host->name);
  if (host->lease_time != 0)
    {
      g_autofree char *lease = lease_to_string (host->lease_time);
      g_string_append_printf (s, "%s,", lease);
    }
  if (host->ignore)
    g_string_append (s, "ignore,");
  if (s->len > 0)
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

/* ---- options ---- */

typedef enum
{
  OT_GUESS,      /* no fixed type: guessed from the text, as dnsmasq does */
  OT_ADDRS,      /* IPv4 addresses */
  OT_ADDR_PAIRS, /* IPv4 addresses in pairs (21, 33) */
  OT_STRING,     /* text: the whole rest of the value */
  OT_BOOL,
  OT_U8,
  OT_U16,
  OT_U32,
  OT_S32,
  OT_TIME,    /* u32 seconds, with dnsmasq's s/m/h/d/w units */
  OT_DOMAINS, /* RFC 3397 search list (119) */
  OT_SIP,     /* RFC 3361 SIP servers (120) */
  OT_ROUTES,  /* RFC 3442 classless routes (121, 249) */
} OptionType;

typedef struct
{
  guint8 code;
  const char *name; /* dnsmasq's name, or NULL */
  OptionType type;
  gboolean internal; /* set by the server: no option:<name> (dnsmasq refuses it too) */
} OptionInfo;

/* dnsmasq's DHCPv4 option table (its names, and the types it gives them),
 * plus the RFC 2132 address, flag and number options it leaves to
 * guessing, and Microsoft's classless routes (249). */
static const OptionInfo option_table[] = {
  { 1, "netmask", OT_ADDRS, FALSE },
  { 2, "time-offset", OT_S32, FALSE },
  { 3, "router", OT_ADDRS, FALSE },
  { 4, NULL, OT_ADDRS, FALSE },
  { 5, NULL, OT_ADDRS, FALSE },
  { 6, "dns-server", OT_ADDRS, FALSE },
  { 7, "log-server", OT_ADDRS, FALSE },
  { 8, NULL, OT_ADDRS, FALSE },
  { 9, "lpr-server", OT_ADDRS, FALSE },
  { 10, NULL, OT_ADDRS, FALSE },
  { 11, NULL, OT_ADDRS, FALSE },
  { 12, "hostname", OT_STRING, TRUE },
  { 13, "boot-file-size", OT_U16, FALSE },
  { 14, NULL, OT_STRING, FALSE },
  { 15, "domain-name", OT_STRING, FALSE },
  { 16, "swap-server", OT_ADDRS, FALSE },
  { 17, "root-path", OT_STRING, FALSE },
  { 18, "extension-path", OT_STRING, FALSE },
  { 19, "ip-forward-enable", OT_BOOL, FALSE },
  { 20, "non-local-source-routing", OT_BOOL, FALSE },
  { 21, "policy-filter", OT_ADDR_PAIRS, FALSE },
  { 22, "max-datagram-reassembly", OT_U16, FALSE },
  { 23, "default-ttl", OT_U8, FALSE },
  { 24, NULL, OT_U32, FALSE },
  { 26, "mtu", OT_U16, FALSE },
  { 27, "all-subnets-local", OT_BOOL, FALSE },
  { 28, "broadcast", OT_ADDRS, TRUE },
  { 29, NULL, OT_BOOL, FALSE },
  { 30, NULL, OT_BOOL, FALSE },
  { 31, "router-discovery", OT_BOOL, FALSE },
  { 32, "router-solicitation", OT_ADDRS, FALSE },
  { 33, "static-route", OT_ADDR_PAIRS, FALSE },
  { 34, "trailer-encapsulation", OT_BOOL, FALSE },
  { 35, "arp-timeout", OT_U32, FALSE },
  { 36, "ethernet-encap", OT_BOOL, FALSE },
  { 37, "tcp-ttl", OT_U8, FALSE },
  { 38, "tcp-keepalive", OT_U32, FALSE },
  { 39, NULL, OT_BOOL, FALSE },
  { 40, "nis-domain", OT_STRING, FALSE },
  { 41, "nis-server", OT_ADDRS, FALSE },
  { 42, "ntp-server", OT_ADDRS, FALSE },
  { 43, "vendor-encap", OT_GUESS, TRUE },
  { 44, "netbios-ns", OT_ADDRS, FALSE },
  { 45, "netbios-dd", OT_ADDRS, FALSE },
  { 46, "netbios-nodetype", OT_U8, FALSE },
  { 47, "netbios-scope", OT_GUESS, FALSE },
  { 48, "x-windows-fs", OT_ADDRS, FALSE },
  { 49, "x-windows-dm", OT_ADDRS, FALSE },
  { 50, "requested-address", OT_ADDRS, TRUE },
  { 51, "lease-time", OT_TIME, TRUE },
  { 52, "option-overload", OT_U8, TRUE },
  { 53, "message-type", OT_U8, TRUE },
  { 54, "server-identifier", OT_ADDRS, TRUE },
  { 55, "parameter-request", OT_GUESS, TRUE },
  { 56, "message", OT_STRING, TRUE },
  { 57, "max-message-size", OT_U16, TRUE },
  { 58, "T1", OT_TIME, FALSE },
  { 59, "T2", OT_TIME, FALSE },
  { 60, "vendor-class", OT_GUESS, FALSE },
  { 61, "client-id", OT_GUESS, TRUE },
  { 64, "nis+-domain", OT_STRING, FALSE },
  { 65, "nis+-server", OT_ADDRS, FALSE },
  { 66, "tftp-server", OT_STRING, FALSE },
  { 67, "bootfile-name", OT_STRING, FALSE },
  { 68, "mobile-ip-home", OT_ADDRS, FALSE },
  { 69, "smtp-server", OT_ADDRS, FALSE },
  { 70, "pop3-server", OT_ADDRS, FALSE },
  { 71, "nntp-server", OT_ADDRS, FALSE },
  { 72, NULL, OT_ADDRS, FALSE },
  { 73, NULL, OT_ADDRS, FALSE },
  { 74, "irc-server", OT_ADDRS, FALSE },
  { 75, NULL, OT_ADDRS, FALSE },
  { 76, NULL, OT_ADDRS, FALSE },
  { 77, "user-class", OT_GUESS, FALSE },
  { 80, "rapid-commit", OT_GUESS, FALSE },
  { 81, "FQDN", OT_GUESS, TRUE },
  { 82, "agent-id", OT_GUESS, TRUE },
  { 93, "client-arch", OT_U16, FALSE },
  { 94, "client-interface-id", OT_GUESS, FALSE },
  { 97, "client-machine-id", OT_GUESS, FALSE },
  { 100, "posix-timezone", OT_STRING, FALSE },
  { 101, "tzdb-timezone", OT_STRING, FALSE },
  { 108, "ipv6-only", OT_U32, FALSE },
  { 118, "subnet-select", OT_GUESS, TRUE },
  { 119, "domain-search", OT_DOMAINS, FALSE },
  { 120, "sip-server", OT_SIP, FALSE },
  { 121, "classless-static-route", OT_ROUTES, FALSE },
  { 125, "vendor-id-encap", OT_GUESS, FALSE },
  { 150, "tftp-server-address", OT_ADDRS, FALSE },
  { 249, NULL, OT_ROUTES, FALSE },
  { 255, "server-ip-address", OT_ADDRS, FALSE },
};

static const OptionInfo *
option_info (guint code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
    if (option_table[i].code == code)
      return &option_table[i];
  return NULL;
}

gint
hearth_dhcp_option_lookup_name (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (option_table); i++)
    if (option_table[i].name != NULL && !option_table[i].internal &&
        g_ascii_strcasecmp (option_table[i].name, name) == 0)
      return option_table[i].code;
  return -1;
}

const char *
hearth_dhcp_option_name (guint8 code)
{
  const OptionInfo *info = option_info (code);

  return info != NULL ? info->name : NULL;
}

gboolean
hearth_dhcp_option_is_address_list (guint8 code)
{
  const OptionInfo *info = option_info (code);

  return info != NULL && info->type == OT_ADDRS;
}

void
hearth_dhcp_option_free (HearthDhcpOption *option)
{
  if (option == NULL)
    return;
  if (option->value != NULL)
    g_bytes_unref (option->value);
  g_free (option->vendor);
  g_strfreev (option->match_tags);
  g_free (option);
}

typedef struct
{
  GByteArray *value;
  GByteArray *mask; /* dhcp-match only: '*' bytes; NULL otherwise */
  gint addresses_at;
} Encoder;

/* Decimal, or hex after "0x"; a leading '-' when @allow_negative. At most
 * 32 bits of magnitude. */
static gboolean
parse_integer (const char *text, gboolean allow_negative, gint64 *out_value)
{
  const char *p = text;
  gboolean negative = FALSE, hex = FALSE;
  guint64 value = 0;

  if (allow_negative && *p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      hex = TRUE;
      p += 2;
    }
  if (*p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    {
      if (hex ? !g_ascii_isxdigit (*p) : !g_ascii_isdigit (*p))
        return FALSE;
      value = value * (hex ? 16 : 10) + (guint64) g_ascii_xdigit_value (*p);
      if (value > G_MAXUINT32)
        return FALSE;
    }
  *out_value = negative ? -(gint64) value : (gint64) value;
  return TRUE;
}

/* One name in DNS wire form, uncompressed: labels of letters, digits, '-'
 * and '_', 63 bytes each, 255 in all; one trailing dot allowed. */
static gboolean
append_wire_name (GByteArray *out, const char *name, GError **error)
{
  g_autofree char *s = shown (name);
  gsize len = strlen (name), pos = 0, total = 1;
  guint8 zero = 0;

  if (len > 0 && name[len - 1] == '.')
    len--;
  if (len == 0)
    return fail (error, _ ("empty domain name"));
  for (;;)
    {
      const char *dot = memchr (name + pos, '.', len - pos);
      gsize label = dot != NULL ? (gsize) (dot - (name + pos)) : len - pos;
      guint8 label_len = (guint8) label;

      if (label == 0 || label > 63)
        return fail (error, _ ("bad domain name '%s': empty label or label longer than 63 bytes"),
                     s);
      for (gsize i = 0; i < label; i++)
        {
          char c = name[pos + i];
          if (!g_ascii_isalnum (c) && c != '-' && c != '_')
            return fail (error, _ ("bad domain name '%s': expected letters, digits, '-' and '_'"),
                         s);
        }
      total += label + 1;
      if (total > 255)
        return fail (error, _ ("domain name '%s' is longer than 255 bytes in wire form"), s);
      g_byte_array_append (out, &label_len, 1);
      g_byte_array_append (out, (const guint8 *) name + pos, (guint) label);
      if (dot == NULL)
        break;
      pos += label + 1;
    }
  g_byte_array_append (out, &zero, 1);
  return TRUE;
}

static gboolean
append_address (GByteArray *out, const Field *f, GError **error)
{
  guint32 addr;

  if (f->quoted || !parse_ipv4 (f->text, &addr))
    {
      g_autofree char *s = shown (f->text);
      return fail (error, _ ("bad IPv4 address '%s'"), s);
    }
  append_be32 (out, addr);
  return TRUE;
}

/* "a.b.c.d/len" in RFC 3442's compact form: the length, then the
 * significant bytes of the destination. */
static gboolean
append_destination (GByteArray *out, const char *text, GError **error)
{
  g_autofree char *s = shown (text);
  const char *slash = strchr (text, '/');
  g_autofree char *address = slash != NULL ? g_strndup (text, (gsize) (slash - text)) : NULL;
  guint32 addr;
  guint len;
  guint8 len_byte;

  if (address == NULL || !parse_ipv4 (address, &addr) ||
      !hearth_config_value_parse_uint (slash + 1, 0, 32, &len, NULL))
    return fail (error, _ ("bad destination '%s': expected <address>/<prefix length 0 to 32>"), s);
  len_byte = (guint8) len;
  g_byte_array_append (out, &len_byte, 1);
  for (guint i = 0; i < (len + 7) / 8; i++)
    {
      guint8 byte = (guint8) (addr >> (24 - 8 * i));
      g_byte_array_append (out, &byte, 1);
    }
  return TRUE;
}

static gboolean
encode_integer (Encoder *enc, OptionType type, const char *text, GError **error)
{
  g_autofree char *s = shown (text);
  gint64 min = 0, max = G_MAXUINT32;
  guint size = 4;
  gint64 value;

  switch (type)
    {
    case OT_BOOL:
      max = 1;
      size = 1;
      break;
    case OT_U8:
      max = G_MAXUINT8;
      size = 1;
      break;
    case OT_U16:
      max = G_MAXUINT16;
      size = 2;
      break;
    case OT_S32:
      min = G_MININT32;
      max = G_MAXINT32;
      size = 4;
      break;
    case OT_U32:
    case OT_GUESS:
    case OT_ADDRS:
    case OT_ADDR_PAIRS:
    case OT_STRING:
    case OT_TIME:
    case OT_DOMAINS:
    case OT_SIP:
    case OT_ROUTES:
      break;
    }
  if (!parse_integer (text, min < 0, &value))
    return fail (error, _ ("expected a number, got '%s'"), s);
  if (value < min || value > max)
    return fail (error,
                 _ ("number %s is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")"), s,
                 min, max);
  for (guint i = 0; i < size; i++)
    {
      guint8 byte = (guint8) ((guint64) value >> (8 * (size - 1 - i)));
      g_byte_array_append (enc->value, &byte, 1);
    }
  return TRUE;
}

/* What dnsmasq does with a value of no known type: hex bytes when there is
 * a ':' and only hex digits, a number (1, 2 or 4 bytes by its size) when
 * only digits, IPv4 addresses (a "/len" giving the compact form) when only
 * digits, dots, '/' and commas, otherwise the text itself. Anything quoted
 * is text. */
static gboolean
encode_guess (Encoder *enc, const char *rest, const guint8 *rq, GError **error)
{
  g_autofree char *s = shown (rest);
  gsize len = strlen (rest);
  gboolean is_dec = TRUE, is_hex = TRUE, is_addr = TRUE;
  guint colons = 0;

  if (len == 0)
    return TRUE;
  for (gsize i = 0; i < len; i++)
    {
      char c = rest[i];

      if (rq != NULL && rq[i] != 0)
        {
          is_dec = is_hex = is_addr = FALSE;
          break;
        }
      if (c == ',')
        is_dec = is_hex = FALSE;
      else if (c == ':')
        {
          colons++;
          is_dec = is_addr = FALSE;
        }
      else if (c == '.')
        is_dec = is_hex = FALSE;
      else if (c == '/')
        {
          is_dec = is_hex = FALSE;
          if (i == 0)
            is_addr = FALSE;
        }
      else if (!g_ascii_isdigit (c))
        {
          is_dec = is_addr = FALSE;
          if (!g_ascii_isxdigit (c) && !(c == '*' && enc->mask != NULL))
            is_hex = FALSE;
        }
    }

  if (is_hex && colons > 0)
    {
      if (!parse_hex_bytes (rest, enc->value, enc->mask))
        return fail (error, _ ("bad hex constant '%s'"), s);
      return TRUE;
    }
  if (is_dec)
    {
      gint64 value;

      if (!parse_integer (rest, FALSE, &value))
        return fail (error, _ ("number %s is larger than 32 bits"), s);
      for (guint size = value > 0xffff ? 4 : value > 0xff ? 2 : 1; size > 0; size--)
        {
          guint8 byte = (guint8) ((guint64) value >> (8 * (size - 1)));
          g_byte_array_append (enc->value, &byte, 1);
        }
      return TRUE;
    }
  if (is_addr)
    {
      g_autoptr (GArray) fields = NULL;
      gboolean compact = FALSE;

      if (!split_fields (rest, NULL, &fields, error))
        return FALSE;
      for (guint i = 0; i < fields->len; i++)
        {
          const Field *f = &g_array_index (fields, Field, i);

          if (strchr (f->text, '/') != NULL)
            {
              compact = TRUE;
              if (!append_destination (enc->value, f->text, error))
                return FALSE;
            }
          else if (!append_address (enc->value, f, error))
            return FALSE;
        }
      enc->addresses_at = compact ? -1 : 0;
      return TRUE;
    }
  g_byte_array_append (enc->value, (const guint8 *) rest, (guint) len);
  return TRUE;
}

/* Encodes @rest (the value after the option number; its quote mask @rq)
 * as @type. */
static gboolean
encode_value (Encoder *enc, OptionType type, const char *rest, const guint8 *rq, GError **error)
{
  g_autoptr (GArray) fields = NULL;

  if (type == OT_GUESS)
    return encode_guess (enc, rest, rq, error);
  if (type == OT_STRING)
    {
      g_byte_array_append (enc->value, (const guint8 *) rest, (guint) strlen (rest));
      return TRUE;
    }
  if (*rest == '\0')
    {
      if (type == OT_ADDRS || type == OT_ADDR_PAIRS || type == OT_SIP || type == OT_ROUTES)
        return fail (error, _ ("expected an IPv4 address"));
      return TRUE;
    }
  if (!split_fields (rest, rq, &fields, error))
    return FALSE;

  switch (type)
    {
    case OT_ADDRS:
    case OT_ADDR_PAIRS:
      if (type == OT_ADDR_PAIRS && fields->len % 2 != 0)
        return fail (error, _ ("expected pairs of IPv4 addresses, got %u addresses"), fields->len);
      for (guint i = 0; i < fields->len; i++)
        if (!append_address (enc->value, &g_array_index (fields, Field, i), error))
          return FALSE;
      enc->addresses_at = type == OT_ADDRS ? 0 : -1;
      return TRUE;

    case OT_BOOL:
    case OT_U8:
    case OT_U16:
    case OT_U32:
    case OT_S32:
      if (fields->len != 1)
        return fail (error, _ ("expected one number"));
      return encode_integer (enc, type, FIELD (fields, 0), error);

    case OT_TIME:
      {
        guint32 seconds;

        if (fields->len != 1)
          return fail (error, _ ("expected one time"));
        if (!hearth_config_value_parse_duration (FIELD (fields, 0), FALSE, &seconds, error))
          return FALSE;
        append_be32 (enc->value, seconds);
        return TRUE;
      }

    case OT_DOMAINS:
      for (guint i = 0; i < fields->len; i++)
        if (!append_wire_name (enc->value, FIELD (fields, i), error))
          return FALSE;
      return TRUE;

    case OT_SIP:
      {
        guint n_addresses = 0;
        guint8 encoding;
        guint32 addr;

        for (guint i = 0; i < fields->len; i++)
          if (parse_ipv4 (FIELD (fields, i), &addr))
            n_addresses++;
        if (n_addresses != 0 && n_addresses != fields->len)
          return fail (error, _ ("expected either addresses or names, not both"));
        encoding = n_addresses != 0 ? 1 : 0;
        g_byte_array_append (enc->value, &encoding, 1);
        for (guint i = 0; i < fields->len; i++)
          if (n_addresses != 0
                  ? !append_address (enc->value, &g_array_index (fields, Field, i), error)
                  : !append_wire_name (enc->value, FIELD (fields, i), error))
            return FALSE;
        enc->addresses_at = n_addresses != 0 ? 1 : -1;
        return TRUE;
      }

    case OT_ROUTES:
      if (fields->len % 2 != 0)
        return fail (error, _ ("expected <destination>/<prefix length>,<router> pairs"));
      for (guint i = 0; i < fields->len; i += 2)
        if (!append_destination (enc->value, FIELD (fields, i), error) ||
            !append_address (enc->value, &g_array_index (fields, Field, i + 1), error))
          return FALSE;
      return TRUE;

    case OT_GUESS:
    case OT_STRING:
      g_assert_not_reached ();
    }
  return FALSE;
}

static char *
option_label (guint code)
{
  const OptionInfo *info = option_info (code);

  if (info != NULL && info->name != NULL)
    return g_strdup_printf ("option %s (%u)", info->name, code);
  return g_strdup_printf ("option %u", code);
}

/* The option number field: digits or option:<name>. */
static gboolean
parse_option_code (const char *f, guint *out_code, GError **error)
{
  g_autofree char *s = shown (f);

  if (g_str_has_prefix (f, "option:"))
    {
      gint code = hearth_dhcp_option_lookup_name (f + strlen ("option:"));

      if (code < 0)
        {
          g_autofree char *name = shown (f + strlen ("option:"));
          return fail (error, _ ("unknown DHCP option name '%s' (dnsmasq --help dhcp lists them)"),
                       name);
        }
      *out_code = (guint) code;
      return TRUE;
    }
  if (all_digits (f))
    {
      if (!hearth_config_value_parse_uint (f, 1, 255, out_code, NULL))
        return fail (error, _ ("option number %s is out of range (1 to 255)"), s);
      return TRUE;
    }
  return fail (error, _ ("expected an option number or option:<name>, got '%s'"), s);
}

static gboolean
option_parse (const char *text,
              const guint8 *quoted,
              gboolean force,
              gboolean allow_ipv6,
              HearthDhcpOption **out_option,
              gboolean *out_is_ipv6,
              GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpOption) option = g_new0 (HearthDhcpOption, 1);
  Encoder enc = { NULL, NULL, -1 };
  gboolean have_code = FALSE, encapsulated = FALSE, ipv6 = FALSE;
  guint code = 0, max;
  guint i;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!split_fields (text, quoted, &fields, error))
    return FALSE;
  if (fields->len == 1 && *FIELD (fields, 0) == '\0')
    g_array_set_size (fields, 0);
  for (i = 0; i < fields->len && !have_code; i++)
    {
      const char *f = FIELD (fields, i);
      g_autofree char *s = shown (f);
      guint n;

      if (g_str_has_prefix (f, "tag:") || g_str_has_prefix (f, "set:") ||
          g_str_has_prefix (f, "net:"))
        {
          if (!check_condition (f + 4, error))
            return FALSE;
          g_ptr_array_add (conditions, g_strdup (f + 4));
          continue;
        }
      if (g_str_has_prefix (f, "encap:") || g_str_has_prefix (f, "vi-encap:") ||
          g_str_has_prefix (f, "vendor:"))
        {
          if (encapsulated)
            return fail (error, _ ("only one of encap:, vi-encap: and vendor: may be given"));
          encapsulated = TRUE;
          if (f[0] == 'e')
            {
              if (!hearth_config_value_parse_uint (f + strlen ("encap:"), 1, 254, &n, NULL))
                return fail (error, _ ("bad '%s': expected encap:<option number 1 to 254>"), s);
              option->encap = (guint8) n;
            }
          else if (f[1] == 'i')
            {
              if (!hearth_config_value_parse_uint (f + strlen ("vi-encap:"), 0, G_MAXUINT32, &n,
                                                   NULL))
                return fail (error, _ ("bad '%s': expected vi-encap:<enterprise number>"), s);
              option->vi_encap = n;
              option->has_vi_encap = TRUE;
            }
          else
            option->vendor = g_strdup (f + strlen ("vendor:"));
          continue;
        }
      if (g_str_has_prefix (f, "option6:"))
        {
          const char *o = f + strlen ("option6:");

          if (*o == '\0' ||
              (all_digits (o) && !hearth_config_value_parse_uint (o, 1, 65535, &n, NULL)))
            return fail (error, _ ("bad DHCPv6 option '%s'"), s);
          ipv6 = TRUE;
          have_code = TRUE;
          continue;
        }
      if (!parse_option_code (f, &code, error))
        return FALSE;
      have_code = TRUE;
    }
  if (!have_code)
    return fail (error, _ ("expected [tag:<tag>,...][encap:<n>,|vi-encap:<n>,|vendor:<class>,]"
                           "<number>|option:<name>[,<value>...]"));
  if (ipv6)
    {
      if (!allow_ipv6)
        return fail (error, _ ("DHCPv6 options (option6:) are not supported here"));
      *out_option = NULL;
      *out_is_ipv6 = TRUE;
      return TRUE;
    }

  option->code = (guint8) code;
  option->force = force;
  enc.value = g_byte_array_new ();
  if (i < fields->len)
    {
      const Field *first = &g_array_index (fields, Field, i);
      g_autofree char *rest = rest_of (text, quoted, first);
      const OptionInfo *info = option_info (code);
      /* Sub-options have no known types: dnsmasq guesses them. */
      OptionType type = encapsulated || info == NULL ? OT_GUESS : info->type;

      if (!encode_value (&enc, type, rest, quoted != NULL ? quoted + first->start : NULL, error))
        {
          g_autofree char *label = option_label (code);

          g_byte_array_unref (enc.value);
          g_prefix_error (error, "%s: ", label);
          return FALSE;
        }
    }

  max = option->has_vi_encap ? HEARTH_DHCP_OPTION_VI_ENCAP_VALUE_MAX
        : encapsulated       ? HEARTH_DHCP_OPTION_ENCAP_VALUE_MAX
                             : HEARTH_DHCP_OPTION_VALUE_MAX;
  if (enc.value->len > max)
    {
      g_autofree char *label = option_label (code);
      guint len = enc.value->len;

      g_byte_array_unref (enc.value);
      return fail (error, _ ("%s: value too long (%u bytes encoded, at most %u)"), label, len, max);
    }
  option->value = g_byte_array_free_to_bytes (enc.value);
  option->addresses_at = g_bytes_get_size (option->value) > 0 ? enc.addresses_at : -1;
  option->match_tags = steal_strv (g_steal_pointer (&conditions));
  *out_option = g_steal_pointer (&option);
  if (out_is_ipv6 != NULL)
    *out_is_ipv6 = FALSE;
  return TRUE;
}

gboolean
hearth_dhcp_option_parse (const char *text,
                          gboolean force,
                          HearthDhcpOption **out_option,
                          GError **error)
{
  return option_parse (text, NULL, force, FALSE, out_option, NULL, error);
}

gboolean
hearth_dhcp_option_parse_full (const char *text,
                               const guint8 *quoted,
                               gboolean force,
                               HearthDhcpOption **out_option,
                               gboolean *out_is_ipv6,
                               GError **error)
{
  return option_parse (text, quoted, force, TRUE, out_option, out_is_ipv6, error);
}

/* ---- the smaller values ---- */

void
hearth_dhcp_boot_free (HearthDhcpBoot *boot)
{
  if (boot == NULL)
    return;
  g_strfreev (boot->match_tags);
  g_free (boot->file);
  g_free (boot->server_name);
  g_free (boot->tftp_server_name);
  g_free (boot);
}

void
hearth_dhcp_pxe_service_free (HearthDhcpPxeService *service)
{
  if (service == NULL)
    return;
  g_strfreev (service->match_tags);
  g_free (service->menu);
  g_free (service->basename);
  g_free (service->server_name);
  g_free (service);
}

void
hearth_dhcp_pxe_prompt_free (HearthDhcpPxePrompt *prompt)
{
  if (prompt == NULL)
    return;
  g_strfreev (prompt->match_tags);
  g_free (prompt->text);
  g_free (prompt);
}

void
hearth_dhcp_match_free (HearthDhcpMatch *match)
{
  if (match == NULL)
    return;
  g_free (match->set_tag);
  if (match->data != NULL)
    g_bytes_unref (match->data);
  if (match->mask != NULL)
    g_bytes_unref (match->mask);
  g_free (match);
}

void
hearth_dhcp_tag_if_free (HearthDhcpTagIf *tag_if)
{
  if (tag_if == NULL)
    return;
  g_strfreev (tag_if->set_tags);
  g_strfreev (tag_if->match_tags);
  g_free (tag_if);
}

void
hearth_dhcp_relay_free (HearthDhcpRelay *relay)
{
  if (relay == NULL)
    return;
  g_free (relay->interface);
  g_free (relay);
}

void
hearth_dhcp_reply_delay_free (HearthDhcpReplyDelay *delay)
{
  if (delay == NULL)
    return;
  g_strfreev (delay->match_tags);
  g_free (delay);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpBoot, hearth_dhcp_boot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpPxeService, hearth_dhcp_pxe_service_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpPxePrompt, hearth_dhcp_pxe_prompt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpMatch, hearth_dhcp_match_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpTagIf, hearth_dhcp_tag_if_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpRelay, hearth_dhcp_relay_free)

/* ---- the configuration ---- */

HearthDhcpConfig *
hearth_dhcp_config_new (void)
{
  HearthDhcpConfig *c = g_new0 (HearthDhcpConfig, 1);

  c->ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_range_free);
  c->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_host_free);
  c->hosts_files = g_ptr_array_new_with_free_func (g_free);
  c->hosts_dirs = g_ptr_array_new_with_free_func (g_free);
  c->options = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_option_free);
  c->opts_files = g_ptr_array_new_with_free_func (g_free);
  c->opts_dirs = g_ptr_array_new_with_free_func (g_free);
  c->boots = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_boot_free);
  c->pxe_services = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_pxe_service_free);
  c->pxe_prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_pxe_prompt_free);
  c->pxe_vendors = g_ptr_array_new_with_free_func (g_free);
  c->matches = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_match_free);
  c->tag_ifs = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_tag_if_free);
  c->ignore = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->ignore_names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->generate_names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->broadcast = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->relays = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_relay_free);
  c->no_dhcp_interfaces = g_ptr_array_new_with_free_func (g_free);
  c->reply_delays = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_reply_delay_free);
  c->lease_max = HEARTH_DHCP_DEFAULT_LEASE_MAX;
  c->server_port = 67;
  c->client_port = 68;
  return c;
}

void
hearth_dhcp_config_free (HearthDhcpConfig *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->ranges);
  g_ptr_array_unref (c->hosts);
  g_ptr_array_unref (c->hosts_files);
  g_ptr_array_unref (c->hosts_dirs);
  g_ptr_array_unref (c->options);
  g_ptr_array_unref (c->opts_files);
  g_ptr_array_unref (c->opts_dirs);
  g_ptr_array_unref (c->boots);
  g_ptr_array_unref (c->pxe_services);
  g_ptr_array_unref (c->pxe_prompts);
  g_ptr_array_unref (c->pxe_vendors);
  g_ptr_array_unref (c->matches);
  g_ptr_array_unref (c->tag_ifs);
  g_ptr_array_unref (c->ignore);
  g_ptr_array_unref (c->ignore_names);
  g_ptr_array_unref (c->generate_names);
  g_ptr_array_unref (c->broadcast);
  g_ptr_array_unref (c->relays);
  g_ptr_array_unref (c->no_dhcp_interfaces);
  g_ptr_array_unref (c->reply_delays);
  g_free (c->lease_file);
  g_free (c->script);
  g_free (c->script_user);
  g_free (c);
}

typedef gboolean (*Handler) (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error);

static gboolean
need_value (const HearthConfigItem *item, GError **error)
{
  if (item->value == NULL || *item->value == '\0')
    {
      hearth_config_item_set_error (item, error, _ ("needs a value"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
split_item (const HearthConfigItem *item, GArray **out_fields, GError **error)
{
  if (!split_fields (item->value != NULL ? item->value : "", item->quoted, out_fields, error))
    {
      hearth_config_item_prefix_error (item, error);
      return FALSE;
    }
  return TRUE;
}

/* A value parser's error, with the item's file, line and option in front. */
static gboolean
item_fail (const HearthConfigItem *item, GError **error)
{
  hearth_config_item_prefix_error (item, error);
  return FALSE;
}

static gboolean
h_range (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  HearthDhcpRange *range;
  gboolean ipv6;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dhcp_range_parse (item->value, &range, &ipv6, error))
    return item_fail (item, error);
  if (ipv6)
    {
      c->n_ipv6_ranges++;
      return TRUE;
    }
  range->owner = g_strdup ("config");
  g_ptr_array_add (c->ranges, range);
  return TRUE;
}

static gboolean
h_host (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (HearthDhcpHost) host = NULL;
  gboolean ipv6;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dhcp_host_parse (item->value, &host, &ipv6, error))
    return item_fail (item, error);
  if (ipv6)
    {
      c->n_ipv6_hosts++;
      return TRUE;
    }
  /* As dnsmasq: one address cannot be reserved for two hosts. */
  for (guint i = 0; host->addr != 0 && i < c->hosts->len; i++)
    if (((HearthDhcpHost *) g_ptr_array_index (c->hosts, i))->addr == host->addr)
      {
        g_autoptr (GString) s = g_string_new (NULL);

        append_ipv4 (s, host->addr);
        hearth_config_item_set_error (item, error, _ ("duplicate dhcp-host IP address %s"), s->str);
        return FALSE;
      }
  host->owner = g_strdup ("config");
  g_ptr_array_add (c->hosts, g_steal_pointer (&host));
  return TRUE;
}

static gboolean
h_path (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  const char *name = item->def->long_name;
  GPtrArray *array;

  if (!need_value (item, error))
    return FALSE;
  if (strcmp (name, "dhcp-hostsfile") == 0)
    array = c->hosts_files;
  else if (strcmp (name, "dhcp-hostsdir") == 0)
    array = c->hosts_dirs;
  else if (strcmp (name, "dhcp-optsfile") == 0)
    array = c->opts_files;
  else if (strcmp (name, "dhcp-optsdir") == 0)
    array = c->opts_dirs;
  else
    g_assert_not_reached ();
  g_ptr_array_add (array, g_strdup (item->value));
  return TRUE;
}

static gboolean
h_option (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  HearthDhcpOption *option;
  gboolean ipv6;
  gboolean force = strcmp (item->def->long_name, "dhcp-option-force") == 0;

  if (!need_value (item, error))
    return FALSE;
  if (!hearth_dhcp_option_parse_full (item->value, item->quoted, force, &option, &ipv6, error))
    return item_fail (item, error);
  if (ipv6)
    c->n_ipv6_options++;
  else
    g_ptr_array_add (c->options, option);
  return TRUE;
}

static gboolean
h_boot (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpBoot) boot = g_new0 (HearthDhcpBoot, 1);
  guint i = 0;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  for (; i < fields->len; i++)
    {
      const char *f = FIELD (fields, i);

      if (!g_str_has_prefix (f, "tag:") && !g_str_has_prefix (f, "net:"))
        break;
      if (!check_condition (f + 4, error))
        return item_fail (item, error);
      g_ptr_array_add (conditions, g_strdup (f + 4));
    }
  if (i == fields->len || *FIELD (fields, i) == '\0')
    {
      hearth_config_item_set_error (
          item, error, _ ("expected [tag:<tag>,]<file>[,<server name>[,<server address>]]"));
      return FALSE;
    }
  boot->file = g_strdup (FIELD (fields, i++));
  if (i < fields->len && *FIELD (fields, i) != '\0')
    boot->server_name = g_strdup (FIELD (fields, i));
  i++;
  if (i < fields->len && *FIELD (fields, i) != '\0')
    {
      const char *f = FIELD (fields, i);

      if (!parse_ipv4 (f, &boot->server_addr))
        {
          if (looks_like_ipv4 (f) || !host_name_is_valid (f))
            {
              g_autofree char *s = shown (f);
              hearth_config_item_set_error (item, error, _ ("bad boot server address or name '%s'"),
                                            s);
              return FALSE;
            }
          boot->tftp_server_name = g_strdup (f);
        }
    }
  i++;
  if (i < fields->len)
    {
      g_autofree char *s = shown (FIELD (fields, i));
      hearth_config_item_set_error (item, error, _ ("unexpected '%s' after the boot server"), s);
      return FALSE;
    }
  boot->match_tags = steal_strv (g_steal_pointer (&conditions));
  g_ptr_array_add (c->boots, g_steal_pointer (&boot));
  return TRUE;
}

/* Leading "tag:<cond>" fields (also dnsmasq's old "net:"); *i is left
 * at the first other field. */
static gboolean
take_conditions (const HearthConfigItem *item, GArray *fields, guint *i, GPtrArray *out, GError **error)
{
  for (; *i < fields->len; (*i)++)
    {
      const char *f = FIELD (fields, *i);

      if (!g_str_has_prefix (f, "tag:") && !g_str_has_prefix (f, "net:"))
        break;
      if (!check_condition (f + 4, error))
        return item_fail (item, error);
      g_ptr_array_add (out, g_strdup (f + 4));
    }
  return TRUE;
}

/* Index = the architecture number of option 93. */
static const char *const pxe_csa_names[] = {
  "x86PC",   "PC98",   "IA64_EFI", "Alpha",     "Arc_x86",   "Intel_Lean_Client",
  "IA32_EFI", "x86-64_EFI", "Xscale_EFI", "BC_EFI", "ARM32_EFI", "ARM64_EFI",
};

gint
hearth_dhcp_pxe_csa_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (pxe_csa_names); i++)
    if (g_ascii_strcasecmp (name, pxe_csa_names[i]) == 0)
      return (gint) i;
  return -1;
}

static gboolean
parse_u16 (const char *text, guint16 *out)
{
  guint64 v;

  if (!g_ascii_isdigit (text[0]) || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT16, &v, NULL))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
h_pxe_service (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpPxeService) service = g_new0 (HearthDhcpPxeService, 1);
  const char *usage = _ ("expected [tag:<tag>,]<CSA>,<menu text>[,<basename>|<boot server type>][,<server>]");
  guint i = 0;
  gint csa;

  if (!need_value (item, error) || !split_item (item, &fields, error) ||
      !take_conditions (item, fields, &i, conditions, error))
    return FALSE;
  if (fields->len - i < 2 || fields->len - i > 4 || *FIELD (fields, i) == '\0')
    {
      hearth_config_item_set_error (item, error, "%s", usage);
      return FALSE;
    }
  csa = hearth_dhcp_pxe_csa_lookup (FIELD (fields, i));
  if (csa < 0 && !parse_u16 (FIELD (fields, i), &service->csa))
    {
      g_autofree char *s = shown (FIELD (fields, i));
      hearth_config_item_set_error (item, error,
                                    _ ("unknown client system architecture '%s' (a name such as x86PC, "
                                       "X86-64_EFI, ARM64_EFI, or a number)"), s);
      return FALSE;
    }
  if (csa >= 0)
    service->csa = (guint16) csa;
  service->menu = g_strdup (FIELD (fields, i + 1));
  if (strlen (service->menu) > 255)
    {
      hearth_config_item_set_error (item, error, _ ("the menu text is longer than 255 characters"));
      return FALSE;
    }
  i += 2;
  if (i < fields->len && *FIELD (fields, i) != '\0')
    {
      const char *f = FIELD (fields, i);

      /* A number is a boot server type; anything else ("3com" too) a file. */
      if (f[strspn (f, "0123456789")] == '\0')
        {
          if (!parse_u16 (f, &service->type))
            {
              g_autofree char *s = shown (f);
              hearth_config_item_set_error (item, error, _ ("bad boot server type '%s' (0 to 65535)"), s);
              return FALSE;
            }
        }
      else
        {
          guint n = 0;

          for (guint k = 0; k < c->pxe_services->len; k++)
            n += ((HearthDhcpPxeService *) g_ptr_array_index (c->pxe_services, k))->basename != NULL;
          if (n >= 0x7fff)
            {
              hearth_config_item_set_error (item, error, _ ("too many PXE boot files"));
              return FALSE;
            }
          service->basename = g_strdup (f);
          service->type = (guint16) (0x8000 + n);
        }
    }
  i++;
  if (i < fields->len && *FIELD (fields, i) != '\0')
    {
      const char *f = FIELD (fields, i);

      if (!parse_ipv4 (f, &service->server_addr))
        {
          if (looks_like_ipv4 (f) || !host_name_is_valid (f))
            {
              g_autofree char *s = shown (f);
              hearth_config_item_set_error (item, error, _ ("bad boot server address or name '%s'"), s);
              return FALSE;
            }
          service->server_name = g_strdup (f);
        }
    }
  service->match_tags = steal_strv (g_steal_pointer (&conditions));
  g_ptr_array_add (c->pxe_services, g_steal_pointer (&service));
  return TRUE;
}

static gboolean
h_pxe_prompt (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HearthDhcpPxePrompt) prompt = g_new0 (HearthDhcpPxePrompt, 1);
  guint i = 0;

  if (!need_value (item, error) || !split_item (item, &fields, error) ||
      !take_conditions (item, fields, &i, conditions, error))
    return FALSE;
  if (i == fields->len || fields->len - i > 2)
    {
      hearth_config_item_set_error (item, error, _ ("expected [tag:<tag>,]<prompt>[,<timeout>]"));
      return FALSE;
    }
  prompt->text = g_strdup (FIELD (fields, i));
  if (strlen (prompt->text) > 250)
    {
      hearth_config_item_set_error (item, error, _ ("the prompt is longer than 250 characters"));
      return FALSE;
    }
  prompt->timeout = 255;
  if (i + 1 < fields->len)
    {
      guint16 t;

      if (!parse_u16 (FIELD (fields, i + 1), &t) || t > 255)
        {
          g_autofree char *s = shown (FIELD (fields, i + 1));
          hearth_config_item_set_error (item, error, _ ("bad prompt timeout '%s' (0 to 255 seconds)"), s);
          return FALSE;
        }
      prompt->timeout = (guint8) t;
    }
  prompt->match_tags = steal_strv (g_steal_pointer (&conditions));
  g_ptr_array_add (c->pxe_prompts, g_steal_pointer (&prompt));
  return TRUE;
}

static gboolean
h_pxe_vendor (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    if (*FIELD (fields, i) == '\0')
      {
        hearth_config_item_set_error (item, error, _ ("expected <vendor>[,<vendor>...] without empty names"));
        return FALSE;
      }
  for (guint i = 0; i < fields->len; i++)
    g_ptr_array_add (c->pxe_vendors, g_strdup (FIELD (fields, i)));
  return TRUE;
}

static gboolean
h_lease_file (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  /* Given without a path: the default. */
  g_free (c->lease_file);
  c->lease_file = item->value != NULL && *item->value != '\0' ? g_strdup (item->value) : NULL;
  return TRUE;
}

static gboolean
h_lease_max (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  if (!need_value (item, error))
    return FALSE;
  if (!hearth_config_value_parse_uint (item->value, 0, G_MAXINT32, &c->lease_max, error))
    return item_fail (item, error);
  return TRUE;
}

static gboolean
h_string (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  char **field;

  if (!need_value (item, error))
    return FALSE;
  if (strcmp (item->def->long_name, "dhcp-script") == 0)
    field = &c->script;
  else if (strcmp (item->def->long_name, "dhcp-scriptuser") == 0)
    field = &c->script_user;
  else
    g_assert_not_reached ();
  g_free (*field);
  *field = g_strdup (item->value);
  return TRUE;
}

static gboolean
h_flag (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  static const struct
  {
    const char *name;
    gsize offset;
  } flags[] = {
    { "leasefile-ro", G_STRUCT_OFFSET (HearthDhcpConfig, lease_file_ro) },
    { "dhcp-authoritative", G_STRUCT_OFFSET (HearthDhcpConfig, authoritative) },
    { "dhcp-no-override", G_STRUCT_OFFSET (HearthDhcpConfig, no_override) },
    { "script-on-renewal", G_STRUCT_OFFSET (HearthDhcpConfig, script_on_renewal) },
    { "read-ethers", G_STRUCT_OFFSET (HearthDhcpConfig, read_ethers) },
    { "no-ping", G_STRUCT_OFFSET (HearthDhcpConfig, no_ping) },
    { "dhcp-fqdn", G_STRUCT_OFFSET (HearthDhcpConfig, fqdn) },
    { "dhcp-client-update", G_STRUCT_OFFSET (HearthDhcpConfig, client_update) },
    { "dhcp-sequential-ip", G_STRUCT_OFFSET (HearthDhcpConfig, sequential_ip) },
    { "dhcp-ignore-clid", G_STRUCT_OFFSET (HearthDhcpConfig, ignore_clid) },
    { "dhcp-rapid-commit", G_STRUCT_OFFSET (HearthDhcpConfig, rapid_commit) },
    { "log-dhcp", G_STRUCT_OFFSET (HearthDhcpConfig, log_dhcp) },
    { "quiet-dhcp", G_STRUCT_OFFSET (HearthDhcpConfig, quiet_dhcp) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (flags); i++)
    if (strcmp (flags[i].name, item->def->long_name) == 0)
      {
        G_STRUCT_MEMBER (gboolean, c, flags[i].offset) = TRUE;
        return TRUE;
      }
  g_assert_not_reached ();
}

/* "set:<tag>", "net:<tag>", or dnsmasq's old bare "<tag>". */
static gboolean
parse_set_field (const HearthConfigItem *item, const char *f, char **out_tag, GError **error)
{
  const char *name = g_str_has_prefix (f, "set:") || g_str_has_prefix (f, "net:") ? f + 4 : f;

  if (g_str_has_prefix (f, "tag:"))
    {
      hearth_config_item_set_error (item, error,
                                    _ ("expected set:<tag> first, not a tag:<tag> condition"));
      return FALSE;
    }
  if (!check_set_tag (name, error))
    return item_fail (item, error);
  *out_tag = g_strdup (name);
  return TRUE;
}

/* tag:<tag>, net:<tag> or a bare <tag>, each a condition. */
static gboolean
parse_tag_list (const HearthConfigItem *item, gboolean need_one, GStrv *out_tags, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);

  if (item->value != NULL && *item->value != '\0')
    {
      if (!split_item (item, &fields, error))
        return FALSE;
      for (guint i = 0; i < fields->len; i++)
        {
          const char *f = FIELD (fields, i);
          const char *body =
              g_str_has_prefix (f, "tag:") || g_str_has_prefix (f, "net:") ? f + 4 : f;

          if (!check_condition (body, error))
            return item_fail (item, error);
          g_ptr_array_add (conditions, g_strdup (body));
        }
    }
  if (need_one && conditions->len == 0)
    {
      hearth_config_item_set_error (item, error, _ ("expected tag:<tag>[,tag:<tag>...]"));
      return FALSE;
    }
  g_ptr_array_add (conditions, NULL);
  *out_tags = (GStrv) g_ptr_array_free (g_steal_pointer (&conditions), FALSE);
  return TRUE;
}

static gboolean
h_tag_list (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  const char *name = item->def->long_name;
  gboolean required = strcmp (name, "dhcp-ignore") == 0;
  GStrv tags;

  if (!parse_tag_list (item, required, &tags, error))
    return FALSE;
  if (strcmp (name, "dhcp-ignore") == 0)
    g_ptr_array_add (c->ignore, tags);
  else if (strcmp (name, "dhcp-ignore-names") == 0)
    g_ptr_array_add (c->ignore_names, tags);
  else if (strcmp (name, "dhcp-generate-names") == 0)
    g_ptr_array_add (c->generate_names, tags);
  else if (strcmp (name, "dhcp-broadcast") == 0)
    g_ptr_array_add (c->broadcast, tags);
  else if (strcmp (name, "bootp-dynamic") == 0)
    {
      /* The tag list is checked but not kept: all BOOTP clients for now. */
      g_strfreev (tags);
      c->bootp_dynamic = TRUE;
    }
  else
    g_assert_not_reached ();
  return TRUE;
}

static gboolean
h_tag_if (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  HearthDhcpTagIf *tag_if;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    {
      const char *f = FIELD (fields, i);

      if (g_str_has_prefix (f, "set:"))
        {
          if (!check_set_tag (f + 4, error))
            return item_fail (item, error);
          g_ptr_array_add (sets, g_strdup (f + 4));
        }
      else if (g_str_has_prefix (f, "tag:"))
        {
          if (!check_condition (f + 4, error))
            return item_fail (item, error);
          g_ptr_array_add (conditions, g_strdup (f + 4));
        }
      else
        {
          g_autofree char *s = shown (f);
          hearth_config_item_set_error (item, error,
                                        _ ("expected set:<tag> or tag:<tag>, got '%s'"), s);
          return FALSE;
        }
    }
  if (sets->len == 0)
    {
      hearth_config_item_set_error (item, error, _ ("expected at least one set:<tag>"));
      return FALSE;
    }
  tag_if = g_new0 (HearthDhcpTagIf, 1);
  tag_if->set_tags = steal_strv (g_steal_pointer (&sets));
  tag_if->match_tags = steal_strv (g_steal_pointer (&conditions));
  g_ptr_array_add (c->tag_ifs, tag_if);
  return TRUE;
}

/* --dhcp-vendorclass, --dhcp-userclass, --dhcp-circuitid, --dhcp-remoteid,
 * --dhcp-subscrid, --dhcp-mac, --dhcp-name-match: set:<tag>,<value>. */
static gboolean
h_match_simple (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  static const struct
  {
    const char *name;
    HearthDhcpMatchKind kind;
  } kinds[] = {
    { "dhcp-vendorclass", HEARTH_DHCP_MATCH_VENDOR_CLASS },
    { "dhcp-userclass", HEARTH_DHCP_MATCH_USER_CLASS },
    { "dhcp-circuitid", HEARTH_DHCP_MATCH_CIRCUIT_ID },
    { "dhcp-remoteid", HEARTH_DHCP_MATCH_REMOTE_ID },
    { "dhcp-subscrid", HEARTH_DHCP_MATCH_SUBSCRIBER_ID },
    { "dhcp-mac", HEARTH_DHCP_MATCH_MAC },
    { "dhcp-name-match", HEARTH_DHCP_MATCH_NAME },
  };
  g_autoptr (GArray) fields = NULL;
  g_autoptr (HearthDhcpMatch) match = g_new0 (HearthDhcpMatch, 1);
  g_autofree char *rest = NULL;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (kinds[i].name, item->def->long_name) == 0)
      break;
  g_assert (i < G_N_ELEMENTS (kinds));
  match->kind = kinds[i].kind;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  if (fields->len < 2 || *FIELD (fields, 1) == '\0')
    {
      hearth_config_item_set_error (item, error, _ ("expected set:<tag>,<value>"));
      return FALSE;
    }
  if (!parse_set_field (item, FIELD (fields, 0), &match->set_tag, error))
    return FALSE;
  /* The value is the rest, commas included (a vendor class may have some). */
  rest = rest_of (item->value, item->quoted, &g_array_index (fields, Field, 1));

  switch (match->kind)
    {
    case HEARTH_DHCP_MATCH_VENDOR_CLASS:
    case HEARTH_DHCP_MATCH_USER_CLASS:
      if (g_str_has_prefix (rest, "enterprise:"))
        return TRUE; /* DHCPv6 vendor classes: not for this server */
      match->data = g_bytes_new (rest, strlen (rest));
      break;
    case HEARTH_DHCP_MATCH_CIRCUIT_ID:
    case HEARTH_DHCP_MATCH_REMOTE_ID:
    case HEARTH_DHCP_MATCH_SUBSCRIBER_ID:
      {
        g_autoptr (GByteArray) bytes = g_byte_array_new ();

        /* Hex bytes when they read as such, else the text, as dnsmasq. */
        if (strchr (rest, ':') == NULL || !parse_hex_bytes (rest, bytes, NULL))
          {
            g_byte_array_set_size (bytes, 0);
            g_byte_array_append (bytes, (const guint8 *) rest, (guint) strlen (rest));
          }
        match->data = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
        break;
      }
    case HEARTH_DHCP_MATCH_MAC:
      if (!hearth_dhcp_mac_parse (rest, &match->mac, error))
        return item_fail (item, error);
      break;
    case HEARTH_DHCP_MATCH_NAME:
      {
        gsize len = strlen (rest);

        if (rest[len - 1] == '*')
          {
            match->wildcard = TRUE;
            len--;
          }
        match->data = g_bytes_new (rest, len);
        break;
      }
    case HEARTH_DHCP_MATCH_OPTION:
    case HEARTH_DHCP_MATCH_VI_ENCAP:
      g_assert_not_reached ();
    }
  g_ptr_array_add (c->matches, g_steal_pointer (&match));
  return TRUE;
}

/* --dhcp-match=set:<tag>,<number>|option:<name>|vi-encap:<enterprise>[,<value>] */
static gboolean
h_match (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (HearthDhcpMatch) match = g_new0 (HearthDhcpMatch, 1);
  const char *what;
  OptionType type = OT_GUESS;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  if (fields->len < 2 || *FIELD (fields, 1) == '\0')
    {
      hearth_config_item_set_error (
          item, error,
          _ ("expected set:<tag>,<number>|option:<name>|vi-encap:<enterprise>[,<value>]"));
      return FALSE;
    }
  if (!parse_set_field (item, FIELD (fields, 0), &match->set_tag, error))
    return FALSE;
  what = FIELD (fields, 1);
  if (g_str_has_prefix (what, "option6:"))
    return TRUE; /* DHCPv6: not for this server */
  if (g_str_has_prefix (what, "vi-encap:"))
    {
      guint n;

      if (!hearth_config_value_parse_uint (what + strlen ("vi-encap:"), 0, G_MAXUINT32, &n, error))
        return item_fail (item, error);
      match->kind = HEARTH_DHCP_MATCH_VI_ENCAP;
      match->enterprise = n;
    }
  else
    {
      guint code;
      const OptionInfo *info;

      if (!parse_option_code (what, &code, error))
        return item_fail (item, error);
      match->kind = HEARTH_DHCP_MATCH_OPTION;
      match->code = (guint8) code;
      info = option_info (code);
      type = info != NULL ? info->type : OT_GUESS;
    }
  if (fields->len > 2)
    {
      const Field *first = &g_array_index (fields, Field, 2);
      g_autofree char *rest = rest_of (item->value, item->quoted, first);
      Encoder enc = { g_byte_array_new (), g_byte_array_new (), -1 };
      gboolean wildcards = FALSE;

      if (!encode_value (&enc, type, rest,
                         item->quoted != NULL ? item->quoted + first->start : NULL, error))
        {
          g_byte_array_unref (enc.value);
          g_byte_array_unref (enc.mask);
          return item_fail (item, error);
        }
      for (guint i = 0; i < enc.mask->len; i++)
        wildcards |= enc.mask->data[i] != 0;
      if (enc.value->len > 0)
        match->data = g_byte_array_free_to_bytes (enc.value);
      else
        g_byte_array_unref (enc.value);
      if (wildcards)
        match->mask = g_byte_array_free_to_bytes (enc.mask);
      else
        g_byte_array_unref (enc.mask);
    }
  g_ptr_array_add (c->matches, g_steal_pointer (&match));
  return TRUE;
}

static gboolean
h_reply_delay (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (GPtrArray) conditions = g_ptr_array_new_with_free_func (g_free);
  guint seconds, i;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  for (i = 0; i + 1 < fields->len; i++)
    {
      const char *f = FIELD (fields, i);

      if (!g_str_has_prefix (f, "tag:") && !g_str_has_prefix (f, "net:"))
        {
          g_autofree char *s = shown (f);
          hearth_config_item_set_error (item, error, _ ("expected [tag:<tag>,]<seconds>, got '%s'"),
                                        s);
          return FALSE;
        }
      if (!check_condition (f + 4, error))
        return item_fail (item, error);
      g_ptr_array_add (conditions, g_strdup (f + 4));
    }
  /* A delay longer than an hour would only hold requests until clients give up. */
  if (!hearth_config_value_parse_uint (FIELD (fields, i), 0, 3600, &seconds, error))
    return item_fail (item, error);
  if (conditions->len == 0)
    c->reply_delay = seconds;
  else
    {
      HearthDhcpReplyDelay *delay = g_new0 (HearthDhcpReplyDelay, 1);

      delay->match_tags = steal_strv (g_steal_pointer (&conditions));
      delay->seconds = seconds;
      g_ptr_array_add (c->reply_delays, delay);
    }
  return TRUE;
}

static gboolean
h_alternate_port (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  guint server, client;

  /* Without a value: dnsmasq's 1067 and 1068. */
  if (item->value == NULL || *item->value == '\0')
    {
      c->server_port = 1067;
      c->client_port = 1068;
      return TRUE;
    }
  if (!split_item (item, &fields, error))
    return FALSE;
  if (fields->len > 2)
    {
      hearth_config_item_set_error (item, error, _ ("expected <server port>[,<client port>]"));
      return FALSE;
    }
  if (!hearth_config_value_parse_uint (FIELD (fields, 0), 1, fields->len == 2 ? 65535 : 65534,
                                       &server, error))
    return item_fail (item, error);
  client = server + 1;
  if (fields->len == 2 &&
      !hearth_config_value_parse_uint (FIELD (fields, 1), 1, 65535, &client, error))
    return item_fail (item, error);
  c->server_port = (guint16) server;
  c->client_port = (guint16) client;
  return TRUE;
}

static gboolean
h_relay (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;
  g_autoptr (HearthDhcpRelay) relay = g_new0 (HearthDhcpRelay, 1);
  g_autofree char *server = NULL;
  const char *hash;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  if (fields->len < 2 || fields->len > 4)
    {
      hearth_config_item_set_error (item, error,
                                    _ ("expected <local address>,<server>[#<port>][,<interface>]"));
      return FALSE;
    }
  if (strchr (FIELD (fields, 0), ':') != NULL && is_ipv6 (FIELD (fields, 0)))
    return TRUE; /* a DHCPv6 relay: not for this server */
  if (!parse_ipv4 (FIELD (fields, 0), &relay->local))
    {
      g_autofree char *s = shown (FIELD (fields, 0));
      hearth_config_item_set_error (item, error, _ ("bad local address '%s'"), s);
      return FALSE;
    }
  hash = strchr (FIELD (fields, 1), '#');
  server = hash != NULL ? g_strndup (FIELD (fields, 1), (gsize) (hash - FIELD (fields, 1)))
                        : g_strdup (FIELD (fields, 1));
  if (!parse_ipv4 (server, &relay->server))
    {
      g_autofree char *s = shown (server);
      hearth_config_item_set_error (item, error,
                                    _ ("bad server address '%s': expected an IPv4 address"), s);
      return FALSE;
    }
  relay->server_port = 67;
  if (hash != NULL)
    {
      guint port;

      if (!hearth_config_value_parse_uint (hash + 1, 1, 65535, &port, error))
        return item_fail (item, error);
      relay->server_port = (guint16) port;
    }
  /* A fourth field (dnsmasq's multicast interface) only matters to DHCPv6. */
  if (fields->len >= 3 && *FIELD (fields, 2) != '\0')
    relay->interface = g_strdup (FIELD (fields, 2));
  g_ptr_array_add (c->relays, g_steal_pointer (&relay));
  return TRUE;
}

static gboolean
h_no_dhcp_interface (HearthDhcpConfig *c, const HearthConfigItem *item, GError **error)
{
  g_autoptr (GArray) fields = NULL;

  if (!need_value (item, error) || !split_item (item, &fields, error))
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    if (*FIELD (fields, i) != '\0')
      g_ptr_array_add (c->no_dhcp_interfaces, g_strdup (FIELD (fields, i)));
  return TRUE;
}

static const struct
{
  const char *name;
  Handler handler;
} handlers[] = {
  { "dhcp-range", h_range },
  { "dhcp-host", h_host },
  { "dhcp-hostsfile", h_path },
  { "dhcp-hostsdir", h_path },
  { "dhcp-option", h_option },
  { "dhcp-option-force", h_option },
  { "dhcp-optsfile", h_path },
  { "dhcp-optsdir", h_path },
  { "dhcp-boot", h_boot },
  { "pxe-service", h_pxe_service },
  { "pxe-prompt", h_pxe_prompt },
  { "dhcp-pxe-vendor", h_pxe_vendor },
  { "dhcp-leasefile", h_lease_file },
  { "dhcp-lease-max", h_lease_max },
  { "leasefile-ro", h_flag },
  { "dhcp-authoritative", h_flag },
  { "dhcp-no-override", h_flag },
  { "dhcp-script", h_string },
  { "dhcp-scriptuser", h_string },
  { "script-on-renewal", h_flag },
  { "read-ethers", h_flag },
  { "tag-if", h_tag_if },
  { "dhcp-vendorclass", h_match_simple },
  { "dhcp-userclass", h_match_simple },
  { "dhcp-circuitid", h_match_simple },
  { "dhcp-remoteid", h_match_simple },
  { "dhcp-subscrid", h_match_simple },
  { "dhcp-mac", h_match_simple },
  { "dhcp-name-match", h_match_simple },
  { "dhcp-match", h_match },
  { "dhcp-ignore", h_tag_list },
  { "dhcp-ignore-names", h_tag_list },
  { "dhcp-generate-names", h_tag_list },
  { "dhcp-broadcast", h_tag_list },
  { "bootp-dynamic", h_tag_list },
  { "no-ping", h_flag },
  { "dhcp-fqdn", h_flag },
  { "dhcp-client-update", h_flag },
  { "dhcp-sequential-ip", h_flag },
  { "dhcp-ignore-clid", h_flag },
  { "dhcp-rapid-commit", h_flag },
  { "dhcp-reply-delay", h_reply_delay },
  { "dhcp-alternate-port", h_alternate_port },
  { "dhcp-relay", h_relay },
  { "no-dhcp-interface", h_no_dhcp_interface },
  { "no-dhcpv4-interface", h_no_dhcp_interface },
  { "log-dhcp", h_flag },
  { "quiet-dhcp", h_flag },
};

/* DHCP-owned options accepted and ignored for now; the daemon warns about
 * them through hearth_dhcp_config_option_is_implemented():
 *   dhcp-luascript       Lua lease scripts
 *   script-arp           ARP events to the lease script
 *   dhcp-proxy           full proxy for relays
 *   bridge-interface     requests on bridge ports
 *   shared-network       extra subnets on one link
 *   dhcp-duid            DHCPv6 server DUID
 *   no-dhcpv6-interface  DHCPv6 and RA
 *   enable-ra            router advertisements
 *   ra-param             router advertisement settings
 *   quiet-dhcp6          DHCPv6 logging
 *   quiet-ra             router advertisement logging */
static const char *const ignored_options[] = {
  "dhcp-luascript", "script-arp", "dhcp-proxy",  "bridge-interface", "shared-network", "dhcp-duid",
  "no-dhcpv6-interface", "enable-ra", "ra-param", "quiet-dhcp6", "quiet-ra", NULL,
};

static Handler
find_handler (const char *long_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (strcmp (handlers[i].name, long_name) == 0)
      return handlers[i].handler;
  return NULL;
}

gboolean
hearth_dhcp_config_option_is_implemented (const char *long_name)
{
  const HearthOptionDef *def = hearth_option_lookup_long (long_name);

  if (def == NULL)
    return FALSE;
  def = hearth_option_canonical (def);
  return def->owner == HEARTH_OPTION_OWNER_DHCP && find_handler (def->long_name) != NULL;
}

gboolean
hearth_dhcp_config_apply (HearthDhcpConfig *config, const HearthConfigItem *item, GError **error)
{
  Handler handler = find_handler (item->def->long_name);

  if (handler != NULL)
    return handler (config, item, error);
  if (g_strv_contains (ignored_options, item->def->long_name))
    return TRUE;
  /* The option table says DHCP owns it, but nothing here knows it: a
   * mismatch between the table and this file, not a user error. */
  hearth_config_item_set_error (item, error, _ ("is not handled by the DHCP subsystem"));
  return FALSE;
}

gboolean
hearth_dhcp_config_check (HearthDhcpConfig *config, GError **error)
{
  /* Everything dnsmasq rejects is rejected per item, where the file and
   * line are known (duplicate host addresses included); dnsmasq checks no
   * combination of DHCP options before it starts, so neither do we. The
   * combinations that depend on the interfaces (a range no interface is
   * on) are the server's to report when it binds. */
  return TRUE;
}

gboolean
hearth_dhcp_config_pxe_enabled (const HearthDhcpConfig *config)
{
  return config->pxe_services->len > 0 || config->pxe_prompts->len > 0;
}

gboolean
hearth_dhcp_config_enabled (const HearthDhcpConfig *config)
{
  return config->ranges->len > 0 || config->relays->len > 0;
}
