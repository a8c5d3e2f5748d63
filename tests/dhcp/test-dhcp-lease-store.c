/* Unit tests for the lease file (src/dhcp/dhcp-lease-store.c).
 *
 * The parser tests feed text to hearth_dhcp_lease_file_parse() and compare
 * what the callbacks saw, written out one record or error per line, with
 * what the text says. The store tests work on files in a fresh temporary
 * directory: they write, reload, compact, and break things on purpose (a
 * torn journal line, a PATH.tmp that cannot be opened, a journal that
 * cannot grow) and check that nothing valid is lost and PATH is never
 * damaged.
 */
#include "config.h"

#include "dhcp/dhcp-lease-store.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  GString *records; /* one line per record, see describe_record() */
  GString *errors;  /* "line: message\n" per error */
  GArray *array;    /* the records themselves */
  guint n_records;
} Seen;

static void
describe_record (const HearthDhcpLeaseRecord *r, gboolean deleted, GString *out)
{
  if (deleted)
    {
      g_string_append_printf (out, "del %u.%u.%u.%u\n", r->addr >> 24, (r->addr >> 16) & 0xff,
                              (r->addr >> 8) & 0xff, r->addr & 0xff);
      return;
    }
  g_string_append_printf (out, "%" G_GINT64_FORMAT " type=%u hw=", r->expires_wall, r->hwtype);
  for (guint i = 0; i < r->hwlen; i++)
    g_string_append_printf (out, "%02X", r->hwaddr[i]);
  g_string_append_printf (out, " %u.%u.%u.%u host=%s cid=", r->addr >> 24, (r->addr >> 16) & 0xff,
                          (r->addr >> 8) & 0xff, r->addr & 0xff, r->hostname);
  for (guint i = 0; i < r->client_id_len; i++)
    g_string_append_printf (out, "%02X", r->client_id[i]);
  g_string_append_c (out, '\n');
}

static void
seen_record_cb (const HearthDhcpLeaseRecord *record, gboolean deleted, gpointer user_data)
{
  Seen *seen = user_data;

  describe_record (record, deleted, seen->records);
  g_array_append_vals (seen->array, record, 1);
  seen->n_records++;
}

static void
seen_error_cb (guint line, const char *message, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_nonnull (message);
  g_string_append_printf (seen->errors, "%u: %s\n", line, message);
}

static void
seen_init (Seen *seen)
{
  seen->records = g_string_new (NULL);
  seen->errors = g_string_new (NULL);
  seen->array = g_array_new (FALSE, TRUE, sizeof (HearthDhcpLeaseRecord));
  seen->n_records = 0;
}

static void
seen_clear (Seen *seen)
{
  g_string_free (seen->records, TRUE);
  g_string_free (seen->errors, TRUE);
  g_array_unref (seen->array);
}

/* Parses text (as an exact-size heap copy without terminator, so the
 * sanitizers see any read past the end) and checks records and errors. */
static void
check_parse (const char *text, gboolean journal, const char *want_records, const char *want_errors)
{
  gsize len = strlen (text);
  g_autofree char *copy = g_memdup2 (text, len);
  Seen seen;
  guint n;

  seen_init (&seen);
  n = hearth_dhcp_lease_file_parse (copy, len, journal, seen_record_cb, seen_error_cb, &seen);
  g_assert_cmpstr (seen.records->str, ==, want_records);
  g_assert_cmpstr (seen.errors->str, ==, want_errors);
  g_assert_cmpuint (n, ==, seen.n_records);
  /* Without callbacks: the same count. */
  g_assert_cmpuint (hearth_dhcp_lease_file_parse (copy, len, journal, NULL, NULL, NULL), ==, n);
  seen_clear (&seen);
}

static void
test_parse_valid (void)
{
  check_parse ("1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\n"
               "0 06-aa:bb 10.0.0.1 * *\n"
               "\n"
               "  \t\n"
               "17\t00-\t10.0.0.2  Host-2\t*\r\n"
               "9223372036854775807 01-0:1:2:3:4:5:6:7:8:9:a:b:c:d:e:F 255.255.255.255 x ff\n"
               "5 ff-01 0.0.0.0 a-b 0\n",
               FALSE,
               "1718000000 type=1 hw=525400AABBCC 192.168.122.50 host=vm1 cid=01525400AABBCC\n"
               "0 type=6 hw=AABB 10.0.0.1 host= cid=\n"
               "17 type=0 hw= 10.0.0.2 host=Host-2 cid=\n"
               "9223372036854775807 type=1 hw=000102030405060708090A0B0C0D0E0F 255.255.255.255 "
               "host=x cid=FF\n"
               "5 type=255 hw=01 0.0.0.0 host=a-b cid=00\n",
               "");
  /* Nothing at all, and only blank lines. */
  check_parse ("", FALSE, "", "");
  check_parse ("\n\n \n", FALSE, "", "");
}

static void
test_parse_skipped (void)
{
  /* A dnsmasq file with its DHCPv6 half and trailers: only the IPv4 lines
   * count, and nothing is reported. */
  check_parse ("1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\n"
               "duid 00:01:00:01:2c:5e:1a:2b:52:54:00:12:34:56\n"
               "1718003600 12345 2001:db8::50 vm1 00:04:aa:bb\n"
               "1718003600 T77 fd00::7 * *\n"
               "agent-info 192.168.122.50 01:04:65:74:68:30\n"
               "vendorclass 192.168.122.50 4d:53:46:54\n"
               "1718000001 52:54:00:aa:bb:cd 192.168.122.51 * *\n",
               FALSE,
               "1718000000 type=1 hw=525400AABBCC 192.168.122.50 host=vm1 cid=01525400AABBCC\n"
               "1718000001 type=1 hw=525400AABBCD 192.168.122.51 host= cid=\n",
               "");
}

static void
test_parse_malformed (void)
{
  static const struct
  {
    const char *line;
    const char *message;
  } cases[] = {
    { "1 52:54:00:aa:bb:cc 10.0.0.5 x", "too few fields" },
    { "1", "too few fields" },
    { "1 52:54:00:aa:bb:cc 10.0.0.5 x * extra", "too many fields" },
    { "-1 52:54:00:aa:bb:cc 10.0.0.5 x *", "bad expiry time" },
    { "1x 52:54:00:aa:bb:cc 10.0.0.5 x *", "bad expiry time" },
    { "9223372036854775808 52:54:00:aa:bb:cc 10.0.0.5 x *", "bad expiry time" },
    { "99999999999999999999 52:54:00:aa:bb:cc 10.0.0.5 x *", "bad expiry time" },
    { "1 52:54:00:aa:bb:cg 10.0.0.5 x *", "bad hardware address" },
    { "1 52:54::aa:bb:cc 10.0.0.5 x *", "bad hardware address" },
    { "1 52:54:00:aa:bb:cc: 10.0.0.5 x *", "bad hardware address" },
    { "1 525:4 10.0.0.5 x *", "bad hardware address" },
    { "1 0:1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:10 10.0.0.5 x *", "bad hardware address" },
    { "1 g6-aa 10.0.0.5 x *", "bad hardware address" },
    { "1 * 10.0.0.5 x *", "bad hardware address" },
    { "1 aa 10.0.0.256 x *", "bad address" },
    { "1 aa 10.0.0 x *", "bad address" },
    { "1 aa 10.0.0.05 x *", "bad address" },
    { "1 aa 10.0.0.5. x *", "bad address" },
    { "1 aa 10..0.5 x *", "bad address" },
    { "1 aa 1000.0.0.5 x *", "bad address" },
    { "1 aa host.example x *", "bad address" },
    { "1 aa 10.0.0.5 x 01:", "bad client id" },
    { "1 aa 10.0.0.5 x 01:zz", "bad client id" },
    { "1 aa 10.0.0.5 x -", "bad client id" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("7 aa 10.0.0.1 a *\n"
                                               "\n"
                                               "%s\n"
                                               "8 bb 10.0.0.2 b *\n",
                                               cases[i].line);
      g_autofree char *want_error = g_strdup_printf ("3: %s\n", cases[i].message);

      g_test_message ("line: %s", cases[i].line);
      check_parse (text, FALSE,
                   "7 type=1 hw=AA 10.0.0.1 host=a cid=\n8 type=1 hw=BB 10.0.0.2 host=b cid=\n",
                   want_error);
    }

  /* A NUL byte inside the data (strlen would stop at it). */
  {
    static const char text[] = "7 aa 10.0.0.1 a *\n1 aa 10.0.0.5 x\0 *\n8 bb 10.0.0.2 b *\n";
    Seen seen;

    seen_init (&seen);
    hearth_dhcp_lease_file_parse (text, sizeof text - 1, FALSE, seen_record_cb, seen_error_cb,
                                  &seen);
    g_assert_cmpstr (seen.errors->str, ==, "2: NUL byte in line\n");
    g_assert_cmpuint (seen.n_records, ==, 2);
    seen_clear (&seen);
  }

  /* A bad host name costs the name only. Names the server gives (its
   * hearth_dhcp_hostname_is_valid: '_' and a trailing '-' allowed, as in
   * dnsmasq) are kept, so a restart never loses them. */
  check_parse ("1 aa 10.0.0.5 -x *\n"
               "2 aa 10.0.0.6 x- 01\n"
               "3 aa 10.0.0.7 a.b *\n"
               "4 aa 10.0.0.8 a_b *\n"
               "5 aa 10.0.0.9 a234567890123456789012345678901234567890123456789012345678901234 *\n"
               "6 aa 10.0.0.10 a23456789012345678901234567890123456789012345678901234567890123 *\n",
               FALSE,
               "1 type=1 hw=AA 10.0.0.5 host= cid=\n"
               "2 type=1 hw=AA 10.0.0.6 host=x- cid=01\n"
               "3 type=1 hw=AA 10.0.0.7 host= cid=\n"
               "4 type=1 hw=AA 10.0.0.8 host=a_b cid=\n"
               "5 type=1 hw=AA 10.0.0.9 host= cid=\n"
               "6 type=1 hw=AA 10.0.0.10 "
               "host=a23456789012345678901234567890123456789012345678901234567890123 cid=\n",
               "1: bad host name, dropped\n"
               "3: bad host name, dropped\n"
               "5: bad host name, dropped\n");

  /* A 255-byte client id is the most; 256 bytes is too many. */
  {
    g_autoptr (GString) cid = g_string_new (NULL);
    g_autofree char *text = NULL;
    Seen seen;

    for (guint i = 0; i < 255; i++)
      g_string_append_printf (cid, "%s%02x", i > 0 ? ":" : "", i);
    text = g_strdup_printf ("1 aa 10.0.0.5 x %s\n2 aa 10.0.0.6 x %s:ff\n", cid->str, cid->str);
    seen_init (&seen);
    hearth_dhcp_lease_file_parse (text, strlen (text), FALSE, seen_record_cb, seen_error_cb, &seen);
    g_assert_cmpuint (seen.n_records, ==, 1);
    g_assert_cmpuint (g_array_index (seen.array, HearthDhcpLeaseRecord, 0).client_id_len, ==, 255);
    g_assert_cmpuint (g_array_index (seen.array, HearthDhcpLeaseRecord, 0).client_id[254], ==, 254);
    g_assert_cmpstr (seen.errors->str, ==, "2: bad client id\n");
    seen_clear (&seen);
  }
}

static void
test_parse_cut_short (void)
{
  /* A complete-looking last line without its newline is still torn. */
  check_parse ("1 aa 10.0.0.5 x *\n2 bb 10.0.0.6 y *", FALSE,
               "1 type=1 hw=AA 10.0.0.5 host=x cid=\n", "2: cut short\n");
  check_parse ("add 1 aa 10.0.0.5 x *\nadd 2 bb 10.0", TRUE,
               "1 type=1 hw=AA 10.0.0.5 host=x cid=\n", "2: cut short\n");
  check_parse ("x", FALSE, "", "1: cut short\n");
  /* Trailing blanks are no torn line. */
  check_parse ("1 aa 10.0.0.5 x *\n  \t", FALSE, "1 type=1 hw=AA 10.0.0.5 host=x cid=\n", "");
}

static void
test_parse_journal (void)
{
  check_parse ("add 1 aa 10.0.0.5 x *\n"
               "del 10.0.0.5\n"
               "\n"
               "add 0 06-aa:bb 10.0.0.6 * 01:02\n"
               "1 aa 10.0.0.7 x *\n"
               "del 10.0.0.5 10.0.0.6\n"
               "del\n"
               "del 10.0.0\n"
               "add 1 aa 10.0.0.5 x\n"
               "ADD 1 aa 10.0.0.5 x *\n"
               "duid 00:01\n"
               "add 1 zz 10.0.0.5 x *\n"
               "add 3 cc 10.0.0.8 y *\n",
               TRUE,
               "1 type=1 hw=AA 10.0.0.5 host=x cid=\n"
               "del 10.0.0.5\n"
               "0 type=6 hw=AABB 10.0.0.6 host= cid=0102\n"
               "3 type=1 hw=CC 10.0.0.8 host=y cid=\n",
               "5: unknown journal entry\n"
               "6: bad del entry\n"
               "7: bad del entry\n"
               "8: bad address\n"
               "9: too few fields\n"
               "10: unknown journal entry\n"
               "11: unknown journal entry\n"
               "12: bad hardware address\n");
  /* Journal lines are not lease-file lines. */
  check_parse ("add 1 aa 10.0.0.5 x *\ndel 10.0.0.5\n", FALSE, "",
               "1: too many fields\n2: too few fields\n");
}

static void
assert_records_equal (const HearthDhcpLeaseRecord *a, const HearthDhcpLeaseRecord *b)
{
  g_assert_cmpint (a->expires_wall, ==, b->expires_wall);
  g_assert_cmpuint (a->hwtype, ==, b->hwtype);
  g_assert_cmpmem (a->hwaddr, a->hwlen, b->hwaddr, b->hwlen);
  g_assert_cmpuint (a->addr, ==, b->addr);
  g_assert_cmpstr (a->hostname, ==, b->hostname);
  g_assert_cmpmem (a->client_id, a->client_id_len, b->client_id, b->client_id_len);
}

static HearthDhcpLeaseRecord
make_record (gint64 expires,
             guint8 hwtype,
             const char *hwaddr_hex,
             guint32 addr,
             const char *hostname,
             const char *client_id_hex)
{
  HearthDhcpLeaseRecord r;
  gsize len = 0;

  memset (&r, 0, sizeof r);
  r.expires_wall = expires;
  r.hwtype = hwtype;
  if (hwaddr_hex != NULL)
    {
      for (const char *p = hwaddr_hex; p[0] != '\0' && p[1] != '\0'; p += 2)
        r.hwaddr[len++] = (guint8) g_ascii_strtoull ((char[]){ p[0], p[1], 0 }, NULL, 16);
    }
  r.hwlen = (guint8) len;
  r.addr = addr;
  g_strlcpy (r.hostname, hostname, sizeof r.hostname);
  len = 0;
  for (const char *p = client_id_hex; p[0] != '\0' && p[1] != '\0'; p += 2)
    r.client_id[len++] = (guint8) g_ascii_strtoull ((char[]){ p[0], p[1], 0 }, NULL, 16);
  r.client_id_len = (guint8) len;
  return r;
}

static void
test_format_round_trip (void)
{
  HearthDhcpLeaseRecord records[6];
  g_autoptr (GString) text = g_string_new (NULL);
  Seen seen;

  records[0] = make_record (1718000000, 1, "525400aabbcc", 0xc0a87a32, "vm1", "01525400aabbcc");
  records[1] = make_record (0, 6, "aabb", 0x0a000001, "", "");
  records[2] = make_record (17, 0, NULL, 0x0a000002, "Host-2", "");
  records[3] =
      make_record (G_MAXINT64, 1, "000102030405060708090a0b0c0d0e0f", 0xffffffff, "x", "ff");
  records[4] = make_record (5, 1, NULL, 0, "a", "00");
  records[5] = make_record (6, 32, "0102030405060708090a0b0c0d0e0f10", 0x7f000001, "", "");
  for (guint i = 0; i < 255; i++)
    records[5].client_id[i] = (guint8) (255 - i);
  records[5].client_id_len = 255;

  for (guint i = 0; i < 5; i++)
    hearth_dhcp_lease_record_format (&records[i], text);
  g_assert_cmpstr (
      text->str, ==,
      "1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\n"
      "0 06-aa:bb 10.0.0.1 * *\n"
      "17 00- 10.0.0.2 Host-2 *\n"
      "9223372036854775807 00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f 255.255.255.255 x ff\n"
      "5 01- 0.0.0.0 a 00\n");
  hearth_dhcp_lease_record_format (&records[5], text);

  seen_init (&seen);
  g_assert_cmpuint (hearth_dhcp_lease_file_parse (text->str, text->len, FALSE, seen_record_cb,
                                                  seen_error_cb, &seen),
                    ==, G_N_ELEMENTS (records));
  g_assert_cmpstr (seen.errors->str, ==, "");
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    assert_records_equal (&g_array_index (seen.array, HearthDhcpLeaseRecord, i), &records[i]);
  seen_clear (&seen);

  /* What could not be read back is not written: a name that is no label,
   * a negative expiry. */
  {
    HearthDhcpLeaseRecord r = make_record (-5, 1, "aa", 0x0a000001, "a b", "");

    g_string_truncate (text, 0);
    hearth_dhcp_lease_record_format (&r, text);
    g_assert_cmpstr (text->str, ==, "1 aa 10.0.0.1 * *\n");
  }
}

/* Store tests. */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_assert_no_errno (unlink (child));
        }
      g_dir_close (dir);
      g_assert_no_errno (rmdir (path));
    }
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("hearth-lease-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* A subdirectory that does not exist yet: load creates it. */
  f->path = g_build_filename (f->dir, "lib", "hearth", "leases", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static char *
read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_text (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* Loads a new store on path; returns it, the records seen in Seen. */
static HearthDhcpLeaseStore *
load_store (const char *path, Seen *seen)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpLeaseStore *store = hearth_dhcp_lease_store_new (path);

  g_assert_cmpstr (hearth_dhcp_lease_store_get_path (store), ==, path);
  seen_init (seen);
  g_assert_true (hearth_dhcp_lease_store_load (store, seen_record_cb, seen, &error));
  g_assert_no_error (error);
  return store;
}

static void
test_store_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  HearthDhcpLeaseStoreStats stats;
  Seen seen;

  store = load_store (f->path, &seen);
  g_assert_cmpuint (seen.n_records, ==, 0);
  seen_clear (&seen);
  g_assert_true (g_file_test (journal, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_false (hearth_dhcp_lease_store_has_pending (store));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_records, ==, 0);
  g_assert_cmpuint (stats.pending, ==, 0);
  /* Nothing queued: a flush writes nothing and succeeds. */
  g_assert_true (hearth_dhcp_lease_store_flush (store, NULL));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_writes, ==, 0);
}

static void
test_store_unreadable (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;

  /* PATH is a directory: unreadable, and said so. (Permissions would
   * not stop root.) */
  g_assert_no_errno (g_mkdir_with_parents (f->path, 0755));
  store = hearth_dhcp_lease_store_new (f->path);
  g_assert_false (hearth_dhcp_lease_store_load (store, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_cmpint (rmdir (f->path), ==, 0);
  g_clear_error (&error);

  /* Flushing a store that was never loaded fails and keeps the change. */
  {
    HearthDhcpLeaseRecord r = make_record (1, 1, "aa", 0x0a000001, "", "");

    hearth_dhcp_lease_store_put (store, &r);
    g_assert_false (hearth_dhcp_lease_store_flush (store, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
    g_assert_true (hearth_dhcp_lease_store_has_pending (store));
  }
}

static void
test_store_put_flush_reload (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord a =
      make_record (1718000000, 1, "525400aabbcc", 0x0a000005, "vm1", "01525400aabbcc");
  HearthDhcpLeaseRecord b = make_record (0, 6, "aabb", 0x0a000006, "", "");
  HearthDhcpLeaseStoreStats stats;
  Seen seen;

  store = load_store (f->path, &seen);
  seen_clear (&seen);

  hearth_dhcp_lease_store_put (store, &a);
  hearth_dhcp_lease_store_put (store, &b);
  g_assert_true (hearth_dhcp_lease_store_has_pending (store));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.pending, ==, 2);
  /* Nothing is written before the flush. */
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_false (hearth_dhcp_lease_store_has_pending (store));
  hearth_dhcp_lease_store_delete (store, 0x0a000005);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);

  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_writes, ==, 2);
  g_assert_cmpuint (stats.journal_records, ==, 3);
  g_assert_cmpuint (stats.pending, ==, 0);
  g_assert_cmpuint (stats.write_errors, ==, 0);

  text = read_text (journal);
  g_assert_cmpstr (text, ==,
                   "add 1718000000 52:54:00:aa:bb:cc 10.0.0.5 vm1 01:52:54:00:aa:bb:cc\n"
                   "add 0 06-aa:bb 10.0.0.6 * *\n"
                   "del 10.0.0.5\n");
  g_clear_pointer (&store, hearth_dhcp_lease_store_free);

  /* A new store sees the changes in order. */
  store = load_store (f->path, &seen);
  g_assert_cmpuint (seen.n_records, ==, 3);
  g_assert_cmpstr (seen.records->str, ==,
                   "1718000000 type=1 hw=525400AABBCC 10.0.0.5 host=vm1 cid=01525400AABBCC\n"
                   "0 type=6 hw=AABB 10.0.0.6 host= cid=\n"
                   "del 10.0.0.5\n");
  assert_records_equal (&g_array_index (seen.array, HearthDhcpLeaseRecord, 0), &a);
  assert_records_equal (&g_array_index (seen.array, HearthDhcpLeaseRecord, 1), &b);
  seen_clear (&seen);
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_records, ==, 3);

  /* And it appends after what is there. */
  hearth_dhcp_lease_store_delete (store, 0x0a000006);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = read_text (journal);
  g_assert_true (g_str_has_suffix (text, "del 10.0.0.5\ndel 10.0.0.6\n"));
}

static void
test_store_compact (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *tmp = g_strconcat (f->path, ".tmp", NULL);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord records[3];
  HearthDhcpLeaseStoreStats stats;
  Seen seen;

  records[0] = make_record (1718000000, 1, "525400aabbcc", 0xc0a87a32, "vm1", "01525400aabbcc");
  records[1] = make_record (0, 6, "aabb", 0xc0a87a33, "", "");
  records[2] = make_record (1718000100, 1, "525400aabbcd", 0xc0a87a34, "", "ff00");

  store = load_store (f->path, &seen);
  seen_clear (&seen);
  hearth_dhcp_lease_store_put (store, &records[0]);
  hearth_dhcp_lease_store_put (store, &records[1]);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  hearth_dhcp_lease_store_delete (store, 0xc0a87a40);
  /* Still pending: the compaction flushes it first. */
  hearth_dhcp_lease_store_put (store, &records[2]);

  g_assert_true (hearth_dhcp_lease_store_compact (store, records, G_N_ELEMENTS (records), &error));
  g_assert_no_error (error);
  g_assert_false (hearth_dhcp_lease_store_has_pending (store));

  text = read_text (f->path);
  g_assert_cmpstr (text, ==,
                   "1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\n"
                   "0 06-aa:bb 192.168.122.51 * *\n"
                   "1718000100 52:54:00:aa:bb:cd 192.168.122.52 * ff:00\n");
  g_clear_pointer (&text, g_free);
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "");
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));

  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.compactions, ==, 1);
  g_assert_cmpuint (stats.journal_records, ==, 0);
  g_assert_cmpuint (stats.journal_writes, ==, 2);
  g_assert_cmpuint (stats.write_errors, ==, 0);

  /* New changes go to the emptied journal, and a reload sees the file
   * then the journal. */
  hearth_dhcp_lease_store_delete (store, 0xc0a87a33);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_clear_pointer (&store, hearth_dhcp_lease_store_free);
  g_clear_pointer (&text, g_free);
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "del 192.168.122.51\n");

  store = load_store (f->path, &seen);
  g_assert_cmpuint (seen.n_records, ==, 4);
  for (guint i = 0; i < 3; i++)
    assert_records_equal (&g_array_index (seen.array, HearthDhcpLeaseRecord, i), &records[i]);
  g_assert_true (g_str_has_suffix (seen.records->str, "del 192.168.122.51\n"));
  seen_clear (&seen);

  /* Compacting to nothing leaves an empty file. */
  g_assert_true (hearth_dhcp_lease_store_compact (store, NULL, 0, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = read_text (f->path);
  g_assert_cmpstr (text, ==, "");
}

static void
test_store_should_compact (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  Seen seen;

  store = load_store (f->path, &seen);
  seen_clear (&seen);
  for (guint i = 0; i < 1024; i++)
    hearth_dhcp_lease_store_delete (store, 0x0a000000 + i);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  /* 1024 lines: not more than the floor of 1024. */
  g_assert_false (hearth_dhcp_lease_store_should_compact (store, 0));
  hearth_dhcp_lease_store_delete (store, 0x0a0000ff);
  /* Pending changes do not count until written. */
  g_assert_false (hearth_dhcp_lease_store_should_compact (store, 0));
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_true (hearth_dhcp_lease_store_should_compact (store, 0));
  g_assert_true (hearth_dhcp_lease_store_should_compact (store, 512));
  g_assert_false (hearth_dhcp_lease_store_should_compact (store, 513));
  g_assert_false (hearth_dhcp_lease_store_should_compact (store, G_MAXUINT));
  g_assert_true (hearth_dhcp_lease_store_compact (store, NULL, 0, &error));
  g_assert_false (hearth_dhcp_lease_store_should_compact (store, 0));
}

static void
test_store_torn_journal (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *parent = g_path_get_dirname (f->path);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord r = make_record (5, 1, "cc", 0x0a000009, "z", "");
  HearthDhcpLeaseStoreStats stats;
  Seen seen;

  /* What a crash in the middle of an append leaves. */
  g_assert_no_errno (g_mkdir_with_parents (parent, 0755));
  write_text (f->path, "1 aa 10.0.0.5 x *\n2 bb 10.0.0.6 y *\n");
  write_text (journal, "del 10.0.0.5\nadd 3 bb 10.0.0.6 yy *\nadd 4 cc 10.0.0.7 w 01:0");

  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING,
                         "*leases.journal:3: cut short, ignoring");
  store = load_store (f->path, &seen);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (seen.records->str, ==,
                   "1 type=1 hw=AA 10.0.0.5 host=x cid=\n"
                   "2 type=1 hw=BB 10.0.0.6 host=y cid=\n"
                   "del 10.0.0.5\n"
                   "3 type=1 hw=BB 10.0.0.6 host=yy cid=\n");
  seen_clear (&seen);
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_records, ==, 2);

  /* The torn line is gone, so the next append starts a line of its own. */
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "del 10.0.0.5\nadd 3 bb 10.0.0.6 yy *\n");
  hearth_dhcp_lease_store_put (store, &r);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, hearth_dhcp_lease_store_free);

  /* A reload is clean (an unexpected warning would abort the test). */
  store = load_store (f->path, &seen);
  g_assert_cmpuint (seen.n_records, ==, 5);
  g_assert_true (g_str_has_suffix (seen.records->str, "5 type=1 hw=CC 10.0.0.9 host=z cid=\n"));
  seen_clear (&seen);
}

static void
test_store_damaged_file (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autofree char *parent = g_path_get_dirname (f->path);
  Seen seen;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0755));
  write_text (f->path, "1 aa 10.0.0.5 x *\n1 aa 10.0.0.256 x *\n2 bb 10.0.0.6 -y *\n");
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*/leases:2: bad address, ignoring");
  /* The lease stays, so its line is not "ignored". */
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*/leases:3: bad host name, dropped");
  store = load_store (f->path, &seen);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (seen.records->str, ==,
                   "1 type=1 hw=AA 10.0.0.5 host=x cid=\n2 type=1 hw=BB 10.0.0.6 host= cid=\n");
  seen_clear (&seen);
}

/* Files written from now on stop growing at @bytes (EFBIG, as a full
 * disk would stop them); SIGXFSZ is ignored meanwhile, as hearthd does. */
typedef struct {
  struct rlimit old_limit;
  void (*old_handler) (int);
} FileSizeLimit;

static void
limit_file_size (FileSizeLimit *saved, rlim_t bytes)
{
  struct rlimit limit;

  g_assert_no_errno (getrlimit (RLIMIT_FSIZE, &saved->old_limit));
  limit = saved->old_limit;
  limit.rlim_cur = bytes;
  saved->old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_no_errno (setrlimit (RLIMIT_FSIZE, &limit));
}

static void
unlimit_file_size (const FileSizeLimit *saved)
{
  g_assert_no_errno (setrlimit (RLIMIT_FSIZE, &saved->old_limit));
  signal (SIGXFSZ, saved->old_handler);
}

static void
test_store_compact_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *tmp = g_strconcat (f->path, ".tmp", NULL);
  g_autofree char *parent = g_path_get_dirname (f->path);
  g_autofree char *text = NULL;
  static const char old_file[] = "1 aa 10.0.0.5 x *\n2 bb 10.0.0.6 y *\n";
  HearthDhcpLeaseRecord r = make_record (5, 1, "cc", 0x0a000009, "z", "");
  HearthDhcpLeaseStoreStats stats;
  Seen seen;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0755));
  write_text (f->path, old_file);
  store = load_store (f->path, &seen);
  seen_clear (&seen);
  hearth_dhcp_lease_store_put (store, &r);

  /* PATH.tmp cannot be opened for writing. */
  g_assert_no_errno (mkdir (tmp, 0755));
  g_assert_false (hearth_dhcp_lease_store_compact (store, &r, 1, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, tmp));
  g_clear_error (&error);

  text = read_text (f->path);
  g_assert_cmpstr (text, ==, old_file);
  g_clear_pointer (&text, g_free);
  /* The pending change was flushed before the attempt and stays there. */
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "add 5 cc 10.0.0.9 z *\n");
  g_assert_true (g_file_test (tmp, G_FILE_TEST_IS_DIR));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.compactions, ==, 0);
  g_assert_cmpuint (stats.write_errors, ==, 1);
  g_assert_cmpuint (stats.journal_records, ==, 1);

  /* PATH.tmp can be opened but not written in full: it is removed again,
   * PATH stays as it was. */
  g_assert_no_errno (rmdir (tmp));
  {
    FileSizeLimit saved;
    HearthDhcpLeaseRecord many[8];
    gboolean ok;

    for (guint i = 0; i < G_N_ELEMENTS (many); i++)
      many[i] = make_record (1718000000, 1, "525400aabbcc", 0x0a000010 + i,
                             "somewhat-long-host-name", "");
    limit_file_size (&saved, 100);
    ok = hearth_dhcp_lease_store_compact (store, many, G_N_ELEMENTS (many), &error);
    unlimit_file_size (&saved);
    g_assert_false (ok);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
    g_clear_pointer (&text, g_free);
    text = read_text (f->path);
    g_assert_cmpstr (text, ==, old_file);
    g_clear_pointer (&text, g_free);
    text = read_text (journal);
    g_assert_cmpstr (text, ==, "add 5 cc 10.0.0.9 z *\n");
    hearth_dhcp_lease_store_get_stats (store, &stats);
    g_assert_cmpuint (stats.write_errors, ==, 2);
  }

  /* Once PATH.tmp is writable again, it works. */
  g_assert_true (hearth_dhcp_lease_store_compact (store, &r, 1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = read_text (f->path);
  g_assert_cmpstr (text, ==, "5 cc 10.0.0.9 z *\n");
}

static void
test_store_flush_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord a = make_record (5, 1, "cc", 0x0a000009, "z", "");
  HearthDhcpLeaseRecord b = make_record (6, 1, "dd", 0x0a00000a, "w", "0102030405060708090a");
  HearthDhcpLeaseStoreStats stats;
  FileSizeLimit saved;
  const char *first_line = "add 5 cc 10.0.0.9 z *\n";
  Seen seen;

  store = load_store (f->path, &seen);
  seen_clear (&seen);
  hearth_dhcp_lease_store_put (store, &a);
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));

  /* The journal may grow by 10 more bytes only: the next batch is cut in
   * the middle of its first line (EFBIG, as a full disk would cut it). */
  hearth_dhcp_lease_store_put (store, &b);
  hearth_dhcp_lease_store_delete (store, 0x0a000009);
  limit_file_size (&saved, strlen (first_line) + 10);
  g_assert_false (hearth_dhcp_lease_store_flush (store, &error));
  unlimit_file_size (&saved);

  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, journal));
  g_clear_error (&error);
  g_assert_true (hearth_dhcp_lease_store_has_pending (store));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.write_errors, ==, 1);
  g_assert_cmpuint (stats.pending, ==, 2);
  g_assert_cmpuint (stats.journal_writes, ==, 1);
  g_assert_cmpuint (stats.journal_records, ==, 1);
  /* The half-written batch was cut off again. */
  text = read_text (journal);
  g_assert_cmpstr (text, ==, first_line);

  /* A compaction cannot happen while the batch cannot be written. */
  limit_file_size (&saved, strlen (first_line));
  g_assert_false (hearth_dhcp_lease_store_compact (store, &b, 1, &error));
  unlimit_file_size (&saved);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  /* With room again, the retry writes the whole batch once. */
  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_false (hearth_dhcp_lease_store_has_pending (store));
  g_clear_pointer (&text, g_free);
  text = read_text (journal);
  g_assert_cmpstr (text, ==,
                   "add 5 cc 10.0.0.9 z *\n"
                   "add 6 dd 10.0.0.10 w 01:02:03:04:05:06:07:08:09:0a\n"
                   "del 10.0.0.9\n");
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.write_errors, ==, 2);
  g_assert_cmpuint (stats.journal_records, ==, 3);
  g_assert_cmpuint (stats.journal_writes, ==, 2);
}

/* ---- the sync thread ---- */

typedef struct {
  guint calls;
  GMainLoop *loop;
} SyncCalls;

static void
sync_cb (HearthDhcpLeaseStore *store, gpointer user_data)
{
  SyncCalls *c = user_data;

  c->calls++;
  g_main_loop_quit (c->loop);
}

static gboolean
sync_timeout_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the sync func was called (at most 10 s). */
static void
wait_sync_call (SyncCalls *c, guint want)
{
  guint timeout = g_timeout_add_seconds (10, sync_timeout_cb, NULL);

  while (c->calls < want)
    g_main_loop_run (c->loop);
  g_source_remove (timeout);
}

static void
test_store_async (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord a = make_record (5, 1, "cc", 0x0a000009, "z", "");
  HearthDhcpLeaseRecord b = make_record (6, 1, "dd", 0x0a00000a, "w", "");
  HearthDhcpLeaseStoreStats stats;
  SyncCalls calls = { 0, loop };
  Seen seen;

  store = load_store (f->path, &seen);
  seen_clear (&seen);
  hearth_dhcp_lease_store_set_sync_func (store, sync_cb, &calls);

  /* Nothing to hand over. */
  g_assert_false (hearth_dhcp_lease_store_submit (store));
  g_assert_cmpint (hearth_dhcp_lease_store_collect (store, FALSE, &error), ==, HEARTH_DHCP_LEASE_STORE_IDLE);

  hearth_dhcp_lease_store_put (store, &a);
  g_assert_true (hearth_dhcp_lease_store_submit (store));
  g_assert_true (hearth_dhcp_lease_store_is_busy (store));
  g_assert_false (hearth_dhcp_lease_store_has_pending (store));
  /* One batch at a time; what comes meanwhile waits for the next. */
  hearth_dhcp_lease_store_put (store, &b);
  g_assert_true (hearth_dhcp_lease_store_has_pending (store));
  g_assert_false (hearth_dhcp_lease_store_submit (store));
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.pending, ==, 2);

  /* The sync func runs in the main loop once the batch is on disk. */
  wait_sync_call (&calls, 1);
  g_assert_true (hearth_dhcp_lease_store_is_busy (store));
  g_assert_cmpint (hearth_dhcp_lease_store_collect (store, FALSE, &error), ==, HEARTH_DHCP_LEASE_STORE_SYNCED);
  g_assert_no_error (error);
  g_assert_false (hearth_dhcp_lease_store_is_busy (store));
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "add 5 cc 10.0.0.9 z *\n");
  g_clear_pointer (&text, g_free);

  /* The second batch, collected by waiting. */
  hearth_dhcp_lease_store_delete (store, 0x0a000009);
  g_assert_true (hearth_dhcp_lease_store_submit (store));
  g_assert_cmpint (hearth_dhcp_lease_store_collect (store, TRUE, &error), ==, HEARTH_DHCP_LEASE_STORE_SYNCED);
  g_assert_no_error (error);
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "add 5 cc 10.0.0.9 z *\nadd 6 dd 10.0.0.10 w *\ndel 10.0.0.9\n");
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.journal_writes, ==, 2);
  g_assert_cmpuint (stats.journal_records, ==, 3);
  g_assert_cmpuint (stats.pending, ==, 0);

  /* A late wake-up for the batch already collected calls nothing. */
  g_main_context_iteration (NULL, FALSE);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (calls.calls, ==, 1);

  /* A batch still out when the store is freed is written first. */
  hearth_dhcp_lease_store_put (store, &a);
  g_assert_true (hearth_dhcp_lease_store_submit (store));
  g_clear_pointer (&store, hearth_dhcp_lease_store_free);
  g_clear_pointer (&text, g_free);
  text = read_text (journal);
  g_assert_true (g_str_has_suffix (text, "del 10.0.0.9\nadd 5 cc 10.0.0.9 z *\n"));
}

static void
test_store_async_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (HearthDhcpLeaseStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->path, ".journal", NULL);
  g_autofree char *text = NULL;
  HearthDhcpLeaseRecord a = make_record (5, 1, "cc", 0x0a000009, "z", "");
  HearthDhcpLeaseRecord b = make_record (6, 1, "dd", 0x0a00000a, "w", "");
  HearthDhcpLeaseStoreStats stats;
  FileSizeLimit saved;
  Seen seen;

  store = load_store (f->path, &seen);
  seen_clear (&seen);

  /* The thread's write is cut after 4 bytes (the limit is the process's). */
  hearth_dhcp_lease_store_put (store, &a);
  limit_file_size (&saved, 4);
  g_assert_true (hearth_dhcp_lease_store_submit (store));
  hearth_dhcp_lease_store_put (store, &b);
  g_assert_cmpint (hearth_dhcp_lease_store_collect (store, TRUE, &error), ==, HEARTH_DHCP_LEASE_STORE_FAILED);
  unlimit_file_size (&saved);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, journal));
  g_clear_error (&error);

  /* Cut back, and pending again in front of the later change. */
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);
  hearth_dhcp_lease_store_get_stats (store, &stats);
  g_assert_cmpuint (stats.write_errors, ==, 1);
  g_assert_cmpuint (stats.pending, ==, 2);
  g_assert_cmpuint (stats.journal_writes, ==, 0);
  g_assert_false (hearth_dhcp_lease_store_is_busy (store));

  g_assert_true (hearth_dhcp_lease_store_flush (store, &error));
  g_assert_no_error (error);
  text = read_text (journal);
  g_assert_cmpstr (text, ==, "add 5 cc 10.0.0.9 z *\nadd 6 dd 10.0.0.10 w *\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dhcp/lease-store/parse/valid", test_parse_valid);
  g_test_add_func ("/dhcp/lease-store/parse/skipped", test_parse_skipped);
  g_test_add_func ("/dhcp/lease-store/parse/malformed", test_parse_malformed);
  g_test_add_func ("/dhcp/lease-store/parse/cut-short", test_parse_cut_short);
  g_test_add_func ("/dhcp/lease-store/parse/journal", test_parse_journal);
  g_test_add_func ("/dhcp/lease-store/format/round-trip", test_format_round_trip);
#define ADD_STORE_TEST(name, func)                                                                 \
  g_test_add ("/dhcp/lease-store/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD_STORE_TEST ("load-missing", test_store_missing);
  ADD_STORE_TEST ("load-unreadable", test_store_unreadable);
  ADD_STORE_TEST ("put-flush-reload", test_store_put_flush_reload);
  ADD_STORE_TEST ("compact", test_store_compact);
  ADD_STORE_TEST ("should-compact", test_store_should_compact);
  ADD_STORE_TEST ("torn-journal", test_store_torn_journal);
  ADD_STORE_TEST ("damaged-file", test_store_damaged_file);
  ADD_STORE_TEST ("compact-failure", test_store_compact_failure);
  ADD_STORE_TEST ("flush-failure", test_store_flush_failure);
  ADD_STORE_TEST ("async", test_store_async);
  ADD_STORE_TEST ("async-failure", test_store_async_failure);
#undef ADD_STORE_TEST

  return g_test_run ();
}
