/* The configuration tokenizer: command line and configuration files to a
 * list of HearthConfigItem, with dnsmasq 2.90's syntax.
 *
 * Command line: getopt_long rules, because dnsmasq uses getopt_long:
 * "--name=value", "--name value" for options that require a value, optional
 * values only with "=", unique abbreviations of long names, short letters
 * bundled ("-kd", "-kc400", "-c 400"), "--" ending the options, and any
 * leftover word is an error.
 *
 * Configuration files, one option per line as "name", "name=value" or
 * "name = value", with dnsmasq's rules: spaces and tabs become spaces, a
 * '#' starts a comment only at the start of a word (so "a#b" keeps its '#'),
 * double quotes are removed and protect what they enclose, and inside them
 * \\ \" \t \e \b \r \n are escapes.  Unlike dnsmasq, an overlong line or a
 * NUL byte is an error rather than being cut silently.
 *
 * Values are not interpreted here; see config-value.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "config/config-parser.h"

/* Bounds on what one load may read, so a mistaken conf-file=/dev/zero or a
 * huge directory cannot exhaust memory. */
#define CONFIG_FILE_SIZE_MAX (64 * 1024 * 1024)
#define CONFIG_DIR_FILES_MAX 4096

G_DEFINE_QUARK (hearth - config - error - quark, hearth_config_error)

HearthConfigItem *
hearth_config_item_new (const HearthOptionDef *def,
                        const char *value,
                        const char *origin,
                        guint line)
{
  HearthConfigItem *item = g_new0 (HearthConfigItem, 1);

  item->def = hearth_option_canonical (def);
  item->value = g_strdup (value);
  item->origin = g_strdup (origin);
  item->line = line;
  return item;
}

void
hearth_config_item_free (HearthConfigItem *item)
{
  if (item == NULL)
    return;
  g_free (item->value);
  g_free (item->origin);
  g_free (item->quoted);
  g_free (item);
}

static gboolean
is_command_line (const char *origin, guint line)
{
  return line == 0 && g_strcmp0 (origin, HEARTH_CONFIG_ORIGIN_COMMAND_LINE) == 0;
}

static char *
location (const char *origin, guint line)
{
  if (line == 0)
    return g_strdup (origin != NULL ? origin : HEARTH_CONFIG_ORIGIN_COMMAND_LINE);
  return g_strdup_printf ("%s:%u", origin, line);
}

char *
hearth_config_item_get_location (const HearthConfigItem *item)
{
  return location (item->origin, item->line);
}

/* How messages name the option: "--port" on the command line, "port" in
 * files, so the user sees it as they wrote it. */
static char *
option_display_name (const HearthConfigItem *item)
{
  if (is_command_line (item->origin, item->line))
    return g_strdup_printf ("--%s", item->def->long_name);
  return g_strdup (item->def->long_name);
}

void
hearth_config_item_set_error (const HearthConfigItem *item, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *where = hearth_config_item_get_location (item);
  g_autofree char *name = option_display_name (item);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE, _ ("%s: option '%s': %s"),
               where, name, message);
}

void
hearth_config_item_prefix_error (const HearthConfigItem *item, GError **error)
{
  g_autofree char *where = NULL;
  g_autofree char *name = NULL;

  if (error == NULL || *error == NULL)
    return;
  where = hearth_config_item_get_location (item);
  name = option_display_name (item);
  g_prefix_error (error, _ ("%s: option '%s': "), where, name);
}

/* Edit distance, for "did you mean" hints.  Only called on short names. */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];
      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint best = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
          best = MIN (best, above + 1);
          best = MIN (best, row[j - 1] + 1);
          row[j] = best;
          diagonal = above;
        }
    }
  return row[lb];
}

/* The closest option name to a misspelt one, or NULL if none is close. */
static const char *
suggest_option (const char *name)
{
  const HearthOptionDef *table;
  const char *best = NULL;
  guint best_distance = 3;
  gsize n;

  if (strlen (name) > 40)
    return NULL;
  table = hearth_option_table (&n);
  for (gsize i = 0; i < n; i++)
    {
      guint d = edit_distance (name, table[i].long_name);
      if (d < best_distance)
        {
          best_distance = d;
          best = table[i].long_name;
        }
    }
  return best;
}

/* @bare_name is what to look for close matches of (NULL: no hint), and
 * @hint_dashes goes in front of the hint ("--" on the command line). */
static void
set_unknown_option_error (GError **error,
                          const char *where,
                          const char *shown_name,
                          const char *bare_name,
                          const char *hint_dashes)
{
  g_autofree char *shown = hearth_config_value_printable (shown_name);
  const char *hint = bare_name != NULL ? suggest_option (bare_name) : NULL;

  if (hint != NULL)
    g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                 _ ("%s: unknown option '%s' (did you mean '%s%s'?)"), where, shown, hint_dashes,
                 hint);
  else
    g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
                 _ ("%s: unknown option '%s'"), where, shown);
}

/* ---- configuration file lines ---- */

static char
unescape (char c)
{
  switch (c)
    {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'e':
      return '\033';
    default:
      return c; /* '\\' and '"' stand for themselves */
    }
}

/* First pass over a line: drops the comment, turns unquoted white space
 * into ' ', removes quotes and resolves their escapes.  @quoted gets one
 * byte per byte of @text, non-zero for bytes that were inside quotes. */
static gboolean
tokenize_line (
    const char *line, const char *where, GString *text, GByteArray *quoted, GError **error)
{
  static const guint8 plain = 0, in_quotes = 1;
  /* dnsmasq starts a comment at a '#' that follows white space or begins
   * the line; a quoted section does not change that state. */
  gboolean after_space = TRUE;
  const char *p = line;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                               _ ("%s: missing closing '\"'"), where);
                  return FALSE;
                }
              if (*p == '"')
                {
                  p++;
                  break;
                }
              if (*p == '\\' && p[1] != '\0' && strchr ("\\\"tnrbe", p[1]) != NULL)
                {
                  g_string_append_c (text, unescape (p[1]));
                  p += 2;
                }
              else
                {
                  g_string_append_c (text, *p);
                  p++;
                }
              g_byte_array_append (quoted, &in_quotes, 1);
            }
          continue;
        }

      if (hearth_config_char_is_space (*p))
        {
          g_string_append_c (text, ' ');
          after_space = TRUE;
        }
      else if (*p == '#' && after_space)
        break;
      else
        {
          g_string_append_c (text, *p);
          after_space = FALSE;
        }
      g_byte_array_append (quoted, &plain, 1);
      p++;
    }
  return TRUE;
}

static gboolean
is_plain_space (const GString *text, const GByteArray *quoted, gsize i)
{
  return text->str[i] == ' ' && quoted->data[i] == 0;
}

gboolean
hearth_config_parse_line (
    const char *line, const char *origin, guint lineno, HearthConfigItem **out_item, GError **error)
{
  g_autofree char *where = location (origin != NULL ? origin : "", lineno);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GByteArray) quoted = g_byte_array_new ();
  g_autofree char *name = NULL;
  const HearthOptionDef *def;
  HearthConfigItem *item;
  gsize line_len, start, end, equals, name_end, value_start;
  gboolean has_value;

  line_len = strlen (line);
  if (line_len > 0 && line[line_len - 1] == '\n')
    line_len--;
  if (line_len > HEARTH_CONFIG_LINE_MAX)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                   _ ("%s: line is longer than %d bytes"), where, HEARTH_CONFIG_LINE_MAX);
      return FALSE;
    }

  if (!tokenize_line (line, where, text, quoted, error))
    return FALSE;

  start = 0;
  end = text->len;
  while (start < end && is_plain_space (text, quoted, start))
    start++;
  while (end > start && is_plain_space (text, quoted, end - 1))
    end--;
  if (start == end)
    {
      *out_item = NULL;
      return TRUE;
    }

  /* The first '=' splits name from value, quoted or not, as in dnsmasq;
   * spaces around it are allowed ("port = 53"). */
  for (equals = start; equals < end && text->str[equals] != '='; equals++)
    ;
  has_value = equals < end;
  name_end = equals;
  while (name_end > start && is_plain_space (text, quoted, name_end - 1))
    name_end--;
  value_start = has_value ? equals + 1 : end;
  while (value_start < end && is_plain_space (text, quoted, value_start))
    value_start++;

  if (name_end == start)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                   _ ("%s: expected an option name before '='"), where);
      return FALSE;
    }

  name = g_strndup (text->str + start, name_end - start);
  def = hearth_option_lookup_long (name);
  if (def == NULL)
    {
      set_unknown_option_error (error, where, name, name, "");
      return FALSE;
    }

  if (def->arg == HEARTH_OPTION_ARG_NONE && has_value)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE,
                   _ ("%s: option '%s' does not take a value"), where, def->long_name);
      return FALSE;
    }
  if (def->arg == HEARTH_OPTION_ARG_REQUIRED && !has_value)
    {
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_MISSING_VALUE,
                   _ ("%s: option '%s' needs a value (%s=%s)"), where, def->long_name,
                   def->long_name, def->metavar != NULL ? def->metavar : "...");
      return FALSE;
    }

  item = hearth_config_item_new (def, NULL, origin, lineno);
  if (has_value)
    {
      gsize len = end - value_start;

      item->value = g_strndup (text->str + value_start, len);
      if (memchr (quoted->data + value_start, 1, len) != NULL)
        item->quoted = g_memdup2 (quoted->data + value_start, len);
    }
  *out_item = item;
  return TRUE;
}

static gboolean
is_unquoted_space (const HearthConfigItem *item, gsize i)
{
  return hearth_config_char_is_space (item->value[i]) &&
         (item->quoted == NULL || item->quoted[i] == 0);
}

gboolean
hearth_config_item_split (const HearthConfigItem *item,
                          char separator,
                          char ***out_fields,
                          GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *value = item->value;
  gsize len, field_start = 0;
  guint n = 0;

  if (value == NULL)
    {
      *out_fields = g_strv_builder_end (builder);
      return TRUE;
    }

  len = strlen (value);
  for (gsize i = 0; i <= len; i++)
    {
      gboolean quoted_here = item->quoted != NULL && i < len && item->quoted[i] != 0;
      gsize a, b;

      if (i < len && (value[i] != separator || quoted_here))
        continue;

      if (++n > HEARTH_CONFIG_VALUE_FIELDS_MAX)
        {
          hearth_config_item_set_error (item, error, _ ("expected at most %u fields"),
                                        (guint) HEARTH_CONFIG_VALUE_FIELDS_MAX);
          return FALSE;
        }
      /* Drop unquoted white space around the field; quoted spaces stay. */
      a = field_start;
      b = i;
      while (a < b && is_unquoted_space (item, a))
        a++;
      while (b > a && is_unquoted_space (item, b - 1))
        b--;
      {
        g_autofree char *field = g_strndup (value + a, b - a);
        g_strv_builder_add (builder, field);
      }
      field_start = i + 1;
    }

  *out_fields = g_strv_builder_end (builder);
  return TRUE;
}

/* ---- loading ---- */

typedef struct
{
  GPtrArray *items;
  GHashTable *files_read; /* "dev:ino" of every file already read */
  gboolean stdin_read;
} LoadContext;

static gboolean read_conf_file (LoadContext *ctx,
                                const char *path,
                                const HearthConfigItem *from,
                                gboolean missing_ok,
                                guint depth,
                                GError **error);
static gboolean
read_conf_dir (LoadContext *ctx, const HearthConfigItem *from, guint depth, GError **error);

/* "<where it was named>: " or nothing, for file errors. */
static char *
from_prefix (const HearthConfigItem *from)
{
  g_autofree char *where = NULL;

  if (from == NULL)
    return g_strdup ("");
  where = hearth_config_item_get_location (from);
  return g_strdup_printf ("%s: ", where);
}

static void
set_file_error (GError **error, const HearthConfigItem *from, const char *path, int errsv)
{
  g_autofree char *prefix = from_prefix (from);

  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE, _ ("%scannot read %s: %s"),
               prefix, path, g_strerror (errsv));
}

static gboolean
read_fd (int fd, const char *path, const HearthConfigItem *from, GByteArray *out, GError **error)
{
  guint8 buffer[65536];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof (buffer));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_file_error (error, from, path, errno);
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (out->len + (gsize) n > CONFIG_FILE_SIZE_MAX)
        {
          g_autofree char *prefix = from_prefix (from);
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE,
                       _ ("%scannot read %s: larger than %d MiB"), prefix, path,
                       CONFIG_FILE_SIZE_MAX / (1024 * 1024));
          return FALSE;
        }
      g_byte_array_append (out, buffer, (guint) n);
    }
}

/* Items that only make sense on the command line; dnsmasq accepts them in
 * files and ignores them, and so do we. */
static gboolean
is_command_line_only (const HearthOptionDef *def)
{
  return g_str_equal (def->long_name, "help") || g_str_equal (def->long_name, "version") ||
         g_str_equal (def->long_name, "test");
}

/* Follows conf-file= and conf-dir= items where they appear. */
static gboolean
follow_includes (LoadContext *ctx, const HearthConfigItem *item, guint depth, GError **error)
{
  if (g_str_equal (item->def->long_name, "conf-file"))
    {
      /* "conf-file" alone or empty names no file (dnsmasq accepts both). */
      if (item->value == NULL || item->value[0] == '\0')
        return TRUE;
      return read_conf_file (ctx, item->value, item, FALSE, depth, error);
    }
  if (g_str_equal (item->def->long_name, "conf-dir"))
    return read_conf_dir (ctx, item, depth, error);
  return TRUE;
}

static gboolean
parse_buffer (
    LoadContext *ctx, const char *origin, char *data, gsize len, guint depth, GError **error)
{
  gsize pos = 0;
  guint lineno = 0;

  while (pos < len)
    {
      char *line = data + pos;
      char *newline = memchr (line, '\n', len - pos);
      gsize line_len = newline != NULL ? (gsize) (newline - line) : len - pos;
      g_autoptr (HearthConfigItem) item = NULL;
      HearthConfigItem *owned;

      lineno++;
      pos += line_len + 1;

      if (memchr (line, '\0', line_len) != NULL)
        {
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                       _ ("%s:%u: line contains a NUL byte"), origin, lineno);
          return FALSE;
        }
      line[line_len] = '\0'; /* the buffer is ours: end the line in place */

      if (!hearth_config_parse_line (line, origin, lineno, &item, error))
        return FALSE;
      if (item == NULL || is_command_line_only (item->def))
        continue;

      owned = g_steal_pointer (&item);
      g_ptr_array_add (ctx->items, owned);
      if (!follow_includes (ctx, owned, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_conf_file (LoadContext *ctx,
                const char *path,
                const HearthConfigItem *from,
                gboolean missing_ok,
                guint depth,
                GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  const char *origin = path;
  struct stat st;
  int fd;
  gboolean ok;

  if (depth > HEARTH_CONFIG_INCLUDE_DEPTH_MAX)
    {
      g_autofree char *prefix = from_prefix (from);
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                   _ ("%scannot read %s: configuration files nested more than %d deep"), prefix,
                   path, HEARTH_CONFIG_INCLUDE_DEPTH_MAX);
      return FALSE;
    }

  if (g_str_equal (path, "-"))
    {
      /* Standard input can only be read once; later mentions are no-ops,
       * like a second inclusion of any other file. */
      if (ctx->stdin_read)
        return TRUE;
      ctx->stdin_read = TRUE;
      origin = HEARTH_CONFIG_ORIGIN_STDIN;
      if (!read_fd (STDIN_FILENO, origin, from, data, error))
        return FALSE;
    }
  else
    {
      g_autofree char *key = NULL;

      fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (fd < 0)
        {
          int errsv = errno;
          if (errsv == ENOENT && missing_ok)
            return TRUE;
          set_file_error (error, from, path, errsv);
          return FALSE;
        }
      if (fstat (fd, &st) < 0)
        {
          int errsv = errno;
          close (fd);
          set_file_error (error, from, path, errsv);
          return FALSE;
        }
      /* Skipping a file read before is what ends include loops, and
       * matches dnsmasq, which reads each file once. */
      key = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, (guint64) st.st_dev,
                             (guint64) st.st_ino);
      if (g_hash_table_contains (ctx->files_read, key))
        {
          close (fd);
          return TRUE;
        }
      g_hash_table_add (ctx->files_read, g_steal_pointer (&key));

      ok = read_fd (fd, path, from, data, error);
      close (fd);
      if (!ok)
        return FALSE;
    }

  return parse_buffer (ctx, origin, (char *) data->data, data->len, depth, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  /* Byte order, as dnsmasq sorts: "0.conf" < "A.conf" < "_.conf" < "a.conf". */
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
wanted_in_conf_dir (const char *name, GPtrArray *skip_suffixes, GPtrArray *only_suffixes)
{
  gsize len = strlen (name);

  /* Dot files, editor backups ("x~") and emacs autosaves ("#x#"). */
  if (len == 0 || name[0] == '.' || name[len - 1] == '~' ||
      (name[0] == '#' && name[len - 1] == '#'))
    return FALSE;

  for (guint i = 0; i < skip_suffixes->len; i++)
    if (g_str_has_suffix (name, g_ptr_array_index (skip_suffixes, i)))
      return FALSE;

  if (only_suffixes->len == 0)
    return TRUE;
  for (guint i = 0; i < only_suffixes->len; i++)
    if (g_str_has_suffix (name, g_ptr_array_index (only_suffixes, i)))
      return TRUE;
  return FALSE;
}

static gboolean
read_conf_dir (LoadContext *ctx, const HearthConfigItem *from, guint depth, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_autoptr (GPtrArray) skip_suffixes = g_ptr_array_new ();
  g_autoptr (GPtrArray) only_suffixes = g_ptr_array_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) dir_error = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *dirname;
  const char *name;

  if (!hearth_config_item_split (from, ',', &fields, error))
    return FALSE;
  /* "conf-dir=" names nothing; dnsmasq accepts it. */
  if (fields[0] == NULL || fields[0][0] == '\0')
    return TRUE;
  dirname = fields[0];

  /* ",.bak" skips files ending in .bak; ",*.conf" reads only files ending
   * in .conf.  Both kinds may be given; empty fields mean nothing. */
  for (guint i = 1; fields[i] != NULL; i++)
    {
      if (fields[i][0] == '*')
        g_ptr_array_add (only_suffixes, fields[i] + 1);
      else if (fields[i][0] != '\0')
        g_ptr_array_add (skip_suffixes, fields[i]);
    }

  dir = g_dir_open (dirname, 0, &dir_error);
  if (dir == NULL)
    {
      g_autofree char *prefix = from_prefix (from);
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE,
                   _ ("%scannot read directory %s: %s"), prefix, dirname, dir_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (!wanted_in_conf_dir (name, skip_suffixes, only_suffixes))
        continue;
      if (names->len >= CONFIG_DIR_FILES_MAX)
        {
          g_autofree char *prefix = from_prefix (from);
          g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_FILE,
                       _ ("%scannot read directory %s: more than %d files"), prefix, dirname,
                       CONFIG_DIR_FILES_MAX);
          return FALSE;
        }
      g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dirname, g_ptr_array_index (names, i), NULL);
      struct stat st;

      /* stat() follows symlinks: a link to a file is read, a dangling link
       * is an error (as in dnsmasq), and directories, FIFOs and the like
       * are skipped. */
      if (stat (path, &st) < 0)
        {
          set_file_error (error, from, path, errno);
          return FALSE;
        }
      if (!S_ISREG (st.st_mode))
        continue;
      if (!read_conf_file (ctx, path, from, FALSE, depth, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- the command line ---- */

/* getopt_long's matching: an exact name wins; otherwise a prefix of exactly
 * one option, or of several that are really one (an alias and its option,
 * with the same argument shape). */
static const HearthOptionDef *
match_long_option (const char *name, gsize name_len, GPtrArray **out_candidates)
{
  g_autofree char *exact = g_strndup (name, name_len);
  const HearthOptionDef *def = hearth_option_lookup_long (exact);
  const HearthOptionDef *table;
  const HearthOptionDef *found = NULL;
  gboolean ambiguous = FALSE;
  gsize n;

  *out_candidates = NULL;
  if (def != NULL)
    return def;
  if (name_len == 0)
    return NULL;

  table = hearth_option_table (&n);
  for (gsize i = 0; i < n; i++)
    {
      if (strncmp (table[i].long_name, name, name_len) != 0)
        continue;
      if (*out_candidates == NULL)
        *out_candidates = g_ptr_array_new ();
      g_ptr_array_add (*out_candidates, (gpointer) table[i].long_name);
      if (found == NULL)
        found = &table[i];
      else if (hearth_option_canonical (found) != hearth_option_canonical (&table[i]) ||
               found->arg != table[i].arg)
        ambiguous = TRUE;
    }
  if (ambiguous)
    return NULL;
  g_clear_pointer (out_candidates, g_ptr_array_unref);
  return found;
}

static void
set_ambiguous_error (GError **error, const char *typed, GPtrArray *candidates)
{
  g_autoptr (GString) list = g_string_new (NULL);
  g_autofree char *shown = hearth_config_value_printable (typed);

  for (guint i = 0; i < candidates->len; i++)
    g_string_append_printf (list, "%s--%s", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (candidates, i));
  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNKNOWN_OPTION,
               _ ("%s: option '%s' is ambiguous; possibilities: %s"),
               HEARTH_CONFIG_ORIGIN_COMMAND_LINE, shown, list->str);
}

static void
set_missing_value_error (GError **error, const char *shown_name, const HearthOptionDef *def)
{
  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_MISSING_VALUE,
               _ ("%s: option '%s' needs a value (--%s=%s)"), HEARTH_CONFIG_ORIGIN_COMMAND_LINE,
               shown_name, def->long_name, def->metavar != NULL ? def->metavar : "...");
}

static gboolean
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!hearth_config_char_is_space (*s))
      return FALSE;
  return TRUE;
}

typedef enum
{
  ARGV_CONTINUE,
  ARGV_STOP, /* --help or --version: nothing after it matters */
} ArgvNext;

/* Adds one command-line item, reading a --conf-dir at once as dnsmasq
 * does, and collecting --conf-file for after the command line. */
static gboolean
add_argv_item (LoadContext *ctx,
               const HearthOptionDef *def,
               const char *value,
               GPtrArray *conf_files,
               ArgvNext *next,
               GError **error)
{
  HearthConfigItem *item =
      hearth_config_item_new (def, value, HEARTH_CONFIG_ORIGIN_COMMAND_LINE, 0);

  g_ptr_array_add (ctx->items, item);
  *next = ARGV_CONTINUE;
  if (g_str_equal (item->def->long_name, "conf-file"))
    g_ptr_array_add (conf_files, item);
  else if (g_str_equal (item->def->long_name, "conf-dir"))
    return read_conf_dir (ctx, item, 1, error);
  else if (g_str_equal (item->def->long_name, "help") ||
           g_str_equal (item->def->long_name, "version"))
    *next = ARGV_STOP;
  return TRUE;
}

static gboolean
parse_argv (LoadContext *ctx,
            int argc,
            char **argv,
            GPtrArray *conf_files,
            gboolean *out_stopped,
            GError **error)
{
  const char *junk = NULL;
  gboolean options_ended = FALSE;
  ArgvNext next = ARGV_CONTINUE;
  int i;

  *out_stopped = FALSE;
  for (i = 1; i < argc && next == ARGV_CONTINUE; i++)
    {
      const char *arg = argv[i];

      if (arg == NULL)
        break;

      if (options_ended || arg[0] != '-' || arg[1] == '\0')
        {
          /* getopt moves words aside and dnsmasq rejects them after all
           * options were seen, except words that are only white space. */
          if (junk == NULL && !is_blank (arg))
            junk = arg;
          continue;
        }

      if (g_str_equal (arg, "--"))
        {
          options_ended = TRUE;
          continue;
        }

      if (arg[1] == '-')
        {
          const char *name = arg + 2;
          const char *equals = strchr (name, '=');
          gsize name_len = equals != NULL ? (gsize) (equals - name) : strlen (name);
          g_autoptr (GPtrArray) candidates = NULL;
          g_autofree char *typed = g_strndup (arg, (gsize) (name - arg) + name_len);
          const HearthOptionDef *def = match_long_option (name, name_len, &candidates);
          g_autofree char *shown_name = NULL;
          const char *value = equals != NULL ? equals + 1 : NULL;

          if (def == NULL && candidates != NULL)
            {
              set_ambiguous_error (error, typed, candidates);
              return FALSE;
            }
          if (def == NULL)
            {
              g_autofree char *bare = g_strndup (name, name_len);
              set_unknown_option_error (error, HEARTH_CONFIG_ORIGIN_COMMAND_LINE, typed, bare,
                                        "--");
              return FALSE;
            }
          shown_name = g_strdup_printf ("--%s", def->long_name);

          switch (def->arg)
            {
            case HEARTH_OPTION_ARG_NONE:
              if (value != NULL)
                {
                  g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE,
                               _ ("%s: option '%s' does not take a value"),
                               HEARTH_CONFIG_ORIGIN_COMMAND_LINE, shown_name);
                  return FALSE;
                }
              break;
            case HEARTH_OPTION_ARG_REQUIRED:
              if (value == NULL)
                {
                  if (i + 1 >= argc || argv[i + 1] == NULL)
                    {
                      set_missing_value_error (error, shown_name, def);
                      return FALSE;
                    }
                  value = argv[++i];
                }
              break;
            case HEARTH_OPTION_ARG_OPTIONAL:
              /* Only "--name=value": a following word is not its value. */
              break;
            }

          if (!add_argv_item (ctx, def, value, conf_files, &next, error))
            return FALSE;
          continue;
        }

      /* One or more short letters: "-k", "-kd", "-c400", "-kc 400". */
      for (const char *p = arg + 1; *p != '\0' && next == ARGV_CONTINUE; p++)
        {
          const HearthOptionDef *def = hearth_option_lookup_short (*p);
          char shown_name[3] = { '-', *p, '\0' };
          const char *value = NULL;

          if (def == NULL)
            {
              set_unknown_option_error (error, HEARTH_CONFIG_ORIGIN_COMMAND_LINE, shown_name, NULL,
                                        "");
              return FALSE;
            }

          if (hearth_option_short_arg (def) != HEARTH_OPTION_ARG_NONE)
            {
              /* The rest of the word, or else the next word, is the value. */
              if (p[1] != '\0')
                value = p + 1;
              else if (i + 1 < argc && argv[i + 1] != NULL)
                value = argv[++i];
              else
                {
                  set_missing_value_error (error, shown_name, def);
                  return FALSE;
                }
            }

          if (!add_argv_item (ctx, def, value, conf_files, &next, error))
            return FALSE;
          if (value != NULL)
            break;
        }
    }

  if (next == ARGV_STOP)
    {
      /* "--help dhcp": dnsmasq's way to ask for the DHCP option names. */
      HearthConfigItem *last = g_ptr_array_index (ctx->items, ctx->items->len - 1);
      if (g_str_equal (last->def->long_name, "help") && last->value == NULL && i < argc &&
          argv[i] != NULL && argv[i][0] != '-')
        last->value = g_strdup (argv[i]);
      *out_stopped = TRUE;
      return TRUE;
    }

  if (junk != NULL)
    {
      g_autofree char *shown = hearth_config_value_printable (junk);
      g_set_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_SYNTAX,
                   _ ("%s: unexpected argument '%s' (values need --option=value)"),
                   HEARTH_CONFIG_ORIGIN_COMMAND_LINE, shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
hearth_config_load (
    int argc, char **argv, const char *default_conf_file, GPtrArray **out_items, GError **error)
{
  g_autoptr (GPtrArray) items =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_config_item_free);
  g_autoptr (GHashTable) files_read = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Borrowed pointers into items. */
  g_autoptr (GPtrArray) conf_files = g_ptr_array_new ();
  LoadContext ctx = { items, files_read, FALSE };
  gboolean stopped;

  if (!parse_argv (&ctx, argc, argv, conf_files, &stopped, error))
    return FALSE;

  if (!stopped)
    {
      if (conf_files->len == 0)
        {
          if (default_conf_file != NULL &&
              !read_conf_file (&ctx, default_conf_file, NULL, TRUE, 1, error))
            return FALSE;
        }
      else
        {
          for (guint i = 0; i < conf_files->len; i++)
            {
              const HearthConfigItem *item = g_ptr_array_index (conf_files, i);
              /* A bare --conf-file (or an empty one) only stops the default
               * file from being read. */
              if (item->value == NULL || item->value[0] == '\0')
                continue;
              if (!read_conf_file (&ctx, item->value, item, FALSE, 1, error))
                return FALSE;
            }
        }
    }

  *out_items = g_steal_pointer (&items);
  return TRUE;
}
