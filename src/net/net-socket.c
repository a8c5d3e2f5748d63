/* Socket helpers (see net-socket.h).
 *
 * Everything returns plain non-blocking, close-on-exec descriptors and a
 * GError naming the address on failure, so the daemon can report "cannot
 * listen on 127.0.0.1#53: Address already in use" and exit with the
 * network code.
 */
#include "config.h"

#include "net/net-socket.h"
#include "util/util-random.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

socklen_t
hearth_net_sockaddr_len (const struct sockaddr *sa)
{
  return sa->sa_family == AF_INET6 ? sizeof (struct sockaddr_in6) : sizeof (struct sockaddr_in);
}

guint16
hearth_net_sockaddr_port (const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET6)
    return ntohs (((const struct sockaddr_in6 *) sa)->sin6_port);
  return ntohs (((const struct sockaddr_in *) sa)->sin_port);
}

void
hearth_net_sockaddr_set_port (struct sockaddr *sa, guint16 port)
{
  if (sa->sa_family == AF_INET6)
    ((struct sockaddr_in6 *) sa)->sin6_port = htons (port);
  else
    ((struct sockaddr_in *) sa)->sin_port = htons (port);
}

const char *
hearth_net_sockaddr_to_string (const struct sockaddr *sa, gboolean with_port, char *buf, gsize buf_size)
{
  char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = "?";

  if (sa->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) sa;

      inet_ntop (AF_INET6, &s6->sin6_addr, addr, INET6_ADDRSTRLEN);
      if (s6->sin6_scope_id != 0)
        {
          char ifname[IF_NAMESIZE];

          if (if_indextoname (s6->sin6_scope_id, ifname) != NULL)
            {
              g_strlcat (addr, "%", sizeof addr);
              g_strlcat (addr, ifname, sizeof addr);
            }
        }
    }
  else if (sa->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, addr, sizeof addr);
  if (with_port)
    g_snprintf (buf, buf_size, "%s#%u", addr, hearth_net_sockaddr_port (sa));
  else
    g_strlcpy (buf, addr, buf_size);
  return buf;
}

gboolean
hearth_net_sockaddr_equal (const struct sockaddr *a, const struct sockaddr *b)
{
  if (a->sa_family != b->sa_family)
    return FALSE;
  if (a->sa_family == AF_INET)
    {
      const struct sockaddr_in *x = (const struct sockaddr_in *) a, *y = (const struct sockaddr_in *) b;

      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
  if (a->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *x = (const struct sockaddr_in6 *) a, *y = (const struct sockaddr_in6 *) b;

      return x->sin6_port == y->sin6_port && memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0 &&
             x->sin6_scope_id == y->sin6_scope_id;
    }
  return FALSE;
}

gboolean
hearth_net_sockaddr_parse (const char *text, guint16 port, struct sockaddr_storage *out, GError **error)
{
  g_autofree char *copy = g_strdup (text);
  char *scope = strchr (copy, '%');

  memset (out, 0, sizeof *out);
  if (scope != NULL)
    *scope++ = '\0';
  if (scope == NULL)
    {
      struct sockaddr_in *s4 = (struct sockaddr_in *) out;

      if (inet_pton (AF_INET, copy, &s4->sin_addr) == 1)
        {
          s4->sin_family = AF_INET;
          s4->sin_port = htons (port);
          return TRUE;
        }
    }
  {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) out;

    if (inet_pton (AF_INET6, copy, &s6->sin6_addr) == 1)
      {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons (port);
        if (scope != NULL)
          {
            guint64 n;

            if (g_ascii_string_to_unsigned (scope, 10, 1, G_MAXUINT32, &n, NULL))
              s6->sin6_scope_id = (guint32) n;
            else if ((s6->sin6_scope_id = if_nametoindex (scope)) == 0)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown interface '%s' in '%s'",
                             scope, text);
                return FALSE;
              }
          }
        return TRUE;
      }
  }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address", text);
  return FALSE;
}

static void
set_io_error (GError **error, int errsv, const char *what, const struct sockaddr *sa)
{
  char buf[80];

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s %s: %s", what,
               hearth_net_sockaddr_to_string (sa, TRUE, buf, sizeof buf), g_strerror (errsv));
}

int
hearth_net_listen (const struct sockaddr *addr, int type, GError **error)
{
  int fd, one = 1;

  fd = socket (addr->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      set_io_error (error, errno, "cannot create socket for", addr);
      return -1;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr->sa_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  /* Packet info on every UDP listener: wildcard sockets need it to answer
   * from the right address, and --localise-queries to know the interface. */
  if (type == SOCK_DGRAM)
    {
      if (addr->sa_family == AF_INET)
        setsockopt (fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
      else
        setsockopt (fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
  if (bind (fd, addr, hearth_net_sockaddr_len (addr)) < 0)
    {
      int errsv = errno;

      close (fd);
      set_io_error (error, errsv, "cannot listen on", addr);
      return -1;
    }
  if (type == SOCK_STREAM && listen (fd, 64) < 0)
    {
      int errsv = errno;

      close (fd);
      set_io_error (error, errsv, "cannot listen on", addr);
      return -1;
    }
  return fd;
}

static int
upstream_socket (const struct sockaddr *server, int type, const char *interface, GError **error)
{
  int fd = socket (server->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      set_io_error (error, errno, "cannot create socket for", server);
      return -1;
    }
  /* A numeric scope ("fe80::1%3") names the interface by index: the
   * address's scope id already routes it, and there is no name to bind. */
  if (interface != NULL && g_ascii_string_to_unsigned (interface, 10, 1, G_MAXUINT32, NULL, NULL))
    interface = NULL;
  if (interface != NULL && setsockopt (fd, SOL_SOCKET, SO_BINDTODEVICE, interface, strlen (interface)) < 0)
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot bind to interface %s: %s", interface,
                   g_strerror (errsv));
      return -1;
    }
  return fd;
}

static gboolean
connect_or_fail (int fd, const struct sockaddr *server, GError **error)
{
  if (connect (fd, server, hearth_net_sockaddr_len (server)) < 0 && errno != EINPROGRESS)
    {
      set_io_error (error, errno, "cannot connect to", server);
      close (fd);
      return FALSE;
    }
  return TRUE;
}

int
hearth_net_upstream_udp (const struct sockaddr *server, const struct sockaddr *source, const char *interface,
                         guint16 fixed_port, guint16 min_port, guint16 max_port, GError **error)
{
  struct sockaddr_storage local;
  int fd = upstream_socket (server, SOCK_DGRAM, interface, error);

  if (fd < 0)
    return -1;
  memset (&local, 0, sizeof local);
  if (source != NULL && source->sa_family == server->sa_family)
    memcpy (&local, source, hearth_net_sockaddr_len (source));
  else
    local.ss_family = server->sa_family;

  if (source != NULL && hearth_net_sockaddr_port ((struct sockaddr *) &local) != 0)
    fixed_port = hearth_net_sockaddr_port ((struct sockaddr *) &local);
  if (fixed_port != 0)
    {
      int one = 1;

      /* Many upstream sockets share the fixed port; each is connected to
       * its server, so the kernel still demultiplexes the replies. */
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      hearth_net_sockaddr_set_port ((struct sockaddr *) &local, fixed_port);
      if (bind (fd, (struct sockaddr *) &local, hearth_net_sockaddr_len ((struct sockaddr *) &local)) < 0)
        {
          set_io_error (error, errno, "cannot bind query socket to", (struct sockaddr *) &local);
          close (fd);
          return -1;
        }
    }
  else
    {
      gboolean bound = FALSE;

      /* A random port for every query (RFC 5452 4.5); a few collisions
       * with ports in use are expected, so try again a bounded number of
       * times. */
      for (guint i = 0; i < 32 && !bound; i++)
        {
          hearth_net_sockaddr_set_port ((struct sockaddr *) &local,
                                        (guint16) hearth_random_range (min_port, max_port));
          if (bind (fd, (struct sockaddr *) &local, hearth_net_sockaddr_len ((struct sockaddr *) &local)) == 0)
            bound = TRUE;
          else if (errno != EADDRINUSE && errno != EACCES)
            break;
        }
      if (!bound)
        {
          set_io_error (error, errno, "cannot bind a random query port towards", server);
          close (fd);
          return -1;
        }
    }
  if (!connect_or_fail (fd, server, error))
    return -1;
  return fd;
}

int
hearth_net_upstream_tcp (const struct sockaddr *server, const struct sockaddr *source, const char *interface,
                         GError **error)
{
  int fd = upstream_socket (server, SOCK_STREAM, interface, error);

  if (fd < 0)
    return -1;
  if (source != NULL && source->sa_family == server->sa_family &&
      bind (fd, source, hearth_net_sockaddr_len (source)) < 0)
    {
      set_io_error (error, errno, "cannot bind query socket to", source);
      close (fd);
      return -1;
    }
  if (!connect_or_fail (fd, server, error))
    return -1;
  return fd;
}

GArray *
hearth_net_activated_sockets (void)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (HearthNetActivatedSocket));
#if HAVE_SYSTEMD
  int n = sd_listen_fds (TRUE);

  for (int i = 0; i < n; i++)
    {
      HearthNetActivatedSocket s = { SD_LISTEN_FDS_START + i, 0 };

      if (sd_is_socket_inet (s.fd, AF_UNSPEC, SOCK_DGRAM, -1, 0) > 0)
        s.type = SOCK_DGRAM;
      else if (sd_is_socket_inet (s.fd, AF_UNSPEC, SOCK_STREAM, 1, 0) > 0)
        s.type = SOCK_STREAM;
      else
        continue;
      fcntl (s.fd, F_SETFD, FD_CLOEXEC);
      fcntl (s.fd, F_SETFL, fcntl (s.fd, F_GETFL) | O_NONBLOCK);
      g_array_append_val (out, s);
    }
#endif
  return out;
}
