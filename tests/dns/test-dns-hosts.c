/* Unit tests for the hosts-file parser (src/dns/dns-hosts.c).
 *
 * Each test feeds text to hearth_dns_hosts_parse() and compares what the
 * callbacks saw, written out as "line: address name name" and
 * "line: message", with what dnsmasq 2.90 reads from the same text (or,
 * where Hearth is stricter on purpose, with what dns-hosts.c says it
 * does). Nothing here reads files or answers queries.
 */
#include "config.h"

#include "dns/dns-hosts.h"

#include "dns/dns-packet.h"

#include <string.h>

typedef struct
{
  GString *entries; /* "line: addr name...\n" per entry */
  GString *errors;  /* "line: message\n" per error */
  guint n_entries;
} Seen;

static void
seen_entry_cb (const HearthDnsAddr *addr,
               const guint8 *const *names,
               const gsize *name_lens,
               guint n_names,
               guint line,
               gpointer user_data)
{
  Seen *seen = user_data;
  char buf[1024];

  g_assert_cmpuint (n_names, >, 0);
  g_string_append_printf (seen->entries, "%u: %s", line, hearth_dns_addr_to_string (addr, buf, sizeof buf));
  for (guint i = 0; i < n_names; i++)
    {
      g_assert_cmpuint (name_lens[i], >=, 2);
      g_assert_cmpuint (name_lens[i], <=, HEARTH_DNS_NAME_MAX);
      /* Complete wire form: ends with the root label. */
      g_assert_cmpuint (names[i][name_lens[i] - 1], ==, 0);
      g_string_append_printf (seen->entries, " %s", hearth_dns_name_to_string (names[i], name_lens[i], buf, sizeof buf));
    }
  g_string_append_c (seen->entries, '\n');
  seen->n_entries++;
}

static void
seen_error_cb (guint line, const char *message, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_string_append_printf (seen->errors, "%u: %s\n", line, message);
}

/* Parses len bytes (an exact-size heap copy, so the sanitizers see any
 * read past the end) and checks the entries, the errors and the count. */
static void
check_len (const char *text, gsize len, const char *want_entries, const char *want_errors)
{
  g_autofree char *copy = g_memdup2 (text, len);
  Seen seen = { g_string_new (NULL), g_string_new (NULL), 0 };
  guint n;

  n = hearth_dns_hosts_parse (copy, len, seen_entry_cb, seen_error_cb, &seen);
  g_assert_cmpstr (seen.entries->str, ==, want_entries);
  g_assert_cmpstr (seen.errors->str, ==, want_errors);
  g_assert_cmpuint (n, ==, seen.n_entries);
  g_string_free (seen.entries, TRUE);
  g_string_free (seen.errors, TRUE);
}

static void
check (const char *text, const char *want_entries, const char *want_errors)
{
  check_len (text, strlen (text), want_entries, want_errors);
}

static void
test_basic (void)
{
  check ("192.0.2.1 a\n", "1: 192.0.2.1 a\n", "");
  check ("192.0.2.1 host.example.com host\n"
         "192.0.2.2 other\n",
         "1: 192.0.2.1 host.example.com host\n"
         "2: 192.0.2.2 other\n",
         "");
  /* Blocklist style, and the same name on two lines: both reported, the
   * store decides what duplicates mean. */
  check ("0.0.0.0 ads.example\n0.0.0.0 ads.example\n",
         "1: 0.0.0.0 ads.example\n2: 0.0.0.0 ads.example\n", "");
  /* An address without names is no entry and no error (as in dnsmasq). */
  check ("192.0.2.1\n192.0.2.2   \n", "", "");
  /* Digits, '_' and inner '-' are fine in names. */
  check ("192.0.2.1 123 9lives _srv x_y a-b\n", "1: 192.0.2.1 123 9lives _srv x_y a-b\n", "");
}

static void
test_comments (void)
{
  check ("# a comment\n"
         "   # an indented comment\n"
         "192.0.2.1 a # b c\n"
         "192.0.2.2 d#e f\n"
         "192.0.2.3#g h\n"
         "#192.0.2.4 i\n"
         "192.0.2.5 ## j\n"
         "192.0.2.6 k\n",
         "3: 192.0.2.1 a\n"
         "4: 192.0.2.2 d\n"
         "8: 192.0.2.6 k\n",
         "");
  /* Nothing that looks bad inside a comment is reported. */
  check ("192.0.2.1 a # bad?name 1.2.3 \001\n", "1: 192.0.2.1 a\n", "");
}

static void
test_blanks (void)
{
  check ("192.0.2.1\ta\n"
         "\t 192.0.2.2 \t b \t\tc\t\n"
         "\n"
         "   \n"
         "\t\n"
         "192.0.2.3\v\fd\n",
         "1: 192.0.2.1 a\n"
         "2: 192.0.2.2 b c\n"
         "6: 192.0.2.3 d\n",
         "");
}

static void
test_crlf (void)
{
  check ("192.0.2.1 a\r\n192.0.2.2 b c\r\n\r\n# x\r\n192.0.2.3\r\n192.0.2.4 d",
         "1: 192.0.2.1 a\n2: 192.0.2.2 b c\n6: 192.0.2.4 d\n", "");
  /* A CR inside a line separates fields like any blank. */
  check ("192.0.2.1 a\rb\n", "1: 192.0.2.1 a b\n", "");
}

static void
test_ipv6 (void)
{
  check ("::1 localhost ip6-localhost\n"
         "2001:db8::1 v6\n"
         "2001:DB8:0:0:0:0:0:2 long\n"
         "::ffff:192.0.2.1 mapped\n"
         ":: null6\n",
         "1: ::1 localhost ip6-localhost\n"
         "2: 2001:db8::1 v6\n"
         "3: 2001:db8::2 long\n"
         "4: ::ffff:192.0.2.1 mapped\n"
         "5: :: null6\n",
         "");
}

static void
test_scope (void)
{
  check ("fe80::1%eth0 router\nfe80::2%2 other\n", "1: fe80::1 router\n2: fe80::2 other\n", "");
  /* A scope needs a name and an IPv6 address. */
  check ("fe80::1% a\n192.0.2.1%eth0 b\n%eth0 c\n",
         "",
         "1: bad address 'fe80::1%'\n"
         "2: bad address '192.0.2.1%eth0'\n"
         "3: bad address '%eth0'\n");
}

static void
test_bad_address (void)
{
  check ("1.2.3 a\n"
         "192.0.2.256 b\n"
         "192.0.2.010 c\n"
         "2001:db8::/64 d\n"
         "host 192.0.2.1\n"
         "192.0.2.1/32 e\n"
         "2001:db8::g f\n"
         "192.0.2.9 ok\n",
         "8: 192.0.2.9 ok\n",
         "1: bad address '1.2.3'\n"
         "2: bad address '192.0.2.256'\n"
         "3: bad address '192.0.2.010'\n"
         "4: bad address '2001:db8::/64'\n"
         "5: bad address 'host'\n"
         "6: bad address '192.0.2.1/32'\n"
         "7: bad address '2001:db8::g'\n");
  /* Long and binary fields are quoted shortened and escaped. */
  {
    g_autofree char *long_addr = g_strnfill (100, '1');
    g_autofree char *text = g_strdup_printf ("%s a\n", long_addr);
    g_autofree char *want = g_strdup_printf ("1: bad address '%.80s...'\n", long_addr);

    check (text, "", want);
  }
  check ("1.2.3.4\001\\\xff a\n", "", "1: bad address '1.2.3.4\\x01\\x5c\\xff'\n");
}

static void
test_bad_names (void)
{
  g_autofree char *label63 = g_strnfill (63, 'x');
  g_autofree char *label64 = g_strnfill (64, 'y');
  g_autofree char *text = NULL, *want = NULL, *want_err = NULL;

  /* A bad name is reported and skipped, the rest of the line kept. */
  check ("192.0.2.1 good bad?name other\n",
         "1: 192.0.2.1 good other\n",
         "1: bad name 'bad?name'\n");
  check ("192.0.2.1 a..b .lead x,y st*r caf\xc3\xa9 ok\n",
         "1: 192.0.2.1 ok\n",
         "1: bad name 'a..b'\n"
         "1: bad name '.lead'\n"
         "1: bad name 'x,y'\n"
         "1: bad name 'st*r'\n"
         "1: bad name 'caf\\xc3\\xa9'\n");
  /* A line with only bad names gives no entry. */
  check ("192.0.2.1 a..b\n", "", "1: bad name 'a..b'\n");

  /* Labels of 63 bytes are fine, 64 are not. */
  text = g_strdup_printf ("192.0.2.1 %s.a %s.b c\n", label63, label64);
  want = g_strdup_printf ("1: 192.0.2.1 %s.a c\n", label63);
  want_err = g_strdup_printf ("1: bad name '%s.b'\n", label64);
  check (text, want, want_err);
}

static void
test_name_length (void)
{
  g_autofree char *a = g_strnfill (63, 'a'), *b = g_strnfill (63, 'b'), *c = g_strnfill (63, 'c');
  g_autofree char *d = g_strnfill (61, 'd');
  g_autofree char *name253 = NULL, *name254 = NULL;
  g_autofree char *text = NULL, *want = NULL, *want_err = NULL;

  /* 253 characters (63.63.63.61) is the longest name; with its final dot
   * it is still fine, one more character is not. */
  name253 = g_strdup_printf ("%s.%s.%s.%s", a, b, c, d);
  g_assert_cmpuint (strlen (name253), ==, 253);
  name254 = g_strdup_printf ("%se", name253);
  text = g_strdup_printf ("192.0.2.1 %s %s. %s ok\n", name253, name253, name254);
  want = g_strdup_printf ("1: 192.0.2.1 %s %s ok\n", name253, name253);
  want_err = g_strdup_printf ("1: bad name '%.80s...'\n", name254);
  check (text, want, want_err);
}

static void
test_case (void)
{
  /* Lower case, final dot dropped (test_wire_form checks the bytes). */
  check ("192.0.2.1 UPPER Mixed.Case. MiXeD.Example.COM\n", "1: 192.0.2.1 upper mixed.case mixed.example.com\n", "");
}

/* Checks the exact wire form handed to the callback. */
static void
wire_entry_cb (const HearthDnsAddr *addr,
               const guint8 *const *names,
               const gsize *name_lens,
               guint n_names,
               guint line,
               gpointer user_data)
{
  static const guint8 want0[] = "\005mixed\007example\003com";
  static const guint8 want1[] = "\001a";
  static const guint8 want_addr[] = { 192, 0, 2, 1 };
  guint *calls = user_data;

  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (addr->family, ==, AF_INET);
  g_assert_cmpuint (addr->prefix_len, ==, 32);
  g_assert_cmpmem (addr->bytes, 4, want_addr, 4);
  g_assert_cmpuint (n_names, ==, 2);
  g_assert_cmpmem (names[0], name_lens[0], want0, sizeof want0);
  g_assert_cmpmem (names[1], name_lens[1], want1, sizeof want1);
  (*calls)++;
}

static void
test_wire_form (void)
{
  static const char text[] = "# first\n192.0.2.1 MiXeD.Example.COM A.\n";
  guint calls = 0;

  g_assert_cmpuint (hearth_dns_hosts_parse (text, sizeof text - 1, wire_entry_cb, NULL, &calls), ==, 1);
  g_assert_cmpuint (calls, ==, 1);
}

static void
test_empty (void)
{
  guint calls = 0;

  check ("", "", "");
  check ("\n", "", "");
  check ("\n\n\n# only comments\n\n", "", "");
  g_assert_cmpuint (hearth_dns_hosts_parse (NULL, 0, wire_entry_cb, NULL, &calls), ==, 0);
  g_assert_cmpuint (calls, ==, 0);
}

static void
test_no_trailing_newline (void)
{
  check ("192.0.2.1 a", "1: 192.0.2.1 a\n", "");
  check ("192.0.2.1 a\n192.0.2.2 b", "1: 192.0.2.1 a\n2: 192.0.2.2 b\n", "");
  check ("192.0.2.1 a\n1.2.3 b", "1: 192.0.2.1 a\n", "2: bad address '1.2.3'\n");
  check ("192.0.2.1 a\n# c", "1: 192.0.2.1 a\n", "");
  /* Cut right after the address or in the middle of it. */
  check ("192.0.2.1", "", "");
  check ("192.0.2.", "", "1: bad address '192.0.2.'\n");
}

static void
test_many_names (void)
{
  g_autoptr (GString) text = g_string_new ("10.0.0.1");
  g_autoptr (GString) want = g_string_new ("1: 10.0.0.1");

  for (guint i = 0; i < 500; i++)
    {
      g_string_append_printf (text, " name%u", i);
      g_string_append_printf (want, " name%u", i);
    }
  g_string_append (text, "\n10.0.0.2 after\n");
  g_string_append (want, "\n2: 10.0.0.2 after\n");
  g_assert_cmpuint (text->len, <, 4096);
  check (text->str, want->str, "");
}

static void
test_most_names (void)
{
  /* The most names a line can hold: "::" and 2047 one-letter names is
   * exactly 4096 bytes. Fills the parser's buffers to the brim. */
  g_autoptr (GString) text = g_string_new ("::");
  g_autoptr (GString) want = g_string_new ("1: ::");

  for (guint i = 0; i < 2047; i++)
    {
      char c = (char) ('a' + i % 26);

      g_string_append_printf (text, " %c", c);
      g_string_append_printf (want, " %c", c);
    }
  g_assert_cmpuint (text->len, ==, 4096);
  g_string_append_c (text, '\n');
  g_string_append_c (want, '\n');
  check (text->str, want->str, "");
}

static void
test_long_line (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *name = NULL;

  /* 4096 bytes before the newline are fine ... */
  name = g_strnfill (4096 - strlen ("192.0.2.1 ") - strlen (" ok"), 'x');
  g_string_printf (text, "192.0.2.1 %s ok\n", name);
  g_assert_cmpuint (text->len, ==, 4097);
  check (text->str, "1: 192.0.2.1 ok\n", "1: bad name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'\n");

  /* ... one more is reported and the whole line skipped, the next line
   * read. */
  g_string_printf (text, "192.0.2.1 a\n192.0.2.2 %sx ok\n192.0.2.3 b\n", name);
  check (text->str, "1: 192.0.2.1 a\n3: 192.0.2.3 b\n", "2: line too long (4097 bytes, at most 4096)\n");

  /* A long comment costs nothing and is no error, whether the whole line
   * or its tail. */
  g_string_printf (text, "#%s%s\n192.0.2.1 a # %s%s\n", name, name, name, name);
  check (text->str, "2: 192.0.2.1 a\n", "");

  /* A megabyte without a newline. */
  {
    g_autofree char *huge = g_strnfill (1 << 20, 'z');

    check (huge, "", "1: line too long (1048576 bytes, at most 4096)\n");
  }
}

static void
test_nul (void)
{
  static const char text[] = "192.0.2.1 a\0b\n"
                             "192.0.2.2 c\n"
                             "\0\n"
                             "192.0.2.3 d # \0 in a comment is harmless\n"
                             "192.0.2.4 e\0";

  check_len (text, sizeof text - 1,
             "2: 192.0.2.2 c\n4: 192.0.2.3 d\n",
             "1: bad line: it holds a NUL byte\n"
             "3: bad line: it holds a NUL byte\n"
             "5: bad line: it holds a NUL byte\n");
}

static void
test_line_numbers (void)
{
  check ("# header\n"
         "\n"
         "192.0.2.1 a\n"
         "1.2.3 b\n"
         "\r\n"
         "192.0.2.2 c bad?d\n"
         "# x\n"
         "192.0.2.3 e\n",
         "3: 192.0.2.1 a\n"
         "6: 192.0.2.2 c\n"
         "8: 192.0.2.3 e\n",
         "4: bad address '1.2.3'\n"
         "6: bad name 'bad?d'\n");
}

static void
test_no_callbacks (void)
{
  static const char text[] = "192.0.2.1 a\n1.2.3 b\n192.0.2.2 bad?c d\n192.0.2.3 bad?e\n";

  /* Both callbacks may be NULL: the count still comes back. */
  g_assert_cmpuint (hearth_dns_hosts_parse (text, sizeof text - 1, NULL, NULL, NULL), ==, 2);
}

static void
count_cb (const HearthDnsAddr *addr,
          const guint8 *const *names,
          const gsize *name_lens,
          guint n_names,
          guint line,
          gpointer user_data)
{
  guint *n = user_data;

  (void) addr;
  (void) names;
  (void) name_lens;
  (void) line;
  *n += n_names;
}

static void
test_large_file (void)
{
  g_autoptr (GString) text = g_string_sized_new (5000000);
  gint64 start, elapsed;
  guint n_names = 0, n_lines;

  /* A 100,000-line blocklist with some ordinary lines in it. */
  for (guint i = 0; i < 100000; i++)
    {
      if (i % 1000 == 0)
        g_string_append_printf (text, "# section %u\n", i);
      else if (i % 1000 == 1)
        g_string_append_printf (text, "192.168.%u.%u host-%u.lan host-%u\n", (i / 256) % 256, i % 256, i, i);
      else
        g_string_append_printf (text, "0.0.0.0 ad-%u.example-tracker.com\n", i);
    }
  start = g_get_monotonic_time ();
  n_lines = hearth_dns_hosts_parse (text->str, text->len, count_cb, NULL, &n_names);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpuint (n_lines, ==, 99900);
  g_assert_cmpuint (n_names, ==, 100000);
  g_test_message ("100,000 lines (%" G_GSIZE_FORMAT " bytes) parsed in %.1f ms", text->len, elapsed / 1000.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/hosts/basic", test_basic);
  g_test_add_func ("/dns/hosts/comments", test_comments);
  g_test_add_func ("/dns/hosts/blanks", test_blanks);
  g_test_add_func ("/dns/hosts/crlf", test_crlf);
  g_test_add_func ("/dns/hosts/ipv6", test_ipv6);
  g_test_add_func ("/dns/hosts/scope", test_scope);
  g_test_add_func ("/dns/hosts/bad-address", test_bad_address);
  g_test_add_func ("/dns/hosts/bad-names", test_bad_names);
  g_test_add_func ("/dns/hosts/name-length", test_name_length);
  g_test_add_func ("/dns/hosts/case", test_case);
  g_test_add_func ("/dns/hosts/wire-form", test_wire_form);
  g_test_add_func ("/dns/hosts/empty", test_empty);
  g_test_add_func ("/dns/hosts/no-trailing-newline", test_no_trailing_newline);
  g_test_add_func ("/dns/hosts/many-names", test_many_names);
  g_test_add_func ("/dns/hosts/most-names", test_most_names);
  g_test_add_func ("/dns/hosts/long-line", test_long_line);
  g_test_add_func ("/dns/hosts/nul", test_nul);
  g_test_add_func ("/dns/hosts/line-numbers", test_line_numbers);
  g_test_add_func ("/dns/hosts/no-callbacks", test_no_callbacks);
  g_test_add_func ("/dns/hosts/large-file", test_large_file);
  return g_test_run ();
}
