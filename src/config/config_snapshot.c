/*
 * config_snapshot.c - what is built from the key table (config_keys.c)
 * alone: the defaults snapshot, its reference counting and release, the
 * Markdown reference in docs/configuration.md, the keys a reload cannot
 * change, and what a 0 stands for where that depends on other keys (the
 * rate limit).
 */
#include "config_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How each type is named in the docs. */
/* clang-format off */
static const char *const type_names[] = {
	[KT_IP] = "string (IP address)",   [KT_URL] = "string (URL)",
	[KT_SECRET] = "string (secret)",   [KT_SECRET_FILE] = "string (path)",
	[KT_KEY] = "string (secret)",      [KT_UINT] = "integer",
	[KT_SIZE] = "integer (bytes)",     [KT_RATE] = "number",
	[KT_BOOL] = "boolean",             [KT_ENUM] = "string",
	[KT_DIGEST] = "string",            [KT_JWT_ALG] = "string",
	[KT_ORIGINS] = "array of strings", [KT_LIST] = "list of groups",
	[KT_LABEL] = "string",             [KT_ID] = "string",
	[KT_TOKEN_HASH] = "string",        [KT_SCOPES] = "array of strings",
	[KT_TIME] = "string (UTC time)",   [KT_HOSTS] = "array of strings",
	[KT_PREFIX] = "string",            [KT_PARAMS] = "group",
	[KT_NAMES] = "array of strings",   [KT_DIGESTS] = "array of strings",
	[KT_TAGS] = "array of strings",    [KT_REDIS] = "string (Redis URL)",
};
/* clang-format on */

static enum gw_err set_default(void *base, const struct gw_config_key *k)
{
	void *dst = gw_config_field(base, k->off);
	int v = (int)k->def;

	if (k->type == KT_UINT || k->type == KT_SCOPES || k->type == KT_DIGESTS)
		*(unsigned *)dst = (unsigned)k->def;
	else if (k->type == KT_SIZE)
		*(size_t *)dst = (size_t)k->def;
	else if (k->type == KT_RATE)
		*(double *)dst = (double)k->def;
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

enum gw_err gw_config_defaults(void *base, enum gw_config_list list)
{
	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];

		if (k->type != KT_LIST && k->list == list && set_default(base, k) != GW_OK)
			return GW_E_NOMEM;
	}
	return GW_OK;
}

/* Numbers the snapshots of this process: caches keyed on a snapshot never see a reused one. */
static atomic_ullong generations;

struct gw_config *gw_config_new_defaults(void)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	atomic_init(&cfg->refs, 1);
	cfg->generation = atomic_fetch_add_explicit(&generations, 1, memory_order_relaxed) + 1;
	if (gw_config_defaults(cfg, GW_CONFIG_ROOT) != GW_OK) {
		gw_config_unref(cfg);
		return NULL;
	}
	return cfg;
}

struct gw_config *gw_config_ref(struct gw_config *cfg)
{
	atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
	return cfg;
}

/* Frees the entries of list in cfg and what they own. */
static void free_list(struct gw_config *cfg, const struct gw_config_list_kind *l)
{
	char *entries;
	size_t n;

	memcpy(&entries, gw_config_field(cfg, l->off), sizeof(entries));
	memcpy(&n, gw_config_field(cfg, l->off_n), sizeof(n));
	for (size_t i = 0; i < n; i++)
		l->deinit(entries + i * l->entry_size);
	free(entries);
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
	gw_config_free_secret(cfg->bbb_secret);
	gw_config_free_secret(cfg->state_redis);
	for (size_t i = GW_CONFIG_ROOT + 1; i < GW_CONFIG_N_LISTS; i++)
		free_list(cfg, &gw_config_lists[i]);
	gw_issuer_deinit(&cfg->mint);
	free(cfg->auth_audience);
	free(cfg->events_callback_url);
	free(cfg->facade_public_url);
	free(cfg->facade_default_tenant);
	gw_config_free_strv(cfg->cors_origins, cfg->n_cors_origins);
	gw_config_free_strv(cfg->fetch_allow, cfg->n_fetch_allow);
	free(cfg);
}

void gw_config_token_rate(const struct gw_config *cfg, const struct gw_token *tok, double *rate,
			  double *burst)
{
	double r = cfg->rate_per_s;
	double b = cfg->burst;

	if (tok != NULL && tok->rate_per_s > 0.0)
		r = tok->rate_per_s;
	if (tok != NULL && tok->burst > 0)
		b = tok->burst;
	if (b == 0.0)
		b = 2.0 * r > 1.0 ? 2.0 * r : 1.0;
	*rate = r;
	*burst = b;
}

static const char *enum_default(const struct gw_config_key *k)
{
	if (k->type == KT_DIGEST)
		return gw_config_enum_name(k, (int)k->def);
	for (const struct gw_config_ename *e = k->names; e->name != NULL; e++) {
		if (e->value == k->def)
			return e->name;
	}
	return "?";
}

static enum gw_err reference_row(struct gw_buf *out, const struct gw_config_key *k)
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
	if ((k->flags & K_POSITIVE) != 0)
		snprintf(range, sizeof(range), "more than %lld, up to %lld", k->min, k->max);
	else if (k->type == KT_UINT || k->type == KT_SIZE || k->type == KT_RATE)
		snprintf(range, sizeof(range), "%lld..%lld", k->min, k->max);
	else if (k->type == KT_ENUM || k->type == KT_DIGEST || k->type == KT_JWT_ALG)
		gw_config_enum_values(k, range, sizeof(range), "`");
	return gw_buf_appendf(out, "| `%s` | %s | %s | %s | %s%s%s%s%s |\n", k->path,
			      type_names[k->type], def, range, k->doc,
			      k->env != NULL ? " Environment: `" : "", k->env != NULL ? k->env : "",
			      k->env != NULL ? "`." : "",
			      (k->flags & K_RESTART) != 0 ? " Read at start only (a reload keeps "
							    "the running value)."
							  : "");
}

enum gw_err gw_config_reference(struct gw_buf *out)
{
	enum gw_err err = gw_buf_append_str(out, "| key | type | default | range | meaning |\n"
						 "|---|---|---|---|---|\n");

	for (size_t i = 0; i < GW_CONFIG_N_KEYS && err == GW_OK; i++)
		err = reference_row(out, &gw_config_keys[i]);
	return err;
}

/* Whether key k holds different values in a and b. */
static bool key_differs(const struct gw_config_key *k, const struct gw_config *a,
			const struct gw_config *b)
{
	const char *pa = (const char *)a + k->off;
	const char *pb = (const char *)b + k->off;
	const char *sa, *sb;

	switch (k->type) {
	case KT_IP:
	case KT_URL:
	case KT_REDIS:
		memcpy(&sa, pa, sizeof(sa));
		memcpy(&sb, pb, sizeof(sb));
		return (sa == NULL) != (sb == NULL) || (sa != NULL && strcmp(sa, sb) != 0);
	case KT_UINT:
		return *(const unsigned *)(const void *)pa != *(const unsigned *)(const void *)pb;
	case KT_SIZE:
		return *(const size_t *)(const void *)pa != *(const size_t *)(const void *)pb;
	case KT_BOOL:
		return *(const bool *)(const void *)pa != *(const bool *)(const void *)pb;
	case KT_ENUM:
	case KT_DIGEST:
		return *(const int *)(const void *)pa != *(const int *)(const void *)pb;
	case KT_RATE:
		return *(const double *)(const void *)pa != *(const double *)(const void *)pb;
	default:
		return false; /* not a type a read-at-start key has */
	}
}

size_t gw_config_restart_changes(const struct gw_config *a, const struct gw_config *b,
				 const char **out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];

		if ((k->flags & K_RESTART) == 0 || !key_differs(k, a, b))
			continue;
		if (n < cap)
			out[n] = k->path;
		n++;
	}
	return n;
}
