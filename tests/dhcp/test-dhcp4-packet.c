/* Unit tests of the DHCPv4 wire code: parsing of well-formed and malformed
 * messages (BOOTP, wrong cookie, truncation, overload, RFC 3396
 * concatenation), the typed getters, and the reply builder (option order,
 * replacement, long options, padding, overload, dropping), checked by
 * parsing what it wrote.
 */
#include "config.h"

#include "dhcp/dhcp4-packet.h"

#include <string.h>

/* A tiny message writer for the tests, independent of the code under
 * test. */
typedef struct {
  guint8 b[HEARTH_DHCP4_PACKET_MAX + 16];
  gsize n;
} Msg;

static void
m_u8 (Msg *m, guint8 v)
{
  g_assert_cmpuint (m->n, <, sizeof m->b);
  m->b[m->n++] = v;
}

static void
m_u16 (Msg *m, guint16 v)
{
  m_u8 (m, v >> 8);
  m_u8 (m, v & 0xff);
}

static void
m_u32 (Msg *m, guint32 v)
{
  m_u16 (m, v >> 16);
  m_u16 (m, v & 0xffff);
}

static void
m_bytes (Msg *m, const void *data, gsize len)
{
  g_assert_cmpuint (sizeof m->b - m->n, >=, len);
  if (len == 0)
    return;
  memcpy (m->b + m->n, data, len);
  m->n += len;
}

static void
m_opt (Msg *m, guint8 code, const void *data, guint8 len)
{
  m_u8 (m, code);
  m_u8 (m, len);
  m_bytes (m, data, len);
}

static void
m_opt_u8 (Msg *m, guint8 code, guint8 v)
{
  m_opt (m, code, &v, 1);
}

/* The fixed header of a request from 52:54:00:12:34:56 through a relay
 * at 10.0.0.1, sname and file as given (NULL: zeros). */
static void
m_header (Msg *m, guint8 hlen, const char *sname, const char *file)
{
  static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
  guint8 field[128];

  m->n = 0;
  m_u8 (m, HEARTH_DHCP4_BOOTREQUEST);
  m_u8 (m, 1);    /* ethernet */
  m_u8 (m, hlen);
  m_u8 (m, 1);    /* hops */
  m_u32 (m, 0x12345678);
  m_u16 (m, 3);   /* secs */
  m_u16 (m, HEARTH_DHCP4_FLAG_BROADCAST);
  m_u32 (m, 0xc0a80102); /* ciaddr 192.168.1.2 */
  m_u32 (m, 0);
  m_u32 (m, 0xc0a80101); /* siaddr 192.168.1.1 */
  m_u32 (m, 0x0a000001); /* giaddr 10.0.0.1 */
  memset (field, 0, sizeof field);
  memcpy (field, mac, sizeof mac);
  m_bytes (m, field, 16);
  memset (field, 0, sizeof field);
  if (sname != NULL)
    memcpy (field, sname, strlen (sname));
  m_bytes (m, field, 64);
  memset (field, 0, sizeof field);
  if (file != NULL)
    memcpy (field, file, strlen (file));
  m_bytes (m, field, 128);
  g_assert_cmpuint (m->n, ==, HEARTH_DHCP4_FIXED_LEN);
}

static void
m_cookie (Msg *m)
{
  m_u32 (m, HEARTH_DHCP4_COOKIE);
}

/* Pads with zeros to @len (like real clients, to 300 bytes). */
static void
m_pad_to (Msg *m, gsize len)
{
  while (m->n < len)
    m_u8 (m, 0);
}

/* Writes @len bytes of options into the header's file or sname field. */
static void
m_field (Msg *m, gsize field_offset, gsize field_len, const guint8 *opts, gsize len)
{
  g_assert_cmpuint (len, <=, field_len);
  memset (m->b + field_offset, 0, field_len);
  memcpy (m->b + field_offset, opts, len);
}

#define OFF_SNAME 44
#define OFF_FILE 108

/* The message is big: one per test, static. */
static HearthDhcp4Message msg;
static HearthDhcp4Builder builder;
static guint8 out[HEARTH_DHCP4_PACKET_MAX];

static HearthDhcp4ParseResult
parse (const Msg *m)
{
  return hearth_dhcp4_message_parse (m->b, m->n, &msg);
}

static void
test_parse_discover (void)
{
  static const guint8 client_id[7] = { 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
  static const guint8 prl[4] = { 1, 3, 6, 15 };
  static const guint8 requested[4] = { 192, 168, 1, 50 };
  static const guint8 max_size[2] = { 0x05, 0xdc };
  Msg m;
  const guint8 *p;
  gsize len = 99;
  guint32 addr = 0;
  guint16 size = 0;

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_DISCOVER);
  m_opt (&m, HEARTH_DHCP4_OPT_CLIENT_ID, client_id, sizeof client_id);
  m_opt (&m, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, requested, sizeof requested);
  m_u8 (&m, HEARTH_DHCP4_OPT_PAD);
  m_u8 (&m, HEARTH_DHCP4_OPT_PAD);
  m_opt (&m, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, max_size, sizeof max_size);
  m_opt (&m, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, sizeof prl);
  m_opt (&m, HEARTH_DHCP4_OPT_HOSTNAME, "host1", 5);
  m_u8 (&m, HEARTH_DHCP4_OPT_END);
  /* After END: garbage that must not be read as options. */
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_NETMASK, 1);
  m_pad_to (&m, 300);

  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (msg.has_cookie);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_DISCOVER);
  g_assert_cmpuint (msg.header.op, ==, HEARTH_DHCP4_BOOTREQUEST);
  g_assert_cmpuint (msg.header.htype, ==, 1);
  g_assert_cmpuint (msg.header.hlen, ==, 6);
  g_assert_cmpuint (msg.header.hops, ==, 1);
  g_assert_cmphex (msg.header.xid, ==, 0x12345678);
  g_assert_cmpuint (msg.header.secs, ==, 3);
  g_assert_cmphex (msg.header.flags, ==, HEARTH_DHCP4_FLAG_BROADCAST);
  g_assert_cmphex (msg.header.ciaddr, ==, 0xc0a80102);
  g_assert_cmphex (msg.header.yiaddr, ==, 0);
  g_assert_cmphex (msg.header.siaddr, ==, 0xc0a80101);
  g_assert_cmphex (msg.header.giaddr, ==, 0x0a000001);
  g_assert_cmphex (msg.header.chaddr[0], ==, 0x52);
  g_assert_cmphex (msg.header.chaddr[5], ==, 0x56);
  g_assert_cmphex (msg.header.chaddr[6], ==, 0);

  g_assert_true (hearth_dhcp4_message_get_addr (&msg, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, &addr));
  g_assert_cmphex (addr, ==, 0xc0a80132);
  g_assert_true (hearth_dhcp4_message_get_u16 (&msg, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, &size));
  g_assert_cmpuint (size, ==, 1500);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_PARAMETER_LIST, &len);
  g_assert_nonnull (p);
  g_assert_cmpmem (p, len, prl, sizeof prl);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_CLIENT_ID, &len);
  g_assert_cmpmem (p, len, client_id, sizeof client_id);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME, &len);
  g_assert_cmpmem (p, len, "host1", 5);

  /* Absent options, PAD and the one after END. */
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_NETMASK));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_PAD));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_END));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
  len = 99;
  g_assert_null (hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_ROUTER, &len));
  g_assert_cmpuint (len, ==, 99);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_MESSAGE_TYPE));
  g_assert_cmpuint (msg.data_len, ==, 1 + 7 + 4 + 2 + 4 + 5);

  g_assert_cmpstr (hearth_dhcp4_message_type_to_string (msg.type), ==, "DHCPDISCOVER");
}

static void
test_parse_bootp (void)
{
  Msg m;

  /* Exactly the fixed header: BOOTP. */
  m_header (&m, 6, "server", "boot/file");
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_false (msg.has_cookie);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_NONE);
  g_assert_cmpuint (msg.data_len, ==, 0);
  g_assert_cmpstr ((const char *) msg.header.sname, ==, "server");
  g_assert_cmpstr ((const char *) msg.header.file, ==, "boot/file");

  /* A vendor area of zeros, no cookie (RFC 951 BOOTP, 300 bytes). */
  m_pad_to (&m, 300);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_false (msg.has_cookie);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_NONE);

  /* Between 236 and 240: too short for a cookie, still BOOTP. */
  m_header (&m, 6, NULL, NULL);
  m_u8 (&m, 99);
  m_u8 (&m, 130);
  m_u8 (&m, 83);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_false (msg.has_cookie);

  /* The cookie and nothing else: DHCP framing, no options, type 0. */
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (msg.has_cookie);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_NONE);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_MESSAGE_TYPE));
  g_assert_cmpstr (hearth_dhcp4_message_type_to_string (msg.type), ==, "BOOTP");
}

static void
test_parse_wrong_cookie (void)
{
  Msg m;

  m_header (&m, 6, NULL, NULL);
  m_u32 (&m, 0x63825362);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_REQUEST);
  /* Would be a bad option if it were read. */
  m_u8 (&m, HEARTH_DHCP4_OPT_HOSTNAME);
  m_u8 (&m, 200);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_false (msg.has_cookie);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_NONE);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_MESSAGE_TYPE));
  g_assert_cmpuint (msg.data_len, ==, 0);
}

static void
test_parse_truncated (void)
{
  Msg m;

  m_header (&m, 6, NULL, NULL);
  m.n = HEARTH_DHCP4_FIXED_LEN - 1;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_TOO_SHORT);
  m.n = 0;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_TOO_SHORT);
  g_assert_cmpint (hearth_dhcp4_message_parse (NULL, 0, &msg), ==, HEARTH_DHCP4_PARSE_TOO_SHORT);
}

static void
test_parse_bad_option (void)
{
  Msg m;

  /* Length runs past the end of the message. */
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_DISCOVER);
  m_u8 (&m, HEARTH_DHCP4_OPT_HOSTNAME);
  m_u8 (&m, 10);
  m_bytes (&m, "abcde", 5);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OPTION);

  /* One byte short of fitting; then exactly fitting (no END needed). */
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_u8 (&m, HEARTH_DHCP4_OPT_HOSTNAME);
  m_u8 (&m, 5);
  m_bytes (&m, "abcde", 5);
  m.n--;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OPTION);
  m.n++;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));

  /* A code as the last byte, without its length. */
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_DISCOVER);
  m_u8 (&m, HEARTH_DHCP4_OPT_HOSTNAME);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OPTION);

  /* An option in the overloaded file field that runs past the field,
   * although the message goes on after it. */
  {
    guint8 file[128];

    memset (file, 'x', sizeof file);
    file[126] = HEARTH_DHCP4_OPT_HOSTNAME;
    file[127] = 4;
    m_header (&m, 6, NULL, NULL);
    file[0] = HEARTH_DHCP4_OPT_HOSTNAME;
    file[1] = 124;
    m_field (&m, OFF_FILE, 128, file, sizeof file);
    m_cookie (&m);
    m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 1);
    m_u8 (&m, HEARTH_DHCP4_OPT_END);
    m_pad_to (&m, 400);
    g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OPTION);
    /* The same field with the last option made to fit parses. */
    m.b[OFF_FILE + 127] = 0;
    g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
    g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  }
}

static void
test_parse_overload (void)
{
  static const guint8 file_opts[] = {
    HEARTH_DHCP4_OPT_HOSTNAME, 8, 'f', 'r', 'o', 'm', 'f', 'i', 'l', 'e',
    HEARTH_DHCP4_OPT_PAD,
    HEARTH_DHCP4_OPT_END,
    /* after END: ignored */
    HEARTH_DHCP4_OPT_NETMASK, 4, 255, 255, 255, 0,
  };
  static const guint8 sname_opts[] = {
    HEARTH_DHCP4_OPT_DOMAIN_NAME, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
    /* no END: the field ends it */
  };
  Msg m;
  const guint8 *p;
  gsize len;
  guint8 v;

  /* Both fields. */
  m_header (&m, 6, NULL, NULL);
  m_field (&m, OFF_FILE, 128, file_opts, sizeof file_opts);
  m_field (&m, OFF_SNAME, 64, sname_opts, sizeof sname_opts);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_REQUEST);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 3);
  m_u8 (&m, HEARTH_DHCP4_OPT_END);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_REQUEST);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME, &len);
  g_assert_cmpmem (p, len, "fromfile", 8);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_DOMAIN_NAME, &len);
  g_assert_cmpmem (p, len, "example", 7);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_NETMASK));
  g_assert_true (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_OVERLOAD, &v));
  g_assert_cmpuint (v, ==, 3);
  for (guint i = 0; i < sizeof msg.header.file; i++)
    g_assert_cmpuint (msg.header.file[i], ==, 0);
  for (guint i = 0; i < sizeof msg.header.sname; i++)
    g_assert_cmpuint (msg.header.sname[i], ==, 0);

  /* File only: sname stays a name, and options in it are not read. */
  m_header (&m, 6, NULL, NULL);
  m_field (&m, OFF_FILE, 128, file_opts, sizeof file_opts);
  m_field (&m, OFF_SNAME, 64, (const guint8 *) "\x0f\x03srv", 5);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 1);
  m_u8 (&m, HEARTH_DHCP4_OPT_END);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_DOMAIN_NAME));
  g_assert_cmpmem (msg.header.sname, 5, "\x0f\x03srv", 5);
  g_assert_cmpuint (msg.header.file[0], ==, 0);

  /* Sname only: file stays a name. */
  m_header (&m, 6, NULL, "pxelinux.0");
  m_field (&m, OFF_SNAME, 64, sname_opts, sizeof sname_opts);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 2);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_DOMAIN_NAME));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_cmpstr ((const char *) msg.header.file, ==, "pxelinux.0");
  g_assert_cmpuint (msg.header.sname[0], ==, 0);

  /* Without option 52 the fields are names even if they look like options. */
  m_header (&m, 6, NULL, NULL);
  m_field (&m, OFF_FILE, 128, file_opts, sizeof file_opts);
  m_cookie (&m);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_cmpuint (msg.header.file[0], ==, HEARTH_DHCP4_OPT_HOSTNAME);
}

static void
test_parse_concatenation (void)
{
  /* In file: the third part of 43, and a 52 that must not be honoured. */
  static const guint8 file_opts[] = {
    HEARTH_DHCP4_OPT_VENDOR, 3, 'g', 'h', 'i',
    HEARTH_DHCP4_OPT_OVERLOAD, 1, 2,
    HEARTH_DHCP4_OPT_END,
  };
  static const guint8 sname_opts[] = {
    HEARTH_DHCP4_OPT_VENDOR, 2, 'j', 'k',
    HEARTH_DHCP4_OPT_END,
  };
  guint8 big[255];
  Msg m;
  const guint8 *p;
  gsize len;
  guint8 v;

  m_header (&m, 6, NULL, NULL);
  m_field (&m, OFF_FILE, 128, file_opts, sizeof file_opts);
  m_field (&m, OFF_SNAME, 64, sname_opts, sizeof sname_opts);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_VENDOR, "abc", 3);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_REQUEST);
  m_opt (&m, HEARTH_DHCP4_OPT_VENDOR, "def", 3);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 1);
  m_u8 (&m, HEARTH_DHCP4_OPT_END);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  /* Options field first, then file; sname is not overloaded. */
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_VENDOR, &len);
  g_assert_cmpmem (p, len, "abcdefghi", 9);
  g_assert_true (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_OVERLOAD, &v));
  g_assert_cmpuint (v, ==, 1);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_REQUEST);

  /* With sname overloaded too, its part comes last. */
  m.b[m.n - 2] = 3;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_VENDOR, &len);
  g_assert_cmpmem (p, len, "abcdefghijk", 11);

  /* A concatenated option longer than 255. */
  memset (big, 'z', sizeof big);
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, big, 255);
  m_opt (&m, HEARTH_DHCP4_OPT_HOSTNAME, "h", 1);
  m_opt (&m, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, big, 255);
  m_opt (&m, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, "end", 3);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, &len);
  g_assert_cmpuint (len, ==, 513);
  g_assert_cmpmem (p, 255, big, 255);
  g_assert_cmpmem (p + 255, 255, big, 255);
  g_assert_cmpmem (p + 510, 3, "end", 3);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME, &len);
  g_assert_cmpmem (p, len, "h", 1);
}

static void
test_parse_bad_overload (void)
{
  static const guint8 two[2] = { 1, 1 };
  Msg m;

  for (guint value = 0; value < 256; value += 1)
    {
      if (value >= 1 && value <= 3)
        continue;
      m_header (&m, 6, NULL, NULL);
      m_cookie (&m);
      m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, (guint8) value);
      g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OVERLOAD);
    }

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_OVERLOAD, two, 2);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OVERLOAD);

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_OVERLOAD, NULL, 0);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OVERLOAD);

  /* Two one-byte instances concatenate into two bytes: bad too. */
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 1);
  m_opt_u8 (&m, HEARTH_DHCP4_OPT_OVERLOAD, 1);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_OVERLOAD);
}

static void
test_parse_bad_message_type (void)
{
  static const guint8 two[2] = { 1, 0 };
  Msg m;

  for (guint value = 0; value < 256; value++)
    {
      HearthDhcp4ParseResult r;

      m_header (&m, 6, NULL, NULL);
      m_cookie (&m);
      m_opt_u8 (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, (guint8) value);
      r = parse (&m);
      if (value >= 1 && value <= 8)
        {
          g_assert_cmpint (r, ==, HEARTH_DHCP4_PARSE_OK);
          g_assert_cmpint (msg.type, ==, (gint) value);
        }
      else
        g_assert_cmpint (r, ==, HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE);
    }

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, two, 2);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE);

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_MESSAGE_TYPE, NULL, 0);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE);
}

static void
test_parse_hlen (void)
{
  Msg m;

  m_header (&m, 17, NULL, NULL);
  m_cookie (&m);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_HLEN);
  m.b[2] = 255;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_BAD_HLEN);
  m.b[2] = 16;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_cmpuint (msg.header.hlen, ==, 16);
  m.b[2] = 0;
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
}

static void
test_parse_too_long (void)
{
  static Msg m;
  guint8 big[255];
  const guint8 *p;
  gsize len;

  /* The longest message: options filling everything up to 8192. */
  memset (big, 'q', sizeof big);
  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  while (HEARTH_DHCP4_PACKET_MAX - m.n >= 257)
    m_opt (&m, HEARTH_DHCP4_OPT_VENDOR, big, 255);
  m_pad_to (&m, HEARTH_DHCP4_PACKET_MAX);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_VENDOR, &len);
  g_assert_nonnull (p);
  g_assert_cmpuint (len, ==, 255 * ((HEARTH_DHCP4_PACKET_MAX - 240) / 257));
  g_assert_cmpuint (msg.data_len, ==, len);
  g_assert_cmpuint (p[len - 1], ==, 'q');

  m_u8 (&m, 0);
  g_assert_cmpuint (m.n, ==, HEARTH_DHCP4_PACKET_MAX + 1);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_TOO_LONG);
}

static void
test_getters (void)
{
  static const guint8 three[3] = { 0, 0, 1 };
  static const guint8 four[4] = { 0x00, 0x01, 0x51, 0x80 };
  static const guint8 two[2] = { 0x02, 0x40 };
  Msg m;
  const guint8 *p;
  gsize len = 99;
  guint8 u8 = 7;
  guint16 u16 = 7;
  guint32 u32 = 7;

  m_header (&m, 6, NULL, NULL);
  m_cookie (&m);
  m_opt (&m, HEARTH_DHCP4_OPT_LEASE_TIME, three, sizeof three);
  m_opt (&m, HEARTH_DHCP4_OPT_T1, four, sizeof four);
  m_opt (&m, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, two, sizeof two);
  m_opt (&m, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL, 0);
  m_opt (&m, HEARTH_DHCP4_OPT_ROUTER, four, sizeof four);
  m_u8 (&m, HEARTH_DHCP4_OPT_END);
  g_assert_cmpint (parse (&m), ==, HEARTH_DHCP4_PARSE_OK);

  /* Wrong lengths: FALSE, output untouched. */
  g_assert_false (hearth_dhcp4_message_get_u32 (&msg, HEARTH_DHCP4_OPT_LEASE_TIME, &u32));
  g_assert_false (hearth_dhcp4_message_get_addr (&msg, HEARTH_DHCP4_OPT_LEASE_TIME, &u32));
  g_assert_false (hearth_dhcp4_message_get_u16 (&msg, HEARTH_DHCP4_OPT_T1, &u16));
  g_assert_false (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, &u8));
  g_assert_false (hearth_dhcp4_message_get_u32 (&msg, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, &u32));
  g_assert_false (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_RAPID_COMMIT, &u8));
  g_assert_cmpuint (u8, ==, 7);
  g_assert_cmpuint (u16, ==, 7);
  g_assert_cmpuint (u32, ==, 7);
  /* Absent. */
  g_assert_false (hearth_dhcp4_message_get_u32 (&msg, HEARTH_DHCP4_OPT_T2, &u32));
  g_assert_false (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_MESSAGE_TYPE, &u8));

  /* Right lengths. */
  g_assert_true (hearth_dhcp4_message_get_u32 (&msg, HEARTH_DHCP4_OPT_T1, &u32));
  g_assert_cmpuint (u32, ==, 86400);
  g_assert_true (hearth_dhcp4_message_get_u16 (&msg, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, &u16));
  g_assert_cmpuint (u16, ==, 576);
  g_assert_true (hearth_dhcp4_message_get_addr (&msg, HEARTH_DHCP4_OPT_ROUTER, &u32));
  g_assert_cmphex (u32, ==, 0x00015180);

  /* Present but empty: non-NULL, length 0. */
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_RAPID_COMMIT, &len);
  g_assert_nonnull (p);
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_RAPID_COMMIT));
  g_assert_nonnull (hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL));
}

static void
test_to_string (void)
{
  static const char *const names[] = {
    "BOOTP", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
    "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (hearth_dhcp4_message_type_to_string ((HearthDhcp4MessageType) i), ==,
                     names[i]);
  for (guint r = HEARTH_DHCP4_PARSE_OK; r <= HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE; r++)
    {
      const char *s = hearth_dhcp4_parse_result_to_string ((HearthDhcp4ParseResult) r);

      g_assert_nonnull (s);
      g_assert_cmpstr (s, !=, "unknown parse result");
      for (guint q = HEARTH_DHCP4_PARSE_OK; q < r; q++)
        g_assert_cmpstr (hearth_dhcp4_parse_result_to_string ((HearthDhcp4ParseResult) q), !=, s);
    }
}

/* ---- builder ---- */

static void
reply_header (HearthDhcp4Header *h)
{
  memset (h, 0, sizeof *h);
  h->op = HEARTH_DHCP4_BOOTREPLY;
  h->htype = 1;
  h->hlen = 6;
  h->xid = 0xdeadbeef;
  h->flags = HEARTH_DHCP4_FLAG_BROADCAST;
  h->yiaddr = 0xc0a80132;
  h->siaddr = 0xc0a80101;
  h->giaddr = 0x0a000001;
  h->chaddr[0] = 0x52;
  h->chaddr[5] = 0x56;
}

/* Parses what the builder wrote, which must be a valid message. */
static void
reparse (gsize len)
{
  g_assert_cmpint (hearth_dhcp4_message_parse (out, len, &msg), ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_true (msg.has_cookie);
}

/* Checks that every option of the builder is in the parsed message with
 * the same bytes, and returns how many there were. */
static guint
assert_options_equal (void)
{
  for (guint i = 0; i < builder.n_options; i++)
    {
      const guint8 *p;
      gsize len;

      p = hearth_dhcp4_message_get_option (&msg, builder.codes[i], &len);
      g_assert_nonnull (p);
      g_assert_cmpmem (p, len, builder.data + builder.offsets[i], builder.lengths[i]);
    }
  return builder.n_options;
}

static void
test_builder_header (void)
{
  HearthDhcp4Header h;
  gsize len;

  reply_header (&h);
  memcpy (h.sname, "server", 6);
  memcpy (h.file, "boot.img", 8);
  hearth_dhcp4_builder_init (&builder, &h);
  hearth_dhcp4_builder_add_u8 (&builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_ACK);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 576, NULL);
  g_assert_cmpuint (len, ==, HEARTH_DHCP4_MIN_REPLY_LEN);

  /* Wire order of the header fields. */
  g_assert_cmpuint (out[0], ==, 2);
  g_assert_cmpuint (out[1], ==, 1);
  g_assert_cmpuint (out[2], ==, 6);
  g_assert_cmpmem (out + 4, 4, "\xde\xad\xbe\xef", 4);
  g_assert_cmpmem (out + 10, 2, "\x80\x00", 2);
  g_assert_cmpmem (out + 16, 4, "\xc0\xa8\x01\x32", 4);
  g_assert_cmpmem (out + 20, 4, "\xc0\xa8\x01\x01", 4);
  g_assert_cmpmem (out + 24, 4, "\x0a\x00\x00\x01", 4);
  g_assert_cmpmem (out + 236, 4, "\x63\x82\x53\x63", 4);
  g_assert_cmpmem (out + 240, 4, "\x35\x01\x05\xff", 4);
  for (gsize i = 244; i < len; i++)
    g_assert_cmpuint (out[i], ==, 0);

  reparse (len);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (msg.header.xid, ==, 0xdeadbeef);
  g_assert_cmphex (msg.header.flags, ==, HEARTH_DHCP4_FLAG_BROADCAST);
  g_assert_cmphex (msg.header.yiaddr, ==, 0xc0a80132);
  g_assert_cmphex (msg.header.giaddr, ==, 0x0a000001);
  g_assert_cmpstr ((const char *) msg.header.sname, ==, "server");
  g_assert_cmpstr ((const char *) msg.header.file, ==, "boot.img");
  g_assert_cmpmem (msg.header.chaddr, 16, h.chaddr, 16);
}

static void
test_builder_order (void)
{
  HearthDhcp4Header h;
  gsize len;
  guint dropped = 99;
  guint32 addr;

  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  g_assert_true (hearth_dhcp4_builder_add_addr (&builder, HEARTH_DHCP4_OPT_NETMASK, 0xffffff00));
  g_assert_true (hearth_dhcp4_builder_add_addr (&builder, HEARTH_DHCP4_OPT_ROUTER, 0xc0a80101));
  g_assert_true (hearth_dhcp4_builder_add_addr (&builder, HEARTH_DHCP4_OPT_SERVER_ID, 0xc0a80101));
  g_assert_true (hearth_dhcp4_builder_add_u32 (&builder, HEARTH_DHCP4_OPT_LEASE_TIME, 3600));
  g_assert_true (
      hearth_dhcp4_builder_add_u8 (&builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_OFFER));
  g_assert_true (hearth_dhcp4_builder_add_u16 (&builder, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, 1500));
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL, 0));
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 576, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpuint (len, ==, 300);

  /* 53, 54, then the order added. */
  {
    static const guint8 expect[] = {
      53, 1, 2,
      54, 4, 192, 168, 1, 1,
      1, 4, 255, 255, 255, 0,
      3, 4, 192, 168, 1, 1,
      51, 4, 0, 0, 0x0e, 0x10,
      57, 2, 0x05, 0xdc,
      80, 0,
      255,
    };
    g_assert_cmpmem (out + 240, sizeof expect, expect, sizeof expect);
  }

  reparse (len);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_OFFER);
  g_assert_cmpuint (assert_options_equal (), ==, 7);
  g_assert_true (hearth_dhcp4_message_get_addr (&msg, HEARTH_DHCP4_OPT_NETMASK, &addr));
  g_assert_cmphex (addr, ==, 0xffffff00);
}

static void
test_builder_replace (void)
{
  HearthDhcp4Header h;
  gsize len;
  const guint8 *p;
  gsize olen;

  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "a", 1));
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_DOMAIN_NAME, "lan", 3));
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_MESSAGE, "msg", 3));
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "longer", 6));
  g_assert_cmpuint (builder.n_options, ==, 3);
  g_assert_cmpuint (builder.data_len, ==, 12);
  g_assert_true (hearth_dhcp4_builder_has (&builder, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_false (hearth_dhcp4_builder_has (&builder, HEARTH_DHCP4_OPT_ROUTER));

  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 576, NULL);
  /* The replaced option kept its place. */
  g_assert_cmpmem (out + 240, 8, "\x0c\x06longer", 8);
  g_assert_cmpmem (out + 248, 5, "\x0f\x03lan", 5);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 3);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME, &olen);
  g_assert_cmpmem (p, olen, "longer", 6);

  /* Shorter again, then removal: the data stays compact. */
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_DOMAIN_NAME, "x", 1));
  g_assert_cmpuint (builder.data_len, ==, 10);
  hearth_dhcp4_builder_remove (&builder, HEARTH_DHCP4_OPT_HOSTNAME);
  hearth_dhcp4_builder_remove (&builder, HEARTH_DHCP4_OPT_ROUTER); /* absent: no-op */
  g_assert_false (hearth_dhcp4_builder_has (&builder, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_cmpuint (builder.n_options, ==, 2);
  g_assert_cmpuint (builder.data_len, ==, 4);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 576, NULL);
  g_assert_cmpmem (out + 240, 9, "\x0f\x01x\x38\x03msg\xff", 9);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_cmpuint (assert_options_equal (), ==, 2);
}

static void
test_builder_long_option (void)
{
  HearthDhcp4Header h;
  guint8 big[600];
  gsize len;
  const guint8 *p;
  gsize olen;
  guint dropped = 99;

  for (guint i = 0; i < sizeof big; i++)
    big[i] = (guint8) (i * 7);
  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  hearth_dhcp4_builder_add_u8 (&builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_ACK);
  g_assert_true (
      hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, big, sizeof big));
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "after", 5);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 1500, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  /* 3 + (2 + 255) + (2 + 255) + (2 + 90) + 7 + END */
  g_assert_cmpuint (len, ==, 240 + 3 + 606 + 7 + 1);

  /* Three instances: 255, 255, 90. */
  g_assert_cmpuint (out[243], ==, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES);
  g_assert_cmpuint (out[244], ==, 255);
  g_assert_cmpuint (out[243 + 257], ==, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES);
  g_assert_cmpuint (out[244 + 257], ==, 255);
  g_assert_cmpuint (out[243 + 514], ==, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES);
  g_assert_cmpuint (out[244 + 514], ==, 90);
  g_assert_cmpuint (out[243 + 606], ==, HEARTH_DHCP4_OPT_HOSTNAME);

  reparse (len);
  p = hearth_dhcp4_message_get_option (&msg, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, &olen);
  g_assert_cmpmem (p, olen, big, sizeof big);
  g_assert_cmpuint (assert_options_equal (), ==, 3);

  /* Exactly 255 and 510: one and two full instances. */
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, big, 255);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 1500, NULL);
  g_assert_cmpuint (out[244], ==, 255);
  g_assert_cmpuint (out[243 + 257], ==, HEARTH_DHCP4_OPT_HOSTNAME);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 3);
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_CLASSLESS_ROUTES, big, 510);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 1500, NULL);
  g_assert_cmpuint (out[244 + 257], ==, 255);
  g_assert_cmpuint (out[243 + 514], ==, HEARTH_DHCP4_OPT_HOSTNAME);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 3);
}

static void
test_builder_padding (void)
{
  HearthDhcp4Header h;
  gsize len;
  guint8 data[80];

  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  hearth_dhcp4_builder_add_u8 (&builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_NAK);
  memset (out, 0xaa, sizeof out);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 576, NULL);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (out[243], ==, HEARTH_DHCP4_OPT_END);
  for (gsize i = 244; i < 300; i++)
    g_assert_cmpuint (out[i], ==, 0);
  g_assert_cmpuint (out[300], ==, 0xaa); /* nothing written past the length */

  /* Longer than 300: no padding after END. */
  memset (data, 1, sizeof data);
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, data, sizeof data);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 576, NULL);
  g_assert_cmpuint (len, ==, 240 + 3 + 82 + 1);
  g_assert_cmpuint (out[len - 1], ==, HEARTH_DHCP4_OPT_END);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 2);
}

/* Adds 53, 54, then @n options of @size bytes (codes 100, 101, ...). */
static void
fill_builder (guint n, gsize size)
{
  HearthDhcp4Header h;
  guint8 data[255];

  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  hearth_dhcp4_builder_add_u8 (&builder, HEARTH_DHCP4_OPT_MESSAGE_TYPE, HEARTH_DHCP4_ACK);
  hearth_dhcp4_builder_add_addr (&builder, HEARTH_DHCP4_OPT_SERVER_ID, 0xc0a80101);
  for (guint i = 0; i < n; i++)
    {
      memset (data, (int) i + 1, size);
      g_assert_true (hearth_dhcp4_builder_add (&builder, (guint8) (100 + i), data, size));
    }
}

static void
test_builder_overload (void)
{
  gsize len;
  guint dropped = 99;
  guint8 v;

  /* 53 and 54 (9 bytes) and 9 options of 20 bytes (22 each on the wire):
   * far more than the 59 bytes a 300-byte reply has; with overload, 2 go
   * in the options field (56 - 9), 5 in file (127), 2 in sname (63). */
  fill_builder (9, 20);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (dropped, ==, 0);
  /* 53, 54, 52 first. */
  g_assert_cmpmem (out + 240, 12, "\x35\x01\x05\x36\x04\xc0\xa8\x01\x01\x34\x01\x03", 12);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 11);
  g_assert_true (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_OVERLOAD, &v));
  g_assert_cmpuint (v, ==, 3);
  g_assert_cmpuint (msg.header.file[0], ==, 0);
  g_assert_cmpuint (msg.header.sname[0], ==, 0);
  /* In order: the options field, then file, then sname; each field ends
   * with END and is padded with zeros. */
  g_assert_cmpuint (out[252], ==, 100);
  g_assert_cmpuint (out[274], ==, 101);
  g_assert_cmpuint (out[296], ==, HEARTH_DHCP4_OPT_END);
  g_assert_cmpuint (out[108], ==, 102);
  g_assert_cmpuint (out[108 + 4 * 22], ==, 106);
  g_assert_cmpuint (out[108 + 5 * 22], ==, HEARTH_DHCP4_OPT_END);
  for (gsize i = 108 + 5 * 22 + 1; i < 236; i++)
    g_assert_cmpuint (out[i], ==, 0);
  g_assert_cmpuint (out[44], ==, 107);
  g_assert_cmpuint (out[44 + 22], ==, 108);
  g_assert_cmpuint (out[44 + 2 * 22], ==, HEARTH_DHCP4_OPT_END);
  for (gsize i = 44 + 2 * 22 + 1; i < 108; i++)
    g_assert_cmpuint (out[i], ==, 0);

  /* Fewer options: the file field is enough, value 1, sname untouched. */
  fill_builder (5, 20);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 7);
  g_assert_true (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_OVERLOAD, &v));
  g_assert_cmpuint (v, ==, 1);

  /* A named server: only file is used. */
  fill_builder (10, 20);
  memcpy (builder.header.sname, "tftp.lan", 9);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (dropped, >, 0);
  reparse (len);
  g_assert_true (hearth_dhcp4_message_get_u8 (&msg, HEARTH_DHCP4_OPT_OVERLOAD, &v));
  g_assert_cmpuint (v, ==, 1);
  g_assert_cmpstr ((const char *) msg.header.sname, ==, "tftp.lan");
  g_assert_cmpuint (msg.header.file[0], ==, 0);

  /* Room enough in the options field: no overload. */
  fill_builder (10, 20);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 576, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
  g_assert_cmpuint (assert_options_equal (), ==, 12);

  /* Overload not allowed: options are dropped instead. */
  fill_builder (10, 20);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 300, &dropped);
  g_assert_cmpuint (len, ==, 300);
  /* 59 - 9 = 50 bytes: two options of 22 fit. */
  g_assert_cmpuint (dropped, ==, 8);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
  g_assert_true (hearth_dhcp4_message_has_option (&msg, 101));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, 102));
}

static void
test_builder_overload_edges (void)
{
  guint8 data[200];
  gsize len;
  guint dropped = 99;

  memset (data, 'e', sizeof data);

  /* Option 52 takes 3 bytes of the options field: an option that would
   * fill the field exactly without it goes into file instead. */
  fill_builder (0, 0);
  hearth_dhcp4_builder_add (&builder, 100, data, 48); /* 50 on the wire: 9 + 50 = 59 */
  hearth_dhcp4_builder_add (&builder, 101, data, 60);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpuint (out[108], ==, 100);
  g_assert_cmpuint (out[108 + 50], ==, 101);
  g_assert_cmpuint (out[252], ==, HEARTH_DHCP4_OPT_END);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 4);

  /* Overloading would not save anything (the big one fits nowhere): the
   * plain layout is kept. */
  fill_builder (0, 0);
  hearth_dhcp4_builder_add (&builder, 100, data, 48);
  hearth_dhcp4_builder_add (&builder, 101, data, 200);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (dropped, ==, 1);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
  g_assert_true (hearth_dhcp4_message_has_option (&msg, 100));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, 101));
  g_assert_cmpuint (out[249], ==, 100);

  /* Only 53 and 54 in the options field, the rest in file: 52 still
   * follows them. */
  fill_builder (0, 0);
  hearth_dhcp4_builder_add (&builder, 100, data, 100);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpmem (out + 249, 4, "\x34\x01\x01\xff", 4);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 3);
}

static void
test_builder_drop (void)
{
  gsize len;
  guint dropped = 99;
  guint present = 0;
  guint8 big[200];

  /* 20 options of 20 bytes (440): far more than 56 + 127 + 63. */
  fill_builder (20, 20);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (len, ==, 300);
  reparse (len);
  g_assert_cmpint (msg.type, ==, HEARTH_DHCP4_ACK);
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_SERVER_ID));
  /* 47 bytes left in the options field: 2 options; 127 in file: 5;
   * 63 in sname: 2. The last added are the ones left out. */
  for (guint i = 0; i < 20; i++)
    {
      if (hearth_dhcp4_message_has_option (&msg, (guint8) (100 + i)))
        {
          g_assert_cmpuint (i, <, 9);
          present++;
        }
    }
  g_assert_cmpuint (present, ==, 9);
  g_assert_cmpuint (dropped, ==, 11);
  g_assert_cmpuint (dropped + present, ==, 20);

  /* NULL is fine for the count. */
  g_assert_cmpuint (hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, NULL), ==, 300);

  /* An option too big for any area is dropped; a later small one still
   * goes in. */
  fill_builder (0, 0);
  memset (big, 'b', sizeof big);
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, sizeof big);
  hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "small", 5);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (dropped, ==, 1);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_VENDOR));
  g_assert_true (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_HOSTNAME));
  /* Nothing needed the extra fields: no overload. */
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
}

static void
test_builder_file_used (void)
{
  gsize len;
  guint dropped = 99;

  fill_builder (10, 20);
  memcpy (builder.header.file, "pxelinux.0", 11);
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, 300, &dropped);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (dropped, ==, 8);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_OVERLOAD));
  g_assert_cmpstr ((const char *) msg.header.file, ==, "pxelinux.0");
  g_assert_true (hearth_dhcp4_message_has_option (&msg, 100));
  g_assert_true (hearth_dhcp4_message_has_option (&msg, 101));
  g_assert_false (hearth_dhcp4_message_has_option (&msg, 102));
}

static void
test_builder_max_len (void)
{
  static guint8 big[HEARTH_DHCP4_PACKET_MAX];
  gsize len;
  guint dropped = 99;

  /* Below the minimum: 300 bytes are allowed anyway (59 for options). */
  fill_builder (2, 23);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 100, &dropped);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (dropped, ==, 0);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 4);
  g_assert_cmpuint (out[299], ==, HEARTH_DHCP4_OPT_END);
  /* One byte more is too much. */
  fill_builder (2, 24);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 0, &dropped);
  g_assert_cmpuint (len, ==, 300);
  g_assert_cmpuint (dropped, ==, 1);

  /* Above the maximum: clamped to HEARTH_DHCP4_PACKET_MAX. */
  fill_builder (0, 0);
  memset (big, 'v', sizeof big);
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, 7000));
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, G_MAXSIZE, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpuint (len, <=, HEARTH_DHCP4_PACKET_MAX);
  reparse (len);
  g_assert_cmpuint (assert_options_equal (), ==, 3);
  /* 7900 bytes take 7900 + 2 * 31 on the wire: over 8192 - 241 - 9. */
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, 7900));
  len = hearth_dhcp4_builder_finish (&builder, TRUE, out, G_MAXSIZE, &dropped);
  g_assert_cmpuint (dropped, ==, 1);
  g_assert_cmpuint (len, ==, 300);
  reparse (len);
  g_assert_false (hearth_dhcp4_message_has_option (&msg, HEARTH_DHCP4_OPT_VENDOR));

  /* The limit is honoured in between too. */
  fill_builder (10, 20);
  len = hearth_dhcp4_builder_finish (&builder, FALSE, out, 400, &dropped);
  g_assert_cmpuint (len, <=, 400);
  g_assert_cmpuint (dropped, ==, 4); /* 159 - 9 = 150: six options of 22 */
  reparse (len);
}

static void
test_builder_full (void)
{
  static guint8 big[HEARTH_DHCP4_PACKET_MAX + 1];
  HearthDhcp4Header h;

  reply_header (&h);
  hearth_dhcp4_builder_init (&builder, &h);
  g_assert_false (builder.overflow);
  g_assert_false (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, sizeof big));
  g_assert_true (builder.overflow);
  g_assert_false (hearth_dhcp4_builder_has (&builder, HEARTH_DHCP4_OPT_VENDOR));

  /* 8191 bytes, then 2 more do not fit, 1 does (exactly full); replacing
   * still works. */
  hearth_dhcp4_builder_init (&builder, &h);
  g_assert_true (
      hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, sizeof big - 2));
  g_assert_false (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "ab", 2));
  g_assert_true (builder.overflow);
  g_assert_true (hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_HOSTNAME, "a", 1));
  g_assert_true (
      hearth_dhcp4_builder_add (&builder, HEARTH_DHCP4_OPT_VENDOR, big, sizeof big - 2));
  g_assert_cmpuint (builder.data_len, ==, HEARTH_DHCP4_PACKET_MAX);

  /* Too many options. */
  hearth_dhcp4_builder_init (&builder, &h);
  for (guint i = 0; i < HEARTH_DHCP4_BUILDER_MAX_OPTIONS; i++)
    g_assert_true (hearth_dhcp4_builder_add_u8 (&builder, (guint8) (i + 60), 1));
  g_assert_false (builder.overflow);
  g_assert_false (hearth_dhcp4_builder_add_u8 (&builder, 200, 1));
  g_assert_true (builder.overflow);
  g_assert_true (hearth_dhcp4_builder_add_u8 (&builder, 60, 2)); /* replacing needs no slot */
  g_assert_cmpuint (builder.n_options, ==, HEARTH_DHCP4_BUILDER_MAX_OPTIONS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/packet/parse-discover", test_parse_discover);
  g_test_add_func ("/dhcp/packet/parse-bootp", test_parse_bootp);
  g_test_add_func ("/dhcp/packet/parse-wrong-cookie", test_parse_wrong_cookie);
  g_test_add_func ("/dhcp/packet/parse-truncated", test_parse_truncated);
  g_test_add_func ("/dhcp/packet/parse-bad-option", test_parse_bad_option);
  g_test_add_func ("/dhcp/packet/parse-overload", test_parse_overload);
  g_test_add_func ("/dhcp/packet/parse-concatenation", test_parse_concatenation);
  g_test_add_func ("/dhcp/packet/parse-bad-overload", test_parse_bad_overload);
  g_test_add_func ("/dhcp/packet/parse-bad-message-type", test_parse_bad_message_type);
  g_test_add_func ("/dhcp/packet/parse-hlen", test_parse_hlen);
  g_test_add_func ("/dhcp/packet/parse-too-long", test_parse_too_long);
  g_test_add_func ("/dhcp/packet/getters", test_getters);
  g_test_add_func ("/dhcp/packet/to-string", test_to_string);
  g_test_add_func ("/dhcp/packet/builder-header", test_builder_header);
  g_test_add_func ("/dhcp/packet/builder-order", test_builder_order);
  g_test_add_func ("/dhcp/packet/builder-replace", test_builder_replace);
  g_test_add_func ("/dhcp/packet/builder-long-option", test_builder_long_option);
  g_test_add_func ("/dhcp/packet/builder-padding", test_builder_padding);
  g_test_add_func ("/dhcp/packet/builder-overload", test_builder_overload);
  g_test_add_func ("/dhcp/packet/builder-overload-edges", test_builder_overload_edges);
  g_test_add_func ("/dhcp/packet/builder-drop", test_builder_drop);
  g_test_add_func ("/dhcp/packet/builder-file-used", test_builder_file_used);
  g_test_add_func ("/dhcp/packet/builder-max-len", test_builder_max_len);
  g_test_add_func ("/dhcp/packet/builder-full", test_builder_full);
  return g_test_run ();
}
