/*
 * config_int.h - private to the config module (config.c, config_keys.c,
 * config_check.c); nothing outside src/config*.c includes it.
 *
 * The key table and its lookups live in config_keys.c, the pure value
 * checks in config_check.c, the libconfig walk in config.c. libconfig.h is
 * not included here: only config.c sees it.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define GW_CONFIG_URL_MAX_LEN 2048u
#define GW_CONFIG_ORIGIN_MAX_LEN 256u
#define GW_CONFIG_TOKEN_NAME_MAX_LEN 64u

/* Entries in gw_config_keys[]; config_keys.c asserts the count, ctx arrays are sized by it. */
#define GW_CONFIG_N_KEYS 49u

enum gw_config_ktype {
	KT_IP,          /* char *, IPv4 or IPv6 address literal */
	KT_URL,         /* char *, http(s) URL, trailing '/' stripped */
	KT_SECRET,      /* char *, zeroed when freed */
	KT_SECRET_FILE, /* path; the file is read into bbb_secret after the walk */
	KT_UINT,        /* unsigned in [min, max] */
	KT_SIZE,        /* size_t in [min, max] */
	KT_RATE,        /* double in [min, max]; an integer or a float in the file */
	KT_BOOL,        /* bool */
	KT_ENUM,        /* int-sized enum, one of names[] */
	KT_DIGEST,      /* enum gw_digest, by gw_crypto_digest_from_name() */
	KT_ORIGINS,     /* char ** at off, count (size_t) at off_n */
	KT_HOSTS,       /* char ** at off, count at off_n: fetch allow-list entries */
	KT_TOKENS,      /* the tokens list; its members are the K_TOKEN keys */
	KT_TOKEN_NAME,  /* char *, [A-Za-z0-9._-]{1,64} */
	KT_TOKEN_HASH,  /* unsigned char[32] from "sha256:<64 hex>" */
	KT_SCOPES,      /* unsigned bit set of enum gw_scope */
	KT_TIME,        /* long long Unix seconds from "YYYY-MM-DDTHH:MM:SSZ" */
};

#define K_REQUIRED 1u    /* must be present (unless its env variable is set) */
#define K_TOKEN 2u       /* member of a tokens entry; offsets are into struct gw_token */
#define K_NO_USERINFO 4u /* a URL handed to clients: user-info (user:password@) refused */
#define K_RESTART \
	8u /* read once at start: a reload that changes it warns, the running value stays */

struct gw_config_ename {
	const char *name;
	int value;
};

struct gw_config_key {
	const char *path;
	enum gw_config_ktype type;
	unsigned flags;
	size_t off;
	size_t off_n;
	long long def, min, max;
	const char *def_str; /* default of a string key */
	const char *def_doc; /* default as shown in the docs, if not a plain value */
	const struct gw_config_ename *names; /* KT_ENUM */
	const char *env;                     /* environment variable that replaces the value */
	const char *doc;
};

/* The table of every key, GW_CONFIG_N_KEYS entries (config_keys.c). */
extern const struct gw_config_key gw_config_keys[];

/* The address off bytes into base. */
void *gw_config_field(void *base, size_t off);

/* Index of the key whose path is path, GW_CONFIG_N_KEYS if none. */
size_t gw_config_key_index(const char *path);

/* Index of the key group.member (member alone when group is NULL), GW_CONFIG_N_KEYS if none. */
size_t gw_config_find_key(const char *group, const char *member);

/* True when some key lives in the group name. */
bool gw_config_is_group(const char *name);

/* The i-th accepted name of an enum or digest key, NULL past the last. */
const char *gw_config_enum_name(const struct gw_config_key *k, int i);

/* Joins the accepted names of an enum key, each wrapped in q, into buf (size bytes). */
void gw_config_enum_values(const struct gw_config_key *k, char *buf, size_t size, const char *q);

/* Zeroes and frees a secret string. NULL is fine. */
void gw_config_free_secret(char *s);

/* Frees n strings and the array holding them. */
void gw_config_free_strv(char **v, size_t n);

/*
 * Value checks (config_check.c): each returns why the value is not
 * acceptable, as a static string for "key: <why>", or NULL when it is.
 * The value itself is never part of the answer.
 */

/* A BBB API base: http(s)://host..., no spaces, query or fragment, at most 2048 chars. */
const char *gw_config_url_problem(const char *url);

/* True when the authority of an http(s) URL holds user-info ("user:password@"). */
bool gw_config_url_has_userinfo(const char *url);

/* A BBB secret of n bytes: 1..GW_MAX_SECRET_LEN visible characters. */
const char *gw_config_secret_problem(const char *s, size_t n);

/* An exact browser origin "scheme://host[:port]". */
const char *gw_config_origin_problem(const char *o);

/* True for an IPv4 or IPv6 address literal. */
bool gw_config_ip_ok(const char *s);

/* True for 1..64 characters from A-Z a-z 0-9 . _ - */
bool gw_config_token_name_ok(const char *s);

/*
 * A UTC time "YYYY-MM-DDTHH:MM:SSZ" after the epoch; on success stores its
 * Unix seconds in *out (untouched otherwise).
 */
const char *gw_config_time_problem(const char *s, long long *out);

#endif
