/* Turning a command line and dnsmasq-style configuration files into a flat,
 * ordered list of (option, value, where it came from) items.
 *
 * This is the tokenizer only: it knows the syntax of the command line
 * (getopt_long rules, as dnsmasq uses them) and of configuration files
 * (dnsmasq's quoting, escapes and comments), follows conf-file= and
 * conf-dir=, and checks each option's name and whether it takes a value.
 * It does not interpret values; each subsystem parses the values of the
 * options it owns, using config-value.h, and reports bad ones with
 * hearth_config_item_set_error() so every message names its file and line.
 */
#pragma once

#include <glib.h>

#include "config/config-options.h"
#include "config/config-value.h"

G_BEGIN_DECLS

#define HEARTH_CONFIG_ERROR (hearth_config_error_quark ())
GQuark hearth_config_error_quark (void);

typedef enum
{
  HEARTH_CONFIG_ERROR_UNKNOWN_OPTION, /* no such option, or an ambiguous abbreviation */
  HEARTH_CONFIG_ERROR_BAD_VALUE,      /* set by subsystems through hearth_config_item_set_error() */
  HEARTH_CONFIG_ERROR_MISSING_VALUE,  /* the option needs a value and has none */
  HEARTH_CONFIG_ERROR_UNEXPECTED_VALUE, /* the option takes no value but got one */
  HEARTH_CONFIG_ERROR_FILE,             /* a file or directory could not be read (dnsmasq exit 3) */
  HEARTH_CONFIG_ERROR_SYNTAX,           /* bad quoting, overlong line, NUL byte, stray argument */
} HearthConfigError;

/* origin of items that came from argv. */
#define HEARTH_CONFIG_ORIGIN_COMMAND_LINE "command line"
/* origin of items read from standard input (conf-file=-). */
#define HEARTH_CONFIG_ORIGIN_STDIN "stdin"

/* Longest configuration file line accepted, without its newline.  dnsmasq
 * silently cuts lines at about 1 KiB and parses the rest as a new line;
 * hearth accepts four times that and rejects longer ones clearly. */
#define HEARTH_CONFIG_LINE_MAX 4096

/* conf-file= nesting deeper than this is refused.  A file already read is
 * skipped (as dnsmasq does), so loops end by themselves; this only bounds
 * long chains. */
#define HEARTH_CONFIG_INCLUDE_DEPTH_MAX 16

typedef struct
{
  const HearthOptionDef *def; /* never an alias: aliases are resolved to the real option */
  char *value;  /* NULL when given without argument; quotes/escapes already processed */
  char *origin; /* file path, HEARTH_CONFIG_ORIGIN_STDIN or HEARTH_CONFIG_ORIGIN_COMMAND_LINE */
  guint line;   /* 1-based line in origin, 0 on the command line */

  /* One byte per byte of value, non-zero where that byte was inside double
   * quotes in a configuration file (dnsmasq does not split a value at a
   * quoted ',' ':' '.' or space); NULL when nothing was quoted.  Use
   * hearth_config_item_split() rather than reading this. */
  guint8 *quoted;
} HearthConfigItem;

HearthConfigItem *hearth_config_item_new (const HearthOptionDef *def,
                                          const char *value,
                                          const char *origin,
                                          guint line);
void hearth_config_item_free (HearthConfigItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthConfigItem, hearth_config_item_free)

/* Pure: one config-file line -> item.  *out_item = NULL (and TRUE) for
 * blank and comment lines.  @line must not contain a newline other than a
 * trailing one.  The item's def is the real option even when the line used
 * an alias.  On error the message starts with "<origin>:<lineno>: ". */
gboolean hearth_config_parse_line (const char *line,
                                   const char *origin,
                                   guint lineno,
                                   HearthConfigItem **out_item,
                                   GError **error);

/* Whole load: argv (argv[0] skipped) first, then conf files: if the command
 * line named no --conf-file, @default_conf_file is read (a missing default
 * is fine; a missing file named explicitly is an error; NULL reads none).
 * conf-file= and conf-dir= inside files are followed where they appear;
 * --conf-dir on the command line is read where it appears in argv, as
 * dnsmasq does.  A file already read (same device and inode) is skipped.
 * --help and --version end the command line: the items up to and including
 * them are returned and no file is read (a non-option word right after
 * --help, as in "--help dhcp", becomes its value).  help, version and test
 * lines in files are accepted and dropped, as dnsmasq ignores them there.
 *
 * Returns the items in order (a GPtrArray of HearthConfigItem, owning).
 * Errors name origin:line, the option, and what was expected, e.g.
 * "/etc/hearth/hearth.conf:12: unknown option 'cache-sise'" or
 * "command line: option '--port' needs a value (--port=<port>)". */
gboolean hearth_config_load (
    int argc, char **argv, const char *default_conf_file, GPtrArray **out_items, GError **error);

/* Error helper subsystems use when a value is bad: sets
 * HEARTH_CONFIG_ERROR_BAD_VALUE with "<origin>:<line>: option '<name>': <message>"
 * (or "command line: option '--name': <message>"). */
void
hearth_config_item_set_error (const HearthConfigItem *item, GError **error, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* Puts "<origin>:<line>: option '<name>': " in front of the message of an
 * error a value helper returned, so a subsystem can write
 *   if (!hearth_config_value_parse_uint (item->value, 1, 65535, &n, error))
 *     {
 *       hearth_config_item_prefix_error (item, error);
 *       return FALSE;
 *     }
 * Does nothing when @error is NULL or unset. */
void hearth_config_item_prefix_error (const HearthConfigItem *item, GError **error);

/* "<origin>:<line>" or "command line", for warnings such as
 * "...: option 'dhcp-range' is not supported yet, ignoring". */
char *hearth_config_item_get_location (const HearthConfigItem *item);

/* Split the item's value on @separator (',' for most options) the way
 * dnsmasq does: separators inside double quotes do not split, and spaces
 * around each field are dropped.  Empty fields are kept, because their
 * position matters ("dhcp-boot=file,,server").  A NULL value gives an empty
 * vector.  Fails only when the value has more than
 * HEARTH_CONFIG_VALUE_FIELDS_MAX fields. */
gboolean hearth_config_item_split (const HearthConfigItem *item,
                                   char separator,
                                   char ***out_fields,
                                   GError **error);

G_END_DECLS
