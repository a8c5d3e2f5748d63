/* Fuzz target for the DHCP value parsers (src/dhcp/dhcp-config.c): the
 * same input, as a NUL-terminated copy, goes to the --dhcp-option,
 * --dhcp-range and --dhcp-host parsers and to the hardware address parser.
 *
 * Besides the sanitizers' checks, every result is held to what the header
 * promises: encoded option values within dnsmasq's length caps and their
 * address part a whole number of addresses, ranges ordered and consistent
 * with their netmask, lease times never below the minimum, and ranges,
 * hosts and hardware addresses that read back equal from their to_string
 * form. Error messages are printable ASCII (they quote input escaped).
 * Any broken promise aborts. The exact parse results are the unit tests'
 * business, not this file's.
 */
#include "config.h"

#include "dhcp/dhcp-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (!(cond))                                                                                   \
      {                                                                                            \
        fprintf (stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);              \
        abort ();                                                                                  \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

static void
check_error (GError *error)
{
  CHECK (error != NULL);
  CHECK (error->domain == HEARTH_CONFIG_ERROR);
  CHECK (error->message[0] != '\0');
  for (const char *p = error->message; *p != '\0'; p++)
    CHECK (*p >= 0x20 && *p < 0x7f);
}

static void
check_tags (GStrv tags)
{
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    {
      const char *name = tags[i][0] == '!' ? tags[i] + 1 : tags[i];

      CHECK (name[0] != '\0' && name[0] != '!');
      CHECK (strlen (name) <= HEARTH_DHCP_TAG_MAX);
      CHECK (strchr (name, ',') == NULL);
    }
  /* No tag is set: only negations can hold. */
  if (hearth_dhcp_tags_match (tags, NULL))
    for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
      CHECK (tags[i][0] == '!');
}

static void
check_option (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) full_error = NULL;
  HearthDhcpOption *option = NULL;
  HearthDhcpOption *full = NULL;
  gboolean ipv6 = FALSE;
  gboolean ok = hearth_dhcp_option_parse (text, TRUE, &option, &error);
  gboolean full_ok = hearth_dhcp_option_parse_full (text, NULL, FALSE, &full, &ipv6, &full_error);

  if (!ok)
    {
      check_error (error);
      CHECK (option == NULL);
    }
  if (!full_ok)
    {
      check_error (full_error);
      CHECK (!ok);
    }
  else if (ipv6)
    {
      CHECK (full == NULL);
      CHECK (!ok);
    }
  else
    {
      CHECK (full != NULL);
      CHECK (ok);
    }

  if (ok)
    {
      gsize len;
      const guint8 *value;
      gsize max = option->has_vi_encap ? HEARTH_DHCP_OPTION_VI_ENCAP_VALUE_MAX
                  : option->encap != 0 || option->vendor != NULL
                      ? HEARTH_DHCP_OPTION_ENCAP_VALUE_MAX
                      : HEARTH_DHCP_OPTION_VALUE_MAX;

      CHECK (option->value != NULL);
      value = g_bytes_get_data (option->value, &len);
      CHECK (len <= max && len <= 65535);
      CHECK (option->code != 0);
      CHECK (option->force);
      CHECK (option->encap != 255);
      CHECK ((option->encap != 0) + option->has_vi_encap + (option->vendor != NULL) <= 1);
      CHECK (option->addresses_at >= -1);
      if (option->addresses_at >= 0)
        {
          CHECK ((gsize) option->addresses_at < len);
          CHECK ((len - (gsize) option->addresses_at) % 4 == 0);
        }
      check_tags (option->match_tags);

      /* Both entry points encode alike. */
      CHECK (full->code == option->code);
      CHECK (g_bytes_equal (full->value, option->value));
      CHECK (!full->force);
      for (gsize i = 0; i < len; i++)
        CHECK (value[i] == ((const guint8 *) g_bytes_get_data (full->value, NULL))[i]);
    }
  hearth_dhcp_option_free (option);
  hearth_dhcp_option_free (full);
}

static void
check_range (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpRange *range = NULL;
  gboolean ipv6 = FALSE;

  if (!hearth_dhcp_range_parse (text, &range, &ipv6, &error))
    {
      check_error (error);
      CHECK (range == NULL);
      return;
    }
  if (ipv6)
    {
      CHECK (range == NULL);
      return;
    }
  CHECK (range != NULL);
  CHECK (range->start <= range->end);
  if (range->mode != HEARTH_DHCP_RANGE_DYNAMIC)
    CHECK (range->start == range->end);
  CHECK (range->lease_time >= HEARTH_DHCP_MIN_LEASE_TIME);
  if (range->netmask != 0)
    {
      guint32 inverted = ~range->netmask;

      CHECK ((inverted & (inverted + 1)) == 0);
      CHECK ((range->start & range->netmask) == (range->end & range->netmask));
    }
  CHECK (range->set_tag == NULL || range->set_tag[0] != '!');
  check_tags (range->match_tags);
  {
    g_autofree char *again_text = hearth_dhcp_range_to_string (range);
    g_autoptr (GError) again_error = NULL;
    HearthDhcpRange *again = NULL;
    gboolean again_ipv6 = TRUE;
    HearthDhcpRange *copy = hearth_dhcp_range_copy (range);

    CHECK (hearth_dhcp_range_parse (again_text, &again, &again_ipv6, &again_error));
    CHECK (!again_ipv6);
    CHECK (hearth_dhcp_range_equal (range, again));
    CHECK (hearth_dhcp_range_equal (range, copy));
    hearth_dhcp_range_free (again);
    hearth_dhcp_range_free (copy);
  }
  hearth_dhcp_range_free (range);
}

static void
check_mac_round_trip (const HearthDhcpMac *mac)
{
  g_autofree char *text = hearth_dhcp_mac_to_string (mac);
  HearthDhcpMac again;

  CHECK (mac->len >= 1 && mac->len <= HEARTH_DHCP_HWADDR_MAX);
  CHECK (mac->hwtype >= -1 && mac->hwtype <= 255);
  CHECK (mac->len == 16 || (mac->wildcard >> mac->len) == 0);
  CHECK (hearth_dhcp_mac_parse (text, &again, NULL));
  CHECK (again.hwtype == mac->hwtype && again.len == mac->len && again.wildcard == mac->wildcard);
  for (guint i = 0; i < mac->len; i++)
    if ((mac->wildcard & (1u << i)) == 0)
      CHECK (again.addr[i] == mac->addr[i]);
  /* A pattern matches the address it was written with. */
  if (mac->wildcard == 0)
    CHECK (hearth_dhcp_mac_matches (mac, mac->hwtype >= 0 ? (guint8) mac->hwtype : 1, mac->addr,
                                    mac->len));
}

static void
check_host (const char *text)
{
  g_autoptr (GError) error = NULL;
  HearthDhcpHost *host = NULL;
  gboolean ipv6 = FALSE;

  if (!hearth_dhcp_host_parse (text, &host, &ipv6, &error))
    {
      check_error (error);
      CHECK (host == NULL);
      return;
    }
  if (ipv6)
    {
      CHECK (host == NULL);
      return;
    }
  CHECK (host != NULL);
  CHECK (host->lease_time == 0 || host->lease_time >= HEARTH_DHCP_MIN_LEASE_TIME);
  for (guint i = 0; i < host->macs->len; i++)
    check_mac_round_trip (&g_array_index (host->macs, HearthDhcpMac, i));
  for (guint i = 0; i < host->client_ids->len; i++)
    CHECK (g_bytes_get_size (g_ptr_array_index (host->client_ids, i)) > 0);
  check_tags (host->match_tags);
  {
    g_autofree char *again_text = hearth_dhcp_host_to_string (host);
    g_autoptr (GError) again_error = NULL;
    HearthDhcpHost *again = NULL;
    gboolean again_ipv6 = TRUE;
    HearthDhcpHost *copy = hearth_dhcp_host_copy (host);
    gboolean one_byte_id = FALSE;

    /* A one-byte client id that is not a plain character has no
     * --dhcp-host spelling (see append_client_id()); skip those. */
    for (guint i = 0; i < host->client_ids->len; i++)
      one_byte_id |= g_bytes_get_size (g_ptr_array_index (host->client_ids, i)) == 1;
    CHECK (hearth_dhcp_host_equal (host, copy));
    if (!one_byte_id)
      {
        CHECK (hearth_dhcp_host_parse (again_text, &again, &again_ipv6, &again_error));
        CHECK (!again_ipv6);
        CHECK (hearth_dhcp_host_equal (host, again));
      }
    hearth_dhcp_host_free (again);
    hearth_dhcp_host_free (copy);
  }
  hearth_dhcp_host_free (host);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  HearthDhcpMac mac;

  /* Configuration lines are at most 4 KiB; longer input only repeats. */
  if (size > 8192)
    return 0;
  text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';

  check_option (text);
  check_range (text);
  check_host (text);
  if (hearth_dhcp_mac_parse (text, &mac, NULL))
    check_mac_round_trip (&mac);
  (void) hearth_dhcp_hostname_is_valid (text);
  return 0;
}
