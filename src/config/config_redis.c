/*
 * config_redis.c - state.redis: where several gateways keep their shared
 * state. One parser reads the URL into offsets of the text (struct view)
 * and says why it refuses one; the loader asks it for the reason alone
 * (gw_config_redis_problem), the Redis client for the parts copied out
 * (gw_config_redis_url), so both read a URL the same way.
 *
 * Two forms: "redis://[:password@]host[:port][/db]", split by
 * gw_str_url_split as every other URL, and "unix:/path[?db=N]". The
 * password is the user-info after its ':' (a Redis without ACL users has
 * no user name), taken as written. A reason never repeats the URL: the
 * password is part of it.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"
#include "str.h"

#define HOST_MAX_LEN 253u
#define LABEL_MAX_LEN 63u

/* The parts of a Redis URL, as offsets into its text. */
struct view {
	const char *host; /* NULL for a Unix socket */
	size_t host_len;  /* without an IPv6 literal's brackets */
	const char *path; /* NULL for TCP */
	size_t path_len;
	const char *password; /* NULL for none */
	size_t password_len;
	unsigned port;
	unsigned db;
};

/* n decimal digits at s, 1 <= n <= 5, into *out; false for anything else. */
static bool small_number(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10u + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static const char *db_problem(const char *s, size_t n, unsigned *db)
{
	if (!small_number(s, n, db) || *db > GW_REDIS_MAX_DB)
		return "has a bad database number (0..15)";
	return NULL;
}

/* An [IPv6] literal (brackets included in s, n), an IPv4 address or a host name. */
static const char *host_problem(const char *s, size_t n)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char lit[INET6_ADDRSTRLEN + 1];
	size_t label = 0;

	if (n == 0)
		return "has no host";
	if (s[0] == '[') {
		if (n - 2 >= sizeof(lit))
			return "has a malformed IPv6 address";
		memcpy(lit, s + 1, n - 2);
		lit[n - 2] = '\0';
		return inet_pton(AF_INET6, lit, addr) == 1 ? NULL : "has a malformed IPv6 address";
	}
	if (n > HOST_MAX_LEN)
		return "has a bad host name";
	if (strspn(s, "0123456789.") >= n) {
		/* all digits and dots: an IPv4 address or nothing */
		if (n >= sizeof(lit))
			return "has a malformed IPv4 address";
		memcpy(lit, s, n);
		lit[n] = '\0';
		return inet_pton(AF_INET, lit, addr) == 1 ? NULL : "has a malformed IPv4 address";
	}
	/* Labels of letters, digits, '-' and '_' (container names have them), 1..63 each. */
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > LABEL_MAX_LEN || s[i - label] == '-' ||
			    s[i - 1] == '-')
				return "has a bad host name";
			label = 0;
		} else if (strchr("abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
				  s[i]) == NULL) {
			return "has a bad host name";
		} else {
			label++;
		}
	}
	return NULL;
}

static const char *userinfo_problem(const char *s, size_t n, struct view *v)
{
	if (n == 0 || s[0] != ':')
		return "may hold only a password in its user-info (redis://:password@host), "
		       "no user name";
	if (n == 1)
		return "has an empty password";
	if (n - 1 > GW_MAX_SECRET_LEN)
		return "has a password longer than 1024 bytes";
	v->password = s + 1;
	v->password_len = n - 1;
	return NULL;
}

static const char *tcp_problem(const char *url, struct view *v)
{
	struct gw_str_url u;
	const char *rest;
	const char *why;

	if (gw_str_url_split(url, &u) != GW_OK)
		return "is not a URL (redis://host[:port][/db])";
	if (u.has_userinfo) {
		why = userinfo_problem(url + u.userinfo, u.userinfo_len, v);
		if (why != NULL)
			return why;
	}
	why = host_problem(url + u.host, u.host_len);
	if (why != NULL)
		return why;
	v->host = url + u.host + (url[u.host] == '[' ? 1 : 0);
	v->host_len = u.host_len - (url[u.host] == '[' ? 2 : 0);
	v->port = GW_DEFAULT_REDIS_PORT;
	if (u.has_port &&
	    (!small_number(url + u.port, u.port_len, &v->port) || v->port == 0 || v->port > 65535))
		return "has a bad port (1..65535)";
	rest = url + u.end;
	if (strpbrk(rest, "?#") != NULL)
		return "must not have a query or a fragment";
	if (rest[0] == '\0' || strcmp(rest, "/") == 0)
		return NULL;
	return db_problem(rest + 1, strlen(rest + 1), &v->db);
}

static const char *unix_problem(const char *url, struct view *v)
{
	const char *path = url + strlen("unix:");
	size_t n = strcspn(path, "?");

	if (path[0] != '/' || path[1] == '/')
		return "must name an absolute socket path (unix:/run/redis/redis.sock)";
	if (n > GW_REDIS_MAX_UNIX_PATH)
		return "has a socket path longer than 107 bytes";
	if (memchr(path, '#', n) != NULL)
		return "must not have a fragment";
	v->path = path;
	v->path_len = n;
	if (path[n] == '\0')
		return NULL;
	if (strncmp(path + n, "?db=", 4) != 0)
		return "takes only ?db=N after the socket path";
	return db_problem(path + n + 4, strlen(path + n + 4), &v->db);
}

static const char *parse(const char *url, struct view *v)
{
	*v = (struct view){0};
	if (strlen(url) > GW_CONFIG_URL_MAX_LEN)
		return "is longer than 2048 characters";
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "must not contain spaces or control characters";
	}
	if (strncmp(url, "redis://", 8) == 0)
		return tcp_problem(url, v);
	if (strncmp(url, "unix:", 5) == 0)
		return unix_problem(url, v);
	return "must be redis://[:password@]host[:port][/db] or unix:/path[?db=N]";
}

_Static_assert(GW_CONFIG_URL_MAX_LEN == 2048u && GW_MAX_SECRET_LEN == 1024u &&
		       GW_REDIS_MAX_DB == 15u && GW_REDIS_MAX_UNIX_PATH == 107u,
	       "update the messages of config_redis.c");

const char *gw_config_redis_problem(const char *url)
{
	struct view v;

	return parse(url, &v);
}

/* A copy of the n bytes at s, or NULL for no s; *oom when the copy failed. */
static char *part(const char *s, size_t n, bool *oom)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = strndup(s, n);
	*oom = *oom || p == NULL;
	return p;
}

enum gw_err gw_config_redis_url(const char *url, struct gw_redis_addr *out)
{
	struct gw_redis_addr a = {0};
	struct view v;
	bool oom = false;

	if (parse(url, &v) != NULL)
		return GW_E_PARSE;
	a.host = part(v.host, v.host_len, &oom);
	a.port = v.host != NULL ? v.port : 0;
	a.unix_path = part(v.path, v.path_len, &oom);
	a.db = v.db;
	a.password = part(v.password, v.password_len, &oom);
	if (oom) {
		gw_config_redis_addr_deinit(&a);
		return GW_E_NOMEM;
	}
	*out = a;
	return GW_OK;
}

void gw_config_redis_addr_deinit(struct gw_redis_addr *a)
{
	if (a == NULL)
		return;
	free(a->host);
	free(a->unix_path);
	gw_config_free_secret(a->password);
	*a = (struct gw_redis_addr){0};
}
