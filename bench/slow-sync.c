/* Preloaded into the DHCP servers by bench/dhcp-bench.sh when
 * BENCH_SYNC_DELAY_MS is set: every fsync() and fdatasync() first sleeps
 * that many milliseconds, the way they take milliseconds on a disk that
 * other work keeps busy. A busy disk cannot be made on demand on a shared
 * machine (and its latency would differ from run to run); a fixed delay
 * shows, reproducibly, how each server's throughput depends on the
 * latency of a sync. Only the syncs are slowed, never the writes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

typedef int (*SyncFunc) (int fd);

static void
sync_delay (void)
{
  const char *text = getenv ("BENCH_SYNC_DELAY_MS");
  long ms = text != NULL ? strtol (text, NULL, 10) : 0;
  struct timespec t;

  if (ms <= 0)
    return;
  t.tv_sec = ms / 1000;
  t.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep (&t, &t) != 0)
    ;
}

static int
call_next (const char *name, int fd)
{
  SyncFunc next = (SyncFunc) dlsym (RTLD_NEXT, name);

  sync_delay ();
  return next != NULL ? next (fd) : 0;
}

int
fsync (int fd)
{
  return call_next ("fsync", fd);
}

int
fdatasync (int fd)
{
  return call_next ("fdatasync", fd);
}
