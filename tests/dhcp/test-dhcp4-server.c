/* Unit tests of the DHCPv4 message handler (src/dhcp/dhcp4-server.c).
 *
 * Every test drives hearth_dhcp4_server_handle() directly: a request is
 * built with the packet builder (op 1) or by hand, handed in with the
 * receiving interface and a simulated monotonic time, and the reply is
 * parsed back with hearth_dhcp4_message_parse() and checked field by
 * field. Configurations go through the real option parser
 * (hearth_config_parse_line() + hearth_dhcp_config_apply()), so what is
 * tested is what a dnsmasq.conf line does.
 *
 * The reference for behaviour is RFC 2131 and dnsmasq 2.90. Nothing here
 * opens a socket or sleeps: time moves by changing fx->now.
 */
#include "config.h"

#include "dhcp/dhcp4-server.h"

#include "config/config-parser.h"

#include <string.h>

#define SEC ((gint64) G_USEC_PER_SEC)
#define NO_REPLY (-1)
/* Raw option bytes (code, length, value...) from a string literal. */
#define TLV(s) (const guint8 *) (s), sizeof (s) - 1

static guint32
ip (guint a, guint b, guint c, guint d)
{
  return (a << 24) | (b << 16) | (c << 8) | d;
}

static char *
ip_str (guint32 a)
{
  return g_strdup_printf ("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

#define LAN(d) ip (192, 168, 1, (d))
#define SERVER LAN (1)

/* ---- the fixture: a server on eth0 (192.168.1.1/24) ---- */

typedef struct
{
  HearthDhcpConfig *config;
  HearthDhcpLeaseTable *leases;
  HearthDhcp4Server *srv;
  HearthDhcp4Subnet subnets[4];
  HearthDhcp4Request req;
  HearthDhcp4Message *scratch;
  HearthDhcp4Message *reply; /* the last reply, parsed (valid when out.len > 0) */
  guint8 out_buf[HEARTH_DHCP4_PACKET_MAX];
  HearthDhcp4Reply out;
  gint64 now;
  const char *domain; /* what hooks.domain_for answers */
  GString *events;    /* lease table events, one per line */
} Fx;

static const char *
fx_domain_for (guint32 addr, gpointer user_data)
{
  Fx *fx = user_data;

  return fx->domain;
}

static void
fx_lease_cb (HearthDhcpLeaseTable *table,
             HearthDhcpLeaseEvent event,
             HearthDhcpLease *lease,
             HearthDhcpLeaseReason reason,
             gpointer user_data)
{
  Fx *fx = user_data;
  g_autofree char *a = ip_str (lease->addr);
  static const char *reasons[] = { "client", "expired", "released", "admin", "loaded" };

  g_string_append_printf (fx->events, "%s %s %s %s\n", hearth_dhcp_lease_event_to_string (event), a,
                          lease->hostname != NULL ? lease->hostname : "-", reasons[reason]);
}

static void
fx_apply (HearthDhcpConfig *config, const char *line, guint n)
{
  g_autoptr (HearthConfigItem) item = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (hearth_config_parse_line (line, "test", n, &item, &error));
  g_assert_no_error (error);
  g_assert_nonnull (item);
  if (!hearth_dhcp_config_apply (config, item, &error))
    g_error ("config line '%s': %s", line, error->message);
}

/* A server with the given configuration lines (NULL-terminated). */
static Fx *
fx_new_full (gboolean dns_enabled, const char *const *lines)
{
  Fx *fx = g_new0 (Fx, 1);
  HearthDhcp4ServerHooks hooks = { 0 };
  g_autoptr (GError) error = NULL;

  fx->config = hearth_dhcp_config_new ();
  /* Exchanges are logged at info level; the tests read the replies. */
  fx_apply (fx->config, "quiet-dhcp", 0);
  for (guint i = 0; lines[i] != NULL; i++)
    fx_apply (fx->config, lines[i], i + 1);
  g_assert_true (hearth_dhcp_config_check (fx->config, &error));
  g_assert_no_error (error);
  fx->leases = hearth_dhcp_lease_table_new ();
  fx->events = g_string_new (NULL);
  hearth_dhcp_lease_table_set_func (fx->leases, fx_lease_cb, fx);
  hooks.domain_for = fx_domain_for;
  hooks.user_data = fx;
  hooks.dns_enabled = dns_enabled;
  fx->srv = hearth_dhcp4_server_new (fx->config, fx->leases, &hooks);
  fx->scratch = g_new0 (HearthDhcp4Message, 1);
  fx->reply = g_new0 (HearthDhcp4Message, 1);
  fx->subnets[0].addr = SERVER;
  fx->subnets[0].prefix_len = 24;
  fx->req.ifindex = 2;
  fx->req.ifname = "eth0";
  fx->req.subnets = fx->subnets;
  fx->req.n_subnets = 1;
  fx->req.mtu = 1500;
  fx->req.src_port = 68;
  fx->now = 1000 * SEC;
  return fx;
}

#define fx_new(...) fx_new_full (TRUE, (const char *const[]){ __VA_ARGS__, NULL })
#define fx_new_nodns(...) fx_new_full (FALSE, (const char *const[]){ __VA_ARGS__, NULL })

static void
fx_free (Fx *fx)
{
  hearth_dhcp4_server_free (fx->srv);
  hearth_dhcp_lease_table_set_func (fx->leases, NULL, NULL);
  hearth_dhcp_lease_table_free (fx->leases);
  hearth_dhcp_config_free (fx->config);
  g_string_free (fx->events, TRUE);
  g_free (fx->scratch);
  g_free (fx->reply);
  g_free (fx);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fx, fx_free)

/* ---- requests ---- */

typedef struct
{
  HearthDhcp4Builder b;
  gboolean no_cookie; /* plain BOOTP: no cookie, no options */
} Pkt;

static void
client_mac (guint client, guint8 *mac)
{
  mac[0] = 0x52;
  mac[1] = 0x54;
  mac[2] = 0x00;
  mac[3] = 0x00;
  mac[4] = (guint8) (client >> 8);
  mac[5] = (guint8) client;
}

/* A request from client @client (MAC 52:54:00:00:HH:LL). */
static Pkt *
pkt_new (HearthDhcp4MessageType type, guint client)
{
  Pkt *p = g_new0 (Pkt, 1);
  HearthDhcp4Header h = { 0 };

  h.op = HEARTH_DHCP4_BOOTREQUEST;
  h.htype = 1;
  h.hlen = 6;
  h.xid = 0x5a000000u | (client << 8) | (guint) type;
  client_mac (client, h.chaddr);
  hearth_dhcp4_builder_init (&p->b, &h);
  if (type != HEARTH_DHCP4_NONE)
    hearth_dhcp4_builder_add_u8 (&p->b, HEARTH_DHCP4_OPT_MESSAGE_TYPE, type);
  return p;
}

static void
pkt_opt (Pkt *p, guint8 code, const void *data, gsize len)
{
  g_assert_true (hearth_dhcp4_builder_add (&p->b, code, data, len));
}

static void
pkt_addr (Pkt *p, guint8 code, guint32 addr)
{
  g_assert_true (hearth_dhcp4_builder_add_addr (&p->b, code, addr));
}

static void
pkt_str (Pkt *p, guint8 code, const char *s)
{
  pkt_opt (p, code, s, strlen (s));
}

/* Several options at once from raw code/length/value bytes. */
static void
pkt_tlv (Pkt *p, const guint8 *tlv, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      g_assert_cmpuint (len - pos, >=, 2);
      g_assert_cmpuint (len - pos - 2, >=, tlv[pos + 1]);
      pkt_opt (p, tlv[pos], tlv + pos + 2, tlv[pos + 1]);
      pos += 2 + (gsize) tlv[pos + 1];
    }
}

/* Hands raw bytes to the server; returns the reply's message type
 * (HEARTH_DHCP4_NONE for a BOOTP reply) or NO_REPLY. Every reply must
 * parse, be a BOOTREPLY and carry the request's xid. */
static gint
fx_send_raw (Fx *fx, const guint8 *buf, gsize len)
{
  HearthDhcp4ParseResult r;

  fx->req.now = fx->now;
  memset (&fx->out, 0xa5, sizeof fx->out);
  hearth_dhcp4_server_handle (fx->srv, buf, len, &fx->req, fx->scratch, fx->out_buf, &fx->out);
  if (fx->out.len == 0)
    return NO_REPLY;
  g_assert_cmpuint (fx->out.len, <=, HEARTH_DHCP4_PACKET_MAX);
  g_assert_cmpuint (fx->out.len, >=, HEARTH_DHCP4_MIN_REPLY_LEN);
  r = hearth_dhcp4_message_parse (fx->out_buf, fx->out.len, fx->reply);
  g_assert_cmpint (r, ==, HEARTH_DHCP4_PARSE_OK);
  g_assert_cmpuint (fx->reply->header.op, ==, HEARTH_DHCP4_BOOTREPLY);
  g_assert_cmpmem (fx->out_buf + 4, 4, buf + 4, 4);
  g_assert_cmpuint (fx->out.type, ==, fx->reply->type);
  return fx->reply->type;
}

/* Sends @p (and frees it). */
static gint
fx_send (Fx *fx, Pkt *p)
{
  guint8 wire[HEARTH_DHCP4_PACKET_MAX];
  gsize len = hearth_dhcp4_builder_finish (&p->b, FALSE, wire, 1500, NULL);

  if (p->no_cookie)
    memset (wire + HEARTH_DHCP4_FIXED_LEN, 0, len - HEARTH_DHCP4_FIXED_LEN);
  g_free (p);
  return fx_send_raw (fx, wire, len);
}

/* ---- reading the reply ---- */

static gboolean
r_has (Fx *fx, guint8 code)
{
  return hearth_dhcp4_message_has_option (fx->reply, code);
}

static guint32
r_u32 (Fx *fx, guint8 code)
{
  guint32 v = 0;

  if (!hearth_dhcp4_message_get_u32 (fx->reply, code, &v))
    g_error ("reply option %u missing or not 4 bytes", code);
  return v;
}

static const guint8 *
r_opt (Fx *fx, guint8 code, gsize *len)
{
  const guint8 *p = hearth_dhcp4_message_get_option (fx->reply, code, len);

  if (p == NULL)
    g_error ("reply option %u missing", code);
  return p;
}

#define assert_r_opt(fx, code, bytes)                                                              \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gsize _len;                                                                                    \
    const guint8 *_p = r_opt ((fx), (code), &_len);                                                \
    g_assert_cmpmem (_p, _len, (bytes), sizeof (bytes) - 1);                                       \
  }                                                                                                \
  G_STMT_END

static guint32
yiaddr (Fx *fx)
{
  return fx->reply->header.yiaddr;
}

/* The code of the last option in the reply's options field (before END),
 * with its offset in out_buf. */
static guint8
r_last_option (Fx *fx, gsize *out_offset)
{
  gsize pos = HEARTH_DHCP4_FIXED_LEN + 4;
  guint8 last = 0;

  while (pos < fx->out.len && fx->out_buf[pos] != HEARTH_DHCP4_OPT_END)
    {
      if (fx->out_buf[pos] == HEARTH_DHCP4_OPT_PAD)
        {
          pos++;
          continue;
        }
      last = fx->out_buf[pos];
      *out_offset = pos;
      pos += 2 + (gsize) fx->out_buf[pos + 1];
    }
  g_assert_cmpuint (pos, <, fx->out.len);
  return last;
}

/* ---- whole exchanges ---- */

static const guint8 std_prl[] = { 1, 3, 6, 12, 15, 28, 42, 119 };

/* DISCOVER (OFFER expected) and REQUEST (ACK expected), both with
 * @extra options; returns the address leased. */
static guint32
fx_dora (Fx *fx, guint client, const guint8 *extra, gsize extra_len)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, client);
  guint32 offered;

  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, std_prl, sizeof std_prl);
  pkt_tlv (p, extra, extra_len);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  offered = yiaddr (fx);
  g_assert_cmphex (offered, !=, 0);
  p = pkt_new (HEARTH_DHCP4_REQUEST, client);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, std_prl, sizeof std_prl);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID));
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, offered);
  pkt_tlv (p, extra, extra_len);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, offered);
  g_assert_true (fx->out.durable);
  return offered;
}

static gint
fx_discover (Fx *fx, guint client)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, client);

  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, std_prl, sizeof std_prl);
  return fx_send (fx, p);
}

static gint
fx_discover_asking (Fx *fx, guint client, guint32 want)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, client);

  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, want);
  return fx_send (fx, p);
}

static HearthDhcpLease *
lease_of (Fx *fx, guint client)
{
  guint8 mac[6];

  client_mac (client, mac);
  return hearth_dhcp_lease_table_lookup_hwaddr (fx->leases, 1, mac, 6);
}

static HearthDhcp4ServerStats
fx_stats (Fx *fx)
{
  HearthDhcp4ServerStats s;

  hearth_dhcp4_server_get_stats (fx->srv, &s);
  return s;
}

static gboolean
in_pool (guint32 a, guint32 first, guint32 last)
{
  return a >= first && a <= last;
}

/* ---- DISCOVER / OFFER ---- */

static void
test_discover_offer (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,2h");
  static const guint8 prl[] = { 1, 3, 6, 28, 51, 58, 59 };
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  HearthDhcp4ServerStats st;
  guint8 mac[6];

  client_mac (1, mac);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, sizeof prl);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
  g_assert_cmphex (fx->reply->header.ciaddr, ==, 0);
  g_assert_cmphex (fx->reply->header.giaddr, ==, 0);
  g_assert_cmpuint (fx->reply->header.htype, ==, 1);
  g_assert_cmpuint (fx->reply->header.hlen, ==, 6);
  g_assert_cmpmem (fx->reply->header.chaddr, 6, mac, 6);
  /* 53 and 54 come first. */
  g_assert_cmpuint (fx->out_buf[240], ==, HEARTH_DHCP4_OPT_MESSAGE_TYPE);
  g_assert_cmpuint (fx->out_buf[243], ==, HEARTH_DHCP4_OPT_SERVER_ID);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_T1), ==, 3600);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_T2), ==, 6300);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_DNS_SERVER), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_BROADCAST), ==, LAN (255));
  /* No domain configured, no name known. */
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_DOMAIN_NAME));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_HOSTNAME));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_AGENT_INFO));

  /* Where it goes: the client has no address yet and did not ask for a
   * broadcast, so unicast to the offered address through an ARP entry. */
  g_assert_cmpint (fx->out.type, ==, HEARTH_DHCP4_OFFER);
  g_assert_cmpuint (fx->out.ifindex, ==, 2);
  g_assert_cmphex (fx->out.src_addr, ==, SERVER);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_true (fx->out.via_arp);
  g_assert_cmphex (fx->out.dst_addr, ==, yiaddr (fx));
  g_assert_cmpuint (fx->out.hwtype, ==, 1);
  g_assert_cmpuint (fx->out.hwlen, ==, 6);
  g_assert_cmpmem (fx->out.hwaddr, 6, mac, 6);
  g_assert_false (fx->out.durable);

  /* An offer is not a lease. */
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  g_assert_cmpstr (fx->events->str, ==, "");
  st = fx_stats (fx);
  g_assert_cmpuint (st.received, ==, 1);
  g_assert_cmpuint (st.offers, ==, 1);
  g_assert_cmpuint (st.by_type[HEARTH_DHCP4_DISCOVER], ==, 1);
  g_assert_cmpuint (st.malformed, ==, 0);
}

static void
test_discover_dns_disabled (void)
{
  g_autoptr (Fx) fx = fx_new_nodns ("dhcp-range=192.168.1.100,192.168.1.199");
  g_autoptr (Fx) fx2 = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");

  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_DNS_SERVER));
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, SERVER);
  /* Without a parameter request list every default is sent. */
  g_assert_cmpint (fx_send (fx2, pkt_new (HEARTH_DHCP4_DISCOVER, 1)), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (r_u32 (fx2, HEARTH_DHCP4_OPT_DNS_SERVER), ==, SERVER);
  g_assert_cmphex (r_u32 (fx2, HEARTH_DHCP4_OPT_ROUTER), ==, SERVER);
  /* Default lease time: one hour. */
  g_assert_cmpuint (r_u32 (fx2, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 3600);
  /* Asked for but not wanted: a list without 6 and 3 gets neither. */
  {
    Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, 2);

    pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x01\x1c", 2);
    g_assert_cmpint (fx_send (fx2, p), ==, HEARTH_DHCP4_OFFER);
    g_assert_false (r_has (fx2, HEARTH_DHCP4_OPT_DNS_SERVER));
    g_assert_false (r_has (fx2, HEARTH_DHCP4_OPT_ROUTER));
    g_assert_true (r_has (fx2, HEARTH_DHCP4_OPT_NETMASK));
  }
}

/* ---- REQUEST ---- */

static void
test_request_selecting (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,2h");
  guint32 a, b;
  HearthDhcpLease *l;
  g_autofree char *as = NULL;
  g_autofree char *expect = NULL;

  a = fx_dora (fx, 1, NULL, 0);
  as = ip_str (a);
  g_assert_true (in_pool (a, LAN (100), LAN (199)));
  g_assert_cmpint (fx->out.type, ==, HEARTH_DHCP4_ACK);
  g_assert_true (fx->out.durable);
  g_assert_true (fx->out.via_arp);
  g_assert_cmphex (fx->out.dst_addr, ==, a);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, SERVER);

  l = lease_of (fx, 1);
  g_assert_nonnull (l);
  g_assert_cmphex (l->addr, ==, a);
  g_assert_true (hearth_dhcp_lease_table_lookup_addr (fx->leases, a) == l);
  g_assert_cmpint (l->expires, ==, fx->now + 7200 * SEC);
  g_assert_cmpuint (l->length, ==, 7200);
  g_assert_cmpuint (l->ifindex, ==, 2);
  g_assert_cmpuint (l->range_id, ==, 1);
  g_assert_null (l->client_id);
  g_assert_null (l->hostname);
  expect = g_strdup_printf ("added %s - client\n", as);
  g_assert_cmpstr (fx->events->str, ==, expect);
  g_assert_cmpuint (fx_stats (fx).acks, ==, 1);

  /* A client identifier is kept with the lease. */
  b = fx_dora (fx, 2, TLV ("\x3d\x07\x01\x52\x54\x00\x00\x00\x02"));
  l = lease_of (fx, 2);
  g_assert_cmphex (l->addr, ==, b);
  g_assert_cmpmem (g_bytes_get_data (l->client_id, NULL), g_bytes_get_size (l->client_id),
                   "\x01\x52\x54\x00\x00\x00\x02", 7);
  g_assert_true (hearth_dhcp_lease_table_lookup_client_id (
                     fx->leases, (const guint8 *) "\x01\x52\x54\x00\x00\x00\x02", 7) == l);
  g_assert_cmphex (a, !=, b);
}

/* The client took another server's offer: no reply, and the address we
 * offered is free again at once. */
static void
test_request_other_server (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 x;
  Pkt *p;

  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  x = yiaddr (fx);
  /* While held for client 1 nobody else gets it. */
  g_assert_cmpint (fx_discover_asking (fx, 3, x), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, x);

  p = pkt_new (HEARTH_DHCP4_REQUEST, 1);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, LAN (2));
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, x);
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 1);

  g_assert_cmpint (fx_discover_asking (fx, 2, x), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, x);

  /* And a REQUEST for an address held for another client is refused. */
  p = pkt_new (HEARTH_DHCP4_REQUEST, 4);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, SERVER);
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, x);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NAK);
  g_assert_null (lease_of (fx, 4));
}

static gint
fx_init_reboot (Fx *fx, guint client, guint32 want)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_REQUEST, client);

  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, want);
  return fx_send (fx, p);
}

static void
assert_nak (Fx *fx)
{
  g_assert_cmpint (fx->out.type, ==, HEARTH_DHCP4_NAK);
  g_assert_cmphex (yiaddr (fx), ==, 0);
  g_assert_cmphex (fx->reply->header.ciaddr, ==, 0);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_true (r_has (fx, HEARTH_DHCP4_OPT_MESSAGE));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_LEASE_TIME));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_NETMASK));
  g_assert_false (fx->out.durable);
  g_assert_false (fx->out.via_arp);
  g_assert_cmphex (fx->out.dst_addr, ==, 0xffffffff);
}

static void
test_request_init_reboot (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 a, other;

  a = fx_dora (fx, 1, NULL, 0);
  other = a == LAN (150) ? LAN (151) : LAN (150);
  fx->now += 60 * SEC;

  /* Its own address: ACK, lease extended. */
  g_assert_cmpint (fx_init_reboot (fx, 1, a), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, a);
  g_assert_cmpint (lease_of (fx, 1)->expires, ==, fx->now + 3600 * SEC);

  /* Another address than its lease: NAK (RFC 2131 4.3.2). */
  g_assert_cmpint (fx_init_reboot (fx, 1, other), ==, HEARTH_DHCP4_NAK);
  assert_nak (fx);
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (fx->leases, other));

  /* An address on another network: NAK. */
  g_assert_cmpint (fx_init_reboot (fx, 1, ip (10, 9, 9, 9)), ==, HEARTH_DHCP4_NAK);
  assert_nak (fx);
  g_assert_cmpuint (fx_stats (fx).naks, ==, 2);

  /* A client we know nothing about: silent, as we are not authoritative,
   * whether the address is free, someone else's, or of another network
   * (which may be another server's). */
  g_assert_cmpint (fx_init_reboot (fx, 2, LAN (160)), ==, NO_REPLY);
  g_assert_cmpint (fx_init_reboot (fx, 2, a), ==, NO_REPLY);
  g_assert_cmpint (fx_init_reboot (fx, 2, ip (10, 99, 0, 5)), ==, NO_REPLY);
  g_assert_null (lease_of (fx, 2));
  g_assert_true (lease_of (fx, 1)->addr == a);
}

static void
test_request_init_reboot_authoritative (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-authoritative");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 free_addr = a == LAN (160) ? LAN (161) : LAN (160);

  /* Authoritative: an unknown client gets its address back if it is free
   * (a lost lease database heals), and a NAK otherwise. */
  g_assert_cmpint (fx_init_reboot (fx, 2, free_addr), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, free_addr);
  g_assert_cmphex (lease_of (fx, 2)->addr, ==, free_addr);
  g_assert_cmpint (fx_init_reboot (fx, 3, a), ==, HEARTH_DHCP4_NAK);
  assert_nak (fx);
  g_assert_cmpint (fx_init_reboot (fx, 3, ip (10, 9, 9, 9)), ==, HEARTH_DHCP4_NAK);
  g_assert_null (lease_of (fx, 3));
  g_assert_cmphex (lease_of (fx, 1)->addr, ==, a);
}

static gint
fx_renew (Fx *fx, guint client, guint32 ciaddr, gboolean unicast)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_REQUEST, client);
  gint r;

  p->b.header.ciaddr = ciaddr;
  fx->req.unicast = unicast;
  fx->req.src_addr = ciaddr;
  r = fx_send (fx, p);
  fx->req.unicast = FALSE;
  fx->req.src_addr = 0;
  return r;
}

static void
test_request_renewing (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,1h");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 stranger = a == LAN (170) ? LAN (171) : LAN (170);
  g_autofree char *as = ip_str (a);
  g_autofree char *changed = g_strdup_printf ("changed %s - client\n", as);

  /* RENEWING: unicast from ciaddr at T1. */
  fx->now += 1800 * SEC;
  g_string_truncate (fx->events, 0);
  g_assert_cmpint (fx_renew (fx, 1, a, TRUE), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, a);
  g_assert_cmphex (fx->reply->header.ciaddr, ==, a);
  g_assert_cmphex (fx->out.dst_addr, ==, a);
  g_assert_false (fx->out.via_arp);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_true (fx->out.durable);
  g_assert_cmpint (lease_of (fx, 1)->expires, ==, fx->now + 3600 * SEC);
  g_assert_cmpstr (fx->events->str, ==, changed);

  /* REBINDING: broadcast, still answered to ciaddr. */
  fx->now += 3200 * SEC;
  g_assert_cmpint (fx_renew (fx, 1, a, FALSE), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->out.dst_addr, ==, a);
  g_assert_false (fx->out.via_arp);
  g_assert_cmpint (lease_of (fx, 1)->expires, ==, fx->now + 3600 * SEC);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 1);

  /* Renewing an address we have no lease for: a broadcast (rebinding,
   * perhaps another server's lease) is ignored, a unicast gets a NAK. */
  g_assert_cmpint (fx_renew (fx, 2, stranger, FALSE), ==, NO_REPLY);
  g_assert_cmpint (fx_renew (fx, 2, stranger, TRUE), ==, HEARTH_DHCP4_NAK);
  assert_nak (fx);
  g_assert_null (lease_of (fx, 2));
  /* Renewing another address than its lease. */
  g_assert_cmpint (fx_renew (fx, 1, stranger, TRUE), ==, HEARTH_DHCP4_NAK);
  g_assert_cmphex (lease_of (fx, 1)->addr, ==, a);
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (fx->leases, stranger));
}

static void
test_request_renewing_authoritative (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,1h", "dhcp-authoritative");

  /* Authoritative: the lease database was lost; the renewal recreates it. */
  g_assert_cmpint (fx_renew (fx, 2, LAN (170), TRUE), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, LAN (170));
  g_assert_cmphex (lease_of (fx, 2)->addr, ==, LAN (170));
  g_assert_cmpint (lease_of (fx, 2)->expires, ==, fx->now + 3600 * SEC);
}

/* ---- RELEASE, DECLINE, INFORM ---- */

static gint
fx_release (Fx *fx, guint client, guint32 addr, guint32 server_id)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_RELEASE, client);

  p->b.header.ciaddr = addr;
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, server_id);
  return fx_send (fx, p);
}

static void
test_release (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 b = fx_dora (fx, 2, NULL, 0);
  g_autofree char *as = ip_str (a);
  g_autofree char *expect = g_strdup_printf ("removed %s - released\n", as);

  g_string_truncate (fx->events, 0);
  /* Someone else's lease is not released. */
  g_assert_cmpint (fx_release (fx, 2, a, SERVER), ==, NO_REPLY);
  g_assert_nonnull (lease_of (fx, 1));
  /* Addressed to another server: not ours to release. */
  g_assert_cmpint (fx_release (fx, 1, a, LAN (2)), ==, NO_REPLY);
  g_assert_nonnull (lease_of (fx, 1));
  g_assert_cmpstr (fx->events->str, ==, "");

  g_assert_cmpint (fx_release (fx, 1, a, SERVER), ==, NO_REPLY);
  g_assert_null (lease_of (fx, 1));
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (fx->leases, a));
  g_assert_cmpstr (fx->events->str, ==, expect);
  g_assert_cmphex (lease_of (fx, 2)->addr, ==, b);
  g_assert_cmpuint (fx_stats (fx).by_type[HEARTH_DHCP4_RELEASE], ==, 3);
  /* The address is free for anyone at once. */
  g_assert_cmpint (fx_discover_asking (fx, 3, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);
}

static gint
fx_decline (Fx *fx, guint client, guint32 addr)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_DECLINE, client);

  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, addr);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, SERVER);
  return fx_send (fx, p);
}

static void
test_decline (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 b = fx_dora (fx, 3, NULL, 0);
  g_autofree char *as = ip_str (a);
  g_autofree char *expect = g_strdup_printf ("removed %s - released\n", as);

  g_string_truncate (fx->events, 0);
  g_assert_cmpint (fx_decline (fx, 1, a), ==, NO_REPLY);
  g_assert_null (lease_of (fx, 1));
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (fx->leases, a));
  g_assert_cmpstr (fx->events->str, ==, expect);

  /* Quarantined: neither another client nor the one that declined gets it. */
  g_assert_cmpint (fx_discover_asking (fx, 2, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, a);
  g_assert_cmpint (fx_discover_asking (fx, 1, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, a);
  fx->now += (HEARTH_DHCP4_DECLINE_HOLD_SECONDS - 1) * SEC;
  g_assert_cmpint (fx_discover_asking (fx, 2, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, a);
  fx->now += 1 * SEC;
  g_assert_cmpint (fx_discover_asking (fx, 2, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);

  /* A client cannot decline someone else's lease. */
  g_assert_cmpint (fx_decline (fx, 4, b), ==, NO_REPLY);
  g_assert_cmphex (lease_of (fx, 3)->addr, ==, b);
  g_assert_cmpint (fx_discover_asking (fx, 3, b), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, b);
  /* Nor an address it was never given: no quarantine. */
  g_assert_null (hearth_dhcp_lease_table_lookup_addr (fx->leases, LAN (188)));
  g_assert_cmpint (fx_decline (fx, 4, LAN (188)), ==, NO_REPLY);
  g_assert_cmpint (fx_discover_asking (fx, 5, LAN (188)), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, LAN (188));
  /* An address offered to it (not yet leased) can be declined. */
  g_assert_cmpint (fx_decline (fx, 5, LAN (188)), ==, NO_REPLY);
  g_assert_cmpint (fx_discover_asking (fx, 6, LAN (188)), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, LAN (188));
}

static void
test_inform (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                              "dhcp-option=option:ntp-server,192.168.1.5");
  static const guint8 prl[] = { 1, 3, 6, 42, 51 };
  Pkt *p = pkt_new (HEARTH_DHCP4_INFORM, 1);

  p->b.header.ciaddr = LAN (50);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, sizeof prl);
  fx->req.unicast = TRUE;
  fx->req.src_addr = LAN (50);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, 0);
  g_assert_cmphex (fx->reply->header.ciaddr, ==, LAN (50));
  /* RFC 2131 3.4: no lease time in an ACK to INFORM. */
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_LEASE_TIME));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_T1));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_T2));
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_DNS_SERVER), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, 42), ==, LAN (5));
  g_assert_cmphex (fx->out.dst_addr, ==, LAN (50));
  g_assert_false (fx->out.via_arp);
  g_assert_false (fx->out.durable);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  g_assert_cmpstr (fx->events->str, ==, "");
}

/* ---- BOOTP ---- */

static void
test_bootp (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                              "dhcp-host=52:54:00:00:00:07,192.168.1.50,bootbox",
                              "dhcp-host=52:54:00:00:00:08,192.168.1.51");
  Pkt *p;
  HearthDhcpLease *l;

  /* No cookie at all. */
  p = pkt_new (HEARTH_DHCP4_NONE, 7);
  p->no_cookie = TRUE;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NONE);
  g_assert_cmphex (yiaddr (fx), ==, LAN (50));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_MESSAGE_TYPE));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_LEASE_TIME));
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00);
  g_assert_true (fx->out.durable);
  l = lease_of (fx, 7);
  g_assert_nonnull (l);
  g_assert_cmphex (l->addr, ==, LAN (50));
  g_assert_cmpuint (l->length, ==, HEARTH_DHCP_LEASE_INFINITE);
  g_assert_cmpint (l->expires, ==, HEARTH_DHCP_LEASE_NEVER);
  g_assert_cmpstr (l->hostname, ==, "bootbox");

  /* A cookie but no message type is BOOTP too. */
  p = pkt_new (HEARTH_DHCP4_NONE, 8);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NONE);
  g_assert_cmphex (yiaddr (fx), ==, LAN (51));
  g_assert_cmpint (lease_of (fx, 8)->expires, ==, HEARTH_DHCP_LEASE_NEVER);

  /* Without a reservation: nothing, unless --bootp-dynamic. */
  p = pkt_new (HEARTH_DHCP4_NONE, 9);
  p->no_cookie = TRUE;
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  g_assert_null (lease_of (fx, 9));
  g_assert_cmpuint (fx_stats (fx).by_type[HEARTH_DHCP4_NONE], ==, 3);
}

static void
test_bootp_dynamic (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "bootp-dynamic");
  Pkt *p = pkt_new (HEARTH_DHCP4_NONE, 9);
  HearthDhcpLease *l;

  p->no_cookie = TRUE;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NONE);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
  l = lease_of (fx, 9);
  g_assert_nonnull (l);
  g_assert_cmphex (l->addr, ==, yiaddr (fx));
  g_assert_cmpint (l->expires, ==, HEARTH_DHCP_LEASE_NEVER);
}

/* ---- rapid commit ---- */

static void
test_rapid_commit (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-rapid-commit");
  g_autoptr (Fx) off = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  Pkt *p;
  gsize len = 99;

  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL, 0);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  r_opt (fx, HEARTH_DHCP4_OPT_RAPID_COMMIT, &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (fx->out.durable);
  g_assert_nonnull (lease_of (fx, 1));
  g_assert_cmphex (lease_of (fx, 1)->addr, ==, yiaddr (fx));
  g_assert_true (g_str_has_prefix (fx->events->str, "added "));

  /* The client did not ask for it: the usual OFFER. */
  g_assert_cmpint (fx_discover (fx, 2), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_RAPID_COMMIT));
  g_assert_null (lease_of (fx, 2));

  /* Not configured: the usual OFFER. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_RAPID_COMMIT, NULL, 0);
  g_assert_cmpint (fx_send (off, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (off, HEARTH_DHCP4_OPT_RAPID_COMMIT));
  g_assert_cmpuint (hearth_dhcp_lease_table_size (off->leases), ==, 0);
}

/* ---- relays ---- */

static const char agent_info[] = "\x01\x04"
                                 "circ"
                                 "\x02\x03"
                                 "rem";

static Pkt *
relayed (HearthDhcp4MessageType type, guint client)
{
  Pkt *p = pkt_new (type, client);

  p->b.header.giaddr = ip (10, 20, 0, 1);
  p->b.header.hops = 1;
  return p;
}

static void
assert_agent_last (Fx *fx)
{
  gsize off = 0;

  g_assert_cmpuint (r_last_option (fx, &off), ==, HEARTH_DHCP4_OPT_AGENT_INFO);
  g_assert_cmpmem (fx->out_buf + off + 2, fx->out_buf[off + 1], agent_info, sizeof agent_info - 1);
}

static void
test_relay (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                              "dhcp-range=10.20.0.10,10.20.0.50,255.255.255.0,2h");
  static const guint8 prl[] = { 1, 3, 6, 28 };
  Pkt *p;
  guint32 a;
  HearthDhcpLease *l;

  p = relayed (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, sizeof prl);
  pkt_opt (p, HEARTH_DHCP4_OPT_AGENT_INFO, agent_info, sizeof agent_info - 1);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  a = yiaddr (fx);
  /* The range is chosen by giaddr, not by the receiving interface. */
  g_assert_true (in_pool (a, ip (10, 20, 0, 10), ip (10, 20, 0, 50)));
  g_assert_cmphex (fx->reply->header.giaddr, ==, ip (10, 20, 0, 1));
  g_assert_cmpuint (fx->reply->header.hops, ==, 0);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_BROADCAST), ==, ip (10, 20, 0, 255));
  /* The default router on a relayed subnet is the relay (dnsmasq). */
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, ip (10, 20, 0, 1));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  /* Back to the relay's server port; option 82 last and unchanged. */
  g_assert_cmphex (fx->out.dst_addr, ==, ip (10, 20, 0, 1));
  g_assert_cmpuint (fx->out.dst_port, ==, 67);
  g_assert_false (fx->out.via_arp);
  g_assert_cmphex (fx->out.src_addr, ==, SERVER);
  assert_agent_last (fx);

  p = relayed (HEARTH_DHCP4_REQUEST, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_AGENT_INFO, agent_info, sizeof agent_info - 1);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, SERVER);
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, a);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, a);
  g_assert_cmphex (fx->out.dst_addr, ==, ip (10, 20, 0, 1));
  assert_agent_last (fx);
  l = lease_of (fx, 1);
  g_assert_nonnull (l);
  g_assert_cmpuint (l->range_id, ==, 2);
  g_assert_nonnull (l->agent_info);
  g_assert_cmpmem (g_bytes_get_data (l->agent_info, NULL), g_bytes_get_size (l->agent_info),
                   agent_info, sizeof agent_info - 1);

  /* A NAK through a relay: to the relay, with the broadcast bit set so the
   * relay broadcasts it on the client's link. */
  p = relayed (HEARTH_DHCP4_REQUEST, 1);
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, ip (10, 30, 0, 5));
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NAK);
  g_assert_cmphex (fx->out.dst_addr, ==, ip (10, 20, 0, 1));
  g_assert_cmpuint (fx->out.dst_port, ==, 67);
  g_assert_cmphex (fx->reply->header.flags & HEARTH_DHCP4_FLAG_BROADCAST, ==,
                   HEARTH_DHCP4_FLAG_BROADCAST);

  /* At T1 the client renews by unicast straight to us, not through the
   * relay: no giaddr, ciaddr on the relay's subnet. */
  fx->now += 3600 * SEC;
  p = pkt_new (HEARTH_DHCP4_REQUEST, 1);
  p->b.header.ciaddr = a;
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, sizeof prl);
  fx->req.unicast = TRUE;
  fx->req.src_addr = a;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  fx->req.unicast = FALSE;
  fx->req.src_addr = 0;
  g_assert_cmphex (yiaddr (fx), ==, a);
  g_assert_cmphex (fx->out.dst_addr, ==, a);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_false (fx->out.via_arp);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_ROUTER), ==, ip (10, 20, 0, 1));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_AGENT_INFO));
  g_assert_cmpint (lease_of (fx, 1)->expires, ==, fx->now + 7200 * SEC);
  /* The relay's information from the relayed exchange is kept. */
  g_assert_nonnull (lease_of (fx, 1)->agent_info);

  /* A relay from a subnet without a range: nothing. */
  p = relayed (HEARTH_DHCP4_DISCOVER, 2);
  p->b.header.giaddr = ip (10, 99, 0, 1);
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 1);

  /* Option 82 on a packet that did not come through a relay is not echoed
   * (RFC 3046 2.2: only relays add it). */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 3);
  pkt_opt (p, HEARTH_DHCP4_OPT_AGENT_INFO, agent_info, sizeof agent_info - 1);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_AGENT_INFO));
}

/* Authoritative, and restarted: a unicast renewal from a relayed client
 * whose lease we lost is granted again; no relay was seen since the
 * start, so no router is guessed. */
static void
test_relay_unicast_renewal_authoritative (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
              "dhcp-range=10.20.0.10,10.20.0.50,255.255.255.0,2h", "dhcp-authoritative");
  Pkt *p = pkt_new (HEARTH_DHCP4_REQUEST, 1);

  p->b.header.ciaddr = ip (10, 20, 0, 33);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x01\x03", 2);
  fx->req.unicast = TRUE;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, ip (10, 20, 0, 33));
  g_assert_cmphex (fx->out.dst_addr, ==, ip (10, 20, 0, 33));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_ROUTER));
  g_assert_cmpuint (lease_of (fx, 1)->range_id, ==, 2);
  /* An address of no range at all is still the wrong network. */
  p = pkt_new (HEARTH_DHCP4_REQUEST, 2);
  p->b.header.ciaddr = ip (10, 30, 0, 33);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_NAK);

  /* A DISCOVER's ciaddr says nothing about its subnet (dnsmasq ignores
   * it): it is offered an address on the interface's own. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 3);
  p->b.header.ciaddr = ip (10, 20, 0, 40);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (in_pool (yiaddr (fx), ip (192, 168, 1, 100), ip (192, 168, 1, 199)));
}

/* ---- where replies go ---- */

static void
test_broadcast (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  g_autoptr (Fx) all = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-broadcast");
  g_autoptr (Fx) some = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                                "dhcp-mac=set:bc,52:54:00:00:00:05", "dhcp-broadcast=tag:bc");
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);

  p->b.header.flags = HEARTH_DHCP4_FLAG_BROADCAST;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (fx->out.dst_addr, ==, 0xffffffff);
  g_assert_false (fx->out.via_arp);
  g_assert_cmpuint (fx->reply->header.flags, ==, HEARTH_DHCP4_FLAG_BROADCAST);

  g_assert_cmpint (fx_discover (fx, 2), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (fx->out.via_arp);
  g_assert_cmphex (fx->out.dst_addr, ==, yiaddr (fx));

  g_assert_cmpint (fx_discover (all, 2), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (all->out.dst_addr, ==, 0xffffffff);
  g_assert_false (all->out.via_arp);

  g_assert_cmpint (fx_discover (some, 5), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (some->out.dst_addr, ==, 0xffffffff);
  g_assert_cmpint (fx_discover (some, 6), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (some->out.via_arp);
}

/* ---- host reservations ---- */

static void
test_hosts (void)
{
  g_autoptr (Fx) fx = fx_new (
      "dhcp-range=192.168.1.100,192.168.1.199,2h", "dhcp-host=52:54:00:00:00:11,192.168.1.60",
      "dhcp-host=52:54:00:00:01:*,192.168.1.61", "dhcp-host=id:01:52:54:00:00:00:22,192.168.1.62",
      "dhcp-host=52:54:00:00:00:13,192.168.1.63,printer", "dhcp-host=52:54:00:00:00:14,45m",
      "dhcp-host=52:54:00:00:00:15,ignore", "dhcp-host=52:54:00:00:00:16,set:special",
      "dhcp-host=52:54:00:00:00:18,192.168.1.150",
      "dhcp-option=tag:special,option:ntp-server,192.168.1.5");
  guint8 mac[6];
  const HearthDhcpHost *h;

  /* By MAC, outside the dynamic pool but on the subnet; the range's lease time. */
  g_assert_cmphex (fx_dora (fx, 0x11, NULL, 0), ==, LAN (60));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  /* By wildcard MAC. */
  g_assert_cmphex (fx_dora (fx, 0x105, NULL, 0), ==, LAN (61));
  g_assert_true (in_pool (fx_dora (fx, 0x205, NULL, 0), LAN (100), LAN (199)));
  /* Another machine matching the wildcard does not take it away. */
  g_assert_true (in_pool (fx_dora (fx, 0x106, NULL, 0), LAN (100), LAN (199)));
  g_assert_cmphex (lease_of (fx, 0x105)->addr, ==, LAN (61));
  /* By client identifier only. */
  g_assert_cmphex (fx_dora (fx, 0x22, TLV ("\x3d\x07\x01\x52\x54\x00\x00\x00\x22")), ==, LAN (62));
  g_assert_true (in_pool (fx_dora (fx, 0x23, TLV ("\x3d\x02\x01\x23")), LAN (100), LAN (199)));
  /* With a name. */
  g_assert_cmphex (fx_dora (fx, 0x13, NULL, 0), ==, LAN (63));
  assert_r_opt (fx, HEARTH_DHCP4_OPT_HOSTNAME, "printer");
  g_assert_cmpstr (lease_of (fx, 0x13)->hostname, ==, "printer");
  /* A lease time only. */
  g_assert_true (in_pool (fx_dora (fx, 0x14, NULL, 0), LAN (100), LAN (199)));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 2700);
  g_assert_cmpuint (lease_of (fx, 0x14)->length, ==, 2700);
  /* ignore: never answered. */
  g_assert_cmpint (fx_discover (fx, 0x15), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 1);
  /* set: a tag the options follow. */
  fx_dora (fx, 0x16, NULL, 0);
  g_assert_cmphex (r_u32 (fx, 42), ==, LAN (5));
  fx_dora (fx, 0x17, NULL, 0);
  g_assert_false (r_has (fx, 42));
  /* A reserved address in the pool is not given to anyone else, even
   * when asked for. */
  g_assert_cmpint (fx_discover_asking (fx, 0x31, LAN (150)), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, LAN (150));
  g_assert_cmpint (fx_init_reboot (fx, 0x31, LAN (150)), !=, HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx_dora (fx, 0x18, NULL, 0), ==, LAN (150));

  client_mac (0x11, mac);
  h = hearth_dhcp4_server_find_host (fx->srv, 1, mac, 6, NULL, 0);
  g_assert_nonnull (h);
  g_assert_cmphex (h->addr, ==, LAN (60));
  client_mac (0x1ab, mac);
  h = hearth_dhcp4_server_find_host (fx->srv, 1, mac, 6, NULL, 0);
  g_assert_nonnull (h);
  g_assert_cmphex (h->addr, ==, LAN (61));
  h = hearth_dhcp4_server_find_host (fx->srv, 1, mac, 6,
                                     (const guint8 *) "\x01\x52\x54\x00\x00\x00\x22", 7);
  g_assert_cmphex (h->addr, ==, LAN (62));
  client_mac (0x99, mac);
  g_assert_null (hearth_dhcp4_server_find_host (fx->srv, 1, mac, 6, NULL, 0));
}

/* --dhcp-ignore-clid: leases and reservations go by MAC only. */
static void
test_ignore_clid (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
              "dhcp-host=52:54:00:00:00:11,id:01:02:03,192.168.1.60", "dhcp-ignore-clid");
  g_autoptr (Fx) strict = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                                  "dhcp-host=52:54:00:00:00:11,id:01:02:03,192.168.1.60");

  g_assert_cmphex (fx_dora (fx, 0x11, TLV ("\x3d\x02\x09\x09")), ==, LAN (60));
  g_assert_null (lease_of (fx, 0x11)->client_id);
  /* Without the option, a reservation naming a client id is for that id. */
  g_assert_true (in_pool (fx_dora (strict, 0x11, TLV ("\x3d\x02\x09\x09")), LAN (100), LAN (199)));
  g_assert_nonnull (lease_of (strict, 0x11)->client_id);
  /* An empty client id is no client id. */
  g_assert_cmphex (fx_dora (strict, 0x11, TLV ("\x3d\x00")), ==, LAN (60));
}

static void
test_static_range (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.0,static", "dhcp-host=52:54:00:00:00:11,192.168.1.60");

  g_assert_cmphex (fx_dora (fx, 0x11, NULL, 0), ==, LAN (60));
  g_assert_cmpint (fx_discover (fx, 0x12), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).no_address, ==, 1);
  g_assert_null (lease_of (fx, 0x12));
}

/* ---- allocation ---- */

static void
test_lease_max (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-lease-max=2");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 b = fx_dora (fx, 2, NULL, 0);

  g_assert_cmpint (fx_discover (fx, 3), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).no_address, ==, 1);
  /* Clients with a lease carry on. */
  g_assert_cmphex (fx_dora (fx, 1, NULL, 0), ==, a);
  g_assert_cmpint (fx_renew (fx, 2, b, TRUE), ==, HEARTH_DHCP4_ACK);
  /* One released: room again. */
  fx_release (fx, 2, b, SERVER);
  g_assert_cmpint (fx_discover (fx, 3), ==, HEARTH_DHCP4_OFFER);
}

static void
test_sequential (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-sequential-ip");

  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, LAN (100));
  g_assert_cmpint (fx_discover (fx, 2), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, LAN (101));
  g_assert_cmphex (fx_dora (fx, 3, NULL, 0), ==, LAN (102));
}

static void
test_offer_hold (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.107");
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint32 third = 0;

  /* Eight clients, eight addresses, all different, none leased yet. */
  for (guint c = 1; c <= 8; c++)
    {
      g_assert_cmpint (fx_discover (fx, c), ==, HEARTH_DHCP4_OFFER);
      g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (107)));
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (yiaddr (fx))));
      g_hash_table_add (seen, GUINT_TO_POINTER (yiaddr (fx)));
      if (c == 3)
        third = yiaddr (fx);
    }
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  /* The ninth finds every address held. */
  g_assert_cmpint (fx_discover (fx, 9), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).no_address, ==, 1);
  /* A client asking again is offered the same address. */
  g_assert_cmpint (fx_discover (fx, 3), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, third);
  /* Holds end. */
  fx->now += HEARTH_DHCP4_OFFER_HOLD_SECONDS * SEC;
  g_assert_cmpint (fx_discover (fx, 9), ==, HEARTH_DHCP4_OFFER);
}

static void
test_same_address_again (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 want = a == LAN (150) ? LAN (151) : LAN (150);

  /* Its lease. */
  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);
  /* After releasing: the same address again (the probe starts where the
   * client's identity points). */
  fx_release (fx, 1, a, SERVER);
  g_assert_null (lease_of (fx, 1));
  g_assert_cmphex (fx_dora (fx, 1, NULL, 0), ==, a);
  /* After expiry too. */
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (fx->leases, fx->now + 3600 * SEC), ==, 1);
  fx->now += 3600 * SEC;
  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);
  fx_dora (fx, 1, NULL, 0);

  /* A requested address is honoured when free and in the pool ... */
  g_assert_cmpint (fx_discover_asking (fx, 2, want), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, want);
  /* ... not when leased to another client, outside the pool, or on
   * another network. */
  g_assert_cmpint (fx_discover_asking (fx, 3, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, a);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
  g_assert_cmpint (fx_discover_asking (fx, 4, LAN (50)), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
  g_assert_cmpint (fx_discover_asking (fx, 5, ip (10, 0, 0, 5)), ==, HEARTH_DHCP4_OFFER);
  g_assert_true (in_pool (yiaddr (fx), LAN (100), LAN (199)));
}

/* A reservation whose address another client holds: that client keeps
 * it, the reserved one gets a pool address meanwhile (dnsmasq: "not using
 * configured address ... because it is leased to ..."). */
static void
test_host_address_taken (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  g_autoptr (HearthDhcpHost) host = NULL;
  gboolean is_ipv6 = TRUE;
  g_autoptr (GError) error = NULL;
  guint32 a = fx_dora (fx, 1, NULL, 0);
  guint32 b;

  /* Added live, on an address already leased. */
  g_assert_true (hearth_dhcp_host_parse ("52:54:00:00:00:02,192.168.1.1", &host, &is_ipv6, &error));
  g_assert_no_error (error);
  host->addr = a;
  hearth_dhcp4_server_add_host (fx->srv, g_steal_pointer (&host));
  b = fx_dora (fx, 2, NULL, 0);
  g_assert_cmphex (b, !=, a);
  g_assert_true (in_pool (b, LAN (100), LAN (199)));
  g_assert_cmphex (lease_of (fx, 1)->addr, ==, a);
  /* Once it is free, the next boot gets the reserved address. */
  fx_release (fx, 1, a, SERVER);
  g_assert_cmpint (fx_discover (fx, 2), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);
  /* And a renewal of the pool address is told there is a better one. */
  g_assert_cmpint (fx_renew (fx, 2, b, TRUE), ==, HEARTH_DHCP4_NAK);
}

/* One host, two MACs (a laptop's wired and wireless interfaces): the
 * address follows whichever interface asks last (dnsmasq). */
static void
test_host_two_macs (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                              "dhcp-host=52:54:00:00:00:31,52:54:00:00:00:32,192.168.1.70,laptop");

  g_assert_cmphex (fx_dora (fx, 0x31, NULL, 0), ==, LAN (70));
  g_assert_cmphex (fx_dora (fx, 0x32, NULL, 0), ==, LAN (70));
  g_assert_null (lease_of (fx, 0x31));
  g_assert_nonnull (lease_of (fx, 0x32));
  g_assert_cmphex (lease_of (fx, 0x32)->addr, ==, LAN (70));
  g_assert_cmpstr (lease_of (fx, 0x32)->hostname, ==, "laptop");
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 1);
  /* A client that does not match the reservation still cannot take it. */
  g_assert_cmpint (fx_discover_asking (fx, 0x33, LAN (70)), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, LAN (70));
}

/* ---- options ---- */

static gint
fx_discover_prl (Fx *fx, guint client, const guint8 *prl, gsize len)
{
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, client);

  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, prl, len);
  return fx_send (fx, p);
}

static void
test_options_prl (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-option=option:ntp-server,192.168.1.5",
              "dhcp-option-force=44,192.168.1.6",
              "dhcp-option=option:domain-search,example.com,lab", "dhcp-option=6,1.1.1.1,8.8.8.8");

  /* Not asked for: not sent, unless forced. */
  g_assert_cmpint (fx_discover_prl (fx, 1, TLV ("\x01\x03")), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, 42));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_DOMAIN_SEARCH));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_DNS_SERVER));
  g_assert_cmphex (r_u32 (fx, 44), ==, LAN (6));

  g_assert_cmpint (fx_discover_prl (fx, 1, TLV ("\x2a\x77\x06")), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (r_u32 (fx, 42), ==, LAN (5));
  /* RFC 3397 encoding, uncompressed. */
  assert_r_opt (fx, HEARTH_DHCP4_OPT_DOMAIN_SEARCH,
                "\x07"
                "example"
                "\x03"
                "com"
                "\x00"
                "\x03"
                "lab"
                "\x00");
  /* Configured DNS servers replace the default. */
  assert_r_opt (fx, HEARTH_DHCP4_OPT_DNS_SERVER, "\x01\x01\x01\x01\x08\x08\x08\x08");
}

static void
test_options_defaults_overridden (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-option=3",
                              "dhcp-option=option:ntp-server,0.0.0.0,10.0.0.9");
  g_autoptr (Fx) fx2 =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-option=option:router,192.168.1.254");

  /* An empty value suppresses the default router. */
  g_assert_cmpint (fx_discover_prl (fx, 1, TLV ("\x03\x2a")), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_ROUTER));
  /* 0.0.0.0 stands for the server's address on that subnet. */
  assert_r_opt (fx, 42, "\xc0\xa8\x01\x01\x0a\x00\x00\x09");

  g_assert_cmpint (fx_discover_prl (fx2, 1, TLV ("\x03")), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (r_u32 (fx2, HEARTH_DHCP4_OPT_ROUTER), ==, LAN (254));
}

static void
test_options_encap (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-option=vendor:PXEClient,200,hello",
              "dhcp-option=encap:175,190,xyz", "dhcp-option=vi-encap:4491,201,qrs");
  Pkt *p;

  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x2b\xaf\x7d", 3);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\xc8\x05"
                "hello");
  assert_r_opt (fx, 175,
                "\xbe\x03"
                "xyz");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VI_VENDOR,
                "\x00\x00\x11\x8b\x05\xc9\x03"
                "qrs");

  /* Another vendor class: no vendor: options. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 2);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x2b\xaf\x7d", 3);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, "android-dhcp-13");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));
  assert_r_opt (fx, 175,
                "\xbe\x03"
                "xyz");

  /* Not asked for: none of them. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x01", 1);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));
  g_assert_false (r_has (fx, 175));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VI_VENDOR));

  /* A client that sends option 125 gets 125 back without asking (RFC 3925). */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, "\x01", 1);
  pkt_opt (p, HEARTH_DHCP4_OPT_VI_VENDOR, "\x00\x00\x11\x8b\x00", 5);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VI_VENDOR,
                "\x00\x00\x11\x8b\x05\xc9\x03"
                "qrs");
}

static void
test_options_tags (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-host=52:54:00:00:00:0b,laptop",
              "dhcp-host=52:54:00:00:02:07,desk", "dhcp-vendorclass=set:msft,MSFT",
              "dhcp-userclass=set:gold,gold", "dhcp-mac=set:oui,52:54:00:00:02:*",
              "dhcp-match=set:ipxe,175", "dhcp-name-match=set:wpad,wpad",
              "tag-if=set:known-oui,tag:oui,tag:known", "dhcp-option=tag:msft,224,msft",
              "dhcp-option=tag:gold,225,gold", "dhcp-option=tag:oui,226,oui",
              "dhcp-option=tag:ipxe,227,ipxe", "dhcp-option=tag:wpad,228,wpad",
              "dhcp-option=tag:known-oui,229,both", "dhcp-option=tag:eth0,230,eth0",
              "dhcp-option=tag:!known,231,unknown");
  Pkt *p;

  /* No parameter list: every option whose tags match is sent. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, "MSFT 5.0");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 224, "msft");
  assert_r_opt (fx, 230, "eth0");
  assert_r_opt (fx, 231, "unknown");
  for (guint8 c = 225; c <= 229; c++)
    g_assert_false (r_has (fx, c));

  p = pkt_new (HEARTH_DHCP4_DISCOVER, 2);
  pkt_opt (p, HEARTH_DHCP4_OPT_USER_CLASS, "\x04gold", 5);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 225, "gold");
  g_assert_false (r_has (fx, 224));

  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_DISCOVER, 0x205)), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 226, "oui");
  assert_r_opt (fx, 231, "unknown");
  g_assert_false (r_has (fx, 229));

  p = pkt_new (HEARTH_DHCP4_DISCOVER, 3);
  pkt_opt (p, 175, "\x01\x01\x01", 3);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 227, "ipxe");

  p = pkt_new (HEARTH_DHCP4_DISCOVER, 4);
  pkt_str (p, HEARTH_DHCP4_OPT_HOSTNAME, "wpad");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 228, "wpad");
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 5);
  pkt_str (p, HEARTH_DHCP4_OPT_HOSTNAME, "wpadx");
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, 228));

  /* Known hosts: no "unknown"; tag-if combines two tags. */
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_DISCOVER, 0x0b)), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, 231));
  g_assert_false (r_has (fx, 229));
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_DISCOVER, 0x207)), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, 226, "oui");
  assert_r_opt (fx, 229, "both");
  g_assert_false (r_has (fx, 231));

  /* Another interface, another tag. */
  fx->req.ifname = "eth1";
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_DISCOVER, 6)), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, 230));
}

static void
test_ignore_by_tag (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                              "dhcp-host=52:54:00:00:00:0b,laptop", "dhcp-ignore=tag:!known");

  g_assert_cmpint (fx_discover (fx, 1), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 1);
  g_assert_cmpint (fx_discover (fx, 0x0b), ==, HEARTH_DHCP4_OFFER);
}

/* ---- names ---- */

static const char *
lease_name (Fx *fx, guint client)
{
  HearthDhcpLease *l = lease_of (fx, client);

  g_assert_nonnull (l);
  return l->hostname;
}

static void
test_names (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  char long_name[80];

  fx_dora (fx, 1, TLV ("\x0c\x06laptop"));
  g_assert_cmpstr (lease_name (fx, 1), ==, "laptop");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_HOSTNAME, "laptop");
  g_assert_cmpstr (lease_of (fx, 1)->supplied_hostname, ==, "laptop");
  g_assert_true (hearth_dhcp_lease_table_lookup_hostname (fx->leases, "laptop") ==
                 lease_of (fx, 1));
  /* With a domain: the first label. A trailing NUL is tolerated. */
  fx_dora (fx, 2, TLV ("\x0c\x12tablet.example.com"));
  g_assert_cmpstr (lease_name (fx, 2), ==, "tablet");
  fx_dora (fx, 3, TLV ("\x0c\x06phone\x00"));
  g_assert_cmpstr (lease_name (fx, 3), ==, "phone");

  /* Not valid DNS labels: no name. */
  fx_dora (fx, 4,
           TLV ("\x0c\x08"
                "bad name"));
  g_assert_null (lease_name (fx, 4));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_HOSTNAME));
  fx_dora (fx, 5, TLV ("\x0c\x02-x"));
  g_assert_null (lease_name (fx, 5));
  fx_dora (fx, 6,
           TLV ("\x0c\x05"
                "ab\x00"
                "cd"));
  g_assert_null (lease_name (fx, 6));
  fx_dora (fx, 7,
           TLV ("\x0c\x04"
                "\xc3\xa9t\xc3"));
  g_assert_null (lease_name (fx, 7));
  /* 64 bytes: one too many for a label. */
  memset (long_name, 'a', 64);
  fx_dora (fx, 8, NULL, 0);
  {
    Pkt *p = pkt_new (HEARTH_DHCP4_REQUEST, 8);

    p->b.header.ciaddr = lease_of (fx, 8)->addr;
    pkt_opt (p, HEARTH_DHCP4_OPT_HOSTNAME, long_name, 64);
    g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  }
  g_assert_null (lease_name (fx, 8));
  /* A renewal without a name keeps the name the lease has (dnsmasq). */
  g_assert_cmpint (fx_renew (fx, 1, lease_of (fx, 1)->addr, TRUE), ==, HEARTH_DHCP4_ACK);
  g_assert_cmpstr (lease_name (fx, 1), ==, "laptop");
}

static void
test_names_domain (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  g_autoptr (Fx) fx2 =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-option=15,example.org");

  fx->domain = "lan";
  fx_dora (fx, 1, TLV ("\x0c\x06laptop"));
  assert_r_opt (fx, HEARTH_DHCP4_OPT_DOMAIN_NAME, "lan");
  /* Not asked for: not sent. */
  g_assert_cmpint (fx_discover_prl (fx, 2, TLV ("\x01")), ==, HEARTH_DHCP4_OFFER);
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_DOMAIN_NAME));
  /* A configured option 15 wins over --domain. */
  fx2->domain = "lan";
  fx_dora (fx2, 1, NULL, 0);
  assert_r_opt (fx2, HEARTH_DHCP4_OPT_DOMAIN_NAME, "example.org");
}

static void
test_names_fqdn (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");

  fx->domain = "lan";
  /* ASCII name, client leaves the update to us (S=0): we say S=1, O=1. */
  fx_dora (fx, 1,
           TLV ("\x51\x09\x00\x00\x00"
                "laptop"));
  g_assert_cmpstr (lease_name (fx, 1), ==, "laptop");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_FQDN,
                "\x03\xff\xff"
                "laptop.lan");
  /* The client asked us to update (S=1): S=1, no override. */
  fx_dora (fx, 2,
           TLV ("\x51\x0e\x01\x00\x00"
                "tab.lan.org"));
  g_assert_cmpstr (lease_name (fx, 2), ==, "tab");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_FQDN,
                "\x01\xff\xff"
                "tab.lan");
  /* Wire format (E=1). */
  fx_dora (fx, 3,
           TLV ("\x51\x0f\x04\x00\x00\x06"
                "laptop"
                "\x03"
                "lan"
                "\x00"));
  g_assert_cmpstr (lease_name (fx, 3), ==, "laptop");
  g_assert_null (lease_name (fx, 1));
  assert_r_opt (fx, HEARTH_DHCP4_OPT_FQDN,
                "\x07\xff\xff\x06"
                "laptop"
                "\x03"
                "lan"
                "\x00");
  /* Without a domain, the name in wire format is partial: no root label
   * (RFC 4702 2.3.1). */
  fx->domain = NULL;
  fx_dora (fx, 4,
           TLV ("\x51\x0a\x04\x00\x00\x05"
                "phone"
                "\x00"));
  assert_r_opt (fx, HEARTH_DHCP4_OPT_FQDN,
                "\x07\xff\xff\x05"
                "phone");
  fx_dora (fx, 5,
           TLV ("\x51\x08\x00\x00\x00"
                "watch"));
  assert_r_opt (fx, HEARTH_DHCP4_OPT_FQDN,
                "\x03\xff\xff"
                "watch");
  /* Option 81 comes before option 12. */
  fx_dora (fx, 6,
           TLV ("\x51\x07\x00\x00\x00"
                "fqdn"
                "\x0c\x04"
                "host"));
  g_assert_cmpstr (lease_name (fx, 6), ==, "fqdn");
}

/* Two clients with one name: the newest lease gets it, the older loses it. */
static void
test_names_conflict (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  guint32 a = fx_dora (fx, 1, TLV ("\x0c\x06laptop"));
  g_autofree char *as = ip_str (a);
  g_autofree char *expect = g_strdup_printf ("changed %s - client\n", as);

  g_string_truncate (fx->events, 0);
  fx_dora (fx, 2, TLV ("\x0c\x06LAPTOP"));
  g_assert_cmpstr (lease_name (fx, 2), ==, "LAPTOP");
  g_assert_null (lease_name (fx, 1));
  g_assert_true (hearth_dhcp_lease_table_lookup_hostname (fx->leases, "laptop") ==
                 lease_of (fx, 2));
  /* The loser's change was reported before the winner was added. */
  g_assert_true (g_str_has_prefix (fx->events->str, expect));
}

static void
test_names_ignore_generate (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-ignore-names", "dhcp-generate-names");
  g_autoptr (Fx) fx2 = fx_new ("dhcp-range=192.168.1.100,192.168.1.199",
                               "dhcp-name-match=set:wpad,wpad", "dhcp-ignore-names=tag:wpad");
  g_autoptr (Fx) fx3 = fx_new ("dhcp-range=192.168.1.100,192.168.1.199", "dhcp-ignore-names",
                               "dhcp-host=52:54:00:00:00:02,named");

  fx_dora (fx, 1, TLV ("\x0c\x06laptop"));
  g_assert_cmpstr (lease_name (fx, 1), ==, "52-54-00-00-00-01");

  fx_dora (fx2, 1, TLV ("\x0c\x04wpad"));
  g_assert_null (lease_name (fx2, 1));
  fx_dora (fx2, 2, TLV ("\x0c\x06laptop"));
  g_assert_cmpstr (lease_name (fx2, 2), ==, "laptop");

  /* Names from the configuration are not the client's: still given. */
  fx_dora (fx3, 1, TLV ("\x0c\x06laptop"));
  g_assert_null (lease_name (fx3, 1));
  fx_dora (fx3, 2, TLV ("\x0c\x06laptop"));
  g_assert_cmpstr (lease_name (fx3, 2), ==, "named");
}

/* ---- lease times ---- */

static void
test_lease_times (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.199,2h", "dhcp-host=52:54:00:00:00:14,45m");
  g_autoptr (Fx) inf = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,infinite");

  fx_dora (fx, 1, NULL, 0);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  /* Shorter on request. */
  fx_dora (fx, 2, TLV ("\x33\x04\x00\x00\x02\x58"));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 600);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_T1), ==, 300);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_T2), ==, 525);
  g_assert_cmpuint (lease_of (fx, 2)->length, ==, 600);
  g_assert_cmpint (lease_of (fx, 2)->expires, ==, fx->now + 600 * SEC);
  /* Not below the minimum. */
  fx_dora (fx, 3, TLV ("\x33\x04\x00\x00\x00\x3c"));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, HEARTH_DHCP_MIN_LEASE_TIME);
  /* Not longer than configured. */
  fx_dora (fx, 4, TLV ("\x33\x04\x00\x01\x86\x9f"));
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 7200);
  /* The host's own. */
  fx_dora (fx, 0x14, NULL, 0);
  g_assert_cmpuint (r_u32 (fx, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 2700);

  fx_dora (inf, 1, NULL, 0);
  g_assert_cmpuint (r_u32 (inf, HEARTH_DHCP4_OPT_LEASE_TIME), ==, 0xffffffff);
  g_assert_false (r_has (inf, HEARTH_DHCP4_OPT_T1));
  g_assert_false (r_has (inf, HEARTH_DHCP4_OPT_T2));
  g_assert_cmpint (lease_of (inf, 1)->expires, ==, HEARTH_DHCP_LEASE_NEVER);
}

/* ---- malformed requests ---- */

static void
test_malformed (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  guint8 good[HEARTH_DHCP4_PACKET_MAX];
  guint8 bad[HEARTH_DHCP4_PACKET_MAX];
  gsize len = hearth_dhcp4_builder_finish (&p->b, FALSE, good, 1500, NULL);
  HearthDhcp4ServerStats st;
  guint n = 0;

  g_free (p);
  /* Truncated in the fixed header. */
  g_assert_cmpint (fx_send_raw (fx, good, 100), ==, NO_REPLY);
  n++;
  /* Nothing at all. */
  g_assert_cmpint (fx_send_raw (fx, good, 0), ==, NO_REPLY);
  n++;
  /* A reply, not a request. */
  memcpy (bad, good, len);
  bad[0] = HEARTH_DHCP4_BOOTREPLY;
  g_assert_cmpint (fx_send_raw (fx, bad, len), ==, NO_REPLY);
  n++;
  /* Hardware address length over 16. */
  memcpy (bad, good, len);
  bad[2] = 17;
  g_assert_cmpint (fx_send_raw (fx, bad, len), ==, NO_REPLY);
  n++;
  /* An option running past the end of the packet. */
  memcpy (bad, good, 243);
  bad[243] = HEARTH_DHCP4_OPT_HOSTNAME;
  bad[244] = 32;
  bad[245] = 'a';
  bad[246] = 'b';
  g_assert_cmpint (fx_send_raw (fx, bad, 247), ==, NO_REPLY);
  n++;
  /* An option code with no length byte. */
  g_assert_cmpint (fx_send_raw (fx, bad, 244), ==, NO_REPLY);
  n++;
  /* Unknown message type. */
  memcpy (bad, good, len);
  g_assert_cmpuint (bad[240], ==, HEARTH_DHCP4_OPT_MESSAGE_TYPE);
  bad[242] = 9;
  g_assert_cmpint (fx_send_raw (fx, bad, len), ==, NO_REPLY);
  n++;
  /* No hardware address and no client identifier: nobody to answer. */
  memcpy (bad, good, len);
  bad[2] = 0;
  g_assert_cmpint (fx_send_raw (fx, bad, len), ==, NO_REPLY);
  n++;
  /* Longer than anything we read. */
  {
    g_autofree guint8 *huge = g_malloc0 (HEARTH_DHCP4_PACKET_MAX + 1);

    memcpy (huge, good, len);
    g_assert_cmpint (fx_send_raw (fx, huge, HEARTH_DHCP4_PACKET_MAX + 1), ==, NO_REPLY);
    n++;
  }

  st = fx_stats (fx);
  g_assert_cmpuint (st.malformed, ==, n);
  g_assert_cmpuint (st.received, ==, n);
  g_assert_cmpuint (st.offers, ==, 0);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  /* And the server still works. */
  g_assert_cmpint (fx_send_raw (fx, good, len), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmpuint (fx_stats (fx).malformed, ==, n);
}

/* The DHCP messages a server sends are not requests, even with op 1. */
static void
test_server_messages_ignored (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");

  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_OFFER, 1)), ==, NO_REPLY);
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_ACK, 1)), ==, NO_REPLY);
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_NAK, 1)), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 3);
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
}

static void
test_no_subnet (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199");

  fx->subnets[0].addr = ip (10, 99, 0, 1);
  fx->subnets[0].prefix_len = 24;
  g_assert_cmpint (fx_discover (fx, 1), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).ignored, ==, 1);
  /* No addresses at all. */
  fx->req.n_subnets = 0;
  g_assert_cmpint (fx_discover (fx, 1), ==, NO_REPLY);
  /* The interface's second address has the range. */
  fx->req.n_subnets = 2;
  fx->subnets[1].addr = SERVER;
  fx->subnets[1].prefix_len = 24;
  g_assert_cmpint (fx_discover (fx, 1), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  g_assert_cmphex (fx->out.src_addr, ==, SERVER);
}

static void
test_expiry (void)
{
  g_autoptr (Fx) fx = fx_new ("dhcp-range=192.168.1.100,192.168.1.199,1h");
  guint32 a = fx_dora (fx, 1, TLV ("\x0c\x06laptop"));
  g_autofree char *as = ip_str (a);
  g_autofree char *expect = g_strdup_printf ("removed %s laptop expired\n", as);

  g_string_truncate (fx->events, 0);
  g_assert_cmpint (hearth_dhcp_lease_table_next_expiry (fx->leases), ==, fx->now + 3600 * SEC);
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (fx->leases, fx->now + 3600 * SEC - 1), ==, 0);
  g_assert_nonnull (lease_of (fx, 1));
  fx->now += 3600 * SEC;
  g_assert_cmpuint (hearth_dhcp_lease_table_expire (fx->leases, fx->now), ==, 1);
  g_assert_null (lease_of (fx, 1));
  g_assert_null (hearth_dhcp_lease_table_lookup_hostname (fx->leases, "laptop"));
  g_assert_cmpstr (fx->events->str, ==, expect);
  /* The address is free for another client. */
  g_assert_cmpint (fx_discover_asking (fx, 2, a), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), ==, a);
  /* A renewal that comes too late gets a NAK (unicast) as the lease is gone. */
  g_assert_cmpint (fx_renew (fx, 1, a, TRUE), ==, HEARTH_DHCP4_NAK);
}

/* ---- PXE ----
 * Expected bytes are dnsmasq 2.90's on the wire (captured against a
 * server at 10.77.0.1; here the server is 192.168.1.1 = c0 a8 01 01). */

/* What a PXE ROM sends in option 55 (BIOS PXE 2.1 ROMs ask for 43, 60, 66, 67 and 128-135). */
static const guint8 pxe_prl[] = { 1,  2,  3,  5,  6,   11,  12,  13,  15,  16,  17,  18, 43,
                                  54, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135 };
/* Option 97: type 0 and a 16-byte GUID. */
static const guint8 pxe_uuid[17] = { 0x00, 0x44, 0x45, 0x4c, 0x4c, 0x10, 0x00, 0x10, 0x4e,
                                     0x80, 0x4b, 0xb4, 0xc0, 0x4f, 0x4e, 0x31, 0x32 };

#define PXE_VENDOR_BIOS "PXEClient:Arch:00000:UNDI:002001"
#define PXE_VENDOR_EFI "PXEClient:Arch:00007:UNDI:003016"
#define PROXY_LINE "dhcp-range=192.168.1.0,proxy"
#define PXE_CIADDR LAN (50)

/* A request from a PXE ROM: option 60 @vendor (NULL: none), option 93
 * @arch (-1: none), option 97 with 17 bytes, the PXE parameter list. */
static Pkt *
pxe_pkt (HearthDhcp4MessageType type, guint client, const char *vendor, gint arch)
{
  Pkt *p = pkt_new (type, client);

  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, pxe_prl, sizeof pxe_prl);
  if (vendor != NULL)
    pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, vendor);
  if (arch >= 0)
    {
      guint8 a[2] = { (guint8) (arch >> 8), (guint8) arch };

      pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_ARCH, a, 2);
    }
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_UUID, pxe_uuid, sizeof pxe_uuid);
  return p;
}

/* Boot server discovery: a REQUEST (or INFORM) from @ciaddr naming
 * menu item @item at @layer in option 43 sub-option 71. */
static Pkt *
pxe_boot_req (
    HearthDhcp4MessageType type, guint client, guint32 ciaddr, guint16 item, guint16 layer)
{
  Pkt *p = pxe_pkt (type, client, PXE_VENDOR_BIOS, 0);
  guint8 v[7] = { 71, 4, item >> 8, item & 0xff, layer >> 8, layer & 0xff, 255 };

  p->b.header.ciaddr = ciaddr;
  pkt_opt (p, HEARTH_DHCP4_OPT_VENDOR, v, sizeof v);
  return p;
}

/* The request arrives on port 4011 from @src:@port (unicast), or on the
 * server port (from 0.0.0.0:68, broadcast) when @port is 0. */
static void
fx_pxe_port (Fx *fx, guint32 src, guint16 port)
{
  fx->req.local_port = port != 0 ? HEARTH_DHCP4_PXE_PORT : 0;
  fx->req.src_addr = src;
  fx->req.src_port = port != 0 ? port : 68;
  fx->req.unicast = port != 0;
}

/* The reply's option codes in wire order, "53,54,60,97,43". */
static char *
r_codes (Fx *fx)
{
  GString *s = g_string_new (NULL);
  gsize pos = HEARTH_DHCP4_FIXED_LEN + 4;

  while (pos < fx->out.len && fx->out_buf[pos] != HEARTH_DHCP4_OPT_END)
    {
      if (fx->out_buf[pos] == HEARTH_DHCP4_OPT_PAD)
        {
          pos++;
          continue;
        }
      g_assert_cmpuint (fx->out.len - pos, >=, 2);
      g_string_append_printf (s, "%s%u", s->len > 0 ? "," : "", fx->out_buf[pos]);
      pos += 2 + (gsize) fx->out_buf[pos + 1];
    }
  g_assert_cmpuint (pos, <, fx->out.len);
  return g_string_free (s, FALSE);
}

#define assert_r_codes(fx, expected)                                                               \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autofree char *_codes = r_codes (fx);                                                        \
    g_assert_cmpstr (_codes, ==, (expected));                                                      \
  }                                                                                                \
  G_STMT_END

/* Is there a sub-option @code in the reply's option 43 (walking PADs and
 * stopping at END)? */
static gboolean
r_vendor_has_sub (Fx *fx, guint8 code)
{
  gsize len = 0;
  const guint8 *p = hearth_dhcp4_message_get_option (fx->reply, HEARTH_DHCP4_OPT_VENDOR, &len);
  gsize pos = 0;

  while (p != NULL && pos < len && p[pos] != 255)
    {
      if (p[pos] == 0)
        {
          pos++;
          continue;
        }
      g_assert_cmpuint (len - pos, >=, 2);
      g_assert_cmpuint (len - pos - 2, >=, p[pos + 1]);
      if (p[pos] == code)
        return TRUE;
      pos += 2 + (gsize) p[pos + 1];
    }
  return FALSE;
}

static void
assert_no_lease (Fx *fx)
{
  g_assert_cmpuint (hearth_dhcp_lease_table_size (fx->leases), ==, 0);
  g_assert_cmpstr (fx->events->str, ==, "");
}

#define SCENARIO_A                                                                                 \
  "pxe-service=x86PC,Install Linux,pxelinux",                                                      \
      "pxe-service=x86PC,Memory test,memtest.bin,192.168.1.9",                                     \
      "pxe-service=X86-64_EFI,EFI boot,grubx64.efi", "pxe-prompt=Press F8 for menu,10"

/* Option 43 of scenario A's BIOS offer: discovery control 3, both items
 * served by us (even the one naming 192.168.1.9), the menu, the prompt. */
#define SCENARIO_A_43                                                                              \
  "\x06\x01\x03"                                                                                   \
  "\x08\x0e\x80\x00\x01\xc0\xa8\x01\x01\x80\x01\x01\xc0\xa8\x01\x01"                               \
  "\x09\x1e\x80\x00\x0d"                                                                           \
  "Install Linux"                                                                                  \
  "\x80\x01\x0b"                                                                                   \
  "Memory test"                                                                                    \
  "\x0a\x12\x0a"                                                                                   \
  "Press F8 for menu"                                                                              \
  "\xff"

static void
assert_proxy_header (Fx *fx, guint32 ciaddr, guint16 flags)
{
  g_assert_cmphex (fx->reply->header.yiaddr, ==, 0);
  g_assert_cmphex (fx->reply->header.ciaddr, ==, ciaddr);
  g_assert_cmphex (fx->reply->header.giaddr, ==, 0);
  g_assert_cmphex (fx->reply->header.flags, ==, flags);
  g_assert_cmpuint (fx->reply->header.hlen, ==, 6);
}

static void
test_pxe_proxy_discover (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A);
  guint8 mac[6];
  Pkt *p;

  client_mac (1, mac);
  g_assert_true (hearth_dhcp_config_pxe_enabled (fx->config));
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_proxy_header (fx, 0, HEARTH_DHCP4_FLAG_BROADCAST);
  g_assert_cmpmem (fx->reply->header.chaddr, 6, mac, 6);
  g_assert_cmphex (fx->reply->header.siaddr, ==, 0);
  g_assert_cmpstr ((const char *) fx->reply->header.sname, ==, "");
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "");
  /* No address, no lease time, no netmask, router or DNS. */
  assert_r_codes (fx, "53,54,60,97,43");
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_SERVER_ID), ==, SERVER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  {
    gsize len;
    const guint8 *uuid = r_opt (fx, HEARTH_DHCP4_OPT_CLIENT_UUID, &len);

    g_assert_cmpmem (uuid, len, pxe_uuid, sizeof pxe_uuid);
  }
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR, SCENARIO_A_43);
  /* Broadcast from the server port. */
  g_assert_cmphex (fx->out.dst_addr, ==, 0xffffffffu);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_cmpuint (fx->out.src_port, ==, 0);
  g_assert_cmphex (fx->out.src_addr, ==, SERVER);
  g_assert_false (fx->out.via_arp);
  g_assert_false (fx->out.durable);
  g_assert_cmpuint (fx_stats (fx).offers, ==, 1);
  assert_no_lease (fx);

  /* A 16-byte option 97 is not echoed. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 2);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, PXE_VENDOR_BIOS);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_ARCH, "\x00\x00", 2);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_UUID, pxe_uuid, 16);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_codes (fx, "53,54,60,43");

  /* Nobody else gets anything from a proxy range. */
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, "udhcp 1.36.1", 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, NULL, 0)), ==, NO_REPLY);
  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, "HTTPClient:Arch:00016:UNDI:003001", 16)), ==,
      NO_REPLY);
  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, "xPXEClient:Arch:00000:UNDI:002001", 0)), ==,
      NO_REPLY);
  /* The vendor string is a case-sensitive prefix. */
  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, "pxeclient:Arch:00000:UNDI:002001", 0)), ==,
      NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, "PXEClien", 0)), ==, NO_REPLY);
  /* Without option 93 a PXE vendor class is not enough. */
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 3, PXE_VENDOR_BIOS, -1)), ==,
                   NO_REPLY);
  /* Port 67: a REQUEST (even from a PXE client) without 43.71, and the
   * other message types, get nothing. */
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, SERVER);
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  p = pxe_pkt (HEARTH_DHCP4_INFORM, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DECLINE, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_RELEASE, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pkt_new (HEARTH_DHCP4_NONE, 1)), ==, NO_REPLY);
  g_assert_cmpuint (fx_stats (fx).offers, ==, 2);
  g_assert_cmpuint (fx_stats (fx).acks, ==, 0);
  assert_no_lease (fx);
}

/* A proxy range alone (no --pxe-service or --pxe-prompt) does not turn PXE
 * on: dnsmasq answers nothing, even with a --dhcp-boot. */
static void
test_pxe_proxy_disabled (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, "dhcp-boot=pxelinux.0");

  g_assert_false (hearth_dhcp_config_pxe_enabled (fx->config));
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  fx_pxe_port (fx, PXE_CIADDR, 4011);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   NO_REPLY);
  assert_no_lease (fx);
}

/* --dhcp-ignore applies to proxy DHCP too. */
static void
test_pxe_proxy_ignored (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A, "dhcp-vendorclass=set:old,UNDI:002001",
                              "dhcp-ignore=tag:old");

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
}

/* Requests that arrive on port 4011 are answered from 4011, to the
 * client's address and port. */
static void
test_pxe_proxy_port_4011 (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A);
  Pkt *p;

  /* REQUEST with ciaddr, from 4011: ACK, ciaddr kept, flags as sent. */
  fx_pxe_port (fx, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  assert_proxy_header (fx, PXE_CIADDR, 0);
  g_assert_cmphex (fx->reply->header.siaddr, ==, 0);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "");
  assert_r_codes (fx, "53,54,60,97,43");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR, SCENARIO_A_43);
  g_assert_cmpuint (fx->out.src_port, ==, HEARTH_DHCP4_PXE_PORT);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 4011);
  g_assert_cmphex (fx->out.src_addr, ==, SERVER);
  g_assert_false (fx->out.via_arp);

  /* From another address: to ciaddr all the same. */
  fx_pxe_port (fx, LAN (60), 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 4011);

  /* From port 68, and broadcast: still to ciaddr, and to the port it came from. */
  fx_pxe_port (fx, PXE_CIADDR, 68);
  fx->req.unicast = FALSE;
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmpuint (fx->out.src_port, ==, HEARTH_DHCP4_PXE_PORT);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);

  /* ciaddr 0: to the packet's source, broadcast bit set. */
  fx_pxe_port (fx, LAN (51), 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  assert_proxy_header (fx, 0, HEARTH_DHCP4_FLAG_BROADCAST);
  g_assert_cmphex (fx->out.dst_addr, ==, LAN (51));
  g_assert_cmpuint (fx->out.dst_port, ==, 4011);

  /* A DISCOVER sent to 4011 gets an OFFER, like one on port 67, but from
   * 4011 to its source. */
  fx_pxe_port (fx, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_proxy_header (fx, 0, HEARTH_DHCP4_FLAG_BROADCAST);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR, SCENARIO_A_43);
  g_assert_cmpuint (fx->out.src_port, ==, HEARTH_DHCP4_PXE_PORT);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 4011);

  /* Not a PXE client: nothing on 4011 either. */
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 2, "udhcp 1.36.1", 0);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  /* Nor DECLINE or RELEASE. */
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DECLINE, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_RELEASE, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  assert_no_lease (fx);
}

/* Boot server discovery (43.71): the chosen item's file. */
static void
test_pxe_boot_server (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A, "pxe-service=x86PC,Local server,13",
                              "pxe-service=x86PC,Other,other");

  fx_pxe_port (fx, PXE_CIADDR, 4011);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->reply->header.yiaddr, ==, PXE_CIADDR);
  g_assert_cmphex (fx->reply->header.ciaddr, ==, 0);
  g_assert_cmphex (fx->reply->header.flags, ==, 0);
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  g_assert_cmpstr ((const char *) fx->reply->header.sname, ==, "");
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.0");
  assert_r_codes (fx, "53,54,60,97,43");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x47\x04\x80\x00\x00\x00"
                "\x0a\x12\x0a"
                "Press F8 for menu"
                "\xff");
  g_assert_cmpuint (fx->out.src_port, ==, HEARTH_DHCP4_PXE_PORT);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 4011);
  g_assert_false (fx->out.via_arp);
  g_assert_cmpuint (fx_stats (fx).acks, ==, 1);

  /* The second item: its own server, a basename with a dot is kept. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8001, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->reply->header.siaddr, ==, LAN (9));
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "memtest.bin");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x47\x04\x80\x01\x00\x00"
                "\x0a\x12\x0a"
                "Press F8 for menu"
                "\xff");
  /* Layer 2: ".2"; a dotted name stays as it is. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 2)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.2");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x47\x04\x80\x00\x00\x02"
                "\x0a\x12\x0a"
                "Press F8 for menu"
                "\xff");
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8001, 2)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "memtest.bin");
  /* Item numbers count basename items only (13 took none): "other" is 0x8003. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8003, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "other.0");
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  /* Any architecture may ask for any item (the EFI one, 0x8002, from a BIOS client). */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8002, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "grubx64.efi");
  /* INFORM works as REQUEST does. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_INFORM, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->reply->header.yiaddr, ==, PXE_CIADDR);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.0");
  assert_no_lease (fx);

  /* Nothing for: an unknown item, an item without a file (type 13 and
   * local boot 0), BIS (bit 15 of the layer), no ciaddr, a ciaddr off
   * the subnet, and a non-PXE client. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x1234, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8004, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 13, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0x8000)),
                   ==, NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0x8001)),
                   ==, NO_REPLY);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, 0, 0x8000, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (
      fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, ip (10, 1, 2, 3), 0x8000, 0)), ==,
      NO_REPLY);
  {
    Pkt *p = pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0);

    hearth_dhcp4_builder_add (&p->b, HEARTH_DHCP4_OPT_VENDOR_CLASS, "udhcp", 5);
    g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  }
  /* DISCOVER with a 71 is a DISCOVER: the menu, not the file. */
  {
    Pkt *p = pxe_boot_req (HEARTH_DHCP4_DISCOVER, 1, 0, 0x8000, 0);

    g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
    g_assert_cmphex (yiaddr (fx), ==, 0);
    g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "");
  }

  /* On port 67: from the server port to ciaddr, port 68 when the packet
   * came from another address (observed with dnsmasq from :68). Where it
   * goes when the packet came from ciaddr itself is not checked here: the
   * reply's ciaddr is 0, so dnsmasq's sender would use yiaddr:68. */
  fx_pxe_port (fx, 0, 0);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->reply->header.yiaddr, ==, PXE_CIADDR);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.0");
  g_assert_cmpuint (fx->out.src_port, ==, 0);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_false (fx->out.via_arp);
  fx->req.src_addr = LAN (60);
  fx->req.src_port = 4011;
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpuint (fx->out.src_port, ==, 0);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0x8000)),
                   ==, NO_REPLY);
  assert_no_lease (fx);
}

/* --dhcp-alternate-port moves the client port for PXE replies too. */
static void
test_pxe_alternate_port (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A, "dhcp-alternate-port=1067,1068");

  fx->req.src_port = 1068;
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (fx->out.dst_addr, ==, 0xffffffffu);
  g_assert_cmpuint (fx->out.dst_port, ==, 1068);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 1068);
}

/* Tagged items are in the menu only for tagged clients, but the boot
 * server hands out any item by number; a tagged prompt comes after the
 * menu and replaces the synthetic one. (dnsmasq scenario K.) */
static void
test_pxe_tags (void)
{
  g_autoptr (Fx) fx =
      fx_new (PROXY_LINE, "pxe-service=tag:red,x86PC,Red,red", "pxe-service=x86PC,Plain,plain",
              "dhcp-vendorclass=set:red,UNDI:002001", "pxe-prompt=tag:red,Red prompt,3");
  /* An untagged prompt given first does not win over a matching tagged one. */
  g_autoptr (Fx) two =
      fx_new (PROXY_LINE, "pxe-service=x86PC,Plain,plain", "pxe-prompt=Plain prompt,1",
              "dhcp-vendorclass=set:red,UNDI:002001", "pxe-prompt=tag:red,Red prompt,3");

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x08\x0e\x80\x00\x01\xc0\xa8\x01\x01\x80\x01\x01\xc0\xa8\x01\x01"
                "\x09\x0e\x80\x00\x03"
                "Red"
                "\x80\x01\x05"
                "Plain"
                "\x0a\x0b\x03"
                "Red prompt"
                "\xff");
  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 2, "PXEClient:Arch:00000:UNDI:003000", 0)), ==,
      HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\x00"
                "PXE"
                "\x08\x07\x80\x01\x01\xc0\xa8\x01\x01"
                "\x09\x08\x80\x01\x05"
                "Plain"
                "\xff");
  fx_pxe_port (fx, PXE_CIADDR, 4011);
  {
    Pkt *p = pxe_boot_req (HEARTH_DHCP4_REQUEST, 2, PXE_CIADDR, 0x8000, 0);

    hearth_dhcp4_builder_add (&p->b, HEARTH_DHCP4_OPT_VENDOR_CLASS,
                              "PXEClient:Arch:00000:UNDI:003000", 32);
    g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  }
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "red.0");
  /* Untagged: no prompt at all in a boot server ACK. */
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR, "\x47\x04\x80\x00\x00\x00\xff");

  g_assert_cmpint (fx_send (two, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (two, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x08\x07\x80\x00\x01\xc0\xa8\x01\x01"
                "\x09\x08\x80\x00\x05"
                "Plain"
                "\x0a\x0b\x03"
                "Red prompt"
                "\xff");
  g_assert_cmpint (
      fx_send (two, pxe_pkt (HEARTH_DHCP4_DISCOVER, 2, "PXEClient:Arch:00000:UNDI:003000", 0)), ==,
      HEARTH_DHCP4_OFFER);
  assert_r_opt (two, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x08\x07\x80\x00\x01\xc0\xa8\x01\x01"
                "\x09\x08\x80\x00\x05"
                "Plain"
                "\x0a\x0d\x01"
                "Plain prompt"
                "\xff");
}

/* Option 43 sent by the client that does not hold a well-formed 71. */
static void
test_pxe_boot_item_malformed (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A);
  static const struct
  {
    const char *bytes;
    gsize len;
  } cases[] = {
    { "\x47", 1 },                     /* code without a length */
    { "\x47\x04\x80\x00", 4 },         /* length past the end */
    { "\x47\x05\x80\x00\x00\x00", 6 }, /* length past the end by one */
    { "\x47\x03\x80\x00\x00", 5 },     /* too short for type and layer */
    { "\x47\x00", 2 },
    { "\x00\x00\x00\x00", 4 }, /* only PADs */
    { "\x00", 1 },
    { "", 0 },                             /* empty */
    { "\xff\x47\x04\x80\x00\x00\x00", 7 }, /* 71 after END */
    { "\xff\x00\x47\x04\x80\x00\x00\x00", 8 },
    { "\x01\x09\x00\x00\x47\x04\x80\x00\x00\x00",
      10 }, /* 71 hidden inside a sub-option that runs past the end */
    { "\x01\xff\x47\x04\x80\x00\x00\x00\xff", 9 },
    { "\x00\x00\x47", 3 },
    { "\x00\x47\x04\x80\x00\x00", 6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Pkt *p;

      /* Port 67: nothing at all (a proxy range answers only 71 there). */
      fx_pxe_port (fx, 0, 0);
      p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
      p->b.header.ciaddr = PXE_CIADDR;
      pkt_opt (p, HEARTH_DHCP4_OPT_VENDOR, cases[i].bytes, cases[i].len);
      g_test_message ("case %u", i);
      g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
      /* Port 4011: the proxy ACK with the menu, never a boot file. */
      fx_pxe_port (fx, PXE_CIADDR, 4011);
      p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
      p->b.header.ciaddr = PXE_CIADDR;
      pkt_opt (p, HEARTH_DHCP4_OPT_VENDOR, cases[i].bytes, cases[i].len);
      g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
      g_assert_cmphex (yiaddr (fx), ==, 0);
      g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "");
      assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR, SCENARIO_A_43);
    }
  /* PADs (one byte each) and other sub-options before a good 71 are skipped. */
  {
    Pkt *p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);

    p->b.header.ciaddr = PXE_CIADDR;
    pkt_opt (p, HEARTH_DHCP4_OPT_VENDOR, "\x00\x01\x01\x07\x00\x00\x47\x04\x80\x00\x00\x00\xff",
             13);
    g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
    g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.0");
    p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
    p->b.header.ciaddr = PXE_CIADDR;
    pkt_opt (p, HEARTH_DHCP4_OPT_VENDOR, "\x00\x47\x04\x80\x00\x00\x01", 7);
    g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
    g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "pxelinux.1");
  }
  assert_no_lease (fx);
}

/* EFI firmware (93 >= 6) gets no menu on port 67: siaddr points it at
 * port 4011, where a single EFI item is handed out straight away. */
static void
test_pxe_efi (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A);
  g_autoptr (Fx) two =
      fx_new (PROXY_LINE, "pxe-service=x86PC,BIOS boot,pxelinux",
              "pxe-service=X86-64_EFI,EFI shim,shimx64.efi",
              "pxe-service=x86-64_efi,EFI grub,grubx64.efi", "pxe-service=ARM64_EFI,ARM,arm.efi");
  g_autoptr (Fx) nodot = fx_new (PROXY_LINE, "pxe-service=x86-64_EFI,EFI,efi/grubx64,192.168.1.9");
  g_autoptr (Fx) none = fx_new (PROXY_LINE, "pxe-service=x86PC,BIOS boot,pxelinux");
  Pkt *p;

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_proxy_header (fx, 0, HEARTH_DHCP4_FLAG_BROADCAST);
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "");
  g_assert_cmpstr ((const char *) fx->reply->header.sname, ==, "");
  assert_r_codes (fx, "53,54,60,97");
  g_assert_cmphex (fx->out.dst_addr, ==, 0xffffffffu);

  fx_pxe_port (fx, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_EFI, 7);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  assert_proxy_header (fx, PXE_CIADDR, 0);
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  g_assert_cmpstr ((const char *) fx->reply->header.sname, ==, "192.168.1.1");
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "grubx64.efi");
  assert_r_codes (fx, "53,54,60,97");
  g_assert_cmpuint (fx->out.src_port, ==, HEARTH_DHCP4_PXE_PORT);
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);

  /* No dot: ".0"; the item's own server in siaddr and sname. */
  g_assert_cmpint (fx_send (nodot, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (nodot->reply->header.siaddr, ==, SERVER);
  assert_r_codes (nodot, "53,54,60,97");
  fx_pxe_port (nodot, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_EFI, 7);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (nodot, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (nodot->reply->header.siaddr, ==, LAN (9));
  g_assert_cmpstr ((const char *) nodot->reply->header.sname, ==, "192.168.1.9");
  g_assert_cmpstr ((const char *) nodot->reply->header.file, ==, "efi/grubx64.0");
  assert_r_codes (nodot, "53,54,60,97");

  /* Two EFI items: the menu on 4011 (dnsmasq scenario C). */
  g_assert_cmpint (fx_send (two, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (two->reply->header.siaddr, ==, SERVER);
  assert_r_codes (two, "53,54,60,97");
  fx_pxe_port (two, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_EFI, 7);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (two, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (two->reply->header.ciaddr, ==, PXE_CIADDR);
  g_assert_cmphex (two->reply->header.siaddr, ==, SERVER);
  g_assert_cmpstr ((const char *) two->reply->header.sname, ==, "");
  g_assert_cmpstr ((const char *) two->reply->header.file, ==, "");
  assert_r_codes (two, "53,54,60,97,43");
  assert_r_opt (two, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\xff"
                "PXE"
                "\x08\x0e\x80\x01\x01\xc0\xa8\x01\x01\x80\x02\x01\xc0\xa8\x01\x01"
                "\x09\x16\x80\x01\x08"
                "EFI shim"
                "\x80\x02\x08"
                "EFI grub"
                "\xff");
  /* The BIOS client of the same configuration: one item, prompt 0. */
  fx_pxe_port (two, 0, 0);
  g_assert_cmpint (fx_send (two, pxe_pkt (HEARTH_DHCP4_DISCOVER, 2, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (two->reply->header.siaddr, ==, 0);
  assert_r_opt (two, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\x00"
                "PXE"
                "\x08\x07\x80\x00\x01\xc0\xa8\x01\x01"
                "\x09\x0c\x80\x00\x09"
                "BIOS boot"
                "\xff");

  /* No EFI item at all: port 67 as always, 4011 "no menu" (8). IA32
   * (6) is EFI too. */
  g_assert_cmpint (
      fx_send (none, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, "PXEClient:Arch:00006:UNDI:003016", 6)), ==,
      HEARTH_DHCP4_OFFER);
  g_assert_cmphex (none->reply->header.siaddr, ==, SERVER);
  assert_r_codes (none, "53,54,60,97");
  fx_pxe_port (none, PXE_CIADDR, 4011);
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, "PXEClient:Arch:00006:UNDI:003016", 6);
  p->b.header.ciaddr = PXE_CIADDR;
  g_assert_cmpint (fx_send (none, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) none->reply->header.file, ==, "");
  assert_r_opt (none, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x08"
                "\x0a\x04\x00"
                "PXE"
                "\xff");
  assert_no_lease (fx);
}

/* --dhcp-pxe-vendor replaces "PXEClient"; the vendor class that matched
 * is what option 60 carries back. */
static void
test_pxe_vendor (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, "pxe-service=x86PC,Install Linux,pxelinux",
                              "dhcp-pxe-vendor=PXEClient", "dhcp-pxe-vendor=HW-Client");
  g_autoptr (Fx) only =
      fx_new (PROXY_LINE, "pxe-service=x86PC,Install Linux,pxelinux", "dhcp-pxe-vendor=HW-Client");
  g_autoptr (Fx) last = fx_new (PROXY_LINE, "pxe-service=x86PC,Install Linux,pxelinux",
                                "dhcp-pxe-vendor=PXEClient,PXE");

  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, "HW-Client:Arch:00000:UNDI:002001", 0)), ==,
      HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "HW-Client");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\x00"
                "PXE"
                "\x08\x07\x80\x00\x01\xc0\xa8\x01\x01"
                "\x09\x10\x80\x00\x0d"
                "Install Linux"
                "\xff");
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 2, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  /* The whole of 60 is not needed: the vendor class itself is enough. */
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 2, "HW-Client", 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "HW-Client");

  g_assert_cmpint (fx_send (only, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   NO_REPLY);
  g_assert_cmpint (fx_send (only, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, "HW-Client:x", 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (only, HEARTH_DHCP4_OPT_VENDOR_CLASS, "HW-Client");

  /* Both match: the last one given wins. */
  g_assert_cmpint (fx_send (last, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (last, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXE");
  g_assert_cmpint (fx_send (last, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, "PXE-2", 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (last, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXE");
}

/* RFC 4578 allows a list of architectures in option 93; the first one counts. */
static void
test_pxe_arch_list (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, SCENARIO_A);
  Pkt *p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);

  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, PXE_VENDOR_EFI);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_ARCH, "\x00\x07\x00\x00", 4);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmpint (fx->reply->type, ==, HEARTH_DHCP4_OFFER);
  /* EFI: siaddr set, no 43. */
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  assert_r_codes (fx, "53,54,60");
  /* One byte is not an architecture. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 1);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, PXE_VENDOR_BIOS);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_ARCH, "\x00", 1);
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
}

/* A normal range with a PXE menu: the address and the PXE options. */
static void
test_pxe_normal_range (void)
{
  g_autoptr (Fx) fx =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.150", "pxe-service=x86PC,Install Linux,pxelinux",
              "pxe-service=x86PC,Memory test,memtest", "pxe-prompt=Choose,5", "dhcp-option=60,Foo");
  static const guint8 short_prl[] = { 1, 3, 6, 66, 67 };
  static const guint8 other_prl[] = { 1, 3, 6, 43, 60 };
  Pkt *p;
  guint32 a;

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  a = yiaddr (fx);
  g_assert_true (in_pool (a, LAN (100), LAN (150)));
  g_assert_cmphex (fx->reply->header.siaddr, ==, SERVER);
  g_assert_true (r_has (fx, HEARTH_DHCP4_OPT_LEASE_TIME));
  g_assert_cmphex (r_u32 (fx, HEARTH_DHCP4_OPT_NETMASK), ==, 0xffffff00u);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  {
    gsize len;
    const guint8 *uuid = r_opt (fx, HEARTH_DHCP4_OPT_CLIENT_UUID, &len);

    g_assert_cmpmem (uuid, len, pxe_uuid, sizeof pxe_uuid);
  }
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x08\x0e\x80\x00\x01\xc0\xa8\x01\x01\x80\x01\x01\xc0\xa8\x01\x01"
                "\x09\x1e\x80\x00\x0d"
                "Install Linux"
                "\x80\x01\x0b"
                "Memory test"
                "\x0a\x07\x05"
                "Choose"
                "\xff");
  /* The REQUEST's ACK has them too, and the lease is made. */
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  pkt_addr (p, HEARTH_DHCP4_OPT_SERVER_ID, SERVER);
  pkt_addr (p, HEARTH_DHCP4_OPT_REQUESTED_ADDRESS, a);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, a);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  g_assert_true (r_has (fx, HEARTH_DHCP4_OPT_CLIENT_UUID));
  g_assert_true (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));
  g_assert_nonnull (lease_of (fx, 1));

  /* 43 not asked for: 60 and 97 only. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 2);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, short_prl, sizeof short_prl);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, PXE_VENDOR_BIOS);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_ARCH, "\x00\x00", 2);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_UUID, pxe_uuid, sizeof pxe_uuid);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (fx), !=, 0);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  g_assert_true (r_has (fx, HEARTH_DHCP4_OPT_CLIENT_UUID));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));

  /* Others get the configured 60 and no PXE options. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 3);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, other_prl, sizeof other_prl);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, "udhcp 1.36.1");
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_UUID, pxe_uuid, sizeof pxe_uuid);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "Foo");
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_CLIENT_UUID));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));
  /* So does a PXE vendor class without option 93. */
  p = pkt_new (HEARTH_DHCP4_DISCOVER, 4);
  pkt_opt (p, HEARTH_DHCP4_OPT_PARAMETER_LIST, other_prl, sizeof other_prl);
  pkt_str (p, HEARTH_DHCP4_OPT_VENDOR_CLASS, PXE_VENDOR_BIOS);
  pkt_opt (p, HEARTH_DHCP4_OPT_CLIENT_UUID, pxe_uuid, sizeof pxe_uuid);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR_CLASS, "Foo");
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_CLIENT_UUID));
  g_assert_false (r_has (fx, HEARTH_DHCP4_OPT_VENDOR));

  /* The boot server works in a normal range too, without a lease. */
  fx_pxe_port (fx, LAN (20), 4011);
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 9, LAN (20), 0x8001, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmphex (yiaddr (fx), ==, LAN (20));
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "memtest.0");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x47\x04\x80\x01\x00\x00"
                "\x0a\x07\x05"
                "Choose"
                "\xff");
  g_assert_null (lease_of (fx, 9));
  /* A REQUEST without 71 on 4011 in a normal range: nothing. */
  p = pxe_pkt (HEARTH_DHCP4_REQUEST, 1, PXE_VENDOR_BIOS, 0);
  p->b.header.ciaddr = a;
  g_assert_cmpint (fx_send (fx, p), ==, NO_REPLY);
  /* Nor any other DHCP on 4011. */
  fx_pxe_port (fx, 0, 4011);
  g_assert_cmpint (fx_discover (fx, 5), ==, NO_REPLY);
  g_assert_null (lease_of (fx, 5));
}

/* An EFI client with a single EFI item in a normal range: no menu (it
 * would be taken instead of the file), but 60 and 97. Two items: the menu. */
static void
test_pxe_normal_range_efi (void)
{
  g_autoptr (Fx) one =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.150", "pxe-service=x86-64_EFI,EFI,grubx64.efi");
  g_autoptr (Fx) two =
      fx_new ("dhcp-range=192.168.1.100,192.168.1.150", "pxe-service=x86-64_EFI,EFI,grubx64.efi",
              "pxe-service=x86-64_EFI,Shim,shimx64.efi");

  g_assert_cmpint (fx_send (one, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (one), !=, 0);
  assert_r_opt (one, HEARTH_DHCP4_OPT_VENDOR_CLASS, "PXEClient");
  g_assert_true (r_has (one, HEARTH_DHCP4_OPT_CLIENT_UUID));
  g_assert_false (r_has (one, HEARTH_DHCP4_OPT_VENDOR));
  g_assert_cmpstr ((const char *) one->reply->header.file, ==, "");

  g_assert_cmpint (fx_send (two, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_EFI, 7)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (yiaddr (two), !=, 0);
  assert_r_opt (two, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\xff"
                "PXE"
                "\x08\x0e\x80\x00\x01\xc0\xa8\x01\x01\x80\x01\x01\xc0\xa8\x01\x01"
                "\x09\x0d\x80\x00\x03"
                "EFI"
                "\x80\x01\x04"
                "Shim"
                "\xff");
}

/* vendor:PXEClient options go inside the PXE option 43, after the PXE
 * sub-options (dnsmasq scenario I). */
static void
test_pxe_vendor_options (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, "pxe-service=x86PC,One,one", "pxe-service=x86PC,Two,two",
                              "dhcp-option=vendor:PXEClient,1,0.0.0.0", "dhcp-option=43,01:02:03",
                              "dhcp-option=option:router,192.168.1.254");

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_codes (fx, "53,54,60,97,43");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x0a\x04\xff"
                "PXE"
                "\x08\x0e\x80\x00\x01\xc0\xa8\x01\x01\x80\x01\x01\xc0\xa8\x01\x01"
                "\x09\x0c\x80\x00\x03"
                "One"
                "\x80\x01\x03"
                "Two"
                "\x01\x04\x00\x00\x00\x00"
                "\xff");
  /* Boot server ACK on port 67, from 68: 71 echoed, then the vendor option. */
  g_assert_cmpint (fx_send (fx, pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x8000, 0)), ==,
                   HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "one.0");
  assert_r_codes (fx, "53,54,60,97,43");
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x47\x04\x80\x00\x00\x00\x01\x04\x00\x00\x00\x00\xff");
  g_assert_cmphex (fx->out.dst_addr, ==, PXE_CIADDR);
  g_assert_cmpuint (fx->out.dst_port, ==, 68);
}

/* Discovery control: 2 when a numeric item has no server (the client
 * looks for it), 8 when no item matches (boot the header's file). */
static void
test_pxe_discovery_control (void)
{
  g_autoptr (Fx) fx = fx_new (PROXY_LINE, "pxe-service=x86PC,Boot from disk",
                              "pxe-service=x86PC,Windows deployment,13",
                              "pxe-service=x86PC,Other server,14,192.168.1.8");
  g_autoptr (Fx) boot =
      fx_new (PROXY_LINE, "dhcp-boot=pxelinux.0,bootsrv,192.168.1.7", "pxe-prompt=Booting,0");
  g_autoptr (Fx) both = fx_new (PROXY_LINE, "pxe-service=x86PC,Network boot,undionly.kpxe",
                                "dhcp-boot=undionly.kpxe,srvname,192.168.1.7", "pxe-prompt=Hello");

  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x02"
                "\x0a\x04\xff"
                "PXE"
                "\x08\x07\x00\x0e\x01\xc0\xa8\x01\x08"
                "\x09\x35\x00\x00\x0e"
                "Boot from disk"
                "\x00\x0d\x12"
                "Windows deployment"
                "\x00\x0e\x0c"
                "Other server"
                "\xff");
  /* No item for this architecture (PC98): 8, and the synthetic prompt 0. */
  g_assert_cmpint (
      fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, "PXEClient:Arch:00001:UNDI:002001", 1)), ==,
      HEARTH_DHCP4_OFFER);
  assert_r_opt (fx, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x08"
                "\x0a\x04\x00"
                "PXE"
                "\xff");

  /* Only --dhcp-boot: 8, the file and server in the header, no sname. */
  g_assert_cmpint (fx_send (boot, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (boot->reply->header.yiaddr, ==, 0);
  g_assert_cmphex (boot->reply->header.siaddr, ==, LAN (7));
  g_assert_cmpstr ((const char *) boot->reply->header.sname, ==, "");
  g_assert_cmpstr ((const char *) boot->reply->header.file, ==, "pxelinux.0");
  assert_r_opt (boot, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x08"
                "\x0a\x08\x00"
                "Booting"
                "\xff");

  /* Items and --dhcp-boot: the file goes in the header beside the menu;
   * a prompt without timeout waits (255). */
  g_assert_cmpint (fx_send (both, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  g_assert_cmphex (both->reply->header.siaddr, ==, LAN (7));
  g_assert_cmpstr ((const char *) both->reply->header.sname, ==, "");
  g_assert_cmpstr ((const char *) both->reply->header.file, ==, "undionly.kpxe");
  assert_r_opt (both, HEARTH_DHCP4_OPT_VENDOR,
                "\x06\x01\x03"
                "\x08\x07\x80\x00\x01\xc0\xa8\x01\x01"
                "\x09\x0f\x80\x00\x0c"
                "Network boot"
                "\x0a\x06\xff"
                "Hello"
                "\xff");
}

/* A menu that does not fit option 43 is left out whole; nothing breaks. */
static void
test_pxe_menu_too_large (void)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (Fx) fx = NULL;
  Pkt *p;

  g_ptr_array_add (lines, g_strdup (PROXY_LINE));
  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (
        lines,
        g_strdup_printf ("pxe-service=x86PC,Menu entry number %02u with a long text,file%u", i, i));
  g_ptr_array_add (lines, NULL);
  fx = fx_new_full (TRUE, (const char *const *) lines->pdata);

  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*PXE menu*too large*");
  g_assert_cmpint (fx_send (fx, pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0)), ==,
                   HEARTH_DHCP4_OFFER);
  g_test_assert_expected_messages ();
  g_assert_cmphex (yiaddr (fx), ==, 0);
  g_assert_false (r_vendor_has_sub (fx, 6));
  g_assert_false (r_vendor_has_sub (fx, 8));
  g_assert_false (r_vendor_has_sub (fx, 9));
  g_assert_false (r_vendor_has_sub (fx, 10));
  g_assert_cmpuint (fx->out.len, <=, 1500);
  /* The items are still there for boot server discovery. */
  fx_pxe_port (fx, PXE_CIADDR, 4011);
  p = pxe_boot_req (HEARTH_DHCP4_REQUEST, 1, PXE_CIADDR, 0x800b, 0);
  g_assert_cmpint (fx_send (fx, p), ==, HEARTH_DHCP4_ACK);
  g_assert_cmpstr ((const char *) fx->reply->header.file, ==, "file11.0");
  /* The limit: sub-option 9 must stay under 253 bytes. */
  for (guint over = 0; over < 2; over++)
    {
      g_autofree char *a = g_strnfill (120, 'a');
      g_autofree char *b = g_strnfill (126 + over, 'b');
      g_autofree char *line1 = g_strdup_printf ("pxe-service=x86PC,%s,a", a);
      g_autofree char *line2 = g_strdup_printf ("pxe-service=x86PC,%s,b", b);
      g_autoptr (Fx) edge = fx_new (PROXY_LINE, line1, line2);

      Pkt *q = pxe_pkt (HEARTH_DHCP4_DISCOVER, 1, PXE_VENDOR_BIOS, 0);

      /* 3 + 120 + 3 + 126 = 252 bytes fit; 253 do not. With the rest,
       * option 43 is then longer than 255 bytes and needs more than the
       * 576 bytes every client takes (RFC 3396 splitting): the client
       * says it takes 1500. */
      pkt_opt (q, HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE, "\x05\xdc", 2);
      if (over)
        g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*PXE menu*too large*");
      g_assert_cmpint (fx_send (edge, q), ==, HEARTH_DHCP4_OFFER);
      g_test_assert_expected_messages ();
      g_assert_true (r_vendor_has_sub (edge, 9) == !over);
      g_assert_true (r_vendor_has_sub (edge, 6) == !over);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/server/discover-offer", test_discover_offer);
  g_test_add_func ("/dhcp/server/discover-dns-disabled", test_discover_dns_disabled);
  g_test_add_func ("/dhcp/server/request-selecting", test_request_selecting);
  g_test_add_func ("/dhcp/server/request-other-server", test_request_other_server);
  g_test_add_func ("/dhcp/server/request-init-reboot", test_request_init_reboot);
  g_test_add_func ("/dhcp/server/request-init-reboot-authoritative",
                   test_request_init_reboot_authoritative);
  g_test_add_func ("/dhcp/server/request-renewing", test_request_renewing);
  g_test_add_func ("/dhcp/server/request-renewing-authoritative",
                   test_request_renewing_authoritative);
  g_test_add_func ("/dhcp/server/release", test_release);
  g_test_add_func ("/dhcp/server/decline", test_decline);
  g_test_add_func ("/dhcp/server/inform", test_inform);
  g_test_add_func ("/dhcp/server/bootp", test_bootp);
  g_test_add_func ("/dhcp/server/bootp-dynamic", test_bootp_dynamic);
  g_test_add_func ("/dhcp/server/rapid-commit", test_rapid_commit);
  g_test_add_func ("/dhcp/server/relay", test_relay);
  g_test_add_func ("/dhcp/server/relay-unicast-renewal-authoritative",
                   test_relay_unicast_renewal_authoritative);
  g_test_add_func ("/dhcp/server/broadcast", test_broadcast);
  g_test_add_func ("/dhcp/server/hosts", test_hosts);
  g_test_add_func ("/dhcp/server/host-address-taken", test_host_address_taken);
  g_test_add_func ("/dhcp/server/host-two-macs", test_host_two_macs);
  g_test_add_func ("/dhcp/server/ignore-clid", test_ignore_clid);
  g_test_add_func ("/dhcp/server/static-range", test_static_range);
  g_test_add_func ("/dhcp/server/lease-max", test_lease_max);
  g_test_add_func ("/dhcp/server/sequential", test_sequential);
  g_test_add_func ("/dhcp/server/offer-hold", test_offer_hold);
  g_test_add_func ("/dhcp/server/same-address-again", test_same_address_again);
  g_test_add_func ("/dhcp/server/options-prl", test_options_prl);
  g_test_add_func ("/dhcp/server/options-defaults-overridden", test_options_defaults_overridden);
  g_test_add_func ("/dhcp/server/options-encap", test_options_encap);
  g_test_add_func ("/dhcp/server/options-tags", test_options_tags);
  g_test_add_func ("/dhcp/server/ignore-by-tag", test_ignore_by_tag);
  g_test_add_func ("/dhcp/server/names", test_names);
  g_test_add_func ("/dhcp/server/names-domain", test_names_domain);
  g_test_add_func ("/dhcp/server/names-fqdn", test_names_fqdn);
  g_test_add_func ("/dhcp/server/names-conflict", test_names_conflict);
  g_test_add_func ("/dhcp/server/names-ignore-generate", test_names_ignore_generate);
  g_test_add_func ("/dhcp/server/lease-times", test_lease_times);
  g_test_add_func ("/dhcp/server/malformed", test_malformed);
  g_test_add_func ("/dhcp/server/server-messages-ignored", test_server_messages_ignored);
  g_test_add_func ("/dhcp/server/no-subnet", test_no_subnet);
  g_test_add_func ("/dhcp/server/expiry", test_expiry);
  g_test_add_func ("/dhcp/server/pxe/proxy-discover", test_pxe_proxy_discover);
  g_test_add_func ("/dhcp/server/pxe/proxy-disabled", test_pxe_proxy_disabled);
  g_test_add_func ("/dhcp/server/pxe/proxy-ignored", test_pxe_proxy_ignored);
  g_test_add_func ("/dhcp/server/pxe/proxy-port-4011", test_pxe_proxy_port_4011);
  g_test_add_func ("/dhcp/server/pxe/boot-server", test_pxe_boot_server);
  g_test_add_func ("/dhcp/server/pxe/alternate-port", test_pxe_alternate_port);
  g_test_add_func ("/dhcp/server/pxe/tags", test_pxe_tags);
  g_test_add_func ("/dhcp/server/pxe/boot-item-malformed", test_pxe_boot_item_malformed);
  g_test_add_func ("/dhcp/server/pxe/efi", test_pxe_efi);
  g_test_add_func ("/dhcp/server/pxe/vendor", test_pxe_vendor);
  g_test_add_func ("/dhcp/server/pxe/arch-list", test_pxe_arch_list);
  g_test_add_func ("/dhcp/server/pxe/normal-range", test_pxe_normal_range);
  g_test_add_func ("/dhcp/server/pxe/normal-range-efi", test_pxe_normal_range_efi);
  g_test_add_func ("/dhcp/server/pxe/vendor-options", test_pxe_vendor_options);
  g_test_add_func ("/dhcp/server/pxe/discovery-control", test_pxe_discovery_control);
  g_test_add_func ("/dhcp/server/pxe/menu-too-large", test_pxe_menu_too_large);
  return g_test_run ();
}
