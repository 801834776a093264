/*
 * config.h - the gateway's configuration: an immutable, refcounted
 * snapshot read from a libconfig file (libconfig.h is included by the
 * loader, config.c and config_secrets.c, only).
 *
 * Every key has one entry in the key table in config_keys.c. Errors are
 * reported as "file:line: key: problem". Environment overrides:
 * BBB_GATEWAY_BBB_URL and BBB_GATEWAY_BBB_SECRET replace bbb.url and
 * bbb.secret (of a lone bbb group only: with a servers list either one is
 * an error).
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "buf.h"
#include "compiler.h"
#include "crypto.h"
#include "err.h"
#include "log.h"
#include "server_state.h"

#define GW_CONFIG_DEFAULT_PATH "/etc/bbb-gateway/bbb-gateway.conf"

/* The metadata key (meta_<it>) naming a meeting's tenant on BBB, set by every tenant's create. */
#define GW_TENANT_META "bbb-gateway-tenant"

/* A parameter a tenant's create policy sets: BBB's name and the text sent (owned). */
struct gw_tenant_param {
	char *name;
	char *value;
};

/*
 * One application sharing BBB (tenants[] entry): its meetingIDs carry
 * prefix towards BBB, its create calls follow its policy, and the
 * BBB-compatible API verifies its clients with its secret.
 */
struct gw_tenant {
	char *name;   /* owned; tenants[].name */
	char *prefix; /* owned; tenants[].meeting_prefix, no tenant's is a prefix of another's */
	size_t prefix_len;  /* strlen(prefix) */
	char *secret;       /* owned, zeroed when freed; the BBB-compatible API's; NULL = none */
	unsigned checksums; /* accepted checksum algorithms: bit (1u << enum gw_digest) each */
	/* create = { defaults; overrides; deny; max_participants; } */
	struct gw_tenant_param *defaults; /* set when the caller sends none */
	size_t n_defaults;
	struct gw_tenant_param *overrides; /* always set, replacing the caller's */
	size_t n_overrides;
	char **deny; /* parameters refused (400 param_denied) */
	size_t n_deny;
	unsigned max_participants; /* cap on maxParticipants; 0 = none */
	unsigned max_meetings;     /* meetings on BBB at once; 0 = no quota */
};

/* A BBB server's state as the operator set it (servers[].state, PATCH /v1/servers/{name}). */
#define GW_SERVER_STATE_ENUM(suffix, name) GW_SERVER_##suffix,
enum gw_server_state { GW_SERVER_STATE_LIST(GW_SERVER_STATE_ENUM) GW_SERVER_STATES };
#undef GW_SERVER_STATE_ENUM

/* A state's name ("enabled", "cordoned", "disabled"); NULL out of range. */
const char *gw_server_state_name(enum gw_server_state s);

/* The state named by the len bytes at name (as gw_server_state_name); false when none. */
bool gw_server_state_parse(const char *name, size_t len, enum gw_server_state *out);

/*
 * One BBB server of the fleet (servers[] entry). A config with a lone
 * `bbb` group has one, named "default", made of bbb.url, bbb.public_url,
 * bbb.secret and bbb.checksum.
 */
struct gw_bbb_server {
	char *name;                 /* owned; servers[].name: [A-Za-z0-9._-]{1,64}, unique */
	char *url;                  /* owned; the API's base, no trailing slash */
	char *public_url;           /* owned; where browsers join; default: url without user-info */
	char *secret;               /* owned, zeroed when freed */
	enum gw_digest checksum;    /* default bbb.checksum */
	double weight;              /* load multiplier; default 1.0, > 0 */
	enum gw_server_state state; /* default enabled */
	char **tags;                /* owned; what meta_server-tag may ask for */
	size_t n_tags;
};

struct gw_config {
	atomic_uint refs;
	char *path; /* file it came from; NULL for gw_config_new_defaults() */

	/* listen = { address; port; threads; } */
	char *listen_address; /* default "127.0.0.1" */
	unsigned listen_port; /* default 8090; 0 = pick a free port (tests) */
	unsigned threads;     /* event loops (listen.threads); default 0 = number of CPUs */

	/* limits = { ... } */
	size_t max_body_bytes;        /* default GW_DEFAULT_MAX_BODY_BYTES */
	size_t max_upload_bytes;      /* multipart uploads; default GW_DEFAULT_MAX_UPLOAD_BYTES */
	size_t max_header_bytes;      /* request line + headers; default 8 KiB */
	unsigned max_connections;     /* default 1000 */
	unsigned per_ip_connections;  /* default 64; 0 = unlimited */
	unsigned connection_reserve;  /* default 64 */
	unsigned idle_timeout_s;      /* default 30 */
	unsigned header_timeout_s;    /* default 10; 0 = none */
	unsigned max_inflight;        /* requests waiting on BBB; default 1024 */
	unsigned shutdown_timeout_ms; /* drain deadline; default 10000 */
	unsigned readyz_cache_ms;     /* /readyz answers from a probe this young; default 1000 */

	/*
	 * bbb = { ... }. bbb_url, bbb_public_url and bbb_secret are the first
	 * server's (servers[0]): bbb.url, bbb.public_url and bbb.secret of a
	 * lone bbb group, or copies of servers[0]'s url, public_url and secret
	 * when the file lists servers (and bbb.url etc. must then be absent).
	 */
	char *bbb_url;                    /* owned; servers[0].url, no trailing slash */
	char *bbb_public_url;             /* owned; servers[0].public_url */
	char *bbb_secret;                 /* owned, zeroed when freed; servers[0].secret */
	enum gw_digest checksum;          /* bbb.checksum, default sha256 (and servers[]'s) */
	unsigned bbb_timeout_ms;          /* default 10000 */
	unsigned bbb_connect_timeout_ms;  /* default 2000 */
	size_t bbb_max_reply_bytes;       /* default 64 MiB */
	unsigned bbb_max_connections;     /* default 64 */
	bool forward_unknown_params;      /* default true */
	enum gw_digest hooks_checksum;    /* bbb.hooks_checksum: bbb-webhooks calls; default sha1 */
	bool bbb_retry;                   /* bbb.retry: retry once where safe; default true */
	bool bbb_shared_pool;             /* bbb.shared_pool: one threaded pool for all loops */
	unsigned breaker_failures;        /* bbb.breaker_failures: default 5; 0 = no breaker */
	unsigned breaker_cooldown_ms;     /* bbb.breaker_cooldown_ms: default 1000 */
	unsigned breaker_max_cooldown_ms; /* bbb.breaker_max_cooldown_ms: default 30000 */
	/* bbb.fetch_allow: internal hosts/networks BBB may still be told to fetch (fetch_policy) */
	char **fetch_allow;
	size_t n_fetch_allow;

	/*
	 * servers = ( { name; url; public_url; secret | secret_file; checksum;
	 * weight; state; tags; } ... ): the fleet, at least one once loaded
	 * (the lone bbb group's "default" when the list is absent); 0 in
	 * gw_config_new_defaults(). bbb_url, bbb_public_url and bbb_secret
	 * above are the first server's; checksum stays bbb.checksum, which may
	 * differ from servers[0].checksum. The other bbb.* keys (timeouts,
	 * reply cap, connections, breaker, retry) apply to every server. Not
	 * read at start only: a reload may add, remove or re-state servers.
	 */
	struct gw_bbb_server *servers; /* owned, n_servers entries */
	size_t n_servers;
	/* fleet = { poll_s; reservation_seats; reservation_decay_s; meeting_weight; } */
	unsigned fleet_poll_s;              /* getMeetings per server every; default 5 */
	unsigned fleet_reservation_seats;   /* seats a create reserves without a hint; default 15 */
	unsigned fleet_reservation_decay_s; /* a reservation fades to 0 over; default 1800 */
	unsigned fleet_meeting_weight;      /* load of a meeting besides its users; default 5 */
	unsigned fleet_max_meetings;        /* meetings the placement map holds; default 1000000 */
	/*
	 * state = { redis; }: shared by several gateways; NULL = in this
	 * process only. The URL as written (it may hold a password: owned,
	 * zeroed when freed, never logged); parse it with
	 * gw_config_redis_url(). Read at start only.
	 */
	char *state_redis;
	unsigned state_placement_ttl_s; /* a placement kept in Redis this long; default 86400 */

	/* limits.rate_per_s / limits.burst: per-token request rate (token bucket) */
	double rate_per_s; /* default 0 = no rate limit; tokens[].rate_per_s overrides */
	unsigned burst;    /* default 0 = max(1, 2 * rate_per_s); tokens[].burst overrides */
	/* limits.heavy_rate_per_s / heavy_burst: a second bucket for expensive routes */
	double heavy_rate_per_s; /* default 0 = none */
	unsigned heavy_burst;    /* default 0 = max(1, 2 * heavy_rate_per_s) */

	/* tokens = ( { name; hash; scopes; origins; } ... ) */
	struct gw_token *tokens;
	size_t n_tokens;

	/*
	 * issuers = ( { name; alg; secret | secret_file | public_key_file; kid;
	 * scopes; max_ttl_s; any_meeting; tenant; rate_per_s; burst; } ... )
	 */
	struct gw_issuer *issuers;
	size_t n_issuers;

	/*
	 * tokens_mint = { signing_key_file; issuer; max_ttl_s; }: the gateway's
	 * own HS256 key (POST /v1/tokens); mint.name NULL = minting is off.
	 * Verified like an issuer (scopes all but tokens:mint, any_meeting).
	 */
	struct gw_issuer mint;

	/* auth = { audience; leeway_s; token_cache; max_revoked; } */
	char *auth_audience;       /* default "bbb-gateway" */
	unsigned auth_leeway_s;    /* default 30 */
	unsigned auth_token_cache; /* verified JWTs kept; default 10000; 0 = none */
	unsigned auth_max_revoked; /* revoked jtis kept; default 100000 */

	/* tenants = ( { name; meeting_prefix; secret | secret_file; checksums; create; max_meetings; } ... ) */
	struct gw_tenant *tenants;
	size_t n_tenants;
	unsigned tenant_count_ms; /* limits.tenant_count_ms: how old a quota's meeting count may be */

	/* facade = { enabled; public_url; default_tenant; }: the BBB-compatible API */
	bool facade_enabled;
	char *facade_public_url; /* the gateway's base as BBB and clients reach it; no '/' at the end */
	char *facade_default_tenant; /* the tenant of /bigbluebutton/api without one; NULL = none */

	/* a number no other snapshot of this process has (the JWT cache is tied to it) */
	unsigned long long generation;

	/*
	 * events = { callback_url; bearer; buffer; heartbeat_s; max_streams;
	 * max_streams_per_token; queue; max_callback_bytes; hooks_check_s; }
	 */
	char *events_callback_url;             /* NULL = live events off */
	bool events_bearer;                    /* callbacks authenticate with Bearer <secret> */
	unsigned events_buffer;                /* ring of events for Last-Event-ID; default 1000 */
	unsigned events_heartbeat_s;           /* default 15 */
	unsigned events_max_streams;           /* default 10000 */
	unsigned events_max_streams_per_token; /* default 20 */
	unsigned events_queue;                 /* events a stream may fall behind; default 256 */
	size_t events_max_callback_bytes;      /* default 256 KiB */
	unsigned events_hooks_check_s;         /* default 60 */

	/* cors = { origins = [...]; max_age_s = 600; } */
	char **cors_origins;
	size_t n_cors_origins;
	unsigned cors_max_age_s;

	/* log = { level = "info"; format = "text"; access = true; } */
	enum gw_log_level log_level;
	enum gw_log_format log_format;
	bool access_log;

	/* metrics = { public = false; } */
	bool metrics_public; /* /metrics without a token (default false: needs scope metrics) */
};

/*
 * Reads and validates the file at path, applies the environment overrides
 * and returns a new snapshot (refcount 1, caller unrefs). On failure
 * returns an error and, when errmsg is not NULL, appends one line per
 * problem ("file:line: key: problem") to errmsg.
 */
enum gw_err gw_config_load(const char *path, struct gw_config **out, struct gw_buf *errmsg) GW_WUR;

/*
 * Parses config text held in memory; otherwise as gw_config_load. path
 * names the text in messages and is stored in cfg->path; its directory is
 * where @include and a relative bbb.secret_file are read from. For tests
 * and fuzzing.
 */
enum gw_err gw_config_load_string(const char *text, const char *path, struct gw_config **out,
				  struct gw_buf *errmsg) GW_WUR;

/*
 * A snapshot holding only the defaults (no BBB URL, secret or tokens).
 * For tests that then fill in fields. NULL on OOM.
 */
struct gw_config *gw_config_new_defaults(void);

/*
 * Appends the reference table of every key to out, as Markdown (key, type,
 * default, range, meaning), generated from the table the loader uses.
 * docs/configuration.md holds a copy, compared by a test.
 */
enum gw_err gw_config_reference(struct gw_buf *out) GW_WUR;

/*
 * The keys read only at start (listen address, connection limits, ...)
 * whose values differ between a and b: writes up to cap of their paths
 * (static strings) to out and returns how many there are.
 */
#define GW_CONFIG_RESTART_KEYS_MAX 32u

size_t gw_config_restart_changes(const struct gw_config *a, const struct gw_config *b,
				 const char **out, size_t cap);

/*
 * The rate limit that applies to tok (borrowed; NULL for none): its own
 * rate_per_s and burst where set (non-zero), else limits.rate_per_s and
 * limits.burst; a burst still 0 becomes max(1, 2 * rate). *rate 0 means no
 * limit. Writes both out-parameters.
 */
void gw_config_token_rate(const struct gw_config *cfg, const struct gw_token *tok, double *rate,
			  double *burst);

/*
 * Why o is not an origin as cors.origins takes them (scheme://host[:port],
 * lowercase, no path), or NULL when it is one.
 */
const char *gw_config_origin_problem(const char *o);

/* The tenant called name, borrowed from cfg; NULL when there is none (or name is NULL). */
const struct gw_tenant *gw_config_tenant(const struct gw_config *cfg, const char *name);

/* The tenant tok belongs to (a static token's or its issuer's), or NULL. */
const struct gw_tenant *gw_config_token_tenant(const struct gw_config *cfg,
					       const struct gw_token *tok);

/*
 * True when tenant t's caller may name meeting id: one that starts with no
 * tenant's prefix (always true without a tenant).
 */
bool gw_config_tenant_id_ok(const struct gw_config *cfg, const struct gw_tenant *t, const char *id);

/* Where state.redis says the shared state lives: a TCP address or a Unix socket. */
#define GW_REDIS_MAX_DB 15u
#define GW_REDIS_MAX_UNIX_PATH 107u /* sun_path's 108 bytes with the NUL */

struct gw_redis_addr {
	char *host;      /* owned; NULL for a Unix socket; an IPv6 literal without its [] */
	unsigned port;   /* 1..65535, GW_DEFAULT_REDIS_PORT when not given; 0 for a socket */
	char *unix_path; /* owned; the socket's absolute path; NULL for TCP */
	unsigned db;     /* 0..GW_REDIS_MAX_DB; 0 when not given */
	char *password;  /* owned, zeroed when freed; NULL = none (no AUTH) */
};

/*
 * Parses a state.redis URL: "redis://[:password@]host[:port][/db]" (host
 * a name, an IPv4 address or an [IPv6] literal; port 1..65535; db 0..15)
 * or "unix:/path/to/socket[?db=N]". The password is taken as written (no
 * percent-decoding). On success fills *out (release with
 * gw_config_redis_addr_deinit) and returns GW_OK; GW_E_PARSE when url is
 * not such a URL, GW_E_NOMEM; *out is written only on success. The config
 * loader refuses what this refuses, with the reason (never the URL).
 */
enum gw_err gw_config_redis_url(const char *url, struct gw_redis_addr *out) GW_WUR;

/* Frees what a owns (the password zeroed) and zeroes a. NULL is fine. */
void gw_config_redis_addr_deinit(struct gw_redis_addr *a);

/* Takes a reference; returns cfg. */
struct gw_config *gw_config_ref(struct gw_config *cfg);

/* Drops a reference; frees on the last one. NULL is fine. */
void gw_config_unref(struct gw_config *cfg);

#endif
