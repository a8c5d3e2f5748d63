/* The forwarder: transactions in flight towards upstream servers (see
 * dns-forwarder.h).
 *
 * One transaction per (lower-cased name, type, class, DO, CD) in flight.
 * Each attempt towards a server has its own UDP socket, connected to the
 * server (the kernel then drops datagrams from any other address or port)
 * and bound to a fresh random port, and its own random ID; a reply must
 * also carry the same question. Old attempts stay open until the
 * transaction ends, so a slow first server can still win.
 *
 * Timing: an attempt gets ATTEMPT_TIMEOUT_MS before the next server is
 * tried; the transaction gives up with SERVFAIL after TRANSACTION_DEADLINE_MS.
 * A truncated UDP reply is retried over TCP to the same server.
 *
 * The forwarder neither parses client packets nor writes replies: the stub
 * does both, through the deliver callback.
 */
#include "config.h"

#include "dns/dns-forwarder.h"
#include "net/net-socket.h"
#include "util/util-random.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>


#define ATTEMPT_TIMEOUT_MS      1000
#define TCP_ATTEMPT_TIMEOUT_MS  2000
#define TRANSACTION_DEADLINE_MS 5000
#define MAX_ATTEMPTS            8
/* Clients sharing one transaction; more identical questions are answered
 * REFUSED rather than letting one name grow without bound. */
#define MAX_CLIENTS_PER_TX 256
/* A server that failed this recently goes to the back of the line. */
#define FAILURE_MEMORY_US (60 * G_USEC_PER_SEC)
#define RECV_BUDGET 8

typedef struct _Transaction Transaction;

typedef struct {
  Transaction *tx;
  HearthDnsServer *server;
  int fd;
  guint source_id;
  guint16 id;
  gint64 sent_at;
  gboolean tcp;
  gboolean done;       /* answered or failed: ignore further input */
  gboolean timed_out;  /* counted as a failure once; may still answer */
  /* TCP only */
  guint8 *out;         /* length-prefixed query */
  gsize out_len, out_pos;
  guint8 *in;          /* length prefix + reply */
  gsize in_len, in_size;
} Attempt;

typedef struct {
  guint8 name[HEARTH_DNS_NAME_MAX]; /* lower case */
  guint8 name_len;
  guint16 qtype;
  guint16 qclass;
  guint8 flags; /* HEARTH_DNS_CACHE_KEY_* */
} TxKey;

struct _Transaction {
  HearthDnsForwarder *fwd;
  TxKey key;
  HearthDnsQuestion question; /* as sent upstream */
  guint16 query_flags;
  GPtrArray *servers;  /* HearthDnsServer*, refs, in the order to try */
  guint n_tried;       /* servers[0..n_tried) have had an attempt */
  GPtrArray *attempts; /* Attempt* */
  GPtrArray *clients;
  guint attempt_timer;
  guint deadline_timer;
  gint64 started;
  HearthDnsAnswer *error_answer; /* last SERVFAIL/REFUSED answer, relayed if nothing better comes */
};

struct _HearthDnsForwarder {
  const HearthDnsConfig *config;
  HearthDnsCache *cache;
  HearthDnsForwarderDeliverFunc deliver;
  gpointer user_data;
  GDestroyNotify client_free;
  GHashTable *transactions; /* TxKey* (inside Transaction) -> Transaction* */
  HearthDnsForwarderStats stats;
  guint8 buf[HEARTH_DNS_MSG_MAX];
  guint8 policy_buf[HEARTH_DNS_MSG_MAX];
};

static void transaction_send_next (Transaction *tx);
static void transaction_finish (Transaction *tx, const HearthDnsAnswer *answer, guint rcode);
static gboolean tcp_io_cb (gint fd, GIOCondition cond, gpointer user_data);
static gboolean attempt_timeout_cb (gpointer user_data);

static guint
tx_key_hash (gconstpointer p)
{
  const TxKey *k = p;
  guint32 h = 2166136261u;

  for (guint i = 0; i < k->name_len; i++)
    h = (h ^ k->name[i]) * 16777619u;
  h = (h ^ k->qtype) * 16777619u;
  h = (h ^ k->qclass) * 16777619u;
  return (h ^ k->flags) * 16777619u;
}

static gboolean
tx_key_equal (gconstpointer a, gconstpointer b)
{
  const TxKey *x = a, *y = b;

  return x->name_len == y->name_len && x->qtype == y->qtype && x->qclass == y->qclass && x->flags == y->flags &&
         memcmp (x->name, y->name, x->name_len) == 0;
}

static void
attempt_close (Attempt *a)
{
  if (a->source_id != 0)
    g_source_remove (a->source_id);
  a->source_id = 0;
  if (a->fd >= 0)
    close (a->fd);
  a->fd = -1;
}

static void
attempt_free (Attempt *a)
{
  attempt_close (a);
  hearth_dns_server_unref (a->server);
  g_free (a->out);
  g_free (a->in);
  g_free (a);
}

static void
transaction_free (Transaction *tx)
{
  if (tx->attempt_timer != 0)
    g_source_remove (tx->attempt_timer);
  if (tx->deadline_timer != 0)
    g_source_remove (tx->deadline_timer);
  g_ptr_array_unref (tx->attempts);
  g_ptr_array_unref (tx->servers);
  g_ptr_array_unref (tx->clients);
  g_clear_pointer (&tx->error_answer, hearth_dns_answer_free);
  g_free (tx);
}

static void
server_failed (HearthDnsServer *server)
{
  server->failed++;
  server->last_failure = g_get_monotonic_time ();
}

static void
server_answered (HearthDnsServer *server, gint64 sent_at)
{
  guint32 rtt = (guint32) MIN ((g_get_monotonic_time () - sent_at) / 1000, G_MAXUINT32);

  /* Exponential smoothing with weight 1/4, like TCP's SRTT (RFC 6298). */
  server->latency_ms = server->latency_ms == 0 ? MAX (rtt, 1) : (3 * server->latency_ms + rtt) / 4;
}

static void
log_forwarded (Transaction *tx, HearthDnsServer *server)
{
  char name[1024];

  hearth_dns_name_to_string (tx->question.name, tx->question.name_len, name, sizeof name);
  /* dnsmasq's wording; the fields make it searchable in the journal. */
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "MESSAGE", "forwarded %s to %s", name, server->text,
                    "HEARTH_QNAME", "%s", name, "HEARTH_UPSTREAM", "%s", server->text);
}

static void
log_reply (Transaction *tx, HearthDnsServer *server, const HearthDnsAnswer *answer)
{
  char name[1024];

  hearth_dns_name_to_string (tx->question.name, tx->question.name_len, name, sizeof name);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "MESSAGE", "reply %s is %s (%u answer records) from %s", name,
                    hearth_dns_rcode_to_string (answer->rcode), answer->ancount, server->text, "HEARTH_QNAME", "%s",
                    name, "HEARTH_UPSTREAM", "%s", server->text, "HEARTH_RCODE", "%s",
                    hearth_dns_rcode_to_string (answer->rcode));
}

static void
log_policy (Transaction *tx, HearthDnsServer *server, HearthDnsReplyVerdict verdict)
{
  char name[1024];

  hearth_dns_name_to_string (tx->question.name, tx->question.name_len, name, sizeof name);
  if (verdict == HEARTH_DNS_REPLY_BLOCKED)
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE", "possible DNS-rebind attack detected: %s (from %s)",
                      name, server->text, "HEARTH_QNAME", "%s", name, "HEARTH_UPSTREAM", "%s", server->text);
  else if (tx->fwd->config->log_queries)
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "MESSAGE", "reply %s from %s: %s by answer policy", name,
                      server->text, hearth_dns_reply_verdict_to_string (verdict), "HEARTH_QNAME", "%s", name,
                      "HEARTH_UPSTREAM", "%s", server->text);
}

/* An attempt ended without an answer we can use. */
static void
attempt_failed (Attempt *a)
{
  Transaction *tx = a->tx;

  a->done = TRUE;
  attempt_close (a);
  server_failed (a->server);
  transaction_send_next (tx);
}

static void
arm_attempt_timer (Transaction *tx, guint ms)
{
  if (tx->attempt_timer != 0)
    g_source_remove (tx->attempt_timer);
  tx->attempt_timer = g_timeout_add (ms, attempt_timeout_cb, tx);
}

/* Re-asks the same server over TCP after a truncated UDP reply. */
static void
attempt_start_tcp (Transaction *tx, HearthDnsServer *server)
{
  HearthDnsForwarder *fwd = tx->fwd;
  Attempt *t = g_new0 (Attempt, 1);
  g_autoptr (GError) error = NULL;
  gsize qlen;

  fwd->stats.tcp_fallbacks++;
  t->tx = tx;
  t->server = hearth_dns_server_ref (server);
  t->tcp = TRUE;
  t->fd = -1;
  t->id = hearth_random_u16 ();
  t->out = g_malloc (2 + HEARTH_DNS_UDP_MIN);
  qlen = hearth_dns_write_upstream_query (t->id, tx->query_flags, &tx->question,
                                          (tx->key.flags & HEARTH_DNS_CACHE_KEY_DO) != 0,
                                          fwd->config->edns_packet_max, t->out + 2, HEARTH_DNS_UDP_MIN);
  t->out[0] = (guint8) (qlen >> 8);
  t->out[1] = (guint8) qlen;
  t->out_len = qlen + 2;
  g_ptr_array_add (tx->attempts, t);
  t->fd = hearth_net_upstream_tcp ((struct sockaddr *) &server->addr,
                                   server->source_len != 0 ? (struct sockaddr *) &server->source : NULL,
                                   server->interface, &error);
  if (t->fd < 0)
    {
      g_debug ("TCP retry to %s: %s", server->text, error->message);
      attempt_failed (t);
      return;
    }
  t->sent_at = g_get_monotonic_time ();
  t->source_id = g_unix_fd_add (t->fd, G_IO_OUT, tcp_io_cb, t);
  arm_attempt_timer (tx, TCP_ATTEMPT_TIMEOUT_MS);
}

/* Handles one complete reply of an attempt. Returns TRUE when the attempt
 * is still open (the reply was ignored); FALSE when the attempt, and maybe
 * the whole transaction, is gone. */
static gboolean
attempt_handle_reply (Attempt *a, const guint8 *data, gsize len)
{
  Transaction *tx = a->tx;
  HearthDnsForwarder *fwd = tx->fwd;
  HearthDnsAnswer *answer = NULL;

  switch (hearth_dns_answer_new_from_reply (data, len, a->id, &tx->question, &answer))
    {
    case HEARTH_DNS_REPLY_MISMATCH:
    case HEARTH_DNS_REPLY_MALFORMED:
      /* Possibly a spoofing attempt: keep waiting for the real reply. */
      fwd->stats.bad_replies++;
      return TRUE;
    case HEARTH_DNS_REPLY_TRUNCATED:
      a->done = TRUE;
      attempt_close (a);
      if (a->tcp)
        attempt_failed (a);
      else
        attempt_start_tcp (tx, a->server);
      return FALSE;
    case HEARTH_DNS_REPLY_UNCACHEABLE:
      /* A record after OPT: legal in theory, not sent by real servers, and
       * its compression offsets could not be replayed safely. */
      fwd->stats.bad_replies++;
      attempt_failed (a);
      return FALSE;
    case HEARTH_DNS_REPLY_OK:
      break;
    }

  /* Answer policy (--bogus-nxdomain, --stop-dns-rebind, filters...) acts
   * on the checked reply, before anything is delivered or cached. */
  if (hearth_dns_policy_has_reply_rules (fwd->config->policy))
    {
      gsize policed_len = 0;
      guint32 original_ttl;
      HearthDnsReplyVerdict verdict =
          hearth_dns_policy_check_reply (fwd->config->policy, &tx->question, data, len, fwd->policy_buf,
                                         sizeof fwd->policy_buf, &policed_len);

      if (verdict != HEARTH_DNS_REPLY_KEEP)
        log_policy (tx, a->server, verdict);
      switch (verdict)
        {
        case HEARTH_DNS_REPLY_KEEP:
          break;
        case HEARTH_DNS_REPLY_IGNORE:
          /* --ignore-address: as if it never came; another reply may. */
          hearth_dns_answer_free (answer);
          fwd->stats.policy_ignored++;
          return TRUE;
        case HEARTH_DNS_REPLY_REWRITTEN:
        case HEARTH_DNS_REPLY_NXDOMAIN:
        case HEARTH_DNS_REPLY_BLOCKED:
          original_ttl = answer->ttl;
          hearth_dns_answer_free (answer);
          answer = NULL;
          fwd->stats.policy_changed++;
          if (hearth_dns_answer_new_from_reply (fwd->policy_buf, policed_len, a->id, &tx->question, &answer) !=
              HEARTH_DNS_REPLY_OK)
            {
              g_clear_pointer (&answer, hearth_dns_answer_free);
              fwd->stats.bad_replies++;
              attempt_failed (a);
              return FALSE;
            }
          /* An answer the policy emptied has no SOA to time it: it lives
           * as long as the records it replaced would have. */
          if (answer->negative && !answer->has_soa)
            {
              answer->ttl = original_ttl;
              answer->ttl_fixed = TRUE;
            }
          break;
        }
    }

  a->done = TRUE;
  attempt_close (a);
  server_answered (a->server, a->sent_at);
  if (fwd->config->log_queries)
    log_reply (tx, a->server, answer);
  switch (answer->rcode)
    {
    case HEARTH_DNS_RCODE_SERVFAIL:
    case HEARTH_DNS_RCODE_REFUSED:
    case HEARTH_DNS_RCODE_NOTIMP:
    case HEARTH_DNS_RCODE_FORMERR:
      /* This server cannot help; another may. Keep its answer to relay if
       * none does better. */
      g_clear_pointer (&tx->error_answer, hearth_dns_answer_free);
      tx->error_answer = answer;
      a->server->retries++;
      server_failed (a->server);
      transaction_send_next (tx);
      return FALSE;
    default:
      break;
    }
  if (answer->rcode == HEARTH_DNS_RCODE_NXDOMAIN)
    a->server->nxdomain++;
  transaction_finish (tx, answer, answer->rcode);
  /* After delivery: the cache frees an answer it does not keep. */
  if (fwd->config->cache_size > 0)
    hearth_dns_cache_insert (fwd->cache, &tx->question, tx->key.flags, answer,
                             g_get_monotonic_time () / G_USEC_PER_SEC);
  else
    hearth_dns_answer_free (answer);
  g_hash_table_remove (fwd->transactions, &tx->key);
  return FALSE;
}

static gboolean
udp_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Attempt *a = user_data;
  HearthDnsForwarder *fwd = a->tx->fwd;

  for (guint i = 0; i < RECV_BUDGET; i++)
    {
      ssize_t n = recv (fd, fwd->buf, sizeof fwd->buf, 0);

      if (n < 0)
        {
          if (errno == ECONNREFUSED)
            {
              /* ICMP port unreachable: nobody listens there; fail fast
               * instead of waiting for the timeout. */
              attempt_failed (a);
              return G_SOURCE_REMOVE;
            }
          break;
        }
      /* attempt_close() removes this source when the attempt ends; that is
       * safe inside the callback, and the return value is then ignored. */
      if (!attempt_handle_reply (a, fwd->buf, (gsize) n))
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
tcp_io_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Attempt *a = user_data;

  if (a->out_pos < a->out_len)
    {
      ssize_t n = send (fd, a->out + a->out_pos, a->out_len - a->out_pos, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            return G_SOURCE_CONTINUE;
          attempt_failed (a);
          return G_SOURCE_REMOVE;
        }
      a->out_pos += (gsize) n;
      if (a->out_pos == a->out_len)
        {
          /* Switch from waiting for writability to reading. */
          a->source_id = 0;
          a->source_id = g_unix_fd_add (fd, G_IO_IN, tcp_io_cb, a);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }

  for (;;)
    {
      gsize want = a->in_len < 2 ? 2 : 2 + (((gsize) a->in[0] << 8) | a->in[1]);
      ssize_t n;

      if (a->in_size < want)
        {
          a->in_size = want < 2 + HEARTH_DNS_MSG_MAX ? want : 2 + HEARTH_DNS_MSG_MAX;
          a->in = g_realloc (a->in, MAX (a->in_size, 2));
        }
      if (a->in_len == want && want > 2)
        {
          if (!attempt_handle_reply (a, a->in + 2, want - 2))
            return G_SOURCE_REMOVE;
          attempt_failed (a); /* ignored reply on TCP: not worth waiting for more */
          return G_SOURCE_REMOVE;
        }
      n = recv (fd, a->in + a->in_len, want - a->in_len, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          attempt_failed (a);
          return G_SOURCE_REMOVE;
        }
      a->in_len += (gsize) n;
    }
}

/* Sends the query to the next untried server (all of them with
 * --all-servers), or gives up when none is left and nothing is pending. */
static void
transaction_send_next (Transaction *tx)
{
  HearthDnsForwarder *fwd = tx->fwd;
  gboolean sent = FALSE;

  while (tx->n_tried < tx->servers->len && tx->attempts->len < MAX_ATTEMPTS)
    {
      HearthDnsServer *server = g_ptr_array_index (tx->servers, tx->n_tried++);
      Attempt *a = g_new0 (Attempt, 1);
      g_autoptr (GError) error = NULL;
      gsize len;

      a->tx = tx;
      a->server = hearth_dns_server_ref (server);
      a->id = hearth_random_u16 ();
      g_ptr_array_add (tx->attempts, a);
      a->fd = hearth_net_upstream_udp ((struct sockaddr *) &server->addr,
                                       server->source_len != 0 ? (struct sockaddr *) &server->source : NULL,
                                       server->interface, fwd->config->query_port, fwd->config->min_port,
                                       fwd->config->max_port, &error);
      if (a->fd < 0)
        {
          g_warning ("cannot query %s: %s", server->text, error->message);
          a->done = TRUE;
          server_failed (server);
          continue;
        }
      len = hearth_dns_write_upstream_query (a->id, tx->query_flags, &tx->question,
                                             (tx->key.flags & HEARTH_DNS_CACHE_KEY_DO) != 0,
                                             fwd->config->edns_packet_max, fwd->buf, sizeof fwd->buf);
      if (send (a->fd, fwd->buf, len, 0) < 0)
        {
          g_debug ("cannot send to %s: %s", server->text, g_strerror (errno));
          a->done = TRUE;
          attempt_close (a);
          server_failed (server);
          continue;
        }
      a->sent_at = g_get_monotonic_time ();
      a->source_id = g_unix_fd_add (a->fd, G_IO_IN, udp_readable_cb, a);
      if (fwd->config->log_queries)
        log_forwarded (tx, server);
      server->queries++;
      fwd->stats.forwarded++;
      sent = TRUE;
      /* --all-servers: ask every server at once. */
      if (!fwd->config->all_servers)
        break;
    }

  if (sent)
    {
      arm_attempt_timer (tx, ATTEMPT_TIMEOUT_MS);
      return;
    }

  /* Nothing new to send. If every attempt has ended, answer now with the
   * best we have; otherwise the open ones may still answer before the
   * deadline. */
  for (guint i = 0; i < tx->attempts->len; i++)
    if (!((Attempt *) g_ptr_array_index (tx->attempts, i))->done)
      return;
  if (tx->error_answer != NULL)
    transaction_finish (tx, tx->error_answer, tx->error_answer->rcode);
  else
    transaction_finish (tx, NULL, HEARTH_DNS_RCODE_SERVFAIL);
  g_hash_table_remove (fwd->transactions, &tx->key);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  Transaction *tx = user_data;

  tx->attempt_timer = 0;
  /* The attempts in flight are not closed: a late answer still counts. */
  for (guint i = 0; i < tx->attempts->len; i++)
    {
      Attempt *a = g_ptr_array_index (tx->attempts, i);

      if (!a->done && !a->timed_out && a->sent_at + ATTEMPT_TIMEOUT_MS * 1000 <= g_get_monotonic_time () + 1000)
        {
          a->timed_out = TRUE;
          server_failed (a->server);
          a->server->retries++;
          if (a->tcp)
            {
              /* A TCP attempt that timed out will not come back. */
              a->done = TRUE;
              attempt_close (a);
            }
        }
    }
  if (tx->n_tried >= tx->servers->len && g_get_monotonic_time () - tx->started < 2 * ATTEMPT_TIMEOUT_MS * 1000 &&
      tx->attempts->len < MAX_ATTEMPTS && tx->servers->len > 0 && tx->error_answer == NULL)
    {
      /* Every server had one chance and time is left: try them again from
       * the start, in case a datagram was lost. */
      tx->n_tried = 0;
    }
  transaction_send_next (tx);
  return G_SOURCE_REMOVE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  Transaction *tx = user_data;
  HearthDnsForwarder *fwd = tx->fwd;

  tx->deadline_timer = 0;
  if (tx->error_answer != NULL)
    transaction_finish (tx, tx->error_answer, tx->error_answer->rcode);
  else
    transaction_finish (tx, NULL, HEARTH_DNS_RCODE_SERVFAIL);
  g_hash_table_remove (fwd->transactions, &tx->key);
  return G_SOURCE_REMOVE;
}

/* Hands the answer to every waiting client. The transaction is freed by
 * the caller (removing it from the table). */
static void
transaction_finish (Transaction *tx, const HearthDnsAnswer *answer, guint rcode)
{
  HearthDnsForwarder *fwd = tx->fwd;
  g_autoptr (GPtrArray) clients = g_steal_pointer (&tx->clients);

  tx->clients = g_ptr_array_new ();
  if (answer != NULL && rcode != HEARTH_DNS_RCODE_SERVFAIL && rcode != HEARTH_DNS_RCODE_REFUSED)
    fwd->stats.answered++;
  else
    fwd->stats.servfail++;
  for (guint i = 0; i < clients->len; i++)
    fwd->deliver (g_ptr_array_index (clients, i), answer, rcode, fwd->user_data);
}

/* Puts servers that failed recently behind the others, and otherwise the
 * fastest first; --strict-order keeps the configured order. */
static gint
server_order_cmp (gconstpointer pa, gconstpointer pb)
{
  const HearthDnsServer *a = *(HearthDnsServer *const *) pa, *b = *(HearthDnsServer *const *) pb;
  gint64 now = g_get_monotonic_time ();
  gboolean a_bad = a->last_failure != 0 && now - a->last_failure < FAILURE_MEMORY_US;
  gboolean b_bad = b->last_failure != 0 && now - b->last_failure < FAILURE_MEMORY_US;

  if (a_bad != b_bad)
    return a_bad ? 1 : -1;
  /* Unmeasured servers (latency 0) go first so they get measured. */
  return (a->latency_ms > b->latency_ms) - (a->latency_ms < b->latency_ms);
}

static gboolean
any_server_usable (GPtrArray *servers)
{
  for (guint i = 0; i < servers->len; i++)
    if (!((HearthDnsServer *) g_ptr_array_index (servers, i))->suspended)
      return TRUE;
  return FALSE;
}

void
hearth_dns_forwarder_query (HearthDnsForwarder *fwd, const HearthDnsQuery *query, GPtrArray *servers,
                            gpointer client)
{
  TxKey key;
  Transaction *tx;

  key.name_len = query->question.name_len;
  memcpy (key.name, query->question.name, key.name_len);
  hearth_dns_name_lower (key.name, key.name_len);
  key.qtype = query->question.qtype;
  key.qclass = query->question.qclass;
  key.flags = (query->edns_do ? HEARTH_DNS_CACHE_KEY_DO : 0) |
              ((query->header.flags & HEARTH_DNS_FLAG_CD) ? HEARTH_DNS_CACHE_KEY_CD : 0);

  tx = g_hash_table_lookup (fwd->transactions, &key);
  if (tx != NULL && tx->clients->len < MAX_CLIENTS_PER_TX)
    {
      fwd->stats.merged++;
      g_ptr_array_add (tx->clients, client);
      return;
    }
  if (tx == NULL && servers != NULL && servers->len > 0 && !any_server_usable (servers))
    {
      /* Every server of the route waits for its interface: say so at
       * once instead of timing out. */
      fwd->stats.suspended++;
      fwd->deliver (client, NULL, HEARTH_DNS_RCODE_SERVFAIL, fwd->user_data);
      return;
    }
  if (tx != NULL || servers == NULL || servers->len == 0 ||
      g_hash_table_size (fwd->transactions) >= fwd->config->dns_forward_max)
    {
      if (servers != NULL && servers->len > 0)
        fwd->stats.refused_limit++;
      fwd->deliver (client, NULL, HEARTH_DNS_RCODE_REFUSED, fwd->user_data);
      return;
    }

  tx = g_new0 (Transaction, 1);
  tx->fwd = fwd;
  tx->key = key;
  tx->question = query->question;
  tx->query_flags = query->header.flags & (HEARTH_DNS_FLAG_RD | HEARTH_DNS_FLAG_CD);
  tx->servers = g_ptr_array_new_full (servers->len, (GDestroyNotify) hearth_dns_server_unref);
  for (guint i = 0; i < servers->len; i++)
    if (!((HearthDnsServer *) g_ptr_array_index (servers, i))->suspended)
      g_ptr_array_add (tx->servers, hearth_dns_server_ref (g_ptr_array_index (servers, i)));
  if (!fwd->config->strict_order)
    g_ptr_array_sort (tx->servers, server_order_cmp);
  tx->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  tx->clients = g_ptr_array_new ();
  g_ptr_array_add (tx->clients, client);
  tx->started = g_get_monotonic_time ();
  tx->deadline_timer = g_timeout_add (TRANSACTION_DEADLINE_MS, deadline_cb, tx);
  g_hash_table_insert (fwd->transactions, &tx->key, tx);
  transaction_send_next (tx);
}

static void
transaction_destroy (gpointer p)
{
  Transaction *tx = p;
  HearthDnsForwarder *fwd = tx->fwd;

  /* Clients still waiting only when the forwarder itself goes away. */
  if (fwd->client_free != NULL)
    g_ptr_array_foreach (tx->clients, (GFunc) (void (*) (void)) fwd->client_free, NULL);
  transaction_free (tx);
}

HearthDnsForwarder *
hearth_dns_forwarder_new (const HearthDnsConfig *config, HearthDnsCache *cache, HearthDnsForwarderDeliverFunc deliver,
                          gpointer user_data)
{
  HearthDnsForwarder *fwd = g_new0 (HearthDnsForwarder, 1);

  fwd->config = config;
  fwd->cache = cache;
  fwd->deliver = deliver;
  fwd->user_data = user_data;
  fwd->transactions = g_hash_table_new_full (tx_key_hash, tx_key_equal, NULL, transaction_destroy);
  return fwd;
}

void
hearth_dns_forwarder_set_client_free_func (HearthDnsForwarder *fwd, GDestroyNotify client_free)
{
  fwd->client_free = client_free;
}

void
hearth_dns_forwarder_free (HearthDnsForwarder *fwd)
{
  if (fwd == NULL)
    return;
  g_hash_table_unref (fwd->transactions);
  g_free (fwd);
}

void
hearth_dns_forwarder_get_stats (HearthDnsForwarder *fwd, HearthDnsForwarderStats *out_stats)
{
  *out_stats = fwd->stats;
  out_stats->in_flight = g_hash_table_size (fwd->transactions);
}

void
hearth_dns_forwarder_reset_stats (HearthDnsForwarder *fwd)
{
  memset (&fwd->stats, 0, sizeof fwd->stats);
}
