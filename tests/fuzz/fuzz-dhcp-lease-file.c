/* Fuzz target for the lease-file parser (src/dhcp/dhcp-lease-store.c).
 *
 * The input is parsed twice, as a lease file and as a journal, without a
 * terminator, since the parser takes a length and must neither read past
 * it nor stop at a NUL. The property checked is the one the store lives
 * by: every record the parser delivers, written out again by
 * hearth_dhcp_lease_record_format(), is one complete line that parses
 * back, without a complaint, to the same record (and, wrapped in "add ",
 * reads back from a journal the same way; a "del" likewise). A record
 * that did not survive the round trip would be a lease lost at the next
 * compaction. Error messages must be printable text, line numbers must
 * count up from 1, the return value must count the records.
 */
#include "config.h"

#include "dhcp/dhcp-lease-store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  guint n_records;
  guint last_line;
} State;

typedef struct
{
  HearthDhcpLeaseRecord record;
  gboolean deleted;
  guint n_records;
  guint n_errors;
} Reparse;

static void
reparse_record_cb (const HearthDhcpLeaseRecord *record, gboolean deleted, gpointer user_data)
{
  Reparse *reparse = user_data;

  reparse->record = *record;
  reparse->deleted = deleted;
  reparse->n_records++;
}

static void
reparse_error_cb (guint line, const char *message, gpointer user_data)
{
  Reparse *reparse = user_data;

  reparse->n_errors++;
}

static gboolean
records_equal (const HearthDhcpLeaseRecord *a, const HearthDhcpLeaseRecord *b)
{
  return a->expires_wall == b->expires_wall && a->hwtype == b->hwtype && a->hwlen == b->hwlen &&
         memcmp (a->hwaddr, b->hwaddr, a->hwlen) == 0 && a->addr == b->addr &&
         strcmp (a->hostname, b->hostname) == 0 && a->client_id_len == b->client_id_len &&
         memcmp (a->client_id, b->client_id, a->client_id_len) == 0;
}

/* Parses text (an exact-size copy) and aborts unless it is exactly one
 * record, without errors, equal to want. */
static void
check_reparse (const GString *text,
               gboolean journal,
               const HearthDhcpLeaseRecord *want,
               gboolean deleted)
{
  char *copy = g_memdup2 (text->str, text->len);
  Reparse reparse;

  memset (&reparse, 0, sizeof reparse);
  hearth_dhcp_lease_file_parse (copy, text->len, journal, reparse_record_cb, reparse_error_cb,
                                &reparse);
  g_free (copy);
  if (reparse.n_records != 1 || reparse.n_errors != 0 || reparse.deleted != deleted)
    abort ();
  if (deleted ? reparse.record.addr != want->addr : !records_equal (&reparse.record, want))
    abort ();
}

static void
record_cb (const HearthDhcpLeaseRecord *record, gboolean deleted, gpointer user_data)
{
  State *state = user_data;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GString) journal_line = g_string_new (NULL);

  state->n_records++;
  if (deleted)
    {
      g_string_printf (journal_line, "del %u.%u.%u.%u\n", record->addr >> 24,
                       (record->addr >> 16) & 0xff, (record->addr >> 8) & 0xff,
                       record->addr & 0xff);
      check_reparse (journal_line, TRUE, record, TRUE);
      return;
    }

  /* What the parser promises about a record. */
  if (record->hwlen > HEARTH_DHCP_HWADDR_MAX || record->expires_wall < 0 ||
      strnlen (record->hostname, sizeof record->hostname) == sizeof record->hostname)
    abort ();

  hearth_dhcp_lease_record_format (record, line);
  /* One line, its newline last. */
  if (line->len == 0 || memchr (line->str, '\n', line->len) != line->str + line->len - 1)
    abort ();
  check_reparse (line, FALSE, record, FALSE);
  g_string_append (journal_line, "add ");
  g_string_append_len (journal_line, line->str, (gssize) line->len);
  check_reparse (journal_line, TRUE, record, FALSE);
}

static void
error_cb (guint line, const char *message, gpointer user_data)
{
  State *state = user_data;

  if (line < 1 || line < state->last_line)
    abort ();
  state->last_line = line;
  /* Messages are logged: printable text, no raw input bytes. */
  for (const char *p = message; *p != '\0'; p++)
    if (*p < 0x20 || *p >= 0x7f)
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Longer inputs only repeat lines. */
  if (size > 65536)
    return 0;
  for (int journal = 0; journal <= 1; journal++)
    {
      State state = { 0, 0 };
      guint n;

      n = hearth_dhcp_lease_file_parse ((const char *) data, size, journal, record_cb, error_cb,
                                        &state);
      if (n != state.n_records)
        abort ();
      if (hearth_dhcp_lease_file_parse ((const char *) data, size, journal, NULL, NULL, NULL) != n)
        abort ();
    }
  return 0;
}
