/*
 * fetch_policy.c - which URLs BBB may be told to fetch (presentation
 * documents, webhook callbacks), so that a caller cannot make BBB reach
 * addresses only BBB can see: its loopback, the cloud metadata service,
 * the private network behind it.
 *
 * The model: the host of the URL is read the way the widest resolver
 * reads it (glibc's inet_aton for anything whose last label is a number,
 * so 2130706433, 0x7f.1 and 0177.0.0.1 are all 127.0.0.1; IPv6 in
 * brackets, with the IPv4 forms embedded in it unwrapped) and every
 * address is classified as one 16-byte IPv6 address, IPv4 mapped into
 * ::ffff:0:0/96. Anything the reading is not sure about is refused rather
 * than guessed at. Names are not resolved: the gateway must not block on
 * DNS, and a name resolving inward is for BBB's egress firewall.
 */
#include "fetch_policy.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_limits.h"
#include "str.h"

struct host {
	char name[GW_MAX_FETCH_HOST_LEN + 1]; /* lowercase, no trailing dot; "" for an IP */
	bool ip;
	unsigned char a[16]; /* the address when ip; IPv4 as ::ffff:a.b.c.d */
};

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

static void map_v4(uint32_t v, unsigned char a[16])
{
	memcpy(a, v4_mapped, sizeof(v4_mapped));
	a[12] = (unsigned char)(v >> 24);
	a[13] = (unsigned char)(v >> 16);
	a[14] = (unsigned char)(v >> 8);
	a[15] = (unsigned char)v;
}

/*
 * A label that a URL parser takes for a number (WHATWG "ends in a number"):
 * decimal digits, or 0x and hex digits. Such a host is an IPv4 address or
 * nothing.
 */
static bool numeric_label(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && lower(s[1]) == 'x') {
		for (i = 2; i < n && is_hex(s[i]); i++)
			;
		return i == n;
	}
	for (i = 0; i < n && is_digit(s[i]); i++)
		;
	return n > 0 && i == n;
}

/* Host-name text: labels of [a-z0-9_-] (case-folded into out), no empty label. */
static const char *name_problem(const char *h, size_t n, char *out)
{
	size_t label = 0;

	for (size_t i = 0; i < n; i++) {
		char c = h[i];

		if (c == '%')
			return "the host must not be percent-encoded";
		if (c == '.' && label == 0)
			return "the host has an empty label";
		if (c != '.' && c != '-' && c != '_' && !is_hex(c) &&
		    !(lower(c) >= 'g' && lower(c) <= 'z'))
			return "the host has characters a host name cannot have";
		label = c == '.' ? 0 : label + 1;
		out[i] = lower(c);
	}
	out[n] = '\0';
	if (n == 0)
		return "the URL has no host";
	return label == 0 ? "the host has an empty label" : NULL;
}

/* Reads the host h (n bytes, brackets kept) into *out. */
static const char *parse_host(const char *h, size_t n, struct host *out)
{
	char text[GW_MAX_FETCH_HOST_LEN + 1];
	struct in_addr in4;
	const char *why;
	const char *last;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return "the URL has no host";
	if (n > GW_MAX_FETCH_HOST_LEN)
		return "the host is too long";
	if (h[0] == '[') {
		/* Only hex, ':' and '.': a zone ("%25eth0") or anything else is refused. */
		for (size_t i = 1; i + 1 < n; i++) {
			if (!is_hex(h[i]) && h[i] != ':' && h[i] != '.')
				return "the host is not a valid IPv6 address";
		}
		memcpy(text, h + 1, n - 2);
		text[n - 2] = '\0';
		if (inet_pton(AF_INET6, text, out->a) != 1)
			return "the host is not a valid IPv6 address";
		out->ip = true;
		return NULL;
	}
	/* One trailing dot is the same host to a resolver ("localhost."). */
	if (h[n - 1] == '.')
		n--;
	why = name_problem(h, n, out->name);
	if (why != NULL)
		return why;
	last = strrchr(out->name, '.');
	last = last != NULL ? last + 1 : out->name;
	if (!numeric_label(last, strlen(last)))
		return NULL;
	if (inet_aton(out->name, &in4) == 0)
		return "the host is not a valid IPv4 address";
	map_v4(ntohl(in4.s_addr), out->a);
	out->name[0] = '\0';
	out->ip = true;
	return NULL;
}

static const char *classify_v4(uint32_t v)
{
	if ((v >> 24) == 0)
		return "the host is an unspecified address (0.0.0.0/8)";
	if ((v >> 24) == 127)
		return "the host is a loopback address";
	if ((v >> 24) == 10 || (v >> 20) == 0xac1 || (v >> 16) == 0xc0a8)
		return "the host is a private address";
	if ((v >> 22) == (100u << 2 | 1u))
		return "the host is a private address (carrier-grade NAT, 100.64.0.0/10)";
	if ((v >> 16) == 0xa9fe)
		return "the host is a link-local address (169.254.0.0/16, cloud metadata)";
	if ((v >> 28) == 0xe)
		return "the host is a multicast address";
	if ((v >> 28) == 0xf)
		return "the host is a reserved or broadcast address";
	return NULL;
}

static const char *classify(const unsigned char a[16])
{
	static const unsigned char zero[16];
	uint32_t v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];

	if (memcmp(a, v4_mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return classify_v4(v4);
	if (memcmp(a, zero, 16) == 0)
		return "the host is an unspecified address (::)";
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return "the host is a loopback address";
	if (memcmp(a, zero, 12) == 0)
		return "the host is a reserved address (IPv4-compatible IPv6)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "the host is a link-local address (fe80::/10)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "the host is a private address (site-local, fec0::/10)";
	if ((a[0] & 0xfe) == 0xfc)
		return "the host is a private address (unique local, fc00::/7)";
	if (a[0] == 0xff)
		return "the host is a multicast address";
	return NULL;
}

/* "address/prefix" or a bare address into a (IPv4 mapped) and *prefix (of 128). */
static bool parse_net(const char *entry, unsigned char a[16], unsigned *prefix)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(entry, '/');
	size_t n = slash != NULL ? (size_t)(slash - entry) : strlen(entry);
	unsigned long p = 0;
	struct in_addr in4;
	bool v4;

	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, entry, n);
	text[n] = '\0';
	v4 = inet_pton(AF_INET, text, &in4) == 1;
	if (v4)
		map_v4(ntohl(in4.s_addr), a);
	else if (inet_pton(AF_INET6, text, a) != 1)
		return false;
	if (slash == NULL) {
		*prefix = 128;
		return true;
	}
	slash++;
	/* Decimal without a sign or a leading zero, at most 3 digits. */
	for (n = 0; is_digit(slash[n]) && n < 3; n++)
		p = p * 10 + (unsigned long)(slash[n] - '0');
	if (n == 0 || slash[n] != '\0' || (n > 1 && slash[0] == '0') || p > (v4 ? 32u : 128u))
		return false;
	*prefix = (unsigned)p + (v4 ? 96u : 0u);
	return true;
}

/* True when a and b agree in their first bits bits. */
static bool same_prefix(const unsigned char a[16], const unsigned char b[16], unsigned bits)
{
	unsigned whole = bits / 8;
	unsigned rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & mask) == 0;
}

static bool allowed(const struct host *h, char *const *allow, size_t n)
{
	unsigned char net[16];
	unsigned prefix;

	for (size_t i = 0; i < n; i++) {
		const char *e = allow[i];
		size_t len = strlen(e);

		if (parse_net(e, net, &prefix)) {
			if (h->ip && same_prefix(h->a, net, prefix))
				return true;
			continue;
		}
		if (len > 0 && e[len - 1] == '.')
			len--;
		if (!h->ip && strlen(h->name) == len && strncasecmp(h->name, e, len) == 0)
			return true;
	}
	return false;
}

static bool is_localhost(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "localhost") == 0 ||
	       (n > 10 && strcmp(name + n - 10, ".localhost") == 0);
}

static const char *port_problem(const char *p, size_t n)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]) || i >= 5)
			return "the URL has a bad port";
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v > 65535 ? "the URL has a bad port" : NULL;
}

const char *gw_fetch_policy_check(const char *url, char *const *allow, size_t n)
{
	struct gw_str_url u;
	struct host h;
	const char *why;

	if (gw_str_url_split(url, &u) != GW_OK ||
	    !((u.scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
	      (u.scheme_len == 5 && strncasecmp(url, "https", 5) == 0)))
		return "the URL must be an absolute http:// or https:// URL";
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "the URL must not contain spaces or control characters";
	}
	if (u.has_userinfo)
		return "the URL must not contain user-info (user:password@)";
	why = parse_host(url + u.host, u.host_len, &h);
	if (why == NULL && u.has_port)
		why = port_problem(url + u.port, u.port_len);
	if (why != NULL || allowed(&h, allow, n))
		return why;
	if (!h.ip)
		return is_localhost(h.name) ? "the host is localhost" : NULL;
	return classify(h.a);
}

const char *gw_fetch_policy_entry_problem(const char *entry)
{
	char name[GW_MAX_FETCH_HOST_LEN + 1];
	unsigned char a[16];
	unsigned char masked[16];
	unsigned prefix;
	size_t n = strlen(entry);
	const char *last;
	const char *why;

	if (strchr(entry, '/') != NULL || strchr(entry, ':') != NULL) {
		if (!parse_net(entry, a, &prefix))
			return "must be a host name, an IP address or a network address/prefix "
			       "(e.g. \"10.1.2.0/24\", \"fd00::/8\")";
		memcpy(masked, a, sizeof(a));
		for (unsigned b = prefix; b < 128; b++)
			masked[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
		return memcmp(masked, a, sizeof(a)) == 0 ? NULL
							 : "has bits set after the prefix length";
	}
	if (parse_net(entry, a, &prefix))
		return NULL;
	if (n > 0 && entry[n - 1] == '.')
		n--;
	if (n > GW_MAX_FETCH_HOST_LEN)
		return "is longer than a host name can be";
	why = name_problem(entry, n, name);
	if (why != NULL)
		return "must be a host name (letters, digits, '-', '_', dots between labels), an "
		       "IP address or a network";
	last = strrchr(name, '.');
	last = last != NULL ? last + 1 : name;
	if (numeric_label(last, strlen(last)))
		return "is neither a host name nor an IP address in dotted-quad form";
	return NULL;
}
