/* Fuzz target for the DHCPv4 message handler (src/dhcp/dhcp4-server.c).
 *
 * One server with a configuration that switches on most of what the
 * handler can do (two dynamic ranges, one of them for a relay's subnet, a
 * static range, host reservations by MAC, wildcard MAC and client id,
 * tagged, encapsulated and vendor options, tag rules, boot options,
 * authoritative mode, rapid commit, BOOTP) is built once and kept, with
 * its lease table, across inputs, so sequences of requests build up state
 * the way a real network does. The table is thrown away every
 * RESET_EVERY inputs to bound memory.
 *
 * An input is up to MAX_PACKETS chunks, each: two bytes of length (big
 * endian), one byte of metadata (bit 0: sent to our address rather than
 * broadcast; bit 1: arrived on the second interface, which has no range;
 * bits 2-7: how many 16-second steps the clock moves first), then the
 * packet. After every packet the reply and the table are checked against
 * what the handler promises, and any violation aborts:
 *   - a reply fits HEARTH_DHCP4_PACKET_MAX, parses, is a BOOTREPLY with
 *     the request's xid, and says what type it is;
 *   - an OFFER, an ACK with an address, and a BOOTP reply hand out an
 *     address of a configured range or reservation;
 *   - the table is consistent: every lease is found by its address, its
 *     id and its name, no two leases share an address or a name, every
 *     lease is on a configured address with a valid name, and there are
 *     no more leases than --dhcp-lease-max plus the reservations.
 * Whether the answers are the right ones is for the unit tests.
 */
#include "config.h"

#include "dhcp/dhcp4-server.h"

#include "config/config-parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_PACKETS 4
#define RESET_EVERY 256
#define LEASE_MAX 64

static const char *const config_lines[] = {
  "quiet-dhcp",
  "dhcp-range=192.168.1.100,192.168.1.150,1h",
  "dhcp-range=set:relayed,10.20.0.10,10.20.0.40,255.255.255.0,2h",
  "dhcp-range=192.168.1.0,static",
  "dhcp-host=52:54:00:00:00:11,192.168.1.60,printer",
  "dhcp-host=52:54:00:00:01:*,192.168.1.61",
  "dhcp-host=id:01:02:03,192.168.1.62,infinite",
  "dhcp-host=52:54:00:00:00:13,ignore",
  "dhcp-host=52:54:00:00:00:14,set:special,45m",
  "dhcp-host=52:54:00:00:00:31,52:54:00:00:00:32,192.168.1.70,laptop",
  "dhcp-host=00:00:00:00:00:00,192.168.1.63,zero",
  "dhcp-host=52:54:00:00:00:15,10.20.0.20,relayhost",
  "dhcp-host=52:54:00:00:00:16,named",
  "dhcp-option=tag:special,option:ntp-server,0.0.0.0",
  "dhcp-option=option:domain-search,example.com,lab",
  "dhcp-option=vendor:PXEClient,200,hello",
  "dhcp-option=encap:175,190,xyz",
  "dhcp-option=vi-encap:4491,201,qrs",
  "dhcp-option-force=tag:relayed,44,0.0.0.0",
  "dhcp-option=tag:!known,252,http://wpad/wpad.dat",
  "dhcp-option=tag:gold,3",
  "dhcp-vendorclass=set:msft,MSFT",
  "dhcp-userclass=set:gold,gold",
  "dhcp-match=set:ipxe,175",
  "dhcp-name-match=set:wpad,wpad*",
  "dhcp-mac=set:oui,52:54:00:00:02:*",
  "tag-if=set:both,tag:msft,tag:known",
  "dhcp-ignore-names=tag:wpad",
  "dhcp-generate-names=tag:oui",
  "dhcp-broadcast=tag:ipxe",
  "dhcp-boot=tag:ipxe,undionly.kpxe,bootsrv,192.168.1.2",
  "dhcp-authoritative",
  "dhcp-rapid-commit",
  "bootp-dynamic",
  "dhcp-lease-max=64",
};

typedef struct
{
  HearthDhcpConfig *config;
  HearthDhcpLeaseTable *leases;
  HearthDhcp4Server *server;
  HearthDhcp4Message *msg;
  HearthDhcp4Message *reply;
  guint8 out[HEARTH_DHCP4_PACKET_MAX];
  gint64 now;
  guint inputs;
} State;

static State *state;

static void
fail (const char *what)
{
  fprintf (stderr, "fuzz-dhcp4-server: invariant broken: %s\n", what);
  abort ();
}

static const char *
domain_for (guint32 addr, gpointer user_data)
{
  return (addr >> 8) == 0xc0a801 ? "lan" : NULL;
}

static void
make_server (State *s)
{
  HearthDhcp4ServerHooks hooks = { 0 };

  hooks.domain_for = domain_for;
  hooks.dns_enabled = TRUE;
  hooks.tftp_enabled = TRUE;
  s->leases = hearth_dhcp_lease_table_new ();
  s->server = hearth_dhcp4_server_new (s->config, s->leases, &hooks);
}

static State *
state_get (void)
{
  if (state != NULL)
    return state;
  state = g_new0 (State, 1);
  state->config = hearth_dhcp_config_new ();
  for (guint i = 0; i < G_N_ELEMENTS (config_lines); i++)
    {
      g_autoptr (HearthConfigItem) item = NULL;
      g_autoptr (GError) error = NULL;

      if (!hearth_config_parse_line (config_lines[i], "fuzz", i + 1, &item, &error) ||
          item == NULL || !hearth_dhcp_config_apply (state->config, item, &error))
        {
          fprintf (stderr, "fuzz-dhcp4-server: config line '%s': %s\n", config_lines[i],
                   error != NULL ? error->message : "no item");
          abort ();
        }
    }
  state->msg = g_new0 (HearthDhcp4Message, 1);
  state->reply = g_new0 (HearthDhcp4Message, 1);
  state->now = 100 * G_USEC_PER_SEC;
  make_server (state);
  return state;
}

/* A configured range (not proxy) or reservation holds @addr. */
static gboolean
configured_address (State *s, guint32 addr)
{
  g_autoptr (GPtrArray) ranges = hearth_dhcp4_server_list_ranges (s->server);
  g_autoptr (GPtrArray) hosts = hearth_dhcp4_server_list_hosts (s->server);

  for (guint i = 0; i < ranges->len; i++)
    {
      const HearthDhcpRange *r = g_ptr_array_index (ranges, i);

      if (r->mode == HEARTH_DHCP_RANGE_DYNAMIC && addr >= r->start && addr <= r->end)
        return TRUE;
    }
  for (guint i = 0; i < hosts->len; i++)
    {
      const HearthDhcpHost *h = g_ptr_array_index (hosts, i);

      if (h->addr != 0 && h->addr == addr)
        return TRUE;
    }
  return FALSE;
}

static void
check_table (State *s)
{
  g_autoptr (GPtrArray) all = hearth_dhcp_lease_table_list (s->leases);
  g_autoptr (GPtrArray) hosts = hearth_dhcp4_server_list_hosts (s->server);

  if (all->len != hearth_dhcp_lease_table_size (s->leases))
    fail ("list and size disagree");
  if (all->len > LEASE_MAX + hosts->len)
    fail ("more leases than --dhcp-lease-max allows");
  for (guint i = 0; i < all->len; i++)
    {
      HearthDhcpLease *l = g_ptr_array_index (all, i);

      if (i > 0 && ((HearthDhcpLease *) g_ptr_array_index (all, i - 1))->addr >= l->addr)
        fail ("two leases share an address (or the list is out of order)");
      if (hearth_dhcp_lease_table_lookup_addr (s->leases, l->addr) != l)
        fail ("lease not found by its address");
      if (hearth_dhcp_lease_table_lookup_id (s->leases, l->id) != l)
        fail ("lease not found by its id");
      if (!configured_address (s, l->addr))
        fail ("lease on an address outside every range and reservation");
      if (l->hwlen > HEARTH_DHCP_HWADDR_MAX)
        fail ("hardware address too long");
      if (l->hostname != NULL)
        {
          /* One label: a reservation's domain part is never kept. */
          if (!hearth_dhcp_hostname_is_valid (l->hostname))
            fail ("lease with an invalid host name");
          if (hearth_dhcp_lease_table_lookup_hostname (s->leases, l->hostname) != l)
            fail ("two leases share a host name");
        }
      /* Expired leases went before the packet; new ones run from now. */
      if (l->expires <= s->now)
        fail ("expired lease still in the table");
    }
}

static void
check_reply (State *s, const guint8 *packet, gsize len, const HearthDhcp4Reply *reply)
{
  HearthDhcp4MessageType type;

  if (reply->len == 0)
    return;
  if (reply->len > HEARTH_DHCP4_PACKET_MAX)
    fail ("reply longer than HEARTH_DHCP4_PACKET_MAX");
  if (hearth_dhcp4_message_parse (s->out, reply->len, s->reply) != HEARTH_DHCP4_PARSE_OK)
    fail ("reply does not parse");
  if (s->reply->header.op != HEARTH_DHCP4_BOOTREPLY)
    fail ("reply is not a BOOTREPLY");
  /* A reply means the request parsed, so it has the fixed header. */
  if (len < HEARTH_DHCP4_FIXED_LEN || memcmp (s->out + 4, packet + 4, 4) != 0)
    fail ("reply xid differs from the request's");
  type = s->reply->type;
  if (type != reply->type)
    fail ("reply type differs from what the handler says it sent");
  if (type == HEARTH_DHCP4_OFFER || type == HEARTH_DHCP4_NONE ||
      (type == HEARTH_DHCP4_ACK && s->reply->header.yiaddr != 0))
    {
      if (!configured_address (s, s->reply->header.yiaddr))
        fail ("address handed out outside every range and reservation");
    }
  if (type == HEARTH_DHCP4_NAK && s->reply->header.yiaddr != 0)
    fail ("NAK with an address");
  if (type == HEARTH_DHCP4_OFFER || type == HEARTH_DHCP4_NAK)
    {
      if (reply->durable)
        fail ("OFFER or NAK waits for the lease store");
    }
  if (reply->via_arp &&
      (reply->dst_addr != s->reply->header.yiaddr || reply->hwlen == 0 || reply->hwlen > 16))
    fail ("ARP unicast without an address to map");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  State *s = state_get ();
  static const HearthDhcp4Subnet eth0[] = { { 0xc0a80101, 24 } };
  static const HearthDhcp4Subnet eth1[] = { { 0x0a630001, 24 }, { 0x0a630101, 16 } };
  gsize pos = 0;

  if (++s->inputs % RESET_EVERY == 0)
    {
      hearth_dhcp4_server_free (s->server);
      hearth_dhcp_lease_table_free (s->leases);
      make_server (s);
    }

  for (guint n = 0; n < MAX_PACKETS && size - pos >= 3; n++)
    {
      gsize len = ((gsize) data[pos] << 8) | data[pos + 1];
      guint8 meta = data[pos + 2];
      HearthDhcp4Request req = { 0 };
      HearthDhcp4Reply reply;
      const guint8 *packet;

      pos += 3;
      len = MIN (len, size - pos);
      packet = data + pos;
      pos += len;

      s->now += (gint64) (meta >> 2) * 16 * G_USEC_PER_SEC;
      hearth_dhcp_lease_table_expire (s->leases, s->now);
      req.ifindex = meta & 2 ? 3 : 2;
      req.ifname = meta & 2 ? "eth1" : "eth0";
      req.subnets = meta & 2 ? eth1 : eth0;
      req.n_subnets = meta & 2 ? G_N_ELEMENTS (eth1) : G_N_ELEMENTS (eth0);
      req.mtu = 1500;
      req.src_port = 68;
      req.unicast = (meta & 1) != 0;
      req.now = s->now;
      hearth_dhcp4_server_handle (s->server, packet, len, &req, s->msg, s->out, &reply);
      check_reply (s, packet, len, &reply);
      check_table (s);
    }
  return 0;
}
