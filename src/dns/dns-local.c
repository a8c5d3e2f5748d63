/* Local data (see dns-local.h).
 *
 * Each layer is a hash table of names (lower-case wire form) to the records
 * at that name; reverse names are ordinary names holding PTR records, so
 * one lookup path serves both directions. Records remember where they came
 * from (a hosts file, a dynamic handle) so one file or one lease can be
 * taken out again.
 *
 * Answering walks CNAMEs inside local data (at most MAX_CNAME_HOPS) and
 * writes records straight into the reply buffer: no allocation per query.
 */
#include "config.h"

#include "dns/dns-local.h"
#include "dns/dns-hosts.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#define MAX_CNAME_HOPS 10
/* A marker TTL for dynamic (DHCP) names: --dhcp-ttl, else --local-ttl. */
#define TTL_DYNAMIC (HEARTH_DNS_TTL_LOCAL - 1)
#define HOSTS_FILE_MAX (256 * 1024 * 1024)

typedef enum {
  LAYER_CONFIG,
  LAYER_HOSTS,
  LAYER_DYNAMIC,
  N_LAYERS,
} LayerId;

typedef struct {
  HearthDnsRecord *rec;
  guint32 origin; /* hosts: file id; dynamic: handle; config: 0 */
} LocalRecord;

typedef struct {
  guint16 n_records;
  guint16 n_alloc;
  guint8 name_len;
  LocalRecord *records;
  guint8 name[];
} LocalName;

typedef struct {
  GHashTable *names;     /* LocalName* -> itself */
  GHashTable *ancestors; /* hash of a proper ancestor of some name -> count of names under it */
  gsize memory;
} Layer;

typedef struct {
  HearthDnsNameHandle handle;
  HearthDnsAddr addr;
  guint8 fqdn[HEARTH_DNS_NAME_MAX];
  gsize fqdn_len;
  guint8 plain[HEARTH_DNS_NAME_MAX]; /* the single-label form, plain_len 0 when none */
  gsize plain_len;
} DynamicName;

struct _HearthDnsLocal {
  const HearthDnsConfig *config;
  Layer layers[N_LAYERS];
  GPtrArray *hosts_origins; /* char*, index + 1 = origin id */
  GHashTable *dynamic;      /* handle -> DynamicName* */
  HearthDnsNameHandle next_handle;
  GPtrArray *interfaces;    /* HearthDnsInterface* */
  guint rotation;           /* round-robin counter */
};

/* ---- names and layers ---- */

static guint32
wire_hash (const guint8 *name, gsize len)
{
  guint32 h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    {
      h ^= name[i];
      h *= 16777619u;
    }
  return h;
}

static guint
name_hash (gconstpointer p)
{
  const LocalName *n = p;

  return wire_hash (n->name, n->name_len);
}

/* Counts (delta +1) or uncounts (-1) the proper ancestors of a name, so
 * that "does any name live under this one?" (an empty non-terminal, which
 * exists: NODATA rather than NXDOMAIN) costs one lookup. Only hashes are
 * kept; a collision makes a missing name NODATA instead of NXDOMAIN,
 * which is harmless. */
static void
layer_count_ancestors (Layer *layer, const guint8 *name, gsize len, int delta)
{
  gsize pos = 0;

  if (len == 0 || name[0] == 0)
    return;
  pos = (gsize) name[0] + 1;
  while (pos < len && name[pos] != 0)
    {
      gpointer key = GUINT_TO_POINTER (wire_hash (name + pos, len - pos));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (layer->ancestors, key));

      if (delta > 0)
        {
          if (count == 0)
            layer->memory += 3 * sizeof (gpointer);
          g_hash_table_insert (layer->ancestors, key, GUINT_TO_POINTER (count + 1));
        }
      else if (count <= 1)
        g_hash_table_remove (layer->ancestors, key);
      else
        g_hash_table_insert (layer->ancestors, key, GUINT_TO_POINTER (count - 1));
      pos += (gsize) name[pos] + 1;
    }
}

static gboolean
name_equal (gconstpointer pa, gconstpointer pb)
{
  const LocalName *a = pa, *b = pb;

  return a->name_len == b->name_len && memcmp (a->name, b->name, a->name_len) == 0;
}

static void
local_name_free (gpointer p)
{
  LocalName *n = p;

  for (guint i = 0; i < n->n_records; i++)
    hearth_dns_record_free (n->records[i].rec);
  g_free (n->records);
  g_free (n);
}

static void
layer_init (Layer *layer)
{
  layer->names = g_hash_table_new_full (name_hash, name_equal, local_name_free, NULL);
  layer->ancestors = g_hash_table_new (NULL, NULL);
  layer->memory = 0;
}

static void
layer_clear (Layer *layer)
{
  g_hash_table_remove_all (layer->names);
  g_hash_table_remove_all (layer->ancestors);
  layer->memory = 0;
}

/* A stack key for lookups: a LocalName header followed by room for the
 * name. */
typedef union {
  LocalName key;
  guint8 space[sizeof (LocalName) + HEARTH_DNS_NAME_MAX];
} NameKey;

static LocalName *
layer_find (const Layer *layer, const guint8 *lower_name, gsize len)
{
  NameKey k;

  if (g_hash_table_size (layer->names) == 0 || len > HEARTH_DNS_NAME_MAX)
    return NULL;
  k.key.name_len = (guint8) len;
  memcpy (k.key.name, lower_name, len);
  return g_hash_table_lookup (layer->names, &k.key);
}

static gsize
record_memory (const HearthDnsRecord *rec)
{
  return sizeof *rec + rec->name_len + rec->rdlength + 16 /* malloc overhead */;
}

/* Adds rec (taken) at its owner name. A record equal to one already there
 * is dropped: FALSE. */
static gboolean
layer_add (Layer *layer, HearthDnsRecord *rec, guint32 origin)
{
  LocalName *n = layer_find (layer, rec->name, rec->name_len);

  if (n == NULL)
    {
      n = g_malloc (sizeof (LocalName) + rec->name_len);
      n->n_records = n->n_alloc = 0;
      n->records = NULL;
      n->name_len = rec->name_len;
      memcpy (n->name, rec->name, rec->name_len);
      g_hash_table_add (layer->names, n);
      layer_count_ancestors (layer, n->name, n->name_len, +1);
      layer->memory += sizeof (LocalName) + rec->name_len + 16 + 3 * sizeof (gpointer) /* hash table slot */;
    }
  for (guint i = 0; i < n->n_records; i++)
    if (hearth_dns_record_equal (n->records[i].rec, rec))
      {
        hearth_dns_record_free (rec);
        return FALSE;
      }
  if (n->n_records == G_MAXUINT16)
    {
      hearth_dns_record_free (rec);
      return FALSE;
    }
  if (n->n_records == n->n_alloc)
    {
      guint16 grow = n->n_alloc == 0 ? 1 : (guint16) MIN (G_MAXUINT16, n->n_alloc * 2u);

      layer->memory += (gsize) (grow - n->n_alloc) * sizeof (LocalRecord);
      n->n_alloc = grow;
      n->records = g_renew (LocalRecord, n->records, n->n_alloc);
    }
  n->records[n->n_records].rec = rec;
  n->records[n->n_records].origin = origin;
  n->n_records++;
  layer->memory += record_memory (rec);
  return TRUE;
}

/* Drops the records of origin from n. TRUE when n is left empty: the
 * caller removes it from the table (its ancestors are already uncounted). */
static gboolean
name_drop_origin (Layer *layer, LocalName *n, guint32 origin)
{
  guint kept = 0;

  for (guint i = 0; i < n->n_records; i++)
    {
      if (n->records[i].origin == origin)
        {
          layer->memory -= MIN (layer->memory, record_memory (n->records[i].rec));
          hearth_dns_record_free (n->records[i].rec);
        }
      else
        n->records[kept++] = n->records[i];
    }
  n->n_records = (guint16) kept;
  if (kept > 0)
    return FALSE;
  layer_count_ancestors (layer, n->name, n->name_len, -1);
  return TRUE;
}

/* Removes the records of origin at name (lower case wire); the name goes
 * when it has none left. */
static void
layer_remove_origin_at (Layer *layer, const guint8 *name, gsize len, guint32 origin)
{
  LocalName *n = layer_find (layer, name, len);

  if (n != NULL && name_drop_origin (layer, n, origin))
    g_hash_table_remove (layer->names, n);
}

static gboolean
name_has_type (const LocalName *n, guint16 type)
{
  for (guint i = 0; n != NULL && i < n->n_records; i++)
    if (n->records[i].rec->type == type)
      return TRUE;
  return FALSE;
}

static gboolean
name_has_address (const LocalName *n)
{
  return name_has_type (n, HEARTH_DNS_TYPE_A) || name_has_type (n, HEARTH_DNS_TYPE_AAAA);
}

/* ---- construction ---- */

static void
add_config_records (HearthDnsLocal *local)
{
  const HearthDnsConfig *c = local->config;

  for (guint i = 0; i < c->records->len; i++)
    {
      const HearthDnsRecord *r = g_ptr_array_index (c->records, i);

      layer_add (&local->layers[LAYER_CONFIG],
                 hearth_dns_record_new (r->name, r->name_len, r->type, r->rclass, r->ttl, r->rdata, r->rdlength), 0);
    }
  for (guint i = 0; i < c->mx_hosts->len; i++)
    {
      const HearthDnsMxHost *mx = g_ptr_array_index (c->mx_hosts, i);
      guint8 name[HEARTH_DNS_NAME_MAX], rdata[2 + HEARTH_DNS_NAME_MAX];
      gsize name_len, target_len;

      if (!hearth_dns_hostname_to_wire (mx->name, name, &name_len) || mx->target == NULL ||
          !hearth_dns_name_from_string (mx->target, rdata + 2, &target_len))
        continue;
      rdata[0] = (guint8) (mx->preference >> 8);
      rdata[1] = (guint8) mx->preference;
      layer_add (&local->layers[LAYER_CONFIG],
                 hearth_dns_record_new (name, name_len, HEARTH_DNS_TYPE_MX, HEARTH_DNS_CLASS_IN, HEARTH_DNS_TTL_LOCAL,
                                        rdata, 2 + target_len),
                 0);
    }
}

HearthDnsLocal *
hearth_dns_local_new (const HearthDnsConfig *config)
{
  HearthDnsLocal *local = g_new0 (HearthDnsLocal, 1);

  local->config = config;
  for (guint i = 0; i < N_LAYERS; i++)
    layer_init (&local->layers[i]);
  local->hosts_origins = g_ptr_array_new_with_free_func (g_free);
  local->dynamic = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  local->next_handle = 1;
  local->interfaces = g_ptr_array_new ();
  add_config_records (local);
  return local;
}

static void
interface_free (gpointer p)
{
  HearthDnsInterface *iface = p;

  g_free (iface->name);
  g_array_unref (iface->addrs);
  g_free (iface);
}

void
hearth_dns_local_free (HearthDnsLocal *local)
{
  if (local == NULL)
    return;
  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_hash_table_unref (local->layers[i].names);
      g_hash_table_unref (local->layers[i].ancestors);
    }
  g_ptr_array_unref (local->hosts_origins);
  g_hash_table_unref (local->dynamic);
  g_ptr_array_unref (local->interfaces);
  g_free (local);
}

void
hearth_dns_local_set_interfaces (HearthDnsLocal *local, GPtrArray *interfaces)
{
  g_ptr_array_unref (local->interfaces);
  g_ptr_array_set_free_func (interfaces, interface_free);
  local->interfaces = interfaces;
}

/* The domain --domain gives an address: the first rule whose range holds
 * it, else the first rule without a range. NULL when none. */
static const char *
domain_for_address (const HearthDnsConfig *c, const HearthDnsAddr *addr)
{
  const char *fallback = NULL;

  for (guint i = 0; i < c->domain_rules->len; i++)
    {
      const HearthDnsDomainRule *rule = g_ptr_array_index (c->domain_rules, i);

      if (strcmp (rule->domain, "#") == 0)
        continue;
      if (rule->has_range)
        {
          if (addr != NULL && hearth_dns_domain_rule_matches (rule, addr))
            return rule->domain;
        }
      else if (fallback == NULL)
        fallback = rule->domain;
    }
  return fallback;
}

/* name (wire, one label) + "." + domain -> out. */
static gboolean
qualify (const guint8 *name, gsize len, const char *domain, guint8 *out, gsize *out_len)
{
  guint8 dom[HEARTH_DNS_NAME_MAX];
  gsize dom_len;

  if (domain == NULL || !hearth_dns_name_from_string (domain, dom, &dom_len) || len < 1 ||
      (len - 1) + dom_len > HEARTH_DNS_NAME_MAX)
    return FALSE;
  memcpy (out, name, len - 1);
  memcpy (out + len - 1, dom, dom_len);
  hearth_dns_name_lower (out, len - 1 + dom_len);
  *out_len = len - 1 + dom_len;
  return TRUE;
}

typedef struct {
  HearthDnsLocal *local;
  const char *origin;
  guint32 origin_id;
  guint added;
} HostsLoad;

static void
hosts_entry_cb (const HearthDnsAddr *addr, const guint8 *const *names, const gsize *name_lens, guint n_names,
                guint line, gpointer user_data)
{
  HostsLoad *load = user_data;
  HearthDnsLocal *local = load->local;
  Layer *layer = &local->layers[LAYER_HOSTS];
  const HearthDnsConfig *c = local->config;
  guint8 reverse[HEARTH_DNS_NAME_MAX];
  gsize reverse_len;
  const guint8 *ptr_target = NULL;
  gsize ptr_target_len = 0;
  guint8 first_expanded[HEARTH_DNS_NAME_MAX];

  for (guint i = 0; i < n_names; i++)
    {
      guint8 expanded[HEARTH_DNS_NAME_MAX];
      gsize expanded_len;

      if (layer_add (layer, hearth_dns_record_new_address (names[i], name_lens[i], addr, HEARTH_DNS_TTL_LOCAL),
                     load->origin_id))
        load->added++;
      if (i == 0)
        {
          ptr_target = names[0];
          ptr_target_len = name_lens[0];
        }
      /* --expand-hosts: plain names are also answered in the local
       * domain, and the reverse lookup gives the full name. */
      if (c->expand_hosts && hearth_dns_name_count_labels (names[i], name_lens[i]) == 1 &&
          qualify (names[i], name_lens[i], domain_for_address (c, addr), expanded, &expanded_len))
        {
          if (layer_add (layer, hearth_dns_record_new_address (expanded, expanded_len, addr, HEARTH_DNS_TTL_LOCAL),
                         load->origin_id))
            load->added++;
          if (i == 0)
            {
              memcpy (first_expanded, expanded, expanded_len);
              ptr_target = first_expanded;
              ptr_target_len = expanded_len;
            }
        }
    }
  (void) line;
  /* The first name of the first line giving an address answers its
   * reverse lookup; later lines add names, not PTRs. */
  if (ptr_target != NULL && hearth_dns_addr_to_reverse_name (addr, reverse, &reverse_len) &&
      !name_has_type (layer_find (layer, reverse, reverse_len), HEARTH_DNS_TYPE_PTR))
    layer_add (layer,
               hearth_dns_record_new_name (reverse, reverse_len, HEARTH_DNS_TYPE_PTR, ptr_target, ptr_target_len,
                                           HEARTH_DNS_TTL_LOCAL),
               load->origin_id);
}

static void
hosts_error_cb (guint line, const char *message, gpointer user_data)
{
  HostsLoad *load = user_data;

  g_warning ("%s:%u: %s, ignoring", load->origin, line, message);
}

static guint32
hosts_origin_id (HearthDnsLocal *local, const char *origin)
{
  for (guint i = 0; i < local->hosts_origins->len; i++)
    if (strcmp (g_ptr_array_index (local->hosts_origins, i), origin) == 0)
      return i + 1;
  g_ptr_array_add (local->hosts_origins, g_strdup (origin));
  return local->hosts_origins->len;
}

guint
hearth_dns_local_add_hosts_text (HearthDnsLocal *local, const char *origin, const char *data, gsize len)
{
  HostsLoad load = { local, origin, hosts_origin_id (local, origin), 0 };

  hearth_dns_hosts_parse (data, len, hosts_entry_cb, hosts_error_cb, &load);
  return load.added;
}

void
hearth_dns_local_remove_hosts_file (HearthDnsLocal *local, const char *origin)
{
  Layer *layer = &local->layers[LAYER_HOSTS];
  guint32 id = 0;
  GHashTableIter iter;
  LocalName *n;

  for (guint i = 0; i < local->hosts_origins->len; i++)
    if (strcmp (g_ptr_array_index (local->hosts_origins, i), origin) == 0)
      id = i + 1;
  if (id == 0)
    return;
  g_hash_table_iter_init (&iter, layer->names);
  while (g_hash_table_iter_next (&iter, (gpointer *) &n, NULL))
    if (name_drop_origin (layer, n, id))
      g_hash_table_iter_remove (&iter);
}

static guint
load_hosts_file (HearthDnsLocal *local, const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_warning (_("cannot read hosts file %s: %s, ignoring"), path, error->message);
      return 0;
    }
  return hearth_dns_local_add_hosts_text (local, path, data, len);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A directory's files in name order (so loading is reproducible), skipping
 * dot files and editor backups as dnsmasq does. */
static guint
load_hosts_dir (HearthDnsLocal *local, const char *dir)
{
  g_autoptr (GDir) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  guint added = 0;

  d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    {
      g_warning (_("cannot read hosts directory %s: %s, ignoring"), dir, error->message);
      return 0;
    }
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      gsize n = strlen (entry);

      if (entry[0] == '.' || entry[n - 1] == '~' || (entry[0] == '#' && entry[n - 1] == '#'))
        continue;
      g_ptr_array_add (files, g_build_filename (dir, entry, NULL));
    }
  g_ptr_array_sort (files, compare_paths);
  for (guint i = 0; i < files->len; i++)
    if (g_file_test (g_ptr_array_index (files, i), G_FILE_TEST_IS_REGULAR))
      added += load_hosts_file (local, g_ptr_array_index (files, i));
  return added;
}

guint
hearth_dns_local_load_hosts (HearthDnsLocal *local)
{
  const HearthDnsConfig *c = local->config;
  guint added = 0;

  layer_clear (&local->layers[LAYER_HOSTS]);
  g_ptr_array_set_size (local->hosts_origins, 0);
  if (!c->no_hosts)
    added += load_hosts_file (local, HEARTH_DNS_HOSTS_FILE);
  for (guint i = 0; i < c->addn_hosts->len; i++)
    {
      const char *path = g_ptr_array_index (c->addn_hosts, i);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        added += load_hosts_dir (local, path);
      else
        added += load_hosts_file (local, path);
    }
  for (guint i = 0; i < c->hostsdirs->len; i++)
    added += load_hosts_dir (local, g_ptr_array_index (c->hostsdirs, i));
  return added;
}

/* ---- the name hook ---- */

static gboolean
layer_has_other_address (const Layer *layer, const guint8 *name, gsize len, const HearthDnsAddr *addr)
{
  const LocalName *n = layer_find (layer, name, len);
  guint16 type = addr->family == AF_INET6 ? HEARTH_DNS_TYPE_AAAA : HEARTH_DNS_TYPE_A;

  for (guint i = 0; n != NULL && i < n->n_records; i++)
    {
      const HearthDnsRecord *r = n->records[i].rec;

      if (r->type == type && (r->rdlength != hearth_dns_addr_size (addr) ||
                              memcmp (r->rdata, addr->bytes, r->rdlength) != 0))
        return TRUE;
    }
  return FALSE;
}

/* The newest dynamic name wins: the records other producers' handles have
 * at name go. */
static void
dynamic_take_name (HearthDnsLocal *local, const guint8 *name, gsize len, guint32 handle)
{
  Layer *layer = &local->layers[LAYER_DYNAMIC];
  LocalName *n = layer_find (layer, name, len);
  guint32 others[8];
  guint n_others = 0;

  for (guint i = 0; n != NULL && i < n->n_records && n_others < G_N_ELEMENTS (others); i++)
    if (n->records[i].origin != handle)
      others[n_others++] = n->records[i].origin;
  for (guint i = 0; i < n_others; i++)
    layer_remove_origin_at (layer, name, len, others[i]);
}

HearthDnsNameHandle
hearth_dns_local_add_name (HearthDnsLocal *local, const char *hostname, const HearthDnsAddr *addr, GError **error)
{
  const HearthDnsConfig *c = local->config;
  Layer *layer = &local->layers[LAYER_DYNAMIC];
  g_autofree DynamicName *d = g_new0 (DynamicName, 1);
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
  const char *domain;
  guint8 reverse[HEARTH_DNS_NAME_MAX];
  gsize reverse_len;

  if (hostname == NULL || !hearth_dns_hostname_to_wire (hostname, wire, &len))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("'%s' is not a valid host name"),
                   hostname != NULL ? hostname : "");
      return 0;
    }
  domain = domain_for_address (c, addr);
  /* The single label is always answerable; the full name when a domain
   * applies. */
  d->plain_len = (gsize) wire[0] + 2;
  memcpy (d->plain, wire, d->plain_len - 1);
  d->plain[d->plain_len - 1] = 0;
  if (hearth_dns_name_count_labels (wire, len) > 1)
    {
      guint8 expected[HEARTH_DNS_NAME_MAX];
      gsize expected_len;

      if (domain != NULL &&
          (!qualify (d->plain, d->plain_len, domain, expected, &expected_len) ||
           !hearth_dns_name_equal (expected, expected_len, wire, len)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("'%s' is not in the domain %s that applies to its address"), hostname, domain);
          return 0;
        }
    }
  if (domain == NULL || !qualify (d->plain, d->plain_len, domain, d->fqdn, &d->fqdn_len))
    {
      d->fqdn_len = 0;
    }
  d->addr = *addr;
  d->addr.prefix_len = addr->family == AF_INET6 ? 128 : 32;

  /* Local files and configuration have the last word on their names. */
  for (LayerId l = LAYER_CONFIG; l <= LAYER_HOSTS; l++)
    if (layer_has_other_address (&local->layers[l], d->plain, d->plain_len, &d->addr) ||
        (d->fqdn_len > 0 && layer_has_other_address (&local->layers[l], d->fqdn, d->fqdn_len, &d->addr)))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                     _("'%s' already has another address from %s"), hostname,
                     l == LAYER_CONFIG ? _("the configuration") : _("a hosts file"));
        return 0;
      }

  d->handle = local->next_handle++;
  if (local->next_handle == 0)
    local->next_handle = 1;
  /* With --dhcp-fqdn only the qualified name goes in, so two clients of
   * one name in different domains both keep theirs. */
  if (!c->dhcp_fqdn || d->fqdn_len == 0)
    {
      dynamic_take_name (local, d->plain, d->plain_len, d->handle);
      layer_add (layer, hearth_dns_record_new_address (d->plain, d->plain_len, &d->addr, TTL_DYNAMIC), d->handle);
    }
  if (d->fqdn_len > 0)
    {
      dynamic_take_name (local, d->fqdn, d->fqdn_len, d->handle);
      layer_add (layer, hearth_dns_record_new_address (d->fqdn, d->fqdn_len, &d->addr, TTL_DYNAMIC), d->handle);
    }
  if (hearth_dns_addr_to_reverse_name (&d->addr, reverse, &reverse_len))
    {
      dynamic_take_name (local, reverse, reverse_len, d->handle);
      layer_add (layer,
                 hearth_dns_record_new_name (reverse, reverse_len, HEARTH_DNS_TYPE_PTR,
                                             d->fqdn_len > 0 ? d->fqdn : d->plain,
                                             d->fqdn_len > 0 ? d->fqdn_len : d->plain_len, TTL_DYNAMIC),
                 d->handle);
    }
  g_hash_table_insert (local->dynamic, GUINT_TO_POINTER (d->handle), d);
  return g_steal_pointer (&d)->handle;
}

const char *
hearth_dns_local_domain_for (HearthDnsLocal *local, const HearthDnsAddr *addr)
{
  return domain_for_address (local->config, addr);
}

gboolean
hearth_dns_local_remove_name (HearthDnsLocal *local, HearthDnsNameHandle handle)
{
  Layer *layer = &local->layers[LAYER_DYNAMIC];
  DynamicName *d = g_hash_table_lookup (local->dynamic, GUINT_TO_POINTER (handle));
  guint8 reverse[HEARTH_DNS_NAME_MAX];
  gsize reverse_len;

  if (d == NULL)
    return FALSE;
  layer_remove_origin_at (layer, d->plain, d->plain_len, handle);
  if (d->fqdn_len > 0)
    layer_remove_origin_at (layer, d->fqdn, d->fqdn_len, handle);
  if (hearth_dns_addr_to_reverse_name (&d->addr, reverse, &reverse_len))
    layer_remove_origin_at (layer, reverse, reverse_len, handle);
  g_hash_table_remove (local->dynamic, GUINT_TO_POINTER (handle));
  return TRUE;
}

/* ---- answering ---- */

static guint32
answer_ttl (const HearthDnsLocal *local, guint32 ttl)
{
  const HearthDnsConfig *c = local->config;

  if (ttl == HEARTH_DNS_TTL_LOCAL)
    return c->local_ttl;
  if (ttl == TTL_DYNAMIC)
    return c->dhcp_ttl_set ? c->dhcp_ttl : c->local_ttl;
  return ttl;
}

static void
add_record (HearthDnsLocal *local, HearthDnsReplyWriter *w, const HearthDnsRecord *r)
{
  hearth_dns_reply_writer_add (w, FALSE, r->name, r->name_len, r->type, r->rclass, answer_ttl (local, r->ttl), r->rdata,
                               r->rdlength);
}

/* The interfaces --interface-name gives name: each matching address is
 * passed to func. Returns the number of addresses. IPv6 link-local
 * addresses are left out: they mean nothing without a scope. */
typedef void (*AddrFunc) (const HearthDnsAddr *addr, gpointer user_data);

static guint
interface_name_addresses (HearthDnsLocal *local, const guint8 *name, gsize len, AddrFunc func, gpointer user_data)
{
  const HearthDnsConfig *c = local->config;
  guint count = 0;

  for (guint i = 0; i < c->interface_names->len; i++)
    {
      const HearthDnsInterfaceName *in = g_ptr_array_index (c->interface_names, i);

      if (!hearth_dns_name_equal (in->name, in->name_len, name, len))
        continue;
      for (guint j = 0; j < local->interfaces->len; j++)
        {
          const HearthDnsInterface *iface = g_ptr_array_index (local->interfaces, j);

          if (strcmp (iface->name, in->interface) != 0)
            continue;
          for (guint k = 0; k < iface->addrs->len; k++)
            {
              const HearthDnsAddr *a = &g_array_index (iface->addrs, HearthDnsAddr, k);

              if (in->family != AF_UNSPEC && a->family != in->family)
                continue;
              if (a->family == AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80)
                continue;
              count++;
              if (func != NULL)
                func (a, user_data);
            }
        }
    }
  return count;
}

/* The name --interface-name or --synth-domain gives a reverse name, into
 * out. */
static gboolean
synthetic_ptr (HearthDnsLocal *local, const guint8 *name, gsize len, guint8 *out, gsize *out_len)
{
  const HearthDnsConfig *c = local->config;
  HearthDnsAddr addr;

  if (hearth_dns_addr_from_reverse_name (name, len, &addr) != HEARTH_DNS_REVERSE_FULL)
    return FALSE;
  for (guint i = 0; i < c->interface_names->len; i++)
    {
      const HearthDnsInterfaceName *in = g_ptr_array_index (c->interface_names, i);

      for (guint j = 0; j < local->interfaces->len; j++)
        {
          const HearthDnsInterface *iface = g_ptr_array_index (local->interfaces, j);

          if (strcmp (iface->name, in->interface) != 0)
            continue;
          for (guint k = 0; k < iface->addrs->len; k++)
            {
              HearthDnsAddr a = g_array_index (iface->addrs, HearthDnsAddr, k);

              a.prefix_len = a.family == AF_INET6 ? 128 : 32;
              if ((in->family == AF_UNSPEC || a.family == in->family) && hearth_dns_addr_equal (&a, &addr))
                {
                  memcpy (out, in->name, in->name_len);
                  *out_len = in->name_len;
                  return TRUE;
                }
            }
        }
    }
  for (guint i = 0; i < c->synth_domains->len; i++)
    if (hearth_dns_synth_domain_name (g_ptr_array_index (c->synth_domains, i), &addr, out, out_len))
      return TRUE;
  return FALSE;
}

static gboolean
synthetic_address (HearthDnsLocal *local, const guint8 *name, gsize len, HearthDnsAddr *out)
{
  const HearthDnsConfig *c = local->config;

  for (guint i = 0; i < c->synth_domains->len; i++)
    if (hearth_dns_synth_domain_address (g_ptr_array_index (c->synth_domains, i), name, len, out))
      return TRUE;
  return FALSE;
}

typedef struct {
  const LocalName *layers[N_LAYERS];
  gboolean any;
} Found;

static gboolean
find_name (HearthDnsLocal *local, const guint8 *name, gsize len, Found *found)
{
  HearthDnsAddr addr;
  guint8 scratch[HEARTH_DNS_NAME_MAX];
  gsize scratch_len;

  found->any = FALSE;
  for (guint l = 0; l < N_LAYERS; l++)
    {
      found->layers[l] = layer_find (&local->layers[l], name, len);
      found->any |= found->layers[l] != NULL;
    }
  if (found->any)
    return TRUE;
  /* An --interface-name is ours even while its interface has no address
   * (no data, as dnsmasq answers). */
  for (guint i = 0; i < local->config->interface_names->len; i++)
    {
      const HearthDnsInterfaceName *in = g_ptr_array_index (local->config->interface_names, i);

      if (hearth_dns_name_equal (in->name, in->name_len, name, len))
        return TRUE;
    }
  if (local->config->synth_domains->len > 0 && synthetic_address (local, name, len, &addr))
    return TRUE;
  if ((local->config->interface_names->len > 0 || local->config->synth_domains->len > 0) &&
      synthetic_ptr (local, name, len, scratch, &scratch_len))
    return TRUE;
  return FALSE;
}

static const HearthDnsRecord *
found_cname (const Found *found)
{
  for (guint l = 0; l < N_LAYERS; l++)
    for (guint i = 0; found->layers[l] != NULL && i < found->layers[l]->n_records; i++)
      if (found->layers[l]->records[i].rec->type == HEARTH_DNS_TYPE_CNAME)
        return found->layers[l]->records[i].rec;
  return NULL;
}

static gboolean
found_has_type (const Found *found, guint16 type)
{
  for (guint l = 0; l < N_LAYERS; l++)
    if (name_has_type (found->layers[l], type))
      return TRUE;
  return FALSE;
}

typedef struct {
  HearthDnsLocal *local;
  HearthDnsReplyWriter *w;
  const guint8 *name;
  gsize len;
  guint16 qtype;
} SynthAdd;

static void
synth_add_cb (const HearthDnsAddr *addr, gpointer user_data)
{
  SynthAdd *s = user_data;
  guint16 type = addr->family == AF_INET6 ? HEARTH_DNS_TYPE_AAAA : HEARTH_DNS_TYPE_A;

  if (s->qtype != HEARTH_DNS_TYPE_ANY && s->qtype != type)
    return;
  hearth_dns_reply_writer_add (s->w, FALSE, s->name, s->len, type, HEARTH_DNS_CLASS_IN, s->local->config->local_ttl,
                               addr->bytes, hearth_dns_addr_size (addr));
}

/* The interface a query arrived on: by index, else the one holding the
 * address it was sent to. */
static gboolean
is_arrival_interface (const HearthDnsInterface *iface, const HearthDnsLocalContext *ctx)
{
  if (ctx->ifindex != 0)
    return iface->index == ctx->ifindex;
  if (ctx->dst.family == 0)
    return FALSE;
  for (guint k = 0; k < iface->addrs->len; k++)
    {
      HearthDnsAddr a = g_array_index (iface->addrs, HearthDnsAddr, k);

      a.prefix_len = a.family == AF_INET6 ? 128 : 32;
      if (hearth_dns_addr_equal (&a, &ctx->dst))
        return TRUE;
    }
  return FALSE;
}

/* Is addr (of a record) on the subnet of the receiving interface? */
static gboolean
on_interface (HearthDnsLocal *local, const HearthDnsLocalContext *ctx, const HearthDnsRecord *r)
{
  HearthDnsAddr a;

  if (r->rdlength != 4 && r->rdlength != 16)
    return FALSE;
  hearth_dns_addr_from_bytes (r->rdlength == 4 ? AF_INET : AF_INET6, r->rdata, &a);
  for (guint j = 0; j < local->interfaces->len; j++)
    {
      const HearthDnsInterface *iface = g_ptr_array_index (local->interfaces, j);

      if (!is_arrival_interface (iface, ctx))
        continue;
      for (guint k = 0; k < iface->addrs->len; k++)
        if (hearth_dns_addr_in_prefix (&g_array_index (iface->addrs, HearthDnsAddr, k), &a))
          return TRUE;
    }
  return FALSE;
}

#define MAX_RRSET 256

/* Writes the records of type at the found name: address records in
 * rotating order (unless --no-round-robin), narrowed to the receiving
 * interface's subnets with --localise-queries. */
static void
add_rrset (HearthDnsLocal *local, HearthDnsReplyWriter *w, const Found *found, guint16 type,
           const HearthDnsLocalContext *ctx)
{
  const HearthDnsRecord *set[MAX_RRSET];
  guint n = 0, start = 0, n_local = 0;
  gboolean addresses = type == HEARTH_DNS_TYPE_A || type == HEARTH_DNS_TYPE_AAAA;

  for (guint l = 0; l < N_LAYERS; l++)
    for (guint i = 0; found->layers[l] != NULL && i < found->layers[l]->n_records && n < MAX_RRSET; i++)
      {
        const HearthDnsRecord *r = found->layers[l]->records[i].rec;
        gboolean dup = FALSE;

        if (r->type != type)
          continue;
        /* The same record from two layers (a hosts line and a lease) is
         * one answer. */
        for (guint j = 0; j < n && !dup; j++)
          dup = set[j]->rdlength == r->rdlength && memcmp (set[j]->rdata, r->rdata, r->rdlength) == 0;
        if (!dup)
          set[n++] = r;
      }
  if (n == 0)
    return;
  if (addresses && local->config->localise_queries && ctx != NULL && (ctx->ifindex != 0 || ctx->dst.family != 0) &&
      n > 1)
    {
      for (guint i = 0; i < n; i++)
        if (on_interface (local, ctx, set[i]))
          set[n_local++] = set[i];
      if (n_local > 0)
        n = n_local;
    }
  if (addresses && !local->config->no_round_robin && n > 1)
    start = local->rotation++ % n;
  for (guint i = 0; i < n; i++)
    add_record (local, w, set[(start + i) % n]);
}

static void
add_all (HearthDnsLocal *local, HearthDnsReplyWriter *w, const Found *found)
{
  for (guint l = 0; l < N_LAYERS; l++)
    for (guint i = 0; found->layers[l] != NULL && i < found->layers[l]->n_records; i++)
      add_record (local, w, found->layers[l]->records[i].rec);
}

/* --selfmx / --localmx: local hosts are their own mail exchangers, or use
 * --mx-target. */
static void
add_implicit_mx (HearthDnsLocal *local, HearthDnsReplyWriter *w, const Found *found, const guint8 *name, gsize len)
{
  const HearthDnsConfig *c = local->config;
  guint8 rdata[2 + HEARTH_DNS_NAME_MAX];
  gsize target_len;
  gboolean has_address = FALSE;

  if ((!c->selfmx && !c->localmx) || found_has_type (found, HEARTH_DNS_TYPE_MX))
    return;
  for (guint l = 0; l < N_LAYERS; l++)
    has_address |= name_has_address (found->layers[l]);
  if (!has_address)
    return;
  rdata[0] = 0;
  rdata[1] = 1;
  if (c->selfmx)
    {
      memcpy (rdata + 2, name, len);
      target_len = len;
    }
  else if (!hearth_dns_name_from_string (c->mx_target != NULL ? c->mx_target : c->hostname, rdata + 2, &target_len))
    return;
  hearth_dns_reply_writer_add (w, FALSE, name, len, HEARTH_DNS_TYPE_MX, HEARTH_DNS_CLASS_IN, c->local_ttl, rdata,
                               2 + target_len);
}

static void
add_synthetic (HearthDnsLocal *local, HearthDnsReplyWriter *w, const Found *found, const guint8 *name, gsize len,
               guint16 qtype)
{
  SynthAdd s = { local, w, name, len, qtype };
  HearthDnsAddr addr;
  guint8 target[HEARTH_DNS_NAME_MAX];
  gsize target_len;

  if (local->config->interface_names->len > 0)
    interface_name_addresses (local, name, len, synth_add_cb, &s);
  if (local->config->synth_domains->len > 0 && !found->any && synthetic_address (local, name, len, &addr))
    synth_add_cb (&addr, &s);
  if ((qtype == HEARTH_DNS_TYPE_PTR || qtype == HEARTH_DNS_TYPE_ANY) && !found_has_type (found, HEARTH_DNS_TYPE_PTR) &&
      synthetic_ptr (local, name, len, target, &target_len))
    hearth_dns_reply_writer_add (w, FALSE, name, len, HEARTH_DNS_TYPE_PTR, HEARTH_DNS_CLASS_IN,
                                 local->config->local_ttl, target, target_len);
  if (qtype == HEARTH_DNS_TYPE_MX || qtype == HEARTH_DNS_TYPE_ANY)
    add_implicit_mx (local, w, found, name, len);
}

/* CHAOS-class identification, as BIND and dnsmasq answer it. */
static gsize
answer_chaos (HearthDnsLocal *local, const HearthDnsQuery *query, const HearthDnsLocalContext *ctx, guint8 *buf,
              gsize buf_size)
{
  const HearthDnsQuestion *q = &query->question;
  char name[HEARTH_DNS_NAME_MAX * 4 + 1];
  const char *text = NULL;
  guint8 rdata[256];
  gsize text_len;
  HearthDnsReplyWriter w;

  /* Nothing in class CHAOS is forwarded: upstream servers would tell
   * their own version, which is not what was asked. */
  if (local->config->no_ident || (q->qtype != HEARTH_DNS_TYPE_TXT && q->qtype != HEARTH_DNS_TYPE_ANY))
    return hearth_dns_write_error (query, HEARTH_DNS_RCODE_NOTIMP, FALSE, local->config->edns_packet_max, buf, buf_size);
  hearth_dns_name_to_string (q->name, q->name_len, name, sizeof name);
  if (g_ascii_strcasecmp (name, "version.bind") == 0)
    text = "hearth-" PACKAGE_VERSION;
  else if (g_ascii_strcasecmp (name, "hostname.bind") == 0 || g_ascii_strcasecmp (name, "id.server") == 0)
    text = local->config->hostname != NULL ? local->config->hostname : "localhost";
  else if (g_ascii_strcasecmp (name, "authors.bind") == 0)
    text = "the Hearth authors";
  if (text == NULL)
    return hearth_dns_write_error (query, HEARTH_DNS_RCODE_NOTIMP, FALSE, local->config->edns_packet_max, buf, buf_size);
  text_len = MIN (strlen (text), 255);
  rdata[0] = (guint8) text_len;
  memcpy (rdata + 1, text, text_len);
  hearth_dns_reply_writer_init (&w, query, HEARTH_DNS_RCODE_NOERROR, TRUE, ctx->limit, buf, buf_size);
  hearth_dns_reply_writer_add (&w, FALSE, q->name, q->name_len, HEARTH_DNS_TYPE_TXT, HEARTH_DNS_CLASS_CH, 0, rdata,
                               text_len + 1);
  return hearth_dns_reply_writer_finish (&w, local->config->edns_packet_max);
}

gsize
hearth_dns_local_answer (HearthDnsLocal *local, const HearthDnsQuery *query, const HearthDnsLocalContext *ctx,
                         guint8 *buf, gsize buf_size)
{
  const HearthDnsQuestion *q = &query->question;
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize len = q->name_len;
  HearthDnsReplyWriter w;
  Found found;

  if (q->qclass == HEARTH_DNS_CLASS_CH)
    return answer_chaos (local, query, ctx, buf, buf_size);
  if (q->qclass != HEARTH_DNS_CLASS_IN && q->qclass != HEARTH_DNS_CLASS_ANY)
    return 0;
  if (len == 0 || len > sizeof name)
    return 0;
  memcpy (name, q->name, len);
  hearth_dns_name_lower (name, len);
  if (!find_name (local, name, len, &found))
    return 0;

  hearth_dns_reply_writer_init (&w, query, HEARTH_DNS_RCODE_NOERROR, TRUE, ctx->limit, buf, buf_size);
  for (guint hop = 0; hop <= MAX_CNAME_HOPS; hop++)
    {
      const HearthDnsRecord *cname = found_cname (&found);

      if (cname != NULL && q->qtype != HEARTH_DNS_TYPE_CNAME && q->qtype != HEARTH_DNS_TYPE_ANY)
        {
          /* Follow the alias inside local data; past it the client's
           * resolver carries on. */
          add_record (local, &w, cname);
          if (cname->rdlength > sizeof name)
            break;
          len = cname->rdlength;
          memcpy (name, cname->rdata, len);
          hearth_dns_name_lower (name, len);
          if (!find_name (local, name, len, &found))
            break;
          continue;
        }
      if (q->qtype == HEARTH_DNS_TYPE_ANY)
        add_all (local, &w, &found);
      else
        add_rrset (local, &w, &found, q->qtype, ctx);
      add_synthetic (local, &w, &found, name, len, q->qtype);
      break;
    }
  return hearth_dns_reply_writer_finish (&w, local->config->edns_packet_max);
}

gboolean
hearth_dns_local_has_names_under (HearthDnsLocal *local, const guint8 *name, gsize len)
{
  guint8 lower[HEARTH_DNS_NAME_MAX];
  gpointer key;

  if (len == 0 || len > sizeof lower)
    return FALSE;
  memcpy (lower, name, len);
  hearth_dns_name_lower (lower, len);
  key = GUINT_TO_POINTER (wire_hash (lower, len));
  for (guint l = 0; l < N_LAYERS; l++)
    if (g_hash_table_contains (local->layers[l].ancestors, key))
      return TRUE;
  return FALSE;
}

void
hearth_dns_local_get_stats (HearthDnsLocal *local, HearthDnsLocalStats *out_stats)
{
  memset (out_stats, 0, sizeof *out_stats);
  out_stats->config_names = g_hash_table_size (local->layers[LAYER_CONFIG].names);
  out_stats->hosts_names = g_hash_table_size (local->layers[LAYER_HOSTS].names);
  out_stats->dynamic_names = g_hash_table_size (local->layers[LAYER_DYNAMIC].names);
  for (guint l = 0; l < N_LAYERS; l++)
    out_stats->memory += local->layers[l].memory;
}

void
hearth_dns_local_reload_hosts_file (HearthDnsLocal *local, const char *path)
{
  hearth_dns_local_remove_hosts_file (local, path);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    load_hosts_file (local, path);
}
