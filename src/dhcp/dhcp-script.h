/* --dhcp-script: telling an external program about leases, with dnsmasq's
 * protocol (see compat/CONTRACT.md section 3.6).
 *
 * The script runs from a helper process forked at start, before the
 * daemon drops its privileges (so it runs as root, or --dhcp-scriptuser),
 * exactly as dnsmasq does it. The daemon hands events to the helper over
 * a socket pair without ever blocking: events queue in memory (bounded) while the
 * helper is busy, and the helper runs the script for one event at a time,
 * in order. A slow or hanging script therefore delays only later script
 * runs, never DHCP.
 *
 * Arguments and environment are built here from validated, length-capped
 * strings (hex MACs, dotted addresses, host-name labels, printable
 * class strings); nothing from the network reaches a shell, and the script
 * is run with execve(), not through one.
 *
 * "init" (for --leasefile-ro) is run synchronously at start, its output
 * parsed by the caller like a lease file.
 *
 * Where we differ from dnsmasq, on purpose: the script's environment is not
 * the daemon's whole environment but PATH, VIR_BRIDGE_NAME (libvirt's
 * leaseshelper falls back to it) and the DNSMASQ_* variables; a name or
 * class that fails validation is left out rather than passed raw. Only the
 * DHCPv4 actions add/old/del exist (no tftp, arp-*, relay-snoop).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HEARTH_DHCP_SCRIPT_ADD,
  HEARTH_DHCP_SCRIPT_OLD,
  HEARTH_DHCP_SCRIPT_DEL,
} HearthDhcpScriptAction;

const char *hearth_dhcp_script_action_to_string (HearthDhcpScriptAction action);

/* One lease event. Every string may be NULL (left out of the
 * environment); the script module checks and caps them again. */
typedef struct {
  HearthDhcpScriptAction action;
  const char *hwaddr;            /* "52:54:00:aa:bb:cc" (argv[2]) */
  const char *ip;                /* dotted quad (argv[3]) */
  const char *hostname;          /* argv[4] when set */
  const char *client_id;         /* DNSMASQ_CLIENT_ID, hex with colons */
  const char *interface;         /* DNSMASQ_INTERFACE */
  const char *domain;            /* DNSMASQ_DOMAIN */
  const char *supplied_hostname; /* DNSMASQ_SUPPLIED_HOSTNAME */
  /* DNSMASQ_OLD_HOSTNAME. dnsmasq sends it with an extra "old" event when
   * a lease's name changes, that event having no hostname argument; the
   * caller builds such events, this module passes what it is given. */
  const char *old_hostname;
  /* DNSMASQ_LEASE_EXPIRES (epoch s), 0 = infinite. Always set, "0" for an
   * infinite lease, exactly as dnsmasq 2.90 does (it sets
   * DNSMASQ_LEASE_LENGTH instead only on HAVE_BROKEN_RTC builds). */
  gint64 expires_wall;
  guint32 length;                /* lease length (s); not passed, see above */
  /* DNSMASQ_TIME_REMAINING (s). Left out when <= 0 (-1, or an infinite
   * lease) and for "del", as dnsmasq does. */
  gint64 time_remaining;
  const char *tags;              /* DNSMASQ_TAGS, space separated */
  const char *vendor_class;      /* DNSMASQ_VENDOR_CLASS */
  const char *const *user_classes; /* DNSMASQ_USER_CLASS0.., NULL-terminated or NULL */
  const char *requested_options; /* DNSMASQ_REQUESTED_OPTIONS "1,3,6" */
  const char *relay_address;     /* DNSMASQ_RELAY_ADDRESS */
  gboolean log_dhcp;             /* DNSMASQ_LOG_DHCP=1 */
  /* DNSMASQ_DATA_MISSING=1: an "old" event for a lease loaded at start,
   * whose extra data (classes, tags...) was not stored. */
  gboolean data_missing;
} HearthDhcpScriptEvent;

typedef struct _HearthDhcpScript HearthDhcpScript;

/* Forks the helper. @user: run scripts as this user (NULL: as the daemon
 * runs now); an unknown user, or a failure to switch to it, is an error
 * here. Must be called before privileges are dropped and before threads
 * exist (so before the D-Bus connection). The helper is the leader of its
 * own process group, which the scripts it runs share. */
HearthDhcpScript *hearth_dhcp_script_new (const char *path, const char *user, GError **error);
/* Stops the helper after the queued events are run, with a bounded wait:
 * events still unwritten after the drain timeout are dropped, and a helper
 * (with its scripts) still running after the exit timeout is killed.
 * Blocks for at most the sum of the two timeouts. */
void hearth_dhcp_script_free (HearthDhcpScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpScript, hearth_dhcp_script_free)

/* Queues one event; never blocks. Beyond HEARTH_DHCP_SCRIPT_QUEUE_MAX
 * waiting events the oldest are dropped with a warning. */
#define HEARTH_DHCP_SCRIPT_QUEUE_MAX 65536
void hearth_dhcp_script_queue (HearthDhcpScript *script, const HearthDhcpScriptEvent *event);
/* Events queued and not yet taken by the helper. */
guint hearth_dhcp_script_pending (HearthDhcpScript *script);

/* Defaults for hearth_dhcp_script_free(). */
#define HEARTH_DHCP_SCRIPT_DRAIN_TIMEOUT_MS 2000
#define HEARTH_DHCP_SCRIPT_EXIT_TIMEOUT_MS 10000
/* Changes the bounds hearth_dhcp_script_free() waits for (e.g. to fit a
 * service manager's stop timeout). */
void hearth_dhcp_script_set_shutdown_timeouts (HearthDhcpScript *script, guint drain_ms, guint exit_ms);
/* The helper's process id (also its process group), for logging. */
GPid hearth_dhcp_script_get_pid (HearthDhcpScript *script);

/* The argv and envp the helper would execve() for @event: argv is
 * { basename(path), action, hwaddr, ip, [hostname] } as with dnsmasq; the
 * environment holds PATH and VIR_BRIDGE_NAME taken from the daemon's own
 * environment (PATH defaults to /usr/sbin:/usr/bin:/sbin:/bin) and the
 * DNSMASQ_* variables. Every value is checked and capped: hex ids (hwaddr,
 * client id) allow only hex digits, ':' and '-'; names (hostname,
 * supplied/old hostname, domain) only [A-Za-z0-9-_.] up to 255 bytes;
 * interface names [A-Za-z0-9_.:@-] up to 15; requested options only
 * digits and commas; each of these must also start with a letter or digit
 * (so that no value looks like a command-line option). Addresses must
 * parse as IPv4. A variable failing its check is left out (a bad hostname
 * also leaves out argv[4]). Tags and vendor/user classes keep only
 * printable ASCII (stricter than dnsmasq, which passes them raw), capped
 * at 1024 resp. 255 bytes; at most 32 user classes. An invalid hwaddr or
 * ip makes both vectors empty: the event is not run.
 * Reads only the environment; for tests and the queue. */
void hearth_dhcp_script_build (const char *path, const HearthDhcpScriptEvent *event, GStrv *out_argv,
                               GStrv *out_env);

/* Runs "@path init" synchronously (stdin /dev/null, stderr inherited, the
 * same environment as events), returning what it printed and its exit
 * status as a wait status (use WIFEXITED etc). FALSE only when it could
 * not be started at all (then *out_exit_code is 127 when not found, else
 * 126, as a shell would give: dnsmasq dies with EC_FILE for both), or
 * when it printed more than HEARTH_DHCP_SCRIPT_INIT_OUTPUT_MAX bytes (then
 * it is killed) or its output or status could not be read (in these cases
 * *out_exit_code is left alone). */
#define HEARTH_DHCP_SCRIPT_INIT_OUTPUT_MAX (64 * 1024 * 1024)
gboolean hearth_dhcp_script_run_init (const char *path, char **out_output, gsize *out_len, int *out_exit_code,
                                      GError **error);

G_END_DECLS
