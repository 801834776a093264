/*
 * config_keys.c - the table of every config key, the lists of groups, and
 * the lookups into them (what the snapshot builds from the table alone is
 * in config_snapshot.c).
 *
 * Each entry of gw_config_keys[] gives a key's path, type, default, range,
 * environment override and where its value lands (an offset into struct
 * gw_config, or into the entry struct of a list for the members of a list's
 * entries: struct gw_token for tokens[], struct gw_issuer for issuers[],
 * struct gw_tenant for tenants[], struct gw_bbb_server for servers[]).
 * The loader in config.c walks a parsed file against this table; a key
 * that is not here does not exist.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"

_Static_assert(sizeof(enum gw_log_level) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_log_format) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_digest) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_jwt_alg) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum gw_server_state) == sizeof(int), "enums are stored as int");

#define CFG(f) offsetof(struct gw_config, f)
#define TOK(f) offsetof(struct gw_token, f)
#define ISS(f) offsetof(struct gw_issuer, f)
#define TEN(f) offsetof(struct gw_tenant, f)
#define SRV(f) offsetof(struct gw_bbb_server, f)
#define TOKENS GW_CONFIG_TOKENS
#define ISSUERS GW_CONFIG_ISSUERS
#define TENANTS GW_CONFIG_TENANTS
#define SERVERS GW_CONFIG_SERVERS
/* Every checksum algorithm BBB knows, as a KT_DIGESTS bit set. */
#define ALL_DIGESTS                                                                        \
	((1ll << GW_DIGEST_SHA1) | (1ll << GW_DIGEST_SHA256) | (1ll << GW_DIGEST_SHA384) | \
	 (1ll << GW_DIGEST_SHA512))
#define KIB 1024ll
#define MIB (1024ll * 1024ll)
/* Ceilings of the rate-limit keys: far above what one BBB server can take. */
#define RATE_MAX 1000000ll
#define BURST_MAX 1000000ll
/* A browser token lives a week at most. */
#define TTL_MAX (7ll * 24 * 3600)
/* An issuer's scopes by default, and what its "*" means. */
#define ISSUER_SCOPES ((long long)(GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT))

/* Tables: one entry per line (or key) reads better than one field per line. */
/* clang-format off */
static const struct gw_config_ename log_levels[] = {
	{ "error", GW_LOG_ERR },   { "warning", GW_LOG_WARNING }, { "notice", GW_LOG_NOTICE },
	{ "info", GW_LOG_INFO },   { "debug", GW_LOG_DEBUG },     { NULL, 0 },
};

static const struct gw_config_ename log_formats[] = {
	{ "text", GW_LOG_FORMAT_TEXT },
	{ "json", GW_LOG_FORMAT_JSON },
	{ NULL, 0 },
};

#define SERVER_STATE_NAME(suffix, name) { name, GW_SERVER_##suffix },
static const struct gw_config_ename server_states[] = {
	GW_SERVER_STATE_LIST(SERVER_STATE_NAME)
	{ NULL, 0 },
};
#undef SERVER_STATE_NAME

const char *gw_server_state_name(enum gw_server_state s)
{
	return (unsigned)s < GW_SERVER_STATES ? server_states[s].name : NULL;
}

bool gw_server_state_parse(const char *name, size_t len, enum gw_server_state *out)
{
	for (const struct gw_config_ename *e = server_states; e->name != NULL; e++) {
		if (strlen(e->name) == len && memcmp(e->name, name, len) == 0) {
			*out = (enum gw_server_state)e->value;
			return true;
		}
	}
	return false;
}

static void token_deinit(void *entry)
{
	gw_token_deinit(entry);
}

static void issuer_deinit(void *entry)
{
	gw_issuer_deinit(entry);
}

static void tenant_deinit(void *entry)
{
	gw_config_tenant_deinit(entry);
}

static void server_deinit(void *entry)
{
	gw_config_server_deinit(entry);
}

const struct gw_config_list_kind gw_config_lists[GW_CONFIG_N_LISTS] = {
	[GW_CONFIG_TOKENS] = { "tokens", sizeof(struct gw_token), CFG(tokens), CFG(n_tokens),
			       GW_MAX_TOKENS, "{ name = ...; hash = ...; scopes = [...]; }",
			       token_deinit },
	[GW_CONFIG_ISSUERS] = { "issuers", sizeof(struct gw_issuer), CFG(issuers), CFG(n_issuers),
				GW_MAX_ISSUERS, "{ name = ...; alg = ...; secret_file = ...; }",
				issuer_deinit },
	[GW_CONFIG_TENANTS] = { "tenants", sizeof(struct gw_tenant), CFG(tenants), CFG(n_tenants),
				GW_MAX_TENANTS, "{ name = ...; meeting_prefix = ...; }",
				tenant_deinit },
	[GW_CONFIG_SERVERS] = { "servers", sizeof(struct gw_bbb_server), CFG(servers),
				CFG(n_servers), GW_MAX_SERVERS,
				"{ name = ...; url = ...; secret_file = ...; }", server_deinit },
};

const struct gw_config_key gw_config_keys[] = {
	{ .path = "listen.address", .type = KT_IP, .flags = K_RESTART, .off = CFG(listen_address),
	  .def_str = "127.0.0.1",
	  .doc = "IPv4 or IPv6 address the HTTP server binds; `::` or `0.0.0.0` for all." },
	{ .path = "listen.port", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(listen_port), .def = 8090,
	  .max = 65535, .doc = "TCP port; 0 picks a free port (tests)." },
	{ .path = "listen.threads", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(threads), .def = 0, .max = 64,
	  .doc = "Event loops (threads), each serving its share of the connections and "
		 "making its own BBB calls; 0 = one per CPU." },
	{ .path = "limits.max_body_bytes", .type = KT_SIZE, .flags = K_RESTART,
	  .off = CFG(max_body_bytes),
	  .def = GW_DEFAULT_MAX_BODY_BYTES, .min = 1, .max = GW_MAX_MAX_BODY_BYTES,
	  .doc = "Largest request body accepted; larger gets 413." },
	{ .path = "limits.max_upload_bytes", .type = KT_SIZE, .flags = K_RESTART,
	  .off = CFG(max_upload_bytes),
	  .def = GW_DEFAULT_MAX_UPLOAD_BYTES, .min = 1024, .max = GW_MAX_MAX_BODY_BYTES,
	  .doc = "Largest file upload (caption tracks, multipart) accepted; larger gets 413." },
	{ .path = "limits.max_header_bytes", .type = KT_SIZE, .flags = K_RESTART,
	  .off = CFG(max_header_bytes),
	  .def = GW_DEFAULT_MAX_HEADER_BYTES, .min = 4 * KIB, .max = MIB,
	  .doc = "Memory per connection for the request head and the response head. A request "
		 "line plus headers (each header counted with 64 bytes of bookkeeping) may use all "
		 "but 2 KiB of it; larger gets 431 (414 for a long target) before any BBB call." },
	{ .path = "limits.max_connections", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(max_connections),
	  .def = GW_DEFAULT_MAX_CONNECTIONS, .min = 1, .max = 100000,
	  .doc = "Concurrent client connections." },
	{ .path = "limits.per_ip_connections", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(per_ip_connections),
	  .def = GW_DEFAULT_PER_IP_CONNECTIONS, .max = 100000,
	  .doc = "Concurrent connections per client IP; 0 = unlimited (set 0 behind a reverse "
		 "proxy). A new connection past it displaces that address's oldest connection "
		 "that is waiting for a request, or is refused." },
	{ .path = "limits.connection_reserve", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(connection_reserve),
	  .def = GW_DEFAULT_CONNECTION_RESERVE, .max = 100000,
	  .doc = "Once more than `max_connections` minus this many connections are open, a new "
		 "connection displaces the oldest one that is waiting for a request, so new "
		 "clients are served while slow ones fill the limit. 0 = never displace." },
	{ .path = "limits.idle_timeout_s", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(idle_timeout_s),
	  .def = GW_DEFAULT_IDLE_TIMEOUT_S, .min = 1, .max = 3600,
	  .doc = "Seconds a client connection may stay silent before it is closed." },
	{ .path = "limits.header_timeout_s", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(header_timeout_s),
	  .def = GW_DEFAULT_HEADER_TIMEOUT_S, .max = 3600,
	  .doc = "Seconds a client has to send a request line and headers, counted from the "
		 "connection's start, or from the previous response plus `idle_timeout_s` on a "
		 "kept-alive connection; the connection is closed past it (slowloris). 0 = no "
		 "deadline." },
	{ .path = "limits.max_inflight", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(max_inflight),
	  .def = GW_DEFAULT_MAX_INFLIGHT, .min = 1, .max = 1000000,
	  .doc = "Requests waiting on BBB at once; more get 503." },
	{ .path = "limits.shutdown_timeout_ms", .type = KT_UINT, .off = CFG(shutdown_timeout_ms),
	  .def = GW_DEFAULT_SHUTDOWN_TIMEOUT_MS, .max = 600000,
	  .doc = "How long SIGTERM waits for in-flight requests before exiting." },
	{ .path = "limits.readyz_cache_ms", .type = KT_UINT, .off = CFG(readyz_cache_ms),
	  .def = GW_DEFAULT_READYZ_CACHE_MS, .max = 60000,
	  .doc = "How long `/readyz` answers from its last BBB probe; at most one probe is in "
		 "flight however many requests arrive. 0 = probe for every request (still one "
		 "at a time)." },
	{ .path = "limits.rate_per_s", .type = KT_RATE, .off = CFG(rate_per_s), .def = 0,
	  .max = RATE_MAX,
	  .doc = "Requests per second each token may make, on average (integer or decimal); "
		 "more get 429 with Retry-After. 0 = no limit. A token's own `rate_per_s` "
		 "replaces it." },
	{ .path = "limits.burst", .type = KT_UINT, .off = CFG(burst), .def = 0, .max = BURST_MAX,
	  .doc = "Requests a token may make at once before `rate_per_s` applies; 0 = twice "
		 "`rate_per_s`, at least 1. A token's own `burst` replaces it." },
	{ .path = "limits.heavy_rate_per_s", .type = KT_RATE, .off = CFG(heavy_rate_per_s),
	  .def = 0, .max = RATE_MAX,
	  .doc = "A second, stricter bucket per token for the expensive routes (create, "
		 "meeting and recording lists, recording changes, uploads, documents), in "
		 "requests per second; 0 = none." },
	{ .path = "limits.heavy_burst", .type = KT_UINT, .off = CFG(heavy_burst), .def = 0,
	  .max = BURST_MAX,
	  .doc = "Burst of the expensive-route bucket; 0 = twice `heavy_rate_per_s`, at least 1." },
	{ .path = "bbb.url", .type = KT_URL, .flags = K_REQUIRED | K_LONE_BBB, .off = CFG(bbb_url),
	  .def_doc = "required without `servers`", .env = "BBB_GATEWAY_BBB_URL",
	  .doc = "BBB API base the gateway calls (http:// or https://; a trailing / is dropped). "
		 "User-info (`user:password@`, for a proxy with basic auth) is sent by the "
		 "gateway's HTTP client only: logs show it as `***`, join URLs never carry it. "
		 "With `servers`, each server has its own and this must be absent." },
	{ .path = "bbb.public_url", .type = KT_URL, .flags = K_NO_USERINFO | K_LONE_BBB,
	  .off = CFG(bbb_public_url), .def_doc = "bbb.url without user-info",
	  .doc = "BBB API base that join URLs point at, as browsers reach it. Must not contain "
		 "user-info (`user:password@`). Absent with `servers`." },
	{ .path = "bbb.secret", .type = KT_SECRET, .flags = K_LONE_BBB, .off = CFG(bbb_secret),
	  .def_doc = "one of secret, secret_file", .env = "BBB_GATEWAY_BBB_SECRET",
	  .doc = "BBB shared secret (`bbb-conf --secret`); prefer secret_file. Absent with "
		 "`servers`." },
	{ .path = "bbb.secret_file", .type = KT_SECRET_FILE, .flags = K_LONE_BBB,
	  .off = CFG(bbb_secret), .def_doc = "one of secret, secret_file",
	  .doc = "File holding the BBB secret (trailing whitespace dropped); relative to the "
		 "config file's directory. Absent with `servers`." },
	{ .path = "bbb.checksum", .type = KT_DIGEST, .off = CFG(checksum), .def = GW_DIGEST_SHA256,
	  .doc = "Checksum algorithm; must be enabled on the BBB server. With `servers`, the "
		 "default of `servers[].checksum`." },
	{ .path = "bbb.hooks_checksum", .type = KT_DIGEST, .off = CFG(hooks_checksum),
	  .def = GW_DIGEST_SHA1,
	  .doc = "Checksum algorithm for the bbb-webhooks calls (`hooks/create`, `hooks/list`, "
		 "`hooks/destroy`); one that bbb-webhooks accepts, which may differ from "
		 "bbb.checksum." },
	{ .path = "bbb.timeout_ms", .type = KT_UINT, .off = CFG(bbb_timeout_ms),
	  .def = GW_DEFAULT_BBB_TIMEOUT_MS, .min = 100, .max = 600000,
	  .doc = "Deadline for a whole BBB call, a retry and reading the reply included; past it "
		 "the client gets 504." },
	{ .path = "bbb.connect_timeout_ms", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(bbb_connect_timeout_ms),
	  .def = GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS, .min = 100, .max = 600000,
	  .doc = "Deadline for TCP and TLS set-up to BBB; at most bbb.timeout_ms." },
	{ .path = "bbb.max_reply_bytes", .type = KT_SIZE, .off = CFG(bbb_max_reply_bytes),
	  .def = GW_DEFAULT_BBB_MAX_REPLY_BYTES, .min = 1 * KIB, .max = 256 * MIB,
	  .doc = "Largest BBB reply read (XML is converted as it arrives, so a large reply is not held twice); larger gives 502." },
	{ .path = "bbb.max_connections", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(bbb_max_connections),
	  .def = GW_DEFAULT_BBB_MAX_CONNECTIONS, .min = 1, .max = 1024,
	  .doc = "Connections to BBB kept open at most, all event loops together: each loop's "
		 "pool gets its share (at least 1)." },
	{ .path = "bbb.shared_pool", .type = KT_BOOL, .flags = K_RESTART,
	  .off = CFG(bbb_shared_pool), .def = 0,
	  .doc = "One pool of BBB connections on a thread of its own for every event loop, "
		 "instead of one pool per loop; costs a thread hand-off per call. For comparison "
		 "benchmarks." },
	{ .path = "bbb.retry", .type = KT_BOOL, .flags = K_RESTART, .off = CFG(bbb_retry), .def = 1,
	  .doc = "Retry a BBB call once (after 50-200 ms, within bbb.timeout_ms) when the "
		 "connection could not be made, or, for read-only calls and create, after a "
		 "reset, an unreadable reply or HTTP 502/503/504." },
	{ .path = "bbb.breaker_failures", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(breaker_failures),
	  .def = 5, .min = 0, .max = 10000,
	  .doc = "Consecutive failed BBB calls (connect errors, timeouts, unreadable replies, "
		 "HTTP 5xx) that open the circuit breaker: calls then fail fast with 503 until "
		 "a probe succeeds. 0 turns the breaker off." },
	{ .path = "bbb.breaker_cooldown_ms", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(breaker_cooldown_ms),
	  .def = 1000, .min = 100, .max = 600000,
	  .doc = "How long an open breaker waits before it lets one probe call through." },
	{ .path = "bbb.breaker_max_cooldown_ms", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(breaker_max_cooldown_ms), .def = 30000, .min = 100, .max = 3600000,
	  .doc = "Each failed probe doubles the wait, up to this." },
	{ .path = "bbb.forward_unknown_params", .type = KT_BOOL,
	  .off = CFG(forward_unknown_params), .def = 1,
	  .doc = "Pass create and join parameters the gateway does not know on to BBB "
		 "unchanged: the members of a body's `bbb` object, and unknown scalar members at "
		 "its top level. With `false` both are 400." },
	{ .path = "bbb.fetch_allow", .type = KT_HOSTS, .off = CFG(fetch_allow),
	  .off_n = CFG(n_fetch_allow), .def_doc = "none",
	  .doc = "Internal hosts BBB may still be told to fetch. URLs BBB fetches (presentation "
		 "`url`s, hook `callbackURL`s) are refused with 400 when their host is "
		 "`localhost` or a loopback, private, link-local, unspecified, multicast or "
		 "reserved IP address in any spelling, or when they carry user-info. Entries: "
		 "host names (exact, e.g. `files.internal.example`), IP addresses, or networks "
		 "(`10.1.2.0/24`, `fd00::/8`); at most 256. Names are not resolved." },
	{ .path = "servers", .type = KT_LIST, .list = SERVERS,
	  .def_doc = "the `bbb` group's server, `default`",
	  .doc = "The BBB servers the gateway places meetings on: a list of groups with the "
		 "members below, at most 64. Without it, `bbb.url`, `bbb.public_url` and "
		 "`bbb.secret` make one server named `default`; with it, those three must be "
		 "absent. The other `bbb` keys (timeouts, connections, breaker, retry) apply to "
		 "every server. A reload may add, remove or re-state servers." },
	{ .path = "servers[].name", .type = KT_LABEL, .list = SERVERS, .flags = K_REQUIRED,
	  .off = SRV(name), .def_doc = "required",
	  .doc = "Unique name (`GET /v1/servers`, `PATCH /v1/servers/{name}`, logs): 1-64 of "
		 "`A-Z a-z 0-9 . _ -`." },
	{ .path = "servers[].url", .type = KT_URL, .list = SERVERS, .flags = K_REQUIRED,
	  .off = SRV(url), .def_doc = "required",
	  .doc = "The server's BBB API base, as `bbb.url` (user-info for the gateway's own calls "
		 "only); no two servers may share one." },
	{ .path = "servers[].public_url", .type = KT_URL, .list = SERVERS, .flags = K_NO_USERINFO,
	  .off = SRV(public_url), .def_doc = "url without user-info",
	  .doc = "What the join URLs of the server's meetings point at, as `bbb.public_url`." },
	{ .path = "servers[].secret", .type = KT_SECRET, .list = SERVERS, .off = SRV(secret),
	  .def_doc = "one of secret, secret_file",
	  .doc = "The server's BBB shared secret, as `bbb.secret`; prefer `secret_file`." },
	{ .path = "servers[].secret_file", .type = KT_SECRET_FILE, .list = SERVERS,
	  .def_doc = "one of secret, secret_file",
	  .doc = "File holding the server's secret, as `bbb.secret_file` (trailing whitespace "
		 "dropped; relative to the config file's directory)." },
	{ .path = "servers[].checksum", .type = KT_DIGEST, .list = SERVERS, .off = SRV(checksum),
	  .def = GW_DIGEST_SHA256, .def_doc = "bbb.checksum",
	  .doc = "The server's checksum algorithm; must be enabled on that server." },
	{ .path = "servers[].weight", .type = KT_RATE, .list = SERVERS, .flags = K_POSITIVE,
	  .off = SRV(weight), .def = 1, .min = 0, .max = 1000,
	  .doc = "The server's load multiplier when meetings are placed (integer or decimal)." },
	{ .path = "servers[].state", .type = KT_ENUM, .list = SERVERS, .off = SRV(state),
	  .def = GW_SERVER_ENABLED, .names = server_states,
	  .doc = "`enabled` gets new meetings, `cordoned` keeps its meetings but gets no new "
		 "ones, `disabled` gets no calls at all (`PATCH /v1/servers/{name}` steers it at "
		 "run time)." },
	{ .path = "servers[].tags", .type = KT_TAGS, .list = SERVERS, .off = SRV(tags),
	  .off_n = SRV(n_tags), .def_doc = "none",
	  .doc = "Labels a create may ask for with `meta_server-tag` (e.g. `[ \"eu\" ]`): at "
		 "most 16, each 1-64 of `A-Z a-z 0-9 . _ -`." },
	{ .path = "fleet.poll_s", .type = KT_UINT, .off = CFG(fleet_poll_s), .def = 5, .min = 0,
	  .max = 3600,
	  .doc = "Seconds between two `getMeetings` polls of each server; two failed polls mark "
		 "a server unhealthy, one good poll healthy again. 0 never polls: every server "
		 "then counts as healthy and the map learns meetings only from creates and "
		 "look-ups." },
	{ .path = "fleet.reservation_seats", .type = KT_UINT, .off = CFG(fleet_reservation_seats),
	  .def = 15, .max = 10000,
	  .doc = "Seats a create reserves on its server when it sends no "
		 "`meta_bbb-meeting-size-hint`, so that a burst of creates spreads out." },
	{ .path = "fleet.reservation_decay_s", .type = KT_UINT,
	  .off = CFG(fleet_reservation_decay_s), .def = 1800, .min = 1, .max = 86400,
	  .doc = "Seconds over which a create's reservation fades to nothing." },
	{ .path = "fleet.meeting_weight", .type = KT_UINT, .off = CFG(fleet_meeting_weight),
	  .def = 5, .max = 10000,
	  .doc = "Load a meeting adds to its server besides its users." },
	{ .path = "fleet.max_meetings", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(fleet_max_meetings), .def = 1000000, .min = 1000, .max = 100000000,
	  .doc = "Meetings the placement map (meetingID -> server) holds at most (about 100 "
		 "bytes each); a create of a new meeting past it answers 503 until meetings end "
		 "or expire." },
	{ .path = "state.placement_ttl_s", .type = KT_UINT, .off = CFG(state_placement_ttl_s),
	  .def = 86400, .min = 60, .max = 2592000,
	  .doc = "With `state.redis`: seconds a meeting's server is kept in Redis "
		 "(`bgw:meeting:<meetingID>`) unless a gateway finds the meeting again; an end "
		 "deletes it at once. Longer than the longest meeting." },
	{ .path = "state.redis", .type = KT_REDIS, .flags = K_RESTART, .off = CFG(state_redis),
	  .def_doc = "none (state in this process)",
	  .doc = "Redis that N gateways share state through: meeting placements and "
		 "reservations (a create of one meetingID on two gateways lands on one server; "
		 "Redis down, new meetings wait with 503), live events (one id on every "
		 "gateway), token revocations and the operator's server states (docs/fleet.md): "
		 "`redis://host[:port][/db]` (an `[IPv6]` host, port 1..65535, db 0..15), "
		 "`redis://:password@host:port/db`, or `unix:/path/to/socket[?db=N]`. The "
		 "password is never logged." },
	{ .path = "tokens", .type = KT_LIST, .list = TOKENS, .def_doc = "none",
	  .doc = "Client tokens: a list of groups with the members below. With none (and no "
		 "`issuers`), every /v1 request gets 401." },
	{ .path = "tokens[].name", .type = KT_LABEL, .list = TOKENS, .flags = K_REQUIRED,
	  .off = TOK(name), .def_doc = "required",
	  .doc = "Unique label used in logs: 1-64 of `A-Z a-z 0-9 . _ -`." },
	{ .path = "tokens[].hash", .type = KT_TOKEN_HASH, .list = TOKENS, .flags = K_REQUIRED,
	  .off = TOK(hash), .def_doc = "required",
	  .doc = "`sha256:` + 64 hex digits, as printed by `bbb-gateway token new`; never the "
		 "token itself." },
	{ .path = "tokens[].scopes", .type = KT_SCOPES, .list = TOKENS, .flags = K_REQUIRED,
	  .off = TOK(scopes), .def_doc = "required",
	  .doc = "Non-empty array of scopes: `meetings:read`, `meetings:create`, "
		 "`meetings:join`, `meetings:end`, `meetings:write`, `meetings:passwords` (see "
		 "meeting passwords), `recordings:read`, `recordings:write`, `hooks`, `metrics`, "
		 "`tokens:mint` (POST/DELETE /v1/tokens), `events:read` (event streams), `*` "
		 "(all of them)." },
	{ .path = "tokens[].origins", .type = KT_ORIGINS, .list = TOKENS, .off = TOK(origins),
	  .off_n = TOK(n_origins), .def_doc = "none",
	  .doc = "Optional browser origins allowed for this token (same form as cors.origins)." },
	{ .path = "tokens[].rate_per_s", .type = KT_RATE, .list = TOKENS, .off = TOK(rate_per_s),
	  .def = 0, .max = RATE_MAX, .def_doc = "limits.rate_per_s",
	  .doc = "This token's request rate (as limits.rate_per_s); 0 = use limits.rate_per_s." },
	{ .path = "tokens[].burst", .type = KT_UINT, .list = TOKENS, .off = TOK(burst), .def = 0,
	  .max = BURST_MAX, .def_doc = "limits.burst",
	  .doc = "This token's burst (as limits.burst); 0 = use limits.burst." },
	{ .path = "tokens[].expires", .type = KT_TIME, .list = TOKENS, .off = TOK(expires_at),
	  .def_doc = "never",
	  .doc = "UTC time `YYYY-MM-DDTHH:MM:SSZ` from which the token is refused (401), "
		 "checked on every request. A time already past is accepted: the token never "
		 "authenticates." },
	{ .path = "tokens[].tenant", .type = KT_LABEL, .list = TOKENS, .off = TOK(tenant),
	  .def_doc = "none",
	  .doc = "The tenant (`tenants[].name`) the token belongs to: it sees only that tenant's "
		 "meetings and recordings, under the tenant's rules. Without one it sees "
		 "everything." },
	{ .path = "issuers", .type = KT_LIST, .list = ISSUERS, .def_doc = "none",
	  .doc = "Who may sign browser tokens (JWTs): a list of groups with the members below, "
		 "one per key, at most 64. Entries may share a `name` (key rotation) when each "
		 "has a distinct `kid`." },
	{ .path = "issuers[].name", .type = KT_ID, .list = ISSUERS, .flags = K_REQUIRED,
	  .off = ISS(name), .def_doc = "required",
	  .doc = "The `iss` claim of the tokens this key verifies: 1-128 visible ASCII characters, "
		 "no spaces. Not the name of `tokens_mint.issuer`." },
	{ .path = "issuers[].alg", .type = KT_JWT_ALG, .list = ISSUERS, .flags = K_REQUIRED,
	  .off = ISS(alg), .def_doc = "required",
	  .doc = "The algorithm a token's header must name (`none` never passes): HS256, HS384, "
		 "HS512 take `secret_file` (or `secret`), RS256 and ES256 `public_key_file`; "
		 "exactly one key source." },
	{ .path = "issuers[].secret", .type = KT_KEY, .list = ISSUERS,
	  .def_doc = "one key source",
	  .doc = "HS* only: the shared secret inline, at least 32 bytes; prefer `secret_file`, "
		 "which keeps it out of this file." },
	{ .path = "issuers[].secret_file", .type = KT_SECRET_FILE, .list = ISSUERS,
	  .def_doc = "one key source",
	  .doc = "HS* only: file holding the shared secret, read as raw bytes with one trailing "
		 "newline removed; at least 32 bytes (`bbb-gateway key new FILE` writes one). "
		 "Relative to the config file's directory." },
	{ .path = "issuers[].public_key_file", .type = KT_SECRET_FILE, .list = ISSUERS,
	  .def_doc = "one key source",
	  .doc = "RS256 and ES256 only: PEM public key (`-----BEGIN PUBLIC KEY-----`), RSA of at "
		 "least 2048 bits for RS256, P-256 EC for ES256. Relative to the config file's "
		 "directory." },
	{ .path = "issuers[].kid", .type = KT_ID, .list = ISSUERS, .off = ISS(kid),
	  .def_doc = "none",
	  .doc = "Key id: a token whose header names a `kid` is checked against the entry with "
		 "that `kid` only. Required, and different, on entries that share a `name`." },
	{ .path = "issuers[].scopes", .type = KT_SCOPES, .list = ISSUERS, .flags = K_MINT_EXPLICIT,
	  .off = ISS(scopes), .def = ISSUER_SCOPES, .def_doc = "all but `tokens:mint`",
	  .doc = "The most a token may carry (a token asking for more is refused, not narrowed); "
		 "names as in `tokens[].scopes`. Here `*` means all but `tokens:mint`, which is "
		 "granted only when listed by name." },
	{ .path = "issuers[].max_ttl_s", .type = KT_UINT, .list = ISSUERS, .off = ISS(max_ttl_s),
	  .def = 3600, .min = 1, .max = TTL_MAX,
	  .doc = "Longest token lifetime accepted, in seconds: `exp` - `iat`, or `exp` - now "
		 "without `iat`." },
	{ .path = "issuers[].any_meeting", .type = KT_BOOL, .list = ISSUERS,
	  .off = ISS(any_meeting), .def = 0,
	  .doc = "Tokens may leave out `bbb.meetings` and then touch every meeting; when false "
		 "each token names the meetings it may touch." },
	{ .path = "issuers[].tenant", .type = KT_LABEL, .list = ISSUERS, .off = ISS(tenant),
	  .def_doc = "none",
	  .doc = "The tenant (`tenants[].name`) the issuer's tokens belong to, as "
		 "`tokens[].tenant`." },
	{ .path = "issuers[].rate_per_s", .type = KT_RATE, .list = ISSUERS,
	  .off = ISS(rate_per_s), .def = 0, .max = RATE_MAX, .def_doc = "limits.rate_per_s",
	  .doc = "Request rate of each user (`iss` + `sub`) of this issuer (as "
		 "limits.rate_per_s); 0 = use limits.rate_per_s." },
	{ .path = "issuers[].burst", .type = KT_UINT, .list = ISSUERS, .off = ISS(burst),
	  .def = 0, .max = BURST_MAX, .def_doc = "limits.burst",
	  .doc = "Burst of each user of this issuer (as limits.burst); 0 = use limits.burst." },
	{ .path = "tokens_mint.signing_key_file", .type = KT_SECRET_FILE, .off = CFG(mint.key),
	  .def_doc = "none (no minting)",
	  .doc = "File holding the HS256 key of the tokens the gateway mints (POST /v1/tokens), "
		 "read as raw bytes with one trailing newline removed; at least 32 bytes "
		 "(`bbb-gateway key new FILE` writes one). Relative to the config file's "
		 "directory. Without it, minting is off." },
	{ .path = "tokens_mint.issuer", .type = KT_ID, .off = CFG(mint.name),
	  .def_doc = "`" GW_CONFIG_MINT_ISSUER "`",
	  .doc = "The `iss` of minted tokens; no `issuers` entry may have this name." },
	{ .path = "tokens_mint.max_ttl_s", .type = KT_UINT, .off = CFG(mint.max_ttl_s),
	  .def = 3600, .min = 1, .max = TTL_MAX,
	  .doc = "Longest lifetime of a minted token (`ttl_s`), in seconds." },
	{ .path = "tenants", .type = KT_LIST, .list = TENANTS, .def_doc = "none",
	  .doc = "Applications sharing BBB, each with its own meetings and rules: a list of "
		 "groups with the members below, at most 256. Tokens and issuers name theirs; the "
		 "BBB-compatible API finds it by host or path (docs/tenants.md)." },
	{ .path = "tenants[].name", .type = KT_LABEL, .list = TENANTS, .flags = K_REQUIRED,
	  .off = TEN(name), .def_doc = "required",
	  .doc = "Unique name: 1-64 of `A-Z a-z 0-9 . _ -`. The BBB-compatible API takes it as "
		 "the first label of `Host` or as `/<name>/bigbluebutton/api/`." },
	{ .path = "tenants[].meeting_prefix", .type = KT_PREFIX, .list = TENANTS,
	  .flags = K_REQUIRED, .off = TEN(prefix), .def_doc = "required",
	  .doc = "Put before the tenant's meetingIDs towards BBB and taken off every reply "
		 "(`bio-101` is `lms~bio-101` on BBB): 1-32 of `A-Z a-z 0-9 . _ ~ -`; none may be "
		 "the start of another tenant's." },
	{ .path = "tenants[].secret", .type = KT_SECRET, .list = TENANTS, .off = TEN(secret),
	  .def_doc = "none",
	  .doc = "The shared secret the tenant's BBB clients sign with on the BBB-compatible "
		 "API, at least 32 characters; prefer `secret_file`. Without one the tenant has "
		 "no BBB-compatible API." },
	{ .path = "tenants[].secret_file", .type = KT_SECRET_FILE, .list = TENANTS,
	  .def_doc = "none",
	  .doc = "File holding `secret` (trailing whitespace dropped), relative to the config "
		 "file's directory." },
	{ .path = "tenants[].checksums", .type = KT_DIGESTS, .list = TENANTS,
	  .off = TEN(checksums), .def = ALL_DIGESTS, .def_doc = "all four",
	  .doc = "Checksum algorithms the tenant's clients may sign with: `sha1`, `sha256`, "
		 "`sha384`, `sha512` (BBB's `supportedChecksumAlgorithms`)." },
	{ .path = "tenants[].max_meetings", .type = KT_UINT, .list = TENANTS,
	  .off = TEN(max_meetings), .def = 0, .max = 1000000,
	  .doc = "Meetings the tenant may have on BBB at once (running or not, creates in "
		 "flight included); a create past it gets 429 `quota_exceeded` (`quotaExceeded` "
		 "on the BBB-compatible API). 0 = no quota." },
	{ .path = "tenants[].create.defaults", .type = KT_PARAMS, .list = TENANTS,
	  .off = TEN(defaults), .off_n = TEN(n_defaults), .def_doc = "none",
	  .doc = "BBB create parameters set when the caller sends none, by BBB's names "
		 "(`record = false; meta_origin = \"lms\";`): strings, integers or booleans." },
	{ .path = "tenants[].create.overrides", .type = KT_PARAMS, .list = TENANTS,
	  .off = TEN(overrides), .off_n = TEN(n_overrides), .def_doc = "none",
	  .doc = "BBB create parameters always set, replacing the caller's (as `defaults`)." },
	{ .path = "tenants[].create.deny", .type = KT_NAMES, .list = TENANTS, .off = TEN(deny),
	  .off_n = TEN(n_deny), .def_doc = "none",
	  .doc = "BBB create parameters the tenant's callers may not send (400 `param_denied`; "
		 "`paramDenied` on the BBB-compatible API)." },
	{ .path = "tenants[].create.max_participants", .type = KT_UINT, .list = TENANTS,
	  .off = TEN(max_participants), .def = 0, .max = 1000000,
	  .doc = "Cap on `maxParticipants`: a create without it, with more, or with 0 "
		 "(unlimited) gets this value. 0 = no cap." },
	{ .path = "limits.tenant_count_ms", .type = KT_UINT, .off = CFG(tenant_count_ms),
	  .def = 2000, .max = 60000,
	  .doc = "How old a tenant's count of meetings (for `max_meetings`) may be before a "
		 "create asks BBB again; 0 = ask on every create." },
	{ .path = "facade.enabled", .type = KT_BOOL, .off = CFG(facade_enabled), .def = 0,
	  .doc = "Serve the BBB-compatible API at `/bigbluebutton/api/` (and "
		 "`/<tenant>/bigbluebutton/api/`) for the tenants that have a `secret`." },
	{ .path = "facade.public_url", .type = KT_URL, .flags = K_NO_USERINFO,
	  .off = CFG(facade_public_url), .def_doc = "required with `enabled`",
	  .doc = "The gateway's base URL as BBB's server and the tenants' clients reach it "
		 "(`https://bbb-gw.example.org`): the callbacks BBB makes for BBB-compatible "
		 "clients are pointed at it." },
	{ .path = "facade.default_tenant", .type = KT_LABEL, .off = CFG(facade_default_tenant),
	  .def_doc = "none",
	  .doc = "The tenant of a request whose host and path name none; without it such a "
		 "request gets `checksumError`." },
	{ .path = "auth.audience", .type = KT_ID, .off = CFG(auth_audience),
	  .def_str = "bbb-gateway",
	  .doc = "The `aud` every browser token must carry (a string, or an array holding it)." },
	{ .path = "auth.leeway_s", .type = KT_UINT, .off = CFG(auth_leeway_s), .def = 30,
	  .max = 300,
	  .doc = "Clock skew allowed when checking `exp`, `nbf` and `iat`, in seconds." },
	{ .path = "auth.token_cache", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(auth_token_cache), .def = 10000, .max = 1000000,
	  .doc = "Verified browser tokens kept, so that a token presented again is not verified "
		 "again (a reload empties it); 0 = none." },
	{ .path = "auth.max_revoked", .type = KT_UINT, .flags = K_RESTART,
	  .off = CFG(auth_max_revoked), .def = 100000, .min = 1, .max = 10000000,
	  .doc = "Revoked token ids (DELETE /v1/tokens/{jti}) kept, each until its token "
		 "expires; a revocation past it is refused." },
	{ .path = "cors.origins", .type = KT_ORIGINS, .off = CFG(cors_origins),
	  .off_n = CFG(n_cors_origins), .def_doc = "none",
	  .doc = "Exact origins allowed to call from a browser: `scheme://host[:port]`, lowercase, "
		 "no path, no `*`." },
	{ .path = "cors.max_age_s", .type = KT_UINT, .off = CFG(cors_max_age_s), .def = 600,
	  .max = 86400, .doc = "Access-Control-Max-Age sent on preflight replies." },
	{ .path = "events.callback_url", .type = KT_URL, .off = CFG(events_callback_url),
	  .def_doc = "none (live events off)",
	  .doc = "Where bbb-webhooks posts BBB's events: this gateway's `POST /v1/bbb-events` as "
		 "BBB's server reaches it (e.g. `http://gateway.internal:8090/v1/bbb-events`). "
		 "The gateway registers it with bbb-webhooks (`hooks/create`, global) and checks "
		 "the callbacks' checksum against it exactly." },
	{ .path = "events.bearer", .type = KT_BOOL, .off = CFG(events_bearer), .def = 0,
	  .doc = "Callbacks carry `Authorization: Bearer <BBB secret>` (bbb-webhooks' bearer "
		 "mode) instead of a `checksum` made with `bbb.hooks_checksum`." },
	{ .path = "events.buffer", .type = KT_UINT, .flags = K_RESTART, .off = CFG(events_buffer),
	  .def = 1000, .min = 1, .max = 1000000,
	  .doc = "Events kept for `Last-Event-ID` resumption; an older id gets `event: reset`." },
	{ .path = "events.heartbeat_s", .type = KT_UINT, .off = CFG(events_heartbeat_s), .def = 15,
	  .min = 1, .max = 3600, .doc = "A comment line on every idle stream this often." },
	{ .path = "events.max_streams", .type = KT_UINT, .off = CFG(events_max_streams),
	  .def = 10000, .max = 1000000,
	  .doc = "Open event streams at most (429 with Retry-After beyond); 0 = none allowed." },
	{ .path = "events.max_streams_per_token", .type = KT_UINT,
	  .off = CFG(events_max_streams_per_token), .def = 20, .max = 100000,
	  .doc = "Open event streams per token (a browser token: per issuer and user)." },
	{ .path = "events.queue", .type = KT_UINT, .off = CFG(events_queue), .def = 256, .min = 1,
	  .max = 100000,
	  .doc = "Events a stream may fall behind before it is closed (a reader that does not "
		 "read never slows the others)." },
	{ .path = "events.max_callback_bytes", .type = KT_SIZE, .flags = K_RESTART,
	  .off = CFG(events_max_callback_bytes),
	  .def = 256 * KIB, .min = 1 * KIB, .max = 16 * MIB,
	  .doc = "Largest callback body accepted from bbb-webhooks (413 beyond)." },
	{ .path = "events.hooks_check_s", .type = KT_UINT, .off = CFG(events_hooks_check_s),
	  .def = 60, .min = 5, .max = 3600,
	  .doc = "How often `hooks/list` is asked whether the gateway's callback is still "
		 "registered (bbb-webhooks drops hooks that fail); it registers again when not." },
	{ .path = "log.level", .type = KT_ENUM, .off = CFG(log_level), .def = GW_LOG_INFO,
	  .names = log_levels, .doc = "Least severe message level written." },
	{ .path = "log.format", .type = KT_ENUM, .off = CFG(log_format),
	  .def = GW_LOG_FORMAT_TEXT, .names = log_formats,
	  .doc = "`text` (journald priority prefix) or `json` lines." },
	{ .path = "log.access", .type = KT_BOOL, .off = CFG(access_log), .def = 1,
	  .doc = "Write one access line per request." },
	{ .path = "metrics.public", .type = KT_BOOL, .off = CFG(metrics_public), .def = 0,
	  .doc = "Serve /metrics without a token; when false it needs a token with scope "
		 "`metrics`." },
};
/* clang-format on */

_Static_assert(GW_ARRAY_SIZE(gw_config_keys) == GW_CONFIG_N_KEYS, "GW_CONFIG_N_KEYS in "
								  "config_int.h must count "
								  "gw_config_keys[]");

void *gw_config_field(void *base, size_t off)
{
	return (char *)base + off;
}

size_t gw_config_key_index(const char *path)
{
	size_t i;

	for (i = 0; i < GW_CONFIG_N_KEYS; i++) {
		if (strcmp(gw_config_keys[i].path, path) == 0)
			break;
	}
	return i;
}

size_t gw_config_find_key(const char *group, const char *member)
{
	size_t glen = group != NULL ? strlen(group) : 0;

	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		const char *p = gw_config_keys[i].path;

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
	return GW_CONFIG_N_KEYS;
}

enum gw_config_list gw_config_list_of(const char *name)
{
	for (size_t i = GW_CONFIG_ROOT + 1; i < GW_CONFIG_N_LISTS; i++) {
		if (strcmp(gw_config_lists[i].name, name) == 0)
			return (enum gw_config_list)i;
	}
	return GW_CONFIG_ROOT;
}

bool gw_config_is_group(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		if (strncmp(gw_config_keys[i].path, name, len) == 0 &&
		    gw_config_keys[i].path[len] == '.')
			return true;
	}
	return false;
}

const char *gw_config_enum_name(const struct gw_config_key *k, int i)
{
	if (k->type == KT_DIGEST)
		return i <= GW_DIGEST_SHA512 ? gw_crypto_digest_name((enum gw_digest)i) : NULL;
	/* GW_JWT_ALG_NONE (0) is no name: the names start at 1 */
	if (k->type == KT_JWT_ALG)
		return i >= 0 && i < GW_JWT_ES256 ? gw_jwt_alg_name((enum gw_jwt_alg)(i + 1))
						  : NULL;
	return k->names[i].name;
}

void gw_config_enum_values(const struct gw_config_key *k, char *buf, size_t size, const char *q)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; gw_config_enum_name(k, i) != NULL && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s%s%s", i > 0 ? ", " : "", q,
				 gw_config_enum_name(k, i), q);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

void gw_config_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void gw_config_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
