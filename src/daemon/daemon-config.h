/* The daemon's own options: process model, privileges, logging, and the
 * config-layer switches (--test, --dnsmasq-compat).
 *
 * Parsed from configuration items like every subsystem's options; no
 * side effects here (nothing is opened or changed).
 */
#pragma once

#include "config/config-parser.h"

typedef struct {
  gboolean compat;             /* dnsmasq drop-in process contract */
  gboolean test_only;          /* --test */
  gboolean keep_in_foreground; /* -k */
  gboolean no_daemon;          /* -d: foreground and debug */
  char *pid_file;
  char *user;
  char *group;
  gboolean log_queries;
  char *log_facility;
  char *enable_dbus;           /* --enable-dbus: dnsmasq's interface under this name; NULL = off */
  gboolean session_bus;        /* --session-bus */
  char *dbus_address;          /* --dbus-address */
  gboolean no_dbus;            /* --no-dbus */
} HearthDaemonConfig;

HearthDaemonConfig *hearth_daemon_config_new (gboolean compat);
void hearth_daemon_config_free (HearthDaemonConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthDaemonConfig, hearth_daemon_config_free)
/* Applies an item owned by the daemon or the config layer. Items the
 * config loader consumed itself (conf-file, conf-dir) are accepted and
 * ignored. */
gboolean hearth_daemon_config_apply (HearthDaemonConfig *config, const HearthConfigItem *item, GError **error);
/* Whether the process should detach: only in dnsmasq mode, and not with
 * -k, -d or --test. */
gboolean hearth_daemon_config_should_daemonize (const HearthDaemonConfig *config);
