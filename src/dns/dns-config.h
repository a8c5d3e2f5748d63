/* The DNS subsystem's options: the typed values behind --port, --server,
 * --cache-size and the rest, parsed from configuration items.
 *
 * The config layer finds the option and its text; this file turns the text
 * into values and says what was wrong with it. It does not open sockets or
 * read resolv files.
 */
#pragma once

#include "config/config-parser.h"
#include "dns/dns-policy.h"
#include "dns/dns-record.h"
#include "dns/dns-server.h"

typedef enum {
  HEARTH_DNS_LOCAL_SERVICE_OFF,
  HEARTH_DNS_LOCAL_SERVICE_NET,   /* clients on a directly attached network */
  HEARTH_DNS_LOCAL_SERVICE_HOST,  /* clients on this machine only */
} HearthDnsLocalService;

typedef struct {
  guint16 port;                /* --port, 53; 0 disables DNS */
  GPtrArray *listen_addresses; /* char*, --listen-address */
  GPtrArray *interfaces;       /* char*, --interface */
  GPtrArray *except_interfaces;/* char*, --except-interface */
  gboolean bind_interfaces;
  gboolean bind_dynamic;
  HearthDnsLocalService local_service; /* --local-service */
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
  gboolean dhcp_fqdn;          /* set by the daemon from --dhcp-fqdn: DHCP names only fully qualified */

  /* Local data. */
  gboolean no_hosts;
  GPtrArray *addn_hosts;       /* char*, files or directories */
  GPtrArray *hostsdirs;        /* char*, watched directories */
  gboolean expand_hosts;
  guint32 local_ttl;           /* 0 */
  guint32 dhcp_ttl;            /* --dhcp-ttl, for dynamic names */
  gboolean dhcp_ttl_set;       /* else local_ttl */
  GPtrArray *domain_rules;     /* HearthDnsDomainRule*, in order */
  GPtrArray *address_rules;    /* HearthDnsAddressRule*, in order */
  GPtrArray *records;          /* HearthDnsRecord*: host-record, cname, srv, txt, ptr, naptr, caa, dns-rr */
  GPtrArray *mx_hosts;         /* HearthDnsMxHost* */
  char *mx_target;
  gboolean selfmx;
  gboolean localmx;
  GPtrArray *interface_names;  /* HearthDnsInterfaceName* */
  GPtrArray *synth_domains;    /* HearthDnsSynthDomain* */
  gboolean bogus_priv;
  gboolean no_ident;
  gboolean localise_queries;
  gboolean no_round_robin;
  char *hostname;              /* this machine's name, for --mx-host defaults and hostname.bind */

  /* Answer policy (--bogus-nxdomain, --filter-A, ...). */
  HearthDnsPolicy *policy;
  GPtrArray *deferred;         /* internal: values parsed once all options are in */
} HearthDnsConfig;

/* An --mx-host value; target NULL until hearth_dns_config_check fills it
 * from --mx-target or the host name. */
typedef struct {
  char *name;
  char *target;
  guint16 preference;
} HearthDnsMxHost;

#define HEARTH_DNS_DEFAULT_RESOLV_FILE "/etc/resolv.conf"
#define HEARTH_DNS_HOSTS_FILE "/etc/hosts"
/* dnsmasq refuses min-cache-ttl above one hour: longer would keep stale
 * data for too long. */
#define HEARTH_DNS_MIN_CACHE_TTL_MAX 3600

HearthDnsConfig *hearth_dns_config_new (void);
void hearth_dns_config_free (HearthDnsConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsConfig, hearth_dns_config_free)

/* Applies one DNS-owned item. FALSE with an error naming the item's origin,
 * line and option when the value is bad. */
gboolean hearth_dns_config_apply (HearthDnsConfig *config, const HearthConfigItem *item, GError **error);
/* The first --domain without an address range, or NULL. */
const char *hearth_dns_config_get_default_domain (const HearthDnsConfig *config);
/* Checks combinations once all items are in (min-port <= max-port, ...) and
 * parses what needed every option first (--srv-host, --mx-host defaults). */
gboolean hearth_dns_config_check (HearthDnsConfig *config, GError **error);
