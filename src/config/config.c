/*
 * config.c - loading the gateway's configuration with libconfig (the only
 * file that includes libconfig.h).
 *
 * The loader walks the parsed file against the key table in config_keys.c:
 * a group or key missing from the table is an error, and each value is
 * parsed by its key's type, checked (config_check.c) and stored at the
 * key's offset. Checks that span keys, the environment overrides and the
 * secret file come after the walk. Every problem is appended as
 * "file:line: key: problem" and loading goes on, so one run reports them
 * all; values are never echoed, since a misplaced secret or token could be
 * among them. libconfig's strings die with config_destroy(), so every
 * string kept is copied.
 */
#include "config_int.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_policy.h"
#include "gw_limits.h"
#include "str.h"

/* Room for the longest secret plus trailing whitespace in a secret file. */
#define SECRET_FILE_MAX (GW_MAX_SECRET_LEN + 256u)
#define N_KEYS GW_CONFIG_N_KEYS

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
	gw_config_free_secret(*dst);
	*dst = p;
}

static void set_url(struct ctx *c, char **dst, const char *v)
{
	size_t n = strlen(v);

	while (n > 0 && v[n - 1] == '/')
		n--;
	set_string(c, dst, v, n);
}

static void parse_enum(struct ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, const char *v, void *dst)
{
	char list[128];
	enum gw_digest d;

	if (k->type == KT_DIGEST && gw_crypto_digest_from_name(v, &d) == GW_OK) {
		int val = (int)d;

		memcpy(dst, &val, sizeof(val));
		return;
	}
	for (const struct gw_config_ename *e = k->names; k->type == KT_ENUM && e->name != NULL;
	     e++) {
		if (strcmp(e->name, v) == 0) {
			memcpy(dst, &e->value, sizeof(e->value));
			return;
		}
	}
	gw_config_enum_values(k, list, sizeof(list), "");
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
static void parse_text(struct ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, void *base)
{
	const char *v = config_setting_get_string(s);
	void *dst = gw_config_field(base, k->off);
	const char *why = NULL;

	if (v == NULL) {
		problem(c, s, name, "expected a string");
		return;
	}
	if (k->type == KT_URL) {
		why = gw_config_url_problem(v);
		if (why == NULL && (k->flags & K_NO_USERINFO) != 0 && gw_config_url_has_userinfo(v))
			why = "must not contain user-info (user:password@): join URLs built on it "
			      "are handed to browsers";
		if (why == NULL)
			set_url(c, dst, v);
	} else if (k->type == KT_SECRET) {
		why = gw_config_secret_problem(v, strlen(v));
		if (why == NULL)
			set_secret(c, dst, v, strlen(v));
	} else if (k->type == KT_SECRET_FILE) {
		why = v[0] == '\0' ? "must not be empty" : NULL;
	} else if (k->type == KT_TOKEN_HASH) {
		parse_hash(c, name, s, v, dst);
	} else if (k->type == KT_ENUM || k->type == KT_DIGEST) {
		parse_enum(c, k, name, s, v, dst);
	} else if (k->type == KT_IP && !gw_config_ip_ok(v)) {
		why = "must be an IPv4 or IPv6 address";
	} else if (k->type == KT_TOKEN_NAME && !gw_config_token_name_ok(v)) {
		why = "must be 1 to 64 characters from A-Z a-z 0-9 . _ -";
	} else if (k->type == KT_TIME) {
		why = gw_config_time_problem(v, dst);
	} else {
		set_string(c, dst, v, strlen(v));
	}
	if (why != NULL)
		problem(c, s, name, "%s", why);
}

static void parse_number(struct ctx *c, const struct gw_config_key *k, const char *name,
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
		*(size_t *)gw_config_field(base, k->off) = (size_t)v;
	else
		*(unsigned *)gw_config_field(base, k->off) = (unsigned)v;
}

/* libconfig reads "2" as an integer and "2.5" as a float; a rate may be either. */
static void parse_rate(struct ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, void *base)
{
	int type = config_setting_type(s);
	double v;

	if (type == CONFIG_TYPE_FLOAT) {
		v = config_setting_get_float(s);
	} else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		v = (double)config_setting_get_int64(s);
	} else {
		problem(c, s, name, "expected a number");
		return;
	}
	/* Negated so that a NaN is refused too. */
	if (!(v >= (double)k->min && v <= (double)k->max)) {
		problem(c, s, name, "%.15g is out of range (%lld..%lld)", v, k->min, k->max);
		return;
	}
	*(double *)gw_config_field(base, k->off) = v;
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

/* An array of strings, each checked by check; what to call them and an example for messages. */
struct strv_kind {
	unsigned max;
	const char *what;
	const char *example;
	const char *(*check)(const char *v);
};

static const struct strv_kind origins_kind = {GW_MAX_CORS_ORIGINS, "origins",
					      "https://app.example.org", gw_config_origin_problem};
static const struct strv_kind hosts_kind = {GW_MAX_FETCH_ALLOW, "hosts or networks", "10.1.2.0/24",
					    gw_fetch_policy_entry_problem};

static void parse_strv(struct ctx *c, const struct strv_kind *kind, const char *name,
		       const config_setting_t *s, char ***out, size_t *n_out)
{
	int n = config_setting_length(s);
	size_t kept = 0;
	char ename[160];
	char **v;

	if (!is_sequence(s) || n > (int)kind->max) {
		problem(c, s, name, "expected an array of at most %u %s, e.g. [ \"%s\" ]",
			kind->max, kind->what, kind->example);
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
		const char *why = o != NULL ? kind->check(o) : "expected a string";

		snprintf(ename, sizeof(ename), "%s[%d]", name, i);
		if (why != NULL) {
			problem(c, e, ename, "%s", why);
			continue;
		}
		v[kept] = copy(c, o, strlen(o));
		if (v[kept] != NULL)
			kept++;
	}
	gw_config_free_strv(*out, *n_out);
	*out = v;
	*n_out = kept;
}

static void parse_tokens(struct ctx *c, const config_setting_t *s);

static void parse_value(struct ctx *c, const struct gw_config_key *k, const char *name,
			const config_setting_t *s, void *base)
{
	switch (k->type) {
	case KT_UINT:
	case KT_SIZE:
		parse_number(c, k, name, s, base);
		break;
	case KT_RATE:
		parse_rate(c, k, name, s, base);
		break;
	case KT_BOOL:
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			*(bool *)gw_config_field(base, k->off) = config_setting_get_bool(s) != 0;
		else
			problem(c, s, name, "expected true or false");
		break;
	case KT_ORIGINS:
	case KT_HOSTS:
		parse_strv(c, k->type == KT_ORIGINS ? &origins_kind : &hosts_kind, name, s,
			   gw_config_field(base, k->off), gw_config_field(base, k->off_n));
		break;
	case KT_SCOPES:
		parse_scopes(c, name, s, gw_config_field(base, k->off));
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
		size_t k = gw_config_find_key(group, member);

		snprintf(name, sizeof(name), "%s.%s", prefix, member);
		if (strcmp(member, "token") == 0) {
			plaintext(c, m, name);
		} else if (k == N_KEYS) {
			problem(c, m, name, "unknown key");
		} else {
			seen[k] = m;
			parse_value(c, &gw_config_keys[k], name, m, base);
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
		const struct gw_config_key *k = &gw_config_keys[i];
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
		size_t k = gw_config_find_key(NULL, name);

		if (k < N_KEYS) {
			c->seen[k] = s;
			parse_value(c, &gw_config_keys[k], name, s, c->cfg);
		} else if (strcmp(name, "token") == 0) {
			plaintext(c, s, name);
		} else if (!gw_config_is_group(name)) {
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
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *v = k->env != NULL ? getenv(k->env) : NULL;
		const char *why;

		if (v == NULL || v[0] == '\0')
			continue;
		c->from_env[i] = true;
		why = k->type == KT_URL ? gw_config_url_problem(v)
					: gw_config_secret_problem(v, strlen(v));
		if (why != NULL)
			report(c, "environment", 0, k->env, "%s", why);
		else if (k->type == KT_URL)
			set_url(c, gw_config_field(c->cfg, k->off), v);
		else
			set_secret(c, gw_config_field(c->cfg, k->off), v, strlen(v));
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
		why = gw_config_secret_problem(buf, n);
	if (why != NULL)
		problem(c, s, "bbb.secret_file", "%s: %s", path, why);
	else
		set_secret(c, &c->cfg->bbb_secret, buf, n);
	explicit_bzero(buf, sizeof(buf));
}

/* Exactly one of bbb.secret and bbb.secret_file, unless the environment gives the secret. */
static void finish_secret(struct ctx *c, const config_setting_t *root)
{
	size_t si = gw_config_key_index("bbb.secret");
	const config_setting_t *inline_secret = c->seen[si];
	const config_setting_t *file = c->seen[gw_config_key_index("bbb.secret_file")];

	if (inline_secret != NULL && file != NULL)
		problem(c, file, "bbb.secret_file", "set bbb.secret or bbb.secret_file, not both");
	else if (file != NULL && !c->from_env[si])
		read_secret_file(c, file);
	else if (inline_secret == NULL && file == NULL && !c->from_env[si])
		problem(c, config_setting_get_member(root, "bbb"), "bbb.secret",
			"missing: set bbb.secret or bbb.secret_file (or %s)",
			gw_config_keys[si].env);
}

/* Checks that span keys, once every key has been read. */
static void finish(struct ctx *c, const config_setting_t *root)
{
	struct gw_config *cfg = c->cfg;
	const config_setting_t *at = c->seen[gw_config_key_index("bbb.connect_timeout_ms")];

	apply_env(c);
	check_required(c, NULL, root, c->seen);
	finish_secret(c, root);
	/* Credentials in bbb.url are for curl alone, never for the join URLs browsers get. */
	if (cfg->bbb_public_url == NULL && cfg->bbb_url != NULL) {
		cfg->bbb_public_url = gw_str_url_mask_userinfo(cfg->bbb_url, "");
		c->oom = c->oom || cfg->bbb_public_url == NULL;
	}
	if (cfg->bbb_connect_timeout_ms > cfg->bbb_timeout_ms) {
		if (at == NULL)
			at = c->seen[gw_config_key_index("bbb.timeout_ms")];
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
