/*
 * config_int.h - private to the config module (config.c, config_keys.c,
 * config_snapshot.c, config_check.c, config_secrets.c, ...); nothing
 * outside src/config*.c includes it.
 *
 * The key table and its lookups live in config_keys.c, what the snapshot
 * builds from the table alone in config_snapshot.c, the pure value
 * checks in config_check.c and config_redis.c, the libconfig walk in
 * config.c, secrets and keys (bbb.secret, issuers[], tokens_mint) in
 * config_secrets.c, the tenants in config_tenants.c, the BBB servers in
 * config_servers.c. libconfig.h is not included here: the files that walk
 * the parsed file see it, through config_walk.h.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define GW_CONFIG_URL_MAX_LEN 2048u
#define GW_CONFIG_ORIGIN_MAX_LEN 256u
#define GW_CONFIG_TOKEN_NAME_MAX_LEN 64u
#define GW_CONFIG_ID_MAX_LEN 128u
#define GW_CONFIG_MINT_ISSUER "bbb-gateway" /* tokens_mint.issuer by default */

/* Entries in gw_config_keys[]; config_keys.c asserts the count, ctx arrays are sized by it. */
#define GW_CONFIG_N_KEYS 111u

enum gw_config_ktype {
	KT_IP,          /* char *, IPv4 or IPv6 address literal */
	KT_URL,         /* char *, http(s) URL, trailing '/' stripped */
	KT_SECRET,      /* char *, zeroed when freed */
	KT_SECRET_FILE, /* path of a secret or key file; read after the walk (or the entry's walk) */
	KT_KEY,         /* inline key; like KT_SECRET_FILE, the walk only checks it is a string */
	KT_UINT,        /* unsigned in [min, max] */
	KT_SIZE,        /* size_t in [min, max] */
	KT_RATE,        /* double in [min, max]; an integer or a float in the file */
	KT_BOOL,        /* bool */
	KT_ENUM,        /* int-sized enum, one of names[] */
	KT_DIGEST,      /* enum gw_digest, by gw_crypto_digest_from_name() */
	KT_JWT_ALG,     /* enum gw_jwt_alg, by gw_jwt_alg_from_name() ("none" refused) */
	KT_ORIGINS,     /* char ** at off, count (size_t) at off_n */
	KT_HOSTS,       /* char ** at off, count at off_n: fetch allow-list entries */
	KT_LIST,        /* a list of groups: list says which (gw_config_lists[]) */
	KT_LABEL,       /* char *, [A-Za-z0-9._-]{1,64} */
	KT_ID,          /* char *, 1-128 visible ASCII characters, no spaces */
	KT_TOKEN_HASH,  /* unsigned char[32] from "sha256:<64 hex>" */
	KT_SCOPES,      /* unsigned bit set of enum gw_scope */
	KT_TIME,        /* long long Unix seconds from "YYYY-MM-DDTHH:MM:SSZ" */
	KT_PREFIX,      /* char *, a meeting prefix: 1-32 of A-Z a-z 0-9 . _ ~ - */
	KT_PARAMS,  /* a group of BBB parameters: struct gw_tenant_param * at off, count at off_n */
	KT_NAMES,   /* char ** at off, count at off_n: BBB parameter names */
	KT_DIGESTS, /* unsigned bit set (1u << enum gw_digest) */
	KT_TAGS,    /* char ** at off, count at off_n: labels as KT_LABEL */
	KT_REDIS,   /* char *, a Redis URL (gw_config_redis_url); zeroed when freed */
};

#define K_REQUIRED 1u      /* must be present (unless its env variable is set) */
#define K_MINT_EXPLICIT 2u /* KT_SCOPES: "*" leaves out tokens:mint, only naming it grants it */
#define K_NO_USERINFO 4u   /* a URL handed to clients: user-info (user:password@) refused */
#define K_RESTART \
	8u /* read once at start: a reload that changes it warns, the running value stays */
#define K_POSITIVE 16u /* KT_RATE: more than min (0), not equal to it */
/* A lone bbb group's server (bbb.url, ...): refused, and never required, with servers[] */
#define K_LONE_BBB 32u

/*
 * The lists of groups. A list's members are the keys "<name>[].<member>"
 * whose list is the list's id; their offsets are into the list's entry
 * struct. GW_CONFIG_ROOT: a key of struct gw_config.
 */
enum gw_config_list {
	GW_CONFIG_ROOT = 0,
	GW_CONFIG_TOKENS,  /* tokens[]: struct gw_token */
	GW_CONFIG_ISSUERS, /* issuers[]: struct gw_issuer */
	GW_CONFIG_TENANTS, /* tenants[]: struct gw_tenant */
	GW_CONFIG_SERVERS, /* servers[]: struct gw_bbb_server */
	GW_CONFIG_N_LISTS,
};

struct gw_config_list_kind {
	const char *name;  /* "tokens": the list key's path */
	size_t entry_size; /* sizeof the entry struct */
	size_t off, off_n; /* the entry array and its count (size_t) in struct gw_config */
	unsigned max;      /* entries at most */
	const char *shape; /* an entry as shown when one is not a group */
	void (*deinit)(void *entry); /* frees what an entry owns, not the entry */
};

/* Indexed by enum gw_config_list, GW_CONFIG_ROOT excluded (config_keys.c). */
extern const struct gw_config_list_kind gw_config_lists[GW_CONFIG_N_LISTS];

struct gw_config_ename {
	const char *name;
	int value;
};

struct gw_config_key {
	const char *path;
	enum gw_config_ktype type;
	/* KT_LIST: the list it is; any other: the list whose entries hold it (ROOT: none) */
	enum gw_config_list list;
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

/*
 * Sets the defaults of the keys of list (GW_CONFIG_ROOT: struct gw_config)
 * in base, which is that list's entry (or the config). GW_E_NOMEM when a
 * string default cannot be copied.
 */
enum gw_err gw_config_defaults(void *base, enum gw_config_list list) GW_WUR;

/* Index of the key whose path is path, GW_CONFIG_N_KEYS if none. */
size_t gw_config_key_index(const char *path);

/* Index of the key group.member (member alone when group is NULL), GW_CONFIG_N_KEYS if none. */
size_t gw_config_find_key(const char *group, const char *member);

/* The list whose path is name ("tokens"), GW_CONFIG_ROOT if none. */
enum gw_config_list gw_config_list_of(const char *name);

/* True when some key lives in the group name. */
bool gw_config_is_group(const char *name);

/* The i-th accepted name of an enum or digest key, NULL past the last. */
const char *gw_config_enum_name(const struct gw_config_key *k, int i);

/* Joins the accepted names of an enum key, each wrapped in q, into buf (size bytes). */
void gw_config_enum_values(const struct gw_config_key *k, char *buf, size_t size, const char *q);

/* Zeroes and frees a secret string. NULL is fine. */
void gw_config_free_secret(char *s);

/* Frees what a tenants[] entry owns (its secret zeroed), not the entry. */
void gw_config_tenant_deinit(struct gw_tenant *t);

/* Frees what a servers[] entry owns (its secret zeroed), not the entry. */
void gw_config_server_deinit(struct gw_bbb_server *s);

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

/* True for an IPv4 or IPv6 address literal. */
bool gw_config_ip_ok(const char *s);

/* True for 1..64 characters from A-Z a-z 0-9 . _ - (token names, tenants). */
bool gw_config_label_ok(const char *s);

/* A label as gw_config_label_ok() takes it (names, servers[].tags). */
const char *gw_config_label_problem(const char *s);

/* A state.redis URL as gw_config_redis_url() takes it (config_redis.c). */
const char *gw_config_redis_problem(const char *url);

/* True for 1..128 visible ASCII characters, no spaces (issuer names, kids, the audience). */
bool gw_config_id_ok(const char *s);

/*
 * An issuer's key for alg: HS*: the secret's n raw bytes, at least
 * GW_CONFIG_MIN_HS_KEY_BYTES; RS256/ES256: the PEM text of an RSA public
 * key of at least 2048 bits, or of a P-256 EC key. The key's bytes are
 * never part of the answer. *oom is set when the check ran out of memory.
 */
#define GW_CONFIG_MIN_HS_KEY_BYTES 32u
#define GW_CONFIG_MIN_RSA_BITS 2048u
const char *gw_config_issuer_key_problem(enum gw_jwt_alg alg, const unsigned char *key, size_t n,
					 bool *oom);

/* A meeting prefix: 1..GW_MAX_TENANT_PREFIX_LEN of A-Z a-z 0-9 . _ ~ -. */
const char *gw_config_prefix_problem(const char *s);

/*
 * A BBB parameter name a tenant policy may name: [A-Za-z][A-Za-z0-9_-]*,
 * at most 128 bytes, and none the gateway sets itself (meetingID,
 * checksum, meta_bbb-gateway-tenant).
 */
const char *gw_config_param_name_problem(const char *s);

/*
 * A UTC time "YYYY-MM-DDTHH:MM:SSZ" after the epoch; on success stores its
 * Unix seconds in *out (untouched otherwise).
 */
const char *gw_config_time_problem(const char *s, long long *out);

#endif
