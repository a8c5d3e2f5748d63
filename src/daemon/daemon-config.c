/* The daemon's options (see daemon-config.h). */
#include "config.h"

#include "daemon/daemon-config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

HearthDaemonConfig *
hearth_daemon_config_new (gboolean compat)
{
  HearthDaemonConfig *c = g_new0 (HearthDaemonConfig, 1);

  c->compat = compat;
  return c;
}

void
hearth_daemon_config_free (HearthDaemonConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->pid_file);
  g_free (c->user);
  g_free (c->group);
  g_free (c->log_facility);
  g_free (c->enable_dbus);
  g_free (c->dbus_address);
  g_free (c);
}

static gboolean
set_string (char **field, const HearthConfigItem *item, GError **error)
{
  if (item->value == NULL || *item->value == '\0')
    {
      hearth_config_item_set_error (item, error, _("needs a value"));
      return FALSE;
    }
  g_free (*field);
  *field = g_strdup (item->value);
  return TRUE;
}

gboolean
hearth_daemon_config_apply (HearthDaemonConfig *c, const HearthConfigItem *item, GError **error)
{
  const char *name = item->def->long_name;

  if (strcmp (name, "keep-in-foreground") == 0)
    c->keep_in_foreground = TRUE;
  else if (strcmp (name, "no-daemon") == 0)
    c->no_daemon = TRUE;
  else if (strcmp (name, "test") == 0)
    c->test_only = TRUE;
  else if (strcmp (name, "dnsmasq-compat") == 0)
    c->compat = TRUE;
  else if (strcmp (name, "log-queries") == 0)
    c->log_queries = TRUE; /* "extra" and "proto" variants log the same for now */
  else if (strcmp (name, "pid-file") == 0)
    {
      /* dnsmasq: an empty --pid-file means "write none". */
      g_clear_pointer (&c->pid_file, g_free);
      if (item->value != NULL && *item->value != '\0')
        c->pid_file = g_strdup (item->value);
    }
  else if (strcmp (name, "user") == 0)
    return set_string (&c->user, item, error);
  else if (strcmp (name, "group") == 0)
    return set_string (&c->group, item, error);
  else if (strcmp (name, "log-facility") == 0)
    return set_string (&c->log_facility, item, error);
  else if (strcmp (name, "enable-dbus") == 0)
    {
      const char *value = item->value != NULL && *item->value != '\0' ? item->value : "uk.org.thekelleys.dnsmasq";

      if (!g_dbus_is_name (value) || g_dbus_is_unique_name (value) || !g_dbus_is_interface_name (value))
        {
          hearth_config_item_set_error (item, error, _("'%s' is not a D-Bus well-known name"), value);
          return FALSE;
        }
      g_free (c->enable_dbus);
      c->enable_dbus = g_strdup (value);
    }
  else if (strcmp (name, "session-bus") == 0)
    c->session_bus = TRUE;
  else if (strcmp (name, "no-dbus") == 0)
    c->no_dbus = TRUE;
  else if (strcmp (name, "dbus-address") == 0)
    {
      if (item->value == NULL || !g_dbus_is_supported_address (item->value, NULL))
        {
          hearth_config_item_set_error (item, error, _("'%s' is not a D-Bus address"), item->value ? item->value : "");
          return FALSE;
        }
      return set_string (&c->dbus_address, item, error);
    }
  else if (strcmp (name, "conf-file") == 0 || strcmp (name, "conf-dir") == 0 || strcmp (name, "help") == 0 ||
           strcmp (name, "version") == 0)
    ; /* handled before the items are applied */
  else
    {
      hearth_config_item_set_error (item, error, _("is not handled by the daemon"));
      return FALSE;
    }
  return TRUE;
}

gboolean
hearth_daemon_config_should_daemonize (const HearthDaemonConfig *c)
{
  return c->compat && !c->keep_in_foreground && !c->no_daemon && !c->test_only;
}
