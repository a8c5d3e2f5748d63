/* The DHCP subsystem's options: typed values behind --dhcp-range,
 * --dhcp-host, --dhcp-option and the rest, parsed from configuration items
 * (and, for ranges and hosts, from D-Bus arguments and hosts files through
 * the same functions).
 *
 * Everything here is pure: text in, values out, with an error naming the
 * item's file, line and option. Nothing is opened or bound here. IPv4
 * addresses are guint32 in host byte order throughout the DHCP subsystem;
 * the packet layer converts at the wire.
 */
#pragma once

#include "config/config-parser.h"

#include <glib.h>

G_BEGIN_DECLS

/* dnsmasq's default lease time, and the shortest it accepts (shorter values
 * are raised to it). */
#define HEARTH_DHCP_DEFAULT_LEASE_TIME 3600
#define HEARTH_DHCP_MIN_LEASE_TIME 120
#define HEARTH_DHCP_LEASE_INFINITE G_MAXUINT32
/* --dhcp-lease-max default, as dnsmasq. */
#define HEARTH_DHCP_DEFAULT_LEASE_MAX 1000
#define HEARTH_DHCP_DEFAULT_LEASE_FILE "/var/lib/hearth/hearth.leases"
#define HEARTH_DHCP_COMPAT_LEASE_FILE "/var/lib/misc/dnsmasq.leases"
#define HEARTH_DHCP_HWADDR_MAX 16
#define HEARTH_DHCP_TAG_MAX 64 /* longest tag name */
/* Longest encoded --dhcp-option value, as dnsmasq: one option, no RFC 3396
 * splitting on input; two bytes less inside encap:/vendor: (the enclosing
 * option needs them) and five less inside vi-encap:. */
#define HEARTH_DHCP_OPTION_VALUE_MAX 255
#define HEARTH_DHCP_OPTION_ENCAP_VALUE_MAX 253
#define HEARTH_DHCP_OPTION_VI_ENCAP_VALUE_MAX 250

/* A list of tag conditions: "tag:x" (x must be set) and "tag:!x" (x must
 * not be set), stored as "x" and "!x". All must hold. NULL or empty = always. */
typedef GStrv HearthDhcpTagMatch;

typedef enum {
  HEARTH_DHCP_RANGE_DYNAMIC, /* start,end: addresses handed out from a pool */
  HEARTH_DHCP_RANGE_STATIC,  /* addr,static: only --dhcp-host addresses on this subnet */
  HEARTH_DHCP_RANGE_PROXY,   /* addr,proxy: proxy DHCP (PXE) only, no addresses */
} HearthDhcpRangeMode;

const char *hearth_dhcp_range_mode_to_string (HearthDhcpRangeMode mode);

typedef struct {
  guint id;                  /* set by whoever keeps the list (server), 0 until then */
  HearthDhcpRangeMode mode;
  guint32 start;             /* first address */
  guint32 end;               /* last address (== start for static and proxy) */
  guint32 netmask;           /* 0: from the interface that receives the request */
  guint32 broadcast;         /* 0: computed from address and netmask */
  guint32 lease_time;        /* seconds, or HEARTH_DHCP_LEASE_INFINITE */
  char *set_tag;             /* set:<tag>, or NULL */
  HearthDhcpTagMatch match_tags;
  char *owner;               /* "config", or the D-Bus peer that added it */
} HearthDhcpRange;

HearthDhcpRange *hearth_dhcp_range_copy (const HearthDhcpRange *range);
void hearth_dhcp_range_free (HearthDhcpRange *range);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpRange, hearth_dhcp_range_free)

/* One --dhcp-range value. IPv6 forms are recognised and reported through
 * @out_is_ipv6 (with *out_range NULL) so the caller can say DHCPv6 is
 * handled elsewhere; every malformed value is an error saying what was
 * expected. Lease times below HEARTH_DHCP_MIN_LEASE_TIME are raised to it.
 * A start above the end is swapped, as dnsmasq does. The result's owner
 * is NULL: the caller sets it. Errors are HEARTH_CONFIG_ERROR_BAD_VALUE
 * without file or line (hearth_config_item_prefix_error() adds them). */
gboolean hearth_dhcp_range_parse (const char *text, HearthDhcpRange **out_range, gboolean *out_is_ipv6,
                                  GError **error);
/* The value back in --dhcp-range syntax (for D-Bus and logs); parsing it
 * gives an equal range. */
char *hearth_dhcp_range_to_string (const HearthDhcpRange *range);
/* Same mode, addresses, lease, tags (id and owner are not compared). */
gboolean hearth_dhcp_range_equal (const HearthDhcpRange *a, const HearthDhcpRange *b);

/* A hardware address to match, as --dhcp-host and --dhcp-mac write it:
 * "52:54:00:*:*:01", optionally with a type prefix "1-52:54:...". */
typedef struct {
  gint hwtype;               /* ARP hardware type, -1 = any */
  guint8 len;
  guint8 addr[HEARTH_DHCP_HWADDR_MAX];
  guint16 wildcard;          /* bit i set: byte i matches anything */
} HearthDhcpMac;

/* Bytes are 1 or 2 hex digits or '*', separated by ':' (or by '-' when
 * there is no ':' at all); "<hex type>-" before the first ':' restricts
 * the ARP hardware type. 1 to HEARTH_DHCP_HWADDR_MAX bytes. */
gboolean hearth_dhcp_mac_parse (const char *text, HearthDhcpMac *out_mac, GError **error);
gboolean hearth_dhcp_mac_matches (const HearthDhcpMac *mac, guint8 hwtype, const guint8 *addr, guint8 len);
/* "1-52:54:00:*:*:01" form (the type only when not -1); parses back equal. */
char *hearth_dhcp_mac_to_string (const HearthDhcpMac *mac);

typedef struct {
  guint id;                  /* set by the keeper of the list, 0 until then */
  GArray *macs;              /* HearthDhcpMac; several: any of them */
  GPtrArray *client_ids;     /* GBytes*, from id:<hex or string>; any of them */
  gboolean ignore_client_id; /* id:* : match by MAC even when the client sends an id */
  guint32 addr;              /* 0 = none */
  char *name;                /* a valid host name label, or NULL */
  guint32 lease_time;        /* 0 = the range's */
  char *set_tag;             /* set:<tag> */
  HearthDhcpTagMatch match_tags; /* tag:<tag> */
  gboolean ignore;           /* ignore: never answer this client */
  char *owner;               /* "config", a hosts file path, or a D-Bus peer */
} HearthDhcpHost;

HearthDhcpHost *hearth_dhcp_host_copy (const HearthDhcpHost *host);
void hearth_dhcp_host_free (HearthDhcpHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpHost, hearth_dhcp_host_free)

/* One --dhcp-host value (or a hosts-file line). A value with an IPv6
 * address ("[addr]") and no IPv4 address gives *out_host NULL and
 * @out_is_ipv6 TRUE.
 *
 * Fields, in any order: "id:" client ids (hex bytes when the text has a
 * ':', else the text itself; "id:*" sets ignore_client_id), "set:"/"net:"
 * (one tag), "tag:" conditions, "ignore", "infinite", an IPv4 address, a
 * lease time (digits with an optional s/m/h/d/w: an all-digit field is a
 * lease time, as in dnsmasq), a hardware address (any field with a ':',
 * or six or more '-'-separated hex bytes), and otherwise a host name. The
 * name is kept whole when every dot-separated label passes
 * hearth_dhcp_hostname_is_valid(): whether a domain part is acceptable is
 * the server's decision (dnsmasq checks it against --domain). Two
 * addresses, names or lease times are an error. Lease times below
 * HEARTH_DHCP_MIN_LEASE_TIME are raised to it. The owner is NULL. */
gboolean hearth_dhcp_host_parse (const char *text, HearthDhcpHost **out_host, gboolean *out_is_ipv6, GError **error);
/* Back in --dhcp-host syntax; parsing it gives an equal host. */
char *hearth_dhcp_host_to_string (const HearthDhcpHost *host);
/* Same matching fields, address, name, lease, tags (not id or owner). */
gboolean hearth_dhcp_host_equal (const HearthDhcpHost *a, const HearthDhcpHost *b);

/* --dhcp-option / --dhcp-option-force, already encoded to wire bytes. */
typedef struct {
  guint8 code;
  GBytes *value;             /* never NULL; empty = send nothing, suppress the default */
  gboolean force;            /* sent even when the client did not ask */
  guint8 encap;              /* encap:<n>: a sub-option inside option n; 0 = none */
  guint32 vi_encap;          /* vi-encap:<enterprise>: inside option 125 */
  gboolean has_vi_encap;
  char *vendor;              /* vendor:<class>: inside option 43 for clients whose option 60 contains it */
  HearthDhcpTagMatch match_tags;
  /* >= 0: from this byte of value on, the value is IPv4 addresses (0 for
   * most, 1 for option 120 whose first byte is the encoding), and 0.0.0.0
   * among them stands for the server's own address, as in dnsmasq. -1: the
   * value is not a plain address list (also when "net/len" forms were
   * used). */
  gint addresses_at;
} HearthDhcpOption;

void hearth_dhcp_option_free (HearthDhcpOption *option);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpOption, hearth_dhcp_option_free)
/* One --dhcp-option value: "[tag:x,...][encap:n,|vi-encap:n,|vendor:c,]<code>|option:<name>,value..."
 * The value is encoded by the option's known type (addresses, integers,
 * strings, domain lists in RFC 3397 form for 119, classless routes for
 * 121, ...) or guessed as dnsmasq does for unknown numbers. */
gboolean hearth_dhcp_option_parse (const char *text, gboolean force, HearthDhcpOption **out_option,
                                   GError **error);
/* The same, for a configuration item: @quoted is the item's quote mask
 * (NULL = nothing quoted; a quoted field is always text, as in dnsmasq),
 * and an "option6:" value gives TRUE with *out_option NULL and
 * *out_is_ipv6 TRUE (hearth_dhcp_option_parse() calls that an error).
 *
 * Encoding notes: a plain string takes the whole rest of the value, commas
 * included (dnsmasq); 119 is written uncompressed; 121 and 249 take
 * "net/len,router" pairs; option 255 (server-ip-address) is dnsmasq's way
 * to set siaddr. Encoded values are capped at HEARTH_DHCP_OPTION_VALUE_MAX
 * (less inside encapsulations). Option names are matched without regard
 * to case; names of options the server sets itself (hostname, lease-time,
 * message-type, ...) are refused, their numbers are accepted. */
gboolean hearth_dhcp_option_parse_full (const char *text, const guint8 *quoted, gboolean force,
                                        HearthDhcpOption **out_option, gboolean *out_is_ipv6, GError **error);
/* Option name <-> number for DHCPv4 ("router" <-> 3). lookup_name knows
 * the names dnsmasq accepts in option:<name> (its --help dhcp list) and
 * gives -1 for others; hearth_dhcp_option_name() also names the options
 * the server sets itself ("lease-time"), NULL when it has no name. */
gint hearth_dhcp_option_lookup_name (const char *name);
const char *hearth_dhcp_option_name (guint8 code);
/* Is @code's value a list of IPv4 addresses (router, dns-server, ...)?
 * For a parsed option, addresses_at is the precise answer. */
gboolean hearth_dhcp_option_is_address_list (guint8 code);

typedef struct {
  HearthDhcpTagMatch match_tags;
  char *file;                /* boot file name (BOOTP "file") */
  char *server_name;         /* BOOTP "sname", or NULL */
  guint32 server_addr;       /* siaddr; 0 = ourselves */
  char *tftp_server_name;    /* third field given as a name (to resolve), or NULL */
} HearthDhcpBoot;

void hearth_dhcp_boot_free (HearthDhcpBoot *boot);

/* --pxe-service=[tag:<tag>,...]<CSA>,<menu text>[,<basename>|<boot server type>][,<server>]:
 * one item of the PXE boot menu, for clients of one architecture. */
typedef struct {
  HearthDhcpTagMatch match_tags;
  guint16 csa;               /* client system architecture (option 93) */
  char *menu;                /* the item's text */
  char *basename;            /* boot file (".<layer>" added unless it has a dot); NULL: none */
  guint16 type;              /* boot server type: 0x8000 + n for the n-th basename, 0 = local boot */
  guint32 server_addr;       /* boot server; 0 = ourselves (basename) or none */
  char *server_name;         /* given as a name instead, or NULL */
} HearthDhcpPxeService;

void hearth_dhcp_pxe_service_free (HearthDhcpPxeService *service);

/* --pxe-prompt=[tag:<tag>,...]<prompt>[,<timeout>] */
typedef struct {
  HearthDhcpTagMatch match_tags;
  char *text;
  guint8 timeout;            /* seconds; 255 = wait for the user */
} HearthDhcpPxePrompt;

void hearth_dhcp_pxe_prompt_free (HearthDhcpPxePrompt *prompt);

/* The client system architecture names of --pxe-service (RFC 4578 and
 * IANA's registry), -1 when @name is none of them. */
gint hearth_dhcp_pxe_csa_lookup (const char *name);

/* Sets a tag when the client's request matches: --dhcp-vendorclass,
 * --dhcp-userclass, --dhcp-mac, --dhcp-circuitid, --dhcp-remoteid,
 * --dhcp-subscrid, --dhcp-match, --dhcp-name-match. */
typedef enum {
  HEARTH_DHCP_MATCH_VENDOR_CLASS, /* option 60 contains data (substring) */
  HEARTH_DHCP_MATCH_USER_CLASS,   /* an option 77 class contains data */
  HEARTH_DHCP_MATCH_MAC,          /* mac */
  HEARTH_DHCP_MATCH_CIRCUIT_ID,   /* option 82 sub-option 1 == data */
  HEARTH_DHCP_MATCH_REMOTE_ID,    /* option 82 sub-option 2 == data */
  HEARTH_DHCP_MATCH_SUBSCRIBER_ID,/* option 82 sub-option 6 == data */
  HEARTH_DHCP_MATCH_OPTION,       /* option code present [and contains data] */
  HEARTH_DHCP_MATCH_VI_ENCAP,     /* option 125 carries this enterprise [and data] */
  HEARTH_DHCP_MATCH_NAME,         /* client host name == data, or starts with it when wildcard */
} HearthDhcpMatchKind;

typedef struct {
  HearthDhcpMatchKind kind;
  char *set_tag;
  guint8 code;               /* OPTION */
  guint32 enterprise;        /* VI_ENCAP */
  GBytes *data;              /* NULL = presence only; OPTION: encoded as --dhcp-option would */
  GBytes *mask;              /* NULL, or one byte per data byte, non-zero where it is a '*' wildcard */
  gboolean wildcard;         /* NAME: trailing '*' */
  HearthDhcpMac mac;         /* MAC */
} HearthDhcpMatch;

void hearth_dhcp_match_free (HearthDhcpMatch *match);

/* --tag-if=set:a[,set:b],tag:x[,tag:!y] */
typedef struct {
  GStrv set_tags;
  HearthDhcpTagMatch match_tags;
} HearthDhcpTagIf;

void hearth_dhcp_tag_if_free (HearthDhcpTagIf *tag_if);

/* --dhcp-relay=<local address>,<server>[,<interface>] (IPv4 forms only). */
typedef struct {
  guint32 local;
  guint32 server;
  guint16 server_port;       /* 67, or #port */
  char *interface;           /* NULL = any */
} HearthDhcpRelay;

void hearth_dhcp_relay_free (HearthDhcpRelay *relay);

/* --dhcp-reply-delay=tag:<tag>,<seconds> (the tagless form is reply_delay). */
typedef struct {
  HearthDhcpTagMatch match_tags;
  guint seconds;
} HearthDhcpReplyDelay;

void hearth_dhcp_reply_delay_free (HearthDhcpReplyDelay *delay);

typedef struct {
  GPtrArray *ranges;         /* HearthDhcpRange*, IPv4 only, in order */
  guint n_ipv6_ranges;       /* IPv6 --dhcp-range values seen (not served by this subsystem) */
  GPtrArray *hosts;          /* HearthDhcpHost*, from the configuration itself */
  guint n_ipv6_hosts;
  GPtrArray *hosts_files;    /* char*, --dhcp-hostsfile */
  GPtrArray *hosts_dirs;     /* char*, --dhcp-hostsdir */
  GPtrArray *options;        /* HearthDhcpOption*, in order */
  GPtrArray *opts_files;     /* char*, --dhcp-optsfile */
  GPtrArray *opts_dirs;      /* char*, --dhcp-optsdir */
  guint n_ipv6_options;      /* option6: values seen (not served by this subsystem) */
  GPtrArray *boots;          /* HearthDhcpBoot* */
  GPtrArray *pxe_services;   /* HearthDhcpPxeService*, in order */
  GPtrArray *pxe_prompts;    /* HearthDhcpPxePrompt*, in order */
  GPtrArray *pxe_vendors;    /* char*, --dhcp-pxe-vendor; empty = "PXEClient" */
  GPtrArray *matches;        /* HearthDhcpMatch* */
  GPtrArray *tag_ifs;        /* HearthDhcpTagIf* */
  GPtrArray *ignore;         /* HearthDhcpTagMatch (GStrv) each: --dhcp-ignore */
  GPtrArray *ignore_names;   /* GStrv each: --dhcp-ignore-names (an empty GStrv = everyone) */
  GPtrArray *generate_names; /* GStrv each: --dhcp-generate-names */
  GPtrArray *broadcast;      /* GStrv each: --dhcp-broadcast */
  GPtrArray *relays;         /* HearthDhcpRelay* */
  GPtrArray *no_dhcp_interfaces; /* char*, --no-dhcp-interface and --no-dhcpv4-interface */
  char *lease_file;          /* --dhcp-leasefile; NULL = the default for the mode */
  gboolean lease_file_ro;    /* --leasefile-ro */
  char *script;              /* --dhcp-script */
  char *script_user;         /* --dhcp-scriptuser */
  gboolean script_on_renewal;
  guint lease_max;           /* --dhcp-lease-max */
  gboolean authoritative;
  gboolean no_override;      /* --dhcp-no-override: file/sname never overloaded */
  gboolean sequential_ip;
  gboolean ignore_clid;
  gboolean rapid_commit;
  gboolean no_ping;
  gboolean fqdn;             /* --dhcp-fqdn */
  gboolean client_update;    /* --dhcp-client-update */
  gboolean bootp_dynamic;    /* --bootp-dynamic (tag list ignored for now: all) */
  gboolean read_ethers;
  gboolean log_dhcp;
  gboolean quiet_dhcp;
  guint16 server_port;       /* 67, --dhcp-alternate-port */
  guint16 client_port;       /* 68 */
  guint reply_delay;         /* --dhcp-reply-delay seconds (tagless form) */
  GPtrArray *reply_delays;   /* HearthDhcpReplyDelay*, the tagged forms */
} HearthDhcpConfig;

HearthDhcpConfig *hearth_dhcp_config_new (void);
void hearth_dhcp_config_free (HearthDhcpConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpConfig, hearth_dhcp_config_free)

/* Applies one DHCP-owned item; FALSE with an error naming file, line and
 * option when the value is bad. */
gboolean hearth_dhcp_config_apply (HearthDhcpConfig *config, const HearthConfigItem *item, GError **error);
/* After all items: checks combinations. */
gboolean hearth_dhcp_config_check (HearthDhcpConfig *config, GError **error);
/* Whether there is anything to serve (an IPv4 range or a relay). */
gboolean hearth_dhcp_config_enabled (const HearthDhcpConfig *config);
/* Whether PXE answers are configured (--pxe-service or --pxe-prompt), as
 * in dnsmasq: then port 4011 is served too. */
gboolean hearth_dhcp_config_pxe_enabled (const HearthDhcpConfig *config);
/* FALSE for DHCP-owned options that apply() accepts but ignores (PXE menus,
 * DHCPv6 and router advertisements, Lua, ...), so the daemon can warn
 * "not supported yet"; also FALSE for options the DHCP subsystem does not
 * own. Aliases are resolved. */
gboolean hearth_dhcp_config_option_is_implemented (const char *long_name);

/* Does the tag set satisfy the condition list? tags is a GHashTable used as
 * a set of char* (or NULL = no tags set). */
gboolean hearth_dhcp_tags_match (const HearthDhcpTagMatch match, GHashTable *tags);

/* Is @name usable as a DHCP client's host name: one DNS label of 1 to 63
 * bytes, letters, digits, '-' and '_', not starting with '-' or '_'?
 * These are dnsmasq's legal_hostname() rules, applied to the whole label. */
gboolean hearth_dhcp_hostname_is_valid (const char *name);

G_END_DECLS
