/* Unpredictable numbers from the kernel's CSPRNG (see util-random.h).
 *
 * GLib's g_random_* is a Mersenne Twister: fine for simulations, but its
 * output can be predicted from earlier output, which is exactly what an
 * off-path DNS spoofer needs. Hence this small wrapper around getrandom().
 */
#include "config.h"

#include "util/util-random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static guint8 pool[512];
static gsize pool_left;

static void
take (void *out, gsize n)
{
  if (pool_left < n)
    {
      gsize got = 0;

      while (got < sizeof pool)
        {
          ssize_t r = getrandom (pool + got, sizeof pool - got, 0);

          if (r < 0)
            {
              if (errno == EINTR)
                continue;
              /* getrandom cannot fail on Linux >= 3.17 once the pool is
               * initialised; fall back to GLib rather than crash. */
              for (; got < sizeof pool; got++)
                pool[got] = (guint8) g_random_int ();
              break;
            }
          got += (gsize) r;
        }
      pool_left = sizeof pool;
    }
  memcpy (out, pool + sizeof pool - pool_left, n);
  pool_left -= n;
}

guint16
hearth_random_u16 (void)
{
  guint16 v;

  take (&v, sizeof v);
  return v;
}

guint32
hearth_random_u32 (void)
{
  guint32 v;

  take (&v, sizeof v);
  return v;
}

guint32
hearth_random_range (guint32 lo, guint32 hi)
{
  guint32 span, limit, v;

  if (hi <= lo)
    return lo;
  span = hi - lo + 1;
  if (span == 0)
    return hearth_random_u32 (); /* the full 32-bit range */
  /* Reject the top remainder so every value is equally likely. */
  limit = G_MAXUINT32 - (G_MAXUINT32 % span);
  do
    v = hearth_random_u32 ();
  while (v >= limit);
  return lo + v % span;
}
