/*
 * config_secrets.c - where the loader gets secrets and keys, and how it
 * checks and clears them: bbb.secret or bbb.secret_file, an issuers[]
 * entry's key, the tokens_mint key, and libconfig's own copies of inline
 * secrets (zeroed before libconfig frees them).
 *
 * Secret and key files are read by one function, relative to the config
 * file's directory: bbb.secret_file loses its trailing whitespace, a key
 * file one trailing newline (its bytes are the key), a PEM file nothing.
 * An issuer entry is one key: exactly one key source that suits its alg
 * (HS*: secret or secret_file; RS256/ES256: public_key_file), read into
 * struct gw_issuer's key and checked (config_check.c, which has crypto.c
 * load public keys). Entries may share a name, as key rotation does, when
 * each has a kid and the kids differ. A secret's or key's bytes never
 * appear in a message.
 */
#include "config_walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"

/* Room for the longest secret plus trailing whitespace in a secret file. */
#define SECRET_FILE_MAX (GW_MAX_SECRET_LEN + 256u)

void gw_config_free_bytes(unsigned char *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	free(p);
}

/* Reads up to max + 1 bytes of f into buf (max + 1 bytes); NULL or why the read failed. */
static const char *read_all(FILE *f, unsigned char *buf, size_t max, size_t *n, char *eb,
			    size_t eb_len)
{
	*n = fread(buf, 1, max + 1, f);
	if (ferror(f))
		return strerror_r(errno, eb, eb_len);
	return NULL;
}

static size_t trimmed(const unsigned char *buf, size_t n, enum gw_config_trim trim)
{
	if (trim == GW_CONFIG_TRIM_NEWLINE && n > 0 && buf[n - 1] == '\n')
		return n - 1;
	while (trim == GW_CONFIG_TRIM_SPACE && n > 0 && memchr(" \t\r\n", buf[n - 1], 4) != NULL)
		n--;
	return n;
}

unsigned char *gw_config_read_file(struct gw_config_ctx *c, const config_setting_t *s,
				   const char *key, size_t max, enum gw_config_trim trim, size_t *n)
{
	const char *p = config_setting_get_string(s);
	unsigned char *buf = NULL;
	unsigned char *out = NULL;
	const char *why;
	char path[4096];
	char eb[128];
	size_t len = 0;
	FILE *f;

	if (p == NULL || p[0] == '\0')
		return NULL;
	snprintf(path, sizeof(path), "%s%s%s", p[0] == '/' ? "" : c->dir, p[0] == '/' ? "" : "/",
		 p);
	f = fopen(path, "re");
	if (f == NULL) {
		gw_config_problem(c, s, key, "cannot open %s: %s", path,
				  strerror_r(errno, eb, sizeof(eb)));
		return NULL;
	}
	buf = malloc(max + 1);
	why = buf != NULL ? read_all(f, buf, max, &len, eb, sizeof(eb)) : NULL;
	fclose(f);
	if (buf == NULL) {
		c->oom = true;
	} else if (why != NULL) {
		gw_config_problem(c, s, key, "%s: %s", path, why);
	} else if (len > max) {
		gw_config_problem(c, s, key, "%s: is larger than %zu bytes", path, max);
	} else {
		/* A buffer of the exact size: the large one is zeroed, never realloc'd. */
		*n = trimmed(buf, len, trim);
		out = malloc(*n + 1);
		c->oom = c->oom || out == NULL;
		if (out != NULL) {
			memcpy(out, buf, *n);
			out[*n] = '\0';
		}
	}
	gw_config_free_bytes(buf, len);
	return out;
}

void gw_config_read_secret_file(struct gw_config_ctx *c, const config_setting_t *s, const char *key,
				char **dst)
{
	size_t n = 0;
	unsigned char *buf =
		gw_config_read_file(c, s, key, SECRET_FILE_MAX, GW_CONFIG_TRIM_SPACE, &n);
	const char *why;

	if (buf == NULL)
		return;
	why = gw_config_secret_problem((const char *)buf, n);
	if (why != NULL) {
		gw_config_problem(c, s, key, "%s: %s", config_setting_get_string(s), why);
		gw_config_free_bytes(buf, n);
		return;
	}
	/* buf is the secret's own copy, NUL-terminated, with no NUL inside (checked above) */
	gw_config_free_secret(*dst);
	*dst = (char *)buf;
}

void gw_config_finish_secret(struct gw_config_ctx *c, const config_setting_t *root)
{
	size_t si = gw_config_key_index("bbb.secret");
	const config_setting_t *inline_secret = c->seen[si];
	const config_setting_t *file = c->seen[gw_config_key_index("bbb.secret_file")];

	if (inline_secret != NULL && file != NULL)
		gw_config_problem(c, file, "bbb.secret_file",
				  "set bbb.secret or bbb.secret_file, not both");
	else if (file != NULL && !c->from_env[si])
		gw_config_read_secret_file(c, file, "bbb.secret_file", &c->cfg->bbb_secret);
	else if (inline_secret == NULL && file == NULL && !c->from_env[si])
		gw_config_problem(c, config_setting_get_member(root, "bbb"), "bbb.secret",
				  "missing: set bbb.secret or bbb.secret_file (or %s)",
				  gw_config_keys[si].env);
}

static bool is_hs(enum gw_jwt_alg alg)
{
	return alg == GW_JWT_HS256 || alg == GW_JWT_HS384 || alg == GW_JWT_HS512;
}

/* Entries sharing a name need distinct kids: compares issuers[i] with those before it. */
static void check_kids(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
		       const config_setting_t *const *seen)
{
	const struct gw_issuer *iss = c->cfg->issuers;
	const config_setting_t *at = seen[gw_config_key_index("issuers[].kid")];
	char name[48];

	snprintf(name, sizeof(name), "issuers[%zu].kid", i);
	for (size_t j = 0; j < i; j++) {
		if (iss[i].name == NULL || iss[j].name == NULL ||
		    strcmp(iss[i].name, iss[j].name) != 0)
			continue;
		if (iss[i].kid == NULL || iss[j].kid == NULL) {
			gw_config_problem(c, at != NULL ? at : g, name,
					  "issuers[%zu] has the same name: entries that share a "
					  "name each need a kid, all different",
					  j);
			return;
		}
		if (strcmp(iss[i].kid, iss[j].kid) == 0) {
			gw_config_problem(c, at, name, "same name and kid as issuers[%zu]", j);
			return;
		}
	}
}

/* An issuer's key sources: the members that give its key, and the algorithms each suits. */
struct source {
	const char *member;
	bool hs; /* for HS256/HS384/HS512; else for RS256/ES256 */
	bool file;
	enum gw_config_trim trim;
};

static const struct source sources[] = {
	{"secret", true, false, GW_CONFIG_TRIM_NONE},
	{"secret_file", true, true, GW_CONFIG_TRIM_NEWLINE},
	{"public_key_file", false, true, GW_CONFIG_TRIM_NONE},
};

#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))

/* A copy of the inline secret in s (NUL-terminated, *n without it); NULL on OOM. */
static unsigned char *inline_key(struct gw_config_ctx *c, const config_setting_t *s, size_t *n)
{
	const char *v = config_setting_get_string(s);
	unsigned char *key;

	if (v == NULL)
		return NULL; /* not a string: reported by the walk */
	*n = strlen(v);
	key = malloc(*n + 1);
	c->oom = c->oom || key == NULL;
	if (key != NULL)
		memcpy(key, v, *n + 1);
	return key;
}

/* Reads the key from source src (setting s) into iss, checked against iss->alg. */
static void take_key(struct gw_config_ctx *c, struct gw_issuer *iss, const struct source *src,
		     const config_setting_t *s, const char *name)
{
	unsigned char *key;
	const char *why;
	size_t n = 0;
	bool oom = false;

	if (src->file)
		key = gw_config_read_file(c, s, name, GW_MAX_KEY_FILE_BYTES, src->trim, &n);
	else
		key = inline_key(c, s, &n);
	if (key == NULL)
		return;
	why = gw_config_issuer_key_problem(iss->alg, key, n, &oom);
	c->oom = c->oom || oom;
	if (why == NULL) {
		iss->key = key;
		iss->key_len = n;
		return;
	}
	/* a file is named by its path; an inline secret by nothing of its own */
	if (src->file)
		gw_config_problem(c, s, name, "%s: %s", config_setting_get_string(s), why);
	else
		gw_config_problem(c, s, name, "%s", why);
	gw_config_free_bytes(key, n);
}

/* Exactly one key source that suits the issuer's alg; reads it. */
static void check_source(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			 const config_setting_t *const *seen)
{
	struct gw_issuer *iss = &c->cfg->issuers[i];
	const char *alg = gw_jwt_alg_name(iss->alg);
	const struct source *found = NULL;
	const config_setting_t *at = NULL;
	bool any = false;
	char path[48];
	char name[64];

	for (size_t k = 0; k < N_SOURCES; k++) {
		const config_setting_t *s;

		snprintf(path, sizeof(path), "issuers[].%s", sources[k].member);
		snprintf(name, sizeof(name), "issuers[%zu].%s", i, sources[k].member);
		s = seen[gw_config_key_index(path)];
		any = any || s != NULL;
		if (s == NULL)
			continue;
		if (sources[k].hs != is_hs(iss->alg)) {
			gw_config_problem(
				c, s, name, "does not go with alg %s, which takes %s", alg,
				is_hs(iss->alg) ? "secret_file (or secret)" : "public_key_file");
		} else if (found != NULL) {
			gw_config_problem(c, s, name, "set %s or %s, not both", found->member,
					  sources[k].member);
			found = &sources[k]; /* neither is taken */
			at = NULL;
		} else {
			found = &sources[k];
			at = s;
		}
	}
	if (at != NULL) {
		snprintf(name, sizeof(name), "issuers[%zu].%s", i, found->member);
		take_key(c, iss, found, at, name);
	} else if (!any) {
		snprintf(name, sizeof(name), "issuers[%zu].%s", i,
			 is_hs(iss->alg) ? "secret_file" : "public_key_file");
		gw_config_problem(c, g, name, "missing: alg %s takes %s", alg,
				  is_hs(iss->alg) ? "secret_file (or secret)" : "public_key_file");
	}
}

void gw_config_finish_issuer(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen)
{
	check_kids(c, i, g, seen);
	/* Without a usable alg (reported already) no key source can be judged. */
	if (c->cfg->issuers[i].alg != GW_JWT_ALG_NONE)
		check_source(c, i, g, seen);
}

/* An issuers[] entry may not take the name of the gateway's own tokens. */
static void check_mint_name(struct gw_config_ctx *c)
{
	const struct gw_config *cfg = c->cfg;
	const config_setting_t *list = c->seen[gw_config_key_index("issuers")];
	char name[48];

	for (size_t i = 0; i < cfg->n_issuers; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (cfg->issuers[i].name == NULL ||
		    strcmp(cfg->issuers[i].name, cfg->mint.name) != 0)
			continue;
		snprintf(name, sizeof(name), "issuers[%zu].name", i);
		gw_config_problem(c, config_setting_get_member(g, "name"), name,
				  "is tokens_mint.issuer, the name of the tokens the gateway "
				  "mints; give one of them another name");
	}
}

void gw_config_finish_mint(struct gw_config_ctx *c)
{
	const config_setting_t *file = c->seen[gw_config_key_index("tokens_mint.signing_key_file")];
	struct gw_issuer *mint = &c->cfg->mint;
	const char *key_name = "tokens_mint.signing_key_file";
	unsigned char *key;
	const char *why;
	size_t n = 0;
	bool oom = false;

	if (file == NULL) {
		/* minting is off; a tokens_mint.issuer alone names nothing */
		free(mint->name);
		mint->name = NULL;
		return;
	}
	if (mint->name == NULL)
		mint->name = strdup(GW_CONFIG_MINT_ISSUER);
	if (mint->name == NULL) {
		c->oom = true;
		return;
	}
	check_mint_name(c);
	key = gw_config_read_file(c, file, key_name, GW_MAX_KEY_FILE_BYTES, GW_CONFIG_TRIM_NEWLINE,
				  &n);
	if (key == NULL)
		return;
	why = gw_config_issuer_key_problem(GW_JWT_HS256, key, n, &oom);
	c->oom = c->oom || oom;
	if (why != NULL) {
		gw_config_problem(c, file, key_name, "%s: %s", config_setting_get_string(file),
				  why);
		gw_config_free_bytes(key, n);
		return;
	}
	mint->alg = GW_JWT_HS256;
	mint->key = key;
	mint->key_len = n;
	mint->scopes = GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT;
	mint->any_meeting = true;
	mint->tenant_claim = true;
}

static void scrub_string(config_setting_t *s)
{
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING && s->value.sval != NULL)
		explicit_bzero(s->value.sval, strlen(s->value.sval));
}

void gw_config_scrub(config_t *lc)
{
	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		const struct gw_config_key *k = &gw_config_keys[i];
		const char *member = strchr(k->path, '.');
		config_setting_t *list;

		/* a Redis URL may hold a password */
		if (k->type != KT_SECRET && k->type != KT_KEY && k->type != KT_REDIS)
			continue;
		if (k->list == GW_CONFIG_ROOT) {
			scrub_string(config_lookup(lc, k->path));
			continue;
		}
		list = config_lookup(lc, gw_config_lists[k->list].name);
		for (int j = 0; list != NULL && j < config_setting_length(list); j++) {
			config_setting_t *e = config_setting_get_elem(list, (unsigned)j);

			if (config_setting_is_group(e))
				scrub_string(config_setting_get_member(e, member + 1));
		}
	}
}
