/* Where log messages go: the journal (structured, with hearth's fields),
 * syslog, a file, or stderr, chosen from --log-facility and how the
 * process was started. Installs a GLib structured-log writer, so every
 * g_message()/g_warning()/g_log_structured() in hearth goes through it.
 *
 * Decides nothing about what is logged; callers do.
 */
#pragma once

#include <glib.h>

typedef enum {
  HEARTH_LOG_TARGET_STDERR,
  HEARTH_LOG_TARGET_JOURNAL,
  HEARTH_LOG_TARGET_SYSLOG,
  HEARTH_LOG_TARGET_FILE,
} HearthLogTarget;

const char *hearth_log_target_to_string (HearthLogTarget target);

/* facility: the --log-facility value (NULL when not given): "-" is
 * stderr, an absolute path is a file, otherwise a syslog facility name.
 * background: the process has no terminal of its own (daemonized).
 * verbose: include debug messages. */
gboolean hearth_log_setup (const char *ident, const char *facility, gboolean background, gboolean verbose,
                           GError **error);
HearthLogTarget hearth_log_get_target (void);
