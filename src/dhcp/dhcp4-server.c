/* The DHCPv4 message handler (see dhcp4-server.h).
 *
 * One request goes through the same steps whatever its type:
 *   1. parse, and check it is a request we may answer;
 *   2. find the subnet it belongs to: the relay's (giaddr) or the
 *      receiving interface's addresses, and the ranges on that subnet;
 *   3. find the client's host reservation and its current lease, and
 *      work out its tags (interface, host, class matches, range, tag-if);
 *   4. run the handler for the message type, which picks or checks an
 *      address and changes the lease table;
 *   5. build the reply with the options the client asked for and decide
 *      where it goes (relay, unicast, broadcast, or unicast by ARP).
 *
 * Addresses offered but not yet requested are held for the client for a
 * short while so two clients are never offered the same one; declined
 * addresses are held for nobody for ten minutes.
 *
 * PXE clients (option 60 starting with a PXE vendor class, option 93
 * present) get the PXE options with their addresses; on a subnet whose
 * ranges are all "proxy" they get only those, with no address, and
 * nobody else gets anything (proxy DHCP: another server hands out the
 * addresses). A REQUEST or INFORM naming a boot menu item (option 43
 * sub-option 71) is boot server discovery and gets the item's file.
 * The layout follows PXE 2.1 and dnsmasq 2.90.
 */
#include "config.h"

#include "dhcp/dhcp4-server.h"

#include <arpa/inet.h>
#include <string.h>

#define MAX_TAGS 48

typedef struct {
  const char *names[MAX_TAGS];
  guint n;
} TagSet;

typedef struct {
  guint32 addr;
  guint8 hwtype;
  guint8 hwlen;
  guint8 hwaddr[HEARTH_DHCP_HWADDR_MAX];
  GBytes *client_id;
  gboolean nobody;          /* declined: held for no client */
  gint64 until;
} Hold;

struct _HearthDhcp4Server {
  const HearthDhcpConfig *config;
  HearthDhcpLeaseTable *leases;
  HearthDhcp4ServerHooks hooks;
  GPtrArray *ranges;        /* HearthDhcpRange*, owned */
  GPtrArray *hosts;         /* HearthDhcpHost*, owned */
  GHashTable *host_by_mac;  /* "len:hex" -> host (exact MACs) */
  GHashTable *host_by_id;   /* GBytes -> host */
  GHashTable *host_by_addr; /* addr -> host */
  GHashTable *host_by_name; /* lower-case name -> host, for name-only reservations */
  GPtrArray *wild_hosts;    /* hosts with a wildcard MAC, borrowed */
  GHashTable *holds;        /* addr -> Hold */
  GHashTable *relay_of_range; /* range id -> the giaddr it was last relayed from */
  GPtrArray *options;       /* HearthDhcpOption*, borrowed: the configuration's, then the files' */
  GPtrArray *option_files;  /* OptionFile*, in the order first read */
  guint next_range_id;
  guint next_host_id;
  gint64 next_hold_sweep;
  HearthDhcp4ServerStats stats;
};

/* Everything known about the request being handled. */
typedef struct {
  HearthDhcp4Server *srv;
  const HearthDhcp4Request *req;
  const HearthDhcp4Message *msg;
  HearthDhcp4MessageType type;
  /* the client */
  guint8 hwtype;
  guint8 hwlen;
  const guint8 *hwaddr;
  GBytes *client_id;        /* NULL when none or ignored */
  const HearthDhcpHost *host;
  HearthDhcpLease *lease;   /* the client's current lease, if any */
  /* the subnet */
  guint32 server_addr;      /* our address on the client's subnet (server id) */
  guint32 net_addr;         /* the subnet's address to match ranges against */
  guint32 netmask;
  gboolean have_subnet;
  gboolean relayed;
  gboolean remote;          /* not relayed, but ciaddr is on a relay's subnet: a unicast renewal */
  guint32 remote_router;    /* that subnet's relay, when one was seen; 0 = unknown */
  GPtrArray *ranges;        /* borrowed HearthDhcpRange* on the subnet whose tags match */
  TagSet tags;
  /* PXE */
  const char *pxe_vendor;   /* the PXE vendor class it matched; NULL = not a PXE client */
  guint16 pxe_arch;         /* option 93 */
  gboolean pxe_menu;        /* option 43 is the PXE one in address replies */
  gboolean proxy;           /* the subnet's ranges are all proxy ranges */
  char mac_text[HEARTH_DHCP_HWADDR_STRING_MAX]; /* for logs: see client_text() */
  /* the reply */
  HearthDhcp4Builder builder;
} Exchange;

/* The client's hardware address as logs spell it, formatted on first
 * use: most requests log nothing (--quiet-dhcp, debug off). */
static const char *
client_text (Exchange *x)
{
  if (x->mac_text[0] == '\0')
    hearth_dhcp_format_hwaddr (x->hwtype, x->hwaddr, x->hwlen, x->mac_text, sizeof x->mac_text);
  return x->mac_text;
}

static void
hold_free (Hold *h)
{
  g_clear_pointer (&h->client_id, g_bytes_unref);
  g_free (h);
}

/* ---- tags ---- */

static void
tags_add (TagSet *t, const char *tag)
{
  if (tag == NULL || *tag == '\0' || t->n >= MAX_TAGS)
    return;
  for (guint i = 0; i < t->n; i++)
    if (strcmp (t->names[i], tag) == 0)
      return;
  t->names[t->n++] = tag;
}

static gboolean
tags_has (const TagSet *t, const char *tag)
{
  for (guint i = 0; i < t->n; i++)
    if (strcmp (t->names[i], tag) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
tags_match (const TagSet *t, const HearthDhcpTagMatch match)
{
  if (match == NULL)
    return TRUE;
  for (guint i = 0; match[i] != NULL; i++)
    {
      if (match[i][0] == '!')
        {
          if (tags_has (t, match[i] + 1))
            return FALSE;
        }
      else if (!tags_has (t, match[i]))
        return FALSE;
    }
  return TRUE;
}

/* A tag list option (--dhcp-ignore and friends): any entry whose
 * conditions all hold; an entry with no conditions holds for everyone. */
static gboolean
tag_lists_match (const TagSet *t, GPtrArray *lists)
{
  for (guint i = 0; lists != NULL && i < lists->len; i++)
    if (tags_match (t, g_ptr_array_index (lists, i)))
      return TRUE;
  return FALSE;
}

/* ---- host reservations ---- */

static char *
mac_key (guint8 len, const guint8 *addr, char *buf, gsize size)
{
  gsize pos = g_snprintf (buf, size, "%u:", len);

  for (guint i = 0; i < len && pos + 2 < size; i++)
    pos += g_snprintf (buf + pos, size - pos, "%.2x", addr[i]);
  return buf;
}

static void
rebuild_host_index (HearthDhcp4Server *srv)
{
  g_hash_table_remove_all (srv->host_by_mac);
  g_hash_table_remove_all (srv->host_by_id);
  g_hash_table_remove_all (srv->host_by_addr);
  g_hash_table_remove_all (srv->host_by_name);
  g_ptr_array_set_size (srv->wild_hosts, 0);
  for (guint i = 0; i < srv->hosts->len; i++)
    {
      HearthDhcpHost *h = g_ptr_array_index (srv->hosts, i);
      gboolean has_client = FALSE;

      for (guint m = 0; h->macs != NULL && m < h->macs->len; m++)
        {
          const HearthDhcpMac *mac = &g_array_index (h->macs, HearthDhcpMac, m);
          char buf[64];

          has_client = TRUE;
          if (mac->wildcard != 0)
            {
              g_ptr_array_add (srv->wild_hosts, h);
              continue;
            }
          mac_key (mac->len, mac->addr, buf, sizeof buf);
          /* The first reservation for a MAC wins, as in dnsmasq. */
          if (!g_hash_table_contains (srv->host_by_mac, buf))
            g_hash_table_insert (srv->host_by_mac, g_strdup (buf), h);
        }
      for (guint c = 0; h->client_ids != NULL && c < h->client_ids->len; c++)
        {
          has_client = TRUE;
          if (!g_hash_table_contains (srv->host_by_id, g_ptr_array_index (h->client_ids, c)))
            g_hash_table_insert (srv->host_by_id, g_ptr_array_index (h->client_ids, c), h);
        }
      if (h->addr != 0 && !g_hash_table_contains (srv->host_by_addr, GUINT_TO_POINTER (h->addr)))
        g_hash_table_insert (srv->host_by_addr, GUINT_TO_POINTER (h->addr), h);
      if (!has_client && h->name != NULL)
        g_hash_table_insert (srv->host_by_name, g_ascii_strdown (h->name, -1), h);
    }
}

static gboolean
mac_matches_host (const HearthDhcpHost *h, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen)
{
  for (guint m = 0; h->macs != NULL && m < h->macs->len; m++)
    {
      const HearthDhcpMac *mac = &g_array_index (h->macs, HearthDhcpMac, m);

      if (mac->len != hwlen || (mac->hwtype >= 0 && mac->hwtype != hwtype))
        continue;
      gboolean ok = TRUE;
      for (guint i = 0; i < hwlen && ok; i++)
        if (!(mac->wildcard & (1u << i)) && mac->addr[i] != hwaddr[i])
          ok = FALSE;
      if (ok)
        return TRUE;
    }
  return FALSE;
}

/* One of the host's MACs, without wildcards, is this one. */
static gboolean
host_has_exact_mac (const HearthDhcpHost *h, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen)
{
  for (guint m = 0; h->macs != NULL && m < h->macs->len; m++)
    {
      const HearthDhcpMac *mac = &g_array_index (h->macs, HearthDhcpMac, m);

      if (mac->wildcard == 0 && mac->len == hwlen && (mac->hwtype < 0 || mac->hwtype == hwtype) &&
          memcmp (mac->addr, hwaddr, hwlen) == 0)
        return TRUE;
    }
  return FALSE;
}

const HearthDhcpHost *
hearth_dhcp4_server_find_host (HearthDhcp4Server *srv, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen,
                               const guint8 *client_id, gsize client_id_len)
{
  HearthDhcpHost *h;
  char buf[64];

  if (client_id != NULL && client_id_len > 0)
    {
      g_autoptr (GBytes) key = g_bytes_new_static (client_id, client_id_len);

      h = g_hash_table_lookup (srv->host_by_id, key);
      if (h != NULL)
        return h;
    }
  if (hwlen > 0 && hwlen <= HEARTH_DHCP_HWADDR_MAX)
    {
      h = g_hash_table_lookup (srv->host_by_mac, mac_key (hwlen, hwaddr, buf, sizeof buf));
      if (h != NULL && mac_matches_host (h, hwtype, hwaddr, hwlen))
        {
          /* A reservation by client id is for that id only, unless id:*
           * says to match the MAC whatever id the client sends. */
          /* srvtest fix: an empty or ignored (--dhcp-ignore-clid, passed
           * as length 0) client id is no client id: match by MAC. */
          if (h->client_ids == NULL || h->client_ids->len == 0 || h->ignore_client_id || client_id == NULL ||
              client_id_len == 0)
            return h;
        }
      for (guint i = 0; i < srv->wild_hosts->len; i++)
        {
          h = g_ptr_array_index (srv->wild_hosts, i);
          if (mac_matches_host (h, hwtype, hwaddr, hwlen))
            return h;
        }
    }
  return NULL;
}

/* ---- construction and live changes ---- */

/* The options of one --dhcp-optsfile/--dhcp-optsdir file. */
typedef struct {
  char *owner;
  GPtrArray *options;       /* HearthDhcpOption*, owned */
} OptionFile;

static void
option_file_free (OptionFile *f)
{
  g_free (f->owner);
  g_ptr_array_unref (f->options);
  g_free (f);
}

static void
rebuild_options (HearthDhcp4Server *srv)
{
  g_ptr_array_set_size (srv->options, 0);
  for (guint i = 0; srv->config != NULL && i < srv->config->options->len; i++)
    g_ptr_array_add (srv->options, g_ptr_array_index (srv->config->options, i));
  for (guint f = 0; f < srv->option_files->len; f++)
    {
      OptionFile *of = g_ptr_array_index (srv->option_files, f);

      for (guint i = 0; i < of->options->len; i++)
        g_ptr_array_add (srv->options, g_ptr_array_index (of->options, i));
    }
}

void
hearth_dhcp4_server_set_file_options (HearthDhcp4Server *srv, const char *owner, GPtrArray *options)
{
  g_return_if_fail (srv != NULL);

  if (owner == NULL)
    {
      g_ptr_array_set_size (srv->option_files, 0);
      rebuild_options (srv);
      return;
    }
  for (guint i = 0; i < srv->option_files->len; i++)
    {
      OptionFile *of = g_ptr_array_index (srv->option_files, i);

      if (strcmp (of->owner, owner) != 0)
        continue;
      if (options != NULL && options->len > 0)
        {
          g_ptr_array_unref (of->options);
          of->options = options;
        }
      else
        {
          g_ptr_array_remove_index (srv->option_files, i);
          if (options != NULL)
            g_ptr_array_unref (options);
        }
      rebuild_options (srv);
      return;
    }
  if (options == NULL)
    return;
  if (options->len == 0)
    {
      g_ptr_array_unref (options);
      return;
    }
  {
    OptionFile *of = g_new0 (OptionFile, 1);

    of->owner = g_strdup (owner);
    of->options = options;
    g_ptr_array_add (srv->option_files, of);
  }
  rebuild_options (srv);
}

HearthDhcp4Server *
hearth_dhcp4_server_new (const HearthDhcpConfig *config, HearthDhcpLeaseTable *leases,
                         const HearthDhcp4ServerHooks *hooks)
{
  HearthDhcp4Server *srv = g_new0 (HearthDhcp4Server, 1);

  srv->config = config;
  srv->leases = leases;
  if (hooks != NULL)
    srv->hooks = *hooks;
  srv->ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_range_free);
  srv->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dhcp_host_free);
  srv->host_by_mac = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  srv->host_by_id = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  srv->host_by_addr = g_hash_table_new (g_direct_hash, g_direct_equal);
  srv->host_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  srv->wild_hosts = g_ptr_array_new ();
  srv->holds = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) hold_free);
  srv->relay_of_range = g_hash_table_new (g_direct_hash, g_direct_equal);
  srv->options = g_ptr_array_new ();
  srv->option_files = g_ptr_array_new_with_free_func ((GDestroyNotify) option_file_free);
  rebuild_options (srv);
  srv->next_range_id = 1;
  srv->next_host_id = 1;
  for (guint i = 0; config != NULL && i < config->ranges->len; i++)
    hearth_dhcp4_server_add_range (srv, hearth_dhcp_range_copy (g_ptr_array_index (config->ranges, i)));
  for (guint i = 0; config != NULL && i < config->hosts->len; i++)
    {
      HearthDhcpHost *h = hearth_dhcp_host_copy (g_ptr_array_index (config->hosts, i));

      h->id = srv->next_host_id++;
      g_ptr_array_add (srv->hosts, h);
    }
  rebuild_host_index (srv);
  return srv;
}

void
hearth_dhcp4_server_free (HearthDhcp4Server *srv)
{
  if (srv == NULL)
    return;
  g_hash_table_unref (srv->holds);
  g_hash_table_unref (srv->relay_of_range);
  g_ptr_array_unref (srv->options);
  g_ptr_array_unref (srv->option_files);
  g_ptr_array_unref (srv->wild_hosts);
  g_hash_table_unref (srv->host_by_name);
  g_hash_table_unref (srv->host_by_addr);
  g_hash_table_unref (srv->host_by_id);
  g_hash_table_unref (srv->host_by_mac);
  g_ptr_array_unref (srv->hosts);
  g_ptr_array_unref (srv->ranges);
  g_free (srv);
}

void
hearth_dhcp4_server_get_stats (HearthDhcp4Server *srv, HearthDhcp4ServerStats *out)
{
  *out = srv->stats;
}

guint
hearth_dhcp4_server_add_range (HearthDhcp4Server *srv, HearthDhcpRange *range)
{
  range->id = srv->next_range_id++;
  g_ptr_array_add (srv->ranges, range);
  return range->id;
}

static gint
find_by_id (GPtrArray *array, guint id)
{
  /* Ranges and hosts both start with their id field. */
  for (guint i = 0; i < array->len; i++)
    if (*(guint *) g_ptr_array_index (array, i) == id)
      return (gint) i;
  return -1;
}

/* A new array of the same (borrowed) pointers. */
static GPtrArray *
borrow_all (GPtrArray *array)
{
  GPtrArray *out = g_ptr_array_sized_new (array->len);

  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (array, i));
  return out;
}

gboolean
hearth_dhcp4_server_replace_range (HearthDhcp4Server *srv, guint id, HearthDhcpRange *range)
{
  gint i = find_by_id (srv->ranges, id);

  if (i < 0)
    {
      hearth_dhcp_range_free (range);
      return FALSE;
    }
  range->id = id;
  hearth_dhcp_range_free (g_ptr_array_index (srv->ranges, i));
  g_ptr_array_index (srv->ranges, i) = range;
  return TRUE;
}

gboolean
hearth_dhcp4_server_remove_range (HearthDhcp4Server *srv, guint id)
{
  gint i = find_by_id (srv->ranges, id);

  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (srv->ranges, i);
  return TRUE;
}

const HearthDhcpRange *
hearth_dhcp4_server_get_range (HearthDhcp4Server *srv, guint id)
{
  gint i = find_by_id (srv->ranges, id);

  return i < 0 ? NULL : g_ptr_array_index (srv->ranges, i);
}

GPtrArray *
hearth_dhcp4_server_list_ranges (HearthDhcp4Server *srv)
{
  return borrow_all (srv->ranges);
}

guint
hearth_dhcp4_server_range_usage (HearthDhcp4Server *srv, const HearthDhcpRange *range)
{
  guint n = 0;

  if (range->mode != HEARTH_DHCP_RANGE_DYNAMIC)
    return 0;
  /* Whichever is smaller: walking the range or the leases. */
  if ((guint64) range->end - range->start + 1 <= hearth_dhcp_lease_table_size (srv->leases))
    {
      for (guint64 a = range->start; a <= range->end; a++)
        if (hearth_dhcp_lease_table_lookup_addr (srv->leases, (guint32) a) != NULL)
          n++;
    }
  else
    {
      g_autoptr (GPtrArray) all = hearth_dhcp_lease_table_list (srv->leases);

      for (guint i = 0; i < all->len; i++)
        {
          const HearthDhcpLease *l = g_ptr_array_index (all, i);

          if (l->addr >= range->start && l->addr <= range->end)
            n++;
        }
    }
  return n;
}

guint
hearth_dhcp4_server_add_host (HearthDhcp4Server *srv, HearthDhcpHost *host)
{
  host->id = srv->next_host_id++;
  g_ptr_array_add (srv->hosts, host);
  rebuild_host_index (srv);
  return host->id;
}

gboolean
hearth_dhcp4_server_replace_host (HearthDhcp4Server *srv, guint id, HearthDhcpHost *host)
{
  gint i = find_by_id (srv->hosts, id);

  if (i < 0)
    {
      hearth_dhcp_host_free (host);
      return FALSE;
    }
  host->id = id;
  /* The index points into the old host: rebuild before anything looks. */
  hearth_dhcp_host_free (g_ptr_array_index (srv->hosts, i));
  g_ptr_array_index (srv->hosts, i) = host;
  rebuild_host_index (srv);
  return TRUE;
}

gboolean
hearth_dhcp4_server_remove_host (HearthDhcp4Server *srv, guint id)
{
  gint i = find_by_id (srv->hosts, id);

  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (srv->hosts, i);
  rebuild_host_index (srv);
  return TRUE;
}

const HearthDhcpHost *
hearth_dhcp4_server_get_host (HearthDhcp4Server *srv, guint id)
{
  gint i = find_by_id (srv->hosts, id);

  return i < 0 ? NULL : g_ptr_array_index (srv->hosts, i);
}

GPtrArray *
hearth_dhcp4_server_list_hosts (HearthDhcp4Server *srv)
{
  return borrow_all (srv->hosts);
}

void
hearth_dhcp4_server_remove_hosts_by_owner (HearthDhcp4Server *srv, const char *owner, GArray *out_removed)
{
  for (guint i = srv->hosts->len; i > 0; i--)
    {
      HearthDhcpHost *h = g_ptr_array_index (srv->hosts, i - 1);

      if (g_strcmp0 (h->owner, owner) != 0)
        continue;
      if (out_removed != NULL)
        g_array_append_val (out_removed, h->id);
      g_ptr_array_remove_index (srv->hosts, i - 1);
    }
  rebuild_host_index (srv);
}

/* ---- the client's identity ---- */

static gboolean
same_client (const Exchange *x, guint8 hwtype, const guint8 *hwaddr, guint8 hwlen, GBytes *client_id)
{
  if (x->client_id != NULL && client_id != NULL)
    return g_bytes_equal (x->client_id, client_id);
  return hwtype == x->hwtype && hwlen == x->hwlen && memcmp (hwaddr, x->hwaddr, hwlen) == 0;
}

static gboolean
lease_is_clients (const Exchange *x, const HearthDhcpLease *l)
{
  return same_client (x, l->hwtype, l->hwaddr, l->hwlen, l->client_id);
}

static HearthDhcpLease *
find_client_lease (Exchange *x)
{
  HearthDhcpLeaseTable *t = x->srv->leases;
  HearthDhcpLease *l = NULL;

  if (x->client_id != NULL)
    {
      gsize len;
      const guint8 *id = g_bytes_get_data (x->client_id, &len);

      l = hearth_dhcp_lease_table_lookup_client_id (t, id, len);
      if (l != NULL)
        return l;
    }
  if (x->hwlen > 0)
    {
      l = hearth_dhcp_lease_table_lookup_hwaddr (t, x->hwtype, x->hwaddr, x->hwlen);
      /* A lease bound to another client id is someone else's. */
      if (l != NULL && l->client_id != NULL && x->client_id != NULL && !g_bytes_equal (l->client_id, x->client_id))
        l = NULL;
    }
  return l;
}

/* ---- subnets and ranges ---- */

static guint32
prefix_mask (guint prefix_len)
{
  return prefix_len == 0 ? 0 : 0xffffffffu << (32 - MIN (prefix_len, 32));
}

static guint32
range_mask (const HearthDhcpRange *r, guint32 fallback)
{
  return r->netmask != 0 ? r->netmask : fallback;
}

static gboolean
range_on_net (const HearthDhcpRange *r, guint32 net, guint32 fallback_mask)
{
  guint32 mask = range_mask (r, fallback_mask);

  return (r->start & mask) == (net & mask) && (r->end & mask) == (net & mask);
}

/* Picks the subnet: the relay's, or the receiving interface's address
 * that has ranges (preferring the one that holds @hint, e.g. ciaddr). */
static void
select_subnet (Exchange *x, guint32 hint)
{
  HearthDhcp4Server *srv = x->srv;
  const HearthDhcp4Request *req = x->req;
  guint32 giaddr = x->msg->header.giaddr;

  x->ranges = g_ptr_array_new ();
  if (giaddr != 0)
    {
      x->relayed = TRUE;
      /* Relayed: the ranges holding giaddr; our address is the receiving
       * interface's first. Without a netmask in the range a /24 is assumed. */
      for (guint i = 0; i < srv->ranges->len; i++)
        {
          HearthDhcpRange *r = g_ptr_array_index (srv->ranges, i);

          if (range_on_net (r, giaddr, 0xffffff00u))
            {
              if (!x->have_subnet)
                {
                  x->netmask = range_mask (r, 0xffffff00u);
                  x->net_addr = giaddr & x->netmask;
                  x->have_subnet = TRUE;
                }
              g_ptr_array_add (x->ranges, r);
              g_hash_table_replace (srv->relay_of_range, GUINT_TO_POINTER (r->id), GUINT_TO_POINTER (giaddr));
            }
        }
      if (req->n_subnets > 0)
        x->server_addr = req->subnets[0].addr;
      return;
    }
  /* srvtest fix: a client that got its lease through a relay renews by
   * unicast straight to us (RFC 2131 4.4.5): no giaddr, and ciaddr on the
   * relay's subnet, not on ours. Its subnet is the one of the ranges
   * holding ciaddr, as in dnsmasq; the default router is the relay last
   * seen for that range. Before, such renewals were taken for the local
   * subnet: ignored, or NAKed ("wrong network") when authoritative. */
  /* Not for a DISCOVER, nor with a requested address (option 50): only
   * a client in RENEWING/REBINDING (or INFORM) speaks from its address,
   * as in dnsmasq. */
  if (x->msg->header.ciaddr != 0 && x->type != HEARTH_DHCP4_DISCOVER &&
      !hearth_dhcp4_message_has_option (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS))
    {
      guint32 ciaddr = x->msg->header.ciaddr;
      gboolean local = FALSE;

      for (guint s = 0; s < req->n_subnets && !local; s++)
        {
          guint32 mask = prefix_mask (req->subnets[s].prefix_len);

          local = (ciaddr & mask) == (req->subnets[s].addr & mask);
        }
      for (guint i = 0; i < srv->ranges->len && !local; i++)
        {
          HearthDhcpRange *r = g_ptr_array_index (srv->ranges, i);

          if (range_on_net (r, ciaddr, 0xffffff00u))
            {
              if (!x->have_subnet)
                {
                  x->netmask = range_mask (r, 0xffffff00u);
                  x->net_addr = ciaddr & x->netmask;
                  x->have_subnet = TRUE;
                  x->remote = TRUE;
                  x->remote_router =
                      GPOINTER_TO_UINT (g_hash_table_lookup (srv->relay_of_range, GUINT_TO_POINTER (r->id)));
                }
              g_ptr_array_add (x->ranges, r);
            }
        }
      if (x->remote)
        {
          if (req->n_subnets > 0)
            x->server_addr = req->subnets[0].addr;
          return;
        }
    }
  for (guint pass = 0; pass < 2 && !x->have_subnet; pass++)
    for (guint s = 0; s < req->n_subnets && !x->have_subnet; s++)
      {
        const HearthDhcp4Subnet *sn = &req->subnets[s];
        guint32 mask = prefix_mask (sn->prefix_len);

        if (pass == 0 && (hint == 0 || (hint & mask) != (sn->addr & mask)))
          continue;
        for (guint i = 0; i < srv->ranges->len; i++)
          {
            HearthDhcpRange *r = g_ptr_array_index (srv->ranges, i);

            if (range_on_net (r, sn->addr, mask))
              {
                x->have_subnet = TRUE;
                g_ptr_array_add (x->ranges, r);
              }
          }
        if (x->have_subnet)
          {
            HearthDhcpRange *first = g_ptr_array_index (x->ranges, 0);

            x->server_addr = sn->addr;
            x->netmask = range_mask (first, mask);
            x->net_addr = sn->addr & x->netmask;
          }
      }
}

static gboolean
addr_on_subnet (const Exchange *x, guint32 addr)
{
  return x->have_subnet && (addr & x->netmask) == x->net_addr;
}

/* The dynamic range (tags permitting) holding addr, or NULL. */
static const HearthDhcpRange *
dynamic_range_for (const Exchange *x, guint32 addr)
{
  for (guint i = 0; i < x->ranges->len; i++)
    {
      const HearthDhcpRange *r = g_ptr_array_index (x->ranges, i);

      if (r->mode == HEARTH_DHCP_RANGE_DYNAMIC && addr >= r->start && addr <= r->end && tags_match (&x->tags, r->match_tags))
        return r;
    }
  return NULL;
}

static const HearthDhcpRange *
any_range_for (const Exchange *x, guint32 addr)
{
  const HearthDhcpRange *r = dynamic_range_for (x, addr);

  if (r != NULL)
    return r;
  for (guint i = 0; i < x->ranges->len; i++)
    {
      r = g_ptr_array_index (x->ranges, i);
      if (r->mode != HEARTH_DHCP_RANGE_PROXY && tags_match (&x->tags, r->match_tags))
        return r;
    }
  return NULL;
}

/* ---- address availability ---- */

static Hold *
live_hold (Exchange *x, guint32 addr)
{
  Hold *h = g_hash_table_lookup (x->srv->holds, GUINT_TO_POINTER (addr));

  if (h != NULL && h->until <= x->req->now)
    {
      g_hash_table_remove (x->srv->holds, GUINT_TO_POINTER (addr));
      h = NULL;
    }
  return h;
}

/* Free for this client: not the subnet's network or broadcast address,
 * not ours, not leased or held for someone else, not reserved for
 * another client. */
static gboolean
address_available (Exchange *x, guint32 addr)
{
  const HearthDhcpLease *l;
  const HearthDhcpHost *reserved;
  Hold *h;

  if (addr == 0 || addr == x->server_addr)
    return FALSE;
  if (x->netmask != 0xffffffffu && x->netmask != 0xfffffffeu &&
      ((addr & ~x->netmask) == 0 || (addr & ~x->netmask) == ~x->netmask))
    return FALSE;
  l = hearth_dhcp_lease_table_lookup_addr (x->srv->leases, addr);
  /* srvtest fix: a reservation listing several MACs (a laptop's wired and
   * wireless interfaces) lets the address move to whichever of them asks,
   * as dnsmasq does ("abandoning lease"); commit_lease() then hands the
   * existing lease to this client. Wildcard MACs do not count (dnsmasq's
   * config_has_mac), or every matching machine would take it in turn. */
  /* The client's own lease (found once per request) is the common case. */
  if (l != NULL && l != x->lease && !lease_is_clients (x, l) &&
      !(x->host != NULL && x->host->addr == addr && host_has_exact_mac (x->host, l->hwtype, l->hwaddr, l->hwlen)))
    return FALSE;
  h = live_hold (x, addr);
  if (h != NULL && (h->nobody || !same_client (x, h->hwtype, h->hwaddr, h->hwlen, h->client_id)))
    return FALSE;
  reserved = g_hash_table_lookup (x->srv->host_by_addr, GUINT_TO_POINTER (addr));
  if (reserved != NULL && reserved != x->host)
    return FALSE;
  return TRUE;
}

static guint32
client_hash (const Exchange *x)
{
  guint32 h = 2166136261u;
  gsize len = x->hwlen;
  const guint8 *p = x->hwaddr;

  if (x->client_id != NULL)
    p = g_bytes_get_data (x->client_id, &len);
  for (gsize i = 0; i < len; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

/* The first address in [from, to] that is free for this client. The
 * lease table skips leased addresses in bulk; what is left to check one
 * by one is unleased but taken otherwise (held, reserved, ours), which
 * the hold limit and the reservations bound. */
static guint32
first_available (Exchange *x, guint32 from, guint32 to)
{
  guint32 a = from;

  while (from <= to && hearth_dhcp_lease_table_next_free (x->srv->leases, a, to, &a))
    {
      if (address_available (x, a))
        return a;
      if (a == to)
        break;
      a++;
    }
  return 0;
}

/* A free address from the subnet's dynamic ranges: the search starts at
 * a point given by the client's hash (so a client tends to get the same
 * address again), or at the range start with --dhcp-sequential-ip, and
 * wraps round. */
static guint32
allocate_address (Exchange *x)
{
  guint32 hash = client_hash (x);

  for (guint i = 0; i < x->ranges->len; i++)
    {
      const HearthDhcpRange *r = g_ptr_array_index (x->ranges, i);
      guint64 size;
      guint32 first, a;

      if (r->mode != HEARTH_DHCP_RANGE_DYNAMIC || !tags_match (&x->tags, r->match_tags))
        continue;
      size = (guint64) r->end - r->start + 1;
      first = r->start + (guint32) (x->srv->config->sequential_ip ? 0 : hash % size);
      a = first_available (x, first, r->end);
      if (a == 0 && first > r->start)
        a = first_available (x, r->start, first - 1);
      if (a != 0)
        return a;
    }
  return 0;
}

static void
hold_address (Exchange *x, guint32 addr, gboolean nobody, guint seconds)
{
  Hold *h;

  /* A flood of DISCOVERs from made-up MACs must not set the whole pool
   * (or unbounded memory) aside: past the cap, offers go out unheld. */
  if (!nobody && g_hash_table_size (x->srv->holds) >= HEARTH_DHCP4_HOLDS_MAX)
    return;
  h = g_new0 (Hold, 1);

  h->addr = addr;
  h->nobody = nobody;
  h->until = x->req->now + (gint64) seconds * G_USEC_PER_SEC;
  if (!nobody)
    {
      h->hwtype = x->hwtype;
      h->hwlen = x->hwlen;
      memcpy (h->hwaddr, x->hwaddr, x->hwlen);
      h->client_id = x->client_id != NULL ? g_bytes_ref (x->client_id) : NULL;
    }
  g_hash_table_replace (x->srv->holds, GUINT_TO_POINTER (addr), h);
}

static gboolean
hold_expired_cb (gpointer key, gpointer value, gpointer user_data)
{
  return ((Hold *) value)->until <= *(gint64 *) user_data;
}

static void
sweep_holds (HearthDhcp4Server *srv, gint64 now)
{
  if (now < srv->next_hold_sweep)
    return;
  g_hash_table_foreach_remove (srv->holds, hold_expired_cb, &now);
  srv->next_hold_sweep = now + 10 * G_USEC_PER_SEC;
}

/* ---- names ---- */

static const char *
domain_for (const Exchange *x, guint32 addr)
{
  if (x->srv->hooks.domain_for == NULL)
    return NULL;
  return x->srv->hooks.domain_for (addr, x->srv->hooks.user_data);
}

/* The client's own name from option 81 (RFC 4702) or 12, reduced to its
 * first label when it carries a domain, as dnsmasq does. Written into
 * @buf; FALSE when there is no usable name. */
static gboolean
client_supplied_name (const Exchange *x, char *buf, gsize size, gboolean *out_from_fqdn)
{
  gsize len = 0;
  const guint8 *p;
  char text[256];
  char *dot;

  *out_from_fqdn = FALSE;
  p = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_FQDN, &len);
  if (p != NULL && len > 3)
    {
      guint8 flags = p[0];
      gsize n = 0;

      *out_from_fqdn = TRUE;
      if (flags & 0x04)
        {
          /* Wire format: take the first label. */
          gsize l = p[3];

          if (l == 0 || l > 63 || l > len - 4)
            return FALSE;
          memcpy (text, p + 4, l);
          n = l;
        }
      else
        {
          n = MIN (len - 3, sizeof text - 1);
          memcpy (text, p + 3, n);
        }
      text[n] = '\0';
    }
  else
    {
      p = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_HOSTNAME, &len);
      if (p == NULL || len == 0)
        return FALSE;
      len = MIN (len, sizeof text - 1);
      memcpy (text, p, len);
      text[len] = '\0';
      /* Some clients count the terminating NUL. */
      if (strlen (text) != len && strlen (text) + 1 != len)
        return FALSE;
    }
  dot = strchr (text, '.');
  if (dot != NULL)
    *dot = '\0';
  if (!hearth_dhcp_hostname_is_valid (text))
    return FALSE;
  g_strlcpy (buf, text, size);
  return TRUE;
}

/* The lease's name: the reservation's, else the client's own unless
 * --dhcp-ignore-names, else a generated one with --dhcp-generate-names. A
 * name reserved for another client is not given. The newest lease wins a
 * name another lease holds. */
static void
assign_name (Exchange *x, HearthDhcpLease *lease)
{
  const HearthDhcpConfig *c = x->srv->config;
  char name[64] = "";
  char supplied[64] = "";
  gboolean from_fqdn;
  HearthDhcpLease *other;

  if (client_supplied_name (x, supplied, sizeof supplied, &from_fqdn))
    {
      g_free (lease->supplied_hostname);
      lease->supplied_hostname = g_strdup (supplied);
    }
  if (x->host != NULL && x->host->name != NULL && strchr (x->host->name, '.') == NULL)
    g_strlcpy (name, x->host->name, sizeof name);
  else if (x->host != NULL && x->host->name != NULL)
    {
      g_autofree char *first = g_strndup (x->host->name, strcspn (x->host->name, "."));

      g_strlcpy (name, first, sizeof name);
    }
  else if (supplied[0] != '\0' && !tag_lists_match (&x->tags, c->ignore_names))
    {
      g_autofree char *lower = g_ascii_strdown (supplied, -1);
      HearthDhcpHost *owner = g_hash_table_lookup (x->srv->host_by_name, lower);

      /* A name-only reservation ("name,ip") belongs to whoever gets its
       * address; anyone else may not take the name. */
      if (owner == NULL || owner->addr == 0 || owner->addr == lease->addr)
        g_strlcpy (name, supplied, sizeof name);
    }
  if (name[0] == '\0' && tag_lists_match (&x->tags, c->generate_names) && x->hwlen > 0)
    {
      gsize pos = 0;

      for (guint i = 0; i < x->hwlen && pos + 3 < sizeof name; i++)
        pos += g_snprintf (name + pos, sizeof name - pos, i == 0 ? "%.2x" : "-%.2x", x->hwaddr[i]);
    }
  /* srvtest fix: a renewal that carries no name (option 12 and 81 absent)
   * keeps the name the lease has, as dnsmasq does; before, every such
   * renewal dropped the name from the lease and from DNS. */
  if (name[0] == '\0' && lease->hostname != NULL &&
      !hearth_dhcp4_message_has_option (x->msg, HEARTH_DHCP4_OPT_HOSTNAME) &&
      !hearth_dhcp4_message_has_option (x->msg, HEARTH_DHCP4_OPT_FQDN))
    return;
  if (name[0] != '\0')
    {
      other = hearth_dhcp_lease_table_lookup_hostname (x->srv->leases, name);
      /* With --dhcp-fqdn a name is only taken within its own domain. */
      if (other != NULL && c->fqdn && g_strcmp0 (domain_for (x, other->addr), domain_for (x, lease->addr)) != 0)
        other = NULL;
      if (other != NULL && other != lease)
        {
          hearth_dhcp_lease_set_hostname (x->srv->leases, other, NULL);
          hearth_dhcp_lease_table_commit (x->srv->leases, other, HEARTH_DHCP_LEASE_REASON_CLIENT);
        }
    }
  hearth_dhcp_lease_set_hostname (x->srv->leases, lease, name[0] != '\0' ? name : NULL);
}

/* ---- tags ---- */

static gboolean
bytes_contain (const guint8 *hay, gsize hay_len, GBytes *needle)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (needle, &n);

  if (n == 0)
    return TRUE;
  return hay != NULL && memmem (hay, hay_len, p, n) != NULL;
}

/* Sub-option @code of the relay agent information (option 82). */
static const guint8 *
agent_suboption (const HearthDhcp4Message *msg, guint8 code, gsize *out_len)
{
  gsize len, pos = 0;
  const guint8 *p = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_AGENT_INFO, &len);

  while (p != NULL && len - pos >= 2)
    {
      guint8 c = p[pos], l = p[pos + 1];

      if (len - pos - 2 < l)
        break;
      if (c == code)
        {
          *out_len = l;
          return p + pos + 2;
        }
      pos += 2 + (gsize) l;
    }
  return NULL;
}

static gboolean
match_applies (const Exchange *x, const HearthDhcpMatch *m)
{
  const HearthDhcp4Message *msg = x->msg;
  const guint8 *p;
  gsize len = 0;

  switch (m->kind)
    {
    case HEARTH_DHCP_MATCH_VENDOR_CLASS:
      p = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_VENDOR_CLASS, &len);
      return p != NULL && m->data != NULL && bytes_contain (p, len, m->data);
    case HEARTH_DHCP_MATCH_USER_CLASS:
      p = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_USER_CLASS, &len);
      return p != NULL && m->data != NULL && bytes_contain (p, len, m->data);
    case HEARTH_DHCP_MATCH_MAC:
      return hearth_dhcp_mac_matches (&m->mac, x->hwtype, x->hwaddr, x->hwlen);
    case HEARTH_DHCP_MATCH_CIRCUIT_ID:
    case HEARTH_DHCP_MATCH_REMOTE_ID:
    case HEARTH_DHCP_MATCH_SUBSCRIBER_ID:
      {
        guint8 code = m->kind == HEARTH_DHCP_MATCH_CIRCUIT_ID ? 1 : m->kind == HEARTH_DHCP_MATCH_REMOTE_ID ? 2 : 6;
        gsize n = 0;
        const guint8 *want = m->data != NULL ? g_bytes_get_data (m->data, &n) : NULL;

        p = agent_suboption (msg, code, &len);
        return p != NULL && (want == NULL || (len == n && memcmp (p, want, n) == 0));
      }
    case HEARTH_DHCP_MATCH_OPTION:
      p = hearth_dhcp4_message_get_option (msg, m->code, &len);
      return p != NULL && (m->data == NULL || bytes_contain (p, len, m->data));
    case HEARTH_DHCP_MATCH_VI_ENCAP:
      {
        gsize pos = 0;

        p = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_VI_VENDOR, &len);
        while (p != NULL && len - pos >= 5)
          {
            guint32 ent = ((guint32) p[pos] << 24) | ((guint32) p[pos + 1] << 16) | ((guint32) p[pos + 2] << 8) | p[pos + 3];
            guint8 l = p[pos + 4];

            if (len - pos - 5 < l)
              break;
            if (ent == m->enterprise && (m->data == NULL || bytes_contain (p + pos + 5, l, m->data)))
              return TRUE;
            pos += 5 + (gsize) l;
          }
        return FALSE;
      }
    case HEARTH_DHCP_MATCH_NAME:
      {
        char name[64];
        gboolean from_fqdn;
        gsize n = 0;
        const char *want = m->data != NULL ? g_bytes_get_data (m->data, &n) : "";

        if (!client_supplied_name (x, name, sizeof name, &from_fqdn))
          return FALSE;
        if (m->wildcard)
          return strlen (name) >= n && g_ascii_strncasecmp (name, want, n) == 0;
        return strlen (name) == n && g_ascii_strncasecmp (name, want, n) == 0;
      }
    }
  return FALSE;
}

static void
compute_tags (Exchange *x)
{
  const HearthDhcpConfig *c = x->srv->config;

  tags_add (&x->tags, x->req->ifname);
  if (x->type == HEARTH_DHCP4_NONE)
    tags_add (&x->tags, "bootp");
  if (x->host != NULL)
    {
      tags_add (&x->tags, "known");
      tags_add (&x->tags, x->host->set_tag);
    }
  for (guint i = 0; c->matches != NULL && i < c->matches->len; i++)
    {
      const HearthDhcpMatch *m = g_ptr_array_index (c->matches, i);

      if (match_applies (x, m))
        tags_add (&x->tags, m->set_tag);
    }
  /* The range's own tag: the first range on the subnet it may use. */
  for (guint i = 0; i < x->ranges->len; i++)
    {
      const HearthDhcpRange *r = g_ptr_array_index (x->ranges, i);

      if (tags_match (&x->tags, r->match_tags))
        {
          tags_add (&x->tags, r->set_tag);
          break;
        }
    }
  for (guint i = 0; c->tag_ifs != NULL && i < c->tag_ifs->len; i++)
    {
      const HearthDhcpTagIf *t = g_ptr_array_index (c->tag_ifs, i);

      if (tags_match (&x->tags, t->match_tags))
        for (guint j = 0; t->set_tags != NULL && t->set_tags[j] != NULL; j++)
          tags_add (&x->tags, t->set_tags[j]);
    }
}

/* ---- lease times ---- */

static guint32
lease_time_for (Exchange *x, guint32 addr)
{
  const HearthDhcpRange *r = any_range_for (x, addr);
  guint32 t = HEARTH_DHCP_DEFAULT_LEASE_TIME;
  guint32 asked;

  if (x->type == HEARTH_DHCP4_NONE)
    return HEARTH_DHCP_LEASE_INFINITE;
  if (r != NULL && r->lease_time != 0)
    t = r->lease_time;
  if (x->host != NULL && x->host->lease_time != 0)
    t = x->host->lease_time;
  /* A client may ask for less, not for more. */
  if (hearth_dhcp4_message_get_u32 (x->msg, HEARTH_DHCP4_OPT_LEASE_TIME, &asked) && asked < t)
    t = MAX (asked, HEARTH_DHCP_MIN_LEASE_TIME);
  return t;
}

/* ---- the reply ---- */

static gboolean
requested (const HearthDhcp4Message *msg, guint8 code)
{
  gsize len;
  const guint8 *prl = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_PARAMETER_LIST, &len);

  /* Without a parameter request list (BOOTP, old clients) everything
   * configured is sent. */
  return prl == NULL || memchr (prl, code, len) != NULL;
}

/* Options the server writes itself are never taken from the
 * configuration: the message type, server id, overload, relay agent
 * information, and PAD/END (255 is dnsmasq's way of setting siaddr). */
static gboolean
option_configurable (guint8 code)
{
  return code != HEARTH_DHCP4_OPT_PAD && code != HEARTH_DHCP4_OPT_END && code != HEARTH_DHCP4_OPT_OVERLOAD &&
         code != HEARTH_DHCP4_OPT_MESSAGE_TYPE && code != HEARTH_DHCP4_OPT_SERVER_ID &&
         code != HEARTH_DHCP4_OPT_AGENT_INFO;
}

static void
add_option_value (Exchange *x, const HearthDhcpOption *o)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (o->value, &len);
  guint8 buf[HEARTH_DHCP_OPTION_VALUE_MAX + 4];

  /* 0.0.0.0 in an address list stands for this server's address. */
  if (o->addresses_at >= 0 && len <= sizeof buf && (gsize) o->addresses_at <= len)
    {
      memcpy (buf, data, len);
      for (gsize i = (gsize) o->addresses_at; len - i >= 4; i += 4)
        if (buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 0 && buf[i + 3] == 0)
          {
            guint32 n = htonl (x->server_addr);

            memcpy (buf + i, &n, 4);
          }
      data = buf;
    }
  hearth_dhcp4_builder_add (&x->builder, o->code, data, len);
}

/* Sub-options (code, length, value) of every option for @encap that
 * applies, concatenated into @out. */
static void
collect_encapsulated (Exchange *x, guint8 encap, gboolean vendor, guint32 enterprise, gboolean vi, GByteArray *out,
                      gboolean *out_forced)
{
  gsize vc_len = 0;
  const guint8 *vc = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_VENDOR_CLASS, &vc_len);

  for (guint i = 0; i < x->srv->options->len; i++)
    {
      const HearthDhcpOption *o = g_ptr_array_index (x->srv->options, i);
      gsize len;
      const guint8 *data;
      guint8 hdr[2];

      if (!tags_match (&x->tags, o->match_tags))
        continue;
      if (vi)
        {
          if (!o->has_vi_encap || o->vi_encap != enterprise)
            continue;
        }
      else if (vendor)
        {
          if (o->vendor == NULL || vc == NULL || memmem (vc, vc_len, o->vendor, strlen (o->vendor)) == NULL)
            continue;
        }
      else if (o->encap != encap || o->has_vi_encap || o->vendor != NULL)
        continue;
      data = g_bytes_get_data (o->value, &len);
      if (len > 255)
        continue;
      hdr[0] = o->code;
      hdr[1] = (guint8) len;
      g_byte_array_append (out, hdr, 2);
      g_byte_array_append (out, data, len);
      if (o->force)
        *out_forced = TRUE;
    }
}

static void pxe_add_options (Exchange *x);

static void
add_configured_options (Exchange *x)
{
  const HearthDhcpOption *chosen[256] = { NULL };
  guint score[256] = { 0 };
  gboolean encaps[256] = { FALSE };
  GArray *enterprises = NULL;

  for (guint i = 0; i < x->srv->options->len; i++)
    {
      const HearthDhcpOption *o = g_ptr_array_index (x->srv->options, i);
      guint s;

      if (!tags_match (&x->tags, o->match_tags))
        continue;
      if (o->has_vi_encap)
        {
          if (enterprises == NULL)
            enterprises = g_array_new (FALSE, FALSE, sizeof (guint32));
          gboolean seen = FALSE;
          for (guint e = 0; e < enterprises->len; e++)
            seen |= g_array_index (enterprises, guint32, e) == o->vi_encap;
          if (!seen)
            g_array_append_val (enterprises, o->vi_encap);
          continue;
        }
      if (o->vendor != NULL)
        {
          encaps[HEARTH_DHCP4_OPT_VENDOR] = TRUE;
          continue;
        }
      if (o->encap != 0)
        {
          encaps[o->encap] = TRUE;
          continue;
        }
      /* A tagged option beats an untagged one; otherwise the first wins. */
      s = o->match_tags != NULL ? g_strv_length (o->match_tags) + 1 : 1;
      if (chosen[o->code] == NULL || s > score[o->code])
        {
          chosen[o->code] = o;
          score[o->code] = s;
        }
    }
  for (guint i = 0; i < x->srv->options->len; i++)
    {
      const HearthDhcpOption *o = g_ptr_array_index (x->srv->options, i);

      if (chosen[o->code] != o || g_bytes_get_size (o->value) == 0)
        continue;
      /* A PXE client's 60 and 43 are the PXE ones (pxe_add_options). */
      if (x->pxe_vendor != NULL &&
          (o->code == HEARTH_DHCP4_OPT_VENDOR_CLASS || (x->pxe_menu && o->code == HEARTH_DHCP4_OPT_VENDOR)))
        continue;
      /* 255 is dnsmasq's "server-ip-address": siaddr, not an option. */
      if (!option_configurable (o->code))
        continue;
      if (!o->force && !requested (x->msg, o->code))
        continue;
      add_option_value (x, o);
    }
  for (guint code = 1; code < 255; code++)
    {
      g_autoptr (GByteArray) sub = NULL;
      gboolean forced = FALSE;

      if (!encaps[code] || !option_configurable ((guint8) code))
        continue;
      if (x->pxe_menu && code == HEARTH_DHCP4_OPT_VENDOR)
        continue;
      sub = g_byte_array_new ();
      /* srvtest fix: the first pass takes the encap:<code> options; for 43
       * the second adds the vendor:<class> ones. Passing vendor=TRUE to the
       * first pass as well sent every vendor: sub-option twice and never
       * sent encap:43 ones. */
      collect_encapsulated (x, (guint8) code, FALSE, 0, FALSE, sub, &forced);
      if (code == HEARTH_DHCP4_OPT_VENDOR)
        collect_encapsulated (x, 0, TRUE, 0, FALSE, sub, &forced);
      if (sub->len > 0 && (forced || requested (x->msg, (guint8) code)))
        hearth_dhcp4_builder_add (&x->builder, (guint8) code, sub->data, sub->len);
    }
  if (enterprises != NULL)
    {
      g_autoptr (GByteArray) all = g_byte_array_new ();
      gboolean forced = FALSE;

      for (guint e = 0; e < enterprises->len; e++)
        {
          g_autoptr (GByteArray) sub = g_byte_array_new ();
          guint32 ent = g_array_index (enterprises, guint32, e);
          guint8 hdr[5] = { ent >> 24, ent >> 16, ent >> 8, ent, 0 };

          collect_encapsulated (x, 0, FALSE, ent, TRUE, sub, &forced);
          if (sub->len == 0 || sub->len > 255)
            continue;
          hdr[4] = (guint8) sub->len;
          g_byte_array_append (all, hdr, 5);
          g_byte_array_append (all, sub->data, sub->len);
        }
      if (all->len > 0 &&
          (forced || hearth_dhcp4_message_has_option (x->msg, HEARTH_DHCP4_OPT_VI_VENDOR) ||
           requested (x->msg, HEARTH_DHCP4_OPT_VI_VENDOR)))
        hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_VI_VENDOR, all->data, all->len);
      g_array_unref (enterprises);
    }

  /* Defaults, unless configured (an empty configured value suppresses). */
  /* srvtest fix: on a relayed subnet the default router is the relay
   * (giaddr), as in dnsmasq; before, relayed clients got no router. */
  if (chosen[HEARTH_DHCP4_OPT_ROUTER] == NULL && requested (x->msg, HEARTH_DHCP4_OPT_ROUTER) &&
      !(x->remote && x->remote_router == 0))
    hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_ROUTER,
                                   x->relayed  ? x->msg->header.giaddr
                                   : x->remote ? x->remote_router
                                               : x->server_addr);
  if (chosen[HEARTH_DHCP4_OPT_DNS_SERVER] == NULL && x->srv->hooks.dns_enabled &&
      requested (x->msg, HEARTH_DHCP4_OPT_DNS_SERVER))
    hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_DNS_SERVER, x->server_addr);
  if (x->pxe_vendor != NULL)
    pxe_add_options (x);
}

static void
add_name_options (Exchange *x, const HearthDhcpLease *lease)
{
  const char *domain = domain_for (x, lease != NULL ? lease->addr : x->msg->header.ciaddr);
  gsize len;
  const guint8 *fqdn;

  if (domain != NULL && !hearth_dhcp4_builder_has (&x->builder, HEARTH_DHCP4_OPT_DOMAIN_NAME) &&
      requested (x->msg, HEARTH_DHCP4_OPT_DOMAIN_NAME))
    {
      gboolean suppressed = FALSE;

      for (guint i = 0; i < x->srv->options->len; i++)
        {
          const HearthDhcpOption *o = g_ptr_array_index (x->srv->options, i);

          if (o->code == HEARTH_DHCP4_OPT_DOMAIN_NAME && o->encap == 0 && o->vendor == NULL && !o->has_vi_encap &&
              tags_match (&x->tags, o->match_tags))
            suppressed = TRUE;
        }
      if (!suppressed)
        hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_DOMAIN_NAME, domain, strlen (domain));
    }
  if (lease == NULL || lease->hostname == NULL)
    return;
  if (requested (x->msg, HEARTH_DHCP4_OPT_HOSTNAME) && hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_PARAMETER_LIST, &len) != NULL)
    hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_HOSTNAME, lease->hostname, strlen (lease->hostname));
  fqdn = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_FQDN, &len);
  if (fqdn != NULL && len >= 3)
    {
      /* RFC 4702: we update DNS (S=1) unless --dhcp-client-update lets the
       * client do it; O says we overrode the client's wish; E as asked. */
      guint8 out[300];
      gsize pos = 3;
      gboolean wire = (fqdn[0] & 0x04) != 0;
      gboolean client_wants_s = (fqdn[0] & 0x01) != 0;
      gboolean s = !x->srv->config->client_update;
      g_autofree char *full = domain != NULL ? g_strdup_printf ("%s.%s", lease->hostname, domain) : g_strdup (lease->hostname);

      out[0] = (wire ? 0x04 : 0) | (s ? 0x01 : 0) | (s != client_wants_s ? 0x02 : 0);
      out[1] = 255;
      out[2] = 255;
      if (wire)
        {
          gchar **labels = g_strsplit (full, ".", -1);

          for (guint i = 0; labels[i] != NULL && pos + strlen (labels[i]) + 2 < sizeof out; i++)
            {
              gsize l = strlen (labels[i]);

              if (l == 0 || l > 63)
                continue;
              out[pos++] = (guint8) l;
              memcpy (out + pos, labels[i], l);
              pos += l;
            }
          /* srvtest fix: without a domain the name is partial (RFC 4702
           * 2.3.1): no root label, which would make it fully qualified. */
          if (domain != NULL)
            out[pos++] = 0;
          g_strfreev (labels);
        }
      else
        {
          gsize l = MIN (strlen (full), sizeof out - 3);

          memcpy (out + 3, full, l);
          pos += l;
        }
      hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_FQDN, out, pos);
    }
}

/* The first of @items whose tags all match and that names a tag, else
 * the first untagged one (a tagged item beats an untagged one, as in
 * dnsmasq); @tags_offset is where an item keeps its HearthDhcpTagMatch. */
static gconstpointer
pick_by_tags (const Exchange *x, GPtrArray *items, glong tags_offset)
{
  gconstpointer untagged = NULL;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);
      HearthDhcpTagMatch match = G_STRUCT_MEMBER (HearthDhcpTagMatch, item, tags_offset);

      if (!tags_match (&x->tags, match))
        continue;
      if (match != NULL && match[0] != NULL)
        return item;
      if (untagged == NULL)
        untagged = item;
    }
  return untagged;
}

static const HearthDhcpBoot *
boot_for (const Exchange *x)
{
  return pick_by_tags (x, x->srv->config->boots, G_STRUCT_OFFSET (HearthDhcpBoot, match_tags));
}

/* Header and the options every reply of @type carries; the caller adds
 * the rest and then calls finish_reply(). */
static void
start_reply (Exchange *x, HearthDhcp4MessageType type, guint32 yiaddr, guint32 lease_time)
{
  HearthDhcp4Header h = x->msg->header;
  const HearthDhcpBoot *boot = type == HEARTH_DHCP4_NAK ? NULL : boot_for (x);

  h.op = HEARTH_DHCP4_BOOTREPLY;
  h.hops = 0;
  h.secs = 0;
  h.yiaddr = yiaddr;
  h.siaddr = 0;
  if (type == HEARTH_DHCP4_NAK)
    h.ciaddr = 0;
  else if (type != HEARTH_DHCP4_ACK || x->type != HEARTH_DHCP4_INFORM)
    h.ciaddr = x->type == HEARTH_DHCP4_REQUEST ? h.ciaddr : 0;
  memset (h.sname, 0, sizeof h.sname);
  memset (h.file, 0, sizeof h.file);
  if (boot != NULL)
    {
      if (boot->file != NULL)
        g_strlcpy ((char *) h.file, boot->file, sizeof h.file);
      if (boot->server_name != NULL)
        g_strlcpy ((char *) h.sname, boot->server_name, sizeof h.sname);
      h.siaddr = boot->server_addr != 0 ? boot->server_addr : (x->srv->hooks.tftp_enabled ? x->server_addr : 0);
    }
  if (type != HEARTH_DHCP4_NAK)
    {
      for (guint i = 0; i < x->srv->options->len; i++)
        {
          const HearthDhcpOption *o = g_ptr_array_index (x->srv->options, i);
          gsize len;
          const guint8 *v = g_bytes_get_data (o->value, &len);

          if (o->code == HEARTH_DHCP4_OPT_END && o->encap == 0 && !o->has_vi_encap && o->vendor == NULL && len == 4 &&
              tags_match (&x->tags, o->match_tags))
            {
              guint32 a;

              memcpy (&a, v, 4);
              h.siaddr = ntohl (a) != 0 ? ntohl (a) : x->server_addr;
              break;
            }
        }
    }
  if (x->relayed && type == HEARTH_DHCP4_NAK)
    h.flags |= HEARTH_DHCP4_FLAG_BROADCAST;
  hearth_dhcp4_builder_init (&x->builder, &h);
  if (type != HEARTH_DHCP4_NONE)
    {
      hearth_dhcp4_builder_add_u8 (&x->builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, type);
      hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_SERVER_ID, x->server_addr);
    }
  if (type == HEARTH_DHCP4_NAK)
    return;
  if (lease_time != 0 && type != HEARTH_DHCP4_NONE)
    {
      hearth_dhcp4_builder_add_u32 (&x->builder, HEARTH_DHCP4_OPT_LEASE_TIME, lease_time);
      if (lease_time != HEARTH_DHCP_LEASE_INFINITE)
        {
          hearth_dhcp4_builder_add_u32 (&x->builder, HEARTH_DHCP4_OPT_T1, lease_time / 2);
          hearth_dhcp4_builder_add_u32 (&x->builder, HEARTH_DHCP4_OPT_T2, (guint32) ((guint64) lease_time * 7 / 8));
        }
    }
  hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_NETMASK, x->netmask);
  {
    const HearthDhcpRange *r = any_range_for (x, yiaddr != 0 ? yiaddr : x->msg->header.ciaddr);
    guint32 bcast = r != NULL && r->broadcast != 0 ? r->broadcast : (x->net_addr | ~x->netmask);

    if (requested (x->msg, HEARTH_DHCP4_OPT_BROADCAST))
      hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_BROADCAST, bcast);
  }
  add_configured_options (x);
}

static void
finish_reply (Exchange *x, HearthDhcp4MessageType type, guint8 *out_buf, HearthDhcp4Reply *out)
{
  const HearthDhcp4Header *h = &x->builder.header;
  gsize agent_len;
  const guint8 *agent = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_AGENT_INFO, &agent_len);
  guint16 mms = 0;
  gsize max = HEARTH_DHCP4_DEFAULT_MAX_MESSAGE - 28;
  guint dropped = 0;
  const HearthDhcpConfig *c = x->srv->config;

  /* RFC 3046: the relay's information goes back unchanged, last. */
  if (agent != NULL && x->relayed)
    {
      hearth_dhcp4_builder_remove (&x->builder, HEARTH_DHCP4_OPT_AGENT_INFO);
      hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_AGENT_INFO, agent, agent_len);
    }
  if (hearth_dhcp4_message_get_u16 (x->msg, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, &mms) &&
      mms >= HEARTH_DHCP4_DEFAULT_MAX_MESSAGE)
    max = mms - 28;
  if (x->req->mtu >= HEARTH_DHCP4_DEFAULT_MAX_MESSAGE && max > x->req->mtu - 28)
    max = x->req->mtu - 28;
  out->len = hearth_dhcp4_builder_finish (&x->builder, !c->no_override, out_buf, max, &dropped);
  if (dropped > 0)
    g_debug ("%u options did not fit the reply to %s", dropped, client_text (x));
  out->type = type;
  out->ifindex = x->req->ifindex;
  out->src_addr = x->server_addr;
  out->dst_port = c->client_port != 0 ? c->client_port : 68;
  if (x->relayed)
    {
      out->dst_addr = x->msg->header.giaddr;
      out->dst_port = c->server_port != 0 ? c->server_port : 67;
    }
  else if (type == HEARTH_DHCP4_NAK)
    out->dst_addr = 0xffffffffu;
  else if (h->ciaddr != 0)
    out->dst_addr = h->ciaddr;
  else if ((h->flags & HEARTH_DHCP4_FLAG_BROADCAST) || tag_lists_match (&x->tags, c->broadcast) || h->yiaddr == 0 ||
           x->hwlen == 0 || x->hwlen > 16)
    out->dst_addr = 0xffffffffu;
  else
    {
      out->dst_addr = h->yiaddr;
      out->via_arp = TRUE;
      out->hwtype = x->hwtype;
      out->hwlen = x->hwlen;
      memcpy (out->hwaddr, x->hwaddr, x->hwlen);
    }
}

/* ---- leases ---- */

static const HearthDhcpRange *
range_of_lease (Exchange *x, guint32 addr)
{
  return any_range_for (x, addr);
}

static HearthDhcpLease *
commit_lease (Exchange *x, guint32 addr, guint32 lease_time)
{
  HearthDhcpLeaseTable *t = x->srv->leases;
  HearthDhcpLease *l = hearth_dhcp_lease_table_lookup_addr (t, addr);
  const HearthDhcpRange *r;
  gsize len;
  const guint8 *p;

  if (x->lease != NULL && x->lease != l)
    {
      /* The client moves to a new address: its old lease ends. */
      HearthDhcpLease *old = x->lease;

      x->lease = NULL;
      hearth_dhcp_lease_table_remove (t, old, HEARTH_DHCP_LEASE_REASON_CLIENT);
    }
  if (l == NULL)
    l = hearth_dhcp_lease_table_add (t, addr, x->hwtype, x->hwaddr, x->hwlen, x->client_id);
  else
    hearth_dhcp_lease_set_client (t, l, x->hwtype, x->hwaddr, x->hwlen, x->client_id);
  hearth_dhcp_lease_set_expiry (t, l, x->req->now, lease_time);
  l->ifindex = x->req->ifindex;
  r = range_of_lease (x, addr);
  l->range_id = r != NULL ? r->id : 0;
  p = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_AGENT_INFO, &len);
  /* A unicast renewal from a relayed client has no relay information of
   * its own: the relay's from the last relayed exchange stays. */
  if (!x->remote)
    {
      g_clear_pointer (&l->agent_info, g_bytes_unref);
      if (p != NULL && x->relayed)
        l->agent_info = g_bytes_new (p, len);
    }
  p = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_VENDOR_CLASS, &len);
  g_clear_pointer (&l->vendor_class, g_bytes_unref);
  if (p != NULL)
    l->vendor_class = g_bytes_new (p, len);
  assign_name (x, l);
  g_hash_table_remove (x->srv->holds, GUINT_TO_POINTER (addr));
  hearth_dhcp_lease_table_commit (t, l, HEARTH_DHCP_LEASE_REASON_CLIENT);
  x->lease = l;
  return l;
}

static void
log_exchange (Exchange *x, const char *what, guint32 addr, const char *extra)
{
  char a[INET_ADDRSTRLEN] = "";

  if (x->srv->config->quiet_dhcp && !x->srv->config->log_dhcp)
    return;
  if (addr != 0)
    {
      guint32 n = htonl (addr);

      inet_ntop (AF_INET, &n, a, sizeof a);
    }
  g_info ("%s(%s) %s%s%s%s%s", what, x->req->ifname != NULL ? x->req->ifname : "?", a, a[0] ? " " : "", client_text (x),
          extra != NULL ? " " : "", extra != NULL ? extra : "");
}

static void
reply_nak (Exchange *x, const char *why, guint8 *out_buf, HearthDhcp4Reply *out)
{
  start_reply (x, HEARTH_DHCP4_NAK, 0, 0);
  hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_MESSAGE, why, strlen (why));
  finish_reply (x, HEARTH_DHCP4_NAK, out_buf, out);
  x->srv->stats.naks++;
  log_exchange (x, "DHCPNAK", x->msg->header.ciaddr, why);
}

static void
reply_ack (Exchange *x, HearthDhcpLease *l, gboolean rapid, guint8 *out_buf, HearthDhcp4Reply *out)
{
  start_reply (x, HEARTH_DHCP4_ACK, l->addr, l->length);
  if (rapid)
    hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL, 0);
  add_name_options (x, l);
  finish_reply (x, HEARTH_DHCP4_ACK, out_buf, out);
  out->durable = TRUE;
  x->srv->stats.acks++;
  log_exchange (x, "DHCPACK", l->addr, l->hostname);
}

/* ---- message types ---- */

static gboolean
host_addr_here (const Exchange *x)
{
  return x->host != NULL && x->host->addr != 0 && addr_on_subnet (x, x->host->addr);
}

static gboolean
lease_max_reached (Exchange *x, guint32 addr)
{
  return hearth_dhcp_lease_table_lookup_addr (x->srv->leases, addr) == NULL &&
         hearth_dhcp_lease_table_size (x->srv->leases) >= x->srv->config->lease_max;
}

static guint32
choose_address (Exchange *x)
{
  guint32 want = 0;

  /* srvtest fix: when another client holds the reserved address (a lease
   * older than the reservation, a decline), the client gets a pool
   * address meanwhile, as dnsmasq does ("not using configured address");
   * before, it got nothing until the other lease ended. */
  if (host_addr_here (x) && address_available (x, x->host->addr))
    return x->host->addr;
  if (x->lease != NULL && addr_on_subnet (x, x->lease->addr) && dynamic_range_for (x, x->lease->addr) != NULL &&
      address_available (x, x->lease->addr))
    return x->lease->addr;
  if (hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &want) && addr_on_subnet (x, want) &&
      dynamic_range_for (x, want) != NULL && address_available (x, want) && !lease_max_reached (x, want))
    return want;
  if (x->lease == NULL && hearth_dhcp_lease_table_size (x->srv->leases) >= x->srv->config->lease_max)
    return 0;
  return allocate_address (x);
}

/* --dhcp-reply-delay: the first tagged delay that applies, else the
 * untagged one. */
static guint
reply_delay_for (const Exchange *x)
{
  const HearthDhcpConfig *c = x->srv->config;

  for (guint i = 0; c->reply_delays != NULL && i < c->reply_delays->len; i++)
    {
      const HearthDhcpReplyDelay *d = g_ptr_array_index (c->reply_delays, i);

      if (tags_match (&x->tags, d->match_tags))
        return d->seconds;
    }
  return c->reply_delay;
}

static void
handle_discover (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  guint32 addr = choose_address (x);
  guint32 time;

  if (addr == 0)
    {
      x->srv->stats.no_address++;
      log_exchange (x, "DHCPDISCOVER", 0, "no address available");
      return;
    }
  time = lease_time_for (x, addr);
  if (x->srv->config->rapid_commit && hearth_dhcp4_message_has_option (x->msg, HEARTH_DHCP4_OPT_RAPID_COMMIT))
    {
      HearthDhcpLease *l = commit_lease (x, addr, time);

      reply_ack (x, l, TRUE, out_buf, out);
      return;
    }
  hold_address (x, addr, FALSE, HEARTH_DHCP4_OFFER_HOLD_SECONDS);
  start_reply (x, HEARTH_DHCP4_OFFER, addr, time);
  {
    /* The name the client will get, for option 12 and 81. */
    HearthDhcpLease probe = { .addr = addr };
    char name[64] = "";
    gboolean from_fqdn;

    if (x->host != NULL && x->host->name != NULL)
      g_strlcpy (name, x->host->name, strcspn (x->host->name, ".") + 1 < sizeof name ? strcspn (x->host->name, ".") + 1 : sizeof name);
    else if (!tag_lists_match (&x->tags, x->srv->config->ignore_names))
      client_supplied_name (x, name, sizeof name, &from_fqdn);
    probe.hostname = name[0] != '\0' ? name : NULL;
    add_name_options (x, &probe);
  }
  finish_reply (x, HEARTH_DHCP4_OFFER, out_buf, out);
  out->delay_seconds = reply_delay_for (x);
  x->srv->stats.offers++;
  /* Logged by whoever sends it: an offer may still be held for a ping. */
}

typedef enum {
  STATE_SELECTING,
  STATE_INIT_REBOOT,
  STATE_RENEWING,  /* RENEWING or REBINDING: ciaddr set */
} RequestState;

static void
handle_request (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  const HearthDhcp4Header *h = &x->msg->header;
  const HearthDhcpConfig *c = x->srv->config;
  guint32 server_id = 0, want = 0;
  RequestState state;
  HearthDhcpLease *l;

  if (hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_SERVER_ID, &server_id))
    {
      state = STATE_SELECTING;
      if (!x->have_subnet || server_id != x->server_addr)
        {
          /* The client took another server's offer. */
          if (hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &want))
            {
              Hold *hold = g_hash_table_lookup (x->srv->holds, GUINT_TO_POINTER (want));

              if (hold != NULL && !hold->nobody && same_client (x, hold->hwtype, hold->hwaddr, hold->hwlen, hold->client_id))
                g_hash_table_remove (x->srv->holds, GUINT_TO_POINTER (want));
            }
          x->srv->stats.ignored++;
          return;
        }
      if (!hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &want))
        want = h->ciaddr;
    }
  else if (h->ciaddr == 0 && hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &want))
    state = STATE_INIT_REBOOT;
  else if (h->ciaddr != 0)
    {
      state = STATE_RENEWING;
      want = h->ciaddr;
    }
  else
    {
      x->srv->stats.ignored++;
      return;
    }
  if (want == 0)
    {
      x->srv->stats.ignored++;
      return;
    }

  /* srvtest fix: the client's record decides first, as in RFC 2131 4.3.2
   * and dnsmasq. INIT-REBOOT: no record and not authoritative: silent, even
   * for an address of another network, which a server there may own
   * (before, a NAK then, or when someone else held the address); a record
   * of another address: NAK (before, the lease silently moved). RENEWING or
   * REBINDING without a lease on ciaddr: a broadcast may concern another
   * server's lease and is ignored, a unicast gets a NAK; before, the
   * address was leased to the client whoever's lease it was elsewhere.
   * An authoritative server recreates a lost lease. */
  if (state == STATE_INIT_REBOOT)
    {
      if (x->lease == NULL && !c->authoritative)
        {
          x->srv->stats.ignored++;
          return;
        }
      if (x->lease != NULL && x->lease->addr != want)
        {
          reply_nak (x, "wrong address", out_buf, out);
          return;
        }
    }
  else if (state == STATE_RENEWING &&
           ((x->lease != NULL && x->lease->addr != want) || (x->lease == NULL && !c->authoritative)))
    {
      if (!x->req->unicast)
        {
          x->srv->stats.ignored++;
          return;
        }
      reply_nak (x, "lease not found", out_buf, out);
      return;
    }
  if (!addr_on_subnet (x, want))
    {
      if (state != STATE_RENEWING || c->authoritative)
        reply_nak (x, "wrong network", out_buf, out);
      return;
    }
  /* A reservation waiting for this client: not while it is selecting an
   * offer we made (we only offer another address when the reserved one is
   * taken), and only when the reserved address is free for it. */
  if (host_addr_here (x) && x->host->addr != want && state != STATE_SELECTING &&
      address_available (x, x->host->addr))
    {
      reply_nak (x, "static lease available", out_buf, out);
      return;
    }
  if (!address_available (x, want))
    {
      reply_nak (x, "address in use", out_buf, out);
      return;
    }
  if (dynamic_range_for (x, want) == NULL && !(x->host != NULL && x->host->addr == want))
    {
      /* Renewing an address the client holds is fine while its range is
       * gone only if we still have the lease (ranges changed live). */
      l = hearth_dhcp_lease_table_lookup_addr (x->srv->leases, want);
      if (l == NULL || !lease_is_clients (x, l) || any_range_for (x, want) == NULL)
        {
          reply_nak (x, "address not available", out_buf, out);
          return;
        }
    }
  if (lease_max_reached (x, want) && x->lease == NULL)
    {
      reply_nak (x, "no leases left", out_buf, out);
      return;
    }
  l = commit_lease (x, want, lease_time_for (x, want));
  reply_ack (x, l, FALSE, out_buf, out);
}

static void
handle_decline (Exchange *x)
{
  guint32 server_id = 0, addr = 0;
  HearthDhcpLease *l;

  if (hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_SERVER_ID, &server_id) && server_id != x->server_addr)
    return;
  if (!hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &addr) || !addr_on_subnet (x, addr))
    return;
  l = hearth_dhcp_lease_table_lookup_addr (x->srv->leases, addr);
  if (l != NULL && !lease_is_clients (x, l))
    return;
  if (l == NULL)
    {
      /* srvtest fix: only an address this client was given (leased, or
       * offered and still held for it) can be declined; before, any client
       * could quarantine any address of the subnet, and a few hundred
       * forged DECLINEs emptied the pool for ten minutes. */
      Hold *h = live_hold (x, addr);

      if (h == NULL || h->nobody || !same_client (x, h->hwtype, h->hwaddr, h->hwlen, h->client_id))
        return;
    }
  if (l != NULL)
    {
      x->lease = NULL;
      hearth_dhcp_lease_table_remove (x->srv->leases, l, HEARTH_DHCP_LEASE_REASON_RELEASED);
    }
  /* Something else answers on that address: keep it out of use. */
  hold_address (x, addr, TRUE, HEARTH_DHCP4_DECLINE_HOLD_SECONDS);
  log_exchange (x, "DHCPDECLINE", addr, "address in use, not offered for 10 minutes");
}

static void
handle_release (Exchange *x)
{
  guint32 server_id = 0;
  HearthDhcpLease *l;

  if (hearth_dhcp4_message_get_addr (x->msg, HEARTH_DHCP4_OPT_SERVER_ID, &server_id) && server_id != x->server_addr)
    return;
  l = hearth_dhcp_lease_table_lookup_addr (x->srv->leases, x->msg->header.ciaddr);
  if (l == NULL || !lease_is_clients (x, l))
    {
      log_exchange (x, "DHCPRELEASE", x->msg->header.ciaddr, "unknown lease");
      return;
    }
  x->lease = NULL;
  log_exchange (x, "DHCPRELEASE", l->addr, NULL);
  hearth_dhcp_lease_table_remove (x->srv->leases, l, HEARTH_DHCP_LEASE_REASON_RELEASED);
}

static void
handle_inform (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  start_reply (x, HEARTH_DHCP4_ACK, 0, 0);
  add_name_options (x, x->lease != NULL && x->lease->addr == x->msg->header.ciaddr ? x->lease : NULL);
  finish_reply (x, HEARTH_DHCP4_ACK, out_buf, out);
  x->srv->stats.acks++;
  log_exchange (x, "DHCPINFORM", x->msg->header.ciaddr, NULL);
}

static void
handle_bootp (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  guint32 addr = 0;
  HearthDhcpLease *l;

  if (host_addr_here (x) && address_available (x, x->host->addr))
    addr = x->host->addr;
  else if (x->lease != NULL && addr_on_subnet (x, x->lease->addr))
    addr = x->lease->addr;
  else if (x->srv->config->bootp_dynamic)
    addr = choose_address (x);
  if (addr == 0)
    {
      log_exchange (x, "BOOTP", 0, "no address configured");
      return;
    }
  l = commit_lease (x, addr, HEARTH_DHCP_LEASE_INFINITE);
  start_reply (x, HEARTH_DHCP4_NONE, addr, 0);
  add_name_options (x, l);
  finish_reply (x, HEARTH_DHCP4_NONE, out_buf, out);
  out->durable = TRUE;
  log_exchange (x, "BOOTP", addr, l->hostname);
}

/* ---- PXE ----
 * Option 43 of a PXE reply holds PXE sub-options: 6 discovery control,
 * 8 boot servers, 9 the boot menu, 10 the prompt, 71 the chosen item;
 * then the --dhcp-option=vendor:<class> sub-options, then 255. */

enum {
  PXE_DISCOVERY_CONTROL = 6,
  PXE_BOOT_SERVERS = 8,
  PXE_BOOT_MENU = 9,
  PXE_MENU_PROMPT = 10,
  PXE_BOOT_ITEM = 71,
};

#define PXE_ARCH_FIRST_EFI 6 /* option 93 from here on: EFI firmware */
#define PXE_UUID_LEN 17      /* option 97: type 0 and 16 bytes */

static const char *const pxe_default_vendors[] = { "PXEClient" };

/* Is the client a PXE client? The last configured vendor class that
 * starts its option 60 wins, as in dnsmasq; option 93 must be there. */
static void
pxe_detect (Exchange *x)
{
  const HearthDhcpConfig *c = x->srv->config;
  gsize vc_len = 0;
  const guint8 *vc = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_VENDOR_CLASS, &vc_len);
  gsize arch_len = 0;
  /* RFC 4578 2.1: a list of architectures; the first is the one used. */
  const guint8 *arch = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_CLIENT_ARCH, &arch_len);
  guint n = c->pxe_vendors->len > 0 ? c->pxe_vendors->len : G_N_ELEMENTS (pxe_default_vendors);

  if (vc == NULL || !hearth_dhcp_config_pxe_enabled (c) || arch == NULL || arch_len < 2)
    return;
  for (guint i = 0; i < n; i++)
    {
      const char *v = c->pxe_vendors->len > 0 ? g_ptr_array_index (c->pxe_vendors, i) : pxe_default_vendors[i];
      gsize len = strlen (v);

      if (vc_len >= len && memcmp (vc, v, len) == 0)
        x->pxe_vendor = v;
    }
  x->pxe_arch = (guint16) (arch[0] << 8 | arch[1]);
}

static gboolean
pxe_service_applies (const Exchange *x, const HearthDhcpPxeService *s)
{
  return s->csa == x->pxe_arch && tags_match (&x->tags, s->match_tags);
}

/* The menu items for this client, in configuration order. */
static GPtrArray *
pxe_services_for (const Exchange *x, guint *out_with_file)
{
  const HearthDhcpConfig *c = x->srv->config;
  GPtrArray *out = g_ptr_array_new ();

  *out_with_file = 0;
  for (guint i = 0; i < c->pxe_services->len; i++)
    {
      HearthDhcpPxeService *s = g_ptr_array_index (c->pxe_services, i);

      if (!pxe_service_applies (x, s))
        continue;
      g_ptr_array_add (out, s);
      if (s->basename != NULL)
        (*out_with_file)++;
    }
  return out;
}

/* An EFI client with a single item that has a file boots it straight
 * away (dnsmasq's way round EFI firmware that ignores menus). */
static const HearthDhcpPxeService *
pxe_single_efi_service (const Exchange *x)
{
  g_autoptr (GPtrArray) services = NULL;
  guint with_file;

  if (x->pxe_arch < PXE_ARCH_FIRST_EFI)
    return NULL;
  services = pxe_services_for (x, &with_file);
  if (with_file != 1)
    return NULL;
  for (guint i = 0; i < services->len; i++)
    {
      const HearthDhcpPxeService *s = g_ptr_array_index (services, i);

      if (s->basename != NULL)
        return s;
    }
  return NULL;
}

static const HearthDhcpPxePrompt *
pxe_prompt_for (const Exchange *x)
{
  return pick_by_tags (x, x->srv->config->pxe_prompts, G_STRUCT_OFFSET (HearthDhcpPxePrompt, match_tags));
}

static void
append_sub (GByteArray *out, guint8 code, const guint8 *data, gsize len)
{
  guint8 hdr[2] = { code, (guint8) len };

  g_byte_array_append (out, hdr, 2);
  g_byte_array_append (out, data, (guint) len);
}

static void
append_prompt (GByteArray *out, guint8 timeout, const char *text)
{
  guint8 buf[255];
  gsize len = MIN (strlen (text), sizeof buf - 1);

  buf[0] = timeout;
  memcpy (buf + 1, text, len);
  append_sub (out, PXE_MENU_PROMPT, buf, len + 1);
}

/* Sub-options 6, 10 (when no --pxe-prompt applies), 8 and 9. */
static void
pxe_add_menu (Exchange *x, GByteArray *out)
{
  g_autoptr (GPtrArray) services = NULL;
  guint with_file;
  guint8 control = 3; /* bit 0: no broadcast discovery, bit 1: no multicast */
  guint8 servers[255], menu[255];
  gsize n_servers = 0, n_menu = 0;
  gboolean fits = TRUE;

  services = pxe_services_for (x, &with_file);
  for (guint i = 0; i < services->len && fits; i++)
    {
      const HearthDhcpPxeService *s = g_ptr_array_index (services, i);
      gsize text_len = strlen (s->menu);
      guint32 server = s->basename != NULL ? x->server_addr : s->server_addr;

      if (s->basename == NULL && s->type != 0 && s->server_addr == 0)
        control = 2; /* the client has to look for that server type */
      if (server != 0)
        {
          guint32 n = htonl (server);

          if (sizeof servers - n_servers < 7)
            fits = FALSE;
          else
            {
              servers[n_servers++] = s->type >> 8;
              servers[n_servers++] = s->type & 0xff;
              servers[n_servers++] = 1;
              memcpy (servers + n_servers, &n, 4);
              n_servers += 4;
            }
        }
      /* dnsmasq's limit: the menu must stay under 253 bytes. */
      if (n_menu + 3 + text_len >= 253)
        fits = FALSE;
      else
        {
          menu[n_menu++] = s->type >> 8;
          menu[n_menu++] = s->type & 0xff;
          menu[n_menu++] = (guint8) text_len;
          memcpy (menu + n_menu, s->menu, text_len);
          n_menu += text_len;
        }
    }
  if (!fits)
    {
      g_warning ("the PXE menu for %s is too large for option 43; sending none", client_text (x));
      return;
    }
  if (services->len == 0)
    control = 8; /* no menu: boot the file in the header */
  append_sub (out, PXE_DISCOVERY_CONTROL, &control, 1);
  if (pxe_prompt_for (x) == NULL)
    append_prompt (out, services->len >= 2 ? 255 : 0, "PXE");
  if (services->len == 0)
    return;
  if (n_servers > 0)
    append_sub (out, PXE_BOOT_SERVERS, servers, n_servers);
  append_sub (out, PXE_BOOT_MENU, menu, n_menu);
}

/* The configured prompt and vendor: sub-options, and the end. */
static void
pxe_add_tail (Exchange *x, GByteArray *out)
{
  const HearthDhcpPxePrompt *p = pxe_prompt_for (x);
  gboolean forced = FALSE;
  guint8 end = 255;

  if (p != NULL)
    append_prompt (out, p->timeout, p->text);
  collect_encapsulated (x, 0, TRUE, 0, FALSE, out, &forced);
  g_byte_array_append (out, &end, 1);
}

/* Options 60 and 97 of every PXE reply. */
static void
pxe_add_identity (Exchange *x)
{
  gsize uuid_len = 0;
  const guint8 *uuid = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_CLIENT_UUID, &uuid_len);

  hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_VENDOR_CLASS, (const guint8 *) x->pxe_vendor,
                            strlen (x->pxe_vendor));
  if (uuid != NULL && uuid_len >= PXE_UUID_LEN)
    hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_CLIENT_UUID, uuid, PXE_UUID_LEN);
}

/* Would a vendor: option for this client be sent even unasked? */
static gboolean
pxe_vendor_forced (Exchange *x)
{
  g_autoptr (GByteArray) sub = g_byte_array_new ();
  gboolean forced = FALSE;

  collect_encapsulated (x, 0, TRUE, 0, FALSE, sub, &forced);
  return forced;
}

/* In an OFFER or ACK with an address: 60, 97, and the menu in 43 when
 * the client asked for 43. */
static void
pxe_add_options (Exchange *x)
{
  if (x->proxy)
    return;
  if (x->builder.header.siaddr == 0)
    x->builder.header.siaddr = x->server_addr;
  pxe_add_identity (x);
  if (x->pxe_menu)
    {
      g_autoptr (GByteArray) sub = g_byte_array_new ();

      pxe_add_menu (x, sub);
      pxe_add_tail (x, sub);
      hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_VENDOR, sub->data, sub->len);
    }
}

/* Sub-option 71 of option 43: the boot menu item asked for. */
static gboolean
pxe_boot_item (const Exchange *x, guint16 *out_type, guint16 *out_layer)
{
  gsize len = 0;
  const guint8 *p = hearth_dhcp4_message_get_option (x->msg, HEARTH_DHCP4_OPT_VENDOR, &len);

  while (p != NULL && len >= 1 && p[0] != 255)
    {
      if (p[0] == 0)
        {
          p++, len--;
          continue;
        }
      if (len < 2 || len - 2 < p[1])
        return FALSE;
      if (p[0] == PXE_BOOT_ITEM && p[1] >= 4)
        {
          *out_type = (guint16) (p[2] << 8 | p[3]);
          *out_layer = (guint16) (p[4] << 8 | p[5]);
          return TRUE;
        }
      len -= 2 + (gsize) p[1];
      p += 2 + p[1];
    }
  return FALSE;
}

/* A PXE reply's header: the request's, no address, no boot file. */
static HearthDhcp4Header
pxe_header (const Exchange *x)
{
  HearthDhcp4Header h = x->msg->header;

  h.op = HEARTH_DHCP4_BOOTREPLY;
  h.hops = 0;
  h.secs = 0;
  h.yiaddr = 0;
  h.siaddr = 0;
  memset (h.sname, 0, sizeof h.sname);
  memset (h.file, 0, sizeof h.file);
  return h;
}

static void
set_boot_file (HearthDhcp4Header *h, const HearthDhcpPxeService *s, guint16 layer)
{
  if (strchr (s->basename, '.') != NULL)
    g_strlcpy ((char *) h->file, s->basename, sizeof h->file);
  else
    g_snprintf ((char *) h->file, sizeof h->file, "%s.%u", s->basename, layer);
}

/* Where a reply to port 4011, or a boot server reply, goes: unicast to
 * the client's address and port. */
static void
pxe_address_reply (Exchange *x, guint32 client_addr, HearthDhcp4Reply *out)
{
  const HearthDhcp4Request *req = x->req;

  out->via_arp = FALSE;
  if (req->local_port == HEARTH_DHCP4_PXE_PORT)
    {
      out->src_port = HEARTH_DHCP4_PXE_PORT;
      out->dst_addr = client_addr != 0 ? client_addr : req->src_addr;
      out->dst_port = req->src_port;
    }
  else
    {
      out->dst_addr = client_addr;
      out->dst_port = req->src_addr == client_addr ? req->src_port : x->srv->config->client_port != 0
                                                                         ? x->srv->config->client_port
                                                                         : 68;
    }
}

/* Boot server discovery: the file of the menu item the client chose. */
static void
pxe_boot_server_reply (Exchange *x, guint16 type, guint16 layer, guint8 *out_buf, HearthDhcp4Reply *out)
{
  const HearthDhcpConfig *c = x->srv->config;
  const HearthDhcpPxeService *service = NULL;
  guint32 ciaddr = x->msg->header.ciaddr;
  HearthDhcp4Header h;
  g_autoptr (GByteArray) sub = g_byte_array_new ();
  guint8 item[4] = { type >> 8, type & 0xff, layer >> 8, layer & 0xff };

  if (layer & 0x8000)
    {
      log_exchange (x, "PXE", ciaddr, "BIS is not supported");
      return;
    }
  if (ciaddr == 0 || !addr_on_subnet (x, ciaddr))
    return;
  /* By type alone, as dnsmasq: the client chose from the menu it got. */
  for (guint i = 0; i < c->pxe_services->len && service == NULL; i++)
    {
      const HearthDhcpPxeService *s = g_ptr_array_index (c->pxe_services, i);

      if (s->type == type && s->basename != NULL)
        service = s;
    }
  if (service == NULL)
    return;
  h = pxe_header (x);
  h.yiaddr = ciaddr;
  h.ciaddr = 0;
  h.siaddr = service->server_addr != 0 ? service->server_addr : x->server_addr;
  set_boot_file (&h, service, layer);
  hearth_dhcp4_builder_init (&x->builder, &h);
  hearth_dhcp4_builder_add_u8 (&x->builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_ACK);
  hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_SERVER_ID, x->server_addr);
  pxe_add_identity (x);
  append_sub (sub, PXE_BOOT_ITEM, item, sizeof item);
  pxe_add_tail (x, sub);
  hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_VENDOR, sub->data, sub->len);
  finish_reply (x, HEARTH_DHCP4_ACK, out_buf, out);
  pxe_address_reply (x, ciaddr, out);
  x->srv->stats.acks++;
  log_exchange (x, "PXE", ciaddr, (const char *) h.file);
}

/* Proxy DHCP: the boot menu (or file), no address. */
static void
pxe_proxy_reply (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  const HearthDhcpBoot *boot = boot_for (x);
  const HearthDhcpPxeService *single = NULL;
  gboolean efi = x->pxe_arch >= PXE_ARCH_FIRST_EFI;
  gboolean on_pxe_port = x->req->local_port == HEARTH_DHCP4_PXE_PORT;
  HearthDhcp4MessageType type = x->type == HEARTH_DHCP4_DISCOVER ? HEARTH_DHCP4_OFFER : HEARTH_DHCP4_ACK;
  HearthDhcp4Header h = pxe_header (x);
  gboolean menu = TRUE;

  if (x->type == HEARTH_DHCP4_DISCOVER)
    h.ciaddr = 0;
  if (h.ciaddr == 0)
    h.flags |= HEARTH_DHCP4_FLAG_BROADCAST;
  /* EFI firmware is sent on to port 4011 (siaddr = us) for its menu. */
  if (efi)
    h.siaddr = x->server_addr;
  if (boot != NULL && boot->file != NULL)
    {
      g_strlcpy ((char *) h.file, boot->file, sizeof h.file);
      if (boot->server_addr != 0)
        h.siaddr = boot->server_addr;
    }
  if (efi && !on_pxe_port)
    menu = FALSE;
  else if (efi && (single = pxe_single_efi_service (x)) != NULL)
    {
      h.siaddr = single->server_addr != 0 ? single->server_addr : x->server_addr;
      if (single->server_name != NULL)
        g_strlcpy ((char *) h.sname, single->server_name, sizeof h.sname);
      else
        {
          guint32 n = htonl (h.siaddr);

          inet_ntop (AF_INET, &n, (char *) h.sname, sizeof h.sname);
        }
      set_boot_file (&h, single, 0);
      menu = FALSE;
    }
  hearth_dhcp4_builder_init (&x->builder, &h);
  hearth_dhcp4_builder_add_u8 (&x->builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, type);
  hearth_dhcp4_builder_add_addr (&x->builder, HEARTH_DHCP4_OPT_SERVER_ID, x->server_addr);
  pxe_add_identity (x);
  if (menu)
    {
      g_autoptr (GByteArray) sub = g_byte_array_new ();

      pxe_add_menu (x, sub);
      pxe_add_tail (x, sub);
      hearth_dhcp4_builder_add (&x->builder, HEARTH_DHCP4_OPT_VENDOR, sub->data, sub->len);
    }
  finish_reply (x, type, out_buf, out);
  out->delay_seconds = reply_delay_for (x);
  if (on_pxe_port)
    pxe_address_reply (x, h.ciaddr, out);
  if (type == HEARTH_DHCP4_OFFER)
    x->srv->stats.offers++;
  else
    x->srv->stats.acks++;
  log_exchange (x, type == HEARTH_DHCP4_OFFER ? "PXE proxy offer" : "PXE proxy ack", 0, NULL);
}

/* TRUE when the request was PXE's business (answered or not). */
static gboolean
pxe_handle (Exchange *x, guint8 *out_buf, HearthDhcp4Reply *out)
{
  guint16 type, layer;

  if (x->pxe_vendor == NULL)
    return x->proxy || x->req->local_port == HEARTH_DHCP4_PXE_PORT;
  if ((x->type == HEARTH_DHCP4_REQUEST || x->type == HEARTH_DHCP4_INFORM) && pxe_boot_item (x, &type, &layer))
    {
      pxe_boot_server_reply (x, type, layer, out_buf, out);
      return TRUE;
    }
  if (x->proxy && (x->type == HEARTH_DHCP4_DISCOVER ||
                   (x->type == HEARTH_DHCP4_REQUEST && x->req->local_port == HEARTH_DHCP4_PXE_PORT)))
    {
      pxe_proxy_reply (x, out_buf, out);
      return TRUE;
    }
  if (x->proxy || x->req->local_port == HEARTH_DHCP4_PXE_PORT)
    return TRUE;
  /* An address reply: is its 43 the menu? Not for an EFI client with a
   * single item (it would take the menu and ignore the file). */
  x->pxe_menu = (requested (x->msg, HEARTH_DHCP4_OPT_VENDOR) || pxe_vendor_forced (x)) &&
                pxe_single_efi_service (x) == NULL;
  return FALSE;
}

static gboolean
subnet_is_proxy (const Exchange *x)
{
  for (guint i = 0; i < x->ranges->len; i++)
    if (((const HearthDhcpRange *) g_ptr_array_index (x->ranges, i))->mode != HEARTH_DHCP_RANGE_PROXY)
      return FALSE;
  return x->ranges->len > 0;
}

void
hearth_dhcp4_server_handle (HearthDhcp4Server *srv, const guint8 *packet, gsize len,
                            const HearthDhcp4Request *req, HearthDhcp4Message *msg, guint8 *out_buf,
                            HearthDhcp4Reply *out)
{
  Exchange x = { 0 };
  HearthDhcp4ParseResult r;
  gsize id_len = 0;
  const guint8 *id;
  g_autoptr (GBytes) client_id = NULL;
  guint32 hint;

  memset (out, 0, sizeof *out);
  srv->stats.received++;
  r = hearth_dhcp4_message_parse (packet, len, msg);
  if (r != HEARTH_DHCP4_PARSE_OK || msg->header.op != HEARTH_DHCP4_BOOTREQUEST)
    {
      srv->stats.malformed++;
      g_debug ("malformed DHCP packet (%s), ignoring", r != HEARTH_DHCP4_PARSE_OK ? hearth_dhcp4_parse_result_to_string (r) : "not a request");
      return;
    }
  sweep_holds (srv, req->now);
  x.srv = srv;
  x.req = req;
  x.msg = msg;
  x.type = msg->type;
  srv->stats.by_type[MIN ((guint) x.type, G_N_ELEMENTS (srv->stats.by_type) - 1)]++;
  x.hwtype = msg->header.htype;
  x.hwlen = MIN (msg->header.hlen, HEARTH_DHCP_HWADDR_MAX);
  x.hwaddr = msg->header.chaddr;
  id = hearth_dhcp4_message_get_option (msg, HEARTH_DHCP4_OPT_CLIENT_ID, &id_len);
  if (id != NULL && id_len > 0 && !srv->config->ignore_clid)
    client_id = g_bytes_new (id, id_len);
  x.client_id = client_id;
  if (x.hwlen == 0 && x.client_id == NULL)
    {
      srv->stats.malformed++;
      return;
    }
  hint = msg->header.ciaddr;
  if (hint == 0)
    hearth_dhcp4_message_get_addr (msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &hint);
  select_subnet (&x, hint);
  if (!x.have_subnet)
    {
      srv->stats.ignored++;
      if (x.type == HEARTH_DHCP4_DISCOVER)
        log_exchange (&x, "DHCPDISCOVER", 0, "no address range available for DHCP request");
      g_ptr_array_unref (x.ranges);
      return;
    }
  x.host = hearth_dhcp4_server_find_host (srv, x.hwtype, x.hwaddr, x.hwlen, id, srv->config->ignore_clid ? 0 : id_len);
  x.lease = find_client_lease (&x);
  compute_tags (&x);
  if ((x.host != NULL && x.host->ignore) || tag_lists_match (&x.tags, srv->config->ignore))
    {
      srv->stats.ignored++;
      log_exchange (&x, hearth_dhcp4_message_type_to_string (x.type), 0, "ignored");
      g_ptr_array_unref (x.ranges);
      return;
    }
  pxe_detect (&x);
  x.proxy = subnet_is_proxy (&x);
  if (pxe_handle (&x, out_buf, out))
    {
      if (out->len == 0)
        srv->stats.ignored++;
      g_ptr_array_unref (x.ranges);
      return;
    }
  switch (x.type)
    {
    case HEARTH_DHCP4_DISCOVER:
      handle_discover (&x, out_buf, out);
      break;
    case HEARTH_DHCP4_REQUEST:
      handle_request (&x, out_buf, out);
      break;
    case HEARTH_DHCP4_DECLINE:
      handle_decline (&x);
      break;
    case HEARTH_DHCP4_RELEASE:
      handle_release (&x);
      break;
    case HEARTH_DHCP4_INFORM:
      handle_inform (&x, out_buf, out);
      break;
    case HEARTH_DHCP4_NONE:
      handle_bootp (&x, out_buf, out);
      break;
    case HEARTH_DHCP4_OFFER:
    case HEARTH_DHCP4_ACK:
    case HEARTH_DHCP4_NAK:
      srv->stats.ignored++;
      break;
    }
  g_ptr_array_unref (x.ranges);
}

void
hearth_dhcp4_server_quarantine (HearthDhcp4Server *srv, guint32 addr, guint seconds, gint64 now)
{
  Hold *h = g_new0 (Hold, 1);

  h->addr = addr;
  h->nobody = TRUE;
  h->until = now + (gint64) seconds * G_USEC_PER_SEC;
  g_hash_table_replace (srv->holds, GUINT_TO_POINTER (addr), h);
}
