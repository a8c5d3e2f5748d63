/* Unit tests of dhcp-script: the argv and environment built for an event
 * (every variable, validation of hostile strings), and the helper run end
 * to end with small shell scripts in a temporary directory: order, the
 * restricted environment, queueing that never blocks, draining from the
 * main loop, the queue bound, a dead helper, --dhcp-scriptuser and "init".
 */
#include "config.h"

#include "dhcp/dhcp-script.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BRIDGE "virbr7"

/* ---- helpers -------------------------------------------------------- */

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hearth-dhcp-script-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Writes an executable shell script @name in @dir; "@OUT@" in @body is
 * replaced by @dir/out. */
static char *
write_script (const char *dir, const char *name, const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(GString) text = g_string_new ("#!/bin/sh\n");
  char *path = g_build_filename (dir, name, NULL);

  g_string_append (text, body);
  g_string_replace (text, "@OUT@", out, 0);
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

/* The lines of @dir/out (empty vector when there is no such file). */
static GStrv
read_out (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return g_new0 (char *, 1);
  if (len > 0 && contents[len - 1] == '\n')
    contents[len - 1] = '\0';
  if (contents[0] == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (contents, "\n", -1);
}

static HearthDhcpScriptEvent
sample_event (void)
{
  HearthDhcpScriptEvent ev = {
    .action = HEARTH_DHCP_SCRIPT_ADD,
    .hwaddr = "52:54:00:aa:bb:cc",
    .ip = "192.168.122.50",
    .hostname = "vm1",
    .expires_wall = 1718003600,
    .length = 3600,
    .time_remaining = 3600,
  };
  return ev;
}

static gboolean
strv_has_prefix (char **strv, const char *prefix)
{
  for (guint i = 0; strv[i] != NULL; i++)
    if (g_str_has_prefix (strv[i], prefix))
      return TRUE;
  return FALSE;
}

static gboolean
strv_contains_substring (char **strv, const char *needle)
{
  for (guint i = 0; strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_strv_equal (char **got, const char *const *expected)
{
  guint i;

  for (i = 0; expected[i] != NULL; i++)
    {
      g_assert_nonnull (got[i]);
      g_assert_cmpstr (got[i], ==, expected[i]);
    }
  g_assert_null (got[i]);
}

/* ---- build ---------------------------------------------------------- */

static void
test_action_to_string (void)
{
  g_assert_cmpstr (hearth_dhcp_script_action_to_string (HEARTH_DHCP_SCRIPT_ADD), ==, "add");
  g_assert_cmpstr (hearth_dhcp_script_action_to_string (HEARTH_DHCP_SCRIPT_OLD), ==, "old");
  g_assert_cmpstr (hearth_dhcp_script_action_to_string (HEARTH_DHCP_SCRIPT_DEL), ==, "del");
}

static void
test_build_add_all (void)
{
  const char *const user_classes[] = { "uc-one", "uc two", NULL };
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *path_var = g_strconcat ("PATH=", g_getenv ("PATH"), NULL);
  const char *expected_argv[] = { "libvirt_leaseshelper", "add", "52:54:00:aa:bb:cc", "192.168.122.50", "vm1", NULL };
  const char *expected_env[] = {
    path_var,
    "VIR_BRIDGE_NAME=" BRIDGE,
    "DNSMASQ_CLIENT_ID=01:52:54:00:aa:bb:cc",
    "DNSMASQ_INTERFACE=" BRIDGE,
    "DNSMASQ_LEASE_EXPIRES=1718003600",
    "DNSMASQ_DOMAIN=example.org",
    "DNSMASQ_DATA_MISSING=1",
    "DNSMASQ_VENDOR_CLASS=MSFT 5.0",
    "DNSMASQ_SUPPLIED_HOSTNAME=vm1-supplied",
    "DNSMASQ_REQUESTED_OPTIONS=1,3,6,15,119",
    "DNSMASQ_TAGS=lan known " BRIDGE,
    "DNSMASQ_RELAY_ADDRESS=10.0.0.1",
    "DNSMASQ_USER_CLASS0=uc-one",
    "DNSMASQ_USER_CLASS1=uc two",
    "DNSMASQ_TIME_REMAINING=3600",
    "DNSMASQ_OLD_HOSTNAME=oldname",
    "DNSMASQ_LOG_DHCP=1",
    NULL,
  };

  ev.client_id = "01:52:54:00:aa:bb:cc";
  ev.interface = BRIDGE;
  ev.domain = "example.org";
  ev.supplied_hostname = "vm1-supplied";
  ev.old_hostname = "oldname";
  ev.tags = "lan known " BRIDGE;
  ev.vendor_class = "MSFT 5.0";
  ev.user_classes = user_classes;
  ev.requested_options = "1,3,6,15,119";
  ev.relay_address = "10.0.0.1";
  ev.log_dhcp = TRUE;
  ev.data_missing = TRUE;

  hearth_dhcp_script_build ("/usr/libexec/libvirt_leaseshelper", &ev, &argv, &env);
  assert_strv_equal (argv, expected_argv);
  assert_strv_equal (env, expected_env);
}

static void
test_build_minimal (void)
{
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *path_var = g_strconcat ("PATH=", g_getenv ("PATH"), NULL);
  const char *expected_argv[] = { "s", "add", "52:54:00:aa:bb:cc", "192.168.122.50", NULL };
  const char *expected_env[] = {
    path_var, "VIR_BRIDGE_NAME=" BRIDGE, "DNSMASQ_LEASE_EXPIRES=1718003600", "DNSMASQ_TIME_REMAINING=3600", NULL,
  };

  /* No hostname: four arguments, and nothing but the always-set
   * variables. */
  ev.hostname = NULL;
  hearth_dhcp_script_build ("s", &ev, &argv, &env);
  assert_strv_equal (argv, expected_argv);
  assert_strv_equal (env, expected_env);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&env, g_strfreev);

  /* An empty hostname is no hostname. */
  ev.hostname = "";
  hearth_dhcp_script_build ("s", &ev, &argv, &env);
  assert_strv_equal (argv, expected_argv);
}

static void
test_build_old_del (void)
{
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;

  /* The "old" event for a name change: no hostname argument, the old
   * name in the environment. */
  ev.action = HEARTH_DHCP_SCRIPT_OLD;
  ev.hostname = NULL;
  ev.old_hostname = "before";
  hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
  {
    const char *expected[] = { "s", "old", "52:54:00:aa:bb:cc", "192.168.122.50", NULL };
    assert_strv_equal (argv, expected);
  }
  g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_OLD_HOSTNAME=before"));
  g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_TIME_REMAINING=3600"));
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&env, g_strfreev);

  /* "del" never has DNSMASQ_TIME_REMAINING, as with dnsmasq. */
  ev = sample_event ();
  ev.action = HEARTH_DHCP_SCRIPT_DEL;
  hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
  {
    const char *expected[] = { "s", "del", "52:54:00:aa:bb:cc", "192.168.122.50", "vm1", NULL };
    assert_strv_equal (argv, expected);
  }
  g_assert_false (strv_has_prefix (env, "DNSMASQ_TIME_REMAINING="));
  g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_LEASE_EXPIRES=1718003600"));
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&env, g_strfreev);

  /* An infinite lease: DNSMASQ_LEASE_EXPIRES=0, no time remaining, and
   * never DNSMASQ_LEASE_LENGTH (that is HAVE_BROKEN_RTC only). */
  ev = sample_event ();
  ev.expires_wall = 0;
  ev.time_remaining = 0;
  hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
  g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_LEASE_EXPIRES=0"));
  g_assert_false (strv_has_prefix (env, "DNSMASQ_TIME_REMAINING="));
  g_assert_false (strv_has_prefix (env, "DNSMASQ_LEASE_LENGTH="));
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&env, g_strfreev);

  /* time_remaining -1 leaves it out too. */
  ev = sample_event ();
  ev.time_remaining = -1;
  hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
  g_assert_false (strv_has_prefix (env, "DNSMASQ_TIME_REMAINING="));
  g_assert_false (strv_has_prefix (env, "DNSMASQ_LOG_DHCP="));
  g_assert_false (strv_has_prefix (env, "DNSMASQ_DATA_MISSING="));
}

static void
test_build_hostile (void)
{
  g_autofree char *long_name = g_strnfill (300, 'g'); /* not hex either */
  g_autofree char *long_class = g_strnfill (400, 'c');
  const char *hostile_names[] = { "a;rm -rf /", "$(x)", "a\nb", "`id`", "a b", "-rf", ".hidden", "a/b", "a=b",
                                  long_name };
  const char *const user_classes[] = { "ok\x01\x7f\xff", "\n\t", "third", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (hostile_names); i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) env = NULL;
      const char *bad = hostile_names[i];

      ev.hostname = bad;
      ev.supplied_hostname = bad;
      ev.old_hostname = bad;
      ev.domain = bad;
      ev.interface = bad;
      ev.client_id = bad;
      ev.requested_options = bad;
      ev.relay_address = bad;
      hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);

      /* The event still runs, without the hostname argument and without
       * any of the bad variables. */
      g_assert_cmpuint (g_strv_length (argv), ==, 4);
      g_assert_false (strv_contains_substring (argv, bad));
      g_assert_false (strv_contains_substring (env, bad));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_SUPPLIED_HOSTNAME="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_OLD_HOSTNAME="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_DOMAIN="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_INTERFACE="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_CLIENT_ID="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_REQUESTED_OPTIONS="));
      g_assert_false (strv_has_prefix (env, "DNSMASQ_RELAY_ADDRESS="));
    }

  /* Interface names are capped at 15 bytes. */
  {
    HearthDhcpScriptEvent ev = sample_event ();
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) env = NULL;

    ev.interface = "abcdefghijklmnop";
    hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
    g_assert_false (strv_has_prefix (env, "DNSMASQ_INTERFACE="));
  }

  /* Classes and tags lose control and non-ASCII bytes and are capped. */
  {
    HearthDhcpScriptEvent ev = sample_event ();
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) env = NULL;
    g_autofree char *capped = g_strconcat ("DNSMASQ_VENDOR_CLASS=", long_class, NULL);

    capped[strlen ("DNSMASQ_VENDOR_CLASS=") + 255] = '\0';
    ev.vendor_class = long_class;
    ev.tags = "a\nb\rc\x1b[2J";
    ev.user_classes = user_classes;
    hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
    g_assert_true (g_strv_contains ((const char *const *) env, capped));
    g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_TAGS=abc[2J"));
    g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_USER_CLASS0=ok"));
    /* Numbered by position: the empty second class leaves a gap. */
    g_assert_false (strv_has_prefix (env, "DNSMASQ_USER_CLASS1="));
    g_assert_true (g_strv_contains ((const char *const *) env, "DNSMASQ_USER_CLASS2=third"));
    for (guint i = 0; env[i] != NULL; i++)
      for (const char *p = env[i]; *p != '\0'; p++)
        g_assert_true (*p >= 0x20 && *p < 0x7f);
  }
}

static void
test_build_invalid (void)
{
  const char *bad_ips[] = { NULL, "", "300.1.1.1", "1.2.3", "1.2.3.4 ", "1.2.3.4;x", "::1", "01234567890123456789" };
  const char *bad_macs[] = { NULL, "", "zz:54:00:aa:bb:cc", "52:54:00;ls", "52 54", "-52:54" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_ips); i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) env = NULL;

      ev.ip = bad_ips[i];
      hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
      g_assert_nonnull (argv);
      g_assert_null (argv[0]);
      g_assert_nonnull (env);
      g_assert_null (env[0]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_macs); i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) env = NULL;

      ev.hwaddr = bad_macs[i];
      hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
      g_assert_null (argv[0]);
      g_assert_null (env[0]);
    }

  /* A non-Ethernet hardware type prefix is fine. */
  {
    HearthDhcpScriptEvent ev = sample_event ();
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) env = NULL;

    ev.hwaddr = "06-00:11:22:33:44:55";
    hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
    g_assert_cmpstr (argv[2], ==, "06-00:11:22:33:44:55");
  }
}

static void
test_build_base_env (void)
{
  g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;

  /* Without PATH a sane default; a bad bridge name is left out. Nothing
   * else of the daemon's environment is passed. */
  g_unsetenv ("PATH");
  g_setenv ("VIR_BRIDGE_NAME", "br;x", TRUE);
  hearth_dhcp_script_build ("/x/s", &ev, &argv, &env);
  g_setenv ("PATH", saved_path, TRUE);
  g_setenv ("VIR_BRIDGE_NAME", BRIDGE, TRUE);

  g_assert_cmpstr (env[0], ==, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  g_assert_false (strv_has_prefix (env, "VIR_BRIDGE_NAME="));
  g_assert_false (strv_has_prefix (env, "HEARTH_TEST_SECRET="));
  g_assert_false (strv_has_prefix (env, "HOME="));
}

/* ---- the helper, end to end ----------------------------------------- */

static void
test_run_events (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (
    dir, "script.sh",
    "printf '%s|%s|%s|%s|%s|%s|%s|%s\\n' \"$0\" \"$#\" \"$*\" \"${DNSMASQ_INTERFACE-unset}\" "
    "\"${DNSMASQ_LEASE_EXPIRES-unset}\" \"${DNSMASQ_TIME_REMAINING-unset}\" \"${VIR_BRIDGE_NAME-unset}\" "
    "\"${HEARTH_TEST_SECRET-unset}\" >> @OUT@\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) lines = NULL;
  g_autofree char *l0 = NULL;
  g_autofree char *l1 = NULL;
  g_autofree char *l2 = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (script);
  g_assert_cmpint (hearth_dhcp_script_get_pid (script), >, 0);

  ev.interface = BRIDGE;
  hearth_dhcp_script_queue (script, &ev);
  ev.action = HEARTH_DHCP_SCRIPT_OLD;
  ev.ip = "192.168.122.51";
  ev.hostname = NULL;
  ev.expires_wall = 1718007200;
  ev.time_remaining = 7200;
  hearth_dhcp_script_queue (script, &ev);
  ev.action = HEARTH_DHCP_SCRIPT_DEL;
  ev.hwaddr = "52:54:00:00:00:01";
  ev.ip = "192.168.122.52";
  ev.hostname = "gone";
  ev.interface = NULL;
  hearth_dhcp_script_queue (script, &ev);
  g_clear_pointer (&script, hearth_dhcp_script_free);

  l0 = g_strdup_printf ("%s|4|add 52:54:00:aa:bb:cc 192.168.122.50 vm1|" BRIDGE "|1718003600|3600|" BRIDGE "|unset",
                        script_path);
  l1 = g_strdup_printf ("%s|3|old 52:54:00:aa:bb:cc 192.168.122.51|" BRIDGE "|1718007200|7200|" BRIDGE "|unset",
                        script_path);
  l2 = g_strdup_printf ("%s|4|del 52:54:00:00:00:01 192.168.122.52 gone|unset|1718007200|unset|" BRIDGE "|unset",
                        script_path);
  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, l0);
  g_assert_cmpstr (lines[1], ==, l1);
  g_assert_cmpstr (lines[2], ==, l2);
  rm_rf (dir);
}

static void
test_run_slow_script (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "slow.sh", "sleep 1\necho \"$3\" >> @OUT@\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  g_auto(GStrv) lines = NULL;
  gint64 start;
  gint64 elapsed;

  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 5; i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      g_autofree char *ip = g_strdup_printf ("10.0.0.%u", i + 1);

      ev.ip = ip;
      hearth_dhcp_script_queue (script, &ev);
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, <, 50 * 1000);

  /* Nothing ran yet (each run takes a second); free waits for all. */
  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&script, hearth_dhcp_script_free);

  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *ip = g_strdup_printf ("10.0.0.%u", i + 1);
      g_assert_cmpstr (lines[i], ==, ip);
    }
  rm_rf (dir);
}

/* Records far larger than the socket buffer: queue() writes what fits, the
 * G_IO_OUT watch writes the rest (in pieces) while the main loop runs. */
static void
test_run_main_loop_drain (void)
{
  const guint n_events = 200;
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "s.sh", "echo \"$3 ${#DNSMASQ_USER_CLASS31}\" >> @OUT@\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  g_autofree char *big_class = g_strnfill (255, 'u');
  const char *user_classes[33];
  g_auto(GStrv) lines = NULL;
  gint64 deadline;

  g_assert_no_error (error);
  for (guint i = 0; i < 32; i++)
    user_classes[i] = big_class;
  user_classes[32] = NULL;

  for (guint i = 0; i < n_events; i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      g_autofree char *ip = g_strdup_printf ("10.0.%u.%u", i / 250, i % 250 + 1);

      ev.ip = ip;
      ev.vendor_class = big_class;
      ev.user_classes = user_classes;
      hearth_dhcp_script_queue (script, &ev);
    }
  /* About 1.7 MB queued: more than a socket buffer holds. */
  g_assert_cmpuint (hearth_dhcp_script_pending (script), >, 0);

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (hearth_dhcp_script_pending (script) > 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (hearth_dhcp_script_pending (script), ==, 0);
  g_clear_pointer (&script, hearth_dhcp_script_free);

  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, n_events);
  for (guint i = 0; i < n_events; i++)
    {
      g_autofree char *expected = g_strdup_printf ("10.0.%u.%u 255", i / 250, i % 250 + 1);
      g_assert_cmpstr (lines[i], ==, expected);
    }
  rm_rf (dir);
}

static gboolean
process_alive (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return FALSE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* A script that never finishes: the queue stops at its bound, dropping
 * the oldest events with one warning, and free gives up after its
 * timeouts and kills the helper and the script. */
static void
test_run_overflow (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "stuck.sh", "echo $$ > @OUT@\nexec sleep 600\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  g_auto(GStrv) lines = NULL;
  pid_t script_pid;
  gint64 start;
  gint64 deadline;

  g_assert_no_error (error);

  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*more than 65536 lease events waiting*");
  start = g_get_monotonic_time ();
  for (guint i = 0; i < HEARTH_DHCP_SCRIPT_QUEUE_MAX + 2000; i++)
    {
      HearthDhcpScriptEvent ev = sample_event ();
      char ip[32];

      g_snprintf (ip, sizeof ip, "10.%u.%u.%u", i >> 16, (i >> 8) & 0xff, i & 0xff);
      ev.ip = ip;
      hearth_dhcp_script_queue (script, &ev);
    }
  g_test_assert_expected_messages ();
  g_assert_cmpuint (hearth_dhcp_script_pending (script), ==, HEARTH_DHCP_SCRIPT_QUEUE_MAX);
  /* Queueing never waited for the script. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);

  /* Wait for the first script run, to know its pid. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((lines = read_out (dir))[0] == NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&lines, g_strfreev);
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (lines[0]);
  script_pid = atoi (lines[0]);
  g_assert_cmpint (script_pid, >, 0);
  g_assert_true (process_alive (script_pid));

  hearth_dhcp_script_set_shutdown_timeouts (script, 100, 300);
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*lease events not handed to*dropped*");
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*still running 300 ms after shutdown, killing*");
  start = g_get_monotonic_time ();
  g_clear_pointer (&script, hearth_dhcp_script_free);
  g_test_assert_expected_messages ();
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* The script went with the helper's process group (it may linger as a
   * zombie until whoever adopted it reaps it). */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (process_alive (script_pid) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_false (process_alive (script_pid));
  rm_rf (dir);
}

static void
test_run_helper_gone (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "s.sh", "echo \"$3\" >> @OUT@\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  HearthDhcpScriptEvent ev = sample_event ();
  siginfo_t info;
  GPid pid;

  g_assert_no_error (error);
  pid = hearth_dhcp_script_get_pid (script);

  /* The helper ignores SIGTERM (it must outlive the daemon to run what is
   * queued); SIGKILL it and wait, without reaping. */
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_usleep (100 * 1000);
  g_assert_true (process_alive (pid));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  memset (&info, 0, sizeof info);
  g_assert_cmpint (waitid (P_PID, pid, &info, WEXITED | WNOWAIT), ==, 0);

  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*helper process*is gone*");
  hearth_dhcp_script_queue (script, &ev);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (hearth_dhcp_script_pending (script), ==, 0);
  /* Only one warning: later events are dropped quietly. */
  hearth_dhcp_script_queue (script, &ev);
  hearth_dhcp_script_queue (script, &ev);
  g_assert_cmpuint (hearth_dhcp_script_pending (script), ==, 0);
  g_clear_pointer (&script, hearth_dhcp_script_free);
  g_assert_false (process_alive (pid));
  rm_rf (dir);
}

static void
test_run_invalid_event (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "s.sh", "echo \"$3\" >> @OUT@\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  HearthDhcpScriptEvent ev = sample_event ();
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  ev.ip = "1.2.3.4; reboot";
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "*add event with an invalid hardware or IP address*");
  hearth_dhcp_script_queue (script, &ev);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (hearth_dhcp_script_pending (script), ==, 0);
  ev = sample_event ();
  hearth_dhcp_script_queue (script, &ev);
  g_clear_pointer (&script, hearth_dhcp_script_free);

  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpstr (lines[0], ==, "192.168.122.50");
  rm_rf (dir);
}

/* The helper's reports come back to the daemon and are logged. */
static void
test_run_failure_logged (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path = write_script (dir, "fail.sh", "exit 3\n");
  g_autofree char *missing = g_build_filename (dir, "missing.sh", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  g_autoptr (HearthDhcpScript) script2 = NULL;
  HearthDhcpScriptEvent ev = sample_event ();

  g_assert_no_error (error);
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "dhcp-script: */fail.sh add exited with status 3");
  hearth_dhcp_script_queue (script, &ev);
  g_clear_pointer (&script, hearth_dhcp_script_free);
  g_test_assert_expected_messages ();

  script2 = hearth_dhcp_script_new (missing, NULL, &error);
  g_assert_no_error (error);
  ev.action = HEARTH_DHCP_SCRIPT_DEL;
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "dhcp-script: cannot run */missing.sh: No such file or directory");
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_WARNING, "dhcp-script: */missing.sh del exited with status 127");
  hearth_dhcp_script_queue (script2, &ev);
  g_clear_pointer (&script2, hearth_dhcp_script_free);
  g_test_assert_expected_messages ();
  rm_rf (dir);
}

/* What a script writes on stdout and stderr is logged line by line, made
 * printable, long lines cut. */
static void
test_run_output_logged (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *script_path =
      write_script (dir, "talk.sh",
                    "echo \"hello $1 $3\"\n"
                    "echo 'to stderr' >&2\n"
                    "printf 'bell\\007 and \\377\\n'\n"
                    "head -c 3000 /dev/zero | tr '\\0' x\n"
                    "printf 'no newline at the end'\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDhcpScript) script = hearth_dhcp_script_new (script_path, NULL, &error);
  HearthDhcpScriptEvent ev = sample_event ();
  g_autofree char *long_line = g_strnfill (1024, 'x');
  g_autofree char *want_long = g_strconcat ("dhcp-script: ", long_line, NULL);

  g_assert_no_error (error);
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, "dhcp-script: hello add 192.168.122.50");
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, "dhcp-script: to stderr");
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, "dhcp-script: bell? and \357\277\275");
  /* 3000 bytes without a newline: cut into 1024-byte lines. */
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, want_long);
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, want_long);
  g_test_expect_message ("hearth-dhcp", G_LOG_LEVEL_MESSAGE, "dhcp-script: xxx*no newline at the end");
  hearth_dhcp_script_queue (script, &ev);
  g_clear_pointer (&script, hearth_dhcp_script_free);
  g_test_assert_expected_messages ();
  rm_rf (dir);
}

static void
test_run_user (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthDhcpScript) script = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script_path = NULL;
  g_auto(GStrv) lines = NULL;
  struct passwd *nobody;
  g_autofree char *expected = NULL;
  HearthDhcpScriptEvent ev = sample_event ();

  script = hearth_dhcp_script_new ("/bin/true", "no-such-user-hearth-test", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (script);
  g_assert_nonnull (strstr (error->message, "no-such-user-hearth-test"));
  g_clear_error (&error);

  dir = make_tmpdir ();
  g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
  script_path = write_script (dir, "who.sh", "echo \"$(id -u):$(id -g)\" >> @OUT@\n");

  if (geteuid () != 0)
    {
      /* Naming ourselves works without privileges. */
      struct passwd *self = getpwuid (geteuid ());

      g_assert_nonnull (self);
      script = hearth_dhcp_script_new (script_path, self->pw_name, &error);
      g_assert_no_error (error);
      hearth_dhcp_script_queue (script, &ev);
      g_clear_pointer (&script, hearth_dhcp_script_free);
      lines = read_out (dir);
      expected = g_strdup_printf ("%u:%u", (guint) geteuid (), (guint) getegid ());
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      g_assert_cmpstr (lines[0], ==, expected);
      rm_rf (dir);
      g_test_message ("not root: switching to another user not tested");
      return;
    }

  nobody = getpwnam ("nobody");
  if (nobody == NULL)
    {
      rm_rf (dir);
      g_test_skip ("no user nobody");
      return;
    }
  expected = g_strdup_printf ("%u:%u", (guint) nobody->pw_uid, (guint) nobody->pw_gid);
  script = hearth_dhcp_script_new (script_path, "nobody", &error);
  g_assert_no_error (error);
  hearth_dhcp_script_queue (script, &ev);
  g_clear_pointer (&script, hearth_dhcp_script_free);
  lines = read_out (dir);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpstr (lines[0], ==, expected);
  rm_rf (dir);
}

/* ---- init ----------------------------------------------------------- */

static void
test_init (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *ok_path = write_script (
    dir, "ok.sh",
    "[ \"$1\" = init ] || exit 9\n"
    "echo \"1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\"\n"
    "echo \"0 52:54:00:aa:bb:cd 192.168.122.51 * * $VIR_BRIDGE_NAME ${HEARTH_TEST_SECRET-unset}\"\n");
  g_autofree char *fail_path = write_script (dir, "fail.sh", "echo partial\nexit 3\n");
  g_autofree char *noexec_path = write_script (dir, "noexec.sh", "exit 0\n");
  g_autofree char *missing_path = g_build_filename (dir, "missing.sh", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gsize len = 0;
  int status = -1;
  const char *expected = "1718000000 52:54:00:aa:bb:cc 192.168.122.50 vm1 01:52:54:00:aa:bb:cc\n"
                         "0 52:54:00:aa:bb:cd 192.168.122.51 * * " BRIDGE " unset\n";

  g_assert_true (hearth_dhcp_script_run_init (ok_path, &output, &len, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, expected);
  g_assert_cmpuint (len, ==, strlen (expected));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_clear_pointer (&output, g_free);

  g_assert_true (hearth_dhcp_script_run_init (fail_path, &output, &len, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, "partial\n");
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_clear_pointer (&output, g_free);

  status = -1;
  g_assert_false (hearth_dhcp_script_run_init (missing_path, &output, &len, &status, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.sh"));
  g_assert_cmpint (status, ==, 127);
  g_assert_null (output);
  g_clear_error (&error);

  /* Not executable (no x bit at all: even root cannot run it). */
  g_assert_cmpint (g_chmod (noexec_path, 0644), ==, 0);
  status = -1;
  g_assert_false (hearth_dhcp_script_run_init (noexec_path, &output, &len, &status, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (status, ==, 126);
  g_clear_error (&error);
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  /* The bridge name libvirt sets for dnsmasq, and something the scripts
   * must not see. */
  g_setenv ("VIR_BRIDGE_NAME", BRIDGE, TRUE);
  g_setenv ("HEARTH_TEST_SECRET", "leaked", TRUE);
  /* A known PATH, so that no hostile test string is in it by chance. */
  g_setenv ("PATH", "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dhcp/script/action-to-string", test_action_to_string);
  g_test_add_func ("/dhcp/script/build/add-all", test_build_add_all);
  g_test_add_func ("/dhcp/script/build/minimal", test_build_minimal);
  g_test_add_func ("/dhcp/script/build/old-del", test_build_old_del);
  g_test_add_func ("/dhcp/script/build/hostile", test_build_hostile);
  g_test_add_func ("/dhcp/script/build/invalid", test_build_invalid);
  g_test_add_func ("/dhcp/script/build/base-env", test_build_base_env);
  g_test_add_func ("/dhcp/script/run/events", test_run_events);
  g_test_add_func ("/dhcp/script/run/slow-script", test_run_slow_script);
  g_test_add_func ("/dhcp/script/run/main-loop-drain", test_run_main_loop_drain);
  g_test_add_func ("/dhcp/script/run/overflow", test_run_overflow);
  g_test_add_func ("/dhcp/script/run/helper-gone", test_run_helper_gone);
  g_test_add_func ("/dhcp/script/run/invalid-event", test_run_invalid_event);
  g_test_add_func ("/dhcp/script/run/failure-logged", test_run_failure_logged);
  g_test_add_func ("/dhcp/script/run/output-logged", test_run_output_logged);
  g_test_add_func ("/dhcp/script/run/user", test_run_user);
  g_test_add_func ("/dhcp/script/init", test_init);

  return g_test_run ();
}
