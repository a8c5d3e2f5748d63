/* Addresses and prefixes for the DNS side (see dns-addr.h).
 *
 * Text conversion goes through inet_pton/inet_ntop; the reverse-name code
 * works on wire-form names directly so a query name never needs a
 * presentation-form copy.
 */
#include "config.h"

#include "dns/dns-addr.h"
#include "dns/dns-packet.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

gsize
hearth_dns_addr_size (const HearthDnsAddr *addr)
{
  return addr->family == AF_INET6 ? 16 : 4;
}

static void
clear_host_bits (HearthDnsAddr *addr)
{
  gsize size = hearth_dns_addr_size (addr);

  for (gsize i = 0; i < size; i++)
    {
      guint bit = (guint) i * 8;

      if (bit >= addr->prefix_len)
        addr->bytes[i] = 0;
      else if (addr->prefix_len - bit < 8)
        addr->bytes[i] &= (guint8) (0xff << (8 - (addr->prefix_len - bit)));
    }
}

gboolean
hearth_dns_addr_parse (const char *text, HearthDnsAddr *out)
{
  HearthDnsAddr a;

  memset (&a, 0, sizeof a);
  if (text == NULL)
    return FALSE;
  if (inet_pton (AF_INET, text, a.bytes) == 1)
    {
      a.family = AF_INET;
      a.prefix_len = 32;
    }
  else if (inet_pton (AF_INET6, text, a.bytes) == 1)
    {
      a.family = AF_INET6;
      a.prefix_len = 128;
    }
  else
    return FALSE;
  *out = a;
  return TRUE;
}

gboolean
hearth_dns_addr_parse_prefix (const char *text, HearthDnsAddr *out)
{
  const char *slash;
  char buf[INET6_ADDRSTRLEN + 1];
  HearthDnsAddr a;
  guint64 len;
  char *end;

  if (text == NULL)
    return FALSE;
  slash = strchr (text, '/');
  if (slash == NULL)
    return hearth_dns_addr_parse (text, out);
  if ((gsize) (slash - text) >= sizeof buf)
    return FALSE;
  memcpy (buf, text, (gsize) (slash - text));
  buf[slash - text] = '\0';
  if (!hearth_dns_addr_parse (buf, &a))
    return FALSE;
  if (!g_ascii_isdigit (slash[1]))
    return FALSE;
  len = g_ascii_strtoull (slash + 1, &end, 10);
  if (*end != '\0' || len > (a.family == AF_INET ? 32u : 128u))
    return FALSE;
  a.prefix_len = (guint8) len;
  clear_host_bits (&a);
  *out = a;
  return TRUE;
}

void
hearth_dns_addr_from_bytes (int family, const guint8 *bytes, HearthDnsAddr *out)
{
  memset (out, 0, sizeof *out);
  out->family = (guint8) family;
  out->prefix_len = family == AF_INET6 ? 128 : 32;
  memcpy (out->bytes, bytes, hearth_dns_addr_size (out));
}

gboolean
hearth_dns_addr_in_prefix (const HearthDnsAddr *prefix, const HearthDnsAddr *addr)
{
  guint full, rest;

  if (prefix->family != addr->family)
    return FALSE;
  full = prefix->prefix_len / 8;
  rest = prefix->prefix_len % 8;
  if (memcmp (prefix->bytes, addr->bytes, full) != 0)
    return FALSE;
  if (rest == 0)
    return TRUE;
  return ((prefix->bytes[full] ^ addr->bytes[full]) & (guint8) (0xff << (8 - rest))) == 0;
}

gboolean
hearth_dns_addr_equal (const HearthDnsAddr *a, const HearthDnsAddr *b)
{
  return a->family == b->family && a->prefix_len == b->prefix_len &&
         memcmp (a->bytes, b->bytes, hearth_dns_addr_size (a)) == 0;
}

const char *
hearth_dns_addr_to_string (const HearthDnsAddr *addr, char *buf, gsize buf_size)
{
  char text[INET6_ADDRSTRLEN];
  guint full = addr->family == AF_INET6 ? 128 : 32;

  if (inet_ntop (addr->family == AF_INET6 ? AF_INET6 : AF_INET, addr->bytes, text, sizeof text) == NULL)
    g_strlcpy (text, "?", sizeof text);
  if (addr->prefix_len == full)
    g_strlcpy (buf, text, buf_size);
  else
    g_snprintf (buf, buf_size, "%s/%u", text, addr->prefix_len);
  return buf;
}

static const guint8 in_addr_arpa[] = "\007in-addr\004arpa";
static const guint8 ip6_arpa[] = "\003ip6\004arpa";

gboolean
hearth_dns_addr_to_reverse_name (const HearthDnsAddr *addr, guint8 *out, gsize *out_len)
{
  static const char hex[] = "0123456789abcdef";
  gsize pos = 0;

  if (addr->family == AF_INET)
    {
      for (int i = 3; i >= 0; i--)
        {
          char label[4];
          int n = g_snprintf (label, sizeof label, "%u", addr->bytes[i]);

          out[pos++] = (guint8) n;
          memcpy (out + pos, label, (gsize) n);
          pos += (gsize) n;
        }
      memcpy (out + pos, in_addr_arpa, sizeof in_addr_arpa); /* with the root label */
      pos += sizeof in_addr_arpa;
    }
  else if (addr->family == AF_INET6)
    {
      for (int i = 15; i >= 0; i--)
        {
          out[pos++] = 1;
          out[pos++] = (guint8) hex[addr->bytes[i] & 0xf];
          out[pos++] = 1;
          out[pos++] = (guint8) hex[addr->bytes[i] >> 4];
        }
      memcpy (out + pos, ip6_arpa, sizeof ip6_arpa);
      pos += sizeof ip6_arpa;
    }
  else
    return FALSE;
  *out_len = pos;
  return TRUE;
}

/* Does the wire name end in suffix (wire form with its root label)? Sets
 * *out_prefix_len to the bytes before it. */
static gboolean
name_has_suffix (const guint8 *name, gsize len, const guint8 *suffix, gsize suffix_len, gsize *out_prefix_len)
{
  gsize pos = 0;

  while (pos < len)
    {
      gsize label = name[pos];

      if (len - pos == suffix_len)
        {
          for (gsize i = 0; i < suffix_len; i++)
            if (g_ascii_tolower (name[pos + i]) != suffix[i])
              return FALSE;
          *out_prefix_len = pos;
          return TRUE;
        }
      if (label == 0 || label > 63)
        return FALSE;
      pos += label + 1;
    }
  return FALSE;
}

static int
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (guint8) g_ascii_tolower (c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

HearthDnsReverseKind
hearth_dns_addr_from_reverse_name (const guint8 *name, gsize len, HearthDnsAddr *out)
{
  HearthDnsAddr a;
  gsize prefix, pos = 0;
  guint labels = 0;

  memset (&a, 0, sizeof a);
  if (name_has_suffix (name, len, in_addr_arpa, sizeof in_addr_arpa, &prefix))
    {
      guint8 octets[4];

      /* Labels are the octets in reverse order: "4.3.2.1". */
      while (pos < prefix)
        {
          gsize n = name[pos];
          guint v = 0;

          if (labels == 4 || n == 0 || n > 3 || n > prefix - pos - 1)
            return HEARTH_DNS_REVERSE_NONE;
          for (gsize i = 1; i <= n; i++)
            {
              if (!g_ascii_isdigit (name[pos + i]))
                return HEARTH_DNS_REVERSE_NONE;
              v = v * 10 + (guint) (name[pos + i] - '0');
            }
          if (v > 255 || (n > 1 && name[pos + 1] == '0'))
            return HEARTH_DNS_REVERSE_NONE;
          octets[labels++] = (guint8) v;
          pos += n + 1;
        }
      a.family = AF_INET;
      for (guint i = 0; i < labels; i++)
        a.bytes[i] = octets[labels - 1 - i];
      a.prefix_len = (guint8) (labels * 8);
      *out = a;
      return labels == 4 ? HEARTH_DNS_REVERSE_FULL : HEARTH_DNS_REVERSE_PARTIAL;
    }
  if (name_has_suffix (name, len, ip6_arpa, sizeof ip6_arpa, &prefix))
    {
      guint8 nibbles[32];

      while (pos < prefix)
        {
          int v;

          if (labels == 32 || name[pos] != 1 || prefix - pos < 2)
            return HEARTH_DNS_REVERSE_NONE;
          v = hex_value (name[pos + 1]);
          if (v < 0)
            return HEARTH_DNS_REVERSE_NONE;
          nibbles[labels++] = (guint8) v;
          pos += 2;
        }
      a.family = AF_INET6;
      /* nibbles[0] is the last nibble of the prefix given. */
      for (guint i = 0; i < labels; i++)
        {
          guint nibble_index = labels - 1 - i; /* position from the top */
          guint8 v = nibbles[i];

          if (nibble_index % 2 == 0)
            a.bytes[nibble_index / 2] |= (guint8) (v << 4);
          else
            a.bytes[nibble_index / 2] |= v;
        }
      a.prefix_len = (guint8) (labels * 4);
      *out = a;
      return labels == 32 ? HEARTH_DNS_REVERSE_FULL : HEARTH_DNS_REVERSE_PARTIAL;
    }
  return HEARTH_DNS_REVERSE_NONE;
}

typedef struct {
  guint8 family;
  guint8 len;
  guint8 bytes[16];
} Range;

/* RFC 6303's locally served zones, and the rest of what no public name has
 * any business pointing at. */
static const Range private_ranges[] = {
  { AF_INET, 8, { 0 } },                 /* "this network" */
  { AF_INET, 8, { 10 } },
  { AF_INET, 10, { 100, 64 } },          /* RFC 6598 shared address space */
  { AF_INET, 16, { 169, 254 } },
  { AF_INET, 12, { 172, 16 } },
  { AF_INET, 24, { 192, 0, 0 } },
  { AF_INET, 24, { 192, 0, 2 } },
  { AF_INET, 16, { 192, 168 } },
  { AF_INET, 24, { 198, 51, 100 } },
  { AF_INET, 24, { 203, 0, 113 } },
  { AF_INET, 4, { 240 } },               /* reserved, and the broadcast address */
  { AF_INET6, 128, { 0 } },              /* :: */
  { AF_INET6, 7, { 0xfc } },             /* unique local */
  { AF_INET6, 10, { 0xfe, 0x80 } },      /* link-local */
  { AF_INET6, 10, { 0xfe, 0xc0 } },      /* old site-local */
  { AF_INET6, 32, { 0x20, 0x01, 0x0d, 0xb8 } }, /* documentation */
};

gboolean
hearth_dns_addr_is_private (const HearthDnsAddr *addr, gboolean *out_is_loopback)
{
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  static const guint8 loopback6[16] = { [15] = 1 };
  HearthDnsAddr a = *addr;

  a.prefix_len = a.family == AF_INET6 ? 128 : 32;
  if (out_is_loopback != NULL)
    *out_is_loopback = FALSE;
  if (a.family == AF_INET6 && memcmp (a.bytes, mapped, sizeof mapped) == 0)
    {
      guint8 v4[4];

      /* An IPv4-mapped address is as private as the IPv4 address. */
      memcpy (v4, a.bytes + 12, 4);
      hearth_dns_addr_from_bytes (AF_INET, v4, &a);
    }
  if ((a.family == AF_INET && a.bytes[0] == 127) ||
      (a.family == AF_INET6 && memcmp (a.bytes, loopback6, 16) == 0))
    {
      if (out_is_loopback != NULL)
        *out_is_loopback = TRUE;
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (private_ranges); i++)
    {
      HearthDnsAddr prefix;

      memset (&prefix, 0, sizeof prefix);
      prefix.family = private_ranges[i].family;
      prefix.prefix_len = private_ranges[i].len;
      memcpy (prefix.bytes, private_ranges[i].bytes, 16);
      if (hearth_dns_addr_in_prefix (&prefix, &a))
        return TRUE;
    }
  return FALSE;
}
