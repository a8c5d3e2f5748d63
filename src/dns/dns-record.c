/* Local resource records and the parsers of the options that define them
 * (see dns-record.h): --host-record, --cname, --srv-host, --txt-record,
 * --mx-host, --ptr-record, --naptr-record, --caa-record, --dns-rr, and the
 * structured values of --address, --domain, --interface-name and
 * --synth-domain, with the synthesised-name conversions both ways.
 *
 * Syntax and defaults follow dnsmasq 2.90 as it really behaves (checked
 * against the binary, not only the manual); where dnsmasq silently accepts
 * nonsense (names with spaces in host records, "1.2.3" read as a host name,
 * an empty sequential number, a TTL of "-1") these parsers say what is
 * wrong instead. Nothing here stores records, answers queries or logs:
 * errors go back to the config handler, which adds file and line.
 */
#include "config.h"

#include "dns/dns-record.h"

#include "config/config-value.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <stdarg.h>
#include <string.h>

/* More fields than any of these options can use; the bound only keeps a
 * pathological value from costing much. */
#define FIELDS_MAX 1024

/* Longest presentation-form name without its trailing dot (RFC 1035 2.3.4
 * allows 255 bytes of wire form, which is 253 characters). */
#define NAME_TEXT_MAX 253

/* RFC 2181 section 8: TTLs are 31-bit values. */
#define TTL_MAX G_MAXINT32

/* ---- errors ---- */

static gboolean fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_vprintf (format, args);

      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
    }
  va_end (args);
  return FALSE;
}

/* "bad <what> '<text>'", the text escaped and cut so control bytes and
 * overlong values stay readable in a log line. */
static gboolean
bad (GError **error, const char *what, const char *text)
{
  g_autofree char *printable = hearth_config_value_printable (text);

  return fail (error, _("bad %s '%s'"), what, printable);
}

/* ---- fields ---- */

static gboolean
is_quoted (const guint8 *quoted, gsize i)
{
  return quoted != NULL && quoted[i] != 0;
}

/* Splits value at the ',' outside quotes (see dns-record.h for quoted),
 * dropping unquoted white space around each field. With max_fields > 0 the
 * last field takes the rest of the value, commas included. Empty fields are
 * kept: their position matters. */
static gboolean
split_fields (const char *value, const guint8 *quoted, guint max_fields, char ***out_fields, GError **error)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  gsize len = strlen (value);
  gsize start = 0;

  for (gsize i = 0; i <= len; i++)
    {
      gsize a = start, b = i;

      if (i < len && (value[i] != ',' || is_quoted (quoted, i) ||
                      (max_fields > 0 && fields->len + 1 == max_fields)))
        continue;
      if (fields->len == FIELDS_MAX)
        return fail (error, _("more than %u fields"), (guint) FIELDS_MAX);
      while (a < b && hearth_config_char_is_space (value[a]) && !is_quoted (quoted, a))
        a++;
      while (b > a && hearth_config_char_is_space (value[b - 1]) && !is_quoted (quoted, b - 1))
        b--;
      g_ptr_array_add (fields, g_strndup (value + a, b - a));
      start = i + 1;
    }
  g_ptr_array_add (fields, NULL);
  *out_fields = (char **) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
  return TRUE;
}

static gboolean
is_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Decimal digits only, at most max. */
static gboolean
parse_number (const char *text, guint64 max, guint64 *out)
{
  guint64 v = 0;

  if (!is_digits (text))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      guint64 digit = (guint64) (*p - '0');

      /* v * 10 + digit <= max, checked without overflowing. */
      if (v > (max - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_u16 (const char *text, const char *what, guint16 *out, GError **error)
{
  guint64 v;

  if (!parse_number (text, G_MAXUINT16, &v))
    return bad (error, what, text);
  *out = (guint16) v;
  return TRUE;
}

static gboolean
parse_ttl (const char *text, guint32 *out, GError **error)
{
  guint64 v;

  if (!parse_number (text, TTL_MAX, &v))
    return bad (error, _("TTL"), text);
  *out = (guint32) v;
  return TRUE;
}

/* ---- names ---- */

typedef enum {
  NAME_HOST, /* letters, digits, '-' and '_' */
  NAME_ANY,  /* any byte but control characters: DNS-SD instance names */
} NameKind;

static gboolean
name_char_ok (NameKind kind, guint8 c)
{
  switch (kind)
    {
    case NAME_HOST:
      return g_ascii_isalnum (c) || c == '-' || c == '_';
    case NAME_ANY:
      return c >= 0x20 && c != 0x7f;
    }
  return FALSE;
}

/* Presentation form (no escapes; one optional trailing dot) -> wire form in
 * out (HEARTH_DNS_NAME_MAX bytes). The root is not accepted here: callers
 * that allow "." check for it themselves. */
static gboolean
name_to_wire (const char *text, NameKind kind, gboolean lower, guint8 *out, gsize *out_len)
{
  gsize len = strlen (text);
  gsize pos = 0, label_start = 0;

  if (len > 0 && text[len - 1] == '.')
    len--;
  if (len == 0 || len > NAME_TEXT_MAX)
    return FALSE;
  /* Wire form is the text plus one length byte in front and the root
   * label: len + 2 <= 255. */
  out[pos++] = 0;
  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || text[i] == '.')
        {
          gsize label = pos - label_start - 1;

          if (label == 0 || label > 63)
            return FALSE;
          out[label_start] = (guint8) label;
          label_start = pos;
          out[pos++] = 0;
          continue;
        }
      if (!name_char_ok (kind, (guint8) text[i]))
        return FALSE;
      out[pos++] = lower ? (guint8) g_ascii_tolower (text[i]) : (guint8) text[i];
    }
  *out_len = pos;
  return TRUE;
}

gboolean
hearth_dns_hostname_to_wire (const char *text, guint8 *out, gsize *out_len)
{
  g_return_val_if_fail (text != NULL, FALSE);
  return name_to_wire (text, NAME_HOST, TRUE, out, out_len);
}

/* A record target: a host name (case kept) or "." for the root. */
static gboolean
target_to_wire (const char *text, guint8 *out, gsize *out_len, GError **error)
{
  if (strcmp (text, ".") == 0)
    {
      out[0] = 0;
      *out_len = 1;
      return TRUE;
    }
  if (!name_to_wire (text, NAME_HOST, FALSE, out, out_len))
    return bad (error, _("name"), text);
  return TRUE;
}

static gboolean
owner_to_wire (const char *text, guint8 *out, gsize *out_len, GError **error)
{
  if (!name_to_wire (text, NAME_HOST, TRUE, out, out_len))
    return bad (error, _("name"), text);
  return TRUE;
}

/* A lower-case, dot-free-at-the-ends domain for the structured rules; NULL
 * when text is not a host name. */
static char *
domain_normalize (const char *text)
{
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize wire_len, len;

  if (!name_to_wire (text, NAME_HOST, TRUE, wire, &wire_len))
    return NULL;
  len = strlen (text);
  if (text[len - 1] == '.')
    len--;
  return g_ascii_strdown (text, (gssize) len);
}

/* ---- records ---- */

HearthDnsRecord *
hearth_dns_record_new (const guint8 *name, gsize name_len, guint16 type, guint16 rclass, guint32 ttl,
                       const guint8 *rdata, gsize rdlength)
{
  HearthDnsRecord *rec;

  g_return_val_if_fail (name != NULL && name_len >= 1 && name_len <= HEARTH_DNS_NAME_MAX, NULL);
  g_return_val_if_fail (rdlength <= G_MAXUINT16 && (rdata != NULL || rdlength == 0), NULL);

  rec = g_malloc (sizeof *rec + name_len + rdlength);
  rec->type = type;
  rec->rclass = rclass;
  rec->ttl = ttl;
  rec->name_len = (guint8) name_len;
  rec->rdlength = (guint16) rdlength;
  rec->name = (guint8 *) (rec + 1);
  rec->rdata = rec->name + name_len;
  memcpy (rec->name, name, name_len);
  hearth_dns_name_lower (rec->name, name_len);
  if (rdlength > 0)
    memcpy (rec->rdata, rdata, rdlength);
  return rec;
}

void
hearth_dns_record_free (HearthDnsRecord *record)
{
  g_free (record);
}

HearthDnsRecord *
hearth_dns_record_new_address (const guint8 *name, gsize name_len, const HearthDnsAddr *addr, guint32 ttl)
{
  guint16 type = addr->family == AF_INET6 ? HEARTH_DNS_TYPE_AAAA : HEARTH_DNS_TYPE_A;

  return hearth_dns_record_new (name, name_len, type, HEARTH_DNS_CLASS_IN, ttl, addr->bytes,
                                hearth_dns_addr_size (addr));
}

HearthDnsRecord *
hearth_dns_record_new_name (const guint8 *name, gsize name_len, guint16 type, const guint8 *target,
                            gsize target_len, guint32 ttl)
{
  return hearth_dns_record_new (name, name_len, type, HEARTH_DNS_CLASS_IN, ttl, target, target_len);
}

gboolean
hearth_dns_record_equal (const HearthDnsRecord *a, const HearthDnsRecord *b)
{
  return a->type == b->type && a->rclass == b->rclass && a->name_len == b->name_len &&
         a->rdlength == b->rdlength && memcmp (a->name, b->name, a->name_len) == 0 &&
         (a->rdlength == 0 || memcmp (a->rdata, b->rdata, a->rdlength) == 0);
}

/* Appends a name read from r in presentation form; FALSE when r holds no
 * valid name there. */
static gboolean
append_name (GString *s, HearthDnsReader *r)
{
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize len;
  char text[HEARTH_DNS_NAME_MAX * 4 + 1];

  if (!hearth_dns_reader_name (r, name, &len))
    return FALSE;
  hearth_dns_name_to_string (name, len, text, sizeof text);
  g_string_append (s, text);
  if (strcmp (text, ".") != 0)
    g_string_append_c (s, '.');
  return TRUE;
}

/* Appends bytes as dig writes them inside quotes: '"' and '\' escaped,
 * unprintable bytes as \DDD. */
static void
append_escaped (GString *s, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (s, "\\%03u", c);
      else
        g_string_append_c (s, (char) c);
    }
}

/* Appends a <character-string> quoted. */
static gboolean
append_character_string (GString *s, HearthDnsReader *r)
{
  guint8 len;

  if (!hearth_dns_reader_u8 (r, &len) || r->size - r->pos < len)
    return FALSE;
  g_string_append_c (s, '"');
  append_escaped (s, r->data + r->pos, len);
  g_string_append_c (s, '"');
  r->pos += len;
  return TRUE;
}

/* The rdata in presentation form where the type is one hearth makes;
 * FALSE (and s possibly half written) when it does not parse as that
 * type, so the caller falls back to the generic form. */
static gboolean
append_rdata (GString *s, const HearthDnsRecord *record)
{
  HearthDnsReader r;
  guint16 a, b, c;
  char text[INET6_ADDRSTRLEN];

  hearth_dns_reader_init (&r, record->rdata, record->rdlength);
  switch (record->type)
    {
    case HEARTH_DNS_TYPE_A:
    case HEARTH_DNS_TYPE_AAAA:
      if (record->rdlength != (record->type == HEARTH_DNS_TYPE_A ? 4 : 16))
        return FALSE;
      inet_ntop (record->type == HEARTH_DNS_TYPE_A ? AF_INET : AF_INET6, record->rdata, text, sizeof text);
      g_string_append (s, text);
      return TRUE;
    case HEARTH_DNS_TYPE_NS:
    case HEARTH_DNS_TYPE_CNAME:
    case HEARTH_DNS_TYPE_PTR:
      return append_name (s, &r) && r.pos == r.size;
    case HEARTH_DNS_TYPE_MX:
      if (!hearth_dns_reader_u16 (&r, &a))
        return FALSE;
      g_string_append_printf (s, "%u ", a);
      return append_name (s, &r) && r.pos == r.size;
    case HEARTH_DNS_TYPE_SRV:
      if (!hearth_dns_reader_u16 (&r, &a) || !hearth_dns_reader_u16 (&r, &b) || !hearth_dns_reader_u16 (&r, &c))
        return FALSE;
      g_string_append_printf (s, "%u %u %u ", a, b, c);
      return append_name (s, &r) && r.pos == r.size;
    case HEARTH_DNS_TYPE_TXT:
      do
        {
          if (r.pos > 0)
            g_string_append_c (s, ' ');
          if (!append_character_string (s, &r))
            return FALSE;
        }
      while (r.pos < r.size);
      return TRUE;
    case 35: /* NAPTR */
      if (!hearth_dns_reader_u16 (&r, &a) || !hearth_dns_reader_u16 (&r, &b))
        return FALSE;
      g_string_append_printf (s, "%u %u ", a, b);
      for (guint i = 0; i < 3; i++)
        {
          if (!append_character_string (s, &r))
            return FALSE;
          g_string_append_c (s, ' ');
        }
      return append_name (s, &r) && r.pos == r.size;
    case 257: /* CAA */
      {
        guint8 flags, tag_len;

        if (!hearth_dns_reader_u8 (&r, &flags) || !hearth_dns_reader_u8 (&r, &tag_len) || r.size - r.pos < tag_len)
          return FALSE;
        /* flags, the tag unquoted, the value quoted (RFC 8659 4.1.1). */
        g_string_append_printf (s, "%u ", flags);
        append_escaped (s, r.data + r.pos, tag_len);
        g_string_append (s, " \"");
        append_escaped (s, r.data + r.pos + tag_len, r.size - r.pos - tag_len);
        g_string_append_c (s, '"');
        return TRUE;
      }
    default:
      return FALSE;
    }
}

char *
hearth_dns_record_to_string (const HearthDnsRecord *record)
{
  GString *s = g_string_new (NULL);
  char name[HEARTH_DNS_NAME_MAX * 4 + 1];
  char type_buf[16];
  gsize rdata_start;

  hearth_dns_name_to_string (record->name, record->name_len, name, sizeof name);
  g_string_append_printf (s, "%s%s %s ", name, strcmp (name, ".") == 0 ? "" : ".",
                          hearth_dns_type_to_string (record->type, type_buf, sizeof type_buf));
  rdata_start = s->len;
  if (!append_rdata (s, record))
    {
      /* RFC 3597 generic form, cut: this is for logs. */
      g_string_truncate (s, rdata_start);
      g_string_append_printf (s, "\\# %u ", record->rdlength);
      for (guint i = 0; i < record->rdlength && i < 32; i++)
        g_string_append_printf (s, "%02x", record->rdata[i]);
      if (record->rdlength > 32)
        g_string_append (s, "...");
    }
  return g_string_free (s, FALSE);
}

/* ---- rdata building ---- */

static void
put_u16 (GByteArray *b, guint16 v)
{
  guint8 bytes[2] = { (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (b, bytes, 2);
}

/* One <character-string>; FALSE when text is longer than 255 bytes. */
static gboolean
put_character_string (GByteArray *b, const char *text)
{
  gsize len = strlen (text);
  guint8 l = (guint8) len;

  if (len > 255)
    return FALSE;
  g_byte_array_append (b, &l, 1);
  g_byte_array_append (b, (const guint8 *) text, (guint) len);
  return TRUE;
}

static void
add_record (GPtrArray *out, const guint8 *name, gsize name_len, guint16 type, guint32 ttl, const GByteArray *rdata)
{
  g_ptr_array_add (out, hearth_dns_record_new (name, name_len, type, HEARTH_DNS_CLASS_IN, ttl, rdata->data,
                                               rdata->len));
}

/* ---- record options ---- */

/* Does a field that is not an address look like someone meant one? Then
 * "bad address" is the useful error, not "bad name". */
static gboolean
looks_like_address (const char *text)
{
  gboolean has_dot = FALSE;

  if (strchr (text, ':') != NULL)
    return TRUE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.')
        has_dot = TRUE;
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return has_dot;
}

typedef struct {
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize len;
} WireName;

gboolean
hearth_dns_record_parse_host_record (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (GArray) names = g_array_new (FALSE, FALSE, sizeof (WireName));
  g_autoptr (GArray) addrs = g_array_new (FALSE, FALSE, sizeof (HearthDnsAddr));
  guint32 ttl = HEARTH_DNS_TTL_LOCAL;
  gboolean has_ttl = FALSE;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *f = fields[i];
      HearthDnsAddr addr;
      WireName name;

      if (*f == '\0')
        continue;
      if (is_digits (f) || (f[0] == '-' && is_digits (f + 1)))
        {
          if (has_ttl)
            return fail (error, _("more than one TTL"));
          if (!parse_ttl (f, &ttl, error))
            return FALSE;
          has_ttl = TRUE;
        }
      else if (hearth_dns_addr_parse (f, &addr))
        g_array_append_val (addrs, addr);
      else if (looks_like_address (f))
        return bad (error, _("address"), f);
      else
        {
          /* Case kept: the PTR target is written as given. */
          if (!name_to_wire (f, NAME_HOST, FALSE, name.wire, &name.len))
            return bad (error, _("name"), f);
          g_array_append_val (names, name);
        }
    }
  if (names->len == 0 || addrs->len == 0)
    return fail (error, _("needs a name and an address"));

  for (guint i = 0; i < names->len; i++)
    for (guint j = 0; j < addrs->len; j++)
      {
        const WireName *n = &g_array_index (names, WireName, i);

        g_ptr_array_add (out, hearth_dns_record_new_address (n->wire, n->len, &g_array_index (addrs, HearthDnsAddr, j),
                                                             ttl));
      }
  for (guint j = 0; j < addrs->len; j++)
    {
      const WireName *first = &g_array_index (names, WireName, 0);
      guint8 reverse[HEARTH_DNS_NAME_MAX];
      gsize reverse_len;

      if (hearth_dns_addr_to_reverse_name (&g_array_index (addrs, HearthDnsAddr, j), reverse, &reverse_len))
        g_ptr_array_add (out, hearth_dns_record_new_name (reverse, reverse_len, HEARTH_DNS_TYPE_PTR, first->wire,
                                                          first->len, ttl));
    }
  return TRUE;
}

gboolean
hearth_dns_record_parse_cname (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  guint n, n_aliases;
  guint32 ttl = HEARTH_DNS_TTL_LOCAL;
  guint8 target[HEARTH_DNS_NAME_MAX], alias[HEARTH_DNS_NAME_MAX];
  gsize target_len, alias_len;
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_dns_record_free);

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (n < 2 || *fields[0] == '\0' || *fields[n - 1] == '\0')
    return fail (error, _("needs a name and a target"));
  /* dnsmasq's rule: with three fields or more, a last field of digits is
   * the TTL. */
  n_aliases = n - 1;
  if (n >= 3 && is_digits (fields[n - 1]))
    {
      if (!parse_ttl (fields[n - 1], &ttl, error))
        return FALSE;
      n_aliases = n - 2;
    }
  if (*fields[n_aliases] == '\0')
    return fail (error, _("needs a name and a target"));
  if (!name_to_wire (fields[n_aliases], NAME_HOST, FALSE, target, &target_len))
    return bad (error, _("target"), fields[n_aliases]);
  for (guint i = 0; i < n_aliases; i++)
    {
      if (!owner_to_wire (fields[i], alias, &alias_len, error))
        return FALSE;
      if (hearth_dns_name_equal (alias, alias_len, target, target_len))
        {
          g_autofree char *printable = hearth_config_value_printable (fields[i]);

          return fail (error, _("'%s' points at itself"), printable);
        }
      g_ptr_array_add (records,
                       hearth_dns_record_new_name (alias, alias_len, HEARTH_DNS_TYPE_CNAME, target, target_len, ttl));
    }
  g_ptr_array_extend_and_steal (out, g_steal_pointer (&records));
  return TRUE;
}

gboolean
hearth_dns_record_parse_srv (const char *value, const char *default_domain, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autofree char *full_name = NULL;
  g_autoptr (GByteArray) rdata = g_byte_array_new ();
  guint8 name[HEARTH_DNS_NAME_MAX], target[HEARTH_DNS_NAME_MAX];
  gsize name_len, target_len = 1;
  guint16 port = 1, priority = 0, weight = 0;
  guint n;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, NULL, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (n > 5)
    return fail (error, _("too many fields (expected <name>,<target>,<port>,<priority>,<weight>)"));
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], name, &name_len, error))
    return FALSE;
  if (default_domain != NULL && *default_domain != '\0' && hearth_dns_name_count_labels (name, name_len) == 2)
    {
      gsize len = strlen (fields[0]);

      if (fields[0][len - 1] == '.')
        len--;
      full_name = g_strdup_printf ("%.*s.%s", (int) len, fields[0], default_domain);
      if (!owner_to_wire (full_name, name, &name_len, error))
        return FALSE;
    }
  target[0] = 0;
  if (n >= 2 && *fields[1] != '\0' && !target_to_wire (fields[1], target, &target_len, error))
    return FALSE;
  if (n >= 3 && !parse_u16 (fields[2], _("port"), &port, error))
    return FALSE;
  if (n >= 4 && !parse_u16 (fields[3], _("priority"), &priority, error))
    return FALSE;
  if (n >= 5 && !parse_u16 (fields[4], _("weight"), &weight, error))
    return FALSE;

  /* RFC 2782 order: priority, weight, port, target. */
  put_u16 (rdata, priority);
  put_u16 (rdata, weight);
  put_u16 (rdata, port);
  g_byte_array_append (rdata, target, (guint) target_len);
  add_record (out, name, name_len, HEARTH_DNS_TYPE_SRV, HEARTH_DNS_TTL_LOCAL, rdata);
  return TRUE;
}

gboolean
hearth_dns_record_parse_txt (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (GByteArray) rdata = g_byte_array_new ();
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize name_len;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], name, &name_len, error))
    return FALSE;
  for (guint i = 1; fields[i] != NULL || i == 1; i++)
    {
      const char *text = fields[i] != NULL ? fields[i] : "";
      gsize len = strlen (text), pos = 0;

      /* Texts longer than a <character-string> go out as several
       * (RFC 7208 3.3 reads them back as one). */
      do
        {
          guint8 chunk = (guint8) MIN (len - pos, (gsize) 255);

          g_byte_array_append (rdata, &chunk, 1);
          g_byte_array_append (rdata, (const guint8 *) text + pos, chunk);
          pos += chunk;
        }
      while (pos < len);
      if (rdata->len > G_MAXUINT16)
        return fail (error, _("text longer than a record can hold"));
      if (fields[i] == NULL)
        break;
    }
  add_record (out, name, name_len, HEARTH_DNS_TYPE_TXT, HEARTH_DNS_TTL_LOCAL, rdata);
  return TRUE;
}

gboolean
hearth_dns_record_parse_ptr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  guint8 name[HEARTH_DNS_NAME_MAX], target[HEARTH_DNS_NAME_MAX];
  gsize name_len, target_len;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  if (g_strv_length (fields) < 1 || g_strv_length (fields) > 2 || *fields[0] == '\0')
    return fail (error, _("needs a name and a target"));
  if (!name_to_wire (fields[0], NAME_ANY, TRUE, name, &name_len))
    return bad (error, _("name"), fields[0]);
  if (fields[1] == NULL || *fields[1] == '\0')
    {
      /* dnsmasq accepts a PTR without a target and answers with the
       * root; configurations written for it must keep loading. */
      target[0] = 0;
      target_len = 1;
    }
  else if (!name_to_wire (fields[1], NAME_ANY, FALSE, target, &target_len))
    return bad (error, _("target"), fields[1]);
  g_ptr_array_add (out, hearth_dns_record_new_name (name, name_len, HEARTH_DNS_TYPE_PTR, target, target_len,
                                                    HEARTH_DNS_TTL_LOCAL));
  return TRUE;
}

gboolean
hearth_dns_record_parse_naptr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  static const char *const string_names[] = { "flags", "service", "regexp" };
  g_auto (GStrv) fields = NULL;
  g_autoptr (GByteArray) rdata = g_byte_array_new ();
  guint8 name[HEARTH_DNS_NAME_MAX], replacement[HEARTH_DNS_NAME_MAX];
  gsize name_len, replacement_len = 1;
  guint16 order = 0, preference = 0;
  guint n;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (n < 6 || n > 7)
    return fail (error,
                 _("expected <name>,<order>,<preference>,<flags>,<service>,<regexp>[,<replacement>]"));
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], name, &name_len, error))
    return FALSE;
  if (!parse_u16 (fields[1], _("order"), &order, error) || !parse_u16 (fields[2], _("preference"), &preference, error))
    return FALSE;
  replacement[0] = 0;
  if (n == 7 && *fields[6] != '\0' && !target_to_wire (fields[6], replacement, &replacement_len, error))
    return FALSE;

  /* RFC 3403 4.1: ORDER, PREFERENCE, FLAGS, SERVICES, REGEXP, REPLACEMENT. */
  put_u16 (rdata, order);
  put_u16 (rdata, preference);
  for (guint i = 0; i < 3; i++)
    if (!put_character_string (rdata, fields[3 + i]))
      return fail (error, _("%s longer than 255 bytes"), string_names[i]);
  g_byte_array_append (rdata, replacement, (guint) replacement_len);
  add_record (out, name, name_len, 35, HEARTH_DNS_TTL_LOCAL, rdata);
  return TRUE;
}

gboolean
hearth_dns_record_parse_caa (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (GByteArray) rdata = g_byte_array_new ();
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize name_len, tag_len;
  guint64 flags;

  g_return_val_if_fail (value != NULL, FALSE);
  /* The value may hold commas ("issue" parameters): it takes the rest. */
  if (!split_fields (value, quoted, 4, &fields, error))
    return FALSE;
  if (g_strv_length (fields) != 4)
    return fail (error, _("expected <name>,<flags>,<tag>,<value>"));
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], name, &name_len, error))
    return FALSE;
  if (!parse_number (fields[1], 255, &flags))
    return bad (error, _("flags"), fields[1]);
  /* RFC 8659 4.1: the tag is 1 to 15 letters and digits. */
  tag_len = strlen (fields[2]);
  if (tag_len == 0 || tag_len > 15)
    return bad (error, _("tag"), fields[2]);
  for (gsize i = 0; i < tag_len; i++)
    if (!g_ascii_isalnum (fields[2][i]))
      return bad (error, _("tag"), fields[2]);

  {
    guint8 f = (guint8) flags;

    g_byte_array_append (rdata, &f, 1);
  }
  put_character_string (rdata, fields[2]);
  g_byte_array_append (rdata, (const guint8 *) fields[3], (guint) strlen (fields[3]));
  if (rdata->len > G_MAXUINT16)
    return fail (error, _("value longer than a record can hold"));
  add_record (out, name, name_len, 257, HEARTH_DNS_TTL_LOCAL, rdata);
  return TRUE;
}

static const struct {
  const char *name;
  guint16 type;
} type_names[] = {
  { "A", 1 },          { "NS", 2 },        { "CNAME", 5 },       { "SOA", 6 },      { "PTR", 12 },
  { "HINFO", 13 },     { "MX", 15 },       { "TXT", 16 },        { "RP", 17 },      { "AFSDB", 18 },
  { "KEY", 25 },       { "AAAA", 28 },     { "LOC", 29 },        { "SRV", 33 },     { "NAPTR", 35 },
  { "KX", 36 },        { "CERT", 37 },     { "DNAME", 39 },      { "DS", 43 },      { "SSHFP", 44 },
  { "IPSECKEY", 45 },  { "RRSIG", 46 },    { "NSEC", 47 },       { "DNSKEY", 48 },  { "DHCID", 49 },
  { "NSEC3", 50 },     { "NSEC3PARAM", 51 }, { "TLSA", 52 },     { "SMIMEA", 53 },  { "HIP", 55 },
  { "CDS", 59 },       { "CDNSKEY", 60 },  { "OPENPGPKEY", 61 }, { "CSYNC", 62 },   { "ZONEMD", 63 },
  { "SVCB", 64 },      { "HTTPS", 65 },    { "SPF", 99 },        { "EUI48", 108 },  { "EUI64", 109 },
  { "URI", 256 },      { "CAA", 257 },
};

/* A type number, "TYPE<n>" (RFC 3597) or a mnemonic. Type 0, OPT and the
 * query/meta types (RFC 6895: 128..255) cannot be records in an answer. */
static gboolean
parse_rr_type (const char *text, guint16 *out, GError **error)
{
  guint64 v = 0;
  gboolean found = FALSE;

  if (parse_number (text, G_MAXUINT16, &v))
    found = TRUE;
  else if (g_ascii_strncasecmp (text, "TYPE", 4) == 0 && parse_number (text + 4, G_MAXUINT16, &v))
    found = TRUE;
  else
    for (gsize i = 0; i < G_N_ELEMENTS (type_names); i++)
      if (g_ascii_strcasecmp (text, type_names[i].name) == 0)
        {
          v = type_names[i].type;
          found = TRUE;
          break;
        }
  if (!found)
    return bad (error, _("record type"), text);
  if (v == 0 || v == HEARTH_DNS_TYPE_OPT || (v >= 128 && v <= 255))
    return fail (error, _("type %u cannot be a record in an answer"), (guint) v);
  *out = (guint16) v;
  return TRUE;
}

/* dnsmasq's hex form: groups separated by ':' or white space; each group
 * is pairs of digits, or a single digit standing for one byte. */
static gboolean
parse_hex (const char *text, GByteArray *out, GError **error)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *start;
      gsize len;

      if (*p == ':' || hearth_config_char_is_space (*p))
        {
          p++;
          continue;
        }
      start = p;
      while (*p != '\0' && *p != ':' && !hearth_config_char_is_space (*p))
        {
          if (!g_ascii_isxdigit (*p))
            return bad (error, _("hex data"), text);
          p++;
        }
      len = (gsize) (p - start);
      if (len == 1)
        {
          guint8 byte = (guint8) g_ascii_xdigit_value (start[0]);

          g_byte_array_append (out, &byte, 1);
        }
      else if (len % 2 != 0)
        return bad (error, _("hex data (odd number of digits)"), text);
      else
        for (gsize i = 0; i < len; i += 2)
          {
            guint8 byte = (guint8) (g_ascii_xdigit_value (start[i]) << 4 | g_ascii_xdigit_value (start[i + 1]));

            g_byte_array_append (out, &byte, 1);
          }
      if (out->len > G_MAXUINT16)
        return fail (error, _("hex data longer than a record can hold"));
    }
  return TRUE;
}

gboolean
hearth_dns_record_parse_dns_rr (const char *value, const guint8 *quoted, GPtrArray *out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (GByteArray) rdata = g_byte_array_new ();
  guint8 name[HEARTH_DNS_NAME_MAX];
  gsize name_len;
  guint16 type = 0;
  guint n;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, quoted, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (n < 2 || n > 3)
    return fail (error, _("expected <name>,<type>[,<hex data>]"));
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], name, &name_len, error) || !parse_rr_type (fields[1], &type, error))
    return FALSE;
  if (n == 3 && !parse_hex (fields[2], rdata, error))
    return FALSE;
  add_record (out, name, name_len, type, HEARTH_DNS_TTL_LOCAL, rdata);
  return TRUE;
}

gboolean
hearth_dns_record_parse_mx_host (const char *value, char **out_name, char **out_target, guint16 *out_preference,
                                 GError **error)
{
  g_auto (GStrv) fields = NULL;
  guint8 wire[HEARTH_DNS_NAME_MAX];
  gsize wire_len, name_len;
  const char *target = NULL;
  guint16 preference = 1;
  guint n;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, NULL, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (n > 3)
    return fail (error, _("too many fields (expected <name>[[,<target>],<preference>])"));
  if (*fields[0] == '\0')
    return fail (error, _("needs a name"));
  if (!owner_to_wire (fields[0], wire, &wire_len, error))
    return FALSE;
  if (n >= 2)
    {
      /* Present but empty is the root, as dnsmasq answers it. */
      target = *fields[1] != '\0' ? fields[1] : ".";
      if (!target_to_wire (target, wire, &wire_len, error))
        return FALSE;
    }
  if (n == 3 && !parse_u16 (fields[2], _("preference"), &preference, error))
    return FALSE;

  name_len = strlen (fields[0]);
  if (fields[0][name_len - 1] == '.')
    name_len--;
  *out_name = g_strndup (fields[0], name_len);
  *out_target = g_strdup (target);
  *out_preference = preference;
  return TRUE;
}

/* ---- address ranges ---- */

static int
addr_compare (const HearthDnsAddr *a, const HearthDnsAddr *b)
{
  return memcmp (a->bytes, b->bytes, hearth_dns_addr_size (a));
}

/* The last address of a prefix, as a full-length address. */
static void
prefix_last (const HearthDnsAddr *prefix, HearthDnsAddr *out)
{
  gsize size = hearth_dns_addr_size (prefix);

  *out = *prefix;
  out->prefix_len = (guint8) (size * 8);
  for (gsize i = 0; i < size; i++)
    {
      guint bit = (guint) i * 8;

      if (bit >= prefix->prefix_len)
        out->bytes[i] = 0xff;
      else if (prefix->prefix_len - bit < 8)
        out->bytes[i] |= (guint8) (0xff >> (prefix->prefix_len - bit));
    }
}

static gboolean
range_contains (const HearthDnsAddr *start, const HearthDnsAddr *end, const HearthDnsAddr *addr)
{
  return addr->family == start->family && addr_compare (start, addr) <= 0 && addr_compare (addr, end) <= 0;
}

/* "<address>/<len>" into start (prefix) and end (its last address). */
static gboolean
parse_prefix_range (const char *text, HearthDnsAddr *start, HearthDnsAddr *end, GError **error)
{
  if (!hearth_dns_addr_parse_prefix (text, start))
    return bad (error, looks_like_address (text) || strchr (text, '/') != NULL ? _("prefix") : _("address"), text);
  prefix_last (start, end);
  return TRUE;
}

static gboolean
parse_address_range (const char *start_text, const char *end_text, HearthDnsAddr *start, HearthDnsAddr *end,
                     GError **error)
{
  if (!hearth_dns_addr_parse (start_text, start))
    return bad (error, _("address"), start_text);
  if (!hearth_dns_addr_parse (end_text, end))
    return bad (error, _("address"), end_text);
  if (start->family != end->family)
    return fail (error, _("range mixes IPv4 and IPv6"));
  if (addr_compare (start, end) > 0)
    return fail (error, _("range start %s is after its end %s"), start_text, end_text);
  return TRUE;
}

/* ---- --domain ---- */

void
hearth_dns_domain_rule_free (HearthDnsDomainRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->domain);
  g_free (rule->interface);
  g_free (rule);
}

/* Linux interface names: 1..15 bytes, no '/', no white space. */
static gboolean
interface_name_ok (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > 15 || strcmp (text, ".") == 0 || strcmp (text, "..") == 0)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '/' || *p == ',' || hearth_config_char_is_space (*p) || (guint8) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
hearth_dns_domain_rule_parse (const char *value, HearthDnsDomainRule **out_rule, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (HearthDnsDomainRule) rule = g_new0 (HearthDnsDomainRule, 1);
  guint n, next;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, NULL, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (*fields[0] == '\0')
    return fail (error, _("needs a domain"));
  if (strcmp (fields[0], "#") == 0)
    rule->domain = g_strdup ("#");
  else if ((rule->domain = domain_normalize (fields[0])) == NULL)
    return bad (error, _("domain"), fields[0]);
  if (n == 1)
    {
      *out_rule = g_steal_pointer (&rule);
      return TRUE;
    }

  rule->has_range = TRUE;
  if (strchr (fields[1], '/') != NULL)
    {
      if (!parse_prefix_range (fields[1], &rule->start, &rule->end, error))
        return FALSE;
      next = 2;
      if (n > 2 && strcmp (fields[2], "local") == 0)
        {
          rule->local = TRUE;
          next = 3;
        }
    }
  else if (hearth_dns_addr_parse (fields[1], &rule->start))
    {
      if (n > 2 && strcmp (fields[2], "local") != 0)
        {
          if (!parse_address_range (fields[1], fields[2], &rule->start, &rule->end, error))
            return FALSE;
          next = 3;
        }
      else
        {
          rule->end = rule->start;
          next = 2;
        }
    }
  else if (looks_like_address (fields[1]))
    return bad (error, _("address"), fields[1]);
  else if (!interface_name_ok (fields[1]))
    return bad (error, _("address range or interface"), fields[1]);
  else
    {
      rule->interface = g_strdup (fields[1]);
      next = 2;
    }

  if (next < n && strcmp (fields[next], "local") == 0)
    /* dnsmasq 2.90 accepts and ignores it there. */
    return fail (error, _("',local' needs the range as <address>/<prefix length>"));
  if (next < n)
    {
      g_autofree char *printable = hearth_config_value_printable (fields[next]);

      return fail (error, _("unexpected '%s' (expected 'local' after a prefix, or nothing)"), printable);
    }
  *out_rule = g_steal_pointer (&rule);
  return TRUE;
}

gboolean
hearth_dns_domain_rule_matches (const HearthDnsDomainRule *rule, const HearthDnsAddr *addr)
{
  if (!rule->has_range)
    return TRUE;
  if (rule->interface != NULL)
    return FALSE;
  return range_contains (&rule->start, &rule->end, addr);
}

/* ---- --address ---- */

void
hearth_dns_address_rule_free (HearthDnsAddressRule *rule)
{
  if (rule == NULL)
    return;
  if (rule->domains != NULL)
    g_ptr_array_unref (rule->domains);
  g_free (rule);
}

/* One /dom/ entry in the form --server uses (see dns-server.c): lower case,
 * no trailing dot, a leading '.' dropped (dnsmasq's historical /.dom/),
 * '*' kept at the start of a wildcard, "" for //, "#" for every name. */
static char *
address_domain_normalize (const char *raw)
{
  const char *rest;
  gsize len = strlen (raw);

  if (len == 0 || strcmp (raw, "#") == 0)
    return g_strdup (raw);
  if (raw[0] == '*')
    {
      /* "*", "*.dom" (names under dom), "*dom" (names ending in dom). */
      g_autofree char *tail = NULL;

      rest = raw[1] == '.' ? raw + 2 : raw + 1;
      if (*rest == '\0')
        return raw[1] == '.' ? NULL : g_strdup ("*");
      if ((tail = domain_normalize (rest)) == NULL)
        return NULL;
      return g_strconcat (raw[1] == '.' ? "*." : "*", tail, NULL);
    }
  rest = raw[0] == '.' ? raw + 1 : raw;
  if (*rest == '.' || *rest == '\0')
    return NULL;
  return domain_normalize (rest);
}

gboolean
hearth_dns_address_rule_parse (const char *value, HearthDnsAddressRule **out_rule, GError **error)
{
  g_autoptr (HearthDnsAddressRule) rule = g_new0 (HearthDnsAddressRule, 1);
  const char *rest;

  g_return_val_if_fail (value != NULL, FALSE);
  rule->domains = g_ptr_array_new_with_free_func (g_free);
  if (value[0] != '/')
    {
      /* dnsmasq reads a bare address as /#/address. */
      g_ptr_array_add (rule->domains, g_strdup ("#"));
      rest = value;
    }
  else
    {
      const char *last = strrchr (value, '/');
      g_autofree char *list = NULL;
      g_auto (GStrv) raw = NULL;

      if (last == value)
        return fail (error, _("no closing '/' (expected /<domain>/[<address>])"));
      list = g_strndup (value + 1, (gsize) (last - value - 1));
      raw = g_strsplit (list, "/", FIELDS_MAX);
      /* "//" names the unqualified names; g_strsplit gives nothing for "". */
      if (raw[0] == NULL)
        g_ptr_array_add (rule->domains, g_strdup (""));
      for (guint i = 0; raw[i] != NULL; i++)
        {
          char *domain = address_domain_normalize (raw[i]);
          guint index;

          if (domain == NULL)
            return bad (error, _("domain"), raw[i]);
          if (g_ptr_array_find_with_equal_func (rule->domains, domain, g_str_equal, &index))
            g_free (domain);
          else
            g_ptr_array_add (rule->domains, domain);
        }
      rest = last + 1;
    }

  if (*rest == '\0')
    rule->kind = HEARTH_DNS_ADDRESS_NXDOMAIN;
  else if (strcmp (rest, "#") == 0)
    rule->kind = HEARTH_DNS_ADDRESS_NULL;
  else if (hearth_dns_addr_parse (rest, &rule->addr))
    rule->kind = HEARTH_DNS_ADDRESS_ADDR;
  else
    return bad (error, _("address"), rest);
  *out_rule = g_steal_pointer (&rule);
  return TRUE;
}

/* ---- --interface-name ---- */

void
hearth_dns_interface_name_free (HearthDnsInterfaceName *in)
{
  if (in == NULL)
    return;
  g_free (in->interface);
  g_free (in);
}

gboolean
hearth_dns_interface_name_parse (const char *value, HearthDnsInterfaceName **out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (HearthDnsInterfaceName) in = g_new0 (HearthDnsInterfaceName, 1);
  g_autofree char *interface = NULL;
  gsize len;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, NULL, 0, &fields, error))
    return FALSE;
  if (g_strv_length (fields) != 2 || *fields[0] == '\0' || *fields[1] == '\0')
    return fail (error, _("expected <name>,<interface>[/4|/6]"));
  if (!owner_to_wire (fields[0], in->name, &in->name_len, error))
    return FALSE;
  interface = g_strdup (fields[1]);
  len = strlen (interface);
  in->family = AF_UNSPEC;
  if (len > 2 && interface[len - 2] == '/' && (interface[len - 1] == '4' || interface[len - 1] == '6'))
    {
      in->family = interface[len - 1] == '4' ? AF_INET : AF_INET6;
      interface[len - 2] = '\0';
    }
  if (!interface_name_ok (interface))
    return bad (error, _("interface"), fields[1]);
  in->interface = g_steal_pointer (&interface);
  *out = g_steal_pointer (&in);
  return TRUE;
}

/* ---- --synth-domain ---- */

void
hearth_dns_synth_domain_free (HearthDnsSynthDomain *sd)
{
  if (sd == NULL)
    return;
  g_free (sd->domain);
  g_free (sd->prefix);
  g_free (sd);
}

/* The prefix goes in front of a label: host-name characters only, and
 * short enough to leave room for the longest address text (45). */
#define SYNTH_PREFIX_MAX (63 - 45)

gboolean
hearth_dns_synth_domain_parse (const char *value, HearthDnsSynthDomain **out, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (HearthDnsSynthDomain) sd = g_new0 (HearthDnsSynthDomain, 1);
  const char *prefix = NULL;
  guint n;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!split_fields (value, NULL, 0, &fields, error))
    return FALSE;
  n = g_strv_length (fields);
  if (*fields[0] == '\0')
    return fail (error, _("needs a domain"));
  if ((sd->domain = domain_normalize (fields[0])) == NULL)
    return bad (error, _("domain"), fields[0]);
  if (n < 2 || *fields[1] == '\0')
    return fail (error, _("needs an address range (<start>,<end> or <address>/<prefix length>)"));
  if (strchr (fields[1], '/') != NULL)
    {
      if (!parse_prefix_range (fields[1], &sd->start, &sd->end, error))
        return FALSE;
      if (n > 3)
        return fail (error, _("too many fields (expected <domain>,<address>/<prefix length>[,<name prefix>])"));
      prefix = n == 3 ? fields[2] : NULL;
    }
  else
    {
      if (n < 3)
        return fail (error, _("needs an address range (<start>,<end> or <address>/<prefix length>)"));
      if (!parse_address_range (fields[1], fields[2], &sd->start, &sd->end, error))
        return FALSE;
      if (n > 4)
        return fail (error, _("too many fields (expected <domain>,<start>,<end>[,<name prefix>])"));
      prefix = n == 4 ? fields[3] : NULL;
    }

  if (prefix != NULL)
    {
      gsize len = strlen (prefix);

      if (len > 0 && prefix[len - 1] == '*')
        {
          sd->star = TRUE;
          len--;
        }
      if (len > SYNTH_PREFIX_MAX)
        return fail (error, _("name prefix longer than %d characters"), SYNTH_PREFIX_MAX);
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum (prefix[i]) && prefix[i] != '-' && prefix[i] != '_')
          return bad (error, _("name prefix"), prefix);
      sd->prefix = g_ascii_strdown (prefix, (gssize) len);
    }
  else
    sd->prefix = g_strdup ("");

  /* Sequential IPv6 numbers count within one /64, so they fit in 64 bits. */
  if (sd->star && sd->start.family == AF_INET6 && memcmp (sd->start.bytes, sd->end.bytes, 8) != 0)
    return fail (error, _("sequential names need an IPv6 range within one /64"));
  *out = g_steal_pointer (&sd);
  return TRUE;
}

/* The offset-bearing part of an address: all of IPv4, the low 64 bits of
 * IPv6. */
static guint64
addr_low_bits (const HearthDnsAddr *addr)
{
  guint64 v = 0;
  gsize size = hearth_dns_addr_size (addr);

  for (gsize i = size > 8 ? size - 8 : 0; i < size; i++)
    v = v << 8 | addr->bytes[i];
  return v;
}

static void
addr_set_low_bits (HearthDnsAddr *addr, guint64 v)
{
  gsize size = hearth_dns_addr_size (addr);

  for (gsize i = size; i-- > (size > 8 ? size - 8 : 0);)
    {
      addr->bytes[i] = (guint8) v;
      v >>= 8;
    }
}

/* The synthesised domain's own name in wire form. */
static gboolean
synth_domain_wire (const HearthDnsSynthDomain *sd, guint8 *out, gsize *out_len)
{
  return name_to_wire (sd->domain, NAME_HOST, TRUE, out, out_len);
}

gboolean
hearth_dns_synth_domain_name (const HearthDnsSynthDomain *sd, const HearthDnsAddr *addr, guint8 *out,
                              gsize *out_len)
{
  char label[128];
  guint8 domain[HEARTH_DNS_NAME_MAX];
  gsize label_len, domain_len;

  if (!range_contains (&sd->start, &sd->end, addr))
    return FALSE;
  if (sd->star)
    g_snprintf (label, sizeof label, "%s%" G_GUINT64_FORMAT, sd->prefix,
                addr_low_bits (addr) - addr_low_bits (&sd->start));
  else
    {
      char text[INET6_ADDRSTRLEN];

      if (inet_ntop (addr->family, addr->bytes, text, sizeof text) == NULL)
        return FALSE;
      for (char *p = text; *p != '\0'; p++)
        if (*p == '.' || *p == ':')
          *p = '-';
      /* A label may not start with '-': "::1" becomes "0--1". */
      g_snprintf (label, sizeof label, "%s%s%s", sd->prefix, *sd->prefix == '\0' && text[0] == '-' ? "0" : "",
                  text);
    }
  label_len = strlen (label);
  if (label_len > 63 || !synth_domain_wire (sd, domain, &domain_len) ||
      HEARTH_DNS_NAME_MAX - domain_len < label_len + 1)
    return FALSE;
  out[0] = (guint8) label_len;
  for (gsize i = 0; i < label_len; i++)
    out[1 + i] = (guint8) g_ascii_tolower (label[i]);
  memcpy (out + 1 + label_len, domain, domain_len);
  *out_len = 1 + label_len + domain_len;
  return TRUE;
}

/* text is an address with '-' for ':' (and, in the v4-mapped reading, for
 * the dots of the last three groups). */
static gboolean
synth_parse_v6 (const char *text, gboolean dotted_tail, HearthDnsAddr *out)
{
  char buf[64];
  gsize len = strlen (text);
  guint dashes_left = 3;

  if (len >= sizeof buf)
    return FALSE;
  for (gsize i = len; i-- > 0;)
    {
      char c = text[i];

      if (c == '-')
        {
          if (dotted_tail && dashes_left > 0)
            {
              c = '.';
              dashes_left--;
            }
          else
            c = ':';
        }
      else if (!g_ascii_isxdigit (c))
        return FALSE;
      buf[i] = c;
    }
  buf[len] = '\0';
  if (dotted_tail && dashes_left > 0)
    return FALSE;
  return inet_pton (AF_INET6, buf, out->bytes) == 1;
}

gboolean
hearth_dns_synth_domain_address (const HearthDnsSynthDomain *sd, const guint8 *name, gsize len,
                                 HearthDnsAddr *out)
{
  guint8 domain[HEARTH_DNS_NAME_MAX];
  gsize domain_len, label_len, prefix_len;
  char label[64];
  const char *rest;
  HearthDnsAddr addr;

  if (len < 1 || name[0] == 0 || name[0] > 63 || len - 1 < name[0])
    return FALSE;
  label_len = name[0];
  if (!synth_domain_wire (sd, domain, &domain_len) || len - 1 - label_len != domain_len ||
      !hearth_dns_name_equal (name + 1 + label_len, domain_len, domain, domain_len))
    return FALSE;
  for (gsize i = 0; i < label_len; i++)
    {
      if (name[1 + i] == 0)
        return FALSE;
      label[i] = g_ascii_tolower ((char) name[1 + i]);
    }
  label[label_len] = '\0';
  prefix_len = strlen (sd->prefix);
  if (strncmp (label, sd->prefix, prefix_len) != 0)
    return FALSE;
  rest = label + prefix_len;

  memset (&addr, 0, sizeof addr);
  addr.family = sd->start.family;
  addr.prefix_len = sd->start.family == AF_INET6 ? 128 : 32;
  if (sd->star)
    {
      guint64 offset, base = addr_low_bits (&sd->start);

      /* Leading zeros are fine ("internal-00"), as in dnsmasq; the range
       * check below bounds the value. */
      if (!parse_number (rest, G_MAXUINT64, &offset) || G_MAXUINT64 - base < offset)
        return FALSE;
      if (sd->start.family == AF_INET && base + offset > G_MAXUINT32)
        return FALSE;
      memcpy (addr.bytes, sd->start.bytes, sizeof addr.bytes);
      addr_set_low_bits (&addr, base + offset);
    }
  else if (sd->start.family == AF_INET)
    {
      char buf[64];

      g_strlcpy (buf, rest, sizeof buf);
      for (char *p = buf; *p != '\0'; p++)
        {
          if (*p == '-')
            *p = '.';
          else if (!g_ascii_isdigit (*p))
            return FALSE;
        }
      if (inet_pton (AF_INET, buf, addr.bytes) != 1)
        return FALSE;
    }
  else
    {
      /* Hex groups first; the dotted-quad tail of a v4-mapped (or
       * v4-compatible) address when that is not in range. */
      if (!(synth_parse_v6 (rest, FALSE, &addr) && range_contains (&sd->start, &sd->end, &addr)) &&
          !synth_parse_v6 (rest, TRUE, &addr))
        return FALSE;
    }
  if (!range_contains (&sd->start, &sd->end, &addr))
    return FALSE;
  *out = addr;
  return TRUE;
}
