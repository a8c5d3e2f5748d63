/* Typed value helpers shared by every subsystem that parses option values:
 * whole numbers in a range, durations (TTLs and dnsmasq lease times), port
 * numbers, IP addresses with an optional IPv6 scope, and comma lists.
 *
 * Each helper is pure apart from the interface-name lookup of an IPv6 scope,
 * writes its output only on success, and on failure sets
 * HEARTH_CONFIG_ERROR_BAD_VALUE with a message saying what was expected
 * ("expected ..., got '...'").  The messages carry no file or line: the
 * caller adds those with hearth_config_item_prefix_error().  The helpers do
 * not know about options; a subsystem decides which helper a value needs.
 */
#pragma once

#include <sys/socket.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Most fields hearth_config_value_split_list() and hearth_config_item_split()
 * return; no dnsmasq option has anywhere near this many. */
#define HEARTH_CONFIG_VALUE_FIELDS_MAX 1024

/* What hearth_config_value_parse_duration() returns for "infinite"; the same
 * all-ones value dnsmasq uses for infinite leases. */
#define HEARTH_CONFIG_DURATION_INFINITE G_MAXUINT32

/* White space as dnsmasq sees it: isspace() in the C locale, which unlike
 * g_ascii_isspace() includes the vertical tab. */
static inline gboolean
hearth_config_char_is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Decimal digits only (no sign, no spaces, no 0x), between @min and @max. */
/* text escaped (g_strescape) and cut to 64 bytes, for quoting input back in
 * error messages. Free with g_free(). */
char *hearth_config_value_printable (const char *text);

gboolean hearth_config_value_parse_uint (
    const char *text, guint min, guint max, guint *out_value, GError **error);

/* Plain seconds ("3600"), or a number with one unit suffix as dnsmasq's
 * lease times take it: s, m, h, d, w (either case).  "infinite" gives
 * HEARTH_CONFIG_DURATION_INFINITE when @allow_infinite.  Finite results are
 * below HEARTH_CONFIG_DURATION_INFINITE. */
gboolean hearth_config_value_parse_duration (const char *text,
                                             gboolean allow_infinite,
                                             guint32 *out_seconds,
                                             GError **error);

/* 0 to 65535. */
gboolean hearth_config_value_parse_port (const char *text, guint16 *out_port, GError **error);

/* Split on commas, dropping the spaces around each field; empty fields are
 * kept ("a,,b" gives three fields) because dnsmasq gives them meaning.  An
 * empty @text gives one empty field.  Free the result with g_strfreev(). */
gboolean hearth_config_value_split_list (const char *text, char ***out_fields, GError **error);

/* An IPv4 address in dotted-quad form or an IPv6 address, strictly as
 * inet_pton() reads them.  An IPv6 address may carry "%scope", the scope
 * being an interface name or number; the scope id is returned in
 * @out_scope_id (0 when none).  When @out_scope_id is NULL a scope is
 * refused. */
gboolean hearth_config_value_parse_ip (const char *text,
                                       GInetAddress **out_address,
                                       guint32 *out_scope_id,
                                       GError **error);

/* The same, as a socket address with @port (host order) filled in. */
gboolean hearth_config_value_parse_sockaddr (const char *text,
                                             guint16 port,
                                             struct sockaddr_storage *out_addr,
                                             socklen_t *out_len,
                                             GError **error);

G_END_DECLS
