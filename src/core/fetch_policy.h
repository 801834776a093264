/*
 * fetch_policy.h - which URLs BBB may be told to fetch: presentation
 * documents (create, insertDocument) and webhook callbacks. A pure check
 * of the URL text; no DNS.
 */
#ifndef GW_FETCH_POLICY_H
#define GW_FETCH_POLICY_H

#include <stddef.h>

/*
 * Why BBB must not be given url to fetch, as a static sentence for a
 * problem's detail ("the host is a loopback address"), or NULL when it may.
 *
 * Refused: anything but http(s)://host[:port][/...]; user-info
 * ("user:password@"); a '%' or other byte that is not a host character in
 * the host; a bad port; hosts "localhost" and "*.localhost" (any case, a
 * trailing dot ignored); and IP literals that are loopback, private
 * (RFC 1918, fc00::/7, 100.64.0.0/10), link-local, unspecified, multicast
 * or reserved, in every spelling a resolver accepts: IPv4 as inet_aton()
 * reads it (2130706433, 0x7f.1, 0177.0.0.1, 127.1), bracketed IPv6, and
 * IPv6 forms that embed an IPv4 address (::ffff:a.b.c.d, ::a.b.c.d,
 * 64:ff9b::a.b.c.d). A host whose last label is a number but that is not a
 * valid IPv4 address is refused too (browsers and curl read it as one).
 *
 * allow (n entries, borrowed; NULL when n is 0) lists hosts or networks
 * that are accepted anyway, each as gw_fetch_policy_entry_problem()
 * accepts it: a name matches the host exactly (case-insensitive, trailing
 * dot ignored), a network matches an IP literal host in any spelling.
 * Names that merely resolve to internal addresses are not caught: that is
 * for BBB's egress firewall.
 */
const char *gw_fetch_policy_check(const char *url, char *const *allow, size_t n);

/*
 * Why entry is not a valid allow-list entry (a static sentence), or NULL:
 * a host name ("files.internal.example"), an IP address, or a network
 * "address/prefix" ("10.1.2.0/24", "fd00::/8") without host bits set.
 */
const char *gw_fetch_policy_entry_problem(const char *entry);

#endif
