/* The --dhcp-script helper (see dhcp-script.h): builds the argv and
 * environment of one lease event, queues events without blocking, and runs
 * the script from a helper process forked at start.
 *
 * The daemon and the helper share one AF_UNIX stream socket pair (not a
 * pipe, so that a dead helper shows up as EPIPE from send(MSG_NOSIGNAL)
 * instead of a SIGPIPE that would kill the daemon). The daemon's end is
 * non-blocking: an event is serialized into one record, appended to an
 * in-memory queue and written as far as the socket takes it; the rest is
 * written from a G_IO_OUT watch. A record is a native-endian guint32
 * payload length, then the argv strings each ending in NUL, an empty
 * string, and the environment strings each ending in NUL. The script's
 * path is not in the record: the helper knows it from the fork.
 *
 * The helper is plain POSIX code: no GLib calls, no main loop, no
 * allocation. It resets signal dispositions and the signal mask, closes
 * every descriptor but stdin/stdout/stderr and its socket, switches user if
 * asked, then reads one record at a time, forks, execve()s the script with
 * exactly that argv and environment (stdin /dev/null, stdout and stderr a
 * pipe to the helper), passes what the script writes back to the daemon
 * line by line, waits for it and reports a failure the same way; the
 * daemon logs those lines (so they reach the journal like everything
 * else, as dnsmasq logs its scripts' output). It exits at end of file. It ignores SIGTERM, SIGINT, SIGHUP,
 * SIGUSR1, SIGUSR2 and SIGPIPE (the scripts get them back at their
 * defaults) so that it outlives the daemon just long enough to run what was
 * queued, as dnsmasq's helper does; hearth_dhcp_script_free() bounds that.
 *
 * A script that leaves a process behind holding its stdout keeps the
 * helper waiting until that process closes it (dnsmasq's helper too).
 *
 * Not here: DHCPv6 and the tftp/arp/relay-snoop actions, Lua scripts.
 */
#include "config.h"

#include "dhcp/dhcp-script.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Largest record the helper accepts; the caps below keep every record far
 * below it (about 16 KiB at most). */
#define RECORD_MAX (64 * 1024)
/* The most argv and environment strings in one record. */
#define RECORD_ARGV_MAX 8
#define RECORD_ENV_MAX 128

#define HEX_ID_MAX (3 * 255)
#define NAME_MAX_LEN 255
#define IFNAME_MAX 15
#define TAGS_MAX 1024
#define CLASS_MAX 255
#define USER_CLASSES_MAX 32
#define OPTION_LIST_MAX 1024
#define IPV4_TEXT_MAX 15
#define PATH_ENV_MAX 4096
#define DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* Attempts to fork for one event while out of processes or memory, one
 * second apart. */
#define HELPER_FORK_RETRIES 10

/* What the helper reports on its status pipe when the user switch fails:
 * the step and errno. Nothing (end of file) means it is running. */
typedef enum {
  SWITCH_SETGROUPS = 1,
  SWITCH_SETGID,
  SWITCH_SETUID,
} SwitchStep;

typedef struct {
  const char *path;
  int sock;
  int status_fd;
  gboolean switch_user;
  uid_t uid;
  gid_t gid;
  const gid_t *groups;
  int n_groups;
} HelperSetup;

typedef enum {
  FLUSH_DONE,
  FLUSH_BLOCKED,
  FLUSH_GONE,
} FlushResult;

struct _HearthDhcpScript {
  char *path;
  GPid pid;
  int fd;
  guint read_id;      /* lines from the helper */
  GString *in;        /* a line from the helper not complete yet */
  GQueue queue;       /* GBytes records; the head may be partly written */
  gsize head_written; /* bytes of the head record already sent */
  guint watch_id;
  gboolean helper_gone;
  gboolean overflowing; /* warned about dropping since the queue last emptied */
  guint64 dropped;
  guint drain_timeout_ms;
  guint exit_timeout_ms;
};

static gboolean script_readable_cb (int fd, GIOCondition condition, gpointer user_data);

/* The signals the helper ignores (see the top of the file). */
static const int helper_ignored_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE };

const char *
hearth_dhcp_script_action_to_string (HearthDhcpScriptAction action)
{
  switch (action)
    {
    case HEARTH_DHCP_SCRIPT_ADD:
      return "add";
    case HEARTH_DHCP_SCRIPT_OLD:
      return "old";
    case HEARTH_DHCP_SCRIPT_DEL:
      return "del";
    }
  return "unknown";
}

/* ---- Building argv and the environment ------------------------------ */

typedef gboolean (*CharCheck) (char c);

static gboolean
is_hex_id_char (char c)
{
  return g_ascii_isxdigit (c) || c == ':' || c == '-';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.';
}

static gboolean
is_ifname_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || c == ':' || c == '@' || c == '-';
}

static gboolean
is_option_list_char (char c)
{
  return g_ascii_isdigit (c) || c == ',';
}

/* @s when it is 1 to @max_len bytes of characters @ok accepts and starts
 * with a letter or digit (so no value can pass for a command-line option
 * in a careless script), else NULL. */
static const char *
checked (const char *s, gsize max_len, CharCheck ok)
{
  gsize len;

  if (s == NULL)
    return NULL;
  len = strnlen (s, max_len + 1);
  if (len == 0 || len > max_len || !g_ascii_isalnum (s[0]))
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!ok (s[i]))
      return NULL;
  return s;
}

static gboolean
is_ipv4 (const char *s)
{
  struct in_addr addr;

  return s != NULL && strnlen (s, IPV4_TEXT_MAX + 1) <= IPV4_TEXT_MAX && inet_pton (AF_INET, s, &addr) == 1;
}

/* A copy of @s with only printable ASCII kept, at most @max_len bytes;
 * NULL when nothing is left. */
static char *
printable_copy (const char *s, gsize max_len)
{
  GString *out;

  if (s == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = s; *p != '\0' && out->len < max_len; p++)
    if (*p >= 0x20 && *p < 0x7f)
      g_string_append_c (out, *p);
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
env_add (GPtrArray *env, const char *name, const char *value)
{
  if (value != NULL)
    g_ptr_array_add (env, g_strconcat (name, "=", value, NULL));
}

static void
env_take (GPtrArray *env, const char *name, char *value)
{
  env_add (env, name, value);
  g_free (value);
}

/* PATH and VIR_BRIDGE_NAME from the daemon's environment. */
static void
env_add_base (GPtrArray *env)
{
  const char *path = g_getenv ("PATH");
  g_autofree char *clean_path = printable_copy (path, PATH_ENV_MAX);

  if (path == NULL || clean_path == NULL || strlen (path) > PATH_ENV_MAX || strcmp (clean_path, path) != 0)
    env_add (env, "PATH", DEFAULT_PATH);
  else
    env_add (env, "PATH", path);
  env_add (env, "VIR_BRIDGE_NAME", checked (g_getenv ("VIR_BRIDGE_NAME"), IFNAME_MAX, is_ifname_char));
}

static GStrv
ptr_array_to_strv (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  return (GStrv) g_ptr_array_free (array, FALSE);
}

void
hearth_dhcp_script_build (const char *path, const HearthDhcpScriptEvent *event, GStrv *out_argv, GStrv *out_env)
{
  GPtrArray *argv;
  GPtrArray *env;
  const char *hostname;

  g_return_if_fail (path != NULL);
  g_return_if_fail (event != NULL);
  g_return_if_fail (out_argv != NULL && out_env != NULL);

  if (checked (event->hwaddr, HEX_ID_MAX, is_hex_id_char) == NULL || !is_ipv4 (event->ip))
    {
      *out_argv = g_new0 (char *, 1);
      *out_env = g_new0 (char *, 1);
      return;
    }

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, g_path_get_basename (path));
  g_ptr_array_add (argv, g_strdup (hearth_dhcp_script_action_to_string (event->action)));
  g_ptr_array_add (argv, g_strdup (event->hwaddr));
  g_ptr_array_add (argv, g_strdup (event->ip));
  hostname = checked (event->hostname, NAME_MAX_LEN, is_name_char);
  if (hostname != NULL)
    g_ptr_array_add (argv, g_strdup (hostname));

  /* In the order dnsmasq 2.90's helper sets them. */
  env = g_ptr_array_new ();
  env_add_base (env);
  env_add (env, "DNSMASQ_CLIENT_ID", checked (event->client_id, HEX_ID_MAX, is_hex_id_char));
  env_add (env, "DNSMASQ_INTERFACE", checked (event->interface, IFNAME_MAX, is_ifname_char));
  env_take (env, "DNSMASQ_LEASE_EXPIRES", g_strdup_printf ("%" G_GINT64_FORMAT, MAX (event->expires_wall, 0)));
  env_add (env, "DNSMASQ_DOMAIN", checked (event->domain, NAME_MAX_LEN, is_name_char));
  if (event->data_missing)
    env_add (env, "DNSMASQ_DATA_MISSING", "1");
  env_take (env, "DNSMASQ_VENDOR_CLASS", printable_copy (event->vendor_class, CLASS_MAX));
  env_add (env, "DNSMASQ_SUPPLIED_HOSTNAME", checked (event->supplied_hostname, NAME_MAX_LEN, is_name_char));
  env_add (env, "DNSMASQ_REQUESTED_OPTIONS",
           checked (event->requested_options, OPTION_LIST_MAX, is_option_list_char));
  env_take (env, "DNSMASQ_TAGS", printable_copy (event->tags, TAGS_MAX));
  if (is_ipv4 (event->relay_address))
    env_add (env, "DNSMASQ_RELAY_ADDRESS", event->relay_address);
  for (guint i = 0; event->user_classes != NULL && event->user_classes[i] != NULL && i < USER_CLASSES_MAX; i++)
    {
      /* Numbered by position, like dnsmasq: a class that comes out empty
       * leaves a gap rather than renumbering the rest. */
      g_autofree char *name = g_strdup_printf ("DNSMASQ_USER_CLASS%u", i);
      env_take (env, name, printable_copy (event->user_classes[i], CLASS_MAX));
    }
  if (event->action != HEARTH_DHCP_SCRIPT_DEL && event->time_remaining > 0)
    env_take (env, "DNSMASQ_TIME_REMAINING", g_strdup_printf ("%" G_GINT64_FORMAT, event->time_remaining));
  env_add (env, "DNSMASQ_OLD_HOSTNAME", checked (event->old_hostname, NAME_MAX_LEN, is_name_char));
  if (event->log_dhcp)
    env_add (env, "DNSMASQ_LOG_DHCP", "1");

  *out_argv = ptr_array_to_strv (argv);
  *out_env = ptr_array_to_strv (env);
}

/* One record (see the top of the file), or NULL if it would be too large
 * for the helper. */
static GBytes *
record_new (const char *const *argv, const char *const *env)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint32 len = 0;
  const guint8 nul = 0;

  g_byte_array_append (buf, (const guint8 *) &len, sizeof len);
  for (guint i = 0; argv[i] != NULL; i++)
    g_byte_array_append (buf, (const guint8 *) argv[i], strlen (argv[i]) + 1);
  g_byte_array_append (buf, &nul, 1);
  for (guint i = 0; env[i] != NULL; i++)
    g_byte_array_append (buf, (const guint8 *) env[i], strlen (env[i]) + 1);
  if (buf->len - sizeof len > RECORD_MAX)
    return NULL;
  len = buf->len - sizeof len;
  memcpy (buf->data, &len, sizeof len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* ---- The helper process (plain POSIX from here to the next rule) ----- */

/* Lines to the daemon: HELPER_LINE_WARNING or HELPER_LINE_OUTPUT, the
 * text (no newline in it), a newline. */
#define HELPER_LINE_WARNING 'W'
#define HELPER_LINE_OUTPUT 'O'
#define HELPER_LINE_MAX 1024

static int helper_log_fd = STDERR_FILENO; /* the socket, once the helper runs */

static void
helper_send_line (char kind, const char *text, size_t len)
{
  char line[HELPER_LINE_MAX + 2];
  size_t n = 0;

  if (len > HELPER_LINE_MAX)
    len = HELPER_LINE_MAX;
  line[n++] = kind;
  for (size_t i = 0; i < len; i++)
    line[n++] = text[i] == '\n' ? ' ' : text[i];
  line[n++] = '\n';
  for (size_t done = 0; done < n;)
    {
      ssize_t w = write (helper_log_fd, line + done, n - done);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return;
      done += (size_t) w;
    }
}

static void G_GNUC_PRINTF (1, 2)
helper_log (const char *format, ...)
{
  char line[512];
  va_list args;
  int len;

  va_start (args, format);
  len = vsnprintf (line, sizeof line, format, args);
  va_end (args);
  if (len < 0)
    return;
  helper_send_line (HELPER_LINE_WARNING, line, MIN ((size_t) len, sizeof line - 1));
}

/* Passes what the script writes, line by line, until it closes it. */
static void
helper_forward_output (int fd)
{
  char buf[HELPER_LINE_MAX];
  size_t used = 0;

  for (;;)
    {
      ssize_t n = read (fd, buf + used, sizeof buf - used);
      size_t start = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      used += (size_t) n;
      for (size_t i = 0; i < used; i++)
        if (buf[i] == '\n')
          {
            helper_send_line (HELPER_LINE_OUTPUT, buf + start, i - start);
            start = i + 1;
          }
      if (start == 0 && used == sizeof buf)
        {
          /* A line too long: cut. */
          helper_send_line (HELPER_LINE_OUTPUT, buf, used);
          start = used;
        }
      memmove (buf, buf + start, used - start);
      used -= start;
    }
  if (used > 0)
    helper_send_line (HELPER_LINE_OUTPUT, buf, used);
}

/* Reads exactly @size bytes: @size on success, 0 at end of file before
 * the first byte, -1 on an error or end of file part way. */
static ssize_t
read_full (int fd, void *buf, size_t size)
{
  size_t done = 0;

  while (done < size)
    {
      ssize_t n = read (fd, (char *) buf + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        return done == 0 ? 0 : -1;
      done += n;
    }
  return done;
}

static void
helper_reset_signals (void)
{
  struct sigaction action;
  sigset_t none;

  memset (&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset (&action.sa_mask);
  /* Fails harmlessly for SIGKILL, SIGSTOP and the C library's own. */
  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &action, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static void
helper_set_ignored (void (*handler) (int))
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = handler;
  sigemptyset (&action.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (helper_ignored_signals); i++)
    sigaction (helper_ignored_signals[i], &action, NULL);
}

static void
helper_close_range (unsigned int first, unsigned int last)
{
  if (first > last)
    return;
  if (close_range (first, last, 0) == 0)
    return;
  /* No close_range (kernel < 5.9): close one by one, up to a sane limit. */
  {
    long max = sysconf (_SC_OPEN_MAX);

    if (max < 0 || max > 65536)
      max = 65536;
    for (long fd = first; fd <= (long) last && fd < max; fd++)
      close (fd);
  }
}

static void G_GNUC_NORETURN
helper_fail_switch (int status_fd, SwitchStep step)
{
  int report[2] = { step, errno };
  ssize_t n;

  do
    n = write (status_fd, report, sizeof report);
  while (n < 0 && errno == EINTR);
  _exit (1);
}

/* Runs the script for one event and waits for it. */
static void
helper_run (const char *path, char *const *argv, char *const *env)
{
  const char *action = argv[1] != NULL ? argv[1] : "?";
  pid_t pid;
  int status;
  int out[2];

  if (pipe2 (out, O_CLOEXEC) != 0)
    {
      helper_log ("dhcp-script: cannot make a pipe to run %s %s: %s, event lost", path, action, strerror (errno));
      return;
    }
  for (int tries = 0;; tries++)
    {
      pid = fork ();
      if (pid >= 0 || (errno != EAGAIN && errno != ENOMEM) || tries >= HELPER_FORK_RETRIES)
        break;
      sleep (1);
    }
  if (pid < 0)
    {
      helper_log ("dhcp-script: cannot fork to run %s %s: %s, event lost", path, action, strerror (errno));
      close (out[0]);
      close (out[1]);
      return;
    }

  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_RDONLY);
      int err;

      if (null_fd > STDIN_FILENO)
        {
          dup2 (null_fd, STDIN_FILENO);
          close (null_fd);
        }
      dup2 (out[1], STDOUT_FILENO);
      dup2 (out[1], STDERR_FILENO);
      helper_set_ignored (SIG_DFL);
      execve (path, argv, env);
      err = errno;
      helper_log ("dhcp-script: cannot run %s: %s", path, strerror (err));
      _exit (err == ENOENT ? 127 : 126);
    }

  close (out[1]);
  helper_forward_output (out[0]);
  close (out[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return;
  if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    helper_log ("dhcp-script: %s %s exited with status %d", path, action, WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    helper_log ("dhcp-script: %s %s killed by signal %d", path, action, WTERMSIG (status));
}

/* Splits one record's payload in place into argv and env (both
 * NULL-terminated). FALSE if it is malformed. */
static gboolean
helper_parse (char *payload, size_t len, char **argv, char **env)
{
  char *p = payload;
  char *end = payload + len;
  int argc = 0;
  int envc = 0;

  if (len == 0 || end[-1] != '\0')
    return FALSE;
  while (p < end && *p != '\0')
    {
      if (argc >= RECORD_ARGV_MAX)
        return FALSE;
      argv[argc++] = p;
      p += strlen (p) + 1;
    }
  if (p >= end || argc < 2)
    return FALSE;
  p++; /* the empty string between argv and env */
  while (p < end)
    {
      if (*p == '\0' || envc >= RECORD_ENV_MAX)
        return FALSE;
      env[envc++] = p;
      p += strlen (p) + 1;
    }
  argv[argc] = NULL;
  env[envc] = NULL;
  return TRUE;
}

static void G_GNUC_NORETURN
helper_main (const HelperSetup *setup)
{
  static char payload[RECORD_MAX];
  char *argv[RECORD_ARGV_MAX + 1];
  char *env[RECORD_ENV_MAX + 1];

  helper_reset_signals ();
  helper_set_ignored (SIG_IGN);
  setpgid (0, 0);

  if (setup->switch_user)
    {
      if (setgroups (setup->n_groups, setup->groups) != 0)
        helper_fail_switch (setup->status_fd, SWITCH_SETGROUPS);
      if (setgid (setup->gid) != 0)
        helper_fail_switch (setup->status_fd, SWITCH_SETGID);
      if (setuid (setup->uid) != 0)
        helper_fail_switch (setup->status_fd, SWITCH_SETUID);
    }
  close (setup->status_fd);
  helper_log_fd = setup->sock;

  /* Everything but stdio and our socket. */
  if (setup->sock > 3)
    helper_close_range (3, setup->sock - 1);
  helper_close_range (MAX (setup->sock + 1, 3), ~0U);

  for (;;)
    {
      guint32 len;
      ssize_t n = read_full (setup->sock, &len, sizeof len);

      if (n == 0)
        _exit (0);
      if (n < 0 || len == 0 || len > RECORD_MAX)
        {
          helper_log ("dhcp-script: bad record from the daemon, helper for %s stops", setup->path);
          _exit (1);
        }
      if (read_full (setup->sock, payload, len) != (ssize_t) len)
        {
          helper_log ("dhcp-script: record cut short, helper for %s stops", setup->path);
          _exit (1);
        }
      if (!helper_parse (payload, len, argv, env))
        {
          helper_log ("dhcp-script: malformed record, event for %s skipped", setup->path);
          continue;
        }
      helper_run (setup->path, argv, env);
    }
}

/* ---- The daemon side ------------------------------------------------ */

static const char *
switch_step_to_string (SwitchStep step)
{
  switch (step)
    {
    case SWITCH_SETGROUPS:
      return "setgroups";
    case SWITCH_SETGID:
      return "setgid";
    case SWITCH_SETUID:
      return "setuid";
    }
  return "switching user";
}

/* Looks @user up and fills in the user part of @setup; *out_groups owns
 * the group list. */
static gboolean
lookup_user (const char *user, HelperSetup *setup, gid_t **out_groups, GError **error)
{
  long size_hint = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buf = NULL;
  g_autofree gid_t *groups = NULL;
  struct passwd pwd;
  struct passwd *result = NULL;
  int n_groups = 32;
  int err;

  if (size_hint < 1024)
    size_hint = 16384;
  buf = g_malloc (size_hint);
  err = getpwnam_r (user, &pwd, buf, size_hint, &result);
  if (result == NULL)
    {
      if (err == 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "--dhcp-scriptuser %s: no such user", user);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "--dhcp-scriptuser %s: looking up the user: %s",
                     user, g_strerror (err));
      return FALSE;
    }

  for (int tries = 0;; tries++)
    {
      int n = n_groups;

      groups = g_renew (gid_t, groups, n_groups);
      if (getgrouplist (pwd.pw_name, pwd.pw_gid, groups, &n) >= 0)
        {
          n_groups = n;
          break;
        }
      if (tries >= 8 || n <= n_groups)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "--dhcp-scriptuser %s: cannot list its groups", user);
          return FALSE;
        }
      n_groups = n;
    }

  /* Already that user and group (an unprivileged daemon naming itself):
   * nothing to switch, and setgroups() would fail. */
  setup->switch_user = !(geteuid () == pwd.pw_uid && getegid () == pwd.pw_gid);
  setup->uid = pwd.pw_uid;
  setup->gid = pwd.pw_gid;
  setup->n_groups = n_groups;
  setup->groups = groups;
  *out_groups = g_steal_pointer (&groups);
  return TRUE;
}

HearthDhcpScript *
hearth_dhcp_script_new (const char *path, const char *user, GError **error)
{
  HelperSetup setup = { 0 };
  g_autofree gid_t *groups = NULL;
  HearthDhcpScript *script;
  int sv[2];
  int status_pipe[2];
  int report[2];
  ssize_t n;
  pid_t pid;

  g_return_val_if_fail (path != NULL, NULL);

  if (*path == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--dhcp-script: empty path");
      return NULL;
    }
  if (user != NULL && !lookup_user (user, &setup, &groups, error))
    return NULL;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "--dhcp-script %s: socketpair: %s", path,
                   g_strerror (err));
      return NULL;
    }
  if (pipe2 (status_pipe, O_CLOEXEC) != 0)
    {
      int err = errno;
      close (sv[0]);
      close (sv[1]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "--dhcp-script %s: pipe: %s", path,
                   g_strerror (err));
      return NULL;
    }

  setup.path = path;
  setup.sock = sv[1];
  setup.status_fd = status_pipe[1];

  pid = fork ();
  if (pid < 0)
    {
      int err = errno;
      close (sv[0]);
      close (sv[1]);
      close (status_pipe[0]);
      close (status_pipe[1]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "--dhcp-script %s: fork: %s", path,
                   g_strerror (err));
      return NULL;
    }
  if (pid == 0)
    {
      close (sv[0]);
      close (status_pipe[0]);
      helper_main (&setup);
    }

  close (sv[1]);
  close (status_pipe[1]);
  /* Also done by the child; whichever runs first wins the race. */
  setpgid (pid, pid);

  n = read_full (status_pipe[0], report, sizeof report);
  close (status_pipe[0]);
  if (n != 0)
    {
      int status;

      close (sv[0]);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      if (n == sizeof report)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (report[1]), "--dhcp-scriptuser %s: %s: %s", user,
                     switch_step_to_string (report[0]), g_strerror (report[1]));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "--dhcp-script %s: the helper failed to start", path);
      return NULL;
    }

  if (!g_unix_set_fd_nonblocking (sv[0], TRUE, error))
    {
      g_prefix_error (error, "--dhcp-script %s: ", path);
      close (sv[0]);
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      return NULL;
    }

  script = g_new0 (HearthDhcpScript, 1);
  script->path = g_strdup (path);
  script->pid = pid;
  script->fd = sv[0];
  script->in = g_string_new (NULL);
  script->read_id = g_unix_fd_add (script->fd, G_IO_IN, script_readable_cb, script);
  g_queue_init (&script->queue);
  script->drain_timeout_ms = HEARTH_DHCP_SCRIPT_DRAIN_TIMEOUT_MS;
  script->exit_timeout_ms = HEARTH_DHCP_SCRIPT_EXIT_TIMEOUT_MS;
  return script;
}

/* Logs the complete lines in script->in. */
static void
script_log_lines (HearthDhcpScript *script)
{
  char *nl;

  while ((nl = memchr (script->in->str, '\n', script->in->len)) != NULL)
    {
      gsize len = (gsize) (nl - script->in->str);
      g_autofree char *text = NULL;

      if (len > 0)
        {
          /* The script's bytes: valid UTF-8 and no control characters. */
          text = g_utf8_make_valid (script->in->str + 1, (gssize) len - 1);
          for (char *p = text; *p != '\0'; p++)
            if ((guchar) *p < 0x20 || *p == 0x7f)
              *p = '?';
          if (script->in->str[0] == HELPER_LINE_OUTPUT)
            g_message ("dhcp-script: %s", text);
          else
            g_warning ("%s", text);
        }
      g_string_erase (script->in, 0, (gssize) len + 1);
    }
}

/* Reads what the helper has to say; FALSE at its end. */
static gboolean
script_read (HearthDhcpScript *script)
{
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (script->fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK;
      if (n == 0)
        return FALSE;
      g_string_append_len (script->in, buf, n);
      script_log_lines (script);
      /* Never more than a line kept: the helper caps its lines. */
      if (script->in->len > 2 * HELPER_LINE_MAX)
        g_string_truncate (script->in, 0);
    }
}

static gboolean
script_readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthDhcpScript *script = user_data;

  if (script_read (script))
    return G_SOURCE_CONTINUE;
  script->read_id = 0;
  return G_SOURCE_REMOVE;
}

static void
script_clear_queue (HearthDhcpScript *script)
{
  g_queue_clear_full (&script->queue, (GDestroyNotify) g_bytes_unref);
  script->head_written = 0;
}

static void
script_helper_gone (HearthDhcpScript *script, int err)
{
  if (!script->helper_gone)
    g_warning ("dhcp-script: helper process %d for %s is gone (%s); lease events are no longer passed to the script, "
               "ignoring",
               (int) script->pid, script->path, g_strerror (err));
  script->helper_gone = TRUE;
  script_clear_queue (script);
}

/* Writes queued records until the socket is full. */
static FlushResult
script_flush (HearthDhcpScript *script)
{
  if (script->helper_gone)
    return FLUSH_GONE;

  while (!g_queue_is_empty (&script->queue))
    {
      GBytes *head = g_queue_peek_head (&script->queue);
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);
      ssize_t n = send (script->fd, data + script->head_written, size - script->head_written,
                        MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0)
        {
          int err = errno;

          if (err == EINTR)
            continue;
          if (err == EAGAIN || err == EWOULDBLOCK)
            return FLUSH_BLOCKED;
          script_helper_gone (script, err);
          return FLUSH_GONE;
        }
      script->head_written += n;
      if (script->head_written == size)
        {
          g_bytes_unref (g_queue_pop_head (&script->queue));
          script->head_written = 0;
        }
    }

  if (script->overflowing)
    {
      g_message ("dhcp-script: caught up with %s; %" G_GUINT64_FORMAT " lease events were dropped", script->path,
                 script->dropped);
      script->overflowing = FALSE;
      script->dropped = 0;
    }
  return FLUSH_DONE;
}

static gboolean
script_writable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  HearthDhcpScript *script = user_data;

  if (script_flush (script) == FLUSH_BLOCKED)
    return G_SOURCE_CONTINUE;
  script->watch_id = 0;
  return G_SOURCE_REMOVE;
}

void
hearth_dhcp_script_queue (HearthDhcpScript *script, const HearthDhcpScriptEvent *event)
{
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  GBytes *record;
  FlushResult result;

  g_return_if_fail (script != NULL);
  g_return_if_fail (event != NULL);

  if (script->helper_gone)
    return;

  hearth_dhcp_script_build (script->path, event, &argv, &env);
  if (argv[0] == NULL)
    {
      g_warning ("dhcp-script: %s event with an invalid hardware or IP address, not running %s",
                 hearth_dhcp_script_action_to_string (event->action), script->path);
      return;
    }
  record = record_new ((const char *const *) argv, (const char *const *) env);
  if (record == NULL)
    {
      g_warning ("dhcp-script: %s event for %s too large, not running %s",
                 hearth_dhcp_script_action_to_string (event->action), argv[3], script->path);
      return;
    }

  if (g_queue_get_length (&script->queue) >= HEARTH_DHCP_SCRIPT_QUEUE_MAX)
    {
      /* The oldest event not yet started: a partly written head has to
       * be finished, or the helper would read garbage. */
      guint index = script->head_written > 0 ? 1 : 0;

      g_bytes_unref (g_queue_pop_nth (&script->queue, index));
      script->dropped++;
      if (!script->overflowing)
        g_warning ("dhcp-script: more than %u lease events waiting for %s, dropping the oldest",
                   (guint) HEARTH_DHCP_SCRIPT_QUEUE_MAX, script->path);
      script->overflowing = TRUE;
    }
  g_queue_push_tail (&script->queue, record);

  result = script_flush (script);
  if (result == FLUSH_BLOCKED && script->watch_id == 0)
    script->watch_id = g_unix_fd_add (script->fd, G_IO_OUT, script_writable_cb, script);
  else if (result != FLUSH_BLOCKED && script->watch_id != 0)
    g_clear_handle_id (&script->watch_id, g_source_remove);
}

guint
hearth_dhcp_script_pending (HearthDhcpScript *script)
{
  g_return_val_if_fail (script != NULL, 0);

  return g_queue_get_length (&script->queue);
}

void
hearth_dhcp_script_set_shutdown_timeouts (HearthDhcpScript *script, guint drain_ms, guint exit_ms)
{
  g_return_if_fail (script != NULL);

  script->drain_timeout_ms = drain_ms;
  script->exit_timeout_ms = exit_ms;
}

GPid
hearth_dhcp_script_get_pid (HearthDhcpScript *script)
{
  g_return_val_if_fail (script != NULL, 0);

  return script->pid;
}

/* Writes what is queued, waiting for the helper at most until @deadline
 * (monotonic µs). */
static void
script_drain (HearthDhcpScript *script, gint64 deadline)
{
  while (script_flush (script) == FLUSH_BLOCKED)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfd = { .fd = script->fd, .events = POLLOUT | POLLIN };

      if (now >= deadline)
        break;
      if (poll (&pfd, 1, (int) ((deadline - now + 999) / 1000)) < 0 && errno != EINTR)
        break;
      /* The helper may be waiting for us to read what it says. */
      if (pfd.revents & POLLIN)
        script_read (script);
    }
}

/* Reaps the helper, killing it and its process group if it is still
 * running at @deadline (monotonic µs). */
static void
script_reap (HearthDhcpScript *script, gint64 deadline)
{
  int status;

  for (;;)
    {
      pid_t r = waitpid (script->pid, &status, WNOHANG);

      if (r == script->pid)
        return;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0) /* ECHILD: reaped elsewhere */
        return;
      if (g_get_monotonic_time () >= deadline)
        break;
      {
        struct pollfd pfd = { .fd = script->fd, .events = POLLIN };

        if (poll (&pfd, 1, 10) > 0)
          script_read (script);
      }
    }

  g_warning ("dhcp-script: helper process %d for %s still running %u ms after shutdown, killing it and its scripts",
             (int) script->pid, script->path, script->exit_timeout_ms);
  kill (-script->pid, SIGKILL);
  kill (script->pid, SIGKILL);
  while (waitpid (script->pid, &status, 0) < 0 && errno == EINTR)
    ;
}

void
hearth_dhcp_script_free (HearthDhcpScript *script)
{
  if (script == NULL)
    return;

  g_clear_handle_id (&script->watch_id, g_source_remove);
  g_clear_handle_id (&script->read_id, g_source_remove);
  if (!script->helper_gone)
    {
      script_drain (script, g_get_monotonic_time () + (gint64) script->drain_timeout_ms * 1000);
      if (!g_queue_is_empty (&script->queue))
        g_warning ("dhcp-script: %u lease events not handed to %s at shutdown, dropped",
                   g_queue_get_length (&script->queue), script->path);
    }
  script_clear_queue (script);
  /* End of file for the helper; what it says until it exits is logged. */
  shutdown (script->fd, SHUT_WR);
  script_reap (script, g_get_monotonic_time () + (gint64) script->exit_timeout_ms * 1000);
  script_read (script);
  close (script->fd);
  g_string_free (script->in, TRUE);
  g_free (script->path);
  g_free (script);
}

/* ---- init ----------------------------------------------------------- */

gboolean
hearth_dhcp_script_run_init (const char *path, char **out_output, gsize *out_len, int *out_exit_code,
                             GError **error)
{
  const char *argv[] = { path, "init", NULL };
  g_autoptr(GPtrArray) env_array = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GByteArray) output = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  GPid pid;
  int out_fd;
  int status;
  guint8 chunk[16384];

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_output != NULL && out_len != NULL && out_exit_code != NULL, FALSE);

  env_add_base (env_array);
  g_ptr_array_add (env_array, NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, (char **) env_array->pdata,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES, NULL, NULL, &pid, NULL, &out_fd,
                                 NULL, &local_error))
    {
      if (g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        *out_exit_code = 127;
      else
        *out_exit_code = 126;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "lease-init script %s: ", path);
      return FALSE;
    }

  for (;;)
    {
      ssize_t n = read (out_fd, chunk, sizeof chunk);
      int err = errno;

      if (n == 0)
        break;
      if (n < 0 && err == EINTR)
        continue;
      if (n < 0 || output->len + (gsize) n > HEARTH_DHCP_SCRIPT_INIT_OUTPUT_MAX)
        {
          close (out_fd);
          kill (pid, SIGKILL);
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          g_spawn_close_pid (pid);
          if (n < 0)
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "lease-init script %s: reading its output: %s",
                         path, g_strerror (err));
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "lease-init script %s: more than %u bytes of output",
                         path, (guint) HEARTH_DHCP_SCRIPT_INIT_OUTPUT_MAX);
          return FALSE;
        }
      g_byte_array_append (output, chunk, n);
    }
  close (out_fd);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        int err = errno;

        /* ECHILD: reaped by someone else, its status is lost. */
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "lease-init script %s: waiting for it: %s", path,
                     g_strerror (err));
        return FALSE;
      }
  g_spawn_close_pid (pid);

  *out_len = output->len;
  g_byte_array_append (output, (const guint8 *) "", 1);
  *out_output = (char *) g_byte_array_free (g_steal_pointer (&output), FALSE);
  *out_exit_code = status;
  return TRUE;
}
