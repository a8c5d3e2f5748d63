/* Unit tests of the interface selection policy: dnsmasq's --interface,
 * --except-interface, --listen-address and --no-dhcp-interface rules,
 * each on its own and against each other, and the acceptance of a query
 * by the link it arrived on (including the loopback rule and TCP, where
 * the arrival link is not known).
 *
 * The links are built here by hand; the monitor is not involved.
 */
#include "config.h"

#include "net/net-policy.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <net/if.h>
#include <stdarg.h>
#include <string.h>

static void
link_free (HearthNetLink *link)
{
  g_array_unref (link->addresses);
  g_free (link);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthNetLink, link_free)

static HearthNetAddress
address (const char *text)
{
  HearthNetAddress a = { 0 };
  const char *slash = strchr (text, '/');
  g_autofree char *host = g_strndup (text, slash != NULL ? (gsize) (slash - text) : strlen (text));

  a.family = strchr (text, ':') != NULL ? AF_INET6 : AF_INET;
  g_assert_cmpint (inet_pton (a.family, host, a.bytes), ==, 1);
  a.prefix_len = slash != NULL ? (guint8) atoi (slash + 1) : (a.family == AF_INET ? 32 : 128);
  return a;
}

/* A link with the addresses given as "10.0.0.1/24", ..., NULL. "lo" gets
 * IFF_LOOPBACK, as the kernel gives it. */
static HearthNetLink *
link_new (const char *name, guint index, ...)
{
  HearthNetLink *link = g_new0 (HearthNetLink, 1);
  const char *text;
  va_list ap;

  link->index = index;
  g_strlcpy (link->name, name, sizeof link->name);
  link->flags = IFF_UP | IFF_RUNNING | (strcmp (name, "lo") == 0 ? IFF_LOOPBACK : 0);
  link->addresses = g_array_new (FALSE, TRUE, sizeof (HearthNetAddress));
  va_start (ap, index);
  while ((text = va_arg (ap, const char *)) != NULL)
    {
      HearthNetAddress a = address (text);

      a.ifindex = index;
      g_array_append_val (link->addresses, a);
    }
  va_end (ap);
  return link;
}

/* The machine every test looks at. */
typedef struct {
  HearthNetLink *lo, *eth0, *eth1, *veth0, *veth1, *wlan0;
} Machine;

static void
machine_init (Machine *m)
{
  m->lo = link_new ("lo", 1, "127.0.0.1/8", "::1/128", NULL);
  m->eth0 = link_new ("eth0", 2, "10.0.0.1/24", "2001:db8::1/64", "fe80::1/64", NULL);
  m->eth1 = link_new ("eth1", 3, "10.1.0.1/24", "2001:db8:1::1/64", NULL);
  m->veth0 = link_new ("veth0", 4, "10.2.0.1/24", NULL);
  m->veth1 = link_new ("veth1", 5, "10.3.0.1/24", NULL);
  m->wlan0 = link_new ("wlan0", 6, NULL);
}

static void
machine_clear (Machine *m)
{
  g_clear_pointer (&m->lo, link_free);
  g_clear_pointer (&m->eth0, link_free);
  g_clear_pointer (&m->eth1, link_free);
  g_clear_pointer (&m->veth0, link_free);
  g_clear_pointer (&m->veth1, link_free);
  g_clear_pointer (&m->wlan0, link_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Machine, machine_clear)

/* The links carrying dst in m, as the monitor would find it. */
static HearthNetLink *
owner (Machine *m, int family, const guint8 *bytes)
{
  HearthNetLink *all[] = { m->lo, m->eth0, m->eth1, m->veth0, m->veth1, m->wlan0 };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    for (guint j = 0; j < all[i]->addresses->len; j++)
      {
        const HearthNetAddress *a = &g_array_index (all[i]->addresses, HearthNetAddress, j);

        if (a->family == family && memcmp (a->bytes, bytes, family == AF_INET ? 4 : 16) == 0)
          return all[i];
      }
  return NULL;
}

/* A query arriving on link arrival (NULL: TCP, not known) for dst. */
static gboolean
accepts (const HearthNetPolicy *policy, Machine *m, const HearthNetLink *arrival, const char *dst)
{
  HearthNetAddress a = address (dst);

  return hearth_net_policy_accepts (policy, arrival, a.family, a.bytes, owner (m, a.family, a.bytes));
}

static gboolean
address_selected (const HearthNetPolicy *policy, const char *name, const char *text)
{
  HearthNetAddress a = address (text);

  return hearth_net_policy_address_selected (policy, name, a.family, a.bytes);
}

static void
add_listen (HearthNetPolicy *policy, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (hearth_net_policy_add_listen_address (policy, text, &error));
  g_assert_no_error (error);
}

static void
test_name_matches (void)
{
  g_assert_true (hearth_net_interface_name_matches ("eth0", "eth0"));
  g_assert_false (hearth_net_interface_name_matches ("eth0", "eth01"));
  g_assert_false (hearth_net_interface_name_matches ("eth0", "eth"));
  g_assert_false (hearth_net_interface_name_matches ("eth", "eth0"));
  g_assert_true (hearth_net_interface_name_matches ("veth*", "veth"));
  g_assert_true (hearth_net_interface_name_matches ("veth*", "veth0"));
  g_assert_true (hearth_net_interface_name_matches ("veth*", "veth-long.name"));
  g_assert_false (hearth_net_interface_name_matches ("veth*", "vet"));
  g_assert_false (hearth_net_interface_name_matches ("veth*", "eth0"));
  g_assert_true (hearth_net_interface_name_matches ("*", "anything"));
  g_assert_true (hearth_net_interface_name_matches ("*", "lo"));
  /* dnsmasq ignores whatever follows the '*'. */
  g_assert_true (hearth_net_interface_name_matches ("ab*cd", "abxx"));
  g_assert_true (hearth_net_interface_name_matches ("ab*cd", "ab"));
  g_assert_true (hearth_net_interface_name_matches ("ab*cd", "abcd"));
  g_assert_false (hearth_net_interface_name_matches ("ab*cd", "axcd"));
  /* Case matters, as it does to the kernel. */
  g_assert_false (hearth_net_interface_name_matches ("ETH0", "eth0"));
}

static void
test_open (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };
  const char *names[] = { "lo", "eth0", "eth1", "veth0", "anything" };

  machine_init (&m);
  g_assert_true (hearth_net_policy_is_open (policy));
  g_assert_cmpuint (hearth_net_policy_get_n_listen_addresses (policy), ==, 0);
  g_assert_cmpuint (hearth_net_policy_get_interfaces (policy)->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (hearth_net_policy_link_selected (policy, names[i]));
      g_assert_true (address_selected (policy, names[i], "192.0.2.1"));
      g_assert_true (address_selected (policy, names[i], "2001:db8:ffff::1"));
    }
  g_assert_true (accepts (policy, &m, m.eth0, "10.0.0.1"));
  g_assert_true (accepts (policy, &m, m.eth1, "10.0.0.1"));
  g_assert_true (accepts (policy, &m, m.lo, "127.0.0.1"));
  g_assert_true (accepts (policy, &m, m.lo, "10.1.0.1"));
  g_assert_true (accepts (policy, &m, m.wlan0, "255.255.255.255"));
  g_assert_true (accepts (policy, &m, NULL, "10.1.0.1"));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth0));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.wlan0));

  /* --no-dhcp-interface alone leaves the DNS side open. */
  hearth_net_policy_add_no_dhcp_interface (policy, "eth1");
  g_assert_true (hearth_net_policy_is_open (policy));
  g_assert_true (hearth_net_policy_link_selected (policy, "eth1"));
}

static void
test_interface (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };
  GPtrArray *patterns;

  machine_init (&m);
  hearth_net_policy_add_interface (policy, "veth*");
  hearth_net_policy_add_interface (policy, "eth1");
  g_assert_false (hearth_net_policy_is_open (policy));
  patterns = hearth_net_policy_get_interfaces (policy);
  g_assert_cmpuint (patterns->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (patterns, 0), ==, "veth*");
  g_assert_cmpstr (g_ptr_array_index (patterns, 1), ==, "eth1");

  g_assert_true (hearth_net_policy_link_selected (policy, "veth0"));
  g_assert_true (hearth_net_policy_link_selected (policy, "veth1"));
  g_assert_true (hearth_net_policy_link_selected (policy, "veth-late"));
  g_assert_true (hearth_net_policy_link_selected (policy, "eth1"));
  g_assert_false (hearth_net_policy_link_selected (policy, "eth0"));
  g_assert_false (hearth_net_policy_link_selected (policy, "eth10"));
  g_assert_false (hearth_net_policy_link_selected (policy, "wlan0"));
  /* lo comes along with any --interface. */
  g_assert_true (hearth_net_policy_link_selected (policy, "lo"));

  /* Every address of a selected link, none of another. */
  g_assert_true (address_selected (policy, "veth0", "10.2.0.1"));
  g_assert_true (address_selected (policy, "eth1", "2001:db8:1::1"));
  g_assert_true (address_selected (policy, "lo", "::1"));
  g_assert_false (address_selected (policy, "eth0", "10.0.0.1"));
  g_assert_false (address_selected (policy, "eth0", "fe80::1"));

  /* In default mode the arrival link decides, whatever the destination. */
  g_assert_true (accepts (policy, &m, m.veth0, "10.2.0.1"));
  g_assert_true (accepts (policy, &m, m.veth0, "255.255.255.255"));
  g_assert_true (accepts (policy, &m, m.eth1, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, m.eth0, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, m.eth0, "10.2.0.1"));
  g_assert_false (accepts (policy, &m, m.wlan0, "10.2.0.1"));
  /* lo is selected, so anything over loopback is accepted (dnsmasq too:
   * lo is on its interface list). */
  g_assert_true (accepts (policy, &m, m.lo, "127.0.0.1"));
  g_assert_true (accepts (policy, &m, m.lo, "10.0.0.1"));

  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.veth0));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth1));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.wlan0));
}

static void
test_interface_odd_wildcard (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();

  hearth_net_policy_add_interface (policy, "ab*cd");
  g_assert_true (hearth_net_policy_link_selected (policy, "abxx"));
  g_assert_true (hearth_net_policy_link_selected (policy, "abcd"));
  g_assert_false (hearth_net_policy_link_selected (policy, "xabcd"));
}

static void
test_except_only (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };

  machine_init (&m);
  hearth_net_policy_add_except_interface (policy, "eth1");
  g_assert_false (hearth_net_policy_is_open (policy));
  /* Everything else is still served, lo included. */
  g_assert_true (hearth_net_policy_link_selected (policy, "eth0"));
  g_assert_true (hearth_net_policy_link_selected (policy, "lo"));
  g_assert_true (hearth_net_policy_link_selected (policy, "veth0"));
  g_assert_false (hearth_net_policy_link_selected (policy, "eth1"));
  g_assert_false (address_selected (policy, "eth1", "10.1.0.1"));
  g_assert_true (accepts (policy, &m, m.eth0, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, m.eth1, "10.1.0.1"));
  g_assert_false (accepts (policy, &m, m.eth1, "10.0.0.1"));
  /* Over loopback to eth1's address: eth1 decides, and it is excluded;
   * but lo is selected itself. */
  g_assert_true (accepts (policy, &m, m.lo, "10.1.0.1"));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth1));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth0));
}

static void
test_except_wins (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };

  machine_init (&m);
  hearth_net_policy_add_interface (policy, "veth*");
  hearth_net_policy_add_interface (policy, "eth0");
  hearth_net_policy_add_except_interface (policy, "veth1");
  hearth_net_policy_add_except_interface (policy, "lo");
  add_listen (policy, "10.3.0.1");  /* veth1's */
  add_listen (policy, "10.1.0.1");  /* eth1's */

  /* Over --interface, wildcard or not, and over lo's automatic
   * inclusion. */
  g_assert_true (hearth_net_policy_link_selected (policy, "veth0"));
  g_assert_false (hearth_net_policy_link_selected (policy, "veth1"));
  g_assert_false (hearth_net_policy_link_selected (policy, "lo"));
  g_assert_true (hearth_net_policy_link_selected (policy, "eth0"));
  /* Over --listen-address: veth1's address is named but veth1 is
   * excluded; eth1's is served. */
  g_assert_false (address_selected (policy, "veth1", "10.3.0.1"));
  g_assert_true (address_selected (policy, "eth1", "10.1.0.1"));
  g_assert_false (address_selected (policy, "eth1", "2001:db8:1::1"));
  g_assert_false (accepts (policy, &m, m.veth1, "10.3.0.1"));
  g_assert_true (accepts (policy, &m, m.eth1, "10.1.0.1"));
  g_assert_false (accepts (policy, &m, NULL, "10.3.0.1"));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.veth1));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth1));

  /* A wildcard exception. */
  hearth_net_policy_add_except_interface (policy, "eth*");
  g_assert_false (hearth_net_policy_link_selected (policy, "eth0"));
  g_assert_false (address_selected (policy, "eth1", "10.1.0.1"));
  g_assert_false (accepts (policy, &m, m.eth0, "10.0.0.1"));
}

static void
test_listen_address (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_autoptr (GError) error = NULL;
  g_auto (Machine) m = { 0 };
  const HearthNetAddress *a;

  machine_init (&m);
  add_listen (policy, "10.0.0.1");
  add_listen (policy, "2001:db8:1::1");
  add_listen (policy, "10.0.0.1"); /* again: kept once */
  g_assert_false (hearth_net_policy_is_open (policy));
  g_assert_cmpuint (hearth_net_policy_get_n_listen_addresses (policy), ==, 2);
  a = hearth_net_policy_get_listen_address (policy, 0);
  g_assert_cmpint (a->family, ==, AF_INET);
  g_assert_cmpuint (a->prefix_len, ==, 32);
  a = hearth_net_policy_get_listen_address (policy, 1);
  g_assert_cmpint (a->family, ==, AF_INET6);
  g_assert_cmpuint (a->prefix_len, ==, 128);

  g_assert_false (hearth_net_policy_add_listen_address (policy, "10.0.0.1/24", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hearth_net_policy_add_listen_address (policy, "eth0", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hearth_net_policy_add_listen_address (policy, "", &error));
  g_clear_error (&error);
  g_assert_cmpuint (hearth_net_policy_get_n_listen_addresses (policy), ==, 2);

  /* No link is selected as a whole, not even lo. */
  g_assert_false (hearth_net_policy_link_selected (policy, "eth0"));
  g_assert_false (hearth_net_policy_link_selected (policy, "eth1"));
  g_assert_false (hearth_net_policy_link_selected (policy, "lo"));
  /* Only the address itself. */
  g_assert_true (address_selected (policy, "eth0", "10.0.0.1"));
  g_assert_false (address_selected (policy, "eth0", "2001:db8::1"));
  g_assert_false (address_selected (policy, "eth0", "10.0.0.2"));
  g_assert_true (address_selected (policy, "eth1", "2001:db8:1::1"));
  g_assert_false (address_selected (policy, "eth1", "10.1.0.1"));
  /* An IPv4 address's bytes are not the IPv6 address starting with them. */
  g_assert_false (address_selected (policy, "eth0", "a00:1::"));

  g_assert_true (accepts (policy, &m, m.eth0, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, m.eth0, "2001:db8::1"));
  g_assert_false (accepts (policy, &m, m.eth0, "255.255.255.255"));
  g_assert_true (accepts (policy, &m, m.eth1, "2001:db8:1::1"));
  /* Over loopback: to the listen address yes, to 127.0.0.1 or to an
   * address that is not a listen address no. */
  g_assert_true (accepts (policy, &m, m.lo, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, m.lo, "127.0.0.1"));
  g_assert_false (accepts (policy, &m, m.lo, "10.1.0.1"));
  g_assert_false (accepts (policy, &m, m.lo, "2001:db8::1"));
  /* TCP. */
  g_assert_true (accepts (policy, &m, NULL, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, NULL, "10.1.0.1"));

  /* DHCP on the links that carry a listen address. */
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth0));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth1));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.veth0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.wlan0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.lo));

  /* With an --interface as well, lo comes along and the listen
   * addresses stay. */
  hearth_net_policy_add_interface (policy, "veth0");
  g_assert_true (hearth_net_policy_link_selected (policy, "lo"));
  g_assert_true (hearth_net_policy_link_selected (policy, "veth0"));
  g_assert_false (hearth_net_policy_link_selected (policy, "eth0"));
  g_assert_true (address_selected (policy, "eth0", "10.0.0.1"));
}

/* Loopback arrivals addressed to another link's address: that link
 * decides, even when lo itself is excluded. */
static void
test_loopback_rule (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };
  HearthNetAddress eth0_addr = address ("10.0.0.1");

  machine_init (&m);
  hearth_net_policy_add_interface (policy, "eth0");
  hearth_net_policy_add_except_interface (policy, "lo");
  g_assert_false (hearth_net_policy_link_selected (policy, "lo"));

  g_assert_true (accepts (policy, &m, m.lo, "10.0.0.1"));
  g_assert_true (accepts (policy, &m, m.lo, "2001:db8::1"));
  g_assert_true (accepts (policy, &m, m.lo, "fe80::1"));
  /* To an address of an unselected link, or of lo, or of nobody. */
  g_assert_false (accepts (policy, &m, m.lo, "10.1.0.1"));
  g_assert_false (accepts (policy, &m, m.lo, "127.0.0.1"));
  g_assert_false (accepts (policy, &m, m.lo, "::1"));
  g_assert_false (accepts (policy, &m, m.lo, "192.0.2.1"));
  /* The rule is for loopback only: arriving on eth1 for eth0's address
   * is not arriving on eth0. */
  g_assert_false (accepts (policy, &m, m.eth1, "10.0.0.1"));
  /* Without knowing the owner (dst_link NULL) lo cannot pass it on. */
  g_assert_false (hearth_net_policy_accepts (policy, m.lo, AF_INET, eth0_addr.bytes, NULL));

  /* TCP: no arrival link, the owner of the destination stands in. */
  g_assert_true (accepts (policy, &m, NULL, "10.0.0.1"));
  g_assert_false (accepts (policy, &m, NULL, "10.1.0.1"));
  g_assert_false (accepts (policy, &m, NULL, "127.0.0.1"));
  g_assert_false (accepts (policy, &m, NULL, "192.0.2.1"));
  g_assert_false (hearth_net_policy_accepts (policy, NULL, AF_INET, eth0_addr.bytes, NULL));
}

static void
test_no_dhcp_interface (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };

  machine_init (&m);
  hearth_net_policy_add_no_dhcp_interface (policy, "eth1");
  hearth_net_policy_add_no_dhcp_interface (policy, "veth*");
  /* DNS is untouched. */
  g_assert_true (hearth_net_policy_link_selected (policy, "eth1"));
  g_assert_true (hearth_net_policy_link_selected (policy, "veth0"));
  g_assert_true (accepts (policy, &m, m.veth0, "10.2.0.1"));

  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.eth0));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.wlan0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth1));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.veth0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.veth1));

  /* Also over a listen address on that link, and over --interface. */
  add_listen (policy, "10.1.0.1");
  hearth_net_policy_add_interface (policy, "veth0");
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth1));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.veth0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth0));
}

static void
test_dhcp_except (void)
{
  g_autoptr (HearthNetPolicy) policy = hearth_net_policy_new ();
  g_auto (Machine) m = { 0 };

  machine_init (&m);
  hearth_net_policy_add_except_interface (policy, "eth0");
  add_listen (policy, "10.0.0.1");
  add_listen (policy, "10.2.0.1");
  /* eth0 carries a listen address but is excluded. */
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth0));
  g_assert_true (hearth_net_policy_dhcp_on_link (policy, m.veth0));
  g_assert_false (hearth_net_policy_dhcp_on_link (policy, m.eth1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/policy/name-matches", test_name_matches);
  g_test_add_func ("/net/policy/open", test_open);
  g_test_add_func ("/net/policy/interface", test_interface);
  g_test_add_func ("/net/policy/interface-odd-wildcard", test_interface_odd_wildcard);
  g_test_add_func ("/net/policy/except-only", test_except_only);
  g_test_add_func ("/net/policy/except-wins", test_except_wins);
  g_test_add_func ("/net/policy/listen-address", test_listen_address);
  g_test_add_func ("/net/policy/loopback-rule", test_loopback_rule);
  g_test_add_func ("/net/policy/no-dhcp-interface", test_no_dhcp_interface);
  g_test_add_func ("/net/policy/dhcp-except", test_dhcp_except);
  return g_test_run ();
}
