/* DHCPv4 and BOOTP wire format: the message reader and the reply builder
 * (see dhcp4-packet.h).
 *
 * The reader makes two passes over the option areas (options field, then
 * file and sname when option 52 says so): the first checks every length
 * and adds up how many bytes each code has, the second copies each
 * instance to its place, so that instances of one code end up
 * concatenated in order of appearance (RFC 3396) without any allocation.
 *
 * The builder lays options out greedily in the order they were added:
 * each whole option goes into the first area with room for it (options
 * field, then file, then sname when overloading). It never splits one
 * option across areas, and does not reorder options to pack them better.
 * It does not decide which options a reply carries; the server does.
 */
#include "config.h"

#include "dhcp/dhcp4-packet.h"

#include <string.h>

/* Offsets of the fixed header fields on the wire. */
#define OFF_XID 4
#define OFF_SECS 8
#define OFF_FLAGS 10
#define OFF_CIADDR 12
#define OFF_YIADDR 16
#define OFF_SIADDR 20
#define OFF_GIADDR 24
#define OFF_CHADDR 28
#define OFF_SNAME 44
#define OFF_FILE 108
#define SNAME_LEN 64
#define FILE_LEN 128
#define OPTIONS_START (HEARTH_DHCP4_FIXED_LEN + 4)

/* Values of option 52. */
#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

static guint16
read_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
write_u16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
write_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

const char *
hearth_dhcp4_message_type_to_string (HearthDhcp4MessageType type)
{
  switch (type)
    {
    case HEARTH_DHCP4_NONE:
      return "BOOTP";
    case HEARTH_DHCP4_DISCOVER:
      return "DHCPDISCOVER";
    case HEARTH_DHCP4_OFFER:
      return "DHCPOFFER";
    case HEARTH_DHCP4_REQUEST:
      return "DHCPREQUEST";
    case HEARTH_DHCP4_DECLINE:
      return "DHCPDECLINE";
    case HEARTH_DHCP4_ACK:
      return "DHCPACK";
    case HEARTH_DHCP4_NAK:
      return "DHCPNAK";
    case HEARTH_DHCP4_RELEASE:
      return "DHCPRELEASE";
    case HEARTH_DHCP4_INFORM:
      return "DHCPINFORM";
    }
  return "unknown";
}

const char *
hearth_dhcp4_parse_result_to_string (HearthDhcp4ParseResult result)
{
  switch (result)
    {
    case HEARTH_DHCP4_PARSE_OK:
      return "ok";
    case HEARTH_DHCP4_PARSE_TOO_SHORT:
      return "message too short";
    case HEARTH_DHCP4_PARSE_TOO_LONG:
      return "message too long";
    case HEARTH_DHCP4_PARSE_BAD_HLEN:
      return "hardware address length over 16";
    case HEARTH_DHCP4_PARSE_BAD_OPTION:
      return "option runs past the end of its field";
    case HEARTH_DHCP4_PARSE_BAD_OVERLOAD:
      return "bad option overload value";
    case HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE:
      return "bad message type option";
    }
  return "unknown parse result";
}

/* ---- reader ---- */

typedef enum {
  AREA_OPTIONS,
  AREA_FILE,
  AREA_SNAME,
} Area;

typedef struct {
  gboolean copy;      /* FALSE: first pass (check and count); TRUE: second pass (copy) */
  guint overload_len; /* first pass, options field only: bytes of option 52 */
  guint8 overload;    /* its value when it is one byte */
} ScanState;

/* Walks one option area. In the first pass msg->length[] accumulates each
 * code's total; in the second it counts how much of each code has been
 * copied so far (from 0 again), which is where the next instance goes.
 * Option 52 is only honoured in the options field; inside file or sname
 * it is skipped, so that its value stays one byte. */
static HearthDhcp4ParseResult
scan_area (const guint8 *p, gsize size, Area area, HearthDhcp4Message *msg, ScanState *st)
{
  gsize pos = 0;

  while (size - pos > 0)
    {
      guint8 code = p[pos];
      guint8 len;

      if (code == HEARTH_DHCP4_OPT_PAD)
        {
          pos++;
          continue;
        }
      if (code == HEARTH_DHCP4_OPT_END)
        break;
      if (size - pos < 2)
        return HEARTH_DHCP4_PARSE_BAD_OPTION;
      len = p[pos + 1];
      if (size - pos - 2 < len)
        return HEARTH_DHCP4_PARSE_BAD_OPTION;

      if (code == HEARTH_DHCP4_OPT_OVERLOAD && area != AREA_OPTIONS)
        {
          pos += 2 + (gsize) len;
          continue;
        }

      if (!st->copy)
        {
          msg->present[code / 8] |= (guint8) (1u << (code % 8));
          msg->length[code] += len;
          if (code == HEARTH_DHCP4_OPT_OVERLOAD)
            {
              st->overload_len += len;
              if (len == 1)
                st->overload = p[pos + 2];
            }
        }
      else
        {
          memcpy (msg->data + msg->offset[code] + msg->length[code], p + pos + 2, len);
          msg->length[code] += len;
        }
      pos += 2 + (gsize) len;
    }
  return HEARTH_DHCP4_PARSE_OK;
}

/* One pass over every option area, in RFC 2131 order. The overload value
 * is checked after the options field of the first pass, before file and
 * sname are read. */
static HearthDhcp4ParseResult
scan_all (const guint8 *buf,
          gsize len,
          HearthDhcp4Message *msg,
          ScanState *st,
          guint8 *inout_overload)
{
  HearthDhcp4ParseResult r;

  r = scan_area (buf + OPTIONS_START, len - OPTIONS_START, AREA_OPTIONS, msg, st);
  if (r != HEARTH_DHCP4_PARSE_OK)
    return r;

  if (!st->copy && hearth_dhcp4_message_has_option (msg, HEARTH_DHCP4_OPT_OVERLOAD))
    {
      if (st->overload_len != 1 || st->overload < 1 || st->overload > 3)
        return HEARTH_DHCP4_PARSE_BAD_OVERLOAD;
      *inout_overload = st->overload;
    }

  if (*inout_overload & OVERLOAD_FILE)
    {
      r = scan_area (buf + OFF_FILE, FILE_LEN, AREA_FILE, msg, st);
      if (r != HEARTH_DHCP4_PARSE_OK)
        return r;
    }
  if (*inout_overload & OVERLOAD_SNAME)
    {
      r = scan_area (buf + OFF_SNAME, SNAME_LEN, AREA_SNAME, msg, st);
      if (r != HEARTH_DHCP4_PARSE_OK)
        return r;
    }
  return HEARTH_DHCP4_PARSE_OK;
}

static void
parse_header (const guint8 *buf, HearthDhcp4Header *h)
{
  h->op = buf[0];
  h->htype = buf[1];
  h->hlen = buf[2];
  h->hops = buf[3];
  h->xid = read_u32 (buf + OFF_XID);
  h->secs = read_u16 (buf + OFF_SECS);
  h->flags = read_u16 (buf + OFF_FLAGS);
  h->ciaddr = read_u32 (buf + OFF_CIADDR);
  h->yiaddr = read_u32 (buf + OFF_YIADDR);
  h->siaddr = read_u32 (buf + OFF_SIADDR);
  h->giaddr = read_u32 (buf + OFF_GIADDR);
  memcpy (h->chaddr, buf + OFF_CHADDR, sizeof h->chaddr);
  memcpy (h->sname, buf + OFF_SNAME, sizeof h->sname);
  memcpy (h->file, buf + OFF_FILE, sizeof h->file);
}

HearthDhcp4ParseResult
hearth_dhcp4_message_parse (const guint8 *buf, gsize len, HearthDhcp4Message *out)
{
  ScanState st = { 0 };
  guint8 overload = 0;
  HearthDhcp4ParseResult r;
  gsize total = 0;

  g_return_val_if_fail (buf != NULL || len == 0, HEARTH_DHCP4_PARSE_TOO_SHORT);
  g_return_val_if_fail (out != NULL, HEARTH_DHCP4_PARSE_TOO_SHORT);

  if (len > HEARTH_DHCP4_PACKET_MAX)
    return HEARTH_DHCP4_PARSE_TOO_LONG;
  if (len < HEARTH_DHCP4_FIXED_LEN)
    return HEARTH_DHCP4_PARSE_TOO_SHORT;
  if (buf[2] > sizeof out->header.chaddr)
    return HEARTH_DHCP4_PARSE_BAD_HLEN;

  parse_header (buf, &out->header);
  memset (out->present, 0, sizeof out->present);
  memset (out->offset, 0, sizeof out->offset);
  memset (out->length, 0, sizeof out->length);
  out->data_len = 0;
  out->type = HEARTH_DHCP4_NONE;

  /* Without the cookie (or with a wrong one) it is BOOTP: the vendor
   * area is not parsed, as dnsmasq does. */
  out->has_cookie =
      len >= OPTIONS_START && read_u32 (buf + HEARTH_DHCP4_FIXED_LEN) == HEARTH_DHCP4_COOKIE;
  if (!out->has_cookie)
    return HEARTH_DHCP4_PARSE_OK;

  r = scan_all (buf, len, out, &st, &overload);
  if (r != HEARTH_DHCP4_PARSE_OK)
    return r;

  /* Every option byte comes from the message, so the total is below
   * HEARTH_DHCP4_PACKET_MAX and fits the 16-bit offsets. */
  for (guint code = 0; code < 256; code++)
    {
      out->offset[code] = (guint16) total;
      total += out->length[code];
      out->length[code] = 0;
    }
  g_assert (total <= sizeof out->data);
  out->data_len = total;

  st.copy = TRUE;
  r = scan_all (buf, len, out, &st, &overload);
  g_assert (r == HEARTH_DHCP4_PARSE_OK);

  /* Overloaded fields carry options, not names. */
  if (overload & OVERLOAD_FILE)
    memset (out->header.file, 0, sizeof out->header.file);
  if (overload & OVERLOAD_SNAME)
    memset (out->header.sname, 0, sizeof out->header.sname);

  if (hearth_dhcp4_message_has_option (out, HEARTH_DHCP4_OPT_MESSAGE_TYPE))
    {
      guint8 type;

      if (!hearth_dhcp4_message_get_u8 (out, HEARTH_DHCP4_OPT_MESSAGE_TYPE, &type) ||
          type < HEARTH_DHCP4_DISCOVER || type > HEARTH_DHCP4_INFORM)
        return HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE;
      out->type = (HearthDhcp4MessageType) type;
    }
  return HEARTH_DHCP4_PARSE_OK;
}

gboolean
hearth_dhcp4_message_has_option (const HearthDhcp4Message *msg, guint8 code)
{
  return (msg->present[code / 8] & (1u << (code % 8))) != 0;
}

const guint8 *
hearth_dhcp4_message_get_option (const HearthDhcp4Message *msg, guint8 code, gsize *out_len)
{
  if (!hearth_dhcp4_message_has_option (msg, code))
    return NULL;
  if (out_len != NULL)
    *out_len = msg->length[code];
  return msg->data + msg->offset[code];
}

/* The option's bytes when it is exactly @want long. */
static const guint8 *
get_exact (const HearthDhcp4Message *msg, guint8 code, gsize want)
{
  const guint8 *p;
  gsize len;

  p = hearth_dhcp4_message_get_option (msg, code, &len);
  if (p == NULL || len != want)
    return NULL;
  return p;
}

gboolean
hearth_dhcp4_message_get_u8 (const HearthDhcp4Message *msg, guint8 code, guint8 *out_value)
{
  const guint8 *p = get_exact (msg, code, 1);

  if (p == NULL)
    return FALSE;
  *out_value = p[0];
  return TRUE;
}

gboolean
hearth_dhcp4_message_get_u16 (const HearthDhcp4Message *msg, guint8 code, guint16 *out_value)
{
  const guint8 *p = get_exact (msg, code, 2);

  if (p == NULL)
    return FALSE;
  *out_value = read_u16 (p);
  return TRUE;
}

gboolean
hearth_dhcp4_message_get_u32 (const HearthDhcp4Message *msg, guint8 code, guint32 *out_value)
{
  const guint8 *p = get_exact (msg, code, 4);

  if (p == NULL)
    return FALSE;
  *out_value = read_u32 (p);
  return TRUE;
}

gboolean
hearth_dhcp4_message_get_addr (const HearthDhcp4Message *msg, guint8 code, guint32 *out_addr)
{
  /* Addresses are big-endian on the wire like any 32-bit value. */
  return hearth_dhcp4_message_get_u32 (msg, code, out_addr);
}

/* ---- builder ---- */

void
hearth_dhcp4_builder_init (HearthDhcp4Builder *b, const HearthDhcp4Header *header)
{
  g_return_if_fail (b != NULL);
  g_return_if_fail (header != NULL);

  b->header = *header;
  b->n_options = 0;
  b->data_len = 0;
  b->overflow = FALSE;
}

static gint
builder_find (const HearthDhcp4Builder *b, guint8 code)
{
  for (guint i = 0; i < b->n_options; i++)
    if (b->codes[i] == code)
      return (gint) i;
  return -1;
}

/* Takes option @i's bytes out of the data buffer, keeping it compact;
 * the option itself keeps its slot with length 0. */
static void
builder_cut_data (HearthDhcp4Builder *b, guint i)
{
  gsize off = b->offsets[i];
  gsize len = b->lengths[i];

  if (len == 0)
    return;
  memmove (b->data + off, b->data + off + len, b->data_len - off - len);
  b->data_len -= len;
  for (guint j = 0; j < b->n_options; j++)
    if (b->offsets[j] > off)
      b->offsets[j] -= (guint16) len;
  b->offsets[i] = 0;
  b->lengths[i] = 0;
}

gboolean
hearth_dhcp4_builder_add (HearthDhcp4Builder *b, guint8 code, const void *data, gsize len)
{
  gint found;
  gsize kept;
  guint i;

  g_return_val_if_fail (b != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  /* PAD and END are not options; 52 is the builder's own business. */
  g_return_val_if_fail (code != HEARTH_DHCP4_OPT_PAD && code != HEARTH_DHCP4_OPT_END &&
                            code != HEARTH_DHCP4_OPT_OVERLOAD,
                        FALSE);

  found = builder_find (b, code);
  kept = b->data_len - (found >= 0 ? b->lengths[found] : 0);
  if (len > G_MAXUINT16 || sizeof b->data - kept < len ||
      (found < 0 && b->n_options >= HEARTH_DHCP4_BUILDER_MAX_OPTIONS))
    {
      b->overflow = TRUE;
      return FALSE;
    }

  if (found >= 0)
    {
      /* Replaced in place: the option keeps its position in the order. */
      i = (guint) found;
      builder_cut_data (b, i);
    }
  else
    {
      i = b->n_options++;
      b->codes[i] = code;
    }
  if (len > 0)
    memcpy (b->data + b->data_len, data, len);
  b->offsets[i] = (guint16) b->data_len;
  b->lengths[i] = (guint16) len;
  b->data_len += len;
  return TRUE;
}

gboolean
hearth_dhcp4_builder_add_u8 (HearthDhcp4Builder *b, guint8 code, guint8 value)
{
  return hearth_dhcp4_builder_add (b, code, &value, 1);
}

gboolean
hearth_dhcp4_builder_add_u16 (HearthDhcp4Builder *b, guint8 code, guint16 value)
{
  guint8 v[2];

  write_u16 (v, value);
  return hearth_dhcp4_builder_add (b, code, v, sizeof v);
}

gboolean
hearth_dhcp4_builder_add_u32 (HearthDhcp4Builder *b, guint8 code, guint32 value)
{
  guint8 v[4];

  write_u32 (v, value);
  return hearth_dhcp4_builder_add (b, code, v, sizeof v);
}

gboolean
hearth_dhcp4_builder_add_addr (HearthDhcp4Builder *b, guint8 code, guint32 addr_host_order)
{
  return hearth_dhcp4_builder_add_u32 (b, code, addr_host_order);
}

gboolean
hearth_dhcp4_builder_has (const HearthDhcp4Builder *b, guint8 code)
{
  return builder_find (b, code) >= 0;
}

void
hearth_dhcp4_builder_remove (HearthDhcp4Builder *b, guint8 code)
{
  gint found = builder_find (b, code);
  guint i;

  if (found < 0)
    return;
  i = (guint) found;
  builder_cut_data (b, i);
  memmove (b->codes + i, b->codes + i + 1, (b->n_options - i - 1) * sizeof b->codes[0]);
  memmove (b->offsets + i, b->offsets + i + 1, (b->n_options - i - 1) * sizeof b->offsets[0]);
  memmove (b->lengths + i, b->lengths + i + 1, (b->n_options - i - 1) * sizeof b->lengths[0]);
  b->n_options--;
}

#define AREA_DROPPED 0xff
#define N_AREAS 3

/* Where each option goes. Areas are indexed by the Area enum; an area
 * with capacity 0 is not used. */
typedef struct {
  gsize cap[N_AREAS]; /* bytes for options, the END byte excluded */
  gsize used[N_AREAS];
  guint8 area_of[HEARTH_DHCP4_BUILDER_MAX_OPTIONS];
  guint dropped;
} Layout;

/* Bytes an option of @len data bytes takes on the wire: a code and a
 * length byte per instance of at most 255 bytes. */
static gsize
encoded_size (gsize len)
{
  if (len == 0)
    return 2;
  return len + 2 * ((len + 254) / 255);
}

/* Option indices in wire order: 53, 54, then the rest as added. Returns
 * how many of the first entries are 53 and 54. */
static guint
builder_order (const HearthDhcp4Builder *b, guint *order)
{
  guint n = 0;
  guint n_first;
  gint i;

  i = builder_find (b, HEARTH_DHCP4_OPT_MESSAGE_TYPE);
  if (i >= 0)
    order[n++] = (guint) i;
  i = builder_find (b, HEARTH_DHCP4_OPT_SERVER_ID);
  if (i >= 0)
    order[n++] = (guint) i;
  n_first = n;
  for (guint j = 0; j < b->n_options; j++)
    if (b->codes[j] != HEARTH_DHCP4_OPT_MESSAGE_TYPE && b->codes[j] != HEARTH_DHCP4_OPT_SERVER_ID)
      order[n++] = j;
  return n_first;
}

/* First fit, in order: an option goes into the first area with room for
 * all of it, else it is dropped. Options added earlier have the first
 * claim on the room, so it is the later ones that lose out. */
static void
layout_place (const HearthDhcp4Builder *b, const guint *order, Layout *l)
{
  for (guint k = 0; k < b->n_options; k++)
    {
      guint i = order[k];
      gsize size = encoded_size (b->lengths[i]);

      l->area_of[i] = AREA_DROPPED;
      for (guint a = 0; a < N_AREAS; a++)
        {
          if (l->cap[a] - l->used[a] >= size)
            {
              l->area_of[i] = (guint8) a;
              l->used[a] += size;
              break;
            }
        }
      if (l->area_of[i] == AREA_DROPPED)
        l->dropped++;
    }
}

static gsize
write_option (guint8 *p, guint8 code, const guint8 *data, gsize len)
{
  gsize pos = 0;

  if (len == 0)
    {
      p[pos++] = code;
      p[pos++] = 0;
      return pos;
    }
  while (len > 0)
    {
      gsize chunk = MIN (len, 255);

      p[pos++] = code;
      p[pos++] = (guint8) chunk;
      memcpy (p + pos, data, chunk);
      pos += chunk;
      data += chunk;
      len -= chunk;
    }
  return pos;
}

/* Writes the options placed in @area at @p, then END, then zeros up to
 * @size (for file and sname; the options field is handled by the
 * caller). */
static void
write_area (const HearthDhcp4Builder *b,
            const guint *order,
            const Layout *l,
            Area area,
            guint8 *p,
            gsize size)
{
  gsize pos = 0;

  for (guint k = 0; k < b->n_options; k++)
    {
      guint i = order[k];

      if (l->area_of[i] == area)
        pos += write_option (p + pos, b->codes[i], b->data + b->offsets[i], b->lengths[i]);
    }
  p[pos++] = HEARTH_DHCP4_OPT_END;
  memset (p + pos, 0, size - pos);
}

gsize
hearth_dhcp4_builder_finish (HearthDhcp4Builder *b,
                             gboolean allow_overload,
                             guint8 *out,
                             gsize max_len,
                             guint *out_dropped)
{
  guint order[HEARTH_DHCP4_BUILDER_MAX_OPTIONS];
  Layout plain = { 0 };
  Layout over = { 0 };
  const Layout *l = &plain;
  guint8 overload = 0;
  guint n_first;
  gsize pos;
  const HearthDhcp4Header *h;

  g_return_val_if_fail (b != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  max_len = CLAMP (max_len, HEARTH_DHCP4_MIN_REPLY_LEN, HEARTH_DHCP4_PACKET_MAX);
  n_first = builder_order (b, order);

  plain.cap[AREA_OPTIONS] = max_len - OPTIONS_START - 1;
  layout_place (b, order, &plain);

  if (plain.dropped > 0 && allow_overload && b->header.file[0] == 0)
    {
      over.cap[AREA_OPTIONS] = plain.cap[AREA_OPTIONS] - 3; /* option 52 */
      over.cap[AREA_FILE] = FILE_LEN - 1;
      if (b->header.sname[0] == 0)
        over.cap[AREA_SNAME] = SNAME_LEN - 1;
      layout_place (b, order, &over);
      if (over.used[AREA_FILE] > 0)
        overload |= OVERLOAD_FILE;
      if (over.used[AREA_SNAME] > 0)
        overload |= OVERLOAD_SNAME;
      /* Overloading only when it pays: the placement can differ, and a
       * plain reply with as many options is the safer one. */
      if (overload != 0 && over.dropped < plain.dropped)
        l = &over;
      else
        overload = 0;
    }

  h = &b->header;
  out[0] = h->op;
  out[1] = h->htype;
  out[2] = h->hlen;
  out[3] = h->hops;
  write_u32 (out + OFF_XID, h->xid);
  write_u16 (out + OFF_SECS, h->secs);
  write_u16 (out + OFF_FLAGS, h->flags);
  write_u32 (out + OFF_CIADDR, h->ciaddr);
  write_u32 (out + OFF_YIADDR, h->yiaddr);
  write_u32 (out + OFF_SIADDR, h->siaddr);
  write_u32 (out + OFF_GIADDR, h->giaddr);
  memcpy (out + OFF_CHADDR, h->chaddr, sizeof h->chaddr);
  memcpy (out + OFF_SNAME, h->sname, sizeof h->sname);
  memcpy (out + OFF_FILE, h->file, sizeof h->file);
  write_u32 (out + HEARTH_DHCP4_FIXED_LEN, HEARTH_DHCP4_COOKIE);

  /* Options field: 53 and 54, then 52, then the rest. */
  pos = OPTIONS_START;
  for (guint k = 0; k < b->n_options; k++)
    {
      guint i = order[k];

      if (k == n_first && overload != 0)
        pos += write_option (out + pos, HEARTH_DHCP4_OPT_OVERLOAD, &overload, 1);
      if (l->area_of[i] == AREA_OPTIONS)
        pos += write_option (out + pos, b->codes[i], b->data + b->offsets[i], b->lengths[i]);
    }
  if (n_first == b->n_options && overload != 0)
    pos += write_option (out + pos, HEARTH_DHCP4_OPT_OVERLOAD, &overload, 1);
  out[pos++] = HEARTH_DHCP4_OPT_END;
  g_assert (pos <= max_len);
  if (pos < HEARTH_DHCP4_MIN_REPLY_LEN)
    {
      memset (out + pos, 0, HEARTH_DHCP4_MIN_REPLY_LEN - pos);
      pos = HEARTH_DHCP4_MIN_REPLY_LEN;
    }

  if (overload & OVERLOAD_FILE)
    write_area (b, order, l, AREA_FILE, out + OFF_FILE, FILE_LEN);
  if (overload & OVERLOAD_SNAME)
    write_area (b, order, l, AREA_SNAME, out + OFF_SNAME, SNAME_LEN);

  if (out_dropped != NULL)
    *out_dropped = l->dropped;
  return pos;
}
