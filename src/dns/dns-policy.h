/* Answer policy: what hearth does to upstream answers and to some
 * questions before they are forwarded. --bogus-nxdomain, --ignore-address,
 * --alias, --stop-dns-rebind (with --rebind-localhost-ok and
 * --rebind-domain-ok), --filter-A, --filter-AAAA, --filter-rr and
 * --filterwin2k.
 *
 * Pure functions over wire bytes: a reply in, a verdict and (when the reply
 * is changed) a rewritten reply out. The forwarder calls it before it
 * builds the cached answer, so the cache only ever holds policed answers.
 * It does not log; the caller logs from the verdict.
 */
#pragma once

#include "dns/dns-addr.h"
#include "dns/dns-packet.h"

typedef struct _HearthDnsPolicy HearthDnsPolicy;

HearthDnsPolicy *hearth_dns_policy_new (void);
void hearth_dns_policy_free (HearthDnsPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsPolicy, hearth_dns_policy_free)

/* Option values, as the config gives them (errors say what is wrong, without
 * file:line). */
gboolean hearth_dns_policy_add_bogus_nxdomain (HearthDnsPolicy *policy, const char *value, GError **error); /* <ip>[/<len>] */
gboolean hearth_dns_policy_add_ignore_address (HearthDnsPolicy *policy, const char *value, GError **error); /* <ip>[/<len>] */
gboolean hearth_dns_policy_add_alias (HearthDnsPolicy *policy, const char *value, GError **error); /* <old>[-<end>],<new>[,<mask>] */
gboolean hearth_dns_policy_add_filter_rr (HearthDnsPolicy *policy, const char *value, GError **error); /* <type>[,<type>...] */
gboolean hearth_dns_policy_add_rebind_domain_ok (HearthDnsPolicy *policy, const char *value, GError **error); /* /<dom>/[<dom>/] */
void hearth_dns_policy_set_filter_a (HearthDnsPolicy *policy, gboolean on);
void hearth_dns_policy_set_filter_aaaa (HearthDnsPolicy *policy, gboolean on);
void hearth_dns_policy_set_stop_rebind (HearthDnsPolicy *policy, gboolean on);
void hearth_dns_policy_set_rebind_localhost_ok (HearthDnsPolicy *policy, gboolean on);
void hearth_dns_policy_set_filterwin2k (HearthDnsPolicy *policy, gboolean on);

/* Is a record type filtered out of answers (--filter-A/-AAAA/-rr)? */
gboolean hearth_dns_policy_filters_type (const HearthDnsPolicy *policy, guint16 type);

typedef enum {
  HEARTH_DNS_QUERY_FORWARD, /* nothing to do: go on as usual */
  HEARTH_DNS_QUERY_NODATA,  /* answer NOERROR with no records, do not forward */
  HEARTH_DNS_QUERY_NXDOMAIN,/* answer NXDOMAIN, do not forward */
} HearthDnsQueryVerdict;
const char *hearth_dns_query_verdict_to_string (HearthDnsQueryVerdict verdict);
/* The question-side rule (--filterwin2k: SOA, SRV, and ANY for names with
 * '_'): what to do with a question before it is forwarded. A question of a
 * filtered type is forwarded like dnsmasq does (an NXDOMAIN stays NXDOMAIN);
 * check_reply then strips the records. */
HearthDnsQueryVerdict hearth_dns_policy_check_query (const HearthDnsPolicy *policy, const HearthDnsQuestion *q);

typedef enum {
  HEARTH_DNS_REPLY_KEEP,      /* unchanged: use the reply as received */
  HEARTH_DNS_REPLY_REWRITTEN, /* use out[0..*out_len) instead (records filtered or aliased) */
  HEARTH_DNS_REPLY_NXDOMAIN,  /* --bogus-nxdomain matched: out holds an NXDOMAIN reply, no records */
  HEARTH_DNS_REPLY_BLOCKED,   /* --stop-dns-rebind: out holds the reply without its records */
  HEARTH_DNS_REPLY_IGNORE,    /* --ignore-address matched: drop it, wait for another reply */
} HearthDnsReplyVerdict;
const char *hearth_dns_reply_verdict_to_string (HearthDnsReplyVerdict verdict);

/* Applies the reply-side rules to an upstream reply to question q (the
 * reply's ID and question were already checked by the caller, or will be:
 * the policy must not crash on any bytes). The rebind-domain-ok check uses
 * q's name. A reply that does not parse, or has TC set, is KEEP (the
 * caller's own parser rejects or retries it).
 *
 * For every verdict but KEEP and IGNORE, out[0..*out_len) is a complete
 * reply with the same ID, flags and question (the question name written
 * uncompressed at offset 12). The kept records are re-encoded: names are
 * decompressed and compressed again against what was written, so a rewritten
 * reply can be longer than the input; give out_size = HEARTH_DNS_MSG_MAX. If
 * it still does not fit, out holds a SERVFAIL reply without records and the
 * verdict is REWRITTEN (IGNORE if out cannot hold even that). AD is
 * cleared when an address was aliased. */
HearthDnsReplyVerdict hearth_dns_policy_check_reply (const HearthDnsPolicy *policy, const HearthDnsQuestion *q,
                                                     const guint8 *reply, gsize len, guint8 *out, gsize out_size,
                                                     gsize *out_len);
/* Any reply-side rule configured? (lets the forwarder skip the call) */
gboolean hearth_dns_policy_has_reply_rules (const HearthDnsPolicy *policy);
