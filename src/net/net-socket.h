/* Socket helpers shared by the servers: printable addresses, listening
 * sockets, upstream sockets on random ports, and sockets handed over by
 * systemd (socket activation).
 *
 * Plain file descriptors, not GSocket: the DNS paths batch their I/O with
 * recvmmsg/sendmmsg and need packet-info control messages, which GSocket
 * does not expose. No policy lives here: callers decide what to open.
 */
#pragma once

#include <gio/gio.h>
#include <sys/socket.h>

/* "1.2.3.4#53" / "::1#53" (dnsmasq's notation); with_port FALSE drops it. */
const char *hearth_net_sockaddr_to_string (const struct sockaddr *sa, gboolean with_port, char *buf, gsize buf_size);
gboolean hearth_net_sockaddr_equal (const struct sockaddr *a, const struct sockaddr *b);
guint16 hearth_net_sockaddr_port (const struct sockaddr *sa);
void hearth_net_sockaddr_set_port (struct sockaddr *sa, guint16 port);
socklen_t hearth_net_sockaddr_len (const struct sockaddr *sa);
/* Parses a literal IPv4/IPv6 address ("fe80::1%eth0" allowed) with a port. */
gboolean hearth_net_sockaddr_parse (const char *text, guint16 port, struct sockaddr_storage *out, GError **error);

/* A non-blocking, close-on-exec listening socket (UDP or TCP) bound to addr.
 * IPv6 sockets are IPv6-only; wildcard addresses get packet-info so replies
 * leave from the address the query came to. */
int hearth_net_listen (const struct sockaddr *addr, int type, GError **error);

/* A non-blocking UDP socket connected to server, so the kernel delivers
 * only datagrams from that address and port. Bound to source when given
 * (its port 0 = pick one), else to a random port in [min_port, max_port]
 * (or exactly fixed_port when non-zero), and to interface (SO_BINDTODEVICE)
 * when non-NULL. */
int hearth_net_upstream_udp (const struct sockaddr *server, const struct sockaddr *source, const char *interface,
                             guint16 fixed_port, guint16 min_port, guint16 max_port, GError **error);
/* A non-blocking TCP socket with connect() started towards server. */
int hearth_net_upstream_tcp (const struct sockaddr *server, const struct sockaddr *source, const char *interface,
                             GError **error);

typedef struct {
  int fd;
  int type; /* SOCK_DGRAM or SOCK_STREAM */
} HearthNetActivatedSocket;

/* Sockets passed by systemd (LISTEN_FDS), restricted to UDP/TCP INET ones;
 * unsets the environment variables. Empty array when not socket-activated. */
GArray *hearth_net_activated_sockets (void);
