/* Fuzz target for the DHCPv4 message handler (src/dhcp/dhcp4-server.c).
 *
 * One server with a configuration that switches on most of what the
 * handler can do (two dynamic ranges, one of them for a relay's subnet, a
 * static range, host reservations by MAC, wildcard MAC and client id,
 * tagged, encapsulated and vendor options, tag rules, boot options,
 * authoritative mode, rapid commit, BOOTP, a PXE boot menu for several
 * architectures, a proxy DHCP subnet on a third interface) is built once
 * and kept, with
 * its lease table, across inputs, so sequences of requests build up state
 * the way a real network does. The table is thrown away every
 * RESET_EVERY inputs to bound memory.
 *
 * An input is up to MAX_PACKETS chunks, each: two bytes of length (big
 * endian; bit 15: arrived on the PXE port 4011, bit 14: arrived on the
 * third interface, whose subnet has only a proxy range; the low 14 bits
 * are the length), one byte of metadata (bit 0: sent to our address
 * rather than broadcast, and for port 4011 from port 4011 rather than
 * 68; bit 1: arrived on the second interface, which has no range; bits
 * 2-7: how many 16-second steps the clock moves first), then the packet.
 * After every packet the reply and the table are checked against what
 * the handler promises, and any violation aborts:
 *   - a reply fits HEARTH_DHCP4_PACKET_MAX, parses, is a BOOTREPLY with
 *     the request's xid, and says what type it is;
 *   - an OFFER, an ACK with an address, and a BOOTP reply hand out an
 *     address of a configured range or reservation, except a PXE boot
 *     server ACK (option 43 starting with sub-option 71), whose address is
 *     the request's non-zero ciaddr and which names a boot file;
 *   - a request on the proxy subnet (or relayed from it) changes no lease
 *     and its reply, unless a boot server ACK, has no address and no lease
 *     time; replies to PXE clients there carry a PXE vendor class in 60 and
 *     a well-formed option 43 (sub-options ending with END); on port 67
 *     only OFFERs (broadcast, no ciaddr) are sent there;
 *   - a reply to a request on port 4011 is sent from 4011 to the
 *     request's ciaddr (its source for a DISCOVER or without ciaddr) and
 *     source port, and is a PXE reply (option 60 is a PXE
 *     vendor class); a reply to a request on port 67 is sent from 67;
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
  /* PXE: a proxy subnet (eth2), menus for BIOS, x86-64 EFI (one item:
   * the EFI shortcut), ARM64 (two items, one tagged), Alpha (too large
   * for option 43), and discovery by boot server type. */
  "dhcp-range=10.30.0.0,proxy",
  "pxe-service=x86PC,Install Linux,pxelinux",
  "pxe-service=x86PC,Memory test,memtest.bin,192.168.1.9",
  "pxe-service=x86PC,Boot from disk",
  "pxe-service=x86PC,Search,13",
  "pxe-service=x86PC,Other server,14,10.30.0.8",
  "pxe-service=X86-64_EFI,EFI boot,grubx64.efi",
  "pxe-service=tag:ipxe,ARM64_EFI,Arm one,arm1.efi,bootsrv",
  "pxe-service=ARM64_EFI,Arm two,arm2",
  "pxe-service=Alpha,Alpha menu item number one with a long text,a1",
  "pxe-service=Alpha,Alpha menu item number two with a long text,a2",
  "pxe-service=Alpha,Alpha menu item number three with a long text,a3",
  "pxe-service=Alpha,Alpha menu item number four with a long text,a4",
  "pxe-service=Alpha,Alpha menu item number five with a long text,a5",
  "pxe-service=Alpha,Alpha menu item number six with a long text,a6",
  "pxe-prompt=Press F8 for the menu,10",
  "pxe-prompt=tag:msft,Windows,0",
  "dhcp-pxe-vendor=PXEClient,HW-Client",
  "dhcp-option=vendor:PXEClient,1,0.0.0.0",
};

#define PROXY_NET 0x0a1e0000u /* 10.30.0.0/24, eth2 */

static const char *const pxe_vendors[] = { "PXEClient", "HW-Client" };

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

/* The Alpha menu is too large on purpose: that warning is expected. */
static void
log_cb (const gchar *log_domain, GLogLevelFlags log_level, const gchar *message, gpointer user_data)
{
  if (strstr (message, "too large") == NULL)
    g_log_default_handler (log_domain, log_level, message, user_data);
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
  g_log_set_handler ("hearth-dhcp", G_LOG_LEVEL_WARNING, log_cb, NULL);
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

static gboolean
in_proxy_net (guint32 addr)
{
  return (addr & 0xffffff00u) == PROXY_NET;
}

/* On the /24 of one of the address ranges (192.168.1.0, 10.20.0.0)? */
static gboolean
on_range_net (guint32 addr)
{
  return (addr & 0xffffff00u) == 0xc0a80100u || (addr & 0xffffff00u) == 0x0a140000u;
}

static gboolean
on_interface (const HearthDhcp4Request *req, guint32 addr)
{
  for (guint i = 0; i < req->n_subnets; i++)
    {
      guint32 mask =
          req->subnets[i].prefix_len == 0 ? 0 : 0xffffffffu << (32 - req->subnets[i].prefix_len);

      if ((addr & mask) == (req->subnets[i].addr & mask))
        return TRUE;
    }
  return FALSE;
}

/* Is the reply's option 60 one of the PXE vendor classes? */
static gboolean
reply_is_pxe (State *s)
{
  gsize len = 0;
  const guint8 *vc =
      hearth_dhcp4_message_get_option (s->reply, HEARTH_DHCP4_OPT_VENDOR_CLASS, &len);

  for (guint i = 0; vc != NULL && i < G_N_ELEMENTS (pxe_vendors); i++)
    if (len == strlen (pxe_vendors[i]) && memcmp (vc, pxe_vendors[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* A boot server ACK: option 43 starts with sub-option 71 (type, layer). */
static gboolean
reply_is_boot_ack (State *s)
{
  gsize len = 0;
  const guint8 *v = hearth_dhcp4_message_get_option (s->reply, HEARTH_DHCP4_OPT_VENDOR, &len);

  return s->reply->type == HEARTH_DHCP4_ACK && v != NULL && len >= 6 && v[0] == 71 && v[1] == 4;
}

/* The PXE option 43: sub-options that fit, the last byte END. Absent is fine. */
static void
check_pxe_vendor_option (State *s)
{
  gsize len = 0, pos = 0;
  const guint8 *v = hearth_dhcp4_message_get_option (s->reply, HEARTH_DHCP4_OPT_VENDOR, &len);

  if (v == NULL)
    return;
  while (pos < len && v[pos] != 255)
    {
      if (len - pos < 2 || len - pos - 2 < v[pos + 1])
        fail ("PXE option 43 sub-option runs past the end");
      pos += 2 + (gsize) v[pos + 1];
    }
  if (pos + 1 != len)
    fail ("PXE option 43 does not end with END");
}

static void
check_reply (State *s,
             const guint8 *packet,
             gsize len,
             const HearthDhcp4Request *req,
             gboolean proxy_request,
             const HearthDhcp4Reply *reply)
{
  HearthDhcp4MessageType type;
  gboolean boot_ack;

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
  boot_ack = reply_is_boot_ack (s);
  if (boot_ack)
    {
      gsize vlen;
      const guint8 *v = hearth_dhcp4_message_get_option (s->reply, HEARTH_DHCP4_OPT_VENDOR, &vlen);

      if (s->msg->header.ciaddr == 0 || s->reply->header.yiaddr != s->msg->header.ciaddr)
        fail ("boot server ACK not for the request's ciaddr");
      if (s->reply->header.ciaddr != 0 || s->reply->header.file[0] == '\0' ||
          s->reply->header.siaddr == 0)
        fail ("boot server ACK without a boot file and server, or with ciaddr");
      if (v[4] & 0x80)
        fail ("boot server ACK for a BIS request");
      if (!reply_is_pxe (s))
        fail ("boot server ACK without a PXE vendor class");
      check_pxe_vendor_option (s);
    }
  else if (type == HEARTH_DHCP4_OFFER || type == HEARTH_DHCP4_NONE ||
           (type == HEARTH_DHCP4_ACK && s->reply->header.yiaddr != 0))
    {
      if (s->reply->header.yiaddr != 0 && !configured_address (s, s->reply->header.yiaddr))
        fail ("address handed out outside every range and reservation");
    }
  if (type == HEARTH_DHCP4_OFFER && s->reply->header.yiaddr == 0 && !proxy_request)
    fail ("OFFER without an address outside the proxy subnet");
  if (proxy_request && !boot_ack)
    {
      if (s->reply->header.yiaddr != 0)
        fail ("proxy subnet reply with an address");
      if (hearth_dhcp4_message_has_option (s->reply, HEARTH_DHCP4_OPT_LEASE_TIME))
        fail ("proxy subnet reply with a lease time");
      if (!reply_is_pxe (s))
        fail ("proxy subnet reply to a client that is not a PXE client");
      check_pxe_vendor_option (s);
      if (type == HEARTH_DHCP4_OFFER &&
          (s->reply->header.ciaddr != 0 || !(s->reply->header.flags & HEARTH_DHCP4_FLAG_BROADCAST)))
        fail ("proxy OFFER with ciaddr or without the broadcast flag");
      if (type != HEARTH_DHCP4_OFFER && req->local_port != HEARTH_DHCP4_PXE_PORT)
        fail ("proxy subnet reply on port 67 other than an OFFER or a boot server ACK");
    }
  if (req->local_port == HEARTH_DHCP4_PXE_PORT)
    {
      if (reply->src_port != HEARTH_DHCP4_PXE_PORT)
        fail ("reply to port 4011 not sent from port 4011");
      /* To ciaddr, else (and always for a DISCOVER) to the source. */
      guint32 want = type == HEARTH_DHCP4_OFFER || s->msg->header.ciaddr == 0
                         ? req->src_addr
                         : s->msg->header.ciaddr;

      if (reply->dst_addr != want || reply->via_arp)
        fail ("reply to port 4011 not sent to ciaddr or the request's source");
      if (reply->dst_port != req->src_port)
        fail ("reply to port 4011 not sent to the request's source port");
      if (!reply_is_pxe (s))
        fail ("reply to port 4011 is not a PXE reply");
    }
  else if (reply->src_port != 0)
    fail ("reply to port 67 not sent from port 67");
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
  static const HearthDhcp4Subnet eth2[] = { { PROXY_NET | 1, 24 } };
  gsize pos = 0;

  if (++s->inputs % RESET_EVERY == 0)
    {
      hearth_dhcp4_server_free (s->server);
      hearth_dhcp_lease_table_free (s->leases);
      make_server (s);
    }

  for (guint n = 0; n < MAX_PACKETS && size - pos >= 3; n++)
    {
      gsize len = ((gsize) (data[pos] & 0x3f) << 8) | data[pos + 1];
      gboolean pxe_port = (data[pos] & 0x80) != 0;
      gboolean on_eth2 = (data[pos] & 0x40) != 0;
      guint8 meta = data[pos + 2];
      HearthDhcp4Request req = { 0 };
      HearthDhcp4Reply reply;
      const guint8 *packet;
      guint32 ciaddr = 0, giaddr = 0;
      gboolean proxy_request;
      guint leases_before;

      pos += 3;
      len = MIN (len, size - pos);
      packet = data + pos;
      pos += len;
      if (len >= 28)
        {
          ciaddr = (guint32) packet[12] << 24 | (guint32) packet[13] << 16 |
                   (guint32) packet[14] << 8 | packet[15];
          giaddr = (guint32) packet[24] << 24 | (guint32) packet[25] << 16 |
                   (guint32) packet[26] << 8 | packet[27];
        }

      s->now += (gint64) (meta >> 2) * 16 * G_USEC_PER_SEC;
      hearth_dhcp_lease_table_expire (s->leases, s->now);
      req.ifindex = meta & 2 ? 3 : 2;
      req.ifname = meta & 2 ? "eth1" : "eth0";
      req.subnets = meta & 2 ? eth1 : eth0;
      req.n_subnets = meta & 2 ? G_N_ELEMENTS (eth1) : G_N_ELEMENTS (eth0);
      req.mtu = 1500;
      req.src_port = 68;
      req.unicast = (meta & 1) != 0;
      if (on_eth2)
        {
          req.ifindex = 4;
          req.ifname = "eth2";
          req.subnets = eth2;
          req.n_subnets = G_N_ELEMENTS (eth2);
        }
      if (pxe_port)
        {
          /* A PXE client on 4011 has an address: from port 4011 its
           * ciaddr (if any), from 68 another one of the subnet. */
          req.local_port = HEARTH_DHCP4_PXE_PORT;
          req.src_port = meta & 1 ? HEARTH_DHCP4_PXE_PORT : 68;
          req.src_addr = ciaddr != 0 && (meta & 1) ? ciaddr : req.subnets[0].addr + 76;
        }
      req.now = s->now;
      /* Is the request's subnet the proxy one? The handler takes the
       * relay's subnet; else, for a ciaddr that is not on the receiving
       * interface but on a range's subnet, that subnet (a unicast renewal
       * from a relayed network, whatever the message type); else the
       * interface's. */
      if (giaddr != 0)
        proxy_request = in_proxy_net (giaddr);
      else if (ciaddr != 0 && !on_interface (&req, ciaddr) &&
               (on_range_net (ciaddr) || in_proxy_net (ciaddr)))
        proxy_request = in_proxy_net (ciaddr);
      else
        proxy_request = on_eth2;
      leases_before = hearth_dhcp_lease_table_size (s->leases);
      hearth_dhcp4_server_handle (s->server, packet, len, &req, s->msg, s->out, &reply);
      check_reply (s, packet, len, &req, proxy_request, &reply);
      if (reply.len > 0 && reply_is_boot_ack (s))
        proxy_request = TRUE; /* boot server ACKs change no lease either */
      if (proxy_request && hearth_dhcp_lease_table_size (s->leases) != leases_before)
        fail ("a proxy DHCP or boot server exchange changed the lease table");
      check_table (s);
    }
  return 0;
}
