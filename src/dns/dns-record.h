/* Local resource records and the parsers of the options that define them
 * (--host-record, --cname, --srv-host, --txt-record, --mx-host,
 * --ptr-record, --naptr-record, --caa-record, --dns-rr, and the option
 * values the local store needs in structured form: --address,
 * --interface-name, --synth-domain, --domain).
 *
 * A HearthDnsRecord is one RR in uncompressed wire form, owner name lower
 * case, ready to be copied into a reply. The parsers are pure (text in,
 * values out) and report what is wrong without the file:line prefix (the
 * config handler adds that). Nothing here knows where records are stored or
 * how queries are answered: that is dns-local.
 */
#pragma once

#include "dns/dns-addr.h"
#include "dns/dns-packet.h"

/* A record TTL meaning "whatever --local-ttl says when answering". */
#define HEARTH_DNS_TTL_LOCAL G_MAXUINT32

typedef struct {
  guint16 type;
  guint16 rclass;
  guint32 ttl;      /* or HEARTH_DNS_TTL_LOCAL */
  guint8 name_len;  /* wire form, including the root label */
  guint16 rdlength;
  guint8 *name;     /* lower case wire form; points into the same allocation */
  guint8 *rdata;    /* uncompressed; names inside are wire form, case as given */
} HearthDnsRecord;

/* One allocation holding the struct, name and rdata. name is lower-cased
 * in the copy. */
HearthDnsRecord *hearth_dns_record_new (const guint8 *name, gsize name_len, guint16 type, guint16 rclass, guint32 ttl,
                                        const guint8 *rdata, gsize rdlength);
void hearth_dns_record_free (HearthDnsRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsRecord, hearth_dns_record_free)
/* A or AAAA for addr (family picks the type). */
HearthDnsRecord *hearth_dns_record_new_address (const guint8 *name, gsize name_len, const HearthDnsAddr *addr,
                                                guint32 ttl);
/* CNAME or PTR (or any type whose rdata is one name) pointing at target. */
HearthDnsRecord *hearth_dns_record_new_name (const guint8 *name, gsize name_len, guint16 type,
                                             const guint8 *target, gsize target_len, guint32 ttl);
/* Same owner, type, class and rdata (TTL ignored): a duplicate. */
gboolean hearth_dns_record_equal (const HearthDnsRecord *a, const HearthDnsRecord *b);
/* For logs and errors: "name TYPE rdata-summary". */
char *hearth_dns_record_to_string (const HearthDnsRecord *record);

/* A host name as hosts files and records accept it: labels of letters,
 * digits, '-' and '_' (dnsmasq accepts '_' too), 1..63 each, at most 253
 * characters, an optional trailing dot. Converts to lower case wire form. */
gboolean hearth_dns_hostname_to_wire (const char *text, guint8 *out, gsize *out_len);

/* Each parser appends the records the option defines to out
 * (HearthDnsRecord*, owned by the array) and returns TRUE, or returns FALSE
 * with an error and appends nothing. TTLs not given are
 * HEARTH_DNS_TTL_LOCAL. */

/* <name>[,<name>...],[<ipv4>],[<ipv6>][,<ttl>]: A/AAAA for every name, and
 * the PTR records (first name) for each address. */
gboolean hearth_dns_record_parse_host_record (const char *value, GPtrArray *out, GError **error);
/* <alias>[,<alias>...],<target>[,<ttl>]: one CNAME per alias. */
gboolean hearth_dns_record_parse_cname (const char *value, GPtrArray *out, GError **error);
/* <_service>.<_proto>.[<domain>],[<target>[,<port>[,<priority>[,<weight>]]]].
 * default_domain (may be NULL) is appended when the name has only the
 * service and protocol labels. No target: SRV with target "." (RFC 2782:
 * service decidedly not available). */
gboolean hearth_dns_record_parse_srv (const char *value, const char *default_domain, GPtrArray *out, GError **error);
/* <name>[,<text>[,<text>...]]: one TXT record, each text one or more
 * character-strings (split at 255 bytes); quotes already removed by the
 * config parser are not needed here, but "\"" escapes are handled. */
gboolean hearth_dns_record_parse_txt (const char *value, GPtrArray *out, GError **error);
/* <name>,<target> (a target is required; dnsmasq's target-less form answers
 * nothing useful) */
gboolean hearth_dns_record_parse_ptr (const char *value, GPtrArray *out, GError **error);
/* <name>,<order>,<preference>,<flags>,<service>,<regexp>[,<replacement>] */
gboolean hearth_dns_record_parse_naptr (const char *value, GPtrArray *out, GError **error);
/* <name>,<flags>,<tag>,<value> (RFC 8659) */
gboolean hearth_dns_record_parse_caa (const char *value, GPtrArray *out, GError **error);
/* <name>,<type number or mnemonic>[,<hex data, ':' and spaces allowed>] */
gboolean hearth_dns_record_parse_dns_rr (const char *value, GPtrArray *out, GError **error);

/* --mx-host=<name>[[,<target>],<preference>]: the target may be left out
 * (then --mx-target, or this host's name, decides once all options are in),
 * so this returns the parts; *out_target NULL when not given. Preference
 * defaults to 1. */
gboolean hearth_dns_record_parse_mx_host (const char *value, char **out_name, char **out_target,
                                          guint16 *out_preference, GError **error);

/* A --domain value: <domain>[,<start>,<end>|,<prefix>/<len>[,local]] and the
 * special value "#". */
typedef struct {
  char *domain;            /* lower case, no trailing dot; "#" = from resolv.conf search */
  gboolean has_range;
  HearthDnsAddr start;     /* a prefix (start.prefix_len < full) or the range start */
  HearthDnsAddr end;       /* range end; equal to start for a prefix */
  gboolean local;          /* ",local": also a --local=/domain/ and reverse zone */
} HearthDnsDomainRule;
void hearth_dns_domain_rule_free (HearthDnsDomainRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsDomainRule, hearth_dns_domain_rule_free)
gboolean hearth_dns_domain_rule_parse (const char *value, HearthDnsDomainRule **out_rule, GError **error);
/* Does addr fall in the rule's range (a rule without a range matches all)? */
gboolean hearth_dns_domain_rule_matches (const HearthDnsDomainRule *rule, const HearthDnsAddr *addr);

/* An --address value: /<domain>[/<domain>...]/[<address>|#]. */
typedef enum {
  HEARTH_DNS_ADDRESS_NXDOMAIN, /* "/dom/": no address, answered NXDOMAIN like --local */
  HEARTH_DNS_ADDRESS_ADDR,     /* one address (repeat the option for more) */
  HEARTH_DNS_ADDRESS_NULL,     /* "#": 0.0.0.0 and :: (blocking) */
} HearthDnsAddressKind;
typedef struct {
  GPtrArray *domains;          /* char*, lower case, no dots around; "" = "//" (plain names); "*x" wildcards kept */
  HearthDnsAddressKind kind;
  HearthDnsAddr addr;          /* for ADDR */
} HearthDnsAddressRule;
void hearth_dns_address_rule_free (HearthDnsAddressRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsAddressRule, hearth_dns_address_rule_free)
gboolean hearth_dns_address_rule_parse (const char *value, HearthDnsAddressRule **out_rule, GError **error);

/* --interface-name=<name>,<interface>[/4|/6] */
typedef struct {
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize name_len;
  char *interface;
  int family; /* AF_UNSPEC, AF_INET or AF_INET6 */
} HearthDnsInterfaceName;
void hearth_dns_interface_name_free (HearthDnsInterfaceName *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsInterfaceName, hearth_dns_interface_name_free)
gboolean hearth_dns_interface_name_parse (const char *value, HearthDnsInterfaceName **out, GError **error);

/* --synth-domain=<domain>,<start>,<end>|<prefix>/<len>[,<name prefix>[*]] */
typedef struct {
  char *domain;        /* lower case, no trailing dot */
  HearthDnsAddr start; /* a prefix, or the range start */
  HearthDnsAddr end;
  char *prefix;        /* label prefix ("host-"), may be empty */
  gboolean star;       /* "prefix*": names carry a number after the prefix? see dnsmasq(8) */
} HearthDnsSynthDomain;
void hearth_dns_synth_domain_free (HearthDnsSynthDomain *sd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsSynthDomain, hearth_dns_synth_domain_free)
gboolean hearth_dns_synth_domain_parse (const char *value, HearthDnsSynthDomain **out, GError **error);
/* The synthesised name for addr (dnsmasq's form: prefix + address with '-'
 * for '.' or ':' + "." + domain) into out as wire form; FALSE when addr is
 * outside the range. */
gboolean hearth_dns_synth_domain_name (const HearthDnsSynthDomain *sd, const HearthDnsAddr *addr, guint8 *out,
                                       gsize *out_len);
/* The address a synthesised name stands for; FALSE when the name is not
 * one of this domain's or the address falls outside the range. */
gboolean hearth_dns_synth_domain_address (const HearthDnsSynthDomain *sd, const guint8 *name, gsize len,
                                          HearthDnsAddr *out);
