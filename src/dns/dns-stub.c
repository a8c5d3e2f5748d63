/* The stub: listeners and client query handling (see dns-stub.h).
 *
 * UDP listeners read in batches with recvmmsg() and answer what they can
 * (cache hits, errors, local answers) with one sendmmsg() per batch, with a
 * per-wakeup budget so one busy socket cannot starve the rest of the loop.
 * Wildcard sockets carry packet info, so a reply leaves from the address the
 * query was sent to. TCP connections are length-framed, may carry many
 * queries, are capped in number and closed when idle.
 *
 * The cache-hit path allocates nothing: parse into a stack struct, look up,
 * write the reply into a preallocated slot.
 */
#include "config.h"

#include "dns/dns-stub.h"
#include "net/net-socket.h"

#include <errno.h>
#include <glib-unix.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>


#define UDP_BATCH         16
#define UDP_BUDGET        4 /* batches per wakeup */
#define UDP_QUERY_MAX     4096
#define TCP_MAX_CONNECTIONS 64
#define TCP_IDLE_SECONDS  10
#define TCP_OUT_MAX       (256 * 1024) /* a client that does not read gets cut off */
/* Room for one IPv4 or IPv6 packet-info message. A literal, because clang
 * does not take CMSG_SPACE() as a constant expression; checked against it
 * in hearth_dns_stub_new(). */
#define CTRL_SIZE         64

/* Control-message space, aligned as struct cmsghdr requires (its first
 * field is a size_t; the struct itself cannot be a member, it ends in a
 * flexible array). */
typedef union {
  size_t align;
  guint8 buf[CTRL_SIZE];
} CtrlBuf;

typedef struct {
  HearthDnsStub *stub;
  int fd;
  int type;
  guint source_id;
} Listener;

typedef struct {
  HearthDnsStub *stub;
  int fd;
  guint in_source;
  guint out_source;
  guint idle_timer;
  gint64 last_activity;
  guint ref_count;
  guint pending; /* queries handed to the forwarder */
  struct sockaddr_storage peer;
  HearthDnsLocalContext arrival; /* the address the client connected to */
  guint8 *in;
  gsize in_len;
  gsize in_size;
  GByteArray *out;
} TcpConn;

/* A client waiting for the forwarder. */
typedef struct {
  HearthDnsQuery query;
  TcpConn *conn; /* NULL for UDP */
  int udp_fd;
  struct sockaddr_storage peer;
  socklen_t peer_len;
  CtrlBuf ctrl;
  gsize ctrl_len;
} Client;

struct _HearthDnsStub {
  const HearthDnsConfig *config;
  HearthDnsCache *cache;
  HearthDnsForwarder *forwarder;
  HearthDnsRoutes *routes;
  HearthDnsLocal *local;
  guint rotation; /* round-robin counter for cached answers */
  HearthDnsStubLogFunc log_func;
  gpointer log_data;
  GPtrArray *listeners;
  GHashTable *conns; /* TcpConn* set */
  HearthDnsStubAcceptFunc accept_func;
  gpointer accept_data;
  HearthDnsStubStats stats;
  gsize reply_slot; /* size of one reply slot */
  /* UDP batch state */
  struct mmsghdr in_msgs[UDP_BATCH];
  struct iovec in_iov[UDP_BATCH];
  struct sockaddr_storage in_addr[UDP_BATCH];
  CtrlBuf in_ctrl[UDP_BATCH];
  guint8 in_buf[UDP_BATCH][UDP_QUERY_MAX];
  struct mmsghdr out_msgs[UDP_BATCH];
  struct iovec out_iov[UDP_BATCH];
  CtrlBuf out_ctrl[UDP_BATCH];
  guint8 *out_buf; /* UDP_BATCH slots of reply_slot bytes */
  guint8 scratch[2 + HEARTH_DNS_MSG_MAX];
};

static void conn_unref (TcpConn *conn);
static void conn_close (TcpConn *conn);

static void
client_free (gpointer p)
{
  Client *c = p;

  if (c->conn != NULL)
    {
      c->conn->pending--;
      conn_unref (c->conn);
    }
  g_free (c);
}

/* ---- query handling (pure apart from the cache's LRU order) ---- */

/* An --address route's answer: its addresses of the asked family (A or
 * AAAA), no data for other types. */
static gsize
write_address_answer (HearthDnsStub *stub, const HearthDnsQuery *q, const GArray *addresses, gsize limit,
                      guint8 *buf, gsize buf_size)
{
  HearthDnsReplyWriter w;
  guint16 qtype = q->question.qtype;

  hearth_dns_reply_writer_init (&w, q, HEARTH_DNS_RCODE_NOERROR, TRUE, limit, buf, buf_size);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      const HearthDnsAddr *a = &g_array_index (addresses, HearthDnsAddr, i);
      guint16 type = a->family == AF_INET6 ? HEARTH_DNS_TYPE_AAAA : HEARTH_DNS_TYPE_A;

      if (qtype == type || qtype == HEARTH_DNS_TYPE_ANY)
        hearth_dns_reply_writer_add (&w, FALSE, q->question.name, q->question.name_len, type, HEARTH_DNS_CLASS_IN,
                                     stub->config->local_ttl, a->bytes, hearth_dns_addr_size (a));
    }
  return hearth_dns_reply_writer_finish (&w, stub->config->edns_packet_max);
}

static gboolean
is_private_reverse (const HearthDnsQuestion *q)
{
  HearthDnsAddr addr;

  switch (hearth_dns_addr_from_reverse_name (q->name, q->name_len, &addr))
    {
    case HEARTH_DNS_REVERSE_NONE:
      return FALSE;
    case HEARTH_DNS_REVERSE_PARTIAL:
      /* Zone names (168.192.in-addr.arpa) exist; dnsmasq forwards them
       * too. */
      return FALSE;
    case HEARTH_DNS_REVERSE_FULL:
      return hearth_dns_addr_is_private (&addr, NULL);
    }
  return FALSE;
}

gsize
hearth_dns_stub_process (HearthDnsStub *stub, const guint8 *packet, gsize len, gboolean tcp,
                         const HearthDnsLocalContext *arrival, gint64 now, HearthDnsQuery *out_query, gboolean *out_forward, GPtrArray **out_servers,
                         guint8 *buf, gsize buf_size)
{
  const HearthDnsConfig *config = stub->config;
  HearthDnsQuery *q = out_query;
  const HearthDnsAnswer *answer;
  guint32 elapsed;
  guint key_flags;
  HearthDnsRouteMatch match = { HEARTH_DNS_ROUTE_FORWARD, NULL, NULL, FALSE };
  gsize limit, reply_len;

  *out_forward = FALSE;
  *out_servers = NULL;
  switch (hearth_dns_query_parse (packet, len, q))
    {
    case HEARTH_DNS_PARSE_DROP:
      stub->stats.dropped++;
      return 0;
    case HEARTH_DNS_PARSE_FORMERR:
      stub->stats.formerr++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_FORMERR, FALSE, config->edns_packet_max, buf, buf_size);
    case HEARTH_DNS_PARSE_NOTIMP:
      stub->stats.notimp++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_NOTIMP, FALSE, config->edns_packet_max, buf, buf_size);
    case HEARTH_DNS_PARSE_OK:
      break;
    }
  if (q->has_edns && q->edns_version != 0)
    {
      /* RFC 6891 6.1.3: BADVERS is an extended rcode we do not emit; a
       * plain FORMERR is what most servers answer to unknown versions. */
      stub->stats.formerr++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_FORMERR, FALSE, config->edns_packet_max, buf, buf_size);
    }

  limit = tcp ? HEARTH_DNS_MSG_MAX : hearth_dns_query_udp_limit (q, config->edns_packet_max);

  /* Names of the local network: hosts files, records, leases. */
  if (stub->local != NULL)
    {
      HearthDnsLocalContext ctx = { 0 };

      if (arrival != NULL)
        ctx = *arrival;
      ctx.limit = limit;

      reply_len = hearth_dns_local_answer (stub->local, q, &ctx, buf, buf_size);
      if (reply_len > 0)
        {
          stub->stats.local_answers++;
          return reply_len;
        }
    }

  /* Question-side policy (--filterwin2k): after local data, which it
   * never hides. */
  switch (hearth_dns_policy_check_query (config->policy, &q->question))
    {
    case HEARTH_DNS_QUERY_FORWARD:
      break;
    case HEARTH_DNS_QUERY_NODATA:
      stub->stats.local_answers++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_NOERROR, TRUE, config->edns_packet_max, buf, buf_size);
    case HEARTH_DNS_QUERY_NXDOMAIN:
      stub->stats.local_answers++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_NXDOMAIN, TRUE, config->edns_packet_max, buf, buf_size);
    }

  /* --domain-needed: names without a dot never leave the machine, whatever
   * the type (dnsmasq still forwards types other than A and AAAA). */
  if (config->domain_needed && hearth_dns_name_count_labels (q->question.name, q->question.name_len) == 1)
    {
      stub->stats.local_answers++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_NXDOMAIN, FALSE, config->edns_packet_max, buf, buf_size);
    }

  key_flags = (q->edns_do ? HEARTH_DNS_CACHE_KEY_DO : 0) |
              ((q->header.flags & HEARTH_DNS_FLAG_CD) ? HEARTH_DNS_CACHE_KEY_CD : 0);
  answer = hearth_dns_cache_lookup (stub->cache, &q->question, key_flags, now, &elapsed);
  if (answer != NULL)
    {
      HearthDnsReplyParams params = {
        .elapsed = elapsed,
        .max_ttl = config->max_ttl,
        .proxy_dnssec = config->proxy_dnssec,
        .edns_udp_size = config->edns_packet_max,
        .limit = limit,
        .rotate = config->no_round_robin ? 0 : stub->rotation++,
      };

      stub->stats.cache_answers++;
      return hearth_dns_answer_write (answer, q, &params, buf, buf_size);
    }

  if (stub->routes != NULL)
    hearth_dns_routes_match (stub->routes, q->question.name, q->question.name_len, &match);
  switch (match.kind)
    {
    case HEARTH_DNS_ROUTE_FORWARD:
    case HEARTH_DNS_ROUTE_DEFAULT:
      break;
    case HEARTH_DNS_ROUTE_LOCAL:
      /* A local-only domain: we are its authority, and know nothing of
       * this name (or only of names below it: then it exists). */
      stub->stats.local_answers++;
      return hearth_dns_write_error (q,
                                     stub->local != NULL && hearth_dns_local_has_names_under (
                                                                stub->local, q->question.name, q->question.name_len)
                                       ? HEARTH_DNS_RCODE_NOERROR
                                       : HEARTH_DNS_RCODE_NXDOMAIN,
                                     TRUE, config->edns_packet_max, buf, buf_size);
    case HEARTH_DNS_ROUTE_ADDRESS:
      stub->stats.local_answers++;
      return write_address_answer (stub, q, match.addresses, limit, buf, buf_size);
    }

  /* --bogus-priv: reverse lookups of private addresses that local data
   * does not know stay here, unless a server is configured for them. */
  if (config->bogus_priv && !match.matched && is_private_reverse (&q->question))
    {
      stub->stats.local_answers++;
      return hearth_dns_write_error (q, HEARTH_DNS_RCODE_NXDOMAIN, TRUE, config->edns_packet_max, buf, buf_size);
    }
  *out_forward = TRUE;
  *out_servers = match.servers;
  return 0;
}

static void
log_query (HearthDnsStub *stub, const HearthDnsQuery *q, const struct sockaddr *from)
{
  if (stub->log_func != NULL)
    stub->log_func (q, from, stub->log_data);
}

/* ---- UDP ---- */

/* Fills ctrl with the packet info a reply needs to leave from the address
 * the query arrived at; returns its length (0: none needed). */
static gsize
reply_pktinfo (struct msghdr *in, CtrlBuf *ctrl)
{
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (in); cm != NULL; cm = CMSG_NXTHDR (in, cm))
    {
      if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
        {
          struct in_pktinfo pi;
          struct cmsghdr *out = (struct cmsghdr *) ctrl->buf;

          memcpy (&pi, CMSG_DATA (cm), sizeof pi);
          pi.ipi_spec_dst = pi.ipi_addr;
          pi.ipi_ifindex = 0;
          out->cmsg_level = IPPROTO_IP;
          out->cmsg_type = IP_PKTINFO;
          out->cmsg_len = CMSG_LEN (sizeof pi);
          memcpy (CMSG_DATA (out), &pi, sizeof pi);
          return CMSG_SPACE (sizeof pi);
        }
      if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO)
        {
          struct cmsghdr *out = (struct cmsghdr *) ctrl->buf;

          out->cmsg_level = IPPROTO_IPV6;
          out->cmsg_type = IPV6_PKTINFO;
          out->cmsg_len = CMSG_LEN (sizeof (struct in6_pktinfo));
          memcpy (CMSG_DATA (out), CMSG_DATA (cm), sizeof (struct in6_pktinfo));
          return CMSG_SPACE (sizeof (struct in6_pktinfo));
        }
    }
  return 0;
}

/* The interface a packet arrived on and the address it was sent to, from
 * its packet info (zeroes when there is none). */
static void
packet_arrival (struct msghdr *in, HearthDnsLocalContext *out)
{
  memset (out, 0, sizeof *out);
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (in); cm != NULL; cm = CMSG_NXTHDR (in, cm))
    {
      if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
        {
          struct in_pktinfo pi;

          memcpy (&pi, CMSG_DATA (cm), sizeof pi);
          out->ifindex = (guint) pi.ipi_ifindex;
          hearth_dns_addr_from_bytes (AF_INET, (const guint8 *) &pi.ipi_addr, &out->dst);
        }
      else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO)
        {
          struct in6_pktinfo pi;

          memcpy (&pi, CMSG_DATA (cm), sizeof pi);
          out->ifindex = pi.ipi6_ifindex;
          hearth_dns_addr_from_bytes (AF_INET6, (const guint8 *) &pi.ipi6_addr, &out->dst);
        }
    }
}

static gboolean
accepted (HearthDnsStub *stub, const HearthDnsLocalContext *arrival, const struct sockaddr *from)
{
  if (stub->accept_func == NULL || stub->accept_func (arrival, from, stub->accept_data))
    return TRUE;
  stub->stats.not_accepted++;
  return FALSE;
}

static void
udp_send (int fd, const guint8 *data, gsize len, const struct sockaddr_storage *peer, socklen_t peer_len,
          const CtrlBuf *ctrl, gsize ctrl_len)
{
  struct iovec iov = { (void *) data, len };
  struct msghdr msg = { 0 };

  msg.msg_name = (void *) peer;
  msg.msg_namelen = peer_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (ctrl_len > 0)
    {
      msg.msg_control = (void *) ctrl;
      msg.msg_controllen = ctrl_len;
    }
  if (sendmsg (fd, &msg, MSG_DONTWAIT) < 0)
    g_debug ("cannot send reply: %s", g_strerror (errno));
}

static gboolean
udp_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Listener *l = user_data;
  HearthDnsStub *stub = l->stub;
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  for (guint round = 0; round < UDP_BUDGET; round++)
    {
      int n, n_out = 0;

      for (guint i = 0; i < UDP_BATCH; i++)
        {
          stub->in_iov[i].iov_base = stub->in_buf[i];
          stub->in_iov[i].iov_len = UDP_QUERY_MAX;
          memset (&stub->in_msgs[i].msg_hdr, 0, sizeof stub->in_msgs[i].msg_hdr);
          stub->in_msgs[i].msg_hdr.msg_name = &stub->in_addr[i];
          stub->in_msgs[i].msg_hdr.msg_namelen = sizeof stub->in_addr[i];
          stub->in_msgs[i].msg_hdr.msg_iov = &stub->in_iov[i];
          stub->in_msgs[i].msg_hdr.msg_iovlen = 1;
          stub->in_msgs[i].msg_hdr.msg_control = stub->in_ctrl[i].buf;
          stub->in_msgs[i].msg_hdr.msg_controllen = CTRL_SIZE;
        }
      n = recvmmsg (fd, stub->in_msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0)
        break;

      for (int i = 0; i < n; i++)
        {
          struct msghdr *in = &stub->in_msgs[i].msg_hdr;
          guint8 *reply = stub->out_buf + (gsize) n_out * stub->reply_slot;
          HearthDnsQuery query;
          gboolean forward;
          GPtrArray *servers;
          gsize reply_len;

          stub->stats.queries_udp++;
          HearthDnsLocalContext arrival;

          packet_arrival (in, &arrival);
          if (in->msg_flags & MSG_TRUNC)
            {
              stub->stats.dropped++;
              continue;
            }
          if (!accepted (stub, &arrival, (struct sockaddr *) &stub->in_addr[i]))
            continue;
          reply_len = hearth_dns_stub_process (stub, stub->in_buf[i], stub->in_msgs[i].msg_len, FALSE, &arrival, now,
                                               &query, &forward, &servers, reply, stub->reply_slot);
          if (query.question_ok && (reply_len > 0 || forward))
            log_query (stub, &query, (struct sockaddr *) &stub->in_addr[i]);
          if (forward)
            {
              Client *c = g_new0 (Client, 1);

              c->query = query;
              c->udp_fd = fd;
              memcpy (&c->peer, &stub->in_addr[i], in->msg_namelen);
              c->peer_len = in->msg_namelen;
              c->ctrl_len = reply_pktinfo (in, &c->ctrl);
              hearth_dns_forwarder_query (stub->forwarder, &c->query, servers, c);
              continue;
            }
          if (reply_len == 0)
            continue;
          stub->out_iov[n_out].iov_base = reply;
          stub->out_iov[n_out].iov_len = reply_len;
          memset (&stub->out_msgs[n_out].msg_hdr, 0, sizeof stub->out_msgs[n_out].msg_hdr);
          stub->out_msgs[n_out].msg_hdr.msg_name = &stub->in_addr[i];
          stub->out_msgs[n_out].msg_hdr.msg_namelen = in->msg_namelen;
          stub->out_msgs[n_out].msg_hdr.msg_iov = &stub->out_iov[n_out];
          stub->out_msgs[n_out].msg_hdr.msg_iovlen = 1;
          {
            gsize ctrl_len = reply_pktinfo (in, &stub->out_ctrl[n_out]);

            if (ctrl_len > 0)
              {
                stub->out_msgs[n_out].msg_hdr.msg_control = stub->out_ctrl[n_out].buf;
                stub->out_msgs[n_out].msg_hdr.msg_controllen = ctrl_len;
              }
          }
          n_out++;
        }
      if (n_out > 0 && sendmmsg (fd, stub->out_msgs, (unsigned) n_out, MSG_DONTWAIT) < 0)
        g_debug ("cannot send replies: %s", g_strerror (errno));
      if (n < UDP_BATCH)
        break;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- TCP ---- */

static void
conn_unref (TcpConn *conn)
{
  if (--conn->ref_count > 0)
    return;
  g_byte_array_unref (conn->out);
  g_free (conn->in);
  g_free (conn);
}

static void
conn_close (TcpConn *conn)
{
  if (conn->fd < 0)
    return;
  if (conn->in_source != 0)
    g_source_remove (conn->in_source);
  if (conn->out_source != 0)
    g_source_remove (conn->out_source);
  if (conn->idle_timer != 0)
    g_source_remove (conn->idle_timer);
  conn->in_source = conn->out_source = conn->idle_timer = 0;
  close (conn->fd);
  conn->fd = -1;
  g_hash_table_remove (conn->stub->conns, conn);
  conn_unref (conn);
}

static gboolean conn_writable_cb (gint fd, GIOCondition cond, gpointer user_data);

/* Writes as much queued output as the socket takes; watches for
 * writability when some is left. FALSE when the connection was closed. */
static gboolean
conn_flush (TcpConn *conn)
{
  while (conn->out->len > 0)
    {
      ssize_t n = send (conn->fd, conn->out->data, conn->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN)
            break;
          conn_close (conn);
          return FALSE;
        }
      g_byte_array_remove_range (conn->out, 0, (guint) n);
      conn->last_activity = g_get_monotonic_time ();
    }
  if (conn->out->len > 0 && conn->out_source == 0)
    conn->out_source = g_unix_fd_add (conn->fd, G_IO_OUT, conn_writable_cb, conn);
  else if (conn->out->len == 0 && conn->out_source != 0)
    {
      g_source_remove (conn->out_source);
      conn->out_source = 0;
    }
  return TRUE;
}

static gboolean
conn_writable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  TcpConn *conn = user_data;

  conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

static void
conn_queue (TcpConn *conn, const guint8 *data, gsize len)
{
  guint8 prefix[2] = { (guint8) (len >> 8), (guint8) len };

  if (conn->fd < 0)
    return;
  if (conn->out->len + len + 2 > TCP_OUT_MAX)
    {
      conn_close (conn);
      return;
    }
  g_byte_array_append (conn->out, prefix, 2);
  g_byte_array_append (conn->out, data, (guint) len);
  conn_flush (conn);
}

/* Handles every complete query in the input buffer. FALSE when the
 * connection was closed meanwhile. */
static gboolean
conn_process (TcpConn *conn)
{
  HearthDnsStub *stub = conn->stub;
  gsize pos = 0;

  while (conn->in_len - pos >= 2)
    {
      gsize qlen = ((gsize) conn->in[pos] << 8) | conn->in[pos + 1];
      HearthDnsQuery query;
      gboolean forward;
      GPtrArray *servers;
      gsize reply_len;

      if (conn->in_len - pos - 2 < qlen)
        break;
      stub->stats.queries_tcp++;
      reply_len = hearth_dns_stub_process (stub, conn->in + pos + 2, qlen, TRUE, &conn->arrival,
                                           g_get_monotonic_time () / G_USEC_PER_SEC, &query, &forward, &servers,
                                           stub->scratch, sizeof stub->scratch);
      pos += 2 + qlen;
      if (query.question_ok && (reply_len > 0 || forward))
        log_query (stub, &query, (struct sockaddr *) &conn->peer);
      if (forward)
        {
          Client *c = g_new0 (Client, 1);

          c->query = query;
          c->conn = conn;
          conn->ref_count++;
          conn->pending++;
          hearth_dns_forwarder_query (stub->forwarder, &c->query, servers, c);
        }
      else if (reply_len > 0)
        conn_queue (conn, stub->scratch, reply_len);
      else if (qlen < HEARTH_DNS_HEADER_SIZE)
        {
          /* Garbage on a stream: there is no way to resynchronise. */
          conn_close (conn);
          return FALSE;
        }
      if (conn->fd < 0)
        return FALSE;
    }
  if (pos > 0)
    {
      memmove (conn->in, conn->in + pos, conn->in_len - pos);
      conn->in_len -= pos;
    }
  return TRUE;
}

static gboolean
conn_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  TcpConn *conn = user_data;
  gboolean open = TRUE;

  /* Anything below may close the connection (a failed send, a bad
   * frame); the reference keeps the struct valid until we return. */
  conn->ref_count++;
  for (guint i = 0; i < 16 && open; i++)
    {
      ssize_t n;

      if (conn->in_size - conn->in_len < 4096 && conn->in_size < 2 + 2 * HEARTH_DNS_MSG_MAX)
        {
          conn->in_size = MIN (conn->in_size * 2 + 4096, 2 + 2 * (gsize) HEARTH_DNS_MSG_MAX);
          conn->in = g_realloc (conn->in, conn->in_size);
        }
      n = recv (fd, conn->in + conn->in_len, conn->in_size - conn->in_len, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        break;
      if (n <= 0)
        {
          /* Peer closed (or error). Answers still pending are dropped
           * when they come. */
          conn_close (conn);
          open = FALSE;
          break;
        }
      conn->in_len += (gsize) n;
      conn->last_activity = g_get_monotonic_time ();
      open = conn_process (conn);
    }
  conn_unref (conn);
  return open ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
conn_idle_cb (gpointer user_data)
{
  TcpConn *conn = user_data;
  gint64 idle_us = g_get_monotonic_time () - conn->last_activity;

  conn->idle_timer = 0;
  if (idle_us >= (gint64) TCP_IDLE_SECONDS * G_USEC_PER_SEC && conn->pending == 0 && conn->out->len == 0)
    {
      conn_close (conn);
      return G_SOURCE_REMOVE;
    }
  conn->idle_timer = g_timeout_add_seconds (1, conn_idle_cb, conn);
  return G_SOURCE_REMOVE;
}

static gboolean
tcp_accept_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Listener *l = user_data;
  HearthDnsStub *stub = l->stub;

  for (guint i = 0; i < 16; i++)
    {
      struct sockaddr_storage peer;
      socklen_t peer_len = sizeof peer;
      int cfd = accept4 (fd, (struct sockaddr *) &peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      TcpConn *conn;

      if (cfd < 0)
        break;
      if (g_hash_table_size (stub->conns) >= TCP_MAX_CONNECTIONS)
        {
          stub->stats.tcp_refused++;
          close (cfd);
          continue;
        }
      conn = g_new0 (TcpConn, 1);
      conn->stub = stub;
      conn->fd = cfd;
      conn->ref_count = 1;
      conn->peer = peer;
      {
        struct sockaddr_storage here;
        socklen_t here_len = sizeof here;

        if (getsockname (cfd, (struct sockaddr *) &here, &here_len) == 0)
          {
            if (here.ss_family == AF_INET)
              hearth_dns_addr_from_bytes (AF_INET, (const guint8 *) &((struct sockaddr_in *) &here)->sin_addr,
                                          &conn->arrival.dst);
            else if (here.ss_family == AF_INET6)
              hearth_dns_addr_from_bytes (AF_INET6, (const guint8 *) &((struct sockaddr_in6 *) &here)->sin6_addr,
                                          &conn->arrival.dst);
          }
      }
      if (!accepted (stub, &conn->arrival, (struct sockaddr *) &peer))
        {
          close (cfd);
          g_free (conn);
          continue;
        }
      conn->out = g_byte_array_new ();
      conn->last_activity = g_get_monotonic_time ();
      conn->in_source = g_unix_fd_add (cfd, G_IO_IN, conn_readable_cb, conn);
      conn->idle_timer = g_timeout_add_seconds (TCP_IDLE_SECONDS, conn_idle_cb, conn);
      g_hash_table_add (stub->conns, conn);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- answers coming back from the forwarder ---- */

static void
deliver_cb (gpointer p, const HearthDnsAnswer *answer, guint rcode, gpointer user_data)
{
  Client *c = p;
  HearthDnsStub *stub = user_data;
  const HearthDnsConfig *config = stub->config;
  gsize len;

  if (answer != NULL)
    {
      HearthDnsReplyParams params = {
        .elapsed = 0,
        .max_ttl = config->max_ttl,
        .proxy_dnssec = config->proxy_dnssec,
        .edns_udp_size = config->edns_packet_max,
        .limit = c->conn != NULL ? HEARTH_DNS_MSG_MAX : hearth_dns_query_udp_limit (&c->query, config->edns_packet_max),
      };

      len = hearth_dns_answer_write (answer, &c->query, &params, stub->scratch, sizeof stub->scratch);
    }
  else
    len = hearth_dns_write_error (&c->query, rcode, FALSE, config->edns_packet_max, stub->scratch,
                                  sizeof stub->scratch);
  if (len > 0)
    {
      if (c->conn != NULL)
        conn_queue (c->conn, stub->scratch, len);
      else
        udp_send (c->udp_fd, stub->scratch, len, &c->peer, c->peer_len, &c->ctrl, c->ctrl_len);
    }
  client_free (c);
}

/* ---- object ---- */

static void
listener_free (gpointer p)
{
  Listener *l = p;

  if (l->source_id != 0)
    g_source_remove (l->source_id);
  close (l->fd);
  g_free (l);
}

HearthDnsStub *
hearth_dns_stub_new (const HearthDnsConfig *config, HearthDnsCache *cache)
{
  HearthDnsStub *stub;

  g_assert (CMSG_SPACE (sizeof (struct in6_pktinfo)) <= CTRL_SIZE &&
            CMSG_SPACE (sizeof (struct in_pktinfo)) <= CTRL_SIZE &&
            G_ALIGNOF (CtrlBuf) >= G_ALIGNOF (struct cmsghdr));
  stub = g_new0 (HearthDnsStub, 1);
  stub->config = config;
  stub->cache = cache;
  stub->listeners = g_ptr_array_new_with_free_func (listener_free);
  stub->conns = g_hash_table_new (NULL, NULL);
  stub->reply_slot = MAX (config->edns_packet_max, HEARTH_DNS_UDP_MIN);
  stub->out_buf = g_malloc ((gsize) UDP_BATCH * stub->reply_slot);
  stub->forwarder = hearth_dns_forwarder_new (config, cache, deliver_cb, stub);
  hearth_dns_forwarder_set_client_free_func (stub->forwarder, client_free);
  return stub;
}

void
hearth_dns_stub_free (HearthDnsStub *stub)
{
  g_autoptr (GList) conns = NULL;

  if (stub == NULL)
    return;
  /* The forwarder first: it hands back waiting clients, which hold
   * connection references. */
  hearth_dns_forwarder_free (stub->forwarder);
  conns = g_hash_table_get_keys (stub->conns);
  for (GList *l = conns; l != NULL; l = l->next)
    conn_close (l->data);
  g_hash_table_unref (stub->conns);
  g_ptr_array_unref (stub->listeners);
  g_free (stub->out_buf);
  g_free (stub);
}

void
hearth_dns_stub_set_routes (HearthDnsStub *stub, HearthDnsRoutes *routes)
{
  stub->routes = routes;
}

void
hearth_dns_stub_set_local (HearthDnsStub *stub, HearthDnsLocal *local)
{
  stub->local = local;
}

void
hearth_dns_stub_set_log_func (HearthDnsStub *stub, HearthDnsStubLogFunc func, gpointer user_data)
{
  stub->log_func = func;
  stub->log_data = user_data;
}

void
hearth_dns_stub_add_listener (HearthDnsStub *stub, int fd, int type)
{
  Listener *l = g_new0 (Listener, 1);

  l->stub = stub;
  l->fd = fd;
  l->type = type;
  l->source_id = g_unix_fd_add (fd, G_IO_IN, type == SOCK_DGRAM ? udp_readable_cb : tcp_accept_cb, l);
  g_ptr_array_add (stub->listeners, l);
}

void
hearth_dns_stub_remove_listener (HearthDnsStub *stub, int fd)
{
  for (guint i = 0; i < stub->listeners->len; i++)
    if (((Listener *) g_ptr_array_index (stub->listeners, i))->fd == fd)
      {
        g_ptr_array_remove_index_fast (stub->listeners, i);
        return;
      }
}

void
hearth_dns_stub_set_accept_func (HearthDnsStub *stub, HearthDnsStubAcceptFunc func, gpointer user_data)
{
  stub->accept_func = func;
  stub->accept_data = user_data;
}

guint
hearth_dns_stub_get_n_listeners (HearthDnsStub *stub)
{
  return stub->listeners->len;
}

HearthDnsForwarder *
hearth_dns_stub_get_forwarder (HearthDnsStub *stub)
{
  return stub->forwarder;
}

void
hearth_dns_stub_get_stats (HearthDnsStub *stub, HearthDnsStubStats *out_stats)
{
  *out_stats = stub->stats;
  out_stats->tcp_connections = g_hash_table_size (stub->conns);
}

void
hearth_dns_stub_reset_stats (HearthDnsStub *stub)
{
  memset (&stub->stats, 0, sizeof stub->stats);
}

GPtrArray *
hearth_dns_stub_list_listeners (HearthDnsStub *stub)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < stub->listeners->len; i++)
    {
      const Listener *l = g_ptr_array_index (stub->listeners, i);
      struct sockaddr_storage ss;
      socklen_t len = sizeof ss;
      char text[128];

      if (getsockname (l->fd, (struct sockaddr *) &ss, &len) != 0)
        continue;
      hearth_net_sockaddr_to_string ((struct sockaddr *) &ss, TRUE, text, sizeof text);
      g_ptr_array_add (out, g_strdup_printf ("%s/%s", text, l->type == SOCK_DGRAM ? "udp" : "tcp"));
    }
  return out;
}
