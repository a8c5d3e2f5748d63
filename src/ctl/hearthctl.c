/* hearthctl: the command-line client of hearthd's D-Bus API
 * (org.hearth.Hearth1), in the manner of resolvectl and networkctl. It
 * reads the daemon's state (Manager properties, the Server, Route, Link,
 * DhcpRange, Host and Lease objects from ObjectManager.GetManagedObjects),
 * calls its methods, and follows its signals, printing tables for people
 * and JSON for programs.
 *
 * It talks raw D-Bus rather than through the generated proxies so that it
 * can address any bus name (--destination) and print properties it does
 * not know yet. It deliberately keeps no knowledge of DNS or DHCP: domains,
 * route actions, server strings and DHCP range and host specs are checked
 * by the daemon, the one place that knows the rules. Only add-server's
 * ADDRESS[#PORT][@IFACE] is split (and its parts checked) here, because
 * AddServer() takes the parts separately. It never retries or polls: every
 * command is one round of calls, except monitor, which waits for signals.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <arpa/inet.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define HEARTH_BUS_NAME "org.hearth.Hearth1"
#define HEARTH_ROOT_PATH "/org/hearth/Hearth1"
#define HEARTH_SERVER_PATH HEARTH_ROOT_PATH "/server/"
#define HEARTH_ROUTE_PATH HEARTH_ROOT_PATH "/route/"
#define HEARTH_IFACE_PREFIX "org.hearth.Hearth1."
#define HEARTH_MANAGER_IFACE HEARTH_IFACE_PREFIX "Manager"
#define HEARTH_SERVER_IFACE HEARTH_IFACE_PREFIX "Server"
#define HEARTH_ROUTE_IFACE HEARTH_IFACE_PREFIX "Route"
#define HEARTH_LINK_IFACE HEARTH_IFACE_PREFIX "Link"
#define HEARTH_LINK_PATH HEARTH_ROOT_PATH "/link/"
#define HEARTH_RANGE_IFACE HEARTH_IFACE_PREFIX "DhcpRange"
#define HEARTH_RANGE_PATH HEARTH_ROOT_PATH "/dhcp_range/"
#define HEARTH_HOST_IFACE HEARTH_IFACE_PREFIX "Host"
#define HEARTH_HOST_PATH HEARTH_ROOT_PATH "/host/"
#define HEARTH_LEASE_IFACE HEARTH_IFACE_PREFIX "Lease"
#define HEARTH_LEASE_PATH HEARTH_ROOT_PATH "/lease/"

#define DBUS_PROPERTIES_IFACE "org.freedesktop.DBus.Properties"
#define DBUS_OM_IFACE "org.freedesktop.DBus.ObjectManager"

/* The longest interface name the kernel accepts, without the NUL
 * (IFNAMSIZ - 1); checked here so a typo is reported before the call. */
#define IFACE_NAME_MAX 15

typedef enum
{
  HEARTHCTL_EXIT_OK = 0,
  HEARTHCTL_EXIT_FAILURE = 1,
  HEARTHCTL_EXIT_USAGE = 2,
} HearthctlExit;

typedef enum
{
  JSON_OFF,
  JSON_SHORT,
  JSON_PRETTY,
} JsonMode;

typedef struct
{
  GDBusConnection *bus;
  const char *destination;
  JsonMode json;
  gboolean legend;
} Hearthctl;

typedef gboolean (*HearthctlCommandFunc) (Hearthctl *ctl, char **args, GError **error);

typedef struct
{
  const char *name;
  guint min_args;
  guint max_args; /* G_MAXUINT: any number */
  HearthctlCommandFunc func;
} HearthctlCommand;

/* One object of ours from GetManagedObjects. */
typedef struct
{
  char *path;
  guint64 id;       /* the N of .../server/N; G_MAXUINT64 if the path has none */
  GVariant *props;  /* a{sv} of its hearth interface */
} HearthctlObject;

static void
hearthctl_object_free (gpointer p)
{
  HearthctlObject *obj = p;

  g_free (obj->path);
  g_variant_unref (obj->props);
  g_free (obj);
}

/* ------------------------------------------------------------------ */
/* Small helpers */

/* The N of PREFIX + "N"; G_MAXUINT64 for any other path, so such objects
 * sort last and print their path instead of an ID. */
static guint64
id_from_path (const char *path, const char *prefix)
{
  guint64 id;

  if (!g_str_has_prefix (path, prefix))
    return G_MAXUINT64;
  if (!g_ascii_string_to_unsigned (path + strlen (prefix), 10, 0, G_MAXUINT64 - 1, &id, NULL))
    return G_MAXUINT64;
  return id;
}

/* What to show for an object: its ID, or its path when it has none. */
static char *
object_label (const char *path, const char *prefix)
{
  guint64 id = id_from_path (path, prefix);

  if (id == G_MAXUINT64)
    return g_strdup (path);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, id);
}

static const char *
prop_string (GVariant *props, const char *name)
{
  const char *s = NULL;

  if (props == NULL)
    return "";
  if (!g_variant_lookup (props, name, "&s", &s) && !g_variant_lookup (props, name, "&o", &s))
    return "";
  return s;
}

/* Any unsigned integer property as a guint64; FALSE if it is missing or of
 * another type. */
static gboolean
prop_unsigned (GVariant *props, const char *name, guint64 *out)
{
  g_autoptr (GVariant) v = props ? g_variant_lookup_value (props, name, NULL) : NULL;

  if (v == NULL)
    return FALSE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    *out = g_variant_get_uint64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    *out = g_variant_get_uint32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    *out = g_variant_get_uint16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTE))
    *out = g_variant_get_byte (v);
  else
    return FALSE;
  return TRUE;
}

static char *
prop_unsigned_text (GVariant *props, const char *name)
{
  guint64 n;

  if (!prop_unsigned (props, name, &n))
    return g_strdup ("-");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

/* A strv property (as or ao); an empty array if missing. */
static GStrv
prop_strv (GVariant *props, const char *name)
{
  g_autoptr (GVariant) v = props ? g_variant_lookup_value (props, name, NULL) : NULL;

  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
    return g_variant_dup_strv (v, NULL);
  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH_ARRAY))
    return g_variant_dup_objv (v, NULL);
  return g_new0 (char *, 1);
}

/* A domain as people write it; the empty domain (names without a dot)
 * would otherwise be invisible. */
static const char *
domain_text (const char *domain)
{
  return domain[0] == '\0' ? "\"\"" : domain;
}

static char *
domains_text (const char *const *domains)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (domains[0] == NULL)
    return g_strdup ("-");
  for (guint i = 0; domains[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, domain_text (domains[i]));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "ADDRESS#PORT", as in the server option. */
static char *
server_address_text (GVariant *props)
{
  guint64 port = 53;

  prop_unsigned (props, "Port", &port);
  return g_strdup_printf ("%s#%" G_GUINT64_FORMAT, prop_string (props, "Address"), port);
}

/* A property value for one line of text: strings bare, arrays joined by
 * commas, numbers in decimal, anything else in GVariant text format. */
static char *
value_text (GVariant *v)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH))
    return g_variant_dup_string (v, NULL);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY) ||
      g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH_ARRAY))
    {
      g_autofree const char **items = g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY)
                                          ? g_variant_get_strv (v, NULL)
                                          : g_variant_get_objv (v, NULL);

      return g_strjoinv (",", (char **) items);
    }
  return g_variant_print (v, FALSE);
}

/* ------------------------------------------------------------------ */
/* Output */

static void
print_json (Hearthctl *ctl, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, ctl->json == JSON_PRETTY);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

/* Columns on a terminal: a wide character takes two, a combining one none. */
static gsize
display_width (const char *s)
{
  gsize w = 0;

  if (!g_utf8_validate (s, -1, NULL))
    return strlen (s);
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      w += g_unichar_iswide (c) ? 2 : 1;
    }
  return w;
}

static void
print_padded (const char *s, gsize width, gboolean right)
{
  gsize w = display_width (s);
  gsize pad = width > w ? width - w : 0;

  if (right)
    printf ("%*s%s", (int) pad, "", s);
  else
    printf ("%s%*s", s, (int) pad, "");
}

typedef struct
{
  guint ncols;
  const char *const *headers;   /* untranslated, N_() */
  const gboolean *right;        /* numbers are right-aligned */
  GPtrArray *rows;              /* GPtrArray of char* per row */
} Table;

static void
table_init (Table *t, guint ncols, const char *const *headers, const gboolean *right)
{
  t->ncols = ncols;
  t->headers = headers;
  t->right = right;
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

/* Takes the cells (ncols char* the table frees). */
static void
table_add_row (Table *t, char **cells)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < t->ncols; i++)
    g_ptr_array_add (row, cells[i]);
  g_ptr_array_add (t->rows, row);
}

static void
table_print (Table *t, gboolean legend)
{
  g_autofree gsize *width = g_new0 (gsize, t->ncols);

  for (guint c = 0; c < t->ncols; c++)
    {
      if (legend)
        width[c] = display_width (_(t->headers[c]));
      for (guint r = 0; r < t->rows->len; r++)
        {
          GPtrArray *row = g_ptr_array_index (t->rows, r);

          width[c] = MAX (width[c], display_width (g_ptr_array_index (row, c)));
        }
    }
  for (gint r = legend ? -1 : 0; r < (gint) t->rows->len; r++)
    {
      GPtrArray *row = r >= 0 ? g_ptr_array_index (t->rows, r) : NULL;

      for (guint c = 0; c < t->ncols; c++)
        {
          const char *cell = row ? g_ptr_array_index (row, c) : _(t->headers[c]);
          gboolean last = c + 1 == t->ncols;

          if (c > 0)
            printf (" ");
          /* No trailing blanks after a left-aligned last column. */
          if (last && !(row != NULL && t->right[c]))
            printf ("%s", cell);
          else
            print_padded (cell, width[c], row != NULL && t->right[c]);
        }
      printf ("\n");
    }
}

static void
table_clear (Table *t)
{
  g_clear_pointer (&t->rows, g_ptr_array_unref);
}

/* "Label: value" lines with the labels right-aligned, as resolvectl does;
 * values that are lists continue on the following lines. */
typedef struct
{
  char *label;  /* translated */
  GStrv values;
} Field;

static void
field_clear (gpointer p)
{
  Field *f = p;

  g_free (f->label);
  g_strfreev (f->values);
}

static void
fields_add (GArray *fields, const char *label, char *value)
{
  Field f = { g_strdup (label), g_new0 (char *, 2) };

  f.values[0] = value;
  g_array_append_val (fields, f);
}

static void
fields_add_list (GArray *fields, const char *label, GStrv values)
{
  Field f = { g_strdup (label), values };

  g_array_append_val (fields, f);
}

static void
fields_print (GArray *fields)
{
  gsize width = 0;

  for (guint i = 0; i < fields->len; i++)
    width = MAX (width, display_width (g_array_index (fields, Field, i).label));
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = &g_array_index (fields, Field, i);

      print_padded (f->label, width, TRUE);
      printf (":");
      if (f->values[0] == NULL)
        printf (" -\n");
      for (guint v = 0; f->values[v] != NULL; v++)
        {
          if (v > 0)
            printf ("%*s ", (int) width, "");
          printf (" %s\n", f->values[v]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Calls */

static GVariant *
call (Hearthctl *ctl,
      const char *path,
      const char *iface,
      const char *method,
      GVariant *params,
      const GVariantType *reply_type,
      gboolean mutating,
      GError **error)
{
  /* Changes may need polkit, which may ask the user (as systemd's tools
   * let it); reads never do. */
  GDBusCallFlags flags = mutating ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                                  : G_DBUS_CALL_FLAGS_NONE;

  return g_dbus_connection_call_sync (ctl->bus, ctl->destination, path, iface, method, params,
                                      reply_type, flags, -1, NULL, error);
}

static int
compare_objects (gconstpointer a, gconstpointer b)
{
  const HearthctlObject *x = *(HearthctlObject *const *) a;
  const HearthctlObject *y = *(HearthctlObject *const *) b;

  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return strcmp (x->path, y->path);
}

/* The kinds of objects hearthctl lists. */
typedef enum
{
  KIND_SERVER,
  KIND_ROUTE,
  KIND_LINK,
  KIND_RANGE,
  KIND_HOST,
  KIND_LEASE,
  N_KINDS,
} ObjectKind;

static const struct
{
  const char *iface;
  const char *prefix;
} object_kinds[N_KINDS] = {
  [KIND_SERVER] = { HEARTH_SERVER_IFACE, HEARTH_SERVER_PATH },
  [KIND_ROUTE] = { HEARTH_ROUTE_IFACE, HEARTH_ROUTE_PATH },
  [KIND_LINK] = { HEARTH_LINK_IFACE, HEARTH_LINK_PATH },
  [KIND_RANGE] = { HEARTH_RANGE_IFACE, HEARTH_RANGE_PATH },
  [KIND_HOST] = { HEARTH_HOST_IFACE, HEARTH_HOST_PATH },
  [KIND_LEASE] = { HEARTH_LEASE_IFACE, HEARTH_LEASE_PATH },
};

/* Every object of ours, by kind (outs[kind] may be NULL: not wanted),
 * each list sorted by ID (a link's is its interface index). Objects of
 * none of these interfaces (the Manager, if it is listed) are left out. */
static gboolean
load_all_objects (Hearthctl *ctl, GPtrArray **outs[N_KINDS], GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) objects = NULL;
  GPtrArray *lists[N_KINDS];
  GVariantIter iter;
  const char *path;
  GVariant *ifaces;

  reply = call (ctl, HEARTH_ROOT_PATH, DBUS_OM_IFACE, "GetManagedObjects", NULL,
                G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), FALSE, error);
  if (reply == NULL)
    return FALSE;
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  for (guint k = 0; k < N_KINDS; k++)
    lists[k] = g_ptr_array_new_with_free_func (hearthctl_object_free);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &ifaces))
    {
      for (guint k = 0; k < N_KINDS; k++)
        {
          GVariant *props = g_variant_lookup_value (ifaces, object_kinds[k].iface, NULL);
          HearthctlObject *obj;

          if (props == NULL)
            continue;
          obj = g_new0 (HearthctlObject, 1);
          obj->path = g_strdup (path);
          obj->id = id_from_path (path, object_kinds[k].prefix);
          obj->props = props;
          g_ptr_array_add (lists[k], obj);
          break;
        }
      g_variant_unref (ifaces);
    }
  for (guint k = 0; k < N_KINDS; k++)
    {
      g_ptr_array_sort (lists[k], compare_objects);
      if (outs[k] != NULL)
        *outs[k] = lists[k];
      else
        g_ptr_array_unref (lists[k]);
    }
  return TRUE;
}

/* The Server, Route and Link objects (see load_all_objects()). */
static gboolean
load_objects (Hearthctl *ctl, GPtrArray **out_servers, GPtrArray **out_routes, GPtrArray **out_links, GError **error)
{
  GPtrArray **outs[N_KINDS] = { [KIND_SERVER] = out_servers, [KIND_ROUTE] = out_routes, [KIND_LINK] = out_links };

  return load_all_objects (ctl, outs, error);
}

/* The objects of one kind. */
static GPtrArray *
load_kind (Hearthctl *ctl, ObjectKind kind, GError **error)
{
  GPtrArray *list = NULL;
  GPtrArray **outs[N_KINDS] = { NULL };

  outs[kind] = &list;
  if (!load_all_objects (ctl, outs, error))
    return NULL;
  return list;
}

static JsonNode *
object_to_json (HearthctlObject *obj)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GVariantIter iter;
  const char *name;
  GVariant *value;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Id");
  if (obj->id == G_MAXUINT64)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, (gint64) obj->id);
  json_builder_set_member_name (b, "Path");
  json_builder_add_string_value (b, obj->path);
  g_variant_iter_init (&iter, obj->props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      json_builder_set_member_name (b, name);
      json_builder_add_value (b, json_gvariant_serialize (value));
      g_variant_unref (value);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
objects_to_json (const char *member, GPtrArray *objects)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < objects->len; i++)
    json_builder_add_value (b, object_to_json (g_ptr_array_index (objects, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------ */
/* Argument parsing */

/* ADDRESS[#PORT][@IFACE], the server option's syntax without domains;
 * ADDRESS may be IPv6 with a "%scope". */
static gboolean
parse_server_spec (const char *spec,
                   char **out_address,
                   guint16 *out_port,
                   char **out_iface,
                   GError **error)
{
  g_autofree char *copy = g_strdup (spec);
  g_autoptr (GInetAddress) inet = NULL;
  g_autofree char *host = NULL;
  char *at, *hash, *pct;
  guint64 port = 0;

  if ((at = strchr (copy, '@')) != NULL)
    {
      *at++ = '\0';
      if (*at == '\0' || strlen (at) > IFACE_NAME_MAX || strchr (at, '/') != NULL
          || strpbrk (at, " \t\n") != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid interface name '%s' in '%s'"), at, spec);
          return FALSE;
        }
    }
  if ((hash = strchr (copy, '#')) != NULL)
    {
      *hash++ = '\0';
      if (!g_ascii_string_to_unsigned (hash, 10, 1, G_MAXUINT16, &port, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid port '%s' in '%s'"), hash, spec);
          return FALSE;
        }
    }
  /* GInetAddress knows no scope; check the address without it and pass
   * the scope on for the daemon to resolve. */
  host = g_strdup (copy);
  if ((pct = strchr (host, '%')) != NULL)
    {
      if (pct[1] == '\0' || strchr (host, ':') == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid server address '%s'"), copy);
          return FALSE;
        }
      *pct = '\0';
    }
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("invalid server address '%s'"), copy);
      return FALSE;
    }
  *out_address = g_strdup (copy);
  *out_port = (guint16) port;
  *out_iface = g_strdup (at ? at : "");
  return TRUE;
}

/* ID or object path of a server or route. */
static gboolean
parse_object_ref (const char *arg, const char *prefix, char **out_path, GError **error)
{
  guint64 id;

  if (arg[0] == '/')
    {
      if (!g_variant_is_object_path (arg))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid object path '%s'"), arg);
          return FALSE;
        }
      *out_path = g_strdup (arg);
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (arg, 10, 0, G_MAXUINT64, &id, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("invalid ID '%s': expected a number or an object path"), arg);
      return FALSE;
    }
  *out_path = g_strdup_printf ("%s%" G_GUINT64_FORMAT, prefix, id);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Commands */

static gboolean
cmd_status (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) props = NULL;
  g_autoptr (GPtrArray) servers = NULL;
  g_autoptr (GPtrArray) routes = NULL;
  g_autoptr (GArray) fields = NULL;

  reply = call (ctl, HEARTH_ROOT_PATH, DBUS_PROPERTIES_IFACE, "GetAll",
                g_variant_new ("(s)", HEARTH_MANAGER_IFACE), G_VARIANT_TYPE ("(a{sv})"), FALSE,
                error);
  if (reply == NULL)
    return FALSE;
  props = g_variant_get_child_value (reply, 0);
  if (!load_objects (ctl, &servers, &routes, NULL, error))
    return FALSE;

  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      GVariantIter iter;
      const char *name;
      GVariant *value;

      json_builder_begin_object (b);
      g_variant_iter_init (&iter, props);
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          json_builder_set_member_name (b, name);
          json_builder_add_value (b, json_gvariant_serialize (value));
          g_variant_unref (value);
        }
      json_builder_set_member_name (b, "ServerCount");
      json_builder_add_int_value (b, servers->len);
      json_builder_set_member_name (b, "RouteCount");
      json_builder_add_int_value (b, routes->len);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json (ctl, root);
      return TRUE;
    }

  fields = g_array_new (FALSE, FALSE, sizeof (Field));
  g_array_set_clear_func (fields, field_clear);
  fields_add (fields, _("Version"), g_strdup (prop_string (props, "Version")));
  fields_add (fields, _("Cache size"), prop_unsigned_text (props, "CacheSize"));
  fields_add (fields, _("Cache entries"), prop_unsigned_text (props, "CacheEntries"));
  fields_add_list (fields, _("Listening on"), prop_strv (props, "ListenAddresses"));
  fields_add (fields, _("Servers"), g_strdup_printf ("%u", servers->len));
  fields_add (fields, _("Routes"), g_strdup_printf ("%u", routes->len));
  fields_print (fields);
  return TRUE;
}

static const char *const server_headers[] = {
  N_("ID"), N_("ADDRESS"), N_("INTERFACE"), N_("DOMAINS"), N_("OWNER"),
  N_("STATE"), N_("QUERIES"), N_("FAILURES"), N_("LATENCY"),
};
static const gboolean server_right[] = {
  TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, TRUE,
};
G_STATIC_ASSERT (G_N_ELEMENTS (server_headers) == G_N_ELEMENTS (server_right));

static gboolean
cmd_servers (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) servers = NULL;
  Table t;

  if (!load_objects (ctl, &servers, NULL, NULL, error))
    return FALSE;
  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonNode) root = objects_to_json ("Servers", servers);

      print_json (ctl, root);
      return TRUE;
    }

  table_init (&t, G_N_ELEMENTS (server_headers), server_headers, server_right);
  for (guint i = 0; i < servers->len; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (servers, i);
      g_auto (GStrv) domains = prop_strv (obj->props, "Domains");
      const char *iface = prop_string (obj->props, "Interface");
      const char *owner = prop_string (obj->props, "Owner");
      const char *state = prop_string (obj->props, "State");
      guint64 queries = 0, latency = 0;
      char *cells[G_N_ELEMENTS (server_headers)];

      prop_unsigned (obj->props, "Queries", &queries);
      cells[0] = object_label (obj->path, HEARTH_SERVER_PATH);
      cells[1] = server_address_text (obj->props);
      cells[2] = g_strdup (iface[0] ? iface : "-");
      cells[3] = domains_text ((const char *const *) domains);
      cells[4] = g_strdup (owner[0] ? owner : "-");
      cells[5] = g_strdup (state[0] ? state : "-");
      cells[6] = prop_unsigned_text (obj->props, "Queries");
      cells[7] = prop_unsigned_text (obj->props, "Failures");
      /* No answer yet: there is no latency to show, not a latency of 0. */
      if (prop_unsigned (obj->props, "LatencyMs", &latency) && (queries > 0 || latency > 0))
        cells[8] = g_strdup_printf (_("%u ms"), (guint) MIN (latency, G_MAXUINT));
      else
        cells[8] = g_strdup ("-");
      table_add_row (&t, cells);
    }
  table_print (&t, ctl->legend);
  table_clear (&t);
  if (ctl->legend)
    {
      printf ("\n");
      printf (ngettext ("%u server listed.\n", "%u servers listed.\n", servers->len), servers->len);
    }
  return TRUE;
}

static const char *const route_headers[] = {
  N_("ID"), N_("DOMAIN"), N_("ACTION"), N_("TARGETS"), N_("OWNER"),
};
static const gboolean route_right[] = { TRUE, FALSE, FALSE, FALSE, FALSE };
G_STATIC_ASSERT (G_N_ELEMENTS (route_headers) == G_N_ELEMENTS (route_right));

/* A route's servers as "ADDRESS#PORT" (their ID if they are not listed),
 * or its addresses. */
static char *
route_targets_text (HearthctlObject *route, GHashTable *servers_by_path)
{
  g_auto (GStrv) servers = prop_strv (route->props, "Servers");
  g_auto (GStrv) addresses = prop_strv (route->props, "Addresses");
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; servers[i] != NULL; i++)
    {
      HearthctlObject *server = g_hash_table_lookup (servers_by_path, servers[i]);

      if (out->len > 0)
        g_string_append_c (out, ',');
      if (server != NULL)
        {
          g_autofree char *text = server_address_text (server->props);

          g_string_append (out, text);
        }
      else
        g_string_append (out, servers[i]);
    }
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, addresses[i]);
    }
  if (out->len == 0)
    g_string_append_c (out, '-');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
cmd_routes (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) servers = NULL;
  g_autoptr (GPtrArray) routes = NULL;
  g_autoptr (GHashTable) servers_by_path = NULL;
  Table t;

  if (!load_objects (ctl, &servers, &routes, NULL, error))
    return FALSE;
  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonNode) root = objects_to_json ("Routes", routes);

      print_json (ctl, root);
      return TRUE;
    }

  servers_by_path = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < servers->len; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (servers, i);

      g_hash_table_insert (servers_by_path, obj->path, obj);
    }
  table_init (&t, G_N_ELEMENTS (route_headers), route_headers, route_right);
  for (guint i = 0; i < routes->len; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (routes, i);
      const char *owner = prop_string (obj->props, "Owner");
      char *cells[G_N_ELEMENTS (route_headers)];

      cells[0] = object_label (obj->path, HEARTH_ROUTE_PATH);
      cells[1] = g_strdup (domain_text (prop_string (obj->props, "Domain")));
      cells[2] = g_strdup (prop_string (obj->props, "Action"));
      cells[3] = route_targets_text (obj, servers_by_path);
      cells[4] = g_strdup (owner[0] ? owner : "-");
      table_add_row (&t, cells);
    }
  table_print (&t, ctl->legend);
  table_clear (&t);
  if (ctl->legend)
    {
      printf ("\n");
      printf (ngettext ("%u route listed.\n", "%u routes listed.\n", routes->len), routes->len);
    }
  return TRUE;
}

/* What add-server and add-route print: the new object. */
static void
print_new_object (Hearthctl *ctl, const char *path, const char *prefix)
{
  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      guint64 id = id_from_path (path, prefix);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Id");
      if (id == G_MAXUINT64)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, (gint64) id);
      json_builder_set_member_name (b, "Path");
      json_builder_add_string_value (b, path);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json (ctl, root);
      return;
    }
  printf ("%s\n", path);
}

static gboolean
cmd_add_server (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *address = NULL;
  g_autofree char *iface = NULL;
  const char *path;
  guint16 port;

  if (!parse_server_spec (args[0], &address, &port, &iface, error))
    return FALSE;
  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "AddServer",
                g_variant_new ("(sqs^as)", address, port, iface, args + 1),
                G_VARIANT_TYPE ("(o)"), TRUE, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(&o)", &path);
  print_new_object (ctl, path, HEARTH_SERVER_PATH);
  return TRUE;
}

static gboolean
cmd_add_route (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  const char *path;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "AddRoute",
                g_variant_new ("(ss^as)", args[0], args[1], args + 2), G_VARIANT_TYPE ("(o)"),
                TRUE, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(&o)", &path);
  print_new_object (ctl, path, HEARTH_ROUTE_PATH);
  return TRUE;
}

/* Delete() on a server or route; an object that is not there (or is not
 * of that kind) is reported in words rather than as a missing method. */
static gboolean
delete_object (Hearthctl *ctl, const char *arg, gboolean is_server, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *path = NULL;
  const char *prefix = is_server ? HEARTH_SERVER_PATH : HEARTH_ROUTE_PATH;
  const char *iface = is_server ? HEARTH_SERVER_IFACE : HEARTH_ROUTE_IFACE;

  if (!parse_object_ref (arg, prefix, &path, error))
    return FALSE;
  reply = call (ctl, path, iface, "Delete", NULL, G_VARIANT_TYPE_UNIT, TRUE, &local_error);
  if (reply != NULL)
    return TRUE;
  if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
      || g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
      || g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    {
      if (is_server)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no server '%s'"), arg);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no route '%s'"), arg);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
cmd_del_server (Hearthctl *ctl, char **args, GError **error)
{
  return delete_object (ctl, args[0], TRUE, error);
}

static gboolean
cmd_del_route (Hearthctl *ctl, char **args, GError **error)
{
  return delete_object (ctl, args[0], FALSE, error);
}

static const char *const link_headers[] = {
  N_("IDX"), N_("NAME"), N_("STATE"), N_("CARRIER"), N_("DNS"), N_("ADDRESSES"), N_("SERVERS"), N_("DOMAINS"),
};
static const gboolean link_right[] = { TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE };
G_STATIC_ASSERT (G_N_ELEMENTS (link_headers) == G_N_ELEMENTS (link_right));

static gboolean
prop_boolean (GVariant *props, const char *name)
{
  g_autoptr (GVariant) v = g_variant_lookup_value (props, name, G_VARIANT_TYPE_BOOLEAN);

  return v != NULL && g_variant_get_boolean (v);
}

static char *
list_text (GStrv values)
{
  return values[0] != NULL ? g_strjoinv (",", values) : g_strdup ("-");
}

static gboolean
cmd_links (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) links = NULL;
  Table t;

  if (!load_objects (ctl, NULL, NULL, &links, error))
    return FALSE;
  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonNode) root = objects_to_json ("Links", links);

      print_json (ctl, root);
      return TRUE;
    }
  table_init (&t, G_N_ELEMENTS (link_headers), link_headers, link_right);
  for (guint i = 0; i < links->len; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (links, i);
      g_auto (GStrv) addresses = prop_strv (obj->props, "Addresses");
      g_auto (GStrv) servers = prop_strv (obj->props, "Servers");
      g_auto (GStrv) domains = prop_strv (obj->props, "Domains");
      char *cells[G_N_ELEMENTS (link_headers)];

      cells[0] = prop_unsigned_text (obj->props, "Index");
      cells[1] = g_strdup (prop_string (obj->props, "Name"));
      cells[2] = g_strdup (prop_string (obj->props, "OperationalState"));
      cells[3] = g_strdup (prop_boolean (obj->props, "Carrier") ? _("yes") : _("no"));
      cells[4] = g_strdup (prop_boolean (obj->props, "Listening") ? _("listening") : "-");
      cells[5] = list_text (addresses);
      cells[6] = list_text (servers);
      cells[7] = list_text (domains);
      table_add_row (&t, cells);
    }
  table_print (&t, ctl->legend);
  table_clear (&t);
  if (ctl->legend)
    {
      printf ("\n");
      printf (ngettext ("%u link listed.\n", "%u links listed.\n", links->len), links->len);
    }
  return TRUE;
}

/* A link by name or index, as its index. */
static gboolean
resolve_link (Hearthctl *ctl, const char *arg, guint32 *out_index, GError **error)
{
  g_autoptr (GPtrArray) links = NULL;
  guint64 index;

  if (g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT32, &index, NULL))
    {
      *out_index = (guint32) index;
      return TRUE;
    }
  if (strlen (arg) > IFACE_NAME_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s' is not an interface name"), arg);
      return FALSE;
    }
  if (!load_objects (ctl, NULL, NULL, &links, error))
    return FALSE;
  for (guint i = 0; i < links->len; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (links, i);

      if (strcmp (prop_string (obj->props, "Name"), arg) == 0 && prop_unsigned (obj->props, "Index", &index))
        {
          *out_index = (guint32) index;
          return TRUE;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no interface named '%s'"), arg);
  return FALSE;
}

static gboolean
link_set_list (Hearthctl *ctl, const char *method, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  guint32 index;

  if (!resolve_link (ctl, args[0], &index, error))
    return FALSE;
  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, method,
                g_variant_new ("(u^as)", index, args + 1), G_VARIANT_TYPE_UNIT, TRUE, error);
  return reply != NULL;
}

static gboolean
cmd_link_servers (Hearthctl *ctl, char **args, GError **error)
{
  return link_set_list (ctl, "SetLinkServers", args, error);
}

static gboolean
cmd_link_domains (Hearthctl *ctl, char **args, GError **error)
{
  return link_set_list (ctl, "SetLinkDomains", args, error);
}

static gboolean
cmd_revert_link (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  guint32 index;

  if (!resolve_link (ctl, args[0], &index, error))
    return FALSE;
  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "RevertLink", g_variant_new ("(u)", index),
                G_VARIANT_TYPE_UNIT, TRUE, error);
  return reply != NULL;
}

static gboolean
cmd_flush_cache (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "FlushCache",
                g_variant_new ("(s)", args[0] ? args[0] : ""), G_VARIANT_TYPE_UNIT, TRUE, error);
  return reply != NULL;
}

static gboolean
cmd_reload (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "Reload", NULL, G_VARIANT_TYPE_UNIT,
                TRUE, error);
  return reply != NULL;
}

static gboolean
cmd_stats (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) stats = NULL;
  GVariantIter iter;
  const char *name;
  guint64 value;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "GetStatistics", NULL,
                G_VARIANT_TYPE ("(a{st})"), FALSE, error);
  if (reply == NULL)
    return FALSE;
  stats = g_variant_get_child_value (reply, 0);

  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      g_variant_iter_init (&iter, stats);
      while (g_variant_iter_next (&iter, "{&st}", &name, &value))
        {
          json_builder_set_member_name (b, name);
          json_builder_add_int_value (b, (gint64) value);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json (ctl, root);
    }
  else
    {
      g_autoptr (GArray) fields = g_array_new (FALSE, FALSE, sizeof (Field));

      /* The counter names are the API's keys, not translated. */
      g_array_set_clear_func (fields, field_clear);
      g_variant_iter_init (&iter, stats);
      while (g_variant_iter_next (&iter, "{&st}", &name, &value))
        fields_add (fields, name, g_strdup_printf ("%" G_GUINT64_FORMAT, value));
      fields_print (fields);
    }
  return TRUE;
}

/* ---- DHCP ---- */

/* A lease time as the dhcp-range option writes it: "12h", "90m",
 * "infinite"; 0 (a host's "the range's") is "-". */
static char *
lease_time_text (guint64 seconds)
{
  static const struct
  {
    guint64 unit;
    char suffix;
  } units[] = { { 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' } };

  if (seconds == G_MAXUINT32)
    return g_strdup (_("infinite"));
  if (seconds == 0)
    return g_strdup ("-");
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (seconds % units[i].unit == 0)
      return g_strdup_printf ("%" G_GUINT64_FORMAT "%c", seconds / units[i].unit, units[i].suffix);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "s", seconds);
}

/* How long until an epoch time, in its two largest units ("1h2m",
 * "59m58s", "3d4h"); "never" for 0. */
static char *
expires_text (guint64 expires)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 left, d, h, m, sec;

  if (expires == 0)
    return g_strdup (_("never"));
  if ((gint64) expires <= now)
    return g_strdup (_("expired"));
  left = expires - (guint64) now;
  d = left / 86400;
  h = left / 3600 % 24;
  m = left / 60 % 60;
  sec = left % 60;
  if (d > 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "d%" G_GUINT64_FORMAT "h", d, h);
  if (h > 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "h%" G_GUINT64_FORMAT "m", h, m);
  if (m > 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "m%" G_GUINT64_FORMAT "s", m, sec);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "s", sec);
}

/* "set:a,tag:b,tag:!c" from SetTag and MatchTags, with "ignore" for a
 * host that is never answered; "-" for none. */
static char *
tags_text (GVariant *props)
{
  g_auto (GStrv) match = prop_strv (props, "MatchTags");
  const char *set = prop_string (props, "SetTag");
  g_autoptr (GString) out = g_string_new (NULL);

  if (set[0] != '\0')
    g_string_append_printf (out, "set:%s", set);
  for (guint i = 0; match[i] != NULL; i++)
    g_string_append_printf (out, "%stag:%s", out->len ? "," : "", match[i]);
  if (prop_boolean (props, "Ignore"))
    g_string_append_printf (out, "%s%s", out->len ? "," : "", "ignore");
  if (out->len == 0)
    g_string_append_c (out, '-');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
dash_if_empty (const char *s)
{
  return s[0] != '\0' ? s : "-";
}

/* The objects as JSON, or the table; TRUE when the caller is to print
 * the count that ends the legend. */
static gboolean
print_dhcp_list (Hearthctl *ctl, const char *member, GPtrArray *objects, Table *t)
{
  if (ctl->json != JSON_OFF)
    {
      g_autoptr (JsonNode) root = objects_to_json (member, objects);

      print_json (ctl, root);
      return FALSE;
    }
  table_print (t, ctl->legend);
  if (ctl->legend)
    printf ("\n");
  return ctl->legend;
}

static const char *const range_headers[] = {
  N_("ID"), N_("START"), N_("END"), N_("MODE"), N_("LEASE"), N_("TAGS"), N_("USAGE"), N_("OWNER"),
};
static const gboolean range_right[] = { TRUE, FALSE, FALSE, FALSE, TRUE, FALSE, TRUE, FALSE };
G_STATIC_ASSERT (G_N_ELEMENTS (range_headers) == G_N_ELEMENTS (range_right));

static gboolean
cmd_ranges (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) ranges = load_kind (ctl, KIND_RANGE, error);
  Table t;

  if (ranges == NULL)
    return FALSE;
  table_init (&t, G_N_ELEMENTS (range_headers), range_headers, range_right);
  for (guint i = 0; i < ranges->len && ctl->json == JSON_OFF; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (ranges, i);
      const char *mode = prop_string (obj->props, "Mode");
      guint64 lease = 0, usage = 0, size = 0;
      char *cells[G_N_ELEMENTS (range_headers)];

      prop_unsigned (obj->props, "LeaseTime", &lease);
      prop_unsigned (obj->props, "Usage", &usage);
      prop_unsigned (obj->props, "Size", &size);
      cells[0] = object_label (obj->path, HEARTH_RANGE_PATH);
      cells[1] = g_strdup (prop_string (obj->props, "Start"));
      cells[2] = g_strdup (prop_string (obj->props, "End"));
      cells[3] = g_strdup (mode);
      cells[4] = lease_time_text (lease);
      cells[5] = tags_text (obj->props);
      cells[6] = strcmp (mode, "dynamic") == 0
                     ? g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, usage, size)
                     : g_strdup ("-");
      cells[7] = g_strdup (dash_if_empty (prop_string (obj->props, "Owner")));
      table_add_row (&t, cells);
    }
  if (print_dhcp_list (ctl, "DhcpRanges", ranges, &t))
    printf (ngettext ("%u range listed.\n", "%u ranges listed.\n", ranges->len), ranges->len);
  table_clear (&t);
  return TRUE;
}

static const char *const host_headers[] = {
  N_("ID"), N_("HWADDR"), N_("CLIENT-ID"), N_("ADDRESS"), N_("NAME"), N_("LEASE"), N_("TAGS"), N_("OWNER"),
};
static const gboolean host_right[] = { TRUE, FALSE, FALSE, FALSE, FALSE, TRUE, FALSE, FALSE };
G_STATIC_ASSERT (G_N_ELEMENTS (host_headers) == G_N_ELEMENTS (host_right));

static gboolean
cmd_hosts (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) hosts = load_kind (ctl, KIND_HOST, error);
  Table t;

  if (hosts == NULL)
    return FALSE;
  table_init (&t, G_N_ELEMENTS (host_headers), host_headers, host_right);
  for (guint i = 0; i < hosts->len && ctl->json == JSON_OFF; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (hosts, i);
      g_auto (GStrv) macs = prop_strv (obj->props, "HardwareAddresses");
      g_auto (GStrv) ids = prop_strv (obj->props, "ClientIds");
      guint64 lease = 0;
      char *cells[G_N_ELEMENTS (host_headers)];

      prop_unsigned (obj->props, "LeaseTime", &lease);
      cells[0] = object_label (obj->path, HEARTH_HOST_PATH);
      cells[1] = list_text (macs);
      cells[2] = list_text (ids);
      cells[3] = g_strdup (dash_if_empty (prop_string (obj->props, "Address")));
      cells[4] = g_strdup (dash_if_empty (prop_string (obj->props, "Name")));
      cells[5] = lease_time_text (lease);
      cells[6] = tags_text (obj->props);
      cells[7] = g_strdup (dash_if_empty (prop_string (obj->props, "Owner")));
      table_add_row (&t, cells);
    }
  if (print_dhcp_list (ctl, "Hosts", hosts, &t))
    printf (ngettext ("%u host listed.\n", "%u hosts listed.\n", hosts->len), hosts->len);
  table_clear (&t);
  return TRUE;
}

static guint32
lease_address_key (HearthctlObject *obj)
{
  struct in_addr a;

  if (inet_pton (AF_INET, prop_string (obj->props, "Address"), &a) != 1)
    return G_MAXUINT32;
  return g_ntohl (a.s_addr);
}

static int
compare_leases (gconstpointer a, gconstpointer b)
{
  HearthctlObject *x = *(HearthctlObject *const *) a;
  HearthctlObject *y = *(HearthctlObject *const *) b;
  guint32 kx = lease_address_key (x), ky = lease_address_key (y);

  if (kx != ky)
    return kx < ky ? -1 : 1;
  return compare_objects (a, b);
}

static const char *const lease_headers[] = {
  N_("ADDRESS"), N_("HWADDR"), N_("HOSTNAME"), N_("CLIENT-ID"), N_("EXPIRES"), N_("INTERFACE"),
};
static const gboolean lease_right[] = { FALSE, FALSE, FALSE, FALSE, TRUE, FALSE };
G_STATIC_ASSERT (G_N_ELEMENTS (lease_headers) == G_N_ELEMENTS (lease_right));

static gboolean
cmd_leases (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GPtrArray) leases = load_kind (ctl, KIND_LEASE, error);
  Table t;

  if (leases == NULL)
    return FALSE;
  /* People look leases up by address. */
  g_ptr_array_sort (leases, compare_leases);
  table_init (&t, G_N_ELEMENTS (lease_headers), lease_headers, lease_right);
  for (guint i = 0; i < leases->len && ctl->json == JSON_OFF; i++)
    {
      HearthctlObject *obj = g_ptr_array_index (leases, i);
      guint64 expires = 0;
      char *cells[G_N_ELEMENTS (lease_headers)];

      prop_unsigned (obj->props, "Expires", &expires);
      cells[0] = g_strdup (prop_string (obj->props, "Address"));
      cells[1] = g_strdup (dash_if_empty (prop_string (obj->props, "HardwareAddress")));
      cells[2] = g_strdup (dash_if_empty (prop_string (obj->props, "Hostname")));
      cells[3] = g_strdup (dash_if_empty (prop_string (obj->props, "ClientId")));
      cells[4] = expires_text (expires);
      cells[5] = g_strdup (dash_if_empty (prop_string (obj->props, "Interface")));
      table_add_row (&t, cells);
    }
  if (print_dhcp_list (ctl, "Leases", leases, &t))
    printf (ngettext ("%u lease listed.\n", "%u leases listed.\n", leases->len), leases->len);
  table_clear (&t);
  return TRUE;
}

/* A range or host by ID or object path, as its ID. */
static gboolean
parse_id_ref (const char *arg, const char *prefix, const char *what, guint32 *out_id, GError **error)
{
  g_autofree char *path = NULL;
  guint64 id;

  if (!parse_object_ref (arg, prefix, &path, error))
    return FALSE;
  id = id_from_path (path, prefix);
  if (id > G_MAXUINT32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s' is not a %s"), arg, what);
      return FALSE;
    }
  *out_id = (guint32) id;
  return TRUE;
}

static gboolean
add_dhcp_object (Hearthctl *ctl, const char *method, const char *spec, const char *prefix, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  const char *path;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, method, g_variant_new ("(s)", spec),
                G_VARIANT_TYPE ("(o)"), TRUE, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(&o)", &path);
  print_new_object (ctl, path, prefix);
  return TRUE;
}

static gboolean
cmd_add_range (Hearthctl *ctl, char **args, GError **error)
{
  return add_dhcp_object (ctl, "AddDhcpRange", args[0], HEARTH_RANGE_PATH, error);
}

static gboolean
cmd_add_host (Hearthctl *ctl, char **args, GError **error)
{
  return add_dhcp_object (ctl, "AddHost", args[0], HEARTH_HOST_PATH, error);
}

static gboolean
update_dhcp_object (Hearthctl *ctl, const char *method, char **args, const char *prefix, const char *what,
                    GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  guint32 id;

  if (!parse_id_ref (args[0], prefix, what, &id, error))
    return FALSE;
  if (args[1] != NULL)
    reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, method, g_variant_new ("(us)", id, args[1]),
                  G_VARIANT_TYPE_UNIT, TRUE, error);
  else
    reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, method, g_variant_new ("(u)", id),
                  G_VARIANT_TYPE_UNIT, TRUE, error);
  return reply != NULL;
}

static gboolean
cmd_update_range (Hearthctl *ctl, char **args, GError **error)
{
  return update_dhcp_object (ctl, "UpdateDhcpRange", args, HEARTH_RANGE_PATH, _("DHCP range"), error);
}

static gboolean
cmd_del_range (Hearthctl *ctl, char **args, GError **error)
{
  return update_dhcp_object (ctl, "RemoveDhcpRange", args, HEARTH_RANGE_PATH, _("DHCP range"), error);
}

static gboolean
cmd_update_host (Hearthctl *ctl, char **args, GError **error)
{
  return update_dhcp_object (ctl, "UpdateHost", args, HEARTH_HOST_PATH, _("DHCP host"), error);
}

static gboolean
cmd_del_host (Hearthctl *ctl, char **args, GError **error)
{
  return update_dhcp_object (ctl, "RemoveHost", args, HEARTH_HOST_PATH, _("DHCP host"), error);
}

static gboolean
cmd_release (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GVariant) reply = NULL;

  reply = call (ctl, HEARTH_ROOT_PATH, HEARTH_MANAGER_IFACE, "ReleaseLease", g_variant_new ("(s)", args[0]),
                G_VARIANT_TYPE_UNIT, TRUE, error);
  return reply != NULL;
}

/* ---- monitor ---- */

typedef struct
{
  Hearthctl *ctl;
  GMainLoop *loop;
  GError *error; /* why it stopped, if not by a signal */
} Monitor;

/* "server 3", "route 2" or "hearthd" for the manager, in a sentence of
 * the given kind; the kinds are whole sentences for translators. */
typedef enum
{
  EVENT_ADDED,
  EVENT_REMOVED,
  EVENT_CHANGED,
} EventKind;

/* What an object of each kind is called in monitor lines. */
static const struct
{
  const char *prefix;
  const char *noun;
} event_objects[] = {
  { HEARTH_SERVER_PATH, N_ ("server") },
  { HEARTH_ROUTE_PATH, N_ ("route") },
  { HEARTH_RANGE_PATH, N_ ("DHCP range") },
  { HEARTH_HOST_PATH, N_ ("DHCP host") },
  { HEARTH_LEASE_PATH, N_ ("lease") },
};

static void
print_event_text (EventKind kind, const char *path, const char *detail)
{
  g_autofree char *label = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (event_objects) && label == NULL; i++)
    if (id_from_path (path, event_objects[i].prefix) != G_MAXUINT64)
      {
        g_autofree char *id = object_label (path, event_objects[i].prefix);

        label = g_strdup_printf ("%s %s", _(event_objects[i].noun), id);
      }
  if (label == NULL && strcmp (path, HEARTH_ROOT_PATH) == 0 && kind == EVENT_CHANGED)
    label = g_strdup ("hearthd");
  if (label == NULL)
    label = g_strdup (path);
  switch (kind)
    {
    case EVENT_ADDED:
      printf (_("%s added: %s\n"), label, detail);
      break;
    case EVENT_REMOVED:
      printf (_("%s removed\n"), label);
      break;
    case EVENT_CHANGED:
      printf (_("%s changed: %s\n"), label, detail);
      break;
    }
  fflush (stdout);
}

/* The start of a JSON event line: Event, Path, and Type and Id for the
 * objects hearth documents. */
static JsonBuilder *
event_json_begin (const char *event, const char *path)
{
  JsonBuilder *b = json_builder_new ();
  const char *type = NULL;
  guint64 id;

  if ((id = id_from_path (path, HEARTH_SERVER_PATH)) != G_MAXUINT64)
    type = "server";
  else if ((id = id_from_path (path, HEARTH_ROUTE_PATH)) != G_MAXUINT64)
    type = "route";
  else if ((id = id_from_path (path, HEARTH_RANGE_PATH)) != G_MAXUINT64)
    type = "dhcp-range";
  else if ((id = id_from_path (path, HEARTH_HOST_PATH)) != G_MAXUINT64)
    type = "host";
  else if ((id = id_from_path (path, HEARTH_LEASE_PATH)) != G_MAXUINT64)
    type = "lease";
  else if (strcmp (path, HEARTH_ROOT_PATH) == 0)
    type = "manager";
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Event");
  json_builder_add_string_value (b, event);
  json_builder_set_member_name (b, "Path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "Type");
  if (type != NULL)
    json_builder_add_string_value (b, type);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "Id");
  if (id != G_MAXUINT64)
    json_builder_add_int_value (b, (gint64) id);
  else
    json_builder_add_null_value (b);
  return b;
}

static void
event_json_end (Monitor *m, JsonBuilder *b)
{
  g_autoptr (JsonNode) root = NULL;
  Hearthctl one_line = *m->ctl;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  /* A stream is read line by line: one event, one line, always. */
  one_line.json = JSON_SHORT;
  print_json (&one_line, root);
}

static void
add_props_json (JsonBuilder *b, const char *member, GVariant *props)
{
  GVariantIter iter;
  const char *name;
  GVariant *value;

  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      json_builder_set_member_name (b, name);
      json_builder_add_value (b, json_gvariant_serialize (value));
      g_variant_unref (value);
    }
  json_builder_end_object (b);
}

/* What an added object is, in one line of text. */
static char *
added_summary (const char *iface, GVariant *props)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *owner = prop_string (props, "Owner");

  if (strcmp (iface, HEARTH_SERVER_IFACE) == 0)
    {
      g_autofree char *address = server_address_text (props);
      g_auto (GStrv) domains = prop_strv (props, "Domains");
      const char *ifname = prop_string (props, "Interface");

      g_string_append (out, address);
      if (ifname[0] != '\0')
        g_string_append_printf (out, "@%s", ifname);
      if (domains[0] != NULL)
        {
          g_autofree char *text = domains_text ((const char *const *) domains);

          g_string_append_printf (out, _(", domains %s"), text);
        }
    }
  else if (strcmp (iface, HEARTH_ROUTE_IFACE) == 0)
    g_string_append_printf (out, "%s %s", domain_text (prop_string (props, "Domain")),
                            prop_string (props, "Action"));
  else if (strcmp (iface, HEARTH_LINK_IFACE) == 0)
    g_string_append_printf (out, _("interface %s"), prop_string (props, "Name"));
  else if (strcmp (iface, HEARTH_RANGE_IFACE) == 0 || strcmp (iface, HEARTH_HOST_IFACE) == 0)
    g_string_append (out, prop_string (props, "Spec"));
  else if (strcmp (iface, HEARTH_LEASE_IFACE) == 0)
    {
      const char *name = prop_string (props, "Hostname");

      g_string_append_printf (out, "%s %s", prop_string (props, "Address"), prop_string (props, "HardwareAddress"));
      if (name[0] != '\0')
        g_string_append_printf (out, " %s", name);
    }
  else
    g_string_append (out, iface);
  if (owner[0] != '\0')
    g_string_append_printf (out, _(", owner %s"), owner);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
on_interfaces_added (Monitor *m, GVariant *params)
{
  const char *path;
  g_autoptr (GVariant) ifaces = NULL;
  GVariantIter iter;
  const char *iface;
  GVariant *props;

  g_variant_get (params, "(&o@a{sa{sv}})", &path, &ifaces);
  g_variant_iter_init (&iter, ifaces);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &iface, &props))
    {
      if (g_str_has_prefix (iface, HEARTH_IFACE_PREFIX))
        {
          if (m->ctl->json != JSON_OFF)
            {
              g_autoptr (JsonBuilder) b = event_json_begin ("added", path);

              json_builder_set_member_name (b, "Interface");
              json_builder_add_string_value (b, iface);
              add_props_json (b, "Properties", props);
              event_json_end (m, b);
            }
          else
            {
              g_autofree char *summary = added_summary (iface, props);

              print_event_text (EVENT_ADDED, path, summary);
            }
        }
      g_variant_unref (props);
    }
}

static void
on_interfaces_removed (Monitor *m, GVariant *params)
{
  const char *path;
  g_autofree const char **ifaces = NULL;
  gboolean ours = FALSE;

  g_variant_get (params, "(&o^a&s)", &path, &ifaces);
  for (guint i = 0; ifaces[i] != NULL; i++)
    ours = ours || g_str_has_prefix (ifaces[i], HEARTH_IFACE_PREFIX);
  if (!ours)
    return;
  if (m->ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = event_json_begin ("removed", path);

      json_builder_set_member_name (b, "Interfaces");
      json_builder_begin_array (b);
      for (guint i = 0; ifaces[i] != NULL; i++)
        json_builder_add_string_value (b, ifaces[i]);
      json_builder_end_array (b);
      event_json_end (m, b);
    }
  else
    print_event_text (EVENT_REMOVED, path, NULL);
}

static void
on_properties_changed (Monitor *m, const char *path, GVariant *params)
{
  const char *iface;
  g_autoptr (GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;

  g_variant_get (params, "(&s@a{sv}^a&s)", &iface, &changed, &invalidated);
  if (!g_str_has_prefix (iface, HEARTH_IFACE_PREFIX)
      || !(g_str_has_prefix (path, HEARTH_ROOT_PATH "/") || strcmp (path, HEARTH_ROOT_PATH) == 0))
    return;
  if (m->ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = event_json_begin ("changed", path);

      json_builder_set_member_name (b, "Interface");
      json_builder_add_string_value (b, iface);
      add_props_json (b, "Changed", changed);
      json_builder_set_member_name (b, "Invalidated");
      json_builder_begin_array (b);
      for (guint i = 0; invalidated[i] != NULL; i++)
        json_builder_add_string_value (b, invalidated[i]);
      json_builder_end_array (b);
      event_json_end (m, b);
    }
  else
    {
      g_autoptr (GString) detail = g_string_new (NULL);
      GVariantIter iter;
      const char *name;
      GVariant *value;

      g_variant_iter_init (&iter, changed);
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          g_autofree char *text = value_text (value);

          g_string_append_printf (detail, "%s%s=%s", detail->len ? " " : "", name, text);
          g_variant_unref (value);
        }
      for (guint i = 0; invalidated[i] != NULL; i++)
        g_string_append_printf (detail, "%s%s", detail->len ? " " : "", invalidated[i]);
      if (detail->len > 0)
        print_event_text (EVENT_CHANGED, path, detail->str);
    }
}

static void
on_name_owner_changed (Monitor *m, GVariant *params)
{
  const char *name, *old_owner, *new_owner;

  g_variant_get (params, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (strcmp (name, m->ctl->destination) != 0)
    return;
  if (m->ctl->json != JSON_OFF)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      Hearthctl one_line = *m->ctl;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Event");
      json_builder_add_string_value (b, "owner-changed");
      json_builder_set_member_name (b, "Name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "Owner");
      json_builder_add_string_value (b, new_owner);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      one_line.json = JSON_SHORT;
      print_json (&one_line, root);
      return;
    }
  if (new_owner[0] == '\0')
    printf (_("%s left the bus\n"), name);
  else
    printf (_("%s is on the bus as %s\n"), name, new_owner);
  fflush (stdout);
}

static void
monitor_signal_cb (GDBusConnection *bus,
                   const char *sender,
                   const char *path,
                   const char *iface,
                   const char *member,
                   GVariant *params,
                   gpointer user_data)
{
  Monitor *m = user_data;

  if (strcmp (iface, DBUS_OM_IFACE) == 0 && strcmp (member, "InterfacesAdded") == 0
      && g_variant_is_of_type (params, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    on_interfaces_added (m, params);
  else if (strcmp (iface, DBUS_OM_IFACE) == 0 && strcmp (member, "InterfacesRemoved") == 0
           && g_variant_is_of_type (params, G_VARIANT_TYPE ("(oas)")))
    on_interfaces_removed (m, params);
  else if (strcmp (iface, DBUS_PROPERTIES_IFACE) == 0 && strcmp (member, "PropertiesChanged") == 0
           && g_variant_is_of_type (params, G_VARIANT_TYPE ("(sa{sv}as)")))
    on_properties_changed (m, path, params);
  else if (strcmp (member, "NameOwnerChanged") == 0
           && g_variant_is_of_type (params, G_VARIANT_TYPE ("(sss)")))
    on_name_owner_changed (m, params);
}

static gboolean
monitor_quit_cb (gpointer user_data)
{
  Monitor *m = user_data;

  g_main_loop_quit (m->loop);
  return G_SOURCE_CONTINUE;
}

static void
monitor_bus_closed_cb (GDBusConnection *bus, gboolean remote_peer_vanished, GError *error,
                       gpointer user_data)
{
  Monitor *m = user_data;

  if (m->error == NULL)
    m->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                    _("the connection to the bus was closed"));
  g_main_loop_quit (m->loop);
}

static gboolean
cmd_monitor (Hearthctl *ctl, char **args, GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) owner_error = NULL;
  Monitor m = { ctl, loop, NULL };
  guint subs[4];
  guint sigint, sigterm;
  gulong closed;

  /* Match rules first, then one round trip to the bus: the bus handles a
   * connection's messages in order, so once GetNameOwner returns, no
   * change made after this point can be missed. */
  subs[0] = g_dbus_connection_signal_subscribe (ctl->bus, ctl->destination, DBUS_OM_IFACE,
                                                "InterfacesAdded", HEARTH_ROOT_PATH, NULL,
                                                G_DBUS_SIGNAL_FLAGS_NONE, monitor_signal_cb, &m,
                                                NULL);
  subs[1] = g_dbus_connection_signal_subscribe (ctl->bus, ctl->destination, DBUS_OM_IFACE,
                                                "InterfacesRemoved", HEARTH_ROOT_PATH, NULL,
                                                G_DBUS_SIGNAL_FLAGS_NONE, monitor_signal_cb, &m,
                                                NULL);
  subs[2] = g_dbus_connection_signal_subscribe (ctl->bus, ctl->destination,
                                                DBUS_PROPERTIES_IFACE, "PropertiesChanged", NULL,
                                                NULL, G_DBUS_SIGNAL_FLAGS_NONE, monitor_signal_cb,
                                                &m, NULL);
  subs[3] = g_dbus_connection_signal_subscribe (ctl->bus, "org.freedesktop.DBus",
                                                "org.freedesktop.DBus", "NameOwnerChanged",
                                                "/org/freedesktop/DBus", ctl->destination,
                                                G_DBUS_SIGNAL_FLAGS_NONE, monitor_signal_cb, &m,
                                                NULL);
  closed = g_signal_connect (ctl->bus, "closed", G_CALLBACK (monitor_bus_closed_cb), &m);
  sigint = g_unix_signal_add (SIGINT, monitor_quit_cb, &m);
  sigterm = g_unix_signal_add (SIGTERM, monitor_quit_cb, &m);

  reply = g_dbus_connection_call_sync (ctl->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", ctl->destination),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &owner_error);
  if (reply == NULL && !g_dbus_error_is_remote_error (owner_error))
    m.error = g_steal_pointer (&owner_error);
  else
    {
      /* On stderr, so that stdout holds only events (the legend of this
       * command); scripts may wait for it to know nothing is missed. */
      if (ctl->legend && reply == NULL)
        g_printerr (_("%s is not on the bus; waiting for it. Press Ctrl+C to stop.\n"),
                    ctl->destination);
      else if (ctl->legend)
        g_printerr (_("Monitoring %s. Press Ctrl+C to stop.\n"), ctl->destination);
      g_main_loop_run (loop);
    }

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handler_disconnect (ctl->bus, closed);
  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    g_dbus_connection_signal_unsubscribe (ctl->bus, subs[i]);
  if (m.error != NULL)
    {
      g_propagate_error (error, m.error);
      return FALSE;
    }
  return TRUE;
}

static const HearthctlCommand commands[] = {
  { "status", 0, 0, cmd_status },
  { "servers", 0, 0, cmd_servers },
  { "routes", 0, 0, cmd_routes },
  { "add-server", 1, G_MAXUINT, cmd_add_server },
  { "del-server", 1, 1, cmd_del_server },
  { "add-route", 2, G_MAXUINT, cmd_add_route },
  { "del-route", 1, 1, cmd_del_route },
  { "flush-cache", 0, 1, cmd_flush_cache },
  { "reload", 0, 0, cmd_reload },
  { "stats", 0, 0, cmd_stats },
  { "monitor", 0, 0, cmd_monitor },
  { "links", 0, 0, cmd_links },
  { "link-servers", 1, G_MAXUINT, cmd_link_servers },
  { "link-domains", 1, G_MAXUINT, cmd_link_domains },
  { "revert-link", 1, 1, cmd_revert_link },
  { "leases", 0, 0, cmd_leases },
  { "ranges", 0, 0, cmd_ranges },
  { "hosts", 0, 0, cmd_hosts },
  { "release", 1, 1, cmd_release },
  { "add-range", 1, 1, cmd_add_range },
  { "update-range", 2, 2, cmd_update_range },
  { "del-range", 1, 1, cmd_del_range },
  { "add-host", 1, 1, cmd_add_host },
  { "update-host", 2, 2, cmd_update_host },
  { "del-host", 1, 1, cmd_del_host },
};

/* ------------------------------------------------------------------ */
/* Command line */

static void
print_help (void)
{
  printf (_("Usage: %s [OPTION...] COMMAND [ARGUMENT...]\n"), g_get_prgname ());
  printf ("\n");
  printf (_("Query and change the running hearthd over D-Bus.\n"));
  printf ("\n");
  printf (_("Commands:\n"));
  printf (_("  status                        Show version, cache and listen addresses (default)\n"));
  printf (_("  servers                       List upstream servers\n"));
  printf (_("  routes                        List domain routes\n"));
  printf (_("  add-server ADDRESS[#PORT][@IFACE] [DOMAIN...]\n"
            "                                Add an upstream server\n"));
  printf (_("  del-server ID|PATH            Remove a server\n"));
  printf (_("  add-route DOMAIN ACTION [SERVER...]\n"
            "                                Add a route (forward, local, block, default)\n"));
  printf (_("  del-route ID|PATH             Remove a route\n"));
  printf (_("  flush-cache [DOMAIN]          Remove cached answers (all, or of DOMAIN)\n"));
  printf (_("  reload                        Clear the cache, read hosts and resolv files again\n"));
  printf (_("  stats                         Show the daemon's counters\n"));
  printf (_("  monitor                       Print changes as they happen\n"));
  printf (_("  links                         List network interfaces, their DNS servers and domains\n"));
  printf (_("  link-servers IFACE [SERVER...]\n"
            "                                Set an interface's DNS servers (none: remove them)\n"));
  printf (_("  link-domains IFACE [DOMAIN...]\n"
            "                                Set the domains routed to an interface's servers\n"));
  printf (_("  revert-link IFACE             Forget an interface's servers and domains\n"));
  printf (_("  leases                        List DHCP leases\n"));
  printf (_("  ranges                        List DHCP ranges and their usage\n"));
  printf (_("  hosts                         List DHCP host reservations\n"));
  printf (_("  release ADDRESS               End the DHCP lease on ADDRESS\n"));
  printf (_("  add-range SPEC                Add a DHCP range (dhcp-range syntax)\n"));
  printf (_("  update-range ID|PATH SPEC     Change a DHCP range added over D-Bus\n"));
  printf (_("  del-range ID|PATH             Remove a DHCP range added over D-Bus\n"));
  printf (_("  add-host SPEC                 Add a DHCP host reservation (dhcp-host syntax)\n"));
  printf (_("  update-host ID|PATH SPEC      Change a DHCP host added over D-Bus\n"));
  printf (_("  del-host ID|PATH              Remove a DHCP host added over D-Bus\n"));
  printf ("\n");
  printf (_("Options:\n"));
  printf (_("  -h --help                     Show this help\n"));
  printf (_("     --version                  Show the version\n"));
  printf (_("     --system                   Connect to the system bus (default)\n"));
  printf (_("     --session                  Connect to the session bus\n"));
  printf (_("     --address=ADDRESS          Connect to the bus at ADDRESS\n"));
  printf (_("     --destination=NAME         Talk to NAME (default %s)\n"), HEARTH_BUS_NAME);
  printf (_("     --json[=short|pretty]      Print JSON (one line, or indented)\n"));
  printf (_("     --no-legend                Leave out column headings and summaries\n"));
  printf ("\n");
  printf (_("See the hearthctl(1) man page for details.\n"));
}

static JsonMode json_mode = JSON_OFF;

static gboolean
parse_json_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  if (value == NULL || strcmp (value, "short") == 0)
    json_mode = JSON_SHORT;
  else if (strcmp (value, "pretty") == 0)
    json_mode = JSON_PRETTY;
  else if (strcmp (value, "off") == 0)
    json_mode = JSON_OFF;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("invalid value '%s' for --json (expected short, pretty or off)"), value);
      return FALSE;
    }
  return TRUE;
}

static GDBusConnection *
connect_bus (gboolean session, const char *address, GError **error)
{
  g_autoptr (GDBusConnection) bus = NULL;

  if (address != NULL)
    bus = g_dbus_connection_new_for_address_sync (
        address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, error);
  else
    bus = g_bus_get_sync (session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, error);
  if (bus == NULL)
    return NULL;
  /* A bus that goes away is an error to report, not a reason to die by
   * SIGTERM (GDBus's default for the shared connections). */
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  return g_steal_pointer (&bus);
}

/* The message for an error from a call: without GDBus's remote-error
 * prefix, and in words for a daemon that is not there. */
static char *
error_message (Hearthctl *ctl, GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    return g_strdup_printf (_("%s is not on the bus (is hearthd running with D-Bus enabled?)"),
                            ctl->destination);
  g_dbus_error_strip_remote_error (error);
  return g_strdup (error->message);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autofree char *address = NULL;
  g_autofree char *destination = NULL;
  gboolean opt_system = FALSE, opt_session = FALSE, opt_no_legend = FALSE;
  gboolean opt_help = FALSE, opt_version = FALSE;
  const HearthctlCommand *command = NULL;
  const char *name;
  char **args;
  guint nargs;
  Hearthctl ctl = { 0 };
  const GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &opt_help, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, NULL, NULL },
    { "system", 0, 0, G_OPTION_ARG_NONE, &opt_system, NULL, NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &opt_session, NULL, NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, NULL, NULL },
    { "destination", 0, 0, G_OPTION_ARG_STRING, &destination, NULL, NULL },
    { "json", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer) parse_json_option, NULL, NULL },
    { "no-legend", 0, 0, G_OPTION_ARG_NONE, &opt_no_legend, NULL, NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("hearthctl");

  /* GOption gives an option with an optional value the next word as its
   * value ("--json servers" would read "servers"); a bare --json means
   * --json=short. */
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--json") == 0)
      argv[i] = (char *) "--json=short";

  /* Our own help, which lists the commands; GOption only parses. */
  context = g_option_context_new (NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      g_printerr (_("Try '%s --help' for more information.\n"), g_get_prgname ());
      return HEARTHCTL_EXIT_USAGE;
    }
  if (opt_help)
    {
      print_help ();
      return HEARTHCTL_EXIT_OK;
    }
  if (opt_version)
    {
      printf ("hearthctl %s\n", PACKAGE_VERSION);
      return HEARTHCTL_EXIT_OK;
    }
  if ((opt_system ? 1 : 0) + (opt_session ? 1 : 0) + (address != NULL ? 1 : 0) > 1)
    {
      g_printerr (_("%s: --system, --session and --address exclude each other\n"),
                  g_get_prgname ());
      return HEARTHCTL_EXIT_USAGE;
    }
  if (destination != NULL && !g_dbus_is_name (destination))
    {
      g_printerr (_("%s: invalid bus name '%s'\n"), g_get_prgname (), destination);
      return HEARTHCTL_EXIT_USAGE;
    }

  /* argv[0] is the program; a leading "--" is what GOption leaves of the
   * end-of-options marker. */
  args = argv + 1;
  nargs = argc > 1 ? (guint) argc - 1 : 0;
  if (nargs > 0 && strcmp (args[0], "--") == 0)
    {
      args++;
      nargs--;
    }
  name = nargs > 0 ? args[0] : "status";
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      command = &commands[i];
  if (command == NULL)
    {
      g_printerr (_("%s: unknown command '%s'\n"), g_get_prgname (), name);
      g_printerr (_("Try '%s --help' for more information.\n"), g_get_prgname ());
      return HEARTHCTL_EXIT_USAGE;
    }
  if (nargs > 0)
    {
      args++;
      nargs--;
    }
  if (nargs < command->min_args || nargs > command->max_args)
    {
      g_printerr (nargs < command->min_args ? _("%s: too few arguments for '%s'\n")
                                            : _("%s: too many arguments for '%s'\n"),
                  g_get_prgname (), command->name);
      g_printerr (_("Try '%s --help' for more information.\n"), g_get_prgname ());
      return HEARTHCTL_EXIT_USAGE;
    }

  bus = connect_bus (opt_session, address, &error);
  if (bus == NULL)
    {
      g_printerr (_("%s: cannot connect to the bus: %s\n"), g_get_prgname (), error->message);
      return HEARTHCTL_EXIT_FAILURE;
    }
  ctl.bus = bus;
  ctl.destination = destination ? destination : HEARTH_BUS_NAME;
  ctl.json = json_mode;
  ctl.legend = !opt_no_legend;

  if (!command->func (&ctl, args, &error))
    {
      g_autofree char *message = error_message (&ctl, error);

      g_printerr ("%s: %s\n", g_get_prgname (), message);
      return HEARTHCTL_EXIT_FAILURE;
    }
  return HEARTHCTL_EXIT_OK;
}
