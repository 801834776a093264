/*
 * config_walk.h - the loader's state while it walks a parsed file, shared
 * by config.c (the walk itself), config_secrets.c (secrets and keys:
 * bbb.secret, issuers[] entries, tokens_mint), config_tenants.c and
 * config_servers.c. Private to the config module and the only header that
 * includes libconfig.h.
 */
#ifndef GW_CONFIG_WALK_H
#define GW_CONFIG_WALK_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "config_int.h"

struct gw_config_ctx {
	const char *path;      /* for messages where libconfig has no file name */
	char *dir;             /* directory of path: @include and relative files */
	struct gw_buf *errmsg; /* may be NULL */
	unsigned n_errors;
	bool oom;
	struct gw_config *cfg;
	const config_setting_t *seen[GW_CONFIG_N_KEYS]; /* where each key was set; NULL if absent */
	bool from_env[GW_CONFIG_N_KEYS];
};

/*
 * Reports a problem with setting s (NULL: no line number) as
 * "file:line: key: problem" and counts it. Never pass a value that could
 * be a secret.
 */
void gw_config_problem(struct gw_config_ctx *c, const config_setting_t *s, const char *key,
		       const char *fmt, ...) GW_PRINTF(4, 5);

/* What gw_config_read_file drops from the end of a file. */
enum gw_config_trim {
	GW_CONFIG_TRIM_SPACE,   /* all trailing whitespace (bbb.secret_file) */
	GW_CONFIG_TRIM_NEWLINE, /* one trailing "\n" (key files: raw bytes) */
	GW_CONFIG_TRIM_NONE,    /* nothing (PEM text) */
};

/*
 * Reads the file the string setting s names (a relative path from the
 * config file's directory): at most max bytes, trimmed as trim says, into
 * a new buffer with a NUL after them; *n gets the length without the NUL.
 * Caller frees with gw_config_free_bytes. NULL when the file cannot be
 * read or is larger (reported under key, with the path, never the
 * content) or when s holds no path (already reported by the walk).
 */
unsigned char *gw_config_read_file(struct gw_config_ctx *c, const config_setting_t *s,
				   const char *key, size_t max, enum gw_config_trim trim,
				   size_t *n);

/*
 * Reads the secret file the string setting s names, as bbb.secret_file is
 * read (gw_config_read_file, trailing whitespace dropped, then
 * gw_config_secret_problem), and on success replaces *dst (the old value
 * freed zeroed). Problems are reported under key with the file's path,
 * never its content.
 */
void gw_config_read_secret_file(struct gw_config_ctx *c, const config_setting_t *s, const char *key,
				char **dst);

/* Zeroes n bytes at p and frees it. NULL is fine. */
void gw_config_free_bytes(unsigned char *p, size_t n);

/*
 * After the walk: exactly one of bbb.secret and bbb.secret_file (or the
 * environment's secret); reads the file into bbb_secret. root is the
 * file's root group (for the line of a missing secret).
 */
void gw_config_finish_secret(struct gw_config_ctx *c, const config_setting_t *root);

/*
 * Checks issuers[i] (group g, walked into c->cfg->issuers[i]; seen: where
 * each of its keys was set): exactly one key source matching its alg, read
 * and checked into key and key_len; a kid on each of the entries that
 * share its name, all different (against issuers[0..i-1]).
 */
void gw_config_finish_issuer(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen);

/* tenants[].create.defaults/overrides: a group of BBB parameters into *out (n_out). */
void gw_config_parse_params(struct gw_config_ctx *c, const char *name, const config_setting_t *s,
			    struct gw_tenant_param **out, size_t *n_out);

/* tenants[].checksums: an array of algorithm names into a bit set. */
void gw_config_parse_digests(struct gw_config_ctx *c, const char *name, const config_setting_t *s,
			     unsigned *out);

/*
 * Checks tenants[i] (as gw_config_finish_issuer): its secret (file read),
 * a name and a prefix no earlier entry has or overlaps.
 */
void gw_config_finish_tenant(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen);

/*
 * After the walk: tokens[].tenant, issuers[].tenant and
 * facade.default_tenant name tenants that exist; facade.enabled has a
 * public_url and a tenant with a secret.
 */
void gw_config_finish_tenants(struct gw_config_ctx *c, const config_setting_t *root);

/*
 * After the walk: with tokens_mint.signing_key_file set, reads the key and
 * fills c->cfg->mint (name tokens_mint.issuer, HS256, scopes all but
 * tokens:mint, any_meeting) and refuses an issuers[] entry of that name;
 * without it, leaves mint.name NULL (minting off).
 */
void gw_config_finish_mint(struct gw_config_ctx *c);

/* True when the file has a servers list (of any shape): the fleet is not the bbb group. */
bool gw_config_has_servers(const struct gw_config_ctx *c);

/* Sets *public_url, when NULL, to url (NULL: nothing) without its user-info. */
void gw_config_default_public_url(struct gw_config_ctx *c, char **public_url, const char *url);

/*
 * Checks servers[i] (as gw_config_finish_issuer): exactly one of secret
 * and secret_file (read), public_url's default, a name and a server
 * (url, user-info aside) no earlier entry has.
 */
void gw_config_finish_server(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen);

/*
 * After the walk, with bbb.public_url's default set: without a servers
 * list, makes the server "default" of the bbb group; with one, refuses the
 * bbb group's server keys (K_LONE_BBB) and an empty list, gives each entry
 * without a checksum bbb.checksum, and copies servers[0]'s url,
 * public_url and secret into bbb_url, bbb_public_url and bbb_secret.
 */
void gw_config_finish_servers(struct gw_config_ctx *c);

/*
 * Zeroes libconfig's copies of the inline secrets and keys in lc
 * (bbb.secret, issuers[].secret, servers[].secret, state.redis), which
 * config_destroy() frees without clearing.
 */
void gw_config_scrub(config_t *lc);

#endif
