/* Runs a fuzz target over files, for builds without libFuzzer: every
 * argument is a file or a directory of files (a corpus), each fed once to
 * LLVMFuzzerTestOneInput(). This is how the corpora run as ordinary tests,
 * under the sanitizers in CI.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;
  guint8 *copy;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  /* An exact-size heap copy, so the sanitizers catch reads past the end. */
  copy = g_memdup2 (contents, len);
  LLVMFuzzerTestOneInput (copy, len);
  g_free (copy);
  return 0;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) dir = g_dir_open (argv[i], 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              if (run_file (path) != 0)
                return 1;
              n++;
            }
        }
      else
        {
          if (run_file (argv[i]) != 0)
            return 1;
          n++;
        }
    }
  if (n == 0)
    {
      fprintf (stderr, "no inputs: a corpus that runs nothing tests nothing\n");
      return 1;
    }
  printf ("%u inputs ran cleanly\n", n);
  return 0;
}
