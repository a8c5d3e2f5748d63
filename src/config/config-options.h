/* The option table: one declarative description of every option hearth
 * understands, which is every option of dnsmasq 2.90 plus a few of hearth's
 * own.  The command line, configuration files, --conf-dir and --help are all
 * driven by this one table.
 *
 * This file only names and describes options.  It does not parse their
 * values: each subsystem (the owner) parses its own options' values from the
 * HearthConfigItem list that config-parser.h produces.
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Which part of hearth consumes an option's value. */
typedef enum
{
  HEARTH_OPTION_OWNER_CONFIG, /* conf-file, conf-dir, help, version, test, dnsmasq-compat */
  HEARTH_OPTION_OWNER_DAEMON, /* process, logging, privileges */
  HEARTH_OPTION_OWNER_DNS,
  HEARTH_OPTION_OWNER_DHCP,
  HEARTH_OPTION_OWNER_TFTP,
} HearthOptionOwner;

const char *hearth_option_owner_to_string (HearthOptionOwner owner);

typedef enum
{
  HEARTH_OPTION_ARG_NONE,
  HEARTH_OPTION_ARG_REQUIRED,
  HEARTH_OPTION_ARG_OPTIONAL,
} HearthOptionArg;

typedef struct
{
  const char *long_name; /* "cache-size" */
  char short_name;       /* 'c', or 0 */
  HearthOptionArg arg;   /* shape of the long form (--name, and name= in files) */
  HearthOptionOwner owner;
  gboolean implemented; /* FALSE: parsed and reported "not supported yet", ignored */
  const char *metavar;  /* "<integer>" etc, NULL for no argument */
  const char *help;     /* one line, marked with N_() for translation */

  /* Shape of the short form when the long form takes an OPTIONAL argument:
   * getopt short options cannot have optional arguments, so dnsmasq's -C, -c,
   * -u ... require one while -q and -1 take none.  Ignored for other
   * options, whose short form is shaped like the long one.  Use
   * hearth_option_short_arg() rather than reading this. */
  HearthOptionArg short_arg;

  /* Non-NULL for an old, undocumented spelling that dnsmasq still accepts
   * (dhcp-lease, domain-suffix): the long name of the real option.  Aliases
   * are not listed by --help, and the parser reports the real option. */
  const char *alias_of;
} HearthOptionDef;

/* Exact match of a long name (without "--"); aliases are returned as
 * themselves.  NULL when unknown.  The result points into a static table. */
const HearthOptionDef *hearth_option_lookup_long (const char *name);

/* The option whose short letter is @c, or NULL. */
const HearthOptionDef *hearth_option_lookup_short (char c);

/* The whole table, in --help order, aliases included. */
const HearthOptionDef *hearth_option_table (gsize *out_n);

/* The option an alias stands for; @def itself when it is not an alias. */
const HearthOptionDef *hearth_option_canonical (const HearthOptionDef *def);

/* The argument shape of -<short_name>. */
HearthOptionArg hearth_option_short_arg (const HearthOptionDef *def);

/* --help: a usage line, then one line per option, like dnsmasq --help.
 * Options not implemented yet are marked as such. */
void hearth_option_print_help (FILE *out);

G_END_DECLS
