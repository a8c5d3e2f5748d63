/* Addresses and prefixes as the DNS side keeps them: a small value type
 * (family, prefix length, 16 bytes) that hosts files, records and answer
 * policies share, plus the in-addr.arpa / ip6.arpa name conversions.
 *
 * A plain struct rather than GInetAddress because hosts files can hold a
 * hundred thousand of them. Nothing here allocates except _to_string.
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>

typedef struct {
  guint8 family;     /* AF_INET or AF_INET6 */
  guint8 prefix_len; /* 32 / 128 for a single address */
  guint8 bytes[16];  /* network order; IPv4 in the first 4 */
} HearthDnsAddr;

/* 4 or 16. */
gsize hearth_dns_addr_size (const HearthDnsAddr *addr);
/* "192.0.2.1" or "2001:db8::1" (no prefix, no scope). */
gboolean hearth_dns_addr_parse (const char *text, HearthDnsAddr *out);
/* An address with an optional "/len" (default the full length); the bits
 * past the prefix are cleared. */
gboolean hearth_dns_addr_parse_prefix (const char *text, HearthDnsAddr *out);
void hearth_dns_addr_from_bytes (int family, const guint8 *bytes, HearthDnsAddr *out);
/* Does addr (any prefix_len, read as a single address) fall in prefix? */
gboolean hearth_dns_addr_in_prefix (const HearthDnsAddr *prefix, const HearthDnsAddr *addr);
gboolean hearth_dns_addr_equal (const HearthDnsAddr *a, const HearthDnsAddr *b);
/* Writes the presentation form (with "/len" when not a full address) into
 * buf and returns it. */
const char *hearth_dns_addr_to_string (const HearthDnsAddr *addr, char *buf, gsize buf_size);

/* The reverse-lookup name of an address in wire form, lower case:
 * 4.3.2.1.in-addr.arpa, or the 32 nibbles under ip6.arpa. */
gboolean hearth_dns_addr_to_reverse_name (const HearthDnsAddr *addr, guint8 *out, gsize *out_len);

typedef enum {
  HEARTH_DNS_REVERSE_NONE,    /* not under in-addr.arpa / ip6.arpa */
  HEARTH_DNS_REVERSE_PARTIAL, /* a reverse name shorter than a full address (a zone) */
  HEARTH_DNS_REVERSE_FULL,    /* the name of one address */
} HearthDnsReverseKind;

/* A wire-form name (any case) -> the address (or, for PARTIAL, the prefix:
 * prefix_len = the labels given * 8 or * 4) it stands for. NONE also for
 * names under the arpa zones that are not valid reverse names. */
HearthDnsReverseKind hearth_dns_addr_from_reverse_name (const guint8 *name, gsize len, HearthDnsAddr *out);

/* RFC 1918, RFC 6598, link-local, loopback and the other ranges no public
 * name should point at, as --bogus-priv and --stop-dns-rebind use them.
 * Loopback (127.0.0.0/8, ::1) is reported separately through is_loopback so
 * --rebind-localhost-ok can allow it. */
gboolean hearth_dns_addr_is_private (const HearthDnsAddr *addr, gboolean *out_is_loopback);
