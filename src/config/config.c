/*
 * config.c - loading the gateway's configuration with libconfig (with
 * config_secrets.c, the only files that see libconfig.h, through
 * config_walk.h).
 *
 * The loader walks the parsed file against the key table in config_keys.c:
 * a group or key missing from the table is an error, and each value is
 * parsed by its key's type, checked (config_check.c) and stored at the
 * key's offset. A list of groups (tokens, issuers, tenants, servers) gets
 * an array of entry structs, each walked against the list's member keys
 * and then checked as a whole. Checks that span keys, the environment overrides and the secret
 * and key files come after the walk. Every problem is appended as
 * "file:line: key: problem" and loading goes on, so one run reports them
 * all; values are never echoed, since a misplaced secret or token could be
 * among them. libconfig's strings die with config_destroy(), so every
 * string kept is copied.
 */
#include "config_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_policy.h"
#include "gw_limits.h"

#define N_KEYS GW_CONFIG_N_KEYS

/* The lists' entry checks, run after each entry's walk. */
typedef void finish_entry_fn(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen);
static finish_entry_fn finish_token;
static finish_entry_fn *const finish_entry[GW_CONFIG_N_LISTS] = {
	[GW_CONFIG_TOKENS] = finish_token,
	[GW_CONFIG_ISSUERS] = gw_config_finish_issuer,
	[GW_CONFIG_TENANTS] = gw_config_finish_tenant,
	[GW_CONFIG_SERVERS] = gw_config_finish_server,
};

static void vreport(struct gw_config_ctx *c, const char *file, unsigned line, const char *key,
		    const char *fmt, va_list ap) GW_PRINTF(5, 0);
static void vreport(struct gw_config_ctx *c, const char *file, unsigned line, const char *key,
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

static void report(struct gw_config_ctx *c, const char *file, unsigned line, const char *key,
		   const char *fmt, ...) GW_PRINTF(5, 6);
static void report(struct gw_config_ctx *c, const char *file, unsigned line, const char *key,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, file, line, key, fmt, ap);
	va_end(ap);
}

void gw_config_problem(struct gw_config_ctx *c, const config_setting_t *s, const char *key,
		       const char *fmt, ...)
{
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	va_list ap;

	va_start(ap, fmt);
	vreport(c, file != NULL ? file : c->path, s != NULL ? config_setting_source_line(s) : 0,
		key, fmt, ap);
	va_end(ap);
}

static void plaintext(struct gw_config_ctx *c, const config_setting_t *s, const char *key)
{
	gw_config_problem(c, s, key,
			  "plaintext tokens must not be stored in the config: keep only the hash "
			  "(hash = \"sha256:<hex>\"), as printed by `bbb-gateway token new NAME`");
}

static char *copy(struct gw_config_ctx *c, const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		c->oom = true;
	return p;
}

static void set_string(struct gw_config_ctx *c, char **dst, const char *v, size_t n)
{
	char *p = copy(c, v, n);

	if (p == NULL)
		return;
	free(*dst);
	*dst = p;
}

static void set_secret(struct gw_config_ctx *c, char **dst, const char *v, size_t n)
{
	char *p = copy(c, v, n);

	if (p == NULL)
		return;
	gw_config_free_secret(*dst);
	*dst = p;
}

static void set_url(struct gw_config_ctx *c, char **dst, const char *v)
{
	size_t n = strlen(v);

	while (n > 0 && v[n - 1] == '/')
		n--;
	set_string(c, dst, v, n);
}

static void parse_enum(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, const char *v, void *dst)
{
	char list[128];
	enum gw_digest d;
	int val;

	if (k->type == KT_DIGEST && gw_crypto_digest_from_name(v, &d) == GW_OK) {
		val = (int)d;
		memcpy(dst, &val, sizeof(val));
		return;
	}
	if (k->type == KT_JWT_ALG && gw_jwt_alg_from_name(v) != GW_JWT_ALG_NONE) {
		val = (int)gw_jwt_alg_from_name(v);
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
	gw_config_problem(c, s, name, "must be one of %s", list);
}

static void parse_hash(struct gw_config_ctx *c, const char *name, const config_setting_t *s,
		       const char *v, unsigned char *dst)
{
	if (strncmp(v, GW_AUTH_TOKEN_PREFIX, strlen(GW_AUTH_TOKEN_PREFIX)) == 0)
		plaintext(c, s, name);
	else if (gw_auth_hash_parse(v, dst) != GW_OK)
		gw_config_problem(c, s, name,
				  "must be \"sha256:\" followed by 64 hex digits, as printed by "
				  "`bbb-gateway token new NAME`");
}

/* String-valued keys: copied out, since libconfig's strings die with config_destroy(). */
static void parse_text(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, void *base)
{
	const char *v = config_setting_get_string(s);
	void *dst = gw_config_field(base, k->off);
	const char *why = NULL;

	if (v == NULL) {
		gw_config_problem(c, s, name, "expected a string");
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
	} else if (k->type == KT_REDIS) {
		why = gw_config_redis_problem(v);
		if (why == NULL)
			set_secret(c, dst, v, strlen(v));
	} else if (k->type == KT_SECRET_FILE || k->type == KT_KEY) {
		/* read (a file) or taken (a key) once the whole group is known */
		why = v[0] == '\0' ? "must not be empty" : NULL;
	} else if (k->type == KT_TOKEN_HASH) {
		parse_hash(c, name, s, v, dst);
	} else if (k->type == KT_ENUM || k->type == KT_DIGEST || k->type == KT_JWT_ALG) {
		parse_enum(c, k, name, s, v, dst);
	} else if (k->type == KT_IP && !gw_config_ip_ok(v)) {
		why = "must be an IPv4 or IPv6 address";
	} else if (k->type == KT_PREFIX) {
		why = gw_config_prefix_problem(v);
		if (why == NULL)
			set_string(c, dst, v, strlen(v));
	} else if (k->type == KT_LABEL) {
		why = gw_config_label_problem(v);
		if (why == NULL)
			set_string(c, dst, v, strlen(v));
	} else if (k->type == KT_ID && !gw_config_id_ok(v)) {
		why = "must be 1 to 128 visible ASCII characters, no spaces";
	} else if (k->type == KT_TIME) {
		why = gw_config_time_problem(v, dst);
	} else {
		set_string(c, dst, v, strlen(v));
	}
	if (why != NULL)
		gw_config_problem(c, s, name, "%s", why);
}

static void parse_number(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
			 const config_setting_t *s, void *base)
{
	int type = config_setting_type(s);
	long long v;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		gw_config_problem(c, s, name, "expected an integer");
		return;
	}
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		gw_config_problem(c, s, name, "%lld is out of range (%lld..%lld)", v, k->min,
				  k->max);
		return;
	}
	if (k->type == KT_SIZE)
		*(size_t *)gw_config_field(base, k->off) = (size_t)v;
	else
		*(unsigned *)gw_config_field(base, k->off) = (unsigned)v;
}

/* libconfig reads "2" as an integer and "2.5" as a float; a rate may be either. */
static void parse_rate(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
		       const config_setting_t *s, void *base)
{
	int type = config_setting_type(s);
	double v;

	if (type == CONFIG_TYPE_FLOAT) {
		v = config_setting_get_float(s);
	} else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		v = (double)config_setting_get_int64(s);
	} else {
		gw_config_problem(c, s, name, "expected a number");
		return;
	}
	/* Negated so that a NaN is refused too. */
	if (!(v >= (double)k->min && v <= (double)k->max)) {
		gw_config_problem(c, s, name, "%.15g is out of range (%lld..%lld)", v, k->min,
				  k->max);
		return;
	}
	if ((k->flags & K_POSITIVE) != 0 && v == (double)k->min) {
		gw_config_problem(c, s, name, "must be more than %lld (up to %lld)", k->min,
				  k->max);
		return;
	}
	*(double *)gw_config_field(base, k->off) = v;
}

static bool is_sequence(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

/* With K_MINT_EXPLICIT, "*" leaves out tokens:mint: only "tokens:mint" itself grants it. */
static void parse_scopes(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
			 const config_setting_t *s, unsigned *out)
{
	int n = config_setting_length(s);
	unsigned all = 0;
	char known[256];
	char ename[160];

	if (!is_sequence(s) || n == 0) {
		gw_config_problem(c, s, name,
				  "expected a non-empty array of scopes, "
				  "e.g. [ \"meetings:read\" ]");
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
			gw_config_problem(c, e, ename, "expected a string");
		else if (gw_auth_scope_parse(v, &bit) != GW_OK)
			gw_config_problem(c, e, ename, "unknown scope (known: %s)", known);
		else if ((k->flags & K_MINT_EXPLICIT) != 0 && bit == GW_SCOPE_ALL)
			all |= GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT;
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
static const struct strv_kind names_kind = {GW_MAX_TENANT_PARAMS, "BBB parameter names",
					    "dialNumber", gw_config_param_name_problem};
static const struct strv_kind tags_kind = {GW_MAX_SERVER_TAGS, "tags", "eu",
					   gw_config_label_problem};

static void parse_strv(struct gw_config_ctx *c, const struct strv_kind *kind, const char *name,
		       const config_setting_t *s, char ***out, size_t *n_out)
{
	int n = config_setting_length(s);
	size_t kept = 0;
	char ename[160];
	char **v;

	if (!is_sequence(s) || n > (int)kind->max) {
		gw_config_problem(c, s, name, "expected an array of at most %u %s, e.g. [ \"%s\" ]",
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
			gw_config_problem(c, e, ename, "%s", why);
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

static void parse_list(struct gw_config_ctx *c, enum gw_config_list list,
		       const config_setting_t *s);

static void parse_value(struct gw_config_ctx *c, const struct gw_config_key *k, const char *name,
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
			gw_config_problem(c, s, name, "expected true or false");
		break;
	case KT_ORIGINS:
	case KT_HOSTS:
		parse_strv(c, k->type == KT_ORIGINS ? &origins_kind : &hosts_kind, name, s,
			   gw_config_field(base, k->off), gw_config_field(base, k->off_n));
		break;
	case KT_SCOPES:
		parse_scopes(c, k, name, s, gw_config_field(base, k->off));
		break;
	case KT_LIST:
		parse_list(c, k->list, s);
		break;
	case KT_PARAMS:
		gw_config_parse_params(c, name, s, gw_config_field(base, k->off),
				       gw_config_field(base, k->off_n));
		break;
	case KT_NAMES:
	case KT_TAGS:
		parse_strv(c, k->type == KT_NAMES ? &names_kind : &tags_kind, name, s,
			   gw_config_field(base, k->off), gw_config_field(base, k->off_n));
		break;
	case KT_DIGESTS:
		gw_config_parse_digests(c, name, s, gw_config_field(base, k->off));
		break;
	default:
		parse_text(c, k, name, s, base);
		break;
	}
}

/* Parses the members of group g against the keys "group.*"; prefix names them in messages. */
static void walk_group(struct gw_config_ctx *c, const char *group, const char *prefix,
		       const config_setting_t *g, void *base, const config_setting_t **seen)
{
	int n = config_setting_length(g);
	char name[160];
	char sub[160];

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *member = config_setting_name(m);
		size_t k = gw_config_find_key(group, member);

		snprintf(name, sizeof(name), "%s.%s", prefix, member);
		snprintf(sub, sizeof(sub), "%s.%s", group, member);
		if (strcmp(member, "token") == 0) {
			plaintext(c, m, name);
		} else if (k == N_KEYS && config_setting_is_group(m) && gw_config_is_group(sub)) {
			/* a group inside a group, e.g. tenants[].create */
			walk_group(c, sub, name, m, base, seen);
		} else if (k == N_KEYS) {
			gw_config_problem(c, m, name, "unknown key");
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
static void finish_token(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			 const config_setting_t *const *seen)
{
	const struct gw_token *t = c->cfg->tokens;
	char name[48];

	for (size_t j = 0; j < i; j++) {
		if (t[i].name != NULL && t[j].name != NULL && strcmp(t[i].name, t[j].name) == 0) {
			snprintf(name, sizeof(name), "tokens[%zu].name", i);
			gw_config_problem(c, g, name, "duplicate name (also tokens[%zu])", j);
		}
		if (has_hash(&t[i]) && has_hash(&t[j]) &&
		    gw_crypto_equal(t[i].hash, t[j].hash, GW_AUTH_HASH_LEN)) {
			snprintf(name, sizeof(name), "tokens[%zu].hash", i);
			gw_config_problem(c, g, name,
					  "same hash as tokens[%zu]: "
					  "give each client its own token",
					  j);
		}
	}
}

/*
 * Reports the required keys of list that seen lacks: the members of an
 * entry of list, which prefix names (g is its group), or the top-level
 * keys for GW_CONFIG_ROOT (g is the root; each is reported at its group's
 * line).
 */
static void check_required(struct gw_config_ctx *c, enum gw_config_list list, const char *prefix,
			   const config_setting_t *g, const config_setting_t *const *seen)
{
	static const char fleet[] = "; or list the BBB servers in servers";
	const config_setting_t *at = g;
	char name[160];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		size_t glen = strcspn(k->path, ".");

		if ((k->flags & K_REQUIRED) == 0 || seen[i] != NULL || c->from_env[i] ||
		    k->list != list || k->type == KT_LIST)
			continue;
		if ((k->flags & K_LONE_BBB) != 0 && gw_config_has_servers(c))
			continue;
		if (list != GW_CONFIG_ROOT) {
			snprintf(name, sizeof(name), "%s.%s", prefix, k->path + glen + 1);
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)glen, k->path);
			at = config_setting_get_member(g, name);
			snprintf(name, sizeof(name), "%s", k->path);
		}
		gw_config_problem(c, at, name, "missing (required)%s%s%s",
				  k->env != NULL ? "; or set " : "", k->env != NULL ? k->env : "",
				  (k->flags & K_LONE_BBB) != 0 ? fleet : "");
	}
}

/* Walks entry i of list (group g) into base, then checks it as a whole. */
static void parse_entry(struct gw_config_ctx *c, enum gw_config_list list, size_t i,
			const config_setting_t *g, void *base)
{
	const struct gw_config_list_kind *l = &gw_config_lists[list];
	const config_setting_t *seen[N_KEYS] = {NULL};
	char group[32];
	char prefix[48];

	snprintf(prefix, sizeof(prefix), "%s[%zu]", l->name, i);
	if (!config_setting_is_group(g)) {
		gw_config_problem(c, g, prefix, "expected a group %s", l->shape);
		return;
	}
	if (gw_config_defaults(base, list) != GW_OK) {
		c->oom = true;
		return;
	}
	snprintf(group, sizeof(group), "%s[]", l->name);
	walk_group(c, group, prefix, g, base, seen);
	check_required(c, list, prefix, g, seen);
	finish_entry[list](c, i, g, seen);
}

static void parse_list(struct gw_config_ctx *c, enum gw_config_list list, const config_setting_t *s)
{
	const struct gw_config_list_kind *l = &gw_config_lists[list];
	int n = config_setting_length(s);
	char *entries;
	size_t count;

	/* An empty list "()" and an empty array "[]" both mean no entries. */
	if (!config_setting_is_list(s) && !(config_setting_is_array(s) && n == 0)) {
		gw_config_problem(c, s, l->name, "expected a list: %s = ( { name = ...; }, ... );",
				  l->name);
		return;
	}
	if (n > (int)l->max) {
		gw_config_problem(c, s, l->name, "more than %u %s", l->max, l->name);
		return;
	}
	if (n == 0)
		return;
	entries = calloc((size_t)n, l->entry_size);
	if (entries == NULL) {
		c->oom = true;
		return;
	}
	/* Published before the entries are walked: gw_config_unref frees whatever they hold. */
	count = (size_t)n;
	memcpy(gw_config_field(c->cfg, l->off), &entries, sizeof(entries));
	memcpy(gw_config_field(c->cfg, l->off_n), &count, sizeof(count));
	for (size_t i = 0; i < count && !c->oom; i++)
		parse_entry(c, list, i, config_setting_get_elem(s, (unsigned)i),
			    entries + i * l->entry_size);
}

static void walk_root(struct gw_config_ctx *c, const config_setting_t *root)
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
			gw_config_problem(c, s, name,
					  config_setting_is_group(s) ? "unknown group"
								     : "unknown key");
		} else if (!config_setting_is_group(s)) {
			gw_config_problem(c, s, name, "expected a group: %s = { ... };", name);
		} else {
			walk_group(c, name, name, s, c->cfg, c->seen);
		}
	}
}

/*
 * Applies BBB_GATEWAY_BBB_URL and BBB_GATEWAY_BBB_SECRET; an empty variable
 * counts as unset. They replace the lone bbb group's keys: with servers
 * they have nothing to replace and are refused.
 */
static void apply_env(struct gw_config_ctx *c)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *v = k->env != NULL ? getenv(k->env) : NULL;
		const char *why;

		if (v == NULL || v[0] == '\0')
			continue;
		if ((k->flags & K_LONE_BBB) != 0 && gw_config_has_servers(c)) {
			report(c, "environment", 0, k->env,
			       "replaces %s, which is set per server in servers: unset it",
			       k->path);
			continue;
		}
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

/* Checks that span keys, once every key has been read. */
static void finish(struct gw_config_ctx *c, const config_setting_t *root)
{
	struct gw_config *cfg = c->cfg;
	const config_setting_t *at = c->seen[gw_config_key_index("bbb.connect_timeout_ms")];

	apply_env(c);
	check_required(c, GW_CONFIG_ROOT, NULL, root, c->seen);
	/* with servers, each has its secret and bbb.secret* are refused */
	if (!gw_config_has_servers(c))
		gw_config_finish_secret(c, root);
	gw_config_finish_mint(c);
	gw_config_finish_tenants(c, root);
	gw_config_default_public_url(c, &cfg->bbb_public_url, cfg->bbb_url);
	gw_config_finish_servers(c);
	if (cfg->bbb_connect_timeout_ms > cfg->bbb_timeout_ms) {
		if (at == NULL)
			at = c->seen[gw_config_key_index("bbb.timeout_ms")];
		gw_config_problem(c, at, "bbb.connect_timeout_ms",
				  "%u is more than bbb.timeout_ms (%u)",
				  cfg->bbb_connect_timeout_ms, cfg->bbb_timeout_ms);
	}
}

static bool parse(struct gw_config_ctx *c, config_t *lc, const char *text)
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
	struct gw_config_ctx c = {.path = path != NULL ? path : "(string)", .errmsg = errmsg};
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
	gw_config_scrub(&lc);
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
