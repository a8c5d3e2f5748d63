/* Leases in memory: the lease table.
 *
 * Each lease is reachable in O(1) by address, by hardware address and by
 * client identifier (hash tables), and in expiry order (a sorted
 * sequence), so nothing walks the whole table per packet however many
 * leases there are. Expiry is kept on the monotonic clock; the wall-clock
 * expiry is derived only for the lease file and for people.
 *
 * The table knows nothing about ranges, sockets or files. Whoever owns it
 * learns about every change through one callback (added, changed,
 * removed) and turns that into lease-file records, DNS names, D-Bus
 * objects and script runs.
 */
#pragma once

#include "dhcp/dhcp-config.h"

#include <glib.h>

G_BEGIN_DECLS

#define HEARTH_DHCP_CLIENT_ID_MAX 255
#define HEARTH_DHCP_LEASE_NEVER G_MAXINT64 /* expiry of an infinite lease */

/* A lease as it is stored on disk and read back: what the dnsmasq lease
 * file holds. */
typedef struct {
  gint64 expires_wall;        /* epoch seconds; 0 = infinite */
  guint8 hwtype;
  guint8 hwlen;
  guint8 hwaddr[HEARTH_DHCP_HWADDR_MAX];
  guint32 addr;               /* host order */
  char hostname[64];          /* "" = none */
  guint8 client_id_len;
  guint8 client_id[HEARTH_DHCP_CLIENT_ID_MAX];
} HearthDhcpLeaseRecord;

typedef struct {
  guint id;                   /* unique for the table's lifetime, for D-Bus paths */
  guint32 addr;               /* host order */
  guint8 hwtype;
  guint8 hwlen;
  guint8 hwaddr[HEARTH_DHCP_HWADDR_MAX];
  GBytes *client_id;          /* NULL when the client sent none (or --dhcp-ignore-clid) */
  char *hostname;             /* valid label or NULL */
  char *supplied_hostname;    /* what the client asked for, for the script; NULL */
  gint64 expires;             /* monotonic microseconds, HEARTH_DHCP_LEASE_NEVER = infinite */
  guint32 length;             /* lease time granted, seconds (HEARTH_DHCP_LEASE_INFINITE) */
  guint ifindex;              /* where the client was served, 0 = unknown */
  guint range_id;             /* 0 = none (static host outside a range, D-Bus) */
  GBytes *agent_info;         /* option 82 as the relay sent it, or NULL */
  GBytes *vendor_class;       /* option 60, or NULL */
  gpointer name_data;         /* the owner's: e.g. the DNS name handle */
  /* private */
  gpointer expiry_iter;
} HearthDhcpLease;

typedef struct _HearthDhcpLeaseTable HearthDhcpLeaseTable;

typedef enum {
  HEARTH_DHCP_LEASE_ADDED,
  HEARTH_DHCP_LEASE_CHANGED,  /* renewed, or host name / client id changed */
  HEARTH_DHCP_LEASE_REMOVED,  /* the lease is freed right after the call */
} HearthDhcpLeaseEvent;

const char *hearth_dhcp_lease_event_to_string (HearthDhcpLeaseEvent event);

typedef enum {
  HEARTH_DHCP_LEASE_REASON_CLIENT,  /* a DHCP exchange */
  HEARTH_DHCP_LEASE_REASON_EXPIRED,
  HEARTH_DHCP_LEASE_REASON_RELEASED,/* RELEASE or DECLINE from the client */
  HEARTH_DHCP_LEASE_REASON_ADMIN,   /* D-Bus, or a configuration change */
  HEARTH_DHCP_LEASE_REASON_LOADED,  /* read from the lease file at start */
} HearthDhcpLeaseReason;

typedef void (*HearthDhcpLeaseFunc) (HearthDhcpLeaseTable *table, HearthDhcpLeaseEvent event,
                                     HearthDhcpLease *lease, HearthDhcpLeaseReason reason, gpointer user_data);

HearthDhcpLeaseTable *hearth_dhcp_lease_table_new (void);
void hearth_dhcp_lease_table_free (HearthDhcpLeaseTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpLeaseTable, hearth_dhcp_lease_table_free)

void hearth_dhcp_lease_table_set_func (HearthDhcpLeaseTable *table, HearthDhcpLeaseFunc func, gpointer user_data);

/* The first address in [from, to] no lease holds, in a few word
 * operations per 4096 addresses however the leases cluster; FALSE when
 * every one is leased. */
gboolean hearth_dhcp_lease_table_next_free (HearthDhcpLeaseTable *table, guint32 from, guint32 to,
                                            guint32 *out_addr);
HearthDhcpLease *hearth_dhcp_lease_table_lookup_addr (HearthDhcpLeaseTable *table, guint32 addr);
HearthDhcpLease *hearth_dhcp_lease_table_lookup_hwaddr (HearthDhcpLeaseTable *table, guint8 hwtype,
                                                        const guint8 *hwaddr, guint8 hwlen);
HearthDhcpLease *hearth_dhcp_lease_table_lookup_client_id (HearthDhcpLeaseTable *table, const guint8 *id,
                                                           gsize len);
HearthDhcpLease *hearth_dhcp_lease_table_lookup_id (HearthDhcpLeaseTable *table, guint id);
/* The lease with this host name (case-insensitive), or NULL. */
HearthDhcpLease *hearth_dhcp_lease_table_lookup_hostname (HearthDhcpLeaseTable *table, const char *hostname);

/* A new lease on @addr (which must be free) for the given client. The
 * caller then fills the other fields with the setters and calls
 * hearth_dhcp_lease_table_commit(). */
HearthDhcpLease *hearth_dhcp_lease_table_add (HearthDhcpLeaseTable *table, guint32 addr, guint8 hwtype,
                                              const guint8 *hwaddr, guint8 hwlen, GBytes *client_id);
void hearth_dhcp_lease_set_client (HearthDhcpLeaseTable *table, HearthDhcpLease *lease, guint8 hwtype,
                                   const guint8 *hwaddr, guint8 hwlen, GBytes *client_id);
/* NULL clears; the name must already be valid. */
void hearth_dhcp_lease_set_hostname (HearthDhcpLeaseTable *table, HearthDhcpLease *lease, const char *hostname);
void hearth_dhcp_lease_set_expiry (HearthDhcpLeaseTable *table, HearthDhcpLease *lease, gint64 now,
                                   guint32 length);
/* Reports ADDED (first commit) or CHANGED to the callback. */
void hearth_dhcp_lease_table_commit (HearthDhcpLeaseTable *table, HearthDhcpLease *lease,
                                     HearthDhcpLeaseReason reason);
/* Reports REMOVED and frees the lease. */
void hearth_dhcp_lease_table_remove (HearthDhcpLeaseTable *table, HearthDhcpLease *lease,
                                     HearthDhcpLeaseReason reason);

/* Removes every lease that expired at @now (monotonic). Returns how many. */
guint hearth_dhcp_lease_table_expire (HearthDhcpLeaseTable *table, gint64 now);
/* The next expiry (monotonic), or HEARTH_DHCP_LEASE_NEVER. */
gint64 hearth_dhcp_lease_table_next_expiry (HearthDhcpLeaseTable *table);

guint hearth_dhcp_lease_table_size (HearthDhcpLeaseTable *table);
/* All leases, in address order (a new array of borrowed pointers). */
GPtrArray *hearth_dhcp_lease_table_list (HearthDhcpLeaseTable *table);

/* Wall-clock and monotonic conversions: expires_wall = now_wall + (expires - now_mono). */
void hearth_dhcp_lease_to_record (const HearthDhcpLease *lease, gint64 now_mono, gint64 now_wall,
                                  HearthDhcpLeaseRecord *out_record);

/* "52:54:00:aa:bb:cc", or "06-..." with a type prefix for non-Ethernet (as
 * dnsmasq writes them); buf of at least 3 * 17 + 4 bytes. */
#define HEARTH_DHCP_HWADDR_STRING_MAX 56
void hearth_dhcp_format_hwaddr (guint8 hwtype, const guint8 *hwaddr, guint8 hwlen, char *buf, gsize size);

/* Bytes as lower-case hex pairs joined by ':' ("01:52:54:00"), appended to
 * @out: how the lease file, the script and D-Bus spell client ids. */
void hearth_dhcp_append_hex (GString *out, const guint8 *bytes, gsize len);

G_END_DECLS
