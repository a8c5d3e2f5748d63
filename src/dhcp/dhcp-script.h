/* --dhcp-script: telling an external program about leases, with dnsmasq's
 * protocol (see compat/CONTRACT.md section 3.6).
 *
 * The script runs from a helper process forked at start, before the
 * daemon drops its privileges (so it runs as root, or --dhcp-scriptuser),
 * exactly as dnsmasq does it. The daemon hands events to the helper over
 * a pipe without ever blocking: events queue in memory (bounded) while the
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
  const char *old_hostname;      /* DNSMASQ_OLD_HOSTNAME */
  gint64 expires_wall;           /* DNSMASQ_LEASE_EXPIRES (epoch s); 0 = infinite (then DNSMASQ_LEASE_LENGTH only) */
  guint32 length;                /* DNSMASQ_LEASE_LENGTH (s) */
  gint64 time_remaining;         /* DNSMASQ_TIME_REMAINING (s), -1 = leave out */
  const char *tags;              /* DNSMASQ_TAGS, space separated */
  const char *vendor_class;      /* DNSMASQ_VENDOR_CLASS */
  const char *const *user_classes; /* DNSMASQ_USER_CLASS0.., NULL-terminated or NULL */
  const char *requested_options; /* DNSMASQ_REQUESTED_OPTIONS "1,3,6" */
  const char *relay_address;     /* DNSMASQ_RELAY_ADDRESS */
  gboolean log_dhcp;             /* DNSMASQ_LOG_DHCP=1 */
} HearthDhcpScriptEvent;

typedef struct _HearthDhcpScript HearthDhcpScript;

/* Forks the helper. @user: run scripts as this user (NULL: as the daemon
 * runs now). Must be called before privileges are dropped and before
 * threads exist (so before the D-Bus connection). */
HearthDhcpScript *hearth_dhcp_script_new (const char *path, const char *user, GError **error);
/* Stops the helper after the queued events are run (bounded wait). */
void hearth_dhcp_script_free (HearthDhcpScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDhcpScript, hearth_dhcp_script_free)

/* Queues one event; never blocks. Beyond HEARTH_DHCP_SCRIPT_QUEUE_MAX
 * waiting events the oldest are dropped with a warning. */
#define HEARTH_DHCP_SCRIPT_QUEUE_MAX 65536
void hearth_dhcp_script_queue (HearthDhcpScript *script, const HearthDhcpScriptEvent *event);
/* Events queued and not yet taken by the helper. */
guint hearth_dhcp_script_pending (HearthDhcpScript *script);

/* Pure: the argv and envp the helper would execve() for @event (the
 * environment holds only the DNSMASQ_* variables plus the daemon's own
 * environment passed in @base_env). For tests and the helper itself. */
void hearth_dhcp_script_build (const char *path, const HearthDhcpScriptEvent *event, GStrv *out_argv,
                               GStrv *out_env);

/* Runs "@path init" synchronously, returning what it printed and its exit
 * status as a wait status (use WIFEXITED etc). FALSE only when it could
 * not be started at all (then *out_exit_code is 127 or 126 as a shell
 * would give). */
gboolean hearth_dhcp_script_run_init (const char *path, char **out_output, gsize *out_len, int *out_exit_code,
                                      GError **error);

G_END_DECLS
