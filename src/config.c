/*
 * config.c - the gateway's configuration, read with libconfig.
 *
 * One table, keys[], lists every setting: its path, type, default, range,
 * environment override and where it lands (an offset into struct gw_config,
 * or into struct gw_token for the members of a tokens entry). The defaults
 * constructor fills a snapshot from it, the loader walks the parsed file
 * against it (a group or key missing from the table is an error) and
 * gw_config_reference() prints it as the table in docs/configuration.md.
 * Every problem is appended as "file:line: key: problem" and loading goes on,
 * so one run reports them all; values are never echoed, since a misplaced
 * secret or token could be among them. libconfig's strings die with
 * config_destroy(), so every string kept is copied.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"

#define URL_MAX_LEN 2048u
#define ORIGIN_MAX_LEN 256u
#define TOKEN_NAME_MAX_LEN 64u
/* Room for the longest secret plus trailing whitespace in a secret file. */
#define SECRET_FILE_MAX (GW_MAX_SECRET_LEN + 256u)

enum ktype {
	KT_IP,          /* char *, IPv4 or IPv6 address literal */
	KT_URL,         /* char *, http(s) URL, trailing '/' stripped */
	KT_SECRET,      /* char *, zeroed when freed */
	KT_SECRET_FILE, /* path; the file is read into bbb_secret after the walk */
	KT_UINT,        /* unsigned in [min, max] */
	KT_SIZE,        /* size_t in [min, max] */
	KT_BOOL,        /* bool */
	KT_ENUM,        /* int-sized enum, one of names[] */
	KT_DIGEST,      /* enum gw_digest, by gw_crypto_digest_from_name() */
	KT_ORIGINS,     /* char ** at off, count (size_t) at off_n */
	KT_TOKENS,      /* the tokens list; its members are the K_TOKEN keys */
	KT_TOKEN_NAME,  /* char *, [A-Za-z0-9._-]{1,64} */
	KT_TOKEN_HASH,  /* unsigned char[32] from "sha256:<64 hex>" */
	KT_SCOPES,      /* unsigned bit set of enum gw_scope */
};

#define K_REQUIRED 1u /* must be present (unless its env variable is set) */
#define K_TOKEN 2u    /* member of a tokens entry; offsets are into struct gw_token */

struct ename {
	const char *name;
	int value;
};

struct key {
	const char *path;
	enum ktype type;
	unsigned flags;
	size_t off;
	size_t off_n;
	long long def, min, max;
	const char *def_str;       /* default of a string key */
	const char *def_doc;       /* default as shown in the docs, when not a plain value */
	const struct ename *names; /* KT_ENUM */
	const char *env;           /* environment variable that replaces the value */
	const char *doc;
};

/* Tables: one entry per line (or key) reads better than one field per line. */
/* clang-format off */
static const struct ename log_levels[] = {
	{ "error", GW_LOG_ERR },   { "warning", GW_LOG_WARNING }, { "notice", GW_LOG_NOTICE },
	{ "info", GW_LOG_INFO },   { "debug", GW_LOG_DEBUG },     { NULL, 0 },
};

static const struct ename log_formats[] = {
	{ "text", GW_LOG_FORMAT_TEXT },
	{ "json", GW_LOG_FORMAT_JSON },
	{ NULL, 0 },
};

/* How each type is named in the docs. */
static const char *const type_names[] = {
	[KT_IP] = "string (IP address)",  [KT_URL] = "string (URL)",
	[KT_SECRET] = "string (secret)",  [KT_SECRET_FILE] = "string (path)",
	[KT_UINT] = "integer",            [KT_SIZE] = "integer (bytes)",
	[KT_BOOL] = "boolean",            [KT_ENUM] = "string",
	[KT_DIGEST] = "string",           [KT_ORIGINS] = "array of strings",
	[KT_TOKENS] = "list of groups",   [KT_TOKEN_NAME] = "string",
	[KT_TOKEN_HASH] = "string",       [KT_SCOPES] = "array of strings",
};

_Static_assert(sizeof(enum gw_log_level) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_log_format) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_digest) == sizeof(int), "enums are stored as int");

#define CFG(f) offsetof(struct gw_config, f)
#define TOK(f) offsetof(struct gw_token, f)
#define KIB 1024ll
#define MIB (1024ll * 1024ll)

static const struct key keys[] = {
	{ .path = "listen.address", .type = KT_IP, .off = CFG(listen_address),
	  .def_str = "127.0.0.1",
	  .doc = "IPv4 or IPv6 address the HTTP server binds; `::` or `0.0.0.0` for all." },
	{ .path = "listen.port", .type = KT_UINT, .off = CFG(listen_port), .def = 8090,
	  .max = 65535, .doc = "TCP port; 0 picks a free port (tests)." },
	{ .path = "listen.threads", .type = KT_UINT, .off = CFG(threads), .def = 0, .max = 64,
	  .doc = "HTTP worker threads; 0 = one per CPU." },
	{ .path = "limits.max_body_bytes", .type = KT_SIZE, .off = CFG(max_body_bytes),
	  .def = GW_DEFAULT_MAX_BODY_BYTES, .min = 1, .max = GW_MAX_MAX_BODY_BYTES,
	  .doc = "Largest request body accepted; larger gets 413." },
	{ .path = "limits.max_header_bytes", .type = KT_SIZE, .off = CFG(max_header_bytes),
	  .def = GW_DEFAULT_MAX_HEADER_BYTES, .min = 4 * KIB, .max = MIB,
	  .doc = "Memory per connection for the request line and headers (431/414 beyond)." },
	{ .path = "limits.max_connections", .type = KT_UINT, .off = CFG(max_connections),
	  .def = GW_DEFAULT_MAX_CONNECTIONS, .min = 1, .max = 100000,
	  .doc = "Concurrent client connections." },
	{ .path = "limits.per_ip_connections", .type = KT_UINT, .off = CFG(per_ip_connections),
	  .def = GW_DEFAULT_PER_IP_CONNECTIONS, .max = 100000,
	  .doc = "Concurrent connections per client IP; 0 = unlimited (0 behind a proxy)." },
	{ .path = "limits.idle_timeout_s", .type = KT_UINT, .off = CFG(idle_timeout_s),
	  .def = GW_DEFAULT_IDLE_TIMEOUT_S, .min = 1, .max = 3600,
	  .doc = "Seconds a client connection may stay silent before it is closed." },
	{ .path = "limits.max_inflight", .type = KT_UINT, .off = CFG(max_inflight),
	  .def = GW_DEFAULT_MAX_INFLIGHT, .min = 1, .max = 1000000,
	  .doc = "Requests waiting on BBB at once; more get 503." },
	{ .path = "limits.shutdown_timeout_ms", .type = KT_UINT, .off = CFG(shutdown_timeout_ms),
	  .def = GW_DEFAULT_SHUTDOWN_TIMEOUT_MS, .max = 600000,
	  .doc = "How long SIGTERM waits for in-flight requests before exiting." },
	{ .path = "bbb.url", .type = KT_URL, .flags = K_REQUIRED, .off = CFG(bbb_url),
	  .def_doc = "required", .env = "BBB_GATEWAY_BBB_URL",
	  .doc = "BBB API base the gateway calls (http:// or https://; a trailing / is dropped)." },
	{ .path = "bbb.public_url", .type = KT_URL, .off = CFG(bbb_public_url),
	  .def_doc = "bbb.url",
	  .doc = "BBB API base that join URLs point at, as browsers reach it." },
	{ .path = "bbb.secret", .type = KT_SECRET, .off = CFG(bbb_secret),
	  .def_doc = "one of secret, secret_file", .env = "BBB_GATEWAY_BBB_SECRET",
	  .doc = "BBB shared secret (`bbb-conf --secret`); prefer secret_file." },
	{ .path = "bbb.secret_file", .type = KT_SECRET_FILE, .off = CFG(bbb_secret),
	  .def_doc = "one of secret, secret_file",
	  .doc = "File holding the BBB secret (trailing whitespace dropped); relative to the "
		 "config file's directory." },
	{ .path = "bbb.checksum", .type = KT_DIGEST, .off = CFG(checksum), .def = GW_DIGEST_SHA256,
	  .doc = "Checksum algorithm; must be enabled on the BBB server." },
	{ .path = "bbb.timeout_ms", .type = KT_UINT, .off = CFG(bbb_timeout_ms),
	  .def = GW_DEFAULT_BBB_TIMEOUT_MS, .min = 100, .max = 600000,
	  .doc = "Deadline for a whole BBB call; past it the client gets 504." },
	{ .path = "bbb.connect_timeout_ms", .type = KT_UINT, .off = CFG(bbb_connect_timeout_ms),
	  .def = GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS, .min = 100, .max = 600000,
	  .doc = "Deadline for TCP and TLS set-up to BBB; at most bbb.timeout_ms." },
	{ .path = "bbb.max_reply_bytes", .type = KT_SIZE, .off = CFG(bbb_max_reply_bytes),
	  .def = GW_DEFAULT_BBB_MAX_REPLY_BYTES, .min = 1 * KIB, .max = 256 * MIB,
	  .doc = "Largest BBB reply read; larger gives 502." },
	{ .path = "bbb.max_connections", .type = KT_UINT, .off = CFG(bbb_max_connections),
	  .def = GW_DEFAULT_BBB_MAX_CONNECTIONS, .min = 1, .max = 1024,
	  .doc = "Connections to BBB kept open at most." },
	{ .path = "bbb.forward_unknown_params", .type = KT_BOOL,
	  .off = CFG(forward_unknown_params), .def = 1,
	  .doc = "Pass request fields the gateway does not know on to BBB unchanged." },
	{ .path = "tokens", .type = KT_TOKENS, .def_doc = "none",
	  .doc = "Client tokens: a list of groups with the members below. With none, every /v1 "
		 "request gets 401." },
	{ .path = "tokens[].name", .type = KT_TOKEN_NAME, .flags = K_REQUIRED | K_TOKEN,
	  .off = TOK(name), .def_doc = "required",
	  .doc = "Unique label used in logs: 1-64 of `A-Z a-z 0-9 . _ -`." },
	{ .path = "tokens[].hash", .type = KT_TOKEN_HASH, .flags = K_REQUIRED | K_TOKEN,
	  .off = TOK(hash), .def_doc = "required",
	  .doc = "`sha256:` + 64 hex digits, as printed by `bbb-gateway token new`; never the "
		 "token itself." },
	{ .path = "tokens[].scopes", .type = KT_SCOPES, .flags = K_REQUIRED | K_TOKEN,
	  .off = TOK(scopes), .def_doc = "required",
	  .doc = "Non-empty array of scopes: `meetings:read`, `meetings:create`, "
		 "`meetings:join`, `meetings:end`, `meetings:write`, `recordings:read`, "
		 "`recordings:write`, `hooks`, `metrics`, `*`." },
	{ .path = "tokens[].origins", .type = KT_ORIGINS, .flags = K_TOKEN, .off = TOK(origins),
	  .off_n = TOK(n_origins), .def_doc = "none",
	  .doc = "Optional browser origins allowed for this token (same form as cors.origins)." },
	{ .path = "cors.origins", .type = KT_ORIGINS, .off = CFG(cors_origins),
	  .off_n = CFG(n_cors_origins), .def_doc = "none",
	  .doc = "Exact origins allowed to call from a browser: `scheme://host[:port]`, lowercase, "
		 "no path, no `*`." },
	{ .path = "cors.max_age_s", .type = KT_UINT, .off = CFG(cors_max_age_s), .def = 600,
	  .max = 86400, .doc = "Access-Control-Max-Age sent on preflight replies." },
	{ .path = "log.level", .type = KT_ENUM, .off = CFG(log_level), .def = GW_LOG_INFO,
	  .names = log_levels, .doc = "Least severe message level written." },
	{ .path = "log.format", .type = KT_ENUM, .off = CFG(log_format),
	  .def = GW_LOG_FORMAT_TEXT, .names = log_formats,
	  .doc = "`text` (journald priority prefix) or `json` lines." },
	{ .path = "log.access", .type = KT_BOOL, .off = CFG(access_log), .def = 1,
	  .doc = "Write one access line per request." },
};
/* clang-format on */

#define N_KEYS GW_ARRAY_SIZE(keys)

struct ctx {
	const char *path;      /* for messages where libconfig has no file name */
	char *dir;             /* directory of path: @include and relative secret_file */
	struct gw_buf *errmsg; /* may be NULL */
	unsigned n_errors;
	bool oom;
	struct gw_config *cfg;
	const config_setting_t *seen[N_KEYS]; /* where each key was set; NULL if absent */
	bool from_env[N_KEYS];
};

static void *field(void *base, size_t off)
{
	return (char *)base + off;
}

static size_t key_index(const char *path)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (strcmp(keys[i].path, path) == 0)
			break;
	}
	return i;
}

/* Index of the key group.member (member alone when group is NULL), N_KEYS if none. */
static size_t find_key(const char *group, const char *member)
{
	size_t glen = group != NULL ? strlen(group) : 0;

	for (size_t i = 0; i < N_KEYS; i++) {
		const char *p = keys[i].path;

		if (group == NULL && strchr(p, '.') != NULL)
			continue;
		if (group != NULL) {
			if (strncmp(p, group, glen) != 0 || p[glen] != '.')
				continue;
			p += glen + 1;
		}
		if (strcmp(p, member) == 0)
			return i;
	}
	return N_KEYS;
}

static bool is_group(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < N_KEYS; i++) {
		if (strncmp(keys[i].path, name, len) == 0 && keys[i].path[len] == '.')
			return true;
	}
	return false;
}

static void vreport(struct ctx *c, const char *file, unsigned line, const char *key,
                    const char *fmt, va_list ap) GW_PRINTF(5, 0);
static void vreport(struct ctx *c, const char *file, unsigned line, const char *key,
                    const char *fmt, va_list ap)
{
	char where[512];
	char msg[512];
	enum gw_err err;

	c->n_errors++;
	if (c->errmsg == NULL)
		return;
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%u: ", file, line);
	else
		snprintf(where, sizeof(where), "%s: ", file);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A full buffer loses the line; the error count still fails the load. */
	err = gw_buf_appendf(c->errmsg, "%s%s%s%s\n", where, key != NULL ? key : "",
	                     key != NULL ? ": " : "", msg);
	(void)err;
}

static void report(struct ctx *c, const char *file, unsigned line, const char *key, const char *fmt,
                   ...) GW_PRINTF(5, 6);
static void report(struct ctx *c, const char *file, unsigned line, const char *key, const char *fmt,
                   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, file, line, key, fmt, ap);
	va_end(ap);
}

/* Reports a problem with setting s (NULL: no line number), naming key. */
static void problem(struct ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
    GW_PRINTF(4, 5);
static void problem(struct ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
{
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	va_list ap;

	va_start(ap, fmt);
	vreport(c, file != NULL ? file : c->path, s != NULL ? config_setting_source_line(s) : 0,
	        key, fmt, ap);
	va_end(ap);
}

static void plaintext(struct ctx *c, const config_setting_t *s, const char *key)
{
	problem(c, s, key,
	        "plaintext tokens must not be stored in the config: keep only the hash "
	        "(hash = \"sha256:<hex>\"), as printed by `bbb-gateway token new NAME`");
}

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *copy(struct ctx *c, const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		c->oom = true;
	return p;
}

static void set_string(struct ctx *c, char **dst, const char *v, size_t n)
{
	char *p = copy(c, v, n);

	if (p == NULL)
		return;
	free(*dst);
	*dst = p;
}

static void set_secret(struct ctx *c, char **dst, const char *v, size_t n)
{
	char *p = copy(c, v, n);

	if (p == NULL)
		return;
	free_secret(*dst);
	*dst = p;
}

static void set_url(struct ctx *c, char **dst, const char *v)
{
	size_t n = strlen(v);

	while (n > 0 && v[n - 1] == '/')
		n--;
	set_string(c, dst, v, n);
}

_Static_assert(URL_MAX_LEN == 2048u, "update the message in url_problem()");
_Static_assert(GW_MAX_SECRET_LEN == 1024u, "update the message in secret_problem()");

/* Why url is not usable as a BBB API base, or NULL when it is. */
static const char *url_problem(const char *url)
{
	size_t skip;

	if (strncmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return "must start with http:// or https://";
	if (strlen(url) > URL_MAX_LEN)
		return "is longer than 2048 characters";
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
			return "must not contain spaces, control characters, a query or a fragment";
	}
	if (url[skip] == '\0' || url[skip] == '/' || url[skip] == ':')
		return "has no host";
	return NULL;
}

static const char *secret_problem(const char *s, size_t n)
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

/* Why o is not an exact browser origin "scheme://host[:port]", or NULL. */
static const char *origin_problem(const char *o)
{
	static const char host_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789.-";
	bool https = strncmp(o, "https://", 8) == 0;
	const char *host;
	const char *p;

	if (strchr(o, '*') != NULL)
		return "wildcards are not allowed: list each origin";
	if (strlen(o) > ORIGIN_MAX_LEN)
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

static bool ip_ok(const char *s)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

static bool token_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= TOKEN_NAME_MAX_LEN &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* The i-th accepted name of an enum key, NULL past the last. */
static const char *enum_name(const struct key *k, int i)
{
	if (k->type == KT_DIGEST)
		return i <= GW_DIGEST_SHA512 ? gw_crypto_digest_name((enum gw_digest)i) : NULL;
	return k->names[i].name;
}

/* Joins the accepted names of an enum key, each wrapped in q, into buf. */
static void enum_values(const struct key *k, char *buf, size_t size, const char *q)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; enum_name(k, i) != NULL && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s%s%s", i > 0 ? ", " : "", q,
		                 enum_name(k, i), q);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

static void parse_enum(struct ctx *c, const struct key *k, const char *name,
                       const config_setting_t *s, const char *v, void *dst)
{
	char list[128];
	enum gw_digest d;

	if (k->type == KT_DIGEST && gw_crypto_digest_from_name(v, &d) == GW_OK) {
		int val = (int)d;

		memcpy(dst, &val, sizeof(val));
		return;
	}
	for (const struct ename *e = k->names; k->type == KT_ENUM && e->name != NULL; e++) {
		if (strcmp(e->name, v) == 0) {
			memcpy(dst, &e->value, sizeof(e->value));
			return;
		}
	}
	enum_values(k, list, sizeof(list), "");
	problem(c, s, name, "must be one of %s", list);
}

static void parse_hash(struct ctx *c, const char *name, const config_setting_t *s, const char *v,
                       unsigned char *dst)
{
	if (strncmp(v, GW_AUTH_TOKEN_PREFIX, strlen(GW_AUTH_TOKEN_PREFIX)) == 0)
		plaintext(c, s, name);
	else if (gw_auth_hash_parse(v, dst) != GW_OK)
		problem(c, s, name,
		        "must be \"sha256:\" followed by 64 hex digits, as printed by "
		        "`bbb-gateway token new NAME`");
}

/* String-valued keys: copied out, since libconfig's strings die with config_destroy(). */
static void parse_text(struct ctx *c, const struct key *k, const char *name,
                       const config_setting_t *s, void *base)
{
	const char *v = config_setting_get_string(s);
	void *dst = field(base, k->off);
	const char *why = NULL;

	if (v == NULL) {
		problem(c, s, name, "expected a string");
		return;
	}
	if (k->type == KT_URL) {
		why = url_problem(v);
		if (why == NULL)
			set_url(c, dst, v);
	} else if (k->type == KT_SECRET) {
		why = secret_problem(v, strlen(v));
		if (why == NULL)
			set_secret(c, dst, v, strlen(v));
	} else if (k->type == KT_SECRET_FILE) {
		why = v[0] == '\0' ? "must not be empty" : NULL;
	} else if (k->type == KT_TOKEN_HASH) {
		parse_hash(c, name, s, v, dst);
	} else if (k->type == KT_ENUM || k->type == KT_DIGEST) {
		parse_enum(c, k, name, s, v, dst);
	} else if (k->type == KT_IP && !ip_ok(v)) {
		why = "must be an IPv4 or IPv6 address";
	} else if (k->type == KT_TOKEN_NAME && !token_name_ok(v)) {
		why = "must be 1 to 64 characters from A-Z a-z 0-9 . _ -";
	} else {
		set_string(c, dst, v, strlen(v));
	}
	if (why != NULL)
		problem(c, s, name, "%s", why);
}

static void parse_number(struct ctx *c, const struct key *k, const char *name,
                         const config_setting_t *s, void *base)
{
	int type = config_setting_type(s);
	long long v;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		problem(c, s, name, "expected an integer");
		return;
	}
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		problem(c, s, name, "%lld is out of range (%lld..%lld)", v, k->min, k->max);
		return;
	}
	if (k->type == KT_SIZE)
		*(size_t *)field(base, k->off) = (size_t)v;
	else
		*(unsigned *)field(base, k->off) = (unsigned)v;
}

static bool is_sequence(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

static void parse_scopes(struct ctx *c, const char *name, const config_setting_t *s, unsigned *out)
{
	int n = config_setting_length(s);
	unsigned all = 0;
	char known[256];
	char ename[160];

	if (!is_sequence(s) || n == 0) {
		problem(c, s, name,
		        "expected a non-empty array of scopes, e.g. [ \"meetings:read\" ]");
		return;
	}
	snprintf(known, sizeof(known), "*");
	for (unsigned b = 0; b < 32; b++) {
		const char *sn = gw_auth_scope_name(1u << b);
		size_t len = strlen(known);

		if (sn != NULL)
			snprintf(known + len, sizeof(known) - len, ", %s", sn);
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		unsigned bit;

		snprintf(ename, sizeof(ename), "%s[%d]", name, i);
		if (v == NULL)
			problem(c, e, ename, "expected a string");
		else if (gw_auth_scope_parse(v, &bit) != GW_OK)
			problem(c, e, ename, "unknown scope (known: %s)", known);
		else
			all |= bit;
	}
	*out = all;
}

static void parse_origins(struct ctx *c, const char *name, const config_setting_t *s, char ***out,
                          size_t *n_out)
{
	int n = config_setting_length(s);
	size_t kept = 0;
	char ename[160];
	char **v;

	if (!is_sequence(s) || n > (int)GW_MAX_CORS_ORIGINS) {
		problem(c, s, name, "expected an array of at most %u origins, e.g. [ \"%s\" ]",
		        GW_MAX_CORS_ORIGINS, "https://app.example.org");
		return;
	}
	v = calloc((size_t)n + 1, sizeof(*v));
	if (v == NULL) {
		c->oom = true;
		return;
	}
	for (int i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *o = config_setting_get_string(e);
		const char *why = o != NULL ? origin_problem(o) : "expected a string";

		snprintf(ename, sizeof(ename), "%s[%d]", name, i);
		if (why != NULL) {
			problem(c, e, ename, "%s", why);
			continue;
		}
		v[kept] = copy(c, o, strlen(o));
		if (v[kept] != NULL)
			kept++;
	}
	free_strv(*out, *n_out);
	*out = v;
	*n_out = kept;
}

static void parse_tokens(struct ctx *c, const config_setting_t *s);

static void parse_value(struct ctx *c, const struct key *k, const char *name,
                        const config_setting_t *s, void *base)
{
	switch (k->type) {
	case KT_UINT:
	case KT_SIZE:
		parse_number(c, k, name, s, base);
		break;
	case KT_BOOL:
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			*(bool *)field(base, k->off) = config_setting_get_bool(s) != 0;
		else
			problem(c, s, name, "expected true or false");
		break;
	case KT_ORIGINS:
		parse_origins(c, name, s, field(base, k->off), field(base, k->off_n));
		break;
	case KT_SCOPES:
		parse_scopes(c, name, s, field(base, k->off));
		break;
	case KT_TOKENS:
		parse_tokens(c, s);
		break;
	default:
		parse_text(c, k, name, s, base);
		break;
	}
}

/* Parses the members of group g against the keys "group.*"; prefix names them in messages. */
static void walk_group(struct ctx *c, const char *group, const char *prefix,
                       const config_setting_t *g, void *base, const config_setting_t **seen)
{
	int n = config_setting_length(g);
	char name[160];

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *member = config_setting_name(m);
		size_t k = find_key(group, member);

		snprintf(name, sizeof(name), "%s.%s", prefix, member);
		if (strcmp(member, "token") == 0) {
			plaintext(c, m, name);
		} else if (k == N_KEYS) {
			problem(c, m, name, "unknown key");
		} else {
			seen[k] = m;
			parse_value(c, &keys[k], name, m, base);
		}
	}
}

static bool has_hash(const struct gw_token *t)
{
	unsigned char any = 0;

	for (size_t i = 0; i < GW_AUTH_HASH_LEN; i++)
		any |= t->hash[i];
	return any != 0;
}

/* Compares token i with the ones before it (an all-zero hash means none was parsed). */
static void check_duplicate(struct ctx *c, size_t i, const config_setting_t *g)
{
	const struct gw_token *t = c->cfg->tokens;
	char name[48];

	for (size_t j = 0; j < i; j++) {
		if (t[i].name != NULL && t[j].name != NULL && strcmp(t[i].name, t[j].name) == 0) {
			snprintf(name, sizeof(name), "tokens[%zu].name", i);
			problem(c, g, name, "duplicate name (also tokens[%zu])", j);
		}
		if (has_hash(&t[i]) && has_hash(&t[j]) &&
		    gw_crypto_equal(t[i].hash, t[j].hash, GW_AUTH_HASH_LEN)) {
			snprintf(name, sizeof(name), "tokens[%zu].hash", i);
			problem(c, g, name,
			        "same hash as tokens[%zu]: give each client its own token", j);
		}
	}
}

/*
 * Reports the required keys that seen lacks: a token's members when prefix
 * names the token (g is its group), else the top-level keys (g is the root;
 * each is reported at its group's line).
 */
static void check_required(struct ctx *c, const char *prefix, const config_setting_t *g,
                           const config_setting_t *const *seen)
{
	const config_setting_t *at = g;
	char name[160];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
		size_t glen = strcspn(k->path, ".");

		if ((k->flags & K_REQUIRED) == 0 || seen[i] != NULL || c->from_env[i] ||
		    ((k->flags & K_TOKEN) != 0) != (prefix != NULL))
			continue;
		if (prefix != NULL) {
			snprintf(name, sizeof(name), "%s.%s", prefix, k->path + glen + 1);
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)glen, k->path);
			at = config_setting_get_member(g, name);
			snprintf(name, sizeof(name), "%s", k->path);
		}
		problem(c, at, name, "missing (required)%s%s", k->env != NULL ? "; or set " : "",
		        k->env != NULL ? k->env : "");
	}
}

static void parse_token(struct ctx *c, size_t i, const config_setting_t *g, struct gw_token *t)
{
	const config_setting_t *seen[N_KEYS] = {NULL};
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "tokens[%zu]", i);
	if (!config_setting_is_group(g)) {
		problem(c, g, prefix,
		        "expected a group { name = ...; hash = ...; scopes = [...]; }");
		return;
	}
	walk_group(c, "tokens[]", prefix, g, t, seen);
	check_required(c, prefix, g, seen);
}

static void parse_tokens(struct ctx *c, const config_setting_t *s)
{
	int n = config_setting_length(s);
	struct gw_token *t;

	/* An empty list "()" and an empty array "[]" both mean no tokens. */
	if (!config_setting_is_list(s) && !(config_setting_is_array(s) && n == 0)) {
		problem(c, s, "tokens", "expected a list: tokens = ( { name = ...; }, ... );");
		return;
	}
	if (n > (int)GW_MAX_TOKENS) {
		problem(c, s, "tokens", "more than %u tokens", GW_MAX_TOKENS);
		return;
	}
	if (n == 0)
		return;
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL) {
		c->oom = true;
		return;
	}
	c->cfg->tokens = t;
	c->cfg->n_tokens = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);

		parse_token(c, (size_t)i, g, &t[i]);
		check_duplicate(c, (size_t)i, g);
	}
}

static void walk_root(struct ctx *c, const config_setting_t *root)
{
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k = find_key(NULL, name);

		if (k < N_KEYS) {
			c->seen[k] = s;
			parse_value(c, &keys[k], name, s, c->cfg);
		} else if (strcmp(name, "token") == 0) {
			plaintext(c, s, name);
		} else if (!is_group(name)) {
			problem(c, s, name,
			        config_setting_is_group(s) ? "unknown group" : "unknown key");
		} else if (!config_setting_is_group(s)) {
			problem(c, s, name, "expected a group: %s = { ... };", name);
		} else {
			walk_group(c, name, name, s, c->cfg, c->seen);
		}
	}
}

/* Applies BBB_GATEWAY_BBB_URL and BBB_GATEWAY_BBB_SECRET; an empty variable counts as unset. */
static void apply_env(struct ctx *c)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
		const char *v = k->env != NULL ? getenv(k->env) : NULL;
		const char *why;

		if (v == NULL || v[0] == '\0')
			continue;
		c->from_env[i] = true;
		why = k->type == KT_URL ? url_problem(v) : secret_problem(v, strlen(v));
		if (why != NULL)
			report(c, "environment", 0, k->env, "%s", why);
		else if (k->type == KT_URL)
			set_url(c, field(c->cfg, k->off), v);
		else
			set_secret(c, field(c->cfg, k->off), v, strlen(v));
	}
}

/* Reads bbb.secret_file (relative paths from the config file's directory). */
static void read_secret_file(struct ctx *c, const config_setting_t *s)
{
	const char *p = config_setting_get_string(s);
	char buf[SECRET_FILE_MAX + 1];
	char path[4096];
	char eb[128];
	const char *why = NULL;
	size_t n;
	FILE *f;

	if (p == NULL || p[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s%s%s", p[0] == '/' ? "" : c->dir, p[0] == '/' ? "" : "/",
	         p);
	f = fopen(path, "re");
	if (f == NULL) {
		problem(c, s, "bbb.secret_file", "cannot open %s: %s", path,
		        strerror_r(errno, eb, sizeof(eb)));
		return;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f))
		why = strerror_r(errno, eb, sizeof(eb));
	fclose(f);
	while (n > 0 && n <= SECRET_FILE_MAX && memchr(" \t\r\n", buf[n - 1], 4) != NULL)
		n--;
	if (why == NULL && n > SECRET_FILE_MAX)
		why = "file is too large for a secret";
	if (why == NULL)
		why = secret_problem(buf, n);
	if (why != NULL)
		problem(c, s, "bbb.secret_file", "%s: %s", path, why);
	else
		set_secret(c, &c->cfg->bbb_secret, buf, n);
	explicit_bzero(buf, sizeof(buf));
}

/* Exactly one of bbb.secret and bbb.secret_file, unless the environment gives the secret. */
static void finish_secret(struct ctx *c, const config_setting_t *root)
{
	size_t si = key_index("bbb.secret");
	const config_setting_t *inline_secret = c->seen[si];
	const config_setting_t *file = c->seen[key_index("bbb.secret_file")];

	if (inline_secret != NULL && file != NULL)
		problem(c, file, "bbb.secret_file", "set bbb.secret or bbb.secret_file, not both");
	else if (file != NULL && !c->from_env[si])
		read_secret_file(c, file);
	else if (inline_secret == NULL && file == NULL && !c->from_env[si])
		problem(c, config_setting_get_member(root, "bbb"), "bbb.secret",
		        "missing: set bbb.secret or bbb.secret_file (or %s)", keys[si].env);
}

/* Checks that span keys, once every key has been read. */
static void finish(struct ctx *c, const config_setting_t *root)
{
	struct gw_config *cfg = c->cfg;
	const config_setting_t *at = c->seen[key_index("bbb.connect_timeout_ms")];

	apply_env(c);
	check_required(c, NULL, root, c->seen);
	finish_secret(c, root);
	if (cfg->bbb_public_url == NULL && cfg->bbb_url != NULL)
		cfg->bbb_public_url = copy(c, cfg->bbb_url, strlen(cfg->bbb_url));
	if (cfg->bbb_connect_timeout_ms > cfg->bbb_timeout_ms) {
		if (at == NULL)
			at = c->seen[key_index("bbb.timeout_ms")];
		problem(c, at, "bbb.connect_timeout_ms", "%u is more than bbb.timeout_ms (%u)",
		        cfg->bbb_connect_timeout_ms, cfg->bbb_timeout_ms);
	}
}

static bool parse(struct ctx *c, config_t *lc, const char *text)
{
	const char *file;
	char eb[128];
	FILE *f;
	int ok;

	if (text != NULL) {
		ok = config_read_string(lc, text);
	} else {
		f = fopen(c->path, "re");
		if (f == NULL) {
			report(c, c->path, 0, NULL, "cannot open: %s",
			       strerror_r(errno, eb, sizeof(eb)));
			return false;
		}
		ok = config_read(lc, f);
		fclose(f);
	}
	if (ok != CONFIG_TRUE) {
		file = config_error_file(lc);
		report(c, file != NULL ? file : c->path, (unsigned)config_error_line(lc), "syntax",
		       "%s", config_error_text(lc) != NULL ? config_error_text(lc) : "parse error");
	}
	return ok == CONFIG_TRUE;
}

/* libconfig frees its copy of the secret without clearing it. */
static void scrub(config_t *lc)
{
	config_setting_t *s = config_lookup(lc, "bbb.secret");

	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING && s->value.sval != NULL)
		explicit_bzero(s->value.sval, strlen(s->value.sval));
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static enum gw_err load(const char *text, const char *path, struct gw_config **out,
                        struct gw_buf *errmsg)
{
	struct ctx c = {.path = path != NULL ? path : "(string)", .errmsg = errmsg};
	enum gw_err err = GW_OK;
	config_t lc;

	c.cfg = gw_config_new_defaults();
	c.dir = dir_of(c.path);
	if (c.cfg != NULL)
		c.cfg->path = strdup(c.path);
	if (c.cfg == NULL || c.dir == NULL || c.cfg->path == NULL) {
		c.oom = true;
		goto out;
	}
	config_init(&lc);
	/* @include "x" is read from the config file's directory (libconfig prepends it). */
	config_set_include_dir(&lc, c.dir);
	if (parse(&c, &lc, text)) {
		walk_root(&c, config_root_setting(&lc));
		finish(&c, config_root_setting(&lc));
	}
	scrub(&lc);
	config_destroy(&lc);
out:
	if (c.oom)
		err = GW_E_NOMEM;
	else if (c.n_errors > 0)
		err = GW_E_CONFIG;
	if (err == GW_OK)
		*out = c.cfg;
	else
		gw_config_unref(c.cfg);
	free(c.dir);
	return err;
}

enum gw_err gw_config_load(const char *path, struct gw_config **out, struct gw_buf *errmsg)
{
	return load(NULL, path, out, errmsg);
}

enum gw_err gw_config_load_string(const char *text, const char *path, struct gw_config **out,
                                  struct gw_buf *errmsg)
{
	return load(text, path, out, errmsg);
}

static enum gw_err set_default(struct gw_config *cfg, const struct key *k)
{
	void *dst = field(cfg, k->off);
	int v = (int)k->def;

	if ((k->flags & K_TOKEN) != 0)
		return GW_OK;
	if (k->type == KT_UINT)
		*(unsigned *)dst = (unsigned)k->def;
	else if (k->type == KT_SIZE)
		*(size_t *)dst = (size_t)k->def;
	else if (k->type == KT_BOOL)
		*(bool *)dst = k->def != 0;
	else if (k->type == KT_ENUM || k->type == KT_DIGEST)
		memcpy(dst, &v, sizeof(v));
	else if (k->def_str != NULL)
		*(char **)dst = strdup(k->def_str);
	else
		return GW_OK;
	return k->def_str != NULL && *(char **)dst == NULL ? GW_E_NOMEM : GW_OK;
}

struct gw_config *gw_config_new_defaults(void)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	atomic_init(&cfg->refs, 1);
	for (size_t i = 0; i < N_KEYS; i++) {
		if (set_default(cfg, &keys[i]) != GW_OK) {
			gw_config_unref(cfg);
			return NULL;
		}
	}
	return cfg;
}

struct gw_config *gw_config_ref(struct gw_config *cfg)
{
	atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
	return cfg;
}

void gw_config_unref(struct gw_config *cfg)
{
	if (cfg == NULL)
		return;
	/* acq_rel: the last owner sees every other owner's reads finished before it frees. */
	if (atomic_fetch_sub_explicit(&cfg->refs, 1, memory_order_acq_rel) != 1)
		return;
	free(cfg->path);
	free(cfg->listen_address);
	free(cfg->bbb_url);
	free(cfg->bbb_public_url);
	free_secret(cfg->bbb_secret);
	for (size_t i = 0; i < cfg->n_tokens; i++)
		gw_token_deinit(&cfg->tokens[i]);
	free(cfg->tokens);
	free_strv(cfg->cors_origins, cfg->n_cors_origins);
	free(cfg);
}

static const char *enum_default(const struct key *k)
{
	if (k->type == KT_DIGEST)
		return enum_name(k, (int)k->def);
	for (const struct ename *e = k->names; e->name != NULL; e++) {
		if (e->value == k->def)
			return e->name;
	}
	return "?";
}

static enum gw_err reference_row(struct gw_buf *out, const struct key *k)
{
	char def[64];
	char range[96] = "—";

	if (k->def_doc != NULL)
		snprintf(def, sizeof(def), "%s", k->def_doc);
	else if (k->type == KT_BOOL)
		snprintf(def, sizeof(def), "`%s`", k->def != 0 ? "true" : "false");
	else if (k->type == KT_DIGEST || k->type == KT_ENUM)
		snprintf(def, sizeof(def), "`%s`", enum_default(k));
	else if (k->def_str != NULL)
		snprintf(def, sizeof(def), "`%s`", k->def_str);
	else
		snprintf(def, sizeof(def), "%lld", k->def);
	if (k->type == KT_UINT || k->type == KT_SIZE)
		snprintf(range, sizeof(range), "%lld..%lld", k->min, k->max);
	else if (k->type == KT_ENUM || k->type == KT_DIGEST)
		enum_values(k, range, sizeof(range), "`");
	return gw_buf_appendf(out, "| `%s` | %s | %s | %s | %s%s%s%s |\n", k->path,
	                      type_names[k->type], def, range, k->doc,
	                      k->env != NULL ? " Environment: `" : "", k->env != NULL ? k->env : "",
	                      k->env != NULL ? "`." : "");
}

enum gw_err gw_config_reference(struct gw_buf *out)
{
	enum gw_err err = gw_buf_append_str(out, "| key | type | default | range | meaning |\n"
	                                         "|---|---|---|---|---|\n");

	for (size_t i = 0; i < N_KEYS && err == GW_OK; i++)
		err = reference_row(out, &keys[i]);
	return err;
}
