/* The lease file: crash-safe persistence of the lease table in dnsmasq's
 * lease-file format.
 *
 * The file itself (PATH) is always a complete dnsmasq-format lease file,
 * replaced only by writing PATH.tmp, fsyncing it and renaming it over
 * PATH (then fsyncing the directory). Between two such compactions,
 * changes go to an append-only journal beside it (PATH.journal), one line
 * per change ("add <lease line>" or "del <address>"); the journal is
 * written and fdatasync()ed once per batch, and the server sends an ACK
 * only after the batch holding its lease is on disk. Loading reads PATH,
 * then replays the journal; a damaged or cut-short line is reported and
 * skipped, everything valid is kept.
 *
 * When the disk is full or failing, pending changes stay in memory and
 * are retried; PATH is never truncated or replaced by a partial file.
 *
 * The pure parser (hearth_dhcp_lease_file_parse) is what the loader, the
 * --leasefile-ro "init" output reader, the unit tests and the fuzzer use.
 */
#pragma once

#include "dhcp/dhcp-lease.h"

#include <glib.h>

G_BEGIN_DECLS

/* One valid lease line (deleted = FALSE), or a journal "del" (deleted =
 * TRUE, only record->addr meaningful). */
typedef void (*HearthDhcpLeaseRecordFunc) (const HearthDhcpLeaseRecord *record, gboolean deleted,
                                           gpointer user_data);
/* A line that could not be read: @line is 1-based, @message says why. */
typedef void (*HearthDhcpLeaseErrorFunc) (guint line, const char *message, gpointer user_data);

/* Parses lease-file text (dnsmasq format; with @journal, the journal's
 * "add"/"del" lines). IPv6 lines, the "duid" line and "agent-info"/
 * "vendorclass" trailers are skipped without error. A last line without
 * its newline is reported as cut short and skipped. A host name that is
 * not a valid label is reported ("bad host name, dropped") and the lease
 * delivered without it; any other fault loses the line. Records are
 * zero-filled beyond what the line sets. Returns the number of records
 * delivered. Pure; never reads past @len; @data need not be
 * NUL-terminated. */
guint hearth_dhcp_lease_file_parse (const char *data, gsize len, gboolean journal, HearthDhcpLeaseRecordFunc func,
                                    HearthDhcpLeaseErrorFunc error_func, gpointer user_data);

/* One record as a dnsmasq lease line, newline included, appended to @out.
 * What would not read back is not written: a host name that is not a
 * valid label is written as "*", a negative expiry as 1. */
void hearth_dhcp_lease_record_format (const HearthDhcpLeaseRecord *record, GString *out);

typedef struct _HearthDhcpLeaseStore HearthDhcpLeaseStore;

typedef struct {
  guint64 journal_writes;   /* batches written and synced */
  guint64 journal_records;  /* lines in the journal now */
  guint64 compactions;
  guint64 write_errors;     /* failed writes or syncs (disk full, I/O) */
  guint pending;            /* changes waiting to be written (or being written) */
} HearthDhcpLeaseStoreStats;

/* Nothing is opened until load. Changes still queued at free are lost:
 * flush first. */
HearthDhcpLeaseStore *hearth_dhcp_lease_store_new (const char *path);
void hearth_dhcp_lease_store_free (HearthDhcpLeaseStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpLeaseStore, hearth_dhcp_lease_store_free)

const char *hearth_dhcp_lease_store_get_path (HearthDhcpLeaseStore *store);

/* Creates the file's directory if missing, reads PATH and the journal,
 * delivering records in order (a later record for an address replaces an
 * earlier one; "del" removes it). Damaged lines are logged as
 * "PATH:LINE: ..., ignoring". A missing file is not an error; an
 * unreadable one (or one that is not a regular file) is. Opens the
 * journal for appending afterwards, cutting off a line torn by a crash
 * so that the next append starts a line of its own. */
gboolean hearth_dhcp_lease_store_load (HearthDhcpLeaseStore *store, HearthDhcpLeaseRecordFunc func,
                                       gpointer user_data, GError **error);

/* Queue a change for the next flush. */
void hearth_dhcp_lease_store_put (HearthDhcpLeaseStore *store, const HearthDhcpLeaseRecord *record);
void hearth_dhcp_lease_store_delete (HearthDhcpLeaseStore *store, guint32 addr);
gboolean hearth_dhcp_lease_store_has_pending (HearthDhcpLeaseStore *store);

/* Appends the queued changes to the journal in one write and syncs it.
 * FALSE (changes kept queued, to retry) when writing or syncing failed;
 * the journal is then cut back to where it was, so a retry never
 * continues half a line. TRUE at once when nothing is queued. */
/* Writes and syncs the pending changes here and now; not while a batch
 * is submitted. */
gboolean hearth_dhcp_lease_store_flush (HearthDhcpLeaseStore *store, GError **error);

/* The same on the store's own thread, one batch at a time: submit hands
 * the pending changes over (FALSE when a batch is out already, nothing is
 * pending, the file is not loaded or no thread could be started; flush
 * then), changes made after it gather for the next batch, and the sync
 * func is called in the main loop of the submitting thread when the batch
 * is done; collect takes the result (waiting for it with wait = TRUE).
 * A failed batch goes back in front of the pending changes. */
typedef enum {
  HEARTH_DHCP_LEASE_STORE_IDLE,    /* nothing submitted */
  HEARTH_DHCP_LEASE_STORE_RUNNING, /* not done yet (wait = FALSE) */
  HEARTH_DHCP_LEASE_STORE_SYNCED,  /* the batch is on disk */
  HEARTH_DHCP_LEASE_STORE_FAILED,  /* it is not; error set, the batch pending again */
} HearthDhcpLeaseStoreSync;

typedef void (*HearthDhcpLeaseStoreSyncFunc) (HearthDhcpLeaseStore *store, gpointer user_data);

void hearth_dhcp_lease_store_set_sync_func (HearthDhcpLeaseStore *store, HearthDhcpLeaseStoreSyncFunc func,
                                            gpointer user_data);
gboolean hearth_dhcp_lease_store_submit (HearthDhcpLeaseStore *store);
gboolean hearth_dhcp_lease_store_is_busy (HearthDhcpLeaseStore *store);
HearthDhcpLeaseStoreSync hearth_dhcp_lease_store_collect (HearthDhcpLeaseStore *store, gboolean wait,
                                                          GError **error);

/* Whether the journal has grown enough (compared with @n_leases) that a
 * compaction is due. */
gboolean hearth_dhcp_lease_store_should_compact (HearthDhcpLeaseStore *store, guint n_leases);

/* Writes @records as the new PATH (tmp + fsync + rename + directory
 * fsync) and empties the journal. Queued changes are flushed first (not
 * while a batch is submitted: collect it first). On
 * failure before the rename, PATH and the journal are left as they were
 * (and PATH.tmp removed); a failure after it (syncing the directory,
 * emptying the journal) still leaves files that load to the same leases. */
gboolean hearth_dhcp_lease_store_compact (HearthDhcpLeaseStore *store, const HearthDhcpLeaseRecord *records,
                                          guint n_records, GError **error);

void hearth_dhcp_lease_store_get_stats (HearthDhcpLeaseStore *store, HearthDhcpLeaseStoreStats *out_stats);

G_END_DECLS
