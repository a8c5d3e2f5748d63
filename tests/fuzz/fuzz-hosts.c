/* Fuzz target for the hosts-file parser (src/dns/dns-hosts.c).
 *
 * The input is handed over as it is, without a terminator, since the
 * parser takes a length and must neither read past it nor stop at a NUL.
 * The callbacks read every byte they are given (address, each wire name,
 * the message) so the sanitizers see any pointer into a buffer that is
 * too short or stale, and check the few promises the header makes: names
 * are complete lower-case wire names, line numbers count up from 1, the
 * return value counts the entries. The parse results themselves are
 * checked by the unit tests, not here.
 */
#include "config.h"

#include "dns/dns-hosts.h"

#include "dns/dns-packet.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  guint n_entries;
  guint last_line;
  guint8 sum; /* keeps the reads from being optimised away */
} State;

static void
entry_cb (const HearthDnsAddr *addr,
          const guint8 *const *names,
          const gsize *name_lens,
          guint n_names,
          guint line,
          gpointer user_data)
{
  State *state = user_data;
  char buf[HEARTH_DNS_NAME_MAX * 4 + 1];

  g_assert_true (addr->family == AF_INET || addr->family == AF_INET6);
  g_assert_cmpuint (addr->prefix_len, ==, addr->family == AF_INET ? 32 : 128);
  for (gsize i = 0; i < sizeof addr->bytes; i++)
    state->sum ^= addr->bytes[i];
  g_assert_cmpuint (n_names, >, 0);
  g_assert_cmpuint (line, >=, 1);
  g_assert_cmpuint (line, >=, state->last_line);
  state->last_line = line;

  for (guint i = 0; i < n_names; i++)
    {
      gsize pos = 0;

      g_assert_cmpuint (name_lens[i], >=, 2);
      g_assert_cmpuint (name_lens[i], <=, HEARTH_DNS_NAME_MAX);
      /* Walk the labels: they must fill the name exactly, end at the
       * root label, and hold no upper-case letter. */
      while (names[i][pos] != 0)
        {
          guint label = names[i][pos++];

          g_assert_cmpuint (label, <=, 63);
          g_assert_cmpuint (name_lens[i] - pos, >, label);
          for (guint j = 0; j < label; j++, pos++)
            {
              g_assert_false (g_ascii_isupper (names[i][pos]));
              state->sum ^= names[i][pos];
            }
        }
      g_assert_cmpuint (pos, ==, name_lens[i] - 1);
      hearth_dns_name_to_string (names[i], name_lens[i], buf, sizeof buf);
    }
  state->n_entries++;
}

static void
error_cb (guint line, const char *message, gpointer user_data)
{
  State *state = user_data;

  g_assert_cmpuint (line, >=, 1);
  g_assert_cmpuint (line, >=, state->last_line);
  state->last_line = line;
  /* Messages are logged: printable text, no raw input bytes. */
  for (const char *p = message; *p != '\0'; p++)
    {
      g_assert_true (*p >= 0x20 && *p < 0x7f);
      state->sum ^= (guint8) *p;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  State state = { 0, 0, 0 };
  guint n;

  /* Longer inputs only repeat lines; 64 KiB leaves room for overlong ones. */
  if (size > 65536)
    return 0;
  n = hearth_dns_hosts_parse ((const char *) data, size, entry_cb, error_cb, &state);
  g_assert_cmpuint (n, ==, state.n_entries);
  /* And once more without callbacks: same count. */
  g_assert_cmpuint (hearth_dns_hosts_parse ((const char *) data, size, NULL, NULL, NULL), ==, n);
  return 0;
}
