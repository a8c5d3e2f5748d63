/* The lease file (see dhcp-lease-store.h): dnsmasq's lease-file format,
 * read and written, kept crash-safe with a journal beside the file.
 *
 * The parser is pure and allocation-free: it walks the text line by line,
 * splits each line into blank-separated fields (pointers into the input,
 * never past its end) and checks every field by hand. It is as strict as
 * the format allows, because everything it delivers goes straight into
 * the lease table: addresses must be dotted quads without leading zeros,
 * hardware addresses at most 16 bytes, client ids 1 to 255 bytes, expiry
 * times non-negative decimal numbers. A bad host name loses only the name
 * (the lease is the part that matters); anything else bad loses the line.
 * What dnsmasq writes that is not ours to read (the DHCPv6 part, its
 * "duid" line, the "agent-info"/"vendorclass" trailers) is skipped without
 * a word.
 *
 * The store does no more than files: it keeps no copy of the leases (the
 * lease table is the one copy), does not decide when to flush or compact
 * (the server does, per batch of packets), and never rewrites PATH in
 * place. Pending journal lines live in one string until a flush writes
 * them in one write() and one fdatasync().
 *
 * That write and sync can also run on the store's own thread (submit and
 * collect): an fdatasync takes milliseconds on a busy disk, and done in
 * the main loop it would bound the server to one batch per sync. While
 * the thread writes one batch, the main loop goes on and the next batch
 * gathers behind it (group commit). The thread touches only the journal
 * descriptor and the batch it was handed; the main thread touches
 * neither until it has collected the result, which is why flush and
 * compact refuse to run while a batch is out.
 */
#include "config.h"

#include "dhcp/dhcp-lease-store.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* The most fields a line of ours has ("add" and five lease fields); one
 * more is kept so that "too many" can be told apart. */
#define FIELDS_MAX 7
/* Decimal digits of G_MAXINT64. */
#define EXPIRY_DIGITS_MAX 19
#define HOSTNAME_LEN_MAX 63
/* Journals larger than this are read in pieces of this size. */
#define READ_CHUNK 65536

typedef struct
{
  const char *s;
  gsize len;
} Field;

typedef enum
{
  LINE_RECORD,
  LINE_DELETE,
  LINE_SKIP,
  LINE_BAD,
} LineResult;

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
field_equals (const Field *field, const char *text)
{
  gsize len = strlen (text);

  return field->len == len && memcmp (field->s, text, len) == 0;
}

static gboolean
field_has_char (const Field *field, char c)
{
  return memchr (field->s, c, field->len) != NULL;
}

/* Splits line into fields; returns how many (at most FIELDS_MAX, which
 * means "at least that many"). */
static guint
split_fields (const char *line, gsize len, Field *fields)
{
  guint n = 0;
  gsize pos = 0;

  while (n < FIELDS_MAX)
    {
      gsize start;

      while (pos < len && is_blank (line[pos]))
        pos++;
      if (pos == len)
        break;
      start = pos;
      while (pos < len && !is_blank (line[pos]))
        pos++;
      fields[n].s = line + start;
      fields[n].len = pos - start;
      n++;
    }
  return n;
}

static gboolean
parse_expiry (const Field *field, gint64 *out)
{
  guint64 value = 0;

  if (field->len == 0 || field->len > EXPIRY_DIGITS_MAX)
    return FALSE;
  for (gsize i = 0; i < field->len; i++)
    {
      if (!g_ascii_isdigit (field->s[i]))
        return FALSE;
      /* 19 digits cannot overflow a guint64; only G_MAXINT64 is checked. */
      value = value * 10 + (guint64) (field->s[i] - '0');
    }
  if (value > G_MAXINT64)
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

/* "aa:b:0c", one or two hex digits per byte: at least one byte, at most
 * max. */
static gboolean
parse_hex_bytes (const char *s, gsize len, guint8 *out, gsize max, gsize *out_len)
{
  gsize pos = 0;
  gsize n = 0;

  if (len == 0)
    return FALSE;
  for (;;)
    {
      int hi, lo;

      if (n == max || pos == len)
        return FALSE;
      hi = hex_value (s[pos++]);
      if (hi < 0)
        return FALSE;
      if (pos < len && s[pos] != ':')
        {
          lo = hex_value (s[pos++]);
          if (lo < 0)
            return FALSE;
          out[n++] = (guint8) (hi << 4 | lo);
        }
      else
        out[n++] = (guint8) hi;
      if (pos == len)
        break;
      if (s[pos++] != ':')
        return FALSE;
    }
  *out_len = n;
  return TRUE;
}

/* "52:54:00:aa:bb:cc" (Ethernet), or "TT-..." with the hardware type in
 * two hex digits, where the bytes may be absent. */
static gboolean
parse_hwaddr (const Field *field, HearthDhcpLeaseRecord *record)
{
  const char *s = field->s;
  gsize len = field->len;
  gsize hwlen = 0;

  record->hwtype = 1;
  if (len >= 3 && s[2] == '-')
    {
      int hi = hex_value (s[0]);
      int lo = hex_value (s[1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      record->hwtype = (guint8) (hi << 4 | lo);
      s += 3;
      len -= 3;
      if (len == 0)
        {
          record->hwlen = 0;
          return TRUE;
        }
    }
  if (!parse_hex_bytes (s, len, record->hwaddr, HEARTH_DHCP_HWADDR_MAX, &hwlen))
    return FALSE;
  record->hwlen = (guint8) hwlen;
  return TRUE;
}

/* Dotted quad, decimal, no leading zeros (as inet_pton takes them). */
static gboolean
parse_ipv4 (const Field *field, guint32 *out)
{
  guint32 addr = 0;
  gsize pos = 0;

  for (guint part = 0; part < 4; part++)
    {
      guint value = 0;
      gsize digits = 0;

      if (part > 0)
        {
          if (pos == field->len || field->s[pos] != '.')
            return FALSE;
          pos++;
        }
      while (pos < field->len && g_ascii_isdigit (field->s[pos]))
        {
          if (digits == 3 || (digits == 1 && value == 0))
            return FALSE;
          value = value * 10 + (guint) (field->s[pos] - '0');
          digits++;
          pos++;
        }
      if (digits == 0 || value > 255)
        return FALSE;
      addr = addr << 8 | value;
    }
  if (pos != field->len)
    return FALSE;
  *out = addr;
  return TRUE;
}

/* The server's own rule for client names (hearth_dhcp_hostname_is_valid),
 * so every name it gives a lease survives the file. */
static gboolean
is_valid_hostname (const char *s, gsize len)
{
  char name[HOSTNAME_LEN_MAX + 1];

  if (len == 0 || len > HOSTNAME_LEN_MAX)
    return FALSE;
  memcpy (name, s, len);
  name[len] = '\0';
  return hearth_dhcp_hostname_is_valid (name);
}

/* The five fields of a lease line. */
static LineResult
parse_lease_fields (const Field *fields,
                    guint n_fields,
                    HearthDhcpLeaseRecord *record,
                    guint line,
                    HearthDhcpLeaseErrorFunc error_func,
                    gpointer user_data)
{
  gsize client_id_len = 0;

  /* The DHCPv6 half of a dnsmasq file: "<expiry> [T]<iaid> <ipv6> ...". */
  if (n_fields >= 3 && field_has_char (&fields[2], ':'))
    return LINE_SKIP;
  if (n_fields < 5)
    {
      if (error_func != NULL)
        error_func (line, "too few fields", user_data);
      return LINE_BAD;
    }
  if (n_fields > 5)
    {
      if (error_func != NULL)
        error_func (line, "too many fields", user_data);
      return LINE_BAD;
    }

  memset (record, 0, sizeof *record);
  if (!parse_expiry (&fields[0], &record->expires_wall))
    {
      if (error_func != NULL)
        error_func (line, "bad expiry time", user_data);
      return LINE_BAD;
    }
  if (!parse_hwaddr (&fields[1], record))
    {
      if (error_func != NULL)
        error_func (line, "bad hardware address", user_data);
      return LINE_BAD;
    }
  if (!parse_ipv4 (&fields[2], &record->addr))
    {
      if (error_func != NULL)
        error_func (line, "bad address", user_data);
      return LINE_BAD;
    }
  if (!field_equals (&fields[4], "*"))
    {
      if (!parse_hex_bytes (fields[4].s, fields[4].len, record->client_id,
                            HEARTH_DHCP_CLIENT_ID_MAX, &client_id_len))
        {
          if (error_func != NULL)
            error_func (line, "bad client id", user_data);
          return LINE_BAD;
        }
      record->client_id_len = (guint8) client_id_len;
    }
  /* Last, so that a line with other faults reports those instead. */
  if (!field_equals (&fields[3], "*"))
    {
      if (is_valid_hostname (fields[3].s, fields[3].len))
        memcpy (record->hostname, fields[3].s, fields[3].len);
      else if (error_func != NULL)
        error_func (line, "bad host name, dropped", user_data);
    }
  return LINE_RECORD;
}

static LineResult
parse_line (const char *text,
            gsize len,
            gboolean journal,
            HearthDhcpLeaseRecord *record,
            guint line,
            HearthDhcpLeaseErrorFunc error_func,
            gpointer user_data)
{
  Field fields[FIELDS_MAX];
  guint n_fields;

  if (memchr (text, '\0', len) != NULL)
    {
      if (error_func != NULL)
        error_func (line, "NUL byte in line", user_data);
      return LINE_BAD;
    }
  n_fields = split_fields (text, len, fields);
  if (n_fields == 0)
    return LINE_SKIP;

  if (!journal)
    {
      if (field_equals (&fields[0], "duid") || field_equals (&fields[0], "agent-info") ||
          field_equals (&fields[0], "vendorclass"))
        return LINE_SKIP;
      return parse_lease_fields (fields, n_fields, record, line, error_func, user_data);
    }

  if (field_equals (&fields[0], "add"))
    return parse_lease_fields (fields + 1, n_fields - 1, record, line, error_func, user_data);
  if (field_equals (&fields[0], "del"))
    {
      memset (record, 0, sizeof *record);
      if (n_fields != 2 || !parse_ipv4 (&fields[1], &record->addr))
        {
          if (error_func != NULL)
            error_func (line, n_fields == 2 ? "bad address" : "bad del entry", user_data);
          return LINE_BAD;
        }
      return LINE_DELETE;
    }
  if (error_func != NULL)
    error_func (line, "unknown journal entry", user_data);
  return LINE_BAD;
}

guint
hearth_dhcp_lease_file_parse (const char *data,
                              gsize len,
                              gboolean journal,
                              HearthDhcpLeaseRecordFunc func,
                              HearthDhcpLeaseErrorFunc error_func,
                              gpointer user_data)
{
  gsize pos = 0;
  guint line = 0;
  guint n_records = 0;

  g_return_val_if_fail (data != NULL || len == 0, 0);

  while (pos < len)
    {
      const char *start = data + pos;
      const char *newline = memchr (start, '\n', len - pos);
      gsize line_len;
      HearthDhcpLeaseRecord record;
      LineResult result;

      line++;
      if (newline == NULL)
        {
          /* A torn append: whatever it says is incomplete. Trailing blanks
           * are not worth a word. */
          for (gsize i = 0; i < len - pos; i++)
            if (!is_blank (start[i]))
              {
                if (error_func != NULL)
                  error_func (line, "cut short", user_data);
                break;
              }
          break;
        }
      line_len = (gsize) (newline - start);
      pos += line_len + 1;

      result = parse_line (start, line_len, journal, &record, line, error_func, user_data);
      switch (result)
        {
        case LINE_RECORD:
        case LINE_DELETE:
          if (func != NULL)
            func (&record, result == LINE_DELETE, user_data);
          n_records++;
          break;
        case LINE_SKIP:
        case LINE_BAD:
          break;
        }
    }
  return n_records;
}

/* A record is written so that it always reads back: a host name that is
 * not a valid label is written as none, a negative expiry (a lease that
 * ran out before the epoch, which only a broken clock makes) as 1, and
 * lengths are capped at the array sizes. */
void
hearth_dhcp_lease_record_format (const HearthDhcpLeaseRecord *record, GString *out)
{
  gsize hwlen, hostname_len;

  g_return_if_fail (record != NULL);
  g_return_if_fail (out != NULL);

  hwlen = MIN (record->hwlen, HEARTH_DHCP_HWADDR_MAX);
  hostname_len = strnlen (record->hostname, sizeof record->hostname);
  g_string_append_printf (out, "%" G_GINT64_FORMAT " ",
                          record->expires_wall < 0 ? 1 : record->expires_wall);
  if (record->hwtype != 1 || hwlen == 0)
    g_string_append_printf (out, "%02x-", record->hwtype);
  hearth_dhcp_append_hex (out, record->hwaddr, hwlen);
  g_string_append_printf (out, " %u.%u.%u.%u ", record->addr >> 24, (record->addr >> 16) & 0xff,
                          (record->addr >> 8) & 0xff, record->addr & 0xff);
  if (is_valid_hostname (record->hostname, hostname_len))
    g_string_append_len (out, record->hostname, (gssize) hostname_len);
  else
    g_string_append_c (out, '*');
  g_string_append_c (out, ' ');
  if (record->client_id_len == 0)
    g_string_append_c (out, '*');
  else
    hearth_dhcp_append_hex (out, record->client_id, record->client_id_len);
  g_string_append_c (out, '\n');
}

struct _HearthDhcpLeaseStore
{
  char *path;
  char *journal_path;
  char *tmp_path;
  int journal_fd;        /* -1 until loaded */
  gsize journal_size;    /* bytes of complete lines in the journal */
  gboolean journal_torn; /* a failed write may have left bytes after journal_size */
  GString *pending;      /* journal lines not yet written */
  guint n_pending;
  HearthDhcpLeaseStoreStats stats;

  /* The sync thread. busy and inflight belong to the main thread (the
   * thread only reads inflight while busy); the rest is under lock. */
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean busy;         /* a batch was submitted and not collected yet */
  GString *inflight;     /* that batch */
  guint n_inflight;
  gboolean job;          /* the batch waits for the thread */
  gboolean finished;     /* the thread is done with it */
  gboolean job_ok;
  int job_errno;
  const char *job_action;
  gboolean quit;
  int wake_fd;           /* eventfd: the thread finished a batch */
  guint wake_source;
  HearthDhcpLeaseStoreSyncFunc sync_func;
  gpointer sync_data;
};

HearthDhcpLeaseStore *
hearth_dhcp_lease_store_new (const char *path)
{
  HearthDhcpLeaseStore *store;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  store = g_new0 (HearthDhcpLeaseStore, 1);
  store->path = g_strdup (path);
  store->journal_path = g_strconcat (path, ".journal", NULL);
  store->tmp_path = g_strconcat (path, ".tmp", NULL);
  store->journal_fd = -1;
  store->pending = g_string_new (NULL);
  store->inflight = g_string_new (NULL);
  store->wake_fd = -1;
  g_mutex_init (&store->lock);
  g_cond_init (&store->cond);
  return store;
}

void
hearth_dhcp_lease_store_free (HearthDhcpLeaseStore *store)
{
  if (store == NULL)
    return;
  /* A batch still out is written to the end, then the thread stops. */
  if (store->thread != NULL)
    {
      g_mutex_lock (&store->lock);
      store->quit = TRUE;
      g_cond_broadcast (&store->cond);
      g_mutex_unlock (&store->lock);
      g_thread_join (store->thread);
    }
  if (store->wake_source != 0)
    g_source_remove (store->wake_source);
  if (store->wake_fd >= 0)
    close (store->wake_fd);
  g_mutex_clear (&store->lock);
  g_cond_clear (&store->cond);
  if (store->journal_fd >= 0)
    close (store->journal_fd);
  g_string_free (store->inflight, TRUE);
  g_string_free (store->pending, TRUE);
  g_free (store->path);
  g_free (store->journal_path);
  g_free (store->tmp_path);
  g_free (store);
}

const char *
hearth_dhcp_lease_store_get_path (HearthDhcpLeaseStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return store->path;
}

static gboolean
set_errno_error (
    GError **error, int saved_errno, const char *what, const char *path, const char *action)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s %s: %s: %s", what, path,
               action, g_strerror (saved_errno));
  return FALSE;
}

/* Reads a whole regular file; a missing one gives *out_data = NULL. */
static gboolean
read_file (const char *path, const char *what, GByteArray **out_data, GError **error)
{
  g_autoptr (GByteArray) data = NULL;
  struct stat st;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          *out_data = NULL;
          return TRUE;
        }
      return set_errno_error (error, errno, what, path, "open");
    }
  if (fstat (fd, &st) < 0)
    {
      int saved_errno = errno;

      close (fd);
      return set_errno_error (error, saved_errno, what, path, "stat");
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s %s: not a regular file",
                   what, path);
      return FALSE;
    }
  data = g_byte_array_sized_new (MIN ((gsize) st.st_size, (gsize) 16 * READ_CHUNK) + 1);
  for (;;)
    {
      gsize old_len = data->len;
      ssize_t n;

      g_byte_array_set_size (data, old_len + READ_CHUNK);
      n = read (fd, data->data + old_len, READ_CHUNK);
      if (n < 0 && errno == EINTR)
        {
          g_byte_array_set_size (data, old_len);
          continue;
        }
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          return set_errno_error (error, saved_errno, what, path, "read");
        }
      g_byte_array_set_size (data, old_len + (gsize) n);
      if (n == 0)
        break;
    }
  close (fd);
  *out_data = g_steal_pointer (&data);
  return TRUE;
}

typedef struct
{
  const char *path;
  HearthDhcpLeaseRecordFunc func;
  gpointer user_data;
} LoadContext;

static void
load_record_cb (const HearthDhcpLeaseRecord *record, gboolean deleted, gpointer user_data)
{
  LoadContext *ctx = user_data;

  if (ctx->func != NULL)
    ctx->func (record, deleted, ctx->user_data);
}

static void
load_error_cb (guint line, const char *message, gpointer user_data)
{
  LoadContext *ctx = user_data;

  /* A dropped host name keeps its lease: not "ignoring" the line. */
  g_warning ("%s:%u: %s%s", ctx->path, line, message,
             g_str_has_suffix (message, ", dropped") ? "" : ", ignoring");
}

gboolean
hearth_dhcp_lease_store_load (HearthDhcpLeaseStore *store,
                              HearthDhcpLeaseRecordFunc func,
                              gpointer user_data,
                              GError **error)
{
  g_autofree char *dir = NULL;
  g_autoptr (GByteArray) data = NULL;
  g_autoptr (GByteArray) journal = NULL;
  LoadContext ctx = { NULL, func, user_data };
  gsize complete = 0;
  guint64 n_lines = 0;
  struct stat st;
  int fd;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (store->path);
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return set_errno_error (error, errno, "lease file directory", dir, "create");

  if (!read_file (store->path, "lease file", &data, error))
    return FALSE;
  if (!read_file (store->journal_path, "lease journal", &journal, error))
    return FALSE;

  if (data != NULL)
    {
      ctx.path = store->path;
      hearth_dhcp_lease_file_parse ((const char *) data->data, data->len, FALSE, load_record_cb,
                                    load_error_cb, &ctx);
    }
  if (journal != NULL)
    {
      ctx.path = store->journal_path;
      hearth_dhcp_lease_file_parse ((const char *) journal->data, journal->len, TRUE,
                                    load_record_cb, load_error_cb, &ctx);
      for (gsize i = 0; i < journal->len; i++)
        if (journal->data[i] == '\n')
          {
            complete = i + 1;
            n_lines++;
          }
    }

  fd = open (store->journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    return set_errno_error (error, errno, "lease journal", store->journal_path, "open");
  /* Cut off a line torn by a crash (already reported by the parser), so
   * that the next append does not continue it. */
  if (fstat (fd, &st) < 0 ||
      ((gsize) st.st_size != complete && ftruncate (fd, (off_t) complete) < 0))
    {
      int saved_errno = errno;

      close (fd);
      return set_errno_error (error, saved_errno, "lease journal", store->journal_path, "truncate");
    }

  if (store->journal_fd >= 0)
    close (store->journal_fd);
  store->journal_fd = fd;
  store->journal_size = complete;
  store->journal_torn = FALSE;
  store->stats.journal_records = n_lines;
  return TRUE;
}

void
hearth_dhcp_lease_store_put (HearthDhcpLeaseStore *store, const HearthDhcpLeaseRecord *record)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (record != NULL);

  g_string_append (store->pending, "add ");
  hearth_dhcp_lease_record_format (record, store->pending);
  store->n_pending++;
}

void
hearth_dhcp_lease_store_delete (HearthDhcpLeaseStore *store, guint32 addr)
{
  g_return_if_fail (store != NULL);

  g_string_append_printf (store->pending, "del %u.%u.%u.%u\n", addr >> 24, (addr >> 16) & 0xff,
                          (addr >> 8) & 0xff, addr & 0xff);
  store->n_pending++;
}

gboolean
hearth_dhcp_lease_store_has_pending (HearthDhcpLeaseStore *store)
{
  g_return_val_if_fail (store != NULL, FALSE);
  return store->n_pending > 0;
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          errno = EIO;
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* Appends batch to the journal and syncs it. On failure the part of the
 * batch that reached the file is cut off again (or journal_torn set, to
 * be cut before the next write), so a retry never continues half a line;
 * FALSE then, with *out_errno and *out_action naming the step. */
static gboolean
journal_write (HearthDhcpLeaseStore *store, const GString *batch, int *out_errno, const char **out_action)
{
  /* Bytes of an earlier failed batch that could not be cut off then. */
  *out_action = "truncate";
  if (!store->journal_torn || ftruncate (store->journal_fd, (off_t) store->journal_size) == 0)
    {
      store->journal_torn = FALSE;
      *out_action = "write";
      if (write_all (store->journal_fd, batch->str, batch->len))
        {
          *out_action = "sync";
          if (fdatasync (store->journal_fd) == 0)
            return TRUE;
        }
    }
  *out_errno = errno;
  if (ftruncate (store->journal_fd, (off_t) store->journal_size) < 0)
    store->journal_torn = TRUE;
  return FALSE;
}

/* Book-keeping of a batch that is on disk. */
static void
journal_written (HearthDhcpLeaseStore *store, gsize len, guint n_records)
{
  store->journal_size += len;
  store->stats.journal_records += n_records;
  store->stats.journal_writes++;
}

static gboolean
journal_check_open (HearthDhcpLeaseStore *store, GError **error)
{
  if (store->journal_fd >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
               "lease journal %s: not open (lease file not loaded)", store->journal_path);
  return FALSE;
}

gboolean
hearth_dhcp_lease_store_flush (HearthDhcpLeaseStore *store, GError **error)
{
  const char *action = NULL;
  int saved_errno = 0;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (!store->busy, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (store->n_pending == 0)
    return TRUE;
  if (!journal_check_open (store, error))
    return FALSE;
  if (!journal_write (store, store->pending, &saved_errno, &action))
    {
      /* The batch stays pending as a whole. */
      store->stats.write_errors++;
      return set_errno_error (error, saved_errno, "lease journal", store->journal_path, action);
    }
  journal_written (store, store->pending->len, store->n_pending);
  g_string_truncate (store->pending, 0);
  store->n_pending = 0;
  return TRUE;
}

/* ---- the sync thread ---- */

static gpointer
sync_thread (gpointer user_data)
{
  HearthDhcpLeaseStore *store = user_data;

  g_mutex_lock (&store->lock);
  for (;;)
    {
      const char *action = NULL;
      int saved_errno = 0;
      gboolean ok;
      guint64 one = 1;

      while (!store->job && !store->quit)
        g_cond_wait (&store->cond, &store->lock);
      if (!store->job)
        break;
      g_mutex_unlock (&store->lock);
      ok = journal_write (store, store->inflight, &saved_errno, &action);
      g_mutex_lock (&store->lock);
      store->job = FALSE;
      store->job_ok = ok;
      store->job_errno = saved_errno;
      store->job_action = action;
      store->finished = TRUE;
      g_cond_broadcast (&store->cond);
      if (store->wake_fd >= 0 && write (store->wake_fd, &one, sizeof one) < 0)
        g_debug ("cannot wake the main loop: %s", g_strerror (errno));
    }
  g_mutex_unlock (&store->lock);
  return NULL;
}

static gboolean
wake_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthDhcpLeaseStore *store = user_data;
  guint64 count;

  if (read (fd, &count, sizeof count) < 0 && errno != EAGAIN)
    g_debug ("cannot read the sync thread's wake-up: %s", g_strerror (errno));
  if (store->sync_func != NULL && store->busy)
    store->sync_func (store, store->sync_data);
  return G_SOURCE_CONTINUE;
}

void
hearth_dhcp_lease_store_set_sync_func (HearthDhcpLeaseStore *store,
                                       HearthDhcpLeaseStoreSyncFunc func,
                                       gpointer user_data)
{
  g_return_if_fail (store != NULL);

  store->sync_func = func;
  store->sync_data = user_data;
}

gboolean
hearth_dhcp_lease_store_submit (HearthDhcpLeaseStore *store)
{
  GString *swap;

  g_return_val_if_fail (store != NULL, FALSE);

  if (store->busy || store->n_pending == 0 || store->journal_fd < 0)
    return FALSE;
  if (store->thread == NULL)
    {
      g_autoptr (GError) error = NULL;

      store->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (store->wake_fd < 0)
        return FALSE;
      store->thread = g_thread_try_new ("lease-sync", sync_thread, store, &error);
      if (store->thread == NULL)
        {
          g_debug ("no lease sync thread: %s", error->message);
          close (store->wake_fd);
          store->wake_fd = -1;
          return FALSE;
        }
      store->wake_source = g_unix_fd_add (store->wake_fd, G_IO_IN, wake_cb, store);
    }

  swap = store->inflight;
  store->inflight = store->pending;
  store->pending = swap;
  store->n_inflight = store->n_pending;
  store->n_pending = 0;
  store->busy = TRUE;

  g_mutex_lock (&store->lock);
  store->finished = FALSE;
  store->job = TRUE;
  g_cond_broadcast (&store->cond);
  g_mutex_unlock (&store->lock);
  return TRUE;
}

gboolean
hearth_dhcp_lease_store_is_busy (HearthDhcpLeaseStore *store)
{
  g_return_val_if_fail (store != NULL, FALSE);
  return store->busy;
}

HearthDhcpLeaseStoreSync
hearth_dhcp_lease_store_collect (HearthDhcpLeaseStore *store, gboolean wait, GError **error)
{
  gboolean finished, ok;
  const char *action;
  int saved_errno;

  g_return_val_if_fail (store != NULL, HEARTH_DHCP_LEASE_STORE_IDLE);
  g_return_val_if_fail (error == NULL || *error == NULL, HEARTH_DHCP_LEASE_STORE_IDLE);

  if (!store->busy)
    return HEARTH_DHCP_LEASE_STORE_IDLE;
  g_mutex_lock (&store->lock);
  while (wait && !store->finished)
    g_cond_wait (&store->cond, &store->lock);
  finished = store->finished;
  ok = store->job_ok;
  saved_errno = store->job_errno;
  action = store->job_action;
  store->finished = FALSE;
  g_mutex_unlock (&store->lock);
  if (!finished)
    return HEARTH_DHCP_LEASE_STORE_RUNNING;

  store->busy = FALSE;
  if (ok)
    journal_written (store, store->inflight->len, store->n_inflight);
  else
    {
      /* Back in front of the changes made since, in order. */
      store->stats.write_errors++;
      g_string_prepend_len (store->pending, store->inflight->str, (gssize) store->inflight->len);
      store->n_pending += store->n_inflight;
      set_errno_error (error, saved_errno, "lease journal", store->journal_path, action);
    }
  g_string_truncate (store->inflight, 0);
  store->n_inflight = 0;
  return ok ? HEARTH_DHCP_LEASE_STORE_SYNCED : HEARTH_DHCP_LEASE_STORE_FAILED;
}

gboolean
hearth_dhcp_lease_store_should_compact (HearthDhcpLeaseStore *store, guint n_leases)
{
  g_return_val_if_fail (store != NULL, FALSE);
  return store->stats.journal_records > MAX ((guint64) 1024, (guint64) 2 * n_leases);
}

static gboolean
sync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;
  int r;

  if (fd < 0)
    return FALSE;
  r = fsync (fd);
  saved_errno = errno;
  close (fd);
  errno = saved_errno;
  return r == 0;
}

/* Writes text to PATH.tmp and syncs it; FALSE with errno set and
 * *out_action naming the step that failed. A PATH.tmp that could not be
 * opened is not ours (it may be anything, even a directory) and is left
 * alone; one that was opened is removed on failure. */
static gboolean
write_tmp_file (HearthDhcpLeaseStore *store, const GString *text, const char **out_action)
{
  int saved_errno;
  int fd;

  *out_action = "open";
  fd = open (store->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    return FALSE;

  *out_action = "write";
  if (write_all (fd, text->str, text->len))
    {
      *out_action = "sync";
      if (fsync (fd) == 0)
        {
          *out_action = "close";
          if (close (fd) == 0)
            return TRUE;
          fd = -1;
        }
    }
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  unlink (store->tmp_path);
  errno = saved_errno;
  return FALSE;
}

/* Until the rename, a failure leaves PATH and the journal as they were.
 * After it, PATH holds every lease and the journal still holds changes
 * that are already in it; replaying them gives the same table, so a
 * failure from there on is reported but loses nothing. */
gboolean
hearth_dhcp_lease_store_compact (HearthDhcpLeaseStore *store,
                                 const HearthDhcpLeaseRecord *records,
                                 guint n_records,
                                 GError **error)
{
  g_autoptr (GString) text = NULL;
  const char *action = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (records != NULL || n_records == 0, FALSE);
  g_return_val_if_fail (!store->busy, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hearth_dhcp_lease_store_flush (store, error))
    return FALSE;
  if (!journal_check_open (store, error))
    return FALSE;

  text = g_string_sized_new ((gsize) n_records * 64 + 1);
  for (guint i = 0; i < n_records; i++)
    hearth_dhcp_lease_record_format (&records[i], text);

  if (!write_tmp_file (store, text, &action))
    {
      store->stats.write_errors++;
      return set_errno_error (error, errno, "lease file", store->tmp_path, action);
    }
  if (rename (store->tmp_path, store->path) < 0)
    {
      int saved_errno = errno;

      unlink (store->tmp_path);
      store->stats.write_errors++;
      return set_errno_error (error, saved_errno, "lease file", store->path, "rename");
    }
  if (!sync_directory (store->path))
    {
      store->stats.write_errors++;
      return set_errno_error (error, errno, "lease file", store->path, "sync directory");
    }
  if (ftruncate (store->journal_fd, 0) < 0)
    {
      store->stats.write_errors++;
      return set_errno_error (error, errno, "lease journal", store->journal_path, "truncate");
    }
  store->journal_size = 0;
  store->journal_torn = FALSE;
  store->stats.journal_records = 0;
  store->stats.compactions++;
  if (fsync (store->journal_fd) < 0)
    {
      store->stats.write_errors++;
      return set_errno_error (error, errno, "lease journal", store->journal_path, "sync");
    }
  return TRUE;
}

void
hearth_dhcp_lease_store_get_stats (HearthDhcpLeaseStore *store,
                                   HearthDhcpLeaseStoreStats *out_stats)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (out_stats != NULL);

  *out_stats = store->stats;
  out_stats->pending = store->n_pending + store->n_inflight;
}
