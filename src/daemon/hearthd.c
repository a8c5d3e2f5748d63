/* hearthd: the daemon's entry point. Reads the configuration, opens the
 * sockets, detaches when asked to (dnsmasq mode), drops privileges, and
 * runs the main loop with its signal handlers and systemd notifications.
 *
 * Subsystems do the work; this file only orders the steps and maps
 * failures to dnsmasq's exit codes. It is also the dnsmasq drop-in: run as
 * "dnsmasq" (or with --dnsmasq-compat) it follows dnsmasq's process
 * contract.
 */
#include "config.h"

#include "bus/bus.h"
#include "config/config-options.h"
#include "config/config-parser.h"
#include "daemon/daemon-config.h"
#include "daemon/daemon-process.h"
#include "dhcp/dhcp-config.h"
#include "dhcp/dhcp-service.h"
#include "dns/dns-service.h"
#include "net/net-socket.h"
#include "util/util-log.h"

#include <glib-unix.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


typedef struct {
  GMainLoop *loop;
  HearthDnsService *dns;
  HearthDhcpService *dhcp;
} Daemon;

static gboolean on_hangup (gpointer user_data);

/* Which bus, if any: hearth's own mode connects unless --no-dbus (to the
 * system bus, or --session-bus, or --dbus-address); dnsmasq mode only with
 * --enable-dbus, as dnsmasq. */
static HearthBus *
bus_new (const HearthDaemonConfig *config, HearthDnsService *dns, Daemon *d)
{
  HearthBusOptions options = { 0 };

  if (config->no_dbus || (config->compat && config->enable_dbus == NULL))
    return NULL;
  options.address = config->dbus_address;
  options.session_bus = config->session_bus;
  options.native_name = config->compat ? NULL : "org.hearth.Hearth1";
  options.compat_name = config->enable_dbus;
  options.dhcp = d->dhcp;
  options.reload = on_hangup;
  options.reload_data = d;
  return hearth_bus_new (dns, &options);
}

static gboolean
is_compat_invocation (int argc, char **argv)
{
  g_autofree char *base = argc > 0 ? g_path_get_basename (argv[0]) : NULL;

  if (g_strcmp0 (base, "dnsmasq") == 0)
    return TRUE;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--dnsmasq-compat") == 0)
      return TRUE;
  return FALSE;
}

static void
print_version (gboolean compat)
{
  if (compat)
    /* libvirt parses the number after "Dnsmasq version "; the rest tells
     * people what they actually run. */
    printf ("Dnsmasq version %s (hearth %s)\n", DNSMASQ_COMPAT_VERSION, PACKAGE_VERSION);
  else
    printf ("hearthd %s (dnsmasq-compatible %s)\n", PACKAGE_VERSION, DNSMASQ_COMPAT_VERSION);
  /* dnsmasq's feature line, telling the truth about what hearth has. */
  printf ("Compile time options: IPv6 GNU-getopt DBus i18n no-IDN DHCP no-DHCPv6 no-Lua no-TFTP no-conntrack "
          "no-ipset no-nftset no-auth no-DNSSEC no-loop-detect inotify no-dumpfile\n");
  printf ("\nThis software comes with ABSOLUTELY NO WARRANTY.\n"
          "Hearth is free software, and you are welcome to redistribute it\n"
          "under the terms of the GNU General Public License, version 2 or later.\n");
}

/* --help and --version act on the command line alone, before any config
 * file is read (a broken file must not hide them). */
static gboolean
handle_early_options (int argc, char **argv, gboolean compat, int *out_exit)
{
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (strcmp (a, "--") == 0)
        break;
      if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
        {
          print_version (compat);
          *out_exit = HEARTH_EXIT_OK;
          return TRUE;
        }
      if (strcmp (a, "--help") == 0 || strcmp (a, "-w") == 0)
        {
          hearth_option_print_help (stdout);
          *out_exit = HEARTH_EXIT_OK;
          return TRUE;
        }
    }
  return FALSE;
}

static int
exit_code_for_config_error (const GError *error)
{
  if (g_error_matches (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE))
    return HEARTH_EXIT_FILE;
  return HEARTH_EXIT_CONFIG;
}

/* Hands every item to the subsystem that owns it; options of subsystems
 * not built yet are reported and skipped. */
static gboolean
apply_items (GPtrArray *items, HearthDaemonConfig *daemon_config, HearthDnsConfig *dns_config,
             HearthDhcpConfig *dhcp_config, GError **error)
{
  for (guint i = 0; i < items->len; i++)
    {
      const HearthConfigItem *item = g_ptr_array_index (items, i);
      gboolean ok = TRUE;

      if (!item->def->implemented)
        {
          g_autofree char *where = hearth_config_item_get_location (item);

          g_warning (_("%s: option '%s' is not supported yet, ignoring"), where, item->def->long_name);
          continue;
        }
      switch (item->def->owner)
        {
        case HEARTH_OPTION_OWNER_CONFIG:
        case HEARTH_OPTION_OWNER_DAEMON:
          ok = hearth_daemon_config_apply (daemon_config, item, error);
          break;
        case HEARTH_OPTION_OWNER_DNS:
          ok = hearth_dns_config_apply (dns_config, item, error);
          break;
        case HEARTH_OPTION_OWNER_DHCP:
          ok = hearth_dhcp_config_apply (dhcp_config, item, error);
          break;
        case HEARTH_OPTION_OWNER_TFTP:
          {
            g_autofree char *where = hearth_config_item_get_location (item);

            g_warning (_("%s: option '%s' is not supported yet, ignoring"), where, item->def->long_name);
            break;
          }
        }
      if (!ok)
        return FALSE;
    }
  dns_config->log_queries = daemon_config->log_queries;
  dns_config->dhcp_fqdn = dhcp_config->fqdn;
  if (dhcp_config->n_ipv6_ranges > 0 || dhcp_config->n_ipv6_hosts > 0)
    g_warning (_("DHCPv6 is not supported yet: %u IPv6 dhcp-range and %u IPv6 dhcp-host values ignored"),
               dhcp_config->n_ipv6_ranges, dhcp_config->n_ipv6_hosts);
  return hearth_dns_config_check (dns_config, error) && hearth_dhcp_config_check (dhcp_config, error);
}

static gboolean
on_terminate (gpointer user_data)
{
  Daemon *d = user_data;

  hearth_process_notify ("STOPPING=1");
  g_message (_("exiting on signal"));
  g_main_loop_quit (d->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  Daemon *d = user_data;

  hearth_process_notify ("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time ());
  /* dnsmasq semantics: cache cleared, resolv and hosts-style files read
   * again; the configuration itself is not. */
  hearth_dns_service_reload (d->dns);
  if (d->dhcp != NULL)
    hearth_dhcp_service_reload (d->dhcp);
  g_message (_("cleared cache and re-read resolv and hosts files on SIGHUP"));
  hearth_process_notify ("READY=1\nSTATUS=serving DNS");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_usr1 (gpointer user_data)
{
  Daemon *d = user_data;

  hearth_dns_service_log_statistics (d->dns);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  hearth_process_notify ("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

/* ---- DHCP to DNS: client names and the domain of an address. ---- */

static void
dns_addr_from_ipv4 (guint32 addr, HearthDnsAddr *out)
{
  guint32 n = GUINT32_TO_BE (addr);

  memset (out, 0, sizeof *out);
  out->family = AF_INET;
  out->prefix_len = 32;
  memcpy (out->bytes, &n, 4);
}

static guint
dhcp_add_name_cb (const char *hostname, guint32 addr, gpointer user_data)
{
  Daemon *d = user_data;
  HearthDnsAddr a;

  dns_addr_from_ipv4 (addr, &a);
  return hearth_dns_service_add_dhcp_name (d->dns, hostname, &a);
}

static void
dhcp_remove_name_cb (guint handle, gpointer user_data)
{
  Daemon *d = user_data;

  hearth_dns_service_remove_dhcp_name (d->dns, handle);
}

static const char *
dhcp_domain_for_cb (guint32 addr, gpointer user_data)
{
  Daemon *d = user_data;
  HearthDnsAddr a;

  dns_addr_from_ipv4 (addr, &a);
  return hearth_dns_service_domain_for (d->dns, &a);
}

/* The DHCP service serves the interfaces DNS serves (--interface,
 * --except-interface, --listen-address), minus --no-dhcp-interface. */
static HearthDhcpService *
dhcp_service_new (HearthDhcpConfig *config, HearthNetMonitor *monitor, Daemon *d)
{
  const HearthDnsConfig *dns_config = hearth_dns_service_get_config (d->dns);
  HearthNetPolicy *policy = hearth_net_policy_new ();
  HearthDhcpServiceHooks hooks = { 0 };

  for (guint i = 0; i < dns_config->interfaces->len; i++)
    hearth_net_policy_add_interface (policy, g_ptr_array_index (dns_config->interfaces, i));
  for (guint i = 0; i < dns_config->except_interfaces->len; i++)
    hearth_net_policy_add_except_interface (policy, g_ptr_array_index (dns_config->except_interfaces, i));
  for (guint i = 0; i < dns_config->listen_addresses->len; i++)
    hearth_net_policy_add_listen_address (policy, g_ptr_array_index (dns_config->listen_addresses, i), NULL);
  hooks.add_name = dhcp_add_name_cb;
  hooks.remove_name = dhcp_remove_name_cb;
  hooks.domain_for = dhcp_domain_for_cb;
  hooks.user_data = d;
  hooks.dns_enabled = dns_config->port != 0;
  return hearth_dhcp_service_new (config, monitor, policy, &hooks);
}

int
main (int argc, char **argv)
{
  gboolean compat;
  int early_exit;
  const char *ident;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HearthDaemonConfig) daemon_config = NULL;
  g_autoptr (HearthDnsConfig) dns_config = NULL;
  g_autoptr (HearthDhcpConfig) dhcp_config = NULL;
  /* Declared before the service, so freed after it. */
  g_autoptr (HearthNetMonitor) monitor = NULL;
  g_autoptr (HearthDnsService) dns = NULL;
  /* After the DNS service, so freed before it: its hooks call DNS. */
  g_autoptr (HearthDhcpService) dhcp = NULL;
  g_autoptr (GArray) activated = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (HearthBus) bus = NULL;
  gboolean background;
  guint64 watchdog_usec;
  sigset_t held_signals;
  Daemon d = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  compat = is_compat_invocation (argc, argv);
  ident = compat ? "dnsmasq" : "hearthd";
  g_set_prgname (ident);
  /* Until the real target is known, messages go to stderr. */
  hearth_log_setup (ident, "-", FALSE, FALSE, NULL);

  if (handle_early_options (argc, argv, compat, &early_exit))
    return early_exit;

  if (!hearth_config_load (argc, argv, compat ? "/etc/dnsmasq.conf" : HEARTH_CONF_FILE, &items, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      return exit_code_for_config_error (error);
    }
  daemon_config = hearth_daemon_config_new (compat);
  dns_config = hearth_dns_config_new ();
  dhcp_config = hearth_dhcp_config_new ();
  if (!apply_items (items, daemon_config, dns_config, dhcp_config, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      return exit_code_for_config_error (error);
    }
  /* dnsmasq's lease file in dnsmasq mode, hearth's state directory otherwise. */
  if (dhcp_config->lease_file == NULL)
    dhcp_config->lease_file = g_strdup (compat ? HEARTH_DHCP_COMPAT_LEASE_FILE : HEARTH_STATE_DIR "/hearth.leases");
  if (daemon_config->test_only)
    {
      printf ("%s: %s\n", ident, _("syntax check OK."));
      return HEARTH_EXIT_OK;
    }

  /* Interfaces first: which sockets to open depends on them. */
  monitor = hearth_net_monitor_new ();
  if (!hearth_net_monitor_start (monitor, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      return HEARTH_EXIT_NETWORK;
    }
  dns = hearth_dns_service_new (g_steal_pointer (&dns_config), monitor);
  d.dns = dns;
  activated = hearth_net_activated_sockets ();
  /* From the moment a socket accepts connections a supervisor may signal
   * us; hold the signals until the main loop's handlers are in place
   * instead of dying of the default action. */
  sigemptyset (&held_signals);
  sigaddset (&held_signals, SIGTERM);
  sigaddset (&held_signals, SIGINT);
  sigaddset (&held_signals, SIGHUP);
  sigaddset (&held_signals, SIGUSR1);
  sigprocmask (SIG_BLOCK, &held_signals, NULL);
  if (!hearth_dns_service_open (dns, activated, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      return HEARTH_EXIT_NETWORK;
    }
  if (hearth_dhcp_config_enabled (dhcp_config))
    {
      int init_status = 0;

      dhcp = dhcp_service_new (g_steal_pointer (&dhcp_config), monitor, &d);
      d.dhcp = dhcp;
      if (!hearth_dhcp_service_open (dhcp, &init_status, &error))
        {
          int code = HEARTH_EXIT_NETWORK;

          g_printerr ("%s: %s\n", ident, error->message);
          /* dnsmasq: a lease file problem is exit 3, a failing init
           * script 10 + its status (126/127: could not run it, 3). */
          if (g_error_matches (error, HEARTH_DHCP_SERVICE_ERROR, HEARTH_DHCP_SERVICE_ERROR_FILE))
            code = HEARTH_EXIT_FILE;
          else if (error->domain != G_IO_ERROR)
            code = init_status == 126 || init_status == 127 ? HEARTH_EXIT_FILE : 10 + init_status;
          return code;
        }
    }

  background = hearth_daemon_config_should_daemonize (daemon_config);
  if (background && !hearth_process_daemonize (&error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      return HEARTH_EXIT_OTHER;
    }

  if (!hearth_log_setup (ident, daemon_config->log_facility, background, daemon_config->no_daemon, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      hearth_process_daemon_failed (HEARTH_EXIT_FILE);
      return HEARTH_EXIT_FILE;
    }
  /* The pid file before dropping privileges: it usually lives in a
   * root-owned directory (/run). */
  if (daemon_config->pid_file != NULL && !hearth_process_write_pid_file (daemon_config->pid_file, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      hearth_process_daemon_failed (HEARTH_EXIT_FILE);
      return HEARTH_EXIT_FILE;
    }
  /* The bus before dropping privileges: the stock bus policies let only
   * root own hearth's and dnsmasq's names, and the bus remembers who
   * connected. After daemonizing: GDBus runs a thread, which fork() loses. */
  /* The script helper forks: before the bus (threads) and before
   * privileges go, as dnsmasq's helper. */
  if (dhcp != NULL && !hearth_dhcp_service_start_script (dhcp, &error))
    {
      g_printerr ("%s: %s\n", ident, error->message);
      hearth_process_daemon_failed (HEARTH_EXIT_CONFIG);
      return HEARTH_EXIT_CONFIG;
    }
  bus = bus_new (daemon_config, dns, &d);
  if (bus != NULL)
    hearth_bus_start (bus);
  if (!hearth_process_drop_privileges (daemon_config->user, daemon_config->group,
                                      hearth_dns_service_needs_late_binds (dns), &error))
    {
      /* An unknown user or group is a configuration problem (dnsmasq: 1);
       * a failing setuid() is not. */
      HearthExitCode code =
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? HEARTH_EXIT_CONFIG : HEARTH_EXIT_OTHER;

      g_printerr ("%s: %s\n", ident, error->message);
      hearth_process_daemon_failed (code);
      return code;
    }

  loop = g_main_loop_new (NULL, FALSE);
  d.loop = loop;
  d.dns = dns;
  g_unix_signal_add (SIGTERM, on_terminate, &d);
  g_unix_signal_add (SIGINT, on_terminate, &d);
  g_unix_signal_add (SIGHUP, on_hangup, &d);
  g_unix_signal_add (SIGUSR1, on_usr1, &d);
  sigprocmask (SIG_UNBLOCK, &held_signals, NULL);
  signal (SIGPIPE, SIG_IGN);
  /* A file-size limit makes a lease-file write fail (and be retried), not kill us. */
  signal (SIGXFSZ, SIG_IGN);

  hearth_dns_service_start (dns);
  if (dhcp != NULL)
    hearth_dhcp_service_start (dhcp);
  g_message (_("started, version %s, cache size %u, logging to %s"), PACKAGE_VERSION,
             hearth_dns_service_get_config (dns)->cache_size, hearth_log_target_to_string (hearth_log_get_target ()));
  hearth_process_daemon_ready (background && hearth_log_get_target () != HEARTH_LOG_TARGET_STDERR);
  hearth_process_notify ("READY=1\nSTATUS=serving DNS");
  if (bus != NULL)
    hearth_bus_announce (bus);
  watchdog_usec = hearth_process_watchdog_usec ();
  if (watchdog_usec > 0)
    g_timeout_add (MAX (watchdog_usec / 2000, 1), on_watchdog, NULL);

  g_main_loop_run (loop);

  if (daemon_config->pid_file != NULL)
    unlink (daemon_config->pid_file);
  return HEARTH_EXIT_OK;
}
