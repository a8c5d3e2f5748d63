/* Process plumbing (see daemon-process.h).
 *
 * Daemonizing follows dnsmasq's contract, which libvirt depends on: the
 * launching process must not exit before the pid file exists. A pipe
 * carries one status byte from the daemon back to it.
 */
#include "config.h"

#include "daemon/daemon-process.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <cap-ng.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

static int ready_fd = -1;

gboolean
hearth_process_daemonize (GError **error)
{
  int fds[2];
  pid_t pid;
  guint8 status = HEARTH_EXIT_OTHER;
  ssize_t n;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return FALSE;
    }
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "fork: %s", g_strerror (errno));
      return FALSE;
    }
  if (pid > 0)
    {
      /* The launching process: wait for the daemon's word. */
      close (fds[1]);
      do
        n = read (fds[0], &status, 1);
      while (n < 0 && errno == EINTR);
      waitpid (pid, NULL, 0); /* the intermediate child exits at once */
      _exit (n == 1 ? status : HEARTH_EXIT_OTHER);
    }

  /* Intermediate child: new session, then fork again so the daemon is not
   * a session leader and can never acquire a controlling terminal. */
  close (fds[0]);
  setsid ();
  pid = fork ();
  if (pid < 0)
    _exit (HEARTH_EXIT_OTHER);
  if (pid > 0)
    _exit (0);
  if (chdir ("/") < 0)
    { /* not fatal: nothing relies on the working directory */
    }
  umask (022);
  ready_fd = fds[1];
  return TRUE;
}

static void
send_status (guint8 status)
{
  ssize_t n;

  if (ready_fd < 0)
    return;
  do
    n = write (ready_fd, &status, 1);
  while (n < 0 && errno == EINTR);
  close (ready_fd);
  ready_fd = -1;
}

void
hearth_process_daemon_ready (gboolean redirect_stdio)
{
  int null_fd;

  if (ready_fd < 0)
    return;
  send_status (HEARTH_EXIT_OK);
  if (!redirect_stdio)
    return;
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0)
    {
      dup2 (null_fd, STDIN_FILENO);
      dup2 (null_fd, STDOUT_FILENO);
      dup2 (null_fd, STDERR_FILENO);
      if (null_fd > STDERR_FILENO)
        close (null_fd);
    }
}

void
hearth_process_daemon_failed (HearthExitCode code)
{
  send_status ((guint8) code);
}

gboolean
hearth_process_write_pid_file (const char *path, GError **error)
{
  g_autofree char *contents = g_strdup_printf ("%d\n", (int) getpid ());

  /* Not g_file_set_contents(): its temporary-file dance needs a writable
   * directory, and /run/NetworkManager may only allow the file itself. */
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || write (fd, contents, strlen (contents)) != (ssize_t) strlen (contents))
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "cannot write pid file %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
hearth_process_drop_privileges (const char *user, const char *group, gboolean keep_bind_service, GError **error)
{
  struct passwd *pw = NULL;
  gid_t gid;

  if (user == NULL && group == NULL)
    return TRUE;
  if (user != NULL && (pw = getpwnam (user)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "unknown user '%s'", user);
      return FALSE;
    }
  if (group != NULL)
    {
      struct group *gr = getgrnam (group);

      if (gr == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "unknown group '%s'", group);
          return FALSE;
        }
      gid = gr->gr_gid;
    }
  else
    gid = pw->pw_gid;

  if (geteuid () != 0)
    {
      /* Not root: nothing to drop; dnsmasq carries on the same way. */
      if (pw != NULL && pw->pw_uid != geteuid ())
        g_message ("not running as root, cannot change to user %s, ignoring", user);
      return TRUE;
    }
  if (pw != NULL)
    {
      /* libcap-ng changes ids and keeps exactly the capabilities named:
       * CAP_NET_BIND_SERVICE when sockets on port 53 must open after start
       * (--bind-dynamic, or interfaces that appear later), nothing else. */
      capng_clear (CAPNG_SELECT_BOTH);
      if (keep_bind_service)
        capng_update (CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_BIND_SERVICE);
      if (capng_change_id ((int) pw->pw_uid, (int) gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot change to user %s: %s", user,
                       g_strerror (errno != 0 ? errno : EPERM));
          return FALSE;
        }
    }
  else if (setgroups (0, NULL) < 0 || setresgid (gid, gid, gid) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot change to user %s: %s",
                   user != NULL ? user : "(unchanged)", g_strerror (errno));
      return FALSE;
    }
  /* setuid clears the dumpable flag; keep core dumps possible for the
   * administrator, as they hold no more than the daemon's own memory. */
  prctl (PR_SET_DUMPABLE, 1);
  return TRUE;
}

void
hearth_process_notify (const char *format, ...)
{
#if HAVE_SYSTEMD
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  sd_notify (0, text);
#endif
}

guint64
hearth_process_watchdog_usec (void)
{
#if HAVE_SYSTEMD
  uint64_t usec = 0;

  if (sd_watchdog_enabled (0, &usec) > 0)
    return usec;
#endif
  return 0;
}
