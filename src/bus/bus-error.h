/* The D-Bus errors of hearth's own interfaces, and the one place where a
 * GError from a subsystem becomes a named D-Bus error.
 *
 * Subsystems return G_IO_ERROR codes; they never see these names.
 */
#pragma once

#include <gio/gio.h>

#define HEARTH_BUS_ERROR (hearth_bus_error_quark ())
GQuark hearth_bus_error_quark (void);

typedef enum {
  HEARTH_BUS_ERROR_FAILED,           /* org.hearth.Hearth1.Error.Failed */
  HEARTH_BUS_ERROR_INVALID_ARGUMENT, /* .InvalidArgument */
  HEARTH_BUS_ERROR_ACCESS_DENIED,    /* .AccessDenied */
  HEARTH_BUS_ERROR_LIMIT_EXCEEDED,   /* .LimitExceeded */
  HEARTH_BUS_ERROR_READ_ONLY,        /* .ReadOnly */
} HearthBusError;

/* Returns error on invocation under hearth's names: G_IO_ERROR_INVALID_ARGUMENT
 * (and NOT_FOUND) becomes InvalidArgument, HEARTH_BUS_ERROR keeps its code, anything else
 * is Failed. Takes nothing; invocation is consumed. */
void hearth_bus_return_error (GDBusMethodInvocation *invocation, const GError *error);
