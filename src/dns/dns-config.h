/* The DNS subsystem's options: the typed values behind --port, --server,
 * --cache-size and the rest, parsed from configuration items.
 *
 * The config layer finds the option and its text; this file turns the text
 * into values and says what was wrong with it. It does not open sockets or
 * read resolv files.
 */
#pragma once

#include "config/config-parser.h"
#include "dns/dns-server.h"

typedef struct {
  guint16 port;                /* --port, 53; 0 disables DNS */
  GPtrArray *listen_addresses; /* char*, --listen-address */
  GPtrArray *interfaces;       /* char*, --interface */
  GPtrArray *except_interfaces;/* char*, --except-interface */
  gboolean bind_interfaces;
  gboolean bind_dynamic;
  GPtrArray *server_specs;     /* HearthDnsServerSpec*, --server and --local in order */
  GPtrArray *resolv_files;     /* char*, --resolv-file; empty = the default */
  gboolean no_resolv;
  gboolean no_poll;
  gboolean strict_order;
  gboolean all_servers;
  gboolean domain_needed;
  guint dns_forward_max;       /* 150 */
  guint16 query_port;          /* 0 = random ports */
  guint16 min_port;            /* 1024 */
  guint16 max_port;            /* 65535 */
  guint cache_size;            /* 150; 0 disables */
  guint32 min_cache_ttl;
  guint32 max_cache_ttl;
  guint32 max_ttl;
  guint32 neg_ttl;
  gboolean no_negcache;
  gboolean clear_on_reload;
  gboolean proxy_dnssec;
  guint16 edns_packet_max;     /* 1232 */
  gboolean log_queries;        /* set by the daemon from --log-queries */
} HearthDnsConfig;

#define HEARTH_DNS_DEFAULT_RESOLV_FILE "/etc/resolv.conf"
/* dnsmasq refuses min-cache-ttl above one hour: longer would keep stale
 * data for too long. */
#define HEARTH_DNS_MIN_CACHE_TTL_MAX 3600

HearthDnsConfig *hearth_dns_config_new (void);
void hearth_dns_config_free (HearthDnsConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsConfig, hearth_dns_config_free)

/* Applies one DNS-owned item. FALSE with an error naming the item's origin,
 * line and option when the value is bad. */
gboolean hearth_dns_config_apply (HearthDnsConfig *config, const HearthConfigItem *item, GError **error);
/* Checks combinations once all items are in (min-port <= max-port, ...). */
gboolean hearth_dns_config_check (HearthDnsConfig *config, GError **error);
