/* The hosts-file parser: /etc/hosts, --addn-hosts and --hostsdir files, in
 * the format of hosts(5): an address, then one or more names, '#' starts a
 * comment.
 *
 * Pure: text in, one callback per good line and one per bad line out, so
 * the unit tests and the fuzzer call exactly what the daemon calls. It does
 * not read files, store names or know about domains (--expand-hosts is the
 * local store's business).
 */
#pragma once

#include "dns/dns-addr.h"

/* One usable line: the address and its names, in wire form, lower case,
 * in the order written (the first is the canonical name PTR answers use).
 * names[i] holds name_lens[i] bytes (at most HEARTH_DNS_NAME_MAX, ending
 * with the root label) and is valid during the call only: copy what you
 * keep. Names that are not valid host names are reported through the
 * error callback and left out; a line left with no names is not reported
 * here. */
typedef void (*HearthDnsHostsEntryFunc) (const HearthDnsAddr *addr, const guint8 *const *names,
                                         const gsize *name_lens, guint n_names, guint line, gpointer user_data);
/* A line (or a name on it) that was skipped, and why ("bad address
 * '1.2.3'"). line counts from 1. */
typedef void (*HearthDnsHostsErrorFunc) (guint line, const char *message, gpointer user_data);

/* Parses the whole text (need not be NUL-terminated; a line holding a NUL
 * byte outside a comment is reported as bad). Returns the number of good
 * lines (those passed to entry_cb). Lines longer than 4096 bytes before
 * their comment are reported and skipped; IPv6 addresses with a %scope are
 * accepted without the scope. Either callback may be NULL. No allocation
 * per line: one scratch block per call. */
guint hearth_dns_hosts_parse (const char *data, gsize len, HearthDnsHostsEntryFunc entry_cb,
                              HearthDnsHostsErrorFunc error_cb, gpointer user_data);
