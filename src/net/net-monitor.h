/* The link and address monitor: hearth's one source of truth for which
 * network interfaces exist, what state they are in and which addresses
 * they carry.
 *
 * It keeps libnl-3's route/link and route/addr caches filled from a
 * netlink socket watched by the main loop, and tells its watchers about
 * every change as plain C events (no libnl types leak out), so the DNS
 * listeners, upstream servers bound to a device, the D-Bus Link objects
 * and later DHCP all follow the same picture.
 *
 * The monitor only observes; it never changes the system's interfaces.
 * hearth_net_monitor_feed() is the pure part (netlink bytes in, events
 * out) that unit tests and the fuzzer drive without a kernel.
 */
#pragma once

#include <glib.h>
#include <net/if.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct _HearthNetMonitor HearthNetMonitor;

typedef struct {
  int family;          /* AF_INET or AF_INET6 */
  guint8 bytes[16];    /* network order; 4 used for AF_INET */
  guint8 prefix_len;
  guint8 scope;        /* RT_SCOPE_* */
  guint32 flags;       /* IFA_F_* */
  guint ifindex;
} HearthNetAddress;

typedef struct {
  guint index;
  char name[IF_NAMESIZE];
  guint flags;         /* IFF_* */
  guint8 operstate;    /* IF_OPER_* (RFC 2863) */
  guint mtu;
  GArray *addresses;   /* HearthNetAddress, in arrival order */
} HearthNetLink;

typedef enum {
  HEARTH_NET_EVENT_LINK_ADDED,
  HEARTH_NET_EVENT_LINK_CHANGED,    /* name, flags, operstate or mtu */
  HEARTH_NET_EVENT_LINK_REMOVED,    /* after ADDRESS_REMOVED for each address */
  HEARTH_NET_EVENT_ADDRESS_ADDED,
  HEARTH_NET_EVENT_ADDRESS_CHANGED, /* flags or scope, e.g. DAD finished */
  HEARTH_NET_EVENT_ADDRESS_REMOVED,
} HearthNetEvent;

/* link is valid for the duration of the call (for LINK_REMOVED it is
 * freed right after); address is NULL for link events. */
typedef void (*HearthNetMonitorFunc) (HearthNetMonitor *monitor, HearthNetEvent event, const HearthNetLink *link,
                                      const HearthNetAddress *address, gpointer user_data);

typedef struct {
  guint64 messages;       /* netlink messages applied */
  guint64 bad_messages;   /* malformed or not understood */
  guint64 resyncs;        /* full dumps after the kernel dropped events */
} HearthNetMonitorStats;

/* A monitor with empty caches and no socket (tests feed it). */
HearthNetMonitor *hearth_net_monitor_new (void);
void hearth_net_monitor_free (HearthNetMonitor *monitor);
/* Opens the netlink socket, subscribes to link and address changes, fills
 * the caches from a dump (watchers see ADDED events for everything) and
 * puts the socket on the thread-default main context. */
gboolean hearth_net_monitor_start (HearthNetMonitor *monitor, GError **error);

guint hearth_net_monitor_add_watch (HearthNetMonitor *monitor, HearthNetMonitorFunc func, gpointer user_data);
void hearth_net_monitor_remove_watch (HearthNetMonitor *monitor, guint id);

/* Applies the netlink messages in buf (one or more datagrams' worth of
 * nlmsghdr-framed messages) and emits events. Messages other than
 * RTM_NEW/DELLINK and RTM_NEW/DELADDR are ignored; malformed ones are
 * counted and skipped. Returns the number of messages applied. */
guint hearth_net_monitor_feed (HearthNetMonitor *monitor, const guint8 *buf, gsize len);

const HearthNetLink *hearth_net_monitor_get_link (HearthNetMonitor *monitor, guint index);
const HearthNetLink *hearth_net_monitor_find_link (HearthNetMonitor *monitor, const char *name);
/* The link carrying this address (family + bytes compared), or NULL. */
const HearthNetLink *hearth_net_monitor_find_address (HearthNetMonitor *monitor, int family, const void *bytes);
/* A link with an address whose prefix covers (family, bytes): the
 * address is on a directly attached network. NULL if none. */
const HearthNetLink *hearth_net_monitor_find_subnet (HearthNetMonitor *monitor, int family, const void *bytes);
/* All links, ordered by index (new array of borrowed pointers). */
GPtrArray *hearth_net_monitor_list_links (HearthNetMonitor *monitor);
void hearth_net_monitor_get_stats (HearthNetMonitor *monitor, HearthNetMonitorStats *out_stats);

/* Administratively up and with carrier (IFF_UP and IFF_RUNNING). */
gboolean hearth_net_link_is_usable (const HearthNetLink *link);
gboolean hearth_net_link_is_loopback (const HearthNetLink *link);
/* "up", "down", "lower-layer-down", "dormant", "testing", "not-present"
 * or "unknown" (RFC 2863 names, as ip-link(8) shows them, lower-cased). */
const char *hearth_net_link_operstate_text (const HearthNetLink *link);
/* Not tentative, not failed duplicate address detection: an address one
 * can bind to. */
gboolean hearth_net_address_is_usable (const HearthNetAddress *address);
/* "192.0.2.1/24", "fe80::1/64". */
char *hearth_net_address_to_string (const HearthNetAddress *address);
/* Whether other (family + bytes) lies within address's prefix. */
gboolean hearth_net_address_covers (const HearthNetAddress *address, int family, const void *bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthNetMonitor, hearth_net_monitor_free)

G_END_DECLS
