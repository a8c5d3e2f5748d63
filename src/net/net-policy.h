/* Interface selection: which links and addresses hearth serves, from the
 * dnsmasq options --interface, --except-interface, --listen-address and
 * --no-dhcp-interface.
 *
 * The rules are dnsmasq's: names may end in '*' (a prefix match);
 * --except-interface always wins; naming any --interface brings the
 * loopback interface "lo" along; with neither --interface nor
 * --listen-address every interface is served. A query that reaches the
 * machine over loopback but is addressed to one of a served interface's
 * addresses counts as arriving on that interface (a local program asking
 * the LAN address).
 *
 * The policy is pure: it decides from names and addresses it is given and
 * keeps no picture of the system; callers look links up in the monitor.
 */
#pragma once

#include <glib.h>

#include "net/net-monitor.h"

G_BEGIN_DECLS

typedef struct _HearthNetPolicy HearthNetPolicy;

HearthNetPolicy *hearth_net_policy_new (void);
void hearth_net_policy_free (HearthNetPolicy *policy);
void hearth_net_policy_add_interface (HearthNetPolicy *policy, const char *pattern);
void hearth_net_policy_add_except_interface (HearthNetPolicy *policy, const char *pattern);
void hearth_net_policy_add_no_dhcp_interface (HearthNetPolicy *policy, const char *pattern);
/* A numeric IPv4 or IPv6 address. */
gboolean hearth_net_policy_add_listen_address (HearthNetPolicy *policy, const char *text, GError **error);

/* Neither --interface, --listen-address nor --except-interface given. */
gboolean hearth_net_policy_is_open (const HearthNetPolicy *policy);
guint hearth_net_policy_get_n_listen_addresses (const HearthNetPolicy *policy);
const HearthNetAddress *hearth_net_policy_get_listen_address (const HearthNetPolicy *policy, guint i);
/* The --interface patterns (borrowed). */
GPtrArray *hearth_net_policy_get_interfaces (const HearthNetPolicy *policy);

/* DNS on every address of this link (by --interface / the defaults). */
gboolean hearth_net_policy_link_selected (const HearthNetPolicy *policy, const char *name);
/* DNS on this address of link name: the link is selected, or the address
 * is a --listen-address; never on an excluded link. */
gboolean hearth_net_policy_address_selected (const HearthNetPolicy *policy, const char *name, int family,
                                             const void *bytes);
/* A query that arrived on link arrival (NULL = not known) addressed to
 * (family, dst): accepted? dst_link is the link that carries dst (NULL =
 * none), for the loopback rule. */
gboolean hearth_net_policy_accepts (const HearthNetPolicy *policy, const HearthNetLink *arrival, int family,
                                    const void *dst, const HearthNetLink *dst_link);
/* DHCP on this link: DNS is served there (by name or by one of its
 * addresses) and it is not a --no-dhcp-interface. */
gboolean hearth_net_policy_dhcp_on_link (const HearthNetPolicy *policy, const HearthNetLink *link);

/* dnsmasq's interface-name wildcard: text up to the first '*' is a prefix. */
gboolean hearth_net_interface_name_matches (const char *pattern, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthNetPolicy, hearth_net_policy_free)

G_END_DECLS
