/* Log targets (see util-log.h).
 *
 * The journal gets every structured field the caller gave (HEARTH_QNAME,
 * HEARTH_UPSTREAM, ...) through sd_journal_sendv(); the other targets get
 * the message text only. Debug messages are dropped unless verbose or
 * G_MESSAGES_DEBUG asks for them, as GLib's default writer does.
 */
#include "config.h"

#include "util/util-log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#if HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

static struct {
  HearthLogTarget target;
  char *ident;
  int facility;
  FILE *file;
  gboolean verbose;
  gboolean installed;
} log_state = { HEARTH_LOG_TARGET_STDERR, NULL, LOG_DAEMON, NULL, FALSE, FALSE };

const char *
hearth_log_target_to_string (HearthLogTarget target)
{
  switch (target)
    {
    case HEARTH_LOG_TARGET_STDERR:
      return "stderr";
    case HEARTH_LOG_TARGET_JOURNAL:
      return "journal";
    case HEARTH_LOG_TARGET_SYSLOG:
      return "syslog";
    case HEARTH_LOG_TARGET_FILE:
      return "file";
    }
  return "?";
}

HearthLogTarget
hearth_log_get_target (void)
{
  return log_state.target;
}

static int
syslog_priority (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return LOG_ERR;
  if (level & G_LOG_LEVEL_CRITICAL)
    return LOG_CRIT;
  if (level & G_LOG_LEVEL_WARNING)
    return LOG_WARNING;
  if (level & G_LOG_LEVEL_MESSAGE)
    return LOG_NOTICE;
  if (level & G_LOG_LEVEL_INFO)
    return LOG_INFO;
  return LOG_DEBUG;
}

static const char *
level_prefix (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return "error: ";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning: ";
  return "";
}

static gboolean
debug_wanted (const char *domain)
{
  const char *env = g_getenv ("G_MESSAGES_DEBUG");

  if (log_state.verbose)
    return TRUE;
  if (env == NULL)
    return FALSE;
  return strcmp (env, "all") == 0 || (domain != NULL && strstr (env, domain) != NULL);
}

#if HAVE_SYSTEMD
static void
write_journal (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  struct iovec *iov = g_newa (struct iovec, n_fields + 2);
  g_autofree char *prio = g_strdup_printf ("PRIORITY=%d", syslog_priority (level));
  g_autofree char *ident = g_strdup_printf ("SYSLOG_IDENTIFIER=%s", log_state.ident);
  GPtrArray *owned = g_ptr_array_new_with_free_func (g_free);
  gsize n = 0;

  iov[n].iov_base = prio;
  iov[n++].iov_len = strlen (prio);
  iov[n].iov_base = ident;
  iov[n++].iov_len = strlen (ident);
  for (gsize i = 0; i < n_fields; i++)
    {
      gsize vlen = fields[i].length < 0 ? strlen (fields[i].value) : (gsize) fields[i].length;
      char *f;

      if (strcmp (fields[i].key, "PRIORITY") == 0)
        continue;
      /* Binary-safe "KEY=value" as sd_journal_sendv() wants. */
      f = g_malloc (strlen (fields[i].key) + 1 + vlen);
      memcpy (f, fields[i].key, strlen (fields[i].key));
      f[strlen (fields[i].key)] = '=';
      memcpy (f + strlen (fields[i].key) + 1, fields[i].value, vlen);
      g_ptr_array_add (owned, f);
      iov[n].iov_base = f;
      iov[n++].iov_len = strlen (fields[i].key) + 1 + vlen;
    }
  sd_journal_sendv (iov, (int) n);
  g_ptr_array_unref (owned);
}
#endif

static GLogWriterOutput
writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL, *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }
  if (message == NULL)
    return G_LOG_WRITER_UNHANDLED;
  if ((level & G_LOG_LEVEL_DEBUG) && !debug_wanted (domain))
    return G_LOG_WRITER_HANDLED;

  switch (log_state.target)
    {
    case HEARTH_LOG_TARGET_JOURNAL:
#if HAVE_SYSTEMD
      write_journal (level, fields, n_fields);
      break;
#else
      G_GNUC_FALLTHROUGH;
#endif
    case HEARTH_LOG_TARGET_SYSLOG:
      syslog (syslog_priority (level) | log_state.facility, "%s%s", level_prefix (level), message);
      break;
    case HEARTH_LOG_TARGET_FILE:
      {
        char stamp[32];
        time_t now = time (NULL);
        struct tm tm;

        strftime (stamp, sizeof stamp, "%b %e %H:%M:%S", localtime_r (&now, &tm));
        fprintf (log_state.file, "%s %s[%d]: %s%s\n", stamp, log_state.ident, (int) getpid (), level_prefix (level),
                 message);
        fflush (log_state.file);
        break;
      }
    case HEARTH_LOG_TARGET_STDERR:
      fprintf (stderr, "%s: %s%s\n", log_state.ident, level_prefix (level), message);
      fflush (stderr);
      break;
    }
  if (level & G_LOG_LEVEL_ERROR)
    G_BREAKPOINT ();
  return G_LOG_WRITER_HANDLED;
}

static gboolean
facility_from_name (const char *name, int *out)
{
  static const struct {
    const char *name;
    int value;
  } names[] = {
    { "KERN", LOG_KERN },     { "USER", LOG_USER },     { "MAIL", LOG_MAIL },     { "DAEMON", LOG_DAEMON },
    { "AUTH", LOG_AUTH },     { "SYSLOG", LOG_SYSLOG }, { "LPR", LOG_LPR },       { "NEWS", LOG_NEWS },
    { "UUCP", LOG_UUCP },     { "CRON", LOG_CRON },     { "AUTHPRIV", LOG_AUTHPRIV }, { "FTP", LOG_FTP },
    { "LOCAL0", LOG_LOCAL0 }, { "LOCAL1", LOG_LOCAL1 }, { "LOCAL2", LOG_LOCAL2 }, { "LOCAL3", LOG_LOCAL3 },
    { "LOCAL4", LOG_LOCAL4 }, { "LOCAL5", LOG_LOCAL5 }, { "LOCAL6", LOG_LOCAL6 }, { "LOCAL7", LOG_LOCAL7 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (names[i].name, name) == 0)
      {
        *out = names[i].value;
        return TRUE;
      }
  return FALSE;
}

static gboolean
journal_available (void)
{
#if HAVE_SYSTEMD
  return g_file_test ("/run/systemd/journal/socket", G_FILE_TEST_EXISTS);
#else
  return FALSE;
#endif
}

gboolean
hearth_log_setup (const char *ident, const char *facility, gboolean background, gboolean verbose, GError **error)
{
  g_free (log_state.ident);
  log_state.ident = g_strdup (ident);
  log_state.verbose = verbose;

  if (facility != NULL && strcmp (facility, "-") == 0)
    log_state.target = HEARTH_LOG_TARGET_STDERR;
  else if (facility != NULL && facility[0] == '/')
    {
      FILE *f = fopen (facility, "ae");

      if (f == NULL)
        {
          int errsv = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "cannot open log file %s: %s", facility,
                       g_strerror (errsv));
          return FALSE;
        }
      if (log_state.file != NULL)
        fclose (log_state.file);
      log_state.file = f;
      log_state.target = HEARTH_LOG_TARGET_FILE;
    }
  else if (facility != NULL)
    {
      if (!facility_from_name (facility, &log_state.facility))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown log facility '%s'", facility);
          return FALSE;
        }
      log_state.target = journal_available () ? HEARTH_LOG_TARGET_JOURNAL : HEARTH_LOG_TARGET_SYSLOG;
    }
  else if (g_log_writer_is_journald (fileno (stderr)))
    log_state.target = HEARTH_LOG_TARGET_JOURNAL; /* started by systemd: stderr is the journal anyway */
  else if (background)
    log_state.target = journal_available () ? HEARTH_LOG_TARGET_JOURNAL : HEARTH_LOG_TARGET_SYSLOG;
  else
    log_state.target = HEARTH_LOG_TARGET_STDERR;

#if !HAVE_SYSTEMD
  if (log_state.target == HEARTH_LOG_TARGET_JOURNAL)
    log_state.target = HEARTH_LOG_TARGET_SYSLOG;
#endif
  if (log_state.target == HEARTH_LOG_TARGET_SYSLOG)
    openlog (log_state.ident, LOG_PID, log_state.facility);
  /* GLib allows one writer per process; later calls only change the
   * target above. */
  if (!log_state.installed)
    {
      g_log_set_writer_func (writer, NULL, NULL);
      log_state.installed = TRUE;
    }
  return TRUE;
}
