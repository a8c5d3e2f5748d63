/* The hosts-file parser (see dns-hosts.h): splits hosts(5) text into
 * lines, an address and names per line, and hands each good line to a
 * callback in wire form.
 *
 * It reads what dnsmasq 2.90 reads: fields are separated by blanks (space,
 * tab, and the CR of CRLF files, plus the rarer VT and FF that dnsmasq
 * also takes), '#' starts a comment anywhere, even inside a field
 * ("name#x" is "name"). A bad address skips its line; a bad name skips only
 * that name. Where this parser is stricter than dnsmasq it is on purpose:
 * names must be host names (dnsmasq also takes "a?b" or "x,y"), a line
 * with a NUL byte is rejected rather than cut short, and lines are limited
 * to 4096 bytes (comments excluded) so one line cannot make the parser
 * hold an unbounded number of names. Where it is more lenient, it is also
 * on purpose: "fe80::1%eth0" is taken as fe80::1 (the scope means nothing
 * in a DNS answer), where dnsmasq rejects the line.
 *
 * The hot path does no allocation: one scratch block per call holds the
 * wire names of the current line, fields are NUL-terminated in stack
 * buffers, and only the error path formats strings. It does not read
 * files, store anything, or know about --expand-hosts or domains.
 */
#include "config.h"

#include "dns/dns-hosts.h"

#include "dns/dns-packet.h"
#include "dns/dns-record.h"

#include <string.h>

#define LINE_MAX_BYTES 4096
/* Every name needs at least one byte and one blank after the address. */
#define NAMES_MAX (LINE_MAX_BYTES / 2)
/* The longest address worth trying: an IPv6 address in its longest form
 * (45 characters) plus a %scope of up to IFNAMSIZ - 1. */
#define ADDR_TEXT_MAX 64
/* The longest host name, without its final dot (253 characters are 255
 * bytes in wire form). */
#define NAME_TEXT_MAX 253
/* How much of a bad field an error message quotes. */
#define QUOTE_MAX 80

typedef struct
{
  const guint8 *names[NAMES_MAX];
  gsize name_lens[NAMES_MAX];
  /* Wire names of one line, packed: at most (n + 2) bytes for a field of n
   * characters, so the whole line fits in twice its length; the extra
   * HEARTH_DNS_NAME_MAX lets every conversion write a full-size name. */
  guint8 wire[2 * LINE_MAX_BYTES + HEARTH_DNS_NAME_MAX];
} Scratch;

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Writes field (not NUL-terminated) into buf for a log message: printable
 * ASCII as it is, anything else as \xHH, cut at QUOTE_MAX characters. */
static const char *
quote_field (const char *field, gsize len, char *buf, gsize buf_size)
{
  static const char hex[] = "0123456789abcdef";
  gsize o = 0;

  for (gsize i = 0; i < len && i < QUOTE_MAX; i++)
    {
      guchar c = (guchar) field[i];

      if (buf_size - o < 5)
        break;
      if (c >= 0x20 && c < 0x7f && c != '\\')
        buf[o++] = (char) c;
      else
        {
          buf[o++] = '\\';
          buf[o++] = 'x';
          buf[o++] = hex[c >> 4];
          buf[o++] = hex[c & 0xf];
        }
    }
  if (len > QUOTE_MAX && buf_size - o >= 4)
    {
      memcpy (buf + o, "...", 3);
      o += 3;
    }
  buf[o] = '\0';
  return buf;
}

static void
report_field (HearthDnsHostsErrorFunc error_cb,
              gpointer user_data,
              guint line,
              const char *what,
              const char *field,
              gsize len)
{
  char quoted[QUOTE_MAX * 4 + 4];
  char message[sizeof quoted + 32];

  if (error_cb == NULL)
    return;
  quote_field (field, len, quoted, sizeof quoted);
  g_snprintf (message, sizeof message, "bad %s '%s'", what, quoted);
  error_cb (line, message, user_data);
}

/* An address field, with an IPv6 %scope dropped. */
static gboolean
parse_address (const char *field, gsize len, HearthDnsAddr *out)
{
  char text[ADDR_TEXT_MAX];
  const char *percent;

  if (len >= sizeof text)
    return FALSE;
  memcpy (text, field, len);
  text[len] = '\0';
  percent = memchr (text, '%', len);
  if (percent != NULL)
    {
      /* A scope needs a name, and only means something on IPv6 (which is
       * the only family with a ':'). */
      if (percent[1] == '\0' || memchr (text, ':', (gsize) (percent - text)) == NULL)
        return FALSE;
      text[percent - text] = '\0';
    }
  return hearth_dns_addr_parse (text, out);
}

/* A name field into lower-case wire form at out (room for
 * HEARTH_DNS_NAME_MAX bytes), by the rule --host-record and the other
 * record options use. */
static gboolean
parse_name (const char *field, gsize len, guint8 *out, gsize *out_len)
{
  char text[NAME_TEXT_MAX + 2];

  /* Longer cannot be a name even with its final dot. */
  if (len > NAME_TEXT_MAX + 1)
    return FALSE;
  memcpy (text, field, len);
  text[len] = '\0';
  return hearth_dns_hostname_to_wire (text, out, out_len);
}

/* One line without its '\n' and comment; TRUE when entry_cb got it. */
static gboolean
parse_line (const char *p,
            const char *end,
            guint line,
            Scratch *scratch,
            HearthDnsHostsEntryFunc entry_cb,
            HearthDnsHostsErrorFunc error_cb,
            gpointer user_data)
{
  HearthDnsAddr addr;
  const char *field;
  guint n_names = 0;
  gsize used = 0;

  while (p < end && is_blank (*p))
    p++;
  if (p == end)
    return FALSE;
  field = p;
  while (p < end && !is_blank (*p))
    p++;
  if (!parse_address (field, (gsize) (p - field), &addr))
    {
      report_field (error_cb, user_data, line, "address", field, (gsize) (p - field));
      return FALSE;
    }

  for (;;)
    {
      gsize wire_len = 0;

      while (p < end && is_blank (*p))
        p++;
      if (p == end)
        break;
      field = p;
      while (p < end && !is_blank (*p))
        p++;
      /* Cannot happen for a line within LINE_MAX_BYTES (see Scratch), but
       * the buffers must never be overrun whatever the limits become. */
      if (n_names == NAMES_MAX || sizeof scratch->wire - used < HEARTH_DNS_NAME_MAX)
        {
          report_field (error_cb, user_data, line, "name", field, (gsize) (p - field));
          break;
        }
      if (!parse_name (field, (gsize) (p - field), scratch->wire + used, &wire_len))
        {
          report_field (error_cb, user_data, line, "name", field, (gsize) (p - field));
          continue;
        }
      scratch->names[n_names] = scratch->wire + used;
      scratch->name_lens[n_names] = wire_len;
      n_names++;
      used += wire_len;
    }

  if (n_names == 0)
    return FALSE;
  if (entry_cb != NULL)
    entry_cb (&addr, scratch->names, scratch->name_lens, n_names, line, user_data);
  return TRUE;
}

guint
hearth_dns_hosts_parse (const char *data,
                        gsize len,
                        HearthDnsHostsEntryFunc entry_cb,
                        HearthDnsHostsErrorFunc error_cb,
                        gpointer user_data)
{
  g_autofree Scratch *scratch = NULL;
  const char *p, *end;
  guint line = 0, n_good = 0;

  g_return_val_if_fail (data != NULL || len == 0, 0);
  if (len == 0)
    return 0;
  p = data;
  end = data + len;
  /* Not zeroed: only what parse_line writes is ever read. */
  scratch = g_malloc (sizeof *scratch);

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = nl != NULL ? nl : end;
      const char *hash = memchr (p, '#', (gsize) (line_end - p));
      const char *content_end = hash != NULL ? hash : line_end;
      gsize content_len = (gsize) (content_end - p);

      /* Saturates rather than wraps on absurdly long inputs. */
      if (line < G_MAXUINT)
        line++;
      if (content_len > LINE_MAX_BYTES)
        {
          if (error_cb != NULL)
            {
              char message[96];

              g_snprintf (message, sizeof message, "line too long (%" G_GSIZE_FORMAT " bytes, at most %u)",
                          content_len, (guint) LINE_MAX_BYTES);
              error_cb (line, message, user_data);
            }
        }
      else if (memchr (p, '\0', content_len) != NULL)
        {
          if (error_cb != NULL)
            error_cb (line, "bad line: it holds a NUL byte", user_data);
        }
      else if (parse_line (p, content_end, line, scratch, entry_cb, error_cb, user_data))
        n_good++;
      p = nl != NULL ? nl + 1 : end;
    }
  return n_good;
}
