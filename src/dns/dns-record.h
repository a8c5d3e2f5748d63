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
 * with an error (G_IO_ERROR_INVALID_ARGUMENT) and appends nothing. TTLs
 * not given are HEARTH_DNS_TTL_LOCAL.
 *
 * quoted is HearthConfigItem.quoted for value (one byte per byte of value,
 * non-zero where the byte was inside double quotes in a configuration
 * file), or NULL: a quoted ',' does not split a field and quoted spaces
 * around a field are kept ("txt-record=x,\"a,b\"" is one string). The
 * config parser has already removed the quotes and resolved their escapes;
 * on the command line nothing is quoted, as with dnsmasq. */

/* <name>[,<name>...],[<ipv4>],[<ipv6>][,<ttl>]: A/AAAA for every name, and
 * the PTR records (first name) for each address. Names, addresses and the
 * TTL (a field of digits) may come in any order, empty fields are skipped,
 * as in dnsmasq; unlike dnsmasq 2.90 (which keeps the last address of each
 * family) every address given is used. */
gboolean hearth_dns_record_parse_host_record (const char *value, const guint8 *quoted, GPtrArray *out,
                                              GError **error);
/* <alias>[,<alias>...],<target>[,<ttl>]: one CNAME per alias. As in
 * dnsmasq, a last field of digits is the TTL only when there are three
 * fields or more ("a,300" points a at the name "300"). */
gboolean hearth_dns_record_parse_cname (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);
/* <_service>.<_proto>.[<domain>],[<target>[,<port>[,<priority>[,<weight>]]]].
 * default_domain (may be NULL) is appended when the name has exactly two
 * labels (dnsmasq's test; a trailing dot does not prevent it). No target:
 * SRV with target "." (RFC 2782: service decidedly not available). Port
 * defaults to 1 (as dnsmasq 2.90 does, see dnsmasq(8)), priority and
 * weight to 0. */
gboolean hearth_dns_record_parse_srv (const char *value, const char *default_domain, GPtrArray *out, GError **error);
/* <name>[,<text>[,<text>...]]: one TXT record, each text one or more
 * character-strings (split at 255 bytes); no text gives one empty string.
 * Use quoted to keep commas inside a text. */
gboolean hearth_dns_record_parse_txt (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);
/* <name>[,<target>]; without a target the PTR points at the root, as in
 * dnsmasq. Both names may hold any printable character, spaces
 * included (DNS-SD instance names such as "My Printer._ipp._tcp.lan"). */
gboolean hearth_dns_record_parse_ptr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);
/* <name>,<order>,<preference>,<flags>,<service>,<regexp>[,<replacement>]
 * (RFC 3403); no replacement, or an empty one, is the root. */
gboolean hearth_dns_record_parse_naptr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);
/* <name>,<flags>,<tag>,<value> (RFC 8659): flags 0..255, tag 1..15 letters
 * and digits; the value is the rest of the text, commas included. */
gboolean hearth_dns_record_parse_caa (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);
/* <name>,<type number or mnemonic>[,<hex data>]: hex as dnsmasq takes it,
 * pairs of digits with ':' and spaces allowed between them ("01:23:45",
 * "01 23 45", "012345"); a group of one digit is one byte ("1:2:3"). */
gboolean hearth_dns_record_parse_dns_rr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error);

/* --mx-host=<name>[[,<target>],<preference>]: the target may be left out
 * (then --mx-target, or this host's name, decides once all options are in),
 * so this returns the parts; *out_target NULL when not given, "." when
 * given empty ("a,,5", as dnsmasq: a null MX). With two fields the second
 * is the target even when it is a number, as in dnsmasq. Preference
 * defaults to 1. The name is returned without a trailing dot. */
gboolean hearth_dns_record_parse_mx_host (const char *value, char **out_name, char **out_target,
                                          guint16 *out_preference, GError **error);

/* A --domain value: <domain>[,<start>,<end>|,<address>|,<prefix>/<len>[,local]
 * |,<interface>] and the special value "#". */
typedef struct {
  char *domain;            /* lower case, no trailing dot; "#" = from resolv.conf search */
  gboolean has_range;      /* an address range or an interface was given */
  HearthDnsAddr start;     /* a prefix (from <prefix>/<len>: prefix_len as given, host bits
                              cleared) or the range start (full prefix_len) */
  HearthDnsAddr end;       /* the last address in the range or prefix (full prefix_len) */
  gboolean local;          /* ",local": also a --local=/domain/ and reverse zone */
  char *interface;         /* the interface form (then start/end unset), NULL otherwise: the
                              store matches it against the interface's current subnets */
} HearthDnsDomainRule;
void hearth_dns_domain_rule_free (HearthDnsDomainRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsDomainRule, hearth_dns_domain_rule_free)
gboolean hearth_dns_domain_rule_parse (const char *value, HearthDnsDomainRule **out_rule, GError **error);
/* Does addr fall in the rule's range (a rule without a range matches all)?
 * FALSE for an interface rule: only the store knows the interface's
 * addresses. */
gboolean hearth_dns_domain_rule_matches (const HearthDnsDomainRule *rule, const HearthDnsAddr *addr);

/* An --address value: /<domain>[/<domain>...]/[<address>|#]. As in
 * dnsmasq, a value without a leading '/' ("1.2.3.4") means /#/1.2.3.4, and
 * everything up to the last '/' is a domain ("/a/1.2.3.4/5.6.7.8" has the
 * domains a and 1.2.3.4). Domains are normalised as for --server: lower
 * case, no trailing dot, a leading '.' dropped. */
typedef enum {
  HEARTH_DNS_ADDRESS_NXDOMAIN, /* "/dom/": no address, answered NXDOMAIN like --local */
  HEARTH_DNS_ADDRESS_ADDR,     /* one address (repeat the option for more) */
  HEARTH_DNS_ADDRESS_NULL,     /* "#": 0.0.0.0 and :: (blocking) */
} HearthDnsAddressKind;
typedef struct {
  GPtrArray *domains;          /* char*, lower case, no dots around; "" = "//" (plain names); "*x" wildcards kept;
                                  "#" = every name */
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
  HearthDnsAddr start; /* a prefix (prefix_len as given, host bits cleared), or the range start */
  HearthDnsAddr end;   /* the last address in the range or prefix (full prefix_len) */
  char *prefix;        /* label prefix ("host-"), lower case, may be empty */
  gboolean star;       /* "prefix*": sequential names, prefix + the decimal offset of the
                          address from start ("internal-0" is start); IPv6 needs the range
                          within one /64 */
} HearthDnsSynthDomain;
void hearth_dns_synth_domain_free (HearthDnsSynthDomain *sd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsSynthDomain, hearth_dns_synth_domain_free)
gboolean hearth_dns_synth_domain_parse (const char *value, HearthDnsSynthDomain **out, GError **error);
/* The synthesised name for addr into out (HEARTH_DNS_NAME_MAX bytes) as
 * lower-case wire form; FALSE when addr is outside the range. dnsmasq's
 * form: prefix + the address as inet_ntop() writes it with '-' for '.' and
 * ':' ("internal-192-168-0-56", "2001-db8--1", a v4-mapped ::ffff:1.2.3.4
 * as "0--ffff-1-2-3-4"), with a "0" in front when there is no prefix and
 * the text would start with '-' ("::1" is "0--1"); or, with star, prefix +
 * the offset from start. */
gboolean hearth_dns_synth_domain_name (const HearthDnsSynthDomain *sd, const HearthDnsAddr *addr, guint8 *out,
                                       gsize *out_len);
/* The address a synthesised name (wire form, any case) stands for; FALSE
 * when the name is not one of this domain's or the address falls outside
 * the range. Non-canonical spellings are accepted as dnsmasq does
 * ("2001-db8-0-0-0-0-0-1", leading zeros in sequential numbers). A
 * v4-mapped name is read as hex groups first and as a dotted-quad tail
 * when that reading is outside the range (dnsmasq 2.90 cannot look its own
 * "0--ffff-1-2-3-4" names up). */
gboolean hearth_dns_synth_domain_address (const HearthDnsSynthDomain *sd, const guint8 *name, gsize len,
                                          HearthDnsAddr *out);
