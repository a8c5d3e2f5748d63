/* libFuzzer target for one configuration-file line: the bytes become a
 * NUL-terminated line for hearth_config_parse_line(), and both the line and
 * the value of any item it yields go through the value helpers and the
 * quote-aware splitter, as a subsystem would use them.
 *
 * It checks that nothing crashes, leaks or reads out of bounds, and that
 * successful results are consistent; it does not load files (the loader's
 * file handling is covered by the unit tests).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "config/config-parser.h"
#include "config/config-value.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
exercise_value_helpers (const char *text)
{
  g_autoptr (GInetAddress) address = NULL;
  g_auto (GStrv) fields = NULL;
  struct sockaddr_storage storage;
  socklen_t len;
  guint32 seconds, scope;
  guint16 port;
  guint number;

  if (text == NULL)
    return;
  (void) hearth_config_value_parse_uint (text, 0, G_MAXUINT, &number, NULL);
  (void) hearth_config_value_parse_uint (text, 10, 20, &number, NULL);
  if (hearth_config_value_parse_duration (text, TRUE, &seconds, NULL))
    g_assert_true (seconds < HEARTH_CONFIG_DURATION_INFINITE || g_str_equal (text, "infinite"));
  (void) hearth_config_value_parse_duration (text, FALSE, &seconds, NULL);
  (void) hearth_config_value_parse_port (text, &port, NULL);
  if (hearth_config_value_split_list (text, &fields, NULL))
    g_assert_cmpuint (g_strv_length (fields), >=, 1);
  (void) hearth_config_value_parse_ip (text, &address, &scope, NULL);
  (void) hearth_config_value_parse_sockaddr (text, 53, &storage, &len, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *line = NULL;
  g_autoptr (HearthConfigItem) item = NULL;
  g_autoptr (GError) error = NULL;

  /* Longer inputs only repeat the "line too long" path. */
  if (size > 2 * HEARTH_CONFIG_LINE_MAX)
    return 0;

  line = g_malloc (size + 1);
  memcpy (line, data, size);
  line[size] = '\0';

  if (!hearth_config_parse_line (line, "fuzz.conf", 1, &item, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "fuzz.conf:1: "));
      g_assert_null (item);
    }
  else if (item != NULL)
    {
      g_auto (GStrv) fields = NULL;
      g_autoptr (GError) item_error = NULL;
      g_autofree char *where = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (item->def);
      g_assert_null (item->def->alias_of);
      g_assert_true (item->def->arg != HEARTH_OPTION_ARG_NONE || item->value == NULL);
      g_assert_true (item->def->arg != HEARTH_OPTION_ARG_REQUIRED || item->value != NULL);

      if (hearth_config_item_split (item, ',', &fields, NULL) && item->value == NULL)
        g_assert_cmpuint (g_strv_length (fields), ==, 0);
      g_clear_pointer (&fields, g_strfreev);
      (void) hearth_config_item_split (item, '/', &fields, NULL);

      hearth_config_item_set_error (item, &item_error, "fuzz %s", "message");
      g_assert_nonnull (item_error);
      where = hearth_config_item_get_location (item);
      g_assert_cmpstr (where, ==, "fuzz.conf:1");

      exercise_value_helpers (item->value);
    }

  exercise_value_helpers (line);
  return 0;
}
