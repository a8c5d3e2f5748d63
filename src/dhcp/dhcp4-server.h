/* The DHCPv4 message handler: one request in, at most one reply out.
 *
 * hearth_dhcp4_server_handle() is pure: it is given the packet, where it
 * arrived (interface, its addresses) and the time, and it reads and
 * changes only the lease table and the server's own ranges, hosts and
 * offer reservations. It sends nothing and opens nothing, so unit tests
 * and the fuzzer drive it directly; dhcp-service.c puts it on sockets.
 *
 * It follows RFC 2131 and dnsmasq 2.90: DISCOVER/OFFER, REQUEST in the
 * SELECTING, INIT-REBOOT, RENEWING and REBINDING states, DECLINE (the
 * address is quarantined), RELEASE, INFORM, plain BOOTP, rapid commit,
 * relays (giaddr, option 82 echoed), host reservations, tags and the
 * option rules of --dhcp-option.
 *
 * What it does not do: ping an address before offering it (dhcp-service.c
 * does, and calls hearth_dhcp4_server_quarantine() when it answers),
 * DHCPv6. PXE answers (proxy DHCP, the boot menu, boot server
 * discovery on port 4011) are here; the TFTP that follows is not.
 */
#pragma once

#include "dhcp/dhcp-config.h"
#include "dhcp/dhcp-lease.h"
#include "dhcp/dhcp4-packet.h"

G_BEGIN_DECLS

typedef struct _HearthDhcp4Server HearthDhcp4Server;

/* How long an offered address stays set aside for the client it was
 * offered to, and how long a declined address is not handed out. */
#define HEARTH_DHCP4_OFFER_HOLD_SECONDS 30
#define HEARTH_DHCP4_DECLINE_HOLD_SECONDS 600
/* At most this many offers are held at once. */
#define HEARTH_DHCP4_HOLDS_MAX 4096

typedef struct {
  guint32 addr;         /* host order */
  guint8 prefix_len;
} HearthDhcp4Subnet;

/* Where and when a request arrived. */
typedef struct {
  guint ifindex;
  const char *ifname;             /* also a tag, as in dnsmasq */
  const HearthDhcp4Subnet *subnets; /* the interface's IPv4 addresses */
  guint n_subnets;
  guint mtu;                      /* 0 = unknown */
  guint32 src_addr;               /* the packet's source (host order) */
  guint16 src_port;
  gboolean unicast;               /* sent to one of our addresses, not broadcast */
  guint16 local_port;             /* the port it came in on: 0 = the server port, or
                                   * HEARTH_DHCP4_PXE_PORT */
  gint64 now;                     /* monotonic microseconds */
} HearthDhcp4Request;

/* PXE boot server discovery (PXE 2.1): the second port of a PXE server. */
#define HEARTH_DHCP4_PXE_PORT 4011

typedef struct {
  gsize len;                      /* 0: nothing to send */
  guint32 dst_addr;               /* host order; 0xffffffff = broadcast on ifindex */
  guint16 dst_port;
  guint16 src_port;               /* 0 = the server port, or HEARTH_DHCP4_PXE_PORT */
  guint32 src_addr;               /* our address to send from */
  guint ifindex;
  gboolean via_arp;               /* unicast to a client that has no address yet: needs an ARP entry */
  guint8 hwtype;                  /* for the ARP entry */
  guint8 hwlen;
  guint8 hwaddr[16];
  gboolean durable;               /* send only after the lease store is synced */
  guint delay_seconds;            /* --dhcp-reply-delay: hold it this long first */
  HearthDhcp4MessageType type;    /* what was sent, for logs and counters */
} HearthDhcp4Reply;

/* What the server needs from the rest of the daemon. */
typedef struct {
  /* The --domain for an address, or NULL (option 15 and FQDN replies). */
  const char *(*domain_for) (guint32 addr, gpointer user_data);
  gpointer user_data;
  gboolean dns_enabled;           /* default DNS server option = ourselves */
  gboolean tftp_enabled;          /* siaddr = ourselves when booting */
} HearthDhcp4ServerHooks;

typedef struct {
  guint64 received;
  guint64 malformed;
  guint64 ignored;
  guint64 by_type[9];             /* received per HearthDhcp4MessageType */
  guint64 offers;
  guint64 acks;
  guint64 naks;
  guint64 no_address;             /* no address available */
} HearthDhcp4ServerStats;

/* Takes copies of the configuration's ranges and hosts; keeps a pointer
 * to @config (options, flags) and to @leases, which must outlive it. */
HearthDhcp4Server *hearth_dhcp4_server_new (const HearthDhcpConfig *config, HearthDhcpLeaseTable *leases,
                                            const HearthDhcp4ServerHooks *hooks);
void hearth_dhcp4_server_free (HearthDhcp4Server *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcp4Server, hearth_dhcp4_server_free)

/* The pure entry point. Writes the reply into @out_buf (at least
 * HEARTH_DHCP4_PACKET_MAX bytes) and describes it in @out_reply
 * (len 0 = no reply). @msg is scratch space for the parsed request. */
void hearth_dhcp4_server_handle (HearthDhcp4Server *server, const guint8 *packet, gsize len,
                                 const HearthDhcp4Request *request, HearthDhcp4Message *msg,
                                 guint8 *out_buf, HearthDhcp4Reply *out_reply);

/* The options of a --dhcp-optsfile or --dhcp-optsdir file, used after
 * the configuration's own: replaces @owner's (the file's path), taking
 * @options (HearthDhcpOption*, owning); NULL or empty removes them. A
 * NULL @owner removes every file's options. */
void hearth_dhcp4_server_set_file_options (HearthDhcp4Server *server, const char *owner, GPtrArray *options);

/* Keep @addr out of use for @seconds (something else answers on it). */
void hearth_dhcp4_server_quarantine (HearthDhcp4Server *server, guint32 addr, guint seconds, gint64 now);

void hearth_dhcp4_server_get_stats (HearthDhcp4Server *server, HearthDhcp4ServerStats *out_stats);

/* ---- Live ranges and hosts (D-Bus, hosts files). ----
 * Ids are assigned here (the range's or host's id field is set). Changing
 * or removing a range never touches existing leases: they run until they
 * expire or are renewed (a renewal outside every range gets a NAK). */
guint hearth_dhcp4_server_add_range (HearthDhcp4Server *server, HearthDhcpRange *range);
gboolean hearth_dhcp4_server_replace_range (HearthDhcp4Server *server, guint id, HearthDhcpRange *range);
gboolean hearth_dhcp4_server_remove_range (HearthDhcp4Server *server, guint id);
const HearthDhcpRange *hearth_dhcp4_server_get_range (HearthDhcp4Server *server, guint id);
/* HearthDhcpRange*, borrowed, in order. */
GPtrArray *hearth_dhcp4_server_list_ranges (HearthDhcp4Server *server);
/* Addresses of the range currently leased. */
guint hearth_dhcp4_server_range_usage (HearthDhcp4Server *server, const HearthDhcpRange *range);

guint hearth_dhcp4_server_add_host (HearthDhcp4Server *server, HearthDhcpHost *host);
gboolean hearth_dhcp4_server_replace_host (HearthDhcp4Server *server, guint id, HearthDhcpHost *host);
gboolean hearth_dhcp4_server_remove_host (HearthDhcp4Server *server, guint id);
const HearthDhcpHost *hearth_dhcp4_server_get_host (HearthDhcp4Server *server, guint id);
GPtrArray *hearth_dhcp4_server_list_hosts (HearthDhcp4Server *server);
/* Drops every host whose owner is @owner (a re-read hosts file). Returns
 * the removed ids in *out_removed (may be NULL). */
void hearth_dhcp4_server_remove_hosts_by_owner (HearthDhcp4Server *server, const char *owner, GArray *out_removed);

/* The host reservation matching a client, or NULL (for tests and D-Bus). */
const HearthDhcpHost *hearth_dhcp4_server_find_host (HearthDhcp4Server *server, guint8 hwtype,
                                                     const guint8 *hwaddr, guint8 hwlen, const guint8 *client_id,
                                                     gsize client_id_len);

G_END_DECLS
