/* Local data: every name hearth answers by itself. Hosts files, records
 * from the configuration (--host-record, --cname, --srv-host, ...), names
 * of DHCP clients (through the name hook below), --interface-name,
 * --synth-domain, reverse lookups for all of them, and CHAOS-class
 * identification.
 *
 * Three layers with one lookup: the configuration's records (fixed after
 * start), the hosts files (replaced as a whole when they are re-read) and
 * dynamic names (added and removed one by one by a producer such as the
 * DHCP server). A name present in any layer is ours: queries for it are
 * answered from local data (records, or no data) and never forwarded.
 *
 * This file knows nothing about sockets, the cache or upstream servers;
 * domain routes (--address, --local) are the routing table's business.
 */
#pragma once

#include "dns/dns-addr.h"
#include "dns/dns-config.h"
#include "dns/dns-packet.h"
#include "dns/dns-record.h"

typedef struct _HearthDnsLocal HearthDnsLocal;

/* The addresses of one network interface, for --interface-name and
 * --localise-queries. The daemon refreshes them (netlink later; a snapshot
 * at start and on SIGHUP for now). */
typedef struct {
  char *name;
  guint index;
  GArray *addrs; /* HearthDnsAddr, prefix_len = the subnet's */
} HearthDnsInterface;

/* Keeps a pointer to config (the service owns both). */
HearthDnsLocal *hearth_dns_local_new (const HearthDnsConfig *config);
void hearth_dns_local_free (HearthDnsLocal *local);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsLocal, hearth_dns_local_free)

/* Replaces the hosts layer with the given files' contents: /etc/hosts
 * (unless --no-hosts), --addn-hosts files and directories, --hostsdir
 * directories. Bad lines are logged as "file:line: ..., ignoring"; a file
 * that cannot be read is logged and skipped. Returns the number of names
 * loaded. */
guint hearth_dns_local_load_hosts (HearthDnsLocal *local);
/* Adds one hosts file's text to the hosts layer (what load_hosts does per
 * file; the fuzzer and unit tests call it directly). Returns the names
 * added. */
guint hearth_dns_local_add_hosts_text (HearthDnsLocal *local, const char *origin, const char *data, gsize len);
/* Forgets what one hosts file added (a --hostsdir file that changed or
 * went away); the other files' names stay. */
void hearth_dns_local_remove_hosts_file (HearthDnsLocal *local, const char *origin);

/* A --hostsdir file changed, appeared or went away: its names are
 * replaced by what it holds now. */
void hearth_dns_local_reload_hosts_file (HearthDnsLocal *local, const char *path);

/* The interface snapshot (takes ownership of the HearthDnsInterface*
 * array). Reverse names for --interface-name follow it. */
void hearth_dns_local_set_interfaces (HearthDnsLocal *local, GPtrArray *interfaces);

/* ---- The name hook: how the DHCP server (or any other producer) puts
 * names into DNS. ----
 *
 * A producer announces "hostname has address addr" and gets a handle; it
 * withdraws the name with the handle when the lease ends. hostname is the
 * client's name: a single label gets the --domain of the rule matching addr
 * appended (and stays answerable as the plain name too); a fully qualified
 * name is accepted only when its domain is the one --domain gives for addr.
 * Names that are not valid host names are refused.
 *
 * Conflicts are resolved the same way every time: names from hosts files
 * and the configuration win over dynamic ones (the dynamic name is refused
 * with G_IO_ERROR_EXISTS); between two dynamic names the newer one wins and
 * the older loses its name (its handle stays valid, so removing it later is
 * harmless). */
typedef guint HearthDnsNameHandle;
HearthDnsNameHandle hearth_dns_local_add_name (HearthDnsLocal *local, const char *hostname, const HearthDnsAddr *addr,
                                               GError **error);
/* The domain --domain gives addr (the first rule whose range holds it,
 * else the first rule without a range), or NULL. */
const char *hearth_dns_local_domain_for (HearthDnsLocal *local, const HearthDnsAddr *addr);
/* FALSE when the handle is unknown (already removed). */
gboolean hearth_dns_local_remove_name (HearthDnsLocal *local, HearthDnsNameHandle handle);

/* Where a query arrived, for --localise-queries: the interface (0 =
 * unknown) and the address it was sent to (family 0 = unknown). */
typedef struct {
  guint ifindex;
  HearthDnsAddr dst;
  gsize limit; /* the client's message size limit */
} HearthDnsLocalContext;

/* Answers query from local data when the name is ours: writes the reply
 * into buf and returns its length (> 0). Returns 0 when local data has
 * nothing to say and the query should go on (routes, cache, forwarding).
 * Allocates nothing. */
gsize hearth_dns_local_answer (HearthDnsLocal *local, const HearthDnsQuery *query, const HearthDnsLocalContext *ctx,
                               guint8 *buf, gsize buf_size);

/* Does local data hold a name below name (wire, any case)? Then name
 * exists, with no records of its own (an empty non-terminal). */
gboolean hearth_dns_local_has_names_under (HearthDnsLocal *local, const guint8 *name, gsize len);

/* Number of distinct names in each layer, and an estimate of the memory
 * the local data takes. */
typedef struct {
  guint config_names;
  guint hosts_names;
  guint dynamic_names;
  gsize memory;
} HearthDnsLocalStats;
void hearth_dns_local_get_stats (HearthDnsLocal *local, HearthDnsLocalStats *out_stats);
