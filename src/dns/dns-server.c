/* Upstream servers, --server/--local values, resolv.conf, and the routing
 * table that picks the servers for a query name (see dns-server.h).
 *
 * The parsers follow dnsmasq's --server syntax as its man page describes
 * it: "[/[domain]/[domain/]][addr[#port]][@interface][@source[#port]]",
 * with "#" for "the default servers" and nothing for "local only". Server
 * addresses must be numeric; dnsmasq's resolve-a-hostname-at-startup form is
 * rejected, since it would make parsing depend on the network.
 *
 * The routing table keeps one route per domain, keyed on the lower-case
 * wire form so a query name is matched without converting it to text: the
 * lookup lower-cases the name once into a stack buffer and tries each
 * suffix at a label boundary, longest first. "*" patterns (dnsmasq's
 * substring suffixes, "*example.com" between the slashes) are rare, kept
 * in a short list and checked only when there are some. Nothing here
 * sends queries, watches files or keeps server up/down state; the
 * forwarder does.
 */
#include "config.h"

#include "dns/dns-server.h"

#include "dns/dns-packet.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#define DOMAIN_TEXT_MAX 253 /* presentation form without the final dot */

/* ---- servers ---- */

HearthDnsServer *
hearth_dns_server_ref (HearthDnsServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  /* Plain counting: servers live on the daemon's one thread. */
  server->ref_count++;
  return server;
}

void
hearth_dns_server_unref (HearthDnsServer *server)
{
  if (server == NULL)
    return;
  g_return_if_fail (server->ref_count > 0);
  if (--server->ref_count > 0)
    return;
  g_free (server->interface);
  g_free (server->owner);
  g_free (server->text);
  g_free (server);
}

static gboolean
sockaddr_equal (const struct sockaddr_storage *a,
                socklen_t a_len,
                const struct sockaddr_storage *b,
                socklen_t b_len)
{
  if (a_len != b_len)
    return FALSE;
  if (a_len == 0)
    return TRUE;
  if (a->ss_family != b->ss_family)
    return FALSE;
  if (a->ss_family == AF_INET)
    {
      const struct sockaddr_in *x = (const struct sockaddr_in *) a,
                               *y = (const struct sockaddr_in *) b;

      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
  if (a->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *x = (const struct sockaddr_in6 *) a,
                                *y = (const struct sockaddr_in6 *) b;

      return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
             memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
  return memcmp (a, b, a_len) == 0;
}

gboolean
hearth_dns_server_same_target (const HearthDnsServer *a, const HearthDnsServer *b)
{
  return sockaddr_equal (&a->addr, a->addr_len, &b->addr, b->addr_len) &&
         sockaddr_equal (&a->source, a->source_len, &b->source, b->source_len) &&
         g_strcmp0 (a->interface, b->interface) == 0;
}

/* "1" .. "65535", digits only (no sign, no spaces, no hex). */
static gboolean
parse_port (const char *text, guint16 *out_port)
{
  guint value = 0;

  if (*text == '\0' || strlen (text) > 5)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint) (*p - '0');
    }
  if (value == 0 || value > 65535)
    return FALSE;
  *out_port = (guint16) value;
  return TRUE;
}

/* What Linux accepts as an interface name, less what would make the
 * printable form ambiguous. */
static gboolean
interface_name_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len >= IF_NAMESIZE || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p) || *p == '/' || *p == '#' || *p == '@' || *p == '%')
      return FALSE;
  return TRUE;
}

/* A numeric address, with "%scope" allowed on IPv6, into *ss with port.
 * text is modified (the '%' cut). *out_scope points into text (or NULL). */
static gboolean
parse_ip (
    char *text, guint16 port, struct sockaddr_storage *ss, socklen_t *out_len, char **out_scope)
{
  char *scope = strchr (text, '%');
  struct sockaddr_in *sin = (struct sockaddr_in *) ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

  memset (ss, 0, sizeof *ss);
  if (scope != NULL)
    *scope++ = '\0';
  if (scope == NULL && inet_pton (AF_INET, text, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons (port);
      *out_len = sizeof *sin;
      *out_scope = NULL;
      return TRUE;
    }
  if (inet_pton (AF_INET6, text, &sin6->sin6_addr) != 1)
    return FALSE;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons (port);
  if (scope != NULL)
    {
      guint64 index = 0;

      if (!interface_name_valid (scope))
        return FALSE;
      /* A scope that names no interface (yet) is kept by name and left 0:
       * the interface may come later, and the forwarder binds by name. */
      if (g_ascii_string_to_unsigned (scope, 10, 1, G_MAXUINT32, &index, NULL))
        sin6->sin6_scope_id = (guint32) index;
      else
        sin6->sin6_scope_id = if_nametoindex (scope);
    }
  *out_len = sizeof *sin6;
  *out_scope = scope;
  return TRUE;
}

static guint16
sockaddr_get_port (const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return ntohs (((const struct sockaddr_in *) ss)->sin_port);
  return ntohs (((const struct sockaddr_in6 *) ss)->sin6_port);
}

static void
append_sockaddr (GString *out,
                 const struct sockaddr_storage *ss,
                 const char *scope,
                 gboolean with_port)
{
  char buf[INET6_ADDRSTRLEN];

  if (ss->ss_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) ss)->sin_addr, buf, sizeof buf);
  else
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) ss)->sin6_addr, buf, sizeof buf);
  g_string_append (out, buf);
  if (scope != NULL)
    g_string_append_printf (out, "%%%s", scope);
  if (with_port)
    g_string_append_printf (out, "#%u", sockaddr_get_port (ss));
}

static gboolean
server_error (GError **error, const char *text, const char *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad server address '%s': %s"),
               text, reason);
  return FALSE;
}

gboolean
hearth_dns_server_parse (const char *text,
                         const char *owner,
                         HearthDnsServer **out_server,
                         GError **error)
{
  g_autofree char *copy = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (HearthDnsServer) server = NULL;
  g_autoptr (GString) printable = g_string_new (NULL);
  char *port_text, *scope = NULL, *source_scope = NULL;
  const char *at_interface = NULL;
  guint16 port = 53;
  guint n_parts;

  g_return_val_if_fail (text != NULL, FALSE);

  /* addr[#port] first, then at most two @ parts: an interface, a source
   * address[#port], or one of each, in either order. */
  parts = g_strsplit (text, "@", 0);
  n_parts = g_strv_length (parts);
  if (n_parts == 0 || n_parts > 3 || *parts[0] == '\0')
    return server_error (error, text, _ ("expected ADDR[#PORT][@SOURCE|@INTERFACE]"));

  server = g_new0 (HearthDnsServer, 1);
  server->ref_count = 1;
  copy = g_strdup (parts[0]);
  port_text = strchr (copy, '#');
  if (port_text != NULL)
    {
      *port_text++ = '\0';
      if (!parse_port (port_text, &port))
        return server_error (error, text, _ ("the port must be a number from 1 to 65535"));
    }
  if (!parse_ip (copy, port, &server->addr, &server->addr_len, &scope))
    return server_error (error, text, _ ("expected ADDR[#PORT][@SOURCE|@INTERFACE]"));
  if (scope != NULL)
    server->interface = g_strdup (scope);

  for (guint i = 1; i < n_parts; i++)
    {
      char *part = parts[i];
      char *source_port_text = strchr (part, '#');
      guint16 source_port = 0;
      struct sockaddr_storage ss;
      socklen_t ss_len = 0;
      char *ss_scope = NULL;

      if (source_port_text != NULL)
        {
          *source_port_text++ = '\0';
          if (!parse_port (source_port_text, &source_port))
            return server_error (error, text,
                                 _ ("the source port must be a number from 1 to 65535"));
        }
      if (parse_ip (part, source_port, &ss, &ss_len, &ss_scope))
        {
          if (server->source_len != 0)
            return server_error (error, text, _ ("more than one source address"));
          if (ss.ss_family != server->addr.ss_family)
            return server_error (error, text,
                                 _ ("the source address is not of the server's address family"));
          server->source = ss;
          server->source_len = ss_len;
          source_scope = ss_scope;
        }
      else if (source_port_text == NULL && interface_name_valid (part))
        {
          if (at_interface != NULL)
            return server_error (error, text, _ ("more than one interface"));
          if (server->interface != NULL && strcmp (server->interface, part) != 0)
            return server_error (error, text, _ ("the address scope and the @interface differ"));
          at_interface = part;
        }
      else
        return server_error (error, text, _ ("expected ADDR[#PORT][@SOURCE|@INTERFACE]"));
    }
  if (at_interface != NULL && server->interface == NULL)
    server->interface = g_strdup (at_interface);

  append_sockaddr (printable, &server->addr, scope, TRUE);
  if (at_interface != NULL && scope == NULL)
    g_string_append_printf (printable, "@%s", at_interface);
  if (server->source_len != 0)
    {
      g_string_append_c (printable, '@');
      append_sockaddr (printable, &server->source, source_scope,
                       sockaddr_get_port (&server->source) != 0);
    }
  server->text = g_string_free (g_steal_pointer (&printable), FALSE);
  server->owner = g_strdup (owner);
  *out_server = g_steal_pointer (&server);
  return TRUE;
}

/* ---- server specs ---- */

const char *
hearth_dns_route_kind_to_string (HearthDnsRouteKind kind)
{
  switch (kind)
    {
    case HEARTH_DNS_ROUTE_FORWARD:
      return "forward";
    case HEARTH_DNS_ROUTE_LOCAL:
      return "local";
    case HEARTH_DNS_ROUTE_DEFAULT:
      return "default";
    case HEARTH_DNS_ROUTE_ADDRESS:
      return "address";
    }
  return "unknown";
}

void
hearth_dns_server_spec_free (HearthDnsServerSpec *spec)
{
  if (spec == NULL)
    return;
  g_clear_pointer (&spec->domains, g_ptr_array_unref);
  g_clear_pointer (&spec->server, hearth_dns_server_unref);
  g_free (spec);
}

static gboolean
domain_error (
    GError **error, const char *option, const char *text, const char *domain, const char *reason)
{
  if (option == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad domain '%s': %s"), domain, reason);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _ ("bad %s value '%s': domain '%s': %s"), option, text, domain, reason);
  return FALSE;
}

/* Checks a lower-cased dotted name (no leading or trailing dot): labels of
 * 1 to 63 letters, digits, '-' or '_', at most 253 characters. */
static const char *
domain_check (const char *name)
{
  gsize label = 0;

  if (strlen (name) > DOMAIN_TEXT_MAX)
    return _ ("longer than 253 characters");
  for (const char *p = name;; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          if (label == 0)
            return _ ("empty label");
          if (label > 63)
            return _ ("label longer than 63 characters");
          if (*p == '\0')
            return NULL;
          label = 0;
        }
      else if (g_ascii_isalnum (*p) || *p == '-' || *p == '_')
        label++;
      else if (*p == '*')
        return _ ("'*' is only allowed at the start");
      else
        return _ ("only letters, digits, '-' and '_' are allowed in a label");
    }
}

/* One domain of a /dom/ list into its canonical form: lower case, without
 * the trailing dot, without a leading dot (dnsmasq's historical /.dom/ is
 * /dom/), "*" kept at the start of a wildcard; "" (from //) stays "". */
static gboolean
domain_normalize (
    const char *option, const char *text, const char *raw, char **out_domain, GError **error)
{
  g_autofree char *domain = g_ascii_strdown (raw, -1);
  gsize len = strlen (domain);
  const char *name;
  const char *problem;

  if (len == 0)
    {
      *out_domain = g_steal_pointer (&domain);
      return TRUE;
    }
  if (domain[len - 1] == '.')
    domain[--len] = '\0';
  if (domain[0] == '*')
    {
      /* "*" alone matches every name; "*.dom" every name under dom;
       * "*dom" any name ending in the characters "dom". */
      name = domain[1] == '.' ? domain + 2 : domain + 1;
      if (domain[1] == '.' && *name == '\0')
        return domain_error (error, option, text, raw, _ ("empty label"));
    }
  else
    {
      if (domain[0] == '.')
        memmove (domain, domain + 1, len--);
      if (len == 0)
        return domain_error (
            error, option, text, raw,
            _ ("the root is not a domain here (use no domain for default servers)"));
      name = domain;
    }
  if (*name != '\0' && (problem = domain_check (name)) != NULL)
    return domain_error (error, option, text, raw, problem);
  *out_domain = g_steal_pointer (&domain);
  return TRUE;
}

gboolean
hearth_dns_domain_normalize (const char *raw, char **out_domain, GError **error)
{
  g_return_val_if_fail (raw != NULL, FALSE);
  return domain_normalize (NULL, raw, raw, out_domain, error);
}

static gboolean
spec_parse (const char *option,
            const char *text,
            const char *owner,
            HearthDnsServerSpec **out_spec,
            GError **error)
{
  g_autoptr (HearthDnsServerSpec) spec = g_new0 (HearthDnsServerSpec, 1);
  const char *last_slash, *rest;

  g_return_val_if_fail (text != NULL, FALSE);

  spec->domains = g_ptr_array_new_with_free_func (g_free);
  spec->kind = HEARTH_DNS_ROUTE_FORWARD;
  if (text[0] != '/')
    rest = text;
  else
    {
      g_autofree char *list = NULL;
      g_auto (GStrv) domains = NULL;

      last_slash = strrchr (text, '/');
      if (last_slash == text)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("bad %s value '%s': no domain terminator (expected /DOMAIN/[ADDR])"),
                       option, text);
          return FALSE;
        }
      list = g_strndup (text + 1, (gsize) (last_slash - text - 1));
      /* g_strsplit() gives no field at all for "", but "//" is one empty
       * domain: unqualified names. */
      domains = *list == '\0' ? g_strsplit ("/", "/", 0) : g_strsplit (list, "/", 0);
      for (guint i = 0; domains[i] != NULL; i++)
        {
          char *domain = NULL;
          guint index;

          if (!domain_normalize (option, text, domains[i], &domain, error))
            return FALSE;
          if (g_ptr_array_find_with_equal_func (spec->domains, domain, g_str_equal, &index))
            g_free (domain);
          else
            g_ptr_array_add (spec->domains, domain);
        }
      rest = last_slash + 1;
      if (*rest == '\0')
        spec->kind = HEARTH_DNS_ROUTE_LOCAL;
      else if (strcmp (rest, "#") == 0)
        spec->kind = HEARTH_DNS_ROUTE_DEFAULT;
    }

  if (spec->kind == HEARTH_DNS_ROUTE_FORWARD)
    {
      g_autoptr (GError) local_error = NULL;

      if (!hearth_dns_server_parse (rest, owner, &spec->server, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("bad %s value '%s': %s"),
                       option, text, local_error->message);
          return FALSE;
        }
    }
  *out_spec = g_steal_pointer (&spec);
  return TRUE;
}

gboolean
hearth_dns_server_spec_parse (const char *text,
                              const char *owner,
                              HearthDnsServerSpec **out_spec,
                              GError **error)
{
  return spec_parse ("server", text, owner, out_spec, error);
}

gboolean
hearth_dns_server_spec_parse_local (const char *text,
                                    const char *owner,
                                    HearthDnsServerSpec **out_spec,
                                    GError **error)
{
  /* dnsmasq: "--local is a synonym for --server"; only the messages differ. */
  return spec_parse ("local", text, owner, out_spec, error);
}

/* ---- resolv.conf ---- */

static void
resolv_parse_line (char *line, const char *owner, GPtrArray *servers, guint *n_bad)
{
  char *p = line, *keyword, *value, *scope = NULL;
  g_autoptr (HearthDnsServer) server = NULL;
  g_autoptr (GString) printable = NULL;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0' || *p == '#' || *p == ';')
    return;
  keyword = p;
  while (*p != '\0' && !g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    *p++ = '\0';
  if (strcmp (keyword, "nameserver") != 0)
    return;
  while (g_ascii_isspace (*p))
    p++;
  value = p;
  while (*p != '\0' && !g_ascii_isspace (*p))
    p++;
  *p = '\0';

  server = g_new0 (HearthDnsServer, 1);
  server->ref_count = 1;
  /* resolv.conf(5) has no port or interface syntax: a plain address (and
   * the %scope glibc accepts) on port 53, anything else is a bad line. */
  if (!parse_ip (value, 53, &server->addr, &server->addr_len, &scope))
    {
      (*n_bad)++;
      return;
    }
  server->interface = g_strdup (scope);
  server->owner = g_strdup (owner);
  printable = g_string_new (NULL);
  append_sockaddr (printable, &server->addr, scope, TRUE);
  server->text = g_string_free (g_steal_pointer (&printable), FALSE);
  g_ptr_array_add (servers, g_steal_pointer (&server));
}

GPtrArray *
hearth_dns_resolv_parse (const char *contents, gsize len, const char *owner, guint *out_n_bad)
{
  GPtrArray *servers = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_unref);
  const char *p = contents, *end = contents + len;
  guint n_bad = 0;

  g_return_val_if_fail (contents != NULL || len == 0, servers);

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = nl != NULL ? nl : end;
      /* A copy per line: the contents need not be NUL-terminated, and a
       * stray NUL byte only cuts its own line short. */
      g_autofree char *line = g_strndup (p, (gsize) (line_end - p));

      resolv_parse_line (line, owner, servers, &n_bad);
      p = nl != NULL ? nl + 1 : end;
    }
  if (out_n_bad != NULL)
    *out_n_bad = n_bad;
  return servers;
}

/* ---- routes ---- */

typedef struct
{
  const guint8 *name; /* lower-case wire form */
  gsize len;
} RouteKey;

typedef struct
{
  RouteKey key;         /* exact routes: into wire[] */
  gboolean has_default; /* a /dom/# spec */
  gboolean has_local;   /* a /dom/ spec */
  GArray *addresses;    /* HearthDnsAddr from --address, NULL when none */
  GPtrArray *servers;   /* HearthDnsServer*, referenced, in the order added */
  char *pattern;        /* wildcard routes: what the name must end with (after the '*') */
  gsize pattern_len;
  guint8 wire[];
} Route;

struct _HearthDnsRoutes
{
  GHashTable *exact;    /* RouteKey* (in the route) -> Route*; owns the routes */
  GPtrArray *wildcards; /* Route*, owned */
  Route *unqualified;   /* "//", or NULL */
  Route *catch_all;     /* --address=/#/..., in place of the default servers; or NULL */
  GPtrArray *defaults;  /* HearthDnsServer*: servers without a domain */
  GPtrArray *all;       /* HearthDnsServer*: every distinct server, in order */
  GPtrArray *empty;     /* what LOCAL routes report as servers */
};

static guint
route_key_hash (gconstpointer p)
{
  const RouteKey *k = p;
  guint32 h = 2166136261u;

  for (gsize i = 0; i < k->len; i++)
    {
      h ^= k->name[i];
      h *= 16777619u;
    }
  return h;
}

static gboolean
route_key_equal (gconstpointer pa, gconstpointer pb)
{
  const RouteKey *a = pa, *b = pb;

  return a->len == b->len && memcmp (a->name, b->name, a->len) == 0;
}

static Route *
route_new (const guint8 *wire, gsize wire_len)
{
  Route *route = g_malloc0 (sizeof (Route) + wire_len);

  if (wire_len > 0)
    memcpy (route->wire, wire, wire_len);
  route->key.name = route->wire;
  route->key.len = wire_len;
  route->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_unref);
  return route;
}

static void
route_free (Route *route)
{
  if (route == NULL)
    return;
  g_ptr_array_unref (route->servers);
  if (route->addresses != NULL)
    g_array_unref (route->addresses);
  g_free (route->pattern);
  g_free (route);
}

/* The precedence dnsmasq gives specs for one domain: addresses, then "#",
 * then servers, then local-only. */
static HearthDnsRouteKind
route_get_kind (const Route *route)
{
  if (route->addresses != NULL)
    return HEARTH_DNS_ROUTE_ADDRESS;
  if (route->has_default)
    return HEARTH_DNS_ROUTE_DEFAULT;
  if (route->servers->len > 0)
    return HEARTH_DNS_ROUTE_FORWARD;
  return HEARTH_DNS_ROUTE_LOCAL;
}

HearthDnsRoutes *
hearth_dns_routes_new (void)
{
  HearthDnsRoutes *routes = g_new0 (HearthDnsRoutes, 1);

  routes->exact =
      g_hash_table_new_full (route_key_hash, route_key_equal, NULL, (GDestroyNotify) route_free);
  routes->wildcards = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  routes->defaults = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_unref);
  routes->all = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_server_unref);
  routes->empty = g_ptr_array_new ();
  return routes;
}

void
hearth_dns_routes_free (HearthDnsRoutes *routes)
{
  if (routes == NULL)
    return;
  g_hash_table_unref (routes->exact);
  g_ptr_array_unref (routes->wildcards);
  route_free (routes->unqualified);
  route_free (routes->catch_all);
  g_ptr_array_unref (routes->defaults);
  g_ptr_array_unref (routes->all);
  g_ptr_array_unref (routes->empty);
  g_free (routes);
}

/* A validated dotted name -> wire form. FALSE only for what the spec
 * parser would have refused. */
static gboolean
domain_to_wire (const char *domain, guint8 *out, gsize *out_len)
{
  gsize pos = 0;
  const char *label = domain;

  while (*label != '\0')
    {
      const char *dot = strchr (label, '.');
      gsize n = dot != NULL ? (gsize) (dot - label) : strlen (label);

      if (n == 0 || n > 63 || pos + 1 + n + 1 > HEARTH_DNS_NAME_MAX)
        return FALSE;
      out[pos++] = (guint8) n;
      for (gsize i = 0; i < n; i++)
        out[pos++] = (guint8) g_ascii_tolower (label[i]);
      label += n;
      if (*label == '.')
        label++;
    }
  out[pos++] = 0;
  *out_len = pos;
  return TRUE;
}

static Route *
routes_get_route (HearthDnsRoutes *routes, const char *domain)
{
  Route *route;

  if (*domain == '\0')
    {
      if (routes->unqualified == NULL)
        routes->unqualified = route_new (NULL, 0);
      return routes->unqualified;
    }
  if (*domain == '*')
    {
      const char *pattern = domain + 1;

      for (guint i = 0; i < routes->wildcards->len; i++)
        {
          route = g_ptr_array_index (routes->wildcards, i);
          if (g_ascii_strcasecmp (route->pattern, pattern) == 0)
            return route;
        }
      route = route_new (NULL, 0);
      route->pattern = g_ascii_strdown (pattern, -1);
      route->pattern_len = strlen (route->pattern);
      g_ptr_array_add (routes->wildcards, route);
      return route;
    }
  else
    {
      guint8 wire[HEARTH_DNS_NAME_MAX];
      RouteKey key = { wire, 0 };

      if (!domain_to_wire (domain, wire, &key.len))
        return NULL;
      route = g_hash_table_lookup (routes->exact, &key);
      if (route == NULL)
        {
          route = route_new (wire, key.len);
          g_hash_table_insert (routes->exact, &route->key, route);
        }
      return route;
    }
}

/* The one object routes keep for a target: the first server added with
 * that address, port, interface and source, so every route using a
 * target shares its counters and state. */
static HearthDnsServer *
routes_intern_server (HearthDnsRoutes *routes, HearthDnsServer *server)
{
  for (guint i = 0; i < routes->all->len; i++)
    {
      HearthDnsServer *known = g_ptr_array_index (routes->all, i);

      if (known == server || hearth_dns_server_same_target (known, server))
        return known;
    }
  g_ptr_array_add (routes->all, hearth_dns_server_ref (server));
  return server;
}

static void
server_list_add (GPtrArray *list, HearthDnsServer *server)
{
  guint index;

  if (!g_ptr_array_find (list, server, &index))
    g_ptr_array_add (list, hearth_dns_server_ref (server));
}

void
hearth_dns_routes_add (HearthDnsRoutes *routes, const HearthDnsServerSpec *spec)
{
  HearthDnsServer *server = NULL;

  g_return_if_fail (routes != NULL && spec != NULL);

  if (spec->kind == HEARTH_DNS_ROUTE_FORWARD)
    {
      g_return_if_fail (spec->server != NULL);
      server = routes_intern_server (routes, spec->server);
    }
  if (spec->domains == NULL || spec->domains->len == 0)
    {
      /* Without a domain only a server means anything. */
      if (server != NULL)
        server_list_add (routes->defaults, server);
      return;
    }
  for (guint i = 0; i < spec->domains->len; i++)
    {
      Route *route = routes_get_route (routes, g_ptr_array_index (spec->domains, i));

      if (route == NULL)
        continue;
      switch (spec->kind)
        {
        case HEARTH_DNS_ROUTE_FORWARD:
          server_list_add (route->servers, server);
          break;
        case HEARTH_DNS_ROUTE_LOCAL:
          route->has_local = TRUE;
          break;
        case HEARTH_DNS_ROUTE_DEFAULT:
          route->has_default = TRUE;
          break;
        case HEARTH_DNS_ROUTE_ADDRESS:
          break; /* only through hearth_dns_routes_add_address */
        }
    }
}

static void
route_add_address (Route *route, const HearthDnsAddr *addr)
{
  if (route->addresses == NULL)
    route->addresses = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  for (guint i = 0; i < route->addresses->len; i++)
    if (hearth_dns_addr_equal (&g_array_index (route->addresses, HearthDnsAddr, i), addr))
      return;
  g_array_append_val (route->addresses, *addr);
}

void
hearth_dns_routes_add_address (HearthDnsRoutes *routes, const HearthDnsAddressRule *rule)
{
  g_return_if_fail (routes != NULL && rule != NULL);

  for (guint i = 0; i < rule->domains->len; i++)
    {
      const char *domain = g_ptr_array_index (rule->domains, i);
      Route *route;

      if (strcmp (domain, "#") == 0)
        {
          if (routes->catch_all == NULL)
            routes->catch_all = route_new (NULL, 0);
          route = routes->catch_all;
        }
      else
        route = routes_get_route (routes, domain);
      if (route == NULL)
        continue;
      switch (rule->kind)
        {
        case HEARTH_DNS_ADDRESS_NXDOMAIN:
          route->has_local = TRUE;
          break;
        case HEARTH_DNS_ADDRESS_ADDR:
          route_add_address (route, &rule->addr);
          break;
        case HEARTH_DNS_ADDRESS_NULL:
          {
            HearthDnsAddr any4, any6;

            hearth_dns_addr_parse ("0.0.0.0", &any4);
            hearth_dns_addr_parse ("::", &any6);
            route_add_address (route, &any4);
            route_add_address (route, &any6);
          }
          break;
        }
    }
}

HearthDnsRouteKind
hearth_dns_routes_lookup (HearthDnsRoutes *routes,
                          const guint8 *name,
                          gsize len,
                          GPtrArray **out_servers)
{
  HearthDnsRouteMatch match;

  hearth_dns_routes_match (routes, name, len, &match);
  if (out_servers != NULL)
    *out_servers = match.servers;
  return match.kind;
}

void
hearth_dns_routes_match (HearthDnsRoutes *routes, const guint8 *name, gsize len, HearthDnsRouteMatch *out)
{
  guint8 lower[HEARTH_DNS_NAME_MAX];
  Route *best = NULL;
  gsize best_len = 0; /* characters of the name the best route matched */
  gboolean best_wildcard = FALSE;
  guint labels = 0;
  gsize pos = 0;
  HearthDnsRouteKind kind;
  GPtrArray *servers = NULL;

  out->addresses = NULL;
  out->matched = FALSE;
  /* The common case for a home forwarder: only default servers. */
  if ((g_hash_table_size (routes->exact) == 0 && routes->wildcards->len == 0 &&
       routes->unqualified == NULL) ||
      len == 0 || len > sizeof lower)
    goto use_defaults;

  memcpy (lower, name, len);
  hearth_dns_name_lower (lower, len);

  /* Suffixes at label boundaries, longest first: the first hit is the
   * most specific route. Labels are counted to the end for "//". */
  while (pos < len && lower[pos] != 0)
    {
      gsize label = lower[pos];

      if (label > 63 || label >= len - pos - 1)
        break; /* not a well-formed name: match what we have */
      if (best == NULL)
        {
          RouteKey key = { lower + pos, len - pos };

          best = g_hash_table_lookup (routes->exact, &key);
          if (best != NULL)
            best_len = len - pos - 2; /* the dotted form's length */
        }
      labels++;
      pos += label + 1;
    }

  /* Names come from the packet parser and are well-formed; anything else
   * (no root where len says, a label running past the end) gets the
   * defaults rather than a route matched on part of it. */
  if (pos != len - 1 || lower[pos] != 0)
    goto use_defaults;

  if (routes->wildcards->len > 0)
    {
      /* Wildcards match on characters, not labels, so they need the
       * dotted form. The longest match wins; on a tie the exact route. */
      char text[HEARTH_DNS_NAME_MAX + 1];
      gsize text_len = 0;

      for (gsize p = 0; p < pos;)
        {
          gsize label = lower[p++];

          if (text_len > 0)
            text[text_len++] = '.';
          memcpy (text + text_len, lower + p, label);
          text_len += label;
          p += label;
        }
      for (guint i = 0; i < routes->wildcards->len; i++)
        {
          Route *w = g_ptr_array_index (routes->wildcards, i);

          if (w->pattern_len > text_len || (best != NULL && w->pattern_len <= best_len))
            continue;
          if (memcmp (text + text_len - w->pattern_len, w->pattern, w->pattern_len) == 0)
            {
              best = w;
              best_len = w->pattern_len;
              best_wildcard = TRUE;
            }
        }
    }

  /* dnsmasq: "//" is for names without a dot, unless a domain route names
   * them; a bare "*" does not count as naming them. */
  if (labels == 1 && routes->unqualified != NULL &&
      (best == NULL || (best_wildcard && best_len == 0)))
    best = routes->unqualified;

  if (best == NULL)
    goto use_defaults;
  kind = route_get_kind (best);
  switch (kind)
    {
    case HEARTH_DNS_ROUTE_FORWARD:
      servers = best->servers;
      break;
    case HEARTH_DNS_ROUTE_LOCAL:
      servers = routes->empty;
      break;
    case HEARTH_DNS_ROUTE_ADDRESS:
      servers = routes->empty;
      out->addresses = best->addresses;
      break;
    case HEARTH_DNS_ROUTE_DEFAULT:
      goto use_defaults;
    }
  out->kind = kind;
  out->servers = servers;
  out->matched = TRUE;
  return;

use_defaults:
  if (routes->catch_all != NULL)
    {
      out->kind = route_get_kind (routes->catch_all);
      out->servers = routes->empty;
      out->addresses = routes->catch_all->addresses;
      out->matched = TRUE;
      return;
    }
  out->kind = HEARTH_DNS_ROUTE_FORWARD;
  out->servers = routes->defaults;
}

GPtrArray *
hearth_dns_routes_get_servers (HearthDnsRoutes *routes)
{
  return routes->all;
}

HearthDnsServer *
hearth_dns_routes_find_server (HearthDnsRoutes *routes, const HearthDnsServer *server)
{
  for (guint i = 0; i < routes->all->len; i++)
    {
      HearthDnsServer *known = g_ptr_array_index (routes->all, i);

      if (known == server || hearth_dns_server_same_target (known, server))
        return known;
    }
  return NULL;
}

static gboolean
server_lists_equal (GPtrArray *a, GPtrArray *b)
{
  if ((a == NULL ? 0 : a->len) != (b == NULL ? 0 : b->len))
    return FALSE;
  for (guint i = 0; a != NULL && i < a->len; i++)
    if (!hearth_dns_server_same_target (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

static gboolean
address_lists_equal (GArray *a, GArray *b)
{
  if ((a == NULL ? 0 : a->len) != (b == NULL ? 0 : b->len))
    return FALSE;
  for (guint i = 0; a != NULL && i < a->len; i++)
    if (!hearth_dns_addr_equal (&g_array_index (a, HearthDnsAddr, i), &g_array_index (b, HearthDnsAddr, i)))
      return FALSE;
  return TRUE;
}

gboolean
hearth_dns_routes_same_decision (HearthDnsRoutes *a, HearthDnsRoutes *b, const guint8 *name, gsize len)
{
  HearthDnsRouteMatch ma, mb;

  hearth_dns_routes_match (a, name, len, &ma);
  hearth_dns_routes_match (b, name, len, &mb);
  if (ma.kind != mb.kind)
    return FALSE;
  switch (ma.kind)
    {
    case HEARTH_DNS_ROUTE_FORWARD:
    case HEARTH_DNS_ROUTE_DEFAULT:
      return server_lists_equal (ma.servers, mb.servers);
    case HEARTH_DNS_ROUTE_ADDRESS:
      return address_lists_equal (ma.addresses, mb.addresses);
    case HEARTH_DNS_ROUTE_LOCAL:
      return TRUE;
    }
  return FALSE;
}
