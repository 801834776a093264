/*
 * config_tenants.c - the tenants[] entries and the facade group: a create
 * policy's parameter groups and name lists, a tenant's checksum
 * algorithms and secret, and the checks across entries and groups
 * (unique names, prefixes that cannot overlap, tokens and issuers naming
 * a tenant that exists, what the BBB-compatible API needs when it is on).
 *
 * A policy parameter is kept as BBB's name and the text BBB gets:
 * booleans as true/false, integers in decimal, strings as they are.
 */
#include "config_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_limits.h"

/* Tenant secrets are shared with clients that are not ours: at least this long. */
#define TENANT_SECRET_MIN 32u
#define PARAM_VALUE_MAX 2048u

static void free_params(struct gw_tenant_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

void gw_config_tenant_deinit(struct gw_tenant *t)
{
	free(t->name);
	free(t->prefix);
	gw_config_free_secret(t->secret);
	free_params(t->defaults, t->n_defaults);
	free_params(t->overrides, t->n_overrides);
	gw_config_free_strv(t->deny, t->n_deny);
	memset(t, 0, sizeof(*t));
}

/* The text BBB gets for a scalar setting; NULL (reported) when s is not one. */
static char *param_text(struct gw_config_ctx *c, const config_setting_t *s, const char *name)
{
	char num[32];
	const char *v = num;
	char *out;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_BOOL:
		v = config_setting_get_bool(s) ? "true" : "false";
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		if (strlen(v) > PARAM_VALUE_MAX) {
			gw_config_problem(c, s, name, "is longer than %u bytes", PARAM_VALUE_MAX);
			return NULL;
		}
		break;
	default:
		gw_config_problem(c, s, name, "expected a string, an integer or a boolean");
		return NULL;
	}
	out = strdup(v);
	c->oom = c->oom || out == NULL;
	return out;
}

void gw_config_parse_params(struct gw_config_ctx *c, const char *name, const config_setting_t *s,
			    struct gw_tenant_param **out, size_t *n_out)
{
	int n = config_setting_length(s);
	struct gw_tenant_param *p;
	size_t kept = 0;
	char ename[256];

	if (!config_setting_is_group(s) || n > (int)GW_MAX_TENANT_PARAMS) {
		gw_config_problem(c, s, name,
				  "expected a group of at most %u BBB parameters, e.g. "
				  "{ record = false; }",
				  GW_MAX_TENANT_PARAMS);
		return;
	}
	p = calloc((size_t)n + 1, sizeof(*p));
	if (p == NULL) {
		c->oom = true;
		return;
	}
	for (int i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *pname = config_setting_name(e);
		const char *why = gw_config_param_name_problem(pname);

		snprintf(ename, sizeof(ename), "%s.%s", name, pname);
		if (why != NULL) {
			gw_config_problem(c, e, ename, "%s", why);
			continue;
		}
		p[kept].value = param_text(c, e, ename);
		if (p[kept].value == NULL)
			continue;
		p[kept].name = strdup(pname);
		c->oom = c->oom || p[kept].name == NULL;
		kept++;
	}
	free_params(*out, *n_out);
	*out = p;
	*n_out = kept;
}

void gw_config_parse_digests(struct gw_config_ctx *c, const char *name, const config_setting_t *s,
			     unsigned *out)
{
	int n = config_setting_length(s);
	unsigned bits = 0;
	char ename[160];

	if (!(config_setting_is_array(s) || config_setting_is_list(s)) || n == 0) {
		gw_config_problem(c, s, name,
				  "expected a non-empty array of algorithms, e.g. "
				  "[ \"sha256\", \"sha512\" ]");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		enum gw_digest d;

		snprintf(ename, sizeof(ename), "%s[%d]", name, i);
		if (v == NULL || gw_crypto_digest_from_name(v, &d) != GW_OK)
			gw_config_problem(c, e, ename,
					  "must be one of sha1, sha256, sha384, sha512");
		else
			bits |= 1u << d;
	}
	*out = bits;
}

/* Reads tenants[i].secret_file, or checks the inline secret's length. */
static void tenant_secret(struct gw_config_ctx *c, size_t i, const config_setting_t *const *seen)
{
	struct gw_tenant *t = &c->cfg->tenants[i];
	const config_setting_t *inl = seen[gw_config_key_index("tenants[].secret")];
	const config_setting_t *file = seen[gw_config_key_index("tenants[].secret_file")];
	char name[64];

	snprintf(name, sizeof(name), "tenants[%zu].secret_file", i);
	if (inl != NULL && file != NULL) {
		gw_config_problem(c, file, name, "set secret or secret_file, not both");
		return;
	}
	if (file != NULL)
		gw_config_read_secret_file(c, file, name, &t->secret);
	if (t->secret != NULL && strlen(t->secret) < TENANT_SECRET_MIN) {
		snprintf(name, sizeof(name), "tenants[%zu].%s", i,
			 file != NULL ? "secret_file" : "secret");
		gw_config_problem(c, file != NULL ? file : inl, name,
				  "is shorter than %u characters", TENANT_SECRET_MIN);
	}
}

/* True when one of a and b starts with the other: their meetings could not be told apart. */
static bool prefixes_overlap(const char *a, const char *b)
{
	size_t la = strlen(a);
	size_t lb = strlen(b);

	return strncmp(a, b, la < lb ? la : lb) == 0;
}

void gw_config_finish_tenant(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen)
{
	struct gw_tenant *t = c->cfg->tenants;
	char name[64];

	if (t[i].prefix != NULL)
		t[i].prefix_len = strlen(t[i].prefix);
	tenant_secret(c, i, seen);
	for (size_t j = 0; j < i; j++) {
		if (t[i].name != NULL && t[j].name != NULL && strcmp(t[i].name, t[j].name) == 0) {
			snprintf(name, sizeof(name), "tenants[%zu].name", i);
			gw_config_problem(c, g, name, "duplicate name (also tenants[%zu])", j);
		}
		if (t[i].prefix != NULL && t[j].prefix != NULL &&
		    prefixes_overlap(t[i].prefix, t[j].prefix)) {
			snprintf(name, sizeof(name), "tenants[%zu].meeting_prefix", i);
			gw_config_problem(c, seen[gw_config_key_index("tenants[].meeting_prefix")],
					  name,
					  "starts with tenants[%zu]'s prefix or is the start of "
					  "it: "
					  "their meetings could not be told apart",
					  j);
		}
	}
}

/* Reports key (a tenant name) at s when cfg has no such tenant. */
static void check_tenant_ref(struct gw_config_ctx *c, const config_setting_t *s, const char *key,
			     const char *tenant)
{
	if (tenant != NULL && gw_config_tenant(c->cfg, tenant) == NULL)
		gw_config_problem(c, s, key, "names no tenant (tenants[].name)");
}

void gw_config_finish_tenants(struct gw_config_ctx *c, const config_setting_t *root)
{
	struct gw_config *cfg = c->cfg;
	const config_setting_t *facade = config_setting_get_member(root, "facade");
	const config_setting_t *def = c->seen[gw_config_key_index("facade.default_tenant")];
	const struct gw_tenant *dt;
	bool any_secret = false;
	char name[64];

	for (size_t i = 0; i < cfg->n_tokens; i++) {
		snprintf(name, sizeof(name), "tokens[%zu].tenant", i);
		check_tenant_ref(c, config_setting_get_member(root, "tokens"), name,
				 cfg->tokens[i].tenant);
	}
	for (size_t i = 0; i < cfg->n_issuers; i++) {
		snprintf(name, sizeof(name), "issuers[%zu].tenant", i);
		check_tenant_ref(c, config_setting_get_member(root, "issuers"), name,
				 cfg->issuers[i].tenant);
	}
	for (size_t i = 0; i < cfg->n_tenants; i++)
		any_secret = any_secret || cfg->tenants[i].secret != NULL;
	check_tenant_ref(c, def, "facade.default_tenant", cfg->facade_default_tenant);
	dt = gw_config_tenant(cfg, cfg->facade_default_tenant);
	if (dt != NULL && dt->secret == NULL)
		gw_config_problem(c, def, "facade.default_tenant",
				  "names a tenant without a secret");
	if (!cfg->facade_enabled)
		return;
	if (cfg->facade_public_url == NULL)
		gw_config_problem(c, facade, "facade.public_url",
				  "missing: required when facade.enabled is true");
	if (!any_secret)
		gw_config_problem(c, facade, "facade.enabled",
				  "no tenant has a secret (tenants[].secret_file) to sign with");
}

const struct gw_tenant *gw_config_tenant(const struct gw_config *cfg, const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_tenants; i++) {
		if (cfg->tenants[i].name != NULL && strcmp(cfg->tenants[i].name, name) == 0)
			return &cfg->tenants[i];
	}
	return NULL;
}

const struct gw_tenant *gw_config_token_tenant(const struct gw_config *cfg,
					       const struct gw_token *tok)
{
	if (tok == NULL)
		return NULL;
	return gw_config_tenant(cfg, tok->claims != NULL ? tok->claims->tenant : tok->tenant);
}

bool gw_config_tenant_id_ok(const struct gw_config *cfg, const struct gw_tenant *t, const char *id)
{
	if (t == NULL || id == NULL)
		return true;
	for (size_t i = 0; i < cfg->n_tenants; i++) {
		const struct gw_tenant *o = &cfg->tenants[i];

		if (o->prefix != NULL && strncmp(id, o->prefix, o->prefix_len) == 0)
			return false;
	}
	return true;
}
