/* DNS wire format: one bounds-checked reader, the pure parsers for client
 * queries and upstream replies, and the writers for every message hearth
 * sends.
 *
 * Every parser here is a pure function (bytes in, result out, time passed
 * in) so unit tests and fuzzers call exactly what the daemon calls.
 * Nothing here does I/O, logging or allocation on the query path except
 * hearth_dns_answer_new_from_reply(), which builds the object the cache
 * keeps.
 */
#pragma once

#include <glib.h>

#define HEARTH_DNS_HEADER_SIZE 12
#define HEARTH_DNS_NAME_MAX    255 /* wire form, RFC 1035 2.3.4 */
#define HEARTH_DNS_UDP_MIN     512
#define HEARTH_DNS_MSG_MAX     65535

enum {
  HEARTH_DNS_TYPE_A = 1,
  HEARTH_DNS_TYPE_NS = 2,
  HEARTH_DNS_TYPE_CNAME = 5,
  HEARTH_DNS_TYPE_SOA = 6,
  HEARTH_DNS_TYPE_PTR = 12,
  HEARTH_DNS_TYPE_MX = 15,
  HEARTH_DNS_TYPE_TXT = 16,
  HEARTH_DNS_TYPE_AAAA = 28,
  HEARTH_DNS_TYPE_SRV = 33,
  HEARTH_DNS_TYPE_OPT = 41,
  HEARTH_DNS_TYPE_RRSIG = 46,
  HEARTH_DNS_TYPE_ANY = 255,
};

enum {
  HEARTH_DNS_CLASS_IN = 1,
  HEARTH_DNS_CLASS_CH = 3,
  HEARTH_DNS_CLASS_ANY = 255,
};

enum {
  HEARTH_DNS_RCODE_NOERROR = 0,
  HEARTH_DNS_RCODE_FORMERR = 1,
  HEARTH_DNS_RCODE_SERVFAIL = 2,
  HEARTH_DNS_RCODE_NXDOMAIN = 3,
  HEARTH_DNS_RCODE_NOTIMP = 4,
  HEARTH_DNS_RCODE_REFUSED = 5,
};

/* Header flag bits (second 16-bit word). */
#define HEARTH_DNS_FLAG_QR     0x8000
#define HEARTH_DNS_OPCODE_MASK 0x7800
#define HEARTH_DNS_FLAG_AA     0x0400
#define HEARTH_DNS_FLAG_TC     0x0200
#define HEARTH_DNS_FLAG_RD     0x0100
#define HEARTH_DNS_FLAG_RA     0x0080
#define HEARTH_DNS_FLAG_AD     0x0020
#define HEARTH_DNS_FLAG_CD     0x0010
#define HEARTH_DNS_RCODE_MASK  0x000f

#define HEARTH_DNS_EDNS_DO 0x8000

/* The bounds-checked reader. Every read checks the remaining length
 * (size - pos < n), never pos + n, and leaves pos unchanged on failure. */
typedef struct {
  const guint8 *data;
  gsize size;
  gsize pos;
} HearthDnsReader;

void hearth_dns_reader_init (HearthDnsReader *r, const guint8 *data, gsize size);
gboolean hearth_dns_reader_u8 (HearthDnsReader *r, guint8 *out);
gboolean hearth_dns_reader_u16 (HearthDnsReader *r, guint16 *out);
gboolean hearth_dns_reader_u32 (HearthDnsReader *r, guint32 *out);
gboolean hearth_dns_reader_skip (HearthDnsReader *r, gsize n);
/* Reads a possibly compressed name into out (uncompressed wire form, at most
 * HEARTH_DNS_NAME_MAX bytes, case kept); out may be NULL to skip it. */
gboolean hearth_dns_reader_name (HearthDnsReader *r, guint8 *out, gsize *out_len);

typedef struct {
  guint16 id;
  guint16 flags;
  guint16 qdcount;
  guint16 ancount;
  guint16 nscount;
  guint16 arcount;
} HearthDnsHeader;

typedef struct {
  guint8 name[HEARTH_DNS_NAME_MAX]; /* wire form as the sender wrote it */
  guint8 name_len;                  /* including the root label */
  guint16 qtype;
  guint16 qclass;
} HearthDnsQuestion;

/* Lower-cases a wire-form name in place (ASCII only, as DNS does). */
void hearth_dns_name_lower (guint8 *name, gsize len);
gboolean hearth_dns_name_equal (const guint8 *a, gsize a_len, const guint8 *b, gsize b_len);
/* Presentation form ("www.example.com", "." for the root) into buf; escapes
 * dots and non-printable bytes inside labels like dig does. */
const char *hearth_dns_name_to_string (const guint8 *name, gsize len, char *buf, gsize buf_size);
/* Presentation form -> wire form; FALSE for an empty label or overlong name. */
gboolean hearth_dns_name_from_string (const char *text, guint8 *out, gsize *out_len);
/* Number of labels (not counting the root). */
guint hearth_dns_name_count_labels (const guint8 *name, gsize len);

const char *hearth_dns_type_to_string (guint16 type, char *buf, gsize buf_size);
const char *hearth_dns_rcode_to_string (guint rcode);

typedef enum {
  HEARTH_DNS_PARSE_OK,
  HEARTH_DNS_PARSE_DROP,    /* not worth an answer: too short, or QR set */
  HEARTH_DNS_PARSE_FORMERR, /* header readable, the rest broken */
  HEARTH_DNS_PARSE_NOTIMP,  /* opcode other than QUERY */
} HearthDnsParseResult;

/* A client query, as far as hearth needs it. */
typedef struct {
  HearthDnsHeader header;
  HearthDnsQuestion question;
  gboolean question_ok; /* question parsed (also set for some FORMERR) */
  gboolean has_edns;
  guint16 edns_udp_size;
  gboolean edns_do;
  guint8 edns_version;
} HearthDnsQuery;

HearthDnsParseResult hearth_dns_query_parse (const guint8 *data, gsize size, HearthDnsQuery *out);

/* Writes a bare error reply for a query (rcode set, QR set, question echoed
 * when it parsed, OPT added when the query had EDNS). Returns the length, or
 * 0 when buf_size is too small. */
gsize hearth_dns_write_error (const HearthDnsQuery *query, guint rcode, gboolean authoritative, guint16 edns_udp_size,
                              guint8 *buf, gsize buf_size);

/* Writes the query hearth sends upstream for a question: one question, RD
 * and CD as given, and an OPT record advertising edns_udp_size with DO when
 * asked. Returns the length, or 0 when buf_size is too small. */
gsize hearth_dns_write_upstream_query (guint16 id, guint16 flags, const HearthDnsQuestion *q, gboolean dnssec_ok,
                                       guint16 edns_udp_size, guint8 *buf, gsize buf_size);

/* An answer in a form that can be replayed to any client asking the same
 * question: the resource records exactly as the upstream sent them (so the
 * name-compression offsets stay valid behind a question of the same length),
 * minus the OPT record, with the offsets of every TTL so they can be counted
 * down without re-parsing. One allocation; immutable once built. */
typedef struct {
  guint8 rcode;
  guint16 flags;    /* AD and CD bits of the reply as received */
  guint16 ancount;
  guint16 nscount;
  guint16 arcount;  /* without OPT */
  guint8 qname_len; /* length of the question name these RRs follow */
  gboolean negative;  /* NXDOMAIN, or NOERROR without an answer for the question */
  gboolean has_soa;   /* an SOA in the authority section (RFC 2308) */
  gboolean ttl_fixed; /* ttl was set by hearth (answer policy): cache it even when negative without SOA */
  guint32 ttl;        /* lifetime: min over all TTLs, or the RFC 2308 negative TTL */
  guint16 n_ttls;
  guint16 *ttl_offsets; /* into rrs */
  gsize rrs_len;
  guint8 *rrs;
} HearthDnsAnswer;

typedef enum {
  HEARTH_DNS_REPLY_OK,
  HEARTH_DNS_REPLY_MALFORMED,   /* cannot be parsed */
  HEARTH_DNS_REPLY_MISMATCH,    /* not a reply to that question / ID */
  HEARTH_DNS_REPLY_TRUNCATED,   /* TC set: retry over TCP */
  HEARTH_DNS_REPLY_UNCACHEABLE, /* fine to relay, but its layout cannot be replayed (OPT not last) */
} HearthDnsReplyResult;

/* Checks that data is a reply to question with the given id (QR set, opcode
 * QUERY, one question equal to q ignoring case) and builds the replayable
 * answer. *out_answer is set only for HEARTH_DNS_REPLY_OK. */
HearthDnsReplyResult hearth_dns_answer_new_from_reply (const guint8 *data, gsize size, guint16 id,
                                                       const HearthDnsQuestion *q, HearthDnsAnswer **out_answer);
void hearth_dns_answer_free (HearthDnsAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDnsAnswer, hearth_dns_answer_free)
/* Bytes the answer occupies in memory, for the cache's byte bound. */
gsize hearth_dns_answer_memory_size (const HearthDnsAnswer *answer);

/* How an answer is turned into a reply for one client. */
typedef struct {
  guint32 elapsed;         /* seconds since the answer was received */
  guint32 max_ttl;         /* cap on TTLs given to clients; 0 = none */
  gboolean proxy_dnssec;   /* keep AD from upstream */
  guint16 edns_udp_size;   /* what hearth advertises in its OPT */
  gsize limit;             /* the client's size limit (UDP size or 65535 on TCP) */
  guint rotate;            /* round robin: start the addresses this many records on (0 = as received) */
} HearthDnsReplyParams;

/* Writes the reply to one client: its ID, its question bytes (its own name
 * case), the answer's records with TTLs counted down, OPT if it sent EDNS,
 * and TC with no records if the whole does not fit params->limit. No
 * allocation. Returns the length, or 0 when buf_size is too small. */
gsize hearth_dns_answer_write (const HearthDnsAnswer *answer, const HearthDnsQuery *query,
                               const HearthDnsReplyParams *params, guint8 *buf, gsize buf_size);

/* The client's UDP size limit for a query: 512 without EDNS, otherwise its
 * advertised size clamped to [512, max]. */
gsize hearth_dns_query_udp_limit (const HearthDnsQuery *query, guint16 max);

/* Builds a reply from records hearth makes itself (local data, --address
 * routes, CHAOS). Past the client's limit the reply is truncated: TC set,
 * no records. */
typedef struct {
  guint8 *buf;
  gsize size;       /* room in buf */
  gsize limit;      /* the client's limit */
  gsize pos;
  guint16 ancount;
  guint16 nscount;
  gboolean truncated;
  gboolean failed;  /* buf too small even for the header and question */
  const HearthDnsQuery *query;
} HearthDnsReplyWriter;

/* Starts a reply to query: header (QR, the query's RD and CD, RA, AA when
 * authoritative, rcode) and the client's question bytes. */
void hearth_dns_reply_writer_init (HearthDnsReplyWriter *w, const HearthDnsQuery *query, guint rcode,
                                   gboolean authoritative, gsize limit, guint8 *buf, gsize size);
/* Appends a record to the answer section (authority when authority is
 * TRUE; all answer records must come first). An owner equal to the
 * question name (ignoring case) is written as a pointer to it, so it keeps
 * the client's case. rdata is copied as is (uncompressed names). */
void hearth_dns_reply_writer_add (HearthDnsReplyWriter *w, gboolean authority, const guint8 *name, gsize name_len,
                                  guint16 type, guint16 rclass, guint32 ttl, const guint8 *rdata, gsize rdlength);
/* Sets the rcode (e.g. NXDOMAIN found after records were considered). */
void hearth_dns_reply_writer_set_rcode (HearthDnsReplyWriter *w, guint rcode);
/* Finishes (counts, OPT when the query had EDNS, TC) and returns the
 * length, 0 when buf was too small. */
gsize hearth_dns_reply_writer_finish (HearthDnsReplyWriter *w, guint16 edns_udp_size);
