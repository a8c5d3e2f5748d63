/* Where hearth answers DNS: the binding modes of dnsmasq, following the
 * interfaces the netlink monitor reports.
 *
 * - wildcard (the default): one socket pair on 0.0.0.0 and one on ::, and
 *   each query is accepted or dropped by the interface it arrived on and
 *   the address it was sent to (net-policy.h has the rules);
 * - --bind-interfaces: a socket pair per selected address, opened at start
 *   and for addresses that appear later, kept when an address goes (so it
 *   works again when the address returns);
 * - --bind-dynamic: the same, but sockets are closed as soon as their
 *   address disappears.
 *
 * An interface or address that does not exist yet is waited for, in every
 * mode. This object decides and opens sockets; the stub owns them once
 * handed over and does the answering.
 */
#pragma once

#include "dns/dns-config.h"
#include "dns/dns-stub.h"
#include "net/net-monitor.h"
#include "net/net-policy.h"
#include "net/net-socket.h"

typedef struct _HearthDnsListen HearthDnsListen;

typedef enum {
  HEARTH_DNS_BIND_WILDCARD,
  HEARTH_DNS_BIND_INTERFACES,
  HEARTH_DNS_BIND_DYNAMIC,
} HearthDnsBindMode;

/* monitor and stub are borrowed and must outlive the object. */
HearthDnsListen *hearth_dns_listen_new (const HearthDnsConfig *config, HearthNetMonitor *monitor, HearthDnsStub *stub,
                                        GError **error);
void hearth_dns_listen_free (HearthDnsListen *listen);
/* Opens the sockets for the interfaces present now (or takes the ones
 * systemd passed); done before privileges are dropped. Fails only when a
 * socket that should open cannot (address in use, ...). */
gboolean hearth_dns_listen_open (HearthDnsListen *listen, GArray *activated, GError **error);
/* Hands the sockets to the stub and starts following interface changes. */
void hearth_dns_listen_start (HearthDnsListen *listen);
HearthDnsBindMode hearth_dns_listen_get_mode (HearthDnsListen *listen);
const HearthNetPolicy *hearth_dns_listen_get_policy (HearthDnsListen *listen);
/* Whether queries arriving on this link are answered (wildcard mode) or a
 * socket is open on one of its addresses (bind modes). */
gboolean hearth_dns_listen_link_served (HearthDnsListen *listen, const HearthNetLink *link);
/* Sockets per address that hearth would open after start, so the process
 * must keep the right to bind low ports. */
gboolean hearth_dns_listen_needs_late_binds (HearthDnsListen *listen);

/* The per-query check installed in the stub (exposed for the unit test):
 * accepts the query from client `from` that arrived as described. */
gboolean hearth_dns_listen_accepts (HearthDnsListen *listen, const HearthDnsLocalContext *arrival,
                                    const struct sockaddr *from);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsListen, hearth_dns_listen_free)
