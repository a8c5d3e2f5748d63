/* Unpredictable numbers for DNS query IDs and source ports.
 *
 * Reads the kernel's CSPRNG (getrandom) in blocks so the per-query cost is
 * a copy, not a system call. Not for anything that needs to be
 * reproducible: tests that want that pass their own values.
 */
#pragma once

#include <glib.h>

guint16 hearth_random_u16 (void);
guint32 hearth_random_u32 (void);
/* Uniform in [lo, hi] (inclusive). */
guint32 hearth_random_range (guint32 lo, guint32 hi);
