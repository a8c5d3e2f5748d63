/* DHCPv4 and BOOTP messages on the wire (RFC 951, 2131, 2132, 3396).
 *
 * The reader checks every length against what is left (never pos + len),
 * and linearizes the options once: option overload into the file and
 * sname fields is followed, and an option that appears several times is
 * concatenated (RFC 3396), so afterwards any option is found in O(1).
 * The builder does the reverse: options longer than 255 bytes are split
 * into consecutive instances, and when the reply would not fit, options
 * spill into file and sname (overload) if those fields are free.
 *
 * Pure code: no sockets, no time, no allocation on the read path.
 * Addresses in HearthDhcp4Header are host byte order.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEARTH_DHCP4_FIXED_LEN 236         /* op .. file */
#define HEARTH_DHCP4_COOKIE 0x63825363u
#define HEARTH_DHCP4_PACKET_MAX 8192        /* longest message read or built */
#define HEARTH_DHCP4_MIN_REPLY_LEN 300      /* BOOTP minimum; replies are padded to it */
#define HEARTH_DHCP4_DEFAULT_MAX_MESSAGE 576 /* RFC 2131: every client takes this much (IP datagram) */

#define HEARTH_DHCP4_BOOTREQUEST 1
#define HEARTH_DHCP4_BOOTREPLY 2
#define HEARTH_DHCP4_FLAG_BROADCAST 0x8000

typedef enum {
  HEARTH_DHCP4_NONE = 0, /* BOOTP: no message type option */
  HEARTH_DHCP4_DISCOVER = 1,
  HEARTH_DHCP4_OFFER = 2,
  HEARTH_DHCP4_REQUEST = 3,
  HEARTH_DHCP4_DECLINE = 4,
  HEARTH_DHCP4_ACK = 5,
  HEARTH_DHCP4_NAK = 6,
  HEARTH_DHCP4_RELEASE = 7,
  HEARTH_DHCP4_INFORM = 8,
} HearthDhcp4MessageType;

const char *hearth_dhcp4_message_type_to_string (HearthDhcp4MessageType type);

/* Option codes used by the server. */
enum {
  HEARTH_DHCP4_OPT_PAD = 0,
  HEARTH_DHCP4_OPT_NETMASK = 1,
  HEARTH_DHCP4_OPT_ROUTER = 3,
  HEARTH_DHCP4_OPT_DNS_SERVER = 6,
  HEARTH_DHCP4_OPT_HOSTNAME = 12,
  HEARTH_DHCP4_OPT_DOMAIN_NAME = 15,
  HEARTH_DHCP4_OPT_BROADCAST = 28,
  HEARTH_DHCP4_OPT_VENDOR = 43,
  HEARTH_DHCP4_OPT_REQUESTED_ADDRESS = 50,
  HEARTH_DHCP4_OPT_LEASE_TIME = 51,
  HEARTH_DHCP4_OPT_OVERLOAD = 52,
  HEARTH_DHCP4_OPT_MESSAGE_TYPE = 53,
  HEARTH_DHCP4_OPT_SERVER_ID = 54,
  HEARTH_DHCP4_OPT_PARAMETER_LIST = 55,
  HEARTH_DHCP4_OPT_MESSAGE = 56,
  HEARTH_DHCP4_OPT_MAX_MESSAGE_SIZE = 57,
  HEARTH_DHCP4_OPT_T1 = 58,
  HEARTH_DHCP4_OPT_T2 = 59,
  HEARTH_DHCP4_OPT_VENDOR_CLASS = 60,
  HEARTH_DHCP4_OPT_CLIENT_ID = 61,
  HEARTH_DHCP4_OPT_RAPID_COMMIT = 80,
  HEARTH_DHCP4_OPT_USER_CLASS = 77,
  HEARTH_DHCP4_OPT_FQDN = 81,
  HEARTH_DHCP4_OPT_AGENT_INFO = 82,
  HEARTH_DHCP4_OPT_CLIENT_ARCH = 93,  /* RFC 4578 */
  HEARTH_DHCP4_OPT_CLIENT_UUID = 97,  /* RFC 4578 */
  HEARTH_DHCP4_OPT_DOMAIN_SEARCH = 119,
  HEARTH_DHCP4_OPT_CLASSLESS_ROUTES = 121,
  HEARTH_DHCP4_OPT_VI_VENDOR = 125,
  HEARTH_DHCP4_OPT_END = 255,
};

typedef struct {
  guint8 op;
  guint8 htype;
  guint8 hlen;
  guint8 hops;
  guint32 xid;               /* the wire's big-endian value; written back the same way */
  guint16 secs;              /* host order, like flags */
  guint16 flags;
  guint32 ciaddr;            /* host order */
  guint32 yiaddr;
  guint32 siaddr;
  guint32 giaddr;
  guint8 chaddr[16];
  guint8 sname[64];          /* raw; may hold options when overloaded (then zeroed here) */
  guint8 file[128];
} HearthDhcp4Header;

typedef enum {
  HEARTH_DHCP4_PARSE_OK = 0,
  HEARTH_DHCP4_PARSE_TOO_SHORT,     /* under 236 bytes (+4 when there is a cookie) */
  HEARTH_DHCP4_PARSE_TOO_LONG,      /* over HEARTH_DHCP4_PACKET_MAX */
  HEARTH_DHCP4_PARSE_BAD_HLEN,      /* hlen > 16 */
  HEARTH_DHCP4_PARSE_BAD_OPTION,    /* an option runs past its field */
  HEARTH_DHCP4_PARSE_BAD_OVERLOAD,  /* option 52 with a bad value */
  HEARTH_DHCP4_PARSE_BAD_MESSAGE_TYPE, /* option 53 not one byte, or unknown */
} HearthDhcp4ParseResult;

const char *hearth_dhcp4_parse_result_to_string (HearthDhcp4ParseResult result);

/* A parsed message. Big (it holds the linearized option bytes); keep one
 * per socket, not on small stacks. */
typedef struct {
  HearthDhcp4Header header;
  gboolean has_cookie;             /* FALSE: plain BOOTP without options */
  HearthDhcp4MessageType type;     /* 0 for BOOTP */
  guint8 present[32];              /* bit per option code */
  guint16 offset[256];             /* into data */
  guint16 length[256];             /* concatenated length (may exceed 255) */
  guint8 data[HEARTH_DHCP4_PACKET_MAX];
  gsize data_len;
} HearthDhcp4Message;

/* Parses @len bytes. Any op is accepted (the caller checks); on error @out
 * is left in an unspecified state. */
HearthDhcp4ParseResult hearth_dhcp4_message_parse (const guint8 *buf, gsize len, HearthDhcp4Message *out);

gboolean hearth_dhcp4_message_has_option (const HearthDhcp4Message *msg, guint8 code);
/* The option's concatenated value, or NULL when absent (a present empty
 * option gives a non-NULL pointer and *out_len 0). */
const guint8 *hearth_dhcp4_message_get_option (const HearthDhcp4Message *msg, guint8 code, gsize *out_len);
/* Convenience readers: FALSE when absent or of the wrong length. */
gboolean hearth_dhcp4_message_get_u8 (const HearthDhcp4Message *msg, guint8 code, guint8 *out_value);
gboolean hearth_dhcp4_message_get_u16 (const HearthDhcp4Message *msg, guint8 code, guint16 *out_value);
gboolean hearth_dhcp4_message_get_u32 (const HearthDhcp4Message *msg, guint8 code, guint32 *out_value);
/* An IPv4 address option (4 bytes), host order. */
gboolean hearth_dhcp4_message_get_addr (const HearthDhcp4Message *msg, guint8 code, guint32 *out_addr);

/* Reply builder. Options are kept in the order added (53 and 54 go first
 * whatever the order); data of each may be up to 65535 bytes. */
#define HEARTH_DHCP4_BUILDER_MAX_OPTIONS 128

typedef struct {
  HearthDhcp4Header header;
  guint n_options;
  guint8 codes[HEARTH_DHCP4_BUILDER_MAX_OPTIONS];
  guint16 offsets[HEARTH_DHCP4_BUILDER_MAX_OPTIONS];
  guint16 lengths[HEARTH_DHCP4_BUILDER_MAX_OPTIONS];
  guint8 data[HEARTH_DHCP4_PACKET_MAX];
  gsize data_len;
  gboolean overflow;               /* an add did not fit the builder */
} HearthDhcp4Builder;

/* Starts a reply: header copied from @header (the caller sets op, yiaddr,
 * siaddr, sname and file). */
void hearth_dhcp4_builder_init (HearthDhcp4Builder *b, const HearthDhcp4Header *header);
/* Adds an option; FALSE (and b->overflow set) when the builder is full.
 * Adding a code already present replaces its data and keeps its place in
 * the order. Codes 0 (PAD), 52 (overload, the builder writes it itself)
 * and 255 (END) are refused with a critical. */
gboolean hearth_dhcp4_builder_add (HearthDhcp4Builder *b, guint8 code, const void *data, gsize len);
gboolean hearth_dhcp4_builder_add_u8 (HearthDhcp4Builder *b, guint8 code, guint8 value);
gboolean hearth_dhcp4_builder_add_u16 (HearthDhcp4Builder *b, guint8 code, guint16 value);
gboolean hearth_dhcp4_builder_add_u32 (HearthDhcp4Builder *b, guint8 code, guint32 value);
gboolean hearth_dhcp4_builder_add_addr (HearthDhcp4Builder *b, guint8 code, guint32 addr_host_order);
gboolean hearth_dhcp4_builder_has (const HearthDhcp4Builder *b, guint8 code);
void hearth_dhcp4_builder_remove (HearthDhcp4Builder *b, guint8 code);

/* Lays the message out into @out (at most @max_len bytes, at least
 * HEARTH_DHCP4_MIN_REPLY_LEN is always allowed): header, cookie, options
 * in order (each longer than 255 split into consecutive instances), END,
 * padding to 300 bytes. @max_len is clamped to
 * [HEARTH_DHCP4_MIN_REPLY_LEN, HEARTH_DHCP4_PACKET_MAX]; @out must hold
 * that many bytes.
 *
 * Each whole option goes into the first area with room for it, in order
 * (an option is never split across areas). When options do not fit and
 * @allow_overload and the header's file is empty, options continue in
 * file, then in sname if that is empty too, and option 52 (after 53 and
 * 54) says so; file and sname then end with END and zero padding.
 * Options that still do not fit are left out and counted in
 * *out_dropped (may be NULL): earlier options have the first claim on
 * the room, so the last added lose first, though a later small option
 * may still fit where an earlier big one did not. 53 and 54 come first
 * and so always fit unless absurdly long. Does not change @b. Returns
 * the length. */
gsize hearth_dhcp4_builder_finish (HearthDhcp4Builder *b, gboolean allow_overload, guint8 *out, gsize max_len,
                                   guint *out_dropped);

G_END_DECLS
