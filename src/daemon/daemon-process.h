/* Process plumbing for the daemon: detaching like dnsmasq (the launching
 * process exits only once the pid file is written), the pid file, dropping
 * privileges, and systemd notifications.
 *
 * Nothing here knows about DNS or the configuration language.
 */
#pragma once

#include <glib.h>

/* dnsmasq's exit codes, which NetworkManager and libvirt interpret. */
typedef enum {
  HEARTH_EXIT_OK = 0,
  HEARTH_EXIT_CONFIG = 1,
  HEARTH_EXIT_NETWORK = 2,
  HEARTH_EXIT_FILE = 3,
  HEARTH_EXIT_MEMORY = 4,
  HEARTH_EXIT_OTHER = 5,
} HearthExitCode;

/* Forks into the background. In the original process this only returns
 * when something failed before the fork; otherwise the original process
 * waits until the daemon calls hearth_process_daemon_ready() (then exits 0)
 * or hearth_process_daemon_failed() / dies (then exits with that code). */
gboolean hearth_process_daemonize (GError **error);
/* In the detached daemon: tell the waiting parent we are up, and detach
 * stdin/stdout/stderr (when redirect_stdio). No-op if not daemonized. */
void hearth_process_daemon_ready (gboolean redirect_stdio);
void hearth_process_daemon_failed (HearthExitCode code);

gboolean hearth_process_write_pid_file (const char *path, GError **error);
/* Drops to user (and group, or the user's primary group). */
gboolean hearth_process_drop_privileges (const char *user, const char *group, gboolean keep_bind_service,
                                         GError **error);

/* sd_notify() with a printf format; silently nothing without systemd. */
void hearth_process_notify (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Watchdog interval asked by systemd in µs, 0 when none. */
guint64 hearth_process_watchdog_usec (void);
