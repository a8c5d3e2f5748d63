/* Unit tests of the typed value helpers: good input converts, bad input
 * fails with HEARTH_CONFIG_ERROR_BAD_VALUE and a message that says what was
 * expected, and outputs are untouched on failure.
 */
#include "config.h"

#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <glib.h>

#include "config/config-parser.h"
#include "config/config-value.h"

static void
test_uint (void)
{
  static const char *const bad[] = {
    "", "-1", "+1", " 1", "1 ", "0x10", "1.5", "12a", "a", "99999999999999999999", "4294967296",
  };
  g_autoptr (GError) error = NULL;
  guint value = 0;

  g_assert_true (hearth_config_value_parse_uint ("0", 0, 10, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (value, ==, 0);
  g_assert_true (hearth_config_value_parse_uint ("10", 0, 10, &value, &error));
  g_assert_cmpuint (value, ==, 10);
  g_assert_true (hearth_config_value_parse_uint ("007", 0, 10, &value, &error));
  g_assert_cmpuint (value, ==, 7);
  g_assert_true (hearth_config_value_parse_uint ("4294967295", 0, G_MAXUINT, &value, &error));
  g_assert_cmpuint (value, ==, G_MAXUINT);

  value = 42;
  g_assert_false (hearth_config_value_parse_uint ("11", 0, 10, &value, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==, "expected a whole number from 0 to 10, got '11'");
  g_assert_cmpuint (value, ==, 42);
  g_clear_error (&error);

  g_assert_false (hearth_config_value_parse_uint ("4", 5, 10, &value, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (hearth_config_value_parse_uint (bad[i], 0, G_MAXUINT, &value, &error))
        g_error ("'%s' was accepted as a number", bad[i]);
      g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "expected a whole number"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (value, ==, 42);

  g_assert_false (hearth_config_value_parse_uint (NULL, 0, 10, &value, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
}

static void
test_duration (void)
{
  static const struct
  {
    const char *text;
    guint32 seconds;
  } good[] = {
    { "0", 0 },
    { "3600", 3600 },
    { "300s", 300 },
    { "300S", 300 },
    { "45m", 2700 },
    { "20M", 1200 },
    { "2h", 7200 },
    { "12H", 43200 },
    { "1d", 86400 },
    { "2D", 172800 },
    { "1w", 604800 },
    { "3W", 1814400 },
    { "4294967294", 4294967294u },
  };
  static const char *const bad[] = {
    "",         "s",        "h",
    "-5m",      "5x",       "5 m",
    " 5",       "5mm",      "1.5h",
    "infinity", "Infinite", "4294967295", /* the infinite marker itself is not a finite duration */
    "7102y",    "1000000w", "99999999999999999999s",
  };
  g_autoptr (GError) error = NULL;
  guint32 seconds = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      if (!hearth_config_value_parse_duration (good[i].text, TRUE, &seconds, &error))
        g_error ("'%s' was refused: %s", good[i].text, error->message);
      g_assert_cmpuint (seconds, ==, good[i].seconds);
    }

  g_assert_true (hearth_config_value_parse_duration ("infinite", TRUE, &seconds, &error));
  g_assert_cmpuint (seconds, ==, HEARTH_CONFIG_DURATION_INFINITE);

  seconds = 7;
  g_assert_false (hearth_config_value_parse_duration ("infinite", FALSE, &seconds, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "expected a duration such as 600, 45m, 12h, 7d or 2w, got 'infinite'");
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (hearth_config_value_parse_duration (bad[i], TRUE, &seconds, &error))
        g_error ("'%s' was accepted as a duration", bad[i]);
      g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "expected a duration"));
      g_assert_nonnull (strstr (error->message, "or infinite"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (seconds, ==, 7);
}

static void
test_port (void)
{
  static const char *const bad[] = { "", "65536", "-1", "53 ", "dns", "0x35", "100000" };
  g_autoptr (GError) error = NULL;
  guint16 port = 1;

  g_assert_true (hearth_config_value_parse_port ("0", &port, &error));
  g_assert_cmpuint (port, ==, 0);
  g_assert_true (hearth_config_value_parse_port ("53", &port, &error));
  g_assert_cmpuint (port, ==, 53);
  g_assert_true (hearth_config_value_parse_port ("65535", &port, &error));
  g_assert_cmpuint (port, ==, 65535);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (hearth_config_value_parse_port (bad[i], &port, &error))
        g_error ("'%s' was accepted as a port", bad[i]);
      g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "expected a port number from 0 to 65535"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (port, ==, 65535);
}

static void
assert_split (const char *text, const char *const *expected)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) fields = NULL;

  g_assert_true (hearth_config_value_split_list (text, &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (fields, expected);
}

static void
test_split_list (void)
{
  g_autoptr (GString) many = g_string_new ("x");
  g_autoptr (GError) error = NULL;
  char **fields = NULL;

  assert_split ("a", (const char *const[]){ "a", NULL });
  assert_split ("a,b,c", (const char *const[]){ "a", "b", "c", NULL });
  assert_split (" a , b ,c ", (const char *const[]){ "a", "b", "c", NULL });
  assert_split ("file,,server", (const char *const[]){ "file", "", "server", NULL });
  assert_split ("", (const char *const[]){ "", NULL });
  assert_split (",", (const char *const[]){ "", "", NULL });
  assert_split ("a b,c", (const char *const[]){ "a b", "c", NULL });
  /* dnsmasq splits on commas only: quotes mean nothing here. */
  assert_split ("\"a,b\"", (const char *const[]){ "\"a", "b\"", NULL });

  for (guint i = 1; i < HEARTH_CONFIG_VALUE_FIELDS_MAX; i++)
    g_string_append (many, ",x");
  g_assert_true (hearth_config_value_split_list (many->str, &fields, &error));
  g_assert_cmpuint (g_strv_length (fields), ==, HEARTH_CONFIG_VALUE_FIELDS_MAX);
  g_clear_pointer (&fields, g_strfreev);

  g_string_append (many, ",x");
  g_assert_false (hearth_config_value_split_list (many->str, &fields, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_null (fields);
}

static void
assert_ip (const char *text, const char *expected, guint32 expected_scope)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) address = NULL;
  g_autofree char *shown = NULL;
  guint32 scope = 12345;

  if (!hearth_config_value_parse_ip (text, &address, &scope, &error))
    g_error ("'%s' was refused: %s", text, error->message);
  shown = g_inet_address_to_string (address);
  g_assert_cmpstr (shown, ==, expected);
  g_assert_cmpuint (scope, ==, expected_scope);
}

static void
test_ip (void)
{
  static const char *const bad[] = {
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4x",
    "1.2.3.4 ",
    " ::1",
    "::g",
    "1:2:3",
    "example.com",
    "1.2.3.4%lo",
    "fe80::1%",
    "fe80::1%0",
    "fe80::1%no-such-if0",
    "fe80::1%12345678901234567890",
    "[::1]",
    "::1/64",
    "1.2.3.4#53",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) address = NULL;
  guint32 scope = 0;
  guint lo = if_nametoindex ("lo");

  assert_ip ("127.0.0.1", "127.0.0.1", 0);
  assert_ip ("0.0.0.0", "0.0.0.0", 0);
  assert_ip ("::1", "::1", 0);
  assert_ip ("2001:db8::53", "2001:db8::53", 0);
  assert_ip ("::ffff:10.0.0.1", "::ffff:10.0.0.1", 0);
  assert_ip ("fe80::1%7", "fe80::1", 7);
  if (lo != 0)
    assert_ip ("fe80::1%lo", "fe80::1", lo);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (hearth_config_value_parse_ip (bad[i], &address, &scope, &error))
        g_error ("'%s' was accepted as an address", bad[i]);
      g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "expected"));
      g_clear_error (&error);
    }
  g_assert_null (address);

  /* Without somewhere to put it, a scope is refused. */
  g_assert_false (hearth_config_value_parse_ip ("fe80::1%7", &address, NULL, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_true (hearth_config_value_parse_ip ("10.1.2.3", &address, NULL, &error));
  g_assert_true (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4);
}

static void
test_sockaddr (void)
{
  g_autoptr (GError) error = NULL;
  struct sockaddr_storage storage;
  socklen_t len = 0;
  const struct sockaddr_in *sin = (const struct sockaddr_in *) &storage;
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &storage;
  char text[INET6_ADDRSTRLEN];

  g_assert_true (hearth_config_value_parse_sockaddr ("192.0.2.1", 5353, &storage, &len, &error));
  g_assert_cmpuint (len, ==, sizeof (struct sockaddr_in));
  g_assert_cmpint (sin->sin_family, ==, AF_INET);
  g_assert_cmpuint (g_ntohs (sin->sin_port), ==, 5353);
  g_assert_cmpstr (inet_ntop (AF_INET, &sin->sin_addr, text, sizeof (text)), ==, "192.0.2.1");

  g_assert_true (hearth_config_value_parse_sockaddr ("fe80::53%3", 53, &storage, &len, &error));
  g_assert_cmpuint (len, ==, sizeof (struct sockaddr_in6));
  g_assert_cmpint (sin6->sin6_family, ==, AF_INET6);
  g_assert_cmpuint (g_ntohs (sin6->sin6_port), ==, 53);
  g_assert_cmpuint (sin6->sin6_scope_id, ==, 3);
  g_assert_cmpstr (inet_ntop (AF_INET6, &sin6->sin6_addr, text, sizeof (text)), ==, "fe80::53");

  len = 99;
  g_assert_false (hearth_config_value_parse_sockaddr ("fe80::53%", 53, &storage, &len, &error));
  g_assert_error (error, HEARTH_CONFIG_ERROR, HEARTH_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpuint (len, ==, 99);
}

static void
test_messages_are_printable (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) huge = g_string_new (NULL);
  guint value;

  g_assert_false (hearth_config_value_parse_uint ("1\n2\033", 0, 10, &value, &error));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\033'));
  g_clear_error (&error);

  for (int i = 0; i < 1000; i++)
    g_string_append_c (huge, 'x');
  g_assert_false (hearth_config_value_parse_uint (huge->str, 0, 10, &value, &error));
  g_assert_cmpuint (strlen (error->message), <, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/value/uint", test_uint);
  g_test_add_func ("/config/value/duration", test_duration);
  g_test_add_func ("/config/value/port", test_port);
  g_test_add_func ("/config/value/split-list", test_split_list);
  g_test_add_func ("/config/value/ip", test_ip);
  g_test_add_func ("/config/value/sockaddr", test_sockaddr);
  g_test_add_func ("/config/value/messages-are-printable", test_messages_are_printable);
  return g_test_run ();
}
