/* The option table and the functions that look options up in it and print
 * --help.
 *
 * Every dnsmasq 2.90 option is listed here, each with the argument shape
 * dnsmasq's getopt table gives it, so any dnsmasq.conf or dnsmasq command
 * line is recognised.  Options that hearth does not implement yet are marked
 * so and the daemon reports them as "not supported yet".  Help lines are
 * hearth's own wording.
 *
 * Nothing here parses option values; that is done by each owning subsystem.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "config/config-options.h"

/* Short names keep the table to one row per option. */
#define NO HEARTH_OPTION_ARG_NONE
#define REQ HEARTH_OPTION_ARG_REQUIRED
#define OPT HEARTH_OPTION_ARG_OPTIONAL

#define CONFIG HEARTH_OPTION_OWNER_CONFIG
#define DAEMON HEARTH_OPTION_OWNER_DAEMON
#define DNS HEARTH_OPTION_OWNER_DNS
#define DHCP HEARTH_OPTION_OWNER_DHCP
#define TFTP HEARTH_OPTION_OWNER_TFTP

/* implemented = TRUE / FALSE */
#define YES TRUE
#define LATER FALSE

/* Columns: long name, short letter, argument, owner, implemented, metavar,
 * help, [short form's argument for OPT options that have a letter]. */
static const HearthOptionDef options[] = {
  /* Configuration sources and the command line itself. */
  { "conf-file", 'C', OPT, CONFIG, YES, "<path>",
    N_ ("Read options from this file instead of the default one ('-' reads standard input)"), REQ },
  { "conf-dir", '7', REQ, CONFIG, YES, "<dir>[,<.ext>...][,*<.ext>...]",
    N_ ("Read every file in this directory as a configuration file, optionally filtered by "
        "suffix") },
  { "conf-script", 0, REQ, CONFIG, LATER, "<path>[ <arg>...]",
    N_ ("Run a program and read what it prints as a configuration file") },
  { "help", 'w', NO, CONFIG, YES, NULL, N_ ("Print this list of options and exit") },
  { "version", 'v', NO, CONFIG, YES, NULL, N_ ("Print the version and exit") },
  { "test", 0, NO, CONFIG, YES, NULL, N_ ("Check the configuration and exit") },
  { "dnsmasq-compat", 0, NO, CONFIG, YES, NULL,
    N_ ("Follow dnsmasq's process contract exactly (implied when run as dnsmasq)") },

  /* The process. */
  { "keep-in-foreground", 'k', NO, DAEMON, YES, NULL,
    N_ ("Do not fork into the background, but otherwise run normally") },
  { "no-daemon", 'd', NO, DAEMON, YES, NULL, N_ ("Do not fork into the background: debug mode") },
  { "pid-file", 'x', OPT, DAEMON, YES, "<path>",
    N_ ("Write the process id to this file (given without a path: write none)"), REQ },
  { "user", 'u', OPT, DAEMON, YES, "<user>", N_ ("Run as this user once the sockets are open"),
    REQ },
  { "group", 'g', OPT, DAEMON, YES, "<group>", N_ ("Run as this group once the sockets are open"),
    REQ },
  { "log-queries", 'q', OPT, DAEMON, YES, "extra|proto|auth",
    N_ ("Log every DNS query and where its answer came from"), NO },
  { "log-facility", '8', REQ, DAEMON, YES, "<facility>|<file>|-",
    N_ ("Syslog facility, or file, to log to ('-' is standard error)") },
  { "log-async", 0, OPT, DAEMON, LATER, "<integer>",
    N_ ("Queue log lines rather than wait for the logger (optionally, the queue length)") },
  { "log-debug", 0, NO, DAEMON, LATER, NULL, N_ ("Log extra information for debugging") },
  { "enable-dbus", '1', OPT, DAEMON, YES, "<busname>",
    N_ ("Offer dnsmasq's D-Bus interface under this name on the system bus"), NO },
  { "enable-ubus", 0, OPT, DAEMON, LATER, "<busname>", N_ ("Offer the OpenWrt ubus interface") },
  { "session-bus", 0, NO, DAEMON, YES, NULL,
    N_ ("Use the session D-Bus instead of the system bus (for development)") },
  { "dbus-address", 0, REQ, DAEMON, YES, "<address>",
    N_ ("Use the D-Bus bus at this address instead of the system bus (for tests and development)") },
  { "no-dbus", 0, NO, DAEMON, YES, NULL, N_ ("Do not connect to D-Bus (hearth's own mode; dnsmasq mode only "
                                             "connects with --enable-dbus)") },
  { "dumpfile", 0, REQ, DAEMON, LATER, "<path>",
    N_ ("Write packets to this pcap file for debugging") },
  { "dumpmask", 0, REQ, DAEMON, LATER, "<hex>", N_ ("Which kinds of packets go to the dump file") },

  /* DNS: where to listen. */
  { "port", 'p', REQ, DNS, YES, "<port>",
    N_ ("Port to answer DNS queries on (default 53; 0 turns DNS off)") },
  { "listen-address", 'a', REQ, DNS, YES, "<ipaddr>",
    N_ ("Answer DNS queries on this local address (repeatable)") },
  { "interface", 'i', REQ, DNS, YES, "<interface>",
    N_ ("Answer queries arriving on this interface (repeatable)") },
  { "except-interface", 'I', REQ, DNS, YES, "<interface>",
    N_ ("Never answer queries arriving on this interface (repeatable)") },
  { "bind-interfaces", 'z', NO, DNS, YES, NULL,
    N_ ("Bind to each listening address instead of the wildcard address") },
  { "bind-dynamic", 0, NO, DNS, YES, NULL,
    N_ ("Bind to interfaces as they come and go, like --bind-interfaces with SO_BINDTODEVICE but "
        "following address changes") },
  { "local-service", 0, OPT, DNS, YES, "net|host",
    N_ ("Answer only clients on directly connected networks") },

  /* DNS: upstream servers. */
  { "server", 'S', REQ, DNS, YES, "[/<domain>/]<ipaddr>[#<port>][@<source>|@<interface>]",
    N_ ("An upstream server, optionally used only for names in the given domains") },
  { "local", 0, REQ, DNS, YES, "/<domain>/[<ipaddr>]",
    N_ ("Answer names in these domains from local data only, never forward them") },
  { "rev-server", 0, REQ, DNS, LATER, "<addr>/<prefix>,<ipaddr>[#<port>]",
    N_ ("An upstream server for reverse lookups in this address range") },
  { "servers-file", 0, REQ, DNS, LATER, "<path>",
    N_ ("Read server= and rev-server= lines from this file, again on every SIGHUP") },
  { "resolv-file", 'r', OPT, DNS, YES, "<path>",
    N_ ("Read upstream servers from this file (default /etc/resolv.conf)"), REQ },
  { "no-resolv", 'R', NO, DNS, YES, NULL, N_ ("Do not read upstream servers from a resolv file") },
  { "no-poll", 'n', NO, DNS, YES, NULL,
    N_ ("Do not watch the resolv file for changes; re-read it on SIGHUP only") },
  { "strict-order", 'o', NO, DNS, YES, NULL,
    N_ ("Try upstream servers strictly in the order they were given") },
  { "all-servers", 0, NO, DNS, YES, NULL,
    N_ ("Send every query to all upstream servers and use the first answer") },
  { "domain-needed", 'D', NO, DNS, YES, NULL,
    N_ ("Never forward queries for plain names, those without a dot") },
  { "dns-forward-max", '0', REQ, DNS, YES, "<integer>",
    N_ ("Most DNS queries forwarded at the same time (default 150)") },
  { "query-port", 'Q', REQ, DNS, YES, "<port>",
    N_ ("Send upstream queries from this one port instead of random ports") },
  { "min-port", 0, REQ, DNS, YES, "<port>", N_ ("Lowest random source port for upstream queries") },
  { "max-port", 0, REQ, DNS, YES, "<port>",
    N_ ("Highest random source port for upstream queries") },
  { "port-limit", 0, REQ, DNS, LATER, "<integer>",
    N_ ("Most random source ports one query may use at a time") },
  { "fast-dns-retry", 0, OPT, DNS, LATER, "<ms>[,<ms>]",
    N_ ("Resend unanswered upstream queries after this many milliseconds") },
  { "edns-packet-max", 'P', REQ, DNS, YES, "<integer>",
    N_ ("Largest UDP message size announced with EDNS.0 (default 1232)") },
  { "proxy-dnssec", 0, NO, DNS, YES, NULL,
    N_ ("Pass the upstream servers' AD (authenticated data) bit on to clients") },
  { "max-tcp-connections", 0, REQ, DNS, LATER, "<integer>",
    N_ ("Most DNS-over-TCP connections open at the same time") },

  /* DNS: the cache. */
  { "cache-size", 'c', OPT, DNS, YES, "<integer>",
    N_ ("Number of entries in the DNS cache (default 150; 0 disables it)"), REQ },
  { "no-negcache", 'N', NO, DNS, YES, NULL,
    N_ ("Do not cache negative answers (NXDOMAIN and no data)") },
  { "neg-ttl", 0, REQ, DNS, YES, "<seconds>",
    N_ ("How long to cache negative answers that come without an SOA record") },
  { "max-ttl", 0, REQ, DNS, YES, "<seconds>", N_ ("Largest TTL given to clients") },
  { "max-cache-ttl", 0, REQ, DNS, YES, "<seconds>", N_ ("Longest time an answer stays cached") },
  { "min-cache-ttl", 0, REQ, DNS, YES, "<seconds>",
    N_ ("Shortest time an answer stays cached, whatever its TTL") },
  { "clear-on-reload", 0, NO, DNS, YES, NULL,
    N_ ("Empty the cache whenever the upstream servers change") },
  { "use-stale-cache", 0, OPT, DNS, LATER, "<seconds>",
    N_ ("Answer from expired cache entries while fetching fresh ones") },
  { "cache-rr", 0, REQ, DNS, LATER, "<type>[,<type>...]",
    N_ ("Also cache records of these types") },
  { "no-round-robin", 0, NO, DNS, YES, NULL,
    N_ ("Keep the order of records in cached answers instead of rotating it") },

  /* DNS: local data. */
  { "no-hosts", 'h', NO, DNS, YES, NULL, N_ ("Do not read /etc/hosts") },
  { "addn-hosts", 'H', REQ, DNS, YES, "<path>",
    N_ ("Also read this hosts file, or every file in this directory") },
  { "hostsdir", 0, REQ, DNS, YES, "<dir>",
    N_ ("Read every hosts file in this directory, and again when they change") },
  { "expand-hosts", 'E', NO, DNS, YES, NULL,
    N_ ("Append the local domain to plain names from hosts files") },
  { "local-ttl", 'T', REQ, DNS, YES, "<seconds>",
    N_ ("TTL of answers from hosts files and other local data (default 0)") },
  { "dhcp-ttl", 0, REQ, DNS, YES, "<seconds>", N_ ("TTL of answers for DHCP client names") },
  { "domain", 's', REQ, DNS, YES, "<domain>[,<range>[,local]]",
    N_ ("Local domain, for DHCP client names and --expand-hosts") },
  { "domain-suffix", 0, REQ, DNS, YES, "<domain>[,<range>[,local]]", N_ ("Old name of --domain"),
    .alias_of = "domain" },
  { "address", 'A', REQ, DNS, YES, "/<domain>[/<domain>...]/[<ipaddr>]",
    N_ ("Answer every name in these domains with this address") },
  { "host-record", 0, REQ, DNS, YES, "<name>[,<name>...],[<ipv4>],[<ipv6>][,<ttl>]",
    N_ ("Add A, AAAA and PTR records for these names") },
  { "dynamic-host", 0, REQ, DNS, LATER, "<name>,[<ipv4>][,<ipv6>],<interface>",
    N_ ("A name whose address follows the subnet of an interface") },
  { "interface-name", 0, REQ, DNS, YES, "<name>,<interface>[/4|/6]",
    N_ ("Answer this name with the addresses of an interface") },
  { "cname", 0, REQ, DNS, YES, "<alias>[,<alias>...],<target>[,<ttl>]",
    N_ ("Add a CNAME record pointing at a local name") },
  { "mx-host", 'm', REQ, DNS, YES, "<name>[,<target>[,<preference>]]", N_ ("Add an MX record") },
  { "mx-target", 't', REQ, DNS, YES, "<name>", N_ ("Default target of MX records") },
  { "selfmx", 'e', NO, DNS, YES, NULL,
    N_ ("Answer MX queries for local hosts with the host itself") },
  { "localmx", 'L', NO, DNS, YES, NULL,
    N_ ("Answer MX queries for local hosts with the --mx-target host") },
  { "srv-host", 'W', REQ, DNS, YES,
    "<_service>.<_proto>.[<domain>],[<target>[,<port>[,<prio>[,<weight>]]]]",
    N_ ("Add an SRV record") },
  { "txt-record", 'Y', REQ, DNS, YES, "<name>[,<text>...]", N_ ("Add a TXT record") },
  { "ptr-record", 0, REQ, DNS, YES, "<name>[,<target>]", N_ ("Add a PTR record") },
  { "naptr-record", 0, REQ, DNS, YES, "<name>,<order>,<pref>,<flags>,<service>,<regexp>[,<repl>]",
    N_ ("Add a NAPTR record") },
  { "caa-record", 0, REQ, DNS, YES, "<name>,<flags>,<tag>,<value>", N_ ("Add a CAA record") },
  { "dns-rr", 0, REQ, DNS, YES, "<name>,<type>[,<hex data>]",
    N_ ("Add a record of any type, given as hex data") },
  { "synth-domain", 0, REQ, DNS, YES, "<domain>,<address range>[,<prefix>[*]]",
    N_ ("Make up names and addresses for an address range") },
  { "localise-queries", 'y', NO, DNS, YES, NULL,
    N_ ("Answer hosts-file names with the addresses on the interface the query came in on") },
  { "no-ident", 0, NO, DNS, YES, NULL,
    N_ ("Do not answer CHAOS TXT queries such as version.bind") },

  /* DNS: filtering and rewriting. */
  { "bogus-priv", 'b', NO, DNS, YES, NULL,
    N_ ("Answer reverse lookups of private addresses locally instead of forwarding them") },
  { "bogus-nxdomain", 'B', REQ, DNS, YES, "<ipaddr>[/<prefix>]",
    N_ ("Turn upstream answers containing this address into NXDOMAIN") },
  { "ignore-address", 0, REQ, DNS, YES, "<ipaddr>[/<prefix>]",
    N_ ("Drop upstream answers containing this address") },
  { "alias", 'V', REQ, DNS, YES, "<old>[-<old end>],<new>[,<netmask>]",
    N_ ("Rewrite IPv4 addresses in upstream answers") },
  { "filterwin2k", 'f', NO, DNS, YES, NULL,
    N_ ("Do not forward the useless queries Windows hosts make") },
  { "filter-A", 0, NO, DNS, YES, NULL, N_ ("Remove IPv4 addresses from answers") },
  { "filter-AAAA", 0, NO, DNS, YES, NULL, N_ ("Remove IPv6 addresses from answers") },
  { "filter-rr", 0, REQ, DNS, YES, "<type>[,<type>...]",
    N_ ("Remove records of these types from answers") },
  { "stop-dns-rebind", 0, NO, DNS, YES, NULL,
    N_ ("Drop upstream answers that point at private addresses") },
  { "rebind-localhost-ok", 0, NO, DNS, YES, NULL,
    N_ ("With --stop-dns-rebind, still allow loopback addresses") },
  { "rebind-domain-ok", 0, REQ, DNS, YES, "/<domain>/[<domain>/...]",
    N_ ("Domains exempt from --stop-dns-rebind") },
  { "dns-loop-detect", 0, NO, DNS, LATER, NULL,
    N_ ("Find upstream servers that forward queries back to us, and stop using them") },
  { "add-mac", 0, OPT, DNS, LATER, "base64|text",
    N_ ("Add the client's MAC address to forwarded queries") },
  { "strip-mac", 0, NO, DNS, LATER, NULL,
    N_ ("Remove MAC address options from forwarded queries") },
  { "add-subnet", 0, OPT, DNS, LATER, "<v4 prefix>[,<v6 prefix>]",
    N_ ("Add the client's subnet (EDNS client subnet) to forwarded queries") },
  { "strip-subnet", 0, NO, DNS, LATER, NULL,
    N_ ("Remove client subnet options from forwarded queries") },
  { "add-cpe-id", 0, REQ, DNS, LATER, "<text>",
    N_ ("Add this client identifier to forwarded queries") },
  { "umbrella", 0, OPT, DNS, LATER, "deviceid:<id>[,orgid:<id>][,assetid:<id>]",
    N_ ("Add Cisco Umbrella identifiers to forwarded queries") },
  { "conntrack", 0, NO, DNS, LATER, NULL,
    N_ ("Give upstream queries the connection-tracking mark of the client's query") },
  { "connmark-allowlist-enable", 0, OPT, DNS, LATER, "<mask>",
    N_ ("Answer only names allowed for the query's connection-tracking mark") },
  { "connmark-allowlist", 0, REQ, DNS, LATER, "<connmark>[/<mask>][,<pattern>...]",
    N_ ("Names allowed for a connection-tracking mark") },
  { "ipset", 0, REQ, DNS, LATER, "/<domain>[/<domain>...]/<ipset>[,<ipset>...]",
    N_ ("Put the addresses of names in these domains into ipsets") },
  { "nftset", 0, REQ, DNS, LATER, "/<domain>[/<domain>...]/[4#|6#]<table>#<set>[,...]",
    N_ ("Put the addresses of names in these domains into nftables sets") },

  /* DNS: DNSSEC validation and authoritative zones. */
  { "dnssec", 0, NO, DNS, LATER, NULL, N_ ("Validate answers with DNSSEC") },
  { "trust-anchor", 0, REQ, DNS, LATER, "<domain>,<key tag>,<algorithm>,<digest type>,<digest>",
    N_ ("A DNSSEC trust anchor, in DS record form") },
  { "dnssec-check-unsigned", 0, OPT, DNS, LATER, "no",
    N_ ("Check that unsigned answers really come from unsigned zones") },
  { "dnssec-no-timecheck", 0, NO, DNS, LATER, NULL,
    N_ ("Do not check signature times until the clock is known to be right") },
  { "dnssec-timestamp", 0, REQ, DNS, LATER, "<path>",
    N_ ("File whose time tells whether the system clock is right") },
  { "dnssec-debug", 0, NO, DNS, LATER, NULL,
    N_ ("Ask upstream servers not to validate, and pass on whatever they answer") },
  { "dnssec-limits", 0, REQ, DNS, LATER, "<limit>[,<limit>...]",
    N_ ("Limits on the work spent validating one answer") },
  { "auth-server", 0, REQ, DNS, LATER, "<name>[,<interface>|<ipaddr>...]",
    N_ ("Serve the authoritative zones under this name server name") },
  { "auth-zone", 0, REQ, DNS, LATER, "<domain>[,<subnet>...][,exclude:<subnet>...]",
    N_ ("A zone to answer for authoritatively") },
  { "auth-ttl", 0, REQ, DNS, LATER, "<seconds>", N_ ("TTL of authoritative answers") },
  { "auth-soa", 0, REQ, DNS, LATER, "<serial>[,<hostmaster>[,<refresh>[,<retry>[,<expiry>]]]]",
    N_ ("SOA record fields for the authoritative zones") },
  { "auth-sec-servers", 0, REQ, DNS, LATER, "<name>[,<name>...]",
    N_ ("Secondary name servers of the authoritative zones") },
  { "auth-peer", 0, REQ, DNS, LATER, "<ipaddr>[,<ipaddr>...]",
    N_ ("Hosts allowed to transfer the authoritative zones") },

  /* DHCP. */
  { "dhcp-range", 'F', REQ, DHCP, YES,
    "[tag:<tag>,]<start>[,<end>|<mode>][,<mask>|<prefix>][,<lease>]",
    N_ ("Serve DHCP addresses from this range, with this lease time") },
  { "dhcp-host", 'G', REQ, DHCP, YES, "<hostspec>",
    N_ ("Fixed address, name or lease time for one DHCP client") },
  { "dhcp-hostsfile", 0, REQ, DHCP, YES, "<path>",
    N_ ("Read dhcp-host lines from this file, again on every SIGHUP") },
  { "dhcp-hostsdir", 0, REQ, DHCP, YES, "<dir>",
    N_ ("Read dhcp-host lines from every file in this directory, as they change") },
  { "dhcp-option", 'O', REQ, DHCP, YES, "<optspec>", N_ ("A DHCP option to give clients") },
  { "dhcp-option-force", 0, REQ, DHCP, YES, "<optspec>",
    N_ ("A DHCP option to give clients even when they do not ask for it") },
  { "dhcp-optsfile", 0, REQ, DHCP, YES, "<path>",
    N_ ("Read dhcp-option lines from this file, again on every SIGHUP") },
  { "dhcp-optsdir", 0, REQ, DHCP, YES, "<dir>",
    N_ ("Read dhcp-option lines from every file in this directory, as they change") },
  { "dhcp-boot", 'M', REQ, DHCP, YES, "[tag:<tag>,]<file>[,<server name>[,<server address>]]",
    N_ ("Boot file and boot server for BOOTP and PXE clients") },
  { "dhcp-leasefile", 'l', OPT, DHCP, YES, "<path>",
    N_ ("File to keep DHCP leases in (default /var/lib/misc/dnsmasq.leases)"), REQ },
  { "dhcp-lease", 0, REQ, DHCP, YES, "<path>", N_ ("Old name of --dhcp-leasefile"),
    .alias_of = "dhcp-leasefile" },
  { "dhcp-lease-max", 'X', REQ, DHCP, YES, "<integer>",
    N_ ("Most DHCP leases handed out at a time (default 1000)") },
  { "leasefile-ro", '9', NO, DHCP, YES, NULL,
    N_ ("Do not write the lease file; the lease script keeps the leases") },
  { "dhcp-authoritative", 'K', NO, DHCP, YES, NULL,
    N_ ("Act as the only DHCP server on the network") },
  { "dhcp-no-override", 0, NO, DHCP, YES, NULL,
    N_ ("Never reuse the BOOTP file and server name fields for other options") },
  { "dhcp-script", '6', REQ, DHCP, YES, "<path>",
    N_ ("Program to run when a DHCP lease is added, renewed or removed") },
  { "dhcp-luascript", 0, REQ, DHCP, LATER, "<path>",
    N_ ("Lua script to run when a DHCP lease changes") },
  { "dhcp-scriptuser", 0, REQ, DHCP, YES, "<user>",
    N_ ("User to run the lease-change script as") },
  { "script-arp", 0, NO, DHCP, LATER, NULL,
    N_ ("Also call the lease script when the ARP table changes") },
  { "script-on-renewal", 0, NO, DHCP, YES, NULL,
    N_ ("Call the lease script whenever a lease's expiry time changes") },
  { "read-ethers", 'Z', NO, DHCP, YES, NULL, N_ ("Read fixed DHCP hosts from /etc/ethers") },
  { "tag-if", 0, REQ, DHCP, YES, "set:<tag>[,set:<tag>...][,tag:<tag>...]",
    N_ ("Set tags when all the given tags are set") },
  { "dhcp-vendorclass", 'U', REQ, DHCP, YES, "set:<tag>,<class>",
    N_ ("Set a tag for clients sending this vendor class") },
  { "dhcp-userclass", 'j', REQ, DHCP, YES, "set:<tag>,<class>",
    N_ ("Set a tag for clients sending this user class") },
  { "dhcp-circuitid", 0, REQ, DHCP, YES, "set:<tag>,<circuit-id>",
    N_ ("Set a tag from the relay agent circuit id (RFC 3046)") },
  { "dhcp-remoteid", 0, REQ, DHCP, YES, "set:<tag>,<remote-id>",
    N_ ("Set a tag from the relay agent remote id (RFC 3046)") },
  { "dhcp-subscrid", 0, REQ, DHCP, YES, "set:<tag>,<subscriber-id>",
    N_ ("Set a tag from the relay agent subscriber id (RFC 3993)") },
  { "dhcp-mac", '4', REQ, DHCP, YES, "set:<tag>,<mac>",
    N_ ("Set a tag for hardware addresses matching this pattern") },
  { "dhcp-match", 0, REQ, DHCP, YES, "set:<tag>,<option>[,<value>]",
    N_ ("Set a tag for clients whose request has this option") },
  { "dhcp-name-match", 0, REQ, DHCP, YES, "set:<tag>,<name>[*]",
    N_ ("Set a tag for clients giving this host name") },
  { "dhcp-pxe-vendor", 0, REQ, DHCP, YES, "<vendor>[,<vendor>...]",
    N_ ("Vendor classes to treat as PXE clients") },
  { "dhcp-ignore", 'J', REQ, DHCP, YES, "tag:<tag>[,tag:<tag>...]",
    N_ ("Do not answer DHCP clients having these tags") },
  { "dhcp-ignore-names", 0, OPT, DHCP, YES, "tag:<tag>[,tag:<tag>...]",
    N_ ("Ignore the host names DHCP clients send") },
  { "dhcp-generate-names", 0, OPT, DHCP, YES, "tag:<tag>[,tag:<tag>...]",
    N_ ("Make up names for DHCP clients that send none") },
  { "dhcp-broadcast", 0, OPT, DHCP, YES, "tag:<tag>[,tag:<tag>...]",
    N_ ("Broadcast replies to DHCP clients having these tags") },
  { "bootp-dynamic", '3', OPT, DHCP, YES, "tag:<tag>[,tag:<tag>...]",
    N_ ("Give BOOTP clients addresses from the dynamic ranges"), REQ },
  { "no-ping", '5', NO, DHCP, YES, NULL, N_ ("Do not ping an address before handing it out") },
  { "dhcp-fqdn", 0, NO, DHCP, YES, NULL,
    N_ ("Put DHCP client names in the DNS only as fully qualified names") },
  { "dhcp-client-update", 0, NO, DHCP, YES, NULL,
    N_ ("Let DHCP clients update their own DNS names") },
  { "dhcp-sequential-ip", 0, NO, DHCP, YES, NULL,
    N_ ("Hand out addresses in order rather than by hashing the MAC address") },
  { "dhcp-ignore-clid", 0, NO, DHCP, YES, NULL, N_ ("Ignore DHCP client identifiers") },
  { "dhcp-rapid-commit", 0, NO, DHCP, YES, NULL, N_ ("Allow DHCPv4 rapid commit (RFC 4039)") },
  { "dhcp-reply-delay", 0, REQ, DHCP, YES, "[tag:<tag>,]<seconds>",
    N_ ("Wait this long before answering DHCP requests") },
  { "dhcp-alternate-port", 0, OPT, DHCP, YES, "<server port>[,<client port>]",
    N_ ("Use DHCP ports other than the standard ones") },
  { "dhcp-proxy", 0, OPT, DHCP, LATER, "<ipaddr>[,<ipaddr>...]",
    N_ ("Act as a full proxy for these DHCP relays") },
  { "dhcp-relay", 0, REQ, DHCP, YES, "<local address>,<server>[,<interface>]",
    N_ ("Relay DHCP requests to another server") },
  { "dhcp-duid", 0, REQ, DHCP, LATER, "<enterprise id>,<uid>",
    N_ ("Server DUID (DUID-EN) for DHCPv6") },
  { "no-dhcp-interface", '2', REQ, DHCP, YES, "<interface>",
    N_ ("Answer DNS but not DHCP on this interface") },
  { "no-dhcpv4-interface", 0, REQ, DHCP, YES, "<interface>",
    N_ ("Do not answer DHCPv4 on this interface") },
  { "no-dhcpv6-interface", 0, REQ, DHCP, LATER, "<interface>",
    N_ ("Do not answer DHCPv6 or send router advertisements on this interface") },
  { "bridge-interface", 0, REQ, DHCP, LATER, "<interface>,<alias>[,<alias>...]",
    N_ ("Treat DHCP requests arriving on the aliases as arriving on the interface") },
  { "shared-network", 0, REQ, DHCP, LATER, "<interface>|<address>,<address>",
    N_ ("Another network reached through the same link") },
  { "pxe-prompt", 0, REQ, DHCP, YES, "[tag:<tag>,]<prompt>[,<timeout>]",
    N_ ("Prompt shown to PXE clients") },
  { "pxe-service", 0, REQ, DHCP, YES,
    "[tag:<tag>,]<arch>,<menu text>[,<basename>|<type>][,<server>]",
    N_ ("An entry of the PXE boot menu") },
  { "enable-ra", 0, NO, DHCP, LATER, NULL,
    N_ ("Send IPv6 router advertisements on interfaces doing DHCPv6") },
  { "ra-param", 0, REQ, DHCP, LATER,
    "<interface>,[mtu:<value>|<interface>|off,][high|low,]<interval>[,<lifetime>]",
    N_ ("Router advertisement settings: MTU, priority, interval and router lifetime") },
  { "log-dhcp", 0, NO, DHCP, YES, NULL, N_ ("Log DHCP exchanges in detail") },
  { "quiet-dhcp", 0, NO, DHCP, YES, NULL, N_ ("Do not log routine DHCPv4 exchanges") },
  { "quiet-dhcp6", 0, NO, DHCP, LATER, NULL, N_ ("Do not log routine DHCPv6 exchanges") },
  { "quiet-ra", 0, NO, DHCP, LATER, NULL, N_ ("Do not log routine router advertisements") },

  /* TFTP. */
  { "enable-tftp", 0, OPT, TFTP, LATER, "<interface>[,<interface>...]",
    N_ ("Run the built-in read-only TFTP server") },
  { "tftp-root", 0, REQ, TFTP, LATER, "<dir>[,<interface>]",
    N_ ("Serve TFTP files only from below this directory") },
  { "tftp-unique-root", 0, OPT, TFTP, LATER, "ip|mac",
    N_ ("Append the client's IP or MAC address to the TFTP root") },
  { "tftp-secure", 0, NO, TFTP, LATER, NULL,
    N_ ("Serve only files owned by the user hearth runs as") },
  { "tftp-no-fail", 0, NO, TFTP, LATER, NULL,
    N_ ("Keep running when TFTP directories are missing") },
  { "tftp-max", 0, REQ, TFTP, LATER, "<integer>",
    N_ ("Most TFTP transfers at the same time (default 50)") },
  { "tftp-mtu", 0, REQ, TFTP, LATER, "<integer>", N_ ("Largest MTU to use for TFTP") },
  { "tftp-no-blocksize", 0, NO, TFTP, LATER, NULL, N_ ("Refuse the TFTP blocksize option") },
  { "tftp-lowercase", 0, NO, TFTP, LATER, NULL,
    N_ ("Convert requested TFTP file names to lower case") },
  { "tftp-port-range", 0, REQ, TFTP, LATER, "<start>,<end>",
    N_ ("Ports to use for TFTP transfers") },
  { "tftp-single-port", 0, NO, TFTP, LATER, NULL, N_ ("Do all TFTP through port 69") },
  { "quiet-tftp", 0, NO, TFTP, LATER, NULL, N_ ("Do not log routine TFTP transfers") },
};

const char *
hearth_option_owner_to_string (HearthOptionOwner owner)
{
  switch (owner)
    {
    case HEARTH_OPTION_OWNER_CONFIG:
      return "config";
    case HEARTH_OPTION_OWNER_DAEMON:
      return "daemon";
    case HEARTH_OPTION_OWNER_DNS:
      return "dns";
    case HEARTH_OPTION_OWNER_DHCP:
      return "dhcp";
    case HEARTH_OPTION_OWNER_TFTP:
      return "tftp";
    }
  return "unknown";
}

const HearthOptionDef *
hearth_option_table (gsize *out_n)
{
  if (out_n != NULL)
    *out_n = G_N_ELEMENTS (options);
  return options;
}

/* Config files of some installations have a hundred thousand lines
 * (block lists), so long names are found through a hash table, built once. */
static GHashTable *
option_index (void)
{
  static gsize initialised = 0;
  static GHashTable *index = NULL;

  if (g_once_init_enter (&initialised))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
      for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
        g_hash_table_insert (table, (gpointer) options[i].long_name, (gpointer) &options[i]);
      index = table;
      g_once_init_leave (&initialised, 1);
    }
  return index;
}

const HearthOptionDef *
hearth_option_lookup_long (const char *name)
{
  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (option_index (), name);
}

const HearthOptionDef *
hearth_option_lookup_short (char c)
{
  if (c == 0)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    if (options[i].short_name == c)
      return &options[i];
  return NULL;
}

const HearthOptionDef *
hearth_option_canonical (const HearthOptionDef *def)
{
  const HearthOptionDef *real;

  if (def == NULL || def->alias_of == NULL)
    return def;
  real = hearth_option_lookup_long (def->alias_of);
  return real != NULL ? real : def;
}

HearthOptionArg
hearth_option_short_arg (const HearthOptionDef *def)
{
  if (def->arg == HEARTH_OPTION_ARG_OPTIONAL)
    return def->short_arg;
  return def->arg;
}

/* Width of the "-c, --cache-size=<integer>" column, as in dnsmasq --help. */
#define HELP_COLUMN 55

void
hearth_option_print_help (FILE *out)
{
  const char *prgname = g_get_prgname ();

  fprintf (out, _ ("Usage: %s [options]\n\n"), prgname != NULL ? prgname : "hearthd");
  fprintf (out, _ ("Valid options are:\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const HearthOptionDef *def = &options[i];
      g_autoptr (GString) left = g_string_new (NULL);

      if (def->alias_of != NULL)
        continue;

      if (def->short_name != 0)
        g_string_append_printf (left, "-%c, ", def->short_name);
      else
        g_string_append (left, "    ");
      g_string_append_printf (left, "--%s", def->long_name);
      switch (def->arg)
        {
        case HEARTH_OPTION_ARG_NONE:
          break;
        case HEARTH_OPTION_ARG_REQUIRED:
          g_string_append_printf (left, "=%s", def->metavar != NULL ? def->metavar : "<value>");
          break;
        case HEARTH_OPTION_ARG_OPTIONAL:
          g_string_append_printf (left, "[=%s]", def->metavar != NULL ? def->metavar : "<value>");
          break;
        }

      /* dnsmasq cuts a long left column off; a line break keeps it whole. */
      if (left->len >= HELP_COLUMN)
        fprintf (out, "%s\n%*s", left->str, HELP_COLUMN, "");
      else
        fprintf (out, "%-*s", HELP_COLUMN, left->str);

      if (def->implemented)
        fprintf (out, "%s\n", _ (def->help));
      else
        /* TRANSLATORS: %s is an option's help line. */
        fprintf (out, _ ("%s (not supported yet)\n"), _ (def->help));
    }
}
