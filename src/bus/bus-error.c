/* D-Bus error names for hearth (see bus-error.h). */
#include "config.h"

#include "bus/bus-error.h"

static const GDBusErrorEntry hearth_bus_error_entries[] = {
  { HEARTH_BUS_ERROR_FAILED, "org.hearth.Hearth1.Error.Failed" },
  { HEARTH_BUS_ERROR_INVALID_ARGUMENT, "org.hearth.Hearth1.Error.InvalidArgument" },
  { HEARTH_BUS_ERROR_ACCESS_DENIED, "org.hearth.Hearth1.Error.AccessDenied" },
  { HEARTH_BUS_ERROR_LIMIT_EXCEEDED, "org.hearth.Hearth1.Error.LimitExceeded" },
  { HEARTH_BUS_ERROR_READ_ONLY, "org.hearth.Hearth1.Error.ReadOnly" },
};

GQuark
hearth_bus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("hearth-bus-error-quark", &quark, hearth_bus_error_entries,
                                      G_N_ELEMENTS (hearth_bus_error_entries));
  return (GQuark) quark;
}

void
hearth_bus_return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  HearthBusError code = HEARTH_BUS_ERROR_FAILED;

  if (error->domain == HEARTH_BUS_ERROR)
    code = (HearthBusError) error->code;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    code = HEARTH_BUS_ERROR_INVALID_ARGUMENT;
  g_dbus_method_invocation_return_error_literal (invocation, HEARTH_BUS_ERROR, code, error->message);
}
