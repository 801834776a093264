/*
 * config_check.c - the checks the config loader applies to single values:
 * BBB URLs, secrets, browser origins, IP addresses, names and UTC times,
 * and the keys of JWT issuers (public keys loaded by crypto.c); Redis
 * URLs have config_redis.c. Each is a pure function of the text; it
 * answers with the reason a value is refused (a static string the loader
 * puts after "file:line: key: ") or NULL, and never repeats the value,
 * since a misplaced secret or token could be among them.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gw_limits.h"
#include "str.h"

_Static_assert(GW_CONFIG_URL_MAX_LEN == 2048u, "update the message in gw_config_url_problem()");
_Static_assert(GW_CONFIG_ORIGIN_MAX_LEN == 256u, "update the message in "
						 "gw_config_origin_problem()");
_Static_assert(GW_MAX_SECRET_LEN == 1024u, "update the message in gw_config_secret_problem()");
_Static_assert(GW_MAX_KEY_FILE_BYTES == 65536u && GW_CONFIG_MIN_HS_KEY_BYTES == 32u &&
		       GW_CONFIG_MIN_RSA_BITS == 2048u,
	       "update the messages in gw_config_issuer_key_problem()");

const char *gw_config_url_problem(const char *url)
{
	struct gw_str_url u;
	size_t skip;

	if (strncmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return "must start with http:// or https://";
	if (strlen(url) > GW_CONFIG_URL_MAX_LEN)
		return "is longer than 2048 characters";
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
			return "must not contain spaces, control characters, a query or a fragment";
	}
	if (url[skip] == '\0' || url[skip] == '/' || url[skip] == ':')
		return "has no host";
	/* e.g. an unclosed "[" of an IPv6 host: the join URLs could not be made from it */
	if (gw_str_url_split(url, &u) != GW_OK)
		return "is not a URL (scheme://host[:port][/path])";
	return NULL;
}

bool gw_config_url_has_userinfo(const char *url)
{
	struct gw_str_url u;

	/* A URL that does not split is refused by gw_config_url_problem() anyway. */
	return gw_str_url_split(url, &u) != GW_OK || u.has_userinfo;
}

const char *gw_config_secret_problem(const char *s, size_t n)
{
	if (n == 0)
		return "is empty";
	if (n > GW_MAX_SECRET_LEN)
		return "is longer than 1024 bytes";
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return "contains whitespace or control characters";
	}
	return NULL;
}

/* The port of an origin, after the ':'. */
static const char *port_problem(const char *p, bool https)
{
	unsigned long v = 0;
	size_t n;

	for (n = 0; p[n] >= '0' && p[n] <= '9' && n < 6; n++)
		v = v * 10 + (unsigned long)(p[n] - '0');
	if (p[n] == '/')
		return "must not have a path, not even a trailing /";
	if (n == 0 || p[0] == '0' || v > 65535 || p[n] != '\0')
		return "has a bad port";
	if (v == (https ? 443u : 80u))
		return "must leave out the default port (browsers do)";
	return NULL;
}

const char *gw_config_origin_problem(const char *o)
{
	static const char host_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789.-";
	bool https = strncmp(o, "https://", 8) == 0;
	const char *host;
	const char *p;

	if (strchr(o, '*') != NULL)
		return "wildcards are not allowed: list each origin";
	if (strlen(o) > GW_CONFIG_ORIGIN_MAX_LEN)
		return "is longer than 256 characters";
	if (!https && strncmp(o, "http://", 7) != 0)
		return "must be scheme://host[:port] with scheme http or https";
	for (p = o; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return "must be lowercase, as browsers send it";
	}
	host = o + (https ? 8 : 7);
	if (*host == '[') {
		p = host + 1 + strspn(host + 1, "0123456789abcdef:.");
		if (p == host + 1 || *p != ']')
			return "has a malformed IPv6 address";
		p++;
	} else {
		p = host + strspn(host, host_chars);
	}
	if (p == host)
		return "has no host";
	if (*p == ':')
		return port_problem(p + 1, https);
	if (*p == '/')
		return "must not have a path, not even a trailing /";
	if (*p != '\0')
		return "must be scheme://host[:port] (no path, query or user info)";
	return NULL;
}

bool gw_config_ip_ok(const char *s)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

bool gw_config_label_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= GW_CONFIG_TOKEN_NAME_MAX_LEN &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

const char *gw_config_label_problem(const char *s)
{
	return gw_config_label_ok(s) ? NULL : "must be 1 to 64 characters from A-Z a-z 0-9 . _ -";
}

bool gw_config_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GW_CONFIG_ID_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	}
	return true;
}

const char *gw_config_issuer_key_problem(enum gw_jwt_alg alg, const unsigned char *key, size_t n,
					 bool *oom)
{
	const char *why = NULL;
	unsigned bits = 0;
	enum gw_err err;

	if (n > GW_MAX_KEY_FILE_BYTES)
		return "is longer than 65536 bytes";
	if (alg == GW_JWT_HS256 || alg == GW_JWT_HS384 || alg == GW_JWT_HS512)
		return n < GW_CONFIG_MIN_HS_KEY_BYTES ? "must be at least 32 bytes" : NULL;
	if (alg != GW_JWT_RS256 && alg != GW_JWT_ES256)
		return "has no algorithm to check it against";
	err = gw_crypto_public_key_check((const char *)key, n, alg == GW_JWT_ES256, &bits, &why);
	if (err == GW_E_NOMEM)
		*oom = true;
	if (err != GW_OK)
		return err == GW_E_NOMEM ? "out of memory" : why;
	if (alg == GW_JWT_RS256 && bits < GW_CONFIG_MIN_RSA_BITS)
		return "is an RSA key of fewer than 2048 bits: RS256 needs at least 2048";
	return NULL;
}

/* The n decimal digits at s (checked by the caller) as a number. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* The fields of "YYYY-MM-DDTHH:MM:SSZ" (20 chars); false when the text has another shape. */
static bool split_time(const char *s, struct tm *tm)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i] != '\0'; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';

		if (shape[i] == 'd' ? !digit : s[i] != shape[i])
			return false;
	}
	*tm = (struct tm){
		.tm_year = digits(s, 4) - 1900,
		.tm_mon = digits(s + 5, 2) - 1,
		.tm_mday = digits(s + 8, 2),
		.tm_hour = digits(s + 11, 2),
		.tm_min = digits(s + 14, 2),
		.tm_sec = digits(s + 17, 2),
	};
	return true;
}

const char *gw_config_time_problem(const char *s, long long *out)
{
	struct tm want;
	struct tm got;
	time_t t;

	if (!split_time(s, &want))
		return "must be a UTC time written YYYY-MM-DDTHH:MM:SSZ";
	got = want;
	t = timegm(&got);
	/*
	 * timegm() normalises out-of-range fields (month 13, 30 February, second
	 * 60) and returns -1 both for an error and for 1969-12-31T23:59:59Z;
	 * converting back and comparing catches all of these.
	 */
	if (gmtime_r(&t, &got) == NULL || got.tm_year != want.tm_year ||
	    got.tm_mon != want.tm_mon || got.tm_mday != want.tm_mday ||
	    got.tm_hour != want.tm_hour || got.tm_min != want.tm_min || got.tm_sec != want.tm_sec)
		return "is not a valid date and time";
	/* expires_at 0 means "never", so nothing at or before the epoch is a usable time. */
	if (t <= 0)
		return "must be later than 1970-01-01T00:00:00Z";
	*out = (long long)t;
	return NULL;
}

const char *gw_config_prefix_problem(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GW_MAX_TENANT_PREFIX_LEN)
		return "must be 1 to 32 characters";
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") != n)
		return "may hold only A-Z a-z 0-9 . _ ~ -";
	return NULL;
}

const char *gw_config_param_name_problem(const char *s)
{
	static const char *const own[] = {"meetingID", "checksum"};
	size_t n = strlen(s);

	if (n == 0 || n > 128 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return "is not a BBB parameter name (a letter, then A-Z a-z 0-9 _ -; at most 128)";
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (strcmp(s, own[i]) == 0)
			return "is set by the gateway itself";
	}
	if (strcasecmp(s, "meta_" GW_TENANT_META) == 0)
		return "is set by the gateway itself";
	return NULL;
}
